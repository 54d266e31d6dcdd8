/* bench_sign_variant.c - one SHA-256 build of olock's SigV4 signer, for bench_sign.c.
   Compiled once per build with -DBENCH_SIGN_VARIANT=<symbol> -DBENCH_SIGN_NAME="..." and the
   build's macros (none, OLOCK_NO_SHA_NI, OLOCK_USE_MBEDTLS). OLOCK_STATIC keeps this copy of
   olock private to the translation unit. */
#define OLOCK_STATIC
#define OLOCK_IMPLEMENTATION
#include "olock.h"
#include "bench_util.h"
#include "bench_sign.h"
#if defined(OLOCK__SHA_NI)
#  include <cpuid.h>
#endif

#ifndef BENCH_SIGN_VARIANT
#  error "define BENCH_SIGN_VARIANT (the exported symbol) and BENCH_SIGN_NAME"
#endif

/* 2024-11-25 00:00:00 UTC: warm signings stay within this day. */
#define BENCH_DAY0 ((int64_t)1732492800)

static bench_counts g_counts;
static olock_allocator g_alloc;
static olock_sigv4_signer g_signer, g_signer_token;
static olock_buf g_body;
static olock_http_header g_headers[3];
static olock_sigv4_request g_req;
static volatile size_t g_sink;
static long g_tick;
static char g_auth[512];

static const char g_akid[] = "AKIAIOSFODNN7EXAMPLE";
static const char g_secret[] = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";

/* A session token as STS hands them out (about 800 characters of base64). */
static char g_token[801];

/* The body of the UpdateItem that olock_versioned_update sends for "gold += 10" on a player
   at version 41: the caller's update merged with the version SET, the writer ledger, the
   version condition and ReturnValuesOnConditionCheckFailure. Same bytes in every build. */
static olock_result make_body(void) {
    olock_arena a;
    olock_value *key, *names, *values, *ledger;
    olock_item_request r;
    olock_result rc;
    olock_arena_init(&a, &g_alloc);
    key = olock_value_new_container(&a, OLOCK_TYPE_M);
    names = olock_value_new_container(&a, OLOCK_TYPE_M);
    values = olock_value_new_container(&a, OLOCK_TYPE_M);
    ledger = olock_value_new_container(&a, OLOCK_TYPE_L);
    if (!key || !names || !values || !ledger) return OLOCK_ERR_NOMEM;
    olock_map_put(&a, key, "id", 2, olock_value_new_s(&a, "player#7f3a2c91-1b4e-4c6e-9a57-3d2f0e8b6a11", 43));
    olock_map_put(&a, names, "#g", 2, olock_value_new_s(&a, "gold", 4));
    olock_map_put(&a, names, "#olock_ver", 10, olock_value_new_s(&a, "version", 7));
    olock_map_put(&a, names, "#olock_tok", 10, olock_value_new_s(&a, "olock_writers", 13));
    olock_list_append(ledger, olock_value_new_s(&a, "@40", 3));
    olock_list_append(ledger, olock_value_new_s(&a, "k3v9q0x2m1ab:17:42", 18));
    olock_map_put(&a, values, ":d", 2, olock_value_new_i64(&a, 10));
    olock_map_put(&a, values, ":olock_exp", 10, olock_value_new_i64(&a, 41));
    olock_map_put(&a, values, ":olock_new", 10, olock_value_new_i64(&a, 42));
    olock_map_put(&a, values, ":olock_tok", 10, ledger);
    memset(&r, 0, sizeof r);
    r.table = "players";
    r.key = key;
    r.update = "SET #olock_ver = :olock_new, #olock_tok = :olock_tok, #g = #g + :d";
    r.condition = "#olock_ver = :olock_exp";
    r.names = names;
    r.values = values;
    r.return_values_on_condition_check_failure = OLOCK_RV_ALL_OLD;
    olock_buf_init(&g_body, &g_alloc);
    rc = olock_encode_item_request(OLOCK_OP_UPDATE_ITEM, &r, &g_body, NULL);
    olock_arena_free(&a);
    return rc;
}

static int setup(void) {
    olock_credentials cr;
    olock_sigv4_signature sig;
    size_t i;
    g_alloc = bench_allocator(&g_counts);
    for (i = 0; i + 1 < sizeof g_token; i++) g_token[i] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"[(i * 7 + 3) % 64];
    if (make_body() != OLOCK_OK) return 1;
    g_headers[0].name = "Host"; g_headers[0].value = "dynamodb.eu-west-1.amazonaws.com";
    g_headers[1].name = "Content-Type"; g_headers[1].value = "application/x-amz-json-1.0";
    g_headers[2].name = "X-Amz-Target"; g_headers[2].value = "DynamoDB_20120810.UpdateItem";
    memset(&g_req, 0, sizeof g_req);
    g_req.method = "POST";
    g_req.path = "/";
    g_req.headers = g_headers;
    g_req.header_count = 3;
    g_req.body = g_body.data;
    g_req.body_len = g_body.len;
    cr.access_key_id = g_akid;
    cr.secret_access_key = g_secret;
    cr.session_token = NULL;
    if (olock_sigv4_signer_init(&g_signer, &g_alloc, &cr, "eu-west-1", "dynamodb", NULL) != OLOCK_OK) return 1;
    cr.session_token = g_token;
    if (olock_sigv4_signer_init(&g_signer_token, &g_alloc, &cr, "eu-west-1", "dynamodb", NULL) != OLOCK_OK) return 1;
    /* The reference signing, compared across builds by the driver. */
    if (olock_sigv4_signer_sign(&g_signer, &g_req, BENCH_DAY0 + 45296, OLOCK_SIGV4_NORMALIZE_PATH, &sig, NULL) != OLOCK_OK)
        return 1;
    snprintf(g_auth, sizeof g_auth, "%s", sig.authorization);
    return 0;
}

static void teardown(void) {
    olock_sigv4_signer_free(&g_signer);
    olock_sigv4_signer_free(&g_signer_token);
    olock_buf_free(&g_body);
}

static void sign_with(olock_sigv4_signer *s, int64_t t) {
    olock_sigv4_signature sig;
    if (olock_sigv4_signer_sign(s, &g_req, t, OLOCK_SIGV4_NORMALIZE_PATH, &sig, NULL) != OLOCK_OK) abort();
    g_sink += (size_t)sig.signature[0];
}

static void warm(void *ctx, long n) {
    long i;
    (void)ctx;
    for (i = 0; i < n; i++) sign_with(&g_signer, BENCH_DAY0 + 3600 + (g_tick++ % 50000));
}

static void warm_token(void *ctx, long n) {
    long i;
    (void)ctx;
    for (i = 0; i < n; i++) sign_with(&g_signer_token, BENCH_DAY0 + 3600 + (g_tick++ % 50000));
}

/* A new day on every call: the signing key is derived again (four HMACs). */
static void cold_date(void *ctx, long n) {
    long i;
    (void)ctx;
    for (i = 0; i < n; i++) sign_with(&g_signer, BENCH_DAY0 + 3600 + (int64_t)86400 * (1 + g_tick++ % 100000));
}

static void fresh(void *ctx, long n) {
    olock_credentials cr;
    long i;
    (void)ctx;
    cr.access_key_id = g_akid;
    cr.secret_access_key = g_secret;
    cr.session_token = NULL;
    for (i = 0; i < n; i++) {
        olock_sigv4_signer s;
        if (olock_sigv4_signer_init(&s, &g_alloc, &cr, "eu-west-1", "dynamodb", NULL) != OLOCK_OK) abort();
        sign_with(&s, BENCH_DAY0 + 3600 + (g_tick++ % 50000));
        olock_sigv4_signer_free(&s);
    }
}

static void sha_body(void *ctx, long n) {
    unsigned char d[OLOCK_SHA256_SIZE];
    long i;
    (void)ctx;
    for (i = 0; i < n; i++) {
        olock_sha256_digest(g_body.data, g_body.len, d);
        g_sink += d[0];
    }
}

static unsigned long long allocs(void) { return bench_allocs(&g_counts); }
static const char *authorization(void) { return g_auth; }
static size_t body_len(void) { return g_body.len; }

static int sha_ni(void) {
#if defined(OLOCK__SHA_NI)
    unsigned a, b, c, d;
    if (!__get_cpuid_count(7, 0, &a, &b, &c, &d)) return 0;
    return (b >> 29) & 1;
#else
    return 0;
#endif
}

const bench_sign_variant BENCH_SIGN_VARIANT = {
    BENCH_SIGN_NAME, setup, teardown, warm, warm_token, cold_date, fresh, sha_body, allocs, authorization, body_len, sha_ni
};
