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
