/* bench_r2.h - the interface between bench_r2.c (the driver) and bench_r2_ops.c, which is
   compiled twice into the same program: once against the working olock.h and once against
   an older one (BENCH_BASE, default the commit before performance round 2), both with
   OLOCK_STATIC so the two implementations do not clash. Each build exports one function,
   named by R2_SETUP, that fills an r2_set. */
#ifndef BENCH_R2_H
#define BENCH_R2_H

enum {
    R2_ENCODE, R2_DECODE_ITEM, R2_DECODE_ARENA, R2_CRC32,
    R2_VU_UNSIGNED, R2_VU_SIGNED, R2_VU_ALL_NEW, /* one item, written again and again */
    R2_VU_SIGNED_ITEMS,                          /* a different item each time */
    R2_COUNT
};

typedef struct r2_set {
    const char *names[R2_COUNT];
    void (*fn[R2_COUNT])(void *ctx, long iters);
    void *ctx[R2_COUNT];
    unsigned long long (*allocs)(void);   /* heap allocations so far, this build's allocator */
} r2_set;

void r2_setup_new(r2_set *s);
void r2_setup_old(r2_set *s);

#endif
