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
#include "peer_update.h"

#ifndef R2_SETUP
#  error "define R2_SETUP (r2_setup_new or r2_setup_old)"
#endif

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

#define PEER_ITEMS 64
typedef struct peer_case {
    int all_new, signed_, items; /* items: a different item each time, of PEER_ITEMS */
    peer_answer t;
    olock_client *c;
    olock_arena arena;
    unsigned long n;             /* updates so far */
} peer_case;
static peer_case g_peer[4];
static char g_ids[PEER_ITEMS][48];

static olock_result peer_send(void *user, const olock_http_request *req, olock_http_response *res) {
    (void)req;
    return peer_answer_send((const peer_answer *)user, res);
}

static void peer_init(peer_case *pc, int signed_, int all_new, int items) {
    olock_config cfg = olock_config_default();
    olock_error e;
    pc->signed_ = signed_;
    pc->all_new = all_new;
    pc->items = items;
    peer_answer_init(&pc->t, all_new);
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

static void run_update(void *ctx, long n) {
    peer_case *pc = (peer_case *)ctx;
    long i;
    for (i = 0; i < n; i++) {
        olock_write_result wr;
        olock_error e;
        const char *id = pc->items ? g_ids[pc->n % PEER_ITEMS] : PLAYER_ID;
        const char *failed = peer_update(pc->c, &pc->arena, id, PEER_GOLD(pc->n), pc->all_new, &wr, &e);
        if (failed) die(failed);
        if (pc->all_new && (!wr.item || !olock_map_get(wr.item, "title", 5))) die("no ALL_NEW attributes");
        g_sink += (size_t)wr.requests;
        pc->n++;
    }
}

static unsigned long long allocs_so_far(void) { return bench_allocs(&g_counts); }

void R2_SETUP(r2_set *s) {
    int i;
    g_alloc = bench_allocator(&g_counts);
    codec_init(&g_codec);
    for (i = 0; i < PEER_ITEMS; i++) /* PLAYER_ID's neighbours */
        snprintf(g_ids[i], sizeof g_ids[i], "player#%08x-1b4e-4c6e-9a57-3d2f0e8b6a11", 0x7f3a2c91u + (unsigned)i);
    peer_init(&g_peer[0], 0, 0, 0);
    peer_init(&g_peer[1], 1, 0, 0);
    peer_init(&g_peer[2], 1, 1, 0);
    peer_init(&g_peer[3], 1, 0, 1);
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
    s->names[R2_VU_SIGNED_ITEMS] = "versioned UpdateItem, signed, answer {}, a different item each time";
    s->fn[R2_VU_SIGNED_ITEMS] = run_update; s->ctx[R2_VU_SIGNED_ITEMS] = &g_peer[3];
    s->allocs = allocs_so_far;
}
