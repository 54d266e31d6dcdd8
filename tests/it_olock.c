/* it_olock.c - integration test of olock.h + backends/olock_curl.h against a real server.

   usage: it_olock ddblocal|dynalite URL
   (URL defaults to $OLOCK_IT_DDBLOCAL_URL / $OLOCK_IT_DYNALITE_URL)

   Run by tests/integration.sh, which starts Amazon DynamoDB Local and dynalite on 127.0.0.1.
   Against either server: create a table; versioned put, update and delete (versions and stored
   attributes checked); conflicts, with the stored item returned by DynamoDB Local (dynalite
   ignores ReturnValuesOnConditionCheckFailure, so there the engine must fall back to a
   GetItem); every attribute type and a 300 KB item round-tripped, a 410 KB one refused;
   olock_update with a competing writer and from a stale cache; transactions and
   olock_update_many (DynamoDB Local; dynalite has no transactions and must give a clear
   service error); 4 threads x N increments of one item, each thread with its own client and
   curl transport; requests after dynalite closed an idle keep-alive connection; a versioned
   write whose outcome is unknown (server paused: timeouts, resends) settled exactly once; and
   a server killed mid-run (transport errors, NOT_SENT for a refused connection), then
   restarted and used again.

   The kill and pause tests run "$OLOCK_IT_CTL <verb> NAME" with verb stop, restart (prints
   the server's URL: the same port when it could be had), pause or resume. Without
   OLOCK_IT_CTL those tests fail rather than pass silently. OLOCK_IT_INCREMENTS sets N (100).

   Every check counts as one test; the last line is "N passed, N failed". */
#define _POSIX_C_SOURCE 200809L
#ifndef OLOCK_TEST_LINKED   /* else tests/integration.sh links build/san/libolock_impl.a (tests/impl/) */
#define OLOCK_IMPLEMENTATION
#define OLOCK_CURL_IMPLEMENTATION
#endif
#include "olock.h"
#include "olock_curl.h"
#include "olock_test.h"

#include <curl/curl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static const char *g_name;         /* "ddblocal" or "dynalite" */
static char g_url[256];
static int g_ddb;                  /* DynamoDB Local: transactions and ALL_OLD on failure */
static char g_table[96];
static char g_current[128];
static olock_arena g_arena;        /* keys, values and copies of items read back */
static long g_increments = 100;    /* per thread in the concurrency test */

#define IT_RUN(fn) do { \
    double t0_ = now_s(); \
    snprintf(g_current, sizeof g_current, "%s/%s", g_name, #fn); \
    olock_test_current = g_current; \
    fn(); \
    printf("  %-40s %6.2f s\n", g_current, now_s() - t0_); \
    fflush(stdout); \
} while (0)

static double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void sleep_ms(long ms) {
    struct timespec ts;
    ts.tv_sec = ms / 1000;
    ts.tv_nsec = (ms % 1000) * 1000000L;
    nanosleep(&ts, NULL);
}

/* ---- values ------------------------------------------------------------------------------ */

static olock_value *S(const char *s) { return olock_value_new_s(&g_arena, s, strlen(s)); }
static olock_value *N(int64_t n) { return olock_value_new_i64(&g_arena, n); }

static olock_value *map1(const char *k, olock_value *v) {
    olock_value *m = olock_value_new_container(&g_arena, OLOCK_TYPE_M);
    olock_map_put(&g_arena, m, k, strlen(k), v);
    return m;
}

static olock_value *key_of(const char *id) { return map1("id", S(id)); }

static int64_t num(const olock_value *item, const char *name) {
    int64_t v = -1;
    if (!item || olock_value_get_i64(olock_map_get(item, name, strlen(name)), &v) != OLOCK_OK) return -1;
    return v;
}

static const char *str(const olock_value *item, const char *name) {
    const olock_value *v = item ? olock_map_get(item, name, strlen(name)) : NULL;
    return v && v->type == OLOCK_TYPE_S ? v->str : NULL;
}

/* ---- clients ----------------------------------------------------------------------------- */

/* A client of the server under test: curl transport, explicit endpoint, region and fake
   (alphanumeric) credentials, nothing from the environment. *http (may be NULL) keeps a
   pointer to the transport for its stats; the client owns it. */
static olock_client *new_client(const char *url, unsigned cache, unsigned conflict_attempts, olock_curl **http) {
    olock_config cfg;
    if (olock_test_local_config(url, &cfg, http) != OLOCK_OK) return NULL;
    cfg.cache_entries = cache;
    if (conflict_attempts) cfg.retry.conflict_attempts = conflict_attempts;
    return olock_test_client(&cfg);
}

/* Consistent GetItem; a copy of the item in g_arena, or NULL when absent (or on error,
   which *rc tells; rc may be NULL). */
static const olock_value *get_item(olock_client *c, const char *id, olock_result *rc) {
    olock_item_request r;
    olock_response res;
    olock_error err;
    olock_result x;
    memset(&r, 0, sizeof r);
    r.table = g_table;
    r.key = key_of(id);
    r.consistent_read = 1;
    x = olock_get_item(c, &r, &res, &err);
    if (rc) *rc = x;
    if (x != OLOCK_OK) {
        fprintf(stderr, "  GetItem %s: %s (%s %s)\n", id, olock_result_str(x), err.aws_type, err.message);
        return NULL;
    }
    return res.item ? olock_value_copy(&g_arena, res.item) : NULL;
}

static int wait_active(olock_client *c, const char *table) {
    double until = now_s() + 10;
    while (now_s() < until) {
        olock_response res;
        const olock_json *t, *st;
        if (olock_describe_table(c, table, &res, NULL) == OLOCK_OK && res.json &&
            (t = olock_json_get(res.json, "Table")) && (st = olock_json_get(t, "TableStatus")) &&
            st->kind == OLOCK_JSON_STRING && strcmp(st->str, "ACTIVE") == 0)
            return 1;
        sleep_ms(50);
    }
    return 0;
}

static olock_result create_table(olock_client *c, const char *table, olock_error *err) {
    olock_create_table_request ct;
    olock_result rc;
    memset(&ct, 0, sizeof ct);
    ct.table = table;
    ct.hash_key = "id";
    ct.hash_type = OLOCK_TYPE_S;
    rc = olock_create_table(c, &ct, NULL, err);
    if (rc == OLOCK_OK && !wait_active(c, table)) return OLOCK_ERR_TRANSIENT;
    return rc;
}

/* mutate: counter = counter + 1 */
static olock_mutation add_one(void *user, olock_item *it, int exists) {
    int64_t n = 0;
    int *calls = (int *)user;
    if (calls) (*calls)++;
    if (exists) olock_item_get_i64(it, "counter", &n);
    return olock_item_set_i64(it, "counter", n + 1) == OLOCK_OK ? OLOCK_MUTATE_WRITE : OLOCK_MUTATE_ABORT;
}

/* ---- tests ------------------------------------------------------------------------------- */

static olock_client *g_c;          /* the main client */
static olock_curl *g_http;

static void t_create_table(void) {
    olock_error err;
    olock_result rc = create_table(g_c, g_table, &err);
    CHECK_EQ_INT(rc, OLOCK_OK);
    if (rc != OLOCK_OK) fprintf(stderr, "  CreateTable: %s %s\n", err.aws_type, err.message);
    /* once more: ResourceInUseException, a fatal service error */
    rc = create_table(g_c, g_table, &err);
    CHECK_EQ_INT(rc, OLOCK_ERR_SERVICE);
    CHECK_EQ_STR(err.aws_type, "ResourceInUseException");
    CHECK_EQ_INT(err.http_status, 400);
}

static void t_versioned_ops(void) {
    olock_item_request r;
    olock_write_result wr;
    olock_error err;
    olock_value *item, *names, *values;
    const olock_value *got, *ledger;
    olock_result rc;
    olock_curl_stats st0, st1;

    olock_curl_get_stats(g_http, &st0);
    /* put a new item: version 1 */
    item = key_of("p1");
    olock_map_put(&g_arena, item, "gold", 4, N(10));
    olock_map_put(&g_arena, item, "who", 3, S("alice"));
    memset(&r, 0, sizeof r);
    r.table = g_table;
    r.item = item;
    rc = olock_versioned_put(g_c, &r, 0, &wr, &err);
    CHECK_EQ_INT(rc, OLOCK_OK);
    CHECK_EQ_INT(wr.version, 1);
    CHECK_EQ_INT(wr.requests, 1);
    CHECK_EQ_INT(wr.conflicts, 0);
    got = get_item(g_c, "p1", NULL);
    CHECK(got != NULL);
    CHECK_EQ_INT(num(got, "version"), 1);
    CHECK_EQ_INT(num(got, "gold"), 10);
    CHECK_EQ_STR(str(got, "who"), "alice");
    /* the writer ledger the engine stores with a put: ["@0:<incarnation>", "<writer>:<seq>:1"],
       the incarnation 12 characters of [0-9a-z] */
    ledger = got ? olock_map_get(got, "olock_writers", 13) : NULL;
    CHECK(ledger && ledger->type == OLOCK_TYPE_L && ledger->count == 2 && ledger->first->type == OLOCK_TYPE_S &&
          ledger->first->len == 15 && strncmp(ledger->first->str, "@0:", 3) == 0 &&
          strspn(ledger->first->str + 3, "0123456789abcdefghijklmnopqrstuvwxyz") == 12 && ledger->last->len > 2 &&
          strcmp(ledger->last->str + ledger->last->len - 2, ":1") == 0);

    /* the same put again: conflict. DynamoDB Local returns the stored item; dynalite does not. */
    rc = olock_versioned_put(g_c, &r, 0, &wr, &err);
    CHECK_EQ_INT(rc, OLOCK_CONFLICT);
    CHECK_EQ_STR(err.aws_type, "ConditionalCheckFailedException");
    CHECK_EQ_INT(err.http_status, 400);
    CHECK_EQ_INT(wr.conflicts, 1);
    CHECK_EQ_INT(wr.requests, 1);
    if (g_ddb) {
        CHECK(wr.item != NULL);
        CHECK_EQ_INT(num(wr.item, "version"), 1);
        CHECK_EQ_INT(num(wr.item, "gold"), 10);
        CHECK_EQ_INT(wr.version, 1);
    } else {
        CHECK(wr.item == NULL);
    }

    /* versioned update: the caller's expression + the version */
    names = NULL;
    values = map1(":d", N(5));
    memset(&r, 0, sizeof r);
    r.table = g_table;
    r.key = key_of("p1");
    r.update = "SET gold = gold + :d";
    r.values = values;
    rc = olock_versioned_update(g_c, &r, 1, &wr, &err);
    CHECK_EQ_INT(rc, OLOCK_OK);
    CHECK_EQ_INT(wr.version, 2);
    got = get_item(g_c, "p1", NULL);
    CHECK_EQ_INT(num(got, "version"), 2);
    CHECK_EQ_INT(num(got, "gold"), 15);
    CHECK_EQ_STR(str(got, "who"), "alice");

    /* stale version: conflict, nothing changed */
    rc = olock_versioned_update(g_c, &r, 1, &wr, &err);
    CHECK_EQ_INT(rc, OLOCK_CONFLICT);
    if (g_ddb) {
        CHECK_EQ_INT(num(wr.item, "version"), 2);
        CHECK_EQ_INT(num(wr.item, "gold"), 15);
    } else {
        CHECK(wr.item == NULL);
    }
    CHECK_EQ_INT(num(get_item(g_c, "p1", NULL), "gold"), 15);

    /* right version, but the caller's own condition fails: also a conflict */
    names = map1("#g", S("gold"));
    values = map1(":d", N(5));
    olock_map_put(&g_arena, values, ":big", 4, N(1000));
    r.update = "SET #g = #g + :d";
    r.condition = "#g > :big";
    r.names = names;
    r.values = values;
    rc = olock_versioned_update(g_c, &r, 2, &wr, &err);
    CHECK_EQ_INT(rc, OLOCK_CONFLICT);
    got = get_item(g_c, "p1", NULL);
    CHECK_EQ_INT(num(got, "version"), 2);
    CHECK_EQ_INT(num(got, "gold"), 15);

    /* whole-item replacement at version 2: "who" disappears */
    item = key_of("p1");
    olock_map_put(&g_arena, item, "gold", 4, N(100));
    memset(&r, 0, sizeof r);
    r.table = g_table;
    r.item = item;
    rc = olock_versioned_put(g_c, &r, 2, &wr, &err);
    CHECK_EQ_INT(rc, OLOCK_OK);
    CHECK_EQ_INT(wr.version, 3);
    got = get_item(g_c, "p1", NULL);
    CHECK_EQ_INT(num(got, "version"), 3);
    CHECK_EQ_INT(num(got, "gold"), 100);
    CHECK(got && olock_map_get(got, "who", 3) == NULL);

    /* deletes are version-checked */
    memset(&r, 0, sizeof r);
    r.table = g_table;
    r.key = key_of("p1");
    rc = olock_versioned_delete(g_c, &r, 2, &wr, &err);
    CHECK_EQ_INT(rc, OLOCK_CONFLICT);
    CHECK(get_item(g_c, "p1", NULL) != NULL);
    rc = olock_versioned_delete(g_c, &r, 3, &wr, &err);
    CHECK_EQ_INT(rc, OLOCK_OK);
    CHECK_EQ_INT(wr.deleted, 1);
    CHECK_EQ_INT(wr.version, 3);
    {
        olock_result grc = OLOCK_ERR_INVALID_ARG;
        CHECK(get_item(g_c, "p1", &grc) == NULL);
        CHECK_EQ_INT(grc, OLOCK_OK);
    }

    /* a versioned update of a missing item at start_at creates it */
    memset(&r, 0, sizeof r);
    r.table = g_table;
    r.key = key_of("p2");
    r.update = "SET gold = :g";
    r.values = map1(":g", N(7));
    rc = olock_versioned_update(g_c, &r, 0, &wr, &err);
    CHECK_EQ_INT(rc, OLOCK_OK);
    CHECK_EQ_INT(wr.version, 1);
    got = get_item(g_c, "p2", NULL);
    CHECK_EQ_INT(num(got, "version"), 1);
    CHECK_EQ_INT(num(got, "gold"), 7);

    /* expecting version 4 of an item that does not exist: conflict, no item (either server) */
    item = key_of("p9");
    memset(&r, 0, sizeof r);
    r.table = g_table;
    r.item = item;
    rc = olock_versioned_put(g_c, &r, 4, &wr, &err);
    CHECK_EQ_INT(rc, OLOCK_CONFLICT);
    CHECK(wr.item == NULL);
    CHECK(get_item(g_c, "p9", NULL) == NULL);

    /* all of it on one kept-alive connection */
    olock_curl_get_stats(g_http, &st1);
    CHECK_EQ_INT(st1.connections, st0.connections);
    CHECK(st1.requests - st0.requests >= 15);
}

/* Every attribute type, exact numbers, UTF-8, a ~300 KB item, then one over 400 KB: what goes
   in through the codec and curl comes back equal (numbers by value, sets in any order). */
static void t_roundtrip(void) {
    static const char *const numbers[] = {
        "12345678901234567890123456789012345678", "-0.000000000000000000000000000000000001", "1E-130",
        "9.9999999999999999999999999999999999999E+125", "0", "-17.25"
    };
    static const unsigned char bin[] = { 0, 1, 2, 0x80, 0xff, 0 };
    olock_arena *a = &g_arena;
    olock_value *item = key_of("rt1"), *m, *l, *ss, *ns, *bs;
    const olock_value *got, *v;
    olock_item_request r;
    olock_response res;
    olock_error err;
    olock_result rc;
    char *big;
    size_t i;
    olock_map_put(a, item, "s", 1, S("h\xc3\xa9llo \xe2\x9c\x93 \xf0\x9f\x98\x80 \"quoted\" \\ tab\t nl\n"));
    olock_map_put(a, item, "empty", 5, S(""));
    for (i = 0; i < sizeof numbers / sizeof numbers[0]; i++) {
        char name[8];
        snprintf(name, sizeof name, "n%u", (unsigned)i);
        olock_map_put(a, item, name, strlen(name), olock_value_new_n(a, numbers[i], strlen(numbers[i])));
    }
    olock_map_put(a, item, "b", 1, olock_value_new_b(a, bin, sizeof bin));
    olock_map_put(a, item, "t", 1, olock_value_new_bool(a, 1));
    olock_map_put(a, item, "nul", 3, olock_value_new_null(a));
    m = olock_value_new_container(a, OLOCK_TYPE_M);
    l = olock_value_new_container(a, OLOCK_TYPE_L);
    olock_list_append(l, N(1));
    olock_list_append(l, S("two"));
    olock_list_append(l, olock_value_new_container(a, OLOCK_TYPE_L));
    olock_map_put(a, m, "list", 4, l);
    olock_map_put(a, m, "\xc3\xa9t\xc3\xa9", 6, map1("deep", map1("deeper", N(3))));
    olock_map_put(a, item, "m", 1, m);
    ss = olock_value_new_container(a, OLOCK_TYPE_SS);
    olock_set_add(ss, S("b")); olock_set_add(ss, S("a")); olock_set_add(ss, S("\xc3\xa9"));
    ns = olock_value_new_container(a, OLOCK_TYPE_NS);
    olock_set_add(ns, N(10)); olock_set_add(ns, N(-2)); olock_set_add(ns, olock_value_new_n(a, "0.5", 3));
    bs = olock_value_new_container(a, OLOCK_TYPE_BS);
    olock_set_add(bs, olock_value_new_b(a, bin, 3)); olock_set_add(bs, olock_value_new_b(a, bin + 3, 3));
    olock_map_put(a, item, "ss", 2, ss);
    olock_map_put(a, item, "ns", 2, ns);
    olock_map_put(a, item, "bs", 2, bs);
    /* ~300 KB of text: a body far past curl's buffers, well under DynamoDB's 400 KB */
    big = (char *)malloc(300001);
    CHECK(big != NULL);
    if (!big) return;
    for (i = 0; i < 300000; i++) big[i] = (char)('a' + i % 26);
    big[300000] = 0;
    olock_map_put(a, item, "big", 3, olock_value_new_s(a, big, 300000));

    memset(&r, 0, sizeof r);
    r.table = g_table;
    r.item = item;
    rc = olock_put_item(g_c, &r, &res, &err);
    CHECK_EQ_INT(rc, OLOCK_OK);
    if (rc != OLOCK_OK) fprintf(stderr, "  PutItem: %s %s\n", err.aws_type, err.message);
    got = get_item(g_c, "rt1", NULL);
    CHECK(got != NULL);
    CHECK(got && olock_value_equal(item, got));
    if (got) {
        for (v = item->first; v; v = v->next) {
            const olock_value *w = olock_map_get(got, v->key, v->key_len);
            if (!olock_value_equal(v, w)) fprintf(stderr, "  attribute %s differs after the round trip\n", v->key);
        }
    }

    /* 410,000 bytes of one attribute: over the limit, a ValidationException, nothing stored */
    {
        char *huge = (char *)malloc(410001);
        olock_value *it2 = key_of("rt2");
        CHECK(huge != NULL);
        if (huge) {
            memset(huge, 'x', 410000);
            huge[410000] = 0;
            olock_map_put(a, it2, "huge", 4, olock_value_new_s(a, huge, 410000));
            r.item = it2;
            rc = olock_put_item(g_c, &r, &res, &err);
            CHECK_EQ_INT(rc, OLOCK_ERR_SERVICE);
            CHECK_EQ_STR(err.aws_type, "ValidationException");
            CHECK_EQ_INT(err.http_status, 400);
            CHECK(get_item(g_c, "rt2", NULL) == NULL);
            free(huge);
        }
    }
    free(big);
}

/* The competing writer runs inside the first mutate call: a deterministic race. */
typedef struct race {
    olock_client *other;
    int calls;
    olock_result other_rc;
} race;

static olock_mutation add_one_after_rival(void *user, olock_item *it, int exists) {
    race *rc = (race *)user;
    if (rc->calls++ == 0) rc->other_rc = olock_update(rc->other, g_table, key_of("r1"), add_one, NULL, NULL, NULL);
    return add_one(NULL, it, exists);
}

static char s_nochange[] = "nochange", s_delete[] = "delete", s_abort[] = "abort", s_x[] = "x";

static olock_mutation set_flag(void *user, olock_item *it, int exists) {
    const char *what = (const char *)user;
    (void)exists;
    if (strcmp(what, "nochange") == 0) return OLOCK_MUTATE_NO_CHANGE;
    if (strcmp(what, "delete") == 0) return OLOCK_MUTATE_DELETE;
    if (strcmp(what, "abort") == 0) return OLOCK_MUTATE_ABORT;
    olock_item_set_s(it, "flag", what);
    return OLOCK_MUTATE_WRITE;
}

/* Expressions built with olock_expr_* (reserved words, a dotted name, arithmetic, a
   condition) through a versioned update on the real server, then read back. */
static void t_expressions(void) {
    olock_expr *e = NULL;
    olock_item_request r;
    olock_write_result wr;
    olock_error err;
    olock_value *item = key_of("expr");
    const olock_value *got;
    olock_result rc;
    olock_map_put(&g_arena, item, "data", 4, N(5));
    olock_map_put(&g_arena, item, "a.b", 3, S("dotted"));
    memset(&r, 0, sizeof r);
    r.table = g_table; r.item = item;
    CHECK_EQ_INT(olock_versioned_put(g_c, &r, 0, &wr, &err), OLOCK_OK);
    CHECK_EQ_INT(olock_expr_create(NULL, &e), OLOCK_OK);
    olock_expr_set_plus(e, "data", NULL, olock_expr_i64(e, 1));
    olock_expr_set(e, olock_path_name(e, "a.b"), olock_expr_s(e, "renamed"));
    olock_expr_set(e, "status", olock_expr_s(e, "active"));          /* a reserved word */
    olock_expr_add_condition(e, olock_cond_gt(e, "data", olock_expr_i64(e, 0)));
    memset(&r, 0, sizeof r);
    r.table = g_table; r.key = key_of("expr");
    CHECK_EQ_INT(olock_expr_render_item(e, &r, &err), OLOCK_OK);
    rc = olock_versioned_update(g_c, &r, 1, &wr, &err);
    if (rc != OLOCK_OK) fprintf(stderr, "  versioned update: %s %s\n", err.aws_type, err.message);
    CHECK_EQ_INT(rc, OLOCK_OK);
    CHECK_EQ_INT(wr.version, 2);
    got = get_item(g_c, "expr", &rc);
    CHECK_EQ_INT(num(got, "data"), 6);
    CHECK(str(got, "a.b") && strcmp(str(got, "a.b"), "renamed") == 0);
    CHECK(str(got, "status") && strcmp(str(got, "status"), "active") == 0);
    /* the same expression once more at the old version: a conflict, nothing changes */
    CHECK_EQ_INT(olock_versioned_update(g_c, &r, 1, &wr, &err), OLOCK_CONFLICT);
    got = get_item(g_c, "expr", &rc);
    CHECK_EQ_INT(num(got, "data"), 6);
    olock_expr_destroy(e);
}

static void t_rmw_conflicts(void) {
    olock_client *b = new_client(g_url, 0, 0, NULL);
    olock_client *cached = new_client(g_url, 8, 0, NULL);
    olock_write_result wr;
    olock_error err;
    olock_result rc;
    race rr;
    int calls = 0;
    CHECK(b != NULL && cached != NULL);
    if (!b || !cached) { olock_client_destroy(b); olock_client_destroy(cached); return; }

    /* absent item: the mutate function sees exists == 0 */
    rc = olock_update(g_c, g_table, key_of("r1"), add_one, &calls, &wr, &err);
    CHECK_EQ_INT(rc, OLOCK_OK);
    CHECK_EQ_INT(wr.version, 1);
    CHECK_EQ_INT(wr.requests, 2);             /* GetItem + PutItem */
    CHECK_EQ_INT(calls, 1);

    /* a competing writer between our read and our write */
    memset(&rr, 0, sizeof rr);
    rr.other = b;
    rc = olock_update(g_c, g_table, key_of("r1"), add_one_after_rival, &rr, &wr, &err);
    CHECK_EQ_INT(rc, OLOCK_OK);
    CHECK_EQ_INT(rr.other_rc, OLOCK_OK);
    CHECK_EQ_INT(rr.calls, 2);                /* re-applied once to the fresh item */
    CHECK_EQ_INT(wr.conflicts, 1);
    CHECK_EQ_INT(wr.version, 3);
    /* DynamoDB Local hands back the fresh item with the failure; dynalite needs a GetItem */
    CHECK_EQ_INT(wr.requests, g_ddb ? 3 : 4);
    CHECK_EQ_INT(num(get_item(g_c, "r1", NULL), "counter"), 3);

    /* a stale cache: the write goes out without a read and meets a newer version */
    rc = olock_update(cached, g_table, key_of("r1"), add_one, NULL, &wr, &err);
    CHECK_EQ_INT(rc, OLOCK_OK);
    CHECK_EQ_INT(wr.requests, 2);             /* cold cache: GetItem + PutItem */
    rc = olock_update(cached, g_table, key_of("r1"), add_one, NULL, &wr, &err);
    CHECK_EQ_INT(rc, OLOCK_OK);
    CHECK_EQ_INT(wr.requests, 1);             /* warm cache: PutItem only */
    CHECK_EQ_INT(wr.version, 5);
    rc = olock_update(b, g_table, key_of("r1"), add_one, NULL, &wr, &err);   /* cache now stale */
    CHECK_EQ_INT(rc, OLOCK_OK);
    rc = olock_update(cached, g_table, key_of("r1"), add_one, NULL, &wr, &err);
    CHECK_EQ_INT(rc, OLOCK_OK);
    CHECK_EQ_INT(wr.conflicts, 1);
    CHECK_EQ_INT(wr.requests, g_ddb ? 2 : 3); /* Put (conflict), [GetItem,] Put */
    CHECK_EQ_INT(wr.version, 7);
    CHECK_EQ_INT(num(get_item(g_c, "r1", NULL), "counter"), 7);

    /* the other answers of a mutate function */
    rc = olock_update(g_c, g_table, key_of("r1"), set_flag, s_nochange, &wr, &err);
    CHECK_EQ_INT(rc, OLOCK_OK);
    CHECK_EQ_INT(wr.changed, 0);
    CHECK_EQ_INT(wr.version, 7);
    rc = olock_update(g_c, g_table, key_of("r1"), set_flag, s_abort, &wr, &err);
    CHECK_EQ_INT(rc, OLOCK_ERR_ABORTED);
    rc = olock_update(g_c, g_table, key_of("r1"), set_flag, s_x, &wr, &err);
    CHECK_EQ_INT(rc, OLOCK_OK);
    CHECK_EQ_INT(wr.version, 8);
    CHECK_EQ_STR(str(get_item(g_c, "r1", NULL), "flag"), "x");
    rc = olock_update(g_c, g_table, key_of("r1"), set_flag, s_delete, &wr, &err);
    CHECK_EQ_INT(rc, OLOCK_OK);
    CHECK_EQ_INT(wr.deleted, 1);
    CHECK(get_item(g_c, "r1", NULL) == NULL);

    olock_client_destroy(b);
    olock_client_destroy(cached);
}

static void put_v1(const char *id, int64_t gold) {
    olock_item_request r;
    olock_value *item = key_of(id);
    olock_map_put(&g_arena, item, "gold", 4, N(gold));
    memset(&r, 0, sizeof r);
    r.table = g_table;
    r.item = item;
    CHECK_EQ_INT(olock_versioned_put(g_c, &r, 0, NULL, NULL), OLOCK_OK);
}

static void t_transactions(void) {
    olock_txn *t = NULL;
    olock_item_request r;
    olock_write_result wr;
    olock_error err;
    olock_result rc;
    const olock_value *got;
    CHECK_EQ_INT(olock_txn_create(g_c, &t), OLOCK_OK);
    if (!t) return;
    put_v1("t1", 10);
    put_v1("t2", 20);

    if (!g_ddb) {
        /* dynalite has no TransactWriteItems: a clear, non-retried service error */
        CHECK_EQ_INT(olock_txn_put(t, g_table, key_of("t3"), 0), OLOCK_OK);
        rc = olock_txn_commit(g_c, t, &wr, &err);
        CHECK_EQ_INT(rc, OLOCK_ERR_SERVICE);
        CHECK_EQ_STR(err.aws_type, "UnknownOperationException");
        CHECK_EQ_INT(err.http_status, 400);
        CHECK_EQ_INT(err.error_class, OLOCK_CLASS_FATAL);
        CHECK(strstr(err.message, "UnknownOperationException") != NULL);   /* dynalite sends no message */
        CHECK_EQ_INT(wr.requests, 1);                                      /* not retried */
        CHECK(get_item(g_c, "t3", NULL) == NULL);
        olock_txn_destroy(t);
        return;
    }

    /* action 1 expects a version t2 does not have: the whole transaction is cancelled */
    memset(&r, 0, sizeof r);
    r.table = g_table;
    r.key = key_of("t1");
    r.update = "SET gold = :g";
    r.values = map1(":g", N(11));
    CHECK_EQ_INT(olock_txn_update(t, &r, 1), OLOCK_OK);
    r.key = key_of("t2");
    r.values = map1(":g", N(21));
    CHECK_EQ_INT(olock_txn_update(t, &r, 7), OLOCK_OK);
    CHECK_EQ_INT(olock_txn_check(t, g_table, key_of("t3"), 0), OLOCK_OK);
    rc = olock_txn_commit(g_c, t, &wr, &err);
    CHECK_EQ_INT(rc, OLOCK_CONFLICT);
    CHECK_EQ_STR(err.aws_type, "TransactionCanceledException");
    CHECK_EQ_INT(wr.failed_action, 1);
    CHECK_EQ_STR(olock_txn_reason(t, 0), "None");
    CHECK_EQ_STR(olock_txn_reason(t, 1), "ConditionalCheckFailed");
    CHECK_EQ_STR(olock_txn_reason(t, 2), "None");
    got = get_item(g_c, "t1", NULL);
    CHECK_EQ_INT(num(got, "version"), 1);
    CHECK_EQ_INT(num(got, "gold"), 10);
    got = get_item(g_c, "t2", NULL);
    CHECK_EQ_INT(num(got, "version"), 1);
    CHECK_EQ_INT(num(got, "gold"), 20);

    /* update t1, delete t2, create t3: all applied */
    olock_txn_reset(t);
    r.key = key_of("t1");
    r.values = map1(":g", N(11));
    CHECK_EQ_INT(olock_txn_update(t, &r, 1), OLOCK_OK);
    CHECK_EQ_INT(olock_txn_delete(t, g_table, key_of("t2"), 1), OLOCK_OK);
    {
        olock_value *item = key_of("t3");
        olock_map_put(&g_arena, item, "gold", 4, N(30));
        CHECK_EQ_INT(olock_txn_put(t, g_table, item, 0), OLOCK_OK);
    }
    rc = olock_txn_commit(g_c, t, &wr, &err);
    CHECK_EQ_INT(rc, OLOCK_OK);
    if (rc != OLOCK_OK) fprintf(stderr, "  commit: %s %s\n", err.aws_type, err.message);
    CHECK(olock_txn_reason(t, 0) == NULL);
    CHECK_EQ_INT(olock_txn_version(t, 0), 2);
    CHECK_EQ_INT(olock_txn_version(t, 2), 1);
    got = get_item(g_c, "t1", NULL);
    CHECK_EQ_INT(num(got, "version"), 2);
    CHECK_EQ_INT(num(got, "gold"), 11);
    CHECK(get_item(g_c, "t2", NULL) == NULL);
    got = get_item(g_c, "t3", NULL);
    CHECK_EQ_INT(num(got, "version"), 1);
    CHECK_EQ_INT(num(got, "gold"), 30);
    olock_txn_destroy(t);
}

/* Transfer 30 from m1 to m2 (both start at 100 when absent). The first call lets a rival
   bump m2 first, so the transaction is cancelled and everything is re-read and re-applied. */
typedef struct transfer {
    olock_client *rival;
    int calls;
} transfer;

static olock_mutation do_transfer(void *user, olock_item *const *items, const int *exists, olock_mutation *each, size_t count) {
    transfer *tr = (transfer *)user;
    int64_t a = 100, b = 100;
    if (count != 2) return OLOCK_MUTATE_ABORT;
    if (tr->calls++ == 0 && tr->rival) olock_update(tr->rival, g_table, key_of("m2"), add_one, NULL, NULL, NULL);
    if (exists[0]) olock_item_get_i64(items[0], "balance", &a);
    if (exists[1]) olock_item_get_i64(items[1], "balance", &b);
    if (olock_item_set_i64(items[0], "balance", a - 30) != OLOCK_OK ||
        olock_item_set_i64(items[1], "balance", b + 30) != OLOCK_OK) return OLOCK_MUTATE_ABORT;
    each[0] = OLOCK_MUTATE_WRITE;
    each[1] = OLOCK_MUTATE_WRITE;
    return OLOCK_MUTATE_WRITE;
}

static void t_update_many(void) {
    olock_key_ref keys[2];
    olock_write_result wr;
    olock_error err;
    olock_result rc;
    transfer tr;
    const olock_value *m1, *m2;
    olock_client *rival = new_client(g_url, 0, 0, NULL);
    CHECK(rival != NULL);
    keys[0].table = g_table; keys[0].key = key_of("m1");
    keys[1].table = g_table; keys[1].key = key_of("m2");
    memset(&tr, 0, sizeof tr);
    rc = olock_update_many(g_c, keys, 2, do_transfer, &tr, &wr, &err);
    if (!g_ddb) {
        CHECK_EQ_INT(rc, OLOCK_ERR_SERVICE);   /* no TransactGetItems in dynalite */
        CHECK_EQ_STR(err.aws_type, "UnknownOperationException");
        CHECK_EQ_INT(tr.calls, 0);             /* failed at the read: the mutate function never ran */
        olock_client_destroy(rival);
        return;
    }
    CHECK_EQ_INT(rc, OLOCK_OK);
    CHECK_EQ_INT(tr.calls, 1);
    m1 = get_item(g_c, "m1", NULL);
    m2 = get_item(g_c, "m2", NULL);
    CHECK_EQ_INT(num(m1, "balance"), 70);
    CHECK_EQ_INT(num(m2, "balance"), 130);
    CHECK_EQ_INT(num(m1, "version"), 1);
    CHECK_EQ_INT(num(m2, "version"), 1);

    /* with a rival write to m2 after the read: cancelled, re-read, re-applied */
    memset(&tr, 0, sizeof tr);
    tr.rival = rival;
    rc = olock_update_many(g_c, keys, 2, do_transfer, &tr, &wr, &err);
    CHECK_EQ_INT(rc, OLOCK_OK);
    if (rc != OLOCK_OK) fprintf(stderr, "  update_many: %s %s %s\n", olock_result_str(rc), err.aws_type, err.message);
    CHECK_EQ_INT(tr.calls, 2);
    CHECK_EQ_INT(wr.conflicts, 1);
    m1 = get_item(g_c, "m1", NULL);
    m2 = get_item(g_c, "m2", NULL);
    CHECK_EQ_INT(num(m1, "balance"), 40);
    CHECK_EQ_INT(num(m2, "balance"), 160);
    CHECK_EQ_INT(num(m2, "counter"), 1);      /* the rival's write survived */
    CHECK_EQ_INT(num(m1, "version"), 2);
    CHECK_EQ_INT(num(m2, "version"), 3);
    olock_client_destroy(rival);
}

/* dynalite closes a keep-alive connection after 6 s idle (node 20: keepAliveTimeout 5 s plus
   its 1 s buffer; measured 6.01 s). A request sent right about then or after must not fail:
   libcurl notices the dead connection before reuse, or olock_curl resends once when the
   close crossed the request. The first pause aims at the crossing, the second is past it. */
static void t_idle_reconnect(void) {
    static const long idle_ms[] = { 6000, 6500 };
    size_t i;
    olock_curl_stats st0, st1;
    if (g_ddb) return;                /* DynamoDB Local keeps idle connections far longer */
    olock_curl_get_stats(g_http, &st0);
    for (i = 0; i < sizeof idle_ms / sizeof idle_ms[0]; i++) {
        olock_write_result wr;
        olock_error err;
        olock_result rc;
        CHECK(get_item(g_c, "idle", NULL) == NULL);   /* the connection is fresh and in use */
        sleep_ms(idle_ms[i]);
        rc = olock_update(g_c, g_table, key_of("idle"), add_one, NULL, &wr, &err);
        CHECK_EQ_INT(rc, OLOCK_OK);
        CHECK_EQ_INT(wr.retries, 0);  /* the transport dealt with it; the engine saw no error */
        if (rc != OLOCK_OK) fprintf(stderr, "  after %ld ms idle: %s %s\n", idle_ms[i], olock_result_str(rc), err.message);
        CHECK_EQ_INT(olock_update(g_c, g_table, key_of("idle"), set_flag, s_delete, NULL, NULL), OLOCK_OK);
    }
    olock_curl_get_stats(g_http, &st1);
    CHECK(st1.connections > st0.connections);   /* the server did close, and we reconnected */
    printf("  curl: %lu sends, %lu new connections, %lu transparent resends over the idle pauses\n",
           (unsigned long)(st1.sends - st0.sends), (unsigned long)(st1.connections - st0.connections),
           (unsigned long)(st1.resends - st0.resends));
}

/* ---- an unknown outcome, settled: the server hangs while a versioned write is out -------- */

typedef struct resumer {
    pthread_t th;
    long after_ms;
    int status;
} resumer;

static int ctl(const char *verb, char *out, size_t out_len);

static void *resume_later(void *arg) {
    resumer *r = (resumer *)arg;
    sleep_ms(r->after_ms);
    r->status = ctl("resume", NULL, 0);
    return NULL;
}

/* SIGSTOP the server, send a versioned update with an 800 ms timeout, SIGCONT it 1.2 s later.
   The first copies time out (MAYBE_SENT) and are resent; once the server runs again it works
   through the copies it had queued, so the first one applies and the later ones fail their
   version condition, our live resend included. The engine must tell its own earlier write from
   a rival's (the writer ledger) and answer OK: applied exactly once, no false conflict. */
static void t_unknown_outcome(void) {
    olock_client *c;
    olock_item_request r;
    olock_write_result wr;
    olock_error err;
    olock_result rc;
    olock_curl *http = NULL;
    olock_curl_config cc = olock_curl_config_default();
    olock_config cfg = olock_config_default();
    const olock_value *got;
    resumer rs;
    if (!getenv("OLOCK_IT_CTL")) { CHECK(!"OLOCK_IT_CTL is set (needed to pause the server)"); return; }
    cc.connect_timeout_ms = 500;
    cc.timeout_ms = 800;
    if (olock_curl_create(&cc, &http) != OLOCK_OK) { CHECK(!"olock_curl_create"); return; }
    cfg.transport = olock_curl_transport(http);
    cfg.endpoint = g_url;
    cfg.region = "us-east-1";
    cfg.credentials.access_key_id = "AKIDLOCAL";
    cfg.credentials.secret_access_key = "secret";
    cfg.ignore_environment = 1;
    cfg.retry.transient_attempts = 6;
    c = NULL;
    CHECK_EQ_INT(olock_client_create(&cfg, &c, NULL), OLOCK_OK);
    if (!c) return;
    put_v1("u1", 100);

    memset(&r, 0, sizeof r);
    r.table = g_table;
    r.key = key_of("u1");
    r.update = "SET gold = gold + :d";
    r.values = map1(":d", N(5));
    CHECK_EQ_INT(get_item(c, "u1", NULL) != NULL, 1);    /* warm connection */
    CHECK_EQ_INT(ctl("pause", NULL, 0), 0);
    memset(&rs, 0, sizeof rs);
    rs.after_ms = 1200;
    CHECK(pthread_create(&rs.th, NULL, resume_later, &rs) == 0);
    rc = olock_versioned_update(c, &r, 1, &wr, &err);
    pthread_join(rs.th, NULL);
    CHECK_EQ_INT(rs.status, 0);
    printf("  paused server: %s after %u requests, %u retries, %u conflicts, %u settled as unknown\n",
           olock_result_str(rc), wr.requests, wr.retries, wr.conflicts, wr.ambiguous);
    CHECK_EQ_INT(rc, OLOCK_OK);
    if (rc != OLOCK_OK) fprintf(stderr, "  %s %s\n", err.aws_type, err.message);
    CHECK(wr.requests >= 2);          /* at least one copy timed out */
    CHECK_EQ_INT(wr.version, 2);
    got = get_item(g_c, "u1", NULL);
    CHECK_EQ_INT(num(got, "version"), 2);
    CHECK_EQ_INT(num(got, "gold"), 105);  /* once, not twice */
    olock_client_destroy(c);
}

/* ---- 4 threads x N increments of one item ------------------------------------------------ */

typedef struct worker {
    pthread_t th;
    long ok, failed;
    olock_result first_failure;
    char failure_text[512];
    unsigned long conflicts, requests;
    int client_failed;
} worker;

static void *increment_loop(void *arg) {
    worker *w = (worker *)arg;
    /* its own client and curl transport; conflicts are expected here, so a wide budget */
    olock_client *c = new_client(g_url, 0, 1000, NULL);
    olock_value *key;
    olock_arena a;
    long i;
    if (!c) { w->client_failed = 1; return NULL; }
    olock_arena_init(&a, NULL);
    key = olock_value_new_container(&a, OLOCK_TYPE_M);
    olock_map_put(&a, key, "id", 2, olock_value_new_s(&a, "hot", 3));
    for (i = 0; i < g_increments; i++) {
        olock_write_result wr;
        olock_error err;
        olock_result rc = olock_update(c, g_table, key, add_one, NULL, &wr, &err);
        w->conflicts += wr.conflicts;
        w->requests += wr.requests;
        if (rc == OLOCK_OK) w->ok++;
        else {
            if (!w->failed++) {
                w->first_failure = rc;
                snprintf(w->failure_text, sizeof w->failure_text, "%s: %s %s", olock_result_str(rc), err.aws_type, err.message);
            }
        }
    }
    olock_arena_free(&a);
    olock_client_destroy(c);
    return NULL;
}

static void t_four_threads(void) {
    worker w[4];
    int i;
    long ok = 0;
    unsigned long conflicts = 0, requests = 0;
    const olock_value *got;
    memset(w, 0, sizeof w);
    for (i = 0; i < 4; i++) CHECK(pthread_create(&w[i].th, NULL, increment_loop, &w[i]) == 0);
    for (i = 0; i < 4; i++) {
        pthread_join(w[i].th, NULL);
        CHECK_EQ_INT(w[i].client_failed, 0);
        CHECK_EQ_INT(w[i].failed, 0);
        if (w[i].failed) fprintf(stderr, "  thread %d: %ld failed, first %s\n", i, w[i].failed, w[i].failure_text);
        ok += w[i].ok;
        conflicts += w[i].conflicts;
        requests += w[i].requests;
    }
    got = get_item(g_c, "hot", NULL);
    CHECK_EQ_INT(ok, 4 * g_increments);
    CHECK_EQ_INT(num(got, "counter"), 4 * g_increments);
    CHECK_EQ_INT(num(got, "version"), 4 * g_increments);
    printf("  4 threads x %ld increments: %lu requests, %lu conflicts resolved\n", g_increments, requests, conflicts);
}

/* ---- kill the server mid-run, then bring it back ------------------------------------------ */

typedef struct killer_loop {
    pthread_t th;
    olock_client *c;
    int stop;                      /* set by the main thread, under mu */
    pthread_mutex_t mu;
    long ok, errors, not_sent, maybe_sent, other;
    olock_result other_rc;
} killer_loop;

static void *update_until_stopped(void *arg) {
    killer_loop *k = (killer_loop *)arg;
    olock_value *key;
    olock_arena a;
    olock_arena_init(&a, NULL);
    key = olock_value_new_container(&a, OLOCK_TYPE_M);
    olock_map_put(&a, key, "id", 2, olock_value_new_s(&a, "k1", 2));
    for (;;) {
        olock_result rc;
        int stop;
        pthread_mutex_lock(&k->mu);
        stop = k->stop;
        pthread_mutex_unlock(&k->mu);
        if (stop) break;
        rc = olock_update(k->c, g_table, key, add_one, NULL, NULL, NULL);
        pthread_mutex_lock(&k->mu);
        if (rc == OLOCK_OK) k->ok++;
        else {
            k->errors++;
            if (rc == OLOCK_ERR_NOT_SENT) k->not_sent++;
            else if (rc == OLOCK_ERR_MAYBE_SENT) k->maybe_sent++;
            else { k->other++; k->other_rc = rc; }
        }
        pthread_mutex_unlock(&k->mu);
        if (rc != OLOCK_OK) sleep_ms(20);
    }
    olock_arena_free(&a);
    return NULL;
}

static long loop_get(killer_loop *k, long *field) {
    long v;
    pthread_mutex_lock(&k->mu);
    v = *field;
    pthread_mutex_unlock(&k->mu);
    return v;
}

/* Runs "$OLOCK_IT_CTL <verb> <name>"; the first line of its output into out (may be NULL). */
static int ctl(const char *verb, char *out, size_t out_len) {
    const char *ctl_cmd = getenv("OLOCK_IT_CTL");
    char cmd[1024], line[512];
    FILE *p;
    int st;
    if (!ctl_cmd || !*ctl_cmd) return -1;
    snprintf(cmd, sizeof cmd, "%s %s %s", ctl_cmd, verb, g_name);
    fflush(stdout);
    p = popen(cmd, "r");
    if (!p) return -1;
    line[0] = 0;
    if (fgets(line, sizeof line, p)) {
        size_t n = strlen(line);
        while (n && (line[n - 1] == '\n' || line[n - 1] == '\r')) line[--n] = 0;
    }
    while (fgetc(p) != EOF) {}
    st = pclose(p);
    if (out) snprintf(out, out_len, "%s", line);
    return st;
}

static void t_kill_and_restart(void) {
    killer_loop k;
    olock_curl *http = NULL;
    olock_client *c;
    olock_curl_stats st0, st1;
    olock_item_request r;
    olock_response res;
    olock_write_result wr;
    olock_error err;
    olock_result rc;
    char url[256];
    double until;
    long errors_at_kill;
    int i;

    if (!getenv("OLOCK_IT_CTL")) {
        CHECK(!"OLOCK_IT_CTL is set (needed to stop and restart the server)");
        return;
    }
    c = new_client(g_url, 0, 0, &http);
    CHECK(c != NULL);
    if (!c) return;
    memset(&k, 0, sizeof k);
    k.c = c;
    pthread_mutex_init(&k.mu, NULL);
    CHECK(pthread_create(&k.th, NULL, update_until_stopped, &k) == 0);

    /* let it run, then kill the server under it */
    until = now_s() + 20;
    while (loop_get(&k, &k.ok) < 20 && now_s() < until) sleep_ms(5);
    CHECK(loop_get(&k, &k.ok) >= 20);
    errors_at_kill = loop_get(&k, &k.errors);
    CHECK_EQ_INT(errors_at_kill, 0);
    CHECK_EQ_INT(ctl("stop", NULL, 0), 0);
    until = now_s() + 20;
    while (loop_get(&k, &k.errors) < 3 && now_s() < until) sleep_ms(10);
    pthread_mutex_lock(&k.mu);
    k.stop = 1;
    pthread_mutex_unlock(&k.mu);
    pthread_join(k.th, NULL);
    pthread_mutex_destroy(&k.mu);
    printf("  while down: %ld ok before, %ld errors (%ld NOT_SENT, %ld MAYBE_SENT, %ld other)\n", k.ok, k.errors,
           k.not_sent, k.maybe_sent, k.other);
    CHECK(k.errors >= 3);
    CHECK(k.not_sent >= 1);                   /* connection refused: certainly not delivered */
    CHECK_EQ_INT(k.other, 0);                 /* nothing but transport errors */
    if (k.other) fprintf(stderr, "  unexpected result %s\n", olock_result_str(k.other_rc));

    /* one plain request: refused connection, reported as such */
    memset(&r, 0, sizeof r);
    r.table = g_table;
    r.key = key_of("k1");
    rc = olock_get_item(c, &r, &res, &err);
    CHECK_EQ_INT(rc, OLOCK_ERR_NOT_SENT);
    CHECK_EQ_INT(olock_curl_last_code(http), CURLE_COULDNT_CONNECT);
    CHECK(strstr(olock_curl_last_error(http), "onnect") != NULL);
    CHECK(err.message[0] != 0);
    printf("  refused: olock says \"%s\"; curl says \"%s\"\n", err.message, olock_curl_last_error(http));
    /* a versioned write: retried (4 sends by default), then NOT_SENT: nothing was applied */
    {
        olock_value *item = key_of("k2");
        memset(&r, 0, sizeof r);
        r.table = g_table;
        r.item = item;
        rc = olock_versioned_put(c, &r, 0, &wr, &err);
        CHECK_EQ_INT(rc, OLOCK_ERR_NOT_SENT);
        CHECK_EQ_INT(wr.requests, 4);
        CHECK_EQ_INT(wr.retries, 3);
    }

    /* bring it back */
    url[0] = 0;
    CHECK_EQ_INT(ctl("restart", url, sizeof url), 0);
    CHECK(strncmp(url, "http://127.0.0.1:", 17) == 0);
    if (strncmp(url, "http://127.0.0.1:", 17) != 0) { olock_client_destroy(c); return; }
    if (strcmp(url, g_url) != 0) {
        /* The old port was taken: a new client for the new URL (the endpoint is fixed per client). */
        printf("  restarted on another port: %s (was %s)\n", url, g_url);
        olock_client_destroy(c);
        snprintf(g_url, sizeof g_url, "%s", url);
        c = new_client(g_url, 0, 0, &http);
        CHECK(c != NULL);
        if (!c) return;
        olock_client_destroy(g_c);
        g_c = new_client(g_url, 0, 0, &g_http);
    } else {
        printf("  restarted on the same port\n");
    }
    olock_curl_get_stats(http, &st0);
    /* the server keeps nothing across a restart (-inMemory / no --path): same table again */
    rc = create_table(c, g_table, &err);
    CHECK_EQ_INT(rc, OLOCK_OK);
    if (rc != OLOCK_OK) fprintf(stderr, "  CreateTable after restart: %s %s %s\n", olock_result_str(rc), err.aws_type, err.message);
    for (i = 0; i < 5; i++) {
        rc = olock_update(c, g_table, key_of("k1"), add_one, NULL, &wr, &err);
        CHECK_EQ_INT(rc, OLOCK_OK);
        CHECK_EQ_INT(wr.retries, 0);
    }
    CHECK_EQ_INT(wr.version, 5);
    CHECK_EQ_INT(num(get_item(c, "k1", NULL), "counter"), 5);
    olock_curl_get_stats(http, &st1);
    CHECK(st1.connections > st0.connections || st0.connections > 0);
    olock_client_destroy(c);
}

static void delete_table(void) {
    olock_error err;
    olock_result rc = olock_delete_table(g_c, g_table, NULL, &err);
    CHECK_EQ_INT(rc, OLOCK_OK);
}

int main(int argc, char **argv) {
    const char *env;
    double t0 = now_s();
    int rc;
    if (argc < 2 || (strcmp(argv[1], "ddblocal") != 0 && strcmp(argv[1], "dynalite") != 0)) {
        fprintf(stderr, "usage: %s ddblocal|dynalite [URL]\n", argv[0]);
        printf("0 passed, 1 failed\n");
        return 2;
    }
    g_name = argv[1];
    g_ddb = strcmp(g_name, "ddblocal") == 0;
    env = argc > 2 ? argv[2] : getenv(g_ddb ? "OLOCK_IT_DDBLOCAL_URL" : "OLOCK_IT_DYNALITE_URL");
    if (!env || strncmp(env, "http://127.0.0.1:", 17) != 0) {
        fprintf(stderr, "%s: need an http://127.0.0.1:PORT URL (got %s)\n", argv[0], env ? env : "nothing");
        printf("0 passed, 1 failed\n");
        return 2;
    }
    snprintf(g_url, sizeof g_url, "%s", env);
    if ((env = getenv("OLOCK_IT_INCREMENTS")) && atol(env) > 0) g_increments = atol(env);
    snprintf(g_table, sizeof g_table, "olock_it_%s_%ld_%ld", g_name, (long)getpid(), (long)time(NULL));

    curl_global_init(CURL_GLOBAL_DEFAULT);
    olock_arena_init(&g_arena, NULL);
    printf("it_olock %s at %s, table %s\n", g_name, g_url, g_table);
    g_c = new_client(g_url, 0, 0, &g_http);
    CHECK(g_c != NULL);
    if (g_c) {
        IT_RUN(t_create_table);
        IT_RUN(t_versioned_ops);
        IT_RUN(t_roundtrip);
        IT_RUN(t_expressions);
        IT_RUN(t_rmw_conflicts);
        IT_RUN(t_transactions);
        IT_RUN(t_update_many);
        IT_RUN(t_four_threads);
        IT_RUN(t_idle_reconnect);
        IT_RUN(t_unknown_outcome);
        IT_RUN(t_kill_and_restart);
        IT_RUN(delete_table);
    }
    olock_client_destroy(g_c);
    olock_arena_free(&g_arena);
    curl_global_cleanup();
    printf("it_olock %s: %.1f s\n", g_name, now_s() - t0);
    rc = TEST_MAIN_END();
    return rc;
}
