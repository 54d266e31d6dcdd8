/* =============================================================================================
   >>query (implementation)
   ========================================================================================== */

/* ---- Query and Scan ----------------------------------------------------------------------- */

#define OLOCK__FAKE_PAGE_BYTES 1048576u /* a page of Query or Scan ends after 1 MB of items */

/* Operators of a key condition. */
enum { OLOCK__FAKE_KC_EQ = 1,
       OLOCK__FAKE_KC_LT,
       OLOCK__FAKE_KC_LE,
       OLOCK__FAKE_KC_GT,
       OLOCK__FAKE_KC_GE,
       OLOCK__FAKE_KC_BETWEEN,
       OLOCK__FAKE_KC_BEGINS };

/* Select. */
#define OLOCK__FAKE_SEL_ALL 1
#define OLOCK__FAKE_SEL_PROJECTED 2
#define OLOCK__FAKE_SEL_SPECIFIC 3
#define OLOCK__FAKE_SEL_COUNT 4

/* One condition of a key condition: attribute, operator, values. */
typedef struct olock__fake_kcond {
    const char *name;
    size_t len;
    int op; /* OLOCK__FAKE_KC_*, 0: none */
    const olock_value *v1, *v2;
} olock__fake_kcond;

/* A Query or Scan, checked. */
typedef struct olock__fake_read {
    int query;
    olock__fake_table *t;
    const olock__fake_index *x;      /* the index read, or NULL for the table */
    const olock__fake_attr *kh, *kr; /* the hash and range key (NULL) of what is read */
    olock__fake_subst sub;
    olock__fake_expr *filter, *proj;
    const olock_json *legacy_filter; /* QueryFilter / ScanFilter */
    const olock_json *atg;           /* AttributesToGet */
    olock__fake_kcond hc, rc;        /* Query: the hash and range conditions */
    int forward, consistent, select, capacity, segmented;
    int fetch; /* an LSI read that needs attributes the LSI lacks */
    long long limit, segment, total;
    olock_value *esk; /* ExclusiveStartKey */
} olock__fake_read;

/* One item in the order a read walks. */
typedef struct olock__fake_row {
    const olock_value *item;
    size_t size; /* its size in the table */
    int has_hd;
    unsigned char hd[20];  /* Scan: the digest that orders partitions */
    const olock_value *r;  /* the range value that orders, or NULL */
    unsigned char tie[20]; /* indexes: what orders equal range values */
    const olock_value *r2; /* LSI Scan: the table's range key, after the LSI's */
    const olock_value *h;  /* GSI Scan: its hash key, which orders first, by value */
} olock__fake_row;

static int olock__fake_row_cmp(const olock__fake_row *a, const olock__fake_row *b) {
    int r;
    if (a->h && b->h && (r = olock__fake_scalar_cmp(a->h, b->h)) != 0) return r;
    if (a->has_hd && b->has_hd && (r = memcmp(a->hd, b->hd, 20)) != 0) return r;
    if (a->r && b->r && (r = olock__fake_scalar_cmp(a->r, b->r)) != 0) return r;
    if ((r = memcmp(a->tie, b->tie, 20)) != 0) return r;
    return a->r2 && b->r2 ? olock__fake_scalar_cmp(a->r2, b->r2) : 0;
}

static int olock__fake_row_qsort(const void *a, const void *b) {
    return olock__fake_row_cmp((const olock__fake_row *)a, (const olock__fake_row *)b);
}

static int olock__fake_part_qsort(const void *a, const void *b) {
    return memcmp((*(const olock__fake_part *const *)a)->digest, (*(const olock__fake_part *const *)b)->digest, 20);
}

/* The orders DynamoDB Local reads in: the table by partition digest then range key; a GSI by
   its hash key (by value in a Scan), its range key, then the digest of the table key; an LSI Query
   by the LSI's range key then the digest of the table's range key; an LSI Scan by partition
   digest, the LSI's range key, then the table's range key. Query has a single hash key. */
static void olock__fake_row_fill(const olock__fake_read *rd, const olock_value *item, const unsigned char *pdigest,
                                 olock__fake_row *row) {
    const olock__fake_table *t = rd->t;
    const olock__fake_index *x = rd->x;
    const olock_value *th = olock__fake_map_get(item, t->key[0].name, t->key[0].len);
    const olock_value *tr = t->key_count > 1 ? olock__fake_map_get(item, t->key[1].name, t->key[1].len) : NULL;
    row->item = item;
    row->has_hd = 0;
    row->r = NULL;
    row->r2 = NULL;
    row->h = NULL;
    memset(row->tie, 0, sizeof(row->tie));
    if (!x || !x->global) {
        row->r = x ? olock__fake_map_get(item, x->key[1].name, x->key[1].len) : tr;
        if (!rd->query) {
            row->has_hd = 1;
            if (pdigest) memcpy(row->hd, pdigest, 20);
            else olock__fake_key_digest(th, row->hd);
            if (x) row->r2 = tr;
        } else if (x) {
            olock__fake_key_digest(tr, row->tie);
        }
        return;
    }
    row->r = x->key_count > 1 ? olock__fake_map_get(item, x->key[1].name, x->key[1].len) : NULL;
    if (!rd->query) { /* a GSI Scan walks its hash keys in value order (k0, k1, k2, not by digest) */
        row->has_hd = 1;
        row->h = olock__fake_map_get(item, x->key[0].name, x->key[0].len);
        olock__fake_key_digest(row->h, row->hd);
    }
    olock__fake_tie_digest(th, tr, row->tie);
}

/* Writes keep index key types, but an index that UpdateTable added may find older items whose
   attribute has another type: they are not in it. */
static int olock__fake_in_index(const olock__fake_index *x, const olock_value *item) {
    size_t k;
    for (k = 0; k < x->key_count; k++) {
        const olock_value *v = olock__fake_map_get(item, x->key[k].name, x->key[k].len);
        if (!v || v->type != x->key[k].type) return 0;
    }
    return 1;
}

/* Segment of a Scan a digest belongs to: its place in [0, 2^160) cut in `total` parts. */
static long long olock__fake_segment_of(const unsigned char *d, long long total) {
    uint64_t top = ((uint64_t)d[0] << 24) | ((uint64_t)d[1] << 16) | ((uint64_t)d[2] << 8) | d[3];
    return (long long)((top * (uint64_t)total) >> 32);
}

static int olock__fake_kc_holds(const olock__fake_kcond *k, const olock_value *v) {
    int r;
    if (!k->op) return 1;
    if (!v) return 0;
    if (k->op == OLOCK__FAKE_KC_BEGINS)
        return v->type == k->v1->type && k->v1->len <= v->len && memcmp(v->str, k->v1->str, k->v1->len) == 0;
    if (v->type != k->v1->type) return 0;
    r = olock__fake_scalar_cmp(v, k->v1);
    switch (k->op) {
    case OLOCK__FAKE_KC_EQ: return r == 0;
    case OLOCK__FAKE_KC_LT: return r < 0;
    case OLOCK__FAKE_KC_LE: return r <= 0;
    case OLOCK__FAKE_KC_GT: return r > 0;
    case OLOCK__FAKE_KC_GE: return r >= 0;
    default: return r >= 0 && olock__fake_scalar_cmp(v, k->v2) <= 0;
    }
}

/* Whether an index carries an attribute (ALL carries everything). */
static int olock__fake_projects(const olock__fake_table *t, const olock__fake_index *x, const char *name, size_t len) {
    size_t k;
    if (x->projection == 1) return 1;
    for (k = 0; k < t->key_count; k++)
        if (t->key[k].len == len && memcmp(t->key[k].name, name, len) == 0) return 1;
    for (k = 0; k < x->key_count; k++)
        if (x->key[k].len == len && memcmp(x->key[k].name, name, len) == 0) return 1;
    for (k = 0; x->projection == 3 && k < x->non_key_count; k++)
        if (x->non_key_len[k] == len && memcmp(x->non_key[k], name, len) == 0) return 1;
    return 0;
}

/* The members of `item` that `keep` accepts, copied in the order DynamoDB Local meets them:
   it walks the item as a default java.util.HashMap (which decides their order within the
   buckets of the smaller map). `x` NULL: the key attributes of the table and of `ix`. */
static olock_value *olock__fake_sub_item(olock__fake_ctx *c, const olock__fake_table *t, const olock__fake_index *x,
                                         const olock__fake_index *ix, const olock_value *item) {
    olock_value *out = olock__fake_newval(c->a, OLOCK_TYPE_M);
    const olock_value **mem;
    const char **names;
    size_t *lens, *order, n = item->count, i, k;
    if (!out) {
        c->oom = 1;
        return NULL;
    }
    mem = (const olock_value **)olock__fake_alloc(c, (n + 1) * sizeof(*mem));
    names = (const char **)olock__fake_alloc(c, (n + 1) * sizeof(*names));
    lens = (size_t *)olock__fake_alloc(c, (n + 1) * sizeof(*lens));
    order = (size_t *)olock__fake_alloc(c, (n + 1) * sizeof(*order));
    if (!mem || !names || !lens || !order) return NULL;
    for (i = 0, mem[0] = item->first; i < n && mem[i]; i++) {
        names[i] = mem[i]->key;
        lens[i] = mem[i]->key_len;
        mem[i + 1] = mem[i]->next;
    }
    if (olock__fake_hash_order(c, names, lens, n, 16, order) < 0) return NULL;
    for (i = 0; i < n; i++) {
        const olock_value *m = mem[order[i]];
        olock_value *cp;
        int keep = 0;
        if (x) keep = olock__fake_projects(t, x, m->key, m->key_len);
        for (k = 0; !x && !keep && k < t->key_count; k++)
            keep = t->key[k].len == m->key_len && memcmp(t->key[k].name, m->key, m->key_len) == 0;
        for (k = 0; !x && !keep && ix && k < ix->key_count; k++)
            keep = ix->key[k].len == m->key_len && memcmp(ix->key[k].name, m->key, m->key_len) == 0;
        if (!keep) continue;
        if (!(cp = olock__fake_copy(c->a, m))) {
            c->oom = 1;
            return NULL;
        }
        olock__fake_append(out, cp);
    }
    return out;
}

/* The item as an index holds it. */
static const olock_value *olock__fake_index_item(olock__fake_ctx *c, const olock__fake_table *t, const olock__fake_index *x,
                                                 const olock_value *item) {
    return x->projection == 1 ? item : olock__fake_sub_item(c, t, x, NULL, item);
}

/* 1 when a path of `n` (a condition tree or a projection's paths) names an attribute the
   index does not carry. */
static int olock__fake_needs_fetch(const olock__fake_read *rd, const olock__fake_node *n) {
    size_t i;
    if (n->kind == OLOCK__FAKE_N_PATH) return !olock__fake_projects(rd->t, rd->x, n->els[0].name, n->els[0].name_len);
    for (i = 0; i < n->nargs; i++)
        if (olock__fake_needs_fetch(rd, n->args[i])) return 1;
    return 0;
}

/* "... does not project [a, b]": the top-level names of `e`'s paths the index lacks, in the
   order of a java.util.HashSet. 0 when all are there. */
static int olock__fake_unprojected(olock__fake_ctx *c, const olock__fake_read *rd, olock__fake_expr *e, int filter) {
    const char **names;
    size_t *lens, *order, n = 0, i, j, cap = e->npaths + 8;
    olock__fake_node **stack;
    size_t top = 0;
    olock_buf b;
    if (!rd->x || !rd->x->global || rd->x->projection == 1) return 0;
    names = (const char **)olock__fake_alloc(c, cap * sizeof(*names));
    lens = (size_t *)olock__fake_alloc(c, cap * sizeof(*lens));
    if (!names || !lens) return -1;
    /* the paths of a projection, or every path of a condition tree */
    stack = (olock__fake_node **)olock__fake_alloc(c, (2 * e->ntoks + e->npaths + 2) * sizeof(*stack)); /* >= the nodes */
    if (!stack) return -1;
    for (i = 0; i < e->npaths; i++) stack[top++] = e->paths[i];
    if (e->root) stack[top++] = e->root;
    while (top) {
        olock__fake_node *nd = stack[--top];
        if (nd->kind == OLOCK__FAKE_N_PATH) {
            const olock__fake_pel *el = &nd->els[0];
            if (olock__fake_projects(rd->t, rd->x, el->name, el->name_len)) continue;
            for (j = 0; j < n && !(lens[j] == el->name_len && memcmp(names[j], el->name, lens[j]) == 0); j++) {}
            if (j < n) continue;
            if (n == cap) {
                size_t ncap = cap * 2;
                const char **nn = (const char **)olock__fake_alloc(c, ncap * sizeof(*nn));
                size_t *nl = (size_t *)olock__fake_alloc(c, ncap * sizeof(*nl));
                if (!nn || !nl) return -1;
                memcpy(nn, names, n * sizeof(*nn));
                memcpy(nl, lens, n * sizeof(*nl));
                names = nn;
                lens = nl;
                cap = ncap;
            }
            names[n] = el->name;
            lens[n++] = el->name_len;
            continue;
        }
        for (i = nd->nargs; i > 0; i--) stack[top++] = nd->args[i - 1];
    }
    if (!n) return 0;
    /* the paths came off the stack last first: restore the order they were written in */
    for (i = 0; i < n / 2; i++) {
        const char *tn = names[i];
        size_t tl = lens[i];
        names[i] = names[n - 1 - i];
        lens[i] = lens[n - 1 - i];
        names[n - 1 - i] = tn;
        lens[n - 1 - i] = tl;
    }
    if (!(order = (size_t *)olock__fake_alloc(c, n * sizeof(*order)))) return -1;
    if (olock__fake_hash_order(c, names, lens, n, 16, order) < 0) return -1;
    olock_buf_init(&b, &c->f->alloc);
    for (i = 0; i < n; i++)
        if ((i && olock_buf_append(&b, ", ", 2) != OLOCK_OK) || olock_buf_append(&b, names[order[i]], lens[order[i]]) != OLOCK_OK) {
            olock_buf_free(&b);
            return olock__fake_oom(c);
        }
    if (filter)
        olock__fake_verror(c, "One or more parameter values were invalid: Secondary index %s does not project one or more filter attributes: [%.*s]",
                           rd->x->name, (int)b.len, b.data);
    else
        olock__fake_verror(c, "One or more parameter values were invalid: Global secondary index %s does not project [%.*s]", rd->x->name,
                           (int)b.len, b.data);
    olock_buf_free(&b);
    return -1;
}

/* Reads one condition of a KeyConditionExpression into rd->hc / rd->rc; `seen` holds the
   attributes already conditioned. */
static int olock__fake_kc_leaf(olock__fake_ctx *c, olock__fake_read *rd, olock__fake_node *n, olock__fake_kcond *seen, size_t *nseen) {
    static const int mirror[] = { 0, OLOCK__FAKE_KC_EQ, OLOCK__FAKE_KC_GT, OLOCK__FAKE_KC_GE, OLOCK__FAKE_KC_LT, OLOCK__FAKE_KC_LE };
    olock__fake_kcond k;
    olock__fake_node *path = NULL;
    size_t i, npaths = 0, pos = 0;
    (void)rd; /* the values are checked against the keys later, olock__fake_kc_types */
    memset(&k, 0, sizeof(k));
    for (i = 0; i < n->nargs; i++) {
        olock__fake_node *a = n->args[i];
        if (a->kind != OLOCK__FAKE_N_PATH && a->kind != OLOCK__FAKE_N_VALUE)
            return olock__fake_verror(c, "KeyConditionExpressions cannot contain nested operations");
        if (a->kind == OLOCK__FAKE_N_PATH) {
            path = a;
            pos = i;
            npaths++;
        }
    }
    if (!npaths) return olock__fake_verror(c, "Invalid condition in KeyConditionExpression: No key attribute specified");
    if (npaths > 1) return olock__fake_verror(c, "Invalid condition in KeyConditionExpression: Multiple attribute names used in one condition");
    /* (paths into key attributes were rejected before, olock__fake_key_paths) */
    if (path->nels > 1) return olock__fake_verror(c, "KeyConditionExpressions cannot have conditions on nested attributes");
    k.name = path->els[0].name;
    k.len = path->els[0].name_len;
    if (n->kind == OLOCK__FAKE_N_CMP) {
        static const int ops[] = { OLOCK__FAKE_KC_EQ, 0, OLOCK__FAKE_KC_LT, OLOCK__FAKE_KC_LE, OLOCK__FAKE_KC_GT, OLOCK__FAKE_KC_GE };
        k.op = ops[n->op - OLOCK__FAKE_T_EQ];
        if (pos == 1) k.op = mirror[k.op];
        k.v1 = n->args[1 - pos]->value;
    } else if (pos != 0) {
        return olock__fake_verror(c, "Query key condition not supported");
    } else if (n->kind == OLOCK__FAKE_N_BETWEEN) {
        k.op = OLOCK__FAKE_KC_BETWEEN;
        k.v1 = n->args[1]->value;
        k.v2 = n->args[2]->value;
    } else {
        k.op = OLOCK__FAKE_KC_BEGINS;
        k.v1 = n->args[1]->value;
    }
    for (i = 0; i < *nseen; i++)
        if (seen[i].len == k.len && memcmp(seen[i].name, k.name, k.len) == 0)
            return olock__fake_verror(c, "KeyConditionExpressions must only contain one condition per key");
    seen[(*nseen)++] = k;
    return 0;
}

/* The values of a condition on a key attribute against the key's type. DynamoDB Local checks
   them once every condition was read, after a condition twice on one attribute, too many
   conditions, and (a table or index without range key) a second condition. */
static int olock__fake_kc_types(olock__fake_ctx *c, olock__fake_read *rd, const olock__fake_kcond *k) {
    const olock__fake_attr *key = NULL;
    if (rd->kh->len == k->len && memcmp(rd->kh->name, k->name, k->len) == 0) key = rd->kh;
    else if (rd->kr && rd->kr->len == k->len && memcmp(rd->kr->name, k->name, k->len) == 0) key = rd->kr;
    if (!key) return 0;
    if (k->v1->type != key->type || (k->v2 && k->v2->type != key->type))
        return olock__fake_verror(c, "One or more parameter values were invalid: Condition parameter type does not match schema type");
    if ((k->v1->type != OLOCK_TYPE_N && k->v1->len == 0) || (k->v2 && k->v2->type != OLOCK_TYPE_N && k->v2->len == 0)) {
        if (rd->x) /* reading an index: DynamoDB Local names it */
            return olock__fake_verror(c, "One or more parameter values are not valid. A value specified for a secondary index key is not supported. The AttributeValue for a key attribute cannot contain an empty %s value. IndexName: %s, IndexKey: %s",
                                      k->v1->type == OLOCK_TYPE_S ? "string" : "binary", rd->x->name, key->name);
        return olock__fake_verror(c, "One or more parameter values are not valid. The AttributeValue for a key attribute cannot contain an empty %s value. Key: %s",
                                  k->v1->type == OLOCK_TYPE_S ? "string" : "binary", key->name);
    }
    return 0;
}

/* The conditions of a KeyConditionExpression: one or two, joined by AND. */
static int olock__fake_kc_collect(olock__fake_ctx *c, olock__fake_expr *e, olock__fake_node *n, olock__fake_node **leaves, size_t *count) {
    int len;
    switch (n->kind) {
    case OLOCK__FAKE_N_AND:
        if (olock__fake_kc_collect(c, e, n->args[0], leaves, count) < 0) return -1;
        return olock__fake_kc_collect(c, e, n->args[1], leaves, count);
    case OLOCK__FAKE_N_OR: return olock__fake_verror(c, "Invalid operator used in KeyConditionExpression: OR");
    case OLOCK__FAKE_N_NOT: return olock__fake_verror(c, "Invalid operator used in KeyConditionExpression: NOT");
    case OLOCK__FAKE_N_IN: return olock__fake_verror(c, "Invalid operator used in KeyConditionExpression: IN");
    case OLOCK__FAKE_N_CMP:
        if (n->op == OLOCK__FAKE_T_NE) return olock__fake_verror(c, "Invalid operator used in KeyConditionExpression: <>");
        break;
    case OLOCK__FAKE_N_FUNC:
        if (n->op != OLOCK__FAKE_F_BEGINS) {
            const char *name = olock__fake_tok_str(e, n->tok, &len);
            return olock__fake_verror(c, "Invalid operator used in KeyConditionExpression: %.*s", len, name);
        }
        break;
    default:
        break;
    }
    leaves[(*count)++] = n; /* a condition takes at least one token: room for all */
    return 0;
}

/* The checks that need every condition, as DynamoDB Local makes them: a condition on the hash
   key, which is '='; no more conditions than keys ("not supported" too, so `pk = :p AND x = :x`
   on a hash-only table); the other condition on the range key. */
static int olock__fake_kc_finish(olock__fake_ctx *c, olock__fake_read *rd, const olock__fake_kcond *seen, size_t nseen) {
    size_t i;
    for (i = 0; i < nseen; i++)
        if (rd->kh->len == seen[i].len && memcmp(rd->kh->name, seen[i].name, seen[i].len) == 0) rd->hc = seen[i];
    if (!rd->hc.op) return olock__fake_verror(c, "Query condition missed key schema element");
    if (rd->hc.op != OLOCK__FAKE_KC_EQ || nseen > (rd->kr ? 2u : 1u)) return olock__fake_verror(c, "Query key condition not supported");
    for (i = 0; i < nseen; i++) {
        const olock__fake_kcond *k = &seen[i];
        if (rd->kh->len == k->len && memcmp(rd->kh->name, k->name, k->len) == 0) continue;
        if (rd->kr && rd->kr->len == k->len && memcmp(rd->kr->name, k->name, k->len) == 0) rd->rc = *k;
        else return olock__fake_verror(c, "Query condition missed key schema element");
    }
    if (rd->hc.v1->type == OLOCK_TYPE_N) { /* partitions are found by canonical key text */
        olock_decimal d;
        olock__fake_num_of(rd->hc.v1, &d);
        if (!(rd->hc.v1 = olock__fake_new_num(c, &d))) return -1;
    }
    return 0;
}

static int olock__fake_kc_expression(olock__fake_ctx *c, olock__fake_read *rd, olock__fake_expr *e) {
    olock__fake_node **leaves = (olock__fake_node **)olock__fake_alloc(c, e->ntoks * sizeof(*leaves));
    olock__fake_kcond *seen = (olock__fake_kcond *)olock__fake_alloc(c, e->ntoks * sizeof(*seen));
    size_t n = 0, nseen = 0, i;
    if (!leaves || !seen) return -1;
    if (olock__fake_kc_collect(c, e, e->root, leaves, &n) < 0) return -1;
    for (i = 0; i < n; i++)
        if (olock__fake_kc_leaf(c, rd, leaves[i], seen, &nseen) < 0) return -1;
    if (n > 2) return olock__fake_verror(c, "Conditions can be of length 1 or 2 only");
    if (!rd->kr && nseen > 1) return olock__fake_verror(c, "Query key condition not supported");
    for (i = 0; i < nseen; i++)
        if (olock__fake_kc_types(c, rd, &seen[i]) < 0) return -1;
    return olock__fake_kc_finish(c, rd, seen, nseen);
}

/* The legacy KeyConditions map. */
static int olock__fake_kc_legacy(olock__fake_ctx *c, olock__fake_read *rd, const olock_json *kcs) {
    static const struct {
        const char *name;
        int op;
        size_t nvals;
    } ops[] = {
        { "EQ", OLOCK__FAKE_KC_EQ, 1 }, { "LT", OLOCK__FAKE_KC_LT, 1 }, { "LE", OLOCK__FAKE_KC_LE, 1 }, { "GT", OLOCK__FAKE_KC_GT, 1 }, { "GE", OLOCK__FAKE_KC_GE, 1 }, { "BETWEEN", OLOCK__FAKE_KC_BETWEEN, 2 }, { "BEGINS_WITH", OLOCK__FAKE_KC_BEGINS, 1 }
    };
    olock__fake_kcond seen[3];
    size_t nseen = 0, i;
    const olock_json *m;
    if (kcs->kind != OLOCK_JSON_OBJECT) return olock__fake_shape(c);
    if (kcs->count > 2) return olock__fake_verror(c, "Conditions can be of length 1 or 2 only");
    for (m = kcs->first; m; m = m->next) {
        const olock_json *list = olock__fake_get(m, "AttributeValueList"), *e;
        const char *op;
        size_t oplen, nv = 0;
        olock__fake_kcond k;
        olock_value *v[2] = { NULL, NULL };
        const olock__fake_attr *key = NULL;
        if (m->kind != OLOCK_JSON_OBJECT || (list && list->kind != OLOCK_JSON_ARRAY)) return olock__fake_shape(c);
        if (olock__fake_get_str(c, m, "ComparisonOperator", &op, &oplen) <= 0)
            return c->err_type ? -1 : olock__fake_verror(c, "Value null at 'keyConditions.%.*s.member.comparisonOperator' failed to satisfy constraint: Member must not be null", (int)m->key_len, m->key);
        for (i = 0; i < sizeof(ops) / sizeof(ops[0]); i++)
            if (olock__fake_streq(op, oplen, ops[i].name)) break;
        if (i == sizeof(ops) / sizeof(ops[0])) return olock__fake_verror(c, "Attempted conditional constraint is not an indexable operation");
        for (e = list ? list->first : NULL; e; e = e->next, nv++) {
            if (nv >= 2) break;
            if (olock__fake_av(c, e, &v[nv], 1) < 0) return -1;
        }
        if (nv != ops[i].nvals || (list && list->count != ops[i].nvals))
            return olock__fake_verror(c, "One or more parameter values were invalid: Invalid number of argument(s) for the %.*s ComparisonOperator",
                                      (int)oplen, op);
        memset(&k, 0, sizeof(k));
        k.name = m->key;
        k.len = m->key_len;
        k.op = ops[i].op;
        k.v1 = v[0];
        k.v2 = v[1];
        if (rd->kh->len == k.len && memcmp(rd->kh->name, k.name, k.len) == 0) key = rd->kh;
        else if (rd->kr && rd->kr->len == k.len && memcmp(rd->kr->name, k.name, k.len) == 0) key = rd->kr;
        if (key && (k.v1->type != key->type || (k.v2 && k.v2->type != key->type)))
            return olock__fake_verror(c, "One or more parameter values were invalid: Condition parameter type does not match schema type");
        seen[nseen++] = k;
    }
    return olock__fake_kc_finish(c, rd, seen, nseen);
}

/* Query's FilterExpression may not name a key of what it reads. */
static int olock__fake_filter_keys(olock__fake_ctx *c, const olock__fake_read *rd, const olock__fake_node *n) {
    size_t i;
    if (n->kind == OLOCK__FAKE_N_PATH) {
        const olock__fake_pel *el = &n->els[0];
        const olock__fake_attr *keys[2];
        keys[0] = rd->kh;
        keys[1] = rd->kr;
        for (i = 0; i < 2; i++)
            if (keys[i] && keys[i]->len == el->name_len && memcmp(keys[i]->name, el->name, el->name_len) == 0)
                return olock__fake_verror(c, "Filter Expression can only contain non-primary key attributes: Primary key attribute: %s",
                                          keys[i]->name);
        return 0;
    }
    for (i = 0; i < n->nargs; i++)
        if (olock__fake_filter_keys(c, rd, n->args[i]) < 0) return -1;
    return 0;
}

/* The same for a legacy QueryFilter, which DynamoDB Local checks key by key. */
static int olock__fake_legacy_filter_keys(olock__fake_ctx *c, const olock__fake_read *rd) {
    const olock__fake_attr *keys[2];
    size_t i;
    keys[0] = rd->kh;
    keys[1] = rd->kr;
    for (i = 0; i < 2; i++)
        if (keys[i] && olock__fake_get_n(rd->legacy_filter, keys[i]->name, keys[i]->len))
            return olock__fake_verror(c, "QueryFilter can only contain non-primary key attributes: Primary key attribute: %s", keys[i]->name);
    return 0;
}

/* ExclusiveStartKey: the key attributes of the table and of the index read, nothing else. */
static int olock__fake_read_esk(olock__fake_ctx *c, olock__fake_read *rd) {
    const olock_json *j = olock__fake_body_get(c, "ExclusiveStartKey");
    const olock__fake_attr *want[4];
    size_t n = 0, i, k;
    if (!j) return 0;
    if (olock__fake_av_map(c, j, &rd->esk, 1) < 0) return -1;
    for (i = 0; i < rd->t->key_count; i++) want[n++] = &rd->t->key[i];
    for (i = 0; rd->x && i < rd->x->key_count; i++) {
        for (k = 0; k < n && !(want[k]->len == rd->x->key[i].len && memcmp(want[k]->name, rd->x->key[i].name, want[k]->len) == 0); k++) {}
        if (k == n) want[n++] = &rd->x->key[i];
    }
    /* DynamoDB Local counts the members only for the table or an LSI, and not when there are none */
    if (rd->esk->count != n && rd->esk->count && !(rd->x && rd->x->global))
        return olock__fake_verror(c, "Exclusive Start Key must have same size as table's key schema");
    for (i = 0; i < n; i++) {
        const olock_value *v = olock__fake_map_get(rd->esk, want[i]->name, want[i]->len);
        if (!v) return olock__fake_verror(c, "The provided starting key is invalid");
        if (v->type != want[i]->type) return olock__fake_verror(c, "Type mismatch for attribute to update");
    }
    if (rd->esk->count != n) return olock__fake_verror(c, "The provided starting key is invalid");
    for (i = 0; i < n; i++) {
        const olock_value *v = olock__fake_map_get(rd->esk, want[i]->name, want[i]->len);
        if (v->type != OLOCK_TYPE_N && v->len == 0)
            return olock__fake_verror(c, "The query can return at most one row and cannot be restarted. The provided starting key is invalid: One or more parameter values are not valid. The AttributeValue for a key attribute cannot contain an empty %s value. Key: %s",
                                      v->type == OLOCK_TYPE_S ? "string" : "binary", want[i]->name);
    }
    if (rd->query &&
        (!olock__fake_kc_holds(&rd->hc, olock__fake_map_get(rd->esk, rd->kh->name, rd->kh->len)) ||
         (rd->kr && !olock__fake_kc_holds(&rd->rc, olock__fake_map_get(rd->esk, rd->kr->name, rd->kr->len)))))
        return olock__fake_verror(c, "The provided starting key does not match the range key predicate");
    return 0;
}

/* Reads and checks a Query or Scan request, in DynamoDB Local's order where it was observed. */
static int olock__fake_read_prepare(olock__fake_ctx *c, olock__fake_read *rd, int query) {
    const char *kcs = NULL, *fs = NULL, *ps = NULL, *s;
    size_t kcl = 0, fl = 0, pl = 0, len, i;
    int has_kc = 0, has_f, has_p, r;
    const olock_json *legacy_kc = query ? olock__fake_body_get(c, "KeyConditions") : NULL;
    const char *filter_name = query ? "QueryFilter" : "ScanFilter";
    memset(rd, 0, sizeof(*rd));
    rd->query = query;
    rd->forward = 1;
    if (!(rd->t = olock__fake_request_table(c, 0)) && c->err_type) return -1;
    if (query && (has_kc = olock__fake_get_str(c, c->body, "KeyConditionExpression", &kcs, &kcl)) < 0) return -1;
    if ((has_f = olock__fake_get_str(c, c->body, "FilterExpression", &fs, &fl)) < 0) return -1;
    if ((has_p = olock__fake_get_str(c, c->body, "ProjectionExpression", &ps, &pl)) < 0) return -1;
    rd->legacy_filter = olock__fake_body_get_n(c, c->body, filter_name, strlen(filter_name));
    rd->atg = olock__fake_body_get(c, "AttributesToGet");
    if (legacy_kc && has_kc) return olock__fake_mixed(c, "KeyConditions", "KeyConditionExpression");
    if (rd->legacy_filter && (has_kc || has_f || has_p))
        return olock__fake_mixed(c, filter_name, has_f ? "FilterExpression" : has_kc ? "KeyConditionExpression"
                                                                                     : "ProjectionExpression");
    if (rd->atg && (has_kc || has_f || has_p))
        return olock__fake_mixed(c, "AttributesToGet", has_p ? "ProjectionExpression" : has_kc ? "KeyConditionExpression"
                                                                                               : "FilterExpression");
    if (olock__fake_subst_init(c, &rd->sub, has_kc || has_f || has_p, has_kc || has_f,
                               query ? "FilterExpression and KeyConditionExpression are null" : "FilterExpression is null", 1) < 0)
        return -1;
    if (!rd->t) return olock__fake_no_table(c);
    if ((r = olock__fake_get_int(c, c->body, "Limit", &rd->limit)) < 0) return -1;
    if (r && rd->limit < 1) return olock__fake_verror(c, "Limit must be greater than or equal to 1");
    if (query && olock__fake_body_get(c, "ScanIndexForward") && olock__fake_get_bool(c, c->body, "ScanIndexForward", &rd->forward) < 0)
        return -1;
    if (olock__fake_get_bool(c, c->body, "ConsistentRead", &rd->consistent) < 0) return -1;
    if (olock__fake_return_capacity(c, 1, &rd->capacity) < 0) return -1;
    if (!query) {
        int has_seg = olock__fake_get_int(c, c->body, "Segment", &rd->segment), has_tot;
        if (has_seg < 0 || (has_tot = olock__fake_get_int(c, c->body, "TotalSegments", &rd->total)) < 0) return -1;
        if (has_seg && !has_tot) return olock__fake_verror(c, "If segment is specified, total segment must also be specified");
        if (has_tot && !has_seg)
            return olock__fake_verror(c, "If total segments is specified, a particular segment must also be specified for this request");
        if (has_tot && rd->total > 1000000)
            return olock__fake_verror(c, "1 validation error detected: Value '%lld' at 'totalSegments' failed to satisfy constraint: Member must have value less than or equal to 1000000",
                                      rd->total);
        if (has_tot && (rd->segment < 0 || rd->segment >= rd->total))
            return olock__fake_verror(c, "1 validation error detected: Value '%lld' at 'segment' failed to satisfy constraint: Member must have value less than or equal to %lld",
                                      rd->segment, rd->total - 1);
        rd->segmented = has_seg;
    }
    if ((r = olock__fake_get_str(c, c->body, "IndexName", &s, &len)) < 0) return -1;
    if (r) {
        for (i = 0; i < rd->t->index_count; i++)
            if (rd->t->indexes[i].name_len == len && memcmp(rd->t->indexes[i].name, s, len) == 0) break;
        if (i == rd->t->index_count) return olock__fake_verror(c, "The table does not have the specified index: %.*s", (int)len, s);
        rd->x = &rd->t->indexes[i];
        if (rd->x->status != OLOCK__FAKE_INDEX_ACTIVE) return olock__fake_shape(c); /* DynamoDB Local fails, 500 */
        if (!query && rd->x->global && rd->consistent)
            return olock__fake_verror(c, "Consistent reads are not supported on global secondary indexes");
    }
    rd->kh = rd->x ? &rd->x->key[0] : &rd->t->key[0];
    rd->kr = rd->x ? (rd->x->key_count > 1 ? &rd->x->key[1] : NULL) : (rd->t->key_count > 1 ? &rd->t->key[1] : NULL);
    if (olock__fake_subst_values(c, &rd->sub) < 0) return -1;
    {
        olock__fake_expr *kc = NULL;
        if (has_f && !(rd->filter = olock__fake_compile(c, &rd->sub, "FilterExpression", fs, fl, OLOCK__FAKE_E_CONDITION))) return -1;
        if (has_p && !(rd->proj = olock__fake_compile(c, &rd->sub, "ProjectionExpression", ps, pl, OLOCK__FAKE_E_PROJECTION))) return -1;
        if (has_kc && !(kc = olock__fake_compile(c, &rd->sub, "KeyConditionExpression", kcs, kcl, OLOCK__FAKE_E_CONDITION))) return -1;
        if (olock__fake_subst_check_unused(c, &rd->sub) < 0) return -1;
        /* DynamoDB Local checks a Query's key, index and conditions before its start key, and
           a Scan's start key and Select before the expressions' paths */
        if (query) {
            if (olock__fake_key_paths(c, rd->t, rd->filter) < 0 || olock__fake_key_paths(c, rd->t, rd->proj) < 0 ||
                olock__fake_key_paths(c, rd->t, kc) < 0)
                return -1;
            if (!has_kc && !legacy_kc)
                return olock__fake_verror(c, "Either the KeyConditions or KeyConditionExpression parameter must be specified in the request.");
            if (rd->x && rd->x->global && rd->consistent)
                return olock__fake_verror(c, "Consistent reads are not supported on global secondary indexes");
            if (kc && olock__fake_kc_expression(c, rd, kc) < 0) return -1;
            if (legacy_kc && olock__fake_kc_legacy(c, rd, legacy_kc) < 0) return -1;
        }
    }
    if (rd->legacy_filter && rd->legacy_filter->kind != OLOCK_JSON_OBJECT) return olock__fake_shape(c);
    if (rd->atg && rd->atg->kind != OLOCK_JSON_ARRAY) return olock__fake_shape(c);
    if (olock__fake_conditional_operator(c, rd->legacy_filter) < 0) return -1;
    if (olock__fake_read_esk(c, rd) < 0) return -1;
    if (query) {
        if (rd->filter && olock__fake_filter_keys(c, rd, rd->filter->root) < 0) return -1;
        if (rd->legacy_filter && olock__fake_legacy_filter_keys(c, rd) < 0) return -1;
        if (rd->filter && olock__fake_unprojected(c, rd, rd->filter, 1) < 0) return -1;
    }
    if ((r = olock__fake_get_str(c, c->body, "Select", &s, &len)) < 0) return -1;
    if (r) {
        static const char *const sels[] = { "ALL_ATTRIBUTES", "ALL_PROJECTED_ATTRIBUTES", "SPECIFIC_ATTRIBUTES", "COUNT" };
        for (i = 0; i < 4 && !olock__fake_streq(s, len, sels[i]); i++) {}
        if (i == 4) return olock__fake_verror(c, "Select must be ALL_ATTRIBUTES, ALL_PROJECTED_ATTRIBUTES, COUNT, or SPECIFIC_ATTRIBUTES");
        rd->select = (int)i + 1;
    }
    if (rd->select == OLOCK__FAKE_SEL_COUNT && (has_p || rd->atg))
        return olock__fake_verror(c, "Cannot specify the %s when choosing to get only the Count", has_p ? "ProjectionExpression" : "AttributesToGet");
    if (rd->select == OLOCK__FAKE_SEL_SPECIFIC && !has_p && !rd->atg)
        return olock__fake_verror(c, "Must specify the AttributesToGet or ProjectionExpression when choosing to get SPECIFIC_ATTRIBUTES");
    if (rd->select == OLOCK__FAKE_SEL_ALL && (has_p || rd->atg))
        return olock__fake_verror(c, "Cannot specify the %s when choosing to get ALL_ATTRIBUTES", has_p ? "ProjectionExpression" : "AttributesToGet");
    if (rd->select == OLOCK__FAKE_SEL_PROJECTED && !rd->x)
        return olock__fake_verror(c, "ALL_PROJECTED_ATTRIBUTES can be used only when Querying using an IndexName");
    if (rd->select == OLOCK__FAKE_SEL_PROJECTED && (has_p || rd->atg))
        return olock__fake_verror(c, "Cannot specify the %s when choosing to get ALL_PROJECTED_ATTRIBUTES", has_p ? "ProjectionExpression" : "AttributesToGet");
    if (!rd->select) rd->select = has_p || rd->atg ? OLOCK__FAKE_SEL_SPECIFIC : rd->x ? OLOCK__FAKE_SEL_PROJECTED
                                                                                      : OLOCK__FAKE_SEL_ALL;
    if (query && rd->proj && olock__fake_unprojected(c, rd, rd->proj, 0) < 0) return -1;
    if (rd->x && rd->x->global && rd->x->projection != 1 && rd->select == OLOCK__FAKE_SEL_ALL)
        return olock__fake_verror(c, "One or more parameter values were invalid: Select type ALL_ATTRIBUTES is not supported for global secondary index %s because its projection type is not ALL",
                                  rd->x->name);
    if (!query) {
        if (olock__fake_key_paths(c, rd->t, rd->filter) < 0 || olock__fake_key_paths(c, rd->t, rd->proj) < 0) return -1;
        /* a Scan's filter may name what the index does not hold (it is then missing) */
        if (rd->proj && olock__fake_unprojected(c, rd, rd->proj, 0) < 0) return -1;
    }
    if (rd->x && !rd->x->global && rd->x->projection != 1) { /* an LSI reads the rest from the table */
        const olock_json *a;
        size_t k;
        rd->fetch = rd->select == OLOCK__FAKE_SEL_ALL || (rd->filter && olock__fake_needs_fetch(rd, rd->filter->root));
        for (k = 0; rd->proj && k < rd->proj->npaths; k++) rd->fetch |= olock__fake_needs_fetch(rd, rd->proj->paths[k]);
        for (a = rd->atg && rd->atg->kind == OLOCK_JSON_ARRAY ? rd->atg->first : NULL; a; a = a->next)
            rd->fetch |= a->kind == OLOCK_JSON_STRING && !olock__fake_projects(rd->t, rd->x, a->str, a->len);
    }
    return 0;
}

/* The items a read considers, in its order (before the start key and the page limits). */
static olock__fake_row *olock__fake_read_rows(olock__fake_ctx *c, olock__fake_read *rd, size_t *count) {
    const olock__fake_table *t = rd->t;
    olock__fake_row *rows;
    size_t n = 0, cap = 0, i, j;
    *count = 0;
    if (rd->query && !rd->x) { /* one partition, already in range-key order */
        const olock__fake_part *p = olock__fake_part_find(t, rd->hc.v1);
        if (!p) return NULL;
        if (!(rows = (olock__fake_row *)olock__fake_alloc(c, (p->count + 1) * sizeof(*rows)))) return NULL;
        for (i = 0; i < p->count; i++) {
            if (!olock__fake_kc_holds(&rd->rc, p->items[i].range)) continue;
            olock__fake_row_fill(rd, p->items[i].item->root, NULL, &rows[n]);
            rows[n++].size = p->items[i].size;
        }
        *count = n;
        return rows;
    }
    if (!rd->x) { /* Scan: partitions in digest order */
        olock__fake_part **parts;
        size_t np = 0, items = 0;
        if (!(parts = (olock__fake_part **)olock__fake_alloc(c, (t->part_count + 1) * sizeof(*parts)))) return NULL;
        for (i = 0; i < t->part_cap; i++) {
            olock__fake_part *p = t->parts[i];
            if (!p || (rd->segmented && olock__fake_segment_of(p->digest, rd->total) != rd->segment)) continue;
            parts[np++] = p;
            items += p->count;
        }
        qsort(parts, np, sizeof(*parts), olock__fake_part_qsort);
        if (!(rows = (olock__fake_row *)olock__fake_alloc(c, (items + 1) * sizeof(*rows)))) return NULL;
        for (i = 0; i < np; i++)
            for (j = 0; j < parts[i]->count; j++) {
                olock__fake_row_fill(rd, parts[i]->items[j].item->root, parts[i]->digest, &rows[n]);
                rows[n++].size = parts[i]->items[j].size;
            }
        *count = n;
        return rows;
    }
    /* an index: every item of the table that carries its keys, sorted */
    for (i = 0; i < t->part_cap; i++)
        if (t->parts[i]) cap += t->parts[i]->count;
    if (!(rows = (olock__fake_row *)olock__fake_alloc(c, (cap + 1) * sizeof(*rows)))) return NULL;
    for (i = 0; i < t->part_cap; i++) {
        const olock__fake_part *p = t->parts[i];
        for (j = 0; p && j < p->count; j++) {
            const olock_value *item = p->items[j].item->root;
            if (!olock__fake_in_index(rd->x, item)) continue;
            if (rd->query && (!olock__fake_kc_holds(&rd->hc, olock__fake_map_get(item, rd->kh->name, rd->kh->len)) || (rd->kr && !olock__fake_kc_holds(&rd->rc, olock__fake_map_get(item, rd->kr->name, rd->kr->len)))))
                continue;
            olock__fake_row_fill(rd, item, rd->x->global ? NULL : p->digest, &rows[n]);
            rows[n].size = p->items[j].size;
            if (rd->segmented && olock__fake_segment_of(rows[n].hd, rd->total) != rd->segment) continue;
            n++;
        }
    }
    qsort(rows, n, sizeof(*rows), olock__fake_row_qsort);
    *count = n;
    return rows;
}

/* A number of half capacity units, as Java prints the double ("0.5", "3.0"). */
static int olock__fake_put_halves(olock__fake_ctx *c, uint64_t halves) {
    return olock__fake_put_u64(c, halves / 2) < 0 ? -1 : olock__fake_puts(c, halves % 2 ? ".5" : ".0");
}

/* `bytes` read from what the request names (the table or an index), `fetched` read from the
   table for an LSI. */
static int olock__fake_read_capacity(olock__fake_ctx *c, const olock__fake_read *rd, uint64_t bytes, uint64_t fetched) {
    uint64_t blocks = (bytes + 4095) / 4096, halves = rd->consistent ? 2 * blocks : blocks;
    uint64_t fblocks = (fetched + 4095) / 4096, fhalves = rd->consistent ? 2 * fblocks : fblocks;
    if (olock__fake_puts(c, ",\"ConsumedCapacity\":{\"TableName\":") < 0 || olock__fake_put_str(c, rd->t->name, rd->t->name_len) < 0 ||
        olock__fake_puts(c, ",\"CapacityUnits\":") < 0 || olock__fake_put_halves(c, halves + fhalves) < 0)
        return -1;
    if (rd->capacity == 2) {
        if (olock__fake_puts(c, ",\"Table\":{\"CapacityUnits\":") < 0 || olock__fake_put_halves(c, rd->x ? fhalves : halves) < 0 ||
            olock__fake_puts(c, "}") < 0)
            return -1;
        if (rd->x && (olock__fake_puts(c, rd->x->global ? ",\"GlobalSecondaryIndexes\":{" : ",\"LocalSecondaryIndexes\":{") < 0 || olock__fake_put_str(c, rd->x->name, rd->x->name_len) < 0 || olock__fake_puts(c, ":{\"CapacityUnits\":") < 0 || olock__fake_put_halves(c, halves) < 0 || olock__fake_puts(c, "}}") < 0))
            return -1;
    }
    return olock__fake_puts(c, "}");
}

/* LastEvaluatedKey: the key attributes of the table and of the index read. */
static int olock__fake_write_lek(olock__fake_ctx *c, const olock__fake_read *rd, const olock_value *item) {
    const olock_value *key = olock__fake_sub_item(c, rd->t, NULL, rd->x, item);
    if (!key) return -1;
    return olock__fake_puts(c, ",\"LastEvaluatedKey\":") < 0 ? -1 : olock__fake_write_map(c, key);
}

/* Walks the rows from the start key: Limit and 1 MB end the page, then the filter and the
   projection decide what is returned. */
static int olock__fake_read_run(olock__fake_ctx *c, olock__fake_read *rd) {
    olock__fake_row *rows, start;
    size_t n, first, scanned = 0, matched = 0;
    uint64_t bytes = 0, cap_bytes = 0, fetched = 0;
    const olock_value *last = NULL;
    int step = rd->forward ? 1 : -1;
    long pos;
    rows = olock__fake_read_rows(c, rd, &n);
    if (c->oom) return -1;
    if (rd->esk) {
        olock__fake_row_fill(rd, rd->esk, NULL, &start);
        if (rd->forward) {
            for (first = 0; first < n && olock__fake_row_cmp(&rows[first], &start) <= 0; first++) {}
        } else {
            for (first = n; first > 0 && olock__fake_row_cmp(&rows[first - 1], &start) >= 0; first--) {}
        }
    } else {
        first = rd->forward ? 0 : n;
    }
    if (olock__fake_puts(c, rd->select == OLOCK__FAKE_SEL_COUNT ? "{" : "{\"Items\":[") < 0) return -1;
    for (pos = rd->forward ? (long)first : (long)first - 1; pos >= 0 && (size_t)pos < n; pos += step) {
        const olock__fake_row *row = &rows[pos];
        const olock_value *item = row->item, *seen = item, *out;
        int pass = 1;
        if (rd->x) {
            if (!(seen = olock__fake_index_item(c, rd->t, rd->x, item))) return -1;
            cap_bytes += rd->query ? olock__fake_item_size(seen) : row->size;
            if (rd->fetch) fetched += row->size;
        } else {
            cap_bytes += row->size;
        }
        scanned++;
        bytes += row->size;
        if (rd->filter) pass = olock__fake_eval(c, item, rd->filter->root);
        else if (rd->legacy_filter && (pass = olock__fake_legacy_cond(c, rd->legacy_filter, item)) < 0) return -1;
        if (c->oom) return -1;
        if (pass) {
            matched++;
            if (rd->select != OLOCK__FAKE_SEL_COUNT) {
                const olock_value *src = rd->x && rd->x->global ? seen : item;
                if (rd->proj) out = olock__fake_project(c, src, rd->proj);
                else if (rd->atg) out = olock__fake_attributes_to_get(c, src, rd->atg);
                else out = rd->select == OLOCK__FAKE_SEL_PROJECTED ? seen : item;
                if (!out || (matched > 1 && olock__fake_puts(c, ",") < 0) || olock__fake_write_map(c, out) < 0) return -1;
            }
        }
        if ((rd->limit && (long long)scanned == rd->limit) || bytes >= OLOCK__FAKE_PAGE_BYTES) {
            last = item;
            break;
        }
    }
    if (rd->select != OLOCK__FAKE_SEL_COUNT && olock__fake_puts(c, "]") < 0) return -1;
    if (olock__fake_puts(c, rd->select == OLOCK__FAKE_SEL_COUNT ? "\"Count\":" : ",\"Count\":") < 0 ||
        olock__fake_put_u64(c, matched) < 0 || olock__fake_puts(c, ",\"ScannedCount\":") < 0 || olock__fake_put_u64(c, scanned) < 0)
        return -1;
    if (last && olock__fake_write_lek(c, rd, last) < 0) return -1;
    if (rd->capacity && olock__fake_read_capacity(c, rd, cap_bytes, fetched) < 0) return -1;
    return olock__fake_puts(c, "}");
}

static int olock__fake_op_query(olock__fake_ctx *c) {
    olock__fake_read rd;
    if (olock__fake_read_prepare(c, &rd, 1) < 0) return -1;
    return olock__fake_read_run(c, &rd);
}

static int olock__fake_op_scan(olock__fake_ctx *c) {
    olock__fake_read rd;
    if (olock__fake_read_prepare(c, &rd, 0) < 0) return -1;
    return olock__fake_read_run(c, &rd);
}

/* ---- batches: BatchWriteItem and BatchGetItem ----------------------------------------------- */

/* The hashCode of a key value as sent ({"S":..}, {"N":..} or {"B":..}) in DynamoDB Local's
   model: 31-chained over its ten fields (S, N, B, then seven unset ones), a binary hashed as
   java.nio.ByteBuffer does (last byte first, signed). Only the order of BatchGetItem's
   Responses depends on it. */
static uint32_t olock__fake_av_hash(const olock_json *av) {
    const olock_json *m;
    uint32_t h = 1, field = 0;
    int pos = -1, i;
    for (m = av->kind == OLOCK_JSON_OBJECT ? av->first : NULL; m; m = m->next) {
        if (m->key_len != 1 || (m->kind != OLOCK_JSON_STRING && m->kind != OLOCK_JSON_NUMBER)) continue;
        if (m->key[0] == 'S' || m->key[0] == 'N') {
            pos = m->key[0] == 'S' ? 0 : 1;
            field = olock__fake_java_string_hash(m->str, m->len);
        } else if (m->key[0] == 'B') {
            unsigned char bytes[2100];
            size_t blen = 0, k;
            pos = 2;
            field = 0;
            if (m->len / 4 * 3 + 3 > sizeof(bytes) || olock_base64_decode(m->str, m->len, bytes, &blen) != OLOCK_OK) continue;
            field = 1;
            for (k = blen; k > 0; k--) field = 31 * field + (uint32_t)(int32_t)(signed char)bytes[k - 1];
        }
    }
    for (i = 0; i < 10; i++) h = 31 * h + (i == pos ? field : 0);
    return h;
}

/* java.util.AbstractMap.hashCode of a key map as sent. */
static uint32_t olock__fake_key_hash(const olock_json *key) {
    const olock_json *m;
    uint32_t h = 0;
    for (m = key->first; m; m = m->next) h += olock__fake_java_string_hash(m->key, m->key_len) ^ olock__fake_av_hash(m);
    return h;
}

/* Whether an item belongs in an index that is CREATING (DynamoDB Local does not write it). */
static int olock__fake_for_creating_index(const olock__fake_table *t, const olock_value *item) {
    size_t i;
    for (i = 0; i < t->index_count; i++)
        if (t->indexes[i].status == OLOCK__FAKE_INDEX_CREATING && olock__fake_in_index(&t->indexes[i], item)) return 1;
    return 0;
}

/* A key of a batch against its table: the attributes of the key schema, nothing else. */
static int olock__fake_batch_key(olock__fake_ctx *c, const olock__fake_table *t, const olock_value *key,
                                 const olock_value **hk, const olock_value **rk) {
    if (key->count != t->key_count) return olock__fake_verror(c, "The number of conditions on the keys is invalid");
    return olock__fake_item_key(c, t, key, hk, rk);
}

static int olock__fake_op_batch_write(olock__fake_ctx *c) {
    const olock_json *ri = olock__fake_body_get(c, "RequestItems"), *tl, *el;
    const char *s;
    size_t total = 0, n = 0, i, j, nunits = 0, len, ncommit, nheld = 0;
    unsigned char *held; /* puts into an index being built, handed back as DynamoDB Local does */
    olock__fake_txa *acts;
    olock__fake_units *units;
    int mode = 0, r, rc = -1;
    if (ri && ri->kind != OLOCK_JSON_OBJECT) return olock__fake_shape(c);
    if (!ri || !ri->count) return olock__fake_verror(c, "BatchWriteItem cannot have a null or no requests set");
    for (tl = ri->first; tl; tl = tl->next) {
        if (tl->kind != OLOCK_JSON_ARRAY) return olock__fake_shape(c);
        for (el = tl->first; el; el = el->next)
            if (el->kind != OLOCK_JSON_OBJECT) return olock__fake_shape(c);
        total += tl->count;
    }
    if (total > 25) return olock__fake_verror(c, "Too many items requested for the BatchWriteItem call");
    for (tl = ri->first; tl; tl = tl->next)
        if (!tl->count)
            return olock__fake_verror(c, "The batch write request list for a table cannot be null or empty: %.*s", (int)tl->key_len, tl->key);
    if ((r = olock__fake_get_str(c, c->body, "ReturnConsumedCapacity", &s, &len)) < 0) return -1;
    if (r) mode = olock__fake_streq(s, len, "TOTAL") ? 1 : olock__fake_streq(s, len, "INDEXES") ? 2
                                                                                                : 0;
    acts = (olock__fake_txa *)olock__fake_alloc(c, total * sizeof(*acts));
    units = (olock__fake_units *)olock__fake_alloc(c, (ri->count + 1) * sizeof(*units));
    held = (unsigned char *)olock__fake_alloc(c, total + 1);
    if (!acts || !units || !held) return -1;
    memset(held, 0, total + 1);
    memset(acts, 0, total * sizeof(*acts));
    /* every request converted first (the table names come next) */
    for (tl = ri->first; tl; tl = tl->next) {
        for (el = tl->first; el; el = el->next, n++) {
            olock__fake_txa *a = &acts[n];
            const olock_json *pr = olock__fake_get(el, "PutRequest"), *dr = olock__fake_get(el, "DeleteRequest"), *v;
            if (!pr == !dr)
                return olock__fake_verror(c, "Supplied AttributeValue has more than one datatypes set, must contain exactly one of the supported datatypes");
            if ((pr && pr->kind != OLOCK_JSON_OBJECT) || (dr && dr->kind != OLOCK_JSON_OBJECT)) return olock__fake_shape(c);
            a->kind = pr ? OLOCK__FAKE_TX_PUT : OLOCK__FAKE_TX_DELETE;
            a->act = tl; /* the table's entry: its key is the table name */
            if (pr ? !(v = olock__fake_get(pr, "Item")) : !(v = olock__fake_get(dr, "Key")))
                return olock__fake_verror(c, "The supplied Item contains a null AttributeValue");
            if (olock__fake_av_map(c, v, pr ? &a->item : &a->key, 1) < 0) return -1;
            if (pr && olock__fake_item_size(a->item) > OLOCK__FAKE_MAX_ITEM)
                return olock__fake_verror(c, "Item size has exceeded the maximum allowed size");
        }
    }
    for (tl = ri->first; tl; tl = tl->next) {
        if (!olock__fake_valid_table_name(tl->key, tl->key_len)) return olock__fake_bad_table_name(c);
        if (!olock__fake_table_find(c->f, tl->key, tl->key_len)) return olock__fake_no_table(c);
    }
    for (i = 0; i < n; i++) {
        olock__fake_txa *a = &acts[i];
        const olock_value *old;
        size_t osz;
        uint64_t used;
        a->t = olock__fake_table_find(c->f, a->act->key, a->act->key_len);
        if (a->kind == OLOCK__FAKE_TX_PUT) {
            if (olock__fake_item_key(c, a->t, a->item, &a->hk, &a->rk) < 0 || olock__fake_check_index_keys(c, a->t, a->item, 2) < 0)
                return -1;
            held[i] = olock__fake_for_creating_index(a->t, a->item);
            nheld += held[i];
        } else if (olock__fake_batch_key(c, a->t, a->key, &a->hk, &a->rk) < 0) {
            return -1;
        }
        for (j = 0; j < i; j++)
            if (acts[j].t == a->t && olock__fake_equal(acts[j].hk, a->hk) && (!a->rk || olock__fake_equal(acts[j].rk, a->rk)))
                return olock__fake_verror(c, "Provided list of item keys contains duplicates");
        a->writes = 1;
        a->next = a->kind == OLOCK__FAKE_TX_PUT ? a->item : NULL;
        a->size = a->next ? olock__fake_item_size(a->next) : 0;
        old = olock__fake_old_item(a->t, a->hk, a->rk, NULL, NULL);
        osz = old ? olock__fake_item_size(old) : 0;
        /* plain (not transactional) write units; a delete that finds nothing costs 2 here */
        if (a->next) used = olock__fake_txn_units(a->size > osz ? a->size : osz, 1) / 2;
        else used = old ? olock__fake_txn_units(osz, 1) / 2 : 2;
        if (mode && !held[i]) olock__fake_units_add(units, &nunits, a->t, used);
    }
    if (nheld) { /* held puts go last, in order, and are neither written nor counted */
        olock__fake_txa *tmp = (olock__fake_txa *)olock__fake_alloc(c, n * sizeof(*tmp));
        size_t m = 0;
        if (!tmp) goto done;
        for (i = 0; i < n; i++)
            if (!held[i]) tmp[m++] = acts[i];
        for (i = 0; i < n; i++)
            if (held[i]) tmp[m++] = acts[i];
        memcpy(acts, tmp, n * sizeof(*acts));
    }
    ncommit = n - nheld;
    if (c->unprocessed || nheld) { /* the fault writes the first half and hands the rest back */
        const olock_json *prev = NULL;
        if (c->unprocessed) ncommit /= 2;
        if (olock__fake_puts(c, "{\"UnprocessedItems\":{") < 0) goto done;
        for (tl = ri->first; tl; tl = tl->next) /* table by table, as the request lists them */
            for (i = ncommit; i < n; i++) {
                const olock__fake_txa *a = &acts[i];
                if (a->act != tl) continue;
                if (a->act != prev &&
                    ((prev && olock__fake_puts(c, "],") < 0) || olock__fake_put_str(c, a->act->key, a->act->key_len) < 0 || olock__fake_puts(c, ":[") < 0))
                    goto done;
                if ((a->act == prev && olock__fake_puts(c, ",") < 0) ||
                    olock__fake_puts(c, a->kind == OLOCK__FAKE_TX_PUT ? "{\"PutRequest\":{\"Item\":" : "{\"DeleteRequest\":{\"Key\":") < 0 ||
                    olock__fake_write_map(c, a->kind == OLOCK__FAKE_TX_PUT ? a->item : a->key) < 0 || olock__fake_puts(c, "}}") < 0)
                    goto done;
                prev = a->act;
            }
        if ((prev && olock__fake_puts(c, "]") < 0) || olock__fake_puts(c, "}") < 0) goto done;
    } else if (olock__fake_puts(c, "{\"UnprocessedItems\":{}") < 0) {
        goto done;
    }
    if (mode && (olock__fake_puts(c, ",") < 0 || olock__fake_write_units(c, units, nunits, 16, mode == 2) < 0)) goto done;
    if (olock__fake_puts(c, "}") < 0) goto done;
    if (olock__fake_txn_commit(c, acts, ncommit) < 0) goto done;
    rc = 0;
done:
    for (i = 0; i < n; i++) olock__fake_item_drop(c->f, acts[i].built);
    return rc;
}

/* A request's JSON value written back as it came (numbers as their text). */
static int olock__fake_put_json(olock__fake_ctx *c, const olock_json *j) {
    const olock_json *m;
    switch (j->kind) {
    case OLOCK_JSON_NULL: return olock__fake_puts(c, "null");
    case OLOCK_JSON_TRUE: return olock__fake_puts(c, "true");
    case OLOCK_JSON_FALSE: return olock__fake_puts(c, "false");
    case OLOCK_JSON_NUMBER: return olock__fake_put(c, j->str, j->len);
    case OLOCK_JSON_STRING: return olock__fake_put_str(c, j->str, j->len);
    case OLOCK_JSON_ARRAY:
        if (olock__fake_puts(c, "[") < 0) return -1;
        for (m = j->first; m; m = m->next)
            if ((m != j->first && olock__fake_puts(c, ",") < 0) || olock__fake_put_json(c, m) < 0) return -1;
        return olock__fake_puts(c, "]");
    default:
        if (olock__fake_puts(c, "{") < 0) return -1;
        for (m = j->first; m; m = m->next)
            if ((m != j->first && olock__fake_puts(c, ",") < 0) || olock__fake_put_str(c, m->key, m->key_len) < 0 ||
                olock__fake_puts(c, ":") < 0 || olock__fake_put_json(c, m) < 0)
                return -1;
        return olock__fake_puts(c, "}");
    }
}

/* One table of a BatchGetItem. */
typedef struct olock__fake_bgt {
    const olock_json *req; /* its KeysAndAttributes */
    const olock__fake_table *t;
    olock_value **keys;
    uint32_t *hashes; /* of the keys as sent: the order of its Responses */
    size_t nkeys;
    olock__fake_expr *proj;
    const olock_json *atg;
    int consistent;
    uint64_t halves; /* capacity, in half units */
    size_t first;    /* index of its first key in the whole request */
} olock__fake_bgt;

static int olock__fake_op_batch_get(olock__fake_ctx *c) {
    const olock_json *ri = olock__fake_body_get(c, "RequestItems"), *tl, *body = c->body;
    olock__fake_bgt *bt;
    size_t total = 0, nt, i, k, q, *order;
    const char *s;
    size_t len;
    int mode = 0, r;
    if (ri && ri->kind != OLOCK_JSON_OBJECT) return olock__fake_shape(c);
    if (!ri || !ri->count) return olock__fake_verror(c, "BatchGetItem must have some requests set");
    for (tl = ri->first; tl; tl = tl->next) {
        const olock_json *keys = olock__fake_get(tl, "Keys"), *kj;
        if (tl->kind != OLOCK_JSON_OBJECT || (keys && keys->kind != OLOCK_JSON_ARRAY)) return olock__fake_shape(c);
        for (kj = keys ? keys->first : NULL; kj; kj = kj->next)
            if (kj->kind != OLOCK_JSON_OBJECT) return olock__fake_shape(c);
        total += keys ? keys->count : 0;
    }
    if (total > 100) return olock__fake_verror(c, "Too many items requested for the BatchGetItem call");
    nt = ri->count;
    if (!(bt = (olock__fake_bgt *)olock__fake_alloc(c, nt * sizeof(*bt)))) return -1;
    memset(bt, 0, nt * sizeof(*bt));
    for (tl = ri->first, i = 0; tl; tl = tl->next, i++) {
        const olock_json *keys = olock__fake_get(tl, "Keys"), *kj;
        if (!keys || !keys->count)
            return olock__fake_verror(c, "The list of keys in RequestItems for BatchGetItem is required: %.*s has empty list",
                                      (int)tl->key_len, tl->key);
        bt[i].req = tl;
        bt[i].nkeys = keys->count;
        bt[i].first = i ? bt[i - 1].first + bt[i - 1].nkeys : 0;
        bt[i].keys = (olock_value **)olock__fake_alloc(c, keys->count * sizeof(*bt[i].keys));
        bt[i].hashes = (uint32_t *)olock__fake_alloc(c, keys->count * sizeof(*bt[i].hashes));
        if (!bt[i].keys || !bt[i].hashes) return -1;
        for (kj = keys->first, k = 0; kj; kj = kj->next, k++) {
            if (olock__fake_av_map(c, kj, &bt[i].keys[k], 1) < 0) return -1;
            bt[i].hashes[k] = olock__fake_key_hash(kj);
            for (q = 0; q < k; q++)
                /* the same key as sent: `1` and `1.0` are two keys here (both answered with
                   the item), unlike in BatchWriteItem; the hashes are of the text sent */
                if (bt[i].hashes[q] == bt[i].hashes[k] && olock__fake_equal(bt[i].keys[q], bt[i].keys[k]))
                    return olock__fake_verror(c, "Provided list of item keys contains duplicates");
        }
    }
    for (i = 0; i < nt; i++) {
        const olock_json *t = bt[i].req;
        if (!olock__fake_valid_table_name(t->key, t->key_len)) return olock__fake_bad_table_name(c);
        if (!(bt[i].t = olock__fake_table_find(c->f, t->key, t->key_len))) return olock__fake_no_table(c);
    }
    for (i = 0; i < nt; i++) {
        olock__fake_subst sub;
        const char *ps;
        size_t plen;
        int has_proj;
        for (k = 0; k < bt[i].nkeys; k++) {
            const olock_value *hk, *rk;
            if (olock__fake_batch_key(c, bt[i].t, bt[i].keys[k], &hk, &rk) < 0) return -1;
        }
        c->body = bt[i].req;
        r = -1;
        if ((has_proj = olock__fake_get_str(c, c->body, "ProjectionExpression", &ps, &plen)) < 0) goto restore;
        bt[i].atg = olock__fake_body_get(c, "AttributesToGet");
        if (has_proj && bt[i].atg) {
            olock__fake_mixed(c, "AttributesToGet", "ProjectionExpression");
            goto restore;
        }
        if (bt[i].atg && bt[i].atg->kind != OLOCK_JSON_ARRAY) {
            olock__fake_shape(c);
            goto restore;
        }
        if (olock__fake_subst_init(c, &sub, has_proj, 0, "", 0) < 0) goto restore;
        if (has_proj && !(bt[i].proj = olock__fake_compile(c, &sub, "ProjectionExpression", ps, plen, OLOCK__FAKE_E_PROJECTION)))
            goto restore;
        if (olock__fake_subst_check_unused(c, &sub) < 0) goto restore;
        if (olock__fake_key_paths(c, bt[i].t, bt[i].proj) < 0) goto restore;
        if (olock__fake_get_bool(c, c->body, "ConsistentRead", &bt[i].consistent) < 0) goto restore;
        r = 0;
    restore:
        c->body = body;
        if (r < 0) return -1;
    }
    if ((r = olock__fake_get_str(c, c->body, "ReturnConsumedCapacity", &s, &len)) < 0) return -1;
    if (r) mode = olock__fake_streq(s, len, "TOTAL") ? 1 : olock__fake_streq(s, len, "INDEXES") ? 2
                                                                                                : 0;
    /* Responses: tables in the order of a HashMap of their names, each table's items in the
       order of a HashMap of its keys (sized for them) */
    {
        const char **names = (const char **)olock__fake_alloc(c, nt * sizeof(*names));
        size_t *lens = (size_t *)olock__fake_alloc(c, nt * sizeof(*lens));
        order = (size_t *)olock__fake_alloc(c, nt * sizeof(*order));
        if (!names || !lens || !order) return -1;
        for (i = 0; i < nt; i++) {
            names[i] = bt[i].t->name;
            lens[i] = bt[i].t->name_len;
        }
        if (olock__fake_hash_order(c, names, lens, nt, 16, order) < 0) return -1;
        if (olock__fake_puts(c, "{\"Responses\":{") < 0) return -1;
        for (i = 0; i < nt; i++) {
            olock__fake_bgt *b = &bt[order[i]];
            size_t *ko = (size_t *)olock__fake_alloc(c, b->nkeys * sizeof(*ko)), written = 0;
            if (!ko || olock__fake_hash_order_of(c, b->hashes, b->nkeys, b->nkeys, ko) < 0) return -1;
            if ((i && olock__fake_puts(c, ",") < 0) || olock__fake_put_str(c, b->t->name, b->t->name_len) < 0 ||
                olock__fake_puts(c, ":[") < 0)
                return -1;
            for (k = 0; k < b->nkeys; k++) {
                const olock_value *hk, *rk, *item, *out;
                if (c->unprocessed && b->first + ko[k] >= total / 2) continue; /* handed back below */
                olock__fake_batch_key(c, b->t, b->keys[ko[k]], &hk, &rk);
                if (!(item = olock__fake_old_item(b->t, hk, rk, NULL, NULL))) continue;
                b->halves += (olock__fake_item_size(item) + 4095) / 4096 * (b->consistent ? 2 : 1);
                out = b->proj ? olock__fake_project(c, item, b->proj) : b->atg ? olock__fake_attributes_to_get(c, item, b->atg)
                                                                               : item;
                if (!out || (written++ && olock__fake_puts(c, ",") < 0) || olock__fake_write_map(c, out) < 0) return -1;
            }
            if (olock__fake_puts(c, "]") < 0) return -1;
        }
        if (!c->unprocessed) {
            if (olock__fake_puts(c, "},\"UnprocessedKeys\":{}") < 0) return -1;
        } else { /* the fault: the keys from the middle of the request on, with their table's options */
            static const char *const keep[] = { "ProjectionExpression", "ExpressionAttributeNames", "AttributesToGet", "ConsistentRead" };
            int any = 0;
            if (olock__fake_puts(c, "},\"UnprocessedKeys\":{") < 0) return -1;
            for (i = 0; i < nt; i++) {
                const olock__fake_bgt *b = &bt[i];
                size_t from = b->first >= total / 2 ? 0 : total / 2 - b->first;
                if (from >= b->nkeys) continue;
                if ((any++ && olock__fake_puts(c, ",") < 0) || olock__fake_put_str(c, b->req->key, b->req->key_len) < 0 ||
                    olock__fake_puts(c, ":{\"Keys\":[") < 0)
                    return -1;
                for (k = from; k < b->nkeys; k++)
                    if ((k > from && olock__fake_puts(c, ",") < 0) || olock__fake_write_map(c, b->keys[k]) < 0) return -1;
                if (olock__fake_puts(c, "]") < 0) return -1;
                for (q = 0; q < sizeof(keep) / sizeof(keep[0]); q++) {
                    const olock_json *m = olock__fake_get(b->req, keep[q]);
                    if (m && (olock__fake_puts(c, ",") < 0 || olock__fake_put_str(c, keep[q], strlen(keep[q])) < 0 || olock__fake_puts(c, ":") < 0 || olock__fake_put_json(c, m) < 0))
                        return -1;
                }
                if (olock__fake_puts(c, "}") < 0) return -1;
            }
            if (olock__fake_puts(c, "}") < 0) return -1;
        }
        if (mode) { /* tables in the order of a HashMap sized for them */
            for (i = 0; i < nt; i++) {
                names[i] = bt[i].t->name;
                lens[i] = bt[i].t->name_len;
            }
            if (olock__fake_hash_order(c, names, lens, nt, nt, order) < 0 || olock__fake_puts(c, ",\"ConsumedCapacity\":[") < 0) return -1;
            for (i = 0; i < nt; i++) {
                const olock__fake_bgt *b = &bt[order[i]];
                if (olock__fake_puts(c, i ? ",{\"TableName\":" : "{\"TableName\":") < 0 || olock__fake_put_str(c, b->t->name, b->t->name_len) < 0 ||
                    olock__fake_puts(c, ",\"CapacityUnits\":") < 0 || olock__fake_put_halves(c, b->halves) < 0)
                    return -1;
                if (mode == 2 && (olock__fake_puts(c, ",\"Table\":{\"CapacityUnits\":") < 0 || olock__fake_put_halves(c, b->halves) < 0 || olock__fake_puts(c, "}") < 0))
                    return -1;
                if (olock__fake_puts(c, "}") < 0) return -1;
            }
            if (olock__fake_puts(c, "]") < 0) return -1;
        }
    }
    return olock__fake_puts(c, "}");
}
