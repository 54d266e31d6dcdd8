/* olock_curl.h - v0.1.0 - libcurl HTTP transport for olock
   SPDX-License-Identifier: MIT

   Do this:
       #define OLOCK_CURL_IMPLEMENTATION
   before you include this file in *one* C or C++ file (the one that also defines
   OLOCK_IMPLEMENTATION, or any other) and link with -lcurl. Every other file includes it
   without the define; the declarations need neither curl headers nor libcurl.

QUICK START
       curl_global_init(CURL_GLOBAL_DEFAULT);         // once, at program start (see THREADS)

       olock_curl *http = NULL;
       olock_curl_create(NULL, &http);                // NULL: every default (see olock_curl_config)
       olock_config cfg = olock_config_default();
       cfg.transport = olock_curl_transport(http);    // the client owns `http` from here on
       // region and credentials: in cfg or AWS_* (olock_client_create says what is missing)
       olock_client *c = NULL;
       olock_client_create(&cfg, &c, NULL);
       ...
       olock_client_destroy(c);                       // also destroys `http`
       curl_global_cleanup();                         // once, at exit, if you like

   Ownership: olock_curl_transport() returns a transport whose destroy function destroys the
   olock_curl. Once handed to olock_client_create (which takes ownership even when it fails),
   never call olock_curl_destroy on it yourself. Call olock_curl_destroy only on a transport
   you never gave away.

WHAT IT DOES
   One CURL easy handle per olock_curl, kept for its whole life, so the TCP (and TLS)
   connection to DynamoDB stays open and is reused from one request to the next (HTTP/1.1
   keep-alive). Each send moves exactly the request the core built: its method, URL, headers
   and body (sent with an explicit length; no "Expect: 100-continue", no Content-Type or
   Accept of curl's own). The response status, headers and body go into the core's
   olock_http_response; its body.max caps the body (checked against Content-Length before the
   body arrives when there is one; past it the send fails with OLOCK_ERR_MAYBE_SENT).
   - HTTP/1.1 only; http:// and https:// URLs only; redirects are not followed.
   - TLS: peer and host verification are always on (there is no way to turn them off), TLS 1.2
     or later. ca_file / ca_path replace curl's default CA store.
   - Proxies: none unless olock_curl_config.proxy says so; the http_proxy/https_proxy/
     no_proxy environment variables are ignored (no hidden getenv).
   - Timeouts: connect_timeout_ms bounds DNS + TCP + TLS handshake; timeout_ms bounds the
     whole send, the transparent resend included.
   - verbose: curl's trace on stderr, with the values of Authorization,
     Proxy-Authorization and X-Amz-Security-Token replaced by [redacted] and bodies shown as
     byte counts only.

RESULTS OF SEND (the transport contract in olock.h)
   OLOCK_OK               a whole HTTP response arrived, whatever its status: its status line,
                          its header block up to the empty line that ends it, and its body up
                          to its Content-Length or the last chunk.
   OLOCK_ERR_NOT_SENT     no request was started on any connection: libcurl never reached the
                          point of writing the request (the PREREQFUNCTION hook never ran).
                          Typical curl codes: COULDNT_RESOLVE_HOST, COULDNT_RESOLVE_PROXY,
                          COULDNT_CONNECT, SSL_CONNECT_ERROR, PEER_FAILED_VERIFICATION,
                          SSL_CACERT_BADFILE, SSL_CERTPROBLEM, PROXY, URL_MALFORMAT,
                          OPERATION_TIMEDOUT while connecting or in the TLS handshake. Also out
                          of memory while building the request.
   OLOCK_ERR_MAYBE_SENT   every failure once a request was started: the server may have
                          applied it. olock_curl_last_error() names the cause:
                          - the connection closed, reset or timed out before a response or
                            inside one: "curl error N (...)" with libcurl's code, e.g.
                            GOT_NOTHING (closed before a whole status line), PARTIAL_FILE (a
                            body shorter than its Content-Length, a chunked body cut before its
                            last chunk), RECV_ERROR (reset), OPERATION_TIMEDOUT, SEND_ERROR,
                            WEIRD_SERVER_REPLY; and any code at all (COULDNT_CONNECT included)
                            when a request had already gone out on a connection that died
                            before libcurl reconnected;
                          - "connection closed inside the response headers": libcurl reports
                            success with an empty body when the close comes after the status
                            line and before it has seen a body length (libcurl 7.88: any cut
                            before the end of the Content-Length line), or inside a 1xx
                            response's headers;
                          - "connection closed after an interim (1xx) response";
                          - "...a response body of no stated length...": a response with
                            neither Content-Length nor chunked encoding (other than 204 and
                            304) ends where the connection closes, so a cut one looks whole;
                            no such response is taken as whole, even an uncut one (DynamoDB
                            always sends Content-Length);
                          - "response body larger than the N-byte limit" (res->body.max, the
                            client's max_response_bytes) or "response headers larger than the
                            response's header limit" (the core's cap);
                          - "storing the response failed: out of memory";
                          - "malformed response header (NUL byte)";
                          - "the response had no HTTP status line".
   OLOCK_ERR_INVALID_ARG  a NULL argument, a URL that is not http(s)://, a method or header
                          that is not a valid HTTP token / contains CR or LF. Nothing was sent.
   OLOCK_ERR_UNSUPPORTED  the HEAD method (nothing was sent).
   Why the split is "was a request started" rather than a fixed list of curl codes: the same
   code means different things at different moments (OPERATION_TIMEDOUT in the TLS handshake
   is harmless, after the request it is not; libcurl may have resent on a fresh connection and
   then failed to connect). SEND_ERROR stays MAYBE_SENT although a failed write usually means
   the request was incomplete: libcurl also reports SEND_ERROR after giving up its own resends
   of a request that had been written in full.
   After any failure, olock_curl_last_error() says what happened and olock_curl_last_code()
   gives libcurl's code (0 when libcurl saw no error); res holds whatever arrived. A server that
   closes after less than a whole status line on a reused connection cannot be told from one
   that closed the idle connection before the request (see TRANSPARENT RESEND): the request is
   resent once, and the answer stays MAYBE_SENT if the resend fails too.

TRANSPARENT RESEND
   A server may close a keep-alive connection while it is idle (dynalite and node close one
   after 5 s, load balancers after minutes). libcurl checks an idle connection before reusing
   it, but the close can cross our request on the wire: the request then meets a dead socket
   and fails with GOT_NOTHING, RECV_ERROR or SEND_ERROR with not one response byte. In that
   case, and only when the request went out on a reused connection (no new connection was
   made), the request is sent once more on a fresh connection, within what is left of
   timeout_ms. libcurl before 8.16 does the same by itself with the same test; that counts as
   the one resend and olock adds none (from 8.16 libcurl's is switched off and ours is the
   only one). Versioned writes stay safe even if the first copy had in fact been applied: the
   copy fails its version condition instead of applying twice. olock__curl_should_resend has
   the full argument. olock_curl_get_stats counts resends.

THREADS
   One olock_curl is used by one thread at a time (the olock_client that owns it); distinct
   ones may be used from distinct threads. CURLOPT_NOSIGNAL is set, so libcurl raises no
   signals (with a libcurl built with the threaded or c-ares resolver, as distributions do,
   DNS timeouts still work). curl_global_init is the application's job: call it once before
   creating transports on several threads (libcurl >= 7.84 also makes the implicit call from
   curl_easy_init thread-safe). Where the OS has neither MSG_NOSIGNAL nor SO_NOSIGPIPE, ignore
   SIGPIPE in the application, as for any libcurl program with NOSIGNAL.

MEMORY
   olock_curl_config.allocator (or OLOCK_MALLOC/OLOCK_FREE, or malloc) allocates the
   olock_curl, its buffer of request header lines and the array of their curl_slist nodes
   (both kept and reused: no allocation per request once they are large enough), and an
   olock_curl_multi's slots and handles; the response is the core's and uses its allocator.
   The header lines hold the request's signature (Authorization) and session token
   (X-Amz-Security-Token): they are wiped after each send, and their buffer is wiped before it
   is freed or replaced by a larger one (it never grows by realloc). libcurl's own copy of the
   request (its send buffer) is libcurl's memory, not wiped by olock; its allocations go
   through curl_global_init_mem if the application set it (a free function there can wipe).

CURL-MULTI DRIVER (many operations at once, from one thread, without blocking)
   olock_curl_multi runs olock_tasks (olock.h, "Non-blocking driving") over one CURLM:

       olock_curl_multi *m = NULL;
       olock_curl_multi_create(client, NULL, &m);     // NULL: olock_curl_config defaults
       for (i = 0; i < n; i++) {
           olock_task_begin_update(task[i], "players", key[i], add_gold, &amount);
           olock_curl_multi_add(m, task[i], &slot[i]); // any user pointer, given back when done
       }
       olock_curl_multi_run(m);                       // or: perform(m, ms) in your own loop
       while ((t = olock_curl_multi_next_done(m, &user)) != NULL)
           rc = olock_task_result(t, &res, &err);     // olock_curl_multi_last_error(m): curl's words
       olock_curl_multi_destroy(m);

   What it does: olock_curl_multi_perform polls every task with the clock of the client given
   to create (olock_client_now_ms). A task that asks to SEND gets an easy handle (an
   olock_curl of the multi's config, taken from a pool, created when none is idle: one per
   request in flight, reused) added to the CURLM; its response goes into olock_task_response
   and olock_task_complete gets the same result, by the same code, as the blocking send above
   (NOT_SENT / MAYBE_SENT split, transparent resend, caps; see RESULTS OF SEND). A task that
   asks to WAIT (backoff) is polled again once its wait is over; meanwhile perform sleeps in
   curl_multi_poll for the shortest of: its timeout, the first wait to end and libcurl's own
   timers, so there is no busy loop. Connections live in the CURLM's cache and are shared by
   the handles (keep-alive across tasks). A finished task leaves the multi and is queued for
   olock_curl_multi_next_done (first finished, first out).
   - perform(m, timeout_ms) returns as soon as a task finished, when no task is left, or
     after timeout_ms; 0 does what is ready now and never sleeps. run(m) performs until no
     task is left (the finished ones wait in the queue).
   - Your own event loop (epoll, libuv, a game loop): call olock_curl_multi_perform(m, 0)
     whenever a socket of olock_curl_multi_handle(m) (the CURLM *) is ready or
     olock_curl_multi_timeout(m) ms have passed. Get the sockets with curl_multi_fdset or
     curl_multi_wait / curl_multi_waitfds on that CURLM: only these read-only calls; never add,
     remove or perform handles on it, nor set its options (no CURLMOPT_SOCKETFUNCTION).
   Ownership: the multi owns its CURLM and easy handles, never the tasks nor the client. A task
   is in at most one multi at a time, from add until next_done hands it back or remove takes it
   out; meanwhile only the multi drives it (no poll/complete/begin of yours). Remove (or
   destroy the multi) before destroying a task; destroy tasks and multi before their client.
   remove and destroy stop a transfer under way and tell its task NOT_SENT or MAYBE_SENT as
   appropriate, so the task can be destroyed, or driven further elsewhere.
   Clocks: the client's clock times every task's waits; tasks of other clients may be added
   when their clocks agree with it (the default monotonic clock always does). Its milliseconds
   must pass in real time (perform sleeps them).
   Threads: a multi, its tasks and their client are used by one thread at a time (the engine
   updates the client's retry quota and cache from the tasks). Distinct multis with distinct
   clients may run on distinct threads.
   Needs libcurl 7.66.0 or later (curl_multi_poll); with an older one create answers
   OLOCK_ERR_UNSUPPORTED.

NEEDS libcurl 7.61.0 or later; 7.80.0 or later for the exact NOT_SENT / MAYBE_SENT split
   (CURLOPT_PREREQFUNCTION). Older versions fall back to CURLINFO counters.
*/
#ifndef OLOCK_CURL_H_INCLUDED
#define OLOCK_CURL_H_INCLUDED

#ifndef OLOCK_H_INCLUDED
#  include "olock.h"
#endif

#ifndef OLOCK_CURL_API
#  define OLOCK_CURL_API OLOCK_API
#endif

#ifdef __cplusplus
extern "C" {
#endif

/* Settings of one transport; 0 / NULL in any field means its default. */
typedef struct olock_curl_config {
    unsigned connect_timeout_ms;   /* 3000: DNS + TCP connect + TLS handshake */
    unsigned timeout_ms;           /* 10000: one whole send, a transparent resend included.
                                      DynamoDB answers in milliseconds; past this the
                                      connection is stuck and the engine's retry does better */
    const char *ca_file;           /* PEM bundle (CURLOPT_CAINFO); NULL: curl's default store */
    const char *ca_path;           /* directory of hashed certificates (CURLOPT_CAPATH) */
    const char *proxy;             /* proxy URL (CURLOPT_PROXY); NULL: no proxy, environment ignored */
    int verbose;                   /* 1: trace to stderr, secrets redacted */
    olock_allocator allocator;     /* malloc_fn NULL: OLOCK_MALLOC / malloc */
} olock_curl_config;

/* Counters since olock_curl_create; for tests, benchmarks and monitoring. */
typedef struct olock_curl_stats {
    uint64_t sends;                /* calls of the transport's send */
    uint64_t requests;             /* requests started on a connection, resends included */
    uint64_t connections;          /* new connections opened */
    uint64_t resends;              /* transparent resends after a reused connection died */
} olock_curl_stats;

typedef struct olock_curl olock_curl;

/* A config with every default filled in. */
OLOCK_CURL_API olock_curl_config olock_curl_config_default(void);

/* Creates a transport with its own CURL easy handle. cfg may be NULL (all defaults); its
   strings are copied by libcurl, so they need not outlive the call. *out is written only on
   success. NOMEM when curl_easy_init or an allocation fails; UNSUPPORTED when this libcurl
   cannot honour ca_file, ca_path or proxy; INVALID_ARG when out is NULL. */
OLOCK_CURL_API olock_result olock_curl_create(const olock_curl_config *cfg, olock_curl **out);

/* Frees the transport and closes its connection. NULL is a no-op. Not for a transport
   handed to a client (the client destroys it). */
OLOCK_CURL_API void olock_curl_destroy(olock_curl *t);

/* The olock_transport for olock_config.transport: user = t, send, destroy (= olock_curl_destroy),
   kind OLOCK_TRANSPORT_NETWORK (olock_client_create then requires a region and credentials) and
   last_error, which puts last_error's cause (curl's reason, host and port) into the
   olock_error of a failed call. Whoever receives it owns t. */
OLOCK_CURL_API olock_transport olock_curl_transport(olock_curl *t);

/* Text about the last send's failure ("" after a success, never NULL): whether the request
   may have been sent, and the cause: the curl error code, its name and libcurl's message, or
   what olock found wrong with a response libcurl accepted (see RESULTS OF SEND). Valid until
   the next send or destroy. Never contains a header value. */
OLOCK_CURL_API const char *olock_curl_last_error(const olock_curl *t);

/* The CURLcode of the last send's final transfer (0 = CURLE_OK, also before any send, and
   when libcurl ended without error but olock found the response cut: see last_error). */
OLOCK_CURL_API int olock_curl_last_code(const olock_curl *t);

/* Copies the counters to *out. */
OLOCK_CURL_API void olock_curl_get_stats(const olock_curl *t, olock_curl_stats *out);

/* --- curl-multi driver (see CURL-MULTI DRIVER above) ---------------------------------------- */

typedef struct olock_curl_multi olock_curl_multi;

/* Creates a driver. c: the client whose clock times the tasks' waits (not owned; it must
   outlive the multi). cfg: the settings of every easy handle (NULL: defaults; its strings are
   copied). *out is written only on success. INVALID_ARG (c or out NULL, a bad allocator),
   NOMEM, UNSUPPORTED (cfg cannot be honoured, or libcurl older than 7.66.0). */
OLOCK_CURL_API olock_result olock_curl_multi_create(olock_client *c, const olock_curl_config *cfg,
                                                    olock_curl_multi **out);

/* Stops every transfer (see remove), frees the handles and the CURLM. Tasks are not destroyed;
   finished ones not yet collected are simply forgotten. NULL is a no-op. */
OLOCK_CURL_API void olock_curl_multi_destroy(olock_curl_multi *m);

/* Adds a task whose operation was begun (olock_task_begin_*); user (may be NULL) comes back
   from next_done. Nothing is sent before the next perform. A task that is not running comes
   back from next_done at the next perform. INVALID_ARG when m or task is NULL; NOMEM. */
OLOCK_CURL_API olock_result olock_curl_multi_add(olock_curl_multi *m, olock_task *task, void *user);

/* Takes a task out before it finished (or out of the queue of finished ones). A transfer under
   way is stopped and the task told OLOCK_ERR_MAYBE_SENT (NOT_SENT when no request had been
   started), so it is consistent again: destroy it, or drive it to its end elsewhere (the
   engine then settles the unknown outcome). NOT_FOUND when the task is not in m. */
OLOCK_CURL_API olock_result olock_curl_multi_remove(olock_curl_multi *m, olock_task *task);

/* Drives every task: does all the work that is ready, then sleeps until the network, a
   backoff or timeout_ms says there is more; returns once a task finished, no task is left or
   timeout_ms passed (0: never sleeps). OK, or NOMEM / UNSUPPORTED when libcurl's multi
   interface itself failed (olock_curl_multi_last_error says how; the tasks stay in). */
OLOCK_CURL_API olock_result olock_curl_multi_perform(olock_curl_multi *m, unsigned timeout_ms);

/* Performs until no task is left in m (finished tasks wait for next_done). */
OLOCK_CURL_API olock_result olock_curl_multi_run(olock_curl_multi *m);

/* The next finished task, which leaves the multi, or NULL when none is waiting. *user (user
   may be NULL) gets the pointer given to add. olock_task_result(task, ...) has the outcome. */
OLOCK_CURL_API olock_task *olock_curl_multi_next_done(olock_curl_multi *m, void **user);

/* For the task last returned by next_done: text about the failure of its last send, as
   olock_curl_last_error gives it ("" when that send got a response); after a failed perform:
   why. Never NULL, never a header value; valid until the next call on m. */
OLOCK_CURL_API const char *olock_curl_multi_last_error(const olock_curl_multi *m);

/* Tasks added and not finished (sending, waiting or to be polled). */
OLOCK_CURL_API size_t olock_curl_multi_active(const olock_curl_multi *m);

/* For an external event loop: milliseconds until perform has work to do without a socket
   event (0: now); -1: none, wait for socket activity only (always when no task is active). */
OLOCK_CURL_API long olock_curl_multi_timeout(olock_curl_multi *m);

/* The CURLM * (as void *, so that this header needs no curl headers), for curl_multi_fdset /
   curl_multi_wait in an external event loop; see above for what may be done with it. */
OLOCK_CURL_API void *olock_curl_multi_handle(olock_curl_multi *m);

/* The counters of the sends that ended, summed over the multi's handles. */
OLOCK_CURL_API void olock_curl_multi_get_stats(const olock_curl_multi *m, olock_curl_stats *out);

#ifdef __cplusplus
}
#endif
#endif /* OLOCK_CURL_H_INCLUDED */

/* ============================================================================================
   Implementation
   ========================================================================================== */
#if defined(OLOCK_CURL_IMPLEMENTATION) && !defined(OLOCK_CURL_IMPLEMENTATION_INCLUDED)
#define OLOCK_CURL_IMPLEMENTATION_INCLUDED

#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#if LIBCURL_VERSION_NUM < 0x073D00
#  error "olock_curl.h needs libcurl 7.61.0 or later"
#endif
/* OLOCK_CURL__NO_PREREQ is for olock's own tests: it forces the pre-7.80 fallback. */
#if LIBCURL_VERSION_NUM >= 0x075000 && !defined(OLOCK_CURL__NO_PREREQ)
#  define OLOCK__CURL_HAS_PREREQ 1
#else
#  define OLOCK__CURL_HAS_PREREQ 0
#endif

/* The curl-multi driver needs curl_multi_poll (7.66.0). OLOCK_CURL__NO_MULTI is for olock's
   own compile checks of the fallback. */
#if LIBCURL_VERSION_NUM >= 0x074200 && !defined(OLOCK_CURL__NO_MULTI)
#  define OLOCK__CURL_HAS_MULTI 1
#else
#  define OLOCK__CURL_HAS_MULTI 0
#endif

#define OLOCK__CURL_DEFAULT_CONNECT_MS 3000u
#define OLOCK__CURL_DEFAULT_TIMEOUT_MS 10000u

/* --- the transport object ------------------------------------------------------------------ */

struct olock_curl {
    CURL *easy;
    olock_allocator alloc;         /* copy of the config's; malloc_fn NULL: default */
    long connect_timeout_ms;
    long timeout_ms;
    olock_buf line;                /* the request's header lines, each NUL-terminated */
    struct curl_slist *nodes;      /* ... linked for CURLOPT_HTTPHEADER (ours, not curl's) */
    size_t nodes_cap;
    olock_curl_stats stats;
    int last_code;
    /* state of the transfer in progress */
    olock_http_response *res;
    olock_result cb_result;        /* why a callback stopped the transfer, else OLOCK_OK */
    int cb_in_headers;             /* ... and whether it was while storing a header */
    int head_ended;                /* the header block of the final (non-1xx) response ended */
    int framed;                    /* ... and it had a Content-Length or chunked encoding */
    size_t received;               /* response bytes (header lines + body) of this attempt */
    unsigned started;              /* requests begun in this attempt (PREREQFUNCTION calls) */
    struct curl_slist *headers;    /* the request's header list (t->nodes) while it is sent */
    int resending;                 /* the transfer under way is the transparent resend */
    int first_code;                /* ... and what the first transfer failed with */
    char first_error[CURL_ERROR_SIZE];
    void *multi_slot;              /* olock_curl_multi: the task slot this handle carries */
    olock_curl *pool_next;         /* olock_curl_multi: next idle handle */
    char errbuf[CURL_ERROR_SIZE];
    char last_error[CURL_ERROR_SIZE + 256];
};

static void *olock__curl_malloc(const olock_allocator *a, size_t size) {
    if (a->malloc_fn) return a->malloc_fn(a->ctx, size);
#ifdef OLOCK_MALLOC
    return OLOCK_MALLOC(NULL, size);
#else
    return malloc(size);
#endif
}

static void olock__curl_free(const olock_allocator *a, void *p, size_t size) {
    if (!p) return;
    if (a->malloc_fn) {
        a->free_fn(a->ctx, p, size);
        return;
    }
    (void)size;
#ifdef OLOCK_FREE
    OLOCK_FREE(NULL, p);
#else
    free(p);
#endif
}

static int olock__curl_lower(int c) { return (c >= 'A' && c <= 'Z') ? c + ('a' - 'A') : c; }

static int olock__curl_ieq(const char *a, size_t alen, const char *b) {
    size_t i;
    for (i = 0; i < alen; i++) {
        if (b[i] == '\0' || olock__curl_lower((unsigned char)a[i]) != olock__curl_lower((unsigned char)b[i])) return 0;
    }
    return b[alen] == '\0';
}

static int olock__curl_iprefix(const char *s, const char *prefix) {
    size_t i;
    for (i = 0; prefix[i]; i++) {
        if (olock__curl_lower((unsigned char)s[i]) != prefix[i]) return 0;
    }
    return 1;
}

/* Zeroes memory that held request header lines (Authorization with its signature,
   X-Amz-Security-Token) before it is reused, reallocated or freed. olock.h's wipe helper is
   private to the core's implementation, which may be in another translation unit, hence this
   local one; the stores go through a volatile pointer so the compiler cannot drop them as dead
   stores to memory about to be freed. */
static void olock__curl_wipe(void *p, size_t n) {
    volatile unsigned char *v = (volatile unsigned char *)p;
    while (n--) *v++ = 0;
}

/* Forgets the request header lines: wiped, length 0, memory kept for the next request. */
static void olock__curl_wipe_lines(olock_curl *t) {
    if (t->line.data) olock__curl_wipe(t->line.data, t->line.len + 1);
    t->line.len = 0;
}

static void olock__curl_set_error(olock_curl *t, const char *msg) {
    size_t n = strlen(msg);
    if (n >= sizeof t->last_error) n = sizeof t->last_error - 1;
    memcpy(t->last_error, msg, n);
    t->last_error[n] = '\0';
}

/* A last_error without its "request not sent: " or "request may have been sent: " opening,
   which the core words itself from the send's result. */
static const char *olock__curl_without_opening(const char *s) {
    static const char *const openings[] = { "request not sent: ", "request may have been sent: " };
    size_t i, n;
    for (i = 0; i < sizeof openings / sizeof openings[0]; i++) {
        n = strlen(openings[i]);
        if (strncmp(s, openings[i], n) == 0) return s + n;
    }
    return s;
}

/* --- request validation --------------------------------------------------------------------- */

/* RFC 9110 token characters (method and header names). */
static int olock__curl_is_tchar(unsigned char c) {
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return 1;
    return c != '\0' && strchr("!#$%&'*+-.^_`|~", c) != NULL;
}

static int olock__curl_is_token(const char *s) {
    if (!s || !*s) return 0;
    for (; *s; s++) {
        if (!olock__curl_is_tchar((unsigned char)*s)) return 0;
    }
    return 1;
}

/* Field values: visible characters, SP, HTAB and obs-text; never CR, LF or other controls. */
static int olock__curl_is_field_value(const char *s) {
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if ((c < 0x20 && c != '\t') || c == 0x7f) return 0;
    }
    return 1;
}

/* --- callbacks ------------------------------------------------------------------------------ */

static void olock__curl_parse_status(olock_curl *t, const char *line, size_t len) {
    /* "HTTP/1.1 200 OK", "HTTP/2 200": the version, one or more spaces, three digits. */
    size_t i = 5;
    int status;
    while (i < len && line[i] != ' ') i++;
    while (i < len && line[i] == ' ') i++;
    if (i + 3 > len) return;
    if (line[i] < '1' || line[i] > '9' || line[i + 1] < '0' || line[i + 1] > '9' ||
        line[i + 2] < '0' || line[i + 2] > '9') return;
    if (i + 3 < len && line[i + 3] != ' ') return;
    status = (line[i] - '0') * 100 + (line[i + 1] - '0') * 10 + (line[i + 2] - '0');
    t->res->status = status;
}

/* Transfer-Encoding whose last coding is chunked: the body's end is marked in the stream. */
static int olock__curl_chunked(const char *v, size_t len) {
    size_t b = len;
    while (b > 0 && v[b - 1] != ',') b--;
    while (b < len && (v[b] == ' ' || v[b] == '\t')) b++;
    return olock__curl_ieq(v + b, len - b, "chunked");
}

/* Content-Length larger than the cap: stop before the body arrives. */
static int olock__curl_over_cap(const olock_curl *t, const char *v, size_t len) {
    size_t max = t->res->body.max, n = 0, i;
    if (max == 0 || t->res->status < 200 || len == 0) return 0;
    for (i = 0; i < len; i++) {
        if (v[i] < '0' || v[i] > '9') return 0;        /* malformed: curl will judge it */
        if (n > (max - (size_t)(v[i] - '0')) / 10) return 1;
        n = n * 10 + (size_t)(v[i] - '0');
    }
    return n > max;
}

static size_t olock__curl_on_header(char *data, size_t size, size_t nitems, void *user) {
    olock_curl *t = (olock_curl *)user;
    size_t n = size * nitems, len = n, name_len, vb, ve;
    const char *colon;
    olock_result r;

    if (t->cb_result != OLOCK_OK) return 0;
    t->received += n;
    while (len > 0 && (data[len - 1] == '\n' || data[len - 1] == '\r')) len--;
    if (len == 0) {
        /* The empty line ends a header block. A 1xx response's block ends too, and another
           response follows it: only the end of the final response's block counts. */
        if (t->res->status < 100 || t->res->status > 199) t->head_ended = 1;
        return n;
    }
    if (len >= 5 && memcmp(data, "HTTP/", 5) == 0) {
        /* A status line (no header name contains '/'): a new response begins, after a 1xx
           one. Only the final one is kept. */
        olock_http_response_reset(t->res);
        t->head_ended = 0;
        t->framed = 0;
        olock__curl_parse_status(t, data, len);
        return n;
    }
    /* Obsolete line folding (RFC 9112 5.2) cannot be appended to the previous header through
       the core's API; DynamoDB never sends it, so the continuation is ignored. */
    if (data[0] == ' ' || data[0] == '\t') return n;
    colon = (const char *)memchr(data, ':', len);
    if (!colon || colon == data) return n;
    name_len = (size_t)(colon - data);
    vb = name_len + 1;
    ve = len;
    while (vb < ve && (data[vb] == ' ' || data[vb] == '\t')) vb++;
    while (ve > vb && (data[ve - 1] == ' ' || data[ve - 1] == '\t')) ve--;
    r = olock_http_response_add_header(t->res, data, name_len, data + vb, ve - vb);
    if (r != OLOCK_OK) {
        /* LIMIT: the core's cap on header bytes; INVALID_ARG: a NUL byte in the line. */
        t->cb_result = (r == OLOCK_ERR_INVALID_ARG) ? OLOCK_ERR_RESPONSE : r;
        t->cb_in_headers = 1;
        return 0;
    }
    if (olock__curl_ieq(data, name_len, "content-length")) {
        t->framed = 1;
        if (olock__curl_over_cap(t, data + vb, ve - vb)) {
            t->cb_result = OLOCK_ERR_LIMIT;
            return 0;
        }
    } else if (olock__curl_ieq(data, name_len, "transfer-encoding") && olock__curl_chunked(data + vb, ve - vb)) {
        t->framed = 1;
    }
    return n;
}

static size_t olock__curl_on_body(char *data, size_t size, size_t nmemb, void *user) {
    olock_curl *t = (olock_curl *)user;
    size_t n = size * nmemb;
    olock_result r;
    if (t->cb_result != OLOCK_OK) return 0;
    t->received += n;
    r = olock_http_response_append(t->res, data, n);
    if (r != OLOCK_OK) {
        t->cb_result = r;
        return 0;                                      /* curl aborts with CURLE_WRITE_ERROR */
    }
    return n;
}

#if OLOCK__CURL_HAS_PREREQ
/* Runs once per request libcurl is about to write on a connected (new or reused) socket, and
   before any byte of it is written: our proof that a request was, or was not, started. */
static int olock__curl_on_prereq(void *user, char *primary_ip, char *local_ip, int primary_port, int local_port) {
    olock_curl *t = (olock_curl *)user;
    (void)primary_ip; (void)local_ip; (void)primary_port; (void)local_port;
    t->started++;
    return CURL_PREREQFUNC_OK;
}
#endif

static void olock__curl_trace_lines(const char *prefix, const char *data, size_t size, int redact) {
    size_t i = 0;
    while (i < size) {
        size_t end = i, len;
        while (end < size && data[end] != '\n') end++;
        len = end - i;
        if (len > 0 && data[i + len - 1] == '\r') len--;
        if (len > 0) {
            const char *colon = redact ? (const char *)memchr(data + i, ':', len) : NULL;
            size_t nlen = colon ? (size_t)(colon - (data + i)) : 0;
            if (colon && (olock__curl_ieq(data + i, nlen, "authorization") ||
                          olock__curl_ieq(data + i, nlen, "proxy-authorization") ||
                          olock__curl_ieq(data + i, nlen, "x-amz-security-token"))) {
                fprintf(stderr, "%s%.*s: [redacted]\n", prefix, (int)nlen, data + i);
            } else {
                fprintf(stderr, "%s%.*s\n", prefix, (int)len, data + i);
            }
        }
        i = end + 1;
    }
}

static int olock__curl_on_debug(CURL *easy, curl_infotype type, char *data, size_t size, void *user) {
    (void)easy; (void)user;
    switch (type) {
    case CURLINFO_TEXT: olock__curl_trace_lines("* ", data, size, 0); break;
    case CURLINFO_HEADER_IN: olock__curl_trace_lines("< ", data, size, 0); break;
    case CURLINFO_HEADER_OUT: olock__curl_trace_lines("> ", data, size, 1); break;
    case CURLINFO_DATA_IN: fprintf(stderr, "< [%lu body bytes]\n", (unsigned long)size); break;
    case CURLINFO_DATA_OUT: fprintf(stderr, "> [%lu body bytes]\n", (unsigned long)size); break;
    default: break;                                    /* TLS records: nothing readable */
    }
    return 0;
}

/* --- create / destroy ----------------------------------------------------------------------- */

OLOCK_CURL_API olock_curl_config olock_curl_config_default(void) {
    olock_curl_config c;
    memset(&c, 0, sizeof c);
    c.connect_timeout_ms = OLOCK__CURL_DEFAULT_CONNECT_MS;
    c.timeout_ms = OLOCK__CURL_DEFAULT_TIMEOUT_MS;
    return c;
}

OLOCK_CURL_API void olock_curl_destroy(olock_curl *t) {
    olock_allocator a;
    if (!t) return;
    if (t->easy) curl_easy_cleanup(t->easy);
    if (t->line.data) olock__curl_wipe(t->line.data, t->line.cap);
    olock_buf_free(&t->line);
    olock__curl_free(&t->alloc, t->nodes, t->nodes_cap * sizeof *t->nodes);
    a = t->alloc;
    olock__curl_free(&a, t, sizeof *t);
}

static void olock__curl_transport_destroy(void *user) { olock_curl_destroy((olock_curl *)user); }

OLOCK_CURL_API olock_result olock_curl_create(const olock_curl_config *cfg_in, olock_curl **out) {
    olock_curl_config cfg = cfg_in ? *cfg_in : olock_curl_config_default();
    olock_curl *t;
    CURL *e;
    CURLcode bad = CURLE_OK;
    olock_result r = OLOCK_OK;

    if (!out) return OLOCK_ERR_INVALID_ARG;
    if (cfg.allocator.malloc_fn && (!cfg.allocator.realloc_fn || !cfg.allocator.free_fn)) return OLOCK_ERR_INVALID_ARG;
    t = (olock_curl *)olock__curl_malloc(&cfg.allocator, sizeof *t);
    if (!t) return OLOCK_ERR_NOMEM;
    memset(t, 0, sizeof *t);
    t->alloc = cfg.allocator;
    olock_buf_init(&t->line, t->alloc.malloc_fn ? &t->alloc : NULL);
    t->connect_timeout_ms = (long)(cfg.connect_timeout_ms ? cfg.connect_timeout_ms : OLOCK__CURL_DEFAULT_CONNECT_MS);
    t->timeout_ms = (long)(cfg.timeout_ms ? cfg.timeout_ms : OLOCK__CURL_DEFAULT_TIMEOUT_MS);
    t->easy = e = curl_easy_init();
    if (!e) {
        olock_curl_destroy(t);
        return OLOCK_ERR_NOMEM;
    }

    /* Settings libcurl always accepts (a failure here means it is unusable). */
#define OLOCK__CURL_SET(opt, val) do { CURLcode c_ = curl_easy_setopt(e, opt, val); if (c_ != CURLE_OK && bad == CURLE_OK) bad = c_; } while (0)
    OLOCK__CURL_SET(CURLOPT_NOSIGNAL, 1L);
    OLOCK__CURL_SET(CURLOPT_ERRORBUFFER, t->errbuf);
    OLOCK__CURL_SET(CURLOPT_WRITEFUNCTION, olock__curl_on_body);
    OLOCK__CURL_SET(CURLOPT_WRITEDATA, (void *)t);
    OLOCK__CURL_SET(CURLOPT_HEADERFUNCTION, olock__curl_on_header);
    OLOCK__CURL_SET(CURLOPT_HEADERDATA, (void *)t);
#if OLOCK__CURL_HAS_PREREQ
    OLOCK__CURL_SET(CURLOPT_PREREQFUNCTION, olock__curl_on_prereq);
    OLOCK__CURL_SET(CURLOPT_PREREQDATA, (void *)t);
#endif
#if LIBCURL_VERSION_NUM >= 0x081000
    /* 8.16+: we make the one resend ourselves, under our own rule (see TRANSPARENT RESEND). */
    OLOCK__CURL_SET(CURLOPT_FORBID_RETRY_ON_REUSE, 1L);
#endif
#if LIBCURL_VERSION_NUM >= 0x075500
    OLOCK__CURL_SET(CURLOPT_PROTOCOLS_STR, "http,https");
#else
    OLOCK__CURL_SET(CURLOPT_PROTOCOLS, (long)(CURLPROTO_HTTP | CURLPROTO_HTTPS));
#endif
    OLOCK__CURL_SET(CURLOPT_FOLLOWLOCATION, 0L);
    /* HTTP/1.1: what DynamoDB endpoints speak, and the protocol the resend rule reasons about. */
    OLOCK__CURL_SET(CURLOPT_HTTP_VERSION, (long)CURL_HTTP_VERSION_1_1);
    OLOCK__CURL_SET(CURLOPT_TCP_KEEPALIVE, 1L);
    OLOCK__CURL_SET(CURLOPT_CONNECTTIMEOUT_MS, t->connect_timeout_ms);
    OLOCK__CURL_SET(CURLOPT_TIMEOUT_MS, t->timeout_ms);
    OLOCK__CURL_SET(CURLOPT_PROXY, cfg.proxy ? cfg.proxy : "");   /* "": no proxy, not even from the environment */
    OLOCK__CURL_SET(CURLOPT_SUPPRESS_CONNECT_HEADERS, 1L);
    if (cfg.verbose) {
        OLOCK__CURL_SET(CURLOPT_DEBUGFUNCTION, olock__curl_on_debug);
        OLOCK__CURL_SET(CURLOPT_VERBOSE, 1L);
    }
    if (bad != CURLE_OK) r = (bad == CURLE_OUT_OF_MEMORY) ? OLOCK_ERR_NOMEM : OLOCK_ERR_UNSUPPORTED;

    /* TLS. These are libcurl's defaults already; setting them says so in the code and guards
       against a build with other defaults. A libcurl without TLS may refuse them: https URLs
       then fail at send time with NOT_SENT, which is the honest answer. */
    (void)curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, 1L);
    (void)curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, 2L);
    (void)curl_easy_setopt(e, CURLOPT_PROXY_SSL_VERIFYPEER, 1L);
    (void)curl_easy_setopt(e, CURLOPT_PROXY_SSL_VERIFYHOST, 2L);
    (void)curl_easy_setopt(e, CURLOPT_SSLVERSION, (long)CURL_SSLVERSION_TLSv1_2);
    bad = CURLE_OK;
    if (cfg.ca_file) {
        OLOCK__CURL_SET(CURLOPT_CAINFO, cfg.ca_file);
        OLOCK__CURL_SET(CURLOPT_PROXY_CAINFO, cfg.ca_file);
    }
    if (cfg.ca_path) {
        OLOCK__CURL_SET(CURLOPT_CAPATH, cfg.ca_path);
        OLOCK__CURL_SET(CURLOPT_PROXY_CAPATH, cfg.ca_path);
    }
#undef OLOCK__CURL_SET
    if (bad != CURLE_OK && r == OLOCK_OK) r = (bad == CURLE_OUT_OF_MEMORY) ? OLOCK_ERR_NOMEM : OLOCK_ERR_UNSUPPORTED;
    if (r != OLOCK_OK) {
        olock_curl_destroy(t);
        return r;
    }
    *out = t;
    return OLOCK_OK;
}

/* --- sending -------------------------------------------------------------------------------- */

/* What one curl_easy_perform did. */
typedef struct olock__curl_attempt {
    CURLcode code;
    olock_result cb_result;
    int cb_in_headers;
    unsigned started;              /* requests begun (see olock__curl_on_prereq) */
    long connects;                 /* new connections made */
    size_t received;               /* response bytes */
    curl_off_t elapsed_us;
} olock__curl_attempt;

#if !OLOCK__CURL_HAS_PREREQ
/* Codes that, without PREREQFUNCTION to tell, we take to mean a request was on the wire.
   Conservative: RECV_ERROR can also come from a proxy's CONNECT answer. */
static int olock__curl_code_after_request(CURLcode c) {
    switch (c) {
    case CURLE_GOT_NOTHING: case CURLE_PARTIAL_FILE: case CURLE_WEIRD_SERVER_REPLY:
    case CURLE_HTTP2: case CURLE_HTTP2_STREAM: case CURLE_BAD_CONTENT_ENCODING:
    case CURLE_RECV_ERROR: case CURLE_WRITE_ERROR:
        return 1;
    default:
        return 0;
    }
}
#endif

/* Before each transfer of a send (the first and the resend). */
static void olock__curl_attempt_begin(olock_curl *t) {
    t->cb_result = OLOCK_OK;
    t->cb_in_headers = 0;
    t->head_ended = 0;
    t->framed = 0;
    t->received = 0;
    t->started = 0;
    t->errbuf[0] = '\0';
}

/* After a transfer ended with `code` (from curl_easy_perform or a curl-multi CURLMSG_DONE). */
static void olock__curl_attempt_end(olock_curl *t, CURLcode code, olock__curl_attempt *a) {
    long n = 0;
    curl_off_t us = 0;
    memset(a, 0, sizeof *a);
    a->code = code;
    a->cb_result = t->cb_result;
    a->cb_in_headers = t->cb_in_headers;
    a->received = t->received;
    if (curl_easy_getinfo(t->easy, CURLINFO_NUM_CONNECTS, &n) != CURLE_OK) n = 0;
    a->connects = n;
    if (curl_easy_getinfo(t->easy, CURLINFO_TOTAL_TIME_T, &us) != CURLE_OK) us = 0;
    a->elapsed_us = us;
#if OLOCK__CURL_HAS_PREREQ
    a->started = t->started;
#else
    {
        /* Fallback: libcurl sets the pre-transfer time when it is about to send a request, and
           counts the request header bytes it wrote. It cannot see libcurl's own resend. */
        curl_off_t pre = 0;
        long reqsize = 0;
        if (curl_easy_getinfo(t->easy, CURLINFO_PRETRANSFER_TIME_T, &pre) != CURLE_OK) pre = 0;
        if (curl_easy_getinfo(t->easy, CURLINFO_REQUEST_SIZE, &reqsize) != CURLE_OK) reqsize = 0;
        a->started = (pre > 0 || reqsize > 0 || olock__curl_code_after_request(a->code)) ? 1u : 0u;
    }
#endif
    if (a->started == 0 && a->received > 0) a->started = 1;
    t->stats.requests += a->started;
    t->stats.connections += (uint64_t)(a->connects > 0 ? a->connects : 0);
    if (a->started > 1) t->stats.resends += a->started - 1;   /* libcurl's own resend */
    t->last_code = (int)a->code;
}

/* The transparent resend. It is safe when the server closed the connection before it read our
   request: an idle keep-alive connection closed by the server (dynalite: 5 s idle), whose FIN
   or RST crossed our request, so libcurl's liveness check before reuse could not see it. The
   signs of that are exactly: the request went out on a reused connection (no new connection
   in this attempt), not one response byte came back, and the socket failed at the first write
   or read (SEND_ERROR, RECV_ERROR from a reset, GOT_NOTHING from an orderly close). A server
   that closes an idle connection has, by definition, no request in progress on it.
   When it is NOT certain: a server (or proxy) that read the request, applied it and then died
   or dropped the connection without a byte of response looks the same from here. RFC 9112
   9.3.1 allows an automatic retry of a non-idempotent request only when the client can tell
   the original was never applied, so this is a bet on the small window, the same bet libcurl
   itself makes (before 8.16, always). For olock's own requests the bet is covered anyway:
   every versioned write carries a version condition, so a second copy cannot apply twice (it
   fails its condition, and the engine's per-attempt token recognises its own earlier write);
   TransactWriteItems carries a ClientRequestToken; reads are idempotent. Only an unconditional
   write sent raw through olock_client_call is exposed, and only in that window.
   The bounds: one resend only; never after a response byte or on a fresh connection (those
   failures are MAYBE_SENT); never after libcurl already resent; only within the time left.
   And if the resend fails in any way, even to connect, the answer is MAYBE_SENT: a server
   that cannot be reached now may be one that crashed after applying the first copy. */
static int olock__curl_should_resend(const olock__curl_attempt *a) {
    if (a->cb_result != OLOCK_OK || a->started != 1 || a->connects != 0 || a->received != 0) return 0;
    return a->code == CURLE_GOT_NOTHING || a->code == CURLE_SEND_ERROR || a->code == CURLE_RECV_ERROR;
}

static olock_result olock__curl_outcome(const olock__curl_attempt *a) {
    /* A callback stopped the transfer (a cap, out of memory, a bad header): it was storing
       the response, so the request had reached the server. */
    if (a->cb_result != OLOCK_OK) return OLOCK_ERR_MAYBE_SENT;
    if (a->code == CURLE_OK) return OLOCK_OK;
    return a->started ? OLOCK_ERR_MAYBE_SENT : OLOCK_ERR_NOT_SENT;
}

/* libcurl calls a transfer a success when it did not bring a whole response in two cases
   (both seen with libcurl 7.88 against tests/http_stub.js's raw server):
   - The connection closed inside the header block before libcurl knew how long the body is:
     after the status line and before a Content-Length or Transfer-Encoding line ended, or
     inside a 1xx response's block. libcurl reports no error and an empty body.
   - A body with neither Content-Length nor chunked encoding ends where the connection
     closes, so a cut one cannot be told from a whole one.
   The request reached the server in both (a response had begun): MAYBE_SENT. Also fills in
   the status from libcurl when our parser did not read it. */
static olock_result olock__curl_check_whole(olock_curl *t, const char *note) {
    olock_http_response *res = t->res;
    const char *why = NULL;
    if (res->status == 0) {
        long code = 0;
        if (curl_easy_getinfo(t->easy, CURLINFO_RESPONSE_CODE, &code) == CURLE_OK && code > 0 && code < 1000) {
            res->status = (int)code;
        }
    }
    if (res->status == 0) why = "the response had no HTTP status line";
    else if (!t->head_ended) why = "connection closed inside the response headers";
    else if (res->status < 200) why = "connection closed after an interim (1xx) response, before the final one";
    else if (!t->framed && res->status != 204 && res->status != 304) {
        why = "connection closed ending a response body of no stated length (no Content-Length, not chunked): "
              "a cut body cannot be told from a whole one";
    }
    if (!why) return OLOCK_OK;
    /* A long note may be cut short; that is fine for a message. */
    if (snprintf(t->last_error, sizeof t->last_error, "request may have been sent: %s (HTTP status %d, %lu response bytes)%s",
                 why, res->status, (unsigned long)t->received, note) < 0) {
        olock__curl_set_error(t, "request may have been sent: the response was not whole");
    }
    return OLOCK_ERR_MAYBE_SENT;
}

static void olock__curl_describe(olock_curl *t, const olock__curl_attempt *a, olock_result r, const char *note) {
    const char *curl_msg = t->errbuf[0] ? t->errbuf : curl_easy_strerror(a->code);
    if (a->cb_result == OLOCK_ERR_LIMIT && a->cb_in_headers) {
        snprintf(t->last_error, sizeof t->last_error,
                 "request may have been sent: response headers larger than the response's header limit; "
                 "transfer aborted%s", note);
    } else if (a->cb_result == OLOCK_ERR_LIMIT) {
        snprintf(t->last_error, sizeof t->last_error,
                 "request may have been sent: response body larger than the %lu-byte limit (olock_http_response "
                 "body.max, the client's max_response_bytes); transfer aborted%s",
                 (unsigned long)t->res->body.max, note);
    } else if (a->cb_result == OLOCK_ERR_RESPONSE) {
        snprintf(t->last_error, sizeof t->last_error,
                 "request may have been sent: malformed response header (NUL byte); transfer aborted%s", note);
    } else if (a->cb_result != OLOCK_OK) {
        snprintf(t->last_error, sizeof t->last_error,
                 "request may have been sent: storing the response failed: %s; transfer aborted%s",
                 olock_result_str(a->cb_result), note);
    } else {
        snprintf(t->last_error, sizeof t->last_error, "%s: curl error %d (%s): %s%s",
                 r == OLOCK_ERR_NOT_SENT ? "request not sent" : "request may have been sent",
                 (int)a->code, curl_easy_strerror(a->code), curl_msg, note);
    }
}

/* Builds the header list and sets the per-request options. */
static olock_result olock__curl_prepare(olock_curl *t, const olock_http_request *req, struct curl_slist **list) {
    CURL *e = t->easy;
    const char *method = req->method ? req->method : "POST";
    int has_ctype = 0, has_expect = 0, has_accept = 0;
    size_t i, n_lines, need = 0;
    CURLcode c = CURLE_OK;

    if (!olock__curl_iprefix(req->url, "http://") && !olock__curl_iprefix(req->url, "https://")) {
        olock__curl_set_error(t, "invalid request: the URL must start with http:// or https://");
        return OLOCK_ERR_INVALID_ARG;
    }
    if (!olock__curl_is_field_value(req->url) || strchr(req->url, ' ')) {
        olock__curl_set_error(t, "invalid request: the URL contains a space or a control character");
        return OLOCK_ERR_INVALID_ARG;
    }
    if (!olock__curl_is_token(method)) {
        olock__curl_set_error(t, "invalid request: the method is not an HTTP token");
        return OLOCK_ERR_INVALID_ARG;
    }
    if (strcmp(method, "HEAD") == 0) {
        olock__curl_set_error(t, "the HEAD method is not supported by this transport");
        return OLOCK_ERR_UNSUPPORTED;
    }
    if ((req->body == NULL && req->body_len != 0) || (req->header_count && !req->headers) ||
        (strcmp(method, "GET") == 0 && req->body_len != 0)) {
        olock__curl_set_error(t, "invalid request: body or headers missing, or a GET with a body");
        return OLOCK_ERR_INVALID_ARG;
    }

    /* The lines go into one buffer and the list's nodes into one array, both kept by the
       handle: no allocation per request once they are large enough. libcurl only reads the
       list (and only during the transfer), so it need not come from curl_slist_append.
       The lines hold the signature and the session token: the buffer is sized first, so it
       never grows by realloc (which would leave the old block unwiped), and a block too small
       is wiped before it is freed. After the send the lines are wiped (olock__curl_send_end). */
    olock__curl_wipe_lines(t);
    for (i = 0; i < req->header_count; i++) {
        const olock_http_header *h = &req->headers[i];
        size_t name_len, line_len;
        if (!olock__curl_is_token(h->name) || !h->value || !olock__curl_is_field_value(h->value)) {
            olock__curl_set_error(t, "invalid request: a header name is not an HTTP token, or a value "
                                     "is missing or contains CR, LF or another control character");
            return OLOCK_ERR_INVALID_ARG;
        }
        name_len = strlen(h->name);
        if (olock__curl_ieq(h->name, name_len, "content-type")) has_ctype = 1;
        if (olock__curl_ieq(h->name, name_len, "expect")) has_expect = 1;
        if (olock__curl_ieq(h->name, name_len, "accept")) has_accept = 1;
        line_len = name_len + strlen(h->value);        /* + ": " or ";", + NUL: at most 3 more */
        if (line_len < name_len || line_len > (size_t)-1 / 4 || need > (size_t)-1 / 4) goto nomem;
        need += line_len + 3;
    }
    /* "Expect:", "Content-Type:", "Accept:" with their NULs (below). */
    need += (size_t)(has_expect ? 0 : 8) + (size_t)(has_ctype ? 0 : 14) + (size_t)(has_accept ? 0 : 8);
    if (need >= t->line.cap) {                         /* olock_buf keeps a NUL past len */
        if (t->line.data) olock__curl_wipe(t->line.data, t->line.cap);
        olock_buf_free(&t->line);
        if (olock_buf_reserve(&t->line, need) != OLOCK_OK) goto nomem;
    }
    for (i = 0; i < req->header_count; i++) {
        const olock_http_header *h = &req->headers[i];
        /* curl syntax: "Name;" sends a header with an empty value ("Name:" would remove it). */
        if (olock_buf_append_str(&t->line, h->name) != OLOCK_OK ||
            olock_buf_append_str(&t->line, h->value[0] ? ": " : ";") != OLOCK_OK ||
            olock_buf_append(&t->line, h->value, strlen(h->value) + 1) != OLOCK_OK) goto nomem;
    }
    /* "Name:" removes a header curl would add on its own: the request carries what the core
       built and nothing else (Host and Content-Length excepted). No "Expect: 100-continue"
       (curl adds it to bodies over 1 MiB): it costs a round trip, or a 1 s stall with a
       server that ignores it. */
    if ((!has_expect && olock_buf_append(&t->line, "Expect:", 8) != OLOCK_OK) ||
        (!has_ctype && olock_buf_append(&t->line, "Content-Type:", 14) != OLOCK_OK) ||
        (!has_accept && olock_buf_append(&t->line, "Accept:", 8) != OLOCK_OK)) goto nomem;
    n_lines = req->header_count + (size_t)!has_expect + (size_t)!has_ctype + (size_t)!has_accept;
    if (n_lines > t->nodes_cap) {
        size_t cap = n_lines < 16 ? 16 : n_lines;
        struct curl_slist *nodes = cap > (size_t)-1 / sizeof *nodes ? NULL :
                                   (struct curl_slist *)olock__curl_malloc(&t->alloc, cap * sizeof *nodes);
        if (!nodes) goto nomem;
        olock__curl_free(&t->alloc, t->nodes, t->nodes_cap * sizeof *t->nodes);
        t->nodes = nodes;
        t->nodes_cap = cap;
    }
    {
        char *p = t->line.data;
        for (i = 0; i < n_lines; i++) {
            t->nodes[i].data = p;
            t->nodes[i].next = i + 1 < n_lines ? &t->nodes[i + 1] : NULL;
            p += strlen(p) + 1;
        }
    }
    *list = t->nodes;

    if (c == CURLE_OK) c = curl_easy_setopt(e, CURLOPT_URL, req->url);
    if (c == CURLE_OK) c = curl_easy_setopt(e, CURLOPT_HTTPHEADER, *list);
    if (strcmp(method, "GET") == 0) {
        if (c == CURLE_OK) c = curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, (char *)NULL);
        if (c == CURLE_OK) c = curl_easy_setopt(e, CURLOPT_HTTPGET, 1L);
    } else {
        /* POSTFIELDS (never NULL: a NULL would make curl read the body from stdin) with its
           size given, so a body may hold NUL bytes and curl never calls strlen on it. */
        if (c == CURLE_OK) c = curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)req->body_len);
        if (c == CURLE_OK) c = curl_easy_setopt(e, CURLOPT_POSTFIELDS, req->body ? req->body : "");
        if (c == CURLE_OK) c = curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, strcmp(method, "POST") == 0 ? (const char *)NULL : method);
    }
    if (c != CURLE_OK) {
        if (c == CURLE_OUT_OF_MEMORY) goto nomem;
        snprintf(t->last_error, sizeof t->last_error, "request not sent: setting up the transfer failed: %s",
                 curl_easy_strerror(c));
        return OLOCK_ERR_NOT_SENT;
    }
    return OLOCK_OK;

nomem:
    /* Nothing left this process, so the engine may safely send again. */
    olock__curl_set_error(t, "request not sent: out of memory while building it");
    return OLOCK_ERR_NOT_SENT;
}

/* One send runs in steps that the blocking send and the curl-multi driver share, so both map
   curl's outcome to NOT_SENT / MAYBE_SENT, and resend, by the same rules:
       olock__curl_send_begin                      check the request, set the handle up
       olock__curl_attempt_begin, run the handle   (curl_easy_perform, or a CURLM)
       olock__curl_transfer_done                   0: a resend is arranged, run the handle again;
                                                   1: the send is over, with its result
   olock__curl_send_abort ends a send whose transfer was taken away unfinished. */

static olock_result olock__curl_send_begin(olock_curl *t, const olock_http_request *req, olock_http_response *res) {
    olock_result r;
    t->stats.sends++;
    t->last_code = 0;
    if (!req || !res || !req->url) {
        olock__curl_set_error(t, "invalid request: NULL request, response or URL");
        return OLOCK_ERR_INVALID_ARG;
    }
    olock__curl_set_error(t, "");
    t->headers = NULL;
    t->resending = 0;
    r = olock__curl_prepare(t, req, &t->headers);
    if (r != OLOCK_OK) {
        t->headers = NULL;
        (void)curl_easy_setopt(t->easy, CURLOPT_HTTPHEADER, (struct curl_slist *)NULL);
        olock__curl_wipe_lines(t);
        return r;
    }
    t->res = res;
    olock_http_response_reset(res);
    return OLOCK_OK;
}

/* Ends a send with r: no pointer into this request is left in the handle, and its header
   lines are wiped. */
static olock_result olock__curl_send_end(olock_curl *t, olock_result r) {
    if (t->resending) {
        (void)curl_easy_setopt(t->easy, CURLOPT_FRESH_CONNECT, 0L);
        (void)curl_easy_setopt(t->easy, CURLOPT_TIMEOUT_MS, t->timeout_ms);
        (void)curl_easy_setopt(t->easy, CURLOPT_CONNECTTIMEOUT_MS, t->connect_timeout_ms);
        t->resending = 0;
    }
    olock__curl_wipe_lines(t);
    /* The list and the body belong to this send: leave no dangling pointer in the handle. */
    (void)curl_easy_setopt(t->easy, CURLOPT_HTTPHEADER, (struct curl_slist *)NULL);
    (void)curl_easy_setopt(t->easy, CURLOPT_POSTFIELDS, "");
    (void)curl_easy_setopt(t->easy, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)0);
    t->headers = NULL;
    t->res = NULL;
    return r;
}

static int olock__curl_transfer_done(olock_curl *t, CURLcode code, olock_result *out) {
    olock__curl_attempt a;
    olock_result r;
    char note[CURL_ERROR_SIZE + 96];
    olock__curl_attempt_end(t, code, &a);
    note[0] = '\0';
    if (t->resending) {
        snprintf(note, sizeof note, " (this was the transparent resend; the reused connection had "
                 "failed with curl error %d: %s)", t->first_code, t->first_error);
    }
    r = olock__curl_outcome(&a);
    if (r == OLOCK_OK) r = olock__curl_check_whole(t, note);   /* says why when it is not */
    if (t->resending) {
        t->stats.resends++;
        if (r == OLOCK_ERR_NOT_SENT) r = OLOCK_ERR_MAYBE_SENT;   /* see olock__curl_should_resend */
        if (r != OLOCK_OK && (a.code != CURLE_OK || a.cb_result != OLOCK_OK)) olock__curl_describe(t, &a, r, note);
    } else if (r != OLOCK_OK && olock__curl_should_resend(&a)) {
        long left_ms = t->timeout_ms - (long)(a.elapsed_us / 1000);
        if (left_ms >= 1) {
            t->first_code = (int)a.code;
            snprintf(t->first_error, sizeof t->first_error, "%s", t->errbuf[0] ? t->errbuf : curl_easy_strerror(a.code));
            (void)curl_easy_setopt(t->easy, CURLOPT_FRESH_CONNECT, 1L);
            (void)curl_easy_setopt(t->easy, CURLOPT_TIMEOUT_MS, left_ms);
            (void)curl_easy_setopt(t->easy, CURLOPT_CONNECTTIMEOUT_MS,
                                   left_ms < t->connect_timeout_ms ? left_ms : t->connect_timeout_ms);
            olock_http_response_reset(t->res);
            t->resending = 1;
            return 0;
        }
        olock__curl_describe(t, &a, r, " (no time left for a resend)");
    } else if (r != OLOCK_OK && (a.code != CURLE_OK || a.cb_result != OLOCK_OK)) {
        olock__curl_describe(t, &a, r, "");
    }
    *out = olock__curl_send_end(t, r);
    return 1;
}

#if OLOCK__CURL_HAS_MULTI
/* The transfer was stopped before it ended (its task was taken out of a curl-multi driver):
   MAYBE_SENT once a request was started (or during the resend), else NOT_SENT. */
static olock_result olock__curl_send_abort(olock_curl *t) {
    olock_result r = (t->started || t->received || t->resending) ? OLOCK_ERR_MAYBE_SENT : OLOCK_ERR_NOT_SENT;
    t->stats.requests += t->started;
    if (t->resending) t->stats.resends++;
    olock__curl_set_error(t, r == OLOCK_ERR_NOT_SENT ? "request not sent: the transfer was cancelled before it started"
                                                     : "request may have been sent: the transfer was cancelled");
    return olock__curl_send_end(t, r);
}
#endif

static olock_result olock__curl_send(void *user, const olock_http_request *req, olock_http_response *res) {
    olock_curl *t = (olock_curl *)user;
    olock_result r;
    if (!t) return OLOCK_ERR_INVALID_ARG;
    r = olock__curl_send_begin(t, req, res);
    if (r != OLOCK_OK) return r;
    do {
        olock__curl_attempt_begin(t);
    } while (!olock__curl_transfer_done(t, curl_easy_perform(t->easy), &r));
    return r;
}

/* --- accessors ------------------------------------------------------------------------------ */

/* olock_transport.last_error: last_error without its "request not sent: " or "request may
   have been sent: " opening, which the core words itself from send's result. */
static const char *olock__curl_transport_last_error(void *user) {
    return olock__curl_without_opening(olock_curl_last_error((const olock_curl *)user));
}

OLOCK_CURL_API olock_transport olock_curl_transport(olock_curl *t) {
    olock_transport tr;
    tr.user = t;
    tr.send = olock__curl_send;
    tr.destroy = olock__curl_transport_destroy;
    tr.kind = OLOCK_TRANSPORT_NETWORK;     /* the client must know a region and credentials */
    tr.last_error = olock__curl_transport_last_error;
    return tr;
}

OLOCK_CURL_API const char *olock_curl_last_error(const olock_curl *t) { return t ? t->last_error : ""; }

OLOCK_CURL_API int olock_curl_last_code(const olock_curl *t) { return t ? t->last_code : 0; }

OLOCK_CURL_API void olock_curl_get_stats(const olock_curl *t, olock_curl_stats *out) {
    if (!out) return;
    if (t) *out = t->stats;
    else memset(out, 0, sizeof *out);
}

/* --- curl-multi driver ------------------------------------------------------------------ */

enum { OLOCK__SLOT_POLL, OLOCK__SLOT_WAIT, OLOCK__SLOT_FLIGHT, OLOCK__SLOT_DONE };

typedef struct olock__curl_slot {
    olock_task *task;
    void *user;
    int state;                     /* OLOCK__SLOT_* */
    uint64_t wake;                 /* WAIT: poll again at this time of the client's clock */
    olock_curl *h;                 /* FLIGHT: the handle carrying its request */
    struct olock__curl_slot *prev, *next;   /* active list; next: done queue, free list */
    char last_error[CURL_ERROR_SIZE + 256];
} olock__curl_slot;

struct olock_curl_multi {
    olock_client *client;
    olock_allocator alloc;
    olock_curl_config cfg;         /* for new handles; strings point to the copies below */
    char *ca_file, *ca_path, *proxy;
    CURLM *cm;
    olock_curl *idle;              /* pool of handles not carrying a request */
    olock__curl_slot *active;      /* added, not finished */
    olock__curl_slot *done_head, *done_tail;
    olock__curl_slot *free_slots;
    size_t n_active;
    size_t n_handles;              /* easy handles made (pooled or in flight) */
    uint64_t finished;             /* tasks finished so far (perform returns when it moves) */
    olock_curl_stats stats;        /* of the sends that ended */
    char last_error[CURL_ERROR_SIZE + 256];
};

#if OLOCK__CURL_HAS_MULTI

static char *olock__curl_strdup(const olock_allocator *a, const char *s) {
    size_t n;
    char *d;
    if (!s) return NULL;
    n = strlen(s) + 1;
    d = (char *)olock__curl_malloc(a, n);
    if (d) memcpy(d, s, n);
    return d;
}

static void olock__curl_strfree(const olock_allocator *a, char *s) {
    if (s) olock__curl_free(a, s, strlen(s) + 1);
}

static void olock__curl_multi_error(olock_curl_multi *m, const char *what, CURLMcode mc) {
    snprintf(m->last_error, sizeof m->last_error, "%s failed: curl multi error %d (%s)", what, (int)mc,
             curl_multi_strerror(mc));
}

static olock_result olock__curl_multi_fail(olock_curl_multi *m, const char *what, CURLMcode mc) {
    olock__curl_multi_error(m, what, mc);
    return mc == CURLM_OUT_OF_MEMORY ? OLOCK_ERR_NOMEM : OLOCK_ERR_UNSUPPORTED;
}

static uint64_t olock__curl_multi_now(olock_curl_multi *m) { return olock_client_now_ms(m->client); }

/* libcurl's connection cache holds 4 connections per handle *in the CURLM* by default, so
   when few requests are in flight it closes idle connections that the next burst wants back.
   As many connections as handles are worth keeping: never more are busy at once. */
static void olock__curl_multi_one_more_handle(olock_curl_multi *m) {
    m->n_handles++;
    (void)curl_multi_setopt(m->cm, CURLMOPT_MAXCONNECTS, (long)m->n_handles);
}

/* An idle handle from the pool, or a new one; NULL when out of memory. */
static olock_curl *olock__curl_multi_take(olock_curl_multi *m) {
    olock_curl *h = m->idle;
    if (h) {
        m->idle = h->pool_next;
        h->pool_next = NULL;
        return h;
    }
    if (olock_curl_create(&m->cfg, &h) != OLOCK_OK) return NULL;
    if (curl_easy_setopt(h->easy, CURLOPT_PRIVATE, (void *)h) != CURLE_OK) {
        olock_curl_destroy(h);
        return NULL;
    }
    olock__curl_multi_one_more_handle(m);
    return h;
}

static void olock__curl_multi_give_back(olock_curl_multi *m, olock_curl *h) {
    m->stats.sends += h->stats.sends;
    m->stats.requests += h->stats.requests;
    m->stats.connections += h->stats.connections;
    m->stats.resends += h->stats.resends;
    memset(&h->stats, 0, sizeof h->stats);
    h->multi_slot = NULL;
    h->pool_next = m->idle;
    m->idle = h;
}

static void olock__curl_multi_unlink(olock_curl_multi *m, olock__curl_slot *s) {
    if (s->prev) s->prev->next = s->next;
    else m->active = s->next;
    if (s->next) s->next->prev = s->prev;
    s->prev = s->next = NULL;
    m->n_active--;
}

static void olock__curl_multi_release(olock_curl_multi *m, olock__curl_slot *s) {
    s->task = NULL;
    s->next = m->free_slots;
    m->free_slots = s;
}

/* A send ended with r: the handle goes back to the pool, the task learns the result. */
static void olock__curl_multi_complete(olock_curl_multi *m, olock__curl_slot *s, olock_result r) {
    olock_curl *h = s->h;
    if (h) {
        if (r == OLOCK_OK) s->last_error[0] = '\0';
        else snprintf(s->last_error, sizeof s->last_error, "%s", h->last_error);
        olock__curl_multi_give_back(m, h);
        s->h = NULL;
    }
    s->state = OLOCK__SLOT_POLL;
    olock_task_complete_why(s->task, r, olock__curl_without_opening(s->last_error));
}

/* A send that could not start: no handle, or curl refused the request. */
static void olock__curl_multi_not_started(olock__curl_slot *s, olock_result r, const char *why) {
    snprintf(s->last_error, sizeof s->last_error, "%s", why);
    s->state = OLOCK__SLOT_POLL;
    olock_task_complete_why(s->task, r, olock__curl_without_opening(s->last_error));
}

/* Polls the task until it has a request in flight, waits, or is done. */
static void olock__curl_multi_drive(olock_curl_multi *m, olock__curl_slot *s, uint64_t now) {
    for (;;) {
        const olock_http_request *req = NULL;
        uint64_t wait = 0;
        olock_task_state st = olock_task_poll(s->task, now, &req, &wait);
        olock_curl *h;
        olock_result r;
        CURLMcode mc;
        if (st == OLOCK_TASK_DONE) {
            olock__curl_multi_unlink(m, s);
            s->state = OLOCK__SLOT_DONE;
            if (m->done_tail) m->done_tail->next = s;
            else m->done_head = s;
            m->done_tail = s;
            m->finished++;
            return;
        }
        if (st == OLOCK_TASK_WAIT) {
            s->state = OLOCK__SLOT_WAIT;
            s->wake = now + wait;
            return;
        }
        h = olock__curl_multi_take(m);
        if (!h) {
            olock__curl_multi_not_started(s, OLOCK_ERR_NOT_SENT, "request not sent: out of memory creating a curl handle");
            continue;
        }
        r = olock__curl_send_begin(h, req, olock_task_response(s->task));
        if (r != OLOCK_OK) {
            snprintf(s->last_error, sizeof s->last_error, "%s", h->last_error);
            olock__curl_multi_give_back(m, h);
            s->state = OLOCK__SLOT_POLL;
            olock_task_complete(s->task, r);
            continue;
        }
        olock__curl_attempt_begin(h);
        mc = curl_multi_add_handle(m->cm, h->easy);
        if (mc != CURLM_OK) {
            (void)olock__curl_send_end(h, OLOCK_ERR_NOT_SENT);
            olock__curl_multi_give_back(m, h);
            olock__curl_multi_error(m, "curl_multi_add_handle", mc);
            olock__curl_multi_not_started(s, OLOCK_ERR_NOT_SENT, m->last_error);
            continue;
        }
        h->multi_slot = s;
        s->h = h;
        s->state = OLOCK__SLOT_FLIGHT;
        return;
    }
}

/* Polls the tasks that are due; returns the earliest wake-up of a waiting one (UINT64_MAX:
   none). */
static uint64_t olock__curl_multi_service(olock_curl_multi *m, uint64_t now) {
    olock__curl_slot *s = m->active, *next;
    uint64_t wake = UINT64_MAX;
    for (; s; s = next) {
        next = s->next;
        if (s->state == OLOCK__SLOT_FLIGHT) continue;
        if (s->state == OLOCK__SLOT_WAIT && now < s->wake) {
            if (s->wake < wake) wake = s->wake;
            continue;
        }
        olock__curl_multi_drive(m, s, now);
        if (s->state == OLOCK__SLOT_WAIT && s->wake < wake) wake = s->wake;
    }
    return wake;
}

/* Hands the transfers that ended to their tasks; returns how many sends ended. */
static int olock__curl_multi_collect(olock_curl_multi *m) {
    CURLMsg *msg;
    int left = 0, ended = 0;
    while ((msg = curl_multi_info_read(m->cm, &left)) != NULL) {
        CURL *easy = msg->easy_handle;
        CURLcode code = msg->data.result;
        char *priv = NULL;
        olock_curl *h;
        olock__curl_slot *s;
        olock_result r;
        if (msg->msg != CURLMSG_DONE) continue;
        if (curl_easy_getinfo(easy, CURLINFO_PRIVATE, &priv) != CURLE_OK || !priv) continue;
        h = (olock_curl *)(void *)priv;
        s = (olock__curl_slot *)h->multi_slot;
        (void)curl_multi_remove_handle(m->cm, easy);     /* msg dies here */
        if (!s) {                                          /* no task: never expected */
            (void)olock__curl_send_end(h, OLOCK_ERR_MAYBE_SENT);
            olock__curl_multi_give_back(m, h);
            continue;
        }
        if (!olock__curl_transfer_done(h, code, &r)) {
            /* The transparent resend, on a fresh connection. */
            olock__curl_attempt_begin(h);
            if (curl_multi_add_handle(m->cm, h->easy) == CURLM_OK) continue;
            olock__curl_set_error(h, "request may have been sent: the transparent resend could not be started");
            r = olock__curl_send_end(h, OLOCK_ERR_MAYBE_SENT);
        }
        olock__curl_multi_complete(m, s, r);
        ended++;
    }
    return ended;
}

/* Stops the transfer of a task in flight and tells the task. */
static void olock__curl_multi_stop(olock_curl_multi *m, olock__curl_slot *s) {
    olock_result r;
    if (s->state != OLOCK__SLOT_FLIGHT || !s->h) return;
    (void)curl_multi_remove_handle(m->cm, s->h->easy);
    r = olock__curl_send_abort(s->h);
    olock__curl_multi_complete(m, s, r);
}

OLOCK_CURL_API olock_result olock_curl_multi_create(olock_client *c, const olock_curl_config *cfg, olock_curl_multi **out) {
    olock_curl_config conf = cfg ? *cfg : olock_curl_config_default();
    olock_curl_multi *m;
    olock_curl *first = NULL;
    olock_result r;
    if (!c || !out) return OLOCK_ERR_INVALID_ARG;
    if (conf.allocator.malloc_fn && (!conf.allocator.realloc_fn || !conf.allocator.free_fn)) return OLOCK_ERR_INVALID_ARG;
    m = (olock_curl_multi *)olock__curl_malloc(&conf.allocator, sizeof *m);
    if (!m) return OLOCK_ERR_NOMEM;
    memset(m, 0, sizeof *m);
    m->client = c;
    m->alloc = conf.allocator;
    m->cfg = conf;
    m->ca_file = olock__curl_strdup(&m->alloc, conf.ca_file);
    m->ca_path = olock__curl_strdup(&m->alloc, conf.ca_path);
    m->proxy = olock__curl_strdup(&m->alloc, conf.proxy);
    m->cfg.ca_file = m->ca_file;
    m->cfg.ca_path = m->ca_path;
    m->cfg.proxy = m->proxy;
    m->cm = curl_multi_init();
    if (!m->cm || (conf.ca_file && !m->ca_file) || (conf.ca_path && !m->ca_path) || (conf.proxy && !m->proxy)) {
        olock_curl_multi_destroy(m);
        return OLOCK_ERR_NOMEM;
    }
    /* One handle now: it checks the config, and the first request needs it anyway. */
    r = olock_curl_create(&m->cfg, &first);
    if (r == OLOCK_OK && curl_easy_setopt(first->easy, CURLOPT_PRIVATE, (void *)first) != CURLE_OK) r = OLOCK_ERR_UNSUPPORTED;
    if (r != OLOCK_OK) {
        olock_curl_destroy(first);
        olock_curl_multi_destroy(m);
        return r;
    }
    m->idle = first;
    olock__curl_multi_one_more_handle(m);
    *out = m;
    return OLOCK_OK;
}

OLOCK_CURL_API void olock_curl_multi_destroy(olock_curl_multi *m) {
    olock__curl_slot *s, *next;
    olock_allocator a;
    if (!m) return;
    for (s = m->active; s; s = s->next) olock__curl_multi_stop(m, s);
    for (s = m->active; s; s = next) {
        next = s->next;
        olock__curl_free(&m->alloc, s, sizeof *s);
    }
    for (s = m->done_head; s; s = next) {
        next = s->next;
        olock__curl_free(&m->alloc, s, sizeof *s);
    }
    for (s = m->free_slots; s; s = next) {
        next = s->next;
        olock__curl_free(&m->alloc, s, sizeof *s);
    }
    while (m->idle) {
        olock_curl *h = m->idle;
        m->idle = h->pool_next;
        olock_curl_destroy(h);
    }
    if (m->cm) curl_multi_cleanup(m->cm);
    olock__curl_strfree(&m->alloc, m->ca_file);
    olock__curl_strfree(&m->alloc, m->ca_path);
    olock__curl_strfree(&m->alloc, m->proxy);
    a = m->alloc;
    olock__curl_free(&a, m, sizeof *m);
}

OLOCK_CURL_API olock_result olock_curl_multi_add(olock_curl_multi *m, olock_task *task, void *user) {
    olock__curl_slot *s;
    if (!m || !task) return OLOCK_ERR_INVALID_ARG;
    s = m->free_slots;
    if (s) m->free_slots = s->next;
    else if ((s = (olock__curl_slot *)olock__curl_malloc(&m->alloc, sizeof *s)) == NULL) return OLOCK_ERR_NOMEM;
    memset(s, 0, sizeof *s);
    s->task = task;
    s->user = user;
    s->state = OLOCK__SLOT_POLL;
    s->next = m->active;
    if (m->active) m->active->prev = s;
    m->active = s;
    m->n_active++;
    return OLOCK_OK;
}

OLOCK_CURL_API olock_result olock_curl_multi_remove(olock_curl_multi *m, olock_task *task) {
    olock__curl_slot *s, *prev = NULL;
    if (!m || !task) return OLOCK_ERR_INVALID_ARG;
    for (s = m->active; s; s = s->next) {
        if (s->task != task) continue;
        olock__curl_multi_stop(m, s);
        olock__curl_multi_unlink(m, s);
        olock__curl_multi_release(m, s);
        return OLOCK_OK;
    }
    for (s = m->done_head; s; prev = s, s = s->next) {
        if (s->task != task) continue;
        if (prev) prev->next = s->next;
        else m->done_head = s->next;
        if (m->done_tail == s) m->done_tail = prev;
        olock__curl_multi_release(m, s);
        return OLOCK_OK;
    }
    return OLOCK_ERR_NOT_FOUND;
}

OLOCK_CURL_API olock_result olock_curl_multi_perform(olock_curl_multi *m, unsigned timeout_ms) {
    uint64_t start, now, finished;
    if (!m) return OLOCK_ERR_INVALID_ARG;
    m->last_error[0] = '\0';
    start = now = olock__curl_multi_now(m);
    finished = m->finished;
    for (;;) {
        uint64_t wake, elapsed, left;
        int running = 0;
        CURLMcode mc;
        wake = olock__curl_multi_service(m, now);
        if (m->finished != finished || m->n_active == 0) return OLOCK_OK;
        mc = curl_multi_perform(m->cm, &running);
        if (mc != CURLM_OK) return olock__curl_multi_fail(m, "curl_multi_perform", mc);
        if (olock__curl_multi_collect(m) > 0) {    /* tasks to poll at once */
            now = olock__curl_multi_now(m);
            continue;
        }
        now = olock__curl_multi_now(m);
        elapsed = now >= start ? now - start : 0;
        if (elapsed >= timeout_ms) return OLOCK_OK;
        left = timeout_ms - elapsed;
        if (wake != UINT64_MAX) {
            if (wake <= now) continue;
            if (wake - now < left) left = wake - now;
        }
        /* Sleeps until a socket is ready, libcurl's next timer or `left`, whichever is first. */
        if (left > 0x7fffffffu) left = 0x7fffffffu;
        mc = curl_multi_poll(m->cm, NULL, 0, (int)left, NULL);
        if (mc != CURLM_OK) return olock__curl_multi_fail(m, "curl_multi_poll", mc);
        now = olock__curl_multi_now(m);
    }
}

OLOCK_CURL_API olock_result olock_curl_multi_run(olock_curl_multi *m) {
    if (!m) return OLOCK_ERR_INVALID_ARG;
    while (m->n_active > 0) {
        olock_result r = olock_curl_multi_perform(m, 1000);
        if (r != OLOCK_OK) return r;
    }
    return OLOCK_OK;
}

OLOCK_CURL_API olock_task *olock_curl_multi_next_done(olock_curl_multi *m, void **user) {
    olock__curl_slot *s;
    olock_task *t;
    if (!m || !m->done_head) return NULL;
    s = m->done_head;
    m->done_head = s->next;
    if (!m->done_head) m->done_tail = NULL;
    t = s->task;
    if (user) *user = s->user;
    snprintf(m->last_error, sizeof m->last_error, "%s", s->last_error);
    olock__curl_multi_release(m, s);
    return t;
}

OLOCK_CURL_API long olock_curl_multi_timeout(olock_curl_multi *m) {
    olock__curl_slot *s;
    uint64_t now, wake = UINT64_MAX;
    long curl_ms = -1;
    if (!m || m->n_active == 0) return -1;
    now = olock__curl_multi_now(m);
    for (s = m->active; s; s = s->next) {
        if (s->state == OLOCK__SLOT_POLL) return 0;
        if (s->state == OLOCK__SLOT_WAIT && s->wake < wake) wake = s->wake;
    }
    if (curl_multi_timeout(m->cm, &curl_ms) != CURLM_OK) curl_ms = 0;
    if (wake != UINT64_MAX) {
        uint64_t w = wake > now ? wake - now : 0;
        if (w > 0x7fffffffu) w = 0x7fffffffu;
        if (curl_ms < 0 || (uint64_t)curl_ms > w) curl_ms = (long)w;
    }
    return curl_ms;
}

#else  /* libcurl before 7.66.0: no curl_multi_poll */

OLOCK_CURL_API olock_result olock_curl_multi_create(olock_client *c, const olock_curl_config *cfg, olock_curl_multi **out) {
    (void)c; (void)cfg; (void)out;
    return OLOCK_ERR_UNSUPPORTED;
}
OLOCK_CURL_API void olock_curl_multi_destroy(olock_curl_multi *m) { (void)m; }
OLOCK_CURL_API olock_result olock_curl_multi_add(olock_curl_multi *m, olock_task *task, void *user) {
    (void)m; (void)task; (void)user;
    return OLOCK_ERR_UNSUPPORTED;
}
OLOCK_CURL_API olock_result olock_curl_multi_remove(olock_curl_multi *m, olock_task *task) {
    (void)m; (void)task;
    return OLOCK_ERR_UNSUPPORTED;
}
OLOCK_CURL_API olock_result olock_curl_multi_perform(olock_curl_multi *m, unsigned timeout_ms) {
    (void)m; (void)timeout_ms;
    return OLOCK_ERR_UNSUPPORTED;
}
OLOCK_CURL_API olock_result olock_curl_multi_run(olock_curl_multi *m) { (void)m; return OLOCK_ERR_UNSUPPORTED; }
OLOCK_CURL_API olock_task *olock_curl_multi_next_done(olock_curl_multi *m, void **user) { (void)m; (void)user; return NULL; }
OLOCK_CURL_API long olock_curl_multi_timeout(olock_curl_multi *m) { (void)m; return -1; }

#endif /* OLOCK__CURL_HAS_MULTI */

OLOCK_CURL_API const char *olock_curl_multi_last_error(const olock_curl_multi *m) { return m ? m->last_error : ""; }

OLOCK_CURL_API size_t olock_curl_multi_active(const olock_curl_multi *m) { return m ? m->n_active : 0; }

OLOCK_CURL_API void *olock_curl_multi_handle(olock_curl_multi *m) { return m ? (void *)m->cm : NULL; }

OLOCK_CURL_API void olock_curl_multi_get_stats(const olock_curl_multi *m, olock_curl_stats *out) {
    if (!out) return;
    if (m) *out = m->stats;
    else memset(out, 0, sizeof *out);
}

#endif /* OLOCK_CURL_IMPLEMENTATION */
