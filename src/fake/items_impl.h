/* =============================================================================================
   >>items (implementation)
   ========================================================================================== */

/* ---- item operations: shared request checks ------------------------------------------------- */

/* ReturnValues values each operation accepts; 0 when absent. */
#define OLOCK__FAKE_RV_NONE 1
#define OLOCK__FAKE_RV_ALL_OLD 2
#define OLOCK__FAKE_RV_UPDATED_OLD 3
#define OLOCK__FAKE_RV_ALL_NEW 4
#define OLOCK__FAKE_RV_UPDATED_NEW 5

static int olock__fake_return_values(olock__fake_ctx *c, int allow_updates, int *out) {
    static const char *const names[] = { "NONE", "ALL_OLD", "UPDATED_OLD", "ALL_NEW", "UPDATED_NEW" };
    const char *s;
    size_t len, i;
    int r = olock__fake_get_str(c, c->body, "ReturnValues", &s, &len);
    *out = 0;
    if (r <= 0) return r;
    for (i = 0; i < 5; i++) {
        if (olock__fake_streq(s, len, names[i])) {
            if (!allow_updates && i > 1) break;
            *out = (int)i + 1;
            return 0;
        }
    }
    return olock__fake_verror(c, "Return values set to invalid value");
}

static int olock__fake_return_on_failure(olock__fake_ctx *c, int *all_old) {
    const char *s;
    size_t len;
    int r = olock__fake_get_str(c, c->body, "ReturnValuesOnConditionCheckFailure", &s, &len);
    *all_old = 0;
    if (r <= 0) return r;
    if (olock__fake_streq(s, len, "ALL_OLD")) {
        *all_old = 1;
        return 0;
    }
    if (olock__fake_streq(s, len, "NONE")) return 0;
    return olock__fake_verror(c, "1 validation error detected: Value '%.*s' at 'returnValuesOnConditionCheckFailure' failed to satisfy constraint: Member must satisfy enum value set: [ALL_OLD, NONE]",
                              (int)len, s);
}

/* 0: no ConsumedCapacity, 1: TOTAL, 2: INDEXES. GetItem and DeleteItem of DynamoDB Local
   take any other text as INDEXES, PutItem and UpdateItem ignore it (`lenient`). */
static int olock__fake_return_capacity(olock__fake_ctx *c, int lenient, int *out) {
    const char *s;
    size_t len;
    int r = olock__fake_get_str(c, c->body, "ReturnConsumedCapacity", &s, &len);
    *out = 0;
    if (r <= 0) return r;
    if (olock__fake_streq(s, len, "NONE")) return 0;
    if (olock__fake_streq(s, len, "TOTAL")) *out = 1;
    else if (lenient || olock__fake_streq(s, len, "INDEXES")) *out = 2;
    return 0;
}

static int olock__fake_put_units(olock__fake_ctx *c, uint64_t halves) {
    return olock__fake_put_u64(c, halves / 2) < 0 ? -1 : olock__fake_puts(c, halves % 2 ? ".5" : ".0");
}

/* Units in halves: a write costs 1 per KB (rounded up) of the larger of the item before and
   after, a read 1 per 4 KB of the whole item (half if eventually consistent), at least one
   block even when nothing was found. */
static uint64_t olock__fake_write_halves(size_t before, size_t after) {
    size_t size = before > after ? before : after;
    uint64_t blocks = (size + 1023) / 1024;
    return 2 * (blocks ? blocks : 1);
}

static uint64_t olock__fake_read_halves(size_t size, int consistent) {
    uint64_t blocks = (size + 4095) / 4096;
    if (!blocks) blocks = 1;
    return consistent ? 2 * blocks : blocks;
}

static int olock__fake_write_capacity(olock__fake_ctx *c, const olock__fake_table *t, int mode, uint64_t halves, int first) {
    if (!mode) return 0;
    if (olock__fake_puts(c, first ? "\"ConsumedCapacity\":{\"TableName\":" : ",\"ConsumedCapacity\":{\"TableName\":") < 0 ||
        olock__fake_put_str(c, t->name, t->name_len) < 0 || olock__fake_puts(c, ",\"CapacityUnits\":") < 0 ||
        olock__fake_put_units(c, halves) < 0)
        return -1;
    if (mode == 2 && (olock__fake_puts(c, ",\"Table\":{\"CapacityUnits\":") < 0 || olock__fake_put_units(c, halves) < 0 || olock__fake_puts(c, "}") < 0))
        return -1;
    return olock__fake_puts(c, "}");
}

/* A legacy (non-expression) parameter next to an expression one. */
static int olock__fake_mixed(olock__fake_ctx *c, const char *legacy, const char *expr) {
    return olock__fake_verror(c, "Can not use both expression and non-expression parameters in the same request: Non-expression parameters: {%s} Expression parameters: {%s}",
                              legacy, expr);
}

/* #name / :value keys: the marker and then one or more of [A-Za-z0-9_]. */
static int olock__fake_valid_placeholder(const char *s, size_t len, char marker) {
    size_t i;
    if (len < 2 || s[0] != marker) return 0;
    for (i = 1; i < len; i++)
        if (!olock__fake_is_word(s[i])) return 0;
    return 1;
}

/* Checks ExpressionAttributeNames and ExpressionAttributeValues and converts the values.
   `values_allowed` is 0 when the operation takes no value placeholders (GetItem). */
static int olock__fake_subst_init(olock__fake_ctx *c, olock__fake_subst *sub, int any_expr, int value_expr,
                                  const char *values_null, int values_allowed) {
    const olock_json *names = olock__fake_body_get(c, "ExpressionAttributeNames");
    const olock_json *values = values_allowed ? olock__fake_body_get(c, "ExpressionAttributeValues") : NULL;
    const olock_json *m;
    memset(sub, 0, sizeof(*sub));
    if ((names && names->kind != OLOCK_JSON_OBJECT) || (values && values->kind != OLOCK_JSON_OBJECT)) return olock__fake_shape(c);
    if (names && !any_expr) return olock__fake_verror(c, "ExpressionAttributeNames can only be specified when using expressions");
    if (values && !value_expr)
        return olock__fake_verror(c, "ExpressionAttributeValues can only be specified when using expressions: %s", values_null);
    if (names) {
        if (names->count == 0) return olock__fake_verror(c, "ExpressionAttributeNames must not be empty");
        for (m = names->first; m; m = m->next) {
            if (m->key_len > OLOCK__FAKE_MAX_JSON_NAME) return olock__fake_shape(c);
            if (m->key_len > OLOCK__FAKE_MAX_PLACEHOLDER)
                return olock__fake_verror(c, "ExpressionAttributeNames contains invalid key: The expression attribute map contains a key that is too long; size of key: %u",
                                          (unsigned)m->key_len);
            if (!olock__fake_valid_placeholder(m->key, m->key_len, '#'))
                return olock__fake_verror(c, "ExpressionAttributeNames contains invalid key: Syntax error; key: \"%.*s\"",
                                          (int)m->key_len, m->key);
            if (m->kind != OLOCK_JSON_STRING) return olock__fake_shape(c);
            if (m->len == 0)
                return olock__fake_verror(c, "ExpressionAttributeNames contains invalid value: Empty attribute name for key %.*s",
                                          (int)m->key_len, m->key);
            if (m->len > OLOCK__FAKE_MAX_NAME)
                return olock__fake_verror(c, "ExpressionAttributeNames contains invalid value: Attribute name is too large, must be less than 65536 bytes for key %.*s",
                                          (int)m->key_len, m->key);
        }
        sub->names = names;
        if (!(sub->name_used = (unsigned char *)olock__fake_alloc(c, names->count))) return -1;
        memset(sub->name_used, 0, names->count);
    }
    if (values) {
        if (values->count == 0) return olock__fake_verror(c, "ExpressionAttributeValues must not be empty");
        for (m = values->first; m; m = m->next) {
            if (m->key_len > OLOCK__FAKE_MAX_JSON_NAME) return olock__fake_shape(c);
            if (m->key_len > OLOCK__FAKE_MAX_PLACEHOLDER)
                return olock__fake_verror(c, "ExpressionAttributeValues contains invalid key: The expression attribute map contains a key that is too long;");
            if (!olock__fake_valid_placeholder(m->key, m->key_len, ':'))
                return olock__fake_verror(c, "ExpressionAttributeValues contains invalid key: Syntax error; key: \"%.*s\"",
                                          (int)m->key_len, m->key);
        }
        sub->values_json = values;
    }
    return 0;
}

/* Converts ExpressionAttributeValues (DynamoDB Local does it after checking the key). */
static int olock__fake_subst_values(olock__fake_ctx *c, olock__fake_subst *sub) {
    const olock_json *values = sub->values_json, *m;
    int r;
    if (values) {
        if (!(sub->values = olock__fake_newval(c->a, OLOCK_TYPE_M))) return olock__fake_oom(c);
        for (m = values->first; m; m = m->next) {
            olock_value *v;
            if (m->kind == OLOCK_JSON_NULL) return olock__fake_shape(c);
            c->keep_scale = 1;
            r = olock__fake_av(c, m, &v, 1);
            c->keep_scale = 0;
            if (r < 0) {
                /* DynamoDB Local wraps the value's own message */
                if (c->err_type && !c->oom) {
                    char *inner = c->err_msg;
                    c->err_type = NULL;
                    olock__fake_verror(c, "ExpressionAttributeValues contains invalid value: %s for key %.*s", inner,
                                       (int)m->key_len, m->key);
                }
                return -1;
            }
            v->key = m->key;
            v->key_len = m->key_len;
            olock__fake_append(sub->values, v);
        }
        if (!(sub->value_used = (unsigned char *)olock__fake_alloc(c, values->count))) return -1;
        memset(sub->value_used, 0, values->count);
    }
    return 0;
}

/* "Value provided in ExpressionAttribute... unused in expressions: keys: {#a, #b}" (sorted). */
static int olock__fake_unused_keys(olock__fake_ctx *c, const char *what, const char **keys, size_t *lens, size_t n) {
    olock_buf b;
    size_t i, j;
    for (i = 1; i < n; i++) { /* insertion sort by bytes */
        const char *k = keys[i];
        size_t l = lens[i];
        for (j = i; j > 0 && olock__fake_bytes_cmp(keys[j - 1], lens[j - 1], k, l, 0) > 0; j--) {
            keys[j] = keys[j - 1];
            lens[j] = lens[j - 1];
        }
        keys[j] = k;
        lens[j] = l;
    }
    olock_buf_init(&b, &c->f->alloc);
    for (i = 0; i < n; i++) {
        if ((i && olock_buf_append(&b, ", ", 2) != OLOCK_OK) || olock_buf_append(&b, keys[i], lens[i]) != OLOCK_OK) {
            olock_buf_free(&b);
            return olock__fake_oom(c);
        }
    }
    olock__fake_verror(c, "Value provided in %s unused in expressions: keys: {%.*s}", what, (int)b.len, b.data);
    olock_buf_free(&b);
    return -1;
}

/* Room for count keys and their lengths in the request's arena. */
static int olock__fake_key_arrays(olock__fake_ctx *c, size_t count, const char ***keys, size_t **lens) {
    *keys = (const char **)olock__fake_alloc(c, count * sizeof(**keys));
    *lens = (size_t *)olock__fake_alloc(c, count * sizeof(**lens));
    return *keys && *lens ? 0 : -1;
}

/* The names (an olock_json object) and the values (an olock_value map) chain their members the
   same way (key, key_len, next) but are two types: one loop, written once. */
#define OLOCK__FAKE_GATHER_UNUSED(list, used, m) \
    for (i = 0, (m) = (list)->first; (m); (m) = (m)->next, i++) \
        if (!(used)[i]) { \
            keys[n] = (m)->key; \
            lens[n++] = (m)->key_len; \
        }

static int olock__fake_subst_check_unused(olock__fake_ctx *c, const olock__fake_subst *sub) {
    const char **keys;
    size_t *lens, n = 0, i;
    /* the common case, everything used: nothing to gather */
    for (i = 0; sub->names && i < sub->names->count && sub->name_used[i]; i++) {}
    if (!sub->names || i == sub->names->count) {
        for (i = 0; sub->values && i < sub->values->count && sub->value_used[i]; i++) {}
        if (!sub->values || i == sub->values->count) return 0;
    }
    if (sub->names) {
        const olock_json *m;
        if (olock__fake_key_arrays(c, sub->names->count, &keys, &lens) < 0) return -1;
        OLOCK__FAKE_GATHER_UNUSED(sub->names, sub->name_used, m)
        if (n) return olock__fake_unused_keys(c, "ExpressionAttributeNames", keys, lens, n);
    }
    if (sub->values) {
        const olock_value *m;
        if (olock__fake_key_arrays(c, sub->values->count, &keys, &lens) < 0) return -1;
        OLOCK__FAKE_GATHER_UNUSED(sub->values, sub->value_used, m)
        if (n) return olock__fake_unused_keys(c, "ExpressionAttributeValues", keys, lens, n);
    }
    return 0;
}
#undef OLOCK__FAKE_GATHER_UNUSED

/* Checks a key attribute's value against the table's schema. */
static int olock__fake_check_key_value(olock__fake_ctx *c, const olock__fake_attr *k, const olock_value *v) {
    if (v->type != OLOCK_TYPE_S && v->type != OLOCK_TYPE_N && v->type != OLOCK_TYPE_B)
        return olock__fake_verror(c, "Invalid attribute value type");
    if (v->type != k->type) return olock__fake_verror(c, "One or more parameter values were invalid: Type mismatch for key");
    if (v->len == 0 && v->type != OLOCK_TYPE_N)
        return olock__fake_verror(c, "One or more parameter values are not valid. The AttributeValue for a key attribute cannot contain an empty %s value. Key: %s",
                                  v->type == OLOCK_TYPE_S ? "string" : "binary", k->name);
    return 0;
}

/* The key attributes of secondary indexes, where an item has them. `update`: 0 a put, 1 an
   update, 2 a BatchWriteItem put (which hands an item for a CREATING index back instead). */
static int olock__fake_check_index_keys(olock__fake_ctx *c, const olock__fake_table *t, const olock_value *item, int update) {
    size_t i, k;
    for (i = 0; i < t->index_count; i++) {
        const olock__fake_index *x = &t->indexes[i];
        /* DynamoDB Local fails (500) writing an item into an index it builds, and any item
           while it drops an index */
        if (x->status == OLOCK__FAKE_INDEX_DELETING) return olock__fake_shape(c);
        if (x->status == OLOCK__FAKE_INDEX_CREATING && update != 2) {
            for (k = 0; k < x->key_count && olock__fake_map_get(item, x->key[k].name, x->key[k].len); k++) {}
            if (k == x->key_count) return olock__fake_shape(c);
        }
        for (k = 0; k < x->key_count; k++) {
            const olock_value *v = olock__fake_map_get(item, x->key[k].name, x->key[k].len);
            if (!v) continue;
            /* a value no key can have is refused as such, before its type is compared */
            if (v->type != OLOCK_TYPE_S && v->type != OLOCK_TYPE_N && v->type != OLOCK_TYPE_B)
                return olock__fake_verror(c, "Invalid attribute value type");
            if (v->type != x->key[k].type)
                return olock__fake_verror(c, "One or more parameter values were invalid: Type mismatch for Index Key");
            if (v->len == 0 && v->type != OLOCK_TYPE_N) {
                const char *what = v->type == OLOCK_TYPE_S ? "string" : "binary";
                if (update == 1)
                    return olock__fake_verror(c, "One or more parameter values are not valid. The update expression attempted to update a secondary index key to a value that is not supported. The AttributeValue for a key attribute cannot contain an empty %s value.",
                                              what);
                return olock__fake_verror(c, "One or more parameter values are not valid. A value specified for a secondary index key is not supported. The AttributeValue for a key attribute cannot contain an empty %s value. IndexName: %s, IndexKey: %s",
                                          what, x->name, x->key[k].name);
            }
        }
    }
    return 0;
}

/* The key attributes of an Item (PutItem). */
static int olock__fake_item_key(olock__fake_ctx *c, const olock__fake_table *t, const olock_value *item,
                                const olock_value **hk, const olock_value **rk) {
    size_t i;
    const olock_value *v[2] = { NULL, NULL };
    for (i = 0; i < t->key_count; i++)
        if (!(v[i] = olock__fake_map_get(item, t->key[i].name, t->key[i].len)))
            return olock__fake_verror(c, "One of the required keys was not given a value");
    for (i = 0; i < t->key_count; i++)
        if (olock__fake_check_key_value(c, &t->key[i], v[i]) < 0) return -1;
    for (i = 0; i < t->key_count; i++)
        if (olock__fake_value_size(v[i]) > (i == 0 ? 2048u : 1024u))
            return olock__fake_verror(c, "Hash primary key values must be under 2048 bytes, and range primary key values must be under 1024 bytes");
    *hk = v[0];
    *rk = v[1];
    return 0;
}

/* The Key parameter of GetItem, DeleteItem and UpdateItem. */
static int olock__fake_request_key(olock__fake_ctx *c, const olock__fake_table *t, olock_value **key,
                                   const olock_value **hk, const olock_value **rk) {
    const olock_json *kj = olock__fake_body_get(c, "Key");
    if (!kj) return olock__fake_verror(c, "Cannot have null key for GetItem, DeleteItem, or UpdateItem");
    if (olock__fake_av_map(c, kj, key, 1) < 0) return -1;
    if ((*key)->count != t->key_count) return olock__fake_verror(c, "The number of conditions on the keys is invalid");
    return olock__fake_item_key(c, t, *key, hk, rk);
}

/* The stored item for a key (NULL when absent). */
static const olock_value *olock__fake_old_item(const olock__fake_table *t, const olock_value *hk, const olock_value *rk,
                                               olock__fake_entry **entry, olock__fake_part **part) {
    olock__fake_part *p = olock__fake_part_find(t, hk);
    olock__fake_entry *en = NULL;
    if (p) {
        int found;
        size_t i = olock__fake_entry_pos(p, rk, &found);
        if (found) en = &p->items[i];
    }
    if (entry) *entry = en;
    if (part) *part = p;
    return en ? en->item->root : NULL;
}

static int olock__fake_condition_failed(olock__fake_ctx *c, const olock_value *old, int all_old) {
    olock__fake_err(c, 400, OLOCK__FAKE_NS "ConditionalCheckFailedException", "%s", "The conditional request failed");
    if (all_old && old) c->err_item = old;
    return -1;
}

/* Stores an olock_item built by the request; destroys it when the store cannot take it. */
static int olock__fake_commit_item(olock__fake_ctx *c, olock__fake_table *t, const olock_value *hk, olock_item *it, size_t size) {
    olock__fake_part *p = olock__fake_part_reserve(c->f, t, hk, 1);
    if (!p) {
        olock__fake_item_drop(c->f, it);
        return olock__fake_oom(c);
    }
    olock__fake_store(c->f, t, p, it, size);
    return 0;
}

/* Copies a finished item into its own olock_item and stores it. */
static int olock__fake_commit(olock__fake_ctx *c, olock__fake_table *t, const olock_value *hk, const olock_value *item, size_t size) {
    olock_fake *f = c->f;
    olock__fake_part *p = olock__fake_part_reserve(f, t, hk, 1);
    olock_item *it = NULL;
    olock_value *root;
    if (!p) return olock__fake_oom(c);
    if (olock__fake_item_new(f, &it) != OLOCK_OK || !(root = olock__fake_copy(olock_item_arena(it), item))) {
        olock__fake_item_drop(f, it);
        olock__fake_part_drop_if_empty(f, t, p);
        return olock__fake_oom(c);
    }
    root->key = NULL;
    root->key_len = 0;
    it->root = root;
    olock__fake_store(f, t, p, it, size);
    return 0;
}

/* Compiles ConditionExpression when present (NULL with no error when absent). */
static int olock__fake_condition(olock__fake_ctx *c, olock__fake_subst *sub, olock__fake_expr **out) {
    const char *s;
    size_t len;
    int r = olock__fake_get_str(c, c->body, "ConditionExpression", &s, &len);
    *out = NULL;
    if (r <= 0) return r;
    return (*out = olock__fake_compile(c, sub, "ConditionExpression", s, len, OLOCK__FAKE_E_CONDITION)) ? 0 : -1;
}

/* 1 when a path of the subtree goes into top-level attribute `name` ("name.a", "name[0]"). */
static int olock__fake_goes_into(const olock__fake_node *n, const char *name, size_t len) {
    size_t i;
    if (n->kind == OLOCK__FAKE_N_PATH)
        return n->nels > 1 && n->els[0].name_len == len && memcmp(n->els[0].name, name, len) == 0;
    for (i = 0; i < n->nargs; i++)
        if (olock__fake_goes_into(n->args[i], name, len)) return 1;
    return 0;
}

/* 1 when the subtree has a path of two elements or more (one that can go into an attribute). */
static int olock__fake_has_deep(const olock__fake_node *n) {
    size_t i;
    if (n->kind == OLOCK__FAKE_N_PATH) return n->nels > 1;
    for (i = 0; i < n->nargs; i++)
        if (olock__fake_has_deep(n->args[i])) return 1;
    return 0;
}

/* The same for an expression, worked out once (a kept expression keeps the answer). */
static int olock__fake_expr_deep(olock__fake_expr *e) {
    size_t i;
    int deep = e->root && olock__fake_has_deep(e->root);
    for (i = 0; i < e->nacts && !deep; i++)
        deep = olock__fake_has_deep(e->acts[i].path) || (e->acts[i].value && olock__fake_has_deep(e->acts[i].value));
    for (i = 0; i < e->npaths && !deep; i++) deep = olock__fake_has_deep(e->paths[i]);
    if (!e->deep) e->deep = deep ? 2 : 1;
    return e->deep == 2;
}

static int olock__fake_expr_goes_into(const olock__fake_expr *e, const olock__fake_attr *k) {
    size_t i;
    if (e->root && olock__fake_goes_into(e->root, k->name, k->len)) return 1;
    for (i = 0; i < e->nacts; i++)
        if (olock__fake_goes_into(e->acts[i].path, k->name, k->len) ||
            (e->acts[i].value && olock__fake_goes_into(e->acts[i].value, k->name, k->len)))
            return 1;
    for (i = 0; i < e->npaths; i++)
        if (olock__fake_goes_into(e->paths[i], k->name, k->len)) return 1;
    return 0;
}

/* Key attributes are scalars: DynamoDB Local rejects any path into a key attribute of the
   table or of one of its indexes, whatever the expression. It looks for the table's hash and
   range key first, then the keys of the local and then of the global indexes, each kind in
   the HashMap order of the index names; NULL is fine for `e`. An expression whose paths are
   all top-level attributes goes into none. */
static int olock__fake_key_paths(olock__fake_ctx *c, const olock__fake_table *t, olock__fake_expr *e) {
    size_t i, k, m;
    int global;
    const olock__fake_index **in_order;
    if (!e || (e->deep ? e->deep == 1 : !olock__fake_expr_deep(e))) return 0;
    for (k = 0; k < t->key_count; k++)
        if (olock__fake_expr_goes_into(e, &t->key[k]))
            return olock__fake_verror(c, "Key attributes must be scalars; list random access '[]' and map lookup '.' are not allowed: Key: %s",
                                      t->key[k].name);
    for (global = 0; global < 2; global++) {
        if (olock__fake_indexes_in_order(c, t, global, &in_order, &m) < 0) return -1;
        for (i = 0; i < m; i++) {
            const olock__fake_index *x = in_order[i];
            for (k = 0; k < x->key_count; k++)
                if (olock__fake_expr_goes_into(e, &x->key[k]))
                    return olock__fake_verror(c, "Key attributes must be scalars; list random access '[]' and map lookup '.' are not allowed: IndexKey: %s",
                                              x->key[k].name);
        }
    }
    return 0;
}

/* ---- legacy parameters: Expected, AttributesToGet, AttributeUpdates --------------------------- */

/* Evaluates the pre-expression `Expected` map (ConditionalOperator AND or OR) on `old`:
   1 holds, 0 fails, -1 error. */
static int olock__fake_legacy_cond(olock__fake_ctx *c, const olock_json *exp, const olock_value *old);
static int olock__fake_expected(olock__fake_ctx *c, const olock_value *old) {
    return olock__fake_legacy_cond(c, olock__fake_body_get(c, "Expected"), old);
}

/* The same for any map of legacy conditions (Expected, QueryFilter, ScanFilter). */
static int olock__fake_legacy_cond(olock__fake_ctx *c, const olock_json *exp, const olock_value *old) {
    const olock_json *m;
    const char *cop;
    size_t clen;
    int use_or = 0, any = 0, all = 1, r;
    if (!exp) return 1;
    if (exp->kind != OLOCK_JSON_OBJECT) return olock__fake_shape(c);
    if ((r = olock__fake_get_str(c, c->body, "ConditionalOperator", &cop, &clen)) < 0) return -1;
    if (r && olock__fake_streq(cop, clen, "OR")) use_or = 1;
    for (m = exp->first; m; m = m->next) {
        const olock_value *v = old ? olock__fake_map_get(old, m->key, m->key_len) : NULL;
        const olock_json *val = olock__fake_get(m, "Value"), *list = olock__fake_get(m, "AttributeValueList"), *e;
        const olock_value *args[2] = { NULL, NULL };
        olock_value *x;
        const char *op;
        size_t oplen, nargs = 0;
        int exists = 1, has_exists, holds;
        if (m->kind != OLOCK_JSON_OBJECT) return olock__fake_shape(c);
        if ((has_exists = olock__fake_get_bool(c, m, "Exists", &exists)) < 0) return -1;
        if (!has_exists) exists = 1;
        if ((r = olock__fake_get_str(c, m, "ComparisonOperator", &op, &oplen)) < 0) return -1;
        if (r == 0) op = NULL;
        if (val) {
            if (olock__fake_av(c, val, &x, 1) < 0) return -1;
            args[0] = x;
            nargs = 1;
        }
        if (list && list->kind == OLOCK_JSON_ARRAY) {
            for (e = list->first; e && nargs < 2; e = e->next) {
                if (olock__fake_av(c, e, &x, 1) < 0) return -1;
                args[nargs++] = x;
            }
        }
        if (!op) holds = exists ? (v && args[0] && olock__fake_equal(v, args[0])) : v == NULL;
        else if (olock__fake_streq(op, oplen, "NULL")) holds = v == NULL;
        else if (olock__fake_streq(op, oplen, "NOT_NULL")) holds = v != NULL;
        else if (!args[0]) holds = 0;
        else if (olock__fake_streq(op, oplen, "EQ")) holds = v && olock__fake_equal(v, args[0]);
        else if (olock__fake_streq(op, oplen, "NE")) holds = !(v && olock__fake_equal(v, args[0]));
        else if (olock__fake_streq(op, oplen, "BEGINS_WITH"))
            holds = v && v->type == args[0]->type && (v->type == OLOCK_TYPE_S || v->type == OLOCK_TYPE_B) &&
                args[0]->len <= v->len && memcmp(v->str, args[0]->str, args[0]->len) == 0;
        else if (olock__fake_streq(op, oplen, "CONTAINS")) holds = v && olock__fake_contains(v, args[0]);
        else if (olock__fake_streq(op, oplen, "NOT_CONTAINS")) holds = v && !olock__fake_contains(v, args[0]);
        else if (olock__fake_streq(op, oplen, "IN")) {
            holds = 0;
            for (e = list ? list->first : NULL; e && v; e = e->next) {
                if (olock__fake_av(c, e, &x, 1) < 0) return -1;
                if (olock__fake_equal(v, x)) holds = 1;
            }
        } else if (!olock__fake_ordered(v, args[0])) holds = 0;
        else {
            int cmp = olock__fake_scalar_cmp(v, args[0]);
            if (olock__fake_streq(op, oplen, "LT")) holds = cmp < 0;
            else if (olock__fake_streq(op, oplen, "LE")) holds = cmp <= 0;
            else if (olock__fake_streq(op, oplen, "GT")) holds = cmp > 0;
            else if (olock__fake_streq(op, oplen, "GE")) holds = cmp >= 0;
            else if (olock__fake_streq(op, oplen, "BETWEEN"))
                holds = args[1] && olock__fake_ordered(v, args[1]) && cmp >= 0 && olock__fake_scalar_cmp(v, args[1]) <= 0;
            else return olock__fake_verror(c, "Comparison type does not exist in DynamoDB");
        }
        any |= holds;
        all &= holds;
    }
    return use_or ? any : all;
}

/* AttributesToGet: the named top-level attributes. */
static olock_value *olock__fake_attributes_to_get(olock__fake_ctx *c, const olock_value *item, const olock_json *names) {
    olock_value *out = olock__fake_newval(c->a, OLOCK_TYPE_M);
    const olock_json *n;
    if (!out) {
        c->oom = 1;
        return NULL;
    }
    if (names->kind != OLOCK_JSON_ARRAY) {
        olock__fake_shape(c);
        return NULL;
    }
    for (n = names->first; n; n = n->next) {
        const olock_value *v;
        olock_value *x;
        if (n->kind != OLOCK_JSON_STRING) {
            olock__fake_shape(c);
            return NULL;
        }
        if (!(v = olock__fake_map_get(item, n->str, n->len)) || olock__fake_map_get(out, n->str, n->len)) continue;
        if (!(x = olock__fake_copy(c->a, v))) {
            c->oom = 1;
            return NULL;
        }
        olock__fake_append(out, x);
    }
    return out;
}

/* AttributeUpdates, turned into the actions of an update expression so that the same code
   applies them: PUT is SET, DELETE without a value is REMOVE, ADD and DELETE stay. */
static olock__fake_expr *olock__fake_attribute_updates(olock__fake_ctx *c, const olock_json *au) {
    olock__fake_expr *e = (olock__fake_expr *)olock__fake_alloc(c, sizeof(*e));
    const olock_json *m;
    size_t n = 0;
    if (!e) return NULL;
    if (au->kind != OLOCK_JSON_OBJECT) {
        olock__fake_shape(c);
        return NULL;
    }
    memset(e, 0, sizeof(*e));
    e->c = c;
    e->what = "UpdateExpression";
    e->kind = OLOCK__FAKE_E_UPDATE;
    e->legacy = 1;
    if (!(e->acts = (olock__fake_action *)olock__fake_alloc(c, (au->count + 1) * sizeof(*e->acts)))) return NULL;
    for (m = au->first; m; m = m->next) {
        olock__fake_action *a = &e->acts[n];
        const olock_json *val = olock__fake_get(m, "Value");
        const char *act = "PUT";
        size_t alen = 3;
        olock_value *v = NULL;
        int r;
        if (m->kind != OLOCK_JSON_OBJECT) {
            olock__fake_shape(c);
            return NULL;
        }
        if ((r = olock__fake_get_str(c, m, "Action", &act, &alen)) < 0) return NULL;
        if (r == 0) {
            act = "PUT";
            alen = 3;
        }
        if (val) { /* kept as sent, like ExpressionAttributeValues */
            c->keep_scale = 1;
            r = olock__fake_av(c, val, &v, 1);
            c->keep_scale = 0;
            if (r < 0) return NULL;
        }
        memset(a, 0, sizeof(*a));
        if (!(a->path = (olock__fake_node *)olock__fake_alloc(c, sizeof(olock__fake_node)))) return NULL;
        memset(a->path, 0, sizeof(*a->path));
        if (!(a->path->els = (olock__fake_pel *)olock__fake_alloc(c, sizeof(olock__fake_pel)))) return NULL;
        memset(a->path->els, 0, sizeof(*a->path->els));
        a->path->kind = OLOCK__FAKE_N_PATH;
        a->path->nels = 1;
        a->path->els[0].name = m->key;
        a->path->els[0].name_len = m->key_len;
        if (olock__fake_streq(act, alen, "PUT")) a->clause = OLOCK__FAKE_T_SET;
        else if (olock__fake_streq(act, alen, "ADD")) a->clause = OLOCK__FAKE_T_ADD;
        else if (olock__fake_streq(act, alen, "DELETE")) a->clause = v ? OLOCK__FAKE_T_DELETE : OLOCK__FAKE_T_REMOVE;
        else {
            olock__fake_verror(c, "Member must satisfy enum value set: [ADD, DELETE, PUT]");
            return NULL;
        }
        if (a->clause != OLOCK__FAKE_T_REMOVE) {
            if (!v) {
                olock__fake_verror(c, "Only DELETE action is allowed when no attribute value is specified");
                return NULL;
            }
            if (!(a->value = (olock__fake_node *)olock__fake_alloc(c, sizeof(olock__fake_node)))) return NULL;
            memset(a->value, 0, sizeof(*a->value));
            a->value->kind = OLOCK__FAKE_N_VALUE;
            a->value->value = v;
        }
        n++;
    }
    e->nacts = n;
    return e;
}

/* ---- item operations ------------------------------------------------------------------------ */

static int olock__fake_op_get_item(olock__fake_ctx *c) {
    olock__fake_table *t;
    olock__fake_subst sub;
    olock__fake_expr *proj = NULL;
    olock_value *key;
    const olock_value *hk, *rk, *item;
    olock__fake_entry *en;
    const char *ps;
    size_t plen;
    int consistent = 0, cap, has_proj, r;
    if (!(t = olock__fake_request_table(c, 0)) && c->err_type) return -1;
    if ((has_proj = olock__fake_get_str(c, c->body, "ProjectionExpression", &ps, &plen)) < 0) return -1;
    if (has_proj && olock__fake_body_get(c, "AttributesToGet")) return olock__fake_mixed(c, "AttributesToGet", "ProjectionExpression");
    if (olock__fake_subst_init(c, &sub, has_proj, 0, "", 0) < 0) return -1;
    if (!t) return olock__fake_no_table(c);
    if ((r = olock__fake_get_bool(c, c->body, "ConsistentRead", &consistent)) < 0) return -1;
    if (olock__fake_return_capacity(c, 1, &cap) < 0) return -1;
    if (has_proj && !(proj = olock__fake_compile(c, &sub, "ProjectionExpression", ps, plen, OLOCK__FAKE_E_PROJECTION)))
        return -1;
    if (olock__fake_subst_check_unused(c, &sub) < 0) return -1;
    if (olock__fake_key_paths(c, t, proj) < 0) return -1;
    if (olock__fake_request_key(c, t, &key, &hk, &rk) < 0) return -1;
    item = olock__fake_old_item(t, hk, rk, &en, NULL);
    if (olock__fake_puts(c, "{") < 0) return -1;
    if (item) {
        const olock_json *atg = olock__fake_body_get(c, "AttributesToGet");
        const olock_value *out = proj ? olock__fake_project(c, item, proj)
            : atg                     ? olock__fake_attributes_to_get(c, item, atg)
                                      : item;
        if (!out || olock__fake_puts(c, "\"Item\":") < 0 || olock__fake_write_map(c, out) < 0) return -1;
    }
    if (olock__fake_write_capacity(c, t, cap, olock__fake_read_halves(item ? en->size : 0, consistent), item == NULL) < 0) return -1;
    return olock__fake_puts(c, "}");
}

/* The checks PutItem, UpdateItem and DeleteItem share, up to the table lookup. */
static int olock__fake_write_prelude(olock__fake_ctx *c, olock__fake_table **t, int allow_updates, int *rv, int *all_old,
                                     int *cap, int lenient) {
    if (!(*t = olock__fake_request_table(c, 0)) && c->err_type) return -1;
    if (olock__fake_return_values(c, allow_updates, rv) < 0) return -1;
    if (olock__fake_return_on_failure(c, all_old) < 0) return -1;
    return olock__fake_return_capacity(c, lenient, cap);
}

/* PutItem, UpdateItem and DeleteItem take either the legacy parameters or the expressions;
   DynamoDB Local names every one of each kind that was given, once the table is known. */
static int olock__fake_mixed_write(olock__fake_ctx *c, int allow_updates) {
    static const char *const legacy[] = { "AttributeUpdates", "Expected", "ConditionalOperator" };
    static const char *const expr[] = { "UpdateExpression", "ConditionExpression" };
    char l[64], x[64];
    size_t i, ll = 0, xl = 0;
    int has_legacy = 0;
    /* the common case has no legacy parameter: nothing to name, no formatting */
    for (i = allow_updates ? 0 : 1; i < 3 && !has_legacy; i++) has_legacy = olock__fake_body_get_n(c, c->body, legacy[i], strlen(legacy[i])) != NULL;
    if (!has_legacy) return 0;
    for (i = allow_updates ? 0 : 1; i < 3; i++)
        if (olock__fake_body_get_n(c, c->body, legacy[i], strlen(legacy[i])))
            ll += (size_t)snprintf(l + ll, sizeof(l) - ll, "%s%s", ll ? ", " : "", legacy[i]);
    for (i = allow_updates ? 0 : 1; i < 2; i++)
        if (olock__fake_body_get_n(c, c->body, expr[i], strlen(expr[i])))
            xl += (size_t)snprintf(x + xl, sizeof(x) - xl, "%s%s", xl ? ", " : "", expr[i]);
    return ll && xl ? olock__fake_mixed(c, l, x) : 0;
}

/* ConditionalOperator joins the members of a legacy Expected, QueryFilter or ScanFilter
   (`conds`, NULL when not given); an operator other than AND and OR fails in DynamoDB Local's
   JSON mapper. */
static int olock__fake_conditional_operator(olock__fake_ctx *c, const olock_json *conds) {
    const char *s;
    size_t len;
    int r = olock__fake_get_str(c, c->body, "ConditionalOperator", &s, &len);
    if (r <= 0) return r;
    if (!conds) return olock__fake_verror(c, "ConditionalOperator cannot be used without Filter or Expected");
    if (conds->kind == OLOCK_JSON_OBJECT && conds->count < 2)
        return olock__fake_verror(c, "ConditionalOperator can only be used when Filter or Expected has two or more elements");
    if (!olock__fake_streq(s, len, "AND") && !olock__fake_streq(s, len, "OR")) return olock__fake_shape(c);
    return 0;
}

/* A write's condition on the stored item `old` (NULL: absent), after the checks DynamoDB Local
   makes first (no path into a key attribute, ConditionalOperator): the expression's, else the
   legacy Expected map. 0 when it holds; -1 on an error or when it fails (then
   ConditionalCheckFailedException, with the item when all_old). */
static int olock__fake_write_condition(olock__fake_ctx *c, const olock__fake_table *t, olock__fake_expr *cond, const olock_value *old,
                                       int all_old) {
    int r;
    if (olock__fake_key_paths(c, t, cond) < 0) return -1;
    if (olock__fake_conditional_operator(c, olock__fake_body_get(c, "Expected")) < 0) return -1;
    if (cond && !olock__fake_eval(c, old, cond->root)) return olock__fake_condition_failed(c, old, all_old);
    if (!cond && (r = olock__fake_expected(c, old)) <= 0) return r < 0 ? -1 : olock__fake_condition_failed(c, old, all_old);
    return c->oom ? -1 : 0;
}

static int olock__fake_op_put_item(olock__fake_ctx *c) {
    olock__fake_table *t;
    olock__fake_subst sub;
    olock__fake_expr *cond = NULL;
    const olock_json *ij;
    olock_value *item;
    const olock_value *hk, *rk, *old;
    olock__fake_entry *en;
    int rv, all_old, cap, has_cond;
    size_t size;
    if (olock__fake_write_prelude(c, &t, 0, &rv, &all_old, &cap, 0) < 0) return -1;
    if (!(ij = olock__fake_body_get(c, "Item"))) return olock__fake_verror(c, "Item to put in PutItem cannot be null");
    has_cond = olock__fake_body_get(c, "ConditionExpression") != NULL;
    if (olock__fake_subst_init(c, &sub, has_cond, has_cond, "ConditionExpression is null", 1) < 0) return -1;
    if (!t) return olock__fake_no_table(c);
    if (olock__fake_mixed_write(c, 0) < 0) return -1;
    if (olock__fake_av_map(c, ij, &item, 1) < 0) return -1;
    if (olock__fake_item_key(c, t, item, &hk, &rk) < 0) return -1;
    if (olock__fake_check_index_keys(c, t, item, 0) < 0) return -1;
    if (olock__fake_subst_values(c, &sub) < 0) return -1;
    if (olock__fake_condition(c, &sub, &cond) < 0) return -1;
    if (olock__fake_subst_check_unused(c, &sub) < 0) return -1;
    size = olock__fake_item_size(item);
    if (size > OLOCK__FAKE_MAX_ITEM) return olock__fake_verror(c, "Item size has exceeded the maximum allowed size");
    old = olock__fake_old_item(t, hk, rk, &en, NULL);
    if (olock__fake_write_condition(c, t, cond, old, all_old) < 0) return -1;
    /* the response is written before the swap: `old` dies with it */
    if (olock__fake_puts(c, "{") < 0) return -1;
    if (rv == OLOCK__FAKE_RV_ALL_OLD && old &&
        (olock__fake_puts(c, "\"Attributes\":") < 0 || olock__fake_write_map(c, old) < 0))
        return -1;
    if (olock__fake_write_capacity(c, t, cap, olock__fake_write_halves(old ? en->size : 0, size), !(rv == OLOCK__FAKE_RV_ALL_OLD && old)) < 0 || olock__fake_puts(c, "}") < 0)
        return -1;
    return olock__fake_commit(c, t, hk, item, size);
}

static int olock__fake_op_delete_item(olock__fake_ctx *c) {
    olock__fake_table *t;
    olock__fake_subst sub;
    olock__fake_expr *cond = NULL;
    olock__fake_entry *en;
    olock__fake_part *part;
    olock_value *key;
    const olock_value *hk, *rk, *old;
    int rv, all_old, cap, has_cond, wrote = 0;
    if (olock__fake_write_prelude(c, &t, 0, &rv, &all_old, &cap, 1) < 0) return -1;
    has_cond = olock__fake_body_get(c, "ConditionExpression") != NULL;
    if (olock__fake_subst_init(c, &sub, has_cond, has_cond, "ConditionExpression is null", 1) < 0) return -1;
    if (!t) return olock__fake_no_table(c);
    if (olock__fake_mixed_write(c, 0) < 0) return -1;
    if (olock__fake_request_key(c, t, &key, &hk, &rk) < 0) return -1;
    if (olock__fake_subst_values(c, &sub) < 0) return -1;
    if (olock__fake_condition(c, &sub, &cond) < 0) return -1;
    if (olock__fake_subst_check_unused(c, &sub) < 0) return -1;
    old = olock__fake_old_item(t, hk, rk, &en, &part);
    if (olock__fake_write_condition(c, t, cond, old, all_old) < 0) return -1;
    if (olock__fake_puts(c, "{") < 0) return -1;
    if (rv == OLOCK__FAKE_RV_ALL_OLD && old) {
        if (olock__fake_puts(c, "\"Attributes\":") < 0 || olock__fake_write_map(c, old) < 0) return -1;
        wrote = 1;
    }
    /* DynamoDB Local reports the consumed capacity of a delete that found nothing, asked or not */
    if (!cap && !old) cap = 1;
    if (olock__fake_write_capacity(c, t, cap, olock__fake_write_halves(old ? en->size : 0, 0), !wrote) < 0 || olock__fake_puts(c, "}") < 0) return -1;
    if (old) olock__fake_erase(c->f, t, part, en);
    return 0;
}

/* 1 when action i is the first of `e` to write under its top-level attribute: walking the
   actions so visits each touched attribute once. */
static int olock__fake_first_touch(const olock__fake_expr *e, size_t i) {
    const olock__fake_pel *el = &e->acts[i].path->els[0], *o;
    size_t j;
    if (el->is_index) return 0;
    for (j = 0; j < i; j++) {
        o = &e->acts[j].path->els[0];
        if (!o->is_index && o->name_len == el->name_len && memcmp(o->name, el->name, el->name_len) == 0) return 0;
    }
    return 1;
}

/* The top-level attribute action i writes under (NULL when absent); the plain lookup, for
   the paths the update checked already. */
static const olock_value *olock__fake_touched_member(const olock_value *item, const olock__fake_expr *e, size_t i) {
    const olock__fake_pel *el = &e->acts[i].path->els[0];
    return olock__fake_map_get(item, el->name, el->name_len);
}

static olock_value *olock__fake_touched_member_mut(olock_value *item, const olock__fake_expr *e, size_t i) {
    const olock__fake_pel *el = &e->acts[i].path->els[0];
    olock_value *m;
    for (m = item->first; m; m = m->next)
        if (m->key_len == el->name_len && memcmp(m->key, el->name, el->name_len) == 0) return m;
    return NULL;
}

/* The size of the top-level attributes `e` touches, in the old item and in the new one:
   with the stored size of the old item, what an update needs to size the new one without
   walking every number. 1 in *added when the update added one of them (at the end, out of
   name order). */
static size_t olock__fake_touched_size(const olock_value *old, const olock_value *item, const olock__fake_expr *e, size_t *old_size,
                                       int *added) {
    const olock_value *m, *o;
    size_t i, n = 0;
    *old_size = 0;
    *added = 0;
    for (i = 0; i < e->nacts; i++) {
        if (!olock__fake_first_touch(e, i)) continue;
        if ((o = olock__fake_touched_member(old, e, i)) != NULL) *old_size += o->key_len + olock__fake_value_size(o);
        if ((m = olock__fake_touched_member(item, e, i)) != NULL) {
            n += m->key_len + olock__fake_value_size(m);
            if (!o) *added = 1;
        }
    }
    return n;
}

/* 1 when every action of `e` under action i's top-level attribute replaces or removes it
   whole (`SET a = ..`, `REMOVE a`): the update never writes into its old value, which the
   new root can then share until it is replaced. */
static int olock__fake_replaced_whole(const olock__fake_expr *e, size_t i) {
    const olock__fake_pel *el = &e->acts[i].path->els[0], *o;
    size_t j;
    for (j = i; j < e->nacts; j++) {
        const olock__fake_action *a = &e->acts[j];
        o = &a->path->els[0];
        if (o->is_index || o->name_len != el->name_len || memcmp(o->name, el->name, el->name_len) != 0) continue;
        if (a->path->nels != 1 || (a->clause != OLOCK__FAKE_T_SET && a->clause != OLOCK__FAKE_T_REMOVE)) return 0;
    }
    return 1;
}

/* Copy-on-write: a new root for the stored item, in its own arena, whose members are deep
   copies of the attributes `e` writes into and shallow copies (sharing their contents) of the
   others. The old root stays intact until olock__fake_replace_root, so a failure leaves the
   stored item as it was (what it allocated is reclaimed by the next full copy). */
static olock_value *olock__fake_cow_root(olock__fake_ctx *c, olock_arena *ia, const olock_value *old, const olock__fake_expr *e) {
    olock_value *root = olock__fake_newval(ia, OLOCK_TYPE_M), *v;
    const olock_value *m;
    size_t i;
    if (!root) goto oom;
    for (m = old->first; m; m = m->next) {
        if (!(v = (olock_value *)olock_arena_alloc(ia, sizeof(*v)))) goto oom;
        *v = *m;
        olock__fake_append(root, v);
    }
    for (i = 0; i < e->nacts; i++) {
        if (!olock__fake_first_touch(e, i) || olock__fake_replaced_whole(e, i) || !(m = olock__fake_touched_member(old, e, i)))
            continue;
        if (!(v = olock__fake_copy(ia, m))) goto oom;
        olock__fake_map_set(root, v);
    }
    return root;
oom:
    c->oom = 1;
    return NULL;
}

static int olock__fake_op_update_item(olock__fake_ctx *c) {
    olock__fake_table *t;
    olock__fake_subst sub;
    olock__fake_expr *cond = NULL, *upd = NULL;
    olock_value *key, *item;
    olock_item *it = NULL;
    olock__fake_entry *en;
    const olock_value *hk, *rk, *old, *attrs = NULL;
    const char *us;
    size_t ulen, i, size;
    int rv, all_old, cap, has_cond, has_upd;
    if (olock__fake_write_prelude(c, &t, 1, &rv, &all_old, &cap, 0) < 0) return -1;
    if ((has_upd = olock__fake_get_str(c, c->body, "UpdateExpression", &us, &ulen)) < 0) return -1;
    has_cond = olock__fake_body_get(c, "ConditionExpression") != NULL;
    if (olock__fake_subst_init(c, &sub, has_cond || has_upd, has_cond || has_upd, "UpdateExpression and ConditionExpression are null", 1) < 0)
        return -1;
    if (!t) return olock__fake_no_table(c);
    if (olock__fake_mixed_write(c, 1) < 0) return -1;
    if (olock__fake_request_key(c, t, &key, &hk, &rk) < 0) return -1;
    if (olock__fake_subst_values(c, &sub) < 0) return -1;
    if (has_upd && !(upd = olock__fake_compile(c, &sub, "UpdateExpression", us, ulen, OLOCK__FAKE_E_UPDATE))) return -1;
    if (!has_upd && olock__fake_body_get(c, "AttributeUpdates") &&
        !(upd = olock__fake_attribute_updates(c, olock__fake_body_get(c, "AttributeUpdates"))))
        return -1;
    if (olock__fake_condition(c, &sub, &cond) < 0) return -1;
    if (olock__fake_subst_check_unused(c, &sub) < 0) return -1;
    old = olock__fake_old_item(t, hk, rk, &en, NULL);
    if (olock__fake_write_condition(c, t, cond, old, all_old) < 0) return -1;
    /* DynamoDB Local looks at what the update does to the keys only once its condition held:
       a failing condition wins over `REMOVE pk`, `SET pk = ..` and `SET n = pk.x` */
    if (upd) { /* the hash key first, whatever the order of the actions */
        size_t k;
        for (k = 0; k < t->key_count; k++) {
            for (i = 0; i < upd->nacts; i++) {
                const olock__fake_pel *el = &upd->acts[i].path->els[0];
                if (el->name_len == t->key[k].len && memcmp(el->name, t->key[k].name, el->name_len) == 0)
                    return olock__fake_verror(c, "One or more parameter values were invalid: Cannot update attribute %s. This attribute is part of the key",
                                              t->key[k].name);
            }
        }
    }
    if (olock__fake_key_paths(c, t, upd) < 0) return -1;
    if (old && upd && en->sorted) {
        /* the stored item is sorted: only what the actions touch needs sorting and sizing */
        olock_value *m;
        olock_arena *ia = olock_item_arena(en->item);
        size_t osize;
        int added;
        if (!(item = olock__fake_cow_root(c, ia, old, upd))) return -1;
        if (olock__fake_apply_update(c, ia, old, item, upd) < 0) return -1;
        for (i = 0; i < upd->nacts; i++)
            if (olock__fake_first_touch(upd, i) && (m = olock__fake_touched_member_mut(item, upd, i)) != NULL &&
                (m->type == OLOCK_TYPE_M || m->type == OLOCK_TYPE_L) && olock__fake_sort_members(c, m, 1) < 0)
                return -1;
        size = olock__fake_touched_size(old, item, upd, &osize, &added);
        size += en->size - osize;
        /* replaced and removed attributes keep the order of the sorted old item */
        if (added && olock__fake_sort_top(c, item) < 0) return -1;
    } else {
        /* the new item is built straight in the olock_item that will replace the old one: a
           copy of the old item (or of the key alone), then the actions */
        if (olock__fake_item_new(c->f, &it) != OLOCK_OK) return olock__fake_oom(c);
        if (!(item = olock__fake_copy(olock_item_arena(it), old ? old : key))) goto fail_oom;
        item->key = NULL;
        item->key_len = 0;
        it->root = item;
        if (upd && olock__fake_apply_update(c, olock_item_arena(it), old ? old : key, item, upd) < 0) goto fail;
        if (olock__fake_sort_members(c, item, 0) < 0) goto fail;
        size = olock__fake_item_size(item);
    }
    if (olock__fake_check_index_keys(c, t, item, 1) < 0) goto fail;
    if (size > OLOCK__FAKE_MAX_ITEM) {
        olock__fake_verror(c, "Item size to update has exceeded the maximum allowed size");
        goto fail;
    }
    switch (rv) {
    case OLOCK__FAKE_RV_ALL_OLD: attrs = old; break;
    case OLOCK__FAKE_RV_ALL_NEW: attrs = item; break;
    case OLOCK__FAKE_RV_UPDATED_OLD: attrs = upd ? olock__fake_updated(c, old, upd) : NULL; break;
    case OLOCK__FAKE_RV_UPDATED_NEW: attrs = upd ? olock__fake_updated(c, item, upd) : NULL; break;
    default: break;
    }
    if (c->oom) goto fail;
    if (attrs && attrs->count == 0) attrs = NULL;
    if (olock__fake_puts(c, "{") < 0) goto fail;
    if (attrs && (olock__fake_puts(c, "\"Attributes\":") < 0 || olock__fake_write_map(c, attrs) < 0)) goto fail;
    if (olock__fake_write_capacity(c, t, cap, olock__fake_write_halves(old ? en->size : 0, size), attrs == NULL) < 0 || olock__fake_puts(c, "}") < 0) goto fail;
    if (!it) {
        olock__fake_replace_root(t, en, item, size);
        olock__fake_compact(c->f, t, en);
        return 0;
    }
    if (olock__fake_commit_item(c, t, hk, it, size) < 0) return -1;
    /* sorted now, so the next update of it can be copy-on-write */
    if (olock__fake_old_item(t, hk, rk, &en, NULL)) en->sorted = 1;
    return 0;
fail_oom:
    c->oom = 1;
fail:
    olock__fake_item_drop(c->f, it);
    return -1;
}
