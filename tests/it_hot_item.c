/* it_hot_item.c - a hot item under the default retry policy, against DynamoDB Local (and
   dynalite when it is there too).

   Run by tests/integration.sh without arguments: the servers' URLs come from
   OLOCK_IT_DDBLOCAL_URL (required: without it the test fails rather than pass silently) and
   OLOCK_IT_DYNALITE_URL (optional). 8 threads, each with its own client (olock_config_default()
   plus the endpoint, region and dummy credentials) and curl transport, call olock_update 150
   times each to add 1 to one item's counter. At least 99.9% of the calls must commit (issue
   11: before the time budget and the age-ordered conflict wait, 8.7% ended in
   OLOCK_ERR_TOO_MANY_CONFLICTS), and the stored counter must equal the number of commits
   exactly. OLOCK_IT_HOT_THREADS / OLOCK_IT_HOT_INCREMENTS change the 8 and the 150;
   OLOCK_IT_HOT_CONFLICT_TIME_MS sets retry.conflict_time_ms: a small budget makes calls give
   up, to see the test fail.

   The last line is "N passed, N failed". */
#define _POSIX_C_SOURCE 200809L
#ifndef OLOCK_TEST_LINKED   /* else tests/integration.sh links build/san/libolock_impl.a (tests/impl/) */
#define OLOCK_IMPLEMENTATION
#define OLOCK_CURL_IMPLEMENTATION
#endif
#include "olock.h"
#include "olock_curl.h"
#include "olock_test.h"

#include <curl/curl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define MAX_THREADS 64

static const char *g_url;
static char g_table[64];
static int g_increments = 150;
static unsigned g_conflict_time_ms;  /* the clients' retry.conflict_time_ms (0: the default) */

static double now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static olock_client *new_client(void) {
    olock_config cfg;
    if (olock_test_local_config(g_url, &cfg, NULL) != OLOCK_OK) return NULL;
    cfg.retry.conflict_time_ms = g_conflict_time_ms;
    return olock_test_client(&cfg);
}

static olock_value *key_of(olock_arena *a) {
    olock_value *k = olock_value_new_container(a, OLOCK_TYPE_M);
    if (k) olock_map_put(a, k, "id", 2, olock_value_new_s(a, "hot", 3));
    return k;
}

static olock_mutation add_one(void *user, olock_item *it, int exists) {
    int64_t n = 0;
    (void)user;
    if (exists && olock_item_get(it, "counter")) olock_item_get_i64(it, "counter", &n);
    return olock_item_set_i64(it, "counter", n + 1) == OLOCK_OK ? OLOCK_MUTATE_WRITE : OLOCK_MUTATE_ABORT;
}

typedef struct worker {
    olock_client *c;
    double *latency_ms;            /* one per call */
    unsigned long commits, gave_up, errors, requests, conflicts;
    char last_error[400];
} worker;

static void *worker_main(void *arg) {
    worker *w = (worker *)arg;
    olock_arena a;
    const olock_value *key;
    int i;
    olock_arena_init(&a, NULL);
    key = key_of(&a);
    for (i = 0; i < g_increments; i++) {
        olock_write_result res;
        olock_error err;
        olock_result rc;
        double t0 = now_ms();
        memset(&res, 0, sizeof res);
        rc = olock_update(w->c, g_table, key, add_one, NULL, &res, &err);
        w->latency_ms[i] = now_ms() - t0;
        w->requests += res.requests;
        w->conflicts += res.conflicts;
        if (rc == OLOCK_OK) w->commits++;
        else {
            if (rc == OLOCK_ERR_TOO_MANY_CONFLICTS) w->gave_up++; else w->errors++;
            snprintf(w->last_error, sizeof w->last_error, "%s: %s", olock_result_str(rc), err.message);
        }
    }
    olock_arena_free(&a);
    return NULL;
}

static int cmp_double(const void *x, const void *y) {
    double a = *(const double *)x, b = *(const double *)y;
    return a < b ? -1 : a > b;
}

static int64_t read_counter(olock_client *c) {
    olock_arena a;
    olock_item_request r;
    olock_response res;
    int64_t n = -1;
    olock_arena_init(&a, NULL);
    memset(&r, 0, sizeof r);
    r.table = g_table;
    r.key = key_of(&a);
    r.consistent_read = 1;
    if (olock_get_item(c, &r, &res, NULL) == OLOCK_OK) n = res.item ? 0 : -2;
    if (res.item) olock_value_get_i64(olock_map_get(res.item, "counter", 7), &n);
    olock_arena_free(&a);
    return n;
}

static void hot_item(const char *name, const char *url, int threads) {
    olock_client *admin;
    olock_create_table_request ct;
    worker w[MAX_THREADS];
    pthread_t th[MAX_THREADS];
    double *lat;
    unsigned long calls = (unsigned long)threads * (unsigned long)g_increments, commits = 0, gave_up = 0, errors = 0;
    unsigned long requests = 0, conflicts = 0;
    double t0, elapsed;
    char knob[48] = "";
    int64_t final;
    int i;
    olock_result rc;
    g_url = url;
    olock_test_current = name;
    snprintf(g_table, sizeof g_table, "it_hot_%ld_%ld", (long)getpid(), (long)time(NULL));
    admin = new_client();
    CHECK(admin != NULL);
    if (!admin) return;
    memset(&ct, 0, sizeof ct);
    ct.table = g_table; ct.hash_key = "id"; ct.hash_type = OLOCK_TYPE_S;
    rc = olock_create_table(admin, &ct, NULL, NULL);
    CHECK(rc == OLOCK_OK);
    lat = (double *)calloc(calls, sizeof *lat);
    CHECK(lat != NULL);
    if (rc != OLOCK_OK || !lat) { olock_client_destroy(admin); free(lat); return; }
    memset(w, 0, sizeof w);
    for (i = 0; i < threads; i++) {
        w[i].c = new_client();
        w[i].latency_ms = lat + (size_t)i * (size_t)g_increments;
        CHECK(w[i].c != NULL);
        if (!w[i].c) return;
    }
    t0 = now_ms();
    for (i = 0; i < threads; i++) pthread_create(&th[i], NULL, worker_main, &w[i]);
    for (i = 0; i < threads; i++) {
        pthread_join(th[i], NULL);
        commits += w[i].commits; gave_up += w[i].gave_up; errors += w[i].errors;
        requests += w[i].requests; conflicts += w[i].conflicts;
        if (w[i].last_error[0]) fprintf(stderr, "  %s: thread %d: %s\n", name, i, w[i].last_error);
        olock_client_destroy(w[i].c);
    }
    elapsed = now_ms() - t0;
    final = read_counter(admin);
    qsort(lat, calls, sizeof *lat, cmp_double);
    if (g_conflict_time_ms) snprintf(knob, sizeof knob, " but conflict_time_ms %u", g_conflict_time_ms);
    printf("%s: %d threads x %d olock_update with the defaults%s: %lu of %lu committed (%.2f%%), %lu gave up, %lu other errors;\n"
           "  %.2f requests and %.2f conflicts per call; latency p50 %.1f ms, p99 %.1f ms, longest %.1f ms; %.2f s in all\n",
           name, threads, g_increments, knob, commits, calls, 100.0 * (double)commits / (double)calls, gave_up, errors,
           (double)requests / (double)calls, (double)conflicts / (double)calls, lat[calls / 2], lat[calls * 99 / 100],
           lat[calls - 1], elapsed / 1000);
    CHECK(commits * 1000 >= calls * 999);             /* at least 99.9% of the calls commit */
    CHECK_EQ_INT(errors, 0);
    CHECK_EQ_INT(final, (int64_t)commits);            /* no lost and no doubled increment */
    olock_delete_table(admin, g_table, NULL, NULL);
    olock_client_destroy(admin);
    free(lat);
}

static int env_int(const char *name, int def, int lo, int hi) {
    const char *v = getenv(name);
    int n = v && *v ? atoi(v) : def;
    return n < lo ? lo : n > hi ? hi : n;
}

int main(void) {
    const char *ddb = getenv("OLOCK_IT_DDBLOCAL_URL"), *dyn = getenv("OLOCK_IT_DYNALITE_URL");
    int threads = env_int("OLOCK_IT_HOT_THREADS", 8, 1, MAX_THREADS);
    g_increments = env_int("OLOCK_IT_HOT_INCREMENTS", 150, 1, 100000);
    g_conflict_time_ms = (unsigned)env_int("OLOCK_IT_HOT_CONFLICT_TIME_MS", 0, 0, 600000);
    curl_global_init(CURL_GLOBAL_DEFAULT);
    if (ddb && *ddb) hot_item("ddblocal", ddb, threads);
    else {
        olock_test_current = "ddblocal";
        fprintf(stderr, "OLOCK_IT_DDBLOCAL_URL is not set (tests/integration.sh sets it)\n");
        CHECK(ddb && *ddb);
    }
    if (dyn && *dyn) hot_item("dynalite", dyn, threads);
    curl_global_cleanup();
    return TEST_MAIN_END();
}
