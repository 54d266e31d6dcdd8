/* =============================================================================================
   >>json (implementation)
   ========================================================================================== */

/* ---- request JSON: the parser --------------------------------------------------------------- */

/* A request body as olock_json nodes: the same nodes, accepting and refusing the same texts, as
   olock_json_parse with a depth limit of 256 (fuzz/fuzz_fake_json.c runs the two side by side),
   for less work. The body is copied into the request arena once and parsed in place: a string
   ends (NUL) where its closing quote was, its escapes undone in place (what an escape stands for
   is never longer than the escape); the nodes come from the arena a few dozen at a time.
   Numbers, rare in requests, are copied. */

#define OLOCK__FAKE_JP_MAX_BYTES ((size_t)16 * 1024 * 1024) /* olock_json_parse's default */
#define OLOCK__FAKE_JP_CHUNK 32                             /* nodes taken from the arena at once */

#define OLOCK__FAKE_JP_PAD 16 /* NUL bytes after the copy: a word read anywhere up to a byte past the end */

typedef struct olock__fake_jp {
    char *s; /* the copy, with OLOCK__FAKE_JP_PAD NUL bytes after it */
    size_t len, pos;
    olock_arena *a;
    olock_json *spare; /* nodes taken, not yet used */
    size_t nspare;
    unsigned max_depth;
    olock_result rc; /* the first failure; parsing stops on it */
} olock__fake_jp;

static olock_json *olock__fake_jp_fail(olock__fake_jp *p, olock_result rc) {
    if (p->rc == OLOCK_OK) p->rc = rc;
    return NULL;
}

static void olock__fake_jp_ws_slow(olock__fake_jp *p) {
    while (p->pos < p->len) {
        char c = p->s[p->pos];
        if (c != ' ' && c != '\t' && c != '\n' && c != '\r') break;
        p->pos++;
    }
}

/* Compact JSON (what SDKs send) has no white space: one test, no call, to leave (the copy
   ends in NUL bytes, so no bounds check either). */
#define olock__fake_jp_ws(p) ((unsigned char)(p)->s[(p)->pos] > ' ' ? (void)0 : olock__fake_jp_ws_slow(p))

static olock_json *olock__fake_jp_node(olock__fake_jp *p, olock_json_kind k, size_t at) {
    olock_json *n;
    if (!p->nspare) {
        if (!(p->spare = (olock_json *)olock_arena_alloc(p->a, OLOCK__FAKE_JP_CHUNK * sizeof(olock_json))))
            return olock__fake_jp_fail(p, OLOCK_ERR_NOMEM);
        p->nspare = OLOCK__FAKE_JP_CHUNK;
    }
    n = p->spare++;
    p->nspare--;
    n->kind = k;
    n->count = 0;
    n->str = NULL;
    n->len = 0;
    n->key = NULL;
    n->key_len = 0;
    n->first = NULL;
    n->next = NULL;
    n->offset = at;
    return n;
}

/* Length of the valid UTF-8 sequence at s (n bytes left), or 0: no overlong forms, no
   surrogates, nothing above U+10FFFF. */
static size_t olock__fake_utf8_seq(const unsigned char *s, size_t n) {
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

static int olock__fake_hex4(const char *s, unsigned *out) {
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

static size_t olock__fake_utf8_put(char *o, unsigned cp) {
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

/* Nonzero when any of the 8 bytes of w is '"', '\\', below 0x20 or at least 0x80 (exact as a
   yes/no answer in either byte order); where the first is, in bytes, in little-endian order
   with a count-trailing-zeros instruction, else 0 (the byte loop after it finds it). */
static uint64_t olock__fake_swar_special(uint64_t w) {
    const uint64_t ones = 0x0101010101010101u, high = 0x8080808080808080u;
    uint64_t q = w ^ (ones * 0x22u), bs = w ^ (ones * 0x5Cu);
    return (((q - ones) & ~q) | ((bs - ones) & ~bs) | (w - ones * 0x20u) | w) & high;
}
#if (defined(__GNUC__) || defined(__clang__)) && defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define OLOCK__FAKE_SWAR_FIRST(m) ((size_t)__builtin_ctzll(m) >> 3)
#else
#define OLOCK__FAKE_SWAR_FIRST(m) ((size_t)0)
#endif

/* Not inlined into its caller, whose fast path would then set up all that this needs. */
#if defined(__GNUC__) || defined(__clang__)
#define OLOCK__FAKE_NOINLINE __attribute__((noinline))
#else
#define OLOCK__FAKE_NOINLINE
#endif

/* The string whose opening quote is at pos, unescaped in place (any string; the common one
   takes olock__fake_jp_string below). */
static OLOCK__FAKE_NOINLINE int olock__fake_jp_string_any(olock__fake_jp *p, const char **out, size_t *out_len) {
    size_t start = p->pos + 1, i = start, end;
    unsigned char *s = (unsigned char *)p->s;
    char *o;
    int plain = 1;
    for (;;) {     /* the closing quote; escapes and UTF-8 are looked at below */
        for (;;) { /* the NUL padding stops this at the end */
            uint64_t w, m;
            memcpy(&w, s + i, 8);
            m = olock__fake_swar_special(w);
            if (m) {
                i += OLOCK__FAKE_SWAR_FIRST(m);
                break;
            }
            i += 8;
        }
        if (i >= p->len) { /* unterminated */
            olock__fake_jp_fail(p, OLOCK_ERR_PARSE);
            return 0;
        }
        if (s[i] == '"') break;
        if (s[i] == '\\') {
            plain = 0;
            i += 2;
            continue;
        }
        if (s[i] >= 0x80) plain = 0;
        else if (s[i] < 0x20) {
            olock__fake_jp_fail(p, OLOCK_ERR_PARSE);
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
                    if (i + 4 > end || !olock__fake_hex4(p->s + i, &cp)) {
                        olock__fake_jp_fail(p, OLOCK_ERR_PARSE);
                        return 0;
                    }
                    i += 4;
                    if (cp >= 0xDC00 && cp <= 0xDFFF) { /* a lone low surrogate */
                        olock__fake_jp_fail(p, OLOCK_ERR_PARSE);
                        return 0;
                    }
                    if (cp >= 0xD800 && cp <= 0xDBFF) {
                        if (i + 6 > end || s[i] != '\\' || s[i + 1] != 'u' || !olock__fake_hex4(p->s + i + 2, &lo) || lo < 0xDC00 ||
                            lo > 0xDFFF) {
                            olock__fake_jp_fail(p, OLOCK_ERR_PARSE);
                            return 0;
                        }
                        i += 6;
                        cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
                    }
                    /* 6 (or 12) bytes of escape, 1-4 of UTF-8: the output stays behind i */
                    o += olock__fake_utf8_put(o, cp);
                    break;
                }
                default: olock__fake_jp_fail(p, OLOCK_ERR_PARSE); return 0;
                }
            } else if (c < 0x80) {
                *o++ = (char)c;
                i++;
            } else {
                size_t n = olock__fake_utf8_seq(s + i, end - i), k;
                if (!n) {
                    olock__fake_jp_fail(p, OLOCK_ERR_PARSE);
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
static const unsigned char olock__fake_jp_stop[256] = {
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, /* 0x00 */
    0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, /* 0x20: '"' */
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, /* 0x40: '\\' */
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, /* 0x60 */
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, /* 0x80 */
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, /* 0xA0 */
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, /* 0xC0 */
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, /* 0xE0 */
};

/* The string whose opening quote is at pos: a plain one (most strings of a request) here, a
   byte at a time with nothing to set up (the NUL padding ends the loop); one with escapes or
   UTF-8 by olock__fake_jp_string_any. */
static int olock__fake_jp_string(olock__fake_jp *p, const char **out, size_t *out_len) {
    const unsigned char *s = (const unsigned char *)p->s;
    size_t start = p->pos + 1, i = start;
    while (!olock__fake_jp_stop[s[i]]) i++;
    if (s[i] != '"') return olock__fake_jp_string_any(p, out, out_len);
    p->s[i] = 0;
    *out = p->s + start;
    *out_len = i - start;
    p->pos = i + 1;
    return 1;
}

static int olock__fake_jp_digit(char c) { return c >= '0' && c <= '9'; }

static olock_json *olock__fake_jp_number(olock__fake_jp *p) {
    size_t at = p->pos, i = p->pos;
    olock_json *n;
    const char *s = p->s;
    if (i < p->len && s[i] == '-') i++;
    if (i >= p->len || !olock__fake_jp_digit(s[i])) return olock__fake_jp_fail(p, OLOCK_ERR_PARSE);
    if (s[i] == '0') {
        i++;
        if (i < p->len && olock__fake_jp_digit(s[i])) return olock__fake_jp_fail(p, OLOCK_ERR_PARSE); /* a leading zero */
    } else {
        while (i < p->len && olock__fake_jp_digit(s[i])) i++;
    }
    if (i < p->len && s[i] == '.') {
        i++;
        if (i >= p->len || !olock__fake_jp_digit(s[i])) return olock__fake_jp_fail(p, OLOCK_ERR_PARSE);
        while (i < p->len && olock__fake_jp_digit(s[i])) i++;
    }
    if (i < p->len && (s[i] == 'e' || s[i] == 'E')) {
        i++;
        if (i < p->len && (s[i] == '+' || s[i] == '-')) i++;
        if (i >= p->len || !olock__fake_jp_digit(s[i])) return olock__fake_jp_fail(p, OLOCK_ERR_PARSE);
        while (i < p->len && olock__fake_jp_digit(s[i])) i++;
    }
    if (!(n = olock__fake_jp_node(p, OLOCK_JSON_NUMBER, at))) return NULL;
    if (!(n->str = olock_arena_strdup(p->a, s + at, i - at))) return olock__fake_jp_fail(p, OLOCK_ERR_NOMEM);
    n->len = i - at;
    p->pos = i;
    return n;
}

static olock_json *olock__fake_jp_value(olock__fake_jp *p, unsigned depth);

static olock_json *olock__fake_jp_container(olock__fake_jp *p, unsigned depth, int is_object) {
    size_t at = p->pos;
    olock_json *n, *last = NULL;
    char close = is_object ? '}' : ']';
    if (depth >= p->max_depth) return olock__fake_jp_fail(p, OLOCK_ERR_LIMIT);
    if (!(n = olock__fake_jp_node(p, is_object ? OLOCK_JSON_OBJECT : OLOCK_JSON_ARRAY, at))) return NULL;
    p->pos++;
    olock__fake_jp_ws(p);
    if (p->pos < p->len && p->s[p->pos] == close) {
        p->pos++;
        return n;
    }
    for (;;) {
        olock_json *m;
        const char *key = NULL;
        size_t key_len = 0;
        if (is_object) {
            if (p->pos >= p->len || p->s[p->pos] != '"') return olock__fake_jp_fail(p, OLOCK_ERR_PARSE);
            if (!olock__fake_jp_string(p, &key, &key_len)) return NULL;
            olock__fake_jp_ws(p);
            if (p->pos >= p->len || p->s[p->pos] != ':') return olock__fake_jp_fail(p, OLOCK_ERR_PARSE);
            p->pos++;
            olock__fake_jp_ws(p);
        }
        if (!(m = olock__fake_jp_value(p, depth + 1))) return NULL;
        m->key = key;
        m->key_len = key_len;
        if (last) last->next = m;
        else n->first = m;
        last = m;
        if (n->count == UINT32_MAX) return olock__fake_jp_fail(p, OLOCK_ERR_LIMIT);
        n->count++;
        olock__fake_jp_ws(p);
        if (p->pos >= p->len) return olock__fake_jp_fail(p, OLOCK_ERR_PARSE);
        if (p->s[p->pos] == ',') {
            p->pos++;
            olock__fake_jp_ws(p);
            continue;
        }
        if (p->s[p->pos] == close) {
            p->pos++;
            return n;
        }
        return olock__fake_jp_fail(p, OLOCK_ERR_PARSE);
    }
}

static olock_json *olock__fake_jp_literal(olock__fake_jp *p, const char *word, size_t n, olock_json_kind k) {
    if (p->len - p->pos < n || memcmp(p->s + p->pos, word, n) != 0) return olock__fake_jp_fail(p, OLOCK_ERR_PARSE);
    p->pos += n;
    return olock__fake_jp_node(p, k, p->pos - n);
}

static olock_json *olock__fake_jp_value(olock__fake_jp *p, unsigned depth) {
    olock_json *n;
    if (p->pos >= p->len) return olock__fake_jp_fail(p, OLOCK_ERR_PARSE);
    switch (p->s[p->pos]) {
    case '{': return olock__fake_jp_container(p, depth, 1);
    case '[': return olock__fake_jp_container(p, depth, 0);
    case '"':
        if (!(n = olock__fake_jp_node(p, OLOCK_JSON_STRING, p->pos)) || !olock__fake_jp_string(p, &n->str, &n->len)) return NULL;
        return n;
    case 't': return olock__fake_jp_literal(p, "true", 4, OLOCK_JSON_TRUE);
    case 'f': return olock__fake_jp_literal(p, "false", 5, OLOCK_JSON_FALSE);
    case 'n': return olock__fake_jp_literal(p, "null", 4, OLOCK_JSON_NULL);
    default:
        if (p->s[p->pos] == '-' || olock__fake_jp_digit(p->s[p->pos])) return olock__fake_jp_number(p);
        return olock__fake_jp_fail(p, OLOCK_ERR_PARSE);
    }
}

/* Parses text (len bytes) into nodes in arena a, nested at most max_depth deep: OLOCK_OK,
   OLOCK_ERR_PARSE or OLOCK_ERR_LIMIT where olock_json_parse fails, or OLOCK_ERR_NOMEM. */
static olock_result olock__fake_json_parse(olock_arena *a, const char *text, size_t len, unsigned max_depth, olock_json **out) {
    olock__fake_jp p;
    olock_json *root;
    if (len > OLOCK__FAKE_JP_MAX_BYTES) return OLOCK_ERR_LIMIT;
    memset(&p, 0, sizeof(p));
    if (!(p.s = (char *)olock_arena_alloc(a, len + OLOCK__FAKE_JP_PAD))) return OLOCK_ERR_NOMEM;
    if (len) memcpy(p.s, text, len);
    memset(p.s + len, 0, OLOCK__FAKE_JP_PAD);
    p.len = len;
    p.a = a;
    p.max_depth = max_depth;
    p.rc = OLOCK_OK;
    olock__fake_jp_ws(&p);
    if (!(root = olock__fake_jp_value(&p, 0))) return p.rc;
    olock__fake_jp_ws(&p);
    if (p.pos != p.len) return OLOCK_ERR_PARSE;
    *out = root;
    return OLOCK_OK;
}
