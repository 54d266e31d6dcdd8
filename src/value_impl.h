/* =============================================================================================
   >>value (implementation)
   ========================================================================================== */

/* Private names later parts may use: olock__value_new, olock__set_member_type and
   olock__append_member, with which the DynamoDB JSON decoder (>>json) builds values in place,
   in one pass, without the public constructors' copies and checks it has already made; the
   engine's kept rendering (>>engine) appends with olock__append_member too. */

/* ---- values -------------------------------------------------------------------------------- */

OLOCK_API const char *olock_type_name(olock_type t) {
    switch (t) {
    case OLOCK_TYPE_S: return "S";
    case OLOCK_TYPE_N: return "N";
    case OLOCK_TYPE_B: return "B";
    case OLOCK_TYPE_BOOL: return "BOOL";
    case OLOCK_TYPE_NULL: return "NULL";
    case OLOCK_TYPE_M: return "M";
    case OLOCK_TYPE_L: return "L";
    case OLOCK_TYPE_SS: return "SS";
    case OLOCK_TYPE_NS: return "NS";
    case OLOCK_TYPE_BS: return "BS";
    }
    return "?";
}

OLOCK_API olock_type olock_type_from_name(const char *name, size_t len) {
    /* By length and letters rather than a loop of strlen and memcmp: every decoded value asks. */
    if (!name) return (olock_type)0;
    if (len == 1) {
        switch (name[0]) {
        case 'S': return OLOCK_TYPE_S;
        case 'N': return OLOCK_TYPE_N;
        case 'B': return OLOCK_TYPE_B;
        case 'M': return OLOCK_TYPE_M;
        case 'L': return OLOCK_TYPE_L;
        default: return (olock_type)0;
        }
    }
    if (len == 2 && name[1] == 'S') {
        switch (name[0]) {
        case 'S': return OLOCK_TYPE_SS;
        case 'N': return OLOCK_TYPE_NS;
        case 'B': return OLOCK_TYPE_BS;
        default: return (olock_type)0;
        }
    }
    if (len == 4 && memcmp(name, "BOOL", 4) == 0) return OLOCK_TYPE_BOOL;
    if (len == 4 && memcmp(name, "NULL", 4) == 0) return OLOCK_TYPE_NULL;
    return (olock_type)0;
}

static int olock__is_container(olock_type t) {
    return t == OLOCK_TYPE_M || t == OLOCK_TYPE_L || t >= OLOCK_TYPE_SS;
}

static olock_type olock__set_member_type(olock_type set) {
    return set == OLOCK_TYPE_SS ? OLOCK_TYPE_S : set == OLOCK_TYPE_NS ? OLOCK_TYPE_N
                                                                      : OLOCK_TYPE_B;
}

/* A zeroed value of type t, with `extra` bytes after it in the same piece of the arena. */
static olock_value *olock__value_take(olock_arena *a, olock_type t, size_t extra) {
    olock_value *v = (olock_value *)olock__arena_take(a, sizeof *v + extra);
    if (!v) return NULL;
    memset(v, 0, sizeof *v);
    v->type = t;
    return v;
}

static olock_value *olock__value_new(olock_arena *a, olock_type t) { return olock__value_take(a, t, 0); }

/* A value and its text (NUL-terminated) in one piece of the arena: one allocation, not two,
   for every string and number an item or a request is built of. */
static olock_value *olock__value_new_bytes(olock_arena *a, olock_type t, const char *s, size_t len) {
    olock_value *v;
    char *text;
    if (!s) len = 0;
    if (len > (size_t)-1 / 2) return NULL;
    v = olock__value_take(a, t, len + 1);
    if (!v) return NULL;
    text = (char *)(v + 1);
    if (len) memcpy(text, s, len);
    text[len] = 0;
    v->str = text;
    v->len = len;
    return v;
}

OLOCK_API olock_value *olock_value_new_s(olock_arena *a, const char *s, size_t len) {
    return olock__value_new_bytes(a, OLOCK_TYPE_S, s, len);
}

OLOCK_API olock_value *olock_value_new_b(olock_arena *a, const void *bytes, size_t len) {
    return olock__value_new_bytes(a, OLOCK_TYPE_B, (const char *)bytes, len);
}

OLOCK_API olock_value *olock_value_new_decimal(olock_arena *a, const olock_decimal *d) {
    char text[OLOCK_NUMBER_TEXT_MAX + 1];
    size_t n = olock_decimal_format(d, text);
    if (n == 0) return NULL; /* not a valid decimal */
    return olock__value_new_bytes(a, OLOCK_TYPE_N, text, n);
}

OLOCK_API olock_value *olock_value_new_n(olock_arena *a, const char *text, size_t len) {
    olock_decimal d;
    if (!text || olock_decimal_parse(text, len, &d, NULL) != OLOCK_OK) return NULL;
    return olock_value_new_decimal(a, &d);
}

/* An integer's canonical text is its sign and decimal digits (at most 20 of the 38 a number may
   have): written directly rather than through olock_decimal and olock_decimal_format. */
static olock_value *olock__value_new_int(olock_arena *a, uint64_t magnitude, int negative) {
    char tmp[24];
    size_t n = sizeof tmp;
    do {
        tmp[--n] = (char)('0' + magnitude % 10);
        magnitude /= 10;
    } while (magnitude);
    if (negative) tmp[--n] = '-';
    return olock__value_new_bytes(a, OLOCK_TYPE_N, tmp + n, sizeof tmp - n);
}

OLOCK_API olock_value *olock_value_new_i64(olock_arena *a, int64_t v) {
    return v < 0 ? olock__value_new_int(a, (uint64_t)0 - (uint64_t)v, 1) : olock__value_new_int(a, (uint64_t)v, 0);
}

OLOCK_API olock_value *olock_value_new_u64(olock_arena *a, uint64_t v) {
    return olock__value_new_int(a, v, 0);
}

OLOCK_API olock_value *olock_value_new_double(olock_arena *a, double v) {
    olock_decimal d;
    if (olock_decimal_from_double(v, &d) != OLOCK_OK) return NULL;
    return olock_value_new_decimal(a, &d);
}

OLOCK_API olock_value *olock_value_new_bool(olock_arena *a, int b) {
    olock_value *v = olock__value_new(a, OLOCK_TYPE_BOOL);
    if (v) v->boolean = b ? 1 : 0;
    return v;
}

OLOCK_API olock_value *olock_value_new_null(olock_arena *a) {
    return olock__value_new(a, OLOCK_TYPE_NULL);
}

OLOCK_API olock_value *olock_value_new_container(olock_arena *a, olock_type t) {
    if (!olock__is_container(t)) return NULL;
    return olock__value_new(a, t);
}

static void olock__append_member(olock_value *parent, olock_value *v) {
    v->next = NULL;
    if (parent->last) parent->last->next = v;
    else parent->first = v;
    parent->last = v;
    parent->count++;
}

static olock_value *olock__value_copy(olock_arena *a, const olock_value *v, int depth) {
    olock_value *c;
    const olock_value *m;
    if (depth > OLOCK_MAX_DEPTH) return NULL;
    c = olock__value_new(a, v->type);
    if (!c) return NULL;
    c->boolean = v->boolean;
    if (v->str) {
        c->str = olock_arena_strdup(a, v->str, v->len);
        if (!c->str) return NULL;
        c->len = v->len;
    }
    for (m = v->first; m; m = m->next) {
        olock_value *mc = olock__value_copy(a, m, depth + 1);
        if (!mc) return NULL;
        if (m->key) {
            mc->key = olock_arena_strdup(a, m->key, m->key_len);
            if (!mc->key) return NULL;
            mc->key_len = m->key_len;
        }
        olock__append_member(c, mc);
    }
    return c;
}

OLOCK_API olock_value *olock_value_copy(olock_arena *a, const olock_value *v) {
    return v ? olock__value_copy(a, v, 0) : NULL;
}

OLOCK_API olock_result olock_map_put(olock_arena *a, olock_value *map, const char *key, size_t key_len, olock_value *v) {
    olock_value *m, *prev = NULL;
    if (!map || map->type != OLOCK_TYPE_M || !v || !key) return OLOCK_ERR_INVALID_ARG;
    for (m = map->first; m; prev = m, m = m->next) {
        if (m->key_len == key_len && memcmp(m->key, key, key_len) == 0) {
            /* Replace in place so the member keeps its position. */
            v->key = m->key;
            v->key_len = m->key_len;
            v->next = m->next;
            if (prev) prev->next = v;
            else map->first = v;
            if (map->last == m) map->last = v;
            return OLOCK_OK;
        }
    }
    v->key = olock_arena_strdup(a, key, key_len);
    if (!v->key) return OLOCK_ERR_NOMEM;
    v->key_len = key_len;
    olock__append_member(map, v);
    return OLOCK_OK;
}

OLOCK_API const olock_value *olock_map_get(const olock_value *map, const char *key, size_t key_len) {
    const olock_value *m;
    if (!map || map->type != OLOCK_TYPE_M || !key) return NULL;
    for (m = map->first; m; m = m->next)
        if (m->key_len == key_len && memcmp(m->key, key, key_len) == 0) return m;
    return NULL;
}

OLOCK_API int olock_map_remove(olock_value *map, const char *key, size_t key_len) {
    olock_value *m, *prev = NULL;
    if (!map || map->type != OLOCK_TYPE_M || !key) return 0;
    for (m = map->first; m; prev = m, m = m->next) {
        if (m->key_len == key_len && memcmp(m->key, key, key_len) == 0) {
            if (prev) prev->next = m->next;
            else map->first = m->next;
            if (map->last == m) map->last = prev;
            map->count--;
            return 1;
        }
    }
    return 0;
}

OLOCK_API olock_result olock_list_append(olock_value *list, olock_value *v) {
    if (!list || list->type != OLOCK_TYPE_L || !v) return OLOCK_ERR_INVALID_ARG;
    olock__append_member(list, v);
    return OLOCK_OK;
}

OLOCK_API const olock_value *olock_list_get(const olock_value *list, size_t index) {
    const olock_value *m;
    if (!list || list->type != OLOCK_TYPE_L) return NULL;
    for (m = list->first; m && index; m = m->next) index--;
    return m;
}

/* S, N (canonical text) and B compare as bytes; that is exact for numbers because every N
   value is stored canonical. */
static int olock__scalar_bytes_equal(const olock_value *a, const olock_value *b) {
    return a->len == b->len && (a->len == 0 || memcmp(a->str, b->str, a->len) == 0);
}

OLOCK_API int olock_set_contains(const olock_value *set, const olock_value *v) {
    const olock_value *m;
    if (!set || !v || set->type < OLOCK_TYPE_SS || v->type != olock__set_member_type(set->type)) return 0;
    for (m = set->first; m; m = m->next)
        if (olock__scalar_bytes_equal(m, v)) return 1;
    return 0;
}

OLOCK_API olock_result olock_set_add(olock_value *set, olock_value *v) {
    if (!set || set->type < OLOCK_TYPE_SS || !v) return OLOCK_ERR_INVALID_ARG;
    if (v->type != olock__set_member_type(set->type)) return OLOCK_ERR_TYPE;
    if (olock_set_contains(set, v)) return OLOCK_OK;
    olock__append_member(set, v);
    return OLOCK_OK;
}

OLOCK_API olock_result olock_value_get_s(const olock_value *v, const char **s, size_t *len) {
    if (!v) return OLOCK_ERR_INVALID_ARG;
    if (v->type != OLOCK_TYPE_S) return OLOCK_ERR_TYPE;
    if (s) *s = v->str;
    if (len) *len = v->len;
    return OLOCK_OK;
}

OLOCK_API olock_result olock_value_get_b(const olock_value *v, const void **bytes, size_t *len) {
    if (!v) return OLOCK_ERR_INVALID_ARG;
    if (v->type != OLOCK_TYPE_B) return OLOCK_ERR_TYPE;
    if (bytes) *bytes = v->str;
    if (len) *len = v->len;
    return OLOCK_OK;
}

OLOCK_API olock_result olock_value_get_bool(const olock_value *v, int *b) {
    if (!v || !b) return OLOCK_ERR_INVALID_ARG;
    if (v->type != OLOCK_TYPE_BOOL) return OLOCK_ERR_TYPE;
    *b = v->boolean;
    return OLOCK_OK;
}

OLOCK_API olock_result olock_value_get_decimal(const olock_value *v, olock_decimal *d) {
    if (!v || !d) return OLOCK_ERR_INVALID_ARG;
    if (v->type != OLOCK_TYPE_N) return OLOCK_ERR_TYPE;
    return olock_decimal_parse(v->str, v->len, d, NULL);
}

OLOCK_API olock_result olock_value_get_i64(const olock_value *v, int64_t *out) {
    olock_decimal d;
    olock_result r = olock_value_get_decimal(v, &d);
    return r != OLOCK_OK ? r : olock_decimal_to_i64(&d, out);
}

OLOCK_API olock_result olock_value_get_u64(const olock_value *v, uint64_t *out) {
    olock_decimal d;
    olock_result r = olock_value_get_decimal(v, &d);
    return r != OLOCK_OK ? r : olock_decimal_to_u64(&d, out);
}

OLOCK_API olock_result olock_value_get_double(const olock_value *v, double *out) {
    olock_decimal d;
    olock_result r = olock_value_get_decimal(v, &d);
    return r != OLOCK_OK ? r : olock_decimal_to_double(&d, out);
}

static int olock__value_equal(const olock_value *a, const olock_value *b, int depth) {
    const olock_value *m, *n;
    if (a == b) return 1;
    if (!a || !b || a->type != b->type || depth > OLOCK_MAX_DEPTH) return 0;
    switch (a->type) {
    case OLOCK_TYPE_S:
    case OLOCK_TYPE_N:
    case OLOCK_TYPE_B:
        return olock__scalar_bytes_equal(a, b);
    case OLOCK_TYPE_BOOL: return a->boolean == b->boolean;
    case OLOCK_TYPE_NULL: return 1;
    case OLOCK_TYPE_L:
        if (a->count != b->count) return 0;
        for (m = a->first, n = b->first; m && n; m = m->next, n = n->next)
            if (!olock__value_equal(m, n, depth + 1)) return 0;
        return 1;
    case OLOCK_TYPE_M:
        if (a->count != b->count) return 0;
        for (m = a->first; m; m = m->next)
            if (!olock__value_equal(m, olock_map_get(b, m->key, m->key_len), depth + 1)) return 0;
        return 1;
    case OLOCK_TYPE_SS:
    case OLOCK_TYPE_NS:
    case OLOCK_TYPE_BS:
        /* Members are unique, so equal counts and inclusion one way is equality. */
        if (a->count != b->count) return 0;
        for (m = a->first; m; m = m->next)
            if (!olock_set_contains(b, m)) return 0;
        return 1;
    }
    return 0;
}

OLOCK_API int olock_value_equal(const olock_value *a, const olock_value *b) {
    return olock__value_equal(a, b, 0);
}

/* ---- items --------------------------------------------------------------------------------- */

OLOCK_API olock_result olock_item_create(const olock_allocator *alloc, olock_item **out) {
    olock_item *it;
    if (!out) return OLOCK_ERR_INVALID_ARG;
    it = (olock_item *)olock__alloc(alloc, sizeof *it);
    if (!it) return OLOCK_ERR_NOMEM;
    olock_arena_init(&it->arena, alloc);
    it->root = olock_value_new_container(&it->arena, OLOCK_TYPE_M);
    if (!it->root) {
        olock_arena_free(&it->arena);
        olock__free(alloc, it, sizeof *it);
        return OLOCK_ERR_NOMEM;
    }
    *out = it;
    return OLOCK_OK;
}

OLOCK_API void olock_item_destroy(olock_item *it) {
    const olock_allocator *alloc;
    if (!it) return;
    alloc = it->arena.alloc;
    olock_arena_free(&it->arena);
    olock__free(alloc, it, sizeof *it);
}

OLOCK_API olock_result olock_item_copy(const olock_item *src, const olock_allocator *alloc, olock_item **out) {
    olock_item *it = NULL;
    olock_value *root;
    olock_result r;
    if (!src || !out) return OLOCK_ERR_INVALID_ARG;
    r = olock_item_create(alloc, &it);
    if (r != OLOCK_OK) return r;
    root = olock_value_copy(&it->arena, src->root);
    if (!root) {
        olock_item_destroy(it);
        return OLOCK_ERR_NOMEM;
    }
    it->root = root;
    *out = it;
    return OLOCK_OK;
}

OLOCK_API olock_arena *olock_item_arena(olock_item *it) { return it ? &it->arena : NULL; }

OLOCK_API olock_result olock_item_put(olock_item *it, const char *name, olock_value *v) {
    if (!it || !name || !v) return OLOCK_ERR_INVALID_ARG;
    return olock_map_put(&it->arena, it->root, name, strlen(name), v);
}

OLOCK_API olock_result olock_item_set(olock_item *it, const char *name, const olock_value *v) {
    olock_value *c;
    if (!it || !name || !v) return OLOCK_ERR_INVALID_ARG;
    c = olock_value_copy(&it->arena, v);
    return c ? olock_item_put(it, name, c) : OLOCK_ERR_NOMEM;
}

/* Shared tail of the typed setters: a NULL value from a constructor is OOM. */
static olock_result olock__item_put_new(olock_item *it, const char *name, olock_value *v) {
    return v ? olock_item_put(it, name, v) : OLOCK_ERR_NOMEM;
}

OLOCK_API olock_result olock_item_set_s(olock_item *it, const char *name, const char *s) {
    if (!it || !s) return OLOCK_ERR_INVALID_ARG;
    return olock__item_put_new(it, name, olock_value_new_s(&it->arena, s, strlen(s)));
}

OLOCK_API olock_result olock_item_set_n(olock_item *it, const char *name, const char *number_text) {
    olock_decimal d;
    olock_result r;
    if (!it || !number_text) return OLOCK_ERR_INVALID_ARG;
    r = olock_decimal_parse(number_text, strlen(number_text), &d, NULL);
    if (r != OLOCK_OK) return r;
    return olock__item_put_new(it, name, olock_value_new_decimal(&it->arena, &d));
}

OLOCK_API olock_result olock_item_set_i64(olock_item *it, const char *name, int64_t v) {
    if (!it) return OLOCK_ERR_INVALID_ARG;
    return olock__item_put_new(it, name, olock_value_new_i64(&it->arena, v));
}

OLOCK_API olock_result olock_item_set_double(olock_item *it, const char *name, double v) {
    olock_decimal d;
    olock_result r;
    if (!it) return OLOCK_ERR_INVALID_ARG;
    r = olock_decimal_from_double(v, &d);
    if (r != OLOCK_OK) return r;
    return olock__item_put_new(it, name, olock_value_new_decimal(&it->arena, &d));
}

OLOCK_API olock_result olock_item_set_b(olock_item *it, const char *name, const void *bytes, size_t len) {
    if (!it || (!bytes && len)) return OLOCK_ERR_INVALID_ARG;
    return olock__item_put_new(it, name, olock_value_new_b(&it->arena, bytes, len));
}

OLOCK_API olock_result olock_item_set_bool(olock_item *it, const char *name, int b) {
    if (!it) return OLOCK_ERR_INVALID_ARG;
    return olock__item_put_new(it, name, olock_value_new_bool(&it->arena, b));
}

OLOCK_API olock_result olock_item_set_null(olock_item *it, const char *name) {
    if (!it) return OLOCK_ERR_INVALID_ARG;
    return olock__item_put_new(it, name, olock_value_new_null(&it->arena));
}

OLOCK_API const olock_value *olock_item_get(const olock_item *it, const char *name) {
    if (!it || !name) return NULL;
    return olock_map_get(it->root, name, strlen(name));
}

OLOCK_API int olock_item_remove(olock_item *it, const char *name) {
    if (!it || !name) return 0;
    return olock_map_remove(it->root, name, strlen(name));
}

OLOCK_API olock_result olock_item_get_s(const olock_item *it, const char *name, const char **s) {
    const olock_value *v = olock_item_get(it, name);
    if (!v) return OLOCK_ERR_NOT_FOUND;
    return olock_value_get_s(v, s, NULL);
}

OLOCK_API olock_result olock_item_get_i64(const olock_item *it, const char *name, int64_t *out) {
    const olock_value *v = olock_item_get(it, name);
    if (!v) return OLOCK_ERR_NOT_FOUND;
    return olock_value_get_i64(v, out);
}

OLOCK_API const olock_value *olock_map_find(const olock_value *map, const char *name) {
    return name ? olock_map_get(map, name, strlen(name)) : NULL;
}

OLOCK_API olock_result olock_map_get_s(const olock_value *map, const char *name, const char **s, size_t *len) {
    const olock_value *v = olock_map_find(map, name);
    if (!v) return OLOCK_ERR_NOT_FOUND;
    return olock_value_get_s(v, s, len);
}

OLOCK_API olock_result olock_map_get_i64(const olock_value *map, const char *name, int64_t *out) {
    const olock_value *v = olock_map_find(map, name);
    if (!v) return OLOCK_ERR_NOT_FOUND;
    return olock_value_get_i64(v, out);
}

OLOCK_API olock_result olock_map_get_u64(const olock_value *map, const char *name, uint64_t *out) {
    const olock_value *v = olock_map_find(map, name);
    if (!v) return OLOCK_ERR_NOT_FOUND;
    return olock_value_get_u64(v, out);
}

OLOCK_API olock_result olock_map_get_double(const olock_value *map, const char *name, double *out) {
    const olock_value *v = olock_map_find(map, name);
    if (!v) return OLOCK_ERR_NOT_FOUND;
    return olock_value_get_double(v, out);
}

OLOCK_API olock_result olock_map_get_bool(const olock_value *map, const char *name, int *b) {
    const olock_value *v = olock_map_find(map, name);
    if (!v) return OLOCK_ERR_NOT_FOUND;
    return olock_value_get_bool(v, b);
}

OLOCK_API olock_result olock_item_key(const olock_item *it, const char *hash_key, const char *range_key,
                                      olock_item **out, olock_error *err) {
    const char *names[2];
    olock_item *k = NULL;
    olock_result r;
    size_t i;
    olock__error_clear(err);
    if (!it) return olock__null_arg(err, "olock_item_key", "it");
    if (!hash_key) return olock__null_arg(err, "olock_item_key", "hash_key");
    if (!out) return olock__null_arg(err, "olock_item_key", "out");
    names[0] = hash_key;
    names[1] = range_key;
    for (i = 0; i < 2 && names[i]; i++) {
        if (!olock_item_get(it, names[i])) {
            olock_item_destroy(k);
            olock__error_set(err, OLOCK_ERR_NOT_FOUND, "olock_item_key: the item has no attribute \"%s\"", names[i]);
            return OLOCK_ERR_NOT_FOUND;
        }
        if (!k && (r = olock_item_create(it->arena.alloc, &k)) != OLOCK_OK) return olock__fail_at(err, r, 0, "out of memory");
        if ((r = olock_item_set(k, names[i], olock_item_get(it, names[i]))) != OLOCK_OK) {
            olock_item_destroy(k);
            return olock__fail_at(err, r, 0, "out of memory");
        }
    }
    *out = k;
    return OLOCK_OK;
}

OLOCK_API int olock_item_equal(const olock_item *a, const olock_item *b) {
    if (!a || !b) return a == b;
    return olock_value_equal(a->root, b->root);
}
