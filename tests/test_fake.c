/* test_fake.c - unit tests of backends/olock_fake.h, through olock's client and raw JSON.
   Ends with "N passed, N failed"; exit status 1 on any failure. */
#ifndef OLOCK_TEST_LINKED   /* else the Makefile links build/<flavour>/libolock_impl.a (tests/impl/) */
#define OLOCK_IMPLEMENTATION
#define OLOCK_FAKE_IMPLEMENTATION
#endif
#include "olock.h"
#include "backends/olock_fake.h"
#include "olock_test.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#ifndef _WIN32
#include <pthread.h>
#endif

/* Every check counts (olock_test.h's counters); a failed one also ends its test, whose next
   steps use what it checked. */
#define REQUIRE(cond) do { \
    if (cond) olock_test_passed++; \
    else { olock_test_failed++; fprintf(stderr, "FAIL %s:%d %s: %s\n", __FILE__, __LINE__, olock_test_current, #cond); return 1; } \
} while (0)

/* ---- raw requests through the transport ---------------------------------------------------- */

typedef struct reply {
    int status;
    char body[65536];
    size_t len;
    char crc[32];
} reply;

static olock_result send_raw(olock_fake *f, const char *op, const char *body, reply *out)
{
    olock_http_response res;
    const char *crc;
    olock_result r = olock_test_fake_send(f, op, body, strlen(body), &res);
    out->status = res.status;
    out->len = res.body.len < sizeof(out->body) - 1 ? res.body.len : sizeof(out->body) - 1;
    if (out->len) memcpy(out->body, res.body.data, out->len);
    out->body[out->len] = 0;
    crc = olock_http_response_header(&res, "x-amz-crc32");
    snprintf(out->crc, sizeof(out->crc), "%s", crc ? crc : "");
    olock_http_response_free(&res);
    return r;
}

static int has(const reply *r, const char *text) { return strstr(r->body, text) != NULL; }

static const char *TABLE =
    "{\"TableName\":\"tbl\",\"KeySchema\":[{\"AttributeName\":\"pk\",\"KeyType\":\"HASH\"}],"
    "\"AttributeDefinitions\":[{\"AttributeName\":\"pk\",\"AttributeType\":\"S\"}],\"BillingMode\":\"PAY_PER_REQUEST\"}";

static const char *TABLE2 =
    "{\"TableName\":\"tb2\",\"KeySchema\":[{\"AttributeName\":\"h\",\"KeyType\":\"HASH\"},{\"AttributeName\":\"r\",\"KeyType\":\"RANGE\"}],"
    "\"AttributeDefinitions\":[{\"AttributeName\":\"h\",\"AttributeType\":\"B\"},{\"AttributeName\":\"r\",\"AttributeType\":\"N\"}],"
    "\"ProvisionedThroughput\":{\"ReadCapacityUnits\":3,\"WriteCapacityUnits\":4}}";

/* ---- tests ---------------------------------------------------------------------------------- */

static int test_tables(void)
{
    olock_fake *f = NULL;
    reply r;
    REQUIRE(olock_fake_create(NULL, &f) == OLOCK_OK);
    REQUIRE(send_raw(f, "CreateTable", TABLE, &r) == OLOCK_OK && r.status == 200);
    REQUIRE(has(&r, "\"TableStatus\":\"ACTIVE\"") && has(&r, "\"BillingMode\":\"PAY_PER_REQUEST\""));
    REQUIRE(send_raw(f, "CreateTable", TABLE, &r) == OLOCK_OK && r.status == 400 && has(&r, "ResourceInUseException"));
    REQUIRE(send_raw(f, "CreateTable", TABLE2, &r) == OLOCK_OK && r.status == 200 && has(&r, "\"ReadCapacityUnits\":3"));
    REQUIRE(send_raw(f, "ListTables", "{}", &r) == OLOCK_OK && strcmp(r.body, "{\"TableNames\":[\"tb2\",\"tbl\"]}") == 0);
    REQUIRE(send_raw(f, "ListTables", "{\"Limit\":1}", &r) == OLOCK_OK &&
          strcmp(r.body, "{\"TableNames\":[\"tb2\"],\"LastEvaluatedTableName\":\"tb2\"}") == 0);
    REQUIRE(send_raw(f, "DescribeTable", "{\"TableName\":\"nope\"}", &r) == OLOCK_OK && r.status == 400 &&
          has(&r, "\"com.amazonaws.dynamodb.v20120810#ResourceNotFoundException\""));
    REQUIRE(send_raw(f, "DescribeTable", "{\"TableName\":\"a\"}", &r) == OLOCK_OK && has(&r, "com.amazon.coral.validate#ValidationException"));
    REQUIRE(send_raw(f, "DeleteTable", "{\"TableName\":\"tbl\"}", &r) == OLOCK_OK && r.status == 200);
    REQUIRE(send_raw(f, "ListTables", "{}", &r) == OLOCK_OK && strcmp(r.body, "{\"TableNames\":[\"tb2\"]}") == 0);
    REQUIRE(send_raw(f, "ExecuteStatement", "{}", &r) == OLOCK_OK && r.status == 400 && has(&r, "UnknownOperationException"));
    REQUIRE(send_raw(f, "Query", "{\"TableName\":\"tbl\"}", &r) == OLOCK_OK && r.status == 400 && has(&r, "ResourceNotFoundException"));
    olock_fake_destroy(f);
    return 0;
}

static int test_crc_and_headers(void)
{
    olock_fake *f = NULL;
    reply r;
    char want[32];
    REQUIRE(olock_fake_create(NULL, &f) == OLOCK_OK);
    REQUIRE(send_raw(f, "CreateTable", TABLE, &r) == OLOCK_OK);
    snprintf(want, sizeof(want), "%lu", (unsigned long)olock_crc32(0, r.body, r.len));
    REQUIRE(strcmp(r.crc, want) == 0);
    REQUIRE(send_raw(f, "GetItem", "{\"TableName\":\"tbl\",\"Key\":{\"pk\":{\"S\":\"x\"}}}", &r) == OLOCK_OK && strcmp(r.body, "{}") == 0);
    REQUIRE(strcmp(r.crc, "2745614147") == 0);   /* DynamoDB Local's x-amz-crc32 of "{}" */
    olock_fake_destroy(f);
    return 0;
}

/* The operation comes from the header named X-Amz-Target in any case; a name that only starts
   or ends like it is another header, and without the target DynamoDB Local answers 500
   InternalFailure. */
static int target_status(olock_fake *f, const char *name)
{
    olock_transport t = olock_fake_transport(f);
    olock_http_header h[2];
    olock_http_request req;
    olock_http_response res;
    int status;
    h[0].name = "Content-Type"; h[0].value = "application/x-amz-json-1.0";
    h[1].name = name; h[1].value = "DynamoDB_20120810.ListTables";
    memset(&req, 0, sizeof(req));
    req.method = "POST";
    req.url = "http://127.0.0.1/";
    req.headers = h;
    req.header_count = 2;
    req.body = "{}";
    req.body_len = 2;
    olock_http_response_init(&res, NULL, 0);
    status = t.send(t.user, &req, &res) == OLOCK_OK ? res.status : 0;
    olock_http_response_free(&res);
    return status;
}

static int test_target_header(void)
{
    olock_fake *f = NULL;
    REQUIRE(olock_fake_create(NULL, &f) == OLOCK_OK);
    REQUIRE(target_status(f, "X-Amz-Target") == 200);
    REQUIRE(target_status(f, "x-AMZ-tARGET") == 200);
    REQUIRE(target_status(f, "X-Amz-Targe") == 500);
    REQUIRE(target_status(f, "X-Amz-Targets") == 500);
    REQUIRE(target_status(f, "X-Amz-Target ") == 500);
    REQUIRE(target_status(f, "") == 500);
    olock_fake_destroy(f);
    return 0;
}

static int test_items_raw(void)
{
    olock_fake *f = NULL;
    reply r;
    REQUIRE(olock_fake_create(NULL, &f) == OLOCK_OK);
    REQUIRE(send_raw(f, "CreateTable", TABLE, &r) == OLOCK_OK);
    REQUIRE(send_raw(f, "PutItem", "{\"TableName\":\"tbl\",\"Item\":{\"pk\":{\"S\":\"a\"},\"n\":{\"N\":\"00012.50\"},"
                                 "\"ss\":{\"SS\":[\"b\",\"a\"]},\"m\":{\"M\":{\"l\":{\"L\":[{\"N\":\"1\"},{\"B\":\"AQI=\"}]}}}}}", &r) == OLOCK_OK);
    REQUIRE(r.status == 200 && strcmp(r.body, "{}") == 0);
    REQUIRE(send_raw(f, "GetItem", "{\"TableName\":\"tbl\",\"Key\":{\"pk\":{\"S\":\"a\"}},\"ProjectionExpression\":\"n, m.l[1], ss\"}", &r) == OLOCK_OK);
    /* byte for byte what DynamoDB Local answers (its HashMap order, sorted set, plain number) */
    REQUIRE(strcmp(r.body, "{\"Item\":{\"ss\":{\"SS\":[\"a\",\"b\"]},\"m\":{\"M\":{\"l\":{\"L\":[{\"B\":\"AQI=\"}]}}},\"n\":{\"N\":\"12.5\"}}}") == 0);
    /* conditions */
    REQUIRE(send_raw(f, "PutItem", "{\"TableName\":\"tbl\",\"Item\":{\"pk\":{\"S\":\"a\"}},\"ConditionExpression\":\"attribute_not_exists(pk)\","
                                 "\"ReturnValuesOnConditionCheckFailure\":\"ALL_OLD\"}", &r) == OLOCK_OK);
    REQUIRE(r.status == 400 && has(&r, "ConditionalCheckFailedException") && has(&r, "\"Item\":{") && has(&r, "\"pk\":{\"S\":\"a\"}"));
    REQUIRE(send_raw(f, "DeleteItem", "{\"TableName\":\"tbl\",\"Key\":{\"pk\":{\"S\":\"a\"}},\"ConditionExpression\":\"n BETWEEN :lo AND :hi AND contains(ss, :a)\","
                                    "\"ExpressionAttributeValues\":{\":lo\":{\"N\":\"12\"},\":hi\":{\"N\":\"13\"},\":a\":{\"S\":\"a\"}},\"ReturnValues\":\"ALL_OLD\"}", &r) == OLOCK_OK);
    REQUIRE(r.status == 200 && has(&r, "\"Attributes\":"));
    /* validation errors with DynamoDB Local's text */
    REQUIRE(send_raw(f, "PutItem", "{\"TableName\":\"tbl\",\"Item\":{\"pk\":{\"S\":\"a\"}},\"ConditionExpression\":\"data = :v\","
                                 "\"ExpressionAttributeValues\":{\":v\":{\"N\":\"1\"}}}", &r) == OLOCK_OK);
    REQUIRE(strcmp(r.body, "{\"__type\":\"com.amazon.coral.validate#ValidationException\",\"Message\":\"Invalid ConditionExpression: "
                         "Attribute name is a reserved keyword; reserved keyword: data\"}") == 0);
    REQUIRE(send_raw(f, "PutItem", "{\"TableName\":\"tbl\",\"Item\":{\"pk\":{\"S\":\"a\"}},\"ConditionExpression\":\"a == :v\","
                                 "\"ExpressionAttributeValues\":{\":v\":{\"N\":\"1\"}}}", &r) == OLOCK_OK);
    REQUIRE(has(&r, "Syntax error; token: \\\"=\\\", near: \\\"== :v\\\""));
    REQUIRE(send_raw(f, "PutItem", "{\"TableName\":\"tbl\",\"Item\":{\"pk\":{\"S\":\"a\"},\"x\":{\"N\":\"1e126\"}}}", &r) == OLOCK_OK);
    REQUIRE(has(&r, "Number overflow"));
    REQUIRE(send_raw(f, "PutItem", "{\"TableName\":\"tbl\",\"Item\":{\"pk\":{\"S\":\"a\"},\"x\":{\"SS\":[]}}}", &r) == OLOCK_OK);
    REQUIRE(has(&r, "An string set  may not be empty"));
    REQUIRE(send_raw(f, "PutItem", "{\"TableName\":\"nope\",\"Item\":{\"pk\":{\"S\":\"a\"}}}", &r) == OLOCK_OK && has(&r, "ResourceNotFoundException"));
    REQUIRE(send_raw(f, "PutItem", "not json", &r) == OLOCK_OK && r.status == 500);
    olock_fake_destroy(f);
    return 0;
}

static int test_updates_raw(void)
{
    olock_fake *f = NULL;
    reply r;
    REQUIRE(olock_fake_create(NULL, &f) == OLOCK_OK);
    REQUIRE(send_raw(f, "CreateTable", TABLE, &r) == OLOCK_OK);
    REQUIRE(send_raw(f, "UpdateItem", "{\"TableName\":\"tbl\",\"Key\":{\"pk\":{\"S\":\"a\"}},"
                                    "\"UpdateExpression\":\"SET l = list_append(if_not_exists(l, :e), :x), c = if_not_exists(c, :z) + :one ADD s :s\","
                                    "\"ExpressionAttributeValues\":{\":e\":{\"L\":[]},\":x\":{\"L\":[{\"S\":\"p\"},{\"S\":\"q\"}]},\":z\":{\"N\":\"0\"},"
                                    "\":one\":{\"N\":\"1\"},\":s\":{\"NS\":[\"3\",\"1\"]}},\"ReturnValues\":\"ALL_NEW\"}", &r) == OLOCK_OK);
    REQUIRE(r.status == 200 && has(&r, "\"c\":{\"N\":\"1\"}") && has(&r, "\"s\":{\"NS\":[\"1\",\"3\"]}"));
    REQUIRE(send_raw(f, "UpdateItem", "{\"TableName\":\"tbl\",\"Key\":{\"pk\":{\"S\":\"a\"}},\"UpdateExpression\":\"REMOVE l[0] DELETE s :s\","
                                    "\"ExpressionAttributeValues\":{\":s\":{\"NS\":[\"1\"]}},\"ReturnValues\":\"UPDATED_NEW\"}", &r) == OLOCK_OK);
    REQUIRE(strcmp(r.body, "{\"Attributes\":{\"l\":{\"L\":[{\"S\":\"q\"}]},\"s\":{\"NS\":[\"3\"]}}}") == 0);
    REQUIRE(send_raw(f, "UpdateItem", "{\"TableName\":\"tbl\",\"Key\":{\"pk\":{\"S\":\"a\"}},\"UpdateExpression\":\"SET c = :big + :big\","
                                    "\"ExpressionAttributeValues\":{\":big\":{\"N\":\"99999999999999999999999999999999999999\"}}}", &r) == OLOCK_OK);
    REQUIRE(r.status == 400 && has(&r, "precision up to 38 digits"));
    REQUIRE(send_raw(f, "UpdateItem", "{\"TableName\":\"tbl\",\"Key\":{\"pk\":{\"S\":\"a\"}},\"UpdateExpression\":\"SET pk = :v\","
                                    "\"ExpressionAttributeValues\":{\":v\":{\"S\":\"b\"}}}", &r) == OLOCK_OK);
    REQUIRE(has(&r, "Cannot update attribute pk. This attribute is part of the key"));
    REQUIRE(send_raw(f, "UpdateItem", "{\"TableName\":\"tbl\",\"Key\":{\"pk\":{\"S\":\"a\"}},\"UpdateExpression\":\"SET m.x = :v\","
                                    "\"ExpressionAttributeValues\":{\":v\":{\"S\":\"b\"}}}", &r) == OLOCK_OK);
    REQUIRE(has(&r, "The document path provided in the update expression is invalid for update"));
    olock_fake_destroy(f);
    return 0;
}

/* 400 KB as DynamoDB counts it: attribute names plus values. */
static int test_item_size(void)
{
    olock_fake *f = NULL;
    reply r;
    size_t n = 409600 - 2 - 1 - 1, i;   /* pk + "a" + x */
    char *body = (char *)malloc(n + 200);
    REQUIRE(body && olock_fake_create(NULL, &f) == OLOCK_OK);
    REQUIRE(send_raw(f, "CreateTable", TABLE, &r) == OLOCK_OK);
    for (i = 0; i < 2; i++) {
        size_t len = n + i, k;
        int m = snprintf(body, 200, "{\"TableName\":\"tbl\",\"Item\":{\"pk\":{\"S\":\"a\"},\"x\":{\"S\":\"");
        for (k = 0; k < len; k++) body[m + k] = 'z';
        snprintf(body + m + len, 200, "\"}}}");
        REQUIRE(send_raw(f, "PutItem", body, &r) == OLOCK_OK);
        REQUIRE(i == 0 ? r.status == 200 : (r.status == 400 && has(&r, "Item size has exceeded the maximum allowed size")));
    }
    free(body);
    olock_fake_destroy(f);
    return 0;
}

/* ---- through the client ---------------------------------------------------------------------- */

static int test_client(void)
{
    olock_fake *f = NULL;
    olock_client *c = NULL;
    olock_config cfg = olock_config_default();
    olock_create_table_request ct;
    olock_item_request req;
    olock_response resp;
    olock_error err;
    olock_arena a;
    olock_value *key, *item, *vals, *names;
    int64_t v = 0;
    REQUIRE(olock_fake_create(NULL, &f) == OLOCK_OK);
    cfg.transport = olock_fake_transport(f);
    REQUIRE(olock_client_create(&cfg, &c, &err) == OLOCK_OK);
    memset(&ct, 0, sizeof(ct));
    ct.table = "players";
    ct.hash_key = "id";
    ct.hash_type = OLOCK_TYPE_S;
    REQUIRE(olock_create_table(c, &ct, &resp, &err) == OLOCK_OK);
    REQUIRE(olock_describe_table(c, "players", &resp, &err) == OLOCK_OK);

    olock_arena_init(&a, NULL);
    key = olock_value_new_container(&a, OLOCK_TYPE_M);
    REQUIRE(key && olock_map_put(&a, key, "id", 2, olock_value_new_s(&a, "p7", 2)) == OLOCK_OK);
    item = olock_value_copy(&a, key);
    REQUIRE(item && olock_map_put(&a, item, "version", 7, olock_value_new_i64(&a, 1)) == OLOCK_OK);
    names = olock_value_new_container(&a, OLOCK_TYPE_M);
    REQUIRE(names && olock_map_put(&a, names, "#v", 2, olock_value_new_s(&a, "version", 7)) == OLOCK_OK);

    /* first write: attribute_not_exists */
    memset(&req, 0, sizeof(req));
    req.table = "players";
    req.item = item;
    req.condition = "attribute_not_exists(#v)";
    req.names = names;
    REQUIRE(olock_put_item(c, &req, &resp, &err) == OLOCK_OK);
    /* the same again is a conflict, with the old item returned */
    req.return_values_on_condition_check_failure = OLOCK_RV_ALL_OLD;
    REQUIRE(olock_put_item(c, &req, &resp, &err) == OLOCK_CONFLICT);
    REQUIRE(strcmp(err.aws_type, "ConditionalCheckFailedException") == 0 && resp.item != NULL);

    /* versioned update */
    vals = olock_value_new_container(&a, OLOCK_TYPE_M);
    REQUIRE(vals && olock_map_put(&a, vals, ":expected", 9, olock_value_new_i64(&a, 1)) == OLOCK_OK);
    REQUIRE(olock_map_put(&a, vals, ":one", 4, olock_value_new_i64(&a, 1)) == OLOCK_OK);
    memset(&req, 0, sizeof(req));
    req.table = "players";
    req.key = key;
    req.update = "SET #v = #v + :one";
    req.condition = "#v = :expected";
    req.names = names;
    req.values = vals;
    req.return_values = OLOCK_RV_ALL_NEW;
    REQUIRE(olock_update_item(c, &req, &resp, &err) == OLOCK_OK);
    REQUIRE(resp.item && olock_value_get_i64(olock_map_get(resp.item, "version", 7), &v) == OLOCK_OK && v == 2);
    REQUIRE(olock_update_item(c, &req, &resp, &err) == OLOCK_CONFLICT);   /* stale :expected */

    memset(&req, 0, sizeof(req));
    req.table = "players";
    req.key = key;
    req.consistent_read = 1;
    REQUIRE(olock_get_item(c, &req, &resp, &err) == OLOCK_OK && resp.item != NULL);
    req.consistent_read = 0;
    req.return_values = OLOCK_RV_ALL_OLD;
    REQUIRE(olock_delete_item(c, &req, &resp, &err) == OLOCK_OK);
    req.return_values = OLOCK_RV_OMIT;
    REQUIRE(olock_get_item(c, &req, &resp, &err) == OLOCK_OK && resp.item == NULL);
    REQUIRE(olock_delete_table(c, "players", &resp, &err) == OLOCK_OK);
    REQUIRE(olock_describe_table(c, "players", &resp, &err) == OLOCK_ERR_SERVICE);
    REQUIRE(strcmp(err.aws_type, "ResourceNotFoundException") == 0);
    olock_arena_free(&a);
    olock_client_destroy(c);
    olock_fake_destroy(f);
    return 0;
}

/* ---- determinism ------------------------------------------------------------------------------- */

static int test_deterministic(void)
{
    static const char *const ops[][2] = {
        { "CreateTable", NULL },
        { "PutItem", "{\"TableName\":\"tbl\",\"Item\":{\"pk\":{\"S\":\"a\"},\"n\":{\"N\":\"1\"}}}" },
        { "UpdateItem", "{\"TableName\":\"tbl\",\"Key\":{\"pk\":{\"S\":\"a\"}},\"UpdateExpression\":\"ADD n :o\",\"ExpressionAttributeValues\":{\":o\":{\"N\":\"2\"}},\"ReturnValues\":\"ALL_NEW\"}" },
        { "DescribeTable", "{\"TableName\":\"tbl\"}" },
    };
    olock_fake *f1 = NULL, *f2 = NULL;
    reply r1, r2;
    size_t i;
    REQUIRE(olock_fake_create(NULL, &f1) == OLOCK_OK && olock_fake_create(NULL, &f2) == OLOCK_OK);
    for (i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
        const char *body = ops[i][1] ? ops[i][1] : TABLE;
        REQUIRE(send_raw(f1, ops[i][0], body, &r1) == OLOCK_OK && send_raw(f2, ops[i][0], body, &r2) == OLOCK_OK);
        REQUIRE(r1.status == r2.status && strcmp(r1.body, r2.body) == 0);
    }
    olock_fake_destroy(f1);
    olock_fake_destroy(f2);
    return 0;
}

/* ---- failing allocator: every allocation can fail, nothing leaks or crashes --------------- */

typedef struct counting {
    long countdown;                /* fail when it reaches 0; < 0 never */
    size_t live;
    long failures;
    long calls;                    /* malloc and realloc calls */
} counting;

static void *c_malloc(void *ctx, size_t n)
{
    counting *k = (counting *)ctx;
    void *p;
    k->calls++;
    if (k->countdown == 0) { k->failures++; return NULL; }
    if (k->countdown > 0) k->countdown--;
    p = malloc(n);
    if (p) k->live += n;
    return p;
}

static void *c_realloc(void *ctx, void *p, size_t old, size_t n)
{
    counting *k = (counting *)ctx;
    void *q;
    k->calls++;
    if (k->countdown == 0) { k->failures++; return NULL; }
    if (k->countdown > 0) k->countdown--;
    q = realloc(p, n);
    if (q) k->live = k->live - old + n;
    return q;
}

static void c_free(void *ctx, void *p, size_t n)
{
    counting *k = (counting *)ctx;
    if (p) k->live -= n;
    free(p);
}

static int test_failing_allocator(void)
{
    static const char *const ops[][2] = {
        { "CreateTable", NULL },
        { "PutItem", "{\"TableName\":\"tbl\",\"Item\":{\"pk\":{\"S\":\"a\"},\"n\":{\"N\":\"1\"},\"l\":{\"L\":[{\"S\":\"x\"}]}}}" },
        { "UpdateItem", "{\"TableName\":\"tbl\",\"Key\":{\"pk\":{\"S\":\"a\"}},\"UpdateExpression\":\"SET n = n + :o, l = list_append(l, :l)\","
                        "\"ConditionExpression\":\"n = :o\",\"ExpressionAttributeValues\":{\":o\":{\"N\":\"1\"},\":l\":{\"L\":[{\"S\":\"y\"}]}},\"ReturnValues\":\"ALL_NEW\"}" },
        { "PutItem", "{\"TableName\":\"tbl\",\"Item\":{\"pk\":{\"S\":\"b\"}},\"ConditionExpression\":\"attribute_exists(pk)\",\"ReturnValuesOnConditionCheckFailure\":\"ALL_OLD\"}" },
        { "GetItem", "{\"TableName\":\"tbl\",\"Key\":{\"pk\":{\"S\":\"a\"}},\"ProjectionExpression\":\"l[1], n\"}" },
        { "DeleteItem", "{\"TableName\":\"tbl\",\"Key\":{\"pk\":{\"S\":\"a\"}},\"ReturnValues\":\"ALL_OLD\"}" },
        { "DeleteTable", "{\"TableName\":\"tbl\"}" },
        { "CreateTable", "{\"TableName\":\"gsi\",\"KeySchema\":[{\"AttributeName\":\"pk\",\"KeyType\":\"HASH\"}],"
                         "\"AttributeDefinitions\":[{\"AttributeName\":\"pk\",\"AttributeType\":\"S\"},{\"AttributeName\":\"g\",\"AttributeType\":\"N\"}],"
                         "\"BillingMode\":\"PAY_PER_REQUEST\",\"GlobalSecondaryIndexes\":[{\"IndexName\":\"byG\",\"KeySchema\":[{\"AttributeName\":\"g\",\"KeyType\":\"HASH\"}],"
                         "\"Projection\":{\"ProjectionType\":\"INCLUDE\",\"NonKeyAttributes\":[\"x\",\"y\"]}}]}" },
        { "UpdateItem", "{\"TableName\":\"gsi\",\"Key\":{\"pk\":{\"S\":\"k\"}},\"UpdateExpression\":\"SET g = :g ADD s :s\","
                        "\"ExpressionAttributeValues\":{\":g\":{\"N\":\"1\"},\":s\":{\"SS\":[\"b\",\"a\"]}},\"ReturnValues\":\"UPDATED_NEW\"}" },
        { "UpdateTable", "{\"TableName\":\"gsi\",\"DeletionProtectionEnabled\":true}" },
    };
    long n;
    int saw_500 = 0;
    for (n = 0; n < 1000; n++) {
        counting k;
        olock_fake_config cfg = olock_fake_config_default();
        olock_fake *f = NULL;
        size_t i;
        int complete = 1;
        k.countdown = n;
        k.live = 0;
        k.failures = 0;
        cfg.allocator.ctx = &k;
        cfg.allocator.malloc_fn = c_malloc;
        cfg.allocator.realloc_fn = c_realloc;
        cfg.allocator.free_fn = c_free;
        if (olock_fake_create(&cfg, &f) != OLOCK_OK) { REQUIRE(k.live == 0); continue; }
        for (i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
            reply r;
            olock_result res = send_raw(f, ops[i][0], ops[i][1] ? ops[i][1] : TABLE, &r);
            REQUIRE(res == OLOCK_OK);
            REQUIRE(r.status == 200 || r.status == 400 || r.status == 500);
            if (r.status == 500) { saw_500 = 1; REQUIRE(has(&r, "InternalServerError")); complete = 0; }
        }
        olock_fake_destroy(f);
        if (k.live != 0) printf("  allocation %ld failing leaves %lu bytes\n", n, (unsigned long)k.live);
        REQUIRE(k.live == 0);
        if (complete && k.failures == 0) break;   /* past the last allocation */
    }
    REQUIRE(saw_500);
    REQUIRE(n > 20 && n < 1000);   /* every allocation point was failed once, and the run ended */
    return 0;
}

/* ---- updates copy-on-write: the same as a full copy, a failure leaves the item as it was ---- */

/* TableSizeBytes of table tbl. */
static long table_size(olock_fake *f)
{
    reply r;
    const char *p;
    if (send_raw(f, "DescribeTable", "{\"TableName\":\"tbl\"}", &r) != OLOCK_OK || r.status != 200) return -1;
    p = strstr(r.body, "\"TableSizeBytes\":");
    return p ? strtol(p + 17, NULL, 10) : -1;
}

/* The update of round i (n holds i + 1, less the failed rounds before it): nested, list, added and removed top-level
   attributes, sets and counters; every tenth fails after its condition held. */
static void cow_update(char *out, size_t cap, int i)
{
    static const char *const acts[] = {
        "SET n = n + :one, m.k%d = :s", "SET n = n + :one, l = list_append(l, :l)", "SET n = n + :one, z%d = :s",
        "SET n = n + :one REMOVE z%d", "SET n = n + :one ADD ss :ss, c :one", "SET n = n + :one, s = :s",
        "SET n = n + :one, m.d.x = if_not_exists(m.d.x, :one) REMOVE l[0]",
    };
    char act[96], extra[96] = "";
    int k = i % 10 == 9 ? -1 : i % 7;
    if (k < 0) snprintf(act, sizeof(act), "SET n = n + :one, s = s + :one");
    else snprintf(act, sizeof(act), acts[k], k == 0 ? i % 5 : i % 4);
    if (k == 0 || k == 2 || k == 5) snprintf(extra, sizeof(extra), ",\":s\":{\"S\":\"v%d\"}", i);
    if (k == 1) snprintf(extra, sizeof(extra), ",\":l\":{\"L\":[{\"N\":\"%d\"}]}", i);
    if (k == 4) snprintf(extra, sizeof(extra), ",\":ss\":{\"SS\":[\"b%d\",\"a\"]}", i % 3);
    snprintf(out, cap,
             "{\"TableName\":\"tbl\",\"Key\":{\"pk\":{\"S\":\"a\"}},\"UpdateExpression\":\"%s\",\"ConditionExpression\":\"n = :n\","
             "\"ExpressionAttributeValues\":{\":one\":{\"N\":\"1\"},\":n\":{\"N\":\"%d\"}%s},\"ReturnValues\":\"ALL_NEW\"}",
             act, i + 1 - i / 10, extra);
}

static const char *COW_ITEM =
    "{\"TableName\":\"tbl\",\"Item\":{\"pk\":{\"S\":\"a\"},\"n\":{\"N\":\"1\"},\"s\":{\"S\":\"x\"},\"c\":{\"N\":\"-3\"},"
    "\"m\":{\"M\":{\"y\":{\"N\":\"2\"},\"d\":{\"M\":{\"q\":{\"BOOL\":true}}},\"b\":{\"S\":\"t\"}}},\"l\":{\"L\":[{\"S\":\"p\"}]}}}";

static int test_copy_on_write(void)
{
    olock_fake *f = NULL, *g = NULL;
    static reply r, q, before;
    static char body[1024], put[70000];
    int i;
    REQUIRE(olock_fake_create(NULL, &f) == OLOCK_OK && olock_fake_create(NULL, &g) == OLOCK_OK);
    REQUIRE(send_raw(f, "CreateTable", TABLE, &r) == OLOCK_OK && send_raw(g, "CreateTable", TABLE, &r) == OLOCK_OK);
    REQUIRE(send_raw(f, "PutItem", COW_ITEM, &r) == OLOCK_OK && r.status == 200);
    REQUIRE(send_raw(g, "PutItem", COW_ITEM, &r) == OLOCK_OK && r.status == 200);
    for (i = 0; i < 400; i++) {
        long size = table_size(f);
        cow_update(body, sizeof(body), i);
        REQUIRE(send_raw(f, "GetItem", "{\"TableName\":\"tbl\",\"Key\":{\"pk\":{\"S\":\"a\"}}}", &before) == OLOCK_OK);
        REQUIRE(send_raw(f, "UpdateItem", body, &r) == OLOCK_OK);
        if (i % 10 == 9) { /* failed: nothing changed */
            REQUIRE(r.status == 400 && has(&r, "ValidationException"));
            REQUIRE(send_raw(f, "GetItem", "{\"TableName\":\"tbl\",\"Key\":{\"pk\":{\"S\":\"a\"}}}", &q) == OLOCK_OK);
            REQUIRE(strcmp(q.body, before.body) == 0 && table_size(f) == size);
            /* the reference reaches round i + 1 with the same item */
            REQUIRE(send_raw(g, "UpdateItem", body, &q) == OLOCK_OK && q.status == 400);
            continue;
        }
        /* the reference: the item put again first, so that its update takes the full copy */
        REQUIRE(send_raw(g, "GetItem", "{\"TableName\":\"tbl\",\"Key\":{\"pk\":{\"S\":\"a\"}}}", &q) == OLOCK_OK && q.len > 10);
        snprintf(put, sizeof(put), "{\"TableName\":\"tbl\",\"Item\":%.*s}", (int)(q.len - 9), q.body + 8);
        REQUIRE(send_raw(g, "PutItem", put, &q) == OLOCK_OK && q.status == 200);
        REQUIRE(send_raw(g, "UpdateItem", body, &q) == OLOCK_OK);
        if (r.status != 200 || q.status != 200 || strcmp(r.body, q.body) != 0) printf("  round %d: %s\n  vs %s\n", i, r.body, q.body);
        REQUIRE(r.status == 200 && q.status == 200 && strcmp(r.body, q.body) == 0);
        REQUIRE(table_size(f) == table_size(g));
    }
    olock_fake_destroy(f);
    olock_fake_destroy(g);
    return 0;
}

/* Every allocation of a copy-on-write update failed in turn: the update answers 500 and the
   item is as it was, until it succeeds. */
static int test_copy_on_write_oom(void)
{
    counting k;
    olock_fake_config cfg = olock_fake_config_default();
    olock_fake *f = NULL;
    static reply r, q, before;
    static char body[1024];
    int i, failures = 0;
    long n;
    k.countdown = -1;
    k.live = 0;
    k.failures = 0;
    k.calls = 0;
    cfg.allocator.ctx = &k;
    cfg.allocator.malloc_fn = c_malloc;
    cfg.allocator.realloc_fn = c_realloc;
    cfg.allocator.free_fn = c_free;
    REQUIRE(olock_fake_create(&cfg, &f) == OLOCK_OK);
    REQUIRE(send_raw(f, "CreateTable", TABLE, &r) == OLOCK_OK && send_raw(f, "PutItem", COW_ITEM, &r) == OLOCK_OK && r.status == 200);
    for (i = 0; i < 120; i++) {
        if (i % 10 == 9) i++; /* cow_update's failing rounds */
        cow_update(body, sizeof(body), i);
        REQUIRE(send_raw(f, "GetItem", "{\"TableName\":\"tbl\",\"Key\":{\"pk\":{\"S\":\"a\"}}}", &before) == OLOCK_OK);
        for (n = 0;; n++) {
            long size = table_size(f);
            k.countdown = n;
            REQUIRE(send_raw(f, "UpdateItem", body, &r) == OLOCK_OK);
            k.countdown = -1;
            if (r.status == 200) break;
            REQUIRE(r.status == 500 && has(&r, "InternalServerError"));
            failures++;
            REQUIRE(send_raw(f, "GetItem", "{\"TableName\":\"tbl\",\"Key\":{\"pk\":{\"S\":\"a\"}}}", &q) == OLOCK_OK);
            REQUIRE(strcmp(q.body, before.body) == 0 && table_size(f) == size);
        }
    }
    REQUIRE(failures > 0);
    olock_fake_destroy(f);
    REQUIRE(k.live == 0);
    return 0;
}

/* Steady state allocates nothing: after a warm-up, conditional updates (copy-on-write, with
   the compactions they bring), puts that replace an item and reads take no memory from the
   allocator; the fake reuses what replaced and compacted items held. (A new key does
   allocate: its place in the table.) */
static int test_steady_state_allocations(void)
{
    counting k;
    olock_fake_config cfg = olock_fake_config_default();
    olock_fake *f = NULL;
    static reply r;
    char body[512];
    long before = 0;
    int i;
    memset(&k, 0, sizeof k);
    k.countdown = -1;
    cfg.allocator.ctx = &k;
    cfg.allocator.malloc_fn = c_malloc;
    cfg.allocator.realloc_fn = c_realloc;
    cfg.allocator.free_fn = c_free;
    REQUIRE(olock_fake_create(&cfg, &f) == OLOCK_OK);
    REQUIRE(send_raw(f, "CreateTable", TABLE, &r) == OLOCK_OK && r.status == 200);
    REQUIRE(send_raw(f, "PutItem", "{\"TableName\":\"tbl\",\"Item\":{\"pk\":{\"S\":\"a\"},\"n\":{\"N\":\"0\"}}}", &r) == OLOCK_OK);
    for (i = 0; i < 6000; i++) {
        if (i == 3000) before = k.calls;
        snprintf(body, sizeof body,
                 "{\"TableName\":\"tbl\",\"Key\":{\"pk\":{\"S\":\"a\"}},\"UpdateExpression\":\"SET n = n + :one, s = :s\","
                 "\"ConditionExpression\":\"n = :n\",\"ExpressionAttributeValues\":{\":one\":{\"N\":\"1\"},\":n\":{\"N\":\"%d\"},"
                 "\":s\":{\"S\":\"v%d\"}}}", i, i);
        REQUIRE(send_raw(f, "UpdateItem", body, &r) == OLOCK_OK && r.status == 200);
        snprintf(body, sizeof body, "{\"TableName\":\"tbl\",\"Item\":{\"pk\":{\"S\":\"b\"},\"n\":{\"N\":\"%d\"},"
                 "\"l\":{\"L\":[{\"S\":\"x%d\"},{\"BOOL\":true}]}}}", i, i);
        REQUIRE(send_raw(f, "PutItem", body, &r) == OLOCK_OK && r.status == 200);
        REQUIRE(send_raw(f, "GetItem", "{\"TableName\":\"tbl\",\"Key\":{\"pk\":{\"S\":\"a\"}}}", &r) == OLOCK_OK && r.status == 200);
    }
    if (k.calls != before) printf("  %ld allocations in 3000 rounds after the warm-up\n", k.calls - before);
    REQUIRE(k.calls == before);
    olock_fake_destroy(f);
    REQUIRE(k.live == 0);
    return 0;
}

/* ---- compiled expressions kept across requests: never another expression's ---------------- */

static const char *XC_ITEM =
    "{\"TableName\":\"tbl\",\"Item\":{\"pk\":{\"S\":\"a\"},\"x\":{\"N\":\"1\"},\"y\":{\"N\":\"10\"},\"s\":{\"S\":\"str\"},"
    "\"m\":{\"M\":{\"k\":{\"N\":\"5\"}}}}}";

/* A fake holding table tbl and XC_ITEM, nothing else. */
static olock_fake *xc_fake(void)
{
    olock_fake *f = NULL;
    reply r;
    if (olock_fake_create(NULL, &f) != OLOCK_OK) return NULL;
    if (send_raw(f, "CreateTable", TABLE, &r) != OLOCK_OK || r.status != 200 || send_raw(f, "PutItem", XC_ITEM, &r) != OLOCK_OK ||
        r.status != 200) {
        olock_fake_destroy(f);
        return NULL;
    }
    return f;
}

/* 1 when f answers body exactly as a new fake holding the same table and item does (one that
   never saw the expression before), status, body and checksum; f's item must be XC_ITEM. */
static int xc_same_as_fresh(olock_fake *f, const char *op, const char *body)
{
    static reply a, b;
    olock_fake *g = xc_fake();
    int same;
    if (!g) return 0;
    if (send_raw(f, op, body, &a) != OLOCK_OK || send_raw(g, op, body, &b) != OLOCK_OK) {
        olock_fake_destroy(g);
        return 0;
    }
    same = a.status == b.status && strcmp(a.body, b.body) == 0 && strcmp(a.crc, b.crc) == 0;
    if (!same) printf("  %s %s\n  answered %d %s\n  a new fake %d %s\n", op, body, a.status, a.body, b.status, b.body);
    olock_fake_destroy(g);
    return same;
}

/* An UpdateItem of item a: UpdateExpression, ExpressionAttributeNames and
   ExpressionAttributeValues members (names or values "" leave the member out), ALL_NEW. */
static const char *xc_update(char *out, size_t cap, const char *upd, const char *cond, const char *names, const char *values)
{
    char c[256] = "", n[256] = "", v[512] = "";
    if (cond) snprintf(c, sizeof(c), ",\"ConditionExpression\":\"%s\"", cond);
    if (names && *names) snprintf(n, sizeof(n), ",\"ExpressionAttributeNames\":{%s}", names);
    if (values && *values) snprintf(v, sizeof(v), ",\"ExpressionAttributeValues\":{%s}", values);
    snprintf(out, cap, "{\"TableName\":\"tbl\",\"Key\":{\"pk\":{\"S\":\"a\"}},\"UpdateExpression\":\"%s\"%s%s%s,\"ReturnValues\":\"ALL_NEW\"}",
             upd, c, n, v);
    return out;
}

/* The same text with other ExpressionAttributeNames is another expression. */
static int test_expr_cache_names(void)
{
    olock_fake *f = xc_fake();
    static reply r;
    char body[1024];
    REQUIRE(f != NULL);
    REQUIRE(send_raw(f, "UpdateItem", xc_update(body, sizeof(body), "SET #a = #a + :one", NULL, "\"#a\":\"x\"", "\":one\":{\"N\":\"1\"}"), &r) == OLOCK_OK);
    REQUIRE(r.status == 200 && has(&r, "\"x\":{\"N\":\"2\"}") && has(&r, "\"y\":{\"N\":\"10\"}"));
    REQUIRE(send_raw(f, "UpdateItem", xc_update(body, sizeof(body), "SET #a = #a + :one", NULL, "\"#a\":\"y\"", "\":one\":{\"N\":\"1\"}"), &r) == OLOCK_OK);
    REQUIRE(r.status == 200 && has(&r, "\"x\":{\"N\":\"2\"}") && has(&r, "\"y\":{\"N\":\"11\"}"));
    REQUIRE(send_raw(f, "UpdateItem", xc_update(body, sizeof(body), "SET #a = #a + :one", NULL, "\"#a\":\"x\"", "\":one\":{\"N\":\"5\"}"), &r) == OLOCK_OK);
    REQUIRE(r.status == 200 && has(&r, "\"x\":{\"N\":\"7\"}") && has(&r, "\"y\":{\"N\":\"11\"}"));
    /* a new attribute under the same text; the last of two duplicate names counts */
    REQUIRE(send_raw(f, "UpdateItem", xc_update(body, sizeof(body), "SET #a = #a + :one", NULL, "\"#a\":\"x\",\"#a\":\"y\"", "\":one\":{\"N\":\"1\"}"), &r) == OLOCK_OK);
    REQUIRE(r.status == 200 && has(&r, "\"x\":{\"N\":\"7\"}") && has(&r, "\"y\":{\"N\":\"12\"}"));
    /* conditions: the same text on x, then on y */
    REQUIRE(send_raw(f, "UpdateItem", xc_update(body, sizeof(body), "SET q = :one", "#a = :v", "\"#a\":\"x\"", "\":one\":{\"N\":\"1\"},\":v\":{\"N\":\"7\"}"), &r) == OLOCK_OK);
    REQUIRE(r.status == 200);
    REQUIRE(send_raw(f, "UpdateItem", xc_update(body, sizeof(body), "SET q = :one", "#a = :v", "\"#a\":\"y\"", "\":one\":{\"N\":\"1\"},\":v\":{\"N\":\"7\"}"), &r) == OLOCK_OK);
    REQUIRE(r.status == 400 && has(&r, "ConditionalCheckFailedException"));
    REQUIRE(send_raw(f, "UpdateItem", xc_update(body, sizeof(body), "SET q = :one", "#a = :v", "\"#a\":\"y\"", "\":one\":{\"N\":\"1\"},\":v\":{\"N\":\"12\"}"), &r) == OLOCK_OK);
    REQUIRE(r.status == 200);
    /* a name into a map, then a top-level one, under one text */
    REQUIRE(send_raw(f, "GetItem", "{\"TableName\":\"tbl\",\"Key\":{\"pk\":{\"S\":\"a\"}},\"ProjectionExpression\":\"#p.k\",\"ExpressionAttributeNames\":{\"#p\":\"m\"}}", &r) == OLOCK_OK);
    REQUIRE(r.status == 200 && strcmp(r.body, "{\"Item\":{\"m\":{\"M\":{\"k\":{\"N\":\"5\"}}}}}") == 0);
    REQUIRE(send_raw(f, "GetItem", "{\"TableName\":\"tbl\",\"Key\":{\"pk\":{\"S\":\"a\"}},\"ProjectionExpression\":\"#p.k\",\"ExpressionAttributeNames\":{\"#p\":\"s\"}}", &r) == OLOCK_OK);
    REQUIRE(r.status == 200 && strcmp(r.body, "{\"Item\":{}}") == 0);
    olock_fake_destroy(f);

    /* the kept expression with names missing, another or an extra one: what a new fake says */
    REQUIRE((f = xc_fake()) != NULL);
    REQUIRE(send_raw(f, "UpdateItem", xc_update(body, sizeof(body), "SET #a = :v", "#b <> :v", "\"#a\":\"q\",\"#b\":\"x\"", "\":v\":{\"N\":\"3\"}"), &r) == OLOCK_OK);
    REQUIRE(r.status == 200 && has(&r, "\"q\":{\"N\":\"3\"}"));
    REQUIRE(send_raw(f, "UpdateItem", xc_update(body, sizeof(body), "SET #a = :v", "#b <> :v", "\"#a\":\"q\",\"#b\":\"x\"", "\":v\":{\"N\":\"1\"}"), &r) == OLOCK_OK);
    REQUIRE(r.status == 400 && has(&r, "ConditionalCheckFailedException"));   /* x is 1 */
    REQUIRE(send_raw(f, "UpdateItem", xc_update(body, sizeof(body), "REMOVE q", NULL, "", ""), &r) == OLOCK_OK && r.status == 200);
    REQUIRE(xc_same_as_fresh(f, "UpdateItem", xc_update(body, sizeof(body), "SET #a = :v", "#b <> :v", "", "\":v\":{\"N\":\"3\"}")));
    REQUIRE(xc_same_as_fresh(f, "UpdateItem", xc_update(body, sizeof(body), "SET #a = :v", "#b <> :v", "\"#a\":\"q\"", "\":v\":{\"N\":\"3\"}")));
    REQUIRE(xc_same_as_fresh(f, "UpdateItem", xc_update(body, sizeof(body), "SET #a = :v", "#b <> :v", "\"#a\":\"q\",\"#b\":\"x\",\"#c\":\"z\"", "\":v\":{\"N\":\"3\"}")));
    REQUIRE(xc_same_as_fresh(f, "UpdateItem", xc_update(body, sizeof(body), "SET #a = :v", "#b <> :v", "\"#a\":\"pk\",\"#b\":\"x\"", "\":v\":{\"N\":\"3\"}")));
    REQUIRE(xc_same_as_fresh(f, "UpdateItem", xc_update(body, sizeof(body), "SET #a = :v", "#b <> :v", "\"#a\":\"q\",\"#b\":\"x\"", "\":v\":{\"N\":\"1\"}")));
    REQUIRE(xc_same_as_fresh(f, "UpdateItem", xc_update(body, sizeof(body), "SET #a = :v", "#b <> :v", "\"#a\":\"q\",\"#b\":\"x\"", "\":v\":{\"N\":\"1\"},\":w\":{\"N\":\"1\"}")));
    REQUIRE(xc_same_as_fresh(f, "UpdateItem", xc_update(body, sizeof(body), "SET #a = :v", "#b <> :v", "\"#a\":\"q\",\"#b\":\"x\"", "\":w\":{\"N\":\"1\"}")));
    olock_fake_destroy(f);
    return 0;
}

/* Values are bound at each use: another type, or contents that a check reads, answer as a
   fresh compile does. */
static int test_expr_cache_values(void)
{
    static const char *const cases[][3] = { /* condition, values accepted, values refused (or another answer) */
        { "x < :v", "\":v\":{\"N\":\"5\"}", "\":v\":{\"M\":{}}" },
        { "x < :v", "\":v\":{\"N\":\"5\"}", "\":v\":{\"S\":\"5\"}" },
        { "x BETWEEN :lo AND :hi", "\":lo\":{\"N\":\"0\"},\":hi\":{\"N\":\"5\"}", "\":lo\":{\"N\":\"5\"},\":hi\":{\"N\":\"0\"}" },
        { "x BETWEEN :lo AND :hi", "\":lo\":{\"N\":\"0\"},\":hi\":{\"N\":\"5\"}", "\":lo\":{\"N\":\"0\"},\":hi\":{\"S\":\"5\"}" },
        { "attribute_type(x, :t)", "\":t\":{\"S\":\"N\"}", "\":t\":{\"S\":\"Q\"}" },
        { "attribute_type(x, :t)", "\":t\":{\"S\":\"N\"}", "\":t\":{\"S\":\"S\"}" },
        { "begins_with(s, :p)", "\":p\":{\"S\":\"st\"}", "\":p\":{\"N\":\"1\"}" },
        { "size(s) = :n", "\":n\":{\"N\":\"3\"}", "\":n\":{\"N\":\"4\"}" },
        { "x IN (:a, :b)", "\":a\":{\"N\":\"1\"},\":b\":{\"N\":\"2\"}", "\":a\":{\"N\":\"1\"}" },
    };
    size_t i;
    int k;
    char body[1024];
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        olock_fake *f = xc_fake();
        REQUIRE(f != NULL);
        for (k = 0; k < 3; k++) { /* kept, then refused, then accepted again */
            snprintf(body, sizeof(body), "{\"TableName\":\"tbl\",\"Key\":{\"pk\":{\"S\":\"a\"}},\"ConditionExpression\":\"%s\","
                     "\"ExpressionAttributeValues\":{%s},\"ReturnValuesOnConditionCheckFailure\":\"ALL_OLD\"}",
                     cases[i][0], cases[i][k == 1 ? 2 : 1]);
            REQUIRE(xc_same_as_fresh(f, "DeleteItem", body));
            { /* the item back, whether the condition held or not */
                static reply r;
                REQUIRE(send_raw(f, "PutItem", XC_ITEM, &r) == OLOCK_OK && r.status == 200);
            }
        }
        olock_fake_destroy(f);
    }
    {   /* a SET of one text with values of other types */
        olock_fake *f = xc_fake();
        static reply r;
        REQUIRE(f != NULL);
        REQUIRE(send_raw(f, "UpdateItem", xc_update(body, sizeof(body), "SET z = :v", NULL, "", "\":v\":{\"S\":\"one\"}"), &r) == OLOCK_OK);
        REQUIRE(r.status == 200 && has(&r, "\"z\":{\"S\":\"one\"}"));
        REQUIRE(send_raw(f, "UpdateItem", xc_update(body, sizeof(body), "SET z = :v", NULL, "", "\":v\":{\"N\":\"2\"}"), &r) == OLOCK_OK);
        REQUIRE(r.status == 200 && has(&r, "\"z\":{\"N\":\"2\"}"));
        REQUIRE(send_raw(f, "UpdateItem", xc_update(body, sizeof(body), "SET z = :v", NULL, "", "\":v\":{\"S\":\"three\"}"), &r) == OLOCK_OK);
        REQUIRE(r.status == 200 && has(&r, "\"z\":{\"S\":\"three\"}"));
        REQUIRE(send_raw(f, "UpdateItem", xc_update(body, sizeof(body), "ADD z :v", NULL, "", "\":v\":{\"N\":\"1\"}"), &r) == OLOCK_OK);
        REQUIRE(r.status == 400 && has(&r, "ValidationException"));
        REQUIRE(send_raw(f, "UpdateItem", xc_update(body, sizeof(body), "REMOVE z", NULL, "", ""), &r) == OLOCK_OK && r.status == 200);
        REQUIRE(xc_same_as_fresh(f, "UpdateItem", xc_update(body, sizeof(body), "ADD z :v", NULL, "", "\":v\":{\"S\":\"1\"}")));
        REQUIRE(xc_same_as_fresh(f, "UpdateItem", xc_update(body, sizeof(body), "ADD z :v", NULL, "", "\":v\":{\"L\":[]}")));
        REQUIRE(xc_same_as_fresh(f, "UpdateItem", xc_update(body, sizeof(body), "SET z = :v", NULL, "", "\":w\":{\"S\":\"1\"}")));
        REQUIRE(xc_same_as_fresh(f, "UpdateItem", xc_update(body, sizeof(body), "SET z = :v", NULL, "", "")));
        olock_fake_destroy(f);
    }
    return 0;
}

/* An expression that failed to compile is asked again (alone, and after the same text
   compiled with the names it lacked): the same error each time, the one a new fake gives. */
static int test_expr_cache_errors(void)
{
    static const char *const bad[][3] = { /* update, condition, names */
        { "SET a = :v AND", NULL, "" },
        { "SET data = :v", NULL, "" },
        { "SET #a = :v", NULL, "" },
        { "SET #a = :v", NULL, "\"#b\":\"x\"" },
        { "SET a = :v", "nofunc(a)", "" },
        { "SET a = :v, a = :v", NULL, "" },
        { "SET a = :v", "((a = :v))", "" },
        { "SET a = :v", "a = :nope", "" },
        { "SET a = list_append(:v, a)", NULL, "" },
        { "SET a.b = :v REMOVE a", NULL, "" },
    };
    size_t i;
    int k;
    char body[1024];
    olock_fake *f = xc_fake();
    REQUIRE(f != NULL);
    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        for (k = 0; k < 3; k++) REQUIRE(xc_same_as_fresh(f, "UpdateItem", xc_update(body, sizeof(body), bad[i][0], bad[i][1], bad[i][2], "\":v\":{\"N\":\"3\"}")));
    {   /* kept with its names, then without them, then with them again */
        static reply r;
        REQUIRE(send_raw(f, "UpdateItem", xc_update(body, sizeof(body), "SET #a = :v", NULL, "\"#a\":\"q\"", "\":v\":{\"N\":\"3\"}"), &r) == OLOCK_OK);
        REQUIRE(r.status == 200);
        REQUIRE(send_raw(f, "UpdateItem", xc_update(body, sizeof(body), "REMOVE q", NULL, "", ""), &r) == OLOCK_OK && r.status == 200);
        REQUIRE(xc_same_as_fresh(f, "UpdateItem", xc_update(body, sizeof(body), "SET #a = :v", NULL, "", "\":v\":{\"N\":\"3\"}")));
        REQUIRE(xc_same_as_fresh(f, "UpdateItem", xc_update(body, sizeof(body), "SET #a = :v", NULL, "\"#b\":\"q\"", "\":v\":{\"N\":\"3\"}")));
        REQUIRE(send_raw(f, "UpdateItem", xc_update(body, sizeof(body), "SET #a = :v", NULL, "\"#a\":\"q\"", "\":v\":{\"N\":\"4\"}"), &r) == OLOCK_OK);
        REQUIRE(r.status == 200 && has(&r, "\"q\":{\"N\":\"4\"}"));
    }
    olock_fake_destroy(f);
    return 0;
}

/* Far more expressions than the cache keeps, then the first ones again with other values and
   names: every answer right. */
static int test_expr_cache_eviction(void)
{
    olock_fake *f = xc_fake();
    static reply r;
    char body[1024], upd[64], cond[64], names[64], values[128], want[64];
    int i, round;
    REQUIRE(f != NULL);
    for (round = 0; round < 3; round++) {
        for (i = 0; i < 300; i++) {
            int j = round == 1 ? 299 - i : i;   /* the second round backwards */
            snprintf(upd, sizeof(upd), "SET #c%d = :v%d", j % 150, j % 7);
            snprintf(cond, sizeof(cond), "attribute_not_exists(#k) OR #k <> :v%d", j % 7);
            snprintf(names, sizeof(names), "\"#c%d\":\"c%d\",\"#k\":\"%s\"", j % 150, j, j % 2 ? "x" : "y");
            snprintf(values, sizeof(values), "\":v%d\":{\"N\":\"%d\"}", j % 7, round * 1000 + j + 100); /* never x or y */
            REQUIRE(send_raw(f, "UpdateItem", xc_update(body, sizeof(body), upd, cond, names, values), &r) == OLOCK_OK);
            snprintf(want, sizeof(want), "\"c%d\":{\"N\":\"%d\"}", j, round * 1000 + j + 100);
            if (r.status != 200 || !has(&r, want)) printf("  round %d, %d: %s\n", round, j, r.body);
            REQUIRE(r.status == 200 && has(&r, want));
        }
    }
    /* the condition on x (1) and y (10) as the names say */
    REQUIRE(send_raw(f, "UpdateItem", xc_update(body, sizeof(body), "SET #c1 = :v1", "attribute_not_exists(#k) OR #k <> :v1", "\"#c1\":\"c1\",\"#k\":\"x\"", "\":v1\":{\"N\":\"1\"}"), &r) == OLOCK_OK);
    REQUIRE(r.status == 400 && has(&r, "ConditionalCheckFailedException"));
    REQUIRE(send_raw(f, "UpdateItem", xc_update(body, sizeof(body), "SET #c1 = :v1", "attribute_not_exists(#k) OR #k <> :v1", "\"#c1\":\"c1\",\"#k\":\"y\"", "\":v1\":{\"N\":\"1\"}"), &r) == OLOCK_OK);
    REQUIRE(r.status == 200 && has(&r, "\"c1\":{\"N\":\"1\"}"));
    olock_fake_destroy(f);
    return 0;
}

/* One text twice in a request (the actions of TransactWriteItems and TransactGetItems), with
   other names and values each time. */
static int test_expr_cache_same_request(void)
{
    olock_fake *f = xc_fake();
    static reply r;
    static const char *const txn =
        "{\"TransactItems\":[{\"Update\":{\"TableName\":\"tbl\",\"Key\":{\"pk\":{\"S\":\"a\"}},\"UpdateExpression\":\"SET #n = #n + :d\","
        "\"ConditionExpression\":\"#n = :was\",\"ExpressionAttributeNames\":{\"#n\":\"x\"},"
        "\"ExpressionAttributeValues\":{\":d\":{\"N\":\"1\"},\":was\":{\"N\":\"%d\"}}}},"
        "{\"Update\":{\"TableName\":\"tbl\",\"Key\":{\"pk\":{\"S\":\"b\"}},\"UpdateExpression\":\"SET #n = #n + :d\","
        "\"ConditionExpression\":\"#n = :was\",\"ExpressionAttributeNames\":{\"#n\":\"%s\"},"
        "\"ExpressionAttributeValues\":{\":d\":{\"N\":\"-1\"},\":was\":{\"N\":\"%d\"}}}}]}";
    char body[2048];
    int i;
    REQUIRE(f != NULL);
    REQUIRE(send_raw(f, "PutItem", "{\"TableName\":\"tbl\",\"Item\":{\"pk\":{\"S\":\"b\"},\"w\":{\"N\":\"0\"},\"x\":{\"N\":\"0\"}}}", &r) == OLOCK_OK && r.status == 200);
    for (i = 0; i < 10; i++) { /* a's x goes 1, 2, ...; b's w or x (same names as a's) 0, -1, ... */
        snprintf(body, sizeof(body), txn, 1 + i, i % 2 ? "x" : "w", -(i / 2));
        REQUIRE(send_raw(f, "TransactWriteItems", body, &r) == OLOCK_OK);
        if (r.status != 200) printf("  %s\n", r.body);
        REQUIRE(r.status == 200);
    }
    REQUIRE(send_raw(f, "GetItem", "{\"TableName\":\"tbl\",\"Key\":{\"pk\":{\"S\":\"b\"}},\"ProjectionExpression\":\"w, x\"}", &r) == OLOCK_OK);
    REQUIRE(strcmp(r.body, "{\"Item\":{\"x\":{\"N\":\"-5\"},\"w\":{\"N\":\"-5\"}}}") == 0);
    snprintf(body, sizeof(body), txn, 11, "x", -4);   /* the second condition fails */
    REQUIRE(send_raw(f, "TransactWriteItems", body, &r) == OLOCK_OK && r.status == 400 && has(&r, "\"Code\":\"None\"},{\"Code\":\"ConditionalCheckFailed\""));
    snprintf(body, sizeof(body), txn, 11, "x", -5);
    REQUIRE(send_raw(f, "TransactWriteItems", body, &r) == OLOCK_OK && r.status == 200);
    REQUIRE(send_raw(f, "GetItem", "{\"TableName\":\"tbl\",\"Key\":{\"pk\":{\"S\":\"a\"}},\"ProjectionExpression\":\"x\"}", &r) == OLOCK_OK);
    REQUIRE(strcmp(r.body, "{\"Item\":{\"x\":{\"N\":\"12\"}}}") == 0);
    REQUIRE(send_raw(f, "GetItem", "{\"TableName\":\"tbl\",\"Key\":{\"pk\":{\"S\":\"b\"}},\"ProjectionExpression\":\"w\"}", &r) == OLOCK_OK);
    REQUIRE(strcmp(r.body, "{\"Item\":{\"w\":{\"N\":\"-5\"}}}") == 0);
    for (i = 0; i < 3; i++) {
        REQUIRE(send_raw(f, "TransactGetItems",
                         "{\"TransactItems\":[{\"Get\":{\"TableName\":\"tbl\",\"Key\":{\"pk\":{\"S\":\"a\"}},\"ProjectionExpression\":\"#p\","
                         "\"ExpressionAttributeNames\":{\"#p\":\"x\"}}},{\"Get\":{\"TableName\":\"tbl\",\"Key\":{\"pk\":{\"S\":\"b\"}},"
                         "\"ProjectionExpression\":\"#p\",\"ExpressionAttributeNames\":{\"#p\":\"w\"}}}]}", &r) == OLOCK_OK);
        if (r.status != 200) printf("  %s\n", r.body);
        REQUIRE(r.status == 200 && strcmp(r.body, "{\"Responses\":[{\"Item\":{\"x\":{\"N\":\"12\"}}},{\"Item\":{\"w\":{\"N\":\"-5\"}}}]}") == 0);
    }
    olock_fake_destroy(f);
    return 0;
}

/* A request that finds kept expressions and then compiles many new ones: the new ones take
   the place of others, never of one the request is using (ASan would see the use after free,
   the answers the values of another action). */
static int test_expr_cache_full(void)
{
    olock_fake *f = xc_fake();
    static reply r;
    static char body[65536];
    char want[64];
    int round, i;
    REQUIRE(f != NULL);
    for (round = 0; round < 3; round++) {
        int n = round == 0 ? 16 : 100, len = 0;
        len += snprintf(body + len, sizeof(body) - (size_t)len, "{\"TransactItems\":[");
        for (i = 0; i < n; i++)
            len += snprintf(body + len, sizeof(body) - (size_t)len,
                            "%s{\"Update\":{\"TableName\":\"tbl\",\"Key\":{\"pk\":{\"S\":\"k%d\"}},\"UpdateExpression\":\"SET a%d = :v\","
                            "\"ConditionExpression\":\"attribute_not_exists(b%d)\",\"ExpressionAttributeValues\":{\":v\":{\"N\":\"%d\"}}}}",
                            i ? "," : "", i, i + round * 7, i + round * 7, 1000 * round + i);
        snprintf(body + len, sizeof(body) - (size_t)len, "]}");
        REQUIRE(send_raw(f, "TransactWriteItems", body, &r) == OLOCK_OK);
        if (r.status != 200) printf("  %.300s\n", r.body);
        REQUIRE(r.status == 200);
        for (i = 0; i < n; i += 5) {
            char get[160];
            snprintf(get, sizeof(get), "{\"TableName\":\"tbl\",\"Key\":{\"pk\":{\"S\":\"k%d\"}}}", i);
            REQUIRE(send_raw(f, "GetItem", get, &r) == OLOCK_OK);
            snprintf(want, sizeof(want), "\"a%d\":{\"N\":\"%d\"}", i + round * 7, 1000 * round + i);
            if (!has(&r, want)) printf("  round %d, k%d: %s\n", round, i, r.body);
            REQUIRE(has(&r, want));
        }
    }
    olock_fake_destroy(f);
    return 0;
}

/* ---- threads: conditional writes are atomic ------------------------------------------------ */

#ifndef _WIN32
#define THREADS 4
#define ROUNDS 300

static void *worker(void *arg)
{
    olock_fake *f = (olock_fake *)arg;
    int done = 0;
    long tries = 0;
    while (done < ROUNDS && tries < 1000000) {
        reply r;
        char body[512];
        const char *p;
        long cur;
        tries++;
        send_raw(f, "GetItem", "{\"TableName\":\"tbl\",\"Key\":{\"pk\":{\"S\":\"ctr\"}},\"ConsistentRead\":true}", &r);
        p = strstr(r.body, "\"n\":{\"N\":\"");
        if (!p) continue;
        cur = strtol(p + 10, NULL, 10);
        snprintf(body, sizeof(body),
                 "{\"TableName\":\"tbl\",\"Key\":{\"pk\":{\"S\":\"ctr\"}},\"UpdateExpression\":\"SET n = :new\","
                 "\"ConditionExpression\":\"n = :old\",\"ExpressionAttributeValues\":{\":new\":{\"N\":\"%ld\"},\":old\":{\"N\":\"%ld\"}}}",
                 cur + 1, cur);
        send_raw(f, "UpdateItem", body, &r);
        if (r.status == 200) done++;
    }
    return NULL;
}

static int test_threads(void)
{
    olock_fake *f = NULL;
    pthread_t th[THREADS];
    reply r;
    int i;
    REQUIRE(olock_fake_create(NULL, &f) == OLOCK_OK);
    REQUIRE(send_raw(f, "CreateTable", TABLE, &r) == OLOCK_OK);
    REQUIRE(send_raw(f, "PutItem", "{\"TableName\":\"tbl\",\"Item\":{\"pk\":{\"S\":\"ctr\"},\"n\":{\"N\":\"0\"}}}", &r) == OLOCK_OK);
    for (i = 0; i < THREADS; i++) REQUIRE(pthread_create(&th[i], NULL, worker, f) == 0);
    for (i = 0; i < THREADS; i++) pthread_join(th[i], NULL);
    REQUIRE(send_raw(f, "GetItem", "{\"TableName\":\"tbl\",\"Key\":{\"pk\":{\"S\":\"ctr\"}}}", &r) == OLOCK_OK);
    {
        char want[64];
        snprintf(want, sizeof(want), "\"n\":{\"N\":\"%d\"}", THREADS * ROUNDS);
        REQUIRE(has(&r, want));
    }
    olock_fake_destroy(f);
    return 0;
}

/* Threads sharing one fake send one text with names of their own: each counter counts only
   its thread's updates (the kept expressions are used under the fake's mutex). */
static void *xc_worker(void *arg)
{
    olock_fake *f = ((void **)arg)[0];
    long id = (long)(size_t)((void **)arg)[1];
    int i;
    for (i = 0; i < ROUNDS; i++) {
        reply r;
        char body[512];
        snprintf(body, sizeof(body),
                 "{\"TableName\":\"tbl\",\"Key\":{\"pk\":{\"S\":\"ctr\"}},\"UpdateExpression\":\"SET #c = if_not_exists(#c, :zero) + :one\","
                 "\"ConditionExpression\":\"attribute_not_exists(#c) OR #c = :was\",\"ExpressionAttributeNames\":{\"#c\":\"c%ld\"},"
                 "\"ExpressionAttributeValues\":{\":zero\":{\"N\":\"0\"},\":one\":{\"N\":\"1\"},\":was\":{\"N\":\"%d\"}}}", id, i);
        if (send_raw(f, "UpdateItem", body, &r) != OLOCK_OK || r.status != 200) return (void *)1;
    }
    return NULL;
}

static int test_expr_cache_threads(void)
{
    olock_fake *f = NULL;
    pthread_t th[THREADS];
    void *args[THREADS][2], *ret;
    reply r;
    int i;
    REQUIRE(olock_fake_create(NULL, &f) == OLOCK_OK);
    REQUIRE(send_raw(f, "CreateTable", TABLE, &r) == OLOCK_OK);
    for (i = 0; i < THREADS; i++) {
        args[i][0] = f;
        args[i][1] = (void *)(size_t)i;
        REQUIRE(pthread_create(&th[i], NULL, xc_worker, args[i]) == 0);
    }
    for (i = 0; i < THREADS; i++) {
        REQUIRE(pthread_join(th[i], &ret) == 0);
        REQUIRE(ret == NULL);
    }
    REQUIRE(send_raw(f, "GetItem", "{\"TableName\":\"tbl\",\"Key\":{\"pk\":{\"S\":\"ctr\"}}}", &r) == OLOCK_OK);
    for (i = 0; i < THREADS; i++) {
        char want[64];
        snprintf(want, sizeof(want), "\"c%d\":{\"N\":\"%d\"}", i, ROUNDS);
        REQUIRE(has(&r, want));
    }
    olock_fake_destroy(f);
    return 0;
}
#endif

/* ---- runner -------------------------------------------------------------------------------- */

static void run(const char *name, int (*fn)(void))
{
    olock_test_current = name;
    (void)fn();
}

/* Transactions from many threads: optimistic transfers (read both items in a
   TransactGetItems, write both under version conditions) with Scans and batch reads between
   them; every transfer that succeeded is there exactly once. */
#define TXN_ROUNDS 60

static long nth_number(const char *body, const char *attr, int nth)
{
    char pat[32];
    const char *p = body;
    snprintf(pat, sizeof(pat), "\"%s\":{\"N\":\"", attr);
    while (nth-- >= 0) {
        if (!(p = strstr(p, pat))) return -1000000;
        p += strlen(pat);
    }
    return strtol(p, NULL, 10);
}

static void *txn_worker(void *arg)
{
    olock_fake *f = ((void **)arg)[0];
    long id = (long)(size_t)((void **)arg)[1];
    int done = 0;
    long tries = 0;
    while (done < TXN_ROUNDS && tries < 100000) {
        reply r;
        char body[1024];
        long vx, vy;
        tries++;
        send_raw(f, "TransactGetItems",
                 "{\"TransactItems\":[{\"Get\":{\"TableName\":\"tbl\",\"Key\":{\"pk\":{\"S\":\"x\"}}}},"
                 "{\"Get\":{\"TableName\":\"tbl\",\"Key\":{\"pk\":{\"S\":\"y\"}}}}]}", &r);
        vx = nth_number(r.body, "v", 0);
        vy = nth_number(r.body, "v", 1);
        snprintf(body, sizeof(body),
                 "{\"TransactItems\":[{\"Update\":{\"TableName\":\"tbl\",\"Key\":{\"pk\":{\"S\":\"x\"}},"
                 "\"UpdateExpression\":\"SET v = v + :one, n = n + :one\",\"ConditionExpression\":\"v = :v\","
                 "\"ExpressionAttributeValues\":{\":one\":{\"N\":\"1\"},\":v\":{\"N\":\"%ld\"}}}},"
                 "{\"Update\":{\"TableName\":\"tbl\",\"Key\":{\"pk\":{\"S\":\"y\"}},"
                 "\"UpdateExpression\":\"SET v = v + :one, n = n - :one\",\"ConditionExpression\":\"v = :v\","
                 "\"ExpressionAttributeValues\":{\":one\":{\"N\":\"1\"},\":v\":{\"N\":\"%ld\"}}}}],"
                 "\"ClientRequestToken\":\"w%ld-%d\"}", vx, vy, id, done);
        send_raw(f, "TransactWriteItems", body, &r);
        if (r.status == 200) {
            send_raw(f, "TransactWriteItems", body, &r);   /* a replay changes nothing */
            done++;
        }
        if (tries % 7 == 0) {
            send_raw(f, "Scan", "{\"TableName\":\"tbl\",\"Limit\":1}", &r);
            send_raw(f, "BatchGetItem", "{\"RequestItems\":{\"tbl\":{\"Keys\":[{\"pk\":{\"S\":\"x\"}},{\"pk\":{\"S\":\"y\"}}]}}}", &r);
            send_raw(f, "Query", "{\"TableName\":\"tbl\",\"KeyConditionExpression\":\"pk = :p\","
                                 "\"ExpressionAttributeValues\":{\":p\":{\"S\":\"x\"}}}", &r);
        }
    }
    return NULL;
}

static int test_txn_threads(void)
{
    olock_fake *f = NULL;
    pthread_t th[THREADS];
    void *args[THREADS][2];
    reply r;
    int i;
    REQUIRE(olock_fake_create(NULL, &f) == OLOCK_OK);
    REQUIRE(send_raw(f, "CreateTable", TABLE, &r) == OLOCK_OK);
    REQUIRE(send_raw(f, "BatchWriteItem",
                   "{\"RequestItems\":{\"tbl\":[{\"PutRequest\":{\"Item\":{\"pk\":{\"S\":\"x\"},\"n\":{\"N\":\"0\"},\"v\":{\"N\":\"0\"}}}},"
                   "{\"PutRequest\":{\"Item\":{\"pk\":{\"S\":\"y\"},\"n\":{\"N\":\"0\"},\"v\":{\"N\":\"0\"}}}}]}}", &r) == OLOCK_OK &&
          r.status == 200);
    for (i = 0; i < THREADS; i++) {
        args[i][0] = f;
        args[i][1] = (void *)(size_t)i;
        REQUIRE(pthread_create(&th[i], NULL, txn_worker, args[i]) == 0);
    }
    for (i = 0; i < THREADS; i++) pthread_join(th[i], NULL);
    REQUIRE(send_raw(f, "TransactGetItems",
                   "{\"TransactItems\":[{\"Get\":{\"TableName\":\"tbl\",\"Key\":{\"pk\":{\"S\":\"x\"}}}},"
                   "{\"Get\":{\"TableName\":\"tbl\",\"Key\":{\"pk\":{\"S\":\"y\"}}}}]}", &r) == OLOCK_OK);
    REQUIRE(nth_number(r.body, "n", 0) == THREADS * TXN_ROUNDS && nth_number(r.body, "n", 1) == -THREADS * TXN_ROUNDS);
    REQUIRE(nth_number(r.body, "v", 0) == THREADS * TXN_ROUNDS && nth_number(r.body, "v", 1) == THREADS * TXN_ROUNDS);
    olock_fake_destroy(f);
    return 0;
}

int main(void)
{
    run("tables", test_tables);
    run("crc_and_headers", test_crc_and_headers);
    run("target_header", test_target_header);
    run("items_raw", test_items_raw);
    run("updates_raw", test_updates_raw);
    run("item_size", test_item_size);
    run("client", test_client);
    run("deterministic", test_deterministic);
    run("failing_allocator", test_failing_allocator);
    run("copy_on_write", test_copy_on_write);
    run("copy_on_write_oom", test_copy_on_write_oom);
    run("steady_state_allocations", test_steady_state_allocations);
    run("expr_cache_names", test_expr_cache_names);
    run("expr_cache_values", test_expr_cache_values);
    run("expr_cache_errors", test_expr_cache_errors);
    run("expr_cache_eviction", test_expr_cache_eviction);
    run("expr_cache_same_request", test_expr_cache_same_request);
    run("expr_cache_full", test_expr_cache_full);
#ifndef _WIN32
    run("threads", test_threads);
    run("txn_threads", test_txn_threads);
    run("expr_cache_threads", test_expr_cache_threads);
#endif
    return TEST_MAIN_END();
}
