/* The versioned engine: versioned put/update/delete, the read-modify-write loop, retries and
   backoff, ambiguous outcomes, the item cache, non-blocking tasks and a concurrency test, all
   on the in-process fake behind a fault-injecting transport with a virtual clock. */
#ifndef OLOCK_TEST_LINKED   /* else the Makefile links build/<flavour>/libolock_impl.a (tests/impl/) */
#define OLOCK_IMPLEMENTATION
#define OLOCK_FAKE_IMPLEMENTATION
#endif
#include "olock.h"
#include "olock_fake.h"
#include "olock_test.h"
#include <pthread.h>

/* ---- a fault-injecting transport in front of the fake ------------------------------------- */

typedef enum fault {
    F_NONE, F_THROTTLE, F_500, F_NOT_SENT, F_LOST_AFTER_APPLY, F_COMPETE
} fault;

typedef struct faulty {
    olock_transport inner;
    fault script[32];              /* faults for the next requests, in order */
    int script_len, script_pos;
    unsigned p_throttle, p_500, p_lost; /* random faults, percent */
    uint64_t rng;
    int requests, faults;
    /* F_COMPETE: another client that bumps the counter just before this request */
    olock_client *competitor;
    const char *table;
    const olock_value *key;
} faulty;

static uint64_t next_rand(uint64_t *s) { *s ^= *s << 13; *s ^= *s >> 7; *s ^= *s << 17; return *s; }

static olock_mutation add_one(void *user, olock_item *it, int exists);

static olock_result faulty_canned(olock_http_response *res, int status, const char *body) {
    res->status = status;
    return olock_http_response_append(res, body, strlen(body));
}

static olock_result faulty_send(void *user, const olock_http_request *req, olock_http_response *res) {
    faulty *f = (faulty *)user;
    fault k = F_NONE;
    olock_result r;
    f->requests++;
    if (f->script_pos < f->script_len) k = f->script[f->script_pos++];
    else if (f->p_throttle + f->p_500 + f->p_lost) {
        unsigned roll = (unsigned)(next_rand(&f->rng) % 100);
        if (roll < f->p_throttle) k = F_THROTTLE;
        else if (roll < f->p_throttle + f->p_500) k = F_500;
        else if (roll < f->p_throttle + f->p_500 + f->p_lost) k = F_LOST_AFTER_APPLY;
    }
    if (k != F_NONE) f->faults++;
    switch (k) {
    case F_THROTTLE:
        return faulty_canned(res, 400, "{\"__type\":\"com.amazonaws.dynamodb.v20120810#ThrottlingException\",\"message\":\"Rate exceeded\"}");
    case F_500:
        return faulty_canned(res, 500, "{\"__type\":\"com.amazonaws.dynamodb.v20120810#InternalServerError\",\"message\":\"Internal server error\"}");
    case F_NOT_SENT:
        return OLOCK_ERR_NOT_SENT;
    case F_LOST_AFTER_APPLY:
        r = f->inner.send(f->inner.user, req, res);
        olock_http_response_reset(res);
        return r == OLOCK_OK ? OLOCK_ERR_MAYBE_SENT : r;
    case F_COMPETE:
        if (f->competitor) { olock_error ce; olock_result crc = olock_update(f->competitor, f->table, f->key, add_one, NULL, NULL, &ce); if (crc) fprintf(stderr, "competitor: %d %s\n", crc, ce.message); }
        break;
    case F_NONE: break;
    }
    return f->inner.send(f->inner.user, req, res);
}

/* Virtual clock: sleeping advances it, so backoff costs no real time and is observable. */
typedef struct vclock { uint64_t now; uint64_t slept; int sleeps; uint64_t rnd; } vclock;
static uint64_t v_now(void *u) { return ((vclock *)u)->now; }
static void v_sleep(void *u, uint64_t ms) { vclock *v = (vclock *)u; v->now += ms; v->slept += ms; v->sleeps++; }
static uint64_t v_random(void *u) { return next_rand(&((vclock *)u)->rnd); }

typedef struct attempts_seen { int n; int conflicts; int throttles; uint64_t max_delay; } attempts_seen;
static attempts_seen g_seen;
static void on_attempt(void *u, const olock_attempt *a) {
    (void)u;
    g_seen.n++;
    if (a->outcome == OLOCK_CONFLICT) g_seen.conflicts++;
    if (a->outcome == OLOCK_ERR_THROTTLED) g_seen.throttles++;
    if (a->delay_ms > g_seen.max_delay) g_seen.max_delay = a->delay_ms;
}

static olock_fake *g_fake;
static vclock g_clock;
static unsigned g_conflict_attempts_max;    /* retry.conflict_attempts_max of make_client's clients (0: default) */
static const char *g_token_attribute;       /* versioning.token_attribute of make_client's clients (NULL: default) */

static olock_client *make_client(faulty *f, unsigned cache) {
    olock_config cfg = olock_config_default();
    olock_client *c = NULL;
    memset(f, 0, sizeof *f);
    f->inner = olock_fake_transport(g_fake);
    f->rng = 12345;
    cfg.transport.user = f;
    cfg.transport.send = faulty_send;
    cfg.hook_user = &g_clock;
    cfg.now_ms = v_now;
    cfg.sleep_ms = v_sleep;
    cfg.random_u64 = v_random;
    cfg.on_attempt = on_attempt;
    cfg.cache_entries = cache;
    cfg.retry.conflict_attempts_max = g_conflict_attempts_max;
    if (g_token_attribute) cfg.versioning.token_attribute = g_token_attribute;
    if (olock_client_create(&cfg, &c, NULL) != OLOCK_OK) return NULL;
    return c;
}

static void create_table(olock_client *c, const char *name) {
    olock_create_table_request ct;
    memset(&ct, 0, sizeof ct);
    ct.table = name; ct.hash_key = "id"; ct.hash_type = OLOCK_TYPE_S;
    CHECK(olock_create_table(c, &ct, NULL, NULL) == OLOCK_OK);
}

static olock_arena g_arena;
static olock_value *key_of(const char *id) {
    olock_value *k = olock_value_new_container(&g_arena, OLOCK_TYPE_M);
    olock_map_put(&g_arena, k, "id", 2, olock_value_new_s(&g_arena, id, strlen(id)));
    return k;
}

/* Reads attribute `name` of item `id` as an integer through a plain GetItem; -1 if absent. */
static int64_t read_n(olock_client *c, const char *table, const char *id, const char *name) {
    olock_item_request r;
    olock_response res;
    int64_t v = -1;
    memset(&r, 0, sizeof r);
    r.table = table; r.key = key_of(id); r.consistent_read = 1;
    if (olock_get_item(c, &r, &res, NULL) != OLOCK_OK || !res.item) return -1;
    if (olock_value_get_i64(olock_map_get(res.item, name, strlen(name)), &v) != OLOCK_OK) return -1;
    return v;
}

/* mutate: counter = counter + 1 */
static olock_mutation add_one(void *user, olock_item *it, int exists) {
    int64_t n = 0;
    (void)user;
    if (exists) olock_item_get_i64(it, "counter", &n);
    return olock_item_set_i64(it, "counter", n + 1) == OLOCK_OK ? OLOCK_MUTATE_WRITE : OLOCK_MUTATE_ABORT;
}

/* ---- versioned put / update / delete ------------------------------------------------------- */

TEST(test_versioned_put_update_delete) {
    faulty f;
    olock_client *c = make_client(&f, 0);
    olock_item_request r;
    olock_write_result res;
    olock_error e;
    olock_value *item = key_of("p1"), *vals;
    olock_map_put(&g_arena, item, "gold", 4, olock_value_new_i64(&g_arena, 10));
    create_table(c, "tab1");
    memset(&r, 0, sizeof r);
    r.table = "tab1"; r.item = item;
    CHECK(olock_versioned_put(c, &r, 0, &res, &e) == OLOCK_OK);
    CHECK_EQ_INT(res.version, 1);
    CHECK_EQ_INT(res.requests, 1);
    CHECK_EQ_INT(read_n(c, "tab1", "p1", "version"), 1);
    CHECK(olock_versioned_put(c, &r, 0, &res, &e) == OLOCK_CONFLICT);     /* it exists now */
    CHECK(res.item != NULL && res.version == 1);                            /* the stored item came back */
    CHECK_EQ_STR(e.aws_type, "ConditionalCheckFailedException");
    CHECK(olock_versioned_put(c, &r, 1, &res, &e) == OLOCK_OK && res.version == 2);
    /* update with the caller's own expression, condition and maps */
    memset(&r, 0, sizeof r);
    vals = olock_value_new_container(&g_arena, OLOCK_TYPE_M);
    olock_map_put(&g_arena, vals, ":g", 2, olock_value_new_i64(&g_arena, 5));
    olock_map_put(&g_arena, vals, ":min", 4, olock_value_new_i64(&g_arena, 0));
    r.table = "tab1"; r.key = key_of("p1"); r.update = "SET gold = gold + :g"; r.condition = "gold > :min"; r.values = vals;
    CHECK(olock_versioned_update(c, &r, 2, &res, &e) == OLOCK_OK);
    CHECK_EQ_INT(res.version, 3);
    CHECK_EQ_INT(read_n(c, "tab1", "p1", "gold"), 15);
    CHECK(olock_versioned_update(c, &r, 2, &res, &e) == OLOCK_CONFLICT);  /* stale */
    CHECK_EQ_INT(read_n(c, "tab1", "p1", "gold"), 15);
    r.update = "REMOVE nothing";                                           /* no SET clause of its own */
    r.condition = NULL; r.values = NULL;
    CHECK(olock_versioned_update(c, &r, 3, &res, &e) == OLOCK_OK && res.version == 4);
    /* reserved placeholders are refused */
    vals = olock_value_new_container(&g_arena, OLOCK_TYPE_M);
    olock_map_put(&g_arena, vals, ":olock_x", 8, olock_value_new_i64(&g_arena, 5));
    r.update = "SET gold = :olock_x"; r.values = vals;
    CHECK(olock_versioned_update(c, &r, 4, &res, &e) == OLOCK_ERR_INVALID_ARG);
    /* deletes are version-checked */
    memset(&r, 0, sizeof r);
    r.table = "tab1"; r.key = key_of("p1");
    CHECK(olock_versioned_delete(c, &r, 3, &res, &e) == OLOCK_CONFLICT);
    CHECK_EQ_INT(read_n(c, "tab1", "p1", "version"), 4);
    CHECK(olock_versioned_delete(c, &r, 4, &res, &e) == OLOCK_OK && res.deleted);
    CHECK_EQ_INT(read_n(c, "tab1", "p1", "version"), -1);
    /* misuse */
    r.update = "SET a = b";
    CHECK(olock_versioned_delete(c, &r, 4, &res, &e) == OLOCK_ERR_INVALID_ARG);
    olock_client_destroy(c);
}

TEST(test_permissive_and_start_at) {
    faulty f;
    olock_client *c;
    olock_config cfg = olock_config_default();
    olock_item_request r;
    olock_write_result res;
    olock_value *item = key_of("m1");
    memset(&f, 0, sizeof f);
    f.inner = olock_fake_transport(g_fake);
    cfg.transport.user = &f; cfg.transport.send = faulty_send;
    cfg.versioning.attribute = "rev"; cfg.versioning.start_at = 5; cfg.versioning.increment_by = 10;
    cfg.versioning.permissive = 1;
    CHECK(olock_client_create(&cfg, &c, NULL) == OLOCK_OK);
    create_table(c, "tab2");
    /* an item migrated from another mapper already says rev = 5 */
    olock_map_put(&g_arena, item, "rev", 3, olock_value_new_i64(&g_arena, 5));
    memset(&r, 0, sizeof r);
    r.table = "tab2"; r.item = item;
    CHECK(olock_put_item(c, &r, NULL, NULL) == OLOCK_OK);
    CHECK(olock_versioned_put(c, &r, 5, &res, NULL) == OLOCK_OK);
    CHECK_EQ_INT(res.version, 15);
    CHECK_EQ_INT(read_n(c, "tab2", "m1", "rev"), 15);
    olock_client_destroy(c);
}

/* ---- read-modify-write ---------------------------------------------------------------------- */

typedef struct seed_writer { olock_client *other; int calls; } seed_writer;

/* Writer 2 of the seed story: the first time it is called, writer 1 commits underneath it. */
static olock_mutation seed_mutate(void *user, olock_item *it, int exists) {
    seed_writer *w = (seed_writer *)user;
    if (w->calls++ == 0) CHECK(olock_update(w->other, "tab3", key_of("seed"), add_one, NULL, NULL, NULL) == OLOCK_OK);
    return add_one(NULL, it, exists);
}

TEST(test_seed_scenario) {
    faulty f1, f2;
    olock_client *c1 = make_client(&f1, 0), *c2 = make_client(&f2, 0);
    olock_write_result res;
    seed_writer w;
    create_table(c1, "tab3");
    CHECK(olock_update(c1, "tab3", key_of("seed"), add_one, NULL, &res, NULL) == OLOCK_OK);
    CHECK_EQ_INT(res.version, 1);                                          /* both writers see version 1 */
    w.other = c1; w.calls = 0;
    CHECK(olock_update(c2, "tab3", key_of("seed"), seed_mutate, &w, &res, NULL) == OLOCK_OK);
    CHECK_EQ_INT(res.version, 3);                                          /* writer 1 made 2, writer 2 made 3 */
    CHECK_EQ_INT(res.conflicts, 1);
    CHECK_EQ_INT(res.requests, 3);                                         /* GET, conflicting PUT, PUT: no re-GET */
    CHECK_EQ_INT(w.calls, 2);
    CHECK_EQ_INT(read_n(c1, "tab3", "seed", "counter"), 3);
    olock_client_destroy(c1);
    olock_client_destroy(c2);
}

static olock_mutation answer(void *user, olock_item *it, int exists) {
    (void)it; (void)exists;
    return *(olock_mutation *)user;
}

static olock_mutation change_key(void *user, olock_item *it, int exists) {
    (void)user; (void)exists;
    olock_item_set_s(it, "id", "other");
    return OLOCK_MUTATE_WRITE;
}

TEST(test_mutate_answers) {
    faulty f;
    olock_client *c = make_client(&f, 0);
    olock_write_result res;
    olock_error e;
    olock_mutation m;
    create_table(c, "tab4");
    CHECK(olock_update(c, "tab4", key_of("a"), add_one, NULL, &res, &e) == OLOCK_OK && res.version == 1 && res.changed);
    CHECK(res.item && olock_map_get(res.item, "counter", 7) != NULL);
    m = OLOCK_MUTATE_NO_CHANGE;
    CHECK(olock_update(c, "tab4", key_of("a"), answer, &m, &res, &e) == OLOCK_OK && !res.changed && res.version == 1);
    CHECK_EQ_INT(res.requests, 1);
    m = OLOCK_MUTATE_ABORT;
    CHECK(olock_update(c, "tab4", key_of("a"), answer, &m, &res, &e) == OLOCK_ERR_ABORTED);
    CHECK(olock_update(c, "tab4", key_of("a"), change_key, NULL, &res, &e) == OLOCK_ERR_INVALID_ARG);
    CHECK(strstr(e.message, "key attribute") != NULL);
    m = OLOCK_MUTATE_DELETE;
    CHECK(olock_update(c, "tab4", key_of("a"), answer, &m, &res, &e) == OLOCK_OK && res.deleted);
    CHECK_EQ_INT(read_n(c, "tab4", "a", "counter"), -1);
    CHECK(olock_update(c, "tab4", key_of("a"), answer, &m, &res, &e) == OLOCK_OK && !res.deleted);  /* nothing to delete */
    CHECK(olock_update(c, "nope", key_of("a"), add_one, NULL, &res, &e) == OLOCK_ERR_SERVICE);
    CHECK_EQ_STR(e.aws_type, "ResourceNotFoundException");
    CHECK(olock_update(c, "tab4", key_of("a"), NULL, NULL, &res, &e) == OLOCK_ERR_INVALID_ARG);
    olock_client_destroy(c);
}

/* The budget cut down to exactly conflict_attempts writes (conflict_attempts_max = it: no time
   extension, as before the time budget). The defaults are tested in test_contention.c. */
TEST(test_conflict_budget) {
    faulty f, fo;
    olock_client *c, *other;
    olock_write_result res;
    olock_error e;
    int i;
    g_conflict_attempts_max = 10;
    c = make_client(&f, 0);
    g_conflict_attempts_max = 0;
    other = make_client(&fo, 0);
    create_table(c, "tab5");
    /* every write of c is preceded by a competing write */
    f.competitor = other; f.table = "tab5"; f.key = key_of("hot");
    f.script[0] = F_NONE;                        /* the first GET */
    for (i = 1; i < 32; i++) f.script[i] = F_COMPETE;
    f.script_len = 32;
    {
        olock_result rc = olock_update(c, "tab5", key_of("hot"), add_one, NULL, &res, &e);
        if (rc != OLOCK_ERR_TOO_MANY_CONFLICTS) fprintf(stderr, "  rc %d: %s\n", rc, e.message);
        CHECK(rc == OLOCK_ERR_TOO_MANY_CONFLICTS);
    }
    CHECK_EQ_INT(res.conflicts, 10);
    CHECK(strstr(e.message, "10 writes in") != NULL);
    f.script_len = f.script_pos;                 /* no competitor for the read below */
    CHECK_EQ_INT(read_n(c, "tab5", "hot", "counter"), 10);      /* only the competitor's writes */
    olock_client_destroy(c);
    olock_client_destroy(other);
}

/* ---- retries, backoff, ambiguous outcomes ---------------------------------------------------- */

TEST(test_retries_and_backoff) {
    faulty f;
    olock_client *c = make_client(&f, 0);
    olock_write_result res;
    olock_error e;
    uint64_t slept;
    create_table(c, "tab6");
    memset(&g_seen, 0, sizeof g_seen);
    f.script[0] = F_THROTTLE; f.script[1] = F_500; f.script[2] = F_NOT_SENT; f.script_len = 3;
    slept = g_clock.slept;
    CHECK(olock_update(c, "tab6", key_of("r"), add_one, NULL, &res, &e) == OLOCK_OK);
    CHECK_EQ_INT(res.retries, 3);
    CHECK_EQ_INT(res.requests, 5);               /* GET x4 (3 failures), PUT */
    CHECK_EQ_INT(g_seen.throttles, 1);
    CHECK(g_clock.slept - slept <= 500 + 50 + 100); /* throttle base 500, then 25*2, 25*4 at most */
    CHECK_EQ_INT(read_n(c, "tab6", "r", "counter"), 1);
    /* the transient budget: 4 sends of one request */
    f.script_pos = 0; f.script_len = 4;
    f.script[0] = F_500; f.script[1] = F_500; f.script[2] = F_500; f.script[3] = F_500;
    CHECK(olock_update(c, "tab6", key_of("r"), add_one, NULL, &res, &e) == OLOCK_ERR_TRANSIENT);
    CHECK_EQ_INT(res.requests, 4);
    CHECK_EQ_STR(e.aws_type, "InternalServerError");
    CHECK_EQ_INT(e.http_status, 500);
    olock_client_destroy(c);
}

TEST(test_deadline_and_quota) {
    faulty f;
    olock_client *c;
    olock_config cfg = olock_config_default();
    olock_write_result res;
    olock_error e;
    int i;
    memset(&f, 0, sizeof f);
    f.inner = olock_fake_transport(g_fake);
    cfg.transport.user = &f; cfg.transport.send = faulty_send;
    cfg.hook_user = &g_clock; cfg.now_ms = v_now; cfg.sleep_ms = v_sleep; cfg.random_u64 = v_random;
    cfg.retry.deadline_ms = 1;
    cfg.retry.throttle_base_ms = 1000;
    cfg.retry.transient_attempts = 10;
    cfg.retry.quota_capacity = 12;
    CHECK(olock_client_create(&cfg, &c, NULL) == OLOCK_OK);
    create_table(c, "tab7");
    for (i = 0; i < 10; i++) f.script[i] = F_THROTTLE;
    f.script_len = 10;
    g_clock.rnd = 7;
    CHECK(olock_update(c, "tab7", key_of("d"), add_one, NULL, &res, &e) == OLOCK_ERR_DEADLINE);
    /* quota 12, cost 5 per retry: two retries, then the client stops retrying */
    olock_client_destroy(c);
    cfg.retry.deadline_ms = 0;
    memset(&f, 0, sizeof f);
    f.inner = olock_fake_transport(g_fake);
    CHECK(olock_client_create(&cfg, &c, NULL) == OLOCK_OK);
    for (i = 0; i < 10; i++) f.script[i] = F_500;
    f.script_len = 10;
    CHECK(olock_update(c, "tab7", key_of("d"), add_one, NULL, &res, &e) == OLOCK_ERR_TRANSIENT);
    CHECK_EQ_INT(f.requests, 3);
    CHECK(strstr(e.message, "quota") != NULL);
    olock_client_destroy(c);
}

TEST(test_ambiguous_outcome_applied_once) {
    faulty f;
    olock_client *c = make_client(&f, 0);
    olock_write_result res;
    olock_error e;
    olock_item_request r;
    create_table(c, "tab8");
    CHECK(olock_update(c, "tab8", key_of("x"), add_one, NULL, &res, &e) == OLOCK_OK);
    /* GET ok, then the PUT is applied but its response lost: the resend meets a conflict
       whose item carries our token, so the write is not applied a second time. */
    f.script_pos = 0; f.script_len = 2;
    f.script[0] = F_NONE; f.script[1] = F_LOST_AFTER_APPLY;
    CHECK(olock_update(c, "tab8", key_of("x"), add_one, NULL, &res, &e) == OLOCK_OK);
    CHECK_EQ_INT(res.ambiguous, 1);
    CHECK_EQ_INT(res.conflicts, 0);
    CHECK_EQ_INT(res.version, 2);
    CHECK_EQ_INT(read_n(c, "tab8", "x", "counter"), 2);
    /* lost response, and then a competing writer before the resend: our token is still in
       the item's recent tokens, so it is recognised as applied. */
    {
        faulty fo;
        olock_client *other = make_client(&fo, 0);
        f.competitor = other; f.table = "tab8"; f.key = key_of("x");
        f.script_pos = 0; f.script_len = 3;
        f.script[0] = F_NONE; f.script[1] = F_LOST_AFTER_APPLY; f.script[2] = F_COMPETE;
        CHECK(olock_update(c, "tab8", key_of("x"), add_one, NULL, &res, &e) == OLOCK_OK);
        CHECK_EQ_INT(res.ambiguous, 1);
        CHECK_EQ_INT(read_n(c, "tab8", "x", "counter"), 4);    /* ours once, the competitor's once */
        olock_client_destroy(other);
    }
    /* lost response of a write that was not applied (dropped before the server): resend works */
    f.script_pos = 0; f.script_len = 2;
    f.script[0] = F_NONE; f.script[1] = F_NOT_SENT;
    CHECK(olock_update(c, "tab8", key_of("x"), add_one, NULL, &res, &e) == OLOCK_OK);
    CHECK_EQ_INT(res.ambiguous, 0);
    CHECK_EQ_INT(read_n(c, "tab8", "x", "counter"), 5);
    /* versioned put with a lost response */
    memset(&r, 0, sizeof r);
    r.table = "tab8"; r.item = key_of("y");
    f.script_pos = 0; f.script_len = 1; f.script[0] = F_LOST_AFTER_APPLY;
    CHECK(olock_versioned_put(c, &r, 0, &res, &e) == OLOCK_OK);
    CHECK_EQ_INT(res.ambiguous, 1);
    CHECK_EQ_INT(res.version, 1);
    /* versioned delete with a lost response: the item is gone, but a delete leaves no ledger,
       so "deleted by us" and "deleted by another writer" look the same: MAYBE_SENT, not a guess */
    memset(&r, 0, sizeof r);
    r.table = "tab8"; r.key = key_of("y");
    f.script_pos = 0; f.script_len = 1; f.script[0] = F_LOST_AFTER_APPLY;
    CHECK(olock_versioned_delete(c, &r, 1, &res, &e) == OLOCK_ERR_MAYBE_SENT);
    CHECK(strstr(e.message, "item is gone") != NULL);
    olock_client_destroy(c);
}

/* ---- item cache ------------------------------------------------------------------------------- */

TEST(test_cache_one_request_per_update) {
    faulty f, fo;
    olock_client *c = make_client(&f, 8), *other = make_client(&fo, 0);
    olock_write_result res;
    int i, before;
    create_table(c, "tab9");
    CHECK(olock_update(c, "tab9", key_of("hot"), add_one, NULL, &res, NULL) == OLOCK_OK);
    CHECK_EQ_INT(res.requests, 2);               /* cold: GET + PUT */
    before = f.requests;
    for (i = 0; i < 50; i++) olock_update(c, "tab9", key_of("hot"), add_one, NULL, &res, NULL);
    CHECK_EQ_INT(f.requests - before, 50);       /* warm: one request per update */
    /* someone else writes: the cached version is stale, the conflict brings the fresh item */
    CHECK(olock_update(other, "tab9", key_of("hot"), add_one, NULL, &res, NULL) == OLOCK_OK);
    CHECK(olock_update(c, "tab9", key_of("hot"), add_one, NULL, &res, NULL) == OLOCK_OK);
    CHECK_EQ_INT(res.requests, 2);
    CHECK_EQ_INT(res.conflicts, 1);
    CHECK_EQ_INT(read_n(c, "tab9", "hot", "counter"), 53);
    olock_client_destroy(c);
    olock_client_destroy(other);
}

/* ---- non-blocking tasks --------------------------------------------------------------------- */

TEST(test_tasks_interleaved) {
    faulty f;
    olock_client *c = make_client(&f, 0);
    olock_task *t[4];
    olock_transport fake = olock_fake_transport(g_fake);
    int i, done = 0, rounds = 0, k;
    create_table(c, "tab10");
    for (i = 0; i < 4; i++) {
        CHECK(olock_task_create(c, &t[i]) == OLOCK_OK);
        CHECK(olock_task_begin_update(t[i], "tab10", key_of("shared"), add_one, NULL) == OLOCK_OK);
    }
    /* round-robin: each task sends its next request in turn, so they contend */
    while (done < 4 && rounds < 1000) {
        uint64_t soonest = UINT64_MAX;
        done = 0;
        rounds++;
        for (i = 0; i < 4; i++) {
            const olock_http_request *req;
            uint64_t wait = 0;
            /* poll with the clock the client was configured with (the virtual one) */
            olock_task_state s = olock_task_poll(t[i], g_clock.now, &req, &wait);
            if (s == OLOCK_TASK_DONE) { done++; continue; }
            if (s == OLOCK_TASK_SEND) { olock_task_complete(t[i], fake.send(fake.user, req, olock_task_response(t[i]))); soonest = 0; }
            else if (wait < soonest) soonest = wait;
        }
        if (soonest != UINT64_MAX) g_clock.now += soonest;   /* everyone waits: time passes */
    }
    for (i = 0, k = 0; i < 4; i++) {
        olock_write_result res;
        if (olock_task_result(t[i], &res, NULL) == OLOCK_OK) k++;
        olock_task_destroy(t[i]);
    }
    CHECK_EQ_INT(k, 4);
    CHECK_EQ_INT(read_n(c, "tab10", "shared", "counter"), 4);
    olock_client_destroy(c);
}

/* ---- concurrency: 8 threads x 1000 increments with faults ----------------------------------- */

typedef struct worker { int id, n, ok; unsigned conflicts, ambiguous; } worker;

static void *worker_main(void *arg) {
    worker *w = (worker *)arg;
    faulty f;
    olock_config cfg = olock_config_default();
    olock_client *c = NULL;
    olock_arena a;
    olock_value *key;
    int i;
    memset(&f, 0, sizeof f);
    f.inner = olock_fake_transport(g_fake);
    f.rng = 1000u + (unsigned)w->id;
    f.p_throttle = 10; f.p_500 = 5; f.p_lost = 5;
    cfg.transport.user = &f; cfg.transport.send = faulty_send;
    cfg.retry.base_ms = 1; cfg.retry.throttle_base_ms = 1; cfg.retry.cap_ms = 2;
    cfg.retry.transient_attempts = 20;
    cfg.retry.conflict_attempts = 1000;
    cfg.retry.quota_capacity = 1000000;
    if (olock_client_create(&cfg, &c, NULL) != OLOCK_OK) return NULL;
    olock_arena_init(&a, NULL);
    key = olock_value_new_container(&a, OLOCK_TYPE_M);
    olock_map_put(&a, key, "id", 2, olock_value_new_s(&a, "counter", 7));
    for (i = 0; i < w->n; i++) {
        olock_write_result res;
        if (olock_update(c, "tabc", key, add_one, NULL, &res, NULL) == OLOCK_OK) {
            w->ok++;
            w->conflicts += res.conflicts;
            w->ambiguous += res.ambiguous;
        }
    }
    olock_arena_free(&a);
    olock_client_destroy(c);
    return NULL;
}

TEST(test_concurrent_increments_with_faults) {
    faulty f;
    olock_client *c = make_client(&f, 0);
    pthread_t th[8];
    worker w[8];
    int i, ok = 0;
    unsigned conflicts = 0, ambiguous = 0;
    const char *n = getenv("OLOCK_TEST_INCREMENTS");
    int per = n ? atoi(n) : 1000;
    create_table(c, "tabc");
    for (i = 0; i < 8; i++) {
        memset(&w[i], 0, sizeof w[i]);
        w[i].id = i; w[i].n = per;
        pthread_create(&th[i], NULL, worker_main, &w[i]);
    }
    for (i = 0; i < 8; i++) {
        pthread_join(th[i], NULL);
        ok += w[i].ok; conflicts += w[i].conflicts; ambiguous += w[i].ambiguous;
    }
    CHECK_EQ_INT(ok, 8 * per);
    CHECK_EQ_INT(read_n(c, "tabc", "counter", "counter"), 8 * per);    /* no lost, no double update */
    CHECK(ambiguous > 0);
    printf("concurrency: %d updates, %u conflicts, %u ambiguous outcomes settled\n", ok, conflicts, ambiguous);
    olock_client_destroy(c);
}

/* ---- transactions on the fake: conflicts per action, lost responses, multi-item RMW ----------- */

static olock_mutation transfer10(void *user, olock_item *const *items, const int *exists, olock_mutation *each, size_t n) {
    int64_t a = 0, b = 0;
    (void)user; (void)n;
    if (exists[0]) olock_item_get_i64(items[0], "gold", &a);
    if (exists[1]) olock_item_get_i64(items[1], "gold", &b);
    if (a < 10) return OLOCK_MUTATE_ABORT;
    olock_item_set_i64(items[0], "gold", a - 10);
    olock_item_set_i64(items[1], "gold", b + 10);
    each[0] = each[1] = OLOCK_MUTATE_WRITE;
    return OLOCK_MUTATE_WRITE;
}

TEST(test_transactions_on_fake) {
    olock_fake *fake = NULL;
    olock_config cfg = olock_config_default();
    olock_client *c = NULL;
    olock_txn *txn = NULL;
    olock_write_result res;
    olock_error err;
    olock_key_ref keys[2];
    olock_value *a = key_of("acct-a"), *b = key_of("acct-b"), *item;
    CHECK(olock_fake_create(NULL, &fake) == OLOCK_OK);
    cfg.transport = olock_fake_transport(fake);
    cfg.ignore_environment = 1;
    cfg.hook_user = &g_clock; cfg.now_ms = v_now; cfg.sleep_ms = v_sleep; cfg.random_u64 = v_random;
    CHECK(olock_client_create(&cfg, &c, NULL) == OLOCK_OK);
    create_table(c, "accounts");
    CHECK(olock_txn_create(c, &txn) == OLOCK_OK);
    /* two new accounts in one transaction */
    item = olock_value_copy(&g_arena, a);
    olock_map_put(&g_arena, item, "gold", 4, olock_value_new_i64(&g_arena, 100));
    CHECK(olock_txn_put(txn, "accounts", item, 0) == OLOCK_OK);
    item = olock_value_copy(&g_arena, b);
    olock_map_put(&g_arena, item, "gold", 4, olock_value_new_i64(&g_arena, 0));
    CHECK(olock_txn_put(txn, "accounts", item, 0) == OLOCK_OK);
    /* its response is lost after it was applied: the resend carries the same
       ClientRequestToken, so DynamoDB (and the fake) answer success without applying twice */
    olock_fake_inject(fake, OLOCK_FAKE_FAULT_LOST_RESPONSE, 1, OLOCK_OP_TRANSACT_WRITE_ITEMS, NULL);
    CHECK(olock_txn_commit(c, txn, &res, &err) == OLOCK_OK);
    CHECK_EQ_INT(res.requests, 2);
    CHECK_EQ_INT(read_n(c, "accounts", "acct-a", "version"), 1);
    /* a stale version on the second action: cancelled, reasons per action, nothing applied */
    olock_txn_reset(txn);
    CHECK(olock_txn_check(txn, "accounts", a, 1) == OLOCK_OK);
    CHECK(olock_txn_delete(txn, "accounts", b, 7) == OLOCK_OK);
    CHECK(olock_txn_commit(c, txn, &res, &err) == OLOCK_CONFLICT);
    CHECK_EQ_INT(res.failed_action, 1);
    CHECK_EQ_STR(olock_txn_reason(txn, 0), "None");
    CHECK_EQ_STR(olock_txn_reason(txn, 1), "ConditionalCheckFailed");
    CHECK_EQ_INT(read_n(c, "accounts", "acct-b", "gold"), 0);
    /* multi-item read-modify-write, with a competing write on the first attempt */
    keys[0].table = "accounts"; keys[0].key = a;
    keys[1].table = "accounts"; keys[1].key = b;
    olock_fake_inject(fake, OLOCK_FAKE_FAULT_CONFLICT, 1, OLOCK_OP_TRANSACT_WRITE_ITEMS, NULL);
    CHECK(olock_update_many(c, keys, 2, transfer10, NULL, &res, &err) == OLOCK_OK);
    CHECK_EQ_INT(res.conflicts, 1);
    CHECK_EQ_INT(read_n(c, "accounts", "acct-a", "gold"), 90);
    CHECK_EQ_INT(read_n(c, "accounts", "acct-b", "gold"), 10);
    olock_txn_destroy(txn);
    olock_client_destroy(c);
    olock_fake_destroy(fake);
}

/* ---- out of memory: every allocation of a realistic engine scenario fails once ---------------- */

static olock_result oom_scenario(const olock_allocator *alloc, olock_fake *fake) {
    olock_config cfg = olock_config_default();
    olock_client *c = NULL;
    olock_write_result res;
    olock_item_request r;
    olock_arena a;
    olock_value *key, *item;
    olock_txn *txn = NULL;
    olock_result rc;
    cfg.allocator = *alloc;
    cfg.transport = olock_fake_transport(fake);
    cfg.ignore_environment = 1;
    cfg.cache_entries = 2;
    rc = olock_client_create(&cfg, &c, NULL);
    if (rc != OLOCK_OK) return rc;
    olock_arena_init(&a, alloc);
    key = olock_value_new_container(&a, OLOCK_TYPE_M);
    rc = key ? olock_map_put(&a, key, "id", 2, olock_value_new_s(&a, "oom", 3)) : OLOCK_ERR_NOMEM;
    if (rc == OLOCK_OK) rc = olock_update(c, "taboom", key, add_one, NULL, &res, NULL);
    if (rc == OLOCK_OK) rc = olock_update(c, "taboom", key, add_one, NULL, &res, NULL);   /* from the cache */
    if (rc == OLOCK_OK) {
        item = olock_value_copy(&a, key);
        memset(&r, 0, sizeof r);
        r.table = "taboom"; r.item = item;
        rc = item ? olock_versioned_put(c, &r, 0, &res, NULL) : OLOCK_ERR_NOMEM;   /* a conflict */
        if (rc == OLOCK_CONFLICT) rc = res.item ? OLOCK_OK : OLOCK_ERR_RESPONSE;
    }
    if (rc == OLOCK_OK) rc = olock_txn_create(c, &txn);
    if (rc == OLOCK_OK) rc = olock_txn_check(txn, "taboom", key, 1);
    olock_txn_destroy(txn);
    olock_arena_free(&a);
    olock_client_destroy(c);
    return rc;
}

TEST(test_oom_sweep) {
    olock_test_alloc t;
    olock_allocator a;
    olock_fake *fake = NULL;
    olock_config cfg = olock_config_default();
    olock_client *admin = NULL;
    long n, total;
    int clean = 1, only_nomem = 1;
    a.ctx = &t; a.malloc_fn = olock_test_malloc; a.realloc_fn = olock_test_realloc; a.free_fn = olock_test_free;
    /* a fresh fake per run, so that every run starts from the same state */
    memset(&t, 0, sizeof t);
    olock_fake_create(NULL, &fake);
    cfg.transport = olock_fake_transport(fake);
    olock_client_create(&cfg, &admin, NULL);
    create_table(admin, "taboom");
    olock_client_destroy(admin);
    CHECK(oom_scenario(&a, fake) == OLOCK_OK);
    olock_fake_destroy(fake);
    CHECK_EQ_INT(t.live, 0);
    total = t.calls;
    CHECK(total > 10);
    for (n = 1; n <= total; n++) {
        olock_result rc;
        olock_fake_create(NULL, &fake);
        cfg.transport = olock_fake_transport(fake);
        olock_client_create(&cfg, &admin, NULL);
        create_table(admin, "taboom");
        olock_client_destroy(admin);
        memset(&t, 0, sizeof t);
        t.fail_at = n;
        rc = oom_scenario(&a, fake);
        olock_fake_destroy(fake);
        /* MAYBE_SENT: out of memory while a write's response was received (the write may have
           been applied: the outcome model; tests/test_outcomes.c checks that case exactly) */
        if (rc != OLOCK_ERR_NOMEM && rc != OLOCK_OK && rc != OLOCK_ERR_MAYBE_SENT) { only_nomem = 0; fprintf(stderr, "  allocation %ld: result %d\n", n, rc); }
        if (t.live != 0) { clean = 0; fprintf(stderr, "  allocation %ld: %ld blocks leaked\n", n, t.live); }
    }
    CHECK(only_nomem);
    CHECK(clean);
}

/* ---- kept renderings ------------------------------------------------------------------------
   A versioned update's expressions are kept from one write to the next when they are made the
   same way (the engine's olock__kept_use). Runs of one shape alternate with others; values,
   names, conditions, expected versions (stale ones, creates) change; invalid updates and
   failing conditions come in between; with the writer ledger and without; first without
   faults, where the item must end exactly as the model says, then with throttling, 500s and
   lost responses. The sanitizer build (OLOCK__VERIFY_KEPT) also renders every kept write
   afresh and aborts if the two differ. */

static olock_value *kept_map(olock_arena *a, int n, const char *const *keys, olock_value *const *vals) {
    olock_value *m = olock_value_new_container(a, OLOCK_TYPE_M);
    int i;
    for (i = 0; i < n; i++) olock_map_put(a, m, keys[i], strlen(keys[i]), vals[i]);
    return m;
}

static olock_value *kept_str(olock_arena *a, const char *fmt, int i) {
    char buf[32];
    snprintf(buf, sizeof buf, fmt, i);
    return olock_value_new_s(a, buf, strlen(buf));
}

/* Attribute `name` of item `id` as text into out ("" if absent or not S). */
static void read_s(olock_client *c, const char *table, const char *id, const char *name, char *out, size_t cap) {
    olock_item_request r;
    olock_response res;
    const olock_value *m = NULL;
    memset(&r, 0, sizeof r);
    r.table = table; r.key = key_of(id); r.consistent_read = 1;
    if (olock_get_item(c, &r, &res, NULL) == OLOCK_OK && res.item) m = olock_map_get(res.item, name, strlen(name));
    snprintf(out, cap, "%.*s", m && m->type == OLOCK_TYPE_S ? (int)m->len : 0, m && m->type == OLOCK_TYPE_S ? m->str : "");
}

TEST(test_kept_renderings) {
    int pass;
    for (pass = 0; pass < 4; pass++) {
        faulty f;
        olock_client *c;
        olock_arena a;
        char table[16], title[32] = "t", got[32];
        int64_t gold = 0, version = 1;
        uint64_t rnd = 99u + (uint64_t)pass;
        int i, shape = 0, run = 0, faults = pass >= 2, oks = 0, errors = 0, conflicts = 0;
        olock_item_request r;
        olock_write_result res;
        olock_error e;
        g_token_attribute = pass & 1 ? "" : NULL;
        c = make_client(&f, 0);
        g_token_attribute = NULL;
        CHECK(c != NULL);
        if (!c) return;
        snprintf(table, sizeof table, "kept%d", pass);
        create_table(c, table);
        olock_arena_init(&a, NULL);
        {
            olock_value *item = key_of("k");
            olock_map_put(&g_arena, item, "gold", 4, olock_value_new_i64(&g_arena, 0));
            olock_map_put(&g_arena, item, "title", 5, olock_value_new_s(&g_arena, "t", 1));
            memset(&r, 0, sizeof r);
            r.table = table; r.item = item;
            CHECK(olock_versioned_put(c, &r, 0, &res, &e) == OLOCK_OK && res.version == 1);
        }
        if (faults) { f.p_throttle = 4; f.p_500 = 4; f.p_lost = 6; }
        for (i = 0; i < 1200; i++) {
            static const char *const k1[] = { "#g" }, *const k2[] = { "#g", "#t" }, *const kx[] = { "#x" }, *const kt[] = { "#t" };
            static const char *const v1[] = { ":one" }, *const vt[] = { ":t" }, *const vdt[] = { ":d", ":t" };
            static const char *const vs[] = { ":s" }, *const vv[] = { ":v" }, *const vneg[] = { ":one", ":neg" };
            olock_value *vals[2], *names[2];
            int64_t exp = version, dgold = 0;
            const char *new_title = NULL;
            int want_error = 0, want_conflict = 0, create = 0;
            olock_result rc;
            char id[16] = "k";
            olock_arena_reset(&a);
            if (run == 0) {
                shape = (int)(next_rand(&rnd) % 15);
                run = 1 + (int)(next_rand(&rnd) % 6);
            }
            run--;
            memset(&r, 0, sizeof r);
            r.table = table;
            switch (shape) {
            case 0: /* gold + 1 through a name */
            case 1:
                names[0] = olock_value_new_s(&a, "gold", 4);
                vals[0] = olock_value_new_i64(&a, 1);
                r.update = "SET #g = #g + :one"; r.names = kept_map(&a, 1, k1, names); r.values = kept_map(&a, 1, v1, vals);
                dgold = 1;
                break;
            case 2: /* a new title */
                names[0] = olock_value_new_s(&a, "title", 5);
                vals[0] = kept_str(&a, "x%d", i);
                r.update = "SET #t = :t"; r.names = kept_map(&a, 1, kt, names); r.values = kept_map(&a, 1, vt, vals);
                new_title = vals[0]->str;
                break;
            case 3: /* both, no names */
                vals[0] = olock_value_new_i64(&a, i % 5);
                vals[1] = kept_str(&a, "y%d", i);
                r.update = "SET gold = gold + :d, title = :t"; r.values = kept_map(&a, 2, vdt, vals);
                dgold = i % 5; new_title = vals[1]->str;
                break;
            case 4: /* with a condition of the caller's */
                names[0] = olock_value_new_s(&a, "gold", 4);
                names[1] = olock_value_new_s(&a, "title", 5);
                vals[0] = olock_value_new_i64(&a, 1);
                r.update = "SET #g = #g + :one"; r.condition = "attribute_exists(#t)";
                r.names = kept_map(&a, 2, k2, names); r.values = kept_map(&a, 1, v1, vals);
                dgold = 1;
                break;
            case 5: /* a set */
                vals[0] = olock_value_new_container(&a, OLOCK_TYPE_SS);
                olock_set_add(vals[0], kept_str(&a, "a%d", i % 3));
                r.update = "ADD tags :s"; r.values = kept_map(&a, 1, vs, vals);
                break;
            case 6: /* the same text, the name standing for gold */
                names[0] = olock_value_new_s(&a, "gold", 4);
                vals[0] = olock_value_new_i64(&a, i);
                r.update = "SET #x = :v"; r.names = kept_map(&a, 1, kx, names); r.values = kept_map(&a, 1, vv, vals);
                dgold = i - gold;
                break;
            case 7: /* ... and for another attribute, a value of the same type */
                names[0] = olock_value_new_s(&a, "score", 5);
                vals[0] = olock_value_new_i64(&a, i);
                r.update = "SET #x = :v"; r.names = kept_map(&a, 1, kx, names); r.values = kept_map(&a, 1, vv, vals);
                break;
            case 8: /* the same placeholders, other types */
                vals[0] = i % 2 ? olock_value_new_i64(&a, i) : kept_str(&a, "m%d", i);
                r.update = "SET misc = :v"; r.values = kept_map(&a, 1, vv, vals);
                break;
            case 9: /* a condition that fails */
                vals[0] = olock_value_new_i64(&a, 1);
                vals[1] = olock_value_new_i64(&a, -1);
                r.update = "SET gold = gold + :one"; r.condition = "gold < :neg"; r.values = kept_map(&a, 2, vneg, vals);
                want_conflict = 1;
                break;
            case 10: /* olock's own attribute: refused */
                vals[0] = olock_value_new_i64(&a, 1);
                r.update = "SET version = :one"; r.values = kept_map(&a, 1, v1, vals);
                want_error = 1;
                break;
            case 11: /* an unused name: refused */
                names[0] = olock_value_new_s(&a, "gold", 4);
                names[1] = olock_value_new_s(&a, "nothing", 7);
                vals[0] = olock_value_new_i64(&a, 1);
                r.update = "SET #g = :one"; r.names = kept_map(&a, 2, k2, names); r.values = kept_map(&a, 1, v1, vals);
                want_error = 1;
                break;
            case 12: /* an empty set: refused */
                vals[0] = olock_value_new_container(&a, OLOCK_TYPE_SS);
                r.update = "ADD tags :s"; r.values = kept_map(&a, 1, vs, vals);
                want_error = 1;
                break;
            case 13: /* creates (expected 0) and updates with the same expressions, in turn */
                names[0] = olock_value_new_s(&a, "gold", 4);
                vals[0] = olock_value_new_i64(&a, 1);
                r.update = "SET #g = :one"; r.names = kept_map(&a, 1, k1, names); r.values = kept_map(&a, 1, v1, vals);
                if (i % 2) {
                    snprintf(id, sizeof id, "n%d", i);
                    create = 1;
                } else {
                    dgold = 1 - gold;
                }
                break;
            default: /* no SET clause of the caller's */
                r.update = "REMOVE misc";
                break;
            }
            if (!create && !want_error && version > 1 && next_rand(&rnd) % 8 == 0) {
                exp = version - 1; /* stale */
                want_conflict = 1;
            }
            r.key = key_of(id);
            rc = olock_versioned_update(c, &r, create ? 0 : (uint64_t)exp, &res, &e);
            if (rc == OLOCK_OK) oks++;
            else if (rc == OLOCK_CONFLICT) conflicts++;
            else errors++;
            if (faults) {
                if (want_error && !(rc == OLOCK_ERR_INVALID_ARG || rc == OLOCK_ERR_EXPRESSION))
                    fprintf(stderr, "  pass %d step %d shape %d: %s: %s\n", pass, i, shape, olock_result_str(rc), e.message);
                if (want_error) CHECK(rc == OLOCK_ERR_INVALID_ARG || rc == OLOCK_ERR_EXPRESSION);
                if (!create) { /* the stored version, read past the injected faults */
                    int64_t v = -1;
                    int k;
                    for (k = 0; k < 50 && v < 0; k++) v = read_n(c, table, "k", "version");
                    if (v > 0) version = v;
                }
                continue;
            }
            if (want_error) {
                if (!(rc == OLOCK_ERR_INVALID_ARG || rc == OLOCK_ERR_EXPRESSION)) fprintf(stderr, "  pass %d step %d shape %d: %s: %s\n", pass, i, shape, olock_result_str(rc), e.message);
                CHECK(rc == OLOCK_ERR_INVALID_ARG || rc == OLOCK_ERR_EXPRESSION);
            } else if (want_conflict) {
                CHECK(rc == OLOCK_CONFLICT);
            } else {
                if (rc != OLOCK_OK) fprintf(stderr, "  pass %d step %d shape %d: %s: %s\n", pass, i, shape, olock_result_str(rc), e.message);
                CHECK(rc == OLOCK_OK);
                if (rc == OLOCK_OK && !create) {
                    version++;
                    CHECK_EQ_INT(res.version, version);
                    gold += dgold;
                    if (new_title) snprintf(title, sizeof title, "%s", new_title);
                }
            }
        }
        CHECK(oks > 300 && errors > 50 && conflicts > 50);
        if (!faults) {
            CHECK_EQ_INT(read_n(c, table, "k", "gold"), gold);
            CHECK_EQ_INT(read_n(c, table, "k", "version"), version);
            read_s(c, table, "k", "title", got, sizeof got);
            CHECK_EQ_STR(got, title);
        } else {
            CHECK(version > 1 && f.faults > 50);
        }
        olock_arena_free(&a);
        olock_client_destroy(c);
    }
}

/* ---- kept bodies ----------------------------------------------------------------------------
   A versioned update whose rendering is kept also keeps its body up to the values member (the
   engine's olock__kept_body): the next write with the same table, key and ReturnValues copies
   that piece and writes only the values. Here one expression writes to three items of a table
   with a string key and two of a table with a number key, in runs (the piece is taken) and
   jumps (it is made again), with and without ReturnValues. Each request as sent names its own
   table and key, asks for what it should and carries its own value; every item ends as the
   model says. The sanitizer build also encodes every body made from a kept piece afresh and
   aborts if the two differ. */

typedef struct body_spy {
    olock_transport inner;
    char body[2048];
} body_spy;

static olock_result body_spy_send(void *user, const olock_http_request *req, olock_http_response *res) {
    body_spy *s = (body_spy *)user;
    size_t n = req->body_len < sizeof s->body - 1 ? req->body_len : sizeof s->body - 1;
    memcpy(s->body, req->body, n);
    s->body[n] = 0;
    return s->inner.send(s->inner.user, req, res);
}

/* The text of member `name` of obj's member `outer` ({"<outer>":{"<name>":{"<T>":"text"}}}), or "". */
static const char *typed_text(const olock_json *obj, const char *outer, const char *name) {
    const olock_json *m = olock_json_get(olock_json_get(obj, outer), name);
    return m && m->first && m->first->str ? m->first->str : "";
}

static const char *const kb_tables[5] = { "kb_s", "kb_s", "kb_s", "kb_n", "kb_n" };
static const char *const kb_ids[5] = { "a", "bb", "a-much-longer-id-than-the-others", "7", "42" };

/* Item i's key (a string id in kb_s, a number in kb_n), or its item {id, gold: 0} (with_gold). */
static olock_value *kb_key(olock_arena *a, int i, int with_gold) {
    olock_value *m = olock_value_new_container(a, OLOCK_TYPE_M);
    size_t n = strlen(kb_ids[i]);
    olock_map_put(a, m, "id", 2, i < 3 ? olock_value_new_s(a, kb_ids[i], n) : olock_value_new_n(a, kb_ids[i], n));
    if (with_gold) olock_map_put(a, m, "gold", 4, olock_value_new_i64(a, 0));
    return m;
}

TEST(test_kept_bodies) {
    const char *const *tables = kb_tables, *const *ids = kb_ids;
    int64_t gold[5] = { 0, 0, 0, 0, 0 }, version[5] = { 1, 1, 1, 1, 1 };
    body_spy spy;
    olock_config cfg = olock_config_default();
    olock_client *c = NULL;
    olock_create_table_request ct;
    olock_arena a;
    uint64_t rnd = 4242;
    int i, j = 0, run = 0, wrong = 0;
    memset(&spy, 0, sizeof spy);
    spy.inner = olock_fake_transport(g_fake);
    cfg.transport.user = &spy;
    cfg.transport.send = body_spy_send;
    cfg.ignore_environment = 1;
    CHECK(olock_client_create(&cfg, &c, NULL) == OLOCK_OK);
    if (!c) return;
    memset(&ct, 0, sizeof ct);
    ct.table = "kb_s"; ct.hash_key = "id"; ct.hash_type = OLOCK_TYPE_S;
    CHECK(olock_create_table(c, &ct, NULL, NULL) == OLOCK_OK);
    ct.table = "kb_n"; ct.hash_type = OLOCK_TYPE_N;
    CHECK(olock_create_table(c, &ct, NULL, NULL) == OLOCK_OK);
    olock_arena_init(&a, NULL);
    for (i = 0; i < 5; i++) {
        olock_item_request r;
        olock_write_result wr;
        memset(&r, 0, sizeof r);
        r.table = tables[i]; r.item = kb_key(&a, i, 1);
        CHECK(olock_versioned_put(c, &r, 0, &wr, NULL) == OLOCK_OK);
    }
    for (i = 0; i < 600; i++) {
        olock_item_request r;
        olock_write_result wr;
        olock_error e;
        olock_value *values;
        olock_json *sent = NULL;
        const olock_value *g;
        int64_t got = -1;
        int all_new = next_rand(&rnd) % 3 == 0;
        char want[24];
        olock_arena_reset(&a);
        if (run == 0) {
            j = (int)(next_rand(&rnd) % 5);
            run = 1 + (int)(next_rand(&rnd) % 4);
        }
        run--;
        values = olock_value_new_container(&a, OLOCK_TYPE_M);
        olock_map_put(&a, values, ":g", 2, olock_value_new_i64(&a, 1000 + i));
        memset(&r, 0, sizeof r);
        r.table = tables[j]; r.key = kb_key(&a, j, 0); r.update = "SET gold = :g"; r.values = values;
        r.return_values = all_new ? OLOCK_RV_ALL_NEW : OLOCK_RV_OMIT;
        CHECK_EQ_INT(olock_versioned_update(c, &r, (uint64_t)version[j], &wr, &e), OLOCK_OK);
        version[j]++;
        gold[j] = 1000 + i;
        CHECK_EQ_INT(wr.version, version[j]);
        if (all_new) {
            g = wr.item ? olock_map_get(wr.item, "gold", 4) : NULL;
            CHECK(g && olock_value_get_i64(g, &got) == OLOCK_OK && got == gold[j]);
        }
        /* the request as sent */
        snprintf(want, sizeof want, "%d", 1000 + i);
        if (olock_json_parse(&a, spy.body, strlen(spy.body), NULL, &sent, NULL) != OLOCK_OK || !sent ||
            strcmp(olock_json_get(sent, "TableName") ? olock_json_get(sent, "TableName")->str : "", tables[j]) != 0 ||
            strcmp(typed_text(sent, "Key", "id"), ids[j]) != 0 || strcmp(typed_text(sent, "ExpressionAttributeValues", ":g"), want) != 0 ||
            (olock_json_get(sent, "ReturnValues") != NULL) != all_new)
            wrong++;
    }
    CHECK_EQ_INT(wrong, 0);
    for (i = 0; i < 5; i++) {
        olock_item_request r;
        olock_response res;
        int64_t v = -1, gv = -1;
        olock_arena_reset(&a);
        memset(&r, 0, sizeof r);
        r.table = tables[i]; r.key = kb_key(&a, i, 0); r.consistent_read = 1;
        CHECK(olock_get_item(c, &r, &res, NULL) == OLOCK_OK && res.item);
        if (!res.item) continue;
        CHECK(olock_value_get_i64(olock_map_get(res.item, "version", 7), &v) == OLOCK_OK && v == version[i]);
        CHECK(olock_value_get_i64(olock_map_get(res.item, "gold", 4), &gv) == OLOCK_OK && gv == gold[i]);
    }
    olock_arena_free(&a);
    olock_client_destroy(c);
}

int main(void) {
    olock_arena_init(&g_arena, NULL);
    if (olock_fake_create(NULL, &g_fake) != OLOCK_OK) return 1;
    RUN(test_versioned_put_update_delete);
    RUN(test_permissive_and_start_at);
    RUN(test_seed_scenario);
    RUN(test_mutate_answers);
    RUN(test_conflict_budget);
    RUN(test_retries_and_backoff);
    RUN(test_deadline_and_quota);
    RUN(test_ambiguous_outcome_applied_once);
    RUN(test_cache_one_request_per_update);
    RUN(test_tasks_interleaved);
    RUN(test_concurrent_increments_with_faults);
    RUN(test_transactions_on_fake);
    RUN(test_oom_sweep);
    RUN(test_kept_renderings);
    RUN(test_kept_bodies);
    olock_fake_destroy(g_fake);
    olock_arena_free(&g_arena);
    return TEST_MAIN_END();
}
