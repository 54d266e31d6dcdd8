/* A user's program built against an installed or embedded olock (tests/packaging.sh): the
   implementation in this one file, a fake DynamoDB, one versioned update. Exits 0 on success. */
#define OLOCK_IMPLEMENTATION
#define OLOCK_FAKE_IMPLEMENTATION
#include "olock.h"
#include "olock_fake.h"
#include <stdio.h>
#include <string.h>

static olock_mutation add_one(void *user, olock_item *item, int exists) {
    int64_t n = 0;
    (void)user;
    if (exists) olock_item_get_i64(item, "n", &n);
    olock_item_set_i64(item, "n", n + 1);
    return OLOCK_MUTATE_WRITE;
}

int main(void) {
    olock_fake *fake = NULL;
    olock_client *db = NULL;
    olock_config cfg = olock_config_default();
    olock_create_table_request table;
    olock_item *key = NULL;
    olock_write_result res;
    olock_error err;
    int ok;

    if (olock_fake_create(NULL, &fake) != OLOCK_OK) return 1;
    cfg.transport = olock_fake_transport(fake);
    if (olock_client_create(&cfg, &db, &err) != OLOCK_OK) return 1;
    memset(&table, 0, sizeof table);
    table.table = "counters"; table.hash_key = "id"; table.hash_type = OLOCK_TYPE_S;
    if (olock_create_table(db, &table, NULL, &err) != OLOCK_OK) return 1;
    if (olock_item_create(NULL, &key) != OLOCK_OK) return 1;
    olock_item_set_s(key, "id", "c1");
    ok = olock_update(db, "counters", key->root, add_one, NULL, &res, &err) == OLOCK_OK
         && res.version == 1;
    printf("olock %s: update %s, version %llu\n", OLOCK_VERSION_STRING, ok ? "ok" : "FAILED",
           (unsigned long long)res.version);
    olock_item_destroy(key);
    olock_client_destroy(db);
    olock_fake_destroy(fake);
    return ok ? 0 : 1;
}
