/* testing.c - unit-testing your own code with the fake and injected faults.

   Your game code has a function that grants a daily reward: it must add the reward exactly
   once per day, whatever the network does. Against the in-process fake a test can make the
   network misbehave on purpose: throttle the next requests, answer 500, lose the response of a
   write that was applied, or slip in a competing write, and then check what your code did.
   The fake counts every fault it injected, so the test can also check that the fault happened. */
#define OLOCK_IMPLEMENTATION
#define OLOCK_FAKE_IMPLEMENTATION
#include "olock.h"
#include "olock_fake.h"
#include <stdio.h>

/* ---- the code under test ---------------------------------------------------------------------- */

typedef struct reward { int64_t day; int64_t gems; } reward;

static olock_mutation grant(void *user, olock_item *player, int exists) {
    const reward *r = (const reward *)user;
    int64_t last = -1, gems = 0;
    if (exists) {
        olock_item_get_i64(player, "last_reward_day", &last);
        olock_item_get_i64(player, "gems", &gems);
    }
    if (last == r->day) return OLOCK_MUTATE_NO_CHANGE;        /* already granted today */
    olock_item_set_i64(player, "gems", gems + r->gems);
    olock_item_set_i64(player, "last_reward_day", r->day);
    return OLOCK_MUTATE_WRITE;
}

/* Grants today's reward; 0 on success. */
static int grant_daily_reward(olock_client *db, const olock_value *player_key, int64_t day) {
    reward r;
    olock_error err;
    r.day = day;
    r.gems = 50;
    if (olock_update(db, "players", player_key, grant, &r, NULL, &err) != OLOCK_OK) {
        fprintf(stderr, "reward failed: %s\n", err.message);
        return 1;
    }
    return 0;
}

/* ---- the tests -------------------------------------------------------------------------------- */

static int failures;
#define EXPECT(cond) do { if (!(cond)) { failures++; fprintf(stderr, "FAILED: %s (line %d)\n", #cond, __LINE__); } } while (0)

static int64_t gems_of(olock_client *db, const olock_value *key) {
    olock_item *player = NULL;
    int64_t gems = -1;
    if (olock_get(db, "players", key, 1, &player, NULL) == OLOCK_OK) olock_item_get_i64(player, "gems", &gems);
    olock_item_destroy(player);
    return gems;
}

int main(void) {
    olock_fake *fake = NULL;
    olock_client *db = NULL;
    olock_config cfg = olock_config_default();
    olock_create_table_request t = olock_create_table_request_default();
    olock_item *key = NULL;

    olock_fake_create(NULL, &fake);
    cfg.transport = olock_fake_transport(fake);
    cfg.ignore_environment = 1;
    cfg.retry.base_ms = 1;                 /* keep the test fast: short backoffs */
    cfg.retry.throttle_base_ms = 1;
    olock_client_create(&cfg, &db, NULL);
    t.table = "players"; t.hash_key = "id"; t.hash_type = OLOCK_TYPE_S;
    olock_create_table(db, &t, NULL, NULL);
    olock_item_create(NULL, &key);
    olock_item_set_s(key, "id", "p1");

    /* 1. The plain case. */
    EXPECT(grant_daily_reward(db, key->root, 1) == 0);
    EXPECT(gems_of(db, key->root) == 50);

    /* 2. Throttled twice, then a 500: the reward still lands, once. */
    olock_fake_inject(fake, OLOCK_FAKE_FAULT_THROTTLE, 2, (olock_op)0, "players");
    olock_fake_inject(fake, OLOCK_FAKE_FAULT_500, 1, (olock_op)0, "players");
    EXPECT(grant_daily_reward(db, key->root, 2) == 0);
    EXPECT(gems_of(db, key->root) == 100);
    EXPECT(olock_fake_fault_count(fake, OLOCK_FAKE_FAULT_THROTTLE) == 2);

    /* 3. The write is applied but its response is lost: no double reward. */
    olock_fake_inject(fake, OLOCK_FAKE_FAULT_LOST_RESPONSE, 1, OLOCK_OP_PUT_ITEM, "players");
    EXPECT(grant_daily_reward(db, key->root, 3) == 0);
    EXPECT(gems_of(db, key->root) == 150);
    EXPECT(olock_fake_fault_count(fake, OLOCK_FAKE_FAULT_LOST_RESPONSE) == 1);

    /* 4. Another server writes the player just before ours: our change is re-applied on top. */
    olock_fake_inject(fake, OLOCK_FAKE_FAULT_CONFLICT, 1, OLOCK_OP_PUT_ITEM, "players");
    EXPECT(grant_daily_reward(db, key->root, 4) == 0);
    EXPECT(gems_of(db, key->root) == 200);

    /* 5. Asking twice on the same day grants once. */
    EXPECT(grant_daily_reward(db, key->root, 4) == 0);
    EXPECT(gems_of(db, key->root) == 200);

    printf("%s: %d failure(s)\n", failures ? "FAILED" : "all reward tests passed", failures);
    olock_item_destroy(key);
    olock_client_destroy(db);
    olock_fake_destroy(fake);
    return failures ? 1 : 0;
}
