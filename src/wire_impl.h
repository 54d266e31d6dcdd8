/* =============================================================================================
   >>wire (implementation)
   ========================================================================================== */

/* Private names later parts may use: olock__response_decode_item (an item operation's answer
   decoded in one pass, without the body's tree), with which the engine (>>client's exchange)
   reads the answers only it sees; olock__encode_item_request_at and olock__encode_values_after
   (an item request's body in two pieces, before and from its values member), with which the
   engine keeps the first piece for the next write of the same item. */

/* ---- HTTP response -------------------------------------------------------------------------- */

OLOCK_API void olock_http_response_init(olock_http_response *res, const olock_allocator *alloc, size_t max_body) {
    res->status = 0;
    olock_buf_init(&res->body, alloc);
    res->body.max = max_body;
    olock_buf_init(&res->headers, alloc);
    res->headers.max = 64 * 1024; /* no honest DynamoDB response comes near this */
    res->header_count = 0;
}

OLOCK_API void olock_http_response_reset(olock_http_response *res) {
    res->status = 0;
    olock_buf_clear(&res->body);
    olock_buf_clear(&res->headers);
    res->header_count = 0;
}

OLOCK_API void olock_http_response_free(olock_http_response *res) {
    if (!res) return;
    olock_buf_free(&res->body);
    olock_buf_free(&res->headers);
    res->header_count = 0;
}

OLOCK_API olock_result olock_http_response_add_header(olock_http_response *res, const char *name, size_t name_len,
                                                      const char *value, size_t value_len) {
    olock_result r;
    if (!name || (!value && value_len)) return OLOCK_ERR_INVALID_ARG;
    if (memchr(name, 0, name_len) || (value_len && memchr(value, 0, value_len))) return OLOCK_ERR_INVALID_ARG;
    r = olock_buf_reserve(&res->headers, name_len + value_len + 2);
    if (r != OLOCK_OK) return r;
    olock__buf_put(&res->headers, name, name_len);
    res->headers.data[res->headers.len++] = 0;
    if (value_len) olock__buf_put(&res->headers, value, value_len);
    res->headers.data[res->headers.len++] = 0;
    res->header_count++;
    return OLOCK_OK;
}

OLOCK_API olock_result olock_http_response_append(olock_http_response *res, const void *data, size_t len) {
    return olock_buf_append(&res->body, data, len);
}

OLOCK_API const char *olock_http_response_header(const olock_http_response *res, const char *name) {
    const char *p, *end;
    size_t name_len;
    if (!res || !name || !res->headers.data) return NULL;
    name_len = strlen(name);
    p = res->headers.data;
    end = p + res->headers.len;
    while (p < end) {
        size_t len = strlen(p);
        const char *v = p + len + 1;
        if (olock__ascii_ieq(p, len, name, name_len)) return v;
        p = v + strlen(v) + 1;
    }
    return NULL;
}

/* ---- operations ------------------------------------------------------------------------------ */

static const char *const olock__op_names[OLOCK_OP_COUNT_] = {
    NULL, "GetItem", "PutItem", "UpdateItem", "DeleteItem", "TransactWriteItems", "TransactGetItems",
    "BatchGetItem", "BatchWriteItem", "Query", "Scan", "CreateTable", "DescribeTable", "DeleteTable", "ListTables"
};

OLOCK_API const char *olock_op_name(olock_op op) {
    return op > 0 && op < OLOCK_OP_COUNT_ ? olock__op_names[op] : "?";
}

OLOCK_API olock_op olock_op_from_name(const char *name, size_t len) {
    static const char prefix[] = "DynamoDB_20120810.";
    int i;
    if (!name) return (olock_op)0;
    if (len > sizeof prefix - 1 && memcmp(name, prefix, sizeof prefix - 1) == 0) {
        name += sizeof prefix - 1;
        len -= sizeof prefix - 1;
    }
    for (i = 1; i < OLOCK_OP_COUNT_; i++)
        if (strlen(olock__op_names[i]) == len && memcmp(olock__op_names[i], name, len) == 0) return (olock_op)i;
    return (olock_op)0;
}

/* ---- request encoding ----------------------------------------------------------------------- */

/* A small JSON object writer: tracks whether a comma is due and the first failure, so an
   encoder reads as a list of members. */
typedef struct olock__jw {
    olock_buf *b;
    olock_result r;
    int need_comma;
} olock__jw;

static void olock__jw_raw(olock__jw *w, const char *s, size_t n) {
    if (w->r == OLOCK_OK) w->r = n == 1 ? olock__buf_put1(w->b, *s) : olock_buf_append(w->b, s, n);
}

static void olock__jw_open(olock__jw *w, char c) {
    olock__jw_raw(w, &c, 1);
    w->need_comma = 0;
}
static void olock__jw_close(olock__jw *w, char c) {
    olock__jw_raw(w, &c, 1);
    w->need_comma = 1;
}

/* A member name of DynamoDB's API ("TableName", "Key", ...): olock's own words, plain ASCII
   letters that need no escaping, so they are copied between quotes without the string
   writer's checks (a request has a dozen of them). The helpers below take it as name, n;
   OLOCK__JW_NAME("Key") gives both for a literal (and does not compile for anything else). */
#define OLOCK__JW_NAME(lit) ("" lit), (sizeof(lit) - 1)
static void olock__jw_name(olock__jw *w, const char *name, size_t n) {
    char *o;
    if (w->r == OLOCK_OK && (w->r = olock__buf_room(w->b, n + 4)) == OLOCK_OK) {
        o = w->b->data + w->b->len;
        if (w->need_comma) *o++ = ',';
        *o++ = '"';
        memcpy(o, name, n);
        o += n;
        *o++ = '"';
        *o++ = ':';
        *o = 0;
        w->b->len = (size_t)(o - w->b->data);
    }
    w->need_comma = 1;
}

/* A member name from the caller (a table name, a placeholder) of n bytes: escaped and checked
   as any JSON string. */
static void olock__jw_key(olock__jw *w, const char *key, size_t n) {
    int comma = w->need_comma;
    char *o;
    w->need_comma = 1;
    if (w->r != OLOCK_OK) return;
    /* The comma when due, the quoted name and ':' with one check for room. */
    if (n > ((size_t)-1 - 4) / 6) {
        w->r = OLOCK_ERR_LIMIT;
        return;
    }
    if ((w->r = olock__buf_room(w->b, n * 6 + 4)) != OLOCK_OK) return;
    o = w->b->data + w->b->len;
    if (comma) *o++ = ',';
    o = olock__json_put_string(o, key, n);
    if (!o) {
        w->r = OLOCK_ERR_INVALID_ARG;
        w->b->data[w->b->len] = 0;
        return;
    }
    *o++ = ':';
    *o = 0;
    w->b->len = (size_t)(o - w->b->data);
}

/* The helpers below write one member each; its name is one of DynamoDB's (olock__jw_name). */

static void olock__jw_elem(olock__jw *w) {
    if (w->need_comma) olock__jw_raw(w, ",", 1);
    w->need_comma = 1;
}

static void olock__jw_str(olock__jw *w, const char *name, size_t n, const char *s) {
    if (!s) return;
    olock__jw_name(w, name, n);
    if (w->r == OLOCK_OK) w->r = olock_json_write_string(w->b, s, strlen(s));
}

static void olock__jw_bool(olock__jw *w, const char *name, size_t n, int v) {
    olock__jw_name(w, name, n);
    if (v) olock__jw_raw(w, "true", 4);
    else olock__jw_raw(w, "false", 5);
}

static void olock__jw_u64(olock__jw *w, const char *name, size_t n, uint64_t v) {
    char tmp[OLOCK__U64_TEXT];
    size_t digits = olock__u64_text(v, tmp);
    olock__jw_name(w, name, n);
    olock__jw_raw(w, tmp, digits);
}

static void olock__jw_map(olock__jw *w, const char *name, size_t n, const olock_value *map) {
    if (!map) return;
    olock__jw_name(w, name, n);
    if (w->r == OLOCK_OK) w->r = olock__write_attr_map(map, w->b);
}

/* ExpressionAttributeNames: a map of S values written as plain JSON strings. */
static void olock__jw_names(olock__jw *w, const olock_value *names) {
    const olock_value *m;
    if (!names) return;
    if (names->type != OLOCK_TYPE_M) {
        if (w->r == OLOCK_OK) w->r = OLOCK_ERR_INVALID_ARG;
        return;
    }
    olock__jw_name(w, OLOCK__JW_NAME("ExpressionAttributeNames"));
    olock__jw_open(w, '{');
    for (m = names->first; m; m = m->next) {
        if (m->type != OLOCK_TYPE_S) {
            if (w->r == OLOCK_OK) w->r = OLOCK_ERR_INVALID_ARG;
            return;
        }
        olock__jw_key(w, m->key, m->key_len);
        if (w->r == OLOCK_OK) w->r = olock_json_write_string(w->b, m->str, m->len);
    }
    olock__jw_close(w, '}');
}

static const char *olock__rv_name(olock_return_values rv) {
    switch (rv) {
    case OLOCK_RV_NONE: return "NONE";
    case OLOCK_RV_ALL_OLD: return "ALL_OLD";
    case OLOCK_RV_UPDATED_OLD: return "UPDATED_OLD";
    case OLOCK_RV_ALL_NEW: return "ALL_NEW";
    case OLOCK_RV_UPDATED_NEW: return "UPDATED_NEW";
    case OLOCK_RV_OMIT: break;
    }
    return NULL;
}

static olock_result olock__encode_fail(olock_buf *b, size_t mark, olock_error *err, olock_result r, const char *msg) {
    if (b->data) {
        b->len = mark;
        b->data[mark] = 0;
    }
    if (r == OLOCK_ERR_NOMEM) msg = "out of memory";
    else if (r == OLOCK_ERR_LIMIT && b->max) msg = "request body exceeds the buffer limit";
    olock__fail_at(err, r, 0, msg);
    return r;
}

/* What every encoder of an array checks first: the body is given, and the array when count is
   not 0. Clears err; INVALID_ARG naming the argument. */
static olock_result olock__encode_array_args(olock_error *err, const char *fn, const olock_buf *body, const void *array,
                                             const char *array_name, size_t count) {
    olock__error_clear(err);
    if (!body) return olock__null_arg(err, fn, "body");
    if (!array && count) return olock__invalid_arg(err, "%s: %s is NULL and count is %lu", fn, array_name, (unsigned long)count);
    return OLOCK_OK;
}

/* Starts a request body: the top-level object, appended to body; returns where it begins. */
static size_t olock__jw_begin(olock__jw *w, olock_buf *body) {
    size_t mark = body->len;
    w->b = body;
    w->r = OLOCK_OK;
    w->need_comma = 0;
    olock__jw_open(w, '{');
    return mark;
}

/* Closes the top-level object: OK, or the first failure with body cut back to `mark`. */
static olock_result olock__jw_end(olock__jw *w, size_t mark, olock_error *err) {
    olock__jw_close(w, '}');
    return w->r == OLOCK_OK ? OLOCK_OK : olock__encode_fail(w->b, mark, err, w->r, "invalid value in request");
}

/* Fields of an item request that the operation does not use must be empty. The message starts
   with the field's name, for the caller to put "r->" or "action 2: req." before it. */
static const char *olock__item_request_misuse(olock_op op, const olock_item_request *r) {
    if (!r->table || !*r->table) return "table is NULL or empty (the table name is required)";
    if (op == OLOCK_OP_PUT_ITEM) {
        if (!r->item) return "item is NULL (PutItem needs an item)";
        if (r->key) return "key is set (PutItem takes an item, not a key)";
    } else {
        if (!r->key) return "key is NULL (a key is required)";
        if (r->item) return "item is set (only PutItem takes an item)";
    }
    if (r->update && op != OLOCK_OP_UPDATE_ITEM) return "update is set (only UpdateItem takes an update expression)";
    if (r->projection && op != OLOCK_OP_GET_ITEM) return "projection is set (only GetItem takes a projection expression)";
    if (r->condition && op == OLOCK_OP_GET_ITEM) return "condition is set (GetItem takes no condition expression)";
    if (r->consistent_read && op != OLOCK_OP_GET_ITEM) return "consistent_read is set (only GetItem takes it)";
    if (op == OLOCK_OP_GET_ITEM && (r->return_values || r->return_values_on_condition_check_failure))
        return "return_values or return_values_on_condition_check_failure is set (GetItem takes no return values)";
    if (r->return_values_on_condition_check_failure > OLOCK_RV_ALL_OLD)
        return "return_values_on_condition_check_failure is not NONE or ALL_OLD";
    if ((unsigned)r->return_values > OLOCK_RV_UPDATED_NEW) return "return_values is not an olock_return_values";
    return NULL;
}

/* The members shared by single-item requests and transaction actions. The values go last: they
   are what changes from one write of an item to the next (a versioned write's own version
   values always do), and SigV4 resumes the body's hash after the 64-byte blocks a body shares
   with the one before it (>>sigv4), so the later they start the fewer blocks are hashed. */
static void olock__jw_item_members(olock__jw *w, olock_op op, const olock_item_request *r, int in_txn, size_t *values_at) {
    olock__jw_str(w, OLOCK__JW_NAME("TableName"), r->table);
    if (op == OLOCK_OP_PUT_ITEM) olock__jw_map(w, OLOCK__JW_NAME("Item"), r->item);
    else olock__jw_map(w, OLOCK__JW_NAME("Key"), r->key);
    olock__jw_str(w, OLOCK__JW_NAME("ProjectionExpression"), r->projection);
    olock__jw_str(w, OLOCK__JW_NAME("UpdateExpression"), r->update);
    olock__jw_str(w, OLOCK__JW_NAME("ConditionExpression"), r->condition);
    olock__jw_names(w, r->names);
    if (r->consistent_read) olock__jw_bool(w, OLOCK__JW_NAME("ConsistentRead"), 1);
    if (!in_txn) olock__jw_str(w, OLOCK__JW_NAME("ReturnValues"), olock__rv_name(r->return_values));
    olock__jw_str(w, OLOCK__JW_NAME("ReturnValuesOnConditionCheckFailure"), olock__rv_name(r->return_values_on_condition_check_failure));
    if (values_at) *values_at = w->b->len;
    olock__jw_map(w, OLOCK__JW_NAME("ExpressionAttributeValues"), r->values);
}

/* olock_encode_item_request, and where in body its values member begins (*values_at: the
   body's length before it, the comma included in what follows). */
static olock_result olock__encode_item_request_at(olock_op op, const olock_item_request *r, olock_buf *body, size_t *values_at,
                                                  olock_error *err) {
    olock__jw w;
    size_t mark;
    const char *misuse;
    olock__error_clear(err);
    if (!r) return olock__null_arg(err, "olock_encode_item_request", "r");
    if (!body) return olock__null_arg(err, "olock_encode_item_request", "body");
    if (op != OLOCK_OP_GET_ITEM && op != OLOCK_OP_PUT_ITEM && op != OLOCK_OP_UPDATE_ITEM && op != OLOCK_OP_DELETE_ITEM)
        return olock__invalid_arg(err, "olock_encode_item_request: op is not GetItem, PutItem, UpdateItem or DeleteItem");
    misuse = olock__item_request_misuse(op, r);
    if (misuse) return olock__invalid_arg(err, "olock_encode_item_request: r->%s", misuse);
    mark = olock__jw_begin(&w, body);
    olock__jw_item_members(&w, op, r, 0, values_at);
    return olock__jw_end(&w, mark, err);
}

OLOCK_API olock_result olock_encode_item_request(olock_op op, const olock_item_request *r, olock_buf *body, olock_error *err) {
    return olock__encode_item_request_at(op, r, body, NULL, err);
}

/* Completes a body that holds an item request up to its values member (the piece before
   *values_at of olock__encode_item_request_at, a TableName at least): the values member and
   the closing brace, as olock_encode_item_request writes them; on failure the body is cut
   back to empty, as olock_encode_item_request leaves it. */
static olock_result olock__encode_values_after(const olock_value *values, olock_buf *body, olock_error *err) {
    olock__jw w;
    olock__error_clear(err);
    w.b = body;
    w.r = OLOCK_OK;
    w.need_comma = 1;
    olock__jw_map(&w, OLOCK__JW_NAME("ExpressionAttributeValues"), values);
    return olock__jw_end(&w, 0, err);
}

OLOCK_API olock_result olock_encode_transact_write(const olock_txn_action *actions, size_t count,
                                                   const char *client_request_token, olock_buf *body, olock_error *err) {
    static const char *const kinds[] = { NULL, "Put", "Update", "Delete", "ConditionCheck" };
    static const olock_op ops[] = { (olock_op)0, OLOCK_OP_PUT_ITEM, OLOCK_OP_UPDATE_ITEM, OLOCK_OP_DELETE_ITEM, OLOCK_OP_DELETE_ITEM };
    olock__jw w;
    size_t i, mark;
    olock_result rc = olock__encode_array_args(err, "olock_encode_transact_write", body, actions, "actions", count);
    if (rc != OLOCK_OK) return rc;
    for (i = 0; i < count; i++) {
        const olock_txn_action *a = &actions[i];
        const char *misuse;
        if (a->kind < OLOCK_TXN_PUT || a->kind > OLOCK_TXN_CONDITION_CHECK) {
            olock__invalid_arg(err, "olock_encode_transact_write: action %u: kind is not an olock_txn_kind", (unsigned)i);
            if (err) err->offset = i;
            return OLOCK_ERR_INVALID_ARG;
        }
        misuse = olock__item_request_misuse(ops[a->kind], &a->req);
        if (!misuse && a->req.return_values) misuse = "return_values is set (transaction actions take none)";
        if (!misuse && a->kind == OLOCK_TXN_CONDITION_CHECK && !a->req.condition) misuse = "condition is NULL (a condition check needs one)";
        if (misuse) return olock__invalid_arg(err, "olock_encode_transact_write: action %u: req.%s", (unsigned)i, misuse);
    }
    mark = olock__jw_begin(&w, body);
    olock__jw_name(&w, OLOCK__JW_NAME("TransactItems"));
    olock__jw_open(&w, '[');
    for (i = 0; i < count; i++) {
        olock__jw_elem(&w);
        olock__jw_open(&w, '{');
        olock__jw_name(&w, kinds[actions[i].kind], strlen(kinds[actions[i].kind]));
        olock__jw_open(&w, '{');
        olock__jw_item_members(&w, ops[actions[i].kind], &actions[i].req, 1, NULL);
        olock__jw_close(&w, '}');
        olock__jw_close(&w, '}');
    }
    olock__jw_close(&w, ']');
    olock__jw_str(&w, OLOCK__JW_NAME("ClientRequestToken"), client_request_token);
    return olock__jw_end(&w, mark, err);
}

OLOCK_API olock_result olock_encode_transact_get(const olock_item_request *gets, size_t count, olock_buf *body, olock_error *err) {
    olock__jw w;
    size_t i, mark;
    olock_result rc = olock__encode_array_args(err, "olock_encode_transact_get", body, gets, "gets", count);
    if (rc != OLOCK_OK) return rc;
    for (i = 0; i < count; i++) {
        const char *misuse = olock__item_request_misuse(OLOCK_OP_GET_ITEM, &gets[i]);
        if (!misuse && gets[i].consistent_read) misuse = "consistent_read is set (TransactGetItems reads are always consistent)";
        if (misuse) return olock__invalid_arg(err, "olock_encode_transact_get: get %u: %s", (unsigned)i, misuse);
    }
    mark = olock__jw_begin(&w, body);
    olock__jw_name(&w, OLOCK__JW_NAME("TransactItems"));
    olock__jw_open(&w, '[');
    for (i = 0; i < count; i++) {
        olock__jw_elem(&w);
        olock__jw_open(&w, '{');
        olock__jw_name(&w, OLOCK__JW_NAME("Get"));
        olock__jw_open(&w, '{');
        olock__jw_item_members(&w, OLOCK_OP_GET_ITEM, &gets[i], 1, NULL);
        olock__jw_close(&w, '}');
        olock__jw_close(&w, '}');
    }
    olock__jw_close(&w, ']');
    return olock__jw_end(&w, mark, err);
}

OLOCK_API olock_result olock_encode_batch_get(const olock_batch_get_table *tables, size_t count, olock_buf *body, olock_error *err) {
    olock__jw w;
    size_t i, k, mark;
    olock_result rc = olock__encode_array_args(err, "olock_encode_batch_get", body, tables, "tables", count);
    if (rc != OLOCK_OK) return rc;
    for (i = 0; i < count; i++)
        if (!tables[i].table || !*tables[i].table || (!tables[i].keys && tables[i].key_count))
            return olock__fail_at(err, OLOCK_ERR_INVALID_ARG, i, "olock_encode_batch_get: each table needs a name and its keys");
    mark = olock__jw_begin(&w, body);
    olock__jw_name(&w, OLOCK__JW_NAME("RequestItems"));
    olock__jw_open(&w, '{');
    for (i = 0; i < count; i++) {
        const olock_batch_get_table *t = &tables[i];
        olock__jw_key(&w, t->table, strlen(t->table));
        olock__jw_open(&w, '{');
        olock__jw_name(&w, OLOCK__JW_NAME("Keys"));
        olock__jw_open(&w, '[');
        for (k = 0; k < t->key_count; k++) {
            olock__jw_elem(&w);
            if (w.r == OLOCK_OK) w.r = olock__write_attr_map(t->keys[k], w.b);
        }
        olock__jw_close(&w, ']');
        olock__jw_str(&w, OLOCK__JW_NAME("ProjectionExpression"), t->projection);
        olock__jw_names(&w, t->names);
        if (t->consistent_read) olock__jw_bool(&w, OLOCK__JW_NAME("ConsistentRead"), 1);
        olock__jw_close(&w, '}');
    }
    olock__jw_close(&w, '}');
    return olock__jw_end(&w, mark, err);
}

OLOCK_API olock_result olock_encode_batch_write(const olock_batch_write_entry *entries, size_t count, olock_buf *body, olock_error *err) {
    olock__jw w;
    size_t i, k, mark;
    olock_result rc = olock__encode_array_args(err, "olock_encode_batch_write", body, entries, "entries", count);
    if (rc != OLOCK_OK) return rc;
    for (i = 0; i < count; i++)
        if (!entries[i].table || !*entries[i].table || !entries[i].put_item == !entries[i].delete_key)
            return olock__fail_at(err, OLOCK_ERR_INVALID_ARG, i, "olock_encode_batch_write: each entry needs a table and exactly one of put_item and delete_key");
    mark = olock__jw_begin(&w, body);
    olock__jw_name(&w, OLOCK__JW_NAME("RequestItems"));
    olock__jw_open(&w, '{');
    /* Group entries by table, keeping first-appearance order of tables and entries. */
    for (i = 0; i < count; i++) {
        int seen = 0;
        for (k = 0; k < i && !seen; k++) seen = strcmp(entries[k].table, entries[i].table) == 0;
        if (seen) continue;
        olock__jw_key(&w, entries[i].table, strlen(entries[i].table));
        olock__jw_open(&w, '[');
        for (k = i; k < count; k++) {
            const olock_batch_write_entry *e = &entries[k];
            if (strcmp(e->table, entries[i].table) != 0) continue;
            olock__jw_elem(&w);
            olock__jw_open(&w, '{');
            if (e->put_item) olock__jw_name(&w, OLOCK__JW_NAME("PutRequest"));
            else olock__jw_name(&w, OLOCK__JW_NAME("DeleteRequest"));
            olock__jw_open(&w, '{');
            if (e->put_item) olock__jw_map(&w, OLOCK__JW_NAME("Item"), e->put_item);
            else olock__jw_map(&w, OLOCK__JW_NAME("Key"), e->delete_key);
            olock__jw_close(&w, '}');
            olock__jw_close(&w, '}');
        }
        olock__jw_close(&w, ']');
    }
    olock__jw_close(&w, '}');
    return olock__jw_end(&w, mark, err);
}

OLOCK_API olock_result olock_encode_query(olock_op op, const olock_query_request *r, olock_buf *body, olock_error *err) {
    olock__jw w;
    size_t mark;
    olock__error_clear(err);
    if (!r) return olock__null_arg(err, "olock_encode_query", "r");
    if (!body) return olock__null_arg(err, "olock_encode_query", "body");
    if (op != OLOCK_OP_QUERY && op != OLOCK_OP_SCAN) return olock__invalid_arg(err, "olock_encode_query: op is not Query or Scan");
    if (!r->table || !*r->table) return olock__invalid_arg(err, "olock_encode_query: r->table is NULL or empty (the table name is required)");
    if (op == OLOCK_OP_QUERY && !r->key_condition) return olock__invalid_arg(err, "olock_encode_query: r->key_condition is NULL (Query needs a key condition)");
    if (op == OLOCK_OP_SCAN && (r->key_condition || r->scan_backward))
        return olock__invalid_arg(err, "olock_encode_query: r->key_condition or r->scan_backward is set (Scan takes no key condition and no scan direction)");
    mark = olock__jw_begin(&w, body);
    olock__jw_str(&w, OLOCK__JW_NAME("TableName"), r->table);
    olock__jw_str(&w, OLOCK__JW_NAME("IndexName"), r->index);
    olock__jw_str(&w, OLOCK__JW_NAME("KeyConditionExpression"), r->key_condition);
    olock__jw_str(&w, OLOCK__JW_NAME("FilterExpression"), r->filter);
    olock__jw_str(&w, OLOCK__JW_NAME("ProjectionExpression"), r->projection);
    olock__jw_names(&w, r->names);
    olock__jw_map(&w, OLOCK__JW_NAME("ExpressionAttributeValues"), r->values);
    if (r->consistent_read) olock__jw_bool(&w, OLOCK__JW_NAME("ConsistentRead"), 1);
    if (r->scan_backward) olock__jw_bool(&w, OLOCK__JW_NAME("ScanIndexForward"), 0);
    if (r->limit) olock__jw_u64(&w, OLOCK__JW_NAME("Limit"), r->limit);
    olock__jw_map(&w, OLOCK__JW_NAME("ExclusiveStartKey"), r->exclusive_start_key);
    return olock__jw_end(&w, mark, err);
}

static void olock__jw_key_attr(olock__jw *w, const char *name, olock_type t, int as_schema, const char *role) {
    olock__jw_elem(w);
    olock__jw_open(w, '{');
    olock__jw_str(w, OLOCK__JW_NAME("AttributeName"), name);
    if (as_schema) olock__jw_str(w, OLOCK__JW_NAME("KeyType"), role);
    else olock__jw_str(w, OLOCK__JW_NAME("AttributeType"), olock_type_name(t));
    olock__jw_close(w, '}');
}

OLOCK_API olock_result olock_encode_create_table(const olock_create_table_request *r, olock_buf *body, olock_error *err) {
    olock__jw w;
    size_t mark;
    int pass;
    olock__error_clear(err);
    if (!r) return olock__null_arg(err, "olock_encode_create_table", "r");
    if (!body) return olock__null_arg(err, "olock_encode_create_table", "body");
    if (!r->table || !*r->table || !r->hash_key || !*r->hash_key)
        return olock__invalid_arg(err, "olock_encode_create_table: r->%s is NULL or empty (table name and hash key are required)",
                                  !r->table || !*r->table ? "table" : "hash_key");
    if ((r->hash_type != OLOCK_TYPE_S && r->hash_type != OLOCK_TYPE_N && r->hash_type != OLOCK_TYPE_B) ||
        (r->range_key && r->range_type != OLOCK_TYPE_S && r->range_type != OLOCK_TYPE_N && r->range_type != OLOCK_TYPE_B))
        return olock__invalid_arg(err, "olock_encode_create_table: r->%s is not S, N or B (key attributes must be of type S, N or B)",
                                  r->hash_type != OLOCK_TYPE_S && r->hash_type != OLOCK_TYPE_N && r->hash_type != OLOCK_TYPE_B ? "hash_type" : "range_type");
    if (!r->read_capacity != !r->write_capacity)
        return olock__invalid_arg(err, "olock_encode_create_table: r->%s is 0 (give both read and write capacity, or neither)",
                                  r->read_capacity ? "write_capacity" : "read_capacity");
    mark = olock__jw_begin(&w, body);
    olock__jw_str(&w, OLOCK__JW_NAME("TableName"), r->table);
    for (pass = 0; pass < 2; pass++) {
        if (pass) olock__jw_name(&w, OLOCK__JW_NAME("KeySchema"));
        else olock__jw_name(&w, OLOCK__JW_NAME("AttributeDefinitions"));
        olock__jw_open(&w, '[');
        olock__jw_key_attr(&w, r->hash_key, r->hash_type, pass, "HASH");
        if (r->range_key) olock__jw_key_attr(&w, r->range_key, r->range_type, pass, "RANGE");
        olock__jw_close(&w, ']');
    }
    if (r->read_capacity) {
        olock__jw_str(&w, OLOCK__JW_NAME("BillingMode"), "PROVISIONED");
        olock__jw_name(&w, OLOCK__JW_NAME("ProvisionedThroughput"));
        olock__jw_open(&w, '{');
        olock__jw_u64(&w, OLOCK__JW_NAME("ReadCapacityUnits"), r->read_capacity);
        olock__jw_u64(&w, OLOCK__JW_NAME("WriteCapacityUnits"), r->write_capacity);
        olock__jw_close(&w, '}');
    } else {
        olock__jw_str(&w, OLOCK__JW_NAME("BillingMode"), "PAY_PER_REQUEST");
    }
    return olock__jw_end(&w, mark, err);
}

OLOCK_API olock_result olock_encode_table_op(olock_op op, const char *table, olock_buf *body, olock_error *err) {
    olock__jw w;
    size_t mark;
    olock__error_clear(err);
    if (!body) return olock__null_arg(err, "olock_encode_table_op", "body");
    if (op != OLOCK_OP_DESCRIBE_TABLE && op != OLOCK_OP_DELETE_TABLE && op != OLOCK_OP_LIST_TABLES)
        return olock__invalid_arg(err, "olock_encode_table_op: op is not DescribeTable, DeleteTable or ListTables");
    if (op != OLOCK_OP_LIST_TABLES && (!table || !*table))
        return olock__invalid_arg(err, "olock_encode_table_op: table is NULL or empty (the table name is required)");
    mark = olock__jw_begin(&w, body);
    if (op == OLOCK_OP_LIST_TABLES) olock__jw_str(&w, OLOCK__JW_NAME("ExclusiveStartTableName"), table);
    else olock__jw_str(&w, OLOCK__JW_NAME("TableName"), table);
    return olock__jw_end(&w, mark, err);
}

/* ---- error classes ---------------------------------------------------------------------------- */

static int olock__in_list(const char *s, const char *const *list) {
    for (; *list; list++)
        if (strcmp(s, *list) == 0) return 1;
    return 0;
}

OLOCK_API olock_error_class olock_classify_error(int http_status, const char *aws_type) {
    static const char *const throttling[] = {
        "ProvisionedThroughputExceededException", "ThrottlingException", "RequestLimitExceeded",
        "LimitExceededException", "Throttling", "TooManyRequestsException", NULL
    };
    static const char *const transient[] = {
        "InternalServerError", "InternalFailure", "ServiceUnavailable", "ServiceUnavailableException",
        "TransactionInProgressException", "TransactionConflictException", NULL
    };
    if (aws_type && *aws_type) {
        if (strcmp(aws_type, "ConditionalCheckFailedException") == 0) return OLOCK_CLASS_CONFLICT;
        if (olock__in_list(aws_type, throttling)) return OLOCK_CLASS_THROTTLING;
        if (olock__in_list(aws_type, transient)) return OLOCK_CLASS_TRANSIENT;
        /* TransactionCanceledException is classified from its reasons by the decoder. */
        if (http_status >= 500) return OLOCK_CLASS_TRANSIENT;
        return OLOCK_CLASS_FATAL;
    }
    if (http_status == 500 || http_status == 502 || http_status == 503 || http_status == 504) return OLOCK_CLASS_TRANSIENT;
    if (http_status == 429) return OLOCK_CLASS_THROTTLING;
    if (http_status >= 200 && http_status < 300) return OLOCK_CLASS_NONE;
    return OLOCK_CLASS_FATAL;
}

OLOCK_API olock_error_class olock_classify_cancellation(const olock_cancel_reason *reasons, size_t count) {
    size_t i;
    int retryable = 0;
    for (i = 0; i < count; i++) {
        const char *c = reasons[i].code;
        if (!c) continue;
        if (strcmp(c, "ConditionalCheckFailed") == 0) return OLOCK_CLASS_CONFLICT;
        if (strcmp(c, "TransactionConflict") == 0 || strcmp(c, "ThrottlingError") == 0 ||
            strcmp(c, "ProvisionedThroughputExceeded") == 0)
            retryable = 1;
    }
    return retryable ? OLOCK_CLASS_TRANSIENT : OLOCK_CLASS_FATAL;
}

OLOCK_API olock_result olock_class_result(olock_error_class c) {
    switch (c) {
    case OLOCK_CLASS_NONE: return OLOCK_OK;
    case OLOCK_CLASS_CONFLICT: return OLOCK_CONFLICT;
    case OLOCK_CLASS_THROTTLING: return OLOCK_ERR_THROTTLED;
    case OLOCK_CLASS_TRANSIENT: return OLOCK_ERR_TRANSIENT;
    case OLOCK_CLASS_FATAL: break;
    }
    return OLOCK_ERR_SERVICE;
}

/* ---- response decoding ---------------------------------------------------------------------- */

static olock_result olock__resp_fail(olock_error *err, const olock_json *at, const char *msg) {
    return olock__fail_at(err, OLOCK_ERR_RESPONSE, at ? at->offset : 0, msg);
}

/* An optional member that must be an object of attribute values when present. */
static olock_result olock__resp_map(olock_arena *a, const olock_json *body, const char *key,
                                    const olock_value **out, olock_error *err) {
    const olock_json *j = olock_json_get(body, key);
    olock_value *v;
    olock_result r;
    if (!j) return OLOCK_OK;
    if (j->kind != OLOCK_JSON_OBJECT) return olock__resp_fail(err, j, "attribute map expected in response");
    r = olock_map_from_json(a, j, &v, err);
    if (r != OLOCK_OK) return r;
    *out = v;
    return OLOCK_OK;
}

static olock_result olock__resp_u64(const olock_json *body, const char *key, uint64_t *out, olock_error *err) {
    const olock_json *j = olock_json_get(body, key);
    if (!j) return OLOCK_OK;
    if (j->kind != OLOCK_JSON_NUMBER || !olock__u64_parse(j->str, j->len, out))
        return olock__resp_fail(err, j, "count expected in response");
    return OLOCK_OK;
}

/* Items of a JSON array of attribute maps (Query Items) or of {"Item":{...}} wrappers
   (TransactGetItems Responses); a wrapper without Item gives a NULL entry. */
static olock_result olock__resp_item_array(olock_arena *a, const olock_json *arr, int wrapped, const char *table,
                                           olock_response *out, olock_error *err) {
    const olock_json *m;
    const olock_value **items;
    const char **tables;
    size_t n = out->item_count + arr->count, i = out->item_count;
    if (arr->kind != OLOCK_JSON_ARRAY) return olock__resp_fail(err, arr, "array of items expected in response");
    items = (const olock_value **)olock_arena_alloc(a, sizeof *items * (n ? n : 1));
    tables = (const char **)olock_arena_alloc(a, sizeof *tables * (n ? n : 1));
    if (!items || !tables) return olock__fail_at(err, OLOCK_ERR_NOMEM, 0, "out of memory");
    if (out->item_count) {
        memcpy(items, out->items, sizeof *items * out->item_count);
        memcpy(tables, out->item_tables, sizeof *tables * out->item_count);
    }
    for (m = arr->first; m; m = m->next, i++) {
        const olock_json *obj = m;
        olock_value *v = NULL;
        olock_result r;
        if (m->kind != OLOCK_JSON_OBJECT) return olock__resp_fail(err, m, "item expected in response");
        if (wrapped) obj = olock_json_get(m, "Item");
        if (obj) {
            if (obj->kind != OLOCK_JSON_OBJECT) return olock__resp_fail(err, obj, "item expected in response");
            r = olock_map_from_json(a, obj, &v, err);
            if (r != OLOCK_OK) return r;
        }
        items[i] = v;
        tables[i] = table;
    }
    out->items = items;
    out->item_tables = tables;
    out->item_count = n;
    return OLOCK_OK;
}

/* The member holding the item in an item operation's answer, or NULL for other operations. */
static const char *olock__item_member(olock_op op) {
    switch (op) {
    case OLOCK_OP_GET_ITEM: return "Item";
    case OLOCK_OP_PUT_ITEM:
    case OLOCK_OP_UPDATE_ITEM:
    case OLOCK_OP_DELETE_ITEM: return "Attributes";
    default: return NULL;
    }
}

static olock_result olock__decode_success(olock_arena *a, olock_op op, const olock_json *body,
                                          olock_response *out, olock_error *err) {
    const olock_json *j, *t;
    const char *member = olock__item_member(op);
    olock_result r = OLOCK_OK;
    if (member) return olock__resp_map(a, body, member, &out->item, err);
    switch (op) {
    case OLOCK_OP_QUERY:
    case OLOCK_OP_SCAN:
        j = olock_json_get(body, "Items");
        if (j) r = olock__resp_item_array(a, j, 0, NULL, out, err);
        if (r == OLOCK_OK) r = olock__resp_u64(body, "Count", &out->count, err);
        if (r == OLOCK_OK) r = olock__resp_u64(body, "ScannedCount", &out->scanned_count, err);
        if (r == OLOCK_OK) r = olock__resp_map(a, body, "LastEvaluatedKey", &out->last_evaluated_key, err);
        return r;
    case OLOCK_OP_TRANSACT_GET_ITEMS:
        j = olock_json_get(body, "Responses");
        return j ? olock__resp_item_array(a, j, 1, NULL, out, err) : OLOCK_OK;
    case OLOCK_OP_BATCH_GET_ITEM:
        j = olock_json_get(body, "Responses");
        if (j) {
            if (j->kind != OLOCK_JSON_OBJECT) return olock__resp_fail(err, j, "Responses must be an object");
            for (t = j->first; t && r == OLOCK_OK; t = t->next) r = olock__resp_item_array(a, t, 0, t->key, out, err);
        }
        j = olock_json_get(body, "UnprocessedKeys");
        out->has_unprocessed = j && j->kind == OLOCK_JSON_OBJECT && j->count > 0;
        return r;
    case OLOCK_OP_BATCH_WRITE_ITEM:
        j = olock_json_get(body, "UnprocessedItems");
        out->has_unprocessed = j && j->kind == OLOCK_JSON_OBJECT && j->count > 0;
        return OLOCK_OK;
    default:
        return OLOCK_OK; /* table operations: the caller reads out->json */
    }
}

static olock_result olock__decode_reasons(olock_arena *a, const olock_json *arr, olock_response *out, olock_error *err) {
    olock_cancel_reason *rs;
    const olock_json *m;
    size_t i = 0;
    if (arr->kind != OLOCK_JSON_ARRAY) return olock__resp_fail(err, arr, "CancellationReasons must be an array");
    rs = (olock_cancel_reason *)olock_arena_alloc(a, sizeof *rs * (arr->count ? arr->count : 1));
    if (!rs) return olock__fail_at(err, OLOCK_ERR_NOMEM, 0, "out of memory");
    for (m = arr->first; m; m = m->next, i++) {
        const olock_json *code, *msg;
        const olock_value *item = NULL;
        olock_result r;
        if (m->kind != OLOCK_JSON_OBJECT) return olock__resp_fail(err, m, "cancellation reason must be an object");
        code = olock_json_get(m, "Code");
        msg = olock_json_get(m, "Message");
        if (code && code->kind != OLOCK_JSON_STRING) return olock__resp_fail(err, code, "Code must be a string");
        if (msg && msg->kind != OLOCK_JSON_STRING && msg->kind != OLOCK_JSON_NULL) return olock__resp_fail(err, msg, "Message must be a string");
        r = olock__resp_map(a, m, "Item", &item, err);
        if (r != OLOCK_OK) return r;
        rs[i].code = code ? code->str : NULL;
        rs[i].message = msg && msg->kind == OLOCK_JSON_STRING ? msg->str : NULL;
        rs[i].item = item;
    }
    out->reasons = rs;
    out->reason_count = i;
    return OLOCK_OK;
}

static olock_result olock__decode_error(olock_arena *a, int status, const olock_json *body,
                                        olock_response *out, olock_error *err) {
    const olock_json *type = body ? olock_json_get(body, "__type") : NULL;
    const olock_json *msg = NULL, *j;
    olock_result r = OLOCK_OK;
    if (body) {
        msg = olock_json_get(body, "message");
        if (!msg) msg = olock_json_get(body, "Message");
    }
    if (type && type->kind == OLOCK_JSON_STRING) {
        const char *hash = (const char *)memchr(type->str, '#', type->len);
        out->error_type = hash ? hash + 1 : type->str;
    }
    if (msg && msg->kind == OLOCK_JSON_STRING) out->error_message = msg->str;
    out->error_class = olock_classify_error(status, out->error_type);
    if (!body) return OLOCK_OK;
    if (out->error_type && strcmp(out->error_type, "ConditionalCheckFailedException") == 0)
        r = olock__resp_map(a, body, "Item", &out->item, err);
    j = olock_json_get(body, "CancellationReasons");
    if (r == OLOCK_OK && j) r = olock__decode_reasons(a, j, out, err);
    if (r == OLOCK_OK && out->error_type && strcmp(out->error_type, "TransactionCanceledException") == 0)
        out->error_class = olock_classify_cancellation(out->reasons, out->reason_count);
    return r;
}

OLOCK_API olock_result olock_response_decode(olock_arena *a, olock_op op, int http_status,
                                             const char *body, size_t len, olock_response *out, olock_error *err) {
    olock_json *j = NULL;
    olock_result r;
    olock_response res;
    olock__error_clear(err);
    if (!a) return olock__null_arg(err, "olock_response_decode", "a");
    if (!out) return olock__null_arg(err, "olock_response_decode", "out");
    if (!body && len) return olock__invalid_arg(err, "olock_response_decode: body is NULL and len is %lu", (unsigned long)len);
    memset(&res, 0, sizeof res);
    res.op = op;
    res.http_status = http_status;
    r = len ? olock_json_parse(a, body, len, NULL, &j, err) : OLOCK_ERR_PARSE;
    if (r == OLOCK_OK && j->kind != OLOCK_JSON_OBJECT) r = olock__resp_fail(err, j, "response body is not a JSON object");
    if (http_status >= 200 && http_status < 300) {
        if (r == OLOCK_ERR_PARSE && !len) r = olock__fail_at(err, OLOCK_ERR_RESPONSE, 0, "empty response body");
        if (r != OLOCK_OK) return r;
        res.json = j;
        r = olock__decode_success(a, op, j, &res, err);
    } else {
        /* A 5xx from a proxy or load balancer need not be JSON; it is still transient. */
        if (r != OLOCK_OK && r != OLOCK_ERR_NOMEM && http_status >= 500) {
            olock__error_clear(err);
            j = NULL;
            r = OLOCK_OK;
        }
        if (r != OLOCK_OK) return r;
        res.json = j;
        r = olock__decode_error(a, http_status, j, &res, err);
    }
    if (r != OLOCK_OK) return r;
    *out = res;
    return OLOCK_OK;
}

/* olock_response_decode for a 2xx answer to GetItem, PutItem, UpdateItem or DeleteItem whose
   body is {} or only the item (Item, Attributes): decoded in one pass, with out->json NULL,
   for a caller that reads out->item only (the engine, whose responses no one else sees). 0:
   not this way, with the arena holding what was decoded so far: reset it, then call
   olock_response_decode, which judges and reports as always. */
static int olock__response_decode_item(olock_arena *a, olock_op op, int http_status, const char *body, size_t len,
                                       olock_response *out) {
    olock_value *item = NULL;
    const char *member = olock__item_member(op);
    if (http_status < 200 || http_status >= 300 || !body || !member ||
        !olock__dd_member_map(a, body, len, member, strlen(member), &item))
        return 0;
    memset(out, 0, sizeof *out);
    out->op = op;
    out->http_status = http_status;
    out->item = item;
    return 1;
}
