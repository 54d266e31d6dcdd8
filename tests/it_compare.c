/* it_compare.c - the conformance corpus against the live DynamoDB Local, and the fake against both.

   usage: it_compare [URL] [CORPUS_DIR] [-v]
   (URL defaults to $OLOCK_IT_DDBLOCAL_URL, CORPUS_DIR to tests/conformance; -v prints every
   mismatch instead of the first 25)

   The server must be a DynamoDB Local of our own: every case starts from an empty server, so
   this program deletes EVERY table before the first case and after each case.

   For each case of the seven tests/conformance .jsonl files (format in
   tests/conformance/README.md), each step's request body becomes one HTTP request, signed with
   olock's SigV4 signer, and that very request goes to DynamoDB Local (olock_curl transport) and
   to an in-process fake (backends/olock_fake.h, a fresh one per case). Two tests per case:
     drift  every live answer equals the recorded one (status and body), so the corpus still
            describes the server it claims to describe;
     fake   every answer of the fake equals the live answer (status and body).
   Bodies compare as JSON: object members in any order, arrays in order, JSON numbers by
   value. Table metadata that varies per run (CreationDateTime, TableArn, ... inside Table /
   TableDescription, the README's list) must be present on both sides but is not compared;
   a recorded "<ignored>" likewise. __type and Message are part of the body, so compared.

   Prints one line per file with the counts, then "N passed, N failed". */
#define _POSIX_C_SOURCE 200809L
#ifndef OLOCK_TEST_LINKED   /* else tests/integration.sh links build/san/libolock_impl.a (tests/impl/) */
#define OLOCK_IMPLEMENTATION
#define OLOCK_CURL_IMPLEMENTATION
#define OLOCK_FAKE_IMPLEMENTATION
#endif
#include "olock.h"
#include "olock_curl.h"
#include "olock_fake.h"
#include "olock_test.h"
#include "it_pair.h"

#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define SHOW_CHARS 300
static int g_verbose;
static int g_shown;

/* ---- JSON ---------------------------------------------------------------------------------- */

/* Serialises a parsed tree (the recorded request) back to JSON text; numbers keep their text. */
static int to_json(const olock_json *j, olock_buf *b) {
    const olock_json *m;
    int ok = 1;
    switch (j->kind) {
    case OLOCK_JSON_NULL: return olock_buf_append_str(b, "null") == OLOCK_OK;
    case OLOCK_JSON_TRUE: return olock_buf_append_str(b, "true") == OLOCK_OK;
    case OLOCK_JSON_FALSE: return olock_buf_append_str(b, "false") == OLOCK_OK;
    case OLOCK_JSON_NUMBER: return olock_buf_append(b, j->str, j->len) == OLOCK_OK;
    case OLOCK_JSON_STRING: return olock_json_write_string(b, j->str, j->len) == OLOCK_OK;
    case OLOCK_JSON_ARRAY:
        ok = olock_buf_append_str(b, "[") == OLOCK_OK;
        for (m = j->first; m && ok; m = m->next)
            ok = (m == j->first || olock_buf_append_str(b, ",") == OLOCK_OK) && to_json(m, b);
        return ok && olock_buf_append_str(b, "]") == OLOCK_OK;
    case OLOCK_JSON_OBJECT:
        ok = olock_buf_append_str(b, "{") == OLOCK_OK;
        for (m = j->first; m && ok; m = m->next)
            ok = (m == j->first || olock_buf_append_str(b, ",") == OLOCK_OK) &&
                 olock_json_write_string(b, m->key, m->key_len) == OLOCK_OK && olock_buf_append_str(b, ":") == OLOCK_OK &&
                 to_json(m, b);
        return ok && olock_buf_append_str(b, "}") == OLOCK_OK;
    }
    return 0;
}

/* A response as JSON: parsed when it is JSON, else a JSON string of its bytes (the corpus
   stores a non-JSON body that way). NULL only when out of memory. */
static const olock_json *as_json(olock_arena *a, const char *body, size_t len) {
    olock_json *j = NULL;
    olock_buf q;
    if (olock_json_parse(a, body ? body : "", len, NULL, &j, NULL) == OLOCK_OK) return j;
    olock_buf_init(&q, NULL);
    if (olock_json_write_string(&q, body ? body : "", len) != OLOCK_OK ||
        olock_json_parse(a, q.data, q.len, NULL, &j, NULL) != OLOCK_OK) j = NULL;
    olock_buf_free(&q);
    return j;
}

static void show(const char *label, int status, const olock_json *j) {
    olock_buf b;
    olock_buf_init(&b, NULL);
    if (j) to_json(j, &b);
    printf("      %-9s %d %.*s%s\n", label, status, (int)(b.len > SHOW_CHARS ? SHOW_CHARS : b.len), b.data ? b.data : "",
           b.len > SHOW_CHARS ? "..." : "");
    olock_buf_free(&b);
}

/* ---- one case ------------------------------------------------------------------------------ */

typedef struct counts {
    int cases, drift_ok, fake_ok, steps, steps_drift_ok, steps_fake_ok, fake_500;
} counts;

static int g_quiet; /* an attempt of a timed case that may be retried: mismatches not shown */

static void mismatch(const char *what, const char *file, const char *name, int step, const olock_json *op,
                     const olock_json *req, int want_status, const olock_json *want, int got_status, const olock_json *got,
                     const char *want_label, const char *got_label) {
    if (g_quiet || (!g_verbose && g_shown >= 25)) return;
    g_shown++;
    printf("  MISMATCH %s: %s %s step %d (%.*s)\n", what, file, name, step, (int)op->len, op->str);
    show("request", 0, req);
    show(want_label, want_status, want);
    show(got_label, got_status, got);
}

/* One run of a case; its counts go to `n`, and it says whether both tests held. */
static int run_case_once(const char *file, const olock_json *c, olock_arena *a, counts *n) {
    const olock_json *name = olock_json_get(c, "name"), *steps = olock_json_get(c, "steps"), *s;
    olock_fake *fake = NULL;
    olock_buf body;
    int drift = 1, same = 1, index = 0;
    const char *cname = name && name->kind == OLOCK_JSON_STRING ? name->str : "?";
    n->cases++;
    if (!steps || steps->kind != OLOCK_JSON_ARRAY || olock_fake_create(NULL, &fake) != OLOCK_OK) {
        printf("  %s %s: malformed case (or no memory)\n", file, cname);
        CHECK(!"case well-formed (drift)");
        CHECK(!"case well-formed (fake)");
        return 1;
    }
    g_fake = olock_fake_transport(fake);
    olock_buf_init(&body, NULL);
    for (s = steps->first; s; s = s->next, index++) {
        const olock_json *op = olock_json_get(s, "op"), *req = olock_json_get(s, "request");
        const olock_json *st = olock_json_get(s, "status"), *want = olock_json_get(s, "response");
        const olock_json *live, *fk;
        int want_status, live_status, fake_status;
        if (!op || op->kind != OLOCK_JSON_STRING || !req || !st || !want) { drift = same = 0; break; }
        want_status = (int)strtol(st->str, NULL, 10);
        olock_buf_clear(&body);
        if (!to_json(req, &body)) { drift = same = 0; break; }
        n->steps++;
        if (!exchange(op->str, op->len, body.data, body.len)) { drift = same = 0; break; }
        live_status = g_live_res.status;
        live = as_json(a, g_live_res.body.data, g_live_res.body.len);
        fake_status = g_fake_rc == OLOCK_OK ? g_fake_res.status : -1;
        fk = g_fake_rc == OLOCK_OK ? as_json(a, g_fake_res.body.data, g_fake_res.body.len) : NULL;
        if (live_status == want_status && live && json_match(want, live, 0)) n->steps_drift_ok++;
        else {
            if (drift) mismatch("live != recorded", file, cname, index, op, req, want_status, want, live_status, live,
                                "recorded", "live");
            drift = 0;
        }
        if (live_status == 500) n->fake_500++;
        if (fk && live && fake_status == live_status && json_match(live, fk, 0)) n->steps_fake_ok++;
        else {
            if (same) mismatch("fake != live", file, cname, index, op, req, live_status, live, fake_status, fk, "live",
                               "fake");
            same = 0;
        }
    }
    olock_buf_free(&body);
    g_fake.send = NULL;
    olock_fake_destroy(fake);
    if (drift) n->drift_ok++;
    if (same) n->fake_ok++;
    if (!delete_all_tables()) CHECK(!"tables deleted after the case");
    return drift && same;
}

/* Whether a case changes indexes with UpdateTable: DynamoDB Local builds and drops them in the
   background, usually in 0.7-0.95 s but sometimes at once, so a step recorded while an index
   was CREATING or DELETING may meet it ACTIVE or gone. */
static int timed_case(const olock_json *c) {
    const olock_json *steps = olock_json_get(c, "steps"), *s, *req;
    for (s = steps && steps->kind == OLOCK_JSON_ARRAY ? steps->first : NULL; s; s = s->next)
        if ((req = olock_json_get(s, "request")) && req->kind == OLOCK_JSON_OBJECT &&
            olock_json_get(req, "GlobalSecondaryIndexUpdates"))
            return 1;
    return 0;
}

/* A case, and a timed one up to three times until DynamoDB Local is as quick as it was when the
   case was recorded (only the last attempt counts and shows its mismatches). */
static void run_case(const char *file, const olock_json *c, olock_arena *a, counts *n) {
    int attempts = timed_case(c) ? 3 : 1, k, ok = 0;
    counts one;
    for (k = 0; k < attempts && !ok; k++) {
        memset(&one, 0, sizeof one);
        g_quiet = k + 1 < attempts;
        ok = run_case_once(file, c, a, &one);
    }
    g_quiet = 0;
    n->cases += one.cases; n->drift_ok += one.drift_ok; n->fake_ok += one.fake_ok; n->steps += one.steps;
    n->steps_drift_ok += one.steps_drift_ok; n->steps_fake_ok += one.steps_fake_ok; n->fake_500 += one.fake_500;
    CHECK(one.drift_ok == 1);
    CHECK(one.fake_ok == 1);
}

static void run_file(const char *dir, const char *file, counts *total) {
    char path[512];
    char *text;
    size_t len = 0, pos = 0;
    olock_arena a;
    counts n;
    memset(&n, 0, sizeof n);
    snprintf(path, sizeof path, "%s/%s", dir, file);
    text = olock_test_read_file(path, &len);
    if (!text) {
        printf("  cannot read %s\n", path);
        CHECK(!"corpus file readable");
        return;
    }
    olock_test_current = file;
    olock_arena_init(&a, NULL);
    while (pos < len) {
        size_t end = pos;
        while (end < len && text[end] != '\n') end++;
        if (end > pos) {
            olock_json *c = NULL;
            olock_arena_reset(&a);
            if (olock_json_parse(&a, text + pos, end - pos, NULL, &c, NULL) != OLOCK_OK) {
                printf("  %s: unparsable line at byte %lu\n", file, (unsigned long)pos);
                CHECK(!"corpus line parses");
            } else {
                run_case(file, c, &a, &n);
            }
        }
        pos = end + 1;
    }
    olock_arena_free(&a);
    free(text);
    printf("  %-18s %4d cases (%4d steps): live == recorded %4d cases (%4d steps); fake == live %4d cases (%4d steps)\n",
           file, n.cases, n.steps, n.drift_ok, n.steps_drift_ok, n.fake_ok, n.steps_fake_ok);
    total->cases += n.cases; total->steps += n.steps;
    total->drift_ok += n.drift_ok; total->steps_drift_ok += n.steps_drift_ok;
    total->fake_ok += n.fake_ok; total->steps_fake_ok += n.steps_fake_ok;
    total->fake_500 += n.fake_500;
}

int main(int argc, char **argv) {
    static const char *const files[] = { "tables.jsonl", "items.jsonl", "conditions.jsonl", "updates.jsonl",
                                         "transactions.jsonl", "query.jsonl", "batch.jsonl" };
    const char *url = getenv("OLOCK_IT_DDBLOCAL_URL"), *dir = "tests/conformance";
    counts total;
    struct timespec t0, t1;
    int k, positional = 0;
    for (k = 1; k < argc; k++) {
        if (strcmp(argv[k], "-v") == 0) g_verbose = 1;
        else if (positional++ == 0) url = argv[k];
        else dir = argv[k];
    }
    if (!url || strncmp(url, "http://127.0.0.1:", 17) != 0 || strlen(url) > 100) {
        fprintf(stderr, "usage: %s http://127.0.0.1:PORT [CORPUS_DIR] [-v]  (a DynamoDB Local of our own)\n", argv[0]);
        printf("0 passed, 1 failed\n");
        return 2;
    }
    clock_gettime(CLOCK_MONOTONIC, &t0);
    if (!it_pair_open(url)) {
        printf("0 passed, 1 failed\n");
        return 1;
    }
    g_wildcard = "<ignored>"; /* the recordings' wildcard */

    printf("it_compare: corpus %s against DynamoDB Local at %s and the in-process fake\n", dir, url);
    memset(&total, 0, sizeof total);
    olock_test_current = "setup";
    CHECK(delete_all_tables());
    for (k = 0; k < (int)(sizeof files / sizeof files[0]); k++) run_file(dir, files[k], &total);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    printf("  %-18s %4d cases (%4d steps): live == recorded %4d cases (%4d steps); fake == live %4d cases (%4d steps)\n",
           "total", total.cases, total.steps, total.drift_ok, total.steps_drift_ok, total.fake_ok, total.steps_fake_ok);
    printf("  (%d steps where DynamoDB Local answered 500 InternalFailure, compared like the others)\n", total.fake_500);
    printf("  %d mismatching cases shown%s; %.1f s\n", g_shown, g_verbose || g_shown < 25 ? "" : " (the first 25; -v for all)",
           (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
    it_pair_close();
    return TEST_MAIN_END();
}
