/* olock-fakeserver - the olock in-memory fake DynamoDB (backends/olock_fake.h) served over HTTP/1.1
   SPDX-License-Identifier: MIT

   A drop-in for Amazon DynamoDB Local in tests, from any language, that starts in milliseconds:

       build/olock-fakeserver [--port P] [--host 127.0.0.1]
       listening on 127.0.0.1:PORT         <- first line on stdout, flushed

   then point any DynamoDB client at http://127.0.0.1:PORT with any alphanumeric access key.
   SIGTERM or SIGINT stops it (exit status 0). Options: --help. Needs only POSIX sockets and
   threads: the HTTP/1.1 layer is its own (below).

WHAT IT DOES WITH A REQUEST
   Any method on any path is one DynamoDB call, as DynamoDB Local treats it (a GET has no body,
   so it fails as a non-JSON body does). In order:
   1. the request line, headers and framing are read and checked as DynamoDB Local's Jetty
      checks them (FRAMING below); what Jetty refuses gets Jetty's HTML page;
   2. a body over 16 MiB: HTTP 413 {"Message":""}, DynamoDB Local's answer. A client that
      announced it and waits for "100 Continue" is refused at once; otherwise the body is read
      and dropped so that the client sees the answer, up to 32 MiB, past which the connection
      is closed after the answer;
   3. the Authorization header (below);
   4. the headers and body go to the fake's transport unchanged; X-Amz-Target, the JSON body and
      everything DynamoDB answers are the fake's business. Content-Type is not checked: DynamoDB
      Local ignores it.
   The fake's status, headers (Content-Type, x-amz-crc32) and body are sent back with an
   x-amzn-RequestId (a random UUID, as DynamoDB Local sends) and a Date. Answers made here
   carry Content-Type and x-amz-crc32 too, except the 413 and the 500 for a bad chunk (neither,
   as DynamoDB Local). When the fake's transport reports that the request was not delivered or
   its answer was lost (OLOCK_ERR_NOT_SENT / OLOCK_ERR_MAYBE_SENT), the connection is closed
   without an answer: that is what the client would see from the network.

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
   One event loop per thread (epoll on Linux, poll elsewhere), so a slow client holds a socket,
   not a thread. Bounded: connections (--max-connections, shared by the threads: a thread
   takes a slot before it accepts, and with none left the rest wait in the kernel's listen
   queue), idle time (--timeout seconds without a byte either way closes the connection), the
   time a request may take to arrive (--request-timeout seconds for its headers and body,
   counted from the accept, or on a kept-alive connection from the request's first byte: a
   client dripping a byte now and then is closed too; checked every 0.1 s), header memory per
   connection (one buffer of 8 KiB for the head plus 16 KiB for body bytes in flight; a head
   over 8 KiB gets 431, as from DynamoDB Local's Jetty), body per request (16 MiB, kept in a
   buffer grown as the bytes arrive, never by what Content-Length claims). The reader parses
   the head again from its first byte as bytes arrive, keeps no pointer into it between reads,
   and reads every number digit by digit against its limit; fuzz/fuzz_http_head.c runs it,
   the framing checks and the chunk decoder on random bytes. A refused client gets its answer,
   then the sending side is shut and what it still sends is dropped for 2 s at most, so that
   the close does not reset the answer away.
   Slots are kept for clients that send: when a new connection takes the last slot, the oldest
   connection still waiting for its request is closed, so 1,100 clients trickling headers
   cannot lock out a client that sends its request at once. Connections being answered or idle
   between requests are not closed for room; when only those are left, new ones wait in the
   kernel's listen queue.
   One request is read, answered and written at a time per connection; bytes of a pipelined
   next request wait in the buffer (nothing more is read while an answer is being written).

FRAMING
   Recorded from DynamoDB Local 3.3.1 (Jetty 12.1.11) over a raw socket; every case below gets
   the same status and Jetty's HTML page (text/html, title "Error <status> <message>", the URI
   as Jetty shows it, the message HTML-escaped), and the connection is closed after it.
   The request line (URI shown "/badMessage", no Connection header):
     a byte Jetty does not expect        400 "Illegal character SPACE=' '" (a blank in the
                                         version, or a third blank), "HTAB=0x9", "CNTL=0x1",
                                         "OTEXT=0xe9" (8-bit), "VCHAR='('" (not a token)
     a word without a target             400 "No URI"
     a CR without its LF                 400 "Bad EOL"
     no version                          505 "HTTP/0.9 not supported"
     HTTP/0.9, another version           505 "Unsupported Version", "Unknown Version"
     a '%' without two hex digits        400 "Bad Request"
     a target longer than the head       414 "URI Too Long"; a longer request line 431
   Empty lines before the request line are skipped, a bare LF ends a line, the version's
   case does not matter, and several blanks may separate the parts, as in Jetty.
   The headers (URI as sent, Connection: close):
     a blank or ':' starting a line      400 "Line Folding not supported"
     a blank before a colon, a byte      400 "Illegal character SPACE=' '" / "HTAB=0x9" /
       that is not a token in a name,      "VCHAR='('" / "OTEXT=0xe9" / "EOL=0xa" (a line
       a line without a colon              without a colon)
     a control byte in a value (NUL...)  400 "Illegal character CNTL=0x0"
     a head over 8 KiB                   431 "Request Header Fields Too Large"
     two Content-Length headers          400 "Multiple Content-Lengths"
     Content-Length that is not digits   400 "Invalid Content-Length Value" (a sign, "0x",
                                         "2 2", empty; blanks around the digits and leading
                                         zeros are accepted)
     Content-Length past 2^63-1          400 "Bad Request" (any length of digits)
     Content-Length and Transfer-Encoding  400 "Transfer-Encoding and Content-Length"
     Transfer-Encoding not ending in     400 "Bad Transfer-Encoding, chunked not last"
       chunked (gzip, identity, empty)     ("gzip, chunked" is served)
     chunked twice                       400 "Bad Transfer-Encoding, multiple chunked tokens"
     two Host headers, an empty one,     400 "Duplicate Host Header", "Blank Host",
       none in HTTP/1.1, a bad one         "No Host", "Bad HostPort" (a port past 65535, a
                                           blank or '/' in the name)
     an absolute target naming another   400 "Authority!=Host"
       host; a target without '/'          400 "Bad Request" (URI "http:<target>")
     Expect other than 100-continue      417 "Expectation Failed" (URI http://<Host><target>)
     HTTP/2.0                            426 "Upgrade Required" (no Connection header)
   A chunked body DynamoDB Local cannot decode is answered 500 InternalFailure JSON without
   Content-Type and with Connection: close, as there: a chunk size that is not hex, or has a
   sign, "0x", a blank before it or before its CRLF, or is past 2^63-1; a ';' with nothing
   after it; a bare LF; data not followed by CRLF; trailers over 8 KiB. Extensions after ';'
   and trailers are accepted and ignored. An X-Amz-Target without an operation ("",
   "DynamoDB_20120810", "DynamoDB_20120810.") gets 500 InternalFailure, as from DynamoDB Local.
   Still different from DynamoDB Local:
     Expect: 100-continue with a body    413 at once            DynamoDB Local: 100 Continue,
       over 16 MiB                                              then 413 after the body
   and the answers carry no "Server: Jetty" header. Error answers from the fake carry an
   x-amz-crc32 (DynamoDB Local sends it with 200s only); that is the fake's answer, not framing.

THREADS
   --threads event loops (default 2), each accepting from the one listening socket and serving
   the connections it accepted; every request runs the fake under the fake's mutex, so
   conditional writes are atomic. The main thread waits for a signal, then wakes the loops
   through a pipe; each closes its connections and ends.
*/
#if !defined(_POSIX_C_SOURCE) && !defined(_GNU_SOURCE)
#  define _POSIX_C_SOURCE 200809L
#endif

#define OLOCK_IMPLEMENTATION
#define OLOCK_FAKE_IMPLEMENTATION
#include "olock.h"
#include "olock_fake.h"

#include <errno.h>
#include <fcntl.h>
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
#include <netinet/tcp.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/types.h>
#if defined(__linux__) && !defined(OLOCK_FAKESERVER_POLL)   /* -DOLOCK_FAKESERVER_POLL: poll on Linux too */
#  include <sys/epoll.h>
#  define FS_EPOLL 1
#else
#  include <poll.h>
#  define FS_EPOLL 0
#endif

#define FS_MAX_BODY ((size_t)16 * 1024 * 1024)   /* DynamoDB's request size limit: 16 MiB */
#define FS_MAX_HEAD 8192                          /* Jetty's request header size: request line, header
                                                     lines and the blank line, in bytes */
#define FS_MAX_FIELDS (FS_MAX_HEAD / 3 + 1)       /* the shortest header line, "a:\n", is 3 bytes */
#define FS_READ_SIZE 16384                        /* room for body bytes behind a head */
#define FS_JETTY_PAGE_MAX 8192                    /* Jetty writes its error page into one buffer of
                                                     this size; a longer page is cut there */
#define FS_LINGER_MS 2000                         /* how long a refused client may go on sending */
#define FS_TICK_MS 100                            /* how often deadlines are looked at */
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

/* ---- accept: connection slots, deadlines, and room kept for clients that send -------------- */

static uint64_t fs_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

/* A connection is READING from its accept (or, on a kept-alive one, from the first byte of its
   next request) until its request is whole, BUSY while it is answered (or, refused, lingers
   before the close), then IDLE until the next request begins. */
typedef enum fs_conn_state { FS_CONN_READING, FS_CONN_BUSY, FS_CONN_IDLE } fs_conn_state;

struct fs_worker;

typedef struct fs_conn {
    /* in the shared table, under fs_conns.mu */
    struct fs_conn *prev, *next;  /* newest first */
    fs_conn_state state;
    uint64_t since_ms;            /* when it entered its state */
    int shut;                     /* shut down by another thread to make room; its owner closes it */
    /* the owner's alone */
    struct fs_worker *owner;
    struct fs_conn *own_prev, *own_next;
    int fd;
    int doomed;                   /* to be closed at the end of the owner's deadline pass */
    uint64_t active_ms;           /* the last byte either way */
    struct fs_exchange *x;        /* the request being read and answered (below) */
} fs_conn;

typedef struct fs_conns {
    pthread_mutex_t mu;
    fs_conn *head;
    unsigned open;                /* connections in the table, shut ones included (they hold a
                                     descriptor until their owner closes them) */
    unsigned limit;               /* --max-connections, shared by the threads */
    uint64_t request_ms;          /* --request-timeout */
} fs_conns;

/* Ends a connection from outside its thread: its owner sees the end of the stream (or the
   shut flag, at its next deadline pass) and closes it. Called under mu, so the descriptor is
   still the connection's (the owner closes it only after taking the connection out, under mu). */
static void fs_conn_shut(fs_conn *c)
{
    c->shut = 1;
    shutdown(c->fd, SHUT_RDWR);
}

/* A new connection that takes the last slot would leave none for the next client: 1,000
   trickling clients would lock everyone else out until they finish. So the oldest connection
   still waiting for its request is closed; connections being answered or idle between requests
   are left alone. Under mu. */
static void fs_conns_make_room(fs_conns *cs, const fs_conn *fresh)
{
    fs_conn *c, *oldest = NULL;
    unsigned live = 0;
    for (c = cs->head; c; c = c->next) {
        if (c->shut) continue;
        live++;
        if (c != fresh && c->state == FS_CONN_READING) oldest = c;   /* the list is newest first */
    }
    if (live >= cs->limit && oldest) fs_conn_shut(oldest);
}

/* 1 when a connection may be accepted now; the others wait in the kernel's listen queue. */
static int fs_conns_have_room(fs_conns *cs)
{
    int room;
    pthread_mutex_lock(&cs->mu);
    room = cs->open < cs->limit;
    pthread_mutex_unlock(&cs->mu);
    return room;
}

/* Enters an accepted connection, whose slot was taken (open counted) before the accept. */
static void fs_conns_add(fs_conns *cs, fs_conn *c)
{
    pthread_mutex_lock(&cs->mu);
    c->state = FS_CONN_READING;
    c->since_ms = fs_now_ms();
    c->prev = NULL;
    c->next = cs->head;
    if (cs->head) cs->head->prev = c;
    cs->head = c;
    fs_conns_make_room(cs, c);
    pthread_mutex_unlock(&cs->mu);
}

static void fs_conns_remove(fs_conns *cs, fs_conn *c)
{
    pthread_mutex_lock(&cs->mu);
    if (c->prev) c->prev->next = c->next; else cs->head = c->next;
    if (c->next) c->next->prev = c->prev;
    cs->open--;
    pthread_mutex_unlock(&cs->mu);
}

/* A request on a fresh connection is timed from the accept, a later one from its first byte. */
static void fs_conn_set(fs_conns *cs, fs_conn *c, fs_conn_state state)
{
    pthread_mutex_lock(&cs->mu);
    if (c->state != state) c->since_ms = fs_now_ms();
    c->state = state;
    pthread_mutex_unlock(&cs->mu);
}

/* ---- read the head: the request line and header lines, checked as Jetty checks them --------- */

/* The parser below reads untrusted bytes; it neither allocates nor keeps state between calls
   (the head is parsed again from its first byte when more bytes arrive), and fuzz/
   fuzz_http_head.c runs it with the framing checks and the chunk decoder. */

typedef struct fs_span { const char *p; size_t n; } fs_span;

typedef struct fs_head {
    fs_span method, target, version;
    int minor;                    /* HTTP/1.<minor>; 2.0 is kept as minor 20 (426, after the headers) */
    int target_has_8bit;          /* a byte >= 0x80 in the target: Jetty's "Illegal Path Character" */
    size_t length;                /* the head's bytes, its blank line included */
    size_t field_count;
    fs_span name[FS_MAX_FIELDS], value[FS_MAX_FIELDS];   /* values without surrounding blanks */
} fs_head;

/* Where Jetty's error page says the request went, which depends on how far Jetty got. */
typedef enum fs_page_uri {
    FS_URI_BAD_MESSAGE,           /* the request line itself is bad: "/badMessage" */
    FS_URI_TARGET,                /* a header is bad: the target as sent */
    FS_URI_SCHEME_TARGET,         /* a target without '/': "http:" + target */
    FS_URI_ABSOLUTE               /* the request was built: "http://" + Host + target */
} fs_page_uri;

/* A request refused with Jetty's HTML page. */
typedef struct fs_refusal {
    int status;
    fs_page_uri uri;
    int connection_close;         /* the page says "Connection: close" */
    int stay_open;                /* Jetty reads the body and keeps the connection (the target's
                                     refusals, which come once the request is built); every other
                                     page closes it */
    char message[64];
} fs_refusal;

typedef enum fs_parse { FS_PARSE_MORE, FS_PARSE_DONE, FS_PARSE_REFUSED } fs_parse;

static int fs_is_tchar(unsigned char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
           (c && strchr("!#$%&'*+-.^_`|~", c) != NULL);
}

static int fs_is_hex(unsigned char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }
static unsigned fs_hex_value(unsigned char c) { return c <= '9' ? (unsigned)(c - '0') : (unsigned)((c | 0x20) - 'a' + 10); }

static int fs_span_caseless_is(fs_span s, const char *lower)
{
    size_t k;
    for (k = 0; k < s.n && lower[k]; k++) {
        char c = s.p[k];
        if (c >= 'A' && c <= 'Z') c = (char)(c - 'A' + 'a');
        if (c != lower[k]) return 0;
    }
    return k == s.n && !lower[k];
}

static fs_parse fs_refuse(fs_refusal *r, int status, fs_page_uri uri, int connection_close, const char *message)
{
    r->status = status;
    r->uri = uri;
    r->connection_close = connection_close;
    r->stay_open = 0;
    snprintf(r->message, sizeof(r->message), "%s", message);
    return FS_PARSE_REFUSED;
}

/* Jetty's words for a byte it did not expect: "Illegal character SPACE=' '", "... HTAB=0x9",
   "... CNTL=0x0", "... EOL=0xa", "... OTEXT=0xe9", "... VCHAR='('". */
static fs_parse fs_refuse_byte(fs_refusal *r, fs_page_uri uri, int connection_close, unsigned char c)
{
    char m[48];
    if (c == ' ') snprintf(m, sizeof(m), "Illegal character SPACE=' '");
    else if (c == '\t') snprintf(m, sizeof(m), "Illegal character HTAB=0x9");
    else if (c == '\n') snprintf(m, sizeof(m), "Illegal character EOL=0xa");
    else if (c < 0x20 || c == 0x7f) snprintf(m, sizeof(m), "Illegal character CNTL=0x%x", (unsigned)c);
    else if (c >= 0x80) snprintf(m, sizeof(m), "Illegal character OTEXT=0x%x", (unsigned)c);
    else snprintf(m, sizeof(m), "Illegal character VCHAR='%c'", (char)c);
    return fs_refuse(r, 400, uri, connection_close, m);
}

/* At buf[*i], a line end: "\r\n" or a bare "\n" (Jetty takes both). 1 when it is one (and *i
   moves past it), 0 when more bytes are needed, -1 for a CR without its LF. */
static int fs_line_end(const char *buf, size_t len, size_t *i)
{
    if (buf[*i] == '\n') { *i += 1; return 1; }
    if (*i + 1 >= len) return 0;
    if (buf[*i + 1] != '\n') return -1;
    *i += 2;
    return 1;
}

/* The request line. Its refusals show "/badMessage" and no Connection header, as Jetty's. */
static fs_parse fs_parse_request_line(const char *buf, size_t len, size_t *at, fs_head *h, fs_refusal *r,
                                      int *in_target)
{
    size_t i = *at, start;
    int end;
    unsigned char c;
    /* the method: a token */
    start = i;
    for (; i < len; i++) {
        c = (unsigned char)buf[i];
        if (c == ' ') break;
        if (c == '\r' || c == '\n') {
            if ((end = fs_line_end(buf, len, &i)) == 0) return FS_PARSE_MORE;
            return end < 0 ? fs_refuse(r, 400, FS_URI_BAD_MESSAGE, 0, "Bad EOL")
                           : fs_refuse(r, 400, FS_URI_BAD_MESSAGE, 0, "No URI");
        }
        if (!fs_is_tchar(c)) return fs_refuse_byte(r, FS_URI_BAD_MESSAGE, 0, c);
    }
    if (i == len) return FS_PARSE_MORE;
    if (i == start) return fs_refuse_byte(r, FS_URI_BAD_MESSAGE, 0, ' ');
    h->method.p = buf + start;
    h->method.n = i - start;
    while (i < len && buf[i] == ' ') i++;
    /* the target: anything visible */
    *in_target = 1;
    start = i;
    for (; i < len; i++) {
        c = (unsigned char)buf[i];
        if (c == ' ' || c == '\r' || c == '\n') break;
        if (c < 0x20 || c == 0x7f) return fs_refuse_byte(r, FS_URI_BAD_MESSAGE, 0, c);
        if (c >= 0x80) h->target_has_8bit = 1;
    }
    if (i == len) return FS_PARSE_MORE;
    *in_target = 0;
    if (i == start) {
        if ((end = fs_line_end(buf, len, &i)) == 0) return FS_PARSE_MORE;
        return fs_refuse(r, 400, FS_URI_BAD_MESSAGE, 0, end < 0 ? "Bad EOL" : "No URI");
    }
    h->target.p = buf + start;
    h->target.n = i - start;
    while (i < len && buf[i] == ' ') i++;
    if (i == len) return FS_PARSE_MORE;
    /* the version, to the end of the line */
    start = i;
    for (; i < len; i++) {
        c = (unsigned char)buf[i];
        if (c == '\r' || c == '\n') break;
        if (c == ' ' || c == '\t' || c < 0x20 || c == 0x7f || c >= 0x80) return fs_refuse_byte(r, FS_URI_BAD_MESSAGE, 0, c);
    }
    if (i == len) return FS_PARSE_MORE;
    h->version.p = buf + start;
    h->version.n = i - start;
    if ((end = fs_line_end(buf, len, &i)) == 0) return FS_PARSE_MORE;
    if (end < 0) return fs_refuse(r, 400, FS_URI_BAD_MESSAGE, 0, "Bad EOL");
    if (h->version.n == 0) return fs_refuse(r, 505, FS_URI_BAD_MESSAGE, 0, "HTTP/0.9 not supported");
    if (fs_span_caseless_is(h->version, "http/1.1")) h->minor = 1;
    else if (fs_span_caseless_is(h->version, "http/1.0")) h->minor = 0;
    else if (fs_span_caseless_is(h->version, "http/2.0")) h->minor = 20;
    else if (fs_span_caseless_is(h->version, "http/0.9")) return fs_refuse(r, 505, FS_URI_BAD_MESSAGE, 0, "Unsupported Version");
    else return fs_refuse(r, 505, FS_URI_BAD_MESSAGE, 0, "Unknown Version");
    /* a '%' must start an escape of two hex digits */
    {
        size_t k;
        for (k = 0; k < h->target.n; k++)
            if (h->target.p[k] == '%' &&
                (k + 2 >= h->target.n || !fs_is_hex((unsigned char)h->target.p[k + 1]) ||
                 !fs_is_hex((unsigned char)h->target.p[k + 2])))
                return fs_refuse(r, 400, FS_URI_BAD_MESSAGE, 0, "Bad Request");
    }
    *at = i;
    return FS_PARSE_DONE;
}

/* The head in buf[0..len): FS_PARSE_DONE with h filled in, FS_PARSE_MORE when it is not whole
   yet, or FS_PARSE_REFUSED with Jetty's answer in r. Empty lines before the request line are
   skipped, as Jetty does. A head longer than FS_MAX_HEAD bytes is refused (431, or 414 when the
   target alone does not end within them), as Jetty's default request header size does. */
static fs_parse fs_parse_head(const char *buf, size_t len, fs_head *h, fs_refusal *r)
{
    size_t i = 0, lim = len < FS_MAX_HEAD ? len : FS_MAX_HEAD;
    int in_target = 0, end;
    fs_parse p;
    memset(h, 0, offsetof(fs_head, name));
    while (i < lim && (buf[i] == '\r' || buf[i] == '\n')) i++;
    p = fs_parse_request_line(buf, lim, &i, h, r, &in_target);
    if (p == FS_PARSE_REFUSED) return p;
    if (p == FS_PARSE_MORE) {
        if (len < FS_MAX_HEAD) return p;
        return in_target ? fs_refuse(r, 414, FS_URI_BAD_MESSAGE, 0, "URI Too Long")
                         : fs_refuse(r, 431, FS_URI_BAD_MESSAGE, 0, "Request Header Fields Too Large");
    }
    /* header lines, to the blank line; their refusals show the target and Connection: close */
    for (;;) {
        size_t n0, v0, v1;
        unsigned char c;
        if (i == lim) break;
        c = (unsigned char)buf[i];
        if (c == '\r' || c == '\n') {
            if ((end = fs_line_end(buf, lim, &i)) == 0) break;
            if (end < 0) return fs_refuse(r, 400, FS_URI_TARGET, 1, "Bad EOL");
            h->length = i;
            return FS_PARSE_DONE;
        }
        /* a line that begins with a blank continues the one before (obsolete folding); Jetty
           says the same of a line that begins with its colon */
        if (c == ' ' || c == '\t' || c == ':') return fs_refuse(r, 400, FS_URI_TARGET, 1, "Line Folding not supported");
        for (n0 = i; i < lim; i++) {
            c = (unsigned char)buf[i];
            if (c == ':') break;
            if (fs_is_tchar(c)) continue;
            if (c == '\r') {
                if (i + 1 >= lim) break;
                if (buf[i + 1] != '\n') return fs_refuse(r, 400, FS_URI_TARGET, 1, "Bad EOL");
                c = '\n';
            }
            return fs_refuse_byte(r, FS_URI_TARGET, 1, c);
        }
        if (i >= lim || buf[i] != ':') break;
        h->name[h->field_count].p = buf + n0;
        h->name[h->field_count].n = i - n0;
        i++;
        while (i < lim && (buf[i] == ' ' || buf[i] == '\t')) i++;
        for (v0 = i; i < lim; i++) {
            c = (unsigned char)buf[i];
            if (c == '\r' || c == '\n') break;
            if (c != '\t' && (c < 0x20 || c == 0x7f)) return fs_refuse_byte(r, FS_URI_TARGET, 1, c);
        }
        if (i == lim) break;
        for (v1 = i; v1 > v0 && (buf[v1 - 1] == ' ' || buf[v1 - 1] == '\t'); v1--) {}
        if ((end = fs_line_end(buf, lim, &i)) == 0) break;
        if (end < 0) return fs_refuse(r, 400, FS_URI_TARGET, 1, "Bad EOL");
        h->value[h->field_count].p = buf + v0;
        h->value[h->field_count].n = v1 - v0;
        h->field_count++;   /* at most FS_MAX_FIELDS: every line took 3 bytes or more of lim */
    }
    if (len < FS_MAX_HEAD) return FS_PARSE_MORE;
    return fs_refuse(r, 431, FS_URI_TARGET, 1, "Request Header Fields Too Large");
}

/* The first value of a header (names are compared without case), or NULL. */
static const fs_span *fs_head_field(const fs_head *h, const char *lower_name)
{
    size_t i;
    for (i = 0; i < h->field_count; i++)
        if (fs_span_caseless_is(h->name[i], lower_name)) return &h->value[i];
    return NULL;
}

/* ---- validate the framing: what Jetty refuses before DynamoDB Local sees the request -------- */

typedef struct fs_framing {
    int chunked;                  /* Transfer-Encoding ends in chunked */
    uint64_t content_length;      /* when not chunked; 0 without the header */
    int keep_alive;               /* the connection stays open after the answer */
    int expect_continue;          /* HTTP/1.1 and Expect: 100-continue */
    int head_method;              /* HEAD: the answer has no body */
    int http10;                   /* HTTP/1.0: kept alive only when asked, and said so */
} fs_framing;

/* Content-Length as Jetty reads it: decimal digits only (blanks around them are already gone),
   leading zeros allowed. 0 with *out set; -1 for anything else ("Invalid Content-Length Value");
   -2 past 2^63-1, Java's long ("Bad Request"). Never overflows: the digits are counted against
   the limit before they are added. */
static int fs_parse_content_length(fs_span v, uint64_t *out)
{
    uint64_t n = 0;
    size_t k;
    if (v.n == 0) return -1;
    for (k = 0; k < v.n; k++)
        if (v.p[k] < '0' || v.p[k] > '9') return -1;
    for (k = 0; k < v.n; k++) {
        uint64_t d = (uint64_t)(v.p[k] - '0');
        if (n > ((uint64_t)INT64_MAX - d) / 10) return -2;
        n = n * 10 + d;
    }
    *out = n;
    return 0;
}

/* Host as Jetty accepts it: a name of unreserved and sub-delimiter characters (or %XX), or an
   [IPv6] literal, then optionally ':' and a port of 0 to 65535. */
static int fs_host_is_valid(fs_span v)
{
    size_t k = 0;
    if (v.n && v.p[0] == '[') {
        while (k < v.n && v.p[k] != ']') k++;
        if (k == v.n) return 0;
        k++;
    } else {
        for (; k < v.n && v.p[k] != ':'; k++) {
            unsigned char c = (unsigned char)v.p[k];
            if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                  strchr("-._~!$&'()*+,;=%", c) != NULL) || !c)
                return 0;
        }
    }
    if (k == v.n) return 1;
    if (v.p[k] != ':') return 0;
    k++;
    {
        unsigned long port = 0;
        size_t digits = 0;
        for (; k < v.n; k++, digits++) {
            if (v.p[k] < '0' || v.p[k] > '9' || digits >= 5) return 0;
            port = port * 10 + (unsigned long)(v.p[k] - '0');
        }
        return digits > 0 && port <= 65535;
    }
}

/* The next comma-separated token of *rest, blanks trimmed; *rest moves past it and its comma. */
static fs_span fs_next_token(fs_span *rest)
{
    fs_span t;
    size_t k = 0;
    while (k < rest->n && rest->p[k] != ',') k++;
    t.p = rest->p;
    t.n = k;
    rest->p += k < rest->n ? k + 1 : k;
    rest->n -= k < rest->n ? k + 1 : k;
    while (t.n && (t.p[0] == ' ' || t.p[0] == '\t')) { t.p++; t.n--; }
    while (t.n && (t.p[t.n - 1] == ' ' || t.p[t.n - 1] == '\t')) t.n--;
    return t;
}

static int fs_span_starts_caseless(fs_span s, const char *lower)
{
    fs_span head = s;
    head.n = strlen(lower);
    return s.n >= head.n && fs_span_caseless_is(head, lower);
}

/* A target Jetty refuses once it has built the request: its page comes after the body is read,
   without a Connection header, and the connection stays open. */
static int fs_refuse_target(fs_refusal *r, fs_page_uri uri, const char *message)
{
    fs_refuse(r, 400, uri, 0, message);
    r->stay_open = 1;
    return -1;
}

/* Checks the head's framing in the order Jetty does (header by header, then what needs them
   all) and fills in f; 0, or -1 with Jetty's page in r (when r->stay_open, f is filled in
   too, and the body is to be read before the page is sent). */
static int fs_check_framing(const fs_head *h, fs_framing *f, fs_refusal *r)
{
    int seen_length = 0, seen_encoding = 0, seen_host = 0, chunked_tokens = 0, last_chunked = 0;
    int ask_close = 0, ask_keep_alive = 0;
    const fs_span *expect = NULL, *host = NULL;
    size_t i;
    memset(f, 0, sizeof(*f));
    for (i = 0; i < h->field_count; i++) {
        fs_span name = h->name[i], v = h->value[i];
        if (fs_span_caseless_is(name, "content-length")) {
            int bad;
            if (seen_length) return fs_refuse(r, 400, FS_URI_TARGET, 1, "Multiple Content-Lengths"), -1;
            if (seen_encoding) return fs_refuse(r, 400, FS_URI_TARGET, 1, "Transfer-Encoding and Content-Length"), -1;
            seen_length = 1;
            bad = fs_parse_content_length(v, &f->content_length);
            if (bad == -1) return fs_refuse(r, 400, FS_URI_TARGET, 1, "Invalid Content-Length Value"), -1;
            if (bad == -2) return fs_refuse(r, 400, FS_URI_TARGET, 1, "Bad Request"), -1;
        } else if (fs_span_caseless_is(name, "transfer-encoding")) {
            fs_span rest = v;
            if (seen_length) return fs_refuse(r, 400, FS_URI_TARGET, 1, "Transfer-Encoding and Content-Length"), -1;
            seen_encoding = 1;
            do {
                fs_span t = fs_next_token(&rest);
                last_chunked = fs_span_caseless_is(t, "chunked");
                if (last_chunked && ++chunked_tokens > 1)
                    return fs_refuse(r, 400, FS_URI_TARGET, 1, "Bad Transfer-Encoding, multiple chunked tokens"), -1;
            } while (rest.n);
        } else if (fs_span_caseless_is(name, "host")) {
            if (seen_host) return fs_refuse(r, 400, FS_URI_TARGET, 1, "Duplicate Host Header"), -1;
            seen_host = 1;
            host = &h->value[i];
            if (!v.n) return fs_refuse(r, 400, FS_URI_TARGET, 1, "Blank Host"), -1;
            if (!fs_host_is_valid(v)) return fs_refuse(r, 400, FS_URI_TARGET, 1, "Bad HostPort"), -1;
        } else if (fs_span_caseless_is(name, "expect")) {
            expect = &h->value[i];
        } else if (fs_span_caseless_is(name, "connection")) {
            fs_span rest = v;
            do {
                fs_span t = fs_next_token(&rest);
                if (fs_span_caseless_is(t, "close")) ask_close = 1;
                else if (fs_span_caseless_is(t, "keep-alive")) ask_keep_alive = 1;
            } while (rest.n);
        }
    }
    if (seen_encoding && !last_chunked) return fs_refuse(r, 400, FS_URI_TARGET, 1, "Bad Transfer-Encoding, chunked not last"), -1;
    if (h->minor == 1 && !seen_host) return fs_refuse(r, 400, FS_URI_TARGET, 1, "No Host"), -1;
    if (h->minor == 20) return fs_refuse(r, 426, FS_URI_ABSOLUTE, 0, "Upgrade Required"), -1;
    if (h->minor == 1 && expect && expect->n) {
        if (!fs_span_caseless_is(*expect, "100-continue"))
            return fs_refuse(r, 417, FS_URI_ABSOLUTE, 1, "Expectation Failed"), -1;
        f->expect_continue = 1;
    }
    f->chunked = seen_encoding;
    f->keep_alive = h->minor == 1 ? !ask_close : ask_keep_alive && !ask_close;
    f->http10 = h->minor == 0;
    f->head_method = h->method.n == 4 && memcmp(h->method.p, "HEAD", 4) == 0;
    if (h->target_has_8bit) return fs_refuse_target(r, FS_URI_ABSOLUTE, "Illegal Path Character");
    if (h->target.n && h->target.p[0] != '/' && !(h->target.n == 1 && h->target.p[0] == '*')) {
        /* an absolute target names the server in its authority, which must be the Host */
        fs_span t = h->target;
        size_t skip = 0, k;
        if (fs_span_starts_caseless(t, "http://")) skip = 7;
        else if (fs_span_starts_caseless(t, "https://")) skip = 8;
        if (!skip) return fs_refuse(r, 400, FS_URI_SCHEME_TARGET, 1, "Bad Request"), -1;   /* closed */
        for (k = skip; k < t.n && t.p[k] != '/' && t.p[k] != '?' && t.p[k] != '#'; k++) {}
        if (!host || host->n != k - skip || memcmp(host->p, t.p + skip, k - skip) != 0)
            return fs_refuse_target(r, FS_URI_TARGET, "Authority!=Host");
    }
    return 0;
}

/* ---- read the body: Content-Length bytes, or chunks ----------------------------------------- */

/* The body as it arrives, grown with the bytes (never by what Content-Length claims) up to
   FS_MAX_BODY; past that it is only counted, and the request is answered 413. */
typedef struct fs_body {
    char *data;                   /* NUL-terminated when not NULL */
    size_t len, cap;
    uint64_t dropped;             /* bytes counted, not kept, after the body went over the limit */
    int too_large;
    int no_memory;
} fs_body;

static void fs_body_take(void *ctx, const char *p, size_t n)
{
    fs_body *b = (fs_body *)ctx;
    size_t need, ncap;
    char *grown;
    if (b->too_large || b->no_memory) { b->dropped += n; return; }
    if (n > FS_MAX_BODY - b->len) {
        b->too_large = 1;
        b->dropped = (uint64_t)b->len + n;
        free(b->data);
        b->data = NULL;
        b->len = b->cap = 0;
        return;
    }
    need = b->len + n + 1;
    if (need > b->cap) {
        ncap = b->cap ? b->cap : 1024;
        while (ncap < need) ncap = ncap > (FS_MAX_BODY + 1) / 2 ? FS_MAX_BODY + 1 : ncap * 2;
        grown = (char *)realloc(b->data, ncap);
        if (!grown) { b->no_memory = 1; b->dropped = (uint64_t)b->len + n; return; }
        b->data = grown;
        b->cap = ncap;
    }
    memcpy(b->data + b->len, p, n);
    b->len += n;
    b->data[b->len] = 0;
}

static void fs_body_free(fs_body *b)
{
    free(b->data);
    memset(b, 0, sizeof(*b));
}

/* The chunked decoder, a byte-at-a-time state machine (chunk data is handed over in runs), so
   a chunk line split anywhere across reads is read the same. What DynamoDB Local (Jetty) takes:
   hex digits (leading zeros allowed, the size at most 2^63-1), then CRLF, or an extension
   ";x..." with at least one byte after the ';' (blanks allowed before the ';' but not before
   the CRLF); the data, then CRLF; after the last chunk ("0"), trailer lines up to FS_MAX_HEAD
   bytes in all, then CRLF. Anything else - a bare LF, a blank before the size, a sign, "0x",
   a size past 2^63-1 - is FS_CHUNKS_BAD, which DynamoDB Local answers 500 InternalFailure. */
typedef enum fs_chunk_state {
    FS_CHUNKS_SIZE, FS_CHUNKS_SIZE_BLANK, FS_CHUNKS_EXT_FIRST, FS_CHUNKS_EXT, FS_CHUNKS_SIZE_LF,
    FS_CHUNKS_DATA, FS_CHUNKS_DATA_CR, FS_CHUNKS_DATA_LF,
    FS_CHUNKS_TRAILER, FS_CHUNKS_TRAILER_LINE, FS_CHUNKS_TRAILER_LF, FS_CHUNKS_END_LF,
    FS_CHUNKS_DONE, FS_CHUNKS_BAD
} fs_chunk_state;

typedef struct fs_chunks {
    fs_chunk_state state;
    uint64_t size;                /* the chunk size being read, then the data bytes left */
    unsigned digits;
    size_t line;                  /* bytes of the current size line or of the trailers */
} fs_chunks;

/* Decodes in[0..n) and hands the data to take(ctx, ...). Returns the bytes used: all of them,
   or fewer once the state is FS_CHUNKS_DONE (the rest is the next request) or FS_CHUNKS_BAD. */
static size_t fs_chunks_feed(fs_chunks *d, const char *in, size_t n, void (*take)(void *, const char *, size_t),
                             void *ctx)
{
    size_t i = 0;
    while (i < n && d->state != FS_CHUNKS_DONE && d->state != FS_CHUNKS_BAD) {
        unsigned char c = (unsigned char)in[i];
        fs_chunk_state next = FS_CHUNKS_BAD;
        if (d->state == FS_CHUNKS_DATA) {
            size_t run = n - i < d->size ? n - i : (size_t)d->size;
            take(ctx, in + i, run);
            i += run;
            d->size -= run;
            if (d->size == 0) d->state = FS_CHUNKS_DATA_CR;
            continue;
        }
        i++;
        switch (d->state) {
        case FS_CHUNKS_SIZE:
            if (fs_is_hex(c)) {
                unsigned v = fs_hex_value(c);
                if (d->size > ((uint64_t)INT64_MAX - v) / 16) break;
                d->size = d->size * 16 + v;
                d->digits++;
                next = FS_CHUNKS_SIZE;
            } else if (d->digits && (c == ' ' || c == '\t')) next = FS_CHUNKS_SIZE_BLANK;
            else if (d->digits && c == ';') next = FS_CHUNKS_EXT_FIRST;
            else if (d->digits && c == '\r') next = FS_CHUNKS_SIZE_LF;
            break;
        case FS_CHUNKS_SIZE_BLANK:
            if (c == ' ' || c == '\t') next = FS_CHUNKS_SIZE_BLANK;
            else if (c == ';') next = FS_CHUNKS_EXT_FIRST;
            break;
        case FS_CHUNKS_EXT_FIRST:
        case FS_CHUNKS_EXT:
            if (c == '\r') next = d->state == FS_CHUNKS_EXT ? FS_CHUNKS_SIZE_LF : FS_CHUNKS_BAD;
            else if (c != '\n' && ++d->line <= FS_MAX_HEAD) next = FS_CHUNKS_EXT;
            break;
        case FS_CHUNKS_SIZE_LF:
            if (c == '\n') {
                d->line = 0;
                d->digits = 0;
                next = d->size ? FS_CHUNKS_DATA : FS_CHUNKS_TRAILER;
            }
            break;
        case FS_CHUNKS_DATA_CR:
            if (c == '\r') next = FS_CHUNKS_DATA_LF;
            break;
        case FS_CHUNKS_DATA_LF:
            if (c == '\n') next = FS_CHUNKS_SIZE;
            break;
        case FS_CHUNKS_TRAILER:
        case FS_CHUNKS_TRAILER_LINE:
            if (c == '\r') next = d->state == FS_CHUNKS_TRAILER ? FS_CHUNKS_END_LF : FS_CHUNKS_TRAILER_LF;
            else if (c != '\n' && ++d->line <= FS_MAX_HEAD) next = FS_CHUNKS_TRAILER_LINE;
            break;
        case FS_CHUNKS_TRAILER_LF:
            if (c == '\n') next = FS_CHUNKS_TRAILER;
            break;
        case FS_CHUNKS_END_LF:
            if (c == '\n') next = FS_CHUNKS_DONE;
            break;
        default:
            break;
        }
        d->state = next;
    }
    return i;
}

/* ---- Authorization ------------------------------------------------------------------------- */

typedef enum fs_auth {
    FS_AUTH_OK = 0,
    FS_AUTH_MISSING,              /* 400 MissingAuthenticationToken */
    FS_AUTH_UNRECOGNIZED,         /* 400 UnrecognizedClientException */
    FS_AUTH_MALFORMED             /* 500 InternalFailure */
} fs_auth;


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

/* ---- the server, its threads, and one connection's exchange ---------------------------------- */

typedef struct fs_server {
    olock_transport transport;    /* the fake's */
    olock_fake *fake;
    pthread_mutex_t clock_mu;     /* the fake's virtual clock follows the wall clock: */
    uint64_t clock_ms;            /* fs_now_ms when it was last moved */
    fs_ids ids;
    fs_conns conns;
    int listen_fd;
    int wake[2];                  /* a byte is written at SIGTERM; every thread watches wake[0] */
    uint64_t idle_ms;             /* --timeout */
} fs_server;

/* What a thread waits for: readiness of descriptors, each with a pointer of its own. epoll on
   Linux; elsewhere poll over an array (linear, enough for a test server's thousand sockets). */
typedef struct fs_ready { void *tag; int readable, writable, hangup; } fs_ready;

typedef struct fs_watch {
#if FS_EPOLL
    int ep;
#else
    struct pollfd *fds;
    void **tags;
    size_t n, cap;
#endif
} fs_watch;

typedef struct fs_worker {
    fs_server *srv;
    pthread_t thread;
    fs_watch watch;
    fs_conn *own;                 /* this thread's connections */
    int listening;                /* the listening socket is watched (not while every slot is taken) */
    int tag_listen, tag_wake;     /* their addresses tell those two sockets apart from connections */
    /* scratch for the request being dispatched */
    fs_head head;
    char strings[2 * FS_MAX_HEAD + 64];
    olock_http_header fields[FS_MAX_FIELDS];
    olock_http_response res;
} fs_worker;

typedef enum fs_phase {
    FS_PHASE_HEAD,                /* reading the request line and headers */
    FS_PHASE_BODY,                /* reading the body */
    FS_PHASE_WRITE,               /* sending (nothing is read meanwhile: one request at a time) */
    FS_PHASE_LINGER               /* refused: the answer is out, what still comes is dropped */
} fs_phase;

/* One connection's request, from its first byte to the last byte of its answer. */
typedef struct fs_exchange {
    fs_phase phase;
    fs_phase after_write;         /* FS_PHASE_BODY after "100 Continue", else FS_PHASE_HEAD */
    char *in;                     /* FS_MAX_HEAD + FS_READ_SIZE bytes */
    size_t in_len;
    size_t head_len;              /* from the head on: in[0..head_len) is the head, then body bytes */
    fs_framing framing;
    uint64_t body_left;           /* Content-Length bytes still to come */
    fs_chunks chunks;
    fs_body body;
    olock_buf out;
    size_t out_done;
    int close_after;              /* close once the answer is out */
    uint64_t linger_until_ms;
    int refused_after_body;       /* answer with Jetty's page for `refusal` once the body is in */
    fs_refusal refusal;
} fs_exchange;

#if FS_EPOLL
static int fs_watch_init(fs_watch *w) { return (w->ep = epoll_create1(0)) < 0 ? -1 : 0; }
static void fs_watch_free(fs_watch *w) { close(w->ep); }
static int fs_watch_set(fs_watch *w, int fd, void *tag, int want_read, int want_write, int op)
{
    struct epoll_event ev;
    memset(&ev, 0, sizeof(ev));
    ev.events = (want_read ? EPOLLIN : 0u) | (want_write ? EPOLLOUT : 0u);
    ev.data.ptr = tag;
    return epoll_ctl(w->ep, op, fd, &ev);
}
static int fs_watch_add(fs_watch *w, int fd, void *tag, int want_read, int want_write)
{
    return fs_watch_set(w, fd, tag, want_read, want_write, EPOLL_CTL_ADD);
}
static int fs_watch_change(fs_watch *w, int fd, void *tag, int want_read, int want_write)
{
    return fs_watch_set(w, fd, tag, want_read, want_write, EPOLL_CTL_MOD);
}
static void fs_watch_remove(fs_watch *w, int fd)
{
    struct epoll_event ev;
    memset(&ev, 0, sizeof(ev));
    epoll_ctl(w->ep, EPOLL_CTL_DEL, fd, &ev);
}
static int fs_watch_wait(fs_watch *w, fs_ready *out, int max, int timeout_ms)
{
    struct epoll_event ev[64];
    int n, i;
    if (max > 64) max = 64;
    n = epoll_wait(w->ep, ev, max, timeout_ms);
    for (i = 0; i < n; i++) {
        out[i].tag = ev[i].data.ptr;
        out[i].readable = (ev[i].events & EPOLLIN) != 0;
        out[i].writable = (ev[i].events & EPOLLOUT) != 0;
        out[i].hangup = (ev[i].events & (EPOLLHUP | EPOLLERR)) != 0;
    }
    return n < 0 ? 0 : n;
}
#else
static int fs_watch_init(fs_watch *w) { memset(w, 0, sizeof(*w)); return 0; }
static void fs_watch_free(fs_watch *w) { free(w->fds); free(w->tags); }
static int fs_watch_add(fs_watch *w, int fd, void *tag, int want_read, int want_write)
{
    if (w->n == w->cap) {
        size_t ncap = w->cap ? w->cap * 2 : 64;
        struct pollfd *f = (struct pollfd *)realloc(w->fds, ncap * sizeof(*f));
        void **t;
        if (!f) return -1;
        w->fds = f;
        if (!(t = (void **)realloc(w->tags, ncap * sizeof(*t)))) return -1;
        w->tags = t;
        w->cap = ncap;
    }
    w->fds[w->n].fd = fd;
    w->fds[w->n].events = (short)((want_read ? POLLIN : 0) | (want_write ? POLLOUT : 0));
    w->fds[w->n].revents = 0;
    w->tags[w->n++] = tag;
    return 0;
}
static int fs_watch_change(fs_watch *w, int fd, void *tag, int want_read, int want_write)
{
    size_t i;
    for (i = 0; i < w->n; i++)
        if (w->fds[i].fd == fd) {
            w->fds[i].events = (short)((want_read ? POLLIN : 0) | (want_write ? POLLOUT : 0));
            w->tags[i] = tag;
            return 0;
        }
    return -1;
}
static void fs_watch_remove(fs_watch *w, int fd)
{
    size_t i;
    for (i = 0; i < w->n; i++)
        if (w->fds[i].fd == fd) {
            w->fds[i] = w->fds[w->n - 1];
            w->tags[i] = w->tags[w->n - 1];
            w->n--;
            return;
        }
}
/* Reports at most max ready descriptors; the others stay ready for the next call. */
static int fs_watch_wait(fs_watch *w, fs_ready *out, int max, int timeout_ms)
{
    size_t i;
    int n = 0;
    if (poll(w->fds, (nfds_t)w->n, timeout_ms) <= 0) return 0;
    for (i = 0; i < w->n && n < max; i++) {
        short re = w->fds[i].revents;
        if (!re) continue;
        out[n].tag = w->tags[i];
        out[n].readable = (re & POLLIN) != 0;
        out[n].writable = (re & POLLOUT) != 0;
        out[n].hangup = (re & (POLLHUP | POLLERR | POLLNVAL)) != 0;
        n++;
    }
    return n;
}
#endif

/* ---- dispatch to the fake: Authorization, X-Amz-Target, then the fake's transport ------------ */

/* Sets r to a DynamoDB error body (as DynamoDB Local writes it: __type, then Message). */
static void fs_answer_error(olock_http_response *r, int status, const char *type, const char *message)
{
    olock_http_response_reset(r);
    r->status = status;
    if (olock_http_response_add_header(r, "Content-Type", 12, FS_JSON_TYPE, strlen(FS_JSON_TYPE)) != OLOCK_OK ||
        olock_http_response_append(r, "{\"__type\":\"" FS_NS, strlen("{\"__type\":\"" FS_NS)) != OLOCK_OK ||
        olock_http_response_append(r, type, strlen(type)) != OLOCK_OK ||
        olock_http_response_append(r, "\",\"Message\":\"", 13) != OLOCK_OK ||
        olock_http_response_append(r, message, strlen(message)) != OLOCK_OK ||
        olock_http_response_append(r, "\"}", 2) != OLOCK_OK)
        r->status = -1;   /* out of memory: the connection is dropped */
}

static void fs_answer_internal_failure(olock_http_response *r)
{
    fs_answer_error(r, 500, "InternalFailure",
                    "The request processing has failed because of an unknown error, exception or failure.");
}

/* DynamoDB Local's 413: no Content-Type, an empty Message, no __type. */
static void fs_answer_too_large(olock_http_response *r)
{
    olock_http_response_reset(r);
    r->status = 413;
    if (olock_http_response_append(r, "{\"Message\":\"\"}", 14) != OLOCK_OK) r->status = -1;
}

/* DynamoDB Local's answer to a chunked body Jetty cannot decode: its 500 InternalFailure body,
   but without Content-Type (the error escapes before DynamoDB Local sets it). */
static void fs_answer_bad_chunk(olock_http_response *r)
{
    static const char body[] =
        "{\"__type\":\"" FS_NS "InternalFailure\",\"Message\":\"The request processing has failed because of an "
        "unknown error, exception or failure.\"}";
    olock_http_response_reset(r);
    r->status = 500;
    if (olock_http_response_append(r, body, strlen(body)) != OLOCK_OK) r->status = -1;
}

/* The head's fields as NUL-terminated olock_http_header pairs in w's scratch (the head is at
   most FS_MAX_HEAD bytes, so the copies fit: each field adds two NULs to at least three bytes). */
static size_t fs_collect_fields(fs_worker *w, const fs_head *h)
{
    char *s = w->strings;
    size_t i;
    for (i = 0; i < h->field_count; i++) {
        w->fields[i].name = s;
        memcpy(s, h->name[i].p, h->name[i].n);
        s += h->name[i].n;
        *s++ = 0;
        w->fields[i].value = s;
        memcpy(s, h->value[i].p, h->value[i].n);
        s += h->value[i].n;
        *s++ = 0;
    }
    return h->field_count;
}

static const char *fs_field_value(const olock_http_header *f, size_t n, const char *lower_name)
{
    size_t i;
    for (i = 0; i < n; i++) {
        fs_span name;
        name.p = f[i].name;
        name.n = strlen(f[i].name);
        if (fs_span_caseless_is(name, lower_name)) return f[i].value;
    }
    return NULL;
}

/* Runs the fake on a whole request; w->res gets the answer (status -1: none, drop the
   connection, as the network would). */
static void fs_call_fake(fs_server *srv, fs_worker *w, const fs_head *h, const fs_body *body)
{
    olock_http_request req;
    olock_result r;
    size_t nfields = fs_collect_fields(w, h);
    const char *host = fs_field_value(w->fields, nfields, "host");
    char *method, *url;
    size_t ulen;
    if (!host) host = "localhost";
    ulen = strlen("http://") + strlen(host) + h->target.n + 1;
    url = (char *)malloc(ulen);
    method = (char *)malloc(h->method.n + 1);
    if (!url || !method) {
        free(url);
        free(method);
        fs_answer_error(&w->res, 500, "InternalServerError", "Internal server error");
        return;
    }
    memcpy(method, h->method.p, h->method.n);
    method[h->method.n] = 0;
    snprintf(url, ulen, "http://%s%.*s", host, (int)h->target.n, h->target.p);
    req.method = method;
    req.url = url;
    req.headers = w->fields;
    req.header_count = nfields;
    req.body = body->data ? body->data : "";
    req.body_len = body->len;
    olock_http_response_reset(&w->res);
    {   /* over HTTP the fake's time is real time, so an index UpdateTable adds becomes ACTIVE
           (and a ClientRequestToken is forgotten) as the time passes, as in DynamoDB Local */
        uint64_t now = fs_now_ms(), passed;
        pthread_mutex_lock(&srv->clock_mu);
        passed = now > srv->clock_ms ? now - srv->clock_ms : 0;
        srv->clock_ms += passed;
        pthread_mutex_unlock(&srv->clock_mu);
        if (passed) olock_fake_advance_ms(srv->fake, passed);
    }
    /* the fake's transport runs every request under the fake's mutex */
    r = srv->transport.send(srv->transport.user, &req, &w->res);
    if (r == OLOCK_ERR_NOT_SENT || r == OLOCK_ERR_MAYBE_SENT) w->res.status = -1;
    else if (r != OLOCK_OK || w->res.status < 100 || w->res.status > 599)
        fs_answer_error(&w->res, 500, "InternalServerError", "Internal server error");
    free(url);
    free(method);
}

/* The answer to a whole request, in w->res: 413 and out-of-memory first, then Authorization,
   then the X-Amz-Target DynamoDB Local refuses itself, then the fake. */
static void fs_dispatch(fs_server *srv, fs_worker *w, const fs_head *h, const fs_body *body)
{
    if (body->too_large) { fs_answer_too_large(&w->res); return; }
    if (body->no_memory) { fs_answer_error(&w->res, 500, "InternalServerError", "Internal server error"); return; }
    {
        size_t nfields = fs_collect_fields(w, h);
        switch (fs_check_authorization(fs_field_value(w->fields, nfields, "authorization"))) {
        case FS_AUTH_MISSING:
            fs_answer_error(&w->res, 400, "MissingAuthenticationToken",
                            "Request must contain either a valid (registered) AWS access key ID or X.509 certificate.");
            return;
        case FS_AUTH_UNRECOGNIZED:
            fs_answer_error(&w->res, 400, "UnrecognizedClientException", "The Access Key ID or security token is invalid.");
            return;
        case FS_AUTH_MALFORMED:
            fs_answer_internal_failure(&w->res);
            return;
        case FS_AUTH_OK:
            break;
        }
        if (fs_target_has_no_operation(fs_field_value(w->fields, nfields, "x-amz-target"))) {
            fs_answer_internal_failure(&w->res);
            return;
        }
    }
    fs_call_fake(srv, w, h, body);
}

/* ---- write the answer ----------------------------------------------------------------------- */

/* Jetty's reason phrases (DynamoDB Local's status lines). */
static const char *fs_reason(int status)
{
    switch (status) {
    case 100: return "Continue";
    case 200: return "OK";
    case 400: return "Bad Request";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 413: return "Payload Too Large";
    case 414: return "URI Too Long";
    case 417: return "Expectation Failed";
    case 426: return "Upgrade Required";
    case 431: return "Request Header Fields Too Large";
    case 500: return "Server Error";
    case 503: return "Service Unavailable";
    case 505: return "HTTP Version Not Supported";
    default: return status < 300 ? "OK" : status < 500 ? "Bad Request" : "Server Error";
    }
}

static int fs_append_fmt(olock_buf *b, const char *fmt, ...)
{
    char tmp[256];
    va_list ap;
    int n;
    va_start(ap, fmt);
    n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= sizeof(tmp)) return -1;
    return olock_buf_append(b, tmp, (size_t)n) == OLOCK_OK ? 0 : -1;
}

/* The status line and the Date header. */
static int fs_append_status(olock_buf *b, int status)
{
    char date[64];
    time_t now = time(NULL);
    struct tm tm;
    if (!gmtime_r(&now, &tm) || !strftime(date, sizeof(date), "%a, %d %b %Y %H:%M:%S GMT", &tm)) date[0] = 0;
    return fs_append_fmt(b, "HTTP/1.1 %d %s\r\nDate: %s\r\n", status, fs_reason(status), date);
}

/* Headers the HTTP layer owns; a response header of these names from the fake is not passed on. */
static int fs_hop_header(const char *name)
{
    static const char *const hop[] = { "content-length", "connection", "transfer-encoding", "date", "keep-alive" };
    fs_span s;
    size_t i;
    s.p = name;
    s.n = strlen(name);
    for (i = 0; i < sizeof(hop) / sizeof(hop[0]); i++)
        if (fs_span_caseless_is(s, hop[i])) return 1;
    return 0;
}

/* Appends r as the answer: its headers, an x-amz-crc32 when add_crc and it has none, an
   x-amzn-RequestId (a fresh UUID), Content-Length, the Connection header the exchange calls
   for, and the body unless it answers a HEAD. */
static int fs_append_answer(fs_server *srv, olock_buf *b, const olock_http_response *r, int add_crc, int close_after,
                            const fs_framing *f)
{
    char id[37];
    const char *p = r->headers.data, *end = p ? p + r->headers.len : NULL;
    size_t i;
    int bad = fs_append_status(b, r->status);
    fs_ids_next(&srv->ids, id);
    bad = bad || fs_append_fmt(b, "x-amzn-RequestId: %s\r\n", id);
    /* olock_http_response keeps its headers as "name\0value\0" pairs (olock.h, HTTP transport);
       olock.h has no public iterator over them yet. */
    for (i = 0; !bad && p && i < r->header_count && p < end; i++) {
        const char *v = p + strlen(p) + 1;
        if (!fs_hop_header(p))
            bad = olock_buf_append_str(b, p) != OLOCK_OK || olock_buf_append(b, ": ", 2) != OLOCK_OK ||
                  olock_buf_append_str(b, v) != OLOCK_OK || olock_buf_append(b, "\r\n", 2) != OLOCK_OK;
        p = v + strlen(v) + 1;
    }
    if (!bad && add_crc && !olock_http_response_header(r, "x-amz-crc32"))
        bad = fs_append_fmt(b, "x-amz-crc32: %lu\r\n",
                            (unsigned long)olock_crc32(0, r->body.len ? r->body.data : "", r->body.len));
    bad = bad || fs_append_fmt(b, "Content-Length: %lu\r\n", (unsigned long)r->body.len);
    if (close_after) bad = bad || fs_append_fmt(b, "Connection: close\r\n");
    else if (f && f->http10 && f->keep_alive) bad = bad || fs_append_fmt(b, "Connection: keep-alive\r\n");
    bad = bad || olock_buf_append(b, "\r\n", 2) != OLOCK_OK;
    if (!bad && r->body.len && !(f && f->head_method)) bad = olock_buf_append(b, r->body.data, r->body.len) != OLOCK_OK;
    return bad ? -1 : 0;
}

static int fs_append_escaped(olock_buf *b, const char *s, size_t n)
{
    size_t k;
    for (k = 0; k < n; k++) {
        const char *esc = s[k] == '&' ? "&amp;" : s[k] == '<' ? "&lt;" : s[k] == '>' ? "&gt;" : s[k] == '"' ? "&quot;"
                        : s[k] == '\'' ? "&apos;" : NULL;
        if ((esc ? olock_buf_append_str(b, esc) : olock_buf_append(b, s + k, 1)) != OLOCK_OK) return -1;
    }
    return 0;
}

/* Jetty's HTML error page for a refused request, as DynamoDB Local sends it. */
static int fs_append_page(olock_buf *b, const fs_refusal *r, const fs_head *h)
{
    static const char head[] =
        "<html>\n<head>\n<meta http-equiv=\"Content-Type\" content=\"text/html;charset=ISO-8859-1\"/>\n<title>Error ";
    olock_buf page;
    fs_span target = h->target;
    const fs_span *host = fs_head_field(h, "host");
    size_t shown;
    int bad;
    char status[8];
    snprintf(status, sizeof(status), "%d ", r->status);
    if (!target.n) { target.p = "/"; target.n = 1; }
    olock_buf_init(&page, NULL);
    bad = olock_buf_append_str(&page, head) != OLOCK_OK || olock_buf_append_str(&page, status) != OLOCK_OK ||
          fs_append_escaped(&page, r->message, strlen(r->message)) ||
          olock_buf_append_str(&page, "</title>\n</head>\n<body>\n<h2>HTTP ERROR ") != OLOCK_OK ||
          olock_buf_append_str(&page, status) != OLOCK_OK || fs_append_escaped(&page, r->message, strlen(r->message)) ||
          olock_buf_append_str(&page, "</h2>\n<table>\n<tr><th>URI:</th><td>") != OLOCK_OK;
    switch (r->uri) {
    case FS_URI_BAD_MESSAGE: bad = bad || olock_buf_append_str(&page, "/badMessage") != OLOCK_OK; break;
    case FS_URI_SCHEME_TARGET: bad = bad || olock_buf_append_str(&page, "http:") != OLOCK_OK; break;
    case FS_URI_ABSOLUTE:
        bad = bad || olock_buf_append_str(&page, "http://") != OLOCK_OK ||
              (host && fs_append_escaped(&page, host->p, host->n));
        break;
    case FS_URI_TARGET: break;
    }
    if (r->uri == FS_URI_ABSOLUTE) {   /* Jetty shows an 8-bit byte it could not decode as '?' */
        size_t k;
        for (k = 0; !bad && k < target.n; k++)
            bad = (unsigned char)target.p[k] >= 0x80 ? olock_buf_append(&page, "?", 1) != OLOCK_OK
                                                     : fs_append_escaped(&page, target.p + k, 1);
    } else if (r->uri != FS_URI_BAD_MESSAGE) {
        bad = bad || fs_append_escaped(&page, target.p, target.n);
    }
    bad = bad || olock_buf_append_str(&page, "</td></tr>\n<tr><th>STATUS:</th><td>") != OLOCK_OK ||
          fs_append_fmt(&page, "%d", r->status) ||
          olock_buf_append_str(&page, "</td></tr>\n<tr><th>MESSAGE:</th><td>") != OLOCK_OK ||
          fs_append_escaped(&page, r->message, strlen(r->message)) ||
          olock_buf_append_str(&page, "</td></tr>\n</table>\n<hr/><a href=\"https://jetty.org/\">Powered by Jetty:// "
                                      "12.1.11</a><hr/>\n\n</body>\n</html>\n") != OLOCK_OK;
    shown = page.len < FS_JETTY_PAGE_MAX ? page.len : FS_JETTY_PAGE_MAX;
    bad = bad || fs_append_status(b, r->status) ||
          fs_append_fmt(b, "Cache-Control: must-revalidate,no-cache,no-store\r\n"
                           "Content-Type: text/html;charset=iso-8859-1\r\nContent-Length: %lu\r\n%s\r\n",
                        (unsigned long)shown, r->connection_close ? "Connection: close\r\n" : "") ||
          olock_buf_append(b, page.data, shown) != OLOCK_OK;
    olock_buf_free(&page);
    return bad ? -1 : 0;
}

/* ---- keep-alive or close: a connection's life, in one event loop per thread ------------------- */

static void fs_conn_close(fs_worker *w, fs_conn *c)
{
    fs_exchange *x = c->x;
    fs_watch_remove(&w->watch, c->fd);
    fs_conns_remove(&w->srv->conns, c);   /* from here on no other thread can reach c */
    close(c->fd);
    if (c->own_prev) c->own_prev->own_next = c->own_next; else w->own = c->own_next;
    if (c->own_next) c->own_next->own_prev = c->own_prev;
    free(x->in);
    fs_body_free(&x->body);
    olock_buf_free(&x->out);
    free(x);
    free(c);
}

/* Reading while a request is read (or while a refused one lingers), writing while answering. */
static void fs_conn_watch(fs_worker *w, fs_conn *c)
{
    int writing = c->x->phase == FS_PHASE_WRITE;
    fs_watch_change(&w->watch, c->fd, c, !writing, writing);
}

/* Queues an answer made from r: its headers, x-amz-crc32 when add_crc, Connection: close when
   the connection closes after it (except for HTTP/1.0, where closing is the default). Out of
   memory, the connection is closed without an answer. */
static void fs_conn_answer(fs_worker *w, fs_conn *c, const olock_http_response *r, int add_crc, int close_after)
{
    fs_exchange *x = c->x;
    int say_close = close_after && !(x->framing.http10 && !x->framing.keep_alive);
    olock_buf_clear(&x->out);
    x->out_done = 0;
    if (fs_append_answer(w->srv, &x->out, r, add_crc, say_close, &x->framing) != 0) {
        olock_buf_clear(&x->out);
        close_after = 1;
    }
    x->close_after = close_after;
    x->phase = FS_PHASE_WRITE;
    x->after_write = FS_PHASE_HEAD;
    fs_conn_set(&w->srv->conns, c, FS_CONN_BUSY);
}

/* Queues Jetty's page for a refused request; the connection closes after it unless Jetty
   keeps it (r->stay_open, on a kept-alive connection). */
static void fs_conn_refuse(fs_worker *w, fs_conn *c, const fs_refusal *r, const fs_head *h)
{
    fs_exchange *x = c->x;
    olock_buf_clear(&x->out);
    x->out_done = 0;
    x->close_after = !(r->stay_open && x->framing.keep_alive);
    if (fs_append_page(&x->out, r, h) != 0) {
        olock_buf_clear(&x->out);
        x->close_after = 1;
    }
    x->phase = FS_PHASE_WRITE;
    x->after_write = FS_PHASE_HEAD;
    fs_conn_set(&w->srv->conns, c, FS_CONN_BUSY);
}

/* Sends what is queued: 1 when all of it is out, 0 when the socket is full, -1 when the
   client is gone. */
static int fs_conn_flush(fs_conn *c)
{
    fs_exchange *x = c->x;
    while (x->out_done < x->out.len) {
#ifdef MSG_NOSIGNAL
        ssize_t n = send(c->fd, x->out.data + x->out_done, x->out.len - x->out_done, MSG_NOSIGNAL);
#else
        ssize_t n = send(c->fd, x->out.data + x->out_done, x->out.len - x->out_done, 0);
#endif
        if (n > 0) {
            x->out_done += (size_t)n;
            c->active_ms = fs_now_ms();
        } else if (n < 0 && errno == EINTR) {
            continue;
        } else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            return 0;
        } else {
            return -1;
        }
    }
    /* a large answer's buffer is not kept for a connection that may idle for a minute */
    if (x->out.cap > 65536) olock_buf_free(&x->out);
    else olock_buf_clear(&x->out);
    x->out_done = 0;
    return 1;
}

/* Moves the exchange on as far as the bytes in hand allow: parses and checks the head, reads
   the body, dispatches, writes, and starts on the next (pipelined) request. Returns when it
   needs bytes from the client or room in the socket, or after closing the connection. */
static void fs_conn_advance(fs_worker *w, fs_conn *c)
{
    fs_server *srv = w->srv;
    fs_exchange *x = c->x;
    fs_refusal refusal;
    for (;;) {
        if (x->phase == FS_PHASE_HEAD) {
            fs_parse p;
            if (x->in_len == 0) return;
            p = fs_parse_head(x->in, x->in_len, &w->head, &refusal);
            if (p == FS_PARSE_MORE) return;
            x->refused_after_body = 0;
            if (p == FS_PARSE_REFUSED || fs_check_framing(&w->head, &x->framing, &refusal) != 0) {
                if (p == FS_PARSE_REFUSED || !refusal.stay_open) {
                    fs_conn_refuse(w, c, &refusal, &w->head);
                    continue;
                }
                x->refused_after_body = 1;
                x->refusal = refusal;
            }
            x->head_len = w->head.length;
            x->body_left = x->framing.chunked ? 0 : x->framing.content_length;
            memset(&x->chunks, 0, sizeof(x->chunks));
            /* An announced body over the limit. A client waiting for "100 Continue" is refused
               at once, without reading anything; one that is already sending is read to the
               end (and dropped) so that it sees the 413 rather than a reset, as from DynamoDB
               Local, unless the body is absurdly long: then the connection is closed after
               the answer. */
            if (!x->framing.chunked && x->body_left > FS_MAX_BODY &&
                (x->framing.expect_continue || x->body_left > 2 * (uint64_t)FS_MAX_BODY)) {
                fs_answer_too_large(&w->res);
                fs_conn_answer(w, c, &w->res, 0, 1);
                continue;
            }
            x->phase = FS_PHASE_BODY;
            if (x->framing.expect_continue && (x->framing.chunked || x->body_left) && x->in_len == x->head_len) {
                olock_buf_clear(&x->out);
                x->out_done = 0;
                if (olock_buf_append_str(&x->out, "HTTP/1.1 100 Continue\r\n\r\n") == OLOCK_OK) {
                    x->phase = FS_PHASE_WRITE;
                    x->after_write = FS_PHASE_BODY;
                    x->close_after = 0;
                }
            }
            continue;
        }
        if (x->phase == FS_PHASE_BODY) {
            const char *at = x->in + x->head_len;
            size_t avail = x->in_len - x->head_len, used;
            int whole;
            if (x->framing.chunked) {
                used = fs_chunks_feed(&x->chunks, at, avail, fs_body_take, &x->body);
                if (x->chunks.state == FS_CHUNKS_BAD) {
                    fs_answer_bad_chunk(&w->res);
                    fs_conn_answer(w, c, &w->res, 0, 1);
                    continue;
                }
                whole = x->chunks.state == FS_CHUNKS_DONE;
            } else {
                used = avail < x->body_left ? avail : (size_t)x->body_left;
                if (used) fs_body_take(&x->body, at, used);
                x->body_left -= used;
                whole = x->body_left == 0;
            }
            memmove(x->in + x->head_len, at + used, avail - used);
            x->in_len -= used;
            if (!whole) {
                /* a (chunked) body that keeps coming long after the limit: answer, stop reading */
                if (x->body.dropped > 2 * (uint64_t)FS_MAX_BODY) {
                    fs_answer_too_large(&w->res);
                    fs_conn_answer(w, c, &w->res, 0, 1);
                    continue;
                }
                return;
            }
            /* The request is whole. Its head is parsed again where it lies (the same bytes give
               the same fields); what follows it is the next request, if any. */
            fs_parse_head(x->in, x->head_len, &w->head, &refusal);
            fs_conn_set(&srv->conns, c, FS_CONN_BUSY);
            if (x->refused_after_body) {
                fs_conn_refuse(w, c, &x->refusal, &w->head);
                memmove(x->in, x->in + x->head_len, x->in_len - x->head_len);
                x->in_len -= x->head_len;
                x->head_len = 0;
                fs_body_free(&x->body);
                continue;
            }
            fs_dispatch(srv, w, &w->head, &x->body);
            memmove(x->in, x->in + x->head_len, x->in_len - x->head_len);
            x->in_len -= x->head_len;
            x->head_len = 0;
            fs_body_free(&x->body);
            if (w->res.status < 100) {   /* the fake lost the request or its answer */
                fs_conn_close(w, c);
                return;
            }
            fs_conn_answer(w, c, &w->res, w->res.status != 413, !x->framing.keep_alive);
            continue;
        }
        if (x->phase == FS_PHASE_WRITE) {
            int sent = fs_conn_flush(c);
            if (sent < 0) { fs_conn_close(w, c); return; }
            if (sent == 0) { fs_conn_watch(w, c); return; }
            if (x->close_after) {
                /* Closing with unread bytes would reset the connection and could destroy the
                   answer on its way; so the sending side is shut and what still comes is read
                   and dropped until the client closes, or for FS_LINGER_MS at most. */
                shutdown(c->fd, SHUT_WR);
                x->phase = FS_PHASE_LINGER;
                x->linger_until_ms = fs_now_ms() + FS_LINGER_MS;
                fs_conn_watch(w, c);
                return;
            }
            x->phase = x->after_write;
            x->after_write = FS_PHASE_HEAD;
            if (x->phase == FS_PHASE_HEAD) fs_conn_set(&srv->conns, c, x->in_len ? FS_CONN_READING : FS_CONN_IDLE);
            fs_conn_watch(w, c);
            continue;
        }
        return;   /* FS_PHASE_LINGER: only the deadline pass and the client's close end it */
    }
}

/* The connection's socket is ready. */
static void fs_conn_ready(fs_worker *w, fs_conn *c)
{
    fs_exchange *x = c->x;
    size_t room = FS_MAX_HEAD + FS_READ_SIZE - x->in_len;
    ssize_t n;
    if (x->phase == FS_PHASE_WRITE) {
        fs_conn_advance(w, c);
        return;
    }
    if (x->phase == FS_PHASE_LINGER) {
        char drop[4096];
        n = recv(c->fd, drop, sizeof(drop), 0);
        if (n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)) fs_conn_close(w, c);
        return;
    }
    if (room == 0) {   /* cannot happen: a head is refused before it fills the buffer */
        fs_conn_close(w, c);
        return;
    }
    n = recv(c->fd, x->in + x->in_len, room, 0);
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) return;
    if (n <= 0) {
        fs_conn_close(w, c);
        return;
    }
    c->active_ms = fs_now_ms();
    /* the first byte of a request on a kept-alive connection starts its deadline */
    if (x->phase == FS_PHASE_HEAD && x->in_len == 0) fs_conn_set(&w->srv->conns, c, FS_CONN_READING);
    x->in_len += (size_t)n;
    fs_conn_advance(w, c);
}

/* Closes this thread's connections that were shut to make room, have been silent for --timeout,
   have taken longer than --request-timeout over their request, or have lingered long enough. */
static void fs_worker_expire(fs_worker *w)
{
    fs_conns *cs = &w->srv->conns;
    uint64_t now = fs_now_ms();
    fs_conn *c, *next;
    pthread_mutex_lock(&cs->mu);
    for (c = w->own; c; c = c->own_next)
        c->doomed = c->shut || now - c->active_ms > w->srv->idle_ms ||
                    (c->state == FS_CONN_READING && now - c->since_ms > cs->request_ms) ||
                    (c->x->phase == FS_PHASE_LINGER && now > c->x->linger_until_ms);
    pthread_mutex_unlock(&cs->mu);
    for (c = w->own; c; c = next) {
        next = c->own_next;
        if (c->doomed) fs_conn_close(w, c);
    }
}

/* Accepts what the listen queue holds, while slots are free; with none free the listening
   socket is not watched (the deadline pass watches it again once one is). */
static void fs_worker_accept(fs_worker *w)
{
    fs_server *srv = w->srv;
    int k;
    for (k = 0; k < 64; k++) {
        fs_conn *c;
        fs_exchange *x;
        int fd, one = 1;
        pthread_mutex_lock(&srv->conns.mu);
        if (srv->conns.open >= srv->conns.limit) {
            pthread_mutex_unlock(&srv->conns.mu);
            fs_watch_remove(&w->watch, srv->listen_fd);
            w->listening = 0;
            return;
        }
        srv->conns.open++;   /* the slot is this thread's until the accept fails */
        pthread_mutex_unlock(&srv->conns.mu);
        fd = accept(srv->listen_fd, NULL, NULL);
        c = fd >= 0 ? (fs_conn *)calloc(1, sizeof(*c)) : NULL;
        x = c ? (fs_exchange *)calloc(1, sizeof(*x)) : NULL;
        if (x) x->in = (char *)malloc(FS_MAX_HEAD + FS_READ_SIZE);
        if (!x || !x->in || fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) != 0) {
            pthread_mutex_lock(&srv->conns.mu);
            srv->conns.open--;
            pthread_mutex_unlock(&srv->conns.mu);
            if (x) free(x->in);
            free(x);
            free(c);
            if (fd >= 0) close(fd);
            return;   /* nothing more to accept (or no memory for it now) */
        }
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
        olock_buf_init(&x->out, NULL);
        c->fd = fd;
        c->owner = w;
        c->x = x;
        c->active_ms = fs_now_ms();
        c->own_next = w->own;
        if (w->own) w->own->own_prev = c;
        w->own = c;
        fs_conns_add(&srv->conns, c);
        if (fs_watch_add(&w->watch, fd, c, 1, 0) != 0) fs_conn_close(w, c);
    }
}

static void *fs_worker_run(void *arg)
{
    fs_worker *w = (fs_worker *)arg;
    fs_ready ready[64];
    uint64_t next_pass = fs_now_ms() + FS_TICK_MS;
    int stop = 0;
    while (!stop) {
        int n = fs_watch_wait(&w->watch, ready, 64, FS_TICK_MS), i;
        for (i = 0; i < n; i++) {
            if (ready[i].tag == &w->tag_wake) stop = 1;
            else if (ready[i].tag == &w->tag_listen) fs_worker_accept(w);
            else fs_conn_ready(w, (fs_conn *)ready[i].tag);
        }
        if (fs_now_ms() >= next_pass) {
            fs_worker_expire(w);
            next_pass = fs_now_ms() + FS_TICK_MS;
        }
        if (!w->listening && fs_conns_have_room(&w->srv->conns) &&
            fs_watch_add(&w->watch, w->srv->listen_fd, &w->tag_listen, 1, 0) == 0)
            w->listening = 1;
    }
    while (w->own) fs_conn_close(w, w->own);
    return NULL;
}

/* ---- start, wait for a signal, stop ---------------------------------------------------------- */

#ifndef OLOCK_FAKESERVER_NO_MAIN
/* A listening socket on host:port (port 0: a free one, written back); -1 with errno. */
static int fs_listen(const char *host, unsigned *port)
{
    struct sockaddr_in a4;
    struct sockaddr_in6 a6;
    struct sockaddr_storage bound;
    socklen_t blen = sizeof(bound);
    const struct sockaddr *addr;
    socklen_t alen;
    int fd, one = 1, saved;
    memset(&a4, 0, sizeof(a4));
    memset(&a6, 0, sizeof(a6));
    if (inet_pton(AF_INET, host, &a4.sin_addr) == 1) {
        a4.sin_family = AF_INET;
        a4.sin_port = htons((uint16_t)*port);
        addr = (const struct sockaddr *)&a4;
        alen = sizeof(a4);
    } else {
        inet_pton(AF_INET6, host, &a6.sin6_addr);
        a6.sin6_family = AF_INET6;
        a6.sin6_port = htons((uint16_t)*port);
        addr = (const struct sockaddr *)&a6;
        alen = sizeof(a6);
    }
    if ((fd = socket(addr->sa_family, SOCK_STREAM, 0)) < 0) return -1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    if (bind(fd, addr, alen) != 0 || listen(fd, 1024) != 0 ||
        fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) != 0 ||
        getsockname(fd, (struct sockaddr *)&bound, &blen) != 0) {
        saved = errno;
        close(fd);
        errno = saved;
        return -1;
    }
    *port = bound.ss_family == AF_INET ? ntohs(((struct sockaddr_in *)&bound)->sin_port)
                                       : ntohs(((struct sockaddr_in6 *)&bound)->sin6_port);
    return fd;
}

int main(int argc, char **argv)
{
    fs_options opt;
    fs_server srv;
    fs_worker **workers;
    olock_fake *fake = NULL;
    struct in6_addr probe6;
    struct in_addr probe4;
    sigset_t stop;
    unsigned i, started = 0, port;
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
    if (inet_pton(AF_INET, opt.host, &probe4) != 1 && inet_pton(AF_INET6, opt.host, &probe6) != 1) {
        fprintf(stderr, "olock-fakeserver: --host wants a numeric IPv4 or IPv6 address, not %s\n", opt.host);
        return 2;
    }
    port = opt.port;
    memset(&srv, 0, sizeof(srv));
    if ((srv.listen_fd = fs_listen(opt.host, &port)) < 0) {
        fprintf(stderr, "olock-fakeserver: cannot listen on %s port %u: %s\n", opt.host, opt.port, strerror(errno));
        return 1;
    }
    if (olock_fake_create(NULL, &fake) != OLOCK_OK) {
        fprintf(stderr, "olock-fakeserver: out of memory\n");
        close(srv.listen_fd);
        return 1;
    }
    if (fs_configure_faults(fake, &opt) != 0) {
        olock_fake_destroy(fake);
        close(srv.listen_fd);
        return 2;
    }
    srv.transport = olock_fake_transport(fake);
    srv.fake = fake;
    pthread_mutex_init(&srv.clock_mu, NULL);
    srv.clock_ms = fs_now_ms();
    fs_ids_init(&srv.ids);
    pthread_mutex_init(&srv.conns.mu, NULL);
    srv.conns.request_ms = (uint64_t)opt.request_timeout_s * 1000u;
    srv.conns.limit = opt.max_connections;
    srv.idle_ms = (uint64_t)opt.timeout_s * 1000u;
    workers = (fs_worker **)calloc(opt.threads, sizeof(*workers));
    if (!workers || pipe(srv.wake) != 0) {
        fprintf(stderr, "olock-fakeserver: out of resources\n");
        return 1;
    }

    /* Every thread started from here on inherits the blocked signals; the main thread takes
       them with sigwait. */
    sigemptyset(&stop);
    sigaddset(&stop, SIGTERM);
    sigaddset(&stop, SIGINT);
    pthread_sigmask(SIG_BLOCK, &stop, NULL);
    signal(SIGPIPE, SIG_IGN);

    for (i = 0; i < opt.threads; i++) {
        fs_worker *w = (fs_worker *)calloc(1, sizeof(*w));
        if (!w || fs_watch_init(&w->watch) != 0) { free(w); break; }
        w->srv = &srv;
        olock_http_response_init(&w->res, NULL, 0);
        if (fs_watch_add(&w->watch, srv.wake[0], &w->tag_wake, 1, 0) != 0 ||
            fs_watch_add(&w->watch, srv.listen_fd, &w->tag_listen, 1, 0) != 0 ||
            pthread_create(&w->thread, NULL, fs_worker_run, w) != 0) {
            fs_watch_free(&w->watch);
            olock_http_response_free(&w->res);
            free(w);
            break;
        }
        w->listening = 1;
        workers[started++] = w;
    }
    if (started < opt.threads) {
        fprintf(stderr, "olock-fakeserver: cannot start %u threads\n", opt.threads);
        rc = 1;
    } else {
        if (strchr(opt.host, ':')) printf("listening on [%s]:%u\n", opt.host, port);
        else printf("listening on %s:%u\n", opt.host, port);
        fflush(stdout);
        do {
            if (sigwait(&stop, &sig) != 0) sig = 0;
        } while (sig != SIGTERM && sig != SIGINT);
        rc = 0;
    }

    /* one byte wakes every thread (none reads it); each closes its connections and ends */
    if (write(srv.wake[1], "x", 1) != 1) rc = 1;
    for (i = 0; i < started; i++) {
        pthread_join(workers[i]->thread, NULL);
        fs_watch_free(&workers[i]->watch);
        olock_http_response_free(&workers[i]->res);
        free(workers[i]);
    }
    free(workers);
    close(srv.wake[0]);
    close(srv.wake[1]);
    close(srv.listen_fd);
    pthread_mutex_destroy(&srv.ids.mu);
    pthread_mutex_destroy(&srv.conns.mu);
    pthread_mutex_destroy(&srv.clock_mu);
    olock_fake_destroy(fake);
    return rc;
}
#endif
