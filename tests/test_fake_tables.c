/* test_fake_tables.c - unit tests of backends/olock_fake.h for table changes that take time:
   UpdateTable adding and dropping global secondary indexes. DynamoDB Local 3.3.1 keeps a new
   index CREATING and a dropped one DELETING for about 0.8 s of real time; the fake keeps them
   so for OLOCK__FAKE_INDEX_MS (1000 ms) of its virtual clock, so these tests move the clock
   (olock_fake_advance_ms) instead of sleeping. What DynamoDB Local answers inside that time is
   in the recorded gsiu-* cases of tests/conformance/tables.jsonl; what comes after it (ACTIVE,
   the backfill, the index gone) is here. Ends with "N passed, N failed"; exit status 1 on any
   failure. */
#ifndef OLOCK_TEST_LINKED /* else the Makefile links build/<flavour>/libolock_impl.a (tests/impl/) */
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

static const char *ADD_GS2 =
    "{\"TableName\":\"tbl\",\"AttributeDefinitions\":[{\"AttributeName\":\"h\",\"AttributeType\":\"S\"}],"
    "\"GlobalSecondaryIndexUpdates\":[{\"Create\":{\"IndexName\":\"gs2\",\"KeySchema\":[{\"AttributeName\":\"h\",\"KeyType\":\"HASH\"}],"
    "\"Projection\":{\"ProjectionType\":\"ALL\"}}}]}";
static const char *DROP_GS2 = "{\"TableName\":\"tbl\",\"GlobalSecondaryIndexUpdates\":[{\"Delete\":{\"IndexName\":\"gs2\"}}]}";
static const char *QUERY_GS2 =
    "{\"TableName\":\"tbl\",\"IndexName\":\"gs2\",\"KeyConditionExpression\":\"h = :h\","
    "\"ExpressionAttributeValues\":{\":h\":{\"S\":\"x\"}}}";
static const char *SCAN_GS2 = "{\"TableName\":\"tbl\",\"IndexName\":\"gs2\"}";
static const char *DESCRIBE = "{\"TableName\":\"tbl\"}";

static int put_h(olock_fake *f, const char *pk, const char *h)
{
    char body[256];
    reply r;
    if (h)
        snprintf(body, sizeof(body), "{\"TableName\":\"tbl\",\"Item\":{\"pk\":{\"S\":\"%s\"},\"h\":{\"S\":\"%s\"}}}", pk, h);
    else
        snprintf(body, sizeof(body), "{\"TableName\":\"tbl\",\"Item\":{\"pk\":{\"S\":\"%s\"}}}", pk);
    return call(f, "PutItem", body, &r);
}

/* A new index: CREATING until the clock has moved 1000 ms, then ACTIVE with the items that
   were there before (the backfill) and those written since. */
TEST(test_create_lifecycle)
{
    olock_fake *f = new_fake();
    reply r;
    CHECK(f != NULL);
    if (!f) return;
    CHECK(put_h(f, "a", "x") == 200);
    CHECK(put_h(f, "b", "y") == 200);
    CHECK(put_h(f, "c", NULL) == 200);
    CHECK(call(f, "UpdateTable", ADD_GS2, &r) == 200);
    CHECK(has(&r, "\"IndexStatus\":\"CREATING\",\"Backfilling\":false"));
    CHECK(has(&r, "\"OnDemandThroughput\":{\"MaxReadRequestUnits\":-1,\"MaxWriteRequestUnits\":-1}"));
    CHECK(!has(&r, "\"ItemCount\":2"));
    CHECK(has(&r, "{\"AttributeName\":\"h\",\"AttributeType\":\"S\"},{\"AttributeName\":\"pk\",\"AttributeType\":\"S\"}"));

    olock_fake_advance_ms(f, 999);
    CHECK(call(f, "DescribeTable", DESCRIBE, &r) == 200 && has(&r, "\"IndexStatus\":\"CREATING\""));
    CHECK(call(f, "Query", QUERY_GS2, &r) == 500);
    CHECK(call(f, "Scan", SCAN_GS2, &r) == 500);
    CHECK(put_h(f, "d", "x") == 500); /* an item for the index being built */
    CHECK(put_h(f, "e", NULL) == 200);
    CHECK(call(f, "UpdateTable", DROP_GS2, &r) == 400 && has(&r, "Index is being created."));

    olock_fake_advance_ms(f, 1);
    CHECK(call(f, "DescribeTable", DESCRIBE, &r) == 200);
    CHECK(has(&r, "\"IndexStatus\":\"ACTIVE\",\"IndexSizeBytes\":10,\"ItemCount\":2"));
    CHECK(has(&r, "\"OnDemandThroughput\""));
    CHECK(call(f, "Query", QUERY_GS2, &r) == 200 && has(&r, "\"Count\":1") && has(&r, "\"pk\":{\"S\":\"a\"}"));
    CHECK(put_h(f, "d", "x") == 200);
    CHECK(call(f, "Query", QUERY_GS2, &r) == 200 && has(&r, "\"Count\":2") && has(&r, "\"pk\":{\"S\":\"d\"}"));
    CHECK(call(f, "Scan", SCAN_GS2, &r) == 200 && has(&r, "\"Count\":3"));
    CHECK(call(f, "DescribeTable", DESCRIBE, &r) == 200 && has(&r, "\"ItemCount\":3,\"IndexArn\""));
    CHECK(call(f, "DeleteItem", "{\"TableName\":\"tbl\",\"Key\":{\"pk\":{\"S\":\"a\"}}}", &r) == 200);
    CHECK(call(f, "DescribeTable", DESCRIBE, &r) == 200 && has(&r, "\"IndexSizeBytes\":10,\"ItemCount\":2"));
    olock_fake_destroy(f);
}

/* A dropped index: DELETING (every write to the table fails meanwhile, deletes do not) until the
   clock has moved 1000 ms, then gone; its definition is gone at once. */
TEST(test_delete_lifecycle)
{
    olock_fake *f = new_fake();
    reply r;
    CHECK(f != NULL);
    if (!f) return;
    CHECK(put_h(f, "a", "x") == 200);
    CHECK(call(f, "UpdateTable", ADD_GS2, &r) == 200);
    olock_fake_advance_ms(f, 1000);
    CHECK(call(f, "UpdateTable", DROP_GS2, &r) == 200);
    CHECK(has(&r, "\"IndexStatus\":\"DELETING\""));
    CHECK(!has(&r, "\"AttributeName\":\"h\",\"AttributeType\""));
    CHECK(!has(&r, "\"ItemCount\":1,\"IndexArn\""));
    CHECK(call(f, "Scan", SCAN_GS2, &r) == 500);
    CHECK(put_h(f, "b", NULL) == 500);
    CHECK(call(f, "DeleteItem", "{\"TableName\":\"tbl\",\"Key\":{\"pk\":{\"S\":\"a\"}}}", &r) == 200);
    CHECK(call(f, "UpdateTable", DROP_GS2, &r) == 400 && has(&r, "Index is being deleted."));
    CHECK(call(f, "UpdateTable", ADD_GS2, &r) == 400 && has(&r, "Index is being deleted."));
    olock_fake_advance_ms(f, 1000);
    CHECK(call(f, "DescribeTable", DESCRIBE, &r) == 200 && !has(&r, "GlobalSecondaryIndexes"));
    CHECK(call(f, "Scan", SCAN_GS2, &r) == 400 && has(&r, "The table does not have the specified index: gs2"));
    CHECK(put_h(f, "b", "x") == 200);
    CHECK(call(f, "UpdateTable", DROP_GS2, &r) == 400 && has(&r, "Requested resource not found"));
    /* the name can be used again, for another key type */
    CHECK(call(f, "UpdateTable",
               "{\"TableName\":\"tbl\",\"AttributeDefinitions\":[{\"AttributeName\":\"h\",\"AttributeType\":\"N\"}],"
               "\"GlobalSecondaryIndexUpdates\":[{\"Create\":{\"IndexName\":\"gs2\",\"KeySchema\":[{\"AttributeName\":\"h\",\"KeyType\":\"HASH\"}],"
               "\"Projection\":{\"ProjectionType\":\"KEYS_ONLY\"}}}]}",
               &r) == 200);
    olock_fake_advance_ms(f, 1000);
    CHECK(call(f, "DescribeTable", DESCRIBE, &r) == 200 && has(&r, "\"IndexStatus\":\"ACTIVE\",\"IndexSizeBytes\":0,\"ItemCount\":0"));
    CHECK(put_h(f, "c", "x") == 400); /* h is a number now */
    olock_fake_destroy(f);
}

/* Deleting the table, or the fake, while an index is CREATING or DELETING leaves nothing behind;
   another table's index goes on with its own time. */
TEST(test_pending_indexes_and_tables)
{
    olock_fake *f = new_fake();
    reply r;
    CHECK(f != NULL);
    if (!f) return;
    CHECK(call(f, "UpdateTable", ADD_GS2, &r) == 200);
    CHECK(call(f, "DeleteTable", DESCRIBE, &r) == 200);
    CHECK(call(f, "CreateTable", TABLE, &r) == 200);
    CHECK(call(f, "DescribeTable", DESCRIBE, &r) == 200 && !has(&r, "gs2"));
    olock_fake_advance_ms(f, 500);
    CHECK(call(f, "UpdateTable", ADD_GS2, &r) == 200);
    CHECK(call(f, "UpdateTable",
               "{\"TableName\":\"other\",\"AttributeDefinitions\":[{\"AttributeName\":\"h\",\"AttributeType\":\"S\"}],"
               "\"GlobalSecondaryIndexUpdates\":[{\"Create\":{\"IndexName\":\"gs3\",\"KeySchema\":[{\"AttributeName\":\"h\",\"KeyType\":\"HASH\"}],"
               "\"Projection\":{\"ProjectionType\":\"ALL\"}}}]}",
               &r) == 200);
    olock_fake_advance_ms(f, 999);
    CHECK(call(f, "DescribeTable", DESCRIBE, &r) == 200 && has(&r, "CREATING"));
    olock_fake_advance_ms(f, 1);
    CHECK(call(f, "DescribeTable", DESCRIBE, &r) == 200 && has(&r, "\"IndexStatus\":\"ACTIVE\""));
    CHECK(call(f, "DescribeTable", "{\"TableName\":\"other\"}", &r) == 200 && has(&r, "\"IndexStatus\":\"ACTIVE\""));
    CHECK(call(f, "UpdateTable", DROP_GS2, &r) == 200);
    olock_fake_destroy(f); /* with an index DELETING: ASan reports any leak */
}

/* Provisioned tables: a new index needs throughput, Update changes it. */
TEST(test_provisioned)
{
    olock_fake *f = NULL;
    reply r;
    CHECK(olock_fake_create(NULL, &f) == OLOCK_OK);
    if (!f) return;
    CHECK(call(f, "CreateTable",
               "{\"TableName\":\"tbl\",\"KeySchema\":[{\"AttributeName\":\"pk\",\"KeyType\":\"HASH\"}],"
               "\"AttributeDefinitions\":[{\"AttributeName\":\"pk\",\"AttributeType\":\"S\"}],"
               "\"ProvisionedThroughput\":{\"ReadCapacityUnits\":1,\"WriteCapacityUnits\":1}}",
               &r) == 200);
    CHECK(call(f, "UpdateTable", ADD_GS2, &r) == 500);
    CHECK(call(f, "UpdateTable",
               "{\"TableName\":\"tbl\",\"AttributeDefinitions\":[{\"AttributeName\":\"h\",\"AttributeType\":\"S\"}],"
               "\"GlobalSecondaryIndexUpdates\":[{\"Create\":{\"IndexName\":\"gs2\",\"KeySchema\":[{\"AttributeName\":\"h\",\"KeyType\":\"HASH\"}],"
               "\"Projection\":{\"ProjectionType\":\"ALL\"},\"ProvisionedThroughput\":{\"ReadCapacityUnits\":2,\"WriteCapacityUnits\":3}}}]}",
               &r) == 200);
    CHECK(has(&r, "\"Backfilling\":false,\"ProvisionedThroughput\":{\"ReadCapacityUnits\":2,\"WriteCapacityUnits\":3}"));
    CHECK(!has(&r, "OnDemandThroughput"));
    olock_fake_advance_ms(f, 1000);
    CHECK(call(f, "UpdateTable",
               "{\"TableName\":\"tbl\",\"GlobalSecondaryIndexUpdates\":[{\"Update\":{\"IndexName\":\"gs2\","
               "\"ProvisionedThroughput\":{\"ReadCapacityUnits\":7,\"WriteCapacityUnits\":8}}}]}",
               &r) == 200);
    CHECK(has(&r, "\"IndexStatus\":\"ACTIVE\",\"ProvisionedThroughput\":{\"ReadCapacityUnits\":7,\"WriteCapacityUnits\":8}"));
    olock_fake_destroy(f);
}

/* Every allocation of an UpdateTable that adds, then one that drops, an index fails in turn:
   the answer is 500 and the table is as it was, or 200 and the change is made; nothing leaks. */
TEST(test_alloc_failures)
{
    int step;
    for (step = 0; step < 2; step++) {
        long n;
        int done = 0;
        for (n = 1; n < 400 && !done; n++) {
            olock_test_alloc k;
            olock_fake_config cfg = olock_fake_config_default();
            olock_fake *f = NULL;
            reply before, r, after;
            long start;
            int st;
            memset(&k, 0, sizeof(k));
            cfg.allocator.ctx = &k;
            cfg.allocator.malloc_fn = olock_test_malloc;
            cfg.allocator.realloc_fn = olock_test_realloc;
            cfg.allocator.free_fn = olock_test_free;
            if (olock_fake_create(&cfg, &f) != OLOCK_OK) {
                CHECK(0);
                break;
            }
            CHECK(call(f, "CreateTable", TABLE, &r) == 200);
            CHECK(put_h(f, "a", "x") == 200);
            if (step == 1) {
                CHECK(call(f, "UpdateTable", ADD_GS2, &r) == 200);
                olock_fake_advance_ms(f, 1000);
            }
            CHECK(call(f, "DescribeTable", DESCRIBE, &before) == 200);
            start = k.calls;
            k.fail_at = start + n;
            st = call(f, "UpdateTable", step ? DROP_GS2 : ADD_GS2, &r);
            k.fail_at = 0;
            CHECK(st == 200 || st == 500);
            CHECK(call(f, "DescribeTable", DESCRIBE, &after) == 200);
            if (st == 500) CHECK(before.len == after.len && memcmp(before.body, after.body, before.len) == 0);
            else CHECK(has(&after, step ? "DELETING" : "CREATING"));
            done = st == 200 && k.calls < start + n;
            olock_fake_advance_ms(f, 1000);
            CHECK(call(f, "DescribeTable", DESCRIBE, &after) == 200);
            olock_fake_destroy(f);
            CHECK(k.live == 0);
        }
        CHECK(done);
    }
}

/* A BatchWriteItem hands a put into a CREATING index back and writes the rest; with the
   UNPROCESSED fault too, each table is listed once in UnprocessedItems. */
TEST(test_batch_while_creating)
{
    olock_fake *f = new_fake();
    reply r;
    const char *p;
    int tables = 0;
    static const char *BATCH =
        "{\"RequestItems\":{\"tbl\":[{\"PutRequest\":{\"Item\":{\"pk\":{\"S\":\"a\"},\"h\":{\"S\":\"x\"}}}},"
        "{\"PutRequest\":{\"Item\":{\"pk\":{\"S\":\"b\"}}}},{\"PutRequest\":{\"Item\":{\"pk\":{\"S\":\"c\"}}}}],"
        "\"other\":[{\"PutRequest\":{\"Item\":{\"pk\":{\"S\":\"d\"}}}}]}}";
    CHECK(f != NULL);
    if (!f) return;
    CHECK(call(f, "UpdateTable", ADD_GS2, &r) == 200);
    CHECK(olock_fake_inject(f, OLOCK_FAKE_FAULT_UNPROCESSED, 1, (olock_op)0, NULL) == OLOCK_OK);
    CHECK(call(f, "BatchWriteItem", BATCH, &r) == 200);
    for (p = r.body; (p = strstr(p, "\"tbl\":[")) != NULL; p++) tables++;
    CHECK(tables == 1 && has(&r, "\"h\":{\"S\":\"x\"}"));
    CHECK(call(f, "BatchWriteItem", BATCH, &r) == 200);
    CHECK(has(&r, "{\"UnprocessedItems\":{\"tbl\":[{\"PutRequest\":{\"Item\":{") && !has(&r, "\"other\":["));
    CHECK(call(f, "Scan", "{\"TableName\":\"tbl\"}", &r) == 200 && has(&r, "\"Count\":2"));
    olock_fake_advance_ms(f, 1000);
    CHECK(call(f, "BatchWriteItem", BATCH, &r) == 200 && has(&r, "{\"UnprocessedItems\":{}}"));
    CHECK(call(f, "Query", QUERY_GS2, &r) == 200 && has(&r, "\"Count\":1"));
    olock_fake_destroy(f);
}

/* Index updates with one byte changed, at every position and to a few characters that break
   the JSON or its types: each answer is 200, 400 or 500, and the fake stays sound (ASan). */
TEST(test_mutated_requests)
{
    static const char *const bodies[] = {
        "{\"TableName\":\"tbl\",\"AttributeDefinitions\":[{\"AttributeName\":\"h\",\"AttributeType\":\"S\"}],"
        "\"GlobalSecondaryIndexUpdates\":[{\"Create\":{\"IndexName\":\"gs2\",\"KeySchema\":[{\"AttributeName\":\"h\",\"KeyType\":\"HASH\"},"
        "{\"AttributeName\":\"pk\",\"KeyType\":\"RANGE\"}],\"Projection\":{\"ProjectionType\":\"INCLUDE\",\"NonKeyAttributes\":[\"x\"]},"
        "\"ProvisionedThroughput\":{\"ReadCapacityUnits\":1,\"WriteCapacityUnits\":1}}}]}",
        "{\"TableName\":\"tbl\",\"GlobalSecondaryIndexUpdates\":[{\"Delete\":{\"IndexName\":\"gsi\"}},"
        "{\"Update\":{\"IndexName\":\"gsi\",\"ProvisionedThroughput\":{\"ReadCapacityUnits\":2,\"WriteCapacityUnits\":3}}}],"
        "\"BillingMode\":\"PAY_PER_REQUEST\",\"DeletionProtectionEnabled\":false}",
    };
    static const char subst[] = { '{', '"', '1', ']', 'x', ',', 0 };
    size_t b, i, k;
    int bad = 0;
    olock_fake *f = new_fake();
    reply r;
    CHECK(f != NULL);
    if (!f) return;
    CHECK(call(f, "UpdateTable", "{\"TableName\":\"tbl\",\"AttributeDefinitions\":[{\"AttributeName\":\"g\",\"AttributeType\":\"S\"}],"
                                 "\"GlobalSecondaryIndexUpdates\":[{\"Create\":{\"IndexName\":\"gsi\",\"KeySchema\":[{\"AttributeName\":\"g\",\"KeyType\":\"HASH\"}],"
                                 "\"Projection\":{\"ProjectionType\":\"ALL\"}}}]}",
               &r) == 200);
    CHECK(put_h(f, "a", "x") == 200);
    for (b = 0; b < sizeof(bodies) / sizeof(bodies[0]); b++) {
        size_t len = strlen(bodies[b]);
        char *m = (char *)malloc(len + 1);
        if (!m) continue;
        for (i = 0; i < len; i++)
            for (k = 0; subst[k]; k++) {
                int st;
                memcpy(m, bodies[b], len + 1);
                m[i] = subst[k];
                st = call(f, "UpdateTable", m, &r);
                if (st != 200 && st != 400 && st != 500) bad++;
                if (st == 200) olock_fake_advance_ms(f, 1000); /* let a change finish */
                if (call(f, "DescribeTable", DESCRIBE, &r) != 200) bad++;
            }
        free(m);
    }
    CHECK(bad == 0);
    olock_fake_destroy(f);
}

int main(void)
{
    RUN(test_create_lifecycle);
    RUN(test_delete_lifecycle);
    RUN(test_pending_indexes_and_tables);
    RUN(test_provisioned);
    RUN(test_batch_while_creating);
    RUN(test_alloc_failures);
    RUN(test_mutated_requests);
    return TEST_MAIN_END();
}
