/* Tests for olock.h's Numbers section (olock_decimal_*).
   libc's strtod/printf are used only as an oracle (glibc's are correctly rounded), never by the library. */
#ifndef OLOCK_TEST_LINKED   /* else the Makefile links build/<flavour>/libolock_impl.a (tests/impl/) */
#define OLOCK_IMPLEMENTATION
#endif
#include "olock.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <math.h>
#include <float.h>



static int g_pass, g_fail;

static void check_at(int ok, int line, const char *fmt, ...)
{
    va_list ap;
    if (ok) {
        g_pass++;
        return;
    }
    g_fail++;
    printf("FAIL line %d: ", line);
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    printf("\n");
}
#define CHECK(cond, ...) check_at((cond) ? 1 : 0, __LINE__, __VA_ARGS__)

static olock_decimal dec(const char *s)
{
    olock_decimal d;
    olock_result r = olock_decimal_parse(s, strlen(s), &d, NULL);
    if (r != OLOCK_OK) {
        printf("FAIL: test value '%s' does not parse (%d)\n", s, (int)r);
        g_fail++;
        memset(&d, 0, sizeof d);
    }
    return d;
}

static const char *fmt(const olock_decimal *d, char *buf)
{
    olock_decimal_format(d, buf);
    return buf;
}

/* ---- parse ---- */

static void parse_ok_line(const char *in, const char *canonical, int line)
{
    olock_decimal d;
    olock_error err;
    char buf[OLOCK_NUMBER_TEXT_MAX + 1];
    olock_result r;
    memset(&err, 0x55, sizeof err);
    r = olock_decimal_parse(in, strlen(in), &d, &err);
    check_at(r == OLOCK_OK, line, "parse('%s') = %d, want OK (%s)", in, (int)r, r ? err.message : "");
    if (r != OLOCK_OK) return;
    check_at(err.code == OLOCK_OK && err.offset == 0, line, "parse('%s'): err not cleared on success", in);
    olock_decimal_format(&d, buf);
    check_at(strcmp(buf, canonical) == 0, line, "format(parse('%s')) = '%s', want '%s'", in, buf, canonical);
}
#define PARSE_OK(in, canon) parse_ok_line(in, canon, __LINE__)

static void parse_err_line(const char *in, size_t len, olock_result want, long offset, const char *msg, int line)
{
    olock_decimal d;
    olock_error err;
    olock_result r;
    memset(&d, 0x77, sizeof d);
    memset(&err, 0, sizeof err);
    r = olock_decimal_parse(in, len, &d, &err);
    check_at(r == want, line, "parse('%.*s') = %d, want %d", (int)len, in, (int)r, (int)want);
    check_at(err.code == want, line, "parse('%.*s'): err.code %d", (int)len, in, (int)err.code);
    if (offset >= 0)
        check_at(err.offset == (size_t)offset, line, "parse('%.*s'): offset %lu, want %ld", (int)len, in,
                 (unsigned long)err.offset, offset);
    if (msg != NULL)
        check_at(strstr(err.message, msg) != NULL, line, "parse('%.*s'): message '%s'", (int)len, in, err.message);
    check_at(d.negative == 0x77777777 && d.ndigits == 0x77777777, line, "parse('%.*s') wrote out on failure",
             (int)len, in);
}
#define PARSE_ERR(in, want, off) parse_err_line(in, strlen(in), want, off, NULL, __LINE__)
#define PARSE_ERR_MSG(in, want, off, msg) parse_err_line(in, strlen(in), want, off, msg, __LINE__)

static const char *MSG_SYNTAX = "A value provided cannot be converted into a number";
static const char *MSG_DIGITS = "Attempting to store more than 38 significant digits in a Number";
static const char *MSG_OVER = "Number overflow. Attempting to store a number with magnitude larger than supported range";
static const char *MSG_UNDER = "Number underflow. Attempting to store a number with magnitude smaller than supported range";

static void test_parse_syntax(void)
{
    olock_decimal d;
    PARSE_OK("+1", "1");
    PARSE_OK("-0", "0");
    PARSE_OK("+0", "0");
    PARSE_OK("-0.000e-5", "0");
    PARSE_OK("1.", "1");
    PARSE_OK(".5", "0.5");
    PARSE_OK("-.5", "-0.5");
    PARSE_OK("+.5", "0.5");
    PARSE_OK("1.e5", "100000");
    PARSE_OK("1e5", "100000");
    PARSE_OK("1E-5", "0.00001");
    PARSE_OK("1e+2", "100");
    PARSE_OK("1E+05", "100000");
    PARSE_OK("1e-0", "1");
    PARSE_OK("1e00000000000000000005", "100000");
    PARSE_OK("00012", "12");
    PARSE_OK("0.000", "0");
    PARSE_OK("00.00e00", "0");
    PARSE_OK("0", "0");
    PARSE_OK("1.0e1", "10");
    PARSE_OK("-1.50", "-1.5");
    PARSE_OK("120", "120");
    PARSE_OK("0.05", "0.05");
    PARSE_OK("12.34e1", "123.4");
    PARSE_OK("12.34e-1", "1.234");
    PARSE_OK("12.34e2", "1234");
    PARSE_OK("12.34e3", "12340");
    PARSE_OK("-12.34e-3", "-0.01234");
    /* zero with an absurd but 32-bit exponent is still zero */
    PARSE_OK("0e2147483647", "0");
    PARSE_OK("0e-2147483647", "0");

    PARSE_ERR_MSG("", OLOCK_ERR_PARSE, 0, MSG_SYNTAX);
    PARSE_ERR("abc", OLOCK_ERR_PARSE, 0);
    PARSE_ERR("1e", OLOCK_ERR_PARSE, 2);
    PARSE_ERR("1e+", OLOCK_ERR_PARSE, 3);
    PARSE_ERR("1e-", OLOCK_ERR_PARSE, 3);
    PARSE_ERR("--1", OLOCK_ERR_PARSE, 1);
    PARSE_ERR("+-1", OLOCK_ERR_PARSE, 1);
    PARSE_ERR(" 1", OLOCK_ERR_PARSE, 0);
    PARSE_ERR("1 ", OLOCK_ERR_PARSE, 1);
    PARSE_ERR(".", OLOCK_ERR_PARSE, 1);
    PARSE_ERR("-", OLOCK_ERR_PARSE, 1);
    PARSE_ERR("+", OLOCK_ERR_PARSE, 1);
    PARSE_ERR("e5", OLOCK_ERR_PARSE, 0);
    PARSE_ERR(".e5", OLOCK_ERR_PARSE, 1);
    PARSE_ERR("1ee5", OLOCK_ERR_PARSE, 2);
    PARSE_ERR("1.2.3", OLOCK_ERR_PARSE, 3);
    PARSE_ERR("1e5.5", OLOCK_ERR_PARSE, 3);
    PARSE_ERR("0x10", OLOCK_ERR_PARSE, 1);
    PARSE_ERR("1_0", OLOCK_ERR_PARSE, 1);
    PARSE_ERR("Infinity", OLOCK_ERR_PARSE, 0);
    PARSE_ERR("NaN", OLOCK_ERR_PARSE, 0);
    PARSE_ERR("1,5", OLOCK_ERR_PARSE, 1);
    PARSE_ERR("\xd9\xa1", OLOCK_ERR_PARSE, 0); /* ARABIC-INDIC DIGIT ONE: ASCII only */
    parse_err_line("1\0" "2", 3, OLOCK_ERR_PARSE, 1, MSG_SYNTAX, __LINE__);
    /* Exponents that do not fit 32 bits are unparseable to DynamoDB (Java BigDecimal), and
       must not overflow anything here. */
    PARSE_ERR_MSG("1e999999999999", OLOCK_ERR_PARSE, 2, MSG_SYNTAX);
    PARSE_ERR("1e-999999999999", OLOCK_ERR_PARSE, 3);
    PARSE_ERR("0e999999999999", OLOCK_ERR_PARSE, 2);
    PARSE_ERR("1e99999999999999999999999999999999999999999999999999", OLOCK_ERR_PARSE, 2);
    PARSE_ERR("1e2147483648", OLOCK_ERR_PARSE, 2);
    PARSE_ERR("1e-2147483648", OLOCK_ERR_PARSE, 3); /* scale 0 - exp overflows */
    PARSE_ERR("0.1e-2147483647", OLOCK_ERR_PARSE, 5);
    PARSE_ERR_MSG("1e2147483647", OLOCK_ERR_LIMIT, -1, MSG_OVER);
    PARSE_ERR_MSG("1e-2147483647", OLOCK_ERR_LIMIT, -1, MSG_UNDER);

    /* NULL handling, and a length that stops before the NUL */
    CHECK(olock_decimal_parse(NULL, 0, &d, NULL) == OLOCK_ERR_PARSE, "parse(NULL, 0)");
    CHECK(olock_decimal_parse(NULL, 1, &d, NULL) == OLOCK_ERR_INVALID_ARG, "parse(NULL, 1)");
    CHECK(olock_decimal_parse("1", 1, NULL, NULL) == OLOCK_ERR_INVALID_ARG, "parse(out NULL)");
    CHECK(olock_decimal_parse("12x", 2, &d, NULL) == OLOCK_OK && d.ndigits == 2 && d.exp10 == 2, "parse len 2 of '12x'");
    /* repr: 0.d1..dn * 10^exp10, digit values */
    d = dec("-120.5");
    CHECK(d.negative == 1 && d.exp10 == 3 && d.ndigits == 4 && d.digits[0] == 1 && d.digits[1] == 2 &&
          d.digits[2] == 0 && d.digits[3] == 5, "repr of -120.5");
    d = dec("-0");
    CHECK(d.negative == 0 && d.exp10 == 0 && d.ndigits == 0, "-0 is canonical zero");
}

static void test_parse_limits(void)
{
    PARSE_OK("12345678901234567890123456789012345678", "12345678901234567890123456789012345678");
    PARSE_OK("-1.2345678901234567890123456789012345678", "-1.2345678901234567890123456789012345678");
    PARSE_ERR_MSG("123456789012345678901234567890123456789", OLOCK_ERR_LIMIT, -1, MSG_DIGITS);
    PARSE_ERR_MSG("0.123456789012345678901234567890123456789", OLOCK_ERR_LIMIT, -1, MSG_DIGITS);
    PARSE_ERR("1000000000000000000000000000000000000001", OLOCK_ERR_LIMIT, -1);
    PARSE_ERR("1.00000000000000000000000000000000000001", OLOCK_ERR_LIMIT, -1);
    /* leading and trailing zeros are not significant */
    PARSE_OK("100000000000000000000000000000000000000000", "100000000000000000000000000000000000000000");
    PARSE_OK("1.2345678901234567890123456789012345678000", "1.2345678901234567890123456789012345678");
    PARSE_OK("000000000000000000000000000000000000000000001", "1");
    PARSE_OK("0.00000000000000000000000000000000000000000000000000000001",
             "0.00000000000000000000000000000000000000000000000000000001");
    PARSE_OK("10000000000000000000000000000000000000.0000000000000000", "10000000000000000000000000000000000000");
    PARSE_ERR("0.0000000000000000000000000000000000000000001234567890123456789012345678901234567890",
              OLOCK_ERR_LIMIT, -1);
    /* precision is reported before magnitude, as DynamoDB Local does */
    PARSE_ERR_MSG("123456789012345678901234567890123456789e200", OLOCK_ERR_LIMIT, -1, MSG_DIGITS);
    PARSE_ERR_MSG("123456789012345678901234567890123456789e-200", OLOCK_ERR_LIMIT, -1, MSG_DIGITS);

    /* magnitude: 1E-130 .. 9.99..9E+125 */
    PARSE_OK("1e125", "1" "0000000000" "0000000000" "0000000000" "0000000000" "0000000000" "0000000000"
                      "0000000000" "0000000000" "0000000000" "0000000000" "0000000000" "0000000000" "00000");
    PARSE_OK("9.9999999999999999999999999999999999999e125",
             "99999999999999999999999999999999999999" "0000000000" "0000000000" "0000000000" "0000000000"
             "0000000000" "0000000000" "0000000000" "0000000000" "00000000");
    PARSE_OK("99999999999999999999999999999999999999e88",
             "99999999999999999999999999999999999999" "0000000000" "0000000000" "0000000000" "0000000000"
             "0000000000" "0000000000" "0000000000" "0000000000" "00000000");
    PARSE_ERR_MSG("1e126", OLOCK_ERR_LIMIT, -1, MSG_OVER);
    PARSE_ERR_MSG("-10e125", OLOCK_ERR_LIMIT, -1, MSG_OVER);
    PARSE_ERR("1e300", OLOCK_ERR_LIMIT, -1);
    PARSE_ERR("1e1000", OLOCK_ERR_LIMIT, -1);
    PARSE_OK("1e-130", "0." "0000000000" "0000000000" "0000000000" "0000000000" "0000000000" "0000000000"
                       "0000000000" "0000000000" "0000000000" "0000000000" "0000000000" "0000000000"
                       "000000000" "1");
    PARSE_OK("-0.1e-129", "-0." "0000000000" "0000000000" "0000000000" "0000000000" "0000000000" "0000000000"
                          "0000000000" "0000000000" "0000000000" "0000000000" "0000000000" "0000000000"
                          "000000000" "1");
    PARSE_OK("1.2345678901234567890123456789012345678e-130",
             "0." "0000000000" "0000000000" "0000000000" "0000000000" "0000000000" "0000000000"
             "0000000000" "0000000000" "0000000000" "0000000000" "0000000000" "0000000000"
             "000000000" "12345678901234567890123456789012345678");
    PARSE_ERR_MSG("1e-131", OLOCK_ERR_LIMIT, -1, MSG_UNDER);
    PARSE_ERR_MSG("0.99e-130", OLOCK_ERR_LIMIT, -1, MSG_UNDER);
    PARSE_ERR("1e-300", OLOCK_ERR_LIMIT, -1);
    PARSE_OK("0e-1000", "0");
}

/* ---- format ---- */

static void test_format(void)
{
    olock_decimal d, big, small;
    char buf[OLOCK_NUMBER_TEXT_MAX + 1];
    size_t n;
    int i;

    memset(&d, 0, sizeof d);
    n = olock_decimal_format(&d, buf);
    CHECK(n == 1 && strcmp(buf, "0") == 0, "format(zero) = '%s'", buf);
    d.negative = 1;
    d.exp10 = 7;
    n = olock_decimal_format(&d, buf);
    CHECK(n == 1 && strcmp(buf, "0") == 0, "format(negative zero) = '%s'", buf);

    PARSE_OK("1", "1");
    PARSE_OK("-1", "-1");
    PARSE_OK("10", "10");
    PARSE_OK("0.1", "0.1");
    PARSE_OK("-0.001", "-0.001");
    PARSE_OK("123.456", "123.456");
    PARSE_OK("1.5e1", "15");

    /* the longest texts fit OLOCK_NUMBER_TEXT_MAX */
    d = dec("-9.9999999999999999999999999999999999999e125");
    n = olock_decimal_format(&d, buf);
    CHECK(n == 127 && n == strlen(buf), "format(-max) length %lu", (unsigned long)n);
    d = dec("-1.2345678901234567890123456789012345678e-130");
    n = olock_decimal_format(&d, buf);
    CHECK(n == 170 && n <= OLOCK_NUMBER_TEXT_MAX && n == strlen(buf), "format(-min 38 digits) length %lu",
          (unsigned long)n);
    CHECK(strncmp(buf, "-0.000", 6) == 0, "format(-min) starts '%.8s'", buf);

    /* invalid structures format as "" instead of overrunning */
    big = dec("1");
    big.exp10 = 500;
    n = olock_decimal_format(&big, buf);
    CHECK(n == 0 && buf[0] == '\0', "format(exp10 500) rejected");
    small = dec("1");
    small.ndigits = 39;
    CHECK(olock_decimal_format(&small, buf) == 0, "format(39 digits) rejected");
    small = dec("10");
    small.ndigits = 2; /* trailing zero digit: not normalised */
    CHECK(olock_decimal_format(&small, buf) == 0, "format(unnormalised) rejected");
    CHECK(olock_decimal_format(NULL, buf) == 0 && buf[0] == '\0', "format(NULL)");
    CHECK(olock_decimal_format(&d, NULL) == 0, "format(out NULL)");

    /* every digit position */
    for (i = -129; i <= 126; i++) {
        olock_decimal x, y;
        memset(&x, 0, sizeof x);
        x.exp10 = i;
        x.ndigits = 2;
        x.digits[0] = 4;
        x.digits[1] = 2;
        olock_decimal_format(&x, buf);
        if (olock_decimal_parse(buf, strlen(buf), &y, NULL) != OLOCK_OK || olock_decimal_cmp(&x, &y) != 0 ||
            y.exp10 != i) {
            CHECK(0, "format/parse at exp10 %d: '%s'", i, buf);
            break;
        }
    }
    CHECK(i == 127, "format/parse all exponents");
}

/* ---- cmp ---- */

static int cmp_s(const char *a, const char *b)
{
    olock_decimal x = dec(a), y = dec(b);
    return olock_decimal_cmp(&x, &y);
}

static void test_cmp(void)
{
    CHECK(cmp_s("0", "-0") == 0, "0 == -0");
    CHECK(cmp_s("1", "2") == -1, "1 < 2");
    CHECK(cmp_s("2", "1") == 1, "2 > 1");
    CHECK(cmp_s("-1", "1") == -1, "-1 < 1");
    CHECK(cmp_s("1", "-1") == 1, "1 > -1");
    CHECK(cmp_s("-2", "-1") == -1, "-2 < -1");
    CHECK(cmp_s("0", "0.0001") == -1, "0 < 0.0001");
    CHECK(cmp_s("0", "-0.0001") == 1, "0 > -0.0001");
    CHECK(cmp_s("-1e-130", "0") == -1, "-1e-130 < 0");
    CHECK(cmp_s("10", "9") == 1, "10 > 9");
    CHECK(cmp_s("-10", "-9") == -1, "-10 < -9");
    CHECK(cmp_s("1.5", "1.50") == 0, "1.5 == 1.50");
    CHECK(cmp_s("1.5", "1.51") == -1, "1.5 < 1.51");
    CHECK(cmp_s("1.51", "1.5") == 1, "1.51 > 1.5");
    CHECK(cmp_s("-1.5", "-1.51") == 1, "-1.5 > -1.51");
    CHECK(cmp_s("100", "1e2") == 0, "100 == 1e2");
    CHECK(cmp_s("0.1", "0.09999999999999999999999999999999999999") == 1, "0.1 > 0.0999..");
    CHECK(cmp_s("9.9999999999999999999999999999999999999e125", "1e125") == 1, "max > 1e125");
    CHECK(cmp_s("1e-130", "1.1e-130") == -1, "1e-130 < 1.1e-130");
}

/* ---- add / sub ---- */

static void addsub_line(const char *a, char op, const char *b, olock_result want, const char *result, int line)
{
    olock_decimal x = dec(a), y = dec(b), z;
    char buf[OLOCK_NUMBER_TEXT_MAX + 1];
    olock_result r;
    memset(&z, 0x66, sizeof z);
    r = op == '+' ? olock_decimal_add(&x, &y, &z) : olock_decimal_sub(&x, &y, &z);
    check_at(r == want, line, "%s %c %s = %d, want %d", a, op, b, (int)r, (int)want);
    if (r == OLOCK_OK && want == OLOCK_OK) {
        olock_decimal_format(&z, buf);
        check_at(strcmp(buf, result) == 0, line, "%s %c %s = '%s', want '%s'", a, op, b, buf, result);
    } else if (r != OLOCK_OK) {
        check_at(z.ndigits == 0x66666666, line, "%s %c %s wrote out on failure", a, op, b);
    }
}
#define ADDSUB(a, op, b, want, res) addsub_line(a, op, b, want, res, __LINE__)

static void test_addsub(void)
{
    olock_decimal a, b;
    ADDSUB("1", '+', "2", OLOCK_OK, "3");
    ADDSUB("0", '+', "0", OLOCK_OK, "0");
    ADDSUB("0", '+', "-5", OLOCK_OK, "-5");
    ADDSUB("0", '-', "-5", OLOCK_OK, "5");
    ADDSUB("0", '-', "5", OLOCK_OK, "-5");
    ADDSUB("5", '-', "0", OLOCK_OK, "5");
    ADDSUB("-5", '+', "0", OLOCK_OK, "-5");
    ADDSUB("999", '+', "1", OLOCK_OK, "1000");
    ADDSUB("9.99", '+', "0.01", OLOCK_OK, "10");
    ADDSUB("-999", '-', "1", OLOCK_OK, "-1000");
    ADDSUB("0.1", '+', "0.2", OLOCK_OK, "0.3");
    ADDSUB("0.1", '-', "0.3", OLOCK_OK, "-0.2");
    ADDSUB("1000", '-', "1", OLOCK_OK, "999");
    ADDSUB("1000", '-', "0.001", OLOCK_OK, "999.999");
    ADDSUB("1", '-', "1000", OLOCK_OK, "-999");
    ADDSUB("-1", '+', "1000", OLOCK_OK, "999");
    ADDSUB("1.5", '-', "1.5", OLOCK_OK, "0");
    ADDSUB("-1.5", '+', "1.5", OLOCK_OK, "0");
    ADDSUB("12345678901234567890123456789012345678", '-', "12345678901234567890123456789012345678", OLOCK_OK, "0");
    ADDSUB("1e-130", '-', "2e-130", OLOCK_OK,
           "-0." "0000000000" "0000000000" "0000000000" "0000000000" "0000000000" "0000000000"
           "0000000000" "0000000000" "0000000000" "0000000000" "0000000000" "0000000000" "000000000" "1");
    ADDSUB("1.000000000000000000000000000000000001", '-', "1", OLOCK_OK, "0.000000000000000000000000000000000001");
    /* exact results of 38 digits are fine, 39 are LIMIT */
    ADDSUB("99999999999999999999999999999999999999", '+', "1", OLOCK_OK, "100000000000000000000000000000000000000");
    ADDSUB("12345678901234567890123456789012345678", '+', "0.1", OLOCK_ERR_LIMIT, "");
    ADDSUB("99999999999999999999999999999999999998", '+', "1", OLOCK_OK, "99999999999999999999999999999999999999");
    ADDSUB("1e125", '+', "1e-130", OLOCK_ERR_LIMIT, "");
    ADDSUB("1e37", '+', "1", OLOCK_OK, "10000000000000000000000000000000000001");
    ADDSUB("1e38", '+', "1", OLOCK_ERR_LIMIT, "");
    ADDSUB("1e38", '-', "1", OLOCK_OK, "99999999999999999999999999999999999999");
    ADDSUB("1e39", '-', "1", OLOCK_ERR_LIMIT, "");
    /* range */
    ADDSUB("9.9999999999999999999999999999999999999e125", '+', "1e88", OLOCK_ERR_LIMIT, "");
    ADDSUB("9e125", '+', "1e125", OLOCK_ERR_LIMIT, "");
    ADDSUB("-9e125", '-', "1e125", OLOCK_ERR_LIMIT, "");
    ADDSUB("9e125", '-', "-1e125", OLOCK_ERR_LIMIT, "");
    ADDSUB("9e125", '+', "0.9e125", OLOCK_OK, "99" "0000000000" "0000000000" "0000000000" "0000000000"
                                                   "0000000000" "0000000000" "0000000000" "0000000000"
                                                   "0000000000" "0000000000" "0000000000" "0000000000" "0000");
    ADDSUB("2e-130", '-', "1e-130", OLOCK_OK,
           "0." "0000000000" "0000000000" "0000000000" "0000000000" "0000000000" "0000000000"
           "0000000000" "0000000000" "0000000000" "0000000000" "0000000000" "0000000000" "000000000" "1");

    /* aliasing the output with an input */
    a = dec("5");
    b = dec("7");
    CHECK(olock_decimal_add(&a, &b, &a) == OLOCK_OK && a.exp10 == 2 && a.digits[0] == 1 &&
          a.digits[1] == 2, "add aliasing out == a");
    CHECK(olock_decimal_sub(&a, &b, &b) == OLOCK_OK && b.ndigits == 1 && b.digits[0] == 5, "sub aliasing out == b");
    /* invalid arguments */
    b.exp10 = 1000;
    CHECK(olock_decimal_add(&a, &b, &a) == OLOCK_ERR_INVALID_ARG, "add(invalid)");
    CHECK(olock_decimal_add(&a, NULL, &a) == OLOCK_ERR_INVALID_ARG, "add(NULL)");
    CHECK(olock_decimal_sub(&a, &a, NULL) == OLOCK_ERR_INVALID_ARG, "sub(out NULL)");
}

/* ---- integers ---- */

static void test_integers(void)
{
    olock_decimal d;
    char buf[OLOCK_NUMBER_TEXT_MAX + 1];
    int64_t i64 = 0;
    uint64_t u64 = 0;

    olock_decimal_from_i64(INT64_MIN, &d);
    CHECK(strcmp(fmt(&d, buf), "-9223372036854775808") == 0, "from_i64(INT64_MIN) = %s", buf);
    CHECK(olock_decimal_to_i64(&d, &i64) == OLOCK_OK && i64 == INT64_MIN, "to_i64(INT64_MIN)");
    olock_decimal_from_i64(INT64_MAX, &d);
    CHECK(strcmp(fmt(&d, buf), "9223372036854775807") == 0, "from_i64(INT64_MAX) = %s", buf);
    CHECK(olock_decimal_to_i64(&d, &i64) == OLOCK_OK && i64 == INT64_MAX, "to_i64(INT64_MAX)");
    olock_decimal_from_i64(0, &d);
    CHECK(strcmp(fmt(&d, buf), "0") == 0 && d.ndigits == 0, "from_i64(0)");
    olock_decimal_from_i64(-1000, &d);
    CHECK(strcmp(fmt(&d, buf), "-1000") == 0 && d.ndigits == 1 && d.exp10 == 4, "from_i64(-1000)");
    olock_decimal_from_u64(UINT64_MAX, &d);
    CHECK(strcmp(fmt(&d, buf), "18446744073709551615") == 0, "from_u64(UINT64_MAX) = %s", buf);
    CHECK(olock_decimal_to_u64(&d, &u64) == OLOCK_OK && u64 == UINT64_MAX, "to_u64(UINT64_MAX)");
    CHECK(olock_decimal_to_i64(&d, &i64) == OLOCK_ERR_RANGE, "to_i64(UINT64_MAX) RANGE");
    olock_decimal_from_u64(0, &d);
    CHECK(d.ndigits == 0, "from_u64(0)");
    olock_decimal_from_i64(1, NULL); /* no crash */

    d = dec("9223372036854775808");
    CHECK(olock_decimal_to_i64(&d, &i64) == OLOCK_ERR_RANGE, "to_i64(2^63) RANGE");
    CHECK(olock_decimal_to_u64(&d, &u64) == OLOCK_OK && u64 == UINT64_C(9223372036854775808), "to_u64(2^63)");
    d = dec("-9223372036854775809");
    CHECK(olock_decimal_to_i64(&d, &i64) == OLOCK_ERR_RANGE, "to_i64(-2^63-1) RANGE");
    d = dec("18446744073709551616");
    CHECK(olock_decimal_to_u64(&d, &u64) == OLOCK_ERR_RANGE, "to_u64(2^64) RANGE");
    d = dec("184467440737095516150");
    CHECK(olock_decimal_to_u64(&d, &u64) == OLOCK_ERR_RANGE, "to_u64(10*UINT64_MAX) RANGE");
    d = dec("1e125");
    CHECK(olock_decimal_to_i64(&d, &i64) == OLOCK_ERR_RANGE, "to_i64(1e125) RANGE");
    d = dec("-1");
    CHECK(olock_decimal_to_u64(&d, &u64) == OLOCK_ERR_RANGE, "to_u64(-1) RANGE");
    CHECK(olock_decimal_to_i64(&d, &i64) == OLOCK_OK && i64 == -1, "to_i64(-1)");
    d = dec("-0.5");
    CHECK(olock_decimal_to_u64(&d, &u64) == OLOCK_ERR_RANGE, "to_u64(-0.5) RANGE");
    CHECK(olock_decimal_to_i64(&d, &i64) == OLOCK_ERR_INEXACT, "to_i64(-0.5) INEXACT");
    i64 = 42;
    d = dec("1.5");
    CHECK(olock_decimal_to_i64(&d, &i64) == OLOCK_ERR_INEXACT && i64 == 42, "to_i64(1.5) INEXACT, out untouched");
    CHECK(olock_decimal_to_u64(&d, &u64) == OLOCK_ERR_INEXACT, "to_u64(1.5) INEXACT");
    d = dec("1e-130");
    CHECK(olock_decimal_to_i64(&d, &i64) == OLOCK_ERR_INEXACT, "to_i64(1e-130) INEXACT");
    d = dec("9223372036854775808.5");
    CHECK(olock_decimal_to_i64(&d, &i64) == OLOCK_ERR_RANGE, "to_i64(2^63+.5) RANGE before INEXACT");
    d = dec("1e18");
    CHECK(olock_decimal_to_i64(&d, &i64) == OLOCK_OK && i64 == INT64_C(1000000000000000000), "to_i64(1e18)");
    d = dec("1.2e1");
    CHECK(olock_decimal_to_i64(&d, &i64) == OLOCK_OK && i64 == 12, "to_i64(1.2e1)");
    d = dec("0");
    CHECK(olock_decimal_to_u64(&d, &u64) == OLOCK_OK && u64 == 0, "to_u64(0)");
    CHECK(olock_decimal_to_i64(&d, NULL) == OLOCK_ERR_INVALID_ARG, "to_i64(out NULL)");
}

/* ---- doubles ---- */

static void to_double_line(const char *s, olock_result want, int line)
{
    olock_decimal d = dec(s);
    double x = -7.0, oracle = strtod(s, NULL), y = -7.0;
    olock_result r = olock_decimal_to_double(&d, &x);
    check_at(r == want, line, "to_double(%s) = %d, want %d", s, (int)r, (int)want);
    if (r == OLOCK_OK) check_at(x == oracle, line, "to_double(%s) = %.17g, want %.17g", s, x, oracle);
    else check_at(x == -7.0, line, "to_double(%s) wrote out on failure", s);
    r = olock_decimal_to_double_approx(&d, &y);
    check_at(r == OLOCK_OK && y == oracle, line, "to_double_approx(%s) = %.17g (%d), want %.17g", s, y, (int)r,
             oracle);
}
#define TO_DOUBLE(s, want) to_double_line(s, want, __LINE__)

static void from_double_line(double v, olock_result want, const char *text, int line)
{
    olock_decimal d;
    char buf[OLOCK_NUMBER_TEXT_MAX + 1];
    olock_result r = olock_decimal_from_double(v, &d);
    check_at(r == want, line, "from_double(%.17g) = %d, want %d", v, (int)r, (int)want);
    if (r == OLOCK_OK && text != NULL) {
        olock_decimal_format(&d, buf);
        check_at(strcmp(buf, text) == 0, line, "from_double(%.17g) = '%s', want '%s'", v, buf, text);
    }
}
#define FROM_DOUBLE(v, want, text) from_double_line(v, want, text, __LINE__)

static void test_doubles(void)
{
    olock_decimal d;
    double x, third = 1 / 3.0;
    char buf[OLOCK_NUMBER_TEXT_MAX + 1];

    TO_DOUBLE("0.1", OLOCK_OK);
    TO_DOUBLE("-0.1", OLOCK_OK);
    TO_DOUBLE("0", OLOCK_OK);
    TO_DOUBLE("1", OLOCK_OK);
    TO_DOUBLE("123456789012345", OLOCK_OK);
    TO_DOUBLE("0.123456789012345", OLOCK_OK);
    TO_DOUBLE("1.23456789012345e-100", OLOCK_OK);
    TO_DOUBLE("9.99999999999999e125", OLOCK_OK);
    TO_DOUBLE("1e125", OLOCK_OK);
    TO_DOUBLE("1e-130", OLOCK_OK);
    TO_DOUBLE("1e22", OLOCK_OK);
    TO_DOUBLE("1e23", OLOCK_OK);
    TO_DOUBLE("123e30", OLOCK_OK);
    TO_DOUBLE("8.589973e9", OLOCK_OK);
    TO_DOUBLE("1e-22", OLOCK_OK);
    TO_DOUBLE("1e-23", OLOCK_OK);
    TO_DOUBLE("9007199254740991", OLOCK_OK);          /* 16 digits, but 2^53-1 is a double */
    TO_DOUBLE("9007199254740992", OLOCK_OK);
    TO_DOUBLE("9007199254740993", OLOCK_ERR_INEXACT); /* approx: tie, to even 2^53 */
    TO_DOUBLE("9007199254740995", OLOCK_ERR_INEXACT); /* approx: tie, to even 2^53+4 */
    TO_DOUBLE("123456789012345678", OLOCK_ERR_INEXACT);
    TO_DOUBLE("0.30000000000000004", OLOCK_OK);       /* what 0.1 + 0.2 writes reads back */
    TO_DOUBLE("12345678901234567890123456789012345678", OLOCK_ERR_INEXACT);
    TO_DOUBLE("9.9999999999999999999999999999999999999e125", OLOCK_ERR_INEXACT);
    TO_DOUBLE("1.2345678901234567890123456789012345678e-130", OLOCK_ERR_INEXACT);
    /* just around 2^-1074-free territory: halfway cases at 2^53..2^54 and a binade edge */
    TO_DOUBLE("18014398509481985", OLOCK_ERR_INEXACT);
    TO_DOUBLE("18014398509481986", OLOCK_ERR_INEXACT);
    TO_DOUBLE("18014398509481987", OLOCK_ERR_INEXACT);
    TO_DOUBLE("9007199254740991.5", OLOCK_ERR_INEXACT);
    TO_DOUBLE("9007199254740991.75", OLOCK_ERR_INEXACT);
    TO_DOUBLE("9007199254740991.25", OLOCK_ERR_INEXACT);
    TO_DOUBLE("0.50000000000000016653345369377348106", OLOCK_ERR_INEXACT); /* just below a tie */
    TO_DOUBLE("0.50000000000000016653345369377348107", OLOCK_ERR_INEXACT); /* just above */

    d = dec("9007199254740992");
    CHECK(olock_decimal_to_double_approx(&d, &x) == OLOCK_OK && x == 9007199254740992.0, "approx(2^53)");
    d.ndigits = 40;
    CHECK(olock_decimal_to_double_approx(&d, &x) == OLOCK_ERR_INVALID_ARG, "approx(invalid)");

    FROM_DOUBLE(0.1, OLOCK_OK, "0.1");
    FROM_DOUBLE(-0.1, OLOCK_OK, "-0.1");
    FROM_DOUBLE(0.0, OLOCK_OK, "0");
    FROM_DOUBLE(-0.0, OLOCK_OK, "0");
    FROM_DOUBLE(1.0, OLOCK_OK, "1");
    FROM_DOUBLE(100.0, OLOCK_OK, "100");
    FROM_DOUBLE(1.5, OLOCK_OK, "1.5");
    FROM_DOUBLE(0.1 + 0.2, OLOCK_OK, "0.30000000000000004");
    FROM_DOUBLE(9007199254740992.0, OLOCK_OK, "9007199254740992");
    FROM_DOUBLE(1e22, OLOCK_OK, "10000000000000000000000");
    FROM_DOUBLE(1e23, OLOCK_OK, "100000000000000000000000");
    FROM_DOUBLE(5e-324, OLOCK_ERR_LIMIT, NULL);
    FROM_DOUBLE(1e300, OLOCK_ERR_LIMIT, NULL);
    FROM_DOUBLE(-1e300, OLOCK_ERR_LIMIT, NULL);
    FROM_DOUBLE(1e-300, OLOCK_ERR_LIMIT, NULL);
    FROM_DOUBLE(1e126, OLOCK_ERR_LIMIT, NULL);
    FROM_DOUBLE(1e125, OLOCK_OK, NULL);
    FROM_DOUBLE(1e-130, OLOCK_OK, NULL);
    FROM_DOUBLE(1e-131, OLOCK_ERR_LIMIT, NULL);
    FROM_DOUBLE(HUGE_VAL, OLOCK_ERR_RANGE, NULL);
    FROM_DOUBLE(-HUGE_VAL, OLOCK_ERR_RANGE, NULL);
    FROM_DOUBLE(nan(""), OLOCK_ERR_RANGE, NULL);
    CHECK(olock_decimal_from_double(1.0, NULL) == OLOCK_ERR_INVALID_ARG, "from_double(out NULL)");

    CHECK(olock_decimal_from_double(third, &d) == OLOCK_OK, "from_double(1/3)");
    CHECK(strcmp(fmt(&d, buf), "0.3333333333333333") == 0, "from_double(1/3) = %s", buf);
    CHECK(olock_decimal_to_double(&d, &x) == OLOCK_OK && x == third, "to_double(from_double(1/3)) round trips");
    CHECK(olock_decimal_to_double_approx(&d, &x) == OLOCK_OK && x == third, "approx round trip of 1/3");
    CHECK(olock_decimal_from_double(1e-130, &d) == OLOCK_OK && olock_decimal_to_double(&d, &x) == OLOCK_OK &&
          x == 1e-130, "1e-130 round trip");
    /* the largest double below 2^53 and powers of two near binade edges */
    CHECK(olock_decimal_from_double(ldexp(1.0, 100), &d) == OLOCK_OK && olock_decimal_to_double_approx(&d, &x) ==
          OLOCK_OK && x == ldexp(1.0, 100), "2^100 round trip");
}

/* ---- randomized properties ---- */

static uint64_t g_rng = UINT64_C(0x9E3779B97F4A7C15);

static uint64_t rnd(void)
{
    g_rng ^= g_rng << 13;
    g_rng ^= g_rng >> 7;
    g_rng ^= g_rng << 17;
    return g_rng;
}

static int rnd_int(int lo, int hi)
{
    return lo + (int)(rnd() % (uint64_t)(hi - lo + 1));
}

static olock_decimal rnd_decimal(int max_digits)
{
    olock_decimal d;
    int i;
    memset(&d, 0, sizeof d);
    if (rnd_int(0, 30) == 0) return d;
    d.negative = rnd_int(0, 1);
    d.ndigits = rnd_int(1, max_digits);
    for (i = 0; i < d.ndigits; i++) d.digits[i] = (unsigned char)rnd_int(0, 9);
    d.digits[0] = (unsigned char)rnd_int(1, 9);
    d.digits[d.ndigits - 1] = (unsigned char)rnd_int(1, 9);
    switch (rnd_int(0, 3)) {
    case 0: d.exp10 = rnd_int(-129, 126); break;
    case 1: d.exp10 = rnd_int(-5, 25); break;
    case 2: d.exp10 = rnd_int(120, 126); break;
    default: d.exp10 = rnd_int(-129, -110); break;
    }
    return d;
}

static int same_decimal(const olock_decimal *a, const olock_decimal *b)
{
    if (a->ndigits == 0 || b->ndigits == 0) return a->ndigits == b->ndigits;
    return a->negative == b->negative && a->exp10 == b->exp10 && a->ndigits == b->ndigits &&
           memcmp(a->digits, b->digits, (size_t)a->ndigits) == 0;
}

static void test_random(void)
{
    int i, bad_rt = 0, bad_ab = 0, bad_cmp = 0, bad_dbl = 0, bad_from = 0, bad_tie = 0, limits = 0, oks = 0;
    char buf[OLOCK_NUMBER_TEXT_MAX + 1], buf2[64];

    for (i = 0; i < 20000; i++) {
        olock_decimal a = rnd_decimal(38), b, s, back, p;
        olock_result r;
        double x, oracle;
        b = rnd_decimal(rnd_int(0, 1) ? 38 : 5);
        if (rnd_int(0, 3) == 0 && a.ndigits > 0 && b.ndigits > 0 && a.exp10 > -126) b.exp10 = a.exp10 - rnd_int(0, 3);
        /* parse(format(x)) == x */
        olock_decimal_format(&a, buf);
        if (olock_decimal_parse(buf, strlen(buf), &p, NULL) != OLOCK_OK || !same_decimal(&a, &p)) {
            if (bad_rt++ < 5) printf("  round trip of %s failed\n", buf);
        }
        /* a + b - b == a whenever a + b is representable */
        r = olock_decimal_add(&a, &b, &s);
        if (r == OLOCK_OK) {
            oks++;
            if (olock_decimal_sub(&s, &b, &back) != OLOCK_OK || !same_decimal(&back, &a)) {
                if (bad_ab++ < 5) printf("  (a+b)-b != a for a=%s\n", buf);
            }
            /* sign consistency: b > 0 <=> a + b > a */
            if (olock_decimal_cmp(&s, &a) != (b.ndigits == 0 ? 0 : b.negative ? -1 : 1)) {
                if (bad_cmp++ < 5) printf("  cmp(a+b, a) inconsistent for a=%s\n", buf);
            }
        } else if (r == OLOCK_ERR_LIMIT) {
            limits++;
        } else {
            if (bad_ab++ < 5) printf("  a+b = %d for a=%s\n", (int)r, buf);
        }
        /* a - a == 0, a + (-a) == 0 */
        if (olock_decimal_sub(&a, &a, &s) != OLOCK_OK || s.ndigits != 0) bad_ab++;
        /* cmp antisymmetry */
        if (olock_decimal_cmp(&a, &b) != -olock_decimal_cmp(&b, &a)) bad_cmp++;
        /* to_double_approx is correctly rounded (glibc strtod as the oracle) */
        oracle = strtod(buf, NULL);
        if (olock_decimal_to_double_approx(&a, &x) != OLOCK_OK || x != oracle) {
            if (bad_dbl++ < 5) printf("  to_double_approx(%s) = %.17g, want %.17g\n", buf, x, oracle);
        }
    }
    CHECK(bad_rt == 0, "random parse(format(x)) == x: %d failures", bad_rt);
    CHECK(bad_ab == 0, "random a+b-b == a: %d failures", bad_ab);
    CHECK(bad_cmp == 0, "random cmp consistency: %d failures", bad_cmp);
    CHECK(bad_dbl == 0, "random to_double_approx vs strtod: %d failures", bad_dbl);
    CHECK(oks > 1000 && limits > 1000, "random add mix: %d ok, %d limit", oks, limits);

    /* from_double: reads back, and no longer than the shortest %.*g that reads back */
    for (i = 0; i < 20000; i++) {
        double v, y;
        uint64_t bits;
        olock_decimal d;
        int k;
        if (i % 2) {
            bits = rnd();
            bits = (bits & ~(UINT64_C(0x7ff) << 52)) | ((uint64_t)rnd_int(1023 - 431, 1023 + 417) << 52);
            memcpy(&v, &bits, sizeof v);
        } else {
            olock_decimal q = rnd_decimal(17);
            olock_decimal_format(&q, buf);
            v = strtod(buf, NULL);
        }
        if (v == 0.0 || fabs(v) < 1.0000000000000001e-130 || fabs(v) >= 9.9999999999999e125) continue;
        if (olock_decimal_from_double(v, &d) != OLOCK_OK) {
            if (bad_from++ < 5) printf("  from_double(%.17g) failed\n", v);
            continue;
        }
        if (olock_decimal_to_double_approx(&d, &y) != OLOCK_OK || y != v) {
            if (bad_from++ < 5) printf("  from_double(%.17g) does not read back\n", v);
            continue;
        }
        for (k = 1; k <= 17; k++) {
            snprintf(buf2, sizeof buf2, "%.*e", k - 1, v);
            if (strtod(buf2, NULL) == v) break;
        }
        if (d.ndigits > k) {
            if (bad_from++ < 5) printf("  from_double(%.17g): %d digits, %s has %d\n", v, d.ndigits, buf2, k);
        } else if (d.ndigits == k) {
            olock_decimal e = dec(buf2);
            if (olock_decimal_cmp(&d, &e) != 0 && bad_from++ < 5)
                printf("  from_double(%.17g) = %s, want %s\n", v, fmt(&d, buf), buf2);
        }
    }
    CHECK(bad_from == 0, "random from_double shortest round trip: %d failures", bad_from);

    /* Exact ties between two doubles, written with at most 38 digits: round half to even.
       long double (x87, 64-bit mantissa) holds the midpoint exactly on x86. */
    if (sizeof(long double) > sizeof(double) && LDBL_MANT_DIG >= 64) {
        int tested = 0;
        for (i = 0; i < 20000; i++) {
            uint64_t bits = rnd();
            double v, up, y;
            long double mid;
            olock_decimal d;
            int e = rnd_int(-60, 60);
            bits = (bits & ~(UINT64_C(0x7ff) << 52)) | ((uint64_t)(1023 + e) << 52);
            memcpy(&v, &bits, sizeof v);
            v = fabs(v);
            up = nextafter(v, HUGE_VAL);
            mid = ((long double)v + (long double)up) / 2;
            snprintf(buf, sizeof buf, "%.45Le", mid);
            if (strtold(buf, NULL) != mid) continue; /* not printed exactly */
            if (olock_decimal_parse(buf, strlen(buf), &d, NULL) != OLOCK_OK) continue; /* > 38 digits */
            tested++;
            if (olock_decimal_to_double_approx(&d, &y) != OLOCK_OK || y != strtod(buf, NULL)) {
                if (bad_tie++ < 5) printf("  tie %s -> %.17g, want %.17g\n", buf, y, strtod(buf, NULL));
            }
        }
        CHECK(bad_tie == 0 && tested > 1000, "exact ties: %d failures of %d", bad_tie, tested);
    }
}

/* Random texts over the number alphabet: parse never misbehaves, and what it accepts has the
   value strtod reads (which also consumes the whole text). */
static void test_parse_random(void)
{
    static const char alphabet[] = "0000123456789..eE+- x";
    int i, bad = 0, accepted = 0;
    char text[64], buf[OLOCK_NUMBER_TEXT_MAX + 1];
    for (i = 0; i < 100000; i++) {
        int n = rnd_int(0, 40), j;
        olock_decimal d, back;
        olock_error err;
        olock_result r;
        for (j = 0; j < n; j++) text[j] = alphabet[rnd() % (sizeof alphabet - 1)];
        text[n] = '\0';
        r = olock_decimal_parse(text, (size_t)n, &d, &err);
        if (r == OLOCK_ERR_PARSE) {
            if (err.offset > (size_t)n && bad++ < 5) printf("  '%s': offset %lu\n", text, (unsigned long)err.offset);
        } else if (r == OLOCK_OK) {
            char *end = NULL;
            double want = strtod(text, &end), got = 0;
            accepted++;
            olock_decimal_format(&d, buf);
            if (olock_decimal_parse(buf, strlen(buf), &back, NULL) != OLOCK_OK || !same_decimal(&d, &back) ||
                end != text + n || olock_decimal_to_double_approx(&d, &got) != OLOCK_OK || got != want) {
                if (bad++ < 5) printf("  '%s' -> '%s' (strtod %.17g)\n", text, buf, want);
            }
        } else if (r != OLOCK_ERR_LIMIT) {
            if (bad++ < 5) printf("  '%s': result %d\n", text, (int)r);
        }
    }
    CHECK(bad == 0 && accepted > 1000, "random texts: %d bad, %d accepted", bad, accepted);
}

int main(void)
{
    test_parse_syntax();
    test_parse_limits();
    test_format();
    test_cmp();
    test_addsub();
    test_integers();
    test_doubles();
    test_random();
    test_parse_random();
    printf("%d passed, %d failed\n", g_pass, g_fail);
    return g_fail == 0 ? 0 : 1;
}
