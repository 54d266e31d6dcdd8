/* =============================================================================================
   >>client: configuration, the client, single-attempt calls and the everyday calls
   ========================================================================================== */

/* ---- Client and configuration ---------------------------------------------------------------- */

/* Retry settings; 0 in any field means its default (listed).
   Conflicts of olock_update and olock_update_many (re-applying the change to newer items) have a budget in writes
   and in time: the first conflict_attempts writes always go out; after them the update goes
   on while it has been writing for less than conflict_time_ms, up to conflict_attempts_max
   writes in all, then ends in OLOCK_ERR_TOO_MANY_CONFLICTS with a message that says how many
   writes in how long. With the defaults, 8 or 16 writers incrementing one item all get
   through (bench/README.md, bench_hot), and an item that never stops changing ends the call
   after about 2 s or 100 writes, whichever comes first. For exactly N writes, set
   conflict_attempts = conflict_attempts_max = N. How long an update waits between conflicts:
   olock_update (olock_update_many waits the same way before it reads the items again). */
typedef struct olock_retry_policy {
    unsigned conflict_attempts;     /* 10: writes of a read-modify-write that always go out */
    unsigned transient_attempts;    /* 4: sends of one request (3 retries) on 5xx / throttling */
    unsigned base_ms;               /* 25: full-jitter backoff base for transient errors */
    unsigned throttle_base_ms;      /* 500: backoff base for throttling */
    unsigned cap_ms;                /* 20000: backoff cap (conflict waits included) */
    unsigned quota_capacity;        /* 500: retry token bucket shared by one client */
    unsigned quota_retry_cost;      /* 5 */
    unsigned quota_timeout_cost;    /* 10 */
    uint64_t deadline_ms;           /* 0: none; else no attempt starts after now + deadline_ms */
    unsigned conflict_time_ms;      /* 2000: past conflict_attempts, write on while the update is younger than this */
    unsigned conflict_attempts_max; /* 100: writes in all (conflict_attempts when that is larger) */
    unsigned conflict_backoff_rtts; /* 32: from its 2nd conflict, an update waits until it is this many round trips
                                       old (at most conflict_time_ms / 2) */
} olock_retry_policy;

/* How versions are kept. 0 / NULL in any field means its default (listed). */
typedef struct olock_versioning {
    const char *attribute; /* "version": a DynamoDB number */
    uint64_t start_at;     /* 0: an item with no version attribute is at version start_at */
    uint64_t increment_by; /* 1: the first write stores start_at + increment_by */
    /* Items migrated from another mapper may carry version start_at already: accept both
       "no attribute" and "= start_at" where a new item is expected. */
    int permissive;
    /* The writer ledger kept in each item, so that a write whose outcome was unknown (timeout
       after sending, lost response) is recognised instead of being applied twice or reported
       as a false conflict: "olock_writers", a list of "@<base>" and one "<writer>:<seq>:<version>"
       entry for each of the last token_history (8) writers, about 30 bytes each. "" turns it
       off: an unknown outcome is then reported as OLOCK_ERR_MAYBE_SENT. */
    const char *token_attribute;
    unsigned token_history;
} olock_versioning;

/* One request of an operation, as reported to config.on_attempt. */
typedef struct olock_attempt {
    const char *operation; /* "GetItem", "PutItem", ... */
    unsigned attempt;      /* 1-based, counting every request of the logical operation */
    olock_result outcome;  /* OLOCK_OK, OLOCK_CONFLICT, OLOCK_ERR_THROTTLED, ... */
    const char *aws_error; /* AWS error name, or NULL */
    int http_status;       /* 0 when no response arrived */
    uint64_t delay_ms;     /* backoff chosen before the next request (0: none) */
} olock_attempt;

typedef struct olock_config {
    olock_allocator allocator; /* malloc_fn NULL: OLOCK_MALLOC / malloc */
    olock_transport transport; /* the client owns it from olock_client_create on */
    /* Endpoint, region and credentials: the explicit values here win; NULL ones are looked up
       as the AWS SDKs do (unless ignore_environment): endpoint from AWS_ENDPOINT_URL_DYNAMODB,
       AWS_ENDPOINT_URL, else https://dynamodb.<region>.amazonaws.com/; region from AWS_REGION,
       AWS_DEFAULT_REGION; credentials from AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY /
       AWS_SESSION_TOKEN, then the shared credentials file (AWS_SHARED_CREDENTIALS_FILE or
       ~/.aws/credentials, profile AWS_PROFILE). Requests are signed (SigV4) when credentials
       and a region are known, and sent unsigned otherwise (enough for the in-process fake,
       whose transport ignores the URL). A network transport (transport.kind
       OLOCK_TRANSPORT_NETWORK, as olock_curl.h's) requires a region and credentials:
       olock_client_create fails with OLOCK_ERR_CONFIG saying what to set. */
    const char *endpoint;
    const char *region;
    olock_credentials credentials;
    int ignore_environment; /* 1: read no AWS_* variable and no credentials file */
    olock_retry_policy retry;
    size_t max_response_bytes; /* 0: 16 MiB */
    /* Hooks; NULL for the defaults (monotonic clock, nanosleep/Sleep, a seeded xorshift). */
    void *hook_user;
    uint64_t (*now_ms)(void *hook_user);
    void (*sleep_ms)(void *hook_user, uint64_t ms);
    uint64_t (*random_u64)(void *hook_user);
    /* Called after every request of a retrying operation (NULL: nothing). */
    void (*on_attempt)(void *hook_user, const olock_attempt *a);
    /* Wall-clock time in seconds since 1970 for request signatures (NULL: time()). */
    int64_t (*unix_time_s)(void *hook_user);
    olock_versioning versioning;
    /* Items remembered by olock_update so that a hot loop can write without reading first;
       0: no cache. Each entry keeps one item (table + key) of at most 400 KB. */
    unsigned cache_entries;
} olock_config;

/* A config with every default filled in (and no transport). */
OLOCK_API olock_config olock_config_default(void);

typedef struct olock_client olock_client;

/* Copies the config (strings included); takes ownership of the transport even on failure.
   OLOCK_ERR_CONFIG when something is missing (no transport; for a network transport no
   region or no credentials: the message says which setting or variable to set),
   OLOCK_ERR_CREDENTIALS for half a key pair or a malformed credentials file. */
OLOCK_API olock_result olock_client_create(const olock_config *cfg, olock_client **out, olock_error *err);
OLOCK_API void olock_client_destroy(olock_client *c); /* NULL is a no-op */

/* Sends one already-encoded request body for `op` and decodes the answer into `out`, which
   stays valid until the next call on this client. Returns OLOCK_OK when DynamoDB accepted
   the request; for an error response, the class result (OLOCK_CONFLICT, OLOCK_ERR_SERVICE,
   ...) with `out` filled in all the same (its reasons, its ALL_OLD item). One attempt: the
   retrying operations are built on top of this. */
OLOCK_API olock_result olock_client_call(olock_client *c, olock_op op, const char *body, size_t len,
                                         olock_response *out, olock_error *err);

/* Encode + call, for each operation. */
OLOCK_API olock_result olock_get_item(olock_client *c, const olock_item_request *r, olock_response *out, olock_error *err);
OLOCK_API olock_result olock_put_item(olock_client *c, const olock_item_request *r, olock_response *out, olock_error *err);
OLOCK_API olock_result olock_update_item(olock_client *c, const olock_item_request *r, olock_response *out, olock_error *err);
OLOCK_API olock_result olock_delete_item(olock_client *c, const olock_item_request *r, olock_response *out, olock_error *err);
OLOCK_API olock_result olock_transact_write_items(olock_client *c, const olock_txn_action *actions, size_t count,
                                                  const char *client_request_token, olock_response *out, olock_error *err);
OLOCK_API olock_result olock_query(olock_client *c, const olock_query_request *r, olock_response *out, olock_error *err);
OLOCK_API olock_result olock_create_table(olock_client *c, const olock_create_table_request *r, olock_response *out, olock_error *err);
OLOCK_API olock_result olock_delete_table(olock_client *c, const char *table, olock_response *out, olock_error *err);
OLOCK_API olock_result olock_describe_table(olock_client *c, const char *table, olock_response *out, olock_error *err);

/* Reads one item in one call (a GetItem, strongly consistent when `consistent`): OLOCK_OK with
   *out a new olock_item (a copy, yours to olock_item_destroy; made with the config's
   allocator, so destroy it before the client when the config set one), or
   OLOCK_ERR_NOT_FOUND when there is no such item (*out untouched), or the call's error.
   One attempt, as olock_get_item. */
OLOCK_API olock_result olock_get(olock_client *c, const char *table, const olock_value *key, int consistent,
                                 olock_item **out, olock_error *err);

/* One page of a Scan (r->key_condition must be NULL); out as olock_query's: Items,
   LastEvaluatedKey (NULL on the last page). */
OLOCK_API olock_result olock_scan(olock_client *c, const olock_query_request *r, olock_response *out, olock_error *err);
/* TransactGetItems: gets[i] names table and key (and optionally projection and names);
   out->items[i] is the item of gets[i], NULL when there is none. One attempt. */
OLOCK_API olock_result olock_transact_get(olock_client *c, const olock_item_request *gets, size_t count,
                                          olock_response *out, olock_error *err);

/* Every page of a Query or a Scan, following LastEvaluatedKey:

       olock_pager *p = NULL;
       olock_response page;
       olock_result rc = olock_pager_begin(c, OLOCK_OP_QUERY, &q, &p, &err);
       while (rc == OLOCK_OK && (rc = olock_pager_next(p, &page, &err)) == OLOCK_OK)
           for (i = 0; i < page.item_count; i++) use(page.items[i]);
       olock_pager_destroy(p);
       if (rc != OLOCK_ERR_NOT_FOUND) ...             // the error that stopped it

   begin copies *r (not what it points to: that must live until destroy; r->exclusive_start_key
   is where the first page starts) and sends nothing. next sends one request: OLOCK_OK with
   *page as olock_query's `out` (valid until the next call on the client), OLOCK_ERR_NOT_FOUND
   once the last page was returned (a page may hold no items and still not be the last), or
   the request's error (call next again to resend the same page). op is OLOCK_OP_QUERY or
   OLOCK_OP_SCAN. */
typedef struct olock_pager olock_pager;
OLOCK_API olock_result olock_pager_begin(olock_client *c, olock_op op, const olock_query_request *r,
                                         olock_pager **out, olock_error *err);
OLOCK_API olock_result olock_pager_next(olock_pager *p, olock_response *page, olock_error *err);
OLOCK_API void olock_pager_destroy(olock_pager *p); /* NULL is a no-op */

/* BatchWriteItem for any number of entries: 25 a request, each request's UnprocessedItems sent
   again after a full-jitter backoff (retry.base_ms doubling up to retry.cap_ms, through the
   config's sleep hook) up to retry.transient_attempts requests for those 25. OLOCK_OK when
   every entry was written; OLOCK_ERR_THROTTLED when some were still unprocessed then (the
   message says how many of how many; the ones before them were written), or the first
   request's error. Puts and deletes are not versioned, and a batch is not atomic. */
OLOCK_API olock_result olock_batch_write(olock_client *c, const olock_batch_write_entry *entries, size_t count,
                                         olock_error *err);

/* Called once for each item olock_batch_get finds, with its table. The item lives until the
   callback returns (copy what you keep). Return 0 to go on; anything else stops the batch
   (olock_batch_get then returns OLOCK_ERR_ABORTED). */
typedef int (*olock_batch_item_fn)(void *user, const char *table, const olock_value *item);

/* BatchGetItem for any number of keys across tables: 100 keys a request (in the order given),
   each request's UnprocessedKeys sent again after the same backoff as olock_batch_write, up to
   retry.transient_attempts requests for those keys. fn is called for every item found, in no
   particular order; keys with no item are not reported. OLOCK_OK when every key was read;
   OLOCK_ERR_THROTTLED when some were still unprocessed then (the message says how many of
   how many), or the first request's error. Each table's projection, names and consistent_read
   apply to all its keys. */
OLOCK_API olock_result olock_batch_get(olock_client *c, const olock_batch_get_table *tables, size_t count,
                                       olock_batch_item_fn fn, void *user, olock_error *err);
