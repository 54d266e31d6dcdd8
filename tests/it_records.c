/* it_records.c - typed records (issue 16) over the curl backend, against Amazon DynamoDB Local
   and dynalite (URLs in OLOCK_IT_DDBLOCAL_URL and OLOCK_IT_DYNALITE_URL, set by
   tests/integration.sh; a server whose URL is missing is a failure, never a silent pass).

   Against each server: a record with every kind of field put and read back; a typed update
   with a competing writer in between (the conflict re-applied to the fresh record: DynamoDB
   Local returns it with the failed condition, dynalite does not and the engine reads it);
   attributes another client added surviving a typed update; a bad stored value reported by
   field name with nothing written; a delete by key. DynamoDB Local only: a transaction of
   two records (dynalite has no transactions). The last line is "N passed, N failed". */
#define _POSIX_C_SOURCE 200809L
#ifndef OLOCK_TEST_LINKED   /* else tests/integration.sh links build/san/libolock_impl.a (tests/impl/) */
#define OLOCK_IMPLEMENTATION
#define OLOCK_CURL_IMPLEMENTATION
#endif
#include "olock.h"
#include "olock_curl.h"
#include "olock_test.h"

#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct slot { char item[24]; uint16_t count; };
static const olock_field slot_fields[] = {
    OLOCK_FIELD_STR(struct slot, item, 0),
    OLOCK_FIELD_UINT(struct slot, count, 0),
};
static const olock_record_type slot_type = OLOCK_RECORD_TYPE(struct slot, slot_fields);

struct player {
    char id[40];
    uint64_t version;
    int64_t gold;
    int8_t level;
    double speed;
    int online;
    int has_guild;
    char guild[16];
    unsigned char badge[8];
    size_t badge_len;
    struct slot bag[4];
    size_t bag_count;
    char tags[4][8];
    size_t tag_count;
    int32_t friends[4];
    size_t friend_count;
};
static const olock_field player_fields[] = {
    OLOCK_FIELD_STR(struct player, id, OLOCK_F_HASH_KEY),
    OLOCK_FIELD_UINT(struct player, version, OLOCK_F_VERSION),
    OLOCK_FIELD_INT(struct player, gold, 0),
    OLOCK_FIELD_INT(struct player, level, 0),
    OLOCK_FIELD_DOUBLE(struct player, speed, 0),
    OLOCK_FIELD_BOOL(struct player, online, 0),
    OLOCK_FIELD_STR(struct player, guild, OLOCK_F_PRESENT(struct player, has_guild)),
    OLOCK_FIELD_BYTES(struct player, badge, badge_len, 0),
    OLOCK_FIELD_LIST_STRUCT(struct player, bag, bag_count, &slot_type, 0),
    OLOCK_FIELD_SET(struct player, tags, tag_count, OLOCK_FK_STR, 0),
    OLOCK_FIELD_SET(struct player, friends, friend_count, OLOCK_FK_INT, 0),
};
static const olock_record_type player_type = OLOCK_RECORD_TYPE(struct player, player_fields);

static const char *g_name;
static char g_table[64];
static olock_client *g_rival;

static olock_client *new_client(const char *url) {
    olock_config cfg;
    if (olock_test_local_config(url, &cfg, NULL) != OLOCK_OK) return NULL;
    olock_record_versioning(&player_type, &cfg.versioning);
    return olock_test_client(&cfg);
}

/* dynalite creates a table in the CREATING state and refuses items until it is ACTIVE (for a
   few hundred ms); DynamoDB Local is ACTIVE at once. Polls DescribeTable for up to 10 s. */
static int table_active(olock_client *c, const char *table) {
    int tries;
    for (tries = 0; tries < 200; tries++) {
        olock_response res;
        const olock_json *desc = NULL, *status = NULL;
        struct timespec pause = {0, 50 * 1000000L};
        if (olock_describe_table(c, table, &res, NULL) == OLOCK_OK && res.json) {
            desc = olock_json_get(res.json, "Table");
            status = desc ? olock_json_get(desc, "TableStatus") : NULL;
            if (status && status->kind == OLOCK_JSON_STRING && strcmp(status->str, "ACTIVE") == 0) return 1;
        }
        nanosleep(&pause, NULL);
    }
    return 0;
}

static void player_init(struct player *p, const char *id) {
    memset(p, 0, sizeof *p);
    snprintf(p->id, sizeof p->id, "%s", id);
}

static void full_player(struct player *p, const char *id) {
    player_init(p, id);
    p->gold = 120; p->level = -3; p->speed = 2.5; p->online = 1;
    p->has_guild = 1; snprintf(p->guild, sizeof p->guild, "%s", "owls");
    memcpy(p->badge, "\x01\x00\xff", 3); p->badge_len = 3;
    snprintf(p->bag[0].item, sizeof p->bag[0].item, "%s", "potion"); p->bag[0].count = 2; p->bag_count = 1;
    snprintf(p->tags[0], sizeof p->tags[0], "%s", "eu"); snprintf(p->tags[1], sizeof p->tags[1], "%s", "pvp"); p->tag_count = 2;
    p->friends[0] = 7; p->friends[1] = -9; p->friend_count = 2;
}

static olock_mutation raw_gold(void *user, olock_item *it, int exists) {
    int64_t g = 0;
    (void)user; (void)exists;
    olock_item_get_i64(it, "gold", &g);
    olock_item_set_i64(it, "gold", g + 1000);
    olock_item_set_s(it, "anticheat", "ok");          /* not in the table */
    return OLOCK_MUTATE_WRITE;
}

static unsigned g_calls;
static olock_mutation loot(void *user, void *rec, int exists) {
    struct player *p = (struct player *)rec;
    int64_t *seen = (int64_t *)user;
    (void)exists;
    if (g_calls < 4) seen[g_calls] = p->gold;
    if (g_calls++ == 0) {                              /* another server writes in between */
        olock_item *key = NULL;
        olock_item_create(NULL, &key);
        olock_item_set_s(key, "id", p->id);
        CHECK(olock_update(g_rival, g_table, key->root, raw_gold, NULL, NULL, NULL) == OLOCK_OK);
        olock_item_destroy(key);
    }
    p->gold += 5;
    p->bag[0].count++;
    return OLOCK_MUTATE_WRITE;
}

static olock_mutation spoil(void *user, olock_item *it, int exists) {
    (void)user; (void)exists;
    olock_item_set_i64(it, "level", 200);
    return OLOCK_MUTATE_WRITE;
}

static void run_server(const char *name, const char *url, int transactions) {
    olock_client *c;
    olock_create_table_request t = olock_create_table_request_default();
    struct player p, q;
    olock_item *raw = NULL, *key = NULL;
    olock_write_result res;
    olock_error err;
    int64_t seen[4] = {0, 0, 0, 0};
    const char *s = NULL;
    uint64_t v0 = 0;
    g_name = name;
    olock_test_current = name;
    if (!url || !*url) { fprintf(stderr, "%s: no URL\n", name); CHECK(!"server URL set"); return; }
    c = new_client(url);
    g_rival = new_client(url);
    if (!c || !g_rival) { CHECK(!"clients"); return; }
    snprintf(g_table, sizeof g_table, "records_%ld_%d", (long)time(NULL), (int)(rand() % 100000));
    t.table = g_table; t.hash_key = "id"; t.hash_type = OLOCK_TYPE_S;
    CHECK(olock_create_table(c, &t, NULL, &err) == OLOCK_OK);
    CHECK(table_active(c, g_table));

    /* put and get, every kind of field */
    full_player(&p, "p1");
    CHECK(olock_record_put(c, &player_type, g_table, &p, &res, &err) == OLOCK_OK);
    if (err.code) fprintf(stderr, "%s: olock_record_put: %s\n", name, err.message);
    CHECK_EQ_INT(p.version, 1);
    player_init(&q, "p1");
    CHECK(olock_record_get(c, &player_type, g_table, &q, 1, NULL, &err) == OLOCK_OK);
    CHECK(q.gold == 120 && q.level == -3 && q.speed == 2.5 && q.online == 1 && q.has_guild && strcmp(q.guild, "owls") == 0);
    CHECK(q.badge_len == 3 && memcmp(q.badge, "\x01\x00\xff", 3) == 0);
    CHECK(q.bag_count == 1 && strcmp(q.bag[0].item, "potion") == 0 && q.bag[0].count == 2);
    CHECK(q.tag_count == 2 && q.friend_count == 2 && q.version == 1);

    /* typed update with a competing writer: re-applied to the fresh record */
    player_init(&p, "p1");
    g_calls = 0;
    CHECK(olock_record_update(c, &player_type, g_table, &p, loot, seen, &res, &err) == OLOCK_OK);
    CHECK_EQ_INT(g_calls, 2);
    CHECK_EQ_INT(seen[0], 120);
    CHECK_EQ_INT(seen[1], 1120);
    CHECK_EQ_INT(p.gold, 1125);
    CHECK_EQ_INT(res.conflicts, 1);
    CHECK_EQ_INT(p.version, 3);

    /* the rival's attribute, not in the table, survived; the nested change landed */
    olock_item_create(NULL, &key);
    olock_item_set_s(key, "id", "p1");
    CHECK(olock_get(c, g_table, key->root, 1, &raw, &err) == OLOCK_OK);
    CHECK(raw && olock_item_get_s(raw, "anticheat", &s) == OLOCK_OK && strcmp(s, "ok") == 0);
    CHECK(raw && olock_item_get(raw, "bag") && olock_item_get(raw, "bag")->count == 1);
    olock_item_destroy(raw);
    raw = NULL;

    /* a bad stored value: the error names the field, nothing is written */
    CHECK(olock_update(g_rival, g_table, key->root, spoil, NULL, &res, &err) == OLOCK_OK);
    v0 = res.version;
    player_init(&p, "p1");
    g_calls = 1;
    CHECK(olock_record_update(c, &player_type, g_table, &p, loot, seen, &res, &err) == OLOCK_ERR_RANGE);
    CHECK(strstr(err.message, "field 'level'") != NULL && strstr(err.message, "int8_t") != NULL);
    CHECK(olock_get(c, g_table, key->root, 1, &raw, &err) == OLOCK_OK);
    CHECK(raw && olock_item_version(raw->root, NULL, &res.version) == OLOCK_OK && res.version == v0);
    olock_item_destroy(raw);
    raw = NULL;

    /* delete by key and version */
    player_init(&p, "p1");
    p.version = v0 - 1;
    CHECK(olock_record_delete(c, &player_type, g_table, &p, &res, &err) == OLOCK_CONFLICT);
    p.version = v0;
    CHECK(olock_record_delete(c, &player_type, g_table, &p, &res, &err) == OLOCK_OK);
    CHECK(olock_record_get(c, &player_type, g_table, &p, 1, NULL, &err) == OLOCK_ERR_NOT_FOUND);

    if (transactions) {
        olock_txn *txn = NULL;
        struct player a, b;
        full_player(&a, "ta");
        full_player(&b, "tb");
        CHECK(olock_txn_create(c, &txn) == OLOCK_OK);
        CHECK(olock_txn_record_put(txn, &player_type, g_table, &a, &err) == OLOCK_OK);
        CHECK(olock_txn_record_put(txn, &player_type, g_table, &b, &err) == OLOCK_OK);
        CHECK(olock_txn_commit(c, txn, &res, &err) == OLOCK_OK);
        olock_txn_reset(txn);
        a.version = 1; b.version = 0;              /* b is stale: all or nothing */
        a.gold = 0;
        CHECK(olock_txn_record_put(txn, &player_type, g_table, &a, &err) == OLOCK_OK);
        CHECK(olock_txn_record_delete(txn, &player_type, g_table, &b, &err) == OLOCK_OK);
        CHECK(olock_txn_commit(c, txn, &res, &err) == OLOCK_CONFLICT);
        CHECK_EQ_INT(res.failed_action, 1);
        player_init(&a, "ta");
        CHECK(olock_record_get(c, &player_type, g_table, &a, 1, NULL, &err) == OLOCK_OK && a.gold == 120 && a.version == 1);
        olock_txn_destroy(txn);
    }
    olock_delete_table(c, g_table, NULL, NULL);
    olock_item_destroy(key);
    olock_client_destroy(g_rival);
    olock_client_destroy(c);
}

int main(void) {
    srand((unsigned)time(NULL));
    curl_global_init(CURL_GLOBAL_DEFAULT);
    run_server("ddblocal", getenv("OLOCK_IT_DDBLOCAL_URL"), 1);
    run_server("dynalite", getenv("OLOCK_IT_DYNALITE_URL"), 0);
    curl_global_cleanup();
    return TEST_MAIN_END();
}
