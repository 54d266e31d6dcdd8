/* The everyday API (issue 12): request initialisers, name-based getters on maps, items as
   keys, the one-call get, and the client calls for Scan, BatchGetItem, BatchWriteItem and
   TransactGetItems with their paging and resending. On the in-process fake, and on a scripted
   transport where the fake cannot say what is tested (unprocessed keys and items). */
#ifndef OLOCK_TEST_LINKED   /* else the Makefile links build/<flavour>/libolock_impl.a (tests/impl/) */
#define OLOCK_IMPLEMENTATION
#define OLOCK_FAKE_IMPLEMENTATION
#endif
#include "olock.h"
#include "olock_fake.h"
#include "olock_test.h"

#define TABLE "everyday"

static olock_fake *g_fake;
static olock_arena g_arena;

static olock_client *client(void) {
    olock_config cfg = olock_config_default();
    olock_client *c = NULL;
    cfg.transport = olock_fake_transport(g_fake);
    return olock_client_create(&cfg, &c, NULL) == OLOCK_OK ? c : NULL;
}

/* ---- 1. request initialisers ---- */

/* Whether n bytes are all zero (NULL pointers are all-zero bytes on every platform we test). */
static int all_zero(const void *p, size_t n) {
    const unsigned char *b = (const unsigned char *)p;
    size_t i;
    for (i = 0; i < n; i++) if (b[i]) return 0;
    return 1;
}

TEST(test_request_defaults) {
    olock_item_request r = olock_item_request_default();
    olock_query_request q = olock_query_request_default();
    olock_create_table_request ct = olock_create_table_request_default();
    olock_txn_action a = olock_txn_action_default();
    olock_batch_get_table bg = olock_batch_get_table_default();
    olock_batch_write_entry bw = olock_batch_write_entry_default();
    olock_sigv4_request sr = olock_sigv4_request_default();
    CHECK(r.table == NULL && r.key == NULL && r.item == NULL && r.condition == NULL && r.update == NULL);
    CHECK(r.projection == NULL && r.names == NULL && r.values == NULL && r.consistent_read == 0);
    CHECK(r.return_values == OLOCK_RV_OMIT && r.return_values_on_condition_check_failure == OLOCK_RV_OMIT);
    CHECK(q.table == NULL && q.index == NULL && q.key_condition == NULL && q.limit == 0 && q.exclusive_start_key == NULL);
    CHECK(ct.table == NULL && ct.range_key == NULL && ct.read_capacity == 0 && ct.write_capacity == 0);
    CHECK(a.kind == 0 && a.req.table == NULL);
    CHECK(bg.table == NULL && bg.keys == NULL && bg.key_count == 0);
    CHECK(bw.table == NULL && bw.put_item == NULL && bw.delete_key == NULL);
    CHECK(sr.method == NULL && sr.headers == NULL && sr.body == NULL);
    CHECK(all_zero(&r, sizeof r) && all_zero(&q, sizeof q) && all_zero(&ct, sizeof ct) && all_zero(&a, sizeof a));
    CHECK(all_zero(&bg, sizeof bg) && all_zero(&bw, sizeof bw) && all_zero(&sr, sizeof sr));
}

/* A request made from the initialiser is accepted by its call as it stands. */
TEST(test_defaults_make_requests) {
    olock_client *c = client();
    olock_create_table_request ct = olock_create_table_request_default();
    olock_item_request r = olock_item_request_default();
    olock_query_request q = olock_query_request_default();
    olock_value *item = olock_value_new_container(&g_arena, OLOCK_TYPE_M);
    olock_value *values = olock_value_new_container(&g_arena, OLOCK_TYPE_M);
    olock_response res;
    olock_error err;
    ct.table = "defaults"; ct.hash_key = "id"; ct.hash_type = OLOCK_TYPE_S;
    CHECK(olock_create_table(c, &ct, NULL, NULL) == OLOCK_OK);
    olock_map_put(&g_arena, item, "id", 2, olock_value_new_s(&g_arena, "a", 1));
    r.table = "defaults"; r.item = item;
    CHECK(olock_put_item(c, &r, NULL, NULL) == OLOCK_OK);
    q.table = "defaults"; q.key_condition = "id = :id"; q.values = values;
    olock_map_put(&g_arena, values, ":id", 3, olock_value_new_s(&g_arena, "a", 1));
    CHECK(olock_query(c, &q, &res, NULL) == OLOCK_OK && res.item_count == 1);
    r = olock_item_request_default();
    CHECK(olock_get_item(c, &r, &res, &err) == OLOCK_ERR_INVALID_ARG);
    CHECK(strncmp(err.message, "olock_get_item: r->table is NULL or empty", 41) == 0);
    olock_client_destroy(c);
}

/* ---- 2. name-based getters on maps ---- */

TEST(test_map_getters) {
    olock_client *c = client();
    olock_item *it = NULL;
    olock_item_request r = olock_item_request_default();
    olock_response res;
    const char *s = "unchanged";
    size_t len = 99;
    int64_t i = 7;
    uint64_t u = 7;
    double d = 7;
    int b = 7;
    CHECK(olock_item_create(NULL, &it) == OLOCK_OK);
    olock_item_set_s(it, "id", "getters");
    olock_item_set_i64(it, "gold", -120);
    olock_item_set_n(it, "big", "18446744073709551615");
    olock_item_set_n(it, "half", "0.5");
    olock_item_set_bool(it, "active", 1);
    r.table = TABLE; r.item = it->root;
    CHECK(olock_put_item(c, &r, NULL, NULL) == OLOCK_OK);
    r = olock_item_request_default();
    r.table = TABLE; r.key = it->root;   /* see test_item_as_key: this item is more than a key */
    olock_item_remove(it, "gold"); olock_item_remove(it, "big"); olock_item_remove(it, "half"); olock_item_remove(it, "active");
    r.consistent_read = 1;
    CHECK(olock_get_item(c, &r, &res, NULL) == OLOCK_OK && res.item);
    CHECK(olock_map_find(res.item, "gold") == olock_map_get(res.item, "gold", 4));
    CHECK(olock_map_find(res.item, "nope") == NULL && olock_map_find(NULL, "gold") == NULL && olock_map_find(res.item, NULL) == NULL);
    CHECK(olock_map_find(olock_map_find(res.item, "gold"), "x") == NULL);      /* not a map */
    CHECK(olock_map_get_s(res.item, "id", &s, &len) == OLOCK_OK && strcmp(s, "getters") == 0 && len == 7);
    CHECK(olock_map_get_s(res.item, "id", &s, NULL) == OLOCK_OK);
    CHECK(olock_map_get_i64(res.item, "gold", &i) == OLOCK_OK && i == -120);
    CHECK(olock_map_get_u64(res.item, "big", &u) == OLOCK_OK && u == UINT64_MAX);
    CHECK(olock_map_get_double(res.item, "half", &d) == OLOCK_OK && d == 0.5);
    CHECK(olock_map_get_bool(res.item, "active", &b) == OLOCK_OK && b == 1);
    /* The errors of the accessors, and nothing written. */
    s = "unchanged"; len = 99; i = 7; u = 7; b = 7;
    CHECK(olock_map_get_s(res.item, "nope", &s, &len) == OLOCK_ERR_NOT_FOUND && strcmp(s, "unchanged") == 0 && len == 99);
    CHECK(olock_map_get_s(res.item, "gold", &s, &len) == OLOCK_ERR_TYPE && strcmp(s, "unchanged") == 0);
    CHECK(olock_map_get_i64(res.item, "big", &i) == OLOCK_ERR_RANGE && i == 7);
    CHECK(olock_map_get_u64(res.item, "gold", &u) == OLOCK_ERR_RANGE && u == 7);
    CHECK(olock_map_get_i64(res.item, "half", &i) == OLOCK_ERR_INEXACT && i == 7);
    CHECK(olock_map_get_i64(res.item, "id", &i) == OLOCK_ERR_TYPE && i == 7);
    CHECK(olock_map_get_bool(res.item, "gold", &b) == OLOCK_ERR_TYPE && b == 7);
    CHECK(olock_map_get_double(res.item, "nope", &d) == OLOCK_ERR_NOT_FOUND);
    CHECK(olock_map_get_i64(NULL, "gold", &i) == OLOCK_ERR_NOT_FOUND && i == 7);  /* an absent item */
    CHECK(olock_map_get_u64(res.item, NULL, &u) == OLOCK_ERR_NOT_FOUND);
    /* The same on an olock_item's root, as olock_item_get_i64. */
    CHECK(olock_map_get_s(it->root, "id", &s, NULL) == OLOCK_OK && strcmp(s, "getters") == 0);
    olock_item_destroy(it);
    olock_client_destroy(c);
}

/* ---- 3. items as keys ---- */

TEST(test_item_as_key) {
    olock_client *c = client();
    olock_item *it = NULL, *k = NULL, *k2 = (olock_item *)&k;
    olock_item_request r = olock_item_request_default();
    olock_response res;
    olock_error err;
    int64_t gold = 0;
    CHECK(olock_item_create(NULL, &it) == OLOCK_OK);
    olock_item_set_s(it, "id", "as-key");
    olock_item_set_i64(it, "gold", 5);
    r.table = TABLE; r.item = it->root;
    CHECK(olock_put_item(c, &r, NULL, NULL) == OLOCK_OK);
    /* The whole item is not a key; its key is. */
    r = olock_item_request_default();
    r.table = TABLE; r.key = it->root;
    CHECK(olock_get_item(c, &r, &res, &err) == OLOCK_ERR_SERVICE);
    CHECK(olock_item_key(it, "id", NULL, &k, &err) == OLOCK_OK && k && k->root->count == 1);
    r.key = k->root;
    CHECK(olock_get_item(c, &r, &res, NULL) == OLOCK_OK && olock_map_get_i64(res.item, "gold", &gold) == OLOCK_OK && gold == 5);
    olock_item_destroy(k);
    /* A range key is copied too; a missing attribute is named; outputs untouched on failure. */
    olock_item_set_n(it, "sk", "3");
    CHECK(olock_item_key(it, "id", "sk", &k, NULL) == OLOCK_OK && k->root->count == 2);
    CHECK(olock_value_equal(olock_item_get(k, "sk"), olock_item_get(it, "sk")));
    olock_item_destroy(k);
    k = k2;
    CHECK(olock_item_key(it, "id", "nope", &k, &err) == OLOCK_ERR_NOT_FOUND && k == k2);
    CHECK_EQ_STR(err.message, "olock_item_key: the item has no attribute \"nope\"");
    CHECK(olock_item_key(NULL, "id", NULL, &k, &err) == OLOCK_ERR_INVALID_ARG && k == k2);
    CHECK_EQ_STR(err.message, "olock_item_key: it is NULL");
    CHECK(olock_item_key(it, NULL, NULL, &k, &err) == OLOCK_ERR_INVALID_ARG);
    CHECK_EQ_STR(err.message, "olock_item_key: hash_key is NULL");
    CHECK(olock_item_key(it, "id", NULL, NULL, &err) == OLOCK_ERR_INVALID_ARG);
    CHECK_EQ_STR(err.message, "olock_item_key: out is NULL");
    olock_item_destroy(it);
    olock_client_destroy(c);
}

/* ---- 4. the one-call get ---- */

static olock_value *key_of(const char *id) {
    olock_value *k = olock_value_new_container(&g_arena, OLOCK_TYPE_M);
    olock_map_put(&g_arena, k, "id", 2, olock_value_new_s(&g_arena, id, strlen(id)));
    return k;
}

static void put_gold(olock_client *c, const char *id, int64_t gold) {
    olock_item *it = NULL;
    olock_item_request r = olock_item_request_default();
    CHECK(olock_item_create(NULL, &it) == OLOCK_OK);
    olock_item_set_s(it, "id", id);
    olock_item_set_i64(it, "gold", gold);
    r.table = TABLE; r.item = it->root;
    CHECK(olock_put_item(c, &r, NULL, NULL) == OLOCK_OK);
    olock_item_destroy(it);
}

TEST(test_get) {
    olock_client *c = client();
    olock_item *it = NULL, *marker = (olock_item *)&it;
    olock_error err;
    int64_t gold = 0;
    put_gold(c, "one-call", 42);
    CHECK(olock_get(c, TABLE, key_of("one-call"), 1, &it, &err) == OLOCK_OK && it);
    CHECK(olock_item_get_i64(it, "gold", &gold) == OLOCK_OK && gold == 42);
    olock_client_destroy(c);                       /* the item outlives the client */
    CHECK(olock_map_get_i64(it->root, "gold", &gold) == OLOCK_OK && gold == 42);
    olock_item_destroy(it);
    c = client();
    CHECK(olock_get(c, TABLE, key_of("one-call"), 0, &it, NULL) == OLOCK_OK);
    olock_item_destroy(it);
    it = marker;
    CHECK(olock_get(c, TABLE, key_of("absent"), 1, &it, &err) == OLOCK_ERR_NOT_FOUND && it == marker);
    CHECK_EQ_STR(err.message, "olock_get: no item with that key in table \"everyday\"");
    CHECK(olock_get(c, "no-such-table", key_of("x"), 1, &it, &err) == OLOCK_ERR_SERVICE && it == marker);
    CHECK_EQ_STR(err.aws_type, "ResourceNotFoundException");
    CHECK(olock_get(NULL, TABLE, key_of("x"), 1, &it, &err) == OLOCK_ERR_INVALID_ARG);
    CHECK_EQ_STR(err.message, "olock_get: c is NULL");
    CHECK(olock_get(c, "", key_of("x"), 1, &it, &err) == OLOCK_ERR_INVALID_ARG);
    CHECK_EQ_STR(err.message, "olock_get: table is NULL or empty");
    CHECK(olock_get(c, TABLE, NULL, 1, &it, &err) == OLOCK_ERR_INVALID_ARG);
    CHECK_EQ_STR(err.message, "olock_get: key is NULL");
    CHECK(olock_get(c, TABLE, key_of("x"), 1, NULL, &err) == OLOCK_ERR_INVALID_ARG);
    CHECK_EQ_STR(err.message, "olock_get: out is NULL");
    CHECK(it == marker);
    olock_client_destroy(c);
}

/* ---- 5. Scan, TransactGetItems and the pager ---- */

#define PAGED "paged"

static void put_in(olock_client *c, const char *table, const char *id, int64_t gold) {
    olock_item *it = NULL;
    olock_item_request r = olock_item_request_default();
    CHECK(olock_item_create(NULL, &it) == OLOCK_OK);
    olock_item_set_s(it, "id", id);
    olock_item_set_i64(it, "gold", gold);
    r.table = table; r.item = it->root;
    CHECK(olock_put_item(c, &r, NULL, NULL) == OLOCK_OK);
    olock_item_destroy(it);
}

TEST(test_scan_and_transact_get) {
    olock_client *c = client();
    olock_create_table_request ct = olock_create_table_request_default();
    olock_query_request q = olock_query_request_default();
    olock_item_request gets[3];
    olock_response res;
    olock_error err;
    int64_t gold = 0, sum = 0;
    size_t i;
    ct.table = PAGED; ct.hash_key = "id"; ct.hash_type = OLOCK_TYPE_S;
    CHECK(olock_create_table(c, &ct, NULL, NULL) == OLOCK_OK);
    for (i = 0; i < 7; i++) {
        char id[8];
        id[0] = 'p'; id[1] = (char)('0' + i); id[2] = 0;
        put_in(c, PAGED, id, (int64_t)i + 1);
    }
    q.table = PAGED;
    CHECK(olock_scan(c, &q, &res, NULL) == OLOCK_OK && res.item_count == 7 && res.last_evaluated_key == NULL);
    for (i = 0; i < res.item_count; i++) if (olock_map_get_i64(res.items[i], "gold", &gold) == OLOCK_OK) sum += gold;
    CHECK_EQ_INT(sum, 28);
    q.limit = 3;
    CHECK(olock_scan(c, &q, &res, NULL) == OLOCK_OK && res.item_count == 3 && res.last_evaluated_key != NULL);
    q.key_condition = "id = :x";
    CHECK(olock_scan(c, &q, &res, &err) == OLOCK_ERR_INVALID_ARG && strncmp(err.message, "olock_scan: ", 12) == 0);
    CHECK(olock_scan(NULL, &q, &res, &err) == OLOCK_ERR_INVALID_ARG);
    CHECK_EQ_STR(err.message, "olock_scan: c is NULL");
    /* TransactGetItems: an absent item is a NULL entry. */
    for (i = 0; i < 3; i++) { gets[i] = olock_item_request_default(); gets[i].table = PAGED; }
    gets[0].key = key_of("p2"); gets[1].key = key_of("absent"); gets[2].key = key_of("p6");
    CHECK(olock_transact_get(c, gets, 3, &res, NULL) == OLOCK_OK && res.item_count == 3);
    CHECK(olock_map_get_i64(res.items[0], "gold", &gold) == OLOCK_OK && gold == 3);
    CHECK(res.items[1] == NULL);
    CHECK(olock_map_get_i64(res.items[2], "gold", &gold) == OLOCK_OK && gold == 7);
    gets[1].table = NULL;
    CHECK(olock_transact_get(c, gets, 3, &res, &err) == OLOCK_ERR_INVALID_ARG && strncmp(err.message, "olock_transact_get: ", 20) == 0);
    CHECK(olock_transact_get(NULL, gets, 3, &res, &err) == OLOCK_ERR_INVALID_ARG);
    CHECK_EQ_STR(err.message, "olock_transact_get: c is NULL");
    olock_client_destroy(c);
}

/* Pages of `limit` items until the last; each item seen once. */
static int page_through(olock_client *c, olock_op op, uint32_t limit, int *pages) {
    olock_query_request q = olock_query_request_default();
    olock_pager *p = NULL;
    olock_response page;
    olock_error err;
    int64_t gold, sum = 0;
    olock_result rc;
    size_t i;
    q.table = PAGED; q.limit = limit;
    *pages = 0;
    rc = olock_pager_begin(c, op, &q, &p, &err);
    while (rc == OLOCK_OK && (rc = olock_pager_next(p, &page, &err)) == OLOCK_OK) {
        ++*pages;
        CHECK(limit == 0 || page.item_count <= limit);
        for (i = 0; i < page.item_count; i++) if (olock_map_get_i64(page.items[i], "gold", &gold) == OLOCK_OK) sum += gold;
    }
    CHECK(rc == OLOCK_ERR_NOT_FOUND);
    CHECK(olock_pager_next(p, &page, &err) == OLOCK_ERR_NOT_FOUND);   /* and stays done */
    olock_pager_destroy(p);
    return (int)sum;
}

TEST(test_pager) {
    olock_client *c = client();
    olock_query_request q = olock_query_request_default();
    olock_pager *p = NULL, *marker = (olock_pager *)&p;
    olock_response page;
    olock_error err;
    int pages = 0;
    CHECK_EQ_INT(page_through(c, OLOCK_OP_SCAN, 3, &pages), 28);
    CHECK(pages == 3 || pages == 4);                /* 3+3+1, perhaps an empty last page */
    CHECK_EQ_INT(page_through(c, OLOCK_OP_SCAN, 1, &pages), 28);
    CHECK(pages >= 7);
    CHECK_EQ_INT(page_through(c, OLOCK_OP_SCAN, 0, &pages), 28);
    CHECK_EQ_INT(pages, 1);
    /* A Query pages the same way. */
    q.table = PAGED; q.key_condition = "id = :id";
    {
        olock_value *v = olock_value_new_container(&g_arena, OLOCK_TYPE_M);
        olock_map_put(&g_arena, v, ":id", 3, olock_value_new_s(&g_arena, "p4", 2));
        q.values = v;
    }
    CHECK(olock_pager_begin(c, OLOCK_OP_QUERY, &q, &p, NULL) == OLOCK_OK);
    CHECK(olock_pager_next(p, &page, NULL) == OLOCK_OK && page.item_count == 1);
    CHECK(olock_pager_next(p, &page, &err) == OLOCK_ERR_NOT_FOUND);
    CHECK_EQ_STR(err.message, "olock_pager_next: no more pages");
    olock_pager_destroy(p);
    /* An error is the request's, and the same page can be asked for again. */
    q = olock_query_request_default();
    q.table = "no-such-table";
    CHECK(olock_pager_begin(c, OLOCK_OP_SCAN, &q, &p, NULL) == OLOCK_OK);
    CHECK(olock_pager_next(p, &page, &err) == OLOCK_ERR_SERVICE);
    CHECK(olock_pager_next(p, &page, &err) == OLOCK_ERR_SERVICE);
    olock_pager_destroy(p);
    olock_pager_destroy(NULL);
    p = marker;
    CHECK(olock_pager_begin(c, OLOCK_OP_GET_ITEM, &q, &p, &err) == OLOCK_ERR_INVALID_ARG && p == marker);
    CHECK_EQ_STR(err.message, "olock_pager_begin: op 1 is neither OLOCK_OP_QUERY nor OLOCK_OP_SCAN");
    CHECK(olock_pager_begin(c, OLOCK_OP_SCAN, NULL, &p, &err) == OLOCK_ERR_INVALID_ARG);
    CHECK_EQ_STR(err.message, "olock_pager_begin: r is NULL");
    CHECK(olock_pager_begin(NULL, OLOCK_OP_SCAN, &q, &p, &err) == OLOCK_ERR_INVALID_ARG);
    CHECK_EQ_STR(err.message, "olock_pager_begin: c is NULL");
    CHECK(olock_pager_next(NULL, &page, &err) == OLOCK_ERR_INVALID_ARG);
    CHECK_EQ_STR(err.message, "olock_pager_next: p is NULL");
    olock_client_destroy(c);
}

/* ---- 5. BatchWriteItem with its unprocessed items resent ---- */

/* The fake's transport, with the first `unprocess` BatchWriteItem answers replaced by one that
   leaves the request's first put unprocessed (the fake applied it: a put again is harmless). */
typedef struct scripted {
    olock_transport inner;
    int unprocess, batch_requests;
    size_t last_body_len;
} scripted;

static olock_result scripted_get_send(void *user, const olock_http_request *req, olock_http_response *res);

static olock_result scripted_send(void *user, const olock_http_request *req, olock_http_response *res) {
    scripted *s = (scripted *)user;
    size_t i;
    int batch = 0;
    const char *item, *end;
    olock_result r;
    for (i = 0; i < req->header_count; i++)
        if (strcmp(req->headers[i].name, "X-Amz-Target") == 0 && strstr(req->headers[i].value, "BatchGetItem"))
            return scripted_get_send(user, req, res);
    r = s->inner.send(s->inner.user, req, res);
    for (i = 0; i < req->header_count; i++)
        if (strcmp(req->headers[i].name, "X-Amz-Target") == 0) batch = strstr(req->headers[i].value, "BatchWriteItem") != NULL;
    if (!batch || r != OLOCK_OK) return r;
    s->batch_requests++;
    s->last_body_len = req->body_len;
    if (s->unprocess <= 0) return r;
    s->unprocess--;
    /* {"RequestItems":{"everyday":[{"PutRequest":{"Item":{...}}}, ...]}}: echo the first put back. */
    item = strstr(req->body, "{\"PutRequest\"");
    end = strstr(req->body, "}}},");
    if (!end) end = strstr(req->body, "}}}]");
    if (!item || !end) return r;
    olock_http_response_reset(res);
    res->status = 200;
    olock_http_response_append(res, "{\"UnprocessedItems\":{\"" TABLE "\":[", strlen("{\"UnprocessedItems\":{\"" TABLE "\":["));
    olock_http_response_append(res, item, (size_t)(end + 3 - item));
    olock_http_response_append(res, "]}}", 3);
    return r;
}

static unsigned g_sleeps;
static uint64_t g_slept;
static void count_sleep(void *u, uint64_t ms) { (void)u; g_sleeps++; g_slept += ms; }

static olock_client *scripted_client(scripted *s, int unprocess) {
    olock_config cfg = olock_config_default();
    olock_client *c = NULL;
    memset(s, 0, sizeof *s);
    s->inner = olock_fake_transport(g_fake);
    s->unprocess = unprocess;
    cfg.transport = olock_fake_transport(g_fake);
    cfg.transport.user = s; cfg.transport.send = scripted_send; cfg.transport.destroy = NULL; cfg.transport.last_error = NULL;
    cfg.sleep_ms = count_sleep;
    return olock_client_create(&cfg, &c, NULL) == OLOCK_OK ? c : NULL;
}

TEST(test_batch_write) {
    scripted s;
    olock_client *c = scripted_client(&s, 0);
    olock_batch_write_entry e[30];
    olock_error err;
    char ids[30][8];
    int64_t gold = 0;
    olock_item *it = NULL;
    size_t i;
    for (i = 0; i < 30; i++) {
        olock_value *item = olock_value_new_container(&g_arena, OLOCK_TYPE_M);
        ids[i][0] = 'b'; ids[i][1] = (char)('0' + i / 10); ids[i][2] = (char)('0' + i % 10); ids[i][3] = 0;
        olock_map_put(&g_arena, item, "id", 2, olock_value_new_s(&g_arena, ids[i], 3));
        olock_map_put(&g_arena, item, "gold", 4, olock_value_new_i64(&g_arena, (int64_t)i));
        e[i] = olock_batch_write_entry_default();
        e[i].table = TABLE; e[i].put_item = item;
    }
    /* 30 entries: two requests, 25 and 5. */
    g_sleeps = 0;
    CHECK(olock_batch_write(c, e, 30, &err) == OLOCK_OK);
    CHECK_EQ_INT(s.batch_requests, 2);
    CHECK_EQ_INT(err.attempts, 2);
    CHECK_EQ_INT(g_sleeps, 0);
    CHECK(olock_get(c, TABLE, key_of("b29"), 1, &it, NULL) == OLOCK_OK && olock_item_get_i64(it, "gold", &gold) == OLOCK_OK && gold == 29);
    olock_item_destroy(it);
    olock_client_destroy(c);
    /* Two answers leave an item unprocessed: it is sent again, alone, after a backoff. */
    c = scripted_client(&s, 2);
    g_sleeps = 0;
    CHECK(olock_batch_write(c, e, 3, &err) == OLOCK_OK);
    CHECK_EQ_INT(s.batch_requests, 3);
    CHECK_EQ_INT(g_sleeps, 2);
    CHECK(s.last_body_len < 100);                  /* the last request held one item */
    olock_client_destroy(c);
    /* Out of budget (4 requests): the error says how many are left. */
    c = scripted_client(&s, 100);
    g_sleeps = 0; g_slept = 0;
    CHECK(olock_batch_write(c, e, 3, &err) == OLOCK_ERR_THROTTLED);
    CHECK_EQ_INT(s.batch_requests, 4);
    CHECK_EQ_INT(g_sleeps, 3);
    CHECK(g_slept <= 25 + 50 + 100);
    CHECK_EQ_STR(err.message, "olock_batch_write: 1 of 3 items still unprocessed after 4 requests for them");
    s.unprocess = 100; s.batch_requests = 0;
    CHECK(olock_batch_write(c, e, 30, &err) == OLOCK_ERR_THROTTLED);
    CHECK_EQ_STR(err.message, "olock_batch_write: 6 of 30 items still unprocessed after 4 requests for them");
    /* Arguments. */
    CHECK(olock_batch_write(NULL, e, 3, &err) == OLOCK_ERR_INVALID_ARG);
    CHECK_EQ_STR(err.message, "olock_batch_write: c is NULL");
    CHECK(olock_batch_write(c, NULL, 3, &err) == OLOCK_ERR_INVALID_ARG);
    CHECK_EQ_STR(err.message, "olock_batch_write: entries is NULL and count is 3");
    e[1].delete_key = e[1].put_item;
    CHECK(olock_batch_write(c, e, 3, &err) == OLOCK_ERR_INVALID_ARG);
    CHECK_EQ_STR(err.message, "olock_batch_write: entries[1] needs a table and exactly one of put_item and delete_key");
    CHECK(olock_batch_write(c, NULL, 0, &err) == OLOCK_OK);
    olock_client_destroy(c);
}

/* ---- 5b. BatchGetItem with its unprocessed keys resent ---- */

/* The fake's transport, with the first `unprocess` BatchGetItem answers replaced by one that
   returns nothing and leaves the request's first key unprocessed. */
static olock_result scripted_get_send(void *user, const olock_http_request *req, olock_http_response *res) {
    scripted *s = (scripted *)user;
    size_t i;
    int batch = 0;
    const char *key, *end;
    olock_result r = s->inner.send(s->inner.user, req, res);
    for (i = 0; i < req->header_count; i++)
        if (strcmp(req->headers[i].name, "X-Amz-Target") == 0) batch = strstr(req->headers[i].value, "BatchGetItem") != NULL;
    if (!batch || r != OLOCK_OK) return r;
    s->batch_requests++;
    s->last_body_len = req->body_len;
    if (s->unprocess <= 0) return r;
    s->unprocess--;
    /* {"RequestItems":{"everyday":{"Keys":[{"id":{"S":"g00"}},...]}}}: hand the first key back. */
    key = strstr(req->body, "\"Keys\":[");
    if (!key) return r;
    key += 8;
    end = strstr(key, "}}");
    if (!end) return r;
    olock_http_response_reset(res);
    res->status = 200;
    olock_http_response_append(res, "{\"Responses\":{},\"UnprocessedKeys\":{\"" TABLE "\":{\"Keys\":[",
                               strlen("{\"Responses\":{},\"UnprocessedKeys\":{\"" TABLE "\":{\"Keys\":["));
    olock_http_response_append(res, key, (size_t)(end + 2 - key));
    olock_http_response_append(res, "]}}}", 4);
    return r;
}

typedef struct found { int n; int64_t gold_sum; int stop_after; } found;
static int on_found(void *user, const char *table, const olock_value *item) {
    found *f = (found *)user;
    int64_t g = 0;
    if (strcmp(table, TABLE) != 0) return 1;
    if (olock_map_get_i64(item, "gold", &g) == OLOCK_OK) f->gold_sum += g;
    f->n++;
    return f->stop_after && f->n >= f->stop_after;
}

TEST(test_batch_get) {
    scripted s;
    olock_client *c = scripted_client(&s, 0);
    olock_batch_write_entry e[150];
    const olock_value *keys[151];
    olock_batch_get_table t = olock_batch_get_table_default();
    olock_error err;
    found f;
    char ids[150][8];
    size_t i;
    for (i = 0; i < 150; i++) {
        olock_value *item = olock_value_new_container(&g_arena, OLOCK_TYPE_M);
        snprintf(ids[i], sizeof ids[i], "g%03u", (unsigned)i);
        olock_map_put(&g_arena, item, "id", 2, olock_value_new_s(&g_arena, ids[i], 4));
        olock_map_put(&g_arena, item, "gold", 4, olock_value_new_i64(&g_arena, (int64_t)i));
        e[i] = olock_batch_write_entry_default();
        e[i].table = TABLE; e[i].put_item = item;
        keys[i] = key_of(ids[i]);
    }
    keys[150] = key_of("g-missing");
    CHECK(olock_batch_write(c, e, 150, &err) == OLOCK_OK);
    /* 151 keys (one without an item): two requests, 100 and 51; every item once */
    t.table = TABLE; t.keys = keys; t.key_count = 151; t.consistent_read = 1;
    s.batch_requests = 0;
    memset(&f, 0, sizeof f);
    CHECK(olock_batch_get(c, &t, 1, on_found, &f, &err) == OLOCK_OK);
    CHECK_EQ_INT(s.batch_requests, 2);
    CHECK_EQ_INT(f.n, 150);
    CHECK_EQ_INT(f.gold_sum, 149 * 150 / 2);
    olock_client_destroy(c);
    /* Unprocessed keys are asked again, alone, after a backoff */
    c = scripted_client(&s, 0);
    s.unprocess = 2;
    s.batch_requests = 0;
    g_sleeps = 0;
    memset(&f, 0, sizeof f);
    CHECK(olock_batch_get(c, &t, 1, on_found, &f, &err) == OLOCK_OK);
    CHECK_EQ_INT(s.batch_requests, 4);             /* 100 (nothing, 1 back), 1 (nothing, 1 back), 1, 51 */
    CHECK_EQ_INT(g_sleeps, 2);
    CHECK_EQ_INT(f.n, 51);                         /* the scripted answers returned none of the first 100 but g000 */
    CHECK_EQ_INT(f.gold_sum, 0 + (100 + 149) * 50 / 2);
    /* out of budget */
    s.unprocess = 100;
    memset(&f, 0, sizeof f);
    CHECK(olock_batch_get(c, &t, 1, on_found, &f, &err) == OLOCK_ERR_THROTTLED);
    CHECK_EQ_STR(err.message, "olock_batch_get: 52 of 151 keys still unprocessed after 4 requests for them");
    /* the callback stops the batch */
    s.unprocess = 0;
    f.n = 0; f.stop_after = 3;
    CHECK(olock_batch_get(c, &t, 1, on_found, &f, &err) == OLOCK_ERR_ABORTED);
    CHECK_EQ_INT(f.n, 3);
    /* arguments */
    CHECK(olock_batch_get(c, &t, 1, NULL, NULL, &err) == OLOCK_ERR_INVALID_ARG);
    CHECK_EQ_STR(err.message, "olock_batch_get: fn is NULL");
    t.table = NULL;
    CHECK(olock_batch_get(c, &t, 1, on_found, &f, &err) == OLOCK_ERR_INVALID_ARG);
    CHECK_EQ_STR(err.message, "olock_batch_get: tables[0] needs a name and its keys");
    CHECK(olock_batch_get(c, NULL, 0, on_found, &f, &err) == OLOCK_OK);
    olock_client_destroy(c);
}

/* ---- 5c. the same loops against the fake's own UNPROCESSED fault ---- */

/* A client on the fake itself (no scripted transport) whose backoffs are counted, not slept. */
static olock_client *fault_client(void) {
    olock_config cfg = olock_config_default();
    olock_client *c = NULL;
    cfg.transport = olock_fake_transport(g_fake);
    cfg.sleep_ms = count_sleep;
    return olock_client_create(&cfg, &c, NULL) == OLOCK_OK ? c : NULL;
}

TEST(test_batch_unprocessed_fault) {
    olock_client *c = fault_client();
    olock_batch_write_entry e[10];
    const olock_value *keys[10];
    olock_batch_get_table t = olock_batch_get_table_default();
    olock_error err;
    found f;
    char ids[10][8];
    int64_t gold = -1;
    olock_item *it = NULL;
    unsigned long before;
    size_t i;
    for (i = 0; i < 10; i++) {
        olock_value *item = olock_value_new_container(&g_arena, OLOCK_TYPE_M);
        snprintf(ids[i], sizeof ids[i], "u%03u", (unsigned)i);
        olock_map_put(&g_arena, item, "id", 2, olock_value_new_s(&g_arena, ids[i], 4));
        olock_map_put(&g_arena, item, "gold", 4, olock_value_new_i64(&g_arena, (int64_t)i + 1));
        e[i] = olock_batch_write_entry_default();
        e[i].table = TABLE; e[i].put_item = item;
        keys[i] = key_of(ids[i]);
    }
    /* BatchWriteItem: 10 requests, the fault leaves 5, then 3 undone; the third request
       writes the last 3. Every item is there afterwards. */
    before = olock_fake_fault_count(g_fake, OLOCK_FAKE_FAULT_UNPROCESSED);
    CHECK(olock_fake_inject(g_fake, OLOCK_FAKE_FAULT_UNPROCESSED, 2, OLOCK_OP_BATCH_WRITE_ITEM, TABLE) == OLOCK_OK);
    g_sleeps = 0;
    CHECK(olock_batch_write(c, e, 10, &err) == OLOCK_OK);
    CHECK_EQ_INT(err.attempts, 3);
    CHECK_EQ_INT(g_sleeps, 2);
    CHECK_EQ_INT(olock_fake_fault_count(g_fake, OLOCK_FAKE_FAULT_UNPROCESSED) - before, 2);
    for (i = 0; i < 10; i++) {
        CHECK(olock_get(c, TABLE, keys[i], 1, &it, NULL) == OLOCK_OK && it && olock_item_get_i64(it, "gold", &gold) == OLOCK_OK &&
              gold == (int64_t)i + 1);
        olock_item_destroy(it);
        it = NULL;
    }
    /* BatchGetItem: the same halving; each item is reported once, the projection kept on
       the keys sent again. */
    t.table = TABLE; t.keys = keys; t.key_count = 10; t.projection = "id, gold";
    CHECK(olock_fake_inject(g_fake, OLOCK_FAKE_FAULT_UNPROCESSED, 2, OLOCK_OP_BATCH_GET_ITEM, NULL) == OLOCK_OK);
    g_sleeps = 0;
    memset(&f, 0, sizeof f);
    CHECK(olock_batch_get(c, &t, 1, on_found, &f, &err) == OLOCK_OK);
    CHECK_EQ_INT(f.n, 10);
    CHECK_EQ_INT(f.gold_sum, 55);
    CHECK_EQ_INT(err.attempts, 3);
    CHECK_EQ_INT(g_sleeps, 2);
    /* Out of budget (4 requests: 10, 5, 3, 2 keys, one left each time but the last): the
       leftovers are reported and what was read was delivered. */
    CHECK(olock_fake_inject(g_fake, OLOCK_FAKE_FAULT_UNPROCESSED, 100, OLOCK_OP_BATCH_GET_ITEM, NULL) == OLOCK_OK);
    memset(&f, 0, sizeof f);
    CHECK(olock_batch_get(c, &t, 1, on_found, &f, &err) == OLOCK_ERR_THROTTLED);
    CHECK_EQ_STR(err.message, "olock_batch_get: 1 of 10 keys still unprocessed after 4 requests for them");
    CHECK_EQ_INT(f.n, 9);
    CHECK(olock_batch_write(c, e, 10, &err) == OLOCK_OK);   /* a batch write does not take a BatchGetItem rule */
    olock_fake_clear_faults(g_fake);
    /* Out of budget on writes, and the rule waits for a batch: a GetItem passes through. */
    CHECK(olock_fake_inject(g_fake, OLOCK_FAKE_FAULT_UNPROCESSED, 100, (olock_op)0, NULL) == OLOCK_OK);
    before = olock_fake_fault_count(g_fake, OLOCK_FAKE_FAULT_UNPROCESSED);
    CHECK(olock_get(c, TABLE, keys[0], 1, &it, NULL) == OLOCK_OK && it);
    olock_item_destroy(it);
    CHECK_EQ_INT(olock_fake_fault_count(g_fake, OLOCK_FAKE_FAULT_UNPROCESSED), before);
    CHECK(olock_batch_write(c, e, 10, &err) == OLOCK_ERR_THROTTLED);
    CHECK_EQ_STR(err.message, "olock_batch_write: 1 of 10 items still unprocessed after 4 requests for them");
    olock_fake_clear_faults(g_fake);
    olock_client_destroy(c);
}

int main(void) {
    olock_client *admin;
    olock_create_table_request ct = olock_create_table_request_default();
    olock_arena_init(&g_arena, NULL);
    if (olock_fake_create(NULL, &g_fake) != OLOCK_OK || !(admin = client())) return 1;
    ct.table = TABLE; ct.hash_key = "id"; ct.hash_type = OLOCK_TYPE_S;
    CHECK(olock_create_table(admin, &ct, NULL, NULL) == OLOCK_OK);
    olock_client_destroy(admin);
    RUN(test_request_defaults);
    RUN(test_defaults_make_requests);
    RUN(test_map_getters);
    RUN(test_item_as_key);
    RUN(test_get);
    RUN(test_scan_and_transact_get);
    RUN(test_pager);
    RUN(test_batch_write);
    RUN(test_batch_get);
    RUN(test_batch_unprocessed_fault);
    olock_fake_destroy(g_fake);
    olock_arena_free(&g_arena);
    return TEST_MAIN_END();
}
