/* =============================================================================================
   >>json (implementation)
   ========================================================================================== */

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
        m = olock__jp_value(p, depth + 1);
        if (!m) return NULL;
        if (is_object) { m->key = key; m->key_len = key_len; }
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
    if (!a) return olock__null_arg(err, "olock_json_parse", "a");
    if (!out) return olock__null_arg(err, "olock_json_parse", "out");
    if (!text && len) return olock__invalid_arg(err, "olock_json_parse: text is NULL and len is %lu", (unsigned long)len);
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

/* 1 for bytes that a JSON string can hold as they are (printable ASCII but '"' and '\\');
   UTF-8 sequences are validated separately. */
static int olock__json_plain(unsigned c) { return c >= 0x20 && c < 0x80 && c != '"' && c != '\\'; }

OLOCK_API olock_result olock_json_write_string(olock_buf *b, const char *s, size_t len) {
    static const char hex[] = "0123456789abcdef";
    size_t i, run;
    olock_result r;
    const unsigned char *u = (const unsigned char *)s;
    char *o, *start;
    /* Worst case every byte becomes \u00XX. Writing through a local pointer (not b->data[b->len])
       lets the compiler keep it in a register, and runs of plain bytes go by memcpy. */
    if (len > ((size_t)-1 - 2) / 6) return OLOCK_ERR_LIMIT;
    r = olock_buf_reserve(b, len * 6 + 2);
    if (r != OLOCK_OK) return r;
    start = o = b->data + b->len;
    *o++ = '"';
    for (i = 0; i < len;) {
        unsigned c = u[i];
        for (run = i; run < len && olock__json_plain(u[run]); run++) { }
        if (run > i) { memcpy(o, s + i, run - i); o += run - i; i = run; continue; }
        if (c >= 0x80) {
            size_t n = olock__utf8_seq(u + i, len - i);
            if (!n) { *start = 0; return OLOCK_ERR_INVALID_ARG; }   /* b->len untouched: nothing written */
            memcpy(o, s + i, n);
            o += n;
            i += n;
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
            *o++ = 'u'; *o++ = '0'; *o++ = '0';
            *o++ = hex[c >> 4];
            *o++ = hex[c & 15];
        }
        i++;
    }
    *o++ = '"';
    *o = 0;
    b->len += (size_t)(o - start);
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
static int olock__spans_have_duplicate(olock__span *sp, size_t n) {
    size_t i, j;
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
    if (sp && olock__spans_have_duplicate(sp, i))
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

