/* =============================================================================================
   IMPLEMENTATION
   ========================================================================================== */
#if defined(OLOCK_IMPLEMENTATION) && !defined(OLOCK_IMPLEMENTATION_INCLUDED)
#define OLOCK_IMPLEMENTATION_INCLUDED

#include <string.h>
#include <stdarg.h>
#include <stdio.h>     /* vsnprintf for error messages only */
#include <stdlib.h>

#if defined(OLOCK_MALLOC) && defined(OLOCK_REALLOC) && defined(OLOCK_FREE)
/* all three given */
#elif !defined(OLOCK_MALLOC) && !defined(OLOCK_REALLOC) && !defined(OLOCK_FREE)
#  define OLOCK_MALLOC(ctx, sz) ((void)(ctx), malloc(sz))
#  define OLOCK_REALLOC(ctx, p, old_sz, new_sz) ((void)(ctx), (void)(old_sz), realloc((p), (new_sz)))
#  define OLOCK_FREE(ctx, p) ((void)(ctx), free(p))
#else
#  error "olock: define all of OLOCK_MALLOC, OLOCK_REALLOC and OLOCK_FREE, or none"
#endif

#ifndef OLOCK_ASSERT
#  include <assert.h>
#  define OLOCK_ASSERT(x) assert(x)
#endif
#ifndef OLOCK_MAX_DEPTH
#  define OLOCK_MAX_DEPTH 64
#endif

#if defined(__GNUC__) || defined(__clang__)
#  define OLOCK__PRINTF(f, a) __attribute__((format(printf, f, a)))
#  define OLOCK__UNUSED __attribute__((unused))
#else
#  define OLOCK__PRINTF(f, a)
#  define OLOCK__UNUSED
#endif

#define OLOCK__DEFAULT_MAX_BYTES ((size_t)16 * 1024 * 1024)

