/* quickstart.c - the README's quick start: a player struct updated in one call on the
   in-process fake. Swap the fake for backends/olock_curl.h (see examples/endpoint.c) to talk
   to DynamoDB. */
#define OLOCK_IMPLEMENTATION
#define OLOCK_FAKE_IMPLEMENTATION
#include "olock.h"
#include "olock_fake.h"
#include <stdio.h>

struct player { char id[32]; uint64_t version; int64_t gold; };
static const olock_field player_fields[] = {           /* declared once: attribute = member */
    OLOCK_FIELD_STR(struct player, id, OLOCK_F_HASH_KEY),
    OLOCK_FIELD_UINT(struct player, version, OLOCK_F_VERSION),
    OLOCK_FIELD_INT(struct player, gold, 0),
};
static const olock_record_type player_type = OLOCK_RECORD_TYPE(struct player, player_fields);

/* The change to make: called again on the fresh player after a conflict, so it only looks at p. */
static olock_mutation add_gold(void *user, void *rec, int exists) {
    struct player *p = (struct player *)rec;
    (void)exists;                                       /* a new player starts at 0 gold */
    p->gold += *(int *)user;
    return OLOCK_MUTATE_WRITE;
}

int main(void) {
    olock_fake *fake = NULL;
    olock_client *db = NULL;
    olock_config cfg = olock_config_default();
    olock_create_table_request table = olock_create_table_request_default();
    struct player p = {"player-7", 0, 0};
    olock_error err;
    int amount = 10;

    olock_fake_create(NULL, &fake);                     /* or olock_curl_create + cfg.endpoint */
    cfg.transport = olock_fake_transport(fake);
    if (olock_client_create(&cfg, &db, &err) != OLOCK_OK) return 1;
    table.table = "players"; table.hash_key = "id"; table.hash_type = OLOCK_TYPE_S;
    olock_create_table(db, &table, NULL, &err);

    if (olock_record_update(db, &player_type, "players", &p, add_gold, &amount, NULL, &err) != OLOCK_OK) {
        fprintf(stderr, "%s\n", err.message);           /* a bad stored value names its field */
        return 1;
    }
    printf("%s has %lld gold at version %llu\n", p.id, (long long)p.gold, (unsigned long long)p.version);

    olock_client_destroy(db);                           /* the client first, then the fake */
    olock_fake_destroy(fake);
    return 0;
}
