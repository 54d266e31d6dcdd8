/* test_errors.c - errors that name their cause: each check asserts the result code and the
   text of olock_error.message.
   - olock_client_create: what a network transport still lacks (region, endpoint, credentials);
   - a transport's own words about a failed send (olock_transport.last_error);
   - answers no DynamoDB sends (an empty or non-JSON body, an error without __type);
   - OLOCK_ERR_INVALID_ARG naming the function and the argument;
   - a caller's expression that touches olock's version or ledger attribute, refused before sending;
   - an item over 400 KB: how many bytes olock's attributes added.
   Runs on the in-process fake and scripted transports; no network. */
#define OLOCK_IMPLEMENTATION
#define OLOCK_FAKE_IMPLEMENTATION
#include "olock.h"
#include "olock_fake.h"
#include "olock_test.h"
#include <stdlib.h>

/* ---- a scripted transport, optionally in front of the fake ------------------------------- */

typedef struct script {
    olock_transport inner;         /* send != NULL: forward to it (the fake) */
    olock_result send_result;      /* != OK: fail with it */
    const char *why;               /* last_error's text */
    int status;
    const char *body;
    const char *location;          /* a Location header */
    int sends;
    char url[160];
    int signed_request;            /* the last request carried Authorization */
} script;

static olock_result script_send(void *user, const olock_http_request *req, olock_http_response *res) {
    script *s = (script *)user;
    size_t i;
    s->sends++;
    snprintf(s->url, sizeof s->url, "%s", req->url);
    s->signed_request = 0;
    for (i = 0; i < req->header_count; i++)
        if (strcmp(req->headers[i].name, "Authorization") == 0) s->signed_request = 1;
    if (s->send_result != OLOCK_OK) return s->send_result;
    if (s->inner.send) return s->inner.send(s->inner.user, req, res);
    res->status = s->status;
    if (s->location && olock_http_response_add_header(res, "Location", 8, s->location, strlen(s->location)) != OLOCK_OK)
        return OLOCK_ERR_NOMEM;
    return s->body ? olock_http_response_append(res, s->body, strlen(s->body)) : OLOCK_OK;
}

static const char *script_last_error(void *user) { return ((script *)user)->why; }

static int g_destroyed;
static void count_destroy(void *user) { (void)user; g_destroyed++; }

/* A config whose transport is `s`, of `kind`, reading no environment. */
static olock_config config_for(script *s, olock_transport_kind kind) {
    olock_config cfg = olock_config_default();
    cfg.transport.user = s;
    cfg.transport.send = script_send;
    cfg.transport.kind = kind;
    cfg.transport.last_error = script_last_error;
    cfg.ignore_environment = 1;
    return cfg;
}

static olock_client *client_for(script *s) {
    olock_config cfg = config_for(s, OLOCK_TRANSPORT_UNSPECIFIED);
    olock_client *c = NULL;
    cfg.endpoint = "http://127.0.0.1:8000/";
    if (olock_client_create(&cfg, &c, NULL) != OLOCK_OK) return NULL;
    return c;
}

static olock_arena g_arena;
static olock_value *key_of(const char *id) {
    olock_value *k = olock_value_new_container(&g_arena, OLOCK_TYPE_M);
    olock_map_put(&g_arena, k, "id", 2, olock_value_new_s(&g_arena, id, strlen(id)));
    return k;
}

static olock_value *map_of_s(const char *k, const char *v) {
    olock_value *m = olock_value_new_container(&g_arena, OLOCK_TYPE_M);
    olock_map_put(&g_arena, m, k, strlen(k), olock_value_new_s(&g_arena, v, strlen(v)));
    return m;
}

static olock_value *map_of_i64(const char *k, int64_t v) {
    olock_value *m = olock_value_new_container(&g_arena, OLOCK_TYPE_M);
    olock_map_put(&g_arena, m, k, strlen(k), olock_value_new_i64(&g_arena, v));
    return m;
}

static olock_fake *g_fake;

/* A client on the fake behind `s` (so that sends are counted), with a table "tbl". */
static olock_client *fake_client(script *s, const char *version_attr, const char *token_attr) {
    olock_config cfg = olock_config_default();
    olock_client *c = NULL;
    olock_create_table_request ct;
    memset(s, 0, sizeof *s);
    s->inner = olock_fake_transport(g_fake);
    cfg.transport.user = s;
    cfg.transport.send = script_send;
    cfg.ignore_environment = 1;
    if (version_attr) cfg.versioning.attribute = version_attr;
    if (token_attr) cfg.versioning.token_attribute = token_attr;
    if (olock_client_create(&cfg, &c, NULL) != OLOCK_OK) return NULL;
    memset(&ct, 0, sizeof ct);
    ct.table = "tbl"; ct.hash_key = "id"; ct.hash_type = OLOCK_TYPE_S;
    olock_create_table(c, &ct, NULL, NULL);     /* ResourceInUse after the first: fine */
    s->sends = 0;
    return c;
}

/* ---- 1. olock_client_create says what a network transport lacks ---------------------------- */

static olock_result create_with(olock_config *cfg, olock_error *e) {
    olock_client *c = NULL;
    olock_result r;
    g_destroyed = 0;
    cfg->transport.destroy = count_destroy;
    memset(e, 0, sizeof *e);
    r = olock_client_create(cfg, &c, e);
    olock_client_destroy(c);
    return r;
}

TEST(test_network_config) {
    script s;
    olock_config cfg;
    olock_error e;
    memset(&s, 0, sizeof s);

    /* credentials and an endpoint, no region: requests would go out unsigned */
    cfg = config_for(&s, OLOCK_TRANSPORT_NETWORK);
    cfg.endpoint = "http://127.0.0.1:8000/";
    cfg.credentials.access_key_id = "AKIDLOCAL";
    cfg.credentials.secret_access_key = "local";
    CHECK_EQ_INT(create_with(&cfg, &e), OLOCK_ERR_CONFIG);
    CHECK_EQ_INT(e.code, OLOCK_ERR_CONFIG);
    CHECK_EQ_STR(e.message, "network transport: no region to sign requests with: set config.region (any, e.g. us-east-1, for a local server)");
    CHECK_EQ_INT(g_destroyed, 1);                            /* the transport is the client's even on failure */

    /* neither endpoint nor region: requests would go to http://localhost/ */
    cfg.endpoint = NULL;
    CHECK_EQ_INT(create_with(&cfg, &e), OLOCK_ERR_CONFIG);
    CHECK_EQ_STR(e.message, "network transport: no region and no endpoint: set config.region "
                            "(plus config.endpoint for a server other than DynamoDB)");

    /* a region and an endpoint, no credentials */
    cfg = config_for(&s, OLOCK_TRANSPORT_NETWORK);
    cfg.endpoint = "http://127.0.0.1:8000/";
    cfg.region = "us-east-1";
    CHECK_EQ_INT(create_with(&cfg, &e), OLOCK_ERR_CONFIG);
    CHECK_EQ_STR(e.message, "network transport: no credentials: set config.credentials (any key for a local server)");

    /* nothing at all: both, in one message */
    cfg = config_for(&s, OLOCK_TRANSPORT_NETWORK);
    CHECK_EQ_INT(create_with(&cfg, &e), OLOCK_ERR_CONFIG);
    CHECK(strstr(e.message, "no region and no endpoint") != NULL && strstr(e.message, "; no credentials: set config.credentials") != NULL);

    /* a region is enough for the endpoint, even with the environment ignored: DynamoDB's */
    cfg = config_for(&s, OLOCK_TRANSPORT_NETWORK);
    cfg.region = "eu-west-1";
    cfg.credentials.access_key_id = "AKIDEXAMPLE";
    cfg.credentials.secret_access_key = "secret";
    {
        olock_client *c = NULL;
        olock_response out;
        CHECK_EQ_INT(olock_client_create(&cfg, &c, &e), OLOCK_OK);
        s.status = 200; s.body = "{\"TableNames\":[]}";
        CHECK_EQ_INT(olock_client_call(c, OLOCK_OP_LIST_TABLES, "{}", 2, &out, &e), OLOCK_OK);
        CHECK_EQ_STR(s.url, "https://dynamodb.eu-west-1.amazonaws.com/");
        CHECK(s.signed_request);
        olock_client_destroy(c);
    }

    /* The fake's transport and a transport that says nothing need none of it (as before). */
    cfg = olock_config_default();
    cfg.transport = olock_fake_transport(g_fake);
    cfg.ignore_environment = 1;
    CHECK_EQ_INT(cfg.transport.kind, OLOCK_TRANSPORT_IN_PROCESS);
    CHECK_EQ_INT(create_with(&cfg, &e), OLOCK_OK);
    cfg = config_for(&s, OLOCK_TRANSPORT_UNSPECIFIED);
    cfg.credentials.access_key_id = "AKIDLOCAL";
    cfg.credentials.secret_access_key = "local";
    CHECK_EQ_INT(create_with(&cfg, &e), OLOCK_OK);
    cfg = config_for(&s, OLOCK_TRANSPORT_IN_PROCESS);
    CHECK_EQ_INT(create_with(&cfg, &e), OLOCK_OK);
}

/* The same with the environment read: the message names the variables, and a malformed one
   is reported rather than silently skipped. */
TEST(test_network_config_environment) {
    static const char *const vars[] = { "AWS_REGION", "AWS_DEFAULT_REGION", "AWS_ENDPOINT_URL_DYNAMODB", "AWS_ENDPOINT_URL",
                                        "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE" };
    script s;
    olock_config cfg;
    olock_error e;
    size_t i;
    memset(&s, 0, sizeof s);
    for (i = 0; i < sizeof vars / sizeof vars[0]; i++) unsetenv(vars[i]);
    setenv("AWS_SHARED_CREDENTIALS_FILE", "build/test_errors_no_such_credentials_file", 1);

    cfg = config_for(&s, OLOCK_TRANSPORT_NETWORK);
    cfg.ignore_environment = 0;
    CHECK_EQ_INT(create_with(&cfg, &e), OLOCK_ERR_CONFIG);
    CHECK_EQ_STR(e.message, "network transport: no region and no endpoint: set config.region or AWS_REGION (plus config.endpoint "
                            "or AWS_ENDPOINT_URL_DYNAMODB for a server other than DynamoDB); no credentials: set config.credentials, "
                            "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or the shared credentials file (any key for a local server)");

    setenv("AWS_REGION", "us east 1", 1);                  /* not a region name */
    cfg.credentials.access_key_id = "AKIDLOCAL";
    cfg.credentials.secret_access_key = "local";
    CHECK_EQ_INT(create_with(&cfg, &e), OLOCK_ERR_CONFIG);
    CHECK(strstr(e.message, "the region from AWS_REGION is not a valid region name") != NULL);

    setenv("AWS_REGION", "us-east-1", 1);
    setenv("AWS_ENDPOINT_URL_DYNAMODB", "127.0.0.1:8000", 1);   /* no scheme */
    CHECK_EQ_INT(create_with(&cfg, &e), OLOCK_ERR_CONFIG);
    CHECK(strstr(e.message, "endpoint from AWS_ENDPOINT_URL_DYNAMODB") != NULL);

    setenv("AWS_ENDPOINT_URL_DYNAMODB", "http://127.0.0.1:8000", 1);
    CHECK_EQ_INT(create_with(&cfg, &e), OLOCK_OK);

    for (i = 0; i < sizeof vars / sizeof vars[0]; i++) unsetenv(vars[i]);
    unsetenv("AWS_SHARED_CREDENTIALS_FILE");
}

/* ---- 2. the transport's own words about a failed send ------------------------------------- */

TEST(test_transport_last_error) {
    static const char put[] = "{\"TableName\":\"t\",\"Item\":{\"id\":{\"S\":\"a\"}}}";
    script s;
    olock_client *c;
    olock_item_request r;
    olock_response out;
    olock_error e;
    olock_write_result wr;
    memset(&s, 0, sizeof s);
    c = client_for(&s);
    CHECK(c != NULL);
    if (!c) return;
    memset(&r, 0, sizeof r);
    r.table = "t"; r.key = key_of("a");

    s.send_result = OLOCK_ERR_NOT_SENT;
    s.why = "Failed to connect to 127.0.0.1 port 1: Connection refused";
    CHECK_EQ_INT(olock_get_item(c, &r, &out, &e), OLOCK_ERR_NOT_SENT);
    CHECK_EQ_STR(e.message, "request not sent: Failed to connect to 127.0.0.1 port 1: Connection refused");
    CHECK_EQ_INT(e.error_class, OLOCK_CLASS_TRANSIENT);

    /* a write that may have gone out */
    s.send_result = OLOCK_ERR_MAYBE_SENT;
    s.why = "curl error 52 (Server returned nothing (no headers, no data)): Empty reply from server";
    CHECK_EQ_INT(olock_client_call(c, OLOCK_OP_PUT_ITEM, put, strlen(put), &out, &e), OLOCK_ERR_MAYBE_SENT);
    CHECK_EQ_STR(e.message, "request may have been applied: curl error 52 (Server returned nothing (no headers, no data)): Empty reply from server");
    /* a read that got no answer is transient, and says why */
    CHECK_EQ_INT(olock_get_item(c, &r, &out, &e), OLOCK_ERR_TRANSIENT);
    CHECK_EQ_STR(e.message, "no answer to GetItem (curl error 52 (Server returned nothing (no headers, no data)): Empty reply from server); "
                            "a read changes nothing, so it can simply be retried");

    /* a transport without words: as before */
    s.send_result = OLOCK_ERR_NOT_SENT;
    s.why = NULL;
    CHECK_EQ_INT(olock_get_item(c, &r, &out, &e), OLOCK_ERR_NOT_SENT);
    CHECK_EQ_STR(e.message, "transport error: request not sent");
    s.why = "";
    CHECK_EQ_INT(olock_get_item(c, &r, &out, &e), OLOCK_ERR_NOT_SENT);
    CHECK_EQ_STR(e.message, "transport error: request not sent");

    /* through the engine: the last send's words stay in the final error */
    s.why = "Could not resolve host: dynamodb.nowhere.example";
    r.key = NULL; r.item = key_of("a");
    CHECK_EQ_INT(olock_versioned_put(c, &r, 0, &wr, &e), OLOCK_ERR_NOT_SENT);
    CHECK_EQ_STR(e.message, "request not sent: Could not resolve host: dynamodb.nowhere.example");
    CHECK(e.attempts > 1);
    olock_client_destroy(c);
}

/* A transport's text never shows the session token. */
TEST(test_transport_last_error_redacts) {
    static const char token[] = "FQoGZXIvYXdzEXAMPLETOKENxxxxxxxxxxxxxxxxxxxxxxxx";
    script s;
    olock_config cfg;
    olock_client *c = NULL;
    olock_response out;
    olock_error e;
    char why[160];
    memset(&s, 0, sizeof s);
    cfg = config_for(&s, OLOCK_TRANSPORT_UNSPECIFIED);
    cfg.endpoint = "http://127.0.0.1:8000/";
    cfg.region = "us-east-1";
    cfg.credentials.access_key_id = "AKIDLOCAL";
    cfg.credentials.secret_access_key = "local";
    cfg.credentials.session_token = token;
    CHECK_EQ_INT(olock_client_create(&cfg, &c, &e), OLOCK_OK);
    if (!c) return;
    snprintf(why, sizeof why, "proxy said: bad header x-amz-security-token: %s", token);
    s.send_result = OLOCK_ERR_NOT_SENT;
    s.why = why;
    CHECK_EQ_INT(olock_client_call(c, OLOCK_OP_LIST_TABLES, "{}", 2, &out, &e), OLOCK_ERR_NOT_SENT);
    CHECK_EQ_STR(e.message, "request not sent: proxy said: bad header x-amz-security-token: [redacted]");
    olock_client_destroy(c);
}

/* ---- 3. answers no DynamoDB sends --------------------------------------------------------- */

TEST(test_not_dynamodb) {
    static const char put[] = "{\"TableName\":\"t\",\"Item\":{\"id\":{\"S\":\"a\"}}}";
    script s;
    olock_client *c;
    olock_item_request r;
    olock_response out;
    olock_error e;
    olock_write_result wr;
    memset(&s, 0, sizeof s);
    c = client_for(&s);
    CHECK(c != NULL);
    if (!c) return;
    memset(&r, 0, sizeof r);
    r.table = "t"; r.key = key_of("a");

    /* the codes are those of before; only the messages say more */
    s.status = 404; s.body = "";
    CHECK_EQ_INT(olock_get_item(c, &r, &out, &e), OLOCK_ERR_PARSE);
    CHECK_EQ_STR(e.message, "HTTP 404 with an empty body: is the endpoint (http://127.0.0.1:8000/) DynamoDB?");
    CHECK_EQ_INT(e.http_status, 404);
    CHECK_EQ_INT(olock_client_call(c, OLOCK_OP_PUT_ITEM, put, strlen(put), &out, &e), OLOCK_ERR_PARSE);
    CHECK_EQ_STR(e.message, "HTTP 404 with an empty body: is the endpoint (http://127.0.0.1:8000/) DynamoDB?");

    s.status = 301; s.location = "https://example.com/"; s.body = "";
    CHECK_EQ_INT(olock_get_item(c, &r, &out, &e), OLOCK_ERR_PARSE);
    CHECK_EQ_STR(e.message, "HTTP 301 with a redirect to https://example.com/ (olock follows none): is the endpoint "
                            "(http://127.0.0.1:8000/) DynamoDB?");
    s.location = NULL;

    s.status = 502; s.body = "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>nginx</body></html>";
    CHECK_EQ_INT(olock_get_item(c, &r, &out, &e), OLOCK_ERR_TRANSIENT);
    CHECK_EQ_STR(e.message, "HTTP 502 with a body that is not a JSON object: \"<html>  <head><title>502 Bad Gateway</title></h...\": "
                            "is the endpoint (http://127.0.0.1:8000/) DynamoDB, or a proxy in front of it?");
    CHECK_EQ_INT(e.error_class, OLOCK_CLASS_TRANSIENT);

    s.status = 200; s.body = "<!DOCTYPE html><html><body>It works!</body></html>";
    CHECK_EQ_INT(olock_get_item(c, &r, &out, &e), OLOCK_ERR_PARSE);
    CHECK_EQ_STR(e.message, "HTTP 200 with a body that is not a JSON object: \"<!DOCTYPE html><html><body>It works!</body></ht...\": "
                            "is the endpoint (http://127.0.0.1:8000/) DynamoDB?");
    CHECK_EQ_INT(e.offset, 0);
    CHECK_EQ_INT(olock_client_call(c, OLOCK_OP_PUT_ITEM, put, strlen(put), &out, &e), OLOCK_ERR_PARSE);

    s.body = "";
    CHECK_EQ_INT(olock_client_call(c, OLOCK_OP_PUT_ITEM, put, strlen(put), &out, &e), OLOCK_ERR_RESPONSE);
    CHECK_EQ_STR(e.message, "HTTP 200 with an empty body: is the endpoint (http://127.0.0.1:8000/) DynamoDB?");

    s.body = "[1,2]";
    CHECK_EQ_INT(olock_get_item(c, &r, &out, &e), OLOCK_ERR_RESPONSE);
    CHECK_EQ_STR(e.message, "HTTP 200 with a body that is not a JSON object: \"[1,2]\": is the endpoint (http://127.0.0.1:8000/) DynamoDB?");

    /* JSON, but no DynamoDB error: API Gateway's answer to a wrong path, say */
    s.status = 403; s.body = "{\"message\":\"Missing Authentication Token\"}";
    CHECK_EQ_INT(olock_get_item(c, &r, &out, &e), OLOCK_ERR_SERVICE);
    CHECK_EQ_STR(e.message, "HTTP 403 with an error without __type: \"{\"message\":\"Missing Authentication Token\"}\": "
                            "is the endpoint (http://127.0.0.1:8000/) DynamoDB?");
    CHECK_EQ_STR(e.aws_type, "");

    /* a DynamoDB error keeps DynamoDB's words */
    s.status = 400; s.body = "{\"__type\":\"com.amazonaws.dynamodb.v20120810#ResourceNotFoundException\",\"message\":\"Requested resource not found\"}";
    CHECK_EQ_INT(olock_get_item(c, &r, &out, &e), OLOCK_ERR_SERVICE);
    CHECK_EQ_STR(e.message, "Requested resource not found");

    /* a versioned write: the outcome model decides the code (MAYBE_SENT, as before); the
       message keeps the cause */
    s.status = 404; s.body = "";
    r.key = NULL; r.item = key_of("a");
    CHECK_EQ_INT(olock_versioned_put(c, &r, 3, &wr, &e), OLOCK_ERR_MAYBE_SENT);
    CHECK(strstr(e.message, "HTTP 404 with an empty body: is the endpoint (http://127.0.0.1:8000/) DynamoDB?") != NULL);
    olock_client_destroy(c);
}

/* ---- 4. INVALID_ARG names the function and the argument ---------------------------------- */

static int g_reentered;
static olock_result g_inner_rc;
static olock_error g_inner_err;
static olock_mutation reenter(void *user, olock_item *it, int exists) {
    olock_client *c = (olock_client *)user;
    (void)exists;
    if (!g_reentered++) g_inner_rc = olock_update(c, "tbl", key_of("r"), reenter, c, NULL, &g_inner_err);
    olock_item_set_i64(it, "n", 1);
    return OLOCK_MUTATE_WRITE;
}

static olock_mutation no_change(void *user, olock_item *it, int exists) {
    (void)user; (void)it; (void)exists;
    return OLOCK_MUTATE_NO_CHANGE;
}

TEST(test_invalid_arguments) {
    script s;
    olock_client *c = fake_client(&s, NULL, NULL);
    olock_item_request r;
    olock_response out;
    olock_error e;
    olock_write_result wr;
    olock_txn *txn = NULL;
    olock_task *task = NULL;
    olock_key_ref kr;
    olock_buf b;
    olock_json *j = NULL;
    CHECK(c != NULL);
    if (!c) return;
    memset(&r, 0, sizeof r);

    CHECK_EQ_INT(olock_client_create(NULL, NULL, &e), OLOCK_ERR_INVALID_ARG);
    CHECK_EQ_STR(e.message, "olock_client_create: cfg is NULL");

    r.item = key_of("a");
    CHECK_EQ_INT(olock_versioned_put(c, &r, 0, &wr, &e), OLOCK_ERR_INVALID_ARG);
    CHECK_EQ_STR(e.message, "olock_versioned_put: req->table is NULL or empty");
    CHECK_EQ_INT(olock_versioned_put(c, NULL, 0, &wr, &e), OLOCK_ERR_INVALID_ARG);
    CHECK_EQ_STR(e.message, "olock_versioned_put: req is NULL");
    CHECK_EQ_INT(olock_versioned_update(NULL, &r, 0, &wr, &e), OLOCK_ERR_INVALID_ARG);
    CHECK_EQ_STR(e.message, "olock_versioned_update: c is NULL");
    r.table = "tbl";
    CHECK_EQ_INT(olock_versioned_update(c, &r, 0, &wr, &e), OLOCK_ERR_INVALID_ARG);
    CHECK_EQ_STR(e.message, "olock_versioned_update: req->key is NULL");
    r.item = NULL; r.key = key_of("a");
    CHECK_EQ_INT(olock_versioned_update(c, &r, 0, &wr, &e), OLOCK_ERR_INVALID_ARG);
    CHECK_EQ_STR(e.message, "olock_versioned_update: req->update is NULL or empty");
    r.update = "SET a = :a";
    CHECK_EQ_INT(olock_versioned_delete(c, &r, 0, &wr, &e), OLOCK_ERR_INVALID_ARG);
    CHECK_EQ_STR(e.message, "olock_versioned_delete: req->update is set (only a versioned update takes an update expression)");
    r.update = NULL; r.consistent_read = 1;
    CHECK_EQ_INT(olock_versioned_delete(c, &r, 0, &wr, &e), OLOCK_ERR_INVALID_ARG);
    CHECK_EQ_STR(e.message, "olock_versioned_delete: req->consistent_read is set (a write takes none)");
    r.consistent_read = 0;

    CHECK_EQ_INT(olock_update(c, "tbl", key_of("a"), NULL, NULL, &wr, &e), OLOCK_ERR_INVALID_ARG);
    CHECK_EQ_STR(e.message, "olock_update: fn is NULL");
    CHECK_EQ_INT(olock_update(c, "", key_of("a"), no_change, NULL, &wr, &e), OLOCK_ERR_INVALID_ARG);
    CHECK_EQ_STR(e.message, "olock_update: table is NULL or empty");
    CHECK_EQ_INT(olock_update(c, "tbl", olock_value_new_container(&g_arena, OLOCK_TYPE_M), no_change, NULL, &wr, &e), OLOCK_ERR_INVALID_ARG);
    CHECK_EQ_STR(e.message, "olock_update: key is not a map of the key attributes");

    /* a blocking call from inside a mutate function finds the client's task busy */
    g_reentered = 0;
    CHECK_EQ_INT(olock_update(c, "tbl", key_of("r"), reenter, c, &wr, &e), OLOCK_OK);
    CHECK_EQ_INT(g_inner_rc, OLOCK_ERR_INVALID_ARG);
    CHECK(strncmp(g_inner_err.message, "olock_update: the task is busy with another operation", 53) == 0);

    kr.table = "tbl"; kr.key = NULL;
    CHECK_EQ_INT(olock_update_many(c, &kr, 0, NULL, NULL, &wr, &e), OLOCK_ERR_INVALID_ARG);
    CHECK_EQ_STR(e.message, "olock_update_many: count is 0");
    CHECK_EQ_INT(olock_update_many(c, &kr, 1, (olock_mutate_many_fn)NULL, NULL, &wr, &e), OLOCK_ERR_INVALID_ARG);
    CHECK_EQ_STR(e.message, "olock_update_many: fn is NULL");

    CHECK_EQ_INT(olock_txn_create(c, &txn), OLOCK_OK);
    CHECK_EQ_INT(olock_txn_commit(c, txn, &wr, &e), OLOCK_ERR_INVALID_ARG);
    CHECK_EQ_STR(e.message, "olock_txn_commit: txn has no actions");
    CHECK_EQ_INT(olock_txn_commit(c, NULL, &wr, &e), OLOCK_ERR_INVALID_ARG);
    CHECK_EQ_STR(e.message, "olock_txn_commit: txn is NULL");
    olock_txn_destroy(txn);

    /* the task API keeps the reason for olock_task_result */
    CHECK_EQ_INT(olock_task_create(c, &task), OLOCK_OK);
    r.key = NULL;
    CHECK_EQ_INT(olock_task_begin_put(task, &r, 0), OLOCK_ERR_INVALID_ARG);
    CHECK_EQ_INT(olock_task_result(task, &wr, &e), OLOCK_ERR_INVALID_ARG);
    CHECK_EQ_STR(e.message, "olock_task_begin_put: req->item is NULL (a put writes a whole item)");
    CHECK_EQ_INT(olock_task_begin_update(task, "t", NULL, no_change, NULL), OLOCK_ERR_INVALID_ARG);
    CHECK_EQ_INT(olock_task_result(task, &wr, &e), OLOCK_ERR_INVALID_ARG);
    CHECK_EQ_STR(e.message, "olock_task_begin_update: key is NULL");
    olock_task_destroy(task);

    /* plain calls, and the encoders under them, in the caller's name */
    memset(&r, 0, sizeof r);
    r.key = key_of("a");
    CHECK_EQ_INT(olock_get_item(c, &r, &out, &e), OLOCK_ERR_INVALID_ARG);
    CHECK_EQ_STR(e.message, "olock_get_item: r->table is NULL or empty (the table name is required)");
    CHECK_EQ_INT(olock_put_item(c, NULL, &out, &e), OLOCK_ERR_INVALID_ARG);
    CHECK_EQ_STR(e.message, "olock_put_item: r is NULL");
    r.table = "tbl";
    CHECK_EQ_INT(olock_put_item(c, &r, &out, &e), OLOCK_ERR_INVALID_ARG);
    CHECK_EQ_STR(e.message, "olock_put_item: r->item is NULL (PutItem needs an item)");
    CHECK_EQ_INT(olock_get_item(NULL, &r, &out, &e), OLOCK_ERR_INVALID_ARG);
    CHECK_EQ_STR(e.message, "olock_get_item: c is NULL");
    CHECK_EQ_INT(olock_describe_table(c, NULL, &out, &e), OLOCK_ERR_INVALID_ARG);
    CHECK_EQ_STR(e.message, "olock_describe_table: table is NULL or empty (the table name is required)");
    CHECK_EQ_INT(olock_client_call(c, (olock_op)0, "{}", 2, &out, &e), OLOCK_ERR_INVALID_ARG);
    CHECK_EQ_STR(e.message, "olock_client_call: op 0 is not an olock_op");
    olock_buf_init(&b, NULL);
    CHECK_EQ_INT(olock_encode_item_request(OLOCK_OP_QUERY, &r, &b, &e), OLOCK_ERR_INVALID_ARG);
    CHECK_EQ_STR(e.message, "olock_encode_item_request: op is not GetItem, PutItem, UpdateItem or DeleteItem");
    CHECK_EQ_INT(olock_encode_item_request(OLOCK_OP_GET_ITEM, &r, NULL, &e), OLOCK_ERR_INVALID_ARG);
    CHECK_EQ_STR(e.message, "olock_encode_item_request: body is NULL");
    olock_buf_free(&b);
    CHECK_EQ_INT(olock_json_parse(NULL, "{}", 2, NULL, &j, &e), OLOCK_ERR_INVALID_ARG);
    CHECK_EQ_STR(e.message, "olock_json_parse: a is NULL");
    olock_client_destroy(c);
}

/* ---- 5. a caller's expression must leave olock's attributes alone ------------------------- */

TEST(test_own_attributes) {
    script s;
    olock_client *c = fake_client(&s, NULL, NULL);
    olock_item_request r;
    olock_error e;
    olock_write_result wr;
    olock_value *vals, *names, *item = map_of_s("id", "o");
    olock_txn *txn = NULL;
    olock_task *task = NULL;
    CHECK(c != NULL);
    if (!c) return;
    memset(&r, 0, sizeof r);
    olock_map_put(&g_arena, item, "m", 1, olock_value_new_container(&g_arena, OLOCK_TYPE_M));
    r.table = "tbl"; r.item = item;
    CHECK_EQ_INT(olock_versioned_put(c, &r, 0, &wr, &e), OLOCK_OK);
    s.sends = 0;

    memset(&r, 0, sizeof r);
    r.table = "tbl"; r.key = key_of("o");
    vals = map_of_i64(":v", 9);
    r.values = vals;
    r.update = "SET version = :v";
    CHECK_EQ_INT(olock_versioned_update(c, &r, 1, &wr, &e), OLOCK_ERR_INVALID_ARG);
    CHECK_EQ_STR(e.message, "olock_versioned_update: req->update sets `version`, the version attribute olock manages; remove it");
    r.update = "SET a = :v, #v = :v";
    r.names = map_of_s("#v", "version");
    CHECK_EQ_INT(olock_versioned_update(c, &r, 1, &wr, &e), OLOCK_ERR_INVALID_ARG);
    CHECK_EQ_STR(e.message, "olock_versioned_update: req->update sets `version` (as #v), the version attribute olock manages; remove it");
    /* the placeholder of an own attribute after other names, and the ledger's */
    r.update = "SET #a = :v, #w = :v";
    names = map_of_s("#a", "gold");
    olock_map_put(&g_arena, names, "#b", 2, olock_value_new_s(&g_arena, "versio", 6));
    olock_map_put(&g_arena, names, "#w", 2, olock_value_new_s(&g_arena, "olock_writers", 13));
    r.names = names;
    CHECK_EQ_INT(olock_versioned_update(c, &r, 1, &wr, &e), OLOCK_ERR_INVALID_ARG);
    CHECK_EQ_STR(e.message, "olock_versioned_update: req->update sets `olock_writers` (as #w), the writer ledger olock manages; remove it");
    r.names = NULL;
    r.update = "SET a = :v REMOVE olock_writers";
    CHECK_EQ_INT(olock_versioned_update(c, &r, 1, &wr, &e), OLOCK_ERR_INVALID_ARG);
    CHECK_EQ_STR(e.message, "olock_versioned_update: req->update removes `olock_writers`, the writer ledger olock manages; remove it");
    r.update = "add version :v";
    CHECK_EQ_INT(olock_versioned_update(c, &r, 1, &wr, &e), OLOCK_ERR_INVALID_ARG);
    CHECK_EQ_STR(e.message, "olock_versioned_update: req->update adds to `version`, the version attribute olock manages; remove it");
    r.update = "SET a = :v";
    r.condition = "attribute_exists(id) AND version < :v";
    CHECK_EQ_INT(olock_versioned_update(c, &r, 1, &wr, &e), OLOCK_ERR_INVALID_ARG);
    CHECK_EQ_STR(e.message, "olock_versioned_update: req->condition reads `version`, the version attribute olock manages; remove it");
    CHECK_EQ_INT(s.sends, 0);                                /* refused before anything was sent */

    /* a put's condition too; deletes have no update */
    r.update = NULL; r.key = NULL; r.item = map_of_s("id", "p");
    r.condition = "size(olock_writers) < :v";
    CHECK_EQ_INT(olock_versioned_put(c, &r, 0, &wr, &e), OLOCK_ERR_INVALID_ARG);
    CHECK_EQ_STR(e.message, "olock_versioned_put: req->condition reads `olock_writers`, the writer ledger olock manages; remove it");
    r.item = NULL; r.key = key_of("o");
    r.condition = "#v > :v"; r.names = map_of_s("#v", "version");
    CHECK_EQ_INT(olock_versioned_delete(c, &r, 1, &wr, &e), OLOCK_ERR_INVALID_ARG);
    CHECK_EQ_STR(e.message, "olock_versioned_delete: req->condition reads `version` (as #v), the version attribute olock manages; remove it");
    CHECK_EQ_INT(s.sends, 0);

    /* what is not olock's goes through: a member named version, reading it on the right of '=' */
    r.names = NULL; r.condition = NULL;
    r.update = "SET m.version = :v, copied = if_not_exists(absent, :v)";
    CHECK_EQ_INT(olock_versioned_update(c, &r, 1, &wr, &e), OLOCK_OK);
    CHECK_EQ_INT(wr.version, 2);

    /* the task API and transactions check the same */
    r.update = "SET version = :v";
    CHECK_EQ_INT(olock_task_create(c, &task), OLOCK_OK);
    CHECK_EQ_INT(olock_task_begin_versioned_update(task, &r, 2), OLOCK_ERR_INVALID_ARG);
    CHECK_EQ_INT(olock_task_result(task, &wr, &e), OLOCK_ERR_INVALID_ARG);
    CHECK_EQ_STR(e.message, "olock_task_begin_versioned_update: req->update sets `version`, the version attribute olock manages; remove it");
    olock_task_destroy(task);
    CHECK_EQ_INT(olock_txn_create(c, &txn), OLOCK_OK);
    CHECK_EQ_INT(olock_txn_update(txn, &r, 2), OLOCK_ERR_INVALID_ARG);
    CHECK_EQ_INT(olock_txn_count(txn), 0);
    olock_txn_destroy(txn);
    olock_client_destroy(c);

    /* the names follow the configuration */
    c = fake_client(&s, "rev", "");
    CHECK(c != NULL);
    if (!c) return;
    memset(&r, 0, sizeof r);
    r.table = "tbl"; r.item = map_of_s("id", "q");
    CHECK_EQ_INT(olock_versioned_put(c, &r, 0, &wr, &e), OLOCK_OK);
    r.item = NULL; r.key = key_of("q"); r.values = vals;
    r.update = "SET rev = :v";
    CHECK_EQ_INT(olock_versioned_update(c, &r, 1, &wr, &e), OLOCK_ERR_INVALID_ARG);
    CHECK_EQ_STR(e.message, "olock_versioned_update: req->update sets `rev`, the version attribute olock manages; remove it");
    r.update = "SET version = :v, olock_writers = :v";        /* not olock's here: no ledger, another version name */
    CHECK_EQ_INT(olock_versioned_update(c, &r, 1, &wr, &e), OLOCK_OK);
    olock_client_destroy(c);
}

/* ---- 6. an item over 400 KB says what olock added ------------------------------------------ */

/* An item "id" = id with a string attribute "x" making the item `size` bytes as DynamoDB
   counts them (names plus values), before olock's attributes. */
static olock_value *item_of_size(const char *id, size_t size, char **blob) {
    olock_value *it = map_of_s("id", id);
    size_t n = size - 2 - strlen(id) - 1;
    *blob = (char *)malloc(n);
    if (!*blob) return NULL;
    memset(*blob, 'z', n);
    olock_map_put(&g_arena, it, "x", 1, olock_value_new_s(&g_arena, *blob, n));
    return it;
}

/* ---- 5b. an operation's error is not carried into the next one ------------------------------ */

/* e as a call leaves it after success, whatever e held before: no code, class, AWS error name
   or message; the status of the last answer (200); one request sent. */
static int error_is_clear(const olock_error *e) {
    return e->code == OLOCK_OK && e->error_class == OLOCK_CLASS_NONE && e->http_status == 200 && e->aws_type[0] == 0 &&
           e->message[0] == 0 && e->offset == 0 && e->attempts == 1;
}

static void error_fill(olock_error *e) {
    memset(e, 'x', sizeof *e);
    e->aws_type[sizeof e->aws_type - 1] = 0;
    e->message[sizeof e->message - 1] = 0;
}

TEST(test_error_after_error_cleared) {
    script s;
    olock_client *c = fake_client(&s, NULL, NULL);
    olock_task *t = NULL;
    olock_item_request r;
    olock_write_result wr;
    olock_error e;
    CHECK(c != NULL);
    if (!c) return;
    memset(&r, 0, sizeof r);
    r.table = "tbl"; r.item = map_of_s("id", "carry");
    CHECK_EQ_INT(olock_versioned_put(c, &r, 0, &wr, &e), OLOCK_OK);
    memset(&r, 0, sizeof r);
    r.table = "tbl"; r.key = key_of("carry"); r.update = "SET a = :a"; r.values = map_of_i64(":a", 1);
    /* the blocking call: a conflict, then a success */
    CHECK_EQ_INT(olock_versioned_update(c, &r, 7, &wr, &e), OLOCK_CONFLICT);
    CHECK(e.message[0] != 0 && e.http_status == 400 && strcmp(e.aws_type, "ConditionalCheckFailedException") == 0);
    CHECK_EQ_INT(olock_versioned_update(c, &r, 1, &wr, &e), OLOCK_OK);
    CHECK(error_is_clear(&e));
    /* the task API: the same task, failed, then done; the error handed out is the last one's */
    CHECK_EQ_INT(olock_task_create(c, &t), OLOCK_OK);
    CHECK_EQ_INT(olock_task_begin_versioned_update(t, &r, 9), OLOCK_OK);
    CHECK_EQ_INT(olock_task_run(t, &wr, &e), OLOCK_CONFLICT);
    CHECK(e.message[0] != 0 && strcmp(e.aws_type, "ConditionalCheckFailedException") == 0);
    error_fill(&e);
    CHECK_EQ_INT(olock_task_begin_versioned_update(t, &r, 2), OLOCK_OK);
    CHECK_EQ_INT(olock_task_run(t, &wr, &e), OLOCK_OK);
    CHECK(error_is_clear(&e));
    CHECK_EQ_INT(wr.version, 3);
    error_fill(&e);
    CHECK_EQ_INT(olock_task_result(t, &wr, &e), OLOCK_OK);
    CHECK(error_is_clear(&e));
    olock_task_destroy(t);
    olock_client_destroy(c);
}

TEST(test_item_size) {
    /* olock's attributes of a first write by the client's blocking task: "version" (7 bytes)
       = 1 (2 bytes), "olock_writers" (13) = a list (3) of "@0:<12>" (15 + 1) and
       "<writer 12>:<seq>:1" (16 + 1, seq < 10): 58 bytes. The fake counts as DynamoDB does,
       so 409600 - 58 bytes of the caller's fit and one more does not. */
    enum { OWN = 58, LIMIT = 409600 };
    script s;
    olock_client *c = fake_client(&s, NULL, NULL);
    olock_item_request r;
    olock_error e;
    olock_write_result wr;
    olock_value *vals;
    char *blob = NULL, *more = NULL;
    CHECK(c != NULL);
    if (!c) return;
    memset(&r, 0, sizeof r);
    r.table = "tbl";
    r.item = item_of_size("big1", LIMIT - OWN, &blob);
    CHECK_EQ_INT(olock_versioned_put(c, &r, 0, &wr, &e), OLOCK_OK);
    free(blob);
    r.item = item_of_size("big2", LIMIT - OWN + 1, &blob);
    CHECK_EQ_INT(olock_versioned_put(c, &r, 0, &wr, &e), OLOCK_ERR_SERVICE);
    CHECK_EQ_STR(e.aws_type, "ValidationException");
    CHECK_EQ_STR(e.message, "Item size has exceeded the maximum allowed size (olock's version and writer-ledger attributes added 58 bytes)");
    free(blob);

    /* an update that pushes a stored item over */
    r.item = item_of_size("big3", LIMIT - OWN - 100, &blob);
    CHECK_EQ_INT(olock_versioned_put(c, &r, 0, &wr, &e), OLOCK_OK);
    free(blob);
    more = (char *)malloc(200);
    CHECK(more != NULL);
    if (!more) return;
    memset(more, 'y', 199);
    more[199] = 0;
    vals = map_of_s(":m", more);
    r.item = NULL; r.key = key_of("big3"); r.update = "SET more = :m"; r.values = vals;
    CHECK_EQ_INT(olock_versioned_update(c, &r, 1, &wr, &e), OLOCK_ERR_SERVICE);
    CHECK(strncmp(e.message, "Item size to update has exceeded the maximum allowed size (olock's version and writer-ledger attributes added ", 109) == 0);
    free(more);
    olock_client_destroy(c);

    /* without the ledger */
    c = fake_client(&s, NULL, "");
    CHECK(c != NULL);
    if (!c) return;
    memset(&r, 0, sizeof r);
    r.table = "tbl";
    r.item = item_of_size("big4", LIMIT - 8, &blob);
    CHECK_EQ_INT(olock_versioned_put(c, &r, 0, &wr, &e), OLOCK_ERR_SERVICE);
    CHECK_EQ_STR(e.message, "Item size has exceeded the maximum allowed size (olock's version attribute added 9 bytes)");
    free(blob);
    /* a size error of the caller's own making, on a plain call, is DynamoDB's words alone */
    r.item = item_of_size("big5", LIMIT + 1, &blob);
    CHECK_EQ_INT(olock_put_item(c, &r, NULL, &e), OLOCK_ERR_SERVICE);
    CHECK_EQ_STR(e.message, "Item size has exceeded the maximum allowed size");
    free(blob);
    olock_client_destroy(c);
}

/* olock_update_many's function: item 0 gets a string attribute "x" of g_grow_to bytes. */
static size_t g_grow_to;
static olock_mutation grow_first(void *user, olock_item *const *items, const int *exists, olock_mutation *each, size_t count) {
    char *blob = (char *)malloc(g_grow_to);
    (void)user; (void)exists; (void)count;
    if (!blob) return OLOCK_MUTATE_ABORT;
    memset(blob, 'w', g_grow_to);
    olock_map_put(&items[0]->arena, items[0]->root, "x", 1, olock_value_new_s(&items[0]->arena, blob, g_grow_to));
    free(blob);
    each[0] = OLOCK_MUTATE_WRITE;
    return OLOCK_MUTATE_WRITE;
}

TEST(test_item_size_transactions) {
    /* Transactions carry the version attribute only: "version" (7 bytes) = 1 or 2 (2 bytes). */
    enum { LIMIT = 409600 };
    script s;
    olock_client *c = fake_client(&s, NULL, NULL);
    olock_txn *txn = NULL;
    olock_item_request r;
    olock_key_ref ref;
    olock_error e;
    olock_write_result wr;
    char *blob = NULL, more[200];
    CHECK(c != NULL && olock_txn_create(c, &txn) == OLOCK_OK);
    if (!c || !txn) return;
    /* a put too large: DynamoDB refuses the whole request and names no action */
    CHECK_EQ_INT(olock_txn_put(txn, "tbl", item_of_size("tbig1", LIMIT - 8, &blob), 0), OLOCK_OK);
    CHECK_EQ_INT(olock_txn_commit(c, txn, &wr, &e), OLOCK_ERR_SERVICE);
    CHECK_EQ_STR(e.aws_type, "ValidationException");
    CHECK_EQ_STR(e.message, "Item size has exceeded the maximum allowed size (olock's version attribute added up to 9 bytes to each item written)");
    free(blob);
    /* one byte less fits */
    olock_txn_reset(txn);
    CHECK_EQ_INT(olock_txn_put(txn, "tbl", item_of_size("tbig1", LIMIT - 9, &blob), 0), OLOCK_OK);
    CHECK_EQ_INT(olock_txn_commit(c, txn, &wr, &e), OLOCK_OK);
    free(blob);
    /* an update that pushes the stored item over: the cancellation names the action */
    olock_txn_reset(txn);
    memset(more, 'y', sizeof more - 1);
    more[sizeof more - 1] = 0;
    CHECK_EQ_INT(olock_txn_check(txn, "tbl", key_of("nothing-here"), 0), OLOCK_OK);
    memset(&r, 0, sizeof r);
    r.table = "tbl"; r.key = key_of("tbig1"); r.update = "SET more = :m"; r.values = map_of_s(":m", more);
    CHECK_EQ_INT(olock_txn_update(txn, &r, 1), OLOCK_OK);
    CHECK_EQ_INT(olock_txn_commit(c, txn, &wr, &e), OLOCK_ERR_SERVICE);
    CHECK_EQ_STR(e.aws_type, "TransactionCanceledException");
    CHECK(strstr(e.message, " (action 1: Item size to update has exceeded the maximum allowed size; olock's version attribute added 9 bytes)") != NULL);
    if (!strstr(e.message, "(action 1:")) fprintf(stderr, "  message: %s\n", e.message);
    olock_txn_destroy(txn);
    /* olock_update_many, whose function grows an item too far */
    g_grow_to = LIMIT;
    ref.table = "tbl";
    ref.key = key_of("tbig2");
    CHECK_EQ_INT(olock_update_many(c, &ref, 1, grow_first, NULL, &wr, &e), OLOCK_ERR_SERVICE);
    CHECK_EQ_STR(e.message, "Item size has exceeded the maximum allowed size (olock's version attribute added up to 9 bytes to each item written)");
    olock_client_destroy(c);
}

int main(void) {
    olock_arena_init(&g_arena, NULL);
    if (olock_fake_create(NULL, &g_fake) != OLOCK_OK) return 1;
    RUN(test_network_config);
    RUN(test_network_config_environment);
    RUN(test_transport_last_error);
    RUN(test_transport_last_error_redacts);
    RUN(test_not_dynamodb);
    RUN(test_invalid_arguments);
    RUN(test_own_attributes);
    RUN(test_error_after_error_cleared);
    RUN(test_item_size);
    RUN(test_item_size_transactions);
    olock_fake_destroy(g_fake);
    olock_arena_free(&g_arena);
    return TEST_MAIN_END();
}
