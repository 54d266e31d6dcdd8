/* =============================================================================================
   >>value: values and items
   ========================================================================================== */

/* ---- Values and items ------------------------------------------------------------------------ */

typedef enum olock_type {
    OLOCK_TYPE_S = 1,
    OLOCK_TYPE_N,
    OLOCK_TYPE_B,
    OLOCK_TYPE_BOOL,
    OLOCK_TYPE_NULL,
    OLOCK_TYPE_M,
    OLOCK_TYPE_L,
    OLOCK_TYPE_SS,
    OLOCK_TYPE_NS,
    OLOCK_TYPE_BS
} olock_type;

/* "S", "N", "B", "BOOL", "NULL", "M", "L", "SS", "NS", "BS"; "?" for anything else. */
OLOCK_API const char *olock_type_name(olock_type t);
/* Inverse of olock_type_name; 0 when the name is not a DynamoDB type. */
OLOCK_API olock_type olock_type_from_name(const char *name, size_t len);

/* One attribute value. Read the fields directly or through the accessors; change values only
   through the functions below. S/N/B keep their bytes in `str`/`len` (N as decimal text, B
   raw bytes, both NUL-terminated for convenience); containers (M L SS NS BS) chain their
   members from `first` through `next`; a member of a map carries its name in `key`. */
typedef struct olock_value olock_value;
struct olock_value {
    olock_type type;
    uint32_t count;  /* members of a container */
    const char *str; /* S, N, B */
    size_t len;
    int boolean;               /* BOOL */
    olock_value *first, *last; /* containers */
    olock_value *next;         /* next member of the parent */
    const char *key;           /* map member name, NUL-terminated */
    size_t key_len;
};

/* Constructors allocate in `a` and copy their input. NULL on OOM. Numbers are validated and
   stored in canonical form; olock_value_new_n returns NULL for text that is not a valid
   DynamoDB number (use olock_decimal_parse first to learn why). */
OLOCK_API olock_value *olock_value_new_s(olock_arena *a, const char *s, size_t len);
OLOCK_API olock_value *olock_value_new_n(olock_arena *a, const char *text, size_t len);
OLOCK_API olock_value *olock_value_new_decimal(olock_arena *a, const olock_decimal *d);
OLOCK_API olock_value *olock_value_new_i64(olock_arena *a, int64_t v);
OLOCK_API olock_value *olock_value_new_u64(olock_arena *a, uint64_t v);
OLOCK_API olock_value *olock_value_new_double(olock_arena *a, double v); /* NULL for NaN/inf */
OLOCK_API olock_value *olock_value_new_b(olock_arena *a, const void *bytes, size_t len);
OLOCK_API olock_value *olock_value_new_bool(olock_arena *a, int b);
OLOCK_API olock_value *olock_value_new_null(olock_arena *a);
/* An empty container of type M, L, SS, NS or BS. */
OLOCK_API olock_value *olock_value_new_container(olock_arena *a, olock_type t);
OLOCK_API olock_value *olock_value_copy(olock_arena *a, const olock_value *v); /* deep copy */

/* Map members: put replaces a member of the same name (keeping its position) or appends.
   The value must come from the same arena (or one that lives as long). */
OLOCK_API olock_result olock_map_put(olock_arena *a, olock_value *map, const char *key, size_t key_len, olock_value *v);
OLOCK_API const olock_value *olock_map_get(const olock_value *map, const char *key, size_t key_len);
OLOCK_API int olock_map_remove(olock_value *map, const char *key, size_t key_len); /* 1 if removed */
/* Lists: append; get by index (NULL when out of range). */
OLOCK_API olock_result olock_list_append(olock_value *list, olock_value *v);
OLOCK_API const olock_value *olock_list_get(const olock_value *list, size_t index);
/* Sets: adds a member of the set's element type (S for SS, N for NS, B for BS). A member
   already present is not added again (and that is not an error). */
OLOCK_API olock_result olock_set_add(olock_value *set, olock_value *v);
OLOCK_API int olock_set_contains(const olock_value *set, const olock_value *v);

/* Accessors. TYPE when the value has another type. */
OLOCK_API olock_result olock_value_get_s(const olock_value *v, const char **s, size_t *len);
OLOCK_API olock_result olock_value_get_b(const olock_value *v, const void **bytes, size_t *len);
OLOCK_API olock_result olock_value_get_bool(const olock_value *v, int *b);
OLOCK_API olock_result olock_value_get_decimal(const olock_value *v, olock_decimal *d);
OLOCK_API olock_result olock_value_get_i64(const olock_value *v, int64_t *out);
OLOCK_API olock_result olock_value_get_u64(const olock_value *v, uint64_t *out);
OLOCK_API olock_result olock_value_get_double(const olock_value *v, double *out);
/* A map's member by NUL-terminated name (a returned item, res.item, is such a map), and the
   accessors above by name: olock_map_get_i64(res.item, "gold", &gold). olock_map_find returns
   NULL when map is NULL or not a map, or has no such member; the getters then return
   OLOCK_ERR_NOT_FOUND (so an absent item reads as a missing attribute), else what the
   accessor returns (TYPE, RANGE, INEXACT), writing their outputs only on OLOCK_OK. len may
   be NULL. Names as olock_item_get_s / olock_item_get_i64 for items. */
OLOCK_API const olock_value *olock_map_find(const olock_value *map, const char *name);
OLOCK_API olock_result olock_map_get_s(const olock_value *map, const char *name, const char **s, size_t *len);
OLOCK_API olock_result olock_map_get_i64(const olock_value *map, const char *name, int64_t *out);
OLOCK_API olock_result olock_map_get_u64(const olock_value *map, const char *name, uint64_t *out);
OLOCK_API olock_result olock_map_get_double(const olock_value *map, const char *name, double *out);
OLOCK_API olock_result olock_map_get_bool(const olock_value *map, const char *name, int *b);

/* Equality as DynamoDB compares: numbers numerically, sets unordered, maps by name. */
OLOCK_API int olock_value_equal(const olock_value *a, const olock_value *b);

/* An item: a top-level map with its own arena. Everything reachable from it is freed by
   olock_item_destroy. */
typedef struct olock_item {
    olock_arena arena;
    olock_value *root; /* type M */
} olock_item;

OLOCK_API olock_result olock_item_create(const olock_allocator *alloc, olock_item **out);
OLOCK_API void olock_item_destroy(olock_item *it); /* NULL is a no-op */
OLOCK_API olock_result olock_item_copy(const olock_item *src, const olock_allocator *alloc, olock_item **out);
OLOCK_API olock_arena *olock_item_arena(olock_item *it);
/* Attribute setters: replace or append; the value is copied into the item. */
OLOCK_API olock_result olock_item_set(olock_item *it, const char *name, const olock_value *v);
OLOCK_API olock_result olock_item_set_s(olock_item *it, const char *name, const char *s);
OLOCK_API olock_result olock_item_set_n(olock_item *it, const char *name, const char *number_text);
OLOCK_API olock_result olock_item_set_i64(olock_item *it, const char *name, int64_t v);
OLOCK_API olock_result olock_item_set_double(olock_item *it, const char *name, double v);
OLOCK_API olock_result olock_item_set_b(olock_item *it, const char *name, const void *bytes, size_t len);
OLOCK_API olock_result olock_item_set_bool(olock_item *it, const char *name, int b);
OLOCK_API olock_result olock_item_set_null(olock_item *it, const char *name);
/* Takes `v` as it is (no copy): it must live in olock_item_arena(it). */
OLOCK_API olock_result olock_item_put(olock_item *it, const char *name, olock_value *v);
OLOCK_API const olock_value *olock_item_get(const olock_item *it, const char *name);
OLOCK_API int olock_item_remove(olock_item *it, const char *name);
OLOCK_API olock_result olock_item_get_s(const olock_item *it, const char *name, const char **s);
OLOCK_API olock_result olock_item_get_i64(const olock_item *it, const char *name, int64_t *out);
OLOCK_API int olock_item_equal(const olock_item *a, const olock_item *b);
/* Keys: a request's `key` is any map of the key attributes, so the root of an olock_item that
   holds just them (olock_item_set_s(k, "id", "player-7"); r.key = k->root;) is a key.
   An item read or built whole holds more than its key, which DynamoDB rejects as a key: this
   makes a new item (in it's allocator) of copies of just the hash_key attribute and, when
   range_key is not NULL, the range_key one. INVALID_ARG for a NULL it, hash_key or out,
   NOT_FOUND (naming it) when the item lacks one of them, NOMEM. */
OLOCK_API olock_result olock_item_key(const olock_item *it, const char *hash_key, const char *range_key,
                                      olock_item **out, olock_error *err);
