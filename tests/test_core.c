/* Unit tests of olock.h's core: buffers, arena, numbers as values, items, the JSON parser and
   writer, DynamoDB JSON, base64, CRC-32, request encoders, response decoder, error classes,
   the client over a scripted transport, and an out-of-memory sweep. */
#ifndef OLOCK_TEST_LINKED   /* else the Makefile links build/<flavour>/libolock_impl.a (tests/impl/) */
#define OLOCK_IMPLEMENTATION
#endif
#include "olock.h"
#include "olock_test.h"

/* ---- helpers ---------------------------------------------------------------------------- */

static olock_arena g_arena;

static const olock_json *parse_ok(const char *text) {
    olock_json *j = NULL;
    olock_error e;
    olock_result r = olock_json_parse(&g_arena, text, strlen(text), NULL, &j, &e);
    if (r != OLOCK_OK) fprintf(stderr, "  parse failed: %s at %lu\n", e.message, (unsigned long)e.offset);
    return j;
}

/* Parses text as JSON and returns the result code, with the error offset in *offset. */
static olock_result parse_rc(const char *text, size_t len, size_t *offset) {
    olock_json *j = NULL;
    olock_error e;
    olock_result r = olock_json_parse(&g_arena, text, len, NULL, &j, &e);
    if (offset) *offset = e.offset;
    return r;
}

/* Converts a DynamoDB JSON attribute value; returns the result code. */
static olock_result attr_rc(const char *text) {
    olock_json *j = NULL;
    olock_value *v = NULL;
    olock_result r = olock_json_parse(&g_arena, text, strlen(text), NULL, &j, NULL);
    if (r != OLOCK_OK) return r;
    return olock_value_from_json(&g_arena, j, &v, NULL);
}

static olock_value *attr(const char *text) {
    olock_json *j = NULL;
    olock_value *v = NULL;
    if (olock_json_parse(&g_arena, text, strlen(text), NULL, &j, NULL) != OLOCK_OK) return NULL;
    if (olock_value_from_json(&g_arena, j, &v, NULL) != OLOCK_OK) return NULL;
    return v;
}

/* The DynamoDB JSON of a value, in a static buffer. */
static const char *json_of(const olock_value *v) {
    static olock_buf b;
    static int init;
    if (!init) { olock_buf_init(&b, NULL); init = 1; }
    olock_buf_clear(&b);
    if (!v || olock_value_write_json(v, &b) != OLOCK_OK) return "(error)";
    return b.data;
}

/* ---- buffer and arena --------------------------------------------------------------------- */

TEST(test_buf) {
    olock_buf b;
    int i;
    olock_buf_init(&b, NULL);
    CHECK(olock_buf_append_str(&b, "abc") == OLOCK_OK);
    for (i = 0; i < 1000; i++) CHECK(olock_buf_append(&b, "0123456789", 10) == OLOCK_OK);
    CHECK_EQ_INT(b.len, 10003);
    CHECK(b.data[b.len] == 0);
    olock_buf_clear(&b);
    CHECK_EQ_INT(b.len, 0);
    b.max = 5;
    CHECK(olock_buf_append(&b, "12345", 5) == OLOCK_OK);
    CHECK(olock_buf_append(&b, "6", 1) == OLOCK_ERR_LIMIT);
    CHECK_EQ_INT(b.len, 5);
    olock_buf_free(&b);
    olock_buf_free(NULL);
}

TEST(test_arena) {
    olock_arena a;
    size_t total;
    int i;
    olock_arena_init(&a, NULL);
    CHECK_EQ_INT(olock_arena_used(&a), 0);
    CHECK_EQ_INT(olock_arena_used(NULL), 0);
    CHECK(olock_arena_alloc(&a, 5) != NULL);
    CHECK_EQ_INT(olock_arena_used(&a), 8); /* rounded to the alignment */
    for (i = 0; i < 1000; i++) {
        char *p = (char *)olock_arena_alloc(&a, (size_t)(i % 37) + 1);
        CHECK(p != NULL && ((size_t)p & 7) == 0);
    }
    CHECK(olock_arena_alloc(&a, 100000) != NULL);
    total = a.total;
    /* everything but the unused end of the last block */
    CHECK(olock_arena_used(&a) >= 8 + 100000 && olock_arena_used(&a) <= total);
    olock_arena_reset(&a);
    CHECK_EQ_INT(olock_arena_used(&a), 0);
    for (i = 0; i < 1000; i++) olock_arena_alloc(&a, (size_t)(i % 37) + 1);
    CHECK(olock_arena_alloc(&a, 100000) != NULL);
    CHECK_EQ_INT(a.total, total);          /* a reset arena reuses its blocks */
    CHECK(olock_arena_alloc(&a, (size_t)-1) == NULL);
    CHECK_EQ_STR(olock_arena_strdup(&a, "hello", 5), "hello");
    olock_arena_free(&a);
    olock_arena_free(&a);
}

/* ---- values and items ---------------------------------------------------------------------- */

TEST(test_values_scalars) {
    olock_arena *a = &g_arena;
    olock_value *v;
    int64_t i64;
    uint64_t u64;
    double d;
    const char *s;
    size_t n;
    int b;
    v = olock_value_new_s(a, "h\0i", 3);
    CHECK(olock_value_get_s(v, &s, &n) == OLOCK_OK && n == 3 && memcmp(s, "h\0i", 3) == 0);
    CHECK(olock_value_get_b(v, NULL, NULL) == OLOCK_ERR_TYPE);
    v = olock_value_new_n(a, "001.500", 7);
    CHECK_EQ_STR(v ? v->str : NULL, "1.5");
    CHECK(olock_value_new_n(a, "1e126", 5) == NULL);
    CHECK(olock_value_new_n(a, "abc", 3) == NULL);
    v = olock_value_new_i64(a, INT64_MIN);
    CHECK_EQ_STR(v->str, "-9223372036854775808");
    CHECK(olock_value_get_i64(v, &i64) == OLOCK_OK && i64 == INT64_MIN);
    CHECK(olock_value_get_u64(v, &u64) == OLOCK_ERR_RANGE);
    v = olock_value_new_u64(a, UINT64_MAX);
    CHECK(olock_value_get_u64(v, &u64) == OLOCK_OK && u64 == UINT64_MAX);
    CHECK(olock_value_get_i64(v, &i64) == OLOCK_ERR_RANGE);
    v = olock_value_new_n(a, "2.5", 3);
    CHECK(olock_value_get_i64(v, &i64) == OLOCK_ERR_INEXACT);
    CHECK(olock_value_get_double(v, &d) == OLOCK_OK && d == 2.5);
    v = olock_value_new_n(a, "12345678901234567890123", 23);
    CHECK(olock_value_get_double(v, &d) == OLOCK_ERR_INEXACT);
    v = olock_value_new_double(a, 0.1);
    CHECK_EQ_STR(v->str, "0.1");
    v = olock_value_new_bool(a, 7);
    CHECK(olock_value_get_bool(v, &b) == OLOCK_OK && b == 1);
    v = olock_value_new_null(a);
    CHECK(v && v->type == OLOCK_TYPE_NULL);
    CHECK(olock_value_new_container(a, OLOCK_TYPE_S) == NULL);
    CHECK_EQ_STR(olock_type_name(OLOCK_TYPE_BS), "BS");
    CHECK(olock_type_from_name("NS", 2) == OLOCK_TYPE_NS);
    CHECK(olock_type_from_name("X", 1) == 0);
}

TEST(test_values_containers) {
    olock_arena *a = &g_arena;
    olock_value *m = olock_value_new_container(a, OLOCK_TYPE_M);
    olock_value *l = olock_value_new_container(a, OLOCK_TYPE_L);
    olock_value *ns = olock_value_new_container(a, OLOCK_TYPE_NS);
    olock_value *ns2 = olock_value_new_container(a, OLOCK_TYPE_NS);
    CHECK(olock_map_put(a, m, "b", 1, olock_value_new_i64(a, 1)) == OLOCK_OK);
    CHECK(olock_map_put(a, m, "a", 1, olock_value_new_i64(a, 2)) == OLOCK_OK);
    CHECK(olock_map_put(a, m, "b", 1, olock_value_new_s(a, "x", 1)) == OLOCK_OK);
    CHECK_EQ_STR(json_of(m), "{\"M\":{\"b\":{\"S\":\"x\"},\"a\":{\"N\":\"2\"}}}");  /* replaced in place */
    CHECK_EQ_INT(m->count, 2);
    CHECK(olock_map_remove(m, "b", 1) == 1);
    CHECK(olock_map_remove(m, "zz", 2) == 0);
    CHECK_EQ_STR(json_of(m), "{\"M\":{\"a\":{\"N\":\"2\"}}}");
    CHECK(olock_map_put(a, m, "c", 1, olock_value_new_bool(a, 0)) == OLOCK_OK);
    CHECK(m->last && strcmp(m->last->key, "c") == 0);
    CHECK(olock_list_append(l, olock_value_new_s(a, "p", 1)) == OLOCK_OK);
    CHECK(olock_list_append(l, olock_value_new_null(a)) == OLOCK_OK);
    CHECK(olock_list_get(l, 1) && olock_list_get(l, 1)->type == OLOCK_TYPE_NULL);
    CHECK(olock_list_get(l, 2) == NULL);
    CHECK(olock_list_append(m, l) == OLOCK_ERR_INVALID_ARG);
    /* sets: members unique by numeric value, type-checked, unordered equality */
    CHECK(olock_set_add(ns, olock_value_new_n(a, "1", 1)) == OLOCK_OK);
    CHECK(olock_set_add(ns, olock_value_new_n(a, "1.0", 3)) == OLOCK_OK);
    CHECK(olock_set_add(ns, olock_value_new_n(a, "2", 1)) == OLOCK_OK);
    CHECK_EQ_INT(ns->count, 2);
    CHECK(olock_set_add(ns, olock_value_new_s(a, "2", 1)) == OLOCK_ERR_TYPE);
    CHECK(olock_set_add(ns2, olock_value_new_n(a, "2.00", 4)) == OLOCK_OK);
    CHECK(!olock_value_equal(ns, ns2));
    CHECK(olock_set_add(ns2, olock_value_new_n(a, "10e-1", 5)) == OLOCK_OK);
    CHECK(olock_value_equal(ns, ns2));
    CHECK(olock_set_contains(ns, olock_value_new_n(a, "1", 1)));
    CHECK(!olock_set_contains(ns, olock_value_new_n(a, "3", 1)));
}

TEST(test_value_equality) {
    CHECK(olock_value_equal(attr("{\"N\":\"1.50\"}"), attr("{\"N\":\"15e-1\"}")));
    CHECK(!olock_value_equal(attr("{\"N\":\"1\"}"), attr("{\"S\":\"1\"}")));
    CHECK(olock_value_equal(attr("{\"M\":{\"a\":{\"N\":\"1\"},\"b\":{\"S\":\"x\"}}}"),
                            attr("{\"M\":{\"b\":{\"S\":\"x\"},\"a\":{\"N\":\"1.0\"}}}")));
    CHECK(!olock_value_equal(attr("{\"L\":[{\"N\":\"1\"},{\"N\":\"2\"}]}"), attr("{\"L\":[{\"N\":\"2\"},{\"N\":\"1\"}]}")));
    CHECK(olock_value_equal(attr("{\"SS\":[\"a\",\"b\"]}"), attr("{\"SS\":[\"b\",\"a\"]}")));
    CHECK(olock_value_equal(attr("{\"BS\":[\"AQ==\",\"Ag==\"]}"), attr("{\"BS\":[\"Ag==\",\"AQ==\"]}")));
    CHECK(!olock_value_equal(attr("{\"SS\":[\"a\",\"b\"]}"), attr("{\"SS\":[\"a\",\"c\"]}")));
    CHECK(!olock_value_equal(attr("{\"BOOL\":true}"), attr("{\"BOOL\":false}")));
    CHECK(olock_value_equal(attr("{\"NULL\":true}"), attr("{\"NULL\":true}")));
    CHECK(!olock_value_equal(attr("{\"M\":{\"a\":{\"N\":\"1\"}}}"), attr("{\"M\":{\"a\":{\"N\":\"1\"},\"b\":{\"N\":\"1\"}}}")));
}

TEST(test_items) {
    olock_item *it = NULL, *cp = NULL, *back = NULL;
    olock_buf b;
    const char *s;
    int64_t n;
    olock_value *tags;
    unsigned char bin[3] = { 0, 0xFF, 0x10 };
    olock_buf_init(&b, NULL);
    CHECK(olock_item_create(NULL, &it) == OLOCK_OK);
    CHECK(olock_item_set_s(it, "id", "player-7") == OLOCK_OK);
    CHECK(olock_item_set_i64(it, "gold", 120) == OLOCK_OK);
    CHECK(olock_item_set_n(it, "ratio", "0.250") == OLOCK_OK);
    CHECK(olock_item_set_n(it, "bad", "1e200") == OLOCK_ERR_LIMIT);
    CHECK(olock_item_set_double(it, "pi", 3.25) == OLOCK_OK);
    CHECK(olock_item_set_b(it, "raw", bin, 3) == OLOCK_OK);
    CHECK(olock_item_set_bool(it, "alive", 1) == OLOCK_OK);
    CHECK(olock_item_set_null(it, "guild") == OLOCK_OK);
    tags = olock_value_new_container(olock_item_arena(it), OLOCK_TYPE_SS);
    CHECK(olock_set_add(tags, olock_value_new_s(olock_item_arena(it), "vip", 3)) == OLOCK_OK);
    CHECK(olock_item_put(it, "tags", tags) == OLOCK_OK);
    CHECK(olock_item_get_s(it, "id", &s) == OLOCK_OK && strcmp(s, "player-7") == 0);
    CHECK(olock_item_get_i64(it, "gold", &n) == OLOCK_OK && n == 120);
    CHECK(olock_item_get_i64(it, "id", &n) == OLOCK_ERR_TYPE);
    CHECK(olock_item_get_i64(it, "nope", &n) == OLOCK_ERR_NOT_FOUND);
    CHECK(olock_item_write_json(it, &b) == OLOCK_OK);
    CHECK_EQ_STR(b.data, "{\"id\":{\"S\":\"player-7\"},\"gold\":{\"N\":\"120\"},\"ratio\":{\"N\":\"0.25\"},"
                         "\"pi\":{\"N\":\"3.25\"},\"raw\":{\"B\":\"AP8Q\"},\"alive\":{\"BOOL\":true},"
                         "\"guild\":{\"NULL\":true},\"tags\":{\"SS\":[\"vip\"]}}");
    CHECK(olock_item_parse_json(b.data, b.len, NULL, &back, NULL) == OLOCK_OK);
    CHECK(olock_item_equal(it, back));
    CHECK(olock_item_copy(it, NULL, &cp) == OLOCK_OK);
    CHECK(olock_item_equal(it, cp));
    CHECK(olock_item_remove(cp, "gold") == 1);
    CHECK(!olock_item_equal(it, cp));
    CHECK(olock_item_set(cp, "copy", olock_item_get(it, "tags")) == OLOCK_OK);
    CHECK(olock_value_equal(olock_item_get(cp, "copy"), olock_item_get(it, "tags")));
    olock_item_destroy(it);
    olock_item_destroy(cp);
    olock_item_destroy(back);
    olock_item_destroy(NULL);
    olock_buf_free(&b);
}

/* ---- JSON parser ---------------------------------------------------------------------------- */

TEST(test_json_valid) {
    const olock_json *j = parse_ok(" {\"a\" : [1, -2.5e+3, true, false, null, \"x\"], \"b\":{}} ");
    CHECK(j && j->kind == OLOCK_JSON_OBJECT && j->count == 2);
    if (!j) return;
    CHECK(olock_json_get(j, "a")->count == 6);
    CHECK_EQ_STR(olock_json_get(j, "a")->first->next->str, "-2.5e+3");
    CHECK(olock_json_get(j, "b")->kind == OLOCK_JSON_OBJECT);
    CHECK(olock_json_get(j, "zz") == NULL);
    j = parse_ok("\"\\\"\\\\\\/\\b\\f\\n\\r\\t\\u0041\\u00e9\\u20ac\\ud83d\\ude00\"");
    CHECK(j && j->len == 8 + 1 + 2 + 3 + 4);
    CHECK(j && memcmp(j->str, "\"\\/\b\f\n\r\tA\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80", j->len) == 0);
    j = parse_ok("\"a\\u0000b\"");
    CHECK(j && j->len == 3 && j->str[1] == 0);
    j = parse_ok("\"\xE2\x82\xAC \xF0\x9F\x98\x80\"");            /* raw UTF-8 passes */
    CHECK(j && j->len == 8);
    CHECK(parse_ok("0") && parse_ok("-0") && parse_ok("[]") && parse_ok("1E5"));
}

TEST(test_json_invalid) {
    static const struct { const char *text; olock_result rc; size_t offset; } cases[] = {
        { "", OLOCK_ERR_PARSE, 0 },
        { "   ", OLOCK_ERR_PARSE, 3 },
        { "{", OLOCK_ERR_PARSE, 1 },
        { "{\"a\":1,}", OLOCK_ERR_PARSE, 7 },
        { "[1,]", OLOCK_ERR_PARSE, 3 },
        { "[1 2]", OLOCK_ERR_PARSE, 3 },
        { "{\"a\" 1}", OLOCK_ERR_PARSE, 5 },
        { "{a:1}", OLOCK_ERR_PARSE, 1 },
        { "01", OLOCK_ERR_PARSE, 1 },
        { "1.", OLOCK_ERR_PARSE, 2 },
        { "-", OLOCK_ERR_PARSE, 1 },
        { "1e", OLOCK_ERR_PARSE, 2 },
        { "+1", OLOCK_ERR_PARSE, 0 },
        { "tru", OLOCK_ERR_PARSE, 0 },
        { "nul", OLOCK_ERR_PARSE, 0 },
        { "{} x", OLOCK_ERR_PARSE, 3 },
        { "\"abc", OLOCK_ERR_PARSE, 0 },
        { "\"a\tb\"", OLOCK_ERR_PARSE, 2 },
        { "\"\\x\"", OLOCK_ERR_PARSE, 1 },
        { "\"\\u12\"", OLOCK_ERR_PARSE, 1 },
        { "\"\\ud800\"", OLOCK_ERR_PARSE, 1 },
        { "\"\\ud800\\u0041\"", OLOCK_ERR_PARSE, 1 },
        { "\"\\udc00\"", OLOCK_ERR_PARSE, 1 },
        { "\"\xC0\x80\"", OLOCK_ERR_PARSE, 1 },       /* overlong NUL */
        { "\"\xED\xA0\x80\"", OLOCK_ERR_PARSE, 1 },   /* UTF-8 encoded surrogate */
        { "\"\xF5\x80\x80\x80\"", OLOCK_ERR_PARSE, 1 },
        { "\"\xE2\x82\"", OLOCK_ERR_PARSE, 1 },       /* truncated sequence */
        { "\"\x80\"", OLOCK_ERR_PARSE, 1 },
        { "[1]]", OLOCK_ERR_PARSE, 3 },
    };
    size_t i, off;
    for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        olock_result rc = parse_rc(cases[i].text, strlen(cases[i].text), &off);
        if (rc != cases[i].rc || off != cases[i].offset)
            fprintf(stderr, "  case %u '%s': rc %d offset %lu\n", (unsigned)i, cases[i].text, rc, (unsigned long)off);
        CHECK(rc == cases[i].rc && off == cases[i].offset);
    }
    CHECK(parse_rc("[1]\0", 4, &off) == OLOCK_ERR_PARSE && off == 3);   /* embedded NUL is garbage */
}

TEST(test_json_limits) {
    char deep[200];
    olock_json *j;
    olock_json_limits lim;
    olock_error e;
    size_t off;
    int i;
    for (i = 0; i < 64; i++) deep[i] = '[';
    for (i = 0; i < 64; i++) deep[64 + i] = ']';
    CHECK(parse_rc(deep, 128, &off) == OLOCK_OK);
    for (i = 0; i < 65; i++) deep[i] = '[';
    for (i = 0; i < 65; i++) deep[65 + i] = ']';
    CHECK(parse_rc(deep, 130, &off) == OLOCK_ERR_LIMIT && off == 64);
    lim.max_bytes = 10; lim.max_depth = 2;
    CHECK(olock_json_parse(&g_arena, "[[[]]]", 6, &lim, &j, &e) == OLOCK_ERR_LIMIT);
    CHECK(olock_json_parse(&g_arena, "[1,2,3,4,5,6]", 13, &lim, &j, &e) == OLOCK_ERR_LIMIT);
    CHECK(strstr(e.message, "too large") != NULL);
}

/* ---- DynamoDB JSON ------------------------------------------------------------------------- */

TEST(test_ddb_json_types) {
    static const char *const roundtrip[] = {
        "{\"S\":\"\"}", "{\"S\":\"a\\\"b\\\\c\\n\\u0001\xC3\xA9\"}", "{\"N\":\"-12.5\"}", "{\"N\":\"0\"}",
        "{\"B\":\"\"}", "{\"B\":\"AAEC/w==\"}", "{\"BOOL\":false}", "{\"NULL\":true}",
        "{\"M\":{}}", "{\"M\":{\"z\":{\"N\":\"1\"},\"a\":{\"L\":[{\"S\":\"x\"},{\"M\":{}}]}}}",
        "{\"L\":[]}", "{\"SS\":[\"b\",\"a\"]}", "{\"NS\":[\"1\",\"-2.5\"]}", "{\"BS\":[\"AQ==\",\"AgM=\"]}",
    };
    size_t i;
    for (i = 0; i < sizeof roundtrip / sizeof roundtrip[0]; i++)
        CHECK_EQ_STR(json_of(attr(roundtrip[i])), roundtrip[i]);
    CHECK_EQ_STR(json_of(attr("{\"N\":\"1.500e1\"}")), "{\"N\":\"15\"}");
    CHECK_EQ_STR(json_of(attr("{\"NS\":[\"010\",\"2\"]}")), "{\"NS\":[\"10\",\"2\"]}");
    CHECK_EQ_STR(json_of(attr("{\"S\":\"\\u007f\\u001f\"}")), "{\"S\":\"\x7f\\u001f\"}");
}

TEST(test_ddb_json_invalid) {
    char big[4096];
    size_t n = 0;
    int i;
    CHECK(attr_rc("{}") == OLOCK_ERR_PARSE);
    CHECK(attr_rc("{\"S\":\"a\",\"N\":\"1\"}") == OLOCK_ERR_PARSE);
    CHECK(attr_rc("{\"X\":\"a\"}") == OLOCK_ERR_PARSE);
    CHECK(attr_rc("{\"S\":1}") == OLOCK_ERR_PARSE);
    CHECK(attr_rc("{\"N\":1}") == OLOCK_ERR_PARSE);
    CHECK(attr_rc("{\"N\":\"1x\"}") == OLOCK_ERR_PARSE);
    CHECK(attr_rc("{\"N\":\"\"}") == OLOCK_ERR_PARSE);
    CHECK(attr_rc("{\"N\":\"123456789012345678901234567890123456789\"}") == OLOCK_ERR_LIMIT);
    CHECK(attr_rc("{\"N\":\"1e126\"}") == OLOCK_ERR_LIMIT);
    CHECK(attr_rc("{\"N\":\"1e-131\"}") == OLOCK_ERR_LIMIT);
    CHECK(attr_rc("{\"B\":\"AQ=\"}") == OLOCK_ERR_PARSE);
    CHECK(attr_rc("{\"B\":\"A@==\"}") == OLOCK_ERR_PARSE);
    CHECK(attr_rc("{\"BOOL\":\"true\"}") == OLOCK_ERR_PARSE);
    CHECK(attr_rc("{\"NULL\":false}") == OLOCK_ERR_PARSE);
    CHECK(attr_rc("{\"SS\":[]}") == OLOCK_ERR_PARSE);
    CHECK(attr_rc("{\"SS\":[\"a\",\"a\"]}") == OLOCK_ERR_PARSE);
    CHECK(attr_rc("{\"NS\":[\"1\",\"1.0\"]}") == OLOCK_ERR_PARSE);   /* equal numbers are duplicates */
    CHECK(attr_rc("{\"BS\":[\"AQ==\",\"AQ==\"]}") == OLOCK_ERR_PARSE);
    CHECK(attr_rc("{\"SS\":[1]}") == OLOCK_ERR_PARSE);
    CHECK(attr_rc("{\"L\":{}}") == OLOCK_ERR_PARSE);
    CHECK(attr_rc("{\"M\":[]}") == OLOCK_ERR_PARSE);
    CHECK(attr_rc("{\"M\":{\"a\":{\"S\":\"x\"},\"a\":{\"S\":\"y\"}}}") == OLOCK_ERR_PARSE);
    /* duplicates found by sorting in a larger set */
    n += (size_t)snprintf(big + n, sizeof big - n, "{\"NS\":[");
    for (i = 0; i < 40; i++) n += (size_t)snprintf(big + n, sizeof big - n, "\"%d\",", i);
    n += (size_t)snprintf(big + n, sizeof big - n, "\"7.0\"]}");
    CHECK(attr_rc(big) == OLOCK_ERR_PARSE);
    memcpy(big + n - 6, "99\"]}", 6);                 /* "99" instead of "7.0": no duplicate */
    CHECK(attr_rc(big) == OLOCK_OK);
    {   /* the error carries the offset of the offending attribute */
        olock_json *j = NULL;
        olock_value *v = NULL;
        olock_error e;
        const char *t = "{\"M\":{\"a\":{\"N\":\"x\"}}}";
        olock_json_parse(&g_arena, t, strlen(t), NULL, &j, NULL);
        CHECK(olock_value_from_json(&g_arena, j, &v, &e) == OLOCK_ERR_PARSE);
        CHECK_EQ_INT(e.offset, 15);
    }
}

TEST(test_json_writer_rejects_bad_utf8) {
    olock_buf b;
    olock_arena *a = &g_arena;
    olock_value *m = olock_value_new_container(a, OLOCK_TYPE_M);
    olock_buf_init(&b, NULL);
    olock_buf_append_str(&b, "prefix");
    olock_map_put(a, m, "k", 1, olock_value_new_s(a, "\xFF", 1));
    CHECK(olock_value_write_json(m, &b) == OLOCK_ERR_INVALID_ARG);
    CHECK_EQ_STR(b.data, "prefix");     /* restored, no partial write */
    olock_buf_free(&b);
}

/* ---- base64, CRC-32 -------------------------------------------------------------------------- */

TEST(test_base64) {
    static const char *const plain[] = { "", "f", "fo", "foo", "foob", "fooba", "foobar" };
    static const char *const enc[] = { "", "Zg==", "Zm8=", "Zm9v", "Zm9vYg==", "Zm9vYmE=", "Zm9vYmFy" };
    unsigned char out[16];
    size_t i, n;
    olock_buf b;
    olock_buf_init(&b, NULL);
    for (i = 0; i < 7; i++) {   /* RFC 4648 section 10 */
        olock_buf_clear(&b);
        CHECK(olock_base64_encode(plain[i], strlen(plain[i]), &b) == OLOCK_OK);
        CHECK_EQ_STR(b.len ? b.data : "", enc[i]);
        CHECK(olock_base64_decode(enc[i], strlen(enc[i]), out, &n) == OLOCK_OK && n == strlen(plain[i]) &&
              memcmp(out, plain[i], n) == 0);
    }
    CHECK(olock_base64_decode("Zg=", 3, out, &n) == OLOCK_ERR_PARSE);
    CHECK(olock_base64_decode("Zh==", 4, out, &n) == OLOCK_ERR_PARSE);     /* padding bits set */
    CHECK(olock_base64_decode("Zm9=", 4, out, &n) == OLOCK_ERR_PARSE);
    CHECK(olock_base64_decode("Zg==Zg==", 8, out, &n) == OLOCK_ERR_PARSE); /* padding mid-stream */
    CHECK(olock_base64_decode("Zm 9", 4, out, &n) == OLOCK_ERR_PARSE);
    CHECK(olock_base64_decode("====", 4, out, &n) == OLOCK_ERR_PARSE);
    olock_buf_free(&b);
}

TEST(test_crc32) {
    CHECK(olock_crc32(0, "123456789", 9) == 0xCBF43926u);     /* the CRC-32/ISO-HDLC check value */
    CHECK(olock_crc32(0, "", 0) == 0);
    CHECK(olock_crc32(olock_crc32(0, "12345", 5), "6789", 4) == 0xCBF43926u);
}

/* The string reader's scan (a few bytes one at a time, then sixteen at a time with SSE2; the
   table alone in test_core_portable): strings of random pieces (plain bytes, escapes, UTF-8)
   at every length around those steps, written by olock_json_write_string, read back by the
   tree parser and by the one-pass item decoder, equal to what was written. A raw control
   character at any position, or no closing quote, is a parse error. */
TEST(test_json_read_string_scan) {
    static const char *const raw[] = { "a", "Z", "~", " ", "\"", "\\", "\n", "\x01", "\xc3\xa9", "\xe2\x82\xac", "/" };
    char in[200], doc[1000];
    olock_buf b;
    uint32_t x = 11;
    int round, bad = 0;
    size_t k;
    olock_buf_init(&b, NULL);
    for (round = 0; round < 3000; round++) {
        size_t n = 0, pieces;
        int plain_only = round % 2;
        const olock_json *j;
        olock_item *item = NULL;
        x = x * 1103515245u + 12345u;
        pieces = (x >> 16) % 48;
        for (k = 0; k < pieces; k++) {
            size_t t;
            x = x * 1103515245u + 12345u;
            t = plain_only ? (x >> 16) % 4 : (x >> 16) % (sizeof raw / sizeof raw[0]);
            memcpy(in + n, raw[t], strlen(raw[t]));
            n += strlen(raw[t]);
        }
        olock_buf_clear(&b);
        if (olock_json_write_string(&b, in, n) != OLOCK_OK) { bad++; continue; }
        snprintf(doc, sizeof doc, "{\"k\":%s,\"z\":1}", b.data);
        olock_arena_reset(&g_arena);
        j = parse_ok(doc);
        if (!j || !olock_json_get(j, "k") || olock_json_get(j, "k")->len != n || memcmp(olock_json_get(j, "k")->str, in, n) != 0)
            bad++;
        snprintf(doc, sizeof doc, "{\"k\":{\"S\":%s},\"n\":{\"N\":\"1\"}}", b.data);
        if (olock_item_parse_json(doc, strlen(doc), NULL, &item, NULL) != OLOCK_OK || !item) {
            bad++;
            continue;
        }
        {
            const olock_value *v = olock_item_get(item, "k");
            if (!v || v->type != OLOCK_TYPE_S || v->len != n || memcmp(v->str, in, n) != 0) bad++;
        }
        olock_item_destroy(item);
    }
    CHECK(bad == 0);
    /* A raw control character, or the end of the text, at every position of a plain run. */
    for (k = 0; k < 40; k++) {
        size_t off = 99;
        memset(doc, 0, sizeof doc);
        memcpy(doc, "{\"k\":\"", 6);
        memset(doc + 6, 'q', 40);
        doc[6 + k] = '\x01';
        memcpy(doc + 6 + 40, "\"}", 2);
        CHECK(parse_rc(doc, 6 + 40 + 2, &off) == OLOCK_ERR_PARSE && off == 6 + k);
        CHECK(parse_rc(doc, 6 + k, &off) == OLOCK_ERR_PARSE);
    }
    olock_buf_free(&b);
}

/* olock_item_parse_json's one-pass decoder reads the usual attribute, "name":{"S"|"N":"..."}
   with nothing unusual in it, by a shortcut (olock__dd_flat_member); anything else in the member
   goes the general way. Both must give what the tree path (olock_json_parse +
   olock_map_from_json) gives: the same verdict, and the same members in the same order. The
   documents sit on the shortcut's edges, and maps are nested around OLOCK_MAX_DEPTH. */
static int same_members(const olock_value *a, const olock_value *b) {
    const olock_value *x, *y;
    if (!olock_value_equal(a, b)) return 0;
    for (x = a->first, y = b->first; x && y; x = x->next, y = y->next)
        if (x->key_len != y->key_len || memcmp(x->key, y->key, x->key_len) != 0) return 0;
    return !x && !y;
}

TEST(test_item_decoders_agree) {
    static const char *const docs[] = {
        "{\"a\":{\"S\":\"x\"},\"b\":{\"N\":\"12\"}}", "{\"a\":{\"N\":\"1.50\"}}", "{\"a\":{\"N\":\"01\"}}",
        "{\"a\":{\"N\":\"-0\"}}", "{\"a\":{\"N\":\"\"}}", "{\"a\":{\"S\":\"\"}}", "{\"\":{\"S\":\"x\"}}",
        "{\"a\":{\"S\":\"x\"} }", "{\"a\":{\"S\":\"x\" }}", "{\"a\" :{\"S\":\"x\"}}", "{\"a\":{\"S\" :\"x\"}}",
        "{\"a\":{\"S\":\"x\"},\"a\":{\"N\":\"1\"}}", "{\"a\":{\"S\":\"x\\\"y\"}}", "{\"a\\u0041\":{\"S\":\"x\"}}",
        "{\"a\":{\"S\":\"caf\xc3\xa9\"}}", "{\"a\":{\"S\":\"x\x01\"}}", "{\"a\":{\"SS\":[\"x\"]}}", "{\"a\":{\"S\":\"x\",\"N\":\"1\"}}",
        "{\"a\":{\"B\":\"eA==\"}}", "{\"a\":{\"S\":\"x\"}", "{\"a\":{\"S\":\"x\"", "{\"a\":{\"S\":\"x", "{\"a\":{\"S\":",
        "{\"a\":{\"N\":\"1e5\"}}", "{\"a\":{\"N\":\"100000000000000000000000000000000000000000\"}}",
        "{\"m\":{\"M\":{\"a\":{\"S\":\"x\"},\"b\":{\"N\":\"2\"}}},\"l\":{\"L\":[{\"S\":\"y\"}]}}",
    };
    char doc[1200];
    size_t i;
    int depth, bad = 0;
    for (i = 0; i < sizeof docs / sizeof docs[0] + 16; i++) {
        const char *text = doc;
        olock_item *item = NULL;
        olock_json *j = NULL;
        olock_value *map = NULL;
        olock_result r1, r2;
        if (i < sizeof docs / sizeof docs[0]) {
            text = docs[i];
        } else { /* depth levels of "M" around the limit, a plain member at the bottom */
            size_t n = 0;
            int k;
            depth = (int)(i - sizeof docs / sizeof docs[0]) + 24; /* two JSON levels each: 48-78, the limit 64 */
            for (k = 0; k < depth; k++) n += (size_t)snprintf(doc + n, sizeof doc - n, "{\"m\":{\"M\":");
            n += (size_t)snprintf(doc + n, sizeof doc - n, "{\"a\":{\"S\":\"x\"}}");
            for (k = 0; k < depth; k++) n += (size_t)snprintf(doc + n, sizeof doc - n, "}}");
        }
        olock_arena_reset(&g_arena);
        r1 = olock_item_parse_json(text, strlen(text), NULL, &item, NULL);
        r2 = olock_json_parse(&g_arena, text, strlen(text), NULL, &j, NULL);
        if (r2 == OLOCK_OK) r2 = olock_map_from_json(&g_arena, j, &map, NULL);
        if (r1 != r2 || (r1 == OLOCK_OK && !same_members(item->root, map))) {
            fprintf(stderr, "  decoders differ on %s: %d vs %d\n", i < sizeof docs / sizeof docs[0] ? text : "(nested)", (int)r1, (int)r2);
            bad++;
        }
        olock_item_destroy(item);
    }
    CHECK(bad == 0);
}

/* The string writer's word-at-a-time paths against the escaping written out by hand: random
   strings made of pieces whose JSON form is known (plain bytes, characters that must be escaped,
   UTF-8 sequences), at every length around the 4- and 8-byte steps and at every offset. */
TEST(test_json_write_string_words) {
    static const char *const raw[] = { "a", "Z", "~", " ", "\"", "\\", "\n", "\x01", "\x1f", "\xc3\xa9", "\xe2\x82\xac", "\xf0\x9f\x98\x80", "/" };
    static const char *const esc[] = { "a", "Z", "~", " ", "\\\"", "\\\\", "\\n", "\\u0001", "\\u001f", "\xc3\xa9", "\xe2\x82\xac", "\xf0\x9f\x98\x80", "/" };
    char in[200], want[800];
    olock_buf b;
    uint32_t x = 7;
    int round, bad = 0;
    olock_buf_init(&b, NULL);
    for (round = 0; round < 4000; round++) {
        size_t n = 0, m = 0, k, pieces, off;
        int plain_only = round % 2;   /* half the strings plain, to reach the fast paths often */
        x = x * 1103515245u + 12345u;
        pieces = (x >> 16) % 24;
        off = (x >> 8) % 8;
        want[m++] = '"';
        for (k = 0; k < pieces; k++) {
            size_t t;
            x = x * 1103515245u + 12345u;
            t = plain_only ? (x >> 16) % 4 : (x >> 16) % (sizeof raw / sizeof raw[0]);
            memcpy(in + off + n, raw[t], strlen(raw[t]));
            n += strlen(raw[t]);
            memcpy(want + m, esc[t], strlen(esc[t]));
            m += strlen(esc[t]);
        }
        want[m++] = '"';
        olock_buf_clear(&b);
        if (olock_buf_append(&b, "x", 1) != OLOCK_OK || olock_json_write_string(&b, in + off, n) != OLOCK_OK ||
            b.len != m + 1 || memcmp(b.data + 1, want, m) != 0 || b.data[b.len] != 0)
            bad++;
    }
    CHECK(bad == 0);
    /* Invalid UTF-8 after a plain run, at each distance from the end: refused, buffer unchanged. */
    for (round = 0; round < 24; round++) {
        memset(in, 'q', sizeof in);
        in[round] = (char)0xC3;       /* a lead byte followed by 'q' */
        olock_buf_clear(&b);
        CHECK(olock_buf_append(&b, "x", 1) == OLOCK_OK);
        CHECK(olock_json_write_string(&b, in, (size_t)round + 2) == OLOCK_ERR_INVALID_ARG);
        CHECK(b.len == 1 && b.data[1] == 0);
    }
    olock_buf_free(&b);
}

/* The CRC against the definition (one bit at a time), at every length and misalignment around
   the 8-byte steps of the table path and the 16- and 64-byte steps of the PCLMULQDQ path (where
   the CPU has it; test_core_portable builds without it), whole and in two pieces. */
static uint32_t crc32_bitwise(uint32_t crc, const unsigned char *p, size_t len) {
    int k;
    crc = ~crc;
    while (len--) {
        crc ^= *p++;
        for (k = 0; k < 8; k++) crc = (crc >> 1) ^ (0xEDB88320u & (0u - (crc & 1u)));
    }
    return ~crc;
}

TEST(test_crc32_sliced) {
    static unsigned char data[1200 + 8];
    uint32_t x = 12345;
    size_t i, off, len, bad = 0;
    for (i = 0; i < sizeof data; i++) { x = x * 1103515245u + 12345u; data[i] = (unsigned char)(x >> 16); }
    for (off = 0; off < 8; off++)
        for (len = 0; len <= 1200; len += len < 300 ? 1 : 7) {
            uint32_t want = crc32_bitwise(0, data + off, len);
            if (olock_crc32(0, data + off, len) != want) bad++;
            if (olock_crc32(olock_crc32(0, data + off, len / 3), data + off + len / 3, len - len / 3) != want) bad++;
        }
    CHECK(bad == 0);
}

/* ---- requests ------------------------------------------------------------------------------- */

static olock_value *key_of(const char *id) {
    olock_value *k = olock_value_new_container(&g_arena, OLOCK_TYPE_M);
    olock_map_put(&g_arena, k, "id", 2, olock_value_new_s(&g_arena, id, strlen(id)));
    return k;
}

static olock_value *names_map(const char *ph, const char *name) {
    olock_value *m = olock_value_new_container(&g_arena, OLOCK_TYPE_M);
    olock_map_put(&g_arena, m, ph, strlen(ph), olock_value_new_s(&g_arena, name, strlen(name)));
    return m;
}

static olock_value *values_map(const char *ph, olock_value *v) {
    olock_value *m = olock_value_new_container(&g_arena, OLOCK_TYPE_M);
    olock_map_put(&g_arena, m, ph, strlen(ph), v);
    return m;
}

TEST(test_encode_item_requests) {
    olock_value *vals;
    olock_buf b;
    olock_item_request r;
    olock_error e;
    olock_buf_init(&b, NULL);
    memset(&r, 0, sizeof r);
    r.table = "t"; r.key = key_of("a"); r.consistent_read = 1; r.projection = "#v";
    r.names = names_map("#v", "version");
    CHECK(olock_encode_item_request(OLOCK_OP_GET_ITEM, &r, &b, &e) == OLOCK_OK);
    CHECK_EQ_STR(b.data, "{\"TableName\":\"t\",\"Key\":{\"id\":{\"S\":\"a\"}},\"ProjectionExpression\":\"#v\","
                         "\"ExpressionAttributeNames\":{\"#v\":\"version\"},\"ConsistentRead\":true}");
    olock_buf_clear(&b);
    memset(&r, 0, sizeof r);
    r.table = "t"; r.key = key_of("a"); r.update = "SET #v = :n"; r.condition = "#v = :e";
    vals = values_map(":n", olock_value_new_i64(&g_arena, 2));
    olock_map_put(&g_arena, vals, ":e", 2, olock_value_new_i64(&g_arena, 1));
    r.names = names_map("#v", "version"); r.values = vals;
    r.return_values = OLOCK_RV_ALL_NEW; r.return_values_on_condition_check_failure = OLOCK_RV_ALL_OLD;
    CHECK(olock_encode_item_request(OLOCK_OP_UPDATE_ITEM, &r, &b, &e) == OLOCK_OK);
    CHECK_EQ_STR(b.data, "{\"TableName\":\"t\",\"Key\":{\"id\":{\"S\":\"a\"}},\"UpdateExpression\":\"SET #v = :n\","
                         "\"ConditionExpression\":\"#v = :e\",\"ExpressionAttributeNames\":{\"#v\":\"version\"},"
                         "\"ReturnValues\":\"ALL_NEW\",\"ReturnValuesOnConditionCheckFailure\":\"ALL_OLD\","
                         "\"ExpressionAttributeValues\":{\":n\":{\"N\":\"2\"},\":e\":{\"N\":\"1\"}}}");
    olock_buf_clear(&b);
    memset(&r, 0, sizeof r);
    r.table = "t"; r.item = key_of("b"); r.condition = "attribute_not_exists(id)"; r.return_values = OLOCK_RV_ALL_OLD;
    CHECK(olock_encode_item_request(OLOCK_OP_PUT_ITEM, &r, &b, &e) == OLOCK_OK);
    CHECK_EQ_STR(b.data, "{\"TableName\":\"t\",\"Item\":{\"id\":{\"S\":\"b\"}},\"ConditionExpression\":\"attribute_not_exists(id)\","
                         "\"ReturnValues\":\"ALL_OLD\"}");
    olock_buf_clear(&b);
    memset(&r, 0, sizeof r);
    r.table = "t"; r.key = key_of("c");
    CHECK(olock_encode_item_request(OLOCK_OP_DELETE_ITEM, &r, &b, &e) == OLOCK_OK);
    CHECK_EQ_STR(b.data, "{\"TableName\":\"t\",\"Key\":{\"id\":{\"S\":\"c\"}}}");
    /* misuse is reported, not dropped */
    olock_buf_clear(&b);
    r.update = "SET a = :b";
    CHECK(olock_encode_item_request(OLOCK_OP_DELETE_ITEM, &r, &b, &e) == OLOCK_ERR_INVALID_ARG);
    CHECK(strstr(e.message, "UpdateItem") != NULL);
    CHECK_EQ_INT(b.len, 0);
    r.update = NULL; r.table = NULL;
    CHECK(olock_encode_item_request(OLOCK_OP_DELETE_ITEM, &r, &b, &e) == OLOCK_ERR_INVALID_ARG);
    r.table = "t"; r.item = key_of("x");
    CHECK(olock_encode_item_request(OLOCK_OP_PUT_ITEM, &r, &b, &e) == OLOCK_ERR_INVALID_ARG);
    CHECK(olock_encode_item_request(OLOCK_OP_QUERY, &r, &b, &e) == OLOCK_ERR_INVALID_ARG);
    olock_buf_free(&b);
}

TEST(test_encode_other_requests) {
    olock_buf b;
    olock_txn_action acts[2];
    olock_item_request gets[1];
    olock_batch_get_table bg;
    olock_batch_write_entry bw[3];
    olock_query_request q;
    olock_create_table_request ct;
    const olock_value *keys[2];
    olock_error e;
    olock_buf_init(&b, NULL);
    memset(acts, 0, sizeof acts);
    acts[0].kind = OLOCK_TXN_PUT; acts[0].req.table = "t"; acts[0].req.item = key_of("a");
    acts[0].req.condition = "attribute_not_exists(id)";
    acts[1].kind = OLOCK_TXN_CONDITION_CHECK; acts[1].req.table = "u"; acts[1].req.key = key_of("b");
    acts[1].req.condition = "#v = :v"; acts[1].req.names = names_map("#v", "version");
    acts[1].req.values = values_map(":v", olock_value_new_i64(&g_arena, 3));
    acts[1].req.return_values_on_condition_check_failure = OLOCK_RV_ALL_OLD;
    CHECK(olock_encode_transact_write(acts, 2, "tok-1", &b, &e) == OLOCK_OK);
    CHECK_EQ_STR(b.data, "{\"TransactItems\":[{\"Put\":{\"TableName\":\"t\",\"Item\":{\"id\":{\"S\":\"a\"}},"
                         "\"ConditionExpression\":\"attribute_not_exists(id)\"}},{\"ConditionCheck\":{\"TableName\":\"u\","
                         "\"Key\":{\"id\":{\"S\":\"b\"}},\"ConditionExpression\":\"#v = :v\",\"ExpressionAttributeNames\":"
                         "{\"#v\":\"version\"},\"ReturnValuesOnConditionCheckFailure\":\"ALL_OLD\","
                         "\"ExpressionAttributeValues\":{\":v\":{\"N\":\"3\"}}}}],\"ClientRequestToken\":\"tok-1\"}");
    acts[1].req.condition = NULL;
    CHECK(olock_encode_transact_write(acts, 2, NULL, &b, &e) == OLOCK_ERR_INVALID_ARG);
    CHECK(strstr(e.message, "action 1") != NULL);
    olock_buf_clear(&b);
    memset(gets, 0, sizeof gets);
    gets[0].table = "t"; gets[0].key = key_of("a");
    CHECK(olock_encode_transact_get(gets, 1, &b, &e) == OLOCK_OK);
    CHECK_EQ_STR(b.data, "{\"TransactItems\":[{\"Get\":{\"TableName\":\"t\",\"Key\":{\"id\":{\"S\":\"a\"}}}}]}");
    olock_buf_clear(&b);
    memset(&bg, 0, sizeof bg);
    keys[0] = key_of("a"); keys[1] = key_of("b");
    bg.table = "t"; bg.keys = keys; bg.key_count = 2; bg.consistent_read = 1;
    CHECK(olock_encode_batch_get(&bg, 1, &b, &e) == OLOCK_OK);
    CHECK_EQ_STR(b.data, "{\"RequestItems\":{\"t\":{\"Keys\":[{\"id\":{\"S\":\"a\"}},{\"id\":{\"S\":\"b\"}}],\"ConsistentRead\":true}}}");
    olock_buf_clear(&b);
    memset(bw, 0, sizeof bw);
    bw[0].table = "t"; bw[0].put_item = key_of("a");
    bw[1].table = "u"; bw[1].delete_key = key_of("b");
    bw[2].table = "t"; bw[2].delete_key = key_of("c");
    CHECK(olock_encode_batch_write(bw, 3, &b, &e) == OLOCK_OK);
    CHECK_EQ_STR(b.data, "{\"RequestItems\":{\"t\":[{\"PutRequest\":{\"Item\":{\"id\":{\"S\":\"a\"}}}},"
                         "{\"DeleteRequest\":{\"Key\":{\"id\":{\"S\":\"c\"}}}}],\"u\":[{\"DeleteRequest\":{\"Key\":{\"id\":{\"S\":\"b\"}}}}]}}");
    bw[0].delete_key = key_of("z");
    CHECK(olock_encode_batch_write(bw, 3, &b, &e) == OLOCK_ERR_INVALID_ARG);
    olock_buf_clear(&b);
    memset(&q, 0, sizeof q);
    q.table = "t"; q.index = "gsi"; q.key_condition = "#p = :p"; q.names = names_map("#p", "pk");
    q.values = values_map(":p", olock_value_new_s(&g_arena, "x", 1)); q.limit = 10; q.scan_backward = 1;
    q.exclusive_start_key = key_of("k");
    CHECK(olock_encode_query(OLOCK_OP_QUERY, &q, &b, &e) == OLOCK_OK);
    CHECK_EQ_STR(b.data, "{\"TableName\":\"t\",\"IndexName\":\"gsi\",\"KeyConditionExpression\":\"#p = :p\","
                         "\"ExpressionAttributeNames\":{\"#p\":\"pk\"},\"ExpressionAttributeValues\":{\":p\":{\"S\":\"x\"}},"
                         "\"ScanIndexForward\":false,\"Limit\":10,\"ExclusiveStartKey\":{\"id\":{\"S\":\"k\"}}}");
    CHECK(olock_encode_query(OLOCK_OP_SCAN, &q, &b, &e) == OLOCK_ERR_INVALID_ARG);
    olock_buf_clear(&b);
    memset(&ct, 0, sizeof ct);
    ct.table = "t"; ct.hash_key = "pk"; ct.hash_type = OLOCK_TYPE_S; ct.range_key = "sk"; ct.range_type = OLOCK_TYPE_N;
    CHECK(olock_encode_create_table(&ct, &b, &e) == OLOCK_OK);
    CHECK_EQ_STR(b.data, "{\"TableName\":\"t\",\"AttributeDefinitions\":[{\"AttributeName\":\"pk\",\"AttributeType\":\"S\"},"
                         "{\"AttributeName\":\"sk\",\"AttributeType\":\"N\"}],\"KeySchema\":[{\"AttributeName\":\"pk\","
                         "\"KeyType\":\"HASH\"},{\"AttributeName\":\"sk\",\"KeyType\":\"RANGE\"}],\"BillingMode\":\"PAY_PER_REQUEST\"}");
    ct.range_type = OLOCK_TYPE_BOOL;
    CHECK(olock_encode_create_table(&ct, &b, &e) == OLOCK_ERR_INVALID_ARG);
    olock_buf_clear(&b);
    CHECK(olock_encode_table_op(OLOCK_OP_DESCRIBE_TABLE, "t", &b, &e) == OLOCK_OK);
    CHECK_EQ_STR(b.data, "{\"TableName\":\"t\"}");
    olock_buf_clear(&b);
    CHECK(olock_encode_table_op(OLOCK_OP_LIST_TABLES, NULL, &b, &e) == OLOCK_OK);
    CHECK_EQ_STR(b.data, "{}");
    CHECK(olock_op_from_name("DynamoDB_20120810.UpdateItem", 28) == OLOCK_OP_UPDATE_ITEM);
    CHECK(olock_op_from_name("Query", 5) == OLOCK_OP_QUERY);
    CHECK(olock_op_from_name("Nope", 4) == 0);
    olock_buf_free(&b);
}

/* ---- responses and error classes ------------------------------------------------------------- */

static olock_result decode(olock_op op, int status, const char *body, olock_response *out) {
    return olock_response_decode(&g_arena, op, status, body, strlen(body), out, NULL);
}

TEST(test_decode_success) {
    olock_response r;
    CHECK(decode(OLOCK_OP_GET_ITEM, 200, "{\"Item\":{\"id\":{\"S\":\"a\"},\"version\":{\"N\":\"3\"}}}", &r) == OLOCK_OK);
    CHECK(r.item && r.item->count == 2 && r.error_class == OLOCK_CLASS_NONE);
    CHECK(decode(OLOCK_OP_GET_ITEM, 200, "{}", &r) == OLOCK_OK && r.item == NULL);
    CHECK(decode(OLOCK_OP_UPDATE_ITEM, 200, "{\"Attributes\":{\"n\":{\"N\":\"5\"}}}", &r) == OLOCK_OK);
    CHECK(r.item && strcmp(r.item->first->str, "5") == 0);
    CHECK(decode(OLOCK_OP_QUERY, 200, "{\"Count\":2,\"Items\":[{\"a\":{\"S\":\"1\"}},{\"a\":{\"S\":\"2\"}}],"
                                      "\"LastEvaluatedKey\":{\"a\":{\"S\":\"2\"}},\"ScannedCount\":3}", &r) == OLOCK_OK);
    CHECK(r.item_count == 2 && r.count == 2 && r.scanned_count == 3 && r.last_evaluated_key != NULL);
    CHECK(decode(OLOCK_OP_TRANSACT_GET_ITEMS, 200, "{\"Responses\":[{\"Item\":{\"a\":{\"S\":\"1\"}}},{}]}", &r) == OLOCK_OK);
    CHECK(r.item_count == 2 && r.items[0] != NULL && r.items[1] == NULL);
    CHECK(decode(OLOCK_OP_BATCH_GET_ITEM, 200, "{\"Responses\":{\"t\":[{\"a\":{\"S\":\"1\"}}],\"u\":[{\"a\":{\"S\":\"2\"}}]},"
                                               "\"UnprocessedKeys\":{}}", &r) == OLOCK_OK);
    CHECK(r.item_count == 2 && strcmp(r.item_tables[1], "u") == 0 && !r.has_unprocessed);
    CHECK(decode(OLOCK_OP_DESCRIBE_TABLE, 200, "{\"Table\":{\"TableStatus\":\"ACTIVE\"}}", &r) == OLOCK_OK);
    CHECK(r.json && olock_json_get(olock_json_get(r.json, "Table"), "TableStatus") != NULL);
    /* malformed successes */
    CHECK(decode(OLOCK_OP_GET_ITEM, 200, "{\"Item\":[]}", &r) == OLOCK_ERR_RESPONSE);
    CHECK(decode(OLOCK_OP_GET_ITEM, 200, "{\"Item\":{\"a\":{\"N\":\"x\"}}}", &r) == OLOCK_ERR_PARSE);
    CHECK(decode(OLOCK_OP_GET_ITEM, 200, "{\"Item\":{\"a\":{\"S\":\"x\"}", &r) == OLOCK_ERR_PARSE);   /* truncated */
    CHECK(decode(OLOCK_OP_GET_ITEM, 200, "", &r) == OLOCK_ERR_RESPONSE);
    CHECK(decode(OLOCK_OP_GET_ITEM, 200, "[]", &r) == OLOCK_ERR_RESPONSE);
    CHECK(decode(OLOCK_OP_QUERY, 200, "{\"Count\":-1}", &r) == OLOCK_ERR_RESPONSE);
    CHECK(decode(OLOCK_OP_QUERY, 200, "{\"Count\":99999999999999999999999}", &r) == OLOCK_ERR_RESPONSE);
}

TEST(test_decode_errors) {
    olock_response r;
    CHECK(decode(OLOCK_OP_PUT_ITEM, 400, "{\"__type\":\"com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException\","
                                         "\"message\":\"The conditional request failed\",\"Item\":{\"version\":{\"N\":\"2\"}}}", &r) == OLOCK_OK);
    CHECK(r.error_class == OLOCK_CLASS_CONFLICT);
    CHECK_EQ_STR(r.error_type, "ConditionalCheckFailedException");
    CHECK_EQ_STR(r.error_message, "The conditional request failed");
    CHECK(r.item && strcmp(r.item->first->str, "2") == 0);
    CHECK(decode(OLOCK_OP_PUT_ITEM, 400, "{\"__type\":\"com.amazon.coral.validate#ValidationException\",\"Message\":\"bad\"}", &r) == OLOCK_OK);
    CHECK(r.error_class == OLOCK_CLASS_FATAL && strcmp(r.error_message, "bad") == 0);
    CHECK(decode(OLOCK_OP_PUT_ITEM, 400, "{\"__type\":\"ThrottlingException\"}", &r) == OLOCK_OK);
    CHECK(r.error_class == OLOCK_CLASS_THROTTLING && r.error_message == NULL);
    CHECK(decode(OLOCK_OP_PUT_ITEM, 400, "{\"__type\":\"x#ProvisionedThroughputExceededException\",\"message\":\"\"}", &r) == OLOCK_OK);
    CHECK(r.error_class == OLOCK_CLASS_THROTTLING && r.error_message && !*r.error_message);
    CHECK(decode(OLOCK_OP_PUT_ITEM, 500, "<html>bad gateway</html>", &r) == OLOCK_OK);
    CHECK(r.error_class == OLOCK_CLASS_TRANSIENT && r.error_type == NULL);
    CHECK(decode(OLOCK_OP_PUT_ITEM, 503, "", &r) == OLOCK_OK && r.error_class == OLOCK_CLASS_TRANSIENT);
    CHECK(decode(OLOCK_OP_PUT_ITEM, 400, "not json", &r) == OLOCK_ERR_PARSE);
    CHECK(decode(OLOCK_OP_PUT_ITEM, 400, "{\"message\":\"no type\"}", &r) == OLOCK_OK && r.error_class == OLOCK_CLASS_FATAL);
    CHECK(decode(OLOCK_OP_TRANSACT_WRITE_ITEMS, 400,
                 "{\"__type\":\"com.amazonaws.dynamodb.v20120810#TransactionCanceledException\",\"Message\":\"Transaction cancelled\","
                 "\"CancellationReasons\":[{\"Code\":\"None\"},{\"Code\":\"ConditionalCheckFailed\",\"Message\":\"The conditional request failed\","
                 "\"Item\":{\"v\":{\"N\":\"7\"}}}]}", &r) == OLOCK_OK);
    CHECK(r.error_class == OLOCK_CLASS_CONFLICT && r.reason_count == 2);
    CHECK_EQ_STR(r.reasons[0].code, "None");
    CHECK(r.reasons[0].item == NULL && r.reasons[1].item != NULL);
    CHECK(decode(OLOCK_OP_TRANSACT_WRITE_ITEMS, 400,
                 "{\"__type\":\"x#TransactionCanceledException\",\"CancellationReasons\":[{\"Code\":\"TransactionConflict\"},{\"Code\":\"None\"}]}",
                 &r) == OLOCK_OK);
    CHECK(r.error_class == OLOCK_CLASS_TRANSIENT);
    CHECK(decode(OLOCK_OP_TRANSACT_WRITE_ITEMS, 400,
                 "{\"__type\":\"x#TransactionCanceledException\",\"CancellationReasons\":[{\"Code\":\"ValidationError\"}]}", &r) == OLOCK_OK);
    CHECK(r.error_class == OLOCK_CLASS_FATAL);
    CHECK(decode(OLOCK_OP_TRANSACT_WRITE_ITEMS, 400, "{\"__type\":\"x#TransactionCanceledException\",\"CancellationReasons\":{}}", &r)
          == OLOCK_ERR_RESPONSE);
}

TEST(test_classes) {
    CHECK(olock_classify_error(400, "ConditionalCheckFailedException") == OLOCK_CLASS_CONFLICT);
    CHECK(olock_classify_error(400, "ProvisionedThroughputExceededException") == OLOCK_CLASS_THROTTLING);
    CHECK(olock_classify_error(400, "RequestLimitExceeded") == OLOCK_CLASS_THROTTLING);
    CHECK(olock_classify_error(400, "LimitExceededException") == OLOCK_CLASS_THROTTLING);
    CHECK(olock_classify_error(500, "InternalServerError") == OLOCK_CLASS_TRANSIENT);
    CHECK(olock_classify_error(400, "TransactionInProgressException") == OLOCK_CLASS_TRANSIENT);
    CHECK(olock_classify_error(400, "TransactionConflictException") == OLOCK_CLASS_TRANSIENT);
    CHECK(olock_classify_error(503, NULL) == OLOCK_CLASS_TRANSIENT);
    CHECK(olock_classify_error(504, NULL) == OLOCK_CLASS_TRANSIENT);
    CHECK(olock_classify_error(400, "ValidationException") == OLOCK_CLASS_FATAL);
    CHECK(olock_classify_error(400, "ResourceNotFoundException") == OLOCK_CLASS_FATAL);
    CHECK(olock_classify_error(400, "UnrecognizedClientException") == OLOCK_CLASS_FATAL);
    CHECK(olock_classify_error(403, "AccessDeniedException") == OLOCK_CLASS_FATAL);
    CHECK(olock_classify_error(400, "ItemCollectionSizeLimitExceededException") == OLOCK_CLASS_FATAL);
    CHECK(olock_classify_error(200, NULL) == OLOCK_CLASS_NONE);
    CHECK(olock_class_result(OLOCK_CLASS_CONFLICT) == OLOCK_CONFLICT);
    CHECK(olock_class_result(OLOCK_CLASS_FATAL) == OLOCK_ERR_SERVICE);
    CHECK(strcmp(olock_result_str(OLOCK_ERR_MAYBE_SENT), "transport error: request may have been applied") == 0);
    CHECK(strcmp(olock_result_str((olock_result)999), "unknown result") == 0);
}

/* ---- client over a scripted transport -------------------------------------------------------- */

typedef struct script {
    char authorization[256], amz_date[32], token[64];
    olock_result send_result;
    int status;
    const char *body;
    const char *crc;               /* x-amz-crc32 value, or NULL for none; "auto" to compute */
    /* what the client sent */
    char target[64];
    char sent_body[512];
    int saw_content_type, saw_host;
    int calls;
} script;

static olock_result script_send(void *user, const olock_http_request *req, olock_http_response *res) {
    script *s = (script *)user;
    size_t i;
    s->calls++;
    for (i = 0; i < req->header_count; i++) {
        if (strcmp(req->headers[i].name, "X-Amz-Target") == 0) snprintf(s->target, sizeof s->target, "%s", req->headers[i].value);
        if (strcmp(req->headers[i].name, "Content-Type") == 0) s->saw_content_type = strcmp(req->headers[i].value, "application/x-amz-json-1.0") == 0;
        if (strcmp(req->headers[i].name, "Host") == 0) s->saw_host = strcmp(req->headers[i].value, "127.0.0.1:8000") == 0;
        if (strcmp(req->headers[i].name, "Authorization") == 0) snprintf(s->authorization, sizeof s->authorization, "%s", req->headers[i].value);
        if (strcmp(req->headers[i].name, "X-Amz-Date") == 0) snprintf(s->amz_date, sizeof s->amz_date, "%s", req->headers[i].value);
        if (strcmp(req->headers[i].name, "X-Amz-Security-Token") == 0) snprintf(s->token, sizeof s->token, "%s", req->headers[i].value);
    }
    snprintf(s->sent_body, sizeof s->sent_body, "%.*s", (int)req->body_len, req->body);
    if (s->send_result != OLOCK_OK) return s->send_result;
    res->status = s->status;
    if (s->crc) {
        char tmp[16];
        const char *v = s->crc;
        if (strcmp(v, "auto") == 0) { snprintf(tmp, sizeof tmp, "%lu", (unsigned long)olock_crc32(0, s->body, strlen(s->body))); v = tmp; }
        if (olock_http_response_add_header(res, "X-Amz-Crc32", 11, v, strlen(v)) != OLOCK_OK) return OLOCK_ERR_NOMEM;
    }
    return olock_http_response_append(res, s->body, strlen(s->body));
}

static olock_client *client_for(script *s, size_t max_resp) {
    olock_config cfg = olock_config_default();
    olock_client *c = NULL;
    cfg.transport.user = s;
    cfg.transport.send = script_send;
    cfg.endpoint = "http://127.0.0.1:8000/";
    cfg.max_response_bytes = max_resp;
    if (olock_client_create(&cfg, &c, NULL) != OLOCK_OK) return NULL;
    return c;
}

TEST(test_client_call) {
    script s;
    olock_client *c;
    olock_response res;
    olock_item_request r;
    olock_error e;
    memset(&s, 0, sizeof s);
    s.status = 200; s.body = "{\"Item\":{\"id\":{\"S\":\"a\"}}}"; s.crc = "auto";
    c = client_for(&s, 0);
    CHECK(c != NULL);
    if (!c) return;
    memset(&r, 0, sizeof r);
    r.table = "t"; r.key = key_of("a"); r.consistent_read = 1;
    CHECK(olock_get_item(c, &r, &res, &e) == OLOCK_OK);
    CHECK_EQ_STR(s.target, "DynamoDB_20120810.GetItem");
    CHECK(s.saw_content_type && s.saw_host);
    CHECK_EQ_STR(s.sent_body, "{\"TableName\":\"t\",\"Key\":{\"id\":{\"S\":\"a\"}},\"ConsistentRead\":true}");
    CHECK(res.item && res.item->count == 1 && e.attempts == 1 && e.http_status == 200);
    /* a bad checksum */
    s.crc = "12345";
    CHECK(olock_get_item(c, &r, &res, &e) == OLOCK_ERR_CRC32);
    CHECK(e.error_class == OLOCK_CLASS_TRANSIENT);
    s.crc = "12x";
    CHECK(olock_get_item(c, &r, &res, &e) == OLOCK_ERR_RESPONSE);
    s.crc = NULL;
    /* a conflict, with the item and the detail filled in */
    s.status = 400;
    s.body = "{\"__type\":\"com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException\",\"message\":\"The conditional request failed\","
             "\"Item\":{\"id\":{\"S\":\"a\"}}}";
    r.consistent_read = 0; r.condition = "attribute_not_exists(id)";
    CHECK(olock_delete_item(c, &r, &res, &e) == OLOCK_CONFLICT);
    CHECK(e.code == OLOCK_CONFLICT && e.error_class == OLOCK_CLASS_CONFLICT && e.http_status == 400);
    CHECK_EQ_STR(e.aws_type, "ConditionalCheckFailedException");
    CHECK_EQ_STR(e.message, "The conditional request failed");
    CHECK(res.item != NULL && res.error_class == OLOCK_CLASS_CONFLICT);
    /* transports that failed */
    s.send_result = OLOCK_ERR_NOT_SENT;
    CHECK(olock_delete_item(c, &r, &res, &e) == OLOCK_ERR_NOT_SENT);
    s.send_result = OLOCK_ERR_PARSE;      /* anything else counts as "may have been applied" */
    CHECK(olock_delete_item(c, &r, &res, &e) == OLOCK_ERR_MAYBE_SENT);
    CHECK(e.error_class == OLOCK_CLASS_TRANSIENT);
    s.send_result = OLOCK_OK;
    /* raw call */
    s.status = 200; s.body = "{\"TableNames\":[]}";
    CHECK(olock_client_call(c, OLOCK_OP_LIST_TABLES, "{}", 2, &res, &e) == OLOCK_OK);
    CHECK_EQ_STR(s.target, "DynamoDB_20120810.ListTables");
    CHECK(olock_client_call(c, (olock_op)99, "{}", 2, &res, &e) == OLOCK_ERR_INVALID_ARG);
    olock_client_destroy(c);
    /* a response over the cap */
    s.body = "{\"Item\":{\"id\":{\"S\":\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\"}}}";
    c = client_for(&s, 16);
    CHECK(olock_get_item(c, &r, &res, &e) == OLOCK_ERR_INVALID_ARG);   /* GetItem with a condition */
    r.condition = NULL;
    CHECK(olock_get_item(c, &r, &res, &e) == OLOCK_ERR_LIMIT);
    CHECK(strstr(e.message, "max_response_bytes") != NULL);
    olock_client_destroy(c);
    olock_client_destroy(NULL);
}

static int64_t fixed_time(void *u) { (void)u; return 1440938160; }   /* 2015-08-30T12:36:00Z */

/* With credentials and a region the client signs: the headers are there and the signature is
   the one the signer computes for the same request (the signer itself is checked against the
   AWS test suite in test_sigv4). */
TEST(test_client_signs) {
    script s;
    olock_config cfg = olock_config_default();
    olock_client *c = NULL;
    olock_sigv4_signer signer;
    olock_sigv4_request sr;
    olock_sigv4_signature sig;
    olock_http_header h[3];
    olock_credentials creds;
    olock_error e;
    const char *body = "{}";
    memset(&s, 0, sizeof s);
    s.status = 200; s.body = "{\"TableNames\":[]}";
    cfg.transport.user = &s; cfg.transport.send = script_send;
    cfg.endpoint = "http://127.0.0.1:8000/"; cfg.region = "eu-west-1";
    cfg.credentials.access_key_id = "AKIDEXAMPLE"; cfg.credentials.secret_access_key = "secret/key";
    cfg.credentials.session_token = "tok123";
    cfg.unix_time_s = fixed_time;
    cfg.ignore_environment = 1;
    CHECK(olock_client_create(&cfg, &c, &e) == OLOCK_OK);
    if (!c) return;
    CHECK(olock_client_call(c, OLOCK_OP_LIST_TABLES, body, 2, NULL, &e) == OLOCK_OK);
    CHECK_EQ_STR(s.amz_date, "20150830T123600Z");
    CHECK_EQ_STR(s.token, "tok123");
    CHECK(strncmp(s.authorization, "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/eu-west-1/dynamodb/aws4_request, "
                                   "SignedHeaders=content-type;host;x-amz-date;x-amz-security-token;x-amz-target, Signature=", 151) == 0);
    creds.access_key_id = "AKIDEXAMPLE"; creds.secret_access_key = "secret/key"; creds.session_token = "tok123";
    CHECK(olock_sigv4_signer_init(&signer, NULL, &creds, "eu-west-1", "dynamodb", NULL) == OLOCK_OK);
    h[0].name = "Host"; h[0].value = "127.0.0.1:8000";
    h[1].name = "Content-Type"; h[1].value = "application/x-amz-json-1.0";
    h[2].name = "X-Amz-Target"; h[2].value = "DynamoDB_20120810.ListTables";
    memset(&sr, 0, sizeof sr);
    sr.method = "POST"; sr.path = "/"; sr.headers = h; sr.header_count = 3; sr.body = body; sr.body_len = 2;
    CHECK(olock_sigv4_signer_sign(&signer, &sr, 1440938160, OLOCK_SIGV4_NORMALIZE_PATH, &sig, NULL) == OLOCK_OK);
    CHECK_EQ_STR(s.authorization, sig.authorization);
    olock_sigv4_signer_free(&signer);
    olock_client_destroy(c);
    /* the endpoint, region and credentials also come from an explicit environment-less config */
    cfg.credentials.access_key_id = NULL; cfg.credentials.secret_access_key = NULL; cfg.credentials.session_token = NULL;
    CHECK(olock_client_create(&cfg, &c, &e) == OLOCK_OK);
    s.authorization[0] = 0;
    CHECK(olock_client_call(c, OLOCK_OP_LIST_TABLES, body, 2, NULL, &e) == OLOCK_OK);
    CHECK_EQ_STR(s.authorization, "");                  /* no credentials: unsigned */
    olock_client_destroy(c);
}

static int g_destroyed;
static void count_destroy(void *user) { (void)user; g_destroyed++; }

/* The engine reads its answers without building the body's JSON tree when the body is {} or
   just the item (Item, Attributes); any other body goes through olock_response_decode, which
   judges it as before. Both routes must give the same item, members in order. */
TEST(test_engine_item_answers) {
    /* Two answers built below: Attributes nested 30 and 31 maps deep, a plain member at the
       bottom: the deepest that can be read, and one level past OLOCK_MAX_DEPTH (64) */
    static char deep[2][1200];
    static const struct { const char *body; olock_result want; const char *first; } cases[] = {
        { deep[0], OLOCK_OK, "m" },
        { deep[1], OLOCK_ERR_MAYBE_SENT, NULL },
        { "{\"Attributes\":{\"gold\":{\"N\":\"130\"},\"version\":{\"N\":\"42\"}}}", OLOCK_OK, "gold" },
        { " { \"Attributes\" :\n{ \"title\":{\"S\":\"x\"} , \"version\":{\"N\":\"42\"} } } ", OLOCK_OK, "title" },
        /* the tree path: another member, an escaped member name */
        { "{\"Attributes\":{\"gold\":{\"N\":\"130\"}},\"ConsumedCapacity\":{\"TableName\":\"t\",\"CapacityUnits\":1.0}}", OLOCK_OK, "gold" },
        { "{\"Attr\\u0069butes\":{\"gold\":{\"N\":\"1\"}}}", OLOCK_OK, "gold" },
        { "{}", OLOCK_OK, NULL },
        /* not DynamoDB JSON: the tree path's verdict (an answer that cannot be read after a write) */
        { "{\"Attributes\":{\"gold\":{\"N\":130}}}", OLOCK_ERR_MAYBE_SENT, NULL },
        { "{\"Attributes\":{\"a\":{\"S\":\"1\"},\"a\":{\"S\":\"2\"}}}", OLOCK_ERR_MAYBE_SENT, NULL },
    };
    size_t i;
    for (i = 0; i < 2; i++) {
        size_t n = (size_t)snprintf(deep[i], sizeof deep[i], "{\"Attributes\":");
        int k;
        for (k = 0; k < 30 + (int)i; k++) n += (size_t)snprintf(deep[i] + n, sizeof deep[i] - n, "{\"m\":{\"M\":");
        n += (size_t)snprintf(deep[i] + n, sizeof deep[i] - n, "{\"a\":{\"S\":\"x\"}}");
        for (k = 0; k < 30 + (int)i; k++) n += (size_t)snprintf(deep[i] + n, sizeof deep[i] - n, "}}");
        snprintf(deep[i] + n, sizeof deep[i] - n, "}");
    }
    for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        script s;
        olock_client *c;
        olock_item_request r;
        olock_write_result wr;
        olock_error e;
        olock_result rc;
        olock_value *values;
        memset(&s, 0, sizeof s);
        s.status = 200;
        s.body = cases[i].body;
        s.crc = "auto";
        c = client_for(&s, 0);
        CHECK(c != NULL);
        if (!c) return;
        memset(&r, 0, sizeof r);
        r.table = "t";
        r.key = key_of("a");
        r.update = "SET gold = :g";
        values = olock_value_new_container(&g_arena, OLOCK_TYPE_M);
        olock_map_put(&g_arena, values, ":g", 2, olock_value_new_i64(&g_arena, 130));
        r.values = values;
        r.return_values = OLOCK_RV_ALL_NEW;
        memset(&wr, 0, sizeof wr);
        rc = olock_versioned_update(c, &r, 41, &wr, &e);
        if (rc != cases[i].want) fprintf(stderr, "  case %lu: %s: %s\n", (unsigned long)i, olock_result_str(rc), e.message);
        CHECK(rc == cases[i].want);
        if (rc == OLOCK_OK && cases[i].first) {
            CHECK(wr.item && wr.item->first && strcmp(wr.item->first->key, cases[i].first) == 0);
        } else if (rc == OLOCK_OK) {
            CHECK(wr.item == NULL);
        }
        olock_client_destroy(c);
    }
}

TEST(test_client_config_errors) {
    olock_config cfg = olock_config_default();
    olock_client *c = NULL;
    olock_error e;
    script s;
    memset(&s, 0, sizeof s);
    CHECK(olock_client_create(&cfg, &c, &e) == OLOCK_ERR_CONFIG);          /* no transport */
    cfg.transport.user = &s; cfg.transport.send = script_send; cfg.transport.destroy = count_destroy;
    cfg.endpoint = "dynamodb.local:8000";
    g_destroyed = 0;
    CHECK(olock_client_create(&cfg, &c, &e) == OLOCK_ERR_CONFIG);
    CHECK(strstr(e.message, "http://") != NULL);
    CHECK_EQ_INT(g_destroyed, 1);          /* the transport is owned even on failure */
    cfg.endpoint = "http:///";
    CHECK(olock_client_create(&cfg, &c, &e) == OLOCK_ERR_CONFIG);
    cfg.endpoint = NULL;
    cfg.credentials.access_key_id = "AKID";
    CHECK(olock_client_create(&cfg, &c, &e) == OLOCK_ERR_CREDENTIALS);
    CHECK(strstr(e.message, "secret") != NULL);
    CHECK(c == NULL);
    CHECK_EQ_INT(g_destroyed, 3);
    cfg.credentials.access_key_id = NULL;
    cfg.allocator.malloc_fn = olock_test_malloc;
    CHECK(olock_client_create(&cfg, &c, &e) == OLOCK_ERR_CONFIG);
}

/* ---- round trip property -------------------------------------------------------------------- */

static uint64_t g_rng = 0x9E3779B97F4A7C15ull;
static uint32_t rnd(uint32_t n) {
    g_rng ^= g_rng << 13; g_rng ^= g_rng >> 7; g_rng ^= g_rng << 17;
    return (uint32_t)(g_rng % n);
}

static olock_value *random_value(olock_arena *a, int depth) {
    static const char *const words[] = { "", "a", "version", "data", "\xC3\xA9t\xC3\xA9", "\"q\"", "back\\slash", "tab\t", "\xF0\x9F\x8E\xAE" };
    char num[64];
    unsigned char bytes[8];
    int t = (int)rnd(depth > 3 ? 5 : 10) + 1, i, n;
    olock_value *v;
    switch (t) {
    case OLOCK_TYPE_S: { const char *w = words[rnd(9)]; return olock_value_new_s(a, w, strlen(w)); }
    case OLOCK_TYPE_N:
        n = snprintf(num, sizeof num, "%s%u.%ue%d", rnd(2) ? "-" : "", rnd(100000), rnd(1000), (int)rnd(40) - 20);
        return olock_value_new_n(a, num, (size_t)n);
    case OLOCK_TYPE_B:
        n = (int)rnd(8);
        for (i = 0; i < n; i++) bytes[i] = (unsigned char)rnd(256);
        return olock_value_new_b(a, bytes, (size_t)n);
    case OLOCK_TYPE_BOOL: return olock_value_new_bool(a, (int)rnd(2));
    case OLOCK_TYPE_NULL: return olock_value_new_null(a);
    case OLOCK_TYPE_M:
        v = olock_value_new_container(a, OLOCK_TYPE_M);
        n = (int)rnd(5);
        for (i = 0; i < n; i++) {
            const char *w = words[rnd(9)];
            olock_map_put(a, v, w, strlen(w), random_value(a, depth + 1));
        }
        return v;
    case OLOCK_TYPE_L:
        v = olock_value_new_container(a, OLOCK_TYPE_L);
        n = (int)rnd(5);
        for (i = 0; i < n; i++) olock_list_append(v, random_value(a, depth + 1));
        return v;
    default:
        v = olock_value_new_container(a, (olock_type)t);
        n = (int)rnd(6) + 1;
        for (i = 0; i < n; i++) {
            olock_value *m = NULL;
            if (t == OLOCK_TYPE_SS) { const char *w = words[rnd(9)]; m = olock_value_new_s(a, w, strlen(w)); }
            else if (t == OLOCK_TYPE_NS) { int k = snprintf(num, sizeof num, "%d", (int)rnd(20) - 10); m = olock_value_new_n(a, num, (size_t)k); }
            else { bytes[0] = (unsigned char)rnd(4); m = olock_value_new_b(a, bytes, 1); }
            olock_set_add(v, m);
        }
        return v;
    }
}

TEST(test_roundtrip_property) {
    olock_buf b;
    int iter, ok = 1;
    olock_buf_init(&b, NULL);
    for (iter = 0; iter < 2000 && ok; iter++) {
        olock_arena a;
        olock_value *v, *back = NULL;
        olock_json *j = NULL;
        olock_arena_init(&a, NULL);
        v = random_value(&a, 0);
        olock_buf_clear(&b);
        ok = v && olock_value_write_json(v, &b) == OLOCK_OK &&
             olock_json_parse(&a, b.data, b.len, NULL, &j, NULL) == OLOCK_OK &&
             olock_value_from_json(&a, j, &back, NULL) == OLOCK_OK && olock_value_equal(v, back);
        if (!ok) fprintf(stderr, "  round trip failed at iteration %d: %s\n", iter, b.data ? b.data : "");
        olock_arena_free(&a);
    }
    CHECK(ok);
    olock_buf_free(&b);
}

/* ---- out of memory -------------------------------------------------------------------------- */

/* A realistic scenario through every allocating layer. Returns OLOCK_OK or the first failure. */
static olock_result oom_scenario(const olock_allocator *alloc) {
    olock_item *it = NULL, *back = NULL;
    olock_buf b;
    olock_client *c = NULL;
    olock_config cfg = olock_config_default();
    olock_response res;
    olock_item_request r;
    olock_value *tags;
    script s;
    olock_result rc;
    olock_buf_init(&b, alloc);
    memset(&s, 0, sizeof s);
    s.status = 400;
    s.body = "{\"__type\":\"x#ConditionalCheckFailedException\",\"message\":\"m\",\"Item\":{\"id\":{\"S\":\"a\"},"
             "\"tags\":{\"SS\":[\"x\",\"y\"]},\"m\":{\"M\":{\"k\":{\"L\":[{\"N\":\"1\"},{\"B\":\"AQ==\"}]}}}}}";
    rc = olock_item_create(alloc, &it);
    if (rc == OLOCK_OK) rc = olock_item_set_s(it, "id", "a");
    if (rc == OLOCK_OK) rc = olock_item_set_i64(it, "version", 4);
    if (rc == OLOCK_OK) {
        tags = olock_value_new_container(olock_item_arena(it), OLOCK_TYPE_SS);
        rc = tags ? olock_item_put(it, "tags", tags) : OLOCK_ERR_NOMEM;
        if (rc == OLOCK_OK) {
            olock_value *m = olock_value_new_s(olock_item_arena(it), "x", 1);
            rc = m ? olock_set_add(tags, m) : OLOCK_ERR_NOMEM;
        }
    }
    if (rc == OLOCK_OK) rc = olock_item_write_json(it, &b);
    if (rc == OLOCK_OK) rc = olock_item_parse_json(b.data, b.len, alloc, &back, NULL);
    if (rc == OLOCK_OK) rc = olock_item_equal(it, back) ? OLOCK_OK : OLOCK_ERR_PARSE;
    if (rc == OLOCK_OK) {
        cfg.allocator = *alloc;
        cfg.transport.user = &s;
        cfg.transport.send = script_send;
        rc = olock_client_create(&cfg, &c, NULL);
    }
    if (rc == OLOCK_OK) {
        memset(&r, 0, sizeof r);
        r.table = "t"; r.item = it->root; r.condition = "attribute_not_exists(id)";
        r.return_values_on_condition_check_failure = OLOCK_RV_ALL_OLD;
        rc = olock_put_item(c, &r, &res, NULL);
        if (rc == OLOCK_CONFLICT) rc = res.item && res.item->count == 3 ? OLOCK_OK : OLOCK_ERR_RESPONSE;
    }
    olock_client_destroy(c);
    olock_item_destroy(it);
    olock_item_destroy(back);
    olock_buf_free(&b);
    return rc;
}

TEST(test_oom_sweep) {
    olock_test_alloc t;
    olock_allocator a;
    long n, total;
    int clean = 1, only_nomem = 1, maybe = 0;
    a.ctx = &t; a.malloc_fn = olock_test_malloc; a.realloc_fn = olock_test_realloc; a.free_fn = olock_test_free;
    memset(&t, 0, sizeof t);
    CHECK(oom_scenario(&a) == OLOCK_OK);
    CHECK_EQ_INT(t.live, 0);
    total = t.calls;
    CHECK(total > 5);
    for (n = 1; n <= total; n++) {
        olock_result rc;
        memset(&t, 0, sizeof t);
        t.fail_at = n;
        rc = oom_scenario(&a);
        /* Out of memory while the PutItem's response is received: the write may have been
           applied, which the core reports as MAYBE_SENT (the outcome model), not as NOMEM. */
        if (rc == OLOCK_ERR_MAYBE_SENT) maybe++;
        else if (rc != OLOCK_ERR_NOMEM) { only_nomem = 0; fprintf(stderr, "  allocation %ld: result %d\n", n, rc); }
        if (t.live != 0 || t.live_bytes != 0) { clean = 0; fprintf(stderr, "  allocation %ld: %ld blocks leaked\n", n, t.live); }
    }
    CHECK(only_nomem);
    CHECK(maybe > 0 && maybe < 4);   /* only the allocations of the response itself */
    CHECK(clean);
}

int main(void) {
    olock_arena_init(&g_arena, NULL);
    RUN(test_buf);
    RUN(test_arena);
    RUN(test_values_scalars);
    RUN(test_values_containers);
    RUN(test_value_equality);
    RUN(test_items);
    RUN(test_json_valid);
    RUN(test_json_invalid);
    RUN(test_json_limits);
    RUN(test_ddb_json_types);
    RUN(test_ddb_json_invalid);
    RUN(test_json_writer_rejects_bad_utf8);
    RUN(test_base64);
    RUN(test_json_read_string_scan);
    RUN(test_item_decoders_agree);
    RUN(test_crc32);
    RUN(test_crc32_sliced);
    RUN(test_json_write_string_words);
    RUN(test_encode_item_requests);
    RUN(test_encode_other_requests);
    RUN(test_decode_success);
    RUN(test_decode_errors);
    RUN(test_classes);
    RUN(test_client_call);
    RUN(test_engine_item_answers);
    RUN(test_client_config_errors);
    RUN(test_client_signs);
    RUN(test_roundtrip_property);
    RUN(test_oom_sweep);
    olock_arena_free(&g_arena);
    return TEST_MAIN_END();
}
