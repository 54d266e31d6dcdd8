/* fuzz_fake_request.c - libFuzzer target for the fake backend's request decoder.
   The first input byte picks the operation (item, table, transaction, batch, Query and Scan
   operations), the rest is the JSON body. Every input must get
   an HTTP answer (200, 400 or 500) without a crash, a leak or undefined behaviour.

   clang -g -O1 -fsanitize=fuzzer,address,undefined -I. -Itests fuzz/fuzz_fake_request.c -o build/fuzz_fake_request */
#define OLOCK_IMPLEMENTATION
#define OLOCK_FAKE_IMPLEMENTATION
#include "olock.h"
#include "backends/olock_fake.h"
#include "olock_test.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int send_body(olock_fake *f, const char *op, const char *body, size_t len)
{
    olock_http_response res;
    int status;
    if (olock_test_fake_send(f, op, body, len, &res) != OLOCK_OK) abort();
    status = res.status;
    if (status != 200 && status != 400 && status != 500) abort();
    olock_http_response_free(&res);
    return status;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const ops[] = { "GetItem", "PutItem", "UpdateItem", "DeleteItem",
                                       "CreateTable", "DescribeTable", "DeleteTable", "ListTables",
                                       "TransactWriteItems", "TransactGetItems", "Query", "Scan",
                                       "BatchWriteItem", "BatchGetItem" };
    static const char table[] =
        "{\"TableName\":\"tbl\",\"KeySchema\":[{\"AttributeName\":\"pk\",\"KeyType\":\"HASH\"}],"
        "\"AttributeDefinitions\":[{\"AttributeName\":\"pk\",\"AttributeType\":\"S\"}],\"BillingMode\":\"PAY_PER_REQUEST\"}";
    static const char table2[] =
        "{\"TableName\":\"tb2\",\"KeySchema\":[{\"AttributeName\":\"h\",\"KeyType\":\"HASH\"},{\"AttributeName\":\"r\",\"KeyType\":\"RANGE\"}],"
        "\"AttributeDefinitions\":[{\"AttributeName\":\"h\",\"AttributeType\":\"S\"},{\"AttributeName\":\"r\",\"AttributeType\":\"N\"}],"
        "\"BillingMode\":\"PAY_PER_REQUEST\"}";
    static const char table3[] =   /* secondary indexes for Query and Scan */
        "{\"TableName\":\"tb3\",\"KeySchema\":[{\"AttributeName\":\"h\",\"KeyType\":\"HASH\"},{\"AttributeName\":\"r\",\"KeyType\":\"RANGE\"}],"
        "\"AttributeDefinitions\":[{\"AttributeName\":\"h\",\"AttributeType\":\"S\"},{\"AttributeName\":\"r\",\"AttributeType\":\"N\"},"
        "{\"AttributeName\":\"g\",\"AttributeType\":\"S\"},{\"AttributeName\":\"l\",\"AttributeType\":\"B\"}],"
        "\"GlobalSecondaryIndexes\":[{\"IndexName\":\"gsi\",\"KeySchema\":[{\"AttributeName\":\"g\",\"KeyType\":\"HASH\"}],"
        "\"Projection\":{\"ProjectionType\":\"KEYS_ONLY\"}}],"
        "\"LocalSecondaryIndexes\":[{\"IndexName\":\"lsi\",\"KeySchema\":[{\"AttributeName\":\"h\",\"KeyType\":\"HASH\"},"
        "{\"AttributeName\":\"l\",\"KeyType\":\"RANGE\"}],\"Projection\":{\"ProjectionType\":\"ALL\"}}],"
        "\"BillingMode\":\"PAY_PER_REQUEST\"}";
    static const char seed3[] =
        "{\"TransactItems\":[{\"Put\":{\"TableName\":\"tb3\",\"Item\":{\"h\":{\"S\":\"a\"},\"r\":{\"N\":\"1\"},\"g\":{\"S\":\"x\"}}}},"
        "{\"Put\":{\"TableName\":\"tb3\",\"Item\":{\"h\":{\"S\":\"a\"},\"r\":{\"N\":\"2\"},\"l\":{\"B\":\"AQ==\"}}}},"
        "{\"Put\":{\"TableName\":\"tb2\",\"Item\":{\"h\":{\"S\":\"b\"},\"r\":{\"N\":\"-1.5\"}}}}]}";
    static const char scan_gsi[] = "{\"TableName\":\"tb3\",\"IndexName\":\"gsi\"}";
    static const char seed[] =
        "{\"TableName\":\"tbl\",\"Item\":{\"pk\":{\"S\":\"a\"},\"n\":{\"N\":\"5\"},\"s\":{\"S\":\"hello\"},"
        "\"m\":{\"M\":{\"x\":{\"N\":\"1\"},\"l\":{\"L\":[{\"N\":\"1\"},{\"SS\":[\"a\",\"b\"]}]}}},\"ns\":{\"NS\":[\"1\",\"2\"]}}}";
    olock_fake *f = NULL;
    if (size < 1) return 0;
    if (olock_fake_create(NULL, &f) != OLOCK_OK) return 0;
    send_body(f, "CreateTable", table, sizeof(table) - 1);
    send_body(f, "CreateTable", table2, sizeof(table2) - 1);
    send_body(f, "CreateTable", table3, sizeof(table3) - 1);
    send_body(f, "PutItem", seed, sizeof(seed) - 1);
    send_body(f, "TransactWriteItems", seed3, sizeof(seed3) - 1);
    send_body(f, ops[data[0] % (sizeof(ops) / sizeof(ops[0]))], (const char *)data + 1, size - 1);
    /* an update again: the first one left its item sorted, so this one is copy-on-write */
    if (data[0] % (sizeof(ops) / sizeof(ops[0])) == 2) send_body(f, "UpdateItem", (const char *)data + 1, size - 1);
    /* and once more, on whatever state the request left */
    {
        static const char get[] = "{\"TableName\":\"tbl\",\"Key\":{\"pk\":{\"S\":\"a\"}}}";
        send_body(f, "GetItem", get, sizeof(get) - 1);
    }
    send_body(f, "Scan", scan_gsi, sizeof(scan_gsi) - 1);
    olock_fake_destroy(f);
    return 0;
}
