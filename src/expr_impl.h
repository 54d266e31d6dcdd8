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
