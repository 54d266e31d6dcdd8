/* bench_r2_ops: the operations bench_r2 times, written once and compiled against two versions
   of olock.h (see bench_r2.h). Every operation is one the brief of performance round 2 names:
   encode and decode of the 1 KB player item, CRC-32 of it, and a versioned UpdateItem through
   a null transport (as bench/sdk/olock_peer.c does it: the caller's request rebuilt on a reused
   arena, unsigned or SigV4-signed, answered `{}` or with ALL_NEW attributes). */
#define OLOCK_STATIC
#define OLOCK_IMPLEMENTATION
#include "olock.h"
#include "bench_util.h"
#include "bench_player.h"
#include "bench_r2.h"

#ifndef R2_SETUP
#  error "define R2_SETUP (r2_setup_new or r2_setup_old)"
#endif

#define PLAYER_ID "player#7f3a2c91-1b4e-4c6e-9a57-3d2f0e8b6a11"

static const char RESP_EMPTY[] = "{}";
static const char RESP_ALL_NEW[] =
    "{\"Attributes\":{\"gold\":{\"N\":\"130\"},\"id\":{\"S\":\"" PLAYER_ID "\"},"
    "\"title\":{\"S\":\"Dragon Slayer\"},\"version\":{\"N\":\"42\"}}}";

static bench_counts g_counts;
static olock_allocator g_alloc;
static volatile size_t g_sink;

static void die(const char *what) {
    fprintf(stderr, "bench_r2: %s\n", what);
    exit(1);
}

/* ---- codec ---- */

typedef struct codec_ctx {
    olock_item *item;
    olock_buf buf;
    olock_arena arena;
    char *text;
    size_t len;
} codec_ctx;
static codec_ctx g_codec;

static void run_encode(void *ctx, long n) {
    codec_ctx *c = (codec_ctx *)ctx;
    long i;
    for (i = 0; i < n; i++) {
        olock_buf_clear(&c->buf);
        if (olock_item_write_json(c->item, &c->buf) != OLOCK_OK) abort();
        g_sink += c->buf.len;
    }
}

static void run_decode_item(void *ctx, long n) {
    codec_ctx *c = (codec_ctx *)ctx;
    long i;
    for (i = 0; i < n; i++) {
        olock_item *it = NULL;
        if (olock_item_parse_json(c->text, c->len, &g_alloc, &it, NULL) != OLOCK_OK) abort();
        g_sink += it->root->count;
        olock_item_destroy(it);
    }
}

static void run_decode_arena(void *ctx, long n) {
    codec_ctx *c = (codec_ctx *)ctx;
    long i;
    for (i = 0; i < n; i++) {
        olock_json *root = NULL;
        olock_value *v = NULL;
        olock_arena_reset(&c->arena);
        if (olock_json_parse(&c->arena, c->text, c->len, NULL, &root, NULL) != OLOCK_OK ||
            olock_map_from_json(&c->arena, root, &v, NULL) != OLOCK_OK) abort();
        g_sink += v->count;
    }
}

static void run_crc32(void *ctx, long n) {
    codec_ctx *c = (codec_ctx *)ctx;
    long i;
    for (i = 0; i < n; i++) g_sink += olock_crc32(0, c->text, c->len);
}

static void codec_init(codec_ctx *c) {
    olock_item *back = NULL;
    memset(c, 0, sizeof *c);
    if (olock_item_create(&g_alloc, &c->item) != OLOCK_OK) die("out of memory");
    c->item->root = bench_player(olock_item_arena(c->item), PLAYER_ID);
    if (!c->item->root) die("cannot build the record");
    olock_buf_init(&c->buf, &g_alloc);
    olock_arena_init(&c->arena, &g_alloc);
    if (olock_item_write_json(c->item, &c->buf) != OLOCK_OK) die("encode");
    c->len = c->buf.len;
    c->text = (char *)malloc(c->len + 1);
    if (!c->text) die("out of memory");
    memcpy(c->text, c->buf.data, c->len + 1);
    if (olock_item_parse_json(c->text, c->len, &g_alloc, &back, NULL) != OLOCK_OK || !olock_item_equal(c->item, back))
        die("the record does not round-trip");
    olock_item_destroy(back);
}

/* ---- versioned UpdateItem over a null transport ---- */

typedef struct peer_transport {
    const char *body;
    size_t len;
    char crc[16], clen[16];
} peer_transport;

typedef struct peer_case {
    int all_new, signed_;
    peer_transport t;
    olock_client *c;
    olock_arena arena;
} peer_case;
static peer_case g_peer[3];

#define ADD_HEADER(res, n, v) olock_http_response_add_header((res), (n), sizeof(n) - 1, (v), strlen(v))

static olock_result peer_send(void *user, const olock_http_request *req, olock_http_response *res) {
    peer_transport *t = (peer_transport *)user;
    (void)req;
    res->status = 200;
    if (ADD_HEADER(res, "x-amzn-RequestId", "N0T4REALREQUESTIDV4KQNSO5AEMVJF66Q9ASUAAJG") != OLOCK_OK ||
        ADD_HEADER(res, "x-amz-crc32", t->crc) != OLOCK_OK ||
        ADD_HEADER(res, "Content-Type", "application/x-amz-json-1.0") != OLOCK_OK ||
        ADD_HEADER(res, "Content-Length", t->clen) != OLOCK_OK)
        return OLOCK_ERR_NOMEM;
    return olock_http_response_append(res, t->body, t->len);
}

static void peer_init(peer_case *pc, int signed_, int all_new) {
    olock_config cfg = olock_config_default();
    olock_error e;
    pc->signed_ = signed_;
    pc->all_new = all_new;
    pc->t.body = all_new ? RESP_ALL_NEW : RESP_EMPTY;
    pc->t.len = strlen(pc->t.body);
    snprintf(pc->t.crc, sizeof pc->t.crc, "%lu", (unsigned long)olock_crc32(0, pc->t.body, pc->t.len));
    snprintf(pc->t.clen, sizeof pc->t.clen, "%lu", (unsigned long)pc->t.len);
    cfg.allocator = g_alloc;
    cfg.transport.user = &pc->t;
    cfg.transport.send = peer_send;
    cfg.transport.destroy = NULL;
    cfg.ignore_environment = 1;
    cfg.versioning.token_attribute = "";
    if (signed_) {
        cfg.endpoint = "https://dynamodb.eu-west-1.amazonaws.com/";   /* never contacted */
        cfg.region = "eu-west-1";
        cfg.credentials.access_key_id = "AKIAIOSFODNN7EXAMPLE";
        cfg.credentials.secret_access_key = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
    }
    if (olock_client_create(&cfg, &pc->c, &e) != OLOCK_OK) die(e.message);
    olock_arena_init(&pc->arena, &g_alloc);
}

static olock_value *str_value(olock_arena *a, const char *s) { return olock_value_new_s(a, s, strlen(s)); }

static void run_update(void *ctx, long n) {
    peer_case *pc = (peer_case *)ctx;
    long i;
    for (i = 0; i < n; i++) {
        olock_arena *a = &pc->arena;
        olock_item_request req;
        olock_write_result wr;
        olock_value *key, *names, *values;
        olock_error e;
        olock_arena_reset(a);
        key = olock_value_new_container(a, OLOCK_TYPE_M);
        names = olock_value_new_container(a, OLOCK_TYPE_M);
        values = olock_value_new_container(a, OLOCK_TYPE_M);
        if (!key || !names || !values ||
            olock_map_put(a, key, "id", 2, str_value(a, PLAYER_ID)) != OLOCK_OK ||
            olock_map_put(a, names, "#g", 2, str_value(a, "gold")) != OLOCK_OK ||
            olock_map_put(a, names, "#t", 2, str_value(a, "title")) != OLOCK_OK ||
            olock_map_put(a, values, ":g", 2, olock_value_new_i64(a, 130)) != OLOCK_OK ||
            olock_map_put(a, values, ":t", 2, str_value(a, "Dragon Slayer")) != OLOCK_OK)
            die("out of memory");
        memset(&req, 0, sizeof req);
        req.table = "players";
        req.key = key;
        req.update = "SET #g = :g, #t = :t";
        req.names = names;
        req.values = values;
        req.return_values = pc->all_new ? OLOCK_RV_ALL_NEW : OLOCK_RV_OMIT;
        if (olock_versioned_update(pc->c, &req, 41, &wr, &e) != OLOCK_OK) die(e.message);
        if (wr.version != 42) die("unexpected version");
        if (pc->all_new && (!wr.item || !olock_map_get(wr.item, "title", 5))) die("no ALL_NEW attributes");
        g_sink += (size_t)wr.requests;
    }
}

static unsigned long long allocs_so_far(void) { return bench_allocs(&g_counts); }

void R2_SETUP(r2_set *s) {
    g_alloc = bench_allocator(&g_counts);
    codec_init(&g_codec);
    peer_init(&g_peer[0], 0, 0);
    peer_init(&g_peer[1], 1, 0);
    peer_init(&g_peer[2], 1, 1);
    memset(s, 0, sizeof *s);
    s->names[R2_ENCODE] = "encode 1 KB player (olock_item_write_json)";
    s->fn[R2_ENCODE] = run_encode; s->ctx[R2_ENCODE] = &g_codec;
    s->names[R2_DECODE_ITEM] = "decode 1 KB player to a new item (olock_item_parse_json)";
    s->fn[R2_DECODE_ITEM] = run_decode_item; s->ctx[R2_DECODE_ITEM] = &g_codec;
    s->names[R2_DECODE_ARENA] = "decode, reused arena (olock_json_parse + olock_map_from_json)";
    s->fn[R2_DECODE_ARENA] = run_decode_arena; s->ctx[R2_DECODE_ARENA] = &g_codec;
    s->names[R2_CRC32] = "CRC-32 of the 1 KB player's JSON";
    s->fn[R2_CRC32] = run_crc32; s->ctx[R2_CRC32] = &g_codec;
    s->names[R2_VU_UNSIGNED] = "versioned UpdateItem, unsigned, answer {}";
    s->fn[R2_VU_UNSIGNED] = run_update; s->ctx[R2_VU_UNSIGNED] = &g_peer[0];
    s->names[R2_VU_SIGNED] = "versioned UpdateItem, SigV4-signed, answer {}";
    s->fn[R2_VU_SIGNED] = run_update; s->ctx[R2_VU_SIGNED] = &g_peer[1];
    s->names[R2_VU_ALL_NEW] = "versioned UpdateItem, signed, ALL_NEW answer";
    s->fn[R2_VU_ALL_NEW] = run_update; s->ctx[R2_VU_ALL_NEW] = &g_peer[2];
    s->allocs = allocs_so_far;
}
