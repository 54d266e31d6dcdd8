/* No secret left in memory (DESIGN.md, "SigV4 and credentials"): every block the library gives
   back to its allocator, freed or moved by a reallocation, is scanned for the secret keys,
   session tokens and derived signing keys in play, and no olock_error message may show one.
   The allocator below moves every block on realloc, so each growth of a buffer is seen. The
   work: a signer on its own (growing requests), clients whose credentials come from the
   config, from AWS_* variables and from a shared credentials file, the versioned engine on
   the in-process fake, error paths, and an out-of-memory sweep. */
#ifndef OLOCK_TEST_LINKED   /* else the Makefile links build/<flavour>/libolock_impl.a (tests/impl/) */
#define OLOCK_IMPLEMENTATION
#define OLOCK_FAKE_IMPLEMENTATION
#endif
#include "olock.h"
#include "olock_fake.h"
#include "olock_test.h"
#include <stdlib.h>
#include <unistd.h>

/* ---- what must not be left behind --------------------------------------------------------- */

/* Each watched secret is cut into 16-byte pieces: a block holding any piece of it (a buffer
   that took in only part of a long file, say) counts. The secrets are random, so a piece
   turning up by chance is not a concern. Pieces are kept sorted, with a bitmap of their
   first three bytes, so that scanning a block costs about one lookup per byte. */
#define PIECE 16
#if defined(__has_include)
#if __has_include(<valgrind/memcheck.h>)
#include <valgrind/memcheck.h>
#define OLOCK_TEST_MEM_DEFINED(p, n) ((void)VALGRIND_MAKE_MEM_DEFINED((p), (n)))
#endif
#endif
#ifndef OLOCK_TEST_MEM_DEFINED
#define OLOCK_TEST_MEM_DEFINED(p, n) ((void)(p), (void)(n))
#endif
#define MAX_SECRETS 1024
#define MAX_PIECES 16384

typedef struct piece { unsigned char bytes[PIECE]; int secret; } piece;

static char g_what[MAX_SECRETS][48];
static int g_nsecrets;
static piece g_pieces[MAX_PIECES];
static int g_npieces, g_sorted;
static unsigned char g_first3[(1u << 24) / 8];
static long g_hits;                         /* (block, secret) pairs: a block released holding it */
static long g_scanned;                      /* blocks scanned */
static const char *g_phase = "";

static unsigned first3(const unsigned char *p) { return (unsigned)p[0] << 16 | (unsigned)p[1] << 8 | p[2]; }

static void watch(const void *data, size_t n, const char *what) {
    const unsigned char *p = (const unsigned char *)data;
    size_t off;
    if (g_nsecrets == MAX_SECRETS || n < PIECE) { fprintf(stderr, "watch: cannot watch %s\n", what); exit(2); }
    snprintf(g_what[g_nsecrets], sizeof g_what[0], "%s", what);
    for (off = 0; off < n; off += PIECE) {
        size_t at = off + PIECE <= n ? off : n - PIECE;   /* the last piece ends with the secret */
        unsigned k = first3(p + at);
        if (k == 0) continue;                             /* wiped memory is all zeros */
        if (g_npieces == MAX_PIECES) { fprintf(stderr, "watch: too many pieces\n"); exit(2); }
        memcpy(g_pieces[g_npieces].bytes, p + at, PIECE);
        g_pieces[g_npieces].secret = g_nsecrets;
        g_npieces++;
        g_first3[k / 8] = (unsigned char)(g_first3[k / 8] | (1u << (k % 8)));
    }
    g_nsecrets++;
    g_sorted = 0;
}

static void watch_str(const char *s, const char *what) { watch(s, strlen(s), what); }

static int piece_cmp(const void *a, const void *b) {
    return memcmp(((const piece *)a)->bytes, ((const piece *)b)->bytes, PIECE);
}

/* Marks found[i] for each watched secret i with a piece in [p, p+n); returns how many. */
static int find_secrets(const unsigned char *p, size_t n, unsigned char *found) {
    int count = 0;
    size_t i;
    if (!g_sorted) { qsort(g_pieces, (size_t)g_npieces, sizeof g_pieces[0], piece_cmp); g_sorted = 1; }
    memset(found, 0, (size_t)g_nsecrets);
    if (n < PIECE) return 0;
    for (i = 0; i + PIECE <= n; i++) {
        unsigned k = first3(p + i);
        int lo = 0, hi = g_npieces;
        if (!(g_first3[k / 8] & (1u << (k % 8)))) continue;
        while (lo < hi) {                                 /* the first piece >= p + i */
            int mid = (lo + hi) / 2;
            if (memcmp(g_pieces[mid].bytes, p + i, PIECE) < 0) lo = mid + 1; else hi = mid;
        }
        for (; lo < g_npieces && memcmp(g_pieces[lo].bytes, p + i, PIECE) == 0; lo++)
            if (!found[g_pieces[lo].secret]++) count++;
    }
    return count;
}

static void scan(const void *block, size_t n, const char *how) {
    static unsigned char found[MAX_SECRETS];
    int i;
    g_scanned++;
    /* The scan reads every byte of the block on purpose, the padding of structs copied into it
       included, which nobody wrote: tell valgrind (when it runs us) that this read is meant. */
    OLOCK_TEST_MEM_DEFINED(block, n);
    if (!find_secrets((const unsigned char *)block, n, found)) return;
    for (i = 0; i < g_nsecrets; i++) {
        if (!found[i]) continue;
        g_hits++;
        if (g_hits <= 25)
            fprintf(stderr, "  %s: a %s block of %lu bytes still holds %s\n", g_phase, how, (unsigned long)n, g_what[i]);
    }
}

/* A message that shows no secret: no piece of one, and not the short tags they start with. */
static int clean(const char *msg) {
    static unsigned char found[MAX_SECRETS];
    return find_secrets((const unsigned char *)msg, strlen(msg), found) == 0 && !strstr(msg, "sEcReT") &&
           !strstr(msg, "tOkEn");
}

/* ---- the scanning allocator ---------------------------------------------------------------- */

/* Every block handed out is zeroed first: malloc recycles memory (the test's own copies of the
   secrets included), and a secret found in a block must have been put there by the library. */

typedef struct scanning {
    long calls, fail_at;           /* fail the fail_at-th call (1-based; 0: never) */
    long live;
    long released_big;             /* blocks of 8 KiB or more freed or moved */
} scanning;

static void *s_malloc(void *ctx, size_t n) {
    scanning *s = (scanning *)ctx;
    void *p;
    if (++s->calls == s->fail_at) return NULL;
    p = malloc(n);
    if (p) { memset(p, 0, n); s->live++; }
    return p;
}

/* Always moves, so that the old block of every growth is released, and scanned. */
static void *s_realloc(void *ctx, void *old, size_t old_n, size_t n) {
    scanning *s = (scanning *)ctx;
    void *p;
    if (++s->calls == s->fail_at) return NULL;
    p = malloc(n);
    if (!p) return NULL;
    memset(p, 0, n);
    if (old) {
        memcpy(p, old, old_n < n ? old_n : n);
        scan(old, old_n, "moved");
        if (old_n >= 8192) s->released_big++;
        free(old);
    } else {
        s->live++;
    }
    return p;
}

static void s_free(void *ctx, void *p, size_t n) {
    scanning *s = (scanning *)ctx;
    if (!p) return;
    scan(p, n, "freed");
    if (n >= 8192) s->released_big++;
    s->live--;
    free(p);
}

static olock_allocator scanning_allocator(scanning *s) {
    olock_allocator a;
    memset(s, 0, sizeof *s);
    a.ctx = s;
    a.malloc_fn = s_malloc;
    a.realloc_fn = s_realloc;
    a.free_fn = s_free;
    return a;
}

/* ---- test secrets -------------------------------------------------------------------------- */

static uint64_t g_rng = 0x2545F4914F6CDD1Dull;
static uint64_t rnd(void) { g_rng ^= g_rng << 13; g_rng ^= g_rng >> 7; g_rng ^= g_rng << 17; return g_rng; }

/* "<tag>" then random characters of the alphabet up to n bytes. A session token is long
   (real ones are 400 to 1,500 bytes): it alone makes a buffer grow. */
static char *make_secret(const char *tag, size_t n, const char *alphabet) {
    size_t k = strlen(alphabet), i, t = strlen(tag);
    char *s = (char *)malloc(n + 1);
    memcpy(s, tag, t);
    for (i = t; i < n; i++) s[i] = alphabet[rnd() % k];
    s[n] = 0;
    return s;
}

static const char B64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
static const char ALNUM[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

typedef struct keyset {
    char *akid, *secret, *token;
} keyset;

static keyset new_keys(const char *name, size_t token_len) {
    keyset k;
    char what[40];
    k.akid = make_secret("AKIAOLOCKTEST", 20, "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567");
    k.secret = make_secret("sEcReT", 40, ALNUM);
    k.token = token_len ? make_secret("tOkEn", token_len, B64) : NULL;
    snprintf(what, sizeof what, "the %s secret key", name);
    watch_str(k.secret, what);
    if (k.token) {
        snprintf(what, sizeof what, "the %s session token", name);
        watch_str(k.token, what);
    }
    return k;
}

static void free_keys(keyset *k) {
    free(k->akid); free(k->secret); free(k->token);
}

/* The signing keys of a secret for each of `days` days from `day0`: kDate, kRegion, kService
   and kSigning, raw and in hex, and (built-in SHA-256) the HMAC states the signer keeps. */
static void watch_signing_keys(const char *secret, const char *region, int64_t day0, int days) {
    int d;
    for (d = 0; d < days; d++) {
        olock_sigv4_signer probe;
        olock_credentials cr;
        olock_sigv4_request rq;
        olock_sigv4_signature sig;
        olock_http_header h;
        unsigned char k[4][OLOCK_SHA256_SIZE];
        char key[4 + 64 + 1], date[9], hex[OLOCK_SHA256_HEX_SIZE];
        int i;
        /* The date text as the signer spells it, from a signature at that day. */
        cr.access_key_id = "AKIDPROBE"; cr.secret_access_key = "x"; cr.session_token = NULL;
        h.name = "Host"; h.value = "h";
        memset(&rq, 0, sizeof rq);
        rq.method = "GET"; rq.headers = &h; rq.header_count = 1;
        if (olock_sigv4_signer_init(&probe, NULL, &cr, region, "dynamodb", NULL) != OLOCK_OK ||
            olock_sigv4_signer_sign(&probe, &rq, (day0 + d) * 86400, 0, &sig, NULL) != OLOCK_OK) exit(2);
        memcpy(date, sig.amz_date, 8);
        date[8] = 0;
        olock_sigv4_signer_free(&probe);
        snprintf(key, sizeof key, "AWS4%s", secret);
        olock_hmac_sha256_digest(key, strlen(key), date, 8, k[0]);
        olock_hmac_sha256_digest(k[0], 32, region, strlen(region), k[1]);
        olock_hmac_sha256_digest(k[1], 32, "dynamodb", 8, k[2]);
        olock_hmac_sha256_digest(k[2], 32, "aws4_request", 12, k[3]);
        for (i = 0; i < 4; i++) {
            static const char *names[4] = { "kDate", "kRegion", "kService", "kSigning" };
            char what[48];
            snprintf(what, sizeof what, "%s of %.10s on %s", names[i], secret, date);
            watch(k[i], 32, what);
            olock_hex_encode(k[i], 32, hex);
            snprintf(what, sizeof what, "hex %s of %.10s on %s", names[i], secret, date);
            watch(hex, 64, what);
        }
#ifndef OLOCK_USE_MBEDTLS
        {
            olock_hmac_sha256 h2;
            olock_hmac_sha256_init(&h2, k[3], 32);
            watch(h2.inner.state, sizeof h2.inner.state, "the signing key's inner HMAC state");
            watch(h2.outer.state, sizeof h2.outer.state, "the signing key's outer HMAC state");
        }
#endif
    }
}

#define DAY0 ((int64_t)20000)   /* 2024-10-04 */

/* Signing time for clients: one hour further on each request, so the key is derived anew
   every 24 requests. */
typedef struct clock_s { int64_t t; } clock_s;
static int64_t hook_time(void *u) { clock_s *c = (clock_s *)u; return c->t += 3600; }

/* ---- a transport that checks what the fake is sent ------------------------------------------ */

typedef struct checking {
    olock_transport inner;
    const char *token;             /* expected X-Amz-Security-Token, or NULL */
    long requests, signed_with_token;
} checking;

static olock_result checking_send(void *user, const olock_http_request *req, olock_http_response *res) {
    checking *k = (checking *)user;
    size_t i;
    int auth = 0, tok = 0;
    k->requests++;
    for (i = 0; i < req->header_count; i++) {
        if (strcmp(req->headers[i].name, "Authorization") == 0) auth = 1;
        if (strcmp(req->headers[i].name, "X-Amz-Security-Token") == 0 && k->token &&
            strcmp(req->headers[i].value, k->token) == 0) tok = 1;
    }
    if (auth && tok) k->signed_with_token++;
    return k->inner.send(k->inner.user, req, res);
}

/* ---- engine work ---------------------------------------------------------------------------- */

static olock_arena g_arena;

static olock_value *key_of(const char *id) {
    olock_value *k = olock_value_new_container(&g_arena, OLOCK_TYPE_M);
    olock_map_put(&g_arena, k, "id", 2, olock_value_new_s(&g_arena, id, strlen(id)));
    return k;
}

/* mutate: counter + 1 and a blob that grows with it, so the request body grows. */
static olock_mutation grow(void *user, olock_item *it, int exists) {
    int64_t n = 0;
    char *blob;
    size_t len;
    olock_mutation m;
    (void)user;
    if (exists) olock_item_get_i64(it, "counter", &n);
    len = (size_t)(n + 1) * 97;
    blob = (char *)malloc(len + 1);
    memset(blob, 'b', len);
    blob[len] = 0;
    m = olock_item_set_i64(it, "counter", n + 1) == OLOCK_OK && olock_item_set_s(it, "blob", blob) == OLOCK_OK
        ? OLOCK_MUTATE_WRITE : OLOCK_MUTATE_ABORT;
    free(blob);
    return m;
}

static olock_client *make_client(olock_fake *fake, checking *chk, const olock_allocator *a, clock_s *clk,
                                 const keyset *explicit_keys, const char *token_expected, olock_error *err) {
    olock_config cfg = olock_config_default();
    olock_client *c = NULL;
    memset(chk, 0, sizeof *chk);
    chk->inner = olock_fake_transport(fake);
    chk->token = token_expected;
    cfg.transport.user = chk;
    cfg.transport.send = checking_send;
    cfg.allocator = *a;
    cfg.hook_user = clk;
    cfg.unix_time_s = hook_time;
    if (explicit_keys) {
        cfg.credentials.access_key_id = explicit_keys->akid;
        cfg.credentials.secret_access_key = explicit_keys->secret;
        cfg.credentials.session_token = explicit_keys->token;
        cfg.region = "eu-west-1";
    }
    if (olock_client_create(&cfg, &c, err) != OLOCK_OK) return NULL;
    return c;
}

/* Many requests of growing size: a table, read-modify-writes, versioned puts, a transaction. */
static void engine_work(olock_client *c, const char *table, int rounds) {
    olock_create_table_request ct;
    olock_item_request r;
    olock_write_result wr;
    olock_error e;
    olock_txn *txn = NULL;
    int i;
    memset(&ct, 0, sizeof ct);
    ct.table = table; ct.hash_key = "id"; ct.hash_type = OLOCK_TYPE_S;
    CHECK(olock_create_table(c, &ct, NULL, &e) == OLOCK_OK);
    for (i = 0; i < rounds; i++) {
        olock_result rc = olock_update(c, table, key_of("counter"), grow, NULL, &wr, &e);
        if (rc != OLOCK_OK) { CHECK(rc == OLOCK_OK); fprintf(stderr, "  update: %s\n", e.message); break; }
        CHECK(clean(e.message));
    }
    for (i = 0; i < rounds; i++) {
        olock_value *item = key_of("put");
        char *pad = (char *)malloc((size_t)i * 131 + 1);
        memset(pad, 'p', (size_t)i * 131);
        pad[(size_t)i * 131] = 0;
        olock_map_put(&g_arena, item, "pad", 3, olock_value_new_s(&g_arena, pad, strlen(pad)));
        free(pad);
        memset(&r, 0, sizeof r);
        r.table = table; r.item = item;
        CHECK(olock_versioned_put(c, &r, (uint64_t)i, &wr, &e) == OLOCK_OK);
    }
    /* a stale version: a conflict, with the stored item returned */
    memset(&r, 0, sizeof r);
    r.table = table; r.item = key_of("put");
    CHECK(olock_versioned_put(c, &r, 0, &wr, &e) == OLOCK_CONFLICT);
    CHECK(clean(e.message));
    CHECK(olock_txn_create(c, &txn) == OLOCK_OK);
    if (txn) {
        CHECK(olock_txn_put(txn, table, key_of("t1"), 0) == OLOCK_OK);
        CHECK(olock_txn_put(txn, table, key_of("t2"), 0) == OLOCK_OK);
        CHECK(olock_txn_commit(c, txn, &wr, &e) == OLOCK_OK);
        olock_txn_destroy(txn);
    }
    olock_arena_reset(&g_arena);
}

static void unset_aws_env(void) {
    static const char *vars[] = {
        "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_SHARED_CREDENTIALS_FILE",
        "AWS_PROFILE", "AWS_REGION", "AWS_DEFAULT_REGION", "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_DYNAMODB"
    };
    size_t i;
    for (i = 0; i < sizeof vars / sizeof vars[0]; i++) unsetenv(vars[i]);
}

static char g_cred_path[64];

static void write_file(const char *path, const char *text) {
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(text, 1, strlen(text), f) != strlen(text)) { fprintf(stderr, "cannot write %s\n", path); exit(2); }
    fclose(f);
}

/* A credentials file whose secret line carries a comment of `pad` bytes: the secret is in the
   first bytes read, and the read buffer grows several times after it. */
static char *cred_file_text(const keyset *k, size_t pad) {
    size_t cap = pad + strlen(k->secret) + (k->token ? strlen(k->token) : 0) + 512, i, n;
    char *t = (char *)malloc(cap);
    n = (size_t)snprintf(t, cap, "[other]\naws_access_key_id = AKIDOTHER\naws_secret_access_key = notthisone\n\n"
                                 "[default]\naws_secret_access_key = %s  # ", k->secret);
    for (i = 0; i < pad; i++) t[n++] = "padding the secret line "[i % 24];
    n += (size_t)snprintf(t + n, cap - n, "\naws_access_key_id = %s\n", k->akid);
    if (k->token) n += (size_t)snprintf(t + n, cap - n, "aws_session_token = %s\n", k->token);
    return t;
}

/* ---- tests ---------------------------------------------------------------------------------- */

/* The signer alone: requests whose headers and query grow, so its scratch buffers grow with
   the token in them; new credentials half way. */
TEST(test_signer) {
    scanning s;
    olock_allocator a = scanning_allocator(&s);
    keyset k1 = new_keys("signer", 1200), k2 = new_keys("signer's second", 900);
    olock_sigv4_signer sg;
    olock_credentials cr;
    olock_error e;
    long scanned0;
    int i;
    g_phase = "signer";
    watch_signing_keys(k1.secret, "us-east-1", DAY0, 3);
    watch_signing_keys(k2.secret, "us-east-1", DAY0, 3);
    cr.access_key_id = k1.akid; cr.secret_access_key = k1.secret; cr.session_token = k1.token;
    CHECK(olock_sigv4_signer_init(&sg, &a, &cr, "us-east-1", "dynamodb", &e) == OLOCK_OK);
    scanned0 = g_scanned;
    for (i = 0; i < 120; i++) {
        olock_http_header h[3];
        olock_sigv4_request rq;
        olock_sigv4_signature sig;
        size_t n = (size_t)i * 61, j;
        char *meta = (char *)malloc(n + 2), *query = (char *)malloc(n / 2 + 8), *body = (char *)malloc(n * 3 + 1);
        for (j = 0; j <= n; j++) meta[j] = (char)('a' + j % 26);
        meta[n + 1] = 0;
        memcpy(query, "q=", 2);
        for (j = 0; j < n / 2; j++) query[2 + j] = (char)('0' + j % 10);
        query[2 + n / 2] = 0;
        memset(body, '{', n * 3);
        body[n * 3] = 0;
        if (i == 60) {
            cr.access_key_id = k2.akid; cr.secret_access_key = k2.secret; cr.session_token = k2.token;
            CHECK(olock_sigv4_signer_set_credentials(&sg, &cr, &e) == OLOCK_OK);
        }
        h[0].name = "Host"; h[0].value = "dynamodb.us-east-1.amazonaws.com";
        h[1].name = "X-Amz-Target"; h[1].value = "DynamoDB_20120810.PutItem";
        h[2].name = "x-amz-meta-pad"; h[2].value = meta;
        memset(&rq, 0, sizeof rq);
        rq.method = "POST"; rq.path = "/"; rq.query = i % 2 ? query : NULL;
        rq.headers = h; rq.header_count = 3; rq.body = body; rq.body_len = n * 3;
        CHECK(olock_sigv4_signer_sign(&sg, &rq, DAY0 * 86400 + (int64_t)i * 1800, (unsigned)(i % 8), &sig, &e) == OLOCK_OK);
        free(meta); free(query); free(body);
    }
    /* an error on the way: a header the signer adds itself */
    {
        olock_http_header h[2];
        olock_sigv4_request rq;
        olock_sigv4_signature sig;
        h[0].name = "Host"; h[0].value = "h";
        h[1].name = "X-Amz-Security-Token"; h[1].value = k2.token;
        memset(&rq, 0, sizeof rq);
        rq.method = "POST"; rq.headers = h; rq.header_count = 2;
        CHECK(olock_sigv4_signer_sign(&sg, &rq, DAY0 * 86400, 0, &sig, &e) == OLOCK_ERR_INVALID_ARG);
        CHECK(clean(e.message));
    }
    CHECK(g_scanned - scanned0 >= 5);   /* the old credentials, and the scratch grew 4 times */
    olock_sigv4_signer_free(&sg);
    CHECK_EQ_INT(s.live, 0);
    CHECK_EQ_INT(g_hits, 0);
    free_keys(&k1); free_keys(&k2);
}

/* Credentials in the config; the engine on the fake; then client and fake destroyed. */
TEST(test_client_explicit) {
    scanning s;
    olock_allocator a = scanning_allocator(&s);
    olock_fake_config fc = olock_fake_config_default();
    olock_fake *fake = NULL;
    keyset k = new_keys("explicit", 1100);
    checking chk;
    clock_s clk;
    olock_client *c;
    olock_error e;
    long before = g_hits;
    g_phase = "explicit credentials";
    clk.t = DAY0 * 86400;
    watch_signing_keys(k.secret, "eu-west-1", DAY0, 12);
    fc.allocator = a;
    CHECK(olock_fake_create(&fc, &fake) == OLOCK_OK);
    c = make_client(fake, &chk, &a, &clk, &k, k.token, &e);
    CHECK(c != NULL);
    if (c) {
        engine_work(c, "explicit", 60);
        olock_client_destroy(c);
    }
    olock_fake_destroy(fake);
    CHECK(chk.requests > 100 && chk.signed_with_token == chk.requests);   /* it really signed */
    CHECK_EQ_INT(s.live, 0);
    CHECK_EQ_INT(g_hits - before, 0);
    free_keys(&k);
}

/* Credentials from AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY / AWS_SESSION_TOKEN. */
TEST(test_client_environment) {
    scanning s;
    olock_allocator a = scanning_allocator(&s);
    olock_fake *fake = NULL;
    keyset k = new_keys("environment", 1000);
    checking chk;
    clock_s clk;
    olock_client *c;
    olock_error e;
    long before = g_hits;
    g_phase = "environment credentials";
    clk.t = DAY0 * 86400;
    watch_signing_keys(k.secret, "ap-south-1", DAY0, 10);
    unset_aws_env();
    setenv("AWS_ACCESS_KEY_ID", k.akid, 1);
    setenv("AWS_SECRET_ACCESS_KEY", k.secret, 1);
    setenv("AWS_SESSION_TOKEN", k.token, 1);
    setenv("AWS_REGION", "ap-south-1", 1);
    CHECK(olock_fake_create(NULL, &fake) == OLOCK_OK);
    c = make_client(fake, &chk, &a, &clk, NULL, k.token, &e);
    CHECK(c != NULL);
    if (c) {
        engine_work(c, "environment", 40);
        olock_client_destroy(c);
    }
    olock_fake_destroy(fake);
    unset_aws_env();
    CHECK(chk.requests > 60 && chk.signed_with_token == chk.requests);
    CHECK_EQ_INT(s.live, 0);
    CHECK_EQ_INT(g_hits - before, 0);
    free_keys(&k);
}

/* Credentials from a shared credentials file big enough to make the read buffer grow. */
TEST(test_client_credentials_file) {
    scanning s;
    olock_allocator a = scanning_allocator(&s);
    olock_fake *fake = NULL;
    keyset k = new_keys("file", 1300);
    char *text = cred_file_text(&k, 40000);
    checking chk;
    clock_s clk;
    olock_client *c;
    olock_aws_config ac;
    olock_error e;
    long before = g_hits;
    g_phase = "shared credentials file";
    clk.t = DAY0 * 86400;
    watch_signing_keys(k.secret, "us-west-2", DAY0, 10);
    write_file(g_cred_path, text);
    unset_aws_env();
    setenv("AWS_SHARED_CREDENTIALS_FILE", g_cred_path, 1);
    setenv("AWS_DEFAULT_REGION", "us-west-2", 1);

    /* resolved on its own, then freed */
    olock_aws_config_init(&ac, &a);
    CHECK(olock_aws_config_resolve_credentials(&ac, NULL, NULL, &e) == OLOCK_OK);
    CHECK(ac.secret_access_key && strcmp(ac.secret_access_key, k.secret) == 0);
    CHECK(ac.session_token && strcmp(ac.session_token, k.token) == 0);
    olock_aws_config_free(&ac);
    CHECK(s.released_big >= 4);    /* the read buffer grew 8, 16, 32, 64 KiB */

    CHECK(olock_fake_create(NULL, &fake) == OLOCK_OK);
    c = make_client(fake, &chk, &a, &clk, NULL, k.token, &e);
    CHECK(c != NULL);
    if (c) {
        engine_work(c, "file", 40);
        olock_client_destroy(c);
    }
    olock_fake_destroy(fake);
    unset_aws_env();
    CHECK(chk.requests > 60 && chk.signed_with_token == chk.requests);
    CHECK_EQ_INT(s.live, 0);
    CHECK_EQ_INT(g_hits - before, 0);
    free(text);
    free_keys(&k);
}

/* Errors on the way to a client: none of their messages shows a secret, and what was
   allocated before the error is wiped too. */
TEST(test_errors) {
    scanning s;
    olock_allocator a = scanning_allocator(&s);
    keyset k = new_keys("error", 700);
    olock_aws_config ac;
    olock_error e;
    olock_fake *fake = NULL;
    checking chk;
    clock_s clk;
    olock_client *c;
    char line[4096];
    long before = g_hits;
    size_t i;
    /* Malformed files, each with the secret (or the token) on the bad line or around it. */
    const char *bad[] = {
        "[default]\n  aws_secret_access_key = %s\n",              /* indented line */
        "[default]\naws_secret_access_key %s\n",                   /* no '=' */
        "[default\naws_secret_access_key = %s\n",                  /* no ']' */
        "[%s]\naws_access_key_id = A\n",                           /* profile not found */
        "[default] %s\n",                                          /* text after ']' */
        "aws_secret_access_key = %s\n",                            /* outside a section */
        "[default]\n%s = x\n",                                     /* invalid property name */
        "[default]\naws_secret_access_key = %s\x01\n",             /* control character */
        "[default]\naws_secret_access_key = %s\n",                 /* no key id */
        "[default]\naws_access_key_id = A\naws_session_token = %s\n", /* no secret */
    };
    g_phase = "errors";
    clk.t = DAY0 * 86400;
    unset_aws_env();
    setenv("AWS_SHARED_CREDENTIALS_FILE", g_cred_path, 1);
    for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        snprintf(line, sizeof line, bad[i], i == 9 ? k.token : k.secret);
        write_file(g_cred_path, line);
        olock_aws_config_init(&ac, &a);
        CHECK(olock_aws_config_resolve_credentials(&ac, NULL, NULL, &e) == OLOCK_ERR_CREDENTIALS);
        CHECK(clean(e.message));
        if (!clean(e.message)) fprintf(stderr, "  message: %s\n", e.message);
        olock_aws_config_free(&ac);
    }
    /* the same through a client */
    CHECK(olock_fake_create(NULL, &fake) == OLOCK_OK);
    write_file(g_cred_path, "[default]\naws_secret_access_key = sEcReTOnALineWithoutId0123456789\n");
    c = make_client(fake, &chk, &a, &clk, NULL, NULL, &e);
    CHECK(c == NULL);
    CHECK(e.code == OLOCK_ERR_CREDENTIALS && clean(e.message));
    unset_aws_env();

    /* half a key pair in the environment */
    setenv("AWS_SECRET_ACCESS_KEY", k.secret, 1);
    olock_aws_config_init(&ac, &a);
    CHECK(olock_aws_config_resolve_credentials(&ac, NULL, NULL, &e) == OLOCK_ERR_CREDENTIALS);
    CHECK(clean(e.message));
    olock_aws_config_free(&ac);
    unset_aws_env();

    /* no region anywhere, and a malformed one */
    olock_aws_config_init(&ac, &a);
    CHECK(olock_aws_config_resolve_region(&ac, NULL, NULL, &e) == OLOCK_ERR_CONFIG);
    CHECK(clean(e.message));
    CHECK(olock_aws_config_resolve_region(&ac, "no region/here", NULL, &e) == OLOCK_ERR_CONFIG);
    CHECK(clean(e.message));
    olock_aws_config_free(&ac);
    {
        keyset bad_token = k;
        olock_config cfg = olock_config_default();
        char *tok = (char *)malloc(strlen(k.token) + 1);
        memcpy(tok, k.token, strlen(k.token) + 1);
        tok[300] = ' ';                                   /* a space: not allowed in a token */
        bad_token.token = tok;
        c = make_client(fake, &chk, &a, &clk, &bad_token, NULL, &e);
        CHECK(c == NULL);
        CHECK(e.code == OLOCK_ERR_INVALID_ARG && clean(e.message));
        free(tok);
        /* an explicit region that is not one, with good credentials */
        cfg.transport = olock_fake_transport(fake);
        cfg.allocator = a;
        cfg.credentials.access_key_id = k.akid;
        cfg.credentials.secret_access_key = k.secret;
        cfg.credentials.session_token = k.token;
        cfg.region = "not a region";
        c = NULL;
        CHECK(olock_client_create(&cfg, &c, &e) == OLOCK_ERR_CONFIG);
        CHECK(clean(e.message));
        /* an endpoint that is not a URL */
        cfg.region = "eu-central-1";
        cfg.endpoint = "ftp://example.com/";
        CHECK(olock_client_create(&cfg, &c, &e) == OLOCK_ERR_CONFIG);
        CHECK(clean(e.message));
        /* only half a pair in the config */
        cfg.endpoint = NULL;
        cfg.credentials.access_key_id = NULL;
        CHECK(olock_client_create(&cfg, &c, &e) == OLOCK_ERR_CREDENTIALS);
        CHECK(clean(e.message));
    }
    olock_fake_destroy(fake);
    CHECK_EQ_INT(s.live, 0);
    CHECK_EQ_INT(g_hits - before, 0);
    free_keys(&k);
}

/* A server that answers an auth error by echoing the canonical request it computed (as AWS
   does for a signature mismatch), session token included: the message must not pass it on. */
typedef struct echo { int calls; } echo;
static olock_result echo_send(void *user, const olock_http_request *req, olock_http_response *res) {
    char body[6000];
    size_t i, n;
    const char *tok = "";
    ((echo *)user)->calls++;
    for (i = 0; i < req->header_count; i++)
        if (strcmp(req->headers[i].name, "X-Amz-Security-Token") == 0) tok = req->headers[i].value;
    n = (size_t)snprintf(body, sizeof body,
                         "{\"__type\":\"com.amazon.coral.service#InvalidSignatureException\",\"message\":"
                         "\"Signature mismatch. The Canonical String for this request should have been\\n'POST\\n/\\n\\n"
                         "host:h\\nx-amz-security-token:%s\\n'\"}", tok);
    res->status = 400;
    return olock_http_response_append(res, body, n);
}

TEST(test_server_echo) {
    keyset k = new_keys("echoed", 800);
    olock_config cfg = olock_config_default();
    olock_client *c = NULL;
    olock_error e;
    echo ec;
    clock_s clk;
    olock_item_request r;
    olock_response res;
    g_phase = "server echo";
    ec.calls = 0;
    clk.t = DAY0 * 86400;
    cfg.transport.user = &ec;
    cfg.transport.send = echo_send;
    cfg.hook_user = &clk;
    cfg.unix_time_s = hook_time;
    cfg.ignore_environment = 1;
    cfg.region = "eu-west-1";
    cfg.endpoint = "http://h/";
    cfg.credentials.access_key_id = k.akid;
    cfg.credentials.secret_access_key = k.secret;
    cfg.credentials.session_token = k.token;
    CHECK(olock_client_create(&cfg, &c, &e) == OLOCK_OK);
    if (c) {
        memset(&r, 0, sizeof r);
        r.table = "t"; r.key = key_of("x");
        CHECK(olock_get_item(c, &r, &res, &e) == OLOCK_ERR_SERVICE);
        CHECK(strcmp(e.aws_type, "InvalidSignatureException") == 0);
        /* the token is cut out, the rest of the message is kept */
        CHECK(strstr(e.message, "\nx-amz-security-token:[redacted]\n'") != NULL);
        CHECK(clean(e.message));
        if (!clean(e.message)) fprintf(stderr, "  message: %s\n", e.message);
        olock_client_destroy(c);
    }
    CHECK(ec.calls == 1);
    olock_arena_reset(&g_arena);
    free_keys(&k);
}

/* Every allocation failing in turn, for credentials from the config and from the file: what
   was copied before the failure is wiped too. */
TEST(test_out_of_memory) {
    scanning s, fs;
    olock_allocator a, fa = scanning_allocator(&fs);
    olock_fake_config fc = olock_fake_config_default();
    olock_fake *fake = NULL;
    keyset k = new_keys("out-of-memory", 600);
    char *text = cred_file_text(&k, 10000);
    long before = g_hits, n;
    int finished = 0;                             /* bit 0: explicit, bit 1: file */
    g_phase = "out of memory";
    watch_signing_keys(k.secret, "eu-west-1", DAY0, 2);
    watch_signing_keys(k.secret, "us-west-2", DAY0, 2);
    fc.allocator = fa;
    CHECK(olock_fake_create(&fc, &fake) == OLOCK_OK);
    {
        olock_config cfg = olock_config_default();
        olock_client *admin = NULL;
        olock_create_table_request ct;
        cfg.transport = olock_fake_transport(fake);
        cfg.ignore_environment = 1;
        CHECK(olock_client_create(&cfg, &admin, NULL) == OLOCK_OK);
        memset(&ct, 0, sizeof ct);
        ct.table = "oom"; ct.hash_key = "id"; ct.hash_type = OLOCK_TYPE_S;
        CHECK(olock_create_table(admin, &ct, NULL, NULL) == OLOCK_OK);
        olock_client_destroy(admin);
    }
    write_file(g_cred_path, text);
    for (n = 2; n < 4000 && finished != 3; n++) {
        checking chk;
        clock_s clk;
        olock_client *c;
        olock_error e;
        olock_write_result wr;
        int from_file = (int)(n % 2);
        if (finished >> from_file & 1) continue;
        clk.t = DAY0 * 86400;
        a = scanning_allocator(&s);
        s.fail_at = n / 2;
        unset_aws_env();
        if (from_file) {
            setenv("AWS_SHARED_CREDENTIALS_FILE", g_cred_path, 1);
            setenv("AWS_REGION", "us-west-2", 1);
        }
        memset(&e, 0, sizeof e);
        c = make_client(fake, &chk, &a, &clk, from_file ? NULL : &k, k.token, &e);
        if (c) {
            olock_result rc = olock_update(c, "oom", key_of("x"), grow, NULL, &wr, &e);
            if (rc == OLOCK_OK && s.calls < s.fail_at) {
                finished |= 1 << from_file;
                CHECK(chk.signed_with_token == chk.requests && chk.requests >= 2);
            }
            olock_client_destroy(c);
        }
        CHECK(clean(e.message));
        CHECK_EQ_INT(s.live, 0);
        olock_arena_reset(&g_arena);
    }
    unset_aws_env();
    CHECK_EQ_INT(finished, 3);
    olock_fake_destroy(fake);
    CHECK_EQ_INT(g_hits - before, 0);
    free(text);
    free_keys(&k);
}

int main(void) {
    int fd;
    strcpy(g_cred_path, "/tmp/olock-secrets-XXXXXX");
    fd = mkstemp(g_cred_path);
    if (fd < 0) { perror("mkstemp"); return 2; }
    close(fd);
    olock_arena_init(&g_arena, NULL);
    unset_aws_env();
    RUN(test_signer);
    RUN(test_client_explicit);
    RUN(test_client_environment);
    RUN(test_client_credentials_file);
    RUN(test_errors);
    RUN(test_server_echo);
    RUN(test_out_of_memory);
    printf("%ld blocks scanned, %ld held a secret when released\n", g_scanned, g_hits);
    olock_arena_free(&g_arena);
    remove(g_cred_path);
    return TEST_MAIN_END();
}
