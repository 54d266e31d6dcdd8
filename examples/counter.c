/* counter.c - T threads each increment one shared counter item N times with olock_update.

   usage: counter [--threads T] [--increments N] [--endpoint URL] [--table NAME]
                  [--faults throttle=P,error500=P,lost_response=P,conflict=P] [--seed S]
                  [--admin-endpoint URL] [--timeout-ms MS] [--outcomes]

   Without --endpoint it runs on the in-process fake, where --faults injects failures (each a
   percentage of requests, drawn from --seed): throttling, HTTP 500, responses lost after the
   write was applied, and competing writes just before a conditional write. With --endpoint
   it talks to DynamoDB Local or DynamoDB through the curl backend (AWS_* variables apply).
   The table is created if it is missing (key: id, a string).
   --admin-endpoint sends the table creation and the reads of the counter before and after the
   run there instead (e.g. straight to the server while --endpoint is a fault-injecting proxy);
   --timeout-ms sets the curl transport's timeout_ms (default 10000).

   The last line of output is one JSON object:
     {"final":F,"expected":E,"requests":R,"conflicts":C,"retries":X,"ambiguous":A}
   and the exit status is 0 only if F equals E (no lost and no doubled increment). A failed
   increment is reported on stderr and not retried. With --outcomes the object has more
   members after those: "ok" (increments that returned OLOCK_OK), "maybe_sent" (that returned
   OLOCK_ERR_MAYBE_SENT), "other" (any other result) and "errors", an object of the failed
   ones by result name, e.g. {...,"ok":396,"maybe_sent":3,"other":1,"errors":{"OLOCK_ERR_MAYBE_SENT":3,
   "OLOCK_ERR_RESPONSE":1}}. The run was exact when ok <= F - (E - T*N) <= ok + maybe_sent (each
   OK increment applied once, each MAYBE_SENT one at most once, any other failure not at all). */
#define OLOCK_IMPLEMENTATION
#define OLOCK_FAKE_IMPLEMENTATION
#include "olock.h"
#include "olock_fake.h"
#ifdef OLOCK_EXAMPLE_CURL
#  define OLOCK_CURL_IMPLEMENTATION
#  include "olock_curl.h"
#endif
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct options {
    int threads, increments;
    const char *endpoint, *admin_endpoint, *table;
    unsigned percent[OLOCK_FAKE_FAULT_COUNT_];
    uint64_t seed;
    unsigned timeout_ms;
    int outcomes;
} options;

static options g_opt;
static olock_fake *g_fake;

typedef struct worker {
    olock_client *client;
    int failed;
    unsigned long requests, conflicts, retries, ambiguous;
    unsigned long by_result[OLOCK_RESULT_COUNT_];   /* increments by what olock_update returned */
} worker;

/* ---- the change: counter = counter + 1 --------------------------------------------------------- */

static olock_mutation increment(void *user, olock_item *item, int exists) {
    int64_t n = 0;
    (void)user;
    if (exists && olock_item_get(item, "counter")) olock_item_get_i64(item, "counter", &n);
    return olock_item_set_i64(item, "counter", n + 1) == OLOCK_OK ? OLOCK_MUTATE_WRITE : OLOCK_MUTATE_ABORT;
}

static void *run_worker(void *arg) {
    worker *w = (worker *)arg;
    olock_arena a;
    olock_value *key;
    int i;
    olock_arena_init(&a, NULL);
    key = olock_value_new_container(&a, OLOCK_TYPE_M);
    olock_map_put(&a, key, "id", 2, olock_value_new_s(&a, "counter", 7));
    for (i = 0; i < g_opt.increments; i++) {
        olock_write_result res;
        olock_error err;
        olock_result rc = olock_update(w->client, g_opt.table, key, increment, NULL, &res, &err);
        w->requests += res.requests;
        w->conflicts += res.conflicts;
        w->retries += res.retries;
        w->ambiguous += res.ambiguous;
        if ((unsigned)rc < OLOCK_RESULT_COUNT_) w->by_result[rc]++;
        if (rc != OLOCK_OK) {
            fprintf(stderr, "increment failed: %s: %s\n", olock_result_str(rc), err.message);
            w->failed++;
        }
    }
    olock_arena_free(&a);
    return NULL;
}

/* ---- set-up -------------------------------------------------------------------------------------- */

static olock_client *make_client(const char *endpoint) {
    olock_config cfg = olock_config_default();
    olock_client *c = NULL;
    olock_error err;
    if (endpoint) {
#ifdef OLOCK_EXAMPLE_CURL
        olock_curl *t = NULL;
        olock_curl_config cc = olock_curl_config_default();
        if (g_opt.timeout_ms) cc.timeout_ms = g_opt.timeout_ms;
        if (olock_curl_create(&cc, &t) != OLOCK_OK) return NULL;
        cfg.transport = olock_curl_transport(t);
        cfg.endpoint = endpoint;
        if (!getenv("AWS_REGION") && !getenv("AWS_DEFAULT_REGION")) cfg.region = "us-east-1";
        if (!getenv("AWS_ACCESS_KEY_ID")) {                 /* DynamoDB Local takes any key */
            cfg.credentials.access_key_id = "AKIDLOCAL";
            cfg.credentials.secret_access_key = "local";
        }
#else
        fprintf(stderr, "built without libcurl: --endpoint is not available\n");
        return NULL;
#endif
    } else {
        cfg.transport = olock_fake_transport(g_fake);
        cfg.ignore_environment = 1;
        /* Faults make retries frequent; keep the demo fast with short backoffs. */
        cfg.retry.base_ms = 1;
        cfg.retry.throttle_base_ms = 2;
        cfg.retry.cap_ms = 20;
    }
    cfg.retry.conflict_attempts = 1000;                    /* every thread hammers one item */
    cfg.retry.transient_attempts = 50;
    cfg.retry.quota_capacity = 100000;
    if (olock_client_create(&cfg, &c, &err) != OLOCK_OK) {
        fprintf(stderr, "client: %s\n", err.message);
        return NULL;
    }
    return c;
}

static int parse_faults(const char *spec) {
    static const struct { const char *name; olock_fake_fault fault; } names[] = {
        { "throttle", OLOCK_FAKE_FAULT_THROTTLE }, { "error500", OLOCK_FAKE_FAULT_500 },
        { "lost_response", OLOCK_FAKE_FAULT_LOST_RESPONSE }, { "conflict", OLOCK_FAKE_FAULT_CONFLICT },
    };
    while (*spec) {
        size_t i, n = strcspn(spec, "=");
        char *end;
        unsigned long p;
        for (i = 0; i < sizeof names / sizeof names[0]; i++)
            if (strlen(names[i].name) == n && strncmp(spec, names[i].name, n) == 0) break;
        if (i == sizeof names / sizeof names[0] || spec[n] != '=') return 0;
        p = strtoul(spec + n + 1, &end, 10);
        if (end == spec + n + 1 || p > 100 || (*end && *end != ',')) return 0;
        g_opt.percent[names[i].fault] = (unsigned)p;
        spec = *end ? end + 1 : end;
    }
    return 1;
}

/* The plain calls (olock_create_table, olock_get) make one attempt; a server with injected
   faults (olock-fakeserver --faults) can throttle them, so they are retried here. */
static int transient(olock_result rc) {
    return rc == OLOCK_ERR_THROTTLED || rc == OLOCK_ERR_TRANSIENT || rc == OLOCK_ERR_NOT_SENT ||
           rc == OLOCK_ERR_MAYBE_SENT || rc == OLOCK_ERR_CRC32;
}

/* Leaves *out as it is when there is no counter item yet. */
static olock_result read_counter(olock_client *c, const olock_value *key, int64_t *out) {
    olock_item *counter = NULL;
    olock_result rc;
    int tries = 0;
    do rc = olock_get(c, g_opt.table, key, 1, &counter, NULL); while (transient(rc) && ++tries < 50);
    if (rc == OLOCK_OK) olock_item_get_i64(counter, "counter", out);
    olock_item_destroy(counter);
    return rc;
}

static int usage(const char *argv0) {
    fprintf(stderr, "usage: %s [--threads T] [--increments N] [--endpoint URL] [--table NAME]\n"
                    "       [--faults throttle=P,error500=P,lost_response=P,conflict=P] [--seed S]\n"
                    "       [--admin-endpoint URL] [--timeout-ms MS] [--outcomes]\n", argv0);
    return 2;
}

static const char *result_name(olock_result r) {
    static const char *const names[OLOCK_RESULT_COUNT_] = {
        "OLOCK_OK", "OLOCK_ERR_NOMEM", "OLOCK_ERR_INVALID_ARG", "OLOCK_ERR_PARSE", "OLOCK_ERR_LIMIT",
        "OLOCK_ERR_TYPE", "OLOCK_ERR_RANGE", "OLOCK_ERR_INEXACT", "OLOCK_ERR_NOT_FOUND", "OLOCK_CONFLICT",
        "OLOCK_ERR_THROTTLED", "OLOCK_ERR_TRANSIENT", "OLOCK_ERR_SERVICE", "OLOCK_ERR_NOT_SENT",
        "OLOCK_ERR_MAYBE_SENT", "OLOCK_ERR_CRC32", "OLOCK_ERR_RESPONSE", "OLOCK_ERR_EXPRESSION",
        "OLOCK_ERR_ABORTED", "OLOCK_ERR_CREDENTIALS", "OLOCK_ERR_CONFIG", "OLOCK_ERR_DEADLINE",
        "OLOCK_ERR_UNSUPPORTED", "OLOCK_ERR_TOO_MANY_CONFLICTS",
    };
    return (unsigned)r < OLOCK_RESULT_COUNT_ && names[r] ? names[r] : "?";
}

int main(int argc, char **argv) {
    olock_client *admin;
    olock_create_table_request ct = olock_create_table_request_default();
    olock_arena a;
    olock_value *key;
    worker *w;
    pthread_t *th;
    int i, j, failed = 0;
    int64_t final = 0;
    unsigned long requests = 0, conflicts = 0, retries = 0, ambiguous = 0;
    unsigned long by_result[OLOCK_RESULT_COUNT_] = { 0 };
    long long expected;
    g_opt.threads = 4; g_opt.increments = 100; g_opt.table = "olock_counter"; g_opt.seed = 1;
    for (i = 1; i < argc; i++) {
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(argv[i], "--outcomes") == 0) { g_opt.outcomes = 1; continue; }
        if (!v) return usage(argv[0]);
        if (strcmp(argv[i], "--threads") == 0) g_opt.threads = atoi(v);
        else if (strcmp(argv[i], "--increments") == 0) g_opt.increments = atoi(v);
        else if (strcmp(argv[i], "--endpoint") == 0) g_opt.endpoint = v;
        else if (strcmp(argv[i], "--admin-endpoint") == 0) g_opt.admin_endpoint = v;
        else if (strcmp(argv[i], "--timeout-ms") == 0) g_opt.timeout_ms = (unsigned)strtoul(v, NULL, 10);
        else if (strcmp(argv[i], "--table") == 0) g_opt.table = v;
        else if (strcmp(argv[i], "--seed") == 0) g_opt.seed = strtoull(v, NULL, 10);
        else if (strcmp(argv[i], "--faults") == 0) { if (!parse_faults(v)) return usage(argv[0]); }
        else return usage(argv[0]);
        i++;
    }
    if (g_opt.threads < 1 || g_opt.threads > 256 || g_opt.increments < 0) return usage(argv[0]);
    if (!g_opt.endpoint) {
        if (olock_fake_create(NULL, &g_fake) != OLOCK_OK) return 1;
    }
    admin = make_client(g_opt.admin_endpoint ? g_opt.admin_endpoint : g_opt.endpoint);
    if (!admin) return 1;
    ct.table = g_opt.table; ct.hash_key = "id"; ct.hash_type = OLOCK_TYPE_S;
    {
        olock_result rc;
        int tries = 0;
        do rc = olock_create_table(admin, &ct, NULL, NULL);   /* ResourceInUse if it exists: fine */
        while (transient(rc) && ++tries < 50);
    }
    olock_arena_init(&a, NULL);
    key = olock_value_new_container(&a, OLOCK_TYPE_M);
    olock_map_put(&a, key, "id", 2, olock_value_new_s(&a, "counter", 7));
    /* An existing counter (a table reused across runs) is the starting point. */
    read_counter(admin, key, &final);
    expected = (long long)final + (long long)g_opt.threads * g_opt.increments;
    if (g_fake) olock_fake_set_random_faults(g_fake, g_opt.seed, g_opt.percent);

    w = (worker *)calloc((size_t)g_opt.threads, sizeof *w);
    th = (pthread_t *)calloc((size_t)g_opt.threads, sizeof *th);
    if (!w || !th) return 1;
    for (i = 0; i < g_opt.threads; i++) {
        w[i].client = make_client(g_opt.endpoint);
        if (!w[i].client) return 1;
        pthread_create(&th[i], NULL, run_worker, &w[i]);
    }
    for (i = 0; i < g_opt.threads; i++) {
        pthread_join(th[i], NULL);
        failed += w[i].failed;
        requests += w[i].requests; conflicts += w[i].conflicts;
        retries += w[i].retries; ambiguous += w[i].ambiguous;
        for (j = 0; j < OLOCK_RESULT_COUNT_; j++) by_result[j] += w[i].by_result[j];
        olock_client_destroy(w[i].client);
    }
    if (g_fake) olock_fake_set_random_faults(g_fake, 0, NULL);  /* read the result without faults */
    final = -1;
    read_counter(admin, key, &final);
    if (failed) fprintf(stderr, "%d increments failed\n", failed);
    printf("{\"final\":%lld,\"expected\":%lld,\"requests\":%lu,\"conflicts\":%lu,\"retries\":%lu,\"ambiguous\":%lu",
           (long long)final, expected, requests, conflicts, retries, ambiguous);
    if (g_opt.outcomes) {
        const char *sep = "";
        printf(",\"ok\":%lu,\"maybe_sent\":%lu,\"other\":%lu,\"errors\":{", by_result[OLOCK_OK],
               by_result[OLOCK_ERR_MAYBE_SENT], (unsigned long)failed - by_result[OLOCK_ERR_MAYBE_SENT]);
        for (j = 1; j < OLOCK_RESULT_COUNT_; j++) {
            if (!by_result[j]) continue;
            printf("%s\"%s\":%lu", sep, result_name((olock_result)j), by_result[j]);
            sep = ",";
        }
        printf("}");
    }
    printf("}\n");
    olock_client_destroy(admin);
    olock_fake_destroy(g_fake);
    olock_arena_free(&a);
    free(w);
    free(th);
    return (long long)final == expected ? 0 : 1;
}
