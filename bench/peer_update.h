/* peer_update.h - the versioned UpdateItem that bench/sdk compares with the AWS SDKs, olock's
   side, written once: bench/sdk/olock_peer.c times it against the SDKs and bench_r2_ops.c
   times it before and after performance round 2, so both measure the same request and the
   same canned answer. Include after olock.h; benchmark code only. */
#ifndef OLOCK_BENCH_PEER_UPDATE_H
#define OLOCK_BENCH_PEER_UPDATE_H
#include <stdio.h>
#include <string.h>

#define PLAYER_ID "player#7f3a2c91-1b4e-4c6e-9a57-3d2f0e8b6a11"

/* The canned answers: DynamoDB's `{}` for an UpdateItem without ReturnValues, and the item after
   the update for ReturnValues=ALL_NEW. The Go and JavaScript peers send the same bytes. */
static const char RESP_EMPTY[] = "{}";
static const char RESP_ALL_NEW[] =
    "{\"Attributes\":{\"gold\":{\"N\":\"130\"},\"id\":{\"S\":\"" PLAYER_ID "\"},"
    "\"title\":{\"S\":\"Dragon Slayer\"},\"version\":{\"N\":\"42\"}}}";

/* An HTTP 200 answer with DynamoDB's headers, made once and sent for every request. */
typedef struct peer_answer {
    const char *body;
    size_t len;
    char crc[16], clen[16];
} peer_answer;

static void peer_answer_init(peer_answer *a, int all_new) {
    a->body = all_new ? RESP_ALL_NEW : RESP_EMPTY;
    a->len = strlen(a->body);
    snprintf(a->crc, sizeof a->crc, "%lu", (unsigned long)olock_crc32(0, a->body, a->len));
    snprintf(a->clen, sizeof a->clen, "%lu", (unsigned long)a->len);
}

#define PEER_ADD_HEADER(res, n, v) olock_http_response_add_header((res), (n), sizeof(n) - 1, (v), strlen(v))

static olock_result peer_answer_send(const peer_answer *a, olock_http_response *res) {
    res->status = 200;
    if (PEER_ADD_HEADER(res, "x-amzn-RequestId", "N0T4REALREQUESTIDV4KQNSO5AEMVJF66Q9ASUAAJG") != OLOCK_OK ||
        PEER_ADD_HEADER(res, "x-amz-crc32", a->crc) != OLOCK_OK ||
        PEER_ADD_HEADER(res, "Content-Type", "application/x-amz-json-1.0") != OLOCK_OK ||
        PEER_ADD_HEADER(res, "Content-Length", a->clen) != OLOCK_OK)
        return OLOCK_ERR_NOMEM;
    return olock_http_response_append(res, a->body, a->len);
}

static olock_value *peer_str(olock_arena *a, const char *s) { return olock_value_new_s(a, s, strlen(s)); }

/* The gold of the n-th update: 130 first (the request the SDK driver checks), then a new value
   each time, as an application writes them; the same number of digits, so every body is as
   long. Consecutive bodies differ in their values, as two writes of one item do, and the
   peers all send the same sequence. */
#define PEER_GOLD(n) (130 + (long)((n) % 870))

/* One versioned UpdateItem as an application writes it: the caller's key (id), names and
   values (gold) rebuilt on the reset arena, expected version 41 (so 42 is written). NULL, or
   what failed. */
static const char *peer_update(olock_client *c, olock_arena *a, const char *id, long gold, int all_new,
                               olock_write_result *wr, olock_error *e) {
    olock_item_request req;
    olock_value *key, *names, *values;
    olock_arena_reset(a);
    key = olock_value_new_container(a, OLOCK_TYPE_M);
    names = olock_value_new_container(a, OLOCK_TYPE_M);
    values = olock_value_new_container(a, OLOCK_TYPE_M);
    if (!key || !names || !values ||
        olock_map_put(a, key, "id", 2, peer_str(a, id)) != OLOCK_OK ||
        olock_map_put(a, names, "#g", 2, peer_str(a, "gold")) != OLOCK_OK ||
        olock_map_put(a, names, "#t", 2, peer_str(a, "title")) != OLOCK_OK ||
        olock_map_put(a, values, ":g", 2, olock_value_new_i64(a, gold)) != OLOCK_OK ||
        olock_map_put(a, values, ":t", 2, peer_str(a, "Dragon Slayer")) != OLOCK_OK)
        return "out of memory";
    memset(&req, 0, sizeof req);
    req.table = "players";
    req.key = key;
    req.update = "SET #g = :g, #t = :t";
    req.names = names;
    req.values = values;
    req.return_values = all_new ? OLOCK_RV_ALL_NEW : OLOCK_RV_OMIT;
    if (olock_versioned_update(c, &req, 41, wr, e) != OLOCK_OK) return e->message;
    if (wr->version != 42) return "unexpected version";
    return NULL;
}

#endif
