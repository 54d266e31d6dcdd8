/* test_conformance.c - replays the DynamoDB Local corpus against the fake backend.

   usage: test_conformance [CORPUS_DIR] [-v] [-o] [-k SUBSTRING]
   (-v prints the request of a failing step, -o also checks the order of object members,
   -k runs only the cases whose name contains SUBSTRING)

   Every *.jsonl file in CORPUS_DIR (default tests/conformance) holds one case per line (the
   seven files of `required` below must be there: tables, items, conditions, updates,
   transactions, batch, query):
       {"name":..,"steps":[{"op":"PutItem","request":{..},"status":400,"response":{..}},..]}
   recorded from Amazon DynamoDB Local (tests/conformance/README.md). Each case runs on a
   fresh fake: every step is sent through the fake's transport and its status and response
   JSON are compared with the recording. Objects compare member by member in any order,
   arrays in order, numbers by value; a recorded "<ignored>" matches anything (times, ARNs).
   One line per mismatch, then "N passed, N failed"; the exit status is 1 on any failure. */
#ifndef OLOCK_TEST_LINKED   /* else the Makefile links build/<flavour>/libolock_impl.a (tests/impl/) */
#define OLOCK_IMPLEMENTATION
#define OLOCK_FAKE_IMPLEMENTATION
#endif
#include "olock.h"
#include "backends/olock_fake.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SHOW 400 /* characters of expected / actual JSON printed per mismatch */

static int verbose;
static int strict_order;   /* -o: object members must also come in DynamoDB Local's order */

/* ---- JSON text of a parsed tree (the corpus request, sent as the body) -------------------- */

static int write_json(const olock_json *j, olock_buf *b)
{
    const olock_json *m;
    switch (j->kind) {
    case OLOCK_JSON_NULL: return olock_buf_append_str(b, "null") == OLOCK_OK ? 0 : -1;
    case OLOCK_JSON_TRUE: return olock_buf_append_str(b, "true") == OLOCK_OK ? 0 : -1;
    case OLOCK_JSON_FALSE: return olock_buf_append_str(b, "false") == OLOCK_OK ? 0 : -1;
    case OLOCK_JSON_NUMBER: return olock_buf_append(b, j->str, j->len) == OLOCK_OK ? 0 : -1;
    case OLOCK_JSON_STRING: return olock_json_write_string(b, j->str, j->len) == OLOCK_OK ? 0 : -1;
    case OLOCK_JSON_ARRAY:
        if (olock_buf_append(b, "[", 1) != OLOCK_OK) return -1;
        for (m = j->first; m; m = m->next) {
            if (m != j->first && olock_buf_append(b, ",", 1) != OLOCK_OK) return -1;
            if (write_json(m, b) < 0) return -1;
        }
        return olock_buf_append(b, "]", 1) == OLOCK_OK ? 0 : -1;
    default:
        if (olock_buf_append(b, "{", 1) != OLOCK_OK) return -1;
        for (m = j->first; m; m = m->next) {
            if (m != j->first && olock_buf_append(b, ",", 1) != OLOCK_OK) return -1;
            if (olock_json_write_string(b, m->key, m->key_len) != OLOCK_OK || olock_buf_append(b, ":", 1) != OLOCK_OK)
                return -1;
            if (write_json(m, b) < 0) return -1;
        }
        return olock_buf_append(b, "}", 1) == OLOCK_OK ? 0 : -1;
    }
}

/* ---- structural comparison ---------------------------------------------------------------- */

static int is_ignored(const olock_json *j)
{
    return j->kind == OLOCK_JSON_STRING && j->len == 9 && memcmp(j->str, "<ignored>", 9) == 0;
}

static const olock_json *member(const olock_json *obj, const char *key, size_t len)
{
    const olock_json *m;
    for (m = obj->first; m; m = m->next)
        if (m->key_len == len && memcmp(m->key, key, len) == 0) return m;
    return NULL;
}

/* 1 when `actual` matches the recorded `expected`. */
static int same(const olock_json *expected, const olock_json *actual)
{
    const olock_json *x, *y;
    if (is_ignored(expected)) return 1;
    if (expected->kind != actual->kind) return 0;
    switch (expected->kind) {
    case OLOCK_JSON_NUMBER:
        if (expected->len == actual->len && memcmp(expected->str, actual->str, expected->len) == 0) return 1;
        return strtod(expected->str, NULL) == strtod(actual->str, NULL);
    case OLOCK_JSON_STRING:
        return expected->len == actual->len && memcmp(expected->str, actual->str, expected->len) == 0;
    case OLOCK_JSON_ARRAY:
        if (expected->count != actual->count) return 0;
        for (x = expected->first, y = actual->first; x && y; x = x->next, y = y->next)
            if (!same(x, y)) return 0;
        return 1;
    case OLOCK_JSON_OBJECT:
        if (strict_order) {
            if (expected->count != actual->count) return 0;
            for (x = expected->first, y = actual->first; x && y; x = x->next, y = y->next)
                if (x->key_len != y->key_len || memcmp(x->key, y->key, x->key_len) != 0 || !same(x, y)) return 0;
            return 1;
        }
        for (x = expected->first; x; x = x->next) {
            y = member(actual, x->key, x->key_len);
            if (!y) { if (is_ignored(x)) continue; return 0; }
            if (!same(x, y)) return 0;
        }
        for (y = actual->first; y; y = y->next)
            if (!member(expected, y->key, y->key_len)) return 0;
        return 1;
    default:
        return 1;
    }
}

/* ---- one case ----------------------------------------------------------------------------- */

static void show(const char *label, int status, const char *text, size_t len)
{
    printf("    %s %d %.*s%s\n", label, status, (int)(len > SHOW ? SHOW : len), text, len > SHOW ? "..." : "");
}

/* 1 pass, 0 fail. */
static int run_case(const char *file, const olock_json *c, olock_arena *a)
{
    const olock_json *name = olock_json_get(c, "name"), *steps = olock_json_get(c, "steps"), *s;
    olock_fake *fake = NULL;
    olock_transport t;
    olock_buf body;
    olock_http_response res;
    int ok = 1, index = 0;
    olock_json_limits lim;
    lim.max_bytes = 0;
    lim.max_depth = 1024;
    if (!name || name->kind != OLOCK_JSON_STRING || !steps || steps->kind != OLOCK_JSON_ARRAY) {
        printf("FAIL %s: malformed case\n", file);
        return 0;
    }
    if (olock_fake_create(NULL, &fake) != OLOCK_OK) { printf("FAIL %s: %s: no memory\n", file, name->str); return 0; }
    t = olock_fake_transport(fake);
    olock_buf_init(&body, NULL);
    olock_http_response_init(&res, NULL, 0);
    for (s = steps->first; s && ok; s = s->next, index++) {
        const olock_json *op = olock_json_get(s, "op"), *req = olock_json_get(s, "request");
        const olock_json *st = olock_json_get(s, "status"), *want = olock_json_get(s, "response");
        olock_json *got = NULL;
        olock_http_header h[2];
        olock_http_request hr;
        char target[96];
        int want_status;
        olock_result r;
        if (!op || !req || !st || !want) { printf("FAIL %s: %s: step %d malformed\n", file, name->str, index); ok = 0; break; }
        want_status = (int)strtol(st->str, NULL, 10);
        olock_buf_clear(&body);
        if (write_json(req, &body) < 0) { ok = 0; break; }
        snprintf(target, sizeof(target), "DynamoDB_20120810.%.*s", (int)op->len, op->str);
        h[0].name = "Content-Type"; h[0].value = "application/x-amz-json-1.0";
        h[1].name = "X-Amz-Target"; h[1].value = target;
        memset(&hr, 0, sizeof(hr));
        hr.method = "POST";
        hr.url = "http://127.0.0.1/";
        hr.headers = h;
        hr.header_count = 2;
        hr.body = body.data;
        hr.body_len = body.len;
        olock_http_response_reset(&res);
        r = t.send(t.user, &hr, &res);
        if (r != OLOCK_OK) {
            printf("FAIL %s: %s: step %d (%.*s): transport returned %s\n", file, name->str, index, (int)op->len, op->str,
                   olock_result_str(r));
            ok = 0;
            break;
        }
        if (want->kind == OLOCK_JSON_STRING && !is_ignored(want)) {
            /* recorded as plain text: compare the bytes */
            ok = res.status == want_status && res.body.len == want->len && memcmp(res.body.data, want->str, want->len) == 0;
        } else {
            ok = res.status == want_status &&
                 olock_json_parse(a, res.body.data ? res.body.data : "", res.body.len, &lim, &got, NULL) == OLOCK_OK &&
                 same(want, got);
        }
        if (!ok) {
            olock_buf exp;
            olock_buf_init(&exp, NULL);
            write_json(want, &exp);
            printf("FAIL %s: %s: step %d (%.*s)\n", file, name->str, index, (int)op->len, op->str);
            if (verbose) { olock_buf_clear(&body); write_json(req, &body); show("request ", 0, body.data, body.len); }
            show("expected", want_status, exp.data ? exp.data : "", exp.len);
            show("actual  ", res.status, res.body.data ? res.body.data : "", res.body.len);
            olock_buf_free(&exp);
        }
    }
    olock_http_response_free(&res);
    olock_buf_free(&body);
    olock_fake_destroy(fake);
    return ok;
}

static int cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The corpus files that must be there (a file that went missing would otherwise just mean
   fewer cases); any other *.jsonl in the directory is replayed too. */
static const char *const required[] = { "tables.jsonl", "items.jsonl", "conditions.jsonl", "updates.jsonl",
                                        "transactions.jsonl", "batch.jsonl", "query.jsonl" };

int main(int argc, char **argv)
{
    const char *dir = "tests/conformance", *filter = NULL;
    char *files[256];
    size_t nfiles = 0, i;
    int passed = 0, failed = 0, k;
    DIR *d;
    struct dirent *de;
    for (k = 1; k < argc; k++) {
        if (strcmp(argv[k], "-v") == 0) verbose = 1;
        else if (strcmp(argv[k], "-o") == 0) strict_order = 1;
        else if (strcmp(argv[k], "-k") == 0 && k + 1 < argc) filter = argv[++k];
        else dir = argv[k];
    }
    if (!(d = opendir(dir))) { printf("cannot open corpus directory %s\n0 passed, 1 failed\n", dir); return 1; }
    while ((de = readdir(d)) && nfiles < 256) {
        size_t n = strlen(de->d_name);
        if (n > 6 && strcmp(de->d_name + n - 6, ".jsonl") == 0) {
            files[nfiles] = (char *)malloc(strlen(dir) + n + 2);
            if (!files[nfiles]) break;
            snprintf(files[nfiles], strlen(dir) + n + 2, "%s/%s", dir, de->d_name);
            nfiles++;
        }
    }
    closedir(d);
    qsort(files, nfiles, sizeof(files[0]), cmp_names);
    if (!filter) {
        for (i = 0; i < sizeof(required) / sizeof(required[0]); i++) {
            size_t j, rl = strlen(required[i]);
            for (j = 0; j < nfiles; j++) {
                size_t fl = strlen(files[j]);
                if (fl > rl && files[j][fl - rl - 1] == '/' && strcmp(files[j] + fl - rl, required[i]) == 0) break;
            }
            if (j == nfiles) { printf("FAIL corpus file %s/%s is missing\n", dir, required[i]); failed++; }
        }
    }
    for (i = 0; i < nfiles; i++) {
        FILE *fp = fopen(files[i], "rb");
        char *text = NULL;
        long size;
        size_t pos = 0;
        olock_arena a;
        olock_json_limits lim;
        if (!fp) { printf("FAIL cannot read %s\n", files[i]); failed++; continue; }
        fseek(fp, 0, SEEK_END);
        size = ftell(fp);
        fseek(fp, 0, SEEK_SET);
        text = (char *)malloc((size_t)size + 1);
        if (!text || fread(text, 1, (size_t)size, fp) != (size_t)size) { printf("FAIL cannot read %s\n", files[i]); failed++; fclose(fp); free(text); continue; }
        fclose(fp);
        text[size] = 0;
        olock_arena_init(&a, NULL);
        lim.max_bytes = 0;
        lim.max_depth = 1024;   /* deeply nested items are cases too */
        while (pos < (size_t)size) {
            size_t end = pos;
            olock_json *c = NULL;
            const olock_json *name;
            while (end < (size_t)size && text[end] != '\n') end++;
            if (end > pos) {
                olock_arena_reset(&a);
                if (olock_json_parse(&a, text + pos, end - pos, &lim, &c, NULL) != OLOCK_OK) {
                    printf("FAIL %s: unparsable line at byte %lu\n", files[i], (unsigned long)pos);
                    failed++;
                } else if (!filter || ((name = olock_json_get(c, "name")) && name->str && strstr(name->str, filter))) {
                    if (run_case(files[i], c, &a)) passed++; else failed++;
                }
            }
            pos = end + 1;
        }
        olock_arena_free(&a);
        free(text);
        free(files[i]);
    }
    printf("%d passed, %d failed\n", passed, failed);
    return failed ? 1 : 0;
}
