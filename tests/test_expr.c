/* Tests of the expression builders: exact strings and maps for every operator and function,
   paths, reserved words, limits, overlaps, raw expressions merged with the caller's maps,
   sticky errors, allocation behaviour.

   Build (from the repository root):
     mkdir -p build && gcc -std=c99 -Wall -Wextra -Wpedantic -Werror -Wshadow -Wundef \
       -Wstrict-prototypes -Wmissing-prototypes -fsanitize=address,undefined -g -I. \
       tests/test_expr.c -o build/test_expr
   Run from the repository root: it reads tests/data/dynamodb-reserved-words.txt (set
   OLOCK_TEST_DATA to the tests/data folder to run from elsewhere; a missing file is a failure).
   Prints one line per failing check and ends with "N passed, N failed"; the exit status is
   non-zero on failure. */

#ifndef OLOCK_TEST_LINKED   /* else the Makefile links build/<flavour>/libolock_impl.a (tests/impl/) */
#define OLOCK_IMPLEMENTATION
#endif
#include "olock.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int g_pass, g_fail;

static void check(int ok, const char *label, const char *detail) {
    if (ok) { g_pass++; return; }
    g_fail++;
    printf("FAIL %s%s%s\n", label, detail ? ": " : "", detail ? detail : "");
}

static void check_str(const char *label, const char *got, const char *want) {
    char detail[9000];
    int ok = (got == NULL && want == NULL) || (got && want && strcmp(got, want) == 0);
    if (!ok) {
        size_t n = 0;
        const char *parts[4];
        int k;
        parts[0] = "got ["; parts[1] = got ? got : "(null)"; parts[2] = "] want ["; parts[3] = want ? want : "(null)";
        for (k = 0; k < 4; k++) {
            size_t l = strlen(parts[k]);
            if (n + l >= sizeof detail - 2) l = sizeof detail - 2 - n;
            memcpy(detail + n, parts[k], l);
            n += l;
        }
        detail[n++] = ']';
        detail[n] = 0;
    }
    check(ok, label, ok ? NULL : detail);
}

/* ---- printing maps --------------------------------------------------------------------- */

typedef struct sbuf { char d[65536]; size_t n; } sbuf;

static void sb_put(sbuf *b, const char *s, size_t n) {
    if (b->n + n >= sizeof b->d) n = sizeof b->d - 1 - b->n;
    memcpy(b->d + b->n, s, n);
    b->n += n;
    b->d[b->n] = 0;
}
static void sb_puts(sbuf *b, const char *s) { sb_put(b, s, strlen(s)); }

static void value_text(sbuf *b, const olock_value *v) {
    const olock_value *m;
    switch (v->type) {
    case OLOCK_TYPE_S: sb_puts(b, "S:"); sb_put(b, v->str, v->len); return;
    case OLOCK_TYPE_N: sb_puts(b, "N:"); sb_put(b, v->str, v->len); return;
    case OLOCK_TYPE_B: sb_puts(b, "B:"); sb_put(b, v->str, v->len); return;
    case OLOCK_TYPE_BOOL: sb_puts(b, v->boolean ? "BOOL:1" : "BOOL:0"); return;
    case OLOCK_TYPE_NULL: sb_puts(b, "NULL"); return;
    default: break;
    }
    sb_puts(b, olock_type_name(v->type));
    sb_puts(b, v->type == OLOCK_TYPE_M ? "{" : "[");
    for (m = v->first; m; m = m->next) {
        if (m != v->first) sb_puts(b, ",");
        if (v->type == OLOCK_TYPE_M) { sb_put(b, m->key, m->key_len); sb_puts(b, "="); }
        if (v->type >= OLOCK_TYPE_SS) sb_put(b, m->str, m->len);
        else value_text(b, m);
    }
    sb_puts(b, v->type == OLOCK_TYPE_M ? "}" : "]");
}

/* "#n0=a,#n1=b" for names; ":v0=N:1,:v1=S:x" for values; NULL for a NULL map. */
static const char *map_text(sbuf *b, const olock_value *map) {
    const olock_value *m;
    b->n = 0;
    b->d[0] = 0;
    if (!map) return NULL;
    for (m = map->first; m; m = m->next) {
        if (m != map->first) sb_puts(b, ",");
        sb_put(b, m->key, m->key_len);
        sb_puts(b, "=");
        if (m->type == OLOCK_TYPE_S && m->key[0] == '#') sb_put(b, m->str, m->len);
        else value_text(b, m);
    }
    return b->d;
}

static sbuf g_sb1, g_sb2;

/* label + suffix into buf (200 bytes). */
static const char *join(char *buf, const char *label, const char *suffix) {
    size_t a = strlen(label), b = strlen(suffix);
    if (a > 150) a = 150;
    if (b > 40) b = 40;
    memcpy(buf, label, a);
    memcpy(buf + a, suffix, b);
    buf[a + b] = 0;
    return buf;
}

/* Renders and compares every output; NULL means "expect NULL". */
static void expect_all(const char *label, olock_expr *e, const char *cond, const char *upd, const char *proj,
                       const char *kc, const char *filter, const char *names, const char *values) {
    olock_expr_output o;
    olock_error err;
    char l[200];
    olock_result rc = olock_expr_render(e, &o, &err);
    if (rc != OLOCK_OK) {
        char d[600];
        size_t n = strlen(err.message);
        memcpy(d, "render failed: ", 15);
        if (n > sizeof d - 16) n = sizeof d - 16;
        memcpy(d + 15, err.message, n);
        d[15 + n] = 0;
        check(0, label, d);
        return;
    }
#define L(suffix) join(l, label, suffix)
    check_str(L(" condition"), o.condition, cond);
    check_str(L(" update"), o.update, upd);
    check_str(L(" projection"), o.projection, proj);
    check_str(L(" key condition"), o.key_condition, kc);
    check_str(L(" filter"), o.filter, filter);
    check_str(L(" names"), map_text(&g_sb1, o.names), names);
    check_str(L(" values"), map_text(&g_sb2, o.values), values);
#undef L
}

static void expect_cond(const char *label, olock_expr *e, const char *cond, const char *names, const char *values) {
    expect_all(label, e, cond, NULL, NULL, NULL, NULL, names, values);
}

static void expect_update(const char *label, olock_expr *e, const char *upd, const char *names, const char *values) {
    expect_all(label, e, NULL, upd, NULL, NULL, NULL, names, values);
}

/* Renders and expects failure `code` with `part` in the message. */
static void expect_err(const char *label, olock_expr *e, olock_result code, const char *part) {
    olock_expr_output o;
    olock_error err;
    char d[700];
    olock_result rc = olock_expr_render(e, &o, &err);
    int ok = rc == code && err.code == code && strstr(err.message, part) != NULL;
    if (!ok) {
        size_t n;
        const char *rs = olock_result_str(rc);
        n = strlen(rs);
        memcpy(d, rs, n);
        d[n++] = ':';
        d[n++] = ' ';
        memcpy(d + n, err.message, strlen(err.message) + 1);
    }
    check(ok, label, ok ? NULL : d);
}

/* ---- conditions ------------------------------------------------------------------------ */

static void test_comparisons(olock_expr *e) {
    static const struct { olock_cmp op; const char *text; } ops[] = {
        { OLOCK_CMP_EQ, "#n0 = :v0" }, { OLOCK_CMP_NE, "#n0 <> :v0" }, { OLOCK_CMP_LT, "#n0 < :v0" },
        { OLOCK_CMP_LE, "#n0 <= :v0" }, { OLOCK_CMP_GT, "#n0 > :v0" }, { OLOCK_CMP_GE, "#n0 >= :v0" }
    };
    size_t k;
    for (k = 0; k < sizeof ops / sizeof ops[0]; k++) {
        olock_expr_reset(e);
        olock_expr_add_condition(e, olock_cond_cmp(e, "gold", ops[k].op, olock_expr_i64(e, 5)));
        expect_cond(ops[k].text, e, ops[k].text, "#n0=gold", ":v0=N:5");
    }
    olock_expr_reset(e);
    olock_expr_add_condition(e, olock_cond_eq(e, "a", olock_expr_s(e, "x")));
    expect_cond("eq", e, "#n0 = :v0", "#n0=a", ":v0=S:x");
    olock_expr_reset(e);
    olock_expr_add_condition(e, olock_cond_ne(e, "a", olock_expr_bool(e, 1)));
    expect_cond("ne", e, "#n0 <> :v0", "#n0=a", ":v0=BOOL:1");
    olock_expr_reset(e);
    olock_expr_add_condition(e, olock_cond_lt(e, "a", olock_expr_n(e, "1.50")));
    expect_cond("lt", e, "#n0 < :v0", "#n0=a", ":v0=N:1.5");
    olock_expr_reset(e);
    olock_expr_add_condition(e, olock_cond_le(e, "a", olock_expr_i64(e, -3)));
    expect_cond("le", e, "#n0 <= :v0", "#n0=a", ":v0=N:-3");
    olock_expr_reset(e);
    olock_expr_add_condition(e, olock_cond_gt(e, "a", olock_expr_s(e, "m")));
    expect_cond("gt", e, "#n0 > :v0", "#n0=a", ":v0=S:m");
    olock_expr_reset(e);
    olock_expr_add_condition(e, olock_cond_ge(e, "a", olock_expr_i64(e, 0)));
    expect_cond("ge", e, "#n0 >= :v0", "#n0=a", ":v0=N:0");

    olock_expr_reset(e);
    olock_expr_add_condition(e, olock_cond_cmp_path(e, "a.b", OLOCK_CMP_LT, "c[2]"));
    expect_cond("path < path", e, "#n0.#n1 < #n2[2]", "#n0=a,#n1=b,#n2=c", NULL);
    olock_expr_reset(e);
    olock_expr_add_condition(e, olock_cond_cmp_path(e, "a", OLOCK_CMP_EQ, "a"));
    expect_err("path = same path", e, OLOCK_ERR_EXPRESSION, "compares path a with itself");

    olock_expr_reset(e);
    olock_expr_add_condition(e, olock_cond_size_cmp(e, "tags", OLOCK_CMP_GT, olock_expr_i64(e, 3)));
    expect_cond("size >", e, "size(#n0) > :v0", "#n0=tags", ":v0=N:3");
    olock_expr_reset(e);
    olock_expr_add_condition(e, olock_cond_compare(e, olock_operand_size(e, "a"), OLOCK_CMP_LE, olock_operand_size(e, "b")));
    expect_cond("size <= size", e, "size(#n0) <= size(#n1)", "#n0=a,#n1=b", NULL);
    olock_expr_reset(e);
    olock_expr_add_condition(e, olock_cond_compare(e, olock_operand_value(e, olock_expr_i64(e, 7)), OLOCK_CMP_EQ,
                                                          olock_operand_path(e, "x")));
    expect_cond("value = path", e, ":v0 = #n0", "#n0=x", ":v0=N:7");
    olock_expr_reset(e);
    olock_expr_add_condition(e, olock_cond_compare(e, olock_operand_size(e, "a"), OLOCK_CMP_GT, olock_operand_path(e, "n")));
    expect_cond("size > path", e, "size(#n0) > #n1", "#n0=a,#n1=n", NULL);

    olock_expr_reset(e);
    olock_expr_add_condition(e, olock_cond_lt(e, "a", olock_expr_bool(e, 1)));
    expect_err("< on BOOL", e, OLOCK_ERR_TYPE, "< needs N, S or B values, got BOOL");
    olock_expr_reset(e);
    olock_expr_add_condition(e, olock_cond_cmp(e, "a", (olock_cmp)0, olock_expr_i64(e, 1)));
    expect_err("bad operator", e, OLOCK_ERR_INVALID_ARG, "invalid comparison operator");
    olock_expr_reset(e);
    olock_expr_add_condition(e, olock_cond_eq(e, "a", NULL));
    expect_err("NULL value", e, OLOCK_ERR_INVALID_ARG, "olock_cond_eq: NULL value");
    olock_expr_reset(e);
    olock_expr_add_condition(e, olock_cond_eq(e, NULL, olock_expr_i64(e, 1)));
    expect_err("NULL path", e, OLOCK_ERR_INVALID_ARG, "olock_cond_eq: NULL path");
}

static void test_between_in(olock_expr *e) {
    const olock_value *vals[101];
    char want[4096];
    size_t k, n;

    olock_expr_reset(e);
    olock_expr_add_condition(e, olock_cond_between(e, "score", olock_expr_i64(e, 10), olock_expr_i64(e, 20)));
    expect_cond("between", e, "#n0 BETWEEN :v0 AND :v1", "#n0=score", ":v0=N:10,:v1=N:20");
    olock_expr_reset(e);
    olock_expr_add_condition(e, olock_cond_between(e, "s", olock_expr_s(e, "a"), olock_expr_s(e, "a")));
    expect_cond("between equal bounds", e, "#n0 BETWEEN :v0 AND :v1", "#n0=s", ":v0=S:a,:v1=S:a");
    olock_expr_reset(e);
    olock_expr_add_condition(e, olock_cond_between(e, "n", olock_expr_i64(e, 9), olock_expr_n(e, "10")));
    expect_cond("between numeric order", e, "#n0 BETWEEN :v0 AND :v1", "#n0=n", ":v0=N:9,:v1=N:10");
    olock_expr_reset(e);
    olock_expr_add_condition(e, olock_cond_between(e, "n", olock_expr_i64(e, 5), olock_expr_i64(e, 1)));
    expect_err("between reversed", e, OLOCK_ERR_EXPRESSION, "lower bound is greater");
    olock_expr_reset(e);
    olock_expr_add_condition(e, olock_cond_between(e, "s", olock_expr_s(e, "b"), olock_expr_s(e, "a")));
    expect_err("between reversed S", e, OLOCK_ERR_EXPRESSION, "lower bound is greater");
    olock_expr_reset(e);
    olock_expr_add_condition(e, olock_cond_between(e, "n", olock_expr_i64(e, 1), olock_expr_s(e, "b")));
    expect_err("between mixed", e, OLOCK_ERR_TYPE, "different types (N and S)");
    olock_expr_reset(e);
    olock_expr_add_condition(e, olock_cond_between(e, "n", olock_expr_bool(e, 0), olock_expr_bool(e, 1)));
    expect_err("between BOOL", e, OLOCK_ERR_TYPE, "BETWEEN needs N, S or B");
    olock_expr_reset(e);
    olock_expr_add_condition(e, olock_cond_between_operands(e, olock_operand_path(e, "a"), olock_operand_path(e, "lo"),
                                                                   olock_operand_size(e, "hi")));
    expect_cond("between operands", e, "#n0 BETWEEN #n1 AND size(#n2)", "#n0=a,#n1=lo,#n2=hi", NULL);
    olock_expr_reset(e);
    olock_expr_add_condition(e, olock_cond_between_operands(e, olock_operand_path(e, "a"), olock_operand_path(e, "a"),
                                                                   olock_operand_path(e, "b")));
    expect_err("between same path", e, OLOCK_ERR_EXPRESSION, "BETWEEN compares path a with itself");

    olock_expr_reset(e);
    vals[0] = olock_expr_s(e, "red");
    vals[1] = olock_expr_s(e, "green");
    vals[2] = olock_expr_s(e, "red");
    olock_expr_add_condition(e, olock_cond_in(e, "color", vals, 3));
    expect_cond("in", e, "#n0 IN (:v0, :v1, :v2)", "#n0=color", ":v0=S:red,:v1=S:green,:v2=S:red");
    olock_expr_reset(e);
    vals[0] = olock_expr_i64(e, 1);
    olock_expr_add_condition(e, olock_cond_in(e, "x", vals, 1));
    expect_cond("in one", e, "#n0 IN (:v0)", "#n0=x", ":v0=N:1");
    {
        const olock_operand *ops[2];
        olock_expr_reset(e);
        ops[0] = olock_operand_path(e, "y");
        ops[1] = olock_operand_value(e, olock_expr_i64(e, 4));
        olock_expr_add_condition(e, olock_cond_in_operands(e, olock_operand_path(e, "x"), ops, 2));
        expect_cond("in operands", e, "#n0 IN (#n1, :v0)", "#n0=x,#n1=y", ":v0=N:4");
    }

    olock_expr_reset(e);
    for (k = 0; k < 101; k++) vals[k] = olock_expr_i64(e, (int64_t)k);
    olock_expr_add_condition(e, olock_cond_in(e, "x", vals, 100));
    n = 0;
    memcpy(want, "#n0 IN (", 8); n = 8;
    for (k = 0; k < 100; k++) {
        char ph[16];
        int l = 0;
        size_t v = k;
        char rev[8];
        if (k) { want[n++] = ','; want[n++] = ' '; }
        ph[l++] = ':'; ph[l++] = 'v';
        { int r = 0; do { rev[r++] = (char)('0' + v % 10); v /= 10; } while (v); while (r) ph[l++] = rev[--r]; }
        memcpy(want + n, ph, (size_t)l);
        n += (size_t)l;
    }
    want[n++] = ')';
    want[n] = 0;
    {
        olock_expr_output o;
        olock_result rc = olock_expr_render(e, &o, NULL);
        check(rc == OLOCK_OK, "in 100 renders", NULL);
        if (rc == OLOCK_OK) {
            check_str("in 100 text", o.condition, want);
            check(o.values && o.values->count == 100, "in 100 values", NULL);
        }
    }
    olock_expr_reset(e);
    for (k = 0; k < 101; k++) vals[k] = olock_expr_i64(e, (int64_t)k);
    olock_expr_add_condition(e, olock_cond_in(e, "x", vals, 101));
    expect_err("in 101", e, OLOCK_ERR_LIMIT, "IN takes at most 100 operands, got 101");
    olock_expr_reset(e);
    olock_expr_add_condition(e, olock_cond_in(e, "x", vals, 0));
    expect_err("in 0", e, OLOCK_ERR_EXPRESSION, "IN needs at least one operand");
    {
        const olock_operand *ops[1];
        olock_expr_reset(e);
        ops[0] = olock_operand_path(e, "x");
        olock_expr_add_condition(e, olock_cond_in_operands(e, olock_operand_path(e, "x"), ops, 1));
        expect_err("in same path", e, OLOCK_ERR_EXPRESSION, "IN compares path x with itself");
    }
}

static void test_functions(olock_expr *e) {
    static const struct { olock_type t; const char *v; } types[] = {
        { OLOCK_TYPE_S, ":v0=S:S" }, { OLOCK_TYPE_N, ":v0=S:N" }, { OLOCK_TYPE_B, ":v0=S:B" },
        { OLOCK_TYPE_BOOL, ":v0=S:BOOL" }, { OLOCK_TYPE_NULL, ":v0=S:NULL" }, { OLOCK_TYPE_M, ":v0=S:M" },
        { OLOCK_TYPE_L, ":v0=S:L" }, { OLOCK_TYPE_SS, ":v0=S:SS" }, { OLOCK_TYPE_NS, ":v0=S:NS" },
        { OLOCK_TYPE_BS, ":v0=S:BS" }
    };
    size_t k;
    olock_expr_reset(e);
    olock_expr_add_condition(e, olock_cond_attribute_exists(e, "id"));
    expect_cond("attribute_exists", e, "attribute_exists(#n0)", "#n0=id", NULL);
    olock_expr_reset(e);
    olock_expr_add_condition(e, olock_cond_attribute_not_exists(e, "a.b[1]"));
    expect_cond("attribute_not_exists", e, "attribute_not_exists(#n0.#n1[1])", "#n0=a,#n1=b", NULL);
    for (k = 0; k < sizeof types / sizeof types[0]; k++) {
        olock_expr_reset(e);
        olock_expr_add_condition(e, olock_cond_attribute_type(e, "x", types[k].t));
        expect_cond("attribute_type", e, "attribute_type(#n0, :v0)", "#n0=x", types[k].v);
    }
    olock_expr_reset(e);
    olock_expr_add_condition(e, olock_cond_attribute_type(e, "x", (olock_type)0));
    expect_err("attribute_type bad", e, OLOCK_ERR_INVALID_ARG, "invalid type 0");
    olock_expr_reset(e);
    olock_expr_add_condition(e, olock_cond_begins_with(e, "name", olock_expr_s(e, "Jo")));
    expect_cond("begins_with", e, "begins_with(#n0, :v0)", "#n0=name", ":v0=S:Jo");
    olock_expr_reset(e);
    olock_expr_add_condition(e, olock_cond_begins_with(e, "name", olock_expr_i64(e, 1)));
    expect_err("begins_with N", e, OLOCK_ERR_TYPE, "begins_with() needs S or B values, got N");
    olock_expr_reset(e);
    olock_expr_add_condition(e, olock_cond_contains(e, "tags", olock_expr_s(e, "red")));
    expect_cond("contains", e, "contains(#n0, :v0)", "#n0=tags", ":v0=S:red");
    olock_expr_reset(e);
    olock_expr_add_condition(e, olock_cond_contains_operands(e, olock_operand_path(e, "a"), olock_operand_path(e, "b")));
    expect_cond("contains path", e, "contains(#n0, #n1)", "#n0=a,#n1=b", NULL);
    olock_expr_reset(e);
    olock_expr_add_condition(e, olock_cond_begins_with_operands(e, olock_operand_value(e, olock_expr_s(e, "p")),
                                                                        olock_operand_path(e, "b")));
    expect_cond("begins_with value first", e, "begins_with(:v0, #n0)", "#n0=b", ":v0=S:p");
    olock_expr_reset(e);
    olock_expr_add_condition(e, olock_cond_contains_operands(e, olock_operand_size(e, "a"), olock_operand_path(e, "b")));
    expect_err("contains size", e, OLOCK_ERR_EXPRESSION, "size() is a number");
    olock_expr_reset(e);
    olock_expr_add_condition(e, olock_cond_compare(e, olock_operand_if_not_exists(e, "a", olock_operand_value(e, olock_expr_i64(e, 1))),
                                                          OLOCK_CMP_EQ, olock_operand_path(e, "b")));
    expect_err("if_not_exists in condition", e, OLOCK_ERR_EXPRESSION, "if_not_exists() is only allowed in an update's SET");
}

static void test_logic(olock_expr *e) {
    const olock_cond *a, *b, *c;
    olock_expr_reset(e);
    a = olock_cond_eq(e, "a", olock_expr_i64(e, 1));
    b = olock_cond_eq(e, "b", olock_expr_i64(e, 2));
    c = olock_cond_eq(e, "c", olock_expr_i64(e, 3));
    olock_expr_add_condition(e, olock_cond_and(e, olock_cond_or(e, a, b), c));
    expect_cond("(a OR b) AND c", e, "(#n0 = :v0 OR #n1 = :v1) AND #n2 = :v2", "#n0=a,#n1=b,#n2=c", ":v0=N:1,:v1=N:2,:v2=N:3");

    olock_expr_reset(e);
    a = olock_cond_eq(e, "a", olock_expr_i64(e, 1));
    b = olock_cond_eq(e, "b", olock_expr_i64(e, 2));
    c = olock_cond_eq(e, "c", olock_expr_i64(e, 3));
    olock_expr_add_condition(e, olock_cond_or(e, olock_cond_and(e, a, b), c));
    expect_cond("a AND b OR c", e, "#n0 = :v0 AND #n1 = :v1 OR #n2 = :v2", "#n0=a,#n1=b,#n2=c", ":v0=N:1,:v1=N:2,:v2=N:3");

    olock_expr_reset(e);
    a = olock_cond_eq(e, "a", olock_expr_i64(e, 1));
    b = olock_cond_eq(e, "b", olock_expr_i64(e, 2));
    c = olock_cond_eq(e, "c", olock_expr_i64(e, 3));
    olock_expr_add_condition(e, olock_cond_and(e, a, olock_cond_and(e, b, c)));
    expect_cond("a AND (b AND c)", e, "#n0 = :v0 AND #n1 = :v1 AND #n2 = :v2", "#n0=a,#n1=b,#n2=c", ":v0=N:1,:v1=N:2,:v2=N:3");

    olock_expr_reset(e);
    a = olock_cond_eq(e, "a", olock_expr_i64(e, 1));
    b = olock_cond_eq(e, "b", olock_expr_i64(e, 2));
    olock_expr_add_condition(e, olock_cond_not(e, olock_cond_and(e, a, b)));
    expect_cond("NOT (a AND b)", e, "NOT (#n0 = :v0 AND #n1 = :v1)", "#n0=a,#n1=b", ":v0=N:1,:v1=N:2");

    olock_expr_reset(e);
    olock_expr_add_condition(e, olock_cond_not(e, olock_cond_not(e, olock_cond_attribute_exists(e, "a"))));
    expect_cond("NOT NOT", e, "NOT NOT attribute_exists(#n0)", "#n0=a", NULL);

    olock_expr_reset(e);
    a = olock_cond_between(e, "a", olock_expr_i64(e, 1), olock_expr_i64(e, 2));
    b = olock_cond_attribute_exists(e, "b");
    olock_expr_add_condition(e, olock_cond_and(e, a, olock_cond_not(e, a)));
    olock_expr_add_condition(e, olock_cond_or(e, b, a));
    expect_cond("BETWEEN parenthesised", e,
                "(#n0 BETWEEN :v0 AND :v1) AND NOT (#n0 BETWEEN :v2 AND :v3) AND (attribute_exists(#n1) OR (#n0 BETWEEN :v4 AND :v5))",
                "#n0=a,#n1=b", ":v0=N:1,:v1=N:2,:v2=N:1,:v3=N:2,:v4=N:1,:v5=N:2");

    /* add_condition ANDs onto what is there: the versioned engine's use */
    olock_expr_reset(e);
    olock_expr_add_condition(e, olock_cond_or(e, olock_cond_eq(e, "a", olock_expr_i64(e, 1)), olock_cond_eq(e, "b", olock_expr_i64(e, 2))));
    olock_expr_add_condition(e, olock_cond_eq(e, "version", olock_expr_i64(e, 7)));
    expect_cond("add_condition ANDs", e, "(#n0 = :v0 OR #n1 = :v1) AND #n2 = :v2", "#n0=a,#n1=b,#n2=version", ":v0=N:1,:v1=N:2,:v2=N:7");

    olock_expr_reset(e);
    olock_expr_add_condition(e, olock_cond_and(e, olock_cond_attribute_exists(e, "a"), NULL));
    expect_err("and NULL", e, OLOCK_ERR_INVALID_ARG, "olock_cond_and: NULL condition");

    /* deep nesting is refused when built, not when rendered */
    {
        const olock_cond *x;
        int k;
        olock_expr_reset(e);
        x = olock_cond_attribute_exists(e, "a");
        for (k = 0; k < 400 && x; k++) x = olock_cond_not(e, x);
        check(x == NULL, "deep NOT chain refused", NULL);
        expect_err("deep NOT chain", e, OLOCK_ERR_LIMIT, "nested more than 300 levels");
    }
}

/* Placeholders are numbered in text order while rendering, so the unspecified evaluation
   order of C function arguments cannot change them. */
static void test_numbering(olock_expr *e) {
    const olock_cond *x;
    olock_expr_reset(e);
    x = olock_cond_and(e, olock_cond_eq(e, "first", olock_expr_i64(e, 1)), olock_cond_eq(e, "second", olock_expr_i64(e, 2)));
    olock_expr_add_condition(e, x);
    expect_cond("text order", e, "#n0 = :v0 AND #n1 = :v1", "#n0=first,#n1=second", ":v0=N:1,:v1=N:2");

    /* names shared by condition, update, projection; values never shared */
    olock_expr_reset(e);
    olock_expr_set(e, "b", olock_expr_i64(e, 5));
    olock_expr_set(e, "a.b", olock_expr_i64(e, 5));
    olock_expr_add_condition(e, olock_cond_eq(e, "a", olock_expr_i64(e, 5)));
    olock_expr_add_projection(e, "b");
    olock_expr_add_projection(e, "a.c");
    expect_all("shared namespace", e, "#n0 = :v0", "SET #n1 = :v1, #n0.#n1 = :v2", "#n1, #n0.#n2", NULL, NULL,
               "#n0=a,#n1=b,#n2=c", ":v0=N:5,:v1=N:5,:v2=N:5");

    /* a condition used twice renders twice, with fresh values */
    olock_expr_reset(e);
    x = olock_cond_eq(e, "a", olock_expr_i64(e, 1));
    olock_expr_add_condition(e, olock_cond_or(e, x, x));
    expect_cond("reused handle", e, "#n0 = :v0 OR #n0 = :v1", "#n0=a", ":v0=N:1,:v1=N:1");

    /* rendering twice gives the same result */
    expect_cond("render again", e, "#n0 = :v0 OR #n0 = :v1", "#n0=a", ":v0=N:1,:v1=N:1");

    /* empty builder */
    olock_expr_reset(e);
    expect_all("empty", e, NULL, NULL, NULL, NULL, NULL, NULL, NULL);
}

/* ---- updates --------------------------------------------------------------------------- */

static olock_value *make_set(olock_arena *a, olock_type t, const char *m1, const char *m2) {
    olock_value *s = olock_value_new_container(a, t);
    olock_type mt = t == OLOCK_TYPE_SS ? OLOCK_TYPE_S : OLOCK_TYPE_N;
    olock_set_add(s, mt == OLOCK_TYPE_S ? olock_value_new_s(a, m1, strlen(m1)) : olock_value_new_n(a, m1, strlen(m1)));
    if (m2) olock_set_add(s, mt == OLOCK_TYPE_S ? olock_value_new_s(a, m2, strlen(m2)) : olock_value_new_n(a, m2, strlen(m2)));
    return s;
}

static olock_value *make_list(olock_arena *a, int64_t x) {
    olock_value *l = olock_value_new_container(a, OLOCK_TYPE_L);
    olock_list_append(l, olock_value_new_i64(a, x));
    return l;
}

static void test_updates(olock_expr *e) {
    olock_arena *ar;
    olock_expr_reset(e);
    olock_expr_set(e, "name", olock_expr_s(e, "Ann"));
    expect_update("SET value", e, "SET #n0 = :v0", "#n0=name", ":v0=S:Ann");
    olock_expr_reset(e);
    olock_expr_set_plus(e, "hits", NULL, olock_expr_i64(e, 1));
    expect_update("SET +", e, "SET #n0 = #n0 + :v0", "#n0=hits", ":v0=N:1");
    olock_expr_reset(e);
    olock_expr_set_minus(e, "left", "total", olock_expr_i64(e, 2));
    expect_update("SET -", e, "SET #n0 = #n1 - :v0", "#n0=left,#n1=total", ":v0=N:2");
    olock_expr_reset(e);
    olock_expr_set_if_not_exists(e, "created", NULL, olock_expr_i64(e, 100));
    expect_update("SET if_not_exists", e, "SET #n0 = if_not_exists(#n0, :v0)", "#n0=created", ":v0=N:100");
    olock_expr_reset(e);
    ar = olock_expr_arena(e);
    olock_expr_list_append(e, "log", NULL, make_list(ar, 1));
    expect_update("SET list_append", e, "SET #n0 = list_append(#n0, :v0)", "#n0=log", ":v0=L[N:1]");
    olock_expr_reset(e);
    ar = olock_expr_arena(e);
    olock_expr_list_prepend(e, "log", make_list(ar, 2), "old");
    expect_update("SET list_append prepend", e, "SET #n0 = list_append(:v0, #n1)", "#n0=log,#n1=old", ":v0=L[N:2]");
    olock_expr_reset(e);
    ar = olock_expr_arena(e);
    olock_expr_list_append(e, "log", NULL, olock_expr_i64(e, 1));
    expect_err("list_append N", e, OLOCK_ERR_TYPE, "list_append() needs L values, got N");
    olock_expr_reset(e);
    olock_expr_set_plus(e, "a", NULL, olock_expr_s(e, "x"));
    expect_err("+ S", e, OLOCK_ERR_TYPE, "+ needs N values, got S");

    olock_expr_reset(e);
    olock_expr_remove(e, "tmp");
    olock_expr_remove(e, "list[3]");
    expect_update("REMOVE", e, "REMOVE #n0, #n1[3]", "#n0=tmp,#n1=list", NULL);
    olock_expr_reset(e);
    olock_expr_add_to(e, "count", olock_expr_i64(e, 3));
    expect_update("ADD N", e, "ADD #n0 :v0", "#n0=count", ":v0=N:3");
    olock_expr_reset(e);
    ar = olock_expr_arena(e);
    olock_expr_add_to(e, "tags", make_set(ar, OLOCK_TYPE_SS, "a", "b"));
    expect_update("ADD SS", e, "ADD #n0 :v0", "#n0=tags", ":v0=SS[a,b]");
    olock_expr_reset(e);
    ar = olock_expr_arena(e);
    olock_expr_delete_from(e, "nums", make_set(ar, OLOCK_TYPE_NS, "1", "2"));
    expect_update("DELETE NS", e, "DELETE #n0 :v0", "#n0=nums", ":v0=NS[1,2]");
    olock_expr_reset(e);
    olock_expr_add_to(e, "s", olock_expr_s(e, "q"));
    expect_err("ADD S", e, OLOCK_ERR_TYPE, "ADD needs a number (N) or a set (SS, NS, BS), got S");
    olock_expr_reset(e);
    ar = olock_expr_arena(e);
    olock_expr_add_to(e, "l", make_list(ar, 1));
    expect_err("ADD L", e, OLOCK_ERR_TYPE, "got L");
    olock_expr_reset(e);
    olock_expr_delete_from(e, "n", olock_expr_i64(e, 1));
    expect_err("DELETE N", e, OLOCK_ERR_TYPE, "DELETE needs a set (SS, NS, BS), got N");
    olock_expr_reset(e);
    ar = olock_expr_arena(e);
    olock_expr_delete_from(e, "n", olock_value_new_container(ar, OLOCK_TYPE_SS));
    expect_err("DELETE empty set", e, OLOCK_ERR_EXPRESSION, "empty SS set");

    /* clause order is fixed whatever the call order; actions keep call order */
    olock_expr_reset(e);
    ar = olock_expr_arena(e);
    olock_expr_delete_from(e, "d", make_set(ar, OLOCK_TYPE_SS, "x", NULL));
    olock_expr_add_to(e, "c", olock_expr_i64(e, 1));
    olock_expr_remove(e, "r2");
    olock_expr_set(e, "s2", olock_expr_i64(e, 2));
    olock_expr_remove(e, "r1");
    olock_expr_set(e, "s1", olock_expr_i64(e, 1));
    expect_update("clause order", e, "SET #n0 = :v0, #n1 = :v1 REMOVE #n2, #n3 ADD #n4 :v2 DELETE #n5 :v3",
                  "#n0=s2,#n1=s1,#n2=r2,#n3=r1,#n4=c,#n5=d", ":v0=N:2,:v1=N:1,:v2=N:1,:v3=SS[x]");

    /* general SET operands */
    olock_expr_reset(e);
    ar = olock_expr_arena(e);
    olock_expr_set_operand(e, "l", olock_operand_list_append(e,
        olock_operand_if_not_exists(e, "l", olock_operand_value(e, olock_value_new_container(ar, OLOCK_TYPE_L))),
        olock_operand_value(e, make_list(ar, 5))));
    expect_update("list_append(if_not_exists)", e, "SET #n0 = list_append(if_not_exists(#n0, :v0), :v1)", "#n0=l", ":v0=L[],:v1=L[N:5]");
    olock_expr_reset(e);
    olock_expr_set_operand(e, "x", olock_operand_plus(e, olock_operand_if_not_exists(e, "x", olock_operand_value(e, olock_expr_i64(e, 0))),
                                                               olock_operand_value(e, olock_expr_i64(e, 1))));
    expect_update("if_not_exists + 1", e, "SET #n0 = if_not_exists(#n0, :v0) + :v1", "#n0=x", ":v0=N:0,:v1=N:1");
    olock_expr_reset(e);
    olock_expr_set_operand(e, "x", olock_operand_path(e, "y"));
    expect_update("SET path", e, "SET #n0 = #n1", "#n0=x,#n1=y", NULL);
    olock_expr_reset(e);
    olock_expr_set_operand(e, "x", olock_operand_size(e, "y"));
    expect_err("SET size", e, OLOCK_ERR_EXPRESSION, "size() is not allowed in an update");
    olock_expr_reset(e);
    ar = olock_expr_arena(e);
    olock_expr_set_operand(e, "x", olock_operand_list_append(e, olock_operand_list_append(e, olock_operand_path(e, "a"), olock_operand_path(e, "b")),
                                                               olock_operand_path(e, "c")));
    expect_err("nested list_append", e, OLOCK_ERR_EXPRESSION, "list_append() cannot be nested in list_append()");
    olock_expr_reset(e);
    olock_expr_set_operand(e, "x", olock_operand_plus(e, olock_operand_plus(e, olock_operand_path(e, "a"), olock_operand_path(e, "b")),
                                                               olock_operand_path(e, "c")));
    expect_err("a + b + c", e, OLOCK_ERR_EXPRESSION, "+ cannot be an operand of +");
}

static void test_overlaps(olock_expr *e) {
    olock_expr_reset(e);
    olock_expr_set(e, "a", olock_expr_i64(e, 1));
    olock_expr_set(e, "a.b", olock_expr_i64(e, 2));
    expect_err("a and a.b", e, OLOCK_ERR_EXPRESSION, "paths a and a.b overlap");
    olock_expr_reset(e);
    olock_expr_set(e, "x", olock_expr_i64(e, 1));
    olock_expr_set(e, "x", olock_expr_i64(e, 2));
    expect_err("same path twice", e, OLOCK_ERR_EXPRESSION, "paths x and x overlap");
    olock_expr_reset(e);
    olock_expr_set(e, "x", olock_expr_i64(e, 1));
    olock_expr_remove(e, "x");
    expect_err("SET x REMOVE x", e, OLOCK_ERR_EXPRESSION, "paths x and x overlap");
    olock_expr_reset(e);
    olock_expr_remove(e, "l[1]");
    olock_expr_set(e, "l", olock_expr_i64(e, 1));
    expect_err("l and l[1]", e, OLOCK_ERR_EXPRESSION, "paths l and l[1] overlap");
    olock_expr_reset(e);
    olock_expr_add_to(e, "m.k", olock_expr_i64(e, 1));
    olock_expr_remove(e, "m");
    expect_err("ADD m.k REMOVE m", e, OLOCK_ERR_EXPRESSION, "paths m and m.k overlap");
    olock_expr_reset(e);
    olock_expr_set(e, "l[0]", olock_expr_i64(e, 1));
    olock_expr_set(e, "l[1]", olock_expr_i64(e, 2));
    olock_expr_set(e, "a.b", olock_expr_i64(e, 3));
    olock_expr_set(e, "a.c", olock_expr_i64(e, 4));
    olock_expr_set(e, "ab", olock_expr_i64(e, 5));
    expect_update("no overlap", e, "SET #n0[0] = :v0, #n0[1] = :v1, #n1.#n2 = :v2, #n1.#n3 = :v3, #n4 = :v4",
                  "#n0=l,#n1=a,#n2=b,#n3=c,#n4=ab", ":v0=N:1,:v1=N:2,:v2=N:3,:v3=N:4,:v4=N:5");
    /* sources do not count: SET a = a + 1 is fine */
    olock_expr_reset(e);
    olock_expr_set_plus(e, "a", "a", olock_expr_i64(e, 1));
    olock_expr_set(e, "b", olock_expr_i64(e, 1));
    expect_update("source paths", e, "SET #n0 = #n0 + :v0, #n1 = :v1", "#n0=a,#n1=b", ":v0=N:1,:v1=N:1");
    /* projections */
    olock_expr_reset(e);
    olock_expr_add_projection(e, "a");
    olock_expr_add_projection(e, "a.b");
    expect_err("projection overlap", e, OLOCK_ERR_EXPRESSION, "projection expression: paths a and a.b overlap");
    olock_expr_reset(e);
    olock_expr_add_projection(e, "l[0]");
    olock_expr_add_projection(e, "l[2]");
    olock_expr_add_projection(e, "`a.b`");
    olock_expr_add_projection(e, "a.b");
    expect_all("projection", e, NULL, NULL, "#n0[0], #n0[2], #n1, #n2.#n3", NULL, NULL, "#n0=l,#n1=a.b,#n2=a,#n3=b", NULL);
    /* the quoted name a.b does not overlap the path a.b */
}

/* ---- key conditions -------------------------------------------------------------------- */

static void test_key_conditions(olock_expr *e) {
    static const struct { olock_cmp op; const char *text; } ops[] = {
        { OLOCK_CMP_EQ, "#n0 = :v0 AND #n1 = :v1" }, { OLOCK_CMP_LT, "#n0 = :v0 AND #n1 < :v1" },
        { OLOCK_CMP_LE, "#n0 = :v0 AND #n1 <= :v1" }, { OLOCK_CMP_GT, "#n0 = :v0 AND #n1 > :v1" },
        { OLOCK_CMP_GE, "#n0 = :v0 AND #n1 >= :v1" }
    };
    size_t k;
    olock_query_request q;
    olock_error err;
    olock_expr_reset(e);
    olock_key_partition_eq(e, "pk", olock_expr_s(e, "user#1"));
    expect_all("pk only", e, NULL, NULL, NULL, "#n0 = :v0", NULL, "#n0=pk", ":v0=S:user#1");
    for (k = 0; k < sizeof ops / sizeof ops[0]; k++) {
        olock_expr_reset(e);
        olock_key_partition_eq(e, "pk", olock_expr_s(e, "p"));
        olock_key_sort_cmp(e, "sk", ops[k].op, olock_expr_i64(e, 9));
        expect_all(ops[k].text, e, NULL, NULL, NULL, ops[k].text, NULL, "#n0=pk,#n1=sk", ":v0=S:p,:v1=N:9");
    }
    olock_expr_reset(e);
    olock_key_sort_between(e, "date", olock_expr_s(e, "2024"), olock_expr_s(e, "2025"));
    olock_key_partition_eq(e, "user", olock_expr_s(e, "u"));
    expect_all("sk between", e, NULL, NULL, NULL, "#n0 = :v0 AND #n1 BETWEEN :v1 AND :v2", NULL, "#n0=user,#n1=date",
               ":v0=S:u,:v1=S:2024,:v2=S:2025");
    olock_expr_reset(e);
    olock_key_partition_eq(e, "pk", olock_expr_s(e, "p"));
    olock_key_sort_begins_with(e, "sk", olock_expr_s(e, "order#"));
    expect_all("sk begins_with", e, NULL, NULL, NULL, "#n0 = :v0 AND begins_with(#n1, :v1)", NULL, "#n0=pk,#n1=sk", ":v0=S:p,:v1=S:order#");
    /* key names are literal: a dot is part of the name */
    olock_expr_reset(e);
    olock_key_partition_eq(e, "a.b", olock_expr_i64(e, 1));
    expect_all("key name literal", e, NULL, NULL, NULL, "#n0 = :v0", NULL, "#n0=a.b", ":v0=N:1");

    olock_expr_reset(e);
    olock_key_partition_eq(e, "pk", olock_expr_s(e, "p"));
    olock_key_sort_cmp(e, "sk", OLOCK_CMP_NE, olock_expr_i64(e, 9));
    expect_err("sk <>", e, OLOCK_ERR_EXPRESSION, "<> is not allowed in a key condition");
    olock_expr_reset(e);
    olock_key_sort_cmp(e, "sk", OLOCK_CMP_LT, olock_expr_i64(e, 9));
    expect_err("sk without pk", e, OLOCK_ERR_EXPRESSION, "needs a partition key condition");
    olock_expr_reset(e);
    olock_key_partition_eq(e, "pk", olock_expr_s(e, "p"));
    olock_key_partition_eq(e, "pk", olock_expr_s(e, "q"));
    expect_err("pk twice", e, OLOCK_ERR_EXPRESSION, "already set");
    olock_expr_reset(e);
    olock_key_partition_eq(e, "pk", olock_expr_bool(e, 1));
    expect_err("pk BOOL", e, OLOCK_ERR_TYPE, "key values are S, N or B, got BOOL");
    olock_expr_reset(e);
    olock_key_partition_eq(e, "pk", olock_expr_s(e, "p"));
    olock_key_sort_begins_with(e, "sk", olock_expr_i64(e, 1));
    expect_err("begins_with N key", e, OLOCK_ERR_TYPE, "key values are S or B, got N");

    /* query request with filter and projection */
    olock_expr_reset(e);
    olock_key_partition_eq(e, "pk", olock_expr_s(e, "p"));
    olock_expr_add_filter(e, olock_cond_gt(e, "score", olock_expr_i64(e, 10)));
    olock_expr_add_filter(e, olock_cond_attribute_exists(e, "pk"));
    olock_expr_add_projection(e, "score");
    memset(&q, 0, sizeof q);
    check(olock_expr_render_query(e, &q, &err) == OLOCK_OK, "render_query", err.message);
    check_str("query key_condition", q.key_condition, "#n1 = :v0");
    check_str("query filter", q.filter, "#n0 > :v1 AND attribute_exists(#n1)");
    check_str("query projection", q.projection, "#n0");
    check_str("query names", map_text(&g_sb1, q.names), "#n0=score,#n1=pk");
    check_str("query values", map_text(&g_sb2, q.values), ":v0=S:p,:v1=N:10");
}

/* ---- paths ----------------------------------------------------------------------------- */

static void path_ok(olock_expr *e, const char *path, const char *want, const char *names) {
    olock_expr_reset(e);
    olock_expr_add_projection(e, path);
    expect_all(path, e, NULL, NULL, want, NULL, NULL, names, NULL);
}

static void path_bad(olock_expr *e, const char *path, olock_result code, const char *part) {
    char label[200];
    size_t n = strlen(path);
    if (n > 100) n = 100;
    memcpy(label, "bad path ", 9);
    memcpy(label + 9, path, n);
    label[9 + n] = 0;
    olock_expr_reset(e);
    olock_expr_add_projection(e, path);
    expect_err(label, e, code, part);
}

static void test_paths(olock_expr *e) {
    char buf[400];
    size_t k, n;
    const char *p;
    path_ok(e, "a.b[3].c", "#n0.#n1[3].#n2", "#n0=a,#n1=b,#n2=c");
    path_ok(e, "a[0][1][2]", "#n0[0][1][2]", "#n0=a");
    path_ok(e, "a[2147483647]", "#n0[2147483647]", "#n0=a");
    path_ok(e, "a[007]", "#n0[7]", "#n0=a");
    path_ok(e, "`a.b`.c", "#n0.#n1", "#n0=a.b,#n1=c");
    path_ok(e, "`a``b`", "#n0", "#n0=a`b");
    path_ok(e, "`my attr`[1]", "#n0[1]", "#n0=my attr");
    path_ok(e, "`[x]`.`]`", "#n0.#n1", "#n0=[x],#n1=]");
    path_ok(e, "x.x.x", "#n0.#n0.#n0", "#n0=x");
    path_ok(e, "名前.ключ.🙂", "#n0.#n1.#n2", "#n0=名前,#n1=ключ,#n2=🙂");
    path_ok(e, "#a.:b", "#n0.#n1", "#n0=#a,#n1=:b");
    path_ok(e, "data", "#n0", "#n0=data");

    path_bad(e, "", OLOCK_ERR_EXPRESSION, "empty path");
    path_bad(e, "a..b", OLOCK_ERR_EXPRESSION, "empty name at byte 2");
    path_bad(e, ".a", OLOCK_ERR_EXPRESSION, "empty name at byte 0");
    path_bad(e, "a.", OLOCK_ERR_EXPRESSION, "empty name at byte 2");
    path_bad(e, "[0]", OLOCK_ERR_EXPRESSION, "starts with an attribute name");
    path_bad(e, "a[-1]", OLOCK_ERR_EXPRESSION, "negative list index");
    path_bad(e, "a[]", OLOCK_ERR_EXPRESSION, "expected a list index");
    path_bad(e, "a[1", OLOCK_ERR_EXPRESSION, "expected ']'");
    path_bad(e, "a[x]", OLOCK_ERR_EXPRESSION, "expected a list index");
    path_bad(e, "a[ 1]", OLOCK_ERR_EXPRESSION, "expected a list index");
    path_bad(e, "a[2147483648]", OLOCK_ERR_LIMIT, "larger than 2147483647");
    path_bad(e, "a[99999999999999999999]", OLOCK_ERR_LIMIT, "larger than 2147483647");
    path_bad(e, "a b", OLOCK_ERR_EXPRESSION, "whitespace");
    path_bad(e, " a", OLOCK_ERR_EXPRESSION, "whitespace");
    path_bad(e, "a]", OLOCK_ERR_EXPRESSION, "expected '.' or '['");
    path_bad(e, "a`b", OLOCK_ERR_EXPRESSION, "expected '.' or '['");
    path_bad(e, "`ab", OLOCK_ERR_EXPRESSION, "unterminated backtick");
    path_bad(e, "``", OLOCK_ERR_EXPRESSION, "empty name");
    path_bad(e, "`a`b", OLOCK_ERR_EXPRESSION, "expected '.' or '['");
    path_bad(e, "a\tb", OLOCK_ERR_EXPRESSION, "whitespace");
    path_bad(e, "a.\xff", OLOCK_ERR_EXPRESSION, "invalid UTF-8 at byte 2");
    path_bad(e, "\xed\xa0\x80", OLOCK_ERR_EXPRESSION, "invalid UTF-8");   /* a surrogate */
    path_bad(e, "\xc0\xae", OLOCK_ERR_EXPRESSION, "invalid UTF-8");       /* overlong '.' */
    olock_expr_reset(e);
    olock_expr_add_projection(e, NULL);
    expect_err("NULL projection", e, OLOCK_ERR_INVALID_ARG, "NULL path");

    /* 32 levels are DynamoDB's limit */
    n = 0;
    for (k = 0; k < 32; k++) { if (k) buf[n++] = '.'; buf[n++] = 'a'; }
    buf[n] = 0;
    olock_expr_reset(e);
    olock_expr_set(e, buf, olock_expr_i64(e, 1));
    {
        olock_expr_output o;
        check(olock_expr_render(e, &o, NULL) == OLOCK_OK, "32 levels", NULL);
    }
    memcpy(buf + n, "[0]", 4);
    path_bad(e, buf, OLOCK_ERR_LIMIT, "more than 32 nesting levels");
    memcpy(buf + n, ".a", 3);
    path_bad(e, buf, OLOCK_ERR_LIMIT, "more than 32 nesting levels");

    /* path builders quote exactly when needed */
    olock_expr_reset(e);
    p = olock_path_name(e, "plain");
    check_str("path_name plain", p, "plain");
    check_str("path_name dots", olock_path_name(e, "a.b[1] c"), "`a.b[1] c`");
    check_str("path_name backtick", olock_path_name(e, "x`y"), "`x``y`");
    check_str("path_key", olock_path_key(e, "a[2]", "k.k"), "a[2].`k.k`");
    check_str("path_index", olock_path_index(e, olock_path_name(e, "my list"), 7), "`my list`[7]");
    check_str("path_key unicode", olock_path_key(e, "a", "ü ö"), "a.`ü ö`");
    olock_expr_set(e, olock_path_key(e, olock_path_name(e, "a.b"), "c d"), olock_expr_i64(e, 1));
    expect_update("path builders render", e, "SET #n0.#n1 = :v0", "#n0=a.b,#n1=c d", ":v0=N:1");
    olock_expr_reset(e);
    check(olock_path_index(e, "a", -1) == NULL, "path_index negative", NULL);
    expect_err("path_index negative", e, OLOCK_ERR_EXPRESSION, "negative list index");
    olock_expr_reset(e);
    check(olock_path_index(e, "a", (int64_t)OLOCK_PATH_MAX_INDEX + 1) == NULL, "path_index too big", NULL);
    expect_err("path_index too big", e, OLOCK_ERR_LIMIT, "larger than 2147483647");
    olock_expr_reset(e);
    check(olock_path_name(e, "") == NULL, "path_name empty", NULL);
    expect_err("path_name empty", e, OLOCK_ERR_EXPRESSION, "empty attribute name");
    olock_expr_reset(e);
    check(olock_path_key(e, "a..b", "c") == NULL, "path_key bad parent", NULL);
    expect_err("path_key bad parent", e, OLOCK_ERR_EXPRESSION, "path \"a..b\": empty name at byte 2");
    olock_expr_reset(e);
    check(olock_path_name(e, "\xff") == NULL, "path_name bad UTF-8", NULL);
    expect_err("path_name bad UTF-8", e, OLOCK_ERR_EXPRESSION, "not valid UTF-8");
}

/* ---- reserved words -------------------------------------------------------------------- */

/* Every identifier in rendered text must be a keyword or function of ours, or a placeholder. */
static int only_placeholders(const char *s) {
    static const char *const ok[] = {
        "SET", "REMOVE", "ADD", "DELETE", "AND", "OR", "NOT", "BETWEEN", "IN", "attribute_exists",
        "attribute_not_exists", "attribute_type", "begins_with", "contains", "size", "if_not_exists", "list_append"
    };
    size_t i = 0, k;
    while (s[i]) {
        if (s[i] == '#' || s[i] == ':') {
            i++;
            while ((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9')) i++;
        } else if ((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') || s[i] == '_') {
            size_t w = i, found = 0;
            while ((s[w] >= 'a' && s[w] <= 'z') || (s[w] >= 'A' && s[w] <= 'Z') || s[w] == '_') w++;
            for (k = 0; k < sizeof ok / sizeof ok[0]; k++)
                if (strlen(ok[k]) == w - i && memcmp(ok[k], s + i, w - i) == 0) found = 1;
            if (!found) return 0;
            i = w;
        } else if (s[i] == '[') {
            i++;
            while (s[i] >= '0' && s[i] <= '9') i++;
        } else if ((s[i] >= '0' && s[i] <= '9')) {
            return 0;
        } else {
            i++;
        }
    }
    return 1;
}

static void test_reserved_words(olock_expr *e) {
    const char *dir = getenv("OLOCK_TEST_DATA");
    char path[1024], line[256];
    FILE *f = NULL;
    size_t words = 0, bad = 0;
    int plen;
    if (!dir || !*dir) dir = "tests/data";
    plen = snprintf(path, sizeof path, "%s/dynamodb-reserved-words.txt", dir);
    if (plen > 0 && (size_t)plen < sizeof path) f = fopen(path, "r");
    check(f != NULL, "cannot open the reserved words file (run from the repository root, or set "
                     "OLOCK_TEST_DATA to the tests/data folder)", path);
    if (!f) return;
    while (fgets(line, sizeof line, f)) {
        size_t n = strlen(line);
        char lower[256], want_names[600];
        olock_expr_output o;
        olock_result rc;
        size_t k;
        while (n && (line[n - 1] == '\n' || line[n - 1] == '\r' || line[n - 1] == ' ')) line[--n] = 0;
        if (n == 0 || line[0] == '#') continue;
        words++;
        for (k = 0; k <= n; k++) lower[k] = (char)(line[k] >= 'A' && line[k] <= 'Z' ? line[k] + 32 : line[k]);
        /* the word as an attribute, as a nested key, in every expression kind */
        olock_expr_reset(e);
        olock_expr_add_condition(e, olock_cond_and(e, olock_cond_attribute_exists(e, line),
                                                   olock_cond_eq(e, lower, olock_expr_i64(e, 1))));
        olock_expr_set(e, line, olock_expr_s(e, line));
        olock_expr_set_plus(e, lower, NULL, olock_expr_i64(e, 1));
        olock_expr_add_projection(e, line);
        rc = olock_expr_render(e, &o, NULL);
        memcpy(want_names, "#n0=", 4);
        memcpy(want_names + 4, line, n);
        memcpy(want_names + 4 + n, ",#n1=", 5);
        memcpy(want_names + 9 + n, lower, n + 1);
        if (rc != OLOCK_OK || !o.condition || !o.update || !o.projection || !only_placeholders(o.condition) ||
            !only_placeholders(o.update) || !only_placeholders(o.projection) ||
            strcmp(o.condition, "attribute_exists(#n0) AND #n1 = :v0") != 0 ||
            strcmp(o.update, "SET #n0 = :v1, #n1 = #n1 + :v2") != 0 ||
            strcmp(map_text(&g_sb1, o.names), want_names) != 0) {
            bad++;
            check(0, "reserved word", line);
        }
    }
    fclose(f);
    check(words == 573, "reserved words: 573 read", NULL);
    check(bad == 0, "reserved words all valid", NULL);
    if (bad == 0) g_pass += (int)words - 1;   /* one check per word */
}

/* ---- limits ---------------------------------------------------------------------------- */

static size_t digits_of(size_t v) { size_t d = 1; while (v >= 10) { v /= 10; d++; } return d; }

static void test_limits(olock_expr *e) {
    /* A projection of exactly 4096 bytes: names #n0.. with padding in list indexes. */
    size_t count = 0, len = 0, k, extra;
    size_t idx_digits[600];
    char name[16];
    olock_expr_output o;
    olock_result rc;
    for (;;) {
        size_t add = (count ? 2 : 0) + 2 + digits_of(count) + 3;   /* ", " "#n" k "[0]" */
        if (len + add > OLOCK_EXPR_MAX_BYTES) break;
        idx_digits[count++] = 1;
        len += add;
    }
    extra = OLOCK_EXPR_MAX_BYTES - len;
    for (k = 0; k < count && extra; k++) {
        size_t grow = extra < 9 ? extra : 9;
        idx_digits[k] += grow;
        extra -= grow;
    }
    check(extra == 0, "4096 padding possible", NULL);
    for (int pass = 0; pass < 2; pass++) {
        olock_expr_reset(e);
        if (pass == 1) idx_digits[count - 1]++;   /* one byte more */
        for (k = 0; k < count; k++) {
            char p[64];
            size_t n = 0, d;
            size_t v = k;
            char rev[16];
            int r = 0;
            p[n++] = 'a';
            do { rev[r++] = (char)('0' + v % 10); v /= 10; } while (v);
            while (r) p[n++] = rev[--r];
            p[n++] = '[';
            p[n++] = '1';
            for (d = 1; d < idx_digits[k]; d++) p[n++] = '0';
            p[n++] = ']';
            p[n] = 0;
            olock_expr_add_projection(e, p);
        }
        rc = olock_expr_render(e, &o, NULL);
        if (pass == 0) {
            check(rc == OLOCK_OK, "projection of 4096 bytes", NULL);
            check(rc == OLOCK_OK && strlen(o.projection) == OLOCK_EXPR_MAX_BYTES, "projection is 4096 bytes", NULL);
        } else {
            expect_err("projection of 4097 bytes", e, OLOCK_ERR_LIMIT, "projection expression is longer than 4096 bytes");
        }
    }

    /* raw text over 4 KB */
    {
        static char big[5000];
        memset(big, 'x', sizeof big - 1);
        big[0] = '#'; big[sizeof big - 1] = 0;
        olock_expr_reset(e);
        olock_expr_add_condition(e, olock_cond_raw(e, big));
        expect_err("raw over 4096", e, OLOCK_ERR_LIMIT, "longer than 4096");
    }

    /* 300 operators: 150 comparisons joined by 149 ORs pass, 151 do not */
    for (int n = 150; n <= 151; n++) {
        const olock_cond *c;
        int i;
        olock_expr_reset(e);
        c = olock_cond_eq(e, "a", olock_expr_i64(e, 0));
        for (i = 1; i < n; i++) c = olock_cond_or(e, olock_cond_eq(e, "a", olock_expr_i64(e, i)), c);
        olock_expr_add_condition(e, c);
        if (n == 150) {
            rc = olock_expr_render(e, &o, NULL);
            check(rc == OLOCK_OK, "299 operators", NULL);
        } else {
            expect_err("301 operators", e, OLOCK_ERR_LIMIT, "more than 300 operators");
        }
    }
    /* a handle reused 2^40 times stops at the limits instead of running forever */
    {
        const olock_cond *c;
        int i;
        olock_expr_reset(e);
        c = olock_cond_attribute_exists(e, "a");
        for (i = 0; i < 40; i++) c = olock_cond_and(e, c, c);
        olock_expr_add_condition(e, c);
        expect_err("exponential DAG", e, OLOCK_ERR_LIMIT, "condition expression");
    }
    /* many distinct names: the placeholder table grows with them */
    {
        int i;
        olock_expr_reset(e);
        for (i = 0; i < 300; i++) {
            name[0] = 'k';
            name[1] = (char)('a' + i / 26 % 26);
            name[2] = (char)('a' + i % 26);
            name[3] = (char)('a' + i / 676);
            name[4] = 0;
            olock_expr_remove(e, name);
        }
        rc = olock_expr_render(e, &o, NULL);
        check(rc == OLOCK_OK && o.names && o.names->count == 300, "300 distinct names", NULL);
    }
}

/* ---- raw expressions and the caller's maps ---------------------------------------------- */

static olock_value *names_map(olock_arena *a, const char *k1, const char *v1, const char *k2, const char *v2) {
    olock_value *m = olock_value_new_container(a, OLOCK_TYPE_M);
    olock_map_put(a, m, k1, strlen(k1), olock_value_new_s(a, v1, strlen(v1)));
    if (k2) olock_map_put(a, m, k2, strlen(k2), olock_value_new_s(a, v2, strlen(v2)));
    return m;
}

static olock_value *values_map(olock_arena *a, const char *k1, int64_t v1, const char *k2, int64_t v2) {
    olock_value *m = olock_value_new_container(a, OLOCK_TYPE_M);
    olock_map_put(a, m, k1, strlen(k1), olock_value_new_i64(a, v1));
    if (k2) olock_map_put(a, m, k2, strlen(k2), olock_value_new_i64(a, v2));
    return m;
}

static void test_raw(olock_expr *e) {
    olock_expr_reset(e);
    olock_arena *a = olock_expr_arena(e);
    /* caller uses #n0 and :v0, :v1: generated numbering skips them */
    olock_expr_add_maps(e, names_map(a, "#n0", "owner", NULL, NULL), values_map(a, ":v0", 1, ":v1", 2));
    olock_expr_add_condition(e, olock_cond_raw(e, "#n0 = :v0 OR #n0 = :v1"));
    olock_expr_add_condition(e, olock_cond_eq(e, "version", olock_expr_i64(e, 3)));
    olock_expr_set(e, "version", olock_expr_i64(e, 4));
    expect_all("merge with caller maps", e, "(#n0 = :v0 OR #n0 = :v1) AND #n1 = :v2", "SET #n1 = :v3", NULL, NULL, NULL,
               "#n0=owner,#n1=version", ":v0=N:1,:v1=N:2,:v2=N:3,:v3=N:4");

    /* raw update merged into the builder's clauses, in call order */
    olock_expr_reset(e);
    a = olock_expr_arena(e);
    olock_expr_add_maps(e, names_map(a, "#a", "alpha", "#b", "beta"), values_map(a, ":x", 1, NULL, 0));
    olock_expr_set(e, "c", olock_expr_i64(e, 2));
    olock_expr_update_raw(e, "set #a = list_append(#a, :x), #b.c[1] = :x remove #b.d");
    olock_expr_remove(e, "e");
    expect_update("raw update merged", e, "SET #n0 = :v0, #a = list_append(#a, :x), #b.c[1] = :x REMOVE #b.d, #n1",
                  "#a=alpha,#b=beta,#n0=c,#n1=e", ":x=N:1,:v0=N:2");

    /* the engine's case: a raw update touching the version attribute is caught */
    olock_expr_reset(e);
    a = olock_expr_arena(e);
    olock_expr_add_maps(e, names_map(a, "#v", "version", NULL, NULL), values_map(a, ":one", 1, NULL, 0));
    olock_expr_update_raw(e, "ADD #v :one");
    olock_expr_set(e, "version", olock_expr_i64(e, 8));
    expect_err("raw overlap", e, OLOCK_ERR_EXPRESSION, "paths version and version overlap");
    olock_expr_reset(e);
    a = olock_expr_arena(e);
    olock_expr_add_maps(e, names_map(a, "#m", "m", NULL, NULL), NULL);
    olock_expr_update_raw(e, "REMOVE #m[ 2 ], plain.x");
    olock_expr_remove(e, "m[2]");
    expect_err("raw overlap index", e, OLOCK_ERR_EXPRESSION, "paths m[2] and m[2] overlap");
    olock_expr_reset(e);
    olock_expr_update_raw(e, "REMOVE plain.x");
    olock_expr_remove(e, "plain");
    expect_err("raw overlap plain", e, OLOCK_ERR_EXPRESSION, "paths plain.x and plain overlap");

    /* placeholder checks */
    olock_expr_reset(e);
    a = olock_expr_arena(e);
    olock_expr_add_condition(e, olock_cond_raw(e, "#a = :x"));
    expect_err("raw undefined name", e, OLOCK_ERR_EXPRESSION, "raw text uses #a, which is not in the names");
    olock_expr_reset(e);
    a = olock_expr_arena(e);
    olock_expr_add_maps(e, names_map(a, "#a", "a", NULL, NULL), NULL);
    olock_expr_add_condition(e, olock_cond_raw(e, "#a = :x"));
    expect_err("raw undefined value", e, OLOCK_ERR_EXPRESSION, "raw text uses :x, which is not in the values");
    olock_expr_reset(e);
    a = olock_expr_arena(e);
    olock_expr_add_maps(e, names_map(a, "#a", "a", "#b", "b"), NULL);
    olock_expr_add_condition(e, olock_cond_raw(e, "attribute_exists(#a)"));
    expect_err("raw unused name", e, OLOCK_ERR_EXPRESSION, "#b from the names map is not used");
    olock_expr_reset(e);
    a = olock_expr_arena(e);
    olock_expr_add_maps(e, names_map(a, "#a", "a", NULL, NULL), NULL);
    olock_cond_raw(e, "attribute_exists(#a)");   /* made but not used in the request */
    expect_err("raw cond not used", e, OLOCK_ERR_EXPRESSION, "#a from the names map is not used");
    olock_expr_reset(e);
    a = olock_expr_arena(e);
    olock_expr_add_maps(e, names_map(a, "#a-b", "a", NULL, NULL), NULL);
    expect_err("bad placeholder", e, OLOCK_ERR_EXPRESSION, "\"#a-b\" is not a valid names placeholder");
    olock_expr_reset(e);
    a = olock_expr_arena(e);
    olock_expr_add_maps(e, names_map(a, "a", "a", NULL, NULL), NULL);
    expect_err("placeholder without #", e, OLOCK_ERR_EXPRESSION, "not a valid names placeholder");
    olock_expr_reset(e);
    a = olock_expr_arena(e);
    olock_expr_add_maps(e, names_map(a, "#a", "", NULL, NULL), NULL);
    expect_err("empty name value", e, OLOCK_ERR_EXPRESSION, "must be a non-empty UTF-8 S value");
    olock_expr_reset(e);
    a = olock_expr_arena(e);
    olock_expr_add_maps(e, names_map(a, "#a", "a", NULL, NULL), NULL);
    olock_expr_add_maps(e, names_map(a, "#a", "a", NULL, NULL), NULL);
    olock_expr_add_condition(e, olock_cond_raw(e, "attribute_exists(#a)"));
    expect_cond("same map twice", e, "attribute_exists(#a)", "#a=a", NULL);
    olock_expr_reset(e);
    a = olock_expr_arena(e);
    olock_expr_add_maps(e, names_map(a, "#a", "a", NULL, NULL), NULL);
    olock_expr_add_maps(e, names_map(a, "#a", "b", NULL, NULL), NULL);
    expect_err("conflicting maps", e, OLOCK_ERR_EXPRESSION, "#a given twice with different values");
    {
        char key[300];
        memset(key, 'k', sizeof key);
        key[0] = '#';
        key[256] = 0;
        olock_expr_reset(e);
        a = olock_expr_arena(e);
        olock_expr_add_maps(e, names_map(a, key, "a", NULL, NULL), NULL);
        expect_err("256-byte placeholder", e, OLOCK_ERR_LIMIT, "is longer than 255 bytes");
        key[255] = 0;
        olock_expr_reset(e);
        a = olock_expr_arena(e);
        olock_expr_add_maps(e, names_map(a, key, "a", NULL, NULL), NULL);
        {
            char raw[300];
            memcpy(raw, "REMOVE ", 7);
            memcpy(raw + 7, key, 256);   /* key and its NUL */
            olock_expr_update_raw(e, raw);
        }
        {
            olock_expr_output o;
            check(olock_expr_render(e, &o, NULL) == OLOCK_OK, "255-byte placeholder", NULL);
        }
    }

    /* raw update syntax */
    olock_expr_reset(e);
    olock_expr_update_raw(e, "#a = :x");
    expect_err("raw update without clause", e, OLOCK_ERR_EXPRESSION, "starts with SET, REMOVE, ADD or DELETE");
    olock_expr_reset(e);
    olock_expr_update_raw(e, "SET a = b SET c = d");
    expect_err("raw clause twice", e, OLOCK_ERR_EXPRESSION, "the SET clause appears twice");
    olock_expr_reset(e);
    olock_expr_update_raw(e, "SET a = b,, c = d");
    expect_err("raw empty action", e, OLOCK_ERR_EXPRESSION, "empty action");
    olock_expr_reset(e);
    olock_expr_update_raw(e, "REMOVE");
    expect_err("raw empty clause", e, OLOCK_ERR_EXPRESSION, "empty action");
    olock_expr_reset(e);
    olock_expr_update_raw(e, "   ");
    expect_err("raw blank", e, OLOCK_ERR_EXPRESSION, "empty expression");
    olock_expr_reset(e);
    olock_expr_update_raw(e, "SET a = if_not_exists(b, c), d = e");
    expect_update("raw commas in calls", e, "SET a = if_not_exists(b, c), d = e", NULL, NULL);
    olock_expr_reset(e);
    olock_expr_update_raw(e, "DELETE s c REMOVE r");
    olock_expr_set(e, "n", olock_expr_i64(e, 1));
    expect_update("raw clause order", e, "SET #n0 = :v0 REMOVE r DELETE s c", "#n0=n", ":v0=N:1");
}

/* ---- sticky errors, handles, requests ---------------------------------------------------- */

static void test_sticky(olock_expr *e) {
    olock_error err;
    const olock_cond *c;
    olock_expr *other = NULL;
    olock_expr_reset(e);
    check(olock_expr_status(e, &err) == OLOCK_OK && err.code == OLOCK_OK, "status ok", NULL);
    c = olock_cond_eq(e, "a..b", olock_expr_i64(e, 1));      /* first error */
    check(c == NULL, "failing constructor returns NULL", NULL);
    olock_expr_add_condition(e, c);                          /* no-op: NULL after an error */
    olock_expr_add_to(e, "x", olock_expr_s(e, "not a number")); /* a second error: ignored */
    check(olock_expr_s(e, "x") == NULL, "calls after an error return NULL", NULL);
    check(olock_expr_status(e, &err) == OLOCK_ERR_EXPRESSION, "status keeps first code", NULL);
    check(strstr(err.message, "olock_cond_eq: path \"a..b\": empty name at byte 2") != NULL, "status keeps first message", err.message);
    expect_err("render reports first error", e, OLOCK_ERR_EXPRESSION, "olock_cond_eq: path \"a..b\"");
    olock_expr_reset(e);
    check(olock_expr_status(e, NULL) == OLOCK_OK, "reset clears the error", NULL);

    /* handles from before a reset, or from another builder */
    c = olock_cond_attribute_exists(e, "a");
    olock_expr_reset(e);
    olock_expr_add_condition(e, c);
    expect_err("stale handle", e, OLOCK_ERR_INVALID_ARG, "from another builder or from before olock_expr_reset");
    check(olock_expr_create(NULL, &other) == OLOCK_OK, "create other", NULL);
    olock_expr_reset(e);
    olock_expr_add_condition(e, olock_cond_attribute_exists(other, "a"));
    expect_err("foreign handle", e, OLOCK_ERR_INVALID_ARG, "from another builder");
    olock_expr_destroy(other);
    olock_expr_destroy(NULL);
    olock_expr_reset(NULL);
    check(olock_expr_render(NULL, NULL, &err) == OLOCK_ERR_INVALID_ARG, "render NULL", NULL);
    check(olock_cond_attribute_exists(NULL, "a") == NULL, "NULL builder", NULL);
    olock_expr_add_condition(NULL, NULL);
    check(olock_expr_create(NULL, NULL) == OLOCK_ERR_INVALID_ARG, "create NULL out", NULL);

    /* olock_expr_n validates */
    olock_expr_reset(e);
    check(olock_expr_n(e, "1e999") == NULL, "expr_n out of range", NULL);
    expect_err("expr_n", e, OLOCK_ERR_EXPRESSION, "\"1e999\" is not a DynamoDB number");
}

/* olock_expr_borrow_values: values are referenced (a change before rendering shows), until the
   next reset (then copied again); the rendered maps share nothing the caller may free. */
static void test_borrow_values(olock_expr *e) {
    olock_arena a;
    olock_value *v, *m;
    olock_expr_output out;
    olock_error err;
    const olock_value *got;
    olock_arena_init(&a, NULL);
    v = olock_value_new_s(&a, "before", 6);
    m = olock_value_new_container(&a, OLOCK_TYPE_M);
    olock_map_put(&a, m, ":x", 2, olock_value_new_s(&a, "raw-before", 10));
    olock_expr_reset(e);
    olock_expr_borrow_values(e, 1);
    olock_expr_set(e, "a", v);
    olock_expr_add_maps(e, NULL, m);
    olock_expr_update_raw(e, "SET b = :x");
    v->str = "after";  v->len = 5;                      /* the builder sees the caller's value */
    m->first->str = "raw-after"; m->first->len = 9;
    check(olock_expr_render(e, &out, &err) == OLOCK_OK, "borrow: render", err.message);
    got = olock_map_get(out.values, ":v0", 3);
    check(got && got->len == 5 && memcmp(got->str, "after", 5) == 0, "borrow: a value is referenced", NULL);
    got = olock_map_get(out.values, ":x", 2);
    check(got && got->len == 9 && memcmp(got->str, "raw-after", 9) == 0, "borrow: a map value is referenced", NULL);
    check(out.values->count == 2, "borrow: two values", NULL);
    olock_expr_reset(e);                                  /* off again */
    olock_expr_set(e, "a", v);
    v->str = "later"; v->len = 5;
    check(olock_expr_render(e, &out, &err) == OLOCK_OK, "copy: render", err.message);
    got = olock_map_get(out.values, ":v0", 3);
    check(got && got->len == 5 && memcmp(got->str, "after", 5) == 0, "copy after reset: the value was copied", NULL);
    olock_expr_borrow_values(NULL, 1);                    /* NULL is a no-op */
    olock_arena_free(&a);
}

/* The builder keeps parsed paths and the last raw update text across resets (for speed): what
   it renders must not depend on it. The caller's buffers may change or die after each call;
   more paths than the cache holds, in one request and across requests; a cached text that
   fails later checks still fails. */
static void test_caches(olock_expr *e) {
    static const char *const paths[6] = { "p0.a", "p1", "p2[1]", "`p 3`.b", "p4", "p5.c" };
    char buf[64], raw[64];
    olock_arena a;
    olock_value *m;
    int round, k;
    olock_arena_init(&a, NULL);
    for (round = 0; round < 3; round++) {
        olock_expr_reset(e);
        for (k = 0; k < 6; k++) {
            strcpy(buf, paths[(k + round) % 6]);
            olock_expr_set(e, buf, olock_expr_i64(e, k));
            memset(buf, 'x', sizeof buf - 1); /* the builder kept its own copy */
        }
        if (round == 0)
            expect_update("path cache: six paths, first request", e,
                          "SET #n0.#n1 = :v0, #n2 = :v1, #n3[1] = :v2, #n4.#n5 = :v3, #n6 = :v4, #n7.#n8 = :v5",
                          "#n0=p0,#n1=a,#n2=p1,#n3=p2,#n4=p 3,#n5=b,#n6=p4,#n7=p5,#n8=c",
                          ":v0=N:0,:v1=N:1,:v2=N:2,:v3=N:3,:v4=N:4,:v5=N:5");
        else if (round == 1)
            expect_update("path cache: six paths, again, rotated", e,
                          "SET #n0 = :v0, #n1[1] = :v1, #n2.#n3 = :v2, #n4 = :v3, #n5.#n6 = :v4, #n7.#n8 = :v5",
                          "#n0=p1,#n1=p2,#n2=p 3,#n3=b,#n4=p4,#n5=p5,#n6=c,#n7=p0,#n8=a",
                          ":v0=N:0,:v1=N:1,:v2=N:2,:v3=N:3,:v4=N:4,:v5=N:5");
        else
            expect_update("path cache: six paths, rotated twice", e,
                          "SET #n0[1] = :v0, #n1.#n2 = :v1, #n3 = :v2, #n4.#n5 = :v3, #n6.#n7 = :v4, #n8 = :v5",
                          "#n0=p2,#n1=p 3,#n2=b,#n3=p4,#n4=p5,#n5=c,#n6=p0,#n7=a,#n8=p1",
                          ":v0=N:0,:v1=N:1,:v2=N:2,:v3=N:3,:v4=N:4,:v5=N:5");
    }
    /* a path text parsed before and one never seen, both bad or good by their own text */
    olock_expr_reset(e);
    strcpy(buf, "p1");
    olock_expr_remove(e, buf);
    strcpy(buf, "p1.");
    olock_expr_remove(e, buf);
    expect_err("path cache: a longer text is parsed", e, OLOCK_ERR_EXPRESSION, "empty name");

    m = olock_value_new_container(&a, OLOCK_TYPE_M);
    olock_map_put(&a, m, ":x", 2, olock_value_new_i64(&a, 1));
    for (round = 0; round < 2; round++) {
        olock_expr_reset(e);
        olock_expr_add_maps(e, NULL, m);
        strcpy(raw, "SET a = :x REMOVE b, c");
        olock_expr_update_raw(e, raw);
        memset(raw, 'x', sizeof raw - 1);
        olock_expr_set(e, "d", olock_expr_i64(e, 2));
        expect_update(round ? "raw update cache: the same text again" : "raw update cache: a text", e,
                      "SET a = :x, #n0 = :v0 REMOVE b, c", "#n0=d", ":x=N:1,:v0=N:2");
    }
    olock_expr_reset(e);
    olock_expr_add_maps(e, NULL, m);
    olock_expr_update_raw(e, "SET a = :x REMOVE b");
    expect_update("raw update cache: another text", e, "SET a = :x REMOVE b", NULL, ":x=N:1");
    olock_expr_reset(e);
    olock_expr_add_maps(e, NULL, m);
    olock_expr_update_raw(e, "SET a = :x REMOVE b");
    olock_expr_update_raw(e, "SET a = :x REMOVE b"); /* the cached text, twice in one request */
    expect_err("raw update cache: a cached text still overlaps", e, OLOCK_ERR_EXPRESSION, "paths a and a overlap");
    olock_expr_reset(e);
    olock_expr_update_raw(e, "SET a = :x REMOVE b"); /* cached, but :x is not defined now */
    expect_err("raw update cache: placeholders checked again", e, OLOCK_ERR_EXPRESSION, "raw text uses :x");
    olock_arena_free(&a);
}

static void test_requests(olock_expr *e) {
    olock_item_request r;
    olock_error err;
    olock_buf body;
    olock_item *key = NULL;
    olock_expr_reset(e);
    olock_expr_add_condition(e, olock_cond_eq(e, "version", olock_expr_i64(e, 1)));
    olock_expr_set(e, "data", olock_expr_s(e, "x"));
    olock_expr_set(e, "version", olock_expr_i64(e, 2));
    memset(&r, 0, sizeof r);
    r.table = "things";
    olock_item_create(NULL, &key);
    olock_item_set_s(key, "id", "k1");
    r.key = key->root;
    check(olock_expr_render_item(e, &r, &err) == OLOCK_OK, "render_item", err.message);
    check_str("item condition", r.condition, "#n0 = :v0");
    check_str("item update", r.update, "SET #n1 = :v1, #n0 = :v2");
    check(r.projection == NULL, "item projection NULL", NULL);
    olock_buf_init(&body, NULL);
    check(olock_encode_item_request(OLOCK_OP_UPDATE_ITEM, &r, &body, &err) == OLOCK_OK, "encode UpdateItem", err.message);
    check_str("UpdateItem body", body.data,
              "{\"TableName\":\"things\",\"Key\":{\"id\":{\"S\":\"k1\"}},\"UpdateExpression\":\"SET #n1 = :v1, #n0 = :v2\","
              "\"ConditionExpression\":\"#n0 = :v0\",\"ExpressionAttributeNames\":{\"#n0\":\"version\",\"#n1\":\"data\"},"
              "\"ExpressionAttributeValues\":{\":v0\":{\"N\":\"1\"},\":v1\":{\"S\":\"x\"},\":v2\":{\"N\":\"2\"}}}");
    olock_buf_free(&body);
    olock_item_destroy(key);

    olock_expr_reset(e);
    olock_expr_add_filter(e, olock_cond_attribute_exists(e, "a"));
    memset(&r, 0, sizeof r);
    check(olock_expr_render_item(e, &r, &err) == OLOCK_ERR_INVALID_ARG && strstr(err.message, "belongs to a query"),
          "render_item with filter", err.message);
    {
        olock_query_request q;
        olock_expr_reset(e);
        olock_expr_remove(e, "a");
        memset(&q, 0, sizeof q);
        check(olock_expr_render_query(e, &q, &err) == OLOCK_ERR_INVALID_ARG && strstr(err.message, "belongs to an item request"),
              "render_query with update", err.message);
    }

    /* values are copied: the caller's item may die before rendering */
    {
        olock_item *it = NULL;
        olock_item_create(NULL, &it);
        olock_item_set_s(it, "v", "copied");
        olock_expr_reset(e);
        olock_expr_set(e, "a", olock_item_get(it, "v"));
        olock_item_destroy(it);
        expect_update("values copied", e, "SET #n0 = :v0", "#n0=a", ":v0=S:copied");
    }
}

/* The README snippet in olock.h's expression section, as a user writes it. */
static void test_readme(void) {
    olock_item_request req;
    olock_error err;
    olock_expr *e = NULL;
    olock_item *key = NULL;
    olock_item_create(NULL, &key);
    olock_item_set_s(key, "id", "player-7");

    olock_expr_create(NULL, &e);
    olock_expr_add_condition(e, olock_cond_and(e,
        olock_cond_eq(e, "status", olock_expr_s(e, "active")),
        olock_cond_lt(e, "stats.gold", olock_expr_i64(e, 1000))));
    olock_expr_set_plus(e, "stats.gold", NULL, olock_expr_i64(e, 10));
    olock_expr_set(e, "data", olock_expr_s(e, "x"));
    olock_expr_remove(e, "tmp[0]");

    memset(&req, 0, sizeof req);
    req.table = "players";
    req.key = key->root;
    if (olock_expr_render_item(e, &req, &err) != OLOCK_OK) { check(0, "readme render", err.message); }
    check_str("readme condition", req.condition, "#n0 = :v0 AND #n1.#n2 < :v1");
    check_str("readme update", req.update, "SET #n1.#n2 = #n1.#n2 + :v2, #n3 = :v3 REMOVE #n4[0]");
    check_str("readme names", map_text(&g_sb1, req.names), "#n0=status,#n1=stats,#n2=gold,#n3=data,#n4=tmp");
    check_str("readme values", map_text(&g_sb2, req.values), ":v0=S:active,:v1=N:1000,:v2=N:10,:v3=S:x");
    olock_expr_reset(e);
    olock_expr_destroy(e);
    olock_item_destroy(key);
}

/* ---- allocation ------------------------------------------------------------------------ */

typedef struct counting { long allocs, frees; long fail_at; long live; } counting;

static void *c_malloc(void *ctx, size_t n) {
    counting *c = (counting *)ctx;
    if (c->fail_at && c->allocs + 1 >= c->fail_at) { c->allocs++; return NULL; }
    c->allocs++;
    c->live++;
    return malloc(n);
}
static void *c_realloc(void *ctx, void *p, size_t old_n, size_t n) {
    counting *c = (counting *)ctx;
    void *q;
    (void)old_n;
    if (c->fail_at && c->allocs + 1 >= c->fail_at) { c->allocs++; return NULL; }
    c->allocs++;
    q = realloc(p, n);
    if (q && !p) c->live++;
    return q;
}
static void c_free(void *ctx, void *p, size_t n) {
    counting *c = (counting *)ctx;
    (void)n;
    if (p) { c->frees++; c->live--; }
    free(p);
}

static olock_result build_typical(olock_expr *e) {
    olock_item_request r;
    int i;
    olock_expr_add_condition(e, olock_cond_or(e, olock_cond_attribute_not_exists(e, "version"),
                                                 olock_cond_eq(e, "version", olock_expr_i64(e, 41))));
    for (i = 0; i < 20; i++) {
        char p[16] = "field_00.sub";
        p[6] = (char)('0' + i / 10);
        p[7] = (char)('0' + i % 10);
        olock_expr_set(e, p, olock_expr_s(e, "some value"));
    }
    olock_expr_set(e, "version", olock_expr_i64(e, 42));
    olock_expr_remove(e, "tmp");
    memset(&r, 0, sizeof r);
    return olock_expr_render_item(e, &r, NULL);
}

static void test_allocation(void) {
    counting c;
    olock_allocator a;
    olock_expr *e = NULL;
    long before;
    int i, n;
    memset(&c, 0, sizeof c);
    a.ctx = &c; a.malloc_fn = c_malloc; a.realloc_fn = c_realloc; a.free_fn = c_free;
    check(olock_expr_create(&a, &e) == OLOCK_OK, "create with allocator", NULL);
    check(build_typical(e) == OLOCK_OK, "typical request", NULL);
    olock_expr_reset(e);
    check(build_typical(e) == OLOCK_OK, "typical request again", NULL);
    before = c.allocs;
    for (i = 0; i < 50; i++) {
        olock_expr_reset(e);
        build_typical(e);
    }
    check(c.allocs == before, "steady state: no allocation after warm-up", NULL);
    olock_expr_destroy(e);
    check(c.live == 0, "custom allocator: everything freed", NULL);

    /* a failing allocator: fail the Nth allocation for every N */
    for (n = 1; n < 40; n++) {
        olock_result rc;
        memset(&c, 0, sizeof c);
        c.fail_at = n;
        e = NULL;
        rc = olock_expr_create(&a, &e);
        if (rc == OLOCK_OK) {
            rc = build_typical(e);
            olock_expr_destroy(e);
        }
        check(rc == OLOCK_OK || rc == OLOCK_ERR_NOMEM, "failing allocator gives NOMEM", NULL);
        check(c.live == 0, "failing allocator: nothing leaked", NULL);
    }
}

int main(void) {
    olock_expr *e = NULL;
    if (olock_expr_create(NULL, &e) != OLOCK_OK) { printf("cannot create a builder\n0 passed, 1 failed\n"); return 1; }
    test_comparisons(e);
    test_between_in(e);
    test_functions(e);
    test_logic(e);
    test_numbering(e);
    test_updates(e);
    test_overlaps(e);
    test_key_conditions(e);
    test_paths(e);
    test_reserved_words(e);
    test_limits(e);
    test_raw(e);
    test_sticky(e);
    test_borrow_values(e);
    test_caches(e);
    test_requests(e);
    olock_expr_destroy(e);
    test_readme();
    test_allocation();
    printf("%d passed, %d failed\n", g_pass, g_fail);
    return g_fail ? 1 : 0;
}
