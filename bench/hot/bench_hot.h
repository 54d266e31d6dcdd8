/* bench_hot.h - the interface between bench_hot.c (the driver) and bench_hot_variant.c, which
   is compiled once per engine: the working tree's olock.h, and the olock.h of an earlier
   commit (the engine before the hot-item work), each with OLOCK_STATIC so that both live in
   one program and run side by side. Only plain C types cross this interface. */
#ifndef OLOCK_BENCH_HOT_H
#define OLOCK_BENCH_HOT_H

#include <stddef.h>
#include <stdint.h>

enum { HOT_OLOCK, HOT_SEED };       /* what a writer runs */

typedef struct hot_params {
    int algo;                       /* HOT_OLOCK or HOT_SEED */
    int writers;                    /* concurrent writers on the one item */
    int updates;                    /* increments per writer, back to back */
    unsigned seed_attempts;         /* the seed's writes per increment before it gives up */
    uint64_t seed;                  /* PRNG seed (virtual time) */
    /* virtual time (the in-process fake): one-way latency = one_way_us + an exponential tail of
       mean tail_us; the server takes service_us per request, one at a time (a FIFO queue) */
    double one_way_us, tail_us, service_us;
    /* a real server (threads, libcurl): its URL, and a table that exists (key "id", S) */
    const char *url, *table;
    const char *item_id;            /* the item's key; created at version 1 by the run */
} hot_params;

typedef struct hot_stats {
    unsigned long calls, commits, gave_up, errors, requests;
    unsigned long max_requests;     /* the most requests one call made */
    long long counter_delta;        /* how far the stored counter moved (checked = commits) */
    double *latency_us;             /* caller-owned, writers x updates entries: one per call */
    double elapsed_us;              /* the whole run (virtual or wall) */
    char last_error[400];           /* the message of the last failed call */
} hot_stats;

typedef struct hot_variant {
    const char *name;
    /* 0 on success; fills *st (its latency array must hold writers x updates doubles) */
    int (*run_sim)(const hot_params *p, hot_stats *st);
    int (*run_server)(const hot_params *p, hot_stats *st);
} hot_variant;

extern const hot_variant bench_hot_new;
#ifdef BENCH_HOT_HAVE_BASE
extern const hot_variant bench_hot_base;
#endif

#endif /* OLOCK_BENCH_HOT_H */
