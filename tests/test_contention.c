/* A hot item under the default retry policy, on the in-process fake, in virtual time.

   - Ordinary contention: 8 writers (an olock_task each, on its own client with
     olock_config_default()) increment one item 150 times each, driven from one thread. Every
     request reaches the fake after a one-way latency, is served one at a time, and its answer
     comes back after another one-way latency, all in virtual time (the clients' now_ms and
     random_u64 hooks are the simulation's), so the run is the same every time. Every
     increment commits (no OLOCK_ERR_TOO_MANY_CONFLICTS) and the final count is exact.
   - A livelocked item: the fake's OLOCK_FAKE_FAULT_CONFLICT armed for every write (a
     competitor bumps the version just before each of ours). A blocking olock_update with the
     defaults, over a transport that adds virtual latency and a sleep hook that advances the
     virtual clock, ends in OLOCK_ERR_TOO_MANY_CONFLICTS within the bound (100 writes, or
     about 2 s, whichever comes first, round trips of 1, 20 and 100 ms), with a message that
     says how many writes in how long. */
#ifndef OLOCK_TEST_LINKED   /* else the Makefile links build/<flavour>/libolock_impl.a (tests/impl/) */
#define OLOCK_IMPLEMENTATION
#define OLOCK_FAKE_IMPLEMENTATION
#endif
#include "olock.h"
#include "olock_fake.h"
#include "olock_test.h"
#include <limits.h>

#define WRITERS_MAX 16

static olock_mutation add_one(void *user, olock_item *it, int exists) {
    int64_t n = 0;
    (void)user;
    if (exists && olock_item_get(it, "counter")) olock_item_get_i64(it, "counter", &n);
    return olock_item_set_i64(it, "counter", n + 1) == OLOCK_OK ? OLOCK_MUTATE_WRITE : OLOCK_MUTATE_ABORT;
}

static uint64_t xorshift(uint64_t *s) { *s ^= *s << 13; *s ^= *s >> 7; *s ^= *s << 17; return *s; }

static olock_arena g_arena;

static olock_value *key_of(const char *id) {
    olock_value *k = olock_value_new_container(&g_arena, OLOCK_TYPE_M);
    olock_map_put(&g_arena, k, "id", 2, olock_value_new_s(&g_arena, id, strlen(id)));
    return k;
}

static int64_t read_counter(olock_client *c, const char *table, const char *id) {
    olock_item_request r;
    olock_response res;
    int64_t n = -1;
    memset(&r, 0, sizeof r);
    r.table = table;
    r.key = key_of(id);
    r.consistent_read = 1;
    if (olock_get_item(c, &r, &res, NULL) == OLOCK_OK && res.item) olock_value_get_i64(olock_map_get(res.item, "counter", 7), &n);
    return n;
}

static void create_table(olock_client *c, const char *name) {
    olock_create_table_request ct;
    memset(&ct, 0, sizeof ct);
    ct.table = name; ct.hash_key = "id"; ct.hash_type = OLOCK_TYPE_S;
    CHECK(olock_create_table(c, &ct, NULL, NULL) == OLOCK_OK);
}

/* ---- k writers in virtual time ------------------------------------------------------------ */

enum { EV_NONE, EV_ARRIVE, EV_ANSWER, EV_WAKE };

typedef struct sim sim;
typedef struct writer {
    sim *s;
    olock_client *c;
    olock_task *t;
    const olock_http_request *req;
    olock_http_response *res;
    olock_result sent;
    int event;                     /* the one event this writer waits for */
    uint64_t at;                   /* when, in virtual us */
    int calls;
    uint64_t call_start;
} writer;

struct sim {
    olock_fake *fake;
    olock_transport ft;
    const olock_value *key;
    writer w[WRITERS_MAX];
    int k, per_writer;
    uint64_t now, server_free, rng;
    /* results */
    unsigned long commits, gave_up, errors, requests, max_requests;
    uint64_t max_latency_us;
    char last_error[320];
};

static uint64_t sim_now_ms(void *u) { return ((writer *)u)->s->now / 1000; }
static uint64_t sim_random(void *u) { return xorshift(&((writer *)u)->s->rng); }
static void sim_sleep(void *u, uint64_t ms) { ((writer *)u)->s->now += ms * 1000; }

/* One way: 400 us plus up to 400 us more (a round trip of about 1.2 ms). */
static uint64_t one_way(sim *s) { return 400 + xorshift(&s->rng) % 401; }

static void drive(sim *s, writer *w);

static void start_call(sim *s, writer *w) {
    if (w->calls == s->per_writer) { w->event = EV_NONE; return; }
    w->calls++;
    w->call_start = s->now;
    if (olock_task_begin_update(w->t, "hot", s->key, add_one, NULL) != OLOCK_OK) { s->errors++; w->event = EV_NONE; return; }
    drive(s, w);
}

static void drive(sim *s, writer *w) {
    const olock_http_request *req = NULL;
    uint64_t wait = 0;
    olock_write_result wr;
    olock_error err;
    olock_result rc;
    olock_task_state st = olock_task_poll(w->t, s->now / 1000, &req, &wait);
    if (st == OLOCK_TASK_SEND) {
        w->req = req;
        w->res = olock_task_response(w->t);
        w->event = EV_ARRIVE;
        w->at = s->now + one_way(s);
        return;
    }
    if (st == OLOCK_TASK_WAIT) {
        w->event = EV_WAKE;
        w->at = (s->now / 1000 + wait) * 1000;   /* the start of the millisecond the task waits for */
        return;
    }
    memset(&wr, 0, sizeof wr);
    rc = olock_task_result(w->t, &wr, &err);
    s->requests += wr.requests;
    if (wr.requests > s->max_requests) s->max_requests = wr.requests;
    if (s->now - w->call_start > s->max_latency_us) s->max_latency_us = s->now - w->call_start;
    if (rc == OLOCK_OK) s->commits++;
    else {
        if (rc == OLOCK_ERR_TOO_MANY_CONFLICTS) s->gave_up++; else s->errors++;
        memcpy(s->last_error, err.message, sizeof s->last_error);
    }
    start_call(s, w);
}

/* k writers, per_writer increments each, from a fresh fake; returns the final count. */
static int64_t sim_run(sim *s, int k, int per_writer, uint64_t seed) {
    olock_client *admin;
    olock_config cfg;
    int i;
    int64_t final;
    memset(s, 0, sizeof *s);
    s->k = k;
    s->per_writer = per_writer;
    s->rng = seed * 0x9E3779B97F4A7C15ull + 1;
    s->key = key_of("counter");
    if (olock_fake_create(NULL, &s->fake) != OLOCK_OK) return -1;
    s->ft = olock_fake_transport(s->fake);
    for (i = 0; i < k; i++) {
        writer *w = &s->w[i];
        w->s = s;
        cfg = olock_config_default();          /* the defaults, but for the clock and the dice */
        cfg.transport = s->ft;
        cfg.ignore_environment = 1;
        cfg.hook_user = w;
        cfg.now_ms = sim_now_ms;
        cfg.sleep_ms = sim_sleep;
        cfg.random_u64 = sim_random;
        if (olock_client_create(&cfg, &w->c, NULL) != OLOCK_OK || olock_task_create(w->c, &w->t) != OLOCK_OK) return -1;
    }
    admin = s->w[0].c;
    create_table(admin, "hot");
    for (i = 0; i < k; i++) start_call(s, &s->w[i]);
    for (;;) {
        writer *w = NULL;
        for (i = 0; i < k; i++)
            if (s->w[i].event != EV_NONE && (!w || s->w[i].at < w->at)) w = &s->w[i];
        if (!w) break;
        s->now = w->at;
        if (w->event == EV_ARRIVE) {
            /* served one at a time (100 us each), applied on arrival, answered when served */
            uint64_t start = s->server_free > s->now ? s->server_free : s->now;
            s->server_free = start + 100;
            olock_http_response_reset(w->res);
            w->sent = s->ft.send(s->ft.user, w->req, w->res);
            w->event = EV_ANSWER;
            w->at = s->server_free + one_way(s);
        } else if (w->event == EV_ANSWER) {
            olock_task_complete(w->t, w->sent);
            drive(s, w);
        } else {
            drive(s, w);
        }
    }
    final = read_counter(admin, "hot", "counter");
    for (i = 0; i < k; i++) {
        olock_task_destroy(s->w[i].t);
        olock_client_destroy(s->w[i].c);
    }
    olock_fake_destroy(s->fake);
    return final;
}

TEST(test_hot_item_commits_with_defaults) {
    static sim s;
    unsigned long requests;
    uint64_t end;
    int64_t final = sim_run(&s, 8, 150, 1);
    CHECK_EQ_INT(final, 8 * 150);
    CHECK_EQ_INT(s.commits, 8 * 150);
    CHECK_EQ_INT(s.gave_up, 0);
    CHECK_EQ_INT(s.errors, 0);
    if (s.gave_up || s.errors) fprintf(stderr, "  last error: %s\n", s.last_error);
    /* Not timed, but bounded: no update came near the budget (100 writes, 2 s). */
    CHECK(s.max_requests < 50);
    CHECK(s.max_latency_us < 1000000);
    printf("8 writers x 150: %lu commits, %.2f requests per update (most %lu), longest update %.1f ms (virtual)\n",
           s.commits, (double)s.requests / (double)s.commits, s.max_requests, (double)s.max_latency_us / 1000);
    /* The hooks make it repeatable: the same seed, the same run. */
    requests = s.requests;
    end = s.now;
    final = sim_run(&s, 8, 150, 1);
    CHECK_EQ_INT(final, 8 * 150);
    CHECK_EQ_INT(s.requests, requests);
    CHECK_EQ_INT(s.now, end);
    /* Sixteen writers get through as well. */
    final = sim_run(&s, 16, 40, 2);
    CHECK_EQ_INT(final, 16 * 40);
    CHECK_EQ_INT(s.commits, 16 * 40);
    printf("16 writers x 40: %lu commits, %.2f requests per update (most %lu), longest update %.1f ms (virtual)\n",
           s.commits, (double)s.requests / (double)s.commits, s.max_requests, (double)s.max_latency_us / 1000);
}

/* ---- a livelocked item -------------------------------------------------------------------- */

/* A blocking client's transport: the fake, after a virtual round trip of rtt_ms. */
typedef struct slow {
    olock_transport inner;
    uint64_t now_ms, rtt_ms;
    unsigned long writes;          /* conditional writes sent */
} slow;

static olock_result slow_send(void *user, const olock_http_request *req, olock_http_response *res) {
    slow *s = (slow *)user;
    size_t i;
    for (i = 0; i < req->header_count; i++)
        if (strcmp(req->headers[i].name, "X-Amz-Target") == 0 && !strstr(req->headers[i].value, "GetItem")) s->writes++;
    s->now_ms += s->rtt_ms;
    return s->inner.send(s->inner.user, req, res);
}
static uint64_t slow_now(void *u) { return ((slow *)u)->now_ms; }
static void slow_sleep(void *u, uint64_t ms) { ((slow *)u)->now_ms += ms; }
static uint64_t slow_random(void *u) { static uint64_t r = 7; (void)u; return xorshift(&r); }

/* olock_update with the defaults against an item whose version moves before every write. */
static olock_result livelocked_update(uint64_t rtt_ms, slow *s, olock_write_result *res, olock_error *err) {
    olock_fake *fake = NULL;
    olock_config cfg = olock_config_default();
    olock_client *c = NULL;
    olock_result rc;
    memset(s, 0, sizeof *s);
    if (olock_fake_create(NULL, &fake) != OLOCK_OK) return OLOCK_ERR_NOMEM;
    s->inner = olock_fake_transport(fake);
    s->rtt_ms = rtt_ms;
    cfg.transport.user = s;
    cfg.transport.send = slow_send;
    cfg.ignore_environment = 1;
    cfg.hook_user = s;
    cfg.now_ms = slow_now;
    cfg.sleep_ms = slow_sleep;
    cfg.random_u64 = slow_random;
    if (olock_client_create(&cfg, &c, NULL) != OLOCK_OK) { olock_fake_destroy(fake); return OLOCK_ERR_NOMEM; }
    create_table(c, "live");
    CHECK(olock_update(c, "live", key_of("x"), add_one, NULL, res, err) == OLOCK_OK);   /* the item exists */
    s->writes = 0;
    s->now_ms = 0;
    /* A competitor bumps the version just before each conditional write, for ever. */
    CHECK(olock_fake_inject(fake, OLOCK_FAKE_FAULT_CONFLICT, UINT_MAX, (olock_op)0, NULL) == OLOCK_OK);
    rc = olock_update(c, "live", key_of("x"), add_one, NULL, res, err);
    olock_client_destroy(c);
    olock_fake_destroy(fake);
    return rc;
}

TEST(test_livelocked_item_ends_within_the_bound) {
    slow s;
    olock_write_result res;
    olock_error err;
    olock_result rc;
    char want[64];
    /* A fast network: the cap on writes ends it (100 writes, in far less than 2 s). */
    rc = livelocked_update(1, &s, &res, &err);
    CHECK(rc == OLOCK_ERR_TOO_MANY_CONFLICTS);
    CHECK_EQ_INT(err.code, OLOCK_ERR_TOO_MANY_CONFLICTS);
    CHECK_EQ_INT(s.writes, 100);
    CHECK_EQ_INT(res.conflicts, 100);
    CHECK(s.now_ms < 2000);
    CHECK(strstr(err.message, "conflict budget exhausted") != NULL);
    CHECK(strstr(err.message, "100 writes in ") != NULL);
    CHECK(strstr(err.message, "conflict_time_ms 2000") != NULL && strstr(err.message, "conflict_attempts_max 100") != NULL);
    printf("livelock, 1 ms round trip: %s\n", err.message);
    /* A slower network (20 ms round trips): the time budget ends it, after about 2 s and more
       than conflict_attempts writes. */
    rc = livelocked_update(20, &s, &res, &err);
    CHECK(rc == OLOCK_ERR_TOO_MANY_CONFLICTS);
    CHECK(s.writes > 10 && s.writes < 100);
    CHECK_EQ_INT(res.conflicts, s.writes);
    CHECK(s.now_ms >= 2000 && s.now_ms <= 2000 + 3 * 20);   /* past 2 s: at most a wait (<= 1 round trip) and a write */
    snprintf(want, sizeof want, "%lu writes in ", s.writes);
    CHECK(strstr(err.message, want) != NULL);
    printf("livelock, 20 ms round trip: %s\n", err.message);
    /* A far network (100 ms round trips): 32 of them (the wait's horizon) are more than the 2 s
       budget; the horizon stops at half of it, so the update still writes in the other half and
       ends at about 2 s, not after waiting 3.2 s and then its 10 writes. */
    rc = livelocked_update(100, &s, &res, &err);
    CHECK(rc == OLOCK_ERR_TOO_MANY_CONFLICTS);
    CHECK(s.writes >= 10 && s.writes < 100);
    CHECK(s.now_ms >= 2000 && s.now_ms <= 2000 + 3 * 100);
    printf("livelock, 100 ms round trip: %s\n", err.message);
}

int main(void) {
    olock_arena_init(&g_arena, NULL);
    RUN(test_hot_item_commits_with_defaults);
    RUN(test_livelocked_item_ends_within_the_bound);
    olock_arena_free(&g_arena);
    return TEST_MAIN_END();
}
