/* Typed records (issue 16): a C struct described once by a field table, read, put, deleted and
   updated through the versioned engine. On the in-process fake: every kind of field both ways,
   unknown attributes surviving a typed write-back, conflicts re-applied to the fresh record,
   unknown outcomes (a lost response) settled by the ledger or reported as MAYBE_SENT, the
   allocation count of a steady-state typed update, and each bad stored value's error naming the
   field. */
#ifndef OLOCK_TEST_LINKED   /* else the Makefile links build/<flavour>/libolock_impl.a (tests/impl/) */
#define OLOCK_IMPLEMENTATION
#define OLOCK_FAKE_IMPLEMENTATION
#endif
#include "olock.h"
#include "olock_fake.h"
#include "olock_test.h"
#include <stdbool.h>
#include <math.h>

#define TABLE "players"

struct stack { char name[16]; uint16_t count; };
static const olock_field stack_fields[] = {
    OLOCK_FIELD_STR(struct stack, name, 0),
    OLOCK_FIELD_UINT(struct stack, count, 0),
};
static const olock_record_type stack_type = OLOCK_RECORD_TYPE(struct stack, stack_fields);

struct stats { int32_t hp; int32_t mp; };
static const olock_field stats_fields[] = {
    OLOCK_FIELD_INT(struct stats, hp, 0),
    OLOCK_FIELD_INT(struct stats, mp, 0),
};
static const olock_record_type stats_type = OLOCK_RECORD_TYPE(struct stats, stats_fields);

struct player {
    char id[24];
    uint64_t version;
    int64_t gold;
    int8_t level;
    uint32_t xp;
    double speed;
    bool online;
    int banned;
    int has_guild;
    char guild[16];
    unsigned char avatar[8];
    size_t avatar_len;
    struct stats stats;
    struct stack bag[4];
    size_t bag_count;
    int32_t scores[4];
    uint8_t score_count;
    char tags[3][8];
    size_t tag_count;
    uint16_t lucky[3];
    int lucky_count;
    const char *motto;
};
static const olock_field player_fields[] = {
    OLOCK_FIELD_STR(struct player, id, OLOCK_F_HASH_KEY),
    OLOCK_FIELD_UINT(struct player, version, OLOCK_F_VERSION),
    OLOCK_FIELD_INT(struct player, gold, 0),
    OLOCK_FIELD_INT(struct player, level, 0),
    OLOCK_FIELD_UINT(struct player, xp, 0),
    OLOCK_FIELD_DOUBLE(struct player, speed, 0),
    OLOCK_FIELD_BOOL(struct player, online, 0),
    OLOCK_FIELD_BOOL(struct player, banned, 0),
    OLOCK_FIELD_STR(struct player, guild, OLOCK_F_PRESENT(struct player, has_guild)),
    OLOCK_FIELD_BYTES(struct player, avatar, avatar_len, 0),
    OLOCK_FIELD_STRUCT(struct player, stats, &stats_type, 0),
    OLOCK_FIELD_LIST_STRUCT(struct player, bag, bag_count, &stack_type, 0),
    OLOCK_FIELD_LIST(struct player, scores, score_count, OLOCK_FK_INT, 0),
    OLOCK_FIELD_SET(struct player, tags, tag_count, OLOCK_FK_STR, 0),
    OLOCK_FIELD_SET(struct player, lucky, lucky_count, OLOCK_FK_UINT, 0),
    OLOCK_FIELD_STR_PTR(struct player, motto, 0),
};
static const olock_record_type player_type = OLOCK_RECORD_TYPE(struct player, player_fields);

/* A record with a numeric hash key and a string range key, for the key paths. */
struct score { int32_t season; char who[16]; int64_t points; int version; };
static const olock_field score_fields[] = {
    OLOCK_FIELD_INT(struct score, season, OLOCK_F_HASH_KEY),
    OLOCK_FIELD_STR(struct score, who, OLOCK_F_RANGE_KEY),
    OLOCK_FIELD_INT_AS("Points", struct score, points, 0),   /* an attribute not named as its member */
    OLOCK_FIELD_INT(struct score, version, OLOCK_F_VERSION),
};
static const olock_record_type score_type = OLOCK_RECORD_TYPE(struct score, score_fields);

static olock_fake *g_fake;
static olock_item *g_kept;      /* an item a typed get keeps */

static olock_client *client_with(const olock_allocator *a, const char *ledger, unsigned cache) {
    olock_config cfg = olock_config_default();
    olock_client *c = NULL;
    cfg.transport = olock_fake_transport(g_fake);
    olock_record_versioning(&player_type, &cfg.versioning);
    if (ledger) cfg.versioning.token_attribute = ledger;
    if (a) cfg.allocator = *a;
    cfg.cache_entries = cache;
    return olock_client_create(&cfg, &c, NULL) == OLOCK_OK ? c : NULL;
}
static olock_client *client(void) { return client_with(NULL, NULL, 0); }

static void make_tables(void) {
    olock_client *c = client();
    olock_create_table_request t = olock_create_table_request_default();
    t.table = TABLE; t.hash_key = "id"; t.hash_type = OLOCK_TYPE_S;
    CHECK(olock_create_table(c, &t, NULL, NULL) == OLOCK_OK);
    t.table = "scores"; t.hash_key = "season"; t.hash_type = OLOCK_TYPE_N; t.range_key = "who"; t.range_type = OLOCK_TYPE_S;
    CHECK(olock_create_table(c, &t, NULL, NULL) == OLOCK_OK);
    olock_client_destroy(c);
}

static void full_player(struct player *p, const char *id) {
    memset(p, 0, sizeof *p);
    snprintf(p->id, sizeof p->id, "%s", id);
    p->gold = -5000000000LL;
    p->level = -7;
    p->xp = 4000000000u;
    p->speed = 1.25;
    p->online = true;
    p->banned = 0;
    p->has_guild = 1;
    snprintf(p->guild, sizeof p->guild, "%s", "night owls");
    memcpy(p->avatar, "\x00\x01\xfe\xff", 4);
    p->avatar_len = 4;
    p->stats.hp = 90; p->stats.mp = -3;
    snprintf(p->bag[0].name, sizeof p->bag[0].name, "%s", "potion"); p->bag[0].count = 3;
    snprintf(p->bag[1].name, sizeof p->bag[1].name, "%s", "sword"); p->bag[1].count = 65535;
    p->bag_count = 2;
    p->scores[0] = 10; p->scores[1] = -20; p->scores[2] = 2147483647; p->score_count = 3;
    snprintf(p->tags[0], sizeof p->tags[0], "%s", "pvp"); snprintf(p->tags[1], sizeof p->tags[1], "%s", "eu");
    p->tag_count = 2;
    p->lucky[0] = 7; p->lucky[1] = 13; p->lucky_count = 2;
    p->motto = "never give up";
}

/* Whether two players hold the same record (sets compared as sets of two). */
static int same_player(const struct player *a, const struct player *b) {
    size_t i;
    if (strcmp(a->id, b->id) || a->gold != b->gold || a->level != b->level || a->xp != b->xp || a->speed != b->speed) return 0;
    if (a->online != b->online || a->banned != b->banned || a->has_guild != b->has_guild || strcmp(a->guild, b->guild)) return 0;
    if (a->avatar_len != b->avatar_len || memcmp(a->avatar, b->avatar, a->avatar_len)) return 0;
    if (a->stats.hp != b->stats.hp || a->stats.mp != b->stats.mp || a->bag_count != b->bag_count) return 0;
    for (i = 0; i < a->bag_count; i++)
        if (strcmp(a->bag[i].name, b->bag[i].name) || a->bag[i].count != b->bag[i].count) return 0;
    if (a->score_count != b->score_count || memcmp(a->scores, b->scores, sizeof a->scores[0] * a->score_count)) return 0;
    if (a->tag_count != b->tag_count || a->lucky_count != b->lucky_count) return 0;
    if (!a->motto != !b->motto || (a->motto && strcmp(a->motto, b->motto))) return 0;
    return 1;
}

/* ---- the table itself ---- */

TEST(test_table_checks) {
    struct bad_int { int8_t ok; long double ld; };
    static const olock_field two_hash[] = {
        OLOCK_FIELD_STR(struct stack, name, OLOCK_F_HASH_KEY),
        OLOCK_FIELD_UINT(struct stack, count, OLOCK_F_HASH_KEY),
    };
    static const olock_record_type two_hash_type = OLOCK_RECORD_TYPE(struct stack, two_hash);
    static const olock_field dbl_key[] = { OLOCK_FIELD_DOUBLE(struct player, speed, OLOCK_F_HASH_KEY) };
    static const olock_record_type dbl_key_type = OLOCK_RECORD_TYPE(struct player, dbl_key);
    struct stack s;
    olock_error err;
    memset(&s, 0, sizeof s);
    CHECK(olock_record_decode(&two_hash_type, NULL, &s, &err) == OLOCK_ERR_INVALID_ARG);
    CHECK(strstr(err.message, "more than one hash key") != NULL);
    CHECK(olock_record_decode(&dbl_key_type, NULL, &s, &err) == OLOCK_ERR_INVALID_ARG);
    CHECK(strstr(err.message, "'speed'") != NULL);
    CHECK(olock_record_decode(&player_type, NULL, NULL, &err) == OLOCK_ERR_INVALID_ARG);
    (void)sizeof(struct bad_int);
}

/* Every kind of field written and read back through a put and a get. */
TEST(test_put_get_roundtrip) {
    olock_client *c = client();
    struct player p, q;
    olock_item *kept = NULL;
    olock_write_result res;
    olock_error err;
    full_player(&p, "rt-1");
    CHECK(olock_record_put(c, &player_type, TABLE, &p, &res, &err) == OLOCK_OK);
    CHECK_EQ_INT(p.version, 1);
    memset(&q, 0xab, sizeof q);
    memset(q.id, 0, sizeof q.id);
    snprintf(q.id, sizeof q.id, "%s", "rt-1");
    CHECK(olock_record_get(c, &player_type, TABLE, &q, 1, &kept, &err) == OLOCK_OK);
    CHECK(same_player(&p, &q));
    CHECK_EQ_INT(q.version, 1);
    CHECK(q.has_guild == 1);
    CHECK(kept && q.motto >= (const char *)0 && strcmp(q.motto, "never give up") == 0);
    /* The stored types are DynamoDB's natural ones. */
    CHECK(olock_item_get(kept, "avatar")->type == OLOCK_TYPE_B);
    CHECK(olock_item_get(kept, "stats")->type == OLOCK_TYPE_M);
    CHECK(olock_item_get(kept, "bag")->type == OLOCK_TYPE_L);
    CHECK(olock_item_get(kept, "tags")->type == OLOCK_TYPE_SS);
    CHECK(olock_item_get(kept, "lucky")->type == OLOCK_TYPE_NS);
    olock_item_destroy(kept);
    /* A STR_PTR field needs somewhere to point. */
    CHECK(olock_record_get(c, &player_type, TABLE, &q, 1, NULL, &err) == OLOCK_ERR_INVALID_ARG);
    CHECK(strstr(err.message, "keep") != NULL);
    /* A put expecting version 0 again is a conflict; with the version read it overwrites. */
    p.version = 0;
    CHECK(olock_record_put(c, &player_type, TABLE, &p, &res, &err) == OLOCK_CONFLICT);
    p.version = 1; p.gold = 1;
    CHECK(olock_record_put(c, &player_type, TABLE, &p, &res, &err) == OLOCK_OK);
    CHECK_EQ_INT(p.version, 2);
    /* Not there. */
    snprintf(q.id, sizeof q.id, "%s", "nobody");
    q.gold = 77;
    CHECK(olock_record_get(c, &player_type, TABLE, &q, 0, &kept, &err) == OLOCK_ERR_NOT_FOUND);
    CHECK(q.gold == 77);
    olock_client_destroy(c);
}

TEST(test_numeric_and_range_keys) {
    olock_client *c = client();
    struct score s, t;
    olock_error err;
    olock_config cfg = olock_config_default();
    memset(&s, 0, sizeof s);
    s.season = -3; snprintf(s.who, sizeof s.who, "%s", "ann"); s.points = 12;
    CHECK(olock_record_put(c, &score_type, "scores", &s, NULL, &err) == OLOCK_OK);
    memset(&t, 0, sizeof t);
    t.season = -3; snprintf(t.who, sizeof t.who, "%s", "ann");
    CHECK(olock_record_get(c, &score_type, "scores", &t, 1, NULL, &err) == OLOCK_OK);
    CHECK(t.points == 12 && t.version == 1);
    {
        olock_item *k = NULL, *got = NULL;
        int64_t pts = 0;
        olock_item_create(NULL, &k);
        olock_item_set_i64(k, "season", -3);
        olock_item_set_s(k, "who", "ann");
        CHECK(olock_get(c, "scores", k->root, 1, &got, &err) == OLOCK_OK);
        CHECK(got && olock_item_get_i64(got, "Points", &pts) == OLOCK_OK && pts == 12 && olock_item_get(got, "points") == NULL);
        olock_item_destroy(got);
        olock_item_destroy(k);
    }
    /* Delete by key: only the key and version fields are read. */
    memset(&t, 0, sizeof t);
    t.season = -3; snprintf(t.who, sizeof t.who, "%s", "ann"); t.version = 0;
    CHECK(olock_record_delete(c, &score_type, "scores", &t, NULL, &err) == OLOCK_CONFLICT);
    t.version = 1;
    CHECK(olock_record_delete(c, &score_type, "scores", &t, NULL, &err) == OLOCK_OK);
    CHECK(olock_record_get(c, &score_type, "scores", &t, 1, NULL, &err) == OLOCK_ERR_NOT_FOUND);
    /* The version field's name is the client's attribute. */
    olock_record_versioning(&score_type, &cfg.versioning);
    CHECK_EQ_STR(cfg.versioning.attribute, "version");
    olock_client_destroy(c);
}

/* ---- typed read-modify-write ---- */

static unsigned g_calls;
static olock_mutation add_gold(void *user, void *rec, int exists) {
    struct player *p = (struct player *)rec;
    (void)exists;
    g_calls++;
    p->gold += *(const int *)user;
    return OLOCK_MUTATE_WRITE;
}

static olock_mutation seen_absent(void *user, void *rec, int exists) {
    struct player *p = (struct player *)rec;
    int *ok = (int *)user;
    *ok = !exists && strcmp(p->id, "fresh") == 0 && p->gold == 0 && p->has_guild == 0 && p->bag_count == 0 && p->version == 0 &&
          p->motto == NULL;
    p->gold = 5;
    p->has_guild = 1;
    snprintf(p->guild, sizeof p->guild, "%s", "new");
    return OLOCK_MUTATE_WRITE;
}

TEST(test_update_absent_creates) {
    olock_client *c = client();
    struct player p, q;
    olock_write_result res;
    olock_error err;
    int ok = 0;
    memset(&p, 0x5a, sizeof p);            /* olock zeroes it before the function sees it */
    snprintf(p.id, sizeof p.id, "%s", "fresh");
    CHECK(olock_record_update(c, &player_type, TABLE, &p, seen_absent, &ok, &res, &err) == OLOCK_OK);
    CHECK(ok);
    CHECK_EQ_INT(p.version, 1);
    CHECK_EQ_INT(res.version, 1);
    memset(&q, 0, sizeof q);
    snprintf(q.id, sizeof q.id, "%s", "fresh");
    CHECK(olock_record_get(c, &player_type, TABLE, &q, 1, &g_kept, &err) == OLOCK_OK);
    CHECK(q.gold == 5 && q.has_guild && strcmp(q.guild, "new") == 0);
    olock_item_destroy(g_kept), g_kept = NULL;
    olock_client_destroy(c);
}

/* Another client adds attributes the table does not describe, at the top and inside a nested
   record; a typed update keeps every one of them exactly. */
static olock_mutation add_unknown(void *user, olock_item *it, int exists) {
    olock_arena *a = olock_item_arena(it);
    olock_value *stats = olock_value_copy(a, olock_item_get(it, "stats")), *l = olock_value_new_container(a, OLOCK_TYPE_L);
    (void)user; (void)exists;
    olock_item_set_s(it, "note", "keep me");
    olock_item_set_n(it, "precise", "3.14159265358979323846264338327950288");
    olock_list_append(l, olock_value_new_s(a, "x", 1));
    olock_item_put(it, "history", l);
    olock_map_put(a, stats, "regen", 5, olock_value_new_i64(a, 4));
    olock_item_put(it, "stats", stats);
    return OLOCK_MUTATE_WRITE;
}

static olock_mutation change_nested(void *user, void *rec, int exists) {
    struct player *p = (struct player *)rec;
    (void)user; (void)exists;
    p->gold += 1;
    p->stats.hp -= 10;
    p->bag[0].count++;
    p->has_guild = 0;                      /* removes the attribute */
    p->motto = "changed";
    return OLOCK_MUTATE_WRITE;
}

TEST(test_unknown_attributes_survive) {
    olock_client *c = client(), *other = client();
    struct player p;
    olock_item *key = NULL, *got = NULL;
    olock_write_result res;
    olock_error err;
    int64_t regen = 0, hp = 0;
    const char *s = NULL;
    full_player(&p, "keep-1");
    CHECK(olock_record_put(c, &player_type, TABLE, &p, NULL, &err) == OLOCK_OK);
    olock_item_create(NULL, &key);
    olock_item_set_s(key, "id", "keep-1");
    CHECK(olock_update(other, TABLE, key->root, add_unknown, NULL, NULL, &err) == OLOCK_OK);
    memset(&p, 0, sizeof p);
    snprintf(p.id, sizeof p.id, "%s", "keep-1");
    CHECK(olock_record_update(c, &player_type, TABLE, &p, change_nested, NULL, &res, &err) == OLOCK_OK);
    CHECK_EQ_INT(res.version, 3);
    CHECK(olock_get(c, TABLE, key->root, 1, &got, &err) == OLOCK_OK);
    CHECK(olock_item_get_s(got, "note", &s) == OLOCK_OK && strcmp(s, "keep me") == 0);
    CHECK(olock_item_get(got, "precise") && strcmp(olock_item_get(got, "precise")->str, "3.14159265358979323846264338327950288") == 0);
    CHECK(olock_item_get(got, "history") && olock_item_get(got, "history")->count == 1);
    CHECK(olock_map_get_i64(olock_item_get(got, "stats"), "regen", &regen) == OLOCK_OK && regen == 4);
    CHECK(olock_map_get_i64(olock_item_get(got, "stats"), "hp", &hp) == OLOCK_OK && hp == 80);
    CHECK(olock_item_get(got, "guild") == NULL);
    CHECK(olock_item_get_s(got, "motto", &s) == OLOCK_OK && strcmp(s, "changed") == 0);
    CHECK(olock_item_get(got, "olock_writers") != NULL);   /* the engine's ledger, untouched too */
    olock_item_destroy(got);
    olock_item_destroy(key);
    olock_client_destroy(c);
    olock_client_destroy(other);
}

/* The first call lets another client in; the conflict re-applies the function to the fresh
   record, whose gold includes the other client's change. */
static olock_client *g_rival;
static olock_mutation rival_gold(void *user, olock_item *it, int exists) {
    int64_t g = 0;
    (void)user; (void)exists;
    olock_item_get_i64(it, "gold", &g);
    olock_item_set_i64(it, "gold", g + 100);
    return OLOCK_MUTATE_WRITE;
}
static olock_mutation add_gold_with_rival(void *user, void *rec, int exists) {
    struct player *p = (struct player *)rec;
    int64_t *seen = (int64_t *)user;
    (void)exists;
    seen[g_calls++] = p->gold;
    if (g_calls == 1) {
        olock_item *key = NULL;
        olock_item_create(NULL, &key);
        olock_item_set_s(key, "id", p->id);
        olock_update(g_rival, TABLE, key->root, rival_gold, NULL, NULL, NULL);
        olock_item_destroy(key);
    }
    p->gold += 10;
    return OLOCK_MUTATE_WRITE;
}

TEST(test_conflict_reapplies) {
    olock_client *c = client();
    struct player p;
    olock_write_result res;
    olock_error err;
    int64_t seen[4] = {0, 0, 0, 0};
    g_rival = client();
    full_player(&p, "conflict-1");
    p.gold = 0;
    CHECK(olock_record_put(c, &player_type, TABLE, &p, NULL, &err) == OLOCK_OK);
    memset(&p, 0, sizeof p);
    snprintf(p.id, sizeof p.id, "%s", "conflict-1");
    g_calls = 0;
    CHECK(olock_record_update(c, &player_type, TABLE, &p, add_gold_with_rival, seen, &res, &err) == OLOCK_OK);
    CHECK_EQ_INT(g_calls, 2);
    CHECK_EQ_INT(seen[0], 0);
    CHECK_EQ_INT(seen[1], 100);
    CHECK_EQ_INT(p.gold, 110);
    CHECK_EQ_INT(res.conflicts, 1);
    CHECK_EQ_INT(p.version, 3);
    CHECK(strcmp(p.bag[1].name, "sword") == 0);   /* refilled whole from the fresh item */
    olock_client_destroy(g_rival);
    olock_client_destroy(c);
}

/* A lost response to the write: the ledger settles it (applied once); with the ledger off the
   outcome is OLOCK_ERR_MAYBE_SENT. The fake applies the write and drops the answer. */
TEST(test_lost_response) {
    olock_client *c = client(), *off = client_with(NULL, "", 0);
    struct player p, q;
    olock_write_result res;
    olock_error err;
    int one = 1;
    full_player(&p, "lost-1");
    p.gold = 0;
    CHECK(olock_record_put(c, &player_type, TABLE, &p, NULL, &err) == OLOCK_OK);
    memset(&p, 0, sizeof p);
    snprintf(p.id, sizeof p.id, "%s", "lost-1");
    CHECK(olock_fake_inject(g_fake, OLOCK_FAKE_FAULT_LOST_RESPONSE, 1, OLOCK_OP_PUT_ITEM, TABLE) == OLOCK_OK);
    g_calls = 0;
    CHECK(olock_record_update(c, &player_type, TABLE, &p, add_gold, &one, &res, &err) == OLOCK_OK);
    CHECK_EQ_INT(res.ambiguous, 1);
    CHECK_EQ_INT(p.gold, 1);
    CHECK_EQ_INT(p.version, 2);
    memset(&q, 0, sizeof q);
    snprintf(q.id, sizeof q.id, "%s", "lost-1");
    CHECK(olock_record_get(c, &player_type, TABLE, &q, 1, &g_kept, &err) == OLOCK_OK);
    CHECK_EQ_INT(q.gold, 1);                 /* applied exactly once */
    CHECK_EQ_INT(q.version, 2);
    olock_item_destroy(g_kept), g_kept = NULL;

    /* The ledger off: nothing can tell. */
    memset(&p, 0, sizeof p);
    snprintf(p.id, sizeof p.id, "%s", "lost-1");
    CHECK(olock_fake_inject(g_fake, OLOCK_FAKE_FAULT_LOST_RESPONSE, 1, OLOCK_OP_PUT_ITEM, TABLE) == OLOCK_OK);
    CHECK(olock_record_update(off, &player_type, TABLE, &p, add_gold, &one, &res, &err) == OLOCK_ERR_MAYBE_SENT);
    CHECK(err.code == OLOCK_ERR_MAYBE_SENT);
    /* A transient failure before anything applied is resent and applied once. */
    memset(&p, 0, sizeof p);
    snprintf(p.id, sizeof p.id, "%s", "lost-1");
    CHECK(olock_fake_inject(g_fake, OLOCK_FAKE_FAULT_500, 1, OLOCK_OP_GET_ITEM, TABLE) == OLOCK_OK);
    CHECK(olock_record_update(c, &player_type, TABLE, &p, add_gold, &one, &res, &err) == OLOCK_OK);
    CHECK_EQ_INT(res.retries, 1);
    CHECK_EQ_INT(p.gold, 3);
    olock_client_destroy(off);
    olock_client_destroy(c);
}

/* A conflict injected by the fake (a competing write bumps the version) while the first write's
   answer is lost, and the stored value that then fails to decode: with the write in doubt the
   outcome is MAYBE_SENT, naming the field. */
static olock_mutation spoil_level(void *user, olock_item *it, int exists) {
    (void)user; (void)exists;
    olock_item_set_i64(it, "level", 999);
    return OLOCK_MUTATE_WRITE;
}
static olock_mutation spoil_after_first(void *user, void *rec, int exists) {
    struct player *p = (struct player *)rec;
    (void)user; (void)exists;
    if (g_calls++ == 0) {
        olock_item *key = NULL;
        olock_item_create(NULL, &key);
        olock_item_set_s(key, "id", p->id);
        olock_update(g_rival, TABLE, key->root, spoil_level, NULL, NULL, NULL);
        olock_item_destroy(key);
    }
    p->gold++;
    return OLOCK_MUTATE_WRITE;
}

TEST(test_decode_error_after_conflict) {
    olock_client *c = client();
    struct player p;
    olock_write_result res;
    olock_error err;
    g_rival = client();
    full_player(&p, "spoil-1");
    CHECK(olock_record_put(c, &player_type, TABLE, &p, NULL, &err) == OLOCK_OK);
    memset(&p, 0, sizeof p);
    snprintf(p.id, sizeof p.id, "%s", "spoil-1");
    g_calls = 0;
    CHECK(olock_record_update(c, &player_type, TABLE, &p, spoil_after_first, NULL, &res, &err) == OLOCK_ERR_RANGE);
    CHECK(strstr(err.message, "field 'level'") != NULL && strstr(err.message, "999") != NULL && strstr(err.message, "int8_t") != NULL);
    CHECK_EQ_INT(g_calls, 1);
    CHECK_EQ_INT(res.conflicts, 1);
    olock_client_destroy(g_rival);
    olock_client_destroy(c);
}

TEST(test_decode_error_in_doubt) {
    olock_client *c = client();
    struct player p;
    olock_item *got = NULL;
    olock_write_result res;
    olock_error err;
    int64_t gold = 0;
    g_rival = client();
    full_player(&p, "spoil-2");
    CHECK(olock_record_put(c, &player_type, TABLE, &p, NULL, &err) == OLOCK_OK);
    memset(&p, 0, sizeof p);
    snprintf(p.id, sizeof p.id, "%s", "spoil-2");
    g_calls = 0;
    /* The rival's write (made inside the first call) goes through; ours then gets a 500 (in
       doubt: resent), the resend's condition fails, the ledger says it was not ours, and the
       fresh record does not decode: settled as not applied, the error naming the field. */
    CHECK(olock_fake_inject(g_fake, OLOCK_FAKE_FAULT_NONE, 1, OLOCK_OP_PUT_ITEM, TABLE) == OLOCK_OK);
    CHECK(olock_fake_inject(g_fake, OLOCK_FAKE_FAULT_500, 1, OLOCK_OP_PUT_ITEM, TABLE) == OLOCK_OK);
    CHECK(olock_record_update(c, &player_type, TABLE, &p, spoil_after_first, NULL, &res, &err) == OLOCK_ERR_RANGE);
    CHECK(strstr(err.message, "field 'level'") != NULL);
    CHECK_EQ_INT(res.ambiguous, 1);
    CHECK_EQ_INT(res.retries, 1);
    CHECK_EQ_INT(g_calls, 1);
    {
        olock_item *key = NULL;
        olock_item_create(NULL, &key);
        olock_item_set_s(key, "id", "spoil-2");
        CHECK(olock_get(c, TABLE, key->root, 1, &got, &err) == OLOCK_OK);
        CHECK(olock_item_get_i64(got, "gold", &gold) == OLOCK_OK && gold == -5000000000LL);  /* ours not applied */
        olock_item_destroy(got);
        olock_item_destroy(key);
    }
    olock_client_destroy(g_rival);
    olock_client_destroy(c);
}

static olock_mutation answer(void *user, void *rec, int exists) {
    (void)rec; (void)exists;
    return *(olock_mutation *)user;
}

TEST(test_update_answers) {
    olock_client *c = client();
    struct player p;
    olock_write_result res;
    olock_error err;
    olock_mutation m = OLOCK_MUTATE_NO_CHANGE;
    full_player(&p, "answers-1");
    CHECK(olock_record_put(c, &player_type, TABLE, &p, NULL, &err) == OLOCK_OK);
    memset(&p, 0, sizeof p);
    snprintf(p.id, sizeof p.id, "%s", "answers-1");
    CHECK(olock_record_update(c, &player_type, TABLE, &p, answer, &m, &res, &err) == OLOCK_OK);
    CHECK(!res.changed && p.version == 1 && p.gold == -5000000000LL);
    m = OLOCK_MUTATE_ABORT;
    CHECK(olock_record_update(c, &player_type, TABLE, &p, answer, &m, &res, &err) == OLOCK_ERR_ABORTED);
    m = OLOCK_MUTATE_DELETE;
    CHECK(olock_record_update(c, &player_type, TABLE, &p, answer, &m, &res, &err) == OLOCK_OK);
    CHECK(res.deleted);
    CHECK(olock_record_get(c, &player_type, TABLE, &p, 1, &g_kept, &err) == OLOCK_ERR_NOT_FOUND);
    olock_client_destroy(c);
}

/* The key changed by the function is refused, not written to another item. */
static olock_mutation change_key(void *user, void *rec, int exists) {
    (void)user; (void)exists;
    ((struct player *)rec)->id[0] = 'X';
    return OLOCK_MUTATE_WRITE;
}

/* ---- errors name the field ---- */

static olock_mutation set_attr(void *user, olock_item *it, int exists) {
    const olock_value *v = (const olock_value *)user;
    (void)exists;
    olock_item_set(it, v->key, v);
    return OLOCK_MUTATE_WRITE;
}

/* Stores `v` (its key is the attribute) in a fresh copy of a full player with another client,
   then expects a typed read and a typed update to fail with `rc`, naming `field`. */
static void expect_bad(olock_client *c, const char *id, olock_value *v, olock_result rc, const char *field, const char *words) {
    struct player p;
    olock_item *key = NULL, *kept = NULL;
    olock_write_result res;
    olock_error err;
    char want[64];
    int one = 1;
    uint64_t before;
    full_player(&p, id);
    CHECK(olock_record_put(c, &player_type, TABLE, &p, NULL, &err) == OLOCK_OK);
    olock_item_create(NULL, &key);
    olock_item_set_s(key, "id", id);
    CHECK(olock_update(c, TABLE, key->root, set_attr, v, &res, &err) == OLOCK_OK);
    before = res.version;
    snprintf(want, sizeof want, "field '%s", field);
    memset(&p, 0, sizeof p);
    snprintf(p.id, sizeof p.id, "%s", id);
    CHECK_EQ_INT(olock_record_get(c, &player_type, TABLE, &p, 1, &kept, &err), rc);
    CHECK(strstr(err.message, want) != NULL);
    CHECK(strstr(err.message, words) != NULL);
    if (!strstr(err.message, want) || !strstr(err.message, words)) fprintf(stderr, "  message: %s\n", err.message);
    CHECK(kept == NULL);
    memset(&p, 0, sizeof p);
    snprintf(p.id, sizeof p.id, "%s", id);
    CHECK_EQ_INT(olock_record_update(c, &player_type, TABLE, &p, add_gold, &one, &res, &err), rc);
    CHECK(strstr(err.message, want) != NULL);
    CHECK(olock_get(c, TABLE, key->root, 1, &kept, &err) == OLOCK_OK);
    CHECK(olock_item_version(kept->root, NULL, &res.version) == OLOCK_OK && res.version == before);  /* nothing written */
    olock_item_destroy(kept);
    olock_item_destroy(key);
}

TEST(test_bad_stored_values) {
    olock_client *c = client();
    olock_arena a;
    olock_value *v, *l, *m;
    int i;
    olock_arena_init(&a, NULL);
#define NAMED(val, name) (v = (val), v->key = (name), v)
    expect_bad(c, "bad-1", NAMED(olock_value_new_s(&a, "rich", 4), "gold"), OLOCK_ERR_TYPE, "gold", "stored as S");
    expect_bad(c, "bad-2", NAMED(olock_value_new_i64(&a, 128), "level"), OLOCK_ERR_RANGE, "level", "int8_t");
    expect_bad(c, "bad-3", NAMED(olock_value_new_i64(&a, -129), "level"), OLOCK_ERR_RANGE, "level", "int8_t");
    expect_bad(c, "bad-4", NAMED(olock_value_new_i64(&a, -1), "xp"), OLOCK_ERR_RANGE, "xp", "uint32_t");
    expect_bad(c, "bad-5", NAMED(olock_value_new_u64(&a, 4294967296ull), "xp"), OLOCK_ERR_RANGE, "xp", "uint32_t");
    expect_bad(c, "bad-6", NAMED(olock_value_new_n(&a, "1.5", 3), "gold"), OLOCK_ERR_RANGE, "gold", "1.5");
    expect_bad(c, "bad-7", NAMED(olock_value_new_s(&a, "a guild name far too long", 25), "guild"), OLOCK_ERR_LIMIT, "guild", "char[16]");
    expect_bad(c, "bad-8", NAMED(olock_value_new_b(&a, "123456789", 9), "avatar"), OLOCK_ERR_LIMIT, "avatar", "9 bytes");
    expect_bad(c, "bad-9", NAMED(olock_value_new_s(&a, "yes", 3), "online"), OLOCK_ERR_TYPE, "online", "BOOL");
    l = olock_value_new_container(&a, OLOCK_TYPE_L);
    for (i = 0; i < 5; i++) olock_list_append(l, olock_value_new_i64(&a, i));
    expect_bad(c, "bad-10", NAMED(l, "scores"), OLOCK_ERR_LIMIT, "scores", "5 elements");
    l = olock_value_new_container(&a, OLOCK_TYPE_L);
    olock_list_append(l, olock_value_new_i64(&a, 1));
    olock_list_append(l, olock_value_new_i64(&a, 3000000000ll));
    expect_bad(c, "bad-11", NAMED(l, "scores"), OLOCK_ERR_RANGE, "scores[1]", "int32_t");
    l = olock_value_new_container(&a, OLOCK_TYPE_L);
    m = olock_value_new_container(&a, OLOCK_TYPE_M);
    olock_map_put(&a, m, "name", 4, olock_value_new_s(&a, "ok", 2));
    olock_list_append(l, m);
    m = olock_value_new_container(&a, OLOCK_TYPE_M);
    olock_map_put(&a, m, "count", 5, olock_value_new_i64(&a, 70000));
    olock_list_append(l, m);
    expect_bad(c, "bad-12", NAMED(l, "bag"), OLOCK_ERR_RANGE, "bag[1].count", "uint16_t");
    m = olock_value_new_container(&a, OLOCK_TYPE_M);
    olock_map_put(&a, m, "hp", 2, olock_value_new_bool(&a, 1));
    expect_bad(c, "bad-13", NAMED(m, "stats"), OLOCK_ERR_TYPE, "stats.hp", "stored as BOOL");
    l = olock_value_new_container(&a, OLOCK_TYPE_SS);
    olock_set_add(l, olock_value_new_s(&a, "fits", 4));
    olock_set_add(l, olock_value_new_s(&a, "too-long", 8));
    expect_bad(c, "bad-14", NAMED(l, "tags"), OLOCK_ERR_LIMIT, "tags[", "char[8]");
    l = olock_value_new_container(&a, OLOCK_TYPE_L);
    expect_bad(c, "bad-15", NAMED(l, "tags"), OLOCK_ERR_TYPE, "tags", "wants SS");
    expect_bad(c, "bad-16", NAMED(olock_value_new_i64(&a, 1), "stats"), OLOCK_ERR_TYPE, "stats", "wants M");
    expect_bad(c, "bad-17", NAMED(olock_value_new_s(&a, "a\0b", 3), "guild"), OLOCK_ERR_LIMIT, "guild", "NUL");
#undef NAMED
    olock_arena_free(&a);
    olock_client_destroy(c);
}

TEST(test_bad_struct_values) {
    olock_client *c = client();
    struct player p;
    olock_write_result res;
    olock_error err;
    struct score s;
    full_player(&p, "");
    CHECK(olock_record_put(c, &player_type, TABLE, &p, &res, &err) == OLOCK_ERR_INVALID_ARG);
    CHECK(strstr(err.message, "field 'id'") && strstr(err.message, "empty"));
    CHECK(olock_record_update(c, &player_type, TABLE, &p, add_gold, &p, &res, &err) == OLOCK_ERR_INVALID_ARG);
    CHECK(strstr(err.message, "field 'id'") != NULL);
    full_player(&p, "enc-1");
    memset(p.guild, 'x', sizeof p.guild);   /* no NUL */
    CHECK(olock_record_put(c, &player_type, TABLE, &p, &res, &err) == OLOCK_ERR_LIMIT);
    CHECK(strstr(err.message, "field 'guild'") && strstr(err.message, "no NUL"));
    full_player(&p, "enc-1");
    p.avatar_len = 9;
    CHECK(olock_record_put(c, &player_type, TABLE, &p, &res, &err) == OLOCK_ERR_LIMIT);
    CHECK(strstr(err.message, "field 'avatar'") != NULL);
    full_player(&p, "enc-1");
    p.bag_count = 5;
    CHECK(olock_record_put(c, &player_type, TABLE, &p, &res, &err) == OLOCK_ERR_LIMIT);
    CHECK(strstr(err.message, "field 'bag'") != NULL);
    full_player(&p, "enc-1");
    p.speed = NAN;
    CHECK(olock_record_put(c, &player_type, TABLE, &p, &res, &err) == OLOCK_ERR_RANGE);
    CHECK(strstr(err.message, "field 'speed'") != NULL);
    full_player(&p, "enc-1");
    memset(p.bag[1].name, 'y', sizeof p.bag[1].name);
    CHECK(olock_record_put(c, &player_type, TABLE, &p, &res, &err) == OLOCK_ERR_LIMIT);
    CHECK(strstr(err.message, "field 'bag[1].name'") != NULL);
    /* The function changes the key: refused, nothing written anywhere. */
    full_player(&p, "enc-2");
    CHECK(olock_record_put(c, &player_type, TABLE, &p, &res, &err) == OLOCK_OK);
    CHECK(olock_record_update(c, &player_type, TABLE, &p, change_key, NULL, &res, &err) == OLOCK_ERR_INVALID_ARG);
    CHECK(strstr(err.message, "key") != NULL);
    /* The version field must be the client's version attribute. */
    memset(&s, 0, sizeof s);
    s.season = 1; snprintf(s.who, sizeof s.who, "%s", "b");
    {
        olock_config cfg = olock_config_default();
        olock_client *c2 = NULL;
        cfg.transport = olock_fake_transport(g_fake);
        cfg.versioning.attribute = "ver";
        CHECK(olock_client_create(&cfg, &c2, NULL) == OLOCK_OK);
        CHECK(olock_record_put(c2, &score_type, "scores", &s, &res, &err) == OLOCK_ERR_INVALID_ARG);
        CHECK(strstr(err.message, "'version'") && strstr(err.message, "'ver'"));
        olock_client_destroy(c2);
    }
    olock_client_destroy(c);
}

/* The write-back compares with the record as read: a shorter string, a shrunk or grown list and
   a field set back to what it was all land as meant; a field the function leaves alone and the
   item lacks stays absent; a new item gets every field. */
static olock_mutation reshape(void *user, void *rec, int exists) {
    struct player *p = (struct player *)rec;
    (void)user; (void)exists;
    snprintf(p->guild, sizeof p->guild, "%s", "owls");         /* shorter than "night owls" */
    p->bag_count = 1;                                          /* 2 -> 1 */
    p->scores[p->score_count++] = 99;                          /* 3 -> 4 */
    p->gold += 7; p->gold -= 7;                                /* back to what it was */
    {
        size_t i;                                              /* "pvp" -> "Pvp" in a set */
        for (i = 0; i < p->tag_count; i++) if (strcmp(p->tags[i], "pvp") == 0) p->tags[i][0] = 'P';
    }
    return OLOCK_MUTATE_WRITE;
}

static olock_mutation drop_xp(void *user, olock_item *it, int exists) {
    (void)user; (void)exists;
    olock_item_remove(it, "xp");
    return OLOCK_MUTATE_WRITE;
}

TEST(test_write_back_shapes) {
    olock_client *c = client();
    struct player p;
    olock_item *key = NULL, *got = NULL;
    olock_error err;
    int one = 1;
    full_player(&p, "shape-1");
    CHECK(olock_record_put(c, &player_type, TABLE, &p, NULL, &err) == OLOCK_OK);
    olock_item_create(NULL, &key);
    olock_item_set_s(key, "id", "shape-1");
    CHECK(olock_update(c, TABLE, key->root, drop_xp, NULL, NULL, &err) == OLOCK_OK);
    memset(&p, 0, sizeof p);
    snprintf(p.id, sizeof p.id, "%s", "shape-1");
    CHECK(olock_record_update(c, &player_type, TABLE, &p, reshape, NULL, NULL, &err) == OLOCK_OK);
    CHECK(olock_get(c, TABLE, key->root, 1, &got, &err) == OLOCK_OK);
    CHECK(olock_item_get(got, "xp") == NULL);                  /* left alone: still absent */
    memset(&p, 0, sizeof p);
    CHECK(olock_record_decode(&player_type, got->root, &p, &err) == OLOCK_OK);
    CHECK(strcmp(p.guild, "owls") == 0 && p.bag_count == 1 && strcmp(p.bag[0].name, "potion") == 0);
    CHECK(p.score_count == 4 && p.scores[3] == 99 && p.gold == -5000000000LL);
    CHECK(p.tag_count == 2 && (strcmp(p.tags[0], "Pvp") == 0 || strcmp(p.tags[1], "Pvp") == 0));
    olock_item_destroy(got);
    /* A new item: every field stored, zero ones included. */
    memset(&p, 0, sizeof p);
    snprintf(p.id, sizeof p.id, "%s", "shape-2");
    CHECK(olock_record_update(c, &player_type, TABLE, &p, add_gold, &one, NULL, &err) == OLOCK_OK);
    olock_item_set_s(key, "id", "shape-2");
    CHECK(olock_get(c, TABLE, key->root, 1, &got, &err) == OLOCK_OK);
    CHECK(olock_item_get(got, "xp") != NULL && olock_item_get(got, "level") != NULL && olock_item_get(got, "stats") != NULL);
    CHECK(olock_item_get(got, "guild") == NULL && olock_item_get(got, "tags") == NULL);   /* optional off; empty set */
    olock_item_destroy(got);
    olock_item_destroy(key);
    olock_client_destroy(c);
}

/* ---- no allocation in steady state ---- */

TEST(test_steady_state_allocates_nothing) {
    olock_test_alloc counts;
    olock_allocator a;
    olock_client *c;
    struct player p;
    olock_error err;
    int one = 1, i;
    long before;
    memset(&counts, 0, sizeof counts);
    a.ctx = &counts; a.malloc_fn = olock_test_malloc; a.realloc_fn = olock_test_realloc; a.free_fn = olock_test_free;
    c = client_with(&a, NULL, 0);
    full_player(&p, "alloc-1");
    p.motto = NULL;
    CHECK(olock_record_put(c, &player_type, TABLE, &p, NULL, &err) == OLOCK_OK);
    /* Warm up past version 100: the request grows by a digit there, and its buffer may grow
       once (a buffer reserves room for a member before writing it); after that the size of
       every request is fixed until version 1000. */
    for (i = 0; i < 120; i++) CHECK(olock_record_update(c, &player_type, TABLE, &p, add_gold, &one, NULL, &err) == OLOCK_OK);
    before = counts.calls;
    for (i = 0; i < 200; i++) olock_record_update(c, &player_type, TABLE, &p, add_gold, &one, NULL, &err);
    CHECK_EQ_INT(counts.calls - before, 0);
    CHECK_EQ_INT(p.version, 321);
    olock_client_destroy(c);
    CHECK_EQ_INT(counts.live, 0);
    /* With the cache (a write without a read first) as well. */
    memset(&counts, 0, sizeof counts);
    c = client_with(&a, NULL, 4);
    for (i = 0; i < 20; i++) CHECK(olock_record_update(c, &player_type, TABLE, &p, add_gold, &one, NULL, &err) == OLOCK_OK);
    before = counts.calls;
    for (i = 0; i < 200; i++) olock_record_update(c, &player_type, TABLE, &p, add_gold, &one, NULL, &err);
    CHECK_EQ_INT(counts.calls - before, 0);
    olock_client_destroy(c);
    CHECK_EQ_INT(counts.live, 0);
}

/* Out of memory at every allocation of a typed update: an error, never a crash or a leak. */
TEST(test_out_of_memory) {
    olock_test_alloc counts;
    olock_allocator a;
    long n;
    int one = 1, ok_seen = 0;
    a.ctx = &counts; a.malloc_fn = olock_test_malloc; a.realloc_fn = olock_test_realloc; a.free_fn = olock_test_free;
    for (n = 1; n < 400 && !ok_seen; n++) {
        olock_client *c;
        struct player p;
        olock_error err;
        olock_result rc;
        memset(&counts, 0, sizeof counts);
        c = client_with(&a, NULL, 0);
        if (!c) continue;
        counts.fail_at = counts.calls + n;
        full_player(&p, "oom-1");
        p.version = 0;
        rc = olock_record_update(c, &player_type, TABLE, &p, add_gold, &one, NULL, &err);
        if (rc == OLOCK_OK) ok_seen = 1;
        else CHECK(rc == OLOCK_ERR_NOMEM || rc == OLOCK_ERR_MAYBE_SENT || rc == OLOCK_ERR_TRANSIENT);
        olock_client_destroy(c);
        CHECK_EQ_INT(counts.live, 0);
    }
    CHECK(ok_seen);
}

/* ---- the task form and transactions ---- */

TEST(test_task_form) {
    olock_client *c = client();
    olock_task *t = NULL;
    olock_record_op op;
    struct player p;
    olock_write_result res;
    olock_error err;
    const olock_http_request *req;
    uint64_t wait;
    int one = 1;
    full_player(&p, "task-1");
    CHECK(olock_record_put(c, &player_type, TABLE, &p, NULL, &err) == OLOCK_OK);
    CHECK(olock_task_create(c, &t) == OLOCK_OK);
    memset(&p, 0, sizeof p);
    snprintf(p.id, sizeof p.id, "%s", "task-1");
    CHECK(olock_task_begin_record_update(t, &op, &player_type, TABLE, &p, add_gold, &one) == OLOCK_OK);
    memset(p.id, 0, sizeof p.id);          /* the key was copied into op */
    for (;;) {
        olock_task_state s = olock_task_poll(t, olock_client_now_ms(c), &req, &wait);
        if (s == OLOCK_TASK_DONE) break;
        if (s == OLOCK_TASK_WAIT) continue;
        olock_task_complete(t, olock_fake_transport(g_fake).send(g_fake, req, olock_task_response(t)));
    }
    CHECK(olock_task_result(t, &res, &err) == OLOCK_OK);
    CHECK_EQ_INT(res.version, 2);
    CHECK_EQ_INT(p.version, 2);
    CHECK(strcmp(p.id, "task-1") == 0 && p.gold == -5000000000LL + 1);
    /* A begin that fails says why through the task. */
    memset(&p, 0, sizeof p);
    CHECK(olock_task_begin_record_update(t, &op, &player_type, TABLE, &p, add_gold, &one) == OLOCK_ERR_INVALID_ARG);
    CHECK(olock_task_result(t, &res, &err) == OLOCK_ERR_INVALID_ARG && strstr(err.message, "field 'id'"));
    olock_task_destroy(t);
    olock_client_destroy(c);
}

TEST(test_transactions) {
    olock_client *c = client();
    olock_txn *txn = NULL;
    struct player a, b;
    olock_write_result res;
    olock_error err;
    full_player(&a, "txn-a");
    full_player(&b, "txn-b");
    CHECK(olock_txn_create(c, &txn) == OLOCK_OK);
    CHECK(olock_txn_record_put(txn, &player_type, TABLE, &a, &err) == OLOCK_OK);
    CHECK(olock_txn_record_put(txn, &player_type, TABLE, &b, &err) == OLOCK_OK);
    CHECK(olock_txn_commit(c, txn, &res, &err) == OLOCK_OK);
    CHECK_EQ_INT(olock_txn_version(txn, 0), 1);
    a.version = olock_txn_version(txn, 0);
    b.version = olock_txn_version(txn, 1);
    /* Move gold from a to b, all or nothing; a stale version on b cancels it. */
    olock_txn_reset(txn);
    a.gold -= 10; b.gold += 10;
    b.version = 0;
    CHECK(olock_txn_record_put(txn, &player_type, TABLE, &a, &err) == OLOCK_OK);
    CHECK(olock_txn_record_put(txn, &player_type, TABLE, &b, &err) == OLOCK_OK);
    CHECK(olock_txn_commit(c, txn, &res, &err) == OLOCK_CONFLICT);
    CHECK_EQ_INT(res.failed_action, 1);
    olock_txn_reset(txn);
    b.version = 1;
    CHECK(olock_txn_record_put(txn, &player_type, TABLE, &a, &err) == OLOCK_OK);
    CHECK(olock_txn_record_put(txn, &player_type, TABLE, &b, &err) == OLOCK_OK);
    CHECK(olock_txn_commit(c, txn, &res, &err) == OLOCK_OK);
    /* A check of a and a delete of b. */
    olock_txn_reset(txn);
    a.version = 2; b.version = 2;
    CHECK(olock_txn_record_check(txn, &player_type, TABLE, &a, &err) == OLOCK_OK);
    CHECK(olock_txn_record_delete(txn, &player_type, TABLE, &b, &err) == OLOCK_OK);
    CHECK(olock_txn_commit(c, txn, &res, &err) == OLOCK_OK);
    memset(&a, 0, sizeof a);
    snprintf(a.id, sizeof a.id, "%s", "txn-a");
    CHECK(olock_record_get(c, &player_type, TABLE, &a, 1, &g_kept, &err) == OLOCK_OK);
    CHECK(a.gold == -5000000000LL - 10);
    olock_item_destroy(g_kept), g_kept = NULL;
    snprintf(b.id, sizeof b.id, "%s", "txn-b");
    CHECK(olock_record_get(c, &player_type, TABLE, &b, 1, &g_kept, &err) == OLOCK_ERR_NOT_FOUND);
    /* An empty key is refused when added, naming the field. */
    memset(&b, 0, sizeof b);
    CHECK(olock_txn_record_put(txn, &player_type, TABLE, &b, &err) == OLOCK_ERR_INVALID_ARG && strstr(err.message, "field 'id'"));
    olock_txn_destroy(txn);
    olock_client_destroy(c);
}

/* Typed update_many: a transfer between two players, all or nothing, re-applied after another
   client changed one of them in between. */
static olock_mutation transfer(void *user, void *const *recs, const int *exists, olock_mutation *each, size_t count) {
    struct player *from = (struct player *)recs[0], *to = (struct player *)recs[1];
    (void)exists; (void)count;
    if (g_calls++ == 0) {
        olock_item *key = NULL;
        olock_item_create(NULL, &key);
        olock_item_set_s(key, "id", to->id);
        olock_update(g_rival, TABLE, key->root, rival_gold, NULL, NULL, NULL);
        olock_item_destroy(key);
    }
    if (from->gold < *(const int *)user) return OLOCK_MUTATE_ABORT;
    from->gold -= *(const int *)user;
    to->gold += *(const int *)user;
    each[0] = each[1] = OLOCK_MUTATE_WRITE;
    return OLOCK_MUTATE_WRITE;
}

TEST(test_update_many) {
    olock_client *c = client();
    struct player a, b;
    olock_record_ref refs[2];
    olock_write_result res;
    olock_error err;
    int amount = 30;
    g_rival = client();
    full_player(&a, "many-a"); a.gold = 100;
    full_player(&b, "many-b"); b.gold = 0;
    CHECK(olock_record_put(c, &player_type, TABLE, &a, NULL, &err) == OLOCK_OK);
    CHECK(olock_record_put(c, &player_type, TABLE, &b, NULL, &err) == OLOCK_OK);
    memset(&a, 0, sizeof a); snprintf(a.id, sizeof a.id, "%s", "many-a");
    memset(&b, 0, sizeof b); snprintf(b.id, sizeof b.id, "%s", "many-b");
    refs[0].type = &player_type; refs[0].table = TABLE; refs[0].rec = &a;
    refs[1].type = &player_type; refs[1].table = TABLE; refs[1].rec = &b;
    g_calls = 0;
    CHECK(olock_record_update_many(c, refs, 2, transfer, &amount, &res, &err) == OLOCK_OK);
    CHECK_EQ_INT(g_calls, 2);
    CHECK_EQ_INT(res.conflicts, 1);
    CHECK_EQ_INT(a.gold, 70);
    CHECK_EQ_INT(b.gold, 130);                 /* the rival's 100 and our 30 */
    CHECK_EQ_INT(a.version, 2);
    CHECK_EQ_INT(b.version, 3);
    memset(&b, 0, sizeof b); snprintf(b.id, sizeof b.id, "%s", "many-b");
    CHECK(olock_record_get(c, &player_type, TABLE, &b, 1, &g_kept, &err) == OLOCK_OK && b.gold == 130 && b.version == 3);
    olock_item_destroy(g_kept), g_kept = NULL;
    /* Not enough gold: aborted, nothing written. */
    amount = 1000;
    CHECK(olock_record_update_many(c, refs, 2, transfer, &amount, &res, &err) == OLOCK_ERR_ABORTED);
    /* A bad value in one of them names the field. */
    memset(&b, 0, sizeof b); snprintf(b.id, sizeof b.id, "%s", "many-b");
    {
        olock_item *key = NULL;
        olock_item_create(NULL, &key);
        olock_item_set_s(key, "id", "many-b");
        CHECK(olock_update(c, TABLE, key->root, spoil_level, NULL, NULL, &err) == OLOCK_OK);
        olock_item_destroy(key);
    }
    amount = 1;
    CHECK(olock_record_update_many(c, refs, 2, transfer, &amount, &res, &err) == OLOCK_ERR_RANGE);
    CHECK(strstr(err.message, "field 'level'") != NULL);
    /* An empty key is refused before anything is sent. */
    memset(&b, 0, sizeof b);
    CHECK(olock_record_update_many(c, refs, 2, transfer, &amount, &res, &err) == OLOCK_ERR_INVALID_ARG);
    CHECK(strstr(err.message, "field 'id'") != NULL);
    olock_client_destroy(g_rival);
    olock_client_destroy(c);
}

TEST(test_encode_decode_direct) {
    olock_item *it = NULL, *key = NULL;
    struct player p, q;
    olock_error err;
    full_player(&p, "direct");
    CHECK(olock_item_create(NULL, &it) == OLOCK_OK);
    CHECK(olock_record_encode(&player_type, &p, it, &err) == OLOCK_OK);
    CHECK(olock_item_get(it, "version") == NULL);          /* the engine's to write */
    CHECK(olock_record_decode(&player_type, it->root, &q, &err) == OLOCK_OK);
    CHECK(same_player(&p, &q));
    CHECK(olock_item_create(NULL, &key) == OLOCK_OK);
    CHECK(olock_record_key(&player_type, &p, key, &err) == OLOCK_OK);
    CHECK(key->root->count == 1 && strcmp(olock_item_get(key, "id")->str, "direct") == 0);
    /* NULL in a STR_PTR writes nothing and removes what was there. */
    p.motto = NULL;
    CHECK(olock_record_encode(&player_type, &p, it, &err) == OLOCK_OK);
    CHECK(olock_item_get(it, "motto") == NULL);
    /* An empty set is not stored. */
    p.tag_count = 0;
    CHECK(olock_record_encode(&player_type, &p, it, &err) == OLOCK_OK);
    CHECK(olock_item_get(it, "tags") == NULL);
    CHECK(olock_record_decode(&player_type, it->root, &q, &err) == OLOCK_OK && q.tag_count == 0);
    /* Without an olock_error the result still says what failed. */
    full_player(&p, "direct");
    p.speed = INFINITY;
    CHECK(olock_record_encode(&player_type, &p, it, NULL) == OLOCK_ERR_RANGE);
    full_player(&p, "direct");
    memset(p.tags[1], 'z', sizeof p.tags[1]);               /* a set member without its NUL */
    CHECK(olock_record_encode(&player_type, &p, it, &err) == OLOCK_ERR_LIMIT);
    CHECK(strstr(err.message, "field 'tags[1]'") != NULL);
    CHECK(olock_record_encode(&player_type, &p, it, NULL) == OLOCK_ERR_LIMIT);
    olock_item_destroy(key);
    olock_item_destroy(it);
}

int main(void) {
    if (olock_fake_create(NULL, &g_fake) != OLOCK_OK) return 1;
    make_tables();
    RUN(test_table_checks);
    RUN(test_put_get_roundtrip);
    RUN(test_numeric_and_range_keys);
    RUN(test_update_absent_creates);
    RUN(test_unknown_attributes_survive);
    RUN(test_conflict_reapplies);
    RUN(test_lost_response);
    RUN(test_decode_error_after_conflict);
    RUN(test_decode_error_in_doubt);
    RUN(test_update_answers);
    RUN(test_bad_stored_values);
    RUN(test_bad_struct_values);
    RUN(test_write_back_shapes);
    RUN(test_steady_state_allocates_nothing);
    RUN(test_out_of_memory);
    RUN(test_task_form);
    RUN(test_transactions);
    RUN(test_update_many);
    RUN(test_encode_decode_direct);
    olock_fake_destroy(g_fake);
    return TEST_MAIN_END();
}
