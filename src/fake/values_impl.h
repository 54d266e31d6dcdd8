/* =============================================================================================
   >>values (implementation)
   ========================================================================================== */

/* ---- numbers: DynamoDB's syntax, 38 digits, 1E-130 .. 9.99E+125 ----------------------------- */

/* Results of olock__fake_num_parse / olock__fake_num_check. */
#define OLOCK__FAKE_NUM_OK 0
#define OLOCK__FAKE_NUM_SYNTAX 1
#define OLOCK__FAKE_NUM_PRECISION 2
#define OLOCK__FAKE_NUM_OVERFLOW 3
#define OLOCK__FAKE_NUM_UNDERFLOW 4

static int olock__fake_num_check(const olock_decimal *d) {
    if (d->ndigits == 0) return OLOCK__FAKE_NUM_OK;
    if (d->ndigits > OLOCK_NUMBER_DIGITS) return OLOCK__FAKE_NUM_PRECISION;
    if (d->exp10 > OLOCK_NUMBER_MAX_EXP + 1) return OLOCK__FAKE_NUM_OVERFLOW;
    if (d->exp10 < OLOCK_NUMBER_MIN_EXP + 1) return OLOCK__FAKE_NUM_UNDERFLOW;
    return OLOCK__FAKE_NUM_OK;
}

/* Java BigDecimal syntax (what DynamoDB Local accepts: "1.", ".5", "+5", "1E+2"), into
   0.d1d2..dn * 10^exp10. More than 38 significant digits is reported, not stored. */
static int olock__fake_num_parse_scale(const char *s, size_t len, olock_decimal *d, int *scale_out);
static int olock__fake_num_parse(const char *s, size_t len, olock_decimal *d) {
    int scale;
    return olock__fake_num_parse_scale(s, len, d, &scale);
}

static int olock__fake_num_parse_scale(const char *s, size_t len, olock_decimal *d, int *scale_out) {
    size_t i = 0, int_digits = 0, all_digits = 0, lead = 0, j, first = 0, last = 0;
    int neg = 0, seen_nonzero = 0;
    long long e = 0, exp;
    size_t ndig;
    memset(d, 0, sizeof(*d));
    if (i < len && (s[i] == '+' || s[i] == '-')) {
        neg = s[i] == '-';
        i++;
    }
    /* digits [. digits] */
    for (j = i; j < len && s[j] >= '0' && s[j] <= '9'; j++) {
        if (s[j] != '0' && !seen_nonzero) {
            seen_nonzero = 1;
            first = all_digits;
        }
        if (s[j] != '0') last = all_digits;
        all_digits++;
    }
    int_digits = all_digits;
    *scale_out = 0;
    if (j < len && s[j] == '.') {
        j++;
        for (; j < len && s[j] >= '0' && s[j] <= '9'; j++) {
            if (s[j] != '0' && !seen_nonzero) {
                seen_nonzero = 1;
                first = all_digits;
            }
            if (s[j] != '0') last = all_digits;
            all_digits++;
        }
    }
    if (all_digits == 0) return OLOCK__FAKE_NUM_SYNTAX;
    if (j < len && (s[j] == 'e' || s[j] == 'E')) {
        int eneg = 0;
        size_t k = j + 1;
        if (k < len && (s[k] == '+' || s[k] == '-')) {
            eneg = s[k] == '-';
            k++;
        }
        if (k == len) return OLOCK__FAKE_NUM_SYNTAX;
        for (; k < len; k++) {
            if (s[k] < '0' || s[k] > '9') return OLOCK__FAKE_NUM_SYNTAX;
            e = e * 10 + (s[k] - '0');
            if (e > 2147483647LL) return OLOCK__FAKE_NUM_SYNTAX; /* BigDecimal's int scale */
        }
        if (eneg) e = -e;
        j = len;
    }
    if (j != len) return OLOCK__FAKE_NUM_SYNTAX;
    {
        long long sc = (long long)(all_digits - int_digits) - e;
        *scale_out = sc > 200 ? 200 : (sc < 0 ? 0 : (int)sc);
    }
    if (!seen_nonzero) return OLOCK__FAKE_NUM_OK; /* zero, whatever its exponent */
    lead = first;
    ndig = last - first + 1;
    exp = (long long)int_digits - (long long)lead + e;
    if (ndig > OLOCK_NUMBER_DIGITS) {
        d->ndigits = (int)OLOCK_NUMBER_DIGITS + 1;
        return OLOCK__FAKE_NUM_PRECISION;
    }
    d->negative = neg;
    d->ndigits = (int)ndig;
    if (exp > 100000) exp = 100000;
    if (exp < -100000) exp = -100000;
    d->exp10 = (int)exp;
    { /* copy the significant digits, skipping the decimal point */
        size_t pos = 0, n = 0;
        for (j = i; j < len && n < ndig; j++) {
            if (s[j] == '.') continue;
            if (s[j] < '0' || s[j] > '9') break;
            if (pos >= first) d->digits[n++] = (unsigned char)(s[j] - '0');
            pos++;
        }
    }
    return olock__fake_num_check(d);
}

/* Plain decimal text (no exponent), as DynamoDB Local returns numbers. */
static size_t olock__fake_num_format(const olock_decimal *d, char *out) {
    size_t n = 0;
    int i;
    if (d->ndigits == 0) {
        out[0] = '0';
        out[1] = 0;
        return 1;
    }
    if (d->negative) out[n++] = '-';
    if (d->exp10 <= 0) {
        out[n++] = '0';
        out[n++] = '.';
        for (i = 0; i < -d->exp10; i++) out[n++] = '0';
        for (i = 0; i < d->ndigits; i++) out[n++] = (char)('0' + d->digits[i]);
    } else if (d->exp10 >= d->ndigits) {
        for (i = 0; i < d->ndigits; i++) out[n++] = (char)('0' + d->digits[i]);
        for (i = d->ndigits; i < d->exp10; i++) out[n++] = '0';
    } else {
        for (i = 0; i < d->ndigits; i++) {
            if (i == d->exp10) out[n++] = '.';
            out[n++] = (char)('0' + d->digits[i]);
        }
    }
    out[n] = 0;
    return n;
}

/* The BigDecimal scale of valid number text: digits after the point minus the exponent
   ("1.50" 2, "1e2" -2), clamped to what a DynamoDB number can need. */
static int olock__fake_text_scale(const char *s, size_t len) {
    size_t i = 0;
    long frac = 0, e = 0;
    int in_frac = 0, eneg = 0;
    for (; i < len && s[i] != 'e' && s[i] != 'E'; i++) {
        if (s[i] == '.') in_frac = 1;
        else if (in_frac && s[i] >= '0' && s[i] <= '9') frac++;
    }
    if (i < len) {
        i++;
        if (i < len && (s[i] == '+' || s[i] == '-')) eneg = s[i++] == '-';
        for (; i < len && e < 100000; i++) e = e * 10 + (s[i] - '0');
    }
    frac -= eneg ? -e : e;
    return frac > 200 ? 200 : (frac < -200 ? -200 : (int)frac);
}

/* BigDecimal.toString() of valid number text: the unscaled digits (trailing zeros kept)
   with the scale, in scientific notation when the scale is negative or the adjusted
   exponent is below -6. DynamoDB Local writes NS members of ExpressionAttributeValues so. */
static size_t olock__fake_java_string(const char *s, size_t len, char *out, size_t cap) {
    char digits[OLOCK_NUMBER_TEXT_MAX + 8];
    size_t nd = 0, i, n = 0;
    int neg = 0, scale = olock__fake_text_scale(s, len);
    long adjusted;
    for (i = 0; i < len && s[i] != 'e' && s[i] != 'E'; i++) {
        if (s[i] == '-') neg = 1;
        if (s[i] < '0' || s[i] > '9') continue;
        if (nd == 0 && s[i] == '0') continue; /* leading zeros */
        if (nd < sizeof(digits)) digits[nd++] = s[i];
    }
    if (nd == 0) {
        digits[nd++] = '0';
        neg = 0;
    }
    adjusted = -(long)scale + (long)nd - 1;
    if (neg && n < cap) out[n++] = '-';
    if (scale >= 0 && adjusted >= -6) {
        if (scale == 0) {
            for (i = 0; i < nd && n < cap; i++) out[n++] = digits[i];
        } else if ((long)nd > scale) {
            for (i = 0; i < nd && n < cap; i++) {
                if ((long)i == (long)nd - scale && n < cap) out[n++] = '.';
                if (n < cap) out[n++] = digits[i];
            }
        } else {
            if (n + 2 < cap) {
                out[n++] = '0';
                out[n++] = '.';
            }
            for (i = 0; (long)i < scale - (long)nd && n < cap; i++) out[n++] = '0';
            for (i = 0; i < nd && n < cap; i++) out[n++] = digits[i];
        }
    } else {
        char ex[24];
        int m;
        if (n < cap) out[n++] = digits[0];
        if (nd > 1 && n < cap) out[n++] = '.';
        for (i = 1; i < nd && n < cap; i++) out[n++] = digits[i];
        if (adjusted != 0) {
            m = snprintf(ex, sizeof(ex), "E%s%ld", adjusted > 0 ? "+" : "", adjusted);
            for (i = 0; i < (size_t)m && n < cap; i++) out[n++] = ex[i];
        }
    }
    if (n < cap) out[n] = 0;
    return n;
}

/* Plain text with at least `scale` digits after the point. DynamoDB Local keeps the scale
   of ExpressionAttributeValues numbers and of arithmetic results (1.50 + 1.50 = 3.00, and
   5 - 5.0 = 0.0); only numbers sent in an Item or Key are stripped of trailing zeros. */
static size_t olock__fake_num_format_scaled(const olock_decimal *d, int scale, char *out) {
    size_t n = olock__fake_num_format(d, out);
    int have = olock__fake_text_scale(out, n);
    if (scale > 200) scale = 200; /* olock__fake_text_scale's bound; `out` holds 352 bytes */
    if (have < scale) {
        if (have == 0) out[n++] = '.';
        while (have++ < scale) out[n++] = '0';
        out[n] = 0;
    }
    return n;
}

static int olock__fake_num_cmp(const olock_decimal *a, const olock_decimal *b) {
    int sa = a->ndigits == 0 ? 0 : (a->negative ? -1 : 1);
    int sb = b->ndigits == 0 ? 0 : (b->negative ? -1 : 1);
    int i, mag = 0;
    if (sa != sb) return sa < sb ? -1 : 1;
    if (sa == 0) return 0;
    if (a->exp10 != b->exp10) mag = a->exp10 < b->exp10 ? -1 : 1;
    else {
        for (i = 0; i < a->ndigits || i < b->ndigits; i++) {
            int da = i < a->ndigits ? a->digits[i] : 0;
            int db = i < b->ndigits ? b->digits[i] : 0;
            if (da != db) {
                mag = da < db ? -1 : 1;
                break;
            }
        }
    }
    return sa < 0 ? -mag : mag;
}

/* Exact a + b (or a - b); the result is reported through olock__fake_num_check rather than
   rounded, because DynamoDB rejects a result it cannot store. Digit positions are weights
   10^p for p in [lo, hi): both operands are in DynamoDB's range, so the span is ~300. */
#define OLOCK__FAKE_SPAN 340
static int olock__fake_num_addsub(const olock_decimal *a, const olock_decimal *b, int subtract, olock_decimal *out) {
    unsigned char x[OLOCK__FAKE_SPAN], y[OLOCK__FAKE_SPAN], r[OLOCK__FAKE_SPAN];
    int lo, hi, i, width, bneg = b->negative ^ (subtract ? 1 : 0), swap = 0, carry, neg;
    int top, bot;
    memset(out, 0, sizeof(*out));
    if (a->ndigits == 0 && b->ndigits == 0) return OLOCK__FAKE_NUM_OK;
    if (b->ndigits == 0) {
        *out = *a;
        return olock__fake_num_check(out);
    }
    if (a->ndigits == 0) {
        *out = *b;
        out->negative = bneg;
        return olock__fake_num_check(out);
    }
    lo = a->exp10 - a->ndigits < b->exp10 - b->ndigits ? a->exp10 - a->ndigits : b->exp10 - b->ndigits;
    hi = (a->exp10 > b->exp10 ? a->exp10 : b->exp10) + 1;
    width = hi - lo;
    if (width > OLOCK__FAKE_SPAN || width <= 0) return OLOCK__FAKE_NUM_PRECISION;
    memset(x, 0, (size_t)width);
    memset(y, 0, (size_t)width);
    memset(r, 0, (size_t)width);
    /* index k holds weight 10^(lo + k) */
    for (i = 0; i < a->ndigits; i++) x[a->exp10 - 1 - i - lo] = a->digits[i];
    for (i = 0; i < b->ndigits; i++) y[b->exp10 - 1 - i - lo] = b->digits[i];
    if (a->negative == bneg) {
        carry = 0;
        for (i = 0; i < width; i++) {
            int s = x[i] + y[i] + carry;
            r[i] = (unsigned char)(s % 10);
            carry = s / 10;
        }
        neg = a->negative;
    } else {
        int borrow = 0;
        for (i = width - 1; i >= 0; i--)
            if (x[i] != y[i]) {
                swap = x[i] < y[i];
                break;
            }
        if (i < 0) return OLOCK__FAKE_NUM_OK; /* exact zero */
        for (i = 0; i < width; i++) {
            int s = swap ? (int)y[i] - x[i] - borrow : (int)x[i] - y[i] - borrow;
            borrow = s < 0;
            if (s < 0) s += 10;
            r[i] = (unsigned char)s;
        }
        neg = swap ? bneg : a->negative;
    }
    for (top = width - 1; top >= 0 && r[top] == 0; top--) {}
    if (top < 0) return OLOCK__FAKE_NUM_OK;
    for (bot = 0; r[bot] == 0; bot++) {}
    if (top - bot + 1 > OLOCK_NUMBER_DIGITS) return OLOCK__FAKE_NUM_PRECISION;
    out->negative = neg;
    out->ndigits = top - bot + 1;
    out->exp10 = lo + top + 1;
    for (i = 0; i < out->ndigits; i++) out->digits[i] = r[top - i];
    return olock__fake_num_check(out);
}

/* DynamoDB Local's message for a number it cannot store. */
static int olock__fake_num_error(olock__fake_ctx *c, int code) {
    switch (code) {
    case OLOCK__FAKE_NUM_PRECISION: return olock__fake_verror(c, "DynamoDB only supports precision up to 38 digits");
    case OLOCK__FAKE_NUM_OVERFLOW:
        return olock__fake_verror(c, "Number overflow. Attempting to store a number with magnitude larger than supported range");
    case OLOCK__FAKE_NUM_UNDERFLOW:
        return olock__fake_verror(c, "Number underflow. Attempting to store a number with magnitude smaller than supported range");
    default: return olock__fake_verror(c, "A value provided cannot be converted into a number");
    }
}

/* A stored number's value (stored text is canonical, so this never fails for it). */
static void olock__fake_num_of(const olock_value *v, olock_decimal *d) {
    if (olock__fake_num_parse(v->str, v->len, d) != OLOCK__FAKE_NUM_OK) memset(d, 0, sizeof(*d));
}

/* ---- attribute values: DynamoDB JSON in, with DynamoDB Local's checks and messages ---------- */

static olock_value *olock__fake_newval(olock_arena *a, olock_type t) {
    olock_value *v = (olock_value *)olock_arena_alloc(a, sizeof(olock_value));
    if (!v) return NULL;
    memset(v, 0, sizeof(*v));
    v->type = t;
    return v;
}

static void olock__fake_append(olock_value *parent, olock_value *v) {
    v->next = NULL;
    if (parent->last) parent->last->next = v;
    else parent->first = v;
    parent->last = v;
    parent->count++;
}

static int olock__fake_is_set(olock_type t) {
    return t == OLOCK_TYPE_SS || t == OLOCK_TYPE_NS || t == OLOCK_TYPE_BS;
}

static olock_type olock__fake_member_type(olock_type set) {
    return set == OLOCK_TYPE_SS ? OLOCK_TYPE_S : set == OLOCK_TYPE_NS ? OLOCK_TYPE_N
                                                                      : OLOCK_TYPE_B;
}

/* Byte order for S; Java's signed byte order for B, which is how DynamoDB Local sorts a BS. */
static int olock__fake_bytes_cmp(const char *a, size_t alen, const char *b, size_t blen, int is_signed) {
    size_t n = alen < blen ? alen : blen, i;
    for (i = 0; i < n; i++) {
        int x = is_signed ? (int)(signed char)a[i] : (int)(unsigned char)a[i];
        int y = is_signed ? (int)(signed char)b[i] : (int)(unsigned char)b[i];
        if (x != y) return x < y ? -1 : 1;
    }
    return alen == blen ? 0 : (alen < blen ? -1 : 1);
}

/* Order of two scalar values of one type (S, N, B): DynamoDB's comparison order. */
static int olock__fake_scalar_cmp(const olock_value *a, const olock_value *b) {
    if (a->type == OLOCK_TYPE_N) {
        olock_decimal x, y;
        olock__fake_num_of(a, &x);
        olock__fake_num_of(b, &y);
        return olock__fake_num_cmp(&x, &y);
    }
    return olock__fake_bytes_cmp(a->str, a->len, b->str, b->len, 0);
}

/* Set members are kept sorted (DynamoDB Local returns them so): S by bytes, N by value,
   B by signed bytes. A bottom-up merge sort on an array of pointers. */
static int olock__fake_member_cmp(olock_type set, const olock_value *a, const olock_value *b) {
    if (set == OLOCK_TYPE_BS) return olock__fake_bytes_cmp(a->str, a->len, b->str, b->len, 1);
    return olock__fake_scalar_cmp(a, b);
}

/* A BS that ADD built comes back in unsigned byte order (DynamoDB Local sorts it again
   another way); everything else in member order. */
static int olock__fake_member_cmp2(olock_type set, const olock_value *a, const olock_value *b, int unsigned_bs) {
    if (set == OLOCK_TYPE_BS && unsigned_bs) return olock__fake_bytes_cmp(a->str, a->len, b->str, b->len, 0);
    return olock__fake_member_cmp(set, a, b);
}

static int olock__fake_sort_set(olock_arena *a, olock_value *set, int unsigned_bs) {
    size_t n = set->count, i, width;
    olock_value **arr, **tmp, *v;
    if (n < 2) return 0;
    arr = (olock_value **)olock_arena_alloc(a, 2 * n * sizeof(*arr));
    if (!arr) return -1;
    tmp = arr + n;
    for (i = 0, v = set->first; v; v = v->next) arr[i++] = v;
    for (width = 1; width < n; width *= 2) {
        size_t lo;
        for (lo = 0; lo < n; lo += 2 * width) {
            size_t mid = lo + width < n ? lo + width : n, hi = lo + 2 * width < n ? lo + 2 * width : n;
            size_t p = lo, q = mid, k = lo;
            while (p < mid && q < hi)
                tmp[k++] = olock__fake_member_cmp2(set->type, arr[q], arr[p], unsigned_bs) < 0 ? arr[q++] : arr[p++];
            while (p < mid) tmp[k++] = arr[p++];
            while (q < hi) tmp[k++] = arr[q++];
        }
        for (i = 0; i < n; i++) arr[i] = tmp[i];
    }
    set->first = arr[0];
    for (i = 0; i + 1 < n; i++) arr[i]->next = arr[i + 1];
    arr[n - 1]->next = NULL;
    set->last = arr[n - 1];
    return 0;
}

/* 1 when a sorted set has two equal members. */
static int olock__fake_set_has_dup(const olock_value *set) {
    const olock_value *v;
    for (v = set->first; v && v->next; v = v->next)
        if (olock__fake_member_cmp(set->type, v, v->next) == 0) return 1;
    return 0;
}

/* Short plain integers ("120", "-7", "0": no sign but '-', no leading zero, at most 18
   digits) are most numbers: canonical as sent, and their sums fit an int64, so they skip the
   decimal parse. 1 and the value in *out for such text. */
static int olock__fake_small_int(const char *s, size_t len, int64_t *out) {
    size_t i = len > 0 && s[0] == '-';
    int64_t v = 0;
    if (i >= len || len - i > 18 || (s[i] == '0' && len != 1)) return 0;
    for (; i < len; i++) {
        if (s[i] < '0' || s[i] > '9') return 0;
        v = v * 10 + (s[i] - '0');
    }
    *out = s[0] == '-' ? -v : v;
    return 1;
}

static size_t olock__fake_u64_text(uint64_t v, char *buf);

/* The number value of an int64 (what olock__fake_new_num writes for it). */
static olock_value *olock__fake_new_int(olock__fake_ctx *c, int64_t x) {
    char buf[24];
    size_t n = 0;
    olock_value *v = olock__fake_newval(c->a, OLOCK_TYPE_N);
    if (!v) {
        c->oom = 1;
        return NULL;
    }
    if (x < 0) buf[n++] = '-';
    n += olock__fake_u64_text(x < 0 ? (uint64_t)0 - (uint64_t)x : (uint64_t)x, buf + n);
    v->str = olock__fake_strdup(c, buf, n);
    v->len = n;
    return v->str ? v : NULL;
}

/* A number value from text, stored in canonical form. */
static olock_value *olock__fake_new_num_scaled(olock__fake_ctx *c, const olock_decimal *d, int scale) {
    char buf[OLOCK_NUMBER_TEXT_MAX * 2 + 8];
    size_t n = olock__fake_num_format_scaled(d, scale, buf);
    olock_value *v = olock__fake_newval(c->a, OLOCK_TYPE_N);
    if (!v) {
        c->oom = 1;
        return NULL;
    }
    v->str = olock__fake_strdup(c, buf, n);
    v->len = n;
    return v->str ? v : NULL;
}

static olock_value *olock__fake_new_num(olock__fake_ctx *c, const olock_decimal *d) {
    return olock__fake_new_num_scaled(c, d, 0);
}

/* A number from request text. A top-level attribute of an Item or Key is stored stripped
   ("12.50" is "12.5"); a number inside an M or L, and any in ExpressionAttributeValues or
   AttributeUpdates, DynamoDB Local keeps as sent, except inside an NS, whose members it
   rewrites as Java's BigDecimal prints them (`set_member`). */
static int olock__fake_parse_num(olock__fake_ctx *c, const char *s, size_t len, olock_value **out, int set_member) {
    olock_decimal d;
    int scale = 0, rc;
    int64_t x;
    if (!set_member && olock__fake_small_int(s, len, &x)) {
        /* its text is its canonical form, and lives as long as the request (as a string's) */
        olock_value *v = olock__fake_newval(c->a, OLOCK_TYPE_N);
        if (!v) return olock__fake_oom(c);
        v->str = s;
        v->len = len;
        *out = v;
        return 0;
    }
    rc = olock__fake_num_parse_scale(s, len, &d, &scale);
    if (rc != OLOCK__FAKE_NUM_OK) return olock__fake_num_error(c, rc);
    if (c->keep_scale) {
        char buf[OLOCK_NUMBER_TEXT_MAX * 2 + 16];
        olock_value *v = olock__fake_newval(c->a, OLOCK_TYPE_N);
        if (!v) return olock__fake_oom(c);
        if (set_member) {
            size_t n = olock__fake_java_string(s, len, buf, sizeof(buf) - 1);
            v->str = olock__fake_strdup(c, buf, n);
            v->len = n;
        } else {
            v->str = olock__fake_strdup(c, s, len);
            v->len = len;
        }
        *out = v->str ? v : NULL;
        return *out ? 0 : -1;
    }
    *out = olock__fake_new_num_scaled(c, &d, 0);
    return *out ? 0 : -1;
}

static int olock__fake_av(olock__fake_ctx *c, const olock_json *j, olock_value **out, int depth);

/* The members of an M (or of an Item / Key / Attributes object). */
static int olock__fake_av_map(olock__fake_ctx *c, const olock_json *obj, olock_value **out, int depth) {
    const olock_json *m;
    olock_value *map, *v;
    if (obj->kind != OLOCK_JSON_OBJECT) return olock__fake_shape(c);
    if (!(map = olock__fake_newval(c->a, OLOCK_TYPE_M))) return olock__fake_oom(c);
    for (m = obj->first; m; m = m->next) {
        olock_value *prev, *it;
        if (m->key_len > OLOCK__FAKE_MAX_JSON_NAME) return olock__fake_shape(c);
        if (m->key_len == 0) return olock__fake_verror(c, "Empty attribute name");
        if (m->kind == OLOCK_JSON_NULL)
            return olock__fake_verror(c, "The supplied Item contains a null AttributeValue: %.*s is null",
                                      (int)m->key_len, m->key);
        if (olock__fake_av(c, m, &v, depth + 1) < 0) return -1;
        v->key = m->key;
        v->key_len = m->key_len;
        /* a repeated name replaces the earlier member (the JSON mapper keeps the last) */
        for (prev = NULL, it = map->first; it; prev = it, it = it->next) {
            if (it->key_len == m->key_len && memcmp(it->key, m->key, m->key_len) == 0) {
                if (prev) prev->next = it->next;
                else map->first = it->next;
                if (map->last == it) map->last = prev;
                map->count--;
                break;
            }
        }
        olock__fake_append(map, v);
    }
    *out = map;
    return 0;
}

static int olock__fake_av_set(olock__fake_ctx *c, olock_type t, const olock_json *arr, olock_value **out) {
    const olock_json *m;
    olock_value *set;
    if (arr->kind != OLOCK_JSON_ARRAY) return olock__fake_shape(c);
    if (!(set = olock__fake_newval(c->a, t))) return olock__fake_oom(c);
    for (m = arr->first; m; m = m->next) {
        const char *s;
        size_t len;
        olock_value *v;
        if (m->kind == OLOCK_JSON_NULL) {
            if (t == OLOCK_TYPE_SS)
                return olock__fake_verror(c, "One or more parameter values were invalid: An string set may not have a null string as a member");
            if (t == OLOCK_TYPE_NS) return olock__fake_num_error(c, OLOCK__FAKE_NUM_SYNTAX);
            return olock__fake_verror(c, "One or more parameter values were invalid: Binary sets may not contain null elements");
        }
        if (!olock__fake_scalar_text(m, &s, &len)) return olock__fake_shape(c);
        if (t == OLOCK_TYPE_NS) {
            if (olock__fake_parse_num(c, s, len, &v, 1) < 0) return -1;
        } else if (t == OLOCK_TYPE_SS) {
            if (!(v = olock__fake_newval(c->a, OLOCK_TYPE_S))) return olock__fake_oom(c);
            v->str = s;
            v->len = len;
        } else {
            unsigned char *bytes;
            size_t blen = 0;
            if (!(v = olock__fake_newval(c->a, OLOCK_TYPE_B))) return olock__fake_oom(c);
            if (!(bytes = (unsigned char *)olock__fake_alloc(c, len / 4 * 3 + 4))) return -1;
            if (olock_base64_decode(s, len, bytes, &blen) != OLOCK_OK) return olock__fake_shape(c);
            bytes[blen] = 0;
            v->str = (const char *)bytes;
            v->len = blen;
        }
        olock__fake_append(set, v);
    }
    if (set->count == 0) {
        if (t == OLOCK_TYPE_SS) return olock__fake_verror(c, "One or more parameter values were invalid: An string set  may not be empty");
        if (t == OLOCK_TYPE_NS) return olock__fake_verror(c, "One or more parameter values were invalid: An number set  may not be empty");
        return olock__fake_verror(c, "One or more parameter values were invalid: Binary sets should not be empty");
    }
    if (olock__fake_sort_set(c->a, set, 0) < 0) return olock__fake_oom(c);
    if (olock__fake_set_has_dup(set)) {
        if (t == OLOCK_TYPE_NS) return olock__fake_verror(c, "Input collection contains duplicates");
        if (t == OLOCK_TYPE_BS)
            return olock__fake_verror(c, "One or more parameter values were invalid: Input collection of type BS contains duplicates.");
        { /* DynamoDB Local lists the members as they were sent */
            olock_buf b;
            int first = 1;
            olock_buf_init(&b, &c->f->alloc);
            for (m = arr->first; m; m = m->next) {
                const char *s = "";
                size_t len = 0;
                olock__fake_scalar_text(m, &s, &len);
                if ((!first && olock_buf_append(&b, ", ", 2) != OLOCK_OK) || olock_buf_append(&b, s, len) != OLOCK_OK) {
                    olock_buf_free(&b);
                    return olock__fake_oom(c);
                }
                first = 0;
            }
            olock__fake_verror(c, "One or more parameter values were invalid: Input collection [%.*s] contains duplicates",
                               (int)b.len, b.data ? b.data : "");
            olock_buf_free(&b);
            return -1;
        }
    }
    *out = set;
    return 0;
}

/* One attribute value {"S": ...} etc. */
static int olock__fake_av(olock__fake_ctx *c, const olock_json *j, olock_value **out, int depth) {
    const olock_json *m, *found = NULL, *tv;
    olock_type t = (olock_type)0;
    olock_value *v = NULL;
    int ntypes = 0;
    unsigned seen = 0;
    if (j->kind != OLOCK_JSON_OBJECT) return olock__fake_shape(c);
    /* a top-level attribute's value is at depth 2: 32 levels of documents in all */
    if (depth > OLOCK__FAKE_MAX_DEPTH + 1)
        return olock__fake_verror(c, "Nesting Levels have exceeded supported limits: Attributes in the item have nested levels beyond supported limit");
    /* one pass over the members; a repeated type name counts once, its last value wins */
    for (tv = j->first; tv; tv = tv->next) {
        olock_type xt = tv->kind == OLOCK_JSON_NULL ? (olock_type)0 : olock_type_from_name(tv->key, tv->key_len);
        if (!xt) continue;
        if (!(seen & (1u << xt))) {
            seen |= 1u << xt;
            ntypes++;
        }
        found = tv;
        t = xt;
    }
    if (ntypes == 0)
        return olock__fake_verror(c, "Supplied AttributeValue is empty, must contain exactly one of the supported datatypes");
    if (ntypes > 1)
        return olock__fake_verror(c, "Supplied AttributeValue has more than one datatypes set, must contain exactly one of the supported datatypes");
    m = found;
    switch (t) {
    case OLOCK_TYPE_S: {
        const char *s;
        size_t len;
        if (!olock__fake_scalar_text(m, &s, &len)) return olock__fake_shape(c);
        if (!(v = olock__fake_newval(c->a, OLOCK_TYPE_S))) return olock__fake_oom(c);
        v->str = s;
        v->len = len;
        break;
    }
    case OLOCK_TYPE_N: {
        const char *s;
        size_t len;
        if (!olock__fake_scalar_text(m, &s, &len)) return olock__fake_shape(c);
        if (olock__fake_parse_num(c, s, len, &v, 0) < 0) return -1;
        break;
    }
    case OLOCK_TYPE_B: {
        unsigned char *bytes;
        size_t blen = 0;
        if (m->kind != OLOCK_JSON_STRING) return olock__fake_shape(c);
        if (!(v = olock__fake_newval(c->a, OLOCK_TYPE_B))) return olock__fake_oom(c);
        if (!(bytes = (unsigned char *)olock__fake_alloc(c, m->len / 4 * 3 + 4))) return -1;
        if (olock_base64_decode(m->str, m->len, bytes, &blen) != OLOCK_OK) return olock__fake_shape(c);
        bytes[blen] = 0;
        v->str = (const char *)bytes;
        v->len = blen;
        break;
    }
    case OLOCK_TYPE_BOOL: {
        int b;
        if (m->kind == OLOCK_JSON_TRUE) b = 1;
        else if (m->kind == OLOCK_JSON_FALSE) b = 0;
        else if (m->kind == OLOCK_JSON_NUMBER) b = !(m->len == 1 && m->str[0] == '0');
        else if (m->kind == OLOCK_JSON_STRING && olock__fake_streq(m->str, m->len, "true")) b = 1;
        else if (m->kind == OLOCK_JSON_STRING && olock__fake_streq(m->str, m->len, "false")) b = 0;
        else return olock__fake_shape(c);
        if (!(v = olock__fake_newval(c->a, OLOCK_TYPE_BOOL))) return olock__fake_oom(c);
        v->boolean = b;
        break;
    }
    case OLOCK_TYPE_NULL:
        if (m->kind == OLOCK_JSON_FALSE)
            return olock__fake_verror(c, "One or more parameter values were invalid: Null attribute value types must have the value of true");
        if (m->kind != OLOCK_JSON_TRUE) return olock__fake_shape(c);
        if (!(v = olock__fake_newval(c->a, OLOCK_TYPE_NULL))) return olock__fake_oom(c);
        break;
    case OLOCK_TYPE_M: {
        int keep = c->keep_scale, r;
        c->keep_scale = 1; /* what is inside a document is kept as sent */
        r = olock__fake_av_map(c, m, &v, depth);
        c->keep_scale = keep;
        if (r < 0) return -1;
        v->type = OLOCK_TYPE_M;
        break;
    }
    case OLOCK_TYPE_L: {
        const olock_json *e;
        int keep = c->keep_scale;
        if (m->kind != OLOCK_JSON_ARRAY) return olock__fake_shape(c);
        if (!(v = olock__fake_newval(c->a, OLOCK_TYPE_L))) return olock__fake_oom(c);
        c->keep_scale = 1;
        for (e = m->first; e; e = e->next) {
            olock_value *x;
            if (e->kind == OLOCK_JSON_NULL || olock__fake_av(c, e, &x, depth + 1) < 0) {
                c->keep_scale = keep;
                return e->kind == OLOCK_JSON_NULL ? olock__fake_shape(c) : -1;
            }
            olock__fake_append(v, x);
        }
        c->keep_scale = keep;
        break;
    }
    default:
        if (olock__fake_av_set(c, t, m, &v) < 0) return -1;
        break;
    }
    *out = v;
    return 0;
}

/* ---- attribute values: size, equality, copy, JSON out --------------------------------------- */

/* The sign, exp10 and ndigits (not the digits) of a plain decimal text, [-]digits[.digits]
   without leading zeros and within 38 significant digits, as olock__fake_num_of would find them
   but without the full parse: every write sizes the whole item, every number of it. 0 for any
   other text, which then takes the full parse. */
static int olock__fake_num_shape(const char *s, size_t len, olock_decimal *d) {
    size_t i, ndig = 0, intd = 0, first = 0, last = 0;
    int seen_point = 0, any = 0;
    if (len == 0 || len > 40) return 0;
    d->negative = s[0] == '-';
    i = (size_t)d->negative;
    if (i >= len || s[len - 1] == '.' || (s[i] == '0' && i + 1 < len && s[i + 1] != '.')) return 0;
    for (; i < len; i++) {
        if (s[i] == '.') {
            if (seen_point || ndig == 0) return 0;
            seen_point = 1;
            continue;
        }
        if (s[i] < '0' || s[i] > '9') return 0;
        if (s[i] != '0') {
            if (!any) first = ndig;
            any = 1;
            last = ndig;
        }
        ndig++;
        if (!seen_point) intd++;
    }
    d->ndigits = any ? (int)(last - first + 1) : 0;
    d->exp10 = (int)intd - (int)first;
    return d->ndigits <= OLOCK_NUMBER_DIGITS;
}

/* DynamoDB's size of a number: its base-100 digits plus one (plus one more when negative). */
static size_t olock__fake_num_size(const olock_value *v) {
    olock_decimal d;
    int hi, lo;
    size_t i = v->len && v->str[0] == '-', k;
    /* a plain integer of up to 18 digits (counters, versions): its digits weigh 10^(n-1) down
       to 1, the trailing zeros are not significant */
    if (v->len - i >= 1 && v->len - i <= 18 && v->str[i] >= '1' && v->str[i] <= '9') {
        for (k = i + 1; k < v->len && v->str[k] >= '0' && v->str[k] <= '9'; k++) {}
        if (k == v->len) {
            int n = (int)(v->len - i), sig = n;
            while (v->str[i + (size_t)sig - 1] == '0') sig--;
            return (size_t)((n - 1) / 2 - (n - sig) / 2 + 1) + 1 + i;
        }
    }
    if (!olock__fake_num_shape(v->str, v->len, &d)) olock__fake_num_of(v, &d);
    if (d.ndigits == 0) return 1;
    /* digit i (1-based) weighs 10^(exp10 - i); base-100 digit k covers weights 2k, 2k+1 */
    hi = d.exp10 - 1;
    lo = d.exp10 - d.ndigits;
    hi = hi >= 0 ? hi / 2 : -((-hi + 1) / 2);
    lo = lo >= 0 ? lo / 2 : -((-lo + 1) / 2);
    return (size_t)(hi - lo + 1) + 1 + (d.negative ? 1 : 0);
}

/* The DynamoDB size of a value (developer guide, checked against DynamoDB Local's
   TableSizeBytes): strings and binaries their bytes, numbers as above, BOOL/NULL 1, L and M
   3 plus 1 per member plus the members (and a map's member names), sets their members. */
static size_t olock__fake_value_size(const olock_value *v) {
    const olock_value *m;
    size_t n = 0;
    switch (v->type) {
    case OLOCK_TYPE_S:
    case OLOCK_TYPE_B: return v->len;
    case OLOCK_TYPE_N: return olock__fake_num_size(v);
    case OLOCK_TYPE_BOOL:
    case OLOCK_TYPE_NULL: return 1;
    case OLOCK_TYPE_L:
        for (m = v->first; m; m = m->next) n += olock__fake_value_size(m) + 1;
        return n + 3;
    case OLOCK_TYPE_M:
        for (m = v->first; m; m = m->next) n += m->key_len + olock__fake_value_size(m) + 1;
        return n + 3;
    case OLOCK_TYPE_NS:
        for (m = v->first; m; m = m->next) n += olock__fake_num_size(m);
        return n;
    default:
        for (m = v->first; m; m = m->next) n += m->len;
        return n;
    }
}

/* Item size: attribute names plus values. */
static size_t olock__fake_item_size(const olock_value *item) {
    const olock_value *m;
    size_t n = 0;
    for (m = item->first; m; m = m->next) n += m->key_len + olock__fake_value_size(m);
    return n;
}

static const olock_value *olock__fake_map_get(const olock_value *map, const char *key, size_t len) {
    const olock_value *m;
    for (m = map->first; m; m = m->next)
        if (m->key_len == len && memcmp(m->key, key, len) == 0) return m;
    return NULL;
}

/* Equality as DynamoDB compares: numbers by value (stored text is canonical), sets as sets
   (kept sorted), maps by name. */
static int olock__fake_equal(const olock_value *a, const olock_value *b) {
    const olock_value *x, *y;
    if (a->type != b->type) return 0;
    switch (a->type) {
    case OLOCK_TYPE_S:
    case OLOCK_TYPE_B:
        return a->len == b->len && memcmp(a->str, b->str, a->len) == 0;
    case OLOCK_TYPE_N: /* "3.00" equals "3" */
        return (a->len == b->len && memcmp(a->str, b->str, a->len) == 0) || olock__fake_scalar_cmp(a, b) == 0;
    case OLOCK_TYPE_BOOL: return !a->boolean == !b->boolean;
    case OLOCK_TYPE_NULL: return 1;
    case OLOCK_TYPE_M:
        if (a->count != b->count) return 0;
        for (x = a->first; x; x = x->next) {
            y = olock__fake_map_get(b, x->key, x->key_len);
            if (!y || !olock__fake_equal(x, y)) return 0;
        }
        return 1;
    default: /* L and the sorted sets: member by member */
        if (a->count != b->count) return 0;
        for (x = a->first, y = b->first; x && y; x = x->next, y = y->next)
            if (!olock__fake_equal(x, y)) return 0;
        return 1;
    }
}

/* Deep copy into another arena (an item's own). NULL on OOM. */
static olock_value *olock__fake_copy(olock_arena *a, const olock_value *v) {
    olock_value *r = olock__fake_newval(a, v->type), *m;
    const olock_value *x;
    if (!r) return NULL;
    r->boolean = v->boolean;
    if (v->key) {
        if (!(r->key = olock_arena_strdup(a, v->key, v->key_len))) return NULL;
        r->key_len = v->key_len;
    }
    if (v->str) {
        if (!(r->str = olock_arena_strdup(a, v->str, v->len))) return NULL;
        r->len = v->len;
    }
    for (x = v->first; x; x = x->next) {
        if (!(m = olock__fake_copy(a, x))) return NULL;
        olock__fake_append(r, m);
    }
    return r;
}

/* Room for n more bytes of output: where to write them (exactly n, then
   olock__fake_wrote), NULL on OOM. A response is written in many small pieces; these two
   keep the common one, with room already there, out of a function call. */
static char *olock__fake_room(olock__fake_ctx *c, size_t n) {
    olock_buf *b = c->out;
    if ((b->cap - b->len <= n || b->max) && olock_buf_reserve(b, n) != OLOCK_OK) {
        c->oom = 1;
        return NULL;
    }
    return b->data + b->len;
}

static void olock__fake_wrote(olock__fake_ctx *c, size_t n) {
    c->out->len += n;
    c->out->data[c->out->len] = 0;
}

static int olock__fake_put(olock__fake_ctx *c, const void *p, size_t n) {
    char *o = olock__fake_room(c, n);
    if (!o) return -1;
    if (n) memcpy(o, p, n);
    olock__fake_wrote(c, n);
    return 0;
}

static int olock__fake_puts(olock__fake_ctx *c, const char *s) { return olock__fake_put(c, s, strlen(s)); }

/* A JSON string escaped the way DynamoDB Local's JSON writer does it: quote, backslash and
   control characters escaped (\t \n \r \b \f by name), characters beyond U+FFFF as
   \uXXXX surrogate pairs, everything else (including '/' and U+007F) as is. */
static int olock__fake_put_str(olock__fake_ctx *c, const char *s, size_t n) {
    static const char hex[] = "0123456789ABCDEF";
    size_t i = 0, run = 0;
    char *o;
    for (; i + 8 <= n; i += 8) { /* eight bytes at a time: any quote, backslash, control or 4-byte lead */
        uint64_t w, hi = 0x8080808080808080ull, one = 0x0101010101010101ull, q, b;
        memcpy(&w, s + i, 8);
        q = w ^ (one * '"');
        b = w ^ (one * '\\');
        if ((((q - one) & ~q) | ((b - one) & ~b) | ((w - one * 0x20) & ~w) | (w & (w << 1) & (w << 2) & (w << 3))) & hi) break;
    }
    for (; i < n; i++) {
        unsigned char ch = (unsigned char)s[i];
        if (ch == '"' || ch == '\\' || ch < 0x20 || ch >= 0xF0) break;
    }
    if (i == n) { /* nothing to escape, as most text: in one piece */
        if (!(o = olock__fake_room(c, n + 2))) return -1;
        o[0] = '"';
        if (n) memcpy(o + 1, s, n);
        o[n + 1] = '"';
        olock__fake_wrote(c, n + 2);
        return 0;
    }
    i = 0;
    if (olock__fake_put(c, "\"", 1) < 0) return -1;
    while (i < n) {
        unsigned char ch = (unsigned char)s[i];
        char esc[16];
        size_t elen = 0, adv = 1;
        if (ch == '"' || ch == '\\') {
            esc[0] = '\\';
            esc[1] = (char)ch;
            elen = 2;
        } else if (ch < 0x20) {
            const char *named = ch == '\t' ? "\\t" : ch == '\n' ? "\\n"
                : ch == '\r'                                    ? "\\r"
                : ch == '\b'                                    ? "\\b"
                : ch == '\f'                                    ? "\\f"
                                                                : NULL;
            if (named) {
                memcpy(esc, named, 2);
                elen = 2;
            } else {
                memcpy(esc, "\\u00", 4);
                esc[4] = hex[ch >> 4];
                esc[5] = hex[ch & 15];
                elen = 6;
            }
        } else if (ch >= 0xF0 && i + 4 <= n) { /* input is valid UTF-8 */
            uint32_t cp = ((uint32_t)(ch & 0x07) << 18) | ((uint32_t)((unsigned char)s[i + 1] & 0x3F) << 12) |
                ((uint32_t)((unsigned char)s[i + 2] & 0x3F) << 6) | ((uint32_t)((unsigned char)s[i + 3] & 0x3F));
            uint32_t hi, lo;
            cp -= 0x10000;
            hi = 0xD800 + (cp >> 10);
            lo = 0xDC00 + (cp & 0x3FF);
            esc[0] = '\\';
            esc[1] = 'u';
            esc[2] = hex[(hi >> 12) & 15];
            esc[3] = hex[(hi >> 8) & 15];
            esc[4] = hex[(hi >> 4) & 15];
            esc[5] = hex[hi & 15];
            esc[6] = '\\';
            esc[7] = 'u';
            esc[8] = hex[(lo >> 12) & 15];
            esc[9] = hex[(lo >> 8) & 15];
            esc[10] = hex[(lo >> 4) & 15];
            esc[11] = hex[lo & 15];
            elen = 12;
            adv = 4;
        }
        if (!elen) {
            run++;
            i++;
            continue;
        }
        if (run && olock__fake_put(c, s + i - run, run) < 0) return -1;
        run = 0;
        if (olock__fake_put(c, esc, elen) < 0) return -1;
        i += adv;
    }
    if (run && olock__fake_put(c, s + n - run, run) < 0) return -1;
    return olock__fake_put(c, "\"", 1);
}

/* Decimal text of v into buf (at least 21 bytes); returns the length. */
static size_t olock__fake_u64_text(uint64_t v, char *buf) {
    static const char pairs[] = "00010203040506070809101112131415161718192021222324252627282930313233343536373839"
                                "40414243444546474849505152535455565758596061626364656667686970717273747576777879"
                                "8081828384858687888990919293949596979899";
    char tmp[24];
    size_t k = sizeof(tmp), n;
    while (v >= 100) { /* two digits at a time, from the end */
        size_t d = (size_t)(v % 100) * 2;
        v /= 100;
        tmp[--k] = pairs[d + 1];
        tmp[--k] = pairs[d];
    }
    if (v >= 10) {
        tmp[--k] = pairs[v * 2 + 1];
        tmp[--k] = pairs[v * 2];
    } else {
        tmp[--k] = (char)('0' + v);
    }
    n = sizeof(tmp) - k;
    memcpy(buf, tmp + k, n);
    buf[n] = 0;
    return n;
}

static int olock__fake_put_u64(olock__fake_ctx *c, uint64_t v) {
    char buf[24];
    return olock__fake_put(c, buf, olock__fake_u64_text(v, buf));
}

static int olock__fake_write_value(olock__fake_ctx *c, const olock_value *v);

/* Java's String.hashCode (over UTF-16 code units) spread as java.util.HashMap spreads it. */
static uint32_t olock__fake_java_string_hash(const char *s, size_t len);
static uint32_t olock__fake_java_hash(const char *s, size_t len) {
    uint32_t h = olock__fake_java_string_hash(s, len);
    return h ^ (h >> 16);
}

/* Java's String.hashCode itself, over the UTF-16 code units of UTF-8 text. */
static uint32_t olock__fake_java_string_hash(const char *s, size_t len) {
    uint32_t h = 0;
    size_t i = 0;
    while (i < len) {
        unsigned char ch = (unsigned char)s[i];
        uint32_t cp;
        size_t n = ch < 0x80 ? 1 : (ch & 0xE0) == 0xC0 ? 2
            : (ch & 0xF0) == 0xE0                      ? 3
                                                       : 4,
               k;
        cp = n == 1 ? ch : n == 2 ? (ch & 0x1Fu)
            : n == 3              ? (ch & 0x0Fu)
                                  : (ch & 0x07u);
        for (k = 1; k < n && i + k < len; k++) cp = (cp << 6) | ((unsigned char)s[i + k] & 0x3Fu);
        i += n;
        if (cp >= 0x10000) {
            cp -= 0x10000;
            h = 31 * h + (0xD800 + (cp >> 10));
            h = 31 * h + (0xDC00 + (cp & 0x3FF));
        } else {
            h = 31 * h + cp;
        }
    }
    return h;
}

/* {"name":{value},...}, members in the order DynamoDB Local writes them: it copies a map
   into a java.util.HashMap sized for it (a power of two, doubled while more than 3/4 full)
   and iterates its buckets, so members come out by bucket, then in their own order. The
   ALL_OLD item of a ConditionalCheckFailedException goes through a default HashMap instead
   (16 buckets to start with): `cap` is the starting size. */
static int olock__fake_write_map_cap(olock__fake_ctx *c, const olock_value *map, size_t cap) {
    const olock_value *m, **order = NULL;
    size_t n = map->count, i;
    if (n > 1) {
        uint32_t *bucket;
        while (cap < n) cap *= 2;
        while (n > cap / 4 * 3 + (cap % 4) * 3 / 4) cap *= 2;
        order = (const olock_value **)olock__fake_alloc(c, n * sizeof(*order));
        bucket = (uint32_t *)olock__fake_alloc(c, n * sizeof(*bucket));
        if (!order || !bucket) return -1;
        for (i = 0, m = map->first; m && i < n; m = m->next, i++) {
            size_t j;
            uint32_t b = olock__fake_java_hash(m->key, m->key_len) & (uint32_t)(cap - 1);
            for (j = i; j > 0 && bucket[j - 1] > b; j--) {
                bucket[j] = bucket[j - 1];
                order[j] = order[j - 1];
            }
            bucket[j] = b;
            order[j] = m;
        }
        n = i;
    }
    if (olock__fake_put(c, "{", 1) < 0) return -1;
    for (i = 0, m = map->first; m && i < map->count; i++, m = m->next) {
        const olock_value *x = order ? order[i] : m;
        if (i && olock__fake_put(c, ",", 1) < 0) return -1;
        if (olock__fake_put_str(c, x->key, x->key_len) < 0 || olock__fake_put(c, ":", 1) < 0) return -1;
        if (olock__fake_write_value(c, x) < 0) return -1;
    }
    return olock__fake_put(c, "}", 1);
}

static int olock__fake_write_map(olock__fake_ctx *c, const olock_value *map) {
    return olock__fake_write_map_cap(c, map, 1);
}

static int olock__fake_write_scalar(olock__fake_ctx *c, const olock_value *v) {
    if (v->type == OLOCK_TYPE_B) {
        if (olock__fake_put(c, "\"", 1) < 0) return -1;
        if (olock_base64_encode(v->str, v->len, c->out) != OLOCK_OK) return olock__fake_oom(c);
        return olock__fake_put(c, "\"", 1);
    }
    return olock__fake_put_str(c, v->str, v->len);
}

static int olock__fake_write_value(olock__fake_ctx *c, const olock_value *v) {
    const olock_value *m;
    const char *tn = olock_type_name(v->type);
    size_t tl = strlen(tn);
    char *o = olock__fake_room(c, tl + 4);
    if (!o) return -1;
    o[0] = '{';
    o[1] = '"';
    memcpy(o + 2, tn, tl);
    o[tl + 2] = '"';
    o[tl + 3] = ':';
    olock__fake_wrote(c, tl + 4);
    switch (v->type) {
    case OLOCK_TYPE_S:
    case OLOCK_TYPE_N:
    case OLOCK_TYPE_B:
        if (olock__fake_write_scalar(c, v) < 0) return -1;
        break;
    case OLOCK_TYPE_BOOL:
        if (olock__fake_puts(c, v->boolean ? "true" : "false") < 0) return -1;
        break;
    case OLOCK_TYPE_NULL:
        if (olock__fake_puts(c, "true") < 0) return -1;
        break;
    case OLOCK_TYPE_M:
        if (olock__fake_write_map(c, v) < 0) return -1;
        break;
    default: /* L, SS, NS, BS */
        if (olock__fake_put(c, "[", 1) < 0) return -1;
        for (m = v->first; m; m = m->next) {
            if (m != v->first && olock__fake_put(c, ",", 1) < 0) return -1;
            if (v->type == OLOCK_TYPE_L ? olock__fake_write_value(c, m) : olock__fake_write_scalar(c, m)) return -1;
        }
        if (olock__fake_put(c, "]", 1) < 0) return -1;
        break;
    }
    return olock__fake_put(c, "}", 1);
}
