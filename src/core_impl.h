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
