/* it_hot_item.c - a hot item under the default retry policy, against DynamoDB Local (and
   dynalite when it is there too).

   Run by tests/integration.sh without arguments: the servers' URLs come from
   OLOCK_IT_DDBLOCAL_URL (required: without it the test fails rather than pass silently) and
   OLOCK_IT_DYNALITE_URL (optional). 8 threads, each with its own client (olock_config_default()
   plus the endpoint, region and dummy credentials) and curl transport, call olock_update 150
   times each to add 1 to one item's counter. Checked: no error other than
   OLOCK_ERR_TOO_MANY_CONFLICTS, and the stored counter equals the number of commits exactly.

   Livelock: at least 99.9% of the calls must commit (issue 11: before the time budget and the
   age-ordered conflict wait, 8.7% ended in OLOCK_ERR_TOO_MANY_CONFLICTS), not counting calls
   that gave up behind a server stall. Each worker's curl transport is wrapped in one that
   times every exchange; a call that gave up with one exchange of its own longer than half the
   conflict-time budget (retry.conflict_time_ms of olock_config_default(): 2000 ms, so over
   1000 ms) gave up behind a stall. Half, because a call gives up only once it has been writing
   for the whole budget: when a single exchange took more than half of it, the server used up
   most of the budget and the contention less than half. Healthy exchanges take a few ms (the
   slowest seen, on a cold JVM, about 200 ms). The stall that once failed this test: one
   DynamoDB Local request took 3.1 s and 2 of 1,200 calls gave up; pausing DynamoDB Local for
   3.1 s mid-run gives such give-ups, each with a 3.1 s exchange of its own. A thread has one
   call in flight, so one stall excuses at most one call per thread and a livelock still fails
   the 99.9%; and at most 1% of the calls may give up behind a stall, so a server that keeps
   stalling fails too. A give-up with no long exchange of its own counts as livelock, even
   right after a stall. Every give-up is printed (the first 5 of each thread) with its time,
   requests, longest exchange and the library's message; the summary says how many gave up
   behind a stall and how long the longest exchange took.

   OLOCK_IT_HOT_THREADS / OLOCK_IT_HOT_INCREMENTS change the 8 and the 150;
   OLOCK_IT_HOT_CONFLICT_TIME_MS sets retry.conflict_time_ms and with it the stall threshold
   (half of it). A small budget makes calls give up, to see the test fail: with 20 or 50 the
   give-ups count as livelock (most exchanges take a few ms); with 1, nearly every exchange is
   a "stall" and the 1% bound fails instead.

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
static double g_stall_ms;            /* an exchange longer than this is a server stall */

static double now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* A worker's transport: its curl transport, timed. One thread uses it, so no lock. */
typedef struct timed {
    olock_transport inner;
    double longest_ms;             /* the longest exchange since the worker last zeroed it */
} timed;

static olock_result timed_send(void *user, const olock_http_request *req, olock_http_response *res) {
    timed *t = (timed *)user;
    double t0 = now_ms(), ms;
    olock_result rc = t->inner.send(t->inner.user, req, res);
    ms = now_ms() - t0;
    if (ms > t->longest_ms) t->longest_ms = ms;
    return rc;
}

static void timed_destroy(void *user) {
    timed *t = (timed *)user;
    if (t->inner.destroy) t->inner.destroy(t->inner.user);
}

static const char *timed_last_error(void *user) {
    timed *t = (timed *)user;
    return t->inner.last_error ? t->inner.last_error(t->inner.user) : NULL;
}

/* A client of g_url; with `t`, its transport goes through t (which must outlive the client). */
static olock_client *new_client(timed *t) {
    olock_config cfg;
    if (olock_test_local_config(g_url, &cfg, NULL) != OLOCK_OK) return NULL;
    cfg.retry.conflict_time_ms = g_conflict_time_ms;
    if (t) {
        t->inner = cfg.transport;
        t->longest_ms = 0;
        cfg.transport.user = t;
        cfg.transport.send = timed_send;
        cfg.transport.destroy = timed_destroy;
        cfg.transport.last_error = timed_last_error;
    }
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
    int id;
    olock_client *c;
    timed tr;
    double *latency_ms;            /* one per call */
    double longest_ms;             /* the longest exchange of all its calls */
    unsigned long commits, gave_up, stalled, errors, requests, conflicts;
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
        w->tr.longest_ms = 0;
        rc = olock_update(w->c, g_table, key, add_one, NULL, &res, &err);
        w->latency_ms[i] = now_ms() - t0;
        w->requests += res.requests;
        w->conflicts += res.conflicts;
        if (w->tr.longest_ms > w->longest_ms) w->longest_ms = w->tr.longest_ms;
        if (rc == OLOCK_OK) w->commits++;
        else {
            if (rc == OLOCK_ERR_TOO_MANY_CONFLICTS) {
                int stalled = w->tr.longest_ms > g_stall_ms;
                w->gave_up++;
                w->stalled += (unsigned long)stalled;
                if (w->gave_up <= 5)
                    fprintf(stderr, "  thread %d call %d gave up %s: %.1f ms, %u requests, longest exchange %.1f ms "
                           "(a stall: over %.0f ms)\n    %s\n",
                           w->id, i, stalled ? "behind a server stall" : "(counts as livelock)", w->latency_ms[i],
                           res.requests, w->tr.longest_ms, g_stall_ms, err.message);
            } else w->errors++;
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
    unsigned long requests = 0, conflicts = 0, stalled = 0;
    double t0, elapsed, longest = 0;
    char knob[48] = "";
    int64_t final;
    int i;
    olock_result rc;
    g_url = url;
    olock_test_current = name;
    snprintf(g_table, sizeof g_table, "it_hot_%ld_%ld", (long)getpid(), (long)time(NULL));
    admin = new_client(NULL);
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
        w[i].id = i;
        w[i].c = new_client(&w[i].tr);
        w[i].latency_ms = lat + (size_t)i * (size_t)g_increments;
        CHECK(w[i].c != NULL);
        if (!w[i].c) return;
    }
    t0 = now_ms();
    for (i = 0; i < threads; i++) pthread_create(&th[i], NULL, worker_main, &w[i]);
    for (i = 0; i < threads; i++) {
        pthread_join(th[i], NULL);
        commits += w[i].commits; gave_up += w[i].gave_up; stalled += w[i].stalled; errors += w[i].errors;
        requests += w[i].requests; conflicts += w[i].conflicts;
        if (w[i].longest_ms > longest) longest = w[i].longest_ms;
        if (w[i].last_error[0]) fprintf(stderr, "  %s: thread %d: %s\n", name, i, w[i].last_error);
        olock_client_destroy(w[i].c);
    }
    elapsed = now_ms() - t0;
    final = read_counter(admin);
    qsort(lat, calls, sizeof *lat, cmp_double);
    if (g_conflict_time_ms) snprintf(knob, sizeof knob, " but conflict_time_ms %u", g_conflict_time_ms);
    printf("%s: %d threads x %d olock_update with the defaults%s: %lu of %lu committed (%.2f%%), %lu gave up (%lu behind "
           "a server stall), %lu other errors;\n"
           "  %.2f requests and %.2f conflicts per call; latency p50 %.1f ms, p99 %.1f ms, longest %.1f ms; longest "
           "exchange %.1f ms; %.2f s in all\n",
           name, threads, g_increments, knob, commits, calls,
           100.0 * (double)commits / (double)calls, gave_up, stalled, errors, (double)requests / (double)calls,
           (double)conflicts / (double)calls, lat[calls / 2], lat[calls * 99 / 100], lat[calls - 1], longest,
           elapsed / 1000);
    /* At least 99.9% of the calls commit or gave up behind a server stall: no livelock. */
    CHECK((commits + stalled) * 1000 >= calls * 999);
    CHECK(stalled * 100 <= calls);                    /* and stalls that cost a call are rare */
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
    /* Half the conflict-time budget: see the comment at the top. */
    g_stall_ms = (g_conflict_time_ms ? g_conflict_time_ms : olock_config_default().retry.conflict_time_ms) / 2.0;
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
