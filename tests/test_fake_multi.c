/* test_fake_multi.c - unit tests of backends/olock_fake.h for operations on many items:
   transactions (raw, and the engine's olock_txn and olock_update_many on the fake), Query and
   Scan with paging, batches, and each with a failing allocator. Ends with "N passed, N failed";
   exit status 1 on any failure. */
#ifndef OLOCK_TEST_LINKED   /* else the Makefile links build/<flavour>/libolock_impl.a (tests/impl/) */
#define OLOCK_IMPLEMENTATION
#define OLOCK_FAKE_IMPLEMENTATION
#endif
#include "olock.h"
#include "backends/olock_fake.h"
#include "olock_test.h"
#include "fake_raw.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#ifndef _WIN32
#include <pthread.h>
#endif

/* ---- transactions: raw requests -------------------------------------------------------------- */

static const char *TXN_TWO =
    "{\"TransactItems\":[{\"Put\":{\"TableName\":\"tbl\",\"Item\":{\"pk\":{\"S\":\"a\"},\"n\":{\"N\":\"1\"}},"
    "\"ConditionExpression\":\"attribute_not_exists(pk)\"}},"
    "{\"Update\":{\"TableName\":\"other\",\"Key\":{\"pk\":{\"S\":\"b\"}},\"UpdateExpression\":\"ADD n :one\","
    "\"ExpressionAttributeValues\":{\":one\":{\"N\":\"1\"}}}}],\"ClientRequestToken\":\"tok\"}";

static long number_of(const reply *r, const char *attr)
{
    char pat[64];
    const char *p;
    snprintf(pat, sizeof(pat), "\"%s\":{\"N\":\"", attr);
    p = strstr(r->body, pat);
    return p ? strtol(p + strlen(pat), NULL, 10) : -1;
}

TEST(test_txn_all_or_nothing)
{
    olock_fake *f = new_fake();
    reply r;
    CHECK(f != NULL);
    if (!f) return;
    CHECK(call(f, "TransactWriteItems", TXN_TWO, &r) == 200 && strcmp(r.body, "{}") == 0);
    CHECK(call(f, "GetItem", GET_A, &r) == 200 && number_of(&r, "n") == 1);
    CHECK(call(f, "GetItem", "{\"TableName\":\"other\",\"Key\":{\"pk\":{\"S\":\"b\"}}}", &r) == 200 && number_of(&r, "n") == 1);
    /* a second action's failed condition leaves the first one unapplied */
    CHECK(call(f, "TransactWriteItems",
               "{\"TransactItems\":[{\"Update\":{\"TableName\":\"tbl\",\"Key\":{\"pk\":{\"S\":\"a\"}},\"UpdateExpression\":\"ADD n :one\","
               "\"ExpressionAttributeValues\":{\":one\":{\"N\":\"1\"}}}},"
               "{\"ConditionCheck\":{\"TableName\":\"other\",\"Key\":{\"pk\":{\"S\":\"b\"}},\"ConditionExpression\":\"n = :z\","
               "\"ExpressionAttributeValues\":{\":z\":{\"N\":\"0\"}},\"ReturnValuesOnConditionCheckFailure\":\"ALL_OLD\"}}]}", &r) == 400);
    CHECK(has(&r, "\"__type\":\"com.amazonaws.dynamodb.v20120810#TransactionCanceledException\""));
    CHECK(has(&r, "\"CancellationReasons\":[{\"Code\":\"None\"},{\"Item\":{"));
    CHECK(has(&r, "\"Code\":\"ConditionalCheckFailed\",\"Message\":\"The conditional request failed.\"}]"));
    CHECK(has(&r, "specific reasons [None, ConditionalCheckFailed]"));
    CHECK(call(f, "GetItem", GET_A, &r) == 200 && number_of(&r, "n") == 1);
    /* TransactGetItems sees both */
    CHECK(call(f, "TransactGetItems",
               "{\"TransactItems\":[{\"Get\":{\"TableName\":\"other\",\"Key\":{\"pk\":{\"S\":\"b\"}}}},"
               "{\"Get\":{\"TableName\":\"tbl\",\"Key\":{\"pk\":{\"S\":\"zz\"}}}},"
               "{\"Get\":{\"TableName\":\"tbl\",\"Key\":{\"pk\":{\"S\":\"a\"}},\"ProjectionExpression\":\"n\"}}]}", &r) == 200);
    CHECK(strcmp(r.body, "{\"Responses\":[{\"Item\":{\"n\":{\"N\":\"1\"},\"pk\":{\"S\":\"b\"}}},{},{\"Item\":{\"n\":{\"N\":\"1\"}}}]}") == 0);
    olock_fake_destroy(f);
}

TEST(test_txn_token_window)
{
    olock_fake *f = new_fake();
    reply r;
    CHECK(f != NULL);
    if (!f) return;
    CHECK(call(f, "TransactWriteItems", TXN_TWO, &r) == 200);
    /* the same request again within 10 minutes: success, not applied again (its condition
       would fail now) */
    olock_fake_advance_ms(f, 599999);
    CHECK(call(f, "TransactWriteItems", TXN_TWO, &r) == 200 && strcmp(r.body, "{}") == 0);
    CHECK(call(f, "GetItem", "{\"TableName\":\"other\",\"Key\":{\"pk\":{\"S\":\"b\"}}}", &r) == 200 && number_of(&r, "n") == 1);
    /* the same token for another request */
    CHECK(call(f, "TransactWriteItems",
               "{\"TransactItems\":[{\"Put\":{\"TableName\":\"tbl\",\"Item\":{\"pk\":{\"S\":\"c\"}}}}],\"ClientRequestToken\":\"tok\"}", &r) == 400);
    CHECK(strcmp(r.body, "{\"__type\":\"com.amazonaws.dynamodb.v20120810#IdempotentParameterMismatchException\",\"Message\":\"\"}") == 0);
    /* 10 minutes later the token is new again: the request runs (and its condition fails) */
    olock_fake_advance_ms(f, 1);
    CHECK(call(f, "TransactWriteItems", TXN_TWO, &r) == 400 && has(&r, "[ConditionalCheckFailed, None]"));
    /* a cancelled transaction does not take its token: another request may use it */
    CHECK(call(f, "TransactWriteItems",
               "{\"TransactItems\":[{\"Put\":{\"TableName\":\"tbl\",\"Item\":{\"pk\":{\"S\":\"c\"}}}}],\"ClientRequestToken\":\"tok\"}", &r) == 200);
    CHECK(call(f, "TransactWriteItems", TXN_TWO, &r) == 400 && has(&r, "IdempotentParameterMismatchException"));
    olock_fake_destroy(f);
}

TEST(test_txn_many_tokens)
{
    olock_fake *f = new_fake();
    reply r;
    char body[512];
    int i, ok = 1;
    CHECK(f != NULL);
    if (!f) return;
    /* the token table grows, and drops what expired when it rebuilds */
    for (i = 0; i < 3000; i++) {
        snprintf(body, sizeof(body),
                 "{\"TransactItems\":[{\"Update\":{\"TableName\":\"tbl\",\"Key\":{\"pk\":{\"S\":\"n\"}},\"UpdateExpression\":\"ADD n :one\","
                 "\"ExpressionAttributeValues\":{\":one\":{\"N\":\"1\"}}}}],\"ClientRequestToken\":\"t%d\"}", i % 2000);
        if (i == 1000) olock_fake_advance_ms(f, 600000);   /* t0..t999 expire */
        ok &= call(f, "TransactWriteItems", body, &r) == 200;
    }
    CHECK(ok);
    /* the last 1000 reused t0..t999 after they expired: applied again */
    CHECK(call(f, "GetItem", "{\"TableName\":\"tbl\",\"Key\":{\"pk\":{\"S\":\"n\"}}}", &r) == 200 && number_of(&r, "n") == 3000);
    snprintf(body, sizeof(body),
             "{\"TransactItems\":[{\"Update\":{\"TableName\":\"tbl\",\"Key\":{\"pk\":{\"S\":\"n\"}},\"UpdateExpression\":\"ADD n :one\","
             "\"ExpressionAttributeValues\":{\":one\":{\"N\":\"1\"}}}}],\"ClientRequestToken\":\"t1500\"}");
    CHECK(call(f, "TransactWriteItems", body, &r) == 200);   /* live: a replay */
    CHECK(call(f, "GetItem", "{\"TableName\":\"tbl\",\"Key\":{\"pk\":{\"S\":\"n\"}}}", &r) == 200 && number_of(&r, "n") == 3000);
    olock_fake_destroy(f);
}

/* ---- transactions: the engine on the fake ---------------------------------------------------- */

static olock_client *engine_client(olock_fake *f)
{
    olock_config cfg = olock_config_default();
    olock_client *c = NULL;
    olock_error err;
    cfg.transport = olock_fake_transport(f);
    cfg.sleep_ms = no_sleep;
    if (olock_client_create(&cfg, &c, &err) != OLOCK_OK) return NULL;
    return c;
}

static olock_value *key_pk(olock_arena *a, const char *pk)
{
    olock_value *k = olock_value_new_container(a, OLOCK_TYPE_M);
    if (k) olock_map_put(a, k, "pk", 2, olock_value_new_s(a, pk, strlen(pk)));
    return k;
}

static long stored_number(olock_fake *f, const char *table, const char *pk, const char *attr)
{
    char body[256];
    reply r;
    snprintf(body, sizeof(body), "{\"TableName\":\"%s\",\"Key\":{\"pk\":{\"S\":\"%s\"}}}", table, pk);
    if (call(f, "GetItem", body, &r) != 200) return -2;
    return number_of(&r, attr);
}

TEST(test_engine_txn_commit)
{
    olock_fake *f = new_fake();
    olock_client *c = f ? engine_client(f) : NULL;
    olock_txn *t = NULL;
    olock_arena a;
    olock_value *item, *values;
    olock_item_request req;
    olock_write_result res;
    olock_error err;
    CHECK(c != NULL);
    if (!c) { olock_fake_destroy(f); return; }
    olock_arena_init(&a, NULL);
    CHECK(olock_txn_create(c, &t) == OLOCK_OK);
    /* two new items in two tables */
    item = key_pk(&a, "a");
    olock_map_put(&a, item, "gold", 4, olock_value_new_i64(&a, 10));
    CHECK(olock_txn_put(t, "tbl", item, 0) == OLOCK_OK);
    item = key_pk(&a, "b");
    olock_map_put(&a, item, "gold", 4, olock_value_new_i64(&a, 20));
    CHECK(olock_txn_put(t, "other", item, 0) == OLOCK_OK);
    CHECK(olock_txn_commit(c, t, &res, &err) == OLOCK_OK);
    CHECK(olock_txn_version(t, 0) == 1 && olock_txn_version(t, 1) == 1 && olock_txn_reason(t, 0) == NULL);
    CHECK(stored_number(f, "tbl", "a", "version") == 1 && stored_number(f, "other", "b", "gold") == 20);
    /* an update plus a version check */
    olock_txn_reset(t);
    memset(&req, 0, sizeof(req));
    req.table = "tbl";
    req.key = key_pk(&a, "a");
    req.update = "SET gold = gold + :g";
    values = olock_value_new_container(&a, OLOCK_TYPE_M);
    olock_map_put(&a, values, ":g", 2, olock_value_new_i64(&a, 5));
    req.values = values;
    CHECK(olock_txn_update(t, &req, 1) == OLOCK_OK);
    CHECK(olock_txn_check(t, "other", key_pk(&a, "b"), 1) == OLOCK_OK);
    CHECK(olock_txn_commit(c, t, &res, &err) == OLOCK_OK);
    CHECK(stored_number(f, "tbl", "a", "gold") == 15 && stored_number(f, "tbl", "a", "version") == 2);
    CHECK(stored_number(f, "other", "b", "version") == 1);
    /* stale versions: a conflict naming the action, nothing applied */
    olock_txn_reset(t);
    CHECK(olock_txn_update(t, &req, 2) == OLOCK_OK);
    CHECK(olock_txn_delete(t, "other", key_pk(&a, "b"), 7) == OLOCK_OK);
    CHECK(olock_txn_commit(c, t, &res, &err) == OLOCK_CONFLICT);
    CHECK(res.failed_action == 1);
    CHECK(olock_txn_reason(t, 0) && strcmp(olock_txn_reason(t, 0), "None") == 0);
    CHECK(olock_txn_reason(t, 1) && strcmp(olock_txn_reason(t, 1), "ConditionalCheckFailed") == 0);
    CHECK(stored_number(f, "tbl", "a", "gold") == 15 && stored_number(f, "other", "b", "gold") == 20);
    /* a competing write just before the commit: a conflict on the first conditional action */
    olock_txn_reset(t);
    CHECK(olock_txn_update(t, &req, 2) == OLOCK_OK);
    CHECK(olock_fake_inject(f, OLOCK_FAKE_FAULT_CONFLICT, 1, OLOCK_OP_TRANSACT_WRITE_ITEMS, NULL) == OLOCK_OK);
    CHECK(olock_txn_commit(c, t, &res, &err) == OLOCK_CONFLICT && res.failed_action == 0);
    CHECK(stored_number(f, "tbl", "a", "version") == 3 && stored_number(f, "tbl", "a", "gold") == 15);
    /* the response is lost after the commit applied: the resend with the same token is a
       replay, so the update is applied once */
    olock_txn_reset(t);
    CHECK(olock_txn_update(t, &req, 3) == OLOCK_OK);
    CHECK(olock_fake_inject(f, OLOCK_FAKE_FAULT_LOST_RESPONSE, 1, OLOCK_OP_TRANSACT_WRITE_ITEMS, NULL) == OLOCK_OK);
    CHECK(olock_txn_commit(c, t, &res, &err) == OLOCK_OK);
    CHECK(olock_fake_fault_count(f, OLOCK_FAKE_FAULT_LOST_RESPONSE) == 1);
    CHECK(stored_number(f, "tbl", "a", "gold") == 20 && stored_number(f, "tbl", "a", "version") == 4);
    /* throttled, then through */
    olock_txn_reset(t);
    CHECK(olock_txn_delete(t, "other", key_pk(&a, "b"), 1) == OLOCK_OK);
    CHECK(olock_fake_inject(f, OLOCK_FAKE_FAULT_THROTTLING, 1, OLOCK_OP_TRANSACT_WRITE_ITEMS, NULL) == OLOCK_OK);
    CHECK(olock_txn_commit(c, t, &res, &err) == OLOCK_OK && res.retries == 1);
    CHECK(stored_number(f, "other", "b", "gold") == -1);
    olock_txn_destroy(t);
    olock_arena_free(&a);
    olock_client_destroy(c);
    olock_fake_destroy(f);
}

typedef struct transfer { int64_t amount; int calls; int decision; /* 1 NO_CHANGE, 2 ABORT */ } transfer;

/* Moves `amount` gold from items[0] to items[1] (both created with 100 when absent). */
static olock_mutation move_gold(void *user, olock_item *const *items, const int *exists, olock_mutation *each, size_t count)
{
    transfer *tr = (transfer *)user;
    int64_t from = 100, to = 100;
    size_t i;
    tr->calls++;
    if (tr->decision == 1) {
        for (i = 0; i < count; i++) each[i] = OLOCK_MUTATE_NO_CHANGE;
        return OLOCK_MUTATE_NO_CHANGE;
    }
    if (tr->decision == 2) return OLOCK_MUTATE_ABORT;
    if (exists[0]) olock_item_get_i64(items[0], "gold", &from);
    if (exists[1]) olock_item_get_i64(items[1], "gold", &to);
    olock_item_set_i64(items[0], "gold", from - tr->amount);
    olock_item_set_i64(items[1], "gold", to + tr->amount);
    each[0] = each[1] = OLOCK_MUTATE_WRITE;
    for (i = 2; i < count; i++) each[i] = OLOCK_MUTATE_NO_CHANGE;
    return OLOCK_MUTATE_WRITE;
}

TEST(test_engine_update_many)
{
    olock_fake *f = new_fake();
    olock_client *c = f ? engine_client(f) : NULL;
    olock_arena a;
    olock_key_ref keys[3];
    olock_write_result res;
    olock_error err;
    transfer tr;
    CHECK(c != NULL);
    if (!c) { olock_fake_destroy(f); return; }
    olock_arena_init(&a, NULL);
    keys[0].table = "tbl"; keys[0].key = key_pk(&a, "x");
    keys[1].table = "other"; keys[1].key = key_pk(&a, "y");
    keys[2].table = "tbl"; keys[2].key = key_pk(&a, "z");
    memset(&tr, 0, sizeof(tr));
    tr.amount = 30;
    CHECK(olock_update_many(c, keys, 2, move_gold, &tr, &res, &err) == OLOCK_OK);
    CHECK(stored_number(f, "tbl", "x", "gold") == 70 && stored_number(f, "other", "y", "gold") == 130);
    CHECK(stored_number(f, "tbl", "x", "version") == 1 && tr.calls == 1);
    /* a competing write on x just before the commit: re-read, re-applied on the fresh items */
    CHECK(olock_fake_inject(f, OLOCK_FAKE_FAULT_CONFLICT, 1, OLOCK_OP_TRANSACT_WRITE_ITEMS, NULL) == OLOCK_OK);
    tr.calls = 0;
    CHECK(olock_update_many(c, keys, 2, move_gold, &tr, &res, &err) == OLOCK_OK);
    CHECK(tr.calls == 2 && res.conflicts == 1);
    CHECK(stored_number(f, "tbl", "x", "gold") == 40 && stored_number(f, "other", "y", "gold") == 160);
    CHECK(stored_number(f, "tbl", "x", "version") == 3 && stored_number(f, "other", "y", "version") == 2);
    /* a third item left alone is version-checked (it does not exist: checked absent) */
    CHECK(olock_update_many(c, keys, 3, move_gold, &tr, &res, &err) == OLOCK_OK);
    CHECK(stored_number(f, "tbl", "x", "gold") == 10 && stored_number(f, "tbl", "z", "gold") == -1);
    /* NO_CHANGE and ABORT write nothing */
    tr.decision = 1;
    CHECK(olock_update_many(c, keys, 2, move_gold, &tr, &res, &err) == OLOCK_OK);
    tr.decision = 2;
    CHECK(olock_update_many(c, keys, 2, move_gold, &tr, &res, &err) == OLOCK_ERR_ABORTED);
    CHECK(stored_number(f, "tbl", "x", "gold") == 10 && stored_number(f, "tbl", "x", "version") == 4);
    /* the commit's response is lost: the token makes the resend a replay */
    tr.decision = 0;
    CHECK(olock_fake_inject(f, OLOCK_FAKE_FAULT_LOST_RESPONSE, 1, OLOCK_OP_TRANSACT_WRITE_ITEMS, NULL) == OLOCK_OK);
    CHECK(olock_update_many(c, keys, 2, move_gold, &tr, &res, &err) == OLOCK_OK);
    CHECK(stored_number(f, "tbl", "x", "gold") == -20 && stored_number(f, "other", "y", "gold") == 220);
    olock_arena_free(&a);
    olock_client_destroy(c);
    olock_fake_destroy(f);
}

/* ---- Query, Scan and batches ----------------------------------------------------------------- */

static const char *RANGE_TABLE =
    "{\"TableName\":\"rng\",\"KeySchema\":[{\"AttributeName\":\"pk\",\"KeyType\":\"HASH\"},{\"AttributeName\":\"sk\",\"KeyType\":\"RANGE\"}],"
    "\"AttributeDefinitions\":[{\"AttributeName\":\"pk\",\"AttributeType\":\"S\"},{\"AttributeName\":\"sk\",\"AttributeType\":\"N\"},"
    "{\"AttributeName\":\"g\",\"AttributeType\":\"S\"}],"
    "\"GlobalSecondaryIndexes\":[{\"IndexName\":\"byg\",\"KeySchema\":[{\"AttributeName\":\"g\",\"KeyType\":\"HASH\"}],"
    "\"Projection\":{\"ProjectionType\":\"ALL\"}}],\"BillingMode\":\"PAY_PER_REQUEST\"}";

/* 4 partitions (p0..p3) of 12 items each (sk 0..11), written 24 at a time; g = "even"/"odd". */
static int fill_range(olock_fake *f)
{
    int p, k, batch;
    for (batch = 0; batch < 2; batch++) {
        char body[8192];
        size_t n = 0;
        reply r;
        n += (size_t)snprintf(body + n, sizeof(body) - n, "{\"RequestItems\":{\"rng\":[");
        for (p = batch * 2; p < batch * 2 + 2; p++)
            for (k = 0; k < 12; k++)
                n += (size_t)snprintf(body + n, sizeof(body) - n, "%s{\"PutRequest\":{\"Item\":{\"pk\":{\"S\":\"p%d\"},\"sk\":{\"N\":\"%d\"},"
                                      "\"g\":{\"S\":\"%s\"}}}}", (p % 2 || k) ? "," : "", p, k, k % 2 ? "odd" : "even");
        n += (size_t)snprintf(body + n, sizeof(body) - n, "]}}");
        if (n >= sizeof(body) || call(f, "BatchWriteItem", body, &r) != 200) return -1;
    }
    return 0;
}

/* Pages through a Query or Scan by LastEvaluatedKey, `limit` items a page; checks that each
   (pk, sk) comes once. Returns the number of items, -1 on a failure. */
static int page_through(olock_fake *f, const char *op, const char *prefix, int limit, int *pages)
{
    char body[2048];
    olock_buf lek;
    unsigned char seen[4][12];
    int total = 0, rc = -1;
    olock_arena a;
    memset(seen, 0, sizeof(seen));
    olock_buf_init(&lek, NULL);
    olock_arena_init(&a, NULL);
    *pages = 0;
    for (;;) {
        reply r;
        olock_json *j = NULL;
        const olock_json *items, *it, *last, *m;
        snprintf(body, sizeof(body), "%s\"Limit\":%d%s%.*s}", prefix, limit, lek.len ? ",\"ExclusiveStartKey\":" : "",
                 (int)lek.len, lek.data ? lek.data : "");
        if (call(f, op, body, &r) != 200 || ++*pages > 100) goto done;
        olock_arena_reset(&a);
        if (olock_json_parse(&a, r.body, r.len, NULL, &j, NULL) != OLOCK_OK) goto done;
        items = olock_json_get(j, "Items");
        for (it = items ? items->first : NULL; it; it = it->next) {
            const olock_json *pk = olock_json_get(it, "pk"), *sk = olock_json_get(it, "sk");
            const olock_json *ps = pk ? olock_json_get(pk, "S") : NULL, *sn = sk ? olock_json_get(sk, "N") : NULL;
            int part, k;
            if (!ps || !sn || ps->len != 2) goto done;
            part = ps->str[1] - '0';
            k = (int)strtol(sn->str, NULL, 10);
            if (part < 0 || part > 3 || k < 0 || k > 11 || seen[part][k]++) goto done;
            total++;
        }
        if (!(last = olock_json_get(j, "LastEvaluatedKey"))) break;
        olock_buf_clear(&lek);
        olock_buf_append_str(&lek, "{");
        for (m = last->first; m; m = m->next) {   /* {"name":{"T":"text"}} */
            if (m != last->first) olock_buf_append_str(&lek, ",");
            olock_json_write_string(&lek, m->key, m->key_len);
            olock_buf_append_str(&lek, ":{");
            olock_json_write_string(&lek, m->first->key, m->first->key_len);
            olock_buf_append_str(&lek, ":");
            olock_json_write_string(&lek, m->first->str, m->first->len);
            olock_buf_append_str(&lek, "}");
        }
        olock_buf_append_str(&lek, "}");
    }
    rc = total;
done:
    olock_buf_free(&lek);
    olock_arena_free(&a);
    return rc;
}

TEST(test_query_scan_paging)
{
    olock_fake *f = NULL;
    reply r;
    int pages = 0, seg, sum = 0;
    CHECK(olock_fake_create(NULL, &f) == OLOCK_OK);
    if (!f) return;
    CHECK(call(f, "CreateTable", RANGE_TABLE, &r) == 200);
    CHECK(fill_range(f) == 0);
    /* a partition, 5 at a time, both directions */
    CHECK(page_through(f, "Query", "{\"TableName\":\"rng\",\"KeyConditionExpression\":\"pk = :p\","
                                   "\"ExpressionAttributeValues\":{\":p\":{\"S\":\"p2\"}},", 5, &pages) == 12 && pages == 3);
    CHECK(page_through(f, "Query", "{\"TableName\":\"rng\",\"KeyConditionExpression\":\"pk = :p AND sk >= :s\",\"ScanIndexForward\":false,"
                                   "\"ExpressionAttributeValues\":{\":p\":{\"S\":\"p1\"},\":s\":{\"N\":\"4\"}},", 3, &pages) == 8 && pages == 3);
    /* the whole table: Limit pages exactly (the last, full page has a LastEvaluatedKey too) */
    CHECK(page_through(f, "Scan", "{\"TableName\":\"rng\",", 7, &pages) == 48 && pages == 7);
    CHECK(page_through(f, "Scan", "{\"TableName\":\"rng\",", 8, &pages) == 48 && pages == 7);
    /* segments cover the table once */
    for (seg = 0; seg < 3; seg++) {
        char prefix[128];
        int n;
        snprintf(prefix, sizeof(prefix), "{\"TableName\":\"rng\",\"Segment\":%d,\"TotalSegments\":3,", seg);
        n = page_through(f, "Scan", prefix, 5, &pages);
        CHECK(n >= 0);
        sum += n;
    }
    CHECK(sum == 48);
    /* a GSI: 24 items under "odd", 10 a page */
    CHECK(page_through(f, "Query", "{\"TableName\":\"rng\",\"IndexName\":\"byg\",\"KeyConditionExpression\":\"g = :g\","
                                   "\"ExpressionAttributeValues\":{\":g\":{\"S\":\"odd\"}},", 10, &pages) == 24 && pages == 3);
    CHECK(page_through(f, "Scan", "{\"TableName\":\"rng\",\"IndexName\":\"byg\",", 20, &pages) == 48 && pages == 3);
    /* a filter counts what it keeps, Limit what it read */
    CHECK(call(f, "Query", "{\"TableName\":\"rng\",\"KeyConditionExpression\":\"pk = :p\",\"FilterExpression\":\"g = :g\",\"Limit\":6,"
                           "\"Select\":\"COUNT\",\"ExpressionAttributeValues\":{\":p\":{\"S\":\"p0\"},\":g\":{\"S\":\"odd\"}}}", &r) == 200);
    CHECK(strcmp(r.body, "{\"Count\":3,\"ScannedCount\":6,\"LastEvaluatedKey\":{\"sk\":{\"N\":\"5\"},\"pk\":{\"S\":\"p0\"}}}") == 0);
    /* batches: deletes and gets */
    CHECK(call(f, "BatchWriteItem", "{\"RequestItems\":{\"rng\":[{\"DeleteRequest\":{\"Key\":{\"pk\":{\"S\":\"p0\"},\"sk\":{\"N\":\"0\"}}}},"
                                    "{\"DeleteRequest\":{\"Key\":{\"pk\":{\"S\":\"p0\"},\"sk\":{\"N\":\"1\"}}}}]}}", &r) == 200);
    CHECK(call(f, "BatchGetItem", "{\"RequestItems\":{\"rng\":{\"Keys\":[{\"pk\":{\"S\":\"p0\"},\"sk\":{\"N\":\"0\"}},"
                                  "{\"pk\":{\"S\":\"p0\"},\"sk\":{\"N\":\"2\"}}],\"ProjectionExpression\":\"sk\"}}}", &r) == 200);
    CHECK(strcmp(r.body, "{\"Responses\":{\"rng\":[{\"sk\":{\"N\":\"2\"}}]},\"UnprocessedKeys\":{}}") == 0);
    CHECK(page_through(f, "Scan", "{\"TableName\":\"rng\",", 100, &pages) == 46);
    olock_fake_destroy(f);
}

/* olock_query through a client on the fake, paged by last_evaluated_key. */
TEST(test_client_query)
{
    olock_fake *f = NULL;
    olock_client *c;
    olock_query_request q;
    olock_response resp;
    olock_error err;
    olock_arena a;
    olock_value *values;
    reply r;
    int total = 0, pages = 0;
    CHECK(olock_fake_create(NULL, &f) == OLOCK_OK);
    if (!f) return;
    CHECK(call(f, "CreateTable", RANGE_TABLE, &r) == 200 && fill_range(f) == 0);
    c = engine_client(f);
    CHECK(c != NULL);
    olock_arena_init(&a, NULL);
    values = olock_value_new_container(&a, OLOCK_TYPE_M);
    olock_map_put(&a, values, ":p", 2, olock_value_new_s(&a, "p3", 2));
    memset(&q, 0, sizeof(q));
    q.table = "rng";
    q.key_condition = "pk = :p";
    q.values = values;
    q.limit = 5;
    q.consistent_read = 1;
    while (c && pages < 10) {
        const olock_value *lek;
        CHECK(olock_query(c, &q, &resp, &err) == OLOCK_OK);
        total += (int)resp.item_count;
        pages++;
        if (!resp.last_evaluated_key) break;
        lek = olock_value_copy(&a, resp.last_evaluated_key);   /* the response dies with the next call */
        q.exclusive_start_key = lek;
    }
    CHECK(total == 12 && pages == 3);
    olock_arena_free(&a);
    olock_client_destroy(c);
    olock_fake_destroy(f);
}

/* Every allocation of a batch write, a batch get, a Query and a Scan fails in turn: 200 or
   500, the write all or nothing, nothing leaks. */
TEST(test_batch_query_alloc)
{
    static const char *const reads[][2] = {
        { "BatchGetItem", "{\"RequestItems\":{\"rng\":{\"Keys\":[{\"pk\":{\"S\":\"p0\"},\"sk\":{\"N\":\"1\"}},{\"pk\":{\"S\":\"p1\"},\"sk\":{\"N\":\"2\"}}],"
                          "\"ProjectionExpression\":\"sk, g\"}},\"ReturnConsumedCapacity\":\"TOTAL\"}" },
        { "Query", "{\"TableName\":\"rng\",\"KeyConditionExpression\":\"pk = :p AND sk > :s\",\"FilterExpression\":\"g = :g\",\"Limit\":4,"
                   "\"ExpressionAttributeValues\":{\":p\":{\"S\":\"p1\"},\":s\":{\"N\":\"2\"},\":g\":{\"S\":\"odd\"}},\"ReturnConsumedCapacity\":\"TOTAL\"}" },
        { "Query", "{\"TableName\":\"rng\",\"IndexName\":\"byg\",\"KeyConditionExpression\":\"g = :g\",\"Limit\":5,"
                   "\"ExclusiveStartKey\":{\"g\":{\"S\":\"odd\"},\"pk\":{\"S\":\"p1\"},\"sk\":{\"N\":\"3\"}},\"ExpressionAttributeValues\":{\":g\":{\"S\":\"odd\"}}}" },
        { "Scan", "{\"TableName\":\"rng\",\"Segment\":1,\"TotalSegments\":2,\"ProjectionExpression\":\"pk\",\"Limit\":9}" },
    };
    static const char *write_body =
        "{\"RequestItems\":{\"rng\":[{\"PutRequest\":{\"Item\":{\"pk\":{\"S\":\"new\"},\"sk\":{\"N\":\"1\"}}}},"
        "{\"PutRequest\":{\"Item\":{\"pk\":{\"S\":\"new\"},\"sk\":{\"N\":\"2\"}}}},"
        "{\"DeleteRequest\":{\"Key\":{\"pk\":{\"S\":\"p0\"},\"sk\":{\"N\":\"0\"}}}}]},\"ReturnConsumedCapacity\":\"INDEXES\"}";
    size_t which;
    for (which = 0; which <= sizeof(reads) / sizeof(reads[0]); which++) {
        long n;
        int done = 0;
        for (n = 1; n < 2000 && !done; n++) {
            olock_test_alloc k;
            olock_fake_config cfg = olock_fake_config_default();
            olock_fake *f = NULL;
            reply r, before;
            int st;
            memset(&k, 0, sizeof(k));
            cfg.allocator.ctx = &k;
            cfg.allocator.malloc_fn = olock_test_malloc;
            cfg.allocator.realloc_fn = olock_test_realloc;
            cfg.allocator.free_fn = olock_test_free;
            CHECK(olock_fake_create(&cfg, &f) == OLOCK_OK);
            if (!f) break;
            CHECK(call(f, "CreateTable", RANGE_TABLE, &r) == 200 && fill_range(f) == 0);
            if (which < sizeof(reads) / sizeof(reads[0])) {
                CHECK(call(f, reads[which][0], reads[which][1], &before) == 200);
                k.fail_at = k.calls + n;
                st = call(f, reads[which][0], reads[which][1], &r);
                done = k.calls < k.fail_at;
                k.fail_at = 0;
                CHECK(st == 500 || (st == 200 && strcmp(r.body, before.body) == 0));
            } else {
                k.fail_at = k.calls + n;
                st = call(f, "BatchWriteItem", write_body, &r);
                done = k.calls < k.fail_at;
                k.fail_at = 0;
                CHECK(st == 200 || st == 500);
                CHECK(call(f, "DescribeTable", "{\"TableName\":\"rng\"}", &r) == 200);
                CHECK(has(&r, st == 200 ? "\"ItemCount\":49" : "\"ItemCount\":48"));
            }
            olock_fake_destroy(f);
            CHECK(k.live == 0);
        }
        CHECK(done);
    }
}

TEST(test_txn_alloc)
{
    static const char *txn =
        "{\"TransactItems\":[{\"Put\":{\"TableName\":\"tbl\",\"Item\":{\"pk\":{\"S\":\"a\"},\"version\":{\"N\":\"4\"}},"
        "\"ConditionExpression\":\"version = :v\",\"ExpressionAttributeValues\":{\":v\":{\"N\":\"3\"}}}},"
        "{\"Put\":{\"TableName\":\"tbl\",\"Item\":{\"pk\":{\"S\":\"new1\"}}}},"
        "{\"Put\":{\"TableName\":\"other\",\"Item\":{\"pk\":{\"S\":\"new2\"}}}},"
        "{\"Update\":{\"TableName\":\"other\",\"Key\":{\"pk\":{\"S\":\"u\"}},\"UpdateExpression\":\"ADD n :one\","
        "\"ExpressionAttributeValues\":{\":one\":{\"N\":\"1\"}}}},"
        "{\"Delete\":{\"TableName\":\"tbl\",\"Key\":{\"pk\":{\"S\":\"d\"}}}}],"
        "\"ClientRequestToken\":\"alloc\",\"ReturnConsumedCapacity\":\"INDEXES\"}";
    long n;
    int done = 0;
    for (n = 1; n < 400 && !done; n++) {
        olock_test_alloc k;
        olock_fake_config cfg = olock_fake_config_default();
        olock_fake *f = NULL;
        reply r;
        int st;
        memset(&k, 0, sizeof(k));
        cfg.allocator.ctx = &k;
        cfg.allocator.malloc_fn = olock_test_malloc;
        cfg.allocator.realloc_fn = olock_test_realloc;
        cfg.allocator.free_fn = olock_test_free;
        CHECK(olock_fake_create(&cfg, &f) == OLOCK_OK);
        if (!f) break;
        CHECK(call(f, "CreateTable", TABLE, &r) == 200 && call(f, "CreateTable", OTHER, &r) == 200);
        CHECK(call(f, "PutItem", PUT_A, &r) == 200);
        CHECK(call(f, "PutItem", "{\"TableName\":\"tbl\",\"Item\":{\"pk\":{\"S\":\"d\"}}}", &r) == 200);
        k.fail_at = k.calls + n;
        st = call(f, "TransactWriteItems", txn, &r);
        done = k.calls < k.fail_at;
        k.fail_at = 0;
        CHECK(st == 200 || st == 500);
        if (st == 200) {
            CHECK(stored_number(f, "tbl", "a", "version") == 4 && stored_number(f, "other", "u", "n") == 1);
            CHECK(call(f, "GetItem", "{\"TableName\":\"tbl\",\"Key\":{\"pk\":{\"S\":\"d\"}}}", &r) == 200 && strcmp(r.body, "{}") == 0);
            CHECK(call(f, "GetItem", "{\"TableName\":\"other\",\"Key\":{\"pk\":{\"S\":\"new2\"}}}", &r) == 200 && has(&r, "new2"));
            CHECK(call(f, "TransactWriteItems", txn, &r) == 200);   /* the token was remembered */
            CHECK(stored_number(f, "other", "u", "n") == 1);
        } else {
            CHECK(stored_number(f, "tbl", "a", "version") == 3 && stored_number(f, "other", "u", "n") == -1);
            CHECK(call(f, "GetItem", "{\"TableName\":\"tbl\",\"Key\":{\"pk\":{\"S\":\"d\"}}}", &r) == 200 && has(&r, "\"d\""));
            CHECK(call(f, "GetItem", "{\"TableName\":\"tbl\",\"Key\":{\"pk\":{\"S\":\"new1\"}}}", &r) == 200 && strcmp(r.body, "{}") == 0);
            CHECK(call(f, "DescribeTable", "{\"TableName\":\"tbl\"}", &r) == 200 && has(&r, "\"ItemCount\":2"));
        }
        olock_fake_destroy(f);
        CHECK(k.live == 0);
    }
    CHECK(done);
}


int main(void)
{
    RUN(test_txn_all_or_nothing);
    RUN(test_txn_token_window);
    RUN(test_txn_many_tokens);
    RUN(test_engine_txn_commit);
    RUN(test_engine_update_many);
    RUN(test_query_scan_paging);
    RUN(test_client_query);
    RUN(test_txn_alloc);
    RUN(test_batch_query_alloc);
    return TEST_MAIN_END();
}
