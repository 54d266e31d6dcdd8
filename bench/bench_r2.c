/* bench_r2: performance round 2, before and after in one program. bench_r2_ops.c is compiled
   against the working olock.h (r2_setup_new) and against an older one (r2_setup_old; run.sh
   takes it from git, BENCH_BASE), and each operation is timed in both builds interleaved
   batch by batch (bench_util.h), so the ratio new/old is measured on the same machine at the
   same moments. The machine is shared and noisy: read the ratios, not the absolute numbers.

   Targets (issue 15; benchmarks, not tests): signed versioned UpdateItem ~1.4 us of client CPU,
   decode of the 1 KB player item < 2 us, encode < 0.8 us, zero heap allocations per steady-state
   operation. */
#define _POSIX_C_SOURCE 200809L   /* clock_gettime, before any system header */
#include "bench_util.h"
#include "bench_r2.h"

static double allocs_per_op(bench_case *c, unsigned long long (*allocs)(void), long iters) {
    unsigned long long before;
    c->fn(c->ctx, iters);
    before = allocs();
    c->fn(c->ctx, iters);
    return (double)(allocs() - before) / (double)iters;
}

static double best_ratio(const bench_case *a, const bench_case *b) { return a->best / b->best; }

int main(int argc, char **argv) {
    r2_set nw, old;
    bench_case cases[2 * R2_COUNT];
    double allocs[2 * R2_COUNT];
    int reps = bench_reps(31), i;
    char measured[160];
    r2_setup_new(&nw);
    r2_setup_old(&old);
    for (i = 0; i < R2_COUNT; i++) {
        bench_case_init(&cases[2 * i], nw.names[i], nw.fn[i], nw.ctx[i]);
        bench_case_init(&cases[2 * i + 1], old.names[i], old.fn[i], old.ctx[i]);
    }
    if (argc >= 4 && strcmp(argv[1], "--profile") == 0) {
        /* bench_r2 --profile new|old SUBSTRING ITERS */
        int off = strcmp(argv[2], "old") == 0;
        long iters = argc >= 5 ? strtol(argv[4], NULL, 10) : 10000;
        for (i = 0; i < R2_COUNT; i++)
            if (strstr(cases[2 * i + off].name, argv[3])) {
                fprintf(stderr, "profiling %ld ops of: %s (%s)\n", iters, cases[2 * i + off].name, off ? "old" : "new");
                cases[2 * i + off].fn(cases[2 * i + off].ctx, iters);
            }
        return 0;
    }
    for (i = 0; i < R2_COUNT; i++) {
        bench_run(&cases[2 * i], 2, reps);
        allocs[2 * i] = allocs_per_op(&cases[2 * i], nw.allocs, 2000);
        allocs[2 * i + 1] = allocs_per_op(&cases[2 * i + 1], old.allocs, 2000);
    }
    printf("## Performance round 2: before (%s) and after, in one program\n\n", BENCH_BASE_NAME);
    printf("Each operation in both builds, %d interleaved batches of ~%.0f ms each (CPU time of the thread).\n"
           "The machine is shared and noisy: the ratios (after/before; median over rounds of the paired\n"
           "batches, and best/best) are the result, the absolute numbers are indicative.\n\n", reps, BENCH_BATCH_MS);
    printf("| operation | before best / median us | after best / median us | after/before (median of pairs) | best/best | allocs/op after (before) |\n"
           "| --- | --- | --- | --- | --- | --- |\n");
    for (i = 0; i < R2_COUNT; i++) {
        const bench_case *a = &cases[2 * i], *b = &cases[2 * i + 1];
        printf("| %s | %.3f / %.3f | %.3f / %.3f | %.2fx | %.2fx | %.2f (%.2f) |\n", a->name, b->best / 1000, b->median / 1000,
               a->best / 1000, a->median / 1000, bench_ratio(a, b), best_ratio(a, b), allocs[2 * i], allocs[2 * i + 1]);
    }
    bench_targets_header();
    snprintf(measured, sizeof measured, "%.2f us best, %.2f us median; %.2fx before", cases[2 * R2_VU_SIGNED].best / 1000,
             cases[2 * R2_VU_SIGNED].median / 1000, bench_ratio(&cases[2 * R2_VU_SIGNED], &cases[2 * R2_VU_SIGNED + 1]));
    bench_target("r2", "signed versioned UpdateItem ~1.4 us", measured, cases[2 * R2_VU_SIGNED].best < 1500);
    snprintf(measured, sizeof measured, "%.2f us best, %.2f us median; %.2fx before", cases[2 * R2_DECODE_ITEM].best / 1000,
             cases[2 * R2_DECODE_ITEM].median / 1000, bench_ratio(&cases[2 * R2_DECODE_ITEM], &cases[2 * R2_DECODE_ITEM + 1]));
    bench_target("r2", "decode of the 1 KB player item < 2 us", measured, cases[2 * R2_DECODE_ITEM].best < 2000);
    snprintf(measured, sizeof measured, "%.2f us best, %.2f us median; %.2fx before", cases[2 * R2_ENCODE].best / 1000,
             cases[2 * R2_ENCODE].median / 1000, bench_ratio(&cases[2 * R2_ENCODE], &cases[2 * R2_ENCODE + 1]));
    bench_target("r2", "encode of the 1 KB player item < 0.8 us", measured, cases[2 * R2_ENCODE].best < 800);
    {
        int zero = 1;
        for (i = 0; i < R2_COUNT; i++)
            if (i != R2_DECODE_ITEM && allocs[2 * i] != 0) zero = 0;
        bench_target("r2", "zero heap allocations per steady-state operation (decode to a new item aside)",
                     zero ? "0 per op" : "some", zero);
    }
    return 0;
}
