/* quickstart.c - the README's quick start: one read-modify-write on the in-process fake.
   Swap the fake for backends/olock_curl.h (see examples/endpoint.c) to talk to DynamoDB. */
#define OLOCK_IMPLEMENTATION
#define OLOCK_FAKE_IMPLEMENTATION
#include "olock.h"
#include "olock_fake.h"
#include <stdio.h>

/* The change to make, as a function of the current item: it may be called again on a fresher
   item after a conflict, so it only looks at `player`. */
static olock_mutation add_gold(void *user, olock_item *player, int exists) {
    int64_t gold = 0;
    if (exists) olock_item_get_i64(player, "gold", &gold);
    olock_item_set_i64(player, "gold", gold + *(int *)user);
    return OLOCK_MUTATE_WRITE;
}

int main(void) {
    olock_fake *fake = NULL;
    olock_client *db = NULL;
    olock_config cfg = olock_config_default();
    olock_create_table_request table = olock_create_table_request_default();
    olock_item *key = NULL;
    olock_write_result res;
    olock_error err;
    int amount = 10;

    olock_fake_create(NULL, &fake);                     /* or olock_curl_create + cfg.endpoint */
    cfg.transport = olock_fake_transport(fake);
    if (olock_client_create(&cfg, &db, &err) != OLOCK_OK) return 1;

    table.table = "players"; table.hash_key = "id"; table.hash_type = OLOCK_TYPE_S;
    olock_create_table(db, &table, NULL, &err);

    olock_item_create(NULL, &key);
    olock_item_set_s(key, "id", "player-7");
    if (olock_update(db, "players", key->root, add_gold, &amount, &res, &err) != OLOCK_OK) {
        fprintf(stderr, "%s (%s)\n", err.message, err.aws_type);
        return 1;
    }
    printf("gold added; the item is at version %llu after %u request(s)\n",
           (unsigned long long)res.version, res.requests);

    olock_item_destroy(key);
    olock_client_destroy(db);                           /* the client first, then the fake */
    olock_fake_destroy(fake);
    return 0;
}
