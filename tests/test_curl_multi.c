/* test_curl_multi.c - tests of the curl-multi driver of backends/olock_curl.h (olock_curl_multi).

   Against tests/http_stub.js (node, 127.0.0.1 only): a refused connection, a slow server (the
   transfers overlap), throttling with x-amz-retry-after (the tasks WAIT, without a busy loop),
   an external select() loop, the transparent resend, taking a task out in flight.
   Against dynalite (started here with tests/servers/server.sh, or OLOCK_IT_DYNALITE_URL) and,
   with OLOCK_TEST_DDBLOCAL=1 or OLOCK_IT_DDBLOCAL_URL, DynamoDB Local: 32 concurrent
   olock_update tasks on 4 items end with exact counts.

   Run from the repo root: build/san/test_curl_multi [path/to/http_stub.js]
   Environment: OLOCK_NODE (node binary), OLOCK_HTTP_STUB (stub path), OLOCK_TEST_MULTI_INCREMENTS
   (increments per task, default 10). Ends with "N passed, N failed" (exit status 1 on a
   failure); without node: one SKIP line, exit 0. */
#if !defined(_WIN32)
#  define _POSIX_C_SOURCE 200809L
#endif
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/select.h>
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
#include "olock_test.h"

/* --- clocks --------------------------------------------------------------------------------- */

static uint64_t now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static uint64_t cpu_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static void sleep_ms(unsigned ms) {
    struct timespec ts;
    ts.tv_sec = (time_t)(ms / 1000u);
    ts.tv_nsec = (long)(ms % 1000u) * 1000000L;
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {}
}

/* Under valgrind everything is ~30x slower: upper bounds on time are not checked there. */
static int g_slow;

/* --- the stub and the servers --------------------------------------------------------------- */

typedef struct stub {
    pid_t pid;
    int in_fd;                     /* its stdin: closing it stops the stub */
    int http;
} stub;

static stub g_stub;

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
    line[0] = '\0';
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
        line[len] = '\0';
    }
    close(out_pipe[0]);
    line[len] = '\0';
    p = strstr(line, "olock-stub ");
    if (!p || sscanf(p, "olock-stub http=%d", &s->http) != 1) {
        printf("FAIL test_curl_multi.c: the stub did not start (output: \"%s\")\n", line);
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

/* A local port nothing listens on (bound, then closed). */
static int closed_port(void) {
    struct sockaddr_in a;
    socklen_t len = sizeof a;
    int port = 0, fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) return 1;
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (bind(fd, (struct sockaddr *)&a, sizeof a) == 0 && getsockname(fd, (struct sockaddr *)&a, &len) == 0)
        port = ntohs(a.sin_port);
    close(fd);
    return port ? port : 1;
}

/* A server of tests/servers/server.sh, started in its own directory. */
typedef struct server {
    const char *name;
    char dir[64];
    char url[128];
    int started;                   /* by us (so we stop it) */
} server;

static int server_start(server *sv, const char *name) {
    char cmd[256];
    FILE *p;
    memset(sv, 0, sizeof *sv);
    sv->name = name;
    snprintf(sv->dir, sizeof sv->dir, "/tmp/olock-multi-XXXXXX");
    if (!mkdtemp(sv->dir)) return 0;
    snprintf(cmd, sizeof cmd, "bash tests/servers/server.sh start %s %s", name, sv->dir);
    p = popen(cmd, "r");
    if (!p) return 0;
    if (!fgets(sv->url, sizeof sv->url, p)) sv->url[0] = '\0';
    if (pclose(p) != 0 || strncmp(sv->url, "http://127.0.0.1:", 17) != 0) {
        printf("FAIL test_curl_multi.c: %s did not start (see %s/%s.log)\n", name, sv->dir, name);
        return 0;
    }
    sv->url[strcspn(sv->url, "\r\n")] = '\0';
    sv->started = 1;
    return 1;
}

static void server_stop(server *sv) {
    char cmd[256], f[128];
    int rc;
    if (!sv->started) return;
    snprintf(cmd, sizeof cmd, "bash tests/servers/server.sh stop %s %s", sv->name, sv->dir);
    rc = system(cmd);
    (void)rc;
    snprintf(f, sizeof f, "%s/%s.log", sv->dir, sv->name);
    unlink(f);
    rmdir(sv->dir);
    sv->started = 0;
}

/* --- clients and tasks ---------------------------------------------------------------------- */

/* A client of `url` (explicit endpoint, region and fake credentials); its own transport is a
   blocking olock_curl, used here only for the table set-up. */
static olock_client *new_client(const char *url, unsigned base_ms) {
    olock_config cfg = olock_config_default();
    olock_curl *h = NULL;
    olock_client *c = NULL;
    olock_error err;
    if (olock_curl_create(NULL, &h) != OLOCK_OK) return NULL;
    cfg.transport = olock_curl_transport(h);
    cfg.endpoint = url;
    cfg.region = "us-east-1";
    cfg.credentials.access_key_id = "AKIDLOCAL";
    cfg.credentials.secret_access_key = "secret";
    cfg.ignore_environment = 1;
    cfg.retry.conflict_attempts = 200;
    if (base_ms) {
        cfg.retry.base_ms = base_ms;
        cfg.retry.throttle_base_ms = base_ms;
    }
    if (olock_client_create(&cfg, &c, &err) != OLOCK_OK) {
        printf("FAIL test_curl_multi.c: olock_client_create: %s\n", err.message);
        return NULL;
    }
    return c;
}

static const char *stub_url(char *buf, size_t size, const char *path) {
    snprintf(buf, size, "http://127.0.0.1:%d%s", g_stub.http, path);
    return buf;
}

/* One versioned UpdateItem request (SET n = 1 on key "k"), kept alive for the tasks. */
typedef struct one_update {
    olock_expr *e;
    olock_item *key;
    olock_item_request req;
} one_update;

static int one_update_init(one_update *u) {
    olock_error err;
    memset(u, 0, sizeof *u);
    if (olock_expr_create(NULL, &u->e) != OLOCK_OK || olock_item_create(NULL, &u->key) != OLOCK_OK) return 0;
    olock_item_set_s(u->key, "id", "k");
    olock_expr_set(u->e, "n", olock_expr_i64(u->e, 1));
    u->req.table = "t";
    u->req.key = u->key->root;
    return olock_expr_render_item(u->e, &u->req, &err) == OLOCK_OK;
}

static void one_update_free(one_update *u) {
    olock_expr_destroy(u->e);
    olock_item_destroy(u->key);
}

#define MAX_TASKS 32

typedef struct task_set {
    olock_task *t[MAX_TASKS];
    int user[MAX_TASKS];
    size_t n;
} task_set;

/* n tasks of c, each begun as the same versioned update and added to m. */
static int add_updates(task_set *ts, olock_client *c, olock_curl_multi *m, const one_update *u, size_t n) {
    size_t i;
    memset(ts, 0, sizeof *ts);
    ts->n = n;
    for (i = 0; i < n; i++) {
        ts->user[i] = (int)i;
        if (olock_task_create(c, &ts->t[i]) != OLOCK_OK) return 0;
        if (olock_task_begin_versioned_update(ts->t[i], &u->req, 3) != OLOCK_OK) return 0;
        if (olock_curl_multi_add(m, ts->t[i], &ts->user[i]) != OLOCK_OK) return 0;
    }
    return 1;
}

static void free_tasks(task_set *ts) {
    size_t i;
    for (i = 0; i < ts->n; i++) olock_task_destroy(ts->t[i]);
    ts->n = 0;
}

/* Collects every finished task: each must come back once, with its own user pointer; counts
   the results equal to want (want_text: in both the driver's last error and the task's
   olock_error.message). */
static size_t collect(olock_curl_multi *m, task_set *ts, olock_result want, unsigned want_requests, const char *want_text) {
    olock_task *t;
    void *user = NULL;
    size_t got = 0, matching = 0;
    int seen[MAX_TASKS];
    memset(seen, 0, sizeof seen);
    while ((t = olock_curl_multi_next_done(m, &user)) != NULL) {
        int i = user ? *(int *)user : -1;
        olock_write_result res;
        olock_error err;
        olock_result rc;
        memset(&res, 0, sizeof res);
        got++;
        CHECK(i >= 0 && (size_t)i < ts->n && ts->t[i] == t && !seen[i]);
        if (i < 0 || (size_t)i >= ts->n) continue;
        seen[i] = 1;
        rc = olock_task_result(t, &res, &err);
        if (rc == want && (!want_requests || res.requests == want_requests) &&
            (!want_text || (strstr(olock_curl_multi_last_error(m), want_text) &&
                            strstr(err.message, want_text)))) {   /* curl's words reach the task's error */
            matching++;
        } else {
            fprintf(stderr, "  task %d: %s (%s) after %u request(s); curl: %s\n", i, olock_result_str(rc), err.message,
                    res.requests, olock_curl_multi_last_error(m));
        }
    }
    CHECK_EQ_INT(got, ts->n);
    return matching;
}

/* --- tests ---------------------------------------------------------------------------------- */

TEST(test_arguments) {
    olock_curl_multi *m = NULL;
    olock_client *c = new_client("http://127.0.0.1:1/", 0);
    olock_curl_stats st;
    olock_curl_config cfg = olock_curl_config_default();
    olock_task *t = NULL;
    void *user = &user;
    if (!c) { CHECK(0); return; }
    CHECK(olock_curl_multi_create(NULL, NULL, &m) == OLOCK_ERR_INVALID_ARG && m == NULL);
    CHECK(olock_curl_multi_create(c, NULL, NULL) == OLOCK_ERR_INVALID_ARG);
    cfg.allocator.malloc_fn = NULL;
    cfg.allocator.free_fn = NULL;
    CHECK(olock_curl_multi_create(c, &cfg, &m) == OLOCK_OK && m != NULL);
    CHECK(olock_curl_multi_add(m, NULL, NULL) == OLOCK_ERR_INVALID_ARG);
    CHECK(olock_curl_multi_add(NULL, NULL, NULL) == OLOCK_ERR_INVALID_ARG);
    CHECK(olock_curl_multi_perform(NULL, 0) == OLOCK_ERR_INVALID_ARG);
    CHECK(olock_curl_multi_run(NULL) == OLOCK_ERR_INVALID_ARG);
    CHECK(olock_curl_multi_next_done(m, &user) == NULL && user == (void *)&user);
    CHECK(olock_curl_multi_next_done(NULL, NULL) == NULL);
    CHECK(olock_curl_multi_active(m) == 0 && olock_curl_multi_active(NULL) == 0);
    CHECK(olock_curl_multi_timeout(m) == -1);
    CHECK(strcmp(olock_curl_multi_last_error(m), "") == 0 && strcmp(olock_curl_multi_last_error(NULL), "") == 0);
    CHECK(olock_curl_multi_handle(m) != NULL && olock_curl_multi_handle(NULL) == NULL);
    CHECK(olock_curl_multi_run(m) == OLOCK_OK);               /* nothing to do */
    CHECK(olock_curl_multi_perform(m, 50) == OLOCK_OK);
    olock_curl_multi_get_stats(m, &st);
    CHECK(st.sends == 0 && st.requests == 0);
    olock_curl_multi_get_stats(NULL, &st);
    CHECK(st.sends == 0);

    /* A task that was never begun comes straight back, with its own "not running" result. */
    CHECK(olock_task_create(c, &t) == OLOCK_OK);
    CHECK(olock_curl_multi_add(m, t, NULL) == OLOCK_OK);
    CHECK(olock_curl_multi_active(m) == 1 && olock_curl_multi_timeout(m) == 0);
    CHECK(olock_curl_multi_remove(m, t) == OLOCK_OK);        /* before it ran */
    CHECK(olock_curl_multi_remove(m, t) == OLOCK_ERR_NOT_FOUND);
    CHECK(olock_curl_multi_active(m) == 0);
    CHECK(olock_curl_multi_add(m, t, &user) == OLOCK_OK);
    CHECK(olock_curl_multi_perform(m, 0) == OLOCK_OK);
    CHECK(olock_curl_multi_active(m) == 0);
    user = NULL;
    CHECK(olock_curl_multi_next_done(m, &user) == t && user == (void *)&user);
    CHECK(olock_task_result(t, NULL, NULL) == OLOCK_ERR_INVALID_ARG);
    CHECK(olock_curl_multi_add(m, t, NULL) == OLOCK_OK);     /* done, then taken out of the queue */
    CHECK(olock_curl_multi_perform(m, 0) == OLOCK_OK);
    CHECK(olock_curl_multi_remove(m, t) == OLOCK_OK);
    CHECK(olock_curl_multi_next_done(m, NULL) == NULL);
    olock_curl_multi_destroy(m);
    olock_curl_multi_destroy(NULL);
    olock_task_destroy(t);
    olock_client_destroy(c);
}

/* Nobody listens: every task ends in its transport error after its transient attempts, and
   last_error has curl's reason. */
TEST(test_refused) {
    char url[96];
    olock_client *c;
    olock_curl_multi *m = NULL;
    task_set ts;
    one_update u;
    olock_curl_stats st;
    snprintf(url, sizeof url, "http://127.0.0.1:%d/", closed_port());
    c = new_client(url, 1);
    if (!c || !one_update_init(&u)) { CHECK(0); return; }
    CHECK(olock_curl_multi_create(c, NULL, &m) == OLOCK_OK);
    if (m && add_updates(&ts, c, m, &u, 8)) {
        CHECK(olock_curl_multi_run(m) == OLOCK_OK);
        CHECK_EQ_INT(collect(m, &ts, OLOCK_ERR_NOT_SENT, 4, "curl error 7"), 8);
        olock_curl_multi_get_stats(m, &st);
        CHECK_EQ_INT(st.sends, 32);                            /* 8 tasks x 4 attempts */
        CHECK_EQ_INT(st.requests, 0);
    }
    free_tasks(&ts);
    olock_curl_multi_destroy(m);
    one_update_free(&u);
    olock_client_destroy(c);
}

/* A server that takes 300 ms per answer: 16 tasks overlap (about 300 ms in all, not 4.8 s),
   on 16 connections, and the driver sleeps meanwhile. */
TEST(test_slow_server) {
    char url[96];
    olock_client *c = new_client(stub_url(url, sizeof url, "/ddb-slow/300"), 1);
    olock_curl_multi *m = NULL;
    task_set ts;
    one_update u;
    olock_curl_stats st;
    uint64_t t0, cpu0, wall, cpu;
    if (!c || !one_update_init(&u)) { CHECK(0); return; }
    CHECK(olock_curl_multi_create(c, NULL, &m) == OLOCK_OK);
    if (m && add_updates(&ts, c, m, &u, 16)) {
        t0 = now_ms();
        cpu0 = cpu_ms();
        CHECK(olock_curl_multi_run(m) == OLOCK_OK);
        wall = now_ms() - t0;
        cpu = cpu_ms() - cpu0;
        CHECK_EQ_INT(collect(m, &ts, OLOCK_OK, 1, NULL), 16);
        CHECK(wall >= 300);
        if (!g_slow) {
            CHECK(wall < 1500);
            if (cpu * 3 >= wall) fprintf(stderr, "  cpu %lu ms over %lu ms\n", (unsigned long)cpu, (unsigned long)wall);
            CHECK(cpu * 3 < wall);                           /* it slept, it did not spin */
        }
        olock_curl_multi_get_stats(m, &st);
        CHECK_EQ_INT(st.sends, 16);
        CHECK_EQ_INT(st.connections, 16);
    }
    free_tasks(&ts);
    olock_curl_multi_destroy(m);
    one_update_free(&u);
    olock_client_destroy(c);
}

/* The first 8 requests are throttled with x-amz-retry-after: 400: every task WAITs 400 ms and
   then succeeds. Driven by an external select() loop on curl_multi_fdset and
   olock_curl_multi_timeout, which must announce the wait (no busy loop). */
TEST(test_throttle_wait_external_loop) {
    char url[96];
    olock_client *c = new_client(stub_url(url, sizeof url, "/ddb-throttle/8/400"), 1);
    olock_curl_multi *m = NULL;
    task_set ts;
    one_update u;
    uint64_t t0, cpu0, wall, cpu;
    long longest = -1;
    int announced = 0;
    unsigned rounds = 0;
    if (!c || !one_update_init(&u)) { CHECK(0); return; }
    CHECK(olock_curl_multi_create(c, NULL, &m) == OLOCK_OK);
    if (m && add_updates(&ts, c, m, &u, 8)) {
        t0 = now_ms();
        cpu0 = cpu_ms();
        while (olock_curl_multi_active(m) > 0 && rounds < 100000) {
            fd_set r, w, e;
            int maxfd = -1;
            long to = olock_curl_multi_timeout(m);
            rounds++;
            FD_ZERO(&r); FD_ZERO(&w); FD_ZERO(&e);
            if (curl_multi_fdset((CURLM *)olock_curl_multi_handle(m), &r, &w, &e, &maxfd) != CURLM_OK) break;
            if (to > longest) longest = to;
            if (to >= 250 && to <= 400) announced = 1;   /* every task waits out its retry-after */
            if (to != 0) {
                struct timeval tv;
                if (to < 0 || to > 1000) to = 1000;
                tv.tv_sec = to / 1000;
                tv.tv_usec = (to % 1000) * 1000;
                (void)select(maxfd + 1, &r, &w, &e, &tv);
            }
            if (olock_curl_multi_perform(m, 0) != OLOCK_OK) break;
        }
        wall = now_ms() - t0;
        cpu = cpu_ms() - cpu0;
        CHECK(olock_curl_multi_active(m) == 0);
        CHECK_EQ_INT(collect(m, &ts, OLOCK_OK, 2, NULL), 8);
        CHECK(wall >= 400);
        if (!announced) fprintf(stderr, "  longest timeout announced: %ld ms\n", longest);
        CHECK(announced);
        if (!g_slow) {
            CHECK(wall < 1200);
            CHECK(rounds < 200);
            CHECK(cpu * 3 < wall);
        }
    }
    free_tasks(&ts);
    olock_curl_multi_destroy(m);
    one_update_free(&u);
    olock_client_destroy(c);
}

/* The same throttling through olock_curl_multi_run: perform sleeps in curl_multi_poll for
   the wait. */
TEST(test_throttle_wait_run) {
    char url[96];
    olock_client *c = new_client(stub_url(url, sizeof url, "/ddb-throttle/4/300"), 1);
    olock_curl_multi *m = NULL;
    task_set ts;
    one_update u;
    uint64_t t0, cpu0, wall, cpu;
    if (!c || !one_update_init(&u)) { CHECK(0); return; }
    CHECK(olock_curl_multi_create(c, NULL, &m) == OLOCK_OK);
    if (m && add_updates(&ts, c, m, &u, 4)) {
        t0 = now_ms();
        cpu0 = cpu_ms();
        CHECK(olock_curl_multi_run(m) == OLOCK_OK);
        wall = now_ms() - t0;
        cpu = cpu_ms() - cpu0;
        CHECK_EQ_INT(collect(m, &ts, OLOCK_OK, 2, NULL), 4);
        CHECK(wall >= 300);
        if (!g_slow) {
            CHECK(wall < 1000);
            CHECK(cpu * 3 < wall);
        }
    }
    free_tasks(&ts);
    olock_curl_multi_destroy(m);
    one_update_free(&u);
    olock_client_destroy(c);
}

/* perform(m, timeout) returns after timeout_ms when nothing finishes, and as soon as a task
   does. */
TEST(test_perform_timeout) {
    char url[96];
    olock_client *c = new_client(stub_url(url, sizeof url, "/ddb-slow/400"), 1);
    olock_curl_multi *m = NULL;
    task_set ts;
    one_update u;
    uint64_t t0, wall;
    if (!c || !one_update_init(&u)) { CHECK(0); return; }
    CHECK(olock_curl_multi_create(c, NULL, &m) == OLOCK_OK);
    if (m && add_updates(&ts, c, m, &u, 1)) {
        t0 = now_ms();
        CHECK(olock_curl_multi_perform(m, 100) == OLOCK_OK);
        wall = now_ms() - t0;
        CHECK(wall >= 100 && olock_curl_multi_active(m) == 1);
        if (!g_slow) CHECK(wall < 300);
        CHECK(olock_curl_multi_perform(m, 5000) == OLOCK_OK);  /* returns when the task is done */
        wall = now_ms() - t0;
        CHECK(wall >= 400 && olock_curl_multi_active(m) == 0);
        if (!g_slow) CHECK(wall < 2000);
        CHECK_EQ_INT(collect(m, &ts, OLOCK_OK, 1, NULL), 1);
    }
    free_tasks(&ts);
    olock_curl_multi_destroy(m);
    one_update_free(&u);
    olock_client_destroy(c);
}

static long stub_path_count(const char *path) {
    olock_curl *h = NULL;
    olock_http_response res;
    olock_http_request req;
    olock_transport tr;
    char url[160];
    const char *v;
    long n = -1;
    snprintf(url, sizeof url, "http://127.0.0.1:%d/stats?path=%s", g_stub.http, path);
    if (olock_curl_create(NULL, &h) != OLOCK_OK) return -1;
    tr = olock_curl_transport(h);
    memset(&req, 0, sizeof req);
    req.method = "POST";
    req.url = url;
    req.body = "";
    olock_http_response_init(&res, NULL, 0);
    if (tr.send(tr.user, &req, &res) == OLOCK_OK && res.status == 200 &&
        (v = olock_http_response_header(&res, "x-stub-path-count")) != NULL)
        n = strtol(v, NULL, 10);
    olock_http_response_free(&res);
    olock_curl_destroy(h);
    return n;
}

/* A reused connection that the server drops at once: the request goes out again on a fresh
   connection (the same rule as the blocking send), and the task sees one request. */
TEST(test_resend_on_reused_connection) {
    char url[96];
    olock_client *c = new_client(stub_url(url, sizeof url, "/ddb-drop-reused"), 1);
    olock_curl_multi *m = NULL;
    task_set ts;
    one_update u;
    olock_curl_stats st;
    long before, after;
    int round;
    if (!c || !one_update_init(&u)) { CHECK(0); return; }
    CHECK(olock_curl_multi_create(c, NULL, &m) == OLOCK_OK);
    before = stub_path_count("/ddb-drop-reused");
    if (m && add_updates(&ts, c, m, &u, 1)) {
        for (round = 0; round < 2; round++) {
            if (round == 1) {
                CHECK(olock_task_begin_versioned_update(ts.t[0], &u.req, 3) == OLOCK_OK);
                CHECK(olock_curl_multi_add(m, ts.t[0], &ts.user[0]) == OLOCK_OK);
            }
            CHECK(olock_curl_multi_run(m) == OLOCK_OK);
            CHECK_EQ_INT(collect(m, &ts, OLOCK_OK, 1, NULL), 1);
        }
        olock_curl_multi_get_stats(m, &st);
        CHECK_EQ_INT(st.sends, 2);
#if OLOCK__CURL_HAS_PREREQ
        CHECK_EQ_INT(st.resends, 1);                           /* libcurl's own or ours: one */
#endif
        CHECK_EQ_INT(st.connections, 2);
        after = stub_path_count("/ddb-drop-reused");
        CHECK_EQ_INT(after - before, 3);                       /* fresh, dropped, resent */
    }
    free_tasks(&ts);
    olock_curl_multi_destroy(m);
    one_update_free(&u);
    olock_client_destroy(c);
}

/* remove and destroy stop a transfer under way and leave the task consistent. */
TEST(test_remove_in_flight) {
    char url[96];
    olock_client *c = new_client(stub_url(url, sizeof url, "/hang"), 1);
    olock_curl_multi *m = NULL;
    task_set ts;
    one_update u;
    const olock_http_request *req = NULL;
    uint64_t wait = 0;
    olock_task_state st;
    if (!c || !one_update_init(&u)) { CHECK(0); return; }
    CHECK(olock_curl_multi_create(c, NULL, &m) == OLOCK_OK);
    if (m && add_updates(&ts, c, m, &u, 2)) {
        CHECK(olock_curl_multi_perform(m, 200) == OLOCK_OK);
        CHECK(olock_curl_multi_active(m) == 2);
        CHECK(olock_curl_multi_remove(m, ts.t[0]) == OLOCK_OK);
        CHECK(olock_curl_multi_active(m) == 1);
        /* The task was told MAYBE_SENT: it backs off, then would settle the outcome. */
        st = olock_task_poll(ts.t[0], olock_client_now_ms(c), &req, &wait);
        CHECK(st == OLOCK_TASK_WAIT || st == OLOCK_TASK_SEND);
        CHECK(olock_curl_multi_remove(m, ts.t[0]) == OLOCK_ERR_NOT_FOUND);
        olock_curl_multi_destroy(m);                           /* with ts.t[1] in flight */
        m = NULL;
        st = olock_task_poll(ts.t[1], olock_client_now_ms(c), &req, &wait);
        CHECK(st == OLOCK_TASK_WAIT || st == OLOCK_TASK_SEND);
    }
    free_tasks(&ts);
    olock_curl_multi_destroy(m);
    one_update_free(&u);
    olock_client_destroy(c);
}

/* --- 32 read-modify-writes on 4 items against a real server --------------------------------- */

typedef struct counting_alloc {
    long handles;                  /* olock_curl objects made */
} counting_alloc;

static void *ca_malloc(void *ctx, size_t n) {
    if (n == sizeof(struct olock_curl)) ((counting_alloc *)ctx)->handles++;
    return malloc(n);
}
static void *ca_realloc(void *ctx, void *p, size_t old_size, size_t n) { (void)ctx; (void)old_size; return realloc(p, n); }
static void ca_free(void *ctx, void *p, size_t n) { (void)ctx; (void)n; free(p); }

static olock_mutation add_one(void *user, olock_item *it, int exists) {
    int64_t n = 0;
    (void)user;
    if (exists) olock_item_get_i64(it, "counter", &n);
    return olock_item_set_i64(it, "counter", n + 1) == OLOCK_OK ? OLOCK_MUTATE_WRITE : OLOCK_MUTATE_ABORT;
}

static int wait_active(olock_client *c, const char *table) {
    uint64_t until = now_ms() + 10000;
    while (now_ms() < until) {
        olock_response res;
        const olock_json *t, *st;
        if (olock_describe_table(c, table, &res, NULL) == OLOCK_OK && res.json &&
            (t = olock_json_get(res.json, "Table")) && (st = olock_json_get(t, "TableStatus")) &&
            st->kind == OLOCK_JSON_STRING && strcmp(st->str, "ACTIVE") == 0)
            return 1;
        sleep_ms(50);
    }
    return 0;
}

static void test_counts(const char *name, const char *url) {
    enum { TASKS = 32, ITEMS = 4 };
    olock_client *c = new_client(url, 0);
    olock_curl_config cc = olock_curl_config_default();
    counting_alloc ca;
    olock_curl_multi *m = NULL;
    olock_create_table_request ct;
    olock_item *keys[ITEMS];
    olock_task *tasks[TASKS];
    int left[TASKS], idx[TASKS];
    char table[64], id[32];
    const char *env = getenv("OLOCK_TEST_MULTI_INCREMENTS");
    int per_task = env && atoi(env) > 0 ? atoi(env) : 10;
    long ok = 0, failed = 0, conflicts = 0, requests = 0;
    olock_error err;
    olock_curl_stats st;
    uint64_t t0;
    int i;

    olock_test_current = name;
    memset(keys, 0, sizeof keys);
    memset(tasks, 0, sizeof tasks);
    if (!c) { CHECK(0); return; }
    snprintf(table, sizeof table, "multi_%lu_%d", (unsigned long)now_ms(), (int)getpid());
    memset(&ct, 0, sizeof ct);
    ct.table = table;
    ct.hash_key = "id";
    ct.hash_type = OLOCK_TYPE_S;
    CHECK(olock_create_table(c, &ct, NULL, &err) == OLOCK_OK && wait_active(c, table));

    memset(&ca, 0, sizeof ca);
    cc.allocator.ctx = &ca;
    cc.allocator.malloc_fn = ca_malloc;
    cc.allocator.realloc_fn = ca_realloc;
    cc.allocator.free_fn = ca_free;
    CHECK(olock_curl_multi_create(c, &cc, &m) == OLOCK_OK);
    for (i = 0; i < ITEMS; i++) {
        snprintf(id, sizeof id, "item-%d", i);
        if (olock_item_create(NULL, &keys[i]) == OLOCK_OK) olock_item_set_s(keys[i], "id", id);
    }
    t0 = now_ms();
    for (i = 0; m && i < TASKS; i++) {
        idx[i] = i;
        left[i] = per_task - 1;
        CHECK(olock_task_create(c, &tasks[i]) == OLOCK_OK);
        CHECK(olock_task_begin_update(tasks[i], table, keys[i % ITEMS]->root, add_one, NULL) == OLOCK_OK);
        CHECK(olock_curl_multi_add(m, tasks[i], &idx[i]) == OLOCK_OK);
    }
    CHECK(m == NULL || olock_curl_multi_active(m) == TASKS);
    /* Each task runs per_task updates one after the other, re-begun as soon as it is done. */
    while (m && olock_curl_multi_active(m) > 0) {
        olock_task *t;
        void *user;
        if (olock_curl_multi_perform(m, 1000) != OLOCK_OK) { CHECK(0); break; }
        while ((t = olock_curl_multi_next_done(m, &user)) != NULL) {
            int k = *(int *)user;
            olock_write_result res;
            olock_result rc;
            memset(&res, 0, sizeof res);
            rc = olock_task_result(t, &res, &err);
            requests += res.requests;
            conflicts += res.conflicts;
            if (rc == OLOCK_OK) ok++;
            else {
                failed++;
                fprintf(stderr, "  %s task %d: %s (%s) / %s\n", name, k, olock_result_str(rc), err.message,
                        olock_curl_multi_last_error(m));
            }
            if (left[k]-- > 0) {
                CHECK(olock_task_begin_update(t, table, keys[k % ITEMS]->root, add_one, NULL) == OLOCK_OK);
                CHECK(olock_curl_multi_add(m, t, user) == OLOCK_OK);
            }
        }
    }
    CHECK_EQ_INT(ok, (long)TASKS * per_task);
    CHECK_EQ_INT(failed, 0);
    for (i = 0; i < ITEMS; i++) {
        olock_item_request r;
        olock_response out;
        int64_t n = -1;
        memset(&r, 0, sizeof r);
        r.table = table;
        r.key = keys[i]->root;
        r.consistent_read = 1;
        CHECK(olock_get_item(c, &r, &out, &err) == OLOCK_OK && out.item);
        if (out.item) {
            const olock_value *v = olock_map_get(out.item, "counter", 7);
            if (v) olock_value_get_i64(v, &n);
        }
        CHECK_EQ_INT(n, (long)(TASKS / ITEMS) * per_task);
    }
    olock_curl_multi_get_stats(m, &st);
    CHECK_EQ_INT(st.sends, requests);
    CHECK(ca.handles >= 2 && ca.handles <= TASKS);         /* one per request in flight, reused */
    printf("%s: %d tasks x %d updates on %d items in %lu ms: %ld requests, %ld conflicts, %ld curl handles, "
           "%lu connections\n", name, TASKS, per_task, ITEMS, (unsigned long)(now_ms() - t0), requests, conflicts,
           ca.handles, (unsigned long)st.connections);
    olock_curl_multi_destroy(m);
    CHECK(olock_delete_table(c, table, NULL, &err) == OLOCK_OK);
    for (i = 0; i < TASKS; i++) olock_task_destroy(tasks[i]);
    for (i = 0; i < ITEMS; i++) olock_item_destroy(keys[i]);
    olock_client_destroy(c);
}

static void run_against(const char *name, const char *env_url, int wanted) {
    server sv;
    const char *url = getenv(env_url);
    memset(&sv, 0, sizeof sv);
    if (url && *url) {
        test_counts(name, url);
        return;
    }
    if (!wanted) return;
    if (strcmp(name, "dynalite") == 0 && access("node_modules/dynalite/cli.js", R_OK) != 0) {
        printf("SKIP test_curl_multi against dynalite: node_modules/dynalite not installed (run make deps)\n");
        return;
    }
    if (!server_start(&sv, name)) {
        CHECK(0);
        server_stop(&sv);
        return;
    }
    test_counts(name, sv.url);
    server_stop(&sv);
}

/* --- main ----------------------------------------------------------------------------------- */

int main(int argc, char **argv) {
    char node[4096];
    const char *script = argc > 1 ? argv[1] : (getenv("OLOCK_HTTP_STUB") ? getenv("OLOCK_HTTP_STUB") : "tests/http_stub.js");
    const char *env_node = getenv("OLOCK_NODE");
    const char *preload = getenv("LD_PRELOAD");
    const char *ddbl = getenv("OLOCK_TEST_DDBLOCAL");

    g_slow = preload && strstr(preload, "vgpreload") != NULL;
    if (env_node && *env_node) {
        snprintf(node, sizeof node, "%s", env_node);
        if (access(node, X_OK) != 0) node[0] = '\0';
    } else if (!olock_test_find_in_path("node", node, sizeof node)) {
        node[0] = '\0';
    }
    if (!node[0]) {
        printf("SKIP test_curl_multi: node not found (install Node.js or set OLOCK_NODE); the curl-multi tests need tests/http_stub.js\n");
        return 0;
    }
    signal(SIGPIPE, SIG_IGN);
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
        printf("FAIL test_curl_multi.c: curl_global_init failed\n0 passed, 1 failed\n");
        return 1;
    }
    if (access(script, R_OK) != 0) {
        printf("FAIL test_curl_multi.c: cannot read %s (run from the repo root or pass the stub's path)\n0 passed, 1 failed\n", script);
        return 1;
    }
    if (!stub_start(&g_stub, node, script)) {
        stub_stop(&g_stub);
        printf("0 passed, 1 failed\n");
        return 1;
    }
    RUN(test_arguments);
    RUN(test_refused);
    RUN(test_slow_server);
    RUN(test_throttle_wait_external_loop);
    RUN(test_throttle_wait_run);
    RUN(test_perform_timeout);
    RUN(test_resend_on_reused_connection);
    RUN(test_remove_in_flight);
    stub_stop(&g_stub);
    run_against("dynalite", "OLOCK_IT_DYNALITE_URL", 1);
    run_against("ddblocal", "OLOCK_IT_DDBLOCAL_URL", ddbl && strcmp(ddbl, "1") == 0);
    curl_global_cleanup();
    return TEST_MAIN_END();
}
