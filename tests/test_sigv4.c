/* Tests for SHA-256 / HMAC-SHA256, SigV4 signing and credentials / region / endpoint resolution.

   Build and run from the repository root (the vectors are read at run time from tests/data;
   set OLOCK_TEST_DATA to that folder to run from elsewhere; a missing file is a failure):
     mkdir -p build
     gcc -std=c99 -Wall -Wextra -Wpedantic -Werror -Wshadow -Wundef -Wstrict-prototypes \
         -Wmissing-prototypes -fsanitize=address,undefined -g -I. tests/test_sigv4.c -o build/test_sigv4
     ./build/test_sigv4
   mbedTLS build: add -DOLOCK_USE_MBEDTLS ... -lmbedcrypto. */
#if !defined(_WIN32) && !defined(_POSIX_C_SOURCE)
#  define _POSIX_C_SOURCE 200809L   /* opendir, for the list of vector folders */
#endif

#define OLOCK_IMPLEMENTATION
#include "olock.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#if !defined(_WIN32)
#  include <dirent.h>
#  include <sys/stat.h>
#endif



/* ---- harness ------------------------------------------------------------------------------ */

static int g_pass, g_fail;

#if defined(__GNUC__) || defined(__clang__)
__attribute__((format(printf, 5, 6)))
#endif
static void check_(int ok, const char *file, int line, const char *what, const char *fmt, ...)
{
    va_list ap;
    if (ok) {
        g_pass++;
        return;
    }
    g_fail++;
    printf("FAIL %s:%d: %s ", file, line, what);
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    printf("\n");
}

#define CHECK(cond) check_((cond) ? 1 : 0, __FILE__, __LINE__, #cond, "%s", "")
#define CHECKM(cond, ...) check_((cond) ? 1 : 0, __FILE__, __LINE__, #cond, __VA_ARGS__)

/* The test data folder: tests/data relative to the repository root; OLOCK_TEST_DATA overrides. */
static const char *data_dir(void)
{
    const char *d = getenv("OLOCK_TEST_DATA");
    return (d && *d) ? d : "tests/data";
}

/* Whole file into a malloc'd NUL-terminated buffer; NULL when it cannot be read. */
static char *read_all(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    char *buf = NULL;
    size_t n = 0, cap = 0;
    if (!f) return NULL;
    for (;;) {
        size_t got;
        if (cap - n < 4096) {
            char *nb;
            cap = cap ? cap * 2 : 8192;
            nb = (char *)realloc(buf, cap + 1);
            if (!nb) {
                free(buf);
                fclose(f);
                return NULL;
            }
            buf = nb;
        }
        got = fread(buf + n, 1, cap - n, f);
        if (got == 0) break;
        n += got;
    }
    fclose(f);
    buf[n] = '\0';
    if (len) *len = n;
    return buf;
}

static int hexval(int c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

static size_t hex_decode(const char *s, unsigned char *out, size_t max)
{
    size_t n = 0;
    while (s[0] && s[1] && n < max && hexval(s[0]) >= 0 && hexval(s[1]) >= 0) {
        out[n++] = (unsigned char)(hexval(s[0]) * 16 + hexval(s[1]));
        s += 2;
    }
    return n;
}

/* ---- SHA-256 / HMAC vectors ---------------------------------------------------------------- */

/* "<byte hex> x <count>" or plain hex into a malloc'd buffer. */
static unsigned char *vector_bytes(const char *hex, const char *repeat, size_t *len)
{
    unsigned char *b;
    if (repeat) {
        unsigned char byte;
        size_t count = 0;
        const char *x = strstr(repeat, " x ");
        if (!x || hex_decode(repeat, &byte, 1) != 1) return NULL;
        for (x += 3; *x >= '0' && *x <= '9'; x++) count = count * 10 + (size_t)(*x - '0');
        b = (unsigned char *)malloc(count ? count : 1);
        if (b) memset(b, byte, count);
        *len = count;
        return b;
    }
    *len = strlen(hex) / 2;
    b = (unsigned char *)malloc(*len ? *len : 1);
    if (b) hex_decode(hex, b, *len);
    return b;
}

static void test_crypto_vectors(void)
{
    char path[1024];
    char *text, *line, *next;
    size_t len;
    int blocks = 0, sha_blocks = 0, hmac_blocks = 0;
    /* fields of the block being read */
    char kind[32] = "", key_hex[1024] = "", key_rep[64] = "", msg_hex[4096] = "", msg_rep[64] = "",
         expect[129] = "";
    int has_key_rep = 0, has_msg_rep = 0, have_block = 0;
    size_t trunc = 0;

    snprintf(path, sizeof path, "%s/crypto/sha256_hmac_vectors.txt", data_dir());
    text = read_all(path, &len);
    CHECKM(text != NULL, "cannot read %s (run from the repository root, or set OLOCK_TEST_DATA "
                         "to the tests/data folder)", path);
    if (!text) return;
    for (line = text; line; line = next) {
        char *colon, *val;
        int end_of_block;
        next = strchr(line, '\n');
        if (next) *next++ = '\0';
        end_of_block = (line[0] == '\0' || !next);
        if (line[0] != '#' && line[0] != '\0') {
            colon = strchr(line, ':');
            if (colon) {
                *colon = '\0';
                val = colon + 1;
                while (*val == ' ') val++;
                have_block = 1;
                if (!strcmp(line, "kind")) snprintf(kind, sizeof kind, "%s", val);
                else if (!strcmp(line, "key_hex")) snprintf(key_hex, sizeof key_hex, "%s", val);
                else if (!strcmp(line, "key_repeat")) { snprintf(key_rep, sizeof key_rep, "%s", val); has_key_rep = 1; }
                else if (!strcmp(line, "msg_hex")) snprintf(msg_hex, sizeof msg_hex, "%s", val);
                else if (!strcmp(line, "msg_repeat")) { snprintf(msg_rep, sizeof msg_rep, "%s", val); has_msg_rep = 1; }
                else if (!strcmp(line, "expect_hex")) snprintf(expect, sizeof expect, "%s", val);
                else if (!strcmp(line, "truncate_bytes")) trunc = (size_t)strtoul(val, NULL, 10);
            }
        }
        if (end_of_block && have_block) {
            unsigned char want[64], got[OLOCK_SHA256_SIZE], got2[OLOCK_SHA256_SIZE];
            size_t want_len = hex_decode(expect, want, sizeof want), msg_len = 0, key_len = 0, cmp;
            unsigned char *msg = vector_bytes(msg_hex, has_msg_rep ? msg_rep : NULL, &msg_len);
            unsigned char *key = NULL;
            size_t chunks[] = { 1, 3, 55, 63, 64, 65, 1000 }, ci;
            blocks++;
            cmp = trunc ? trunc : OLOCK_SHA256_SIZE;
            CHECKM(want_len == cmp, "vector %d: expect_hex has %u bytes", blocks, (unsigned)want_len);
            if (!strcmp(kind, "sha256")) {
                sha_blocks++;
                olock_sha256_digest(msg, msg_len, got);
                CHECKM(memcmp(got, want, cmp) == 0, "sha256 one-shot, vector %d", blocks);
                for (ci = 0; ci < sizeof chunks / sizeof chunks[0]; ci++) {
                    olock_sha256 ctx;
                    size_t off = 0;
                    olock_sha256_init(&ctx);
                    while (off < msg_len) {
                        size_t n = msg_len - off < chunks[ci] ? msg_len - off : chunks[ci];
                        olock_sha256_update(&ctx, msg + off, n);
                        off += n;
                    }
                    olock_sha256_final(&ctx, got2);
                    CHECKM(memcmp(got2, want, cmp) == 0, "sha256 streaming (chunk %u), vector %d",
                           (unsigned)chunks[ci], blocks);
                }
            } else if (!strcmp(kind, "hmac-sha256")) {
                hmac_blocks++;
                key = vector_bytes(key_hex, has_key_rep ? key_rep : NULL, &key_len);
                olock_hmac_sha256_digest(key, key_len, msg, msg_len, got);
                CHECKM(memcmp(got, want, cmp) == 0, "hmac one-shot, vector %d", blocks);
                for (ci = 0; ci < sizeof chunks / sizeof chunks[0]; ci++) {
                    olock_hmac_sha256 ctx;
                    size_t off = 0;
                    olock_hmac_sha256_init(&ctx, key, key_len);
                    while (off < msg_len) {
                        size_t n = msg_len - off < chunks[ci] ? msg_len - off : chunks[ci];
                        olock_hmac_sha256_update(&ctx, msg + off, n);
                        off += n;
                    }
                    olock_hmac_sha256_final(&ctx, got2);
                    CHECKM(memcmp(got2, want, cmp) == 0, "hmac streaming (chunk %u), vector %d",
                           (unsigned)chunks[ci], blocks);
                }
            } else {
                CHECKM(0, "vector %d: unknown kind '%s'", blocks, kind);
            }
            free(msg);
            free(key);
            kind[0] = key_hex[0] = key_rep[0] = msg_hex[0] = msg_rep[0] = expect[0] = '\0';
            has_key_rep = has_msg_rep = have_block = 0;
            trunc = 0;
        }
    }
    free(text);
    CHECKM(sha_blocks == 4 && hmac_blocks == 7, "expected 4 sha256 + 7 hmac vectors, read %d + %d",
           sha_blocks, hmac_blocks);
    {
        /* Hex helper and the SigV4 empty-payload hash. */
        unsigned char d[OLOCK_SHA256_SIZE];
        char hex[OLOCK_SHA256_HEX_SIZE];
        olock_sha256_digest(NULL, 0, d);
        olock_hex_encode(d, sizeof d, hex);
        CHECK(strcmp(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855") == 0);
    }
}

/* olock_hex_encode writes sixteen bytes at a time with SSE2 (x86-64), then four at a time as
   one word, then the rest one by one (olock__hex_portable, all of it without SSE2): every byte
   value in every position of a word and of a vector, every length 0..40 at every alignment,
   through both, against digits written here one at a time. */
static void test_hex_encode(void)
{
    static const char digits[] = "0123456789abcdef";
    unsigned char data[48];
    char got[2 * 48 + 2], want[2 * 48 + 1];
    size_t len, off, i;
    int bad = 0, v;
    int portable;
    for (portable = 0; portable < 2; portable++) {
        for (v = 0; v < 256; v++) {
            for (i = 0; i < 16; i++) data[i] = (unsigned char)(i % 4 == (size_t)v % 4 ? v : 255 - v);
            if (portable) olock__hex_portable(data, 16, got);
            else olock_hex_encode(data, 16, got);
            for (i = 0; i < 16; i++) {
                want[2 * i] = digits[data[i] >> 4];
                want[2 * i + 1] = digits[data[i] & 15];
            }
            want[32] = '\0';
            if (strcmp(got, want) != 0) bad++;
        }
        for (i = 0; i < sizeof data; i++) data[i] = (unsigned char)(i * 37u + 11u);
        for (off = 0; off < 8; off++) {
            for (len = 0; len + off <= 40; len++) {
                memset(got, 'x', sizeof got);
                if (portable) olock__hex_portable(data + off, len, got);
                else olock_hex_encode(data + off, len, got);
                for (i = 0; i < len; i++) {
                    want[2 * i] = digits[data[off + i] >> 4];
                    want[2 * i + 1] = digits[data[off + i] & 15];
                }
                want[2 * len] = '\0';
                if (strcmp(got, want) != 0 || got[2 * len + 1] != 'x') bad++; /* the NUL, and nothing after it */
            }
        }
    }
    CHECKM(bad == 0, "%d hex encodings differ", bad);
}

/* White-box: the SHA-NI block function agrees with the portable one (when the CPU has it). */
static void test_sha_backends(void)
{
#ifdef OLOCK__SHA_NI
    unsigned char data[64 * 9];
    uint32_t x = 12345u;
    size_t i, n;
    for (i = 0; i < sizeof data; i++) {
        x = x * 1103515245u + 12345u;
        data[i] = (unsigned char)(x >> 16);
    }
    if (!olock__sha256_have_ni()) return;
    for (n = 1; n <= 9; n++) {
        uint32_t a[8], b[8];
        for (i = 0; i < 8; i++) a[i] = b[i] = (uint32_t)(0x01234567u * (i + 1));
        olock__sha256_blocks_c(a, data, n);
        olock__sha256_blocks_ni(b, data, n);
        CHECKM(memcmp(a, b, sizeof a) == 0, "SHA-NI and portable differ for %u blocks", (unsigned)n);
    }
#endif
}

/* ---- SigV4 suite (aws-c-auth v4, header variant) ------------------------------------------- */

/* Days from 1970-01-01 to y-m-d, counted plainly (independent of the library's conversion). */
static long long days_from_civil(int y, int m, int d)
{
    static const int mdays[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
    long long days = 0;
    int i;
    for (i = 1970; i < y; i++) days += ((i % 4 == 0 && i % 100 != 0) || i % 400 == 0) ? 366 : 365;
    for (i = 1; i < m; i++) days += mdays[i - 1] + ((i == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0)) ? 1 : 0);
    return days + d - 1;
}

/* Minimal JSON reading for context.json: the string or literal after "key":. */
static int json_field(const char *json, const char *key, char *out, size_t max)
{
    char pat[128];
    const char *p;
    size_t n = 0;
    snprintf(pat, sizeof pat, "\"%s\"", key);
    p = strstr(json, pat);
    if (!p) return 0;
    p += strlen(pat);
    while (*p == ' ' || *p == ':' || *p == '\n' || *p == '\t') p++;
    if (*p == '"') {
        for (p++; *p && *p != '"' && n + 1 < max; p++) out[n++] = *p;
    } else {
        for (; *p && *p != ',' && *p != '}' && *p != '\n' && n + 1 < max; p++) out[n++] = *p;
    }
    out[n] = '\0';
    return 1;
}

#define MAX_TEST_HEADERS 32

typedef struct parsed_request {
    char *text;                 /* request.txt, cut in place */
    char method[16];
    char *path;
    char *query;
    olock_http_header headers[MAX_TEST_HEADERS];
    size_t header_count;
    char *body;
    size_t body_len;
    char values[MAX_TEST_HEADERS][1024];   /* header values with folded lines joined by '\n' */
} parsed_request;

/* Parses request.txt: "METHOD <raw-uri> HTTP/1.1", "Name:value" lines (a line that starts with
   whitespace continues the previous value), an empty line, the body. */
static int parse_request(parsed_request *r, char *text, size_t len)
{
    char *p = text, *end = text + len, *eol, *sp, *http;
    memset(r, 0, sizeof *r);
    r->text = text;
    eol = strchr(p, '\n');
    if (!eol) return 0;
    *eol = '\0';
    sp = strchr(p, ' ');
    http = strstr(p, " HTTP/1.1");
    if (!sp || !http || sp >= http || (size_t)(sp - p) >= sizeof r->method) return 0;
    memcpy(r->method, p, (size_t)(sp - p));
    *http = '\0';
    r->path = sp + 1;
    r->query = strchr(r->path, '?');
    if (r->query) *r->query++ = '\0';
    p = eol + 1;
    while (p < end && *p != '\n') {
        char *colon;
        eol = strchr(p, '\n');
        if (!eol) eol = end;
        *eol = '\0';
        if ((*p == ' ' || *p == '\t') && r->header_count) {
            char *v = r->values[r->header_count - 1];
            size_t n = strlen(v);
            snprintf(v + n, sizeof r->values[0] - n, "\n%s", p);
        } else {
            colon = strchr(p, ':');
            if (!colon || r->header_count == MAX_TEST_HEADERS) return 0;
            *colon = '\0';
            r->headers[r->header_count].name = p;
            snprintf(r->values[r->header_count], sizeof r->values[0], "%s", colon + 1);
            r->header_count++;
        }
        p = eol + 1;
    }
    if (p < end && *p == '\n') p++;
    r->body = p < end ? p : end;
    r->body_len = p < end ? (size_t)(end - p) : 0;
    {
        size_t i;
        for (i = 0; i < r->header_count; i++) r->headers[i].value = r->values[i];
    }
    return 1;
}

static char *case_file(const char *dir, const char *name, size_t *len)
{
    char path[1600];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    return read_all(path, len);
}

static void run_sigv4_case(const char *dir, const char *name)
{
    size_t req_len, ctx_len, n;
    char *req_text = case_file(dir, "request.txt", &req_len);
    char *ctx = case_file(dir, "context.json", &ctx_len);
    char *want_creq = case_file(dir, "header-canonical-request.txt", &n);
    char *want_sts = case_file(dir, "header-string-to-sign.txt", &n);
    char *want_sig = case_file(dir, "header-signature.txt", &n);
    char *signed_req = case_file(dir, "header-signed-request.txt", &n);
    char akid[128] = "", secret[128] = "", token[2048] = "", region[64] = "", service[64] = "",
         ts[64] = "", flag[16] = "";
    int y, mo, d, hh, mi, ss, has_token;
    long long t;
    unsigned flags = 0;
    parsed_request *r = (parsed_request *)malloc(sizeof *r);
    olock_sigv4_signer s;
    olock_sigv4_signature sig;
    olock_credentials cr;
    olock_sigv4_request q;
    olock_error err;
    olock_result res;

    if (!req_text || !ctx || !want_creq || !want_sts || !want_sig || !signed_req || !r) {
        CHECKM(0, "%s: missing files", name);
        goto done;
    }
    if (!parse_request(r, req_text, req_len)) {
        CHECKM(0, "%s: cannot parse request.txt", name);
        goto done;
    }
    json_field(ctx, "access_key_id", akid, sizeof akid);
    json_field(ctx, "secret_access_key", secret, sizeof secret);
    has_token = json_field(ctx, "token", token, sizeof token);
    json_field(ctx, "region", region, sizeof region);
    json_field(ctx, "service", service, sizeof service);
    json_field(ctx, "timestamp", ts, sizeof ts);
    if (json_field(ctx, "normalize", flag, sizeof flag) && !strcmp(flag, "true")) flags |= OLOCK_SIGV4_NORMALIZE_PATH;
    if (json_field(ctx, "sign_body", flag, sizeof flag) && !strcmp(flag, "true")) flags |= OLOCK_SIGV4_SIGN_BODY;
    if (json_field(ctx, "omit_session_token", flag, sizeof flag) && !strcmp(flag, "true"))
        flags |= OLOCK_SIGV4_UNSIGNED_TOKEN;
    if (sscanf(ts, "%d-%d-%dT%d:%d:%dZ", &y, &mo, &d, &hh, &mi, &ss) != 6) {
        CHECKM(0, "%s: bad timestamp", name);
        goto done;
    }
    t = days_from_civil(y, mo, d) * 86400 + hh * 3600 + mi * 60 + ss;

    cr.access_key_id = akid;
    cr.secret_access_key = secret;
    cr.session_token = has_token ? token : NULL;
    res = olock_sigv4_signer_init(&s, NULL, &cr, region, service, &err);
    CHECKM(res == OLOCK_OK, "%s: init: %s", name, err.message);
    memset(&q, 0, sizeof q);
    q.method = r->method;
    q.path = r->path;
    q.query = r->query;
    q.headers = r->headers;
    q.header_count = r->header_count;
    q.body = r->body;
    q.body_len = r->body_len;
    if (res == OLOCK_OK) {
        res = olock_sigv4_signer_sign(&s, &q, (int64_t)t, flags, &sig, &err);
        CHECKM(res == OLOCK_OK, "%s: sign: %s", name, err.message);
    }
    if (res == OLOCK_OK) {
        char want_auth[4096];
        const char *a;
        size_t i;
        int found_token = 0;
        CHECKM(sig.canonical_request_len == strlen(want_creq) &&
               memcmp(sig.canonical_request, want_creq, sig.canonical_request_len) == 0,
               "%s: canonical request\n--- got\n%.*s\n--- want\n%s", name, (int)sig.canonical_request_len,
               sig.canonical_request, want_creq);
        CHECKM(sig.string_to_sign_len == strlen(want_sts) &&
               memcmp(sig.string_to_sign, want_sts, sig.string_to_sign_len) == 0,
               "%s: string to sign\n--- got\n%s\n--- want\n%s", name, sig.string_to_sign, want_sts);
        CHECKM(strcmp(sig.signature, want_sig) == 0, "%s: signature %s, want %s", name, sig.signature, want_sig);
        /* The Authorization line of the signed request, and the token header when there is one. */
        a = strstr(signed_req, "\nAuthorization:");
        if (a) {
            const char *e = strchr(a + 1, '\n');
            snprintf(want_auth, sizeof want_auth, "%.*s", (int)(e ? (size_t)(e - a - 15) : strlen(a + 15)), a + 15);
        } else {
            want_auth[0] = '\0';
        }
        CHECKM(strcmp(sig.authorization, want_auth) == 0, "%s: authorization\n%s\n%s", name, sig.authorization, want_auth);
        CHECK(strcmp(sig.headers[sig.header_count - 1].value, sig.authorization) == 0);
        CHECK(strcmp(sig.headers[0].name, "X-Amz-Date") == 0 && strlen(sig.amz_date) == 16);
        for (i = 0; i < sig.header_count; i++)
            if (!strcmp(sig.headers[i].name, "X-Amz-Security-Token")) found_token = !strcmp(sig.headers[i].value, token);
        CHECKM(found_token == has_token, "%s: X-Amz-Security-Token header", name);
        if (flags & OLOCK_SIGV4_SIGN_BODY) {
            int found = 0;
            for (i = 0; i < sig.header_count; i++)
                if (!strcmp(sig.headers[i].name, "x-amz-content-sha256")) found = 1;
            CHECKM(found, "%s: x-amz-content-sha256 header", name);
        }
    }
    olock_sigv4_signer_free(&s);
done:
    free(req_text);
    free(ctx);
    free(want_creq);
    free(want_sts);
    free(want_sig);
    free(signed_req);
    free(r);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static void test_sigv4_suite(void)
{
    char root[1024], dir[1400];
    char *names[128];
    size_t count = 0, i;
    DIR *dp;
    struct dirent *de;
    snprintf(root, sizeof root, "%s/sigv4", data_dir());
    dp = opendir(root);
    CHECKM(dp != NULL, "cannot open %s (run from the repository root, or set OLOCK_TEST_DATA "
                       "to the tests/data folder)", root);
    if (!dp) return;
    while ((de = readdir(dp)) != NULL && count < 128) {
        size_t n;
        FILE *f;
        if (de->d_name[0] == '.') continue;
        snprintf(dir, sizeof dir, "%s/%s/request.txt", root, de->d_name);
        f = fopen(dir, "rb");
        if (!f) continue;           /* README.md and anything else that is not a case */
        fclose(f);
        n = strlen(de->d_name) + 1;
        names[count] = (char *)malloc(n);
        if (names[count]) memcpy(names[count++], de->d_name, n);
    }
    closedir(dp);
    qsort(names, count, sizeof names[0], cmp_str);
    CHECKM(count == 38, "expected 38 sigv4 cases, found %u", (unsigned)count);
    for (i = 0; i < count; i++) {
        snprintf(dir, sizeof dir, "%s/%s", root, names[i]);
        run_sigv4_case(dir, names[i]);
        free(names[i]);
    }
}

/* ---- DynamoDB-shaped request --------------------------------------------------------------- */

static const char ddb_body[] =
    "{\"TableName\":\"players\",\"Key\":{\"id\":{\"S\":\"player-7\"}},\"UpdateExpression\":\"SET gold = :g\","
    "\"ConditionExpression\":\"version = :v\",\"ExpressionAttributeValues\":{\":g\":{\"N\":\"120\"},\":v\":{\"N\":\"3\"}}}";
static const char ddb_token[] = "FQoGZXIvYXdzEXAMPLE//////////wEaDEXAMPLETOKEN+abc/def==";

static void ddb_request(olock_sigv4_request *q, olock_http_header h[3])
{
    h[0].name = "Host";
    h[0].value = "dynamodb.us-west-2.amazonaws.com";
    h[1].name = "Content-Type";
    h[1].value = "application/x-amz-json-1.0";
    h[2].name = "X-Amz-Target";
    h[2].value = "DynamoDB_20120810.UpdateItem";
    memset(q, 0, sizeof *q);
    q->method = "POST";
    q->path = "/";
    q->headers = h;
    q->header_count = 3;
    q->body = ddb_body;
    q->body_len = sizeof ddb_body - 1;
}

static void test_dynamodb_request(void)
{
    /* Expected values computed independently with Python 3 hashlib/hmac: canonical request
       "POST\n/\n\n" + sorted "name:value\n" lines (content-type, host, x-amz-date, x-amz-target
       [, x-amz-security-token]) + "\n" + signed names joined by ";" + "\n" + sha256(body).hex(),
       string to sign "AWS4-HMAC-SHA256\n20231114T221320Z\n20231114/us-west-2/dynamodb/aws4_request\n"
       + sha256(creq).hex(), key HMAC chain from "AWS4" + secret over date, region, service,
       "aws4_request"; time 1700000000 = 2023-11-14T22:13:20Z. */
    static const char want_plain[] = "911959eee727cca384938b39bc33fd08c8abe4633f0f8041f86a66036e0f50d6";
    static const char want_token[] = "fc94e792ad74824981304497001efa489f03ea19cfdaab55658cf2dbf4e4135c";
    olock_credentials cr;
    olock_sigv4_signer s;
    olock_sigv4_signature sig;
    olock_sigv4_request q;
    olock_http_header h[3];
    olock_error err;
    olock_result r;

    cr.access_key_id = "AKIDEXAMPLE";
    cr.secret_access_key = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
    cr.session_token = NULL;
    ddb_request(&q, h);
    r = olock_sigv4_signer_init(&s, NULL, &cr, "us-west-2", "dynamodb", &err);
    CHECKM(r == OLOCK_OK, "%s", err.message);
    r = olock_sigv4_signer_sign(&s, &q, 1700000000, OLOCK_SIGV4_NORMALIZE_PATH, &sig, &err);
    CHECKM(r == OLOCK_OK, "%s", err.message);
    if (r == OLOCK_OK) {
        CHECKM(strcmp(sig.signature, want_plain) == 0, "ddb signature %s", sig.signature);
        CHECK(strcmp(sig.amz_date, "20231114T221320Z") == 0);
        CHECK(sig.header_count == 2);
        CHECK(strcmp(sig.authorization, "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20231114/us-west-2/dynamodb/"
                                        "aws4_request, SignedHeaders=content-type;host;x-amz-date;x-amz-target, "
                                        "Signature=911959eee727cca384938b39bc33fd08c8abe4633f0f8041f86a66036e0f50d6") == 0);
    }
    cr.session_token = ddb_token;
    r = olock_sigv4_signer_set_credentials(&s, &cr, &err);
    CHECKM(r == OLOCK_OK, "%s", err.message);
    r = olock_sigv4_signer_sign(&s, &q, 1700000000, OLOCK_SIGV4_NORMALIZE_PATH, &sig, &err);
    CHECKM(r == OLOCK_OK, "%s", err.message);
    if (r == OLOCK_OK) {
        CHECKM(strcmp(sig.signature, want_token) == 0, "ddb signature with token %s", sig.signature);
        CHECK(sig.header_count == 3 && strcmp(sig.headers[1].name, "X-Amz-Security-Token") == 0 &&
              strcmp(sig.headers[1].value, ddb_token) == 0);
        CHECK(strstr(sig.authorization, "SignedHeaders=content-type;host;x-amz-date;x-amz-security-token;x-amz-target,") != NULL);
    }
    /* Header names in any case, in any order, give the same signature. */
    {
        olock_http_header h2[3];
        h2[0].name = "x-amz-target";
        h2[0].value = "  DynamoDB_20120810.UpdateItem ";
        h2[1].name = "HOST";
        h2[1].value = "dynamodb.us-west-2.amazonaws.com";
        h2[2].name = "content-type";
        h2[2].value = "application/x-amz-json-1.0";
        q.headers = h2;
        r = olock_sigv4_signer_sign(&s, &q, 1700000000, OLOCK_SIGV4_NORMALIZE_PATH, &sig, &err);
        CHECK(r == OLOCK_OK && strcmp(sig.signature, want_token) == 0);
        q.headers = h;
    }
    /* A precomputed payload hash is used verbatim. */
    {
        unsigned char d[OLOCK_SHA256_SIZE];
        char hex[OLOCK_SHA256_HEX_SIZE];
        olock_sha256_digest(ddb_body, sizeof ddb_body - 1, d);
        olock_hex_encode(d, sizeof d, hex);
        q.payload_hash = hex;
        q.body = NULL;
        q.body_len = 0;
        r = olock_sigv4_signer_sign(&s, &q, 1700000000, OLOCK_SIGV4_NORMALIZE_PATH, &sig, &err);
        CHECK(r == OLOCK_OK && strcmp(sig.signature, want_token) == 0);
        ddb_request(&q, h);
    }
    olock_sigv4_signer_free(&s);
}

/* ---- signer behaviour: key cache, errors, allocation failures, wiping ---------------------- */

static void test_key_cache(void)
{
    olock_credentials cr;
    olock_sigv4_signer s;
    olock_sigv4_signature sig;
    olock_sigv4_request q;
    olock_http_header h[3];
    olock_error err;
    char first[OLOCK_SHA256_HEX_SIZE];

    cr.access_key_id = "AKIDEXAMPLE";
    cr.secret_access_key = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
    cr.session_token = NULL;
    ddb_request(&q, h);
    CHECK(olock_sigv4_signer_init(&s, NULL, &cr, "us-west-2", "dynamodb", &err) == OLOCK_OK);
    CHECK(s.key_derivations == 0);
    CHECK(olock_sigv4_signer_sign(&s, &q, 1700000000, OLOCK_SIGV4_NORMALIZE_PATH, &sig, &err) == OLOCK_OK);
    CHECK(s.key_derivations == 1);
    memcpy(first, sig.signature, sizeof first);
    CHECK(olock_sigv4_signer_sign(&s, &q, 1700000000, OLOCK_SIGV4_NORMALIZE_PATH, &sig, &err) == OLOCK_OK);
    CHECK(s.key_derivations == 1 && strcmp(first, sig.signature) == 0);
    /* later the same UTC day: same key, another signature */
    CHECK(olock_sigv4_signer_sign(&s, &q, 1700006399, OLOCK_SIGV4_NORMALIZE_PATH, &sig, &err) == OLOCK_OK);
    CHECK(s.key_derivations == 1 && strcmp(first, sig.signature) != 0);
    CHECK(strcmp(sig.amz_date, "20231114T235959Z") == 0);
    /* next day: new key */
    CHECK(olock_sigv4_signer_sign(&s, &q, 1700006400, OLOCK_SIGV4_NORMALIZE_PATH, &sig, &err) == OLOCK_OK);
    CHECK(s.key_derivations == 2 && strcmp(sig.amz_date, "20231115T000000Z") == 0);
    /* same secret (new token): key kept; new secret: key dropped */
    cr.session_token = "tok";
    CHECK(olock_sigv4_signer_set_credentials(&s, &cr, &err) == OLOCK_OK);
    CHECK(olock_sigv4_signer_sign(&s, &q, 1700006400, OLOCK_SIGV4_NORMALIZE_PATH, &sig, &err) == OLOCK_OK);
    CHECK(s.key_derivations == 2);
    cr.secret_access_key = "another-secret";
    CHECK(olock_sigv4_signer_set_credentials(&s, &cr, &err) == OLOCK_OK);
    CHECK(olock_sigv4_signer_sign(&s, &q, 1700006400, OLOCK_SIGV4_NORMALIZE_PATH, &sig, &err) == OLOCK_OK);
    CHECK(s.key_derivations == 3);
    olock_sigv4_signer_free(&s);
    olock_sigv4_signer_free(&s);   /* twice is harmless */
    olock_sigv4_signer_free(NULL);
}

/* One signer kept across many requests resumes its hashes from states of the previous
   request's text (olock__sigv4_resume): every signature must still be the one a new signer
   gives, and the canonical request's hash the one computed from its text here. The requests
   change one thing at a time: the second, the day, the target's length (shifting what follows
   it), the path, the body (one byte of it, or its length), the credentials, the session token (in the canonical request when
   signed), the header names (case, order, a repeated name, more headers than the signer keeps
   the names of: olock__sigv4_names). */
static void test_resume_equals_fresh(void)
{
    static const char *targets[] = { "DynamoDB_20120810.UpdateItem", "DynamoDB_20120810.GetItem",
                                     "DynamoDB_20120810.TransactWriteItems", "DynamoDB_20120810.PutItem" };
    static const char *paths[] = { "/", "/a", "/" "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa/b" };
    static const char *secrets[] = { "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "another-secret" };
    static const char *tokens[] = { NULL, "tok", "a-longer-session-token-that-spans-more-than-one-block-of-sha256-input" };
    olock_credentials cr;
    olock_sigv4_signer kept;
    olock_error err;
    uint32_t x = 7u, y = 99u;
    int64_t t = 1700000000;
    int step, bad = 0, resumed = 0, body_resumed = 0, names_kept = 0, secret = 0, token = 0;
    static char long_body[13 * 64 + 64]; /* kept across steps: consecutive bodies share a prefix */
    size_t long_len = 0;
    for (long_len = 0; long_len < sizeof long_body; long_len++) long_body[long_len] = (char)('a' + long_len % 26);
    long_len = 401;
    cr.access_key_id = "AKIDEXAMPLE";
    cr.secret_access_key = secrets[0];
    cr.session_token = NULL;
    CHECK(olock_sigv4_signer_init(&kept, NULL, &cr, "us-west-2", "dynamodb", &err) == OLOCK_OK);
    for (step = 0; step < 600; step++) {
        olock_sigv4_signer fresh;
        olock_sigv4_signature a, b;
        olock_sigv4_request q;
        olock_http_header h[10];
        char body[300], hex[OLOCK_SHA256_HEX_SIZE];
        int shape;
        unsigned char d[OLOCK_SHA256_SIZE];
        unsigned flags = OLOCK_SIGV4_NORMALIZE_PATH;
        size_t blen;
        x = x * 1103515245u + 12345u;
        switch ((x >> 16) % 8) {
        case 0: t += 1; break;                        /* the next second */
        case 1: t += 86400; break;                    /* the next day: a new key */
        case 2: secret ^= 1; break;                   /* new credentials */
        case 3: token = (int)((x >> 8) % 3); break;   /* a session token, or none */
        default: break;                               /* the same second: resumed */
        }
        if (((x >> 16) % 8) == 2 || ((x >> 16) % 8) == 3) {
            cr.secret_access_key = secrets[secret];
            cr.session_token = tokens[token];
            CHECK(olock_sigv4_signer_set_credentials(&kept, &cr, &err) == OLOCK_OK);
        }
        ddb_request(&q, h);
        h[2].value = targets[(x >> 4) % 4];
        shape = (int)((x >> 27) % 8);
        if (shape == 1) {                       /* other case, other order */
            h[0].name = "x-amz-target"; h[0].value = targets[(x >> 4) % 4];
            h[1].name = "HOST"; h[1].value = "dynamodb.us-west-2.amazonaws.com";
            h[2].name = "content-TYPE"; h[2].value = "application/x-amz-json-1.0";
        } else if (shape == 2 || shape == 3 || shape == 5) {  /* a repeated name, or one that differs late; values to trim */
            h[3].name = "X-Dup"; h[3].value = "  a   b ";
            h[4].name = shape == 2 ? "x-dup" : shape == 3 ? "X-Other" : "x-duq"; h[4].value = "c";
            q.header_count = 5;
        } else if (shape == 4) {                /* more headers than the signer keeps */
            int k;
            static const char *more[] = { "A-1", "A-2", "A-3", "A-4", "A-5", "A-6", "A-7" };
            for (k = 0; k < 7; k++) { h[3 + k].name = more[k]; h[3 + k].value = "v"; }
            q.header_count = 10;
        }
        q.path = paths[(x >> 10) % 3];
        blen = (size_t)snprintf(body, sizeof body, "{\"TableName\":\"players\",\"n\":%u}", (unsigned)(x >> 20));
        q.body = body;
        q.body_len = (x >> 2) % 4 ? blen : 0;
        /* Or a longer body than the signer keeps blocks of (olock__sigv4_resume): the same as the
           last long one, one byte changed anywhere, or another length. */
        y = y * 1103515245u + 12345u;
        if ((y >> 4) % 4 == 2) {
            long_body[(y >> 8) % long_len] = (char)('A' + (y >> 20) % 26);
        } else if ((y >> 4) % 4 == 3) {
            long_len = 64 * ((y >> 8) % 13) + (y >> 16) % 64;
        }
        if ((y >> 4) % 4 != 0) {
            q.body = long_body;
            q.body_len = long_len;
        }
        if ((x >> 25) & 1) flags |= OLOCK_SIGV4_SIGN_BODY;
        if ((x >> 26) & 1) flags |= OLOCK_SIGV4_UNSIGNED_TOKEN;
        if (olock_sigv4_signer_sign(&kept, &q, t, flags, &a, &err) != OLOCK_OK ||
            olock_sigv4_signer_init(&fresh, NULL, &cr, "us-west-2", "dynamodb", &err) != OLOCK_OK) {
            bad++;
            continue;
        }
        if (kept.creq_resume.states > 0) resumed++;
        if (kept.body_resume.states > 0) body_resumed++;
        if (kept.names.count == q.header_count) names_kept++;
        if (shape == 4 && kept.names.count != 0) bad++;   /* 10 headers: not kept */
        if (olock_sigv4_signer_sign(&fresh, &q, t, flags, &b, &err) != OLOCK_OK || strcmp(a.signature, b.signature) != 0 ||
            strcmp(a.authorization, b.authorization) != 0 || strcmp(a.canonical_request, b.canonical_request) != 0)
            bad++;
        olock_sha256_digest(a.canonical_request, a.canonical_request_len, d);
        olock_hex_encode(d, sizeof d, hex);
        if (a.string_to_sign_len < 64 || strcmp(a.string_to_sign + a.string_to_sign_len - 64, hex) != 0) bad++;
        olock_sigv4_signer_free(&fresh);
    }
    CHECKM(bad == 0, "%d of 600 signatures differ from a new signer's", bad);
    /* states: the whole blocks a text shared with the one before it, the ones a resume starts from */
    CHECKM(resumed > 100, "the canonical request shared its start with the one before in %d of 600 signatures", resumed);
    CHECKM(body_resumed > 150, "the body shared its start with the one before in %d of 600 signatures", body_resumed);
    CHECKM(names_kept > 300, "the header names were kept for %d of 600 signatures", names_kept);
    olock_sigv4_signer_free(&kept);
    CHECK(kept.creq_resume.blocks == 0 && kept.sts_resume.blocks == 0 && kept.body_resume.blocks == 0); /* wiped */
}

static void test_dates(void)
{
    /* X-Amz-Date across leap days, centuries and the ends of the range (expected by hand). */
    static const struct { long long t; const char *want; } cases[] = {
        { 0, "19700101T000000Z" },
        { 951782400, "20000229T000000Z" },        /* 2000 is a leap year */
        { 951868799, "20000229T235959Z" },
        { 951868800, "20000301T000000Z" },
        { 1078012800, "20040229T000000Z" },
        { 4107542400LL, "21000301T000000Z" },     /* 2100 is not */
        { 1440938160, "20150830T123600Z" },
        { 253402300799LL, "99991231T235959Z" },
    };
    olock_credentials cr;
    olock_sigv4_signer s;
    olock_sigv4_signature sig;
    olock_sigv4_request q;
    olock_http_header h[3];
    olock_error err;
    size_t i;
    cr.access_key_id = "AKID";
    cr.secret_access_key = "secret";
    cr.session_token = NULL;
    ddb_request(&q, h);
    CHECK(olock_sigv4_signer_init(&s, NULL, &cr, "us-east-1", "dynamodb", &err) == OLOCK_OK);
    for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        olock_result r = olock_sigv4_signer_sign(&s, &q, (int64_t)cases[i].t, 0, &sig, &err);
        CHECKM(r == OLOCK_OK && strcmp(sig.amz_date, cases[i].want) == 0, "t=%lld: %s, want %s", cases[i].t,
               r == OLOCK_OK ? sig.amz_date : err.message, cases[i].want);
    }
    CHECK(olock_sigv4_signer_sign(&s, &q, -1, 0, &sig, &err) == OLOCK_ERR_INVALID_ARG);
    CHECK(olock_sigv4_signer_sign(&s, &q, 253402300800LL, 0, &sig, &err) == OLOCK_ERR_INVALID_ARG);
    olock_sigv4_signer_free(&s);
}

static void test_sign_errors(void)
{
    olock_credentials cr;
    olock_sigv4_signer s;
    olock_sigv4_signature sig;
    olock_sigv4_request q;
    olock_http_header h[3], many[OLOCK_SIGV4_MAX_HEADERS + 1];
    olock_error err;
    size_t i;

    cr.access_key_id = "AKIDEXAMPLE";
    cr.secret_access_key = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
    cr.session_token = NULL;
    CHECK(olock_sigv4_signer_init(&s, NULL, &cr, "us/east", "dynamodb", &err) == OLOCK_ERR_INVALID_ARG);
    olock_sigv4_signer_free(&s);
    CHECK(olock_sigv4_signer_init(&s, NULL, &cr, "us-east-1", "", &err) == OLOCK_ERR_INVALID_ARG);
    olock_sigv4_signer_free(&s);
    cr.access_key_id = "AKID EXAMPLE";
    CHECK(olock_sigv4_signer_init(&s, NULL, &cr, "us-east-1", "dynamodb", &err) == OLOCK_ERR_INVALID_ARG);
    CHECK(strstr(err.message, "wJalr") == NULL);
    olock_sigv4_signer_free(&s);
    cr.access_key_id = "AKIDEXAMPLE";
    cr.session_token = "bad\r\ntoken";
    CHECK(olock_sigv4_signer_init(&s, NULL, &cr, "us-east-1", "dynamodb", &err) == OLOCK_ERR_INVALID_ARG);
    olock_sigv4_signer_free(&s);
    cr.session_token = NULL;
    CHECK(olock_sigv4_signer_init(&s, NULL, NULL, "us-east-1", "dynamodb", &err) == OLOCK_ERR_INVALID_ARG);
    olock_sigv4_signer_free(&s);

    CHECK(olock_sigv4_signer_init(&s, NULL, &cr, "us-east-1", "dynamodb", &err) == OLOCK_OK);
    ddb_request(&q, h);
    /* no Host */
    q.headers = h + 1;
    q.header_count = 2;
    CHECK(olock_sigv4_signer_sign(&s, &q, 1700000000, 0, &sig, &err) == OLOCK_ERR_INVALID_ARG);
    CHECK(strstr(err.message, "Host") != NULL);
    /* a header the signer adds */
    ddb_request(&q, h);
    h[2].name = "X-AMZ-DATE";
    CHECK(olock_sigv4_signer_sign(&s, &q, 1700000000, 0, &sig, &err) == OLOCK_ERR_INVALID_ARG);
    h[2].name = "Bad Name";
    CHECK(olock_sigv4_signer_sign(&s, &q, 1700000000, 0, &sig, &err) == OLOCK_ERR_INVALID_ARG);
    ddb_request(&q, h);
    q.method = "";
    CHECK(olock_sigv4_signer_sign(&s, &q, 1700000000, 0, &sig, &err) == OLOCK_ERR_INVALID_ARG);
    ddb_request(&q, h);
    q.path = "relative";
    CHECK(olock_sigv4_signer_sign(&s, &q, 1700000000, 0, &sig, &err) == OLOCK_ERR_INVALID_ARG);
    ddb_request(&q, h);
    q.body = NULL;
    CHECK(olock_sigv4_signer_sign(&s, &q, 1700000000, 0, &sig, &err) == OLOCK_ERR_INVALID_ARG);
    ddb_request(&q, h);
    for (i = 0; i < OLOCK_SIGV4_MAX_HEADERS + 1; i++) {
        many[i].name = i == 0 ? "Host" : "X-Many";
        many[i].value = "v";
    }
    q.headers = many;
    q.header_count = OLOCK_SIGV4_MAX_HEADERS + 1;
    CHECK(olock_sigv4_signer_sign(&s, &q, 1700000000, 0, &sig, &err) == OLOCK_ERR_LIMIT);
    q.header_count = OLOCK_SIGV4_MAX_HEADERS;
    CHECK(olock_sigv4_signer_sign(&s, &q, 1700000000, 0, &sig, &err) == OLOCK_OK);
    {
        /* 65 query parameters: LIMIT; 64: fine; odd encodings */
        char query[65 * 4 + 1];
        for (i = 0; i < 65; i++) memcpy(query + 4 * i, "a=b&", 4);
        query[65 * 4 - 1] = '\0';
        ddb_request(&q, h);
        q.query = query;
        CHECK(olock_sigv4_signer_sign(&s, &q, 1700000000, 0, &sig, &err) == OLOCK_ERR_LIMIT);
        query[64 * 4 - 1] = '\0';
        CHECK(olock_sigv4_signer_sign(&s, &q, 1700000000, 0, &sig, &err) == OLOCK_OK);
        q.query = "b=2&a=%zz&&c&a=1+1&%7e=%41";
        CHECK(olock_sigv4_signer_sign(&s, &q, 1700000000, 0, &sig, &err) == OLOCK_OK);
        CHECKM(strstr(sig.canonical_request, "\n/\na=%25zz&a=1%2B1&b=2&c=&~=A\n") != NULL, "%s", sig.canonical_request);
        /* double encoding of an encoded path, and normalisation of ".." above the root */
        q.query = NULL;
        q.path = "/a%20b/../../c/./d/";
        CHECK(olock_sigv4_signer_sign(&s, &q, 1700000000, OLOCK_SIGV4_NORMALIZE_PATH, &sig, &err) == OLOCK_OK);
        CHECKM(strncmp(sig.canonical_request, "POST\n/c/d/\n", 11) == 0, "%s", sig.canonical_request);
        q.path = "/a%20b/x/..";
        CHECK(olock_sigv4_signer_sign(&s, &q, 1700000000, OLOCK_SIGV4_NORMALIZE_PATH, &sig, &err) == OLOCK_OK);
        CHECKM(strncmp(sig.canonical_request, "POST\n/a%2520b\n", 14) == 0, "%s", sig.canonical_request);
        CHECK(olock_sigv4_signer_sign(&s, &q, 1700000000, 0, &sig, &err) == OLOCK_OK);
        CHECKM(strncmp(sig.canonical_request, "POST\n/a%2520b/x/..\n", 19) == 0, "%s", sig.canonical_request);
    }
    CHECK(olock_sigv4_signer_sign(NULL, &q, 1700000000, 0, &sig, &err) == OLOCK_ERR_INVALID_ARG);
    CHECK(olock_sigv4_signer_sign(&s, NULL, 1700000000, 0, &sig, &err) == OLOCK_ERR_INVALID_ARG);
    olock_sigv4_signer_free(&s);
}

/* An allocator that counts, fails the Nth allocation and, on free, looks for a planted secret
   in the block being freed (it must have been wiped). */
typedef struct test_alloc {
    long fail_at;                /* -1: never */
    long count;
    long live;
    const char *secret;          /* looked for in freed blocks */
    int leaked_secret;
} test_alloc;

static void *ta_malloc(void *ctx, size_t n)
{
    test_alloc *t = (test_alloc *)ctx;
    if (t->fail_at >= 0 && t->count++ == t->fail_at) return NULL;
    t->live++;
    return calloc(1, n ? n : 1);   /* zeroed: ta_free scans whole blocks */
}

static int ta_contains(const void *p, size_t n, const char *s)
{
    size_t sl = strlen(s), i;
    if (sl > n) return 0;
    for (i = 0; i + sl <= n; i++)
        if (memcmp((const char *)p + i, s, sl) == 0) return 1;
    return 0;
}

static void *ta_realloc(void *ctx, void *p, size_t old_n, size_t n)
{
    test_alloc *t = (test_alloc *)ctx;
    void *q;
    if (t->fail_at >= 0 && t->count++ == t->fail_at) return NULL;
    q = realloc(p, n ? n : 1);
    if (!q) return NULL;
    if (!p) t->live++;
    if (n > old_n) memset((char *)q + (p ? old_n : 0), 0, n - (p ? old_n : 0));
    return q;
}

static void ta_free(void *ctx, void *p, size_t n)
{
    test_alloc *t = (test_alloc *)ctx;
    if (!p) return;
    if (t->secret && ta_contains(p, n, t->secret)) t->leaked_secret = 1;
    t->live--;
    free(p);
}

static void test_alloc_failures(void)
{
    static const char secret[] = "SECRETwJalrXUtnFEMIK7MDENGbPxRfiCY";
    test_alloc ta;
    olock_allocator a;
    olock_credentials cr;
    olock_http_header h[3];
    olock_sigv4_request q;
    olock_sigv4_signature sig;
    olock_error err;
    long n;
    int succeeded = 0;
    a.ctx = &ta;
    a.malloc_fn = ta_malloc;
    a.realloc_fn = ta_realloc;
    a.free_fn = ta_free;
    cr.access_key_id = "AKIDEXAMPLE";
    cr.secret_access_key = secret;
    cr.session_token = "TOKENabc";
    ddb_request(&q, h);
    q.query = "x=1&y=2";
    for (n = 0; n < 20 && !succeeded; n++) {
        olock_sigv4_signer s;
        olock_result r;
        memset(&ta, 0, sizeof ta);
        ta.fail_at = n;
        ta.secret = secret;
        r = olock_sigv4_signer_init(&s, &a, &cr, "us-east-1", "dynamodb", &err);
        if (r == OLOCK_OK) r = olock_sigv4_signer_sign(&s, &q, 1700000000, 0, &sig, &err);
        CHECKM(r == OLOCK_OK || r == OLOCK_ERR_NOMEM, "fail_at %ld: %d", n, (int)r);
        if (r == OLOCK_OK) succeeded = 1;
        olock_sigv4_signer_free(&s);
        CHECKM(ta.live == 0, "fail_at %ld: %ld blocks leaked", n, ta.live);
        CHECKM(!ta.leaked_secret, "fail_at %ld: secret not wiped before free", n);
    }
    CHECK(succeeded);
    {
        /* Signing a second request of the same shape allocates nothing. */
        olock_sigv4_signer s;
        long before;
        memset(&ta, 0, sizeof ta);
        ta.fail_at = -1;
        ta.secret = "TOKENabc";   /* the token sits in the scratch buffer too */
        CHECK(olock_sigv4_signer_init(&s, &a, &cr, "us-east-1", "dynamodb", &err) == OLOCK_OK);
        CHECK(olock_sigv4_signer_sign(&s, &q, 1700000000, 0, &sig, &err) == OLOCK_OK);
        before = ta.count;
        CHECK(olock_sigv4_signer_sign(&s, &q, 1700000001, 0, &sig, &err) == OLOCK_OK);
        CHECK(ta.count == before);
        olock_sigv4_signer_free(&s);
        CHECK(ta.live == 0 && !ta.leaked_secret);
    }
}

/* ---- credentials file parser ---------------------------------------------------------------- */

static olock_result parse_creds(olock_aws_config *c, const char *text, const char *profile, olock_error *err)
{
    return olock_aws_config_parse_credentials(c, text, strlen(text), profile, "creds.ini", err);
}

static void test_credentials_file(void)
{
    static const char good[] =
        "# a comment\n"
        "; another comment\n"
        "\n"
        "[default]\n"
        "aws_access_key_id = AKIDDEFAULT\n"
        "aws_secret_access_key=secretDefault/+x   # trailing comment\n"
        "\n"
        "[ work ]   ; comment after a section\n"
        "AWS_ACCESS_KEY_ID\t=\tAKIDWORK\r\n"
        "aws_secret_access_key = sec#ret;work\r\n"
        "aws_session_token = TOKEN==\r\n"
        "s3 =\n"
        "  max_concurrent_requests = 20\n"
        "  addressing_style = path\n"
        "region = eu-west-1\n"
        "[half]\n"
        "aws_access_key_id = AKIDHALF\n";
    olock_aws_config c;
    olock_error err;
    olock_result r;
    olock_aws_config_init(&c, NULL);

    r = parse_creds(&c, good, NULL, &err);
    CHECKM(r == OLOCK_OK, "%s", err.message);
    if (r == OLOCK_OK) {
        CHECK(strcmp(c.access_key_id, "AKIDDEFAULT") == 0);
        CHECK(strcmp(c.secret_access_key, "secretDefault/+x") == 0);
        CHECK(c.session_token == NULL);
        CHECK(strcmp(c.credentials_source, "shared credentials file") == 0);
    }
    r = parse_creds(&c, good, "work", &err);
    CHECKM(r == OLOCK_OK, "%s", err.message);
    if (r == OLOCK_OK) {
        CHECK(strcmp(c.access_key_id, "AKIDWORK") == 0);
        CHECK(strcmp(c.secret_access_key, "sec#ret;work") == 0);
        CHECK(c.session_token && strcmp(c.session_token, "TOKEN==") == 0);
    }
    /* missing profile, missing key: credentials of the last success stay */
    r = parse_creds(&c, good, "nope", &err);
    CHECK(r == OLOCK_ERR_CREDENTIALS && err.code == OLOCK_ERR_CREDENTIALS);
    CHECKM(strcmp(err.message, "creds.ini: profile 'nope' not found") == 0, "%s", err.message);
    CHECK(c.access_key_id && strcmp(c.access_key_id, "AKIDWORK") == 0);
    r = parse_creds(&c, good, "half", &err);
    CHECK(r == OLOCK_ERR_CREDENTIALS);
    CHECKM(strcmp(err.message, "creds.ini: profile 'half' has no aws_secret_access_key") == 0, "%s", err.message);
    /* later keys win; repeated sections merge; no trailing newline */
    r = parse_creds(&c, "[p]\naws_access_key_id=A1\n[q]\n[p]\naws_access_key_id=A2\naws_secret_access_key=S", "p", &err);
    CHECK(r == OLOCK_OK && strcmp(c.access_key_id, "A2") == 0 && strcmp(c.secret_access_key, "S") == 0);
    {
        /* Malformed lines: OLOCK_ERR_CREDENTIALS "<file>:<line>: ...", never the secret. */
        static const struct { const char *text; const char *want; } bad[] = {
            { "aws_access_key_id = X\n", "creds.ini:1: property outside of a [profile] section" },
            { "[default]\naws_secret_access_key SECRETVALUE\n", "creds.ini:2: expected 'name = value'" },
            { "[default]\n= SECRETVALUE\n", "creds.ini:2: missing property name before '='" },
            { "[default]\nbad key = SECRETVALUE\n", "creds.ini:2: invalid character in property name" },
            { "# c\n\n[default\n", "creds.ini:3: malformed profile line (missing ']')" },
            { "[default] x\n", "creds.ini:1: unexpected text after ']'" },
            { "[ ]\n", "creds.ini:1: empty profile name" },
            { "[default]\naws_secret_access_key = SECRET\n  VALUE\n",
              "creds.ini:3: unexpected indented line (continuation lines are not supported)" },
            { "[default]\r\n  aws_secret_access_key = SECRETVALUE\r\n",
              "creds.ini:2: unexpected indented line (continuation lines are not supported)" },
            { "[default]\naws_secret_access_key = SECRET\x01VALUE\n", "creds.ini:2: control character" },
            { "[default]\naws_secret_access_key = SECRET\rVALUE\n", "creds.ini:2: control character" },
        };
        size_t i;
        for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
            r = parse_creds(&c, bad[i].text, NULL, &err);
            CHECKM(r == OLOCK_ERR_CREDENTIALS && strcmp(err.message, bad[i].want) == 0,
                   "bad case %u: %d '%s'", (unsigned)i, (int)r, err.message);
            CHECK(strstr(err.message, "SECRET") == NULL);
        }
        /* a NUL byte in the middle of the file */
        r = olock_aws_config_parse_credentials(&c, "[default]\naws_access_key_id = A\0B\n", 32, NULL, "f", &err);
        CHECK(r == OLOCK_ERR_CREDENTIALS && strcmp(err.message, "f:2: control character") == 0);
    }
    /* empty file */
    r = olock_aws_config_parse_credentials(&c, NULL, 0, "default", NULL, &err);
    CHECK(r == OLOCK_ERR_CREDENTIALS && strcmp(err.message, "credentials: profile 'default' not found") == 0);
    olock_aws_config_free(&c);
    olock_aws_config_free(&c);
    olock_aws_config_free(NULL);
    {
        /* Secrets are wiped before their memory is freed. */
        test_alloc ta;
        olock_allocator a;
        memset(&ta, 0, sizeof ta);
        ta.fail_at = -1;
        ta.secret = "secretDefault";
        a.ctx = &ta;
        a.malloc_fn = ta_malloc;
        a.realloc_fn = ta_realloc;
        a.free_fn = ta_free;
        olock_aws_config_init(&c, &a);
        CHECK(parse_creds(&c, good, NULL, &err) == OLOCK_OK);
        CHECK(parse_creds(&c, good, NULL, &err) == OLOCK_OK);   /* replaces: the old copy is wiped */
        olock_aws_config_free(&c);
        CHECK(ta.live == 0 && !ta.leaked_secret);
    }
}

/* ---- environment resolution ----------------------------------------------------------------- */

typedef struct test_env {
    const char *names[16];
    const char *values[16];
    int count;
    int lookups;
} test_env;

static const char *test_env_get(void *user, const char *name)
{
    test_env *e = (test_env *)user;
    int i;
    e->lookups++;
    for (i = 0; i < e->count; i++)
        if (!strcmp(e->names[i], name)) return e->values[i];
    return NULL;
}

static void env_set(test_env *e, const char *name, const char *value)
{
    e->names[e->count] = name;
    e->values[e->count] = value;
    e->count++;
}

static int write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "wb");
    if (!f) return 0;
    fputs(text, f);
    fclose(f);
    return 1;
}

static void test_resolve_credentials(void)
{
    test_env te;
    olock_env env;
    olock_aws_config c;
    olock_credentials ex;
    olock_error err;
    olock_result r;
    const char *file = "build/test_sigv4_credentials";
    const char *home = "build/test_sigv4_home";
    olock_aws_config_init(&c, NULL);
    env.get = test_env_get;
    env.user = &te;
    /* Scratch files live under build/ (relative to the working directory, the repo root). */
    mkdir("build", 0755);
    mkdir(home, 0755);
    {
        char aws_dir[256];
        snprintf(aws_dir, sizeof aws_dir, "%s/.aws", home);
        mkdir(aws_dir, 0755);
    }

    CHECK(write_file(file, "[default]\naws_access_key_id = FILEKEY\naws_secret_access_key = FILESECRET\n"
                           "[other]\naws_access_key_id = OTHERKEY\naws_secret_access_key = OTHERSECRET\n"
                           "aws_session_token = OTHERTOKEN\n"));

    /* 1. explicit wins over everything */
    memset(&te, 0, sizeof te);
    env_set(&te, "AWS_ACCESS_KEY_ID", "ENVKEY");
    env_set(&te, "AWS_SECRET_ACCESS_KEY", "ENVSECRET");
    env_set(&te, "AWS_SHARED_CREDENTIALS_FILE", file);
    ex.access_key_id = "EXKEY";
    ex.secret_access_key = "EXSECRET";
    ex.session_token = "EXTOKEN";
    r = olock_aws_config_resolve_credentials(&c, &ex, &env, &err);
    CHECK(r == OLOCK_OK && strcmp(c.access_key_id, "EXKEY") == 0 && strcmp(c.session_token, "EXTOKEN") == 0 &&
          strcmp(c.credentials_source, "explicit") == 0);
    /* half an explicit pair is an error */
    ex.secret_access_key = NULL;
    CHECK(olock_aws_config_resolve_credentials(&c, &ex, &env, &err) == OLOCK_ERR_CREDENTIALS);
    CHECK(strcmp(c.access_key_id, "EXKEY") == 0);   /* unchanged on failure */
    /* 2. environment (with and without a token), before the file */
    ex.access_key_id = NULL;
    r = olock_aws_config_resolve_credentials(&c, &ex, &env, &err);
    CHECK(r == OLOCK_OK && strcmp(c.access_key_id, "ENVKEY") == 0 && strcmp(c.secret_access_key, "ENVSECRET") == 0 &&
          c.session_token == NULL && strcmp(c.credentials_source, "environment") == 0);
    env_set(&te, "AWS_SESSION_TOKEN", "ENVTOKEN");
    r = olock_aws_config_resolve_credentials(&c, NULL, &env, &err);
    CHECK(r == OLOCK_OK && c.session_token && strcmp(c.session_token, "ENVTOKEN") == 0);
    /* only one half in the environment */
    memset(&te, 0, sizeof te);
    env_set(&te, "AWS_ACCESS_KEY_ID", "ENVKEY");
    env_set(&te, "AWS_SHARED_CREDENTIALS_FILE", file);
    r = olock_aws_config_resolve_credentials(&c, NULL, &env, &err);
    CHECKM(r == OLOCK_ERR_CREDENTIALS && strcmp(err.message, "AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY is not") == 0,
           "%s", err.message);
    /* empty values count as unset */
    memset(&te, 0, sizeof te);
    env_set(&te, "AWS_ACCESS_KEY_ID", "");
    env_set(&te, "AWS_SECRET_ACCESS_KEY", "");
    env_set(&te, "AWS_SHARED_CREDENTIALS_FILE", file);
    r = olock_aws_config_resolve_credentials(&c, NULL, &env, &err);
    CHECK(r == OLOCK_OK && strcmp(c.access_key_id, "FILEKEY") == 0 && c.session_token == NULL &&
          strcmp(c.credentials_source, "shared credentials file") == 0);
    /* 3. the file, profile from AWS_PROFILE */
    env_set(&te, "AWS_PROFILE", "other");
    r = olock_aws_config_resolve_credentials(&c, NULL, &env, &err);
    CHECK(r == OLOCK_OK && strcmp(c.access_key_id, "OTHERKEY") == 0 && strcmp(c.session_token, "OTHERTOKEN") == 0);
    te.values[3] = "missing";
    r = olock_aws_config_resolve_credentials(&c, NULL, &env, &err);
    CHECKM(r == OLOCK_ERR_CREDENTIALS && strstr(err.message, "build/test_sigv4_credentials: profile 'missing' not found"),
           "%s", err.message);
    /* a malformed file names the file and the line */
    CHECK(write_file(file, "[default]\naws_access_key_id = K\naws_secret_access_key TOPSECRET\n"));
    te.count = 3;
    r = olock_aws_config_resolve_credentials(&c, NULL, &env, &err);
    CHECKM(r == OLOCK_ERR_CREDENTIALS && strcmp(err.message, "build/test_sigv4_credentials:3: expected 'name = value'") == 0,
           "%s", err.message);
    /* default path: $HOME/.aws/credentials */
    memset(&te, 0, sizeof te);
    env_set(&te, "HOME", home);
    {
        char path[256];
        snprintf(path, sizeof path, "%s/.aws/credentials", home);
        CHECK(write_file(path, "[default]\naws_access_key_id = HOMEKEY\naws_secret_access_key = HOMESECRET\n"));
    }
    r = olock_aws_config_resolve_credentials(&c, NULL, &env, &err);
    CHECKM(r == OLOCK_OK && strcmp(c.access_key_id, "HOMEKEY") == 0, "%s", err.message);
    env_set(&te, "AWS_SHARED_CREDENTIALS_FILE", "~/.aws/credentials");
    r = olock_aws_config_resolve_credentials(&c, NULL, &env, &err);
    CHECKM(r == OLOCK_OK && strcmp(c.access_key_id, "HOMEKEY") == 0, "%s", err.message);
    /* nothing anywhere */
    te.values[1] = "build/test_sigv4_no_such_file";
    r = olock_aws_config_resolve_credentials(&c, NULL, &env, &err);
    CHECKM(r == OLOCK_ERR_CREDENTIALS && strstr(err.message, "build/test_sigv4_no_such_file cannot be opened"),
           "%s", err.message);
    memset(&te, 0, sizeof te);
    r = olock_aws_config_resolve_credentials(&c, NULL, &env, &err);
    CHECKM(r == OLOCK_ERR_CREDENTIALS && strstr(err.message, "no home directory"), "%s", err.message);
    CHECK(strcmp(c.access_key_id, "HOMEKEY") == 0);
    olock_aws_config_free(&c);
    remove(file);
}

static void test_region_endpoint(void)
{
    test_env te;
    olock_env env;
    olock_aws_config c;
    olock_error err;
    olock_result r;
    olock_aws_config_init(&c, NULL);
    env.get = test_env_get;
    env.user = &te;

    memset(&te, 0, sizeof te);
    env_set(&te, "AWS_DEFAULT_REGION", "eu-central-1");
    r = olock_aws_config_resolve_region(&c, NULL, &env, &err);
    CHECK(r == OLOCK_OK && strcmp(c.region, "eu-central-1") == 0);
    env_set(&te, "AWS_REGION", "eu-west-1");
    r = olock_aws_config_resolve_region(&c, "", &env, &err);
    CHECK(r == OLOCK_OK && strcmp(c.region, "eu-west-1") == 0);
    r = olock_aws_config_resolve_region(&c, "ap-south-2", &env, &err);
    CHECK(r == OLOCK_OK && strcmp(c.region, "ap-south-2") == 0);
    r = olock_aws_config_resolve_region(&c, "us east", &env, &err);
    CHECK(r == OLOCK_ERR_CONFIG && strcmp(c.region, "ap-south-2") == 0);
    memset(&te, 0, sizeof te);
    r = olock_aws_config_resolve_region(&c, NULL, &env, &err);
    CHECKM(r == OLOCK_ERR_CONFIG && strstr(err.message, "AWS_REGION"), "%s", err.message);

    /* default endpoint from the region */
    r = olock_aws_config_resolve_endpoint(&c, NULL, &env, &err);
    CHECK(r == OLOCK_OK && strcmp(c.endpoint, "https://dynamodb.ap-south-2.amazonaws.com/") == 0);
    CHECK(olock_aws_config_resolve_region(&c, "cn-north-1", &env, &err) == OLOCK_OK);
    r = olock_aws_config_resolve_endpoint(&c, NULL, &env, &err);
    CHECK(r == OLOCK_OK && strcmp(c.endpoint, "https://dynamodb.cn-north-1.amazonaws.com.cn/") == 0);
    /* AWS_ENDPOINT_URL, then AWS_ENDPOINT_URL_DYNAMODB, then explicit */
    env_set(&te, "AWS_ENDPOINT_URL", "http://127.0.0.1:8000");
    r = olock_aws_config_resolve_endpoint(&c, NULL, &env, &err);
    CHECK(r == OLOCK_OK && strcmp(c.endpoint, "http://127.0.0.1:8000") == 0);
    env_set(&te, "AWS_ENDPOINT_URL_DYNAMODB", "http://localhost:8001/");
    r = olock_aws_config_resolve_endpoint(&c, NULL, &env, &err);
    CHECK(r == OLOCK_OK && strcmp(c.endpoint, "http://localhost:8001/") == 0);
    r = olock_aws_config_resolve_endpoint(&c, "https://example.com", &env, &err);
    CHECK(r == OLOCK_OK && strcmp(c.endpoint, "https://example.com") == 0);
    /* the scheme error */
    r = olock_aws_config_resolve_endpoint(&c, "localhost:8000", &env, &err);
    CHECKM(r == OLOCK_ERR_CONFIG && err.code == OLOCK_ERR_CONFIG &&
           strcmp(err.message, "endpoint from the configuration: the endpoint must start with http:// or https://") == 0,
           "%s", err.message);
    CHECK(strcmp(c.endpoint, "https://example.com") == 0);
    te.values[1] = "dynamodb.local:8000";   /* AWS_ENDPOINT_URL_DYNAMODB */
    r = olock_aws_config_resolve_endpoint(&c, NULL, &env, &err);
    CHECKM(r == OLOCK_ERR_CONFIG && strstr(err.message, "AWS_ENDPOINT_URL_DYNAMODB") &&
           strstr(err.message, "http:// or https://"), "%s", err.message);
    /* no region, no endpoint */
    olock_aws_config_free(&c);
    memset(&te, 0, sizeof te);
    r = olock_aws_config_resolve_endpoint(&c, NULL, &env, &err);
    CHECK(r == OLOCK_ERR_CONFIG);
    olock_aws_config_free(&c);
    /* The process environment (NULL env) is read through getenv: just make sure it runs. */
    r = olock_aws_config_resolve_region(&c, "us-east-1", NULL, &err);
    CHECK(r == OLOCK_OK);
    olock_aws_config_free(&c);
}

static void test_url_split(void)
{
    static const struct { const char *url; const char *scheme, *host, *path; unsigned port; int tls; } good[] = {
        { "https://dynamodb.us-east-1.amazonaws.com/", "https", "dynamodb.us-east-1.amazonaws.com", "/", 443, 1 },
        { "http://127.0.0.1:8000", "http", "127.0.0.1:8000", "/", 8000, 0 },
        { "HTTP://localhost:65535/prefix/", "HTTP", "localhost:65535", "/prefix/", 65535, 0 },
        { "http://[::1]:8000/", "http", "[::1]:8000", "/", 8000, 0 },
        { "https://[2001:db8::1]", "https", "[2001:db8::1]", "/", 443, 1 },
        { "http://dynamodb_local:8000", "http", "dynamodb_local:8000", "/", 8000, 0 },
    };
    static const char *bad[] = {
        "localhost:8000", "ftp://x", "https://", "https:///path", "http://host:0", "http://host:65536",
        "http://host:", "http://host:80x", "http://user:pw@host/", "http://host/?q=1", "http://host/#f",
        "http://ho st/", "http://host/pa th", "http://[::1/", "http://[]:80", "http://host\n", "http://h\xc3\xa9/",
        "http://host:123456", "http://[::1]x", "http://host%20/", "",
    };
    size_t i;
    for (i = 0; i < sizeof good / sizeof good[0]; i++) {
        olock_url_parts u;
        olock_error err;
        olock_result r = olock_url_split(good[i].url, &u, &err);
        CHECKM(r == OLOCK_OK, "%s: %s", good[i].url, err.message);
        if (r != OLOCK_OK) continue;
        CHECKM(u.scheme_len == strlen(good[i].scheme) && !memcmp(u.scheme, good[i].scheme, u.scheme_len), "%s", good[i].url);
        CHECKM(u.host_len == strlen(good[i].host) && !memcmp(u.host, good[i].host, u.host_len), "%s", good[i].url);
        CHECKM(u.path_len == strlen(good[i].path) && !memcmp(u.path, good[i].path, u.path_len), "%s", good[i].url);
        CHECKM(u.port == good[i].port && u.tls == good[i].tls, "%s", good[i].url);
    }
    for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        olock_url_parts u;
        olock_error err;
        memset(&u, 0x5a, sizeof u);
        CHECKM(olock_url_split(bad[i], &u, &err) == OLOCK_ERR_CONFIG && err.message[0], "accepted '%s'", bad[i]);
        CHECK(u.port == 0x5a5a5a5au);   /* untouched on failure */
    }
    CHECK(olock_url_split(NULL, NULL, NULL) == OLOCK_ERR_INVALID_ARG);
}

/* Deterministic fuzz smoke test of the parsers and the canonicaliser (ASan/UBSan catch
   overruns); the credentials parser takes a memory buffer, so a libFuzzer target can wrap it. */
static void test_fuzz_smoke(void)
{
    static const char base[] = "[default]\naws_access_key_id = AKID\naws_secret_access_key = S3CR3T # c\n"
                               "[p q]\n s3 =\n  x = 1\n;c\n#d\naws_session_token=T\n";
    static const char alphabet[] = "[]=#; \t\r\n\x01\x80%/.:?&+~@-_azAZ09";
    uint32_t x = 99u;
    int iter;
    olock_aws_config c;
    olock_credentials cr;
    olock_sigv4_signer s;
    olock_http_header h[3];
    olock_sigv4_request q;
    olock_sigv4_signature sig;
    olock_error err;
    int bad = 0;
    olock_aws_config_init(&c, NULL);
    cr.access_key_id = "AKID";
    cr.secret_access_key = "S3CR3T";
    cr.session_token = NULL;
    CHECK(olock_sigv4_signer_init(&s, NULL, &cr, "us-east-1", "dynamodb", &err) == OLOCK_OK);
    for (iter = 0; iter < 3000; iter++) {
        char text[sizeof base + 16], path[40], query[40], url[40];
        size_t len = sizeof base - 1, k, n;
        olock_result r;
        olock_url_parts u;
        memcpy(text, base, sizeof base);
        for (k = 0; k < 4; k++) {
            x = x * 1103515245u + 12345u;
            text[(x >> 8) % len] = alphabet[(x >> 20) % (sizeof alphabet - 1)];
        }
        x = x * 1103515245u + 12345u;
        len -= (x >> 8) % 8;                       /* sometimes cut the end off */
        r = olock_aws_config_parse_credentials(&c, text, len, (x & 1) ? "p q" : NULL, "fz", &err);
        if (!(r == OLOCK_OK || (r == OLOCK_ERR_CREDENTIALS && strncmp(err.message, "fz", 2) == 0)) ||
            strstr(err.message, "S3CR3T"))
            bad++;
        n = 1 + (x >> 12) % (sizeof path - 2);
        for (k = 0; k < n; k++) {
            x = x * 1103515245u + 12345u;
            path[k] = alphabet[(x >> 16) % (sizeof alphabet - 1)];
            query[k] = alphabet[(x >> 24) % (sizeof alphabet - 1)];
            url[k] = alphabet[(x >> 8) % (sizeof alphabet - 1)];
        }
        path[0] = '/';
        path[n] = query[n] = url[n] = '\0';
        ddb_request(&q, h);
        q.path = path;
        q.query = query;
        r = olock_sigv4_signer_sign(&s, &q, 1700000000, (unsigned)(x & 7), &sig, &err);
        if (r != OLOCK_OK && r != OLOCK_ERR_LIMIT && r != OLOCK_ERR_INVALID_ARG) bad++;
        if (r == OLOCK_OK && strlen(sig.canonical_request) != sig.canonical_request_len) bad++;
        memcpy(url, (x & 2) ? "http://" : "https://", (x & 2) ? 7 : 8);
        r = olock_url_split(n > 8 ? url : "http://h", &u, &err);
        if (r != OLOCK_OK && r != OLOCK_ERR_CONFIG) bad++;
    }
    CHECKM(bad == 0, "%d fuzz iterations misbehaved", bad);
    olock_sigv4_signer_free(&s);
    olock_aws_config_free(&c);
}

int main(void)
{
    test_crypto_vectors();
    test_hex_encode();
    test_sha_backends();
    test_sigv4_suite();
    test_dynamodb_request();
    test_key_cache();
    test_resume_equals_fresh();
    test_dates();
    test_sign_errors();
    test_alloc_failures();
    test_credentials_file();
    test_resolve_credentials();
    test_region_endpoint();
    test_url_split();
    test_fuzz_smoke();
    printf("%d passed, %d failed\n", g_pass, g_fail);
    return g_fail ? 1 : 0;
}
