/* bench_engine: the versioned engine.

   Part A, client CPU per request. A "null" transport answers every request at once with a
   canned DynamoDB success (status 200, the headers DynamoDB sends, x-amz-crc32 included, and
   `{}` for PutItem/UpdateItem or `{"Item":...}` for GetItem), so what is timed is olock's own
   work: building the expressions and the request body, signing, decoding and checking the
   response, running the state machine. The null transport's own cost is timed alone and
   shown. One reused client; allocations counted in steady state with a counting allocator.

   Part B, requests per committed update with k = 1, 4, 16 writers on one item, on the
   in-process fake: olock_update (no cache; cache_entries = 16) against the seed's algorithm
   (GetItem, then an UpdateItem conditioned on the version, GetItem again on a conflict).
   Everything runs in one thread, in virtual time: each writer is a state machine (an
   olock_task for olock, a small hand-written one for the seed); every request reaches the fake
   after a one-way latency drawn from a seeded PRNG and its response comes back after another,
   and deliveries happen in virtual-time order, so writers interleave as over a network. Two
   workloads (back to back; paced by a think time), plus two rows that are not targets: olock
   with its default conflict budget, and an experiment in which the driver waits a jittered
   delay after repeated conflicts (what a conflict backoff in the engine would do).

   Part A also times the typed read-modify-write (olock_record_update, issue 16) on the same
   player: the struct below describes every attribute but the mixed "inventory" list, which the
   write-back carries through untouched, and its function adds 1 to the gold as the untyped
   add_gold does; the ratio typed / untyped is measured side by side (target: <= 1.2, and zero
   allocations).

   Targets (issue 5): client CPU < 3 us per versioned UpdateItem request; zero heap
   allocations per versioned update in steady state; requests per update <= 0.55x the seed's
   under contention, and exactly 1.0 with a warm cache and no contention. */
#define OLOCK_IMPLEMENTATION
#define OLOCK_FAKE_IMPLEMENTATION
#include "olock.h"
#include "olock_fake.h"
#include "bench_util.h"
#include "bench_player.h"
#include <math.h>

static volatile size_t g_sink;

/* =============================================================================================
   Part A: client CPU per request, over a null transport
   ========================================================================================== */

static bench_counts g_counts;
static olock_allocator g_alloc;

typedef struct null_transport {
    olock_buf get_body;            /* {"Item": <player at version 41>} */
    char get_crc[16], empty_crc[16];
    unsigned long sends, signed_sends;
} null_transport;

static const char *header_value(const olock_http_request *req, const char *name) {
    size_t i;
    for (i = 0; i < req->header_count; i++)
        if (strcmp(req->headers[i].name, name) == 0) return req->headers[i].value;
    return NULL;
}

#define ADD_HEADER(res, n, v) olock_http_response_add_header((res), (n), sizeof(n) - 1, (v), strlen(v))

static olock_result null_send(void *user, const olock_http_request *req, olock_http_response *res) {
    null_transport *nt = (null_transport *)user;
    const char *target = header_value(req, "X-Amz-Target");
    int is_get = target && strcmp(target, "DynamoDB_20120810.GetItem") == 0;
    const char *body = is_get ? nt->get_body.data : "{}";
    size_t len = is_get ? nt->get_body.len : 2;
    char clen[24];
    nt->sends++;
    if (header_value(req, "Authorization")) nt->signed_sends++;
    snprintf(clen, sizeof clen, "%lu", (unsigned long)len);
    res->status = 200;
    if (ADD_HEADER(res, "x-amzn-RequestId", "N0T4REALREQUESTIDV4KQNSO5AEMVJF66Q9ASUAAJG") != OLOCK_OK ||
        ADD_HEADER(res, "x-amz-crc32", is_get ? nt->get_crc : nt->empty_crc) != OLOCK_OK ||
        ADD_HEADER(res, "Content-Type", "application/x-amz-json-1.0") != OLOCK_OK ||
        ADD_HEADER(res, "Content-Length", clen) != OLOCK_OK)
        return OLOCK_ERR_NOMEM;
    return olock_http_response_append(res, body, len);
}

/* The bench player as a C struct (typed records): decoded whole on every attempt. */
struct bench_wl { uint32_t wins, losses, mmr; };
static const olock_field bench_wl_fields[] = {
    OLOCK_FIELD_UINT(struct bench_wl, wins, 0), OLOCK_FIELD_UINT(struct bench_wl, losses, 0), OLOCK_FIELD_UINT(struct bench_wl, mmr, 0),
};
static const olock_record_type bench_wl_type = OLOCK_RECORD_TYPE(struct bench_wl, bench_wl_fields);
struct bench_modes { struct bench_wl ranked, casual; };
static const olock_field bench_modes_fields[] = {
    OLOCK_FIELD_STRUCT(struct bench_modes, ranked, &bench_wl_type, 0), OLOCK_FIELD_STRUCT(struct bench_modes, casual, &bench_wl_type, 0),
};
static const olock_record_type bench_modes_type = OLOCK_RECORD_TYPE(struct bench_modes, bench_modes_fields);
struct bench_stats { uint32_t kills, deaths, assists; uint64_t playtime_s; double kd; struct bench_modes modes; };
static const olock_field bench_stats_fields[] = {
    OLOCK_FIELD_UINT(struct bench_stats, kills, 0), OLOCK_FIELD_UINT(struct bench_stats, deaths, 0),
    OLOCK_FIELD_UINT(struct bench_stats, assists, 0), OLOCK_FIELD_UINT(struct bench_stats, playtime_s, 0),
    OLOCK_FIELD_DOUBLE(struct bench_stats, kd, 0), OLOCK_FIELD_STRUCT(struct bench_stats, modes, &bench_modes_type, 0),
};
static const olock_record_type bench_stats_type = OLOCK_RECORD_TYPE(struct bench_stats, bench_stats_fields);
struct bench_rec {
    char id[64];
    uint64_t version;
    char name[64], guild[48];
    uint16_t level;
    uint32_t xp;
    int64_t gold;
    double win_ratio;
    int64_t last_login;
    int premium;
    struct bench_stats stats;
    char achievements[8][32];
    size_t achievement_count;
    uint32_t friends[8];
    size_t friend_count;
    unsigned char loadout_hash[32], avatar[64];
    size_t loadout_hash_len, avatar_len;
};
static const olock_field bench_rec_fields[] = {
    OLOCK_FIELD_STR(struct bench_rec, id, OLOCK_F_HASH_KEY),
    OLOCK_FIELD_UINT(struct bench_rec, version, OLOCK_F_VERSION),
    OLOCK_FIELD_STR(struct bench_rec, name, 0),
    OLOCK_FIELD_STR(struct bench_rec, guild, 0),
    OLOCK_FIELD_UINT(struct bench_rec, level, 0),
    OLOCK_FIELD_UINT(struct bench_rec, xp, 0),
    OLOCK_FIELD_INT(struct bench_rec, gold, 0),
    OLOCK_FIELD_DOUBLE(struct bench_rec, win_ratio, 0),
    OLOCK_FIELD_INT(struct bench_rec, last_login, 0),
    OLOCK_FIELD_BOOL(struct bench_rec, premium, 0),
    OLOCK_FIELD_STRUCT(struct bench_rec, stats, &bench_stats_type, 0),
    OLOCK_FIELD_SET(struct bench_rec, achievements, achievement_count, OLOCK_FK_STR, 0),
    OLOCK_FIELD_SET(struct bench_rec, friends, friend_count, OLOCK_FK_UINT, 0),
    OLOCK_FIELD_BYTES(struct bench_rec, loadout_hash, loadout_hash_len, 0),
    OLOCK_FIELD_BYTES(struct bench_rec, avatar, avatar_len, 0),
};
static const olock_record_type bench_rec_type = OLOCK_RECORD_TYPE(struct bench_rec, bench_rec_fields);

typedef struct cpu_ctx {
    olock_client *c;
    olock_arena arena;             /* keys and request maps */
    olock_item_request req;        /* the caller's part of the versioned UpdateItem */
    const olock_value *key;
    int big;                       /* olock_update mutates the 1 KB player record, else a counter */
    struct bench_rec rec;          /* olock_record_update's struct (its key set) */
    uint64_t version;
    unsigned long requests;
    /* the null transport alone */
    null_transport *nt;
    olock_http_response res;
    olock_http_request null_req;
    olock_http_header null_headers[3];
} cpu_ctx;

static olock_mutation add_gold(void *user, olock_item *it, int exists) {
    int64_t g = 0;
    (void)user;
    if (exists) olock_item_get_i64(it, "gold", &g);
    return olock_item_set_i64(it, "gold", g + 1) == OLOCK_OK ? OLOCK_MUTATE_WRITE : OLOCK_MUTATE_ABORT;
}

static void run_versioned_update(void *ctx, long n) {
    cpu_ctx *x = (cpu_ctx *)ctx;
    long i;
    for (i = 0; i < n; i++) {
        olock_write_result wr;
        if (olock_versioned_update(x->c, &x->req, x->version, &wr, NULL) != OLOCK_OK) abort();
        x->requests += wr.requests;
        g_sink += (size_t)wr.version;
    }
}

static void run_update(void *ctx, long n) {
    cpu_ctx *x = (cpu_ctx *)ctx;
    long i;
    for (i = 0; i < n; i++) {
        olock_write_result wr;
        if (olock_update(x->c, "players", x->key, add_gold, NULL, &wr, NULL) != OLOCK_OK) abort();
        x->requests += wr.requests;
        g_sink += (size_t)wr.version;
    }
}

static olock_mutation add_gold_typed(void *user, void *rec, int exists) {
    (void)user; (void)exists;
    ((struct bench_rec *)rec)->gold += 1;
    return OLOCK_MUTATE_WRITE;
}

static void run_record_update(void *ctx, long n) {
    cpu_ctx *x = (cpu_ctx *)ctx;
    long i;
    for (i = 0; i < n; i++) {
        olock_write_result wr;
        olock_error e;
        if (olock_record_update(x->c, &bench_rec_type, "players", &x->rec, add_gold_typed, NULL, &wr, &e) != OLOCK_OK) {
            fprintf(stderr, "bench_engine: olock_record_update: %s\n", e.message);
            abort();
        }
        x->requests += wr.requests;
        g_sink += (size_t)wr.version;
    }
}

static void run_null_only(void *ctx, long n) {
    cpu_ctx *x = (cpu_ctx *)ctx;
    long i;
    for (i = 0; i < n; i++) {
        olock_http_response_reset(&x->res);
        if (null_send(x->nt, &x->null_req, &x->res) != OLOCK_OK) abort();
        g_sink += x->res.body.len;
    }
}

static olock_client *cpu_client(null_transport *nt, int signed_, unsigned cache) {
    olock_config cfg = olock_config_default();
    olock_client *c = NULL;
    olock_error e;
    cfg.allocator = g_alloc;
    cfg.transport.user = nt;
    cfg.transport.send = null_send;
    cfg.transport.destroy = NULL;
    cfg.ignore_environment = 1;
    cfg.cache_entries = cache;
    if (signed_) {
        cfg.endpoint = "https://dynamodb.eu-west-1.amazonaws.com/";   /* never contacted: the transport is null */
        cfg.region = "eu-west-1";
        cfg.credentials.access_key_id = "AKIAIOSFODNN7EXAMPLE";
        cfg.credentials.secret_access_key = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
    }
    if (olock_client_create(&cfg, &c, &e) != OLOCK_OK) { fprintf(stderr, "bench_engine: client: %s\n", e.message); exit(1); }
    return c;
}

static void cpu_ctx_init(cpu_ctx *x, null_transport *nt, int signed_, unsigned cache, int big) {
    olock_value *key, *names, *values;
    memset(x, 0, sizeof *x);
    x->nt = nt;
    x->c = cpu_client(nt, signed_, cache);
    x->big = big;
    x->version = 41;
    snprintf(x->rec.id, sizeof x->rec.id, "%s", "player#7f3a2c91-1b4e-4c6e-9a57-3d2f0e8b6a11");
    olock_arena_init(&x->arena, &g_alloc);
    key = olock_value_new_container(&x->arena, OLOCK_TYPE_M);
    names = olock_value_new_container(&x->arena, OLOCK_TYPE_M);
    values = olock_value_new_container(&x->arena, OLOCK_TYPE_M);
    if (!key || !names || !values) exit(1);
    olock_map_put(&x->arena, key, "id", 2, bench_s(&x->arena, "player#7f3a2c91-1b4e-4c6e-9a57-3d2f0e8b6a11"));
    olock_map_put(&x->arena, names, "#g", 2, bench_s(&x->arena, "gold"));
    olock_map_put(&x->arena, values, ":d", 2, olock_value_new_i64(&x->arena, 10));
    x->key = key;
    x->req.table = "players";
    x->req.key = key;
    x->req.update = "SET #g = #g + :d";
    x->req.names = names;
    x->req.values = values;
    olock_http_response_init(&x->res, &g_alloc, 0);
    x->null_headers[0].name = "Host"; x->null_headers[0].value = "dynamodb.eu-west-1.amazonaws.com";
    x->null_headers[1].name = "Content-Type"; x->null_headers[1].value = "application/x-amz-json-1.0";
    x->null_headers[2].name = "X-Amz-Target"; x->null_headers[2].value = "DynamoDB_20120810.UpdateItem";
    x->null_req.method = "POST";
    x->null_req.url = "https://dynamodb.eu-west-1.amazonaws.com/";
    x->null_req.headers = x->null_headers;
    x->null_req.header_count = 3;
    x->null_req.body = "{}";
    x->null_req.body_len = 2;
    {   /* one request, to check that the client signs exactly when it is meant to */
        unsigned long before = nt->signed_sends;
        run_versioned_update(x, 1);
        if ((nt->signed_sends != before) != signed_) {
            fprintf(stderr, "bench_engine: the client %s requests\n", signed_ ? "does not sign" : "signs");
            exit(1);
        }
    }
}

static void cpu_ctx_free(cpu_ctx *x) {
    olock_client_destroy(x->c);
    olock_arena_free(&x->arena);
    olock_http_response_free(&x->res);
}

/* The GetItem answer: the player record at version 41, or the small counter item. */
static void null_transport_init(null_transport *nt, int big) {
    olock_item *it = NULL;
    olock_value *root;
    memset(nt, 0, sizeof *nt);
    if (olock_item_create(&g_alloc, &it) != OLOCK_OK) exit(1);
    if (big) {
        root = bench_player(olock_item_arena(it), "player#7f3a2c91-1b4e-4c6e-9a57-3d2f0e8b6a11");
    } else {
        root = olock_value_new_container(olock_item_arena(it), OLOCK_TYPE_M);
        if (root) olock_map_put(olock_item_arena(it), root, "id", 2, bench_s(olock_item_arena(it), "player#7f3a2c91-1b4e-4c6e-9a57-3d2f0e8b6a11"));
        if (root) olock_map_put(olock_item_arena(it), root, "gold", 4, olock_value_new_i64(olock_item_arena(it), 120));
    }
    if (!root) exit(1);
    olock_map_put(olock_item_arena(it), root, "version", 7, olock_value_new_i64(olock_item_arena(it), 41));
    it->root = root;
    olock_buf_init(&nt->get_body, &g_alloc);
    if (olock_buf_append_str(&nt->get_body, "{\"Item\":") != OLOCK_OK || olock_item_write_json(it, &nt->get_body) != OLOCK_OK ||
        olock_buf_append_str(&nt->get_body, "}") != OLOCK_OK) exit(1);
    snprintf(nt->get_crc, sizeof nt->get_crc, "%lu", (unsigned long)olock_crc32(0, nt->get_body.data, nt->get_body.len));
    snprintf(nt->empty_crc, sizeof nt->empty_crc, "%lu", (unsigned long)olock_crc32(0, "{}", 2));
    olock_item_destroy(it);
}

enum { A_VU_UNSIGNED, A_VU_SIGNED, A_RMW_CACHE_SMALL, A_RMW_CACHE_BIG, A_RMW_CACHE_BIG_SIGNED, A_RMW_NOCACHE_BIG_SIGNED,
       A_REC_CACHE_BIG, A_REC_NOCACHE_BIG_SIGNED, A_NULL, A_COUNT };

typedef struct part_a {
    bench_case cases[A_COUNT];
    double allocs[A_COUNT], requests[A_COUNT];
} part_a;

static void run_part_a(part_a *pa, int reps, int argc, char **argv) {
    static null_transport nt_small, nt_big;
    static cpu_ctx ctx[A_COUNT];
    int i;
    null_transport_init(&nt_small, 0);
    null_transport_init(&nt_big, 1);
    cpu_ctx_init(&ctx[A_VU_UNSIGNED], &nt_small, 0, 0, 0);
    cpu_ctx_init(&ctx[A_VU_SIGNED], &nt_small, 1, 0, 0);
    cpu_ctx_init(&ctx[A_RMW_CACHE_SMALL], &nt_small, 0, 16, 0);
    cpu_ctx_init(&ctx[A_RMW_CACHE_BIG], &nt_big, 0, 16, 1);
    cpu_ctx_init(&ctx[A_RMW_CACHE_BIG_SIGNED], &nt_big, 1, 16, 1);
    cpu_ctx_init(&ctx[A_RMW_NOCACHE_BIG_SIGNED], &nt_big, 1, 0, 1);
    cpu_ctx_init(&ctx[A_REC_CACHE_BIG], &nt_big, 0, 16, 1);
    cpu_ctx_init(&ctx[A_REC_NOCACHE_BIG_SIGNED], &nt_big, 1, 0, 1);
    cpu_ctx_init(&ctx[A_NULL], &nt_small, 0, 0, 0);
    bench_case_init(&pa->cases[A_VU_UNSIGNED], "olock_versioned_update, unsigned (in-process style)", run_versioned_update, &ctx[A_VU_UNSIGNED]);
    bench_case_init(&pa->cases[A_VU_SIGNED], "olock_versioned_update, SigV4-signed", run_versioned_update, &ctx[A_VU_SIGNED]);
    bench_case_init(&pa->cases[A_RMW_CACHE_SMALL], "olock_update, warm cache, small item, unsigned", run_update, &ctx[A_RMW_CACHE_SMALL]);
    bench_case_init(&pa->cases[A_RMW_CACHE_BIG], "olock_update, warm cache, 1 KB player, unsigned", run_update, &ctx[A_RMW_CACHE_BIG]);
    bench_case_init(&pa->cases[A_RMW_CACHE_BIG_SIGNED], "olock_update, warm cache, 1 KB player, signed", run_update, &ctx[A_RMW_CACHE_BIG_SIGNED]);
    bench_case_init(&pa->cases[A_RMW_NOCACHE_BIG_SIGNED], "olock_update, no cache (GetItem + PutItem), 1 KB player, signed", run_update, &ctx[A_RMW_NOCACHE_BIG_SIGNED]);
    bench_case_init(&pa->cases[A_REC_CACHE_BIG], "olock_record_update (typed), warm cache, 1 KB player, unsigned", run_record_update, &ctx[A_REC_CACHE_BIG]);
    bench_case_init(&pa->cases[A_REC_NOCACHE_BIG_SIGNED], "olock_record_update (typed), no cache, 1 KB player, signed", run_record_update, &ctx[A_REC_NOCACHE_BIG_SIGNED]);
    bench_case_init(&pa->cases[A_NULL], "the null transport alone (not part of the figures above)", run_null_only, &ctx[A_NULL]);
    if (bench_profile(argc, argv, pa->cases, A_COUNT)) exit(0);
    bench_run(pa->cases, A_COUNT, reps);
    for (i = 0; i < A_COUNT; i++) {
        unsigned long before = ctx[i].requests;
        pa->allocs[i] = bench_allocs_per_op(&pa->cases[i], &g_counts, 2000);
        pa->requests[i] = i == A_NULL ? 1 : (double)(ctx[i].requests - before) / 4000.0;   /* two runs of 2000 */
    }
    for (i = 0; i < A_COUNT; i++) cpu_ctx_free(&ctx[i]);
    olock_buf_free(&nt_small.get_body);
    olock_buf_free(&nt_big.get_body);
}

/* =============================================================================================
   Part B: requests per committed update under contention, in virtual time
   ========================================================================================== */

enum { ALGO_OLOCK, ALGO_OLOCK_CACHE, ALGO_SEED, ALGO_OLOCK_CACHE_BUDGET10, ALGO_OLOCK_CACHE_BACKOFF, ALGO_COUNT };
static const char *const algo_names[ALGO_COUNT] = {
    "olock_update, no cache",
    "olock_update, cache_entries = 16",
    "seed: GetItem + conditional UpdateItem, re-GET on conflict",
    "(info) olock_update, cache, the default conflict budget",
    "(experiment) olock_update, cache, + jittered wait from the 2nd conflict on"
};

#define SIM_MAX_WRITERS 16
#define SIM_TABLE "players"
#define SIM_BUDGET 1000            /* conflict budget standing in for the seed's unbounded retries */

typedef struct sim_event {
    uint64_t t;                    /* virtual microseconds */
    uint64_t seq;                  /* tie-break: order of scheduling */
    int writer;
    int type;
} sim_event;
enum { EV_DELIVER, EV_RESPOND, EV_WAKE };

/* The seed's writer: GetItem (consistent), then UpdateItem gold = read + 1, version = read + 1
   under version = read; on a conflict, GetItem again. */
enum { SEED_GET, SEED_UPDATE };
typedef struct seed_writer {
    int state;
    uint64_t version;
    int64_t gold;
    olock_buf body;
    olock_http_response res;
    olock_arena arena;
    olock_http_header headers[3];
    olock_http_request req;
} seed_writer;

enum { W_THINKING, W_RUNNING, W_DONE };
typedef struct sim_writer {
    struct sim *s;
    int index;
    int state;
    olock_client *c;               /* olock: one client (one cache) per writer, as separate servers */
    olock_task *t;
    const olock_http_request *req; /* in flight */
    olock_http_response *res;
    olock_result sent;
    int last_conflict;             /* from on_attempt: the last request met a conflict */
    unsigned streak;               /* conflicts met by the current update */
    seed_writer seed;
    int remaining;                 /* updates still to start */
} sim_writer;

typedef struct sim {
    int algo, k;
    uint64_t think_us;             /* mean think time between a writer's updates; 0: back to back */
    uint64_t now, rng, seq;
    sim_event heap[4 * SIM_MAX_WRITERS];
    int nheap;
    sim_writer w[SIM_MAX_WRITERS];
    olock_fake *fake;
    olock_transport ft;
    olock_value *key;
    olock_arena arena;
    /* results */
    unsigned long requests, commits, conflicts, gave_up;
    uint64_t end_time;
} sim;

static uint64_t xorshift(uint64_t *st) { *st ^= *st << 13; *st ^= *st >> 7; *st ^= *st << 17; return *st; }

static double sim_uniform(sim *s) { return (double)(xorshift(&s->rng) >> 11) / 9007199254740992.0; }   /* [0, 1) */

static uint64_t sim_exponential(sim *s, double mean) { return (uint64_t)(-mean * log(1.0 - sim_uniform(s))); }

/* One-way latency: 250 us plus an exponential tail of mean 250 us (capped at 5 ms in all). */
static uint64_t sim_latency(sim *s) {
    uint64_t tail = sim_exponential(s, 250.0);
    return 250 + (tail > 4750 ? 4750 : tail);
}

static int ev_before(const sim_event *a, const sim_event *b) { return a->t < b->t || (a->t == b->t && a->seq < b->seq); }

static void sim_push(sim *s, uint64_t t, int writer, int type) {
    int i = s->nheap++;
    sim_event e;
    e.t = t; e.seq = s->seq++; e.writer = writer; e.type = type;
    while (i > 0 && ev_before(&e, &s->heap[(i - 1) / 2])) {
        s->heap[i] = s->heap[(i - 1) / 2];
        i = (i - 1) / 2;
    }
    s->heap[i] = e;
}

static sim_event sim_pop(sim *s) {
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

/* Client hooks: hook_user is the writer. */
static uint64_t sim_now_ms(void *u) { return ((sim_writer *)u)->s->now / 1000; }
static uint64_t sim_random(void *u) { return xorshift(&((sim_writer *)u)->s->rng); }
static void sim_sleep(void *u, uint64_t ms) { ((sim_writer *)u)->s->now += ms * 1000; }
static void sim_on_attempt(void *u, const olock_attempt *a) {
    sim_writer *w = (sim_writer *)u;
    w->last_conflict = a->outcome == OLOCK_CONFLICT;
}

static void sim_send(sim *s, int wi, const olock_http_request *req, olock_http_response *res) {
    s->w[wi].req = req;
    s->w[wi].res = res;
    sim_push(s, s->now + sim_latency(s), wi, EV_DELIVER);
}

/* After an update: think, then start the next one (or stop). */
static void writer_next(sim *s, int wi);

static void writer_after_update(sim *s, int wi) {
    sim_writer *w = &s->w[wi];
    if (w->remaining == 0) { w->state = W_DONE; return; }
    if (s->think_us) {
        w->state = W_THINKING;
        sim_push(s, s->now + sim_exponential(s, (double)s->think_us), wi, EV_WAKE);
        return;
    }
    writer_next(s, wi);
}

/* ---- the seed's writer ---- */

static void seed_build(sim *s, int wi) {
    seed_writer *sw = &s->w[wi].seed;
    olock_item_request r;
    olock_value *names, *values;
    olock_arena_reset(&sw->arena);
    memset(&r, 0, sizeof r);
    r.table = SIM_TABLE;
    r.key = s->key;
    olock_buf_clear(&sw->body);
    if (sw->state == SEED_GET) {
        r.consistent_read = 1;
        if (olock_encode_item_request(OLOCK_OP_GET_ITEM, &r, &sw->body, NULL) != OLOCK_OK) abort();
        sw->headers[2].value = "DynamoDB_20120810.GetItem";
    } else {
        names = olock_value_new_container(&sw->arena, OLOCK_TYPE_M);
        values = olock_value_new_container(&sw->arena, OLOCK_TYPE_M);
        if (!names || !values) abort();
        olock_map_put(&sw->arena, names, "#g", 2, bench_s(&sw->arena, "gold"));
        olock_map_put(&sw->arena, names, "#v", 2, bench_s(&sw->arena, "version"));
        olock_map_put(&sw->arena, values, ":g", 2, olock_value_new_i64(&sw->arena, sw->gold + 1));
        olock_map_put(&sw->arena, values, ":nv", 3, olock_value_new_u64(&sw->arena, sw->version + 1));
        olock_map_put(&sw->arena, values, ":v", 2, olock_value_new_u64(&sw->arena, sw->version));
        r.update = "SET #g = :g, #v = :nv";
        r.condition = "#v = :v";
        r.names = names;
        r.values = values;
        if (olock_encode_item_request(OLOCK_OP_UPDATE_ITEM, &r, &sw->body, NULL) != OLOCK_OK) abort();
        sw->headers[2].value = "DynamoDB_20120810.UpdateItem";
    }
    sw->req.body = sw->body.data;
    sw->req.body_len = sw->body.len;
    sim_send(s, wi, &sw->req, &sw->res);
}

static void seed_on_response(sim *s, int wi) {
    seed_writer *sw = &s->w[wi].seed;
    olock_response res;
    olock_op op = sw->state == SEED_GET ? OLOCK_OP_GET_ITEM : OLOCK_OP_UPDATE_ITEM;
    olock_arena_reset(&sw->arena);
    if (s->w[wi].sent != OLOCK_OK ||
        olock_response_decode(&sw->arena, op, sw->res.status, sw->res.body.data, sw->res.body.len, &res, NULL) != OLOCK_OK) {
        fprintf(stderr, "bench_engine: seed writer: bad response\n");
        exit(1);
    }
    if (sw->state == SEED_GET) {
        const olock_value *g = res.item ? olock_map_get(res.item, "gold", 4) : NULL;
        const olock_value *v = res.item ? olock_map_get(res.item, "version", 7) : NULL;
        if (!g || !v || olock_value_get_i64(g, &sw->gold) != OLOCK_OK || olock_value_get_u64(v, &sw->version) != OLOCK_OK) {
            fprintf(stderr, "bench_engine: seed writer: the item has no gold/version\n");
            exit(1);
        }
        sw->state = SEED_UPDATE;
        seed_build(s, wi);
    } else if (res.error_class == OLOCK_CLASS_NONE) {
        s->commits++;
        writer_after_update(s, wi);
    } else if (res.error_class == OLOCK_CLASS_CONFLICT) {
        s->conflicts++;
        sw->state = SEED_GET;
        seed_build(s, wi);
    } else {
        fprintf(stderr, "bench_engine: seed writer: %s\n", res.error_type ? res.error_type : "error");
        exit(1);
    }
}

/* ---- olock's writer: an olock_task ---- */

static void olock_drive(sim *s, int wi) {
    sim_writer *w = &s->w[wi];
    const olock_http_request *req = NULL;
    uint64_t wait = 0;
    olock_write_result wr;
    olock_result rc;
    olock_task_state st = olock_task_poll(w->t, s->now / 1000, &req, &wait);
    if (st == OLOCK_TASK_SEND) { sim_send(s, wi, req, olock_task_response(w->t)); return; }
    if (st == OLOCK_TASK_WAIT) { sim_push(s, s->now + wait * 1000, wi, EV_WAKE); return; }
    memset(&wr, 0, sizeof wr);
    rc = olock_task_result(w->t, &wr, NULL);
    s->conflicts += wr.conflicts;
    if (rc == OLOCK_OK) s->commits++;
    else if (rc == OLOCK_ERR_TOO_MANY_CONFLICTS) s->gave_up++;
    else { fprintf(stderr, "bench_engine: olock writer: %s\n", olock_result_str(rc)); exit(1); }
    writer_after_update(s, wi);
}

static void olock_on_response(sim *s, int wi) {
    sim_writer *w = &s->w[wi];
    w->last_conflict = 0;
    olock_task_complete(w->t, w->sent);
    if (w->last_conflict) w->streak++;
    if (s->algo == ALGO_OLOCK_CACHE_BACKOFF && w->last_conflict && w->streak >= 2 && w->state == W_RUNNING) {
        /* The first conflict of an update is re-applied at once (it often only means the cache was
           stale); from the second on, full jitter over one round trip, doubling, capped at 16 ms. */
        double ceiling = 1000.0 * (double)(1u << (w->streak - 2 < 4 ? w->streak - 2 : 4));
        sim_push(s, s->now + (uint64_t)(sim_uniform(s) * ceiling), wi, EV_WAKE);
        return;
    }
    olock_drive(s, wi);
}

static void writer_next(sim *s, int wi) {
    sim_writer *w = &s->w[wi];
    w->remaining--;
    w->state = W_RUNNING;
    w->streak = 0;
    if (s->algo == ALGO_SEED) {
        w->seed.state = SEED_GET;
        seed_build(s, wi);
        return;
    }
    if (olock_task_begin_update(w->t, SIM_TABLE, s->key, add_gold, NULL) != OLOCK_OK) abort();
    olock_drive(s, wi);
}

static olock_client *sim_client(sim *s, sim_writer *w, unsigned cache, unsigned budget) {
    olock_config cfg = olock_config_default();
    olock_client *c = NULL;
    cfg.transport = s->ft;
    cfg.ignore_environment = 1;
    cfg.cache_entries = cache;
    cfg.retry.conflict_attempts = budget;
    cfg.hook_user = w;
    cfg.now_ms = sim_now_ms;
    cfg.random_u64 = sim_random;
    cfg.sleep_ms = sim_sleep;
    cfg.on_attempt = sim_on_attempt;
    if (olock_client_create(&cfg, &c, NULL) != OLOCK_OK) exit(1);
    return c;
}

static int64_t sim_read_gold(sim *s) {
    olock_client *c = sim_client(s, &s->w[0], 0, 0);
    olock_item_request r;
    olock_response res;
    int64_t g = -1;
    memset(&r, 0, sizeof r);
    r.table = SIM_TABLE;
    r.key = s->key;
    r.consistent_read = 1;
    if (olock_get_item(c, &r, &res, NULL) == OLOCK_OK && res.item)
        olock_value_get_i64(olock_map_get(res.item, "gold", 4), &g);
    olock_client_destroy(c);
    return g;
}

/* One run: k writers, `per_writer` updates each, after one warm-up update per olock writer. */
static void sim_run(sim *s, int algo, int k, int per_writer, uint64_t think_us, uint64_t seed) {
    olock_client *admin;
    olock_create_table_request ct;
    olock_item_request put;
    olock_value *player;
    int i;
    int64_t gold0, gold1;
    memset(s, 0, sizeof *s);
    s->algo = algo;
    s->k = k;
    s->think_us = think_us;
    s->rng = seed * 0x9E3779B97F4A7C15ull + 1;
    for (i = 0; i < SIM_MAX_WRITERS; i++) { s->w[i].s = s; s->w[i].index = i; }
    if (olock_fake_create(NULL, &s->fake) != OLOCK_OK) exit(1);
    s->ft = olock_fake_transport(s->fake);
    olock_arena_init(&s->arena, NULL);
    s->key = olock_value_new_container(&s->arena, OLOCK_TYPE_M);
    olock_map_put(&s->arena, s->key, "id", 2, bench_s(&s->arena, "player#7f3a2c91-1b4e-4c6e-9a57-3d2f0e8b6a11"));
    admin = sim_client(s, &s->w[0], 0, 0);
    memset(&ct, 0, sizeof ct);
    ct.table = SIM_TABLE; ct.hash_key = "id"; ct.hash_type = OLOCK_TYPE_S;
    player = bench_player(&s->arena, "player#7f3a2c91-1b4e-4c6e-9a57-3d2f0e8b6a11");
    olock_map_put(&s->arena, player, "version", 7, olock_value_new_i64(&s->arena, 1));
    memset(&put, 0, sizeof put);
    put.table = SIM_TABLE;
    put.item = player;
    if (olock_create_table(admin, &ct, NULL, NULL) != OLOCK_OK || olock_put_item(admin, &put, NULL, NULL) != OLOCK_OK) {
        fprintf(stderr, "bench_engine: cannot set up the fake\n");
        exit(1);
    }
    olock_client_destroy(admin);
    for (i = 0; i < k; i++) {
        sim_writer *w = &s->w[i];
        w->remaining = per_writer;
        if (algo == ALGO_SEED) {
            seed_writer *sw = &w->seed;
            olock_buf_init(&sw->body, NULL);
            olock_http_response_init(&sw->res, NULL, 0);
            olock_arena_init(&sw->arena, NULL);
            sw->headers[0].name = "Host"; sw->headers[0].value = "localhost";
            sw->headers[1].name = "Content-Type"; sw->headers[1].value = "application/x-amz-json-1.0";
            sw->headers[2].name = "X-Amz-Target";
            sw->req.method = "POST";
            sw->req.url = "http://localhost/";
            sw->req.headers = sw->headers;
            sw->req.header_count = 3;
        } else {
            /* the warm-up: one blocking update, after which a cache holds the item */
            w->c = sim_client(s, w, algo == ALGO_OLOCK ? 0 : 16, algo == ALGO_OLOCK_CACHE_BUDGET10 ? 10 : SIM_BUDGET);
            if (olock_task_create(w->c, &w->t) != OLOCK_OK ||
                olock_update(w->c, SIM_TABLE, s->key, add_gold, NULL, NULL, NULL) != OLOCK_OK) exit(1);
        }
    }
    gold0 = sim_read_gold(s);
    s->now = 0;
    s->requests = s->commits = s->conflicts = s->gave_up = 0;
    for (i = 0; i < k; i++) {
        s->w[i].state = W_THINKING;
        if (think_us) sim_push(s, sim_exponential(s, (double)think_us), i, EV_WAKE);
        else writer_next(s, i);
    }
    while (s->nheap) {
        sim_event e = sim_pop(s);
        sim_writer *w = &s->w[e.writer];
        s->now = e.t;
        if (e.type == EV_DELIVER) {
            s->requests++;
            olock_http_response_reset(w->res);
            w->sent = s->ft.send(s->ft.user, w->req, w->res);
            sim_push(s, s->now + sim_latency(s), e.writer, EV_RESPOND);
        } else if (e.type == EV_RESPOND) {
            if (algo == ALGO_SEED) seed_on_response(s, e.writer);
            else olock_on_response(s, e.writer);
        } else if (w->state == W_THINKING) {
            writer_next(s, e.writer);
        } else {
            olock_drive(s, e.writer);
        }
    }
    s->end_time = s->now;
    gold1 = sim_read_gold(s);
    if (gold1 - gold0 != (int64_t)s->commits) {
        fprintf(stderr, "bench_engine: %s, k=%d: gold moved by %lld for %lu commits (lost or doubled updates)\n",
                algo_names[algo], k, (long long)(gold1 - gold0), s->commits);
        exit(1);
    }
    for (i = 0; i < k; i++) {
        sim_writer *w = &s->w[i];
        if (algo == ALGO_SEED) {
            olock_buf_free(&w->seed.body);
            olock_http_response_free(&w->seed.res);
            olock_arena_free(&w->seed.arena);
        } else {
            olock_task_destroy(w->t);
            olock_client_destroy(w->c);
        }
    }
    olock_arena_free(&s->arena);
    olock_fake_destroy(s->fake);
}

typedef struct sim_total {
    unsigned long requests, commits, conflicts, gave_up, started;
    double vtime_us;
} sim_total;

#define NK 3
#define NMODELS 2
static const int g_ks[NK] = { 1, 4, 16 };
static const uint64_t g_think_us[NMODELS] = { 0, 5000 };
static const char *const g_model_names[NMODELS] = { "back to back", "paced (think 5 ms)" };
static sim_total g_tot[NMODELS][NK][ALGO_COUNT];

static double rpu(int m, int ki, int a) { return (double)g_tot[m][ki][a].requests / (double)g_tot[m][ki][a].commits; }

int main(int argc, char **argv) {
    enum { SEEDS = 5, PER_WRITER = 200 };
    static part_a pa;
    static sim s;
    int reps = bench_reps(31), i, a, ki, m;
    char measured[200], target[200];

    g_alloc = bench_allocator(&g_counts);
    run_part_a(&pa, reps, argc, argv);

    for (m = 0; m < NMODELS; m++) {
        for (ki = 0; ki < NK; ki++) {
            for (a = 0; a < ALGO_COUNT; a++) {
                int sd;
                for (sd = 1; sd <= SEEDS; sd++) {
                    sim_total *t = &g_tot[m][ki][a];
                    sim_run(&s, a, g_ks[ki], PER_WRITER, g_think_us[m], (uint64_t)sd);
                    t->requests += s.requests;
                    t->commits += s.commits;
                    t->conflicts += s.conflicts;
                    t->gave_up += s.gave_up;
                    t->started += (unsigned long)g_ks[ki] * PER_WRITER;
                    t->vtime_us += (double)s.end_time;
                }
            }
        }
    }

    printf("## Engine A: client CPU per request (null transport, reused client)\n\n");
    printf("Best batch in us per operation, median in brackets, %d interleaved batches of ~%.0f ms each;\n"
           "per request = best per operation / requests per operation. The transport answers at once with\n"
           "a canned 200 (headers and x-amz-crc32 as DynamoDB sends them); its own cost, the last row, is\n"
           "included in the rows above it.\n\n", reps, BENCH_BATCH_MS);
    printf("| operation | us/op | requests/op | us/request | allocs/op |\n| --- | --- | --- | --- | --- |\n");
    for (i = 0; i < A_COUNT; i++) {
        bench_case *c = &pa.cases[i];
        printf("| %s | %.3f (%.3f) | %.2f | %.3f | %.2f |\n", c->name, c->best / 1000, c->median / 1000, pa.requests[i],
               c->best / 1000 / pa.requests[i], pa.allocs[i]);
    }

    printf("\n## Engine B: requests per committed update, k writers on one item (in-process fake)\n\n");
    printf("Virtual time, one thread. One-way latency 250 us + an exponential tail of mean 250 us (so a\n"
           "round trip averages 1 ms), drawn from the same seeded PRNG for every algorithm. Two workloads:\n"
           "`back to back` (each writer starts its next update as soon as one ends: saturation) and\n"
           "`paced` (exponential think time, mean 5 ms, between a writer's updates). %d updates per writer\n"
           "after one warm-up update per olock writer (so caches are warm), %d seeds, totals over the\n"
           "seeds. The item is the 1 KB player record; each update adds 1 to its gold, and the final\n"
           "gold is checked (no lost or doubled update). olock's conflict budget is set to %d writes to\n"
           "match the seed's unbounded retries, except in the `(info)` row, which keeps the default budget\n"
           "(its give-ups are updates that did not commit). The `(experiment)` row is not olock's behaviour:\n"
           "after the second and later conflicts of one update, the bench driver waits a jittered delay\n"
           "(full jitter: uniform in [0, 1 ms x 2^(n-2)], capped at 16 ms) before letting the task send\n"
           "its next write, on top of the engine's own wait; the first conflict is re-applied at once.\n\n", PER_WRITER, SEEDS, SIM_BUDGET);
    printf("| workload | k | algorithm | requests/update | conflicts/update | gave up | virtual ms/update | vs seed |\n");
    printf("| --- | --- | --- | --- | --- | --- | --- | --- |\n");
    for (m = 0; m < NMODELS; m++) {
        for (ki = 0; ki < NK; ki++) {
            for (a = 0; a < ALGO_COUNT; a++) {
                sim_total *t = &g_tot[m][ki][a];
                printf("| %s | %d | %s | %.3f | %.3f | %lu of %lu | %.3f | %.2f |\n", g_model_names[m], g_ks[ki], algo_names[a],
                       rpu(m, ki, a), (double)t->conflicts / (double)t->commits, t->gave_up, t->started,
                       t->vtime_us / 1000 / (double)t->commits, rpu(m, ki, a) / rpu(m, ki, ALGO_SEED));
            }
        }
    }

    bench_targets_header();
    snprintf(measured, sizeof measured, "%.3f us best, %.3f us median", pa.cases[A_VU_SIGNED].best / 1000, pa.cases[A_VU_SIGNED].median / 1000);
    bench_target("engine", "client CPU per versioned UpdateItem < 3 us (SigV4-signed)", measured, pa.cases[A_VU_SIGNED].best < 3000);
    snprintf(measured, sizeof measured, "%.3f us best, %.3f us median", pa.cases[A_VU_UNSIGNED].best / 1000, pa.cases[A_VU_UNSIGNED].median / 1000);
    bench_target("engine", "client CPU per versioned UpdateItem < 3 us (unsigned)", measured, pa.cases[A_VU_UNSIGNED].best < 3000);
    for (i = 0; i < A_NULL; i++) {
        snprintf(target, sizeof target, "zero allocations in steady state: %s", pa.cases[i].name);
        snprintf(measured, sizeof measured, "%.2f allocs/op", pa.allocs[i]);
        bench_target("engine", target, measured, pa.allocs[i] == 0);
    }
    {   /* typed records: the same update through a struct, side by side with the untyped one */
        static const int typed[2][2] = { { A_REC_CACHE_BIG, A_RMW_CACHE_BIG }, { A_REC_NOCACHE_BIG_SIGNED, A_RMW_NOCACHE_BIG_SIGNED } };
        int k;
        for (k = 0; k < 2; k++) {
            double r = bench_ratio(&pa.cases[typed[k][0]], &pa.cases[typed[k][1]]);
            snprintf(target, sizeof target, "typed update CPU <= 1.2x untyped: %s", pa.cases[typed[k][0]].name);
            snprintf(measured, sizeof measured, "%.3fx (%.3f vs %.3f us best)", r, pa.cases[typed[k][0]].best / 1000, pa.cases[typed[k][1]].best / 1000);
            bench_target("engine", target, measured, r <= 1.2);
        }
    }
    for (m = 0; m < NMODELS; m++) {
        for (ki = 1; ki < NK; ki++) {
            for (a = 0; a < 2; a++) {
                double r = rpu(m, ki, a) / rpu(m, ki, ALGO_SEED);
                snprintf(target, sizeof target, "requests/update <= 0.55x seed: %s, k=%d, %s", g_model_names[m], g_ks[ki], algo_names[a]);
                snprintf(measured, sizeof measured, "%.2fx (%.3f vs %.3f)", r, rpu(m, ki, a), rpu(m, ki, ALGO_SEED));
                bench_target("engine", target, measured, r <= 0.55);
            }
        }
    }
    for (m = 0; m < NMODELS; m++) {
        sim_total *t = &g_tot[m][0][ALGO_OLOCK_CACHE];
        snprintf(target, sizeof target, "exactly 1.0 request/update, warm cache, k=1 (%s)", g_model_names[m]);
        snprintf(measured, sizeof measured, "%.4f (%lu requests, %lu updates)", rpu(m, 0, ALGO_OLOCK_CACHE), t->requests, t->commits);
        bench_target("engine", target, measured, t->requests == t->commits);
    }
    return 0;
}
