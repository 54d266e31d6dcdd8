/* bench_fake: operations per second of the in-process fake (backends/olock_fake.h) on one
   thread, through its transport: an HTTP-shaped request with DynamoDB JSON in, a response
   with DynamoDB JSON out, exactly as a client sends it. No client in the way: the request
   bodies are written by the bench (the conditional UpdateItem's body is spliced with the next
   version number by a few memcpy calls; that splicing is timed alone in the last row).

   Items: a small counter item (id, gold, version: what unit tests mostly store) and the 1 KB
   player record (bench_player.h).

   conditional UpdateItem   SET #v = :nv, #g = #g + :one  IF #v = :v  (succeeds: :v is current)
   conflicting UpdateItem   the same with a stale :v: ConditionalCheckFailedException with the
                            ALL_OLD item in the body (the path a conflict takes)
   PutItem                  the whole item, unconditional
   GetItem                  ConsistentRead

   Targets: at least 300,000 conditional UpdateItem per second on one thread (issue 4); then
   (issue 15) 1,000,000 for the small item and 500,000 for the 1 KB player. */
#define OLOCK_IMPLEMENTATION
#define OLOCK_FAKE_IMPLEMENTATION
#include "olock.h"
#include "olock_fake.h"
#include "bench_util.h"
#include "bench_player.h"

static bench_counts g_counts;
static volatile size_t g_sink;

typedef struct fake_ctx {
    olock_transport ft;
    olock_http_request req;
    olock_http_header headers[3];
    olock_http_response res;
    const char *target;
    const char *body;              /* fixed bodies */
    size_t body_len;
    /* conditional UpdateItem: prefix <v+1> middle <v> suffix */
    const char *pre, *mid, *suf;
    size_t pre_len, mid_len, suf_len;
    uint64_t *version;             /* the item's current version (shared by its two contexts) */
    uint64_t own_version;
    int stale;                     /* send version - 1: always a conflict */
    char buf[1024];
    int expect_status;
} fake_ctx;

static size_t put_u64(char *o, uint64_t v) {
    char tmp[24];
    size_t k = sizeof tmp, n;
    do { tmp[--k] = (char)('0' + v % 10); v /= 10; } while (v);
    n = sizeof tmp - k;
    memcpy(o, tmp + k, n);
    return n;
}

/* The conditional UpdateItem for the item's current version (or a stale one). */
static size_t splice_update(fake_ctx *x) {
    char *o = x->buf;
    uint64_t expected = x->stale ? *x->version - 1 : *x->version;
    memcpy(o, x->pre, x->pre_len); o += x->pre_len;
    o += put_u64(o, expected + 1);
    memcpy(o, x->mid, x->mid_len); o += x->mid_len;
    o += put_u64(o, expected);
    memcpy(o, x->suf, x->suf_len); o += x->suf_len;
    return (size_t)(o - x->buf);
}

static void send_one(fake_ctx *x) {
    olock_http_response_reset(&x->res);
    if (x->ft.send(x->ft.user, &x->req, &x->res) != OLOCK_OK || x->res.status != x->expect_status) {
        fprintf(stderr, "bench_fake: %s %.*s answered %d: %.*s\n", x->target, (int)x->req.body_len, x->req.body, x->res.status, (int)x->res.body.len,
                x->res.body.data ? x->res.body.data : "");
        exit(1);
    }
    g_sink += x->res.body.len;
}

static void run_update(void *ctx, long n) {
    fake_ctx *x = (fake_ctx *)ctx;
    long i;
    for (i = 0; i < n; i++) {
        x->req.body = x->buf;
        x->req.body_len = splice_update(x);
        send_one(x);
        if (!x->stale) ++*x->version;
    }
}

static void run_fixed(void *ctx, long n) {
    fake_ctx *x = (fake_ctx *)ctx;
    long i;
    x->req.body = x->body;
    x->req.body_len = x->body_len;
    for (i = 0; i < n; i++) send_one(x);
}

static void run_splice_only(void *ctx, long n) {
    fake_ctx *x = (fake_ctx *)ctx;
    long i;
    for (i = 0; i < n; i++) {
        g_sink += splice_update(x);
        ++*x->version;
    }
}

/* X-Amz-Target for an operation name (a literal, so it outlives every context). */
static const char *target_of(const char *op) {
    static const char *const targets[] = { "DynamoDB_20120810.CreateTable", "DynamoDB_20120810.PutItem",
                                           "DynamoDB_20120810.GetItem", "DynamoDB_20120810.UpdateItem" };
    size_t i;
    for (i = 0; i < sizeof targets / sizeof *targets; i++)
        if (strcmp(targets[i] + 18, op) == 0) return targets[i];
    abort();
}

static void ctx_init(fake_ctx *x, olock_transport ft, const char *op, int expect_status) {
    memset(x, 0, sizeof *x);
    x->ft = ft;
    x->target = target_of(op);
    x->headers[0].name = "Host"; x->headers[0].value = "localhost";
    x->headers[1].name = "Content-Type"; x->headers[1].value = "application/x-amz-json-1.0";
    x->headers[2].name = "X-Amz-Target"; x->headers[2].value = x->target;
    x->req.method = "POST";
    x->req.url = "http://localhost/";
    x->req.headers = x->headers;
    x->req.header_count = 3;
    x->expect_status = expect_status;
    olock_http_response_init(&x->res, NULL, 0);
}

/* A one-shot request through the transport, for the setup. */
static void setup_call(olock_transport ft, const char *op, const char *body) {
    fake_ctx x;
    ctx_init(&x, ft, op, 200);
    x.body = body;
    x.body_len = strlen(body);
    run_fixed(&x, 1);
    olock_http_response_free(&x.res);
}

static const char k_update_pre_fmt[] =
    "{\"TableName\":\"bench\",\"Key\":{\"id\":{\"S\":\"%s\"}},"
    "\"UpdateExpression\":\"SET #v = :nv, #g = #g + :one\",\"ConditionExpression\":\"#v = :v\","
    "\"ExpressionAttributeNames\":{\"#v\":\"version\",\"#g\":\"gold\"},"
    "\"ExpressionAttributeValues\":{\":nv\":{\"N\":\"";
static const char k_update_mid[] = "\"},\":one\":{\"N\":\"1\"},\":v\":{\"N\":\"";
static const char k_update_suf[] = "\"}},\"ReturnValuesOnConditionCheckFailure\":\"ALL_OLD\"}";

enum { U_SMALL, U_BIG, C_SMALL, C_BIG, P_SMALL, P_BIG, G_SMALL, G_BIG, SPLICE, NCASES };

int main(int argc, char **argv) {
    static fake_ctx ctx[NCASES];
    static char pre[2][512], put_small[256], get_small[128], get_big[160];
    bench_case cases[NCASES];
    double allocs[NCASES];
    olock_fake_config fc = olock_fake_config_default();
    olock_fake *fake = NULL;
    olock_transport ft;
    olock_arena a;
    olock_value *player;
    olock_item *it = NULL;
    olock_buf put_big;
    size_t item_len;
    int reps = bench_reps(31), i;
    char measured[200];
    static const char *const ids[2] = { "counter-1", "player#7f3a2c91-1b4e-4c6e-9a57-3d2f0e8b6a11" };

    fc.allocator = bench_allocator(&g_counts);
    if (olock_fake_create(&fc, &fake) != OLOCK_OK) return 1;
    ft = olock_fake_transport(fake);
    setup_call(ft, "CreateTable",
               "{\"TableName\":\"bench\",\"KeySchema\":[{\"AttributeName\":\"id\",\"KeyType\":\"HASH\"}],"
               "\"AttributeDefinitions\":[{\"AttributeName\":\"id\",\"AttributeType\":\"S\"}],\"BillingMode\":\"PAY_PER_REQUEST\"}");

    /* The items the updates and reads work on (version 1), then the PutItem bodies, which
       write other keys so that they do not reset those versions. */
    olock_arena_init(&a, NULL);
    olock_buf_init(&put_big, NULL);
    for (i = 0; i < 2; i++) {
        snprintf(put_small, sizeof put_small,
                 "{\"TableName\":\"bench\",\"Item\":{\"id\":{\"S\":\"%s\"},\"gold\":{\"N\":\"120\"},\"version\":{\"N\":\"1\"}}}",
                 i ? "counter-2" : ids[0]);
        player = bench_player(&a, i ? "player#put" : ids[1]);
        if (!player || olock_map_put(&a, player, "version", 7, olock_value_new_i64(&a, 1)) != OLOCK_OK) return 1;
        if (olock_item_create(NULL, &it) != OLOCK_OK) return 1;
        it->root = player;   /* only written; the item's own arena stays empty */
        olock_buf_clear(&put_big);
        if (olock_buf_append_str(&put_big, "{\"TableName\":\"bench\",\"Item\":") != OLOCK_OK) return 1;
        item_len = put_big.len;
        if (olock_item_write_json(it, &put_big) != OLOCK_OK) return 1;
        item_len = put_big.len - item_len;
        if (olock_buf_append_str(&put_big, "}") != OLOCK_OK) return 1;
        it->root = NULL;
        olock_item_destroy(it);
        it = NULL;
        setup_call(ft, "PutItem", put_small);
        setup_call(ft, "PutItem", put_big.data);
    }
    snprintf(get_small, sizeof get_small, "{\"TableName\":\"bench\",\"Key\":{\"id\":{\"S\":\"%s\"}},\"ConsistentRead\":true}", ids[0]);
    snprintf(get_big, sizeof get_big, "{\"TableName\":\"bench\",\"Key\":{\"id\":{\"S\":\"%s\"}},\"ConsistentRead\":true}", ids[1]);

    for (i = 0; i < 2; i++) {
        fake_ctx *u = &ctx[U_SMALL + i], *c = &ctx[C_SMALL + i];
        snprintf(pre[i], sizeof pre[i], k_update_pre_fmt, ids[i]);
        ctx_init(u, ft, "UpdateItem", 200);
        u->pre = pre[i]; u->pre_len = strlen(pre[i]);
        u->mid = k_update_mid; u->mid_len = sizeof k_update_mid - 1;
        u->suf = k_update_suf; u->suf_len = sizeof k_update_suf - 1;
        u->own_version = 1;
        u->version = &u->own_version;
        ctx_init(c, ft, "UpdateItem", 400);
        c->version = &u->own_version;
        c->pre = u->pre; c->pre_len = u->pre_len; c->mid = u->mid; c->mid_len = u->mid_len; c->suf = u->suf; c->suf_len = u->suf_len;
        c->stale = 1;
    }
    ctx_init(&ctx[P_SMALL], ft, "PutItem", 200);
    ctx[P_SMALL].body = put_small; ctx[P_SMALL].body_len = strlen(put_small);
    ctx_init(&ctx[P_BIG], ft, "PutItem", 200);
    ctx[P_BIG].body = put_big.data; ctx[P_BIG].body_len = put_big.len;
    ctx_init(&ctx[G_SMALL], ft, "GetItem", 200);
    ctx[G_SMALL].body = get_small; ctx[G_SMALL].body_len = strlen(get_small);
    ctx_init(&ctx[G_BIG], ft, "GetItem", 200);
    ctx[G_BIG].body = get_big; ctx[G_BIG].body_len = strlen(get_big);
    ctx_init(&ctx[SPLICE], ft, "UpdateItem", 200);
    ctx[SPLICE].pre = ctx[U_SMALL].pre; ctx[SPLICE].pre_len = ctx[U_SMALL].pre_len;
    ctx[SPLICE].mid = k_update_mid; ctx[SPLICE].mid_len = sizeof k_update_mid - 1;
    ctx[SPLICE].suf = k_update_suf; ctx[SPLICE].suf_len = sizeof k_update_suf - 1;
    ctx[SPLICE].own_version = 1000000;
    ctx[SPLICE].version = &ctx[SPLICE].own_version;

    bench_case_init(&cases[U_SMALL], "conditional UpdateItem, small item", run_update, &ctx[U_SMALL]);
    bench_case_init(&cases[U_BIG], "conditional UpdateItem, 1 KB player", run_update, &ctx[U_BIG]);
    bench_case_init(&cases[C_SMALL], "conflicting UpdateItem (ALL_OLD), small item", run_update, &ctx[C_SMALL]);
    bench_case_init(&cases[C_BIG], "conflicting UpdateItem (ALL_OLD), 1 KB player", run_update, &ctx[C_BIG]);
    bench_case_init(&cases[P_SMALL], "PutItem, small item", run_fixed, &ctx[P_SMALL]);
    bench_case_init(&cases[P_BIG], "PutItem, 1 KB player", run_fixed, &ctx[P_BIG]);
    bench_case_init(&cases[G_SMALL], "GetItem (consistent), small item", run_fixed, &ctx[G_SMALL]);
    bench_case_init(&cases[G_BIG], "GetItem (consistent), 1 KB player", run_fixed, &ctx[G_BIG]);
    bench_case_init(&cases[SPLICE], "(bench overhead) splicing the UpdateItem body alone", run_splice_only, &ctx[SPLICE]);
    if (bench_profile(argc, argv, cases, NCASES)) return 0;
    bench_run(cases, NCASES, reps);
    for (i = 0; i < NCASES; i++) allocs[i] = bench_allocs_per_op(&cases[i], &g_counts, 2000);

    printf("## Fake: one thread, through the transport (JSON in, JSON out)\n\n");
    printf("%d interleaved batches of ~%.0f ms per operation; ops/s from the best batch (median in\n"
           "brackets). Allocations: the fake's, through a counting allocator in olock_fake_config.\n"
           "The small item is {id, gold, version}; the 1 KB player is bench_player.h (%lu bytes of JSON).\n\n",
           reps, BENCH_BATCH_MS, (unsigned long)item_len);
    printf("| operation | ops/s | us/op | allocs/op |\n| --- | --- | --- | --- |\n");
    for (i = 0; i < NCASES; i++)
        printf("| %s | %.0f (%.0f) | %.3f (%.3f) | %.2f |\n", cases[i].name, 1e9 / cases[i].best, 1e9 / cases[i].median,
               cases[i].best / 1000, cases[i].median / 1000, i == SPLICE ? 0.0 : allocs[i]);

    bench_targets_header();
    snprintf(measured, sizeof measured, "%.0f/s best, %.0f/s median", 1e9 / cases[U_SMALL].best, 1e9 / cases[U_SMALL].median);
    bench_target("fake", "conditional UpdateItem >= 300,000/s, one thread (small item)", measured, 1e9 / cases[U_SMALL].best >= 300000);
    snprintf(measured, sizeof measured, "%.0f/s best, %.0f/s median", 1e9 / cases[U_BIG].best, 1e9 / cases[U_BIG].median);
    bench_target("fake", "conditional UpdateItem >= 300,000/s, one thread (1 KB player)", measured, 1e9 / cases[U_BIG].best >= 300000);
    snprintf(measured, sizeof measured, "%.0f/s best, %.0f/s median", 1e9 / cases[U_SMALL].best, 1e9 / cases[U_SMALL].median);
    bench_target("fake", "conditional UpdateItem >= 1,000,000/s, one thread (small item; issue 15)", measured, 1e9 / cases[U_SMALL].best >= 1000000);
    snprintf(measured, sizeof measured, "%.0f/s best, %.0f/s median", 1e9 / cases[U_BIG].best, 1e9 / cases[U_BIG].median);
    bench_target("fake", "conditional UpdateItem >= 500,000/s, one thread (1 KB player; issue 15)", measured, 1e9 / cases[U_BIG].best >= 500000);

    for (i = 0; i < NCASES; i++) olock_http_response_free(&ctx[i].res);
    olock_buf_free(&put_big);
    olock_arena_free(&a);
    olock_fake_destroy(fake);
    return 0;
}
