/* bench_sign.h - the interface between bench_sign.c (the driver) and bench_sign_variant.c,
   which is compiled once per SHA-256 build (built-in with SHA-NI, built-in without SHA-NI,
   mbedTLS), each time with OLOCK_STATIC so the three copies of olock live side by side in one
   program and can be timed in the same run. Only plain C types cross this interface: the
   variants' olock types differ (olock_sha256 is mbedTLS's context in one of them). */
#ifndef OLOCK_BENCH_SIGN_H
#define OLOCK_BENCH_SIGN_H

#include <stddef.h>

typedef struct bench_sign_variant {
    const char *name;                        /* the build, e.g. "built-in SHA-256 (SHA-NI)" */
    int (*setup)(void);                      /* 0 on success */
    void (*teardown)(void);
    /* The timed operations; ctx is unused (bench_case wants one). */
    void (*warm)(void *ctx, long n);         /* one signer, same day: the key cache hits */
    void (*warm_token)(void *ctx, long n);   /* the same with a session token */
    void (*cold_date)(void *ctx, long n);    /* one signer, a new date every time: derive the key */
    void (*fresh)(void *ctx, long n);        /* init + sign + free: nothing cached, allocations */
    void (*sha_body)(void *ctx, long n);     /* SHA-256 of the body alone, for scale */
    unsigned long long (*allocs)(void);      /* heap allocations so far in this variant */
    const char *(*authorization)(void);      /* Authorization of a reference signing, for the cross-check */
    size_t (*body_len)(void);
    int (*sha_ni)(void);                     /* 1 when this build's SHA-256 runs on SHA-NI */
} bench_sign_variant;

extern const bench_sign_variant bench_sign_builtin;
extern const bench_sign_variant bench_sign_no_sha_ni;
#ifdef BENCH_HAVE_MBEDTLS
extern const bench_sign_variant bench_sign_mbedtls;
#endif

#endif /* OLOCK_BENCH_SIGN_H */
