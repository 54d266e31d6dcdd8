/* =============================================================================================
   >>xcache (implementation)
   ========================================================================================== */

/* ---- compiled expressions, kept across requests --------------------------------------------- */

/* Clients send the same few expressions again and again with other values, and compiling one
   costs as much as the rest of a small conditional update. So the fake keeps the expressions
   that compiled without an error, OLOCK__FAKE_XC_SETS x OLOCK__FAKE_XC_WAYS of them (the least
   recently used of a set goes first), each in one allocation of its own, until
   olock_fake_destroy.

   An entry is found by the expression's kind and text, and it holds, for every #placeholder
   of the text, the attribute name it stood for: the same text with other
   ExpressionAttributeNames is another expression (another entry, or a fresh compile). The
   :values are bound to the kept tree at each use. What compiling checked about them is their
   types (operand types) and, for BETWEEN of two values and attribute_type, their contents; so
   an entry is used only when every value it names is there with the type it had, and (those
   two) when the checks of the contents pass again. Anything else (a name that differs, a value
   missing or of another type, a check that fails) compiles afresh, so every answer, error
   messages included, is the one a fresh compile gives. An expression that failed is not kept.

   A kept tree serves one expression of one request at a time (olock_fake.ticks numbers the
   requests): a second use in the same request (a transaction may carry one text twice)
   compiles afresh, and an entry in use is not evicted. Requests run under the fake's mutex,
   so the cache needs no lock of its own. */

#define OLOCK__FAKE_XC_SETS 16u
#define OLOCK__FAKE_XC_WAYS 4u

/* A #placeholder of a kept expression and the name it stood for. */
typedef struct olock__fake_xname {
    const char *ph;
    size_t ph_len;
    const char *name;
    size_t name_len;
    const olock_json *found; /* while binding: the request's last member for ph */
} olock__fake_xname;

typedef struct olock__fake_xentry {
    void *block; /* everything below lives in it; NULL: a free slot */
    size_t block_size;
    uint64_t hash;
    olock__fake_expr *e;
    olock__fake_xname *names; /* distinct #placeholders */
    size_t nnames;
    olock__fake_node **vals; /* the :value nodes, and the type each value had */
    olock_type *vtypes;
    size_t nvals;
    int recheck;       /* a check reads a value's contents (BETWEEN, attribute_type) */
    uint64_t last_use; /* olock__fake_xcache.clock */
    uint64_t bound;    /* the request (olock_fake.ticks) using it; 0: none */
} olock__fake_xentry;

struct olock__fake_xcache {
    olock__fake_xentry slot[OLOCK__FAKE_XC_SETS * OLOCK__FAKE_XC_WAYS];
    uint64_t clock;
};

/* The text's hash, eight bytes at a time, with the kind of expression mixed in. */
static uint64_t olock__fake_xc_hash(const char *s, size_t len, int kind) {
    uint64_t h = 0xcbf29ce484222325u ^ (uint64_t)(unsigned)kind ^ ((uint64_t)len << 40), w;
    while (len >= 8) {
        memcpy(&w, s, 8);
        h = (h ^ w) * 0x100000001b3u;
        h ^= h >> 29;
        s += 8;
        len -= 8;
    }
    while (len--) h = (h ^ (unsigned char)*s++) * 0x100000001b3u;
    return h ^ (h >> 32);
}

#define OLOCK__FAKE_XA(n) (((n) + 7u) & ~(size_t)7u)

/* Bytes a copy of the tree takes; counts its named path elements and :value nodes, and
   notes (recheck |= 1) the checks that read a value's contents. */
static size_t olock__fake_xc_measure(const olock__fake_node *n, size_t *nels, size_t *nvals, int *recheck) {
    size_t bytes = OLOCK__FAKE_XA(sizeof(*n)) + OLOCK__FAKE_XA(n->nargs * sizeof(*n->args)) +
        OLOCK__FAKE_XA(n->nels * sizeof(*n->els)),
           i;
    for (i = 0; i < n->nels; i++)
        if (!n->els[i].is_index) {
            bytes += OLOCK__FAKE_XA(n->els[i].name_len + 1);
            ++*nels;
        }
    if (n->kind == OLOCK__FAKE_N_VALUE) {
        ++*nvals;
        if (!n->value) *recheck |= 2; /* not bound: not kept (a compiled expression has them all) */
    }
    if (n->kind == OLOCK__FAKE_N_BETWEEN || (n->kind == OLOCK__FAKE_N_FUNC && n->op == OLOCK__FAKE_F_TYPE)) *recheck |= 1;
    for (i = 0; i < n->nargs; i++) bytes += olock__fake_xc_measure(n->args[i], nels, nvals, recheck);
    return bytes;
}

static void *olock__fake_xc_take(char **p, size_t size) {
    void *r = *p;
    *p += OLOCK__FAKE_XA(size);
    return r;
}

/* Copies a node and its subtree into the entry's block; the names get their own copies and
   :value nodes lose their values (bound at each use). */
static olock__fake_node *olock__fake_xc_node(olock__fake_xentry *en, char **p, const olock__fake_node *n) {
    olock__fake_node *d = (olock__fake_node *)olock__fake_xc_take(p, sizeof(*d));
    size_t i, k;
    *d = *n;
    d->args = n->nargs ? (olock__fake_node **)olock__fake_xc_take(p, n->nargs * sizeof(*d->args)) : NULL;
    d->els = n->nels ? (olock__fake_pel *)olock__fake_xc_take(p, n->nels * sizeof(*d->els)) : NULL;
    for (i = 0; i < n->nels; i++) {
        olock__fake_pel *el = &d->els[i];
        const olock__fake_tok *t = &en->e->toks[n->els[i].tok];
        char *name;
        *el = n->els[i];
        if (el->is_index) continue;
        name = (char *)olock__fake_xc_take(p, el->name_len + 1);
        memcpy(name, n->els[i].name, el->name_len);
        name[el->name_len] = 0;
        el->name = name;
        if (t->kind != OLOCK__FAKE_T_HASH) continue;
        for (k = 0; k < en->nnames; k++)
            if (en->names[k].ph_len == t->end - t->start && memcmp(en->names[k].ph, en->e->src + t->start, t->end - t->start) == 0) break;
        if (k < en->nnames) continue;
        en->names[k].ph = en->e->src + t->start;
        en->names[k].ph_len = t->end - t->start;
        en->names[k].name = name;
        en->names[k].name_len = el->name_len;
        en->nnames++;
    }
    if (n->kind == OLOCK__FAKE_N_VALUE) {
        en->vals[en->nvals] = d;
        en->vtypes[en->nvals++] = n->value->type;
        d->value = NULL;
    }
    for (i = 0; i < n->nargs; i++) d->args[i] = olock__fake_xc_node(en, p, n->args[i]);
    return d;
}

static void olock__fake_xc_drop(olock_fake *f, olock__fake_xentry *en) {
    if (en->block) olock__fake_free(&f->alloc, en->block, en->block_size);
    memset(en, 0, sizeof(*en));
}

/* Keeps a copy of an expression that compiled without an error (nothing when there is no
   room or no memory: the cache only ever saves work). */
static void olock__fake_xc_keep(olock__fake_ctx *c, uint64_t h, const olock__fake_expr *e) {
    olock_fake *f = c->f;
    olock__fake_xcache *xc = f->xcache;
    olock__fake_xentry *slot, *en = NULL;
    olock__fake_expr *d;
    size_t bytes = 0, nels = 0, nvals = 0, i;
    int recheck = 0;
    char *p, *src;
    if (!xc) {
        if (!(xc = (olock__fake_xcache *)olock__fake_malloc(&f->alloc, sizeof(*xc)))) return;
        memset(xc, 0, sizeof(*xc));
        f->xcache = xc;
    }
    slot = &xc->slot[(size_t)(h & (OLOCK__FAKE_XC_SETS - 1)) * OLOCK__FAKE_XC_WAYS];
    for (i = 0; i < OLOCK__FAKE_XC_WAYS; i++) {
        if (slot[i].bound == f->ticks) continue; /* in use by this request */
        if (!slot[i].block) {
            en = &slot[i];
            break;
        }
        if (!en || slot[i].last_use < en->last_use) en = &slot[i];
    }
    if (!en) return;
    if (e->root) bytes += olock__fake_xc_measure(e->root, &nels, &nvals, &recheck);
    for (i = 0; i < e->nacts; i++) {
        bytes += olock__fake_xc_measure(e->acts[i].path, &nels, &nvals, &recheck);
        if (e->acts[i].value) bytes += olock__fake_xc_measure(e->acts[i].value, &nels, &nvals, &recheck);
    }
    for (i = 0; i < e->npaths; i++) bytes += olock__fake_xc_measure(e->paths[i], &nels, &nvals, &recheck);
    if ((recheck & 2) || (recheck && e->kind == OLOCK__FAKE_E_UPDATE)) return; /* (not in an update: compiling refused them) */
    bytes += OLOCK__FAKE_XA(sizeof(*e)) + OLOCK__FAKE_XA(e->len + 1) + OLOCK__FAKE_XA(e->ntoks * sizeof(*e->toks)) +
        OLOCK__FAKE_XA(e->nacts * sizeof(*e->acts)) + OLOCK__FAKE_XA(e->npaths * sizeof(*e->paths)) +
        OLOCK__FAKE_XA(nels * sizeof(olock__fake_xname)) + OLOCK__FAKE_XA(nvals * sizeof(olock__fake_node *)) +
        OLOCK__FAKE_XA(nvals * sizeof(olock_type)) + OLOCK__FAKE_XA(e->nacts * sizeof(size_t));
    if (!(p = (char *)olock__fake_malloc(&f->alloc, bytes))) return;
    olock__fake_xc_drop(f, en);
    en->block = p;
    en->block_size = bytes;
    en->hash = h;
    en->recheck = recheck;
    en->e = d = (olock__fake_expr *)olock__fake_xc_take(&p, sizeof(*d));
    *d = *e;
    d->c = NULL;
    d->sub = NULL;
    d->src = src = (char *)olock__fake_xc_take(&p, e->len + 1);
    memcpy(src, e->src, e->len);
    src[e->len] = 0;
    d->toks = (olock__fake_tok *)olock__fake_xc_take(&p, e->ntoks * sizeof(*e->toks));
    memcpy(d->toks, e->toks, e->ntoks * sizeof(*e->toks));
    d->acts = e->nacts ? (olock__fake_action *)olock__fake_xc_take(&p, e->nacts * sizeof(*e->acts)) : NULL;
    d->paths = e->npaths ? (olock__fake_node **)olock__fake_xc_take(&p, e->npaths * sizeof(*e->paths)) : NULL;
    en->names = (olock__fake_xname *)olock__fake_xc_take(&p, nels * sizeof(olock__fake_xname));
    en->vals = (olock__fake_node **)olock__fake_xc_take(&p, nvals * sizeof(olock__fake_node *));
    en->vtypes = (olock_type *)olock__fake_xc_take(&p, nvals * sizeof(olock_type));
    if (e->root) d->root = olock__fake_xc_node(en, &p, e->root);
    for (i = 0; i < e->nacts; i++) {
        d->acts[i] = e->acts[i];
        d->acts[i].path = olock__fake_xc_node(en, &p, e->acts[i].path);
        d->acts[i].value = e->acts[i].value ? olock__fake_xc_node(en, &p, e->acts[i].value) : NULL;
        d->acts[i].result = NULL;
    }
    for (i = 0; i < e->npaths; i++) d->paths[i] = olock__fake_xc_node(en, &p, e->paths[i]);
    /* the order an update applies its actions in depends on their paths only: worked out once */
    d->order = e->kind == OLOCK__FAKE_E_UPDATE && e->nacts ? olock__fake_action_order(d, (size_t *)olock__fake_xc_take(&p, e->nacts * sizeof(size_t))) : NULL;
    en->last_use = ++xc->clock;
}

/* Placeholders and names are short: compared in place, last byte first (placeholders tend to
   differ at the end), without a call. */
static int olock__fake_xc_eq(const char *a, size_t alen, const char *b, size_t blen) {
    if (alen != blen) return 0;
    while (alen--)
        if (a[alen] != b[alen]) return 0;
    return 1;
}

/* The kept expression bound to this request's values, or NULL (nothing changed in the
   request) when it cannot stand for a fresh compile. Each member of ExpressionAttributeNames
   and ExpressionAttributeValues is held against the placeholders once: a placeholder takes
   its last member, as a fresh compile does, and the members matched are marked used (those
   past the 32nd in a second pass). */
static olock__fake_expr *olock__fake_xc_bind(olock__fake_ctx *c, olock__fake_subst *sub, olock__fake_xentry *en, const char *what) {
    olock__fake_expr *e = en->e;
    const olock_json *nm;
    const olock_value *vm;
    uint32_t name_hits = 0, value_hits = 0;
    size_t i, k;
    for (i = 0; i < en->nnames; i++) en->names[i].found = NULL;
    for (k = 0, nm = sub->names ? sub->names->first : NULL; nm; nm = nm->next, k++)
        for (i = 0; i < en->nnames; i++)
            if (olock__fake_xc_eq(nm->key, nm->key_len, en->names[i].ph, en->names[i].ph_len)) {
                en->names[i].found = nm;
                if (k < 32) name_hits |= (uint32_t)1 << k;
            }
    for (i = 0; i < en->nnames; i++) {
        const olock__fake_xname *x = &en->names[i];
        if (!x->found || !olock__fake_xc_eq(x->found->str, x->found->len, x->name, x->name_len)) return NULL;
    }
    for (i = 0; i < en->nvals; i++) en->vals[i]->value = NULL;
    for (k = 0, vm = sub->values ? sub->values->first : NULL; vm; vm = vm->next, k++)
        for (i = 0; i < en->nvals; i++) {
            const olock__fake_tok *t = &e->toks[en->vals[i]->tok];
            if (olock__fake_xc_eq(vm->key, vm->key_len, e->src + t->start, t->end - t->start)) {
                en->vals[i]->value = vm;
                if (k < 32) value_hits |= (uint32_t)1 << k;
            }
        }
    for (i = 0; i < en->nvals; i++)
        if (!en->vals[i]->value || en->vals[i]->value->type != en->vtypes[i]) return NULL;
    e->c = c;
    e->sub = sub;
    e->what = what;
    for (i = 0; i < e->nacts; i++) e->acts[i].result = NULL;
    if (en->recheck) { /* what the failed check recorded goes: the fresh compile reports it */
        int status = c->status, oom = c->oom;
        const char *type = c->err_type;
        char *msg = c->err_msg;
        size_t len = c->err_len;
        if (olock__fake_walk_all(e, olock__fake_check_semantics) < 0) {
            c->status = status;
            c->oom = oom;
            c->err_type = type;
            c->err_msg = msg;
            c->err_len = len;
            return NULL;
        }
    }
    /* used, as a fresh compile marks them */
    for (k = 0, nm = sub->names ? sub->names->first : NULL; nm; nm = nm->next, k++) {
        if (k < 32) {
            if (name_hits & ((uint32_t)1 << k)) sub->name_used[k] = 1;
            continue;
        }
        for (i = 0; i < en->nnames; i++)
            if (olock__fake_xc_eq(nm->key, nm->key_len, en->names[i].ph, en->names[i].ph_len)) sub->name_used[k] = 1;
    }
    for (k = 0, vm = sub->values ? sub->values->first : NULL; vm; vm = vm->next, k++) {
        if (k < 32) {
            if (value_hits & ((uint32_t)1 << k)) sub->value_used[k] = 1;
            continue;
        }
        for (i = 0; i < en->nvals; i++) {
            const olock__fake_tok *t = &e->toks[en->vals[i]->tok];
            if (olock__fake_xc_eq(vm->key, vm->key_len, e->src + t->start, t->end - t->start)) sub->value_used[k] = 1;
        }
    }
    en->bound = c->f->ticks;
    return e;
}

/* Parses and checks one expression of a request (olock__fake_compile_fresh), or binds a kept
   one that stands for it. NULL on error. */
static olock__fake_expr *olock__fake_compile(olock__fake_ctx *c, olock__fake_subst *sub, const char *what, const char *src,
                                             size_t len, int kind) {
    olock__fake_xcache *xc = c->f->xcache;
    olock__fake_expr *e;
    uint64_t h;
    int busy = 0;
    size_t i;
    if (len == 0 || len > OLOCK__FAKE_MAX_EXPR) return olock__fake_compile_fresh(c, sub, what, src, len, kind);
    h = olock__fake_xc_hash(src, len, kind);
    if (xc) {
        olock__fake_xentry *slot = &xc->slot[(size_t)(h & (OLOCK__FAKE_XC_SETS - 1)) * OLOCK__FAKE_XC_WAYS];
        for (i = 0; i < OLOCK__FAKE_XC_WAYS; i++) {
            olock__fake_xentry *en = &slot[i];
            if (!en->block || en->hash != h || en->e->kind != kind || en->e->len != len || memcmp(en->e->src, src, len) != 0)
                continue;
            if (en->bound == c->f->ticks) {
                busy = 1;
                continue;
            }
            if ((e = olock__fake_xc_bind(c, sub, en, what)) != NULL) {
                en->last_use = ++xc->clock;
                return e;
            }
        }
    }
    e = olock__fake_compile_fresh(c, sub, what, src, len, kind);
    if (e && !busy) olock__fake_xc_keep(c, h, e);
    return e;
}

static void olock__fake_xcache_free(olock_fake *f) {
    size_t i;
    if (!f->xcache) return;
    for (i = 0; i < OLOCK__FAKE_XC_SETS * OLOCK__FAKE_XC_WAYS; i++) olock__fake_xc_drop(f, &f->xcache->slot[i]);
    olock__fake_free(&f->alloc, f->xcache, sizeof(*f->xcache));
    f->xcache = NULL;
}
