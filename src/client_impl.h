/* =============================================================================================
   >>client (implementation)
   ========================================================================================== */

/* Private names later parts may use: the engine (>>engine) sends its requests the way the
   single-attempt calls do, so it shares
     the exchange        olock__exchange, olock__exchange_init, olock__exchange_free,
                         olock__build_http, olock__finish_exchange, olock__transport_why
     the retry policy    olock__backoff, olock__random, olock__xorshift
     the configuration   olock__versioning_fill, olock__cache_entry (and struct olock_client)
   Everything else here is private to the client. */

/* ---- clock, sleep and random defaults -------------------------------------------------------- */

/* The defaults need a monotonic clock and a sleep. POSIX declares them only when asked for
   (_POSIX_C_SOURCE), which the including file may not have done before its first system
   header: then these defaults are missing and the config must supply now_ms and sleep_ms
   (olock_client_create says so). */
#if defined(_WIN32)
#define OLOCK__HAVE_CLOCK 1
static uint64_t olock__default_now_ms(void *u) {
    (void)u;
    return (uint64_t)GetTickCount64();
}
static void olock__default_sleep_ms(void *u, uint64_t ms) {
    (void)u;
    Sleep((DWORD)(ms > 0xFFFFFFF0u ? 0xFFFFFFF0u : ms));
}
#else
#if defined(CLOCK_MONOTONIC)
#define OLOCK__HAVE_CLOCK 1
static uint64_t olock__default_now_ms(void *u) {
    struct timespec ts;
    (void)u;
    if (clock_gettime(CLOCK_MONOTONIC, &ts) != 0) return 0;
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}
static void olock__default_sleep_ms(void *u, uint64_t ms) {
    struct timespec ts;
    (void)u;
    ts.tv_sec = (time_t)(ms / 1000u);
    ts.tv_nsec = (long)(ms % 1000u) * 1000000L;
    while (nanosleep(&ts, &ts) != 0) { /* interrupted: sleep the rest */
    }
}
#else
#define OLOCK__HAVE_CLOCK 0
#endif
#endif

/* xorshift64*: fast and good enough for jitter and tokens once seeded from the OS. */
static uint64_t olock__xorshift(uint64_t *s) {
    uint64_t x = *s;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    *s = x;
    return x * 0x2545F4914F6CDD1Dull;
}

/* Seeds from /dev/urandom where there is one (tokens must differ across processes), mixed
   with the clock and an address so that two clients never share a stream. */
static uint64_t olock__seed(const void *addr) {
    uint64_t seed = (uint64_t)(size_t)addr * 0x9E3779B97F4A7C15ull ^ (uint64_t)time(NULL);
    FILE *f = fopen("/dev/urandom", "rb");
    if (f) {
        uint64_t r = 0;
        if (fread(&r, sizeof r, 1, f) == 1) seed ^= r;
        fclose(f);
    }
    return seed ? seed : 0x9E3779B97F4A7C15ull;
}

/* ---- client --------------------------------------------------------------------------------- */

/* The buffers of one request/response exchange: the client has one for its simple calls and
   every task has its own, so that tasks can be in flight together. Reused, so a warmed-up
   exchange does not allocate. */
typedef struct olock__exchange {
    olock_buf body;
    olock_http_response res;
    olock_arena arena; /* the decoded response */
    char target[48];   /* X-Amz-Target value */
    olock_http_header headers[8];
    olock_buf sig;     /* values of the signature headers (secret: the token) */
    const char *token; /* the session token the request carries, or NULL */
    olock_http_request req;
    olock_response decoded;
    char transport_error[256]; /* the transport's last_error after a failed send ("": none) */
    int item_only;             /* decoded.json is never read (the engine's): an item answer is
                                  decoded without the tree where it can be (decoded.json NULL) */
} olock__exchange;

typedef struct olock__cache_entry {
    olock_item *item; /* NULL: free slot */
    olock_buf id;     /* table name, NUL, key JSON */
    uint64_t used;    /* LRU tick */
} olock__cache_entry;

struct olock_client {
    olock_allocator alloc; /* copied from the config; everything below uses &alloc */
    olock_transport transport;
    char *url;                 /* endpoint URL */
    char *host;                /* Host header value, from the URL */
    olock_aws_config aws;      /* resolved endpoint, region, credentials (secrets wiped on destroy) */
    olock_sigv4_signer signer; /* valid when signing */
    int signing;
    const char *path; /* path part of the URL, for the signature */
    int64_t (*unix_time_s)(void *hook_user);
    olock_retry_policy retry;
    olock_versioning versioning; /* defaults filled in; its strings are the two below */
    char *version_attribute;
    char *token_attribute;
    size_t version_attribute_len, token_attribute_len; /* their lengths, for every write's checks and items */
    char *version_path, *token_path;                   /* the two as expression path text, made once (NULL: not a valid name) */
    const void *record_types_ok[4];                    /* typed records: the last record types that passed their checks */
    unsigned record_types_next;
    char *token_head_path; /* token_path[0], the ledger's head (the engine's head guard) */
    void *hook_user;
    uint64_t (*now_ms)(void *hook_user);
    void (*sleep_ms)(void *hook_user, uint64_t ms);
    uint64_t (*random_u64)(void *hook_user);
    void (*on_attempt)(void *hook_user, const olock_attempt *a);
    uint64_t rng;                           /* default random state */
    unsigned quota;                         /* retry token bucket, shared by the client's operations */
    int all_old_supported;                  /* seen: the server returns the item on a failed condition */
    olock__exchange x;                      /* olock_client_call and the plain operations */
    olock_task *blocking;                   /* the task behind the blocking versioned calls (lazily made) */
    void (*blocking_destroy)(olock_task *); /* how to free it: set by the engine, which makes it */
    olock__cache_entry *cache;
    unsigned cache_n;
    uint64_t cache_tick;
    uint64_t conflict_rtt_us; /* smoothed round trip of this client's conflicting writes, in us (0: none yet) */
};

OLOCK_API olock_config olock_config_default(void) {
    olock_config c;
    memset(&c, 0, sizeof c);
    c.retry.conflict_attempts = 10;
    c.retry.transient_attempts = 4;
    c.retry.base_ms = 25;
    c.retry.throttle_base_ms = 500;
    c.retry.cap_ms = 20000;
    c.retry.quota_capacity = 500;
    c.retry.quota_retry_cost = 5;
    c.retry.quota_timeout_cost = 10;
    c.retry.conflict_time_ms = 2000;
    c.retry.conflict_attempts_max = 100;
    c.retry.conflict_backoff_rtts = 32;
    c.max_response_bytes = OLOCK__DEFAULT_MAX_BYTES;
    c.versioning.attribute = "version";
    c.versioning.increment_by = 1;
    c.versioning.token_attribute = "olock_writers";
    c.versioning.token_history = 8;
    return c;
}

/* The version and ledger attributes as expression path text, made once: every versioned write
   names them. A name the builder cannot quote stays NULL (the engine then lets the builder
   report it with each write, as for any other path). */
static olock_result olock__attribute_paths(olock_client *c) {
    olock_expr *e = NULL;
    const char *vp, *tp, *hp;
    olock_result r = olock_expr_create(&c->alloc, &e);
    if (r != OLOCK_OK) return r;
    vp = olock_path_name(e, c->version_attribute);
    c->version_path = vp ? olock__strdup(&c->alloc, vp) : NULL;
    if (olock_expr_status(e, NULL) == OLOCK_ERR_NOMEM || (vp && !c->version_path)) r = OLOCK_ERR_NOMEM;
    olock_expr_reset(e); /* a failure is sticky: the second name gets a fresh start */
    tp = *c->token_attribute ? olock_path_name(e, c->token_attribute) : NULL;
    c->token_path = tp ? olock__strdup(&c->alloc, tp) : NULL;
    if (olock_expr_status(e, NULL) == OLOCK_ERR_NOMEM || (tp && !c->token_path)) r = OLOCK_ERR_NOMEM;
    hp = tp ? olock_path_index(e, tp, 0) : NULL;
    c->token_head_path = hp ? olock__strdup(&c->alloc, hp) : NULL;
    if (olock_expr_status(e, NULL) == OLOCK_ERR_NOMEM || (hp && !c->token_head_path)) r = OLOCK_ERR_NOMEM;
    olock_expr_destroy(e);
    return r;
}

/* 0 in a retry field means its default. */
static void olock__retry_fill(olock_retry_policy *p) {
    olock_config d = olock_config_default();
    if (!p->conflict_attempts) p->conflict_attempts = d.retry.conflict_attempts;
    if (!p->transient_attempts) p->transient_attempts = d.retry.transient_attempts;
    if (!p->base_ms) p->base_ms = d.retry.base_ms;
    if (!p->throttle_base_ms) p->throttle_base_ms = d.retry.throttle_base_ms;
    if (!p->cap_ms) p->cap_ms = d.retry.cap_ms;
    if (!p->quota_capacity) p->quota_capacity = d.retry.quota_capacity;
    if (!p->quota_retry_cost) p->quota_retry_cost = d.retry.quota_retry_cost;
    if (!p->quota_timeout_cost) p->quota_timeout_cost = d.retry.quota_timeout_cost;
    if (!p->conflict_time_ms) p->conflict_time_ms = d.retry.conflict_time_ms;
    if (!p->conflict_attempts_max) p->conflict_attempts_max = d.retry.conflict_attempts_max;
    if (!p->conflict_backoff_rtts) p->conflict_backoff_rtts = d.retry.conflict_backoff_rtts;
}

static void olock__exchange_init(olock__exchange *x, const olock_allocator *a, size_t max_response) {
    memset(x, 0, sizeof *x);
    olock_buf_init(&x->body, a);
    olock_buf_init(&x->sig, a);
    x->sig.secret = 1; /* X-Amz-Security-Token's value: wiped when it grows or is freed */
    olock_http_response_init(&x->res, a, max_response);
    olock_arena_init(&x->arena, a);
}

static void olock__exchange_free(olock__exchange *x) {
    olock_buf_free(&x->body);
    olock_buf_free(&x->sig);
    olock_http_response_free(&x->res);
    olock_arena_free(&x->arena);
}

/* Keeps the endpoint URL, its Host header value ("host[:port]") and its path (for the
   signature), split by olock_url_split, the one URL parser. */
static olock_result olock__client_set_url(olock_client *c, const char *url, olock_error *err) {
    olock_url_parts parts;
    olock_result r;
    c->url = olock__strdup(&c->alloc, url);
    if (!c->url) {
        olock__error_set(err, OLOCK_ERR_NOMEM, "out of memory");
        return OLOCK_ERR_NOMEM;
    }
    r = olock_url_split(c->url, &parts, err);
    if (r != OLOCK_OK) return r;
    c->host = (char *)olock__alloc(&c->alloc, parts.host_len + 1);
    if (!c->host) {
        olock__error_set(err, OLOCK_ERR_NOMEM, "out of memory");
        return OLOCK_ERR_NOMEM;
    }
    memcpy(c->host, parts.host, parts.host_len);
    c->host[parts.host_len] = 0;
    c->path = parts.path; /* runs to the end of c->url (no query allowed), or a static "/" */
    return OLOCK_OK;
}

static int64_t olock__default_unix_time(void *u) {
    (void)u;
    return (int64_t)time(NULL);
}

/* What a network transport still lacks, as settings to set (OLOCK_ERR_CONFIG). Without it,
   requests would go out unsigned (MissingAuthenticationToken) or to http://localhost/. */
static olock_result olock__client_missing(const olock_client *c, const olock_config *cfg, int no_creds, olock_error *err) {
    int env = !cfg->ignore_environment;
    char region[200], creds[176];
    region[0] = creds[0] = 0;
    if (!c->aws.region && !c->aws.endpoint)
        snprintf(region, sizeof region, "no region and no endpoint: set config.region%s (plus config.endpoint%s "
                                        "for a server other than DynamoDB)",
                 env ? " or AWS_REGION" : "", env ? " or AWS_ENDPOINT_URL_DYNAMODB" : "");
    else if (!c->aws.region)
        snprintf(region, sizeof region, "no region to sign requests with: set config.region%s (any, e.g. us-east-1, "
                                        "for a local server)",
                 env ? " or AWS_REGION" : "");
    if (no_creds)
        snprintf(creds, sizeof creds, "no credentials: set config.credentials%s (any key for a local server)",
                 env ? ", AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or the shared credentials file" : "");
    olock__error_set(err, OLOCK_ERR_CONFIG, "network transport: %s%s%s", region, *region && *creds ? "; " : "", creds);
    return OLOCK_ERR_CONFIG;
}

/* Endpoint, region and credentials, explicit first, then the environment; signing when both
   credentials and a region are known (a network transport requires both). */
static olock_result olock__client_resolve(olock_client *c, const olock_config *cfg, olock_error *err) {
    olock_env none;
    const olock_env *env = NULL;
    olock_error e;
    olock_result r;
    const char *url;
    olock_credentials creds;
    int network = cfg->transport.kind == OLOCK_TRANSPORT_NETWORK, no_creds;
    if (cfg->ignore_environment) {
        none.get = NULL;
        none.user = NULL;
        env = &none;
    }
    if (cfg->ignore_environment && !cfg->credentials.access_key_id && !cfg->credentials.secret_access_key) {
        r = OLOCK_ERR_CREDENTIALS; /* nothing explicit, nothing else to look at */
        olock__error_set(&e, r, "no credentials");
    } else {
        r = olock_aws_config_resolve_credentials(&c->aws, &cfg->credentials, env, &e);
    }
    if (r != OLOCK_OK && !(r == OLOCK_ERR_CREDENTIALS && !cfg->credentials.access_key_id && !cfg->credentials.secret_access_key && strncmp(e.message, "no credentials", 14) == 0)) {
        if (err) *err = e;
        return r; /* explicit ones are wrong, or the file is malformed */
    }
    no_creds = r != OLOCK_OK;
    /* A network transport also hears about a malformed AWS_REGION or AWS_ENDPOINT_URL*, and
       gets DynamoDB's endpoint for its region even when the environment is ignored. */
    if (cfg->region || !cfg->ignore_environment) {
        r = olock_aws_config_resolve_region(&c->aws, cfg->region, env, &e);
        if (r != OLOCK_OK && (cfg->region || (network && strncmp(e.message, "no region", 9) != 0))) {
            if (err) *err = e;
            return r;
        }
    }
    if (cfg->endpoint || !cfg->ignore_environment || network) {
        r = olock_aws_config_resolve_endpoint(&c->aws, cfg->endpoint, env, &e);
        if (r != OLOCK_OK && (cfg->endpoint || r == OLOCK_ERR_NOMEM || (network && strncmp(e.message, "no endpoint", 11) != 0))) {
            if (err) *err = e;
            return r;
        }
    }
    if (network && (!c->aws.region || !c->aws.endpoint || no_creds)) return olock__client_missing(c, cfg, no_creds, err);
    /* No endpoint anywhere: only an in-process transport can be meant, which ignores the URL. */
    url = c->aws.endpoint ? c->aws.endpoint : "http://localhost/";
    r = olock__client_set_url(c, url, err);
    if (r != OLOCK_OK) return r;
    if (c->aws.access_key_id && c->aws.region) {
        creds.access_key_id = c->aws.access_key_id;
        creds.secret_access_key = c->aws.secret_access_key;
        creds.session_token = c->aws.session_token;
        r = olock_sigv4_signer_init(&c->signer, &c->alloc, &creds, c->aws.region, "dynamodb", err);
        if (r != OLOCK_OK) {
            olock_sigv4_signer_free(&c->signer);
            return r;
        }
        c->signing = 1;
    }
    return OLOCK_OK;
}

static void olock__cache_free(olock_client *c) {
    unsigned i;
    if (!c->cache) return;
    for (i = 0; i < c->cache_n; i++) {
        olock_item_destroy(c->cache[i].item);
        olock_buf_free(&c->cache[i].id);
    }
    olock__free(&c->alloc, c->cache, sizeof *c->cache * c->cache_n);
    c->cache = NULL;
}

OLOCK_API void olock_client_destroy(olock_client *c) {
    olock_allocator a;
    if (!c) return;
    a = c->alloc;
    if (c->blocking) c->blocking_destroy(c->blocking);
    olock__cache_free(c);
    if (c->transport.destroy) c->transport.destroy(c->transport.user);
    olock__str_free(&a, &c->url, 0);
    olock__str_free(&a, &c->host, 0);
    if (c->signing) olock_sigv4_signer_free(&c->signer);
    olock_aws_config_free(&c->aws);
    olock__str_free(&a, &c->version_attribute, 0);
    olock__str_free(&a, &c->token_attribute, 0);
    olock__str_free(&a, &c->version_path, 0);
    olock__str_free(&a, &c->token_path, 0);
    olock__str_free(&a, &c->token_head_path, 0);
    olock__exchange_free(&c->x);
    olock__wipe(c, sizeof *c);
    olock__free(&a, c, sizeof *c);
}

/* Versioning with defaults filled in (strings still the caller's). */
static olock_versioning olock__versioning_fill(const olock_versioning *v) {
    olock_versioning d = olock_config_default().versioning;
    if (!v) return d;
    if (v->attribute && *v->attribute) d.attribute = v->attribute;
    d.start_at = v->start_at;
    if (v->increment_by) d.increment_by = v->increment_by;
    d.permissive = v->permissive;
    if (v->token_attribute) d.token_attribute = v->token_attribute;
    if (v->token_history) d.token_history = v->token_history;
    return d;
}

OLOCK_API olock_result olock_client_create(const olock_config *cfg, olock_client **out, olock_error *err) {
    olock_client *c;
    olock_result r;
    olock_versioning v;
    olock__error_clear(err);
    if (!cfg || !out) {
        if (cfg && cfg->transport.destroy) cfg->transport.destroy(cfg->transport.user);
        return olock__null_arg(err, "olock_client_create", cfg ? "out" : "cfg");
    }
    if ((cfg->allocator.malloc_fn || cfg->allocator.realloc_fn || cfg->allocator.free_fn) &&
        !(cfg->allocator.malloc_fn && cfg->allocator.realloc_fn && cfg->allocator.free_fn)) {
        if (cfg->transport.destroy) cfg->transport.destroy(cfg->transport.user);
        return olock__fail_at(err, OLOCK_ERR_CONFIG, 0, "allocator needs all of malloc_fn, realloc_fn and free_fn");
    }
    c = (olock_client *)olock__alloc(&cfg->allocator, sizeof *c);
    if (!c) {
        if (cfg->transport.destroy) cfg->transport.destroy(cfg->transport.user);
        return olock__fail_at(err, OLOCK_ERR_NOMEM, 0, "out of memory");
    }
    memset(c, 0, sizeof *c);
    c->alloc = cfg->allocator;
    c->transport = cfg->transport;
    c->retry = cfg->retry;
    olock__retry_fill(&c->retry);
    c->quota = c->retry.quota_capacity;
    c->hook_user = cfg->hook_user;
    c->now_ms = cfg->now_ms;
    c->sleep_ms = cfg->sleep_ms;
    c->random_u64 = cfg->random_u64;
    c->on_attempt = cfg->on_attempt;
    c->unix_time_s = cfg->unix_time_s;
    olock_aws_config_init(&c->aws, &c->alloc);
    c->rng = olock__seed(c);
    olock__exchange_init(&c->x, &c->alloc, cfg->max_response_bytes ? cfg->max_response_bytes : OLOCK__DEFAULT_MAX_BYTES);
    if (!cfg->transport.send) {
        r = OLOCK_ERR_CONFIG;
        olock__error_set(err, r, "config has no transport");
        goto fail;
    }
#if !OLOCK__HAVE_CLOCK
    if (!c->now_ms || !c->sleep_ms) {
        r = OLOCK_ERR_CONFIG;
        olock__error_set(err, r, "no monotonic clock in this build: set now_ms and sleep_ms in the config "
                                 "(or define _POSIX_C_SOURCE 200809L before any include)");
        goto fail;
    }
#else
    if (!c->now_ms) c->now_ms = olock__default_now_ms;
    if (!c->sleep_ms) c->sleep_ms = olock__default_sleep_ms;
#endif
    v = olock__versioning_fill(&cfg->versioning);
    if (v.token_history > 64) {
        r = OLOCK_ERR_CONFIG;
        olock__error_set(err, r, "versioning.token_history is at most 64");
        goto fail;
    }
    c->version_attribute = olock__strdup(&c->alloc, v.attribute);
    c->token_attribute = olock__strdup(&c->alloc, v.token_attribute);
    if (!c->version_attribute || !c->token_attribute) {
        r = OLOCK_ERR_NOMEM;
        goto oom;
    }
    c->versioning = v;
    c->versioning.attribute = c->version_attribute;
    c->versioning.token_attribute = c->token_attribute;
    c->version_attribute_len = strlen(c->version_attribute);
    c->token_attribute_len = strlen(c->token_attribute);
    r = olock__attribute_paths(c);
    if (r != OLOCK_OK) goto oom;
    r = olock__client_resolve(c, cfg, err);
    if (r != OLOCK_OK) goto fail;
    if (cfg->cache_entries) {
        unsigned i;
        c->cache = (olock__cache_entry *)olock__alloc(&c->alloc, sizeof *c->cache * cfg->cache_entries);
        if (!c->cache) {
            r = OLOCK_ERR_NOMEM;
            goto oom;
        }
        c->cache_n = cfg->cache_entries;
        for (i = 0; i < c->cache_n; i++) {
            c->cache[i].item = NULL;
            c->cache[i].used = 0;
            olock_buf_init(&c->cache[i].id, &c->alloc);
        }
    }
    *out = c;
    return OLOCK_OK;
oom:
    olock__error_set(err, r, "out of memory");
fail:
    olock_client_destroy(c);
    return r;
}

OLOCK_API uint64_t olock_client_now_ms(olock_client *c) {
    return c && c->now_ms ? c->now_ms(c->hook_user) : 0;
}

static uint64_t olock__random(olock_client *c) {
    return c->random_u64 ? c->random_u64(c->hook_user) : olock__xorshift(&c->rng);
}

/* Fills x->req for the body in x->body: the fixed headers, then the signature. */
static olock_result olock__build_http(olock_client *c, olock__exchange *x, olock_op op, olock_error *err) {
    static const char prefix[] = "DynamoDB_20120810.";
    const char *name = olock_op_name(op);
    size_t n = 0;
    memcpy(x->target, prefix, sizeof prefix - 1);
    memcpy(x->target + sizeof prefix - 1, name, strlen(name) + 1);
    x->headers[n].name = "Host";
    x->headers[n++].value = c->host;
    x->headers[n].name = "Content-Type";
    x->headers[n++].value = "application/x-amz-json-1.0";
    x->headers[n].name = "X-Amz-Target";
    x->headers[n++].value = x->target;
    x->token = c->signing ? c->aws.session_token : NULL;
    if (c->signing) {
        olock_sigv4_request sr;
        olock_sigv4_signature sig;
        olock_result r;
        size_t i, off[4];
        sr.method = "POST";
        sr.path = c->path;
        sr.query = NULL;
        sr.headers = x->headers;
        sr.header_count = n;
        sr.body = x->body.data;
        sr.body_len = x->body.len;
        sr.payload_hash = NULL;
        r = olock_sigv4_signer_sign(&c->signer, &sr, (c->unix_time_s ? c->unix_time_s : olock__default_unix_time)(c->hook_user),
                                    OLOCK_SIGV4_NORMALIZE_PATH, &sig, err);
        if (r != OLOCK_OK) return r;
        /* The signer's output lives until its next signature, and other tasks of this client
           may sign before this request goes out: keep a copy with the exchange. */
        olock_buf_clear(&x->sig);
        for (i = 0; i < sig.header_count && i < 4; i++) {
            off[i] = x->sig.len;
            r = olock_buf_append(&x->sig, sig.headers[i].value, strlen(sig.headers[i].value) + 1);
            if (r != OLOCK_OK) {
                olock__error_set(err, r, "out of memory");
                return r;
            }
        }
        for (i = 0; i < sig.header_count && i < 4; i++) {
            x->headers[n].name = sig.headers[i].name; /* static names */
            x->headers[n++].value = x->sig.data + off[i];
        }
    }
    x->req.method = "POST";
    x->req.url = c->url;
    x->req.headers = x->headers;
    x->req.header_count = n;
    x->req.body = x->body.data ? x->body.data : "";
    x->req.body_len = x->body.len;
    olock_http_response_reset(&x->res);
    return OLOCK_OK;
}

/* Copies a server's error message with the session token cut out: for a signature mismatch
   AWS echoes the canonical request it computed, X-Amz-Security-Token's value included, and
   olock_error.message never shows a secret. The token's first 16 bytes are enough to spot
   it; the whole run that matches it is replaced. */
static void olock__copy_message(char *dst, size_t cap, const char *msg, const char *token) {
    static const char mark[] = "[redacted]";
    size_t len = strlen(msg), k = token ? strlen(token) : 0, i = 0, n = 0, m;
    if (cap == 0) return;
    if (k > 16) k = 16;
    while (i < len && n + 1 < cap) {
        if (k && len - i >= k && memcmp(msg + i, token, k) == 0) {
            for (m = k; i + m < len && token[m] && msg[i + m] == token[m]; m++) {}
            i += m;
            for (m = 0; m < sizeof mark - 1 && n + 1 < cap; m++) dst[n++] = mark[m];
            continue;
        }
        dst[n++] = msg[i++];
    }
    dst[n] = 0;
}

/* Checks x-amz-crc32 when the server sent one. */
static olock_result olock__check_crc32(const olock_http_response *res, olock_error *err) {
    const char *h = olock_http_response_header(res, "x-amz-crc32");
    uint64_t want = 0;
    uint32_t got;
    if (!h) return OLOCK_OK;
    if (!*h) return olock__fail_at(err, OLOCK_ERR_RESPONSE, 0, "empty x-amz-crc32 header");
    if (!olock__u64_parse(h, strlen(h), &want) || want > 0xFFFFFFFFu)
        return olock__fail_at(err, OLOCK_ERR_RESPONSE, 0, "malformed x-amz-crc32 header");
    got = olock_crc32(0, res->body.data ? res->body.data : "", res->body.len);
    if (want != got) return olock__fail_at(err, OLOCK_ERR_CRC32, 0, "response body does not match x-amz-crc32");
    return OLOCK_OK;
}

/* Whether a response body starts as a JSON object, as every DynamoDB answer does. */
static int olock__body_is_object(const olock_http_response *res) {
    size_t i;
    for (i = 0; i < res->body.len; i++) {
        char ch = res->body.data[i];
        if (ch != ' ' && ch != '\t' && ch != '\r' && ch != '\n') return ch == '{';
    }
    return 0;
}

/* The message for an answer no DynamoDB sends (an empty body, one that is not a JSON object,
   an error without __type): its status, how its body starts and the endpoint, since the usual
   cause is an endpoint that is not DynamoDB (a web server, a wrong port or path, a proxy's
   error page). The code, status and offset stay as they are. */
static void olock__not_dynamodb(const olock__exchange *x, olock_result code, olock_error *err) {
    const olock_http_response *res = &x->res;
    const char *loc = res->status >= 300 && res->status < 400 ? olock_http_response_header(res, "Location") : NULL;
    char shown[48], start[64], what[200];
    size_t i, n = res->body.len < sizeof shown - 1 ? res->body.len : sizeof shown - 1;
    if (!err) return;
    for (i = 0; i < n; i++) {
        char ch = res->body.data[i];
        shown[i] = ch >= 0x20 && ch < 0x7f ? ch : ' ';
    }
    shown[n] = 0;
    olock__copy_message(start, sizeof start, shown, x->token);
    if (loc) snprintf(what, sizeof what, "a redirect to %.120s (olock follows none)", loc);
    else if (!res->body.len) snprintf(what, sizeof what, "an empty body");
    else snprintf(what, sizeof what, "%s: \"%s%s\"", olock__body_is_object(res) ? "an error without __type" : "a body that is not a JSON object",
                  start, res->body.len > n ? "..." : "");
    olock__error_set(err, code, "HTTP %d with %s: is the endpoint (%.100s) DynamoDB%s?", res->status, what,
                     x->req.url ? x->req.url : "", res->status >= 500 ? ", or a proxy in front of it" : "");
}

static int olock__op_is_read(olock_op op) {
    return op == OLOCK_OP_GET_ITEM || op == OLOCK_OP_TRANSACT_GET_ITEMS || op == OLOCK_OP_BATCH_GET_ITEM ||
        op == OLOCK_OP_QUERY || op == OLOCK_OP_SCAN || op == OLOCK_OP_DESCRIBE_TABLE || op == OLOCK_OP_LIST_TABLES;
}

/* Turns what the transport returned and the response it filled into a result, with x->decoded
   and err filled in. OLOCK_OK only for a success response. */
static olock_result olock__finish_exchange(olock__exchange *x, olock_op op, olock_result sent, olock_error *err) {
    olock_response *res = &x->decoded;
    olock_result r;
    unsigned attempts = err ? err->attempts : 0;
    char why[sizeof x->transport_error];
    /* taken once: a driver of its own (olock_task_complete) leaves it empty */
    olock__copy_message(why, sizeof why, x->transport_error, x->token);
    x->transport_error[0] = 0;
    olock__error_clear(err);
    if (err) err->attempts = attempts;
    memset(res, 0, sizeof *res);
    olock_arena_reset(&x->arena);
    if (sent != OLOCK_OK) {
        /* Running out of room while receiving happens after sending: a write may have been applied. */
        olock_result after = olock__op_is_read(op) ? sent : OLOCK_ERR_MAYBE_SENT;
        if (sent == OLOCK_ERR_LIMIT) {
            olock__error_set(err, after, "response body exceeds max_response_bytes (%lu)%s", (unsigned long)x->res.body.max,
                             after == sent ? "" : "; the request may have been applied");
            return after;
        }
        if (sent == OLOCK_ERR_NOMEM) {
            olock__error_set(err, after, "out of memory while receiving the response%s", after == sent ? "" : "; the request may have been applied");
            return after;
        }
        if (sent == OLOCK_ERR_INVALID_ARG || sent == OLOCK_ERR_UNSUPPORTED) { /* refused before sending */
            olock__error_set(err, sent, "the transport refused the request: %s%s%s", olock_result_str(sent), *why ? ": " : "", why);
            return sent;
        }
        if (sent != OLOCK_ERR_NOT_SENT) sent = OLOCK_ERR_MAYBE_SENT;
        if (sent == OLOCK_ERR_MAYBE_SENT && olock__op_is_read(op)) {
            /* A read changes nothing, so it is never "maybe applied": it just got no answer. */
            sent = OLOCK_ERR_TRANSIENT;
            olock__error_set(err, sent, "no answer to %s (%s); a read changes nothing, so it can simply be retried",
                             olock_op_name(op), *why ? why : "timeout or connection lost after sending");
        } else if (*why) {
            olock__error_set(err, sent, "%s: %s", sent == OLOCK_ERR_NOT_SENT ? "request not sent" : "request may have been applied", why);
        } else {
            olock__error_set(err, sent, "%s", olock_result_str(sent));
        }
        if (err) err->error_class = OLOCK_CLASS_TRANSIENT;
        return sent;
    }
    if (err) err->http_status = x->res.status;
    r = olock__check_crc32(&x->res, err);
    if (r == OLOCK_ERR_CRC32) {
        if (err) err->error_class = OLOCK_CLASS_TRANSIENT;
    }
    if (r == OLOCK_OK && x->item_only &&
        olock__response_decode_item(&x->arena, op, x->res.status, x->res.body.data, x->res.body.len, res))
        return OLOCK_OK;
    if (r == OLOCK_OK) {
        if (x->item_only) olock_arena_reset(&x->arena); /* what the one-pass decoder left */
        r = olock_response_decode(&x->arena, op, x->res.status, x->res.body.data, x->res.body.len, res, err);
        if (err) {
            err->attempts = attempts;
            err->http_status = x->res.status;
        }
        if ((r == OLOCK_ERR_PARSE || r == OLOCK_ERR_RESPONSE) && !olock__body_is_object(&x->res)) olock__not_dynamodb(x, r, err);
    }
    if (r != OLOCK_OK) return r;
    if (res->error_class == OLOCK_CLASS_NONE) return OLOCK_OK;
    r = olock_class_result(res->error_class);
    if (err) {
        err->code = r;
        err->error_class = res->error_class;
        if (res->error_type) olock__copy_str(err->aws_type, sizeof err->aws_type, res->error_type, strlen(res->error_type));
        if (!res->error_type) olock__not_dynamodb(x, r, err);
        else if (res->error_message) olock__copy_message(err->message, sizeof err->message, res->error_message, x->token);
        else olock__error_set(err, r, "HTTP %d %s", res->http_status, res->error_type);
    }
    return r;
}

/* The transport's own words about the failure r of its last send ("" when r is OK or it has
   none). */
static const char *olock__transport_why(olock_client *c, olock_result r) {
    const char *why = r != OLOCK_OK && c->transport.last_error ? c->transport.last_error(c->transport.user) : NULL;
    return why ? why : "";
}

/* Sends x->req with the client's transport, keeping the transport's own words about a failure
   for olock__finish_exchange. */
static olock_result olock__transport_send(olock_client *c, olock__exchange *x) {
    olock_result r = c->transport.send(c->transport.user, &x->req, &x->res);
    const char *why = olock__transport_why(c, r);
    olock__copy_str(x->transport_error, sizeof x->transport_error, why, strlen(why));
    return r;
}

/* One request, one attempt, on the client's own exchange. */
static olock_result olock__client_roundtrip(olock_client *c, olock_op op, olock_response *out, olock_error *err) {
    olock_result r = olock__build_http(c, &c->x, op, err);
    if (r != OLOCK_OK) return r;
    if (err) err->attempts++;
    r = olock__transport_send(c, &c->x);
    r = olock__finish_exchange(&c->x, op, r, err);
    if (out && (r == OLOCK_OK || c->x.decoded.op)) *out = c->x.decoded;
    return r;
}

OLOCK_API olock_result olock_client_call(olock_client *c, olock_op op, const char *body, size_t len,
                                         olock_response *out, olock_error *err) {
    olock_result r;
    olock__error_clear(err);
    if (!c) return olock__null_arg(err, "olock_client_call", "c");
    if (op <= 0 || op >= OLOCK_OP_COUNT_) return olock__invalid_arg(err, "olock_client_call: op %d is not an olock_op", (int)op);
    if (!body && len) return olock__invalid_arg(err, "olock_client_call: body is NULL and len is %lu", (unsigned long)len);
    olock_buf_clear(&c->x.body);
    r = olock_buf_append(&c->x.body, body ? body : "", len);
    if (r != OLOCK_OK) return olock__fail_at(err, r, 0, "out of memory");
    return olock__client_roundtrip(c, op, out, err);
}

/* An encoder's complaint about an argument, said in the name of the client call `fn`. */
static olock_result olock__client_encoded(olock_result rc, const char *fn, olock_error *err) {
    if (rc == OLOCK_ERR_INVALID_ARG) olock__error_rename(err, fn);
    return rc;
}

static olock_result olock__client_item_op(olock_client *c, const char *fn, olock_op op, const olock_item_request *r,
                                          olock_response *out, olock_error *err) {
    olock_result rc;
    if (!c) {
        olock__error_clear(err);
        return olock__null_arg(err, fn, "c");
    }
    olock_buf_clear(&c->x.body);
    rc = olock_encode_item_request(op, r, &c->x.body, err);
    return rc != OLOCK_OK ? olock__client_encoded(rc, fn, err) : olock__client_roundtrip(c, op, out, err);
}

OLOCK_API olock_result olock_get_item(olock_client *c, const olock_item_request *r, olock_response *out, olock_error *err) {
    return olock__client_item_op(c, "olock_get_item", OLOCK_OP_GET_ITEM, r, out, err);
}
OLOCK_API olock_result olock_put_item(olock_client *c, const olock_item_request *r, olock_response *out, olock_error *err) {
    return olock__client_item_op(c, "olock_put_item", OLOCK_OP_PUT_ITEM, r, out, err);
}
OLOCK_API olock_result olock_update_item(olock_client *c, const olock_item_request *r, olock_response *out, olock_error *err) {
    return olock__client_item_op(c, "olock_update_item", OLOCK_OP_UPDATE_ITEM, r, out, err);
}
OLOCK_API olock_result olock_delete_item(olock_client *c, const olock_item_request *r, olock_response *out, olock_error *err) {
    return olock__client_item_op(c, "olock_delete_item", OLOCK_OP_DELETE_ITEM, r, out, err);
}

OLOCK_API olock_result olock_transact_write_items(olock_client *c, const olock_txn_action *actions, size_t count,
                                                  const char *client_request_token, olock_response *out, olock_error *err) {
    olock_result rc;
    if (!c) {
        olock__error_clear(err);
        return olock__null_arg(err, "olock_transact_write_items", "c");
    }
    olock_buf_clear(&c->x.body);
    rc = olock_encode_transact_write(actions, count, client_request_token, &c->x.body, err);
    return rc != OLOCK_OK ? olock__client_encoded(rc, "olock_transact_write_items", err)
                          : olock__client_roundtrip(c, OLOCK_OP_TRANSACT_WRITE_ITEMS, out, err);
}

OLOCK_API olock_result olock_query(olock_client *c, const olock_query_request *r, olock_response *out, olock_error *err) {
    olock_result rc;
    if (!c) {
        olock__error_clear(err);
        return olock__null_arg(err, "olock_query", "c");
    }
    olock_buf_clear(&c->x.body);
    rc = olock_encode_query(OLOCK_OP_QUERY, r, &c->x.body, err);
    return rc != OLOCK_OK ? olock__client_encoded(rc, "olock_query", err) : olock__client_roundtrip(c, OLOCK_OP_QUERY, out, err);
}

OLOCK_API olock_result olock_create_table(olock_client *c, const olock_create_table_request *r, olock_response *out, olock_error *err) {
    olock_result rc;
    if (!c) {
        olock__error_clear(err);
        return olock__null_arg(err, "olock_create_table", "c");
    }
    olock_buf_clear(&c->x.body);
    rc = olock_encode_create_table(r, &c->x.body, err);
    return rc != OLOCK_OK ? olock__client_encoded(rc, "olock_create_table", err) : olock__client_roundtrip(c, OLOCK_OP_CREATE_TABLE, out, err);
}

static olock_result olock__client_table_op(olock_client *c, const char *fn, olock_op op, const char *table, olock_response *out, olock_error *err) {
    olock_result rc;
    if (!c) {
        olock__error_clear(err);
        return olock__null_arg(err, fn, "c");
    }
    olock_buf_clear(&c->x.body);
    rc = olock_encode_table_op(op, table, &c->x.body, err);
    return rc != OLOCK_OK ? olock__client_encoded(rc, fn, err) : olock__client_roundtrip(c, op, out, err);
}

OLOCK_API olock_result olock_delete_table(olock_client *c, const char *table, olock_response *out, olock_error *err) {
    return olock__client_table_op(c, "olock_delete_table", OLOCK_OP_DELETE_TABLE, table, out, err);
}
OLOCK_API olock_result olock_describe_table(olock_client *c, const char *table, olock_response *out, olock_error *err) {
    return olock__client_table_op(c, "olock_describe_table", OLOCK_OP_DESCRIBE_TABLE, table, out, err);
}

/* ---- request initialisers ---------------------------------------------------------------- */

/* Every request struct starts all 0 / NULL, as olock_config_default() does for the config. */
#define OLOCK__DEFAULT_FN(type) \
    OLOCK_API type type##_default(void) { \
        type r; \
        memset(&r, 0, sizeof r); \
        return r; \
    }
OLOCK__DEFAULT_FN(olock_item_request)
OLOCK__DEFAULT_FN(olock_query_request)
OLOCK__DEFAULT_FN(olock_create_table_request)
OLOCK__DEFAULT_FN(olock_txn_action)
OLOCK__DEFAULT_FN(olock_batch_get_table)
OLOCK__DEFAULT_FN(olock_batch_write_entry)
OLOCK__DEFAULT_FN(olock_sigv4_request)
#undef OLOCK__DEFAULT_FN

/* ---- everyday calls ------------------------------------------------------------------------ */

/* The allocator for what a client call hands over: the config's, else the default one. */
static const olock_allocator *olock__client_out_alloc(const olock_client *c) {
    return c->alloc.malloc_fn ? &c->alloc : NULL;
}

OLOCK_API olock_result olock_get(olock_client *c, const char *table, const olock_value *key, int consistent,
                                 olock_item **out, olock_error *err) {
    olock_item_request r = olock_item_request_default();
    olock_response res;
    olock_item *it = NULL;
    olock_value *root;
    olock_result rc;
    olock__error_clear(err);
    if (!c) return olock__null_arg(err, "olock_get", "c");
    if (!table || !*table) return olock__invalid_arg(err, "olock_get: table is NULL or empty");
    if (!key) return olock__null_arg(err, "olock_get", "key");
    if (!out) return olock__null_arg(err, "olock_get", "out");
    r.table = table;
    r.key = key;
    r.consistent_read = consistent ? 1 : 0;
    rc = olock__client_item_op(c, "olock_get", OLOCK_OP_GET_ITEM, &r, &res, err);
    if (rc != OLOCK_OK) return rc;
    if (!res.item) {
        olock__error_set(err, OLOCK_ERR_NOT_FOUND, "olock_get: no item with that key in table \"%s\"", table);
        return OLOCK_ERR_NOT_FOUND;
    }
    rc = olock_item_create(olock__client_out_alloc(c), &it);
    if (rc != OLOCK_OK) return olock__fail_at(err, rc, 0, "out of memory");
    root = olock_value_copy(&it->arena, res.item);
    if (!root) {
        olock_item_destroy(it);
        return olock__fail_at(err, OLOCK_ERR_NOMEM, 0, "out of memory");
    }
    it->root = root;
    *out = it;
    return OLOCK_OK;
}

OLOCK_API olock_result olock_scan(olock_client *c, const olock_query_request *r, olock_response *out, olock_error *err) {
    olock_result rc;
    if (!c) {
        olock__error_clear(err);
        return olock__null_arg(err, "olock_scan", "c");
    }
    olock_buf_clear(&c->x.body);
    rc = olock_encode_query(OLOCK_OP_SCAN, r, &c->x.body, err);
    return rc != OLOCK_OK ? olock__client_encoded(rc, "olock_scan", err) : olock__client_roundtrip(c, OLOCK_OP_SCAN, out, err);
}

OLOCK_API olock_result olock_transact_get(olock_client *c, const olock_item_request *gets, size_t count,
                                          olock_response *out, olock_error *err) {
    olock_result rc;
    if (!c) {
        olock__error_clear(err);
        return olock__null_arg(err, "olock_transact_get", "c");
    }
    olock_buf_clear(&c->x.body);
    rc = olock_encode_transact_get(gets, count, &c->x.body, err);
    return rc != OLOCK_OK ? olock__client_encoded(rc, "olock_transact_get", err)
                          : olock__client_roundtrip(c, OLOCK_OP_TRANSACT_GET_ITEMS, out, err);
}

struct olock_pager {
    olock_client *c;
    olock_op op;
    olock_query_request r; /* the caller's, with exclusive_start_key the next page's */
    olock_arena arena[2];  /* the key of the next page in arena[cur]; the other is spare */
    int cur;
    int done;
};

OLOCK_API olock_result olock_pager_begin(olock_client *c, olock_op op, const olock_query_request *r,
                                         olock_pager **out, olock_error *err) {
    olock_pager *p;
    olock__error_clear(err);
    if (!c) return olock__null_arg(err, "olock_pager_begin", "c");
    if (op != OLOCK_OP_QUERY && op != OLOCK_OP_SCAN)
        return olock__invalid_arg(err, "olock_pager_begin: op %d is neither OLOCK_OP_QUERY nor OLOCK_OP_SCAN", (int)op);
    if (!r) return olock__null_arg(err, "olock_pager_begin", "r");
    if (!out) return olock__null_arg(err, "olock_pager_begin", "out");
    p = (olock_pager *)olock__alloc(&c->alloc, sizeof *p);
    if (!p) return olock__fail_at(err, OLOCK_ERR_NOMEM, 0, "out of memory");
    p->c = c;
    p->op = op;
    p->r = *r;
    olock_arena_init(&p->arena[0], &c->alloc);
    olock_arena_init(&p->arena[1], &c->alloc);
    p->cur = 0;
    p->done = 0;
    *out = p;
    return OLOCK_OK;
}

OLOCK_API olock_result olock_pager_next(olock_pager *p, olock_response *page, olock_error *err) {
    const char *fn = "olock_pager_next";
    olock_response res;
    olock_value *next = NULL;
    olock_result rc;
    olock__error_clear(err);
    if (!p) return olock__null_arg(err, fn, "p");
    if (!page) return olock__null_arg(err, fn, "page");
    if (p->done) {
        olock__error_set(err, OLOCK_ERR_NOT_FOUND, "olock_pager_next: no more pages");
        return OLOCK_ERR_NOT_FOUND;
    }
    olock_buf_clear(&p->c->x.body);
    rc = olock_encode_query(p->op, &p->r, &p->c->x.body, err);
    if (rc != OLOCK_OK) return olock__client_encoded(rc, fn, err);
    rc = olock__client_roundtrip(p->c, p->op, &res, err);
    if (rc != OLOCK_OK) return rc;
    /* Into the spare arena, so that a failure leaves the page to resend as it was. */
    olock_arena_reset(&p->arena[!p->cur]);
    if (res.last_evaluated_key && !(next = olock_value_copy(&p->arena[!p->cur], res.last_evaluated_key)))
        return olock__fail_at(err, OLOCK_ERR_NOMEM, 0, "out of memory");
    p->cur = !p->cur;
    p->r.exclusive_start_key = next;
    p->done = next == NULL;
    *page = res;
    return OLOCK_OK;
}

OLOCK_API void olock_pager_destroy(olock_pager *p) {
    if (!p) return;
    olock_arena_free(&p->arena[0]);
    olock_arena_free(&p->arena[1]);
    olock__free(&p->c->alloc, p, sizeof *p);
}

/* Full jitter, for every resend of the library (the engine's and the batch calls'): a uniform
   delay in [0, min(cap, base * 2^(n-1))], base the throttling one when throttled. */
static uint64_t olock__backoff(olock_client *c, int throttled, unsigned n) {
    const olock_retry_policy *p = &c->retry;
    uint64_t ceiling = throttled ? p->throttle_base_ms : p->base_ms;
    unsigned i;
    for (i = 1; i < n && ceiling < p->cap_ms; i++) ceiling *= 2;
    if (ceiling > p->cap_ms) ceiling = p->cap_ms;
    return ceiling ? olock__random(c) % (ceiling + 1) : 0;
}

/* The UnprocessedItems of a BatchWriteItem response as entries in `a`. */
static olock_result olock__unprocessed_writes(olock_arena *a, const olock_response *res, olock_batch_write_entry **out,
                                              size_t *n, olock_error *err) {
    const olock_json *u = res->json ? olock_json_get(res->json, "UnprocessedItems") : NULL, *t, *e, *req, *m;
    olock_batch_write_entry *list;
    olock_value *v = NULL;
    size_t count = 0;
    olock_result r;
    *out = NULL;
    *n = 0;
    if (!u || u->kind != OLOCK_JSON_OBJECT) return OLOCK_OK;
    for (t = u->first; t; t = t->next)
        if (t->kind == OLOCK_JSON_ARRAY) count += t->count;
    if (!count) return OLOCK_OK;
    list = (olock_batch_write_entry *)olock_arena_alloc(a, count * sizeof *list);
    if (!list) return olock__fail_at(err, OLOCK_ERR_NOMEM, 0, "out of memory");
    for (t = u->first; t; t = t->next) {
        const char *table;
        if (t->kind != OLOCK_JSON_ARRAY) continue;
        if (!(table = olock_arena_strdup(a, t->key, t->key_len))) return olock__fail_at(err, OLOCK_ERR_NOMEM, 0, "out of memory");
        for (e = t->first; e; e = e->next) {
            olock_batch_write_entry *w = &list[*n];
            int put = (req = olock_json_get(e, "PutRequest")) != NULL;
            if (!put) req = olock_json_get(e, "DeleteRequest");
            m = req ? olock_json_get(req, put ? "Item" : "Key") : NULL;
            if (!m) return olock__fail_at(err, OLOCK_ERR_RESPONSE, e->offset, "olock_batch_write: an unprocessed item is neither a PutRequest nor a DeleteRequest");
            if ((r = olock_map_from_json(a, m, &v, err)) != OLOCK_OK) return r;
            *w = olock_batch_write_entry_default();
            w->table = table;
            if (put) w->put_item = v;
            else w->delete_key = v;
            ++*n;
        }
    }
    *out = list;
    return OLOCK_OK;
}

OLOCK_API olock_result olock_batch_write(olock_client *c, const olock_batch_write_entry *entries, size_t count,
                                         olock_error *err) {
    const char *fn = "olock_batch_write";
    olock_arena arena[2];
    olock_result rc = OLOCK_OK;
    unsigned attempts = c ? (c->retry.transient_attempts ? c->retry.transient_attempts : 1) : 1, sends = 0, n;
    size_t start, left = 0, i;
    int cur = 0;
    olock__error_clear(err);
    if (!c) return olock__null_arg(err, fn, "c");
    if (!entries && count) return olock__invalid_arg(err, "olock_batch_write: entries is NULL and count is %lu", (unsigned long)count);
    for (i = 0; i < count; i++)
        if (!entries[i].table || !*entries[i].table || !entries[i].put_item == !entries[i].delete_key)
            return olock__invalid_arg(err, "olock_batch_write: entries[%lu] needs a table and exactly one of put_item and delete_key", (unsigned long)i);
    olock_arena_init(&arena[0], &c->alloc);
    olock_arena_init(&arena[1], &c->alloc);
    for (start = 0; start < count && rc == OLOCK_OK; start += 25) {
        const olock_batch_write_entry *todo = entries + start;
        size_t todo_n = count - start < 25 ? count - start : 25;
        for (n = 1; todo_n; n++) {
            olock_response res;
            olock_batch_write_entry *next = NULL;
            if (n > attempts) {
                left = todo_n + (count - start - (count - start < 25 ? count - start : 25));
                rc = OLOCK_ERR_THROTTLED;
                break;
            }
            if (n > 1) c->sleep_ms(c->hook_user, olock__backoff(c, 0, n - 1));
            olock_buf_clear(&c->x.body);
            rc = olock_encode_batch_write(todo, todo_n, &c->x.body, err);
            if (rc != OLOCK_OK) {
                olock__client_encoded(rc, fn, err);
                break;
            }
            rc = olock__client_roundtrip(c, OLOCK_OP_BATCH_WRITE_ITEM, &res, err);
            sends++;
            if (rc != OLOCK_OK) break;
            olock_arena_reset(&arena[!cur]);
            rc = olock__unprocessed_writes(&arena[!cur], &res, &next, &todo_n, err);
            if (rc != OLOCK_OK) break;
            cur = !cur;
            todo = next;
        }
    }
    olock_arena_free(&arena[0]);
    olock_arena_free(&arena[1]);
    if (err) err->attempts = sends;
    if (rc == OLOCK_ERR_THROTTLED)
        olock__error_set(err, rc, "olock_batch_write: %lu of %lu items still unprocessed after %u requests for them",
                         (unsigned long)left, (unsigned long)count, attempts);
    return rc;
}

/* The next request's worth (at most 100 keys) of tables[*ti].keys[*ki...], as slices in `a`. */
static olock_result olock__batch_get_slice(olock_arena *a, const olock_batch_get_table *tables, size_t count, size_t *ti,
                                           size_t *ki, olock_batch_get_table **out, size_t *n) {
    size_t room = 100;
    olock_batch_get_table *list = (olock_batch_get_table *)olock_arena_alloc(a, (count ? count : 1) * sizeof *list);
    *n = 0;
    if (!list) return OLOCK_ERR_NOMEM;
    while (*ti < count && room) {
        const olock_batch_get_table *t = &tables[*ti];
        size_t take = t->key_count - *ki < room ? t->key_count - *ki : room;
        if (take) {
            list[*n] = *t;
            list[*n].keys = t->keys + *ki;
            list[*n].key_count = take;
            ++*n;
            room -= take;
            *ki += take;
        }
        if (*ki == t->key_count) {
            ++*ti;
            *ki = 0;
        }
    }
    *out = list;
    return OLOCK_OK;
}

/* The UnprocessedKeys of a BatchGetItem response as tables in `a`, each with the projection,
   names and consistency of the request's table of that name. */
static olock_result olock__unprocessed_keys(olock_arena *a, const olock_response *res, const olock_batch_get_table *sent,
                                            size_t sent_n, olock_batch_get_table **out, size_t *n, size_t *keys,
                                            olock_error *err) {
    const olock_json *u = res->json ? olock_json_get(res->json, "UnprocessedKeys") : NULL, *t, *ks, *k;
    olock_batch_get_table *list;
    size_t count = 0, i;
    olock_result r;
    *out = NULL;
    *n = 0;
    *keys = 0;
    if (!u || u->kind != OLOCK_JSON_OBJECT || !u->count) return OLOCK_OK;
    for (t = u->first; t; t = t->next) count++;
    list = (olock_batch_get_table *)olock_arena_alloc(a, count * sizeof *list);
    if (!list) return olock__fail_at(err, OLOCK_ERR_NOMEM, 0, "out of memory");
    for (t = u->first; t; t = t->next) {
        const olock_value **vals;
        const olock_batch_get_table *orig = NULL;
        ks = t->kind == OLOCK_JSON_OBJECT ? olock_json_get(t, "Keys") : NULL;
        if (!ks || ks->kind != OLOCK_JSON_ARRAY) return olock__fail_at(err, OLOCK_ERR_RESPONSE, t->offset, "olock_batch_get: UnprocessedKeys without Keys");
        for (i = 0; i < sent_n && !orig; i++)
            if (strlen(sent[i].table) == t->key_len && memcmp(sent[i].table, t->key, t->key_len) == 0) orig = &sent[i];
        if (!orig) return olock__fail_at(err, OLOCK_ERR_RESPONSE, t->offset, "olock_batch_get: UnprocessedKeys names a table that was not asked for");
        if (!ks->count) continue;
        vals = (const olock_value **)olock_arena_alloc(a, ks->count * sizeof *vals);
        if (!vals) return olock__fail_at(err, OLOCK_ERR_NOMEM, 0, "out of memory");
        for (i = 0, k = ks->first; k; k = k->next, i++) {
            olock_value *v = NULL;
            if ((r = olock_map_from_json(a, k, &v, err)) != OLOCK_OK) return r;
            vals[i] = v;
        }
        list[*n] = *orig;
        list[*n].keys = vals;
        list[*n].key_count = ks->count;
        *keys += ks->count;
        ++*n;
    }
    *out = list;
    return OLOCK_OK;
}

OLOCK_API olock_result olock_batch_get(olock_client *c, const olock_batch_get_table *tables, size_t count,
                                       olock_batch_item_fn fn, void *user, olock_error *err) {
    const char *fn_name = "olock_batch_get";
    olock_arena arena[2];
    olock_result rc = OLOCK_OK;
    unsigned attempts = c ? (c->retry.transient_attempts ? c->retry.transient_attempts : 1) : 1, sends = 0, n;
    size_t ti = 0, ki = 0, total = 0, left = 0, i;
    int cur = 0;
    olock__error_clear(err);
    if (!c) return olock__null_arg(err, fn_name, "c");
    if (!fn) return olock__null_arg(err, fn_name, "fn");
    if (!tables && count) return olock__invalid_arg(err, "olock_batch_get: tables is NULL and count is %lu", (unsigned long)count);
    for (i = 0; i < count; i++) {
        if (!tables[i].table || !*tables[i].table || (!tables[i].keys && tables[i].key_count))
            return olock__invalid_arg(err, "olock_batch_get: tables[%lu] needs a name and its keys", (unsigned long)i);
        total += tables[i].key_count;
    }
    olock_arena_init(&arena[0], &c->alloc);
    olock_arena_init(&arena[1], &c->alloc);
    while (ti < count && rc == OLOCK_OK) {
        olock_batch_get_table *todo = NULL;
        size_t todo_n = 0, todo_keys = 0, j;
        olock_arena_reset(&arena[cur]);
        if (olock__batch_get_slice(&arena[cur], tables, count, &ti, &ki, &todo, &todo_n) != OLOCK_OK) {
            rc = olock__fail_at(err, OLOCK_ERR_NOMEM, 0, "out of memory");
            break;
        }
        for (j = 0; j < todo_n; j++) todo_keys += todo[j].key_count;
        for (n = 1; todo_n; n++) {
            olock_response res;
            olock_batch_get_table *next = NULL;
            size_t next_n = 0, next_keys = 0, k;
            if (n > attempts) {
                /* these keys, and those not sent yet */
                left = todo_keys;
                for (k = ti; k < count; k++) left += tables[k].key_count;
                left -= ki;
                rc = OLOCK_ERR_THROTTLED;
                break;
            }
            if (n > 1) c->sleep_ms(c->hook_user, olock__backoff(c, 0, n - 1));
            olock_buf_clear(&c->x.body);
            rc = olock_encode_batch_get(todo, todo_n, &c->x.body, err);
            if (rc != OLOCK_OK) {
                olock__client_encoded(rc, fn_name, err);
                break;
            }
            rc = olock__client_roundtrip(c, OLOCK_OP_BATCH_GET_ITEM, &res, err);
            sends++;
            if (rc != OLOCK_OK) break;
            for (k = 0; k < res.item_count && rc == OLOCK_OK; k++)
                if (res.items[k] && fn(user, res.item_tables[k], res.items[k]) != 0) {
                    rc = OLOCK_ERR_ABORTED;
                    olock__error_set(err, rc, "olock_batch_get: the callback stopped the batch");
                }
            if (rc != OLOCK_OK) break;
            olock_arena_reset(&arena[!cur]);
            rc = olock__unprocessed_keys(&arena[!cur], &res, todo, todo_n, &next, &next_n, &next_keys, err);
            if (rc != OLOCK_OK) break;
            cur = !cur;
            todo = next;
            todo_n = next_n;
            todo_keys = next_keys;
        }
    }
    olock_arena_free(&arena[0]);
    olock_arena_free(&arena[1]);
    if (err) err->attempts = sends;
    if (rc == OLOCK_ERR_THROTTLED)
        olock__error_set(err, rc, "olock_batch_get: %lu of %lu keys still unprocessed after %u requests for them",
                         (unsigned long)left, (unsigned long)total, attempts);
    return rc;
}
