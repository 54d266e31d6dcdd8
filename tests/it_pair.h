/* it_pair.h - what the integration tests that compare DynamoDB Local with the in-process fake
   share (tests only; it_compare.c, it_random.c): one signed request sent to both, the answers
   compared as JSON, and the live server emptied. Include after olock.h, olock_curl.h,
   olock_fake.h and olock_test.h. */
#ifndef OLOCK_IT_PAIR_H
#define OLOCK_IT_PAIR_H

#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* ---- requests: one signed HTTP request, sent to both ----------------------------------------- */

static olock_transport g_live;     /* curl to DynamoDB Local */
static olock_transport g_fake;     /* the current case's fake; send == NULL: live only */
static olock_sigv4_signer g_signer;
static char g_url[256], g_host[128];
static olock_http_response g_live_res, g_fake_res;
static olock_result g_live_rc, g_fake_rc;

/* Sends `body` as DynamoDB_20120810.<op>, signed (SigV4, as olock's client signs) to the live
   server and, byte for byte the same request, to the fake. 0 when it could not be built or no
   HTTP answer came back from the live server. Not every corpus operation is an olock_op
   (UpdateTable is not), so the request is built here rather than by olock_client_call. */
static int exchange(const char *op, size_t op_len, const char *body, size_t len) {
    olock_http_header h[8];
    olock_sigv4_request sr;
    olock_sigv4_signature sig;
    olock_http_request hr;
    olock_error err;
    char target[128];
    size_t n = 0, i;
    snprintf(target, sizeof target, "DynamoDB_20120810.%.*s", (int)op_len, op);
    h[n].name = "Host"; h[n++].value = g_host;
    h[n].name = "Content-Type"; h[n++].value = "application/x-amz-json-1.0";
    h[n].name = "X-Amz-Target"; h[n++].value = target;
    memset(&sr, 0, sizeof sr);
    sr.method = "POST";
    sr.path = "/";
    sr.headers = h;
    sr.header_count = n;
    sr.body = body;
    sr.body_len = len;
    if (olock_sigv4_signer_sign(&g_signer, &sr, (int64_t)time(NULL), OLOCK_SIGV4_NORMALIZE_PATH, &sig, &err) != OLOCK_OK) {
        printf("    cannot sign: %s\n", err.message);
        return 0;
    }
    for (i = 0; i < sig.header_count && n < 8; i++) h[n++] = sig.headers[i];
    memset(&hr, 0, sizeof hr);
    hr.method = "POST";
    hr.url = g_url;
    hr.headers = h;
    hr.header_count = n;
    hr.body = body;
    hr.body_len = len;
    olock_http_response_reset(&g_live_res);
    g_live_rc = g_live.send(g_live.user, &hr, &g_live_res);
    g_fake_rc = OLOCK_ERR_INVALID_ARG;
    if (g_fake.send) {
        olock_http_response_reset(&g_fake_res);
        g_fake_rc = g_fake.send(g_fake.user, &hr, &g_fake_res);
    }
    if (g_live_rc != OLOCK_OK) {
        printf("    live %s: transport %s\n", target, olock_result_str(g_live_rc));
        return 0;
    }
    return 1;
}

static int exchange_str(const char *op, const char *body) { return exchange(op, strlen(op), body, strlen(body)); }

/* ---- comparing answers ---------------------------------------------------------------------- */

/* A string that matches anything where it stands in the first answer (NULL: none). */
static const char *g_wildcard;

static int json_is(const olock_json *j, const char *s) {
    size_t n = strlen(s);
    return j && j->kind == OLOCK_JSON_STRING && j->len == n && memcmp(j->str, s, n) == 0;
}

static int key_is(const olock_json *m, const char *s) {
    size_t n = strlen(s);
    return m->key_len == n && memcmp(m->key, s, n) == 0;
}

/* Members of a table description whose value changes from run to run (README, Normalisation). */
static int volatile_key(const olock_json *m) {
    static const char *const keys[] = {
        "CreationDateTime", "LastUpdateToPayPerRequestDateTime", "LastIncreaseDateTime", "LastDecreaseDateTime",
        "TableArn", "IndexArn", "TableId", "LatestStreamArn", "LatestStreamLabel"
    };
    size_t i;
    for (i = 0; i < sizeof keys / sizeof keys[0]; i++)
        if (key_is(m, keys[i])) return 1;
    return 0;
}

static const olock_json *find_member(const olock_json *obj, const olock_json *like) {
    const olock_json *m;
    for (m = obj->first; m; m = m->next)
        if (m->key_len == like->key_len && memcmp(m->key, like->key, like->key_len) == 0) return m;
    return NULL;
}

/* 1 when `b` matches `a`. in_table: inside a Table / TableDescription object (at any depth). */
static int json_match(const olock_json *a, const olock_json *b, int in_table) {
    const olock_json *x, *y;
    if (g_wildcard && json_is(a, g_wildcard)) return 1;   /* a recording's wildcard (it_compare) */
    if (a->kind != b->kind) return 0;
    switch (a->kind) {
    case OLOCK_JSON_NUMBER:
        if (a->len == b->len && memcmp(a->str, b->str, a->len) == 0) return 1;
        return strtod(a->str, NULL) == strtod(b->str, NULL);
    case OLOCK_JSON_STRING:
        return a->len == b->len && memcmp(a->str, b->str, a->len) == 0;
    case OLOCK_JSON_ARRAY:
        if (a->count != b->count) return 0;
        for (x = a->first, y = b->first; x && y; x = x->next, y = y->next)
            if (!json_match(x, y, in_table)) return 0;
        return 1;
    case OLOCK_JSON_OBJECT:
        if (a->count != b->count) return 0;
        for (x = a->first; x; x = x->next) {
            y = find_member(b, x);
            if (!y) return 0;
            if (in_table && volatile_key(x)) continue;
            if (!json_match(x, y, in_table || key_is(x, "Table") || key_is(x, "TableDescription"))) return 0;
        }
        return 1;
    default:
        return 1;
    }
}

/* ---- the live server --------------------------------------------------------------------- */

/* Deletes every table of the live server (live only), turning deletion protection off where
   a case turned it on, as the recorder does. 0 on failure. */
static int delete_all_tables(void) {
    int rounds, ok = 1;
    olock_transport saved = g_fake;
    g_fake.send = NULL;
    for (rounds = 0; rounds < 50 && ok; rounds++) {
        olock_arena a;
        olock_json *j = NULL;
        const olock_json *names, *m;
        olock_arena_init(&a, NULL);
        if (!exchange_str("ListTables", "{}") || g_live_res.status != 200 ||
            olock_json_parse(&a, g_live_res.body.data, g_live_res.body.len, NULL, &j, NULL) != OLOCK_OK ||
            !(names = olock_json_get(j, "TableNames")) || names->kind != OLOCK_JSON_ARRAY) {
            printf("    ListTables failed: %d %.*s\n", g_live_res.status, (int)g_live_res.body.len,
                   g_live_res.body.data ? g_live_res.body.data : "");
            ok = 0;
        } else if (!names->count) {
            olock_arena_free(&a);
            break;
        } else {
            for (m = names->first; m && ok; m = m->next) {
                olock_buf b;
                olock_buf_init(&b, NULL);
                olock_buf_append_str(&b, "{\"TableName\":");
                olock_json_write_string(&b, m->str, m->len);
                olock_buf_append_str(&b, "}");
                ok = exchange_str("DeleteTable", b.data);
                if (ok && g_live_res.status != 200 && g_live_res.body.data &&
                    strstr(g_live_res.body.data, "protected against deletion")) {
                    olock_buf_clear(&b);
                    olock_buf_append_str(&b, "{\"TableName\":");
                    olock_json_write_string(&b, m->str, m->len);
                    olock_buf_append_str(&b, ",\"DeletionProtectionEnabled\":false}");
                    ok = exchange_str("UpdateTable", b.data) && g_live_res.status == 200;
                    olock_buf_clear(&b);
                    olock_buf_append_str(&b, "{\"TableName\":");
                    olock_json_write_string(&b, m->str, m->len);
                    olock_buf_append_str(&b, "}");
                    ok = ok && exchange_str("DeleteTable", b.data);
                }
                if (ok && g_live_res.status != 200) {
                    printf("    DeleteTable %s failed: %d %.*s\n", m->str, g_live_res.status, (int)g_live_res.body.len,
                           g_live_res.body.data ? g_live_res.body.data : "");
                    ok = 0;
                }
                olock_buf_free(&b);
            }
        }
        olock_arena_free(&a);
    }
    g_fake = saved;
    return ok;
}

/* ---- set-up ---------------------------------------------------------------------------------- */

/* Connects to the DynamoDB Local at url ("http://127.0.0.1:PORT"): curl transport, signer,
   response buffers. 0 (after saying why) when that fails. */
static int it_pair_open(const char *url) {
    olock_curl_config cc = olock_curl_config_default();
    olock_curl *http = NULL;
    olock_credentials creds;
    olock_error err;
    snprintf(g_url, sizeof g_url, "%s", url);
    snprintf(g_host, sizeof g_host, "%s", url + 7); /* 127.0.0.1:PORT[/...] */
    g_host[strcspn(g_host, "/")] = 0;
    curl_global_init(CURL_GLOBAL_DEFAULT);
    memset(&creds, 0, sizeof creds);
    creds.access_key_id = "AKIDLOCAL"; /* DynamoDB Local wants it alphanumeric */
    creds.secret_access_key = "secret";
    if (olock_curl_create(&cc, &http) != OLOCK_OK ||
        olock_sigv4_signer_init(&g_signer, NULL, &creds, "us-east-1", "dynamodb", &err) != OLOCK_OK) {
        printf("cannot create the curl transport or the signer\n");
        return 0;
    }
    g_live = olock_curl_transport(http);
    olock_http_response_init(&g_live_res, NULL, 0);
    olock_http_response_init(&g_fake_res, NULL, 0);
    return 1;
}

static void it_pair_close(void) {
    g_live.destroy(g_live.user);
    olock_sigv4_signer_free(&g_signer);
    olock_http_response_free(&g_fake_res);
    olock_http_response_free(&g_live_res);
    curl_global_cleanup();
}

#endif
