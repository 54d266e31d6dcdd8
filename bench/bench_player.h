/* bench_player.h - the realistic item the benchmarks use: a game player record of about 1 KB
   of DynamoDB JSON, with every kind of value a game server stores (strings, integers and
   decimals, a boolean, a NULL, a nested map two levels deep, a list of maps and scalars, a
   string set, a number set and two binaries). Include after olock.h. */
#ifndef OLOCK_BENCH_PLAYER_H
#define OLOCK_BENCH_PLAYER_H

#include <string.h>

#define BENCH_PUT(map, name, v) \
    do { if (!(v) || olock_map_put(a, (map), (name), strlen(name), (v)) != OLOCK_OK) return NULL; } while (0)

static BENCH_UNUSED olock_value *bench_s(olock_arena *a, const char *s) { return olock_value_new_s(a, s, strlen(s)); }
static BENCH_UNUSED olock_value *bench_n(olock_arena *a, const char *s) { return olock_value_new_n(a, s, strlen(s)); }

static BENCH_UNUSED olock_value *bench_win_loss(olock_arena *a, const char *wins, const char *losses, const char *mmr) {
    olock_value *m = olock_value_new_container(a, OLOCK_TYPE_M);
    if (!m) return NULL;
    BENCH_PUT(m, "wins", bench_n(a, wins));
    BENCH_PUT(m, "losses", bench_n(a, losses));
    BENCH_PUT(m, "mmr", bench_n(a, mmr));
    return m;
}

static BENCH_UNUSED olock_value *bench_slot(olock_arena *a, const char *item, const char *qty, const char *durability) {
    olock_value *m = olock_value_new_container(a, OLOCK_TYPE_M);
    if (!m) return NULL;
    BENCH_PUT(m, "item", bench_s(a, item));
    BENCH_PUT(m, "qty", bench_n(a, qty));
    BENCH_PUT(m, "durability", bench_n(a, durability));
    return m;
}

/* The player record as a map value in `a`, keyed by id = `id`. NULL on OOM. */
static BENCH_UNUSED olock_value *bench_player(olock_arena *a, const char *id) {
    static const char *const achievements[] = { "first_blood", "dragon_slayer", "master_crafter", "speedrunner" };
    static const char *const friends[] = { "1042", "2077", "31337", "40961" };
    unsigned char hash[32], avatar[48];
    olock_value *p = olock_value_new_container(a, OLOCK_TYPE_M), *stats, *modes, *inv, *set;
    size_t i;
    if (!p) return NULL;
    for (i = 0; i < sizeof hash; i++) hash[i] = (unsigned char)(i * 37 + 11);
    for (i = 0; i < sizeof avatar; i++) avatar[i] = (unsigned char)(i * 131 + 7);
    BENCH_PUT(p, "id", bench_s(a, id));
    BENCH_PUT(p, "name", bench_s(a, "Aurelia \"Storm\" Wind \xe2\x80\x94 \xc3\xa9lite"));
    BENCH_PUT(p, "guild", bench_s(a, "Knights of the Silver Dawn"));
    BENCH_PUT(p, "level", bench_n(a, "57"));
    BENCH_PUT(p, "xp", bench_n(a, "1234567"));
    BENCH_PUT(p, "gold", bench_n(a, "98231"));
    BENCH_PUT(p, "win_ratio", bench_n(a, "0.734"));
    BENCH_PUT(p, "last_login", bench_n(a, "1732567200123"));
    BENCH_PUT(p, "premium", olock_value_new_bool(a, 1));
    BENCH_PUT(p, "clan_invite", olock_value_new_null(a));
    stats = olock_value_new_container(a, OLOCK_TYPE_M);
    BENCH_PUT(p, "stats", stats);
    BENCH_PUT(stats, "kills", bench_n(a, "18234"));
    BENCH_PUT(stats, "deaths", bench_n(a, "7893"));
    BENCH_PUT(stats, "assists", bench_n(a, "10455"));
    BENCH_PUT(stats, "playtime_s", bench_n(a, "3612345"));
    BENCH_PUT(stats, "kd", bench_n(a, "2.31"));
    modes = olock_value_new_container(a, OLOCK_TYPE_M);
    BENCH_PUT(stats, "modes", modes);
    BENCH_PUT(modes, "ranked", bench_win_loss(a, "812", "604", "2315"));
    BENCH_PUT(modes, "casual", bench_win_loss(a, "1290", "1187", "1500"));
    inv = olock_value_new_container(a, OLOCK_TYPE_L);
    BENCH_PUT(p, "inventory", inv);
    if (olock_list_append(inv, bench_slot(a, "sword_of_dawn", "1", "0.92")) != OLOCK_OK ||
        olock_list_append(inv, bench_slot(a, "health_potion", "12", "1")) != OLOCK_OK ||
        olock_list_append(inv, bench_s(a, "map_fragment_north")) != OLOCK_OK ||
        olock_list_append(inv, bench_n(a, "42")) != OLOCK_OK)
        return NULL;
    set = olock_value_new_container(a, OLOCK_TYPE_SS);
    BENCH_PUT(p, "achievements", set);
    for (i = 0; i < sizeof achievements / sizeof *achievements; i++)
        if (olock_set_add(set, bench_s(a, achievements[i])) != OLOCK_OK) return NULL;
    set = olock_value_new_container(a, OLOCK_TYPE_NS);
    BENCH_PUT(p, "friends", set);
    for (i = 0; i < sizeof friends / sizeof *friends; i++)
        if (olock_set_add(set, bench_n(a, friends[i])) != OLOCK_OK) return NULL;
    BENCH_PUT(p, "loadout_hash", olock_value_new_b(a, hash, sizeof hash));
    BENCH_PUT(p, "avatar", olock_value_new_b(a, avatar, sizeof avatar));
    return p;
}

#undef BENCH_PUT
#endif /* OLOCK_BENCH_PLAYER_H */
