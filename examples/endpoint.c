/* endpoint.c - versioned put, update and delete against a DynamoDB endpoint, and a conflict.

     build/examples/endpoint --endpoint http://127.0.0.1:8000     DynamoDB Local or dynalite
     AWS_ENDPOINT_URL_DYNAMODB=URL build/examples/endpoint         the same, from the environment
     build/examples/endpoint                                       no endpoint: the in-process fake

   Creates the table olock_example_orders (hash key id) when it is missing, then on a new order:
     1. olock_versioned_put, expected version 0: the order must not exist yet; stores version 1
     2. olock_versioned_update built with olock_expr_*: pay the order (status "new" -> "paid",
        total + 25) only while its status is "new"; version 1 -> 2
     3. the same update again with the stale version 1: a deliberate conflict, which hands back
        the order as it is stored now (when the server returns it, as DynamoDB does)
     4. olock_versioned_delete at version 2
   With a local endpoint (127.0.0.1, localhost) and no AWS_ACCESS_KEY_ID it signs with dummy
   credentials; the region defaults to us-east-1. The Makefile adds -DOLOCK_EXAMPLE_CURL -lcurl
   when libcurl is installed. Exit status: 0 when every step did what it should. */
#define OLOCK_IMPLEMENTATION
#define OLOCK_FAKE_IMPLEMENTATION
#include "olock.h"
#include "olock_fake.h"
#ifdef OLOCK_EXAMPLE_CURL
#  define OLOCK_CURL_IMPLEMENTATION
#  include "olock_curl.h"
#endif
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static const char *const TABLE = "olock_example_orders";

#ifdef OLOCK_EXAMPLE_CURL
static int is_local(const char *url) {
    return strstr(url, "://127.0.0.1") != NULL || strstr(url, "://localhost") != NULL || strstr(url, "://[::1]") != NULL;
}
#endif

static olock_client *connect_client(const char *endpoint, olock_fake **fake) {
    olock_config cfg = olock_config_default();
    olock_client *c = NULL;
    olock_error err;
    if (endpoint) {
#ifdef OLOCK_EXAMPLE_CURL
        olock_curl *http = NULL;
        if (olock_curl_create(NULL, &http) != OLOCK_OK) return NULL;
        cfg.transport = olock_curl_transport(http);        /* the client owns it from here on */
        cfg.endpoint = endpoint;
        if (!getenv("AWS_REGION") && !getenv("AWS_DEFAULT_REGION")) cfg.region = "us-east-1";
        if (is_local(endpoint) && !getenv("AWS_ACCESS_KEY_ID")) {
            cfg.credentials.access_key_id = "AKIDLOCAL";   /* local servers take any key */
            cfg.credentials.secret_access_key = "local";
        }
#else
        fprintf(stderr, "this build has no curl backend: install libcurl4-openssl-dev and rebuild\n");
        return NULL;
#endif
    } else {
        if (olock_fake_create(NULL, fake) != OLOCK_OK) return NULL;
        cfg.transport = olock_fake_transport(*fake);
        cfg.ignore_environment = 1;
    }
    if (olock_client_create(&cfg, &c, &err) != OLOCK_OK) {
        fprintf(stderr, "client: %s\n", err.message);
        return NULL;
    }
    return c;
}

/* Creates the table unless it exists, and waits until it is ACTIVE. */
static int ensure_table(olock_client *c) {
    olock_create_table_request ct = olock_create_table_request_default();
    olock_response res;
    olock_error err;
    int i;
    ct.table = TABLE;
    ct.hash_key = "id";
    ct.hash_type = OLOCK_TYPE_S;
    if (olock_create_table(c, &ct, NULL, &err) == OLOCK_OK) printf("created table %s\n", TABLE);
    else if (strcmp(err.aws_type, "ResourceInUseException") != 0) {
        fprintf(stderr, "CreateTable: %s%s%s\n", err.aws_type, err.aws_type[0] ? ": " : "", err.message);
        return 0;
    }
    for (i = 0; i < 600; i++) {                           /* DynamoDB takes a few seconds */
        const olock_json *t, *st;
        struct timespec ts;
        if (olock_describe_table(c, TABLE, &res, &err) == OLOCK_OK && (t = olock_json_get(res.json, "Table")) &&
            (st = olock_json_get(t, "TableStatus")) && st->kind == OLOCK_JSON_STRING && strcmp(st->str, "ACTIVE") == 0)
            return 1;
        ts.tv_sec = 0;
        ts.tv_nsec = 100000000L;
        nanosleep(&ts, NULL);
    }
    fprintf(stderr, "table %s did not become ACTIVE\n", TABLE);
    return 0;
}

static void print_item(const char *label, const olock_value *item) {
    olock_buf b;
    olock_buf_init(&b, NULL);
    if (item && olock_value_write_json(item, &b) == OLOCK_OK) printf("%s%.*s\n", label, (int)b.len, b.data);
    else printf("%s(not returned by this server)\n", label);
    olock_buf_free(&b);
}

int main(int argc, char **argv) {
    const char *endpoint = NULL;
    olock_fake *fake = NULL;
    olock_client *c;
    olock_item *order = NULL, *key = NULL;
    olock_expr *pay = NULL;
    olock_item_request put = olock_item_request_default();
    olock_item_request upd = olock_item_request_default();
    olock_item_request del = olock_item_request_default();
    olock_write_result res;
    olock_error err;
    olock_result rc;
    char id[64];
    int i, ok = 1;

    for (i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--endpoint") == 0 && i + 1 < argc) endpoint = argv[++i];
        else { fprintf(stderr, "usage: %s [--endpoint URL]\n", argv[0]); return 2; }
    }
    if (!endpoint) endpoint = getenv("AWS_ENDPOINT_URL_DYNAMODB");
    if (endpoint && !*endpoint) endpoint = NULL;
    c = connect_client(endpoint, &fake);
    if (!c) return 1;
    printf("endpoint: %s\n", endpoint ? endpoint : "(none: the in-process fake)");
    if (!ensure_table(c)) { olock_client_destroy(c); olock_fake_destroy(fake); return 1; }

    /* 1. A new order: expected version 0 means "must not exist yet". */
    snprintf(id, sizeof id, "order-%ld-%ld", (long)time(NULL), (long)getpid());
    olock_item_create(NULL, &order);
    olock_item_set_s(order, "id", id);
    olock_item_set_s(order, "status", "new");
    olock_item_set_i64(order, "total", 0);
    put.table = TABLE;
    put.item = order->root;
    rc = olock_versioned_put(c, &put, 0, &res, &err);
    printf("1. put %s: %s, version %llu\n", id, olock_result_str(rc), (unsigned long long)res.version);
    ok &= rc == OLOCK_OK && res.version == 1;

    /* 2. Pay it, only while it is "new": the builder names every attribute and value. */
    olock_item_create(NULL, &key);
    olock_item_set_s(key, "id", id);
    olock_expr_create(NULL, &pay);
    olock_expr_add_condition(pay, olock_cond_eq(pay, "status", olock_expr_s(pay, "new")));
    olock_expr_set(pay, "status", olock_expr_s(pay, "paid"));
    olock_expr_set_plus(pay, "total", NULL, olock_expr_i64(pay, 25));
    upd.table = TABLE;
    upd.key = key->root;
    if (olock_expr_render_item(pay, &upd, &err) != OLOCK_OK) {
        fprintf(stderr, "expression: %s\n", err.message);
        ok = 0;
    } else {
        printf("   update: %s  if  %s  (plus the version check)\n", upd.update, upd.condition);
        rc = olock_versioned_update(c, &upd, 1, &res, &err);
        printf("2. pay at version 1: %s, version %llu\n", olock_result_str(rc), (unsigned long long)res.version);
        ok &= rc == OLOCK_OK && res.version == 2;

        /* 3. A writer that still believes version 1 loses, and learns what is stored now. */
        rc = olock_versioned_update(c, &upd, 1, &res, &err);
        printf("3. pay again at stale version 1: %s (%s)\n", olock_result_str(rc), err.aws_type);
        print_item("   stored now: ", res.item);
        ok &= rc == OLOCK_CONFLICT;
    }

    /* 4. Delete it at the version we know. */
    del.table = TABLE;
    del.key = key->root;
    rc = olock_versioned_delete(c, &del, 2, &res, &err);
    printf("4. delete at version 2: %s, deleted %d\n", olock_result_str(rc), res.deleted);
    ok &= rc == OLOCK_OK && res.deleted;

    printf("%s\n", ok ? "every step did what it should" : "UNEXPECTED OUTCOME");
    olock_expr_destroy(pay);
    olock_item_destroy(key);
    olock_item_destroy(order);
    olock_client_destroy(c);                                /* the client first, then the fake */
    olock_fake_destroy(fake);
    return ok ? 0 : 1;
}
