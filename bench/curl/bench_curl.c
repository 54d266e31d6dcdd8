/* bench_curl.c - sequential versioned UpdateItem per second through olock + libcurl, side by
   side with other keep-alive HTTP clients sending the very same request bytes, against one
   DynamoDB-compatible server on loopback.

     bench_curl --endpoint http://127.0.0.1:PORT [--name NAME] [--requests N] [--block B]
                [--node PATH] [--client bench/curl/raw_client.js] [--capture-dir DIR]

   Five clients, each with its own item and its own keep-alive connection, one request at a
   time:
   - olock+curl: olock_versioned_update (SET n = n + 1 under the version check, versions
     0 -> N) through backends/olock_curl.h, as an application calls it;
   - olock_curl transport alone: the recorded requests as olock_http_requests through the
     transport's send, without the core: olock+curl / this is the core's share;
   - bare libcurl: curl_easy_perform on one handle with the recorded headers and body and
     nothing else: transport alone / this is olock_curl.h's share, the backend's overhead;
   - raw C: a plain socket (TCP_NODELAY, as curl sets it) writing each recorded request and
     reading the response by its Content-Length: no HTTP library, the floor;
   - raw node: bench/curl/raw_client.js, node's http module with a keep-alive Agent (the
     issue's example of a raw client), replaying the recorded requests.
   Recording: before the clock starts, olock runs N updates on each replay client's item and a
   wrapping transport records every request the core hands to curl, as HTTP/1.1 bytes; the
   items are then reset (PutItem {id, n: 0}). Replays are byte-identical to what olock sent
   (same signed headers: the servers check a signature's form, not its value; same bodies),
   and, from the reset state, every replayed update applies again. After the run every item's
   version must be N.
   Timing: the N requests of each client are cut in blocks of B; a round times one block of
   each client, back to back in a rotating order, with the wall clock. A machine this noisy (a
   shared 2-CPU VM) moves by tens of percent from one second to the next; blocks of a few tens
   of milliseconds, paired within a round, see the same moment. Reported: each client's median
   block (us per request, req/s, and the client thread's CPU time per request), and
   olock+curl's ratio to each client as the median over rounds of (olock+curl req/s / that
   client's req/s) with its interquartile range. The first
   round is a warm-up and not counted. Output: Markdown. Exit status 1 when something failed
   (never for a missed target). */
#define _POSIX_C_SOURCE 200809L
#define OLOCK_IMPLEMENTATION
#define OLOCK_CURL_IMPLEMENTATION
#include "olock.h"
#include "olock_curl.h"
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/types.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>

#define TARGET_RATIO 0.95          /* "no measurable overhead": within 5 % of the other client */

static const char *const TABLE = "olock_bench_curl";

static double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* This thread's CPU time (user + system). */
static double cpu_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* --- recording what olock sends --------------------------------------------------------------- */

/* Requests as HTTP/1.1 bytes, back to back; off[i] is where request i starts. */
typedef struct capture {
    olock_buf bytes;
    size_t *off;
    size_t n, cap;
} capture;

typedef struct recorder {
    olock_transport inner;
    capture *cap;                  /* NULL: not recording */
} recorder;

static int capture_add(capture *c, const olock_http_request *req) {
    const char *path = strstr(req->url, "://");
    char len[32];
    size_t i;
    int ok;
    if (c->n == c->cap) {
        size_t ncap = c->cap ? c->cap * 2 : 4096;
        size_t *noff = (size_t *)realloc(c->off, ncap * sizeof *noff);
        if (!noff) return 0;
        c->off = noff;
        c->cap = ncap;
    }
    c->off[c->n] = c->bytes.len;
    path = path ? strchr(path + 3, '/') : NULL;
    snprintf(len, sizeof len, "%lu", (unsigned long)req->body_len);
    ok = olock_buf_append_str(&c->bytes, req->method ? req->method : "POST") == OLOCK_OK &&
         olock_buf_append(&c->bytes, " ", 1) == OLOCK_OK &&
         olock_buf_append_str(&c->bytes, path ? path : "/") == OLOCK_OK &&
         olock_buf_append_str(&c->bytes, " HTTP/1.1\r\n") == OLOCK_OK;
    for (i = 0; ok && i < req->header_count; i++) {
        ok = olock_buf_append_str(&c->bytes, req->headers[i].name) == OLOCK_OK &&
             olock_buf_append(&c->bytes, ": ", 2) == OLOCK_OK &&
             olock_buf_append_str(&c->bytes, req->headers[i].value) == OLOCK_OK &&
             olock_buf_append(&c->bytes, "\r\n", 2) == OLOCK_OK;
    }
    ok = ok && olock_buf_append_str(&c->bytes, "Content-Length: ") == OLOCK_OK &&
         olock_buf_append_str(&c->bytes, len) == OLOCK_OK && olock_buf_append(&c->bytes, "\r\n\r\n", 4) == OLOCK_OK &&
         olock_buf_append(&c->bytes, req->body, req->body_len) == OLOCK_OK;
    if (ok) c->n++;
    return ok;
}

static const char *capture_req(const capture *c, size_t i, size_t *len) {
    size_t end = i + 1 < c->n ? c->off[i + 1] : c->bytes.len;
    *len = end - c->off[i];
    return c->bytes.data + c->off[i];
}

/* Where the body of a recorded request starts (past the blank line). */
static size_t capture_head_len(const char *r, size_t len) {
    size_t head = 0;
    while (head + 4 <= len && memcmp(r + head, "\r\n\r\n", 4) != 0) head++;
    return head + 4 <= len ? head + 4 : len;
}

static void capture_free(capture *c) {
    olock_buf_free(&c->bytes);
    free(c->off);
    memset(c, 0, sizeof *c);
}

static olock_result rec_send(void *user, const olock_http_request *req, olock_http_response *res) {
    recorder *r = (recorder *)user;
    if (r->cap && !capture_add(r->cap, req)) return OLOCK_ERR_NOT_SENT;
    return r->inner.send(r->inner.user, req, res);
}

static void rec_destroy(void *user) {
    recorder *r = (recorder *)user;
    if (r->inner.destroy) r->inner.destroy(r->inner.user);
    free(r);
}

static void json_str(FILE *f, const char *s, size_t n) {
    size_t i;
    fputc('"', f);
    for (i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)s[i];
        if (ch == '"' || ch == '\\') fprintf(f, "\\%c", ch);
        else if (ch < 0x20 || ch >= 0x7f) fprintf(f, "\\u%04x", ch);
        else fputc(ch, f);
    }
    fputc('"', f);
}

/* The capture as JSON lines for raw_client.js: {"head": request line and header lines as on
   the wire, "body": base64}. */
static int capture_write_jsonl(const capture *c, const char *path) {
    FILE *f = fopen(path, "wb");
    olock_buf b64;
    size_t i;
    int ok = f != NULL;
    olock_buf_init(&b64, NULL);
    for (i = 0; ok && i < c->n; i++) {
        size_t len, head;
        const char *r = capture_req(c, i, &len);
        head = capture_head_len(r, len);
        olock_buf_clear(&b64);
        ok = olock_base64_encode(r + head, len - head, &b64) == OLOCK_OK;
        if (!ok) break;
        fputs("{\"head\":", f);
        json_str(f, r, head);
        fputs(",\"body\":\"", f);
        fwrite(b64.data, 1, b64.len, f);
        fputs("\"}\n", f);
    }
    olock_buf_free(&b64);
    if (f && fclose(f) != 0) ok = 0;
    return ok;
}

/* --- the table and the items ------------------------------------------------------------------ */

static olock_client *connect_client(const char *endpoint, recorder **rec) {
    olock_config cfg = olock_config_default();
    olock_client *c = NULL;
    olock_curl *http = NULL;
    olock_error err;
    recorder *r = (recorder *)calloc(1, sizeof *r);
    if (!r || olock_curl_create(NULL, &http) != OLOCK_OK) { free(r); return NULL; }
    r->inner = olock_curl_transport(http);
    cfg.transport.user = r;
    cfg.transport.send = rec_send;
    cfg.transport.destroy = rec_destroy;
    cfg.endpoint = endpoint;
    cfg.region = "us-east-1";
    cfg.credentials.access_key_id = "AKIDLOCAL";
    cfg.credentials.secret_access_key = "secret";
    cfg.ignore_environment = 1;
    if (olock_client_create(&cfg, &c, &err) != OLOCK_OK) {
        fprintf(stderr, "bench_curl: olock_client_create: %s\n", err.message);
        return NULL;
    }
    *rec = r;
    return c;
}

static int ensure_table(olock_client *c) {
    olock_create_table_request ct;
    olock_response res;
    olock_error err;
    int i;
    memset(&ct, 0, sizeof ct);
    ct.table = TABLE;
    ct.hash_key = "id";
    ct.hash_type = OLOCK_TYPE_S;
    if (olock_create_table(c, &ct, NULL, &err) != OLOCK_OK && strcmp(err.aws_type, "ResourceInUseException") != 0) {
        fprintf(stderr, "bench_curl: CreateTable: %s %s\n", err.aws_type, err.message);
        return 0;
    }
    for (i = 0; i < 200; i++) {
        const olock_json *t, *st;
        struct timespec ts;
        if (olock_describe_table(c, TABLE, &res, &err) == OLOCK_OK && (t = olock_json_get(res.json, "Table")) &&
            (st = olock_json_get(t, "TableStatus")) && st->kind == OLOCK_JSON_STRING && strcmp(st->str, "ACTIVE") == 0)
            return 1;
        ts.tv_sec = 0;
        ts.tv_nsec = 50000000L;
        nanosleep(&ts, NULL);
    }
    return 0;
}

/* The item {id, n: 0}, without a version: the next versioned write expects version 0. */
static int reset_item(olock_client *c, const char *id) {
    olock_item *it = NULL;
    olock_item_request r;
    olock_error err;
    olock_result rc;
    olock_item_create(NULL, &it);
    olock_item_set_s(it, "id", id);
    olock_item_set_i64(it, "n", 0);
    memset(&r, 0, sizeof r);
    r.table = TABLE;
    r.item = it->root;
    rc = olock_put_item(c, &r, NULL, &err);
    olock_item_destroy(it);
    if (rc != OLOCK_OK) fprintf(stderr, "bench_curl: reset %s: %s\n", id, err.message);
    return rc == OLOCK_OK;
}

static int64_t item_version(olock_client *c, const char *id) {
    olock_item *key = NULL;
    olock_item_request r;
    olock_response res;
    uint64_t v = 0;
    int64_t out = -1;
    olock_item_create(NULL, &key);
    olock_item_set_s(key, "id", id);
    memset(&r, 0, sizeof r);
    r.table = TABLE;
    r.key = key->root;
    r.consistent_read = 1;
    if (olock_get_item(c, &r, &res, NULL) == OLOCK_OK && res.item && olock_item_version(res.item, NULL, &v) == OLOCK_OK)
        out = (int64_t)v;
    olock_item_destroy(key);
    return out;
}

/* SET n = n + 1 on one item, built once (the key must outlive the request). */
typedef struct increment {
    olock_expr *e;
    olock_item *key;
    olock_item_request req;
} increment;

static int increment_init(increment *inc, const char *id) {
    olock_error err;
    memset(inc, 0, sizeof *inc);
    if (olock_expr_create(NULL, &inc->e) != OLOCK_OK || olock_item_create(NULL, &inc->key) != OLOCK_OK) return 0;
    olock_item_set_s(inc->key, "id", id);
    olock_expr_set_plus(inc->e, "n", NULL, olock_expr_i64(inc->e, 1));
    inc->req.table = TABLE;
    inc->req.key = inc->key->root;
    return olock_expr_render_item(inc->e, &inc->req, &err) == OLOCK_OK;
}

static void increment_free(increment *inc) {
    olock_expr_destroy(inc->e);
    olock_item_destroy(inc->key);
}

/* Versioned updates from version `from` to `to`; 0 on the first failure. */
static int run_updates(olock_client *c, const increment *inc, size_t from, size_t to) {
    size_t v;
    for (v = from; v < to; v++) {
        olock_write_result res;
        olock_error err;
        olock_result rc;
        res.requests = 0;
        res.version = 0;
        rc = olock_versioned_update(c, &inc->req, (uint64_t)v, &res, &err);
        if (rc != OLOCK_OK || res.version != (uint64_t)v + 1 || res.requests != 1) {
            fprintf(stderr, "bench_curl: update at version %lu: %s (%s) after %u request(s)\n", (unsigned long)v,
                    olock_result_str(rc), err.message, res.requests);
            return 0;
        }
    }
    return 1;
}

/* --- bare libcurl ----------------------------------------------------------------------------- */

typedef struct bare {
    CURL *e;
    struct curl_slist **lists;
    const char **bodies;
    size_t *lens;
    size_t n;
} bare;

static size_t discard(char *data, size_t size, size_t n, void *user) {
    (void)data; (void)user;
    return size * n;
}

/* One handle; per request the recorded header lines (plus the "Accept:" and "Expect:" that
   olock_curl.h also sends to keep curl's own out) and body, all made before the clock runs. */
static int bare_init(bare *b, const char *endpoint, const capture *c) {
    size_t i;
    memset(b, 0, sizeof *b);
    b->lists = (struct curl_slist **)calloc(c->n, sizeof *b->lists);
    b->bodies = (const char **)calloc(c->n, sizeof *b->bodies);
    b->lens = (size_t *)calloc(c->n, sizeof *b->lens);
    b->e = curl_easy_init();
    b->n = c->n;
    if (!b->lists || !b->bodies || !b->lens || !b->e) return 0;
    for (i = 0; i < c->n; i++) {
        size_t len, head, at, end;
        const char *r = capture_req(c, i, &len);
        char line[1024];
        head = capture_head_len(r, len);
        at = (size_t)((const char *)memchr(r, '\n', head) - r) + 1;        /* past the request line */
        while (at + 2 < head) {
            for (end = at; end + 1 < head && !(r[end] == '\r' && r[end + 1] == '\n'); end++) {}
            if (end - at < sizeof line && strncmp(r + at, "Content-Length:", 15) != 0) {
                memcpy(line, r + at, end - at);
                line[end - at] = '\0';
                b->lists[i] = curl_slist_append(b->lists[i], line);
            }
            at = end + 2;
        }
        b->lists[i] = curl_slist_append(b->lists[i], "Accept:");
        b->lists[i] = curl_slist_append(b->lists[i], "Expect:");
        b->bodies[i] = r + head;
        b->lens[i] = len - head;
    }
    curl_easy_setopt(b->e, CURLOPT_URL, endpoint);
    curl_easy_setopt(b->e, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(b->e, CURLOPT_WRITEFUNCTION, discard);
    curl_easy_setopt(b->e, CURLOPT_PROXY, "");
    curl_easy_setopt(b->e, CURLOPT_HTTP_VERSION, (long)CURL_HTTP_VERSION_1_1);
    return 1;
}

static int bare_run(bare *b, size_t from, size_t to) {
    size_t i;
    for (i = from; i < to; i++) {
        long code = 0;
        curl_easy_setopt(b->e, CURLOPT_HTTPHEADER, b->lists[i]);
        curl_easy_setopt(b->e, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)b->lens[i]);
        curl_easy_setopt(b->e, CURLOPT_POSTFIELDS, b->bodies[i]);
        if (curl_easy_perform(b->e) != CURLE_OK || curl_easy_getinfo(b->e, CURLINFO_RESPONSE_CODE, &code) != CURLE_OK ||
            code != 200) {
            fprintf(stderr, "bench_curl: bare libcurl: request %lu: HTTP %ld\n", (unsigned long)i, code);
            return 0;
        }
    }
    return 1;
}

static void bare_free(bare *b) {
    size_t i;
    if (b->e) curl_easy_cleanup(b->e);
    for (i = 0; b->lists && i < b->n; i++) curl_slist_free_all(b->lists[i]);
    free(b->lists);
    free(b->bodies);
    free(b->lens);
}

/* --- olock_curl.h alone ----------------------------------------------------------------------- */

/* The recorded requests as olock_http_requests, sent through an olock_curl transport of their
   own: the transport's share without the core's (olock+curl / this = the core's share). */
typedef struct replay {
    olock_curl *t;
    olock_transport tr;
    olock_http_response res;
    olock_http_request *reqs;
    olock_http_header *headers;
    char *text;                    /* a copy of the capture, cut into NUL-terminated strings */
    size_t n;
} replay;

static int replay_init(replay *p, const char *endpoint, const capture *c) {
    size_t i, nh = 0, at = 0;
    memset(p, 0, sizeof *p);
    p->n = c->n;
    p->reqs = (olock_http_request *)calloc(c->n, sizeof *p->reqs);
    p->headers = (olock_http_header *)calloc(c->n * 16, sizeof *p->headers);
    p->text = (char *)malloc(c->bytes.len + 1);
    if (!p->reqs || !p->headers || !p->text || olock_curl_create(NULL, &p->t) != OLOCK_OK) return 0;
    memcpy(p->text, c->bytes.data, c->bytes.len);
    p->tr = olock_curl_transport(p->t);
    olock_http_response_init(&p->res, NULL, 0);
    for (i = 0; i < c->n; i++) {
        size_t len, head, k = 0;
        char *r = p->text + c->off[i], *line, *end;
        (void)capture_req(c, i, &len);
        head = capture_head_len(r, len);
        p->reqs[i].method = "POST";
        p->reqs[i].url = endpoint;
        p->reqs[i].headers = &p->headers[nh];
        p->reqs[i].body = r + head;
        p->reqs[i].body_len = len - head;
        line = (char *)memchr(r, '\n', head) + 1;                 /* past the request line */
        while (line < r + head - 2 && k < 16) {
            char *colon;
            end = strstr(line, "\r\n");
            *end = '\0';
            colon = strchr(line, ':');
            if (colon && strncmp(line, "Content-Length", 14) != 0) {
                *colon = '\0';
                p->headers[nh + k].name = line;
                p->headers[nh + k].value = colon + 2;
                k++;
            }
            line = end + 2;
        }
        p->reqs[i].header_count = k;
        nh += 16;
        at += len;
    }
    (void)at;
    return 1;
}

static int replay_run(replay *p, size_t from, size_t to) {
    size_t i;
    for (i = from; i < to; i++) {
        olock_result r = p->tr.send(p->tr.user, &p->reqs[i], &p->res);
        if (r != OLOCK_OK || p->res.status != 200) {
            fprintf(stderr, "bench_curl: olock_curl replay: request %lu: %s, HTTP %d\n", (unsigned long)i,
                    olock_result_str(r), p->res.status);
            return 0;
        }
    }
    return 1;
}

static void replay_free(replay *p) {
    olock_curl_destroy(p->t);
    olock_http_response_free(&p->res);
    free(p->reqs);
    free(p->headers);
    free(p->text);
}

/* --- raw C socket ----------------------------------------------------------------------------- */

/* "http://IPv4:PORT..." -> address; 0 for anything else. */
static int parse_endpoint(const char *url, struct sockaddr_in *sa) {
    char host[64];
    const char *h = strncmp(url, "http://", 7) == 0 ? url + 7 : NULL;
    const char *colon = h ? strchr(h, ':') : NULL;
    long port;
    if (!colon || (size_t)(colon - h) >= sizeof host) return 0;
    memcpy(host, h, (size_t)(colon - h));
    host[colon - h] = '\0';
    port = strtol(colon + 1, NULL, 10);
    memset(sa, 0, sizeof *sa);
    sa->sin_family = AF_INET;
    sa->sin_port = htons((unsigned short)port);
    return port > 0 && port < 65536 && inet_pton(AF_INET, host, &sa->sin_addr) == 1;
}

static int raw_connect(const char *endpoint) {
    struct sockaddr_in sa;
    int one = 1, fd;
    if (!parse_endpoint(endpoint, &sa)) {
        fprintf(stderr, "bench_curl: the raw C client wants http://IPv4:PORT\n");
        return -1;
    }
    fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) return -1;
    (void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    if (connect(fd, (struct sockaddr *)&sa, sizeof sa) != 0) {
        close(fd);
        return -1;
    }
    return fd;
}

static int lower(int c) { return c >= 'A' && c <= 'Z' ? c + 32 : c; }

/* Reads one response (headers, then Content-Length bytes); its status, or -1. */
static int read_response(int fd, char *buf, size_t size) {
    size_t have = 0, head = 0, need = 0, scanned = 0, i;
    long status = -1, clen = -1;
    for (;;) {
        ssize_t n;
        if (head == 0) {
            for (i = scanned; i + 4 <= have; i++) {
                if (memcmp(buf + i, "\r\n\r\n", 4) == 0) { head = i + 4; break; }
            }
            scanned = i;
            if (head) {
                const char *p = buf;
                if (have < 12 || memcmp(buf, "HTTP/1.1 ", 9) != 0) return -1;
                status = strtol(buf + 9, NULL, 10);
                while ((p = (const char *)memchr(p, '\n', head - (size_t)(p - buf))) != NULL && (size_t)(++p - buf) < head) {
                    static const char cl[] = "content-length:";
                    size_t k = 0;
                    while (k < sizeof cl - 1 && lower((unsigned char)p[k]) == cl[k]) k++;
                    if (k == sizeof cl - 1) clen = strtol(p + k, NULL, 10);
                }
                if (clen < 0) return -1;              /* no chunked bodies from these servers */
                need = head + (size_t)clen;
                if (need > size) return -1;
            }
        }
        if (head && have >= need) return have == need ? (int)status : -1;
        n = recv(fd, buf + have, size - have, 0);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return -1;
        have += (size_t)n;
    }
}

static int raw_run(int fd, const capture *c, size_t from, size_t to) {
    static char buf[1 << 16];
    size_t i;
    for (i = from; i < to; i++) {
        size_t len, done = 0;
        const char *r = capture_req(c, i, &len);
        while (done < len) {
            ssize_t n = send(fd, r + done, len - done, 0);
            if (n < 0 && errno == EINTR) continue;
            if (n <= 0) return 0;
            done += (size_t)n;
        }
        if (read_response(fd, buf, sizeof buf) != 200) {
            fprintf(stderr, "bench_curl: raw C: request %lu failed\n", (unsigned long)i);
            return 0;
        }
    }
    return 1;
}

/* --- raw node (a child process replaying on command) ------------------------------------------ */

typedef struct node_child {
    pid_t pid;
    FILE *to, *from;
} node_child;

static int node_start(node_child *nc, const char *node, const char *script, const char *jsonl, const char *endpoint) {
    int in[2], out[2];
    char line[256];
    memset(nc, 0, sizeof *nc);
    if (pipe(in) != 0) return 0;
    if (pipe(out) != 0) { close(in[0]); close(in[1]); return 0; }
    nc->pid = fork();
    if (nc->pid < 0) return 0;
    if (nc->pid == 0) {
        dup2(in[0], 0);
        dup2(out[1], 1);
        close(in[0]); close(in[1]); close(out[0]); close(out[1]);
        execlp(node, node, script, jsonl, endpoint, (char *)NULL);
        _exit(127);
    }
    close(in[0]);
    close(out[1]);
    nc->to = fdopen(in[1], "w");
    nc->from = fdopen(out[0], "r");
    /* "ready N" once it has read the capture */
    return nc->to && nc->from && fgets(line, sizeof line, nc->from) && strncmp(line, "ready ", 6) == 0;
}

/* The next k requests; the seconds node measured, or -1. */
static double node_run(node_child *nc, size_t k) {
    char line[256];
    double secs = -1;
    long errors = -1;
    fprintf(nc->to, "%lu\n", (unsigned long)k);
    fflush(nc->to);
    if (!fgets(line, sizeof line, nc->from) || sscanf(line, "done %lf %ld", &secs, &errors) != 2 || errors != 0) {
        fprintf(stderr, "bench_curl: the node client failed: %s", line);
        return -1;
    }
    return secs;
}

static void node_stop(node_child *nc) {
    int st;
    if (nc->to) fclose(nc->to);                    /* EOF: it exits */
    if (nc->from) fclose(nc->from);
    if (nc->pid > 0) waitpid(nc->pid, &st, 0);
    memset(nc, 0, sizeof *nc);
}

/* --- the run ---------------------------------------------------------------------------------- */

enum { OLOCK_CURL, TRANSPORT, BARE_CURL, RAW_C, RAW_NODE, CLIENTS };
static const char *const CLIENT_NAMES[CLIENTS] = { "olock+curl", "olock_curl transport alone", "bare libcurl", "raw C socket",
                                                   "raw node (http.Agent keep-alive)" };
static const char *const ITEMS[CLIENTS] = { "bench-olock", "bench-transport", "bench-bare", "bench-raw-c", "bench-node" };

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* The q-quantile (0..1) of v[0..n), by sorting a copy. */
static double quantile(const double *v, size_t n, double q) {
    double *s = (double *)malloc(n * sizeof *s), r;
    size_t i;
    if (!s || n == 0) { free(s); return 0; }
    memcpy(s, v, n * sizeof *s);
    qsort(s, n, sizeof *s, cmp_double);
    i = (size_t)(q * (double)(n - 1) + 0.5);
    r = s[i];
    free(s);
    return r;
}

static int arg_int(const char *v, int lo, int hi) {
    long x = strtol(v, NULL, 10);
    return x < lo ? lo : x > hi ? hi : (int)x;
}

int main(int argc, char **argv) {
    const char *endpoint = NULL, *name = "server", *node = "node", *script = "bench/curl/raw_client.js";
    const char *dir = "build/bench/curl";
    size_t requests = 12000, block = 100, rounds, r, k;
    olock_client *c;
    recorder *rec = NULL;
    increment inc[CLIENTS];
    capture cap[CLIENTS];
    bare bc;
    replay rp;
    node_child nc;
    int fd = -1, i;
    char jsonl[512];
    double *secs[CLIENTS], *cpu[CLIENTS], *ratio[CLIENTS], med[CLIENTS];
    olock_curl_stats st;

    for (i = 1; i + 1 < argc; i += 2) {
        if (strcmp(argv[i], "--endpoint") == 0) endpoint = argv[i + 1];
        else if (strcmp(argv[i], "--name") == 0) name = argv[i + 1];
        else if (strcmp(argv[i], "--requests") == 0) requests = (size_t)arg_int(argv[i + 1], 20, 10000000);
        else if (strcmp(argv[i], "--block") == 0) block = (size_t)arg_int(argv[i + 1], 1, 1000000);
        else if (strcmp(argv[i], "--node") == 0) node = argv[i + 1];
        else if (strcmp(argv[i], "--client") == 0) script = argv[i + 1];
        else if (strcmp(argv[i], "--capture-dir") == 0) dir = argv[i + 1];
        else break;
    }
    if (!endpoint || i < argc) {
        fprintf(stderr, "usage: %s --endpoint URL [--name NAME] [--requests N] [--block B] [--node PATH] "
                        "[--client raw_client.js] [--capture-dir DIR]\n", argv[0]);
        return 2;
    }
    rounds = requests / block;
    if (rounds < 3) { fprintf(stderr, "bench_curl: fewer than 3 blocks\n"); return 2; }
    requests = rounds * block;
    signal(SIGPIPE, SIG_IGN);
    curl_global_init(CURL_GLOBAL_DEFAULT);
    memset(cap, 0, sizeof cap);
    for (i = 0; i < CLIENTS; i++) {
        olock_buf_init(&cap[i].bytes, NULL);
        secs[i] = (double *)calloc(rounds, sizeof **secs);
        cpu[i] = (double *)calloc(rounds, sizeof **cpu);
        ratio[i] = (double *)calloc(rounds, sizeof **ratio);
        if (!secs[i] || !cpu[i] || !ratio[i]) return 1;
    }
    c = connect_client(endpoint, &rec);
    if (!c || !ensure_table(c)) return 1;
    for (i = 0; i < CLIENTS; i++) {
        if (!increment_init(&inc[i], ITEMS[i]) || !reset_item(c, ITEMS[i])) return 1;
    }

    /* What olock sends, recorded for each replaying client's item; then every item reset. */
    for (i = TRANSPORT; i < CLIENTS; i++) {
        rec->cap = &cap[i];
        if (!run_updates(c, &inc[i], 0, requests)) return 1;
        rec->cap = NULL;
        if (!reset_item(c, ITEMS[i])) return 1;
    }
    snprintf(jsonl, sizeof jsonl, "%s/capture.jsonl", dir);
    if (!capture_write_jsonl(&cap[RAW_NODE], jsonl)) { fprintf(stderr, "bench_curl: cannot write %s\n", jsonl); return 1; }
    if (!bare_init(&bc, endpoint, &cap[BARE_CURL]) || !replay_init(&rp, endpoint, &cap[TRANSPORT])) return 1;
    if ((fd = raw_connect(endpoint)) < 0) return 1;
    if (!node_start(&nc, node, script, jsonl, endpoint)) { fprintf(stderr, "bench_curl: the node client did not start\n"); return 1; }

    /* Round r: block r of every client, in rotating order. */
    for (r = 0; r < rounds; r++) {
        size_t from = r * block, to = from + block;
        for (k = 0; k < CLIENTS; k++) {
            int who = (int)((r + k) % CLIENTS), ok = 1;
            double t0 = now_s(), c0 = cpu_s(), s = 0;
            switch (who) {
            case OLOCK_CURL: ok = run_updates(c, &inc[OLOCK_CURL], from, to); break;
            case TRANSPORT: ok = replay_run(&rp, from, to); break;
            case BARE_CURL: ok = bare_run(&bc, from, to); break;
            case RAW_C: ok = raw_run(fd, &cap[RAW_C], from, to); break;
            default: s = node_run(&nc, block); ok = s > 0; break;
            }
            if (!ok) return 1;
            secs[who][r] = who == RAW_NODE ? s : now_s() - t0;
            cpu[who][r] = cpu_s() - c0;
        }
    }
    node_stop(&nc);
    close(fd);
    bare_free(&bc);
    replay_free(&rp);
    for (i = 0; i < CLIENTS; i++) {
        if (item_version(c, ITEMS[i]) != (int64_t)requests) {
            fprintf(stderr, "bench_curl: %s's item is not at version %lu\n", CLIENT_NAMES[i], (unsigned long)requests);
            return 1;
        }
    }

    /* Round 0 is the warm-up. */
    for (i = 0; i < CLIENTS; i++) {
        for (r = 1; r < rounds; r++) ratio[i][r - 1] = secs[i][r] / secs[OLOCK_CURL][r];   /* = olock req/s / its req/s */
        med[i] = quantile(secs[i] + 1, rounds - 1, 0.5) / (double)block;
    }
    printf("### %s\n\n", name);
    printf("%lu requests per client in %lu blocks of %lu (the first a warm-up), one block of each client per\n"
           "round in rotating order; the replaying clients send the bytes olock sent. Medians over blocks;\n"
           "ratio = olock+curl req/s / the client's req/s in the same round (median, interquartile range).\n\n",
           (unsigned long)requests, (unsigned long)rounds, (unsigned long)block);
    printf("| client | req/s | us per request | client CPU us per request | olock+curl / client | IQR |\n"
           "| --- | --- | --- | --- | --- | --- |\n");
    for (i = 0; i < CLIENTS; i++) {
        char cpu_text[32] = "(another process)";
        if (i != RAW_NODE) snprintf(cpu_text, sizeof cpu_text, "%.1f", quantile(cpu[i] + 1, rounds - 1, 0.5) / (double)block * 1e6);
        if (i == OLOCK_CURL) {
            printf("| %s | %.0f | %.0f | %s | | |\n", CLIENT_NAMES[i], 1 / med[i], med[i] * 1e6, cpu_text);
        } else {
            printf("| %s | %.0f | %.0f | %s | %.3f | %.3f - %.3f |\n", CLIENT_NAMES[i], 1 / med[i], med[i] * 1e6, cpu_text,
                   quantile(ratio[i], rounds - 1, 0.5), quantile(ratio[i], rounds - 1, 0.25), quantile(ratio[i], rounds - 1, 0.75));
        }
    }
    olock_curl_get_stats((olock_curl *)rec->inner.user, &st);
    printf("\nolock+curl: %llu requests in all (recording and set-up included) on %llu connection(s), %llu transparent "
           "resend(s).\n\n", (unsigned long long)st.requests, (unsigned long long)st.connections, (unsigned long long)st.resends);
    /* Targets: the (no overhead over a raw keep-alive client such as node's), and the
       backend's own (olock_curl.h adds nothing over libcurl doing the same). The raw C socket
       is the floor of any HTTP library: shown above, not a target. */
    {
        double qn = quantile(ratio[RAW_NODE], rounds - 1, 0.5), qt;
        for (r = 1; r < rounds; r++) ratio[OLOCK_CURL][r - 1] = secs[BARE_CURL][r] / secs[TRANSPORT][r];
        qt = quantile(ratio[OLOCK_CURL], rounds - 1, 0.5);
        printf("| curl | sequential versioned UpdateItem, %s: olock+curl >= %.2f x a raw keep-alive node client | %.3f (%.0f vs %.0f req/s) | %s |\n",
               name, TARGET_RATIO, qn, 1 / med[OLOCK_CURL], 1 / med[RAW_NODE], qn >= TARGET_RATIO ? "MET" : "NOT MET");
        printf("| curl | sequential UpdateItem, %s: the olock_curl transport >= %.2f x bare libcurl sending the same bytes | %.3f (%.0f vs %.0f req/s) | %s |\n\n",
               name, TARGET_RATIO, qt, 1 / med[TRANSPORT], 1 / med[BARE_CURL], qt >= TARGET_RATIO ? "MET" : "NOT MET");
    }
    for (i = 0; i < CLIENTS; i++) {
        increment_free(&inc[i]);
        capture_free(&cap[i]);
        free(secs[i]);
        free(cpu[i]);
        free(ratio[i]);
    }
    olock_client_destroy(c);
    curl_global_cleanup();
    return 0;
}
