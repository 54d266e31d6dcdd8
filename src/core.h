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
