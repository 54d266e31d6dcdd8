/* bench_hot.c - a hot item: k writers incrementing one item, side by side in one run:
   - the seed's algorithm: GetItem (consistent), then UpdateItem counter = read + 1 under
     version = read, again from the GetItem on a conflict, up to 10 writes (the same count as
     the previous engine's default budget, so that the commit rates compare);
   - olock_update with the defaults of the engine before the hot-item work (the olock.h of an
     earlier commit, built into the same program with OLOCK_STATIC: see run.sh), when built;
   - olock_update with the defaults of the working tree's olock.h.
   Each writer does `updates` increments back to back, each its own call; every call's outcome,
   requests and latency are recorded, and the stored counter is checked against the commits.

     bench_hot [--endpoint URL] [--runs N] [--sim-runs N] [--writers 2,4,8,16] [--updates N]

   Where: the in-process fake in virtual time (one thread; every request reaches the fake
   after a one-way latency and answers after another; two networks: a round trip of about
   1 ms, and of about 6 ms, an in-region DynamoDB), and, with --endpoint, a real server
   (DynamoDB Local) on loopback with one thread, one client and one connection per writer.
   What: the share of calls that commit, requests per committed update, latency per call
   (p50, p99, longest) and updates committed per second. The fake runs are deterministic
   (--sim-runs seeds, pooled); the server runs (--runs, interleaved: run r of every case
   before run r+1 of any) are noisy on a shared machine, so their table shows the median run
   and the best one, and ratios are medians over runs of ratios within a run.
   Output: Markdown, ending with target lines. Exit status 1 when something failed. */
#include "bench_hot.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MAX_K 8
#define MAX_RUNS 32
#define SEED_ATTEMPTS 10

enum { A_SEED, A_BASE, A_NEW, A_COUNT };
static const char *const g_algo_names[A_COUNT] = {
    "seed: GetItem + conditional UpdateItem, 10 writes",
    "olock_update, previous defaults",
    "olock_update, new defaults",
};

typedef struct run_result {
    double commit_pct, requests_per_update, p50_ms, p99_ms, max_ms, updates_per_s;
    unsigned long calls, commits, gave_up;
} run_result;

typedef struct cell {
    int have;
    int n;
    run_result r[MAX_RUNS];
    char last_error[400];
} cell;

typedef struct scenario {
    const char *title;             /* section heading */
    int server;                    /* 0: the fake in virtual time; 1: --endpoint */
    double one_way_us, tail_us;
    int runs;
    cell cells[MAX_K][A_COUNT];
} scenario;

static int g_ks[MAX_K], g_nk;
static int g_updates = 150;
static const char *g_url;
static int g_failed;

static int cmp_double(const void *x, const void *y) {
    double a = *(const double *)x, b = *(const double *)y;
    return a < b ? -1 : a > b;
}

static double median(double *v, int n) {
    qsort(v, (size_t)n, sizeof *v, cmp_double);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static const hot_variant *variant_of(int algo) {
#ifdef BENCH_HOT_HAVE_BASE
    if (algo == A_BASE) return &bench_hot_base;
#endif
    return algo == A_BASE ? NULL : &bench_hot_new;
}

/* One run of one case; 0 on success. */
static int run_once(scenario *sc, int ki, int algo, int run, double *lat) {
    const hot_variant *v = variant_of(algo);
    cell *c = &sc->cells[ki][algo];
    hot_params p;
    hot_stats st;
    run_result *r;
    char item[64];
    int rc;
    if (!v) return 0;
    memset(&p, 0, sizeof p);
    memset(&st, 0, sizeof st);
    p.algo = algo == A_SEED ? HOT_SEED : HOT_OLOCK;
    p.writers = g_ks[ki];
    p.updates = g_updates;
    p.seed_attempts = SEED_ATTEMPTS;
    p.seed = (uint64_t)run + 1;
    p.one_way_us = sc->one_way_us;
    p.tail_us = sc->tail_us;
    p.url = g_url;
    p.table = "olock_bench_hot";
    snprintf(item, sizeof item, "hot#%d#%d#%d#%ld", ki, algo, run, (long)time(NULL));
    p.item_id = item;
    st.latency_us = lat;
    rc = sc->server ? v->run_server(&p, &st) : v->run_sim(&p, &st);
    if (rc != 0 || st.calls != (unsigned long)(p.writers * p.updates)) {
        fprintf(stderr, "bench_hot: %s, k=%d, %s: the run failed\n", sc->title, p.writers, g_algo_names[algo]);
        g_failed = 1;
        return 1;
    }
    if (st.counter_delta != (long long)st.commits) {
        fprintf(stderr, "bench_hot: %s, k=%d, %s: the counter moved by %lld for %lu commits (lost or doubled updates)\n",
                sc->title, p.writers, g_algo_names[algo], st.counter_delta, st.commits);
        g_failed = 1;
        return 1;
    }
    if (st.errors) {
        fprintf(stderr, "bench_hot: %s, k=%d, %s: %lu calls failed: %s\n", sc->title, p.writers, g_algo_names[algo], st.errors,
                st.last_error);
        g_failed = 1;
    }
    qsort(lat, st.calls, sizeof *lat, cmp_double);
    r = &c->r[c->n++];
    c->have = 1;
    r->calls = st.calls;
    r->commits = st.commits;
    r->gave_up = st.gave_up;
    r->commit_pct = 100.0 * (double)st.commits / (double)st.calls;
    r->requests_per_update = st.commits ? (double)st.requests / (double)st.commits : 0;
    r->p50_ms = lat[st.calls / 2] / 1000;
    r->p99_ms = lat[st.calls * 99 / 100] / 1000;
    r->max_ms = lat[st.calls - 1] / 1000;
    r->updates_per_s = st.elapsed_us > 0 ? (double)st.commits / (st.elapsed_us / 1e6) : 0;
    if (st.last_error[0]) memcpy(c->last_error, st.last_error, sizeof c->last_error);
    return 0;
}

static void run_scenario(scenario *sc) {
    double *lat = (double *)malloc(sizeof(double) * (size_t)g_updates * 64);
    int run, ki, a;
    if (!lat) exit(1);
    for (run = 0; run < sc->runs; run++)
        for (ki = 0; ki < g_nk; ki++)
            for (a = 0; a < A_COUNT; a++) {
                int algo = (a + run + ki) % A_COUNT;   /* rotate the order from run to run */
                run_once(sc, ki, algo, run, lat);
            }
    free(lat);
}

/* Median over runs of a field, and its best (lowest, or highest when `high`). */
#define FIELD(c, f, out_med, out_best, high) do { \
    double v_[MAX_RUNS]; int i_; \
    for (i_ = 0; i_ < (c)->n; i_++) v_[i_] = (c)->r[i_].f; \
    out_med = median(v_, (c)->n); \
    out_best = (high) ? v_[(c)->n - 1] : v_[0]; \
} while (0)

/* Median over runs of new / other for a field. */
static double paired_ratio(const cell *num, const cell *den, size_t offset) {
    double v[MAX_RUNS];
    int i, n = num->n < den->n ? num->n : den->n;
    for (i = 0; i < n; i++) {
        double a = *(const double *)((const char *)&num->r[i] + offset), b = *(const double *)((const char *)&den->r[i] + offset);
        v[i] = b > 0 ? a / b : 0;
    }
    return n ? median(v, n) : 0;
}

static void pooled(const cell *c, unsigned long *calls, unsigned long *commits, unsigned long *gave_up) {
    int i;
    *calls = *commits = *gave_up = 0;
    for (i = 0; i < c->n; i++) { *calls += c->r[i].calls; *commits += c->r[i].commits; *gave_up += c->r[i].gave_up; }
}

static void print_scenario(scenario *sc) {
    int ki, a;
    printf("\n### %s\n\n", sc->title);
    if (sc->server)
        printf("%d runs of each case, interleaved; each cell: the median run, the best run in brackets (commits: all runs pooled).\n\n", sc->runs);
    else
        printf("%d seeds of each case; each cell: the median over seeds, the best in brackets (commits: all seeds pooled).\n\n", sc->runs);
    printf("| k | algorithm | commits | requests/update | p50 ms | p99 ms | longest ms | updates/s |\n");
    printf("| --- | --- | --- | --- | --- | --- | --- | --- |\n");
    for (ki = 0; ki < g_nk; ki++) {
        for (a = 0; a < A_COUNT; a++) {
            cell *c = &sc->cells[ki][a];
            unsigned long calls, commits, gave_up;
            double rq, rqb, p50, p50b, p99, p99b, mx, mxb, ups, upsb;
            if (!c->have) continue;
            pooled(c, &calls, &commits, &gave_up);
            FIELD(c, requests_per_update, rq, rqb, 0);
            FIELD(c, p50_ms, p50, p50b, 0);
            FIELD(c, p99_ms, p99, p99b, 0);
            FIELD(c, max_ms, mx, mxb, 0);
            FIELD(c, updates_per_s, ups, upsb, 1);
            printf("| %d | %s | %s%.2f%%%s (%lu of %lu gave up) | %.2f (%.2f) | %.1f (%.1f) | %.1f (%.1f) | %.0f (%.0f) | %.0f (%.0f) |\n",
                   g_ks[ki], g_algo_names[a], a == A_NEW ? "**" : "", 100.0 * (double)commits / (double)calls, a == A_NEW ? "**" : "", gave_up, calls,
                   rq, rqb, p50, p50b, p99, p99b, mx, mxb, ups, upsb);
        }
    }
    printf("\nNew defaults against the others (median over runs of the ratio within a run):\n\n");
    printf("| k | requests/update vs previous | vs seed | p99 vs previous | vs seed | longest vs previous | updates/s vs previous |\n");
    printf("| --- | --- | --- | --- | --- | --- | --- |\n");
    for (ki = 0; ki < g_nk; ki++) {
        cell *n = &sc->cells[ki][A_NEW], *b = &sc->cells[ki][A_BASE], *s = &sc->cells[ki][A_SEED];
        char rb[32] = "-", pb[32] = "-", mb[32] = "-", ub[32] = "-";
        if (b->have) {
            snprintf(rb, sizeof rb, "%.2fx", paired_ratio(n, b, offsetof(run_result, requests_per_update)));
            snprintf(pb, sizeof pb, "%.2fx", paired_ratio(n, b, offsetof(run_result, p99_ms)));
            snprintf(mb, sizeof mb, "%.2fx", paired_ratio(n, b, offsetof(run_result, max_ms)));
            snprintf(ub, sizeof ub, "%.2fx", paired_ratio(n, b, offsetof(run_result, updates_per_s)));
        }
        printf("| %d | %s | %.2fx | %s | %.2fx | %s | %s |\n", g_ks[ki], rb, paired_ratio(n, s, offsetof(run_result, requests_per_update)),
               pb, paired_ratio(n, s, offsetof(run_result, p99_ms)), mb, ub);
    }
    for (a = A_BASE; a < A_COUNT; a++)       /* what giving up says, at the largest k that gave up */
        for (ki = g_nk - 1; ki >= 0; ki--)
            if (sc->cells[ki][a].last_error[0]) {
                printf("\n%s, k=%d, the last give-up: \"%s\"\n", g_algo_names[a], g_ks[ki], sc->cells[ki][a].last_error);
                break;
            }
}

static void target(scenario *sc, int k, double want_pct) {
    int ki;
    for (ki = 0; ki < g_nk; ki++) {
        cell *c = &sc->cells[ki][A_NEW];
        unsigned long calls, commits, gave_up;
        if (g_ks[ki] != k || !c->have) continue;
        pooled(c, &calls, &commits, &gave_up);
        printf("| hot | at least %.1f%% of olock_update calls commit with the defaults, %d writers, %s | %.2f%% (%lu of %lu gave up) | %s |\n",
               want_pct, k, sc->title, 100.0 * (double)commits / (double)calls, gave_up, calls,
               (double)commits * 100.0 >= want_pct * (double)calls ? "MET" : "NOT MET");
    }
}

static int usage(void) {
    fprintf(stderr, "usage: bench_hot [--endpoint URL] [--runs N] [--sim-runs N] [--writers 2,4,8,16] [--updates N]\n");
    return 2;
}

int main(int argc, char **argv) {
    static scenario sc[3];
    int nsc = 2, i, runs = 3, sim_runs = 5;
    const char *writers = "2,4,8,16";
    for (i = 1; i < argc; i++) {
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!v) return usage();
        if (strcmp(argv[i], "--endpoint") == 0) g_url = v;
        else if (strcmp(argv[i], "--runs") == 0) runs = atoi(v);
        else if (strcmp(argv[i], "--sim-runs") == 0) sim_runs = atoi(v);
        else if (strcmp(argv[i], "--writers") == 0) writers = v;
        else if (strcmp(argv[i], "--updates") == 0) g_updates = atoi(v);
        else return usage();
        i++;
    }
    for (g_nk = 0; *writers && g_nk < MAX_K;) {
        char *end;
        long k = strtol(writers, &end, 10);
        if (end == writers || k < 1 || k > 64) return usage();
        g_ks[g_nk++] = (int)k;
        writers = *end == ',' ? end + 1 : end;
    }
    if (runs < 1 || runs > MAX_RUNS || sim_runs < 1 || sim_runs > MAX_RUNS || g_updates < 1 || g_updates > 100000 || !g_nk) return usage();

    sc[0].title = "the fake, virtual time, round trip ~1 ms (one way 250 us + exponential tail of mean 250 us)";
    sc[0].one_way_us = 250; sc[0].tail_us = 250; sc[0].runs = sim_runs;
    sc[1].title = "the fake, virtual time, round trip ~6 ms (one way 2 ms + exponential tail of mean 1 ms)";
    sc[1].one_way_us = 2000; sc[1].tail_us = 1000; sc[1].runs = sim_runs;
    if (g_url) {
        sc[2].title = "DynamoDB Local on 127.0.0.1 (threads, libcurl)";
        sc[2].server = 1; sc[2].runs = runs;
        nsc = 3;
    }

    printf("## Hot item: k writers incrementing one item (bench/hot)\n\n");
    printf("Each writer: %d increments back to back, each its own call, on its own client (for olock,\n"
           "`olock_config_default()` and nothing else but the transport and, on the fake, the clock). The seed\n"
           "gives up after %d writes, the previous engine's default budget. Previous defaults: the engine of\n"
           "%s; new: this tree.\n", g_updates, SEED_ATTEMPTS,
#ifdef BENCH_HOT_BASE_NAME
           BENCH_HOT_BASE_NAME
#else
           "(not built: see run.sh)"
#endif
    );
    for (i = 0; i < nsc; i++) {
        run_scenario(&sc[i]);
        print_scenario(&sc[i]);
        fflush(stdout);
    }
    printf("\n| benchmark | target | measured | verdict |\n| --- | --- | --- | --- |\n");
    for (i = nsc - 1; i >= 0; i--) {
        int ki;
        for (ki = 0; ki < g_nk; ki++)
            if (g_ks[ki] == 8 || g_ks[ki] == 16) target(&sc[i], g_ks[ki], 99.9);
    }
    return g_failed;
}
