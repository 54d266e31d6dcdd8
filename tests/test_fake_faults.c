/* test_fake_faults.c - unit tests of backends/olock_fake.h: fault injection and the virtual
   clock (raw requests and the engine on a faulty fake), from many threads, and with a failing
   allocator. Ends with "N passed, N failed"; exit status 1 on any failure. */
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

/* ---- fault injection ------------------------------------------------------------------------ */

TEST(test_config_default)
{
    olock_fake_config cfg = olock_fake_config_default();
    CHECK(cfg.allocator.malloc_fn == NULL);
    CHECK(cfg.version_attribute && strcmp(cfg.version_attribute, "version") == 0);
    CHECK(cfg.latency_ms == 10);
}

TEST(test_inject_args)
{
    olock_fake *f = new_fake();
    unsigned pct[OLOCK_FAKE_FAULT_COUNT_];
    CHECK(f != NULL);
    if (!f) return;
    CHECK(olock_fake_inject(NULL, OLOCK_FAKE_FAULT_500, 1, (olock_op)0, NULL) == OLOCK_ERR_INVALID_ARG);
    CHECK(olock_fake_inject(f, OLOCK_FAKE_FAULT_500, 0, (olock_op)0, NULL) == OLOCK_ERR_INVALID_ARG);
    CHECK(olock_fake_inject(f, OLOCK_FAKE_FAULT_COUNT_, 1, (olock_op)0, NULL) == OLOCK_ERR_INVALID_ARG);
    CHECK(olock_fake_inject(f, OLOCK_FAKE_FAULT_500, 1, OLOCK_OP_COUNT_, NULL) == OLOCK_ERR_INVALID_ARG);
    memset(pct, 0, sizeof(pct));
    pct[OLOCK_FAKE_FAULT_500] = 60;
    pct[OLOCK_FAKE_FAULT_503] = 41;
    CHECK(olock_fake_set_random_faults(f, 1, pct) == OLOCK_ERR_INVALID_ARG);
    pct[OLOCK_FAKE_FAULT_503] = 40;
    pct[OLOCK_FAKE_FAULT_NONE] = 100;   /* ignored */
    CHECK(olock_fake_set_random_faults(f, 1, pct) == OLOCK_OK);
    CHECK(olock_fake_set_random_faults(f, 1, NULL) == OLOCK_OK);
    CHECK(olock_fake_set_random_faults(NULL, 1, NULL) == OLOCK_ERR_INVALID_ARG);
    CHECK(olock_fake_fault_count(f, OLOCK_FAKE_FAULT_COUNT_) == 0 && olock_fake_fault_count(NULL, OLOCK_FAKE_FAULT_500) == 0);
    CHECK(olock_fake_now_ms(NULL) == 0);
    olock_fake_advance_ms(NULL, 5);
    olock_fake_clear_faults(NULL);
    olock_fake_destroy(f);
}

TEST(test_error_faults)
{
    olock_fake *f = new_fake();
    reply r;
    CHECK(f != NULL);
    if (!f) return;
    CHECK(olock_fake_inject(f, OLOCK_FAKE_FAULT_THROTTLE, 2, (olock_op)0, NULL) == OLOCK_OK);
    CHECK(olock_fake_inject(f, OLOCK_FAKE_FAULT_THROTTLING, 1, (olock_op)0, NULL) == OLOCK_OK);
    CHECK(olock_fake_inject(f, OLOCK_FAKE_FAULT_500, 1, (olock_op)0, NULL) == OLOCK_OK);
    CHECK(olock_fake_inject(f, OLOCK_FAKE_FAULT_503, 1, (olock_op)0, NULL) == OLOCK_OK);
    CHECK(call(f, "PutItem", PUT_A, &r) == 400 && has(&r, "\"com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException\""));
    CHECK(has(&r, "The level of configured provisioned throughput for the table was exceeded"));
    CHECK(call(f, "PutItem", PUT_A, &r) == 400 && has(&r, "ProvisionedThroughputExceededException"));
    CHECK(call(f, "PutItem", PUT_A, &r) == 400 && has(&r, "#ThrottlingException\""));
    CHECK(call(f, "PutItem", PUT_A, &r) == 500 && has(&r, "#InternalServerError\""));
    CHECK(call(f, "PutItem", PUT_A, &r) == 503 && has(&r, "#ServiceUnavailable\""));
    /* none of them applied the write */
    CHECK(call(f, "GetItem", GET_A, &r) == 200 && strcmp(r.body, "{}") == 0);
    CHECK(call(f, "PutItem", PUT_A, &r) == 200);
    CHECK(olock_fake_fault_count(f, OLOCK_FAKE_FAULT_THROTTLE) == 2);
    CHECK(olock_fake_fault_count(f, OLOCK_FAKE_FAULT_THROTTLING) == 1);
    CHECK(olock_fake_fault_count(f, OLOCK_FAKE_FAULT_500) == 1);
    CHECK(olock_fake_fault_count(f, OLOCK_FAKE_FAULT_503) == 1);
    CHECK(olock_fake_fault_count(f, OLOCK_FAKE_FAULT_NONE) == 0);
    /* a bad request still gets the fault (it never reaches the operation) */
    CHECK(olock_fake_inject(f, OLOCK_FAKE_FAULT_500, 1, (olock_op)0, NULL) == OLOCK_OK);
    CHECK(call(f, "PutItem", "not json", &r) == 500 && has(&r, "InternalServerError"));
    olock_fake_destroy(f);
}

TEST(test_transport_faults)
{
    olock_fake *f = new_fake();
    reply r;
    CHECK(f != NULL);
    if (!f) return;
    CHECK(olock_fake_inject(f, OLOCK_FAKE_FAULT_NOT_SENT, 1, (olock_op)0, NULL) == OLOCK_OK);
    CHECK(send_raw(f, "PutItem", PUT_A, &r) == OLOCK_ERR_NOT_SENT && r.status == 0 && r.len == 0);
    CHECK(call(f, "GetItem", GET_A, &r) == 200 && strcmp(r.body, "{}") == 0);   /* not applied */
    CHECK(olock_fake_inject(f, OLOCK_FAKE_FAULT_LOST_RESPONSE, 1, (olock_op)0, NULL) == OLOCK_OK);
    CHECK(send_raw(f, "PutItem", PUT_A, &r) == OLOCK_ERR_MAYBE_SENT && r.status == 0 && r.len == 0);
    CHECK(call(f, "GetItem", GET_A, &r) == 200 && has(&r, "\"version\":{\"N\":\"3\"}"));   /* applied */
    CHECK(olock_fake_fault_count(f, OLOCK_FAKE_FAULT_NOT_SENT) == 1);
    CHECK(olock_fake_fault_count(f, OLOCK_FAKE_FAULT_LOST_RESPONSE) == 1);
    olock_fake_destroy(f);
}

TEST(test_conflict_fault)
{
    olock_fake *f = new_fake();
    olock_fake_config cfg = olock_fake_config_default();
    reply r;
    CHECK(f != NULL);
    if (!f) return;
    CHECK(call(f, "PutItem", PUT_A, &r) == 200);
    CHECK(olock_fake_inject(f, OLOCK_FAKE_FAULT_CONFLICT, 1, (olock_op)0, NULL) == OLOCK_OK);
    /* reads and unconditional writes pass; the fault stays armed */
    CHECK(call(f, "GetItem", GET_A, &r) == 200 && has(&r, "\"version\":{\"N\":\"3\"}"));
    CHECK(call(f, "PutItem", "{\"TableName\":\"tbl\",\"Item\":{\"pk\":{\"S\":\"z\"}}}", &r) == 200);
    CHECK(olock_fake_fault_count(f, OLOCK_FAKE_FAULT_CONFLICT) == 0);
    /* the conditional write meets a competitor that wrote version 4 just before */
    CHECK(call(f, "UpdateItem", UPD_A_V3, &r) == 400 && has(&r, "ConditionalCheckFailedException"));
    CHECK(has(&r, "\"version\":{\"N\":\"4\"}"));
    CHECK(olock_fake_fault_count(f, OLOCK_FAKE_FAULT_CONFLICT) == 1);
    CHECK(call(f, "GetItem", GET_A, &r) == 200 && has(&r, "\"version\":{\"N\":\"4\"}"));
    /* disarmed: the next conditional write is on its own */
    CHECK(call(f, "UpdateItem",
                "{\"TableName\":\"tbl\",\"Key\":{\"pk\":{\"S\":\"a\"}},\"UpdateExpression\":\"SET version = :n\",\"ConditionExpression\":\"version = :e\","
                "\"ExpressionAttributeValues\":{\":n\":{\"N\":\"5\"},\":e\":{\"N\":\"4\"}}}", &r) == 200);
    /* an absent item, or a version that is not a number: counted, nothing changed */
    CHECK(olock_fake_inject(f, OLOCK_FAKE_FAULT_CONFLICT, 2, (olock_op)0, NULL) == OLOCK_OK);
    CHECK(call(f, "PutItem", "{\"TableName\":\"tbl\",\"Item\":{\"pk\":{\"S\":\"new\"}},\"ConditionExpression\":\"attribute_not_exists(pk)\"}", &r) == 200);
    CHECK(call(f, "PutItem", "{\"TableName\":\"tbl\",\"Item\":{\"pk\":{\"S\":\"s\"},\"version\":{\"S\":\"x\"}}}", &r) == 200);
    CHECK(call(f, "DeleteItem", "{\"TableName\":\"tbl\",\"Key\":{\"pk\":{\"S\":\"s\"}},\"ConditionExpression\":\"version = :x\","
                                "\"ExpressionAttributeValues\":{\":x\":{\"S\":\"x\"}}}", &r) == 200);
    CHECK(olock_fake_fault_count(f, OLOCK_FAKE_FAULT_CONFLICT) == 3);
    /* the legacy Expected parameter is a condition too */
    CHECK(olock_fake_inject(f, OLOCK_FAKE_FAULT_CONFLICT, 1, (olock_op)0, NULL) == OLOCK_OK);
    CHECK(call(f, "PutItem", "{\"TableName\":\"tbl\",\"Item\":{\"pk\":{\"S\":\"a\"},\"version\":{\"N\":\"6\"}},"
                             "\"Expected\":{\"version\":{\"Value\":{\"N\":\"5\"}}}}", &r) == 400 && has(&r, "ConditionalCheckFailedException"));
    olock_fake_destroy(f);

    /* another version attribute */
    cfg.version_attribute = "ver";
    CHECK(olock_fake_create(&cfg, &f) == OLOCK_OK);
    CHECK(call(f, "CreateTable", TABLE, &r) == 200);
    CHECK(call(f, "PutItem", "{\"TableName\":\"tbl\",\"Item\":{\"pk\":{\"S\":\"a\"},\"ver\":{\"N\":\"9.5\"},\"version\":{\"N\":\"1\"}}}", &r) == 200);
    CHECK(olock_fake_inject(f, OLOCK_FAKE_FAULT_CONFLICT, 1, OLOCK_OP_DELETE_ITEM, "tbl") == OLOCK_OK);
    CHECK(call(f, "DeleteItem", "{\"TableName\":\"tbl\",\"Key\":{\"pk\":{\"S\":\"a\"}},\"ConditionExpression\":\"ver = :x\","
                                "\"ExpressionAttributeValues\":{\":x\":{\"N\":\"9.5\"}}}", &r) == 400);
    CHECK(call(f, "GetItem", GET_A, &r) == 200 && has(&r, "\"ver\":{\"N\":\"10.5\"}") && has(&r, "\"version\":{\"N\":\"1\"}"));
    olock_fake_destroy(f);
}

TEST(test_fault_filters)
{
    olock_fake *f = new_fake();
    reply r;
    CHECK(f != NULL);
    if (!f) return;
    /* by operation */
    CHECK(olock_fake_inject(f, OLOCK_FAKE_FAULT_500, 1, OLOCK_OP_PUT_ITEM, NULL) == OLOCK_OK);
    CHECK(call(f, "GetItem", GET_A, &r) == 200);
    CHECK(call(f, "PutItem", PUT_A, &r) == 500);
    CHECK(call(f, "PutItem", PUT_A, &r) == 200);
    /* by table */
    CHECK(olock_fake_inject(f, OLOCK_FAKE_FAULT_503, 1, (olock_op)0, "other") == OLOCK_OK);
    CHECK(call(f, "PutItem", PUT_A, &r) == 200);
    CHECK(call(f, "GetItem", "{\"TableName\":\"other\",\"Key\":{\"pk\":{\"S\":\"a\"}}}", &r) == 503);
    CHECK(call(f, "GetItem", "{\"TableName\":\"other\",\"Key\":{\"pk\":{\"S\":\"a\"}}}", &r) == 200);
    /* queued in order; NONE lets requests through */
    CHECK(olock_fake_inject(f, OLOCK_FAKE_FAULT_NONE, 2, (olock_op)0, NULL) == OLOCK_OK);
    CHECK(olock_fake_inject(f, OLOCK_FAKE_FAULT_THROTTLE, 1, (olock_op)0, NULL) == OLOCK_OK);
    CHECK(olock_fake_inject(f, OLOCK_FAKE_FAULT_500, 1, (olock_op)0, NULL) == OLOCK_OK);
    CHECK(call(f, "GetItem", GET_A, &r) == 200);
    CHECK(call(f, "GetItem", GET_A, &r) == 200);
    CHECK(call(f, "GetItem", GET_A, &r) == 400);
    CHECK(call(f, "GetItem", GET_A, &r) == 500);
    CHECK(call(f, "GetItem", GET_A, &r) == 200);
    CHECK(olock_fake_fault_count(f, OLOCK_FAKE_FAULT_NONE) == 2);
    /* an armed CONFLICT holds back the rules behind it */
    CHECK(olock_fake_inject(f, OLOCK_FAKE_FAULT_CONFLICT, 1, (olock_op)0, NULL) == OLOCK_OK);
    CHECK(olock_fake_inject(f, OLOCK_FAKE_FAULT_500, 1, (olock_op)0, NULL) == OLOCK_OK);
    CHECK(call(f, "GetItem", GET_A, &r) == 200);
    CHECK(call(f, "UpdateItem", UPD_A_V3, &r) == 400 && has(&r, "ConditionalCheckFailed"));
    CHECK(call(f, "GetItem", GET_A, &r) == 500);
    /* clear */
    CHECK(olock_fake_inject(f, OLOCK_FAKE_FAULT_500, 5, (olock_op)0, NULL) == OLOCK_OK);
    olock_fake_clear_faults(f);
    CHECK(call(f, "GetItem", GET_A, &r) == 200);
    CHECK(olock_fake_fault_count(f, OLOCK_FAKE_FAULT_500) == 3);   /* counts survive a clear */
    olock_fake_destroy(f);
}

TEST(test_clock_and_latency)
{
    olock_fake *f = new_fake();
    olock_fake_config cfg = olock_fake_config_default();
    reply r;
    CHECK(f != NULL);
    if (!f) return;
    CHECK(olock_fake_now_ms(f) == 0);
    CHECK(call(f, "GetItem", GET_A, &r) == 200 && olock_fake_now_ms(f) == 0);   /* requests take no time */
    olock_fake_advance_ms(f, 1500);
    CHECK(olock_fake_now_ms(f) == 1500);
    CHECK(olock_fake_inject(f, OLOCK_FAKE_FAULT_LATENCY, 2, (olock_op)0, NULL) == OLOCK_OK);
    CHECK(call(f, "PutItem", PUT_A, &r) == 200 && olock_fake_now_ms(f) == 1510);
    CHECK(call(f, "GetItem", GET_A, &r) == 200 && has(&r, "\"version\"") && olock_fake_now_ms(f) == 1520);
    CHECK(call(f, "GetItem", GET_A, &r) == 200 && olock_fake_now_ms(f) == 1520);
    CHECK(olock_fake_fault_count(f, OLOCK_FAKE_FAULT_LATENCY) == 2);
    olock_fake_advance_ms(f, UINT64_MAX);   /* saturates */
    CHECK(olock_fake_now_ms(f) == UINT64_MAX);
    olock_fake_destroy(f);
    cfg.latency_ms = 250;
    CHECK(olock_fake_create(&cfg, &f) == OLOCK_OK);
    CHECK(olock_fake_inject(f, OLOCK_FAKE_FAULT_LATENCY, 1, (olock_op)0, NULL) == OLOCK_OK);
    CHECK(call(f, "ListTables", "{}", &r) == 200 && olock_fake_now_ms(f) == 250);
    olock_fake_destroy(f);
}

/* The outcome of each of n GetItem requests as a letter. */
static void random_run(olock_fake *f, char *out, int n)
{
    int i;
    for (i = 0; i < n; i++) {
        reply r;
        olock_result rc = send_raw(f, "GetItem", GET_A, &r);
        out[i] = rc == OLOCK_ERR_NOT_SENT ? 'n' : rc != OLOCK_OK ? 'm' : r.status == 200 ? '.' : r.status == 400 ? 't' : r.status == 500 ? '5' : '3';
    }
    out[n] = 0;
}

TEST(test_random_faults)
{
    olock_fake *f1 = new_fake(), *f2 = new_fake();
    unsigned pct[OLOCK_FAKE_FAULT_COUNT_];
    char a[1001], b[1001];
    int i, faults = 0;
    CHECK(f1 && f2);
    if (!f1 || !f2) { olock_fake_destroy(f1); olock_fake_destroy(f2); return; }
    memset(pct, 0, sizeof(pct));
    pct[OLOCK_FAKE_FAULT_THROTTLE] = 10;
    pct[OLOCK_FAKE_FAULT_500] = 10;
    pct[OLOCK_FAKE_FAULT_NOT_SENT] = 5;
    pct[OLOCK_FAKE_FAULT_CONFLICT] = 50;   /* never fires on a read */
    CHECK(olock_fake_set_random_faults(f1, 42, pct) == OLOCK_OK);
    CHECK(olock_fake_set_random_faults(f2, 42, pct) == OLOCK_OK);
    random_run(f1, a, 1000);
    random_run(f2, b, 1000);
    CHECK(strcmp(a, b) == 0);   /* deterministic */
    for (i = 0; i < 1000; i++) faults += a[i] != '.';
    CHECK(faults > 150 && faults < 350);   /* about 25% */
    CHECK(olock_fake_fault_count(f1, OLOCK_FAKE_FAULT_THROTTLE) + olock_fake_fault_count(f1, OLOCK_FAKE_FAULT_500) +
          olock_fake_fault_count(f1, OLOCK_FAKE_FAULT_NOT_SENT) == (unsigned long)faults);
    CHECK(olock_fake_fault_count(f1, OLOCK_FAKE_FAULT_CONFLICT) == 0);
    CHECK(olock_fake_fault_count(f1, OLOCK_FAKE_FAULT_NOT_SENT) > 20);
    /* another seed, another sequence */
    CHECK(olock_fake_set_random_faults(f2, 7, pct) == OLOCK_OK);
    random_run(f2, b, 1000);
    CHECK(strcmp(a, b) != 0);
    /* off */
    CHECK(olock_fake_set_random_faults(f1, 42, NULL) == OLOCK_OK);
    random_run(f1, a, 100);
    CHECK(strspn(a, ".") == 100);
    /* scripted first */
    CHECK(olock_fake_set_random_faults(f2, 7, pct) == OLOCK_OK);
    CHECK(olock_fake_inject(f2, OLOCK_FAKE_FAULT_503, 3, (olock_op)0, NULL) == OLOCK_OK);
    random_run(f2, b, 3);
    CHECK(strcmp(b, "333") == 0);
    olock_fake_clear_faults(f2);
    random_run(f2, b, 100);
    CHECK(strspn(b, ".") == 100);
    olock_fake_destroy(f1);
    olock_fake_destroy(f2);
}

/* ---- the engine on a faulty fake ------------------------------------------------------------ */

typedef struct gold { int add; } gold;

static olock_mutation add_gold(void *user, olock_item *item, int exists)
{
    gold *g = (gold *)user;
    int64_t v = 0;
    if (exists) olock_value_get_i64(olock_map_get(item->root, "gold", 4), &v);
    olock_item_set_i64(item, "gold", v + g->add);
    return OLOCK_MUTATE_WRITE;
}


TEST(test_engine_faults)
{
    olock_fake *f = new_fake();
    olock_client *c = NULL;
    olock_config cfg = olock_config_default();
    olock_item *key = NULL;
    olock_write_result res;
    olock_error err;
    gold g;
    reply r;
    int64_t v = 0;
    CHECK(f != NULL);
    if (!f) return;
    cfg.transport = olock_fake_transport(f);
    cfg.sleep_ms = no_sleep;
    CHECK(olock_client_create(&cfg, &c, &err) == OLOCK_OK);
    CHECK(olock_item_create(NULL, &key) == OLOCK_OK && olock_item_set_s(key, "pk", "p") == OLOCK_OK);
    g.add = 10;
    CHECK(olock_update(c, "tbl", key->root, add_gold, &g, &res, &err) == OLOCK_OK && res.version == 1);
    /* a competing write before our write: one conflict, re-applied on the fresh item */
    CHECK(olock_fake_inject(f, OLOCK_FAKE_FAULT_CONFLICT, 1, (olock_op)0, NULL) == OLOCK_OK);
    CHECK(olock_update(c, "tbl", key->root, add_gold, &g, &res, &err) == OLOCK_OK);
    CHECK(res.conflicts == 1 && res.version == 3);
    /* throttled twice, then through */
    CHECK(olock_fake_inject(f, OLOCK_FAKE_FAULT_THROTTLE, 2, (olock_op)0, NULL) == OLOCK_OK);
    CHECK(olock_update(c, "tbl", key->root, add_gold, &g, &res, &err) == OLOCK_OK && res.retries >= 2);
    /* the response of the write is lost: settled without applying it twice */
    CHECK(olock_fake_inject(f, OLOCK_FAKE_FAULT_NONE, 1, (olock_op)0, NULL) == OLOCK_OK);   /* the read */
    CHECK(olock_fake_inject(f, OLOCK_FAKE_FAULT_LOST_RESPONSE, 1, (olock_op)0, NULL) == OLOCK_OK);
    CHECK(olock_update(c, "tbl", key->root, add_gold, &g, &res, &err) == OLOCK_OK);
    CHECK(call(f, "GetItem", "{\"TableName\":\"tbl\",\"Key\":{\"pk\":{\"S\":\"p\"}}}", &r) == 200);
    {
        const char *p = strstr(r.body, "\"gold\":{\"N\":\"");
        CHECK(p != NULL);
        if (p) v = strtol(p + 13, NULL, 10);
        CHECK(v == 40);
    }
    olock_item_destroy(key);
    olock_client_destroy(c);
    olock_fake_destroy(f);
}

/* ---- threads: faults and the clock from many threads (TSan) --------------------------------- */

#ifndef _WIN32
static void *fault_worker(void *arg)
{
    olock_fake *f = (olock_fake *)arg;
    int i;
    for (i = 0; i < 200; i++) {
        reply r;
        if (i % 10 == 0) olock_fake_inject(f, OLOCK_FAKE_FAULT_THROTTLE, 1, (olock_op)0, NULL);
        if (i % 25 == 0) olock_fake_advance_ms(f, 1);
        send_raw(f, "UpdateItem", "{\"TableName\":\"tbl\",\"Key\":{\"pk\":{\"S\":\"n\"}},\"UpdateExpression\":\"ADD n :o\","
                                  "\"ExpressionAttributeValues\":{\":o\":{\"N\":\"1\"}}}", &r);
        (void)olock_fake_fault_count(f, OLOCK_FAKE_FAULT_THROTTLE);
        (void)olock_fake_now_ms(f);
    }
    return NULL;
}

TEST(test_threads)
{
    olock_fake *f = new_fake();
    pthread_t th[4];
    unsigned pct[OLOCK_FAKE_FAULT_COUNT_];
    reply r;
    int i;
    CHECK(f != NULL);
    if (!f) return;
    memset(pct, 0, sizeof(pct));
    pct[OLOCK_FAKE_FAULT_LATENCY] = 10;
    CHECK(olock_fake_set_random_faults(f, 3, pct) == OLOCK_OK);
    for (i = 0; i < 4; i++) CHECK(pthread_create(&th[i], NULL, fault_worker, f) == 0);
    for (i = 0; i < 4; i++) pthread_join(th[i], NULL);
    olock_fake_clear_faults(f);
    CHECK(call(f, "GetItem", "{\"TableName\":\"tbl\",\"Key\":{\"pk\":{\"S\":\"n\"}}}", &r) == 200);
    {
        char want[64];
        unsigned long thr = olock_fake_fault_count(f, OLOCK_FAKE_FAULT_THROTTLE);
        snprintf(want, sizeof(want), "\"n\":{\"N\":\"%lu\"}", 800 - thr);
        CHECK(thr == 80);
        CHECK(has(&r, want));
        CHECK(olock_fake_now_ms(f) == 32 + 10 * olock_fake_fault_count(f, OLOCK_FAKE_FAULT_LATENCY));
    }
    olock_fake_destroy(f);
}
#endif

/* ---- failing allocator ---------------------------------------------------------------------- */

TEST(test_fault_alloc)
{
    long n;
    int done = 0;
    for (n = 1; n < 200 && !done; n++) {
        olock_test_alloc k;
        olock_fake_config cfg = olock_fake_config_default();
        olock_fake *f = NULL;
        olock_result a, b;
        memset(&k, 0, sizeof(k));
        k.fail_at = n;
        cfg.allocator.ctx = &k;
        cfg.allocator.malloc_fn = olock_test_malloc;
        cfg.allocator.realloc_fn = olock_test_realloc;
        cfg.allocator.free_fn = olock_test_free;
        if (olock_fake_create(&cfg, &f) == OLOCK_OK) {
            a = olock_fake_inject(f, OLOCK_FAKE_FAULT_500, 1, (olock_op)0, "tbl");
            b = olock_fake_inject(f, OLOCK_FAKE_FAULT_503, 1, (olock_op)0, NULL);
            CHECK((a == OLOCK_OK || a == OLOCK_ERR_NOMEM) && (b == OLOCK_OK || b == OLOCK_ERR_NOMEM));
            done = a == OLOCK_OK && b == OLOCK_OK && k.calls < n;
            olock_fake_destroy(f);
        }
        CHECK(k.live == 0);
    }
    CHECK(done);
}

/* Every allocation of a transaction fails in turn: the answer is 500 and nothing changed, or
   200 and everything did; nothing leaks. */

int main(void)
{
    RUN(test_config_default);
    RUN(test_inject_args);
    RUN(test_error_faults);
    RUN(test_transport_faults);
    RUN(test_conflict_fault);
    RUN(test_fault_filters);
    RUN(test_clock_and_latency);
    RUN(test_random_faults);
    RUN(test_engine_faults);
#ifndef _WIN32
    RUN(test_threads);
#endif
    RUN(test_fault_alloc);
    return TEST_MAIN_END();
}
