/* olock_test.h - the project's tiny test harness (tests only, not part of the library).
   CHECK(cond) and CHECK_EQ_STR(a, b) count checks; a test program calls TEST_MAIN_END() last,
   which prints "N passed, N failed" and returns non-zero when anything failed.
   Every check counts as one test, so the runner's total is the number of assertions run.
   Also the helpers more than one test (or fuzz target) needs: files, the failing allocator,
   programs on PATH, and a raw request to the fake (when olock_fake.h was included first). */
#ifndef OLOCK_TEST_H
#define OLOCK_TEST_H
#include <stdio.h>
#include <string.h>
#include <stdlib.h>

#if defined(__GNUC__) || defined(__clang__)
#  define OLOCK_TEST_UNUSED __attribute__((unused))
#else
#  define OLOCK_TEST_UNUSED
#endif

/* A test program with a harness of its own (test_curl.c) defines OLOCK_TEST_NO_HARNESS and
   takes only the helpers. */
#ifndef OLOCK_TEST_NO_HARNESS
static int olock_test_passed, olock_test_failed;
static const char *olock_test_current = "";

#define TEST(name) static void name(void)
#define RUN(name) do { olock_test_current = #name; name(); } while (0)

#define CHECK(cond) do { \
    if (cond) olock_test_passed++; \
    else { olock_test_failed++; fprintf(stderr, "FAIL %s:%d %s: %s\n", __FILE__, __LINE__, olock_test_current, #cond); } \
} while (0)

#define CHECK_EQ_INT(a, b) do { \
    long long olock_t_a = (long long)(a), olock_t_b = (long long)(b); \
    if (olock_t_a == olock_t_b) olock_test_passed++; \
    else { olock_test_failed++; fprintf(stderr, "FAIL %s:%d %s: %s == %s (%lld vs %lld)\n", __FILE__, __LINE__, \
                                        olock_test_current, #a, #b, olock_t_a, olock_t_b); } \
} while (0)

#define CHECK_EQ_STR(a, b) do { \
    const char *olock_t_a = (a), *olock_t_b = (b); \
    if (olock_t_a && olock_t_b && strcmp(olock_t_a, olock_t_b) == 0) olock_test_passed++; \
    else { olock_test_failed++; fprintf(stderr, "FAIL %s:%d %s: %s == %s\n   got: %s\n  want: %s\n", __FILE__, __LINE__, \
                                        olock_test_current, #a, #b, olock_t_a ? olock_t_a : "(null)", olock_t_b ? olock_t_b : "(null)"); } \
} while (0)

#define TEST_MAIN_END() \
    (printf("%d passed, %d failed\n", olock_test_passed, olock_test_failed), olock_test_failed ? 1 : 0)
#endif /* OLOCK_TEST_NO_HARNESS */

/* Reads a whole file into a malloc'd NUL-terminated buffer; NULL if unreadable. */
static OLOCK_TEST_UNUSED char *olock_test_read_file(const char *path, size_t *len) {
    FILE *f = fopen(path, "rb");
    char *buf = NULL;
    size_t cap = 0, n = 0, got;
    if (!f) return NULL;
    for (;;) {
        if (n + 4096 + 1 > cap) {
            char *nb;
            cap = cap ? cap * 2 : 65536;
            nb = (char *)realloc(buf, cap);
            if (!nb) { free(buf); fclose(f); return NULL; }
            buf = nb;
        }
        got = fread(buf + n, 1, cap - n - 1, f);
        n += got;
        if (got == 0) break;
    }
    fclose(f);
    buf[n] = 0;
    if (len) *len = n;
    return buf;
}

/* The test data folder (tests/data, see its README.md), relative to the repository root where
   tests/run.sh runs the tests; OLOCK_TEST_DATA overrides it. */
static OLOCK_TEST_UNUSED const char *olock_test_data_dir(void) {
    const char *d = getenv("OLOCK_TEST_DATA");
    return d && *d ? d : "tests/data";
}

/* An allocator that fails its Nth allocation (1-based; 0 never fails) and counts what is live,
   for the out-of-memory sweep. */
typedef struct olock_test_alloc {
    long fail_at;
    long calls;
    long live;
    size_t live_bytes;
} olock_test_alloc;

static OLOCK_TEST_UNUSED void *olock_test_malloc(void *ctx, size_t n) {
    olock_test_alloc *t = (olock_test_alloc *)ctx;
    void *p;
    t->calls++;
    if (t->fail_at && t->calls == t->fail_at) return NULL;
    p = malloc(n);
    if (p) { t->live++; t->live_bytes += n; }
    return p;
}

static OLOCK_TEST_UNUSED void *olock_test_realloc(void *ctx, void *ptr, size_t old_n, size_t n) {
    olock_test_alloc *t = (olock_test_alloc *)ctx;
    void *p;
    t->calls++;
    if (t->fail_at && t->calls == t->fail_at) return NULL;
    p = realloc(ptr, n);
    if (p) {
        if (!ptr) t->live++;
        t->live_bytes = t->live_bytes - (ptr ? old_n : 0) + n;
    }
    return p;
}

static OLOCK_TEST_UNUSED void olock_test_free(void *ctx, void *ptr, size_t n) {
    olock_test_alloc *t = (olock_test_alloc *)ctx;
    if (!ptr) return;
    t->live--;
    t->live_bytes -= n;
    free(ptr);
}

#ifndef _WIN32
#include <unistd.h>
/* The full path of program `name` on PATH, into out; 0 when it is not there. */
static OLOCK_TEST_UNUSED int olock_test_find_in_path(const char *name, char *out, size_t out_size) {
    const char *path = getenv("PATH");
    while (path && *path) {
        const char *end = strchr(path, ':');
        size_t len = end ? (size_t)(end - path) : strlen(path);
        if (len > 0 && len + strlen(name) + 2 <= out_size) {
            memcpy(out, path, len);
            out[len] = '/';
            memcpy(out + len + 1, name, strlen(name) + 1);
            if (access(out, X_OK) == 0) return 1;
        }
        path = end ? end + 1 : NULL;
    }
    return 0;
}
#endif

#ifdef OLOCK_FAKE_H_INCLUDED
/* Sends body (len bytes) to the fake as DynamoDB operation `op`, the way an HTTP client
   would (POST, Content-Type, a lower-case x-amz-target: header names are case-insensitive),
   straight through its transport. *res is initialised here; the caller frees it. Returns
   what the transport's send returned. */
static OLOCK_TEST_UNUSED olock_result olock_test_fake_send(olock_fake *f, const char *op, const char *body, size_t len,
                                                          olock_http_response *res) {
    olock_transport t = olock_fake_transport(f);
    olock_http_header h[2];
    olock_http_request req;
    char target[96];
    snprintf(target, sizeof target, "DynamoDB_20120810.%s", op);
    h[0].name = "Content-Type"; h[0].value = "application/x-amz-json-1.0";
    h[1].name = "x-amz-target"; h[1].value = target;
    memset(&req, 0, sizeof req);
    req.method = "POST";
    req.url = "http://127.0.0.1/";
    req.headers = h;
    req.header_count = 2;
    req.body = body;
    req.body_len = len;
    olock_http_response_init(res, NULL, 0);
    return t.send(t.user, &req, res);
}
#endif
#ifdef OLOCK_CURL_H_INCLUDED
/* A config for a client of a local test server at url (DynamoDB Local, dynalite): a curl
   transport with short timeouts, explicit endpoint and region, alphanumeric fake credentials,
   nothing from the environment. *http (may be NULL) keeps the transport (the client owns it
   once created). OLOCK_OK, or olock_curl_create's failure. */
static OLOCK_TEST_UNUSED olock_result olock_test_local_config(const char *url, olock_config *cfg, olock_curl **http) {
    olock_curl_config cc = olock_curl_config_default();
    olock_curl *h = NULL;
    olock_result r;
    cc.connect_timeout_ms = 2000;
    cc.timeout_ms = 10000;
    r = olock_curl_create(&cc, &h);
    if (r != OLOCK_OK) return r;
    *cfg = olock_config_default();
    cfg->transport = olock_curl_transport(h);
    cfg->endpoint = url;
    cfg->region = "us-east-1";
    cfg->credentials.access_key_id = "AKIDLOCAL";
    cfg->credentials.secret_access_key = "secret";
    cfg->ignore_environment = 1;
    if (http) *http = h;
    return OLOCK_OK;
}

/* olock_client_create, saying why on stderr when it fails (NULL then). */
static OLOCK_TEST_UNUSED olock_client *olock_test_client(const olock_config *cfg) {
    olock_client *c = NULL;
    olock_error err;
    if (olock_client_create(cfg, &c, &err) != OLOCK_OK) {
        fprintf(stderr, "olock_client_create: %s\n", err.message);
        return NULL;
    }
    return c;
}
#endif

#endif
