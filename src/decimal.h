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
