/* =============================================================================================
   >>api (implementation)
   ========================================================================================== */

/* ---- dispatch: X-Amz-Target to operation ---------------------------------------------------- */

typedef int (*olock__fake_op_fn)(olock__fake_ctx *c);

static olock__fake_op_fn olock__fake_find_op(const char *name, size_t len) {
    static const struct {
        const char *name;
        olock__fake_op_fn fn;
    } ops[] = {
        { "GetItem", olock__fake_op_get_item },
        { "PutItem", olock__fake_op_put_item },
        { "UpdateItem", olock__fake_op_update_item },
        { "DeleteItem", olock__fake_op_delete_item },
        { "CreateTable", olock__fake_op_create_table },
        { "DescribeTable", olock__fake_op_describe_table },
        { "DeleteTable", olock__fake_op_delete_table },
        { "ListTables", olock__fake_op_list_tables },
        { "UpdateTable", olock__fake_op_update_table },
        { "TransactWriteItems", olock__fake_op_transact_write },
        { "TransactGetItems", olock__fake_op_transact_get },
        { "Query", olock__fake_op_query },
        { "Scan", olock__fake_op_scan },
        { "BatchWriteItem", olock__fake_op_batch_write },
        { "BatchGetItem", olock__fake_op_batch_get }
    };
    size_t i;
    for (i = 0; i < sizeof(ops) / sizeof(ops[0]); i++)
        if (olock__fake_streq(name, len, ops[i].name)) return ops[i].fn;
    return NULL;
}

/* Whether a header's name is `lower` (written in lower case), in any case. */
static int olock__fake_header_is(const char *name, const char *lower) {
    size_t i;
    for (i = 0; lower[i]; i++) {
        char a = name[i];
        if (a >= 'A' && a <= 'Z') a = (char)(a - 'A' + 'a');
        if (a != lower[i]) return 0; /* at name's NUL at the latest */
    }
    return name[i] == 0;
}

/* Reads X-Amz-Target and the JSON body: the operation to run (its olock_op in *op, 0 when
   olock has no name for it), or NULL with the error left in c. */
static olock__fake_op_fn olock__fake_prepare(olock__fake_ctx *c, const olock_http_request *req, olock_op *op) {
    static const char prefix[] = "DynamoDB_20120810.";
    const char *target = NULL;
    size_t i, tlen;
    olock__fake_op_fn fn;
    olock_json *body = NULL;
    *op = (olock_op)0;
    for (i = 0; i < req->header_count; i++)
        if (req->headers[i].name && olock__fake_header_is(req->headers[i].name, "x-amz-target")) target = req->headers[i].value;
    if (!target) {
        olock__fake_shape(c);
        return NULL;
    }
    tlen = strlen(target);
    if (tlen < sizeof(prefix) - 1 || memcmp(target, prefix, sizeof(prefix) - 1) != 0) {
        olock__fake_err(c, 400, OLOCK__FAKE_NS "InvalidAction", "%s",
                        "The action or operation requested is invalid. Verify that the action is typed correctly.");
        return NULL;
    }
    { /* DynamoDB Local splits the target at '.': the operation is the second part, whatever
           follows it ("DynamoDB_20120810.ListTables." and ".ListTables.x" are ListTables) */
        const char *opn = target + sizeof(prefix) - 1, *dot = (const char *)memchr(opn, '.', tlen - (sizeof(prefix) - 1));
        size_t olen = dot ? (size_t)(dot - opn) : tlen - (sizeof(prefix) - 1);
        while (olen && (opn[olen - 1] == ' ' || opn[olen - 1] == '\t')) olen--; /* HTTP's trailing white space */
        fn = olock__fake_find_op(opn, olen);
        if (fn) tlen = (size_t)(opn + olen - target);
    }
    if (!fn) {
        olock__fake_err(c, 400, OLOCK__FAKE_NS "UnknownOperationException", "%s", "An unknown operation was requested.");
        return NULL;
    }
    *op = olock_op_from_name(target, tlen);
    {
        /* nested up to 256 deep: deeper than DynamoDB's 32 levels, so our own check reports it */
        olock_json_limits lim;
        olock_result r;
        lim.max_bytes = 0;
        lim.max_depth = 256;
        r = olock_json_parse(c->a, req->body ? req->body : "", req->body ? req->body_len : 0, &lim, &body, NULL);
        if (r == OLOCK_ERR_NOMEM) {
            c->oom = 1;
            return NULL;
        }
        if (r != OLOCK_OK || body->kind != OLOCK_JSON_OBJECT) {
            olock__fake_shape(c);
            return NULL;
        }
    }
    c->body = body;
    olock__fake_top_build(&c->top, body);
    return fn;
}

/* ---- fault injection ------------------------------------------------------------------------- */

static int olock__fake_json_str_is(const olock_json *j, const char *s, size_t len) {
    return j && j->kind == OLOCK_JSON_STRING && j->len == len && memcmp(j->str, s, len) == 0;
}

/* 1 when the request names table `name`: its TableName, a table of one of its
   TransactItems, or a key of its RequestItems. */
static int olock__fake_names_table(const olock_json *body, const char *name, size_t len) {
    const olock_json *items, *m;
    if (!body) return 0;
    if (olock__fake_json_str_is(olock__fake_get(body, "TableName"), name, len)) return 1;
    items = olock__fake_get(body, "TransactItems");
    if (items && items->kind == OLOCK_JSON_ARRAY) {
        for (m = items->first; m; m = m->next) {
            int kind;
            const olock_json *act = olock__fake_txn_action(m, &kind);
            if (act && olock__fake_json_str_is(olock__fake_get(act, "TableName"), name, len)) return 1;
        }
    }
    items = olock__fake_get(body, "RequestItems");
    if (items && items->kind == OLOCK_JSON_OBJECT)
        for (m = items->first; m; m = m->next)
            if (m->key_len == len && memcmp(m->key, name, len) == 0) return 1;
    return 0;
}

/* A conditional write: what a CONFLICT fault waits for. */
static int olock__fake_is_conditional(const olock_json *body, olock_op op) {
    if (!body) return 0;
    if (op == OLOCK_OP_TRANSACT_WRITE_ITEMS) return 1;
    if (op != OLOCK_OP_PUT_ITEM && op != OLOCK_OP_UPDATE_ITEM && op != OLOCK_OP_DELETE_ITEM) return 0;
    return olock__fake_get(body, "ConditionExpression") != NULL || olock__fake_get(body, "Expected") != NULL;
}

/* A batch: what an UNPROCESSED fault waits for. */
static int olock__fake_is_batch(olock_op op) {
    return op == OLOCK_OP_BATCH_GET_ITEM || op == OLOCK_OP_BATCH_WRITE_ITEM;
}

static uint64_t olock__fake_splitmix(uint64_t *state) {
    uint64_t z = (*state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

static void olock__fake_drop_rule(olock_fake *f, size_t i) {
    olock__fake_rule *r = &f->rules[i];
    if (r->table) olock__fake_free(&f->alloc, r->table, r->table_len + 1);
    memmove(r, r + 1, (f->rule_count - i - 1) * sizeof(*r));
    f->rule_count--;
}

/* The fault this request gets (and counts it): the first scripted rule it matches, else a
   random draw. Random mode draws once per request whatever happens, so its sequence does
   not depend on the scripted rules. */
static olock_fake_fault olock__fake_pick_fault(olock_fake *f, const olock_json *body, olock_op op, int conditional) {
    olock_fake_fault fault = OLOCK_FAKE_FAULT_NONE;
    int decided = 0;
    size_t i;
    for (i = 0; i < f->rule_count; i++) {
        olock__fake_rule *r = &f->rules[i];
        if (r->op && r->op != op) continue;
        if (r->table && !olock__fake_names_table(body, r->table, r->table_len)) continue;
        if (r->fault == OLOCK_FAKE_FAULT_CONFLICT && !conditional) break; /* stays armed */
        if (r->fault == OLOCK_FAKE_FAULT_UNPROCESSED && !olock__fake_is_batch(op)) break;
        fault = r->fault;
        decided = 1;
        f->fault_counts[fault]++;
        if (--r->count == 0) olock__fake_drop_rule(f, i);
        break;
    }
    if (f->random_on) {
        uint64_t x = olock__fake_splitmix(&f->rng);
        unsigned roll = (unsigned)(((x >> 32) * 100u) >> 32), acc = 0;
        int k;
        for (k = 1; k < (int)OLOCK_FAKE_FAULT_COUNT_ && !decided; k++) {
            acc += f->percent[k];
            if (roll >= acc) continue;
            if ((k != (int)OLOCK_FAKE_FAULT_CONFLICT || conditional) &&
                (k != (int)OLOCK_FAKE_FAULT_UNPROCESSED || olock__fake_is_batch(op))) {
                fault = (olock_fake_fault)k;
                f->fault_counts[k]++;
            }
            break;
        }
    }
    return fault;
}

/* A competing writer adds 1 to the version attribute of the item a conditional write is
   about to touch. Anything unexpected (no such table or item, a bad key, no numeric
   version, no memory) leaves the store as it was. */
static void olock__fake_compete(olock_fake *f, olock_arena *a, olock_buf *out, const olock_json *body, olock_op op) {
    olock__fake_ctx cc;
    const olock_json *act = body, *keyj;
    olock__fake_table *t;
    olock_value *key, *root, *m;
    const olock_value *hk, *rk, *old, *v;
    const char *name;
    size_t nlen;
    int is_put = op == OLOCK_OP_PUT_ITEM;
    olock_decimal d, one, sum;
    olock_item *it = NULL;
    memset(&cc, 0, sizeof(cc));
    cc.f = f;
    cc.a = a;
    cc.out = out;
    cc.body = body;
    if (op == OLOCK_OP_TRANSACT_WRITE_ITEMS) {
        const olock_json *items = olock__fake_get(body, "TransactItems"), *el;
        act = NULL;
        if (!items || items->kind != OLOCK_JSON_ARRAY) return;
        for (el = items->first; el; el = el->next) {
            int kind;
            const olock_json *x = olock__fake_txn_action(el, &kind);
            if (!x) continue;
            if (!act || olock__fake_get(x, "ConditionExpression")) {
                act = x;
                is_put = kind == OLOCK__FAKE_TX_PUT;
            }
            if (olock__fake_get(x, "ConditionExpression")) break;
        }
        if (!act) return;
    }
    if (olock__fake_get_str(&cc, act, "TableName", &name, &nlen) <= 0) return;
    if (!(t = olock__fake_table_find(f, name, nlen))) return;
    if (!(keyj = is_put ? olock__fake_get(act, "Item") : olock__fake_get(act, "Key"))) return;
    if (olock__fake_av_map(&cc, keyj, &key, 1) < 0 || olock__fake_item_key(&cc, t, key, &hk, &rk) < 0) return;
    if (!(old = olock__fake_old_item(t, hk, rk, NULL, NULL))) return;
    v = olock__fake_map_get(old, f->version_attr, f->version_len);
    if (!v || v->type != OLOCK_TYPE_N) return;
    olock__fake_num_of(v, &d);
    if (olock__fake_num_parse("1", 1, &one) != OLOCK__FAKE_NUM_OK || olock__fake_num_addsub(&d, &one, 0, &sum) != OLOCK__FAKE_NUM_OK)
        return;
    if (!(v = olock__fake_new_num(&cc, &sum))) return;
    if (olock__fake_item_new(f, &it) != OLOCK_OK) return;
    if (!(root = olock__fake_copy(olock_item_arena(it), old))) {
        olock__fake_item_drop(f, it);
        return;
    }
    root->key = NULL;
    root->key_len = 0;
    it->root = root;
    for (m = root->first; m; m = m->next) {
        if (m->key_len != f->version_len || memcmp(m->key, f->version_attr, m->key_len) != 0) continue;
        if (!(m->str = olock_arena_strdup(olock_item_arena(it), v->str, v->len))) {
            olock__fake_item_drop(f, it);
            return;
        }
        m->len = v->len;
    }
    {
        size_t size = olock__fake_item_size(root);
        if (size > OLOCK__FAKE_MAX_ITEM) {
            olock__fake_item_drop(f, it);
            return;
        }
        olock__fake_commit_item(&cc, t, hk, it, size);
    }
}

/* The answer of an injected error fault. */
static void olock__fake_fault_error(olock__fake_ctx *c, olock_fake_fault fault) {
    c->err_type = NULL;
    c->err_item = NULL;
    c->reasons = NULL;
    c->oom = 0;
    switch (fault) {
    case OLOCK_FAKE_FAULT_THROTTLE:
        olock__fake_err(c, 400, OLOCK__FAKE_NS "ProvisionedThroughputExceededException", "%s",
                        "The level of configured provisioned throughput for the table was exceeded. Consider increasing your provisioning level with the UpdateTable API.");
        break;
    case OLOCK_FAKE_FAULT_THROTTLING:
        olock__fake_err(c, 400, OLOCK__FAKE_NS "ThrottlingException", "%s", "Rate of requests exceeds the allowed throughput.");
        break;
    case OLOCK_FAKE_FAULT_500:
        olock__fake_err(c, 500, OLOCK__FAKE_NS "InternalServerError", "%s", "Internal server error");
        break;
    default:
        olock__fake_err(c, 503, OLOCK__FAKE_NS "ServiceUnavailable", "%s", "The service is currently unavailable or busy.");
        break;
    }
}

/* Replaces whatever the operation wrote with the error body DynamoDB Local sends. */
static int olock__fake_write_error(olock__fake_ctx *c) {
    olock_buf_clear(c->out);
    c->oom = 0;
    if (olock__fake_puts(c, "{\"__type\":") < 0 || olock__fake_put_str(c, c->err_type, strlen(c->err_type)) < 0)
        return -1;
    if (c->reasons) {
        static const char *const codes[] = { "None", "ConditionalCheckFailed", "ValidationError" };
        size_t i;
        if (olock__fake_puts(c, ",\"CancellationReasons\":[") < 0) return -1;
        for (i = 0; i < c->nreasons; i++) {
            const olock__fake_reason *r = &c->reasons[i];
            if (olock__fake_puts(c, i ? ",{" : "{") < 0) return -1;
            if (r->item && (olock__fake_puts(c, "\"Item\":") < 0 || olock__fake_write_map(c, r->item) < 0 || olock__fake_puts(c, ",") < 0))
                return -1;
            if (olock__fake_puts(c, "\"Code\":\"") < 0 || olock__fake_puts(c, codes[r->code]) < 0 || olock__fake_puts(c, "\"") < 0)
                return -1;
            if (r->msg && (olock__fake_puts(c, ",\"Message\":") < 0 || olock__fake_put_str(c, r->msg, strlen(r->msg)) < 0))
                return -1;
            if (olock__fake_puts(c, "}") < 0) return -1;
        }
        if (olock__fake_puts(c, "]") < 0) return -1;
    }
    if (olock__fake_puts(c, ",\"Message\":") < 0 || olock__fake_put_str(c, c->err_msg, c->err_len) < 0) return -1;
    if (c->err_item && (olock__fake_puts(c, ",\"Item\":") < 0 || olock__fake_write_map_cap(c, c->err_item, 16) < 0)) return -1;
    return olock__fake_puts(c, "}");
}

static olock_result olock__fake_send(void *user, const olock_http_request *req, olock_http_response *res) {
    static const char oom_body[] = "{\"__type\":\"" OLOCK__FAKE_NS "InternalServerError\",\"Message\":\"Internal server error\"}";
    olock_fake *f = (olock_fake *)user;
    olock__fake_ctx c;
    olock__fake_op_fn fn;
    olock_fake_fault fault;
    olock_op op;
    const char *body;
    size_t len;
    char crc[24];
    int n;
    olock_result r;
    if (!f || !req || !res) return OLOCK_ERR_INVALID_ARG;
    olock__fake_mutex_lock(&f->mu);
    f->ticks++;
    olock_arena_reset(&f->arena);
    olock_buf_clear(&f->out);
    memset(&c, 0, sizeof(c));
    c.f = f;
    c.a = &f->arena;
    c.out = &f->out;
    fn = olock__fake_prepare(&c, req, &op);
    fault = (f->rule_count || f->random_on) ? olock__fake_pick_fault(f, c.body, op, fn && olock__fake_is_conditional(c.body, op))
                                            : OLOCK_FAKE_FAULT_NONE;
    switch (fault) {
    case OLOCK_FAKE_FAULT_NOT_SENT:
        olock__fake_mutex_unlock(&f->mu);
        return OLOCK_ERR_NOT_SENT;
    case OLOCK_FAKE_FAULT_THROTTLE:
    case OLOCK_FAKE_FAULT_THROTTLING:
    case OLOCK_FAKE_FAULT_500:
    case OLOCK_FAKE_FAULT_503:
        olock__fake_fault_error(&c, fault);
        fn = NULL;
        break;
    case OLOCK_FAKE_FAULT_LATENCY:
        f->now_ms = f->latency_ms > UINT64_MAX - f->now_ms ? UINT64_MAX : f->now_ms + f->latency_ms;
        break;
    case OLOCK_FAKE_FAULT_CONFLICT:
        if (fn) olock__fake_compete(f, &f->arena, &f->out, c.body, op);
        break;
    case OLOCK_FAKE_FAULT_UNPROCESSED:
        c.unprocessed = 1;
        break;
    default:
        break;
    }
    if (f->pending_indexes) olock__fake_settle_indexes(f);
    if (fn) {
        c.status = 200;
        fn(&c);
    }
    if (fault == OLOCK_FAKE_FAULT_LOST_RESPONSE) {
        olock__fake_mutex_unlock(&f->mu);
        return OLOCK_ERR_MAYBE_SENT;
    }
    if (!c.oom && c.err_type && olock__fake_write_error(&c) < 0) c.oom = 1;
    if (c.oom) {
        c.status = 500;
        body = oom_body;
        len = sizeof(oom_body) - 1;
    } else {
        body = f->out.data ? f->out.data : "";
        len = f->out.len;
    }
    n = (int)olock__fake_u64_text(olock_crc32(0, body, len), crc);
    res->status = c.status;
    r = olock_http_response_add_header(res, "Content-Type", 12, "application/x-amz-json-1.0", 26);
    if (r == OLOCK_OK) r = olock_http_response_add_header(res, "x-amz-crc32", 11, crc, (size_t)n);
    if (r == OLOCK_OK) r = olock_http_response_append(res, body, len);
    olock__fake_mutex_unlock(&f->mu);
    return r;
}

/* ---- public API ----------------------------------------------------------------------------- */

OLOCK_FAKE_API olock_fake_config olock_fake_config_default(void) {
    olock_fake_config cfg;
    memset(&cfg, 0, sizeof(cfg));
    cfg.version_attribute = "version";
    cfg.latency_ms = 10;
    return cfg;
}

OLOCK_FAKE_API olock_result olock_fake_create(const olock_fake_config *cfg, olock_fake **out) {
    olock_allocator al;
    olock_fake *f;
    const char *ver = cfg && cfg->version_attribute && cfg->version_attribute[0] ? cfg->version_attribute : "version";
    size_t vlen = strlen(ver);
    if (!out) return OLOCK_ERR_INVALID_ARG;
    if (cfg && cfg->allocator.malloc_fn) {
        if (!cfg->allocator.realloc_fn || !cfg->allocator.free_fn) return OLOCK_ERR_INVALID_ARG;
        al = cfg->allocator;
    } else {
        al.ctx = NULL;
        al.malloc_fn = olock__fake_std_malloc;
        al.realloc_fn = olock__fake_std_realloc;
        al.free_fn = olock__fake_std_free;
    }
    if (!(f = (olock_fake *)olock__fake_malloc(&al, sizeof(*f)))) return OLOCK_ERR_NOMEM;
    memset(f, 0, sizeof(*f));
    f->alloc = al;
    if (!(f->version_attr = (char *)olock__fake_malloc(&al, vlen + 1))) {
        olock__fake_free(&al, f, sizeof(*f));
        return OLOCK_ERR_NOMEM;
    }
    memcpy(f->version_attr, ver, vlen + 1);
    f->version_len = vlen;
    f->latency_ms = cfg && cfg->latency_ms ? cfg->latency_ms : 10;
    if (olock__fake_mutex_init(&f->mu) != 0) {
        olock__fake_free(&al, f->version_attr, vlen + 1);
        olock__fake_free(&al, f, sizeof(*f));
        return OLOCK_ERR_NOMEM;
    }
    olock_arena_init(&f->arena, &f->alloc);
    olock_buf_init(&f->out, &f->alloc);
    *out = f;
    return OLOCK_OK;
}

OLOCK_FAKE_API olock_transport olock_fake_transport(olock_fake *f) {
    olock_transport t;
    t.user = f;
    t.send = olock__fake_send;
    t.destroy = NULL;
    t.kind = OLOCK_TRANSPORT_IN_PROCESS; /* needs no endpoint, region or credentials */
    t.last_error = NULL;
    return t;
}

static void olock__fake_clear_rules(olock_fake *f) {
    while (f->rule_count) olock__fake_drop_rule(f, f->rule_count - 1);
}

OLOCK_FAKE_API void olock_fake_destroy(olock_fake *f) {
    olock_allocator al;
    size_t i;
    if (!f) return;
    for (i = 0; i < f->table_count; i++) olock__fake_table_free(f, f->tables[i]);
    olock__fake_free(&f->alloc, f->tables, f->table_cap * sizeof(*f->tables));
    olock__fake_clear_rules(f);
    olock__fake_free(&f->alloc, f->rules, f->rule_cap * sizeof(*f->rules));
    for (i = 0; i < f->token_cap; i++)
        if (f->tokens[i].token) olock__fake_free(&f->alloc, f->tokens[i].token, f->tokens[i].len + 1);
    olock__fake_free(&f->alloc, f->tokens, f->token_cap * sizeof(*f->tokens));
    olock__fake_free(&f->alloc, f->version_attr, f->version_len + 1);
    olock__fake_xcache_free(f);
    while (f->spare_count) olock_item_destroy(f->spare[--f->spare_count]);
    olock_arena_free(&f->arena);
    olock_buf_free(&f->out);
    olock__fake_mutex_destroy(&f->mu);
    al = f->alloc;
    olock__fake_free(&al, f, sizeof(*f));
}

OLOCK_FAKE_API olock_result olock_fake_inject(olock_fake *f, olock_fake_fault fault, unsigned count, olock_op op,
                                              const char *table) {
    olock__fake_rule *r;
    size_t tlen = table ? strlen(table) : 0;
    char *copy = NULL;
    if (!f || count == 0 || (int)fault < 0 || fault >= OLOCK_FAKE_FAULT_COUNT_ || (int)op < 0 || op >= OLOCK_OP_COUNT_)
        return OLOCK_ERR_INVALID_ARG;
    if (table) {
        if (!(copy = (char *)olock__fake_malloc(&f->alloc, tlen + 1))) return OLOCK_ERR_NOMEM;
        memcpy(copy, table, tlen + 1);
    }
    olock__fake_mutex_lock(&f->mu);
    if (olock__fake_grow(&f->alloc, (void **)&f->rules, &f->rule_cap, f->rule_count + 1, sizeof(*f->rules)) < 0) {
        olock__fake_mutex_unlock(&f->mu);
        if (copy) olock__fake_free(&f->alloc, copy, tlen + 1);
        return OLOCK_ERR_NOMEM;
    }
    r = &f->rules[f->rule_count++];
    r->fault = fault;
    r->count = count;
    r->op = op;
    r->table = copy;
    r->table_len = tlen;
    olock__fake_mutex_unlock(&f->mu);
    return OLOCK_OK;
}

OLOCK_FAKE_API olock_result olock_fake_set_random_faults(olock_fake *f, uint64_t seed,
                                                         const unsigned percent[OLOCK_FAKE_FAULT_COUNT_]) {
    unsigned long sum = 0;
    int k;
    if (!f) return OLOCK_ERR_INVALID_ARG;
    if (percent) {
        for (k = 1; k < (int)OLOCK_FAKE_FAULT_COUNT_; k++) sum += percent[k];
        if (sum > 100) return OLOCK_ERR_INVALID_ARG;
    }
    olock__fake_mutex_lock(&f->mu);
    f->random_on = percent != NULL;
    f->rng = seed;
    for (k = 0; k < (int)OLOCK_FAKE_FAULT_COUNT_; k++) f->percent[k] = percent && k ? percent[k] : 0;
    olock__fake_mutex_unlock(&f->mu);
    return OLOCK_OK;
}

OLOCK_FAKE_API void olock_fake_clear_faults(olock_fake *f) {
    if (!f) return;
    olock__fake_mutex_lock(&f->mu);
    olock__fake_clear_rules(f);
    f->random_on = 0;
    olock__fake_mutex_unlock(&f->mu);
}

OLOCK_FAKE_API unsigned long olock_fake_fault_count(olock_fake *f, olock_fake_fault fault) {
    unsigned long n;
    if (!f || (int)fault < 0 || fault >= OLOCK_FAKE_FAULT_COUNT_) return 0;
    olock__fake_mutex_lock(&f->mu);
    n = f->fault_counts[fault];
    olock__fake_mutex_unlock(&f->mu);
    return n;
}

OLOCK_FAKE_API uint64_t olock_fake_now_ms(olock_fake *f) {
    uint64_t t;
    if (!f) return 0;
    olock__fake_mutex_lock(&f->mu);
    t = f->now_ms;
    olock__fake_mutex_unlock(&f->mu);
    return t;
}

OLOCK_FAKE_API void olock_fake_advance_ms(olock_fake *f, uint64_t ms) {
    if (!f) return;
    olock__fake_mutex_lock(&f->mu);
    f->now_ms = ms > UINT64_MAX - f->now_ms ? UINT64_MAX : f->now_ms + ms;
    olock__fake_mutex_unlock(&f->mu);
}
