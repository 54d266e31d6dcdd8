/* =============================================================================================
   >>engine: versioned writes, the writer ledger, the item cache, tasks, transactions
   ========================================================================================== */

/* ---- Versioned writes: the optimistic-locking engine ----------------------------------------- */

/* The outcome model. Once a write may have reached the server, every way a versioned
   operation (put, update, delete, olock_update, a transaction, olock_update_many, and each of
   them as a task) can end is settled, or it is OLOCK_ERR_MAYBE_SENT:

     where the operation is      what happened                           result
     --------------------------  --------------------------------------  -----------------------------
     before any write was sent   any failure (a read's included)         that error; nothing applied
     write sent                  2xx that decodes                        OLOCK_OK: applied once
     write sent                  4xx that decodes (condition failed,     OLOCK_CONFLICT / that error
                                 validation, throttled...): DynamoDB     (throttling is resent)
                                 applied none
     write sent                  no answer, 5xx, an answer that cannot   IN DOUBT: resend the same
                                 be read (empty, cut, malformed, bad     write (a transaction: the
                                 x-amz-crc32), transport LIMIT/NOMEM     same ClientRequestToken)
     in doubt, a create or an    a resend could re-create an item        no resend: a consistent read
     unversioned delete          deleted since                           (a put: a probe) settles it
     in doubt                    a resend applied (2xx)                  OLOCK_OK: applied once
     in doubt                    condition failed; the ledger holds      OLOCK_OK (ours was applied);
                                 this operation's entry, or covers its   not ours: re-apply, or
                                 version without it (same incarnation)   OLOCK_CONFLICT
     in doubt                    item absent, another incarnation,       OLOCK_ERR_MAYBE_SENT
                                 ledger off, too many writers since
     in doubt, a transaction     resend cancelled (a token replay of     not applied: OLOCK_CONFLICT
                                 an applied one would succeed)           (update_many: re-apply)
     in doubt                    retries or quota exhausted, deadline,   OLOCK_ERR_MAYBE_SENT (the
                                 settling read failed, out of memory     message names the cause)

   OLOCK_ERR_MAYBE_SENT therefore means "applied at most once, olock cannot tell which": read the
   item before deciding to do it again. Every other error means not applied. A read is never
   "maybe applied" (no answer to a read is OLOCK_ERR_TRANSIENT).
   An item deleted and created anew starts its versions again. olock_update and
   olock_update_many tell the new item from the old by the ledger's incarnation id (their writes
   require the ledger head they read), and so does a put whose item carries the ledger it was
   read with. Limit: a version the caller gives otherwise (versioned update and delete, a put of
   a fresh item, olock_txn), or any write with the ledger off, cannot tell them apart: if
   another writer deletes and re-creates the item while such a write is in doubt, a resend may
   apply to the new item. tests/test_outcomes.c checks every row with faults at every step. */

/* What a versioned operation did, filled in whatever the outcome (the counters matter most
   when it failed). Pointers stay valid until the next operation on the same client (blocking
   calls) or task. */
typedef struct olock_write_result {
    uint64_t version; /* version stored now (after a delete: the deleted one) */
    int changed;      /* 0 when the mutate function answered NO_CHANGE */
    int deleted;      /* the operation deleted the item */
    /* olock_update: the item as written (or as found, for NO_CHANGE / ABORT). A versioned
       write that ended in OLOCK_CONFLICT: the item that is stored now, when DynamoDB returned
       it (ReturnValuesOnConditionCheckFailure); NULL when it did not or the item is absent. */
    const olock_value *item;
    unsigned requests;    /* HTTP requests sent */
    unsigned conflicts;   /* conditional check failures met */
    unsigned retries;     /* resends after throttling / transient errors */
    unsigned ambiguous;   /* outcomes that were unknown and settled */
    size_t failed_action; /* transactions: first action whose condition failed, or (size_t)-1 */
} olock_write_result;

/* Versioned writes with a known expected version. `req` is the request the caller would have
   sent (table, item or key, optional condition / update with their names and values); the
   engine adds the version condition (ANDed with the caller's), the new version and the
   ambiguity token, and asks for the stored item on a failed condition. expected_version ==
   versioning.start_at means "the item must not exist yet (or have no version)". Placeholders
   starting with "#olock_" / ":olock_" are reserved, and so are the version and ledger
   attributes: an update that sets, removes, adds to or deletes from one (by name or through a
   #placeholder), or a condition that mentions one, is OLOCK_ERR_INVALID_ARG before anything is
   sent, the message naming it. Returns OLOCK_OK, OLOCK_CONFLICT (the version moved or the
   caller's condition failed: result->item holds the stored item when returned), or an error
   after the transient retries. Deletes are version-checked. When DynamoDB refuses the item
   for its size (ValidationException "Item size ... exceeded the maximum allowed size"), the
   message adds how many bytes olock's attributes added. */
OLOCK_API olock_result olock_versioned_put(olock_client *c, const olock_item_request *req, uint64_t expected_version,
                                           olock_write_result *result, olock_error *err);
OLOCK_API olock_result olock_versioned_update(olock_client *c, const olock_item_request *req, uint64_t expected_version,
                                              olock_write_result *result, olock_error *err);
OLOCK_API olock_result olock_versioned_delete(olock_client *c, const olock_item_request *req, uint64_t expected_version,
                                              olock_write_result *result, olock_error *err);

/* The version of an item (a map value) under the given versioning (NULL: the client's
   defaults); start_at when the attribute is missing. TYPE / RANGE / INEXACT if it is not a
   non-negative integer. */
OLOCK_API olock_result olock_item_version(const olock_value *item, const olock_versioning *v, uint64_t *out);

/* What a mutate function asks for. */
typedef enum olock_mutation {
    OLOCK_MUTATE_WRITE = 0, /* write the item as changed */
    OLOCK_MUTATE_NO_CHANGE, /* nothing to write; olock_update returns OLOCK_OK */
    OLOCK_MUTATE_DELETE,    /* delete the item (version-checked) */
    OLOCK_MUTATE_ABORT      /* stop; olock_update returns OLOCK_ERR_ABORTED */
} olock_mutation;

/* Called with the current item, once per attempt: `item` is a private copy to change in place
   (olock_item_set_*, olock_item_remove, ...); `exists` is 0 when there is no such item (then
   `item` holds only the key). The version and token attributes are managed by the engine.
   Must be repeatable: after a conflict it is called again on the fresh item. */
typedef olock_mutation (*olock_mutate_fn)(void *user, olock_item *item, int exists);

/* Read-modify-write: reads the item (consistent read, or the cache), calls fn, writes it back
   under the version condition; on a conflict re-applies fn to the fresh item that DynamoDB
   returned (a GetItem when the server does not return it), within the conflict budget of
   olock_retry_policy. The first conflict is re-applied at once, and so is one met by a write
   sent after a wait; from the second conflict on, an update otherwise waits until it has been
   writing for retry.conflict_backoff_rtts round trips or half of retry.conflict_time_ms,
   whichever is shorter (plus up to one round trip of jitter), so that updates that have been
   trying longest go first. Returns OLOCK_OK,
   OLOCK_ERR_ABORTED, OLOCK_ERR_TOO_MANY_CONFLICTS or an error. */
OLOCK_API olock_result olock_update(olock_client *c, const char *table, const olock_value *key,
                                    olock_mutate_fn fn, void *user, olock_write_result *result, olock_error *err);

/* Transactions: versioned actions across items and tables, all or nothing, in one
   TransactWriteItems with a ClientRequestToken (so a resend after a lost response is applied
   once). The builder copies what it is given. */
typedef struct olock_txn olock_txn;

OLOCK_API olock_result olock_txn_create(olock_client *c, olock_txn **out);
OLOCK_API void olock_txn_destroy(olock_txn *t); /* NULL is a no-op */
OLOCK_API void olock_txn_reset(olock_txn *t);   /* empty again, memory kept */
OLOCK_API olock_result olock_txn_put(olock_txn *t, const char *table, const olock_value *item, uint64_t expected_version);
/* req: table, key, update and optional condition with their names and values; INVALID_ARG
   (nothing added) when they touch the version or ledger attribute, as olock_versioned_update. */
OLOCK_API olock_result olock_txn_update(olock_txn *t, const olock_item_request *req, uint64_t expected_version);
OLOCK_API olock_result olock_txn_delete(olock_txn *t, const char *table, const olock_value *key, uint64_t expected_version);
OLOCK_API olock_result olock_txn_check(olock_txn *t, const char *table, const olock_value *key, uint64_t expected_version);
OLOCK_API size_t olock_txn_count(const olock_txn *t);
/* Commits: OLOCK_OK, OLOCK_CONFLICT (result->failed_action names the first action whose
   condition failed; olock_txn_reason tells each action's code), or an error. An item refused
   for its size gets, as for a single write, how many bytes olock's version attribute added
   (and which action, when DynamoDB says). */
OLOCK_API olock_result olock_txn_commit(olock_client *c, olock_txn *t, olock_write_result *result, olock_error *err);
/* After a commit: the version action i stored, and its cancellation code ("None",
   "ConditionalCheckFailed", ...) or NULL when the transaction was not cancelled. */
OLOCK_API uint64_t olock_txn_version(const olock_txn *t, size_t i);
OLOCK_API const char *olock_txn_reason(const olock_txn *t, size_t i);

/* Multi-item read-modify-write in one transaction: reads every item (TransactGetItems), calls
   fn with all of them, writes the changes (puts, deletes, and version checks for the items
   left alone) in one TransactWriteItems, and re-reads and re-applies on a conflict.
   fn sets each[i] to WRITE, NO_CHANGE or DELETE and returns WRITE (commit), NO_CHANGE or ABORT. */
typedef struct olock_key_ref {
    const char *table;
    const olock_value *key;
} olock_key_ref;
typedef olock_mutation (*olock_mutate_many_fn)(void *user, olock_item *const *items, const int *exists,
                                               olock_mutation *each, size_t count);
OLOCK_API olock_result olock_update_many(olock_client *c, const olock_key_ref *keys, size_t count,
                                         olock_mutate_many_fn fn, void *user, olock_write_result *result, olock_error *err);

/* ---- Non-blocking driving: every operation is a resumable state machine (sans I/O) ----------- */

/* A task runs one operation at a time with its own buffers, so one thread can drive many
   tasks of one client (a game loop, epoll, curl-multi):
       olock_task_begin_update(t, ...);
       for (;;) {
           olock_task_state s = olock_task_poll(t, now_ms, &req, &wait_ms);
           if (s == OLOCK_TASK_DONE) break;
           if (s == OLOCK_TASK_WAIT) { ...come back after wait_ms...; continue; }
           ...send req with your HTTP stack, fill olock_task_response(t)...;
           olock_task_complete(t, transport_result);
       }
       rc = olock_task_result(t, &result, &err);
   Inputs given to begin_* must stay valid until the task is done. A begin_* that fails on an
   idle task leaves its result and message there (olock_task_result: "olock_task_begin_put:
   req->table is NULL or empty"); a busy task is left alone. */
typedef struct olock_task olock_task;
typedef enum olock_task_state {
    OLOCK_TASK_SEND = 1, /* send *req, fill olock_task_response(), then olock_task_complete() */
    OLOCK_TASK_WAIT,     /* back off: poll again after *wait_ms */
    OLOCK_TASK_DONE      /* olock_task_result() has the outcome */
} olock_task_state;

OLOCK_API olock_result olock_task_create(olock_client *c, olock_task **out);
OLOCK_API void olock_task_destroy(olock_task *t); /* NULL is a no-op */
OLOCK_API olock_result olock_task_begin_update(olock_task *t, const char *table, const olock_value *key,
                                               olock_mutate_fn fn, void *user);
OLOCK_API olock_result olock_task_begin_put(olock_task *t, const olock_item_request *req, uint64_t expected_version);
OLOCK_API olock_result olock_task_begin_versioned_update(olock_task *t, const olock_item_request *req, uint64_t expected_version);
OLOCK_API olock_result olock_task_begin_delete(olock_task *t, const olock_item_request *req, uint64_t expected_version);
/* The transaction must come from the task's client and live until the task is done. */
OLOCK_API olock_result olock_task_begin_txn(olock_task *t, olock_txn *txn);
OLOCK_API olock_result olock_task_begin_update_many(olock_task *t, const olock_key_ref *keys, size_t count,
                                                    olock_mutate_many_fn fn, void *user);
OLOCK_API olock_task_state olock_task_poll(olock_task *t, uint64_t now_ms, const olock_http_request **req, uint64_t *wait_ms);
OLOCK_API olock_http_response *olock_task_response(olock_task *t);
/* transport_result: what a transport's send would have returned. A driver that has its
   transport's own words about a failure (curl's reason, host and port) passes them to
   olock_task_complete_why so that they reach olock_error.message, as olock_task_run and the
   blocking calls take them from olock_transport.last_error; why NULL or "" says nothing more
   than "transport error: ...". */
OLOCK_API void olock_task_complete(olock_task *t, olock_result transport_result);
OLOCK_API void olock_task_complete_why(olock_task *t, olock_result transport_result, const char *why);
OLOCK_API olock_result olock_task_result(const olock_task *t, olock_write_result *result, olock_error *err);
/* Blocking: drives the task with the client's transport, clock and sleep. */
OLOCK_API olock_result olock_task_run(olock_task *t, olock_write_result *result, olock_error *err);
/* The client's clock (config.now_ms, else the monotonic clock), in milliseconds. */
OLOCK_API uint64_t olock_client_now_ms(olock_client *c);
