/* event_loop.c - many olock operations driven from one thread, without blocking.

   Every olock operation is also a resumable state machine (an olock_task): poll it and it says
   "send this request", "wait N ms" or "done"; hand it the response when it arrives. Here one
   loop runs 64 read-modify-writes at once, on 4 shared counters, against the in-process fake
   behind a simulated network: each request is answered 1-5 ms (virtual time) after it was sent,
   so the operations overlap and conflict as they would on a real network. A game loop, epoll or
   curl's multi interface drives tasks the same way. */
#define OLOCK_IMPLEMENTATION
#define OLOCK_FAKE_IMPLEMENTATION
#include "olock.h"
#include "olock_fake.h"
#include <stdio.h>
#include <string.h>

#define TASKS 64
#define COUNTERS 4

typedef struct slot {
    olock_task *task;
    olock_value *key;
    uint64_t ready_at;             /* virtual time when its response arrives / its wait ends */
    int in_flight;                 /* a request is "on the network" */
    olock_result transport_result;
} slot;

static uint64_t g_now;             /* virtual milliseconds */
static uint64_t g_rng = 42;

static uint64_t latency_ms(void) {
    g_rng ^= g_rng << 13; g_rng ^= g_rng >> 7; g_rng ^= g_rng << 17;
    return 1 + g_rng % 5;
}

static uint64_t virtual_now(void *user) { (void)user; return g_now; }

static olock_mutation increment(void *user, olock_item *item, int exists) {
    int64_t n = 0;
    (void)user;
    if (exists) olock_item_get_i64(item, "n", &n);
    olock_item_set_i64(item, "n", n + 1);
    return OLOCK_MUTATE_WRITE;
}

int main(void) {
    olock_fake *fake = NULL;
    olock_client *c = NULL;
    olock_config cfg = olock_config_default();
    olock_transport net;
    olock_create_table_request ct = olock_create_table_request_default();
    olock_arena keys;
    slot s[TASKS];
    int i, done = 0, ok = 0;
    unsigned requests = 0, conflicts = 0;

    olock_fake_create(NULL, &fake);
    net = olock_fake_transport(fake);
    cfg.transport = net;
    cfg.now_ms = virtual_now;                       /* the engine's backoff runs on our clock */
    cfg.retry.conflict_attempts = 100;
    cfg.ignore_environment = 1;
    if (olock_client_create(&cfg, &c, NULL) != OLOCK_OK) return 1;
    ct.table = "counters"; ct.hash_key = "id"; ct.hash_type = OLOCK_TYPE_S;
    olock_create_table(c, &ct, NULL, NULL);

    olock_arena_init(&keys, NULL);
    for (i = 0; i < TASKS; i++) {
        char id[16];
        snprintf(id, sizeof id, "counter-%d", i % COUNTERS);
        s[i].key = olock_value_new_container(&keys, OLOCK_TYPE_M);
        olock_map_put(&keys, s[i].key, "id", 2, olock_value_new_s(&keys, id, strlen(id)));
        s[i].ready_at = 0;
        s[i].in_flight = 0;
        if (olock_task_create(c, &s[i].task) != OLOCK_OK ||
            olock_task_begin_update(s[i].task, "counters", s[i].key, increment, NULL) != OLOCK_OK) return 1;
    }

    /* The loop: advance virtual time to the next event, then give every due task its turn. */
    while (done < TASKS) {
        uint64_t next = UINT64_MAX;
        for (i = 0; i < TASKS; i++) {
            const olock_http_request *req;
            uint64_t wait = 0;
            olock_task_state st;
            if (!s[i].task || s[i].ready_at > g_now) {
                if (s[i].task && s[i].ready_at < next) next = s[i].ready_at;
                continue;
            }
            if (s[i].in_flight) {                   /* its response has arrived */
                s[i].in_flight = 0;
                olock_task_complete(s[i].task, s[i].transport_result);
            }
            st = olock_task_poll(s[i].task, g_now, &req, &wait);
            if (st == OLOCK_TASK_SEND) {
                /* "Send": the fake answers at once; we pretend the answer takes a while. */
                s[i].transport_result = net.send(net.user, req, olock_task_response(s[i].task));
                s[i].in_flight = 1;
                s[i].ready_at = g_now + latency_ms();
            } else if (st == OLOCK_TASK_WAIT) {
                s[i].ready_at = g_now + wait;
            } else {
                olock_write_result res;
                memset(&res, 0, sizeof res);
                if (olock_task_result(s[i].task, &res, NULL) == OLOCK_OK) ok++;
                requests += res.requests;
                conflicts += res.conflicts;
                olock_task_destroy(s[i].task);
                s[i].task = NULL;
                done++;
                continue;
            }
            if (s[i].ready_at < next) next = s[i].ready_at;
        }
        if (next != UINT64_MAX && next > g_now) g_now = next;
    }

    printf("%d of %d updates committed in %llu ms of virtual time: %u requests, %u conflicts\n",
           ok, TASKS, (unsigned long long)g_now, requests, conflicts);
    for (i = 0; i < COUNTERS; i++) {
        olock_item *counter = NULL;
        int64_t n = -1;
        if (olock_get(c, "counters", s[i].key, 1, &counter, NULL) == OLOCK_OK) olock_item_get_i64(counter, "n", &n);
        olock_item_destroy(counter);
        printf("counter-%d = %lld\n", i, (long long)n);
        if (n != TASKS / COUNTERS) ok = -1;
    }
    olock_arena_free(&keys);
    olock_client_destroy(c);
    olock_fake_destroy(fake);
    return ok == TASKS ? 0 : 1;
}
