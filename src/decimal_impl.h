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
