/* =============================================================================================
   >>prologue (implementation): every system header the implementation uses, and its macros
   ========================================================================================== */
#if defined(OLOCK_IMPLEMENTATION) && !defined(OLOCK_IMPLEMENTATION_INCLUDED)
#define OLOCK_IMPLEMENTATION_INCLUDED

#include <string.h>
#include <stdarg.h>
#include <stdio.h> /* vsnprintf for error messages only */
#include <stdlib.h>
#include <float.h> /* the decimal part's exact conversions to and from double */
/* The client's default clock and sleep (see >>client (implementation)). */
#if defined(_WIN32)
#ifndef WIN32_LEAN_AND_MEAN
#define WIN32_LEAN_AND_MEAN
#endif
#include <windows.h>
#else
#include <time.h>
#endif
/* x86-64 instructions chosen at run time with CPUID (GCC/Clang): the SHA extensions for the
   built-in SHA-256, PCLMULQDQ for CRC-32. */
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#if !defined(OLOCK_USE_MBEDTLS) && !defined(OLOCK_NO_SHA_NI)
#define OLOCK__SHA_NI 1
#endif
#if !defined(OLOCK_NO_PCLMUL)
#define OLOCK__CLMUL 1
#endif
#if defined(OLOCK__SHA_NI) || defined(OLOCK__CLMUL)
#define OLOCK__CPUID 1
#include <immintrin.h>
#include <cpuid.h>
#endif
#endif
/* SSE2 (every x86-64 CPU has it): hex digits (a signature writes four 32-byte digests), the
   JSON parser's scan of plain strings. OLOCK__NO_SSE2 (tests only) builds the portable paths. */
#if defined(__SSE2__) && !defined(OLOCK__NO_SSE2)
#define OLOCK__SSE2 1
#include <emmintrin.h>
#endif
#ifdef OLOCK_USE_MBEDTLS
#include <mbedtls/version.h>
#include <mbedtls/md.h>
#if MBEDTLS_VERSION_NUMBER >= 0x03000000
#define OLOCK__MBED_SHA256_STARTS(c) mbedtls_sha256_starts((c), 0)
#define OLOCK__MBED_SHA256_UPDATE(c, p, n) mbedtls_sha256_update((c), (p), (n))
#define OLOCK__MBED_SHA256_FINISH(c, o) mbedtls_sha256_finish((c), (o))
#else
/* 2.x: the *_ret names; the plain ones are deprecated there and return void. */
#define OLOCK__MBED_SHA256_STARTS(c) mbedtls_sha256_starts_ret((c), 0)
#define OLOCK__MBED_SHA256_UPDATE(c, p, n) mbedtls_sha256_update_ret((c), (p), (n))
#define OLOCK__MBED_SHA256_FINISH(c, o) mbedtls_sha256_finish_ret((c), (o))
#endif
#endif

#if defined(OLOCK_MALLOC) && defined(OLOCK_REALLOC) && defined(OLOCK_FREE)
/* all three given */
#elif !defined(OLOCK_MALLOC) && !defined(OLOCK_REALLOC) && !defined(OLOCK_FREE)
#define OLOCK_MALLOC(ctx, sz) ((void)(ctx), malloc(sz))
#define OLOCK_REALLOC(ctx, p, old_sz, new_sz) ((void)(ctx), (void)(old_sz), realloc((p), (new_sz)))
#define OLOCK_FREE(ctx, p) ((void)(ctx), free(p))
#else
#error "olock: define all of OLOCK_MALLOC, OLOCK_REALLOC and OLOCK_FREE, or none"
#endif

#ifndef OLOCK_ASSERT
#include <assert.h>
#define OLOCK_ASSERT(x) assert(x)
#endif
#ifndef OLOCK_MAX_DEPTH
#define OLOCK_MAX_DEPTH 64
#endif

#if defined(__GNUC__) || defined(__clang__)
#define OLOCK__PRINTF(f, a) __attribute__((format(printf, f, a)))
#define OLOCK__UNUSED __attribute__((unused))
#else
#define OLOCK__PRINTF(f, a)
#define OLOCK__UNUSED
#endif

#define OLOCK__DEFAULT_MAX_BYTES ((size_t)16 * 1024 * 1024)
