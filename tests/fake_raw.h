/* fake_raw.h - what the fake's unit tests share (tests only): raw requests through the fake's
   transport with their replies, the two tables "tbl" and "other" (hash key pk), and requests
   on item "a" of "tbl". Include after olock_fake.h and olock_test.h. */
#ifndef OLOCK_FAKE_RAW_H
#define OLOCK_FAKE_RAW_H

/* ---- raw requests through the transport ---------------------------------------------------- */

typedef struct reply {
    olock_result rc;
    int status;
    char body[131072];
    size_t len;
} reply;

static OLOCK_TEST_UNUSED olock_result send_raw(olock_fake *f, const char *op, const char *body, reply *out)
{
    olock_http_response res;
    out->rc = olock_test_fake_send(f, op, body, strlen(body), &res);
    out->status = res.status;
    out->len = res.body.len < sizeof(out->body) - 1 ? res.body.len : sizeof(out->body) - 1;
    if (out->len) memcpy(out->body, res.body.data, out->len);
    out->body[out->len] = 0;
    olock_http_response_free(&res);
    return out->rc;
}

/* Sends and returns the status (0 when the transport failed). */
static OLOCK_TEST_UNUSED int call(olock_fake *f, const char *op, const char *body, reply *r)
{
    if (send_raw(f, op, body, r) != OLOCK_OK) return 0;
    return r->status;
}

static OLOCK_TEST_UNUSED int has(const reply *r, const char *text) { return strstr(r->body, text) != NULL; }

static OLOCK_TEST_UNUSED const char *TABLE =
    "{\"TableName\":\"tbl\",\"KeySchema\":[{\"AttributeName\":\"pk\",\"KeyType\":\"HASH\"}],"
    "\"AttributeDefinitions\":[{\"AttributeName\":\"pk\",\"AttributeType\":\"S\"}],\"BillingMode\":\"PAY_PER_REQUEST\"}";
static OLOCK_TEST_UNUSED const char *OTHER =
    "{\"TableName\":\"other\",\"KeySchema\":[{\"AttributeName\":\"pk\",\"KeyType\":\"HASH\"}],"
    "\"AttributeDefinitions\":[{\"AttributeName\":\"pk\",\"AttributeType\":\"S\"}],\"BillingMode\":\"PAY_PER_REQUEST\"}";

static OLOCK_TEST_UNUSED olock_fake *new_fake(void)
{
    olock_fake *f = NULL;
    reply r;
    if (olock_fake_create(NULL, &f) != OLOCK_OK) return NULL;
    if (call(f, "CreateTable", TABLE, &r) != 200 || call(f, "CreateTable", OTHER, &r) != 200) {
        olock_fake_destroy(f);
        return NULL;
    }
    return f;
}

static OLOCK_TEST_UNUSED const char *GET_A = "{\"TableName\":\"tbl\",\"Key\":{\"pk\":{\"S\":\"a\"}},\"ConsistentRead\":true}";
static OLOCK_TEST_UNUSED const char *PUT_A = "{\"TableName\":\"tbl\",\"Item\":{\"pk\":{\"S\":\"a\"},\"version\":{\"N\":\"3\"}}}";
static OLOCK_TEST_UNUSED const char *UPD_A_V3 =
    "{\"TableName\":\"tbl\",\"Key\":{\"pk\":{\"S\":\"a\"}},\"UpdateExpression\":\"SET #v = :n\",\"ConditionExpression\":\"#v = :e\","
    "\"ExpressionAttributeNames\":{\"#v\":\"version\"},\"ExpressionAttributeValues\":{\":n\":{\"N\":\"4\"},\":e\":{\"N\":\"3\"}},"
    "\"ReturnValuesOnConditionCheckFailure\":\"ALL_OLD\"}";


/* A sleep hook for clients on the fake's virtual clock: waits cost nothing. */
static OLOCK_TEST_UNUSED void no_sleep(void *u, uint64_t ms) { (void)u; (void)ms; }

#endif
