/* The writer ledger (olock_writers) as stored: its head names the item's incarnation, writes
   that know the item require the head they read (a version reached again after a delete and
   re-create is a conflict, not a match), a put of a read item carries the other writers'
   entries, and heads written before incarnations ("@B") still work. All on the in-process fake;
   the exhaustive fault sweep is tests/test_outcomes.c. */
#ifndef OLOCK_TEST_LINKED   /* else the Makefile links build/<flavour>/libolock_impl.a (tests/impl/) */
#define OLOCK_IMPLEMENTATION
#define OLOCK_FAKE_IMPLEMENTATION
#endif
#include "olock.h"
#include "olock_fake.h"
#include "olock_test.h"

#define TABLE "ledger"

static olock_fake *g_fake;
static olock_arena g_arena;

static olock_client *client(unsigned cache) {
    olock_config cfg = olock_config_default();
    olock_client *c = NULL;
    cfg.transport = olock_fake_transport(g_fake);
    cfg.cache_entries = cache;
    return olock_client_create(&cfg, &c, NULL) == OLOCK_OK ? c : NULL;
}

static olock_value *key_of(const char *id) {
    olock_value *k = olock_value_new_container(&g_arena, OLOCK_TYPE_M);
    olock_map_put(&g_arena, k, "id", 2, olock_value_new_s(&g_arena, id, strlen(id)));
    return k;
}

/* The stored item (a copy in g_arena), or NULL when absent. */
static const olock_value *stored(olock_client *c, const char *id) {
    olock_item_request r;
    olock_response res;
    memset(&r, 0, sizeof r);
    r.table = TABLE; r.key = key_of(id); r.consistent_read = 1;
    if (olock_get_item(c, &r, &res, NULL) != OLOCK_OK || !res.item) return NULL;
    return olock_value_copy(&g_arena, res.item);
}

static int64_t num(const olock_value *item, const char *name) {
    int64_t v = -1;
    if (!item || olock_value_get_i64(olock_map_get(item, name, strlen(name)), &v) != OLOCK_OK) return -1;
    return v;
}

static const olock_value *ledger(const olock_value *item) { return item ? olock_map_get(item, "olock_writers", 13) : NULL; }

/* The ledger's head string ("" when there is none). */
static const char *head(const olock_value *item) {
    const olock_value *l = ledger(item);
    return l && l->type == OLOCK_TYPE_L && l->first && l->first->type == OLOCK_TYPE_S ? l->first->str : "";
}

static olock_mutation add_one(void *user, olock_item *it, int exists) {
    int64_t n = 0;
    (void)user;
    if (exists) olock_item_get_i64(it, "n", &n);
    return olock_item_set_i64(it, "n", n + 1) == OLOCK_OK ? OLOCK_MUTATE_WRITE : OLOCK_MUTATE_ABORT;
}

static olock_mutation add_n(void *user, olock_item *it, int exists) {
    int64_t n = 0;
    if (exists) olock_item_get_i64(it, "n", &n);
    return olock_item_set_i64(it, "n", n + *(const int64_t *)user) == OLOCK_OK ? OLOCK_MUTATE_WRITE : OLOCK_MUTATE_ABORT;
}

/* A plain (unversioned) delete, as another service would do it. */
static void plain_delete(olock_client *c, const char *id) {
    olock_item_request r;
    memset(&r, 0, sizeof r);
    r.table = TABLE; r.key = key_of(id);
    CHECK(olock_delete_item(c, &r, NULL, NULL) == OLOCK_OK);
}

TEST(test_head_names_the_incarnation) {
    olock_client *a = client(0), *b = client(0);
    const olock_value *first, *again;
    char h1[32];
    CHECK(olock_update(a, TABLE, key_of("inc"), add_one, NULL, NULL, NULL) == OLOCK_OK);
    first = stored(a, "inc");
    /* "@0:" and 12 characters of [0-9a-z] */
    CHECK(strlen(head(first)) == 15 && strncmp(head(first), "@0:", 3) == 0);
    CHECK(strspn(head(first) + 3, "0123456789abcdefghijklmnopqrstuvwxyz") == 12);
    snprintf(h1, sizeof h1, "%s", head(first));
    /* later writers carry the incarnation */
    CHECK(olock_update(b, TABLE, key_of("inc"), add_one, NULL, NULL, NULL) == OLOCK_OK);
    CHECK_EQ_STR(head(stored(a, "inc")), h1);
    /* deleted and created anew: another incarnation */
    plain_delete(a, "inc");
    CHECK(olock_update(b, TABLE, key_of("inc"), add_one, NULL, NULL, NULL) == OLOCK_OK);
    again = stored(a, "inc");
    CHECK_EQ_INT(num(again, "version"), 1);
    CHECK(strncmp(head(again), "@0:", 3) == 0 && strcmp(head(again), h1) != 0);
    olock_client_destroy(a);
    olock_client_destroy(b);
}

/* The "ABA" of versions: a writer whose cached item is version 3 of an item that was deleted and
   created anew (version 3 again, other content) must not write over the new item as if it
   were the old one. */
TEST(test_recreated_item_is_a_conflict) {
    olock_client *cached = client(4), *other = client(0);
    olock_write_result wr;
    int64_t ten = 10;
    int i;
    for (i = 0; i < 3; i++) CHECK(olock_update(cached, TABLE, key_of("aba"), add_one, NULL, &wr, NULL) == OLOCK_OK);
    CHECK_EQ_INT(num(stored(other, "aba"), "n"), 3);                /* version 3, n = 3, cached */
    plain_delete(other, "aba");
    for (i = 0; i < 3; i++) CHECK(olock_update(other, TABLE, key_of("aba"), add_n, &ten, &wr, NULL) == OLOCK_OK);
    CHECK_EQ_INT(num(stored(other, "aba"), "version"), 3);          /* version 3 again, n = 30 */
    /* without the head in the condition the cached write (version 3 -> 4, n = 4) would match */
    CHECK(olock_update(cached, TABLE, key_of("aba"), add_one, NULL, &wr, NULL) == OLOCK_OK);
    CHECK_EQ_INT(wr.conflicts, 1);                                  /* the stale write failed ... */
    CHECK_EQ_INT(wr.requests, 2);                                   /* ... and was re-applied once */
    CHECK_EQ_INT(num(stored(other, "aba"), "n"), 31);
    CHECK_EQ_INT(num(stored(other, "aba"), "version"), 4);
    olock_client_destroy(cached);
    olock_client_destroy(other);
}

/* A put of an item read from the table keeps the other writers' ledger entries and requires its
   head; a put of an item built from scratch starts a ledger of its own. */
TEST(test_put_carries_the_ledger) {
    olock_client *a = client(0), *b = client(0);
    olock_item_request r;
    olock_write_result wr;
    const olock_value *read, *after;
    olock_value *copy;
    CHECK(olock_update(a, TABLE, key_of("carry"), add_one, NULL, NULL, NULL) == OLOCK_OK);
    CHECK(olock_update(a, TABLE, key_of("carry"), add_one, NULL, NULL, NULL) == OLOCK_OK);
    read = stored(b, "carry");
    CHECK(ledger(read) && ledger(read)->count == 2);               /* head + a's entry */
    copy = olock_value_copy(&g_arena, read);
    olock_map_put(&g_arena, copy, "n", 1, olock_value_new_i64(&g_arena, 100));
    memset(&r, 0, sizeof r);
    r.table = TABLE; r.item = copy;
    CHECK(olock_versioned_put(b, &r, 2, &wr, NULL) == OLOCK_OK);
    after = stored(b, "carry");
    CHECK_EQ_INT(num(after, "version"), 3);
    CHECK(ledger(after) && ledger(after)->count == 3);             /* head + a's entry + b's */
    CHECK_EQ_STR(head(after), head(read));
    /* the same read item put again at version 3 after a delete and re-create to version 3: the
       head differs, so it is a conflict, not a match */
    plain_delete(a, "carry");
    CHECK(olock_update(a, TABLE, key_of("carry"), add_one, NULL, NULL, NULL) == OLOCK_OK);
    CHECK(olock_update(a, TABLE, key_of("carry"), add_one, NULL, NULL, NULL) == OLOCK_OK);
    CHECK(olock_update(a, TABLE, key_of("carry"), add_one, NULL, NULL, NULL) == OLOCK_OK);
    r.item = olock_value_copy(&g_arena, after);                    /* version 3 of the first incarnation */
    CHECK(olock_versioned_put(b, &r, 3, &wr, NULL) == OLOCK_CONFLICT);
    CHECK_EQ_INT(num(stored(a, "carry"), "n"), 3);
    olock_client_destroy(a);
    olock_client_destroy(b);
}

/* Items written before incarnations have a head "@B": they read, and the next write gives them
   an incarnation. */
TEST(test_old_head_is_upgraded) {
    olock_client *a = client(0);
    olock_item *it = NULL;
    olock_item_request r;
    olock_value *l;
    CHECK(olock_item_create(NULL, &it) == OLOCK_OK);
    olock_item_set_s(it, "id", "old");
    olock_item_set_i64(it, "version", 4);
    olock_item_set_i64(it, "n", 4);
    l = olock_value_new_container(olock_item_arena(it), OLOCK_TYPE_L);
    olock_list_append(l, olock_value_new_s(olock_item_arena(it), "@3", 2));
    olock_list_append(l, olock_value_new_s(olock_item_arena(it), "abcdefghijkl:1:4", 16));
    olock_item_put(it, "olock_writers", l);
    memset(&r, 0, sizeof r);
    r.table = TABLE; r.item = it->root;
    CHECK(olock_put_item(a, &r, NULL, NULL) == OLOCK_OK);
    CHECK(olock_update(a, TABLE, key_of("old"), add_one, NULL, NULL, NULL) == OLOCK_OK);
    CHECK_EQ_INT(num(stored(a, "old"), "n"), 5);
    CHECK(strncmp(head(stored(a, "old")), "@3:", 3) == 0 && strlen(head(stored(a, "old"))) == 15);
    CHECK(ledger(stored(a, "old"))->count == 3);                    /* the old entry is kept */
    olock_item_destroy(it);
    olock_client_destroy(a);
}

/* MAYBE_SENT says why olock could not settle. */
TEST(test_unsettled_messages) {
    olock_config cfg = olock_config_default();
    olock_client *off = NULL;
    olock_error e;
    cfg.transport = olock_fake_transport(g_fake);
    cfg.versioning.token_attribute = "";
    CHECK(olock_client_create(&cfg, &off, NULL) == OLOCK_OK);
    CHECK(olock_update(off, TABLE, key_of("msg"), add_one, NULL, NULL, NULL) == OLOCK_OK);
    /* the write is applied, its answer lost; the resend meets our own write */
    CHECK(olock_fake_inject(g_fake, OLOCK_FAKE_FAULT_LOST_RESPONSE, 1, OLOCK_OP_PUT_ITEM, TABLE) == OLOCK_OK);
    CHECK(olock_update(off, TABLE, key_of("msg"), add_one, NULL, NULL, &e) == OLOCK_ERR_MAYBE_SENT);
    CHECK(strstr(e.message, "without the writer ledger") != NULL);
    olock_client_destroy(off);
}

int main(void) {
    olock_client *admin;
    olock_create_table_request ct;
    olock_arena_init(&g_arena, NULL);
    if (olock_fake_create(NULL, &g_fake) != OLOCK_OK || !(admin = client(0))) return 1;
    memset(&ct, 0, sizeof ct);
    ct.table = TABLE; ct.hash_key = "id"; ct.hash_type = OLOCK_TYPE_S;
    CHECK(olock_create_table(admin, &ct, NULL, NULL) == OLOCK_OK);
    olock_client_destroy(admin);
    RUN(test_head_names_the_incarnation);
    RUN(test_recreated_item_is_a_conflict);
    RUN(test_put_carries_the_ledger);
    RUN(test_old_head_is_upgraded);
    RUN(test_unsettled_messages);
    olock_fake_destroy(g_fake);
    olock_arena_free(&g_arena);
    return TEST_MAIN_END();
}
