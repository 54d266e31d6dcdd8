/* =============================================================================================
   >>store (implementation)
   ========================================================================================== */

/* ---- the order of Scan: DynamoDB Local's salted SHA-1 of key values ----------------------- */

/* DynamoDB Local keeps items in SQLite, ordered by a digest of the hash key: SHA-1 over the
   bytes "LocalDdb" and the key's bytes (S as UTF-8, B as is, N in an order-preserving base-100
   form). Scan walks partitions in that order, and secondary indexes break ties with digests
   of the table's key. SHA-1 here only orders items; nothing depends on its strength. */
typedef struct olock__fake_sha1 {
    uint32_t h[5];
    unsigned char buf[64];
    uint64_t len; /* bytes hashed so far */
} olock__fake_sha1;

static uint32_t olock__fake_rol(uint32_t x, int n) { return (x << n) | (x >> (32 - n)); }

static void olock__fake_sha1_block(uint32_t *h, const unsigned char *p) {
    uint32_t w[80], a, b, cc, d, e;
    int i;
    for (i = 0; i < 16; i++)
        w[i] = ((uint32_t)p[4 * i] << 24) | ((uint32_t)p[4 * i + 1] << 16) | ((uint32_t)p[4 * i + 2] << 8) | p[4 * i + 3];
    for (; i < 80; i++) w[i] = olock__fake_rol(w[i - 3] ^ w[i - 8] ^ w[i - 14] ^ w[i - 16], 1);
    a = h[0];
    b = h[1];
    cc = h[2];
    d = h[3];
    e = h[4];
    for (i = 0; i < 80; i++) {
        uint32_t f, k, t;
        if (i < 20) {
            f = (b & cc) | (~b & d);
            k = 0x5A827999u;
        } else if (i < 40) {
            f = b ^ cc ^ d;
            k = 0x6ED9EBA1u;
        } else if (i < 60) {
            f = (b & cc) | (b & d) | (cc & d);
            k = 0x8F1BBCDCu;
        } else {
            f = b ^ cc ^ d;
            k = 0xCA62C1D6u;
        }
        t = olock__fake_rol(a, 5) + f + e + k + w[i];
        e = d;
        d = cc;
        cc = olock__fake_rol(b, 30);
        b = a;
        a = t;
    }
    h[0] += a;
    h[1] += b;
    h[2] += cc;
    h[3] += d;
    h[4] += e;
}

static void olock__fake_sha1_init(olock__fake_sha1 *s) {
    s->h[0] = 0x67452301u;
    s->h[1] = 0xEFCDAB89u;
    s->h[2] = 0x98BADCFEu;
    s->h[3] = 0x10325476u;
    s->h[4] = 0xC3D2E1F0u;
    s->len = 0;
}

static void olock__fake_sha1_update(olock__fake_sha1 *s, const void *data, size_t n) {
    const unsigned char *p = (const unsigned char *)data;
    while (n) {
        size_t used = (size_t)(s->len % 64), take = 64 - used < n ? 64 - used : n;
        memcpy(s->buf + used, p, take);
        s->len += take;
        p += take;
        n -= take;
        if (s->len % 64 == 0) olock__fake_sha1_block(s->h, s->buf);
    }
}

static void olock__fake_sha1_final(olock__fake_sha1 *s, unsigned char out[20]) {
    static const unsigned char pad = 0x80, zero[64] = { 0 };
    unsigned char bits[8];
    uint64_t n = s->len * 8;
    int i;
    for (i = 0; i < 8; i++) bits[i] = (unsigned char)(n >> (56 - 8 * i));
    olock__fake_sha1_update(s, &pad, 1);
    olock__fake_sha1_update(s, zero, (size_t)((120 - s->len % 64) % 64));
    olock__fake_sha1_update(s, bits, 8);
    for (i = 0; i < 20; i++) out[i] = (unsigned char)(s->h[i / 4] >> (24 - 8 * (i % 4)));
}

/* A number as DynamoDB Local orders it: a byte of sign and exponent (in pairs of digits), then
   one byte per pair of digits (negative numbers complemented, and closed by 102). */
static size_t olock__fake_num_key_bytes(const olock_value *v, unsigned char *out) {
    olock_decimal d;
    int odd, e, i, npairs, total;
    size_t n = 0;
    olock__fake_num_of(v, &d);
    if (d.ndigits == 0) {
        out[0] = 0x80;
        return 1;
    }
    e = d.exp10;
    odd = e % 2 != 0;
    e += odd;
    total = d.ndigits + odd;
    npairs = (total + 1) / 2;
    out[n] = (unsigned char)(192 + e / 2);
    if (d.negative) out[n] = (unsigned char)~out[n];
    n++;
    for (i = 0; i < npairs; i++) {
        int j = 2 * i - odd, hi = j >= 0 ? d.digits[j] : 0, lo = j + 1 < d.ndigits ? d.digits[j + 1] : 0;
        int pair = hi * 10 + lo;
        out[n++] = (unsigned char)(d.negative ? 101 - pair : pair + 1);
    }
    if (d.negative && npairs < 20) out[n++] = 102;
    return n;
}

/* SHA-1("LocalDdb" + the value's key bytes). */
static void olock__fake_key_digest(const olock_value *v, unsigned char out[20]) {
    unsigned char num[OLOCK_NUMBER_DIGITS + 8];
    olock__fake_sha1 s;
    olock__fake_sha1_init(&s);
    olock__fake_sha1_update(&s, "LocalDdb", 8);
    if (v->type == OLOCK_TYPE_N) olock__fake_sha1_update(&s, num, olock__fake_num_key_bytes(v, num));
    else olock__fake_sha1_update(&s, v->str, v->len);
    olock__fake_sha1_final(&s, out);
}

/* The digest of a table key that orders ties in a secondary index: the hash key's digest for
   a hash-only table, else SHA-1("LocalDdb" + digest(hash) + digest(range)). */
static void olock__fake_tie_digest(const olock_value *hk, const olock_value *rk, unsigned char out[20]) {
    unsigned char a[20], b[20];
    olock__fake_sha1 s;
    olock__fake_key_digest(hk, a);
    if (!rk) {
        memcpy(out, a, 20);
        return;
    }
    olock__fake_key_digest(rk, b);
    olock__fake_sha1_init(&s);
    olock__fake_sha1_update(&s, "LocalDdb", 8);
    olock__fake_sha1_update(&s, a, 20);
    olock__fake_sha1_update(&s, b, 20);
    olock__fake_sha1_final(&s, out);
}

/* ---- the store: partitions and items -------------------------------------------------------- */

static uint64_t olock__fake_hash(const char *p, size_t n) {
    uint64_t h = 1469598103934665603ull; /* FNV-1a */
    size_t i;
    for (i = 0; i < n; i++) {
        h ^= (unsigned char)p[i];
        h *= 1099511628211ull;
    }
    return h;
}

/* Slot of the partition with that key, or of the empty slot where it would go. */
static size_t olock__fake_part_slot(const olock__fake_table *t, const char *k, size_t n, uint64_t h, int *found) {
    size_t mask = t->part_cap - 1, i = (size_t)h & mask;
    *found = 0;
    for (;;) {
        const olock__fake_part *p = t->parts[i];
        if (!p) return i;
        if (p->hash == h && p->key_len == n && memcmp(p->key, k, n) == 0) {
            *found = 1;
            return i;
        }
        i = (i + 1) & mask;
    }
}

static int olock__fake_rehash(olock_fake *f, olock__fake_table *t, size_t ncap) {
    olock__fake_part **np = (olock__fake_part **)olock__fake_malloc(&f->alloc, ncap * sizeof(*np));
    size_t i;
    if (!np) return -1;
    memset(np, 0, ncap * sizeof(*np));
    for (i = 0; i < t->part_cap; i++) {
        olock__fake_part *p = t->parts ? t->parts[i] : NULL;
        size_t j;
        if (!p) continue;
        for (j = (size_t)p->hash & (ncap - 1); np[j]; j = (j + 1) & (ncap - 1)) {}
        np[j] = p;
    }
    olock__fake_free(&f->alloc, t->parts, t->part_cap * sizeof(*t->parts));
    t->parts = np;
    t->part_cap = ncap;
    return 0;
}

static olock__fake_part *olock__fake_part_find(const olock__fake_table *t, const olock_value *hk) {
    int found;
    size_t slot;
    if (!t->part_cap) return NULL;
    slot = olock__fake_part_slot(t, hk->str, hk->len, olock__fake_hash(hk->str, hk->len), &found);
    return found ? t->parts[slot] : NULL;
}

/* Finds or creates the partition of a hash key, with room for `more` more entries, so that
   the writes that follow cannot fail half way. NULL on OOM. */
static olock__fake_part *olock__fake_part_reserve(olock_fake *f, olock__fake_table *t, const olock_value *hk, size_t more) {
    uint64_t h = olock__fake_hash(hk->str, hk->len);
    olock__fake_part *p;
    size_t slot;
    int found = 0;
    if ((t->part_count + 1) * 4 > t->part_cap * 3 && olock__fake_rehash(f, t, t->part_cap ? t->part_cap * 2 : 16) < 0)
        return NULL;
    slot = olock__fake_part_slot(t, hk->str, hk->len, h, &found);
    if (found) p = t->parts[slot];
    else {
        if (!(p = (olock__fake_part *)olock__fake_malloc(&f->alloc, sizeof(*p)))) return NULL;
        memset(p, 0, sizeof(*p));
        if (!(p->key = (char *)olock__fake_malloc(&f->alloc, hk->len + 1))) {
            olock__fake_free(&f->alloc, p, sizeof(*p));
            return NULL;
        }
        memcpy(p->key, hk->str, hk->len);
        p->key[hk->len] = 0;
        p->key_len = hk->len;
        p->hash = h;
        olock__fake_key_digest(hk, p->digest);
        t->parts[slot] = p;
        t->part_count++;
    }
    if (olock__fake_grow(&f->alloc, (void **)&p->items, &p->cap, p->count + more, sizeof(*p->items)) < 0) return NULL;
    return p;
}

static void olock__fake_part_free(olock_fake *f, olock__fake_part *p) {
    size_t i;
    for (i = 0; i < p->count; i++) olock__fake_item_drop(f, p->items[i].item);
    olock__fake_free(&f->alloc, p->items, p->cap * sizeof(*p->items));
    olock__fake_free(&f->alloc, p->key, p->key_len + 1);
    olock__fake_free(&f->alloc, p, sizeof(*p));
}

/* Drops a partition that holds no item any more (backward-shift deletion keeps the probe
   chains intact without tombstones). */
static void olock__fake_part_drop_if_empty(olock_fake *f, olock__fake_table *t, olock__fake_part *p) {
    size_t mask, i, j;
    int found;
    if (p->count) return;
    mask = t->part_cap - 1;
    i = olock__fake_part_slot(t, p->key, p->key_len, p->hash, &found);
    if (!found) return;
    olock__fake_part_free(f, p);
    t->parts[i] = NULL;
    t->part_count--;
    for (j = (i + 1) & mask; t->parts[j]; j = (j + 1) & mask) {
        size_t k = (size_t)t->parts[j]->hash & mask;
        int move = (j > i) ? (k <= i || k > j) : (k <= i && k > j);
        if (move) {
            t->parts[i] = t->parts[j];
            t->parts[j] = NULL;
            i = j;
        }
    }
}

/* Position of the entry with range key `rk` (NULL for a hash-only table) or where it goes. */
static size_t olock__fake_entry_pos(const olock__fake_part *p, const olock_value *rk, int *found) {
    size_t lo = 0, hi = p->count;
    *found = 0;
    if (!rk) {
        *found = p->count > 0;
        return 0;
    }
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int r = olock__fake_scalar_cmp(p->items[mid].range, rk);
        if (r == 0) {
            *found = 1;
            return mid;
        }
        if (r < 0) lo = mid + 1;
        else hi = mid;
    }
    return lo;
}

/* An index holds the items that carry all of its key attributes; DynamoDB Local counts
   their whole size as IndexSizeBytes, whatever the projection. */
static void olock__fake_index_account(olock__fake_table *t, const olock_value *item, size_t size, int add) {
    size_t i, k;
    for (i = 0; i < t->index_count; i++) {
        olock__fake_index *x = &t->indexes[i];
        if (x->status != OLOCK__FAKE_INDEX_ACTIVE) continue; /* counted when it becomes ACTIVE */
        for (k = 0; k < x->key_count; k++) {                 /* an item older than the index may have another key type */
            const olock_value *v = olock__fake_map_get(item, x->key[k].name, x->key[k].len);
            if (!v || v->type != x->key[k].type) break;
        }
        if (k < x->key_count) continue;
        if (add) {
            x->item_count++;
            x->size_bytes += size;
        } else {
            x->item_count--;
            x->size_bytes -= size;
        }
    }
}

/* Stores a new version of an item (built in its own olock_item) in a reserved partition.
   The old version, if any, is destroyed after the swap. */
static void olock__fake_store(olock_fake *f, olock__fake_table *t, olock__fake_part *p, olock_item *item, size_t size) {
    const olock_value *rk = t->key_count > 1 ? olock__fake_map_get(item->root, t->key[1].name, t->key[1].len) : NULL;
    int found;
    size_t i = olock__fake_entry_pos(p, rk, &found);
    olock__fake_index_account(t, item->root, size, 1);
    if (found) {
        olock_item *old = p->items[i].item;
        olock__fake_index_account(t, old->root, p->items[i].size, 0);
        t->size_bytes -= p->items[i].size;
        p->items[i].item = item;
        p->items[i].range = rk;
        p->items[i].size = size;
        p->items[i].sorted = 0;
        olock__fake_item_drop(f, old);
    } else {
        memmove(&p->items[i + 1], &p->items[i], (p->count - i) * sizeof(*p->items));
        p->items[i].item = item;
        p->items[i].range = rk;
        p->items[i].size = size;
        p->items[i].sorted = 0;
        p->count++;
        t->item_count++;
    }
    t->size_bytes += size;
}

/* An update made copy-on-write in the stored item's own arena (olock__fake_cow_root): the
   new root, which shares the attributes the update did not touch, replaces the old one. */
static void olock__fake_replace_root(olock__fake_table *t, olock__fake_entry *en, olock_value *root, size_t size) {
    olock__fake_index_account(t, root, size, 1);
    olock__fake_index_account(t, en->item->root, en->size, 0);
    t->size_bytes = t->size_bytes - en->size + size;
    en->item->root = root;
    en->range = t->key_count > 1 ? olock__fake_map_get(root, t->key[1].name, t->key[1].len) : NULL;
    en->size = size;
}

/* The arena of an item updated copy-on-write keeps its earlier versions: past a bound (a few
   times what the item needs), the item moves to a fresh copy (into a spare item when there is
   one), when memory allows; it is correct as it is, so a failed copy changes nothing. */
static void olock__fake_compact(olock_fake *f, olock__fake_table *t, olock__fake_entry *en) {
    olock_item *it = NULL;
    olock_value *root;
    if (olock_arena_used(olock_item_arena(en->item)) <= 8192 + 32 * en->size) return;
    if (olock__fake_item_new(f, &it) != OLOCK_OK) return;
    if (!(root = olock__fake_copy(olock_item_arena(it), en->item->root))) {
        olock__fake_item_drop(f, it);
        return;
    }
    it->root = root;
    olock__fake_item_drop(f, en->item);
    en->item = it;
    en->range = t->key_count > 1 ? olock__fake_map_get(root, t->key[1].name, t->key[1].len) : NULL;
}

static void olock__fake_erase(olock_fake *f, olock__fake_table *t, olock__fake_part *p, olock__fake_entry *en) {
    size_t i = (size_t)(en - p->items);
    olock__fake_index_account(t, en->item->root, en->size, 0);
    olock__fake_item_drop(f, en->item);
    t->size_bytes -= en->size;
    t->item_count--;
    memmove(&p->items[i], &p->items[i + 1], (p->count - i - 1) * sizeof(*p->items));
    p->count--;
    olock__fake_part_drop_if_empty(f, t, p);
}

/* ---- tables --------------------------------------------------------------------------------- */

/* What an index owns; a CREATING or DELETING one also leaves the count of pending ones. */
static void olock__fake_index_free(olock_fake *f, olock__fake_index *x) {
    size_t k;
    for (k = 0; k < x->non_key_count; k++) olock__fake_free(&f->alloc, x->non_key[k], x->non_key_len[k] + 1);
    olock__fake_free(&f->alloc, x->non_key, x->non_key_count * sizeof(*x->non_key));
    olock__fake_free(&f->alloc, x->non_key_len, x->non_key_count * sizeof(*x->non_key_len));
    if (x->name) olock__fake_free(&f->alloc, x->name, x->name_len + 1);
    for (k = 0; x->own_keys && k < x->key_count; k++) olock__fake_free(&f->alloc, x->key[k].name, x->key[k].len + 1);
    if (x->status != OLOCK__FAKE_INDEX_ACTIVE) f->pending_indexes--;
}

static void olock__fake_table_free(olock_fake *f, olock__fake_table *t) {
    size_t i;
    if (!t) return;
    for (i = 0; i < t->part_cap; i++)
        if (t->parts[i]) olock__fake_part_free(f, t->parts[i]);
    olock__fake_free(&f->alloc, t->parts, t->part_cap * sizeof(*t->parts));
    for (i = 0; i < t->index_count; i++) olock__fake_index_free(f, &t->indexes[i]);
    olock__fake_free(&f->alloc, t->indexes, t->index_cap * sizeof(*t->indexes));
    for (i = 0; i < t->def_count; i++) olock__fake_free(&f->alloc, t->defs[i].name, t->defs[i].len + 1);
    olock__fake_free(&f->alloc, t->defs, t->def_count * sizeof(*t->defs));
    if (t->name) olock__fake_free(&f->alloc, t->name, t->name_len + 1);
    olock__fake_free(&f->alloc, t, sizeof(*t));
}

/* Index of the table with that name, or where it would be inserted (tables are sorted). */
static size_t olock__fake_table_pos(const olock_fake *f, const char *name, size_t len, int *found) {
    size_t lo = 0, hi = f->table_count;
    *found = 0;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int r = olock__fake_bytes_cmp(f->tables[mid]->name, f->tables[mid]->name_len, name, len, 0);
        if (r == 0) {
            *found = 1;
            return mid;
        }
        if (r < 0) lo = mid + 1;
        else hi = mid;
    }
    return lo;
}

static olock__fake_table *olock__fake_table_find(const olock_fake *f, const char *name, size_t len) {
    int found;
    size_t i = olock__fake_table_pos(f, name, len, &found);
    return found ? f->tables[i] : NULL;
}

static int olock__fake_ieq_bytes(const char *a, const char *b, size_t n) {
    size_t i;
    for (i = 0; i < n; i++) {
        char x = a[i], y = b[i];
        if (x >= 'a' && x <= 'z') x = (char)(x - 'a' + 'A');
        if (y >= 'a' && y <= 'z') y = (char)(y - 'a' + 'A');
        if (x != y) return 0;
    }
    return 1;
}

/* DynamoDB's table names: 3 to 255 of [a-zA-Z0-9_.-]. */
static int olock__fake_valid_table_name(const char *s, size_t len) {
    size_t i;
    if (len < 3 || len > 255) return 0;
    for (i = 0; i < len; i++) {
        char ch = s[i];
        if (!olock__fake_is_word(ch) && ch != '-' && ch != '.') return 0;
    }
    return 1;
}

static int olock__fake_bad_table_name(olock__fake_ctx *c) {
    return olock__fake_verror(c, "Invalid table/index name.  Table/index names must be between 3 and 255 characters long, and may contain only the characters a-z, A-Z, 0-9, '_', '-', and '.'");
}

/* The table named by TableName (checked); NULL with an error when the name is missing or
   invalid, or when the table does not exist and `must_exist`. */
static olock__fake_table *olock__fake_request_table(olock__fake_ctx *c, int must_exist) {
    const char *name;
    size_t len;
    olock__fake_table *t;
    int r = olock__fake_get_str(c, c->body, "TableName", &name, &len);
    if (r < 0) return NULL;
    if (r == 0) {
        olock__fake_verror(c, "Value null at 'tableName' failed to satisfy constraint: Member must not be null");
        return NULL;
    }
    if (!olock__fake_valid_table_name(name, len)) {
        olock__fake_bad_table_name(c);
        return NULL;
    }
    t = olock__fake_table_find(c->f, name, len);
    if (!t && must_exist) olock__fake_no_table(c);
    return t;
}

/* ---- the order of a java.util.HashMap (DynamoDB Local lists tables and capacity in one) ------- */

/* The iteration order of `n` objects with these hashCode() values put in that order into a
   java.util.HashMap created with initial capacity `initial`: by bucket, then in insertion
   order (see olock__fake_write_map_cap). */
static int olock__fake_hash_order_of(olock__fake_ctx *c, const uint32_t *hashes, size_t n, size_t initial, size_t *order) {
    size_t cap = 1, i, j;
    uint32_t *bucket;
    while (cap < initial) cap *= 2;
    while (n > cap / 4 * 3 + (cap % 4) * 3 / 4) cap *= 2;
    if (!(bucket = (uint32_t *)olock__fake_alloc(c, (n + 1) * sizeof(*bucket)))) return -1;
    for (i = 0; i < n; i++) {
        uint32_t b = (hashes[i] ^ (hashes[i] >> 16)) & (uint32_t)(cap - 1);
        for (j = i; j > 0 && bucket[j - 1] > b; j--) {
            bucket[j] = bucket[j - 1];
            order[j] = order[j - 1];
        }
        bucket[j] = b;
        order[j] = i;
    }
    return 0;
}

/* The same for `n` names (Java strings). DynamoDB Local collects per-table capacity in such maps. */
static int olock__fake_hash_order(olock__fake_ctx *c, const char *const *names, const size_t *lens, size_t n,
                                  size_t initial, size_t *order) {
    uint32_t *h = (uint32_t *)olock__fake_alloc(c, (n + 1) * sizeof(*h));
    size_t i;
    if (!h) return -1;
    for (i = 0; i < n; i++) h[i] = olock__fake_java_string_hash(names[i], lens[i]);
    return olock__fake_hash_order_of(c, h, n, initial, order);
}

/* The table's local (global = 0) or global indexes in the order of a java.util.HashMap of their
   names, the order in which DynamoDB Local lists and checks them: *out (in the request's
   arena) gets their count in *count. -1 when out of memory. */
static int olock__fake_indexes_in_order(olock__fake_ctx *c, const olock__fake_table *t, int global, const olock__fake_index ***out,
                                        size_t *count) {
    size_t i, m = 0, *order, *which;
    const char **names;
    size_t *lens;
    const olock__fake_index **x;
    *count = 0;
    if (!t->index_count) return 0;
    names = (const char **)olock__fake_alloc(c, t->index_count * sizeof(*names));
    lens = (size_t *)olock__fake_alloc(c, t->index_count * sizeof(*lens));
    order = (size_t *)olock__fake_alloc(c, t->index_count * sizeof(*order));
    which = (size_t *)olock__fake_alloc(c, t->index_count * sizeof(*which));
    x = (const olock__fake_index **)olock__fake_alloc(c, t->index_count * sizeof(*x));
    if (!names || !lens || !order || !which || !x) return -1;
    for (i = 0; i < t->index_count; i++) {
        if (t->indexes[i].global != global) continue;
        names[m] = t->indexes[i].name;
        lens[m] = t->indexes[i].name_len;
        which[m++] = i;
    }
    if (olock__fake_hash_order(c, names, lens, m, 16, order) < 0) return -1;
    for (i = 0; i < m; i++) x[i] = &t->indexes[which[order[i]]];
    *out = x;
    *count = m;
    return 0;
}

/* "LocalSecondaryIndexes":[...] or "GlobalSecondaryIndexes":[...] of a table description,
   in the order DynamoDB Local lists them. */
static int olock__fake_write_indexes(olock__fake_ctx *c, const olock__fake_table *t, int global) {
    static const char *const kt[] = { "HASH", "RANGE" };
    static const char *const proj[] = { "", "ALL", "KEYS_ONLY", "INCLUDE" };
    static const char *const status[] = { ",\"IndexStatus\":\"ACTIVE\"", ",\"IndexStatus\":\"CREATING\",\"Backfilling\":false",
                                          ",\"IndexStatus\":\"DELETING\"" };
    size_t i, k, n = 0, m;
    const olock__fake_index **in_order;
    if (olock__fake_indexes_in_order(c, t, global, &in_order, &m) < 0) return -1;
    for (i = 0; i < m; i++) {
        const olock__fake_index *x = in_order[i];
        if (olock__fake_puts(c, n++ ? ",{\"IndexName\":" : (global ? ",\"GlobalSecondaryIndexes\":[{\"IndexName\":" : ",\"LocalSecondaryIndexes\":[{\"IndexName\":")) < 0 ||
            olock__fake_put_str(c, x->name, x->name_len) < 0 || olock__fake_puts(c, ",\"KeySchema\":[") < 0)
            return -1;
        for (k = 0; k < x->key_count; k++) {
            if ((k && olock__fake_puts(c, ",") < 0) || olock__fake_puts(c, "{\"AttributeName\":") < 0 ||
                olock__fake_put_str(c, x->key[k].name, x->key[k].len) < 0 || olock__fake_puts(c, ",\"KeyType\":\"") < 0 ||
                olock__fake_puts(c, kt[k]) < 0 || olock__fake_puts(c, "\"}") < 0)
                return -1;
        }
        if (olock__fake_puts(c, "],\"Projection\":{\"ProjectionType\":\"") < 0 || olock__fake_puts(c, proj[x->projection]) < 0 ||
            olock__fake_puts(c, "\"") < 0)
            return -1;
        if (x->projection == 3 || x->non_key_listed) {
            if (olock__fake_puts(c, ",\"NonKeyAttributes\":[") < 0) return -1;
            for (k = 0; k < x->non_key_count; k++)
                if ((k && olock__fake_puts(c, ",") < 0) || olock__fake_put_str(c, x->non_key[k], x->non_key_len[k]) < 0) return -1;
            if (olock__fake_puts(c, "]") < 0) return -1;
        }
        if (olock__fake_puts(c, "}") < 0 || (global && olock__fake_puts(c, status[x->status]) < 0)) return -1;
        if (x->has_throughput &&
            (olock__fake_puts(c, ",\"ProvisionedThroughput\":{\"ReadCapacityUnits\":") < 0 || olock__fake_put_u64(c, x->rcu) < 0 ||
             olock__fake_puts(c, ",\"WriteCapacityUnits\":") < 0 || olock__fake_put_u64(c, x->wcu) < 0 || olock__fake_puts(c, "}") < 0))
            return -1;
        /* DynamoDB Local counts an index only once it is ACTIVE; deleting it, it reports 0 for
           one that CreateTable made and nothing for one that UpdateTable added */
        if (x->status == OLOCK__FAKE_INDEX_ACTIVE || (x->status == OLOCK__FAKE_INDEX_DELETING && !x->online)) {
            int on = x->status == OLOCK__FAKE_INDEX_ACTIVE;
            if (olock__fake_puts(c, ",\"IndexSizeBytes\":") < 0 || olock__fake_put_u64(c, on ? x->size_bytes : 0) < 0 ||
                olock__fake_puts(c, ",\"ItemCount\":") < 0 || olock__fake_put_u64(c, on ? x->item_count : 0) < 0)
                return -1;
        }
        if (olock__fake_puts(c, ",\"IndexArn\":\"arn:aws:dynamodb:ddblocal:000000000000:table/") < 0 ||
            olock__fake_put(c, t->name, t->name_len) < 0 || olock__fake_puts(c, "/index/") < 0 ||
            olock__fake_put(c, x->name, x->name_len) < 0 || olock__fake_puts(c, "\"") < 0)
            return -1;
        if (x->online && !x->has_throughput &&
            olock__fake_puts(c, ",\"OnDemandThroughput\":{\"MaxReadRequestUnits\":-1,\"MaxWriteRequestUnits\":-1}") < 0)
            return -1;
        if (olock__fake_puts(c, "}") < 0) return -1;
    }
    return n ? olock__fake_puts(c, "]") : 0;
}

static int olock__fake_write_table(olock__fake_ctx *c, const olock__fake_table *t) {
    static const char *const kt[] = { "HASH", "RANGE" };
    size_t i;
    char stamp[40];
    snprintf(stamp, sizeof(stamp), "%llu.000", (unsigned long long)(1700000000ull + t->created));
    if (olock__fake_puts(c, "{\"AttributeDefinitions\":[") < 0) return -1;
    for (i = 0; i < t->def_count; i++) {
        if ((i && olock__fake_puts(c, ",") < 0) || olock__fake_puts(c, "{\"AttributeName\":") < 0 ||
            olock__fake_put_str(c, t->defs[i].name, t->defs[i].len) < 0 ||
            olock__fake_puts(c, ",\"AttributeType\":\"") < 0 || olock__fake_puts(c, olock_type_name(t->defs[i].type)) < 0 ||
            olock__fake_puts(c, "\"}") < 0)
            return -1;
    }
    if (olock__fake_puts(c, "],\"TableName\":") < 0 || olock__fake_put_str(c, t->name, t->name_len) < 0 ||
        olock__fake_puts(c, ",\"KeySchema\":[") < 0)
        return -1;
    for (i = 0; i < t->key_count; i++) {
        if ((i && olock__fake_puts(c, ",") < 0) || olock__fake_puts(c, "{\"AttributeName\":") < 0 ||
            olock__fake_put_str(c, t->key[i].name, t->key[i].len) < 0 || olock__fake_puts(c, ",\"KeyType\":\"") < 0 ||
            olock__fake_puts(c, kt[i]) < 0 || olock__fake_puts(c, "\"}") < 0)
            return -1;
    }
    if (olock__fake_puts(c, "],\"TableStatus\":\"ACTIVE\",\"CreationDateTime\":") < 0 || olock__fake_puts(c, stamp) < 0 ||
        olock__fake_puts(c, ",\"ProvisionedThroughput\":{\"LastIncreaseDateTime\":0.000,\"LastDecreaseDateTime\":0.000,"
                            "\"NumberOfDecreasesToday\":0,\"ReadCapacityUnits\":") < 0 ||
        olock__fake_put_u64(c, t->rcu) < 0 || olock__fake_puts(c, ",\"WriteCapacityUnits\":") < 0 ||
        olock__fake_put_u64(c, t->wcu) < 0 || olock__fake_puts(c, "},\"TableSizeBytes\":") < 0 ||
        olock__fake_put_u64(c, t->size_bytes) < 0 || olock__fake_puts(c, ",\"ItemCount\":") < 0 ||
        olock__fake_put_u64(c, t->item_count) < 0 ||
        olock__fake_puts(c, ",\"TableArn\":\"arn:aws:dynamodb:ddblocal:000000000000:table/") < 0 ||
        olock__fake_put(c, t->name, t->name_len) < 0 || olock__fake_puts(c, "\"") < 0)
        return -1;
    if (t->billing == 2 && (olock__fake_puts(c, ",\"BillingModeSummary\":{\"BillingMode\":\"PAY_PER_REQUEST\","
                                                "\"LastUpdateToPayPerRequestDateTime\":") < 0 ||
                            olock__fake_puts(c, stamp) < 0 || olock__fake_puts(c, "}") < 0))
        return -1;
    if (olock__fake_write_indexes(c, t, 0) < 0 || olock__fake_write_indexes(c, t, 1) < 0) return -1;
    return olock__fake_puts(c, t->deletion_protection ? ",\"DeletionProtectionEnabled\":true}" : ",\"DeletionProtectionEnabled\":false}");
}

/* An element of KeySchema / AttributeDefinitions: its name member and its type member. */
static int olock__fake_schema_elem(olock__fake_ctx *c, const olock_json *el, const char *type_key,
                                   const char **name, size_t *nlen, const char **type, size_t *tlen) {
    int r;
    if (el->kind != OLOCK_JSON_OBJECT) return olock__fake_shape(c);
    *name = NULL;
    *nlen = 0;
    *type = NULL;
    *tlen = 0;
    if ((r = olock__fake_get_str(c, el, "AttributeName", name, nlen)) < 0) return -1;
    if (r == 0) *name = NULL;
    if ((r = olock__fake_get_str_n(c, el, type_key, strlen(type_key), type, tlen)) < 0) return -1;
    if (r == 0) *type = NULL;
    return 0;
}

/* A LocalSecondaryIndexes / GlobalSecondaryIndexes entry, checked against the table's
   key and attribute definitions. Lives in the request arena until the table is built. */
typedef struct olock__fake_index_spec {
    const char *name;
    size_t name_len;
    int global;
    const char *kn[2];
    size_t knl[2], nk;
    int projection;
    const olock_json *non_key;
    int has_tp;
    long long rcu, wcu;
} olock__fake_index_spec;

/* The Projection of one index: its type, then its NonKeyAttributes one by one. */
static int olock__fake_index_projection(olock__fake_ctx *c, const olock_json *proj, olock__fake_index_spec *sp) {
    const olock_json *el, *prev;
    const char *ptype;
    size_t plen;
    int r;
    if (!proj) return olock__fake_verror(c, "Indexes must have a projection specified");
    if (proj->kind != OLOCK_JSON_OBJECT) return olock__fake_shape(c);
    if ((r = olock__fake_get_str(c, proj, "ProjectionType", &ptype, &plen)) < 0) return -1;
    if (r == 0) return olock__fake_verror(c, "Indexes must have a projection specified");
    if (olock__fake_streq(ptype, plen, "ALL")) sp->projection = 1;
    else if (olock__fake_streq(ptype, plen, "KEYS_ONLY")) sp->projection = 2;
    else if (olock__fake_streq(ptype, plen, "INCLUDE")) sp->projection = 3;
    else return olock__fake_verror(c, "Projection type must be INCLUDE, ALL, or KEYS_ONLY");
    sp->non_key = olock__fake_get(proj, "NonKeyAttributes");
    if (sp->non_key && sp->non_key->kind != OLOCK_JSON_ARRAY) return olock__fake_shape(c);
    if (sp->non_key)
        for (el = sp->non_key->first; el; el = el->next)
            if (el->kind != OLOCK_JSON_STRING) return olock__fake_shape(c);
    if (sp->projection != 3 && sp->non_key && sp->non_key->count)
        return olock__fake_verror(c, "No attributes should be specified to be projected unless projection type is INCLUDE");
    if (sp->projection == 3 && (!sp->non_key || !sp->non_key->count))
        return olock__fake_verror(c, "If Projection type INCLUDE is specified, some non-key attributes to include in the projection must be specified as well");
    for (el = sp->non_key ? sp->non_key->first : NULL; el; el = el->next) {
        if (el->len == 0 || el->len > 255)
            return olock__fake_verror(c, "Names of key attributes and attributes projected into an index must be between 1 and 255 characters, inclusive");
        for (prev = sp->non_key->first; prev != el; prev = prev->next)
            if (prev->len == el->len && memcmp(prev->str, el->str, el->len) == 0)
                return olock__fake_verror(c, "Cannot have two attributes with the same name");
    }
    return 0;
}

/* The KeySchema of one index, checked like the table's and then against it. */
static int olock__fake_index_keys(olock__fake_ctx *c, const olock_json *ks, olock__fake_index_spec *sp, const char *const *kname,
                                  const size_t *knlen, const char *const *an, const size_t *anl, size_t nad) {
    const olock_json *el;
    size_t j, k, nhash = 0;
    const char *ty[2];
    size_t tl[2];
    if (!ks || ks->count == 0 || ks->count > 2)
        return olock__fake_verror(c, "No defined key schema.  A key schema containing at least a hash key must be defined for all tables");
    for (el = ks->first, k = 0; el; el = el->next, k++) {
        if (olock__fake_schema_elem(c, el, "KeyType", &sp->kn[k], &sp->knl[k], &ty[k], &tl[k]) < 0) return -1;
        if (!sp->kn[k]) return olock__fake_verror(c, "Attribute name must be specified.");
        if (ty[k] && olock__fake_streq(ty[k], tl[k], "HASH")) nhash++;
    }
    sp->nk = ks->count;
    if (nhash == 0) return olock__fake_verror(c, "No Hash Key specified in schema.  All Dynamo DB tables must have exactly one hash key");
    if (nhash > 1) return olock__fake_verror(c, "Too many hash keys specified.  All Dynamo DB tables must have exactly one hash key");
    if (!ty[0] || !olock__fake_streq(ty[0], tl[0], "HASH"))
        return olock__fake_verror(c, "Invalid key order. Hash Key must be specified first in key schema, Range Key must be specifed second");
    if (!sp->global) {
        if (sp->nk < 2) return olock__fake_verror(c, "Local secondary indices must have a range key");
        if (sp->knl[0] != knlen[0] || memcmp(sp->kn[0], kname[0], knlen[0]) != 0)
            return olock__fake_verror(c, "Local Secondary indices must have the same hash key as the main table");
    }
    for (k = sp->global ? 0 : 1; k < sp->nk; k++) {
        for (j = 0; j < nad; j++)
            if (anl[j] == sp->knl[k] && memcmp(an[j], sp->kn[k], anl[j]) == 0) break;
        if (j < nad) continue;
        if (!sp->global) return olock__fake_verror(c, "Local Secondary Index range key not specified in Attribute Definitions.Type unknown.");
        return olock__fake_verror(c, "Attribute %.*s is not defined in AttributeDefinitions", (int)sp->knl[k], sp->kn[k]);
    }
    return 0;
}

/* NonKeyAttributes named by the indexes of list `l` (each name counts once per index). */
static size_t olock__fake_non_key_total(const olock_json *l) {
    const olock_json *ix, *p, *nk;
    size_t n = 0;
    for (ix = l ? l->first : NULL; ix; ix = ix->next)
        if (ix->kind == OLOCK_JSON_OBJECT && (p = olock__fake_get(ix, "Projection")) && p->kind == OLOCK_JSON_OBJECT &&
            (nk = olock__fake_get(p, "NonKeyAttributes")) && nk->kind == OLOCK_JSON_ARRAY)
            n += nk->count;
    return n;
}

/* LocalSecondaryIndexes and GlobalSecondaryIndexes, in DynamoDB Local's order: LSIs on a
   hash-only table, the LSI count, their projected attributes, each LSI; then the GSI count,
   a name used by both kinds, all projected attributes, each GSI. Each index: its throughput
   (GSIs of a provisioned table), name, projection, then key schema. */
static int olock__fake_index_specs(olock__fake_ctx *c, const char *const *kname, const size_t *knlen, size_t nks,
                                   const char *const *an, const size_t *anl, size_t nad, int provisioned,
                                   olock__fake_index_spec **out, size_t *count) {
    static const char too_many_projected[] = "No more than 20 attributes per table can be projected into Local Secondary Indices";
    const olock_json *lists[2];
    olock__fake_index_spec *specs;
    size_t n = 0, g, k, nlsi = 0;
    lists[0] = olock__fake_body_get(c, "LocalSecondaryIndexes");
    lists[1] = olock__fake_body_get(c, "GlobalSecondaryIndexes");
    *out = NULL;
    *count = 0;
    for (g = 0; g < 2; g++) {
        if (lists[g] && lists[g]->kind != OLOCK_JSON_ARRAY) return olock__fake_shape(c);
        if (lists[g]) n += lists[g]->count;
    }
    if (!n) return 0;
    if (!(specs = (olock__fake_index_spec *)olock__fake_alloc(c, n * sizeof(*specs)))) return -1;
    memset(specs, 0, n * sizeof(*specs));
    for (g = 0, n = 0; g < 2; g++) {
        const olock_json *ix;
        if (g == 0) {
            if (!lists[0]) continue;
            if (nks < 2) return olock__fake_verror(c, "Local Secondary indices are not allowed on hash tables, only hash and range tables");
            if (lists[0]->count > 5) return olock__fake_verror(c, "Cannot have more than 5 local secondary indexes per table");
            if (olock__fake_non_key_total(lists[0]) > 100) return olock__fake_verror(c, "%s", too_many_projected);
        } else {
            if (!lists[1]) continue;
            if (lists[1]->count > 20) return olock__fake_verror(c, "GlobalSecondaryIndex count exceeds the per-table limit");
            for (ix = lists[1]->first; ix; ix = ix->next) {
                const char *gn;
                size_t gl;
                if (ix->kind != OLOCK_JSON_OBJECT) return olock__fake_shape(c);
                int r = olock__fake_get_str(c, ix, "IndexName", &gn, &gl);
                if (r < 0) return -1;
                if (r == 0) continue;
                for (k = 0; k < nlsi; k++)
                    if (specs[k].name_len == gl && memcmp(specs[k].name, gn, gl) == 0)
                        return olock__fake_verror(c, "Local Secondary Indices AND Global Secondary Indices must have different names");
            }
            if (olock__fake_non_key_total(lists[0]) + olock__fake_non_key_total(lists[1]) > 100)
                return olock__fake_verror(c, "%s", too_many_projected);
        }
        for (ix = lists[g]->first; ix; ix = ix->next, n++) {
            olock__fake_index_spec *sp = &specs[n];
            const olock_json *ks = olock__fake_get(ix, "KeySchema");
            const olock_json *pt = olock__fake_get(ix, "ProvisionedThroughput");
            int r;
            if (ix->kind != OLOCK_JSON_OBJECT || (ks && ks->kind != OLOCK_JSON_ARRAY)) return olock__fake_shape(c);
            sp->global = (int)g;
            if (g == 1 && provisioned && !pt)
                return olock__fake_verror(c, "No provisioned throughput specified for the global secondary index");
            if ((r = olock__fake_get_str(c, ix, "IndexName", &sp->name, &sp->name_len)) < 0) return -1;
            if (r == 0 || !olock__fake_valid_table_name(sp->name, sp->name_len)) return olock__fake_bad_table_name(c);
            for (k = 0; k < n; k++)
                if (specs[k].global == sp->global && specs[k].name_len == sp->name_len &&
                    memcmp(specs[k].name, sp->name, sp->name_len) == 0)
                    return olock__fake_verror(c, "Two %s secondary indices have the same name", g ? "global" : "local");
            if (olock__fake_index_projection(c, olock__fake_get(ix, "Projection"), sp) < 0) return -1;
            if (olock__fake_index_keys(c, ks, sp, kname, knlen, an, anl, nad) < 0) return -1;
            if (g == 1 && provisioned) {
                if (olock__fake_get_int(c, pt, "ReadCapacityUnits", &sp->rcu) < 0) return -1;
                if (olock__fake_get_int(c, pt, "WriteCapacityUnits", &sp->wcu) < 0) return -1;
                sp->has_tp = 1;
            }
        }
        if (g == 0) nlsi = n;
    }
    *out = specs;
    *count = n;
    return 0;
}

/* DynamoDB Local keeps a table's indexes in java.util.HashMaps by name: that order shows in
   DescribeTable and decides which index a bad key value is reported for. LSIs stay first. */
static int olock__fake_order_index_specs(olock__fake_ctx *c, olock__fake_index_spec *specs, size_t n) {
    olock__fake_index_spec *copy = (olock__fake_index_spec *)olock__fake_alloc(c, n * sizeof(*copy));
    const char **names = (const char **)olock__fake_alloc(c, n * sizeof(*names));
    size_t *lens = (size_t *)olock__fake_alloc(c, n * sizeof(*lens)), *order = (size_t *)olock__fake_alloc(c, n * sizeof(*order));
    size_t *which = (size_t *)olock__fake_alloc(c, n * sizeof(*which)), i, m, out = 0;
    int g;
    if (!copy || !names || !lens || !order || !which) return -1;
    memcpy(copy, specs, n * sizeof(*copy));
    for (g = 0; g < 2; g++) {
        for (i = 0, m = 0; i < n; i++) {
            if (copy[i].global != g) continue;
            names[m] = copy[i].name;
            lens[m] = copy[i].name_len;
            which[m++] = i;
        }
        if (olock__fake_hash_order(c, names, lens, m, 16, order) < 0) return -1;
        for (i = 0; i < m; i++) specs[out++] = copy[which[order[i]]];
    }
    return 0;
}

/* Copies one checked spec into index `x` (owned memory; on failure `x` holds what it got,
   for olock__fake_index_free). Key names are shared with the table's definitions. */
static int olock__fake_index_fill(olock_fake *f, const olock__fake_table *t, olock__fake_index *x, const olock__fake_index_spec *sp) {
    size_t j, k;
    const olock_json *el;
    if (!(x->name = (char *)olock__fake_malloc(&f->alloc, sp->name_len + 1))) return -1;
    memcpy(x->name, sp->name, sp->name_len);
    x->name[sp->name_len] = 0;
    x->name_len = sp->name_len;
    x->global = sp->global;
    x->key_count = sp->nk;
    for (k = 0; k < sp->nk; k++)
        for (j = 0; j < t->def_count; j++)
            if (t->defs[j].len == sp->knl[k] && memcmp(t->defs[j].name, sp->kn[k], sp->knl[k]) == 0) x->key[k] = t->defs[j];
    x->projection = sp->projection;
    x->non_key_listed = sp->non_key != NULL;
    x->has_throughput = sp->has_tp;
    x->rcu = (uint64_t)sp->rcu;
    x->wcu = (uint64_t)sp->wcu;
    if (sp->projection == 3 && sp->non_key && sp->non_key->count) {
        size_t m = sp->non_key->count;
        if (!(x->non_key = (char **)olock__fake_malloc(&f->alloc, m * sizeof(*x->non_key)))) return -1;
        if (!(x->non_key_len = (size_t *)olock__fake_malloc(&f->alloc, m * sizeof(*x->non_key_len)))) {
            olock__fake_free(&f->alloc, x->non_key, m * sizeof(*x->non_key));
            x->non_key = NULL;
            return -1;
        }
        memset(x->non_key, 0, m * sizeof(*x->non_key));
        memset(x->non_key_len, 0, m * sizeof(*x->non_key_len));
        x->non_key_count = m;
        for (el = sp->non_key->first, k = 0; el; el = el->next, k++) {
            if (!(x->non_key[k] = (char *)olock__fake_malloc(&f->alloc, el->len + 1))) return -1;
            memcpy(x->non_key[k], el->str, el->len);
            x->non_key[k][el->len] = 0;
            x->non_key_len[k] = el->len;
        }
    }
    return 0;
}

/* Copies the checked index specs into the table (owned memory). */
static int olock__fake_table_indexes(olock_fake *f, olock__fake_table *t, const olock__fake_index_spec *specs, size_t n) {
    size_t i;
    if (!n) return 0;
    if (!(t->indexes = (olock__fake_index *)olock__fake_malloc(&f->alloc, n * sizeof(*t->indexes)))) return -1;
    memset(t->indexes, 0, n * sizeof(*t->indexes));
    t->index_count = t->index_cap = n;
    for (i = 0; i < n; i++)
        if (olock__fake_index_fill(f, t, &t->indexes[i], &specs[i]) < 0) return -1;
    return 0;
}

static int olock__fake_op_create_table(olock__fake_ctx *c) {
    const char *name, *billing = NULL;
    size_t len, blen = 0, i, j, nks, nad;
    const olock_json *ks, *ad, *pt, *el;
    const char *kname[3] = { NULL, NULL, NULL }, *ktype[3] = { NULL, NULL, NULL };
    size_t knlen[3] = { 0, 0, 0 }, ktlen[3] = { 0, 0, 0 };
    long long rcu = 0, wcu = 0;
    int has_rcu = 0, has_wcu = 0, r, found, mode;
    olock__fake_table *t;
    olock__fake_index_spec *specs = NULL;
    size_t pos, nspecs = 0;
    olock_fake *f = c->f;

    if ((r = olock__fake_get_str(c, c->body, "TableName", &name, &len)) < 0) return -1;
    if (r == 0 || !olock__fake_valid_table_name(name, len)) return olock__fake_bad_table_name(c);
    ks = olock__fake_body_get(c, "KeySchema");
    ad = olock__fake_body_get(c, "AttributeDefinitions");
    pt = olock__fake_body_get(c, "ProvisionedThroughput");
    if ((ks && ks->kind != OLOCK_JSON_ARRAY) || (ad && ad->kind != OLOCK_JSON_ARRAY)) return olock__fake_shape(c);
    if ((r = olock__fake_get_str(c, c->body, "BillingMode", &billing, &blen)) < 0) return -1;
    if (r == 0) billing = NULL;
    if (billing && !olock__fake_streq(billing, blen, "PROVISIONED") && !olock__fake_streq(billing, blen, "PAY_PER_REQUEST"))
        return olock__fake_shape(c);
    mode = billing && olock__fake_streq(billing, blen, "PAY_PER_REQUEST") ? 2 : (billing ? 1 : 0);
    if (pt) {
        if ((r = olock__fake_get_int(c, pt, "ReadCapacityUnits", &rcu)) < 0) return -1;
        has_rcu = r;
        if ((r = olock__fake_get_int(c, pt, "WriteCapacityUnits", &wcu)) < 0) return -1;
        has_wcu = r;
    }
    if (!ks || ks->count == 0)
        return olock__fake_verror(c, "No defined key schema.  A key schema containing at least a hash key must be defined for all tables");
    if (!ad || ad->count == 0) return olock__fake_verror(c, "No Attribute Schema Defined");
    if (mode != 2) {
        if (!pt) return olock__fake_verror(c, "No provisioned throughput specified for the table");
        if (!has_rcu || !has_wcu || rcu < 1 || wcu < 1)
            return olock__fake_verror(c, "Table read and write throughput must be at least 1, and cannot be null");
    }
    nks = ks->count;
    if (nks > 2) return olock__fake_verror(c, "Key Schema too big.  Key Schema must at most consist of the hash and range key of a table");
    for (i = 0, el = ks->first; el; el = el->next, i++)
        if (olock__fake_schema_elem(c, el, "KeyType", &kname[i], &knlen[i], &ktype[i], &ktlen[i]) < 0) return -1;
    for (i = 0; i < nks; i++) {
        if (!kname[i]) return olock__fake_verror(c, "Attribute name must be specified.");
        if (knlen[i] == 0 || knlen[i] > 255)
            return olock__fake_verror(c, "Names of key attributes and attributes projected into an index must be between 1 and 255 characters, inclusive");
        if (!ktype[i]) return olock__fake_shape(c);
    }
    {
        int nhash = 0, nrange = 0;
        for (i = 0; i < nks; i++) {
            if (olock__fake_streq(ktype[i], ktlen[i], "HASH")) nhash++;
            else nrange++;
        }
        if (nhash == 0) return olock__fake_verror(c, "No Hash Key specified in schema.  All Dynamo DB tables must have exactly one hash key");
        if (nhash > 1) return olock__fake_verror(c, "Too many hash keys specified.  All Dynamo DB tables must have exactly one hash key");
        if (nks == 2 && !olock__fake_streq(ktype[0], ktlen[0], "HASH"))
            return olock__fake_verror(c, "Invalid key order. Hash Key must be specified first in key schema, Range Key must be specifed second");
        if (nks == 2 && knlen[0] == knlen[1] && memcmp(kname[0], kname[1], knlen[0]) == 0)
            return olock__fake_verror(c, "Two keys can not have the same name");
        (void)nrange;
    }
    nad = ad->count;
    {
        const char *an[64], *at[64];
        size_t anl[64], atl[64];
        if (nad > 64) return olock__fake_verror(c, "The number of attributes in key schema must match the number of attributes defined in attribute definitions.");
        for (i = 0, el = ad->first; el; el = el->next, i++)
            if (olock__fake_schema_elem(c, el, "AttributeType", &an[i], &anl[i], &at[i], &atl[i]) < 0) return -1;
        for (i = 0; i < nad; i++) {
            if (!an[i]) return olock__fake_verror(c, "Attribute name must be specified.");
            if (!at[i] || (!olock__fake_streq(at[i], atl[i], "S") && !olock__fake_streq(at[i], atl[i], "N") && !olock__fake_streq(at[i], atl[i], "B")))
                return olock__fake_verror(c, "Member must satisfy enum value set: [B, N, S]");
            for (j = 0; j < i; j++)
                if (anl[j] == anl[i] && memcmp(an[j], an[i], anl[i]) == 0)
                    return olock__fake_verror(c, "Cannot have two attributes with the same name");
        }
        for (i = 0; i < nks; i++) {
            for (j = 0; j < nad; j++)
                if (anl[j] == knlen[i] && memcmp(an[j], kname[i], knlen[i]) == 0) break;
            if (j == nad)
                return olock__fake_verror(c, "%s Key not specified in Attribute Definitions.  Type unknown.", i == 0 ? "Hash" : "Range");
        }
        if (olock__fake_index_specs(c, kname, knlen, nks, an, anl, nad, mode != 2, &specs, &nspecs) < 0) return -1;
        if (nspecs > 1 && olock__fake_order_index_specs(c, specs, nspecs) < 0) return -1;
        for (j = 0; j < nad; j++) { /* every definition must be a key of the table or of an index */
            size_t k, used = 0;
            for (i = 0; i < nks && !used; i++) used = anl[j] == knlen[i] && memcmp(an[j], kname[i], anl[j]) == 0;
            for (i = 0; i < nspecs && !used; i++)
                for (k = 0; k < specs[i].nk && !used; k++)
                    used = anl[j] == specs[i].knl[k] && memcmp(an[j], specs[i].kn[k], anl[j]) == 0;
            if (!used)
                return olock__fake_verror(c, "The number of attributes in key schema must match the number of attributes defined in attribute definitions.");
        }
        pos = olock__fake_table_pos(f, name, len, &found);
        if (found)
            return olock__fake_err(c, 400, OLOCK__FAKE_NS "ResourceInUseException", "%s", "Cannot create preexisting table");
        for (i = 0; i < f->table_count; i++) /* DynamoDB Local's SQLite store folds case */
            if (f->tables[i]->name_len == len && olock__fake_ieq_bytes(f->tables[i]->name, name, len)) return olock__fake_shape(c);
        if (olock__fake_grow(&f->alloc, (void **)&f->tables, &f->table_cap, f->table_count + 1, sizeof(*f->tables)) < 0)
            return olock__fake_oom(c);
        if (!(t = (olock__fake_table *)olock__fake_malloc(&f->alloc, sizeof(*t)))) return olock__fake_oom(c);
        memset(t, 0, sizeof(*t));
        if (!(t->name = (char *)olock__fake_malloc(&f->alloc, len + 1))) {
            olock__fake_table_free(f, t);
            return olock__fake_oom(c);
        }
        memcpy(t->name, name, len);
        t->name[len] = 0;
        t->name_len = len;
        if (!(t->defs = (olock__fake_attr *)olock__fake_malloc(&f->alloc, nad * sizeof(*t->defs)))) {
            olock__fake_table_free(f, t);
            return olock__fake_oom(c);
        }
        memset(t->defs, 0, nad * sizeof(*t->defs));
        t->def_count = nad;
        for (i = 0; i < nad; i++) {
            if (!(t->defs[i].name = (char *)olock__fake_malloc(&f->alloc, anl[i] + 1))) {
                olock__fake_table_free(f, t);
                return olock__fake_oom(c);
            }
            memcpy(t->defs[i].name, an[i], anl[i]);
            t->defs[i].name[anl[i]] = 0;
            t->defs[i].len = anl[i];
            t->defs[i].type = at[i][0] == 'S' ? OLOCK_TYPE_S : at[i][0] == 'N' ? OLOCK_TYPE_N
                                                                               : OLOCK_TYPE_B;
        }
        for (i = 0; i < nks; i++) {
            for (j = 0; j < nad; j++)
                if (t->defs[j].len == knlen[i] && memcmp(t->defs[j].name, kname[i], knlen[i]) == 0) t->key[i] = t->defs[j];
        }
        t->key_count = nks;
        if (olock__fake_table_indexes(f, t, specs, nspecs) < 0) {
            olock__fake_table_free(f, t);
            return olock__fake_oom(c);
        }
    }
    t->billing = mode;
    if (olock__fake_get_bool(c, c->body, "DeletionProtectionEnabled", &t->deletion_protection) < 0) {
        olock__fake_table_free(f, t);
        return -1;
    }
    if (mode != 2) {
        t->rcu = (uint64_t)rcu;
        t->wcu = (uint64_t)wcu;
    }
    t->created = f->ticks;
    memmove(&f->tables[pos + 1], &f->tables[pos], (f->table_count - pos) * sizeof(*f->tables));
    f->tables[pos] = t;
    f->table_count++;
    if (olock__fake_puts(c, "{\"TableDescription\":") < 0 || olock__fake_write_table(c, t) < 0) return -1;
    return olock__fake_puts(c, "}");
}

static int olock__fake_op_describe_table(olock__fake_ctx *c) {
    olock__fake_table *t = olock__fake_request_table(c, 1);
    if (!t) return -1;
    if (olock__fake_puts(c, "{\"Table\":") < 0 || olock__fake_write_table(c, t) < 0) return -1;
    return olock__fake_puts(c, "}");
}

static int olock__fake_op_delete_table(olock__fake_ctx *c) {
    olock__fake_table *t = olock__fake_request_table(c, 1);
    int found;
    size_t pos;
    olock_fake *f = c->f;
    if (!t) return -1;
    if (t->deletion_protection)
        return olock__fake_verror(c, "Resource cannot be deleted as it is currently protected against deletion. Disable deletion protection first.");
    if (olock__fake_puts(c, "{\"TableDescription\":") < 0 || olock__fake_write_table(c, t) < 0 ||
        olock__fake_puts(c, "}") < 0)
        return -1;
    pos = olock__fake_table_pos(f, t->name, t->name_len, &found);
    memmove(&f->tables[pos], &f->tables[pos + 1], (f->table_count - pos - 1) * sizeof(*f->tables));
    f->table_count--;
    olock__fake_table_free(f, t);
    return 0;
}

/* ---- UpdateTable and the index lifecycle ---------------------------------------------------- */

/* Moves the CREATING and DELETING indexes of every table on to where the virtual clock says
   they are: a created index becomes ACTIVE and counts the table's items that carry its keys
   (the backfill; Query and Scan read the table itself), a deleted one goes away. Called before
   each request, so what a request sees depends only on the clock. */
static void olock__fake_settle_indexes(olock_fake *f) {
    size_t i, j, k, e;
    for (i = 0; i < f->table_count && f->pending_indexes; i++) {
        olock__fake_table *t = f->tables[i];
        for (j = 0; j < t->index_count;) {
            olock__fake_index *x = &t->indexes[j];
            if (x->status == OLOCK__FAKE_INDEX_ACTIVE || f->now_ms < x->until_ms) {
                j++;
                continue;
            }
            if (x->status == OLOCK__FAKE_INDEX_DELETING) {
                olock__fake_index_free(f, x);
                memmove(x, x + 1, (t->index_count - j - 1) * sizeof(*x));
                t->index_count--;
                continue;
            }
            x->status = OLOCK__FAKE_INDEX_ACTIVE;
            f->pending_indexes--;
            x->item_count = x->size_bytes = 0;
            for (k = 0; k < t->part_cap; k++) {
                const olock__fake_part *p = t->parts[k];
                for (e = 0; p && e < p->count; e++) {
                    size_t m;
                    for (m = 0; m < x->key_count; m++) { /* an item whose key has another type is left out */
                        const olock_value *v = olock__fake_map_get(p->items[e].item->root, x->key[m].name, x->key[m].len);
                        if (!v || v->type != x->key[m].type) break;
                    }
                    if (m < x->key_count) continue;
                    x->item_count++;
                    x->size_bytes += p->items[e].size;
                }
            }
            j++;
        }
    }
}

static int olock__fake_limit_exceeded(olock__fake_ctx *c, const char *msg) {
    return olock__fake_err(c, 400, OLOCK__FAKE_NS "LimitExceededException", "%s", msg);
}

/* An index that is CREATING or DELETING cannot be created or deleted again. */
static int olock__fake_index_in_use(olock__fake_ctx *c, const olock__fake_index *x) {
    return olock__fake_err(c, 400, OLOCK__FAKE_NS "ResourceInUseException", "Attempt to change a resource which is still in use: Index is being %s.",
                           x->status == OLOCK__FAKE_INDEX_CREATING ? "created" : "deleted");
}

static olock__fake_index *olock__fake_index_named(const olock__fake_table *t, const char *name, size_t len) {
    size_t i;
    for (i = 0; i < t->index_count; i++)
        if (t->indexes[i].name_len == len && memcmp(t->indexes[i].name, name, len) == 0) return &t->indexes[i];
    return NULL;
}

/* Whether attribute `name` is a key of the table or of an index that stays. */
static int olock__fake_def_used(const olock__fake_table *t, const olock__fake_index *dropped, const char *name, size_t len) {
    size_t i, k;
    for (k = 0; k < t->key_count; k++)
        if (t->key[k].len == len && memcmp(t->key[k].name, name, len) == 0) return 1;
    for (i = 0; i < t->index_count; i++) {
        const olock__fake_index *x = &t->indexes[i];
        if (x == dropped || x->status == OLOCK__FAKE_INDEX_DELETING) continue;
        for (k = 0; k < x->key_count; k++)
            if (x->key[k].len == len && memcmp(x->key[k].name, name, len) == 0) return 1;
    }
    return 0;
}

/* One element of GlobalSecondaryIndexUpdates, checked before anything changes. */
typedef struct olock__fake_gsi_change {
    int kind; /* 1 Create, 2 Update, 3 Delete */
    const char *name;
    size_t name_len;
    olock__fake_index *x; /* Update, Delete */
    long long rcu, wcu;   /* Update, Create */
    olock__fake_index_spec spec;
} olock__fake_gsi_change;

/* A Create: its definitions, name, projection, key schema and throughput, against the table.
   New AttributeDefinitions are appended to (an, at, nad) (request arena). */
static int olock__fake_check_gsi_create(olock__fake_ctx *c, const olock__fake_table *t, const olock_json *cr, int provisioned,
                                        olock__fake_gsi_change *ch, const char **an, size_t *anl, olock_type *at, size_t *nad) {
    const olock_json *ad = olock__fake_body_get(c, "AttributeDefinitions"), *el, *ks, *pt;
    const olock__fake_index *x;
    size_t i, j, ngsi = 0;
    int r;
    if (ad && ad->kind != OLOCK_JSON_ARRAY) return olock__fake_shape(c);
    if (!ad || !ad->count) return olock__fake_verror(c, "No Attribute Schema Defined");
    if ((r = olock__fake_get_str(c, cr, "IndexName", &ch->name, &ch->name_len)) < 0) return -1;
    if (r == 0) return olock__fake_verror(c, "Invalid global secondary index name");
    if (!olock__fake_valid_table_name(ch->name, ch->name_len)) return olock__fake_bad_table_name(c);
    if ((x = olock__fake_index_named(t, ch->name, ch->name_len)) != NULL) {
        if (x->status != OLOCK__FAKE_INDEX_ACTIVE) return olock__fake_index_in_use(c, x);
        return olock__fake_verror(c, "Attempting to create an index which already exists");
    }
    for (i = 0; i < t->index_count; i++) ngsi += t->indexes[i].global;
    if (ngsi >= 20) return olock__fake_limit_exceeded(c, "Number of global secondary indexes exceeds per-table limit");
    ch->spec.name = ch->name;
    ch->spec.name_len = ch->name_len;
    ch->spec.global = 1;
    pt = olock__fake_get(cr, "ProvisionedThroughput");
    if (provisioned) { /* DynamoDB Local fails a provisioned table's index without throughput */
        if (!pt || pt->kind != OLOCK_JSON_OBJECT) return olock__fake_shape(c);
        if (olock__fake_get_int(c, pt, "ReadCapacityUnits", &ch->rcu) <= 0 || olock__fake_get_int(c, pt, "WriteCapacityUnits", &ch->wcu) <= 0 ||
            ch->rcu < 1 || ch->wcu < 1) {
            if (c->err_type) return -1;
            return olock__fake_verror(c, "Global Secondary Index's read and write throughput must be at least 1, and cannot be null");
        }
        ch->spec.has_tp = 1;
        ch->spec.rcu = ch->rcu;
        ch->spec.wcu = ch->wcu;
    }
    for (el = ad->first; el; el = el->next) {
        const char *name, *type;
        size_t nlen, tlen;
        olock_type ty;
        if (olock__fake_schema_elem(c, el, "AttributeType", &name, &nlen, &type, &tlen) < 0) return -1;
        if (!name) return olock__fake_verror(c, "Attribute name must be specified.");
        if (!type || (!olock__fake_streq(type, tlen, "S") && !olock__fake_streq(type, tlen, "N") && !olock__fake_streq(type, tlen, "B")))
            return olock__fake_verror(c, "Member must satisfy enum value set: [B, N, S]");
        ty = type[0] == 'S' ? OLOCK_TYPE_S : type[0] == 'N' ? OLOCK_TYPE_N
                                                            : OLOCK_TYPE_B;
        for (j = 0; j < *nad; j++)
            if (anl[j] == nlen && memcmp(an[j], name, nlen) == 0) break;
        if (j < *nad) {
            if (at[j] != ty) return olock__fake_verror(c, "invalid attribute, SchemaElement redefined should be of same type as previously defined");
            continue;
        }
        an[*nad] = name;
        anl[*nad] = nlen;
        at[(*nad)++] = ty;
    }
    if (olock__fake_index_projection(c, olock__fake_get(cr, "Projection"), &ch->spec) < 0) return -1;
    ks = olock__fake_get(cr, "KeySchema");
    if (ks && ks->kind != OLOCK_JSON_ARRAY) return olock__fake_shape(c);
    {
        const char *kname[2];
        size_t knlen[2];
        for (i = 0; i < t->key_count; i++) {
            kname[i] = t->key[i].name;
            knlen[i] = t->key[i].len;
        }
        if (olock__fake_index_keys(c, ks, &ch->spec, kname, knlen, an, anl, *nad) < 0) return -1;
    }
    return 0;
}

/* GlobalSecondaryIndexUpdates, in DynamoDB Local's order: every element names an action, one
   update per index, one index created or deleted per request (and none while another one is
   CREATING or DELETING), then each action. `billing` is the table's mode after the request. */
static int olock__fake_check_gsi_updates(olock__fake_ctx *c, const olock__fake_table *t, const olock_json *gu, int billing,
                                         olock__fake_gsi_change *ch, const char **an, size_t *anl, olock_type *at, size_t *nad) {
    const olock_json *el;
    size_t i, j, online = 0, pending = 0;
    int r;
    for (i = 0; i < t->index_count; i++) pending += t->indexes[i].status != OLOCK__FAKE_INDEX_ACTIVE;
    for (el = gu->first, i = 0; el; el = el->next, i++) {
        const olock_json *cr, *up, *de, *a;
        if (el->kind != OLOCK_JSON_OBJECT) return olock__fake_shape(c);
        cr = olock__fake_get(el, "Create");
        up = olock__fake_get(el, "Update");
        de = olock__fake_get(el, "Delete");
        if (!cr && !up && !de) return olock__fake_verror(c, "Update global secondary index action is null");
        if ((cr && cr->kind != OLOCK_JSON_OBJECT) || (up && up->kind != OLOCK_JSON_OBJECT) || (de && de->kind != OLOCK_JSON_OBJECT))
            return olock__fake_shape(c);
        online += (cr != NULL) + (de != NULL);
        ch[i].kind = cr ? 1 : up ? 2
                                 : 3;
        a = cr ? cr : up ? up
                         : de;
        if ((r = olock__fake_get_str(c, a, "IndexName", &ch[i].name, &ch[i].name_len)) < 0) return -1;
        if (r == 0) ch[i].name = NULL;
        for (j = 0; j < i && ch[i].name; j++)
            if (ch[j].name && ch[j].name_len == ch[i].name_len && memcmp(ch[j].name, ch[i].name, ch[i].name_len) == 0)
                return olock__fake_verror(c, "Only one global secondary index update per index is allowed simultaneously.");
    }
    if (online > 1) return olock__fake_limit_exceeded(c, "Subscriber limit exceeded: Only 1 online index can be created or deleted simultaneously per table");
    /* an index being created or deleted is in use; while one is, no other may be */
    for (i = 0; i < gu->count; i++) {
        const olock__fake_index *x = ch[i].name ? olock__fake_index_named(t, ch[i].name, ch[i].name_len) : NULL;
        if (ch[i].kind != 2 && x && x->status != OLOCK__FAKE_INDEX_ACTIVE) return olock__fake_index_in_use(c, x);
    }
    if (online && pending) return olock__fake_limit_exceeded(c, "Subscriber limit exceeded: Only 1 online index can be created or deleted simultaneously per table");
    for (el = gu->first, i = 0; el; el = el->next, i++) {
        olock__fake_index *x = ch[i].name ? olock__fake_index_named(t, ch[i].name, ch[i].name_len) : NULL;
        if (ch[i].kind == 3) {
            if (!ch[i].name) return olock__fake_verror(c, "Invalid global secondary index name");
            if (!x) return olock__fake_err(c, 400, OLOCK__FAKE_NS "ResourceNotFoundException", "%s", "Requested resource not found");
            if (!x->global) return olock__fake_verror(c, "Cannot delete an index that is not a GlobalSecondaryIndex");
            if (x->status != OLOCK__FAKE_INDEX_ACTIVE) return olock__fake_index_in_use(c, x);
        } else if (ch[i].kind == 2) {
            const olock_json *pt;
            if (!x || !x->global) return olock__fake_verror(c, "Invalid global secondary index name");
            if (billing == 2) return olock__fake_shape(c); /* DynamoDB Local fails on an on-demand table */
            pt = olock__fake_get(olock__fake_get(el, "Update"), "ProvisionedThroughput");
            if (!pt) return olock__fake_verror(c, "No provisioned throughput specified for the global secondary index");
            if (pt->kind != OLOCK_JSON_OBJECT) return olock__fake_shape(c);
            if ((r = olock__fake_get_int(c, pt, "ReadCapacityUnits", &ch[i].rcu)) < 0) return -1;
            if (r == 0) ch[i].rcu = 0;
            if ((r = olock__fake_get_int(c, pt, "WriteCapacityUnits", &ch[i].wcu)) < 0) return -1;
            if (r == 0) ch[i].wcu = 0;
            if (ch[i].rcu < 1 || ch[i].wcu < 1)
                return olock__fake_verror(c, "Global Secondary Index's read and write throughput must be at least 1, and cannot be null");
        } else if (olock__fake_check_gsi_create(c, t, olock__fake_get(el, "Create"), billing != 2, &ch[i], an, anl, at, nad) < 0) {
            return -1;
        }
        ch[i].x = x;
    }
    return 0;
}

/* Applies checked GlobalSecondaryIndexUpdates. Everything that can fail (memory) happens
   before the table changes: the new definitions, index array, index and key name copies. */
static int olock__fake_apply_gsi_updates(olock__fake_ctx *c, olock__fake_table *t, olock__fake_gsi_change *ch, size_t n,
                                         const char *const *an, const size_t *anl, const olock_type *at, size_t nad) {
    olock_fake *f = c->f;
    olock__fake_index fresh, *grown = NULL, *dropped = NULL;
    olock__fake_attr *defs = NULL;
    char *keys[2] = { NULL, NULL };
    size_t i, j, k, ndefs = 0, *order = NULL, cap = t->index_cap;
    const olock__fake_gsi_change *create = NULL;
    const char **names;
    size_t *lens;
    memset(&fresh, 0, sizeof(fresh));
    for (i = 0; i < n; i++) {
        if (ch[i].kind == 1) create = &ch[i];
        if (ch[i].kind == 3) dropped = ch[i].x;
    }
    /* the definitions after the change, in the order of DynamoDB Local's HashMap of them */
    names = (const char **)olock__fake_alloc(c, (nad + 1) * sizeof(*names));
    lens = (size_t *)olock__fake_alloc(c, (nad + 1) * sizeof(*lens));
    order = (size_t *)olock__fake_alloc(c, (nad + 1) * sizeof(*order));
    if (!names || !lens || !order) return olock__fake_oom(c);
    for (i = 0; i < nad; i++) {
        if (dropped && !olock__fake_def_used(t, dropped, an[i], anl[i])) continue;
        names[ndefs] = an[i];
        lens[ndefs++] = anl[i];
    }
    if (olock__fake_hash_order(c, names, lens, ndefs, 16, order) < 0) return olock__fake_oom(c);
    if (!(defs = (olock__fake_attr *)olock__fake_malloc(&f->alloc, ndefs * sizeof(*defs)))) return olock__fake_oom(c);
    memset(defs, 0, ndefs * sizeof(*defs));
    for (i = 0; i < ndefs; i++) { /* existing names move over, new ones are copied */
        const char *nm = names[order[i]];
        defs[i].len = lens[order[i]];
        for (j = 0; j < t->def_count; j++)
            if (t->defs[j].name == nm) defs[i].name = t->defs[j].name;
        for (k = 0; k < nad; k++)
            if (an[k] == nm) defs[i].type = at[k];
        if (!defs[i].name && !(defs[i].name = (char *)olock__fake_malloc(&f->alloc, defs[i].len + 1))) goto oom;
        if (defs[i].name != nm) {
            memcpy(defs[i].name, nm, defs[i].len);
            defs[i].name[defs[i].len] = 0;
        }
    }
    if (dropped)
        for (k = 0; k < dropped->key_count; k++) {
            if (!(keys[k] = (char *)olock__fake_malloc(&f->alloc, dropped->key[k].len + 1))) goto oom;
            memcpy(keys[k], dropped->key[k].name, dropped->key[k].len + 1);
        }
    if (create) {
        olock__fake_table view = *t; /* the index's key names come from the new definitions */
        view.defs = defs;
        view.def_count = ndefs;
        if (olock__fake_index_fill(f, &view, &fresh, &create->spec) < 0) goto oom;
        if (t->index_count == cap) {
            if (!(grown = (olock__fake_index *)olock__fake_malloc(&f->alloc, (cap + 1) * sizeof(*grown)))) goto oom;
        }
    }
    /* from here on nothing fails; the indexes move to the grown array first */
    if (grown) {
        if (t->index_count) memcpy(grown, t->indexes, t->index_count * sizeof(*grown));
        for (i = 0; i < n; i++)
            if (ch[i].x) ch[i].x = grown + (ch[i].x - t->indexes);
        olock__fake_free(&f->alloc, t->indexes, cap * sizeof(*t->indexes));
        t->indexes = grown;
        t->index_cap = cap + 1;
    }
    for (j = 0; j < t->def_count; j++) {
        for (i = 0; i < ndefs && defs[i].name != t->defs[j].name; i++) {}
        if (i == ndefs) olock__fake_free(&f->alloc, t->defs[j].name, t->defs[j].len + 1);
    }
    olock__fake_free(&f->alloc, t->defs, t->def_count * sizeof(*t->defs));
    t->defs = defs;
    t->def_count = ndefs;
    for (i = 0; i < n; i++)
        if (ch[i].kind == 2) {
            ch[i].x->rcu = (uint64_t)ch[i].rcu;
            ch[i].x->wcu = (uint64_t)ch[i].wcu;
        }
    for (i = 0; i < n; i++)
        if (ch[i].kind == 3) dropped = ch[i].x;
    if (dropped) {
        for (k = 0; k < dropped->key_count; k++) dropped->key[k].name = keys[k];
        dropped->own_keys = 1;
        dropped->status = OLOCK__FAKE_INDEX_DELETING;
        dropped->until_ms = f->now_ms + OLOCK__FAKE_INDEX_MS;
        f->pending_indexes++;
    }
    if (create) {
        fresh.online = 1;
        fresh.status = OLOCK__FAKE_INDEX_CREATING;
        fresh.until_ms = f->now_ms + OLOCK__FAKE_INDEX_MS;
        f->pending_indexes++;
        t->indexes[t->index_count++] = fresh;
    }
    return 0;
oom:
    for (i = 0; i < ndefs; i++) {
        for (j = 0; j < t->def_count && t->defs[j].name != defs[i].name; j++) {}
        if (j == t->def_count && defs[i].name) olock__fake_free(&f->alloc, defs[i].name, defs[i].len + 1);
    }
    olock__fake_free(&f->alloc, defs, ndefs * sizeof(*defs));
    for (k = 0; k < 2; k++)
        if (keys[k]) olock__fake_free(&f->alloc, keys[k], dropped->key[k].len + 1);
    olock__fake_index_free(f, &fresh);
    return olock__fake_oom(c);
}

/* UpdateTable: deletion protection, billing mode, provisioned throughput and
   GlobalSecondaryIndexUpdates. Everything is checked before anything changes. */
static int olock__fake_op_update_table(olock__fake_ctx *c) {
    olock__fake_table *t = olock__fake_request_table(c, 1);
    const olock_json *pt, *gu, *ad;
    const char *billing, **an;
    size_t blen, i, nad, *anl, ngu = 0;
    olock_type *at;
    int dp = 0, has_dp, has_billing, changed = 0, mode;
    long long rcu = 0, wcu = 0;
    olock__fake_gsi_change *ch = NULL;
    if (!t) return -1;
    if ((has_dp = olock__fake_get_bool(c, c->body, "DeletionProtectionEnabled", &dp)) < 0) return -1;
    if ((has_billing = olock__fake_get_str(c, c->body, "BillingMode", &billing, &blen)) < 0) return -1;
    pt = olock__fake_body_get(c, "ProvisionedThroughput");
    mode = t->billing;
    if (has_billing) {
        if (!olock__fake_streq(billing, blen, "PAY_PER_REQUEST")) return olock__fake_shape(c); /* DynamoDB Local fails switching to PROVISIONED */
        changed |= t->billing != 2;
        mode = 2;
    }
    if (pt) {
        if (olock__fake_get_int(c, pt, "ReadCapacityUnits", &rcu) < 0 || olock__fake_get_int(c, pt, "WriteCapacityUnits", &wcu) < 0)
            return -1;
        changed = 1;
    }
    changed |= has_dp;
    gu = olock__fake_body_get(c, "GlobalSecondaryIndexUpdates");
    ad = olock__fake_body_get(c, "AttributeDefinitions");
    nad = t->def_count;
    if (gu) {
        if (gu->kind != OLOCK_JSON_ARRAY) return olock__fake_shape(c);
        ngu = gu->count;
    }
    /* the table's definitions, then room for the request's */
    i = nad + (ad && ad->kind == OLOCK_JSON_ARRAY ? ad->count : 0) + 1;
    an = (const char **)olock__fake_alloc(c, i * sizeof(*an));
    anl = (size_t *)olock__fake_alloc(c, i * sizeof(*anl));
    at = (olock_type *)olock__fake_alloc(c, i * sizeof(*at));
    if (ngu) ch = (olock__fake_gsi_change *)olock__fake_alloc(c, ngu * sizeof(*ch));
    if (!an || !anl || !at || (ngu && !ch)) return -1;
    if (ngu) memset(ch, 0, ngu * sizeof(*ch));
    for (i = 0; i < nad; i++) {
        an[i] = t->defs[i].name;
        anl[i] = t->defs[i].len;
        at[i] = t->defs[i].type;
    }
    if (ngu && olock__fake_check_gsi_updates(c, t, gu, mode, ch, an, anl, at, &nad) < 0) return -1;
    if (pt && (rcu < 1 || wcu < 1)) /* after the index updates, as DynamoDB Local checks */
        return olock__fake_verror(c, "Table read and write throughput must be at least 1, and cannot be null");
    if (!changed && !ngu) return olock__fake_verror(c, "Nothing to update");
    if (ngu && olock__fake_apply_gsi_updates(c, t, ch, ngu, an, anl, at, nad) < 0) return -1;
    if (mode == 2) {
        t->billing = 2;
        t->rcu = t->wcu = 0;
    }
    if (pt) {
        t->rcu = (uint64_t)rcu;
        t->wcu = (uint64_t)wcu;
    }
    if (has_dp) t->deletion_protection = dp;
    if (olock__fake_puts(c, "{\"TableDescription\":") < 0 || olock__fake_write_table(c, t) < 0) return -1;
    return olock__fake_puts(c, "}");
}

static int olock__fake_op_list_tables(olock__fake_ctx *c) {
    const char *start = NULL;
    size_t slen = 0, i, n = 0;
    long long limit = 100;
    int r, found;
    olock_fake *f = c->f;
    if ((r = olock__fake_get_int(c, c->body, "Limit", &limit)) < 0) return -1;
    if (r && limit < 1) return olock__fake_verror(c, "Limit must be greater than or equal to 1");
    if (r && limit > 100) return olock__fake_verror(c, "Limit in ListTables must be <= 100");
    if ((r = olock__fake_get_str(c, c->body, "ExclusiveStartTableName", &start, &slen)) < 0) return -1;
    if (r && !olock__fake_valid_table_name(start, slen)) return olock__fake_bad_table_name(c);
    i = r ? olock__fake_table_pos(f, start, slen, &found) : 0;
    if (r && found) i++;
    if (olock__fake_puts(c, "{\"TableNames\":[") < 0) return -1;
    for (; i < f->table_count && (long long)n < limit; i++, n++) {
        if ((n && olock__fake_puts(c, ",") < 0) || olock__fake_put_str(c, f->tables[i]->name, f->tables[i]->name_len) < 0)
            return -1;
    }
    if (olock__fake_puts(c, "]") < 0) return -1;
    if (i < f->table_count && n > 0 &&
        (olock__fake_puts(c, ",\"LastEvaluatedTableName\":") < 0 ||
         olock__fake_put_str(c, f->tables[i - 1]->name, f->tables[i - 1]->name_len) < 0))
        return -1;
    return olock__fake_puts(c, "}");
}
