/* =============================================================================================
   >>records: typed records, a C struct read, written and updated through a field table
   ========================================================================================== */

/* A field table describes a struct once, as one static array; olock then fills the struct from
   an item and writes it back, so that a mutate function changes a struct instead of an item:

       struct item_stack { char name[24]; uint16_t count; };
       static const olock_field item_stack_fields[] = {
           OLOCK_FIELD_STR(struct item_stack, name, 0),
           OLOCK_FIELD_UINT(struct item_stack, count, 0),
       };
       static const olock_record_type item_stack_type = OLOCK_RECORD_TYPE(struct item_stack, item_stack_fields);

       struct player {
           char id[40]; uint64_t version; int64_t gold; int has_guild; char guild[32];
           struct item_stack bag[8]; size_t bag_count;
       };
       static const olock_field player_fields[] = {
           OLOCK_FIELD_STR(struct player, id, OLOCK_F_HASH_KEY),
           OLOCK_FIELD_UINT(struct player, version, OLOCK_F_VERSION),
           OLOCK_FIELD_INT(struct player, gold, 0),
           OLOCK_FIELD_STR(struct player, guild, OLOCK_F_PRESENT(struct player, has_guild)),
           OLOCK_FIELD_LIST_STRUCT(struct player, bag, bag_count, &item_stack_type, 0),
       };
       static const olock_record_type player_type = OLOCK_RECORD_TYPE(struct player, player_fields);

   The attribute is named as the member (OLOCK_FIELD_INT_AS("Gold", T, gold, 0) and the other
   _AS forms name it otherwise). Kinds, the C member each expects, and the stored type:
     STR       char m[N]: S of at most N-1 bytes (longer: OLOCK_ERR_LIMIT naming the field)
     STR_PTR   const char *m: S; NULL writes nothing. Read: points into an item olock owns (see
               each call); never freed by olock
     INT/UINT  any signed / unsigned integer of 1, 2, 4 or 8 bytes: N, range-checked both ways
     DOUBLE    double: N (read to the nearest double)
     BOOL      bool or int: BOOL
     BYTES     unsigned char m[N] and an unsigned integer member holding the length: B
     STRUCT    a nested struct with its own olock_record_type: M (members it does not describe
               are kept on write-back)
     LIST      T m[N] and an unsigned count member: L of STR, INT, UINT, DOUBLE, BOOL elements
     LIST_STRUCT  struct s m[N] and a count: L of M
     SET       T m[N] and a count: SS of STR, NS of INT, UINT or DOUBLE elements (an empty set is
               not stored: DynamoDB has none)
   More elements stored than N: OLOCK_ERR_LIMIT naming the field. Options (OR them):
     OLOCK_F_HASH_KEY, OLOCK_F_RANGE_KEY  the table's key (STR, STR_PTR, INT, UINT or BYTES;
                                          empty is OLOCK_ERR_INVALID_ARG naming the field)
     OLOCK_F_VERSION                      the version (INT or UINT): managed by the engine, never
                                          written by encode; its name must be the client's
                                          versioning attribute (olock_record_versioning)
     OLOCK_F_PRESENT(T, has_m)            int has_m: 1 when the attribute is stored; 0 on write
                                          removes it. Without it, an absent attribute reads as 0
                                          / "" (and a typed update writes only what changed).
   Macros expand to plain positional initialisers over offsetof: C99 and C++11 alike (members of
   a standard-layout struct). */
typedef enum olock_field_kind {
    OLOCK_FK_STR = 1,
    OLOCK_FK_STR_PTR,
    OLOCK_FK_INT,
    OLOCK_FK_UINT,
    OLOCK_FK_DOUBLE,
    OLOCK_FK_BOOL,
    OLOCK_FK_BYTES,
    OLOCK_FK_STRUCT,
    OLOCK_FK_LIST,
    OLOCK_FK_SET
} olock_field_kind;

typedef struct olock_record_type olock_record_type;
typedef struct olock_field {
    const char *name; /* attribute name */
    olock_field_kind kind;
    olock_field_kind elem;        /* LIST / SET: the element kind (STRUCT for LIST_STRUCT) */
    size_t offset;                /* of the member (of element 0 for LIST / SET) */
    size_t size;                  /* sizeof the member (of one element for LIST / SET) */
    size_t aux_offset;            /* BYTES: the length member; LIST / SET: the count member */
    size_t aux_size;              /* sizeof that member */
    size_t capacity;              /* LIST / SET: elements of the array */
    const olock_record_type *sub; /* STRUCT, LIST_STRUCT */
    size_t options;               /* OLOCK_F_* */
} olock_field;

struct olock_record_type {
    const char *name; /* for messages: "struct player" */
    const olock_field *fields;
    size_t field_count;
    size_t size; /* sizeof the struct */
};

#define OLOCK_F_HASH_KEY ((size_t)1)
#define OLOCK_F_RANGE_KEY ((size_t)2)
#define OLOCK_F_VERSION ((size_t)4)
#define OLOCK_F__PRESENT ((size_t)8)
/* The present flag's offset rides in the options' upper bits, so that one options argument says
   everything and the macros stay positional. */
#define OLOCK_F_PRESENT(T, m) (OLOCK_F__PRESENT | ((size_t)offsetof(T, m) << 8))

#define OLOCK__MEMBER_SIZE(T, m) sizeof(((T *)0)->m)
#define OLOCK__FIELD(nm, kind, elem, off, size, aoff, asize, cap, sub, opts) \
    { nm, kind, elem, off, size, aoff, asize, cap, sub, opts }
#define OLOCK__SCALAR(nm, T, m, kind, opts) \
    OLOCK__FIELD(nm, kind, kind, offsetof(T, m), OLOCK__MEMBER_SIZE(T, m), 0, 0, 0, NULL, opts)
#define OLOCK__ARRAY(nm, T, m, count_m, kind, elem, sub, opts) \
    OLOCK__FIELD(nm, kind, elem, offsetof(T, m), OLOCK__MEMBER_SIZE(T, m[0]), offsetof(T, count_m), \
                 OLOCK__MEMBER_SIZE(T, count_m), OLOCK__MEMBER_SIZE(T, m) / OLOCK__MEMBER_SIZE(T, m[0]), sub, opts)
/* The _AS forms take the attribute name first, for an attribute not named as its member. */
#define OLOCK_FIELD_STR_AS(name, T, m, opts) OLOCK__SCALAR(name, T, m, OLOCK_FK_STR, opts)
#define OLOCK_FIELD_STR_PTR_AS(name, T, m, opts) OLOCK__SCALAR(name, T, m, OLOCK_FK_STR_PTR, opts)
#define OLOCK_FIELD_INT_AS(name, T, m, opts) OLOCK__SCALAR(name, T, m, OLOCK_FK_INT, opts)
#define OLOCK_FIELD_UINT_AS(name, T, m, opts) OLOCK__SCALAR(name, T, m, OLOCK_FK_UINT, opts)
#define OLOCK_FIELD_DOUBLE_AS(name, T, m, opts) OLOCK__SCALAR(name, T, m, OLOCK_FK_DOUBLE, opts)
#define OLOCK_FIELD_BOOL_AS(name, T, m, opts) OLOCK__SCALAR(name, T, m, OLOCK_FK_BOOL, opts)
#define OLOCK_FIELD_BYTES_AS(name, T, m, len_m, opts) \
    OLOCK__FIELD(name, OLOCK_FK_BYTES, OLOCK_FK_BYTES, offsetof(T, m), OLOCK__MEMBER_SIZE(T, m), \
                 offsetof(T, len_m), OLOCK__MEMBER_SIZE(T, len_m), OLOCK__MEMBER_SIZE(T, m), NULL, opts)
#define OLOCK_FIELD_STRUCT_AS(name, T, m, subtype, opts) \
    OLOCK__FIELD(name, OLOCK_FK_STRUCT, OLOCK_FK_STRUCT, offsetof(T, m), OLOCK__MEMBER_SIZE(T, m), 0, 0, 0, subtype, opts)
#define OLOCK_FIELD_LIST_AS(name, T, m, count_m, elem_kind, opts) OLOCK__ARRAY(name, T, m, count_m, OLOCK_FK_LIST, elem_kind, NULL, opts)
#define OLOCK_FIELD_LIST_STRUCT_AS(name, T, m, count_m, subtype, opts) \
    OLOCK__ARRAY(name, T, m, count_m, OLOCK_FK_LIST, OLOCK_FK_STRUCT, subtype, opts)
#define OLOCK_FIELD_SET_AS(name, T, m, count_m, elem_kind, opts) OLOCK__ARRAY(name, T, m, count_m, OLOCK_FK_SET, elem_kind, NULL, opts)
/* The attribute named as the member. */
#define OLOCK_FIELD_STR(T, m, opts) OLOCK_FIELD_STR_AS(#m, T, m, opts)
#define OLOCK_FIELD_STR_PTR(T, m, opts) OLOCK_FIELD_STR_PTR_AS(#m, T, m, opts)
#define OLOCK_FIELD_INT(T, m, opts) OLOCK_FIELD_INT_AS(#m, T, m, opts)
#define OLOCK_FIELD_UINT(T, m, opts) OLOCK_FIELD_UINT_AS(#m, T, m, opts)
#define OLOCK_FIELD_DOUBLE(T, m, opts) OLOCK_FIELD_DOUBLE_AS(#m, T, m, opts)
#define OLOCK_FIELD_BOOL(T, m, opts) OLOCK_FIELD_BOOL_AS(#m, T, m, opts)
#define OLOCK_FIELD_BYTES(T, m, len_m, opts) OLOCK_FIELD_BYTES_AS(#m, T, m, len_m, opts)
#define OLOCK_FIELD_STRUCT(T, m, subtype, opts) OLOCK_FIELD_STRUCT_AS(#m, T, m, subtype, opts)
#define OLOCK_FIELD_LIST(T, m, count_m, elem_kind, opts) OLOCK_FIELD_LIST_AS(#m, T, m, count_m, elem_kind, opts)
#define OLOCK_FIELD_LIST_STRUCT(T, m, count_m, subtype, opts) OLOCK_FIELD_LIST_STRUCT_AS(#m, T, m, count_m, subtype, opts)
#define OLOCK_FIELD_SET(T, m, count_m, elem_kind, opts) OLOCK_FIELD_SET_AS(#m, T, m, count_m, elem_kind, opts)
#define OLOCK_RECORD_TYPE(T, fields) \
    { #T, fields, sizeof(fields) / sizeof((fields)[0]), sizeof(T) }

/* Fills `rec` from `item` (a map; NULL: no item): the struct is zeroed first, then every field
   the table describes is read; attributes it does not describe are ignored. Errors name the
   field ("struct player: field 'bag[2].count': ..."): OLOCK_ERR_TYPE (another stored type),
   OLOCK_ERR_RANGE (a number the C type cannot hold, or not an integer), OLOCK_ERR_LIMIT (a
   string or bytes longer than the member, more elements than the array), INVALID_ARG (a bad
   table). On an error `rec` holds what was read so far. STR_PTR fields point into `item`.
   Allocates nothing. */
OLOCK_API olock_result olock_record_decode(const olock_record_type *type, const olock_value *item, void *rec, olock_error *err);
/* Writes the fields of `rec` into `item` (in its arena), keeping every attribute the table does
   not describe and leaving equal ones as they are; removes optional fields whose present
   flag is 0. The version field is not written (the engine writes it). INVALID_ARG for an
   empty key field, LIMIT for a string without its NUL within its array or a length / count over
   capacity, RANGE for a NaN or infinite double; the message names the field. */
OLOCK_API olock_result olock_record_encode(const olock_record_type *type, const void *rec, olock_item *item, olock_error *err);
/* Sets v->attribute to the name of the table's version field (a string of the table, static);
   nothing when it has none. Call it on the config before olock_client_create. */
OLOCK_API void olock_record_versioning(const olock_record_type *type, olock_versioning *v);

/* The change a typed read-modify-write makes: `rec` holds the current item decoded (zeroed, the
   key fields set and every present flag 0 when `exists` is 0), and its version field the
   stored version. Change it in place and return as an olock_mutate_fn does. Called again on
   the fresh item after a conflict, so it must look only at `rec` (and `user`). */
typedef olock_mutation (*olock_record_fn)(void *user, void *rec, int exists);

/* The state of one typed update driven as a task: caller-owned, it must live until the task is
   done (it holds the key the engine reads from). Its members are private. */
#define OLOCK__RECORD_KEY_BYTES (2048 + 1024 + 8)
typedef struct olock_record_op {
    const olock_record_type *type;
    void *rec;
    olock_record_fn fn;
    void *user;
    olock_task *task;
    olock_value key[3];                      /* the key map and its one or two members */
    char key_bytes[OLOCK__RECORD_KEY_BYTES]; /* the key's bytes: hash key up to 2048, range up to 1024 */
} olock_record_op;

/* The record whose key fields are set, read: `rec` receives the item (its version field the
   stored version) and *keep, when not NULL, the item read (yours to olock_item_destroy; STR_PTR
   fields point into it, so a table with one needs keep). OLOCK_ERR_NOT_FOUND (rec untouched)
   when there is no such item, or olock_record_decode's errors. */
OLOCK_API olock_result olock_record_get(olock_client *c, const olock_record_type *type, const char *table, void *rec,
                                        int consistent, olock_item **keep, olock_error *err);
/* A versioned put of the record as the whole item, expecting the version in its version field
   (start_at: the item must be new; a table without a version field always expects start_at);
   on OLOCK_OK the field holds the new version. The item is
   replaced: attributes the table does not describe are not kept (olock_record_update keeps
   them). OLOCK_CONFLICT as olock_versioned_put. */
OLOCK_API olock_result olock_record_put(olock_client *c, const olock_record_type *type, const char *table, void *rec,
                                        olock_write_result *result, olock_error *err);
/* A versioned delete of the item with the record's key, expecting its version field: only the
   key and version fields are read, so a struct with just those set deletes by key. */
OLOCK_API olock_result olock_record_delete(olock_client *c, const olock_record_type *type, const char *table,
                                           const void *rec, olock_write_result *result, olock_error *err);
/* Typed read-modify-write: olock_update on the item with the record's key (set the key fields of
   `rec` first), with fn changing the struct. Same outcome model, cache, retry budget and
   settlement; attributes the table does not describe survive the write-back. A stored value
   that does not decode ends the operation with olock_record_decode's error (naming the field;
   OLOCK_ERR_MAYBE_SENT when an earlier write of the operation is in doubt). On return `rec`
   holds the record as written (as found for NO_CHANGE / ABORT), its version field the stored
   version on OLOCK_OK; STR_PTR fields point into the client's copy, valid until its next
   operation. */
OLOCK_API olock_result olock_record_update(olock_client *c, const olock_record_type *type, const char *table, void *rec,
                                           olock_record_fn fn, void *user, olock_write_result *result, olock_error *err);
/* The same as a task (event loops): `op` and `rec` must live until the task is done; after it,
   olock_task_result tells the outcome and `rec` holds the record with its version field the
   version the last write stored (STR_PTR fields valid until the task's next operation). */
OLOCK_API olock_result olock_task_begin_record_update(olock_task *t, olock_record_op *op, const olock_record_type *type,
                                                      const char *table, void *rec, olock_record_fn fn, void *user);
/* Transactions: a versioned put (the whole item), delete or version check of a record in `txn`,
   each expecting the record's version field. After a successful commit olock_txn_version(txn,
   i) is the version action i stored. */
OLOCK_API olock_result olock_txn_record_put(olock_txn *txn, const olock_record_type *type, const char *table,
                                            const void *rec, olock_error *err);
OLOCK_API olock_result olock_txn_record_delete(olock_txn *txn, const olock_record_type *type, const char *table,
                                               const void *rec, olock_error *err);
OLOCK_API olock_result olock_txn_record_check(olock_txn *txn, const olock_record_type *type, const char *table,
                                              const void *rec, olock_error *err);
/* Typed olock_update_many: several records (of any tables and types), read together, changed by
   one function and written all or nothing, re-read and re-applied on a conflict. fn gets the
   records (recs[i] is refs[i].rec, filled from the item read; exists[i] 0 for an absent one) and
   sets each[i] as an olock_mutate_many_fn does. On OLOCK_OK each record written holds the
   version stored. Allocates its list of keys once per call (in one arena). */
typedef struct olock_record_ref {
    const olock_record_type *type;
    const char *table;
    void *rec; /* its key fields set */
} olock_record_ref;
typedef olock_mutation (*olock_record_many_fn)(void *user, void *const *recs, const int *exists, olock_mutation *each, size_t count);
OLOCK_API olock_result olock_record_update_many(olock_client *c, const olock_record_ref *refs, size_t count, olock_record_many_fn fn,
                                                void *user, olock_write_result *result, olock_error *err);
/* The key fields of `rec` as attributes of `out` (an item being built, e.g. for olock_batch_get):
   INVALID_ARG naming an empty key field, or a table without a hash key. */
OLOCK_API olock_result olock_record_key(const olock_record_type *type, const void *rec, olock_item *out, olock_error *err);
