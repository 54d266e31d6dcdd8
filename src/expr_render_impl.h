/* =============================================================================================
   >>expr (implementation, continued): the builder's second half, rendering and validating a
   request's expressions. One part in two files (src/expr_impl.h, src/expr_render_impl.h): it
   works on the builder's own structures.
   ========================================================================================== */

/* ---- rendering ----------------------------------------------------------------------------- */

static void olock__expr_put(olock_expr *e, const char *s, size_t n) {
    olock_buf *b = &e->out;
    char *o;
    size_t k;
    if (e->status != OLOCK_OK) return;
    if (b->len - e->expr_start + n > OLOCK_EXPR_MAX_BYTES) {
        OLOCK__EXPR_FAIL(e, OLOCK_ERR_LIMIT, "%s expression is longer than %u bytes (DynamoDB's limit)", e->what,
                         (unsigned)OLOCK_EXPR_MAX_BYTES);
        return;
    }
    /* olock__expr_begin reserved room for the longest expression: no capacity check here,
       and no NUL either (olock__expr_end writes it) */
    o = b->data + b->len;
    if (n <= 4) /* separators and placeholders: cheaper than a call to memcpy */
        for (k = 0; k < n; k++) o[k] = s[k];
    else memcpy(o, s, n);
    b->len += n;
}

static void olock__expr_puts(olock_expr *e, const char *s) {
    olock__expr_put(e, s, strlen(s));
}

static void olock__expr_count_op(olock_expr *e) {
    if (++e->ops_count > OLOCK_EXPR_MAX_OPERATORS && e->status == OLOCK_OK)
        OLOCK__EXPR_FAIL(e, OLOCK_ERR_LIMIT, "%s expression has more than %u operators and functions (DynamoDB's limit)",
                         e->what, (unsigned)OLOCK_EXPR_MAX_OPERATORS);
}

/* Writes "<lead><n>" into buf (NUL-terminated; lead is "#n" or ":v"); returns its length. */
static size_t olock__expr_placeholder(char *buf, const char *lead, unsigned n) {
    buf[0] = lead[0];
    buf[1] = lead[1];
    if (n < 10) { /* most requests need few: no division loop */
        buf[2] = (char)('0' + n);
        buf[3] = 0;
        return 3;
    }
    return 2 + olock__u64_text(n, buf + 2);
}

/* Appends a member `key` to a map the builder renders (its keys are distinct by
   construction: the caller's, checked when added, and generated ones that skip them) and
   returns it for the caller to fill in: one allocation holds the node and its key. */
static olock_value *olock__expr_member_new(olock_expr *e, olock_value *map, const char *key, size_t key_len) {
    olock_value *node = (olock_value *)olock__arena_take(&e->arena, sizeof *node + key_len + 1);
    char *k;
    size_t i;
    if (!node) {
        OLOCK__EXPR_FAIL(e, OLOCK_ERR_NOMEM, "%s expression: %s", e->what, olock_result_str(OLOCK_ERR_NOMEM));
        return NULL;
    }
    k = (char *)(node + 1);
    if (key_len <= 8) /* generated placeholders: cheaper than a call to memcpy */
        for (i = 0; i < key_len; i++) k[i] = key[i];
    else memcpy(k, key, key_len);
    k[key_len] = 0;
    node->key = k;
    node->key_len = key_len;
    node->next = NULL;
    if (map->last) map->last->next = node;
    else map->first = node;
    map->last = node;
    map->count++;
    return node;
}

/* Appends key = v. The member shares v's contents: v is the builder's copy (or, borrowed,
   the caller's), unchanged until reset. */
static int olock__expr_map_add(olock_expr *e, olock_value *map, const char *key, size_t key_len, const olock_value *v) {
    olock_value *node = olock__expr_member_new(e, map, key, key_len);
    const char *k;
    if (!node) return 0;
    k = node->key;
    *node = *v;
    node->key = k;
    node->key_len = key_len;
    node->next = NULL;
    return 1;
}

static uint32_t olock__expr_hash(const char *s, size_t n) {
    uint32_t h = 2166136261u;
    size_t k;
    for (k = 0; k < n; k++) {
        h ^= (unsigned char)s[k];
        h *= 16777619u;
    }
    return h;
}

/* Writes a placeholder straight into the expression (the caller checked the status). */
static void olock__expr_put_placeholder(olock_expr *e, const char *text, size_t n) {
    olock_buf *b = &e->out;
    size_t k;
    if (b->len - e->expr_start + n > OLOCK_EXPR_MAX_BYTES) {
        olock__expr_put(e, text, n); /* records the limit error */
        return;
    }
    for (k = 0; k < n; k++) b->data[b->len + k] = text[k];
    b->len += n;
}

/* The next generated placeholder (lead "#n" or ":v", numbered from *counter, skipping the
   caller's): a new member of `map`, its key written once in place and then into the
   expression. The caller fills in the member's value. NULL on error (recorded). */
static olock_value *olock__expr_r_generated(olock_expr *e, olock_value *map, const char *lead, unsigned *counter,
                                            olock__expr_raw_entry *raw, unsigned clashes, unsigned *id) {
    olock_value *node = (olock_value *)olock__arena_take(&e->arena, sizeof *node + 16); /* 2 + 10 digits + NUL */
    char *k;
    size_t n;
    if (!node) {
        OLOCK__EXPR_FAIL(e, OLOCK_ERR_NOMEM, "%s expression: %s", e->what, olock_result_str(OLOCK_ERR_NOMEM));
        return NULL;
    }
    k = (char *)(node + 1);
    for (;;) {
        *id = (*counter)++;
        n = olock__expr_placeholder(k, lead, *id);
        if (!clashes || !olock__expr_raw_find(raw, k, n)) break;
    }
    node->key = k;
    node->key_len = n;
    node->next = NULL;
    if (map->last) map->last->next = node;
    else map->first = node;
    map->last = node;
    map->count++;
    olock__expr_put_placeholder(e, k, n);
    return node;
}

static void olock__expr_r_name(olock_expr *e, const olock__expr_seg *seg) {
    char buf[32];
    size_t i, n, len = seg->len;
    const char *name = seg->name;
    olock__expr_slot *slot;
    olock_value *node;
    if (e->status != OLOCK_OK) return;
    i = (seg->hash ? seg->hash : olock__expr_hash(name, len)) & (e->slot_cap - 1);
    for (;;) {
        slot = &e->slots[i];
        if (slot->serial != e->serial) break;
        if (slot->len == len && (slot->name == name || memcmp(slot->name, name, len) == 0)) {
            n = olock__expr_placeholder(buf, "#n", slot->id);
            olock__expr_put_placeholder(e, buf, n);
            return;
        }
        i = (i + 1) & (e->slot_cap - 1);
    }
    slot->name = name;
    slot->len = len;
    slot->serial = e->serial;
    /* The member is the name's S value itself: segment names are NUL-terminated and live in
       the arena (or the path cache) until reset. */
    node = olock__expr_r_generated(e, e->names_out, "#n", &e->next_name, e->raw_names, e->raw_gen_names, &slot->id);
    if (!node) return;
    node->type = OLOCK_TYPE_S;
    node->count = 0;
    node->str = name;
    node->len = len;
    node->boolean = 0;
    node->first = node->last = NULL;
}

static void olock__expr_r_path(olock_expr *e, const olock__expr_path *p) {
    unsigned k;
    for (k = 0; k < p->count; k++) {
        const olock__expr_seg *s = &p->segs[k];
        if (s->is_index) {
            char buf[24];
            olock__expr_put(e, "[", 1);
            olock__expr_put(e, buf, olock__u64_text(s->index, buf));
            olock__expr_put(e, "]", 1);
        } else {
            if (k) olock__expr_put(e, ".", 1);
            olock__expr_r_name(e, s);
        }
    }
}

static void olock__expr_r_value(olock_expr *e, const olock_value *v) {
    olock_value *node;
    const char *key;
    size_t key_len;
    unsigned id;
    if (e->status != OLOCK_OK) return;
    node = olock__expr_r_generated(e, e->values_out, ":v", &e->next_value, e->raw_values, e->raw_gen_values, &id);
    if (!node) return;
    /* the member shares v's contents: v is the builder's copy (or, borrowed, the caller's) */
    key = node->key;
    key_len = node->key_len;
    *node = *v;
    node->key = key;
    node->key_len = key_len;
    node->next = NULL;
}

static void olock__expr_r_operand(olock_expr *e, const olock_operand *o) {
    if (e->status != OLOCK_OK) return;
    switch (o->kind) {
    case OLOCK__OPND_PATH: olock__expr_r_path(e, &o->path); break;
    case OLOCK__OPND_VALUE: olock__expr_r_value(e, o->value); break;
    case OLOCK__OPND_SIZE:
        olock__expr_count_op(e);
        olock__expr_puts(e, "size(");
        olock__expr_r_path(e, &o->path);
        olock__expr_puts(e, ")");
        break;
    case OLOCK__OPND_IF_NOT_EXISTS:
        olock__expr_count_op(e);
        olock__expr_puts(e, "if_not_exists(");
        olock__expr_r_path(e, &o->path);
        olock__expr_puts(e, ", ");
        olock__expr_r_operand(e, o->b);
        olock__expr_puts(e, ")");
        break;
    case OLOCK__OPND_LIST_APPEND:
        olock__expr_count_op(e);
        olock__expr_puts(e, "list_append(");
        olock__expr_r_operand(e, o->a);
        olock__expr_puts(e, ", ");
        olock__expr_r_operand(e, o->b);
        olock__expr_puts(e, ")");
        break;
    default: /* PLUS, MINUS */
        olock__expr_count_op(e);
        olock__expr_r_operand(e, o->a);
        olock__expr_puts(e, o->kind == OLOCK__OPND_PLUS ? " + " : " - ");
        olock__expr_r_operand(e, o->b);
        break;
    }
}

/* Marks the caller's placeholders in raw text as used; fails on an undefined one. */
static void olock__expr_scan_raw(olock_expr *e, const char *s, size_t len) {
    size_t i = 0;
    while (i < len && e->status == OLOCK_OK) {
        if (!(olock__expr_cc[(unsigned char)s[i]] & OLOCK__CC_PLACEHOLD)) {
            for (i++; i < len && !(olock__expr_cc[(unsigned char)s[i]] & OLOCK__CC_PLACEHOLD); i++) {}
            continue;
        }
        if (i + 1 < len && olock__expr_word_char((unsigned char)s[i + 1])) {
            size_t w = i + 1;
            olock__expr_raw_entry *ent;
            int is_name = s[i] == '#';
            while (w < len && olock__expr_word_char((unsigned char)s[w])) w++;
            ent = olock__expr_raw_find(is_name ? e->raw_names : e->raw_values, s + i, w - i);
            if (!ent) {
                OLOCK__EXPR_FAIL(e, OLOCK_ERR_EXPRESSION, "%s expression: raw text uses %.*s, which is not in the %s given to olock_expr_add_maps",
                                 e->what, olock__expr_clip(s + i, w - i, 80), s + i, is_name ? "names" : "values");
                return;
            }
            ent->used = e->serial;
            i = w;
        } else {
            i++;
        }
    }
}

static int olock__expr_paren(int parent, const olock_cond *child) {
    if (child->kind == OLOCK__COND_RAW) return 1;
    switch (parent) {
    case OLOCK__COND_NOT: return child->kind == OLOCK__COND_AND || child->kind == OLOCK__COND_OR || child->kind == OLOCK__COND_BETWEEN;
    case OLOCK__COND_AND: return child->kind == OLOCK__COND_OR || child->kind == OLOCK__COND_BETWEEN;
    case OLOCK__COND_OR: return child->kind == OLOCK__COND_BETWEEN;
    default: return 0;
    }
}

static void olock__expr_r_cond(olock_expr *e, const olock_cond *c);

static void olock__expr_r_child(olock_expr *e, int parent, const olock_cond *c) {
    int p = olock__expr_paren(parent, c);
    if (p) olock__expr_put(e, "(", 1);
    olock__expr_r_cond(e, c);
    if (p) olock__expr_put(e, ")", 1);
}

static void olock__expr_r_call(olock_expr *e, const char *fname, const olock_cond *c) {
    size_t k;
    olock__expr_puts(e, fname);
    olock__expr_put(e, "(", 1);
    for (k = 0; k < c->nops; k++) {
        if (k) olock__expr_put(e, ", ", 2);
        olock__expr_r_operand(e, c->ops[k]);
    }
    olock__expr_put(e, ")", 1);
}

static void olock__expr_r_cond(olock_expr *e, const olock_cond *c) {
    size_t k;
    if (e->status != OLOCK_OK) return;
    if (c->kind != OLOCK__COND_RAW) olock__expr_count_op(e);
    switch (c->kind) {
    case OLOCK__COND_CMP:
        olock__expr_r_operand(e, c->ops[0]);
        olock__expr_puts(e, olock__expr_cmp_spaced(c->cmp));
        olock__expr_r_operand(e, c->ops[1]);
        break;
    case OLOCK__COND_BETWEEN:
        olock__expr_r_operand(e, c->ops[0]);
        olock__expr_puts(e, " BETWEEN ");
        olock__expr_r_operand(e, c->ops[1]);
        olock__expr_puts(e, " AND ");
        olock__expr_r_operand(e, c->ops[2]);
        break;
    case OLOCK__COND_IN:
        olock__expr_r_operand(e, c->ops[0]);
        olock__expr_puts(e, " IN (");
        for (k = 1; k < c->nops; k++) {
            if (k > 1) olock__expr_put(e, ", ", 2);
            olock__expr_r_operand(e, c->ops[k]);
        }
        olock__expr_put(e, ")", 1);
        break;
    case OLOCK__COND_EXISTS: olock__expr_r_call(e, "attribute_exists", c); break;
    case OLOCK__COND_NOT_EXISTS: olock__expr_r_call(e, "attribute_not_exists", c); break;
    case OLOCK__COND_TYPE: olock__expr_r_call(e, "attribute_type", c); break;
    case OLOCK__COND_BEGINS_WITH: olock__expr_r_call(e, "begins_with", c); break;
    case OLOCK__COND_CONTAINS: olock__expr_r_call(e, "contains", c); break;
    case OLOCK__COND_AND:
    case OLOCK__COND_OR:
        olock__expr_r_child(e, c->kind, c->a);
        olock__expr_puts(e, c->kind == OLOCK__COND_AND ? " AND " : " OR ");
        olock__expr_r_child(e, c->kind, c->b);
        break;
    case OLOCK__COND_NOT:
        olock__expr_puts(e, "NOT ");
        olock__expr_r_child(e, c->kind, c->a);
        break;
    default: /* RAW */
        olock__expr_scan_raw(e, c->raw, c->raw_len);
        olock__expr_put(e, c->raw, c->raw_len);
        break;
    }
}

/* Starts an expression in the output buffer; returns its offset. */
static size_t olock__expr_begin(olock_expr *e, const char *what) {
    olock_result r;
    e->what = what;
    e->expr_start = e->out.len;
    e->ops_count = 0;
    /* Room for the longest expression and its NUL at once (kept across resets), so that the
       many small writes of rendering need no capacity check. */
    if (e->out.cap - e->out.len <= OLOCK_EXPR_MAX_BYTES + 1 || e->out.max) {
        r = olock_buf_reserve(&e->out, OLOCK_EXPR_MAX_BYTES + 1);
        if (r != OLOCK_OK) OLOCK__EXPR_FAIL(e, r, "%s expression: %s", what, olock_result_str(r));
    }
    return e->out.len;
}

static void olock__expr_end(olock_expr *e) {
    olock_result r;
    if (e->status != OLOCK_OK) return;
    r = olock_buf_append(&e->out, "", 1); /* the NUL ending this string */
    if (r != OLOCK_OK) OLOCK__EXPR_FAIL(e, r, "%s expression: %s", e->what, olock_result_str(r));
}

/* The target path of a raw update action: its leading path, #placeholders resolved. */
static int olock__expr_raw_target(olock_expr *e, olock__expr_action *a) {
    olock__expr_seg tmp[OLOCK_PATH_MAX_DEPTH];
    const char *s = a->raw;
    size_t len = a->raw_len, i = 0;
    unsigned n = 0;
    olock__expr_seg *segs;
    for (;;) {
        size_t w;
        if (n == OLOCK_PATH_MAX_DEPTH) {
            OLOCK__EXPR_FAIL(e, OLOCK_ERR_LIMIT, "update expression: raw action \"%.*s\" has a path of more than 32 levels",
                             olock__expr_clip(s, len, 80), s);
            return 0;
        }
        w = i + (i < len && s[i] == '#');
        while (w < len && olock__expr_word_char((unsigned char)s[w])) w++;
        if (w == i || (s[i] == '#' && w == i + 1)) break;
        if (s[i] == '#') {
            olock__expr_raw_entry *ent = olock__expr_raw_find(e->raw_names, s + i, w - i);
            if (!ent) {
                OLOCK__EXPR_FAIL(e, OLOCK_ERR_EXPRESSION, "update expression: raw text uses %.*s, which is not in the names given to olock_expr_add_maps",
                                 olock__expr_clip(s + i, w - i, 80), s + i);
                return 0;
            }
            tmp[n].name = ent->value->str;
            tmp[n].len = ent->value->len;
        } else {
            tmp[n].name = s + i;
            tmp[n].len = w - i;
        }
        tmp[n].is_index = 0;
        tmp[n].index = 0;
        tmp[n].hash = 0;
        n++;
        i = w;
        for (;;) {
            while (i < len && olock__expr_space(s[i])) i++;
            if (i < len && s[i] == '[') {
                uint32_t v = 0;
                size_t digits = 0;
                i++;
                while (i < len && olock__expr_space(s[i])) i++;
                for (; i < len && s[i] >= '0' && s[i] <= '9'; i++, digits++)
                    if (v <= OLOCK_PATH_MAX_INDEX / 10) v = v * 10 + (uint32_t)(s[i] - '0');
                while (i < len && olock__expr_space(s[i])) i++;
                if (!digits || i == len || s[i] != ']' || n == OLOCK_PATH_MAX_DEPTH) {
                    n = 0;
                    break;
                }
                i++;
                tmp[n].name = NULL;
                tmp[n].len = 0;
                tmp[n].is_index = 1;
                tmp[n].index = v;
                tmp[n].hash = 0;
                n++;
                continue;
            }
            break;
        }
        if (n == 0) break;
        if (i < len && s[i] == '.') {
            i++;
            while (i < len && olock__expr_space(s[i])) i++;
            continue;
        }
        break;
    }
    if (n == 0) {
        if (e->status == OLOCK_OK)
            OLOCK__EXPR_FAIL(e, OLOCK_ERR_EXPRESSION, "update expression: cannot read the target path of raw action \"%.*s\"",
                             olock__expr_clip(s, len, 80), s);
        return 0;
    }
    segs = (olock__expr_seg *)olock__expr_alloc(e, n * sizeof *segs);
    if (!segs) return 0;
    memcpy(segs, tmp, n * sizeof *segs);
    a->target.segs = segs;
    a->target.count = n;
    return 1;
}

static void olock__expr_overlap_fail(olock_expr *e, const char *what, const olock__expr_action *a, const olock__expr_action *b) {
    char b1[96], b2[96];
    OLOCK__EXPR_FAIL(e, OLOCK_ERR_EXPRESSION,
                     "%s expression: paths %s and %s overlap (DynamoDB rejects two actions on one path or on a path and its parent)",
                     what, olock__expr_path_text(&a->target, b1, sizeof b1), olock__expr_path_text(&b->target, b2, sizeof b2));
}

/* Every pair of actions, earlier one first, in the order of the lists. */
static void olock__expr_check_overlaps(olock_expr *e, const char *what, olock__expr_action *const *lists, int nlists) {
    const olock__expr_action *flat[16];
    size_t n = 0, i, j;
    int li, lj;
    olock__expr_action *a, *b;
    /* A request's few actions as one array: a plain double loop over it is cheaper than
       walking the lists for every action. */
    for (li = 0; li < nlists && n <= 16; li++)
        for (a = lists[li]; a && n <= 16; a = a->next)
            if (n < 16) flat[n++] = a;
            else n = 17;
    if (n <= 16) {
        for (i = 0; i < n; i++)
            for (j = i + 1; j < n; j++)
                if (olock__expr_paths_overlap(&flat[i]->target, &flat[j]->target)) {
                    olock__expr_overlap_fail(e, what, flat[i], flat[j]);
                    return;
                }
        return;
    }
    for (li = 0; li < nlists; li++)
        for (a = lists[li]; a; a = a->next)
            for (lj = li; lj < nlists; lj++)
                for (b = (lj == li ? a->next : lists[lj]); b; b = b->next)
                    if (olock__expr_paths_overlap(&a->target, &b->target)) {
                        olock__expr_overlap_fail(e, what, a, b);
                        return;
                    }
}

static void olock__expr_r_update(olock_expr *e) {
    static const char *const words[OLOCK__EXPR_CLAUSES] = { "SET ", "REMOVE ", "ADD ", "DELETE " };
    int k, first_clause = 1;
    for (k = 0; k < OLOCK__EXPR_CLAUSES; k++) {
        olock__expr_action *a;
        if (!e->clause_head[k]) continue;
        if (!first_clause) olock__expr_put(e, " ", 1);
        first_clause = 0;
        olock__expr_puts(e, words[k]);
        for (a = e->clause_head[k]; a; a = a->next) {
            if (a != e->clause_head[k]) olock__expr_put(e, ", ", 2);
            if (a->raw) {
                olock__expr_scan_raw(e, a->raw, a->raw_len);
                olock__expr_put(e, a->raw, a->raw_len);
                continue;
            }
            olock__expr_r_path(e, &a->target);
            if (k == OLOCK__EXPR_SET) olock__expr_put(e, " = ", 3);
            else if (a->value) olock__expr_put(e, " ", 1);
            if (a->value) olock__expr_r_operand(e, a->value);
        }
    }
}

/* An output map (in the builder: valid until the next render), holding the caller's entries. */
static olock_value *olock__expr_map_new(olock_expr *e, olock_value *m, olock__expr_raw_entry *raw) {
    memset(m, 0, sizeof *m);
    m->type = OLOCK_TYPE_M;
    for (; raw; raw = raw->next)
        if (!olock__expr_map_add(e, m, raw->key, raw->key_len, raw->value)) return NULL;
    return m;
}

static void olock__expr_check_unused(olock_expr *e, olock__expr_raw_entry *raw, const char *what) {
    for (; raw && e->status == OLOCK_OK; raw = raw->next)
        if (raw->used != e->serial)
            OLOCK__EXPR_FAIL(e, OLOCK_ERR_EXPRESSION, "olock_expr_render: %.*s from the %s map is not used by any raw expression (DynamoDB rejects unused entries)",
                             (int)raw->key_len, raw->key, what);
}

static olock_result olock__expr_report(olock_expr *e, olock_error *err) {
    if (err) {
        if (e->status != OLOCK_OK) *err = e->error;
        else olock__error_clear(err);
    }
    return e->status;
}

OLOCK_API olock_result olock_expr_render(olock_expr *e, olock_expr_output *out, olock_error *err) {
    size_t off[5] = { 0, 0, 0, 0, 0 }, cap, k;
    int used[5] = { 0, 0, 0, 0, 0 };
    olock__expr_action *a;
    olock_expr_output res;
    if (!e || !out) {
        if (err) {
            olock__error_clear(err);
            olock__error_set(err, OLOCK_ERR_INVALID_ARG, "olock_expr_render: NULL argument");
        }
        return OLOCK_ERR_INVALID_ARG;
    }
    if (e->status != OLOCK_OK) return olock__expr_report(e, err);

    /* Checks that need the whole request. */
    if (e->sk_cond && !e->pk_path)
        OLOCK__EXPR_FAIL(e, OLOCK_ERR_EXPRESSION, "olock_expr_render: a sort key condition needs a partition key condition");
    for (k = 0; k < OLOCK__EXPR_CLAUSES && e->status == OLOCK_OK; k++)
        for (a = e->clause_head[k]; a && e->status == OLOCK_OK; a = a->next)
            if (a->raw) olock__expr_raw_target(e, a);
    if (e->status == OLOCK_OK) olock__expr_check_overlaps(e, "update", e->clause_head, OLOCK__EXPR_CLAUSES);
    if (e->status == OLOCK_OK) olock__expr_check_overlaps(e, "projection", &e->proj_head, 1);
    if (e->status != OLOCK_OK) return olock__expr_report(e, err);

    /* Render state: a name table big enough for every name segment ever created. */
    if (++e->serial == 0) { /* wrapped: no slot may look filled by this render */
        memset(e->inline_slots, 0, sizeof e->inline_slots);
        e->serial = 1;
    }
    e->next_name = e->next_value = 0;
    for (cap = OLOCK__EXPR_INLINE_SLOTS; cap < 2 * e->name_refs + 2; cap *= 2) {}
    if (cap == OLOCK__EXPR_INLINE_SLOTS) {
        e->slots = e->inline_slots;
    } else {
        e->slots = (olock__expr_slot *)olock__expr_alloc(e, cap * sizeof *e->slots);
        if (!e->slots) return olock__expr_report(e, err);
        memset(e->slots, 0, cap * sizeof *e->slots); /* serial 0: empty */
    }
    e->slot_cap = cap;
    e->names_out = olock__expr_map_new(e, &e->names_map, e->raw_names);
    e->values_out = e->names_out ? olock__expr_map_new(e, &e->values_map, e->raw_values) : NULL;
    olock_buf_clear(&e->out);

    if (e->condition) {
        used[0] = 1;
        off[0] = olock__expr_begin(e, "condition");
        olock__expr_r_cond(e, e->condition);
        olock__expr_end(e);
    }
    if (e->clause_head[0] || e->clause_head[1] || e->clause_head[2] || e->clause_head[3]) {
        used[1] = 1;
        off[1] = olock__expr_begin(e, "update");
        olock__expr_r_update(e);
        olock__expr_end(e);
    }
    if (e->proj_head) {
        used[2] = 1;
        off[2] = olock__expr_begin(e, "projection");
        for (a = e->proj_head; a; a = a->next) {
            if (a != e->proj_head) olock__expr_put(e, ", ", 2);
            olock__expr_r_path(e, &a->target);
        }
        olock__expr_end(e);
    }
    if (e->pk_path) {
        used[3] = 1;
        off[3] = olock__expr_begin(e, "key condition");
        olock__expr_r_path(e, &e->pk_path->path);
        olock__expr_put(e, " = ", 3);
        olock__expr_r_operand(e, e->pk_value);
        if (e->sk_cond) {
            olock__expr_puts(e, " AND ");
            olock__expr_r_cond(e, e->sk_cond);
        }
        olock__expr_end(e);
    }
    if (e->filter) {
        used[4] = 1;
        off[4] = olock__expr_begin(e, "filter");
        olock__expr_r_cond(e, e->filter);
        olock__expr_end(e);
    }
    olock__expr_check_unused(e, e->raw_names, "names");
    olock__expr_check_unused(e, e->raw_values, "values");
    if (e->status != OLOCK_OK) return olock__expr_report(e, err);

    res.condition = used[0] ? e->out.data + off[0] : NULL;
    res.update = used[1] ? e->out.data + off[1] : NULL;
    res.projection = used[2] ? e->out.data + off[2] : NULL;
    res.key_condition = used[3] ? e->out.data + off[3] : NULL;
    res.filter = used[4] ? e->out.data + off[4] : NULL;
    res.names = e->names_out->count ? e->names_out : NULL;
    res.values = e->values_out->count ? e->values_out : NULL;
    *out = res;
    return olock__expr_report(e, err);
}

OLOCK_API olock_result olock_expr_render_item(olock_expr *e, olock_item_request *r, olock_error *err) {
    olock_expr_output o;
    olock_result rc;
    memset(&o, 0, sizeof o); /* written on success only: gcc -O2 cannot tell */
    if (e && r && olock__expr_ok(e) && (e->pk_path || e->sk_cond || e->filter))
        OLOCK__EXPR_FAIL(e, OLOCK_ERR_INVALID_ARG, "olock_expr_render_item: a key condition or filter belongs to a query, not an item request");
    if (e && !r) OLOCK__EXPR_FAIL(e, OLOCK_ERR_INVALID_ARG, "olock_expr_render_item: NULL request");
    rc = olock_expr_render(e, &o, err);
    if (rc != OLOCK_OK) return rc;
    r->condition = o.condition;
    r->update = o.update;
    r->projection = o.projection;
    r->names = o.names;
    r->values = o.values;
    return OLOCK_OK;
}

OLOCK_API olock_result olock_expr_render_query(olock_expr *e, olock_query_request *r, olock_error *err) {
    olock_expr_output o;
    olock_result rc;
    int k;
    memset(&o, 0, sizeof o); /* written on success only: gcc -O2 cannot tell */
    if (e && r && olock__expr_ok(e)) {
        int has_update = 0;
        for (k = 0; k < OLOCK__EXPR_CLAUSES; k++)
            if (e->clause_head[k]) has_update = 1;
        if (e->condition || has_update)
            OLOCK__EXPR_FAIL(e, OLOCK_ERR_INVALID_ARG, "olock_expr_render_query: a condition or update belongs to an item request, not a query");
    }
    if (e && !r) OLOCK__EXPR_FAIL(e, OLOCK_ERR_INVALID_ARG, "olock_expr_render_query: NULL request");
    rc = olock_expr_render(e, &o, err);
    if (rc != OLOCK_OK) return rc;
    r->key_condition = o.key_condition;
    r->filter = o.filter;
    r->projection = o.projection;
    r->names = o.names;
    r->values = o.values;
    return OLOCK_OK;
}

#undef OLOCK__EXPR_FAIL
