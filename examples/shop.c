/* shop.c - the olock demo (`make demo`): a game-server shop with a limited stock.

   16 players buy from one shared stock of 100 swords at the same time, 10 tries each: more
   demand than stock. Each purchase reads the shop item, checks the stock and writes it back.

   The naive version (what most code does first) reads, changes and writes the item without a
   condition: the last writer wins. Two players who read "stock 7" both write "stock 6", so a
   sale is lost from the books and the shop sells swords it does not have.

   The olock version does the same read-modify-write with olock_update: the write only happens
   if the item's version is still the one that was read; a player who lost the race gets the
   fresh item and decides again. Every sale is counted once and the stock never goes negative.

   Runs on the in-process fake by default, with a simulated network latency so that players
   really overlap. With --endpoint URL (or AWS_ENDPOINT_URL_DYNAMODB) it runs against DynamoDB
   Local or DynamoDB through the curl backend (the Makefile adds -DOLOCK_EXAMPLE_CURL -lcurl
   when libcurl is installed).
   Exit status: 0 when olock's books balance, 1 otherwise. */
#define OLOCK_IMPLEMENTATION
#define OLOCK_FAKE_IMPLEMENTATION
#include "olock.h"
#include "olock_fake.h"
#ifdef OLOCK_EXAMPLE_CURL
#  define OLOCK_CURL_IMPLEMENTATION
#  include "olock_curl.h"
#endif
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define PLAYERS 16
#define TRIES 10
#define STOCK 100

static const char *g_endpoint;
static olock_fake *g_fake;
static const char *g_table = "olock_demo_shop";

/* ---- the transport: the fake with a network-like delay, or curl ---------------------------- */

typedef struct slow_link { olock_transport inner; long latency_us; } slow_link;

static olock_result slow_send(void *user, const olock_http_request *req, olock_http_response *res) {
    slow_link *l = (slow_link *)user;
    struct timespec ts;
    ts.tv_sec = 0;
    ts.tv_nsec = l->latency_us * 1000L;
    nanosleep(&ts, NULL);
    return l->inner.send(l->inner.user, req, res);
}

static void slow_destroy(void *user) { free(user); }

static olock_client *connect_client(void) {
    olock_config cfg = olock_config_default();
    olock_client *c = NULL;
    olock_error err;
    if (g_endpoint) {
#ifdef OLOCK_EXAMPLE_CURL
        olock_curl *t = NULL;
        if (olock_curl_create(NULL, &t) != OLOCK_OK) return NULL;
        cfg.transport = olock_curl_transport(t);
        cfg.endpoint = g_endpoint;
        if (!getenv("AWS_REGION") && !getenv("AWS_DEFAULT_REGION")) cfg.region = "us-east-1";
        if (!getenv("AWS_ACCESS_KEY_ID")) {                 /* DynamoDB Local takes any key */
            cfg.credentials.access_key_id = "AKIDLOCAL";
            cfg.credentials.secret_access_key = "local";
        }
#else
        fprintf(stderr, "this build has no curl backend: install libcurl4-openssl-dev and rebuild\n");
        return NULL;
#endif
    } else {
        slow_link *l = (slow_link *)malloc(sizeof *l);
        if (!l) return NULL;
        l->inner = olock_fake_transport(g_fake);
        l->latency_us = 200;                                  /* 0.2 ms each way, as on a LAN */
        cfg.transport.user = l;
        cfg.transport.send = slow_send;
        cfg.transport.destroy = slow_destroy;
        cfg.ignore_environment = 1;
    }
    cfg.retry.conflict_attempts = 100;                        /* 16 players on one item */
    if (olock_client_create(&cfg, &c, &err) != OLOCK_OK) {
        fprintf(stderr, "client: %s\n", err.message);
        return NULL;
    }
    return c;
}

/* ---- the shop item ---------------------------------------------------------------------------- */

/* The key {id: S} of a shop item, in the caller's arena (each thread has its own). */
static olock_value *shop_key(olock_arena *a, const char *id) {
    olock_value *k = olock_value_new_container(a, OLOCK_TYPE_M);
    if (k) olock_map_put(a, k, "id", 2, olock_value_new_s(a, id, strlen(id)));
    return k;
}

/* Writes a fresh shop item {id, stock: STOCK, sold: 0} (unconditionally). */
static int restock(olock_client *c, const char *id) {
    olock_item *it = NULL;
    olock_item_request r = olock_item_request_default();
    olock_error err;
    olock_result rc;
    olock_item_create(NULL, &it);
    olock_item_set_s(it, "id", id);
    olock_item_set_i64(it, "stock", STOCK);
    olock_item_set_i64(it, "sold", 0);
    r.table = g_table;
    r.item = it->root;
    rc = olock_put_item(c, &r, NULL, &err);
    olock_item_destroy(it);
    if (rc != OLOCK_OK) fprintf(stderr, "restock: %s\n", err.message);
    return rc == OLOCK_OK;
}

/* ---- naive: read, change, write back, no condition ----------------------------------------- */

typedef struct player { const char *shop; int bought; int sold_out; int errors; unsigned conflicts, requests; } player;

static void *naive_player(void *arg) {
    player *p = (player *)arg;
    olock_client *c = connect_client();
    olock_arena a;
    olock_value *key;
    int i;
    if (!c) { p->errors++; return NULL; }
    olock_arena_init(&a, NULL);
    key = shop_key(&a, p->shop);
    for (i = 0; i < TRIES; i++) {
        olock_item_request r = olock_item_request_default();
        int64_t stock = 0, sold = 0;
        olock_item *it = NULL;
        if (olock_get(c, g_table, key, 1, &it, NULL) != OLOCK_OK) { p->errors++; continue; }
        olock_item_get_i64(it, "stock", &stock);
        olock_item_get_i64(it, "sold", &sold);
        if (stock <= 0) { p->sold_out++; olock_item_destroy(it); continue; }
        olock_item_set_i64(it, "stock", stock - 1);       /* write back what we think is true */
        olock_item_set_i64(it, "sold", sold + 1);
        r.table = g_table; r.item = it->root;
        if (olock_put_item(c, &r, NULL, NULL) == OLOCK_OK) p->bought++; else p->errors++;
        olock_item_destroy(it);
    }
    olock_arena_free(&a);
    olock_client_destroy(c);
    return NULL;
}

/* ---- olock: the same change as a mutate function ---------------------------------------------- */

static olock_mutation buy_one(void *user, olock_item *shop, int exists) {
    int64_t stock = 0, sold = 0;
    (void)user;
    if (!exists) return OLOCK_MUTATE_ABORT;
    olock_item_get_i64(shop, "stock", &stock);
    olock_item_get_i64(shop, "sold", &sold);
    if (stock <= 0) return OLOCK_MUTATE_NO_CHANGE;             /* sold out: nothing to write */
    olock_item_set_i64(shop, "stock", stock - 1);
    olock_item_set_i64(shop, "sold", sold + 1);
    return OLOCK_MUTATE_WRITE;
}

static void *olock_player(void *arg) {
    player *p = (player *)arg;
    olock_client *c = connect_client();
    olock_arena a;
    olock_value *key;
    int i;
    if (!c) { p->errors++; return NULL; }
    olock_arena_init(&a, NULL);
    key = shop_key(&a, p->shop);
    for (i = 0; i < TRIES; i++) {
        olock_write_result res;
        olock_error err;
        if (olock_update(c, g_table, key, buy_one, NULL, &res, &err) != OLOCK_OK) {
            fprintf(stderr, "purchase failed: %s\n", err.message);
            p->errors++;
        } else if (res.changed) {
            p->bought++;
        } else {
            p->sold_out++;
        }
        p->conflicts += res.conflicts;
        p->requests += res.requests;
    }
    olock_arena_free(&a);
    olock_client_destroy(c);
    return NULL;
}

/* ---- the run ------------------------------------------------------------------------------------ */

typedef struct tally { int bought, sold_out, errors; unsigned conflicts, requests; int64_t stock, sold; } tally;

static tally run(olock_client *c, const char *shop, void *(*fn)(void *)) {
    pthread_t th[PLAYERS];
    player p[PLAYERS];
    tally t;
    olock_item *shop_item = NULL;
    olock_arena a;
    int i;
    memset(&t, 0, sizeof t);
    olock_arena_init(&a, NULL);
    restock(c, shop);
    for (i = 0; i < PLAYERS; i++) {
        memset(&p[i], 0, sizeof p[i]);
        p[i].shop = shop;
        pthread_create(&th[i], NULL, fn, &p[i]);
    }
    for (i = 0; i < PLAYERS; i++) {
        pthread_join(th[i], NULL);
        t.bought += p[i].bought; t.sold_out += p[i].sold_out; t.errors += p[i].errors;
        t.conflicts += p[i].conflicts; t.requests += p[i].requests;
    }
    if (olock_get(c, g_table, shop_key(&a, shop), 1, &shop_item, NULL) == OLOCK_OK) {
        olock_item_get_i64(shop_item, "stock", &t.stock);
        olock_item_get_i64(shop_item, "sold", &t.sold);
    }
    olock_item_destroy(shop_item);
    olock_arena_free(&a);
    return t;
}

int main(int argc, char **argv) {
    olock_client *c;
    olock_create_table_request ct = olock_create_table_request_default();
    tally naive, safe;
    int i, ok;
    for (i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--endpoint") == 0 && i + 1 < argc) g_endpoint = argv[++i];
        else { fprintf(stderr, "usage: %s [--endpoint URL]\n", argv[0]); return 2; }
    }
    if (!g_endpoint) g_endpoint = getenv("AWS_ENDPOINT_URL_DYNAMODB");
    if (g_endpoint && !*g_endpoint) g_endpoint = NULL;
    if (!g_endpoint && olock_fake_create(NULL, &g_fake) != OLOCK_OK) return 1;
    c = connect_client();
    if (!c) return 1;
    ct.table = g_table; ct.hash_key = "id"; ct.hash_type = OLOCK_TYPE_S;
    olock_create_table(c, &ct, NULL, NULL);                 /* fine if it exists already */

    printf("olock demo: %d players buy from a stock of %d swords, %d tries each (%s)\n\n",
           PLAYERS, STOCK, TRIES, g_endpoint ? g_endpoint : "in-process fake, 0.2 ms latency");
    naive = run(c, "shop-naive", naive_player);
    printf("naive read-modify-write (last writer wins):\n");
    printf("  players were told %d purchases succeeded; the books say %lld sold, %lld left\n",
           naive.bought, (long long)naive.sold, (long long)naive.stock);
    printf("  => %lld sales lost from the books, %lld swords sold that did not exist\n\n",
           (long long)(naive.bought - naive.sold), (long long)(naive.bought > STOCK ? naive.bought - STOCK : 0));

    safe = run(c, "shop-olock", olock_player);
    printf("olock_update (versioned, retried on conflict):\n");
    printf("  players were told %d purchases succeeded, %d found it sold out; the books say %lld sold, %lld left\n",
           safe.bought, safe.sold_out, (long long)safe.sold, (long long)safe.stock);
    printf("  => %u conflicts detected and re-applied, %u requests, %d errors\n",
           safe.conflicts, safe.requests, safe.errors);
    ok = safe.errors == 0 && safe.bought == safe.sold && safe.sold + safe.stock == STOCK && safe.stock >= 0 &&
         safe.bought + safe.sold_out == PLAYERS * TRIES;
    printf("\n%s\n", ok ? "olock: every sale counted once, no sword sold twice." : "olock: INVARIANT FAILED");
    olock_client_destroy(c);
    olock_fake_destroy(g_fake);
    return ok ? 0 : 1;
}
