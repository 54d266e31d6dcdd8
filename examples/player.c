/* player.c - a game server's player as a C struct: the field table declared once, a typed
   read-modify-write with one call, a nested inventory, attributes another service added kept
   intact, and a bad stored value reported by field name. On the in-process fake.

   Exits 0 only when every promise held: both servers' gold arrived (no lost update), the
   inventory changed as asked, the other service's attribute survived, and the error named
   the field. */
#define OLOCK_IMPLEMENTATION
#define OLOCK_FAKE_IMPLEMENTATION
#include "olock.h"
#include "olock_fake.h"
#include <stdio.h>
#include <string.h>

/* The inventory: a nested record, stored as a list of maps. */
struct slot { char item[24]; uint16_t count; };
static const olock_field slot_fields[] = {
    OLOCK_FIELD_STR(struct slot, item, 0),
    OLOCK_FIELD_UINT(struct slot, count, 0),
};
static const olock_record_type slot_type = OLOCK_RECORD_TYPE(struct slot, slot_fields);

struct player {
    char id[32];
    uint64_t version;              /* olock's: the version the struct was read at */
    int64_t gold;
    uint8_t level;
    int has_guild;                 /* 0: no "guild" attribute */
    char guild[24];
    struct slot inventory[8];
    size_t inventory_count;
};
static const olock_field player_fields[] = {
    OLOCK_FIELD_STR(struct player, id, OLOCK_F_HASH_KEY),
    OLOCK_FIELD_UINT(struct player, version, OLOCK_F_VERSION),
    OLOCK_FIELD_INT(struct player, gold, 0),
    OLOCK_FIELD_UINT(struct player, level, 0),
    OLOCK_FIELD_STR(struct player, guild, OLOCK_F_PRESENT(struct player, has_guild)),
    OLOCK_FIELD_LIST_STRUCT(struct player, inventory, inventory_count, &slot_type, 0),
};
static const olock_record_type player_type = OLOCK_RECORD_TYPE(struct player, player_fields);

/* A loot drop: gold and one more of an item. Called again on the fresh player after a
   conflict, so it only looks at the struct. */
struct loot { int gold; const char *item; };
static olock_mutation pick_up(void *user, void *rec, int exists) {
    const struct loot *l = (const struct loot *)user;
    struct player *p = (struct player *)rec;
    size_t i;
    (void)exists;
    p->gold += l->gold;
    for (i = 0; i < p->inventory_count; i++)
        if (strcmp(p->inventory[i].item, l->item) == 0) { p->inventory[i].count++; return OLOCK_MUTATE_WRITE; }
    if (p->inventory_count == sizeof p->inventory / sizeof p->inventory[0]) return OLOCK_MUTATE_ABORT; /* bag full */
    snprintf(p->inventory[i].item, sizeof p->inventory[i].item, "%s", l->item);
    p->inventory[i].count = 1;
    p->inventory_count++;
    return OLOCK_MUTATE_WRITE;
}

/* Another service (anti-cheat) stamps the item with an attribute the game server's struct does
   not know about. */
static olock_mutation stamp(void *user, olock_item *it, int exists) {
    (void)user; (void)exists;
    olock_item_set_s(it, "anticheat", "reviewed 2026-12-06");
    return OLOCK_MUTATE_WRITE;
}
static olock_mutation spoil(void *user, olock_item *it, int exists) {
    (void)user; (void)exists;
    olock_item_set_i64(it, "level", 300);             /* does not fit the struct's uint8_t */
    return OLOCK_MUTATE_WRITE;
}

int main(void) {
    olock_fake *fake = NULL;
    olock_client *server_a = NULL, *server_b = NULL;
    olock_config cfg = olock_config_default();
    olock_create_table_request table = olock_create_table_request_default();
    struct player p;
    struct loot coins = {25, "potion"}, sword = {5, "sword"};
    olock_item *key = NULL;
    olock_write_result res;
    olock_error err;
    const char *stamp_text = NULL;
    int i, ok = 1;

    olock_fake_create(NULL, &fake);
    cfg.transport = olock_fake_transport(fake);
    olock_record_versioning(&player_type, &cfg.versioning);   /* "version", from the table */
    if (olock_client_create(&cfg, &server_a, &err) != OLOCK_OK || olock_client_create(&cfg, &server_b, &err) != OLOCK_OK) return 1;
    table.table = "players"; table.hash_key = "id"; table.hash_type = OLOCK_TYPE_S;
    olock_create_table(server_a, &table, NULL, &err);

    /* A new player: a versioned create (version 0 expected). */
    memset(&p, 0, sizeof p);
    snprintf(p.id, sizeof p.id, "%s", "player-7");
    p.level = 3;
    p.has_guild = 1;
    snprintf(p.guild, sizeof p.guild, "%s", "night owls");
    if (olock_record_put(server_a, &player_type, "players", &p, &res, &err) != OLOCK_OK) { fprintf(stderr, "%s\n", err.message); return 1; }

    olock_item_create(NULL, &key);
    olock_item_set_s(key, "id", "player-7");
    olock_update(server_b, "players", key->root, stamp, NULL, NULL, &err);

    /* Two servers hand out loot to the same player, interleaved: every drop lands once. */
    for (i = 0; i < 10; i++) {
        struct player mine;
        memset(&mine, 0, sizeof mine);
        snprintf(mine.id, sizeof mine.id, "%s", "player-7");
        if (olock_record_update(i % 2 ? server_b : server_a, &player_type, "players", &mine, pick_up,
                                i % 2 ? (void *)&sword : (void *)&coins, &res, &err) != OLOCK_OK) {
            fprintf(stderr, "update: %s\n", err.message);
            return 1;
        }
    }

    memset(&p, 0, sizeof p);
    snprintf(p.id, sizeof p.id, "%s", "player-7");
    if (olock_record_get(server_a, &player_type, "players", &p, 1, NULL, &err) != OLOCK_OK) { fprintf(stderr, "%s\n", err.message); return 1; }
    printf("%s: version %llu, level %u, guild %s, %lld gold\n", p.id, (unsigned long long)p.version, (unsigned)p.level,
           p.has_guild ? p.guild : "(none)", (long long)p.gold);
    for (i = 0; i < (int)p.inventory_count; i++) printf("  %-8s x%u\n", p.inventory[i].item, (unsigned)p.inventory[i].count);
    ok &= p.gold == 5 * 25 + 5 * 5 && p.inventory_count == 2 && p.inventory[0].count == 5 && p.inventory[1].count == 5;
    ok &= p.version == 12;                               /* create, stamp, ten drops */

    /* The attribute the struct does not describe is still there, exactly. */
    {
        olock_item *raw = NULL;
        if (olock_get(server_a, "players", key->root, 1, &raw, &err) == OLOCK_OK && olock_item_get_s(raw, "anticheat", &stamp_text) == OLOCK_OK)
            printf("anticheat: %s\n", stamp_text);
        ok &= stamp_text && strcmp(stamp_text, "reviewed 2026-12-06") == 0;
        olock_item_destroy(raw);
    }

    /* A stored value the struct cannot hold: the error names the field, nothing is written. */
    olock_update(server_b, "players", key->root, spoil, NULL, NULL, &err);
    memset(&p, 0, sizeof p);
    snprintf(p.id, sizeof p.id, "%s", "player-7");
    if (olock_record_update(server_a, &player_type, "players", &p, pick_up, &coins, &res, &err) != OLOCK_ERR_RANGE) ok = 0;
    printf("bad level: %s (%s)\n", olock_result_str(err.code), err.message);
    ok &= strstr(err.message, "field 'level'") != NULL;

    olock_item_destroy(key);
    olock_client_destroy(server_a);
    olock_client_destroy(server_b);
    olock_fake_destroy(fake);
    printf("%s\n", ok ? "ok" : "FAILED");
    return ok ? 0 : 1;
}
