/* test_curl.c - tests of backends/olock_curl.h against tests/http_stub.js (node, 127.0.0.1 only).

   Build (from the repo root):
     gcc -std=c99 -Wall -Wextra -Wpedantic -Werror -Wshadow -Wundef -Wstrict-prototypes \
         -Wmissing-prototypes -fsanitize=address,undefined -g -I. -Ibackends tests/test_curl.c \
         -o build/test_curl -lcurl
   Run from the repo root: build/test_curl [path/to/http_stub.js]
   Environment: OLOCK_NODE (node binary, default: `node` from PATH), OLOCK_HTTP_STUB (stub path).
   Prints one line per failing check and ends with "N passed, N failed"; exit status 1 on any
   failure. Without node it prints one SKIP line and exits 0. */
#if !defined(_WIN32)
#  define _POSIX_C_SOURCE 200809L
#endif
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <time.h>
#include <unistd.h>

#define OLOCK_IMPLEMENTATION
#include "olock.h"

#define OLOCK_CURL_IMPLEMENTATION
#include "olock_curl.h"
#define OLOCK_TEST_NO_HARNESS              /* this program counts its checks itself */
#include "olock_test.h"

/* --- checks --------------------------------------------------------------------------------- */

static int g_pass, g_fail;

static void check_at(int ok, int line, const char *what, const char *fmt, ...) {
    if (ok) {
        g_pass++;
        return;
    }
    g_fail++;
    printf("FAIL test_curl.c:%d: %s", line, what);
    if (fmt) {
        va_list ap;
        printf(" [");
        va_start(ap, fmt);
        vprintf(fmt, ap);
        va_end(ap);
        printf("]");
    }
    printf("\n");
    fflush(stdout);
}
#define CHECK(cond) check_at((cond) ? 1 : 0, __LINE__, #cond, NULL)
#define CHECKF(cond, ...) check_at((cond) ? 1 : 0, __LINE__, #cond, __VA_ARGS__)

static const char *rstr(olock_result r) {
    switch (r) {
    case OLOCK_OK: return "OK";
    case OLOCK_ERR_NOT_SENT: return "NOT_SENT";
    case OLOCK_ERR_MAYBE_SENT: return "MAYBE_SENT";
    case OLOCK_ERR_LIMIT: return "LIMIT";
    case OLOCK_ERR_NOMEM: return "NOMEM";
    case OLOCK_ERR_INVALID_ARG: return "INVALID_ARG";
    case OLOCK_ERR_UNSUPPORTED: return "UNSUPPORTED";
    default: return "other";
    }
}

#define CHECK_RESULT(r, want, t) \
    CHECKF((r) == (want), "got %s (%d), want %s; last error: %s", rstr(r), (int)(r), rstr(want), olock_curl_last_error(t))

static uint64_t now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static void sleep_ms(unsigned ms) {
    struct timespec ts;
    ts.tv_sec = (time_t)(ms / 1000u);
    ts.tv_nsec = (long)(ms % 1000u) * 1000000L;
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {}
}

/* --- the stub server ------------------------------------------------------------------------ */

typedef struct stub {
    pid_t pid;
    int in_fd;                     /* its stdin: closing it stops the stub */
    int http, https, mismatch, silent, raw;
    char ca[1024];
} stub;

static int stub_start(stub *s, const char *node, const char *script) {
    int in_pipe[2], out_pipe[2];
    char line[2048];
    size_t len = 0;
    uint64_t deadline = now_ms() + 20000u;
    const char *p;

    memset(s, 0, sizeof *s);
    s->pid = -1;
    if (pipe(in_pipe) != 0) return 0;
    if (pipe(out_pipe) != 0) {
        close(in_pipe[0]); close(in_pipe[1]);
        return 0;
    }
    s->pid = fork();
    if (s->pid < 0) return 0;
    if (s->pid == 0) {
        dup2(in_pipe[0], 0);
        dup2(out_pipe[1], 1);
        close(in_pipe[0]); close(in_pipe[1]); close(out_pipe[0]); close(out_pipe[1]);
        execl(node, node, script, (char *)NULL);
        _exit(127);
    }
    close(in_pipe[0]);
    close(out_pipe[1]);
    s->in_fd = in_pipe[1];
    while (len + 1 < sizeof line && !memchr(line, '\n', len)) {
        struct pollfd pfd;
        ssize_t n;
        uint64_t now = now_ms();
        if (now >= deadline) break;
        pfd.fd = out_pipe[0];
        pfd.events = POLLIN;
        pfd.revents = 0;
        if (poll(&pfd, 1, (int)(deadline - now)) <= 0) continue;
        n = read(out_pipe[0], line + len, sizeof line - 1 - len);
        if (n <= 0) break;
        len += (size_t)n;
    }
    close(out_pipe[0]);
    line[len] = '\0';
    p = strstr(line, "olock-stub ");
    if (!p || sscanf(p, "olock-stub http=%d https=%d https_mismatch=%d silent=%d ca=%1000s raw=%d",
                     &s->http, &s->https, &s->mismatch, &s->silent, s->ca, &s->raw) != 6) {
        printf("FAIL test_curl.c: the stub did not start (output: \"%s\")\n", line);
        return 0;
    }
    return 1;
}

static void stub_stop(stub *s) {
    int status;
    if (s->in_fd > 0) close(s->in_fd);
    if (s->pid > 0) {
        kill(s->pid, SIGTERM);
        waitpid(s->pid, &status, 0);
    }
    s->pid = -1;
    s->in_fd = -1;
}

/* --- helpers -------------------------------------------------------------------------------- */

static stub g_stub;
static olock_curl *g_ctl;          /* transport for the stub's control routes */

static const char *url_of(char *buf, size_t size, const char *scheme, int port, const char *path) {
    snprintf(buf, size, "%s://127.0.0.1:%d%s", scheme, port, path);
    return buf;
}

static olock_result send_req(olock_curl *t, const char *method, const char *url, const olock_http_header *h,
                             size_t hc, const char *body, size_t len, olock_http_response *res) {
    olock_http_request req;
    olock_transport tr = olock_curl_transport(t);
    req.method = method;
    req.url = url;
    req.headers = h;
    req.header_count = hc;
    req.body = body;
    req.body_len = len;
    return tr.send(tr.user, &req, res);
}

static olock_result post(olock_curl *t, const char *scheme, int port, const char *path, olock_http_response *res) {
    char url[256];
    static const olock_http_header h[] = { { "Content-Type", "application/x-amz-json-1.0" } };
    return send_req(t, "POST", url_of(url, sizeof url, scheme, port, path), h, 1, "{}", 2, res);
}

static long header_long(const olock_http_response *res, const char *name) {
    const char *v = olock_http_response_header(res, name);
    return v ? strtol(v, NULL, 10) : -1;
}

typedef struct stub_counts {
    long connections, requests, path;
} stub_counts;

static stub_counts stub_stats(const char *path) {
    char p[256];
    stub_counts c;
    olock_http_response res;
    olock_http_response_init(&res, NULL, 0);
    snprintf(p, sizeof p, "/stats?path=%s", path ? path : "");
    c.connections = c.requests = c.path = -1;
    if (post(g_ctl, "http", g_stub.http, p, &res) == OLOCK_OK && res.status == 200) {
        c.connections = header_long(&res, "x-stub-connections");
        c.requests = header_long(&res, "x-stub-requests");
        c.path = header_long(&res, "x-stub-path-count");
    }
    olock_http_response_free(&res);
    return c;
}

static int stub_idle_close(unsigned ms) {
    char p[64];
    int ok;
    olock_http_response res;
    olock_http_response_init(&res, NULL, 0);
    snprintf(p, sizeof p, "/config?idle=%u", ms);
    ok = post(g_ctl, "http", g_stub.http, p, &res) == OLOCK_OK && res.status == 204;
    olock_http_response_free(&res);
    return ok;
}

static olock_curl *make(unsigned connect_ms, unsigned total_ms, const char *ca_file) {
    olock_curl_config cfg = olock_curl_config_default();
    olock_curl *t = NULL;
    olock_result r;
    if (connect_ms) cfg.connect_timeout_ms = connect_ms;
    if (total_ms) cfg.timeout_ms = total_ms;
    cfg.ca_file = ca_file;
    r = olock_curl_create(&cfg, &t);
    CHECKF(r == OLOCK_OK && t != NULL, "olock_curl_create: %d", (int)r);
    return t;
}

static int pattern_ok(const olock_http_response *res, size_t n) {
    size_t i;
    if (res->body.len != n) return 0;
    for (i = 0; i < n; i++) {
        if ((unsigned char)res->body.data[i] != (unsigned char)('a' + i % 26)) return 0;
    }
    return 1;
}

static int closed_port(void) {
    struct sockaddr_in a;
    socklen_t alen = sizeof a;
    int fd = socket(AF_INET, SOCK_STREAM, 0), port = 0;
    if (fd < 0) return 1;
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = 0;
    if (bind(fd, (struct sockaddr *)&a, sizeof a) == 0 && getsockname(fd, (struct sockaddr *)&a, &alen) == 0) {
        port = ntohs(a.sin_port);
    }
    close(fd);
    return port ? port : 1;
}

/* --- tests ---------------------------------------------------------------------------------- */

static void test_config_default(void) {
    olock_curl_config c = olock_curl_config_default();
    CHECK(c.connect_timeout_ms == 3000u);
    CHECK(c.timeout_ms == 10000u);
    CHECK(c.ca_file == NULL && c.ca_path == NULL && c.proxy == NULL && c.verbose == 0);
    CHECK(c.allocator.malloc_fn == NULL);
}

static void test_basic_exchange(void) {
    static const char body[] = "{\"TableName\":\"t\"}\0after-nul";
    const size_t body_len = sizeof body - 1;
    olock_http_header h[4];
    olock_http_response res;
    olock_curl *t = make(0, 0, NULL);
    char url[256], want_len[32];
    olock_result r;
    olock_curl_stats st;
    if (!t) return;
    h[0].name = "Content-Type"; h[0].value = "application/x-amz-json-1.0";
    h[1].name = "X-Amz-Target"; h[1].value = "DynamoDB_20120810.GetItem";
    h[2].name = "X-Empty"; h[2].value = "";
    h[3].name = "X-Amz-Date"; h[3].value = "20261125T000000Z";
    olock_http_response_init(&res, NULL, 0);
    r = send_req(t, "POST", url_of(url, sizeof url, "http", g_stub.http, "/echo"), h, 4, body, body_len, &res);
    CHECK_RESULT(r, OLOCK_OK, t);
    CHECKF(res.status == 200, "status %d", res.status);
    CHECKF(res.body.len == body_len && memcmp(res.body.data, body, body_len) == 0, "body len %lu", (unsigned long)res.body.len);
    CHECK(strcmp(olock_curl_last_error(t), "") == 0);
    CHECK(olock_curl_last_code(t) == 0);
    {
        const char *ct = olock_http_response_header(&res, "x-req-content-type");
        const char *tg = olock_http_response_header(&res, "X-REQ-X-AMZ-TARGET");
        const char *em = olock_http_response_header(&res, "x-req-x-empty");
        const char *me = olock_http_response_header(&res, "x-req-method");
        const char *cl = olock_http_response_header(&res, "x-req-content-length");
        snprintf(want_len, sizeof want_len, "%lu", (unsigned long)body_len);
        CHECKF(ct && strcmp(ct, "application/x-amz-json-1.0") == 0, "content-type %s", ct ? ct : "(none)");
        CHECK(tg && strcmp(tg, "DynamoDB_20120810.GetItem") == 0);
        CHECKF(em && strcmp(em, "") == 0, "x-empty %s", em ? em : "(none)");
        CHECK(me && strcmp(me, "POST") == 0);
        CHECKF(cl && strcmp(cl, want_len) == 0, "content-length %s", cl ? cl : "(none)");
        CHECK(olock_http_response_header(&res, "x-req-expect") == NULL);
        CHECK(olock_http_response_header(&res, "x-req-accept") == NULL);
        CHECK(olock_http_response_header(&res, "x-req-transfer-encoding") == NULL);
        CHECK(olock_http_response_header(&res, "x-req-host") != NULL);
    }
    /* No Content-Type given: none sent (curl's form-urlencoded default is suppressed). */
    r = send_req(t, "POST", url, NULL, 0, "{}", 2, &res);
    CHECK_RESULT(r, OLOCK_OK, t);
    CHECK(olock_http_response_header(&res, "x-req-content-type") == NULL);
    CHECK(header_long(&res, "x-req-content-length") == 2);
    /* Empty body. */
    r = send_req(t, "POST", url, NULL, 0, NULL, 0, &res);
    CHECK_RESULT(r, OLOCK_OK, t);
    CHECK(res.status == 200 && res.body.len == 0 && header_long(&res, "x-req-content-length") == 0);
    olock_curl_get_stats(t, &st);
    CHECKF(st.sends == 3 && st.requests == 3 && st.connections == 1 && st.resends == 0,
           "sends %lu requests %lu connections %lu resends %lu", (unsigned long)st.sends,
           (unsigned long)st.requests, (unsigned long)st.connections, (unsigned long)st.resends);
    olock_http_response_free(&res);
    olock_curl_destroy(t);
}

static void test_methods(void) {
    olock_http_response res;
    olock_curl *t = make(0, 0, NULL);
    char url[256];
    olock_result r;
    const char *m;
    if (!t) return;
    olock_http_response_init(&res, NULL, 0);
    url_of(url, sizeof url, "http", g_stub.http, "/echo");
    r = send_req(t, "GET", url, NULL, 0, NULL, 0, &res);
    CHECK_RESULT(r, OLOCK_OK, t);
    m = olock_http_response_header(&res, "x-req-method");
    CHECK(m && strcmp(m, "GET") == 0);
    r = send_req(t, "PUT", url, NULL, 0, "abc", 3, &res);
    CHECK_RESULT(r, OLOCK_OK, t);
    m = olock_http_response_header(&res, "x-req-method");
    CHECK(m && strcmp(m, "PUT") == 0 && res.body.len == 3 && memcmp(res.body.data, "abc", 3) == 0);
    r = send_req(t, NULL, url, NULL, 0, "xy", 2, &res);       /* NULL method: POST */
    CHECK_RESULT(r, OLOCK_OK, t);
    m = olock_http_response_header(&res, "x-req-method");
    CHECK(m && strcmp(m, "POST") == 0 && res.body.len == 2);
    olock_http_response_free(&res);
    olock_curl_destroy(t);
}

static void test_status_and_headers(void) {
    olock_http_response res;
    olock_curl *t = make(0, 0, NULL);
    olock_result r;
    const char *v;
    if (!t) return;
    olock_http_response_init(&res, NULL, 0);
    r = post(t, "http", g_stub.http, "/status?code=418", &res);
    CHECK_RESULT(r, OLOCK_OK, t);
    CHECKF(res.status == 418, "status %d", res.status);
    CHECK(res.body.len == 11 && memcmp(res.body.data, "status body", 11) == 0);
    v = olock_http_response_header(&res, "x-multi");
    CHECK(v && strcmp(v, "one") == 0);
    v = olock_http_response_header(&res, "X-Padded");
    CHECKF(v && strcmp(v, "padded value") == 0, "x-padded '%s'", v ? v : "(none)");
    v = olock_http_response_header(&res, "x-empty");
    CHECK(v && strcmp(v, "") == 0);
    CHECKF(res.header_count >= 6, "header_count %lu", (unsigned long)res.header_count);
    r = post(t, "http", g_stub.http, "/status?code=500", &res);
    CHECK_RESULT(r, OLOCK_OK, t);
    CHECK(res.status == 500);
    r = post(t, "http", g_stub.http, "/status?code=400", &res);
    CHECK_RESULT(r, OLOCK_OK, t);
    CHECK(res.status == 400);
    /* 102, 103 and 100 before the final answer: only the final response's headers are kept. */
    r = post(t, "http", g_stub.http, "/interim", &res);
    CHECK_RESULT(r, OLOCK_OK, t);
    CHECKF(res.status == 201, "status %d", res.status);
    v = olock_http_response_header(&res, "x-final");
    CHECK(v && strcmp(v, "1") == 0);
    CHECK(olock_http_response_header(&res, "link") == NULL);
    CHECK(res.body.len == 4 && memcmp(res.body.data, "done", 4) == 0);
    olock_http_response_free(&res);
    olock_curl_destroy(t);
}

static void test_large_bodies(void) {
    olock_http_response res;
    olock_curl *t = make(0, 0, NULL);
    char url[256];
    olock_result r;
    size_t n = 3u * 1024u * 1024u + 7u, i;
    char *big;
    if (!t) return;
    olock_http_response_init(&res, NULL, 0);
    r = post(t, "http", g_stub.http, "/big?n=5000000", &res);
    CHECK_RESULT(r, OLOCK_OK, t);
    CHECK(res.status == 200 && pattern_ok(&res, 5000000u));
    r = post(t, "http", g_stub.http, "/big?n=3000001&chunked=1", &res);
    CHECK_RESULT(r, OLOCK_OK, t);
    CHECK(res.status == 200 && pattern_ok(&res, 3000001u));
    CHECK(olock_http_response_header(&res, "content-length") == NULL);
    /* A request body over 1 MiB: curl would add Expect: 100-continue; we never do. */
    big = (char *)malloc(n);
    if (big) {
        for (i = 0; i < n; i++) big[i] = (char)('A' + i % 23);
        r = send_req(t, "POST", url_of(url, sizeof url, "http", g_stub.http, "/echo"), NULL, 0, big, n, &res);
        CHECK_RESULT(r, OLOCK_OK, t);
        CHECK(res.body.len == n && memcmp(res.body.data, big, n) == 0);
        CHECK(olock_http_response_header(&res, "x-req-expect") == NULL);
        free(big);
    }
    olock_http_response_free(&res);
    olock_curl_destroy(t);
}

static void test_body_cap(void) {
    olock_http_response res;
    olock_curl *t = make(0, 0, NULL);
    olock_result r;
    if (!t) return;
    olock_http_response_init(&res, NULL, 1000000u);
    /* With Content-Length: refused before a body byte is stored. A response had begun, so
       the request reached the server: MAYBE_SENT, the cause in the message. */
    r = post(t, "http", g_stub.http, "/big?n=2000000", &res);
    CHECK_RESULT(r, OLOCK_ERR_MAYBE_SENT, t);
    CHECK(res.body.len == 0);
    CHECKF(strstr(olock_curl_last_error(t), "may have been sent") != NULL &&
           strstr(olock_curl_last_error(t), "limit") != NULL, "%s", olock_curl_last_error(t));
    /* Chunked (no Content-Length): stopped once the cap is passed. */
    r = post(t, "http", g_stub.http, "/big?n=2000000&chunked=1", &res);
    CHECK_RESULT(r, OLOCK_ERR_MAYBE_SENT, t);
    CHECK(res.body.len <= 1000000u);
    CHECKF(strstr(olock_curl_last_error(t), "body larger than the 1000000-byte limit") != NULL, "%s", olock_curl_last_error(t));
    /* Exactly at the cap is fine, and the transport still works after an abort. */
    r = post(t, "http", g_stub.http, "/big?n=1000000", &res);
    CHECK_RESULT(r, OLOCK_OK, t);
    CHECK(pattern_ok(&res, 1000000u));
    r = post(t, "http", g_stub.http, "/big?n=1000000&chunked=1", &res);
    CHECK_RESULT(r, OLOCK_OK, t);
    CHECK(pattern_ok(&res, 1000000u));
    CHECK(strcmp(olock_curl_last_error(t), "") == 0);
    /* Headers past the core's cap on header bytes (64 KiB): MAYBE_SENT, said to be the headers. */
    r = post(t, "http", g_stub.http, "/fat-headers?n=200", &res);
    CHECK_RESULT(r, OLOCK_ERR_MAYBE_SENT, t);
    CHECKF(strstr(olock_curl_last_error(t), "headers") != NULL, "%s", olock_curl_last_error(t));
    r = post(t, "http", g_stub.http, "/fat-headers?n=20", &res);
    CHECK_RESULT(r, OLOCK_OK, t);
    CHECK(res.status == 200 && olock_http_response_header(&res, "x-fat-19") != NULL);
    olock_http_response_free(&res);
    olock_curl_destroy(t);
}

static void test_connection_reuse(void) {
    olock_http_response res;
    olock_curl *t = make(0, 0, NULL);
    stub_counts before, after;
    long conn_first = -1;
    int i, same = 1;
    olock_curl_stats st;
    if (!t) return;
    olock_http_response_init(&res, NULL, 0);
    before = stub_stats("/echo");
    for (i = 0; i < 5; i++) {
        olock_result r = post(t, "http", g_stub.http, "/echo", &res);
        CHECK_RESULT(r, OLOCK_OK, t);
        if (i == 0) conn_first = header_long(&res, "x-stub-conn");
        else if (header_long(&res, "x-stub-conn") != conn_first) same = 0;
    }
    after = stub_stats("/echo");
    CHECK(same);
    CHECKF(after.connections - before.connections == 1, "stub saw %ld new connections", after.connections - before.connections);
    CHECK(after.path - before.path == 5);
    olock_curl_get_stats(t, &st);
    CHECK(st.connections == 1 && st.requests == 5 && st.resends == 0);
    olock_http_response_free(&res);
    olock_curl_destroy(t);
}

/* The server closes an idle keep-alive connection (dynalite after 5 s, here 200 ms); the
   next request goes out on a new connection and succeeds. */
static void test_idle_close(void) {
    olock_http_response res;
    olock_curl *t = make(0, 0, NULL);
    stub_counts before, after;
    olock_result r;
    long c1;
    if (!t) return;
    olock_http_response_init(&res, NULL, 0);
    CHECK(stub_idle_close(200));
    before = stub_stats("/echo");
    r = post(t, "http", g_stub.http, "/echo", &res);
    CHECK_RESULT(r, OLOCK_OK, t);
    c1 = header_long(&res, "x-stub-conn");
    sleep_ms(600);
    r = post(t, "http", g_stub.http, "/echo", &res);
    CHECK_RESULT(r, OLOCK_OK, t);
    CHECK(res.status == 200 && header_long(&res, "x-stub-conn") != c1);
    after = stub_stats("/echo");
    CHECKF(after.connections - before.connections == 2, "%ld", after.connections - before.connections);
    CHECKF(after.path - before.path == 2, "%ld requests", after.path - before.path);
    CHECK(stub_idle_close(0));
    olock_http_response_free(&res);
    olock_curl_destroy(t);
}

/* The close races the request: the reused connection dies under it with nothing answered.
   One transparent resend on a fresh connection. */
static void test_resend_on_dead_reused_connection(size_t body_len) {
    olock_http_response res;
    olock_curl *t = make(0, 0, NULL);
    stub_counts before, after;
    olock_curl_stats st;
    olock_result r;
    char url[256], *body;
    size_t i;
    if (!t) return;
    body = (char *)malloc(body_len + 1);
    if (!body) return;
    for (i = 0; i < body_len; i++) body[i] = (char)('0' + i % 10);
    olock_http_response_init(&res, NULL, 0);
    r = post(t, "http", g_stub.http, "/echo", &res);
    CHECK_RESULT(r, OLOCK_OK, t);
    before = stub_stats("/drop-reused");
    r = send_req(t, "POST", url_of(url, sizeof url, "http", g_stub.http, "/drop-reused"), NULL, 0, body, body_len, &res);
    CHECK_RESULT(r, OLOCK_OK, t);
    CHECKF(res.status == 200 && res.body.len == 5 && memcmp(res.body.data, "fresh", 5) == 0, "status %d", res.status);
    CHECKF(header_long(&res, "x-body-len") == (long)body_len, "body %ld of %lu", header_long(&res, "x-body-len"), (unsigned long)body_len);
    after = stub_stats("/drop-reused");
    CHECKF(after.path - before.path == 2, "stub saw %ld requests (want the first and one resend)", after.path - before.path);
    CHECKF(after.connections - before.connections == 1, "%ld new connections", after.connections - before.connections);
    olock_curl_get_stats(t, &st);
#if OLOCK__CURL_HAS_PREREQ
    CHECKF(st.resends == 1, "resends %lu", (unsigned long)st.resends);
#endif
    CHECK(st.connections == 2);
    /* The fresh connection stays in use. */
    r = post(t, "http", g_stub.http, "/echo", &res);
    CHECK_RESULT(r, OLOCK_OK, t);
    olock_curl_get_stats(t, &st);
    CHECK(st.connections == 2);
    olock_http_response_free(&res);
    free(body);
    olock_curl_destroy(t);
}

/* A server that reads the request and closes without answering: MAYBE_SENT. On a reused
   connection there is exactly one resend (and it fails the same way); on a fresh one, none. */
static void test_dropped_request(void) {
    olock_http_response res;
    olock_curl *t = make(0, 0, NULL);
    stub_counts before, after;
    olock_curl_stats st;
    olock_result r;
    if (!t) return;
    olock_http_response_init(&res, NULL, 0);
    before = stub_stats("/drop");
    r = post(t, "http", g_stub.http, "/drop", &res);
    CHECK_RESULT(r, OLOCK_ERR_MAYBE_SENT, t);
    CHECK(olock_curl_last_code(t) == (int)CURLE_GOT_NOTHING);
    CHECKF(strstr(olock_curl_last_error(t), "may have been sent") != NULL, "%s", olock_curl_last_error(t));
    after = stub_stats("/drop");
    CHECKF(after.path - before.path == 1, "fresh connection: %ld requests, want 1", after.path - before.path);
    olock_curl_get_stats(t, &st);
    CHECK(st.resends == 0);

    r = post(t, "http", g_stub.http, "/echo", &res);           /* a connection to reuse */
    CHECK_RESULT(r, OLOCK_OK, t);
    before = stub_stats("/drop");
    r = post(t, "http", g_stub.http, "/drop", &res);
    CHECK_RESULT(r, OLOCK_ERR_MAYBE_SENT, t);
    after = stub_stats("/drop");
    CHECKF(after.path - before.path == 2, "reused connection: %ld requests, want 2 (one resend)", after.path - before.path);
    olock_curl_get_stats(t, &st);
#if OLOCK__CURL_HAS_PREREQ
    CHECKF(st.resends == 1, "resends %lu", (unsigned long)st.resends);
#endif
    olock_http_response_free(&res);
    olock_curl_destroy(t);
}

static void test_refused(void) {
    olock_http_response res;
    olock_curl *t = make(0, 0, NULL);
    olock_result r;
    uint64_t t0;
    if (!t) return;
    olock_http_response_init(&res, NULL, 0);
    t0 = now_ms();
    r = post(t, "http", closed_port(), "/", &res);
    CHECK_RESULT(r, OLOCK_ERR_NOT_SENT, t);
    CHECK(now_ms() - t0 < 2000u);
    CHECK(olock_curl_last_code(t) == (int)CURLE_COULDNT_CONNECT);
    CHECKF(strstr(olock_curl_last_error(t), "not sent") != NULL && strstr(olock_curl_last_error(t), "curl error 7") != NULL,
           "%s", olock_curl_last_error(t));
    CHECK(res.status == 0);
    /* The same transport works afterwards. */
    r = post(t, "http", g_stub.http, "/echo", &res);
    CHECK_RESULT(r, OLOCK_OK, t);
    CHECK(strcmp(olock_curl_last_error(t), "") == 0);
    olock_http_response_free(&res);
    olock_curl_destroy(t);
}

static void test_timeouts(void) {
    olock_http_response res;
    olock_curl *t;
    olock_result r;
    uint64_t t0, dt;
    olock_http_response_init(&res, NULL, 0);

    /* The server reads the request and never answers. */
    t = make(0, 500, NULL);
    if (t) {
        t0 = now_ms();
        r = post(t, "http", g_stub.http, "/hang", &res);
        dt = now_ms() - t0;
        CHECK_RESULT(r, OLOCK_ERR_MAYBE_SENT, t);
        CHECK(olock_curl_last_code(t) == (int)CURLE_OPERATION_TIMEDOUT);
        CHECKF(dt >= 450u && dt < 1500u, "took %lu ms with a 500 ms timeout", (unsigned long)dt);
        /* A reused connection that then hangs: still one timeout, no resend. */
        r = post(t, "http", g_stub.http, "/echo", &res);
        CHECK_RESULT(r, OLOCK_OK, t);
        t0 = now_ms();
        r = post(t, "http", g_stub.http, "/hang", &res);
        dt = now_ms() - t0;
        CHECK_RESULT(r, OLOCK_ERR_MAYBE_SENT, t);
        CHECKF(dt < 1500u, "took %lu ms", (unsigned long)dt);
        olock_curl_destroy(t);
    }
    /* Plain HTTP to a server that accepts and never reads or writes: the request went out. */
    t = make(0, 400, NULL);
    if (t) {
        r = post(t, "http", g_stub.silent, "/", &res);
        CHECK_RESULT(r, OLOCK_ERR_MAYBE_SENT, t);
        olock_curl_destroy(t);
    }
    /* TLS handshake that never completes: connect timeout, nothing sent. */
    t = make(300, 5000, NULL);
    if (t) {
        t0 = now_ms();
        r = post(t, "https", g_stub.silent, "/", &res);
        dt = now_ms() - t0;
        CHECK_RESULT(r, OLOCK_ERR_NOT_SENT, t);
        CHECK(olock_curl_last_code(t) == (int)CURLE_OPERATION_TIMEDOUT);
        CHECKF(dt >= 250u && dt < 1500u, "took %lu ms with a 300 ms connect timeout", (unsigned long)dt);
        olock_curl_destroy(t);
    }
    /* Same, but the total timeout is the one that fires, still before any request. */
    t = make(5000, 400, NULL);
    if (t) {
        t0 = now_ms();
        r = post(t, "https", g_stub.silent, "/", &res);
        dt = now_ms() - t0;
        CHECK_RESULT(r, OLOCK_ERR_NOT_SENT, t);
        CHECK(olock_curl_last_code(t) == (int)CURLE_OPERATION_TIMEDOUT);
        CHECKF(dt < 1500u, "took %lu ms", (unsigned long)dt);
        olock_curl_destroy(t);
    }
    olock_http_response_free(&res);
}

static void test_cut_short(void) {
    olock_http_response res;
    olock_curl *t = make(0, 0, NULL);
    olock_result r;
    if (!t) return;
    olock_http_response_init(&res, NULL, 0);
    r = post(t, "http", g_stub.http, "/short", &res);
    CHECK_RESULT(r, OLOCK_ERR_MAYBE_SENT, t);
    CHECK(olock_curl_last_code(t) == (int)CURLE_PARTIAL_FILE);
    CHECK(res.status == 200);                                  /* what arrived stays visible */
    olock_http_response_free(&res);
    olock_curl_destroy(t);
}

static void test_tls(void) {
    olock_http_response res;
    olock_curl *t;
    olock_result r;
    olock_http_response_init(&res, NULL, 0);
    /* Trusted CA, certificate for 127.0.0.1. */
    t = make(0, 0, g_stub.ca);
    if (t) {
        r = post(t, "https", g_stub.https, "/echo", &res);
        CHECK_RESULT(r, OLOCK_OK, t);
        CHECK(res.status == 200);
        r = post(t, "https", g_stub.https, "/big?n=200000", &res);
        CHECK_RESULT(r, OLOCK_OK, t);
        CHECK(pattern_ok(&res, 200000u));
        /* The name does not match: host verification refuses it. */
        r = post(t, "https", g_stub.mismatch, "/echo", &res);
        CHECK_RESULT(r, OLOCK_ERR_NOT_SENT, t);
        CHECKF(olock_curl_last_code(t) == (int)CURLE_PEER_FAILED_VERIFICATION, "code %d", olock_curl_last_code(t));
        olock_curl_destroy(t);
    }
    /* Default CA store: the test CA is unknown, the peer is refused. */
    t = make(0, 0, NULL);
    if (t) {
        r = post(t, "https", g_stub.https, "/echo", &res);
        CHECK_RESULT(r, OLOCK_ERR_NOT_SENT, t);
        CHECKF(olock_curl_last_code(t) == (int)CURLE_PEER_FAILED_VERIFICATION, "code %d", olock_curl_last_code(t));
        olock_curl_destroy(t);
    }
    /* A CA file that does not exist. */
    t = make(0, 0, "/nonexistent/olock-ca.pem");
    if (t) {
        r = post(t, "https", g_stub.https, "/echo", &res);
        CHECK_RESULT(r, OLOCK_ERR_NOT_SENT, t);
        olock_curl_destroy(t);
    }
    olock_http_response_free(&res);
}

static void test_invalid_requests(void) {
    olock_http_response res;
    olock_curl *t = make(0, 0, NULL);
    olock_transport tr;
    olock_http_header bad;
    stub_counts before, after;
    char url[256];
    olock_result r;
    if (!t) return;
    olock_http_response_init(&res, NULL, 0);
    tr = olock_curl_transport(t);
    url_of(url, sizeof url, "http", g_stub.http, "/echo");
    before = stub_stats(NULL);
    r = tr.send(tr.user, NULL, &res);
    CHECK_RESULT(r, OLOCK_ERR_INVALID_ARG, t);
    r = send_req(t, "POST", "ftp://127.0.0.1/", NULL, 0, "{}", 2, &res);
    CHECK_RESULT(r, OLOCK_ERR_INVALID_ARG, t);
    r = send_req(t, "POST", "127.0.0.1:8000/", NULL, 0, "{}", 2, &res);
    CHECK_RESULT(r, OLOCK_ERR_INVALID_ARG, t);
    bad.name = "X-Evil"; bad.value = "a\r\nX-Injected: 1";
    r = send_req(t, "POST", url, &bad, 1, "{}", 2, &res);
    CHECK_RESULT(r, OLOCK_ERR_INVALID_ARG, t);
    CHECK(strstr(olock_curl_last_error(t), "header") != NULL);
    bad.name = "Bad Name"; bad.value = "x";
    r = send_req(t, "POST", url, &bad, 1, "{}", 2, &res);
    CHECK_RESULT(r, OLOCK_ERR_INVALID_ARG, t);
    bad.name = "X-Null"; bad.value = NULL;
    r = send_req(t, "POST", url, &bad, 1, "{}", 2, &res);
    CHECK_RESULT(r, OLOCK_ERR_INVALID_ARG, t);
    r = send_req(t, "PO ST", url, NULL, 0, "{}", 2, &res);
    CHECK_RESULT(r, OLOCK_ERR_INVALID_ARG, t);
    r = send_req(t, "HEAD", url, NULL, 0, NULL, 0, &res);
    CHECK_RESULT(r, OLOCK_ERR_UNSUPPORTED, t);
    r = send_req(t, "POST", url, NULL, 0, NULL, 5, &res);
    CHECK_RESULT(r, OLOCK_ERR_INVALID_ARG, t);
    r = send_req(t, "GET", url, NULL, 0, "x", 1, &res);
    CHECK_RESULT(r, OLOCK_ERR_INVALID_ARG, t);
    after = stub_stats(NULL);
    CHECK(after.requests == before.requests);
    /* Still usable. */
    r = send_req(t, "POST", url, NULL, 0, "{}", 2, &res);
    CHECK_RESULT(r, OLOCK_OK, t);
    CHECK(olock_curl_create(NULL, NULL) == OLOCK_ERR_INVALID_ARG);
    olock_http_response_free(&res);
    olock_curl_destroy(t);
}

static void test_verbose_redacts(void) {
    olock_curl_config cfg = olock_curl_config_default();
    olock_curl *t = NULL;
    olock_http_response res;
    olock_http_header h[3];
    char tmpl[] = "/tmp/olock-test-curl-XXXXXX", url[256], buf[16384];
    int fd, saved;
    ssize_t n;
    olock_result r;
    cfg.verbose = 1;
    if (olock_curl_create(&cfg, &t) != OLOCK_OK) {
        CHECK(0);
        return;
    }
    h[0].name = "Authorization"; h[0].value = "AWS4-HMAC-SHA256 Credential=AKIDSENTINEL/x, Signature=SIGSENTINEL";
    h[1].name = "X-Amz-Security-Token"; h[1].value = "TOKENSENTINEL";
    h[2].name = "X-Amz-Target"; h[2].value = "DynamoDB_20120810.PutItem";
    olock_http_response_init(&res, NULL, 0);
    fd = mkstemp(tmpl);
    if (fd < 0) {
        CHECK(fd >= 0);
        olock_curl_destroy(t);
        return;
    }
    fflush(stderr);
    saved = dup(2);
    dup2(fd, 2);
    /* /status, not /echo: the echo would send the secrets back in response headers. */
    r = send_req(t, "POST", url_of(url, sizeof url, "http", g_stub.http, "/status?code=200"), h, 3, "{\"secret-body\":1}", 17, &res);
    fflush(stderr);
    dup2(saved, 2);
    close(saved);
    CHECK_RESULT(r, OLOCK_OK, t);
    lseek(fd, 0, SEEK_SET);
    n = read(fd, buf, sizeof buf - 1);
    buf[n > 0 ? n : 0] = '\0';
    close(fd);
    unlink(tmpl);
    CHECKF(strstr(buf, "> POST /status?code=200") != NULL, "trace: %.200s", buf);
    CHECK(strstr(buf, "Authorization: [redacted]") != NULL);
    CHECK(strstr(buf, "X-Amz-Security-Token: [redacted]") != NULL);
    CHECK(strstr(buf, "X-Amz-Target: DynamoDB_20120810.PutItem") != NULL);
    CHECK(strstr(buf, "SENTINEL") == NULL);
    CHECK(strstr(buf, "secret-body") == NULL);
    olock_http_response_free(&res);
    olock_curl_destroy(t);
}

typedef struct count_alloc {
    long allocs, frees;
    size_t live;
} count_alloc;

static void *ca_malloc(void *ctx, size_t size) {
    count_alloc *c = (count_alloc *)ctx;
    c->allocs++;
    c->live += size;
    return malloc(size);
}
static void *ca_realloc(void *ctx, void *p, size_t old_size, size_t new_size) {
    count_alloc *c = (count_alloc *)ctx;
    void *q = realloc(p, new_size);
    if (q) {
        if (!p) c->allocs++;
        c->live = c->live - old_size + new_size;
    }
    return q;
}
static void ca_free(void *ctx, void *p, size_t size) {
    count_alloc *c = (count_alloc *)ctx;
    c->frees++;
    c->live -= size;
    free(p);
}

static void test_ownership_and_allocator(void) {
    count_alloc ca;
    olock_curl_config cfg = olock_curl_config_default();
    olock_curl *t = NULL;
    olock_transport tr;
    olock_http_response res;
    olock_http_header h;
    char url[256];
    olock_curl_stats st;

    olock_curl_destroy(NULL);                              /* no-op */
    CHECK(strcmp(olock_curl_last_error(NULL), "") == 0);
    olock_curl_get_stats(NULL, &st);
    CHECK(st.sends == 0);

    memset(&ca, 0, sizeof ca);
    cfg.allocator.ctx = &ca;
    cfg.allocator.malloc_fn = ca_malloc;
    cfg.allocator.realloc_fn = ca_realloc;
    cfg.allocator.free_fn = ca_free;
    CHECK(olock_curl_create(&cfg, &t) == OLOCK_OK);
    if (!t) return;
    CHECK(ca.allocs >= 1);
    tr = olock_curl_transport(t);
    CHECK(tr.user == (void *)t && tr.send != NULL && tr.destroy != NULL);
    olock_http_response_init(&res, NULL, 0);
    h.name = "X-Amz-Target"; h.value = "DynamoDB_20120810.ListTables";
    CHECK(send_req(t, "POST", url_of(url, sizeof url, "http", g_stub.http, "/echo"), &h, 1, "{}", 2, &res) == OLOCK_OK);
    olock_http_response_free(&res);
    tr.destroy(tr.user);                                   /* the owner destroys it this way */
    CHECKF(ca.live == 0 && ca.frees >= 1, "live %lu allocs %ld frees %ld", (unsigned long)ca.live, ca.allocs, ca.frees);

    cfg.allocator.free_fn = NULL;                          /* incomplete allocator */
    t = NULL;
    CHECK(olock_curl_create(&cfg, &t) == OLOCK_ERR_INVALID_ARG && t == NULL);
}

/* The transport under the core's client: ownership, status, body, CRC and error mapping. */
static void test_with_client(void) {
    static const char put[] = "{\"TableName\":\"t\",\"Item\":{\"id\":{\"S\":\"a\"}}}";
    olock_config cfg = olock_config_default();
    olock_client *c = NULL;
    olock_response out;
    olock_error err;
    olock_result r;
    char url[256];
    olock_curl *t = make(0, 0, NULL);
    if (!t) return;
    cfg.endpoint = url_of(url, sizeof url, "http", g_stub.http, "/ddb");
    cfg.region = "local";
    cfg.credentials.access_key_id = "AKIDLOCAL";           /* a network transport needs credentials; the stub takes any */
    cfg.credentials.secret_access_key = "local";
    cfg.transport = olock_curl_transport(t);               /* the client owns t from here on */
    memset(&err, 0, sizeof err);
    r = olock_client_create(&cfg, &c, &err);
    CHECKF(r == OLOCK_OK, "olock_client_create: %d %s", (int)r, err.message);
    if (r != OLOCK_OK) return;
    r = olock_client_call(c, OLOCK_OP_LIST_TABLES, "{}", 2, &out, &err);
    CHECKF(r == OLOCK_OK, "ListTables: %d %s / %s", (int)r, err.message, olock_curl_last_error(t));
    if (r == OLOCK_OK) {
        const olock_json *names = olock_json_get(out.json, "TableNames");
        CHECK(out.http_status == 200 && names && names->count == 1 && names->first && strcmp(names->first->str, "olock") == 0);
    }
    r = olock_describe_table(c, "missing", &out, &err);
    CHECKF(r == OLOCK_ERR_SERVICE, "DescribeTable: %d %s", (int)r, err.message);
    CHECK(err.http_status == 400 && strcmp(err.aws_type, "ResourceNotFoundException") == 0);
    olock_client_destroy(c);                               /* destroys t (ASan checks) */

    /* A server that drops a write: the client reports MAYBE_SENT. (A read may be reported
       as a transient error instead: it changed nothing.) */
    t = make(0, 0, NULL);
    if (!t) return;
    cfg.endpoint = url_of(url, sizeof url, "http", g_stub.http, "/drop");
    cfg.transport = olock_curl_transport(t);
    c = NULL;
    r = olock_client_create(&cfg, &c, &err);
    CHECK(r == OLOCK_OK);
    if (r != OLOCK_OK) return;
    r = olock_client_call(c, OLOCK_OP_PUT_ITEM, put, strlen(put), &out, &err);
    CHECKF(r == OLOCK_ERR_MAYBE_SENT, "got %d %s", (int)r, err.message);
    olock_client_destroy(c);
}

/* What a client over curl says when the endpoint is wrong: curl's reason for a refused
   connection, the status and the endpoint for an answer that is not DynamoDB's; and that a
   network transport needs a region and credentials before it sends anything. */
static void test_client_errors(void) {
    olock_config cfg = olock_config_default();
    olock_client *c = NULL;
    olock_response out;
    olock_error err;
    olock_result r;
    char url[256], port[32];
    int closed = closed_port();
    olock_curl *t = make(0, 0, NULL);
    if (!t) return;
    cfg.transport = olock_curl_transport(t);
    CHECK(cfg.transport.kind == OLOCK_TRANSPORT_NETWORK && cfg.transport.last_error != NULL);
    cfg.endpoint = url_of(url, sizeof url, "http", closed, "/");
    cfg.ignore_environment = 1;
    r = olock_client_create(&cfg, &c, &err);             /* no region, no credentials */
    CHECKF(r == OLOCK_ERR_CONFIG && strstr(err.message, "no region to sign requests with") && strstr(err.message, "no credentials"),
           "%d %s", (int)r, err.message);

    t = make(0, 0, NULL);
    if (!t) return;
    cfg.transport = olock_curl_transport(t);
    cfg.region = "us-east-1";
    cfg.credentials.access_key_id = "AKIDLOCAL";
    cfg.credentials.secret_access_key = "local";
    r = olock_client_create(&cfg, &c, &err);
    CHECKF(r == OLOCK_OK, "olock_client_create: %d %s", (int)r, err.message);
    if (r != OLOCK_OK) return;
    r = olock_describe_table(c, "t1", &out, &err);
    snprintf(port, sizeof port, "port %d", closed);
    CHECKF(r == OLOCK_ERR_NOT_SENT && strncmp(err.message, "request not sent: curl error 7 (", 32) == 0 &&
           strstr(err.message, "127.0.0.1") && strstr(err.message, port), "%d %s", (int)r, err.message);
    olock_client_destroy(c);

    /* the stub answers 404 with an empty body to any other path */
    t = make(0, 0, NULL);
    if (!t) return;
    cfg.transport = olock_curl_transport(t);
    cfg.endpoint = url_of(url, sizeof url, "http", g_stub.http, "/nowhere");
    r = olock_client_create(&cfg, &c, &err);
    CHECKF(r == OLOCK_OK, "olock_client_create: %d %s", (int)r, err.message);
    if (r != OLOCK_OK) return;
    r = olock_describe_table(c, "t1", &out, &err);
    CHECKF(r == OLOCK_ERR_PARSE && err.http_status == 404 && strstr(err.message, "HTTP 404 with an empty body: is the endpoint (") &&
           strstr(err.message, "/nowhere) DynamoDB?"), "%d %s", (int)r, err.message);
    olock_client_destroy(c);
}

/* --- responses cut short (tests/http_stub.js's raw server) ---------------------------------- */

/* The contract: OK only for a whole response; once a response has begun (or the request went
   out and nothing came back) a failure is MAYBE_SENT, whatever libcurl made of it. */

#define DDB_ITEM "{\"Item\":{\"id\":{\"S\":\"p1\"},\"gold\":{\"N\":\"10\"},\"version\":{\"N\":\"7\"}}}"
#define DDB_ITEM_CRC "3911925482"
#define DDB_HEAD "Server: Server\r\nDate: Tue, 14 Jan 2025 10:00:00 GMT\r\nContent-Type: application/x-amz-json-1.0\r\n"
#define DDB_ID "x-amzn-RequestId: 4KBNVRGD25RG4KOPHS2BUQCV3VVV4KQNSO5AEMVJF66Q9ASUAAJG\r\n"

/* Asks the raw server's /cut route to send `answer` back: its first `at` bytes then a close
   per `close` (fin, rst, hang), or all of it on a kept connection when at < 0. */
static olock_result cut_send(olock_curl *t, const char *answer, size_t len, long at, const char *close,
                             olock_http_response *res) {
    char path[96], url[256];
    if (at >= 0) snprintf(path, sizeof path, "/cut?at=%ld&close=%s", at, close);
    else snprintf(path, sizeof path, "/cut");
    return send_req(t, "POST", url_of(url, sizeof url, "http", g_stub.raw, path), NULL, 0, answer, len, res);
}

/* What the raw server answers to anything but /cut (the engine's requests). */
static int raw_config(const char *answer, long at) {
    char path[96], url[256];
    int ok;
    olock_http_response res;
    olock_http_response_init(&res, NULL, 0);
    snprintf(path, sizeof path, "/raw-config?at=%ld&close=fin", at);
    ok = send_req(g_ctl, "POST", url_of(url, sizeof url, "http", g_stub.http, path), NULL, 0, answer, strlen(answer), &res) == OLOCK_OK &&
         res.status == 204;
    olock_http_response_free(&res);
    return ok;
}

static long raw_requests(void) {
    long n = -1;
    olock_http_response res;
    olock_http_response_init(&res, NULL, 0);
    if (post(g_ctl, "http", g_stub.http, "/stats", &res) == OLOCK_OK && res.status == 200) n = header_long(&res, "x-stub-raw-requests");
    olock_http_response_free(&res);
    return n;
}

static int has(const char *s, const char *part) { return strstr(s, part) != NULL; }

typedef struct cut_case {
    const char *name;
    char text[1024];
    size_t len;
    size_t status_end;             /* just past the final response's status line */
    size_t head_end;               /* just past its empty line */
    size_t ok_from;                /* the shortest cut that is still a whole response (len + 1: none) */
    int framed;                    /* Content-Length or chunked */
} cut_case;

static void cut_case_init(cut_case *c, const char *name, const char *text, int framed, size_t ok_tail) {
    const char *fin = strstr(text, " 200 OK\r\n");
    c->name = name;
    snprintf(c->text, sizeof c->text, "%s", text);
    c->len = strlen(c->text);
    c->status_end = (size_t)(strstr(fin, "\r\n") - text) + 2;
    c->head_end = (size_t)(strstr(fin, "\r\n\r\n") - text) + 4;
    c->framed = framed;
    c->ok_from = framed ? c->len - ok_tail : c->len + 1;
}

/* Cuts one real-looking response at every byte offset and checks what send says. */
static void cut_every_byte(olock_curl *t, const cut_case *c) {
    olock_http_response res;
    size_t at;
    int table = getenv("OLOCK_TEST_CUT_TABLE") != NULL;   /* prints what libcurl did at each cut */
    olock_http_response_init(&res, NULL, 0);
    for (at = 0; at <= c->len; at++) {
        olock_result r = cut_send(t, c->text, c->len, (long)at, "fin", &res);
        const char *e = olock_curl_last_error(t);
        int code = olock_curl_last_code(t), cause;
        if (table) printf("cut %-9s at=%3lu result=%-10s curl=%2d %s\n", c->name, (unsigned long)at, rstr(r), code, e);
        if (r == OLOCK_OK || at >= c->ok_from) {
            /* OK only with the whole body. Between the last chunk and the end of a chunked
               response libcurl 7.88 says OK or PARTIAL_FILE, as the FIN comes with the data or
               after it; both are honest. */
            int partial_ok = at < c->len && code == (int)CURLE_PARTIAL_FILE;
            CHECKF(at >= c->ok_from && ((r == OLOCK_OK && res.status == 200 && res.body.len == strlen(DDB_ITEM) &&
                                         memcmp(res.body.data, DDB_ITEM, strlen(DDB_ITEM)) == 0) ||
                                        (r == OLOCK_ERR_MAYBE_SENT && partial_ok)),
                   "%s at %lu of %lu: got %s, status %d, %lu body bytes; %s", c->name, (unsigned long)at,
                   (unsigned long)c->len, rstr(r), res.status, (unsigned long)res.body.len, e);
            continue;
        }
        if (at < c->status_end) {
            /* No final status line: libcurl's own error (7.88: GOT_NOTHING), or a cut inside a
               1xx response's headers. */
            cause = (code != 0 && has(e, "curl error")) || has(e, "inside the response headers");
        } else if (at < c->head_end) {
            /* libcurl calls this a success until it knows a body length (7.88: PARTIAL_FILE
               after the Content-Length line); olock must not. */
            cause = (code == 0 && has(e, "connection closed inside the response headers")) ||
                    (c->framed && code == (int)CURLE_PARTIAL_FILE);
        } else {
            cause = c->framed ? code == (int)CURLE_PARTIAL_FILE : (code == 0 && has(e, "no stated length"));
        }
        CHECKF(r == OLOCK_ERR_MAYBE_SENT && has(e, "request may have been sent") && cause,
               "%s cut at %lu of %lu (status line ends at %lu, headers at %lu): got %s, curl %d: %s", c->name,
               (unsigned long)at, (unsigned long)c->len, (unsigned long)c->status_end, (unsigned long)c->head_end,
               rstr(r), code, e);
    }
    olock_http_response_free(&res);
}

static void test_cut_every_byte(void) {
    static cut_case cases[5];
    static const char item[] = DDB_ITEM;
    char chunked[1024];
    olock_curl *t = make(0, 3000, NULL);
    size_t i, half = strlen(item) / 2;
    if (!t) return;
    cut_case_init(&cases[0], "length", "HTTP/1.1 200 OK\r\n" DDB_HEAD "Content-Length: 64\r\nConnection: keep-alive\r\n"
                  DDB_ID "x-amz-crc32: " DDB_ITEM_CRC "\r\n\r\n" DDB_ITEM, 1, 0);
    snprintf(chunked, sizeof chunked, "HTTP/1.1 200 OK\r\n" DDB_HEAD "Transfer-Encoding: chunked\r\n" DDB_ID
             "x-amz-crc32: " DDB_ITEM_CRC "\r\n\r\n%lx\r\n%.*s\r\n%lx\r\n%s\r\n0\r\n\r\n", (unsigned long)half,
             (int)half, item, (unsigned long)(strlen(item) - half), &item[half]);
    /* The body is whole once the last chunk ("0\r\n") is in; libcurl 7.88 then takes the
       missing CRLF that ends the (empty) trailer section as the end. */
    cut_case_init(&cases[1], "chunked", chunked, 1, 2);
    cut_case_init(&cases[2], "close", "HTTP/1.1 200 OK\r\n" DDB_HEAD "Connection: close\r\n" DDB_ID
                  "x-amz-crc32: " DDB_ITEM_CRC "\r\n\r\n" DDB_ITEM, 0, 0);
    cut_case_init(&cases[3], "http1.0", "HTTP/1.0 200 OK\r\n" DDB_HEAD DDB_ID "\r\n" DDB_ITEM, 0, 0);
    cut_case_init(&cases[4], "continue", "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Type: "
                  "application/x-amz-json-1.0\r\nContent-Length: 64\r\n\r\n" DDB_ITEM, 1, 0);
    for (i = 0; i < sizeof cases / sizeof cases[0]; i++) cut_every_byte(t, &cases[i]);
    olock_curl_destroy(t);
}

/* A reset instead of a FIN, and a server that stops writing and holds the connection. */
static void test_cut_reset_and_stall(void) {
    static const char answer[] = "HTTP/1.1 200 OK\r\nContent-Type: application/x-amz-json-1.0\r\nContent-Length: 2\r\n"
                                 "x-amz-crc32: 2745614147\r\n\r\n{}";
    const long ats[] = { 0, 9, 17, 30, 79, 104, 105 };   /* status line, headers, right after them, body */
    olock_http_response res;
    olock_curl *t = make(0, 3000, NULL);
    olock_result r;
    size_t i;
    if (!t) return;
    olock_http_response_init(&res, NULL, 0);
    for (i = 0; i < sizeof ats / sizeof ats[0]; i++) {
        int code;
        r = cut_send(t, answer, strlen(answer), ats[i], "rst", &res);
        code = olock_curl_last_code(t);
        CHECKF(r == OLOCK_ERR_MAYBE_SENT && has(olock_curl_last_error(t), "request may have been sent: curl error") &&
               (code == (int)CURLE_RECV_ERROR || code == (int)CURLE_GOT_NOTHING || code == (int)CURLE_PARTIAL_FILE),
               "reset after %ld bytes: got %s, curl %d: %s", ats[i], rstr(r), code, olock_curl_last_error(t));
    }
    olock_curl_destroy(t);
    t = make(0, 400, NULL);
    if (t) {
        for (i = 0; i < 3; i++) {
            r = cut_send(t, answer, strlen(answer), ats[i * 2 + 1], "hang", &res);
            CHECK_RESULT(r, OLOCK_ERR_MAYBE_SENT, t);
            CHECKF(olock_curl_last_code(t) == (int)CURLE_OPERATION_TIMEDOUT && has(olock_curl_last_error(t), "may have been sent"),
                   "stall after %ld bytes: curl %d: %s", ats[i * 2 + 1], olock_curl_last_code(t), olock_curl_last_error(t));
        }
        olock_curl_destroy(t);
    }
    olock_http_response_free(&res);
}

/* On a reused connection: a cut before the status line ended looks like a connection the
   server had closed while idle, so the request is resent once (libcurl 7.88 does it itself)
   and the server sees it twice; a cut after it is never resent. */
static void test_cut_on_reused_connection(void) {
    static const char answer[] = "HTTP/1.1 200 OK\r\nContent-Type: application/x-amz-json-1.0\r\nContent-Length: 2\r\n\r\n{}";
    olock_http_response res;
    olock_curl *t = make(0, 3000, NULL);
    olock_curl_stats st;
    olock_result r;
    long before;
    if (!t) return;
    olock_http_response_init(&res, NULL, 0);
    r = cut_send(t, answer, strlen(answer), -1, "fin", &res);
    CHECK_RESULT(r, OLOCK_OK, t);
    before = raw_requests();
    r = cut_send(t, answer, strlen(answer), 5, "fin", &res);
    CHECK_RESULT(r, OLOCK_ERR_MAYBE_SENT, t);
    CHECKF(raw_requests() - before == 2, "the raw server read %ld requests", raw_requests() - before);
    olock_curl_get_stats(t, &st);
#if OLOCK__CURL_HAS_PREREQ
    CHECKF(st.resends == 1, "resends %lu", (unsigned long)st.resends);
#endif
    r = cut_send(t, answer, strlen(answer), -1, "fin", &res);
    CHECK_RESULT(r, OLOCK_OK, t);
    before = raw_requests();
    r = cut_send(t, answer, strlen(answer), 30, "fin", &res);
    CHECK_RESULT(r, OLOCK_ERR_MAYBE_SENT, t);
    CHECKF(has(olock_curl_last_error(t), "connection closed inside the response headers"), "%s", olock_curl_last_error(t));
    CHECKF(raw_requests() - before == 1, "the raw server read %ld requests", raw_requests() - before);
    olock_curl_get_stats(t, &st);
    CHECKF(st.resends == 1, "resends %lu", (unsigned long)st.resends);
    olock_http_response_free(&res);
    olock_curl_destroy(t);
}

/* Past max_response_bytes, however the body is delimited and wherever it is cut. */
static void test_cut_oversize(void) {
    static char answer[6000];
    olock_http_response res;
    olock_curl *t = make(0, 3000, NULL);
    const char *heads[3];
    size_t i, head_len;
    if (!t) return;
    heads[0] = "HTTP/1.1 200 OK\r\nContent-Length: 5000\r\n\r\n";
    heads[1] = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1388\r\n";
    heads[2] = "HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n";
    olock_http_response_init(&res, NULL, 1000u);
    for (i = 0; i < 3; i++) {
        size_t len;
        long at;
        head_len = strlen(heads[i]);
        memcpy(answer, heads[i], head_len);
        memset(answer + head_len, 'x', 5000);
        len = head_len + 5000;
        if (i == 1) {
            memcpy(answer + len, "\r\n0\r\n\r\n", 7);
            len += 7;
        }
        /* Whole, and cut with more than the cap's worth of body already sent. */
        for (at = (long)len; at > (long)head_len + 1100; at -= 1500) {
            olock_result r = cut_send(t, answer, len, at, "fin", &res);
            CHECK_RESULT(r, OLOCK_ERR_MAYBE_SENT, t);
            CHECKF(has(olock_curl_last_error(t), "request may have been sent: response body larger than the 1000-byte limit"),
                   "%s", olock_curl_last_error(t));
            CHECK(res.body.len <= 1000u);
        }
    }
    olock_http_response_free(&res);
    olock_curl_destroy(t);
}

/* Out of memory while storing the response. */
static void *small_malloc(void *ctx, size_t size) { (void)ctx; return size > 4096 ? NULL : malloc(size); }
static void *small_realloc(void *ctx, void *p, size_t old_size, size_t new_size) {
    (void)ctx; (void)old_size;
    return new_size > 4096 ? NULL : realloc(p, new_size);
}
static void small_free(void *ctx, void *p, size_t size) { (void)ctx; (void)size; free(p); }

static void test_cut_out_of_memory(void) {
    static char answer[12000];
    olock_allocator small;
    olock_http_response res;
    olock_curl *t = make(0, 3000, NULL);
    olock_result r;
    int n;
    if (!t) return;
    small.ctx = NULL;
    small.malloc_fn = small_malloc;
    small.realloc_fn = small_realloc;
    small.free_fn = small_free;
    olock_http_response_init(&res, &small, 0);
    n = snprintf(answer, sizeof answer, "HTTP/1.1 200 OK\r\nContent-Length: 10000\r\n\r\n");
    memset(answer + n, 'y', 10000);
    r = cut_send(t, answer, (size_t)n + 10000u, -1, "fin", &res);
    CHECK_RESULT(r, OLOCK_ERR_MAYBE_SENT, t);
    CHECKF(has(olock_curl_last_error(t), "request may have been sent: storing the response failed: out of memory"),
           "%s", olock_curl_last_error(t));
    olock_http_response_free(&res);
    olock_curl_destroy(t);
}

/* The request header lines (the signature, the session token) are wiped after each send and
   before their buffer is freed, also when it is replaced by a larger one. */
typedef struct snoop_alloc {
    long frees, dirty;             /* blocks freed; ... that still held the secret */
} snoop_alloc;

static const char g_secret[] = "SECRET-b6f1d9c4e2a7";

static int holds_secret(const void *p, size_t n) {
    const char *c = (const char *)p;
    size_t i, k = sizeof g_secret - 1;
    for (i = 0; p && i + k <= n; i++) {
        if (memcmp(c + i, g_secret, k) == 0) return 1;
    }
    return 0;
}
static void *snoop_malloc(void *ctx, size_t size) { (void)ctx; return malloc(size); }
static void *snoop_realloc(void *ctx, void *p, size_t old_size, size_t new_size) {
    snoop_alloc *s = (snoop_alloc *)ctx;
    void *q;
    if (p && holds_secret(p, old_size)) s->dirty++;
    q = malloc(new_size);
    if (q && p) memcpy(q, p, old_size < new_size ? old_size : new_size);
    if (q) free(p);
    return q;
}
static void snoop_free(void *ctx, void *p, size_t size) {
    snoop_alloc *s = (snoop_alloc *)ctx;
    s->frees++;
    if (holds_secret(p, size)) s->dirty++;
    free(p);
}

static void test_header_lines_wiped(void) {
    snoop_alloc sa;
    olock_curl_config cfg = olock_curl_config_default();
    olock_curl *t = NULL;
    olock_http_response res;
    olock_http_header h[3];
    char url[256], auth[300], *big;
    olock_result r;
    memset(&sa, 0, sizeof sa);
    cfg.allocator.ctx = &sa;
    cfg.allocator.malloc_fn = snoop_malloc;
    cfg.allocator.realloc_fn = snoop_realloc;
    cfg.allocator.free_fn = snoop_free;
    CHECK(olock_curl_create(&cfg, &t) == OLOCK_OK);
    if (!t) return;
    olock_http_response_init(&res, NULL, 0);
    snprintf(auth, sizeof auth, "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20250114/local/dynamodb/aws4_request, "
             "SignedHeaders=host;x-amz-date, Signature=%s", g_secret);
    h[0].name = "Authorization"; h[0].value = auth;
    h[1].name = "X-Amz-Security-Token"; h[1].value = g_secret;
    r = send_req(t, "POST", url_of(url, sizeof url, "http", g_stub.http, "/echo"), h, 2, "{}", 2, &res);
    CHECK_RESULT(r, OLOCK_OK, t);
    CHECK(olock_http_response_header(&res, "x-req-authorization") != NULL);   /* it was sent */
    CHECK(!holds_secret(t->line.data, t->line.cap));
    /* A larger request: the buffer is replaced; the old block is wiped before it is freed. */
    big = (char *)malloc(8000);                            /* node takes up to 16 KiB of headers */
    if (big) {
        memset(big, 'z', 7999);
        big[7999] = '\0';
        h[2].name = "X-Big"; h[2].value = big;
        r = send_req(t, "POST", url_of(url, sizeof url, "http", g_stub.http, "/echo"), h, 3, "{}", 2, &res);
        CHECK_RESULT(r, OLOCK_OK, t);
        CHECK(!holds_secret(t->line.data, t->line.cap));
        free(big);
    }
    /* A request refused while its lines are built is wiped too. */
    h[2].name = "Bad Name"; h[2].value = "v";
    r = send_req(t, "POST", url, h, 3, "{}", 2, &res);
    CHECK_RESULT(r, OLOCK_ERR_INVALID_ARG, t);
    CHECK(!holds_secret(t->line.data, t->line.cap));
    /* A failing send (the request went out, the answer is cut) wipes them as well. */
    r = send_req(t, "POST", url_of(url, sizeof url, "http", g_stub.http, "/drop"), h, 2, "{}", 2, &res);
    CHECK_RESULT(r, OLOCK_ERR_MAYBE_SENT, t);
    CHECK(!holds_secret(t->line.data, t->line.cap));
    olock_curl_destroy(t);
    CHECKF(sa.frees >= 2 && sa.dirty == 0, "%ld blocks freed, %ld still held the secret", sa.frees, sa.dirty);
    olock_http_response_free(&res);
}

/* End to end: a versioned write through a client on this transport, against a server that
   applies nothing and cuts every answer. The outcome cannot be known, so it must end in
   MAYBE_SENT (or a settled result), never in OK on an empty 200, nor RESPONSE / PARSE. */
static olock_client *cut_client(olock_curl *t, char *url, size_t url_size) {
    olock_config cfg = olock_config_default();
    olock_client *c = NULL;
    olock_error err;
    olock_result r;
    cfg.endpoint = url_of(url, url_size, "http", g_stub.raw, "/");
    cfg.region = "local";
    cfg.credentials.access_key_id = "AKIDEXAMPLE";
    cfg.credentials.secret_access_key = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
    cfg.ignore_environment = 1;
    cfg.retry.transient_attempts = 2;
    cfg.retry.base_ms = 1;
    cfg.transport = olock_curl_transport(t);               /* the client owns t from here on */
    memset(&err, 0, sizeof err);
    r = olock_client_create(&cfg, &c, &err);
    CHECKF(r == OLOCK_OK, "olock_client_create: %d %s", (int)r, err.message);
    return r == OLOCK_OK ? c : NULL;
}

static void test_engine_write_cut(void) {
    static const char answer[] = "HTTP/1.1 200 OK\r\nx-amzn-RequestId: 4KBNVRGD25RG4KOPHS2BUQCV3VVV4KQNSO5AEMVJF66Q9ASUAAJG\r\n"
                                 "Content-Type: application/x-amz-json-1.0\r\nContent-Length: 2\r\n"
                                 "x-amz-crc32: 2745614147\r\n\r\n{}";
    static const char unframed[] = "HTTP/1.1 200 OK\r\nContent-Type: application/x-amz-json-1.0\r\n\r\n{}";
    struct { const char *answer; long at; const char *what; } cuts[4];
    olock_arena arena;
    olock_value *item;
    size_t i;
    char url[256];
    cuts[0].answer = answer; cuts[0].at = 91;  cuts[0].what = "inside the headers, before Content-Length";
    cuts[1].answer = answer; cuts[1].at = 9;   cuts[1].what = "inside the status line";
    cuts[2].answer = answer; cuts[2].at = (long)strlen(answer) - 2; cuts[2].what = "right after the headers";
    cuts[3].answer = unframed; cuts[3].at = (long)strlen(unframed) - 2; cuts[3].what = "right after the headers, no length";
    olock_arena_init(&arena, NULL);
    item = olock_value_new_container(&arena, OLOCK_TYPE_M);
    olock_map_put(&arena, item, "id", 2, olock_value_new_s(&arena, "p1", 2));
    olock_map_put(&arena, item, "gold", 4, olock_value_new_i64(&arena, 10));
    for (i = 0; i < sizeof cuts / sizeof cuts[0]; i++) {
        olock_item_request req;
        olock_write_result wr;
        olock_error err;
        olock_result r;
        olock_client *c;
        olock_curl *t = make(0, 3000, NULL);
        if (!t) continue;
        CHECK(raw_config(cuts[i].answer, cuts[i].at));
        c = cut_client(t, url, sizeof url);
        if (!c) continue;
        memset(&req, 0, sizeof req);
        memset(&wr, 0, sizeof wr);
        memset(&err, 0, sizeof err);
        req.table = "t";
        req.item = item;
        r = olock_versioned_put(c, &req, 0, &wr, &err);
        CHECKF(r == OLOCK_ERR_MAYBE_SENT, "versioned put, answer cut %s: got %d (%s) %s; transport: %s", cuts[i].what,
               (int)r, olock_result_str(r), err.message, olock_curl_last_error(t));
        CHECKF(raw_requests() >= 1, "the server read %ld requests", raw_requests());
        olock_client_destroy(c);
    }

#if OLOCK__CURL_HAS_MULTI
    /* The same through the curl-multi driver (its transfers end in the same code). */
    {
        olock_curl *t = make(0, 3000, NULL);
        olock_client *c;
        olock_curl_multi *m = NULL;
        olock_task *task = NULL, *done;
        olock_item_request req;
        olock_write_result wr;
        olock_error err;
        olock_result r;
        void *user = NULL;
        CHECK(raw_config(answer, 91));
        c = t ? cut_client(t, url, sizeof url) : NULL;
        if (c && olock_curl_multi_create(c, NULL, &m) == OLOCK_OK && olock_task_create(c, &task) == OLOCK_OK) {
            memset(&req, 0, sizeof req);
            req.table = "t";
            req.item = item;
            CHECK(olock_task_begin_put(task, &req, 0) == OLOCK_OK);
            CHECK(olock_curl_multi_add(m, task, &req) == OLOCK_OK);
            CHECK(olock_curl_multi_run(m) == OLOCK_OK);
            done = olock_curl_multi_next_done(m, &user);
            CHECK(done == task && user == (void *)&req);
            memset(&err, 0, sizeof err);
            r = olock_task_result(task, &wr, &err);
            CHECKF(r == OLOCK_ERR_MAYBE_SENT, "multi: got %d (%s) %s; transport: %s", (int)r, olock_result_str(r),
                   err.message, olock_curl_multi_last_error(m));
            CHECKF(has(olock_curl_multi_last_error(m), "connection closed inside the response headers"), "%s",
                   olock_curl_multi_last_error(m));
        } else {
            CHECK(!"multi driver set up");
        }
        olock_task_destroy(task);
        olock_curl_multi_destroy(m);
        olock_client_destroy(c);
    }
#endif
    olock_arena_free(&arena);
}

/* Proxies only from the config: the environment's are ignored, the config's is used. */
static void test_proxy_settings(void) {
    olock_http_response res;
    olock_curl_config cfg = olock_curl_config_default();
    olock_curl *t;
    olock_result r;
    char proxy[64];
    static const char *const vars[] = { "http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY" };
    size_t i;
    snprintf(proxy, sizeof proxy, "http://127.0.0.1:%d", closed_port());
    olock_http_response_init(&res, NULL, 0);
    for (i = 0; i < sizeof vars / sizeof vars[0]; i++) setenv(vars[i], proxy, 1);
    t = make(0, 0, NULL);
    if (t) {
        r = post(t, "http", g_stub.http, "/echo", &res);
        CHECK_RESULT(r, OLOCK_OK, t);
        olock_curl_destroy(t);
    }
    for (i = 0; i < sizeof vars / sizeof vars[0]; i++) unsetenv(vars[i]);
    cfg.proxy = proxy;                                     /* a proxy that refuses: nothing sent */
    t = NULL;
    CHECK(olock_curl_create(&cfg, &t) == OLOCK_OK);
    if (t) {
        r = post(t, "http", g_stub.http, "/echo", &res);
        CHECK_RESULT(r, OLOCK_ERR_NOT_SENT, t);
        CHECK(olock_curl_last_code(t) == (int)CURLE_COULDNT_CONNECT);
        olock_curl_destroy(t);
    }
    olock_http_response_free(&res);
}

/* The resend rule itself. libcurl before 8.16 makes this resend on its own before our rule
   is asked (the network tests above see it through the stats), so the rule is also checked
   directly. */
static void test_resend_rule(void) {
    olock__curl_attempt a;
    memset(&a, 0, sizeof a);
    a.code = CURLE_GOT_NOTHING; a.cb_result = OLOCK_OK; a.started = 1; a.connects = 0; a.received = 0;
    CHECK(olock__curl_should_resend(&a));
    a.code = CURLE_SEND_ERROR;
    CHECK(olock__curl_should_resend(&a));
    a.code = CURLE_RECV_ERROR;
    CHECK(olock__curl_should_resend(&a));
    CHECK(olock__curl_outcome(&a) == OLOCK_ERR_MAYBE_SENT);
    a.connects = 1;                                        /* fresh connection: the server read it */
    CHECK(!olock__curl_should_resend(&a));
    a.connects = 0; a.received = 1;                        /* a response byte came back */
    CHECK(!olock__curl_should_resend(&a));
    a.received = 0; a.started = 2;                         /* libcurl already resent */
    CHECK(!olock__curl_should_resend(&a));
    a.started = 0;                                         /* nothing started: NOT_SENT, no resend */
    CHECK(!olock__curl_should_resend(&a));
    CHECK(olock__curl_outcome(&a) == OLOCK_ERR_NOT_SENT);
    a.started = 1; a.code = CURLE_OPERATION_TIMEDOUT;      /* the server may be working on it */
    CHECK(!olock__curl_should_resend(&a));
    CHECK(olock__curl_outcome(&a) == OLOCK_ERR_MAYBE_SENT);
    a.code = CURLE_PARTIAL_FILE;
    CHECK(!olock__curl_should_resend(&a));
    a.code = CURLE_WRITE_ERROR; a.cb_result = OLOCK_ERR_LIMIT; /* a cap while storing the response */
    CHECK(!olock__curl_should_resend(&a));
    CHECK(olock__curl_outcome(&a) == OLOCK_ERR_MAYBE_SENT);
    a.cb_result = OLOCK_ERR_NOMEM;
    CHECK(olock__curl_outcome(&a) == OLOCK_ERR_MAYBE_SENT);
    a.cb_result = OLOCK_ERR_RESPONSE;
    CHECK(olock__curl_outcome(&a) == OLOCK_ERR_MAYBE_SENT);
    a.code = CURLE_OK; a.cb_result = OLOCK_OK;
    CHECK(olock__curl_outcome(&a) == OLOCK_OK);
}

/* --- main ----------------------------------------------------------------------------------- */

int main(int argc, char **argv) {
    char node[4096];
    const char *script = argc > 1 ? argv[1] : (getenv("OLOCK_HTTP_STUB") ? getenv("OLOCK_HTTP_STUB") : "tests/http_stub.js");
    const char *env_node = getenv("OLOCK_NODE");

    if (env_node && *env_node) {
        snprintf(node, sizeof node, "%s", env_node);
        if (access(node, X_OK) != 0) node[0] = '\0';
    } else if (!olock_test_find_in_path("node", node, sizeof node)) {
        node[0] = '\0';
    }
    if (!node[0]) {
        printf("SKIP test_curl: node not found (install Node.js or set OLOCK_NODE); the libcurl transport tests need tests/http_stub.js\n");
        return 0;
    }
    signal(SIGPIPE, SIG_IGN);
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
        printf("FAIL test_curl.c: curl_global_init failed\n0 passed, 1 failed\n");
        return 1;
    }
    if (access(script, R_OK) != 0) {
        printf("FAIL test_curl.c: cannot read %s (run from the repo root or pass the stub's path)\n0 passed, 1 failed\n", script);
        return 1;
    }
    if (!stub_start(&g_stub, node, script)) {
        stub_stop(&g_stub);
        printf("0 passed, 1 failed\n");
        return 1;
    }
    g_ctl = make(0, 0, NULL);
    if (g_ctl) {
        test_config_default();
        test_resend_rule();
        test_basic_exchange();
        test_methods();
        test_status_and_headers();
        test_large_bodies();
        test_body_cap();
        test_connection_reuse();
        test_idle_close();
        test_resend_on_dead_reused_connection(64);
        test_resend_on_dead_reused_connection(8u * 1024u * 1024u);
        test_dropped_request();
        test_refused();
        test_timeouts();
        test_cut_short();
        test_tls();
        test_invalid_requests();
        test_verbose_redacts();
        test_ownership_and_allocator();
        test_proxy_settings();
        test_with_client();
        test_client_errors();
        test_cut_every_byte();
        test_cut_reset_and_stall();
        test_cut_on_reused_connection();
        test_cut_oversize();
        test_cut_out_of_memory();
        test_header_lines_wiped();
        test_engine_write_cut();
        olock_curl_destroy(g_ctl);
    }
    stub_stop(&g_stub);
    curl_global_cleanup();
    printf("%d passed, %d failed\n", g_pass, g_fail);
    return g_fail ? 1 : 0;
}
