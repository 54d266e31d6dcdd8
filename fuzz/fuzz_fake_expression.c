/* fuzz_fake_expression.c - libFuzzer target for the fake backend's expression parser.
   The first input byte picks where the rest goes: ConditionExpression (of a DeleteItem),
   UpdateExpression or ProjectionExpression. A hostile expression (deep parentheses, 4 KB of
   operators, huge list indexes) must get a 200, a ValidationException or a
   ConditionalCheckFailedException: never a 500, a crash or undefined behaviour. A second fake
   first gets the same expression with other values (of the same types) on another key, so
   that it keeps the expression when it compiles, and must then answer the request byte for
   byte as the first.

   clang -g -O1 -fsanitize=fuzzer,address,undefined -I. -Itests fuzz/fuzz_fake_expression.c -o build/fuzz_fake_expression */
#define OLOCK_IMPLEMENTATION
#define OLOCK_FAKE_IMPLEMENTATION
#include "olock.h"
#include "backends/olock_fake.h"
#include "olock_test.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int send_body(olock_fake *f, const char *op, const char *body, size_t len, olock_buf *out)
{
    olock_http_response res;
    int status;
    if (olock_test_fake_send(f, op, body, len, &res) != OLOCK_OK) abort();
    status = res.status;
    if (out) {
        olock_buf_clear(out);
        olock_buf_append(out, res.body.data ? res.body.data : "", res.body.len);
    }
    olock_http_response_free(&res);
    return status;
}

/* Is `s` valid UTF-8? The JSON writer must be given text the request can carry. */
static int valid_utf8(const uint8_t *s, size_t n)
{
    size_t i = 0;
    while (i < n) {
        unsigned char ch = s[i];
        size_t k, len = ch < 0x80 ? 1 : (ch & 0xE0) == 0xC0 ? 2 : (ch & 0xF0) == 0xE0 ? 3 : (ch & 0xF8) == 0xF0 ? 4 : 0;
        if (!len || i + len > n || (len == 2 && ch < 0xC2)) return 0;
        for (k = 1; k < len; k++) if ((s[i + k] & 0xC0) != 0x80) return 0;
        if (len == 3 && ch == 0xED && s[i + 1] >= 0xA0) return 0;
        if (len == 4 && (ch > 0xF4 || (ch == 0xF4 && s[i + 1] >= 0x90) || (ch == 0xF0 && s[i + 1] < 0x90))) return 0;
        if (len == 3 && ch == 0xE0 && s[i + 1] < 0xA0) return 0;
        i += len;
    }
    return 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char table[] =
        "{\"TableName\":\"tbl\",\"KeySchema\":[{\"AttributeName\":\"pk\",\"KeyType\":\"HASH\"}],"
        "\"AttributeDefinitions\":[{\"AttributeName\":\"pk\",\"AttributeType\":\"S\"}],\"BillingMode\":\"PAY_PER_REQUEST\"}";
    static const char seed[] =
        "{\"TableName\":\"tbl\",\"Item\":{\"pk\":{\"S\":\"a\"},\"a\":{\"N\":\"5\"},\"b\":{\"S\":\"hello\"},"
        "\"m\":{\"M\":{\"x\":{\"N\":\"1\"},\"l\":{\"L\":[{\"N\":\"1\"},{\"SS\":[\"a\",\"b\"]}]}}},\"ns\":{\"NS\":[\"1\",\"2\"]}}}";
    static const char names[] = "\"ExpressionAttributeNames\":{\"#a\":\"a\",\"#b\":\"b\",\"#m\":\"m\"}";
    static const char values[] =
        "\"ExpressionAttributeValues\":{\":a\":{\"N\":\"1\"},\":b\":{\"S\":\"b\"},\":l\":{\"L\":[{\"N\":\"2\"}]},"
        "\":s\":{\"SS\":[\"x\"]},\":t\":{\"S\":\"N\"}}";
    static const char values2[] = /* the same placeholders and types, other contents */
        "\"ExpressionAttributeValues\":{\":a\":{\"N\":\"7\"},\":b\":{\"S\":\"N\"},\":l\":{\"L\":[]},"
        "\":s\":{\"SS\":[\"y\",\"z\"]},\":t\":{\"S\":\"S\"}}";
    olock_fake *f = NULL, *warm = NULL;
    olock_buf body, out, out2;
    int which, status, pass;
    const char *op, *member;
    if (size < 1 || !valid_utf8(data + 1, size - 1)) return 0;
    which = data[0] % 3;
    if (olock_fake_create(NULL, &f) != OLOCK_OK) return 0;
    if (olock_fake_create(NULL, &warm) != OLOCK_OK) {
        olock_fake_destroy(f);
        return 0;
    }
    send_body(f, "CreateTable", table, sizeof(table) - 1, NULL);
    send_body(f, "PutItem", seed, sizeof(seed) - 1, NULL);
    send_body(warm, "CreateTable", table, sizeof(table) - 1, NULL);
    send_body(warm, "PutItem", seed, sizeof(seed) - 1, NULL);
    olock_buf_init(&body, NULL);
    olock_buf_init(&out, NULL);
    olock_buf_init(&out2, NULL);
    op = which == 0 ? "DeleteItem" : which == 1 ? "UpdateItem" : "GetItem";
    member = which == 0 ? "ConditionExpression" : which == 1 ? "UpdateExpression" : "ProjectionExpression";
    /* pass 0: the expression on another key with other values, to `warm` only, which keeps
       what compiles; pass 1: the request itself, to both fakes */
    for (pass = 0; pass < 2; pass++) {
        olock_buf_clear(&body);
        olock_buf_append_str(&body, pass ? "{\"TableName\":\"tbl\",\"Key\":{\"pk\":{\"S\":\"a\"}},\"" : "{\"TableName\":\"tbl\",\"Key\":{\"pk\":{\"S\":\"zz\"}},\"");
        olock_buf_append_str(&body, member);
        olock_buf_append_str(&body, "\":");
        olock_json_write_string(&body, (const char *)data + 1, size - 1);
        olock_buf_append_str(&body, ",");
        olock_buf_append_str(&body, names);
        if (which != 2) {
            olock_buf_append_str(&body, ",");
            olock_buf_append_str(&body, pass ? values : values2);
        }
        olock_buf_append_str(&body, "}");
        if (!pass) {
            send_body(warm, op, body.data, body.len, NULL);
            continue;
        }
        status = send_body(f, op, body.data, body.len, &out);
        if (status == 500) abort();
        if (status == 400 && !strstr(out.data, "ValidationException") && !strstr(out.data, "ConditionalCheckFailedException")) abort();
        /* a kept expression answers as a fresh compile does */
        if (send_body(warm, op, body.data, body.len, &out2) != status || out.len != out2.len || memcmp(out.data, out2.data, out.len) != 0)
            abort();
    }
    olock_buf_free(&body);
    olock_buf_free(&out);
    olock_buf_free(&out2);
    olock_fake_destroy(f);
    olock_fake_destroy(warm);
    return 0;
}
