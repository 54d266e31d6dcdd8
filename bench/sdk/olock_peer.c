/* olock_peer: olock's side of the SDK comparison (bench/sdk/README.md).

   One versioned UpdateItem per operation, as the Go and JavaScript peers do it: the caller's
   request (key, "SET #g = :g, #t = :t" with its names and values) is built anew for each
   operation on a reused arena, and olock_versioned_update adds the version condition
   (`#olock_ver = :olock_exp`), the new version and ReturnValuesOnConditionCheckFailure=ALL_OLD,
   encodes, signs (SigV4, static credentials), sends through a null transport that answers at
   once with a canned 200, checks the CRC32 and decodes the response. One reused client per case.

   Driven by bench/sdk/driver.js over stdin/stdout, one command per line:
     cases                 -> the case names, space separated
     run CASE ITERS        -> process CPU nanoseconds spent running ITERS operations
     allocs CASE ITERS     -> heap allocations per operation (counting olock_allocator)
     check CASE            -> one operation; prints {"auth":..., "body":<request>, "attrs":N}
     quit */
#define OLOCK_IMPLEMENTATION
#include "olock.h"
#include "bench_util.h"
#include <time.h>

#define PLAYER_ID "player#7f3a2c91-1b4e-4c6e-9a57-3d2f0e8b6a11"

/* The canned answers: DynamoDB's `{}` for an UpdateItem without ReturnValues, and the item after
   the update for ReturnValues=ALL_NEW. The Go and JavaScript peers send the same bytes. */
static const char RESP_EMPTY[] = "{}";
static const char RESP_ALL_NEW[] =
    "{\"Attributes\":{\"gold\":{\"N\":\"130\"},\"id\":{\"S\":\"" PLAYER_ID "\"},"
    "\"title\":{\"S\":\"Dragon Slayer\"},\"version\":{\"N\":\"42\"}}}";

static bench_counts g_counts;
static olock_allocator g_alloc;
static volatile size_t g_sink;

typedef struct peer_transport {
    const char *body;
    size_t len;
    char crc[16], clen[16];
    int capture;                   /* copy the next request into last_* (check only) */
    char last_auth[512];
    olock_buf last_body;
    unsigned long sends;
} peer_transport;

#define ADD_HEADER(res, n, v) olock_http_response_add_header((res), (n), sizeof(n) - 1, (v), strlen(v))

static olock_result peer_send(void *user, const olock_http_request *req, olock_http_response *res) {
    peer_transport *t = (peer_transport *)user;
    t->sends++;
    if (t->capture) {
        size_t i;
        t->last_auth[0] = 0;
        for (i = 0; i < req->header_count; i++)
            if (strcmp(req->headers[i].name, "Authorization") == 0)
                snprintf(t->last_auth, sizeof t->last_auth, "%s", req->headers[i].value);
        olock_buf_clear(&t->last_body);
        if (olock_buf_append(&t->last_body, req->body, req->body_len) != OLOCK_OK) return OLOCK_ERR_NOMEM;
        t->capture = 0;
    }
    res->status = 200;
    if (ADD_HEADER(res, "x-amzn-RequestId", "N0T4REALREQUESTIDV4KQNSO5AEMVJF66Q9ASUAAJG") != OLOCK_OK ||
        ADD_HEADER(res, "x-amz-crc32", t->crc) != OLOCK_OK ||
        ADD_HEADER(res, "Content-Type", "application/x-amz-json-1.0") != OLOCK_OK ||
        ADD_HEADER(res, "Content-Length", t->clen) != OLOCK_OK)
        return OLOCK_ERR_NOMEM;
    return olock_http_response_append(res, t->body, t->len);
}

typedef struct peer_case {
    const char *name;
    int all_new;                   /* ReturnValues=ALL_NEW, answered with the item */
    int ledger;                    /* olock's default writer ledger (token_attribute) on */
    peer_transport t;
    olock_client *c;
    olock_arena arena;             /* the caller's request, rebuilt for every operation */
} peer_case;

static peer_case g_cases[] = {
    { "olock", 0, 0, {0}, NULL, {0} },            /* the same request as the SDKs' */
    { "olock_all_new", 1, 0, {0}, NULL, {0} },
    { "olock_ledger", 0, 1, {0}, NULL, {0} },     /* default config: + the writer ledger */
};
#define NCASES (sizeof g_cases / sizeof g_cases[0])

static void die(const char *what) {
    fprintf(stderr, "olock_peer: %s\n", what);
    exit(1);
}

static void case_init(peer_case *pc) {
    olock_config cfg = olock_config_default();
    olock_error e;
    pc->t.body = pc->all_new ? RESP_ALL_NEW : RESP_EMPTY;
    pc->t.len = strlen(pc->t.body);
    snprintf(pc->t.crc, sizeof pc->t.crc, "%lu", (unsigned long)olock_crc32(0, pc->t.body, pc->t.len));
    snprintf(pc->t.clen, sizeof pc->t.clen, "%lu", (unsigned long)pc->t.len);
    olock_buf_init(&pc->t.last_body, &g_alloc);
    cfg.allocator = g_alloc;
    cfg.transport.user = &pc->t;
    cfg.transport.send = peer_send;
    cfg.transport.destroy = NULL;
    cfg.ignore_environment = 1;
    cfg.endpoint = "https://dynamodb.eu-west-1.amazonaws.com/";   /* never contacted: the transport is null */
    cfg.region = "eu-west-1";
    cfg.credentials.access_key_id = "AKIAIOSFODNN7EXAMPLE";
    cfg.credentials.secret_access_key = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
    if (!pc->ledger) cfg.versioning.token_attribute = "";
    if (olock_client_create(&cfg, &pc->c, &e) != OLOCK_OK) die(e.message);
    olock_arena_init(&pc->arena, &g_alloc);
}

static olock_value *str_value(olock_arena *a, const char *s) { return olock_value_new_s(a, s, strlen(s)); }

/* One versioned UpdateItem: expected version 41, new version 42. */
static void one_update(peer_case *pc, olock_write_result *wr) {
    olock_arena *a = &pc->arena;
    olock_item_request req;
    olock_value *key, *names, *values;
    olock_error e;
    olock_arena_reset(a);
    key = olock_value_new_container(a, OLOCK_TYPE_M);
    names = olock_value_new_container(a, OLOCK_TYPE_M);
    values = olock_value_new_container(a, OLOCK_TYPE_M);
    if (!key || !names || !values ||
        olock_map_put(a, key, "id", 2, str_value(a, PLAYER_ID)) != OLOCK_OK ||
        olock_map_put(a, names, "#g", 2, str_value(a, "gold")) != OLOCK_OK ||
        olock_map_put(a, names, "#t", 2, str_value(a, "title")) != OLOCK_OK ||
        olock_map_put(a, values, ":g", 2, olock_value_new_i64(a, 130)) != OLOCK_OK ||
        olock_map_put(a, values, ":t", 2, str_value(a, "Dragon Slayer")) != OLOCK_OK)
        die("out of memory");
    memset(&req, 0, sizeof req);
    req.table = "players";
    req.key = key;
    req.update = "SET #g = :g, #t = :t";
    req.names = names;
    req.values = values;
    req.return_values = pc->all_new ? OLOCK_RV_ALL_NEW : OLOCK_RV_OMIT;
    if (olock_versioned_update(pc->c, &req, 41, wr, &e) != OLOCK_OK) die(e.message);
    if (wr->version != 42) die("unexpected version");
}

static void run_ops(peer_case *pc, long n) {
    long i;
    for (i = 0; i < n; i++) {
        olock_write_result wr;
        one_update(pc, &wr);
        g_sink += (size_t)wr.requests;
        if (pc->all_new) {          /* the decoded ALL_NEW item is there */
            if (!wr.item || !olock_map_get(wr.item, "title", 5)) die("no ALL_NEW attributes in the result");
        }
    }
}

static double process_cpu_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static peer_case *find_case(const char *name) {
    size_t i;
    for (i = 0; i < NCASES; i++) if (strcmp(g_cases[i].name, name) == 0) return &g_cases[i];
    return NULL;
}

int main(void) {
    char line[256], cmd[32], name[64];
    size_t i;
    g_alloc = bench_allocator(&g_counts);
    for (i = 0; i < NCASES; i++) case_init(&g_cases[i]);
    while (fgets(line, sizeof line, stdin)) {
        long iters = 0;
        peer_case *pc;
        int n = sscanf(line, "%31s %63s %ld", cmd, name, &iters);
        if (n < 1) continue;
        if (strcmp(cmd, "quit") == 0) break;
        if (strcmp(cmd, "cases") == 0) {
            for (i = 0; i < NCASES; i++) printf("%s%s", i ? " " : "", g_cases[i].name);
            printf("\n");
        } else if (n >= 2 && (pc = find_case(name)) != NULL) {
            if (strcmp(cmd, "run") == 0 && n == 3 && iters > 0) {
                double t0 = process_cpu_ns();
                run_ops(pc, iters);
                printf("%.0f\n", process_cpu_ns() - t0);
            } else if (strcmp(cmd, "allocs") == 0 && n == 3 && iters > 0) {
                unsigned long long before;
                run_ops(pc, iters);                 /* steady state first */
                before = bench_allocs(&g_counts);
                run_ops(pc, iters);
                printf("%.3f\n", (double)(bench_allocs(&g_counts) - before) / (double)iters);
            } else if (strcmp(cmd, "check") == 0) {
                olock_write_result wr;
                unsigned long before = pc->t.sends;
                pc->t.capture = 1;
                one_update(pc, &wr);
                if (pc->t.sends - before != 1 || wr.requests != 1) die("expected exactly one request");
                printf("{\"auth\":\"%s\",\"attrs\":%lu,\"body\":%.*s}\n", pc->t.last_auth,
                       (unsigned long)(wr.item ? wr.item->count : 0), (int)pc->t.last_body.len, pc->t.last_body.data);
            } else {
                printf("error bad command\n");
            }
        } else {
            printf("error unknown case or command\n");
        }
        fflush(stdout);
    }
    for (i = 0; i < NCASES; i++) {
        olock_client_destroy(g_cases[i].c);
        olock_arena_free(&g_cases[i].arena);
        olock_buf_free(&g_cases[i].t.last_body);
    }
    return 0;
}
