/* transfer.c - move gold between two players in one transaction.

   olock_update_many reads both items (TransactGetItems), lets the callback change them, and
   writes both back in one TransactWriteItems with a version check on each: either both change
   or neither does, and a conflicting writer on either player makes olock re-read and re-apply.
   Then the same with an explicit olock_txn, whose failed condition is reported per action.

   usage: transfer [--endpoint URL]   (default: the in-process fake) */
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

typedef struct transfer { int64_t amount; } transfer;

/* items[0] pays items[1]; refuses (aborts) when the payer is short. */
static olock_mutation move_gold(void *user, olock_item *const *items, const int *exists, olock_mutation *each, size_t n) {
    const transfer *t = (const transfer *)user;
    int64_t from = 0, to = 0;
    (void)n;
    if (!exists[0] || !exists[1]) return OLOCK_MUTATE_ABORT;
    olock_item_get_i64(items[0], "gold", &from);
    olock_item_get_i64(items[1], "gold", &to);
    if (from < t->amount) return OLOCK_MUTATE_ABORT;
    olock_item_set_i64(items[0], "gold", from - t->amount);
    olock_item_set_i64(items[1], "gold", to + t->amount);
    each[0] = each[1] = OLOCK_MUTATE_WRITE;
    return OLOCK_MUTATE_WRITE;
}

static int64_t gold_of(olock_client *db, const olock_value *key) {
    olock_item *account = NULL;
    int64_t g = -1;
    if (olock_get(db, "accounts", key, 1, &account, NULL) == OLOCK_OK) olock_item_get_i64(account, "gold", &g);
    olock_item_destroy(account);
    return g;
}

int main(int argc, char **argv) {
    const char *endpoint = argc > 2 && strcmp(argv[1], "--endpoint") == 0 ? argv[2] : NULL;
    olock_fake *fake = NULL;
    olock_client *db = NULL;
    olock_config cfg = olock_config_default();
    olock_create_table_request ct = olock_create_table_request_default();
    olock_item *alice = NULL, *bob = NULL;
    olock_key_ref keys[2];
    olock_write_result res;
    olock_error err;
    olock_txn *txn = NULL;
    transfer t;
    olock_result rc;
    uint64_t va, vb;
    if (endpoint) {
#ifdef OLOCK_EXAMPLE_CURL
        olock_curl *http = NULL;
        olock_curl_create(NULL, &http);
        cfg.transport = olock_curl_transport(http);
        cfg.endpoint = endpoint;
        if (!getenv("AWS_REGION")) cfg.region = "us-east-1";
        if (!getenv("AWS_ACCESS_KEY_ID")) { cfg.credentials.access_key_id = "AKIDLOCAL"; cfg.credentials.secret_access_key = "local"; }
#else
        fprintf(stderr, "built without libcurl\n");
        return 2;
#endif
    } else {
        olock_fake_create(NULL, &fake);
        cfg.transport = olock_fake_transport(fake);
        cfg.ignore_environment = 1;
    }
    if (olock_client_create(&cfg, &db, &err) != OLOCK_OK) { fprintf(stderr, "%s\n", err.message); return 1; }
    ct.table = "accounts"; ct.hash_key = "id"; ct.hash_type = OLOCK_TYPE_S;
    olock_create_table(db, &ct, NULL, NULL);

    /* Two accounts, written with versions (expected version 0: "must be new"). */
    olock_item_create(NULL, &alice); olock_item_set_s(alice, "id", "alice"); olock_item_set_i64(alice, "gold", 100);
    olock_item_create(NULL, &bob); olock_item_set_s(bob, "id", "bob"); olock_item_set_i64(bob, "gold", 20);
    {
        olock_item_request r = olock_item_request_default();
        r.table = "accounts";
        r.item = alice->root;
        if (olock_versioned_put(db, &r, 0, &res, &err) != OLOCK_OK) olock_put_item(db, &r, NULL, NULL);  /* rerun: reset */
        r.item = bob->root;
        if (olock_versioned_put(db, &r, 0, &res, &err) != OLOCK_OK) olock_put_item(db, &r, NULL, NULL);
    }
    olock_item_remove(alice, "gold");                   /* from here on: the keys */
    olock_item_remove(bob, "gold");

    /* 1. A read-modify-write of both items in one transaction. */
    keys[0].table = "accounts"; keys[0].key = alice->root;
    keys[1].table = "accounts"; keys[1].key = bob->root;
    t.amount = 30;
    rc = olock_update_many(db, keys, 2, move_gold, &t, &res, &err);
    printf("transfer 30: %s (%u requests)  alice=%lld bob=%lld\n", olock_result_str(rc), res.requests,
           (long long)gold_of(db, alice->root), (long long)gold_of(db, bob->root));
    t.amount = 1000;
    rc = olock_update_many(db, keys, 2, move_gold, &t, &res, &err);
    printf("transfer 1000: %s (refused by the callback)\n", olock_result_str(rc));

    /* 2. An explicit transaction with a stale version on bob: cancelled, nothing applied. */
    olock_txn_create(db, &txn);
    va = 2; vb = 1;                                     /* alice is at 2, bob is at 2: vb is stale */
    olock_txn_check(txn, "accounts", alice->root, va);
    olock_txn_delete(txn, "accounts", bob->root, vb);
    rc = olock_txn_commit(db, txn, &res, &err);
    printf("stale transaction: %s; action %ld failed (%s), bob still has %lld gold\n", olock_result_str(rc),
           res.failed_action == (size_t)-1 ? -1L : (long)res.failed_action,
           olock_txn_reason(txn, 1) ? olock_txn_reason(txn, 1) : "-", (long long)gold_of(db, bob->root));
    olock_txn_destroy(txn);
    olock_item_destroy(alice);
    olock_item_destroy(bob);
    olock_client_destroy(db);
    olock_fake_destroy(fake);
    return rc == OLOCK_CONFLICT ? 0 : 1;
}
