/* bench_codec: encode and decode a ~1 KB player record (bench_player.h) in DynamoDB JSON, and
   parse the same bytes with jansson in the same run.

   olock encode          olock_item_write_json into a reused olock_buf
   olock decode (item)   olock_item_parse_json + olock_item_destroy: JSON text -> a fresh olock_item
   olock decode (arena)  olock_arena_reset + olock_json_parse + olock_map_from_json on a reused
                         arena: the path the client takes for every response
   olock JSON only       olock_arena_reset + olock_json_parse: the plain JSON tree, no typing
   jansson parse         json_loadb + json_decref: jansson's plain parse (a generic JSON tree)
   jansson encode        json_dumpb of that tree into a fixed buffer

   Targets (issue 2): decoding into olock's item model no slower than jansson's plain parse,
   and under 2 us for the 1 KB item. */
#define OLOCK_IMPLEMENTATION
#include "olock.h"
#include "bench_util.h"
#include "bench_player.h"
#include <jansson.h>

static bench_counts g_olock_counts;
static olock_allocator g_alloc;

/* jansson's allocation hooks take no context: count in a global. */
static unsigned long long g_jansson_allocs;
static void *jansson_malloc(size_t n) { g_jansson_allocs++; return malloc(n); }
static void jansson_free(void *p) { free(p); }

static const char *g_text;
static size_t g_len;
static volatile size_t g_sink;

typedef struct codec_ctx {
    const olock_item *item;
    olock_buf buf;
    olock_arena arena;
    json_t *jroot;
    char *jbuf;
    size_t jcap;
} codec_ctx;

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
    long i;
    (void)ctx;
    for (i = 0; i < n; i++) {
        olock_item *it = NULL;
        if (olock_item_parse_json(g_text, g_len, &g_alloc, &it, NULL) != OLOCK_OK) abort();
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
        if (olock_json_parse(&c->arena, g_text, g_len, NULL, &root, NULL) != OLOCK_OK ||
            olock_map_from_json(&c->arena, root, &v, NULL) != OLOCK_OK) abort();
        g_sink += v->count;
    }
}

static void run_json_only(void *ctx, long n) {
    codec_ctx *c = (codec_ctx *)ctx;
    long i;
    for (i = 0; i < n; i++) {
        olock_json *root = NULL;
        olock_arena_reset(&c->arena);
        if (olock_json_parse(&c->arena, g_text, g_len, NULL, &root, NULL) != OLOCK_OK) abort();
        g_sink += root->count;
    }
}

static void run_jansson_parse(void *ctx, long n) {
    long i;
    (void)ctx;
    for (i = 0; i < n; i++) {
        json_error_t e;
        json_t *root = json_loadb(g_text, g_len, 0, &e);
        if (!root) abort();
        g_sink += json_object_size(root);
        json_decref(root);
    }
}

static void run_jansson_encode(void *ctx, long n) {
    codec_ctx *c = (codec_ctx *)ctx;
    long i;
    for (i = 0; i < n; i++) {
        size_t k = json_dumpb(c->jroot, c->jbuf, c->jcap, JSON_COMPACT);
        if (k == 0 || k > c->jcap) abort();
        g_sink += k;
    }
}

static double jansson_allocs_per_op(bench_case *bc, long iters) {
    unsigned long long before;
    bc->fn(bc->ctx, iters);
    before = g_jansson_allocs;
    bc->fn(bc->ctx, iters);
    return (double)(g_jansson_allocs - before) / (double)iters;
}

int main(int argc, char **argv) {
    enum { ENC, DEC_ITEM, DEC_ARENA, JSON_ONLY, J_PARSE, J_ENC, NCASES };
    bench_case cases[NCASES];
    double allocs[NCASES];
    codec_ctx ctx;
    olock_item *item = NULL, *back = NULL;
    olock_arena *ia;
    char *text;
    json_error_t je;
    int reps = bench_reps(31), i;
    char measured[160];

    g_alloc = bench_allocator(&g_olock_counts);
    json_set_alloc_funcs(jansson_malloc, jansson_free);
    memset(&ctx, 0, sizeof ctx);

    /* The record, its JSON, and a check that the JSON decodes back to an equal item. */
    if (olock_item_create(&g_alloc, &item) != OLOCK_OK) return 1;
    ia = olock_item_arena(item);
    item->root = bench_player(ia, "player#7f3a2c91-1b4e-4c6e-9a57-3d2f0e8b6a11");
    if (!item->root) { fprintf(stderr, "bench_codec: cannot build the record\n"); return 1; }
    ctx.item = item;
    olock_buf_init(&ctx.buf, &g_alloc);
    olock_arena_init(&ctx.arena, &g_alloc);
    if (olock_item_write_json(item, &ctx.buf) != OLOCK_OK) return 1;
    g_len = ctx.buf.len;
    text = (char *)malloc(g_len + 1);
    if (!text) return 1;
    memcpy(text, ctx.buf.data, g_len + 1);
    g_text = text;
    if (olock_item_parse_json(g_text, g_len, &g_alloc, &back, NULL) != OLOCK_OK || !olock_item_equal(item, back)) {
        fprintf(stderr, "bench_codec: the record does not round-trip\n");
        return 1;
    }
    olock_item_destroy(back);
    ctx.jroot = json_loadb(g_text, g_len, 0, &je);
    if (!ctx.jroot) { fprintf(stderr, "bench_codec: jansson rejects the record: %s\n", je.text); return 1; }
    ctx.jcap = g_len * 2 + 64;
    ctx.jbuf = (char *)malloc(ctx.jcap);
    if (!ctx.jbuf) return 1;

    bench_case_init(&cases[ENC], "olock encode (olock_item_write_json, reused buffer)", run_encode, &ctx);
    bench_case_init(&cases[DEC_ITEM], "olock decode to a new item (olock_item_parse_json + destroy)", run_decode_item, &ctx);
    bench_case_init(&cases[DEC_ARENA], "olock decode, reused arena (olock_json_parse + olock_map_from_json)", run_decode_arena, &ctx);
    bench_case_init(&cases[JSON_ONLY], "olock plain JSON parse only (olock_json_parse, reused arena)", run_json_only, &ctx);
    bench_case_init(&cases[J_PARSE], "jansson plain parse (json_loadb + json_decref)", run_jansson_parse, &ctx);
    bench_case_init(&cases[J_ENC], "jansson encode (json_dumpb, JSON_COMPACT, fixed buffer)", run_jansson_encode, &ctx);
    if (bench_profile(argc, argv, cases, NCASES)) return 0;
    bench_run(cases, NCASES, reps);
    for (i = 0; i < NCASES; i++) {
        if (i == J_PARSE || i == J_ENC) allocs[i] = jansson_allocs_per_op(&cases[i], 2000);
        else allocs[i] = bench_allocs_per_op(&cases[i], &g_olock_counts, 2000);
    }

    printf("## Codec: a %lu-byte player record in DynamoDB JSON\n\n", (unsigned long)g_len);
    printf("%d interleaved batches of ~%.0f ms per operation. Ratio: median over rounds of the batch time\n"
           "divided by the jansson peer's batch in the same round (decode vs `jansson plain parse`,\n"
           "encode vs `jansson encode`); below 1 means olock is faster.\n\n", reps, BENCH_BATCH_MS);
    printf("| operation | best us/op | median us/op | allocs/op | ratio vs jansson |\n| --- | --- | --- | --- | --- |\n");
    for (i = 0; i < NCASES; i++) {
        const bench_case *peer = (i == ENC || i == J_ENC) ? &cases[J_ENC] : &cases[J_PARSE];
        printf("| %s | %.3f | %.3f | %.2f | %.2f |\n", cases[i].name, cases[i].best / 1000, cases[i].median / 1000,
               allocs[i], bench_ratio(&cases[i], peer));
    }
    printf("\nBest-batch throughput: olock decode (reused arena) %.0f MB/s, olock JSON parse %.0f MB/s,\n"
           "jansson parse %.0f MB/s.\n", (double)g_len / cases[DEC_ARENA].best * 1e3,
           (double)g_len / cases[JSON_ONLY].best * 1e3, (double)g_len / cases[J_PARSE].best * 1e3);

    bench_targets_header();
    {
        double r_item = bench_ratio(&cases[DEC_ITEM], &cases[J_PARSE]), r_arena = bench_ratio(&cases[DEC_ARENA], &cases[J_PARSE]);
        snprintf(measured, sizeof measured, "%.2fx jansson", r_item);
        bench_target("codec", "decode to olock_item no slower than jansson plain parse", measured, r_item <= 1.0);
        snprintf(measured, sizeof measured, "%.2fx jansson", r_arena);
        bench_target("codec", "decode (reused arena) no slower than jansson plain parse", measured, r_arena <= 1.0);
    }
    snprintf(measured, sizeof measured, "%.2f us best, %.2f us median (%lu B)", cases[DEC_ITEM].best / 1000,
             cases[DEC_ITEM].median / 1000, (unsigned long)g_len);
    bench_target("codec", "decode to olock_item < 2 us (1 KB item)", measured, cases[DEC_ITEM].best < 2000);
    snprintf(measured, sizeof measured, "%.2f us best, %.2f us median (%lu B)", cases[DEC_ARENA].best / 1000,
             cases[DEC_ARENA].median / 1000, (unsigned long)g_len);
    bench_target("codec", "decode (reused arena) < 2 us (1 KB item)", measured, cases[DEC_ARENA].best < 2000);

    json_decref(ctx.jroot);
    free(ctx.jbuf);
    free(text);
    olock_buf_free(&ctx.buf);
    olock_arena_free(&ctx.arena);
    olock_item_destroy(item);
    return 0;
}
