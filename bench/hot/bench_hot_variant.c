/* bench_hot_variant.c - k writers incrementing one item, for bench_hot.c. Compiled once per
   engine with -DBENCH_HOT_VARIANT=<symbol> -DBENCH_HOT_NAME="..." and an include path that
   picks the olock.h (and backends) of that engine; OLOCK_STATIC keeps each copy private.
   -DBENCH_HOT_CURL adds the runs against a real server (libcurl).

   Two ways to run the same workload (each writer: `updates` increments of the item's
   "counter", back to back; every call's outcome, requests and latency recorded):
   - run_sim: in virtual time on the in-process fake, in one thread. Each writer is a state
     machine (an olock_task, or the seed's GetItem + conditional UpdateItem); every request
     reaches the fake after a one-way latency (fixed part + exponential tail, seeded PRNG),
     waits its turn at a one-at-a-time server (service time), and its answer comes back after
     another one-way latency. The engine's clock and random source are the simulation's.
   - run_server: threads against a real server (DynamoDB Local) through libcurl, one client
     (one connection) per writer, the engine's defaults and the real clock. */
#define _POSIX_C_SOURCE 200809L
#define OLOCK_STATIC
#define OLOCK_IMPLEMENTATION
#define OLOCK_FAKE_IMPLEMENTATION
#include "olock.h"
#include "olock_fake.h"
#ifdef BENCH_HOT_CURL
#  define OLOCK_CURL_IMPLEMENTATION
#  include "olock_curl.h"
#endif
#include "bench_hot.h"
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#ifndef BENCH_HOT_VARIANT
#  error "define BENCH_HOT_VARIANT (the exported symbol) and BENCH_HOT_NAME"
#endif

#define HOT_MAX_WRITERS 64

/* ---- the change: counter + 1 --------------------------------------------------------------- */

static olock_mutation increment(void *user, olock_item *it, int exists) {
    int64_t n = 0;
    (void)user;
    if (exists && olock_item_get(it, "counter")) olock_item_get_i64(it, "counter", &n);
    return olock_item_set_i64(it, "counter", n + 1) == OLOCK_OK ? OLOCK_MUTATE_WRITE : OLOCK_MUTATE_ABORT;
}

static olock_value *key_of(olock_arena *a, const char *id) {
    olock_value *k = olock_value_new_container(a, OLOCK_TYPE_M);
    if (k) olock_map_put(a, k, "id", 2, olock_value_new_s(a, id, strlen(id)));
    return k;
}

/* The item at version 1, counter 0 (unconditional put). */
static int put_start_item(olock_client *c, const char *table, const char *id) {
    olock_arena a;
    olock_item_request r;
    olock_value *item;
    int ok;
    olock_arena_init(&a, NULL);
    item = key_of(&a, id);
    olock_map_put(&a, item, "counter", 7, olock_value_new_i64(&a, 0));
    olock_map_put(&a, item, "version", 7, olock_value_new_i64(&a, 1));
    memset(&r, 0, sizeof r);
    r.table = table;
    r.item = item;
    ok = olock_put_item(c, &r, NULL, NULL) == OLOCK_OK;
    olock_arena_free(&a);
    return ok;
}

static long long read_counter(olock_client *c, const char *table, const char *id) {
    olock_arena a;
    olock_item_request r;
    olock_response res;
    int64_t n = -1;
    olock_arena_init(&a, NULL);
    memset(&r, 0, sizeof r);
    r.table = table;
    r.key = key_of(&a, id);
    r.consistent_read = 1;
    if (olock_get_item(c, &r, &res, NULL) == OLOCK_OK && res.item)
        olock_value_get_i64(olock_map_get(res.item, "counter", 7), &n);
    olock_arena_free(&a);
    return n;
}

/* The seed's write: counter = read + 1, version = read + 1 if version = read. */
static olock_result seed_encode(olock_arena *a, const olock_value *key, const char *table, int get, int64_t counter,
                                uint64_t version, olock_buf *body) {
    olock_item_request r;
    memset(&r, 0, sizeof r);
    r.table = table;
    r.key = key;
    olock_buf_clear(body);
    if (get) {
        r.consistent_read = 1;
        return olock_encode_item_request(OLOCK_OP_GET_ITEM, &r, body, NULL);
    } else {
        olock_value *names = olock_value_new_container(a, OLOCK_TYPE_M), *values = olock_value_new_container(a, OLOCK_TYPE_M);
        if (!names || !values) return OLOCK_ERR_NOMEM;
        olock_map_put(a, names, "#c", 2, olock_value_new_s(a, "counter", 7));
        olock_map_put(a, names, "#v", 2, olock_value_new_s(a, "version", 7));
        olock_map_put(a, values, ":c", 2, olock_value_new_i64(a, counter + 1));
        olock_map_put(a, values, ":nv", 3, olock_value_new_u64(a, version + 1));
        olock_map_put(a, values, ":v", 2, olock_value_new_u64(a, version));
        r.update = "SET #c = :c, #v = :nv";
        r.condition = "#v = :v";
        r.names = names;
        r.values = values;
        return olock_encode_item_request(OLOCK_OP_UPDATE_ITEM, &r, body, NULL);
    }
}

/* Reads counter and version from a GetItem answer. */
static int seed_read(const olock_value *item, int64_t *counter, uint64_t *version) {
    const olock_value *c = item ? olock_map_get(item, "counter", 7) : NULL;
    const olock_value *v = item ? olock_map_get(item, "version", 7) : NULL;
    return c && v && olock_value_get_i64(c, counter) == OLOCK_OK && olock_value_get_u64(v, version) == OLOCK_OK;
}

/* =============================================================================================
   Virtual time, on the fake
   ========================================================================================== */

enum { EV_ARRIVE, EV_ANSWER, EV_WAKE };
enum { SEED_GET, SEED_WRITE };

typedef struct sim_event { uint64_t t, seq; int writer, type; } sim_event;

typedef struct sim_writer {
    struct sim *s;
    olock_client *c;
    olock_task *t;
    const olock_http_request *req;
    olock_http_response *res;
    olock_result sent;
    int done_calls;
    uint64_t call_start;           /* virtual us */
    /* the seed */
    int seed_state;
    unsigned seed_writes;
    unsigned long seed_requests;
    int64_t counter;
    uint64_t version;
    olock_buf body;
    olock_http_response sres;
    olock_arena arena;
    olock_http_header headers[3];
    olock_http_request sreq;
} sim_writer;

typedef struct sim {
    const hot_params *p;
    hot_stats *st;
    uint64_t now, rng, seq, server_free;
    sim_event *heap;
    int nheap;
    sim_writer w[HOT_MAX_WRITERS];
    olock_fake *fake;
    olock_transport ft;
    olock_arena arena;
    olock_value *key;
} sim;

static uint64_t xorshift(uint64_t *s) { *s ^= *s << 13; *s ^= *s >> 7; *s ^= *s << 17; return *s; }
static double uniform01(uint64_t *s) { return (double)(xorshift(s) >> 11) / 9007199254740992.0; }

static uint64_t one_way(sim *s) {
    double tail = s->p->tail_us > 0 ? -s->p->tail_us * log(1.0 - uniform01(&s->rng)) : 0;
    if (tail > 20 * s->p->tail_us) tail = 20 * s->p->tail_us;
    return (uint64_t)(s->p->one_way_us + tail);
}

static int ev_before(const sim_event *a, const sim_event *b) { return a->t < b->t || (a->t == b->t && a->seq < b->seq); }

static void push(sim *s, uint64_t t, int writer, int type) {
    int i = s->nheap++;
    sim_event e;
    e.t = t; e.seq = s->seq++; e.writer = writer; e.type = type;
    while (i > 0 && ev_before(&e, &s->heap[(i - 1) / 2])) { s->heap[i] = s->heap[(i - 1) / 2]; i = (i - 1) / 2; }
    s->heap[i] = e;
}

static sim_event pop(sim *s) {
    sim_event top = s->heap[0], last = s->heap[--s->nheap];
    int i = 0;
    for (;;) {
        int l = 2 * i + 1, r = l + 1, m = i;
        const sim_event *best = &last;
        if (l < s->nheap && ev_before(&s->heap[l], best)) { m = l; best = &s->heap[l]; }
        if (r < s->nheap && ev_before(&s->heap[r], best)) m = r;
        if (m == i) break;
        s->heap[i] = s->heap[m];
        i = m;
    }
    if (s->nheap) s->heap[i] = last;
    return top;
}

static uint64_t sim_now_ms(void *u) { return ((sim_writer *)u)->s->now / 1000; }
static uint64_t sim_random(void *u) { return xorshift(&((sim_writer *)u)->s->rng); }
static void sim_sleep(void *u, uint64_t ms) { ((sim_writer *)u)->s->now += ms * 1000; }

static void sim_send(sim *s, int wi, const olock_http_request *req, olock_http_response *res) {
    s->w[wi].req = req;
    s->w[wi].res = res;
    push(s, s->now + one_way(s), wi, EV_ARRIVE);
}

static void call_done(sim *s, int wi, int committed, int gave_up, unsigned long requests, const char *msg) {
    sim_writer *w = &s->w[wi];
    hot_stats *st = s->st;
    st->latency_us[st->calls] = (double)(s->now - w->call_start);
    st->calls++;
    st->requests += requests;
    if (requests > st->max_requests) st->max_requests = requests;
    if (committed) st->commits++;
    else if (gave_up) st->gave_up++;
    else st->errors++;
    if (!committed && msg) snprintf(st->last_error, sizeof st->last_error, "%s", msg);
    w->done_calls++;
}

static void writer_start(sim *s, int wi);

static void seed_send(sim *s, int wi) {
    sim_writer *w = &s->w[wi];
    olock_arena_reset(&w->arena);
    if (seed_encode(&w->arena, s->key, "hot", w->seed_state == SEED_GET, w->counter, w->version, &w->body) != OLOCK_OK) abort();
    w->headers[2].value = w->seed_state == SEED_GET ? "DynamoDB_20120810.GetItem" : "DynamoDB_20120810.UpdateItem";
    w->sreq.body = w->body.data;
    w->sreq.body_len = w->body.len;
    w->seed_requests++;
    sim_send(s, wi, &w->sreq, &w->sres);
}

static void seed_answer(sim *s, int wi) {
    sim_writer *w = &s->w[wi];
    olock_response res;
    olock_op op = w->seed_state == SEED_GET ? OLOCK_OP_GET_ITEM : OLOCK_OP_UPDATE_ITEM;
    olock_arena_reset(&w->arena);
    if (w->sent != OLOCK_OK ||
        olock_response_decode(&w->arena, op, w->sres.status, w->sres.body.data, w->sres.body.len, &res, NULL) != OLOCK_OK) {
        fprintf(stderr, "bench_hot: seed writer: bad response\n");
        exit(1);
    }
    if (w->seed_state == SEED_GET) {
        if (!seed_read(res.item, &w->counter, &w->version)) { fprintf(stderr, "bench_hot: seed: no counter/version\n"); exit(1); }
        w->seed_state = SEED_WRITE;
        w->seed_writes++;
        seed_send(s, wi);
        return;
    }
    if (res.error_class == OLOCK_CLASS_NONE) {
        call_done(s, wi, 1, 0, w->seed_requests, NULL);
    } else if (res.error_class == OLOCK_CLASS_CONFLICT) {
        if (w->seed_writes < s->p->seed_attempts) {
            w->seed_state = SEED_GET;
            seed_send(s, wi);
            return;
        }
        call_done(s, wi, 0, 1, w->seed_requests, "seed: out of attempts");
    } else {
        fprintf(stderr, "bench_hot: seed writer: %s\n", res.error_type ? res.error_type : "error");
        exit(1);
    }
    writer_start(s, wi);
}

static void olock_drive(sim *s, int wi) {
    sim_writer *w = &s->w[wi];
    const olock_http_request *req = NULL;
    uint64_t wait = 0;
    olock_write_result wr;
    olock_error err;
    olock_result rc;
    olock_task_state ts = olock_task_poll(w->t, s->now / 1000, &req, &wait);
    if (ts == OLOCK_TASK_SEND) { sim_send(s, wi, req, olock_task_response(w->t)); return; }
    if (ts == OLOCK_TASK_WAIT) {
        /* wake at the start of the millisecond the task waits for (its clock has ms steps) */
        push(s, (s->now / 1000 + wait) * 1000, wi, EV_WAKE);
        return;
    }
    memset(&wr, 0, sizeof wr);
    rc = olock_task_result(w->t, &wr, &err);
    if (rc != OLOCK_OK && rc != OLOCK_ERR_TOO_MANY_CONFLICTS) {
        fprintf(stderr, "bench_hot: olock writer: %s: %s\n", olock_result_str(rc), err.message);
        exit(1);
    }
    call_done(s, wi, rc == OLOCK_OK, rc == OLOCK_ERR_TOO_MANY_CONFLICTS, wr.requests, err.message);
    writer_start(s, wi);
}

static void writer_start(sim *s, int wi) {
    sim_writer *w = &s->w[wi];
    if (w->done_calls == s->p->updates) return;
    w->call_start = s->now;
    if (s->p->algo == HOT_SEED) {
        w->seed_state = SEED_GET;
        w->seed_writes = 0;
        w->seed_requests = 0;
        seed_send(s, wi);
        return;
    }
    if (olock_task_begin_update(w->t, "hot", s->key, increment, NULL) != OLOCK_OK) abort();
    olock_drive(s, wi);
}

static olock_client *sim_client(sim *s, sim_writer *w) {
    olock_config cfg = olock_config_default();
    olock_client *c = NULL;
    cfg.transport = s->ft;
    cfg.ignore_environment = 1;
    cfg.hook_user = w;
    cfg.now_ms = sim_now_ms;
    cfg.random_u64 = sim_random;
    cfg.sleep_ms = sim_sleep;
    if (olock_client_create(&cfg, &c, NULL) != OLOCK_OK) exit(1);
    return c;
}

static int run_sim(const hot_params *p, hot_stats *st) {
    static sim s;
    olock_client *admin;
    olock_create_table_request ct;
    long long before;
    int i;
    if (p->writers < 1 || p->writers > HOT_MAX_WRITERS) return 1;
    memset(&s, 0, sizeof s);
    s.p = p;
    s.st = st;
    s.rng = p->seed * 0x9E3779B97F4A7C15ull + 1;
    s.heap = (sim_event *)malloc(sizeof *s.heap * (size_t)(4 * p->writers + 4));
    if (!s.heap || olock_fake_create(NULL, &s.fake) != OLOCK_OK) return 1;
    s.ft = olock_fake_transport(s.fake);
    olock_arena_init(&s.arena, NULL);
    s.key = key_of(&s.arena, "hot#1");
    for (i = 0; i < p->writers; i++) s.w[i].s = &s;
    admin = sim_client(&s, &s.w[0]);
    memset(&ct, 0, sizeof ct);
    ct.table = "hot"; ct.hash_key = "id"; ct.hash_type = OLOCK_TYPE_S;
    if (olock_create_table(admin, &ct, NULL, NULL) != OLOCK_OK || !put_start_item(admin, "hot", "hot#1")) return 1;
    before = read_counter(admin, "hot", "hot#1");
    for (i = 0; i < p->writers; i++) {
        sim_writer *w = &s.w[i];
        if (p->algo == HOT_SEED) {
            olock_buf_init(&w->body, NULL);
            olock_http_response_init(&w->sres, NULL, 0);
            olock_arena_init(&w->arena, NULL);
            w->headers[0].name = "Host"; w->headers[0].value = "localhost";
            w->headers[1].name = "Content-Type"; w->headers[1].value = "application/x-amz-json-1.0";
            w->headers[2].name = "X-Amz-Target";
            w->sreq.method = "POST";
            w->sreq.url = "http://localhost/";
            w->sreq.headers = w->headers;
            w->sreq.header_count = 3;
        } else {
            w->c = sim_client(&s, w);
            if (olock_task_create(w->c, &w->t) != OLOCK_OK) return 1;
        }
    }
    memset(st, 0, offsetof(hot_stats, latency_us));
    st->last_error[0] = 0;
    for (i = 0; i < p->writers; i++) writer_start(&s, i);
    while (s.nheap) {
        sim_event e = pop(&s);
        sim_writer *w = &s.w[e.writer];
        s.now = e.t;
        if (e.type == EV_ARRIVE) {
            /* one request at a time: it is applied when it arrives, answered when served */
            uint64_t start = s.server_free > s.now ? s.server_free : s.now;
            s.server_free = start + (uint64_t)p->service_us;
            olock_http_response_reset(w->res);
            w->sent = s.ft.send(s.ft.user, w->req, w->res);
            push(&s, s.server_free + one_way(&s), e.writer, EV_ANSWER);
        } else if (e.type == EV_ANSWER) {
            if (p->algo == HOT_SEED) seed_answer(&s, e.writer);
            else { olock_task_complete(w->t, w->sent); olock_drive(&s, e.writer); }
        } else {
            olock_drive(&s, e.writer);
        }
    }
    st->elapsed_us = (double)s.now;
    st->counter_delta = read_counter(admin, "hot", "hot#1") - before;
    for (i = 0; i < p->writers; i++) {
        sim_writer *w = &s.w[i];
        if (p->algo == HOT_SEED) {
            olock_buf_free(&w->body);
            olock_http_response_free(&w->sres);
            olock_arena_free(&w->arena);
        } else {
            olock_task_destroy(w->t);
            olock_client_destroy(w->c);
        }
    }
    olock_client_destroy(admin);
    olock_arena_free(&s.arena);
    olock_fake_destroy(s.fake);
    free(s.heap);
    return 0;
}

/* =============================================================================================
   Threads against a real server
   ========================================================================================== */

#ifdef BENCH_HOT_CURL
typedef struct thread_ctx {
    const hot_params *p;
    olock_client *c;
    double *latency_us;            /* this writer's slice */
    unsigned long commits, gave_up, errors, requests, max_requests;
    char last_error[400];
} thread_ctx;

static double wall_us(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

static olock_client *server_client(const hot_params *p) {
    olock_curl_config cc = olock_curl_config_default();
    olock_config cfg = olock_config_default();
    olock_curl *h = NULL;
    olock_client *c = NULL;
    olock_error err;
    cc.connect_timeout_ms = 2000;
    cc.timeout_ms = 10000;
    if (olock_curl_create(&cc, &h) != OLOCK_OK) return NULL;
    cfg.transport = olock_curl_transport(h);
    cfg.endpoint = p->url;
    cfg.region = "us-east-1";
    cfg.credentials.access_key_id = "AKIDLOCAL";
    cfg.credentials.secret_access_key = "secret";
    cfg.ignore_environment = 1;
    if (olock_client_create(&cfg, &c, &err) != OLOCK_OK) { fprintf(stderr, "bench_hot: client: %s\n", err.message); return NULL; }
    return c;
}

/* One seed increment: GetItem, conditional UpdateItem, again on a conflict, up to
   seed_attempts writes. Returns 1 committed, 0 gave up, -1 error. */
static int seed_increment(thread_ctx *x, const olock_value *key, olock_arena *a, olock_buf *body, unsigned long *requests) {
    unsigned writes;
    for (writes = 0; writes < x->p->seed_attempts; writes++) {
        olock_response res;
        olock_error err;
        olock_result rc;
        int64_t counter;
        uint64_t version;
        olock_arena_reset(a);
        if (seed_encode(a, key, x->p->table, 1, 0, 0, body) != OLOCK_OK) return -1;
        rc = olock_client_call(x->c, OLOCK_OP_GET_ITEM, body->data, body->len, &res, &err);
        ++*requests;
        if (rc != OLOCK_OK || !seed_read(res.item, &counter, &version)) {
            snprintf(x->last_error, sizeof x->last_error, "seed GetItem: %s", err.message);
            return -1;
        }
        olock_arena_reset(a);
        if (seed_encode(a, key, x->p->table, 0, counter, version, body) != OLOCK_OK) return -1;
        rc = olock_client_call(x->c, OLOCK_OP_UPDATE_ITEM, body->data, body->len, &res, &err);
        ++*requests;
        if (rc == OLOCK_OK) return 1;
        if (rc != OLOCK_CONFLICT) { snprintf(x->last_error, sizeof x->last_error, "seed UpdateItem: %s", err.message); return -1; }
    }
    snprintf(x->last_error, sizeof x->last_error, "seed: out of attempts");
    return 0;
}

static void *server_writer(void *arg) {
    thread_ctx *x = (thread_ctx *)arg;
    olock_arena a, scratch;
    olock_buf body;
    olock_value *key;
    int i;
    olock_arena_init(&a, NULL);
    olock_arena_init(&scratch, NULL);
    olock_buf_init(&body, NULL);
    key = key_of(&a, x->p->item_id);
    for (i = 0; i < x->p->updates; i++) {
        double t0 = wall_us();
        if (x->p->algo == HOT_SEED) {
            unsigned long req = 0;
            int r = seed_increment(x, key, &scratch, &body, &req);
            x->requests += req;
            if (req > x->max_requests) x->max_requests = req;
            if (r > 0) x->commits++; else if (r == 0) x->gave_up++; else x->errors++;
        } else {
            olock_write_result wr;
            olock_error err;
            olock_result rc;
            memset(&wr, 0, sizeof wr);
            rc = olock_update(x->c, x->p->table, key, increment, NULL, &wr, &err);
            x->requests += wr.requests;
            if (wr.requests > x->max_requests) x->max_requests = wr.requests;
            if (rc == OLOCK_OK) x->commits++;
            else {
                if (rc == OLOCK_ERR_TOO_MANY_CONFLICTS) x->gave_up++; else x->errors++;
                snprintf(x->last_error, sizeof x->last_error, "%s", err.message);
            }
        }
        x->latency_us[i] = wall_us() - t0;
    }
    olock_buf_free(&body);
    olock_arena_free(&scratch);
    olock_arena_free(&a);
    return NULL;
}

static int run_server(const hot_params *p, hot_stats *st) {
    thread_ctx x[HOT_MAX_WRITERS];
    pthread_t th[HOT_MAX_WRITERS];
    olock_client *admin = server_client(p);
    long long before;
    double t0;
    int i;
    olock_create_table_request ct;
    if (!admin || p->writers < 1 || p->writers > HOT_MAX_WRITERS) return 1;
    memset(&ct, 0, sizeof ct);
    ct.table = p->table; ct.hash_key = "id"; ct.hash_type = OLOCK_TYPE_S;
    olock_create_table(admin, &ct, NULL, NULL);            /* ResourceInUse when it exists: fine */
    if (!put_start_item(admin, p->table, p->item_id)) { fprintf(stderr, "bench_hot: cannot put the item\n"); return 1; }
    before = read_counter(admin, p->table, p->item_id);
    memset(st, 0, offsetof(hot_stats, latency_us));
    st->last_error[0] = 0;
    memset(x, 0, sizeof x);
    for (i = 0; i < p->writers; i++) {
        x[i].p = p;
        x[i].latency_us = st->latency_us + (size_t)i * (size_t)p->updates;
        x[i].c = server_client(p);
        if (!x[i].c) return 1;
    }
    t0 = wall_us();
    for (i = 0; i < p->writers; i++) pthread_create(&th[i], NULL, server_writer, &x[i]);
    for (i = 0; i < p->writers; i++) pthread_join(th[i], NULL);
    st->elapsed_us = wall_us() - t0;
    for (i = 0; i < p->writers; i++) {
        st->calls += (unsigned long)p->updates;
        st->commits += x[i].commits;
        st->gave_up += x[i].gave_up;
        st->errors += x[i].errors;
        st->requests += x[i].requests;
        if (x[i].max_requests > st->max_requests) st->max_requests = x[i].max_requests;
        if (x[i].last_error[0]) memcpy(st->last_error, x[i].last_error, sizeof st->last_error);
        olock_client_destroy(x[i].c);
    }
    st->counter_delta = read_counter(admin, p->table, p->item_id) - before;
    olock_client_destroy(admin);
    return 0;
}
#else
static int run_server(const hot_params *p, hot_stats *st) { (void)p; (void)st; return 2; }
#endif

const hot_variant BENCH_HOT_VARIANT = { BENCH_HOT_NAME, run_sim, run_server };
