/* =============================================================================================
   >>wire: the HTTP transport contract, operations, request encoders, responses and error classes
   ========================================================================================== */

/* ---- HTTP transport (the dumb pipe every backend implements) --------------------------------- */

typedef struct olock_http_header {
    const char *name;
    const char *value;
} olock_http_header;

/* Built (and signed) by the core; valid for the duration of one send call. */
typedef struct olock_http_request {
    const char *method;               /* "POST" */
    const char *url;                  /* e.g. "https://dynamodb.eu-west-1.amazonaws.com/" */
    const olock_http_header *headers; /* Host, Content-Type, X-Amz-Target, X-Amz-Date, Authorization, ... */
    size_t header_count;
    const char *body; /* DynamoDB JSON */
    size_t body_len;
} olock_http_request;

/* The response a transport fills in. Core-owned and reused between requests: a transport
   sets the status, adds headers and appends body bytes through the functions below. */
typedef struct olock_http_response {
    int status;        /* HTTP status; 0 until set */
    olock_buf body;    /* body.max caps the body (OLOCK_ERR_LIMIT past it) */
    olock_buf headers; /* internal: "name\0value\0" pairs */
    size_t header_count;
} olock_http_response;

OLOCK_API void olock_http_response_init(olock_http_response *res, const olock_allocator *alloc, size_t max_body);
OLOCK_API void olock_http_response_reset(olock_http_response *res); /* keeps memory */
OLOCK_API void olock_http_response_free(olock_http_response *res);
OLOCK_API olock_result olock_http_response_add_header(olock_http_response *res, const char *name, size_t name_len,
                                                      const char *value, size_t value_len);
OLOCK_API olock_result olock_http_response_append(olock_http_response *res, const void *data, size_t len);
/* Value of the first header of that name (case-insensitive), or NULL. */
OLOCK_API const char *olock_http_response_header(const olock_http_response *res, const char *name);

/* What a transport needs from the client's configuration (olock_transport.kind). */
typedef enum olock_transport_kind {
    /* Not said (the behaviour from before this field existed): requests are signed when
       credentials and a region are known and go unsigned otherwise; with neither endpoint nor
       region the URL is http://localhost/. */
    OLOCK_TRANSPORT_UNSPECIFIED = 0,
    /* Real HTTP (olock_curl.h, or your own HTTP stack): olock_client_create fails with
       OLOCK_ERR_CONFIG, saying what to set, unless a region, credentials and (from them or the
       config) an endpoint are known, so that every request goes out signed to a real URL. */
    OLOCK_TRANSPORT_NETWORK = 1,
    /* In-process (olock_fake.h): ignores the URL and the signature, so it needs none of them;
       requests are signed all the same when credentials and a region are known. */
    OLOCK_TRANSPORT_IN_PROCESS = 2
} olock_transport_kind;

/* A transport moves one request and fills one response.
   send returns OLOCK_OK whenever an HTTP response arrived, whatever its status; otherwise
   OLOCK_ERR_NOT_SENT when the request certainly never reached the server (DNS, connect, TLS
   handshake), or OLOCK_ERR_MAYBE_SENT when it may have been applied (timeout or connection
   lost after sending). Any other result is treated as OLOCK_ERR_MAYBE_SENT.
   destroy (may be NULL) releases `user`; the client calls it from olock_client_destroy.
   The fields after destroy are optional and 0 / NULL keeps the behaviour from before they
   existed. Start from olock_config_default()'s transport (or zero the struct) and set the
   fields you have: a transport filled in field by field in an uninitialised variable must set
   these too. A wrapper that replaces `user` must also replace or clear last_error. */
typedef struct olock_transport {
    void *user;
    olock_result (*send)(void *user, const olock_http_request *req, olock_http_response *res);
    void (*destroy)(void *user);
    olock_transport_kind kind; /* what the client must know before it sends anything */
    /* Called (may be NULL) right after a send that did not return OLOCK_OK: the transport's
       own words about the failure, e.g. "Failed to connect to 127.0.0.1 port 1: Connection
       refused" (the core says whether the request was sent, from send's result). NULL or ""
       for none; never a secret; valid until the next send. The core puts it in
       olock_error.message: "request not sent: <text>". */
    const char *(*last_error)(void *user);
} olock_transport;

/* ---- Requests: DynamoDB operations encoded as DynamoDB JSON ---------------------------------- */

typedef enum olock_op {
    OLOCK_OP_GET_ITEM = 1,
    OLOCK_OP_PUT_ITEM,
    OLOCK_OP_UPDATE_ITEM,
    OLOCK_OP_DELETE_ITEM,
    OLOCK_OP_TRANSACT_WRITE_ITEMS,
    OLOCK_OP_TRANSACT_GET_ITEMS,
    OLOCK_OP_BATCH_GET_ITEM,
    OLOCK_OP_BATCH_WRITE_ITEM,
    OLOCK_OP_QUERY,
    OLOCK_OP_SCAN,
    OLOCK_OP_CREATE_TABLE,
    OLOCK_OP_DESCRIBE_TABLE,
    OLOCK_OP_DELETE_TABLE,
    OLOCK_OP_LIST_TABLES,
    OLOCK_OP_COUNT_
} olock_op;

/* "GetItem", ...; olock_op_from_name accepts the bare name or "DynamoDB_20120810.<Name>"
   and returns 0 for an unknown one. */
OLOCK_API const char *olock_op_name(olock_op op);
OLOCK_API olock_op olock_op_from_name(const char *name, size_t len);

typedef enum olock_return_values {
    OLOCK_RV_OMIT = 0, /* not sent: DynamoDB's default (NONE) */
    OLOCK_RV_NONE,
    OLOCK_RV_ALL_OLD,
    OLOCK_RV_UPDATED_OLD,
    OLOCK_RV_ALL_NEW,
    OLOCK_RV_UPDATED_NEW
} olock_return_values;

/* One item operation: GetItem, PutItem, UpdateItem, DeleteItem, or one action of a
   transaction. Fields an operation does not use must be left NULL / 0 (the encoder says
   INVALID_ARG otherwise, so a mistake is not silently dropped). Maps are olock_values of
   type M: `names` maps "#x" to S values, `values` maps ":x" to any value. */
typedef struct olock_item_request {
    const char *table;
    const olock_value *key;    /* Get, Update, Delete, transaction Update/Delete/Check */
    const olock_value *item;   /* Put */
    const char *condition;     /* ConditionExpression */
    const char *update;        /* UpdateExpression (Update) */
    const char *projection;    /* ProjectionExpression (Get) */
    const olock_value *names;  /* ExpressionAttributeNames */
    const olock_value *values; /* ExpressionAttributeValues */
    int consistent_read;       /* Get */
    olock_return_values return_values;
    olock_return_values return_values_on_condition_check_failure; /* OMIT, NONE or ALL_OLD */
} olock_item_request;

typedef enum olock_txn_kind {
    OLOCK_TXN_PUT = 1,
    OLOCK_TXN_UPDATE,
    OLOCK_TXN_DELETE,
    OLOCK_TXN_CONDITION_CHECK
} olock_txn_kind;

typedef struct olock_txn_action {
    olock_txn_kind kind;
    olock_item_request req; /* return_values must be OMIT */
} olock_txn_action;

typedef struct olock_batch_get_table {
    const char *table;
    const olock_value *const *keys;
    size_t key_count;
    const char *projection;
    const olock_value *names;
    int consistent_read;
} olock_batch_get_table;

typedef struct olock_batch_write_entry {
    const char *table;
    const olock_value *put_item; /* exactly one of put_item and delete_key */
    const olock_value *delete_key;
} olock_batch_write_entry;

typedef struct olock_query_request {
    const char *table;
    const char *index;         /* IndexName or NULL */
    const char *key_condition; /* Query only */
    const char *filter;
    const char *projection;
    const olock_value *names;
    const olock_value *values;
    int consistent_read;
    int scan_backward; /* ScanIndexForward=false (Query only) */
    uint32_t limit;    /* 0: no Limit */
    const olock_value *exclusive_start_key;
} olock_query_request;

typedef struct olock_create_table_request {
    const char *table;
    const char *hash_key;
    olock_type hash_type;  /* S, N or B */
    const char *range_key; /* NULL for a hash-only table */
    olock_type range_type;
    uint64_t read_capacity; /* both 0: PAY_PER_REQUEST */
    uint64_t write_capacity;
} olock_create_table_request;

/* Each encoder appends one request body to `body` (restored on failure). */
OLOCK_API olock_result olock_encode_item_request(olock_op op, const olock_item_request *r, olock_buf *body, olock_error *err);
OLOCK_API olock_result olock_encode_transact_write(const olock_txn_action *actions, size_t count,
                                                   const char *client_request_token, olock_buf *body, olock_error *err);
OLOCK_API olock_result olock_encode_transact_get(const olock_item_request *gets, size_t count, olock_buf *body, olock_error *err);
OLOCK_API olock_result olock_encode_batch_get(const olock_batch_get_table *tables, size_t count, olock_buf *body, olock_error *err);
OLOCK_API olock_result olock_encode_batch_write(const olock_batch_write_entry *entries, size_t count, olock_buf *body, olock_error *err);
OLOCK_API olock_result olock_encode_query(olock_op op, const olock_query_request *r, olock_buf *body, olock_error *err); /* QUERY or SCAN */
OLOCK_API olock_result olock_encode_create_table(const olock_create_table_request *r, olock_buf *body, olock_error *err);
/* DescribeTable, DeleteTable ({"TableName":...}) and ListTables (table: ExclusiveStartTableName or NULL). */
OLOCK_API olock_result olock_encode_table_op(olock_op op, const char *table, olock_buf *body, olock_error *err);

/* Request structs with every field 0 / NULL (no table, no key, OLOCK_RV_OMIT, no Limit, ...),
   so that a request is written as `olock_item_request r = olock_item_request_default();` and
   only the fields it uses are set, as with olock_config_default(). Nothing is allocated.
   olock_txn_action_default's kind is 0, which is no olock_txn_kind: set it. */
OLOCK_API olock_item_request olock_item_request_default(void);
OLOCK_API olock_query_request olock_query_request_default(void);
OLOCK_API olock_create_table_request olock_create_table_request_default(void);
OLOCK_API olock_txn_action olock_txn_action_default(void);
OLOCK_API olock_batch_get_table olock_batch_get_table_default(void);
OLOCK_API olock_batch_write_entry olock_batch_write_entry_default(void);

/* ---- Responses and error classes ------------------------------------------------------------- */

typedef struct olock_cancel_reason {
    const char *code;        /* "None", "ConditionalCheckFailed", "TransactionConflict", ... */
    const char *message;     /* may be NULL */
    const olock_value *item; /* ALL_OLD item when asked for and returned, else NULL */
} olock_cancel_reason;

/* A decoded response. Everything points into the arena given to the decoder. */
typedef struct olock_response {
    olock_op op;
    int http_status;
    olock_error_class error_class; /* OLOCK_CLASS_NONE on success */
    const char *error_type;        /* "ConditionalCheckFailedException" (after '#'), or NULL */
    const char *error_message;     /* from "message" or "Message"; NULL when absent */
    /* GetItem: Item; Put/Update/DeleteItem: Attributes; ConditionalCheckFailedException: the
       ALL_OLD Item when returned. NULL when absent. */
    const olock_value *item;
    const olock_cancel_reason *reasons; /* TransactionCanceledException: one per action */
    size_t reason_count;
    /* Query/Scan: Items; TransactGetItems: Responses (NULL entries for missing items);
       BatchGetItem: every returned item, with item_tables[i] naming its table. */
    const olock_value *const *items;
    const char *const *item_tables;
    size_t item_count;
    uint64_t count, scanned_count; /* Query/Scan */
    const olock_value *last_evaluated_key;
    int has_unprocessed;    /* BatchGet/BatchWrite left work undone (see json) */
    const olock_json *json; /* the whole body, for anything not decoded above */
} olock_response;

/* Decodes a DynamoDB response body for `op`. Success bodies are checked to be what DynamoDB
   sends; error bodies are classified. Returns OLOCK_OK for any well-formed response, error
   responses included (look at out->error_class); PARSE / RESPONSE for malformed ones. */
OLOCK_API olock_result olock_response_decode(olock_arena *a, olock_op op, int http_status,
                                             const char *body, size_t len, olock_response *out, olock_error *err);

/* The class of an AWS error name (the text after '#'), given the HTTP status. */
OLOCK_API olock_error_class olock_classify_error(int http_status, const char *aws_type);
/* The class of a TransactionCanceledException from its reasons: CONFLICT when any reason is
   ConditionalCheckFailed, else TRANSIENT when any is TransactionConflict, ThrottlingError or
   ProvisionedThroughputExceeded, else FATAL. */
OLOCK_API olock_error_class olock_classify_cancellation(const olock_cancel_reason *reasons, size_t count);
/* The olock_result an error class becomes when the operation gives up. */
OLOCK_API olock_result olock_class_result(olock_error_class c);
