/* GENERATED from the parts listed in src/olock.parts: edit them and run `make amalgamate`, not this file. */
/* olock.h - v0.1.0 - optimistic locking for Amazon DynamoDB, in one header
   SPDX-License-Identifier: MIT

   Do this:
       #define OLOCK_IMPLEMENTATION
   before you include this file in *one* C or C++ file to create the implementation.
   Every other file includes it without the define.

TABLE OF CONTENTS
   The file is in parts, each a declaration half (all of them first, in this order) and an
   implementation half (after `#if defined(OLOCK_IMPLEMENTATION)`, in the same order). Search
   for a part's tag: ">>engine" finds its declarations, ">>engine (implementation)" its code.
   A part uses only the parts above it, and of another part's private names (olock__*) only
   those core offers every part and those the part lists as "Private names later parts may
   use" at the top of its implementation (tools/check-parts, run by `make test`, checks both).

   >>prologue     this block, configuration macros, version, OLOCK_API; system headers
   >>core         results and errors, allocation, buffers, arenas
   >>decimal      DynamoDB numbers: exact decimals of up to 38 significant digits
   >>value        values (the ten DynamoDB types) and items
   >>json         a strict JSON parser and writer, base64, CRC-32, DynamoDB JSON
   >>wire         the HTTP transport contract, operations, request encoders, responses and
                  error classes
   >>expr         expression builders: conditions, updates, projections, key conditions
                  (its implementation continues with the rendering and validation)
   >>sigv4        SHA-256 and HMAC-SHA256, SigV4 request signing, the credentials type
   >>aws_config   credentials, region and endpoint resolved as the AWS SDKs do; URLs
   >>client       configuration, the client, single-attempt calls, the everyday calls
   >>engine       versioned writes, the writer ledger, the item cache, tasks (the state
                  machine every operation is), transactions, multi-item read-modify-write
   >>records      typed records: a C struct described by a field table, read, written and
                  updated on the engine

   This file is generated: the parts are the files src/<tag>.h and src/<tag>_impl.h of the
   olock repository (expr's implementation in two: expr_impl.h, expr_render_impl.h), listed in
   src/olock.parts. Change them there and run `make amalgamate`.

QUICK START
   A DynamoDB item is an olock_item: a map of attribute names to typed values, owned by one
   arena and freed in one call (the codec turns items into DynamoDB JSON and back). A client
   sends requests through a transport: backends/olock_curl.h for real DynamoDB,
   backends/olock_fake.h for the in-memory fake used in unit tests, or your own HTTP stack.
   Requests start from their _default() and results are read by attribute name.

   Quick start (compiled by tests/readme_snippets.sh):

       #define OLOCK_IMPLEMENTATION                   // in one file; the others just include
       #define OLOCK_FAKE_IMPLEMENTATION
       #include "olock.h"
       #include "olock_fake.h"
       #include <stdio.h>

       int main(void) {
           olock_fake *fake = NULL;
           olock_client *db = NULL;
           olock_config cfg = olock_config_default();
           olock_create_table_request table = olock_create_table_request_default();
           olock_item_request put = olock_item_request_default();
           olock_item *player = NULL, *got = NULL;
           olock_write_result res;
           olock_error err;
           olock_buf json;
           int64_t gold = 0;

           olock_fake_create(NULL, &fake);            // or olock_curl_create + cfg.endpoint
           cfg.transport = olock_fake_transport(fake);
           if (olock_client_create(&cfg, &db, &err) != OLOCK_OK) return 1;
           table.table = "players"; table.hash_key = "id"; table.hash_type = OLOCK_TYPE_S;
           olock_create_table(db, &table, NULL, &err);

           olock_item_create(NULL, &player);          // NULL: default allocator
           olock_item_set_s(player, "id", "player-7");
           olock_item_set_i64(player, "gold", 120);
           olock_buf_init(&json, NULL);
           olock_item_write_json(player, &json);      // {"id":{"S":"player-7"},"gold":{"N":"120"}}
           olock_buf_free(&json);

           put.table = "players"; put.item = player->root;
           // expected version 0: the item must be new; it is stored at version 1
           if (olock_versioned_put(db, &put, 0, &res, &err) != OLOCK_OK) return 1;
           olock_item_remove(player, "gold");         // now just the key
           if (olock_get(db, "players", player->root, 1, &got, &err) != OLOCK_OK) return 1;
           olock_item_get_i64(got, "gold", &gold);
           printf("player-7: %lld gold, version %llu\n", (long long)gold,
                  (unsigned long long)res.version);

           olock_item_destroy(got);
           olock_item_destroy(player);
           olock_client_destroy(db);                  // the client first, then the fake
           olock_fake_destroy(fake);
           return 0;
       }

   olock_update does a whole read-modify-write with a callback, re-applied on a conflict; the
   README's "Which call do I want" lists the everyday calls.

CONFIGURATION MACROS (define before including, in every file that includes olock.h)
   OLOCK_STATIC         every function static (and marked unused): a private copy per file
   OLOCK_API            decoration of public functions (default: extern)
   OLOCK_MALLOC(ctx,sz) / OLOCK_REALLOC(ctx,p,old_sz,new_sz) / OLOCK_FREE(ctx,p)
                        compile-time allocator, all three or none. ctx is the `ctx` of the
                        olock_allocator in use (NULL for the default one). A runtime allocator
                        (olock_allocator in the config or passed to a create function) wins.
   OLOCK_ASSERT(x)      internal consistency checks (default: assert)
   OLOCK_MAX_DEPTH      nesting bound of the JSON parser (default 64; DynamoDB documents
                        allow 32 levels of attribute nesting, which is 64 JSON levels)

ERROR MODEL
   Every fallible function returns olock_result (OLOCK_OK == 0) and writes its out-parameters
   only on success. Pass an olock_error (caller-owned, no heap) as the last argument to learn
   more: the HTTP status, the AWS error name (__type after '#'), its message, the byte offset
   of a parse error and the number of attempts. Pass NULL if you do not care.
   A conflict (ConditionalCheckFailedException) is OLOCK_CONFLICT: a normal outcome.
   The message names the cause: the function and argument of an OLOCK_ERR_INVALID_ARG
   ("olock_versioned_put: req->table is NULL or empty"), the setting a network transport lacks
   (OLOCK_ERR_CONFIG from olock_client_create), the transport's own words about a failed send
   ("request not sent: Failed to connect to 127.0.0.1 port 1: ..."), the status and endpoint of
   an answer no DynamoDB sends ("HTTP 404 with an empty body: is the endpoint (...)
   DynamoDB?"), else DynamoDB's own message.

THREAD SAFETY
   No global state. An olock_item, olock_buf or olock_client is used by one thread at a time;
   distinct objects may be used from distinct threads freely.

MEMORY
   Values live in the arena of the item (or response) that created them and die with it.
   Strings handed to constructors are copied. Nothing returned as `const` is yours to free.
*/
/* The implementation's default clock and sleep are POSIX; ask for them before the first
   system header of this file (it has no effect when the includer already included one). */
#if defined(OLOCK_IMPLEMENTATION) && !defined(_WIN32) && !defined(_POSIX_C_SOURCE) && !defined(_GNU_SOURCE) && \
    !defined(_DEFAULT_SOURCE) && !defined(_XOPEN_SOURCE) && !defined(__APPLE__)
#define _POSIX_C_SOURCE 200809L
#endif

#ifndef OLOCK_H_INCLUDED
#define OLOCK_H_INCLUDED

#include <stddef.h>
#include <stdint.h>
#ifdef OLOCK_USE_MBEDTLS
#include <mbedtls/sha256.h> /* olock_sha256 embeds mbedTLS's context */
#endif

#define OLOCK_VERSION_MAJOR 0
#define OLOCK_VERSION_MINOR 1
#define OLOCK_VERSION_PATCH 0
#define OLOCK_VERSION_STRING "0.1.0"

#ifndef OLOCK_API
#ifdef OLOCK_STATIC
#if defined(__GNUC__) || defined(__clang__)
#define OLOCK_API static __attribute__((unused))
#else
#define OLOCK_API static
#endif
#else
#define OLOCK_API extern
#endif
#endif

#ifdef __cplusplus
extern "C" {
#endif
/* =============================================================================================
   >>core: results and errors, allocation, buffers, arenas
   ========================================================================================== */

/* ---- Results --------------------------------------------------------------------------------- */

/* Values are never renumbered; new ones are appended. */
typedef enum olock_result {
    OLOCK_OK = 0,
    OLOCK_ERR_NOMEM = 1,               /* an allocation failed; nothing was changed */
    OLOCK_ERR_INVALID_ARG = 2,         /* a NULL or out-of-range argument */
    OLOCK_ERR_PARSE = 3,               /* malformed JSON or DynamoDB JSON (see olock_error.offset) */
    OLOCK_ERR_LIMIT = 4,               /* a size, depth or count limit was exceeded */
    OLOCK_ERR_TYPE = 5,                /* a value has another type than the one asked for */
    OLOCK_ERR_RANGE = 6,               /* a number does not fit the C type asked for */
    OLOCK_ERR_INEXACT = 7,             /* a number would lose precision in the C type asked for */
    OLOCK_ERR_NOT_FOUND = 8,           /* no such attribute, item or header */
    OLOCK_CONFLICT = 9,                /* the version (or another condition) did not hold */
    OLOCK_ERR_THROTTLED = 10,          /* DynamoDB throttled the request (retries exhausted) */
    OLOCK_ERR_TRANSIENT = 11,          /* 5xx or another retryable service error (retries exhausted) */
    OLOCK_ERR_SERVICE = 12,            /* DynamoDB rejected the request; retrying will not help */
    OLOCK_ERR_NOT_SENT = 13,           /* transport: the request certainly did not reach the server */
    OLOCK_ERR_MAYBE_SENT = 14,         /* transport: the request may have been applied */
    OLOCK_ERR_CRC32 = 15,              /* the response body does not match its x-amz-crc32 header */
    OLOCK_ERR_RESPONSE = 16,           /* the response is not what DynamoDB sends */
    OLOCK_ERR_EXPRESSION = 17,         /* an expression is invalid */
    OLOCK_ERR_ABORTED = 18,            /* the caller's callback asked to stop */
    OLOCK_ERR_CREDENTIALS = 19,        /* no usable credentials, or a malformed credentials file */
    OLOCK_ERR_CONFIG = 20,             /* the configuration is incomplete or inconsistent */
    OLOCK_ERR_DEADLINE = 21,           /* the operation's deadline passed */
    OLOCK_ERR_UNSUPPORTED = 22,        /* not supported by this build or this backend */
    OLOCK_ERR_TOO_MANY_CONFLICTS = 23, /* the conflict budget ran out */
    OLOCK_RESULT_COUNT_
} olock_result;

/* A static English description ("out of memory", ...); never NULL. */
OLOCK_API const char *olock_result_str(olock_result r);

/* What the engine does with a failed request. */
typedef enum olock_error_class {
    OLOCK_CLASS_NONE = 0,       /* not an error */
    OLOCK_CLASS_CONFLICT = 1,   /* re-read, re-apply and write again */
    OLOCK_CLASS_THROTTLING = 2, /* resend after a long backoff */
    OLOCK_CLASS_TRANSIENT = 3,  /* resend after a backoff */
    OLOCK_CLASS_FATAL = 4       /* do not retry */
} olock_error_class;

/* Caller-owned detail about a failure. Every field is set by the call it was passed to
   (zeroed first), so one olock_error can be reused across calls. */
typedef struct olock_error {
    olock_result code; /* the same value the call returned */
    olock_error_class error_class;
    int http_status;   /* 0 when no HTTP response was involved */
    char aws_type[96]; /* AWS error name, e.g. "ConditionalCheckFailedException" */
    char message[320]; /* human-readable, naming the cause; never contains a secret */
    size_t offset;     /* byte offset into the input for parse errors */
    unsigned attempts; /* requests sent by the operation */
} olock_error;

/* ---- Allocation ------------------------------------------------------------------------------ */

/* A runtime allocator. All three functions, or pass NULL for the default (OLOCK_MALLOC or
   malloc). `ctx` is passed on every call. free_fn receives the size that was allocated. */
typedef struct olock_allocator {
    void *ctx;
    void *(*malloc_fn)(void *ctx, size_t size);
    void *(*realloc_fn)(void *ctx, void *ptr, size_t old_size, size_t new_size);
    void (*free_fn)(void *ctx, void *ptr, size_t size);
} olock_allocator;

/* A growable byte buffer; `data` is always NUL-terminated once anything was appended.
   `max` (0 = unlimited) caps len: appends past it fail with OLOCK_ERR_LIMIT.
   `secret` (0 after init) marks a buffer that may hold a secret (a key, a session token, a
   header carrying one): set it before the first append; growing then copies to a new block
   and wipes the old one instead of reallocating in place, and olock_buf_free wipes. */
typedef struct olock_buf {
    char *data;
    size_t len;
    size_t cap;
    size_t max;
    const olock_allocator *alloc; /* NULL: default allocator; must outlive the buffer */
    int secret;
} olock_buf;

OLOCK_API void olock_buf_init(olock_buf *b, const olock_allocator *alloc);
OLOCK_API void olock_buf_free(olock_buf *b);  /* keeps alloc, max, secret; NULL is a no-op */
OLOCK_API void olock_buf_clear(olock_buf *b); /* len = 0, capacity kept */
OLOCK_API olock_result olock_buf_reserve(olock_buf *b, size_t extra);
OLOCK_API olock_result olock_buf_append(olock_buf *b, const void *data, size_t len);
OLOCK_API olock_result olock_buf_append_str(olock_buf *b, const char *s);

/* Bump allocator for values and parsed JSON. Blocks are kept by reset, so a reused arena
   stops allocating once it has grown to the working-set size. */
typedef struct olock_arena_block olock_arena_block;
typedef struct olock_arena {
    olock_arena_block *first;   /* every block, in order */
    olock_arena_block *current; /* the block being filled; later ones are spare */
    const olock_allocator *alloc;
    size_t total; /* bytes obtained from the allocator */
} olock_arena;

OLOCK_API void olock_arena_init(olock_arena *a, const olock_allocator *alloc);
OLOCK_API void *olock_arena_alloc(olock_arena *a, size_t size);                /* 8-byte aligned; NULL on OOM */
OLOCK_API char *olock_arena_strdup(olock_arena *a, const char *s, size_t len); /* NUL-terminated */
OLOCK_API void olock_arena_reset(olock_arena *a);                              /* forget all, keep memory */
OLOCK_API size_t olock_arena_used(const olock_arena *a);                       /* bytes taken since init or the last reset */
OLOCK_API void olock_arena_free(olock_arena *a);                               /* return all memory */
/* =============================================================================================
   >>decimal: DynamoDB numbers, exact decimals of up to 38 significant digits
   ========================================================================================== */

/* ---- Numbers: DynamoDB N values, exact decimals of up to 38 significant digits --------------- */

#define OLOCK_NUMBER_DIGITS 38
#define OLOCK_NUMBER_MAX_EXP 125    /* largest magnitude 9.99..9E+125 */
#define OLOCK_NUMBER_MIN_EXP (-130) /* smallest non-zero magnitude 1E-130 */
/* Longest canonical text (sign, 126 integer digits or "0." and 129 zeros + 38 digits). */
#define OLOCK_NUMBER_TEXT_MAX 172

/* value = (negative ? -1 : 1) * 0.d1d2...dn * 10^exp10, with digit values 0-9 (not
   characters), no leading or trailing zeros; zero has ndigits == 0. */
typedef struct olock_decimal {
    int negative;
    int exp10;
    int ndigits;
    unsigned char digits[OLOCK_NUMBER_DIGITS];
} olock_decimal;

/* Parses DynamoDB number syntax ([-+]digits[.digits][e[-+]digits]) and checks DynamoDB's
   precision and magnitude limits. OLOCK_ERR_PARSE for bad syntax, OLOCK_ERR_LIMIT for more
   than 38 significant digits or a magnitude out of range. */
OLOCK_API olock_result olock_decimal_parse(const char *s, size_t len, olock_decimal *out, olock_error *err);
/* Canonical text as DynamoDB returns it; `out` holds at least OLOCK_NUMBER_TEXT_MAX + 1 bytes.
   Returns the length written (NUL excluded). */
OLOCK_API size_t olock_decimal_format(const olock_decimal *d, char *out);
OLOCK_API int olock_decimal_cmp(const olock_decimal *a, const olock_decimal *b); /* -1, 0, 1 */
/* Exact sum / difference; OLOCK_ERR_LIMIT when the result needs more than 38 digits or leaves
   DynamoDB's range (DynamoDB rejects it rather than rounding). */
OLOCK_API olock_result olock_decimal_add(const olock_decimal *a, const olock_decimal *b, olock_decimal *out);
OLOCK_API olock_result olock_decimal_sub(const olock_decimal *a, const olock_decimal *b, olock_decimal *out);
OLOCK_API void olock_decimal_from_i64(int64_t v, olock_decimal *out);
OLOCK_API void olock_decimal_from_u64(uint64_t v, olock_decimal *out);
OLOCK_API olock_result olock_decimal_to_i64(const olock_decimal *d, int64_t *out);  /* RANGE / INEXACT */
OLOCK_API olock_result olock_decimal_to_u64(const olock_decimal *d, uint64_t *out); /* RANGE / INEXACT */
/* INEXACT when the double would not read back as this very decimal (any value of up to 15
   significant digits does; longer ones only when a double wrote them). No valid DynamoDB
   number overflows a double. olock_decimal_to_double_approx rounds to nearest instead. */
OLOCK_API olock_result olock_decimal_to_double(const olock_decimal *d, double *out);
OLOCK_API olock_result olock_decimal_to_double_approx(const olock_decimal *d, double *out);
/* Shortest decimal that reads back as the same double; RANGE for NaN and infinities, LIMIT
   for finite values outside DynamoDB's range (e.g. 1e300, 1e-300, subnormals). */
OLOCK_API olock_result olock_decimal_from_double(double v, olock_decimal *out);
/* =============================================================================================
   >>value: values and items
   ========================================================================================== */

/* ---- Values and items ------------------------------------------------------------------------ */

typedef enum olock_type {
    OLOCK_TYPE_S = 1,
    OLOCK_TYPE_N,
    OLOCK_TYPE_B,
    OLOCK_TYPE_BOOL,
    OLOCK_TYPE_NULL,
    OLOCK_TYPE_M,
    OLOCK_TYPE_L,
    OLOCK_TYPE_SS,
    OLOCK_TYPE_NS,
    OLOCK_TYPE_BS
} olock_type;

/* "S", "N", "B", "BOOL", "NULL", "M", "L", "SS", "NS", "BS"; "?" for anything else. */
OLOCK_API const char *olock_type_name(olock_type t);
/* Inverse of olock_type_name; 0 when the name is not a DynamoDB type. */
OLOCK_API olock_type olock_type_from_name(const char *name, size_t len);

/* One attribute value. Read the fields directly or through the accessors; change values only
   through the functions below. S/N/B keep their bytes in `str`/`len` (N as decimal text, B
   raw bytes, both NUL-terminated for convenience); containers (M L SS NS BS) chain their
   members from `first` through `next`; a member of a map carries its name in `key`. */
typedef struct olock_value olock_value;
struct olock_value {
    olock_type type;
    uint32_t count;  /* members of a container */
    const char *str; /* S, N, B */
    size_t len;
    int boolean;               /* BOOL */
    olock_value *first, *last; /* containers */
    olock_value *next;         /* next member of the parent */
    const char *key;           /* map member name, NUL-terminated */
    size_t key_len;
};

/* Constructors allocate in `a` and copy their input. NULL on OOM. Numbers are validated and
   stored in canonical form; olock_value_new_n returns NULL for text that is not a valid
   DynamoDB number (use olock_decimal_parse first to learn why). */
OLOCK_API olock_value *olock_value_new_s(olock_arena *a, const char *s, size_t len);
OLOCK_API olock_value *olock_value_new_n(olock_arena *a, const char *text, size_t len);
OLOCK_API olock_value *olock_value_new_decimal(olock_arena *a, const olock_decimal *d);
OLOCK_API olock_value *olock_value_new_i64(olock_arena *a, int64_t v);
OLOCK_API olock_value *olock_value_new_u64(olock_arena *a, uint64_t v);
OLOCK_API olock_value *olock_value_new_double(olock_arena *a, double v); /* NULL for NaN/inf */
OLOCK_API olock_value *olock_value_new_b(olock_arena *a, const void *bytes, size_t len);
OLOCK_API olock_value *olock_value_new_bool(olock_arena *a, int b);
OLOCK_API olock_value *olock_value_new_null(olock_arena *a);
/* An empty container of type M, L, SS, NS or BS. */
OLOCK_API olock_value *olock_value_new_container(olock_arena *a, olock_type t);
OLOCK_API olock_value *olock_value_copy(olock_arena *a, const olock_value *v); /* deep copy */

/* Map members: put replaces a member of the same name (keeping its position) or appends.
   The value must come from the same arena (or one that lives as long). */
OLOCK_API olock_result olock_map_put(olock_arena *a, olock_value *map, const char *key, size_t key_len, olock_value *v);
OLOCK_API const olock_value *olock_map_get(const olock_value *map, const char *key, size_t key_len);
OLOCK_API int olock_map_remove(olock_value *map, const char *key, size_t key_len); /* 1 if removed */
/* Lists: append; get by index (NULL when out of range). */
OLOCK_API olock_result olock_list_append(olock_value *list, olock_value *v);
OLOCK_API const olock_value *olock_list_get(const olock_value *list, size_t index);
/* Sets: adds a member of the set's element type (S for SS, N for NS, B for BS). A member
   already present is not added again (and that is not an error). */
OLOCK_API olock_result olock_set_add(olock_value *set, olock_value *v);
OLOCK_API int olock_set_contains(const olock_value *set, const olock_value *v);

/* Accessors. TYPE when the value has another type. */
OLOCK_API olock_result olock_value_get_s(const olock_value *v, const char **s, size_t *len);
OLOCK_API olock_result olock_value_get_b(const olock_value *v, const void **bytes, size_t *len);
OLOCK_API olock_result olock_value_get_bool(const olock_value *v, int *b);
OLOCK_API olock_result olock_value_get_decimal(const olock_value *v, olock_decimal *d);
OLOCK_API olock_result olock_value_get_i64(const olock_value *v, int64_t *out);
OLOCK_API olock_result olock_value_get_u64(const olock_value *v, uint64_t *out);
OLOCK_API olock_result olock_value_get_double(const olock_value *v, double *out);
/* A map's member by NUL-terminated name (a returned item, res.item, is such a map), and the
   accessors above by name: olock_map_get_i64(res.item, "gold", &gold). olock_map_find returns
   NULL when map is NULL or not a map, or has no such member; the getters then return
   OLOCK_ERR_NOT_FOUND (so an absent item reads as a missing attribute), else what the
   accessor returns (TYPE, RANGE, INEXACT), writing their outputs only on OLOCK_OK. len may
   be NULL. Names as olock_item_get_s / olock_item_get_i64 for items. */
OLOCK_API const olock_value *olock_map_find(const olock_value *map, const char *name);
OLOCK_API olock_result olock_map_get_s(const olock_value *map, const char *name, const char **s, size_t *len);
OLOCK_API olock_result olock_map_get_i64(const olock_value *map, const char *name, int64_t *out);
OLOCK_API olock_result olock_map_get_u64(const olock_value *map, const char *name, uint64_t *out);
OLOCK_API olock_result olock_map_get_double(const olock_value *map, const char *name, double *out);
OLOCK_API olock_result olock_map_get_bool(const olock_value *map, const char *name, int *b);

/* Equality as DynamoDB compares: numbers numerically, sets unordered, maps by name. */
OLOCK_API int olock_value_equal(const olock_value *a, const olock_value *b);

/* An item: a top-level map with its own arena. Everything reachable from it is freed by
   olock_item_destroy. */
typedef struct olock_item {
    olock_arena arena;
    olock_value *root; /* type M */
} olock_item;

OLOCK_API olock_result olock_item_create(const olock_allocator *alloc, olock_item **out);
OLOCK_API void olock_item_destroy(olock_item *it); /* NULL is a no-op */
OLOCK_API olock_result olock_item_copy(const olock_item *src, const olock_allocator *alloc, olock_item **out);
OLOCK_API olock_arena *olock_item_arena(olock_item *it);
/* Attribute setters: replace or append; the value is copied into the item. */
OLOCK_API olock_result olock_item_set(olock_item *it, const char *name, const olock_value *v);
OLOCK_API olock_result olock_item_set_s(olock_item *it, const char *name, const char *s);
OLOCK_API olock_result olock_item_set_n(olock_item *it, const char *name, const char *number_text);
OLOCK_API olock_result olock_item_set_i64(olock_item *it, const char *name, int64_t v);
OLOCK_API olock_result olock_item_set_double(olock_item *it, const char *name, double v);
OLOCK_API olock_result olock_item_set_b(olock_item *it, const char *name, const void *bytes, size_t len);
OLOCK_API olock_result olock_item_set_bool(olock_item *it, const char *name, int b);
OLOCK_API olock_result olock_item_set_null(olock_item *it, const char *name);
/* Takes `v` as it is (no copy): it must live in olock_item_arena(it). */
OLOCK_API olock_result olock_item_put(olock_item *it, const char *name, olock_value *v);
OLOCK_API const olock_value *olock_item_get(const olock_item *it, const char *name);
OLOCK_API int olock_item_remove(olock_item *it, const char *name);
OLOCK_API olock_result olock_item_get_s(const olock_item *it, const char *name, const char **s);
OLOCK_API olock_result olock_item_get_i64(const olock_item *it, const char *name, int64_t *out);
OLOCK_API int olock_item_equal(const olock_item *a, const olock_item *b);
/* Keys: a request's `key` is any map of the key attributes, so the root of an olock_item that
   holds just them (olock_item_set_s(k, "id", "player-7"); r.key = k->root;) is a key.
   An item read or built whole holds more than its key, which DynamoDB rejects as a key: this
   makes a new item (in it's allocator) of copies of just the hash_key attribute and, when
   range_key is not NULL, the range_key one. INVALID_ARG for a NULL it, hash_key or out,
   NOT_FOUND (naming it) when the item lacks one of them, NOMEM. */
OLOCK_API olock_result olock_item_key(const olock_item *it, const char *hash_key, const char *range_key,
                                      olock_item **out, olock_error *err);
/* =============================================================================================
   >>json: a strict JSON parser and writer, base64, CRC-32, DynamoDB JSON
   ========================================================================================== */

/* ---- JSON: a strict parser into a read-only tree, and DynamoDB JSON on top of it ------------- */

typedef enum olock_json_kind {
    OLOCK_JSON_NULL = 1,
    OLOCK_JSON_FALSE,
    OLOCK_JSON_TRUE,
    OLOCK_JSON_NUMBER,
    OLOCK_JSON_STRING,
    OLOCK_JSON_ARRAY,
    OLOCK_JSON_OBJECT
} olock_json_kind;

/* A parsed JSON node. Strings are unescaped, valid UTF-8 and NUL-terminated (they may hold
   NUL bytes: use len). Numbers keep their text in str. Object members keep document order. */
typedef struct olock_json olock_json;
struct olock_json {
    olock_json_kind kind;
    uint32_t count;  /* members of an array or object */
    const char *str; /* STRING, NUMBER */
    size_t len;
    const char *key; /* object member name */
    size_t key_len;
    olock_json *first; /* ARRAY, OBJECT */
    olock_json *next;
    size_t offset; /* byte offset of the node in the parsed text */
};

typedef struct olock_json_limits {
    size_t max_bytes;   /* 0: 16 MiB */
    unsigned max_depth; /* 0: OLOCK_MAX_DEPTH */
} olock_json_limits;

/* Parses exactly one JSON value (surrounding whitespace allowed) into nodes allocated in `a`.
   Rejects invalid UTF-8, lone surrogates, control characters, leading zeros, trailing commas,
   trailing garbage; PARSE or LIMIT with err->offset at the offending byte. */
OLOCK_API olock_result olock_json_parse(olock_arena *a, const char *text, size_t len,
                                        const olock_json_limits *limits, olock_json **out, olock_error *err);
/* Object member by name (first match), or NULL. */
OLOCK_API const olock_json *olock_json_get(const olock_json *obj, const char *key);

/* DynamoDB JSON ({"S":"x"}, {"N":"1"}, {"M":{...}}, ...) to values, strictly: exactly one type
   key, valid numbers, valid base64, no duplicate or empty sets, no duplicate map keys.
   olock_item_from_json takes an object of attribute values (an Item, Key or Attributes). */
OLOCK_API olock_result olock_value_from_json(olock_arena *a, const olock_json *attr, olock_value **out, olock_error *err);
OLOCK_API olock_result olock_map_from_json(olock_arena *a, const olock_json *obj, olock_value **out, olock_error *err);
OLOCK_API olock_result olock_item_parse_json(const char *text, size_t len, const olock_allocator *alloc,
                                             olock_item **out, olock_error *err);

/* Writers append to a buffer; on failure the buffer is restored to its previous length. */
OLOCK_API olock_result olock_json_write_string(olock_buf *b, const char *s, size_t len);
OLOCK_API olock_result olock_value_write_json(const olock_value *v, olock_buf *b);
OLOCK_API olock_result olock_item_write_json(const olock_item *it, olock_buf *b);

/* Base64 (RFC 4648, padded), as DynamoDB uses for B and BS. */
OLOCK_API size_t olock_base64_encoded_len(size_t len);
OLOCK_API olock_result olock_base64_encode(const void *data, size_t len, olock_buf *out);
/* Strict: padding required, no whitespace, no bits set in the padding. PARSE otherwise. */
OLOCK_API olock_result olock_base64_decode(const char *text, size_t len, unsigned char *out, size_t *out_len);

/* CRC-32 (IEEE 802.3), as in the x-amz-crc32 header; crc is a previous result to continue from
   (0 to start). Eight bytes a step from tables, or 64 with PCLMULQDQ on x86-64 CPUs that have it
   (GCC/Clang; OLOCK_NO_PCLMUL turns that off). */
OLOCK_API uint32_t olock_crc32(uint32_t crc, const void *data, size_t len);
/* =============================================================================================
   >>wire: the HTTP transport contract, operations, request encoders, responses and error classes
   ========================================================================================== */

/* ---- HTTP transport (the dumb pipe every backend implements) --------------------------------- */

typedef struct olock_http_header {
    const char *name;
    const char *value;
} olock_http_header;

/* Built (and signed) by the core; valid for the duration of one send call. */
typedef struct olock_http_request {
    const char *method;               /* "POST" */
    const char *url;                  /* e.g. "https://dynamodb.eu-west-1.amazonaws.com/" */
    const olock_http_header *headers; /* Host, Content-Type, X-Amz-Target, X-Amz-Date, Authorization, ... */
    size_t header_count;
    const char *body; /* DynamoDB JSON */
    size_t body_len;
} olock_http_request;

/* The response a transport fills in. Core-owned and reused between requests: a transport
   sets the status, adds headers and appends body bytes through the functions below. */
typedef struct olock_http_response {
    int status;        /* HTTP status; 0 until set */
    olock_buf body;    /* body.max caps the body (OLOCK_ERR_LIMIT past it) */
    olock_buf headers; /* internal: "name\0value\0" pairs */
    size_t header_count;
} olock_http_response;

OLOCK_API void olock_http_response_init(olock_http_response *res, const olock_allocator *alloc, size_t max_body);
OLOCK_API void olock_http_response_reset(olock_http_response *res); /* keeps memory */
OLOCK_API void olock_http_response_free(olock_http_response *res);
OLOCK_API olock_result olock_http_response_add_header(olock_http_response *res, const char *name, size_t name_len,
                                                      const char *value, size_t value_len);
OLOCK_API olock_result olock_http_response_append(olock_http_response *res, const void *data, size_t len);
/* Value of the first header of that name (case-insensitive), or NULL. */
OLOCK_API const char *olock_http_response_header(const olock_http_response *res, const char *name);

/* What a transport needs from the client's configuration (olock_transport.kind). */
typedef enum olock_transport_kind {
    /* Not said (the behaviour from before this field existed): requests are signed when
       credentials and a region are known and go unsigned otherwise; with neither endpoint nor
       region the URL is http://localhost/. */
    OLOCK_TRANSPORT_UNSPECIFIED = 0,
    /* Real HTTP (olock_curl.h, or your own HTTP stack): olock_client_create fails with
       OLOCK_ERR_CONFIG, saying what to set, unless a region, credentials and (from them or the
       config) an endpoint are known, so that every request goes out signed to a real URL. */
    OLOCK_TRANSPORT_NETWORK = 1,
    /* In-process (olock_fake.h): ignores the URL and the signature, so it needs none of them;
       requests are signed all the same when credentials and a region are known. */
    OLOCK_TRANSPORT_IN_PROCESS = 2
} olock_transport_kind;

/* A transport moves one request and fills one response.
   send returns OLOCK_OK whenever an HTTP response arrived, whatever its status; otherwise
   OLOCK_ERR_NOT_SENT when the request certainly never reached the server (DNS, connect, TLS
   handshake), or OLOCK_ERR_MAYBE_SENT when it may have been applied (timeout or connection
   lost after sending). Any other result is treated as OLOCK_ERR_MAYBE_SENT.
   destroy (may be NULL) releases `user`; the client calls it from olock_client_destroy.
   The fields after destroy are optional and 0 / NULL keeps the behaviour from before they
   existed. Start from olock_config_default()'s transport (or zero the struct) and set the
   fields you have: a transport filled in field by field in an uninitialised variable must set
   these too. A wrapper that replaces `user` must also replace or clear last_error. */
typedef struct olock_transport {
    void *user;
    olock_result (*send)(void *user, const olock_http_request *req, olock_http_response *res);
    void (*destroy)(void *user);
    olock_transport_kind kind; /* what the client must know before it sends anything */
    /* Called (may be NULL) right after a send that did not return OLOCK_OK: the transport's
       own words about the failure, e.g. "Failed to connect to 127.0.0.1 port 1: Connection
       refused" (the core says whether the request was sent, from send's result). NULL or ""
       for none; never a secret; valid until the next send. The core puts it in
       olock_error.message: "request not sent: <text>". */
    const char *(*last_error)(void *user);
} olock_transport;

/* ---- Requests: DynamoDB operations encoded as DynamoDB JSON ---------------------------------- */

typedef enum olock_op {
    OLOCK_OP_GET_ITEM = 1,
    OLOCK_OP_PUT_ITEM,
    OLOCK_OP_UPDATE_ITEM,
    OLOCK_OP_DELETE_ITEM,
    OLOCK_OP_TRANSACT_WRITE_ITEMS,
    OLOCK_OP_TRANSACT_GET_ITEMS,
    OLOCK_OP_BATCH_GET_ITEM,
    OLOCK_OP_BATCH_WRITE_ITEM,
    OLOCK_OP_QUERY,
    OLOCK_OP_SCAN,
    OLOCK_OP_CREATE_TABLE,
    OLOCK_OP_DESCRIBE_TABLE,
    OLOCK_OP_DELETE_TABLE,
    OLOCK_OP_LIST_TABLES,
    OLOCK_OP_COUNT_
} olock_op;

/* "GetItem", ...; olock_op_from_name accepts the bare name or "DynamoDB_20120810.<Name>"
   and returns 0 for an unknown one. */
OLOCK_API const char *olock_op_name(olock_op op);
OLOCK_API olock_op olock_op_from_name(const char *name, size_t len);

typedef enum olock_return_values {
    OLOCK_RV_OMIT = 0, /* not sent: DynamoDB's default (NONE) */
    OLOCK_RV_NONE,
    OLOCK_RV_ALL_OLD,
    OLOCK_RV_UPDATED_OLD,
    OLOCK_RV_ALL_NEW,
    OLOCK_RV_UPDATED_NEW
} olock_return_values;

/* One item operation: GetItem, PutItem, UpdateItem, DeleteItem, or one action of a
   transaction. Fields an operation does not use must be left NULL / 0 (the encoder says
   INVALID_ARG otherwise, so a mistake is not silently dropped). Maps are olock_values of
   type M: `names` maps "#x" to S values, `values` maps ":x" to any value. */
typedef struct olock_item_request {
    const char *table;
    const olock_value *key;    /* Get, Update, Delete, transaction Update/Delete/Check */
    const olock_value *item;   /* Put */
    const char *condition;     /* ConditionExpression */
    const char *update;        /* UpdateExpression (Update) */
    const char *projection;    /* ProjectionExpression (Get) */
    const olock_value *names;  /* ExpressionAttributeNames */
    const olock_value *values; /* ExpressionAttributeValues */
    int consistent_read;       /* Get */
    olock_return_values return_values;
    olock_return_values return_values_on_condition_check_failure; /* OMIT, NONE or ALL_OLD */
} olock_item_request;

typedef enum olock_txn_kind {
    OLOCK_TXN_PUT = 1,
    OLOCK_TXN_UPDATE,
    OLOCK_TXN_DELETE,
    OLOCK_TXN_CONDITION_CHECK
} olock_txn_kind;

typedef struct olock_txn_action {
    olock_txn_kind kind;
    olock_item_request req; /* return_values must be OMIT */
} olock_txn_action;

typedef struct olock_batch_get_table {
    const char *table;
    const olock_value *const *keys;
    size_t key_count;
    const char *projection;
    const olock_value *names;
    int consistent_read;
} olock_batch_get_table;

typedef struct olock_batch_write_entry {
    const char *table;
    const olock_value *put_item; /* exactly one of put_item and delete_key */
    const olock_value *delete_key;
} olock_batch_write_entry;

typedef struct olock_query_request {
    const char *table;
    const char *index;         /* IndexName or NULL */
    const char *key_condition; /* Query only */
    const char *filter;
    const char *projection;
    const olock_value *names;
    const olock_value *values;
    int consistent_read;
    int scan_backward; /* ScanIndexForward=false (Query only) */
    uint32_t limit;    /* 0: no Limit */
    const olock_value *exclusive_start_key;
} olock_query_request;

typedef struct olock_create_table_request {
    const char *table;
    const char *hash_key;
    olock_type hash_type;  /* S, N or B */
    const char *range_key; /* NULL for a hash-only table */
    olock_type range_type;
    uint64_t read_capacity; /* both 0: PAY_PER_REQUEST */
    uint64_t write_capacity;
} olock_create_table_request;

/* Each encoder appends one request body to `body` (restored on failure). */
OLOCK_API olock_result olock_encode_item_request(olock_op op, const olock_item_request *r, olock_buf *body, olock_error *err);
OLOCK_API olock_result olock_encode_transact_write(const olock_txn_action *actions, size_t count,
                                                   const char *client_request_token, olock_buf *body, olock_error *err);
OLOCK_API olock_result olock_encode_transact_get(const olock_item_request *gets, size_t count, olock_buf *body, olock_error *err);
OLOCK_API olock_result olock_encode_batch_get(const olock_batch_get_table *tables, size_t count, olock_buf *body, olock_error *err);
OLOCK_API olock_result olock_encode_batch_write(const olock_batch_write_entry *entries, size_t count, olock_buf *body, olock_error *err);
OLOCK_API olock_result olock_encode_query(olock_op op, const olock_query_request *r, olock_buf *body, olock_error *err); /* QUERY or SCAN */
OLOCK_API olock_result olock_encode_create_table(const olock_create_table_request *r, olock_buf *body, olock_error *err);
/* DescribeTable, DeleteTable ({"TableName":...}) and ListTables (table: ExclusiveStartTableName or NULL). */
OLOCK_API olock_result olock_encode_table_op(olock_op op, const char *table, olock_buf *body, olock_error *err);

/* Request structs with every field 0 / NULL (no table, no key, OLOCK_RV_OMIT, no Limit, ...),
   so that a request is written as `olock_item_request r = olock_item_request_default();` and
   only the fields it uses are set, as with olock_config_default(). Nothing is allocated.
   olock_txn_action_default's kind is 0, which is no olock_txn_kind: set it. */
OLOCK_API olock_item_request olock_item_request_default(void);
OLOCK_API olock_query_request olock_query_request_default(void);
OLOCK_API olock_create_table_request olock_create_table_request_default(void);
OLOCK_API olock_txn_action olock_txn_action_default(void);
OLOCK_API olock_batch_get_table olock_batch_get_table_default(void);
OLOCK_API olock_batch_write_entry olock_batch_write_entry_default(void);

/* ---- Responses and error classes ------------------------------------------------------------- */

typedef struct olock_cancel_reason {
    const char *code;        /* "None", "ConditionalCheckFailed", "TransactionConflict", ... */
    const char *message;     /* may be NULL */
    const olock_value *item; /* ALL_OLD item when asked for and returned, else NULL */
} olock_cancel_reason;

/* A decoded response. Everything points into the arena given to the decoder. */
typedef struct olock_response {
    olock_op op;
    int http_status;
    olock_error_class error_class; /* OLOCK_CLASS_NONE on success */
    const char *error_type;        /* "ConditionalCheckFailedException" (after '#'), or NULL */
    const char *error_message;     /* from "message" or "Message"; NULL when absent */
    /* GetItem: Item; Put/Update/DeleteItem: Attributes; ConditionalCheckFailedException: the
       ALL_OLD Item when returned. NULL when absent. */
    const olock_value *item;
    const olock_cancel_reason *reasons; /* TransactionCanceledException: one per action */
    size_t reason_count;
    /* Query/Scan: Items; TransactGetItems: Responses (NULL entries for missing items);
       BatchGetItem: every returned item, with item_tables[i] naming its table. */
    const olock_value *const *items;
    const char *const *item_tables;
    size_t item_count;
    uint64_t count, scanned_count; /* Query/Scan */
    const olock_value *last_evaluated_key;
    int has_unprocessed;    /* BatchGet/BatchWrite left work undone (see json) */
    const olock_json *json; /* the whole body, for anything not decoded above */
} olock_response;

/* Decodes a DynamoDB response body for `op`. Success bodies are checked to be what DynamoDB
   sends; error bodies are classified. Returns OLOCK_OK for any well-formed response, error
   responses included (look at out->error_class); PARSE / RESPONSE for malformed ones. */
OLOCK_API olock_result olock_response_decode(olock_arena *a, olock_op op, int http_status,
                                             const char *body, size_t len, olock_response *out, olock_error *err);

/* The class of an AWS error name (the text after '#'), given the HTTP status. */
OLOCK_API olock_error_class olock_classify_error(int http_status, const char *aws_type);
/* The class of a TransactionCanceledException from its reasons: CONFLICT when any reason is
   ConditionalCheckFailed, else TRANSIENT when any is TransactionConflict, ThrottlingError or
   ProvisionedThroughputExceeded, else FATAL. */
OLOCK_API olock_error_class olock_classify_cancellation(const olock_cancel_reason *reasons, size_t count);
/* The olock_result an error class becomes when the operation gives up. */
OLOCK_API olock_result olock_class_result(olock_error_class c);
/* =============================================================================================
   >>expr: expression builders: conditions, updates, projections, key conditions
   ========================================================================================== */

/* ---- Expressions: conditions, updates, projections and key conditions with automatic placeholders ---- */

/* README snippet (tests/test_expr.c compiles the same code and checks the strings shown):

       // Give player-7 10 gold, but only while active and below 1000 gold.
       olock_expr *e = NULL;
       olock_item_request req;
       olock_error err;
       olock_expr_create(NULL, &e);                          // NULL: default allocator
       olock_expr_add_condition(e, olock_cond_and(e,
           olock_cond_eq(e, "status", olock_expr_s(e, "active")),
           olock_cond_lt(e, "stats.gold", olock_expr_i64(e, 1000))));
       olock_expr_set_plus(e, "stats.gold", NULL, olock_expr_i64(e, 10)); // gold = gold + 10
       olock_expr_set(e, "data", olock_expr_s(e, "x"));    // "data" is a reserved word: fine
       olock_expr_remove(e, "tmp[0]");

       memset(&req, 0, sizeof req);
       req.table = "players";
       req.key = key;                                        // an olock_value of type M
       if (olock_expr_render_item(e, &req, &err) != OLOCK_OK)  // one check for all the calls
           fprintf(stderr, "%s\n", err.message);
       // req.condition  "#n0 = :v0 AND #n1.#n2 < :v1"
       // req.update     "SET #n1.#n2 = #n1.#n2 + :v2, #n3 = :v3 REMOVE #n4[0]"
       // req.names      {#n0: status, #n1: stats, #n2: gold, #n3: data, #n4: tmp}
       // req.values     {:v0: "active", :v1: 1000, :v2: 10, :v3: "x"}
       olock_update_item(client, &req, &res, &err);
       olock_expr_reset(e);                                  // reuse it for the next request
       olock_expr_destroy(e);

   HOW IT WORKS
   An olock_expr builds the expressions of ONE request (condition, update, projection, key
   condition, filter) and owns one placeholder namespace for all of them. Every path segment
   becomes an attribute name placeholder (#n0, #n1, ...; one per distinct name) and every value
   a value placeholder (:v0, :v1, ...; one per use, never shared), so reserved words, dots
   and Unicode in names are never a problem. Placeholders are numbered when rendering, in text
   order of the expressions in this order: condition, update, projection, key condition,
   filter. The output is deterministic: the same calls give the same strings and maps.

   Handles (olock_cond, olock_operand, path text from olock_path_*) and values made with
   olock_expr_s() & co. live in the builder's arena: valid until olock_expr_reset or
   olock_expr_destroy. Values passed in are copied, so they may die right after the call.

   ERRORS ARE STICKY. The first failing call records its error in the builder; every later
   call is a no-op (handle constructors return NULL, and a NULL handle passed on is ignored),
   and olock_expr_render* / olock_expr_status report that first error. So chain freely and
   check once. Codes: OLOCK_ERR_EXPRESSION (bad path text, wrong operand kind, overlapping
   update or projection paths, undefined or unused raw placeholders, ...), OLOCK_ERR_LIMIT
   (4096-byte expression, 32 path levels, index > 2^31-1, IN > 100 operands, 300 operators,
   255-byte placeholder), OLOCK_ERR_TYPE (ADD not a number or set, DELETE not a set, ordering
   a BOOL, ...), OLOCK_ERR_INVALID_ARG (NULL argument, bad enum, handle of another builder),
   OLOCK_ERR_NOMEM. Two failing arguments of ONE call may be reported in either order (C does
   not fix the order in which arguments are evaluated). olock_expr_reset clears the error.

   LIMITS CHECKED: 4096 bytes per expression; 300 operators and functions per expression
   (comparisons, BETWEEN, IN, AND, OR, NOT, each function incl. size(), + and -; DynamoDB
   counts these, measured against DynamoDB Local); IN with 1..100 operands; 32 path levels;
   list index 0..2^31-1; placeholders of the caller's maps 2..255 bytes. DynamoDB documents no
   limit on the number of placeholders (the 4096 bytes bound them).

   PATH TEXT
   "a.b[3].c": names separated by '.', list indexes in brackets (decimal, 0 .. 2^31-1).
   A name is any non-empty run of bytes other than . [ ] ` and ASCII whitespace/control
   characters; UTF-8 (validated) is fine. Any other name is written in backticks, with a
   backtick doubled: "`my.attr`.b", "`a``b`". You need not write quotes yourself:
   olock_path_name / olock_path_key / olock_path_index build path text from raw names.
   At most OLOCK_PATH_MAX_DEPTH segments.

   THREADS: one builder per thread at a time; builders are independent. */

#define OLOCK_EXPR_MAX_BYTES 4096       /* longest expression string DynamoDB accepts */
#define OLOCK_EXPR_MAX_IN 100           /* operands of IN after the first */
#define OLOCK_EXPR_MAX_OPERATORS 300    /* operators and functions in one expression */
#define OLOCK_PATH_MAX_DEPTH 32         /* segments of one document path */
#define OLOCK_PATH_MAX_INDEX 2147483647 /* largest list index */
#define OLOCK_PLACEHOLDER_MAX 255       /* bytes of one placeholder, '#' or ':' included */

typedef struct olock_expr olock_expr;       /* the builder */
typedef struct olock_cond olock_cond;       /* a condition (in the builder's arena) */
typedef struct olock_operand olock_operand; /* a path, value, size(path) or SET function */

typedef enum olock_cmp {
    OLOCK_CMP_EQ = 1, /* =  */
    OLOCK_CMP_NE,     /* <> */
    OLOCK_CMP_LT,     /* <  */
    OLOCK_CMP_LE,     /* <= */
    OLOCK_CMP_GT,     /* >  */
    OLOCK_CMP_GE      /* >= */
} olock_cmp;

/* What olock_expr_render produces. Strings and maps are owned by the builder and stay valid
   until the next render, reset or destroy. A field is NULL when there is nothing to send
   (an unused expression, an empty map: DynamoDB rejects empty maps). */
typedef struct olock_expr_output {
    const char *condition;     /* ConditionExpression */
    const char *update;        /* UpdateExpression */
    const char *projection;    /* ProjectionExpression */
    const char *key_condition; /* KeyConditionExpression */
    const char *filter;        /* FilterExpression */
    const olock_value *names;  /* M: "#n0" -> S name; the caller's raw names first */
    const olock_value *values; /* M: ":v0" -> value; the caller's raw values first */
} olock_expr_output;

/* ---- The builder ----------------------------------------------------------------------------- */

/* Creates an empty builder. `alloc` (NULL: default allocator) is copied. Returns OK or
   NOMEM; *out is written only on success. */
OLOCK_API olock_result olock_expr_create(const olock_allocator *alloc, olock_expr **out);
/* Frees the builder and everything it handed out. NULL is a no-op. */
OLOCK_API void olock_expr_destroy(olock_expr *e);
/* Forgets every expression, handle, value and the sticky error, keeping the memory: a builder
   reset and refilled with the same shape of request allocates nothing. NULL is a no-op. */
OLOCK_API void olock_expr_reset(olock_expr *e);
/* The builder's arena, for values that should die with the next reset. */
OLOCK_API olock_arena *olock_expr_arena(olock_expr *e);
/* From now until the next reset, values given to the builder (conditions, updates, the
   caller's placeholder maps) are referenced instead of copied: they must stay unchanged until
   the rendered request has been encoded or the builder is reset. For code that builds many
   requests from values it owns anyway (the versioned engine does): it saves a deep copy of
   each value. Off after create and reset. */
OLOCK_API void olock_expr_borrow_values(olock_expr *e, int borrow);
/* The sticky error: OLOCK_OK, or the first failure (detail copied into err when non-NULL). */
OLOCK_API olock_result olock_expr_status(const olock_expr *e, olock_error *err);

/* Value shorthands in the builder's arena (a NULL result records NOMEM, or EXPRESSION for
   number text that is not a DynamoDB number). */
OLOCK_API const olock_value *olock_expr_s(olock_expr *e, const char *s);           /* S */
OLOCK_API const olock_value *olock_expr_n(olock_expr *e, const char *number_text); /* N */
OLOCK_API const olock_value *olock_expr_i64(olock_expr *e, int64_t v);             /* N */
OLOCK_API const olock_value *olock_expr_bool(olock_expr *e, int b);                /* BOOL */

/* ---- Paths ----------------------------------------------------------------------------------- */

/* Path text naming the top-level attribute `name` taken literally (dots, brackets, spaces,
   backticks and all): quoted with backticks when needed. In the builder's arena; NULL on
   error (empty name, invalid UTF-8). */
OLOCK_API const char *olock_path_name(olock_expr *e, const char *name);
/* Path text for member `name` (literal) of the map at path text `parent`. */
OLOCK_API const char *olock_path_key(olock_expr *e, const char *parent, const char *name);
/* Path text for element `index` (0 .. OLOCK_PATH_MAX_INDEX) of the list at `parent`. */
OLOCK_API const char *olock_path_index(olock_expr *e, const char *parent, int64_t index);

/* ---- Operands (the general form; most callers use the shorthands below) ---------------------- */

/* Each returns a handle in the builder's arena, or NULL on error. */
OLOCK_API const olock_operand *olock_operand_path(olock_expr *e, const char *path);
OLOCK_API const olock_operand *olock_operand_value(olock_expr *e, const olock_value *v); /* copied */
OLOCK_API const olock_operand *olock_operand_size(olock_expr *e, const char *path);      /* size(path) */
/* SET only: if_not_exists(path, fallback), list_append(a, b), a + b, a - b. */
OLOCK_API const olock_operand *olock_operand_if_not_exists(olock_expr *e, const char *path, const olock_operand *fallback);
OLOCK_API const olock_operand *olock_operand_list_append(olock_expr *e, const olock_operand *a, const olock_operand *b);
OLOCK_API const olock_operand *olock_operand_plus(olock_expr *e, const olock_operand *a, const olock_operand *b);
OLOCK_API const olock_operand *olock_operand_minus(olock_expr *e, const olock_operand *a, const olock_operand *b);

/* ---- Conditions (for olock_expr_add_condition and olock_expr_add_filter) --------------------- */

/* Every constructor returns a handle in the builder's arena, or NULL on error (recorded).
   A handle can be used in several places of the same request. Values are copied. */

/* path <op> value. Ordering operators (< <= > >=) need an N, S or B value. */
OLOCK_API const olock_cond *olock_cond_cmp(olock_expr *e, const char *path, olock_cmp op, const olock_value *v);
OLOCK_API const olock_cond *olock_cond_eq(olock_expr *e, const char *path, const olock_value *v);
OLOCK_API const olock_cond *olock_cond_ne(olock_expr *e, const char *path, const olock_value *v);
OLOCK_API const olock_cond *olock_cond_lt(olock_expr *e, const char *path, const olock_value *v);
OLOCK_API const olock_cond *olock_cond_le(olock_expr *e, const char *path, const olock_value *v);
OLOCK_API const olock_cond *olock_cond_gt(olock_expr *e, const char *path, const olock_value *v);
OLOCK_API const olock_cond *olock_cond_ge(olock_expr *e, const char *path, const olock_value *v);
/* path <op> other_path (two distinct paths, as DynamoDB requires). */
OLOCK_API const olock_cond *olock_cond_cmp_path(olock_expr *e, const char *path, olock_cmp op, const char *other_path);
/* size(path) <op> value. */
OLOCK_API const olock_cond *olock_cond_size_cmp(olock_expr *e, const char *path, olock_cmp op, const olock_value *v);
/* a <op> b for any operands (path, value, size). */
OLOCK_API const olock_cond *olock_cond_compare(olock_expr *e, const olock_operand *a, olock_cmp op, const olock_operand *b);

/* path BETWEEN lo AND hi: N, S or B values of one type with lo <= hi. */
OLOCK_API const olock_cond *olock_cond_between(olock_expr *e, const char *path, const olock_value *lo, const olock_value *hi);
OLOCK_API const olock_cond *olock_cond_between_operands(olock_expr *e, const olock_operand *a,
                                                        const olock_operand *lo, const olock_operand *hi);
/* path IN (values[0], ...): 1 .. OLOCK_EXPR_MAX_IN values (LIMIT beyond). */
OLOCK_API const olock_cond *olock_cond_in(olock_expr *e, const char *path, const olock_value *const *values, size_t count);
OLOCK_API const olock_cond *olock_cond_in_operands(olock_expr *e, const olock_operand *a,
                                                   const olock_operand *const *list, size_t count);

OLOCK_API const olock_cond *olock_cond_attribute_exists(olock_expr *e, const char *path);
OLOCK_API const olock_cond *olock_cond_attribute_not_exists(olock_expr *e, const char *path);
/* attribute_type(path, :v) with :v the type name ("S", "N", "M", ...). */
OLOCK_API const olock_cond *olock_cond_attribute_type(olock_expr *e, const char *path, olock_type t);
/* begins_with(path, prefix): prefix S or B. */
OLOCK_API const olock_cond *olock_cond_begins_with(olock_expr *e, const char *path, const olock_value *prefix);
/* contains(path, operand): a substring, or a member of a set or list. */
OLOCK_API const olock_cond *olock_cond_contains(olock_expr *e, const char *path, const olock_value *operand);
OLOCK_API const olock_cond *olock_cond_begins_with_operands(olock_expr *e, const olock_operand *a, const olock_operand *b);
OLOCK_API const olock_cond *olock_cond_contains_operands(olock_expr *e, const olock_operand *a, const olock_operand *b);

/* a AND b, a OR b, NOT a. Parentheses are written where precedence needs them. */
OLOCK_API const olock_cond *olock_cond_and(olock_expr *e, const olock_cond *a, const olock_cond *b);
OLOCK_API const olock_cond *olock_cond_or(olock_expr *e, const olock_cond *a, const olock_cond *b);
OLOCK_API const olock_cond *olock_cond_not(olock_expr *e, const olock_cond *a);
/* A condition written by hand with the caller's own placeholders (see olock_expr_add_maps).
   Copied; always parenthesised when combined. Its placeholders must be defined in the maps. */
OLOCK_API const olock_cond *olock_cond_raw(olock_expr *e, const char *text);

/* ---- What the request uses ------------------------------------------------------------------- */

/* ANDs `c` onto the request's ConditionExpression (sets it when there is none yet). This is
   how the versioned engine adds its version check to the caller's condition. */
OLOCK_API void olock_expr_add_condition(olock_expr *e, const olock_cond *c);
/* ANDs `c` onto the request's FilterExpression (Query, Scan). */
OLOCK_API void olock_expr_add_filter(olock_expr *e, const olock_cond *c);
/* Adds `path` to the ProjectionExpression. Overlapping paths ("a" and "a.b") are rejected
   at render time, as DynamoDB rejects them. */
OLOCK_API void olock_expr_add_projection(olock_expr *e, const char *path);
/* The caller's own placeholder maps (M values: "#x" -> S, ":x" -> value; either may be NULL),
   used by olock_cond_raw / olock_expr_update_raw text. Copied; may be called several times (a
   key given twice must map to equal values). Generated placeholders skip the numbers these
   maps use. At render time every placeholder in raw text must be defined, and every entry
   must be used by some raw text (DynamoDB rejects unused entries). */
OLOCK_API void olock_expr_add_maps(olock_expr *e, const olock_value *names, const olock_value *values);

/* ---- Key conditions (Query) ------------------------------------------------------------------ */

/* Key attribute names are literal top-level names, not path text. */
/* partition_key = v (S, N or B). Required once a sort-key condition is given. */
OLOCK_API void olock_key_partition_eq(olock_expr *e, const char *name, const olock_value *v);
/* sort_key <op> v, op one of EQ LT LE GT GE. At most one sort-key condition. */
OLOCK_API void olock_key_sort_cmp(olock_expr *e, const char *name, olock_cmp op, const olock_value *v);
OLOCK_API void olock_key_sort_between(olock_expr *e, const char *name, const olock_value *lo, const olock_value *hi);
OLOCK_API void olock_key_sort_begins_with(olock_expr *e, const char *name, const olock_value *prefix);

/* ---- Updates --------------------------------------------------------------------------------- */

/* Actions render as "SET a, b REMOVE c ADD d DELETE e": clauses in that order, actions in
   call order within a clause. Two actions on the same or overlapping paths ("a" and "a.b",
   "l" and "l[0]"; not "l[0]" and "l[1]") are rejected at render time. */

/* SET path = v. */
OLOCK_API void olock_expr_set(olock_expr *e, const char *path, const olock_value *v);
/* SET path = operand (any SET operand: path, value, if_not_exists, list_append, +, -). */
OLOCK_API void olock_expr_set_operand(olock_expr *e, const char *path, const olock_operand *v);
/* SET path = src + v / src - v, v a number; src NULL means `path` itself (a counter). */
OLOCK_API void olock_expr_set_plus(olock_expr *e, const char *path, const char *src, const olock_value *v);
OLOCK_API void olock_expr_set_minus(olock_expr *e, const char *path, const char *src, const olock_value *v);
/* SET path = if_not_exists(src, v); src NULL means `path`. */
OLOCK_API void olock_expr_set_if_not_exists(olock_expr *e, const char *path, const char *src, const olock_value *v);
/* SET path = list_append(src, list) (append) / list_append(list, src) (prepend); `list` is
   an L value; src NULL means `path`. */
OLOCK_API void olock_expr_list_append(olock_expr *e, const char *path, const char *src, const olock_value *list);
OLOCK_API void olock_expr_list_prepend(olock_expr *e, const char *path, const olock_value *list, const char *src);
/* REMOVE path. */
OLOCK_API void olock_expr_remove(olock_expr *e, const char *path);
/* ADD path v: v is N (add to a number) or SS/NS/BS (add members). */
OLOCK_API void olock_expr_add_to(olock_expr *e, const char *path, const olock_value *v);
/* DELETE path v: v is SS/NS/BS (remove members). */
OLOCK_API void olock_expr_delete_from(olock_expr *e, const char *path, const olock_value *v);
/* An update written by hand ("SET #a = :x REMOVE b"), with the caller's placeholders. Its
   actions are merged into the builder's clauses (DynamoDB allows each clause once) in call
   order, and their target paths take part in the overlap check. */
OLOCK_API void olock_expr_update_raw(olock_expr *e, const char *text);

/* ---- Rendering ------------------------------------------------------------------------------- */

/* Validates everything and writes the expression strings and maps into *out (on success
   only). Returns the sticky error if there is one (detail in err), else OK or the first
   validation failure (which then becomes sticky). May be called again after more calls. */
OLOCK_API olock_result olock_expr_render(olock_expr *e, olock_expr_output *out, olock_error *err);
/* Renders and fills condition, update, projection, names and values of `r` (NULL where
   unused). INVALID_ARG when a key condition or filter was given: they belong to a query. */
OLOCK_API olock_result olock_expr_render_item(olock_expr *e, olock_item_request *r, olock_error *err);
/* Renders and fills key_condition, filter, projection, names and values of `r`.
   INVALID_ARG when a condition or update was given. */
OLOCK_API olock_result olock_expr_render_query(olock_expr *e, olock_query_request *r, olock_error *err);
/* =============================================================================================
   >>sigv4: SHA-256 and HMAC-SHA256, SigV4 request signing, the credentials type
   ========================================================================================== */

typedef struct olock_credentials {
    const char *access_key_id;
    const char *secret_access_key;
    const char *session_token; /* NULL unless temporary credentials */
} olock_credentials;

/* ---- SHA-256 and HMAC-SHA256 (built in, or mbedTLS's with OLOCK_USE_MBEDTLS) ----------------- */


#define OLOCK_SHA256_SIZE 32     /* digest bytes */
#define OLOCK_SHA256_HEX_SIZE 65 /* lower-case hex digest + NUL */

/* A streaming SHA-256 context: init, update any number of times, final. Plain data that may
   live on the stack; after final it must be initialised again before reuse. */
typedef struct olock_sha256 {
#ifdef OLOCK_USE_MBEDTLS
    mbedtls_sha256_context md;
#else
    uint32_t state[8];
    uint64_t count;          /* bytes absorbed so far */
    unsigned char block[64]; /* pending bytes: count % 64 of them */
#endif
} olock_sha256;

/* A streaming HMAC-SHA256 context; final wipes it (it holds key material). */
typedef struct olock_hmac_sha256 {
    olock_sha256 inner;
    olock_sha256 outer;
} olock_hmac_sha256;

/* None of these can fail. `data` may be NULL when its length is 0. The built-in SHA-256 uses
   the x86-64 SHA extensions when the CPU has them (GCC/Clang; OLOCK_NO_SHA_NI turns that off).
   CPUID is asked once and the answer kept in a static int read and written with relaxed
   atomics: it never changes, so this is the one piece of process-wide state. */
OLOCK_API void olock_sha256_init(olock_sha256 *ctx);
OLOCK_API void olock_sha256_update(olock_sha256 *ctx, const void *data, size_t len);
OLOCK_API void olock_sha256_final(olock_sha256 *ctx, unsigned char out[OLOCK_SHA256_SIZE]);
OLOCK_API void olock_sha256_digest(const void *data, size_t len, unsigned char out[OLOCK_SHA256_SIZE]);
/* Keys of any length (longer than 64 bytes are hashed first, as RFC 2104 says). */
OLOCK_API void olock_hmac_sha256_init(olock_hmac_sha256 *ctx, const void *key, size_t key_len);
OLOCK_API void olock_hmac_sha256_update(olock_hmac_sha256 *ctx, const void *data, size_t len);
OLOCK_API void olock_hmac_sha256_final(olock_hmac_sha256 *ctx, unsigned char out[OLOCK_SHA256_SIZE]);
OLOCK_API void olock_hmac_sha256_digest(const void *key, size_t key_len, const void *data, size_t len,
                                        unsigned char out[OLOCK_SHA256_SIZE]);
/* Writes 2 * len lower-case hex digits and a NUL to `out` (2 * len + 1 bytes). */
OLOCK_API void olock_hex_encode(const void *data, size_t len, char *out);

/* ---- SigV4 (AWS4-HMAC-SHA256) request signing, header variant -------------------------------- */

/* Flags of olock_sigv4_signer_sign. DynamoDB requests are signed with OLOCK_SIGV4_NORMALIZE_PATH. */
#define OLOCK_SIGV4_NORMALIZE_PATH 1u /* drop "." and ".." segments and merge repeated '/' */
#define OLOCK_SIGV4_SIGN_BODY 2u      /* add (and sign) x-amz-content-sha256: <payload hash> */
#define OLOCK_SIGV4_UNSIGNED_TOKEN 4u /* add X-Amz-Security-Token after signing, unsigned (STS style) */

#define OLOCK_SIGV4_MAX_HEADERS 64      /* headers per request (LIMIT beyond) */
#define OLOCK_SIGV4_MAX_QUERY_PARAMS 64 /* query parameters per request (LIMIT beyond) */
#define OLOCK_SIGV4_NAME_MAX 64         /* longest region or service name */

/* The request to sign. Strings are NUL-terminated and only read during the call. */
typedef struct olock_sigv4_request {
    const char *method;               /* "POST"; required */
    const char *path;                 /* as sent on the wire, already percent-encoded (the signer encodes
                                      it once more, as SigV4 asks of non-S3 services); NULL or "" = "/" */
    const char *query;                /* raw query string without '?'; NULL = none. %XX sequences are
                                      decoded before canonical encoding; '+' is a literal plus */
    const olock_http_header *headers; /* all are signed; names in any case; Host is required.
                                      X-Amz-Date, X-Amz-Security-Token, x-amz-content-sha256 and
                                      Authorization must not be given: the signer adds them */
    size_t header_count;
    const void *body; /* may be NULL when body_len is 0 */
    size_t body_len;
    const char *payload_hash; /* NULL: hex SHA-256 of the body; else used verbatim
                                      (a precomputed hash, or "UNSIGNED-PAYLOAD") */
} olock_sigv4_request;

/* Every field 0 / NULL (set method, headers and the body), as olock_item_request_default. */
OLOCK_API olock_sigv4_request olock_sigv4_request_default(void);

/* What one signing produced. Every pointer points into the signer and stays valid until its
   next sign, set_credentials or free; the struct itself may be copied freely. */
typedef struct olock_sigv4_signature {
    /* Headers to add to the request, in this order: X-Amz-Date, X-Amz-Security-Token (when
       the credentials have a session token), x-amz-content-sha256 (OLOCK_SIGV4_SIGN_BODY),
       Authorization. */
    olock_http_header headers[4];
    size_t header_count;
    const char *amz_date;                  /* "20150830T123600Z" */
    const char *authorization;             /* "AWS4-HMAC-SHA256 Credential=..., SignedHeaders=..., Signature=..." */
    char signature[OLOCK_SHA256_HEX_SIZE]; /* lower-case hex */
    const char *canonical_request;         /* for tests and debugging */
    size_t canonical_request_len;
    const char *string_to_sign;
    size_t string_to_sign_len;
} olock_sigv4_signature;

/* Private to the signer: SHA-256 states part-way through a text it hashes for every request.
   Consecutive requests share most of their canonical request (everything but the X-Amz-Date
   value, the target and the payload hash), within one second the start of their string to
   sign, and, when they write the same item with the same expressions, their body up to the
   expression attribute values (a versioned update's expected and new versions, the caller's
   values). Hashing resumes from the state after the last whole 64-byte block the new text
   shares with the previous one, so equal bytes are never hashed twice. Exact by construction:
   a state is reused only for the very bytes it absorbed. States are kept only for the blocks
   a text shared with the one before it: text that changes from its first block on (another
   item's body) costs a copy of its first blocks, not a state per block. */
#define OLOCK__SIGV4_RESUME_BLOCKS 8 /* a versioned update's values come after ~300-500 bytes of its body */
typedef struct olock__sigv4_resume {
    size_t blocks;                                       /* the previous text's whole blocks kept in text */
    size_t states;                                       /* states kept: after[0 .. states), states <= blocks */
    unsigned char text[OLOCK__SIGV4_RESUME_BLOCKS * 64]; /* the previous text's first 64 * blocks bytes */
    olock_sha256 after[OLOCK__SIGV4_RESUME_BLOCKS];      /* after[i]: after text[0 .. 64 (i + 1)) */
} olock__sigv4_resume;

/* Private to the signer: the last request's header names as given and what the signer made of
   them (their order, lower-cased, the SignedHeaders list), reused while the next request gives
   the same names byte for byte (olock's client gives the same three every time) with the same
   headers of the signer's own: a name is then not checked, lowered or sorted again. */
#define OLOCK__SIGV4_NAMES_HEADERS 8 /* requests with more headers are not kept */
#define OLOCK__SIGV4_NAMES_BYTES 192 /* nor ones whose names take more */
typedef struct olock__sigv4_names {
    size_t count;                                           /* the caller's headers; 0: nothing kept */
    unsigned mode;                                          /* which of the signer's own headers were added (OLOCK__SIGV4_OWN_*) */
    size_t given_len;                                       /* bytes of given */
    size_t signed_len;                                      /* bytes of the SignedHeaders list at the start of lower */
    unsigned char order[OLOCK__SIGV4_NAMES_HEADERS + 3];    /* sorted position -> index as given (own ones after the caller's) */
    unsigned char name_off[OLOCK__SIGV4_NAMES_HEADERS + 3]; /* each sorted name, lower-cased, in lower (as long as the
                                                               name); a repeated name: the offset of the one before */
    char given[OLOCK__SIGV4_NAMES_BYTES];                   /* the caller's names, each with its NUL */
    char lower[OLOCK__SIGV4_NAMES_BYTES * 2];               /* the SignedHeaders list; its names are those of name_off */
} olock__sigv4_names;

/* Signs requests for one set of credentials, one region and one service. Embed it by value;
   treat the fields as private except key_derivations. Not thread-safe: one signer per thread
   (or a lock). Memory is allocated by init/set_credentials and by the first signs (scratch
   buffers that are then reused): signing a request of a size seen before does not allocate. */
typedef struct olock_sigv4_signer {
    const olock_allocator *alloc;
    char *secrets; /* one block: access key id, "AWS4" + secret, session token */
    size_t secrets_size;
    size_t akid_len, secret_len, token_len; /* secret_len counts the "AWS4" prefix */
    char region[OLOCK_SIGV4_NAME_MAX + 1];
    char service[OLOCK_SIGV4_NAME_MAX + 1];
    size_t region_len, service_len;
    /* Signing-key cache for (secret, date, region, service): only the date varies here,
       set_credentials drops the key. The key is kept as HMAC states with its pads absorbed. */
    int key_valid;
    char key_date[9]; /* YYYYMMDD the key was derived for */
    olock_hmac_sha256 key_hmac;
    unsigned long key_derivations; /* read-only: how many times a signing key was derived */
    int64_t day;                   /* unix day of date_text, -1 when none */
    char date_text[9];
    olock__sigv4_resume creq_resume; /* the canonical request's hash, from a fresh state */
    olock__sigv4_resume sts_resume;  /* the signature's inner hash, from the key's inner state:
                                        key material, wiped and dropped with the key */
    olock__sigv4_resume body_resume; /* the payload hash, from a fresh state */
    olock__sigv4_names names;        /* the last request's header names, sorted and lowered */
    olock_buf scratch;               /* canonical request, string to sign, header values */
    olock_buf query;                 /* encoded query parameters */
} olock_sigv4_signer;

/* Copies the credentials (access_key_id and secret_access_key required, session_token NULL or
   a token), region and service ("dynamodb"). alloc NULL: default; it must outlive the signer.
   INVALID_ARG for a missing or malformed value (the message names the field, never its value),
   NOMEM. On failure *s is left unusable but safe to free. */
OLOCK_API olock_result olock_sigv4_signer_init(olock_sigv4_signer *s, const olock_allocator *alloc,
                                               const olock_credentials *creds, const char *region,
                                               const char *service, olock_error *err);
/* Replaces the credentials (e.g. refreshed temporary ones) and drops the cached key when the
   secret changed. On failure the old credentials stay. INVALID_ARG, NOMEM. */
OLOCK_API olock_result olock_sigv4_signer_set_credentials(olock_sigv4_signer *s, const olock_credentials *creds,
                                                          olock_error *err);
/* Wipes the credentials and the cached key and frees everything. NULL is a no-op. */
OLOCK_API void olock_sigv4_signer_free(olock_sigv4_signer *s);
/* Signs `req` as at `unix_seconds` (UTC, 0 to 253402300799; the signer never reads a clock).
   `flags` are OLOCK_SIGV4_*. Fills *out on success. INVALID_ARG for a malformed request or a
   time out of range, LIMIT for too many headers or query parameters, NOMEM. */
OLOCK_API olock_result olock_sigv4_signer_sign(olock_sigv4_signer *s, const olock_sigv4_request *req,
                                               int64_t unix_seconds, unsigned flags,
                                               olock_sigv4_signature *out, olock_error *err);
/* =============================================================================================
   >>aws_config: credentials, region and endpoint resolved as the AWS SDKs do; URLs
   ========================================================================================== */

/* ---- Credentials, region and endpoint, resolved as the AWS SDKs do --------------------------- */

/* An environment to read variables from. get returns the value of `name` or NULL when unset;
   the returned string must stay valid until the resolving call returns. Every olock function
   that takes `const olock_env *env` reads the process environment (getenv) when env is NULL. */
typedef struct olock_env {
    const char *(*get)(void *user, const char *name);
    void *user;
} olock_env;

/* Resolved settings; every string is owned by the struct (NULL until resolved). */
typedef struct olock_aws_config {
    char *access_key_id;
    char *secret_access_key;
    char *session_token;            /* NULL when none */
    const char *credentials_source; /* static: "explicit", "environment", "shared credentials file" */
    char *region;
    char *endpoint; /* e.g. "https://dynamodb.eu-west-1.amazonaws.com/" */
    const olock_allocator *alloc;
} olock_aws_config;

OLOCK_API void olock_aws_config_init(olock_aws_config *c, const olock_allocator *alloc);
/* Wipes the secrets and frees every string; *c is initialised again (alloc kept). NULL is a no-op. */
OLOCK_API void olock_aws_config_free(olock_aws_config *c);
/* Credentials from, in order: `explicit_creds` (NULL, or both keys NULL, skips it), the
   variables AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY / AWS_SESSION_TOKEN, then the profile
   AWS_PROFILE (default "default") of the shared credentials file AWS_SHARED_CREDENTIALS_FILE
   (default $HOME/.aws/credentials). OLOCK_ERR_CREDENTIALS when none is found, when only half
   of a key pair is given, or for a malformed file (the message names the file and line, never
   a secret); NOMEM. Replaces the credentials in *c only on success. */
OLOCK_API olock_result olock_aws_config_resolve_credentials(olock_aws_config *c, const olock_credentials *explicit_creds,
                                                            const olock_env *env, olock_error *err);
/* Region from `explicit_region` (NULL or "" skips it), AWS_REGION, AWS_DEFAULT_REGION.
   OLOCK_ERR_CONFIG when none is set or it is not a plausible region name; NOMEM. */
OLOCK_API olock_result olock_aws_config_resolve_region(olock_aws_config *c, const char *explicit_region,
                                                       const olock_env *env, olock_error *err);
/* Endpoint from `explicit_endpoint` (NULL or "" skips it), AWS_ENDPOINT_URL_DYNAMODB,
   AWS_ENDPOINT_URL, else https://dynamodb.<c->region>.amazonaws.com/ (.amazonaws.com.cn for
   cn- regions; needs the region resolved first). The endpoint must pass olock_url_split:
   OLOCK_ERR_CONFIG otherwise (for instance without http:// or https://), or when no region is
   known for the default; NOMEM. */
OLOCK_API olock_result olock_aws_config_resolve_endpoint(olock_aws_config *c, const char *explicit_endpoint,
                                                         const olock_env *env, olock_error *err);
/* Parses a shared credentials file held in memory (INI: [profile] sections, key = value,
   '#' and ';' comments; a comment after a value needs a space before it; key names are
   case-insensitive) and takes aws_access_key_id, aws_secret_access_key and the optional
   aws_session_token of `profile`. `file_name` only labels error messages
   ("<file_name>:<line>: ..."). OLOCK_ERR_CREDENTIALS for a malformed line, a missing profile
   or key; NOMEM. Replaces the credentials in *c only on success. */
OLOCK_API olock_result olock_aws_config_parse_credentials(olock_aws_config *c, const char *text, size_t len,
                                                          const char *profile, const char *file_name,
                                                          olock_error *err);

/* An endpoint URL split in place: every pointer points into the string given to olock_url_split
   (path points to a static "/" when the URL has none). Not NUL-terminated: use the lengths. */
typedef struct olock_url_parts {
    const char *scheme; /* "http" or "https", as written */
    size_t scheme_len;
    const char *host; /* host[:port], e.g. "127.0.0.1:8000" or "[::1]:8000": the Host header */
    size_t host_len;
    const char *path; /* "/..." */
    size_t path_len;
    unsigned port; /* explicit port, else 443 for https and 80 for http */
    int tls;       /* 1 for https */
} olock_url_parts;

/* Splits "http[s]://host[:port][/path]". OLOCK_ERR_CONFIG (with a message saying what is wrong)
   for another scheme, an empty or malformed host, a bad port, user info, a query, a fragment,
   spaces or control characters. Writes *out only on success. */
OLOCK_API olock_result olock_url_split(const char *url, olock_url_parts *out, olock_error *err);
/* =============================================================================================
   >>client: configuration, the client, single-attempt calls and the everyday calls
   ========================================================================================== */

/* ---- Client and configuration ---------------------------------------------------------------- */

/* Retry settings; 0 in any field means its default (listed).
   Conflicts of olock_update and olock_update_many (re-applying the change to newer items) have a budget in writes
   and in time: the first conflict_attempts writes always go out; after them the update goes
   on while it has been writing for less than conflict_time_ms, up to conflict_attempts_max
   writes in all, then ends in OLOCK_ERR_TOO_MANY_CONFLICTS with a message that says how many
   writes in how long. With the defaults, 8 or 16 writers incrementing one item all get
   through (bench/README.md, bench_hot), and an item that never stops changing ends the call
   after about 2 s or 100 writes, whichever comes first. For exactly N writes, set
   conflict_attempts = conflict_attempts_max = N. How long an update waits between conflicts:
   olock_update (olock_update_many waits the same way before it reads the items again). */
typedef struct olock_retry_policy {
    unsigned conflict_attempts;     /* 10: writes of a read-modify-write that always go out */
    unsigned transient_attempts;    /* 4: sends of one request (3 retries) on 5xx / throttling */
    unsigned base_ms;               /* 25: full-jitter backoff base for transient errors */
    unsigned throttle_base_ms;      /* 500: backoff base for throttling */
    unsigned cap_ms;                /* 20000: backoff cap (conflict waits included) */
    unsigned quota_capacity;        /* 500: retry token bucket shared by one client */
    unsigned quota_retry_cost;      /* 5 */
    unsigned quota_timeout_cost;    /* 10 */
    uint64_t deadline_ms;           /* 0: none; else no attempt starts after now + deadline_ms */
    unsigned conflict_time_ms;      /* 2000: past conflict_attempts, write on while the update is younger than this */
    unsigned conflict_attempts_max; /* 100: writes in all (conflict_attempts when that is larger) */
    unsigned conflict_backoff_rtts; /* 32: from its 2nd conflict, an update waits until it is this many round trips
                                       old (at most conflict_time_ms / 2) */
} olock_retry_policy;

/* How versions are kept. 0 / NULL in any field means its default (listed). */
typedef struct olock_versioning {
    const char *attribute; /* "version": a DynamoDB number */
    uint64_t start_at;     /* 0: an item with no version attribute is at version start_at */
    uint64_t increment_by; /* 1: the first write stores start_at + increment_by */
    /* Items migrated from another mapper may carry version start_at already: accept both
       "no attribute" and "= start_at" where a new item is expected. */
    int permissive;
    /* The writer ledger kept in each item, so that a write whose outcome was unknown (timeout
       after sending, lost response) is recognised instead of being applied twice or reported
       as a false conflict: "olock_writers", a list of "@<base>" and one "<writer>:<seq>:<version>"
       entry for each of the last token_history (8) writers, about 30 bytes each. "" turns it
       off: an unknown outcome is then reported as OLOCK_ERR_MAYBE_SENT. */
    const char *token_attribute;
    unsigned token_history;
} olock_versioning;

/* One request of an operation, as reported to config.on_attempt. */
typedef struct olock_attempt {
    const char *operation; /* "GetItem", "PutItem", ... */
    unsigned attempt;      /* 1-based, counting every request of the logical operation */
    olock_result outcome;  /* OLOCK_OK, OLOCK_CONFLICT, OLOCK_ERR_THROTTLED, ... */
    const char *aws_error; /* AWS error name, or NULL */
    int http_status;       /* 0 when no response arrived */
    uint64_t delay_ms;     /* backoff chosen before the next request (0: none) */
} olock_attempt;

typedef struct olock_config {
    olock_allocator allocator; /* malloc_fn NULL: OLOCK_MALLOC / malloc */
    olock_transport transport; /* the client owns it from olock_client_create on */
    /* Endpoint, region and credentials: the explicit values here win; NULL ones are looked up
       as the AWS SDKs do (unless ignore_environment): endpoint from AWS_ENDPOINT_URL_DYNAMODB,
       AWS_ENDPOINT_URL, else https://dynamodb.<region>.amazonaws.com/; region from AWS_REGION,
       AWS_DEFAULT_REGION; credentials from AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY /
       AWS_SESSION_TOKEN, then the shared credentials file (AWS_SHARED_CREDENTIALS_FILE or
       ~/.aws/credentials, profile AWS_PROFILE). Requests are signed (SigV4) when credentials
       and a region are known, and sent unsigned otherwise (enough for the in-process fake,
       whose transport ignores the URL). A network transport (transport.kind
       OLOCK_TRANSPORT_NETWORK, as olock_curl.h's) requires a region and credentials:
       olock_client_create fails with OLOCK_ERR_CONFIG saying what to set. */
    const char *endpoint;
    const char *region;
    olock_credentials credentials;
    int ignore_environment; /* 1: read no AWS_* variable and no credentials file */
    olock_retry_policy retry;
    size_t max_response_bytes; /* 0: 16 MiB */
    /* Hooks; NULL for the defaults (monotonic clock, nanosleep/Sleep, a seeded xorshift). */
    void *hook_user;
    uint64_t (*now_ms)(void *hook_user);
    void (*sleep_ms)(void *hook_user, uint64_t ms);
    uint64_t (*random_u64)(void *hook_user);
    /* Called after every request of a retrying operation (NULL: nothing). */
    void (*on_attempt)(void *hook_user, const olock_attempt *a);
    /* Wall-clock time in seconds since 1970 for request signatures (NULL: time()). */
    int64_t (*unix_time_s)(void *hook_user);
    olock_versioning versioning;
    /* Items remembered by olock_update so that a hot loop can write without reading first;
       0: no cache. Each entry keeps one item (table + key) of at most 400 KB. */
    unsigned cache_entries;
} olock_config;

/* A config with every default filled in (and no transport). */
OLOCK_API olock_config olock_config_default(void);

typedef struct olock_client olock_client;

/* Copies the config (strings included); takes ownership of the transport even on failure.
   OLOCK_ERR_CONFIG when something is missing (no transport; for a network transport no
   region or no credentials: the message says which setting or variable to set),
   OLOCK_ERR_CREDENTIALS for half a key pair or a malformed credentials file. */
OLOCK_API olock_result olock_client_create(const olock_config *cfg, olock_client **out, olock_error *err);
OLOCK_API void olock_client_destroy(olock_client *c); /* NULL is a no-op */

/* Sends one already-encoded request body for `op` and decodes the answer into `out`, which
   stays valid until the next call on this client. Returns OLOCK_OK when DynamoDB accepted
   the request; for an error response, the class result (OLOCK_CONFLICT, OLOCK_ERR_SERVICE,
   ...) with `out` filled in all the same (its reasons, its ALL_OLD item). One attempt: the
   retrying operations are built on top of this. */
OLOCK_API olock_result olock_client_call(olock_client *c, olock_op op, const char *body, size_t len,
                                         olock_response *out, olock_error *err);

/* Encode + call, for each operation. */
OLOCK_API olock_result olock_get_item(olock_client *c, const olock_item_request *r, olock_response *out, olock_error *err);
OLOCK_API olock_result olock_put_item(olock_client *c, const olock_item_request *r, olock_response *out, olock_error *err);
OLOCK_API olock_result olock_update_item(olock_client *c, const olock_item_request *r, olock_response *out, olock_error *err);
OLOCK_API olock_result olock_delete_item(olock_client *c, const olock_item_request *r, olock_response *out, olock_error *err);
OLOCK_API olock_result olock_transact_write_items(olock_client *c, const olock_txn_action *actions, size_t count,
                                                  const char *client_request_token, olock_response *out, olock_error *err);
OLOCK_API olock_result olock_query(olock_client *c, const olock_query_request *r, olock_response *out, olock_error *err);
OLOCK_API olock_result olock_create_table(olock_client *c, const olock_create_table_request *r, olock_response *out, olock_error *err);
OLOCK_API olock_result olock_delete_table(olock_client *c, const char *table, olock_response *out, olock_error *err);
OLOCK_API olock_result olock_describe_table(olock_client *c, const char *table, olock_response *out, olock_error *err);

/* Reads one item in one call (a GetItem, strongly consistent when `consistent`): OLOCK_OK with
   *out a new olock_item (a copy, yours to olock_item_destroy; made with the config's
   allocator, so destroy it before the client when the config set one), or
   OLOCK_ERR_NOT_FOUND when there is no such item (*out untouched), or the call's error.
   One attempt, as olock_get_item. */
OLOCK_API olock_result olock_get(olock_client *c, const char *table, const olock_value *key, int consistent,
                                 olock_item **out, olock_error *err);

/* One page of a Scan (r->key_condition must be NULL); out as olock_query's: Items,
   LastEvaluatedKey (NULL on the last page). */
OLOCK_API olock_result olock_scan(olock_client *c, const olock_query_request *r, olock_response *out, olock_error *err);
/* TransactGetItems: gets[i] names table and key (and optionally projection and names);
   out->items[i] is the item of gets[i], NULL when there is none. One attempt. */
OLOCK_API olock_result olock_transact_get(olock_client *c, const olock_item_request *gets, size_t count,
                                          olock_response *out, olock_error *err);

/* Every page of a Query or a Scan, following LastEvaluatedKey:

       olock_pager *p = NULL;
       olock_response page;
       olock_result rc = olock_pager_begin(c, OLOCK_OP_QUERY, &q, &p, &err);
       while (rc == OLOCK_OK && (rc = olock_pager_next(p, &page, &err)) == OLOCK_OK)
           for (i = 0; i < page.item_count; i++) use(page.items[i]);
       olock_pager_destroy(p);
       if (rc != OLOCK_ERR_NOT_FOUND) ...             // the error that stopped it

   begin copies *r (not what it points to: that must live until destroy; r->exclusive_start_key
   is where the first page starts) and sends nothing. next sends one request: OLOCK_OK with
   *page as olock_query's `out` (valid until the next call on the client), OLOCK_ERR_NOT_FOUND
   once the last page was returned (a page may hold no items and still not be the last), or
   the request's error (call next again to resend the same page). op is OLOCK_OP_QUERY or
   OLOCK_OP_SCAN. */
typedef struct olock_pager olock_pager;
OLOCK_API olock_result olock_pager_begin(olock_client *c, olock_op op, const olock_query_request *r,
                                         olock_pager **out, olock_error *err);
OLOCK_API olock_result olock_pager_next(olock_pager *p, olock_response *page, olock_error *err);
OLOCK_API void olock_pager_destroy(olock_pager *p); /* NULL is a no-op */

/* BatchWriteItem for any number of entries: 25 a request, each request's UnprocessedItems sent
   again after a full-jitter backoff (retry.base_ms doubling up to retry.cap_ms, through the
   config's sleep hook) up to retry.transient_attempts requests for those 25. OLOCK_OK when
   every entry was written; OLOCK_ERR_THROTTLED when some were still unprocessed then (the
   message says how many of how many; the ones before them were written), or the first
   request's error. Puts and deletes are not versioned, and a batch is not atomic. */
OLOCK_API olock_result olock_batch_write(olock_client *c, const olock_batch_write_entry *entries, size_t count,
                                         olock_error *err);

/* Called once for each item olock_batch_get finds, with its table. The item lives until the
   callback returns (copy what you keep). Return 0 to go on; anything else stops the batch
   (olock_batch_get then returns OLOCK_ERR_ABORTED). */
typedef int (*olock_batch_item_fn)(void *user, const char *table, const olock_value *item);

/* BatchGetItem for any number of keys across tables: 100 keys a request (in the order given),
   each request's UnprocessedKeys sent again after the same backoff as olock_batch_write, up to
   retry.transient_attempts requests for those keys. fn is called for every item found, in no
   particular order; keys with no item are not reported. OLOCK_OK when every key was read;
   OLOCK_ERR_THROTTLED when some were still unprocessed then (the message says how many of
   how many), or the first request's error. Each table's projection, names and consistent_read
   apply to all its keys. */
OLOCK_API olock_result olock_batch_get(olock_client *c, const olock_batch_get_table *tables, size_t count,
                                       olock_batch_item_fn fn, void *user, olock_error *err);
/* =============================================================================================
   >>engine: versioned writes, the writer ledger, the item cache, tasks, transactions
   ========================================================================================== */

/* ---- Versioned writes: the optimistic-locking engine ----------------------------------------- */

/* The outcome model. Once a write may have reached the server, every way a versioned
   operation (put, update, delete, olock_update, a transaction, olock_update_many, and each of
   them as a task) can end is settled, or it is OLOCK_ERR_MAYBE_SENT:

     where the operation is      what happened                           result
     --------------------------  --------------------------------------  -----------------------------
     before any write was sent   any failure (a read's included)         that error; nothing applied
     write sent                  2xx that decodes                        OLOCK_OK: applied once
     write sent                  4xx that decodes (condition failed,     OLOCK_CONFLICT / that error
                                 validation, throttled...): DynamoDB     (throttling is resent)
                                 applied none
     write sent                  no answer, 5xx, an answer that cannot   IN DOUBT: resend the same
                                 be read (empty, cut, malformed, bad     write (a transaction: the
                                 x-amz-crc32), transport LIMIT/NOMEM     same ClientRequestToken)
     in doubt, a create or an    a resend could re-create an item        no resend: a consistent read
     unversioned delete          deleted since                           (a put: a probe) settles it
     in doubt                    a resend applied (2xx)                  OLOCK_OK: applied once
     in doubt                    condition failed; the ledger holds      OLOCK_OK (ours was applied);
                                 this operation's entry, or covers its   not ours: re-apply, or
                                 version without it (same incarnation)   OLOCK_CONFLICT
     in doubt                    item absent, another incarnation,       OLOCK_ERR_MAYBE_SENT
                                 ledger off, too many writers since
     in doubt, a transaction     resend cancelled (a token replay of     not applied: OLOCK_CONFLICT
                                 an applied one would succeed)           (update_many: re-apply)
     in doubt                    retries or quota exhausted, deadline,   OLOCK_ERR_MAYBE_SENT (the
                                 settling read failed, out of memory     message names the cause)

   OLOCK_ERR_MAYBE_SENT therefore means "applied at most once, olock cannot tell which": read the
   item before deciding to do it again. Every other error means not applied. A read is never
   "maybe applied" (no answer to a read is OLOCK_ERR_TRANSIENT).
   An item deleted and created anew starts its versions again. olock_update and
   olock_update_many tell the new item from the old by the ledger's incarnation id (their writes
   require the ledger head they read), and so does a put whose item carries the ledger it was
   read with. Limit: a version the caller gives otherwise (versioned update and delete, a put of
   a fresh item, olock_txn), or any write with the ledger off, cannot tell them apart: if
   another writer deletes and re-creates the item while such a write is in doubt, a resend may
   apply to the new item. tests/test_outcomes.c checks every row with faults at every step. */

/* What a versioned operation did, filled in whatever the outcome (the counters matter most
   when it failed). Pointers stay valid until the next operation on the same client (blocking
   calls) or task. */
typedef struct olock_write_result {
    uint64_t version; /* version stored now (after a delete: the deleted one) */
    int changed;      /* 0 when the mutate function answered NO_CHANGE */
    int deleted;      /* the operation deleted the item */
    /* olock_update: the item as written (or as found, for NO_CHANGE / ABORT). A versioned
       write that ended in OLOCK_CONFLICT: the item that is stored now, when DynamoDB returned
       it (ReturnValuesOnConditionCheckFailure); NULL when it did not or the item is absent. */
    const olock_value *item;
    unsigned requests;    /* HTTP requests sent */
    unsigned conflicts;   /* conditional check failures met */
    unsigned retries;     /* resends after throttling / transient errors */
    unsigned ambiguous;   /* outcomes that were unknown and settled */
    size_t failed_action; /* transactions: first action whose condition failed, or (size_t)-1 */
} olock_write_result;

/* Versioned writes with a known expected version. `req` is the request the caller would have
   sent (table, item or key, optional condition / update with their names and values); the
   engine adds the version condition (ANDed with the caller's), the new version and the
   ambiguity token, and asks for the stored item on a failed condition. expected_version ==
   versioning.start_at means "the item must not exist yet (or have no version)". Placeholders
   starting with "#olock_" / ":olock_" are reserved, and so are the version and ledger
   attributes: an update that sets, removes, adds to or deletes from one (by name or through a
   #placeholder), or a condition that mentions one, is OLOCK_ERR_INVALID_ARG before anything is
   sent, the message naming it. Returns OLOCK_OK, OLOCK_CONFLICT (the version moved or the
   caller's condition failed: result->item holds the stored item when returned), or an error
   after the transient retries. Deletes are version-checked. When DynamoDB refuses the item
   for its size (ValidationException "Item size ... exceeded the maximum allowed size"), the
   message adds how many bytes olock's attributes added. */
OLOCK_API olock_result olock_versioned_put(olock_client *c, const olock_item_request *req, uint64_t expected_version,
                                           olock_write_result *result, olock_error *err);
OLOCK_API olock_result olock_versioned_update(olock_client *c, const olock_item_request *req, uint64_t expected_version,
                                              olock_write_result *result, olock_error *err);
OLOCK_API olock_result olock_versioned_delete(olock_client *c, const olock_item_request *req, uint64_t expected_version,
                                              olock_write_result *result, olock_error *err);

/* The version of an item (a map value) under the given versioning (NULL: the client's
   defaults); start_at when the attribute is missing. TYPE / RANGE / INEXACT if it is not a
   non-negative integer. */
OLOCK_API olock_result olock_item_version(const olock_value *item, const olock_versioning *v, uint64_t *out);

/* What a mutate function asks for. */
typedef enum olock_mutation {
    OLOCK_MUTATE_WRITE = 0, /* write the item as changed */
    OLOCK_MUTATE_NO_CHANGE, /* nothing to write; olock_update returns OLOCK_OK */
    OLOCK_MUTATE_DELETE,    /* delete the item (version-checked) */
    OLOCK_MUTATE_ABORT      /* stop; olock_update returns OLOCK_ERR_ABORTED */
} olock_mutation;

/* Called with the current item, once per attempt: `item` is a private copy to change in place
   (olock_item_set_*, olock_item_remove, ...); `exists` is 0 when there is no such item (then
   `item` holds only the key). The version and token attributes are managed by the engine.
   Must be repeatable: after a conflict it is called again on the fresh item. */
typedef olock_mutation (*olock_mutate_fn)(void *user, olock_item *item, int exists);

/* Read-modify-write: reads the item (consistent read, or the cache), calls fn, writes it back
   under the version condition; on a conflict re-applies fn to the fresh item that DynamoDB
   returned (a GetItem when the server does not return it), within the conflict budget of
   olock_retry_policy. The first conflict is re-applied at once, and so is one met by a write
   sent after a wait; from the second conflict on, an update otherwise waits until it has been
   writing for retry.conflict_backoff_rtts round trips or half of retry.conflict_time_ms,
   whichever is shorter (plus up to one round trip of jitter), so that updates that have been
   trying longest go first. Returns OLOCK_OK,
   OLOCK_ERR_ABORTED, OLOCK_ERR_TOO_MANY_CONFLICTS or an error. */
OLOCK_API olock_result olock_update(olock_client *c, const char *table, const olock_value *key,
                                    olock_mutate_fn fn, void *user, olock_write_result *result, olock_error *err);

/* Transactions: versioned actions across items and tables, all or nothing, in one
   TransactWriteItems with a ClientRequestToken (so a resend after a lost response is applied
   once). The builder copies what it is given. */
typedef struct olock_txn olock_txn;

OLOCK_API olock_result olock_txn_create(olock_client *c, olock_txn **out);
OLOCK_API void olock_txn_destroy(olock_txn *t); /* NULL is a no-op */
OLOCK_API void olock_txn_reset(olock_txn *t);   /* empty again, memory kept */
OLOCK_API olock_result olock_txn_put(olock_txn *t, const char *table, const olock_value *item, uint64_t expected_version);
/* req: table, key, update and optional condition with their names and values; INVALID_ARG
   (nothing added) when they touch the version or ledger attribute, as olock_versioned_update. */
OLOCK_API olock_result olock_txn_update(olock_txn *t, const olock_item_request *req, uint64_t expected_version);
OLOCK_API olock_result olock_txn_delete(olock_txn *t, const char *table, const olock_value *key, uint64_t expected_version);
OLOCK_API olock_result olock_txn_check(olock_txn *t, const char *table, const olock_value *key, uint64_t expected_version);
OLOCK_API size_t olock_txn_count(const olock_txn *t);
/* Commits: OLOCK_OK, OLOCK_CONFLICT (result->failed_action names the first action whose
   condition failed; olock_txn_reason tells each action's code), or an error. An item refused
   for its size gets, as for a single write, how many bytes olock's version attribute added
   (and which action, when DynamoDB says). */
OLOCK_API olock_result olock_txn_commit(olock_client *c, olock_txn *t, olock_write_result *result, olock_error *err);
/* After a commit: the version action i stored, and its cancellation code ("None",
   "ConditionalCheckFailed", ...) or NULL when the transaction was not cancelled. */
OLOCK_API uint64_t olock_txn_version(const olock_txn *t, size_t i);
OLOCK_API const char *olock_txn_reason(const olock_txn *t, size_t i);

/* Multi-item read-modify-write in one transaction: reads every item (TransactGetItems), calls
   fn with all of them, writes the changes (puts, deletes, and version checks for the items
   left alone) in one TransactWriteItems, and re-reads and re-applies on a conflict.
   fn sets each[i] to WRITE, NO_CHANGE or DELETE and returns WRITE (commit), NO_CHANGE or ABORT. */
typedef struct olock_key_ref {
    const char *table;
    const olock_value *key;
} olock_key_ref;
typedef olock_mutation (*olock_mutate_many_fn)(void *user, olock_item *const *items, const int *exists,
                                               olock_mutation *each, size_t count);
OLOCK_API olock_result olock_update_many(olock_client *c, const olock_key_ref *keys, size_t count,
                                         olock_mutate_many_fn fn, void *user, olock_write_result *result, olock_error *err);

/* ---- Non-blocking driving: every operation is a resumable state machine (sans I/O) ----------- */

/* A task runs one operation at a time with its own buffers, so one thread can drive many
   tasks of one client (a game loop, epoll, curl-multi):
       olock_task_begin_update(t, ...);
       for (;;) {
           olock_task_state s = olock_task_poll(t, now_ms, &req, &wait_ms);
           if (s == OLOCK_TASK_DONE) break;
           if (s == OLOCK_TASK_WAIT) { ...come back after wait_ms...; continue; }
           ...send req with your HTTP stack, fill olock_task_response(t)...;
           olock_task_complete(t, transport_result);
       }
       rc = olock_task_result(t, &result, &err);
   Inputs given to begin_* must stay valid until the task is done. A begin_* that fails on an
   idle task leaves its result and message there (olock_task_result: "olock_task_begin_put:
   req->table is NULL or empty"); a busy task is left alone. */
typedef struct olock_task olock_task;
typedef enum olock_task_state {
    OLOCK_TASK_SEND = 1, /* send *req, fill olock_task_response(), then olock_task_complete() */
    OLOCK_TASK_WAIT,     /* back off: poll again after *wait_ms */
    OLOCK_TASK_DONE      /* olock_task_result() has the outcome */
} olock_task_state;

OLOCK_API olock_result olock_task_create(olock_client *c, olock_task **out);
OLOCK_API void olock_task_destroy(olock_task *t); /* NULL is a no-op */
OLOCK_API olock_result olock_task_begin_update(olock_task *t, const char *table, const olock_value *key,
                                               olock_mutate_fn fn, void *user);
OLOCK_API olock_result olock_task_begin_put(olock_task *t, const olock_item_request *req, uint64_t expected_version);
OLOCK_API olock_result olock_task_begin_versioned_update(olock_task *t, const olock_item_request *req, uint64_t expected_version);
OLOCK_API olock_result olock_task_begin_delete(olock_task *t, const olock_item_request *req, uint64_t expected_version);
/* The transaction must come from the task's client and live until the task is done. */
OLOCK_API olock_result olock_task_begin_txn(olock_task *t, olock_txn *txn);
OLOCK_API olock_result olock_task_begin_update_many(olock_task *t, const olock_key_ref *keys, size_t count,
                                                    olock_mutate_many_fn fn, void *user);
OLOCK_API olock_task_state olock_task_poll(olock_task *t, uint64_t now_ms, const olock_http_request **req, uint64_t *wait_ms);
OLOCK_API olock_http_response *olock_task_response(olock_task *t);
/* transport_result: what a transport's send would have returned. A driver that has its
   transport's own words about a failure (curl's reason, host and port) passes them to
   olock_task_complete_why so that they reach olock_error.message, as olock_task_run and the
   blocking calls take them from olock_transport.last_error; why NULL or "" says nothing more
   than "transport error: ...". */
OLOCK_API void olock_task_complete(olock_task *t, olock_result transport_result);
OLOCK_API void olock_task_complete_why(olock_task *t, olock_result transport_result, const char *why);
OLOCK_API olock_result olock_task_result(const olock_task *t, olock_write_result *result, olock_error *err);
/* Blocking: drives the task with the client's transport, clock and sleep. */
OLOCK_API olock_result olock_task_run(olock_task *t, olock_write_result *result, olock_error *err);
/* The client's clock (config.now_ms, else the monotonic clock), in milliseconds. */
OLOCK_API uint64_t olock_client_now_ms(olock_client *c);
/* =============================================================================================
   >>records: typed records, a C struct read, written and updated through a field table
   ========================================================================================== */

/* A field table describes a struct once, as one static array; olock then fills the struct from
   an item and writes it back, so that a mutate function changes a struct instead of an item:

       struct item_stack { char name[24]; uint16_t count; };
       static const olock_field item_stack_fields[] = {
           OLOCK_FIELD_STR(struct item_stack, name, 0),
           OLOCK_FIELD_UINT(struct item_stack, count, 0),
       };
       static const olock_record_type item_stack_type = OLOCK_RECORD_TYPE(struct item_stack, item_stack_fields);

       struct player {
           char id[40]; uint64_t version; int64_t gold; int has_guild; char guild[32];
           struct item_stack bag[8]; size_t bag_count;
       };
       static const olock_field player_fields[] = {
           OLOCK_FIELD_STR(struct player, id, OLOCK_F_HASH_KEY),
           OLOCK_FIELD_UINT(struct player, version, OLOCK_F_VERSION),
           OLOCK_FIELD_INT(struct player, gold, 0),
           OLOCK_FIELD_STR(struct player, guild, OLOCK_F_PRESENT(struct player, has_guild)),
           OLOCK_FIELD_LIST_STRUCT(struct player, bag, bag_count, &item_stack_type, 0),
       };
       static const olock_record_type player_type = OLOCK_RECORD_TYPE(struct player, player_fields);

   The attribute is named as the member (OLOCK_FIELD_INT_AS("Gold", T, gold, 0) and the other
   _AS forms name it otherwise). Kinds, the C member each expects, and the stored type:
     STR       char m[N]: S of at most N-1 bytes (longer: OLOCK_ERR_LIMIT naming the field)
     STR_PTR   const char *m: S; NULL writes nothing. Read: points into an item olock owns (see
               each call); never freed by olock
     INT/UINT  any signed / unsigned integer of 1, 2, 4 or 8 bytes: N, range-checked both ways
     DOUBLE    double: N (read to the nearest double)
     BOOL      bool or int: BOOL
     BYTES     unsigned char m[N] and an unsigned integer member holding the length: B
     STRUCT    a nested struct with its own olock_record_type: M (members it does not describe
               are kept on write-back)
     LIST      T m[N] and an unsigned count member: L of STR, INT, UINT, DOUBLE, BOOL elements
     LIST_STRUCT  struct s m[N] and a count: L of M
     SET       T m[N] and a count: SS of STR, NS of INT, UINT or DOUBLE elements (an empty set is
               not stored: DynamoDB has none)
   More elements stored than N: OLOCK_ERR_LIMIT naming the field. Options (OR them):
     OLOCK_F_HASH_KEY, OLOCK_F_RANGE_KEY  the table's key (STR, STR_PTR, INT, UINT or BYTES;
                                          empty is OLOCK_ERR_INVALID_ARG naming the field)
     OLOCK_F_VERSION                      the version (INT or UINT): managed by the engine, never
                                          written by encode; its name must be the client's
                                          versioning attribute (olock_record_versioning)
     OLOCK_F_PRESENT(T, has_m)            int has_m: 1 when the attribute is stored; 0 on write
                                          removes it. Without it, an absent attribute reads as 0
                                          / "" (and a typed update writes only what changed).
   Macros expand to plain positional initialisers over offsetof: C99 and C++11 alike (members of
   a standard-layout struct). */
typedef enum olock_field_kind {
    OLOCK_FK_STR = 1,
    OLOCK_FK_STR_PTR,
    OLOCK_FK_INT,
    OLOCK_FK_UINT,
    OLOCK_FK_DOUBLE,
    OLOCK_FK_BOOL,
    OLOCK_FK_BYTES,
    OLOCK_FK_STRUCT,
    OLOCK_FK_LIST,
    OLOCK_FK_SET
} olock_field_kind;

typedef struct olock_record_type olock_record_type;
typedef struct olock_field {
    const char *name; /* attribute name */
    olock_field_kind kind;
    olock_field_kind elem;        /* LIST / SET: the element kind (STRUCT for LIST_STRUCT) */
    size_t offset;                /* of the member (of element 0 for LIST / SET) */
    size_t size;                  /* sizeof the member (of one element for LIST / SET) */
    size_t aux_offset;            /* BYTES: the length member; LIST / SET: the count member */
    size_t aux_size;              /* sizeof that member */
    size_t capacity;              /* LIST / SET: elements of the array */
    const olock_record_type *sub; /* STRUCT, LIST_STRUCT */
    size_t options;               /* OLOCK_F_* */
} olock_field;

struct olock_record_type {
    const char *name; /* for messages: "struct player" */
    const olock_field *fields;
    size_t field_count;
    size_t size; /* sizeof the struct */
};

#define OLOCK_F_HASH_KEY ((size_t)1)
#define OLOCK_F_RANGE_KEY ((size_t)2)
#define OLOCK_F_VERSION ((size_t)4)
#define OLOCK_F__PRESENT ((size_t)8)
/* The present flag's offset rides in the options' upper bits, so that one options argument says
   everything and the macros stay positional. */
#define OLOCK_F_PRESENT(T, m) (OLOCK_F__PRESENT | ((size_t)offsetof(T, m) << 8))

#define OLOCK__MEMBER_SIZE(T, m) sizeof(((T *)0)->m)
#define OLOCK__FIELD(nm, kind, elem, off, size, aoff, asize, cap, sub, opts) \
    { nm, kind, elem, off, size, aoff, asize, cap, sub, opts }
#define OLOCK__SCALAR(nm, T, m, kind, opts) \
    OLOCK__FIELD(nm, kind, kind, offsetof(T, m), OLOCK__MEMBER_SIZE(T, m), 0, 0, 0, NULL, opts)
#define OLOCK__ARRAY(nm, T, m, count_m, kind, elem, sub, opts) \
    OLOCK__FIELD(nm, kind, elem, offsetof(T, m), OLOCK__MEMBER_SIZE(T, m[0]), offsetof(T, count_m), \
                 OLOCK__MEMBER_SIZE(T, count_m), OLOCK__MEMBER_SIZE(T, m) / OLOCK__MEMBER_SIZE(T, m[0]), sub, opts)
/* The _AS forms take the attribute name first, for an attribute not named as its member. */
#define OLOCK_FIELD_STR_AS(name, T, m, opts) OLOCK__SCALAR(name, T, m, OLOCK_FK_STR, opts)
#define OLOCK_FIELD_STR_PTR_AS(name, T, m, opts) OLOCK__SCALAR(name, T, m, OLOCK_FK_STR_PTR, opts)
#define OLOCK_FIELD_INT_AS(name, T, m, opts) OLOCK__SCALAR(name, T, m, OLOCK_FK_INT, opts)
#define OLOCK_FIELD_UINT_AS(name, T, m, opts) OLOCK__SCALAR(name, T, m, OLOCK_FK_UINT, opts)
#define OLOCK_FIELD_DOUBLE_AS(name, T, m, opts) OLOCK__SCALAR(name, T, m, OLOCK_FK_DOUBLE, opts)
#define OLOCK_FIELD_BOOL_AS(name, T, m, opts) OLOCK__SCALAR(name, T, m, OLOCK_FK_BOOL, opts)
#define OLOCK_FIELD_BYTES_AS(name, T, m, len_m, opts) \
    OLOCK__FIELD(name, OLOCK_FK_BYTES, OLOCK_FK_BYTES, offsetof(T, m), OLOCK__MEMBER_SIZE(T, m), \
                 offsetof(T, len_m), OLOCK__MEMBER_SIZE(T, len_m), OLOCK__MEMBER_SIZE(T, m), NULL, opts)
#define OLOCK_FIELD_STRUCT_AS(name, T, m, subtype, opts) \
    OLOCK__FIELD(name, OLOCK_FK_STRUCT, OLOCK_FK_STRUCT, offsetof(T, m), OLOCK__MEMBER_SIZE(T, m), 0, 0, 0, subtype, opts)
#define OLOCK_FIELD_LIST_AS(name, T, m, count_m, elem_kind, opts) OLOCK__ARRAY(name, T, m, count_m, OLOCK_FK_LIST, elem_kind, NULL, opts)
#define OLOCK_FIELD_LIST_STRUCT_AS(name, T, m, count_m, subtype, opts) \
    OLOCK__ARRAY(name, T, m, count_m, OLOCK_FK_LIST, OLOCK_FK_STRUCT, subtype, opts)
#define OLOCK_FIELD_SET_AS(name, T, m, count_m, elem_kind, opts) OLOCK__ARRAY(name, T, m, count_m, OLOCK_FK_SET, elem_kind, NULL, opts)
/* The attribute named as the member. */
#define OLOCK_FIELD_STR(T, m, opts) OLOCK_FIELD_STR_AS(#m, T, m, opts)
#define OLOCK_FIELD_STR_PTR(T, m, opts) OLOCK_FIELD_STR_PTR_AS(#m, T, m, opts)
#define OLOCK_FIELD_INT(T, m, opts) OLOCK_FIELD_INT_AS(#m, T, m, opts)
#define OLOCK_FIELD_UINT(T, m, opts) OLOCK_FIELD_UINT_AS(#m, T, m, opts)
#define OLOCK_FIELD_DOUBLE(T, m, opts) OLOCK_FIELD_DOUBLE_AS(#m, T, m, opts)
#define OLOCK_FIELD_BOOL(T, m, opts) OLOCK_FIELD_BOOL_AS(#m, T, m, opts)
#define OLOCK_FIELD_BYTES(T, m, len_m, opts) OLOCK_FIELD_BYTES_AS(#m, T, m, len_m, opts)
#define OLOCK_FIELD_STRUCT(T, m, subtype, opts) OLOCK_FIELD_STRUCT_AS(#m, T, m, subtype, opts)
#define OLOCK_FIELD_LIST(T, m, count_m, elem_kind, opts) OLOCK_FIELD_LIST_AS(#m, T, m, count_m, elem_kind, opts)
#define OLOCK_FIELD_LIST_STRUCT(T, m, count_m, subtype, opts) OLOCK_FIELD_LIST_STRUCT_AS(#m, T, m, count_m, subtype, opts)
#define OLOCK_FIELD_SET(T, m, count_m, elem_kind, opts) OLOCK_FIELD_SET_AS(#m, T, m, count_m, elem_kind, opts)
#define OLOCK_RECORD_TYPE(T, fields) \
    { #T, fields, sizeof(fields) / sizeof((fields)[0]), sizeof(T) }

/* Fills `rec` from `item` (a map; NULL: no item): the struct is zeroed first, then every field
   the table describes is read; attributes it does not describe are ignored. Errors name the
   field ("struct player: field 'bag[2].count': ..."): OLOCK_ERR_TYPE (another stored type),
   OLOCK_ERR_RANGE (a number the C type cannot hold, or not an integer), OLOCK_ERR_LIMIT (a
   string or bytes longer than the member, more elements than the array), INVALID_ARG (a bad
   table). On an error `rec` holds what was read so far. STR_PTR fields point into `item`.
   Allocates nothing. */
OLOCK_API olock_result olock_record_decode(const olock_record_type *type, const olock_value *item, void *rec, olock_error *err);
/* Writes the fields of `rec` into `item` (in its arena), keeping every attribute the table does
   not describe and leaving equal ones as they are; removes optional fields whose present
   flag is 0. The version field is not written (the engine writes it). INVALID_ARG for an
   empty key field, LIMIT for a string without its NUL within its array or a length / count over
   capacity, RANGE for a NaN or infinite double; the message names the field. */
OLOCK_API olock_result olock_record_encode(const olock_record_type *type, const void *rec, olock_item *item, olock_error *err);
/* Sets v->attribute to the name of the table's version field (a string of the table, static);
   nothing when it has none. Call it on the config before olock_client_create. */
OLOCK_API void olock_record_versioning(const olock_record_type *type, olock_versioning *v);

/* The change a typed read-modify-write makes: `rec` holds the current item decoded (zeroed, the
   key fields set and every present flag 0 when `exists` is 0), and its version field the
   stored version. Change it in place and return as an olock_mutate_fn does. Called again on
   the fresh item after a conflict, so it must look only at `rec` (and `user`). */
typedef olock_mutation (*olock_record_fn)(void *user, void *rec, int exists);

/* The state of one typed update driven as a task: caller-owned, it must live until the task is
   done (it holds the key the engine reads from). Its members are private. */
#define OLOCK__RECORD_KEY_BYTES (2048 + 1024 + 8)
typedef struct olock_record_op {
    const olock_record_type *type;
    void *rec;
    olock_record_fn fn;
    void *user;
    olock_task *task;
    olock_value key[3];                      /* the key map and its one or two members */
    char key_bytes[OLOCK__RECORD_KEY_BYTES]; /* the key's bytes: hash key up to 2048, range up to 1024 */
} olock_record_op;

/* The record whose key fields are set, read: `rec` receives the item (its version field the
   stored version) and *keep, when not NULL, the item read (yours to olock_item_destroy; STR_PTR
   fields point into it, so a table with one needs keep). OLOCK_ERR_NOT_FOUND (rec untouched)
   when there is no such item, or olock_record_decode's errors. */
OLOCK_API olock_result olock_record_get(olock_client *c, const olock_record_type *type, const char *table, void *rec,
                                        int consistent, olock_item **keep, olock_error *err);
/* A versioned put of the record as the whole item, expecting the version in its version field
   (start_at: the item must be new; a table without a version field always expects start_at);
   on OLOCK_OK the field holds the new version. The item is
   replaced: attributes the table does not describe are not kept (olock_record_update keeps
   them). OLOCK_CONFLICT as olock_versioned_put. */
OLOCK_API olock_result olock_record_put(olock_client *c, const olock_record_type *type, const char *table, void *rec,
                                        olock_write_result *result, olock_error *err);
/* A versioned delete of the item with the record's key, expecting its version field: only the
   key and version fields are read, so a struct with just those set deletes by key. */
OLOCK_API olock_result olock_record_delete(olock_client *c, const olock_record_type *type, const char *table,
                                           const void *rec, olock_write_result *result, olock_error *err);
/* Typed read-modify-write: olock_update on the item with the record's key (set the key fields of
   `rec` first), with fn changing the struct. Same outcome model, cache, retry budget and
   settlement; attributes the table does not describe survive the write-back. A stored value
   that does not decode ends the operation with olock_record_decode's error (naming the field;
   OLOCK_ERR_MAYBE_SENT when an earlier write of the operation is in doubt). On return `rec`
   holds the record as written (as found for NO_CHANGE / ABORT), its version field the stored
   version on OLOCK_OK; STR_PTR fields point into the client's copy, valid until its next
   operation. */
OLOCK_API olock_result olock_record_update(olock_client *c, const olock_record_type *type, const char *table, void *rec,
                                           olock_record_fn fn, void *user, olock_write_result *result, olock_error *err);
/* The same as a task (event loops): `op` and `rec` must live until the task is done; after it,
   olock_task_result tells the outcome and `rec` holds the record with its version field the
   version the last write stored (STR_PTR fields valid until the task's next operation). */
OLOCK_API olock_result olock_task_begin_record_update(olock_task *t, olock_record_op *op, const olock_record_type *type,
                                                      const char *table, void *rec, olock_record_fn fn, void *user);
/* Transactions: a versioned put (the whole item), delete or version check of a record in `txn`,
   each expecting the record's version field. After a successful commit olock_txn_version(txn,
   i) is the version action i stored. */
OLOCK_API olock_result olock_txn_record_put(olock_txn *txn, const olock_record_type *type, const char *table,
                                            const void *rec, olock_error *err);
OLOCK_API olock_result olock_txn_record_delete(olock_txn *txn, const olock_record_type *type, const char *table,
                                               const void *rec, olock_error *err);
OLOCK_API olock_result olock_txn_record_check(olock_txn *txn, const olock_record_type *type, const char *table,
                                              const void *rec, olock_error *err);
/* Typed olock_update_many: several records (of any tables and types), read together, changed by
   one function and written all or nothing, re-read and re-applied on a conflict. fn gets the
   records (recs[i] is refs[i].rec, filled from the item read; exists[i] 0 for an absent one) and
   sets each[i] as an olock_mutate_many_fn does. On OLOCK_OK each record written holds the
   version stored. Allocates its list of keys once per call (in one arena). */
typedef struct olock_record_ref {
    const olock_record_type *type;
    const char *table;
    void *rec; /* its key fields set */
} olock_record_ref;
typedef olock_mutation (*olock_record_many_fn)(void *user, void *const *recs, const int *exists, olock_mutation *each, size_t count);
OLOCK_API olock_result olock_record_update_many(olock_client *c, const olock_record_ref *refs, size_t count, olock_record_many_fn fn,
                                                void *user, olock_write_result *result, olock_error *err);
/* The key fields of `rec` as attributes of `out` (an item being built, e.g. for olock_batch_get):
   INVALID_ARG naming an empty key field, or a table without a hash key. */
OLOCK_API olock_result olock_record_key(const olock_record_type *type, const void *rec, olock_item *out, olock_error *err);
#ifdef __cplusplus
}
#endif
#endif /* OLOCK_H_INCLUDED */
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
/* =============================================================================================
   >>core (implementation)
   ========================================================================================== */

/* ---- CPU features ---------------------------------------------------------------------------- */

#ifdef OLOCK__CPUID
#define OLOCK__CPU_SHA 1u    /* the SHA extensions, with SSSE3 and SSE4.1 */
#define OLOCK__CPU_PCLMUL 2u /* PCLMULQDQ */
/* Which of the above the CPU has. The answer is cached in the library's only process-wide
   variable: it never changes, and relaxed atomics make the first concurrent lookups race-free. */
static OLOCK__UNUSED unsigned olock__cpu_features(void) {
    static unsigned cached; /* 0: not looked up yet; else 0x100 | the features */
    unsigned v = __atomic_load_n(&cached, __ATOMIC_RELAXED);
    if (v == 0) {
        unsigned a, b, c, d;
        v = 0x100u;
        if (__get_cpuid(1, &a, &b, &c, &d)) {
            if (c & (1u << 1)) v |= OLOCK__CPU_PCLMUL;
            if ((c & (1u << 9)) && (c & (1u << 19)) && __get_cpuid_max(0, NULL) >= 7) {
                __cpuid_count(7, 0, a, b, c, d);
                if (b & (1u << 29)) v |= OLOCK__CPU_SHA;
            }
        }
        __atomic_store_n(&cached, v, __ATOMIC_RELAXED);
    }
    return v;
}
#endif

/* ---- allocation ---------------------------------------------------------------------------- */

static OLOCK__UNUSED void *olock__alloc(const olock_allocator *a, size_t n) {
    if (n == 0) n = 1;
    if (a && a->malloc_fn) return a->malloc_fn(a->ctx, n);
    return OLOCK_MALLOC(a ? a->ctx : NULL, n);
}

static OLOCK__UNUSED void *olock__realloc(const olock_allocator *a, void *p, size_t old_n, size_t new_n) {
    if (new_n == 0) new_n = 1;
    if (a && a->realloc_fn) return a->realloc_fn(a->ctx, p, old_n, new_n);
    return OLOCK_REALLOC(a ? a->ctx : NULL, p, old_n, new_n);
}

static OLOCK__UNUSED void olock__free(const olock_allocator *a, void *p, size_t n) {
    if (!p) return;
    if (a && a->free_fn) {
        a->free_fn(a->ctx, p, n);
        return;
    }
    (void)n;
    OLOCK_FREE(a ? a->ctx : NULL, p);
}

/* The one wipe of the library, for every secret (keys, tokens, signing keys, their HMAC
   states) before its memory is freed, moved or goes out of scope. A plain memset of memory
   that is never read again may be dropped by the optimiser: with GCC/Clang an empty asm that
   may read the bytes follows it; elsewhere every byte is written through a volatile pointer
   (slower, equally safe). */
static OLOCK__UNUSED void olock__wipe(void *p, size_t n) {
#if defined(__GNUC__) || defined(__clang__)
    if (!n) return;
    memset(p, 0, n);
    __asm__ __volatile__(""
                         :
                         : "r"(p)
                         : "memory");
#else
    volatile unsigned char *v = (volatile unsigned char *)p;
    while (n--) *v++ = 0;
#endif
}

/* ---- shared private helpers: text and strings ----------------------------------------------
   Used by every later part (and the fake's is its own): ASCII case, decimal text of counters
   and versions, copies of strings. Locale-free on purpose: DynamoDB's text is ASCII. */

static OLOCK__UNUSED int olock__is_digit(char c) { return c >= '0' && c <= '9'; }

static OLOCK__UNUSED int olock__ascii_lower(int c) { return c >= 'A' && c <= 'Z' ? c + 32 : c; }

/* a (alen bytes) equals b (blen bytes), ignoring ASCII case. */
static OLOCK__UNUSED int olock__ascii_ieq(const char *a, size_t alen, const char *b, size_t blen) {
    size_t i;
    if (alen != blen) return 0;
    for (i = 0; i < alen; i++)
        if (olock__ascii_lower((unsigned char)a[i]) != olock__ascii_lower((unsigned char)b[i])) return 0;
    return 1;
}

#define OLOCK__IEQ_LIT(a, alen, lit) olock__ascii_ieq((a), (alen), lit, sizeof lit - 1)

/* The value of a hex digit, or -1. */
static OLOCK__UNUSED int olock__hex_value(unsigned char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/* RFC 3986 unreserved characters: what URL encoding (and SigV4's) leaves as it is. */
static OLOCK__UNUSED int olock__url_unreserved(unsigned char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' ||
        c == '~';
}

/* A region or service name, as it goes into a SigV4 credential scope between '/': letters,
   digits, '-', '_', '.', at most OLOCK_SIGV4_NAME_MAX; its length in *len. The signer and the
   region resolution share the rule. */
static OLOCK__UNUSED int olock__scope_name_ok(const char *s, size_t *len) {
    size_t n = 0;
    if (!s || !*s) return 0;
    while (s[n]) {
        unsigned char c = (unsigned char)s[n];
        if (!olock__url_unreserved(c) || c == '~') return 0;
        if (++n > OLOCK_SIGV4_NAME_MAX) return 0;
    }
    *len = n;
    return 1;
}

/* Copies n bytes to p; returns the end (for writing text piece by piece into a sized buffer). */
static OLOCK__UNUSED char *olock__put(char *p, const char *s, size_t n) {
    memcpy(p, s, n);
    return p + n;
}

/* The decimal digits of v into buf (OLOCK__U64_TEXT bytes at least), NUL-terminated; returns
   how many. */
#define OLOCK__U64_TEXT 21
static OLOCK__UNUSED size_t olock__u64_text(uint64_t v, char *buf) {
    char tmp[OLOCK__U64_TEXT];
    size_t k = sizeof tmp, n;
    do {
        tmp[--k] = (char)('0' + (int)(v % 10));
        v /= 10;
    } while (v);
    n = sizeof tmp - k;
    memcpy(buf, tmp + k, n);
    buf[n] = 0;
    return n;
}

/* s[0..n) as a decimal number: 1, or 0 when it is empty, has a non-digit or exceeds UINT64_MAX. */
static OLOCK__UNUSED int olock__u64_parse(const char *s, size_t n, uint64_t *out) {
    uint64_t v = 0;
    size_t i;
    if (!n) return 0;
    for (i = 0; i < n; i++) {
        unsigned d = (unsigned)(s[i] - '0');
        if (d > 9 || v > (UINT64_MAX - d) / 10) return 0;
        v = v * 10 + d;
    }
    *out = v;
    return 1;
}

/* A copy of s[0..len) with a NUL, from allocator a; NULL when out of memory (or len is
   (size_t)-1). */
static OLOCK__UNUSED char *olock__strndup(const olock_allocator *a, const char *s, size_t len) {
    char *p;
    if (len == (size_t)-1) return NULL;
    p = (char *)olock__alloc(a, len + 1);
    if (!p) return NULL;
    if (len) memcpy(p, s, len);
    p[len] = '\0';
    return p;
}

/* A copy of the string s (NULL for NULL). */
static OLOCK__UNUSED char *olock__strdup(const olock_allocator *a, const char *s) {
    return s ? olock__strndup(a, s, strlen(s)) : NULL;
}

/* Frees a string made by olock__strndup / olock__strdup, wiped first when it is a secret,
   and sets *s to NULL. */
static OLOCK__UNUSED void olock__str_free(const olock_allocator *a, char **s, int secret) {
    size_t n;
    if (!*s) return;
    n = strlen(*s) + 1;
    if (secret) olock__wipe(*s, n);
    olock__free(a, *s, n);
    *s = NULL;
}

/* ---- errors -------------------------------------------------------------------------------- */

OLOCK_API const char *olock_result_str(olock_result r) {
    switch (r) {
    case OLOCK_OK: return "ok";
    case OLOCK_ERR_NOMEM: return "out of memory";
    case OLOCK_ERR_INVALID_ARG: return "invalid argument";
    case OLOCK_ERR_PARSE: return "malformed input";
    case OLOCK_ERR_LIMIT: return "limit exceeded";
    case OLOCK_ERR_TYPE: return "wrong type";
    case OLOCK_ERR_RANGE: return "number out of range";
    case OLOCK_ERR_INEXACT: return "number would lose precision";
    case OLOCK_ERR_NOT_FOUND: return "not found";
    case OLOCK_CONFLICT: return "conflict: the condition did not hold";
    case OLOCK_ERR_THROTTLED: return "throttled";
    case OLOCK_ERR_TRANSIENT: return "transient service error";
    case OLOCK_ERR_SERVICE: return "request rejected by the service";
    case OLOCK_ERR_NOT_SENT: return "transport error: request not sent";
    case OLOCK_ERR_MAYBE_SENT: return "transport error: request may have been applied";
    case OLOCK_ERR_CRC32: return "response failed its CRC-32 check";
    case OLOCK_ERR_RESPONSE: return "unexpected response";
    case OLOCK_ERR_EXPRESSION: return "invalid expression";
    case OLOCK_ERR_ABORTED: return "aborted by the caller";
    case OLOCK_ERR_CREDENTIALS: return "credentials error";
    case OLOCK_ERR_CONFIG: return "configuration error";
    case OLOCK_ERR_DEADLINE: return "deadline exceeded";
    case OLOCK_ERR_UNSUPPORTED: return "unsupported";
    case OLOCK_ERR_TOO_MANY_CONFLICTS: return "too many conflicts";
    case OLOCK_RESULT_COUNT_: break;
    }
    return "unknown result";
}

/* Every field to its empty value. Field by field rather than a memset of the whole struct:
   most of it is the two text buffers, and empty text needs only its first byte (an error is
   cleared several times per request, on the hot path). */
static void olock__error_clear(olock_error *err) {
    if (!err) return;
    err->code = OLOCK_OK;
    err->error_class = OLOCK_CLASS_NONE;
    err->http_status = 0;
    err->aws_type[0] = 0;
    err->message[0] = 0;
    err->offset = 0;
    err->attempts = 0;
}

/* *dst = *src, the two texts copied up to their NULs: an operation's error is handed out after
   every call, and most of its 450 bytes are unused text. */
static OLOCK__UNUSED void olock__error_copy(olock_error *dst, const olock_error *src) {
    size_t n;
    dst->code = src->code;
    dst->error_class = src->error_class;
    dst->http_status = src->http_status;
    n = strlen(src->aws_type);
    memcpy(dst->aws_type, src->aws_type, n + 1);
    n = strlen(src->message);
    memcpy(dst->message, src->message, n + 1);
    dst->offset = src->offset;
    dst->attempts = src->attempts;
}

static OLOCK__UNUSED void olock__error_set(olock_error *err, olock_result code, const char *fmt, ...) OLOCK__PRINTF(3, 4);
static OLOCK__UNUSED void olock__error_set(olock_error *err, olock_result code, const char *fmt, ...) {
    va_list ap;
    if (!err) return;
    err->code = code;
    va_start(ap, fmt);
    vsnprintf(err->message, sizeof err->message, fmt, ap);
    va_end(ap);
}

/* Sets code, message and offset in one go (parsers). Returns code for `return olock__fail(...)`. */
static olock_result olock__fail_at(olock_error *err, olock_result code, size_t offset, const char *msg) {
    if (err) {
        size_t n = strlen(msg);
        if (n >= sizeof err->message) n = sizeof err->message - 1;
        err->code = code;
        err->offset = offset;
        memcpy(err->message, msg, n);
        err->message[n] = 0;
    }
    return code;
}

/* OLOCK_ERR_INVALID_ARG with a message that names the function and the argument, e.g.
   "olock_get_item: r->table is NULL or empty". */
static OLOCK__UNUSED olock_result olock__invalid_arg(olock_error *err, const char *fmt, ...) OLOCK__PRINTF(2, 3);
static OLOCK__UNUSED olock_result olock__invalid_arg(olock_error *err, const char *fmt, ...) {
    va_list ap;
    if (!err) return OLOCK_ERR_INVALID_ARG;
    err->code = OLOCK_ERR_INVALID_ARG;
    va_start(ap, fmt);
    vsnprintf(err->message, sizeof err->message, fmt, ap);
    va_end(ap);
    return OLOCK_ERR_INVALID_ARG;
}

/* "fn: arg is NULL" (OLOCK_ERR_INVALID_ARG). */
static OLOCK__UNUSED olock_result olock__null_arg(olock_error *err, const char *fn, const char *arg) {
    return olock__invalid_arg(err, "%s: %s is NULL", fn, arg);
}

/* Copies at most cap-1 bytes and terminates. */
static void olock__copy_str(char *dst, size_t cap, const char *src, size_t len) {
    if (cap == 0) return;
    if (len >= cap) len = cap - 1;
    if (len) memcpy(dst, src, len);
    dst[len] = 0;
}

/* Says a lower layer's message in the name of the public function the caller called:
   "olock_encode_item_request: r->table ..." becomes "olock_get_item: r->table ...". */
static OLOCK__UNUSED void olock__error_rename(olock_error *err, const char *fn) {
    char rest[sizeof err->message];
    const char *colon;
    size_t n;
    if (!err || !(colon = strstr(err->message, ": "))) return;
    olock__copy_str(rest, sizeof rest, colon, strlen(colon));
    n = strlen(fn);
    olock__copy_str(err->message, sizeof err->message, fn, n);
    if (n < sizeof err->message) olock__copy_str(err->message + n, sizeof err->message - n, rest, strlen(rest));
}

/* ---- buffer -------------------------------------------------------------------------------- */

OLOCK_API void olock_buf_init(olock_buf *b, const olock_allocator *alloc) {
    b->data = NULL;
    b->len = 0;
    b->cap = 0;
    b->max = 0;
    b->alloc = alloc;
    b->secret = 0;
}

OLOCK_API void olock_buf_free(olock_buf *b) {
    if (!b) return;
    if (b->secret && b->data) olock__wipe(b->data, b->cap);
    olock__free(b->alloc, b->data, b->cap);
    b->data = NULL;
    b->len = 0;
    b->cap = 0;
}

OLOCK_API void olock_buf_clear(olock_buf *b) {
    b->len = 0;
    if (b->data) b->data[0] = 0;
}

OLOCK_API olock_result olock_buf_reserve(olock_buf *b, size_t extra) {
    size_t need, cap;
    char *p;
    if (extra > (size_t)-1 - b->len - 1) return OLOCK_ERR_LIMIT;
    need = b->len + extra + 1; /* + NUL */
    if (b->max && b->len + extra > b->max) return OLOCK_ERR_LIMIT;
    if (need <= b->cap) return OLOCK_OK;
    cap = b->cap ? b->cap : 256;
    while (cap < need) {
        if (cap > (size_t)-1 / 2) {
            cap = need;
            break;
        }
        cap *= 2;
    }
    if (b->secret && b->data) {
        /* realloc may move the block and free the old one as it is, secret and all: move it
           ourselves and wipe what we leave behind. */
        p = (char *)olock__alloc(b->alloc, cap);
        if (!p) return OLOCK_ERR_NOMEM;
        memcpy(p, b->data, b->len + 1); /* what is in use and its NUL (len < cap) */
        olock__wipe(b->data, b->cap);
        olock__free(b->alloc, b->data, b->cap);
    } else {
        p = (char *)olock__realloc(b->alloc, b->data, b->cap, cap);
        if (!p) return OLOCK_ERR_NOMEM;
    }
    b->data = p;
    b->cap = cap;
    return OLOCK_OK;
}

/* Room for n more bytes and the NUL after them, without a call when the buffer already has it
   (the common case once a reused buffer has grown). */
static olock_result olock__buf_room(olock_buf *b, size_t n) {
    if (!b->max && b->cap - b->len > n) return OLOCK_OK;
    return olock_buf_reserve(b, n);
}

/* One byte, with the room check inline (the writer's punctuation). */
static olock_result olock__buf_put1(olock_buf *b, char c) {
    olock_result r = olock__buf_room(b, 1);
    if (r != OLOCK_OK) return r;
    b->data[b->len++] = c;
    b->data[b->len] = 0;
    return OLOCK_OK;
}

OLOCK_API olock_result olock_buf_append(olock_buf *b, const void *data, size_t len) {
    olock_result r;
    /* The common case, room already there and no cap, without the reserve call. */
    if (b->cap - b->len > len && !b->max) {
        memcpy(b->data + b->len, data, len);
        b->len += len;
        b->data[b->len] = 0;
        return OLOCK_OK;
    }
    r = olock_buf_reserve(b, len);
    if (r != OLOCK_OK) return r;
    if (len) memcpy(b->data + b->len, data, len);
    b->len += len;
    b->data[b->len] = 0;
    return OLOCK_OK;
}

OLOCK_API olock_result olock_buf_append_str(olock_buf *b, const char *s) {
    return olock_buf_append(b, s, strlen(s));
}

/* Appends without a capacity check: the caller reserved. */
static void olock__buf_put(olock_buf *b, const char *s, size_t n) {
    memcpy(b->data + b->len, s, n);
    b->len += n;
}

/* ---- arena --------------------------------------------------------------------------------- */

struct olock_arena_block {
    olock_arena_block *next;
    size_t size; /* usable bytes after the header */
    size_t used;
};

#define OLOCK__ARENA_HDR ((sizeof(olock_arena_block) + 15) & ~(size_t)15)
#define OLOCK__ARENA_MIN 4096

OLOCK_API void olock_arena_init(olock_arena *a, const olock_allocator *alloc) {
    a->first = NULL;
    a->current = NULL;
    a->alloc = alloc;
    a->total = 0;
}

OLOCK_API void *olock_arena_alloc(olock_arena *a, size_t size) {
    olock_arena_block *b = a->current, *nb;
    size_t want;
    if (size > (size_t)-1 / 2) return NULL;
    size = (size + 7) & ~(size_t)7;
    while (b) {
        if (b->size - b->used >= size) {
            void *p = (char *)b + OLOCK__ARENA_HDR + b->used;
            b->used += size;
            a->current = b;
            return p;
        }
        b = b->next;
        if (b) b->used = 0; /* a spare block kept by reset */
    }
    /* Grow geometrically so a big document costs O(log n) blocks. */
    want = a->total < OLOCK__ARENA_MIN ? OLOCK__ARENA_MIN : a->total;
    if (want < size) want = size;
    nb = (olock_arena_block *)olock__alloc(a->alloc, OLOCK__ARENA_HDR + want);
    if (!nb) return NULL;
    nb->size = want;
    nb->used = size;
    nb->next = NULL;
    a->total += want;
    /* Append after the last block so the order of reuse stays stable. */
    if (!a->first) a->first = nb;
    else {
        b = a->current ? a->current : a->first;
        while (b->next) b = b->next;
        b->next = nb;
    }
    a->current = nb;
    return (char *)nb + OLOCK__ARENA_HDR;
}

/* olock_arena_alloc's common case without a call: room left in the current block. For parts
   that take many small pieces per request (the expression builder). */
static OLOCK__UNUSED void *olock__arena_take(olock_arena *a, size_t size) {
    olock_arena_block *b = a->current;
    if (b && size <= b->size - b->used) {
        size_t rounded = (size + 7) & ~(size_t)7;
        if (rounded <= b->size - b->used) {
            void *p = (char *)b + OLOCK__ARENA_HDR + b->used;
            b->used += rounded;
            return p;
        }
    }
    return olock_arena_alloc(a, size);
}

OLOCK_API char *olock_arena_strdup(olock_arena *a, const char *s, size_t len) {
    char *p;
    if (len == (size_t)-1) return NULL;
    p = (char *)olock_arena_alloc(a, len + 1);
    if (!p) return NULL;
    if (len) memcpy(p, s, len);
    p[len] = 0;
    return p;
}

/* Blocks the arena has moved past count whole: their unused ends are taken as well. */
OLOCK_API size_t olock_arena_used(const olock_arena *a) {
    const olock_arena_block *b;
    size_t n = 0;
    if (!a || !a->current) return 0;
    for (b = a->first; b != a->current; b = b->next) n += b->size;
    return n + a->current->used;
}

OLOCK_API void olock_arena_reset(olock_arena *a) {
    a->current = a->first;
    if (a->first) a->first->used = 0;
}

OLOCK_API void olock_arena_free(olock_arena *a) {
    olock_arena_block *b, *n;
    if (!a) return;
    for (b = a->first; b; b = n) {
        n = b->next;
        olock__free(a->alloc, b, OLOCK__ARENA_HDR + b->size);
    }
    a->first = a->current = NULL;
    a->total = 0;
}
/* =============================================================================================
   >>decimal (implementation)
   ========================================================================================== */

/* ---- Numbers: DynamoDB N values (exact decimals, conversions) ---------------------------- */

/* Digits in olock_decimal are values 0..9 (not characters). No libc number parsing or
   printing is used: strtod and printf depend on the locale, and DynamoDB's syntax and
   limits are not C's. */

#define OLOCK__DECIMAL_MIN_E10 (OLOCK_NUMBER_MIN_EXP + 1) /* exp10 of 1E-130 (0.1E-129) */
#define OLOCK__DECIMAL_MAX_E10 (OLOCK_NUMBER_MAX_EXP + 1) /* exp10 of 9.9..9E+125 */

/* The exact power-of-ten fast path is only correctly rounded when double arithmetic is done
   in double precision (not x87 extended); elsewhere the big-integer path does all the work. */
#if defined(FLT_EVAL_METHOD) && FLT_EVAL_METHOD == 0
#define OLOCK__DECIMAL_FAST_DOUBLE 1
#else
#define OLOCK__DECIMAL_FAST_DOUBLE 0
#endif

static const double olock__decimal_pow10_f64[23] = {
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
    1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22
};

static const uint32_t olock__decimal_pow10_u32[10] = {
    1u, 10u, 100u, 1000u, 10000u, 100000u, 1000000u, 10000000u, 100000000u, 1000000000u
};

static void olock__decimal_set_zero(olock_decimal *d) {
    memset(d, 0, sizeof *d);
}

/* Structural check of a caller-supplied decimal: the operations below rely on normalised
   digits and on the exponent range to bound their buffers. Any ndigits == 0 is zero. */
static int olock__decimal_valid(const olock_decimal *d) {
    int i;
    if (d == NULL) return 0;
    if (d->ndigits == 0) return 1;
    if (d->ndigits < 0 || d->ndigits > OLOCK_NUMBER_DIGITS) return 0;
    if (d->exp10 < OLOCK__DECIMAL_MIN_E10 || d->exp10 > OLOCK__DECIMAL_MAX_E10) return 0;
    for (i = 0; i < d->ndigits; i++)
        if (d->digits[i] > 9) return 0;
    return d->digits[0] != 0 && d->digits[d->ndigits - 1] != 0;
}

/* ---- parse ---- */

static olock_result olock__decimal_syntax_error(olock_error *err, size_t offset) {
    olock__error_set(err, OLOCK_ERR_PARSE, "A value provided cannot be converted into a number");
    if (err != NULL) err->offset = offset;
    return OLOCK_ERR_PARSE;
}

/* Counts that only matter up to "certainly out of range" are clamped here, so that no
   sum below can overflow whatever the input length. */
#define OLOCK__DECIMAL_COUNT_CLAMP ((int64_t)1 << 40)

static int64_t olock__decimal_clamp_count(size_t n) {
    return n > (size_t)OLOCK__DECIMAL_COUNT_CLAMP ? OLOCK__DECIMAL_COUNT_CLAMP : (int64_t)n;
}

OLOCK_API olock_result olock_decimal_parse(const char *s, size_t len, olock_decimal *out, olock_error *err) {
    olock_decimal d;
    size_t i = 0, ndig = 0, int_digits = 0, frac_digits = 0;
    size_t first_nz = 0, last_nz = 0, exp_start = 0;
    int have_nz = 0, seen_point = 0, negative = 0, exp_negative = 0, exp_too_long = 0;
    int64_t exp_value = 0, exp10;
    unsigned char sig[OLOCK_NUMBER_DIGITS + 1];

    olock__error_clear(err);
    if (out == NULL || (s == NULL && len > 0)) {
        olock__error_set(err, OLOCK_ERR_INVALID_ARG, "olock_decimal_parse: NULL argument");
        return OLOCK_ERR_INVALID_ARG;
    }
    if (i < len && (s[i] == '+' || s[i] == '-')) {
        negative = s[i] == '-';
        i++;
    }
    for (; i < len; i++) {
        char c = s[i];
        if (c == '.') {
            if (seen_point) break;
            seen_point = 1;
            continue;
        }
        if (c < '0' || c > '9') break;
        if (c != '0') {
            if (!have_nz) {
                have_nz = 1;
                first_nz = ndig;
            }
            last_nz = ndig;
        }
        /* Keep one digit more than allowed: enough to know that there are too many. */
        if (have_nz && ndig - first_nz <= OLOCK_NUMBER_DIGITS)
            sig[ndig - first_nz] = (unsigned char)(c - '0');
        ndig++;
        if (seen_point) frac_digits++;
        else int_digits++;
    }
    if (ndig == 0) return olock__decimal_syntax_error(err, i);
    if (i < len && (s[i] == 'e' || s[i] == 'E')) {
        size_t nexp = 0;
        int significant = 0;
        i++;
        if (i < len && (s[i] == '+' || s[i] == '-')) {
            exp_negative = s[i] == '-';
            i++;
        }
        exp_start = i;
        for (; i < len && s[i] >= '0' && s[i] <= '9'; i++, nexp++) {
            if (s[i] != '0') significant = 1;
            if (!significant) continue;
            /* DynamoDB (a Java BigDecimal) rejects exponents beyond 32 bits as unparseable;
               stop accumulating well before int64 could overflow. */
            if (exp_value > INT64_C(10000000000)) exp_too_long = 1;
            else exp_value = exp_value * 10 + (s[i] - '0');
        }
        if (nexp == 0) return olock__decimal_syntax_error(err, i);
        if (exp_negative) exp_value = -exp_value;
    }
    if (i < len) return olock__decimal_syntax_error(err, i);
    {
        /* BigDecimal's rules: the exponent and the scale (fraction digits - exponent) both
           have to fit a 32-bit int, or the text "cannot be converted into a number". */
        int64_t scale = olock__decimal_clamp_count(frac_digits) - exp_value;
        if (exp_too_long || exp_value > INT32_MAX || exp_value < INT32_MIN ||
            scale > INT32_MAX || scale < INT32_MIN)
            return olock__decimal_syntax_error(err, exp_start);
    }
    if (!have_nz) {
        olock__decimal_set_zero(out);
        return OLOCK_OK;
    }
    /* DynamoDB (Local) reports precision before magnitude. */
    if (last_nz - first_nz + 1 > OLOCK_NUMBER_DIGITS) {
        olock__error_set(err, OLOCK_ERR_LIMIT, "Attempting to store more than 38 significant digits in a Number");
        return OLOCK_ERR_LIMIT;
    }
    /* Position of the first significant digit relative to the point, exact before clamping. */
    if (int_digits >= first_nz) exp10 = olock__decimal_clamp_count(int_digits - first_nz) + exp_value;
    else exp10 = exp_value - olock__decimal_clamp_count(first_nz - int_digits);
    if (exp10 > OLOCK__DECIMAL_MAX_E10) {
        olock__error_set(err, OLOCK_ERR_LIMIT,
                         "Number overflow. Attempting to store a number with magnitude larger than supported range");
        return OLOCK_ERR_LIMIT;
    }
    if (exp10 < OLOCK__DECIMAL_MIN_E10) {
        olock__error_set(err, OLOCK_ERR_LIMIT,
                         "Number underflow. Attempting to store a number with magnitude smaller than supported range");
        return OLOCK_ERR_LIMIT;
    }
    olock__decimal_set_zero(&d);
    d.negative = negative;
    d.exp10 = (int)exp10;
    d.ndigits = (int)(last_nz - first_nz + 1);
    memcpy(d.digits, sig, (size_t)d.ndigits);
    *out = d;
    return OLOCK_OK;
}

/* ---- format, compare ---- */

OLOCK_API size_t olock_decimal_format(const olock_decimal *d, char *out) {
    size_t p = 0;
    int i, n, e;
    if (out == NULL) return 0;
    if (!olock__decimal_valid(d)) { /* the empty string: no valid number formats to it */
        out[0] = '\0';
        return 0;
    }
    if (d->ndigits == 0) {
        out[0] = '0';
        out[1] = '\0';
        return 1;
    }
    n = d->ndigits;
    e = d->exp10;
    if (d->negative) out[p++] = '-';
    if (e <= 0) {
        out[p++] = '0';
        out[p++] = '.';
        for (i = 0; i < -e; i++) out[p++] = '0';
        for (i = 0; i < n; i++) out[p++] = (char)('0' + d->digits[i]);
    } else if (e >= n) {
        for (i = 0; i < n; i++) out[p++] = (char)('0' + d->digits[i]);
        for (i = n; i < e; i++) out[p++] = '0';
    } else {
        for (i = 0; i < e; i++) out[p++] = (char)('0' + d->digits[i]);
        out[p++] = '.';
        for (i = e; i < n; i++) out[p++] = (char)('0' + d->digits[i]);
    }
    out[p] = '\0';
    return p;
}

static int olock__decimal_sign(const olock_decimal *d) {
    if (d == NULL || d->ndigits <= 0) return 0;
    return d->negative ? -1 : 1;
}

/* |a| vs |b| for non-zero normalised decimals. */
static int olock__decimal_cmp_abs(const olock_decimal *a, const olock_decimal *b) {
    int i, na = a->ndigits, nb = b->ndigits;
    if (na > OLOCK_NUMBER_DIGITS) na = OLOCK_NUMBER_DIGITS; /* memory safety for invalid input */
    if (nb > OLOCK_NUMBER_DIGITS) nb = OLOCK_NUMBER_DIGITS;
    if (a->exp10 != b->exp10) return a->exp10 < b->exp10 ? -1 : 1;
    for (i = 0; i < na && i < nb; i++)
        if (a->digits[i] != b->digits[i]) return a->digits[i] < b->digits[i] ? -1 : 1;
    if (na != nb) return na < nb ? -1 : 1;
    return 0;
}

OLOCK_API int olock_decimal_cmp(const olock_decimal *a, const olock_decimal *b) {
    int sa = olock__decimal_sign(a), sb = olock__decimal_sign(b), c;
    if (sa != sb) return sa < sb ? -1 : 1;
    if (sa == 0) return 0;
    c = olock__decimal_cmp_abs(a, b);
    return sa > 0 ? c : -c;
}

/* ---- add, subtract ---- */

/* Digit positions a sum can span: from 10^126 (a carry out of 10^125) down to 10^-167
   (the last of 38 digits starting at 10^-130). */
#define OLOCK__DECIMAL_SPAN (OLOCK__DECIMAL_MAX_E10 - OLOCK__DECIMAL_MIN_E10 + OLOCK_NUMBER_DIGITS + 2)

static olock_result olock__decimal_addsub(const olock_decimal *a, const olock_decimal *b, int negate_b,
                                          olock_decimal *out) {
    unsigned char acc[OLOCK__DECIMAL_SPAN];
    olock_decimal r;
    const olock_decimal *big, *small;
    int bneg, hi, lo, width, i, first, last, subtract, big_neg;

    if (out == NULL || !olock__decimal_valid(a) || !olock__decimal_valid(b)) return OLOCK_ERR_INVALID_ARG;
    bneg = b->negative ^ (negate_b != 0);
    if (a->ndigits == 0 || b->ndigits == 0) {
        if (a->ndigits == 0 && b->ndigits == 0) {
            olock__decimal_set_zero(out);
        } else if (a->ndigits == 0) {
            r = *b;
            r.negative = bneg != 0;
            *out = r;
        } else {
            r = *a;
            r.negative = a->negative != 0;
            *out = r;
        }
        return OLOCK_OK;
    }
    subtract = (a->negative != 0) != (bneg != 0);
    if (olock__decimal_cmp_abs(a, b) >= 0) {
        big = a;
        small = b;
        big_neg = a->negative != 0;
    } else {
        big = b;
        small = a;
        big_neg = bneg != 0;
    }
    /* acc[j] has weight 10^(hi - j); acc[0] catches the carry. */
    hi = (a->exp10 > b->exp10 ? a->exp10 : b->exp10);
    lo = a->exp10 - a->ndigits < b->exp10 - b->ndigits ? a->exp10 - a->ndigits : b->exp10 - b->ndigits;
    width = hi - lo + 1;
    OLOCK_ASSERT(width > 0 && width <= OLOCK__DECIMAL_SPAN);
    memset(acc, 0, sizeof acc);
    for (i = 0; i < big->ndigits; i++) acc[hi - big->exp10 + 1 + i] = big->digits[i];
    if (!subtract) {
        int carry = 0;
        for (i = small->ndigits - 1; i >= 0; i--) {
            int j = hi - small->exp10 + 1 + i;
            int t = acc[j] + small->digits[i] + carry;
            acc[j] = (unsigned char)(t % 10);
            carry = t / 10;
        }
        for (i = hi - small->exp10; carry && i >= 0; i--) {
            int t = acc[i] + carry;
            acc[i] = (unsigned char)(t % 10);
            carry = t / 10;
        }
    } else { /* |big| >= |small|, so no borrow leaves acc[0] */
        int borrow = 0;
        for (i = small->ndigits - 1; i >= 0; i--) {
            int j = hi - small->exp10 + 1 + i;
            int t = acc[j] - small->digits[i] - borrow;
            borrow = t < 0;
            acc[j] = (unsigned char)(t < 0 ? t + 10 : t);
        }
        for (i = hi - small->exp10; borrow && i >= 0; i--) {
            int t = acc[i] - borrow;
            borrow = t < 0;
            acc[i] = (unsigned char)(t < 0 ? t + 10 : t);
        }
    }
    first = 0;
    while (first < width && acc[first] == 0) first++;
    if (first == width) {
        olock__decimal_set_zero(out);
        return OLOCK_OK;
    }
    last = width - 1;
    while (acc[last] == 0) last--;
    /* DynamoDB rejects rather than rounds, precision first (as DynamoDB Local reports it). */
    if (last - first + 1 > OLOCK_NUMBER_DIGITS) return OLOCK_ERR_LIMIT;
    olock__decimal_set_zero(&r);
    r.exp10 = hi - first + 1;
    if (r.exp10 > OLOCK__DECIMAL_MAX_E10 || r.exp10 < OLOCK__DECIMAL_MIN_E10) return OLOCK_ERR_LIMIT;
    r.negative = big_neg;
    r.ndigits = last - first + 1;
    memcpy(r.digits, acc + first, (size_t)r.ndigits);
    *out = r;
    return OLOCK_OK;
}

OLOCK_API olock_result olock_decimal_add(const olock_decimal *a, const olock_decimal *b, olock_decimal *out) {
    return olock__decimal_addsub(a, b, 0, out);
}

OLOCK_API olock_result olock_decimal_sub(const olock_decimal *a, const olock_decimal *b, olock_decimal *out) {
    return olock__decimal_addsub(a, b, 1, out);
}

/* ---- integers ---- */

static void olock__decimal_from_mag(uint64_t v, int negative, olock_decimal *out) {
    unsigned char rev[20];
    int n = 0, i, tz = 0;
    olock__decimal_set_zero(out);
    if (v == 0) return;
    memset(rev, 0, sizeof rev);
    while (v != 0) {
        rev[n++] = (unsigned char)(v % 10);
        v /= 10;
    }
    while (tz < n && rev[tz] == 0) tz++;
    out->negative = negative;
    out->exp10 = n;
    out->ndigits = n - tz;
    for (i = 0; i < n - tz; i++) out->digits[i] = rev[n - 1 - i];
}

OLOCK_API void olock_decimal_from_i64(int64_t v, olock_decimal *out) {
    /* Negate in unsigned arithmetic: -INT64_MIN does not exist as an int64_t. */
    uint64_t mag = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
    if (out != NULL) olock__decimal_from_mag(mag, v < 0, out);
}

OLOCK_API void olock_decimal_from_u64(uint64_t v, olock_decimal *out) {
    if (out != NULL) olock__decimal_from_mag(v, 0, out);
}

/* The integer part of |d| into *mag; RANGE when it exceeds UINT64_MAX. *fraction is set when
   digits remain after the point. */
static olock_result olock__decimal_int_part(const olock_decimal *d, uint64_t *mag, int *fraction) {
    uint64_t v = 0;
    int i;
    *fraction = d->ndigits > (d->exp10 > 0 ? d->exp10 : 0);
    if (d->exp10 > 20) return OLOCK_ERR_RANGE;
    for (i = 0; i < d->exp10; i++) {
        unsigned dig = i < d->ndigits ? d->digits[i] : 0u;
        if (v > (UINT64_MAX - dig) / 10) return OLOCK_ERR_RANGE;
        v = v * 10 + dig;
    }
    *mag = v;
    return OLOCK_OK;
}

OLOCK_API olock_result olock_decimal_to_i64(const olock_decimal *d, int64_t *out) {
    uint64_t mag = 0;
    int fraction = 0;
    olock_result r;
    int64_t v;
    if (out == NULL || !olock__decimal_valid(d)) return OLOCK_ERR_INVALID_ARG;
    if (d->ndigits == 0) {
        *out = 0;
        return OLOCK_OK;
    }
    r = olock__decimal_int_part(d, &mag, &fraction);
    if (r != OLOCK_OK) return r;
    if (d->negative) {
        if (mag > (uint64_t)INT64_MAX + 1u) return OLOCK_ERR_RANGE;
        v = mag == (uint64_t)INT64_MAX + 1u ? INT64_MIN : -(int64_t)mag;
    } else {
        if (mag > (uint64_t)INT64_MAX) return OLOCK_ERR_RANGE;
        v = (int64_t)mag;
    }
    if (fraction) return OLOCK_ERR_INEXACT;
    *out = v;
    return OLOCK_OK;
}

OLOCK_API olock_result olock_decimal_to_u64(const olock_decimal *d, uint64_t *out) {
    uint64_t mag = 0;
    int fraction = 0;
    olock_result r;
    if (out == NULL || !olock__decimal_valid(d)) return OLOCK_ERR_INVALID_ARG;
    if (d->ndigits == 0) {
        *out = 0;
        return OLOCK_OK;
    }
    if (d->negative) return OLOCK_ERR_RANGE;
    r = olock__decimal_int_part(d, &mag, &fraction);
    if (r != OLOCK_OK) return r;
    if (fraction) return OLOCK_ERR_INEXACT;
    *out = mag;
    return OLOCK_OK;
}

/* ---- doubles: a small fixed-size big integer for exact comparisons ---- */

/* 1536 bits. The largest numbers built: m * 5^491 (~1190 bits) when expanding a double near
   1E-132 in from_double, and ~620 bits when comparing a 38-digit decimal near 1E-167 with a
   rounding midpoint. */
#define OLOCK__DECIMAL_BIG_LIMBS 48

typedef struct olock__decimal_big {
    int len;      /* limbs in use; limb[len - 1] != 0 */
    int overflow; /* a result needed more limbs than there are */
    uint32_t limb[OLOCK__DECIMAL_BIG_LIMBS];
} olock__decimal_big;

static void olock__decimal_big_set(olock__decimal_big *b, uint64_t v) {
    b->len = 0;
    b->overflow = 0;
    while (v != 0) {
        b->limb[b->len++] = (uint32_t)v;
        v >>= 32;
    }
}

/* b = b * m + add */
static void olock__decimal_big_muladd(olock__decimal_big *b, uint32_t m, uint32_t add) {
    uint64_t carry = add;
    int i;
    for (i = 0; i < b->len; i++) {
        uint64_t t = (uint64_t)b->limb[i] * m + carry; /* < 2^64 */
        b->limb[i] = (uint32_t)t;
        carry = t >> 32;
    }
    if (carry != 0) {
        if (b->len == OLOCK__DECIMAL_BIG_LIMBS) b->overflow = 1;
        else b->limb[b->len++] = (uint32_t)carry;
    }
    while (b->len > 0 && b->limb[b->len - 1] == 0) b->len--;
}

static void olock__decimal_big_mul_pow10(olock__decimal_big *b, int k) {
    for (; k >= 9; k -= 9) olock__decimal_big_muladd(b, 1000000000u, 0);
    if (k > 0) olock__decimal_big_muladd(b, olock__decimal_pow10_u32[k], 0);
}

static void olock__decimal_big_mul_pow5(olock__decimal_big *b, int k) {
    for (; k >= 13; k -= 13) olock__decimal_big_muladd(b, 1220703125u, 0); /* 5^13 */
    for (; k > 0; k--) olock__decimal_big_muladd(b, 5u, 0);
}

static void olock__decimal_big_shl(olock__decimal_big *b, int bits) {
    int words = bits / 32, shift = bits % 32, i, n;
    uint32_t top;
    if (b->len == 0 || bits <= 0) return;
    top = shift ? b->limb[b->len - 1] >> (32 - shift) : 0u;
    n = b->len + words + (top != 0);
    if (n > OLOCK__DECIMAL_BIG_LIMBS) {
        b->overflow = 1;
        return;
    }
    if (top != 0) b->limb[n - 1] = top;
    for (i = b->len - 1; i >= 0; i--) {
        uint32_t lo = (shift && i > 0) ? b->limb[i - 1] >> (32 - shift) : 0u;
        b->limb[i + words] = shift ? (b->limb[i] << shift) | lo : b->limb[i];
    }
    for (i = 0; i < words; i++) b->limb[i] = 0;
    b->len = n;
}

static int olock__decimal_big_cmp(const olock__decimal_big *a, const olock__decimal_big *b) {
    int i;
    if (a->len != b->len) return a->len < b->len ? -1 : 1;
    for (i = a->len - 1; i >= 0; i--)
        if (a->limb[i] != b->limb[i]) return a->limb[i] < b->limb[i] ? -1 : 1;
    return 0;
}

/* b = b / d, returns b % d */
static uint32_t olock__decimal_big_divmod(olock__decimal_big *b, uint32_t d) {
    uint64_t rem = 0;
    int i;
    for (i = b->len - 1; i >= 0; i--) {
        uint64_t cur = (rem << 32) | b->limb[i];
        b->limb[i] = (uint32_t)(cur / d);
        rem = cur % d;
    }
    while (b->len > 0 && b->limb[b->len - 1] == 0) b->len--;
    return (uint32_t)rem;
}

/* Sign of M * 10^q - h * 2^s, M being the n digits dg; *overflow set if it could not tell. */
static int olock__decimal_cmp_scaled(const unsigned char *dg, int n, int q, uint64_t h, int s, int *overflow) {
    olock__decimal_big l, r;
    int i;
    olock__decimal_big_set(&l, 0);
    for (i = 0; i < n; i++) olock__decimal_big_muladd(&l, 10u, dg[i]);
    olock__decimal_big_set(&r, h);
    if (q >= 0) olock__decimal_big_mul_pow10(&l, q);
    else olock__decimal_big_mul_pow10(&r, -q);
    if (s >= 0) olock__decimal_big_shl(&r, s);
    else olock__decimal_big_shl(&l, -s);
    if (l.overflow || r.overflow) *overflow = 1;
    return olock__decimal_big_cmp(&l, &r);
}

static uint64_t olock__decimal_f64_bits(double x) {
    uint64_t u;
    memcpy(&u, &x, sizeof u);
    return u;
}

static double olock__decimal_f64_from_bits(uint64_t u) {
    double x;
    memcpy(&x, &u, sizeof x);
    return x;
}

/* Within a few ulps of M * 10^q: at most 19 digits, then one rounding per power of ten. */
static double olock__decimal_f64_estimate(const unsigned char *dg, int n, int q) {
    uint64_t u = 0;
    int i, k = n < 19 ? n : 19, e;
    double x;
    for (i = 0; i < k; i++) u = u * 10 + dg[i];
    x = (double)u;
    for (e = q + (n - k); e > 0;) {
        int step = e > 22 ? 22 : e;
        x *= olock__decimal_pow10_f64[step];
        e -= step;
    }
    while (e < 0) {
        int step = -e > 22 ? 22 : -e;
        x /= olock__decimal_pow10_f64[step];
        e += step;
    }
    return x;
}

/* Correctly rounded (to nearest, ties to even) M * 10^q, M > 0 the n digits dg (n <= 38).
   The estimate is moved ulp by ulp until M * 10^q lies between the midpoints to its
   neighbours, each compared exactly in big integers. -1 if the value leaves the normal
   double range or the big integers ran out of room (neither happens for DynamoDB's range). */
static int olock__decimal_digits_to_f64(const unsigned char *dg, int n, int q, double *out) {
    double x;
    int iter, overflow = 0;

#if OLOCK__DECIMAL_FAST_DOUBLE
    if (n <= 15) {
        /* M and the power of ten are exact doubles, so one IEEE operation rounds correctly. */
        double m = 0;
        int i;
        for (i = 0; i < n; i++) m = m * 10 + dg[i];
        if (q >= 0 && q <= 22) {
            *out = m * olock__decimal_pow10_f64[q];
            return 0;
        }
        if (q < 0 && q >= -22) {
            *out = m / olock__decimal_pow10_f64[-q];
            return 0;
        }
        if (q > 22 && q <= 22 + 15 - n) { /* m * 10^(q-22) stays an exact integer < 10^15 */
            *out = (m * olock__decimal_pow10_f64[q - 22]) * 1e22;
            return 0;
        }
    }
#endif
    x = olock__decimal_f64_estimate(dg, n, q);
    for (iter = 0; iter < 64; iter++) {
        uint64_t bits = olock__decimal_f64_bits(x);
        int be = (int)((bits >> 52) & 0x7ff), e2, c;
        uint64_t m = (bits & ((UINT64_C(1) << 52) - 1)) | (UINT64_C(1) << 52);
        if (be == 0 || be == 0x7ff) return -1;
        e2 = be - 1075; /* x = m * 2^e2 */
        c = olock__decimal_cmp_scaled(dg, n, q, 2 * m + 1, e2 - 1, &overflow);
        if (c > 0 || (c == 0 && (m & 1))) {
            x = olock__decimal_f64_from_bits(bits + 1);
            continue;
        }
        if (m == (UINT64_C(1) << 52) && be > 1) /* the gap below a power of two is half as wide */
            c = olock__decimal_cmp_scaled(dg, n, q, 4 * m - 1, e2 - 2, &overflow);
        else
            c = olock__decimal_cmp_scaled(dg, n, q, 2 * m - 1, e2 - 1, &overflow);
        if (c < 0 || (c == 0 && (m & 1))) {
            x = olock__decimal_f64_from_bits(bits - 1);
            continue;
        }
        if (overflow) return -1;
        *out = x;
        return 0;
    }
    return -1;
}

OLOCK_API olock_result olock_decimal_to_double_approx(const olock_decimal *d, double *out) {
    double x;
    if (out == NULL || !olock__decimal_valid(d)) return OLOCK_ERR_INVALID_ARG;
    if (d->ndigits == 0) {
        *out = 0.0;
        return OLOCK_OK;
    }
    if (olock__decimal_digits_to_f64(d->digits, d->ndigits, d->exp10 - d->ndigits, &x) != 0)
        return OLOCK_ERR_RANGE;
    *out = d->negative ? -x : x;
    return OLOCK_OK;
}

OLOCK_API olock_result olock_decimal_to_double(const olock_decimal *d, double *out) {
    double x;
    olock_decimal back;
    olock_result r;
    if (out == NULL || !olock__decimal_valid(d)) return OLOCK_ERR_INVALID_ARG;
    r = olock_decimal_to_double_approx(d, &x);
    if (r != OLOCK_OK) return r;
    /* Up to 15 digits always survive a double; beyond, only if the shortest decimal of the
       double is this very number (e.g. 0.30000000000000004, which a double wrote). */
    if (d->ndigits > 15 && (olock_decimal_from_double(x, &back) != OLOCK_OK || olock_decimal_cmp(&back, d) != 0))
        return OLOCK_ERR_INEXACT;
    *out = x;
    return OLOCK_OK;
}

/* Digits of |x| cut to k significant digits, rounded down (up == 0) or up. Returns the
   normalised length; *exp10 adjusted for a carry out of the first digit. */
static int olock__decimal_cut(const unsigned char *all, int k, int up, unsigned char *dst, int *exp10) {
    int i;
    if (k < 1 || k > 17) return 0; /* callers pass 1..17; also keeps gcc's range analysis calm */
    memcpy(dst, all, (size_t)k);
    if (up) {
        for (i = k - 1; i >= 0 && dst[i] == 9; i--) dst[i] = 0;
        if (i < 0) { /* 99..9 -> 100..0 */
            dst[0] = 1;
            k = 1;
            (*exp10)++;
        } else {
            dst[i]++;
        }
    }
    while (k > 0 && dst[k - 1] == 0) k--;
    return k;
}

OLOCK_API olock_result olock_decimal_from_double(double v, olock_decimal *out) {
    uint64_t bits = olock__decimal_f64_bits(v), m;
    int be = (int)((bits >> 52) & 0x7ff), e2, nd = 0, i, k, exp10_all;
    int negative = (int)(bits >> 63);
    double x = negative ? -v : v;
    olock__decimal_big big;
    unsigned char all[400]; /* exact digits of |v|: at most 360 within the pre-check */
    unsigned char chunk[9];
    olock_decimal r;

    if (out == NULL) return OLOCK_ERR_INVALID_ARG;
    if (be == 0x7ff) return OLOCK_ERR_RANGE; /* NaN, infinities */
    if (x == 0.0) {
        olock__decimal_set_zero(out);
        return OLOCK_OK;
    }
    /* Coarse screen (the exact check is on the result): keeps the expansion below small. */
    if (x >= 1e127 || x < 1e-132) return OLOCK_ERR_LIMIT;
    m = (bits & ((UINT64_C(1) << 52) - 1)) | (UINT64_C(1) << 52);
    e2 = be - 1075;

    /* Exact decimal expansion: m * 2^e2 = (m * 5^-e2) * 10^e2 when e2 < 0. */
    olock__decimal_big_set(&big, m);
    if (e2 >= 0) olock__decimal_big_shl(&big, e2);
    else olock__decimal_big_mul_pow5(&big, -e2);
    if (big.overflow) return OLOCK_ERR_RANGE;
    {
        unsigned char rev[400];
        int nrev = 0;
        while (big.len > 0) {
            uint32_t c = olock__decimal_big_divmod(&big, 1000000000u);
            for (i = 0; i < 9; i++) {
                chunk[i] = (unsigned char)(c % 10);
                c /= 10;
            }
            if (nrev + 9 > (int)sizeof rev) return OLOCK_ERR_RANGE;
            memcpy(rev + nrev, chunk, 9);
            nrev += 9;
        }
        while (nrev > 0 && rev[nrev - 1] == 0) nrev--;
        for (i = 0; i < nrev; i++) all[i] = rev[nrev - 1 - i];
        nd = nrev;
    }
    exp10_all = nd + (e2 < 0 ? e2 : 0); /* |v| = 0.all * 10^exp10_all */
    while (nd > 0 && all[nd - 1] == 0) nd--;

    /* The shortest k whose nearer k-digit neighbour (or, at a binade edge, the farther one)
       reads back as v. 17 digits always suffice. */
    olock__decimal_set_zero(&r);
    for (k = 1; k <= 17; k++) {
        unsigned char lo[17], hi[17];
        int nlo, nhi, elo = exp10_all, ehi = exp10_all, lo_ok, hi_ok, pick_hi;
        double y;
        if (k >= nd) { /* exact */
            r.exp10 = exp10_all;
            r.ndigits = nd;
            memcpy(r.digits, all, (size_t)nd);
            break;
        }
        nlo = olock__decimal_cut(all, k, 0, lo, &elo);
        nhi = olock__decimal_cut(all, k, 1, hi, &ehi);
        lo_ok = nlo > 0 && olock__decimal_digits_to_f64(lo, nlo, elo - nlo, &y) == 0 && y == x;
        hi_ok = olock__decimal_digits_to_f64(hi, nhi, ehi - nhi, &y) == 0 && y == x;
        if (!lo_ok && !hi_ok && k < 17) continue;
        if (lo_ok && hi_ok) {
            /* both read back: the nearer, ties to an even last digit */
            int c = all[k] > 5 ? 1 : all[k] < 5 ? -1
                                                : 0;
            for (i = k + 1; c == 0 && i < nd; i++)
                if (all[i] != 0) c = 1;
            pick_hi = c > 0 || (c == 0 && (all[k - 1] & 1));
        } else if (lo_ok || hi_ok) {
            pick_hi = hi_ok;
        } else {
            pick_hi = all[k] >= 5; /* unreachable: 17 digits round-trip */
        }
        if (pick_hi) {
            r.exp10 = ehi;
            r.ndigits = nhi;
            memcpy(r.digits, hi, (size_t)nhi);
        } else {
            r.exp10 = elo;
            r.ndigits = nlo;
            memcpy(r.digits, lo, (size_t)nlo);
        }
        break;
    }
    if (r.ndigits == 0) return OLOCK_ERR_RANGE; /* cannot happen: x != 0 */
    if (r.exp10 > OLOCK__DECIMAL_MAX_E10 || r.exp10 < OLOCK__DECIMAL_MIN_E10) return OLOCK_ERR_LIMIT;
    r.negative = negative;
    *out = r;
    return OLOCK_OK;
}
/* =============================================================================================
   >>value (implementation)
   ========================================================================================== */

/* Private names later parts may use: olock__value_new, olock__set_member_type and
   olock__append_member, with which the DynamoDB JSON decoder (>>json) builds values in place,
   in one pass, without the public constructors' copies and checks it has already made; the
   engine's kept rendering (>>engine) appends with olock__append_member too. */

/* ---- values -------------------------------------------------------------------------------- */

OLOCK_API const char *olock_type_name(olock_type t) {
    switch (t) {
    case OLOCK_TYPE_S: return "S";
    case OLOCK_TYPE_N: return "N";
    case OLOCK_TYPE_B: return "B";
    case OLOCK_TYPE_BOOL: return "BOOL";
    case OLOCK_TYPE_NULL: return "NULL";
    case OLOCK_TYPE_M: return "M";
    case OLOCK_TYPE_L: return "L";
    case OLOCK_TYPE_SS: return "SS";
    case OLOCK_TYPE_NS: return "NS";
    case OLOCK_TYPE_BS: return "BS";
    }
    return "?";
}

OLOCK_API olock_type olock_type_from_name(const char *name, size_t len) {
    /* By length and letters rather than a loop of strlen and memcmp: every decoded value asks. */
    if (!name) return (olock_type)0;
    if (len == 1) {
        switch (name[0]) {
        case 'S': return OLOCK_TYPE_S;
        case 'N': return OLOCK_TYPE_N;
        case 'B': return OLOCK_TYPE_B;
        case 'M': return OLOCK_TYPE_M;
        case 'L': return OLOCK_TYPE_L;
        default: return (olock_type)0;
        }
    }
    if (len == 2 && name[1] == 'S') {
        switch (name[0]) {
        case 'S': return OLOCK_TYPE_SS;
        case 'N': return OLOCK_TYPE_NS;
        case 'B': return OLOCK_TYPE_BS;
        default: return (olock_type)0;
        }
    }
    if (len == 4 && memcmp(name, "BOOL", 4) == 0) return OLOCK_TYPE_BOOL;
    if (len == 4 && memcmp(name, "NULL", 4) == 0) return OLOCK_TYPE_NULL;
    return (olock_type)0;
}

static int olock__is_container(olock_type t) {
    return t == OLOCK_TYPE_M || t == OLOCK_TYPE_L || t >= OLOCK_TYPE_SS;
}

static olock_type olock__set_member_type(olock_type set) {
    return set == OLOCK_TYPE_SS ? OLOCK_TYPE_S : set == OLOCK_TYPE_NS ? OLOCK_TYPE_N
                                                                      : OLOCK_TYPE_B;
}

/* A zeroed value of type t, with `extra` bytes after it in the same piece of the arena. */
static olock_value *olock__value_take(olock_arena *a, olock_type t, size_t extra) {
    olock_value *v = (olock_value *)olock__arena_take(a, sizeof *v + extra);
    if (!v) return NULL;
    memset(v, 0, sizeof *v);
    v->type = t;
    return v;
}

static olock_value *olock__value_new(olock_arena *a, olock_type t) { return olock__value_take(a, t, 0); }

/* A value and its text (NUL-terminated) in one piece of the arena: one allocation, not two,
   for every string and number an item or a request is built of. */
static olock_value *olock__value_new_bytes(olock_arena *a, olock_type t, const char *s, size_t len) {
    olock_value *v;
    char *text;
    if (!s) len = 0;
    if (len > (size_t)-1 / 2) return NULL;
    v = olock__value_take(a, t, len + 1);
    if (!v) return NULL;
    text = (char *)(v + 1);
    if (len) memcpy(text, s, len);
    text[len] = 0;
    v->str = text;
    v->len = len;
    return v;
}

OLOCK_API olock_value *olock_value_new_s(olock_arena *a, const char *s, size_t len) {
    return olock__value_new_bytes(a, OLOCK_TYPE_S, s, len);
}

OLOCK_API olock_value *olock_value_new_b(olock_arena *a, const void *bytes, size_t len) {
    return olock__value_new_bytes(a, OLOCK_TYPE_B, (const char *)bytes, len);
}

OLOCK_API olock_value *olock_value_new_decimal(olock_arena *a, const olock_decimal *d) {
    char text[OLOCK_NUMBER_TEXT_MAX + 1];
    size_t n = olock_decimal_format(d, text);
    if (n == 0) return NULL; /* not a valid decimal */
    return olock__value_new_bytes(a, OLOCK_TYPE_N, text, n);
}

OLOCK_API olock_value *olock_value_new_n(olock_arena *a, const char *text, size_t len) {
    olock_decimal d;
    if (!text || olock_decimal_parse(text, len, &d, NULL) != OLOCK_OK) return NULL;
    return olock_value_new_decimal(a, &d);
}

/* An integer's canonical text is its sign and decimal digits (at most 20 of the 38 a number may
   have): written directly rather than through olock_decimal and olock_decimal_format. */
static olock_value *olock__value_new_int(olock_arena *a, uint64_t magnitude, int negative) {
    char tmp[24];
    size_t n = sizeof tmp;
    do {
        tmp[--n] = (char)('0' + magnitude % 10);
        magnitude /= 10;
    } while (magnitude);
    if (negative) tmp[--n] = '-';
    return olock__value_new_bytes(a, OLOCK_TYPE_N, tmp + n, sizeof tmp - n);
}

OLOCK_API olock_value *olock_value_new_i64(olock_arena *a, int64_t v) {
    return v < 0 ? olock__value_new_int(a, (uint64_t)0 - (uint64_t)v, 1) : olock__value_new_int(a, (uint64_t)v, 0);
}

OLOCK_API olock_value *olock_value_new_u64(olock_arena *a, uint64_t v) {
    return olock__value_new_int(a, v, 0);
}

OLOCK_API olock_value *olock_value_new_double(olock_arena *a, double v) {
    olock_decimal d;
    if (olock_decimal_from_double(v, &d) != OLOCK_OK) return NULL;
    return olock_value_new_decimal(a, &d);
}

OLOCK_API olock_value *olock_value_new_bool(olock_arena *a, int b) {
    olock_value *v = olock__value_new(a, OLOCK_TYPE_BOOL);
    if (v) v->boolean = b ? 1 : 0;
    return v;
}

OLOCK_API olock_value *olock_value_new_null(olock_arena *a) {
    return olock__value_new(a, OLOCK_TYPE_NULL);
}

OLOCK_API olock_value *olock_value_new_container(olock_arena *a, olock_type t) {
    if (!olock__is_container(t)) return NULL;
    return olock__value_new(a, t);
}

static void olock__append_member(olock_value *parent, olock_value *v) {
    v->next = NULL;
    if (parent->last) parent->last->next = v;
    else parent->first = v;
    parent->last = v;
    parent->count++;
}

static olock_value *olock__value_copy(olock_arena *a, const olock_value *v, int depth) {
    olock_value *c;
    const olock_value *m;
    if (depth > OLOCK_MAX_DEPTH) return NULL;
    c = olock__value_new(a, v->type);
    if (!c) return NULL;
    c->boolean = v->boolean;
    if (v->str) {
        c->str = olock_arena_strdup(a, v->str, v->len);
        if (!c->str) return NULL;
        c->len = v->len;
    }
    for (m = v->first; m; m = m->next) {
        olock_value *mc = olock__value_copy(a, m, depth + 1);
        if (!mc) return NULL;
        if (m->key) {
            mc->key = olock_arena_strdup(a, m->key, m->key_len);
            if (!mc->key) return NULL;
            mc->key_len = m->key_len;
        }
        olock__append_member(c, mc);
    }
    return c;
}

OLOCK_API olock_value *olock_value_copy(olock_arena *a, const olock_value *v) {
    return v ? olock__value_copy(a, v, 0) : NULL;
}

OLOCK_API olock_result olock_map_put(olock_arena *a, olock_value *map, const char *key, size_t key_len, olock_value *v) {
    olock_value *m, *prev = NULL;
    if (!map || map->type != OLOCK_TYPE_M || !v || !key) return OLOCK_ERR_INVALID_ARG;
    for (m = map->first; m; prev = m, m = m->next) {
        if (m->key_len == key_len && memcmp(m->key, key, key_len) == 0) {
            /* Replace in place so the member keeps its position. */
            v->key = m->key;
            v->key_len = m->key_len;
            v->next = m->next;
            if (prev) prev->next = v;
            else map->first = v;
            if (map->last == m) map->last = v;
            return OLOCK_OK;
        }
    }
    v->key = olock_arena_strdup(a, key, key_len);
    if (!v->key) return OLOCK_ERR_NOMEM;
    v->key_len = key_len;
    olock__append_member(map, v);
    return OLOCK_OK;
}

OLOCK_API const olock_value *olock_map_get(const olock_value *map, const char *key, size_t key_len) {
    const olock_value *m;
    if (!map || map->type != OLOCK_TYPE_M || !key) return NULL;
    for (m = map->first; m; m = m->next)
        if (m->key_len == key_len && memcmp(m->key, key, key_len) == 0) return m;
    return NULL;
}

OLOCK_API int olock_map_remove(olock_value *map, const char *key, size_t key_len) {
    olock_value *m, *prev = NULL;
    if (!map || map->type != OLOCK_TYPE_M || !key) return 0;
    for (m = map->first; m; prev = m, m = m->next) {
        if (m->key_len == key_len && memcmp(m->key, key, key_len) == 0) {
            if (prev) prev->next = m->next;
            else map->first = m->next;
            if (map->last == m) map->last = prev;
            map->count--;
            return 1;
        }
    }
    return 0;
}

OLOCK_API olock_result olock_list_append(olock_value *list, olock_value *v) {
    if (!list || list->type != OLOCK_TYPE_L || !v) return OLOCK_ERR_INVALID_ARG;
    olock__append_member(list, v);
    return OLOCK_OK;
}

OLOCK_API const olock_value *olock_list_get(const olock_value *list, size_t index) {
    const olock_value *m;
    if (!list || list->type != OLOCK_TYPE_L) return NULL;
    for (m = list->first; m && index; m = m->next) index--;
    return m;
}

/* S, N (canonical text) and B compare as bytes; that is exact for numbers because every N
   value is stored canonical. */
static int olock__scalar_bytes_equal(const olock_value *a, const olock_value *b) {
    return a->len == b->len && (a->len == 0 || memcmp(a->str, b->str, a->len) == 0);
}

OLOCK_API int olock_set_contains(const olock_value *set, const olock_value *v) {
    const olock_value *m;
    if (!set || !v || set->type < OLOCK_TYPE_SS || v->type != olock__set_member_type(set->type)) return 0;
    for (m = set->first; m; m = m->next)
        if (olock__scalar_bytes_equal(m, v)) return 1;
    return 0;
}

OLOCK_API olock_result olock_set_add(olock_value *set, olock_value *v) {
    if (!set || set->type < OLOCK_TYPE_SS || !v) return OLOCK_ERR_INVALID_ARG;
    if (v->type != olock__set_member_type(set->type)) return OLOCK_ERR_TYPE;
    if (olock_set_contains(set, v)) return OLOCK_OK;
    olock__append_member(set, v);
    return OLOCK_OK;
}

OLOCK_API olock_result olock_value_get_s(const olock_value *v, const char **s, size_t *len) {
    if (!v) return OLOCK_ERR_INVALID_ARG;
    if (v->type != OLOCK_TYPE_S) return OLOCK_ERR_TYPE;
    if (s) *s = v->str;
    if (len) *len = v->len;
    return OLOCK_OK;
}

OLOCK_API olock_result olock_value_get_b(const olock_value *v, const void **bytes, size_t *len) {
    if (!v) return OLOCK_ERR_INVALID_ARG;
    if (v->type != OLOCK_TYPE_B) return OLOCK_ERR_TYPE;
    if (bytes) *bytes = v->str;
    if (len) *len = v->len;
    return OLOCK_OK;
}

OLOCK_API olock_result olock_value_get_bool(const olock_value *v, int *b) {
    if (!v || !b) return OLOCK_ERR_INVALID_ARG;
    if (v->type != OLOCK_TYPE_BOOL) return OLOCK_ERR_TYPE;
    *b = v->boolean;
    return OLOCK_OK;
}

OLOCK_API olock_result olock_value_get_decimal(const olock_value *v, olock_decimal *d) {
    if (!v || !d) return OLOCK_ERR_INVALID_ARG;
    if (v->type != OLOCK_TYPE_N) return OLOCK_ERR_TYPE;
    return olock_decimal_parse(v->str, v->len, d, NULL);
}

OLOCK_API olock_result olock_value_get_i64(const olock_value *v, int64_t *out) {
    olock_decimal d;
    olock_result r = olock_value_get_decimal(v, &d);
    return r != OLOCK_OK ? r : olock_decimal_to_i64(&d, out);
}

OLOCK_API olock_result olock_value_get_u64(const olock_value *v, uint64_t *out) {
    olock_decimal d;
    olock_result r = olock_value_get_decimal(v, &d);
    return r != OLOCK_OK ? r : olock_decimal_to_u64(&d, out);
}

OLOCK_API olock_result olock_value_get_double(const olock_value *v, double *out) {
    olock_decimal d;
    olock_result r = olock_value_get_decimal(v, &d);
    return r != OLOCK_OK ? r : olock_decimal_to_double(&d, out);
}

static int olock__value_equal(const olock_value *a, const olock_value *b, int depth) {
    const olock_value *m, *n;
    if (a == b) return 1;
    if (!a || !b || a->type != b->type || depth > OLOCK_MAX_DEPTH) return 0;
    switch (a->type) {
    case OLOCK_TYPE_S:
    case OLOCK_TYPE_N:
    case OLOCK_TYPE_B:
        return olock__scalar_bytes_equal(a, b);
    case OLOCK_TYPE_BOOL: return a->boolean == b->boolean;
    case OLOCK_TYPE_NULL: return 1;
    case OLOCK_TYPE_L:
        if (a->count != b->count) return 0;
        for (m = a->first, n = b->first; m && n; m = m->next, n = n->next)
            if (!olock__value_equal(m, n, depth + 1)) return 0;
        return 1;
    case OLOCK_TYPE_M:
        if (a->count != b->count) return 0;
        for (m = a->first; m; m = m->next)
            if (!olock__value_equal(m, olock_map_get(b, m->key, m->key_len), depth + 1)) return 0;
        return 1;
    case OLOCK_TYPE_SS:
    case OLOCK_TYPE_NS:
    case OLOCK_TYPE_BS:
        /* Members are unique, so equal counts and inclusion one way is equality. */
        if (a->count != b->count) return 0;
        for (m = a->first; m; m = m->next)
            if (!olock_set_contains(b, m)) return 0;
        return 1;
    }
    return 0;
}

OLOCK_API int olock_value_equal(const olock_value *a, const olock_value *b) {
    return olock__value_equal(a, b, 0);
}

/* ---- items --------------------------------------------------------------------------------- */

OLOCK_API olock_result olock_item_create(const olock_allocator *alloc, olock_item **out) {
    olock_item *it;
    if (!out) return OLOCK_ERR_INVALID_ARG;
    it = (olock_item *)olock__alloc(alloc, sizeof *it);
    if (!it) return OLOCK_ERR_NOMEM;
    olock_arena_init(&it->arena, alloc);
    it->root = olock_value_new_container(&it->arena, OLOCK_TYPE_M);
    if (!it->root) {
        olock_arena_free(&it->arena);
        olock__free(alloc, it, sizeof *it);
        return OLOCK_ERR_NOMEM;
    }
    *out = it;
    return OLOCK_OK;
}

OLOCK_API void olock_item_destroy(olock_item *it) {
    const olock_allocator *alloc;
    if (!it) return;
    alloc = it->arena.alloc;
    olock_arena_free(&it->arena);
    olock__free(alloc, it, sizeof *it);
}

OLOCK_API olock_result olock_item_copy(const olock_item *src, const olock_allocator *alloc, olock_item **out) {
    olock_item *it = NULL;
    olock_value *root;
    olock_result r;
    if (!src || !out) return OLOCK_ERR_INVALID_ARG;
    r = olock_item_create(alloc, &it);
    if (r != OLOCK_OK) return r;
    root = olock_value_copy(&it->arena, src->root);
    if (!root) {
        olock_item_destroy(it);
        return OLOCK_ERR_NOMEM;
    }
    it->root = root;
    *out = it;
    return OLOCK_OK;
}

OLOCK_API olock_arena *olock_item_arena(olock_item *it) { return it ? &it->arena : NULL; }

OLOCK_API olock_result olock_item_put(olock_item *it, const char *name, olock_value *v) {
    if (!it || !name || !v) return OLOCK_ERR_INVALID_ARG;
    return olock_map_put(&it->arena, it->root, name, strlen(name), v);
}

OLOCK_API olock_result olock_item_set(olock_item *it, const char *name, const olock_value *v) {
    olock_value *c;
    if (!it || !name || !v) return OLOCK_ERR_INVALID_ARG;
    c = olock_value_copy(&it->arena, v);
    return c ? olock_item_put(it, name, c) : OLOCK_ERR_NOMEM;
}

/* Shared tail of the typed setters: a NULL value from a constructor is OOM. */
static olock_result olock__item_put_new(olock_item *it, const char *name, olock_value *v) {
    return v ? olock_item_put(it, name, v) : OLOCK_ERR_NOMEM;
}

OLOCK_API olock_result olock_item_set_s(olock_item *it, const char *name, const char *s) {
    if (!it || !s) return OLOCK_ERR_INVALID_ARG;
    return olock__item_put_new(it, name, olock_value_new_s(&it->arena, s, strlen(s)));
}

OLOCK_API olock_result olock_item_set_n(olock_item *it, const char *name, const char *number_text) {
    olock_decimal d;
    olock_result r;
    if (!it || !number_text) return OLOCK_ERR_INVALID_ARG;
    r = olock_decimal_parse(number_text, strlen(number_text), &d, NULL);
    if (r != OLOCK_OK) return r;
    return olock__item_put_new(it, name, olock_value_new_decimal(&it->arena, &d));
}

OLOCK_API olock_result olock_item_set_i64(olock_item *it, const char *name, int64_t v) {
    if (!it) return OLOCK_ERR_INVALID_ARG;
    return olock__item_put_new(it, name, olock_value_new_i64(&it->arena, v));
}

OLOCK_API olock_result olock_item_set_double(olock_item *it, const char *name, double v) {
    olock_decimal d;
    olock_result r;
    if (!it) return OLOCK_ERR_INVALID_ARG;
    r = olock_decimal_from_double(v, &d);
    if (r != OLOCK_OK) return r;
    return olock__item_put_new(it, name, olock_value_new_decimal(&it->arena, &d));
}

OLOCK_API olock_result olock_item_set_b(olock_item *it, const char *name, const void *bytes, size_t len) {
    if (!it || (!bytes && len)) return OLOCK_ERR_INVALID_ARG;
    return olock__item_put_new(it, name, olock_value_new_b(&it->arena, bytes, len));
}

OLOCK_API olock_result olock_item_set_bool(olock_item *it, const char *name, int b) {
    if (!it) return OLOCK_ERR_INVALID_ARG;
    return olock__item_put_new(it, name, olock_value_new_bool(&it->arena, b));
}

OLOCK_API olock_result olock_item_set_null(olock_item *it, const char *name) {
    if (!it) return OLOCK_ERR_INVALID_ARG;
    return olock__item_put_new(it, name, olock_value_new_null(&it->arena));
}

OLOCK_API const olock_value *olock_item_get(const olock_item *it, const char *name) {
    if (!it || !name) return NULL;
    return olock_map_get(it->root, name, strlen(name));
}

OLOCK_API int olock_item_remove(olock_item *it, const char *name) {
    if (!it || !name) return 0;
    return olock_map_remove(it->root, name, strlen(name));
}

OLOCK_API olock_result olock_item_get_s(const olock_item *it, const char *name, const char **s) {
    const olock_value *v = olock_item_get(it, name);
    if (!v) return OLOCK_ERR_NOT_FOUND;
    return olock_value_get_s(v, s, NULL);
}

OLOCK_API olock_result olock_item_get_i64(const olock_item *it, const char *name, int64_t *out) {
    const olock_value *v = olock_item_get(it, name);
    if (!v) return OLOCK_ERR_NOT_FOUND;
    return olock_value_get_i64(v, out);
}

OLOCK_API const olock_value *olock_map_find(const olock_value *map, const char *name) {
    return name ? olock_map_get(map, name, strlen(name)) : NULL;
}

OLOCK_API olock_result olock_map_get_s(const olock_value *map, const char *name, const char **s, size_t *len) {
    const olock_value *v = olock_map_find(map, name);
    if (!v) return OLOCK_ERR_NOT_FOUND;
    return olock_value_get_s(v, s, len);
}

OLOCK_API olock_result olock_map_get_i64(const olock_value *map, const char *name, int64_t *out) {
    const olock_value *v = olock_map_find(map, name);
    if (!v) return OLOCK_ERR_NOT_FOUND;
    return olock_value_get_i64(v, out);
}

OLOCK_API olock_result olock_map_get_u64(const olock_value *map, const char *name, uint64_t *out) {
    const olock_value *v = olock_map_find(map, name);
    if (!v) return OLOCK_ERR_NOT_FOUND;
    return olock_value_get_u64(v, out);
}

OLOCK_API olock_result olock_map_get_double(const olock_value *map, const char *name, double *out) {
    const olock_value *v = olock_map_find(map, name);
    if (!v) return OLOCK_ERR_NOT_FOUND;
    return olock_value_get_double(v, out);
}

OLOCK_API olock_result olock_map_get_bool(const olock_value *map, const char *name, int *b) {
    const olock_value *v = olock_map_find(map, name);
    if (!v) return OLOCK_ERR_NOT_FOUND;
    return olock_value_get_bool(v, b);
}

OLOCK_API olock_result olock_item_key(const olock_item *it, const char *hash_key, const char *range_key,
                                      olock_item **out, olock_error *err) {
    const char *names[2];
    olock_item *k = NULL;
    olock_result r;
    size_t i;
    olock__error_clear(err);
    if (!it) return olock__null_arg(err, "olock_item_key", "it");
    if (!hash_key) return olock__null_arg(err, "olock_item_key", "hash_key");
    if (!out) return olock__null_arg(err, "olock_item_key", "out");
    names[0] = hash_key;
    names[1] = range_key;
    for (i = 0; i < 2 && names[i]; i++) {
        if (!olock_item_get(it, names[i])) {
            olock_item_destroy(k);
            olock__error_set(err, OLOCK_ERR_NOT_FOUND, "olock_item_key: the item has no attribute \"%s\"", names[i]);
            return OLOCK_ERR_NOT_FOUND;
        }
        if (!k && (r = olock_item_create(it->arena.alloc, &k)) != OLOCK_OK) return olock__fail_at(err, r, 0, "out of memory");
        if ((r = olock_item_set(k, names[i], olock_item_get(it, names[i]))) != OLOCK_OK) {
            olock_item_destroy(k);
            return olock__fail_at(err, r, 0, "out of memory");
        }
    }
    *out = k;
    return OLOCK_OK;
}

OLOCK_API int olock_item_equal(const olock_item *a, const olock_item *b) {
    if (!a || !b) return a == b;
    return olock_value_equal(a->root, b->root);
}
/* =============================================================================================
   >>json (implementation)
   ========================================================================================== */

/* Private names later parts may use: olock__json_put_string (a JSON string written through a
   pointer into room the caller reserved) and olock__write_attr_map (a map as DynamoDB JSON
   attribute values), with which the request encoders (>>wire) and the engine's ledger write
   their members without a detour through a value tree; olock__dd_member_map (a one-member
   response body's attribute map in one pass), with which the response decoder (>>wire) reads
   an item without building the body's tree when nobody asks for the tree. */

/* ---- JSON parser ---------------------------------------------------------------------------- */

/* The parser works on a copy of the text in the arena, parsed in place: a string ends (NUL)
   where its closing quote was and its escapes are undone where they stand (what an escape
   stands for is never longer than the escape), so a string costs no allocation and no second
   copy; the NUL bytes after the copy end every scan without a bounds check. Numbers, whose end
   is the next value's delimiter, are copied. Nodes come from the arena a few dozen at a time.
   Every change to the copy is behind the parse position, so offsets are the input's. */

#define OLOCK__JP_PAD 16   /* NUL bytes after the copy: a word read up to a byte past the end */
#define OLOCK__JP_CHUNK 32 /* nodes taken from the arena at once */

typedef struct olock__jp {
    char *s; /* the copy, OLOCK__JP_PAD NUL bytes after it */
    size_t len, pos;
    olock_arena *a;
    olock_json *spare; /* nodes taken, not used yet */
    size_t nspare;
    unsigned max_depth;
    olock_error *err;
    olock_result rc; /* first failure; parsing stops on it */
} olock__jp;

/* A parser over a copy of text (len bytes, len + OLOCK__JP_PAD not overflowing) in arena a;
   0 when the copy cannot be allocated. */
static int olock__jp_init(olock__jp *p, olock_arena *a, const char *text, size_t len, unsigned max_depth, olock_error *err) {
    p->s = (char *)olock_arena_alloc(a, len + OLOCK__JP_PAD);
    if (!p->s) return 0;
    if (len) memcpy(p->s, text, len);
    memset(p->s + len, 0, OLOCK__JP_PAD);
    p->len = len;
    p->pos = 0;
    p->a = a;
    p->spare = NULL;
    p->nspare = 0;
    p->max_depth = max_depth;
    p->err = err;
    p->rc = OLOCK_OK;
    return 1;
}

static olock_json *olock__jp_fail(olock__jp *p, olock_result rc, size_t at, const char *msg) {
    if (p->rc == OLOCK_OK) {
        p->rc = rc;
        olock__fail_at(p->err, rc, at, msg);
    }
    return NULL;
}

static void olock__jp_ws_slow(olock__jp *p) {
    while (p->pos < p->len) {
        char c = p->s[p->pos];
        if (c != ' ' && c != '\t' && c != '\n' && c != '\r') break;
        p->pos++;
    }
}

/* Compact JSON (what DynamoDB and the SDKs send) has no white space: one test, no call, to
   leave (the NUL padding makes the read safe at the end). */
#define olock__jp_ws(p) ((unsigned char)(p)->s[(p)->pos] > ' ' ? (void)0 : olock__jp_ws_slow(p))

static olock_json *olock__jp_node(olock__jp *p, olock_json_kind k, size_t at) {
    olock_json *n;
    if (!p->nspare) {
        p->spare = (olock_json *)olock_arena_alloc(p->a, OLOCK__JP_CHUNK * sizeof *n);
        if (!p->spare) return olock__jp_fail(p, OLOCK_ERR_NOMEM, at, "out of memory");
        p->nspare = OLOCK__JP_CHUNK;
    }
    n = p->spare++;
    p->nspare--;
    memset(n, 0, sizeof *n);
    n->kind = k;
    n->offset = at;
    return n;
}

/* Length of the valid UTF-8 sequence at s (n bytes left), or 0 if invalid: no overlong forms,
   no surrogates, nothing above U+10FFFF. */
static size_t olock__utf8_seq(const unsigned char *s, size_t n) {
    unsigned c = s[0];
    if (c < 0x80) return 1;
    if (c >= 0xC2 && c <= 0xDF) return (n >= 2 && (s[1] & 0xC0) == 0x80) ? 2 : 0;
    if (c >= 0xE0 && c <= 0xEF) {
        if (n < 3 || (s[1] & 0xC0) != 0x80 || (s[2] & 0xC0) != 0x80) return 0;
        if (c == 0xE0 && s[1] < 0xA0) return 0; /* overlong */
        if (c == 0xED && s[1] > 0x9F) return 0; /* surrogate */
        return 3;
    }
    if (c >= 0xF0 && c <= 0xF4) {
        if (n < 4 || (s[1] & 0xC0) != 0x80 || (s[2] & 0xC0) != 0x80 || (s[3] & 0xC0) != 0x80) return 0;
        if (c == 0xF0 && s[1] < 0x90) return 0; /* overlong */
        if (c == 0xF4 && s[1] > 0x8F) return 0; /* above U+10FFFF */
        return 4;
    }
    return 0;
}

static int olock__hex4(const char *s, unsigned *out) {
    unsigned v = 0;
    int i;
    for (i = 0; i < 4; i++) {
        char c = s[i];
        v <<= 4;
        if (c >= '0' && c <= '9') v |= (unsigned)(c - '0');
        else if (c >= 'a' && c <= 'f') v |= (unsigned)(c - 'a' + 10);
        else if (c >= 'A' && c <= 'F') v |= (unsigned)(c - 'A' + 10);
        else return 0;
    }
    *out = v;
    return 1;
}

static size_t olock__utf8_put(char *o, unsigned cp) {
    if (cp < 0x80) {
        o[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        o[0] = (char)(0xC0 | (cp >> 6));
        o[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        o[0] = (char)(0xE0 | (cp >> 12));
        o[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        o[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    o[0] = (char)(0xF0 | (cp >> 18));
    o[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    o[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
    o[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

/* Nonzero when any of the 8 bytes of w is '"', '\\', below 0x20 or at least 0x80 (a byte a
   JSON string cannot carry as it is, or the start of a UTF-8 sequence to check). Exact as a
   yes/no answer in either byte order: the borrows of the zero-byte tests only mark bytes next
   to a byte that really matched. */
static uint64_t olock__swar_special(uint64_t w) {
    const uint64_t ones = 0x0101010101010101u, high = 0x8080808080808080u;
    uint64_t q = w ^ (ones * 0x22u), bs = w ^ (ones * 0x5Cu);
    return (((q - ones) & ~q) | ((bs - ones) & ~bs) | (w - ones * 0x20u) | w) & high;
}

/* Where a word with special bytes (olock__swar_special(w) = m, nonzero) has its first one, in
   bytes from the start of the word: exact in little-endian order, where the borrows run toward
   later bytes, with a count-trailing-zeros instruction; elsewhere 0, and the caller's byte loop
   finds it. */
#if defined(OLOCK__SWAR_FIRST)
/* given by the build: tests define it as 0 to run the portable path on this machine */
#elif (defined(__GNUC__) || defined(__clang__)) && defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define OLOCK__SWAR_FIRST(m) ((size_t)__builtin_ctzll(m) >> 3)
#else
#define OLOCK__SWAR_FIRST(m) ((size_t)0)
#endif

/* Not inlined into its caller, whose fast path would then set up all that this needs. */
#if defined(__GNUC__) || defined(__clang__)
#define OLOCK__NOINLINE __attribute__((noinline))
#else
#define OLOCK__NOINLINE
#endif

/* Any string, its opening quote at pos, unescaped in place (the common plain one takes
   olock__jp_string below). */
static OLOCK__NOINLINE int olock__jp_string_any(olock__jp *p, const char **out, size_t *out_len) {
    size_t start = p->pos + 1, i = start, end;
    unsigned char *s = (unsigned char *)p->s;
    char *o;
    int plain = 1;
    /* Pass 1: the closing quote; escapes and UTF-8 are looked at in pass 2. */
    for (;;) {
        /* Eight plain bytes at a time (the NUL padding stops this at the end). */
        for (;;) {
            uint64_t w, m;
            memcpy(&w, s + i, 8);
            m = olock__swar_special(w);
            if (m) {
                i += OLOCK__SWAR_FIRST(m);
                break;
            }
            i += 8;
        }
        if (i >= p->len) {
            olock__jp_fail(p, OLOCK_ERR_PARSE, p->pos, "unterminated string");
            return 0;
        }
        if (s[i] == '"') break;
        if (s[i] == '\\') {
            plain = 0;
            i += 2;
            continue;
        }
        if (s[i] >= 0x80) plain = 0;
        else if (s[i] < 0x20) { /* else a plain byte, where OLOCK__SWAR_FIRST gives 0 */
            olock__jp_fail(p, OLOCK_ERR_PARSE, i, "control character in string");
            return 0;
        }
        i++;
    }
    end = i;
    o = p->s + start;
    if (plain) {
        o += end - start;
    } else {
        for (i = start; i < end;) {
            unsigned c = s[i];
            if (c == '\\') {
                char e = (char)s[i + 1];
                i += 2;
                switch (e) {
                case '"': *o++ = '"'; break;
                case '\\': *o++ = '\\'; break;
                case '/': *o++ = '/'; break;
                case 'b': *o++ = '\b'; break;
                case 'f': *o++ = '\f'; break;
                case 'n': *o++ = '\n'; break;
                case 'r': *o++ = '\r'; break;
                case 't': *o++ = '\t'; break;
                case 'u': {
                    unsigned cp, lo;
                    if (i + 4 > end || !olock__hex4(p->s + i, &cp)) {
                        olock__jp_fail(p, OLOCK_ERR_PARSE, i - 2, "bad \\u escape");
                        return 0;
                    }
                    i += 4;
                    if (cp >= 0xDC00 && cp <= 0xDFFF) {
                        olock__jp_fail(p, OLOCK_ERR_PARSE, i - 6, "lone low surrogate in \\u escape");
                        return 0;
                    }
                    if (cp >= 0xD800 && cp <= 0xDBFF) {
                        if (i + 6 > end || s[i] != '\\' || s[i + 1] != 'u' || !olock__hex4(p->s + i + 2, &lo) ||
                            lo < 0xDC00 || lo > 0xDFFF) {
                            olock__jp_fail(p, OLOCK_ERR_PARSE, i - 6, "high surrogate not followed by a low surrogate");
                            return 0;
                        }
                        i += 6;
                        cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
                    }
                    /* 6 (or 12) bytes of escape, 1-4 of UTF-8: the output stays behind i. */
                    o += olock__utf8_put(o, cp);
                    break;
                }
                default:
                    olock__jp_fail(p, OLOCK_ERR_PARSE, i - 2, "invalid escape in string");
                    return 0;
                }
            } else if (c < 0x80) {
                *o++ = (char)c;
                i++;
            } else {
                size_t n = olock__utf8_seq(s + i, end - i), k;
                if (!n) {
                    olock__jp_fail(p, OLOCK_ERR_PARSE, i, "invalid UTF-8 in string");
                    return 0;
                }
                for (k = 0; k < n; k++) *o++ = (char)s[i + k];
                i += n;
            }
        }
    }
    *o = 0; /* at the closing quote at the latest */
    *out = p->s + start;
    *out_len = (size_t)(o - (p->s + start));
    p->pos = end + 1;
    return 1;
}

/* 1 for the bytes a plain string stops at: '"', '\\', control characters (the NUL padding
   among them) and the bytes of UTF-8 sequences. */
static const unsigned char olock__jp_stop[256] = {
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, /* 0x00 */
    0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, /* 0x20: '"' */
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, /* 0x40: '\\' */
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, /* 0x60 */
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, /* 0x80 */
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, /* 0xA0 */
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, /* 0xC0 */
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, /* 0xE0 */
};

/* Where the plain run from i ends: the first '"', '\\', control character or byte of a UTF-8
   sequence at or after i (the padding's NUL at the latest). Its first bytes one at a time (type
   names and most keys end there), the rest sixteen at a time with SSE2. */
static size_t olock__jp_plain_end(const olock__jp *p, size_t i) {
    const unsigned char *s = (const unsigned char *)p->s;
#if defined(OLOCK__SSE2) && (defined(__GNUC__) || defined(__clang__))
    /* Sixteen bytes are read only from an i <= len (the padding covers them), and the scan stops
       at the padding's NUL. A signed compare below 0x20 takes in the controls and every byte
       from 0x80 on (negative as signed bytes): the stop table's set. */
    size_t start = i;
    while (i < start + 4 && !olock__jp_stop[s[i]]) i++;
    while (!olock__jp_stop[s[i]]) {
        __m128i v = _mm_loadu_si128((const __m128i *)(const void *)(s + i));
        int m = _mm_movemask_epi8(_mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('"')), _mm_cmpeq_epi8(v, _mm_set1_epi8('\\'))),
                                               _mm_cmplt_epi8(v, _mm_set1_epi8(0x20))));
        if (m) return i + (size_t)__builtin_ctz((unsigned)m);
        i += 16;
    }
#else
    while (!olock__jp_stop[s[i]]) i++;
#endif
    return i;
}

/* The string whose opening quote is at pos: a plain one (most strings of a request or a
   response) here; one with escapes, UTF-8 or no end by olock__jp_string_any. */
static int olock__jp_string(olock__jp *p, const char **out, size_t *out_len) {
    const unsigned char *s = (const unsigned char *)p->s;
    size_t start = p->pos + 1, i = olock__jp_plain_end(p, start);
    if (s[i] != '"' || i >= p->len) return olock__jp_string_any(p, out, out_len);
    p->s[i] = 0;
    *out = p->s + start;
    *out_len = i - start;
    p->pos = i + 1;
    return 1;
}

static olock_json *olock__jp_number(olock__jp *p) {
    size_t at = p->pos, i = p->pos;
    olock_json *n;
    const char *s = p->s;
    if (i < p->len && s[i] == '-') i++;
    if (i >= p->len || !olock__is_digit(s[i])) return olock__jp_fail(p, OLOCK_ERR_PARSE, i, "invalid number");
    if (s[i] == '0') {
        i++;
        if (i < p->len && olock__is_digit(s[i])) return olock__jp_fail(p, OLOCK_ERR_PARSE, i, "leading zero in number");
    } else {
        while (i < p->len && olock__is_digit(s[i])) i++;
    }
    if (i < p->len && s[i] == '.') {
        i++;
        if (i >= p->len || !olock__is_digit(s[i])) return olock__jp_fail(p, OLOCK_ERR_PARSE, i, "digit expected after '.'");
        while (i < p->len && olock__is_digit(s[i])) i++;
    }
    if (i < p->len && (s[i] == 'e' || s[i] == 'E')) {
        i++;
        if (i < p->len && (s[i] == '+' || s[i] == '-')) i++;
        if (i >= p->len || !olock__is_digit(s[i])) return olock__jp_fail(p, OLOCK_ERR_PARSE, i, "digit expected in exponent");
        while (i < p->len && olock__is_digit(s[i])) i++;
    }
    n = olock__jp_node(p, OLOCK_JSON_NUMBER, at);
    if (!n) return NULL;
    n->str = olock_arena_strdup(p->a, s + at, i - at);
    if (!n->str) return olock__jp_fail(p, OLOCK_ERR_NOMEM, at, "out of memory");
    n->len = i - at;
    p->pos = i;
    return n;
}

static olock_json *olock__jp_value(olock__jp *p, unsigned depth);

/* A string value, its opening quote at pos. */
static olock_json *olock__jp_string_value(olock__jp *p) {
    olock_json *n = olock__jp_node(p, OLOCK_JSON_STRING, p->pos);
    if (!n || !olock__jp_string(p, &n->str, &n->len)) return NULL;
    return n;
}

static olock_json *olock__jp_container(olock__jp *p, unsigned depth, int is_object) {
    size_t at = p->pos;
    olock_json *n, *last = NULL;
    char close = is_object ? '}' : ']';
    if (depth >= p->max_depth) return olock__jp_fail(p, OLOCK_ERR_LIMIT, at, "JSON nested too deeply");
    n = olock__jp_node(p, is_object ? OLOCK_JSON_OBJECT : OLOCK_JSON_ARRAY, at);
    if (!n) return NULL;
    p->pos++;
    olock__jp_ws(p);
    if (p->pos < p->len && p->s[p->pos] == close) {
        p->pos++;
        return n;
    }
    for (;;) {
        olock_json *m;
        const char *key = NULL;
        size_t key_len = 0;
        if (is_object) {
            if (p->pos >= p->len || p->s[p->pos] != '"')
                return olock__jp_fail(p, OLOCK_ERR_PARSE, p->pos, "object member name expected");
            if (!olock__jp_string(p, &key, &key_len)) return NULL;
            olock__jp_ws(p);
            if (p->pos >= p->len || p->s[p->pos] != ':') return olock__jp_fail(p, OLOCK_ERR_PARSE, p->pos, "':' expected");
            p->pos++;
            olock__jp_ws(p);
        }
        /* a string (most values of a request) without the call through olock__jp_value */
        m = p->s[p->pos] == '"' ? olock__jp_string_value(p) : olock__jp_value(p, depth + 1);
        if (!m) return NULL;
        if (is_object) {
            m->key = key;
            m->key_len = key_len;
        }
        if (last) last->next = m;
        else n->first = m;
        last = m;
        if (n->count == UINT32_MAX) return olock__jp_fail(p, OLOCK_ERR_LIMIT, p->pos, "too many members");
        n->count++;
        olock__jp_ws(p);
        if (p->pos >= p->len) return olock__jp_fail(p, OLOCK_ERR_PARSE, p->pos, is_object ? "unterminated object" : "unterminated array");
        if (p->s[p->pos] == ',') {
            p->pos++;
            olock__jp_ws(p);
            continue;
        }
        if (p->s[p->pos] == close) {
            p->pos++;
            return n;
        }
        return olock__jp_fail(p, OLOCK_ERR_PARSE, p->pos, is_object ? "',' or '}' expected" : "',' or ']' expected");
    }
}

static olock_json *olock__jp_literal(olock__jp *p, const char *word, size_t n, olock_json_kind k) {
    if (p->len - p->pos < n || memcmp(p->s + p->pos, word, n) != 0)
        return olock__jp_fail(p, OLOCK_ERR_PARSE, p->pos, "invalid literal");
    p->pos += n;
    return olock__jp_node(p, k, p->pos - n);
}

static olock_json *olock__jp_value(olock__jp *p, unsigned depth) {
    if (p->pos >= p->len) return olock__jp_fail(p, OLOCK_ERR_PARSE, p->pos, "unexpected end of input");
    switch (p->s[p->pos]) {
    case '{': return olock__jp_container(p, depth, 1);
    case '[': return olock__jp_container(p, depth, 0);
    case '"': return olock__jp_string_value(p);
    case 't': return olock__jp_literal(p, "true", 4, OLOCK_JSON_TRUE);
    case 'f': return olock__jp_literal(p, "false", 5, OLOCK_JSON_FALSE);
    case 'n': return olock__jp_literal(p, "null", 4, OLOCK_JSON_NULL);
    default:
        if (p->s[p->pos] == '-' || olock__is_digit(p->s[p->pos])) return olock__jp_number(p);
        return olock__jp_fail(p, OLOCK_ERR_PARSE, p->pos, "unexpected character");
    }
}

OLOCK_API olock_result olock_json_parse(olock_arena *a, const char *text, size_t len,
                                        const olock_json_limits *limits, olock_json **out, olock_error *err) {
    olock__jp p;
    olock_json *root;
    size_t max_bytes = limits && limits->max_bytes ? limits->max_bytes : OLOCK__DEFAULT_MAX_BYTES;
    olock__error_clear(err);
    if (!a) return olock__null_arg(err, "olock_json_parse", "a");
    if (!out) return olock__null_arg(err, "olock_json_parse", "out");
    if (!text && len) return olock__invalid_arg(err, "olock_json_parse: text is NULL and len is %lu", (unsigned long)len);
    if (len > max_bytes || len > (size_t)-1 - OLOCK__JP_PAD)
        return olock__fail_at(err, OLOCK_ERR_LIMIT, max_bytes, "JSON document too large");
    if (!olock__jp_init(&p, a, text, len, limits && limits->max_depth ? limits->max_depth : OLOCK_MAX_DEPTH, err))
        return olock__fail_at(err, OLOCK_ERR_NOMEM, 0, "out of memory");
    olock__jp_ws(&p);
    root = olock__jp_value(&p, 0);
    if (!root) return p.rc;
    olock__jp_ws(&p);
    if (p.pos != p.len) return olock__fail_at(err, OLOCK_ERR_PARSE, p.pos, "trailing characters after JSON value");
    *out = root;
    return OLOCK_OK;
}

OLOCK_API const olock_json *olock_json_get(const olock_json *obj, const char *key) {
    const olock_json *m;
    size_t n;
    if (!obj || obj->kind != OLOCK_JSON_OBJECT || !key) return NULL;
    n = strlen(key);
    for (m = obj->first; m; m = m->next)
        if (m->key_len == n && memcmp(m->key, key, n) == 0) return m;
    return NULL;
}

/* ---- JSON writer, base64, CRC-32 ------------------------------------------------------------ */

/* 1 for bytes that a JSON string can hold as they are (printable ASCII but '"' and '\\'): the
   bytes the reader's stop table passes, one load instead of four compares (most names and type
   tags are shorter than a word and go through here byte by byte). UTF-8 sequences are
   validated separately. */
static int olock__json_plain(unsigned char c) { return !olock__jp_stop[c]; }

/* As olock__swar_special, for 4 bytes. */
static uint32_t olock__swar_special32(uint32_t w) {
    const uint32_t ones = 0x01010101u, high = 0x80808080u;
    uint32_t q = w ^ (ones * 0x22u), bs = w ^ (ones * 0x5Cu);
    return (((q - ones) & ~q) | ((bs - ones) & ~bs) | (w - ones * 0x20u) | w) & high;
}

/* The general case of olock__json_put_string: from byte i on, escapes and UTF-8 checks, then the
   closing quote. */
static char *olock__json_put_escaped(char *o, const unsigned char *u, size_t i, size_t len) {
    static const char hex[] = "0123456789abcdef";
    while (i < len) {
        unsigned c;
        while (i + 8 <= len) {
            uint64_t w;
            memcpy(&w, u + i, 8);
            if (olock__swar_special(w)) break;
            memcpy(o, &w, 8);
            o += 8;
            i += 8;
        }
        if (i < len && len >= 8 && i + 8 > len) {
            /* The last 8 bytes, overlapping what was copied: if all plain, the tail goes in one
               store (the overlapped bytes were plain too, so they were copied one for one). */
            uint64_t w;
            memcpy(&w, u + len - 8, 8);
            if (!olock__swar_special(w)) {
                memcpy(o - (i - (len - 8)), &w, 8);
                o += len - i;
                break;
            }
        }
        while (i < len && olock__json_plain(u[i])) *o++ = (char)u[i++];
        if (i >= len) break;
        c = u[i];
        if (c >= 0x80) {
            size_t n = olock__utf8_seq(u + i, len - i);
            if (!n) return NULL;
            while (n--) *o++ = (char)u[i++];
            continue;
        }
        *o++ = '\\';
        switch (c) {
        case '"': *o++ = '"'; break;
        case '\\': *o++ = '\\'; break;
        case '\b': *o++ = 'b'; break;
        case '\f': *o++ = 'f'; break;
        case '\n': *o++ = 'n'; break;
        case '\r': *o++ = 'r'; break;
        case '\t': *o++ = 't'; break;
        default:
            *o++ = 'u';
            *o++ = '0';
            *o++ = '0';
            *o++ = hex[c >> 4];
            *o++ = hex[c & 15];
        }
        i++;
    }
    *o++ = '"';
    return o;
}

/* Writes s as a quoted JSON string at o, which has room for len * 6 + 2 bytes; returns the end,
   or NULL if s is not valid UTF-8. Most strings (names, numbers, short values) are plain and
   short: those are checked and copied with two overlapping words (never reading outside s), the
   rest goes to olock__json_put_escaped. */
static char *olock__json_put_string(char *o, const char *s, size_t len) {
    const unsigned char *u = (const unsigned char *)s;
    *o++ = '"';
    if (len >= 8 && len <= 16) {
        uint64_t a, z;
        memcpy(&a, u, 8);
        memcpy(&z, u + len - 8, 8);
        if (!(olock__swar_special(a) | olock__swar_special(z))) {
            memcpy(o, &a, 8);
            memcpy(o + len - 8, &z, 8);
            o += len;
            *o++ = '"';
            return o;
        }
    } else if (len >= 4 && len < 8) {
        uint32_t a, z;
        memcpy(&a, u, 4);
        memcpy(&z, u + len - 4, 4);
        if (!(olock__swar_special32(a) | olock__swar_special32(z))) {
            memcpy(o, &a, 4);
            memcpy(o + len - 4, &z, 4);
            o += len;
            *o++ = '"';
            return o;
        }
    } else if (len && len < 4) {
        /* 1 to 3 bytes: the first, the middle and the last cover them all, without a loop. */
        unsigned char a = u[0], m = u[len >> 1], z = u[len - 1];
        if (olock__json_plain(a) & olock__json_plain(m) & olock__json_plain(z)) {
            o[0] = (char)a;
            o[len >> 1] = (char)m;
            o[len - 1] = (char)z;
            o += len;
            *o++ = '"';
            return o;
        }
    } else if (!len) {
        *o++ = '"';
        return o;
    }
    return olock__json_put_escaped(o, u, 0, len);
}

OLOCK_API olock_result olock_json_write_string(olock_buf *b, const char *s, size_t len) {
    olock_result r;
    char *o;
    /* Worst case every byte becomes \u00XX. Writing through a local pointer (not b->data[b->len])
       lets the compiler keep it in a register. */
    if (len > ((size_t)-1 - 2) / 6) return OLOCK_ERR_LIMIT;
    r = olock__buf_room(b, len * 6 + 2);
    if (r != OLOCK_OK) return r;
    o = olock__json_put_string(b->data + b->len, s, len);
    if (!o) {
        b->data[b->len] = 0;
        return OLOCK_ERR_INVALID_ARG;
    } /* b->len untouched: nothing written */
    *o = 0;
    b->len = (size_t)(o - b->data);
    return OLOCK_OK;
}

static const char olock__b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

OLOCK_API size_t olock_base64_encoded_len(size_t len) {
    if (len > ((size_t)-1 / 4) * 3 - 2) return 0;
    return (len + 2) / 3 * 4;
}

/* Writes the encoding at o (which has room); returns its length. */
static size_t olock__b64_put(char *o, const unsigned char *d, size_t len) {
    size_t i, n = 0;
    for (i = 0; i + 2 < len; i += 3) {
        uint32_t v = ((uint32_t)d[i] << 16) | ((uint32_t)d[i + 1] << 8) | d[i + 2];
        o[n++] = olock__b64[v >> 18];
        o[n++] = olock__b64[(v >> 12) & 63];
        o[n++] = olock__b64[(v >> 6) & 63];
        o[n++] = olock__b64[v & 63];
    }
    if (len - i == 1) {
        uint32_t v = (uint32_t)d[i] << 16;
        o[n++] = olock__b64[v >> 18];
        o[n++] = olock__b64[(v >> 12) & 63];
        o[n++] = '=';
        o[n++] = '=';
    } else if (len - i == 2) {
        uint32_t v = ((uint32_t)d[i] << 16) | ((uint32_t)d[i + 1] << 8);
        o[n++] = olock__b64[v >> 18];
        o[n++] = olock__b64[(v >> 12) & 63];
        o[n++] = olock__b64[(v >> 6) & 63];
        o[n++] = '=';
    }
    return n;
}

OLOCK_API olock_result olock_base64_encode(const void *data, size_t len, olock_buf *out) {
    size_t n = olock_base64_encoded_len(len);
    olock_result r;
    if (!n && len) return OLOCK_ERR_LIMIT;
    r = olock_buf_reserve(out, n);
    if (r != OLOCK_OK) return r;
    out->len += olock__b64_put(out->data + out->len, (const unsigned char *)data, len);
    out->data[out->len] = 0;
    return OLOCK_OK;
}

static int olock__b64_val(char c) {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+') return 62;
    if (c == '/') return 63;
    return -1;
}

OLOCK_API olock_result olock_base64_decode(const char *text, size_t len, unsigned char *out, size_t *out_len) {
    size_t i, n = 0;
    if (len % 4 != 0) return OLOCK_ERR_PARSE;
    for (i = 0; i < len; i += 4) {
        int v0 = olock__b64_val(text[i]), v1 = olock__b64_val(text[i + 1]);
        int v2 = olock__b64_val(text[i + 2]), v3 = olock__b64_val(text[i + 3]);
        int last = i + 4 == len;
        if (v0 < 0 || v1 < 0) return OLOCK_ERR_PARSE;
        if (v2 < 0 || v3 < 0) {
            /* Only the final quantum may be padded: "xx==" or "xxx=". */
            if (!last || text[i + 3] != '=') return OLOCK_ERR_PARSE;
            if (v2 < 0) {
                if (text[i + 2] != '=' || (v1 & 15)) return OLOCK_ERR_PARSE;
                out[n++] = (unsigned char)((v0 << 2) | (v1 >> 4));
            } else {
                if (v2 & 3) return OLOCK_ERR_PARSE;
                out[n++] = (unsigned char)((v0 << 2) | (v1 >> 4));
                out[n++] = (unsigned char)(((v1 & 15) << 4) | (v2 >> 2));
            }
            break;
        }
        out[n++] = (unsigned char)((v0 << 2) | (v1 >> 4));
        out[n++] = (unsigned char)(((v1 & 15) << 4) | (v2 >> 2));
        out[n++] = (unsigned char)(((v2 & 3) << 6) | v3);
    }
    *out_len = n;
    return OLOCK_OK;
}

static const uint32_t olock__crc_table[256] = {
    0x00000000u, 0x77073096u, 0xee0e612cu, 0x990951bau, 0x076dc419u, 0x706af48fu,
    0xe963a535u, 0x9e6495a3u, 0x0edb8832u, 0x79dcb8a4u, 0xe0d5e91eu, 0x97d2d988u,
    0x09b64c2bu, 0x7eb17cbdu, 0xe7b82d07u, 0x90bf1d91u, 0x1db71064u, 0x6ab020f2u,
    0xf3b97148u, 0x84be41deu, 0x1adad47du, 0x6ddde4ebu, 0xf4d4b551u, 0x83d385c7u,
    0x136c9856u, 0x646ba8c0u, 0xfd62f97au, 0x8a65c9ecu, 0x14015c4fu, 0x63066cd9u,
    0xfa0f3d63u, 0x8d080df5u, 0x3b6e20c8u, 0x4c69105eu, 0xd56041e4u, 0xa2677172u,
    0x3c03e4d1u, 0x4b04d447u, 0xd20d85fdu, 0xa50ab56bu, 0x35b5a8fau, 0x42b2986cu,
    0xdbbbc9d6u, 0xacbcf940u, 0x32d86ce3u, 0x45df5c75u, 0xdcd60dcfu, 0xabd13d59u,
    0x26d930acu, 0x51de003au, 0xc8d75180u, 0xbfd06116u, 0x21b4f4b5u, 0x56b3c423u,
    0xcfba9599u, 0xb8bda50fu, 0x2802b89eu, 0x5f058808u, 0xc60cd9b2u, 0xb10be924u,
    0x2f6f7c87u, 0x58684c11u, 0xc1611dabu, 0xb6662d3du, 0x76dc4190u, 0x01db7106u,
    0x98d220bcu, 0xefd5102au, 0x71b18589u, 0x06b6b51fu, 0x9fbfe4a5u, 0xe8b8d433u,
    0x7807c9a2u, 0x0f00f934u, 0x9609a88eu, 0xe10e9818u, 0x7f6a0dbbu, 0x086d3d2du,
    0x91646c97u, 0xe6635c01u, 0x6b6b51f4u, 0x1c6c6162u, 0x856530d8u, 0xf262004eu,
    0x6c0695edu, 0x1b01a57bu, 0x8208f4c1u, 0xf50fc457u, 0x65b0d9c6u, 0x12b7e950u,
    0x8bbeb8eau, 0xfcb9887cu, 0x62dd1ddfu, 0x15da2d49u, 0x8cd37cf3u, 0xfbd44c65u,
    0x4db26158u, 0x3ab551ceu, 0xa3bc0074u, 0xd4bb30e2u, 0x4adfa541u, 0x3dd895d7u,
    0xa4d1c46du, 0xd3d6f4fbu, 0x4369e96au, 0x346ed9fcu, 0xad678846u, 0xda60b8d0u,
    0x44042d73u, 0x33031de5u, 0xaa0a4c5fu, 0xdd0d7cc9u, 0x5005713cu, 0x270241aau,
    0xbe0b1010u, 0xc90c2086u, 0x5768b525u, 0x206f85b3u, 0xb966d409u, 0xce61e49fu,
    0x5edef90eu, 0x29d9c998u, 0xb0d09822u, 0xc7d7a8b4u, 0x59b33d17u, 0x2eb40d81u,
    0xb7bd5c3bu, 0xc0ba6cadu, 0xedb88320u, 0x9abfb3b6u, 0x03b6e20cu, 0x74b1d29au,
    0xead54739u, 0x9dd277afu, 0x04db2615u, 0x73dc1683u, 0xe3630b12u, 0x94643b84u,
    0x0d6d6a3eu, 0x7a6a5aa8u, 0xe40ecf0bu, 0x9309ff9du, 0x0a00ae27u, 0x7d079eb1u,
    0xf00f9344u, 0x8708a3d2u, 0x1e01f268u, 0x6906c2feu, 0xf762575du, 0x806567cbu,
    0x196c3671u, 0x6e6b06e7u, 0xfed41b76u, 0x89d32be0u, 0x10da7a5au, 0x67dd4accu,
    0xf9b9df6fu, 0x8ebeeff9u, 0x17b7be43u, 0x60b08ed5u, 0xd6d6a3e8u, 0xa1d1937eu,
    0x38d8c2c4u, 0x4fdff252u, 0xd1bb67f1u, 0xa6bc5767u, 0x3fb506ddu, 0x48b2364bu,
    0xd80d2bdau, 0xaf0a1b4cu, 0x36034af6u, 0x41047a60u, 0xdf60efc3u, 0xa867df55u,
    0x316e8eefu, 0x4669be79u, 0xcb61b38cu, 0xbc66831au, 0x256fd2a0u, 0x5268e236u,
    0xcc0c7795u, 0xbb0b4703u, 0x220216b9u, 0x5505262fu, 0xc5ba3bbeu, 0xb2bd0b28u,
    0x2bb45a92u, 0x5cb36a04u, 0xc2d7ffa7u, 0xb5d0cf31u, 0x2cd99e8bu, 0x5bdeae1du,
    0x9b64c2b0u, 0xec63f226u, 0x756aa39cu, 0x026d930au, 0x9c0906a9u, 0xeb0e363fu,
    0x72076785u, 0x05005713u, 0x95bf4a82u, 0xe2b87a14u, 0x7bb12baeu, 0x0cb61b38u,
    0x92d28e9bu, 0xe5d5be0du, 0x7cdcefb7u, 0x0bdbdf21u, 0x86d3d2d4u, 0xf1d4e242u,
    0x68ddb3f8u, 0x1fda836eu, 0x81be16cdu, 0xf6b9265bu, 0x6fb077e1u, 0x18b74777u,
    0x88085ae6u, 0xff0f6a70u, 0x66063bcau, 0x11010b5cu, 0x8f659effu, 0xf862ae69u,
    0x616bffd3u, 0x166ccf45u, 0xa00ae278u, 0xd70dd2eeu, 0x4e048354u, 0x3903b3c2u,
    0xa7672661u, 0xd06016f7u, 0x4969474du, 0x3e6e77dbu, 0xaed16a4au, 0xd9d65adcu,
    0x40df0b66u, 0x37d83bf0u, 0xa9bcae53u, 0xdebb9ec5u, 0x47b2cf7fu, 0x30b5ffe9u,
    0xbdbdf21cu, 0xcabac28au, 0x53b39330u, 0x24b4a3a6u, 0xbad03605u, 0xcdd70693u,
    0x54de5729u, 0x23d967bfu, 0xb3667a2eu, 0xc4614ab8u, 0x5d681b02u, 0x2a6f2b94u,
    0xb40bbe37u, 0xc30c8ea1u, 0x5a05df1bu, 0x2d02ef8du
};

/* Slice-by-8: olock__crc_slice[k - 1][b] is the CRC register after byte b followed by k zero
   bytes (table k of the method), so eight input bytes cost eight independent lookups instead of
   eight dependent ones. Generated from olock__crc_table: T[k][b] = (T[k-1][b] >> 8) ^
   olock__crc_table[T[k-1][b] & 0xFF]; test_core checks the result against the bytewise loop. */
static const uint32_t olock__crc_slice[7][256] = {
    { 0x00000000u, 0x191b3141u, 0x32366282u, 0x2b2d53c3u, 0x646cc504u, 0x7d77f445u, 0x565aa786u, 0x4f4196c7u,
      0xc8d98a08u, 0xd1c2bb49u, 0xfaefe88au, 0xe3f4d9cbu, 0xacb54f0cu, 0xb5ae7e4du, 0x9e832d8eu, 0x87981ccfu,
      0x4ac21251u, 0x53d92310u, 0x78f470d3u, 0x61ef4192u, 0x2eaed755u, 0x37b5e614u, 0x1c98b5d7u, 0x05838496u,
      0x821b9859u, 0x9b00a918u, 0xb02dfadbu, 0xa936cb9au, 0xe6775d5du, 0xff6c6c1cu, 0xd4413fdfu, 0xcd5a0e9eu,
      0x958424a2u, 0x8c9f15e3u, 0xa7b24620u, 0xbea97761u, 0xf1e8e1a6u, 0xe8f3d0e7u, 0xc3de8324u, 0xdac5b265u,
      0x5d5daeaau, 0x44469febu, 0x6f6bcc28u, 0x7670fd69u, 0x39316baeu, 0x202a5aefu, 0x0b07092cu, 0x121c386du,
      0xdf4636f3u, 0xc65d07b2u, 0xed705471u, 0xf46b6530u, 0xbb2af3f7u, 0xa231c2b6u, 0x891c9175u, 0x9007a034u,
      0x179fbcfbu, 0x0e848dbau, 0x25a9de79u, 0x3cb2ef38u, 0x73f379ffu, 0x6ae848beu, 0x41c51b7du, 0x58de2a3cu,
      0xf0794f05u, 0xe9627e44u, 0xc24f2d87u, 0xdb541cc6u, 0x94158a01u, 0x8d0ebb40u, 0xa623e883u, 0xbf38d9c2u,
      0x38a0c50du, 0x21bbf44cu, 0x0a96a78fu, 0x138d96ceu, 0x5ccc0009u, 0x45d73148u, 0x6efa628bu, 0x77e153cau,
      0xbabb5d54u, 0xa3a06c15u, 0x888d3fd6u, 0x91960e97u, 0xded79850u, 0xc7cca911u, 0xece1fad2u, 0xf5facb93u,
      0x7262d75cu, 0x6b79e61du, 0x4054b5deu, 0x594f849fu, 0x160e1258u, 0x0f152319u, 0x243870dau, 0x3d23419bu,
      0x65fd6ba7u, 0x7ce65ae6u, 0x57cb0925u, 0x4ed03864u, 0x0191aea3u, 0x188a9fe2u, 0x33a7cc21u, 0x2abcfd60u,
      0xad24e1afu, 0xb43fd0eeu, 0x9f12832du, 0x8609b26cu, 0xc94824abu, 0xd05315eau, 0xfb7e4629u, 0xe2657768u,
      0x2f3f79f6u, 0x362448b7u, 0x1d091b74u, 0x04122a35u, 0x4b53bcf2u, 0x52488db3u, 0x7965de70u, 0x607eef31u,
      0xe7e6f3feu, 0xfefdc2bfu, 0xd5d0917cu, 0xcccba03du, 0x838a36fau, 0x9a9107bbu, 0xb1bc5478u, 0xa8a76539u,
      0x3b83984bu, 0x2298a90au, 0x09b5fac9u, 0x10aecb88u, 0x5fef5d4fu, 0x46f46c0eu, 0x6dd93fcdu, 0x74c20e8cu,
      0xf35a1243u, 0xea412302u, 0xc16c70c1u, 0xd8774180u, 0x9736d747u, 0x8e2de606u, 0xa500b5c5u, 0xbc1b8484u,
      0x71418a1au, 0x685abb5bu, 0x4377e898u, 0x5a6cd9d9u, 0x152d4f1eu, 0x0c367e5fu, 0x271b2d9cu, 0x3e001cddu,
      0xb9980012u, 0xa0833153u, 0x8bae6290u, 0x92b553d1u, 0xddf4c516u, 0xc4eff457u, 0xefc2a794u, 0xf6d996d5u,
      0xae07bce9u, 0xb71c8da8u, 0x9c31de6bu, 0x852aef2au, 0xca6b79edu, 0xd37048acu, 0xf85d1b6fu, 0xe1462a2eu,
      0x66de36e1u, 0x7fc507a0u, 0x54e85463u, 0x4df36522u, 0x02b2f3e5u, 0x1ba9c2a4u, 0x30849167u, 0x299fa026u,
      0xe4c5aeb8u, 0xfdde9ff9u, 0xd6f3cc3au, 0xcfe8fd7bu, 0x80a96bbcu, 0x99b25afdu, 0xb29f093eu, 0xab84387fu,
      0x2c1c24b0u, 0x350715f1u, 0x1e2a4632u, 0x07317773u, 0x4870e1b4u, 0x516bd0f5u, 0x7a468336u, 0x635db277u,
      0xcbfad74eu, 0xd2e1e60fu, 0xf9ccb5ccu, 0xe0d7848du, 0xaf96124au, 0xb68d230bu, 0x9da070c8u, 0x84bb4189u,
      0x03235d46u, 0x1a386c07u, 0x31153fc4u, 0x280e0e85u, 0x674f9842u, 0x7e54a903u, 0x5579fac0u, 0x4c62cb81u,
      0x8138c51fu, 0x9823f45eu, 0xb30ea79du, 0xaa1596dcu, 0xe554001bu, 0xfc4f315au, 0xd7626299u, 0xce7953d8u,
      0x49e14f17u, 0x50fa7e56u, 0x7bd72d95u, 0x62cc1cd4u, 0x2d8d8a13u, 0x3496bb52u, 0x1fbbe891u, 0x06a0d9d0u,
      0x5e7ef3ecu, 0x4765c2adu, 0x6c48916eu, 0x7553a02fu, 0x3a1236e8u, 0x230907a9u, 0x0824546au, 0x113f652bu,
      0x96a779e4u, 0x8fbc48a5u, 0xa4911b66u, 0xbd8a2a27u, 0xf2cbbce0u, 0xebd08da1u, 0xc0fdde62u, 0xd9e6ef23u,
      0x14bce1bdu, 0x0da7d0fcu, 0x268a833fu, 0x3f91b27eu, 0x70d024b9u, 0x69cb15f8u, 0x42e6463bu, 0x5bfd777au,
      0xdc656bb5u, 0xc57e5af4u, 0xee530937u, 0xf7483876u, 0xb809aeb1u, 0xa1129ff0u, 0x8a3fcc33u, 0x9324fd72u },
    { 0x00000000u, 0x01c26a37u, 0x0384d46eu, 0x0246be59u, 0x0709a8dcu, 0x06cbc2ebu, 0x048d7cb2u, 0x054f1685u,
      0x0e1351b8u, 0x0fd13b8fu, 0x0d9785d6u, 0x0c55efe1u, 0x091af964u, 0x08d89353u, 0x0a9e2d0au, 0x0b5c473du,
      0x1c26a370u, 0x1de4c947u, 0x1fa2771eu, 0x1e601d29u, 0x1b2f0bacu, 0x1aed619bu, 0x18abdfc2u, 0x1969b5f5u,
      0x1235f2c8u, 0x13f798ffu, 0x11b126a6u, 0x10734c91u, 0x153c5a14u, 0x14fe3023u, 0x16b88e7au, 0x177ae44du,
      0x384d46e0u, 0x398f2cd7u, 0x3bc9928eu, 0x3a0bf8b9u, 0x3f44ee3cu, 0x3e86840bu, 0x3cc03a52u, 0x3d025065u,
      0x365e1758u, 0x379c7d6fu, 0x35dac336u, 0x3418a901u, 0x3157bf84u, 0x3095d5b3u, 0x32d36beau, 0x331101ddu,
      0x246be590u, 0x25a98fa7u, 0x27ef31feu, 0x262d5bc9u, 0x23624d4cu, 0x22a0277bu, 0x20e69922u, 0x2124f315u,
      0x2a78b428u, 0x2bbade1fu, 0x29fc6046u, 0x283e0a71u, 0x2d711cf4u, 0x2cb376c3u, 0x2ef5c89au, 0x2f37a2adu,
      0x709a8dc0u, 0x7158e7f7u, 0x731e59aeu, 0x72dc3399u, 0x7793251cu, 0x76514f2bu, 0x7417f172u, 0x75d59b45u,
      0x7e89dc78u, 0x7f4bb64fu, 0x7d0d0816u, 0x7ccf6221u, 0x798074a4u, 0x78421e93u, 0x7a04a0cau, 0x7bc6cafdu,
      0x6cbc2eb0u, 0x6d7e4487u, 0x6f38fadeu, 0x6efa90e9u, 0x6bb5866cu, 0x6a77ec5bu, 0x68315202u, 0x69f33835u,
      0x62af7f08u, 0x636d153fu, 0x612bab66u, 0x60e9c151u, 0x65a6d7d4u, 0x6464bde3u, 0x662203bau, 0x67e0698du,
      0x48d7cb20u, 0x4915a117u, 0x4b531f4eu, 0x4a917579u, 0x4fde63fcu, 0x4e1c09cbu, 0x4c5ab792u, 0x4d98dda5u,
      0x46c49a98u, 0x4706f0afu, 0x45404ef6u, 0x448224c1u, 0x41cd3244u, 0x400f5873u, 0x4249e62au, 0x438b8c1du,
      0x54f16850u, 0x55330267u, 0x5775bc3eu, 0x56b7d609u, 0x53f8c08cu, 0x523aaabbu, 0x507c14e2u, 0x51be7ed5u,
      0x5ae239e8u, 0x5b2053dfu, 0x5966ed86u, 0x58a487b1u, 0x5deb9134u, 0x5c29fb03u, 0x5e6f455au, 0x5fad2f6du,
      0xe1351b80u, 0xe0f771b7u, 0xe2b1cfeeu, 0xe373a5d9u, 0xe63cb35cu, 0xe7fed96bu, 0xe5b86732u, 0xe47a0d05u,
      0xef264a38u, 0xeee4200fu, 0xeca29e56u, 0xed60f461u, 0xe82fe2e4u, 0xe9ed88d3u, 0xebab368au, 0xea695cbdu,
      0xfd13b8f0u, 0xfcd1d2c7u, 0xfe976c9eu, 0xff5506a9u, 0xfa1a102cu, 0xfbd87a1bu, 0xf99ec442u, 0xf85cae75u,
      0xf300e948u, 0xf2c2837fu, 0xf0843d26u, 0xf1465711u, 0xf4094194u, 0xf5cb2ba3u, 0xf78d95fau, 0xf64fffcdu,
      0xd9785d60u, 0xd8ba3757u, 0xdafc890eu, 0xdb3ee339u, 0xde71f5bcu, 0xdfb39f8bu, 0xddf521d2u, 0xdc374be5u,
      0xd76b0cd8u, 0xd6a966efu, 0xd4efd8b6u, 0xd52db281u, 0xd062a404u, 0xd1a0ce33u, 0xd3e6706au, 0xd2241a5du,
      0xc55efe10u, 0xc49c9427u, 0xc6da2a7eu, 0xc7184049u, 0xc25756ccu, 0xc3953cfbu, 0xc1d382a2u, 0xc011e895u,
      0xcb4dafa8u, 0xca8fc59fu, 0xc8c97bc6u, 0xc90b11f1u, 0xcc440774u, 0xcd866d43u, 0xcfc0d31au, 0xce02b92du,
      0x91af9640u, 0x906dfc77u, 0x922b422eu, 0x93e92819u, 0x96a63e9cu, 0x976454abu, 0x9522eaf2u, 0x94e080c5u,
      0x9fbcc7f8u, 0x9e7eadcfu, 0x9c381396u, 0x9dfa79a1u, 0x98b56f24u, 0x99770513u, 0x9b31bb4au, 0x9af3d17du,
      0x8d893530u, 0x8c4b5f07u, 0x8e0de15eu, 0x8fcf8b69u, 0x8a809decu, 0x8b42f7dbu, 0x89044982u, 0x88c623b5u,
      0x839a6488u, 0x82580ebfu, 0x801eb0e6u, 0x81dcdad1u, 0x8493cc54u, 0x8551a663u, 0x8717183au, 0x86d5720du,
      0xa9e2d0a0u, 0xa820ba97u, 0xaa6604ceu, 0xaba46ef9u, 0xaeeb787cu, 0xaf29124bu, 0xad6fac12u, 0xacadc625u,
      0xa7f18118u, 0xa633eb2fu, 0xa4755576u, 0xa5b73f41u, 0xa0f829c4u, 0xa13a43f3u, 0xa37cfdaau, 0xa2be979du,
      0xb5c473d0u, 0xb40619e7u, 0xb640a7beu, 0xb782cd89u, 0xb2cddb0cu, 0xb30fb13bu, 0xb1490f62u, 0xb08b6555u,
      0xbbd72268u, 0xba15485fu, 0xb853f606u, 0xb9919c31u, 0xbcde8ab4u, 0xbd1ce083u, 0xbf5a5edau, 0xbe9834edu },
    { 0x00000000u, 0xb8bc6765u, 0xaa09c88bu, 0x12b5afeeu, 0x8f629757u, 0x37def032u, 0x256b5fdcu, 0x9dd738b9u,
      0xc5b428efu, 0x7d084f8au, 0x6fbde064u, 0xd7018701u, 0x4ad6bfb8u, 0xf26ad8ddu, 0xe0df7733u, 0x58631056u,
      0x5019579fu, 0xe8a530fau, 0xfa109f14u, 0x42acf871u, 0xdf7bc0c8u, 0x67c7a7adu, 0x75720843u, 0xcdce6f26u,
      0x95ad7f70u, 0x2d111815u, 0x3fa4b7fbu, 0x8718d09eu, 0x1acfe827u, 0xa2738f42u, 0xb0c620acu, 0x087a47c9u,
      0xa032af3eu, 0x188ec85bu, 0x0a3b67b5u, 0xb28700d0u, 0x2f503869u, 0x97ec5f0cu, 0x8559f0e2u, 0x3de59787u,
      0x658687d1u, 0xdd3ae0b4u, 0xcf8f4f5au, 0x7733283fu, 0xeae41086u, 0x525877e3u, 0x40edd80du, 0xf851bf68u,
      0xf02bf8a1u, 0x48979fc4u, 0x5a22302au, 0xe29e574fu, 0x7f496ff6u, 0xc7f50893u, 0xd540a77du, 0x6dfcc018u,
      0x359fd04eu, 0x8d23b72bu, 0x9f9618c5u, 0x272a7fa0u, 0xbafd4719u, 0x0241207cu, 0x10f48f92u, 0xa848e8f7u,
      0x9b14583du, 0x23a83f58u, 0x311d90b6u, 0x89a1f7d3u, 0x1476cf6au, 0xaccaa80fu, 0xbe7f07e1u, 0x06c36084u,
      0x5ea070d2u, 0xe61c17b7u, 0xf4a9b859u, 0x4c15df3cu, 0xd1c2e785u, 0x697e80e0u, 0x7bcb2f0eu, 0xc377486bu,
      0xcb0d0fa2u, 0x73b168c7u, 0x6104c729u, 0xd9b8a04cu, 0x446f98f5u, 0xfcd3ff90u, 0xee66507eu, 0x56da371bu,
      0x0eb9274du, 0xb6054028u, 0xa4b0efc6u, 0x1c0c88a3u, 0x81dbb01au, 0x3967d77fu, 0x2bd27891u, 0x936e1ff4u,
      0x3b26f703u, 0x839a9066u, 0x912f3f88u, 0x299358edu, 0xb4446054u, 0x0cf80731u, 0x1e4da8dfu, 0xa6f1cfbau,
      0xfe92dfecu, 0x462eb889u, 0x549b1767u, 0xec277002u, 0x71f048bbu, 0xc94c2fdeu, 0xdbf98030u, 0x6345e755u,
      0x6b3fa09cu, 0xd383c7f9u, 0xc1366817u, 0x798a0f72u, 0xe45d37cbu, 0x5ce150aeu, 0x4e54ff40u, 0xf6e89825u,
      0xae8b8873u, 0x1637ef16u, 0x048240f8u, 0xbc3e279du, 0x21e91f24u, 0x99557841u, 0x8be0d7afu, 0x335cb0cau,
      0xed59b63bu, 0x55e5d15eu, 0x47507eb0u, 0xffec19d5u, 0x623b216cu, 0xda874609u, 0xc832e9e7u, 0x708e8e82u,
      0x28ed9ed4u, 0x9051f9b1u, 0x82e4565fu, 0x3a58313au, 0xa78f0983u, 0x1f336ee6u, 0x0d86c108u, 0xb53aa66du,
      0xbd40e1a4u, 0x05fc86c1u, 0x1749292fu, 0xaff54e4au, 0x322276f3u, 0x8a9e1196u, 0x982bbe78u, 0x2097d91du,
      0x78f4c94bu, 0xc048ae2eu, 0xd2fd01c0u, 0x6a4166a5u, 0xf7965e1cu, 0x4f2a3979u, 0x5d9f9697u, 0xe523f1f2u,
      0x4d6b1905u, 0xf5d77e60u, 0xe762d18eu, 0x5fdeb6ebu, 0xc2098e52u, 0x7ab5e937u, 0x680046d9u, 0xd0bc21bcu,
      0x88df31eau, 0x3063568fu, 0x22d6f961u, 0x9a6a9e04u, 0x07bda6bdu, 0xbf01c1d8u, 0xadb46e36u, 0x15080953u,
      0x1d724e9au, 0xa5ce29ffu, 0xb77b8611u, 0x0fc7e174u, 0x9210d9cdu, 0x2aacbea8u, 0x38191146u, 0x80a57623u,
      0xd8c66675u, 0x607a0110u, 0x72cfaefeu, 0xca73c99bu, 0x57a4f122u, 0xef189647u, 0xfdad39a9u, 0x45115eccu,
      0x764dee06u, 0xcef18963u, 0xdc44268du, 0x64f841e8u, 0xf92f7951u, 0x41931e34u, 0x5326b1dau, 0xeb9ad6bfu,
      0xb3f9c6e9u, 0x0b45a18cu, 0x19f00e62u, 0xa14c6907u, 0x3c9b51beu, 0x842736dbu, 0x96929935u, 0x2e2efe50u,
      0x2654b999u, 0x9ee8defcu, 0x8c5d7112u, 0x34e11677u, 0xa9362eceu, 0x118a49abu, 0x033fe645u, 0xbb838120u,
      0xe3e09176u, 0x5b5cf613u, 0x49e959fdu, 0xf1553e98u, 0x6c820621u, 0xd43e6144u, 0xc68bceaau, 0x7e37a9cfu,
      0xd67f4138u, 0x6ec3265du, 0x7c7689b3u, 0xc4caeed6u, 0x591dd66fu, 0xe1a1b10au, 0xf3141ee4u, 0x4ba87981u,
      0x13cb69d7u, 0xab770eb2u, 0xb9c2a15cu, 0x017ec639u, 0x9ca9fe80u, 0x241599e5u, 0x36a0360bu, 0x8e1c516eu,
      0x866616a7u, 0x3eda71c2u, 0x2c6fde2cu, 0x94d3b949u, 0x090481f0u, 0xb1b8e695u, 0xa30d497bu, 0x1bb12e1eu,
      0x43d23e48u, 0xfb6e592du, 0xe9dbf6c3u, 0x516791a6u, 0xccb0a91fu, 0x740cce7au, 0x66b96194u, 0xde0506f1u },
    { 0x00000000u, 0x3d6029b0u, 0x7ac05360u, 0x47a07ad0u, 0xf580a6c0u, 0xc8e08f70u, 0x8f40f5a0u, 0xb220dc10u,
      0x30704bc1u, 0x0d106271u, 0x4ab018a1u, 0x77d03111u, 0xc5f0ed01u, 0xf890c4b1u, 0xbf30be61u, 0x825097d1u,
      0x60e09782u, 0x5d80be32u, 0x1a20c4e2u, 0x2740ed52u, 0x95603142u, 0xa80018f2u, 0xefa06222u, 0xd2c04b92u,
      0x5090dc43u, 0x6df0f5f3u, 0x2a508f23u, 0x1730a693u, 0xa5107a83u, 0x98705333u, 0xdfd029e3u, 0xe2b00053u,
      0xc1c12f04u, 0xfca106b4u, 0xbb017c64u, 0x866155d4u, 0x344189c4u, 0x0921a074u, 0x4e81daa4u, 0x73e1f314u,
      0xf1b164c5u, 0xccd14d75u, 0x8b7137a5u, 0xb6111e15u, 0x0431c205u, 0x3951ebb5u, 0x7ef19165u, 0x4391b8d5u,
      0xa121b886u, 0x9c419136u, 0xdbe1ebe6u, 0xe681c256u, 0x54a11e46u, 0x69c137f6u, 0x2e614d26u, 0x13016496u,
      0x9151f347u, 0xac31daf7u, 0xeb91a027u, 0xd6f18997u, 0x64d15587u, 0x59b17c37u, 0x1e1106e7u, 0x23712f57u,
      0x58f35849u, 0x659371f9u, 0x22330b29u, 0x1f532299u, 0xad73fe89u, 0x9013d739u, 0xd7b3ade9u, 0xead38459u,
      0x68831388u, 0x55e33a38u, 0x124340e8u, 0x2f236958u, 0x9d03b548u, 0xa0639cf8u, 0xe7c3e628u, 0xdaa3cf98u,
      0x3813cfcbu, 0x0573e67bu, 0x42d39cabu, 0x7fb3b51bu, 0xcd93690bu, 0xf0f340bbu, 0xb7533a6bu, 0x8a3313dbu,
      0x0863840au, 0x3503adbau, 0x72a3d76au, 0x4fc3fedau, 0xfde322cau, 0xc0830b7au, 0x872371aau, 0xba43581au,
      0x9932774du, 0xa4525efdu, 0xe3f2242du, 0xde920d9du, 0x6cb2d18du, 0x51d2f83du, 0x167282edu, 0x2b12ab5du,
      0xa9423c8cu, 0x9422153cu, 0xd3826fecu, 0xeee2465cu, 0x5cc29a4cu, 0x61a2b3fcu, 0x2602c92cu, 0x1b62e09cu,
      0xf9d2e0cfu, 0xc4b2c97fu, 0x8312b3afu, 0xbe729a1fu, 0x0c52460fu, 0x31326fbfu, 0x7692156fu, 0x4bf23cdfu,
      0xc9a2ab0eu, 0xf4c282beu, 0xb362f86eu, 0x8e02d1deu, 0x3c220dceu, 0x0142247eu, 0x46e25eaeu, 0x7b82771eu,
      0xb1e6b092u, 0x8c869922u, 0xcb26e3f2u, 0xf646ca42u, 0x44661652u, 0x79063fe2u, 0x3ea64532u, 0x03c66c82u,
      0x8196fb53u, 0xbcf6d2e3u, 0xfb56a833u, 0xc6368183u, 0x74165d93u, 0x49767423u, 0x0ed60ef3u, 0x33b62743u,
      0xd1062710u, 0xec660ea0u, 0xabc67470u, 0x96a65dc0u, 0x248681d0u, 0x19e6a860u, 0x5e46d2b0u, 0x6326fb00u,
      0xe1766cd1u, 0xdc164561u, 0x9bb63fb1u, 0xa6d61601u, 0x14f6ca11u, 0x2996e3a1u, 0x6e369971u, 0x5356b0c1u,
      0x70279f96u, 0x4d47b626u, 0x0ae7ccf6u, 0x3787e546u, 0x85a73956u, 0xb8c710e6u, 0xff676a36u, 0xc2074386u,
      0x4057d457u, 0x7d37fde7u, 0x3a978737u, 0x07f7ae87u, 0xb5d77297u, 0x88b75b27u, 0xcf1721f7u, 0xf2770847u,
      0x10c70814u, 0x2da721a4u, 0x6a075b74u, 0x576772c4u, 0xe547aed4u, 0xd8278764u, 0x9f87fdb4u, 0xa2e7d404u,
      0x20b743d5u, 0x1dd76a65u, 0x5a7710b5u, 0x67173905u, 0xd537e515u, 0xe857cca5u, 0xaff7b675u, 0x92979fc5u,
      0xe915e8dbu, 0xd475c16bu, 0x93d5bbbbu, 0xaeb5920bu, 0x1c954e1bu, 0x21f567abu, 0x66551d7bu, 0x5b3534cbu,
      0xd965a31au, 0xe4058aaau, 0xa3a5f07au, 0x9ec5d9cau, 0x2ce505dau, 0x11852c6au, 0x562556bau, 0x6b457f0au,
      0x89f57f59u, 0xb49556e9u, 0xf3352c39u, 0xce550589u, 0x7c75d999u, 0x4115f029u, 0x06b58af9u, 0x3bd5a349u,
      0xb9853498u, 0x84e51d28u, 0xc34567f8u, 0xfe254e48u, 0x4c059258u, 0x7165bbe8u, 0x36c5c138u, 0x0ba5e888u,
      0x28d4c7dfu, 0x15b4ee6fu, 0x521494bfu, 0x6f74bd0fu, 0xdd54611fu, 0xe03448afu, 0xa794327fu, 0x9af41bcfu,
      0x18a48c1eu, 0x25c4a5aeu, 0x6264df7eu, 0x5f04f6ceu, 0xed242adeu, 0xd044036eu, 0x97e479beu, 0xaa84500eu,
      0x4834505du, 0x755479edu, 0x32f4033du, 0x0f942a8du, 0xbdb4f69du, 0x80d4df2du, 0xc774a5fdu, 0xfa148c4du,
      0x78441b9cu, 0x4524322cu, 0x028448fcu, 0x3fe4614cu, 0x8dc4bd5cu, 0xb0a494ecu, 0xf704ee3cu, 0xca64c78cu },
    { 0x00000000u, 0xcb5cd3a5u, 0x4dc8a10bu, 0x869472aeu, 0x9b914216u, 0x50cd91b3u, 0xd659e31du, 0x1d0530b8u,
      0xec53826du, 0x270f51c8u, 0xa19b2366u, 0x6ac7f0c3u, 0x77c2c07bu, 0xbc9e13deu, 0x3a0a6170u, 0xf156b2d5u,
      0x03d6029bu, 0xc88ad13eu, 0x4e1ea390u, 0x85427035u, 0x9847408du, 0x531b9328u, 0xd58fe186u, 0x1ed33223u,
      0xef8580f6u, 0x24d95353u, 0xa24d21fdu, 0x6911f258u, 0x7414c2e0u, 0xbf481145u, 0x39dc63ebu, 0xf280b04eu,
      0x07ac0536u, 0xccf0d693u, 0x4a64a43du, 0x81387798u, 0x9c3d4720u, 0x57619485u, 0xd1f5e62bu, 0x1aa9358eu,
      0xebff875bu, 0x20a354feu, 0xa6372650u, 0x6d6bf5f5u, 0x706ec54du, 0xbb3216e8u, 0x3da66446u, 0xf6fab7e3u,
      0x047a07adu, 0xcf26d408u, 0x49b2a6a6u, 0x82ee7503u, 0x9feb45bbu, 0x54b7961eu, 0xd223e4b0u, 0x197f3715u,
      0xe82985c0u, 0x23755665u, 0xa5e124cbu, 0x6ebdf76eu, 0x73b8c7d6u, 0xb8e41473u, 0x3e7066ddu, 0xf52cb578u,
      0x0f580a6cu, 0xc404d9c9u, 0x4290ab67u, 0x89cc78c2u, 0x94c9487au, 0x5f959bdfu, 0xd901e971u, 0x125d3ad4u,
      0xe30b8801u, 0x28575ba4u, 0xaec3290au, 0x659ffaafu, 0x789aca17u, 0xb3c619b2u, 0x35526b1cu, 0xfe0eb8b9u,
      0x0c8e08f7u, 0xc7d2db52u, 0x4146a9fcu, 0x8a1a7a59u, 0x971f4ae1u, 0x5c439944u, 0xdad7ebeau, 0x118b384fu,
      0xe0dd8a9au, 0x2b81593fu, 0xad152b91u, 0x6649f834u, 0x7b4cc88cu, 0xb0101b29u, 0x36846987u, 0xfdd8ba22u,
      0x08f40f5au, 0xc3a8dcffu, 0x453cae51u, 0x8e607df4u, 0x93654d4cu, 0x58399ee9u, 0xdeadec47u, 0x15f13fe2u,
      0xe4a78d37u, 0x2ffb5e92u, 0xa96f2c3cu, 0x6233ff99u, 0x7f36cf21u, 0xb46a1c84u, 0x32fe6e2au, 0xf9a2bd8fu,
      0x0b220dc1u, 0xc07ede64u, 0x46eaaccau, 0x8db67f6fu, 0x90b34fd7u, 0x5bef9c72u, 0xdd7beedcu, 0x16273d79u,
      0xe7718facu, 0x2c2d5c09u, 0xaab92ea7u, 0x61e5fd02u, 0x7ce0cdbau, 0xb7bc1e1fu, 0x31286cb1u, 0xfa74bf14u,
      0x1eb014d8u, 0xd5ecc77du, 0x5378b5d3u, 0x98246676u, 0x852156ceu, 0x4e7d856bu, 0xc8e9f7c5u, 0x03b52460u,
      0xf2e396b5u, 0x39bf4510u, 0xbf2b37beu, 0x7477e41bu, 0x6972d4a3u, 0xa22e0706u, 0x24ba75a8u, 0xefe6a60du,
      0x1d661643u, 0xd63ac5e6u, 0x50aeb748u, 0x9bf264edu, 0x86f75455u, 0x4dab87f0u, 0xcb3ff55eu, 0x006326fbu,
      0xf135942eu, 0x3a69478bu, 0xbcfd3525u, 0x77a1e680u, 0x6aa4d638u, 0xa1f8059du, 0x276c7733u, 0xec30a496u,
      0x191c11eeu, 0xd240c24bu, 0x54d4b0e5u, 0x9f886340u, 0x828d53f8u, 0x49d1805du, 0xcf45f2f3u, 0x04192156u,
      0xf54f9383u, 0x3e134026u, 0xb8873288u, 0x73dbe12du, 0x6eded195u, 0xa5820230u, 0x2316709eu, 0xe84aa33bu,
      0x1aca1375u, 0xd196c0d0u, 0x5702b27eu, 0x9c5e61dbu, 0x815b5163u, 0x4a0782c6u, 0xcc93f068u, 0x07cf23cdu,
      0xf6999118u, 0x3dc542bdu, 0xbb513013u, 0x700de3b6u, 0x6d08d30eu, 0xa65400abu, 0x20c07205u, 0xeb9ca1a0u,
      0x11e81eb4u, 0xdab4cd11u, 0x5c20bfbfu, 0x977c6c1au, 0x8a795ca2u, 0x41258f07u, 0xc7b1fda9u, 0x0ced2e0cu,
      0xfdbb9cd9u, 0x36e74f7cu, 0xb0733dd2u, 0x7b2fee77u, 0x662adecfu, 0xad760d6au, 0x2be27fc4u, 0xe0beac61u,
      0x123e1c2fu, 0xd962cf8au, 0x5ff6bd24u, 0x94aa6e81u, 0x89af5e39u, 0x42f38d9cu, 0xc467ff32u, 0x0f3b2c97u,
      0xfe6d9e42u, 0x35314de7u, 0xb3a53f49u, 0x78f9ececu, 0x65fcdc54u, 0xaea00ff1u, 0x28347d5fu, 0xe368aefau,
      0x16441b82u, 0xdd18c827u, 0x5b8cba89u, 0x90d0692cu, 0x8dd55994u, 0x46898a31u, 0xc01df89fu, 0x0b412b3au,
      0xfa1799efu, 0x314b4a4au, 0xb7df38e4u, 0x7c83eb41u, 0x6186dbf9u, 0xaada085cu, 0x2c4e7af2u, 0xe712a957u,
      0x15921919u, 0xdececabcu, 0x585ab812u, 0x93066bb7u, 0x8e035b0fu, 0x455f88aau, 0xc3cbfa04u, 0x089729a1u,
      0xf9c19b74u, 0x329d48d1u, 0xb4093a7fu, 0x7f55e9dau, 0x6250d962u, 0xa90c0ac7u, 0x2f987869u, 0xe4c4abccu },
    { 0x00000000u, 0xa6770bb4u, 0x979f1129u, 0x31e81a9du, 0xf44f2413u, 0x52382fa7u, 0x63d0353au, 0xc5a73e8eu,
      0x33ef4e67u, 0x959845d3u, 0xa4705f4eu, 0x020754fau, 0xc7a06a74u, 0x61d761c0u, 0x503f7b5du, 0xf64870e9u,
      0x67de9cceu, 0xc1a9977au, 0xf0418de7u, 0x56368653u, 0x9391b8ddu, 0x35e6b369u, 0x040ea9f4u, 0xa279a240u,
      0x5431d2a9u, 0xf246d91du, 0xc3aec380u, 0x65d9c834u, 0xa07ef6bau, 0x0609fd0eu, 0x37e1e793u, 0x9196ec27u,
      0xcfbd399cu, 0x69ca3228u, 0x582228b5u, 0xfe552301u, 0x3bf21d8fu, 0x9d85163bu, 0xac6d0ca6u, 0x0a1a0712u,
      0xfc5277fbu, 0x5a257c4fu, 0x6bcd66d2u, 0xcdba6d66u, 0x081d53e8u, 0xae6a585cu, 0x9f8242c1u, 0x39f54975u,
      0xa863a552u, 0x0e14aee6u, 0x3ffcb47bu, 0x998bbfcfu, 0x5c2c8141u, 0xfa5b8af5u, 0xcbb39068u, 0x6dc49bdcu,
      0x9b8ceb35u, 0x3dfbe081u, 0x0c13fa1cu, 0xaa64f1a8u, 0x6fc3cf26u, 0xc9b4c492u, 0xf85cde0fu, 0x5e2bd5bbu,
      0x440b7579u, 0xe27c7ecdu, 0xd3946450u, 0x75e36fe4u, 0xb044516au, 0x16335adeu, 0x27db4043u, 0x81ac4bf7u,
      0x77e43b1eu, 0xd19330aau, 0xe07b2a37u, 0x460c2183u, 0x83ab1f0du, 0x25dc14b9u, 0x14340e24u, 0xb2430590u,
      0x23d5e9b7u, 0x85a2e203u, 0xb44af89eu, 0x123df32au, 0xd79acda4u, 0x71edc610u, 0x4005dc8du, 0xe672d739u,
      0x103aa7d0u, 0xb64dac64u, 0x87a5b6f9u, 0x21d2bd4du, 0xe47583c3u, 0x42028877u, 0x73ea92eau, 0xd59d995eu,
      0x8bb64ce5u, 0x2dc14751u, 0x1c295dccu, 0xba5e5678u, 0x7ff968f6u, 0xd98e6342u, 0xe86679dfu, 0x4e11726bu,
      0xb8590282u, 0x1e2e0936u, 0x2fc613abu, 0x89b1181fu, 0x4c162691u, 0xea612d25u, 0xdb8937b8u, 0x7dfe3c0cu,
      0xec68d02bu, 0x4a1fdb9fu, 0x7bf7c102u, 0xdd80cab6u, 0x1827f438u, 0xbe50ff8cu, 0x8fb8e511u, 0x29cfeea5u,
      0xdf879e4cu, 0x79f095f8u, 0x48188f65u, 0xee6f84d1u, 0x2bc8ba5fu, 0x8dbfb1ebu, 0xbc57ab76u, 0x1a20a0c2u,
      0x8816eaf2u, 0x2e61e146u, 0x1f89fbdbu, 0xb9fef06fu, 0x7c59cee1u, 0xda2ec555u, 0xebc6dfc8u, 0x4db1d47cu,
      0xbbf9a495u, 0x1d8eaf21u, 0x2c66b5bcu, 0x8a11be08u, 0x4fb68086u, 0xe9c18b32u, 0xd82991afu, 0x7e5e9a1bu,
      0xefc8763cu, 0x49bf7d88u, 0x78576715u, 0xde206ca1u, 0x1b87522fu, 0xbdf0599bu, 0x8c184306u, 0x2a6f48b2u,
      0xdc27385bu, 0x7a5033efu, 0x4bb82972u, 0xedcf22c6u, 0x28681c48u, 0x8e1f17fcu, 0xbff70d61u, 0x198006d5u,
      0x47abd36eu, 0xe1dcd8dau, 0xd034c247u, 0x7643c9f3u, 0xb3e4f77du, 0x1593fcc9u, 0x247be654u, 0x820cede0u,
      0x74449d09u, 0xd23396bdu, 0xe3db8c20u, 0x45ac8794u, 0x800bb91au, 0x267cb2aeu, 0x1794a833u, 0xb1e3a387u,
      0x20754fa0u, 0x86024414u, 0xb7ea5e89u, 0x119d553du, 0xd43a6bb3u, 0x724d6007u, 0x43a57a9au, 0xe5d2712eu,
      0x139a01c7u, 0xb5ed0a73u, 0x840510eeu, 0x22721b5au, 0xe7d525d4u, 0x41a22e60u, 0x704a34fdu, 0xd63d3f49u,
      0xcc1d9f8bu, 0x6a6a943fu, 0x5b828ea2u, 0xfdf58516u, 0x3852bb98u, 0x9e25b02cu, 0xafcdaab1u, 0x09baa105u,
      0xfff2d1ecu, 0x5985da58u, 0x686dc0c5u, 0xce1acb71u, 0x0bbdf5ffu, 0xadcafe4bu, 0x9c22e4d6u, 0x3a55ef62u,
      0xabc30345u, 0x0db408f1u, 0x3c5c126cu, 0x9a2b19d8u, 0x5f8c2756u, 0xf9fb2ce2u, 0xc813367fu, 0x6e643dcbu,
      0x982c4d22u, 0x3e5b4696u, 0x0fb35c0bu, 0xa9c457bfu, 0x6c636931u, 0xca146285u, 0xfbfc7818u, 0x5d8b73acu,
      0x03a0a617u, 0xa5d7ada3u, 0x943fb73eu, 0x3248bc8au, 0xf7ef8204u, 0x519889b0u, 0x6070932du, 0xc6079899u,
      0x304fe870u, 0x9638e3c4u, 0xa7d0f959u, 0x01a7f2edu, 0xc400cc63u, 0x6277c7d7u, 0x539fdd4au, 0xf5e8d6feu,
      0x647e3ad9u, 0xc209316du, 0xf3e12bf0u, 0x55962044u, 0x90311ecau, 0x3646157eu, 0x07ae0fe3u, 0xa1d90457u,
      0x579174beu, 0xf1e67f0au, 0xc00e6597u, 0x66796e23u, 0xa3de50adu, 0x05a95b19u, 0x34414184u, 0x92364a30u },
    { 0x00000000u, 0xccaa009eu, 0x4225077du, 0x8e8f07e3u, 0x844a0efau, 0x48e00e64u, 0xc66f0987u, 0x0ac50919u,
      0xd3e51bb5u, 0x1f4f1b2bu, 0x91c01cc8u, 0x5d6a1c56u, 0x57af154fu, 0x9b0515d1u, 0x158a1232u, 0xd92012acu,
      0x7cbb312bu, 0xb01131b5u, 0x3e9e3656u, 0xf23436c8u, 0xf8f13fd1u, 0x345b3f4fu, 0xbad438acu, 0x767e3832u,
      0xaf5e2a9eu, 0x63f42a00u, 0xed7b2de3u, 0x21d12d7du, 0x2b142464u, 0xe7be24fau, 0x69312319u, 0xa59b2387u,
      0xf9766256u, 0x35dc62c8u, 0xbb53652bu, 0x77f965b5u, 0x7d3c6cacu, 0xb1966c32u, 0x3f196bd1u, 0xf3b36b4fu,
      0x2a9379e3u, 0xe639797du, 0x68b67e9eu, 0xa41c7e00u, 0xaed97719u, 0x62737787u, 0xecfc7064u, 0x205670fau,
      0x85cd537du, 0x496753e3u, 0xc7e85400u, 0x0b42549eu, 0x01875d87u, 0xcd2d5d19u, 0x43a25afau, 0x8f085a64u,
      0x562848c8u, 0x9a824856u, 0x140d4fb5u, 0xd8a74f2bu, 0xd2624632u, 0x1ec846acu, 0x9047414fu, 0x5ced41d1u,
      0x299dc2edu, 0xe537c273u, 0x6bb8c590u, 0xa712c50eu, 0xadd7cc17u, 0x617dcc89u, 0xeff2cb6au, 0x2358cbf4u,
      0xfa78d958u, 0x36d2d9c6u, 0xb85dde25u, 0x74f7debbu, 0x7e32d7a2u, 0xb298d73cu, 0x3c17d0dfu, 0xf0bdd041u,
      0x5526f3c6u, 0x998cf358u, 0x1703f4bbu, 0xdba9f425u, 0xd16cfd3cu, 0x1dc6fda2u, 0x9349fa41u, 0x5fe3fadfu,
      0x86c3e873u, 0x4a69e8edu, 0xc4e6ef0eu, 0x084cef90u, 0x0289e689u, 0xce23e617u, 0x40ace1f4u, 0x8c06e16au,
      0xd0eba0bbu, 0x1c41a025u, 0x92cea7c6u, 0x5e64a758u, 0x54a1ae41u, 0x980baedfu, 0x1684a93cu, 0xda2ea9a2u,
      0x030ebb0eu, 0xcfa4bb90u, 0x412bbc73u, 0x8d81bcedu, 0x8744b5f4u, 0x4beeb56au, 0xc561b289u, 0x09cbb217u,
      0xac509190u, 0x60fa910eu, 0xee7596edu, 0x22df9673u, 0x281a9f6au, 0xe4b09ff4u, 0x6a3f9817u, 0xa6959889u,
      0x7fb58a25u, 0xb31f8abbu, 0x3d908d58u, 0xf13a8dc6u, 0xfbff84dfu, 0x37558441u, 0xb9da83a2u, 0x7570833cu,
      0x533b85dau, 0x9f918544u, 0x111e82a7u, 0xddb48239u, 0xd7718b20u, 0x1bdb8bbeu, 0x95548c5du, 0x59fe8cc3u,
      0x80de9e6fu, 0x4c749ef1u, 0xc2fb9912u, 0x0e51998cu, 0x04949095u, 0xc83e900bu, 0x46b197e8u, 0x8a1b9776u,
      0x2f80b4f1u, 0xe32ab46fu, 0x6da5b38cu, 0xa10fb312u, 0xabcaba0bu, 0x6760ba95u, 0xe9efbd76u, 0x2545bde8u,
      0xfc65af44u, 0x30cfafdau, 0xbe40a839u, 0x72eaa8a7u, 0x782fa1beu, 0xb485a120u, 0x3a0aa6c3u, 0xf6a0a65du,
      0xaa4de78cu, 0x66e7e712u, 0xe868e0f1u, 0x24c2e06fu, 0x2e07e976u, 0xe2ade9e8u, 0x6c22ee0bu, 0xa088ee95u,
      0x79a8fc39u, 0xb502fca7u, 0x3b8dfb44u, 0xf727fbdau, 0xfde2f2c3u, 0x3148f25du, 0xbfc7f5beu, 0x736df520u,
      0xd6f6d6a7u, 0x1a5cd639u, 0x94d3d1dau, 0x5879d144u, 0x52bcd85du, 0x9e16d8c3u, 0x1099df20u, 0xdc33dfbeu,
      0x0513cd12u, 0xc9b9cd8cu, 0x4736ca6fu, 0x8b9ccaf1u, 0x8159c3e8u, 0x4df3c376u, 0xc37cc495u, 0x0fd6c40bu,
      0x7aa64737u, 0xb60c47a9u, 0x3883404au, 0xf42940d4u, 0xfeec49cdu, 0x32464953u, 0xbcc94eb0u, 0x70634e2eu,
      0xa9435c82u, 0x65e95c1cu, 0xeb665bffu, 0x27cc5b61u, 0x2d095278u, 0xe1a352e6u, 0x6f2c5505u, 0xa386559bu,
      0x061d761cu, 0xcab77682u, 0x44387161u, 0x889271ffu, 0x825778e6u, 0x4efd7878u, 0xc0727f9bu, 0x0cd87f05u,
      0xd5f86da9u, 0x19526d37u, 0x97dd6ad4u, 0x5b776a4au, 0x51b26353u, 0x9d1863cdu, 0x1397642eu, 0xdf3d64b0u,
      0x83d02561u, 0x4f7a25ffu, 0xc1f5221cu, 0x0d5f2282u, 0x079a2b9bu, 0xcb302b05u, 0x45bf2ce6u, 0x89152c78u,
      0x50353ed4u, 0x9c9f3e4au, 0x121039a9u, 0xdeba3937u, 0xd47f302eu, 0x18d530b0u, 0x965a3753u, 0x5af037cdu,
      0xff6b144au, 0x33c114d4u, 0xbd4e1337u, 0x71e413a9u, 0x7b211ab0u, 0xb78b1a2eu, 0x39041dcdu, 0xf5ae1d53u,
      0x2c8e0fffu, 0xe0240f61u, 0x6eab0882u, 0xa201081cu, 0xa8c40105u, 0x646e019bu, 0xeae10678u, 0x264b06e6u }
};

/* The CRC register after p[0 .. len) from `reg` (no pre- or post-inversion): eight bytes a
   step. The words are assembled from bytes (little-endian, as the reflected CRC consumes them),
   which compilers turn into one load where that is allowed: no alignment or byte-order
   assumption. */
static uint32_t olock__crc32_table(uint32_t reg, const unsigned char *p, size_t len) {
    const uint32_t(*s)[256] = olock__crc_slice;
    while (len >= 8) {
        uint32_t lo = reg ^ ((uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24);
        uint32_t hi = (uint32_t)p[4] | (uint32_t)p[5] << 8 | (uint32_t)p[6] << 16 | (uint32_t)p[7] << 24;
        reg = s[6][lo & 0xFF] ^ s[5][(lo >> 8) & 0xFF] ^ s[4][(lo >> 16) & 0xFF] ^ s[3][lo >> 24] ^ s[2][hi & 0xFF] ^
            s[1][(hi >> 8) & 0xFF] ^ s[0][(hi >> 16) & 0xFF] ^ olock__crc_table[hi >> 24];
        p += 8;
        len -= 8;
    }
    while (len--) reg = olock__crc_table[(reg ^ *p++) & 0xFF] ^ (reg >> 8);
    return reg;
}

#ifdef OLOCK__CLMUL
/* Folding with carry-less multiplication. The register is linear in the message, so a
   message's register from `reg` is that of the message with reg xored into its first four
   bytes, from 0; and a 16-byte block A followed by a block B leaves the register that
   (A x^128 mod P) xor B leaves, P being the CRC polynomial. A x^128 mod P is computed as
   A's two 64-bit halves times x^192 and x^128 mod P: PCLMULQDQ multiplies bit-reflected
   polynomials as the reflected CRC stores them, its 64 x 32-bit products read as 128-bit
   reflected values if the constants are x^(192-33) and x^(128-33) mod P (reflected, 32 bits).
   Four blocks 64 bytes apart fold the same way with x^(576-33) and x^(512-33) mod P. The
   constants were derived from P (0x04C11DB7) with a bit-at-a-time model and checked against
   zlib's crc32 on random messages.

   Folds p[0 .. len), len >= 32, into one 16-byte block written to `last` that leaves, from a
   zero register, the register p[0 .. n) leaves from `reg`; returns n (a multiple of 16, the
   rest of p is left to the caller). */
__attribute__((target("pclmul,sse2"))) static size_t olock__crc32_fold(uint32_t reg, const unsigned char *p, size_t len,
                                                                       unsigned char last[16]) {
    const __m128i by16 = _mm_set_epi64x(0xccaa009e, 0xae689191); /* x^95, x^159 mod P */
    const __m128i by64 = _mm_set_epi64x(0x1d9513d7, 0x8f352d95); /* x^479, x^543 mod P */
    __m128i v = _mm_xor_si128(_mm_loadu_si128((const __m128i *)(const void *)p), _mm_cvtsi32_si128((int)reg));
    size_t n = 16;
#define OLOCK__CRC_FOLD(x, k) _mm_xor_si128(_mm_clmulepi64_si128((x), (k), 0x00), _mm_clmulepi64_si128((x), (k), 0x11))
#define OLOCK__CRC_AT(i) _mm_loadu_si128((const __m128i *)(const void *)(p + (i)))
    if (len >= 128) { /* four lanes, 64 bytes a step, then folded into one */
        __m128i v1 = OLOCK__CRC_AT(16), v2 = OLOCK__CRC_AT(32), v3 = OLOCK__CRC_AT(48);
        for (n = 64; len - n >= 64; n += 64) {
            v = _mm_xor_si128(OLOCK__CRC_FOLD(v, by64), OLOCK__CRC_AT(n));
            v1 = _mm_xor_si128(OLOCK__CRC_FOLD(v1, by64), OLOCK__CRC_AT(n + 16));
            v2 = _mm_xor_si128(OLOCK__CRC_FOLD(v2, by64), OLOCK__CRC_AT(n + 32));
            v3 = _mm_xor_si128(OLOCK__CRC_FOLD(v3, by64), OLOCK__CRC_AT(n + 48));
        }
        v = _mm_xor_si128(OLOCK__CRC_FOLD(v, by16), v1);
        v = _mm_xor_si128(OLOCK__CRC_FOLD(v, by16), v2);
        v = _mm_xor_si128(OLOCK__CRC_FOLD(v, by16), v3);
    }
    for (; len - n >= 16; n += 16) v = _mm_xor_si128(OLOCK__CRC_FOLD(v, by16), OLOCK__CRC_AT(n));
#undef OLOCK__CRC_FOLD
#undef OLOCK__CRC_AT
    _mm_storeu_si128((__m128i *)(void *)last, v);
    return n;
}
#endif

OLOCK_API uint32_t olock_crc32(uint32_t crc, const void *data, size_t len) {
    const unsigned char *p = (const unsigned char *)data;
    uint32_t reg = ~crc;
#ifdef OLOCK__CLMUL
    if (len >= 32 && (olock__cpu_features() & OLOCK__CPU_PCLMUL)) {
        unsigned char last[16];
        size_t n = olock__crc32_fold(reg, p, len, last);
        reg = olock__crc32_table(0, last, 16);
        p += n;
        len -= n;
    }
#endif
    return ~olock__crc32_table(reg, p, len);
}

/* ---- DynamoDB JSON: values to JSON ---------------------------------------------------------- */

#define OLOCK__LIT(b, s) olock_buf_append((b), (s), sizeof(s) - 1)

static olock_result olock__write_value(const olock_value *v, olock_buf *b, int depth);

static olock_result olock__write_members(const olock_value *v, olock_buf *b, int depth, int as_object) {
    const olock_value *m;
    olock_result r = olock__buf_put1(b, as_object ? '{' : '[');
    for (m = v->first; m && r == OLOCK_OK; m = m->next) {
        if (as_object) {
            /* ',' (when not first), the name and ':' with one check for room. */
            char *o;
            if (m->key_len > ((size_t)-1 - 4) / 6) return OLOCK_ERR_LIMIT;
            r = olock__buf_room(b, m->key_len * 6 + 4);
            if (r != OLOCK_OK) return r;
            o = b->data + b->len;
            if (m != v->first) *o++ = ',';
            o = olock__json_put_string(o, m->key, m->key_len);
            if (!o) return OLOCK_ERR_INVALID_ARG;
            *o++ = ':';
            b->len = (size_t)(o - b->data);
        } else if (m != v->first) {
            r = olock__buf_put1(b, ',');
        }
        if (r == OLOCK_OK) r = olock__write_value(m, b, depth + 1);
    }
    if (r == OLOCK_OK) r = olock__buf_put1(b, as_object ? '}' : ']');
    return r;
}

/* A set member or top-level B/S/N scalar, as its JSON string. */
static olock_result olock__write_scalar_text(const olock_value *v, olock_buf *b) {
    olock_result r;
    size_t n;
    if (v->type != OLOCK_TYPE_B) return olock_json_write_string(b, v->str, v->len);
    n = olock_base64_encoded_len(v->len);
    if (!n && v->len) return OLOCK_ERR_LIMIT;
    r = olock_buf_reserve(b, n + 2);
    if (r != OLOCK_OK) return r;
    b->data[b->len++] = '"';
    b->len += olock__b64_put(b->data + b->len, (const unsigned char *)v->str, v->len);
    b->data[b->len++] = '"';
    b->data[b->len] = 0;
    return OLOCK_OK;
}

/* The opening of each attribute value, `{"<type>":`, indexed by olock_type, with its length:
   written with one copy instead of three appends and a strlen. */
static const char olock__type_open[][10] = {
    "", "{\"S\":", "{\"N\":", "{\"B\":", "{\"BOOL\":", "{\"NULL\":",
    "{\"M\":", "{\"L\":", "{\"SS\":", "{\"NS\":", "{\"BS\":"
};
static const unsigned char olock__type_open_len[] = { 0, 5, 5, 5, 8, 8, 5, 5, 6, 6, 6 };

static olock_result olock__write_value(const olock_value *v, olock_buf *b, int depth) {
    olock_result r;
    const olock_value *m;
    size_t open;
    char *o;
    if (depth > OLOCK_MAX_DEPTH) return OLOCK_ERR_LIMIT;
    if (v->type < OLOCK_TYPE_S || v->type > OLOCK_TYPE_BS) return OLOCK_ERR_INVALID_ARG;
    open = olock__type_open_len[v->type];
    if (v->type == OLOCK_TYPE_S || v->type == OLOCK_TYPE_N) {
        /* The common case: the opening, the quoted text and '}' with one check for room. */
        if (v->len > ((size_t)-1 - 16) / 6) return OLOCK_ERR_LIMIT;
        r = olock__buf_room(b, open + v->len * 6 + 3);
        if (r != OLOCK_OK) return r;
        o = b->data + b->len;
        memcpy(o, olock__type_open[v->type], open);
        o = olock__json_put_string(o + open, v->str, v->len);
        if (!o) return OLOCK_ERR_INVALID_ARG;
        *o++ = '}';
        *o = 0;
        b->len = (size_t)(o - b->data);
        return OLOCK_OK;
    }
    r = olock_buf_append(b, olock__type_open[v->type], open);
    if (r != OLOCK_OK) return r;
    switch (v->type) {
    case OLOCK_TYPE_B:
        r = olock__write_scalar_text(v, b);
        break;
    case OLOCK_TYPE_BOOL: r = v->boolean ? OLOCK__LIT(b, "true") : OLOCK__LIT(b, "false"); break;
    case OLOCK_TYPE_NULL: r = OLOCK__LIT(b, "true"); break;
    case OLOCK_TYPE_M: r = olock__write_members(v, b, depth, 1); break;
    case OLOCK_TYPE_L: r = olock__write_members(v, b, depth, 0); break;
    case OLOCK_TYPE_SS:
    case OLOCK_TYPE_NS:
    case OLOCK_TYPE_BS:
        r = olock__buf_put1(b, '[');
        for (m = v->first; m && r == OLOCK_OK; m = m->next) {
            if (m != v->first) r = olock__buf_put1(b, ',');
            if (r == OLOCK_OK) r = olock__write_scalar_text(m, b);
        }
        if (r == OLOCK_OK) r = olock__buf_put1(b, ']');
        break;
    default: return OLOCK_ERR_INVALID_ARG;
    }
    if (r == OLOCK_OK) r = olock__buf_put1(b, '}');
    return r;
}

OLOCK_API olock_result olock_value_write_json(const olock_value *v, olock_buf *b) {
    size_t mark;
    olock_result r;
    if (!v || !b) return OLOCK_ERR_INVALID_ARG;
    mark = b->len;
    r = olock__write_value(v, b, 0);
    if (r != OLOCK_OK && b->data) {
        b->len = mark;
        b->data[mark] = 0;
    }
    return r;
}

/* A map as a JSON object of attribute values (an Item, a Key). */
static olock_result olock__write_attr_map(const olock_value *map, olock_buf *b) {
    if (!map || map->type != OLOCK_TYPE_M) return OLOCK_ERR_INVALID_ARG;
    return olock__write_members(map, b, 0, 1);
}

OLOCK_API olock_result olock_item_write_json(const olock_item *it, olock_buf *b) {
    size_t mark;
    olock_result r;
    if (!it || !b) return OLOCK_ERR_INVALID_ARG;
    mark = b->len;
    r = olock__write_attr_map(it->root, b);
    if (r != OLOCK_OK && b->data) {
        b->len = mark;
        b->data[mark] = 0;
    }
    return r;
}

/* ---- DynamoDB JSON: JSON to values ---------------------------------------------------------- */

typedef struct olock__span {
    const char *s;
    size_t n;
} olock__span;

static int olock__span_cmp(const void *x, const void *y) {
    const olock__span *a = (const olock__span *)x, *b = (const olock__span *)y;
    size_t n = a->n < b->n ? a->n : b->n;
    int c = n ? memcmp(a->s, b->s, n) : 0;
    if (c) return c;
    return a->n < b->n ? -1 : a->n > b->n;
}

/* 1 if two of the n spans are equal. Quadratic for a handful, sorting beyond. */
static int olock__spans_have_duplicate(olock__span *sp, size_t n) {
    size_t i, j;
    if (n < 2) return 0;
    if (n <= 16) {
        /* Equality only: the length and the first byte settle almost every pair without a
           memcmp call. */
        for (i = 0; i < n; i++)
            for (j = i + 1; j < n; j++)
                if (sp[i].n == sp[j].n && (sp[i].n == 0 || (sp[i].s[0] == sp[j].s[0] && memcmp(sp[i].s, sp[j].s, sp[i].n) == 0)))
                    return 1;
        return 0;
    }
    qsort(sp, n, sizeof *sp, olock__span_cmp);
    for (i = 1; i < n; i++)
        if (olock__span_cmp(&sp[i - 1], &sp[i]) == 0) return 1;
    return 0;
}

static olock_result olock__attr_fail(olock_error *err, const olock_json *at, olock_result rc, const char *msg) {
    return olock__fail_at(err, rc, at ? at->offset : 0, msg);
}

/* 1 when s is a number exactly as olock_decimal_format writes it, within DynamoDB's limits (so
   parsing and formatting it would give it back unchanged): 0, or an optional '-' then
   [1-9][0-9]* (at most 126 digits, 38 from the first to the last non-zero one), [1-9][0-9]*.[0-9]*[1-9]
   (38 digits at most) or 0.0*[1-9]([0-9]*[1-9])? (129 zeros and 38 digits at most). 0 means "not
   sure": the caller then parses and formats. */
static int olock__number_is_canonical(const char *s, size_t n) {
    size_t i = 0, start, last;
    if (n == 1 && s[0] == '0') return 1;
    if (n && s[0] == '-') i = 1;
    if (i >= n) return 0;
    if (s[i] == '0') {
        if (n - i < 3 || s[i + 1] != '.') return 0;
        for (i += 2, start = i; i < n && s[i] == '0'; i++) {}
        if (i - start > 129 || i >= n) return 0;
        for (start = i; i < n; i++)
            if (!olock__is_digit(s[i])) return 0;
        return n - start <= 38 && s[n - 1] != '0';
    }
    if (s[i] < '1' || s[i] > '9') return 0;
    for (start = i; i < n && olock__is_digit(s[i]); i++) {}
    if (i == n) {
        if (n - start > 126) return 0;
        for (last = n - 1; s[last] == '0'; last--) {}
        return last - start + 1 <= 38;
    }
    if (s[i] != '.' || ++i >= n) return 0;
    for (; i < n; i++)
        if (!olock__is_digit(s[i])) return 0;
    return n - start - 1 <= 38 && s[n - 1] != '0';
}

/* Decodes one scalar of a set or a S/N/B attribute into v (str/len); numbers canonical. */
static olock_result olock__scalar_from_json(olock_arena *a, olock_type t, const olock_json *j, olock_value *v, olock_error *err) {
    if (j->kind != OLOCK_JSON_STRING)
        return olock__attr_fail(err, j, OLOCK_ERR_PARSE, t == OLOCK_TYPE_N ? "number attribute must be a JSON string" : "attribute value must be a JSON string");
    if (t == OLOCK_TYPE_S) {
        v->str = j->str;
        v->len = j->len; /* the parser's copy lives in the same arena */
    } else if (t == OLOCK_TYPE_N && olock__number_is_canonical(j->str, j->len)) {
        v->str = j->str;
        v->len = j->len; /* what DynamoDB sends: no parse and format */
    } else if (t == OLOCK_TYPE_N) {
        olock_decimal d;
        char text[OLOCK_NUMBER_TEXT_MAX + 1];
        size_t n;
        olock_error e;
        olock_result r = olock_decimal_parse(j->str, j->len, &d, &e);
        if (r != OLOCK_OK) return olock__attr_fail(err, j, r, e.message);
        n = olock_decimal_format(&d, text);
        if (n == j->len && memcmp(text, j->str, n) == 0) {
            v->str = j->str;
            v->len = n;
        } else {
            v->str = olock_arena_strdup(a, text, n);
            if (!v->str) return olock__attr_fail(err, j, OLOCK_ERR_NOMEM, "out of memory");
            v->len = n;
        }
    } else {
        unsigned char *out = (unsigned char *)olock_arena_alloc(a, j->len / 4 * 3 + 1);
        size_t n = 0;
        if (!out) return olock__attr_fail(err, j, OLOCK_ERR_NOMEM, "out of memory");
        if (olock_base64_decode(j->str, j->len, out, &n) != OLOCK_OK)
            return olock__attr_fail(err, j, OLOCK_ERR_PARSE, "invalid base64 in binary attribute");
        out[n] = 0;
        v->str = (const char *)out;
        v->len = n;
    }
    return OLOCK_OK;
}

static olock_result olock__value_from_json(olock_arena *a, const olock_json *j, olock_value **out, olock_error *err);

static olock_result olock__members_from_json(olock_arena *a, const olock_json *j, olock_value *v, olock_error *err) {
    const olock_json *m;
    olock__span *sp = NULL;
    olock_result r;
    size_t i = 0;
    int is_map = v->type == OLOCK_TYPE_M, is_set = v->type >= OLOCK_TYPE_SS;
    if (j->kind != (is_map ? OLOCK_JSON_OBJECT : OLOCK_JSON_ARRAY))
        return olock__attr_fail(err, j, OLOCK_ERR_PARSE, is_map ? "map attribute must be a JSON object" : "list or set attribute must be a JSON array");
    if (is_set && j->count == 0) return olock__attr_fail(err, j, OLOCK_ERR_PARSE, "set attribute must not be empty");
    if ((is_map || is_set) && j->count > 1) {
        sp = (olock__span *)olock_arena_alloc(a, sizeof *sp * j->count);
        if (!sp) return olock__attr_fail(err, j, OLOCK_ERR_NOMEM, "out of memory");
    }
    for (m = j->first; m; m = m->next) {
        olock_value *c;
        if (is_set) {
            c = olock__value_new(a, olock__set_member_type(v->type));
            if (!c) return olock__attr_fail(err, m, OLOCK_ERR_NOMEM, "out of memory");
            r = olock__scalar_from_json(a, c->type, m, c, err);
        } else {
            r = olock__value_from_json(a, m, &c, err);
        }
        if (r != OLOCK_OK) return r;
        if (is_map) {
            c->key = m->key;
            c->key_len = m->key_len;
        }
        if (sp) {
            sp[i].s = is_map ? c->key : c->str;
            sp[i].n = is_map ? c->key_len : c->len;
            i++;
        }
        olock__append_member(v, c);
    }
    if (sp && olock__spans_have_duplicate(sp, i))
        return olock__attr_fail(err, j, OLOCK_ERR_PARSE, is_map ? "duplicate key in map attribute" : "duplicate member in set attribute");
    return OLOCK_OK;
}

static olock_result olock__value_from_json(olock_arena *a, const olock_json *j, olock_value **out, olock_error *err) {
    const olock_json *tv;
    olock_type t;
    olock_value *v;
    olock_result r = OLOCK_OK;
    if (j->kind != OLOCK_JSON_OBJECT || j->count != 1)
        return olock__attr_fail(err, j, OLOCK_ERR_PARSE, "attribute value must be an object with exactly one type member");
    tv = j->first;
    t = olock_type_from_name(tv->key, tv->key_len);
    if (!t) return olock__attr_fail(err, j, OLOCK_ERR_PARSE, "unknown attribute value type");
    v = olock__value_new(a, t);
    if (!v) return olock__attr_fail(err, j, OLOCK_ERR_NOMEM, "out of memory");
    switch (t) {
    case OLOCK_TYPE_S:
    case OLOCK_TYPE_N:
    case OLOCK_TYPE_B:
        r = olock__scalar_from_json(a, t, tv, v, err);
        break;
    case OLOCK_TYPE_BOOL:
        if (tv->kind != OLOCK_JSON_TRUE && tv->kind != OLOCK_JSON_FALSE)
            return olock__attr_fail(err, tv, OLOCK_ERR_PARSE, "BOOL attribute must be true or false");
        v->boolean = tv->kind == OLOCK_JSON_TRUE;
        break;
    case OLOCK_TYPE_NULL:
        if (tv->kind != OLOCK_JSON_TRUE) return olock__attr_fail(err, tv, OLOCK_ERR_PARSE, "NULL attribute must be true");
        break;
    default:
        r = olock__members_from_json(a, tv, v, err);
    }
    if (r != OLOCK_OK) return r;
    *out = v;
    return OLOCK_OK;
}

OLOCK_API olock_result olock_value_from_json(olock_arena *a, const olock_json *attr, olock_value **out, olock_error *err) {
    olock__error_clear(err);
    if (!a || !attr || !out) return OLOCK_ERR_INVALID_ARG;
    return olock__value_from_json(a, attr, out, err);
}

OLOCK_API olock_result olock_map_from_json(olock_arena *a, const olock_json *obj, olock_value **out, olock_error *err) {
    olock_value *v;
    olock_result r;
    olock__error_clear(err);
    if (!a || !obj || !out) return OLOCK_ERR_INVALID_ARG;
    v = olock__value_new(a, OLOCK_TYPE_M);
    if (!v) return olock__attr_fail(err, obj, OLOCK_ERR_NOMEM, "out of memory");
    r = olock__members_from_json(a, obj, v, err);
    if (r != OLOCK_OK) return r;
    *out = v;
    return OLOCK_OK;
}

/* ---- DynamoDB JSON: text straight to values, in one pass ----
   olock_item_parse_json's fast path: no olock_json tree is built. It only ever answers
   "decoded" or "not this way" (0): on anything unexpected, an error or input it leaves alone,
   the caller resets the arena and runs the tree path (olock_json_parse + olock_map_from_json),
   which accepts or reports exactly as before, byte offsets and messages included. So the fast
   path has to agree with the tree path only on what it accepts, with equal values; the JSON
   lexing (whitespace, strings, escapes, UTF-8, depth) is the tree parser's own (olock__jp_*),
   and scalars go through olock__scalar_from_json. fuzz/fuzz_json.c checks the agreement. */

static olock_result olock__dd_value(olock__jp *p, unsigned depth, olock_value **out);

/* Whitespace, with the usual case (none) decided without a call. */
static void olock__dd_ws(olock__jp *p) {
    if (p->pos < p->len && (unsigned char)p->s[p->pos] <= ' ') olock__jp_ws(p);
}

/* The character c, with the whitespace around it. */
static int olock__dd_punct(olock__jp *p, char c) {
    olock__dd_ws(p);
    if (p->pos >= p->len || p->s[p->pos] != c) return 0;
    p->pos++;
    olock__dd_ws(p);
    return 1;
}

/* After a member: 1 for ',' (more follow), 2 for the closing character, 0 otherwise. */
static int olock__dd_next(olock__jp *p, char close) {
    olock__dd_ws(p);
    if (p->pos >= p->len) return 0;
    if (p->s[p->pos] == ',') {
        p->pos++;
        olock__dd_ws(p);
        return 1;
    }
    if (p->s[p->pos] == close) {
        p->pos++;
        return 2;
    }
    return 0;
}

/* A JSON string decoded as one scalar of type t (S, N or B) into v. */
static int olock__dd_scalar(olock__jp *p, olock_type t, olock_value *v) {
    olock_json j;
    if (p->pos >= p->len || p->s[p->pos] != '"') return 0;
    j.kind = OLOCK_JSON_STRING;
    j.offset = p->pos;
    if (!olock__jp_string(p, &j.str, &j.len)) return 0;
    return olock__scalar_from_json(p->a, t, &j, v, NULL) == OLOCK_OK;
}

/* 1 if two members of the map or set v have the same name (map) or bytes (set). */
static int olock__dd_duplicate(olock__jp *p, const olock_value *v) {
    olock__span local[16], *sp = local;
    const olock_value *m;
    size_t i = 0;
    if (v->count < 2) return 0;
    if (v->count > 16) {
        sp = (olock__span *)olock_arena_alloc(p->a, sizeof *sp * v->count);
        if (!sp) return 1; /* not decoded: the tree path meets the same shortage */
    }
    for (m = v->first; m; m = m->next, i++) {
        sp[i].s = v->type == OLOCK_TYPE_M ? m->key : m->str;
        sp[i].n = v->type == OLOCK_TYPE_M ? m->key_len : m->len;
    }
    return olock__spans_have_duplicate(sp, i);
}

/* One member "name":{"S":"text"} or "name":{"N":"number"} of a map at JSON depth `depth`,
   written as DynamoDB writes it: no whitespace, a plain name and text, a number already
   canonical. Nearly every attribute of an answer is one; it is read here without the general
   steps, to exactly what olock__dd_value would make of it. 0, with nothing consumed: not this
   shape, the caller reads the member the general way. */
static int olock__dd_flat_member(olock__jp *p, unsigned depth, olock_value *map) {
    char *s = p->s;
    size_t k0 = p->pos + 1, k1, v0, v1;
    olock_value *v;
    char t;
    if (depth + 1 >= p->max_depth || p->pos >= p->len || s[p->pos] != '"') return 0;
    k1 = olock__jp_plain_end(p, k0);
    if (k1 >= p->len || s[k1] != '"' || p->len - k1 < 8) return 0;
    t = s[k1 + 4];
    if (s[k1 + 1] != ':' || s[k1 + 2] != '{' || s[k1 + 3] != '"' || (t != 'S' && t != 'N') || s[k1 + 5] != '"' ||
        s[k1 + 6] != ':' || s[k1 + 7] != '"')
        return 0;
    v0 = k1 + 8;
    v1 = olock__jp_plain_end(p, v0);
    if (v1 + 1 >= p->len || s[v1] != '"' || s[v1 + 1] != '}') return 0;
    if (t == 'N' && !olock__number_is_canonical(s + v0, v1 - v0)) return 0;
    v = olock__value_new(p->a, t == 'S' ? OLOCK_TYPE_S : OLOCK_TYPE_N);
    if (!v) return 0;
    s[k1] = 0; /* the strings end where their closing quotes were, as olock__jp_string ends them */
    s[v1] = 0;
    v->key = s + k0;
    v->key_len = k1 - k0;
    v->str = s + v0;
    v->len = v1 - v0;
    olock__append_member(map, v);
    p->pos = v1 + 2;
    return 1;
}

/* A JSON object of attribute values at JSON depth `depth` as the members of map v. */
static int olock__dd_map(olock__jp *p, unsigned depth, olock_value *v) {
    int k;
    if (depth >= p->max_depth || p->pos >= p->len || p->s[p->pos] != '{') return 0;
    p->pos++;
    olock__dd_ws(p);
    if (p->pos < p->len && p->s[p->pos] == '}') {
        p->pos++;
        return 1;
    }
    do {
        olock_value *c;
        const char *key;
        size_t key_len;
        if (olock__dd_flat_member(p, depth, v)) continue; /* on to olock__dd_next */
        if (p->pos >= p->len || p->s[p->pos] != '"' || !olock__jp_string(p, &key, &key_len)) return 0;
        if (!olock__dd_punct(p, ':') || olock__dd_value(p, depth + 1, &c) != OLOCK_OK) return 0;
        c->key = key;
        c->key_len = key_len;
        olock__append_member(v, c);
    } while ((k = olock__dd_next(p, '}')) == 1);
    return k == 2 && !olock__dd_duplicate(p, v);
}

/* A JSON array at JSON depth `depth`: attribute values (L) or strings (SS, NS, BS). */
static int olock__dd_array(olock__jp *p, unsigned depth, olock_value *v) {
    int k, is_set = v->type != OLOCK_TYPE_L;
    if (depth >= p->max_depth || p->pos >= p->len || p->s[p->pos] != '[') return 0;
    p->pos++;
    olock__dd_ws(p);
    if (p->pos < p->len && p->s[p->pos] == ']') {
        p->pos++;
        return !is_set;
    }
    do {
        olock_value *c;
        if (is_set) {
            c = olock__value_new(p->a, olock__set_member_type(v->type));
            if (!c || !olock__dd_scalar(p, c->type, c)) return 0;
        } else if (olock__dd_value(p, depth + 1, &c) != OLOCK_OK) {
            return 0;
        }
        olock__append_member(v, c);
    } while ((k = olock__dd_next(p, ']')) == 1);
    return k == 2 && !(is_set && olock__dd_duplicate(p, v));
}

/* One attribute value, {"<type>": ...}, at JSON depth `depth`. Returns OLOCK_OK or, for "not
   this way", OLOCK_ERR_PARSE (no detail: the tree path gives it). */
static olock_result olock__dd_value(olock__jp *p, unsigned depth, olock_value **out) {
    const char *name;
    size_t name_len = 0, q;
    olock_type t;
    olock_value *v;
    int ok;
    if (depth >= p->max_depth || p->pos >= p->len || p->s[p->pos] != '{') return OLOCK_ERR_PARSE;
    p->pos++;
    olock__dd_ws(p);
    if (p->pos >= p->len || p->s[p->pos] != '"') return OLOCK_ERR_PARSE;
    /* The type name is read in place when it is a short plain string (always, in practice);
       anything else is unescaped by the string parser. */
    name = p->s + p->pos + 1;
    for (q = p->pos + 1; q < p->len && q < p->pos + 6 && p->s[q] >= 'A' && p->s[q] <= 'Z'; q++) {}
    if (q < p->len && p->s[q] == '"') {
        name_len = q - p->pos - 1;
        p->pos = q + 1;
    } else if (!olock__jp_string(p, &name, &name_len)) {
        return OLOCK_ERR_PARSE;
    }
    t = olock_type_from_name(name, name_len);
    if (!t || !olock__dd_punct(p, ':') || !(v = olock__value_new(p->a, t))) return OLOCK_ERR_PARSE;
    switch (t) {
    case OLOCK_TYPE_S:
    case OLOCK_TYPE_N:
    case OLOCK_TYPE_B:
        ok = olock__dd_scalar(p, t, v);
        break;
    case OLOCK_TYPE_BOOL:
    case OLOCK_TYPE_NULL:
        if (p->len - p->pos >= 4 && memcmp(p->s + p->pos, "true", 4) == 0) {
            v->boolean = t == OLOCK_TYPE_BOOL;
            p->pos += 4;
            ok = 1;
        } else {
            ok = t == OLOCK_TYPE_BOOL && p->len - p->pos >= 5 && memcmp(p->s + p->pos, "false", 5) == 0;
            if (ok) p->pos += 5;
        }
        break;
    case OLOCK_TYPE_M:
        ok = olock__dd_map(p, depth + 1, v);
        break;
    default:
        ok = olock__dd_array(p, depth + 1, v);
    }
    if (!ok || !olock__dd_punct(p, '}')) return OLOCK_ERR_PARSE;
    *out = v;
    return OLOCK_OK;
}

/* An Item (a JSON object of attribute values, the whole text) in one pass; 0: not this way. */
static int olock__dd_item(olock_arena *a, const char *text, size_t len, olock_value **out) {
    olock__jp p;
    olock_value *v;
    if (len > OLOCK__DEFAULT_MAX_BYTES) return 0;
    /* parsed in place, as olock_json_parse does: the values' strings are in this copy */
    if (!olock__jp_init(&p, a, text, len, OLOCK_MAX_DEPTH, NULL)) return 0;
    olock__jp_ws(&p);
    v = olock__value_new(a, OLOCK_TYPE_M);
    if (!v || !olock__dd_map(&p, 0, v)) return 0;
    olock__jp_ws(&p);
    if (p.pos != p.len) return 0;
    *out = v;
    return 1;
}

/* A response body that is {} or {"<member>": <attribute map>} (member as plain text, the
   usual whitespace anywhere) in one pass: *out is the map, or NULL for {}. 0: not this way
   (another member, more members, anything the tree path must judge). */
static int olock__dd_member_map(olock_arena *a, const char *text, size_t len, const char *member, size_t member_len,
                                olock_value **out) {
    olock__jp p;
    olock_value *v;
    if (len > OLOCK__DEFAULT_MAX_BYTES || !olock__jp_init(&p, a, text, len, OLOCK_MAX_DEPTH, NULL)) return 0;
    olock__jp_ws(&p);
    if (!olock__dd_punct(&p, '{')) return 0;
    if (p.pos < p.len && p.s[p.pos] == '}') {
        v = NULL;
    } else {
        if (p.len - p.pos < member_len + 2 || p.s[p.pos] != '"' || memcmp(p.s + p.pos + 1, member, member_len) != 0 ||
            p.s[p.pos + 1 + member_len] != '"')
            return 0;
        p.pos += member_len + 2;
        v = olock__value_new(a, OLOCK_TYPE_M);
        if (!olock__dd_punct(&p, ':') || !v || !olock__dd_map(&p, 1, v)) return 0;
        olock__dd_ws(&p);
    }
    if (p.pos >= p.len || p.s[p.pos] != '}') return 0;
    p.pos++;
    olock__jp_ws(&p);
    if (p.pos != p.len) return 0;
    *out = v;
    return 1;
}

OLOCK_API olock_result olock_item_parse_json(const char *text, size_t len, const olock_allocator *alloc,
                                             olock_item **out, olock_error *err) {
    olock_item *it = NULL;
    olock_json *j;
    olock_value *root;
    olock_result r;
    olock__error_clear(err);
    if (!out || (!text && len)) return OLOCK_ERR_INVALID_ARG;
    r = olock_item_create(alloc, &it);
    if (r != OLOCK_OK) return olock__fail_at(err, r, 0, "out of memory");
    if (olock__dd_item(&it->arena, text, len, &root)) {
        it->root = root;
        *out = it;
        return OLOCK_OK;
    }
    olock_arena_reset(&it->arena); /* not decoded in one pass: the tree path decides and reports */
    r = olock_json_parse(&it->arena, text, len, NULL, &j, err);
    if (r == OLOCK_OK) r = olock_map_from_json(&it->arena, j, &root, err);
    if (r != OLOCK_OK) {
        olock_item_destroy(it);
        return r;
    }
    it->root = root;
    *out = it;
    return OLOCK_OK;
}
/* =============================================================================================
   >>wire (implementation)
   ========================================================================================== */

/* Private names later parts may use: olock__response_decode_item (an item operation's answer
   decoded in one pass, without the body's tree), with which the engine (>>client's exchange)
   reads the answers only it sees; olock__encode_item_request_at and olock__encode_values_after
   (an item request's body in two pieces, before and from its values member), with which the
   engine keeps the first piece for the next write of the same item. */

/* ---- HTTP response -------------------------------------------------------------------------- */

OLOCK_API void olock_http_response_init(olock_http_response *res, const olock_allocator *alloc, size_t max_body) {
    res->status = 0;
    olock_buf_init(&res->body, alloc);
    res->body.max = max_body;
    olock_buf_init(&res->headers, alloc);
    res->headers.max = 64 * 1024; /* no honest DynamoDB response comes near this */
    res->header_count = 0;
}

OLOCK_API void olock_http_response_reset(olock_http_response *res) {
    res->status = 0;
    olock_buf_clear(&res->body);
    olock_buf_clear(&res->headers);
    res->header_count = 0;
}

OLOCK_API void olock_http_response_free(olock_http_response *res) {
    if (!res) return;
    olock_buf_free(&res->body);
    olock_buf_free(&res->headers);
    res->header_count = 0;
}

OLOCK_API olock_result olock_http_response_add_header(olock_http_response *res, const char *name, size_t name_len,
                                                      const char *value, size_t value_len) {
    olock_result r;
    if (!name || (!value && value_len)) return OLOCK_ERR_INVALID_ARG;
    if (memchr(name, 0, name_len) || (value_len && memchr(value, 0, value_len))) return OLOCK_ERR_INVALID_ARG;
    r = olock_buf_reserve(&res->headers, name_len + value_len + 2);
    if (r != OLOCK_OK) return r;
    olock__buf_put(&res->headers, name, name_len);
    res->headers.data[res->headers.len++] = 0;
    if (value_len) olock__buf_put(&res->headers, value, value_len);
    res->headers.data[res->headers.len++] = 0;
    res->header_count++;
    return OLOCK_OK;
}

OLOCK_API olock_result olock_http_response_append(olock_http_response *res, const void *data, size_t len) {
    return olock_buf_append(&res->body, data, len);
}

OLOCK_API const char *olock_http_response_header(const olock_http_response *res, const char *name) {
    const char *p, *end;
    size_t name_len;
    if (!res || !name || !res->headers.data) return NULL;
    name_len = strlen(name);
    p = res->headers.data;
    end = p + res->headers.len;
    while (p < end) {
        size_t len = strlen(p);
        const char *v = p + len + 1;
        if (olock__ascii_ieq(p, len, name, name_len)) return v;
        p = v + strlen(v) + 1;
    }
    return NULL;
}

/* ---- operations ------------------------------------------------------------------------------ */

static const char *const olock__op_names[OLOCK_OP_COUNT_] = {
    NULL, "GetItem", "PutItem", "UpdateItem", "DeleteItem", "TransactWriteItems", "TransactGetItems",
    "BatchGetItem", "BatchWriteItem", "Query", "Scan", "CreateTable", "DescribeTable", "DeleteTable", "ListTables"
};

OLOCK_API const char *olock_op_name(olock_op op) {
    return op > 0 && op < OLOCK_OP_COUNT_ ? olock__op_names[op] : "?";
}

OLOCK_API olock_op olock_op_from_name(const char *name, size_t len) {
    static const char prefix[] = "DynamoDB_20120810.";
    int i;
    if (!name) return (olock_op)0;
    if (len > sizeof prefix - 1 && memcmp(name, prefix, sizeof prefix - 1) == 0) {
        name += sizeof prefix - 1;
        len -= sizeof prefix - 1;
    }
    for (i = 1; i < OLOCK_OP_COUNT_; i++)
        if (strlen(olock__op_names[i]) == len && memcmp(olock__op_names[i], name, len) == 0) return (olock_op)i;
    return (olock_op)0;
}

/* ---- request encoding ----------------------------------------------------------------------- */

/* A small JSON object writer: tracks whether a comma is due and the first failure, so an
   encoder reads as a list of members. */
typedef struct olock__jw {
    olock_buf *b;
    olock_result r;
    int need_comma;
} olock__jw;

static void olock__jw_raw(olock__jw *w, const char *s, size_t n) {
    if (w->r == OLOCK_OK) w->r = n == 1 ? olock__buf_put1(w->b, *s) : olock_buf_append(w->b, s, n);
}

static void olock__jw_open(olock__jw *w, char c) {
    olock__jw_raw(w, &c, 1);
    w->need_comma = 0;
}
static void olock__jw_close(olock__jw *w, char c) {
    olock__jw_raw(w, &c, 1);
    w->need_comma = 1;
}

/* A member name of DynamoDB's API ("TableName", "Key", ...): olock's own words, plain ASCII
   letters that need no escaping, so they are copied between quotes without the string
   writer's checks (a request has a dozen of them). The helpers below take it as name, n;
   OLOCK__JW_NAME("Key") gives both for a literal (and does not compile for anything else). */
#define OLOCK__JW_NAME(lit) ("" lit), (sizeof(lit) - 1)
static void olock__jw_name(olock__jw *w, const char *name, size_t n) {
    char *o;
    if (w->r == OLOCK_OK && (w->r = olock__buf_room(w->b, n + 4)) == OLOCK_OK) {
        o = w->b->data + w->b->len;
        if (w->need_comma) *o++ = ',';
        *o++ = '"';
        memcpy(o, name, n);
        o += n;
        *o++ = '"';
        *o++ = ':';
        *o = 0;
        w->b->len = (size_t)(o - w->b->data);
    }
    w->need_comma = 1;
}

/* A member name from the caller (a table name, a placeholder) of n bytes: escaped and checked
   as any JSON string. */
static void olock__jw_key(olock__jw *w, const char *key, size_t n) {
    int comma = w->need_comma;
    char *o;
    w->need_comma = 1;
    if (w->r != OLOCK_OK) return;
    /* The comma when due, the quoted name and ':' with one check for room. */
    if (n > ((size_t)-1 - 4) / 6) {
        w->r = OLOCK_ERR_LIMIT;
        return;
    }
    if ((w->r = olock__buf_room(w->b, n * 6 + 4)) != OLOCK_OK) return;
    o = w->b->data + w->b->len;
    if (comma) *o++ = ',';
    o = olock__json_put_string(o, key, n);
    if (!o) {
        w->r = OLOCK_ERR_INVALID_ARG;
        w->b->data[w->b->len] = 0;
        return;
    }
    *o++ = ':';
    *o = 0;
    w->b->len = (size_t)(o - w->b->data);
}

/* The helpers below write one member each; its name is one of DynamoDB's (olock__jw_name). */

static void olock__jw_elem(olock__jw *w) {
    if (w->need_comma) olock__jw_raw(w, ",", 1);
    w->need_comma = 1;
}

static void olock__jw_str(olock__jw *w, const char *name, size_t n, const char *s) {
    if (!s) return;
    olock__jw_name(w, name, n);
    if (w->r == OLOCK_OK) w->r = olock_json_write_string(w->b, s, strlen(s));
}

static void olock__jw_bool(olock__jw *w, const char *name, size_t n, int v) {
    olock__jw_name(w, name, n);
    if (v) olock__jw_raw(w, "true", 4);
    else olock__jw_raw(w, "false", 5);
}

static void olock__jw_u64(olock__jw *w, const char *name, size_t n, uint64_t v) {
    char tmp[OLOCK__U64_TEXT];
    size_t digits = olock__u64_text(v, tmp);
    olock__jw_name(w, name, n);
    olock__jw_raw(w, tmp, digits);
}

static void olock__jw_map(olock__jw *w, const char *name, size_t n, const olock_value *map) {
    if (!map) return;
    olock__jw_name(w, name, n);
    if (w->r == OLOCK_OK) w->r = olock__write_attr_map(map, w->b);
}

/* ExpressionAttributeNames: a map of S values written as plain JSON strings. */
static void olock__jw_names(olock__jw *w, const olock_value *names) {
    const olock_value *m;
    if (!names) return;
    if (names->type != OLOCK_TYPE_M) {
        if (w->r == OLOCK_OK) w->r = OLOCK_ERR_INVALID_ARG;
        return;
    }
    olock__jw_name(w, OLOCK__JW_NAME("ExpressionAttributeNames"));
    olock__jw_open(w, '{');
    for (m = names->first; m; m = m->next) {
        if (m->type != OLOCK_TYPE_S) {
            if (w->r == OLOCK_OK) w->r = OLOCK_ERR_INVALID_ARG;
            return;
        }
        olock__jw_key(w, m->key, m->key_len);
        if (w->r == OLOCK_OK) w->r = olock_json_write_string(w->b, m->str, m->len);
    }
    olock__jw_close(w, '}');
}

static const char *olock__rv_name(olock_return_values rv) {
    switch (rv) {
    case OLOCK_RV_NONE: return "NONE";
    case OLOCK_RV_ALL_OLD: return "ALL_OLD";
    case OLOCK_RV_UPDATED_OLD: return "UPDATED_OLD";
    case OLOCK_RV_ALL_NEW: return "ALL_NEW";
    case OLOCK_RV_UPDATED_NEW: return "UPDATED_NEW";
    case OLOCK_RV_OMIT: break;
    }
    return NULL;
}

static olock_result olock__encode_fail(olock_buf *b, size_t mark, olock_error *err, olock_result r, const char *msg) {
    if (b->data) {
        b->len = mark;
        b->data[mark] = 0;
    }
    if (r == OLOCK_ERR_NOMEM) msg = "out of memory";
    else if (r == OLOCK_ERR_LIMIT && b->max) msg = "request body exceeds the buffer limit";
    olock__fail_at(err, r, 0, msg);
    return r;
}

/* What every encoder of an array checks first: the body is given, and the array when count is
   not 0. Clears err; INVALID_ARG naming the argument. */
static olock_result olock__encode_array_args(olock_error *err, const char *fn, const olock_buf *body, const void *array,
                                             const char *array_name, size_t count) {
    olock__error_clear(err);
    if (!body) return olock__null_arg(err, fn, "body");
    if (!array && count) return olock__invalid_arg(err, "%s: %s is NULL and count is %lu", fn, array_name, (unsigned long)count);
    return OLOCK_OK;
}

/* Starts a request body: the top-level object, appended to body; returns where it begins. */
static size_t olock__jw_begin(olock__jw *w, olock_buf *body) {
    size_t mark = body->len;
    w->b = body;
    w->r = OLOCK_OK;
    w->need_comma = 0;
    olock__jw_open(w, '{');
    return mark;
}

/* Closes the top-level object: OK, or the first failure with body cut back to `mark`. */
static olock_result olock__jw_end(olock__jw *w, size_t mark, olock_error *err) {
    olock__jw_close(w, '}');
    return w->r == OLOCK_OK ? OLOCK_OK : olock__encode_fail(w->b, mark, err, w->r, "invalid value in request");
}

/* Fields of an item request that the operation does not use must be empty. The message starts
   with the field's name, for the caller to put "r->" or "action 2: req." before it. */
static const char *olock__item_request_misuse(olock_op op, const olock_item_request *r) {
    if (!r->table || !*r->table) return "table is NULL or empty (the table name is required)";
    if (op == OLOCK_OP_PUT_ITEM) {
        if (!r->item) return "item is NULL (PutItem needs an item)";
        if (r->key) return "key is set (PutItem takes an item, not a key)";
    } else {
        if (!r->key) return "key is NULL (a key is required)";
        if (r->item) return "item is set (only PutItem takes an item)";
    }
    if (r->update && op != OLOCK_OP_UPDATE_ITEM) return "update is set (only UpdateItem takes an update expression)";
    if (r->projection && op != OLOCK_OP_GET_ITEM) return "projection is set (only GetItem takes a projection expression)";
    if (r->condition && op == OLOCK_OP_GET_ITEM) return "condition is set (GetItem takes no condition expression)";
    if (r->consistent_read && op != OLOCK_OP_GET_ITEM) return "consistent_read is set (only GetItem takes it)";
    if (op == OLOCK_OP_GET_ITEM && (r->return_values || r->return_values_on_condition_check_failure))
        return "return_values or return_values_on_condition_check_failure is set (GetItem takes no return values)";
    if (r->return_values_on_condition_check_failure > OLOCK_RV_ALL_OLD)
        return "return_values_on_condition_check_failure is not NONE or ALL_OLD";
    if ((unsigned)r->return_values > OLOCK_RV_UPDATED_NEW) return "return_values is not an olock_return_values";
    return NULL;
}

/* The members shared by single-item requests and transaction actions. The values go last: they
   are what changes from one write of an item to the next (a versioned write's own version
   values always do), and SigV4 resumes the body's hash after the 64-byte blocks a body shares
   with the one before it (>>sigv4), so the later they start the fewer blocks are hashed. */
static void olock__jw_item_members(olock__jw *w, olock_op op, const olock_item_request *r, int in_txn, size_t *values_at) {
    olock__jw_str(w, OLOCK__JW_NAME("TableName"), r->table);
    if (op == OLOCK_OP_PUT_ITEM) olock__jw_map(w, OLOCK__JW_NAME("Item"), r->item);
    else olock__jw_map(w, OLOCK__JW_NAME("Key"), r->key);
    olock__jw_str(w, OLOCK__JW_NAME("ProjectionExpression"), r->projection);
    olock__jw_str(w, OLOCK__JW_NAME("UpdateExpression"), r->update);
    olock__jw_str(w, OLOCK__JW_NAME("ConditionExpression"), r->condition);
    olock__jw_names(w, r->names);
    if (r->consistent_read) olock__jw_bool(w, OLOCK__JW_NAME("ConsistentRead"), 1);
    if (!in_txn) olock__jw_str(w, OLOCK__JW_NAME("ReturnValues"), olock__rv_name(r->return_values));
    olock__jw_str(w, OLOCK__JW_NAME("ReturnValuesOnConditionCheckFailure"), olock__rv_name(r->return_values_on_condition_check_failure));
    if (values_at) *values_at = w->b->len;
    olock__jw_map(w, OLOCK__JW_NAME("ExpressionAttributeValues"), r->values);
}

/* olock_encode_item_request, and where in body its values member begins (*values_at: the
   body's length before it, the comma included in what follows). */
static olock_result olock__encode_item_request_at(olock_op op, const olock_item_request *r, olock_buf *body, size_t *values_at,
                                                  olock_error *err) {
    olock__jw w;
    size_t mark;
    const char *misuse;
    olock__error_clear(err);
    if (!r) return olock__null_arg(err, "olock_encode_item_request", "r");
    if (!body) return olock__null_arg(err, "olock_encode_item_request", "body");
    if (op != OLOCK_OP_GET_ITEM && op != OLOCK_OP_PUT_ITEM && op != OLOCK_OP_UPDATE_ITEM && op != OLOCK_OP_DELETE_ITEM)
        return olock__invalid_arg(err, "olock_encode_item_request: op is not GetItem, PutItem, UpdateItem or DeleteItem");
    misuse = olock__item_request_misuse(op, r);
    if (misuse) return olock__invalid_arg(err, "olock_encode_item_request: r->%s", misuse);
    mark = olock__jw_begin(&w, body);
    olock__jw_item_members(&w, op, r, 0, values_at);
    return olock__jw_end(&w, mark, err);
}

OLOCK_API olock_result olock_encode_item_request(olock_op op, const olock_item_request *r, olock_buf *body, olock_error *err) {
    return olock__encode_item_request_at(op, r, body, NULL, err);
}

/* Completes a body that holds an item request up to its values member (the piece before
   *values_at of olock__encode_item_request_at, a TableName at least): the values member and
   the closing brace, as olock_encode_item_request writes them; on failure the body is cut
   back to empty, as olock_encode_item_request leaves it. */
static olock_result olock__encode_values_after(const olock_value *values, olock_buf *body, olock_error *err) {
    olock__jw w;
    olock__error_clear(err);
    w.b = body;
    w.r = OLOCK_OK;
    w.need_comma = 1;
    olock__jw_map(&w, OLOCK__JW_NAME("ExpressionAttributeValues"), values);
    return olock__jw_end(&w, 0, err);
}

OLOCK_API olock_result olock_encode_transact_write(const olock_txn_action *actions, size_t count,
                                                   const char *client_request_token, olock_buf *body, olock_error *err) {
    static const char *const kinds[] = { NULL, "Put", "Update", "Delete", "ConditionCheck" };
    static const olock_op ops[] = { (olock_op)0, OLOCK_OP_PUT_ITEM, OLOCK_OP_UPDATE_ITEM, OLOCK_OP_DELETE_ITEM, OLOCK_OP_DELETE_ITEM };
    olock__jw w;
    size_t i, mark;
    olock_result rc = olock__encode_array_args(err, "olock_encode_transact_write", body, actions, "actions", count);
    if (rc != OLOCK_OK) return rc;
    for (i = 0; i < count; i++) {
        const olock_txn_action *a = &actions[i];
        const char *misuse;
        if (a->kind < OLOCK_TXN_PUT || a->kind > OLOCK_TXN_CONDITION_CHECK) {
            olock__invalid_arg(err, "olock_encode_transact_write: action %u: kind is not an olock_txn_kind", (unsigned)i);
            if (err) err->offset = i;
            return OLOCK_ERR_INVALID_ARG;
        }
        misuse = olock__item_request_misuse(ops[a->kind], &a->req);
        if (!misuse && a->req.return_values) misuse = "return_values is set (transaction actions take none)";
        if (!misuse && a->kind == OLOCK_TXN_CONDITION_CHECK && !a->req.condition) misuse = "condition is NULL (a condition check needs one)";
        if (misuse) return olock__invalid_arg(err, "olock_encode_transact_write: action %u: req.%s", (unsigned)i, misuse);
    }
    mark = olock__jw_begin(&w, body);
    olock__jw_name(&w, OLOCK__JW_NAME("TransactItems"));
    olock__jw_open(&w, '[');
    for (i = 0; i < count; i++) {
        olock__jw_elem(&w);
        olock__jw_open(&w, '{');
        olock__jw_name(&w, kinds[actions[i].kind], strlen(kinds[actions[i].kind]));
        olock__jw_open(&w, '{');
        olock__jw_item_members(&w, ops[actions[i].kind], &actions[i].req, 1, NULL);
        olock__jw_close(&w, '}');
        olock__jw_close(&w, '}');
    }
    olock__jw_close(&w, ']');
    olock__jw_str(&w, OLOCK__JW_NAME("ClientRequestToken"), client_request_token);
    return olock__jw_end(&w, mark, err);
}

OLOCK_API olock_result olock_encode_transact_get(const olock_item_request *gets, size_t count, olock_buf *body, olock_error *err) {
    olock__jw w;
    size_t i, mark;
    olock_result rc = olock__encode_array_args(err, "olock_encode_transact_get", body, gets, "gets", count);
    if (rc != OLOCK_OK) return rc;
    for (i = 0; i < count; i++) {
        const char *misuse = olock__item_request_misuse(OLOCK_OP_GET_ITEM, &gets[i]);
        if (!misuse && gets[i].consistent_read) misuse = "consistent_read is set (TransactGetItems reads are always consistent)";
        if (misuse) return olock__invalid_arg(err, "olock_encode_transact_get: get %u: %s", (unsigned)i, misuse);
    }
    mark = olock__jw_begin(&w, body);
    olock__jw_name(&w, OLOCK__JW_NAME("TransactItems"));
    olock__jw_open(&w, '[');
    for (i = 0; i < count; i++) {
        olock__jw_elem(&w);
        olock__jw_open(&w, '{');
        olock__jw_name(&w, OLOCK__JW_NAME("Get"));
        olock__jw_open(&w, '{');
        olock__jw_item_members(&w, OLOCK_OP_GET_ITEM, &gets[i], 1, NULL);
        olock__jw_close(&w, '}');
        olock__jw_close(&w, '}');
    }
    olock__jw_close(&w, ']');
    return olock__jw_end(&w, mark, err);
}

OLOCK_API olock_result olock_encode_batch_get(const olock_batch_get_table *tables, size_t count, olock_buf *body, olock_error *err) {
    olock__jw w;
    size_t i, k, mark;
    olock_result rc = olock__encode_array_args(err, "olock_encode_batch_get", body, tables, "tables", count);
    if (rc != OLOCK_OK) return rc;
    for (i = 0; i < count; i++)
        if (!tables[i].table || !*tables[i].table || (!tables[i].keys && tables[i].key_count))
            return olock__fail_at(err, OLOCK_ERR_INVALID_ARG, i, "olock_encode_batch_get: each table needs a name and its keys");
    mark = olock__jw_begin(&w, body);
    olock__jw_name(&w, OLOCK__JW_NAME("RequestItems"));
    olock__jw_open(&w, '{');
    for (i = 0; i < count; i++) {
        const olock_batch_get_table *t = &tables[i];
        olock__jw_key(&w, t->table, strlen(t->table));
        olock__jw_open(&w, '{');
        olock__jw_name(&w, OLOCK__JW_NAME("Keys"));
        olock__jw_open(&w, '[');
        for (k = 0; k < t->key_count; k++) {
            olock__jw_elem(&w);
            if (w.r == OLOCK_OK) w.r = olock__write_attr_map(t->keys[k], w.b);
        }
        olock__jw_close(&w, ']');
        olock__jw_str(&w, OLOCK__JW_NAME("ProjectionExpression"), t->projection);
        olock__jw_names(&w, t->names);
        if (t->consistent_read) olock__jw_bool(&w, OLOCK__JW_NAME("ConsistentRead"), 1);
        olock__jw_close(&w, '}');
    }
    olock__jw_close(&w, '}');
    return olock__jw_end(&w, mark, err);
}

OLOCK_API olock_result olock_encode_batch_write(const olock_batch_write_entry *entries, size_t count, olock_buf *body, olock_error *err) {
    olock__jw w;
    size_t i, k, mark;
    olock_result rc = olock__encode_array_args(err, "olock_encode_batch_write", body, entries, "entries", count);
    if (rc != OLOCK_OK) return rc;
    for (i = 0; i < count; i++)
        if (!entries[i].table || !*entries[i].table || !entries[i].put_item == !entries[i].delete_key)
            return olock__fail_at(err, OLOCK_ERR_INVALID_ARG, i, "olock_encode_batch_write: each entry needs a table and exactly one of put_item and delete_key");
    mark = olock__jw_begin(&w, body);
    olock__jw_name(&w, OLOCK__JW_NAME("RequestItems"));
    olock__jw_open(&w, '{');
    /* Group entries by table, keeping first-appearance order of tables and entries. */
    for (i = 0; i < count; i++) {
        int seen = 0;
        for (k = 0; k < i && !seen; k++) seen = strcmp(entries[k].table, entries[i].table) == 0;
        if (seen) continue;
        olock__jw_key(&w, entries[i].table, strlen(entries[i].table));
        olock__jw_open(&w, '[');
        for (k = i; k < count; k++) {
            const olock_batch_write_entry *e = &entries[k];
            if (strcmp(e->table, entries[i].table) != 0) continue;
            olock__jw_elem(&w);
            olock__jw_open(&w, '{');
            if (e->put_item) olock__jw_name(&w, OLOCK__JW_NAME("PutRequest"));
            else olock__jw_name(&w, OLOCK__JW_NAME("DeleteRequest"));
            olock__jw_open(&w, '{');
            if (e->put_item) olock__jw_map(&w, OLOCK__JW_NAME("Item"), e->put_item);
            else olock__jw_map(&w, OLOCK__JW_NAME("Key"), e->delete_key);
            olock__jw_close(&w, '}');
            olock__jw_close(&w, '}');
        }
        olock__jw_close(&w, ']');
    }
    olock__jw_close(&w, '}');
    return olock__jw_end(&w, mark, err);
}

OLOCK_API olock_result olock_encode_query(olock_op op, const olock_query_request *r, olock_buf *body, olock_error *err) {
    olock__jw w;
    size_t mark;
    olock__error_clear(err);
    if (!r) return olock__null_arg(err, "olock_encode_query", "r");
    if (!body) return olock__null_arg(err, "olock_encode_query", "body");
    if (op != OLOCK_OP_QUERY && op != OLOCK_OP_SCAN) return olock__invalid_arg(err, "olock_encode_query: op is not Query or Scan");
    if (!r->table || !*r->table) return olock__invalid_arg(err, "olock_encode_query: r->table is NULL or empty (the table name is required)");
    if (op == OLOCK_OP_QUERY && !r->key_condition) return olock__invalid_arg(err, "olock_encode_query: r->key_condition is NULL (Query needs a key condition)");
    if (op == OLOCK_OP_SCAN && (r->key_condition || r->scan_backward))
        return olock__invalid_arg(err, "olock_encode_query: r->key_condition or r->scan_backward is set (Scan takes no key condition and no scan direction)");
    mark = olock__jw_begin(&w, body);
    olock__jw_str(&w, OLOCK__JW_NAME("TableName"), r->table);
    olock__jw_str(&w, OLOCK__JW_NAME("IndexName"), r->index);
    olock__jw_str(&w, OLOCK__JW_NAME("KeyConditionExpression"), r->key_condition);
    olock__jw_str(&w, OLOCK__JW_NAME("FilterExpression"), r->filter);
    olock__jw_str(&w, OLOCK__JW_NAME("ProjectionExpression"), r->projection);
    olock__jw_names(&w, r->names);
    olock__jw_map(&w, OLOCK__JW_NAME("ExpressionAttributeValues"), r->values);
    if (r->consistent_read) olock__jw_bool(&w, OLOCK__JW_NAME("ConsistentRead"), 1);
    if (r->scan_backward) olock__jw_bool(&w, OLOCK__JW_NAME("ScanIndexForward"), 0);
    if (r->limit) olock__jw_u64(&w, OLOCK__JW_NAME("Limit"), r->limit);
    olock__jw_map(&w, OLOCK__JW_NAME("ExclusiveStartKey"), r->exclusive_start_key);
    return olock__jw_end(&w, mark, err);
}

static void olock__jw_key_attr(olock__jw *w, const char *name, olock_type t, int as_schema, const char *role) {
    olock__jw_elem(w);
    olock__jw_open(w, '{');
    olock__jw_str(w, OLOCK__JW_NAME("AttributeName"), name);
    if (as_schema) olock__jw_str(w, OLOCK__JW_NAME("KeyType"), role);
    else olock__jw_str(w, OLOCK__JW_NAME("AttributeType"), olock_type_name(t));
    olock__jw_close(w, '}');
}

OLOCK_API olock_result olock_encode_create_table(const olock_create_table_request *r, olock_buf *body, olock_error *err) {
    olock__jw w;
    size_t mark;
    int pass;
    olock__error_clear(err);
    if (!r) return olock__null_arg(err, "olock_encode_create_table", "r");
    if (!body) return olock__null_arg(err, "olock_encode_create_table", "body");
    if (!r->table || !*r->table || !r->hash_key || !*r->hash_key)
        return olock__invalid_arg(err, "olock_encode_create_table: r->%s is NULL or empty (table name and hash key are required)",
                                  !r->table || !*r->table ? "table" : "hash_key");
    if ((r->hash_type != OLOCK_TYPE_S && r->hash_type != OLOCK_TYPE_N && r->hash_type != OLOCK_TYPE_B) ||
        (r->range_key && r->range_type != OLOCK_TYPE_S && r->range_type != OLOCK_TYPE_N && r->range_type != OLOCK_TYPE_B))
        return olock__invalid_arg(err, "olock_encode_create_table: r->%s is not S, N or B (key attributes must be of type S, N or B)",
                                  r->hash_type != OLOCK_TYPE_S && r->hash_type != OLOCK_TYPE_N && r->hash_type != OLOCK_TYPE_B ? "hash_type" : "range_type");
    if (!r->read_capacity != !r->write_capacity)
        return olock__invalid_arg(err, "olock_encode_create_table: r->%s is 0 (give both read and write capacity, or neither)",
                                  r->read_capacity ? "write_capacity" : "read_capacity");
    mark = olock__jw_begin(&w, body);
    olock__jw_str(&w, OLOCK__JW_NAME("TableName"), r->table);
    for (pass = 0; pass < 2; pass++) {
        if (pass) olock__jw_name(&w, OLOCK__JW_NAME("KeySchema"));
        else olock__jw_name(&w, OLOCK__JW_NAME("AttributeDefinitions"));
        olock__jw_open(&w, '[');
        olock__jw_key_attr(&w, r->hash_key, r->hash_type, pass, "HASH");
        if (r->range_key) olock__jw_key_attr(&w, r->range_key, r->range_type, pass, "RANGE");
        olock__jw_close(&w, ']');
    }
    if (r->read_capacity) {
        olock__jw_str(&w, OLOCK__JW_NAME("BillingMode"), "PROVISIONED");
        olock__jw_name(&w, OLOCK__JW_NAME("ProvisionedThroughput"));
        olock__jw_open(&w, '{');
        olock__jw_u64(&w, OLOCK__JW_NAME("ReadCapacityUnits"), r->read_capacity);
        olock__jw_u64(&w, OLOCK__JW_NAME("WriteCapacityUnits"), r->write_capacity);
        olock__jw_close(&w, '}');
    } else {
        olock__jw_str(&w, OLOCK__JW_NAME("BillingMode"), "PAY_PER_REQUEST");
    }
    return olock__jw_end(&w, mark, err);
}

OLOCK_API olock_result olock_encode_table_op(olock_op op, const char *table, olock_buf *body, olock_error *err) {
    olock__jw w;
    size_t mark;
    olock__error_clear(err);
    if (!body) return olock__null_arg(err, "olock_encode_table_op", "body");
    if (op != OLOCK_OP_DESCRIBE_TABLE && op != OLOCK_OP_DELETE_TABLE && op != OLOCK_OP_LIST_TABLES)
        return olock__invalid_arg(err, "olock_encode_table_op: op is not DescribeTable, DeleteTable or ListTables");
    if (op != OLOCK_OP_LIST_TABLES && (!table || !*table))
        return olock__invalid_arg(err, "olock_encode_table_op: table is NULL or empty (the table name is required)");
    mark = olock__jw_begin(&w, body);
    if (op == OLOCK_OP_LIST_TABLES) olock__jw_str(&w, OLOCK__JW_NAME("ExclusiveStartTableName"), table);
    else olock__jw_str(&w, OLOCK__JW_NAME("TableName"), table);
    return olock__jw_end(&w, mark, err);
}

/* ---- error classes ---------------------------------------------------------------------------- */

static int olock__in_list(const char *s, const char *const *list) {
    for (; *list; list++)
        if (strcmp(s, *list) == 0) return 1;
    return 0;
}

OLOCK_API olock_error_class olock_classify_error(int http_status, const char *aws_type) {
    static const char *const throttling[] = {
        "ProvisionedThroughputExceededException", "ThrottlingException", "RequestLimitExceeded",
        "LimitExceededException", "Throttling", "TooManyRequestsException", NULL
    };
    static const char *const transient[] = {
        "InternalServerError", "InternalFailure", "ServiceUnavailable", "ServiceUnavailableException",
        "TransactionInProgressException", "TransactionConflictException", NULL
    };
    if (aws_type && *aws_type) {
        if (strcmp(aws_type, "ConditionalCheckFailedException") == 0) return OLOCK_CLASS_CONFLICT;
        if (olock__in_list(aws_type, throttling)) return OLOCK_CLASS_THROTTLING;
        if (olock__in_list(aws_type, transient)) return OLOCK_CLASS_TRANSIENT;
        /* TransactionCanceledException is classified from its reasons by the decoder. */
        if (http_status >= 500) return OLOCK_CLASS_TRANSIENT;
        return OLOCK_CLASS_FATAL;
    }
    if (http_status == 500 || http_status == 502 || http_status == 503 || http_status == 504) return OLOCK_CLASS_TRANSIENT;
    if (http_status == 429) return OLOCK_CLASS_THROTTLING;
    if (http_status >= 200 && http_status < 300) return OLOCK_CLASS_NONE;
    return OLOCK_CLASS_FATAL;
}

OLOCK_API olock_error_class olock_classify_cancellation(const olock_cancel_reason *reasons, size_t count) {
    size_t i;
    int retryable = 0;
    for (i = 0; i < count; i++) {
        const char *c = reasons[i].code;
        if (!c) continue;
        if (strcmp(c, "ConditionalCheckFailed") == 0) return OLOCK_CLASS_CONFLICT;
        if (strcmp(c, "TransactionConflict") == 0 || strcmp(c, "ThrottlingError") == 0 ||
            strcmp(c, "ProvisionedThroughputExceeded") == 0)
            retryable = 1;
    }
    return retryable ? OLOCK_CLASS_TRANSIENT : OLOCK_CLASS_FATAL;
}

OLOCK_API olock_result olock_class_result(olock_error_class c) {
    switch (c) {
    case OLOCK_CLASS_NONE: return OLOCK_OK;
    case OLOCK_CLASS_CONFLICT: return OLOCK_CONFLICT;
    case OLOCK_CLASS_THROTTLING: return OLOCK_ERR_THROTTLED;
    case OLOCK_CLASS_TRANSIENT: return OLOCK_ERR_TRANSIENT;
    case OLOCK_CLASS_FATAL: break;
    }
    return OLOCK_ERR_SERVICE;
}

/* ---- response decoding ---------------------------------------------------------------------- */

static olock_result olock__resp_fail(olock_error *err, const olock_json *at, const char *msg) {
    return olock__fail_at(err, OLOCK_ERR_RESPONSE, at ? at->offset : 0, msg);
}

/* An optional member that must be an object of attribute values when present. */
static olock_result olock__resp_map(olock_arena *a, const olock_json *body, const char *key,
                                    const olock_value **out, olock_error *err) {
    const olock_json *j = olock_json_get(body, key);
    olock_value *v;
    olock_result r;
    if (!j) return OLOCK_OK;
    if (j->kind != OLOCK_JSON_OBJECT) return olock__resp_fail(err, j, "attribute map expected in response");
    r = olock_map_from_json(a, j, &v, err);
    if (r != OLOCK_OK) return r;
    *out = v;
    return OLOCK_OK;
}

static olock_result olock__resp_u64(const olock_json *body, const char *key, uint64_t *out, olock_error *err) {
    const olock_json *j = olock_json_get(body, key);
    if (!j) return OLOCK_OK;
    if (j->kind != OLOCK_JSON_NUMBER || !olock__u64_parse(j->str, j->len, out))
        return olock__resp_fail(err, j, "count expected in response");
    return OLOCK_OK;
}

/* Items of a JSON array of attribute maps (Query Items) or of {"Item":{...}} wrappers
   (TransactGetItems Responses); a wrapper without Item gives a NULL entry. */
static olock_result olock__resp_item_array(olock_arena *a, const olock_json *arr, int wrapped, const char *table,
                                           olock_response *out, olock_error *err) {
    const olock_json *m;
    const olock_value **items;
    const char **tables;
    size_t n = out->item_count + arr->count, i = out->item_count;
    if (arr->kind != OLOCK_JSON_ARRAY) return olock__resp_fail(err, arr, "array of items expected in response");
    items = (const olock_value **)olock_arena_alloc(a, sizeof *items * (n ? n : 1));
    tables = (const char **)olock_arena_alloc(a, sizeof *tables * (n ? n : 1));
    if (!items || !tables) return olock__fail_at(err, OLOCK_ERR_NOMEM, 0, "out of memory");
    if (out->item_count) {
        memcpy(items, out->items, sizeof *items * out->item_count);
        memcpy(tables, out->item_tables, sizeof *tables * out->item_count);
    }
    for (m = arr->first; m; m = m->next, i++) {
        const olock_json *obj = m;
        olock_value *v = NULL;
        olock_result r;
        if (m->kind != OLOCK_JSON_OBJECT) return olock__resp_fail(err, m, "item expected in response");
        if (wrapped) obj = olock_json_get(m, "Item");
        if (obj) {
            if (obj->kind != OLOCK_JSON_OBJECT) return olock__resp_fail(err, obj, "item expected in response");
            r = olock_map_from_json(a, obj, &v, err);
            if (r != OLOCK_OK) return r;
        }
        items[i] = v;
        tables[i] = table;
    }
    out->items = items;
    out->item_tables = tables;
    out->item_count = n;
    return OLOCK_OK;
}

/* The member holding the item in an item operation's answer, or NULL for other operations. */
static const char *olock__item_member(olock_op op) {
    switch (op) {
    case OLOCK_OP_GET_ITEM: return "Item";
    case OLOCK_OP_PUT_ITEM:
    case OLOCK_OP_UPDATE_ITEM:
    case OLOCK_OP_DELETE_ITEM: return "Attributes";
    default: return NULL;
    }
}

static olock_result olock__decode_success(olock_arena *a, olock_op op, const olock_json *body,
                                          olock_response *out, olock_error *err) {
    const olock_json *j, *t;
    const char *member = olock__item_member(op);
    olock_result r = OLOCK_OK;
    if (member) return olock__resp_map(a, body, member, &out->item, err);
    switch (op) {
    case OLOCK_OP_QUERY:
    case OLOCK_OP_SCAN:
        j = olock_json_get(body, "Items");
        if (j) r = olock__resp_item_array(a, j, 0, NULL, out, err);
        if (r == OLOCK_OK) r = olock__resp_u64(body, "Count", &out->count, err);
        if (r == OLOCK_OK) r = olock__resp_u64(body, "ScannedCount", &out->scanned_count, err);
        if (r == OLOCK_OK) r = olock__resp_map(a, body, "LastEvaluatedKey", &out->last_evaluated_key, err);
        return r;
    case OLOCK_OP_TRANSACT_GET_ITEMS:
        j = olock_json_get(body, "Responses");
        return j ? olock__resp_item_array(a, j, 1, NULL, out, err) : OLOCK_OK;
    case OLOCK_OP_BATCH_GET_ITEM:
        j = olock_json_get(body, "Responses");
        if (j) {
            if (j->kind != OLOCK_JSON_OBJECT) return olock__resp_fail(err, j, "Responses must be an object");
            for (t = j->first; t && r == OLOCK_OK; t = t->next) r = olock__resp_item_array(a, t, 0, t->key, out, err);
        }
        j = olock_json_get(body, "UnprocessedKeys");
        out->has_unprocessed = j && j->kind == OLOCK_JSON_OBJECT && j->count > 0;
        return r;
    case OLOCK_OP_BATCH_WRITE_ITEM:
        j = olock_json_get(body, "UnprocessedItems");
        out->has_unprocessed = j && j->kind == OLOCK_JSON_OBJECT && j->count > 0;
        return OLOCK_OK;
    default:
        return OLOCK_OK; /* table operations: the caller reads out->json */
    }
}

static olock_result olock__decode_reasons(olock_arena *a, const olock_json *arr, olock_response *out, olock_error *err) {
    olock_cancel_reason *rs;
    const olock_json *m;
    size_t i = 0;
    if (arr->kind != OLOCK_JSON_ARRAY) return olock__resp_fail(err, arr, "CancellationReasons must be an array");
    rs = (olock_cancel_reason *)olock_arena_alloc(a, sizeof *rs * (arr->count ? arr->count : 1));
    if (!rs) return olock__fail_at(err, OLOCK_ERR_NOMEM, 0, "out of memory");
    for (m = arr->first; m; m = m->next, i++) {
        const olock_json *code, *msg;
        const olock_value *item = NULL;
        olock_result r;
        if (m->kind != OLOCK_JSON_OBJECT) return olock__resp_fail(err, m, "cancellation reason must be an object");
        code = olock_json_get(m, "Code");
        msg = olock_json_get(m, "Message");
        if (code && code->kind != OLOCK_JSON_STRING) return olock__resp_fail(err, code, "Code must be a string");
        if (msg && msg->kind != OLOCK_JSON_STRING && msg->kind != OLOCK_JSON_NULL) return olock__resp_fail(err, msg, "Message must be a string");
        r = olock__resp_map(a, m, "Item", &item, err);
        if (r != OLOCK_OK) return r;
        rs[i].code = code ? code->str : NULL;
        rs[i].message = msg && msg->kind == OLOCK_JSON_STRING ? msg->str : NULL;
        rs[i].item = item;
    }
    out->reasons = rs;
    out->reason_count = i;
    return OLOCK_OK;
}

static olock_result olock__decode_error(olock_arena *a, int status, const olock_json *body,
                                        olock_response *out, olock_error *err) {
    const olock_json *type = body ? olock_json_get(body, "__type") : NULL;
    const olock_json *msg = NULL, *j;
    olock_result r = OLOCK_OK;
    if (body) {
        msg = olock_json_get(body, "message");
        if (!msg) msg = olock_json_get(body, "Message");
    }
    if (type && type->kind == OLOCK_JSON_STRING) {
        const char *hash = (const char *)memchr(type->str, '#', type->len);
        out->error_type = hash ? hash + 1 : type->str;
    }
    if (msg && msg->kind == OLOCK_JSON_STRING) out->error_message = msg->str;
    out->error_class = olock_classify_error(status, out->error_type);
    if (!body) return OLOCK_OK;
    if (out->error_type && strcmp(out->error_type, "ConditionalCheckFailedException") == 0)
        r = olock__resp_map(a, body, "Item", &out->item, err);
    j = olock_json_get(body, "CancellationReasons");
    if (r == OLOCK_OK && j) r = olock__decode_reasons(a, j, out, err);
    if (r == OLOCK_OK && out->error_type && strcmp(out->error_type, "TransactionCanceledException") == 0)
        out->error_class = olock_classify_cancellation(out->reasons, out->reason_count);
    return r;
}

OLOCK_API olock_result olock_response_decode(olock_arena *a, olock_op op, int http_status,
                                             const char *body, size_t len, olock_response *out, olock_error *err) {
    olock_json *j = NULL;
    olock_result r;
    olock_response res;
    olock__error_clear(err);
    if (!a) return olock__null_arg(err, "olock_response_decode", "a");
    if (!out) return olock__null_arg(err, "olock_response_decode", "out");
    if (!body && len) return olock__invalid_arg(err, "olock_response_decode: body is NULL and len is %lu", (unsigned long)len);
    memset(&res, 0, sizeof res);
    res.op = op;
    res.http_status = http_status;
    r = len ? olock_json_parse(a, body, len, NULL, &j, err) : OLOCK_ERR_PARSE;
    if (r == OLOCK_OK && j->kind != OLOCK_JSON_OBJECT) r = olock__resp_fail(err, j, "response body is not a JSON object");
    if (http_status >= 200 && http_status < 300) {
        if (r == OLOCK_ERR_PARSE && !len) r = olock__fail_at(err, OLOCK_ERR_RESPONSE, 0, "empty response body");
        if (r != OLOCK_OK) return r;
        res.json = j;
        r = olock__decode_success(a, op, j, &res, err);
    } else {
        /* A 5xx from a proxy or load balancer need not be JSON; it is still transient. */
        if (r != OLOCK_OK && r != OLOCK_ERR_NOMEM && http_status >= 500) {
            olock__error_clear(err);
            j = NULL;
            r = OLOCK_OK;
        }
        if (r != OLOCK_OK) return r;
        res.json = j;
        r = olock__decode_error(a, http_status, j, &res, err);
    }
    if (r != OLOCK_OK) return r;
    *out = res;
    return OLOCK_OK;
}

/* olock_response_decode for a 2xx answer to GetItem, PutItem, UpdateItem or DeleteItem whose
   body is {} or only the item (Item, Attributes): decoded in one pass, with out->json NULL,
   for a caller that reads out->item only (the engine, whose responses no one else sees). 0:
   not this way, with the arena holding what was decoded so far: reset it, then call
   olock_response_decode, which judges and reports as always. */
static int olock__response_decode_item(olock_arena *a, olock_op op, int http_status, const char *body, size_t len,
                                       olock_response *out) {
    olock_value *item = NULL;
    const char *member = olock__item_member(op);
    if (http_status < 200 || http_status >= 300 || !body || !member ||
        !olock__dd_member_map(a, body, len, member, strlen(member), &item))
        return 0;
    memset(out, 0, sizeof *out);
    out->op = op;
    out->http_status = http_status;
    out->item = item;
    return 1;
}
/* =============================================================================================
   >>expr (implementation)
   ========================================================================================== */

/* ---- Expression builders: paths, operands, conditions, updates, rendering ---------------- */

/* Design notes
   - Everything a builder hands out lives in its arena; reset rewinds the arena and bumps a
     generation counter, so a stale or foreign handle is caught (best effort) by checking the
     owner and generation stored in it.
   - Placeholders are numbered while rendering, never while building: C leaves the order in
     which function arguments are evaluated unspecified, so numbering at construction would
     make olock_cond_and(e, olock_cond_eq(...), olock_cond_eq(...)) compiler-dependent.
   - Recursion is bounded: a condition or operand deeper than OLOCK_EXPR_MAX_OPERATORS is
     refused when built (it could not be sent anyway), and rendering stops at 4096 bytes or
     300 operators, which also bounds a handle reused many times (a DAG).
   - Cheap when reused (the versioned engine builds one request after another, issue 15):
     parsed paths and the last raw update text survive reset in small caches inside the
     builder (compared by content, never by pointer; an entry is replaced only when no handle
     of the current request uses it); rendering reserves a whole expression's room once, keeps
     its name table and output maps in the builder, and allocates one piece per map member. */

/* Records the builder's first error (later ones are dropped: errors are sticky). A function
   rather than the formatting inline: the small checks that fail through it stay small enough
   to be inlined where they are used. */
#define OLOCK__EXPR_FAIL(e, rc_, ...) olock__expr_fail((e), (rc_), __VA_ARGS__)

enum { OLOCK__EXPR_SET = 0,
       OLOCK__EXPR_REMOVE,
       OLOCK__EXPR_ADD,
       OLOCK__EXPR_DELETE,
       OLOCK__EXPR_CLAUSES };

enum {
    OLOCK__OPND_PATH = 1,
    OLOCK__OPND_VALUE,
    OLOCK__OPND_SIZE,
    OLOCK__OPND_IF_NOT_EXISTS,
    OLOCK__OPND_LIST_APPEND,
    OLOCK__OPND_PLUS,
    OLOCK__OPND_MINUS
};

enum {
    OLOCK__COND_CMP = 1,
    OLOCK__COND_BETWEEN,
    OLOCK__COND_IN,
    OLOCK__COND_EXISTS,
    OLOCK__COND_NOT_EXISTS,
    OLOCK__COND_TYPE,
    OLOCK__COND_BEGINS_WITH,
    OLOCK__COND_CONTAINS,
    OLOCK__COND_AND,
    OLOCK__COND_OR,
    OLOCK__COND_NOT,
    OLOCK__COND_RAW
};

/* One path segment: a map key (name, len) or a list index. */
typedef struct olock__expr_seg {
    const char *name;
    size_t len;
    uint32_t index;
    int is_index;
    uint32_t hash; /* of the name for the render's name table; 0: not computed yet */
} olock__expr_seg;

typedef struct olock__expr_path {
    const olock__expr_seg *segs;
    unsigned count;
} olock__expr_path;

struct olock_operand {
    const olock_expr *owner;
    unsigned gen;
    int kind;
    unsigned depth;
    olock__expr_path path;      /* PATH, SIZE, IF_NOT_EXISTS */
    const olock_value *value;   /* VALUE: the builder's copy */
    const olock_operand *a, *b; /* IF_NOT_EXISTS (b), LIST_APPEND, PLUS, MINUS */
};

struct olock_cond {
    const olock_expr *owner;
    unsigned gen;
    int kind;
    unsigned depth;
    olock_cmp cmp;
    const olock_operand **ops; /* operands, in text order */
    size_t nops;
    const olock_cond *a, *b; /* AND, OR, NOT (a) */
    const char *raw;         /* RAW */
    size_t raw_len;
};

/* An update action (target + operand, or raw text) or a projection path. */
typedef struct olock__expr_action {
    struct olock__expr_action *next;
    olock__expr_path target; /* unresolved (count 0) for raw actions until rendering */
    const olock_operand *value;
    const char *raw;
    size_t raw_len;
} olock__expr_action;

/* An entry of the caller's own placeholder maps. */
typedef struct olock__expr_raw_entry {
    struct olock__expr_raw_entry *next;
    const char *key;
    size_t key_len;
    const olock_value *value;
    unsigned used; /* render serial that last used it */
} olock__expr_raw_entry;

typedef struct olock__expr_slot {
    const char *name;
    size_t len;
    unsigned id;
    unsigned serial; /* the render that filled it; any other: empty */
} olock__expr_slot;

#define OLOCK__EXPR_INLINE_SLOTS 16 /* a name table this small lives in the builder */

/* A parsed path kept across resets. Requests built one after another name the same few
   attributes (the versioned engine: its version and ledger attributes, every request), so a
   path text seen before is taken from here instead of being scanned again; the entry's
   segments point into the entry, which lives as long as the builder. Only short paths of few
   segments are kept: they are the common ones and keep the builder small. */
/* The last raw update text and the actions it splits into, kept across resets (the engine
   passes its caller's update text on every request, callers in a loop the same literal):
   a text seen before is neither checked, copied nor split again. */
#define OLOCK__EXPR_RAW_TEXT 256
#define OLOCK__EXPR_RAW_ACTIONS 8
typedef struct olock__expr_raw_update {
    size_t len;   /* of text; 0: empty */
    unsigned gen; /* the generation that last used it: its actions may point here */
    unsigned count;
    char text[OLOCK__EXPR_RAW_TEXT];
    struct {
        int clause;
        size_t start, len;
    } actions[OLOCK__EXPR_RAW_ACTIONS];
} olock__expr_raw_update;

#define OLOCK__EXPR_CACHE_PATHS 4
#define OLOCK__EXPR_CACHE_TEXT 40
#define OLOCK__EXPR_CACHE_SEGS 4
typedef struct olock__expr_cached_path {
    size_t len; /* of text; 0: a free entry */
    unsigned count, names;
    unsigned gen; /* the generation that last used it: handles of that one may point here */
    olock__expr_seg segs[OLOCK__EXPR_CACHE_SEGS];
    char text[OLOCK__EXPR_CACHE_TEXT];
    char name_bytes[OLOCK__EXPR_CACHE_TEXT + 1];
} olock__expr_cached_path;

struct olock_expr {
    olock_allocator alloc;
    int has_alloc;
    olock_arena arena;
    olock_buf out;
    unsigned gen;
    olock_result status;
    olock_error error;
    int borrow; /* olock_expr_borrow_values: values referenced, not copied */

    /* the request */
    const olock_cond *condition, *filter;
    olock__expr_action *clause_head[OLOCK__EXPR_CLAUSES], *clause_tail[OLOCK__EXPR_CLAUSES];
    olock__expr_action *proj_head, *proj_tail;
    const olock_operand *pk_path, *pk_value;
    const olock_cond *sk_cond;
    olock__expr_raw_entry *raw_names, *raw_values;
    size_t name_refs; /* name segments created: bounds the distinct names */
    /* keys of the caller's maps that look like generated ones (#n7, :v7): while there are
       none, numbering needs no collision check */
    unsigned raw_gen_names, raw_gen_values;
    olock__expr_cached_path path_cache[OLOCK__EXPR_CACHE_PATHS];
    unsigned path_cache_next; /* the entry to replace next (round robin) */
    olock__expr_raw_update raw_update;

    /* rendering */
    unsigned serial;
    olock__expr_slot *slots;
    size_t slot_cap;
    unsigned next_name, next_value;
    olock_value *names_out, *values_out;
    /* kept in the builder rather than its arena: no allocation, and the name table needs no
       clearing (a slot of an earlier render counts as empty) */
    olock__expr_slot inline_slots[OLOCK__EXPR_INLINE_SLOTS];
    olock_value names_map, values_map;
    size_t expr_start;
    unsigned ops_count;
    const char *what; /* the expression being rendered, for messages */
};

/* ---- small helpers ------------------------------------------------------------------------ */

static int olock__expr_claim(olock_expr *e, olock_result code) {
    if (e->status != OLOCK_OK) return 0;
    olock__error_clear(&e->error);
    e->status = code;
    return 1;
}

static void olock__expr_fail(olock_expr *e, olock_result code, const char *fmt, ...) OLOCK__PRINTF(3, 4);
static void olock__expr_fail(olock_expr *e, olock_result code, const char *fmt, ...) {
    va_list ap;
    if (!olock__expr_claim(e, code)) return;
    va_start(ap, fmt);
    vsnprintf(e->error.message, sizeof e->error.message, fmt, ap);
    va_end(ap);
    e->error.code = code;
}

static int olock__expr_ok(const olock_expr *e) {
    return e != NULL && e->status == OLOCK_OK;
}

static void *olock__expr_alloc(olock_expr *e, size_t n) {
    void *p = olock__arena_take(&e->arena, n);
    if (!p) OLOCK__EXPR_FAIL(e, OLOCK_ERR_NOMEM, "expression builder: out of memory");
    return p;
}

/* Offset of the first invalid UTF-8 byte, or len when all is valid. */
static size_t olock__expr_utf8_check(const char *s, size_t len) {
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0;
    while (i < len) {
        unsigned c;
        size_t n, k;
        uint32_t cp;
        uint64_t word;
        if (len - i >= 8) { /* ASCII eight bytes at a time: expression text mostly is */
            memcpy(&word, p + i, 8);
            if (!(word & 0x8080808080808080u)) {
                i += 8;
                continue;
            }
        }
        c = p[i];
        if (c < 0x80) {
            i++;
            continue;
        }
        if (c >= 0xC2 && c <= 0xDF) {
            n = 1;
            cp = c & 0x1F;
        } else if (c >= 0xE0 && c <= 0xEF) {
            n = 2;
            cp = c & 0x0F;
        } else if (c >= 0xF0 && c <= 0xF4) {
            n = 3;
            cp = c & 0x07;
        } else return i;
        if (len - i <= n) return i;
        for (k = 1; k <= n; k++) {
            if ((p[i + k] & 0xC0) != 0x80) return i;
            cp = (cp << 6) | (p[i + k] & 0x3F);
        }
        if ((n == 2 && cp < 0x800) || (n == 3 && (cp < 0x10000 || cp > 0x10FFFF)) ||
            (cp >= 0xD800 && cp <= 0xDFFF))
            return i;
        i += n + 1;
    }
    return len;
}

/* Length of a prefix of s (at most max bytes) that does not split a UTF-8 sequence. */
static int olock__expr_clip(const char *s, size_t len, size_t max) {
    if (len <= max) return (int)len;
    while (max > 0 && (((unsigned char)s[max]) & 0xC0) == 0x80) max--;
    return (int)max;
}

/* Byte classes, one table lookup instead of a chain of comparisons in the scanners. */
enum {
    OLOCK__CC_WORD = 1,      /* A-Z a-z 0-9 _ : placeholders, keywords, raw names */
    OLOCK__CC_SPECIAL = 2,   /* . [ ] ` whitespace, control: not in a bare name */
    OLOCK__CC_NESTING = 4,   /* ( ) [ ] , : what splitting raw text into actions looks at */
    OLOCK__CC_SPACE = 8,     /* space, tab, CR, LF */
    OLOCK__CC_PLACEHOLD = 16 /* # : */
};
/* clang-format off */
static const unsigned char olock__expr_cc[256] = {
     2,  2,  2,  2,  2,  2,  2,  2,  2, 10, 10,  2,  2, 10,  2,  2,
     2,  2,  2,  2,  2,  2,  2,  2,  2,  2,  2,  2,  2,  2,  2,  2,
    10,  0,  0, 16,  0,  0,  0,  0,  4,  4,  0,  0,  4,  0,  2,  0,
     1,  1,  1,  1,  1,  1,  1,  1,  1,  1, 16,  0,  0,  0,  0,  0,
     0,  1,  1,  1,  1,  1,  1,  1,  1,  1,  1,  1,  1,  1,  1,  1,
     1,  1,  1,  1,  1,  1,  1,  1,  1,  1,  1,  6,  0,  6,  0,  1,
     2,  1,  1,  1,  1,  1,  1,  1,  1,  1,  1,  1,  1,  1,  1,  1,
     1,  1,  1,  1,  1,  1,  1,  1,  1,  1,  1,  0,  0,  0,  0,  2,
     0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,
     0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,
     0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,
     0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,
     0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,
     0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,
     0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,
     0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,
};
/* clang-format on */

/* Bytes a bare (unquoted) name may not contain. */
static int olock__expr_special(unsigned char c) {
    return olock__expr_cc[c] & OLOCK__CC_SPECIAL;
}

static int olock__expr_word_char(unsigned char c) {
    return olock__expr_cc[c] & OLOCK__CC_WORD;
}

static int olock__expr_space(char c) {
    return olock__expr_cc[(unsigned char)c] & OLOCK__CC_SPACE;
}

/* ---- path text ---------------------------------------------------------------------------- */

typedef struct olock__expr_scan {
    olock_result code;
    size_t offset;
    const char *why;
} olock__expr_scan;

static unsigned olock__expr_scan_fail(olock__expr_scan *sc, olock_result code, size_t at, const char *why) {
    sc->code = code;
    sc->offset = at;
    sc->why = why;
    return 0;
}

/* Splits path text into at most OLOCK_PATH_MAX_DEPTH segments. Names are unescaped into
   `names` (len + 1 bytes suffice), each followed by a NUL so that it can be an S value as it
   is, when it is not NULL: a name's NUL takes the place of the '.' (or the end) after it.
   Returns the number of segments, or 0 with *sc saying why. Pure: the libFuzzer target
   drives it directly. */
static unsigned olock__expr_path_scan(const char *p, size_t len, olock__expr_seg *segs, char *names,
                                      olock__expr_scan *sc) {
    size_t i = 0, w = 0, bad;
    unsigned n = 0;
    sc->code = OLOCK_OK;
    sc->offset = 0;
    sc->why = NULL;
    if (len == 0) return olock__expr_scan_fail(sc, OLOCK_ERR_EXPRESSION, 0, "empty path");
    bad = olock__expr_utf8_check(p, len);
    if (bad < len) return olock__expr_scan_fail(sc, OLOCK_ERR_EXPRESSION, bad, "invalid UTF-8");
    if (p[0] == '[') return olock__expr_scan_fail(sc, OLOCK_ERR_EXPRESSION, 0, "a path starts with an attribute name");
    for (;;) {
        /* a name */
        size_t start = w, at = i;
        if (n == OLOCK_PATH_MAX_DEPTH)
            return olock__expr_scan_fail(sc, OLOCK_ERR_LIMIT, i, "more than 32 nesting levels");
        if (i < len && p[i] == '`') {
            i++;
            for (;;) {
                if (i == len) return olock__expr_scan_fail(sc, OLOCK_ERR_EXPRESSION, at, "unterminated backtick quote");
                if (p[i] == '`') {
                    if (i + 1 < len && p[i + 1] == '`') {
                        if (names) names[w] = '`';
                        w++;
                        i += 2;
                        continue;
                    }
                    i++;
                    break;
                }
                if (names) names[w] = p[i];
                w++;
                i++;
            }
            if (w == start) return olock__expr_scan_fail(sc, OLOCK_ERR_EXPRESSION, at, "empty name");
        } else {
            while (i < len && !olock__expr_special((unsigned char)p[i])) {
                if (names) names[w] = p[i];
                w++;
                i++;
            }
            if (w == start) {
                if (i < len && p[i] != '.' && p[i] != '[')
                    return olock__expr_scan_fail(sc, OLOCK_ERR_EXPRESSION, i,
                                                 (unsigned char)p[i] <= 0x20 || p[i] == 0x7F ? "whitespace or control character in a name (quote it with backticks)"
                                                                                             : "unexpected character (quote the name with backticks)");
                return olock__expr_scan_fail(sc, OLOCK_ERR_EXPRESSION, i, "empty name");
            }
        }
        segs[n].name = names ? names + start : NULL;
        segs[n].len = w - start;
        segs[n].index = 0;
        segs[n].is_index = 0;
        segs[n].hash = 0;
        n++;
        if (names) names[w] = 0;
        w++;
        /* indexes and the separator */
        for (;;) {
            uint32_t v = 0;
            size_t digits;
            if (i == len) return n;
            if (p[i] == '.') {
                i++;
                break;
            }
            if (p[i] != '[') {
                if ((unsigned char)p[i] <= 0x20 || p[i] == 0x7F)
                    return olock__expr_scan_fail(sc, OLOCK_ERR_EXPRESSION, i, "whitespace or control character in a name (quote it with backticks)");
                return olock__expr_scan_fail(sc, OLOCK_ERR_EXPRESSION, i, "expected '.' or '[' (quote names holding ] or ` with backticks)");
            }
            at = i++;
            if (i < len && p[i] == '-') return olock__expr_scan_fail(sc, OLOCK_ERR_EXPRESSION, at, "negative list index");
            for (digits = 0; i < len && p[i] >= '0' && p[i] <= '9'; i++, digits++) {
                uint32_t d = (uint32_t)(p[i] - '0');
                if (v > (OLOCK_PATH_MAX_INDEX - d) / 10)
                    return olock__expr_scan_fail(sc, OLOCK_ERR_LIMIT, at, "list index larger than 2147483647");
                v = v * 10 + d;
            }
            if (digits == 0) return olock__expr_scan_fail(sc, OLOCK_ERR_EXPRESSION, at, "expected a list index (digits) after '['");
            if (i == len || p[i] != ']') return olock__expr_scan_fail(sc, OLOCK_ERR_EXPRESSION, i, "expected ']'");
            i++;
            if (n == OLOCK_PATH_MAX_DEPTH)
                return olock__expr_scan_fail(sc, OLOCK_ERR_LIMIT, at, "more than 32 nesting levels");
            segs[n].name = NULL;
            segs[n].len = 0;
            segs[n].index = v;
            segs[n].is_index = 1;
            segs[n].hash = 0;
            n++;
        }
    }
}

static uint32_t olock__expr_hash(const char *s, size_t n);

/* The cached parse of `text`, or NULL. */
static olock__expr_cached_path *olock__expr_cache_find(olock_expr *e, const char *text, size_t len) {
    unsigned k;
    if (len == 0 || len > OLOCK__EXPR_CACHE_TEXT) return NULL;
    for (k = 0; k < OLOCK__EXPR_CACHE_PATHS; k++) {
        olock__expr_cached_path *c = &e->path_cache[k];
        if (c->len == len && memcmp(c->text, text, len) == 0) return c;
    }
    return NULL;
}

/* Keeps a parse that fits an entry, in one that no handle of this generation uses. */
static void olock__expr_cache_keep(olock_expr *e, const char *text, size_t len, const olock__expr_seg *segs, unsigned n) {
    olock__expr_cached_path *c = NULL;
    unsigned k, names = 0;
    size_t used = 0;
    if (len > OLOCK__EXPR_CACHE_TEXT || n > OLOCK__EXPR_CACHE_SEGS) return;
    for (k = 0; k < OLOCK__EXPR_CACHE_PATHS && !c; k++) {
        olock__expr_cached_path *t = &e->path_cache[(e->path_cache_next + k) % OLOCK__EXPR_CACHE_PATHS];
        if (t->len == 0 || t->gen != e->gen) c = t;
    }
    if (!c) return;
    e->path_cache_next = (unsigned)(c - e->path_cache + 1) % OLOCK__EXPR_CACHE_PATHS;
    /* the unescaped names with their NULs, at most len + 1 bytes (see the scan) */
    for (k = 0; k < n; k++) {
        c->segs[k] = segs[k];
        if (!segs[k].is_index) {
            used = (size_t)(segs[k].name - segs[0].name) + segs[k].len + 1;
            c->segs[k].name = c->name_bytes + (segs[k].name - segs[0].name);
            c->segs[k].hash = olock__expr_hash(segs[k].name, segs[k].len); /* once, not per render */
            names++;
        }
    }
    memcpy(c->name_bytes, segs[0].name, used);
    memcpy(c->text, text, len);
    c->len = len;
    c->count = n;
    c->names = names;
    c->gen = e->gen;
}

/* Parses path text into the arena. Returns 1, or 0 with the error recorded. */
static int olock__expr_parse_path(olock_expr *e, const char *fn, const char *text, olock__expr_path *out) {
    olock__expr_seg tmp[OLOCK_PATH_MAX_DEPTH];
    olock__expr_seg *segs;
    olock__expr_scan sc;
    olock__expr_cached_path *hit;
    size_t len, k;
    unsigned n;
    char *names;
    if (!text) {
        OLOCK__EXPR_FAIL(e, OLOCK_ERR_INVALID_ARG, "%s: NULL path", fn);
        return 0;
    }
    len = strlen(text);
    hit = olock__expr_cache_find(e, text, len);
    if (hit) {
        hit->gen = e->gen;
        e->name_refs += hit->names;
        out->segs = hit->segs;
        out->count = hit->count;
        return 1;
    }
    names = (char *)olock__expr_alloc(e, len + 1);
    if (!names) return 0;
    n = olock__expr_path_scan(text, len, tmp, names, &sc);
    if (n == 0) {
        OLOCK__EXPR_FAIL(e, sc.code, "%s: path \"%.*s\": %s at byte %u", fn, olock__expr_clip(text, len, 120), text,
                         sc.why, (unsigned)sc.offset);
        return 0;
    }
    segs = (olock__expr_seg *)olock__expr_alloc(e, n * sizeof *segs);
    if (!segs) return 0;
    for (k = 0; k < n; k++) {
        segs[k] = tmp[k];
        if (!segs[k].is_index) e->name_refs++;
    }
    out->segs = segs;
    out->count = n;
    olock__expr_cache_keep(e, text, len, segs, n);
    return 1;
}

/* A literal name as a one-segment path (key attributes). */
static int olock__expr_name_path(olock_expr *e, const char *fn, const char *name, olock__expr_path *out) {
    olock__expr_seg *seg;
    size_t len, bad;
    if (!name) {
        OLOCK__EXPR_FAIL(e, OLOCK_ERR_INVALID_ARG, "%s: NULL name", fn);
        return 0;
    }
    len = strlen(name);
    if (len == 0) {
        OLOCK__EXPR_FAIL(e, OLOCK_ERR_EXPRESSION, "%s: empty attribute name", fn);
        return 0;
    }
    bad = olock__expr_utf8_check(name, len);
    if (bad < len) {
        OLOCK__EXPR_FAIL(e, OLOCK_ERR_EXPRESSION, "%s: name is not valid UTF-8 (byte %u)", fn, (unsigned)bad);
        return 0;
    }
    seg = (olock__expr_seg *)olock__expr_alloc(e, sizeof *seg);
    if (!seg) return 0;
    seg->name = olock_arena_strdup(&e->arena, name, len);
    if (!seg->name) {
        OLOCK__EXPR_FAIL(e, OLOCK_ERR_NOMEM, "expression builder: out of memory");
        return 0;
    }
    seg->len = len;
    seg->index = 0;
    seg->is_index = 0;
    seg->hash = 0;
    e->name_refs++;
    out->segs = seg;
    out->count = 1;
    return 1;
}

/* Human-readable path for messages: a.b[3], truncated with "...". */
static const char *olock__expr_path_text(const olock__expr_path *p, char *buf, size_t cap) {
    size_t w = 0, k;
    for (k = 0; k < p->count && w + 16 < cap; k++) {
        const olock__expr_seg *s = &p->segs[k];
        if (s->is_index) {
            buf[w++] = '[';
            w += olock__u64_text(s->index, buf + w);
            buf[w++] = ']';
        } else {
            size_t n = s->len;
            if (k) buf[w++] = '.';
            if (n > cap - w - 16) {
                n = (size_t)olock__expr_clip(s->name, n, cap - w - 16);
                memcpy(buf + w, s->name, n);
                w += n;
                memcpy(buf + w, "...", 3);
                w += 3;
                break;
            }
            memcpy(buf + w, s->name, n);
            w += n;
        }
    }
    buf[w] = 0;
    return buf;
}

static int olock__expr_seg_equal(const olock__expr_seg *a, const olock__expr_seg *b) {
    if (a->is_index != b->is_index) return 0;
    if (a->is_index) return a->index == b->index;
    return a->len == b->len && memcmp(a->name, b->name, a->len) == 0;
}

/* Equal, or one a prefix of the other: DynamoDB's "two document paths overlap". */
static int olock__expr_paths_overlap(const olock__expr_path *a, const olock__expr_path *b) {
    unsigned k, n = a->count < b->count ? a->count : b->count;
    /* most pairs differ in their first name's length or first byte (paths start with a name) */
    if (n && (a->segs[0].len != b->segs[0].len || (a->segs[0].len && a->segs[0].name[0] != b->segs[0].name[0]))) return 0;
    for (k = 0; k < n; k++)
        if (!olock__expr_seg_equal(&a->segs[k], &b->segs[k])) return 0;
    return 1;
}

static int olock__expr_paths_equal(const olock__expr_path *a, const olock__expr_path *b) {
    return a->count == b->count && olock__expr_paths_overlap(a, b);
}

/* Length of `name` as path text, and whether it needs backtick quotes. */
static size_t olock__expr_quote_len(const char *name, size_t len, int *quote) {
    size_t k, extra = 0;
    *quote = 0;
    for (k = 0; k < len; k++) {
        if (olock__expr_special((unsigned char)name[k])) *quote = 1;
        if (name[k] == '`') extra++;
    }
    return *quote ? len + extra + 2 : len;
}

/* Writes `name` as path text (quoted when `quote`); returns the bytes written. */
static size_t olock__expr_quote_put(char *o, const char *name, size_t len, int quote) {
    size_t k, w = 0;
    if (!quote) {
        memcpy(o, name, len);
        return len;
    }
    o[w++] = '`';
    for (k = 0; k < len; k++) {
        o[w++] = name[k];
        if (name[k] == '`') o[w++] = '`';
    }
    o[w++] = '`';
    return w;
}

/* Checks that text is a valid path (without keeping it). */
static int olock__expr_check_path_text(olock_expr *e, const char *fn, const char *text) {
    olock__expr_seg tmp[OLOCK_PATH_MAX_DEPTH];
    olock__expr_scan sc;
    char names[OLOCK__EXPR_CACHE_TEXT + 1];
    size_t len;
    unsigned n;
    if (!text) {
        OLOCK__EXPR_FAIL(e, OLOCK_ERR_INVALID_ARG, "%s: NULL path", fn);
        return 0;
    }
    len = strlen(text);
    if (olock__expr_cache_find(e, text, len)) return 1; /* parsed before: valid */
    /* a short one is parsed for the cache: a parent given once is usually given again */
    n = olock__expr_path_scan(text, len, tmp, len <= OLOCK__EXPR_CACHE_TEXT ? names : NULL, &sc);
    if (n && len <= OLOCK__EXPR_CACHE_TEXT) olock__expr_cache_keep(e, text, len, tmp, n);
    if (n == 0) {
        OLOCK__EXPR_FAIL(e, sc.code, "%s: path \"%.*s\": %s at byte %u", fn, olock__expr_clip(text, len, 120), text,
                         sc.why, (unsigned)sc.offset);
        return 0;
    }
    return 1;
}

static const char *olock__expr_join(olock_expr *e, const char *fn, const char *parent, const char *name) {
    size_t plen = 0, nlen, total, w = 0, bad;
    int quote;
    char *o;
    if (!olock__expr_ok(e)) return NULL;
    if (parent && !olock__expr_check_path_text(e, fn, parent)) return NULL;
    if (!name) {
        OLOCK__EXPR_FAIL(e, OLOCK_ERR_INVALID_ARG, "%s: NULL name", fn);
        return NULL;
    }
    nlen = strlen(name);
    if (nlen == 0) {
        OLOCK__EXPR_FAIL(e, OLOCK_ERR_EXPRESSION, "%s: empty attribute name", fn);
        return NULL;
    }
    bad = olock__expr_utf8_check(name, nlen);
    if (bad < nlen) {
        OLOCK__EXPR_FAIL(e, OLOCK_ERR_EXPRESSION, "%s: name is not valid UTF-8 (byte %u)", fn, (unsigned)bad);
        return NULL;
    }
    if (parent) plen = strlen(parent);
    total = plen + (parent ? 1 : 0) + olock__expr_quote_len(name, nlen, &quote);
    o = (char *)olock__expr_alloc(e, total + 1);
    if (!o) return NULL;
    if (parent) {
        memcpy(o, parent, plen);
        w = plen;
        o[w++] = '.';
    }
    w += olock__expr_quote_put(o + w, name, nlen, quote);
    o[w] = 0;
    return o;
}

OLOCK_API const char *olock_path_name(olock_expr *e, const char *name) {
    return olock__expr_join(e, "olock_path_name", NULL, name);
}

OLOCK_API const char *olock_path_key(olock_expr *e, const char *parent, const char *name) {
    if (olock__expr_ok(e) && !parent) {
        OLOCK__EXPR_FAIL(e, OLOCK_ERR_INVALID_ARG, "olock_path_key: NULL parent");
        return NULL;
    }
    return olock__expr_join(e, "olock_path_key", parent, name);
}

OLOCK_API const char *olock_path_index(olock_expr *e, const char *parent, int64_t index) {
    char digits[24];
    size_t plen, n;
    char *o;
    if (!olock__expr_ok(e)) return NULL;
    if (!parent) {
        OLOCK__EXPR_FAIL(e, OLOCK_ERR_INVALID_ARG, "olock_path_index: NULL parent");
        return NULL;
    }
    if (index < 0) {
        OLOCK__EXPR_FAIL(e, OLOCK_ERR_EXPRESSION, "olock_path_index: negative list index");
        return NULL;
    }
    if (index > OLOCK_PATH_MAX_INDEX) {
        OLOCK__EXPR_FAIL(e, OLOCK_ERR_LIMIT, "olock_path_index: list index larger than 2147483647");
        return NULL;
    }
    if (!olock__expr_check_path_text(e, "olock_path_index", parent)) return NULL;
    plen = strlen(parent);
    n = olock__u64_text((uint64_t)index, digits);
    o = (char *)olock__expr_alloc(e, plen + n + 3);
    if (!o) return NULL;
    memcpy(o, parent, plen);
    o[plen] = '[';
    memcpy(o + plen + 1, digits, n);
    o[plen + 1 + n] = ']';
    o[plen + 2 + n] = 0;
    return o;
}

/* ---- builder lifecycle --------------------------------------------------------------------- */

static void olock__expr_clear_request(olock_expr *e) {
    int k;
    e->status = OLOCK_OK; /* e->error is read only while status is not OK, and cleared when set */
    e->borrow = 0;
    e->condition = e->filter = NULL;
    for (k = 0; k < OLOCK__EXPR_CLAUSES; k++) e->clause_head[k] = e->clause_tail[k] = NULL;
    e->proj_head = e->proj_tail = NULL;
    e->pk_path = e->pk_value = NULL;
    e->sk_cond = NULL;
    e->raw_names = e->raw_values = NULL;
    e->name_refs = 0;
    e->raw_gen_names = e->raw_gen_values = 0;
    e->slots = NULL;
    e->slot_cap = 0;
    e->names_out = e->values_out = NULL;
}

OLOCK_API olock_result olock_expr_create(const olock_allocator *alloc, olock_expr **out) {
    olock_expr *e;
    const olock_allocator *a = (alloc && alloc->malloc_fn) ? alloc : NULL;
    if (!out) return OLOCK_ERR_INVALID_ARG;
    e = (olock_expr *)olock__alloc(a, sizeof *e);
    if (!e) return OLOCK_ERR_NOMEM;
    memset(e, 0, sizeof *e);
    if (a) {
        e->alloc = *a;
        e->has_alloc = 1;
    }
    olock_arena_init(&e->arena, e->has_alloc ? &e->alloc : NULL);
    olock_buf_init(&e->out, e->has_alloc ? &e->alloc : NULL);
    e->gen = 1;
    olock__expr_clear_request(e);
    *out = e;
    return OLOCK_OK;
}

OLOCK_API void olock_expr_destroy(olock_expr *e) {
    olock_allocator a;
    int has;
    if (!e) return;
    a = e->alloc;
    has = e->has_alloc;
    olock_arena_free(&e->arena);
    olock_buf_free(&e->out);
    olock__free(has ? &a : NULL, e, sizeof *e);
}

OLOCK_API void olock_expr_reset(olock_expr *e) {
    if (!e) return;
    olock_arena_reset(&e->arena);
    olock_buf_clear(&e->out);
    e->gen++;
    if (e->gen == 0) e->gen = 1;
    olock__expr_clear_request(e);
}

OLOCK_API olock_arena *olock_expr_arena(olock_expr *e) {
    return e ? &e->arena : NULL;
}

OLOCK_API void olock_expr_borrow_values(olock_expr *e, int borrow) {
    if (e) e->borrow = borrow != 0;
}

OLOCK_API olock_result olock_expr_status(const olock_expr *e, olock_error *err) {
    if (!e) {
        if (err) {
            olock__error_clear(err);
            olock__error_set(err, OLOCK_ERR_INVALID_ARG, "olock_expr_status: NULL builder");
        }
        return OLOCK_ERR_INVALID_ARG;
    }
    if (err) {
        if (e->status != OLOCK_OK) *err = e->error;
        else olock__error_clear(err);
    }
    return e->status;
}

/* ---- values -------------------------------------------------------------------------------- */

static const olock_value *olock__expr_made(olock_expr *e, const char *fn, olock_value *v) {
    if (!v) OLOCK__EXPR_FAIL(e, OLOCK_ERR_NOMEM, "%s: out of memory", fn);
    return v;
}

OLOCK_API const olock_value *olock_expr_s(olock_expr *e, const char *s) {
    if (!olock__expr_ok(e)) return NULL;
    if (!s) {
        OLOCK__EXPR_FAIL(e, OLOCK_ERR_INVALID_ARG, "olock_expr_s: NULL string");
        return NULL;
    }
    return olock__expr_made(e, "olock_expr_s", olock_value_new_s(&e->arena, s, strlen(s)));
}

OLOCK_API const olock_value *olock_expr_n(olock_expr *e, const char *number_text) {
    olock_decimal d;
    olock_error derr;
    size_t len;
    if (!olock__expr_ok(e)) return NULL;
    if (!number_text) {
        OLOCK__EXPR_FAIL(e, OLOCK_ERR_INVALID_ARG, "olock_expr_n: NULL number");
        return NULL;
    }
    len = strlen(number_text);
    olock__error_clear(&derr);
    if (olock_decimal_parse(number_text, len, &d, &derr) != OLOCK_OK) {
        OLOCK__EXPR_FAIL(e, OLOCK_ERR_EXPRESSION, "olock_expr_n: \"%.*s\" is not a DynamoDB number: %s",
                         olock__expr_clip(number_text, len, 60), number_text, derr.message);
        return NULL;
    }
    return olock__expr_made(e, "olock_expr_n", olock_value_new_decimal(&e->arena, &d));
}

OLOCK_API const olock_value *olock_expr_i64(olock_expr *e, int64_t v) {
    if (!olock__expr_ok(e)) return NULL;
    return olock__expr_made(e, "olock_expr_i64", olock_value_new_i64(&e->arena, v));
}

OLOCK_API const olock_value *olock_expr_bool(olock_expr *e, int b) {
    if (!olock__expr_ok(e)) return NULL;
    return olock__expr_made(e, "olock_expr_bool", olock_value_new_bool(&e->arena, b));
}

static int olock__expr_is_set(olock_type t) {
    return t == OLOCK_TYPE_SS || t == OLOCK_TYPE_NS || t == OLOCK_TYPE_BS;
}

/* Orders two values of one type among N, S, B: -1, 0, 1 (N numerically, S/B bytewise). */
static int olock__expr_value_cmp(const olock_value *a, const olock_value *b) {
    if (a->type == OLOCK_TYPE_N) {
        olock_decimal x, y;
        if (olock_value_get_decimal(a, &x) != OLOCK_OK || olock_value_get_decimal(b, &y) != OLOCK_OK) return 0;
        return olock_decimal_cmp(&x, &y);
    } else {
        size_t n = a->len < b->len ? a->len : b->len;
        int c = n ? memcmp(a->str, b->str, n) : 0;
        if (c) return c < 0 ? -1 : 1;
        return a->len < b->len ? -1 : a->len > b->len ? 1
                                                      : 0;
    }
}

/* ---- operands ------------------------------------------------------------------------------ */

static olock_operand *olock__expr_operand_new(olock_expr *e, int kind) {
    olock_operand *o = (olock_operand *)olock__expr_alloc(e, sizeof *o);
    if (!o) return NULL;
    memset(o, 0, sizeof *o);
    o->owner = e;
    o->gen = e->gen;
    o->kind = kind;
    o->depth = 1;
    return o;
}

/* Whether a handle (an operand or a condition, `what`) given to fn is one of this builder's,
   made since its last reset; otherwise the builder fails saying which. */
static int olock__expr_check_handle(olock_expr *e, const char *fn, const char *what, int present, const olock_expr *owner,
                                    unsigned gen) {
    if (!present) {
        OLOCK__EXPR_FAIL(e, OLOCK_ERR_INVALID_ARG, "%s: NULL %s", fn, what);
        return 0;
    }
    if (owner != e || gen != e->gen) {
        OLOCK__EXPR_FAIL(e, OLOCK_ERR_INVALID_ARG, "%s: %s from another builder or from before olock_expr_reset", fn, what);
        return 0;
    }
    return 1;
}

static int olock__expr_check_operand(olock_expr *e, const char *fn, const olock_operand *o) {
    return olock__expr_check_handle(e, fn, "operand", o != NULL, o ? o->owner : NULL, o ? o->gen : 0);
}

static const char *olock__expr_operand_name(int kind) {
    switch (kind) {
    case OLOCK__OPND_PATH: return "a path";
    case OLOCK__OPND_VALUE: return "a value";
    case OLOCK__OPND_SIZE: return "size()";
    case OLOCK__OPND_IF_NOT_EXISTS: return "if_not_exists()";
    case OLOCK__OPND_LIST_APPEND: return "list_append()";
    case OLOCK__OPND_PLUS: return "+";
    default: return "-";
    }
}

static const olock_operand *olock__expr_value_operand(olock_expr *e, const char *fn, const olock_value *v) {
    olock_operand *o;
    const olock_value *copy;
    if (!olock__expr_ok(e)) return NULL;
    if (!v) {
        OLOCK__EXPR_FAIL(e, OLOCK_ERR_INVALID_ARG, "%s: NULL value", fn);
        return NULL;
    }
    if ((int)v->type < (int)OLOCK_TYPE_S || (int)v->type > (int)OLOCK_TYPE_BS) {
        OLOCK__EXPR_FAIL(e, OLOCK_ERR_INVALID_ARG, "%s: value has no valid DynamoDB type", fn);
        return NULL;
    }
    if (olock__expr_is_set(v->type) && v->count == 0) {
        OLOCK__EXPR_FAIL(e, OLOCK_ERR_EXPRESSION, "%s: empty %s set (DynamoDB has no empty sets)", fn, olock_type_name(v->type));
        return NULL;
    }
    copy = e->borrow ? v : olock_value_copy(&e->arena, v);
    if (!copy) {
        OLOCK__EXPR_FAIL(e, OLOCK_ERR_NOMEM, "%s: out of memory (or value nested too deeply)", fn);
        return NULL;
    }
    o = olock__expr_operand_new(e, OLOCK__OPND_VALUE);
    if (!o) return NULL;
    o->value = copy;
    return o;
}

static const olock_operand *olock__expr_path_operand(olock_expr *e, const char *fn, int kind, const char *path) {
    olock_operand *o;
    olock__expr_path p;
    if (!olock__expr_ok(e)) return NULL;
    if (!olock__expr_parse_path(e, fn, path, &p)) return NULL;
    o = olock__expr_operand_new(e, kind);
    if (!o) return NULL;
    o->path = p;
    return o;
}

OLOCK_API const olock_operand *olock_operand_path(olock_expr *e, const char *path) {
    return olock__expr_path_operand(e, "olock_operand_path", OLOCK__OPND_PATH, path);
}

OLOCK_API const olock_operand *olock_operand_value(olock_expr *e, const olock_value *v) {
    return olock__expr_value_operand(e, "olock_operand_value", v);
}

OLOCK_API const olock_operand *olock_operand_size(olock_expr *e, const char *path) {
    return olock__expr_path_operand(e, "olock_operand_size", OLOCK__OPND_SIZE, path);
}

/* An argument of a SET function or of + / -. `in` names the context for messages. */
static int olock__expr_check_set_arg(olock_expr *e, const char *fn, const olock_operand *o, int parent_kind) {
    const char *in = olock__expr_operand_name(parent_kind);
    if (!olock__expr_check_operand(e, fn, o)) return 0;
    if (o->kind == OLOCK__OPND_SIZE) {
        OLOCK__EXPR_FAIL(e, OLOCK_ERR_EXPRESSION, "%s: size() is not allowed in an update", fn);
        return 0;
    }
    if (o->kind == OLOCK__OPND_PLUS || o->kind == OLOCK__OPND_MINUS) {
        OLOCK__EXPR_FAIL(e, OLOCK_ERR_EXPRESSION, "%s: %s cannot be an operand of %s", fn, olock__expr_operand_name(o->kind), in);
        return 0;
    }
    if (parent_kind == OLOCK__OPND_LIST_APPEND) {
        if (o->kind == OLOCK__OPND_LIST_APPEND) {
            OLOCK__EXPR_FAIL(e, OLOCK_ERR_EXPRESSION, "%s: list_append() cannot be nested in list_append()", fn);
            return 0;
        }
        if (o->kind == OLOCK__OPND_VALUE && o->value->type != OLOCK_TYPE_L) {
            OLOCK__EXPR_FAIL(e, OLOCK_ERR_TYPE, "%s: list_append() needs L values, got %s", fn, olock_type_name(o->value->type));
            return 0;
        }
    }
    if ((parent_kind == OLOCK__OPND_PLUS || parent_kind == OLOCK__OPND_MINUS) &&
        o->kind == OLOCK__OPND_VALUE && o->value->type != OLOCK_TYPE_N) {
        OLOCK__EXPR_FAIL(e, OLOCK_ERR_TYPE, "%s: %s needs N values, got %s", fn, in, olock_type_name(o->value->type));
        return 0;
    }
    return 1;
}

static const olock_operand *olock__expr_binary_operand(olock_expr *e, const char *fn, int kind,
                                                       const olock_operand *a, const olock_operand *b) {
    olock_operand *o;
    if (!olock__expr_ok(e)) return NULL;
    if (!olock__expr_check_set_arg(e, fn, a, kind) || !olock__expr_check_set_arg(e, fn, b, kind)) return NULL;
    o = olock__expr_operand_new(e, kind);
    if (!o) return NULL;
    o->a = a;
    o->b = b;
    o->depth = 1 + (a->depth > b->depth ? a->depth : b->depth);
    if (o->depth > OLOCK_EXPR_MAX_OPERATORS) {
        OLOCK__EXPR_FAIL(e, OLOCK_ERR_LIMIT, "%s: operands nested more than %u levels", fn, (unsigned)OLOCK_EXPR_MAX_OPERATORS);
        return NULL;
    }
    return o;
}

static const olock_operand *olock__expr_if_not_exists(olock_expr *e, const char *fn, const char *path,
                                                      const olock_operand *fallback) {
    olock_operand *o;
    olock__expr_path p;
    if (!olock__expr_ok(e)) return NULL;
    if (!olock__expr_check_set_arg(e, fn, fallback, OLOCK__OPND_IF_NOT_EXISTS)) return NULL;
    if (!olock__expr_parse_path(e, fn, path, &p)) return NULL;
    o = olock__expr_operand_new(e, OLOCK__OPND_IF_NOT_EXISTS);
    if (!o) return NULL;
    o->path = p;
    o->b = fallback;
    o->depth = 1 + fallback->depth;
    if (o->depth > OLOCK_EXPR_MAX_OPERATORS) {
        OLOCK__EXPR_FAIL(e, OLOCK_ERR_LIMIT, "%s: operands nested more than %u levels", fn, (unsigned)OLOCK_EXPR_MAX_OPERATORS);
        return NULL;
    }
    return o;
}

OLOCK_API const olock_operand *olock_operand_if_not_exists(olock_expr *e, const char *path, const olock_operand *fallback) {
    return olock__expr_if_not_exists(e, "olock_operand_if_not_exists", path, fallback);
}

OLOCK_API const olock_operand *olock_operand_list_append(olock_expr *e, const olock_operand *a, const olock_operand *b) {
    return olock__expr_binary_operand(e, "olock_operand_list_append", OLOCK__OPND_LIST_APPEND, a, b);
}

OLOCK_API const olock_operand *olock_operand_plus(olock_expr *e, const olock_operand *a, const olock_operand *b) {
    return olock__expr_binary_operand(e, "olock_operand_plus", OLOCK__OPND_PLUS, a, b);
}

OLOCK_API const olock_operand *olock_operand_minus(olock_expr *e, const olock_operand *a, const olock_operand *b) {
    return olock__expr_binary_operand(e, "olock_operand_minus", OLOCK__OPND_MINUS, a, b);
}

/* ---- conditions ---------------------------------------------------------------------------- */

static const char *olock__expr_cmp_text(olock_cmp op) {
    switch (op) {
    case OLOCK_CMP_EQ: return "=";
    case OLOCK_CMP_NE: return "<>";
    case OLOCK_CMP_LT: return "<";
    case OLOCK_CMP_LE: return "<=";
    case OLOCK_CMP_GT: return ">";
    case OLOCK_CMP_GE: return ">=";
    }
    return NULL;
}

/* The operator as rendered between its operands: one write instead of three. */
static const char *olock__expr_cmp_spaced(olock_cmp op) {
    switch (op) {
    case OLOCK_CMP_EQ: return " = ";
    case OLOCK_CMP_NE: return " <> ";
    case OLOCK_CMP_LT: return " < ";
    case OLOCK_CMP_LE: return " <= ";
    case OLOCK_CMP_GT: return " > ";
    default: return " >= ";
    }
}

static int olock__expr_check_cond(olock_expr *e, const char *fn, const olock_cond *c) {
    return olock__expr_check_handle(e, fn, "condition", c != NULL, c ? c->owner : NULL, c ? c->gen : 0);
}

/* An operand of a condition: a path, a value or size(path). */
static int olock__expr_check_cond_operand(olock_expr *e, const char *fn, const olock_operand *o) {
    if (!olock__expr_check_operand(e, fn, o)) return 0;
    if (o->kind != OLOCK__OPND_PATH && o->kind != OLOCK__OPND_VALUE && o->kind != OLOCK__OPND_SIZE) {
        OLOCK__EXPR_FAIL(e, OLOCK_ERR_EXPRESSION, "%s: %s is only allowed in an update's SET", fn, olock__expr_operand_name(o->kind));
        return 0;
    }
    return 1;
}

/* Ordering (< <= > >= BETWEEN) works on N, S and B only. */
static int olock__expr_check_orderable(olock_expr *e, const char *fn, const char *op, const olock_operand *o) {
    if (o->kind == OLOCK__OPND_VALUE && o->value->type != OLOCK_TYPE_N && o->value->type != OLOCK_TYPE_S &&
        o->value->type != OLOCK_TYPE_B) {
        OLOCK__EXPR_FAIL(e, OLOCK_ERR_TYPE, "%s: %s needs N, S or B values, got %s", fn, op, olock_type_name(o->value->type));
        return 0;
    }
    return 1;
}

/* DynamoDB: "The first operand must be distinct from the remaining operands". */
static int olock__expr_check_distinct(olock_expr *e, const char *fn, const char *op, const olock_operand *first,
                                      const olock_operand *other) {
    char buf[96];
    if (first->kind == OLOCK__OPND_PATH && other->kind == OLOCK__OPND_PATH && olock__expr_paths_equal(&first->path, &other->path)) {
        OLOCK__EXPR_FAIL(e, OLOCK_ERR_EXPRESSION, "%s: %s compares path %s with itself", fn, op,
                         olock__expr_path_text(&first->path, buf, sizeof buf));
        return 0;
    }
    return 1;
}

/* The condition and its operand array in one allocation (nops <= OLOCK_EXPR_MAX_IN + 1). */
static olock_cond *olock__expr_cond_new(olock_expr *e, int kind, size_t nops) {
    olock_cond *c = (olock_cond *)olock__expr_alloc(e, sizeof *c + nops * sizeof(const olock_operand *));
    if (!c) return NULL;
    memset(c, 0, sizeof *c);
    c->owner = e;
    c->gen = e->gen;
    c->kind = kind;
    c->depth = 1;
    if (nops) {
        const olock_operand **ops = (const olock_operand **)(void *)(c + 1);
        memset(ops, 0, nops * sizeof *ops);
        c->ops = ops;
        c->nops = nops;
    }
    return c;
}

static void olock__expr_cond_set_op(olock_cond *c, size_t k, const olock_operand *o) {
    c->ops[k] = o;
    if (o->depth + 1 > c->depth) c->depth = o->depth + 1;
}

static const olock_cond *olock__expr_compare(olock_expr *e, const char *fn, const olock_operand *a, olock_cmp op,
                                             const olock_operand *b) {
    olock_cond *c;
    const char *t;
    if (!olock__expr_ok(e)) return NULL;
    t = olock__expr_cmp_text(op);
    if (!t) {
        OLOCK__EXPR_FAIL(e, OLOCK_ERR_INVALID_ARG, "%s: invalid comparison operator %d", fn, (int)op);
        return NULL;
    }
    if (!olock__expr_check_cond_operand(e, fn, a) || !olock__expr_check_cond_operand(e, fn, b)) return NULL;
    if (op != OLOCK_CMP_EQ && op != OLOCK_CMP_NE &&
        (!olock__expr_check_orderable(e, fn, t, a) || !olock__expr_check_orderable(e, fn, t, b)))
        return NULL;
    if (!olock__expr_check_distinct(e, fn, t, a, b)) return NULL;
    c = olock__expr_cond_new(e, OLOCK__COND_CMP, 2);
    if (!c) return NULL;
    c->cmp = op;
    olock__expr_cond_set_op(c, 0, a);
    olock__expr_cond_set_op(c, 1, b);
    return c;
}

OLOCK_API const olock_cond *olock_cond_compare(olock_expr *e, const olock_operand *a, olock_cmp op, const olock_operand *b) {
    return olock__expr_compare(e, "olock_cond_compare", a, op, b);
}

static const olock_cond *olock__expr_cmp_value(olock_expr *e, const char *fn, const char *path, olock_cmp op, const olock_value *v) {
    const olock_operand *a = olock__expr_path_operand(e, fn, OLOCK__OPND_PATH, path);
    const olock_operand *b = a ? olock__expr_value_operand(e, fn, v) : NULL;
    return b ? olock__expr_compare(e, fn, a, op, b) : NULL;
}

OLOCK_API const olock_cond *olock_cond_cmp(olock_expr *e, const char *path, olock_cmp op, const olock_value *v) {
    return olock__expr_cmp_value(e, "olock_cond_cmp", path, op, v);
}
OLOCK_API const olock_cond *olock_cond_eq(olock_expr *e, const char *path, const olock_value *v) {
    return olock__expr_cmp_value(e, "olock_cond_eq", path, OLOCK_CMP_EQ, v);
}
OLOCK_API const olock_cond *olock_cond_ne(olock_expr *e, const char *path, const olock_value *v) {
    return olock__expr_cmp_value(e, "olock_cond_ne", path, OLOCK_CMP_NE, v);
}
OLOCK_API const olock_cond *olock_cond_lt(olock_expr *e, const char *path, const olock_value *v) {
    return olock__expr_cmp_value(e, "olock_cond_lt", path, OLOCK_CMP_LT, v);
}
OLOCK_API const olock_cond *olock_cond_le(olock_expr *e, const char *path, const olock_value *v) {
    return olock__expr_cmp_value(e, "olock_cond_le", path, OLOCK_CMP_LE, v);
}
OLOCK_API const olock_cond *olock_cond_gt(olock_expr *e, const char *path, const olock_value *v) {
    return olock__expr_cmp_value(e, "olock_cond_gt", path, OLOCK_CMP_GT, v);
}
OLOCK_API const olock_cond *olock_cond_ge(olock_expr *e, const char *path, const olock_value *v) {
    return olock__expr_cmp_value(e, "olock_cond_ge", path, OLOCK_CMP_GE, v);
}

OLOCK_API const olock_cond *olock_cond_cmp_path(olock_expr *e, const char *path, olock_cmp op, const char *other_path) {
    const char *fn = "olock_cond_cmp_path";
    const olock_operand *a = olock__expr_path_operand(e, fn, OLOCK__OPND_PATH, path);
    const olock_operand *b = a ? olock__expr_path_operand(e, fn, OLOCK__OPND_PATH, other_path) : NULL;
    return b ? olock__expr_compare(e, fn, a, op, b) : NULL;
}

OLOCK_API const olock_cond *olock_cond_size_cmp(olock_expr *e, const char *path, olock_cmp op, const olock_value *v) {
    const char *fn = "olock_cond_size_cmp";
    const olock_operand *a = olock__expr_path_operand(e, fn, OLOCK__OPND_SIZE, path);
    const olock_operand *b = a ? olock__expr_value_operand(e, fn, v) : NULL;
    return b ? olock__expr_compare(e, fn, a, op, b) : NULL;
}

static const olock_cond *olock__expr_between(olock_expr *e, const char *fn, const olock_operand *a,
                                             const olock_operand *lo, const olock_operand *hi) {
    olock_cond *c;
    if (!olock__expr_ok(e)) return NULL;
    if (!olock__expr_check_cond_operand(e, fn, a) || !olock__expr_check_cond_operand(e, fn, lo) ||
        !olock__expr_check_cond_operand(e, fn, hi))
        return NULL;
    if (!olock__expr_check_orderable(e, fn, "BETWEEN", a) || !olock__expr_check_orderable(e, fn, "BETWEEN", lo) ||
        !olock__expr_check_orderable(e, fn, "BETWEEN", hi))
        return NULL;
    if (!olock__expr_check_distinct(e, fn, "BETWEEN", a, lo) || !olock__expr_check_distinct(e, fn, "BETWEEN", a, hi)) return NULL;
    if (lo->kind == OLOCK__OPND_VALUE && hi->kind == OLOCK__OPND_VALUE) {
        if (lo->value->type != hi->value->type) {
            OLOCK__EXPR_FAIL(e, OLOCK_ERR_TYPE, "%s: BETWEEN bounds of different types (%s and %s)", fn,
                             olock_type_name(lo->value->type), olock_type_name(hi->value->type));
            return NULL;
        }
        if (olock__expr_value_cmp(lo->value, hi->value) > 0) {
            OLOCK__EXPR_FAIL(e, OLOCK_ERR_EXPRESSION, "%s: BETWEEN lower bound is greater than the upper bound", fn);
            return NULL;
        }
    }
    c = olock__expr_cond_new(e, OLOCK__COND_BETWEEN, 3);
    if (!c) return NULL;
    olock__expr_cond_set_op(c, 0, a);
    olock__expr_cond_set_op(c, 1, lo);
    olock__expr_cond_set_op(c, 2, hi);
    return c;
}

OLOCK_API const olock_cond *olock_cond_between(olock_expr *e, const char *path, const olock_value *lo, const olock_value *hi) {
    const char *fn = "olock_cond_between";
    const olock_operand *a = olock__expr_path_operand(e, fn, OLOCK__OPND_PATH, path);
    const olock_operand *l = a ? olock__expr_value_operand(e, fn, lo) : NULL;
    const olock_operand *h = l ? olock__expr_value_operand(e, fn, hi) : NULL;
    return h ? olock__expr_between(e, fn, a, l, h) : NULL;
}

OLOCK_API const olock_cond *olock_cond_between_operands(olock_expr *e, const olock_operand *a,
                                                        const olock_operand *lo, const olock_operand *hi) {
    return olock__expr_between(e, "olock_cond_between_operands", a, lo, hi);
}

static int olock__expr_check_in_count(olock_expr *e, const char *fn, const void *list, size_t count) {
    if (count == 0) {
        OLOCK__EXPR_FAIL(e, OLOCK_ERR_EXPRESSION, "%s: IN needs at least one operand", fn);
        return 0;
    }
    if (count > OLOCK_EXPR_MAX_IN) {
        OLOCK__EXPR_FAIL(e, OLOCK_ERR_LIMIT, "%s: IN takes at most %u operands, got %lu", fn, (unsigned)OLOCK_EXPR_MAX_IN,
                         (unsigned long)count);
        return 0;
    }
    if (!list) {
        OLOCK__EXPR_FAIL(e, OLOCK_ERR_INVALID_ARG, "%s: NULL operand list", fn);
        return 0;
    }
    return 1;
}

static const olock_cond *olock__expr_in(olock_expr *e, const char *fn, const olock_operand *a,
                                        const olock_operand *const *list, size_t count) {
    olock_cond *c;
    size_t k;
    if (!olock__expr_ok(e)) return NULL;
    if (!olock__expr_check_in_count(e, fn, list, count)) return NULL;
    if (!olock__expr_check_cond_operand(e, fn, a)) return NULL;
    for (k = 0; k < count; k++)
        if (!olock__expr_check_cond_operand(e, fn, list[k]) || !olock__expr_check_distinct(e, fn, "IN", a, list[k])) return NULL;
    c = olock__expr_cond_new(e, OLOCK__COND_IN, count + 1);
    if (!c) return NULL;
    olock__expr_cond_set_op(c, 0, a);
    for (k = 0; k < count; k++) olock__expr_cond_set_op(c, k + 1, list[k]);
    return c;
}

OLOCK_API const olock_cond *olock_cond_in_operands(olock_expr *e, const olock_operand *a,
                                                   const olock_operand *const *list, size_t count) {
    return olock__expr_in(e, "olock_cond_in_operands", a, list, count);
}

OLOCK_API const olock_cond *olock_cond_in(olock_expr *e, const char *path, const olock_value *const *values, size_t count) {
    const char *fn = "olock_cond_in";
    const olock_operand *ops[OLOCK_EXPR_MAX_IN];
    const olock_operand *a;
    size_t k;
    if (!olock__expr_ok(e)) return NULL;
    if (!olock__expr_check_in_count(e, fn, values, count)) return NULL;
    a = olock__expr_path_operand(e, fn, OLOCK__OPND_PATH, path);
    for (k = 0; a && k < count; k++)
        if (!(ops[k] = olock__expr_value_operand(e, fn, values[k]))) return NULL;
    return a ? olock__expr_in(e, fn, a, ops, count) : NULL;
}

static const olock_cond *olock__expr_path_function(olock_expr *e, const char *fn, int kind, const char *path) {
    const olock_operand *a = olock__expr_path_operand(e, fn, OLOCK__OPND_PATH, path);
    olock_cond *c;
    if (!a) return NULL;
    c = olock__expr_cond_new(e, kind, 1);
    if (!c) return NULL;
    olock__expr_cond_set_op(c, 0, a);
    return c;
}

OLOCK_API const olock_cond *olock_cond_attribute_exists(olock_expr *e, const char *path) {
    return olock__expr_path_function(e, "olock_cond_attribute_exists", OLOCK__COND_EXISTS, path);
}

OLOCK_API const olock_cond *olock_cond_attribute_not_exists(olock_expr *e, const char *path) {
    return olock__expr_path_function(e, "olock_cond_attribute_not_exists", OLOCK__COND_NOT_EXISTS, path);
}

OLOCK_API const olock_cond *olock_cond_attribute_type(olock_expr *e, const char *path, olock_type t) {
    const char *fn = "olock_cond_attribute_type";
    const olock_operand *a, *b;
    const olock_value *name;
    olock_cond *c;
    if (!olock__expr_ok(e)) return NULL;
    if ((int)t < (int)OLOCK_TYPE_S || (int)t > (int)OLOCK_TYPE_BS) {
        OLOCK__EXPR_FAIL(e, OLOCK_ERR_INVALID_ARG, "%s: invalid type %d", fn, (int)t);
        return NULL;
    }
    a = olock__expr_path_operand(e, fn, OLOCK__OPND_PATH, path);
    if (!a) return NULL;
    name = olock__expr_made(e, fn, olock_value_new_s(&e->arena, olock_type_name(t), strlen(olock_type_name(t))));
    b = name ? olock__expr_value_operand(e, fn, name) : NULL;
    if (!b) return NULL;
    c = olock__expr_cond_new(e, OLOCK__COND_TYPE, 2);
    if (!c) return NULL;
    olock__expr_cond_set_op(c, 0, a);
    olock__expr_cond_set_op(c, 1, b);
    return c;
}

static const olock_cond *olock__expr_two_arg_function(olock_expr *e, const char *fn, int kind,
                                                      const olock_operand *a, const olock_operand *b) {
    olock_cond *c;
    if (!olock__expr_ok(e)) return NULL;
    if (!olock__expr_check_cond_operand(e, fn, a) || !olock__expr_check_cond_operand(e, fn, b)) return NULL;
    if (a->kind == OLOCK__OPND_SIZE || b->kind == OLOCK__OPND_SIZE) {
        OLOCK__EXPR_FAIL(e, OLOCK_ERR_EXPRESSION, "%s: size() is a number, not an operand of this function", fn);
        return NULL;
    }
    if (kind == OLOCK__COND_BEGINS_WITH) {
        int k;
        for (k = 0; k < 2; k++) {
            const olock_operand *o = k ? b : a;
            if (o->kind == OLOCK__OPND_VALUE && o->value->type != OLOCK_TYPE_S && o->value->type != OLOCK_TYPE_B) {
                OLOCK__EXPR_FAIL(e, OLOCK_ERR_TYPE, "%s: begins_with() needs S or B values, got %s", fn, olock_type_name(o->value->type));
                return NULL;
            }
        }
    }
    c = olock__expr_cond_new(e, kind, 2);
    if (!c) return NULL;
    olock__expr_cond_set_op(c, 0, a);
    olock__expr_cond_set_op(c, 1, b);
    return c;
}

OLOCK_API const olock_cond *olock_cond_begins_with_operands(olock_expr *e, const olock_operand *a, const olock_operand *b) {
    return olock__expr_two_arg_function(e, "olock_cond_begins_with_operands", OLOCK__COND_BEGINS_WITH, a, b);
}

OLOCK_API const olock_cond *olock_cond_contains_operands(olock_expr *e, const olock_operand *a, const olock_operand *b) {
    return olock__expr_two_arg_function(e, "olock_cond_contains_operands", OLOCK__COND_CONTAINS, a, b);
}

OLOCK_API const olock_cond *olock_cond_begins_with(olock_expr *e, const char *path, const olock_value *prefix) {
    const char *fn = "olock_cond_begins_with";
    const olock_operand *a = olock__expr_path_operand(e, fn, OLOCK__OPND_PATH, path);
    const olock_operand *b = a ? olock__expr_value_operand(e, fn, prefix) : NULL;
    return b ? olock__expr_two_arg_function(e, fn, OLOCK__COND_BEGINS_WITH, a, b) : NULL;
}

OLOCK_API const olock_cond *olock_cond_contains(olock_expr *e, const char *path, const olock_value *operand) {
    const char *fn = "olock_cond_contains";
    const olock_operand *a = olock__expr_path_operand(e, fn, OLOCK__OPND_PATH, path);
    const olock_operand *b = a ? olock__expr_value_operand(e, fn, operand) : NULL;
    return b ? olock__expr_two_arg_function(e, fn, OLOCK__COND_CONTAINS, a, b) : NULL;
}

static const olock_cond *olock__expr_logic(olock_expr *e, const char *fn, int kind, const olock_cond *a, const olock_cond *b) {
    olock_cond *c;
    if (!olock__expr_ok(e)) return NULL;
    if (!olock__expr_check_cond(e, fn, a)) return NULL;
    if (kind != OLOCK__COND_NOT && !olock__expr_check_cond(e, fn, b)) return NULL;
    c = olock__expr_cond_new(e, kind, 0);
    if (!c) return NULL;
    c->a = a;
    c->b = b;
    c->depth = 1 + (b && b->depth > a->depth ? b->depth : a->depth);
    if (c->depth > OLOCK_EXPR_MAX_OPERATORS) {
        OLOCK__EXPR_FAIL(e, OLOCK_ERR_LIMIT, "%s: conditions nested more than %u levels", fn, (unsigned)OLOCK_EXPR_MAX_OPERATORS);
        return NULL;
    }
    return c;
}

OLOCK_API const olock_cond *olock_cond_and(olock_expr *e, const olock_cond *a, const olock_cond *b) {
    return olock__expr_logic(e, "olock_cond_and", OLOCK__COND_AND, a, b);
}

OLOCK_API const olock_cond *olock_cond_or(olock_expr *e, const olock_cond *a, const olock_cond *b) {
    return olock__expr_logic(e, "olock_cond_or", OLOCK__COND_OR, a, b);
}

OLOCK_API const olock_cond *olock_cond_not(olock_expr *e, const olock_cond *a) {
    return olock__expr_logic(e, "olock_cond_not", OLOCK__COND_NOT, a, NULL);
}

/* Copies raw expression text after checking it is non-blank UTF-8. */
static const char *olock__expr_raw_copy(olock_expr *e, const char *fn, const char *text, size_t *len_out) {
    size_t len, k, bad;
    char *copy;
    if (!text) {
        OLOCK__EXPR_FAIL(e, OLOCK_ERR_INVALID_ARG, "%s: NULL text", fn);
        return NULL;
    }
    len = strlen(text);
    for (k = 0; k < len && (text[k] == ' ' || text[k] == '\t' || text[k] == '\n' || text[k] == '\r'); k++) {}
    if (k == len) {
        OLOCK__EXPR_FAIL(e, OLOCK_ERR_EXPRESSION, "%s: empty expression", fn);
        return NULL;
    }
    bad = olock__expr_utf8_check(text, len);
    if (bad < len) {
        OLOCK__EXPR_FAIL(e, OLOCK_ERR_EXPRESSION, "%s: text is not valid UTF-8 (byte %u)", fn, (unsigned)bad);
        return NULL;
    }
    if (len > OLOCK_EXPR_MAX_BYTES) {
        OLOCK__EXPR_FAIL(e, OLOCK_ERR_LIMIT, "%s: expression of %lu bytes is longer than %u", fn, (unsigned long)len,
                         (unsigned)OLOCK_EXPR_MAX_BYTES);
        return NULL;
    }
    copy = olock_arena_strdup(&e->arena, text, len);
    if (!copy) {
        OLOCK__EXPR_FAIL(e, OLOCK_ERR_NOMEM, "%s: out of memory", fn);
        return NULL;
    }
    *len_out = len;
    return copy;
}

OLOCK_API const olock_cond *olock_cond_raw(olock_expr *e, const char *text) {
    olock_cond *c;
    const char *copy;
    size_t len = 0;
    if (!olock__expr_ok(e)) return NULL;
    copy = olock__expr_raw_copy(e, "olock_cond_raw", text, &len);
    if (!copy) return NULL;
    c = olock__expr_cond_new(e, OLOCK__COND_RAW, 0);
    if (!c) return NULL;
    c->raw = copy;
    c->raw_len = len;
    return c;
}

/* ---- what the request uses ----------------------------------------------------------------- */

static void olock__expr_and_into(olock_expr *e, const char *fn, const olock_cond **slot, const olock_cond *c) {
    if (!olock__expr_ok(e)) return;
    if (!olock__expr_check_cond(e, fn, c)) return;
    if (*slot) c = olock__expr_logic(e, fn, OLOCK__COND_AND, *slot, c);
    if (c) *slot = c;
}

OLOCK_API void olock_expr_add_condition(olock_expr *e, const olock_cond *c) {
    if (e) olock__expr_and_into(e, "olock_expr_add_condition", &e->condition, c);
}

OLOCK_API void olock_expr_add_filter(olock_expr *e, const olock_cond *c) {
    if (e) olock__expr_and_into(e, "olock_expr_add_filter", &e->filter, c);
}

static olock__expr_action *olock__expr_action_new(olock_expr *e) {
    olock__expr_action *a = (olock__expr_action *)olock__expr_alloc(e, sizeof *a);
    if (a) memset(a, 0, sizeof *a);
    return a;
}

OLOCK_API void olock_expr_add_projection(olock_expr *e, const char *path) {
    olock__expr_action *a;
    olock__expr_path p;
    if (!olock__expr_ok(e)) return;
    if (!olock__expr_parse_path(e, "olock_expr_add_projection", path, &p)) return;
    a = olock__expr_action_new(e);
    if (!a) return;
    a->target = p;
    if (e->proj_tail) e->proj_tail->next = a;
    else e->proj_head = a;
    e->proj_tail = a;
}

static int olock__expr_placeholder_ok(const char *key, size_t len, char lead) {
    size_t k;
    if (len < 2 || len > OLOCK_PLACEHOLDER_MAX || key[0] != lead) return 0;
    for (k = 1; k < len; k++)
        if (!olock__expr_word_char((unsigned char)key[k])) return 0;
    return 1;
}

/* Whether a placeholder of the caller's has the shape of a generated one (#n<digits>,
   :v<digits>), so that numbering must skip it. */
static int olock__expr_generated_like(const char *key, size_t len, char letter) {
    size_t k;
    if (len < 3 || key[1] != letter) return 0;
    for (k = 2; k < len; k++)
        if (key[k] < '0' || key[k] > '9') return 0;
    return 1;
}

static olock__expr_raw_entry *olock__expr_raw_find(olock__expr_raw_entry *list, const char *key, size_t len) {
    for (; list; list = list->next)
        if (list->key_len == len && memcmp(list->key, key, len) == 0) return list;
    return NULL;
}

static void olock__expr_add_map(olock_expr *e, const olock_value *map, int is_names) {
    const char *fn = "olock_expr_add_maps";
    const char *what = is_names ? "names" : "values";
    olock__expr_raw_entry **head = is_names ? &e->raw_names : &e->raw_values;
    olock__expr_raw_entry *tail = *head;
    const olock_value *m;
    if (!map) return;
    if (map->type != OLOCK_TYPE_M) {
        OLOCK__EXPR_FAIL(e, OLOCK_ERR_INVALID_ARG, "%s: the %s map is not an M value", fn, what);
        return;
    }
    while (tail && tail->next) tail = tail->next;
    for (m = map->first; m; m = m->next) {
        olock__expr_raw_entry *ent;
        const olock_value *copy;
        const char *ent_key;
        if (m->key && m->key_len > OLOCK_PLACEHOLDER_MAX) {
            OLOCK__EXPR_FAIL(e, OLOCK_ERR_LIMIT, "%s: placeholder \"%.*s...\" is longer than %u bytes", fn,
                             olock__expr_clip(m->key, m->key_len, 40), m->key, (unsigned)OLOCK_PLACEHOLDER_MAX);
            return;
        }
        if (!m->key || !olock__expr_placeholder_ok(m->key, m->key_len, is_names ? '#' : ':')) {
            OLOCK__EXPR_FAIL(e, OLOCK_ERR_EXPRESSION, "%s: \"%.*s\" is not a valid %s placeholder (%c then 1-254 of A-Z a-z 0-9 _)",
                             fn, m->key ? olock__expr_clip(m->key, m->key_len, 80) : 0, m->key ? m->key : "",
                             what, is_names ? '#' : ':');
            return;
        }
        if (is_names) {
            if (m->type != OLOCK_TYPE_S || m->len == 0 || olock__expr_utf8_check(m->str, m->len) < m->len) {
                OLOCK__EXPR_FAIL(e, OLOCK_ERR_EXPRESSION, "%s: names entry %.*s must be a non-empty UTF-8 S value", fn,
                                 (int)m->key_len, m->key);
                return;
            }
        } else if (olock__expr_is_set(m->type) && m->count == 0) {
            OLOCK__EXPR_FAIL(e, OLOCK_ERR_EXPRESSION, "%s: values entry %.*s is an empty set", fn, (int)m->key_len, m->key);
            return;
        }
        ent = olock__expr_raw_find(*head, m->key, m->key_len);
        if (ent) {
            if (!olock_value_equal(ent->value, m)) {
                OLOCK__EXPR_FAIL(e, OLOCK_ERR_EXPRESSION, "%s: placeholder %.*s given twice with different values", fn,
                                 (int)m->key_len, m->key);
                return;
            }
            continue;
        }
        ent = (olock__expr_raw_entry *)olock__expr_alloc(e, sizeof *ent);
        copy = !ent ? NULL : e->borrow ? m
                                       : olock_value_copy(&e->arena, m);
        /* borrowed: the map, keys included, stays as it is until the builder is reset */
        ent_key = !copy ? NULL : e->borrow ? m->key
                                           : olock_arena_strdup(&e->arena, m->key, m->key_len);
        if (ent && !ent_key) OLOCK__EXPR_FAIL(e, OLOCK_ERR_NOMEM, "%s: out of memory", fn);
        if (!ent_key) return;
        ent->next = NULL;
        ent->key = ent_key;
        ent->key_len = m->key_len;
        ent->value = copy;
        ent->used = 0;
        if (tail) tail->next = ent;
        else *head = ent;
        tail = ent;
        if (olock__expr_generated_like(ent->key, ent->key_len, is_names ? 'n' : 'v')) {
            if (is_names) e->raw_gen_names++;
            else e->raw_gen_values++;
        }
    }
}

OLOCK_API void olock_expr_add_maps(olock_expr *e, const olock_value *names, const olock_value *values) {
    if (!olock__expr_ok(e)) return;
    olock__expr_add_map(e, names, 1);
    if (olock__expr_ok(e)) olock__expr_add_map(e, values, 0);
}

/* ---- key conditions ------------------------------------------------------------------------ */

static const olock_operand *olock__expr_key_path(olock_expr *e, const char *fn, const char *name) {
    olock__expr_path p;
    olock_operand *o;
    if (!olock__expr_name_path(e, fn, name, &p)) return NULL;
    o = olock__expr_operand_new(e, OLOCK__OPND_PATH);
    if (o) o->path = p;
    return o;
}

static const olock_operand *olock__expr_key_value(olock_expr *e, const char *fn, const olock_value *v, int prefix) {
    const olock_operand *o = olock__expr_value_operand(e, fn, v);
    if (!o) return NULL;
    if (o->value->type != OLOCK_TYPE_S && o->value->type != OLOCK_TYPE_B && (prefix || o->value->type != OLOCK_TYPE_N)) {
        OLOCK__EXPR_FAIL(e, OLOCK_ERR_TYPE, "%s: key values are %s, got %s", fn, prefix ? "S or B" : "S, N or B",
                         olock_type_name(o->value->type));
        return NULL;
    }
    return o;
}

OLOCK_API void olock_key_partition_eq(olock_expr *e, const char *name, const olock_value *v) {
    const char *fn = "olock_key_partition_eq";
    const olock_operand *p, *val;
    if (!olock__expr_ok(e)) return;
    if (e->pk_path) {
        OLOCK__EXPR_FAIL(e, OLOCK_ERR_EXPRESSION, "%s: the partition key condition is already set", fn);
        return;
    }
    p = olock__expr_key_path(e, fn, name);
    val = p ? olock__expr_key_value(e, fn, v, 0) : NULL;
    if (!val) return;
    e->pk_path = p;
    e->pk_value = val;
}

static int olock__expr_sort_key_free(olock_expr *e, const char *fn) {
    if (!olock__expr_ok(e)) return 0;
    if (e->sk_cond) {
        OLOCK__EXPR_FAIL(e, OLOCK_ERR_EXPRESSION, "%s: the sort key condition is already set", fn);
        return 0;
    }
    return 1;
}

OLOCK_API void olock_key_sort_cmp(olock_expr *e, const char *name, olock_cmp op, const olock_value *v) {
    const char *fn = "olock_key_sort_cmp";
    const olock_operand *p, *val;
    if (!olock__expr_sort_key_free(e, fn)) return;
    if (op == OLOCK_CMP_NE) {
        OLOCK__EXPR_FAIL(e, OLOCK_ERR_EXPRESSION, "%s: <> is not allowed in a key condition", fn);
        return;
    }
    p = olock__expr_key_path(e, fn, name);
    val = p ? olock__expr_key_value(e, fn, v, 0) : NULL;
    if (val) e->sk_cond = olock__expr_compare(e, fn, p, op, val);
}

OLOCK_API void olock_key_sort_between(olock_expr *e, const char *name, const olock_value *lo, const olock_value *hi) {
    const char *fn = "olock_key_sort_between";
    const olock_operand *p, *l, *h;
    if (!olock__expr_sort_key_free(e, fn)) return;
    p = olock__expr_key_path(e, fn, name);
    l = p ? olock__expr_key_value(e, fn, lo, 0) : NULL;
    h = l ? olock__expr_key_value(e, fn, hi, 0) : NULL;
    if (h) e->sk_cond = olock__expr_between(e, fn, p, l, h);
}

OLOCK_API void olock_key_sort_begins_with(olock_expr *e, const char *name, const olock_value *prefix) {
    const char *fn = "olock_key_sort_begins_with";
    const olock_operand *p, *val;
    if (!olock__expr_sort_key_free(e, fn)) return;
    p = olock__expr_key_path(e, fn, name);
    val = p ? olock__expr_key_value(e, fn, prefix, 1) : NULL;
    if (val) e->sk_cond = olock__expr_two_arg_function(e, fn, OLOCK__COND_BEGINS_WITH, p, val);
}

/* ---- updates ------------------------------------------------------------------------------- */

static void olock__expr_push_action(olock_expr *e, int clause, olock__expr_action *a) {
    if (e->clause_tail[clause]) e->clause_tail[clause]->next = a;
    else e->clause_head[clause] = a;
    e->clause_tail[clause] = a;
}

static void olock__expr_action_add(olock_expr *e, const char *fn, int clause, const char *path, const olock_operand *v) {
    olock__expr_action *a;
    olock__expr_path p;
    if (!olock__expr_ok(e) || !v) return;
    if (!olock__expr_parse_path(e, fn, path, &p)) return;
    a = olock__expr_action_new(e);
    if (!a) return;
    a->target = p;
    a->value = v;
    olock__expr_push_action(e, clause, a);
}

OLOCK_API void olock_expr_set_operand(olock_expr *e, const char *path, const olock_operand *v) {
    const char *fn = "olock_expr_set_operand";
    if (!olock__expr_ok(e)) return;
    if (!olock__expr_check_operand(e, fn, v)) return;
    if (v->kind == OLOCK__OPND_SIZE) {
        OLOCK__EXPR_FAIL(e, OLOCK_ERR_EXPRESSION, "%s: size() is not allowed in an update", fn);
        return;
    }
    olock__expr_action_add(e, fn, OLOCK__EXPR_SET, path, v);
}

OLOCK_API void olock_expr_set(olock_expr *e, const char *path, const olock_value *v) {
    const olock_operand *o = olock__expr_value_operand(e, "olock_expr_set", v);
    olock__expr_action_add(e, "olock_expr_set", OLOCK__EXPR_SET, path, o);
}

static void olock__expr_set_arith(olock_expr *e, const char *fn, int kind, const char *path, const char *src, const olock_value *v) {
    const olock_operand *a = olock__expr_path_operand(e, fn, OLOCK__OPND_PATH, src ? src : path);
    const olock_operand *b = a ? olock__expr_value_operand(e, fn, v) : NULL;
    const olock_operand *o = b ? olock__expr_binary_operand(e, fn, kind, a, b) : NULL;
    olock__expr_action_add(e, fn, OLOCK__EXPR_SET, path, o);
}

OLOCK_API void olock_expr_set_plus(olock_expr *e, const char *path, const char *src, const olock_value *v) {
    olock__expr_set_arith(e, "olock_expr_set_plus", OLOCK__OPND_PLUS, path, src, v);
}

OLOCK_API void olock_expr_set_minus(olock_expr *e, const char *path, const char *src, const olock_value *v) {
    olock__expr_set_arith(e, "olock_expr_set_minus", OLOCK__OPND_MINUS, path, src, v);
}

OLOCK_API void olock_expr_set_if_not_exists(olock_expr *e, const char *path, const char *src, const olock_value *v) {
    const char *fn = "olock_expr_set_if_not_exists";
    const olock_operand *b = olock__expr_value_operand(e, fn, v);
    const olock_operand *o = b ? olock__expr_if_not_exists(e, fn, src ? src : path, b) : NULL;
    olock__expr_action_add(e, fn, OLOCK__EXPR_SET, path, o);
}

OLOCK_API void olock_expr_list_append(olock_expr *e, const char *path, const char *src, const olock_value *list) {
    const char *fn = "olock_expr_list_append";
    const olock_operand *a = olock__expr_path_operand(e, fn, OLOCK__OPND_PATH, src ? src : path);
    const olock_operand *b = a ? olock__expr_value_operand(e, fn, list) : NULL;
    const olock_operand *o = b ? olock__expr_binary_operand(e, fn, OLOCK__OPND_LIST_APPEND, a, b) : NULL;
    olock__expr_action_add(e, fn, OLOCK__EXPR_SET, path, o);
}

OLOCK_API void olock_expr_list_prepend(olock_expr *e, const char *path, const olock_value *list, const char *src) {
    const char *fn = "olock_expr_list_prepend";
    const olock_operand *a = olock__expr_value_operand(e, fn, list);
    const olock_operand *b = a ? olock__expr_path_operand(e, fn, OLOCK__OPND_PATH, src ? src : path) : NULL;
    const olock_operand *o = b ? olock__expr_binary_operand(e, fn, OLOCK__OPND_LIST_APPEND, a, b) : NULL;
    olock__expr_action_add(e, fn, OLOCK__EXPR_SET, path, o);
}

OLOCK_API void olock_expr_remove(olock_expr *e, const char *path) {
    olock__expr_action *a;
    olock__expr_path p;
    if (!olock__expr_ok(e)) return;
    if (!olock__expr_parse_path(e, "olock_expr_remove", path, &p)) return;
    a = olock__expr_action_new(e);
    if (!a) return;
    a->target = p;
    olock__expr_push_action(e, OLOCK__EXPR_REMOVE, a);
}

OLOCK_API void olock_expr_add_to(olock_expr *e, const char *path, const olock_value *v) {
    const char *fn = "olock_expr_add_to";
    const olock_operand *o = olock__expr_value_operand(e, fn, v);
    if (o && o->value->type != OLOCK_TYPE_N && !olock__expr_is_set(o->value->type)) {
        OLOCK__EXPR_FAIL(e, OLOCK_ERR_TYPE, "%s: ADD needs a number (N) or a set (SS, NS, BS), got %s", fn, olock_type_name(o->value->type));
        return;
    }
    olock__expr_action_add(e, fn, OLOCK__EXPR_ADD, path, o);
}

OLOCK_API void olock_expr_delete_from(olock_expr *e, const char *path, const olock_value *v) {
    const char *fn = "olock_expr_delete_from";
    const olock_operand *o = olock__expr_value_operand(e, fn, v);
    if (o && !olock__expr_is_set(o->value->type)) {
        OLOCK__EXPR_FAIL(e, OLOCK_ERR_TYPE, "%s: DELETE needs a set (SS, NS, BS), got %s", fn, olock_type_name(o->value->type));
        return;
    }
    olock__expr_action_add(e, fn, OLOCK__EXPR_DELETE, path, o);
}

/* Clause keyword at s (case-insensitive, whole word), or -1. */
static int olock__expr_clause_keyword(const char *s, size_t n) {
    static const char *const words[OLOCK__EXPR_CLAUSES] = { "SET", "REMOVE", "ADD", "DELETE" };
    static const size_t lens[OLOCK__EXPR_CLAUSES] = { 3, 6, 3, 6 };
    int k;
    size_t i;
    if (n != 3 && n != 6) return -1; /* most words: names, functions, AND, ... */
    for (k = 0; k < OLOCK__EXPR_CLAUSES; k++) {
        if (lens[k] != n) continue;
        for (i = 0; i < n; i++) {
            char c = s[i];
            if (c >= 'a' && c <= 'z') c = (char)(c - 32);
            if (c != words[k][i]) break;
        }
        if (i == n) return k;
    }
    return -1;
}

/* Appends the top-level comma-separated actions of one clause body to `clause`. */
static int olock__expr_raw_clause(olock_expr *e, const char *fn, int clause, const char *s, size_t len) {
    size_t i = 0, start = 0, depth = 0;
    for (;;) {
        if (i == len || (depth == 0 && s[i] == ',')) {
            size_t b = start, t = i;
            olock__expr_action *a;
            while (b < t && olock__expr_space(s[b])) b++;
            while (t > b && olock__expr_space(s[t - 1])) t--;
            if (t == b) {
                OLOCK__EXPR_FAIL(e, OLOCK_ERR_EXPRESSION, "%s: empty action in the raw update", fn);
                return 0;
            }
            a = olock__expr_action_new(e);
            if (!a) return 0;
            a->raw = s + b;
            a->raw_len = t - b;
            olock__expr_push_action(e, clause, a);
            if (i == len) return 1;
            start = ++i;
            continue;
        }
        if (!(olock__expr_cc[(unsigned char)s[i]] & OLOCK__CC_NESTING)) {
            for (i++; i < len && !(olock__expr_cc[(unsigned char)s[i]] & OLOCK__CC_NESTING); i++) {}
            continue;
        }
        if (s[i] == '(' || s[i] == '[') depth++;
        else if ((s[i] == ')' || s[i] == ']') && depth) depth--;
        i++;
    }
}

/* Adds the actions of a raw update text seen before (1), or returns 0. */
static int olock__expr_raw_update_hit(olock_expr *e, const char *text) {
    olock__expr_raw_update *c = &e->raw_update;
    size_t len;
    unsigned k;
    if (c->len == 0) return 0;
    len = strlen(text);
    if (len != c->len || memcmp(c->text, text, len) != 0) return 0;
    c->gen = e->gen;
    for (k = 0; k < c->count; k++) {
        olock__expr_action *a = olock__expr_action_new(e);
        if (!a) return 1;
        a->raw = c->text + c->actions[k].start;
        a->raw_len = c->actions[k].len;
        olock__expr_push_action(e, c->actions[k].clause, a);
    }
    return 1;
}

/* Remembers the text `s` (the builder's copy) just split into the actions after `tails`,
   unless it is too big or the entry is in use by this request. */
static void olock__expr_raw_update_keep(olock_expr *e, const char *s, size_t len, olock__expr_action *const *tails) {
    olock__expr_raw_update *c = &e->raw_update;
    olock__expr_action *a;
    unsigned n = 0;
    int k;
    if (len >= OLOCK__EXPR_RAW_TEXT || (c->len && c->gen == e->gen)) return;
    for (k = 0; k < OLOCK__EXPR_CLAUSES; k++)
        for (a = tails[k] ? tails[k]->next : e->clause_head[k]; a; a = a->next) n++;
    if (n > OLOCK__EXPR_RAW_ACTIONS) return;
    n = 0;
    for (k = 0; k < OLOCK__EXPR_CLAUSES; k++)
        for (a = tails[k] ? tails[k]->next : e->clause_head[k]; a; a = a->next) {
            c->actions[n].clause = k;
            c->actions[n].start = (size_t)(a->raw - s);
            c->actions[n].len = a->raw_len;
            n++;
        }
    memcpy(c->text, s, len);
    c->len = len;
    c->count = n;
    c->gen = e->gen;
}

OLOCK_API void olock_expr_update_raw(olock_expr *e, const char *text) {
    const char *fn = "olock_expr_update_raw";
    const char *s;
    size_t len = 0, i = 0, body = 0, depth = 0, k;
    int clause = -1, seen[OLOCK__EXPR_CLAUSES] = { 0, 0, 0, 0 };
    olock__expr_action *tails[OLOCK__EXPR_CLAUSES];
    if (!olock__expr_ok(e)) return;
    if (text && olock__expr_raw_update_hit(e, text)) return;
    for (k = 0; k < OLOCK__EXPR_CLAUSES; k++) tails[k] = e->clause_tail[k];
    s = olock__expr_raw_copy(e, fn, text, &len);
    if (!s) return;
    /* Clause keywords are whole words at parenthesis depth 0 that are not placeholders; they
       are reserved words, so they cannot be attribute names in raw text. */
    for (;;) {
        int kw = -1;
        size_t w = i;
        if (i < len && olock__expr_word_char((unsigned char)s[i])) {
            while (w < len && olock__expr_word_char((unsigned char)s[w])) w++;
            if (depth == 0 && (i == 0 || (s[i - 1] != '#' && s[i - 1] != ':' && s[i - 1] != '.')))
                kw = olock__expr_clause_keyword(s + i, w - i);
            if (kw < 0) {
                i = w;
                continue;
            }
        }
        if (i < len && !(olock__expr_cc[(unsigned char)s[i]] & (OLOCK__CC_WORD | OLOCK__CC_NESTING))) {
            i++;
            continue;
        }
        if (i == len || kw >= 0) {
            if (clause < 0) {
                for (k = 0; k < i; k++)
                    if (!olock__expr_space(s[k])) {
                        OLOCK__EXPR_FAIL(e, OLOCK_ERR_EXPRESSION, "%s: an update starts with SET, REMOVE, ADD or DELETE", fn);
                        return;
                    }
            } else if (!olock__expr_raw_clause(e, fn, clause, s + body, i - body)) {
                return;
            }
            if (i == len) break;
            if (seen[kw]) {
                OLOCK__EXPR_FAIL(e, OLOCK_ERR_EXPRESSION, "%s: the %.*s clause appears twice", fn, (int)(w - i), s + i);
                return;
            }
            seen[kw] = 1;
            clause = kw;
            body = i = w;
            continue;
        }
        if (s[i] == '(' || s[i] == '[') depth++;
        else if ((s[i] == ')' || s[i] == ']') && depth) depth--;
        i++;
    }
    if (clause < 0) OLOCK__EXPR_FAIL(e, OLOCK_ERR_EXPRESSION, "%s: an update starts with SET, REMOVE, ADD or DELETE", fn);
    else if (olock__expr_ok(e)) olock__expr_raw_update_keep(e, s, len, tails);
}
/* =============================================================================================
   >>expr (implementation, continued): the builder's second half, rendering and validating a
   request's expressions. One part in two files (src/expr_impl.h, src/expr_render_impl.h): it
   works on the builder's own structures.
   ========================================================================================== */

/* ---- rendering ----------------------------------------------------------------------------- */

static void olock__expr_put(olock_expr *e, const char *s, size_t n) {
    olock_buf *b = &e->out;
    char *o;
    size_t k;
    if (e->status != OLOCK_OK) return;
    if (b->len - e->expr_start + n > OLOCK_EXPR_MAX_BYTES) {
        OLOCK__EXPR_FAIL(e, OLOCK_ERR_LIMIT, "%s expression is longer than %u bytes (DynamoDB's limit)", e->what,
                         (unsigned)OLOCK_EXPR_MAX_BYTES);
        return;
    }
    /* olock__expr_begin reserved room for the longest expression: no capacity check here,
       and no NUL either (olock__expr_end writes it) */
    o = b->data + b->len;
    if (n <= 4) /* separators and placeholders: cheaper than a call to memcpy */
        for (k = 0; k < n; k++) o[k] = s[k];
    else memcpy(o, s, n);
    b->len += n;
}

static void olock__expr_puts(olock_expr *e, const char *s) {
    olock__expr_put(e, s, strlen(s));
}

static void olock__expr_count_op(olock_expr *e) {
    if (++e->ops_count > OLOCK_EXPR_MAX_OPERATORS && e->status == OLOCK_OK)
        OLOCK__EXPR_FAIL(e, OLOCK_ERR_LIMIT, "%s expression has more than %u operators and functions (DynamoDB's limit)",
                         e->what, (unsigned)OLOCK_EXPR_MAX_OPERATORS);
}

/* Writes "<lead><n>" into buf (NUL-terminated; lead is "#n" or ":v"); returns its length. */
static size_t olock__expr_placeholder(char *buf, const char *lead, unsigned n) {
    buf[0] = lead[0];
    buf[1] = lead[1];
    if (n < 10) { /* most requests need few: no division loop */
        buf[2] = (char)('0' + n);
        buf[3] = 0;
        return 3;
    }
    return 2 + olock__u64_text(n, buf + 2);
}

/* Appends a member `key` to a map the builder renders (its keys are distinct by
   construction: the caller's, checked when added, and generated ones that skip them) and
   returns it for the caller to fill in: one allocation holds the node and its key. */
static olock_value *olock__expr_member_new(olock_expr *e, olock_value *map, const char *key, size_t key_len) {
    olock_value *node = (olock_value *)olock__arena_take(&e->arena, sizeof *node + key_len + 1);
    char *k;
    size_t i;
    if (!node) {
        OLOCK__EXPR_FAIL(e, OLOCK_ERR_NOMEM, "%s expression: %s", e->what, olock_result_str(OLOCK_ERR_NOMEM));
        return NULL;
    }
    k = (char *)(node + 1);
    if (key_len <= 8) /* generated placeholders: cheaper than a call to memcpy */
        for (i = 0; i < key_len; i++) k[i] = key[i];
    else memcpy(k, key, key_len);
    k[key_len] = 0;
    node->key = k;
    node->key_len = key_len;
    node->next = NULL;
    if (map->last) map->last->next = node;
    else map->first = node;
    map->last = node;
    map->count++;
    return node;
}

/* Appends key = v. The member shares v's contents: v is the builder's copy (or, borrowed,
   the caller's), unchanged until reset. */
static int olock__expr_map_add(olock_expr *e, olock_value *map, const char *key, size_t key_len, const olock_value *v) {
    olock_value *node = olock__expr_member_new(e, map, key, key_len);
    const char *k;
    if (!node) return 0;
    k = node->key;
    *node = *v;
    node->key = k;
    node->key_len = key_len;
    node->next = NULL;
    return 1;
}

static uint32_t olock__expr_hash(const char *s, size_t n) {
    uint32_t h = 2166136261u;
    size_t k;
    for (k = 0; k < n; k++) {
        h ^= (unsigned char)s[k];
        h *= 16777619u;
    }
    return h;
}

/* Writes a placeholder straight into the expression (the caller checked the status). */
static void olock__expr_put_placeholder(olock_expr *e, const char *text, size_t n) {
    olock_buf *b = &e->out;
    size_t k;
    if (b->len - e->expr_start + n > OLOCK_EXPR_MAX_BYTES) {
        olock__expr_put(e, text, n); /* records the limit error */
        return;
    }
    for (k = 0; k < n; k++) b->data[b->len + k] = text[k];
    b->len += n;
}

/* The next generated placeholder (lead "#n" or ":v", numbered from *counter, skipping the
   caller's): a new member of `map`, its key written once in place and then into the
   expression. The caller fills in the member's value. NULL on error (recorded). */
static olock_value *olock__expr_r_generated(olock_expr *e, olock_value *map, const char *lead, unsigned *counter,
                                            olock__expr_raw_entry *raw, unsigned clashes, unsigned *id) {
    olock_value *node = (olock_value *)olock__arena_take(&e->arena, sizeof *node + 16); /* 2 + 10 digits + NUL */
    char *k;
    size_t n;
    if (!node) {
        OLOCK__EXPR_FAIL(e, OLOCK_ERR_NOMEM, "%s expression: %s", e->what, olock_result_str(OLOCK_ERR_NOMEM));
        return NULL;
    }
    k = (char *)(node + 1);
    for (;;) {
        *id = (*counter)++;
        n = olock__expr_placeholder(k, lead, *id);
        if (!clashes || !olock__expr_raw_find(raw, k, n)) break;
    }
    node->key = k;
    node->key_len = n;
    node->next = NULL;
    if (map->last) map->last->next = node;
    else map->first = node;
    map->last = node;
    map->count++;
    olock__expr_put_placeholder(e, k, n);
    return node;
}

static void olock__expr_r_name(olock_expr *e, const olock__expr_seg *seg) {
    char buf[32];
    size_t i, n, len = seg->len;
    const char *name = seg->name;
    olock__expr_slot *slot;
    olock_value *node;
    if (e->status != OLOCK_OK) return;
    i = (seg->hash ? seg->hash : olock__expr_hash(name, len)) & (e->slot_cap - 1);
    for (;;) {
        slot = &e->slots[i];
        if (slot->serial != e->serial) break;
        if (slot->len == len && (slot->name == name || memcmp(slot->name, name, len) == 0)) {
            n = olock__expr_placeholder(buf, "#n", slot->id);
            olock__expr_put_placeholder(e, buf, n);
            return;
        }
        i = (i + 1) & (e->slot_cap - 1);
    }
    slot->name = name;
    slot->len = len;
    slot->serial = e->serial;
    /* The member is the name's S value itself: segment names are NUL-terminated and live in
       the arena (or the path cache) until reset. */
    node = olock__expr_r_generated(e, e->names_out, "#n", &e->next_name, e->raw_names, e->raw_gen_names, &slot->id);
    if (!node) return;
    node->type = OLOCK_TYPE_S;
    node->count = 0;
    node->str = name;
    node->len = len;
    node->boolean = 0;
    node->first = node->last = NULL;
}

static void olock__expr_r_path(olock_expr *e, const olock__expr_path *p) {
    unsigned k;
    for (k = 0; k < p->count; k++) {
        const olock__expr_seg *s = &p->segs[k];
        if (s->is_index) {
            char buf[24];
            olock__expr_put(e, "[", 1);
            olock__expr_put(e, buf, olock__u64_text(s->index, buf));
            olock__expr_put(e, "]", 1);
        } else {
            if (k) olock__expr_put(e, ".", 1);
            olock__expr_r_name(e, s);
        }
    }
}

static void olock__expr_r_value(olock_expr *e, const olock_value *v) {
    olock_value *node;
    const char *key;
    size_t key_len;
    unsigned id;
    if (e->status != OLOCK_OK) return;
    node = olock__expr_r_generated(e, e->values_out, ":v", &e->next_value, e->raw_values, e->raw_gen_values, &id);
    if (!node) return;
    /* the member shares v's contents: v is the builder's copy (or, borrowed, the caller's) */
    key = node->key;
    key_len = node->key_len;
    *node = *v;
    node->key = key;
    node->key_len = key_len;
    node->next = NULL;
}

static void olock__expr_r_operand(olock_expr *e, const olock_operand *o) {
    if (e->status != OLOCK_OK) return;
    switch (o->kind) {
    case OLOCK__OPND_PATH: olock__expr_r_path(e, &o->path); break;
    case OLOCK__OPND_VALUE: olock__expr_r_value(e, o->value); break;
    case OLOCK__OPND_SIZE:
        olock__expr_count_op(e);
        olock__expr_puts(e, "size(");
        olock__expr_r_path(e, &o->path);
        olock__expr_puts(e, ")");
        break;
    case OLOCK__OPND_IF_NOT_EXISTS:
        olock__expr_count_op(e);
        olock__expr_puts(e, "if_not_exists(");
        olock__expr_r_path(e, &o->path);
        olock__expr_puts(e, ", ");
        olock__expr_r_operand(e, o->b);
        olock__expr_puts(e, ")");
        break;
    case OLOCK__OPND_LIST_APPEND:
        olock__expr_count_op(e);
        olock__expr_puts(e, "list_append(");
        olock__expr_r_operand(e, o->a);
        olock__expr_puts(e, ", ");
        olock__expr_r_operand(e, o->b);
        olock__expr_puts(e, ")");
        break;
    default: /* PLUS, MINUS */
        olock__expr_count_op(e);
        olock__expr_r_operand(e, o->a);
        olock__expr_puts(e, o->kind == OLOCK__OPND_PLUS ? " + " : " - ");
        olock__expr_r_operand(e, o->b);
        break;
    }
}

/* Marks the caller's placeholders in raw text as used; fails on an undefined one. */
static void olock__expr_scan_raw(olock_expr *e, const char *s, size_t len) {
    size_t i = 0;
    while (i < len && e->status == OLOCK_OK) {
        if (!(olock__expr_cc[(unsigned char)s[i]] & OLOCK__CC_PLACEHOLD)) {
            for (i++; i < len && !(olock__expr_cc[(unsigned char)s[i]] & OLOCK__CC_PLACEHOLD); i++) {}
            continue;
        }
        if (i + 1 < len && olock__expr_word_char((unsigned char)s[i + 1])) {
            size_t w = i + 1;
            olock__expr_raw_entry *ent;
            int is_name = s[i] == '#';
            while (w < len && olock__expr_word_char((unsigned char)s[w])) w++;
            ent = olock__expr_raw_find(is_name ? e->raw_names : e->raw_values, s + i, w - i);
            if (!ent) {
                OLOCK__EXPR_FAIL(e, OLOCK_ERR_EXPRESSION, "%s expression: raw text uses %.*s, which is not in the %s given to olock_expr_add_maps",
                                 e->what, olock__expr_clip(s + i, w - i, 80), s + i, is_name ? "names" : "values");
                return;
            }
            ent->used = e->serial;
            i = w;
        } else {
            i++;
        }
    }
}

static int olock__expr_paren(int parent, const olock_cond *child) {
    if (child->kind == OLOCK__COND_RAW) return 1;
    switch (parent) {
    case OLOCK__COND_NOT: return child->kind == OLOCK__COND_AND || child->kind == OLOCK__COND_OR || child->kind == OLOCK__COND_BETWEEN;
    case OLOCK__COND_AND: return child->kind == OLOCK__COND_OR || child->kind == OLOCK__COND_BETWEEN;
    case OLOCK__COND_OR: return child->kind == OLOCK__COND_BETWEEN;
    default: return 0;
    }
}

static void olock__expr_r_cond(olock_expr *e, const olock_cond *c);

static void olock__expr_r_child(olock_expr *e, int parent, const olock_cond *c) {
    int p = olock__expr_paren(parent, c);
    if (p) olock__expr_put(e, "(", 1);
    olock__expr_r_cond(e, c);
    if (p) olock__expr_put(e, ")", 1);
}

static void olock__expr_r_call(olock_expr *e, const char *fname, const olock_cond *c) {
    size_t k;
    olock__expr_puts(e, fname);
    olock__expr_put(e, "(", 1);
    for (k = 0; k < c->nops; k++) {
        if (k) olock__expr_put(e, ", ", 2);
        olock__expr_r_operand(e, c->ops[k]);
    }
    olock__expr_put(e, ")", 1);
}

static void olock__expr_r_cond(olock_expr *e, const olock_cond *c) {
    size_t k;
    if (e->status != OLOCK_OK) return;
    if (c->kind != OLOCK__COND_RAW) olock__expr_count_op(e);
    switch (c->kind) {
    case OLOCK__COND_CMP:
        olock__expr_r_operand(e, c->ops[0]);
        olock__expr_puts(e, olock__expr_cmp_spaced(c->cmp));
        olock__expr_r_operand(e, c->ops[1]);
        break;
    case OLOCK__COND_BETWEEN:
        olock__expr_r_operand(e, c->ops[0]);
        olock__expr_puts(e, " BETWEEN ");
        olock__expr_r_operand(e, c->ops[1]);
        olock__expr_puts(e, " AND ");
        olock__expr_r_operand(e, c->ops[2]);
        break;
    case OLOCK__COND_IN:
        olock__expr_r_operand(e, c->ops[0]);
        olock__expr_puts(e, " IN (");
        for (k = 1; k < c->nops; k++) {
            if (k > 1) olock__expr_put(e, ", ", 2);
            olock__expr_r_operand(e, c->ops[k]);
        }
        olock__expr_put(e, ")", 1);
        break;
    case OLOCK__COND_EXISTS: olock__expr_r_call(e, "attribute_exists", c); break;
    case OLOCK__COND_NOT_EXISTS: olock__expr_r_call(e, "attribute_not_exists", c); break;
    case OLOCK__COND_TYPE: olock__expr_r_call(e, "attribute_type", c); break;
    case OLOCK__COND_BEGINS_WITH: olock__expr_r_call(e, "begins_with", c); break;
    case OLOCK__COND_CONTAINS: olock__expr_r_call(e, "contains", c); break;
    case OLOCK__COND_AND:
    case OLOCK__COND_OR:
        olock__expr_r_child(e, c->kind, c->a);
        olock__expr_puts(e, c->kind == OLOCK__COND_AND ? " AND " : " OR ");
        olock__expr_r_child(e, c->kind, c->b);
        break;
    case OLOCK__COND_NOT:
        olock__expr_puts(e, "NOT ");
        olock__expr_r_child(e, c->kind, c->a);
        break;
    default: /* RAW */
        olock__expr_scan_raw(e, c->raw, c->raw_len);
        olock__expr_put(e, c->raw, c->raw_len);
        break;
    }
}

/* Starts an expression in the output buffer; returns its offset. */
static size_t olock__expr_begin(olock_expr *e, const char *what) {
    olock_result r;
    e->what = what;
    e->expr_start = e->out.len;
    e->ops_count = 0;
    /* Room for the longest expression and its NUL at once (kept across resets), so that the
       many small writes of rendering need no capacity check. */
    if (e->out.cap - e->out.len <= OLOCK_EXPR_MAX_BYTES + 1 || e->out.max) {
        r = olock_buf_reserve(&e->out, OLOCK_EXPR_MAX_BYTES + 1);
        if (r != OLOCK_OK) OLOCK__EXPR_FAIL(e, r, "%s expression: %s", what, olock_result_str(r));
    }
    return e->out.len;
}

static void olock__expr_end(olock_expr *e) {
    olock_result r;
    if (e->status != OLOCK_OK) return;
    r = olock_buf_append(&e->out, "", 1); /* the NUL ending this string */
    if (r != OLOCK_OK) OLOCK__EXPR_FAIL(e, r, "%s expression: %s", e->what, olock_result_str(r));
}

/* The target path of a raw update action: its leading path, #placeholders resolved. */
static int olock__expr_raw_target(olock_expr *e, olock__expr_action *a) {
    olock__expr_seg tmp[OLOCK_PATH_MAX_DEPTH];
    const char *s = a->raw;
    size_t len = a->raw_len, i = 0;
    unsigned n = 0;
    olock__expr_seg *segs;
    for (;;) {
        size_t w;
        if (n == OLOCK_PATH_MAX_DEPTH) {
            OLOCK__EXPR_FAIL(e, OLOCK_ERR_LIMIT, "update expression: raw action \"%.*s\" has a path of more than 32 levels",
                             olock__expr_clip(s, len, 80), s);
            return 0;
        }
        w = i + (i < len && s[i] == '#');
        while (w < len && olock__expr_word_char((unsigned char)s[w])) w++;
        if (w == i || (s[i] == '#' && w == i + 1)) break;
        if (s[i] == '#') {
            olock__expr_raw_entry *ent = olock__expr_raw_find(e->raw_names, s + i, w - i);
            if (!ent) {
                OLOCK__EXPR_FAIL(e, OLOCK_ERR_EXPRESSION, "update expression: raw text uses %.*s, which is not in the names given to olock_expr_add_maps",
                                 olock__expr_clip(s + i, w - i, 80), s + i);
                return 0;
            }
            tmp[n].name = ent->value->str;
            tmp[n].len = ent->value->len;
        } else {
            tmp[n].name = s + i;
            tmp[n].len = w - i;
        }
        tmp[n].is_index = 0;
        tmp[n].index = 0;
        tmp[n].hash = 0;
        n++;
        i = w;
        for (;;) {
            while (i < len && olock__expr_space(s[i])) i++;
            if (i < len && s[i] == '[') {
                uint32_t v = 0;
                size_t digits = 0;
                i++;
                while (i < len && olock__expr_space(s[i])) i++;
                for (; i < len && s[i] >= '0' && s[i] <= '9'; i++, digits++)
                    if (v <= OLOCK_PATH_MAX_INDEX / 10) v = v * 10 + (uint32_t)(s[i] - '0');
                while (i < len && olock__expr_space(s[i])) i++;
                if (!digits || i == len || s[i] != ']' || n == OLOCK_PATH_MAX_DEPTH) {
                    n = 0;
                    break;
                }
                i++;
                tmp[n].name = NULL;
                tmp[n].len = 0;
                tmp[n].is_index = 1;
                tmp[n].index = v;
                tmp[n].hash = 0;
                n++;
                continue;
            }
            break;
        }
        if (n == 0) break;
        if (i < len && s[i] == '.') {
            i++;
            while (i < len && olock__expr_space(s[i])) i++;
            continue;
        }
        break;
    }
    if (n == 0) {
        if (e->status == OLOCK_OK)
            OLOCK__EXPR_FAIL(e, OLOCK_ERR_EXPRESSION, "update expression: cannot read the target path of raw action \"%.*s\"",
                             olock__expr_clip(s, len, 80), s);
        return 0;
    }
    segs = (olock__expr_seg *)olock__expr_alloc(e, n * sizeof *segs);
    if (!segs) return 0;
    memcpy(segs, tmp, n * sizeof *segs);
    a->target.segs = segs;
    a->target.count = n;
    return 1;
}

static void olock__expr_overlap_fail(olock_expr *e, const char *what, const olock__expr_action *a, const olock__expr_action *b) {
    char b1[96], b2[96];
    OLOCK__EXPR_FAIL(e, OLOCK_ERR_EXPRESSION,
                     "%s expression: paths %s and %s overlap (DynamoDB rejects two actions on one path or on a path and its parent)",
                     what, olock__expr_path_text(&a->target, b1, sizeof b1), olock__expr_path_text(&b->target, b2, sizeof b2));
}

/* Every pair of actions, earlier one first, in the order of the lists. */
static void olock__expr_check_overlaps(olock_expr *e, const char *what, olock__expr_action *const *lists, int nlists) {
    const olock__expr_action *flat[16];
    size_t n = 0, i, j;
    int li, lj;
    olock__expr_action *a, *b;
    /* A request's few actions as one array: a plain double loop over it is cheaper than
       walking the lists for every action. */
    for (li = 0; li < nlists && n <= 16; li++)
        for (a = lists[li]; a && n <= 16; a = a->next)
            if (n < 16) flat[n++] = a;
            else n = 17;
    if (n <= 16) {
        for (i = 0; i < n; i++)
            for (j = i + 1; j < n; j++)
                if (olock__expr_paths_overlap(&flat[i]->target, &flat[j]->target)) {
                    olock__expr_overlap_fail(e, what, flat[i], flat[j]);
                    return;
                }
        return;
    }
    for (li = 0; li < nlists; li++)
        for (a = lists[li]; a; a = a->next)
            for (lj = li; lj < nlists; lj++)
                for (b = (lj == li ? a->next : lists[lj]); b; b = b->next)
                    if (olock__expr_paths_overlap(&a->target, &b->target)) {
                        olock__expr_overlap_fail(e, what, a, b);
                        return;
                    }
}

static void olock__expr_r_update(olock_expr *e) {
    static const char *const words[OLOCK__EXPR_CLAUSES] = { "SET ", "REMOVE ", "ADD ", "DELETE " };
    int k, first_clause = 1;
    for (k = 0; k < OLOCK__EXPR_CLAUSES; k++) {
        olock__expr_action *a;
        if (!e->clause_head[k]) continue;
        if (!first_clause) olock__expr_put(e, " ", 1);
        first_clause = 0;
        olock__expr_puts(e, words[k]);
        for (a = e->clause_head[k]; a; a = a->next) {
            if (a != e->clause_head[k]) olock__expr_put(e, ", ", 2);
            if (a->raw) {
                olock__expr_scan_raw(e, a->raw, a->raw_len);
                olock__expr_put(e, a->raw, a->raw_len);
                continue;
            }
            olock__expr_r_path(e, &a->target);
            if (k == OLOCK__EXPR_SET) olock__expr_put(e, " = ", 3);
            else if (a->value) olock__expr_put(e, " ", 1);
            if (a->value) olock__expr_r_operand(e, a->value);
        }
    }
}

/* An output map (in the builder: valid until the next render), holding the caller's entries. */
static olock_value *olock__expr_map_new(olock_expr *e, olock_value *m, olock__expr_raw_entry *raw) {
    memset(m, 0, sizeof *m);
    m->type = OLOCK_TYPE_M;
    for (; raw; raw = raw->next)
        if (!olock__expr_map_add(e, m, raw->key, raw->key_len, raw->value)) return NULL;
    return m;
}

static void olock__expr_check_unused(olock_expr *e, olock__expr_raw_entry *raw, const char *what) {
    for (; raw && e->status == OLOCK_OK; raw = raw->next)
        if (raw->used != e->serial)
            OLOCK__EXPR_FAIL(e, OLOCK_ERR_EXPRESSION, "olock_expr_render: %.*s from the %s map is not used by any raw expression (DynamoDB rejects unused entries)",
                             (int)raw->key_len, raw->key, what);
}

static olock_result olock__expr_report(olock_expr *e, olock_error *err) {
    if (err) {
        if (e->status != OLOCK_OK) *err = e->error;
        else olock__error_clear(err);
    }
    return e->status;
}

OLOCK_API olock_result olock_expr_render(olock_expr *e, olock_expr_output *out, olock_error *err) {
    size_t off[5] = { 0, 0, 0, 0, 0 }, cap, k;
    int used[5] = { 0, 0, 0, 0, 0 };
    olock__expr_action *a;
    olock_expr_output res;
    if (!e || !out) {
        if (err) {
            olock__error_clear(err);
            olock__error_set(err, OLOCK_ERR_INVALID_ARG, "olock_expr_render: NULL argument");
        }
        return OLOCK_ERR_INVALID_ARG;
    }
    if (e->status != OLOCK_OK) return olock__expr_report(e, err);

    /* Checks that need the whole request. */
    if (e->sk_cond && !e->pk_path)
        OLOCK__EXPR_FAIL(e, OLOCK_ERR_EXPRESSION, "olock_expr_render: a sort key condition needs a partition key condition");
    for (k = 0; k < OLOCK__EXPR_CLAUSES && e->status == OLOCK_OK; k++)
        for (a = e->clause_head[k]; a && e->status == OLOCK_OK; a = a->next)
            if (a->raw) olock__expr_raw_target(e, a);
    if (e->status == OLOCK_OK) olock__expr_check_overlaps(e, "update", e->clause_head, OLOCK__EXPR_CLAUSES);
    if (e->status == OLOCK_OK) olock__expr_check_overlaps(e, "projection", &e->proj_head, 1);
    if (e->status != OLOCK_OK) return olock__expr_report(e, err);

    /* Render state: a name table big enough for every name segment ever created. */
    if (++e->serial == 0) { /* wrapped: no slot may look filled by this render */
        memset(e->inline_slots, 0, sizeof e->inline_slots);
        e->serial = 1;
    }
    e->next_name = e->next_value = 0;
    for (cap = OLOCK__EXPR_INLINE_SLOTS; cap < 2 * e->name_refs + 2; cap *= 2) {}
    if (cap == OLOCK__EXPR_INLINE_SLOTS) {
        e->slots = e->inline_slots;
    } else {
        e->slots = (olock__expr_slot *)olock__expr_alloc(e, cap * sizeof *e->slots);
        if (!e->slots) return olock__expr_report(e, err);
        memset(e->slots, 0, cap * sizeof *e->slots); /* serial 0: empty */
    }
    e->slot_cap = cap;
    e->names_out = olock__expr_map_new(e, &e->names_map, e->raw_names);
    e->values_out = e->names_out ? olock__expr_map_new(e, &e->values_map, e->raw_values) : NULL;
    olock_buf_clear(&e->out);

    if (e->condition) {
        used[0] = 1;
        off[0] = olock__expr_begin(e, "condition");
        olock__expr_r_cond(e, e->condition);
        olock__expr_end(e);
    }
    if (e->clause_head[0] || e->clause_head[1] || e->clause_head[2] || e->clause_head[3]) {
        used[1] = 1;
        off[1] = olock__expr_begin(e, "update");
        olock__expr_r_update(e);
        olock__expr_end(e);
    }
    if (e->proj_head) {
        used[2] = 1;
        off[2] = olock__expr_begin(e, "projection");
        for (a = e->proj_head; a; a = a->next) {
            if (a != e->proj_head) olock__expr_put(e, ", ", 2);
            olock__expr_r_path(e, &a->target);
        }
        olock__expr_end(e);
    }
    if (e->pk_path) {
        used[3] = 1;
        off[3] = olock__expr_begin(e, "key condition");
        olock__expr_r_path(e, &e->pk_path->path);
        olock__expr_put(e, " = ", 3);
        olock__expr_r_operand(e, e->pk_value);
        if (e->sk_cond) {
            olock__expr_puts(e, " AND ");
            olock__expr_r_cond(e, e->sk_cond);
        }
        olock__expr_end(e);
    }
    if (e->filter) {
        used[4] = 1;
        off[4] = olock__expr_begin(e, "filter");
        olock__expr_r_cond(e, e->filter);
        olock__expr_end(e);
    }
    olock__expr_check_unused(e, e->raw_names, "names");
    olock__expr_check_unused(e, e->raw_values, "values");
    if (e->status != OLOCK_OK) return olock__expr_report(e, err);

    res.condition = used[0] ? e->out.data + off[0] : NULL;
    res.update = used[1] ? e->out.data + off[1] : NULL;
    res.projection = used[2] ? e->out.data + off[2] : NULL;
    res.key_condition = used[3] ? e->out.data + off[3] : NULL;
    res.filter = used[4] ? e->out.data + off[4] : NULL;
    res.names = e->names_out->count ? e->names_out : NULL;
    res.values = e->values_out->count ? e->values_out : NULL;
    *out = res;
    return olock__expr_report(e, err);
}

OLOCK_API olock_result olock_expr_render_item(olock_expr *e, olock_item_request *r, olock_error *err) {
    olock_expr_output o;
    olock_result rc;
    memset(&o, 0, sizeof o); /* written on success only: gcc -O2 cannot tell */
    if (e && r && olock__expr_ok(e) && (e->pk_path || e->sk_cond || e->filter))
        OLOCK__EXPR_FAIL(e, OLOCK_ERR_INVALID_ARG, "olock_expr_render_item: a key condition or filter belongs to a query, not an item request");
    if (e && !r) OLOCK__EXPR_FAIL(e, OLOCK_ERR_INVALID_ARG, "olock_expr_render_item: NULL request");
    rc = olock_expr_render(e, &o, err);
    if (rc != OLOCK_OK) return rc;
    r->condition = o.condition;
    r->update = o.update;
    r->projection = o.projection;
    r->names = o.names;
    r->values = o.values;
    return OLOCK_OK;
}

OLOCK_API olock_result olock_expr_render_query(olock_expr *e, olock_query_request *r, olock_error *err) {
    olock_expr_output o;
    olock_result rc;
    int k;
    memset(&o, 0, sizeof o); /* written on success only: gcc -O2 cannot tell */
    if (e && r && olock__expr_ok(e)) {
        int has_update = 0;
        for (k = 0; k < OLOCK__EXPR_CLAUSES; k++)
            if (e->clause_head[k]) has_update = 1;
        if (e->condition || has_update)
            OLOCK__EXPR_FAIL(e, OLOCK_ERR_INVALID_ARG, "olock_expr_render_query: a condition or update belongs to an item request, not a query");
    }
    if (e && !r) OLOCK__EXPR_FAIL(e, OLOCK_ERR_INVALID_ARG, "olock_expr_render_query: NULL request");
    rc = olock_expr_render(e, &o, err);
    if (rc != OLOCK_OK) return rc;
    r->key_condition = o.key_condition;
    r->filter = o.filter;
    r->projection = o.projection;
    r->names = o.names;
    r->values = o.values;
    return OLOCK_OK;
}

#undef OLOCK__EXPR_FAIL
/* =============================================================================================
   >>sigv4 (implementation)
   ========================================================================================== */

/* ---- SHA-256 and HMAC-SHA256 ------------------------------------------------------------- */


#ifndef OLOCK_USE_MBEDTLS

static const uint32_t olock__sha256_k[64] = {
    0x428a2f98u, 0x71374491u, 0xb5c0fbcfu, 0xe9b5dba5u, 0x3956c25bu, 0x59f111f1u, 0x923f82a4u, 0xab1c5ed5u,
    0xd807aa98u, 0x12835b01u, 0x243185beu, 0x550c7dc3u, 0x72be5d74u, 0x80deb1feu, 0x9bdc06a7u, 0xc19bf174u,
    0xe49b69c1u, 0xefbe4786u, 0x0fc19dc6u, 0x240ca1ccu, 0x2de92c6fu, 0x4a7484aau, 0x5cb0a9dcu, 0x76f988dau,
    0x983e5152u, 0xa831c66du, 0xb00327c8u, 0xbf597fc7u, 0xc6e00bf3u, 0xd5a79147u, 0x06ca6351u, 0x14292967u,
    0x27b70a85u, 0x2e1b2138u, 0x4d2c6dfcu, 0x53380d13u, 0x650a7354u, 0x766a0abbu, 0x81c2c92eu, 0x92722c85u,
    0xa2bfe8a1u, 0xa81a664bu, 0xc24b8b70u, 0xc76c51a3u, 0xd192e819u, 0xd6990624u, 0xf40e3585u, 0x106aa070u,
    0x19a4c116u, 0x1e376c08u, 0x2748774cu, 0x34b0bcb5u, 0x391c0cb3u, 0x4ed8aa4au, 0x5b9cca4fu, 0x682e6ff3u,
    0x748f82eeu, 0x78a5636fu, 0x84c87814u, 0x8cc70208u, 0x90befffau, 0xa4506cebu, 0xbef9a3f7u, 0xc67178f2u
};

#define OLOCK__ROR32(x, n) (((x) >> (n)) | ((x) << (32 - (n))))
#define OLOCK__SHA_S0(x) (OLOCK__ROR32(x, 2) ^ OLOCK__ROR32(x, 13) ^ OLOCK__ROR32(x, 22))
#define OLOCK__SHA_S1(x) (OLOCK__ROR32(x, 6) ^ OLOCK__ROR32(x, 11) ^ OLOCK__ROR32(x, 25))
#define OLOCK__SHA_G0(x) (OLOCK__ROR32(x, 7) ^ OLOCK__ROR32(x, 18) ^ ((x) >> 3))
#define OLOCK__SHA_G1(x) (OLOCK__ROR32(x, 17) ^ OLOCK__ROR32(x, 19) ^ ((x) >> 10))
#define OLOCK__SHA_CH(x, y, z) (((x) & ((y) ^ (z))) ^ (z))
#define OLOCK__SHA_MAJ(x, y, z) (((x) & (y)) | ((z) & ((x) | (y))))
/* Message word i >= 16, computed in a 16-word ring. */
#define OLOCK__SHA_W(i) (w[(i)&15] += OLOCK__SHA_G1(w[((i)-2) & 15]) + w[((i)-7) & 15] + \
                             OLOCK__SHA_G0(w[((i)-15) & 15]))
/* One round; the callers rotate the variable names instead of moving values. */
#define OLOCK__SHA_ROUND(a, b, c, d, e, f, g, h, i, wi) \
    do { \
        uint32_t t1_ = h + OLOCK__SHA_S1(e) + OLOCK__SHA_CH(e, f, g) + olock__sha256_k[i] + (wi); \
        d += t1_; \
        h = t1_ + OLOCK__SHA_S0(a) + OLOCK__SHA_MAJ(a, b, c); \
    } while (0)
#define OLOCK__SHA_ROUNDS8(i, W) \
    do { \
        OLOCK__SHA_ROUND(a, b, c, d, e, f, g, h, (i) + 0, W((i) + 0)); \
        OLOCK__SHA_ROUND(h, a, b, c, d, e, f, g, (i) + 1, W((i) + 1)); \
        OLOCK__SHA_ROUND(g, h, a, b, c, d, e, f, (i) + 2, W((i) + 2)); \
        OLOCK__SHA_ROUND(f, g, h, a, b, c, d, e, (i) + 3, W((i) + 3)); \
        OLOCK__SHA_ROUND(e, f, g, h, a, b, c, d, (i) + 4, W((i) + 4)); \
        OLOCK__SHA_ROUND(d, e, f, g, h, a, b, c, (i) + 5, W((i) + 5)); \
        OLOCK__SHA_ROUND(c, d, e, f, g, h, a, b, (i) + 6, W((i) + 6)); \
        OLOCK__SHA_ROUND(b, c, d, e, f, g, h, a, (i) + 7, W((i) + 7)); \
    } while (0)
#define OLOCK__SHA_WLOAD(i) (w[i])

static void olock__sha256_blocks_c(uint32_t st[8], const unsigned char *p, size_t nblocks) {
    uint32_t w[16];
    while (nblocks--) {
        uint32_t a = st[0], b = st[1], c = st[2], d = st[3], e = st[4], f = st[5], g = st[6], h = st[7];
        int i;
        for (i = 0; i < 16; i++)
            w[i] = ((uint32_t)p[4 * i] << 24) | ((uint32_t)p[4 * i + 1] << 16) |
                ((uint32_t)p[4 * i + 2] << 8) | (uint32_t)p[4 * i + 3];
        OLOCK__SHA_ROUNDS8(0, OLOCK__SHA_WLOAD);
        OLOCK__SHA_ROUNDS8(8, OLOCK__SHA_WLOAD);
        for (i = 16; i < 64; i += 8) OLOCK__SHA_ROUNDS8(i, OLOCK__SHA_W);
        st[0] += a;
        st[1] += b;
        st[2] += c;
        st[3] += d;
        st[4] += e;
        st[5] += f;
        st[6] += g;
        st[7] += h;
        p += 64;
    }
    /* The message schedule runs backwards to the block: for HMAC that is the key. */
    olock__wipe(w, sizeof w);
}

#ifdef OLOCK__SHA_NI
/* SHA256RNDS2 works on the state as two registers, ABEF and CDGH (A in the top lane), does two
   rounds per instruction and returns the new ABEF; the old ABEF is then the new CDGH, so the
   two variables swap roles on every call. SHA256MSG1/MSG2 compute the message schedule four
   words at a time. */
__attribute__((target("sha,ssse3,sse4.1"))) static void olock__sha256_blocks_ni(uint32_t st[8], const unsigned char *p, size_t nblocks) {
    const __m128i bswap = _mm_set_epi64x(0x0c0d0e0f08090a0bLL, 0x0405060700010203LL);
    __m128i lo = _mm_shuffle_epi32(_mm_loadu_si128((const __m128i *)(const void *)st), 0xB1);       /* B A D C */
    __m128i hi = _mm_shuffle_epi32(_mm_loadu_si128((const __m128i *)(const void *)(st + 4)), 0x1B); /* H G F E */
    __m128i abef = _mm_alignr_epi8(lo, hi, 8);                                                      /* lanes F E B A */
    __m128i cdgh = _mm_blend_epi16(hi, lo, 0xF0);                                                   /* lanes H G D C */
    while (nblocks--) {
        __m128i abef0 = abef, cdgh0 = cdgh, m0, m1, m2, m3, wk;
#define OLOCK__NI_ROUNDS4(m, g) \
    do { \
        wk = _mm_add_epi32((m), _mm_loadu_si128((const __m128i *)(const void *)(olock__sha256_k + 4 * (g)))); \
        cdgh = _mm_sha256rnds2_epu32(cdgh, abef, wk); \
        abef = _mm_sha256rnds2_epu32(abef, cdgh, _mm_shuffle_epi32(wk, 0x0E)); \
    } while (0)
/* m_new = W[i..i+3] from m_old (i-16), m_1 (i-12), m_2 (i-8), m_3 (i-4); written over m_old. */
#define OLOCK__NI_SCHED(m_old, m_1, m_2, m_3) \
    (m_old = _mm_sha256msg2_epu32(_mm_add_epi32(_mm_sha256msg1_epu32(m_old, m_1), \
                                                _mm_alignr_epi8(m_3, m_2, 4)), \
                                  m_3))
        m0 = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(const void *)p), bswap);
        m1 = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(const void *)(p + 16)), bswap);
        m2 = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(const void *)(p + 32)), bswap);
        m3 = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(const void *)(p + 48)), bswap);
        OLOCK__NI_ROUNDS4(m0, 0);
        OLOCK__NI_ROUNDS4(m1, 1);
        OLOCK__NI_ROUNDS4(m2, 2);
        OLOCK__NI_ROUNDS4(m3, 3);
        OLOCK__NI_SCHED(m0, m1, m2, m3);
        OLOCK__NI_ROUNDS4(m0, 4);
        OLOCK__NI_SCHED(m1, m2, m3, m0);
        OLOCK__NI_ROUNDS4(m1, 5);
        OLOCK__NI_SCHED(m2, m3, m0, m1);
        OLOCK__NI_ROUNDS4(m2, 6);
        OLOCK__NI_SCHED(m3, m0, m1, m2);
        OLOCK__NI_ROUNDS4(m3, 7);
        OLOCK__NI_SCHED(m0, m1, m2, m3);
        OLOCK__NI_ROUNDS4(m0, 8);
        OLOCK__NI_SCHED(m1, m2, m3, m0);
        OLOCK__NI_ROUNDS4(m1, 9);
        OLOCK__NI_SCHED(m2, m3, m0, m1);
        OLOCK__NI_ROUNDS4(m2, 10);
        OLOCK__NI_SCHED(m3, m0, m1, m2);
        OLOCK__NI_ROUNDS4(m3, 11);
        OLOCK__NI_SCHED(m0, m1, m2, m3);
        OLOCK__NI_ROUNDS4(m0, 12);
        OLOCK__NI_SCHED(m1, m2, m3, m0);
        OLOCK__NI_ROUNDS4(m1, 13);
        OLOCK__NI_SCHED(m2, m3, m0, m1);
        OLOCK__NI_ROUNDS4(m2, 14);
        OLOCK__NI_SCHED(m3, m0, m1, m2);
        OLOCK__NI_ROUNDS4(m3, 15);
#undef OLOCK__NI_ROUNDS4
#undef OLOCK__NI_SCHED
        abef = _mm_add_epi32(abef, abef0);
        cdgh = _mm_add_epi32(cdgh, cdgh0);
        p += 64;
    }
    lo = _mm_shuffle_epi32(abef, 0x1B);                                        /* A B E F */
    hi = _mm_shuffle_epi32(cdgh, 0xB1);                                        /* G H C D */
    _mm_storeu_si128((__m128i *)(void *)st, _mm_blend_epi16(lo, hi, 0xF0));    /* A B C D */
    _mm_storeu_si128((__m128i *)(void *)(st + 4), _mm_alignr_epi8(hi, lo, 8)); /* E F G H */
}

/* 1 when the CPU has the SHA extensions (and SSSE3 / SSE4.1). */
static int olock__sha256_have_ni(void) {
    return (olock__cpu_features() & OLOCK__CPU_SHA) != 0;
}
#endif

static void olock__sha256_blocks(uint32_t st[8], const unsigned char *p, size_t nblocks) {
#ifdef OLOCK__SHA_NI
    if (olock__sha256_have_ni()) {
        olock__sha256_blocks_ni(st, p, nblocks);
        return;
    }
#endif
    olock__sha256_blocks_c(st, p, nblocks);
}

OLOCK_API void olock_sha256_init(olock_sha256 *ctx) {
    static const uint32_t iv[8] = { 0x6a09e667u, 0xbb67ae85u, 0x3c6ef372u, 0xa54ff53au,
                                    0x510e527fu, 0x9b05688cu, 0x1f83d9abu, 0x5be0cd19u };
    memcpy(ctx->state, iv, sizeof iv);
    ctx->count = 0;
}

OLOCK_API void olock_sha256_update(olock_sha256 *ctx, const void *data, size_t len) {
    const unsigned char *p = (const unsigned char *)data;
    size_t fill = (size_t)(ctx->count & 63u);
    if (len == 0) return;
    ctx->count += len;
    if (fill) {
        size_t take = 64 - fill;
        if (take > len) take = len;
        memcpy(ctx->block + fill, p, take);
        p += take;
        len -= take;
        if (fill + take < 64) return;
        olock__sha256_blocks(ctx->state, ctx->block, 1);
    }
    if (len >= 64) {
        size_t n = len / 64;
        olock__sha256_blocks(ctx->state, p, n);
        p += n * 64;
        len -= n * 64;
    }
    if (len) memcpy(ctx->block, p, len);
}

/* Big-endian store, written so that compilers make it one byte-swapping store. */
static void olock__sha256_be32(unsigned char *p, uint32_t v) {
    p[0] = (unsigned char)(v >> 24);
    p[1] = (unsigned char)(v >> 16);
    p[2] = (unsigned char)(v >> 8);
    p[3] = (unsigned char)v;
}

OLOCK_API void olock_sha256_final(olock_sha256 *ctx, unsigned char out[OLOCK_SHA256_SIZE]) {
    size_t fill = (size_t)(ctx->count & 63u);
    uint64_t bits = ctx->count << 3;
    ctx->block[fill++] = 0x80;
    if (fill > 56) {
        memset(ctx->block + fill, 0, 64 - fill);
        olock__sha256_blocks(ctx->state, ctx->block, 1);
        fill = 0;
    }
    memset(ctx->block + fill, 0, 56 - fill);
    olock__sha256_be32(ctx->block + 56, (uint32_t)(bits >> 32));
    olock__sha256_be32(ctx->block + 60, (uint32_t)bits);
    olock__sha256_blocks(ctx->state, ctx->block, 1);
    olock__sha256_be32(out, ctx->state[0]);
    olock__sha256_be32(out + 4, ctx->state[1]);
    olock__sha256_be32(out + 8, ctx->state[2]);
    olock__sha256_be32(out + 12, ctx->state[3]);
    olock__sha256_be32(out + 16, ctx->state[4]);
    olock__sha256_be32(out + 20, ctx->state[5]);
    olock__sha256_be32(out + 24, ctx->state[6]);
    olock__sha256_be32(out + 28, ctx->state[7]);
    /* It may have hashed a key (HMAC, or a long key hashed first): wipe it, as mbedTLS's
       free does on the other branch. */
    olock__wipe(ctx, sizeof *ctx);
}

OLOCK_API void olock_sha256_digest(const void *data, size_t len, unsigned char out[OLOCK_SHA256_SIZE]) {
    olock_sha256 ctx;
    olock_sha256_init(&ctx);
    olock_sha256_update(&ctx, data, len);
    olock_sha256_final(&ctx, out);
}

static void olock__sha256_clone(olock_sha256 *dst, const olock_sha256 *src) {
    *dst = *src;
}

#else /* OLOCK_USE_MBEDTLS */

/* mbedTLS reports errors only for hardware back ends; a software SHA-256 cannot fail. */
OLOCK_API void olock_sha256_init(olock_sha256 *ctx) {
    mbedtls_sha256_init(&ctx->md);
    (void)OLOCK__MBED_SHA256_STARTS(&ctx->md);
}

OLOCK_API void olock_sha256_update(olock_sha256 *ctx, const void *data, size_t len) {
    if (len == 0) return;
    (void)OLOCK__MBED_SHA256_UPDATE(&ctx->md, (const unsigned char *)data, len);
}

OLOCK_API void olock_sha256_final(olock_sha256 *ctx, unsigned char out[OLOCK_SHA256_SIZE]) {
    (void)OLOCK__MBED_SHA256_FINISH(&ctx->md, out);
    mbedtls_sha256_free(&ctx->md);
}

OLOCK_API void olock_sha256_digest(const void *data, size_t len, unsigned char out[OLOCK_SHA256_SIZE]) {
    const mbedtls_md_info_t *info = mbedtls_md_info_from_type(MBEDTLS_MD_SHA256);
    olock_sha256 ctx;
    if (info && mbedtls_md(info, (const unsigned char *)data, len, out) == 0) return;
    olock_sha256_init(&ctx);
    olock_sha256_update(&ctx, data, len);
    olock_sha256_final(&ctx, out);
}

static void olock__sha256_clone(olock_sha256 *dst, const olock_sha256 *src) {
    mbedtls_sha256_init(&dst->md);
    mbedtls_sha256_clone(&dst->md, &src->md);
}

#endif /* OLOCK_USE_MBEDTLS */

OLOCK_API void olock_hmac_sha256_init(olock_hmac_sha256 *ctx, const void *key, size_t key_len) {
    unsigned char k[64], pad[64];
    size_t i;
    memset(k, 0, sizeof k);
    if (key_len > 64) olock_sha256_digest(key, key_len, k);
    else if (key_len) memcpy(k, key, key_len);
    for (i = 0; i < 64; i++) pad[i] = (unsigned char)(k[i] ^ 0x36u);
    olock_sha256_init(&ctx->inner);
    olock_sha256_update(&ctx->inner, pad, 64);
    for (i = 0; i < 64; i++) pad[i] = (unsigned char)(k[i] ^ 0x5cu);
    olock_sha256_init(&ctx->outer);
    olock_sha256_update(&ctx->outer, pad, 64);
    olock__wipe(k, sizeof k);
    olock__wipe(pad, sizeof pad);
}

OLOCK_API void olock_hmac_sha256_update(olock_hmac_sha256 *ctx, const void *data, size_t len) {
    olock_sha256_update(&ctx->inner, data, len);
}

OLOCK_API void olock_hmac_sha256_final(olock_hmac_sha256 *ctx, unsigned char out[OLOCK_SHA256_SIZE]) {
    unsigned char ih[OLOCK_SHA256_SIZE];
    olock_sha256_final(&ctx->inner, ih);
    olock_sha256_update(&ctx->outer, ih, sizeof ih);
    olock_sha256_final(&ctx->outer, out);
    olock__wipe(ih, sizeof ih);
    olock__wipe(ctx, sizeof *ctx);
}

/* HMAC on the streaming primitives: never allocates, also with mbedTLS (whose one-shot
   mbedtls_md_hmac allocates through its own calloc, outside our allocator). */
static void olock__hmac_sha256_stream(const void *key, size_t key_len, const void *data, size_t len,
                                      unsigned char out[OLOCK_SHA256_SIZE]) {
    olock_hmac_sha256 ctx;
    olock_hmac_sha256_init(&ctx, key, key_len);
    olock_hmac_sha256_update(&ctx, data, len);
    olock_hmac_sha256_final(&ctx, out);
}

OLOCK_API void olock_hmac_sha256_digest(const void *key, size_t key_len, const void *data, size_t len,
                                        unsigned char out[OLOCK_SHA256_SIZE]) {
#ifdef OLOCK_USE_MBEDTLS
    const mbedtls_md_info_t *info = mbedtls_md_info_from_type(MBEDTLS_MD_SHA256);
    static const unsigned char none = 0;
    /* mbedTLS wants non-NULL pointers even for empty inputs. */
    if (info && mbedtls_md_hmac(info, key_len ? (const unsigned char *)key : &none, key_len, len ? (const unsigned char *)data : &none, len, out) == 0)
        return;
#endif
    olock__hmac_sha256_stream(key, key_len, data, len, out);
}

/* Four bytes to their eight hex digits, as one word (the first digit in the top byte): each
   nibble is spread into a byte of its own, then 0-9 become '0'-'9' and 10-15 'a'-'f' in all
   eight bytes at once (a nibble of 10 or more carries into bit 4 when 6 is added). */
static uint64_t olock__hex_word(uint32_t x) {
    const uint64_t ones = 0x0101010101010101u;
    uint64_t v = x;
    v = (v | v << 16) & 0x0000FFFF0000FFFFu;
    v = (v | v << 8) & 0x00FF00FF00FF00FFu;
    v = (v | v << 4) & 0x0F0F0F0F0F0F0F0Fu;
    return v + ones * '0' + (((v + ones * 6) >> 4) & ones) * ('a' - '0' - 10);
}

/* olock_hex_encode without SIMD: four bytes at a time, then one by one. */
static void olock__hex_portable(const unsigned char *p, size_t len, char *out) {
    static const char digits[] = "0123456789abcdef";
    size_t i = 0;
    for (; i + 4 <= len; i += 4, out += 8) {
        uint64_t v = olock__hex_word((uint32_t)p[i] << 24 | (uint32_t)p[i + 1] << 16 | (uint32_t)p[i + 2] << 8 | p[i + 3]);
        out[0] = (char)(v >> 56); /* compilers make these one store */
        out[1] = (char)(v >> 48);
        out[2] = (char)(v >> 40);
        out[3] = (char)(v >> 32);
        out[4] = (char)(v >> 24);
        out[5] = (char)(v >> 16);
        out[6] = (char)(v >> 8);
        out[7] = (char)v;
    }
    for (; i < len; i++, out += 2) {
        out[0] = digits[p[i] >> 4];
        out[1] = digits[p[i] & 15];
    }
    *out = '\0';
}

OLOCK_API void olock_hex_encode(const void *data, size_t len, char *out) {
    const unsigned char *p = (const unsigned char *)data;
#ifdef OLOCK__SSE2
    /* Sixteen bytes at a time: high and low nibbles interleaved, then '0' added to each and
       'a' - '0' - 10 more to those above 9. */
    const __m128i nibble = _mm_set1_epi8(0x0f), nine = _mm_set1_epi8(9), zero = _mm_set1_epi8('0');
    const __m128i gap = _mm_set1_epi8('a' - '0' - 10);
    for (; len >= 16; p += 16, len -= 16, out += 32) {
        __m128i v = _mm_loadu_si128((const __m128i *)(const void *)p);
        __m128i hi = _mm_and_si128(_mm_srli_epi16(v, 4), nibble), lo = _mm_and_si128(v, nibble);
        __m128i a = _mm_unpacklo_epi8(hi, lo), b = _mm_unpackhi_epi8(hi, lo);
        a = _mm_add_epi8(_mm_add_epi8(a, zero), _mm_and_si128(_mm_cmpgt_epi8(a, nine), gap));
        b = _mm_add_epi8(_mm_add_epi8(b, zero), _mm_and_si128(_mm_cmpgt_epi8(b, nine), gap));
        _mm_storeu_si128((__m128i *)(void *)out, a);
        _mm_storeu_si128((__m128i *)(void *)(out + 16), b);
    }
#endif
    olock__hex_portable(p, len, out);
}

/* ---- SigV4 signing ------------------------------------------------------------------------ */

#define OLOCK__SIGV4_ALGORITHM "AWS4-HMAC-SHA256"
#define OLOCK__SIGV4_MAX_TIME 253402300799 /* 9999-12-31T23:59:59Z: the date has four year digits */

/* a += b; 0 on overflow. */
static int olock__sigv4_size_add(size_t *a, size_t b) {
    if (b > (size_t)-1 - *a) return 0;
    *a += b;
    return 1;
}

/* a * b (b small); 0 on overflow. */
static int olock__sigv4_size_mul(size_t a, size_t b, size_t *out) {
    if (b != 0 && a > (size_t)-1 / b) return 0;
    *out = a * b;
    return 1;
}

/* RFC 9110 token characters: what a header name or a method may contain. */
static int olock__sigv4_tchar(unsigned char c) {
    if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) return 1;
    switch (c) {
    case '!':
    case '#':
    case '$':
    case '%':
    case '&':
    case '\'':
    case '*':
    case '+':
    case '-':
    case '.':
    case '^':
    case '_':
    case '`':
    case '|':
    case '~':
        return 1;
    default:
        return 0;
    }
}

static int olock__sigv4_is_token(const char *s, size_t *len) {
    size_t n = 0;
    if (!s || !*s) return 0;
    while (s[n]) {
        if (!olock__sigv4_tchar((unsigned char)s[n])) return 0;
        n++;
    }
    *len = n;
    return 1;
}

static char *olock__sigv4_put_pct(char *p, unsigned char c) {
    static const char hex[] = "0123456789ABCDEF";
    p[0] = '%';
    p[1] = hex[c >> 4];
    p[2] = hex[c & 15u];
    return p + 3;
}

/* Percent-encodes every byte but the unreserved ones (and '/' when keep_slash): at most 3n bytes. */
static char *olock__sigv4_encode(char *p, const char *s, size_t n, int keep_slash) {
    size_t i;
    for (i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (olock__url_unreserved(c) || (keep_slash && c == '/')) *p++ = (char)c;
        else p = olock__sigv4_put_pct(p, c);
    }
    return p;
}

/* Canonical URI: at most 3 * len + 2 bytes. The path is what goes on the wire (already
   encoded once); encoding it again is SigV4's double encoding for non-S3 services.
   Normalising drops empty, "." and ".." segments (".." above the root is dropped too)
   and keeps a trailing '/' only when the path has one. */
static char *olock__sigv4_put_path(char *p, const char *path, size_t len, int normalize) {
    char *root = p;
    size_t i = 0;
    if (!normalize) return olock__sigv4_encode(p, path, len, 1);
    *p++ = '/';
    while (i < len) {
        size_t j = i;
        while (j < len && path[j] != '/') j++;
        if (j - i == 2 && path[i] == '.' && path[i + 1] == '.') {
            while (p > root + 1 && p[-1] != '/') p--;
            if (p > root + 1) p--; /* the separator before the dropped segment */
        } else if (!(j == i || (j - i == 1 && path[i] == '.'))) {
            if (p > root + 1) *p++ = '/';
            p = olock__sigv4_encode(p, path + i, j - i, 0);
        }
        i = j + 1;
    }
    if (len > 0 && path[len - 1] == '/' && p > root + 1) *p++ = '/';
    return p;
}

/* Decodes valid %XX sequences (a stray '%' stays literal) and encodes the result: <= 3n bytes. */
static char *olock__sigv4_requery(char *p, const char *s, size_t n) {
    size_t i;
    for (i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '%' && i + 2 < n) {
            int hi = olock__hex_value((unsigned char)s[i + 1]);
            int lo = olock__hex_value((unsigned char)s[i + 2]);
            if (hi >= 0 && lo >= 0) {
                c = (unsigned char)(hi * 16 + lo);
                i += 2;
            }
        }
        if (olock__url_unreserved(c)) *p++ = (char)c;
        else p = olock__sigv4_put_pct(p, c);
    }
    return p;
}

typedef struct olock__sigv4_param {
    size_t name_off, name_len, value_off, value_len;
} olock__sigv4_param;

static int olock__sigv4_param_less(const olock_buf *b, const olock__sigv4_param *x, const olock__sigv4_param *y) {
    size_t n = x->name_len < y->name_len ? x->name_len : y->name_len;
    int c = memcmp(b->data + x->name_off, b->data + y->name_off, n);
    if (c != 0) return c < 0;
    if (x->name_len != y->name_len) return x->name_len < y->name_len;
    n = x->value_len < y->value_len ? x->value_len : y->value_len;
    c = memcmp(b->data + x->value_off, b->data + y->value_off, n);
    if (c != 0) return c < 0;
    return x->value_len < y->value_len;
}

/* Encodes the query parameters into s->query and sorts them; *total is the canonical length. */
static olock_result olock__sigv4_query(olock_sigv4_signer *s, const char *q, olock__sigv4_param *params,
                                       size_t *count, size_t *total, olock_error *err) {
    size_t n = 0, len, need, i, sum = 0;
    olock_result r;
    char *p;
    *count = 0;
    *total = 0;
    olock_buf_clear(&s->query);
    if (!q || !*q) return OLOCK_OK;
    len = strlen(q);
    if (!olock__sigv4_size_mul(len, 3, &need) || !olock__sigv4_size_add(&need, 1)) {
        olock__error_set(err, OLOCK_ERR_LIMIT, "query string too long");
        return OLOCK_ERR_LIMIT;
    }
    r = olock_buf_reserve(&s->query, need);
    if (r != OLOCK_OK) {
        olock__error_set(err, r, "cannot allocate the canonical query");
        return r;
    }
    p = s->query.data;
    i = 0;
    while (i < len) {
        size_t j = i, eq;
        while (j < len && q[j] != '&') j++;
        if (j > i) {
            if (n == OLOCK_SIGV4_MAX_QUERY_PARAMS) {
                olock__error_set(err, OLOCK_ERR_LIMIT, "more than %d query parameters", OLOCK_SIGV4_MAX_QUERY_PARAMS);
                return OLOCK_ERR_LIMIT;
            }
            eq = i;
            while (eq < j && q[eq] != '=') eq++;
            params[n].name_off = (size_t)(p - s->query.data);
            p = olock__sigv4_requery(p, q + i, eq - i);
            params[n].name_len = (size_t)(p - s->query.data) - params[n].name_off;
            params[n].value_off = (size_t)(p - s->query.data);
            if (eq < j) p = olock__sigv4_requery(p, q + eq + 1, j - eq - 1);
            params[n].value_len = (size_t)(p - s->query.data) - params[n].value_off;
            sum += params[n].name_len + 1 + params[n].value_len + (n ? 1 : 0); /* <= 4 * len */
            n++;
        }
        i = j + 1;
    }
    *p = '\0';
    s->query.len = (size_t)(p - s->query.data);
    for (i = 1; i < n; i++) { /* insertion sort: few parameters, and stable */
        olock__sigv4_param t = params[i];
        size_t k = i;
        while (k > 0 && olock__sigv4_param_less(&s->query, &t, &params[k - 1])) {
            params[k] = params[k - 1];
            k--;
        }
        params[k] = t;
    }
    *count = n;
    *total = sum;
    return OLOCK_OK;
}

/* The ASCII capitals of 8 bytes, each below 0x80 (token characters), to lower case at once:
   c + 0x3f reaches 0x80 from 'A' on, c + 0x25 from 'Z' + 1 on, and neither sum carries into
   the next byte. */
static uint64_t olock__sigv4_lower8(uint64_t x) {
    uint64_t upper = (x + 0x3f3f3f3f3f3f3f3fu) & ~(x + 0x2525252525252525u) & 0x8080808080808080u;
    return x | upper >> 2;
}

/* Writes the token s[0 .. n) in lower case, 8 bytes at a time. */
static char *olock__sigv4_put_lower(char *p, const char *s, size_t n) {
    uint64_t w;
    for (; n >= 8; n -= 8, s += 8, p += 8) {
        memcpy(&w, s, 8);
        w = olock__sigv4_lower8(w);
        memcpy(p, &w, 8);
    }
    for (; n; n--) *p++ = (char)olock__ascii_lower((unsigned char)*s++);
    return p;
}

typedef struct olock__sigv4_hdr {
    const char *name;
    size_t name_len;
    const char *value;
    size_t value_len;
    uint64_t key; /* the name's first 8 bytes in lower case, big-endian, zero-padded: sorts as they do */
    size_t given; /* its index as given (the signer's own after the caller's) */
} olock__sigv4_hdr;

static void olock__sigv4_set_key(olock__sigv4_hdr *h) {
    unsigned char b[8] = { 0 };
    olock__sigv4_put_lower((char *)b, h->name, h->name_len < 8 ? h->name_len : 8);
    h->key = (uint64_t)b[0] << 56 | (uint64_t)b[1] << 48 | (uint64_t)b[2] << 40 | (uint64_t)b[3] << 32 |
        (uint64_t)b[4] << 24 | (uint64_t)b[5] << 16 | (uint64_t)b[6] << 8 | (uint64_t)b[7];
}

/* Names compare by their keys; past the first 8 bytes (a token has no NUL, so equal keys mean
   equal first min(8, length) bytes), byte by byte. */
static int olock__sigv4_name_cmp(const olock__sigv4_hdr *x, const olock__sigv4_hdr *y) {
    size_t i, n = x->name_len < y->name_len ? x->name_len : y->name_len;
    if (x->key != y->key) return x->key < y->key ? -1 : 1;
    for (i = 8; i < n; i++) {
        unsigned char a = (unsigned char)olock__ascii_lower((unsigned char)x->name[i]), b = (unsigned char)olock__ascii_lower((unsigned char)y->name[i]);
        if (a != b) return a < b ? -1 : 1;
    }
    return x->name_len == y->name_len ? 0 : (x->name_len < y->name_len ? -1 : 1);
}

static int olock__sigv4_ws(char c) {
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* Non-zero exactly when a byte of w is at or below ' ' (a borrow can only mark bytes above
   the first such byte). */
static uint64_t olock__sigv4_low8(uint64_t w) {
    return (w - 0x2121212121212121u) & ~w & 0x8080808080808080u;
}

/* Trims the value and collapses each inner run of whitespace (folded lines included) into one space.
   A value with no byte at or below ' ' (every value olock's client signs) is copied as it is,
   checked 8 bytes at a time. */
static char *olock__sigv4_put_value(char *p, const char *v, size_t n) {
    size_t i = 0;
    uint64_t w, low = 0;
    for (; i + 8 <= n && !low; i += 8) {
        memcpy(&w, v + i, 8);
        low = olock__sigv4_low8(w);
    }
    if (!low && i < n) {
        w = 0x4141414141414141u; /* padding that is not low */
        memcpy(&w, v + i, n - i);
        low = olock__sigv4_low8(w);
    }
    if (!low) return olock__put(p, v, n);
    i = 0;
    while (n > 0 && olock__sigv4_ws(v[n - 1])) n--;
    while (i < n && olock__sigv4_ws(v[i])) i++;
    while (i < n) {
        unsigned char c = (unsigned char)v[i++];
        if (c > ' ' || !olock__sigv4_ws((char)c)) {
            *p++ = (char)c;
            continue;
        }
        *p++ = ' ';
        while (olock__sigv4_ws(v[i])) i++; /* stops before n: the value ends in a non-space */
    }
    return p;
}

/* The signer's own headers a request adds besides X-Amz-Date (olock__sigv4_names.mode). */
#define OLOCK__SIGV4_OWN_TOKEN 1u /* X-Amz-Security-Token, signed */
#define OLOCK__SIGV4_OWN_BODY 2u  /* x-amz-content-sha256 */

/* Whether req gives the header names s->names was made from, byte for byte and in order, with
   a value for each; fills hv[0 .. count) with the names and values when it does. */
static int olock__sigv4_names_same(const olock__sigv4_names *k, const olock_sigv4_request *req, unsigned mode,
                                   olock__sigv4_hdr *hv) {
    const char *g = k->given, *end = k->given + k->given_len;
    size_t i;
    if (!k->count || k->count != req->header_count || k->mode != mode) return 0;
    for (i = 0; i < req->header_count; i++) {
        const olock_http_header *h = &req->headers[i];
        size_t n;
        if (!h->name || !h->value) return 0;
        n = strlen(h->name);
        if ((size_t)(end - g) < n + 1 || memcmp(g, h->name, n + 1) != 0) return 0;
        g += n + 1;
        hv[i].name = h->name;
        hv[i].name_len = n;
        hv[i].value = h->value;
        hv[i].value_len = strlen(h->value);
    }
    return g == end;
}

/* Keeps the names of the sorted headers hv[0 .. nh) (count of them the caller's, as given in
   req) for the next request: their order and the SignedHeaders list with each name
   lower-cased once, and where in it each sorted name is (a repeated name shares the offset of
   the one before). Requests too large to keep leave nothing kept. */
static void olock__sigv4_names_keep(olock__sigv4_names *k, const olock_sigv4_request *req, unsigned mode,
                                    const olock__sigv4_hdr *hv, size_t nh) {
    size_t i, g = 0, o = 0;
    k->count = 0;
    if (req->header_count == 0 || req->header_count > OLOCK__SIGV4_NAMES_HEADERS) return;
    for (i = 0; i < req->header_count; i++) {
        size_t n = strlen(req->headers[i].name) + 1;
        if (n > sizeof k->given - g) return;
        memcpy(k->given + g, req->headers[i].name, n);
        g += n;
    }
    for (i = 0; i < nh; i++) {
        k->order[i] = (unsigned char)hv[i].given;
        if (i && olock__sigv4_name_cmp(&hv[i], &hv[i - 1]) == 0) {
            k->name_off[i] = k->name_off[i - 1];
            continue;
        }
        if (o + (i ? 1 : 0) + hv[i].name_len > 255) return; /* offsets are bytes */
        if (i) k->lower[o++] = ';';
        k->name_off[i] = (unsigned char)o;
        o = (size_t)(olock__sigv4_put_lower(k->lower + o, hv[i].name, hv[i].name_len) - k->lower);
    }
    k->given_len = g;
    k->signed_len = o;
    k->mode = mode;
    k->count = req->header_count;
}

/* Days since 1970-01-01 to "YYYYMMDD" (years 1970..9999). */
static void olock__sigv4_civil_date(int64_t days, char out[9]) {
    static const unsigned char mdays[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
    int64_t year = 1970;
    int month = 0, i;
    while (days >= 146097) { /* every 400 Gregorian years have 146097 days */
        days -= 146097;
        year += 400;
    }
    for (;;) {
        int leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
        int64_t n = leap ? 366 : 365;
        if (days < n) break;
        days -= n;
        year++;
    }
    for (;;) {
        int leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
        int64_t n = mdays[month] + (month == 1 && leap ? 1 : 0);
        if (days < n) break;
        days -= n;
        month++;
    }
    for (i = 3; i >= 0; i--) {
        out[i] = (char)('0' + year % 10);
        year /= 10;
    }
    out[4] = (char)('0' + (month + 1) / 10);
    out[5] = (char)('0' + (month + 1) % 10);
    out[6] = (char)('0' + (days + 1) / 10);
    out[7] = (char)('0' + (days + 1) % 10);
    out[8] = '\0';
}

/* Absorbs text[0 .. len) into *ctx, which starts as a copy of *start (the same start on
   every call with r), resuming after the whole 64-byte blocks text shares with the text of
   r's previous call. The blocks it shares are the ones worth a state for the next call. */
static void olock__sigv4_resume_hash(olock__sigv4_resume *r, const olock_sha256 *start, const char *text, size_t len,
                                     olock_sha256 *ctx) {
    const unsigned char *p = (const unsigned char *)text;
    size_t whole = len / 64 < OLOCK__SIGV4_RESUME_BLOCKS ? len / 64 : OLOCK__SIGV4_RESUME_BLOCKS;
    size_t same = 0, k;
    while (same < r->blocks && same < whole && memcmp(p + 64 * same, r->text + 64 * same, 64) == 0) same++;
    k = same < r->states ? same : r->states;
    olock__sha256_clone(ctx, k ? &r->after[k - 1] : start);
    for (; k < same; k++) { /* shared, but not hashed to a state before */
        olock_sha256_update(ctx, p + 64 * k, 64);
        olock__sha256_clone(&r->after[k], ctx);
    }
    r->states = same;
    memcpy(r->text + 64 * same, p + 64 * same, 64 * (whole - same));
    r->blocks = whole;
    olock_sha256_update(ctx, p + 64 * same, len - 64 * same);
}

/* The SHA-256 of text, hashed from a fresh state with olock__sigv4_resume_hash. */
static void olock__sigv4_resume_digest(olock__sigv4_resume *r, const char *text, size_t len,
                                       unsigned char digest[OLOCK_SHA256_SIZE]) {
    olock_sha256 fresh, h;
    olock_sha256_init(&fresh);
    olock__sigv4_resume_hash(r, &fresh, text, len, &h);
    olock_sha256_final(&h, digest);
    olock__wipe(&fresh, sizeof fresh); /* never finalised: with mbedTLS, its free is a wipe */
}

static void olock__sigv4_resume_drop(olock__sigv4_resume *r) {
    olock__wipe(r, sizeof *r);
}

static void olock__sigv4_drop_key(olock_sigv4_signer *s) {
    olock__wipe(&s->key_hmac, sizeof s->key_hmac);
    olock__sigv4_resume_drop(&s->sts_resume); /* its states hold the key's inner pad */
    s->key_valid = 0;
}

/* kSigning = HMAC(HMAC(HMAC(HMAC("AWS4" + secret, date), region), service), "aws4_request"),
   kept as an HMAC context with the key pads absorbed, so each signature costs no key setup. */
static void olock__sigv4_derive_key(olock_sigv4_signer *s) {
    unsigned char k[OLOCK_SHA256_SIZE];
    const char *secret = s->secrets + s->akid_len + 1;
    olock__hmac_sha256_stream(secret, s->secret_len, s->date_text, 8, k);
    olock__hmac_sha256_stream(k, sizeof k, s->region, s->region_len, k);
    olock__hmac_sha256_stream(k, sizeof k, s->service, s->service_len, k);
    olock__hmac_sha256_stream(k, sizeof k, "aws4_request", 12, k);
    olock_hmac_sha256_init(&s->key_hmac, k, sizeof k);
    olock__sigv4_resume_drop(&s->sts_resume); /* states of the previous key */
    olock__wipe(k, sizeof k);
    memcpy(s->key_date, s->date_text, 9);
    s->key_valid = 1;
    s->key_derivations++;
}

static olock_result olock__sigv4_store_credentials(olock_sigv4_signer *s, const olock_credentials *creds,
                                                   olock_error *err) {
    size_t akid_len = 0, secret_len, token_len = 0, size = 0, i;
    char *block;
    int same_secret;
    if (!creds || !creds->access_key_id || !creds->secret_access_key) {
        olock__error_set(err, OLOCK_ERR_INVALID_ARG, "credentials need an access key id and a secret access key");
        return OLOCK_ERR_INVALID_ARG;
    }
    /* The key id goes into "Credential=<id>/<scope>," and the token into a header value. */
    for (akid_len = 0; creds->access_key_id[akid_len]; akid_len++) {
        unsigned char c = (unsigned char)creds->access_key_id[akid_len];
        if (c <= 0x20 || c >= 0x7f || c == '/' || c == ',' || c == ';' || c == '=') {
            olock__error_set(err, OLOCK_ERR_INVALID_ARG, "the access key id contains a character that is not allowed");
            return OLOCK_ERR_INVALID_ARG;
        }
    }
    secret_len = strlen(creds->secret_access_key);
    if (akid_len == 0 || secret_len == 0) {
        olock__error_set(err, OLOCK_ERR_INVALID_ARG, "the access key id and the secret access key must not be empty");
        return OLOCK_ERR_INVALID_ARG;
    }
    if (creds->session_token) {
        for (token_len = 0; creds->session_token[token_len]; token_len++) {
            unsigned char c = (unsigned char)creds->session_token[token_len];
            if (c <= 0x20 || c >= 0x7f) {
                olock__error_set(err, OLOCK_ERR_INVALID_ARG, "the session token contains a character that is not allowed");
                return OLOCK_ERR_INVALID_ARG;
            }
        }
    }
    if (!olock__sigv4_size_add(&size, akid_len) || !olock__sigv4_size_add(&size, secret_len) ||
        !olock__sigv4_size_add(&size, token_len) || !olock__sigv4_size_add(&size, 4 + 3)) {
        olock__error_set(err, OLOCK_ERR_LIMIT, "credentials too long");
        return OLOCK_ERR_LIMIT;
    }
    block = (char *)olock__alloc(s->alloc, size);
    if (!block) {
        olock__error_set(err, OLOCK_ERR_NOMEM, "out of memory copying the credentials");
        return OLOCK_ERR_NOMEM;
    }
    i = 0;
    memcpy(block + i, creds->access_key_id, akid_len + 1);
    i += akid_len + 1;
    memcpy(block + i, "AWS4", 4);
    memcpy(block + i + 4, creds->secret_access_key, secret_len + 1);
    i += 4 + secret_len + 1;
    if (token_len) memcpy(block + i, creds->session_token, token_len);
    block[i + token_len] = '\0';
    same_secret = s->secrets && s->secret_len == secret_len + 4 &&
        memcmp(s->secrets + s->akid_len + 1, block + akid_len + 1, secret_len + 4) == 0;
    if (s->secrets) {
        olock__wipe(s->secrets, s->secrets_size);
        olock__free(s->alloc, s->secrets, s->secrets_size);
    }
    s->secrets = block;
    s->secrets_size = size;
    s->akid_len = akid_len;
    s->secret_len = secret_len + 4;
    s->token_len = token_len;
    if (!same_secret) olock__sigv4_drop_key(s);
    return OLOCK_OK;
}

OLOCK_API olock_result olock_sigv4_signer_init(olock_sigv4_signer *s, const olock_allocator *alloc,
                                               const olock_credentials *creds, const char *region,
                                               const char *service, olock_error *err) {
    size_t rlen = 0, slen = 0;
    olock__error_clear(err);
    if (!s) {
        olock__error_set(err, OLOCK_ERR_INVALID_ARG, "signer is NULL");
        return OLOCK_ERR_INVALID_ARG;
    }
    memset(s, 0, sizeof *s);
    s->alloc = alloc;
    s->day = -1;
    olock_buf_init(&s->scratch, alloc);
    olock_buf_init(&s->query, alloc);
    /* The scratch holds the session token (canonical request, header value) and the query
       may carry one (presigned requests): wipe their blocks when they grow or are freed. */
    s->scratch.secret = 1;
    s->query.secret = 1;
    if (!olock__scope_name_ok(region, &rlen)) {
        olock__error_set(err, OLOCK_ERR_INVALID_ARG, "region is missing or not a valid region name");
        return OLOCK_ERR_INVALID_ARG;
    }
    if (!olock__scope_name_ok(service, &slen)) {
        olock__error_set(err, OLOCK_ERR_INVALID_ARG, "service is missing or not a valid service name");
        return OLOCK_ERR_INVALID_ARG;
    }
    memcpy(s->region, region, rlen + 1);
    memcpy(s->service, service, slen + 1);
    s->region_len = rlen;
    s->service_len = slen;
    return olock__sigv4_store_credentials(s, creds, err);
}

OLOCK_API olock_result olock_sigv4_signer_set_credentials(olock_sigv4_signer *s, const olock_credentials *creds,
                                                          olock_error *err) {
    olock__error_clear(err);
    if (!s) {
        olock__error_set(err, OLOCK_ERR_INVALID_ARG, "signer is NULL");
        return OLOCK_ERR_INVALID_ARG;
    }
    return olock__sigv4_store_credentials(s, creds, err);
}

OLOCK_API void olock_sigv4_signer_free(olock_sigv4_signer *s) {
    if (!s) return;
    if (s->secrets) {
        olock__wipe(s->secrets, s->secrets_size);
        olock__free(s->alloc, s->secrets, s->secrets_size);
        s->secrets = NULL;
    }
    olock__sigv4_drop_key(s);
    olock__sigv4_resume_drop(&s->creq_resume); /* a signed session token is part of the text */
    olock__sigv4_resume_drop(&s->body_resume); /* the caller's data */
    olock_buf_free(&s->scratch);               /* both are secret buffers: wiped */
    olock_buf_free(&s->query);
    s->secrets_size = s->akid_len = s->secret_len = s->token_len = 0;
}

OLOCK_API olock_result olock_sigv4_signer_sign(olock_sigv4_signer *s, const olock_sigv4_request *req,
                                               int64_t unix_seconds, unsigned flags,
                                               olock_sigv4_signature *out, olock_error *err) {
    olock__sigv4_hdr hv[OLOCK_SIGV4_MAX_HEADERS + 3];
    olock__sigv4_param params[OLOCK_SIGV4_MAX_QUERY_PARAMS];
    char amz_date[17], body_hash[OLOCK_SHA256_HEX_SIZE];
    unsigned char digest[OLOCK_SHA256_SIZE];
    const char *path, *payload;
    size_t method_len, path_len, payload_len, nh = 0, nparams = 0, query_len = 0, headers_len = 0;
    size_t signed_len = 0, scope_len, need = 0, path_max, i;
    size_t creq_off, creq_len, sts_off, sts_len, date_off, hash_off = 0, auth_off, signed_off;
    int64_t day, sod;
    int have_host = 0, kept;
    int sign_token, add_token;
    unsigned mode;
    olock_hmac_sha256 mac;
    olock_result r;
    char *base, *p;

    olock__error_clear(err);
    if (!s || !req || !out || !s->secrets) {
        olock__error_set(err, OLOCK_ERR_INVALID_ARG, "signer, request and output are required");
        return OLOCK_ERR_INVALID_ARG;
    }
    if (!olock__sigv4_is_token(req->method, &method_len)) {
        olock__error_set(err, OLOCK_ERR_INVALID_ARG, "missing or malformed HTTP method");
        return OLOCK_ERR_INVALID_ARG;
    }
    if (unix_seconds < 0 || unix_seconds > OLOCK__SIGV4_MAX_TIME) {
        olock__error_set(err, OLOCK_ERR_INVALID_ARG, "signing time out of range");
        return OLOCK_ERR_INVALID_ARG;
    }
    if ((req->body == NULL && req->body_len) || (req->headers == NULL && req->header_count)) {
        olock__error_set(err, OLOCK_ERR_INVALID_ARG, "NULL body or headers with a non-zero length");
        return OLOCK_ERR_INVALID_ARG;
    }
    if (req->header_count > OLOCK_SIGV4_MAX_HEADERS) {
        olock__error_set(err, OLOCK_ERR_LIMIT, "more than %d headers to sign", OLOCK_SIGV4_MAX_HEADERS);
        return OLOCK_ERR_LIMIT;
    }
    path = (req->path && *req->path) ? req->path : "/";
    path_len = strlen(path);
    if (path[0] != '/') {
        olock__error_set(err, OLOCK_ERR_INVALID_ARG, "the path must start with '/'");
        return OLOCK_ERR_INVALID_ARG;
    }

    /* X-Amz-Date; the calendar date is recomputed only when the day changes. */
    day = unix_seconds / 86400;
    sod = unix_seconds % 86400;
    if (day != s->day) {
        olock__sigv4_civil_date(day, s->date_text);
        s->day = day;
    }
    memcpy(amz_date, s->date_text, 8);
    amz_date[8] = 'T';
    amz_date[9] = (char)('0' + sod / 36000);
    amz_date[10] = (char)('0' + sod / 3600 % 10);
    amz_date[11] = (char)('0' + sod % 3600 / 600);
    amz_date[12] = (char)('0' + sod % 600 / 60);
    amz_date[13] = (char)('0' + sod % 60 / 10);
    amz_date[14] = (char)('0' + sod % 10);
    amz_date[15] = 'Z';
    amz_date[16] = '\0';

    if (req->payload_hash) {
        payload = req->payload_hash;
        for (payload_len = 0; payload[payload_len]; payload_len++) {
            unsigned char c = (unsigned char)payload[payload_len];
            if (c <= 0x20 || c >= 0x7f) {
                olock__error_set(err, OLOCK_ERR_INVALID_ARG, "payload_hash contains a space or control character");
                return OLOCK_ERR_INVALID_ARG;
            }
        }
        if (payload_len == 0) {
            olock__error_set(err, OLOCK_ERR_INVALID_ARG, "payload_hash is empty");
            return OLOCK_ERR_INVALID_ARG;
        }
    } else {
        olock__sigv4_resume_digest(&s->body_resume, req->body_len ? (const char *)req->body : "", req->body_len, digest);
        olock_hex_encode(digest, sizeof digest, body_hash);
        payload = body_hash;
        payload_len = 64;
    }

    /* Headers: the caller's and the ones the signer adds, sorted by lower-case name. A stable
       sort keeps repeated names in their original order, as SigV4 wants. Names given as the
       last request gave them were checked, sorted and lowered then (s->names). */
    add_token = s->token_len > 0;
    sign_token = add_token && !(flags & OLOCK_SIGV4_UNSIGNED_TOKEN);
    mode = (sign_token ? OLOCK__SIGV4_OWN_TOKEN : 0u) | (flags & OLOCK_SIGV4_SIGN_BODY ? OLOCK__SIGV4_OWN_BODY : 0u);
    kept = olock__sigv4_names_same(&s->names, req, mode, hv);
    if (kept) nh = req->header_count;
    for (i = 0; !kept && i < req->header_count; i++) {
        const olock_http_header *h = &req->headers[i];
        size_t nlen;
        if (!olock__sigv4_is_token(h->name, &nlen) || !h->value) {
            olock__error_set(err, OLOCK_ERR_INVALID_ARG, "header %u has a missing or malformed name or value", (unsigned)i);
            return OLOCK_ERR_INVALID_ARG;
        }
        if (OLOCK__IEQ_LIT(h->name, nlen, "x-amz-date") || OLOCK__IEQ_LIT(h->name, nlen, "authorization") ||
            OLOCK__IEQ_LIT(h->name, nlen, "x-amz-security-token") ||
            OLOCK__IEQ_LIT(h->name, nlen, "x-amz-content-sha256")) {
            olock__error_set(err, OLOCK_ERR_INVALID_ARG, "header %.40s is added by the signer", h->name);
            return OLOCK_ERR_INVALID_ARG;
        }
        if (OLOCK__IEQ_LIT(h->name, nlen, "host")) have_host = 1;
        hv[nh].name = h->name;
        hv[nh].name_len = nlen;
        hv[nh].value = h->value;
        hv[nh].value_len = strlen(h->value);
        olock__sigv4_set_key(&hv[nh]);
        nh++;
    }
    if (!kept && !have_host) {
        olock__error_set(err, OLOCK_ERR_INVALID_ARG, "the Host header is required");
        return OLOCK_ERR_INVALID_ARG;
    }
    hv[nh].name = "x-amz-date";
    hv[nh].name_len = 10;
    hv[nh].value = amz_date;
    hv[nh].value_len = 16;
    nh++;
    if (sign_token) {
        hv[nh].name = "x-amz-security-token";
        hv[nh].name_len = 20;
        hv[nh].value = s->secrets + s->akid_len + 1 + s->secret_len + 1;
        hv[nh].value_len = s->token_len;
        nh++;
    }
    if (flags & OLOCK_SIGV4_SIGN_BODY) {
        hv[nh].name = "x-amz-content-sha256";
        hv[nh].name_len = 20;
        hv[nh].value = payload;
        hv[nh].value_len = payload_len;
        nh++;
    }
    for (i = 0; i < nh; i++) hv[i].given = i;
    if (kept) {
        olock__sigv4_hdr given[OLOCK__SIGV4_NAMES_HEADERS + 3];
        memcpy(given, hv, nh * sizeof *hv);
        for (i = 0; i < nh; i++) hv[i] = given[s->names.order[i]];
    } else {
        for (i = req->header_count; i < nh; i++) olock__sigv4_set_key(&hv[i]); /* the signer's own */
        for (i = 1; i < nh; i++) {
            olock__sigv4_hdr t = hv[i];
            size_t k = i;
            while (k > 0 && olock__sigv4_name_cmp(&t, &hv[k - 1]) < 0) {
                hv[k] = hv[k - 1];
                k--;
            }
            hv[k] = t;
        }
        olock__sigv4_names_keep(&s->names, req, mode, hv, nh);
        kept = s->names.count != 0;
    }
    for (i = 0; i < nh; i++) {
        /* name ':' value '\n' (a repeated name costs ',' instead of name ':' and '\n') */
        if (!olock__sigv4_size_add(&headers_len, hv[i].name_len) || !olock__sigv4_size_add(&headers_len, hv[i].value_len) ||
            !olock__sigv4_size_add(&headers_len, 2) || !olock__sigv4_size_add(&signed_len, hv[i].name_len) ||
            !olock__sigv4_size_add(&signed_len, 1)) {
            olock__error_set(err, OLOCK_ERR_LIMIT, "headers too long");
            return OLOCK_ERR_LIMIT;
        }
    }

    r = olock__sigv4_query(s, req->query, params, &nparams, &query_len, err);
    if (r != OLOCK_OK) return r;

    /* One reservation for everything written below, then plain stores. Every term is
       added with an overflow check; the +1s are the separators and NULs. */
    scope_len = 8 + 1 + s->region_len + 1 + s->service_len + 1 + 12; /* names <= 64 bytes */
    {
        const size_t terms[] = {
            method_len, 1, 2, 1, query_len, 1, headers_len, 1, signed_len, 1, payload_len, 1,
            17 + 17 + 1 + 64 + 1, scope_len,                              /* string to sign */
            17,                                                           /* X-Amz-Date value */
            payload_len, 1,                                               /* x-amz-content-sha256 value */
            28 + 1 + 16 + 12 + 64 + 1, s->akid_len, scope_len, signed_len /* Authorization */
        };
        int ok = olock__sigv4_size_mul(path_len, 3, &path_max) && olock__sigv4_size_add(&need, path_max);
        for (i = 0; ok && i < sizeof terms / sizeof terms[0]; i++) ok = olock__sigv4_size_add(&need, terms[i]);
        if (!ok) {
            olock__error_set(err, OLOCK_ERR_LIMIT, "request too large to sign");
            return OLOCK_ERR_LIMIT;
        }
    }
    olock_buf_clear(&s->scratch);
    r = olock_buf_reserve(&s->scratch, need);
    if (r != OLOCK_OK) {
        olock__error_set(err, r, "cannot allocate the canonical request");
        return r;
    }
    base = p = s->scratch.data;

    /* Canonical request. */
    creq_off = 0;
    p = olock__put(p, req->method, method_len);
    *p++ = '\n';
    p = olock__sigv4_put_path(p, path, path_len, (flags & OLOCK_SIGV4_NORMALIZE_PATH) != 0);
    *p++ = '\n';
    for (i = 0; i < nparams; i++) {
        if (i) *p++ = '&';
        p = olock__put(p, s->query.data + params[i].name_off, params[i].name_len);
        *p++ = '=';
        p = olock__put(p, s->query.data + params[i].value_off, params[i].value_len);
    }
    *p++ = '\n';
    for (i = 0; i < nh; i++) {
        if (i && (kept ? s->names.name_off[i] == s->names.name_off[i - 1] : olock__sigv4_name_cmp(&hv[i], &hv[i - 1]) == 0)) {
            p[-1] = ','; /* replaces the '\n' of the previous line */
        } else {
            p = kept ? olock__put(p, s->names.lower + s->names.name_off[i], hv[i].name_len)
                     : olock__sigv4_put_lower(p, hv[i].name, hv[i].name_len);
            *p++ = ':';
        }
        p = olock__sigv4_put_value(p, hv[i].value, hv[i].value_len);
        *p++ = '\n';
    }
    *p++ = '\n';
    signed_off = (size_t)(p - base);
    if (kept) p = olock__put(p, s->names.lower, s->names.signed_len);
    for (i = 0; !kept && i < nh; i++) {
        if (i && olock__sigv4_name_cmp(&hv[i], &hv[i - 1]) == 0) continue;
        if (i) *p++ = ';';
        p = olock__sigv4_put_lower(p, hv[i].name, hv[i].name_len);
    }
    signed_len = (size_t)(p - base) - signed_off;
    *p++ = '\n';
    p = olock__put(p, payload, payload_len);
    creq_len = (size_t)(p - base) - creq_off;
    *p++ = '\0';

    olock__sigv4_resume_digest(&s->creq_resume, base + creq_off, creq_len, digest);

    /* String to sign. */
    sts_off = (size_t)(p - base);
    p = olock__put(p, OLOCK__SIGV4_ALGORITHM "\n", 17);
    p = olock__put(p, amz_date, 16);
    *p++ = '\n';
    p = olock__put(p, s->date_text, 8);
    *p++ = '/';
    p = olock__put(p, s->region, s->region_len);
    *p++ = '/';
    p = olock__put(p, s->service, s->service_len);
    p = olock__put(p, "/aws4_request\n", 14);
    olock_hex_encode(digest, sizeof digest, p); /* written in place: a 64-byte copy can cost more */
    p += 64;
    sts_len = (size_t)(p - base) - sts_off;
    *p++ = '\0';

    if (!s->key_valid || memcmp(s->key_date, s->date_text, 8) != 0) olock__sigv4_derive_key(s);
    olock__sigv4_resume_hash(&s->sts_resume, &s->key_hmac.inner, base + sts_off, sts_len, &mac.inner);
    olock__sha256_clone(&mac.outer, &s->key_hmac.outer);
    olock_hmac_sha256_final(&mac, digest);
    olock_hex_encode(digest, sizeof digest, out->signature);

    date_off = (size_t)(p - base);
    p = olock__put(p, amz_date, 17);
    if (flags & OLOCK_SIGV4_SIGN_BODY) {
        hash_off = (size_t)(p - base);
        p = olock__put(p, payload, payload_len);
        *p++ = '\0';
    }
    auth_off = (size_t)(p - base);
    p = olock__put(p, OLOCK__SIGV4_ALGORITHM " Credential=", 28);
    p = olock__put(p, s->secrets, s->akid_len);
    *p++ = '/';
    p = olock__put(p, base + sts_off + 34, scope_len); /* the scope line of the string to sign */
    p = olock__put(p, ", SignedHeaders=", 16);
    p = olock__put(p, base + signed_off, signed_len);
    p = olock__put(p, ", Signature=", 12);
    olock_hex_encode(digest, sizeof digest, p); /* as out->signature, without a 64-byte copy */
    p += 64;
    *p++ = '\0';
    s->scratch.len = (size_t)(p - base) - 1; /* the last NUL terminates the buffer */

    i = 0;
    out->headers[i].name = "X-Amz-Date";
    out->headers[i++].value = base + date_off;
    if (add_token) {
        out->headers[i].name = "X-Amz-Security-Token";
        out->headers[i++].value = s->secrets + s->akid_len + 1 + s->secret_len + 1;
    }
    if (flags & OLOCK_SIGV4_SIGN_BODY) {
        out->headers[i].name = "x-amz-content-sha256";
        out->headers[i++].value = base + hash_off;
    }
    out->headers[i].name = "Authorization";
    out->headers[i++].value = base + auth_off;
    out->header_count = i;
    out->amz_date = base + date_off;
    out->authorization = base + auth_off;
    out->canonical_request = base + creq_off;
    out->canonical_request_len = creq_len;
    out->string_to_sign = base + sts_off;
    out->string_to_sign_len = sts_len;
    return OLOCK_OK;
}
/* =============================================================================================
   >>aws_config (implementation)
   ========================================================================================== */

/* ---- Credentials, region and endpoint resolution ------------------------------------------ */

#define OLOCK__CRED_FILE_MAX ((size_t)1 << 20)

/* The only place the library reads the process environment. Empty values count as unset,
   as in the AWS SDKs. */
static const char *olock__env_get(const olock_env *env, const char *name) {
    const char *v;
    if (env && env->get) v = env->get(env->user, name);
    else v = getenv(name);
    return (v && *v) ? v : NULL;
}

OLOCK_API void olock_aws_config_init(olock_aws_config *c, const olock_allocator *alloc) {
    if (!c) return;
    memset(c, 0, sizeof *c);
    c->alloc = alloc;
}

OLOCK_API void olock_aws_config_free(olock_aws_config *c) {
    const olock_allocator *a;
    if (!c) return;
    a = c->alloc;
    olock__str_free(a, &c->access_key_id, 1);
    olock__str_free(a, &c->secret_access_key, 1);
    olock__str_free(a, &c->session_token, 1);
    olock__str_free(a, &c->region, 0);
    olock__str_free(a, &c->endpoint, 0);
    olock_aws_config_init(c, a);
}

/* Copies a key pair (and token, may be NULL) into c, replacing the old one only on success. */
static olock_result olock__cred_store(olock_aws_config *c, const char *akid, size_t akid_len,
                                      const char *secret, size_t secret_len, const char *token,
                                      size_t token_len, const char *source, olock_error *err) {
    char *a = olock__strndup(c->alloc, akid, akid_len);
    char *sk = olock__strndup(c->alloc, secret, secret_len);
    char *tk = token ? olock__strndup(c->alloc, token, token_len) : NULL;
    if (!a || !sk || (token && !tk)) {
        olock__str_free(c->alloc, &a, 1);
        olock__str_free(c->alloc, &sk, 1);
        olock__str_free(c->alloc, &tk, 1);
        olock__error_set(err, OLOCK_ERR_NOMEM, "out of memory copying the credentials");
        return OLOCK_ERR_NOMEM;
    }
    olock__str_free(c->alloc, &c->access_key_id, 1);
    olock__str_free(c->alloc, &c->secret_access_key, 1);
    olock__str_free(c->alloc, &c->session_token, 1);
    c->access_key_id = a;
    c->secret_access_key = sk;
    c->session_token = tk;
    c->credentials_source = source;
    return OLOCK_OK;
}

static int olock__cred_hspace(char c) {
    return c == ' ' || c == '\t';
}

static int olock__cred_key_char(unsigned char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
        c == '_' || c == '-' || c == '.';
}

OLOCK_API olock_result olock_aws_config_parse_credentials(olock_aws_config *c, const char *text, size_t len,
                                                          const char *profile, const char *file_name,
                                                          olock_error *err) {
    /* Values are pointers into text; nothing is copied until the whole file has been checked. */
    const char *akid = NULL, *secret = NULL, *token = NULL;
    size_t akid_len = 0, secret_len = 0, token_len = 0, pos = 0, profile_len;
    unsigned long line = 0;
    int have_section = 0, in_profile = 0, profile_seen = 0, nested = 0;
    const char *fname = file_name ? file_name : "credentials";
    olock__error_clear(err);
    if (!c || (!text && len)) {
        olock__error_set(err, OLOCK_ERR_INVALID_ARG, "config and text are required");
        return OLOCK_ERR_INVALID_ARG;
    }
    if (!profile || !*profile) profile = "default";
    profile_len = strlen(profile);
    while (pos < len) {
        size_t start = pos, e = pos, a, b, k;
        int indented;
        line++;
        while (e < len && text[e] != '\n') e++;
        pos = e + 1;
        b = e;
        if (b > start && text[b - 1] == '\r') b--;
        for (k = start; k < b; k++) {
            unsigned char ch = (unsigned char)text[k];
            if ((ch < 0x20 && ch != '\t') || ch == 0x7f) {
                olock__error_set(err, OLOCK_ERR_CREDENTIALS, "%.200s:%lu: control character", fname, line);
                return OLOCK_ERR_CREDENTIALS;
            }
        }
        a = start;
        while (a < b && olock__cred_hspace(text[a])) a++;
        indented = a > start;
        while (b > a && olock__cred_hspace(text[b - 1])) b--;
        if (a == b || text[a] == '#' || text[a] == ';') continue;
        /* An indented line is allowed only as a sub-property of a property with an empty
           value ("s3 =" then "  max_concurrent_requests = 10"); value continuation lines
           would silently change a secret, so they are an error. */
        if (indented && (!nested || text[a] == '[')) {
            olock__error_set(err, OLOCK_ERR_CREDENTIALS,
                             "%.200s:%lu: unexpected indented line (continuation lines are not supported)", fname, line);
            return OLOCK_ERR_CREDENTIALS;
        }
        if (text[a] == '[') {
            size_t close = a + 1, n0, n1;
            while (close < b && text[close] != ']' && text[close] != '[') close++;
            if (close >= b || text[close] != ']') {
                olock__error_set(err, OLOCK_ERR_CREDENTIALS, "%.200s:%lu: malformed profile line (missing ']')", fname, line);
                return OLOCK_ERR_CREDENTIALS;
            }
            k = close + 1;
            while (k < b && olock__cred_hspace(text[k])) k++;
            if (k < b && text[k] != '#' && text[k] != ';') {
                olock__error_set(err, OLOCK_ERR_CREDENTIALS, "%.200s:%lu: unexpected text after ']'", fname, line);
                return OLOCK_ERR_CREDENTIALS;
            }
            n0 = a + 1;
            n1 = close;
            while (n0 < n1 && olock__cred_hspace(text[n0])) n0++;
            while (n1 > n0 && olock__cred_hspace(text[n1 - 1])) n1--;
            if (n0 == n1) {
                olock__error_set(err, OLOCK_ERR_CREDENTIALS, "%.200s:%lu: empty profile name", fname, line);
                return OLOCK_ERR_CREDENTIALS;
            }
            have_section = 1;
            nested = 0;
            in_profile = n1 - n0 == profile_len && memcmp(text + n0, profile, profile_len) == 0;
            if (in_profile) profile_seen = 1;
        } else {
            size_t eq = a, k0, k1, v0, v1;
            while (eq < b && text[eq] != '=') eq++;
            if (eq == b) {
                olock__error_set(err, OLOCK_ERR_CREDENTIALS, "%.200s:%lu: expected 'name = value'", fname, line);
                return OLOCK_ERR_CREDENTIALS;
            }
            k0 = a;
            k1 = eq;
            while (k1 > k0 && olock__cred_hspace(text[k1 - 1])) k1--;
            if (k0 == k1) {
                olock__error_set(err, OLOCK_ERR_CREDENTIALS, "%.200s:%lu: missing property name before '='", fname, line);
                return OLOCK_ERR_CREDENTIALS;
            }
            for (k = k0; k < k1; k++) {
                if (!olock__cred_key_char((unsigned char)text[k])) {
                    olock__error_set(err, OLOCK_ERR_CREDENTIALS, "%.200s:%lu: invalid character in property name", fname, line);
                    return OLOCK_ERR_CREDENTIALS;
                }
            }
            if (!have_section) {
                olock__error_set(err, OLOCK_ERR_CREDENTIALS, "%.200s:%lu: property outside of a [profile] section", fname, line);
                return OLOCK_ERR_CREDENTIALS;
            }
            v0 = eq + 1;
            while (v0 < b && olock__cred_hspace(text[v0])) v0++;
            /* A comment after a value needs whitespace before it: '#' may be part of a value. */
            for (v1 = v0; v1 < b; v1++)
                if ((text[v1] == '#' || text[v1] == ';') && v1 > v0 && olock__cred_hspace(text[v1 - 1])) break;
            while (v1 > v0 && olock__cred_hspace(text[v1 - 1])) v1--;
            if (indented) continue; /* sub-properties are not credentials */
            nested = v0 == v1;
            if (!in_profile || v0 == v1) continue;
            if (OLOCK__IEQ_LIT(text + k0, k1 - k0, "aws_access_key_id")) {
                akid = text + v0;
                akid_len = v1 - v0;
            } else if (OLOCK__IEQ_LIT(text + k0, k1 - k0, "aws_secret_access_key")) {
                secret = text + v0;
                secret_len = v1 - v0;
            } else if (OLOCK__IEQ_LIT(text + k0, k1 - k0, "aws_session_token")) {
                token = text + v0;
                token_len = v1 - v0;
            }
        }
    }
    if (!profile_seen) {
        olock__error_set(err, OLOCK_ERR_CREDENTIALS, "%.200s: profile '%.64s' not found", fname, profile);
        return OLOCK_ERR_CREDENTIALS;
    }
    if (!akid || !secret) {
        olock__error_set(err, OLOCK_ERR_CREDENTIALS, "%.200s: profile '%.64s' has no %s", fname, profile,
                         akid ? "aws_secret_access_key" : "aws_access_key_id");
        return OLOCK_ERR_CREDENTIALS;
    }
    return olock__cred_store(c, akid, akid_len, secret, secret_len, token, token_len,
                             "shared credentials file", err);
}

/* Reads a whole file (at most OLOCK__CRED_FILE_MAX bytes) into *out. *opened is 0 (and the
   result OLOCK_OK) when the file cannot be opened. */
static olock_result olock__cred_read_file(const char *path, olock_buf *out, int *opened, olock_error *err) {
    char chunk[4096];
    olock_result r = OLOCK_OK;
    size_t n;
    FILE *f = fopen(path, "rb");
    *opened = f != NULL;
    if (!f) return OLOCK_OK;
    /* Unbuffered: a stdio buffer would be the C library's own allocation, holding the keys,
       freed by fclose without a wipe. fread then reads straight into chunk, wiped below. */
    setvbuf(f, NULL, _IONBF, 0);
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) {
        if (n > OLOCK__CRED_FILE_MAX - out->len) {
            r = OLOCK_ERR_CREDENTIALS;
            olock__error_set(err, r, "%.200s: larger than %u bytes", path, (unsigned)OLOCK__CRED_FILE_MAX);
            break;
        }
        r = olock_buf_append(out, chunk, n);
        if (r != OLOCK_OK) {
            olock__error_set(err, r, "%.200s: out of memory reading the file", path);
            break;
        }
    }
    if (r == OLOCK_OK && ferror(f)) {
        r = OLOCK_ERR_CREDENTIALS;
        olock__error_set(err, r, "%.200s: read error", path);
    }
    olock__wipe(chunk, sizeof chunk);
    fclose(f);
    return r;
}

/* The shared credentials file path: AWS_SHARED_CREDENTIALS_FILE (a leading "~/" is the home
   directory) or <home>/.aws/credentials. Empty buffer when no home directory is known. */
static olock_result olock__cred_file_path(const olock_env *env, olock_buf *path) {
    const char *v = olock__env_get(env, "AWS_SHARED_CREDENTIALS_FILE");
    const char *home = olock__env_get(env, "HOME");
    olock_result r;
    if (!home) home = olock__env_get(env, "USERPROFILE");
    if (v && !(v[0] == '~' && (v[1] == '/' || v[1] == '\\'))) return olock_buf_append_str(path, v);
    if (!home) return OLOCK_OK;
    r = olock_buf_append_str(path, home);
    if (r == OLOCK_OK) r = olock_buf_append_str(path, v ? v + 1 : "/.aws/credentials");
    return r;
}

OLOCK_API olock_result olock_aws_config_resolve_credentials(olock_aws_config *c, const olock_credentials *explicit_creds,
                                                            const olock_env *env, olock_error *err) {
    const char *akid, *secret, *token, *profile;
    olock_buf path, text;
    olock_result r;
    int opened;
    olock__error_clear(err);
    if (!c) {
        olock__error_set(err, OLOCK_ERR_INVALID_ARG, "config is NULL");
        return OLOCK_ERR_INVALID_ARG;
    }
    if (explicit_creds && (explicit_creds->access_key_id || explicit_creds->secret_access_key)) {
        akid = explicit_creds->access_key_id;
        secret = explicit_creds->secret_access_key;
        token = explicit_creds->session_token;
        if (!akid || !*akid || !secret || !*secret) {
            olock__error_set(err, OLOCK_ERR_CREDENTIALS,
                             "explicit credentials need both access_key_id and secret_access_key");
            return OLOCK_ERR_CREDENTIALS;
        }
        if (token && !*token) token = NULL;
        return olock__cred_store(c, akid, strlen(akid), secret, strlen(secret), token,
                                 token ? strlen(token) : 0, "explicit", err);
    }
    akid = olock__env_get(env, "AWS_ACCESS_KEY_ID");
    secret = olock__env_get(env, "AWS_SECRET_ACCESS_KEY");
    if (akid || secret) {
        if (!akid || !secret) {
            olock__error_set(err, OLOCK_ERR_CREDENTIALS, "%s is set but %s is not",
                             akid ? "AWS_ACCESS_KEY_ID" : "AWS_SECRET_ACCESS_KEY",
                             akid ? "AWS_SECRET_ACCESS_KEY" : "AWS_ACCESS_KEY_ID");
            return OLOCK_ERR_CREDENTIALS;
        }
        token = olock__env_get(env, "AWS_SESSION_TOKEN");
        return olock__cred_store(c, akid, strlen(akid), secret, strlen(secret), token,
                                 token ? strlen(token) : 0, "environment", err);
    }
    olock_buf_init(&path, c->alloc);
    r = olock__cred_file_path(env, &path);
    if (r != OLOCK_OK) {
        olock_buf_free(&path);
        olock__error_set(err, r, "out of memory building the credentials file path");
        return r;
    }
    if (path.len == 0) {
        olock_buf_free(&path);
        olock__error_set(err, OLOCK_ERR_CREDENTIALS, "no credentials: AWS_ACCESS_KEY_ID is not set and there is no "
                                                     "home directory for the shared credentials file");
        return OLOCK_ERR_CREDENTIALS;
    }
    olock_buf_init(&text, c->alloc);
    text.secret = 1; /* the file's keys: every block it grows out of is wiped */
    r = olock__cred_read_file(path.data, &text, &opened, err);
    if (r == OLOCK_OK && !opened) {
        olock__error_set(err, OLOCK_ERR_CREDENTIALS, "no credentials: AWS_ACCESS_KEY_ID is not set and %.200s "
                                                     "cannot be opened",
                         path.data);
        r = OLOCK_ERR_CREDENTIALS;
    } else if (r == OLOCK_OK) {
        profile = olock__env_get(env, "AWS_PROFILE");
        r = olock_aws_config_parse_credentials(c, text.data ? text.data : "", text.len, profile, path.data, err);
    }
    olock_buf_free(&text);
    olock_buf_free(&path);
    return r;
}

/* A setting as the SDKs look it up: the explicit value (NULL or "" skips it), then the first
   variable, then the second; *source names where it came from (for error messages). */
static const char *olock__setting(const char *explicit_value, const olock_env *env, const char *var1,
                                  const char *var2, const char **source) {
    const char *v;
    if (explicit_value && *explicit_value) {
        *source = "the configuration";
        return explicit_value;
    }
    *source = var1;
    v = olock__env_get(env, var1);
    if (v) return v;
    *source = var2;
    return olock__env_get(env, var2);
}

OLOCK_API olock_result olock_aws_config_resolve_region(olock_aws_config *c, const char *explicit_region,
                                                       const olock_env *env, olock_error *err) {
    const char *source, *v;
    size_t n;
    char *copy;
    olock__error_clear(err);
    if (!c) {
        olock__error_set(err, OLOCK_ERR_INVALID_ARG, "config is NULL");
        return OLOCK_ERR_INVALID_ARG;
    }
    v = olock__setting(explicit_region, env, "AWS_REGION", "AWS_DEFAULT_REGION", &source);
    if (!v) {
        olock__error_set(err, OLOCK_ERR_CONFIG, "no region: set it in the configuration, AWS_REGION or AWS_DEFAULT_REGION");
        return OLOCK_ERR_CONFIG;
    }
    if (!olock__scope_name_ok(v, &n)) {
        olock__error_set(err, OLOCK_ERR_CONFIG, "the region from %s is not a valid region name "
                                                "(letters, digits, '-', '_', '.'; at most %d)",
                         source, OLOCK_SIGV4_NAME_MAX);
        return OLOCK_ERR_CONFIG;
    }
    copy = olock__strndup(c->alloc, v, n);
    if (!copy) {
        olock__error_set(err, OLOCK_ERR_NOMEM, "out of memory copying the region");
        return OLOCK_ERR_NOMEM;
    }
    olock__str_free(c->alloc, &c->region, 0);
    c->region = copy;
    return OLOCK_OK;
}

OLOCK_API olock_result olock_aws_config_resolve_endpoint(olock_aws_config *c, const char *explicit_endpoint,
                                                         const olock_env *env, olock_error *err) {
    const char *source, *v;
    olock_url_parts parts;
    olock_error uerr;
    char *copy;
    olock__error_clear(err);
    if (!c) {
        olock__error_set(err, OLOCK_ERR_INVALID_ARG, "config is NULL");
        return OLOCK_ERR_INVALID_ARG;
    }
    v = olock__setting(explicit_endpoint, env, "AWS_ENDPOINT_URL_DYNAMODB", "AWS_ENDPOINT_URL", &source);
    if (v) {
        if (olock_url_split(v, &parts, &uerr) != OLOCK_OK) {
            olock__error_set(err, OLOCK_ERR_CONFIG, "endpoint from %s: %s", source, uerr.message);
            return OLOCK_ERR_CONFIG;
        }
        copy = olock__strndup(c->alloc, v, strlen(v));
    } else {
        static const char pre[] = "https://dynamodb.", com[] = ".amazonaws.com", cn[] = ".cn";
        size_t rlen, n;
        int china;
        if (!c->region) {
            olock__error_set(err, OLOCK_ERR_CONFIG, "no endpoint and no region to build the default one from");
            return OLOCK_ERR_CONFIG;
        }
        rlen = strlen(c->region);
        china = rlen > 3 && memcmp(c->region, "cn-", 3) == 0;
        n = sizeof pre - 1 + rlen + sizeof com - 1 + (china ? 3 : 0) + 2; /* rlen <= 64: no overflow */
        copy = (char *)olock__alloc(c->alloc, n);
        if (copy) {
            char *p = olock__put(copy, pre, sizeof pre - 1);
            p = olock__put(p, c->region, rlen);
            p = olock__put(p, com, sizeof com - 1);
            if (china) p = olock__put(p, cn, 3);
            p[0] = '/';
            p[1] = '\0';
        }
    }
    if (!copy) {
        olock__error_set(err, OLOCK_ERR_NOMEM, "out of memory copying the endpoint");
        return OLOCK_ERR_NOMEM;
    }
    olock__str_free(c->alloc, &c->endpoint, 0);
    c->endpoint = copy;
    return OLOCK_OK;
}

/* 1 when s starts with prefix, ignoring ASCII case (stops at the end of s). */
static int olock__url_iprefix(const char *s, const char *prefix) {
    size_t i;
    for (i = 0; prefix[i]; i++)
        if (olock__ascii_lower((unsigned char)s[i]) != olock__ascii_lower((unsigned char)prefix[i])) return 0;
    return 1;
}

static int olock__url_host_char(unsigned char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
        c == '-' || c == '.' || c == '_';
}

OLOCK_API olock_result olock_url_split(const char *url, olock_url_parts *out, olock_error *err) {
    olock_url_parts u;
    const char *h, *hend, *port = NULL, *end;
    size_t i;
    olock__error_clear(err);
    if (!url || !out) {
        olock__error_set(err, OLOCK_ERR_INVALID_ARG, "url and out are required");
        return OLOCK_ERR_INVALID_ARG;
    }
    memset(&u, 0, sizeof u);
    if (olock__url_iprefix(url, "https://")) {
        u.tls = 1;
        u.scheme_len = 5;
    } else if (olock__url_iprefix(url, "http://")) {
        u.scheme_len = 4;
    } else {
        olock__error_set(err, OLOCK_ERR_CONFIG, "the endpoint must start with http:// or https://");
        return OLOCK_ERR_CONFIG;
    }
    u.scheme = url;
    for (i = 0; url[i]; i++) {
        unsigned char c = (unsigned char)url[i];
        if (c <= 0x20 || c >= 0x7f) {
            olock__error_set(err, OLOCK_ERR_CONFIG, "the endpoint contains a space, a control or a non-ASCII character");
            return OLOCK_ERR_CONFIG;
        }
        if (c == '?' || c == '#') {
            olock__error_set(err, OLOCK_ERR_CONFIG, "the endpoint must not have a query or a fragment");
            return OLOCK_ERR_CONFIG;
        }
    }
    end = url + i;
    h = url + u.scheme_len + 3;
    hend = h;
    while (hend < end && *hend != '/') hend++;
    if (memchr(h, '@', (size_t)(hend - h))) {
        olock__error_set(err, OLOCK_ERR_CONFIG, "user information in the endpoint is not supported");
        return OLOCK_ERR_CONFIG;
    }
    if (h < hend && *h == '[') { /* IPv6 literal */
        const char *q = h + 1;
        while (q < hend && (olock__hex_value((unsigned char)*q) >= 0 || *q == ':' || *q == '.')) q++;
        if (q == h + 1 || q >= hend || *q != ']' || (q + 1 < hend && q[1] != ':')) {
            olock__error_set(err, OLOCK_ERR_CONFIG, "malformed IPv6 address in the endpoint");
            return OLOCK_ERR_CONFIG;
        }
        if (q + 1 < hend) port = q + 2;
    } else {
        const char *q = h;
        while (q < hend && olock__url_host_char((unsigned char)*q)) q++;
        if (q == h) {
            olock__error_set(err, OLOCK_ERR_CONFIG, "the endpoint has no host");
            return OLOCK_ERR_CONFIG;
        }
        if (q < hend && *q != ':') {
            olock__error_set(err, OLOCK_ERR_CONFIG, "invalid character in the endpoint host");
            return OLOCK_ERR_CONFIG;
        }
        if (q < hend) port = q + 1;
    }
    if (port) {
        unsigned long v = 0;
        const char *q = port;
        while (q < hend && *q >= '0' && *q <= '9' && q - port < 6) v = v * 10 + (unsigned long)(*q++ - '0');
        if (q == port || q != hend || v == 0 || v > 65535) {
            olock__error_set(err, OLOCK_ERR_CONFIG, "the endpoint port must be a number from 1 to 65535");
            return OLOCK_ERR_CONFIG;
        }
        u.port = (unsigned)v;
    } else {
        u.port = u.tls ? 443u : 80u;
    }
    u.host = h;
    u.host_len = (size_t)(hend - h);
    if (hend < end) {
        u.path = hend;
        u.path_len = (size_t)(end - hend);
    } else {
        u.path = "/";
        u.path_len = 1;
    }
    *out = u;
    return OLOCK_OK;
}
/* =============================================================================================
   >>client (implementation)
   ========================================================================================== */

/* Private names later parts may use: the engine (>>engine) sends its requests the way the
   single-attempt calls do, so it shares
     the exchange        olock__exchange, olock__exchange_init, olock__exchange_free,
                         olock__build_http, olock__finish_exchange, olock__transport_why
     the retry policy    olock__backoff, olock__random, olock__xorshift
     the configuration   olock__versioning_fill, olock__cache_entry (and struct olock_client)
   Everything else here is private to the client. */

/* ---- clock, sleep and random defaults -------------------------------------------------------- */

/* The defaults need a monotonic clock and a sleep. POSIX declares them only when asked for
   (_POSIX_C_SOURCE), which the including file may not have done before its first system
   header: then these defaults are missing and the config must supply now_ms and sleep_ms
   (olock_client_create says so). */
#if defined(_WIN32)
#define OLOCK__HAVE_CLOCK 1
static uint64_t olock__default_now_ms(void *u) {
    (void)u;
    return (uint64_t)GetTickCount64();
}
static void olock__default_sleep_ms(void *u, uint64_t ms) {
    (void)u;
    Sleep((DWORD)(ms > 0xFFFFFFF0u ? 0xFFFFFFF0u : ms));
}
#else
#if defined(CLOCK_MONOTONIC)
#define OLOCK__HAVE_CLOCK 1
static uint64_t olock__default_now_ms(void *u) {
    struct timespec ts;
    (void)u;
    if (clock_gettime(CLOCK_MONOTONIC, &ts) != 0) return 0;
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}
static void olock__default_sleep_ms(void *u, uint64_t ms) {
    struct timespec ts;
    (void)u;
    ts.tv_sec = (time_t)(ms / 1000u);
    ts.tv_nsec = (long)(ms % 1000u) * 1000000L;
    while (nanosleep(&ts, &ts) != 0) { /* interrupted: sleep the rest */
    }
}
#else
#define OLOCK__HAVE_CLOCK 0
#endif
#endif

/* xorshift64*: fast and good enough for jitter and tokens once seeded from the OS. */
static uint64_t olock__xorshift(uint64_t *s) {
    uint64_t x = *s;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    *s = x;
    return x * 0x2545F4914F6CDD1Dull;
}

/* Seeds from /dev/urandom where there is one (tokens must differ across processes), mixed
   with the clock and an address so that two clients never share a stream. */
static uint64_t olock__seed(const void *addr) {
    uint64_t seed = (uint64_t)(size_t)addr * 0x9E3779B97F4A7C15ull ^ (uint64_t)time(NULL);
    FILE *f = fopen("/dev/urandom", "rb");
    if (f) {
        uint64_t r = 0;
        if (fread(&r, sizeof r, 1, f) == 1) seed ^= r;
        fclose(f);
    }
    return seed ? seed : 0x9E3779B97F4A7C15ull;
}

/* ---- client --------------------------------------------------------------------------------- */

/* The buffers of one request/response exchange: the client has one for its simple calls and
   every task has its own, so that tasks can be in flight together. Reused, so a warmed-up
   exchange does not allocate. */
typedef struct olock__exchange {
    olock_buf body;
    olock_http_response res;
    olock_arena arena; /* the decoded response */
    char target[48];   /* X-Amz-Target value */
    olock_http_header headers[8];
    olock_buf sig;     /* values of the signature headers (secret: the token) */
    const char *token; /* the session token the request carries, or NULL */
    olock_http_request req;
    olock_response decoded;
    char transport_error[256]; /* the transport's last_error after a failed send ("": none) */
    int item_only;             /* decoded.json is never read (the engine's): an item answer is
                                  decoded without the tree where it can be (decoded.json NULL) */
} olock__exchange;

typedef struct olock__cache_entry {
    olock_item *item; /* NULL: free slot */
    olock_buf id;     /* table name, NUL, key JSON */
    uint64_t used;    /* LRU tick */
} olock__cache_entry;

struct olock_client {
    olock_allocator alloc; /* copied from the config; everything below uses &alloc */
    olock_transport transport;
    char *url;                 /* endpoint URL */
    char *host;                /* Host header value, from the URL */
    olock_aws_config aws;      /* resolved endpoint, region, credentials (secrets wiped on destroy) */
    olock_sigv4_signer signer; /* valid when signing */
    int signing;
    const char *path; /* path part of the URL, for the signature */
    int64_t (*unix_time_s)(void *hook_user);
    olock_retry_policy retry;
    olock_versioning versioning; /* defaults filled in; its strings are the two below */
    char *version_attribute;
    char *token_attribute;
    size_t version_attribute_len, token_attribute_len; /* their lengths, for every write's checks and items */
    char *version_path, *token_path;                   /* the two as expression path text, made once (NULL: not a valid name) */
    const void *record_types_ok[4];                    /* typed records: the last record types that passed their checks */
    unsigned record_types_next;
    char *token_head_path; /* token_path[0], the ledger's head (the engine's head guard) */
    void *hook_user;
    uint64_t (*now_ms)(void *hook_user);
    void (*sleep_ms)(void *hook_user, uint64_t ms);
    uint64_t (*random_u64)(void *hook_user);
    void (*on_attempt)(void *hook_user, const olock_attempt *a);
    uint64_t rng;                           /* default random state */
    unsigned quota;                         /* retry token bucket, shared by the client's operations */
    int all_old_supported;                  /* seen: the server returns the item on a failed condition */
    olock__exchange x;                      /* olock_client_call and the plain operations */
    olock_task *blocking;                   /* the task behind the blocking versioned calls (lazily made) */
    void (*blocking_destroy)(olock_task *); /* how to free it: set by the engine, which makes it */
    olock__cache_entry *cache;
    unsigned cache_n;
    uint64_t cache_tick;
    uint64_t conflict_rtt_us; /* smoothed round trip of this client's conflicting writes, in us (0: none yet) */
};

OLOCK_API olock_config olock_config_default(void) {
    olock_config c;
    memset(&c, 0, sizeof c);
    c.retry.conflict_attempts = 10;
    c.retry.transient_attempts = 4;
    c.retry.base_ms = 25;
    c.retry.throttle_base_ms = 500;
    c.retry.cap_ms = 20000;
    c.retry.quota_capacity = 500;
    c.retry.quota_retry_cost = 5;
    c.retry.quota_timeout_cost = 10;
    c.retry.conflict_time_ms = 2000;
    c.retry.conflict_attempts_max = 100;
    c.retry.conflict_backoff_rtts = 32;
    c.max_response_bytes = OLOCK__DEFAULT_MAX_BYTES;
    c.versioning.attribute = "version";
    c.versioning.increment_by = 1;
    c.versioning.token_attribute = "olock_writers";
    c.versioning.token_history = 8;
    return c;
}

/* The version and ledger attributes as expression path text, made once: every versioned write
   names them. A name the builder cannot quote stays NULL (the engine then lets the builder
   report it with each write, as for any other path). */
static olock_result olock__attribute_paths(olock_client *c) {
    olock_expr *e = NULL;
    const char *vp, *tp, *hp;
    olock_result r = olock_expr_create(&c->alloc, &e);
    if (r != OLOCK_OK) return r;
    vp = olock_path_name(e, c->version_attribute);
    c->version_path = vp ? olock__strdup(&c->alloc, vp) : NULL;
    if (olock_expr_status(e, NULL) == OLOCK_ERR_NOMEM || (vp && !c->version_path)) r = OLOCK_ERR_NOMEM;
    olock_expr_reset(e); /* a failure is sticky: the second name gets a fresh start */
    tp = *c->token_attribute ? olock_path_name(e, c->token_attribute) : NULL;
    c->token_path = tp ? olock__strdup(&c->alloc, tp) : NULL;
    if (olock_expr_status(e, NULL) == OLOCK_ERR_NOMEM || (tp && !c->token_path)) r = OLOCK_ERR_NOMEM;
    hp = tp ? olock_path_index(e, tp, 0) : NULL;
    c->token_head_path = hp ? olock__strdup(&c->alloc, hp) : NULL;
    if (olock_expr_status(e, NULL) == OLOCK_ERR_NOMEM || (hp && !c->token_head_path)) r = OLOCK_ERR_NOMEM;
    olock_expr_destroy(e);
    return r;
}

/* 0 in a retry field means its default. */
static void olock__retry_fill(olock_retry_policy *p) {
    olock_config d = olock_config_default();
    if (!p->conflict_attempts) p->conflict_attempts = d.retry.conflict_attempts;
    if (!p->transient_attempts) p->transient_attempts = d.retry.transient_attempts;
    if (!p->base_ms) p->base_ms = d.retry.base_ms;
    if (!p->throttle_base_ms) p->throttle_base_ms = d.retry.throttle_base_ms;
    if (!p->cap_ms) p->cap_ms = d.retry.cap_ms;
    if (!p->quota_capacity) p->quota_capacity = d.retry.quota_capacity;
    if (!p->quota_retry_cost) p->quota_retry_cost = d.retry.quota_retry_cost;
    if (!p->quota_timeout_cost) p->quota_timeout_cost = d.retry.quota_timeout_cost;
    if (!p->conflict_time_ms) p->conflict_time_ms = d.retry.conflict_time_ms;
    if (!p->conflict_attempts_max) p->conflict_attempts_max = d.retry.conflict_attempts_max;
    if (!p->conflict_backoff_rtts) p->conflict_backoff_rtts = d.retry.conflict_backoff_rtts;
}

static void olock__exchange_init(olock__exchange *x, const olock_allocator *a, size_t max_response) {
    memset(x, 0, sizeof *x);
    olock_buf_init(&x->body, a);
    olock_buf_init(&x->sig, a);
    x->sig.secret = 1; /* X-Amz-Security-Token's value: wiped when it grows or is freed */
    olock_http_response_init(&x->res, a, max_response);
    olock_arena_init(&x->arena, a);
}

static void olock__exchange_free(olock__exchange *x) {
    olock_buf_free(&x->body);
    olock_buf_free(&x->sig);
    olock_http_response_free(&x->res);
    olock_arena_free(&x->arena);
}

/* Keeps the endpoint URL, its Host header value ("host[:port]") and its path (for the
   signature), split by olock_url_split, the one URL parser. */
static olock_result olock__client_set_url(olock_client *c, const char *url, olock_error *err) {
    olock_url_parts parts;
    olock_result r;
    c->url = olock__strdup(&c->alloc, url);
    if (!c->url) {
        olock__error_set(err, OLOCK_ERR_NOMEM, "out of memory");
        return OLOCK_ERR_NOMEM;
    }
    r = olock_url_split(c->url, &parts, err);
    if (r != OLOCK_OK) return r;
    c->host = (char *)olock__alloc(&c->alloc, parts.host_len + 1);
    if (!c->host) {
        olock__error_set(err, OLOCK_ERR_NOMEM, "out of memory");
        return OLOCK_ERR_NOMEM;
    }
    memcpy(c->host, parts.host, parts.host_len);
    c->host[parts.host_len] = 0;
    c->path = parts.path; /* runs to the end of c->url (no query allowed), or a static "/" */
    return OLOCK_OK;
}

static int64_t olock__default_unix_time(void *u) {
    (void)u;
    return (int64_t)time(NULL);
}

/* What a network transport still lacks, as settings to set (OLOCK_ERR_CONFIG). Without it,
   requests would go out unsigned (MissingAuthenticationToken) or to http://localhost/. */
static olock_result olock__client_missing(const olock_client *c, const olock_config *cfg, int no_creds, olock_error *err) {
    int env = !cfg->ignore_environment;
    char region[200], creds[176];
    region[0] = creds[0] = 0;
    if (!c->aws.region && !c->aws.endpoint)
        snprintf(region, sizeof region, "no region and no endpoint: set config.region%s (plus config.endpoint%s "
                                        "for a server other than DynamoDB)",
                 env ? " or AWS_REGION" : "", env ? " or AWS_ENDPOINT_URL_DYNAMODB" : "");
    else if (!c->aws.region)
        snprintf(region, sizeof region, "no region to sign requests with: set config.region%s (any, e.g. us-east-1, "
                                        "for a local server)",
                 env ? " or AWS_REGION" : "");
    if (no_creds)
        snprintf(creds, sizeof creds, "no credentials: set config.credentials%s (any key for a local server)",
                 env ? ", AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or the shared credentials file" : "");
    olock__error_set(err, OLOCK_ERR_CONFIG, "network transport: %s%s%s", region, *region && *creds ? "; " : "", creds);
    return OLOCK_ERR_CONFIG;
}

/* Endpoint, region and credentials, explicit first, then the environment; signing when both
   credentials and a region are known (a network transport requires both). */
static olock_result olock__client_resolve(olock_client *c, const olock_config *cfg, olock_error *err) {
    olock_env none;
    const olock_env *env = NULL;
    olock_error e;
    olock_result r;
    const char *url;
    olock_credentials creds;
    int network = cfg->transport.kind == OLOCK_TRANSPORT_NETWORK, no_creds;
    if (cfg->ignore_environment) {
        none.get = NULL;
        none.user = NULL;
        env = &none;
    }
    if (cfg->ignore_environment && !cfg->credentials.access_key_id && !cfg->credentials.secret_access_key) {
        r = OLOCK_ERR_CREDENTIALS; /* nothing explicit, nothing else to look at */
        olock__error_set(&e, r, "no credentials");
    } else {
        r = olock_aws_config_resolve_credentials(&c->aws, &cfg->credentials, env, &e);
    }
    if (r != OLOCK_OK && !(r == OLOCK_ERR_CREDENTIALS && !cfg->credentials.access_key_id && !cfg->credentials.secret_access_key && strncmp(e.message, "no credentials", 14) == 0)) {
        if (err) *err = e;
        return r; /* explicit ones are wrong, or the file is malformed */
    }
    no_creds = r != OLOCK_OK;
    /* A network transport also hears about a malformed AWS_REGION or AWS_ENDPOINT_URL*, and
       gets DynamoDB's endpoint for its region even when the environment is ignored. */
    if (cfg->region || !cfg->ignore_environment) {
        r = olock_aws_config_resolve_region(&c->aws, cfg->region, env, &e);
        if (r != OLOCK_OK && (cfg->region || (network && strncmp(e.message, "no region", 9) != 0))) {
            if (err) *err = e;
            return r;
        }
    }
    if (cfg->endpoint || !cfg->ignore_environment || network) {
        r = olock_aws_config_resolve_endpoint(&c->aws, cfg->endpoint, env, &e);
        if (r != OLOCK_OK && (cfg->endpoint || r == OLOCK_ERR_NOMEM || (network && strncmp(e.message, "no endpoint", 11) != 0))) {
            if (err) *err = e;
            return r;
        }
    }
    if (network && (!c->aws.region || !c->aws.endpoint || no_creds)) return olock__client_missing(c, cfg, no_creds, err);
    /* No endpoint anywhere: only an in-process transport can be meant, which ignores the URL. */
    url = c->aws.endpoint ? c->aws.endpoint : "http://localhost/";
    r = olock__client_set_url(c, url, err);
    if (r != OLOCK_OK) return r;
    if (c->aws.access_key_id && c->aws.region) {
        creds.access_key_id = c->aws.access_key_id;
        creds.secret_access_key = c->aws.secret_access_key;
        creds.session_token = c->aws.session_token;
        r = olock_sigv4_signer_init(&c->signer, &c->alloc, &creds, c->aws.region, "dynamodb", err);
        if (r != OLOCK_OK) {
            olock_sigv4_signer_free(&c->signer);
            return r;
        }
        c->signing = 1;
    }
    return OLOCK_OK;
}

static void olock__cache_free(olock_client *c) {
    unsigned i;
    if (!c->cache) return;
    for (i = 0; i < c->cache_n; i++) {
        olock_item_destroy(c->cache[i].item);
        olock_buf_free(&c->cache[i].id);
    }
    olock__free(&c->alloc, c->cache, sizeof *c->cache * c->cache_n);
    c->cache = NULL;
}

OLOCK_API void olock_client_destroy(olock_client *c) {
    olock_allocator a;
    if (!c) return;
    a = c->alloc;
    if (c->blocking) c->blocking_destroy(c->blocking);
    olock__cache_free(c);
    if (c->transport.destroy) c->transport.destroy(c->transport.user);
    olock__str_free(&a, &c->url, 0);
    olock__str_free(&a, &c->host, 0);
    if (c->signing) olock_sigv4_signer_free(&c->signer);
    olock_aws_config_free(&c->aws);
    olock__str_free(&a, &c->version_attribute, 0);
    olock__str_free(&a, &c->token_attribute, 0);
    olock__str_free(&a, &c->version_path, 0);
    olock__str_free(&a, &c->token_path, 0);
    olock__str_free(&a, &c->token_head_path, 0);
    olock__exchange_free(&c->x);
    olock__wipe(c, sizeof *c);
    olock__free(&a, c, sizeof *c);
}

/* Versioning with defaults filled in (strings still the caller's). */
static olock_versioning olock__versioning_fill(const olock_versioning *v) {
    olock_versioning d = olock_config_default().versioning;
    if (!v) return d;
    if (v->attribute && *v->attribute) d.attribute = v->attribute;
    d.start_at = v->start_at;
    if (v->increment_by) d.increment_by = v->increment_by;
    d.permissive = v->permissive;
    if (v->token_attribute) d.token_attribute = v->token_attribute;
    if (v->token_history) d.token_history = v->token_history;
    return d;
}

OLOCK_API olock_result olock_client_create(const olock_config *cfg, olock_client **out, olock_error *err) {
    olock_client *c;
    olock_result r;
    olock_versioning v;
    olock__error_clear(err);
    if (!cfg || !out) {
        if (cfg && cfg->transport.destroy) cfg->transport.destroy(cfg->transport.user);
        return olock__null_arg(err, "olock_client_create", cfg ? "out" : "cfg");
    }
    if ((cfg->allocator.malloc_fn || cfg->allocator.realloc_fn || cfg->allocator.free_fn) &&
        !(cfg->allocator.malloc_fn && cfg->allocator.realloc_fn && cfg->allocator.free_fn)) {
        if (cfg->transport.destroy) cfg->transport.destroy(cfg->transport.user);
        return olock__fail_at(err, OLOCK_ERR_CONFIG, 0, "allocator needs all of malloc_fn, realloc_fn and free_fn");
    }
    c = (olock_client *)olock__alloc(&cfg->allocator, sizeof *c);
    if (!c) {
        if (cfg->transport.destroy) cfg->transport.destroy(cfg->transport.user);
        return olock__fail_at(err, OLOCK_ERR_NOMEM, 0, "out of memory");
    }
    memset(c, 0, sizeof *c);
    c->alloc = cfg->allocator;
    c->transport = cfg->transport;
    c->retry = cfg->retry;
    olock__retry_fill(&c->retry);
    c->quota = c->retry.quota_capacity;
    c->hook_user = cfg->hook_user;
    c->now_ms = cfg->now_ms;
    c->sleep_ms = cfg->sleep_ms;
    c->random_u64 = cfg->random_u64;
    c->on_attempt = cfg->on_attempt;
    c->unix_time_s = cfg->unix_time_s;
    olock_aws_config_init(&c->aws, &c->alloc);
    c->rng = olock__seed(c);
    olock__exchange_init(&c->x, &c->alloc, cfg->max_response_bytes ? cfg->max_response_bytes : OLOCK__DEFAULT_MAX_BYTES);
    if (!cfg->transport.send) {
        r = OLOCK_ERR_CONFIG;
        olock__error_set(err, r, "config has no transport");
        goto fail;
    }
#if !OLOCK__HAVE_CLOCK
    if (!c->now_ms || !c->sleep_ms) {
        r = OLOCK_ERR_CONFIG;
        olock__error_set(err, r, "no monotonic clock in this build: set now_ms and sleep_ms in the config "
                                 "(or define _POSIX_C_SOURCE 200809L before any include)");
        goto fail;
    }
#else
    if (!c->now_ms) c->now_ms = olock__default_now_ms;
    if (!c->sleep_ms) c->sleep_ms = olock__default_sleep_ms;
#endif
    v = olock__versioning_fill(&cfg->versioning);
    if (v.token_history > 64) {
        r = OLOCK_ERR_CONFIG;
        olock__error_set(err, r, "versioning.token_history is at most 64");
        goto fail;
    }
    c->version_attribute = olock__strdup(&c->alloc, v.attribute);
    c->token_attribute = olock__strdup(&c->alloc, v.token_attribute);
    if (!c->version_attribute || !c->token_attribute) {
        r = OLOCK_ERR_NOMEM;
        goto oom;
    }
    c->versioning = v;
    c->versioning.attribute = c->version_attribute;
    c->versioning.token_attribute = c->token_attribute;
    c->version_attribute_len = strlen(c->version_attribute);
    c->token_attribute_len = strlen(c->token_attribute);
    r = olock__attribute_paths(c);
    if (r != OLOCK_OK) goto oom;
    r = olock__client_resolve(c, cfg, err);
    if (r != OLOCK_OK) goto fail;
    if (cfg->cache_entries) {
        unsigned i;
        c->cache = (olock__cache_entry *)olock__alloc(&c->alloc, sizeof *c->cache * cfg->cache_entries);
        if (!c->cache) {
            r = OLOCK_ERR_NOMEM;
            goto oom;
        }
        c->cache_n = cfg->cache_entries;
        for (i = 0; i < c->cache_n; i++) {
            c->cache[i].item = NULL;
            c->cache[i].used = 0;
            olock_buf_init(&c->cache[i].id, &c->alloc);
        }
    }
    *out = c;
    return OLOCK_OK;
oom:
    olock__error_set(err, r, "out of memory");
fail:
    olock_client_destroy(c);
    return r;
}

OLOCK_API uint64_t olock_client_now_ms(olock_client *c) {
    return c && c->now_ms ? c->now_ms(c->hook_user) : 0;
}

static uint64_t olock__random(olock_client *c) {
    return c->random_u64 ? c->random_u64(c->hook_user) : olock__xorshift(&c->rng);
}

/* Fills x->req for the body in x->body: the fixed headers, then the signature. */
static olock_result olock__build_http(olock_client *c, olock__exchange *x, olock_op op, olock_error *err) {
    static const char prefix[] = "DynamoDB_20120810.";
    const char *name = olock_op_name(op);
    size_t n = 0;
    memcpy(x->target, prefix, sizeof prefix - 1);
    memcpy(x->target + sizeof prefix - 1, name, strlen(name) + 1);
    x->headers[n].name = "Host";
    x->headers[n++].value = c->host;
    x->headers[n].name = "Content-Type";
    x->headers[n++].value = "application/x-amz-json-1.0";
    x->headers[n].name = "X-Amz-Target";
    x->headers[n++].value = x->target;
    x->token = c->signing ? c->aws.session_token : NULL;
    if (c->signing) {
        olock_sigv4_request sr;
        olock_sigv4_signature sig;
        olock_result r;
        size_t i, off[4];
        sr.method = "POST";
        sr.path = c->path;
        sr.query = NULL;
        sr.headers = x->headers;
        sr.header_count = n;
        sr.body = x->body.data;
        sr.body_len = x->body.len;
        sr.payload_hash = NULL;
        r = olock_sigv4_signer_sign(&c->signer, &sr, (c->unix_time_s ? c->unix_time_s : olock__default_unix_time)(c->hook_user),
                                    OLOCK_SIGV4_NORMALIZE_PATH, &sig, err);
        if (r != OLOCK_OK) return r;
        /* The signer's output lives until its next signature, and other tasks of this client
           may sign before this request goes out: keep a copy with the exchange. */
        olock_buf_clear(&x->sig);
        for (i = 0; i < sig.header_count && i < 4; i++) {
            off[i] = x->sig.len;
            r = olock_buf_append(&x->sig, sig.headers[i].value, strlen(sig.headers[i].value) + 1);
            if (r != OLOCK_OK) {
                olock__error_set(err, r, "out of memory");
                return r;
            }
        }
        for (i = 0; i < sig.header_count && i < 4; i++) {
            x->headers[n].name = sig.headers[i].name; /* static names */
            x->headers[n++].value = x->sig.data + off[i];
        }
    }
    x->req.method = "POST";
    x->req.url = c->url;
    x->req.headers = x->headers;
    x->req.header_count = n;
    x->req.body = x->body.data ? x->body.data : "";
    x->req.body_len = x->body.len;
    olock_http_response_reset(&x->res);
    return OLOCK_OK;
}

/* Copies a server's error message with the session token cut out: for a signature mismatch
   AWS echoes the canonical request it computed, X-Amz-Security-Token's value included, and
   olock_error.message never shows a secret. The token's first 16 bytes are enough to spot
   it; the whole run that matches it is replaced. */
static void olock__copy_message(char *dst, size_t cap, const char *msg, const char *token) {
    static const char mark[] = "[redacted]";
    size_t len = strlen(msg), k = token ? strlen(token) : 0, i = 0, n = 0, m;
    if (cap == 0) return;
    if (k > 16) k = 16;
    while (i < len && n + 1 < cap) {
        if (k && len - i >= k && memcmp(msg + i, token, k) == 0) {
            for (m = k; i + m < len && token[m] && msg[i + m] == token[m]; m++) {}
            i += m;
            for (m = 0; m < sizeof mark - 1 && n + 1 < cap; m++) dst[n++] = mark[m];
            continue;
        }
        dst[n++] = msg[i++];
    }
    dst[n] = 0;
}

/* Checks x-amz-crc32 when the server sent one. */
static olock_result olock__check_crc32(const olock_http_response *res, olock_error *err) {
    const char *h = olock_http_response_header(res, "x-amz-crc32");
    uint64_t want = 0;
    uint32_t got;
    if (!h) return OLOCK_OK;
    if (!*h) return olock__fail_at(err, OLOCK_ERR_RESPONSE, 0, "empty x-amz-crc32 header");
    if (!olock__u64_parse(h, strlen(h), &want) || want > 0xFFFFFFFFu)
        return olock__fail_at(err, OLOCK_ERR_RESPONSE, 0, "malformed x-amz-crc32 header");
    got = olock_crc32(0, res->body.data ? res->body.data : "", res->body.len);
    if (want != got) return olock__fail_at(err, OLOCK_ERR_CRC32, 0, "response body does not match x-amz-crc32");
    return OLOCK_OK;
}

/* Whether a response body starts as a JSON object, as every DynamoDB answer does. */
static int olock__body_is_object(const olock_http_response *res) {
    size_t i;
    for (i = 0; i < res->body.len; i++) {
        char ch = res->body.data[i];
        if (ch != ' ' && ch != '\t' && ch != '\r' && ch != '\n') return ch == '{';
    }
    return 0;
}

/* The message for an answer no DynamoDB sends (an empty body, one that is not a JSON object,
   an error without __type): its status, how its body starts and the endpoint, since the usual
   cause is an endpoint that is not DynamoDB (a web server, a wrong port or path, a proxy's
   error page). The code, status and offset stay as they are. */
static void olock__not_dynamodb(const olock__exchange *x, olock_result code, olock_error *err) {
    const olock_http_response *res = &x->res;
    const char *loc = res->status >= 300 && res->status < 400 ? olock_http_response_header(res, "Location") : NULL;
    char shown[48], start[64], what[200];
    size_t i, n = res->body.len < sizeof shown - 1 ? res->body.len : sizeof shown - 1;
    if (!err) return;
    for (i = 0; i < n; i++) {
        char ch = res->body.data[i];
        shown[i] = ch >= 0x20 && ch < 0x7f ? ch : ' ';
    }
    shown[n] = 0;
    olock__copy_message(start, sizeof start, shown, x->token);
    if (loc) snprintf(what, sizeof what, "a redirect to %.120s (olock follows none)", loc);
    else if (!res->body.len) snprintf(what, sizeof what, "an empty body");
    else snprintf(what, sizeof what, "%s: \"%s%s\"", olock__body_is_object(res) ? "an error without __type" : "a body that is not a JSON object",
                  start, res->body.len > n ? "..." : "");
    olock__error_set(err, code, "HTTP %d with %s: is the endpoint (%.100s) DynamoDB%s?", res->status, what,
                     x->req.url ? x->req.url : "", res->status >= 500 ? ", or a proxy in front of it" : "");
}

static int olock__op_is_read(olock_op op) {
    return op == OLOCK_OP_GET_ITEM || op == OLOCK_OP_TRANSACT_GET_ITEMS || op == OLOCK_OP_BATCH_GET_ITEM ||
        op == OLOCK_OP_QUERY || op == OLOCK_OP_SCAN || op == OLOCK_OP_DESCRIBE_TABLE || op == OLOCK_OP_LIST_TABLES;
}

/* Turns what the transport returned and the response it filled into a result, with x->decoded
   and err filled in. OLOCK_OK only for a success response. */
static olock_result olock__finish_exchange(olock__exchange *x, olock_op op, olock_result sent, olock_error *err) {
    olock_response *res = &x->decoded;
    olock_result r;
    unsigned attempts = err ? err->attempts : 0;
    char why[sizeof x->transport_error];
    /* taken once: a driver of its own (olock_task_complete) leaves it empty */
    olock__copy_message(why, sizeof why, x->transport_error, x->token);
    x->transport_error[0] = 0;
    olock__error_clear(err);
    if (err) err->attempts = attempts;
    memset(res, 0, sizeof *res);
    olock_arena_reset(&x->arena);
    if (sent != OLOCK_OK) {
        /* Running out of room while receiving happens after sending: a write may have been applied. */
        olock_result after = olock__op_is_read(op) ? sent : OLOCK_ERR_MAYBE_SENT;
        if (sent == OLOCK_ERR_LIMIT) {
            olock__error_set(err, after, "response body exceeds max_response_bytes (%lu)%s", (unsigned long)x->res.body.max,
                             after == sent ? "" : "; the request may have been applied");
            return after;
        }
        if (sent == OLOCK_ERR_NOMEM) {
            olock__error_set(err, after, "out of memory while receiving the response%s", after == sent ? "" : "; the request may have been applied");
            return after;
        }
        if (sent == OLOCK_ERR_INVALID_ARG || sent == OLOCK_ERR_UNSUPPORTED) { /* refused before sending */
            olock__error_set(err, sent, "the transport refused the request: %s%s%s", olock_result_str(sent), *why ? ": " : "", why);
            return sent;
        }
        if (sent != OLOCK_ERR_NOT_SENT) sent = OLOCK_ERR_MAYBE_SENT;
        if (sent == OLOCK_ERR_MAYBE_SENT && olock__op_is_read(op)) {
            /* A read changes nothing, so it is never "maybe applied": it just got no answer. */
            sent = OLOCK_ERR_TRANSIENT;
            olock__error_set(err, sent, "no answer to %s (%s); a read changes nothing, so it can simply be retried",
                             olock_op_name(op), *why ? why : "timeout or connection lost after sending");
        } else if (*why) {
            olock__error_set(err, sent, "%s: %s", sent == OLOCK_ERR_NOT_SENT ? "request not sent" : "request may have been applied", why);
        } else {
            olock__error_set(err, sent, "%s", olock_result_str(sent));
        }
        if (err) err->error_class = OLOCK_CLASS_TRANSIENT;
        return sent;
    }
    if (err) err->http_status = x->res.status;
    r = olock__check_crc32(&x->res, err);
    if (r == OLOCK_ERR_CRC32) {
        if (err) err->error_class = OLOCK_CLASS_TRANSIENT;
    }
    if (r == OLOCK_OK && x->item_only &&
        olock__response_decode_item(&x->arena, op, x->res.status, x->res.body.data, x->res.body.len, res))
        return OLOCK_OK;
    if (r == OLOCK_OK) {
        if (x->item_only) olock_arena_reset(&x->arena); /* what the one-pass decoder left */
        r = olock_response_decode(&x->arena, op, x->res.status, x->res.body.data, x->res.body.len, res, err);
        if (err) {
            err->attempts = attempts;
            err->http_status = x->res.status;
        }
        if ((r == OLOCK_ERR_PARSE || r == OLOCK_ERR_RESPONSE) && !olock__body_is_object(&x->res)) olock__not_dynamodb(x, r, err);
    }
    if (r != OLOCK_OK) return r;
    if (res->error_class == OLOCK_CLASS_NONE) return OLOCK_OK;
    r = olock_class_result(res->error_class);
    if (err) {
        err->code = r;
        err->error_class = res->error_class;
        if (res->error_type) olock__copy_str(err->aws_type, sizeof err->aws_type, res->error_type, strlen(res->error_type));
        if (!res->error_type) olock__not_dynamodb(x, r, err);
        else if (res->error_message) olock__copy_message(err->message, sizeof err->message, res->error_message, x->token);
        else olock__error_set(err, r, "HTTP %d %s", res->http_status, res->error_type);
    }
    return r;
}

/* The transport's own words about the failure r of its last send ("" when r is OK or it has
   none). */
static const char *olock__transport_why(olock_client *c, olock_result r) {
    const char *why = r != OLOCK_OK && c->transport.last_error ? c->transport.last_error(c->transport.user) : NULL;
    return why ? why : "";
}

/* Sends x->req with the client's transport, keeping the transport's own words about a failure
   for olock__finish_exchange. */
static olock_result olock__transport_send(olock_client *c, olock__exchange *x) {
    olock_result r = c->transport.send(c->transport.user, &x->req, &x->res);
    const char *why = olock__transport_why(c, r);
    olock__copy_str(x->transport_error, sizeof x->transport_error, why, strlen(why));
    return r;
}

/* One request, one attempt, on the client's own exchange. */
static olock_result olock__client_roundtrip(olock_client *c, olock_op op, olock_response *out, olock_error *err) {
    olock_result r = olock__build_http(c, &c->x, op, err);
    if (r != OLOCK_OK) return r;
    if (err) err->attempts++;
    r = olock__transport_send(c, &c->x);
    r = olock__finish_exchange(&c->x, op, r, err);
    if (out && (r == OLOCK_OK || c->x.decoded.op)) *out = c->x.decoded;
    return r;
}

OLOCK_API olock_result olock_client_call(olock_client *c, olock_op op, const char *body, size_t len,
                                         olock_response *out, olock_error *err) {
    olock_result r;
    olock__error_clear(err);
    if (!c) return olock__null_arg(err, "olock_client_call", "c");
    if (op <= 0 || op >= OLOCK_OP_COUNT_) return olock__invalid_arg(err, "olock_client_call: op %d is not an olock_op", (int)op);
    if (!body && len) return olock__invalid_arg(err, "olock_client_call: body is NULL and len is %lu", (unsigned long)len);
    olock_buf_clear(&c->x.body);
    r = olock_buf_append(&c->x.body, body ? body : "", len);
    if (r != OLOCK_OK) return olock__fail_at(err, r, 0, "out of memory");
    return olock__client_roundtrip(c, op, out, err);
}

/* An encoder's complaint about an argument, said in the name of the client call `fn`. */
static olock_result olock__client_encoded(olock_result rc, const char *fn, olock_error *err) {
    if (rc == OLOCK_ERR_INVALID_ARG) olock__error_rename(err, fn);
    return rc;
}

static olock_result olock__client_item_op(olock_client *c, const char *fn, olock_op op, const olock_item_request *r,
                                          olock_response *out, olock_error *err) {
    olock_result rc;
    if (!c) {
        olock__error_clear(err);
        return olock__null_arg(err, fn, "c");
    }
    olock_buf_clear(&c->x.body);
    rc = olock_encode_item_request(op, r, &c->x.body, err);
    return rc != OLOCK_OK ? olock__client_encoded(rc, fn, err) : olock__client_roundtrip(c, op, out, err);
}

OLOCK_API olock_result olock_get_item(olock_client *c, const olock_item_request *r, olock_response *out, olock_error *err) {
    return olock__client_item_op(c, "olock_get_item", OLOCK_OP_GET_ITEM, r, out, err);
}
OLOCK_API olock_result olock_put_item(olock_client *c, const olock_item_request *r, olock_response *out, olock_error *err) {
    return olock__client_item_op(c, "olock_put_item", OLOCK_OP_PUT_ITEM, r, out, err);
}
OLOCK_API olock_result olock_update_item(olock_client *c, const olock_item_request *r, olock_response *out, olock_error *err) {
    return olock__client_item_op(c, "olock_update_item", OLOCK_OP_UPDATE_ITEM, r, out, err);
}
OLOCK_API olock_result olock_delete_item(olock_client *c, const olock_item_request *r, olock_response *out, olock_error *err) {
    return olock__client_item_op(c, "olock_delete_item", OLOCK_OP_DELETE_ITEM, r, out, err);
}

OLOCK_API olock_result olock_transact_write_items(olock_client *c, const olock_txn_action *actions, size_t count,
                                                  const char *client_request_token, olock_response *out, olock_error *err) {
    olock_result rc;
    if (!c) {
        olock__error_clear(err);
        return olock__null_arg(err, "olock_transact_write_items", "c");
    }
    olock_buf_clear(&c->x.body);
    rc = olock_encode_transact_write(actions, count, client_request_token, &c->x.body, err);
    return rc != OLOCK_OK ? olock__client_encoded(rc, "olock_transact_write_items", err)
                          : olock__client_roundtrip(c, OLOCK_OP_TRANSACT_WRITE_ITEMS, out, err);
}

OLOCK_API olock_result olock_query(olock_client *c, const olock_query_request *r, olock_response *out, olock_error *err) {
    olock_result rc;
    if (!c) {
        olock__error_clear(err);
        return olock__null_arg(err, "olock_query", "c");
    }
    olock_buf_clear(&c->x.body);
    rc = olock_encode_query(OLOCK_OP_QUERY, r, &c->x.body, err);
    return rc != OLOCK_OK ? olock__client_encoded(rc, "olock_query", err) : olock__client_roundtrip(c, OLOCK_OP_QUERY, out, err);
}

OLOCK_API olock_result olock_create_table(olock_client *c, const olock_create_table_request *r, olock_response *out, olock_error *err) {
    olock_result rc;
    if (!c) {
        olock__error_clear(err);
        return olock__null_arg(err, "olock_create_table", "c");
    }
    olock_buf_clear(&c->x.body);
    rc = olock_encode_create_table(r, &c->x.body, err);
    return rc != OLOCK_OK ? olock__client_encoded(rc, "olock_create_table", err) : olock__client_roundtrip(c, OLOCK_OP_CREATE_TABLE, out, err);
}

static olock_result olock__client_table_op(olock_client *c, const char *fn, olock_op op, const char *table, olock_response *out, olock_error *err) {
    olock_result rc;
    if (!c) {
        olock__error_clear(err);
        return olock__null_arg(err, fn, "c");
    }
    olock_buf_clear(&c->x.body);
    rc = olock_encode_table_op(op, table, &c->x.body, err);
    return rc != OLOCK_OK ? olock__client_encoded(rc, fn, err) : olock__client_roundtrip(c, op, out, err);
}

OLOCK_API olock_result olock_delete_table(olock_client *c, const char *table, olock_response *out, olock_error *err) {
    return olock__client_table_op(c, "olock_delete_table", OLOCK_OP_DELETE_TABLE, table, out, err);
}
OLOCK_API olock_result olock_describe_table(olock_client *c, const char *table, olock_response *out, olock_error *err) {
    return olock__client_table_op(c, "olock_describe_table", OLOCK_OP_DESCRIBE_TABLE, table, out, err);
}

/* ---- request initialisers ---------------------------------------------------------------- */

/* Every request struct starts all 0 / NULL, as olock_config_default() does for the config. */
#define OLOCK__DEFAULT_FN(type) \
    OLOCK_API type type##_default(void) { \
        type r; \
        memset(&r, 0, sizeof r); \
        return r; \
    }
OLOCK__DEFAULT_FN(olock_item_request)
OLOCK__DEFAULT_FN(olock_query_request)
OLOCK__DEFAULT_FN(olock_create_table_request)
OLOCK__DEFAULT_FN(olock_txn_action)
OLOCK__DEFAULT_FN(olock_batch_get_table)
OLOCK__DEFAULT_FN(olock_batch_write_entry)
OLOCK__DEFAULT_FN(olock_sigv4_request)
#undef OLOCK__DEFAULT_FN

/* ---- everyday calls ------------------------------------------------------------------------ */

/* The allocator for what a client call hands over: the config's, else the default one. */
static const olock_allocator *olock__client_out_alloc(const olock_client *c) {
    return c->alloc.malloc_fn ? &c->alloc : NULL;
}

OLOCK_API olock_result olock_get(olock_client *c, const char *table, const olock_value *key, int consistent,
                                 olock_item **out, olock_error *err) {
    olock_item_request r = olock_item_request_default();
    olock_response res;
    olock_item *it = NULL;
    olock_value *root;
    olock_result rc;
    olock__error_clear(err);
    if (!c) return olock__null_arg(err, "olock_get", "c");
    if (!table || !*table) return olock__invalid_arg(err, "olock_get: table is NULL or empty");
    if (!key) return olock__null_arg(err, "olock_get", "key");
    if (!out) return olock__null_arg(err, "olock_get", "out");
    r.table = table;
    r.key = key;
    r.consistent_read = consistent ? 1 : 0;
    rc = olock__client_item_op(c, "olock_get", OLOCK_OP_GET_ITEM, &r, &res, err);
    if (rc != OLOCK_OK) return rc;
    if (!res.item) {
        olock__error_set(err, OLOCK_ERR_NOT_FOUND, "olock_get: no item with that key in table \"%s\"", table);
        return OLOCK_ERR_NOT_FOUND;
    }
    rc = olock_item_create(olock__client_out_alloc(c), &it);
    if (rc != OLOCK_OK) return olock__fail_at(err, rc, 0, "out of memory");
    root = olock_value_copy(&it->arena, res.item);
    if (!root) {
        olock_item_destroy(it);
        return olock__fail_at(err, OLOCK_ERR_NOMEM, 0, "out of memory");
    }
    it->root = root;
    *out = it;
    return OLOCK_OK;
}

OLOCK_API olock_result olock_scan(olock_client *c, const olock_query_request *r, olock_response *out, olock_error *err) {
    olock_result rc;
    if (!c) {
        olock__error_clear(err);
        return olock__null_arg(err, "olock_scan", "c");
    }
    olock_buf_clear(&c->x.body);
    rc = olock_encode_query(OLOCK_OP_SCAN, r, &c->x.body, err);
    return rc != OLOCK_OK ? olock__client_encoded(rc, "olock_scan", err) : olock__client_roundtrip(c, OLOCK_OP_SCAN, out, err);
}

OLOCK_API olock_result olock_transact_get(olock_client *c, const olock_item_request *gets, size_t count,
                                          olock_response *out, olock_error *err) {
    olock_result rc;
    if (!c) {
        olock__error_clear(err);
        return olock__null_arg(err, "olock_transact_get", "c");
    }
    olock_buf_clear(&c->x.body);
    rc = olock_encode_transact_get(gets, count, &c->x.body, err);
    return rc != OLOCK_OK ? olock__client_encoded(rc, "olock_transact_get", err)
                          : olock__client_roundtrip(c, OLOCK_OP_TRANSACT_GET_ITEMS, out, err);
}

struct olock_pager {
    olock_client *c;
    olock_op op;
    olock_query_request r; /* the caller's, with exclusive_start_key the next page's */
    olock_arena arena[2];  /* the key of the next page in arena[cur]; the other is spare */
    int cur;
    int done;
};

OLOCK_API olock_result olock_pager_begin(olock_client *c, olock_op op, const olock_query_request *r,
                                         olock_pager **out, olock_error *err) {
    olock_pager *p;
    olock__error_clear(err);
    if (!c) return olock__null_arg(err, "olock_pager_begin", "c");
    if (op != OLOCK_OP_QUERY && op != OLOCK_OP_SCAN)
        return olock__invalid_arg(err, "olock_pager_begin: op %d is neither OLOCK_OP_QUERY nor OLOCK_OP_SCAN", (int)op);
    if (!r) return olock__null_arg(err, "olock_pager_begin", "r");
    if (!out) return olock__null_arg(err, "olock_pager_begin", "out");
    p = (olock_pager *)olock__alloc(&c->alloc, sizeof *p);
    if (!p) return olock__fail_at(err, OLOCK_ERR_NOMEM, 0, "out of memory");
    p->c = c;
    p->op = op;
    p->r = *r;
    olock_arena_init(&p->arena[0], &c->alloc);
    olock_arena_init(&p->arena[1], &c->alloc);
    p->cur = 0;
    p->done = 0;
    *out = p;
    return OLOCK_OK;
}

OLOCK_API olock_result olock_pager_next(olock_pager *p, olock_response *page, olock_error *err) {
    const char *fn = "olock_pager_next";
    olock_response res;
    olock_value *next = NULL;
    olock_result rc;
    olock__error_clear(err);
    if (!p) return olock__null_arg(err, fn, "p");
    if (!page) return olock__null_arg(err, fn, "page");
    if (p->done) {
        olock__error_set(err, OLOCK_ERR_NOT_FOUND, "olock_pager_next: no more pages");
        return OLOCK_ERR_NOT_FOUND;
    }
    olock_buf_clear(&p->c->x.body);
    rc = olock_encode_query(p->op, &p->r, &p->c->x.body, err);
    if (rc != OLOCK_OK) return olock__client_encoded(rc, fn, err);
    rc = olock__client_roundtrip(p->c, p->op, &res, err);
    if (rc != OLOCK_OK) return rc;
    /* Into the spare arena, so that a failure leaves the page to resend as it was. */
    olock_arena_reset(&p->arena[!p->cur]);
    if (res.last_evaluated_key && !(next = olock_value_copy(&p->arena[!p->cur], res.last_evaluated_key)))
        return olock__fail_at(err, OLOCK_ERR_NOMEM, 0, "out of memory");
    p->cur = !p->cur;
    p->r.exclusive_start_key = next;
    p->done = next == NULL;
    *page = res;
    return OLOCK_OK;
}

OLOCK_API void olock_pager_destroy(olock_pager *p) {
    if (!p) return;
    olock_arena_free(&p->arena[0]);
    olock_arena_free(&p->arena[1]);
    olock__free(&p->c->alloc, p, sizeof *p);
}

/* Full jitter, for every resend of the library (the engine's and the batch calls'): a uniform
   delay in [0, min(cap, base * 2^(n-1))], base the throttling one when throttled. */
static uint64_t olock__backoff(olock_client *c, int throttled, unsigned n) {
    const olock_retry_policy *p = &c->retry;
    uint64_t ceiling = throttled ? p->throttle_base_ms : p->base_ms;
    unsigned i;
    for (i = 1; i < n && ceiling < p->cap_ms; i++) ceiling *= 2;
    if (ceiling > p->cap_ms) ceiling = p->cap_ms;
    return ceiling ? olock__random(c) % (ceiling + 1) : 0;
}

/* The UnprocessedItems of a BatchWriteItem response as entries in `a`. */
static olock_result olock__unprocessed_writes(olock_arena *a, const olock_response *res, olock_batch_write_entry **out,
                                              size_t *n, olock_error *err) {
    const olock_json *u = res->json ? olock_json_get(res->json, "UnprocessedItems") : NULL, *t, *e, *req, *m;
    olock_batch_write_entry *list;
    olock_value *v = NULL;
    size_t count = 0;
    olock_result r;
    *out = NULL;
    *n = 0;
    if (!u || u->kind != OLOCK_JSON_OBJECT) return OLOCK_OK;
    for (t = u->first; t; t = t->next)
        if (t->kind == OLOCK_JSON_ARRAY) count += t->count;
    if (!count) return OLOCK_OK;
    list = (olock_batch_write_entry *)olock_arena_alloc(a, count * sizeof *list);
    if (!list) return olock__fail_at(err, OLOCK_ERR_NOMEM, 0, "out of memory");
    for (t = u->first; t; t = t->next) {
        const char *table;
        if (t->kind != OLOCK_JSON_ARRAY) continue;
        if (!(table = olock_arena_strdup(a, t->key, t->key_len))) return olock__fail_at(err, OLOCK_ERR_NOMEM, 0, "out of memory");
        for (e = t->first; e; e = e->next) {
            olock_batch_write_entry *w = &list[*n];
            int put = (req = olock_json_get(e, "PutRequest")) != NULL;
            if (!put) req = olock_json_get(e, "DeleteRequest");
            m = req ? olock_json_get(req, put ? "Item" : "Key") : NULL;
            if (!m) return olock__fail_at(err, OLOCK_ERR_RESPONSE, e->offset, "olock_batch_write: an unprocessed item is neither a PutRequest nor a DeleteRequest");
            if ((r = olock_map_from_json(a, m, &v, err)) != OLOCK_OK) return r;
            *w = olock_batch_write_entry_default();
            w->table = table;
            if (put) w->put_item = v;
            else w->delete_key = v;
            ++*n;
        }
    }
    *out = list;
    return OLOCK_OK;
}

OLOCK_API olock_result olock_batch_write(olock_client *c, const olock_batch_write_entry *entries, size_t count,
                                         olock_error *err) {
    const char *fn = "olock_batch_write";
    olock_arena arena[2];
    olock_result rc = OLOCK_OK;
    unsigned attempts = c ? (c->retry.transient_attempts ? c->retry.transient_attempts : 1) : 1, sends = 0, n;
    size_t start, left = 0, i;
    int cur = 0;
    olock__error_clear(err);
    if (!c) return olock__null_arg(err, fn, "c");
    if (!entries && count) return olock__invalid_arg(err, "olock_batch_write: entries is NULL and count is %lu", (unsigned long)count);
    for (i = 0; i < count; i++)
        if (!entries[i].table || !*entries[i].table || !entries[i].put_item == !entries[i].delete_key)
            return olock__invalid_arg(err, "olock_batch_write: entries[%lu] needs a table and exactly one of put_item and delete_key", (unsigned long)i);
    olock_arena_init(&arena[0], &c->alloc);
    olock_arena_init(&arena[1], &c->alloc);
    for (start = 0; start < count && rc == OLOCK_OK; start += 25) {
        const olock_batch_write_entry *todo = entries + start;
        size_t todo_n = count - start < 25 ? count - start : 25;
        for (n = 1; todo_n; n++) {
            olock_response res;
            olock_batch_write_entry *next = NULL;
            if (n > attempts) {
                left = todo_n + (count - start - (count - start < 25 ? count - start : 25));
                rc = OLOCK_ERR_THROTTLED;
                break;
            }
            if (n > 1) c->sleep_ms(c->hook_user, olock__backoff(c, 0, n - 1));
            olock_buf_clear(&c->x.body);
            rc = olock_encode_batch_write(todo, todo_n, &c->x.body, err);
            if (rc != OLOCK_OK) {
                olock__client_encoded(rc, fn, err);
                break;
            }
            rc = olock__client_roundtrip(c, OLOCK_OP_BATCH_WRITE_ITEM, &res, err);
            sends++;
            if (rc != OLOCK_OK) break;
            olock_arena_reset(&arena[!cur]);
            rc = olock__unprocessed_writes(&arena[!cur], &res, &next, &todo_n, err);
            if (rc != OLOCK_OK) break;
            cur = !cur;
            todo = next;
        }
    }
    olock_arena_free(&arena[0]);
    olock_arena_free(&arena[1]);
    if (err) err->attempts = sends;
    if (rc == OLOCK_ERR_THROTTLED)
        olock__error_set(err, rc, "olock_batch_write: %lu of %lu items still unprocessed after %u requests for them",
                         (unsigned long)left, (unsigned long)count, attempts);
    return rc;
}

/* The next request's worth (at most 100 keys) of tables[*ti].keys[*ki...], as slices in `a`. */
static olock_result olock__batch_get_slice(olock_arena *a, const olock_batch_get_table *tables, size_t count, size_t *ti,
                                           size_t *ki, olock_batch_get_table **out, size_t *n) {
    size_t room = 100;
    olock_batch_get_table *list = (olock_batch_get_table *)olock_arena_alloc(a, (count ? count : 1) * sizeof *list);
    *n = 0;
    if (!list) return OLOCK_ERR_NOMEM;
    while (*ti < count && room) {
        const olock_batch_get_table *t = &tables[*ti];
        size_t take = t->key_count - *ki < room ? t->key_count - *ki : room;
        if (take) {
            list[*n] = *t;
            list[*n].keys = t->keys + *ki;
            list[*n].key_count = take;
            ++*n;
            room -= take;
            *ki += take;
        }
        if (*ki == t->key_count) {
            ++*ti;
            *ki = 0;
        }
    }
    *out = list;
    return OLOCK_OK;
}

/* The UnprocessedKeys of a BatchGetItem response as tables in `a`, each with the projection,
   names and consistency of the request's table of that name. */
static olock_result olock__unprocessed_keys(olock_arena *a, const olock_response *res, const olock_batch_get_table *sent,
                                            size_t sent_n, olock_batch_get_table **out, size_t *n, size_t *keys,
                                            olock_error *err) {
    const olock_json *u = res->json ? olock_json_get(res->json, "UnprocessedKeys") : NULL, *t, *ks, *k;
    olock_batch_get_table *list;
    size_t count = 0, i;
    olock_result r;
    *out = NULL;
    *n = 0;
    *keys = 0;
    if (!u || u->kind != OLOCK_JSON_OBJECT || !u->count) return OLOCK_OK;
    for (t = u->first; t; t = t->next) count++;
    list = (olock_batch_get_table *)olock_arena_alloc(a, count * sizeof *list);
    if (!list) return olock__fail_at(err, OLOCK_ERR_NOMEM, 0, "out of memory");
    for (t = u->first; t; t = t->next) {
        const olock_value **vals;
        const olock_batch_get_table *orig = NULL;
        ks = t->kind == OLOCK_JSON_OBJECT ? olock_json_get(t, "Keys") : NULL;
        if (!ks || ks->kind != OLOCK_JSON_ARRAY) return olock__fail_at(err, OLOCK_ERR_RESPONSE, t->offset, "olock_batch_get: UnprocessedKeys without Keys");
        for (i = 0; i < sent_n && !orig; i++)
            if (strlen(sent[i].table) == t->key_len && memcmp(sent[i].table, t->key, t->key_len) == 0) orig = &sent[i];
        if (!orig) return olock__fail_at(err, OLOCK_ERR_RESPONSE, t->offset, "olock_batch_get: UnprocessedKeys names a table that was not asked for");
        if (!ks->count) continue;
        vals = (const olock_value **)olock_arena_alloc(a, ks->count * sizeof *vals);
        if (!vals) return olock__fail_at(err, OLOCK_ERR_NOMEM, 0, "out of memory");
        for (i = 0, k = ks->first; k; k = k->next, i++) {
            olock_value *v = NULL;
            if ((r = olock_map_from_json(a, k, &v, err)) != OLOCK_OK) return r;
            vals[i] = v;
        }
        list[*n] = *orig;
        list[*n].keys = vals;
        list[*n].key_count = ks->count;
        *keys += ks->count;
        ++*n;
    }
    *out = list;
    return OLOCK_OK;
}

OLOCK_API olock_result olock_batch_get(olock_client *c, const olock_batch_get_table *tables, size_t count,
                                       olock_batch_item_fn fn, void *user, olock_error *err) {
    const char *fn_name = "olock_batch_get";
    olock_arena arena[2];
    olock_result rc = OLOCK_OK;
    unsigned attempts = c ? (c->retry.transient_attempts ? c->retry.transient_attempts : 1) : 1, sends = 0, n;
    size_t ti = 0, ki = 0, total = 0, left = 0, i;
    int cur = 0;
    olock__error_clear(err);
    if (!c) return olock__null_arg(err, fn_name, "c");
    if (!fn) return olock__null_arg(err, fn_name, "fn");
    if (!tables && count) return olock__invalid_arg(err, "olock_batch_get: tables is NULL and count is %lu", (unsigned long)count);
    for (i = 0; i < count; i++) {
        if (!tables[i].table || !*tables[i].table || (!tables[i].keys && tables[i].key_count))
            return olock__invalid_arg(err, "olock_batch_get: tables[%lu] needs a name and its keys", (unsigned long)i);
        total += tables[i].key_count;
    }
    olock_arena_init(&arena[0], &c->alloc);
    olock_arena_init(&arena[1], &c->alloc);
    while (ti < count && rc == OLOCK_OK) {
        olock_batch_get_table *todo = NULL;
        size_t todo_n = 0, todo_keys = 0, j;
        olock_arena_reset(&arena[cur]);
        if (olock__batch_get_slice(&arena[cur], tables, count, &ti, &ki, &todo, &todo_n) != OLOCK_OK) {
            rc = olock__fail_at(err, OLOCK_ERR_NOMEM, 0, "out of memory");
            break;
        }
        for (j = 0; j < todo_n; j++) todo_keys += todo[j].key_count;
        for (n = 1; todo_n; n++) {
            olock_response res;
            olock_batch_get_table *next = NULL;
            size_t next_n = 0, next_keys = 0, k;
            if (n > attempts) {
                /* these keys, and those not sent yet */
                left = todo_keys;
                for (k = ti; k < count; k++) left += tables[k].key_count;
                left -= ki;
                rc = OLOCK_ERR_THROTTLED;
                break;
            }
            if (n > 1) c->sleep_ms(c->hook_user, olock__backoff(c, 0, n - 1));
            olock_buf_clear(&c->x.body);
            rc = olock_encode_batch_get(todo, todo_n, &c->x.body, err);
            if (rc != OLOCK_OK) {
                olock__client_encoded(rc, fn_name, err);
                break;
            }
            rc = olock__client_roundtrip(c, OLOCK_OP_BATCH_GET_ITEM, &res, err);
            sends++;
            if (rc != OLOCK_OK) break;
            for (k = 0; k < res.item_count && rc == OLOCK_OK; k++)
                if (res.items[k] && fn(user, res.item_tables[k], res.items[k]) != 0) {
                    rc = OLOCK_ERR_ABORTED;
                    olock__error_set(err, rc, "olock_batch_get: the callback stopped the batch");
                }
            if (rc != OLOCK_OK) break;
            olock_arena_reset(&arena[!cur]);
            rc = olock__unprocessed_keys(&arena[!cur], &res, todo, todo_n, &next, &next_n, &next_keys, err);
            if (rc != OLOCK_OK) break;
            cur = !cur;
            todo = next;
            todo_n = next_n;
            todo_keys = next_keys;
        }
    }
    olock_arena_free(&arena[0]);
    olock_arena_free(&arena[1]);
    if (err) err->attempts = sends;
    if (rc == OLOCK_ERR_THROTTLED)
        olock__error_set(err, rc, "olock_batch_get: %lu of %lu keys still unprocessed after %u requests for them",
                         (unsigned long)left, (unsigned long)total, attempts);
    return rc;
}
/* =============================================================================================
   >>engine (implementation)
   ========================================================================================== */

/* Private names later parts may use: typed records (>>records) are olock_update and
   olock_update_many with a struct in place of an item, so they begin the same operations
   (olock__begin_update, olock__begin_update_many; olock__task_begin_failed when a task cannot
   begin one), run them blocking the same way (olock__blocking_task, olock__begin_failed), and
   give the reason when their mutate function aborts (olock__mutate_abort_reason). */

/* ---- versioned engine: expressions and items ---------------------------------------------- */

#define OLOCK__WRITER_LEN 12

OLOCK_API olock_result olock_item_version(const olock_value *item, const olock_versioning *v, uint64_t *out) {
    olock_versioning d = olock__versioning_fill(v);
    const olock_value *a;
    uint64_t n;
    olock_result r;
    if (!item || !out || item->type != OLOCK_TYPE_M) return OLOCK_ERR_INVALID_ARG;
    a = olock_map_get(item, d.attribute, strlen(d.attribute));
    if (!a) {
        *out = d.start_at;
        return OLOCK_OK;
    }
    if (a->type != OLOCK_TYPE_N) return OLOCK_ERR_TYPE;
    r = olock_value_get_u64(a, &n);
    if (r != OLOCK_OK) return r;
    *out = n;
    return OLOCK_OK;
}

static int olock__has_reserved_placeholder(const olock_value *map) {
    const olock_value *m;
    if (!map) return 0;
    for (m = map->first; m; m = m->next)
        if (m->key_len >= 7 && (memcmp(m->key, "#olock_", 7) == 0 || memcmp(m->key, ":olock_", 7) == 0)) return 1;
    return 0;
}

/* A new map holding the members of src (shallow: member values are shared, the chain is new). */
static olock_value *olock__map_clone(olock_arena *a, const olock_value *src) {
    olock_value *m = olock_value_new_container(a, OLOCK_TYPE_M);
    const olock_value *s;
    if (!m || !src) return m;
    for (s = src->first; s; s = s->next) {
        olock_value *c = (olock_value *)olock_arena_alloc(a, sizeof *c);
        if (!c) return NULL;
        *c = *s;
        c->next = NULL;
        if (m->last) m->last->next = c;
        else m->first = c;
        m->last = c;
        m->count++;
    }
    return m;
}

/* Where a caller's expression refers to one of olock's own attributes. */
typedef struct olock__touch {
    const char *attr; /* the attribute (the version or the ledger attribute's name) */
    const char *tok;  /* as written: the name itself or a #placeholder */
    size_t tok_len;
    const char *clause; /* update: "sets", "removes", "adds to", "deletes from"; condition: "reads" */
} olock__touch;

/* Whether the word p[0..n) is update clause keyword; its verb for messages. */
static const char *olock__clause_verb(const char *p, size_t n) {
    static const char *const words[] = { "SET", "REMOVE", "ADD", "DELETE" };
    static const unsigned char lens[] = { 3, 6, 3, 6 };
    static const char *const verbs[] = { "sets", "removes", "adds to", "deletes from" };
    size_t i, k;
    for (i = 0; i < 4; i++) {
        if (lens[i] != n) continue;
        for (k = 0; k < n && olock__ascii_lower((unsigned char)p[k]) == olock__ascii_lower((unsigned char)words[i][k]); k++) {}
        if (k == n) return verbs[i];
    }
    return NULL;
}

/* Whether the first element of a path, p[0..n) as written, names `attr` (len bytes): directly,
   or through the #placeholder's entry in `names`. */
static int olock__path_head_is(const char *p, size_t n, const olock_value *names, const char *attr, size_t len) {
    const olock_value *v;
    if (p[0] != '#') return n == len && memcmp(p, attr, n) == 0;
    v = names && names->type == OLOCK_TYPE_M ? olock_map_get(names, p, n) : NULL;
    return v && v->type == OLOCK_TYPE_S && v->len == len && memcmp(v->str, attr, len) == 0;
}

/* Whether a caller's update expression (is_update) or condition refers to attrs[0] or attrs[1]
   (olock's version and ledger attributes, attr_len[i] bytes; 0 bytes: skipped): for an update, as the target
   of a SET, REMOVE, ADD or DELETE (reading it on the right of '=' is harmless); for a
   condition, anywhere. Top-level paths only (`m.version` is another attribute). A lexical
   scan, not a parse: what it cannot read, DynamoDB rejects anyway. */
static int olock__expr_touches(const char *expr, int is_update, const olock_value *names, const char *const attrs[2],
                               const size_t attr_len[2], olock__touch *out) {
    const char *p = expr, *clause = is_update ? NULL : "reads";
    int depth = 0, target = 0, nested = 0;
    size_t i;
    if (!expr) return 0;
    while (*p) {
        char ch = *p;
        if (ch == '#' || ch == '_' || (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z')) {
            const char *tok = p, *q, *verb;
            int is_target = target, is_nested = nested;
            size_t n;
            for (p++; *p == '_' || (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || olock__is_digit(*p); p++) {}
            n = (size_t)(p - tok);
            target = nested = 0;
            for (q = p; *q == ' ' || *q == '\t' || *q == '\r' || *q == '\n'; q++) {}
            if (*q == '(' || is_nested) continue; /* a function, or a member of a map */
            if (is_update && depth == 0 && tok[0] != '#' && (verb = olock__clause_verb(tok, n)) != NULL) {
                clause = verb;
                target = 1;
                continue;
            }
            if (is_update && !is_target) continue;
            for (i = 0; i < 2; i++) {
                if (!attr_len[i] || !olock__path_head_is(tok, n, names, attrs[i], attr_len[i])) continue;
                out->attr = attrs[i];
                out->tok = tok;
                out->tok_len = n;
                out->clause = clause ? clause : "sets";
                return 1;
            }
            continue;
        }
        if (ch == ':') { /* a value placeholder */
            for (p++; *p == '_' || (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || olock__is_digit(*p); p++) {}
            target = nested = 0;
            continue;
        }
        if (ch == '(') depth++;
        else if (ch == ')') depth--;
        else if (ch == ',') target = depth == 0 && clause != NULL && is_update;
        else if (ch == '.') nested = 1;
        else if (ch != ' ' && ch != '\t' && ch != '\r' && ch != '\n' && ch != '[' && ch != ']' && !olock__is_digit(ch))
            target = nested = 0;
        p++;
    }
    return 0;
}

/* ---- versioned engine: tasks ------------------------------------------------------------------ */

enum { OLOCK__K_NONE,
       OLOCK__K_PUT,
       OLOCK__K_UPDATE,
       OLOCK__K_DELETE,
       OLOCK__K_RMW,
       OLOCK__K_TXN,
       OLOCK__K_MANY };
/* What the request being built or sent is for:
   READ    the item(s) to change (olock_update, olock_update_many);
   WRITE   the versioned write (or transaction);
   SETTLE  a consistent read after a write: the stored item settles a write in doubt, or stands
           in for the ALL_OLD item a server did not return with a conflict;
   PROBE   a put in doubt, resent under an always-false condition: it cannot apply, and the
           stored item it returns settles the first copy. */
enum { OLOCK__PH_IDLE,
       OLOCK__PH_READ,
       OLOCK__PH_WRITE,
       OLOCK__PH_SETTLE,
       OLOCK__PH_PROBE,
       OLOCK__PH_DONE };

typedef struct olock__txn_action {
    olock_txn_kind kind;
    char *table;
    olock_value *key;  /* update / delete / check */
    olock_value *item; /* put */
    char *update, *condition;
    olock_value *names, *values;
    uint64_t expected, new_version;
    const char *reason;       /* cancellation code after a failed commit */
    const olock_value *basis; /* olock_update_many: the item as read (its ledger head is required) */
} olock__txn_action;

struct olock_txn {
    olock_client *c;
    olock_arena arena; /* copies of everything added */
    olock__txn_action *actions;
    size_t count, cap;
    olock_result sticky; /* first failure of an add */
};

/* The rendering of a versioned update kept for the next one (olock__kept_use): the inputs it
   was made from (key), its texts and names map, and a recipe for its values map. */
enum { OLOCK__KEPT_CALLER, /* the caller's value of the same placeholder */
       OLOCK__KEPT_EXPECTED,
       OLOCK__KEPT_VERSION,
       OLOCK__KEPT_LEDGER };
typedef struct olock__kept_value {
    const char *key;
    size_t key_len;
    int from; /* OLOCK__KEPT_* */
} olock__kept_value;
typedef struct olock__kept {
    olock_buf key;     /* the serialized inputs (olock__kept_inputs); empty: nothing kept */
    olock_arena arena; /* what the members below point to */
    const char *update, *condition;
    const olock_value *names;
    olock__kept_value *values;
    size_t value_count;
    /* The body of the last write made with this rendering, up to its values member, and what
       that piece was made from besides the rendering (olock__body_key): a write with the same
       takes the piece as it is (olock__kept_body). Empty: none. */
    olock_buf body;
    olock_buf body_key;
} olock__kept;

struct olock_task {
    /* What the task owns across operations (olock__task_reset keeps it). */
    olock_client *c;
    olock__exchange x;
    olock_arena scratch;                /* request building; reset per request */
    olock_expr *ex;                     /* the write's expressions (made on first use; reset per request) */
    olock_arena cur_arena;              /* the current item(s) */
    olock_item *work;                   /* the caller's mutable copy (olock_update) */
    char writer[OLOCK__WRITER_LEN + 1]; /* this task's writer id in item ledgers */
    uint64_t seq;                       /* this task's operation number, in its ledger entries */
    olock_item **items;                 /* olock_update_many's items, flags and versions (up to 100, made on first use) */
    int *exists;
    olock_mutation *each;
    uint64_t *versions;
    olock__kept kept; /* the last versioned update's rendering (olock__kept_use) */

    /* The operation: everything from `kind` on is zeroed when one begins (err only emptied). */
    int kind, phase;
    int need_build; /* build the phase's request before the next send */
    int in_flight;  /* a request is out; olock_task_complete is due */
    uint64_t wait_until, deadline;
    uint64_t sent_at, rtt; /* when the request went out; the last round trip (ms) */
    int waiting;
    /* inputs */
    olock_item_request req;
    uint64_t expected;
    const char *table;
    const olock_value *key;
    olock_mutate_fn fn;
    olock_mutate_many_fn fn_many;
    void *user;
    olock_txn *txn;
    const olock_key_ref *keys;
    size_t key_count;
    /* progress */
    const olock_value *current; /* olock_update: the stored item, NULL when absent */
    const olock_value *written; /* the item of the PutItem being sent (in scratch) */
    uint64_t cur_version, new_version;
    olock_mutation decision;
    olock_result abort_rc;           /* a mutate function's own reason for aborting (olock__mutate_abort_reason) */
    char inc[OLOCK__WRITER_LEN + 1]; /* incarnation id of the item the current write targets ("" unknown) */
    int inc_fresh;                   /* inc was made by the current write (a create, or a ledger without one) */
    char txn_token[37];
    unsigned sends;          /* sends of the current request */
    unsigned writes;         /* write attempts of the operation (conflict budget) */
    uint64_t first_write_ms; /* when the first write went out (the conflict time budget) */
    int waited;              /* the write now out was sent after a conflict wait */
    unsigned quota_spent;
    int in_doubt; /* a copy of the current write may have been applied, not settled yet */
    int from_cache;
    const olock_value *own_version, *own_ledger; /* what the write being sent stores in olock's attributes (in scratch) */
    const olock_value *own_expected;             /* the version its condition expects, when it names one */
    olock_op op;                                 /* operation of the request being built / sent */
    /* outcome */
    olock_result rc;
    olock_error err;
    olock_write_result result;
};

/* Whether the task's writes are transactions, whose unknown outcomes a resend with the same
   ClientRequestToken settles (a replay), rather than single items settled by reading. */
static int olock__by_token(const olock_task *t) {
    return t->kind == OLOCK__K_TXN || t->kind == OLOCK__K_MANY;
}

/* Forgets the last operation; what the task owns (everything above `kind`) stays. */
static void olock__task_reset(olock_task *t) {
    size_t from = offsetof(olock_task, kind), err_at = offsetof(olock_task, err), after = err_at + sizeof t->err;
    memset((char *)t + from, 0, err_at - from);
    olock__error_clear(&t->err); /* its texts are read up to their NULs: emptying them is enough */
    memset((char *)t + after, 0, sizeof *t - after);
    olock_arena_reset(&t->cur_arena);
    t->result.failed_action = (size_t)-1;
}

/* Writer ids and transaction tokens must be unique across clients and processes, so they
   come from the client's own OS-seeded generator, never from the (test-replaceable) random hook. */
static void olock__new_token(olock_task *t, char *out, size_t len) {
    static const char digits[] = "0123456789abcdefghijklmnopqrstuvwxyz";
    size_t i;
    uint64_t r = 0;
    for (i = 0; i < len; i++) {
        if (i % 12 == 0) r = olock__xorshift(&t->c->rng);
        out[i] = digits[r % 36];
        r /= 36;
    }
    out[len] = 0;
}

static void olock__many_free(olock_task *t) {
    size_t i;
    if (t->items) {
        for (i = 0; i < 100; i++) olock_item_destroy(t->items[i]);
        olock__free(&t->c->alloc, t->items, sizeof *t->items * 100);
    }
    olock__free(&t->c->alloc, t->exists, sizeof *t->exists * 100);
    olock__free(&t->c->alloc, t->each, sizeof *t->each * 100);
    olock__free(&t->c->alloc, t->versions, sizeof *t->versions * 100);
    t->items = NULL;
    t->exists = NULL;
    t->each = NULL;
    t->versions = NULL;
}

OLOCK_API void olock_task_destroy(olock_task *t) {
    olock_allocator a;
    if (!t) return;
    a = t->c->alloc;
    olock__many_free(t);
    olock__exchange_free(&t->x);
    olock_arena_free(&t->scratch);
    olock_buf_free(&t->kept.key);
    olock_arena_free(&t->kept.arena);
    olock_buf_free(&t->kept.body);
    olock_buf_free(&t->kept.body_key);
    olock_expr_destroy(t->ex);
    olock_arena_free(&t->cur_arena);
    olock_item_destroy(t->work);
    olock__free(&a, t, sizeof *t);
}

OLOCK_API olock_result olock_task_create(olock_client *c, olock_task **out) {
    olock_task *t;
    if (!c || !out) return OLOCK_ERR_INVALID_ARG;
    t = (olock_task *)olock__alloc(&c->alloc, sizeof *t);
    if (!t) return OLOCK_ERR_NOMEM;
    memset(t, 0, sizeof *t);
    t->c = c;
    olock__exchange_init(&t->x, &c->alloc, c->x.res.body.max);
    t->x.item_only = 1; /* the engine reads decoded.item, never decoded.json */
    olock_arena_init(&t->scratch, &c->alloc);
    olock_buf_init(&t->kept.key, &c->alloc);
    olock_arena_init(&t->kept.arena, &c->alloc);
    olock_buf_init(&t->kept.body, &c->alloc);
    olock_buf_init(&t->kept.body_key, &c->alloc);
    olock_arena_init(&t->cur_arena, &c->alloc);
    if (olock_item_create(&c->alloc, &t->work) != OLOCK_OK) {
        olock_task_destroy(t);
        return OLOCK_ERR_NOMEM;
    }
    olock__new_token(t, t->writer, OLOCK__WRITER_LEN);
    t->phase = OLOCK__PH_DONE;
    t->rc = OLOCK_ERR_INVALID_ARG;
    *out = t;
    return OLOCK_OK;
}

/* The operation's error becomes rc with msg (DynamoDB's words of the last exchange go; its
   status and the attempt count stay). */
static void olock__task_error(olock_task *t, olock_result rc, const char *msg) {
    unsigned attempts = t->err.attempts;
    int status = t->err.http_status;
    olock__error_clear(&t->err);
    olock__error_set(&t->err, rc, "%s", msg);
    t->err.attempts = attempts;
    t->err.http_status = status;
}

/* A request could not be built: the reason goes into the task's error, and olock_task_poll
   ends the operation with rc. Builders return this instead of ending the task themselves. */
static olock_result olock__build_failed(olock_task *t, olock_result rc, const char *msg) {
    olock__task_error(t, rc, msg);
    return rc;
}

/* Called by a mutate function that is about to return OLOCK_MUTATE_ABORT (a typed record's
   stored value that does not decode): the operation ends with rc and msg rather than
   OLOCK_ERR_ABORTED. The function gives the reason; the engine, as for every other ending,
   finishes the task once the function has returned. */
static void olock__mutate_abort_reason(olock_task *t, olock_result rc, const char *msg) {
    t->abort_rc = rc;
    olock__task_error(t, rc, msg);
}

/* Ends the operation with rc; the error detail keeps what the last exchange said unless msg.
   This is where the outcome model is enforced: while a copy of the current write may have been
   applied (t->in_doubt), no ending other than OK reaches the caller as anything but
   OLOCK_ERR_MAYBE_SENT, whatever stopped the operation; the message keeps the cause. */
static void olock__task_finish(olock_task *t, olock_result rc, const char *msg) {
    if (t->in_doubt && rc != OLOCK_OK && rc != OLOCK_ERR_MAYBE_SENT) {
        char cause[sizeof t->err.message];
        const char *why = msg ? msg : t->err.message[0] ? t->err.message
                                                        : olock_result_str(rc);
        olock__copy_str(cause, sizeof cause, why, strlen(why));
        olock__error_set(&t->err, OLOCK_ERR_MAYBE_SENT, "the write may have been applied; olock could not settle it (%s: %s)",
                         olock_result_str(rc), cause);
        t->err.error_class = OLOCK_CLASS_TRANSIENT;
        rc = OLOCK_ERR_MAYBE_SENT;
        msg = NULL;
    }
    t->phase = OLOCK__PH_DONE;
    t->rc = rc;
    t->in_flight = 0;
    t->waiting = 0;
    if (msg) olock__task_error(t, rc, msg);
    t->err.code = rc;
    if (rc == OLOCK_OK) {
        t->err.error_class = OLOCK_CLASS_NONE;
        t->err.aws_type[0] = 0;
        t->err.message[0] = 0;
    }
}


static olock_result olock__task_begin(olock_task *t, int kind) {
    if (!t) return OLOCK_ERR_INVALID_ARG;
    if (t->phase != OLOCK__PH_DONE && t->phase != OLOCK__PH_IDLE) return OLOCK_ERR_INVALID_ARG;
    olock__task_reset(t);
    t->kind = kind;
    t->need_build = 1;
    t->rc = OLOCK_OK;
    t->seq++;
    if (t->c->retry.deadline_ms) t->deadline = olock_client_now_ms(t->c) + t->c->retry.deadline_ms;
    return OLOCK_OK;
}

/* olock's two attributes as path text (made once by the client). */
static const char *olock__version_path(olock_task *t, olock_expr *e) {
    return t->c->version_path ? t->c->version_path : olock_path_name(e, t->c->versioning.attribute);
}
static const char *olock__token_path(olock_task *t, olock_expr *e) {
    return t->c->token_path ? t->c->token_path : olock_path_name(e, t->c->versioning.token_attribute);
}
static const char *olock__token_head_path(olock_task *t, olock_expr *e) {
    return t->c->token_head_path ? t->c->token_head_path : olock_path_index(e, olock__token_path(t, e), 0);
}

/* The version condition of a write that expects version `expected`: the item holds it, or
   (expected = start_at) has no version yet: a create, or in permissive mode an item written
   by another mapper. */
static const olock_cond *olock__version_cond(olock_task *t, olock_expr *e, uint64_t expected) {
    const olock_versioning *v = &t->c->versioning;
    const char *ver = olock__version_path(t, e);
    const olock_cond *absent = NULL, *at = NULL;
    if (expected == v->start_at) absent = olock_cond_attribute_not_exists(e, ver);
    if (expected == v->start_at && !v->permissive) return absent;
    t->own_expected = olock_value_new_u64(olock_expr_arena(e), expected);
    at = olock_cond_eq(e, ver, t->own_expected);
    return absent ? olock_cond_or(e, absent, at) : at;
}

/* A condition that never holds, for a probe: the write fails and DynamoDB returns the stored
   item (ReturnValuesOnConditionCheckFailure), which settles a create in doubt without risking
   a second copy. */
static const olock_cond *olock__probe_cond(olock_task *t, olock_expr *e) {
    const char *ver = olock__version_path(t, e);
    return olock_cond_and(e, olock_cond_attribute_not_exists(e, ver), olock_cond_attribute_exists(e, ver));
}

/* expected + increment_by, or RANGE. */
static olock_result olock__next_version(const olock_versioning *v, uint64_t expected, uint64_t *out) {
    if (expected > UINT64_MAX - v->increment_by) return OLOCK_ERR_RANGE;
    *out = expected + v->increment_by;
    return OLOCK_OK;
}

/* ---- the writer ledger: settling unknown outcomes exactly --------------------------------

   A write whose response was lost may or may not have been applied. Resending it is safe (it
   carries the same version condition, so at most one copy applies), but when the resend meets
   a conflict the engine must know whether the conflict is its own first copy. Each item keeps
   a ledger: a list whose first element "@B" says "every write that produced a version above B
   is recorded here", then one "W:S:V" element per writer W (a task), with S the number of that
   writer's latest operation on the item and V the version it wrote. An operation (W, S) whose
   write would have produced version N was applied exactly when the ledger holds W:S; when it
   does not and B < N, it certainly was not; when B >= N the entry may have been pushed out by
   token_history newer writers, and the engine says OLOCK_ERR_MAYBE_SENT rather than guess.

   Versions and ledgers start again when an item is deleted and created anew, so the head also
   names the item's incarnation: "@B:I", I a random id made by the write that created the item
   (or the first write that found a ledger without one) and carried by every later write that
   knows the ledger. A write based on an item it read also requires the head it read
   (#tok[0] = :head): a version that came back after a delete and re-create is then a conflict,
   not a match. A write in doubt is judged only against an item of the incarnation it wrote; an
   item of another incarnation says nothing about it (OLOCK_ERR_MAYBE_SENT unless our entry is
   there). Heads written before incarnations ("@B") still read. */

typedef struct olock__ledger_entry {
    const char *s;
    size_t n;
    uint64_t version;
} olock__ledger_entry;

/* Parses "W:S:V"; 0 if malformed. */
static int olock__ledger_parse(const olock_value *e, olock__ledger_entry *out) {
    const char *p, *end;
    if (e->type != OLOCK_TYPE_S || e->len < OLOCK__WRITER_LEN + 4 || e->str[OLOCK__WRITER_LEN] != ':') return 0;
    end = e->str + e->len;
    p = (const char *)memchr(e->str + OLOCK__WRITER_LEN + 1, ':', e->len - OLOCK__WRITER_LEN - 1);
    if (!p || !olock__u64_parse(p + 1, (size_t)(end - p - 1), &out->version)) return 0;
    out->s = e->str;
    out->n = e->len;
    return 1;
}

/* The head of a ledger: "@B" or "@B:I". */
typedef struct olock__ledger_head {
    uint64_t base;
    const char *inc;
    size_t inc_len;
} olock__ledger_head;

/* Parses the head of ledger l; 0 when there is no usable ledger. */
static int olock__ledger_head_of(const olock_value *l, olock__ledger_head *out) {
    const char *p;
    size_t i, n;
    if (!l || l->type != OLOCK_TYPE_L || !l->first || l->first->type != OLOCK_TYPE_S || l->first->len < 2 || l->first->str[0] != '@') return 0;
    p = l->first->str;
    n = l->first->len;
    for (i = 1; i < n && p[i] != ':'; i++) {}
    if (!olock__u64_parse(p + 1, i - 1, &out->base)) return 0;
    out->inc = i < n ? p + i + 1 : "";
    out->inc_len = i < n ? n - i - 1 : 0;
    if (out->inc_len != 0 && out->inc_len != OLOCK__WRITER_LEN) return 0;
    return 1;
}

/* The ledger of a stored item under the client's versioning, or NULL. */
static const olock_value *olock__ledger_of(const olock_task *t, const olock_value *item) {
    const char *name = t->c->versioning.token_attribute;
    return item && *name ? olock_map_get(item, name, strlen(name)) : NULL;
}

/* "W:S:V" of this task's current operation. */
static size_t olock__ledger_mine(olock_task *t, uint64_t version, char *out) {
    size_t n = OLOCK__WRITER_LEN;
    memcpy(out, t->writer, OLOCK__WRITER_LEN);
    out[n++] = ':';
    n += olock__u64_text(t->seq, out + n);
    out[n++] = ':';
    n += olock__u64_text(version, out + n);
    return n;
}

/* The ledger to store with a write producing `version` on top of `prev` (the stored item's
   ledger, or NULL when unknown: then the new ledger is complete from `base` on), its head
   naming t->inc (olock__target_incarnation). */
static olock_value *olock__ledger_next(olock_task *t, olock_arena *a, const olock_value *prev, uint64_t base, uint64_t version) {
    olock__ledger_entry keep[64];
    size_t n = 0, i, k, mlen;
    unsigned cap = t->c->versioning.token_history;
    olock_value *l = olock_value_new_container(a, OLOCK_TYPE_L), *v;
    char mine[OLOCK__WRITER_LEN + 2 * OLOCK__U64_TEXT + 2], head[OLOCK__U64_TEXT + OLOCK__WRITER_LEN + 2];
    olock__ledger_head h;
    int ok = prev && olock__ledger_head_of(prev, &h);
    const olock_value *m;
    if (!l) return NULL;
    if (ok) base = h.base;
    if (ok) {
        for (m = prev->first->next; m && n < 64; m = m->next) {
            olock__ledger_entry e;
            if (!olock__ledger_parse(m, &e)) continue;
            if (memcmp(e.s, t->writer, OLOCK__WRITER_LEN) == 0) continue; /* ours is replaced */
            keep[n++] = e;
        }
    }
    /* Make room for ours: drop the oldest entries; the base then covers what they covered. */
    while (n + 1 > cap) {
        size_t oldest = 0;
        for (i = 1; i < n; i++)
            if (keep[i].version < keep[oldest].version) oldest = i;
        if (keep[oldest].version > base) base = keep[oldest].version;
        for (i = oldest; i + 1 < n; i++) keep[i] = keep[i + 1];
        n--;
    }
    head[0] = '@';
    k = 1 + olock__u64_text(base, head + 1);
    head[k++] = ':';
    memcpy(head + k, t->inc, OLOCK__WRITER_LEN);
    k += OLOCK__WRITER_LEN;
    v = olock_value_new_s(a, head, k);
    if (!v) return NULL;
    olock_list_append(l, v);
    for (i = 0; i < n; i++) {
        v = olock_value_new_s(a, keep[i].s, keep[i].n);
        if (!v) return NULL;
        olock_list_append(l, v);
    }
    mlen = olock__ledger_mine(t, version, mine);
    v = olock_value_new_s(a, mine, mlen);
    if (!v) return NULL;
    olock_list_append(l, v);
    return l;
}

enum { OLOCK__NOT_APPLIED,
       OLOCK__APPLIED,
       OLOCK__UNKNOWN };

/* Whether this task's current write (which would produce `version`) is in `item`. */
static int olock__ledger_verdict(olock_task *t, const olock_value *item, uint64_t version, const char **why) {
    const olock_value *l = olock__ledger_of(t, item), *m;
    olock__ledger_head h;
    char mine[OLOCK__WRITER_LEN + 2 * OLOCK__U64_TEXT + 2];
    size_t mlen;
    *why = *t->c->versioning.token_attribute
        ? "the write may have been applied: the stored item has no writer ledger to tell"
        : "the write may have been applied, and without the writer ledger olock cannot tell";
    if (!l || !olock__ledger_head_of(l, &h)) return OLOCK__UNKNOWN;
    mlen = olock__ledger_mine(t, version, mine);
    for (m = l->first->next; m; m = m->next)
        if (m->type == OLOCK_TYPE_S && m->len == mlen && memcmp(m->str, mine, mlen) == 0) return OLOCK__APPLIED;
    if (*t->inc) {
        *why = "the write may have been applied: the item there now was created anew since (another incarnation)";
        if (h.inc_len != OLOCK__WRITER_LEN || memcmp(h.inc, t->inc, OLOCK__WRITER_LEN) != 0)
            return OLOCK__UNKNOWN;               /* another incarnation: this ledger cannot speak for our write */
        if (t->inc_fresh) return OLOCK__APPLIED; /* the id our write made is there: it was applied */
    }
    *why = "the write may have been applied: too many other writers since to tell (see versioning.token_history)";
    return h.base < version ? OLOCK__NOT_APPLIED : OLOCK__UNKNOWN;
}

/* The task's expression builder, empty, holding the caller's placeholder maps; NULL with *rc
   when the maps use olock's reserved placeholders (INVALID_ARG) or memory ran out. */
static olock_expr *olock__write_expr(olock_task *t, const olock_value *names, const olock_value *values, olock_result *rc) {
    if (olock__has_reserved_placeholder(names) || olock__has_reserved_placeholder(values)) {
        *rc = olock__build_failed(t, OLOCK_ERR_INVALID_ARG, "placeholders starting with #olock_ or :olock_ are reserved for olock");
        return NULL;
    }
    if (!t->ex && olock_expr_create(&t->c->alloc, &t->ex) != OLOCK_OK) {
        *rc = OLOCK_ERR_NOMEM;
        return NULL;
    }
    olock_expr_reset(t->ex);
    olock_expr_borrow_values(t->ex, 1); /* everything given lives in the request or scratch until it is encoded */
    if (names || values) olock_expr_add_maps(t->ex, names, values);
    return t->ex;
}

/* Whether the task's write is a delete (t->op may name the settling read that followed it). */
static int olock__write_is_delete(const olock_task *t) {
    return t->kind == OLOCK__K_DELETE || (t->kind == OLOCK__K_RMW && t->decision == OLOCK_MUTATE_DELETE);
}

/* The expected version of the write being built or sent. */
static uint64_t olock__write_expected(const olock_task *t) {
    return t->kind == OLOCK__K_RMW ? t->cur_version : t->expected;
}

/* The stored item the task's write is based on, when olock knows it: olock_update's current
   item, or a put's item when it is the version expected (it came from a read). */
static const olock_value *olock__write_basis(const olock_task *t, uint64_t expected) {
    uint64_t version;
    if (t->kind == OLOCK__K_RMW) return t->current;
    if (t->kind == OLOCK__K_PUT && olock_item_version(t->req.item, &t->c->versioning, &version) == OLOCK_OK && version == expected)
        return t->req.item;
    return NULL;
}

/* Chooses the incarnation the task's write targets (t->inc, judged by olock__ledger_verdict):
   the one in basis's ledger head when it names one; else, for a write that stores a ledger, a
   new id (a create, or a ledger without one or unknown: t->inc_fresh); else none (""). */
static void olock__target_incarnation(olock_task *t, const olock_value *basis) {
    const olock_value *l = olock__ledger_of(t, basis);
    olock__ledger_head h;
    t->inc[0] = 0;
    t->inc_fresh = 0;
    if (l && olock__ledger_head_of(l, &h) && h.inc_len) {
        memcpy(t->inc, h.inc, h.inc_len);
        t->inc[h.inc_len] = 0;
    } else if (*t->c->versioning.token_attribute && !olock__write_is_delete(t)) {
        olock__new_token(t, t->inc, OLOCK__WRITER_LEN);
        t->inc_fresh = 1;
    }
}

/* vcond AND "the ledger head is still the one in basis": a version reached again after a
   delete and re-create (another incarnation) is then a conflict. vcond alone when basis has
   no usable ledger. */
static const olock_cond *olock__guard_head(olock_task *t, olock_expr *e, const olock_value *basis, const olock_cond *vcond) {
    const olock_value *l = olock__ledger_of(t, basis);
    olock__ledger_head h;
    if (!l || !olock__ledger_head_of(l, &h)) return vcond;
    return olock_cond_and(e, vcond, olock_cond_eq(e, olock__token_head_path(t, e), l->first));
}

/* How DynamoDB counts olock's own attribute `name` = v against the 400 KB item limit: the
   name's bytes, and a number's (an integer: 1 byte per 2 significant digits, aligned on the
   decimal point, plus 1) or a list of strings' (3, plus each string and 1). */
static size_t olock__own_size(const char *name, const olock_value *v) {
    size_t n = strlen(name), digits, sig;
    const olock_value *m;
    if (v->type == OLOCK_TYPE_N) {
        for (digits = 0; digits < v->len && olock__is_digit(v->str[digits]); digits++) {}
        for (sig = digits; sig > 1 && v->str[sig - 1] == '0'; sig--) {}
        return n + (digits == 1 && v->str[0] == '0' ? 1 : (digits - 1) / 2 - (digits - sig) / 2 + 2);
    }
    if (v->type == OLOCK_TYPE_L) {
        n += 3;
        for (m = v->first; m; m = m->next) n += m->len + 1;
    }
    return n;
}

static int olock__is_size_refusal(const char *message) {
    return message && strstr(message, "Item size") && strstr(message, "exceeded the maximum allowed size");
}

/* The bytes olock's version attribute adds to the item that action i of a transaction writes
   (0: the action writes none). Transactions carry no writer ledger. */
static size_t olock__txn_own_bytes(olock_task *t, size_t i) {
    const olock_versioning *v = &t->c->versioning;
    const olock_value *stored;
    uint64_t nv;
    if (t->kind == OLOCK__K_TXN) {
        if (i >= t->txn->count || (t->txn->actions[i].kind != OLOCK_TXN_PUT && t->txn->actions[i].kind != OLOCK_TXN_UPDATE))
            return 0;
        nv = t->txn->actions[i].new_version;
    } else {
        if (i >= t->key_count || t->each[i] != OLOCK_MUTATE_WRITE || olock__next_version(v, t->versions[i], &nv) != OLOCK_OK)
            return 0;
    }
    stored = olock_value_new_u64(&t->scratch, nv);
    return stored ? olock__own_size(v->attribute, stored) : 0;
}

/* A transaction refused for an item's size: DynamoDB names the action when it cancels (a
   ValidationError reason), not when it refuses the whole request (a put too large). */
static void olock__note_txn_own_bytes(olock_task *t) {
    const olock_response *res = &t->x.decoded;
    size_t n = strlen(t->err.message), i, count = t->kind == OLOCK__K_TXN ? t->txn->count : t->key_count, own, most = 0;
    for (i = 0; i < res->reason_count; i++) {
        if (res->reasons[i].code && strcmp(res->reasons[i].code, "ValidationError") == 0 && olock__is_size_refusal(res->reasons[i].message)) {
            snprintf(t->err.message + n, sizeof t->err.message - n, " (action %lu: %s; olock's version attribute added %lu bytes)",
                     (unsigned long)i, res->reasons[i].message, (unsigned long)olock__txn_own_bytes(t, i));
            return;
        }
    }
    if (strcmp(t->err.aws_type, "ValidationException") != 0 || !olock__is_size_refusal(t->err.message)) return;
    for (i = 0; i < count; i++) {
        own = olock__txn_own_bytes(t, i);
        if (own > most) most = own;
    }
    if (most)
        snprintf(t->err.message + n, sizeof t->err.message - n, " (olock's version attribute added up to %lu bytes to each item written)",
                 (unsigned long)most);
}

/* DynamoDB refused the write for its size: say how much of it is olock's (the version and the
   writer ledger), so that a caller near the limit knows what olock added. */
static void olock__note_own_bytes(olock_task *t) {
    const olock_versioning *v = &t->c->versioning;
    size_t n = strlen(t->err.message), own;
    if (olock__by_token(t)) {
        olock__note_txn_own_bytes(t);
        return;
    }
    if (!t->own_version || strcmp(t->err.aws_type, "ValidationException") != 0 || !olock__is_size_refusal(t->err.message))
        return;
    own = olock__own_size(v->attribute, t->own_version) + (t->own_ledger ? olock__own_size(v->token_attribute, t->own_ledger) : 0);
    snprintf(t->err.message + n, sizeof t->err.message - n, " (olock's version%s added %lu bytes)",
             *v->token_attribute ? " and writer-ledger attributes" : " attribute", (unsigned long)own);
}

/* ---- versioned engine: the kept rendering of a versioned update ----------------------------
   olock_versioned_update is usually called again and again with the same expressions: the
   caller's UpdateExpression and ConditionExpression texts and placeholder maps, olock's
   version condition and SETs. Rendering them gives the same UpdateExpression,
   ConditionExpression and names map every time; only the values differ. A task keeps its
   last versioned update's rendering with everything it was made from, serialized byte for
   byte (the key), and a recipe for its values map: each entry the caller's value of the same
   placeholder, or this write's expected version, new version or ledger. A write with the same
   key takes the texts and names as kept and builds the values map by the recipe; any other
   renders afresh, and is kept in turn. Only the write phase of a versioned update is kept; a
   rendering that failed, or whose maps name a placeholder twice, is not. The body is kept
   too, up to its values member (the last one, >>wire): the next write of the same item with
   the same ReturnValues copies that piece and writes only the values. With
   OLOCK__VERIFY_KEPT (the sanitizer test builds) every use also renders and encodes afresh
   and aborts if the two requests differ. */

/* Appends a length and then n bytes at p; p NULL appends a length no text has. */
static int olock__kept_put(olock_buf *b, const void *p, size_t n) {
    size_t len = p ? n : (size_t)-1, need = sizeof len + (p ? n : 0);
    if (need < n || olock__buf_room(b, need) != OLOCK_OK) return 0;
    memcpy(b->data + b->len, &len, sizeof len);
    if (p && n) memcpy(b->data + b->len + sizeof len, p, n);
    b->len += need;
    return 1;
}

/* Whether what olock__kept_put(p, n) appended at *at in b is there; moves *at past it. Most
   parts are a few bytes (placeholders, names, type tags): those are compared here, a call
   into the C library's memcmp costing more than they do. */
static int olock__kept_is(const olock_buf *b, size_t *at, const void *p, size_t n) {
    size_t len, want = p ? n : (size_t)-1, i;
    const char *x, *y = (const char *)p;
    if (b->len - *at < sizeof len) return 0;
    memcpy(&len, b->data + *at, sizeof len);
    if (len != want) return 0;
    if (p) {
        if (b->len - *at - sizeof len < n) return 0;
        x = b->data + *at + sizeof len;
        if (n > 16) {
            if (memcmp(x, y, n) != 0) return 0;
        } else {
            for (i = 0; i < n; i++)
                if (x[i] != y[i]) return 0;
        }
    }
    *at += sizeof len + (p ? n : 0);
    return 1;
}

/* One part of the serialization a walk over a request writes into b (to_b) or checks against
   b's (at: how far it matched): writing a key and comparing with the kept one are then the
   same code (olock__kept_inputs, olock__body_key, whose locals b, at and to_b it uses). A
   macro, not a function: inlined with to_b known, each walk compiles to one of the two. */
#define OLOCK__KEPT_PART(p, n) (to_b ? olock__kept_put(b, (p), (n)) : olock__kept_is(b, &at, (p), (n)))

/* What a versioned update's rendering is made of besides the client's versioning (fixed for
   the task): the caller's texts, names (placeholders and attribute names) and values
   (placeholders and types), and whether expected is the first version (whether a ledger is
   written is the versioning's). Serialized into b (to_b; 0: this write is not kept: a names
   member that is not S, a placeholder given twice, a map that is not M, no memory), or
   compared with b's serialization in place, nothing written (1: the same). What to_b refuses
   is never in a serialization, so a match needs none of its checks (two members of the same
   name included). */
static int olock__kept_inputs(olock_buf *b, const olock_task *t, const olock_item_request *r, uint64_t expected, int to_b) {
    const olock_value *maps[2], *m, *o;
    unsigned char first = (unsigned char)(expected == t->c->versioning.start_at);
    size_t at = 0;
    int i;
    if (to_b) olock_buf_clear(b);
    if (!OLOCK__KEPT_PART(&first, 1) || !OLOCK__KEPT_PART(r->update, r->update ? strlen(r->update) : 0) ||
        !OLOCK__KEPT_PART(r->condition, r->condition ? strlen(r->condition) : 0))
        return 0;
    maps[0] = r->names;
    maps[1] = r->values;
    for (i = 0; i < 2; i++) {
        if (!maps[i]) {
            if (!OLOCK__KEPT_PART(NULL, 0)) return 0;
            continue;
        }
        if (maps[i]->type != OLOCK_TYPE_M || !OLOCK__KEPT_PART("M", 1)) return 0;
        for (m = maps[i]->first; m; m = m->next) {
            unsigned char type = (unsigned char)m->type;
            if (!m->key) return 0; /* not a map member: the builder refuses it */
            for (o = maps[i]->first; to_b && o != m; o = o->next)
                if (o->key_len == m->key_len && memcmp(o->key, m->key, m->key_len) == 0) return 0;
            if (!OLOCK__KEPT_PART(m->key, m->key_len)) return 0;
            if (i == 0 && (m->type != OLOCK_TYPE_S || !OLOCK__KEPT_PART(m->str, m->len))) return 0;
            if (i == 1 && !OLOCK__KEPT_PART(&type, 1)) return 0;
        }
    }
    return to_b || at == b->len;
}

/* What the body of a kept write holds before its values member besides the rendering:
   ReturnValues, ReturnValuesOnConditionCheckFailure, the table and the key (its members'
   names, types and contents). Serialized into b (to_b), or compared with b's serialization in
   place (nothing written). 0: not the same; or this body is not kept (a key member that is
   not a scalar, no memory). */
static int olock__body_key(olock_buf *b, const olock_item_request *r, int to_b) {
    const olock_value *m;
    unsigned char rv[2];
    size_t at = 0;
    rv[0] = (unsigned char)r->return_values;
    rv[1] = (unsigned char)r->return_values_on_condition_check_failure;
    if (to_b) olock_buf_clear(b);
    if (!r->table || !r->key || r->key->type != OLOCK_TYPE_M || !OLOCK__KEPT_PART(rv, 2) ||
        !OLOCK__KEPT_PART(r->table, strlen(r->table)))
        return 0;
    for (m = r->key->first; m; m = m->next) {
        unsigned char type = (unsigned char)m->type;
        if ((m->type != OLOCK_TYPE_S && m->type != OLOCK_TYPE_N && m->type != OLOCK_TYPE_B) || !m->key ||
            !OLOCK__KEPT_PART(m->key, m->key_len) || !OLOCK__KEPT_PART(&type, 1) || !OLOCK__KEPT_PART(m->str, m->len))
            return 0;
    }
    return to_b || at == b->len;
}
#undef OLOCK__KEPT_PART

/* Whether two values share their contents (one is a shallow copy of the other). */
static int olock__same_payload(const olock_value *x, const olock_value *y) {
    return x && y && x->type == y->type && x->str == y->str && x->len == y->len && x->first == y->first && x->count == y->count;
}

/* Keeps r, just rendered from the caller's request t->req (its values map `given`) for this
   write's expected version, for the next write: nothing is kept when a value of r is neither
   the caller's nor one of this write's own, or when the inputs cannot be kept. */
static void olock__kept_keep(olock_task *t, const olock_value *given, const olock_item_request *r, uint64_t expected) {
    olock__kept *k = &t->kept;
    const olock_value *m;
    size_t i = 0;
    olock_buf_clear(&k->key);
    olock_buf_clear(&k->body); /* made with the rendering this one replaces */
    olock_arena_reset(&k->arena);
    k->update = r->update ? olock_arena_strdup(&k->arena, r->update, strlen(r->update)) : NULL;
    k->condition = r->condition ? olock_arena_strdup(&k->arena, r->condition, strlen(r->condition)) : NULL;
    k->names = r->names ? olock_value_copy(&k->arena, r->names) : NULL;
    k->value_count = r->values ? r->values->count : 0;
    k->values = (olock__kept_value *)olock_arena_alloc(&k->arena, sizeof *k->values * (k->value_count + 1));
    if ((r->update && !k->update) || (r->condition && !k->condition) || (r->names && !k->names) || !k->values) return;
    for (m = r->values ? r->values->first : NULL; m; m = m->next, i++) {
        olock__kept_value *kv = &k->values[i];
        if (olock_map_get(given, m->key, m->key_len)) kv->from = OLOCK__KEPT_CALLER;
        else if (olock__same_payload(m, t->own_expected)) kv->from = OLOCK__KEPT_EXPECTED;
        else if (olock__same_payload(m, t->own_version)) kv->from = OLOCK__KEPT_VERSION;
        else if (olock__same_payload(m, t->own_ledger)) kv->from = OLOCK__KEPT_LEDGER;
        else return;
        kv->key = olock_arena_strdup(&k->arena, m->key, m->key_len);
        kv->key_len = m->key_len;
        if (!kv->key) return;
    }
    if (!olock__kept_inputs(&k->key, t, &t->req, expected, 1)) olock_buf_clear(&k->key); /* nothing kept */
}

/* Fills r's expressions and maps from the kept rendering when it was made from r's inputs: the
   values map by the recipe, from the caller's values `given` and this write's own (expected
   is made here). 0 when nothing matching is kept, or a caller's value is an empty set (the
   builder reports that). */
static int olock__kept_use(olock_task *t, const olock_value *given, olock_item_request *r, uint64_t expected) {
    olock__kept *k = &t->kept;
    const olock_value *m;
    olock_value *values = NULL;
    size_t i;
    if (!k->key.len || !olock__kept_inputs(&k->key, t, r, expected, 0)) return 0;
    for (m = given ? given->first : NULL; m; m = m->next)
        if ((m->type == OLOCK_TYPE_SS || m->type == OLOCK_TYPE_NS || m->type == OLOCK_TYPE_BS) && m->count == 0) return 0;
    if (k->value_count && !(values = olock_value_new_container(&t->scratch, OLOCK_TYPE_M))) return 0;
    for (i = 0; i < k->value_count; i++) {
        const olock__kept_value *kv = &k->values[i];
        const olock_value *src;
        olock_value *node;
        if (kv->from == OLOCK__KEPT_EXPECTED && !t->own_expected) t->own_expected = olock_value_new_u64(&t->scratch, expected);
        src = kv->from == OLOCK__KEPT_CALLER   ? olock_map_get(given, kv->key, kv->key_len)
            : kv->from == OLOCK__KEPT_EXPECTED ? t->own_expected
            : kv->from == OLOCK__KEPT_VERSION  ? t->own_version
                                               : t->own_ledger;
        node = src ? (olock_value *)olock_arena_alloc(&t->scratch, sizeof *node) : NULL;
        if (!node) return 0;
        *node = *src; /* shares src's contents, as the renderer's own entries do */
        node->key = kv->key;
        node->key_len = kv->key_len;
        olock__append_member(values, node);
    }
    r->update = k->update;
    r->condition = k->condition;
    r->projection = NULL; /* as rendering leaves it (olock__check_write_request refuses one) */
    r->names = k->names;
    r->values = values;
    return 1;
}

/* The builder's route for the expressions of the write being built: the caller's
   expressions and placeholders go in as they are, olock's condition is ANDed on and its
   SETs join the caller's SET clause; rendering gives r its strings and maps. */
static olock_result olock__write_render(olock_task *t, olock_item_request *r, uint64_t expected, const olock_value *basis) {
    const olock_cond *vcond;
    olock_expr *e;
    olock_result rc = OLOCK_OK;
    e = olock__write_expr(t, r->names, r->values, &rc);
    if (!e) return rc;
    if (t->phase == OLOCK__PH_PROBE) vcond = olock__probe_cond(t, e);
    else vcond = olock__guard_head(t, e, basis, olock__version_cond(t, e, expected));
    if (r->condition) olock_expr_add_condition(e, olock_cond_raw(e, r->condition));
    olock_expr_add_condition(e, vcond);
    if (t->op == OLOCK_OP_UPDATE_ITEM) {
        if (r->update && *r->update) olock_expr_update_raw(e, r->update);
        olock_expr_set(e, olock__version_path(t, e), t->own_version);
        if (t->own_ledger) olock_expr_set(e, olock__token_path(t, e), t->own_ledger);
    }
    return olock_expr_render_item(e, r, &t->err);
}

#ifdef OLOCK__VERIFY_KEPT
/* Whether two maps hold the same members in the same order. */
static int olock__kept_same_map(const olock_value *x, const olock_value *y) {
    const olock_value *a, *b;
    if (!x || !y) return !x == !y;
    if (x->count != y->count) return 0;
    for (a = x->first, b = y->first; a && b; a = a->next, b = b->next)
        if (a->key_len != b->key_len || memcmp(a->key, b->key, a->key_len) != 0 || !olock_value_equal(a, b)) return 0;
    return !a && !b;
}

static int olock__kept_same_text(const char *x, const char *y) {
    return x && y ? strcmp(x, y) == 0 : x == y;
}

/* The kept rendering in r against a fresh one of the same write; aborts if they differ. */
static void olock__kept_verify(olock_task *t, const olock_item_request *r, uint64_t expected, const olock_value *basis) {
    olock_item_request fresh = t->req;
    const olock_value *own_expected = t->own_expected;
    if (olock__write_render(t, &fresh, expected, basis) != OLOCK_OK || !olock__kept_same_text(r->update, fresh.update) ||
        !olock__kept_same_text(r->condition, fresh.condition) || !olock__kept_same_text(r->projection, fresh.projection) ||
        !olock__kept_same_map(r->names, fresh.names) ||
        !olock__kept_same_map(r->values, fresh.values)) {
        fprintf(stderr, "olock: a kept rendering differs from a fresh one:\n  kept  %s | %s\n  fresh %s | %s\n",
                r->update ? r->update : "-", r->condition ? r->condition : "-", fresh.update ? fresh.update : "-",
                fresh.condition ? fresh.condition : "-");
        abort();
    }
    t->own_expected = own_expected;
}
#endif


#ifdef OLOCK__VERIFY_KEPT
/* A body made from a kept piece against the same request encoded afresh; aborts if they differ. */
static void olock__kept_body_verify(olock_task *t, const olock_item_request *r) {
    olock_buf fresh;
    olock_error e;
    olock_buf_init(&fresh, &t->c->alloc);
    if (olock_encode_item_request(t->op, r, &fresh, &e) != OLOCK_OK || fresh.len != t->x.body.len ||
        memcmp(fresh.data, t->x.body.data, fresh.len) != 0) {
        fprintf(stderr, "olock: a body made from a kept piece differs from a fresh one:\n  kept  %.*s\n  fresh %.*s\n",
                (int)t->x.body.len, t->x.body.data ? t->x.body.data : "", (int)fresh.len, fresh.data ? fresh.data : "");
        abort();
    }
    olock_buf_free(&fresh);
}
#endif

/* The body (into the empty x.body) of a versioned update whose rendering is the kept one: the
   kept piece before the values member when it was made from the same table, key and return
   values, then the values; otherwise encoded whole, and its first piece kept. */
static olock_result olock__kept_body(olock_task *t, const olock_item_request *r) {
    olock__kept *k = &t->kept;
    olock_result rc;
    size_t at = 0;
    if (k->body.len && olock__body_key(&k->body_key, r, 0) && olock_buf_append(&t->x.body, k->body.data, k->body.len) == OLOCK_OK) {
        rc = olock__encode_values_after(r->values, &t->x.body, &t->err);
#ifdef OLOCK__VERIFY_KEPT
        if (rc == OLOCK_OK) olock__kept_body_verify(t, r);
#endif
        return rc;
    }
    olock_buf_clear(&t->x.body);
    olock_buf_clear(&k->body);
    rc = olock__encode_item_request_at(t->op, r, &t->x.body, &at, &t->err);
    if (rc == OLOCK_OK && olock__body_key(&k->body_key, r, 1) && olock_buf_append(&k->body, t->x.body.data, at) != OLOCK_OK)
        olock_buf_clear(&k->body); /* nothing kept */
    return rc;
}

/* The versioned write for the task's kind (and, for olock_update, its decision) into x.body. */
static olock_result olock__build_write(olock_task *t) {
    olock_arena *a = &t->scratch;
    olock_item_request r;
    olock_value *item;
    const olock_versioning *v = &t->c->versioning;
    const olock_value *basis = NULL;
    olock_result rc = OLOCK_OK;
    int is_delete = olock__write_is_delete(t), keep;
    uint64_t expected = olock__write_expected(t);
    memset(&r, 0, sizeof r);
    if (t->kind == OLOCK__K_RMW) {
        r.table = t->table;
        r.key = t->key;
    } else {
        r = t->req;
    }
    /* The incarnation the write targets (the probe settles the write in doubt: it keeps the
       one that write targeted), and what it stores in olock's attributes. */
    if (t->phase != OLOCK__PH_PROBE) {
        basis = olock__write_basis(t, expected);
        olock__target_incarnation(t, basis);
    }
    r.return_values_on_condition_check_failure = OLOCK_RV_ALL_OLD;
    t->new_version = expected;
    if (!is_delete) {
        rc = olock__next_version(v, expected, &t->new_version);
        if (rc != OLOCK_OK) return olock__build_failed(t, rc, "version overflow: the version attribute cannot be incremented");
    }
    t->own_version = t->own_ledger = t->own_expected = NULL;
    if (is_delete) {
        t->op = OLOCK_OP_DELETE_ITEM;
        r.item = NULL;
        if (t->kind == OLOCK__K_RMW) r.return_values = OLOCK_RV_OMIT;
    } else if (t->kind == OLOCK__K_UPDATE) {
        olock_value *nv = olock_value_new_u64(a, t->new_version);
        if (!nv) return OLOCK_ERR_NOMEM;
        t->own_version = nv;
        if (*v->token_attribute) {
            olock_value *tl = olock__ledger_next(t, a, NULL, expected, t->new_version);
            if (!tl) return OLOCK_ERR_NOMEM;
            t->own_ledger = tl;
        }
        t->op = OLOCK_OP_UPDATE_ITEM;
    } else {
        /* Carry the stored ledger (other writers' entries keep their outcomes decidable): the
           current item's, or a put's item's when it is the version expected (it came from a
           read; an older ledger would miss newer writers). */
        const olock_value *prev_tokens = olock__ledger_of(t, olock__write_basis(t, expected));
        olock_value *nv;
        if (t->kind == OLOCK__K_RMW) {
            item = olock__map_clone(a, t->work->root);
            r.key = NULL;
        } else {
            item = olock__map_clone(a, t->req.item);
        }
        nv = olock_value_new_u64(a, t->new_version);
        if (!item || !nv || olock_map_put(a, item, v->attribute, t->c->version_attribute_len, nv) != OLOCK_OK) return OLOCK_ERR_NOMEM;
        t->own_version = nv;
        if (*v->token_attribute) {
            olock_value *tl = olock__ledger_next(t, a, prev_tokens, expected, t->new_version);
            if (!tl || olock_map_put(a, item, v->token_attribute, t->c->token_attribute_len, tl) != OLOCK_OK) return OLOCK_ERR_NOMEM;
            t->own_ledger = tl;
        }
        r.item = item;
        t->written = item;
        t->op = OLOCK_OP_PUT_ITEM;
    }
    keep = t->kind == OLOCK__K_UPDATE && t->phase == OLOCK__PH_WRITE;
    if (keep && olock__kept_use(t, t->req.values, &r, expected)) {
#ifdef OLOCK__VERIFY_KEPT
        olock__kept_verify(t, &r, expected, basis);
#endif
    } else {
        rc = olock__write_render(t, &r, expected, basis);
        if (rc != OLOCK_OK) return rc;
        if (keep) olock__kept_keep(t, t->req.values, &r, expected);
        keep = keep && t->kept.key.len; /* kept now (a failure keeps nothing) */
    }
    olock_buf_clear(&t->x.body);
    return keep ? olock__kept_body(t, &r) : olock_encode_item_request(t->op, &r, &t->x.body, &t->err);
}

static olock_result olock__build_read(olock_task *t) {
    olock_item_request r;
    memset(&r, 0, sizeof r);
    r.table = t->kind == OLOCK__K_RMW ? t->table : t->req.table;
    r.key = t->kind == OLOCK__K_RMW ? t->key : t->req.key;
    r.consistent_read = 1;
    t->op = OLOCK_OP_GET_ITEM;
    olock_buf_clear(&t->x.body);
    return olock_encode_item_request(OLOCK_OP_GET_ITEM, &r, &t->x.body, &t->err);
}

static olock_result olock__build_txn_write(olock_task *t);
static olock_result olock__build_many_read(olock_task *t);
static olock_result olock__build_many_write(olock_task *t);

/* ---- versioned engine: the item cache ------------------------------------------------------ */

/* Cache identity: table, NUL, the key's DynamoDB JSON (numbers are canonical, so equal keys
   built in the same member order have equal bytes). */
static olock__cache_entry *olock__cache_find(olock_client *c, const char *table, const olock_value *key, olock_buf *id, int for_insert) {
    unsigned i;
    olock__cache_entry *victim = NULL;
    if (!c->cache_n) return NULL;
    olock_buf_clear(id);
    if (olock_buf_append(id, table, strlen(table) + 1) != OLOCK_OK || olock__write_attr_map(key, id) != OLOCK_OK) return NULL;
    for (i = 0; i < c->cache_n; i++) {
        olock__cache_entry *e = &c->cache[i];
        if (e->item && e->id.len == id->len && memcmp(e->id.data, id->data, id->len) == 0) return e;
        if (!victim || !e->item || (victim->item && e->used < victim->used)) victim = e;
    }
    return for_insert ? victim : NULL;
}

static void olock__cache_store(olock_task *t, const olock_value *item) {
    olock_client *c = t->c;
    olock__cache_entry *e = olock__cache_find(c, t->table, t->key, &t->x.body, 1);
    olock_value *copy;
    if (!e) return;
    if (!item) {
        if (e->item && e->id.len == t->x.body.len) {
            olock_item_destroy(e->item);
            e->item = NULL;
        }
        return;
    }
    if (!e->item && olock_item_create(&c->alloc, &e->item) != OLOCK_OK) return;
    olock_arena_reset(&e->item->arena);
    copy = olock_value_copy(&e->item->arena, item);
    olock_buf_clear(&e->id);
    if (!copy || olock_buf_append(&e->id, t->x.body.data, t->x.body.len) != OLOCK_OK) {
        olock_item_destroy(e->item);
        e->item = NULL;
        return;
    }
    e->item->root = copy;
    e->used = ++c->cache_tick;
}

/* ---- versioned engine: steps ------------------------------------------------------------- */

/* How long t has been writing (since its first write). */
static uint64_t olock__writing_ms(olock_task *t) {
    uint64_t now = olock_client_now_ms(t->c);
    return now > t->first_write_ms ? now - t->first_write_ms : 0; /* a hook's clock may step back */
}

/* The conflict budget of a read-modify-write (see olock_retry_policy): its first
   conflict_attempts writes always go out; past them, writes go on while the operation has
   been writing for less than conflict_time_ms, up to conflict_attempts_max writes in all.
   Stamps the time of the first write. */
static int olock__conflict_budget_left(olock_task *t) {
    const olock_retry_policy *p = &t->c->retry;
    if (t->writes == 0) {
        t->first_write_ms = olock_client_now_ms(t->c);
        return 1;
    }
    if (t->writes < p->conflict_attempts) return 1;
    return t->writes < p->conflict_attempts_max && olock__writing_ms(t) < p->conflict_time_ms;
}

/* Ends the operation with OLOCK_ERR_TOO_MANY_CONFLICTS, saying how much was tried. */
static void olock__conflict_give_up(olock_task *t, const char *what) {
    const olock_retry_policy *p = &t->c->retry;
    char msg[sizeof t->err.message];
    snprintf(msg, sizeof msg,
             "%s: %u writes in %llu ms, each met a newer version (budget: retry.conflict_attempts %u, "
             "then until conflict_time_ms %u, at most conflict_attempts_max %u writes)",
             what, t->writes, (unsigned long long)olock__writing_ms(t), p->conflict_attempts, p->conflict_time_ms,
             p->conflict_attempts_max);
    olock__task_finish(t, OLOCK_ERR_TOO_MANY_CONFLICTS, msg);
}

/* The wait before re-applying after a conflict, when t's read-modify-write is about to
   write again. Chosen by measurement (bench/bench_hot.c; the reasons are in bench/README.md):
   - the first conflict is re-applied at once: the common case is one rival, or a stale cache;
   - so is a conflict met by a write that was sent after a wait: the wait made the item it
     was based on stale, but the item that came back with the conflict is fresh, so the next
     write is a real attempt (waiting before every write would leave a writer that once
     backed off forever a step behind the others, and it would starve);
   - otherwise the update steps back until it has been writing for conflict_backoff_rtts
     round trips R, plus a jitter of up to R. Updates that are still young wait long and write
     rarely; updates older than that horizon wait at most R, so they come before the young
     ones: roughly first come, first served, which keeps both the wasted writes and the tail
     of the latency short;
   - R is the smoothed round trip of this client's conflicting writes, in microseconds: the
     clock hook ticks in whole ms, but the mean of many samples is finer (DynamoDB Local
     answers in well under 1 ms); the wait is rounded to whole ms at random, without bias;
   - the horizon is at most half of conflict_time_ms, so an update always has the other half
     to write in: where round trips are long (32 of 60 ms are the whole default 2 s, a client
     far from its region or a server warming up) it would otherwise spend its time budget
     waiting, and end long after conflict_time_ms with few writes tried. */
#define OLOCK__MIN_RTT_US 250 /* the shortest round trip the wait assumes */
static void olock__conflict_backoff(olock_task *t) {
    olock_client *c = t->c;
    uint64_t now = olock_client_now_ms(c), r, horizon, age, wait;
    int waited = t->waited;
    t->waited = 0;
    c->conflict_rtt_us = c->conflict_rtt_us ? (c->conflict_rtt_us * 7 + t->rtt * 1000) / 8 : t->rtt * 1000 + 1;
    if (t->result.conflicts < 2 || waited) return;
    r = c->conflict_rtt_us < OLOCK__MIN_RTT_US ? OLOCK__MIN_RTT_US : c->conflict_rtt_us;
    horizon = r * c->retry.conflict_backoff_rtts;
    if (horizon > (uint64_t)c->retry.conflict_time_ms * 500) horizon = (uint64_t)c->retry.conflict_time_ms * 500;
    age = olock__writing_ms(t) * 1000;
    wait = (horizon > age ? horizon - age : 0) + olock__random(c) % (r + 1);
    if (wait > (uint64_t)c->retry.cap_ms * 1000) wait = (uint64_t)c->retry.cap_ms * 1000;
    t->waited = 1;
    t->waiting = 1;
    t->wait_until = now + wait / 1000 + (olock__random(c) % 1000 < wait % 1000);
}

/* The mutate function returned OLOCK_MUTATE_ABORT: the operation ends with its reason if it
   gave one, else OLOCK_ERR_ABORTED. */
static void olock__mutate_aborted(olock_task *t) {
    if (t->abort_rc != OLOCK_OK) olock__task_finish(t, t->abort_rc, NULL);
    else olock__task_finish(t, OLOCK_ERR_ABORTED, "the mutate function aborted");
}

/* Calls the mutate function on a copy of the current item and moves to the write. */
static void olock__rmw_mutate(olock_task *t) {
    olock_item *w = t->work;
    olock_result rc;
    const olock_value *k;
    int exists = t->current != NULL;
    olock_arena_reset(&w->arena);
    w->root = exists ? olock_value_copy(&w->arena, t->current) : olock_value_copy(&w->arena, t->key);
    if (!w->root) {
        olock__task_finish(t, OLOCK_ERR_NOMEM, "out of memory");
        return;
    }
    t->cur_version = t->c->versioning.start_at;
    if (exists) {
        rc = olock_item_version(t->current, &t->c->versioning, &t->cur_version);
        if (rc != OLOCK_OK) {
            olock__task_finish(t, rc == OLOCK_ERR_TYPE ? OLOCK_ERR_TYPE : OLOCK_ERR_RANGE,
                               "the stored version attribute is not a non-negative integer that fits in 64 bits");
            return;
        }
    }
    t->result.item = t->current;
    t->decision = t->fn(t->user, w, exists);
    switch (t->decision) {
    case OLOCK_MUTATE_ABORT:
        olock__mutate_aborted(t);
        return;
    case OLOCK_MUTATE_NO_CHANGE:
        t->result.version = t->cur_version;
        olock__task_finish(t, OLOCK_OK, NULL);
        return;
    case OLOCK_MUTATE_DELETE:
        if (!exists) {
            t->result.version = t->cur_version;
            olock__task_finish(t, OLOCK_OK, NULL);
            return;
        }
        break;
    case OLOCK_MUTATE_WRITE:
        if (!w->root || w->root->type != OLOCK_TYPE_M) {
            olock__task_finish(t, OLOCK_ERR_INVALID_ARG, "the mutate function broke the item");
            return;
        }
        for (k = t->key->first; k; k = k->next) {
            if (!olock_value_equal(k, olock_map_get(w->root, k->key, k->key_len))) {
                olock__task_finish(t, OLOCK_ERR_INVALID_ARG, "the mutate function changed or removed a key attribute");
                return;
            }
        }
        break;
    default:
        olock__task_finish(t, OLOCK_ERR_INVALID_ARG, "the mutate function returned an unknown olock_mutation");
        return;
    }
    if (!olock__conflict_budget_left(t)) {
        olock__conflict_give_up(t, "conflict budget exhausted: the item kept changing");
        return;
    }
    t->writes++;
    t->phase = OLOCK__PH_WRITE;
    t->need_build = 1;
}

/* Takes `item` (in the exchange arena, or NULL) as the current item. */
static int olock__set_current(olock_task *t, const olock_value *item) {
    if (item && item == t->current) return 1;
    olock_arena_reset(&t->cur_arena);
    t->current = NULL;
    if (!item) return 1;
    t->current = olock_value_copy(&t->cur_arena, item);
    if (!t->current) {
        olock__task_finish(t, OLOCK_ERR_NOMEM, "out of memory");
        return 0;
    }
    return 1;
}

static void olock__on_write_ok(olock_task *t) {
    if (t->in_doubt) t->result.ambiguous++; /* this copy was applied, so no earlier one was */
    t->in_doubt = 0;
    t->result.version = t->new_version;
    t->result.changed = 1;
    if (olock__write_is_delete(t)) t->result.deleted = 1;
    if (t->kind == OLOCK__K_RMW) {
        /* after a settling read: the stored item, which holds this write */
        t->result.item = olock__write_is_delete(t) ? NULL : t->written ? t->written
                                                                       : t->current;
        if (t->c->cache_n) olock__cache_store(t, t->result.item);
    } else if (t->x.decoded.item) {
        t->result.item = t->x.decoded.item; /* ReturnValues asked by the caller */
    }
    olock__task_finish(t, OLOCK_OK, NULL);
}

/* A write's condition failed (or a settling read / probe came back). Decides between "it was
   ours after all" (an earlier copy of this write was applied: a lost response, or a transport's
   transparent resend), "cannot tell" (MAYBE_SENT), "conflict" and "re-apply on the fresh item".
   fresh: the stored item when known (NULL: absent); known: 0 when the server did not say. */
static void olock__on_write_conflict(olock_task *t, const olock_value *fresh, int known) {
    int verdict = OLOCK__NOT_APPLIED;
    const char *why = NULL;
    t->phase = OLOCK__PH_WRITE; /* what is settled here is the write (a probe or read came back) */
    if (!known && (t->in_doubt || t->kind == OLOCK__K_RMW)) {
        /* The server did not return the item (dynalite ignores ReturnValuesOnConditionCheckFailure):
           read it, when the key is known. A put's key attributes are not known to olock. */
        if (t->kind == OLOCK__K_PUT) {
            olock__task_finish(t, OLOCK_ERR_MAYBE_SENT,
                               "the write may have been applied: the server did not return the stored item "
                               "(ReturnValuesOnConditionCheckFailure) and a put does not know its key to read it");
            return;
        }
        t->phase = OLOCK__PH_SETTLE;
        t->need_build = 1;
        return;
    }
    if (!fresh && t->in_doubt) {
        /* Absent: never applied, or applied and deleted since (a delete leaves no ledger). A
           resend could re-create a deleted item, so olock does not guess. */
        verdict = OLOCK__UNKNOWN;
        why = olock__write_is_delete(t)
            ? "the write may have been applied: the item is gone, deleted by this write or by another writer"
            : "the write may have been applied: the item is absent, so it was not applied or was deleted since";
    } else if (!olock__write_is_delete(t) && fresh) {
        verdict = olock__ledger_verdict(t, fresh, t->new_version, &why);
        if (verdict == OLOCK__UNKNOWN && !t->in_doubt) verdict = OLOCK__NOT_APPLIED; /* nothing of ours was in doubt */
    } else if (fresh && t->in_doubt && *t->inc) {
        /* A delete in doubt whose item is still there was not applied, unless the item there
           is another incarnation (deleted, by us perhaps, and created anew). */
        olock__ledger_head h;
        const olock_value *l = olock__ledger_of(t, fresh);
        if (!l || !olock__ledger_head_of(l, &h) || h.inc_len != OLOCK__WRITER_LEN || memcmp(h.inc, t->inc, OLOCK__WRITER_LEN) != 0) {
            verdict = OLOCK__UNKNOWN;
            why = "the write may have been applied: the item there now was created anew since (another incarnation)";
        }
    }
    if (verdict == OLOCK__APPLIED) {
        t->in_doubt = 0;
        t->result.ambiguous++;
        olock__on_write_ok(t);
        return;
    }
    if (verdict == OLOCK__UNKNOWN) {
        olock__task_finish(t, OLOCK_ERR_MAYBE_SENT, why);
        return;
    }
    if (t->in_doubt) t->result.ambiguous++; /* settled: it was not ours */
    t->in_doubt = 0;
    t->result.conflicts++;
    if (t->kind != OLOCK__K_RMW) {
        if (!olock__set_current(t, fresh)) return;
        t->result.item = t->current;
        if (t->current) olock_item_version(t->current, &t->c->versioning, &t->result.version);
        olock__task_finish(t, OLOCK_CONFLICT, NULL);
        return;
    }
    if (!olock__set_current(t, fresh)) return;
    if (t->c->cache_n) olock__cache_store(t, t->current);
    olock__rmw_mutate(t);
    if (t->phase == OLOCK__PH_WRITE) olock__conflict_backoff(t);
}

/* ---- versioned engine: the kinds of operation ----------------------------------------------
   What differs between a single-item write (put, versioned update, delete, olock_update), a
   transaction and olock_update_many: how the request of the current phase is built, and what a
   success or a conflict of it means. Sending, retries, doubt, deadlines and the outcome model
   are shared (olock_task_poll, olock_task_complete_why, olock__on_retryable). */

/* Single items: READ and SETTLE read the item, WRITE and PROBE write it. */
static olock_result olock__single_build(olock_task *t) {
    return t->phase == OLOCK__PH_READ || t->phase == OLOCK__PH_SETTLE ? olock__build_read(t) : olock__build_write(t);
}

static void olock__single_success(olock_task *t) {
    const olock_value *item = t->x.decoded.item;
    if (t->phase == OLOCK__PH_SETTLE) {
        if (olock__set_current(t, item)) olock__on_write_conflict(t, t->current, 1);
    } else if (t->phase == OLOCK__PH_READ) {
        if (olock__set_current(t, item)) olock__rmw_mutate(t);
    } else {
        olock__on_write_ok(t);
    }
}

static void olock__single_conflict(olock_task *t) {
    const olock_value *fresh = t->x.decoded.item;
    if (fresh) t->c->all_old_supported = 1; /* from now on a conflict without it means "absent" */
    olock__on_write_conflict(t, fresh, fresh != NULL || t->c->all_old_supported);
}

/* A transaction or olock_update_many's write that succeeded: a resend with the same
   ClientRequestToken is a replay, so one that follows a doubt was applied once. */
static void olock__token_write_ok(olock_task *t) {
    if (t->in_doubt) t->result.ambiguous++;
    t->in_doubt = 0;
    t->result.changed = 1;
}

static void olock__txn_success(olock_task *t) {
    size_t i;
    olock__token_write_ok(t);
    for (i = 0; i < t->txn->count; i++) t->txn->actions[i].reason = NULL;
    olock__task_finish(t, OLOCK_OK, NULL);
}

/* olock_update_many: after the read, the caller's function and the write; after the write, done. */
static void olock__many_success(olock_task *t) {
    olock_response *res = &t->x.decoded;
    size_t i;
    olock_mutation m;
    if (t->phase != OLOCK__PH_READ) {
        olock__token_write_ok(t);
        olock__task_finish(t, OLOCK_OK, NULL);
        return;
    }
    for (i = 0; i < t->key_count; i++) {
        const olock_value *it = i < res->item_count ? res->items[i] : NULL;
        olock_item *w = t->items[i];
        olock_arena_reset(&w->arena);
        w->root = olock_value_copy(&w->arena, it ? it : t->keys[i].key);
        if (!w->root) {
            olock__task_finish(t, OLOCK_ERR_NOMEM, "out of memory");
            return;
        }
        t->exists[i] = it != NULL;
        t->each[i] = OLOCK_MUTATE_NO_CHANGE;
        t->versions[i] = t->c->versioning.start_at;
        if (it && olock_item_version(it, &t->c->versioning, &t->versions[i]) != OLOCK_OK) {
            olock__task_finish(t, OLOCK_ERR_TYPE, "a stored version attribute is not a non-negative integer");
            return;
        }
    }
    m = t->fn_many(t->user, t->items, t->exists, t->each, t->key_count);
    if (m == OLOCK_MUTATE_ABORT) {
        olock__mutate_aborted(t);
        return;
    }
    if (m == OLOCK_MUTATE_NO_CHANGE) {
        olock__task_finish(t, OLOCK_OK, NULL);
        return;
    }
    if (!olock__conflict_budget_left(t)) {
        olock__conflict_give_up(t, "conflict budget exhausted: the items kept changing");
        return;
    }
    t->writes++;
    olock__new_token(t, t->txn_token, 36);
    t->phase = OLOCK__PH_WRITE;
    t->need_build = 1;
}

/* A cancelled transaction: a resend with the same ClientRequestToken replays an applied
   transaction as a success, so a cancellation settles one in doubt as not applied. Returns
   the cancellation reasons. */
static const olock_response *olock__token_write_cancelled(olock_task *t) {
    const olock_response *res = &t->x.decoded;
    size_t i;
    if (t->in_doubt) t->result.ambiguous++;
    t->in_doubt = 0;
    t->result.conflicts++;
    for (i = 0; i < res->reason_count; i++) {
        if (res->reasons[i].code && strcmp(res->reasons[i].code, "ConditionalCheckFailed") == 0 && t->result.failed_action == (size_t)-1)
            t->result.failed_action = i;
    }
    return res;
}

static void olock__txn_conflict(olock_task *t) {
    const olock_response *res = olock__token_write_cancelled(t);
    size_t i;
    for (i = 0; i < t->txn->count; i++) {
        const char *code = i < res->reason_count ? res->reasons[i].code : NULL;
        t->txn->actions[i].reason = code ? olock_arena_strdup(&t->txn->arena, code, strlen(code)) : NULL;
    }
    olock__task_finish(t, OLOCK_CONFLICT, NULL);
}

/* olock_update_many: read everything again and re-apply, under the same conflict policy as
   olock_update (the wait goes before the read, so the items written are fresh). */
static void olock__many_conflict(olock_task *t) {
    olock__token_write_cancelled(t);
    t->result.failed_action = (size_t)-1;
    t->phase = OLOCK__PH_READ;
    t->need_build = 1;
    olock__conflict_backoff(t);
}

static olock_result olock__many_build(olock_task *t) {
    return t->phase == OLOCK__PH_READ ? olock__build_many_read(t) : olock__build_many_write(t);
}

typedef struct olock__kind_ops {
    olock_result (*build)(olock_task *t); /* the request of t->phase into t->x.body and t->op */
    void (*on_success)(olock_task *t);
    void (*on_conflict)(olock_task *t);
} olock__kind_ops;

/* Indexed by OLOCK__K_*. */
static const olock__kind_ops olock__kinds[] = {
    { NULL, NULL, NULL },                                                   /* NONE */
    { olock__single_build, olock__single_success, olock__single_conflict }, /* PUT */
    { olock__single_build, olock__single_success, olock__single_conflict }, /* UPDATE */
    { olock__single_build, olock__single_success, olock__single_conflict }, /* DELETE */
    { olock__single_build, olock__single_success, olock__single_conflict }, /* RMW */
    { olock__build_txn_write, olock__txn_success, olock__txn_conflict },    /* TXN */
    { olock__many_build, olock__many_success, olock__many_conflict },       /* MANY */
};

static void olock__report(olock_task *t, olock_result outcome, uint64_t delay) {
    olock_attempt a;
    if (!t->c->on_attempt) return;
    a.operation = olock_op_name(t->op);
    a.attempt = t->result.requests;
    a.outcome = outcome;
    a.aws_error = t->err.aws_type[0] ? t->err.aws_type : NULL;
    a.http_status = t->err.http_status;
    a.delay_ms = delay;
    t->c->on_attempt(t->c->hook_user, &a);
}

/* Whether the exchange just completed says for certain what became of the request: a decoded
   success, a decoded DynamoDB error in 4xx (DynamoDB applies nothing it answers 4xx to), or a
   transport that never sent it. Anything else (no answer, a 5xx, an answer that cannot be read
   or fails its x-amz-crc32, whatever its status) leaves a write in doubt. */
static int olock__exchange_is_verdict(const olock__exchange *x, olock_result transport, olock_result rc) {
    if (transport == OLOCK_ERR_NOT_SENT || transport == OLOCK_ERR_INVALID_ARG || transport == OLOCK_ERR_UNSUPPORTED) return 1;
    if (transport != OLOCK_OK) return 0;
    if (rc == OLOCK_OK) return 1;
    return x->res.status >= 400 && x->res.status < 500 && x->decoded.error_class != OLOCK_CLASS_NONE;
}

/* A retryable failure, or a write left in doubt: try again after a backoff if the budgets
   allow, else give up (olock__task_finish turns giving up on a write in doubt into MAYBE_SENT). */
static void olock__on_retryable(olock_task *t, olock_result rc, uint64_t now) {
    olock_client *c = t->c;
    unsigned cost = rc == OLOCK_ERR_MAYBE_SENT ? c->retry.quota_timeout_cost : c->retry.quota_retry_cost;
    uint64_t delay;
    const char *after;
    if (t->sends >= c->retry.transient_attempts || c->quota < cost) {
        olock_result final = rc;
        const char *msg = c->quota < cost ? "retry quota exhausted (too many failures on this client)" : NULL;
        if (rc == OLOCK_ERR_CRC32) final = OLOCK_ERR_TRANSIENT;
        olock__report(t, rc, 0);
        olock__task_finish(t, final, msg);
        return;
    }
    c->quota -= cost;
    t->quota_spent += cost;
    delay = olock__backoff(t->c, rc == OLOCK_ERR_THROTTLED, t->sends);
    after = olock_http_response_header(&t->x.res, "x-amz-retry-after");
    if (after && t->x.res.status) {
        uint64_t ms = 0;
        for (; *after >= '0' && *after <= '9' && ms < 1000000000u; after++) ms = ms * 10 + (uint64_t)(*after - '0');
        if (ms > delay) delay = ms > c->retry.cap_ms ? c->retry.cap_ms : ms;
    }
    olock__report(t, rc, delay);
    if (t->deadline && now + delay >= t->deadline) {
        olock__task_finish(t, OLOCK_ERR_DEADLINE, "deadline reached before the next attempt");
        return;
    }
    t->result.retries++;
    t->waiting = 1;
    t->wait_until = now + delay;
    /* A create in doubt is not resent: if it was applied and another writer deleted the item
       since, the resend would re-create it. Look instead (a consistent read; a put, whose key
       olock does not know, sends a probe: the same put under an always-false condition, which
       returns the stored item), and let olock__on_write_conflict settle it. */
    if (t->in_doubt && (t->phase == OLOCK__PH_WRITE || t->phase == OLOCK__PH_PROBE) && !olock__by_token(t) &&
        olock__write_expected(t) == c->versioning.start_at) {
        t->phase = t->kind == OLOCK__K_PUT ? OLOCK__PH_PROBE : OLOCK__PH_SETTLE;
        t->need_build = 1;
    }
}

OLOCK_API olock_task_state olock_task_poll(olock_task *t, uint64_t now_ms, const olock_http_request **req, uint64_t *wait_ms) {
    olock_result rc = OLOCK_OK;
    if (!t || t->phase == OLOCK__PH_DONE || t->phase == OLOCK__PH_IDLE) return OLOCK_TASK_DONE;
    if (t->waiting && now_ms < t->wait_until) {
        if (wait_ms) *wait_ms = t->wait_until - now_ms;
        return OLOCK_TASK_WAIT;
    }
    t->waiting = 0;
    if (t->in_flight) { /* poll again without completing: hand out the same request */
        if (req) *req = &t->x.req;
        return OLOCK_TASK_SEND;
    }
    if (t->deadline && now_ms >= t->deadline) {
        olock__task_finish(t, OLOCK_ERR_DEADLINE, "deadline reached before the next attempt");
        return OLOCK_TASK_DONE;
    }
    if (t->need_build) {
        olock_arena_reset(&t->scratch);
        t->written = NULL; /* these lived in scratch */
        t->own_version = t->own_ledger = NULL;
        rc = olock__kinds[t->kind].build(t);
        if (rc != OLOCK_OK) {
            olock__task_finish(t, rc, rc == OLOCK_ERR_NOMEM ? "out of memory" : NULL);
            return OLOCK_TASK_DONE;
        }
        t->need_build = 0;
        t->sends = 0;
    }
    rc = olock__build_http(t->c, &t->x, t->op, &t->err);
    if (rc != OLOCK_OK) {
        olock__task_finish(t, rc, NULL);
        return OLOCK_TASK_DONE;
    }
    t->in_flight = 1;
    t->sent_at = now_ms;
    if (req) *req = &t->x.req;
    return OLOCK_TASK_SEND;
}

OLOCK_API olock_http_response *olock_task_response(olock_task *t) {
    return t ? &t->x.res : NULL;
}

OLOCK_API void olock_task_complete(olock_task *t, olock_result transport_result) {
    olock_task_complete_why(t, transport_result, NULL);
}

OLOCK_API void olock_task_complete_why(olock_task *t, olock_result transport_result, const char *why) {
    olock_result rc;
    uint64_t now;
    if (!t || !t->in_flight) return;
    if (transport_result == OLOCK_OK || !why) why = "";
    olock__copy_str(t->x.transport_error, sizeof t->x.transport_error, why, strlen(why));
    t->in_flight = 0;
    t->sends++;
    t->result.requests++;
    t->err.attempts = t->result.requests;
    rc = olock__finish_exchange(&t->x, t->op, transport_result, &t->err);
    if (rc == OLOCK_ERR_SERVICE) olock__note_own_bytes(t);
    t->err.attempts = t->result.requests;
    now = olock_client_now_ms(t->c);
    t->rtt = now >= t->sent_at ? now - t->sent_at : 0;
    if ((t->phase == OLOCK__PH_WRITE || t->phase == OLOCK__PH_PROBE) && !olock__exchange_is_verdict(&t->x, transport_result, rc)) {
        /* Sent, but no verdict: the write may have been applied. Resend it to settle that (the
           version condition lets at most one copy apply; a transaction's token makes the resend
           a replay). */
        t->in_doubt = 1;
        olock__on_retryable(t, rc, now);
        return;
    }
    switch (rc) {
    case OLOCK_OK:
        olock__report(t, rc, 0);
        /* AWS standard mode: a success refunds what its retries cost, or one token. */
        t->c->quota += t->quota_spent ? t->quota_spent : 1;
        if (t->c->quota > t->c->retry.quota_capacity) t->c->quota = t->c->retry.quota_capacity;
        t->quota_spent = 0;
        olock__kinds[t->kind].on_success(t);
        return;
    case OLOCK_CONFLICT:
        olock__report(t, rc, 0);
        olock__kinds[t->kind].on_conflict(t);
        return;
    case OLOCK_ERR_THROTTLED:
    case OLOCK_ERR_TRANSIENT:
    case OLOCK_ERR_NOT_SENT:
    case OLOCK_ERR_MAYBE_SENT:
    case OLOCK_ERR_CRC32:
        olock__on_retryable(t, rc, now);
        return;
    default:
        olock__report(t, rc, 0);
        olock__task_finish(t, rc, NULL);
        return;
    }
}

OLOCK_API olock_result olock_task_result(const olock_task *t, olock_write_result *result, olock_error *err) {
    if (!t) return OLOCK_ERR_INVALID_ARG;
    if (t->phase != OLOCK__PH_DONE) {
        if (err) {
            olock__error_clear(err);
            olock__error_set(err, OLOCK_ERR_INVALID_ARG, "the task is not done");
        }
        return OLOCK_ERR_INVALID_ARG;
    }
    if (err) olock__error_copy(err, &t->err);
    if (result) *result = t->result;
    return t->rc;
}

OLOCK_API olock_result olock_task_run(olock_task *t, olock_write_result *result, olock_error *err) {
    olock_client *c;
    if (!t) return OLOCK_ERR_INVALID_ARG;
    c = t->c;
    for (;;) {
        const olock_http_request *req = NULL;
        uint64_t wait = 0;
        olock_task_state s;
        if (t->phase == OLOCK__PH_DONE) break; /* what olock_task_poll would say, without reading the clock */
        s = olock_task_poll(t, olock_client_now_ms(c), &req, &wait);
        if (s == OLOCK_TASK_DONE) break;
        if (s == OLOCK_TASK_WAIT) {
            c->sleep_ms(c->hook_user, wait);
            continue;
        }
        olock_result r = c->transport.send(c->transport.user, req, &t->x.res);
        olock_task_complete_why(t, r, olock__transport_why(c, r));
    }
    return olock_task_result(t, result, err);
}

/* ---- versioned engine: entry points ------------------------------------------------------ */

/* A caller's update expression or condition must leave olock's own attributes alone: the
   engine sets the version and the ledger itself (DynamoDB would answer "Two document paths
   overlap") and adds the version condition (a condition of the caller's on them repeats it or
   contradicts it, and then every attempt conflicts). INVALID_ARG naming the attribute, before
   anything is sent. */
static olock_result olock__check_own_attributes(const olock_client *c, const olock_item_request *req, const char *fn,
                                                olock_error *err) {
    const char *attrs[2];
    size_t attr_len[2];
    olock__touch hit;
    const olock_value *names = NULL, *m;
    int i;
    attrs[0] = c->versioning.attribute;
    attrs[1] = c->versioning.token_attribute;
    attr_len[0] = c->version_attribute_len;
    attr_len[1] = c->token_attribute_len;
    /* A #placeholder can stand for an own attribute only if a name does: when none does (the
       usual case), the scan looks up no placeholder. */
    if (req->names && req->names->type == OLOCK_TYPE_M)
        for (m = req->names->first; m && !names; m = m->next)
            for (i = 0; i < 2; i++)
                if (m->type == OLOCK_TYPE_S && attr_len[i] && m->len == attr_len[i] && memcmp(m->str, attrs[i], m->len) == 0)
                    names = req->names;
    for (i = 0; i < 2; i++) {
        const char *expr = i == 0 ? req->update : req->condition;
        if (!olock__expr_touches(expr, i == 0, names, attrs, attr_len, &hit)) continue;
        return olock__invalid_arg(err, "%s: req->%s %s `%s`%s%.*s%s, %s olock manages; remove it", fn, i == 0 ? "update" : "condition",
                                  hit.clause, hit.attr, hit.tok[0] == '#' ? " (as " : "", hit.tok[0] == '#' ? (int)hit.tok_len : 0,
                                  hit.tok, hit.tok[0] == '#' ? ")" : "",
                                  hit.attr == attrs[0] ? "the version attribute" : "the writer ledger");
    }
    return OLOCK_OK;
}

static olock_result olock__check_write_request(const olock_client *c, const olock_item_request *req, int kind, const char *fn,
                                               olock_error *err) {
    if (!req) return olock__null_arg(err, fn, "req");
    if (!req->table || !*req->table) return olock__invalid_arg(err, "%s: req->table is NULL or empty", fn);
    if (kind == OLOCK__K_PUT && !req->item) return olock__invalid_arg(err, "%s: req->item is NULL (a put writes a whole item)", fn);
    if (kind == OLOCK__K_PUT && req->key) return olock__invalid_arg(err, "%s: req->key is set (a put takes the item, not a key)", fn);
    if (kind != OLOCK__K_PUT && !req->key) return olock__invalid_arg(err, "%s: req->key is NULL", fn);
    if (kind != OLOCK__K_PUT && req->item) return olock__invalid_arg(err, "%s: req->item is set (only a put takes an item)", fn);
    if (kind == OLOCK__K_UPDATE && (!req->update || !*req->update)) return olock__invalid_arg(err, "%s: req->update is NULL or empty", fn);
    if (kind != OLOCK__K_UPDATE && req->update)
        return olock__invalid_arg(err, "%s: req->update is set (only a versioned update takes an update expression)", fn);
    if (req->projection) return olock__invalid_arg(err, "%s: req->projection is set (a write takes no projection)", fn);
    if (req->consistent_read) return olock__invalid_arg(err, "%s: req->consistent_read is set (a write takes none)", fn);
    return olock__check_own_attributes(c, req, fn, err);
}

/* Why olock__task_begin refused: t is NULL or busy. */
static olock_result olock__task_begin_refused(const olock_task *t, const char *fn, olock_error *err) {
    if (!t) return olock__null_arg(err, fn, "t");
    return olock__invalid_arg(err, "%s: the task is busy with another operation (a blocking call from inside a mutate "
                                   "function, or a task begun again before it was done)",
                              fn);
}

/* A begin_* of the task API that failed: olock_task_result then gives its code and message,
   unless the task is busy with an operation, whose outcome this must not touch. */
static olock_result olock__task_begin_failed(olock_task *t, olock_result rc, const olock_error *why) {
    if (t && (t->phase == OLOCK__PH_DONE || t->phase == OLOCK__PH_IDLE)) {
        t->err = *why;
        t->err.code = rc;
        t->rc = rc;
        t->phase = OLOCK__PH_DONE;
    }
    return rc;
}

static olock_result olock__begin_write(olock_task *t, int kind, const olock_item_request *req, uint64_t expected,
                                       const char *fn, olock_error *err) {
    olock_result rc;
    if (!t) return olock__null_arg(err, fn, "t");
    rc = olock__check_write_request(t->c, req, kind, fn, err);
    if (rc != OLOCK_OK) return rc;
    rc = olock__task_begin(t, kind);
    if (rc != OLOCK_OK) return olock__task_begin_refused(t, fn, err);
    t->req = *req;
    t->expected = expected;
    t->phase = OLOCK__PH_WRITE;
    t->writes = 1;
    return OLOCK_OK;
}

/* The task API's begin of a versioned write, its failure kept in the task. */
static olock_result olock__task_begin_write(olock_task *t, int kind, const olock_item_request *req, uint64_t expected,
                                            const char *fn) {
    olock_error why;
    olock_result rc;
    olock__error_clear(&why);
    rc = olock__begin_write(t, kind, req, expected, fn, &why);
    return rc != OLOCK_OK ? olock__task_begin_failed(t, rc, &why) : rc;
}

OLOCK_API olock_result olock_task_begin_put(olock_task *t, const olock_item_request *req, uint64_t expected_version) {
    return olock__task_begin_write(t, OLOCK__K_PUT, req, expected_version, "olock_task_begin_put");
}
OLOCK_API olock_result olock_task_begin_versioned_update(olock_task *t, const olock_item_request *req, uint64_t expected_version) {
    return olock__task_begin_write(t, OLOCK__K_UPDATE, req, expected_version, "olock_task_begin_versioned_update");
}
OLOCK_API olock_result olock_task_begin_delete(olock_task *t, const olock_item_request *req, uint64_t expected_version) {
    return olock__task_begin_write(t, OLOCK__K_DELETE, req, expected_version, "olock_task_begin_delete");
}

/* olock_update's checks and start, its complaints in the name of `fn` into err. */
static olock_result olock__begin_update(olock_task *t, const char *table, const olock_value *key, olock_mutate_fn fn,
                                        void *user, const char *name, olock_error *err) {
    olock_result rc;
    olock__cache_entry *e;
    if (!t) return olock__null_arg(err, name, "t");
    if (!table || !*table) return olock__invalid_arg(err, "%s: table is NULL or empty", name);
    if (!key) return olock__null_arg(err, name, "key");
    if (key->type != OLOCK_TYPE_M || !key->count) return olock__invalid_arg(err, "%s: key is not a map of the key attributes", name);
    if (!fn) return olock__null_arg(err, name, "fn");
    rc = olock__task_begin(t, OLOCK__K_RMW);
    if (rc != OLOCK_OK) return olock__task_begin_refused(t, name, err);
    t->table = table;
    t->key = key;
    t->fn = fn;
    t->user = user;
    t->phase = OLOCK__PH_READ;
    e = olock__cache_find(t->c, table, key, &t->x.body, 0);
    if (e) { /* write from the cached version; a conflict brings the fresh item */
        e->used = ++t->c->cache_tick;
        t->from_cache = 1;
        if (!olock__set_current(t, e->item->root)) return t->rc;
        olock__rmw_mutate(t);
    }
    return OLOCK_OK;
}

OLOCK_API olock_result olock_task_begin_update(olock_task *t, const char *table, const olock_value *key,
                                               olock_mutate_fn fn, void *user) {
    olock_error why;
    olock_result rc;
    olock__error_clear(&why);
    rc = olock__begin_update(t, table, key, fn, user, "olock_task_begin_update", &why);
    return rc != OLOCK_OK && why.code ? olock__task_begin_failed(t, rc, &why) : rc;
}

/* The lazily created task behind the blocking calls. */
static olock_result olock__blocking_task(olock_client *c, const char *fn, olock_task **t, olock_error *err) {
    olock__error_clear(err);
    *t = NULL;
    if (!c) return olock__null_arg(err, fn, "c");
    if (!c->blocking && olock_task_create(c, &c->blocking) != OLOCK_OK) {
        olock__error_set(err, OLOCK_ERR_NOMEM, "out of memory");
        return OLOCK_ERR_NOMEM;
    }
    c->blocking_destroy = olock_task_destroy; /* the client part comes first: it cannot name it */
    *t = c->blocking;
    return OLOCK_OK;
}

/* A begin that failed without saying why (out of memory, a limit) still gets a message. */
static olock_result olock__begin_failed(olock_result rc, olock_error *err) {
    if (err && !err->code) olock__error_set(err, rc, "%s", olock_result_str(rc));
    return rc;
}

/* A versioned write of one kind, run to the end on the client's blocking task. */
static olock_result olock__blocking_write(olock_client *c, const char *fn, int kind, const olock_item_request *req, uint64_t expected,
                                          olock_write_result *result, olock_error *err) {
    olock_task *t;
    olock_result rc = olock__blocking_task(c, fn, &t, err);
    if (rc != OLOCK_OK) return rc;
    rc = olock__begin_write(t, kind, req, expected, fn, err);
    return rc != OLOCK_OK ? olock__begin_failed(rc, err) : olock_task_run(t, result, err);
}

OLOCK_API olock_result olock_versioned_put(olock_client *c, const olock_item_request *req, uint64_t expected_version,
                                           olock_write_result *result, olock_error *err) {
    return olock__blocking_write(c, "olock_versioned_put", OLOCK__K_PUT, req, expected_version, result, err);
}

OLOCK_API olock_result olock_versioned_update(olock_client *c, const olock_item_request *req, uint64_t expected_version,
                                              olock_write_result *result, olock_error *err) {
    return olock__blocking_write(c, "olock_versioned_update", OLOCK__K_UPDATE, req, expected_version, result, err);
}

OLOCK_API olock_result olock_versioned_delete(olock_client *c, const olock_item_request *req, uint64_t expected_version,
                                              olock_write_result *result, olock_error *err) {
    return olock__blocking_write(c, "olock_versioned_delete", OLOCK__K_DELETE, req, expected_version, result, err);
}

OLOCK_API olock_result olock_update(olock_client *c, const char *table, const olock_value *key,
                                    olock_mutate_fn fn, void *user, olock_write_result *result, olock_error *err) {
    olock_task *t;
    olock_result rc = olock__blocking_task(c, "olock_update", &t, err);
    if (rc != OLOCK_OK) return rc;
    rc = olock__begin_update(t, table, key, fn, user, "olock_update", err);
    return rc != OLOCK_OK ? olock__begin_failed(rc, err) : olock_task_run(t, result, err);
}

/* ---- transactions ------------------------------------------------------------------------- */

OLOCK_API olock_result olock_txn_create(olock_client *c, olock_txn **out) {
    olock_txn *t;
    if (!c || !out) return OLOCK_ERR_INVALID_ARG;
    t = (olock_txn *)olock__alloc(&c->alloc, sizeof *t);
    if (!t) return OLOCK_ERR_NOMEM;
    memset(t, 0, sizeof *t);
    t->c = c;
    olock_arena_init(&t->arena, &c->alloc);
    *out = t;
    return OLOCK_OK;
}

OLOCK_API void olock_txn_destroy(olock_txn *t) {
    olock_allocator a;
    if (!t) return;
    a = t->c->alloc;
    olock_arena_free(&t->arena);
    olock__free(&a, t->actions, sizeof *t->actions * t->cap);
    olock__free(&a, t, sizeof *t);
}

OLOCK_API void olock_txn_reset(olock_txn *t) {
    if (!t) return;
    olock_arena_reset(&t->arena);
    t->count = 0;
    t->sticky = OLOCK_OK;
}

OLOCK_API size_t olock_txn_count(const olock_txn *t) { return t ? t->count : 0; }

static olock_result olock__txn_add(olock_txn *t, olock_txn_kind kind, const char *table, const olock_value *key,
                                   const olock_value *item, const olock_item_request *req, uint64_t expected) {
    olock__txn_action *a;
    olock_arena *ar;
    if (!t) return OLOCK_ERR_INVALID_ARG;
    if (t->sticky != OLOCK_OK) return t->sticky;
    if (!table || !*table || (kind == OLOCK_TXN_PUT ? !item || item->type != OLOCK_TYPE_M : !key || key->type != OLOCK_TYPE_M))
        return OLOCK_ERR_INVALID_ARG;
    if (req && (olock__has_reserved_placeholder(req->names) || olock__has_reserved_placeholder(req->values)))
        return OLOCK_ERR_INVALID_ARG;
    if (t->count == 100) return t->sticky = OLOCK_ERR_LIMIT; /* DynamoDB's limit per transaction */
    if (t->count == t->cap) {
        size_t cap = t->cap ? t->cap * 2 : 8;
        olock__txn_action *n = (olock__txn_action *)olock__realloc(&t->c->alloc, t->actions, sizeof *n * t->cap, sizeof *n * cap);
        if (!n) return t->sticky = OLOCK_ERR_NOMEM;
        t->actions = n;
        t->cap = cap;
    }
    ar = &t->arena;
    a = &t->actions[t->count];
    memset(a, 0, sizeof *a);
    a->kind = kind;
    a->expected = expected;
    a->table = olock_arena_strdup(ar, table, strlen(table));
    if (key) a->key = olock_value_copy(ar, key);
    if (item) a->item = olock_value_copy(ar, item);
    if (req) {
        if (req->update) a->update = olock_arena_strdup(ar, req->update, strlen(req->update));
        if (req->condition) a->condition = olock_arena_strdup(ar, req->condition, strlen(req->condition));
        if (req->names) a->names = olock_value_copy(ar, req->names);
        if (req->values) a->values = olock_value_copy(ar, req->values);
        if ((req->update && !a->update) || (req->condition && !a->condition) || (req->names && !a->names) ||
            (req->values && !a->values)) return t->sticky = OLOCK_ERR_NOMEM;
    }
    if (!a->table || (key && !a->key) || (item && !a->item)) return t->sticky = OLOCK_ERR_NOMEM;
    t->count++;
    return OLOCK_OK;
}

OLOCK_API olock_result olock_txn_put(olock_txn *t, const char *table, const olock_value *item, uint64_t expected_version) {
    return olock__txn_add(t, OLOCK_TXN_PUT, table, NULL, item, NULL, expected_version);
}
OLOCK_API olock_result olock_txn_update(olock_txn *t, const olock_item_request *req, uint64_t expected_version) {
    if (!req || !req->update || !*req->update) return OLOCK_ERR_INVALID_ARG;
    if (t && olock__check_own_attributes(t->c, req, "olock_txn_update", NULL) != OLOCK_OK) return OLOCK_ERR_INVALID_ARG;
    return olock__txn_add(t, OLOCK_TXN_UPDATE, req->table, req->key, NULL, req, expected_version);
}
OLOCK_API olock_result olock_txn_delete(olock_txn *t, const char *table, const olock_value *key, uint64_t expected_version) {
    return olock__txn_add(t, OLOCK_TXN_DELETE, table, key, NULL, NULL, expected_version);
}
OLOCK_API olock_result olock_txn_check(olock_txn *t, const char *table, const olock_value *key, uint64_t expected_version) {
    return olock__txn_add(t, OLOCK_TXN_CONDITION_CHECK, table, key, NULL, NULL, expected_version);
}

OLOCK_API uint64_t olock_txn_version(const olock_txn *t, size_t i) {
    return t && i < t->count ? t->actions[i].new_version : 0;
}
OLOCK_API const char *olock_txn_reason(const olock_txn *t, size_t i) {
    return t && i < t->count ? t->actions[i].reason : NULL;
}

/* One versioned action of a TransactWriteItems, into `out`: its strings and maps are copied
   into the task's scratch (the builder is reused for the next action). */
static olock_result olock__txn_action_request(olock_task *t, const olock__txn_action *a, olock_txn_action *out, uint64_t *new_version) {
    olock_arena *ar = &t->scratch;
    const olock_versioning *v = &t->c->versioning;
    olock_item_request r;
    olock_expr *e;
    olock_result rc = OLOCK_OK;
    e = olock__write_expr(t, a->names, a->values, &rc);
    if (!e) return rc;
    if (a->condition) olock_expr_add_condition(e, olock_cond_raw(e, a->condition));
    olock_expr_add_condition(e, olock__guard_head(t, e, a->basis, olock__version_cond(t, e, a->expected)));
    memset(out, 0, sizeof *out);
    out->kind = a->kind;
    out->req.table = a->table;
    out->req.key = a->key;
    out->req.return_values_on_condition_check_failure = OLOCK_RV_ALL_OLD;
    *new_version = a->expected;
    if (a->kind == OLOCK_TXN_PUT || a->kind == OLOCK_TXN_UPDATE) {
        olock_value *nv;
        rc = olock__next_version(v, a->expected, new_version);
        if (rc != OLOCK_OK) return olock__build_failed(t, rc, "version overflow: the version attribute cannot be incremented");
        nv = olock_value_new_u64(ar, *new_version);
        if (!nv) return OLOCK_ERR_NOMEM;
        if (a->kind == OLOCK_TXN_PUT) {
            olock_value *item = olock__map_clone(ar, a->item);
            if (!item || olock_map_put(ar, item, v->attribute, t->c->version_attribute_len, nv) != OLOCK_OK) return OLOCK_ERR_NOMEM;
            out->req.item = item;
        } else {
            if (a->update && *a->update) olock_expr_update_raw(e, a->update);
            olock_expr_set(e, olock__version_path(t, e), nv);
        }
    }
    memset(&r, 0, sizeof r);
    rc = olock_expr_render_item(e, &r, &t->err);
    if (rc != OLOCK_OK) return rc;
    out->req.condition = olock_arena_strdup(ar, r.condition, strlen(r.condition));
    out->req.update = r.update ? olock_arena_strdup(ar, r.update, strlen(r.update)) : NULL;
    out->req.names = r.names ? olock_value_copy(ar, r.names) : NULL;
    out->req.values = r.values ? olock_value_copy(ar, r.values) : NULL;
    if (!out->req.condition || (r.update && !out->req.update) || (r.names && !out->req.names) || (r.values && !out->req.values))
        return OLOCK_ERR_NOMEM;
    return OLOCK_OK;
}

static olock_result olock__build_txn_write(olock_task *t) {
    olock_txn *txn = t->txn;
    olock_txn_action *acts;
    size_t i;
    olock_result rc;
    acts = (olock_txn_action *)olock_arena_alloc(&t->scratch, sizeof *acts * (txn->count ? txn->count : 1));
    if (!acts) return OLOCK_ERR_NOMEM;
    for (i = 0; i < txn->count; i++) {
        rc = olock__txn_action_request(t, &txn->actions[i], &acts[i], &txn->actions[i].new_version);
        if (rc != OLOCK_OK) return rc;
    }
    t->op = OLOCK_OP_TRANSACT_WRITE_ITEMS;
    olock_buf_clear(&t->x.body);
    return olock_encode_transact_write(acts, txn->count, t->txn_token, &t->x.body, &t->err);
}

static olock_result olock__begin_txn(olock_task *t, olock_txn *txn, const char *fn, olock_error *err) {
    olock_result rc;
    if (!t) return olock__null_arg(err, fn, "t");
    if (!txn) return olock__null_arg(err, fn, "txn");
    if (txn->c != t->c) return olock__invalid_arg(err, "%s: txn was created on another client", fn);
    if (!txn->count) return olock__invalid_arg(err, "%s: txn has no actions", fn);
    if (txn->sticky != OLOCK_OK) {
        olock__error_set(err, txn->sticky, "%s: adding an action to txn failed earlier: %s", fn,
                         txn->sticky == OLOCK_ERR_LIMIT ? "more than 100 actions (DynamoDB's limit)" : olock_result_str(txn->sticky));
        return txn->sticky;
    }
    rc = olock__task_begin(t, OLOCK__K_TXN);
    if (rc != OLOCK_OK) return olock__task_begin_refused(t, fn, err);
    t->txn = txn;
    t->phase = OLOCK__PH_WRITE;
    t->writes = 1;
    /* One token per logical transaction: a resend after a lost response is applied once. */
    olock__new_token(t, t->txn_token, 36);
    return OLOCK_OK;
}

OLOCK_API olock_result olock_task_begin_txn(olock_task *t, olock_txn *txn) {
    olock_error why;
    olock_result rc;
    olock__error_clear(&why);
    rc = olock__begin_txn(t, txn, "olock_task_begin_txn", &why);
    return rc != OLOCK_OK ? olock__task_begin_failed(t, rc, &why) : rc;
}

OLOCK_API olock_result olock_txn_commit(olock_client *c, olock_txn *txn, olock_write_result *result, olock_error *err) {
    olock_task *t;
    olock_result rc = olock__blocking_task(c, "olock_txn_commit", &t, err);
    if (rc != OLOCK_OK) return rc;
    rc = olock__begin_txn(t, txn, "olock_txn_commit", err);
    return rc != OLOCK_OK ? olock__begin_failed(rc, err) : olock_task_run(t, result, err);
}

/* ---- multi-item read-modify-write ---------------------------------------------------------- */

static olock_result olock__build_many_read(olock_task *t) {
    olock_item_request *gets = (olock_item_request *)olock_arena_alloc(&t->scratch, sizeof *gets * t->key_count);
    size_t i;
    if (!gets) return OLOCK_ERR_NOMEM;
    memset(gets, 0, sizeof *gets * t->key_count);
    for (i = 0; i < t->key_count; i++) {
        gets[i].table = t->keys[i].table;
        gets[i].key = t->keys[i].key;
    }
    t->op = OLOCK_OP_TRANSACT_GET_ITEMS;
    olock_buf_clear(&t->x.body);
    return olock_encode_transact_get(gets, t->key_count, &t->x.body, &t->err);
}

static olock_result olock__build_many_write(olock_task *t) {
    olock_txn_action *acts = (olock_txn_action *)olock_arena_alloc(&t->scratch, sizeof *acts * t->key_count);
    size_t i;
    olock_result rc;
    if (!acts) return OLOCK_ERR_NOMEM;
    for (i = 0; i < t->key_count; i++) {
        olock__txn_action a;
        uint64_t nv;
        memset(&a, 0, sizeof a);
        a.expected = t->versions[i];
        a.basis = t->exists[i] ? t->items[i]->root : NULL;
        switch (t->each[i]) {
        case OLOCK_MUTATE_WRITE:
            a.kind = OLOCK_TXN_PUT;
            a.item = t->items[i]->root;
            break;
        case OLOCK_MUTATE_DELETE:
            if (!t->exists[i]) {
                a.kind = OLOCK_TXN_CONDITION_CHECK;
                break;
            }
            a.kind = OLOCK_TXN_DELETE;
            break;
        default: a.kind = OLOCK_TXN_CONDITION_CHECK; break;
        }
        rc = olock__txn_action_request(t, &a, &acts[i], &nv);
        if (rc != OLOCK_OK) return rc;
        acts[i].req.table = t->keys[i].table;
        if (a.kind != OLOCK_TXN_PUT) acts[i].req.key = t->keys[i].key;
    }
    t->op = OLOCK_OP_TRANSACT_WRITE_ITEMS;
    olock_buf_clear(&t->x.body);
    return olock_encode_transact_write(acts, t->key_count, t->txn_token, &t->x.body, &t->err);
}

static olock_result olock__begin_update_many(olock_task *t, const olock_key_ref *keys, size_t count,
                                             olock_mutate_many_fn fn, void *user, const char *name, olock_error *err) {
    olock_client *c;
    olock_result rc;
    size_t i;
    if (!t) return olock__null_arg(err, name, "t");
    if (!keys) return olock__null_arg(err, name, "keys");
    if (!count) return olock__invalid_arg(err, "%s: count is 0", name);
    if (!fn) return olock__null_arg(err, name, "fn");
    if (count > 100) { /* DynamoDB's limit per transaction */
        olock__error_set(err, OLOCK_ERR_LIMIT, "%s: count is %lu, more than the 100 items of a transaction", name, (unsigned long)count);
        return OLOCK_ERR_LIMIT;
    }
    c = t->c;
    for (i = 0; i < count; i++)
        if (!keys[i].table || !*keys[i].table || !keys[i].key || keys[i].key->type != OLOCK_TYPE_M)
            return olock__invalid_arg(err, "%s: keys[%lu].%s", name, (unsigned long)i,
                                      !keys[i].table || !*keys[i].table ? "table is NULL or empty"
                                          : !keys[i].key                ? "key is NULL"
                                                                        : "key is not a map of the key attributes");
    if (!t->items) {
        t->items = (olock_item **)olock__alloc(&c->alloc, sizeof *t->items * 100);
        t->exists = (int *)olock__alloc(&c->alloc, sizeof *t->exists * 100);
        t->each = (olock_mutation *)olock__alloc(&c->alloc, sizeof *t->each * 100);
        t->versions = (uint64_t *)olock__alloc(&c->alloc, sizeof *t->versions * 100);
        if (t->items) memset(t->items, 0, sizeof *t->items * 100);
        if (!t->items || !t->exists || !t->each || !t->versions) {
            olock__many_free(t);
            return OLOCK_ERR_NOMEM;
        }
    }
    for (i = 0; i < count; i++)
        if (!t->items[i] && olock_item_create(&c->alloc, &t->items[i]) != OLOCK_OK) return OLOCK_ERR_NOMEM;
    rc = olock__task_begin(t, OLOCK__K_MANY);
    if (rc != OLOCK_OK) return olock__task_begin_refused(t, name, err);
    t->keys = keys;
    t->key_count = count;
    t->fn_many = fn;
    t->user = user;
    t->phase = OLOCK__PH_READ;
    return OLOCK_OK;
}

OLOCK_API olock_result olock_task_begin_update_many(olock_task *t, const olock_key_ref *keys, size_t count,
                                                    olock_mutate_many_fn fn, void *user) {
    olock_error why;
    olock_result rc;
    olock__error_clear(&why);
    rc = olock__begin_update_many(t, keys, count, fn, user, "olock_task_begin_update_many", &why);
    return rc != OLOCK_OK && why.code ? olock__task_begin_failed(t, rc, &why) : rc;
}

OLOCK_API olock_result olock_update_many(olock_client *c, const olock_key_ref *keys, size_t count,
                                         olock_mutate_many_fn fn, void *user, olock_write_result *result, olock_error *err) {
    olock_task *t;
    olock_result rc = olock__blocking_task(c, "olock_update_many", &t, err);
    if (rc != OLOCK_OK) return rc;
    rc = olock__begin_update_many(t, keys, count, fn, user, "olock_update_many", err);
    return rc != OLOCK_OK ? olock__begin_failed(rc, err) : olock_task_run(t, result, err);
}
/* =============================================================================================
   >>records (implementation)
   ========================================================================================== */

/* Built on the engine: besides the public API it uses what the engine lists as its private
   names later parts may use (beginning an update, running it blocking, the reason for an
   abort), so that a typed update is olock_update's state machine with a struct in place of an
   item, not a second engine. */

/* Typed records. Decoding writes straight into the caller's struct and encoding writes into the
   item's arena, which the engine resets per attempt: a typed update in steady state allocates
   nothing. Unchanged scalars are left as they are in the item, and attributes the table does
   not describe are never touched, so the write-back carries them through. */

#define OLOCK__REC_MAX_DEPTH 16 /* nested record types; a table pointing at itself ends here */

/* Where a message says the error is: the field path as frames, put into words only when
   something fails (formatting it for every field would cost more than the decoding). */
#define OLOCK__REC_MAX_FRAMES (2 * OLOCK__REC_MAX_DEPTH + 4)
typedef struct olock__rec_ctx {
    const olock_record_type *top;
    olock_error *err;
    olock_arena *arena; /* encode: the item's */
    struct {
        const char *name;
        size_t index;
    } frames[OLOCK__REC_MAX_FRAMES]; /* name NULL: [index] */
    size_t nframes;
    int depth;
    olock_result rc; /* the last failure (err may be NULL) */
} olock__rec_ctx;

static void olock__rec_ctx_init(olock__rec_ctx *x, const olock_record_type *top, olock_error *err, olock_arena *a) {
    x->top = top;
    x->err = err;
    x->arena = a;
    x->nframes = 0;
    x->depth = 0;
    x->rc = OLOCK_OK;
}

/* Enters field `name` (NULL: element `index`); returns the depth to go back to. */
static size_t olock__rec_push(olock__rec_ctx *x, const char *name, size_t index, int is_index) {
    size_t old = x->nframes;
    if (x->nframes < OLOCK__REC_MAX_FRAMES) {
        x->frames[x->nframes].name = is_index ? NULL : name;
        x->frames[x->nframes].index = index;
        x->nframes++;
    }
    return old;
}
static void olock__rec_pop(olock__rec_ctx *x, size_t old) { x->nframes = old; }

static olock_result olock__rec_fail(olock__rec_ctx *x, olock_result rc, const char *fmt, ...) OLOCK__PRINTF(3, 4);
static olock_result olock__rec_fail(olock__rec_ctx *x, olock_result rc, const char *fmt, ...) {
    char what[200], path[160];
    size_t i, n = 0;
    va_list ap;
    path[0] = 0;
    for (i = 0; i < x->nframes && n < sizeof path - 1; i++) {
        int w = x->frames[i].name ? snprintf(path + n, sizeof path - n, "%s%s", n ? "." : "", x->frames[i].name)
                                  : snprintf(path + n, sizeof path - n, "[%lu]", (unsigned long)x->frames[i].index);
        if (w < 0) break;
        n = (size_t)w < sizeof path - n ? n + (size_t)w : sizeof path - 1;
    }
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    olock__error_set(x->err, rc, "%s: field '%s': %s", x->top->name, path, what);
    x->rc = rc;
    return rc;
}

static int olock__rec_width_ok(size_t w) { return w == 1 || w == 2 || w == 4 || w == 8; }

static int64_t olock__rec_load_i(const unsigned char *p, size_t w) {
    int8_t a;
    int16_t b;
    int32_t c;
    int64_t d;
    switch (w) {
    case 1: memcpy(&a, p, 1); return a;
    case 2: memcpy(&b, p, 2); return b;
    case 4: memcpy(&c, p, 4); return c;
    default: memcpy(&d, p, 8); return d;
    }
}
static uint64_t olock__rec_load_u(const unsigned char *p, size_t w) {
    uint8_t a;
    uint16_t b;
    uint32_t c;
    uint64_t d;
    switch (w) {
    case 1: memcpy(&a, p, 1); return a;
    case 2: memcpy(&b, p, 2); return b;
    case 4: memcpy(&c, p, 4); return c;
    default: memcpy(&d, p, 8); return d;
    }
}
/* The value is in range for w (checked by the caller). */
static void olock__rec_store_i(unsigned char *p, size_t w, int64_t v) {
    int8_t a = (int8_t)v;
    int16_t b = (int16_t)v;
    int32_t c = (int32_t)v;
    switch (w) {
    case 1: memcpy(p, &a, 1); break;
    case 2: memcpy(p, &b, 2); break;
    case 4: memcpy(p, &c, 4); break;
    default: memcpy(p, &v, 8); break;
    }
}
static void olock__rec_store_u(unsigned char *p, size_t w, uint64_t v) {
    uint8_t a = (uint8_t)v;
    uint16_t b = (uint16_t)v;
    uint32_t c = (uint32_t)v;
    switch (w) {
    case 1: memcpy(p, &a, 1); break;
    case 2: memcpy(p, &b, 2); break;
    case 4: memcpy(p, &c, 4); break;
    default: memcpy(p, &v, 8); break;
    }
}
static uint64_t olock__rec_umax(size_t w) { return w >= 8 ? UINT64_MAX : ((uint64_t)1 << (w * 8)) - 1; }
static int64_t olock__rec_imax(size_t w) { return w >= 8 ? INT64_MAX : (int64_t)(((uint64_t)1 << (w * 8 - 1)) - 1); }

/* Canonical DynamoDB text of an integer (what the codec stores), so that an unchanged number is
   recognised by comparing text. Returns the length; buf holds at least OLOCK__U64_TEXT + 1 bytes. */
static size_t olock__rec_itoa(char *buf, int64_t v) {
    if (v >= 0) return olock__u64_text((uint64_t)v, buf);
    buf[0] = '-';
    return 1 + olock__u64_text((uint64_t)0 - (uint64_t)v, buf + 1);
}

/* The member `name` of a map, searched from *hint on round to it: an item olock wrote keeps
   the table's order, so walking the fields finds each member next to the one before (no
   search over the whole item for every field). *hint becomes the member after the one found. */
static olock_value *olock__rec_find(const olock_value *map, const char *name, olock_value **hint) {
    size_t n = strlen(name);
    olock_value *start = *hint ? *hint : map->first, *m;
    for (m = start; m; m = m->next)
        if (m->key_len == n && memcmp(m->key, name, n) == 0) {
            *hint = m->next;
            return m;
        }
    for (m = map->first; m && m != start; m = m->next)
        if (m->key_len == n && memcmp(m->key, name, n) == 0) {
            *hint = m->next;
            return m;
        }
    return NULL;
}

static int olock__rec_present_flag(const olock_field *f, const unsigned char *base) {
    int v;
    memcpy(&v, base + (f->options >> 8), sizeof v);
    return v;
}
static void olock__rec_set_present(const olock_field *f, unsigned char *base, int on) {
    if (f->options & OLOCK_F__PRESENT) memcpy(base + (f->options >> 8), &on, sizeof on);
}

/* ---- checking a table ---- */

static olock_result olock__rec_check_scalar(olock__rec_ctx *x, olock_field_kind k, size_t size) {
    switch (k) {
    case OLOCK_FK_STR:
        if (size < 1) return olock__rec_fail(x, OLOCK_ERR_INVALID_ARG, "a string member of 0 bytes");
        break;
    case OLOCK_FK_STR_PTR:
        if (size != sizeof(const char *)) return olock__rec_fail(x, OLOCK_ERR_INVALID_ARG, "STR_PTR needs a const char * member");
        break;
    case OLOCK_FK_INT:
    case OLOCK_FK_UINT:
        if (!olock__rec_width_ok(size)) return olock__rec_fail(x, OLOCK_ERR_INVALID_ARG, "an integer of %lu bytes", (unsigned long)size);
        break;
    case OLOCK_FK_DOUBLE:
        if (size != sizeof(double)) return olock__rec_fail(x, OLOCK_ERR_INVALID_ARG, "DOUBLE needs a double member");
        break;
    case OLOCK_FK_BOOL:
        if (size != 1 && size != sizeof(int)) return olock__rec_fail(x, OLOCK_ERR_INVALID_ARG, "BOOL needs a bool or int member");
        break;
    default: return olock__rec_fail(x, OLOCK_ERR_INVALID_ARG, "an element kind %d that is not STR, INT, UINT, DOUBLE, BOOL or STRUCT", (int)k);
    }
    return OLOCK_OK;
}

static olock_result olock__rec_check(olock__rec_ctx *x, const olock_record_type *ty, int top) {
    size_t i, old;
    int hash = 0, range = 0, version = 0;
    olock_result rc = OLOCK_OK;
    if (!ty || (!ty->fields && ty->field_count))
        return olock__error_set(x->err, OLOCK_ERR_INVALID_ARG, "%s: a record type is NULL or has no fields", x->top ? x->top->name : "record"),
               OLOCK_ERR_INVALID_ARG;
    if (++x->depth > OLOCK__REC_MAX_DEPTH) {
        x->depth--;
        return olock__rec_fail(x, OLOCK_ERR_LIMIT, "record types nested deeper than 16");
    }
    for (i = 0; i < ty->field_count && rc == OLOCK_OK; i++) {
        const olock_field *f = &ty->fields[i];
        size_t o = f->options;
        old = olock__rec_push(x, f->name ? f->name : "?", 0, 0);
        if (!f->name || !*f->name) rc = olock__rec_fail(x, OLOCK_ERR_INVALID_ARG, "no name");
        else if (f->offset + (f->kind == OLOCK_FK_LIST || f->kind == OLOCK_FK_SET ? f->size * f->capacity : f->size) > ty->size)
            rc = olock__rec_fail(x, OLOCK_ERR_INVALID_ARG, "lies outside the struct");
        else if ((o & (OLOCK_F_HASH_KEY | OLOCK_F_RANGE_KEY | OLOCK_F_VERSION)) && !top)
            rc = olock__rec_fail(x, OLOCK_ERR_INVALID_ARG, "a key or version field in a nested record");
        else if ((o & OLOCK_F__PRESENT) && (o & (OLOCK_F_HASH_KEY | OLOCK_F_RANGE_KEY | OLOCK_F_VERSION)))
            rc = olock__rec_fail(x, OLOCK_ERR_INVALID_ARG, "a key or version field cannot be optional");
        else if ((o & OLOCK_F__PRESENT) && (o >> 8) + sizeof(int) > ty->size)
            rc = olock__rec_fail(x, OLOCK_ERR_INVALID_ARG, "its present flag lies outside the struct");
        else {
            if (o & OLOCK_F_HASH_KEY) hash++;
            if (o & OLOCK_F_RANGE_KEY) range++;
            if (o & OLOCK_F_VERSION) version++;
            if ((o & (OLOCK_F_HASH_KEY | OLOCK_F_RANGE_KEY)) && f->kind != OLOCK_FK_STR && f->kind != OLOCK_FK_STR_PTR &&
                f->kind != OLOCK_FK_INT && f->kind != OLOCK_FK_UINT && f->kind != OLOCK_FK_BYTES)
                rc = olock__rec_fail(x, OLOCK_ERR_INVALID_ARG, "a key must be STR, STR_PTR, INT, UINT or BYTES");
            else if ((o & OLOCK_F_VERSION) && f->kind != OLOCK_FK_INT && f->kind != OLOCK_FK_UINT)
                rc = olock__rec_fail(x, OLOCK_ERR_INVALID_ARG, "the version must be INT or UINT");
            else switch (f->kind) {
                case OLOCK_FK_BYTES:
                    if (!olock__rec_width_ok(f->aux_size) || f->aux_offset + f->aux_size > ty->size)
                        rc = olock__rec_fail(x, OLOCK_ERR_INVALID_ARG, "the length member is not an integer of the struct");
                    break;
                case OLOCK_FK_STRUCT:
                    if (!f->sub || f->sub->size != f->size) rc = olock__rec_fail(x, OLOCK_ERR_INVALID_ARG, "its record type is NULL or of another size");
                    else rc = olock__rec_check(x, f->sub, 0);
                    break;
                case OLOCK_FK_LIST:
                case OLOCK_FK_SET:
                    if (!olock__rec_width_ok(f->aux_size) || f->aux_offset + f->aux_size > ty->size)
                        rc = olock__rec_fail(x, OLOCK_ERR_INVALID_ARG, "the count member is not an integer of the struct");
                    else if (f->elem == OLOCK_FK_STRUCT) {
                        if (f->kind == OLOCK_FK_SET) rc = olock__rec_fail(x, OLOCK_ERR_INVALID_ARG, "a set of records");
                        else if (!f->sub || f->sub->size != f->size) rc = olock__rec_fail(x, OLOCK_ERR_INVALID_ARG, "its record type is NULL or of another size");
                        else rc = olock__rec_check(x, f->sub, 0);
                    } else if (f->kind == OLOCK_FK_SET && f->elem != OLOCK_FK_STR && f->elem != OLOCK_FK_INT &&
                               f->elem != OLOCK_FK_UINT && f->elem != OLOCK_FK_DOUBLE)
                        rc = olock__rec_fail(x, OLOCK_ERR_INVALID_ARG, "a set holds STR (SS) or INT, UINT, DOUBLE (NS)");
                    else rc = olock__rec_check_scalar(x, f->elem, f->size);
                    break;
                default: rc = olock__rec_check_scalar(x, f->kind, f->size); break;
                }
        }
        olock__rec_pop(x, old);
    }
    x->depth--;
    if (rc == OLOCK_OK && top && (hash > 1 || range > 1 || version > 1 || (range && !hash)))
        olock__error_set(x->err, rc = OLOCK_ERR_INVALID_ARG, "%s: more than one hash key, range key or version field, or a range key without a hash key",
                         ty->name);
    return rc;
}

/* The codec keeps numbers in canonical text, so an integer of up to 19 digits ("-42", "1234")
   is read here directly; anything else (a fraction, an exponent, more digits) goes through the
   exact decimal path. Returns 1 when it read the number. */
static int olock__rec_fast_int(const olock_value *v, int *negative, uint64_t *magnitude) {
    const char *s = v->str;
    size_t n = v->len, i = 0;
    *negative = n > 0 && s[0] == '-';
    i = (size_t)*negative;
    return n - i <= 19 && olock__u64_parse(s + i, n - i, magnitude);
}

/* The double a stored N reads as (to the nearest); 0 when it is not a number. */
static int olock__rec_read_double(const olock_value *v, double *out) {
    olock_decimal d;
    return olock_value_get_decimal(v, &d) == OLOCK_OK && olock_decimal_to_double_approx(&d, out) == OLOCK_OK;
}

/* ---- decoding: item -> struct ---- */

static olock_result olock__rec_decode_fields(olock__rec_ctx *x, const olock_record_type *ty, const olock_value *map, unsigned char *base);

static const char *olock__rec_int_name(olock_field_kind k, size_t w) {
    static const char *const s[4] = { "int8_t", "int16_t", "int32_t", "int64_t" }, *const u[4] = { "uint8_t", "uint16_t", "uint32_t", "uint64_t" };
    size_t i = w == 1 ? 0 : w == 2 ? 1
        : w == 4                   ? 2
                                   : 3;
    return k == OLOCK_FK_INT ? s[i] : u[i];
}

static olock_result olock__rec_wrong_type(olock__rec_ctx *x, const olock_value *v, const char *want) {
    return olock__rec_fail(x, OLOCK_ERR_TYPE, "stored as %s, the struct wants %s", olock_type_name(v->type), want);
}

/* One value into the member at p (kind k, member size `size`). */
static olock_result olock__rec_decode_one(olock__rec_ctx *x, const olock_field *f, olock_field_kind k, size_t size,
                                          const olock_value *v, unsigned char *p) {
    olock_result rc;
    switch (k) {
    case OLOCK_FK_STR:
        if (v->type != OLOCK_TYPE_S) return olock__rec_wrong_type(x, v, "S");
        if (v->len >= size || memchr(v->str, 0, v->len))
            return v->len >= size ? olock__rec_fail(x, OLOCK_ERR_LIMIT, "a string of %lu bytes does not fit char[%lu]", (unsigned long)v->len, (unsigned long)size)
                                  : olock__rec_fail(x, OLOCK_ERR_LIMIT, "a string with a NUL byte does not fit a C string");
        memcpy(p, v->str, v->len);
        p[v->len] = 0;
        return OLOCK_OK;
    case OLOCK_FK_STR_PTR: {
        const char *s = v->str;
        if (v->type != OLOCK_TYPE_S) return olock__rec_wrong_type(x, v, "S");
        memcpy(p, &s, sizeof s);
        return OLOCK_OK;
    }
    case OLOCK_FK_INT: {
        int64_t i = 0;
        int neg;
        uint64_t mag;
        if (v->type != OLOCK_TYPE_N) return olock__rec_wrong_type(x, v, "N");
        if (olock__rec_fast_int(v, &neg, &mag) && mag <= (uint64_t)INT64_MAX) {
            rc = OLOCK_OK;
            i = neg ? -(int64_t)mag : (int64_t)mag;
        } else rc = olock_value_get_i64(v, &i);
        if (rc != OLOCK_OK || i > olock__rec_imax(size) || i < -olock__rec_imax(size) - 1)
            return olock__rec_fail(x, OLOCK_ERR_RANGE, "%s does not fit %s", v->str, olock__rec_int_name(k, size));
        olock__rec_store_i(p, size, i);
        return OLOCK_OK;
    }
    case OLOCK_FK_UINT: {
        uint64_t u = 0;
        int neg;
        if (v->type != OLOCK_TYPE_N) return olock__rec_wrong_type(x, v, "N");
        if (olock__rec_fast_int(v, &neg, &u) && !neg) rc = OLOCK_OK;
        else rc = olock_value_get_u64(v, &u);
        if (rc != OLOCK_OK || u > olock__rec_umax(size))
            return olock__rec_fail(x, OLOCK_ERR_RANGE, "%s does not fit %s", v->str, olock__rec_int_name(k, size));
        olock__rec_store_u(p, size, u);
        return OLOCK_OK;
    }
    case OLOCK_FK_DOUBLE: {
        double dv;
        if (v->type != OLOCK_TYPE_N) return olock__rec_wrong_type(x, v, "N");
        if (!olock__rec_read_double(v, &dv))
            return olock__rec_fail(x, OLOCK_ERR_RANGE, "%s is not a double", v->str);
        memcpy(p, &dv, sizeof dv);
        return OLOCK_OK;
    }
    case OLOCK_FK_BOOL:
        if (v->type != OLOCK_TYPE_BOOL) return olock__rec_wrong_type(x, v, "BOOL");
        if (size == 1) {
            unsigned char b = (unsigned char)(v->boolean != 0);
            memcpy(p, &b, 1);
        } else {
            int b = v->boolean != 0;
            memcpy(p, &b, sizeof b);
        }
        return OLOCK_OK;
    case OLOCK_FK_STRUCT:
        if (v->type != OLOCK_TYPE_M) return olock__rec_wrong_type(x, v, "M");
        return olock__rec_decode_fields(x, f->sub, v, p);
    default:
        return olock__rec_fail(x, OLOCK_ERR_INVALID_ARG, "unknown kind %d", (int)k);
    }
}

static olock_result olock__rec_decode_field(olock__rec_ctx *x, const olock_field *f, const olock_value *v, unsigned char *base) {
    unsigned char *p = base + f->offset;
    const olock_value *m;
    size_t i;
    olock_result rc;
    switch (f->kind) {
    case OLOCK_FK_BYTES:
        if (v->type != OLOCK_TYPE_B) return olock__rec_wrong_type(x, v, "B");
        if (v->len > f->size) return olock__rec_fail(x, OLOCK_ERR_LIMIT, "%lu bytes do not fit unsigned char[%lu]", (unsigned long)v->len, (unsigned long)f->size);
        memcpy(p, v->str, v->len);
        olock__rec_store_u(base + f->aux_offset, f->aux_size, v->len);
        return OLOCK_OK;
    case OLOCK_FK_LIST:
    case OLOCK_FK_SET: {
        olock_type want = f->kind == OLOCK_FK_LIST ? OLOCK_TYPE_L : f->elem == OLOCK_FK_STR ? OLOCK_TYPE_SS
                                                                                            : OLOCK_TYPE_NS;
        if (v->type != want) return olock__rec_wrong_type(x, v, olock_type_name(want));
        if (v->count > f->capacity || v->count > olock__rec_umax(f->aux_size))
            return olock__rec_fail(x, OLOCK_ERR_LIMIT, "%lu elements stored, room for %lu", (unsigned long)v->count, (unsigned long)f->capacity);
        for (m = v->first, i = 0; m; m = m->next, i++) {
            size_t old = olock__rec_push(x, NULL, i, 1);
            rc = olock__rec_decode_one(x, f, f->elem, f->size, m, p + i * f->size);
            if (rc != OLOCK_OK) return rc;
            olock__rec_pop(x, old);
        }
        olock__rec_store_u(base + f->aux_offset, f->aux_size, v->count);
        return OLOCK_OK;
    }
    default:
        return olock__rec_decode_one(x, f, f->kind, f->size, v, p);
    }
}

static olock_result olock__rec_decode_fields(olock__rec_ctx *x, const olock_record_type *ty, const olock_value *map, unsigned char *base) {
    size_t i;
    olock_value *hint = NULL;
    for (i = 0; i < ty->field_count; i++) {
        const olock_field *f = &ty->fields[i];
        const olock_value *v = olock__rec_find(map, f->name, &hint);
        size_t old;
        olock_result rc;
        if (!v || v->type == OLOCK_TYPE_NULL) continue; /* absent: zero, present flag 0 */
        old = olock__rec_push(x, f->name, 0, 0);
        rc = olock__rec_decode_field(x, f, v, base);
        if (rc != OLOCK_OK) return rc;
        olock__rec_pop(x, old);
        olock__rec_set_present(f, base, 1);
    }
    return OLOCK_OK;
}

static olock_result olock__rec_decode(olock__rec_ctx *x, const olock_record_type *ty, const olock_value *item, void *rec) {
    memset(rec, 0, ty->size);
    if (!item) return OLOCK_OK;
    if (item->type != OLOCK_TYPE_M) return olock__error_set(x->err, OLOCK_ERR_TYPE, "%s: the item is not a map", ty->name), OLOCK_ERR_TYPE;
    return olock__rec_decode_fields(x, ty, item, (unsigned char *)rec);
}

OLOCK_API olock_result olock_record_decode(const olock_record_type *type, const olock_value *item, void *rec, olock_error *err) {
    olock__rec_ctx x;
    olock_result rc;
    olock__error_clear(err);
    if (!type || !rec) return olock__invalid_arg(err, "olock_record_decode: %s is NULL", type ? "rec" : "type");
    olock__rec_ctx_init(&x, type, err, NULL);
    rc = olock__rec_check(&x, type, 1);
    return rc != OLOCK_OK ? rc : olock__rec_decode(&x, type, item, rec);
}

/* ---- encoding: struct -> item ---- */

static olock_result olock__rec_encode_fields(olock__rec_ctx *x, const olock_record_type *ty, const unsigned char *base,
                                             const unsigned char *snap, olock_value *map);

static olock_result olock__rec_nomem(olock__rec_ctx *x) { return olock__rec_fail(x, OLOCK_ERR_NOMEM, "out of memory"); }

/* The length of the C string in char[size], or LIMIT when it has no NUL there. */
static olock_result olock__rec_strlen(olock__rec_ctx *x, const unsigned char *p, size_t size, size_t *len) {
    const void *z = memchr(p, 0, size);
    if (!z) return olock__rec_fail(x, OLOCK_ERR_LIMIT, "no NUL within char[%lu]", (unsigned long)size);
    *len = (size_t)((const unsigned char *)z - p);
    return OLOCK_OK;
}

/* 1 when `cur` already holds what the member at p would be written as (scalars only), so that
   an unchanged field costs no allocation and no change to the item. */
static int olock__rec_same(olock_field_kind k, size_t size, const unsigned char *p, const olock_value *cur) {
    char num[24];
    size_t n = 0;
    if (!cur) return 0;
    switch (k) {
    case OLOCK_FK_STR: {
        const void *z = memchr(p, 0, size); /* no NUL: not the same (encoding says why) */
        n = z ? (size_t)((const unsigned char *)z - p) : 0;
        return z && cur->type == OLOCK_TYPE_S && cur->len == n && memcmp(cur->str, p, n) == 0;
    }
    case OLOCK_FK_INT:
        n = olock__rec_itoa(num, olock__rec_load_i(p, size));
        return cur->type == OLOCK_TYPE_N && cur->len == n && memcmp(cur->str, num, n) == 0;
    case OLOCK_FK_UINT:
        n = olock__u64_text(olock__rec_load_u(p, size), num);
        return cur->type == OLOCK_TYPE_N && cur->len == n && memcmp(cur->str, num, n) == 0;
    case OLOCK_FK_BOOL:
        return cur->type == OLOCK_TYPE_BOOL && (cur->boolean != 0) == (size == 1 ? p[0] != 0 : olock__rec_load_i(p, size) != 0);
    case OLOCK_FK_DOUBLE: {
        /* Read back the way decode read it: an unchanged double compares equal, and reading is
           far cheaper than finding the shortest text of a double. */
        double now, stored;
        memcpy(&now, p, sizeof now);
        return cur->type == OLOCK_TYPE_N && olock__rec_read_double(cur, &stored) && memcmp(&now, &stored, sizeof now) == 0;
    }
    default:
        return 0;
    }
}

/* 1 when the stored list or set `cur` already holds the n elements of the array at p, so that an
   unchanged array is neither rebuilt nor compared as a value. A set is compared as a set of
   distinct elements (n distinct elements, each found). */
static int olock__rec_same_array(const olock_field *f, const unsigned char *p, size_t n, const olock_value *cur, olock_type t) {
    const olock_value *m;
    size_t i, j;
    if (!cur || cur->type != t || cur->count != n || f->elem == OLOCK_FK_STRUCT || f->elem == OLOCK_FK_STR_PTR) return 0;
    if (t == OLOCK_TYPE_L) {
        for (m = cur->first, i = 0; m; m = m->next, i++)
            if (!olock__rec_same(f->elem, f->size, p + i * f->size, m)) return 0;
        return 1;
    }
    for (i = 0; i < n; i++) {
        for (j = 0; j < i; j++) /* a duplicate in the array: the stored set has fewer */
            if (f->elem == OLOCK_FK_STR ? strncmp((const char *)p + i * f->size, (const char *)p + j * f->size, f->size) == 0
                                        : memcmp(p + i * f->size, p + j * f->size, f->size) == 0) return 0;
        for (m = cur->first; m; m = m->next)
            if (olock__rec_same(f->elem, f->size, p + i * f->size, m)) break;
        if (!m) return 0;
    }
    return 1;
}

/* A new value for the member at p (scalars and records); NULL with the error set. `cur` is the
   stored value, a record's members not in its table are kept from it. */
static olock_value *olock__rec_encode_one(olock__rec_ctx *x, const olock_field *f, olock_field_kind k, size_t size,
                                          const unsigned char *p, const olock_value *cur) {
    olock_value *v = NULL;
    size_t n = 0;
    switch (k) {
    case OLOCK_FK_STR:
        if (olock__rec_strlen(x, p, size, &n) != OLOCK_OK) return NULL;
        v = olock_value_new_s(x->arena, (const char *)p, n);
        break;
    case OLOCK_FK_STR_PTR: {
        const char *s;
        memcpy(&s, p, sizeof s);
        v = olock_value_new_s(x->arena, s ? s : "", s ? strlen(s) : 0);
        break;
    }
    case OLOCK_FK_INT: v = olock_value_new_i64(x->arena, olock__rec_load_i(p, size)); break;
    case OLOCK_FK_UINT: v = olock_value_new_u64(x->arena, olock__rec_load_u(p, size)); break;
    case OLOCK_FK_DOUBLE: {
        double d;
        olock_decimal dec;
        memcpy(&d, p, sizeof d);
        if (olock_decimal_from_double(d, &dec) != OLOCK_OK) {
            olock__rec_fail(x, OLOCK_ERR_RANGE, "%g is not a DynamoDB number", d);
            return NULL;
        }
        v = olock_value_new_decimal(x->arena, &dec);
        break;
    }
    case OLOCK_FK_BOOL: v = olock_value_new_bool(x->arena, size == 1 ? p[0] != 0 : olock__rec_load_i(p, size) != 0); break;
    case OLOCK_FK_STRUCT:
        v = cur && cur->type == OLOCK_TYPE_M ? olock_value_copy(x->arena, cur) : olock_value_new_container(x->arena, OLOCK_TYPE_M);
        if (v && olock__rec_encode_fields(x, f->sub, p, NULL, v) != OLOCK_OK) return NULL;
        break;
    default:
        olock__rec_fail(x, OLOCK_ERR_INVALID_ARG, "unknown kind %d", (int)k);
        return NULL;
    }
    if (!v) olock__rec_nomem(x);
    return v;
}

static olock_result olock__rec_put(olock__rec_ctx *x, olock_value *map, const olock_field *f, olock_value *v) {
    return olock_map_put(x->arena, map, f->name, strlen(f->name), v) == OLOCK_OK ? OLOCK_OK : olock__rec_nomem(x);
}

static olock_result olock__rec_encode_field(olock__rec_ctx *x, const olock_field *f, const unsigned char *base,
                                            const unsigned char *snap, olock_value *map, olock_value *cur) {
    const unsigned char *p = base + f->offset;
    olock_value *v;
    size_t i, n = 0;
    olock_result rc;
    switch (f->kind) {
    case OLOCK_FK_BYTES:
        n = (size_t)olock__rec_load_u(base + f->aux_offset, f->aux_size);
        if (n > f->size) return olock__rec_fail(x, OLOCK_ERR_LIMIT, "length %lu is over unsigned char[%lu]", (unsigned long)n, (unsigned long)f->size);
        if (cur && cur->type == OLOCK_TYPE_B && cur->len == n && memcmp(cur->str, p, n) == 0) return OLOCK_OK;
        v = olock_value_new_b(x->arena, p, n);
        return v ? olock__rec_put(x, map, f, v) : olock__rec_nomem(x);
    case OLOCK_FK_STRUCT:
        /* In place: the nested map is the engine's private copy, and members the sub-table does
           not describe stay where they are. */
        if (cur && cur->type == OLOCK_TYPE_M) return olock__rec_encode_fields(x, f->sub, p, snap ? snap + f->offset : NULL, cur);
        v = olock__rec_encode_one(x, f, OLOCK_FK_STRUCT, f->size, p, NULL);
        return v ? olock__rec_put(x, map, f, v) : x->rc;
    case OLOCK_FK_LIST:
    case OLOCK_FK_SET: {
        olock_type t = f->kind == OLOCK_FK_LIST ? OLOCK_TYPE_L : f->elem == OLOCK_FK_STR ? OLOCK_TYPE_SS
                                                                                         : OLOCK_TYPE_NS;
        const olock_value *old_elem = cur && cur->type == OLOCK_TYPE_L ? cur->first : NULL;
        n = (size_t)olock__rec_load_u(base + f->aux_offset, f->aux_size);
        if (n > f->capacity) return olock__rec_fail(x, OLOCK_ERR_LIMIT, "count %lu is over the array's %lu", (unsigned long)n, (unsigned long)f->capacity);
        if (t != OLOCK_TYPE_L && n == 0) {
            olock_map_remove(map, f->name, strlen(f->name));
            return OLOCK_OK;
        }
        if (olock__rec_same_array(f, p, n, cur, t)) return OLOCK_OK;
        if (f->elem == OLOCK_FK_STRUCT && cur && cur->type == OLOCK_TYPE_L && cur->count == n) {
            /* The same number of records: each written into its stored map in place, as a
               nested record is (members the sub-table does not describe stay). */
            olock_value *e;
            for (e = cur->first; e && e->type == OLOCK_TYPE_M; e = e->next) {}
            if (!e) {
                for (e = cur->first, i = 0; e; e = e->next, i++) {
                    size_t old = olock__rec_push(x, NULL, i, 1);
                    rc = olock__rec_encode_fields(x, f->sub, p + i * f->size, snap ? snap + f->offset + i * f->size : NULL, e);
                    if (rc != OLOCK_OK) return rc;
                    olock__rec_pop(x, old);
                }
                return OLOCK_OK;
            }
        }
        v = olock_value_new_container(x->arena, t);
        if (!v) return olock__rec_nomem(x);
        for (i = 0; i < n; i++) {
            size_t old = olock__rec_push(x, NULL, i, 1);
            olock_value *e = olock__rec_encode_one(x, f, f->elem, f->size, p + i * f->size, old_elem);
            if (!e) return x->rc;
            rc = t == OLOCK_TYPE_L ? olock_list_append(v, e) : olock_set_add(v, e);
            if (rc != OLOCK_OK) return olock__rec_fail(x, rc, "%s", olock_result_str(rc));
            olock__rec_pop(x, old);
            if (old_elem) old_elem = old_elem->next;
        }
        if (cur && olock_value_equal(cur, v)) return OLOCK_OK;
        return olock__rec_put(x, map, f, v);
    }
    default:
        if (f->kind == OLOCK_FK_STR && olock__rec_strlen(x, p, f->size, &n) != OLOCK_OK) return OLOCK_ERR_LIMIT;
        if (olock__rec_same(f->kind, f->size, p, cur)) return OLOCK_OK;
        v = olock__rec_encode_one(x, f, f->kind, f->size, p, cur);
        return v ? olock__rec_put(x, map, f, v) : x->rc;
    }
}

/* 1 when the field's bytes (its length or count member and present flag included) are what
   decoding the stored item gave: the stored value is then the field's value already, and the
   write-back leaves it alone without looking at it. Bytes that differ only mean "look". */
static int olock__rec_unchanged(const olock_field *f, const unsigned char *base, const unsigned char *snap) {
    size_t n = f->kind == OLOCK_FK_LIST || f->kind == OLOCK_FK_SET ? f->size * f->capacity : f->size;
    if (memcmp(base + f->offset, snap + f->offset, n) != 0) return 0;
    if ((f->kind == OLOCK_FK_BYTES || f->kind == OLOCK_FK_LIST || f->kind == OLOCK_FK_SET) &&
        memcmp(base + f->aux_offset, snap + f->aux_offset, f->aux_size) != 0) return 0;
    if ((f->options & OLOCK_F__PRESENT) && memcmp(base + (f->options >> 8), snap + (f->options >> 8), sizeof(int)) != 0) return 0;
    return 1;
}

/* An empty key field: DynamoDB rejects it, and it is always a caller's mistake. */
static int olock__rec_key_empty(const olock_field *f, const unsigned char *base) {
    const unsigned char *p = base + f->offset;
    const char *s;
    switch (f->kind) {
    case OLOCK_FK_STR: return p[0] == 0;
    case OLOCK_FK_STR_PTR: memcpy(&s, p, sizeof s); return !s || !*s;
    case OLOCK_FK_BYTES: return olock__rec_load_u(base + f->aux_offset, f->aux_size) == 0;
    default: return 0;
    }
}

static olock_result olock__rec_encode_fields(olock__rec_ctx *x, const olock_record_type *ty, const unsigned char *base,
                                             const unsigned char *snap, olock_value *map) {
    size_t i;
    olock_value *hint = NULL;
    for (i = 0; i < ty->field_count; i++) {
        const olock_field *f = &ty->fields[i];
        size_t old;
        olock_result rc;
        if (f->options & OLOCK_F_VERSION) continue;
        if (snap && olock__rec_unchanged(f, base, snap)) continue;
        if ((f->options & OLOCK_F__PRESENT) && !olock__rec_present_flag(f, base)) {
            olock_map_remove(map, f->name, strlen(f->name));
            hint = NULL;
            continue;
        }
        old = olock__rec_push(x, f->name, 0, 0);
        if ((f->options & (OLOCK_F_HASH_KEY | OLOCK_F_RANGE_KEY)) && olock__rec_key_empty(f, base))
            return olock__rec_fail(x, OLOCK_ERR_INVALID_ARG, "the key is empty");
        if (f->kind == OLOCK_FK_STR_PTR) { /* NULL: nothing to store */
            const char *s;
            memcpy(&s, base + f->offset, sizeof s);
            if (!s) {
                olock_map_remove(map, f->name, strlen(f->name));
                hint = NULL;
                olock__rec_pop(x, old);
                continue;
            }
        }
        rc = olock__rec_encode_field(x, f, base, snap, map, olock__rec_find(map, f->name, &hint));
        if (rc != OLOCK_OK) return rc;
        olock__rec_pop(x, old);
    }
    return OLOCK_OK;
}

OLOCK_API olock_result olock_record_encode(const olock_record_type *type, const void *rec, olock_item *item, olock_error *err) {
    olock__rec_ctx x;
    olock_result rc;
    olock__error_clear(err);
    if (!type || !rec || !item || !item->root)
        return olock__invalid_arg(err, "olock_record_encode: %s is NULL", !type ? "type" : !rec ? "rec"
                                                                                                : "item");
    olock__rec_ctx_init(&x, type, err, &item->arena);
    rc = olock__rec_check(&x, type, 1);
    return rc != OLOCK_OK ? rc : olock__rec_encode_fields(&x, type, (const unsigned char *)rec, NULL, item->root);
}

OLOCK_API void olock_record_versioning(const olock_record_type *type, olock_versioning *v) {
    size_t i;
    if (!type || !v) return;
    for (i = 0; i < type->field_count; i++)
        if (type->fields[i].options & OLOCK_F_VERSION) v->attribute = type->fields[i].name;
}

/* ---- keys and versions ---- */

static const olock_field *olock__rec_field_with(const olock_record_type *ty, size_t option) {
    size_t i;
    for (i = 0; i < ty->field_count; i++)
        if (ty->fields[i].options & option) return &ty->fields[i];
    return NULL;
}

/* The key of `rec` as a map in op's own storage (no arena: a record operation that reads the
   key allocates nothing for it, and the key outlives changes the mutate function makes to rec). */
static olock_result olock__rec_build_key(olock__rec_ctx *x, olock_record_op *op, const void *rec) {
    const unsigned char *base = (const unsigned char *)rec;
    const olock_field *k[2];
    size_t used = 0, i;
    k[0] = olock__rec_field_with(x->top, OLOCK_F_HASH_KEY);
    k[1] = olock__rec_field_with(x->top, OLOCK_F_RANGE_KEY);
    if (!k[0]) return olock__error_set(x->err, OLOCK_ERR_INVALID_ARG, "%s: no field is the hash key (OLOCK_F_HASH_KEY)", x->top->name), OLOCK_ERR_INVALID_ARG;
    memset(op->key, 0, sizeof op->key);
    op->key[0].type = OLOCK_TYPE_M;
    for (i = 0; i < 2 && k[i]; i++) {
        const olock_field *f = k[i];
        const unsigned char *p = base + f->offset;
        olock_value *v = &op->key[i + 1];
        const char *s = NULL;
        size_t n = 0, room = sizeof op->key_bytes - used, old = olock__rec_push(x, f->name, 0, 0);
        if (olock__rec_key_empty(f, base)) return olock__rec_fail(x, OLOCK_ERR_INVALID_ARG, "the key is empty");
        switch (f->kind) {
        case OLOCK_FK_STR:
            if (olock__rec_strlen(x, p, f->size, &n) != OLOCK_OK) return OLOCK_ERR_LIMIT;
            s = (const char *)p;
            v->type = OLOCK_TYPE_S;
            break;
        case OLOCK_FK_STR_PTR:
            memcpy(&s, p, sizeof s);
            n = strlen(s);
            v->type = OLOCK_TYPE_S;
            break;
        case OLOCK_FK_BYTES:
            s = (const char *)p;
            n = (size_t)olock__rec_load_u(base + f->aux_offset, f->aux_size);
            v->type = OLOCK_TYPE_B;
            break;
        default: {
            char num[24];
            n = f->kind == OLOCK_FK_INT ? olock__rec_itoa(num, olock__rec_load_i(p, f->size)) : olock__u64_text(olock__rec_load_u(p, f->size), num);
            if (n + 1 > room) return olock__rec_fail(x, OLOCK_ERR_LIMIT, "the key is too long");
            memcpy(op->key_bytes + used, num, n + 1);
            s = NULL;
            v->type = OLOCK_TYPE_N;
            break;
        }
        }
        if (s) {
            if (n > (i == 0 ? 2048u : 1024u) || n + 1 > room) return olock__rec_fail(x, OLOCK_ERR_LIMIT, "a key of %lu bytes (DynamoDB: 2048 hash, 1024 range)", (unsigned long)n);
            memcpy(op->key_bytes + used, s, n);
            op->key_bytes[used + n] = 0;
        }
        v->str = op->key_bytes + used;
        v->len = n;
        v->key = f->name;
        v->key_len = strlen(f->name);
        used += n + 1;
        if (i) op->key[i].next = v;
        else op->key[0].first = v;
        op->key[0].last = v;
        op->key[0].count++;
        olock__rec_pop(x, old);
    }
    return OLOCK_OK;
}

/* The record's expected version: its version field, or the client's start_at without one. */
static olock_result olock__rec_version(olock__rec_ctx *x, const olock_client *c, const void *rec, uint64_t *out) {
    const olock_field *f = olock__rec_field_with(x->top, OLOCK_F_VERSION);
    const unsigned char *p;
    if (!f) {
        *out = c->versioning.start_at;
        return OLOCK_OK;
    }
    p = (const unsigned char *)rec + f->offset;
    if (f->kind == OLOCK_FK_INT) {
        int64_t v = olock__rec_load_i(p, f->size);
        if (v < 0) {
            olock__rec_push(x, f->name, 0, 0);
            return olock__rec_fail(x, OLOCK_ERR_INVALID_ARG, "a negative version");
        }
        *out = (uint64_t)v;
    } else *out = olock__rec_load_u(p, f->size);
    return OLOCK_OK;
}

/* Sets the version field (a version the C type cannot hold is left as it is). */
static void olock__rec_set_version(const olock_record_type *ty, void *rec, uint64_t version) {
    const olock_field *f = olock__rec_field_with(ty, OLOCK_F_VERSION);
    unsigned char *p;
    if (!f) return;
    p = (unsigned char *)rec + f->offset;
    if (f->kind == OLOCK_FK_INT && version <= (uint64_t)olock__rec_imax(f->size)) olock__rec_store_i(p, f->size, (int64_t)version);
    else if (f->kind == OLOCK_FK_UINT && version <= olock__rec_umax(f->size)) olock__rec_store_u(p, f->size, version);
}

/* The checks every record call makes: arguments, the table, and that the version field is the
   attribute the engine versions (else the field would be read from one attribute and the
   engine would version another). */
/* A record type is a static table: once it has passed its checks on a client it stays good, so
   the client remembers the last few that did (a typed update then skips the walk over every
   field, about 4% of its cost). */
static int olock__rec_type_known(const olock_client *c, const olock_record_type *ty) {
    unsigned i;
    for (i = 0; i < sizeof c->record_types_ok / sizeof c->record_types_ok[0]; i++)
        if (c->record_types_ok[i] == (const void *)ty) return 1;
    return 0;
}

static olock_result olock__rec_begin_checks(olock__rec_ctx *x, olock_client *c, const olock_record_type *ty, const char *table,
                                            const void *rec, const char *name) {
    const olock_field *v;
    olock_result rc;
    if (!c) return olock__null_arg(x->err, name, "c");
    if (!ty) return olock__null_arg(x->err, name, "type");
    if (!rec) return olock__null_arg(x->err, name, "rec");
    if (!table || !*table) return olock__invalid_arg(x->err, "%s: table is NULL or empty", name);
    if (olock__rec_type_known(c, ty)) return OLOCK_OK;
    rc = olock__rec_check(x, ty, 1);
    if (rc != OLOCK_OK) return rc;
    v = olock__rec_field_with(ty, OLOCK_F_VERSION);
    if (v && strcmp(v->name, c->versioning.attribute) != 0)
        return olock__invalid_arg(x->err, "%s: %s's version field '%s' is not the client's version attribute '%s' (olock_record_versioning sets it)",
                                  name, ty->name, v->name, c->versioning.attribute);
    c->record_types_ok[c->record_types_next++ % (sizeof c->record_types_ok / sizeof c->record_types_ok[0])] = ty;
    return OLOCK_OK;
}

/* ---- the calls ---- */

static int olock__rec_has_pointer(const olock_record_type *ty, int depth) {
    size_t i;
    if (depth > OLOCK__REC_MAX_DEPTH) return 0;
    for (i = 0; i < ty->field_count; i++) {
        const olock_field *f = &ty->fields[i];
        if (f->kind == OLOCK_FK_STR_PTR || (f->sub && olock__rec_has_pointer(f->sub, depth + 1))) return 1;
    }
    return 0;
}

OLOCK_API olock_result olock_record_get(olock_client *c, const olock_record_type *type, const char *table, void *rec,
                                        int consistent, olock_item **keep, olock_error *err) {
    olock__rec_ctx x;
    olock_record_op op;
    olock_item *it = NULL;
    uint64_t version = 0;
    olock_result rc;
    olock__error_clear(err);
    olock__rec_ctx_init(&x, type, err, NULL);
    rc = olock__rec_begin_checks(&x, c, type, table, rec, "olock_record_get");
    if (rc == OLOCK_OK && !keep && olock__rec_has_pointer(type, 0))
        rc = olock__invalid_arg(err, "olock_record_get: %s has STR_PTR fields, which point into the item: pass keep", type->name);
    if (rc == OLOCK_OK) rc = olock__rec_build_key(&x, &op, rec);
    if (rc != OLOCK_OK) return rc;
    rc = olock_get(c, table, &op.key[0], consistent, &it, err);
    if (rc != OLOCK_OK) return rc;
    rc = olock_item_version(it->root, &c->versioning, &version);
    if (rc != OLOCK_OK)
        olock__error_set(err, rc, "%s: field '%s': the stored version is not a non-negative integer", type->name, c->versioning.attribute);
    else rc = olock__rec_decode(&x, type, it->root, rec);
    if (rc == OLOCK_OK) olock__rec_set_version(type, rec, version);
    if (rc == OLOCK_OK && keep) *keep = it;
    else olock_item_destroy(it);
    return rc;
}

OLOCK_API olock_result olock_record_put(olock_client *c, const olock_record_type *type, const char *table, void *rec,
                                        olock_write_result *result, olock_error *err) {
    olock__rec_ctx x;
    olock_item *it = NULL;
    olock_item_request r = olock_item_request_default();
    olock_write_result res;
    uint64_t expected = 0;
    olock_result rc;
    olock__error_clear(err);
    olock__rec_ctx_init(&x, type, err, NULL);
    rc = olock__rec_begin_checks(&x, c, type, table, rec, "olock_record_put");
    if (rc == OLOCK_OK && !olock__rec_field_with(type, OLOCK_F_HASH_KEY))
        rc = olock__invalid_arg(err, "olock_record_put: %s has no hash key field", type->name);
    if (rc == OLOCK_OK) rc = olock__rec_version(&x, c, rec, &expected);
    if (rc != OLOCK_OK) return rc;
    if (olock_item_create(&c->alloc, &it) != OLOCK_OK) {
        olock__error_set(err, OLOCK_ERR_NOMEM, "out of memory");
        return OLOCK_ERR_NOMEM;
    }
    x.arena = &it->arena;
    rc = olock__rec_encode_fields(&x, type, (const unsigned char *)rec, NULL, it->root);
    if (rc == OLOCK_OK) {
        memset(&res, 0, sizeof res);
        r.table = table;
        r.item = it->root;
        rc = olock_versioned_put(c, &r, expected, &res, err);
        if (rc == OLOCK_OK) olock__rec_set_version(type, rec, res.version);
        if (result) *result = res;
    }
    olock_item_destroy(it);
    return rc;
}

OLOCK_API olock_result olock_record_delete(olock_client *c, const olock_record_type *type, const char *table,
                                           const void *rec, olock_write_result *result, olock_error *err) {
    olock__rec_ctx x;
    olock_record_op op;
    olock_item_request r = olock_item_request_default();
    uint64_t expected = 0;
    olock_result rc;
    olock__error_clear(err);
    olock__rec_ctx_init(&x, type, err, NULL);
    rc = olock__rec_begin_checks(&x, c, type, table, rec, "olock_record_delete");
    if (rc == OLOCK_OK) rc = olock__rec_build_key(&x, &op, rec);
    if (rc == OLOCK_OK) rc = olock__rec_version(&x, c, rec, &expected);
    if (rc != OLOCK_OK) return rc;
    r.table = table;
    r.key = &op.key[0];
    return olock_versioned_delete(c, &r, expected, result, err);
}

/* olock_update's mutate function for a record: item -> struct, the caller's function, struct ->
   item. A stored value that does not decode aborts, giving the engine the error that names the
   field as the operation's (olock__mutate_abort_reason). */
static olock_mutation olock__rec_mutate(void *user, olock_item *item, int exists) {
    olock_record_op *op = (olock_record_op *)user;
    olock_task *t = op->task;
    olock__rec_ctx x;
    olock_error e;
    olock_mutation m;
    unsigned char *snap;
    olock__error_clear(&e);
    olock__rec_ctx_init(&x, op->type, &e, &item->arena);
    if (olock__rec_decode(&x, op->type, item->root, op->rec) != OLOCK_OK) {
        olock__mutate_abort_reason(t, e.code, e.message);
        return OLOCK_MUTATE_ABORT;
    }
    olock__rec_set_version(op->type, op->rec, t->cur_version);
    /* The record as decoded, in the attempt's arena (reset by the engine per attempt, so no
       allocation in steady state): the write-back skips the fields the function left alone.
       Not for a new item, whose every field is written. */
    snap = exists ? (unsigned char *)olock_arena_alloc(&item->arena, op->type->size) : NULL;
    if (snap) memcpy(snap, op->rec, op->type->size);
    m = op->fn(op->user, op->rec, exists);
    if (m != OLOCK_MUTATE_WRITE) return m;
    if (olock__rec_encode_fields(&x, op->type, (const unsigned char *)op->rec, snap, item->root) != OLOCK_OK) {
        olock__mutate_abort_reason(t, e.code, e.message);
        return OLOCK_MUTATE_ABORT;
    }
    /* What the write stores when it is applied; a conflict calls us again and sets it anew. */
    olock__rec_set_version(op->type, op->rec, t->cur_version + t->c->versioning.increment_by);
    return m;
}

static olock_result olock__rec_begin_update(olock_task *t, olock_record_op *op, const olock_record_type *type, const char *table,
                                            void *rec, olock_record_fn fn, void *user, const char *name, olock_error *err) {
    olock__rec_ctx x;
    olock_result rc;
    olock__rec_ctx_init(&x, type, err, NULL);
    if (!t) return olock__null_arg(err, name, "t");
    if (!op) return olock__null_arg(err, name, "op");
    if (!fn) return olock__null_arg(err, name, "fn");
    rc = olock__rec_begin_checks(&x, t->c, type, table, rec, name);
    if (rc == OLOCK_OK) rc = olock__rec_build_key(&x, op, rec);
    if (rc != OLOCK_OK) return rc;
    op->type = type;
    op->rec = rec;
    op->fn = fn;
    op->user = user;
    op->task = t;
    return olock__begin_update(t, table, &op->key[0], olock__rec_mutate, op, name, err);
}

OLOCK_API olock_result olock_task_begin_record_update(olock_task *t, olock_record_op *op, const olock_record_type *type,
                                                      const char *table, void *rec, olock_record_fn fn, void *user) {
    olock_error why;
    olock_result rc;
    olock__error_clear(&why);
    rc = olock__rec_begin_update(t, op, type, table, rec, fn, user, "olock_task_begin_record_update", &why);
    return rc != OLOCK_OK && why.code && t ? olock__task_begin_failed(t, rc, &why) : rc;
}

OLOCK_API olock_result olock_record_update(olock_client *c, const olock_record_type *type, const char *table, void *rec,
                                           olock_record_fn fn, void *user, olock_write_result *result, olock_error *err) {
    olock_record_op op;
    olock_write_result res;
    olock_task *t;
    olock_result rc = olock__blocking_task(c, "olock_record_update", &t, err);
    if (rc != OLOCK_OK) return rc;
    rc = olock__rec_begin_update(t, &op, type, table, rec, fn, user, "olock_record_update", err);
    if (rc != OLOCK_OK) return olock__begin_failed(rc, err);
    memset(&res, 0, sizeof res);
    rc = olock_task_run(t, &res, err);
    if (rc == OLOCK_OK && !res.deleted) olock__rec_set_version(type, rec, res.version);
    if (result) *result = res;
    return rc;
}

/* ---- transactions ---- */

static olock_result olock__rec_txn(olock_txn *txn, int kind, const olock_record_type *type, const char *table,
                                   const void *rec, const char *name, olock_error *err) {
    olock__rec_ctx x;
    olock_record_op op;
    olock_item *it = NULL;
    uint64_t expected = 0;
    olock_result rc;
    olock__error_clear(err);
    if (!txn) return olock__null_arg(err, name, "txn");
    olock__rec_ctx_init(&x, type, err, NULL);
    rc = olock__rec_begin_checks(&x, txn->c, type, table, rec, name);
    if (rc == OLOCK_OK) rc = olock__rec_build_key(&x, &op, rec);
    if (rc == OLOCK_OK) rc = olock__rec_version(&x, txn->c, rec, &expected);
    if (rc != OLOCK_OK) return rc;
    if (kind == OLOCK_TXN_DELETE) rc = olock_txn_delete(txn, table, &op.key[0], expected);
    else if (kind == OLOCK_TXN_CONDITION_CHECK) rc = olock_txn_check(txn, table, &op.key[0], expected);
    else {
        if (olock_item_create(&txn->c->alloc, &it) != OLOCK_OK) rc = OLOCK_ERR_NOMEM;
        else {
            x.arena = &it->arena;
            rc = olock__rec_encode_fields(&x, type, (const unsigned char *)rec, NULL, it->root);
            if (rc == OLOCK_OK) rc = olock_txn_put(txn, table, it->root, expected);
            else return olock_item_destroy(it), rc;
            olock_item_destroy(it);
        }
    }
    if (rc != OLOCK_OK && err && !err->code) olock__error_set(err, rc, "%s: %s", name, olock_result_str(rc));
    return rc;
}

OLOCK_API olock_result olock_txn_record_put(olock_txn *txn, const olock_record_type *type, const char *table,
                                            const void *rec, olock_error *err) {
    return olock__rec_txn(txn, OLOCK_TXN_PUT, type, table, rec, "olock_txn_record_put", err);
}
OLOCK_API olock_result olock_txn_record_delete(olock_txn *txn, const olock_record_type *type, const char *table,
                                               const void *rec, olock_error *err) {
    return olock__rec_txn(txn, OLOCK_TXN_DELETE, type, table, rec, "olock_txn_record_delete", err);
}
OLOCK_API olock_result olock_txn_record_check(olock_txn *txn, const olock_record_type *type, const char *table,
                                              const void *rec, olock_error *err) {
    return olock__rec_txn(txn, OLOCK_TXN_CONDITION_CHECK, type, table, rec, "olock_txn_record_check", err);
}

/* ---- several records in one transaction ---- */

typedef struct olock__rec_many {
    const olock_record_ref *refs;
    void **recs;
    olock_record_many_fn fn;
    void *user;
    olock_task *task;
} olock__rec_many;

/* olock_update_many's function for records: every item into its struct, the caller's function,
   the structs written back into the items it asked to write. */
static olock_mutation olock__rec_mutate_many(void *user, olock_item *const *items, const int *exists, olock_mutation *each, size_t count) {
    olock__rec_many *mm = (olock__rec_many *)user;
    olock_task *t = mm->task;
    olock__rec_ctx x;
    olock_error e;
    olock_mutation m;
    size_t i;
    for (i = 0; i < count; i++) {
        const olock_record_type *ty = mm->refs[i].type;
        olock__error_clear(&e);
        olock__rec_ctx_init(&x, ty, &e, &items[i]->arena);
        if (olock__rec_decode(&x, ty, items[i]->root, mm->recs[i]) != OLOCK_OK) {
            olock__mutate_abort_reason(t, e.code, e.message);
            return OLOCK_MUTATE_ABORT;
        }
        olock__rec_set_version(ty, mm->recs[i], t->versions[i]);
    }
    m = mm->fn(mm->user, (void *const *)mm->recs, exists, each, count);
    if (m != OLOCK_MUTATE_WRITE) return m;
    for (i = 0; i < count; i++) {
        const olock_record_type *ty = mm->refs[i].type;
        if (each[i] != OLOCK_MUTATE_WRITE) continue;
        olock__error_clear(&e);
        olock__rec_ctx_init(&x, ty, &e, &items[i]->arena);
        if (olock__rec_encode_fields(&x, ty, (const unsigned char *)mm->recs[i], NULL, items[i]->root) != OLOCK_OK) {
            olock__mutate_abort_reason(t, e.code, e.message);
            return OLOCK_MUTATE_ABORT;
        }
        olock__rec_set_version(ty, mm->recs[i], t->versions[i] + t->c->versioning.increment_by);
    }
    return m;
}

OLOCK_API olock_result olock_record_update_many(olock_client *c, const olock_record_ref *refs, size_t count, olock_record_many_fn fn,
                                                void *user, olock_write_result *result, olock_error *err) {
    static const char name[] = "olock_record_update_many";
    olock__rec_ctx x;
    olock_record_op op;
    olock__rec_many mm;
    olock_arena a;
    olock_key_ref *keys;
    olock_task *t;
    olock_result rc;
    size_t i;
    rc = olock__blocking_task(c, name, &t, err);
    if (rc != OLOCK_OK) return rc;
    if (!refs || !count) return olock__invalid_arg(err, "%s: refs is NULL or count is 0", name);
    if (!fn) return olock__null_arg(err, name, "fn");
    olock_arena_init(&a, &c->alloc);
    keys = (olock_key_ref *)olock_arena_alloc(&a, sizeof *keys * count);
    mm.recs = (void **)olock_arena_alloc(&a, sizeof *mm.recs * count);
    rc = keys && mm.recs ? OLOCK_OK : OLOCK_ERR_NOMEM;
    for (i = 0; i < count && rc == OLOCK_OK; i++) {
        olock__rec_ctx_init(&x, refs[i].type, err, NULL);
        rc = olock__rec_begin_checks(&x, c, refs[i].type, refs[i].table, refs[i].rec, name);
        if (rc == OLOCK_OK) rc = olock__rec_build_key(&x, &op, refs[i].rec);
        if (rc != OLOCK_OK) break;
        keys[i].table = refs[i].table;
        keys[i].key = olock_value_copy(&a, &op.key[0]);
        mm.recs[i] = refs[i].rec;
        if (!keys[i].key) rc = OLOCK_ERR_NOMEM;
    }
    if (rc == OLOCK_OK) {
        mm.refs = refs;
        mm.fn = fn;
        mm.user = user;
        mm.task = t;
        rc = olock__begin_update_many(t, keys, count, olock__rec_mutate_many, &mm, name, err);
        if (rc == OLOCK_OK) rc = olock_task_run(t, result, err);
        else olock__begin_failed(rc, err);
    } else if (rc == OLOCK_ERR_NOMEM && err && !err->code) olock__error_set(err, rc, "out of memory");
    olock_arena_free(&a);
    return rc;
}

OLOCK_API olock_result olock_record_key(const olock_record_type *type, const void *rec, olock_item *out, olock_error *err) {
    olock__rec_ctx x;
    olock_record_op op;
    olock_value *m;
    olock_result rc;
    olock__error_clear(err);
    if (!type || !rec || !out) return olock__invalid_arg(err, "olock_record_key: %s is NULL", !type ? "type" : !rec ? "rec"
                                                                                                                    : "out");
    olock__rec_ctx_init(&x, type, err, NULL);
    rc = olock__rec_check(&x, type, 1);
    if (rc == OLOCK_OK) rc = olock__rec_build_key(&x, &op, rec);
    if (rc != OLOCK_OK) return rc;
    for (m = op.key[0].first; rc == OLOCK_OK && m; m = m->next)
        if (olock_item_set(out, m->key, m) != OLOCK_OK) rc = olock__rec_fail(&x, OLOCK_ERR_NOMEM, "out of memory");
    return rc;
}
#endif /* OLOCK_IMPLEMENTATION */
