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
#include "peer_update.h"
#include <time.h>


static bench_counts g_counts;
static olock_allocator g_alloc;
static volatile size_t g_sink;

typedef struct peer_transport {
    peer_answer answer;
    int capture;                   /* copy the next request into last_* (check only) */
    char last_auth[512];
    olock_buf last_body;
    unsigned long sends;
} peer_transport;

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
    return peer_answer_send(&t->answer, res);
}

typedef struct peer_case {
    const char *name;
    int all_new;                   /* ReturnValues=ALL_NEW, answered with the item */
    int ledger;                    /* olock's default writer ledger (token_attribute) on */
    peer_transport t;
    olock_client *c;
    olock_arena arena;             /* the caller's request, rebuilt for every operation */
    unsigned long n;               /* updates so far: the next one's gold (PEER_GOLD) */
} peer_case;

static peer_case g_cases[] = {
    { .name = "olock" },                           /* the same request as the SDKs' */
    { .name = "olock_all_new", .all_new = 1 },
    { .name = "olock_ledger", .ledger = 1 },       /* default config: + the writer ledger */
};
#define NCASES (sizeof g_cases / sizeof g_cases[0])

static void die(const char *what) {
    fprintf(stderr, "olock_peer: %s\n", what);
    exit(1);
}

static void case_init(peer_case *pc) {
    olock_config cfg = olock_config_default();
    olock_error e;
    peer_answer_init(&pc->t.answer, pc->all_new);
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

/* One versioned UpdateItem: expected version 41, new version 42, the next gold. */
static void one_update(peer_case *pc, olock_write_result *wr) {
    olock_error e;
    const char *failed = peer_update(pc->c, &pc->arena, PLAYER_ID, PEER_GOLD(pc->n), pc->all_new, wr, &e);
    pc->n++;
    if (failed) die(failed);
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
