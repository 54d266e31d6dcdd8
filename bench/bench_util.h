/* bench_util.h - timing, allocation counting and reporting shared by the olock benchmarks.
   Include after olock.h (without it, only the timing part is there). Everything here is static: a benchmark is one program (bench_sign
   includes it in several translation units, each with its own counters).

   METHOD (the machine is shared and noisy, so no single timing is trusted):
   - a batch is timed with the thread's CPU-time clock (CLOCK_THREAD_CPUTIME_ID), not the wall
     clock, so time spent descheduled while other processes run does not count;
   - every case is calibrated to a batch of about BENCH_BATCH_MS milliseconds;
   - peers (cases measured together by one bench_run call) are interleaved batch by batch, the
     starting case rotating every round, so a noisy moment hits every peer alike;
   - each case gets `reps` batches; we report the median ns/op and the best batch. Absolute
     targets are judged on the best batch (the least disturbed estimate of what this CPU does
     when nobody else runs on it), with the median printed next to it;
   - a ratio between peers is the median over rounds of (A's batch / B's batch in the same
     round): the two batches ran back to back, so they saw the same machine.
   Allocations are counted separately, after warm-up, through a counting olock_allocator. */
#ifndef OLOCK_BENCH_UTIL_H
#define OLOCK_BENCH_UTIL_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#if defined(__GNUC__) || defined(__clang__)
#  define BENCH_UNUSED __attribute__((unused))
#else
#  define BENCH_UNUSED
#endif

#define BENCH_MAX_REPS 64
#ifndef BENCH_BATCH_MS
#  define BENCH_BATCH_MS 5.0
#endif

/* ---- clock --------------------------------------------------------------------------------- */

/* Wall clock (monotonic). */
static BENCH_UNUSED double bench_now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

/* ---- a counting allocator ------------------------------------------------------------------ */

typedef struct bench_counts {
    unsigned long long mallocs, reallocs, frees, bytes;
} bench_counts;

/* Heap allocations (malloc + realloc calls) so far. */
static BENCH_UNUSED unsigned long long bench_allocs(const bench_counts *c) { return c->mallocs + c->reallocs; }

#ifdef OLOCK_H_INCLUDED

static BENCH_UNUSED void *bench_malloc(void *ctx, size_t n) {
    bench_counts *c = (bench_counts *)ctx;
    c->mallocs++;
    c->bytes += n;
    return malloc(n);
}

static BENCH_UNUSED void *bench_realloc(void *ctx, void *p, size_t old_n, size_t new_n) {
    bench_counts *c = (bench_counts *)ctx;
    c->reallocs++;
    if (new_n > old_n) c->bytes += new_n - old_n;
    return realloc(p, new_n);
}

static BENCH_UNUSED void bench_free(void *ctx, void *p, size_t n) {
    bench_counts *c = (bench_counts *)ctx;
    (void)n;
    if (p) c->frees++;
    free(p);
}

static BENCH_UNUSED olock_allocator bench_allocator(bench_counts *c) {
    olock_allocator a;
    a.ctx = c;
    a.malloc_fn = bench_malloc;
    a.realloc_fn = bench_realloc;
    a.free_fn = bench_free;
    return a;
}
#endif /* OLOCK_H_INCLUDED */

/* ---- timed cases --------------------------------------------------------------------------- */

typedef struct bench_case {
    const char *name;
    void (*fn)(void *ctx, long iters);
    void *ctx;
    long iters;                    /* per batch, from calibration */
    int n;
    double ns[BENCH_MAX_REPS];     /* ns per op, one per batch */
    double median, best;
} bench_case;

static BENCH_UNUSED void bench_case_init(bench_case *c, const char *name, void (*fn)(void *, long), void *ctx) {
    memset(c, 0, sizeof *c);
    c->name = name;
    c->fn = fn;
    c->ctx = ctx;
}

static BENCH_UNUSED int bench__cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static BENCH_UNUSED double bench_median(double *v, int n) {
    double tmp[BENCH_MAX_REPS];
    if (n <= 0) return 0;
    memcpy(tmp, v, sizeof *v * (size_t)n);
    qsort(tmp, (size_t)n, sizeof *tmp, bench__cmp_double);
    return n % 2 ? tmp[n / 2] : (tmp[n / 2 - 1] + tmp[n / 2]) / 2;
}

/* CPU time of the calling thread: time-sharing with other processes (the machine is shared)
   does not count, so batches disturbed only by being descheduled still measure right. */
static BENCH_UNUSED double bench_cpu_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static BENCH_UNUSED double bench__time_batch(bench_case *c, long iters) {
    double t0 = bench_cpu_ns();
    c->fn(c->ctx, iters);
    return bench_cpu_ns() - t0;
}

/* Calibrates, warms up, then measures the cases interleaved: `reps` batches each. */
static BENCH_UNUSED void bench_run(bench_case *cases, int count, int reps) {
    int i, r;
    if (reps > BENCH_MAX_REPS) reps = BENCH_MAX_REPS;
    for (i = 0; i < count; i++) {
        bench_case *c = &cases[i];
        long it = 1;
        double t;
        for (;;) {
            t = bench__time_batch(c, it);
            if (t >= BENCH_BATCH_MS * 1e6 / 8 || it > (1L << 40)) break;
            it *= 4;
        }
        c->iters = (long)((double)it * (BENCH_BATCH_MS * 1e6) / (t > 1 ? t : 1));
        if (c->iters < 1) c->iters = 1;
        bench__time_batch(c, c->iters);   /* warm-up at full size */
        c->n = 0;
    }
    for (r = 0; r < reps; r++) {
        for (i = 0; i < count; i++) {
            bench_case *c = &cases[(i + r) % count];
            c->ns[c->n++] = bench__time_batch(c, c->iters) / (double)c->iters;
        }
    }
    for (i = 0; i < count; i++) {
        bench_case *c = &cases[i];
        int k;
        c->median = bench_median(c->ns, c->n);
        c->best = c->ns[0];
        for (k = 1; k < c->n; k++) if (c->ns[k] < c->best) c->best = c->ns[k];
    }
}

/* Median over rounds of a's ns/op divided by b's in the same round (both from one bench_run). */
static BENCH_UNUSED double bench_ratio(const bench_case *a, const bench_case *b) {
    double r[BENCH_MAX_REPS];
    int i, n = a->n < b->n ? a->n : b->n;
    for (i = 0; i < n; i++) r[i] = a->ns[i] / b->ns[i];
    return bench_median(r, n);
}

/* Allocations per op of `iters` ops, after the case has been warmed up. */
static BENCH_UNUSED double bench_allocs_per_op(bench_case *c, const bench_counts *counts, long iters) {
    unsigned long long before;
    c->fn(c->ctx, iters);          /* steady state first */
    before = bench_allocs(counts);
    c->fn(c->ctx, iters);
    return (double)(bench_allocs(counts) - before) / (double)iters;
}

/* `prog --profile SUBSTRING ITERS`: runs, untimed, ITERS ops of each case whose name contains
   SUBSTRING (for callgrind or perf). Returns 1 when the arguments asked for it. */
static BENCH_UNUSED int bench_profile(int argc, char **argv, bench_case *cases, int count) {
    int i, hit = 0;
    long iters;
    if (argc < 4 || strcmp(argv[1], "--profile") != 0) return 0;
    iters = strtol(argv[3], NULL, 10);
    for (i = 0; i < count; i++) {
        if (!strstr(cases[i].name, argv[2])) continue;
        fprintf(stderr, "profiling %ld ops of: %s\n", iters, cases[i].name);
        cases[i].fn(cases[i].ctx, iters);
        hit = 1;
    }
    if (!hit) fprintf(stderr, "no case matches \"%s\"\n", argv[2]);
    return 1;
}

/* ---- reporting ----------------------------------------------------------------------------- */

/* Repetitions: BENCH_REPS in the environment (default `def`), clamped. */
static BENCH_UNUSED int bench_reps(int def) {
    const char *s = getenv("BENCH_REPS");
    int n = def;
    if (s && *s) n = (int)strtol(s, NULL, 10);
    if (n < 3) n = 3;
    if (n > BENCH_MAX_REPS) n = BENCH_MAX_REPS;
    return n;
}

static BENCH_UNUSED const char *bench_met(int ok) { return ok ? "MET" : "NOT MET"; }

/* A line of the targets table; run.sh gathers these into the summary. */
static BENCH_UNUSED void bench_target(const char *bench, const char *target, const char *measured, int ok) {
    printf("| %s | %s | %s | %s |\n", bench, target, measured, bench_met(ok));
}

static BENCH_UNUSED void bench_targets_header(void) {
    printf("\n| benchmark | target | measured | verdict |\n| --- | --- | --- | --- |\n");
}

#endif /* OLOCK_BENCH_UTIL_H */
