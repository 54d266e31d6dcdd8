/* =============================================================================================
   >>txn (implementation)
   ========================================================================================== */

/* ---- transactions and batches: shared shapes -------------------------------------------- */

/* Kinds of TransactItems action. */
#define OLOCK__FAKE_TX_CHECK 0
#define OLOCK__FAKE_TX_PUT 1
#define OLOCK__FAKE_TX_DELETE 2
#define OLOCK__FAKE_TX_UPDATE 3
#define OLOCK__FAKE_TX_GET 4

/* The action object of a TransactItems element ({"Put":{..}} gives the {..}), its kind in
   *kind; NULL when the element holds none (or is not an object). */
static const olock_json *olock__fake_txn_action(const olock_json *el, int *kind) {
    static const struct {
        const char *name;
        size_t len;
        int kind;
    } acts[] = {
        { "ConditionCheck", 14, OLOCK__FAKE_TX_CHECK }, { "Put", 3, OLOCK__FAKE_TX_PUT }, { "Delete", 6, OLOCK__FAKE_TX_DELETE }, { "Update", 6, OLOCK__FAKE_TX_UPDATE }, { "Get", 3, OLOCK__FAKE_TX_GET }
    };
    size_t i;
    *kind = -1;
    if (!el || el->kind != OLOCK_JSON_OBJECT) return NULL;
    for (i = 0; i < sizeof(acts) / sizeof(acts[0]); i++) {
        const olock_json *a = olock__fake_get_n(el, acts[i].name, acts[i].len);
        if (a && a->kind == OLOCK_JSON_OBJECT) {
            *kind = acts[i].kind;
            return a;
        }
    }
    return NULL;
}

/* ---- consumed capacity of multi-item operations ---------------------------------------------- */

/* Capacity units consumed per table, in the order tables were first used. */
typedef struct olock__fake_units {
    const olock__fake_table *t;
    uint64_t units;
} olock__fake_units;

static void olock__fake_units_add(olock__fake_units *u, size_t *n, const olock__fake_table *t, uint64_t units) {
    size_t i;
    for (i = 0; i < *n; i++)
        if (u[i].t == t) {
            u[i].units += units;
            return;
        }
    u[*n].t = t;
    u[*n].units = units;
    (*n)++;
}

/* TransactWriteItems: DynamoDB Local adds up the *distinct* amounts each table's actions
   consumed (two small puts to one table cost 2.0, not 4.0), so equal amounts count once. */
static void olock__fake_units_add_distinct(olock__fake_units *u, size_t *n, const olock__fake_table *t, uint64_t units) {
    size_t i;
    for (i = 0; i < *n; i++)
        if (u[i].t == t && u[i].units == units) return;
    u[*n].t = t;
    u[*n].units = units;
    (*n)++;
}

/* Per-table totals of olock__fake_units_add_distinct's list, in place. */
static void olock__fake_units_total(olock__fake_units *u, size_t *n) {
    size_t i, m = 0;
    for (i = 0; i < *n; i++) {
        olock__fake_units x = u[i];
        olock__fake_units_add(u, &m, x.t, x.units);
    }
    *n = m;
}

/* Units of reading (`kb` 4) or writing (`kb` 1) an item of `size` bytes in a transaction:
   twice the plain units, at least one plain unit. */
static uint64_t olock__fake_txn_units(size_t size, size_t kb) {
    uint64_t u = ((uint64_t)size + kb * 1024 - 1) / (kb * 1024);
    return 2 * (u ? u : 1);
}

/* "ConsumedCapacity":[{"TableName":..,"CapacityUnits":2.0[,"Table":{..}]},..], tables in the
   order of a HashMap of initial capacity `initial`; `indexes` adds the per-table detail. */
static int olock__fake_write_units(olock__fake_ctx *c, const olock__fake_units *u, size_t n, size_t initial, int indexes) {
    const char **names;
    size_t *lens, *order, i;
    if (olock__fake_puts(c, "\"ConsumedCapacity\":[") < 0) return -1;
    if (n) {
        names = (const char **)olock__fake_alloc(c, n * sizeof(*names));
        lens = (size_t *)olock__fake_alloc(c, n * sizeof(*lens));
        order = (size_t *)olock__fake_alloc(c, n * sizeof(*order));
        if (!names || !lens || !order) return -1;
        for (i = 0; i < n; i++) {
            names[i] = u[i].t->name;
            lens[i] = u[i].t->name_len;
        }
        if (olock__fake_hash_order(c, names, lens, n, initial, order) < 0) return -1;
        for (i = 0; i < n; i++) {
            const olock__fake_units *x = &u[order[i]];
            if (olock__fake_puts(c, i ? ",{\"TableName\":" : "{\"TableName\":") < 0 ||
                olock__fake_put_str(c, x->t->name, x->t->name_len) < 0 || olock__fake_puts(c, ",\"CapacityUnits\":") < 0 ||
                olock__fake_put_u64(c, x->units) < 0 || olock__fake_puts(c, ".0") < 0)
                return -1;
            if (indexes && (olock__fake_puts(c, ",\"Table\":{\"CapacityUnits\":") < 0 || olock__fake_put_u64(c, x->units) < 0 || olock__fake_puts(c, ".0}") < 0))
                return -1;
            if (olock__fake_puts(c, "}") < 0) return -1;
        }
    }
    return olock__fake_puts(c, "]");
}

/* ---- transactions: ClientRequestToken ------------------------------------------------------- */

#define OLOCK__FAKE_TOKEN_TTL_MS 600000u /* DynamoDB remembers a token for 10 minutes */

static uint64_t olock__fake_mix(uint64_t x) {
    x ^= x >> 30;
    x *= 0xBF58476D1CE4E5B9ull;
    x ^= x >> 27;
    x *= 0x94D049BB133111EBull;
    return x ^ (x >> 31);
}

/* A digest of a JSON value in which object members may come in any order (DynamoDB Local
   compares the parsed request, so {"a":1,"b":2} and {"b":2,"a":1} are the same request;
   strings and number texts compare exactly). Depth is bounded by the JSON parser's limit. */
static uint64_t olock__fake_json_digest(const olock_json *j) {
    const olock_json *m;
    uint64_t h = olock__fake_mix((uint64_t)j->kind + 0x9E3779B97F4A7C15ull), sum = 0;
    switch (j->kind) {
    case OLOCK_JSON_STRING:
    case OLOCK_JSON_NUMBER:
        return olock__fake_mix(h ^ olock__fake_hash(j->str, j->len));
    case OLOCK_JSON_ARRAY:
        for (m = j->first; m; m = m->next) h = olock__fake_mix(h * 31 + olock__fake_json_digest(m));
        return h;
    case OLOCK_JSON_OBJECT:
        for (m = j->first; m; m = m->next)
            sum += olock__fake_mix(olock__fake_hash(m->key, m->key_len) ^ olock__fake_mix(olock__fake_json_digest(m) + 1));
        return olock__fake_mix(h ^ sum);
    default:
        return h;
    }
}

static int olock__fake_token_live(const olock_fake *f, const olock__fake_token *t) {
    return f->now_ms - t->at_ms < OLOCK__FAKE_TOKEN_TTL_MS;
}

/* Slot of that token, or of the free slot where it would go; token_cap must be > 0. */
static size_t olock__fake_token_slot(const olock_fake *f, const char *s, size_t len, int *found) {
    size_t mask = f->token_cap - 1, i = (size_t)olock__fake_hash(s, len) & mask;
    *found = 0;
    for (;; i = (i + 1) & mask) {
        const olock__fake_token *t = &f->tokens[i];
        if (!t->token) return i;
        if (t->len == len && memcmp(t->token, s, len) == 0) {
            *found = 1;
            return i;
        }
    }
}

/* The live entry of a token, or NULL. */
static const olock__fake_token *olock__fake_token_find(const olock_fake *f, const char *s, size_t len) {
    int found;
    size_t i;
    if (!f->token_cap) return NULL;
    i = olock__fake_token_slot(f, s, len, &found);
    return found && olock__fake_token_live(f, &f->tokens[i]) ? &f->tokens[i] : NULL;
}

/* Makes room for one more token: rebuilds the table without the expired entries, larger when
   it would stay over a quarter full, so rebuilds are rare. -1 on OOM (nothing changed). */
static int olock__fake_token_reserve(olock_fake *f) {
    size_t live = 0, i, ncap = 16;
    olock__fake_token *nt;
    if (f->token_cap && (f->token_count + 1) * 2 <= f->token_cap) return 0;
    for (i = 0; i < f->token_cap; i++) live += f->tokens[i].token && olock__fake_token_live(f, &f->tokens[i]);
    while ((live + 1) * 4 > ncap) ncap *= 2;
    if (!(nt = (olock__fake_token *)olock__fake_malloc(&f->alloc, ncap * sizeof(*nt)))) return -1;
    memset(nt, 0, ncap * sizeof(*nt));
    for (i = 0; i < f->token_cap; i++) {
        olock__fake_token *t = &f->tokens[i];
        size_t j;
        if (!t->token) continue;
        if (!olock__fake_token_live(f, t)) {
            olock__fake_free(&f->alloc, t->token, t->len + 1);
            continue;
        }
        for (j = (size_t)olock__fake_hash(t->token, t->len) & (ncap - 1); nt[j].token; j = (j + 1) & (ncap - 1)) {}
        nt[j] = *t;
    }
    olock__fake_free(&f->alloc, f->tokens, f->token_cap * sizeof(*f->tokens));
    f->tokens = nt;
    f->token_cap = ncap;
    f->token_count = live;
    return 0;
}

/* Remembers a token after olock__fake_token_reserve; `copy` is an owned copy of it (taken
   over, or freed when an expired entry of the same token is refreshed). */
static void olock__fake_token_insert(olock_fake *f, char *copy, size_t len, uint64_t digest) {
    int found;
    size_t i = olock__fake_token_slot(f, copy, len, &found);
    olock__fake_token *t = &f->tokens[i];
    if (found) olock__fake_free(&f->alloc, copy, len + 1);
    else {
        t->token = copy;
        t->len = len;
        f->token_count++;
    }
    t->digest = digest;
    t->at_ms = f->now_ms;
}

/* ---- transactions: TransactWriteItems ------------------------------------------------------- */

/* One action of a TransactWriteItems and what running it did. */
typedef struct olock__fake_txa {
    int kind;              /* OLOCK__FAKE_TX_CHECK / PUT / DELETE / UPDATE */
    const olock_json *act; /* the action object */
    int has_cond, has_upd;
    olock__fake_subst sub;
    olock__fake_expr *cond, *upd;
    olock_value *item; /* Put: the Item */
    olock_value *key;  /* Key of the others */
    olock__fake_table *t;
    const olock_value *hk, *rk;
    int locked;              /* its condition held: no later action may touch the item */
    int writes;              /* a Put, Update or Delete whose result is `next` */
    const olock_value *next; /* the item after this action; NULL when deleted */
    olock_item *built;       /* the olock_item that will hold `next` in the store */
    size_t size;             /* size of `next` */
    olock__fake_part *part;  /* its reserved partition while committing */
} olock__fake_txa;

/* DynamoDB Local's member names for the action kinds (in "Value null at ..." messages). */
static const char *olock__fake_txn_member(int kind) {
    switch (kind) {
    case OLOCK__FAKE_TX_CHECK: return "conditionCheck";
    case OLOCK__FAKE_TX_PUT: return "put";
    case OLOCK__FAKE_TX_DELETE: return "delete";
    default: return "update";
    }
}

static int olock__fake_txn_null(olock__fake_ctx *c, size_t i, int kind, const char *member) {
    return olock__fake_verror(c, "Value null at 'transactItems.%u.member.%s.%s' failed to satisfy constraint: Member must not be null",
                              (unsigned)(i + 1), olock__fake_txn_member(kind), member);
}

/* "Transaction cancelled, please refer cancellation reasons for specific reasons [None, ...]" */
static int olock__fake_txn_cancel(olock__fake_ctx *c, olock__fake_reason *reasons, size_t n) {
    static const char *const codes[] = { "None", "ConditionalCheckFailed", "ValidationError" };
    olock_buf b;
    size_t i;
    olock_buf_init(&b, &c->f->alloc);
    for (i = 0; i < n; i++) {
        if ((i && olock_buf_append(&b, ", ", 2) != OLOCK_OK) || olock_buf_append_str(&b, codes[reasons[i].code]) != OLOCK_OK) {
            olock_buf_free(&b);
            return olock__fake_oom(c);
        }
    }
    olock__fake_err(c, 400, OLOCK__FAKE_NS "TransactionCanceledException",
                    "Transaction cancelled, please refer cancellation reasons for specific reasons [%.*s]", (int)b.len,
                    b.data ? b.data : "");
    olock_buf_free(&b);
    if (!c->oom) {
        c->reasons = reasons;
        c->nreasons = n;
    }
    return -1;
}

/* The first checks, on every action before anything runs: the action kind, the
   expressions with their names and values, the Item (its size) or the Key. `i` is the index. */
static int olock__fake_txn_prepare(olock__fake_ctx *c, const olock_json *el, olock__fake_txa *a) {
    static const struct {
        const char *name;
        size_t len;
        int kind;
    } kinds[] = {
        { "ConditionCheck", 14, OLOCK__FAKE_TX_CHECK }, { "Put", 3, OLOCK__FAKE_TX_PUT }, { "Delete", 6, OLOCK__FAKE_TX_DELETE }, { "Update", 6, OLOCK__FAKE_TX_UPDATE }
    };
    const olock_json *body = c->body, *j;
    const char *us = NULL;
    size_t ulen = 0, k;
    int n = 0, r;
    if (el->kind != OLOCK_JSON_OBJECT) return olock__fake_shape(c);
    for (k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++) {
        const olock_json *x = olock__fake_get_n(el, kinds[k].name, kinds[k].len);
        if (!x) continue;
        if (x->kind != OLOCK_JSON_OBJECT) return olock__fake_shape(c);
        if (!n++) {
            a->act = x;
            a->kind = kinds[k].kind;
        }
    }
    if (n == 0) return olock__fake_verror(c, "Invalid Request: TransactWriteRequest should contain Delete or Put or Update request");
    if (n > 1) return olock__fake_verror(c, "TransactItems can only contain one of Check, Put, Update or Delete");
    c->body = a->act; /* the shared request helpers read c->body */
    r = -1;
    if ((a->has_cond = olock__fake_get_str(c, a->act, "ConditionExpression", &us, &ulen)) < 0) goto done;
    if (a->kind == OLOCK__FAKE_TX_UPDATE && (a->has_upd = olock__fake_get_str(c, a->act, "UpdateExpression", &us, &ulen)) < 0)
        goto done;
    if (a->has_cond || a->has_upd) {
        if (olock__fake_subst_init(c, &a->sub, 1, 1, "", 1) < 0 || olock__fake_subst_values(c, &a->sub) < 0) goto done;
        if (a->has_upd && !(a->upd = olock__fake_compile(c, &a->sub, "UpdateExpression", us, ulen, OLOCK__FAKE_E_UPDATE)))
            goto done;
        if (olock__fake_condition(c, &a->sub, &a->cond) < 0 || olock__fake_subst_check_unused(c, &a->sub) < 0) goto done;
    }
    if (a->kind == OLOCK__FAKE_TX_PUT) {
        if ((j = olock__fake_get(a->act, "Item"))) {
            if (olock__fake_av_map(c, j, &a->item, 1) < 0) goto done;
            if (olock__fake_item_size(a->item) > OLOCK__FAKE_MAX_ITEM) {
                olock__fake_verror(c, "Item size has exceeded the maximum allowed size");
                goto done;
            }
        }
    } else if ((j = olock__fake_get(a->act, "Key")) && olock__fake_av_map(c, j, &a->key, 1) < 0) {
        goto done;
    }
    r = 0;
done:
    c->body = body;
    return r;
}

/* The item an action sees: what an earlier action of the transaction left (*locked set), else
   the stored one. */
static const olock_value *olock__fake_txn_current(olock__fake_txa *acts, size_t i, int *locked) {
    const olock__fake_txa *a = &acts[i];
    size_t j;
    for (j = 0; j < i; j++) {
        const olock__fake_txa *b = &acts[j];
        if (!b->locked || b->t != a->t || !olock__fake_equal(b->hk, a->hk)) continue;
        if (a->rk && !olock__fake_equal(b->rk, a->rk)) continue;
        *locked = 1;
        return b->next;
    }
    *locked = 0;
    return olock__fake_old_item(a->t, a->hk, a->rk, NULL, NULL);
}

/* The key of an action against its table: errors that stop the transaction return -1, those
   DynamoDB Local reports as the action's cancellation reason set *why. */
static int olock__fake_txn_key(olock__fake_ctx *c, olock__fake_txa *a, const char **why) {
    const olock__fake_table *t = a->t;
    const olock_value *key = a->kind == OLOCK__FAKE_TX_PUT ? a->item : a->key, *v[2] = { NULL, NULL };
    size_t k;
    *why = NULL;
    if (a->kind != OLOCK__FAKE_TX_PUT && key->count != t->key_count)
        return olock__fake_verror(c, "The number of conditions on the keys is invalid");
    for (k = 0; k < t->key_count; k++)
        if (!(v[k] = olock__fake_map_get(key, t->key[k].name, t->key[k].len)))
            return olock__fake_verror(c, "One of the required keys was not given a value");
    for (k = 0; k < t->key_count; k++) {
        if (v[k]->type != t->key[k].type) {
            if (!*why) *why = "One or more parameter values were invalid: Type mismatch for key";
        } else if (olock__fake_check_key_value(c, &t->key[k], v[k]) < 0) {
            return -1;
        }
    }
    for (k = 0; k < t->key_count && !*why; k++)
        if (olock__fake_value_size(v[k]) > (k == 0 ? 2048u : 1024u))
            *why = "Hash primary key values must be under 2048 bytes, and range primary key values must be under 1024 bytes";
    a->hk = v[0];
    a->rk = v[1];
    return 0;
}

/* Secondary index keys of a written item: a wrong type is the action's cancellation reason,
   an empty value stops the transaction. */
static int olock__fake_txn_index_keys(olock__fake_ctx *c, const olock__fake_table *t, const olock_value *item, int update,
                                      const char **why) {
    size_t i, k;
    for (i = 0; i < t->index_count; i++) {
        const olock__fake_index *x = &t->indexes[i];
        for (k = 0; k < x->key_count; k++) {
            const olock_value *v = olock__fake_map_get(item, x->key[k].name, x->key[k].len);
            /* not a reason: DynamoDB Local ends the whole request (as PutItem does) */
            if (v && v->type != OLOCK_TYPE_S && v->type != OLOCK_TYPE_N && v->type != OLOCK_TYPE_B)
                return olock__fake_verror(c, "Invalid attribute value type");
            if (v && v->type != x->key[k].type) {
                *why = "One or more parameter values were invalid: Type mismatch for Index Key";
                return 0;
            }
        }
    }
    return olock__fake_check_index_keys(c, t, item, update);
}

/* Runs action i on the transaction's view of the store: checks it against its table, evaluates
   its condition and works out its result, without storing anything. A failure DynamoDB Local
   reports per action goes to *why; -1 stops the transaction with the error set. */
static int olock__fake_txn_run(olock__fake_ctx *c, olock__fake_txa *acts, size_t i, int replay, olock__fake_reason *why,
                               olock__fake_units *units, size_t *nunits, int capacity) {
    olock__fake_txa *a = &acts[i];
    const olock_json *act = a->act;
    const char *name, *msg = NULL, *rvf;
    size_t nlen, rlen, k;
    const olock_value *old;
    int r, locked, all_old;
    uint64_t used = 0;
    /* the members DynamoDB requires, then the table */
    if ((r = olock__fake_get_str(c, act, "TableName", &name, &nlen)) < 0) return -1;
    if (!r) return olock__fake_txn_null(c, i, a->kind, "tableName");
    if (a->kind == OLOCK__FAKE_TX_PUT ? !olock__fake_get(act, "Item") : !olock__fake_get(act, "Key"))
        return olock__fake_txn_null(c, i, a->kind, a->kind == OLOCK__FAKE_TX_PUT ? "item" : "key");
    if (a->kind == OLOCK__FAKE_TX_CHECK && !a->has_cond) return olock__fake_txn_null(c, i, a->kind, "conditionExpression");
    if (!a->has_cond && !a->has_upd) {
        if (a->kind == OLOCK__FAKE_TX_UPDATE && olock__fake_get(act, "ExpressionAttributeValues"))
            return olock__fake_txn_null(c, i, a->kind, "updateExpression");
        if (olock__fake_get(act, "ExpressionAttributeNames"))
            return olock__fake_verror(c, "ExpressionAttributeNames can only be specified when using expressions");
        if (olock__fake_get(act, "ExpressionAttributeValues"))
            return olock__fake_verror(c, "ExpressionAttributeValues can only be specified when using expressions: ConditionExpression is null");
    }
    if (!olock__fake_valid_table_name(name, nlen)) return olock__fake_bad_table_name(c);
    if (!(a->t = olock__fake_table_find(c->f, name, nlen))) return olock__fake_no_table(c);
    if (olock__fake_txn_key(c, a, &msg) < 0) return -1;
    if (!msg && a->kind == OLOCK__FAKE_TX_PUT && olock__fake_txn_index_keys(c, a->t, a->item, 0, &msg) < 0) return -1;
    if (msg) {
        why->code = OLOCK__FAKE_REASON_VALIDATION;
        why->msg = msg;
        return 0;
    }
    /* a ConditionCheck's paths are not looked at; an update's paths only once its condition
       held (below) */
    if (a->kind != OLOCK__FAKE_TX_CHECK && olock__fake_key_paths(c, a->t, a->cond) < 0) return -1;
    old = olock__fake_txn_current(acts, i, &locked);
    if (!replay && a->cond && !olock__fake_eval(c, old, a->cond->root)) {
        if (c->oom) return -1;
        why->code = OLOCK__FAKE_REASON_CONDITION;
        why->msg = a->kind == OLOCK__FAKE_TX_CHECK ? "The conditional request failed." : "The conditional request failed";
        all_old = olock__fake_get_str(c, act, "ReturnValuesOnConditionCheckFailure", &rvf, &rlen) > 0 &&
            olock__fake_streq(rvf, rlen, "ALL_OLD");
        if (all_old && old && !(why->item = olock__fake_copy(c->a, old))) return olock__fake_oom(c);
        return 0;
    }
    if (c->oom) return -1;
    if (a->upd) { /* the hash key first, whatever the order of the actions */
        size_t q;
        for (q = 0; q < a->t->key_count; q++) {
            for (k = 0; k < a->upd->nacts; k++) {
                const olock__fake_pel *el = &a->upd->acts[k].path->els[0];
                char *text;
                olock__fake_reason *one;
                if (el->name_len != a->t->key[q].len || memcmp(el->name, a->t->key[q].name, el->name_len) != 0) continue;
                /* DynamoDB Local cancels at once, with this action's reason alone */
                if (!(text = (char *)olock__fake_alloc(c, a->t->key[q].len + 128)) ||
                    !(one = (olock__fake_reason *)olock__fake_alloc(c, sizeof(*one))))
                    return -1;
                snprintf(text, a->t->key[q].len + 128,
                         "One or more parameter values were invalid: Cannot update attribute %s. This attribute is part of the key",
                         a->t->key[q].name);
                one->code = OLOCK__FAKE_REASON_VALIDATION;
                one->msg = text;
                one->item = NULL;
                return olock__fake_txn_cancel(c, one, 1);
            }
        }
        if (olock__fake_key_paths(c, a->t, a->upd) < 0) return -1;
    }
    if (replay) { /* the transaction was applied before: only what it consumed */
        size_t osz = old ? olock__fake_item_size(old) : 0;
        if (!capacity) return 0;
        switch (a->kind) {
        case OLOCK__FAKE_TX_CHECK: used = olock__fake_txn_units(osz, 4); break;
        case OLOCK__FAKE_TX_DELETE: used = old ? olock__fake_txn_units(osz, 1) : 1; break;
        case OLOCK__FAKE_TX_PUT: {
            size_t nsz = olock__fake_item_size(a->item);
            used = olock__fake_txn_units(nsz > osz ? nsz : osz, 1);
            break;
        }
        default: used = olock__fake_txn_units(osz, 1); break;
        }
        olock__fake_units_add_distinct(units, nunits, a->t, used);
        return 0;
    }
    if (locked) return olock__fake_verror(c, "Transaction request cannot include multiple operations on one item");
    a->locked = 1;
    switch (a->kind) {
    case OLOCK__FAKE_TX_CHECK:
        a->next = old;
        used = olock__fake_txn_units(old ? olock__fake_item_size(old) : 0, 4);
        break;
    case OLOCK__FAKE_TX_DELETE:
        a->writes = 1;
        a->next = NULL;
        used = old ? olock__fake_txn_units(olock__fake_item_size(old), 1) : 1;
        break;
    case OLOCK__FAKE_TX_PUT: {
        size_t osz = old ? olock__fake_item_size(old) : 0;
        a->writes = 1;
        a->next = a->item;
        a->size = olock__fake_item_size(a->item);
        used = olock__fake_txn_units(a->size > osz ? a->size : osz, 1);
        break;
    }
    default: { /* Update: the new item is built in the olock_item that will be stored */
        olock_value *item;
        size_t osz = old ? olock__fake_item_size(old) : 0;
        if (olock__fake_item_new(c->f, &a->built) != OLOCK_OK) return olock__fake_oom(c);
        if (!(item = olock__fake_copy(olock_item_arena(a->built), old ? old : a->key))) return olock__fake_oom(c);
        item->key = NULL;
        item->key_len = 0;
        a->built->root = item;
        if (a->upd && olock__fake_apply_update(c, olock_item_arena(a->built), old ? old : a->key, item, a->upd) < 0)
            return -1;
        if (olock__fake_sort_members(c, item, 0) < 0) return -1;
        if (olock__fake_txn_index_keys(c, a->t, item, 1, &msg) < 0) return -1;
        a->size = olock__fake_item_size(item);
        if (!msg && a->size > OLOCK__FAKE_MAX_ITEM) msg = "Item size to update has exceeded the maximum allowed size";
        a->writes = 1;
        a->next = item;
        used = olock__fake_txn_units(a->size > osz ? a->size : osz, 1);
        break;
    }
    }
    if (msg) {
        why->code = OLOCK__FAKE_REASON_VALIDATION;
        why->msg = msg;
        return 0;
    }
    if (capacity) olock__fake_units_add_distinct(units, nunits, a->t, used);
    return 0;
}

/* Stores the results of a transaction that succeeded, all or nothing: first everything that
   can fail (copies, partition room), then the swaps. */
static int olock__fake_txn_commit(olock__fake_ctx *c, olock__fake_txa *acts, size_t n) {
    olock_fake *f = c->f;
    size_t i, j;
    for (i = 0; i < n; i++) {
        olock__fake_txa *a = &acts[i];
        size_t more = 1;
        if (!a->writes || !a->next) continue;
        if (!a->built) { /* a Put: its own copy */
            olock_value *root;
            if (olock__fake_item_new(f, &a->built) != OLOCK_OK) goto fail;
            if (!(root = olock__fake_copy(olock_item_arena(a->built), a->next))) goto fail;
            root->key = NULL;
            root->key_len = 0;
            a->built->root = root;
        }
        for (j = 0; j < i; j++)
            if (acts[j].part && acts[j].t == a->t && olock__fake_equal(acts[j].hk, a->hk)) more++;
        if (!(a->part = olock__fake_part_reserve(f, a->t, a->hk, more))) goto fail;
    }
    for (i = 0; i < n; i++) {
        olock__fake_txa *a = &acts[i];
        if (!a->writes || !a->next) continue;
        olock__fake_store(f, a->t, a->part, a->built, a->size);
        a->built = NULL;
    }
    for (i = 0; i < n; i++) {
        olock__fake_txa *a = &acts[i];
        olock__fake_entry *en;
        olock__fake_part *p;
        if (!a->writes || a->next) continue;
        if (olock__fake_old_item(a->t, a->hk, a->rk, &en, &p)) olock__fake_erase(f, a->t, p, en);
    }
    return 0;
fail:
    for (i = 0; i < n; i++) {
        olock__fake_txa *a = &acts[i];
        if (!a->part) continue;
        for (j = 0; j < i && acts[j].part != a->part; j++) {}
        if (j == i) olock__fake_part_drop_if_empty(f, a->t, a->part);
    }
    for (i = 0; i < n; i++) acts[i].part = NULL;
    return olock__fake_oom(c);
}

/* ReturnConsumedCapacity of the multi-item operations: 0 NONE, 1 TOTAL, 2 INDEXES, 3 any
   other text. */
static int olock__fake_capacity_mode(olock__fake_ctx *c, int *mode) {
    const char *s;
    size_t len;
    int r = olock__fake_get_str(c, c->body, "ReturnConsumedCapacity", &s, &len);
    *mode = 0;
    if (r <= 0) return r;
    if (olock__fake_streq(s, len, "NONE")) *mode = 0;
    else if (olock__fake_streq(s, len, "TOTAL")) *mode = 1;
    else if (olock__fake_streq(s, len, "INDEXES")) *mode = 2;
    else *mode = 3;
    return 0;
}

static int olock__fake_op_transact_write(olock__fake_ctx *c) {
    olock_fake *f = c->f;
    const olock_json *items = olock__fake_body_get(c, "TransactItems"), *el;
    const char *tok = NULL;
    size_t tlen = 0, n, i, nunits = 0;
    olock__fake_txa *acts;
    olock__fake_reason *reasons;
    olock__fake_units *units;
    const olock__fake_token *seen = NULL;
    uint64_t digest = 0;
    int has_tok, mode, cancelled = 0, rc = -1;
    char *copy = NULL;
    if (items && items->kind != OLOCK_JSON_ARRAY) return olock__fake_shape(c);
    if (!items) return olock__fake_verror(c, "Value null at 'transactItems' failed to satisfy constraint: Member must not be null");
    if (items->count == 0)
        return olock__fake_verror(c, "Value [] at 'transactItems' failed to satisfy constraint: Member must have length greater than or equal to 1");
    if (items->count > 100) return olock__fake_verror(c, "Member must have length less than or equal to 100");
    if ((has_tok = olock__fake_get_str(c, c->body, "ClientRequestToken", &tok, &tlen)) < 0) return -1;
    if (has_tok && tlen > 36)
        return olock__fake_verror(c, "Value %.*s at 'clientRequestToken' failed to satisfy constraint: Member must have length less than or equal to 36",
                                  (int)tlen, tok);
    if (olock__fake_capacity_mode(c, &mode) < 0) return -1;
    n = items->count;
    acts = (olock__fake_txa *)olock__fake_alloc(c, n * sizeof(*acts));
    reasons = (olock__fake_reason *)olock__fake_alloc(c, n * sizeof(*reasons));
    units = (olock__fake_units *)olock__fake_alloc(c, n * sizeof(*units));
    if (!acts || !reasons || !units) return -1;
    memset(acts, 0, n * sizeof(*acts));
    memset(reasons, 0, n * sizeof(*reasons));
    for (el = items->first, i = 0; el; el = el->next, i++)
        if (olock__fake_txn_prepare(c, el, &acts[i]) < 0) return -1;
    if (has_tok) {
        digest = olock__fake_json_digest(items);
        seen = olock__fake_token_find(f, tok, tlen);
        if (seen && seen->digest != digest)
            return olock__fake_err(c, 400, OLOCK__FAKE_NS "IdempotentParameterMismatchException", "%s", "");
    }
    for (i = 0; i < n; i++) {
        if (olock__fake_txn_run(c, acts, i, seen != NULL, &reasons[i], units, &nunits, mode != 0) < 0) goto done;
        if (reasons[i].code) cancelled = 1;
    }
    if (cancelled) {
        olock__fake_txn_cancel(c, reasons, n);
        goto done;
    }
    olock__fake_units_total(units, &nunits);
    if (olock__fake_puts(c, "{") < 0) goto done;
    if (mode && olock__fake_write_units(c, units, mode == 3 ? 0 : nunits, n, mode == 2) < 0) goto done;
    if (olock__fake_puts(c, "}") < 0) goto done;
    if (!seen) {
        if (has_tok) { /* everything that can fail before the store changes */
            if (olock__fake_token_reserve(f) < 0 || !(copy = (char *)olock__fake_malloc(&f->alloc, tlen + 1))) {
                olock__fake_oom(c);
                goto done;
            }
            memcpy(copy, tok, tlen);
            copy[tlen] = 0;
        }
        if (olock__fake_txn_commit(c, acts, n) < 0) goto done;
        if (copy) olock__fake_token_insert(f, copy, tlen, digest);
        copy = NULL;
    }
    rc = 0;
done:
    if (copy) olock__fake_free(&f->alloc, copy, tlen + 1);
    for (i = 0; i < n; i++) olock__fake_item_drop(f, acts[i].built);
    return rc;
}

/* ---- transactions: TransactGetItems --------------------------------------------------------- */

static int olock__fake_tg_cancel(olock__fake_ctx *c, const char *msg) {
    return olock__fake_err(c, 400, OLOCK__FAKE_NS "TransactionCanceledException", "%s", msg);
}

static int olock__fake_op_transact_get(olock__fake_ctx *c) {
    const olock_json *items = olock__fake_body_get(c, "TransactItems"), *el, *body = c->body;
    size_t n, i, j, k, nunits = 0;
    const olock__fake_table **tabs;
    const olock_value **keys, **found;
    olock__fake_expr **projs;
    olock__fake_units *units;
    int mode;
    if (items && items->kind != OLOCK_JSON_ARRAY) return olock__fake_shape(c);
    for (el = items ? items->first : NULL; el; el = el->next)
        if (el->kind != OLOCK_JSON_OBJECT) return olock__fake_shape(c);
    if (items && items->count > 100) return olock__fake_verror(c, "Member must have length less than or equal to 100");
    for (el = items ? items->first : NULL; el && olock__fake_get(el, "Get"); el = el->next) {}
    if (!items || !items->count || el)
        return olock__fake_verror(c, "Value null at 'transactItems' failed to satisfy constraint: Member must not be null");
    if (olock__fake_capacity_mode(c, &mode) < 0) return -1;
    n = items->count;
    tabs = (const olock__fake_table **)olock__fake_alloc(c, n * sizeof(*tabs));
    keys = (const olock_value **)olock__fake_alloc(c, 2 * n * sizeof(*keys));
    found = (const olock_value **)olock__fake_alloc(c, n * sizeof(*found));
    projs = (olock__fake_expr **)olock__fake_alloc(c, n * sizeof(*projs));
    units = (olock__fake_units *)olock__fake_alloc(c, n * sizeof(*units));
    if (!tabs || !keys || !found || !projs || !units) return -1;
    for (el = items->first, i = 0; el; el = el->next, i++) {
        const olock_json *g = olock__fake_get(el, "Get"), *kj;
        const char *name, *ps;
        size_t nlen, plen;
        olock__fake_subst sub;
        olock_value *key = NULL;
        const olock__fake_table *t;
        int r, has_proj;
        if (g->kind != OLOCK_JSON_OBJECT) return olock__fake_shape(c);
        if ((r = olock__fake_get_str(c, g, "TableName", &name, &nlen)) < 0) return -1;
        if (!r) return olock__fake_verror(c, "Requested resource not found");
        if (!olock__fake_valid_table_name(name, nlen) || !(t = olock__fake_table_find(c->f, name, nlen)))
            return olock__fake_no_table(c);
        if (!(kj = olock__fake_get(g, "Key"))) return olock__fake_verror(c, "Get Condition for key not in key list");
        projs[i] = NULL;
        c->body = g;
        r = -1;
        if ((has_proj = olock__fake_get_str(c, g, "ProjectionExpression", &ps, &plen)) < 0) goto restore;
        if (olock__fake_subst_init(c, &sub, has_proj, 0, "", 0) < 0) goto restore;
        if (has_proj && !(projs[i] = olock__fake_compile(c, &sub, "ProjectionExpression", ps, plen, OLOCK__FAKE_E_PROJECTION)))
            goto restore;
        if (olock__fake_subst_check_unused(c, &sub) < 0) goto restore;
        r = olock__fake_av_map(c, kj, &key, 1);
    restore:
        c->body = body;
        if (r < 0 || olock__fake_key_paths(c, t, projs[i]) < 0) return -1;
        if (key->count != t->key_count) return olock__fake_tg_cancel(c, "The number of conditions on the keys is invalid");
        for (k = 0; k < 2; k++) keys[2 * i + k] = NULL;
        for (k = 0; k < t->key_count; k++)
            if (!(keys[2 * i + k] = olock__fake_map_get(key, t->key[k].name, t->key[k].len)))
                return olock__fake_tg_cancel(c, "One of the required keys was not given a value");
        for (k = 0; k < t->key_count; k++)
            if (keys[2 * i + k]->type != t->key[k].type)
                return olock__fake_tg_cancel(c, "One or more parameter values were invalid: Type mismatch for key");
        for (k = 0; k < t->key_count; k++)
            if (olock__fake_check_key_value(c, &t->key[k], keys[2 * i + k]) < 0) return -1;
        for (k = 0; k < t->key_count; k++)
            if (olock__fake_value_size(keys[2 * i + k]) > (k == 0 ? 2048u : 1024u))
                return olock__fake_verror(c, "Hash primary key values must be under 2048 bytes, and range primary key values must be under 1024 bytes");
        tabs[i] = t;
        for (j = 0; j < i; j++)
            if (tabs[j] == t && olock__fake_equal(keys[2 * j], keys[2 * i]) &&
                (!keys[2 * i + 1] || olock__fake_equal(keys[2 * j + 1], keys[2 * i + 1])))
                return olock__fake_verror(c, "Transaction request cannot include multiple operations on one item");
    }
    for (i = 0; i < n; i++) {
        found[i] = olock__fake_old_item(tabs[i], keys[2 * i], keys[2 * i + 1], NULL, NULL);
        if (mode) olock__fake_units_add(units, &nunits, tabs[i], olock__fake_txn_units(found[i] ? olock__fake_item_size(found[i]) : 0, 4));
    }
    if (olock__fake_puts(c, "{") < 0) return -1;
    if (mode && (olock__fake_write_units(c, units, nunits, 16, mode != 1) < 0 || olock__fake_puts(c, ",") < 0)) return -1;
    if (olock__fake_puts(c, "\"Responses\":[") < 0) return -1;
    for (i = 0; i < n; i++) {
        if (i && olock__fake_puts(c, ",") < 0) return -1;
        if (!found[i]) {
            if (olock__fake_puts(c, "{}") < 0) return -1;
            continue;
        }
        {
            const olock_value *out = projs[i] ? olock__fake_project(c, found[i], projs[i]) : found[i];
            if (!out || olock__fake_puts(c, "{\"Item\":") < 0 || olock__fake_write_map(c, out) < 0 || olock__fake_puts(c, "}") < 0)
                return -1;
        }
    }
    return olock__fake_puts(c, "]}");
}
