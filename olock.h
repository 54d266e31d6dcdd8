/* olock.h - v0.1.0 - optimistic locking for Amazon DynamoDB, in one header
   SPDX-License-Identifier: MIT

   Do this:
       #define OLOCK_IMPLEMENTATION
   before you include this file in *one* C or C++ file to create the implementation.
   Every other file includes it without the define.

QUICK START
   A DynamoDB item is an olock_item: a map of attribute names to typed values, owned by one
   arena and freed in one call. The codec turns items into DynamoDB JSON and back:

       olock_item *it = NULL;
       olock_item_create(NULL, &it);              // NULL: default allocator
       olock_item_set_s(it, "id", "player-7");
       olock_item_set_i64(it, "gold", 120);
       olock_buf json; olock_buf_init(&json, NULL);
       olock_item_write_json(it, &json);          // {"id":{"S":"player-7"},"gold":{"N":"120"}}
       olock_buf_free(&json);
       olock_item_destroy(it);

   A client sends requests through a transport (backends/olock_curl.h for real DynamoDB,
   backends/olock_fake.h for the in-memory fake used in unit tests, or your own HTTP stack):

       olock_config cfg = olock_config_default();
       cfg.transport = olock_fake_transport(fake);
       olock_client *c = NULL;
       olock_client_create(&cfg, &c);

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

THREAD SAFETY
   No global state. An olock_item, olock_buf or olock_client is used by one thread at a time;
   distinct objects may be used from distinct threads freely.

MEMORY
   Values live in the arena of the item (or response) that created them and die with it.
   Strings handed to constructors are copied. Nothing returned as `const` is yours to free.
*/
#ifndef OLOCK_H_INCLUDED
#define OLOCK_H_INCLUDED

#include <stddef.h>
#include <stdint.h>

#define OLOCK_VERSION_MAJOR 0
#define OLOCK_VERSION_MINOR 1
#define OLOCK_VERSION_PATCH 0
#define OLOCK_VERSION_STRING "0.1.0"

#ifndef OLOCK_API
#  ifdef OLOCK_STATIC
#    if defined(__GNUC__) || defined(__clang__)
#      define OLOCK_API static __attribute__((unused))
#    else
#      define OLOCK_API static
#    endif
#  else
#    define OLOCK_API extern
#  endif
#endif

#ifdef __cplusplus
extern "C" {
#endif

/* ---------------------------------------------------------------------------------------------
   Results
   ------------------------------------------------------------------------------------------ */

/* Values are never renumbered; new ones are appended. */
typedef enum olock_result {
    OLOCK_OK = 0,
    OLOCK_ERR_NOMEM = 1,           /* an allocation failed; nothing was changed */
    OLOCK_ERR_INVALID_ARG = 2,     /* a NULL or out-of-range argument */
    OLOCK_ERR_PARSE = 3,           /* malformed JSON or DynamoDB JSON (see olock_error.offset) */
    OLOCK_ERR_LIMIT = 4,           /* a size, depth or count limit was exceeded */
    OLOCK_ERR_TYPE = 5,            /* a value has another type than the one asked for */
    OLOCK_ERR_RANGE = 6,           /* a number does not fit the C type asked for */
    OLOCK_ERR_INEXACT = 7,         /* a number would lose precision in the C type asked for */
    OLOCK_ERR_NOT_FOUND = 8,       /* no such attribute, item or header */
    OLOCK_CONFLICT = 9,            /* the version (or another condition) did not hold */
    OLOCK_ERR_THROTTLED = 10,      /* DynamoDB throttled the request (retries exhausted) */
    OLOCK_ERR_TRANSIENT = 11,      /* 5xx or another retryable service error (retries exhausted) */
    OLOCK_ERR_SERVICE = 12,        /* DynamoDB rejected the request; retrying will not help */
    OLOCK_ERR_NOT_SENT = 13,       /* transport: the request certainly did not reach the server */
    OLOCK_ERR_MAYBE_SENT = 14,     /* transport: the request may have been applied */
    OLOCK_ERR_CRC32 = 15,          /* the response body does not match its x-amz-crc32 header */
    OLOCK_ERR_RESPONSE = 16,       /* the response is not what DynamoDB sends */
    OLOCK_ERR_EXPRESSION = 17,     /* an expression is invalid */
    OLOCK_ERR_ABORTED = 18,        /* the caller's callback asked to stop */
    OLOCK_ERR_CREDENTIALS = 19,    /* no usable credentials, or a malformed credentials file */
    OLOCK_ERR_CONFIG = 20,         /* the configuration is incomplete or inconsistent */
    OLOCK_ERR_DEADLINE = 21,       /* the operation's deadline passed */
    OLOCK_ERR_UNSUPPORTED = 22,    /* not supported by this build or this backend */
    OLOCK_ERR_TOO_MANY_CONFLICTS = 23, /* the conflict budget ran out */
    OLOCK_RESULT_COUNT_
} olock_result;

/* A static English description ("out of memory", ...); never NULL. */
OLOCK_API const char *olock_result_str(olock_result r);

/* What the engine does with a failed request. */
typedef enum olock_error_class {
    OLOCK_CLASS_NONE = 0,          /* not an error */
    OLOCK_CLASS_CONFLICT = 1,      /* re-read, re-apply and write again */
    OLOCK_CLASS_THROTTLING = 2,    /* resend after a long backoff */
    OLOCK_CLASS_TRANSIENT = 3,     /* resend after a backoff */
    OLOCK_CLASS_FATAL = 4          /* do not retry */
} olock_error_class;

/* Caller-owned detail about a failure. Every field is set by the call it was passed to
   (zeroed first), so one olock_error can be reused across calls. */
typedef struct olock_error {
    olock_result code;             /* the same value the call returned */
    olock_error_class error_class;
    int http_status;               /* 0 when no HTTP response was involved */
    char aws_type[96];             /* AWS error name, e.g. "ConditionalCheckFailedException" */
    char message[320];             /* human-readable; never contains a secret */
    size_t offset;                 /* byte offset into the input for parse errors */
    unsigned attempts;             /* requests sent by the operation */
} olock_error;

/* ---------------------------------------------------------------------------------------------
   Allocation
   ------------------------------------------------------------------------------------------ */

/* A runtime allocator. All three functions, or pass NULL for the default (OLOCK_MALLOC or
   malloc). `ctx` is passed on every call. free_fn receives the size that was allocated. */
typedef struct olock_allocator {
    void *ctx;
    void *(*malloc_fn)(void *ctx, size_t size);
    void *(*realloc_fn)(void *ctx, void *ptr, size_t old_size, size_t new_size);
    void (*free_fn)(void *ctx, void *ptr, size_t size);
} olock_allocator;

/* A growable byte buffer; `data` is always NUL-terminated once anything was appended.
   `max` (0 = unlimited) caps len: appends past it fail with OLOCK_ERR_LIMIT. */
typedef struct olock_buf {
    char *data;
    size_t len;
    size_t cap;
    size_t max;
    const olock_allocator *alloc;  /* NULL: default allocator; must outlive the buffer */
} olock_buf;

OLOCK_API void olock_buf_init(olock_buf *b, const olock_allocator *alloc);
OLOCK_API void olock_buf_free(olock_buf *b);          /* keeps alloc, max; NULL is a no-op */
OLOCK_API void olock_buf_clear(olock_buf *b);         /* len = 0, capacity kept */
OLOCK_API olock_result olock_buf_reserve(olock_buf *b, size_t extra);
OLOCK_API olock_result olock_buf_append(olock_buf *b, const void *data, size_t len);
OLOCK_API olock_result olock_buf_append_str(olock_buf *b, const char *s);

/* Bump allocator for values and parsed JSON. Blocks are kept by reset, so a reused arena
   stops allocating once it has grown to the working-set size. */
typedef struct olock_arena_block olock_arena_block;
typedef struct olock_arena {
    olock_arena_block *first;      /* every block, in order */
    olock_arena_block *current;    /* the block being filled; later ones are spare */
    const olock_allocator *alloc;
    size_t total;                  /* bytes obtained from the allocator */
} olock_arena;

OLOCK_API void olock_arena_init(olock_arena *a, const olock_allocator *alloc);
OLOCK_API void *olock_arena_alloc(olock_arena *a, size_t size);   /* 8-byte aligned; NULL on OOM */
OLOCK_API char *olock_arena_strdup(olock_arena *a, const char *s, size_t len); /* NUL-terminated */
OLOCK_API void olock_arena_reset(olock_arena *a);     /* forget all, keep memory */
OLOCK_API void olock_arena_free(olock_arena *a);      /* return all memory */

/* ---------------------------------------------------------------------------------------------
   Numbers: DynamoDB N values, exact decimals of up to 38 significant digits
   ------------------------------------------------------------------------------------------ */

#define OLOCK_NUMBER_DIGITS 38
#define OLOCK_NUMBER_MAX_EXP 125   /* largest magnitude 9.99..9E+125 */
#define OLOCK_NUMBER_MIN_EXP (-130) /* smallest non-zero magnitude 1E-130 */
/* Longest canonical text (sign, 126 integer digits or "0." and 129 zeros + 38 digits). */
#define OLOCK_NUMBER_TEXT_MAX 172

/* value = (negative ? -1 : 1) * 0.d1d2...dn * 10^exp10, digits without leading or trailing zeros;
   zero has ndigits == 0. */
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
OLOCK_API olock_result olock_decimal_to_i64(const olock_decimal *d, int64_t *out);   /* RANGE / INEXACT */
OLOCK_API olock_result olock_decimal_to_u64(const olock_decimal *d, uint64_t *out);  /* RANGE / INEXACT */
/* INEXACT when the value has more significant digits than a double keeps (15), RANGE when it
   overflows a double. olock_decimal_to_double_approx rounds instead (still RANGE on overflow). */
OLOCK_API olock_result olock_decimal_to_double(const olock_decimal *d, double *out);
OLOCK_API olock_result olock_decimal_to_double_approx(const olock_decimal *d, double *out);
/* Shortest decimal that reads back as the same double; RANGE for NaN and infinities. */
OLOCK_API olock_result olock_decimal_from_double(double v, olock_decimal *out);

/* ---------------------------------------------------------------------------------------------
   Values and items
   ------------------------------------------------------------------------------------------ */

typedef enum olock_type {
    OLOCK_TYPE_S = 1, OLOCK_TYPE_N, OLOCK_TYPE_B, OLOCK_TYPE_BOOL, OLOCK_TYPE_NULL,
    OLOCK_TYPE_M, OLOCK_TYPE_L, OLOCK_TYPE_SS, OLOCK_TYPE_NS, OLOCK_TYPE_BS
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
    uint32_t count;                /* members of a container */
    const char *str;               /* S, N, B */
    size_t len;
    int boolean;                   /* BOOL */
    olock_value *first, *last;     /* containers */
    olock_value *next;             /* next member of the parent */
    const char *key;               /* map member name, NUL-terminated */
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
OLOCK_API olock_value *olock_value_new_double(olock_arena *a, double v);   /* NULL for NaN/inf */
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

/* Equality as DynamoDB compares: numbers numerically, sets unordered, maps by name. */
OLOCK_API int olock_value_equal(const olock_value *a, const olock_value *b);

/* An item: a top-level map with its own arena. Everything reachable from it is freed by
   olock_item_destroy. */
typedef struct olock_item {
    olock_arena arena;
    olock_value *root;             /* type M */
} olock_item;

OLOCK_API olock_result olock_item_create(const olock_allocator *alloc, olock_item **out);
OLOCK_API void olock_item_destroy(olock_item *it);    /* NULL is a no-op */
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

/* ---------------------------------------------------------------------------------------------
   JSON: a strict parser into a read-only tree, and DynamoDB JSON on top of it
   ------------------------------------------------------------------------------------------ */

typedef enum olock_json_kind {
    OLOCK_JSON_NULL = 1, OLOCK_JSON_FALSE, OLOCK_JSON_TRUE, OLOCK_JSON_NUMBER,
    OLOCK_JSON_STRING, OLOCK_JSON_ARRAY, OLOCK_JSON_OBJECT
} olock_json_kind;

/* A parsed JSON node. Strings are unescaped, valid UTF-8 and NUL-terminated (they may hold
   NUL bytes: use len). Numbers keep their text in str. Object members keep document order. */
typedef struct olock_json olock_json;
struct olock_json {
    olock_json_kind kind;
    uint32_t count;                /* members of an array or object */
    const char *str;               /* STRING, NUMBER */
    size_t len;
    const char *key;               /* object member name */
    size_t key_len;
    olock_json *first;             /* ARRAY, OBJECT */
    olock_json *next;
    size_t offset;                 /* byte offset of the node in the parsed text */
};

typedef struct olock_json_limits {
    size_t max_bytes;              /* 0: 16 MiB */
    unsigned max_depth;            /* 0: OLOCK_MAX_DEPTH */
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

/* CRC-32 (IEEE 802.3), as in the x-amz-crc32 header. */
OLOCK_API uint32_t olock_crc32(uint32_t crc, const void *data, size_t len);

/* ---------------------------------------------------------------------------------------------
   HTTP transport (the dumb pipe every backend implements)
   ------------------------------------------------------------------------------------------ */

typedef struct olock_http_header {
    const char *name;
    const char *value;
} olock_http_header;

/* Built (and signed) by the core; valid for the duration of one send call. */
typedef struct olock_http_request {
    const char *method;            /* "POST" */
    const char *url;               /* e.g. "https://dynamodb.eu-west-1.amazonaws.com/" */
    const olock_http_header *headers; /* Host, Content-Type, X-Amz-Target, X-Amz-Date, Authorization, ... */
    size_t header_count;
    const char *body;              /* DynamoDB JSON */
    size_t body_len;
} olock_http_request;

/* The response a transport fills in. Core-owned and reused between requests: a transport
   sets the status, adds headers and appends body bytes through the functions below. */
typedef struct olock_http_response {
    int status;                    /* HTTP status; 0 until set */
    olock_buf body;                /* body.max caps the body (OLOCK_ERR_LIMIT past it) */
    olock_buf headers;             /* internal: "name\0value\0" pairs */
    size_t header_count;
} olock_http_response;

OLOCK_API void olock_http_response_init(olock_http_response *res, const olock_allocator *alloc, size_t max_body);
OLOCK_API void olock_http_response_reset(olock_http_response *res);   /* keeps memory */
OLOCK_API void olock_http_response_free(olock_http_response *res);
OLOCK_API olock_result olock_http_response_add_header(olock_http_response *res, const char *name, size_t name_len,
                                                      const char *value, size_t value_len);
OLOCK_API olock_result olock_http_response_append(olock_http_response *res, const void *data, size_t len);
/* Value of the first header of that name (case-insensitive), or NULL. */
OLOCK_API const char *olock_http_response_header(const olock_http_response *res, const char *name);

/* A transport moves one request and fills one response.
   send returns OLOCK_OK whenever an HTTP response arrived, whatever its status; otherwise
   OLOCK_ERR_NOT_SENT when the request certainly never reached the server (DNS, connect, TLS
   handshake), or OLOCK_ERR_MAYBE_SENT when it may have been applied (timeout or connection
   lost after sending). Any other result is treated as OLOCK_ERR_MAYBE_SENT.
   destroy (may be NULL) releases `user`; the client calls it from olock_client_destroy. */
typedef struct olock_transport {
    void *user;
    olock_result (*send)(void *user, const olock_http_request *req, olock_http_response *res);
    void (*destroy)(void *user);
} olock_transport;

/* ---------------------------------------------------------------------------------------------
   Requests: DynamoDB operations encoded as DynamoDB JSON
   ------------------------------------------------------------------------------------------ */

typedef enum olock_op {
    OLOCK_OP_GET_ITEM = 1, OLOCK_OP_PUT_ITEM, OLOCK_OP_UPDATE_ITEM, OLOCK_OP_DELETE_ITEM,
    OLOCK_OP_TRANSACT_WRITE_ITEMS, OLOCK_OP_TRANSACT_GET_ITEMS,
    OLOCK_OP_BATCH_GET_ITEM, OLOCK_OP_BATCH_WRITE_ITEM, OLOCK_OP_QUERY, OLOCK_OP_SCAN,
    OLOCK_OP_CREATE_TABLE, OLOCK_OP_DESCRIBE_TABLE, OLOCK_OP_DELETE_TABLE, OLOCK_OP_LIST_TABLES,
    OLOCK_OP_COUNT_
} olock_op;

/* "GetItem", ...; olock_op_from_name accepts the bare name or "DynamoDB_20120810.<Name>"
   and returns 0 for an unknown one. */
OLOCK_API const char *olock_op_name(olock_op op);
OLOCK_API olock_op olock_op_from_name(const char *name, size_t len);

typedef enum olock_return_values {
    OLOCK_RV_OMIT = 0,             /* not sent: DynamoDB's default (NONE) */
    OLOCK_RV_NONE, OLOCK_RV_ALL_OLD, OLOCK_RV_UPDATED_OLD, OLOCK_RV_ALL_NEW, OLOCK_RV_UPDATED_NEW
} olock_return_values;

/* One item operation: GetItem, PutItem, UpdateItem, DeleteItem, or one action of a
   transaction. Fields an operation does not use must be left NULL / 0 (the encoder says
   INVALID_ARG otherwise, so a mistake is not silently dropped). Maps are olock_values of
   type M: `names` maps "#x" to S values, `values` maps ":x" to any value. */
typedef struct olock_item_request {
    const char *table;
    const olock_value *key;        /* Get, Update, Delete, transaction Update/Delete/Check */
    const olock_value *item;       /* Put */
    const char *condition;         /* ConditionExpression */
    const char *update;            /* UpdateExpression (Update) */
    const char *projection;        /* ProjectionExpression (Get) */
    const olock_value *names;      /* ExpressionAttributeNames */
    const olock_value *values;     /* ExpressionAttributeValues */
    int consistent_read;           /* Get */
    olock_return_values return_values;
    olock_return_values return_values_on_condition_check_failure; /* OMIT, NONE or ALL_OLD */
} olock_item_request;

typedef enum olock_txn_kind {
    OLOCK_TXN_PUT = 1, OLOCK_TXN_UPDATE, OLOCK_TXN_DELETE, OLOCK_TXN_CONDITION_CHECK
} olock_txn_kind;

typedef struct olock_txn_action {
    olock_txn_kind kind;
    olock_item_request req;        /* return_values must be OMIT */
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
    const olock_value *put_item;   /* exactly one of put_item and delete_key */
    const olock_value *delete_key;
} olock_batch_write_entry;

typedef struct olock_query_request {
    const char *table;
    const char *index;             /* IndexName or NULL */
    const char *key_condition;     /* Query only */
    const char *filter;
    const char *projection;
    const olock_value *names;
    const olock_value *values;
    int consistent_read;
    int scan_backward;             /* ScanIndexForward=false (Query only) */
    uint32_t limit;                /* 0: no Limit */
    const olock_value *exclusive_start_key;
} olock_query_request;

typedef struct olock_create_table_request {
    const char *table;
    const char *hash_key;
    olock_type hash_type;          /* S, N or B */
    const char *range_key;         /* NULL for a hash-only table */
    olock_type range_type;
    uint64_t read_capacity;        /* both 0: PAY_PER_REQUEST */
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

/* ---------------------------------------------------------------------------------------------
   Responses and error classes
   ------------------------------------------------------------------------------------------ */

typedef struct olock_cancel_reason {
    const char *code;              /* "None", "ConditionalCheckFailed", "TransactionConflict", ... */
    const char *message;           /* may be NULL */
    const olock_value *item;       /* ALL_OLD item when asked for and returned, else NULL */
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
    int has_unprocessed;           /* BatchGet/BatchWrite left work undone (see json) */
    const olock_json *json;        /* the whole body, for anything not decoded above */
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

/* ---------------------------------------------------------------------------------------------
   Client and configuration
   ------------------------------------------------------------------------------------------ */

typedef struct olock_credentials {
    const char *access_key_id;
    const char *secret_access_key;
    const char *session_token;     /* NULL unless temporary credentials */
} olock_credentials;

/* Retry settings; 0 in any field means its default (listed). */
typedef struct olock_retry_policy {
    unsigned conflict_attempts;    /* 10: writes per read-modify-write before OLOCK_ERR_TOO_MANY_CONFLICTS */
    unsigned transient_attempts;   /* 4: sends of one request (3 retries) on 5xx / throttling */
    unsigned base_ms;              /* 25: full-jitter backoff base for transient errors */
    unsigned throttle_base_ms;     /* 500: backoff base for throttling */
    unsigned cap_ms;               /* 20000: backoff cap */
    unsigned quota_capacity;       /* 500: retry token bucket shared by one client */
    unsigned quota_retry_cost;     /* 5 */
    unsigned quota_timeout_cost;   /* 10 */
    uint64_t deadline_ms;          /* 0: none; else no attempt starts after now + deadline_ms */
} olock_retry_policy;

typedef struct olock_config {
    olock_allocator allocator;     /* malloc_fn NULL: OLOCK_MALLOC / malloc */
    olock_transport transport;     /* the client owns it from olock_client_create on */
    const char *endpoint;          /* NULL: from the environment, else https://dynamodb.<region>.amazonaws.com/ */
    const char *region;            /* NULL: AWS_REGION, AWS_DEFAULT_REGION */
    olock_credentials credentials; /* all NULL: do not sign (in-process fake) */
    olock_retry_policy retry;
    size_t max_response_bytes;     /* 0: 16 MiB */
    /* Hooks; NULL for the defaults (monotonic clock, nanosleep/Sleep, a seeded xorshift). */
    void *hook_user;
    uint64_t (*now_ms)(void *hook_user);
    void (*sleep_ms)(void *hook_user, uint64_t ms);
    uint64_t (*random_u64)(void *hook_user);
} olock_config;

/* A config with every default filled in (and no transport). */
OLOCK_API olock_config olock_config_default(void);

typedef struct olock_client olock_client;

/* Copies the config (strings included); takes ownership of the transport even on failure. */
OLOCK_API olock_result olock_client_create(const olock_config *cfg, olock_client **out, olock_error *err);
OLOCK_API void olock_client_destroy(olock_client *c);   /* NULL is a no-op */

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

#ifdef __cplusplus
}
#endif
#endif /* OLOCK_H_INCLUDED */

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
    if (a && a->free_fn) { a->free_fn(a->ctx, p, n); return; }
    (void)n;
    OLOCK_FREE(a ? a->ctx : NULL, p);
}

/* Overwrites memory in a way the optimiser may not drop (secrets). */
static OLOCK__UNUSED void olock__wipe(void *p, size_t n) {
    volatile unsigned char *v = (volatile unsigned char *)p;
    while (n--) *v++ = 0;
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

static void olock__error_clear(olock_error *err) {
    if (err) memset(err, 0, sizeof *err);
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

/* Copies at most cap-1 bytes and terminates. */
static void olock__copy_str(char *dst, size_t cap, const char *src, size_t len) {
    if (cap == 0) return;
    if (len >= cap) len = cap - 1;
    if (len) memcpy(dst, src, len);
    dst[len] = 0;
}

/* ---- buffer -------------------------------------------------------------------------------- */

OLOCK_API void olock_buf_init(olock_buf *b, const olock_allocator *alloc) {
    b->data = NULL; b->len = 0; b->cap = 0; b->max = 0; b->alloc = alloc;
}

OLOCK_API void olock_buf_free(olock_buf *b) {
    if (!b) return;
    olock__free(b->alloc, b->data, b->cap);
    b->data = NULL; b->len = 0; b->cap = 0;
}

OLOCK_API void olock_buf_clear(olock_buf *b) {
    b->len = 0;
    if (b->data) b->data[0] = 0;
}

OLOCK_API olock_result olock_buf_reserve(olock_buf *b, size_t extra) {
    size_t need, cap;
    char *p;
    if (extra > (size_t)-1 - b->len - 1) return OLOCK_ERR_LIMIT;
    need = b->len + extra + 1;                          /* + NUL */
    if (b->max && b->len + extra > b->max) return OLOCK_ERR_LIMIT;
    if (need <= b->cap) return OLOCK_OK;
    cap = b->cap ? b->cap : 256;
    while (cap < need) {
        if (cap > (size_t)-1 / 2) { cap = need; break; }
        cap *= 2;
    }
    p = (char *)olock__realloc(b->alloc, b->data, b->cap, cap);
    if (!p) return OLOCK_ERR_NOMEM;
    b->data = p; b->cap = cap;
    return OLOCK_OK;
}

OLOCK_API olock_result olock_buf_append(olock_buf *b, const void *data, size_t len) {
    olock_result r = olock_buf_reserve(b, len);
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
    size_t size;                   /* usable bytes after the header */
    size_t used;
};

#define OLOCK__ARENA_HDR ((sizeof(olock_arena_block) + 15) & ~(size_t)15)
#define OLOCK__ARENA_MIN 4096

OLOCK_API void olock_arena_init(olock_arena *a, const olock_allocator *alloc) {
    a->first = NULL; a->current = NULL; a->alloc = alloc; a->total = 0;
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
        if (b) b->used = 0;        /* a spare block kept by reset */
    }
    /* Grow geometrically so a big document costs O(log n) blocks. */
    want = a->total < OLOCK__ARENA_MIN ? OLOCK__ARENA_MIN : a->total;
    if (want < size) want = size;
    nb = (olock_arena_block *)olock__alloc(a->alloc, OLOCK__ARENA_HDR + want);
    if (!nb) return NULL;
    nb->size = want; nb->used = size; nb->next = NULL;
    a->total += want;
    /* Append after the last block so the order of reuse stays stable. */
    if (!a->first) a->first = nb;
    else { b = a->current ? a->current : a->first; while (b->next) b = b->next; b->next = nb; }
    a->current = nb;
    return (char *)nb + OLOCK__ARENA_HDR;
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

/* @@BEGIN decimal@@ */
/* ---- Numbers: DynamoDB N values (exact decimals, conversions) ---------------------------- */

/* Fragment of olock.h's implementation section; needs olock__error_set from the core.
   Digits in olock_decimal are values 0..9 (not characters). No libc number parsing or
   printing is used: strtod and printf depend on the locale, and DynamoDB's syntax and
   limits are not C's. */

#include <string.h>
#include <float.h>

#ifndef OLOCK_ASSERT /* normally set up by the core */
#  include <assert.h>
#  define OLOCK_ASSERT(x) assert(x)
#endif

#define OLOCK__DECIMAL_MIN_E10 (OLOCK_NUMBER_MIN_EXP + 1) /* exp10 of 1E-130 (0.1E-129) */
#define OLOCK__DECIMAL_MAX_E10 (OLOCK_NUMBER_MAX_EXP + 1) /* exp10 of 9.9..9E+125 */

/* The exact power-of-ten fast path is only correctly rounded when double arithmetic is done
   in double precision (not x87 extended); elsewhere the big-integer path does all the work. */
#if defined(FLT_EVAL_METHOD) && FLT_EVAL_METHOD == 0
#  define OLOCK__DECIMAL_FAST_DOUBLE 1
#else
#  define OLOCK__DECIMAL_FAST_DOUBLE 0
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

    if (err != NULL) memset(err, 0, sizeof *err);
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
            if (!have_nz) { have_nz = 1; first_nz = ndig; }
            last_nz = ndig;
        }
        /* Keep one digit more than allowed: enough to know that there are too many. */
        if (have_nz && ndig - first_nz <= OLOCK_NUMBER_DIGITS)
            sig[ndig - first_nz] = (unsigned char)(c - '0');
        ndig++;
        if (seen_point) frac_digits++; else int_digits++;
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
    exp10 = olock__decimal_clamp_count(int_digits) - olock__decimal_clamp_count(first_nz) + exp_value;
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
        big = a; small = b; big_neg = a->negative != 0;
    } else {
        big = b; small = a; big_neg = bneg != 0;
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
    if (d->ndigits == 0) { *out = 0; return OLOCK_OK; }
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
    if (d->ndigits == 0) { *out = 0; return OLOCK_OK; }
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
    int len;                       /* limbs in use; limb[len - 1] != 0 */
    int overflow;                  /* a result needed more limbs than there are */
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
        if (q >= 0 && q <= 22) { *out = m * olock__decimal_pow10_f64[q]; return 0; }
        if (q < 0 && q >= -22) { *out = m / olock__decimal_pow10_f64[-q]; return 0; }
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
    if (d->ndigits == 0) { *out = 0.0; return OLOCK_OK; }
    if (olock__decimal_digits_to_f64(d->digits, d->ndigits, d->exp10 - d->ndigits, &x) != 0)
        return OLOCK_ERR_RANGE;
    *out = d->negative ? -x : x;
    return OLOCK_OK;
}

OLOCK_API olock_result olock_decimal_to_double(const olock_decimal *d, double *out) {
    if (out == NULL || !olock__decimal_valid(d)) return OLOCK_ERR_INVALID_ARG;
    if (d->ndigits > 15) return OLOCK_ERR_INEXACT;
    return olock_decimal_to_double_approx(d, out);
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
    unsigned char all[400];        /* exact digits of |v|: at most 360 within the pre-check */
    unsigned char chunk[9];
    olock_decimal r;

    if (out == NULL) return OLOCK_ERR_INVALID_ARG;
    if (be == 0x7ff) return OLOCK_ERR_RANGE; /* NaN, infinities */
    if (x == 0.0) { olock__decimal_set_zero(out); return OLOCK_OK; }
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
            for (i = 0; i < 9; i++) { chunk[i] = (unsigned char)(c % 10); c /= 10; }
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
            int c = all[k] > 5 ? 1 : all[k] < 5 ? -1 : 0;
            for (i = k + 1; c == 0 && i < nd; i++) if (all[i] != 0) c = 1;
            pick_hi = c > 0 || (c == 0 && (all[k - 1] & 1));
        } else if (lo_ok || hi_ok) {
            pick_hi = hi_ok;
        } else {
            pick_hi = all[k] >= 5; /* unreachable: 17 digits round-trip */
        }
        if (pick_hi) { r.exp10 = ehi; r.ndigits = nhi; memcpy(r.digits, hi, (size_t)nhi); }
        else { r.exp10 = elo; r.ndigits = nlo; memcpy(r.digits, lo, (size_t)nlo); }
        break;
    }
    if (r.ndigits == 0) return OLOCK_ERR_RANGE; /* cannot happen: x != 0 */
    if (r.exp10 > OLOCK__DECIMAL_MAX_E10 || r.exp10 < OLOCK__DECIMAL_MIN_E10) return OLOCK_ERR_LIMIT;
    r.negative = negative;
    *out = r;
    return OLOCK_OK;
}
/* @@END decimal@@ */

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
    int t;
    for (t = OLOCK_TYPE_S; t <= OLOCK_TYPE_BS; t++) {
        const char *n = olock_type_name((olock_type)t);
        if (strlen(n) == len && memcmp(n, name, len) == 0) return (olock_type)t;
    }
    return (olock_type)0;
}

static int olock__is_container(olock_type t) {
    return t == OLOCK_TYPE_M || t == OLOCK_TYPE_L || t >= OLOCK_TYPE_SS;
}

static olock_type olock__set_member_type(olock_type set) {
    return set == OLOCK_TYPE_SS ? OLOCK_TYPE_S : set == OLOCK_TYPE_NS ? OLOCK_TYPE_N : OLOCK_TYPE_B;
}

static olock_value *olock__value_new(olock_arena *a, olock_type t) {
    olock_value *v = (olock_value *)olock_arena_alloc(a, sizeof *v);
    if (!v) return NULL;
    memset(v, 0, sizeof *v);
    v->type = t;
    return v;
}

static olock_value *olock__value_new_bytes(olock_arena *a, olock_type t, const char *s, size_t len) {
    olock_value *v = olock__value_new(a, t);
    if (!v) return NULL;
    v->str = olock_arena_strdup(a, s ? s : "", s ? len : 0);
    if (!v->str) return NULL;
    v->len = s ? len : 0;
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
    return olock__value_new_bytes(a, OLOCK_TYPE_N, text, n);
}

OLOCK_API olock_value *olock_value_new_n(olock_arena *a, const char *text, size_t len) {
    olock_decimal d;
    if (!text || olock_decimal_parse(text, len, &d, NULL) != OLOCK_OK) return NULL;
    return olock_value_new_decimal(a, &d);
}

OLOCK_API olock_value *olock_value_new_i64(olock_arena *a, int64_t v) {
    olock_decimal d;
    olock_decimal_from_i64(v, &d);
    return olock_value_new_decimal(a, &d);
}

OLOCK_API olock_value *olock_value_new_u64(olock_arena *a, uint64_t v) {
    olock_decimal d;
    olock_decimal_from_u64(v, &d);
    return olock_value_new_decimal(a, &d);
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
    if (parent->last) parent->last->next = v; else parent->first = v;
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
            v->key = m->key; v->key_len = m->key_len;
            v->next = m->next;
            if (prev) prev->next = v; else map->first = v;
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
            if (prev) prev->next = m->next; else map->first = m->next;
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
    case OLOCK_TYPE_S: case OLOCK_TYPE_N: case OLOCK_TYPE_B:
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
    case OLOCK_TYPE_SS: case OLOCK_TYPE_NS: case OLOCK_TYPE_BS:
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
    if (!it->root) { olock_arena_free(&it->arena); olock__free(alloc, it, sizeof *it); return OLOCK_ERR_NOMEM; }
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
    if (!root) { olock_item_destroy(it); return OLOCK_ERR_NOMEM; }
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

OLOCK_API int olock_item_equal(const olock_item *a, const olock_item *b) {
    if (!a || !b) return a == b;
    return olock_value_equal(a->root, b->root);
}

/* ---- JSON parser ---------------------------------------------------------------------------- */

typedef struct olock__jp {
    const char *s;
    size_t len, pos;
    olock_arena *a;
    unsigned max_depth;
    olock_error *err;
    olock_result rc;               /* first failure; parsing stops on it */
} olock__jp;

static olock_json *olock__jp_fail(olock__jp *p, olock_result rc, size_t at, const char *msg) {
    if (p->rc == OLOCK_OK) {
        p->rc = rc;
        olock__fail_at(p->err, rc, at, msg);
    }
    return NULL;
}

static void olock__jp_ws(olock__jp *p) {
    while (p->pos < p->len) {
        char c = p->s[p->pos];
        if (c != ' ' && c != '\t' && c != '\n' && c != '\r') break;
        p->pos++;
    }
}

static olock_json *olock__jp_node(olock__jp *p, olock_json_kind k, size_t at) {
    olock_json *n = (olock_json *)olock_arena_alloc(p->a, sizeof *n);
    if (!n) return olock__jp_fail(p, OLOCK_ERR_NOMEM, at, "out of memory");
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
        if (c == 0xE0 && s[1] < 0xA0) return 0;          /* overlong */
        if (c == 0xED && s[1] > 0x9F) return 0;          /* surrogate */
        return 3;
    }
    if (c >= 0xF0 && c <= 0xF4) {
        if (n < 4 || (s[1] & 0xC0) != 0x80 || (s[2] & 0xC0) != 0x80 || (s[3] & 0xC0) != 0x80) return 0;
        if (c == 0xF0 && s[1] < 0x90) return 0;          /* overlong */
        if (c == 0xF4 && s[1] > 0x8F) return 0;          /* above U+10FFFF */
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
    if (cp < 0x80) { o[0] = (char)cp; return 1; }
    if (cp < 0x800) { o[0] = (char)(0xC0 | (cp >> 6)); o[1] = (char)(0x80 | (cp & 0x3F)); return 2; }
    if (cp < 0x10000) {
        o[0] = (char)(0xE0 | (cp >> 12)); o[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        o[2] = (char)(0x80 | (cp & 0x3F)); return 3;
    }
    o[0] = (char)(0xF0 | (cp >> 18)); o[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    o[2] = (char)(0x80 | ((cp >> 6) & 0x3F)); o[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

/* Parses the string starting at the opening quote; the unescaped bytes go to the arena. */
static int olock__jp_string(olock__jp *p, const char **out, size_t *out_len) {
    size_t start = p->pos + 1, i = start, end;
    const unsigned char *s = (const unsigned char *)p->s;
    char *o, *dst;
    int plain = 1;
    /* Pass 1: find the closing quote, so the output (never longer than the input) can be
       allocated once. */
    for (;;) {
        if (i >= p->len) { olock__jp_fail(p, OLOCK_ERR_PARSE, p->pos, "unterminated string"); return 0; }
        if (s[i] == '"') break;
        if (s[i] == '\\') { plain = 0; i += 2; continue; }
        if (s[i] >= 0x80) plain = 0;
        else if (s[i] < 0x20) { olock__jp_fail(p, OLOCK_ERR_PARSE, i, "control character in string"); return 0; }
        i++;
    }
    end = i;
    dst = o = (char *)olock_arena_alloc(p->a, end - start + 1);
    if (!o) { olock__jp_fail(p, OLOCK_ERR_NOMEM, start, "out of memory"); return 0; }
    if (plain) {
        memcpy(o, p->s + start, end - start);
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
                        olock__jp_fail(p, OLOCK_ERR_PARSE, i - 2, "bad \\u escape"); return 0;
                    }
                    i += 4;
                    if (cp >= 0xDC00 && cp <= 0xDFFF) {
                        olock__jp_fail(p, OLOCK_ERR_PARSE, i - 6, "lone low surrogate in \\u escape"); return 0;
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
                    /* 6 (or 12) input bytes always cover the 1-4 output bytes. */
                    o += olock__utf8_put(o, cp);
                    break;
                }
                default:
                    olock__jp_fail(p, OLOCK_ERR_PARSE, i - 2, "invalid escape in string"); return 0;
                }
            } else if (c < 0x80) {
                *o++ = (char)c; i++;
            } else {
                size_t n = olock__utf8_seq(s + i, end - i), k;
                if (!n) { olock__jp_fail(p, OLOCK_ERR_PARSE, i, "invalid UTF-8 in string"); return 0; }
                for (k = 0; k < n; k++) *o++ = (char)s[i + k];
                i += n;
            }
        }
    }
    *o = 0;
    *out = dst;
    *out_len = (size_t)(o - dst);
    p->pos = end + 1;
    return 1;
}

static int olock__is_digit(char c) { return c >= '0' && c <= '9'; }

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

static olock_json *olock__jp_container(olock__jp *p, unsigned depth, int is_object) {
    size_t at = p->pos;
    olock_json *n, *last = NULL;
    char close = is_object ? '}' : ']';
    if (depth >= p->max_depth) return olock__jp_fail(p, OLOCK_ERR_LIMIT, at, "JSON nested too deeply");
    n = olock__jp_node(p, is_object ? OLOCK_JSON_OBJECT : OLOCK_JSON_ARRAY, at);
    if (!n) return NULL;
    p->pos++;
    olock__jp_ws(p);
    if (p->pos < p->len && p->s[p->pos] == close) { p->pos++; return n; }
    for (;;) {
        olock_json *m;
        const char *key = NULL;
        size_t key_len = 0, key_at = p->pos;
        if (is_object) {
            if (p->pos >= p->len || p->s[p->pos] != '"')
                return olock__jp_fail(p, OLOCK_ERR_PARSE, p->pos, "object member name expected");
            if (!olock__jp_string(p, &key, &key_len)) return NULL;
            olock__jp_ws(p);
            if (p->pos >= p->len || p->s[p->pos] != ':') return olock__jp_fail(p, OLOCK_ERR_PARSE, p->pos, "':' expected");
            p->pos++;
            olock__jp_ws(p);
        }
        m = olock__jp_value(p, depth + 1);
        if (!m) return NULL;
        if (is_object) { m->key = key; m->key_len = key_len; (void)key_at; }
        if (last) last->next = m; else n->first = m;
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
        if (p->s[p->pos] == close) { p->pos++; return n; }
        return olock__jp_fail(p, OLOCK_ERR_PARSE, p->pos, is_object ? "',' or '}' expected" : "',' or ']' expected");
    }
}

static olock_json *olock__jp_literal(olock__jp *p, const char *word, olock_json_kind k) {
    size_t n = strlen(word);
    if (p->len - p->pos < n || memcmp(p->s + p->pos, word, n) != 0)
        return olock__jp_fail(p, OLOCK_ERR_PARSE, p->pos, "invalid literal");
    p->pos += n;
    return olock__jp_node(p, k, p->pos - n);
}

static olock_json *olock__jp_value(olock__jp *p, unsigned depth) {
    olock_json *n;
    if (p->pos >= p->len) return olock__jp_fail(p, OLOCK_ERR_PARSE, p->pos, "unexpected end of input");
    switch (p->s[p->pos]) {
    case '{': return olock__jp_container(p, depth, 1);
    case '[': return olock__jp_container(p, depth, 0);
    case '"':
        n = olock__jp_node(p, OLOCK_JSON_STRING, p->pos);
        if (!n || !olock__jp_string(p, &n->str, &n->len)) return NULL;
        return n;
    case 't': return olock__jp_literal(p, "true", OLOCK_JSON_TRUE);
    case 'f': return olock__jp_literal(p, "false", OLOCK_JSON_FALSE);
    case 'n': return olock__jp_literal(p, "null", OLOCK_JSON_NULL);
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
    if (!a || !out || (!text && len)) return olock__fail_at(err, OLOCK_ERR_INVALID_ARG, 0, "invalid argument");
    if (len > max_bytes) return olock__fail_at(err, OLOCK_ERR_LIMIT, max_bytes, "JSON document too large");
    p.s = text ? text : ""; p.len = len; p.pos = 0; p.a = a; p.err = err; p.rc = OLOCK_OK;
    p.max_depth = limits && limits->max_depth ? limits->max_depth : OLOCK_MAX_DEPTH;
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

OLOCK_API olock_result olock_json_write_string(olock_buf *b, const char *s, size_t len) {
    static const char hex[] = "0123456789abcdef";
    size_t i, mark = b->len;
    olock_result r;
    const unsigned char *u = (const unsigned char *)s;
    /* Worst case every byte becomes \u00XX. */
    if (len > ((size_t)-1 - 2) / 6) return OLOCK_ERR_LIMIT;
    r = olock_buf_reserve(b, len * 6 + 2);
    if (r != OLOCK_OK) return r;
    b->data[b->len++] = '"';
    for (i = 0; i < len;) {
        unsigned c = u[i];
        if (c >= 0x20 && c != '"' && c != '\\' && c < 0x80) { b->data[b->len++] = (char)c; i++; continue; }
        if (c >= 0x80) {
            size_t n = olock__utf8_seq(u + i, len - i);
            if (!n) { b->len = mark; b->data[mark] = 0; return OLOCK_ERR_INVALID_ARG; }
            olock__buf_put(b, s + i, n);
            i += n;
            continue;
        }
        b->data[b->len++] = '\\';
        switch (c) {
        case '"': b->data[b->len++] = '"'; break;
        case '\\': b->data[b->len++] = '\\'; break;
        case '\b': b->data[b->len++] = 'b'; break;
        case '\f': b->data[b->len++] = 'f'; break;
        case '\n': b->data[b->len++] = 'n'; break;
        case '\r': b->data[b->len++] = 'r'; break;
        case '\t': b->data[b->len++] = 't'; break;
        default:
            olock__buf_put(b, "u00", 3);
            b->data[b->len++] = hex[c >> 4];
            b->data[b->len++] = hex[c & 15];
        }
        i++;
    }
    b->data[b->len++] = '"';
    b->data[b->len] = 0;
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
        o[n++] = olock__b64[v >> 18]; o[n++] = olock__b64[(v >> 12) & 63];
        o[n++] = olock__b64[(v >> 6) & 63]; o[n++] = olock__b64[v & 63];
    }
    if (len - i == 1) {
        uint32_t v = (uint32_t)d[i] << 16;
        o[n++] = olock__b64[v >> 18]; o[n++] = olock__b64[(v >> 12) & 63]; o[n++] = '='; o[n++] = '=';
    } else if (len - i == 2) {
        uint32_t v = ((uint32_t)d[i] << 16) | ((uint32_t)d[i + 1] << 8);
        o[n++] = olock__b64[v >> 18]; o[n++] = olock__b64[(v >> 12) & 63];
        o[n++] = olock__b64[(v >> 6) & 63]; o[n++] = '=';
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

OLOCK_API uint32_t olock_crc32(uint32_t crc, const void *data, size_t len) {
    const unsigned char *p = (const unsigned char *)data;
    crc = ~crc;
    while (len--) crc = olock__crc_table[(crc ^ *p++) & 0xFF] ^ (crc >> 8);
    return ~crc;
}

/* ---- DynamoDB JSON: values to JSON ---------------------------------------------------------- */

#define OLOCK__LIT(b, s) olock_buf_append((b), (s), sizeof(s) - 1)

static olock_result olock__write_value(const olock_value *v, olock_buf *b, int depth);

static olock_result olock__write_members(const olock_value *v, olock_buf *b, int depth, int as_object) {
    const olock_value *m;
    olock_result r = olock_buf_append(b, as_object ? "{" : "[", 1);
    for (m = v->first; m && r == OLOCK_OK; m = m->next) {
        if (m != v->first) r = olock_buf_append(b, ",", 1);
        if (r == OLOCK_OK && as_object) {
            r = olock_json_write_string(b, m->key, m->key_len);
            if (r == OLOCK_OK) r = olock_buf_append(b, ":", 1);
        }
        if (r == OLOCK_OK) r = olock__write_value(m, b, depth + 1);
    }
    if (r == OLOCK_OK) r = olock_buf_append(b, as_object ? "}" : "]", 1);
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

static olock_result olock__write_value(const olock_value *v, olock_buf *b, int depth) {
    olock_result r;
    const olock_value *m;
    if (depth > OLOCK_MAX_DEPTH) return OLOCK_ERR_LIMIT;
    r = olock_buf_append(b, "{\"", 2);
    if (r == OLOCK_OK) r = olock_buf_append_str(b, olock_type_name(v->type));
    if (r == OLOCK_OK) r = olock_buf_append(b, "\":", 2);
    if (r != OLOCK_OK) return r;
    switch (v->type) {
    case OLOCK_TYPE_S: case OLOCK_TYPE_N: case OLOCK_TYPE_B:
        r = olock__write_scalar_text(v, b); break;
    case OLOCK_TYPE_BOOL: r = v->boolean ? OLOCK__LIT(b, "true") : OLOCK__LIT(b, "false"); break;
    case OLOCK_TYPE_NULL: r = OLOCK__LIT(b, "true"); break;
    case OLOCK_TYPE_M: r = olock__write_members(v, b, depth, 1); break;
    case OLOCK_TYPE_L: r = olock__write_members(v, b, depth, 0); break;
    case OLOCK_TYPE_SS: case OLOCK_TYPE_NS: case OLOCK_TYPE_BS:
        r = olock_buf_append(b, "[", 1);
        for (m = v->first; m && r == OLOCK_OK; m = m->next) {
            if (m != v->first) r = olock_buf_append(b, ",", 1);
            if (r == OLOCK_OK) r = olock__write_scalar_text(m, b);
        }
        if (r == OLOCK_OK) r = olock_buf_append(b, "]", 1);
        break;
    default: return OLOCK_ERR_INVALID_ARG;
    }
    if (r == OLOCK_OK) r = olock_buf_append(b, "}", 1);
    return r;
}

OLOCK_API olock_result olock_value_write_json(const olock_value *v, olock_buf *b) {
    size_t mark;
    olock_result r;
    if (!v || !b) return OLOCK_ERR_INVALID_ARG;
    mark = b->len;
    r = olock__write_value(v, b, 0);
    if (r != OLOCK_OK && b->data) { b->len = mark; b->data[mark] = 0; }
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
    if (r != OLOCK_OK && b->data) { b->len = mark; b->data[mark] = 0; }
    return r;
}

/* ---- DynamoDB JSON: JSON to values ---------------------------------------------------------- */

typedef struct olock__span { const char *s; size_t n; } olock__span;

static int olock__span_cmp(const void *x, const void *y) {
    const olock__span *a = (const olock__span *)x, *b = (const olock__span *)y;
    size_t n = a->n < b->n ? a->n : b->n;
    int c = n ? memcmp(a->s, b->s, n) : 0;
    if (c) return c;
    return a->n < b->n ? -1 : a->n > b->n;
}

/* 1 if two of the n spans are equal. Quadratic for a handful, sorting beyond. */
static int olock__spans_have_duplicate(olock_arena *a, olock__span *sp, size_t n, int *oom) {
    size_t i, j;
    (void)a;
    *oom = 0;
    if (n < 2) return 0;
    if (n <= 16) {
        for (i = 0; i < n; i++)
            for (j = i + 1; j < n; j++)
                if (olock__span_cmp(&sp[i], &sp[j]) == 0) return 1;
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

/* Decodes one scalar of a set or a S/N/B attribute into v (str/len); numbers canonical. */
static olock_result olock__scalar_from_json(olock_arena *a, olock_type t, const olock_json *j, olock_value *v, olock_error *err) {
    if (j->kind != OLOCK_JSON_STRING)
        return olock__attr_fail(err, j, OLOCK_ERR_PARSE, t == OLOCK_TYPE_N ? "number attribute must be a JSON string"
                                                                        : "attribute value must be a JSON string");
    if (t == OLOCK_TYPE_S) {
        v->str = j->str; v->len = j->len;          /* the parser's copy lives in the same arena */
    } else if (t == OLOCK_TYPE_N) {
        olock_decimal d;
        char text[OLOCK_NUMBER_TEXT_MAX + 1];
        size_t n;
        olock_error e;
        olock_result r = olock_decimal_parse(j->str, j->len, &d, &e);
        if (r != OLOCK_OK) return olock__attr_fail(err, j, r, e.message);
        n = olock_decimal_format(&d, text);
        if (n == j->len && memcmp(text, j->str, n) == 0) { v->str = j->str; v->len = n; }
        else {
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
        v->str = (const char *)out; v->len = n;
    }
    return OLOCK_OK;
}

static olock_result olock__value_from_json(olock_arena *a, const olock_json *j, olock_value **out, olock_error *err);

static olock_result olock__members_from_json(olock_arena *a, const olock_json *j, olock_value *v, olock_error *err) {
    const olock_json *m;
    olock__span *sp = NULL;
    olock_result r;
    int oom;
    size_t i = 0;
    int is_map = v->type == OLOCK_TYPE_M, is_set = v->type >= OLOCK_TYPE_SS;
    if (j->kind != (is_map ? OLOCK_JSON_OBJECT : OLOCK_JSON_ARRAY))
        return olock__attr_fail(err, j, OLOCK_ERR_PARSE, is_map ? "map attribute must be a JSON object"
                                                               : "list or set attribute must be a JSON array");
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
        if (is_map) { c->key = m->key; c->key_len = m->key_len; }
        if (sp) { sp[i].s = is_map ? c->key : c->str; sp[i].n = is_map ? c->key_len : c->len; i++; }
        olock__append_member(v, c);
    }
    if (sp && olock__spans_have_duplicate(a, sp, i, &oom))
        return olock__attr_fail(err, j, OLOCK_ERR_PARSE, is_map ? "duplicate key in map attribute"
                                                               : "duplicate member in set attribute");
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
    case OLOCK_TYPE_S: case OLOCK_TYPE_N: case OLOCK_TYPE_B:
        r = olock__scalar_from_json(a, t, tv, v, err); break;
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
    r = olock_json_parse(&it->arena, text, len, NULL, &j, err);
    if (r == OLOCK_OK) r = olock_map_from_json(&it->arena, j, &root, err);
    if (r != OLOCK_OK) { olock_item_destroy(it); return r; }
    it->root = root;
    *out = it;
    return OLOCK_OK;
}

/* ---- HTTP response -------------------------------------------------------------------------- */

OLOCK_API void olock_http_response_init(olock_http_response *res, const olock_allocator *alloc, size_t max_body) {
    res->status = 0;
    olock_buf_init(&res->body, alloc);
    res->body.max = max_body;
    olock_buf_init(&res->headers, alloc);
    res->headers.max = 64 * 1024;  /* no honest DynamoDB response comes near this */
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
    size_t mark = res->headers.len;
    if (!name || (!value && value_len)) return OLOCK_ERR_INVALID_ARG;
    if (memchr(name, 0, name_len) || (value_len && memchr(value, 0, value_len))) return OLOCK_ERR_INVALID_ARG;
    r = olock_buf_reserve(&res->headers, name_len + value_len + 2);
    if (r != OLOCK_OK) return r;
    olock__buf_put(&res->headers, name, name_len);
    res->headers.data[res->headers.len++] = 0;
    if (value_len) olock__buf_put(&res->headers, value, value_len);
    res->headers.data[res->headers.len++] = 0;
    (void)mark;
    res->header_count++;
    return OLOCK_OK;
}

OLOCK_API olock_result olock_http_response_append(olock_http_response *res, const void *data, size_t len) {
    return olock_buf_append(&res->body, data, len);
}

static int olock__ascii_lower(int c) { return c >= 'A' && c <= 'Z' ? c + 32 : c; }

static int olock__strieq(const char *a, const char *b) {
    while (*a && olock__ascii_lower((unsigned char)*a) == olock__ascii_lower((unsigned char)*b)) { a++; b++; }
    return *a == 0 && *b == 0;
}

OLOCK_API const char *olock_http_response_header(const olock_http_response *res, const char *name) {
    const char *p, *end;
    if (!res || !name || !res->headers.data) return NULL;
    p = res->headers.data;
    end = p + res->headers.len;
    while (p < end) {
        const char *v = p + strlen(p) + 1;
        if (olock__strieq(p, name)) return v;
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
    if (w->r == OLOCK_OK) w->r = olock_buf_append(w->b, s, n);
}

static void olock__jw_open(olock__jw *w, char c) { olock__jw_raw(w, &c, 1); w->need_comma = 0; }
static void olock__jw_close(olock__jw *w, char c) { olock__jw_raw(w, &c, 1); w->need_comma = 1; }

static void olock__jw_key(olock__jw *w, const char *key) {
    if (w->need_comma) olock__jw_raw(w, ",", 1);
    if (w->r == OLOCK_OK) w->r = olock_json_write_string(w->b, key, strlen(key));
    olock__jw_raw(w, ":", 1);
    w->need_comma = 1;
}

static void olock__jw_elem(olock__jw *w) {
    if (w->need_comma) olock__jw_raw(w, ",", 1);
    w->need_comma = 1;
}

static void olock__jw_str(olock__jw *w, const char *key, const char *s) {
    if (!s) return;
    olock__jw_key(w, key);
    if (w->r == OLOCK_OK) w->r = olock_json_write_string(w->b, s, strlen(s));
}

static void olock__jw_bool(olock__jw *w, const char *key, int v) {
    olock__jw_key(w, key);
    if (v) olock__jw_raw(w, "true", 4); else olock__jw_raw(w, "false", 5);
}

static void olock__jw_u64(olock__jw *w, const char *key, uint64_t v) {
    char tmp[24];
    size_t n = sizeof tmp;
    do { tmp[--n] = (char)('0' + v % 10); v /= 10; } while (v);
    olock__jw_key(w, key);
    olock__jw_raw(w, tmp + n, sizeof tmp - n);
}

static void olock__jw_map(olock__jw *w, const char *key, const olock_value *map) {
    if (!map) return;
    olock__jw_key(w, key);
    if (w->r == OLOCK_OK) w->r = olock__write_attr_map(map, w->b);
}

/* ExpressionAttributeNames: a map of S values written as plain JSON strings. */
static void olock__jw_names(olock__jw *w, const olock_value *names) {
    const olock_value *m;
    if (!names) return;
    if (names->type != OLOCK_TYPE_M) { if (w->r == OLOCK_OK) w->r = OLOCK_ERR_INVALID_ARG; return; }
    olock__jw_key(w, "ExpressionAttributeNames");
    olock__jw_open(w, '{');
    for (m = names->first; m; m = m->next) {
        if (m->type != OLOCK_TYPE_S) { if (w->r == OLOCK_OK) w->r = OLOCK_ERR_INVALID_ARG; return; }
        olock__jw_key(w, m->key);
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
    if (b->data) { b->len = mark; b->data[mark] = 0; }
    if (r == OLOCK_ERR_NOMEM) msg = "out of memory";
    else if (r == OLOCK_ERR_LIMIT && b->max) msg = "request body exceeds the buffer limit";
    olock__fail_at(err, r, 0, msg);
    return r;
}

/* Fields of an item request that the operation does not use must be empty. */
static const char *olock__item_request_misuse(olock_op op, const olock_item_request *r) {
    if (!r->table || !*r->table) return "table name is required";
    if (op == OLOCK_OP_PUT_ITEM) { if (!r->item) return "PutItem needs an item"; if (r->key) return "PutItem takes an item, not a key"; }
    else { if (!r->key) return "a key is required"; if (r->item) return "only PutItem takes an item"; }
    if (r->update && op != OLOCK_OP_UPDATE_ITEM) return "only UpdateItem takes an update expression";
    if (r->projection && op != OLOCK_OP_GET_ITEM) return "only GetItem takes a projection expression";
    if (r->condition && op == OLOCK_OP_GET_ITEM) return "GetItem takes no condition expression";
    if (r->consistent_read && op != OLOCK_OP_GET_ITEM) return "only GetItem takes consistent_read";
    if (op == OLOCK_OP_GET_ITEM && (r->return_values || r->return_values_on_condition_check_failure))
        return "GetItem takes no return values";
    if (r->return_values_on_condition_check_failure > OLOCK_RV_ALL_OLD)
        return "return_values_on_condition_check_failure must be NONE or ALL_OLD";
    if ((unsigned)r->return_values > OLOCK_RV_UPDATED_NEW) return "invalid return_values";
    return NULL;
}

/* The members shared by single-item requests and transaction actions. */
static void olock__jw_item_members(olock__jw *w, olock_op op, const olock_item_request *r, int in_txn) {
    olock__jw_str(w, "TableName", r->table);
    if (op == OLOCK_OP_PUT_ITEM) olock__jw_map(w, "Item", r->item);
    else olock__jw_map(w, "Key", r->key);
    olock__jw_str(w, "ProjectionExpression", r->projection);
    olock__jw_str(w, "UpdateExpression", r->update);
    olock__jw_str(w, "ConditionExpression", r->condition);
    olock__jw_names(w, r->names);
    olock__jw_map(w, "ExpressionAttributeValues", r->values);
    if (r->consistent_read) olock__jw_bool(w, "ConsistentRead", 1);
    if (!in_txn) olock__jw_str(w, "ReturnValues", olock__rv_name(r->return_values));
    olock__jw_str(w, "ReturnValuesOnConditionCheckFailure", olock__rv_name(r->return_values_on_condition_check_failure));
}

OLOCK_API olock_result olock_encode_item_request(olock_op op, const olock_item_request *r, olock_buf *body, olock_error *err) {
    olock__jw w;
    size_t mark;
    const char *misuse;
    olock__error_clear(err);
    if (!r || !body) return olock__fail_at(err, OLOCK_ERR_INVALID_ARG, 0, "invalid argument");
    if (op != OLOCK_OP_GET_ITEM && op != OLOCK_OP_PUT_ITEM && op != OLOCK_OP_UPDATE_ITEM && op != OLOCK_OP_DELETE_ITEM)
        return olock__fail_at(err, OLOCK_ERR_INVALID_ARG, 0, "not an item operation");
    misuse = olock__item_request_misuse(op, r);
    if (misuse) return olock__fail_at(err, OLOCK_ERR_INVALID_ARG, 0, misuse);
    mark = body->len;
    w.b = body; w.r = OLOCK_OK; w.need_comma = 0;
    olock__jw_open(&w, '{');
    olock__jw_item_members(&w, op, r, 0);
    olock__jw_close(&w, '}');
    return w.r == OLOCK_OK ? OLOCK_OK : olock__encode_fail(body, mark, err, w.r, "invalid value in request");
}

OLOCK_API olock_result olock_encode_transact_write(const olock_txn_action *actions, size_t count,
                                                   const char *client_request_token, olock_buf *body, olock_error *err) {
    static const char *const kinds[] = { NULL, "Put", "Update", "Delete", "ConditionCheck" };
    static const olock_op ops[] = { (olock_op)0, OLOCK_OP_PUT_ITEM, OLOCK_OP_UPDATE_ITEM, OLOCK_OP_DELETE_ITEM, OLOCK_OP_DELETE_ITEM };
    olock__jw w;
    size_t i, mark;
    olock__error_clear(err);
    if (!body || (!actions && count)) return olock__fail_at(err, OLOCK_ERR_INVALID_ARG, 0, "invalid argument");
    for (i = 0; i < count; i++) {
        const olock_txn_action *a = &actions[i];
        const char *misuse;
        if (a->kind < OLOCK_TXN_PUT || a->kind > OLOCK_TXN_CONDITION_CHECK)
            return olock__fail_at(err, OLOCK_ERR_INVALID_ARG, i, "invalid transaction action kind");
        misuse = olock__item_request_misuse(ops[a->kind], &a->req);
        if (!misuse && a->req.return_values) misuse = "transaction actions take no return_values";
        if (!misuse && a->kind == OLOCK_TXN_CONDITION_CHECK && !a->req.condition) misuse = "a condition check needs a condition";
        if (misuse) {
            olock__error_set(err, OLOCK_ERR_INVALID_ARG, "action %u: %s", (unsigned)i, misuse);
            return OLOCK_ERR_INVALID_ARG;
        }
    }
    mark = body->len;
    w.b = body; w.r = OLOCK_OK; w.need_comma = 0;
    olock__jw_open(&w, '{');
    olock__jw_key(&w, "TransactItems");
    olock__jw_open(&w, '[');
    for (i = 0; i < count; i++) {
        olock__jw_elem(&w);
        olock__jw_open(&w, '{');
        olock__jw_key(&w, kinds[actions[i].kind]);
        olock__jw_open(&w, '{');
        olock__jw_item_members(&w, ops[actions[i].kind], &actions[i].req, 1);
        olock__jw_close(&w, '}');
        olock__jw_close(&w, '}');
    }
    olock__jw_close(&w, ']');
    olock__jw_str(&w, "ClientRequestToken", client_request_token);
    olock__jw_close(&w, '}');
    return w.r == OLOCK_OK ? OLOCK_OK : olock__encode_fail(body, mark, err, w.r, "invalid value in request");
}

OLOCK_API olock_result olock_encode_transact_get(const olock_item_request *gets, size_t count, olock_buf *body, olock_error *err) {
    olock__jw w;
    size_t i, mark;
    olock__error_clear(err);
    if (!body || (!gets && count)) return olock__fail_at(err, OLOCK_ERR_INVALID_ARG, 0, "invalid argument");
    for (i = 0; i < count; i++) {
        const char *misuse = olock__item_request_misuse(OLOCK_OP_GET_ITEM, &gets[i]);
        if (!misuse && gets[i].consistent_read) misuse = "TransactGetItems reads are always consistent";
        if (misuse) { olock__error_set(err, OLOCK_ERR_INVALID_ARG, "get %u: %s", (unsigned)i, misuse); return OLOCK_ERR_INVALID_ARG; }
    }
    mark = body->len;
    w.b = body; w.r = OLOCK_OK; w.need_comma = 0;
    olock__jw_open(&w, '{');
    olock__jw_key(&w, "TransactItems");
    olock__jw_open(&w, '[');
    for (i = 0; i < count; i++) {
        olock__jw_elem(&w);
        olock__jw_open(&w, '{');
        olock__jw_key(&w, "Get");
        olock__jw_open(&w, '{');
        olock__jw_item_members(&w, OLOCK_OP_GET_ITEM, &gets[i], 1);
        olock__jw_close(&w, '}');
        olock__jw_close(&w, '}');
    }
    olock__jw_close(&w, ']');
    olock__jw_close(&w, '}');
    return w.r == OLOCK_OK ? OLOCK_OK : olock__encode_fail(body, mark, err, w.r, "invalid value in request");
}

OLOCK_API olock_result olock_encode_batch_get(const olock_batch_get_table *tables, size_t count, olock_buf *body, olock_error *err) {
    olock__jw w;
    size_t i, k, mark;
    olock__error_clear(err);
    if (!body || (!tables && count)) return olock__fail_at(err, OLOCK_ERR_INVALID_ARG, 0, "invalid argument");
    for (i = 0; i < count; i++)
        if (!tables[i].table || !*tables[i].table || (!tables[i].keys && tables[i].key_count))
            return olock__fail_at(err, OLOCK_ERR_INVALID_ARG, i, "each table needs a name and its keys");
    mark = body->len;
    w.b = body; w.r = OLOCK_OK; w.need_comma = 0;
    olock__jw_open(&w, '{');
    olock__jw_key(&w, "RequestItems");
    olock__jw_open(&w, '{');
    for (i = 0; i < count; i++) {
        const olock_batch_get_table *t = &tables[i];
        olock__jw_key(&w, t->table);
        olock__jw_open(&w, '{');
        olock__jw_key(&w, "Keys");
        olock__jw_open(&w, '[');
        for (k = 0; k < t->key_count; k++) {
            olock__jw_elem(&w);
            if (w.r == OLOCK_OK) w.r = olock__write_attr_map(t->keys[k], w.b);
        }
        olock__jw_close(&w, ']');
        olock__jw_str(&w, "ProjectionExpression", t->projection);
        olock__jw_names(&w, t->names);
        if (t->consistent_read) olock__jw_bool(&w, "ConsistentRead", 1);
        olock__jw_close(&w, '}');
    }
    olock__jw_close(&w, '}');
    olock__jw_close(&w, '}');
    return w.r == OLOCK_OK ? OLOCK_OK : olock__encode_fail(body, mark, err, w.r, "invalid value in request");
}

OLOCK_API olock_result olock_encode_batch_write(const olock_batch_write_entry *entries, size_t count, olock_buf *body, olock_error *err) {
    olock__jw w;
    size_t i, k, mark;
    olock__error_clear(err);
    if (!body || (!entries && count)) return olock__fail_at(err, OLOCK_ERR_INVALID_ARG, 0, "invalid argument");
    for (i = 0; i < count; i++)
        if (!entries[i].table || !*entries[i].table || !entries[i].put_item == !entries[i].delete_key)
            return olock__fail_at(err, OLOCK_ERR_INVALID_ARG, i, "each entry needs a table and exactly one of put_item and delete_key");
    mark = body->len;
    w.b = body; w.r = OLOCK_OK; w.need_comma = 0;
    olock__jw_open(&w, '{');
    olock__jw_key(&w, "RequestItems");
    olock__jw_open(&w, '{');
    /* Group entries by table, keeping first-appearance order of tables and entries. */
    for (i = 0; i < count; i++) {
        int seen = 0;
        for (k = 0; k < i && !seen; k++) seen = strcmp(entries[k].table, entries[i].table) == 0;
        if (seen) continue;
        olock__jw_key(&w, entries[i].table);
        olock__jw_open(&w, '[');
        for (k = i; k < count; k++) {
            const olock_batch_write_entry *e = &entries[k];
            if (strcmp(e->table, entries[i].table) != 0) continue;
            olock__jw_elem(&w);
            olock__jw_open(&w, '{');
            olock__jw_key(&w, e->put_item ? "PutRequest" : "DeleteRequest");
            olock__jw_open(&w, '{');
            olock__jw_map(&w, e->put_item ? "Item" : "Key", e->put_item ? e->put_item : e->delete_key);
            olock__jw_close(&w, '}');
            olock__jw_close(&w, '}');
        }
        olock__jw_close(&w, ']');
    }
    olock__jw_close(&w, '}');
    olock__jw_close(&w, '}');
    return w.r == OLOCK_OK ? OLOCK_OK : olock__encode_fail(body, mark, err, w.r, "invalid value in request");
}

OLOCK_API olock_result olock_encode_query(olock_op op, const olock_query_request *r, olock_buf *body, olock_error *err) {
    olock__jw w;
    size_t mark;
    olock__error_clear(err);
    if (!r || !body || (op != OLOCK_OP_QUERY && op != OLOCK_OP_SCAN))
        return olock__fail_at(err, OLOCK_ERR_INVALID_ARG, 0, "invalid argument");
    if (!r->table || !*r->table) return olock__fail_at(err, OLOCK_ERR_INVALID_ARG, 0, "table name is required");
    if (op == OLOCK_OP_QUERY && !r->key_condition) return olock__fail_at(err, OLOCK_ERR_INVALID_ARG, 0, "Query needs a key condition");
    if (op == OLOCK_OP_SCAN && (r->key_condition || r->scan_backward))
        return olock__fail_at(err, OLOCK_ERR_INVALID_ARG, 0, "Scan takes no key condition and no scan direction");
    mark = body->len;
    w.b = body; w.r = OLOCK_OK; w.need_comma = 0;
    olock__jw_open(&w, '{');
    olock__jw_str(&w, "TableName", r->table);
    olock__jw_str(&w, "IndexName", r->index);
    olock__jw_str(&w, "KeyConditionExpression", r->key_condition);
    olock__jw_str(&w, "FilterExpression", r->filter);
    olock__jw_str(&w, "ProjectionExpression", r->projection);
    olock__jw_names(&w, r->names);
    olock__jw_map(&w, "ExpressionAttributeValues", r->values);
    if (r->consistent_read) olock__jw_bool(&w, "ConsistentRead", 1);
    if (r->scan_backward) olock__jw_bool(&w, "ScanIndexForward", 0);
    if (r->limit) olock__jw_u64(&w, "Limit", r->limit);
    olock__jw_map(&w, "ExclusiveStartKey", r->exclusive_start_key);
    olock__jw_close(&w, '}');
    return w.r == OLOCK_OK ? OLOCK_OK : olock__encode_fail(body, mark, err, w.r, "invalid value in request");
}

static void olock__jw_key_attr(olock__jw *w, const char *name, olock_type t, int as_schema, const char *role) {
    olock__jw_elem(w);
    olock__jw_open(w, '{');
    olock__jw_str(w, "AttributeName", name);
    if (as_schema) olock__jw_str(w, "KeyType", role);
    else olock__jw_str(w, "AttributeType", olock_type_name(t));
    olock__jw_close(w, '}');
}

OLOCK_API olock_result olock_encode_create_table(const olock_create_table_request *r, olock_buf *body, olock_error *err) {
    olock__jw w;
    size_t mark;
    int pass;
    olock__error_clear(err);
    if (!r || !body) return olock__fail_at(err, OLOCK_ERR_INVALID_ARG, 0, "invalid argument");
    if (!r->table || !*r->table || !r->hash_key || !*r->hash_key)
        return olock__fail_at(err, OLOCK_ERR_INVALID_ARG, 0, "table name and hash key are required");
    if ((r->hash_type != OLOCK_TYPE_S && r->hash_type != OLOCK_TYPE_N && r->hash_type != OLOCK_TYPE_B) ||
        (r->range_key && r->range_type != OLOCK_TYPE_S && r->range_type != OLOCK_TYPE_N && r->range_type != OLOCK_TYPE_B))
        return olock__fail_at(err, OLOCK_ERR_INVALID_ARG, 0, "key attributes must be of type S, N or B");
    if (!r->read_capacity != !r->write_capacity)
        return olock__fail_at(err, OLOCK_ERR_INVALID_ARG, 0, "give both read and write capacity, or neither");
    mark = body->len;
    w.b = body; w.r = OLOCK_OK; w.need_comma = 0;
    olock__jw_open(&w, '{');
    olock__jw_str(&w, "TableName", r->table);
    for (pass = 0; pass < 2; pass++) {
        olock__jw_key(&w, pass ? "KeySchema" : "AttributeDefinitions");
        olock__jw_open(&w, '[');
        olock__jw_key_attr(&w, r->hash_key, r->hash_type, pass, "HASH");
        if (r->range_key) olock__jw_key_attr(&w, r->range_key, r->range_type, pass, "RANGE");
        olock__jw_close(&w, ']');
    }
    if (r->read_capacity) {
        olock__jw_str(&w, "BillingMode", "PROVISIONED");
        olock__jw_key(&w, "ProvisionedThroughput");
        olock__jw_open(&w, '{');
        olock__jw_u64(&w, "ReadCapacityUnits", r->read_capacity);
        olock__jw_u64(&w, "WriteCapacityUnits", r->write_capacity);
        olock__jw_close(&w, '}');
    } else {
        olock__jw_str(&w, "BillingMode", "PAY_PER_REQUEST");
    }
    olock__jw_close(&w, '}');
    return w.r == OLOCK_OK ? OLOCK_OK : olock__encode_fail(body, mark, err, w.r, "invalid value in request");
}

OLOCK_API olock_result olock_encode_table_op(olock_op op, const char *table, olock_buf *body, olock_error *err) {
    olock__jw w;
    size_t mark;
    olock__error_clear(err);
    if (!body || (op != OLOCK_OP_DESCRIBE_TABLE && op != OLOCK_OP_DELETE_TABLE && op != OLOCK_OP_LIST_TABLES))
        return olock__fail_at(err, OLOCK_ERR_INVALID_ARG, 0, "invalid argument");
    if (op != OLOCK_OP_LIST_TABLES && (!table || !*table))
        return olock__fail_at(err, OLOCK_ERR_INVALID_ARG, 0, "table name is required");
    mark = body->len;
    w.b = body; w.r = OLOCK_OK; w.need_comma = 0;
    olock__jw_open(&w, '{');
    olock__jw_str(&w, op == OLOCK_OP_LIST_TABLES ? "ExclusiveStartTableName" : "TableName", table);
    olock__jw_close(&w, '}');
    return w.r == OLOCK_OK ? OLOCK_OK : olock__encode_fail(body, mark, err, w.r, "invalid value in request");
}

/* ---- error classes ---------------------------------------------------------------------------- */

static int olock__in_list(const char *s, const char *const *list) {
    for (; *list; list++) if (strcmp(s, *list) == 0) return 1;
    return 0;
}

OLOCK_API olock_error_class olock_classify_error(int http_status, const char *aws_type) {
    static const char *const throttling[] = {
        "ProvisionedThroughputExceededException", "ThrottlingException", "RequestLimitExceeded",
        "LimitExceededException", "Throttling", "TooManyRequestsException", NULL };
    static const char *const transient[] = {
        "InternalServerError", "InternalFailure", "ServiceUnavailable", "ServiceUnavailableException",
        "TransactionInProgressException", "TransactionConflictException", NULL };
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
    size_t i;
    uint64_t v = 0;
    if (!j) return OLOCK_OK;
    if (j->kind != OLOCK_JSON_NUMBER || j->str[0] == '-') return olock__resp_fail(err, j, "count expected in response");
    for (i = 0; i < j->len; i++) {
        if (!olock__is_digit(j->str[i]) || v > (UINT64_MAX - 9) / 10) return olock__resp_fail(err, j, "count expected in response");
        v = v * 10 + (uint64_t)(j->str[i] - '0');
    }
    *out = v;
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

static olock_result olock__decode_success(olock_arena *a, olock_op op, const olock_json *body,
                                          olock_response *out, olock_error *err) {
    const olock_json *j, *t;
    olock_result r = OLOCK_OK;
    switch (op) {
    case OLOCK_OP_GET_ITEM: return olock__resp_map(a, body, "Item", &out->item, err);
    case OLOCK_OP_PUT_ITEM: case OLOCK_OP_UPDATE_ITEM: case OLOCK_OP_DELETE_ITEM:
        return olock__resp_map(a, body, "Attributes", &out->item, err);
    case OLOCK_OP_QUERY: case OLOCK_OP_SCAN:
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
        return OLOCK_OK;           /* table operations: the caller reads out->json */
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
    if (!a || !out || (!body && len)) return olock__fail_at(err, OLOCK_ERR_INVALID_ARG, 0, "invalid argument");
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
        if (r != OLOCK_OK && r != OLOCK_ERR_NOMEM && http_status >= 500) { olock__error_clear(err); j = NULL; r = OLOCK_OK; }
        if (r != OLOCK_OK) return r;
        res.json = j;
        r = olock__decode_error(a, http_status, j, &res, err);
    }
    if (r != OLOCK_OK) return r;
    *out = res;
    return OLOCK_OK;
}

/* ---- client --------------------------------------------------------------------------------- */

struct olock_client {
    olock_allocator alloc;         /* copied from the config; everything below uses &alloc */
    olock_transport transport;
    char *url;                     /* endpoint URL */
    char *host;                    /* Host header value, from the URL */
    char *region;
    char *access_key_id;           /* owned copies of the credentials; secrets wiped on destroy */
    char *secret_access_key;
    char *session_token;
    olock_retry_policy retry;
    void *hook_user;
    uint64_t (*now_ms)(void *hook_user);
    void (*sleep_ms)(void *hook_user, uint64_t ms);
    uint64_t (*random_u64)(void *hook_user);
    /* Reused per request, so that a warmed-up client does not allocate. */
    olock_buf body;
    olock_http_response res;
    olock_arena arena;             /* decoded responses */
    char target[48];               /* X-Amz-Target value */
    olock_http_header headers[8];
    size_t header_count;
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
    c.max_response_bytes = OLOCK__DEFAULT_MAX_BYTES;
    return c;
}

static char *olock__strdup(const olock_allocator *a, const char *s) {
    size_t n;
    char *p;
    if (!s) return NULL;
    n = strlen(s);
    p = (char *)olock__alloc(a, n + 1);
    if (p) memcpy(p, s, n + 1);
    return p;
}

static void olock__strfree(const olock_allocator *a, char *s, int secret) {
    if (!s) return;
    if (secret) olock__wipe(s, strlen(s));
    olock__free(a, s, strlen(s) + 1);
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
}

/* The Host header is the authority part of the URL ("host[:port]"). */
static olock_result olock__client_set_url(olock_client *c, const char *url, olock_error *err) {
    const char *p, *end;
    size_t n;
    if (strncmp(url, "https://", 8) == 0) p = url + 8;
    else if (strncmp(url, "http://", 7) == 0) p = url + 7;
    else {
        olock__error_set(err, OLOCK_ERR_CONFIG, "endpoint URL must start with http:// or https://");
        return OLOCK_ERR_CONFIG;
    }
    end = p;
    while (*end && *end != '/' && *end != '?' && *end != '#') end++;
    n = (size_t)(end - p);
    if (n == 0) { olock__error_set(err, OLOCK_ERR_CONFIG, "endpoint URL has no host"); return OLOCK_ERR_CONFIG; }
    c->host = (char *)olock__alloc(&c->alloc, n + 1);
    if (!c->host) { olock__error_set(err, OLOCK_ERR_NOMEM, "out of memory"); return OLOCK_ERR_NOMEM; }
    memcpy(c->host, p, n);
    c->host[n] = 0;
    c->url = olock__strdup(&c->alloc, url);
    if (!c->url) { olock__error_set(err, OLOCK_ERR_NOMEM, "out of memory"); return OLOCK_ERR_NOMEM; }
    return OLOCK_OK;
}

OLOCK_API void olock_client_destroy(olock_client *c) {
    olock_allocator a;
    if (!c) return;
    a = c->alloc;
    if (c->transport.destroy) c->transport.destroy(c->transport.user);
    olock__strfree(&a, c->url, 0);
    olock__strfree(&a, c->host, 0);
    olock__strfree(&a, c->region, 0);
    olock__strfree(&a, c->access_key_id, 0);
    olock__strfree(&a, c->secret_access_key, 1);
    olock__strfree(&a, c->session_token, 1);
    olock_buf_free(&c->body);
    olock_http_response_free(&c->res);
    olock_arena_free(&c->arena);
    olock__free(&a, c, sizeof *c);
}

OLOCK_API olock_result olock_client_create(const olock_config *cfg, olock_client **out, olock_error *err) {
    olock_client *c;
    olock_result r;
    const char *url;
    olock__error_clear(err);
    if (!cfg || !out) {
        if (cfg && cfg->transport.destroy) cfg->transport.destroy(cfg->transport.user);
        return olock__fail_at(err, OLOCK_ERR_INVALID_ARG, 0, "invalid argument");
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
    c->hook_user = cfg->hook_user;
    c->now_ms = cfg->now_ms;
    c->sleep_ms = cfg->sleep_ms;
    c->random_u64 = cfg->random_u64;
    olock_buf_init(&c->body, &c->alloc);
    olock_http_response_init(&c->res, &c->alloc, cfg->max_response_bytes ? cfg->max_response_bytes : OLOCK__DEFAULT_MAX_BYTES);
    olock_arena_init(&c->arena, &c->alloc);
    if (!cfg->transport.send) { r = OLOCK_ERR_CONFIG; olock__error_set(err, r, "config has no transport"); goto fail; }
    url = cfg->endpoint ? cfg->endpoint : "http://localhost/";
    r = olock__client_set_url(c, url, err);
    if (r != OLOCK_OK) goto fail;
    if (cfg->region) {
        c->region = olock__strdup(&c->alloc, cfg->region);
        if (!c->region) { r = OLOCK_ERR_NOMEM; goto oom; }
    }
    if (cfg->credentials.access_key_id || cfg->credentials.secret_access_key) {
        if (!cfg->credentials.access_key_id || !cfg->credentials.secret_access_key) {
            r = OLOCK_ERR_CREDENTIALS;
            olock__error_set(err, r, "credentials need both an access key id and a secret access key");
            goto fail;
        }
        c->access_key_id = olock__strdup(&c->alloc, cfg->credentials.access_key_id);
        c->secret_access_key = olock__strdup(&c->alloc, cfg->credentials.secret_access_key);
        if (!c->access_key_id || !c->secret_access_key) { r = OLOCK_ERR_NOMEM; goto oom; }
        if (cfg->credentials.session_token) {
            c->session_token = olock__strdup(&c->alloc, cfg->credentials.session_token);
            if (!c->session_token) { r = OLOCK_ERR_NOMEM; goto oom; }
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

/* Builds the HTTP request for the body in c->body: the fixed headers, then the signature. */
static olock_result olock__client_build_request(olock_client *c, olock_op op, olock_http_request *req, olock_error *err) {
    size_t n = 0;
    static const char prefix[] = "DynamoDB_20120810.";
    const char *name = olock_op_name(op);
    size_t nl = strlen(name);
    memcpy(c->target, prefix, sizeof prefix - 1);
    memcpy(c->target + sizeof prefix - 1, name, nl + 1);
    c->headers[n].name = "Host"; c->headers[n++].value = c->host;
    c->headers[n].name = "Content-Type"; c->headers[n++].value = "application/x-amz-json-1.0";
    c->headers[n].name = "X-Amz-Target"; c->headers[n++].value = c->target;
    c->header_count = n;
    if (c->access_key_id) {
        olock__error_set(err, OLOCK_ERR_UNSUPPORTED, "request signing is not built in yet");
        return OLOCK_ERR_UNSUPPORTED;
    }
    req->method = "POST";
    req->url = c->url;
    req->headers = c->headers;
    req->header_count = c->header_count;
    req->body = c->body.data ? c->body.data : "";
    req->body_len = c->body.len;
    return OLOCK_OK;
}

/* Checks x-amz-crc32 when the server sent one. */
static olock_result olock__check_crc32(const olock_http_response *res, olock_error *err) {
    const char *h = olock_http_response_header(res, "x-amz-crc32");
    uint64_t want = 0;
    uint32_t got;
    if (!h) return OLOCK_OK;
    if (!*h) return olock__fail_at(err, OLOCK_ERR_RESPONSE, 0, "empty x-amz-crc32 header");
    for (; *h; h++) {
        if (!olock__is_digit(*h) || want > 0xFFFFFFFFu) return olock__fail_at(err, OLOCK_ERR_RESPONSE, 0, "malformed x-amz-crc32 header");
        want = want * 10 + (uint64_t)(*h - '0');
    }
    got = olock_crc32(0, res->body.data ? res->body.data : "", res->body.len);
    if (want != got) return olock__fail_at(err, OLOCK_ERR_CRC32, 0, "response body does not match x-amz-crc32");
    return OLOCK_OK;
}

/* Sends c->body and decodes the answer. */
static olock_result olock__client_roundtrip(olock_client *c, olock_op op, olock_response *out, olock_error *err) {
    olock_http_request req;
    olock_response res;
    olock_result r;
    r = olock__client_build_request(c, op, &req, err);
    if (r != OLOCK_OK) return r;
    olock_http_response_reset(&c->res);
    olock_arena_reset(&c->arena);
    if (err) err->attempts++;
    r = c->transport.send(c->transport.user, &req, &c->res);
    if (r != OLOCK_OK) {
        if (r == OLOCK_ERR_LIMIT) {
            olock__error_set(err, r, "response body exceeds max_response_bytes (%lu)", (unsigned long)c->res.body.max);
            return r;
        }
        if (r == OLOCK_ERR_NOMEM) { olock__error_set(err, r, "out of memory while receiving the response"); return r; }
        if (r != OLOCK_ERR_NOT_SENT) r = OLOCK_ERR_MAYBE_SENT;
        olock__error_set(err, r, "%s", olock_result_str(r));
        if (err) err->error_class = OLOCK_CLASS_TRANSIENT;
        return r;
    }
    if (err) err->http_status = c->res.status;
    r = olock__check_crc32(&c->res, err);
    if (r == OLOCK_ERR_CRC32 && err) err->error_class = OLOCK_CLASS_TRANSIENT;
    if (r == OLOCK_OK) {
        unsigned attempts = err ? err->attempts : 0;
        r = olock_response_decode(&c->arena, op, c->res.status, c->res.body.data, c->res.body.len, &res, err);
        if (err) err->attempts = attempts;
    }
    if (err) err->http_status = c->res.status;
    if (r != OLOCK_OK) return r;
    if (out) *out = res;
    if (res.error_class != OLOCK_CLASS_NONE) {
        r = olock_class_result(res.error_class);
        if (err) {
            err->code = r;
            err->error_class = res.error_class;
            olock__copy_str(err->aws_type, sizeof err->aws_type, res.error_type ? res.error_type : "", res.error_type ? strlen(res.error_type) : 0);
            if (res.error_message) olock__copy_str(err->message, sizeof err->message, res.error_message, strlen(res.error_message));
            else olock__error_set(err, r, "HTTP %d %s", res.http_status, res.error_type ? res.error_type : "");
        }
        return r;
    }
    return OLOCK_OK;
}

OLOCK_API olock_result olock_client_call(olock_client *c, olock_op op, const char *body, size_t len,
                                         olock_response *out, olock_error *err) {
    olock_result r;
    olock__error_clear(err);
    if (!c || (!body && len) || op <= 0 || op >= OLOCK_OP_COUNT_) return olock__fail_at(err, OLOCK_ERR_INVALID_ARG, 0, "invalid argument");
    olock_buf_clear(&c->body);
    r = olock_buf_append(&c->body, body ? body : "", len);
    if (r != OLOCK_OK) return olock__fail_at(err, r, 0, "out of memory");
    return olock__client_roundtrip(c, op, out, err);
}

static olock_result olock__client_item_op(olock_client *c, olock_op op, const olock_item_request *r,
                                          olock_response *out, olock_error *err) {
    olock_result rc;
    if (!c) { olock__error_clear(err); return olock__fail_at(err, OLOCK_ERR_INVALID_ARG, 0, "invalid argument"); }
    olock_buf_clear(&c->body);
    rc = olock_encode_item_request(op, r, &c->body, err);
    return rc != OLOCK_OK ? rc : olock__client_roundtrip(c, op, out, err);
}

OLOCK_API olock_result olock_get_item(olock_client *c, const olock_item_request *r, olock_response *out, olock_error *err) {
    return olock__client_item_op(c, OLOCK_OP_GET_ITEM, r, out, err);
}
OLOCK_API olock_result olock_put_item(olock_client *c, const olock_item_request *r, olock_response *out, olock_error *err) {
    return olock__client_item_op(c, OLOCK_OP_PUT_ITEM, r, out, err);
}
OLOCK_API olock_result olock_update_item(olock_client *c, const olock_item_request *r, olock_response *out, olock_error *err) {
    return olock__client_item_op(c, OLOCK_OP_UPDATE_ITEM, r, out, err);
}
OLOCK_API olock_result olock_delete_item(olock_client *c, const olock_item_request *r, olock_response *out, olock_error *err) {
    return olock__client_item_op(c, OLOCK_OP_DELETE_ITEM, r, out, err);
}

OLOCK_API olock_result olock_transact_write_items(olock_client *c, const olock_txn_action *actions, size_t count,
                                                  const char *client_request_token, olock_response *out, olock_error *err) {
    olock_result rc;
    if (!c) { olock__error_clear(err); return olock__fail_at(err, OLOCK_ERR_INVALID_ARG, 0, "invalid argument"); }
    olock_buf_clear(&c->body);
    rc = olock_encode_transact_write(actions, count, client_request_token, &c->body, err);
    return rc != OLOCK_OK ? rc : olock__client_roundtrip(c, OLOCK_OP_TRANSACT_WRITE_ITEMS, out, err);
}

OLOCK_API olock_result olock_query(olock_client *c, const olock_query_request *r, olock_response *out, olock_error *err) {
    olock_result rc;
    if (!c) { olock__error_clear(err); return olock__fail_at(err, OLOCK_ERR_INVALID_ARG, 0, "invalid argument"); }
    olock_buf_clear(&c->body);
    rc = olock_encode_query(OLOCK_OP_QUERY, r, &c->body, err);
    return rc != OLOCK_OK ? rc : olock__client_roundtrip(c, OLOCK_OP_QUERY, out, err);
}

OLOCK_API olock_result olock_create_table(olock_client *c, const olock_create_table_request *r, olock_response *out, olock_error *err) {
    olock_result rc;
    if (!c) { olock__error_clear(err); return olock__fail_at(err, OLOCK_ERR_INVALID_ARG, 0, "invalid argument"); }
    olock_buf_clear(&c->body);
    rc = olock_encode_create_table(r, &c->body, err);
    return rc != OLOCK_OK ? rc : olock__client_roundtrip(c, OLOCK_OP_CREATE_TABLE, out, err);
}

static olock_result olock__client_table_op(olock_client *c, olock_op op, const char *table, olock_response *out, olock_error *err) {
    olock_result rc;
    if (!c) { olock__error_clear(err); return olock__fail_at(err, OLOCK_ERR_INVALID_ARG, 0, "invalid argument"); }
    olock_buf_clear(&c->body);
    rc = olock_encode_table_op(op, table, &c->body, err);
    return rc != OLOCK_OK ? rc : olock__client_roundtrip(c, op, out, err);
}

OLOCK_API olock_result olock_delete_table(olock_client *c, const char *table, olock_response *out, olock_error *err) {
    return olock__client_table_op(c, OLOCK_OP_DELETE_TABLE, table, out, err);
}
OLOCK_API olock_result olock_describe_table(olock_client *c, const char *table, olock_response *out, olock_error *err) {
    return olock__client_table_op(c, OLOCK_OP_DESCRIBE_TABLE, table, out, err);
}

#endif /* OLOCK_IMPLEMENTATION */
