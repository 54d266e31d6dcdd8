/* olock-fakeserver - the olock in-memory fake DynamoDB (backends/olock_fake.h) served over HTTP/1.1
   SPDX-License-Identifier: MIT

   A drop-in for Amazon DynamoDB Local in tests, from any language, that starts in milliseconds:

       build/olock-fakeserver [--port P] [--host 127.0.0.1]
       listening on 127.0.0.1:PORT         <- first line on stdout, flushed

   then point any DynamoDB client at http://127.0.0.1:PORT with any alphanumeric access key.
   SIGTERM or SIGINT stops it (exit status 0). Options: --help.

WHAT IT DOES WITH A REQUEST
   Any method on any path is one DynamoDB call, as DynamoDB Local treats it (a GET has no body,
   so it fails as a non-JSON body does). In order:
   1. a body over 16 MiB: HTTP 413 {"Message":""}, DynamoDB Local's answer. A client that
      announced it and waits for "100 Continue" is refused at once; otherwise the body is read
      and dropped so that the client sees the answer, up to 32 MiB, past which the connection
      is closed after the answer;
   2. the Authorization header (below);
   3. the headers and body go to the fake's transport unchanged; X-Amz-Target, the JSON body and
      everything DynamoDB answers are the fake's business. Content-Type is not checked: DynamoDB
      Local ignores it.
   The fake's status, headers (Content-Type, x-amz-crc32) and body are sent back with an
   x-amzn-RequestId (a random UUID, as DynamoDB Local sends). Answers made here carry
   Content-Type and x-amz-crc32 too, except the 413 (no Content-Type, as DynamoDB Local).
   When the fake's transport reports that the request was not delivered or its answer was lost
   (OLOCK_ERR_NOT_SENT / OLOCK_ERR_MAYBE_SENT), the connection is closed without an answer:
   that is what the client would see from the network.

AUTHORIZATION
   Signatures are not verified (DynamoDB Local does not verify them either), but the header must
   have SigV4's shape:
       AWS4-HMAC-SHA256 Credential=<akid>/<yyyymmdd>/<region>/<service>/aws4_request,
           SignedHeaders=<name>;<name>..., Signature=<64 hex digits>
   Wrong ones get DynamoDB Local 3.3.1's answers, recorded with curl:
     missing                                400 MissingAuthenticationToken
     first parameter not Credential=, an
       access key that is not alphanumeric,
       or none followed by '/' (with other
       parameters after Credential)         400 UnrecognizedClientException
     no parameter after the algorithm, or
       a first parameter without '='        500 InternalFailure
   Past a well-formed Credential, DynamoDB Local looks at nothing else: any algorithm name, a
   short or missing Signature, no SignedHeaders, parameters in any order, a trailing ',' are all
   served, and so they are here (a server that refused what DynamoDB Local accepts would break
   tests that pass there). The credential scope after "<akid>/" is not checked either: the aws4
   npm package signs for a bare IP host with an empty service name
   (<akid>/20260101/us-east-1//aws4_request).

HOSTILE CLIENTS
   One event loop per thread (epoll where available), so a slow client holds a socket, not a
   thread. Bounded: connections (--max-connections, shared by the threads), idle
   time (--timeout seconds without a byte either way closes the connection), the time a
   request may take to arrive (--request-timeout seconds for its headers and body, counted
   from the accept, or on a kept-alive connection from its request line: a client dripping a
   byte now and then is closed too; checked every 0.2 s), header memory per connection
   (libmicrohttpd's pool, 32 KiB: larger headers get 431, as from DynamoDB Local's Jetty), body
   per request (16 MiB, streamed into a buffer grown as the bytes arrive, never by what
   Content-Length claims). Malformed HTTP is answered 400 by libmicrohttpd and closed; a request
   line it cannot split at all is closed without an answer (DynamoDB Local answers 400).
   Slots are kept for clients that send: when a new connection takes the last slot, the oldest
   connection still waiting for its request is closed, so 1,100 clients trickling headers
   cannot lock out a client that sends its request at once. Connections being answered or idle
   between requests are not closed for room; when only those are left, new ones wait in the
   kernel's listen queue.

FRAMING
   What DynamoDB Local 3.3.1's Jetty refuses before reading a request is refused here with the
   same 400 page (text/html, the same title, Connection: close): two Content-Length headers
   ("Multiple Content-Lengths"), Content-Length with Transfer-Encoding ("Transfer-Encoding and
   Content-Length"), a Transfer-Encoding other than chunked ("Bad Transfer-Encoding, chunked
   not last"), two Host headers ("Duplicate Host Header"), an empty one ("Blank Host"), none
   in HTTP/1.1 ("No Host"), a Content-Length past 2^63-1 ("Bad Request"). An X-Amz-Target
   without an operation ("", "DynamoDB_20120810", "DynamoDB_20120810.") gets 500
   InternalFailure, as from DynamoDB Local. libmicrohttpd 0.9.75 decides these before this
   server sees the request, so they differ from DynamoDB Local:
     Content-Length of 2^64 or more      413 (libmicrohttpd's page)  DynamoDB Local: 400
     a chunk size that is not hex        400 (libmicrohttpd's page)  DynamoDB Local: 500
       or a chunk size past 2^64         413                         InternalFailure JSON,
                                                                     no Content-Type
     a malformed Content-Length          400 (libmicrohttpd's page)  DynamoDB Local: 400 page
     a NUL inside a header value         the value ends at the NUL   DynamoDB Local: 400
                                         (a NUL in X-Amz-Target      "Illegal character
                                         after the operation runs it) CNTL=0x0"
     a space before a header's colon,    accepted                    DynamoDB Local: 400
       a folded header line

THREADS
   libmicrohttpd's internal threads (--threads, default 2); every request runs the fake under
   the fake's mutex, so conditional writes are atomic. The main thread waits for a signal.
*/
#if !defined(_POSIX_C_SOURCE) && !defined(_GNU_SOURCE)
#  define _POSIX_C_SOURCE 200809L
#endif

#define OLOCK_IMPLEMENTATION
#define OLOCK_FAKE_IMPLEMENTATION
#include "olock.h"
#include "olock_fake.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <microhttpd.h>

#if MHD_VERSION < 0x00097002
#  define FS_MHD_RESULT int   /* before 0.9.71 callbacks returned int */
#else
#  define FS_MHD_RESULT enum MHD_Result
#endif

#define FS_MAX_BODY ((size_t)16 * 1024 * 1024)   /* DynamoDB's request size limit: 16 MiB */
#define FS_NS "com.amazonaws.dynamodb.v20120810#"
#define FS_JSON_TYPE "application/x-amz-json-1.0"

/* ---- options ------------------------------------------------------------------------------- */

typedef struct fs_options {
    const char *host;             /* a numeric IPv4 or IPv6 address */
    unsigned port;                /* 0: a free port */
    unsigned threads;
    unsigned max_connections;
    unsigned timeout_s;           /* idle seconds before a connection is closed */
    unsigned request_timeout_s;   /* seconds a request's headers and body may take */
    const char *faults;           /* --faults SPEC: the fake's random fault injection */
    const char *seed;             /* --seed S: its random source */
} fs_options;

static void fs_usage(FILE *to)
{
    fprintf(to,
            "usage: olock-fakeserver [--port P] [--host ADDR] [--threads N] [--max-connections N]\n"
            "                        [--timeout SECONDS] [--request-timeout SECONDS]\n"
            "  Serves olock's in-memory fake DynamoDB on HTTP/1.1. Prints \"listening on ADDR:PORT\"\n"
            "  first; stops on SIGTERM or SIGINT.\n"
            "  --port P             TCP port; 0 (the default) picks a free one\n"
            "  --host ADDR          numeric address to bind (default 127.0.0.1)\n"
            "  --threads N          server threads (default 2)\n"
            "  --max-connections N  open connections at most; more wait in the listen queue\n"
            "                       (default 1000, or what the open-file limit allows)\n"
            "  --timeout SECONDS    close a connection idle that long (default 60)\n"
            "  --request-timeout SECONDS  close a connection whose request (headers and body)\n"
            "                       is not in after that long (default 10)\n"
            "  --faults SPEC --seed S   random faults, e.g. throttle=10,error500=5,lost_response=5,conflict=5\n"
            "                           (percent of requests; also throttling, error503, latency, unprocessed)\n");
}

/* A whole decimal number in [lo, hi]; 0 on success. */
static int fs_parse_uint(const char *s, unsigned lo, unsigned hi, unsigned *out)
{
    unsigned long v = 0;
    if (!s || !*s) return -1;
    for (; *s; s++) {
        if (*s < '0' || *s > '9') return -1;
        v = v * 10 + (unsigned long)(*s - '0');
        if (v > hi) return -1;
    }
    if (v < lo) return -1;
    *out = (unsigned)v;
    return 0;
}

/* 0 on success, 1 after --help, -1 on a usage error (reported). */
static int fs_parse_args(int argc, char **argv, fs_options *o)
{
    int i;
    o->host = "127.0.0.1";
    o->port = 0;
    o->threads = 2;
    o->max_connections = 0;      /* chosen in main from the open-file limit */
    o->timeout_s = 60;
    o->request_timeout_s = 10;
    o->faults = NULL;
    o->seed = NULL;
    for (i = 1; i < argc; i += 2) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        int bad = 0;
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) { fs_usage(stdout); return 1; }
        if (!v) { fprintf(stderr, "olock-fakeserver: %s needs a value (or unknown option)\n", a); return -1; }
        if (!strcmp(a, "--port")) bad = fs_parse_uint(v, 0, 65535, &o->port);
        else if (!strcmp(a, "--host")) o->host = v;
        else if (!strcmp(a, "--threads")) bad = fs_parse_uint(v, 1, 64, &o->threads);
        else if (!strcmp(a, "--max-connections")) bad = fs_parse_uint(v, 1, 1000000, &o->max_connections);
        else if (!strcmp(a, "--timeout")) bad = fs_parse_uint(v, 1, 86400, &o->timeout_s);
        else if (!strcmp(a, "--request-timeout")) bad = fs_parse_uint(v, 1, 86400, &o->request_timeout_s);
        else if (!strcmp(a, "--faults")) o->faults = v;
        else if (!strcmp(a, "--seed")) o->seed = v;
        else { fprintf(stderr, "olock-fakeserver: unknown option %s\n", a); return -1; }
        if (bad) { fprintf(stderr, "olock-fakeserver: bad value for %s: %s\n", a, v); return -1; }
    }
    return 0;
}

/* --faults name=P,... (percent of requests, at most one fault per request) and --seed S turn
   on the fake's seeded random fault injection. Unknown names or bad numbers are an error, not
   silently ignored. */
static int fs_configure_faults(olock_fake *fake, const fs_options *o)
{
    static const struct { const char *name; olock_fake_fault fault; } names[] = {
        { "throttle", OLOCK_FAKE_FAULT_THROTTLE }, { "throttling", OLOCK_FAKE_FAULT_THROTTLING },
        { "error500", OLOCK_FAKE_FAULT_500 }, { "error503", OLOCK_FAKE_FAULT_503 },
        { "lost_response", OLOCK_FAKE_FAULT_LOST_RESPONSE }, { "conflict", OLOCK_FAKE_FAULT_CONFLICT },
        { "latency", OLOCK_FAKE_FAULT_LATENCY }, { "unprocessed", OLOCK_FAKE_FAULT_UNPROCESSED },
    };
    unsigned percent[OLOCK_FAKE_FAULT_COUNT_];
    const char *spec = o->faults;
    uint64_t seed = 1;
    char *end;
    memset(percent, 0, sizeof percent);
    if (!o->faults && !o->seed) return 0;
    if (o->seed) {
        seed = strtoull(o->seed, &end, 10);
        if (end == o->seed || *end) { fprintf(stderr, "olock-fakeserver: --seed needs a number\n"); return -1; }
    }
    while (spec && *spec) {
        size_t i, n = strcspn(spec, "=");
        unsigned long p;
        for (i = 0; i < sizeof names / sizeof names[0]; i++)
            if (strlen(names[i].name) == n && strncmp(spec, names[i].name, n) == 0) break;
        if (i == sizeof names / sizeof names[0] || spec[n] != '=') {
            fprintf(stderr, "olock-fakeserver: --faults: unknown fault in '%s' (throttle, throttling, error500, "
                            "error503, lost_response, conflict, latency, unprocessed)\n", spec);
            return -1;
        }
        p = strtoul(spec + n + 1, &end, 10);
        if (end == spec + n + 1 || p > 100 || (*end && *end != ',')) {
            fprintf(stderr, "olock-fakeserver: --faults: '%s' needs a percentage 0-100\n", spec);
            return -1;
        }
        percent[names[i].fault] = (unsigned)p;
        spec = *end ? end + 1 : end;
    }
    if (olock_fake_set_random_faults(fake, seed, percent) != OLOCK_OK) {
        fprintf(stderr, "olock-fakeserver: --faults: the percentages add up to more than 100\n");
        return -1;
    }
    return 0;
}

/* ---- request ids: random UUIDs (version 4), as DynamoDB Local sends -------------------------- */

typedef struct fs_ids {
    pthread_mutex_t mu;
    uint64_t state;
} fs_ids;

static uint64_t fs_splitmix64(uint64_t *s)
{
    uint64_t z = (*s += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

static void fs_ids_init(fs_ids *ids)
{
    uint64_t seed = 0;
    FILE *f = fopen("/dev/urandom", "rb");
    if (!f || fread(&seed, sizeof(seed), 1, f) != 1) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        seed = ((uint64_t)ts.tv_sec << 32) ^ (uint64_t)ts.tv_nsec ^ ((uint64_t)getpid() << 16);
    }
    if (f) fclose(f);
    pthread_mutex_init(&ids->mu, NULL);
    ids->state = seed;
}

/* Writes 36 characters and a NUL. */
static void fs_ids_next(fs_ids *ids, char out[37])
{
    static const char hex[] = "0123456789abcdef";
    unsigned char b[16];
    uint64_t hi, lo;
    int i, j;
    pthread_mutex_lock(&ids->mu);
    hi = fs_splitmix64(&ids->state);
    lo = fs_splitmix64(&ids->state);
    pthread_mutex_unlock(&ids->mu);
    for (i = 0; i < 8; i++) {
        b[i] = (unsigned char)(hi >> (8 * i));
        b[8 + i] = (unsigned char)(lo >> (8 * i));
    }
    b[6] = (unsigned char)((b[6] & 0x0F) | 0x40);   /* version 4 */
    b[8] = (unsigned char)((b[8] & 0x3F) | 0x80);   /* RFC 4122 variant */
    for (i = 0, j = 0; i < 16; i++) {
        if (i == 4 || i == 6 || i == 8 || i == 10) out[j++] = '-';
        out[j++] = hex[b[i] >> 4];
        out[j++] = hex[b[i] & 15];
    }
    out[j] = 0;
}

/* ---- connections: a deadline per request, and slots kept for clients that send ------------- */

/* A connection is READING from its accept (or, on a kept-alive one, from its next request
   line) until its request is whole, BUSY until the answer is out, then IDLE. */
typedef enum fs_conn_state { FS_CONN_READING, FS_CONN_BUSY, FS_CONN_IDLE } fs_conn_state;

typedef struct fs_conn {
    struct fs_conn *prev, *next;
    int fd;
    fs_conn_state state;
    uint64_t since_ms;            /* when it entered its state */
    int closing;                  /* shut down here; libmicrohttpd closes it next */
} fs_conn;

typedef struct fs_conns {
    pthread_mutex_t mu;
    fs_conn *head;                /* newest first */
    unsigned limit;               /* --max-connections */
    uint64_t request_ms;
} fs_conns;

static uint64_t fs_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

/* Ends a connection from outside its thread: libmicrohttpd sees the end of the stream and
   closes it. Called under mu, so the descriptor is still the connection's (it is closed only
   after MHD_CONNECTION_NOTIFY_CLOSED, which takes mu). */
static void fs_conn_shut(fs_conn *c)
{
    c->closing = 1;
    shutdown(c->fd, SHUT_RDWR);
}

/* libmicrohttpd splits the connection limit between its threads, and a thread at its share
   stops accepting; while one slot is free anywhere, some thread accepts. A new connection that
   takes the last slot would leave none for the next client: 1,000 trickling clients would lock
   everyone else out until they finish. So the oldest connection still waiting for its request
   is closed; connections being answered or idle between requests are left alone. */
static void fs_conns_make_room(fs_conns *cs, const fs_conn *fresh)
{
    fs_conn *c, *oldest = NULL;
    unsigned open = 0;
    for (c = cs->head; c; c = c->next) {
        if (c->closing) continue;
        open++;
        if (c != fresh && c->state == FS_CONN_READING) oldest = c;   /* the list is newest first */
    }
    if (open >= cs->limit && oldest) fs_conn_shut(oldest);
}

/* Closes connections whose request has taken longer than allowed. */
static void fs_conns_expire(fs_conns *cs)
{
    fs_conn *c;
    uint64_t now = fs_now_ms();
    pthread_mutex_lock(&cs->mu);
    for (c = cs->head; c; c = c->next)
        if (!c->closing && c->state == FS_CONN_READING && now - c->since_ms > cs->request_ms) fs_conn_shut(c);
    pthread_mutex_unlock(&cs->mu);
}

/* MHD_OPTION_NOTIFY_CONNECTION */
static void fs_on_connection(void *cls, struct MHD_Connection *conn, void **socket_context,
                             enum MHD_ConnectionNotificationCode code)
{
    fs_conns *cs = (fs_conns *)cls;
    fs_conn *c = (fs_conn *)*socket_context;
    if (code == MHD_CONNECTION_NOTIFY_STARTED) {
        const union MHD_ConnectionInfo *fd = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CONNECTION_FD);
        if (!fd || !(c = (fs_conn *)calloc(1, sizeof(*c)))) return;   /* untracked: no deadline */
        c->fd = fd->connect_fd;
        c->state = FS_CONN_READING;
        c->since_ms = fs_now_ms();
        pthread_mutex_lock(&cs->mu);
        c->next = cs->head;
        if (cs->head) cs->head->prev = c;
        cs->head = c;
        fs_conns_make_room(cs, c);
        pthread_mutex_unlock(&cs->mu);
        *socket_context = c;
    } else if (c) {
        pthread_mutex_lock(&cs->mu);
        if (c->prev) c->prev->next = c->next; else cs->head = c->next;
        if (c->next) c->next->prev = c->prev;
        pthread_mutex_unlock(&cs->mu);
        free(c);
        *socket_context = NULL;
    }
}

static void fs_conn_set(fs_conns *cs, struct MHD_Connection *conn, fs_conn_state state)
{
    const union MHD_ConnectionInfo *info = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
    fs_conn *c = info ? (fs_conn *)info->socket_context : NULL;
    if (!c) return;
    pthread_mutex_lock(&cs->mu);
    /* a request on a fresh connection is timed from the accept, a later one from its line */
    if (c->state != state && !(state == FS_CONN_READING && c->state == FS_CONN_READING)) c->since_ms = fs_now_ms();
    c->state = state;
    pthread_mutex_unlock(&cs->mu);
}

/* ---- the server and one request's state ------------------------------------------------------ */

typedef struct fs_server {
    olock_transport transport;    /* the fake's */
    olock_fake *fake;
    pthread_mutex_t clock_mu;     /* the fake's virtual clock follows the wall clock: */
    uint64_t clock_ms;            /* fs_now_ms when it was last moved */
    fs_ids ids;
    fs_conns conns;
} fs_server;

typedef struct fs_request {
    char *body;                   /* grown as bytes arrive, up to FS_MAX_BODY (+1 for a NUL) */
    size_t len, cap;
    size_t discarded;             /* bytes dropped after the body went over the limit */
    int too_large;
    int no_memory;
    int started;                  /* the handler has seen the headers */
    char *raw_uri;                /* as on the request line, query included (NULL: out of memory) */
    olock_http_response res;      /* what goes back (status -1: nothing, drop the connection);
                                     its body must live until the request ends */
} fs_request;

static fs_request *fs_request_new(void)
{
    fs_request *rq = (fs_request *)calloc(1, sizeof(*rq));
    if (rq) olock_http_response_init(&rq->res, NULL, 0);
    return rq;
}

/* MHD_OPTION_URI_LOG_CALLBACK: a request line has arrived. Returns the request's context
   (freed by fs_on_completed), which keeps the URI as sent for Jetty's error page. */
static void *fs_on_request_line(void *cls, const char *uri, struct MHD_Connection *conn)
{
    fs_server *srv = (fs_server *)cls;
    fs_request *rq = fs_request_new();
    fs_conn_set(&srv->conns, conn, FS_CONN_READING);
    if (rq && uri) {
        size_t n = strlen(uri) + 1;
        if ((rq->raw_uri = (char *)malloc(n)) != NULL) memcpy(rq->raw_uri, uri, n);
    }
    return rq;
}

/* MHD_OPTION_NOTIFY_COMPLETED: the response has been sent (or the connection died). */
static void fs_on_completed(void *cls, struct MHD_Connection *conn, void **con_cls, enum MHD_RequestTerminationCode code)
{
    fs_request *rq = (fs_request *)*con_cls;
    (void)code;
    fs_conn_set(&((fs_server *)cls)->conns, conn, FS_CONN_IDLE);
    if (!rq) return;
    free(rq->body);
    free(rq->raw_uri);
    olock_http_response_free(&rq->res);
    free(rq);
    *con_cls = NULL;
}

/* Appends upload bytes; past the limit the body is dropped and the request remembered as too
   large (it is answered 413 once the client has sent everything). */
static void fs_request_take(fs_request *rq, const char *data, size_t n)
{
    size_t need, ncap;
    char *p;
    if (rq->too_large || rq->no_memory) { rq->discarded += n; return; }
    if (n > FS_MAX_BODY - rq->len) {
        rq->too_large = 1;
        rq->discarded = rq->len + n;
        free(rq->body);
        rq->body = NULL;
        rq->len = rq->cap = 0;
        return;
    }
    need = rq->len + n + 1;
    if (need > rq->cap) {
        ncap = rq->cap ? rq->cap : 1024;
        while (ncap < need) ncap = ncap > (FS_MAX_BODY + 1) / 2 ? FS_MAX_BODY + 1 : ncap * 2;
        p = (char *)realloc(rq->body, ncap);
        if (!p) { rq->no_memory = 1; rq->discarded = rq->len + n; return; }
        rq->body = p;
        rq->cap = ncap;
    }
    memcpy(rq->body + rq->len, data, n);
    rq->len += n;
    rq->body[rq->len] = 0;
}

/* ---- answers made here --------------------------------------------------------------------- */

/* Sets rq->res to a DynamoDB error body (as DynamoDB Local writes it: __type, then Message). */
static void fs_answer_error(fs_request *rq, int status, const char *type, const char *message)
{
    olock_http_response *r = &rq->res;
    olock_http_response_reset(r);
    r->status = status;
    if (olock_http_response_add_header(r, "Content-Type", 12, FS_JSON_TYPE, strlen(FS_JSON_TYPE)) != OLOCK_OK ||
        olock_http_response_append(r, "{\"__type\":\"" FS_NS, strlen("{\"__type\":\"" FS_NS)) != OLOCK_OK ||
        olock_http_response_append(r, type, strlen(type)) != OLOCK_OK ||
        olock_http_response_append(r, "\",\"Message\":\"", 13) != OLOCK_OK ||
        olock_http_response_append(r, message, strlen(message)) != OLOCK_OK ||
        olock_http_response_append(r, "\"}", 2) != OLOCK_OK)
        r->status = -1;   /* out of memory: fs_send drops the connection */
}

static void fs_answer_internal_failure(fs_request *rq)
{
    fs_answer_error(rq, 500, "InternalFailure",
                    "The request processing has failed because of an unknown error, exception or failure.");
}

/* DynamoDB Local's 413: no Content-Type, an empty Message, no __type. */
static void fs_answer_too_large(fs_request *rq)
{
    olock_http_response_reset(&rq->res);
    rq->res.status = 413;
    if (olock_http_response_append(&rq->res, "{\"Message\":\"\"}", 14) != OLOCK_OK) rq->res.status = -1;
}

/* ---- Authorization ------------------------------------------------------------------------- */

typedef enum fs_auth {
    FS_AUTH_OK = 0,
    FS_AUTH_MISSING,              /* 400 MissingAuthenticationToken */
    FS_AUTH_UNRECOGNIZED,         /* 400 UnrecognizedClientException */
    FS_AUTH_MALFORMED             /* 500 InternalFailure */
} fs_auth;

typedef struct fs_span { const char *p; size_t n; } fs_span;

static int fs_span_is(fs_span s, const char *lit) { return s.n == strlen(lit) && memcmp(s.p, lit, s.n) == 0; }
static int fs_is_alnum(char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

/* Classifies an Authorization header as DynamoDB Local does: an algorithm name, then a first
   parameter that must be Credential=<alphanumeric key>/<anything>; nothing after that is
   looked at (SigV4's full shape is not insisted on, see AUTHORIZATION above). */
static fs_auth fs_check_authorization(const char *h)
{
    fs_span name[1], val[1];
    size_t count = 0, i;
    const char *p, *end, *slash, *s, *eq;
    if (!h) return FS_AUTH_MISSING;
    p = h;
    end = h + strlen(h);
    while (p < end && (*p == ' ' || *p == '\t')) p++;
    while (end > p && (end[-1] == ' ' || end[-1] == '\t')) end--;
    if (p == end) return FS_AUTH_MALFORMED;   /* present but empty: DynamoDB Local's 500 */
    while (p < end && *p != ' ') p++;        /* the algorithm: any name */
    while (p < end && *p == ' ') p++;
    if (p == end) return FS_AUTH_MALFORMED;   /* nothing after it */
    /* the first name=value parameter; the others are only counted */
    s = p;
    while (p < end && *p != ',') p++;
    eq = (const char *)memchr(s, '=', (size_t)(p - s));
    if (!eq || eq == s) return FS_AUTH_MALFORMED;
    for (i = 0; s + i < eq; i++) if (!fs_is_alnum(s[i])) return FS_AUTH_MALFORMED;
    name[0].p = s; name[0].n = (size_t)(eq - s);
    val[0].p = eq + 1; val[0].n = (size_t)(p - eq - 1);
    count = 1;
    for (; p < end; p++) if (*p == ',') count++;
    if (!fs_span_is(name[0], "Credential")) return FS_AUTH_UNRECOGNIZED;
    slash = (const char *)memchr(val[0].p, '/', val[0].n);
    /* DynamoDB Local: an access key without a scope is unrecognized, unless Credential is the
       only parameter (then its 500) */
    if (!slash) return count >= 2 ? FS_AUTH_UNRECOGNIZED : FS_AUTH_MALFORMED;
    /* The scope after the access key is not checked: DynamoDB Local accepts any, even empty
       parts (the aws4 npm package signs for a bare IP host with an empty service name). */
    {
        const char *q;
        if (slash == val[0].p) return FS_AUTH_UNRECOGNIZED;
        for (q = val[0].p; q < slash; q++) if (!fs_is_alnum(*q)) return FS_AUTH_UNRECOGNIZED;
    }
    return FS_AUTH_OK;
}

/* DynamoDB Local splits X-Amz-Target at every '.' and drops the empty parts at the end (Java's
   String.split): fewer than two parts left ("", "DynamoDB_20120810", "DynamoDB_20120810.",
   "x..", "...") is 500 InternalFailure. The fake takes the rest ("x..ListTables" has an empty
   operation, "DynamoDB_20120810.ListTables." is ListTables). A missing X-Amz-Target is left to
   the fake (the same answer). */
static int fs_target_has_no_operation(const char *t)
{
    const char *end;
    if (!t) return 0;
    end = t + strlen(t);
    while (end > t && (end[-1] == '.' || end[-1] == ' ' || end[-1] == '\t')) end--;
    return memchr(t, '.', (size_t)(end - t)) == NULL;
}

/* ---- handing the request to the fake -------------------------------------------------------- */

typedef struct fs_headers {
    olock_http_header *h;
    size_t n, cap;
    int oom;
} fs_headers;

static FS_MHD_RESULT fs_collect_header(void *cls, enum MHD_ValueKind kind, const char *key, const char *value)
{
    fs_headers *hs = (fs_headers *)cls;
    (void)kind;
    if (hs->n == hs->cap) {
        size_t ncap = hs->cap ? hs->cap * 2 : 16;
        olock_http_header *p = (olock_http_header *)realloc(hs->h, ncap * sizeof(*p));
        if (!p) { hs->oom = 1; return MHD_NO; }
        hs->h = p;
        hs->cap = ncap;
    }
    hs->h[hs->n].name = key;
    hs->h[hs->n].value = value ? value : "";
    hs->n++;
    return MHD_YES;
}

static void fs_call_fake(fs_server *srv, struct MHD_Connection *conn, const char *url, const char *method,
                         fs_request *rq)
{
    fs_headers hs;
    olock_http_request req;
    olock_result r;
    const char *host = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Host");
    char *full_url;
    size_t ulen;
    memset(&hs, 0, sizeof(hs));
    MHD_get_connection_values(conn, MHD_HEADER_KIND, fs_collect_header, &hs);
    if (!host) host = "localhost";
    if (!url) url = "/";
    ulen = strlen("http://") + strlen(host) + strlen(url) + 1;
    full_url = (char *)malloc(ulen);
    if (hs.oom || !full_url) {
        free(hs.h);
        free(full_url);
        fs_answer_error(rq, 500, "InternalServerError", "Internal server error");
        return;
    }
    snprintf(full_url, ulen, "http://%s%s", host, url);
    req.method = method;
    req.url = full_url;
    req.headers = hs.h;
    req.header_count = hs.n;
    req.body = rq->body ? rq->body : "";
    req.body_len = rq->len;
    olock_http_response_reset(&rq->res);
    {   /* over HTTP the fake's time is real time, so an index UpdateTable adds becomes ACTIVE
           (and a ClientRequestToken is forgotten) as the time passes, as in DynamoDB Local */
        uint64_t now = fs_now_ms(), passed;
        pthread_mutex_lock(&srv->clock_mu);
        passed = now > srv->clock_ms ? now - srv->clock_ms : 0;
        srv->clock_ms += passed;
        pthread_mutex_unlock(&srv->clock_mu);
        if (passed) olock_fake_advance_ms(srv->fake, passed);
    }
    r = srv->transport.send(srv->transport.user, &req, &rq->res);
    if (r == OLOCK_ERR_NOT_SENT || r == OLOCK_ERR_MAYBE_SENT) rq->res.status = -1;   /* drop the connection */
    else if (r != OLOCK_OK || rq->res.status < 100 || rq->res.status > 599)
        fs_answer_error(rq, 500, "InternalServerError", "Internal server error");
    free(hs.h);
    free(full_url);
}

/* Headers the HTTP layer owns; a response header of these names is not passed on. */
static int fs_hop_header(const char *name)
{
    static const char *const hop[] = { "content-length", "connection", "transfer-encoding", "date", "keep-alive" };
    size_t i, k;
    for (i = 0; i < sizeof(hop) / sizeof(hop[0]); i++) {
        for (k = 0; name[k] && hop[i][k]; k++) {
            char c = name[k];
            if (c >= 'A' && c <= 'Z') c = (char)(c - 'A' + 'a');
            if (c != hop[i][k]) break;
        }
        if (!name[k] && !hop[i][k]) return 1;
    }
    return 0;
}

/* Queues rq->res with an x-amz-crc32 (if the answer has none) and an x-amzn-RequestId. */
static FS_MHD_RESULT fs_send(fs_server *srv, struct MHD_Connection *conn, fs_request *rq)
{
    static char empty[1];
    struct MHD_Response *resp;
    FS_MHD_RESULT ret;
    olock_http_response *r = &rq->res;
    char id[37], crc[16];
    const char *p, *end;
    size_t i;
    if (r->status < 100) return MHD_NO;   /* no answer to give: drop the connection */
    fs_conn_set(&srv->conns, conn, FS_CONN_BUSY);
    /* The body lives in rq until fs_on_completed, after the last byte went out. */
    resp = MHD_create_response_from_buffer(r->body.len, r->body.len ? r->body.data : empty, MHD_RESPMEM_PERSISTENT);
    if (!resp) return MHD_NO;
    p = r->headers.data;
    end = p ? p + r->headers.len : NULL;
    /* olock_http_response keeps its headers as "name\0value\0" pairs (olock.h, HTTP transport);
       olock.h has no public iterator over them yet. */
    for (i = 0; p && i < r->header_count && p < end; i++) {
        const char *v = p + strlen(p) + 1;
        if (!fs_hop_header(p) && MHD_add_response_header(resp, p, v) != MHD_YES) { MHD_destroy_response(resp); return MHD_NO; }
        p = v + strlen(v) + 1;
    }
    if (!olock_http_response_header(r, "x-amz-crc32")) {
        snprintf(crc, sizeof(crc), "%lu", (unsigned long)olock_crc32(0, r->body.len ? r->body.data : "", r->body.len));
        if (MHD_add_response_header(resp, "x-amz-crc32", crc) != MHD_YES) { MHD_destroy_response(resp); return MHD_NO; }
    }
    fs_ids_next(&srv->ids, id);
    if (MHD_add_response_header(resp, "x-amzn-RequestId", id) != MHD_YES) { MHD_destroy_response(resp); return MHD_NO; }
    ret = MHD_queue_response(conn, (unsigned)r->status, resp);
    MHD_destroy_response(resp);
    return ret;
}

/* The Content-Length, or 0 when absent. libmicrohttpd has rejected a malformed one and any
   of 2^64 or more (413, its own answer); UINT64_MAX stands for those it let through. */
static uint64_t fs_content_length(struct MHD_Connection *conn)
{
    const char *v = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Content-Length");
    uint64_t n = 0;
    if (!v) return 0;
    while (*v == ' ') v++;
    for (; *v >= '0' && *v <= '9'; v++) {
        uint64_t d = (uint64_t)(*v - '0');
        if (n > (UINT64_MAX - d) / 10) return UINT64_MAX;
        n = n * 10 + d;
    }
    return n;
}

/* ---- framing DynamoDB Local's Jetty refuses ------------------------------------------------ */

static int fs_caseless_is(const char *s, size_t n, const char *lower)
{
    size_t k;
    for (k = 0; k < n && lower[k]; k++) {
        char c = s[k];
        if (c >= 'A' && c <= 'Z') c = (char)(c - 'A' + 'a');
        if (c != lower[k]) return 0;
    }
    return k == n && !lower[k];
}

typedef struct fs_framing {
    unsigned content_length, host, transfer_encoding;
    int blank_host, not_chunked;
} fs_framing;

static FS_MHD_RESULT fs_scan_header(void *cls, enum MHD_ValueKind kind, const char *key, size_t key_size,
                                    const char *value, size_t value_size)
{
    fs_framing *f = (fs_framing *)cls;
    (void)kind;
    if (!key) return MHD_YES;
    if (fs_caseless_is(key, key_size, "content-length")) f->content_length++;
    else if (fs_caseless_is(key, key_size, "host")) {
        f->host++;
        if (!value || !value_size) f->blank_host = 1;
    } else if (fs_caseless_is(key, key_size, "transfer-encoding")) {
        f->transfer_encoding++;
        if (!value || !fs_caseless_is(value, value_size, "chunked")) f->not_chunked = 1;
    }
    return MHD_YES;
}

/* The message of Jetty's 400 for framing DynamoDB Local refuses before it reads the request,
   or NULL when the framing is acceptable. Checked in Jetty's order as far as it was observed. */
static const char *fs_framing_error(struct MHD_Connection *conn, const char *version)
{
    fs_framing f;
    memset(&f, 0, sizeof(f));
    MHD_get_connection_values_n(conn, MHD_HEADER_KIND, fs_scan_header, &f);
    if (f.content_length > 1) return "Multiple Content-Lengths";
    if (f.transfer_encoding && f.content_length) return "Transfer-Encoding and Content-Length";
    if (f.transfer_encoding && f.not_chunked) return "Bad Transfer-Encoding, chunked not last";
    if (f.host > 1) return "Duplicate Host Header";
    if (f.blank_host) return "Blank Host";
    if (!f.host && version && strcmp(version, MHD_HTTP_VERSION_1_1) == 0) return "No Host";
    if (fs_content_length(conn) > (uint64_t)INT64_MAX) return "Bad Request";   /* past Java's long */
    return NULL;
}

/* Jetty's HTML error page, as DynamoDB Local sends it, and the connection closed after it. */
static FS_MHD_RESULT fs_send_jetty_400(fs_server *srv, struct MHD_Connection *conn, const char *url,
                                       const char *message)
{
    static const char head[] =
        "<html>\n<head>\n<meta http-equiv=\"Content-Type\" content=\"text/html;charset=ISO-8859-1\"/>\n"
        "<title>Error 400 ";
    olock_buf b;
    struct MHD_Response *resp;
    FS_MHD_RESULT ret;
    const char *u;
    int ok;
    olock_buf_init(&b, NULL);
    ok = olock_buf_append(&b, head, strlen(head)) == OLOCK_OK &&
         olock_buf_append(&b, message, strlen(message)) == OLOCK_OK &&
         olock_buf_append_str(&b, "</title>\n</head>\n<body>\n<h2>HTTP ERROR 400 ") == OLOCK_OK &&
         olock_buf_append_str(&b, message) == OLOCK_OK &&
         olock_buf_append_str(&b, "</h2>\n<table>\n<tr><th>URI:</th><td>") == OLOCK_OK;
    for (u = url ? url : "/"; ok && *u; u++) {
        const char *esc = *u == '&' ? "&amp;" : *u == '<' ? "&lt;" : *u == '>' ? "&gt;" : *u == '"' ? "&quot;"
                        : *u == '\'' ? "&apos;" : NULL;
        ok = (esc ? olock_buf_append_str(&b, esc) : olock_buf_append(&b, u, 1)) == OLOCK_OK;
    }
    ok = ok && olock_buf_append_str(&b, "</td></tr>\n<tr><th>STATUS:</th><td>400</td></tr>\n<tr><th>MESSAGE:</th><td>") == OLOCK_OK &&
         olock_buf_append_str(&b, message) == OLOCK_OK &&
         olock_buf_append_str(&b, "</td></tr>\n</table>\n<hr/><a href=\"https://jetty.org/\">Powered by Jetty:// 12.1.11</a><hr/>\n\n</body>\n</html>\n") == OLOCK_OK;
    if (!ok) { olock_buf_free(&b); return MHD_NO; }
    resp = MHD_create_response_from_buffer(b.len, b.data, MHD_RESPMEM_MUST_COPY);
    olock_buf_free(&b);
    if (!resp) return MHD_NO;
    if (MHD_add_response_header(resp, "Cache-Control", "must-revalidate,no-cache,no-store") != MHD_YES ||
        MHD_add_response_header(resp, "Content-Type", "text/html;charset=iso-8859-1") != MHD_YES ||
        MHD_add_response_header(resp, "Connection", "close") != MHD_YES) {
        MHD_destroy_response(resp);
        return MHD_NO;
    }
    fs_conn_set(&srv->conns, conn, FS_CONN_BUSY);
    ret = MHD_queue_response(conn, 400, resp);
    MHD_destroy_response(resp);
    return ret;
}

static int fs_expects_continue(struct MHD_Connection *conn)
{
    const char *v = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Expect");
    static const char want[] = "100-continue";
    size_t i;
    if (!v) return 0;
    for (i = 0; want[i]; i++) {
        char c = v[i];
        if (c >= 'A' && c <= 'Z') c = (char)(c - 'A' + 'a');
        if (c != want[i]) return 0;
    }
    return v[i] == 0;
}

/* libmicrohttpd calls this once with the headers, once per piece of body, and once more at the
   end (upload size 0). */
static FS_MHD_RESULT fs_on_request(void *cls, struct MHD_Connection *conn, const char *url, const char *method,
                                   const char *version, const char *upload_data, size_t *upload_data_size,
                                   void **con_cls)
{
    fs_server *srv = (fs_server *)cls;
    fs_request *rq = (fs_request *)*con_cls;
    uint64_t cl;
    if (!rq || !rq->started) {
        const char *bad;
        if (!rq && !(rq = fs_request_new())) return MHD_NO;
        *con_cls = rq;
        rq->started = 1;
        if ((bad = fs_framing_error(conn, version)) != NULL)
            return fs_send_jetty_400(srv, conn, rq->raw_uri ? rq->raw_uri : url, bad);
        /* An announced body over the limit. A client waiting for "100 Continue" is refused at
           once, without reading anything. One that is already sending is read to the end
           (and dropped) so that it sees the 413 rather than a reset, as DynamoDB Local
           does, unless the body is absurdly long: then the connection is closed after the
           answer (libmicrohttpd closes it when the body was not consumed). */
        cl = fs_content_length(conn);
        if (cl > FS_MAX_BODY && (fs_expects_continue(conn) || cl > 2 * (uint64_t)FS_MAX_BODY)) {
            fs_answer_too_large(rq);
            return fs_send(srv, conn, rq);
        }
        return MHD_YES;
    }
    if (*upload_data_size) {
        fs_request_take(rq, upload_data, *upload_data_size);
        *upload_data_size = 0;
        /* A (chunked) body that keeps coming long after the limit: stop reading it. */
        if (rq->discarded > 2 * FS_MAX_BODY) return MHD_NO;
        return MHD_YES;
    }
    if (rq->too_large) {
        fs_answer_too_large(rq);
    } else if (rq->no_memory) {
        fs_answer_error(rq, 500, "InternalServerError", "Internal server error");
    } else {
        switch (fs_check_authorization(MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Authorization"))) {
        case FS_AUTH_MISSING:
            fs_answer_error(rq, 400, "MissingAuthenticationToken",
                            "Request must contain either a valid (registered) AWS access key ID or X.509 certificate.");
            break;
        case FS_AUTH_UNRECOGNIZED:
            fs_answer_error(rq, 400, "UnrecognizedClientException", "The Access Key ID or security token is invalid.");
            break;
        case FS_AUTH_MALFORMED:
            fs_answer_internal_failure(rq);
            break;
        case FS_AUTH_OK:
            if (fs_target_has_no_operation(MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "X-Amz-Target")))
                fs_answer_internal_failure(rq);
            else
                fs_call_fake(srv, conn, url, method, rq);
            break;
        }
    }
    return fs_send(srv, conn, rq);
}

/* ---- start, wait for a signal, stop ---------------------------------------------------------- */

static void fs_log(void *cls, const char *fmt, va_list ap)
{
    (void)cls;
    fputs("olock-fakeserver: ", stderr);
    vfprintf(stderr, fmt, ap);
}

int main(int argc, char **argv)
{
    fs_options opt;
    fs_server srv;
    olock_fake *fake = NULL;
    struct MHD_Daemon *d;
    const union MHD_DaemonInfo *info;
    struct sockaddr_in a4;
    struct sockaddr_in6 a6;
    const struct sockaddr *addr;
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG;
    sigset_t stop;
    int sig = 0, rc;

    rc = fs_parse_args(argc, argv, &opt);
    if (rc != 0) return rc > 0 ? 0 : 2;
    if (!opt.max_connections) {
        /* 1000, or fewer when the descriptor limit would run out first (a few are the server's) */
        struct rlimit rl;
        opt.max_connections = 1000;
        if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < 1000 + 64)
            opt.max_connections = rl.rlim_cur > 64 + 16 ? (unsigned)(rl.rlim_cur - 64) : 16;
    }

    memset(&a4, 0, sizeof(a4));
    memset(&a6, 0, sizeof(a6));
    if (inet_pton(AF_INET, opt.host, &a4.sin_addr) == 1) {
        a4.sin_family = AF_INET;
        a4.sin_port = htons((uint16_t)opt.port);
        addr = (const struct sockaddr *)&a4;
    } else if (inet_pton(AF_INET6, opt.host, &a6.sin6_addr) == 1) {
        a6.sin6_family = AF_INET6;
        a6.sin6_port = htons((uint16_t)opt.port);
        addr = (const struct sockaddr *)&a6;
        flags |= MHD_USE_IPv6;
    } else {
        fprintf(stderr, "olock-fakeserver: --host wants a numeric IPv4 or IPv6 address, not %s\n", opt.host);
        return 2;
    }
#if MHD_VERSION >= 0x00095300
    flags |= MHD_USE_AUTO;       /* epoll on Linux, else poll or select */
#endif

    if (olock_fake_create(NULL, &fake) != OLOCK_OK) {
        fprintf(stderr, "olock-fakeserver: out of memory\n");
        return 1;
    }
    if (fs_configure_faults(fake, &opt) != 0) {
        olock_fake_destroy(fake);
        return 2;
    }
    srv.transport = olock_fake_transport(fake);
    srv.fake = fake;
    pthread_mutex_init(&srv.clock_mu, NULL);
    srv.clock_ms = fs_now_ms();
    fs_ids_init(&srv.ids);
    pthread_mutex_init(&srv.conns.mu, NULL);
    srv.conns.head = NULL;
    srv.conns.request_ms = (uint64_t)opt.request_timeout_s * 1000u;
    srv.conns.limit = opt.max_connections;

    /* Every thread started from here on (libmicrohttpd's) inherits the blocked signals; the
       main thread takes them with sigwait. */
    sigemptyset(&stop);
    sigaddset(&stop, SIGTERM);
    sigaddset(&stop, SIGINT);
    pthread_sigmask(SIG_BLOCK, &stop, NULL);
    signal(SIGPIPE, SIG_IGN);

    d = MHD_start_daemon(flags, (uint16_t)opt.port, NULL, NULL, fs_on_request, &srv,
                         MHD_OPTION_EXTERNAL_LOGGER, fs_log, (void *)NULL,
                         MHD_OPTION_SOCK_ADDR, addr,
                         MHD_OPTION_THREAD_POOL_SIZE, (unsigned int)(opt.threads > 1 ? opt.threads : 0),
                         MHD_OPTION_CONNECTION_LIMIT, (unsigned int)opt.max_connections,
                         MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)opt.timeout_s,
                         MHD_OPTION_NOTIFY_COMPLETED, fs_on_completed, (void *)&srv,
                         MHD_OPTION_NOTIFY_CONNECTION, fs_on_connection, (void *)&srv.conns,
                         MHD_OPTION_URI_LOG_CALLBACK, fs_on_request_line, (void *)&srv,
                         MHD_OPTION_END);
    if (!d) {
        fprintf(stderr, "olock-fakeserver: cannot listen on %s port %u: %s\n", opt.host, opt.port,
                errno ? strerror(errno) : "libmicrohttpd refused to start");
        pthread_mutex_destroy(&srv.ids.mu);
        pthread_mutex_destroy(&srv.conns.mu);
        pthread_mutex_destroy(&srv.clock_mu);
        olock_fake_destroy(fake);
        return 1;
    }
    info = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
    if (strchr(opt.host, ':')) printf("listening on [%s]:%u\n", opt.host, info ? (unsigned)info->port : opt.port);
    else printf("listening on %s:%u\n", opt.host, info ? (unsigned)info->port : opt.port);
    fflush(stdout);

    /* The main thread waits for a signal and, meanwhile, enforces the request deadline. */
    for (;;) {
        struct timespec tick;
        tick.tv_sec = 0;
        tick.tv_nsec = 200 * 1000 * 1000;
        sig = sigtimedwait(&stop, NULL, &tick);
        if (sig == SIGTERM || sig == SIGINT) break;
        fs_conns_expire(&srv.conns);
    }

    MHD_stop_daemon(d);        /* closes every connection; completes their requests */
    pthread_mutex_destroy(&srv.ids.mu);
    pthread_mutex_destroy(&srv.conns.mu);
    pthread_mutex_destroy(&srv.clock_mu);
    olock_fake_destroy(fake);
    return 0;
}
