/* Expression builders, end to end: conditions, updates and projections built with olock_expr_*,
   sent to the in-process fake (which answers as DynamoDB Local does), and the stored item read
   back to check that it changed as intended, including attribute names that are reserved
   words, contain dots or are not ASCII. */
#ifndef OLOCK_TEST_LINKED   /* else the Makefile links build/<flavour>/libolock_impl.a (tests/impl/) */
#define OLOCK_IMPLEMENTATION
#define OLOCK_FAKE_IMPLEMENTATION
#endif
#include "olock.h"
#include "olock_fake.h"
#include "olock_test.h"

static olock_client *g_c;
static olock_arena g_a;

static olock_value *key_of(const char *id) {
    olock_value *k = olock_value_new_container(&g_a, OLOCK_TYPE_M);
    olock_map_put(&g_a, k, "pk", 2, olock_value_new_s(&g_a, id, strlen(id)));
    return k;
}

/* The stored item, as DynamoDB JSON (for exact comparisons), or "(none)". */
static const char *stored(const char *id) {
    static olock_buf b;
    static int init;
    olock_item_request r;
    olock_response res;
    if (!init) { olock_buf_init(&b, NULL); init = 1; }
    memset(&r, 0, sizeof r);
    r.table = "items"; r.key = key_of(id); r.consistent_read = 1;
    olock_buf_clear(&b);
    if (olock_get_item(g_c, &r, &res, NULL) != OLOCK_OK) return "(error)";
    if (!res.item) return "(none)";
    olock_value_write_json(res.item, &b);
    return b.data;
}

/* The string set {red, blue}, in the builder's arena (valid until its next reset). */
static const olock_value *attr_ss(olock_expr *e) {
    olock_arena *a = olock_expr_arena(e);
    olock_value *s = olock_value_new_container(a, OLOCK_TYPE_SS);
    olock_set_add(s, olock_value_new_s(a, "red", 3));
    olock_set_add(s, olock_value_new_s(a, "blue", 4));
    return s;
}

/* Whether the stored item equals `expected` (DynamoDB JSON of an M value), member order aside:
   the fake, like DynamoDB Local, returns attributes in its own order. */
static int stored_is(const char *id, const char *expected) {
    olock_json *j = NULL;
    olock_value *v = NULL, *got = NULL;
    const char *text = stored(id);
    int eq;
    if (olock_json_parse(&g_a, expected, strlen(expected), NULL, &j, NULL) != OLOCK_OK ||
        olock_value_from_json(&g_a, j, &v, NULL) != OLOCK_OK) return 0;
    if (olock_json_parse(&g_a, text, strlen(text), NULL, &j, NULL) != OLOCK_OK ||
        olock_value_from_json(&g_a, j, &got, NULL) != OLOCK_OK) return 0;
    eq = olock_value_equal(v, got);
    if (!eq) fprintf(stderr, "  stored %s\n  wanted %s\n", text, expected);
    return eq;
}

static olock_result send_update(olock_expr *e, const char *id, olock_error *err) {
    olock_item_request r;
    olock_result rc;
    memset(&r, 0, sizeof r);
    r.table = "items"; r.key = key_of(id);
    rc = olock_expr_render_item(e, &r, err);
    if (rc != OLOCK_OK) return rc;
    return olock_update_item(g_c, &r, NULL, err);
}

TEST(test_set_arithmetic_and_reserved_names) {
    olock_expr *e = NULL;
    olock_error err;
    olock_item *it = NULL;
    olock_item_request r;
    CHECK(olock_expr_create(NULL, &e) == OLOCK_OK);
    /* seed the item: data (reserved), a.b (a dotted name), ünïcödé, nested stats */
    olock_item_create(NULL, &it);
    olock_item_set_s(it, "pk", "p1");
    olock_item_set_i64(it, "data", 5);
    olock_item_set_s(it, "a.b", "dotted");
    olock_item_set_s(it, "\xC3\xBCn\xC3\xAF", "x");
    {
        olock_value *stats = olock_value_new_container(olock_item_arena(it), OLOCK_TYPE_M);
        olock_map_put(olock_item_arena(it), stats, "gold", 4, olock_value_new_i64(olock_item_arena(it), 100));
        olock_item_put(it, "stats", stats);
    }
    memset(&r, 0, sizeof r);
    r.table = "items"; r.item = it->root;
    CHECK(olock_put_item(g_c, &r, NULL, NULL) == OLOCK_OK);
    /* SET data = data + 1, stats.gold = stats.gold - 30, `a.b` = "renamed", REMOVE ünï; if active */
    olock_expr_set_plus(e, "data", NULL, olock_expr_i64(e, 1));
    olock_expr_set_minus(e, "stats.gold", NULL, olock_expr_i64(e, 30));
    olock_expr_set(e, olock_path_name(e, "a.b"), olock_expr_s(e, "renamed"));
    olock_expr_remove(e, olock_path_name(e, "\xC3\xBCn\xC3\xAF"));
    olock_expr_add_condition(e, olock_cond_attribute_exists(e, "data"));
    CHECK(send_update(e, "p1", &err) == OLOCK_OK);
    CHECK(stored_is("p1", "{\"M\":{\"pk\":{\"S\":\"p1\"},\"data\":{\"N\":\"6\"},\"a.b\":{\"S\":\"renamed\"},"
                               "\"stats\":{\"M\":{\"gold\":{\"N\":\"70\"}}}}}"));
    olock_item_destroy(it);
    olock_expr_destroy(e);
}

TEST(test_conditions_hold_and_fail) {
    olock_expr *e = NULL;
    olock_error err;
    const olock_value *in[3];
    CHECK(olock_expr_create(NULL, &e) == OLOCK_OK);
    /* create with if_not_exists and list_append */
    olock_expr_set_if_not_exists(e, "count", NULL, olock_expr_i64(e, 0));
    olock_expr_list_append(e, "log", NULL, NULL);   /* invalid: a NULL list is an error */
    CHECK(olock_expr_status(e, &err) != OLOCK_OK);    /* sticky: nothing is sent */
    olock_expr_reset(e);
    olock_expr_set(e, "count", olock_expr_i64(e, 1));
    olock_expr_set(e, "status", olock_expr_s(e, "active"));
    olock_expr_add_to(e, "tags", attr_ss(e));
    CHECK(send_update(e, "p2", &err) == OLOCK_OK);
    olock_expr_reset(e);
    /* a condition that holds: count BETWEEN 0 AND 5 AND status IN (active, idle) AND begins_with */
    in[0] = olock_expr_s(e, "active"); in[1] = olock_expr_s(e, "idle"); in[2] = olock_expr_s(e, "gone");
    olock_expr_add_condition(e, olock_cond_and(e,
        olock_cond_between(e, "count", olock_expr_i64(e, 0), olock_expr_i64(e, 5)),
        olock_cond_and(e, olock_cond_in(e, "status", in, 3), olock_cond_begins_with(e, "status", olock_expr_s(e, "act")))));
    olock_expr_set_plus(e, "count", NULL, olock_expr_i64(e, 1));
    CHECK(send_update(e, "p2", &err) == OLOCK_OK);
    olock_expr_reset(e);
    /* one that fails: size(tags) > 5 */
    olock_expr_add_condition(e, olock_cond_size_cmp(e, "tags", OLOCK_CMP_GT, olock_expr_i64(e, 5)));
    olock_expr_set(e, "count", olock_expr_i64(e, 99));
    CHECK(send_update(e, "p2", &err) == OLOCK_CONFLICT);
    CHECK_EQ_STR(err.aws_type, "ConditionalCheckFailedException");
    olock_expr_reset(e);
    /* NOT contains, attribute_type */
    olock_expr_add_condition(e, olock_cond_and(e, olock_cond_not(e, olock_cond_contains(e, "tags", olock_expr_s(e, "zzz"))),
                                               olock_cond_attribute_type(e, "count", OLOCK_TYPE_N)));
    olock_expr_delete_from(e, "tags", attr_ss(e));
    CHECK(send_update(e, "p2", &err) == OLOCK_OK);
    CHECK(stored_is("p2", "{\"M\":{\"pk\":{\"S\":\"p2\"},\"count\":{\"N\":\"2\"},\"status\":{\"S\":\"active\"}}}"));
    olock_expr_destroy(e);
}

TEST(test_projection) {
    olock_expr *e = NULL;
    olock_item_request r;
    olock_response res;
    olock_buf b;
    CHECK(olock_expr_create(NULL, &e) == OLOCK_OK);
    olock_expr_add_projection(e, "stats.gold");
    olock_expr_add_projection(e, "data");
    memset(&r, 0, sizeof r);
    r.table = "items"; r.key = key_of("p1"); r.consistent_read = 1;
    CHECK(olock_expr_render_item(e, &r, NULL) == OLOCK_OK);
    CHECK(olock_get_item(g_c, &r, &res, NULL) == OLOCK_OK && res.item);
    olock_buf_init(&b, NULL);
    if (res.item) olock_value_write_json(res.item, &b);
    CHECK(b.data && strstr(b.data, "\"gold\":{\"N\":\"70\"}") && strstr(b.data, "\"data\":{\"N\":\"6\"}") && !strstr(b.data, "pk"));
    olock_buf_free(&b);
    olock_expr_destroy(e);
}

int main(void) {
    olock_fake *fake = NULL;
    olock_config cfg = olock_config_default();
    olock_create_table_request ct;
    olock_arena_init(&g_a, NULL);
    if (olock_fake_create(NULL, &fake) != OLOCK_OK) return 1;
    cfg.transport = olock_fake_transport(fake);
    cfg.ignore_environment = 1;
    if (olock_client_create(&cfg, &g_c, NULL) != OLOCK_OK) return 1;
    memset(&ct, 0, sizeof ct);
    ct.table = "items"; ct.hash_key = "pk"; ct.hash_type = OLOCK_TYPE_S;
    CHECK(olock_create_table(g_c, &ct, NULL, NULL) == OLOCK_OK);
    RUN(test_set_arithmetic_and_reserved_names);
    RUN(test_conditions_hold_and_fail);
    RUN(test_projection);
    olock_client_destroy(g_c);
    olock_fake_destroy(fake);
    olock_arena_free(&g_a);
    return TEST_MAIN_END();
}
