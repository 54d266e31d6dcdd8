/* =============================================================================================
   >>expr: expression builders: conditions, updates, projections, key conditions
   ========================================================================================== */

/* ---- Expressions: conditions, updates, projections and key conditions with automatic placeholders ---- */

/* README snippet (tests/test_expr.c compiles the same code and checks the strings shown):

       // Give player-7 10 gold, but only while active and below 1000 gold.
       olock_expr *e = NULL;
       olock_item_request req;
       olock_error err;
       olock_expr_create(NULL, &e);                          // NULL: default allocator
       olock_expr_add_condition(e, olock_cond_and(e,
           olock_cond_eq(e, "status", olock_expr_s(e, "active")),
           olock_cond_lt(e, "stats.gold", olock_expr_i64(e, 1000))));
       olock_expr_set_plus(e, "stats.gold", NULL, olock_expr_i64(e, 10)); // gold = gold + 10
       olock_expr_set(e, "data", olock_expr_s(e, "x"));    // "data" is a reserved word: fine
       olock_expr_remove(e, "tmp[0]");

       memset(&req, 0, sizeof req);
       req.table = "players";
       req.key = key;                                        // an olock_value of type M
       if (olock_expr_render_item(e, &req, &err) != OLOCK_OK)  // one check for all the calls
           fprintf(stderr, "%s\n", err.message);
       // req.condition  "#n0 = :v0 AND #n1.#n2 < :v1"
       // req.update     "SET #n1.#n2 = #n1.#n2 + :v2, #n3 = :v3 REMOVE #n4[0]"
       // req.names      {#n0: status, #n1: stats, #n2: gold, #n3: data, #n4: tmp}
       // req.values     {:v0: "active", :v1: 1000, :v2: 10, :v3: "x"}
       olock_update_item(client, &req, &res, &err);
       olock_expr_reset(e);                                  // reuse it for the next request
       olock_expr_destroy(e);

   HOW IT WORKS
   An olock_expr builds the expressions of ONE request (condition, update, projection, key
   condition, filter) and owns one placeholder namespace for all of them. Every path segment
   becomes an attribute name placeholder (#n0, #n1, ...; one per distinct name) and every value
   a value placeholder (:v0, :v1, ...; one per use, never shared), so reserved words, dots
   and Unicode in names are never a problem. Placeholders are numbered when rendering, in text
   order of the expressions in this order: condition, update, projection, key condition,
   filter. The output is deterministic: the same calls give the same strings and maps.

   Handles (olock_cond, olock_operand, path text from olock_path_*) and values made with
   olock_expr_s() & co. live in the builder's arena: valid until olock_expr_reset or
   olock_expr_destroy. Values passed in are copied, so they may die right after the call.

   ERRORS ARE STICKY. The first failing call records its error in the builder; every later
   call is a no-op (handle constructors return NULL, and a NULL handle passed on is ignored),
   and olock_expr_render* / olock_expr_status report that first error. So chain freely and
   check once. Codes: OLOCK_ERR_EXPRESSION (bad path text, wrong operand kind, overlapping
   update or projection paths, undefined or unused raw placeholders, ...), OLOCK_ERR_LIMIT
   (4096-byte expression, 32 path levels, index > 2^31-1, IN > 100 operands, 300 operators,
   255-byte placeholder), OLOCK_ERR_TYPE (ADD not a number or set, DELETE not a set, ordering
   a BOOL, ...), OLOCK_ERR_INVALID_ARG (NULL argument, bad enum, handle of another builder),
   OLOCK_ERR_NOMEM. Two failing arguments of ONE call may be reported in either order (C does
   not fix the order in which arguments are evaluated). olock_expr_reset clears the error.

   LIMITS CHECKED: 4096 bytes per expression; 300 operators and functions per expression
   (comparisons, BETWEEN, IN, AND, OR, NOT, each function incl. size(), + and -; DynamoDB
   counts these, measured against DynamoDB Local); IN with 1..100 operands; 32 path levels;
   list index 0..2^31-1; placeholders of the caller's maps 2..255 bytes. DynamoDB documents no
   limit on the number of placeholders (the 4096 bytes bound them).

   PATH TEXT
   "a.b[3].c": names separated by '.', list indexes in brackets (decimal, 0 .. 2^31-1).
   A name is any non-empty run of bytes other than . [ ] ` and ASCII whitespace/control
   characters; UTF-8 (validated) is fine. Any other name is written in backticks, with a
   backtick doubled: "`my.attr`.b", "`a``b`". You need not write quotes yourself:
   olock_path_name / olock_path_key / olock_path_index build path text from raw names.
   At most OLOCK_PATH_MAX_DEPTH segments.

   THREADS: one builder per thread at a time; builders are independent. */

#define OLOCK_EXPR_MAX_BYTES 4096       /* longest expression string DynamoDB accepts */
#define OLOCK_EXPR_MAX_IN 100           /* operands of IN after the first */
#define OLOCK_EXPR_MAX_OPERATORS 300    /* operators and functions in one expression */
#define OLOCK_PATH_MAX_DEPTH 32         /* segments of one document path */
#define OLOCK_PATH_MAX_INDEX 2147483647 /* largest list index */
#define OLOCK_PLACEHOLDER_MAX 255       /* bytes of one placeholder, '#' or ':' included */

typedef struct olock_expr olock_expr;       /* the builder */
typedef struct olock_cond olock_cond;       /* a condition (in the builder's arena) */
typedef struct olock_operand olock_operand; /* a path, value, size(path) or SET function */

typedef enum olock_cmp {
    OLOCK_CMP_EQ = 1, /* =  */
    OLOCK_CMP_NE,     /* <> */
    OLOCK_CMP_LT,     /* <  */
    OLOCK_CMP_LE,     /* <= */
    OLOCK_CMP_GT,     /* >  */
    OLOCK_CMP_GE      /* >= */
} olock_cmp;

/* What olock_expr_render produces. Strings and maps are owned by the builder and stay valid
   until the next render, reset or destroy. A field is NULL when there is nothing to send
   (an unused expression, an empty map: DynamoDB rejects empty maps). */
typedef struct olock_expr_output {
    const char *condition;     /* ConditionExpression */
    const char *update;        /* UpdateExpression */
    const char *projection;    /* ProjectionExpression */
    const char *key_condition; /* KeyConditionExpression */
    const char *filter;        /* FilterExpression */
    const olock_value *names;  /* M: "#n0" -> S name; the caller's raw names first */
    const olock_value *values; /* M: ":v0" -> value; the caller's raw values first */
} olock_expr_output;

/* ---- The builder ----------------------------------------------------------------------------- */

/* Creates an empty builder. `alloc` (NULL: default allocator) is copied. Returns OK or
   NOMEM; *out is written only on success. */
OLOCK_API olock_result olock_expr_create(const olock_allocator *alloc, olock_expr **out);
/* Frees the builder and everything it handed out. NULL is a no-op. */
OLOCK_API void olock_expr_destroy(olock_expr *e);
/* Forgets every expression, handle, value and the sticky error, keeping the memory: a builder
   reset and refilled with the same shape of request allocates nothing. NULL is a no-op. */
OLOCK_API void olock_expr_reset(olock_expr *e);
/* The builder's arena, for values that should die with the next reset. */
OLOCK_API olock_arena *olock_expr_arena(olock_expr *e);
/* From now until the next reset, values given to the builder (conditions, updates, the
   caller's placeholder maps) are referenced instead of copied: they must stay unchanged until
   the rendered request has been encoded or the builder is reset. For code that builds many
   requests from values it owns anyway (the versioned engine does): it saves a deep copy of
   each value. Off after create and reset. */
OLOCK_API void olock_expr_borrow_values(olock_expr *e, int borrow);
/* The sticky error: OLOCK_OK, or the first failure (detail copied into err when non-NULL). */
OLOCK_API olock_result olock_expr_status(const olock_expr *e, olock_error *err);

/* Value shorthands in the builder's arena (a NULL result records NOMEM, or EXPRESSION for
   number text that is not a DynamoDB number). */
OLOCK_API const olock_value *olock_expr_s(olock_expr *e, const char *s);           /* S */
OLOCK_API const olock_value *olock_expr_n(olock_expr *e, const char *number_text); /* N */
OLOCK_API const olock_value *olock_expr_i64(olock_expr *e, int64_t v);             /* N */
OLOCK_API const olock_value *olock_expr_bool(olock_expr *e, int b);                /* BOOL */

/* ---- Paths ----------------------------------------------------------------------------------- */

/* Path text naming the top-level attribute `name` taken literally (dots, brackets, spaces,
   backticks and all): quoted with backticks when needed. In the builder's arena; NULL on
   error (empty name, invalid UTF-8). */
OLOCK_API const char *olock_path_name(olock_expr *e, const char *name);
/* Path text for member `name` (literal) of the map at path text `parent`. */
OLOCK_API const char *olock_path_key(olock_expr *e, const char *parent, const char *name);
/* Path text for element `index` (0 .. OLOCK_PATH_MAX_INDEX) of the list at `parent`. */
OLOCK_API const char *olock_path_index(olock_expr *e, const char *parent, int64_t index);

/* ---- Operands (the general form; most callers use the shorthands below) ---------------------- */

/* Each returns a handle in the builder's arena, or NULL on error. */
OLOCK_API const olock_operand *olock_operand_path(olock_expr *e, const char *path);
OLOCK_API const olock_operand *olock_operand_value(olock_expr *e, const olock_value *v); /* copied */
OLOCK_API const olock_operand *olock_operand_size(olock_expr *e, const char *path);      /* size(path) */
/* SET only: if_not_exists(path, fallback), list_append(a, b), a + b, a - b. */
OLOCK_API const olock_operand *olock_operand_if_not_exists(olock_expr *e, const char *path, const olock_operand *fallback);
OLOCK_API const olock_operand *olock_operand_list_append(olock_expr *e, const olock_operand *a, const olock_operand *b);
OLOCK_API const olock_operand *olock_operand_plus(olock_expr *e, const olock_operand *a, const olock_operand *b);
OLOCK_API const olock_operand *olock_operand_minus(olock_expr *e, const olock_operand *a, const olock_operand *b);

/* ---- Conditions (for olock_expr_add_condition and olock_expr_add_filter) --------------------- */

/* Every constructor returns a handle in the builder's arena, or NULL on error (recorded).
   A handle can be used in several places of the same request. Values are copied. */

/* path <op> value. Ordering operators (< <= > >=) need an N, S or B value. */
OLOCK_API const olock_cond *olock_cond_cmp(olock_expr *e, const char *path, olock_cmp op, const olock_value *v);
OLOCK_API const olock_cond *olock_cond_eq(olock_expr *e, const char *path, const olock_value *v);
OLOCK_API const olock_cond *olock_cond_ne(olock_expr *e, const char *path, const olock_value *v);
OLOCK_API const olock_cond *olock_cond_lt(olock_expr *e, const char *path, const olock_value *v);
OLOCK_API const olock_cond *olock_cond_le(olock_expr *e, const char *path, const olock_value *v);
OLOCK_API const olock_cond *olock_cond_gt(olock_expr *e, const char *path, const olock_value *v);
OLOCK_API const olock_cond *olock_cond_ge(olock_expr *e, const char *path, const olock_value *v);
/* path <op> other_path (two distinct paths, as DynamoDB requires). */
OLOCK_API const olock_cond *olock_cond_cmp_path(olock_expr *e, const char *path, olock_cmp op, const char *other_path);
/* size(path) <op> value. */
OLOCK_API const olock_cond *olock_cond_size_cmp(olock_expr *e, const char *path, olock_cmp op, const olock_value *v);
/* a <op> b for any operands (path, value, size). */
OLOCK_API const olock_cond *olock_cond_compare(olock_expr *e, const olock_operand *a, olock_cmp op, const olock_operand *b);

/* path BETWEEN lo AND hi: N, S or B values of one type with lo <= hi. */
OLOCK_API const olock_cond *olock_cond_between(olock_expr *e, const char *path, const olock_value *lo, const olock_value *hi);
OLOCK_API const olock_cond *olock_cond_between_operands(olock_expr *e, const olock_operand *a,
                                                        const olock_operand *lo, const olock_operand *hi);
/* path IN (values[0], ...): 1 .. OLOCK_EXPR_MAX_IN values (LIMIT beyond). */
OLOCK_API const olock_cond *olock_cond_in(olock_expr *e, const char *path, const olock_value *const *values, size_t count);
OLOCK_API const olock_cond *olock_cond_in_operands(olock_expr *e, const olock_operand *a,
                                                   const olock_operand *const *list, size_t count);

OLOCK_API const olock_cond *olock_cond_attribute_exists(olock_expr *e, const char *path);
OLOCK_API const olock_cond *olock_cond_attribute_not_exists(olock_expr *e, const char *path);
/* attribute_type(path, :v) with :v the type name ("S", "N", "M", ...). */
OLOCK_API const olock_cond *olock_cond_attribute_type(olock_expr *e, const char *path, olock_type t);
/* begins_with(path, prefix): prefix S or B. */
OLOCK_API const olock_cond *olock_cond_begins_with(olock_expr *e, const char *path, const olock_value *prefix);
/* contains(path, operand): a substring, or a member of a set or list. */
OLOCK_API const olock_cond *olock_cond_contains(olock_expr *e, const char *path, const olock_value *operand);
OLOCK_API const olock_cond *olock_cond_begins_with_operands(olock_expr *e, const olock_operand *a, const olock_operand *b);
OLOCK_API const olock_cond *olock_cond_contains_operands(olock_expr *e, const olock_operand *a, const olock_operand *b);

/* a AND b, a OR b, NOT a. Parentheses are written where precedence needs them. */
OLOCK_API const olock_cond *olock_cond_and(olock_expr *e, const olock_cond *a, const olock_cond *b);
OLOCK_API const olock_cond *olock_cond_or(olock_expr *e, const olock_cond *a, const olock_cond *b);
OLOCK_API const olock_cond *olock_cond_not(olock_expr *e, const olock_cond *a);
/* A condition written by hand with the caller's own placeholders (see olock_expr_add_maps).
   Copied; always parenthesised when combined. Its placeholders must be defined in the maps. */
OLOCK_API const olock_cond *olock_cond_raw(olock_expr *e, const char *text);

/* ---- What the request uses ------------------------------------------------------------------- */

/* ANDs `c` onto the request's ConditionExpression (sets it when there is none yet). This is
   how the versioned engine adds its version check to the caller's condition. */
OLOCK_API void olock_expr_add_condition(olock_expr *e, const olock_cond *c);
/* ANDs `c` onto the request's FilterExpression (Query, Scan). */
OLOCK_API void olock_expr_add_filter(olock_expr *e, const olock_cond *c);
/* Adds `path` to the ProjectionExpression. Overlapping paths ("a" and "a.b") are rejected
   at render time, as DynamoDB rejects them. */
OLOCK_API void olock_expr_add_projection(olock_expr *e, const char *path);
/* The caller's own placeholder maps (M values: "#x" -> S, ":x" -> value; either may be NULL),
   used by olock_cond_raw / olock_expr_update_raw text. Copied; may be called several times (a
   key given twice must map to equal values). Generated placeholders skip the numbers these
   maps use. At render time every placeholder in raw text must be defined, and every entry
   must be used by some raw text (DynamoDB rejects unused entries). */
OLOCK_API void olock_expr_add_maps(olock_expr *e, const olock_value *names, const olock_value *values);

/* ---- Key conditions (Query) ------------------------------------------------------------------ */

/* Key attribute names are literal top-level names, not path text. */
/* partition_key = v (S, N or B). Required once a sort-key condition is given. */
OLOCK_API void olock_key_partition_eq(olock_expr *e, const char *name, const olock_value *v);
/* sort_key <op> v, op one of EQ LT LE GT GE. At most one sort-key condition. */
OLOCK_API void olock_key_sort_cmp(olock_expr *e, const char *name, olock_cmp op, const olock_value *v);
OLOCK_API void olock_key_sort_between(olock_expr *e, const char *name, const olock_value *lo, const olock_value *hi);
OLOCK_API void olock_key_sort_begins_with(olock_expr *e, const char *name, const olock_value *prefix);

/* ---- Updates --------------------------------------------------------------------------------- */

/* Actions render as "SET a, b REMOVE c ADD d DELETE e": clauses in that order, actions in
   call order within a clause. Two actions on the same or overlapping paths ("a" and "a.b",
   "l" and "l[0]"; not "l[0]" and "l[1]") are rejected at render time. */

/* SET path = v. */
OLOCK_API void olock_expr_set(olock_expr *e, const char *path, const olock_value *v);
/* SET path = operand (any SET operand: path, value, if_not_exists, list_append, +, -). */
OLOCK_API void olock_expr_set_operand(olock_expr *e, const char *path, const olock_operand *v);
/* SET path = src + v / src - v, v a number; src NULL means `path` itself (a counter). */
OLOCK_API void olock_expr_set_plus(olock_expr *e, const char *path, const char *src, const olock_value *v);
OLOCK_API void olock_expr_set_minus(olock_expr *e, const char *path, const char *src, const olock_value *v);
/* SET path = if_not_exists(src, v); src NULL means `path`. */
OLOCK_API void olock_expr_set_if_not_exists(olock_expr *e, const char *path, const char *src, const olock_value *v);
/* SET path = list_append(src, list) (append) / list_append(list, src) (prepend); `list` is
   an L value; src NULL means `path`. */
OLOCK_API void olock_expr_list_append(olock_expr *e, const char *path, const char *src, const olock_value *list);
OLOCK_API void olock_expr_list_prepend(olock_expr *e, const char *path, const olock_value *list, const char *src);
/* REMOVE path. */
OLOCK_API void olock_expr_remove(olock_expr *e, const char *path);
/* ADD path v: v is N (add to a number) or SS/NS/BS (add members). */
OLOCK_API void olock_expr_add_to(olock_expr *e, const char *path, const olock_value *v);
/* DELETE path v: v is SS/NS/BS (remove members). */
OLOCK_API void olock_expr_delete_from(olock_expr *e, const char *path, const olock_value *v);
/* An update written by hand ("SET #a = :x REMOVE b"), with the caller's placeholders. Its
   actions are merged into the builder's clauses (DynamoDB allows each clause once) in call
   order, and their target paths take part in the overlap check. */
OLOCK_API void olock_expr_update_raw(olock_expr *e, const char *text);

/* ---- Rendering ------------------------------------------------------------------------------- */

/* Validates everything and writes the expression strings and maps into *out (on success
   only). Returns the sticky error if there is one (detail in err), else OK or the first
   validation failure (which then becomes sticky). May be called again after more calls. */
OLOCK_API olock_result olock_expr_render(olock_expr *e, olock_expr_output *out, olock_error *err);
/* Renders and fills condition, update, projection, names and values of `r` (NULL where
   unused). INVALID_ARG when a key condition or filter was given: they belong to a query. */
OLOCK_API olock_result olock_expr_render_item(olock_expr *e, olock_item_request *r, olock_error *err);
/* Renders and fills key_condition, filter, projection, names and values of `r`.
   INVALID_ARG when a condition or update was given. */
OLOCK_API olock_result olock_expr_render_query(olock_expr *e, olock_query_request *r, olock_error *err);
