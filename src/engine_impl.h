/* =============================================================================================
   >>engine (implementation)
   ========================================================================================== */

/* Private names later parts may use: typed records (>>records) are olock_update and
   olock_update_many with a struct in place of an item, so they begin the same operations
   (olock__begin_update, olock__begin_update_many; olock__task_begin_failed when a task cannot
   begin one), run them blocking the same way (olock__blocking_task, olock__begin_failed), and
   give the reason when their mutate function aborts (olock__mutate_abort_reason). */

/* ---- versioned engine: expressions and items ---------------------------------------------- */

#define OLOCK__WRITER_LEN 12

OLOCK_API olock_result olock_item_version(const olock_value *item, const olock_versioning *v, uint64_t *out) {
    olock_versioning d = olock__versioning_fill(v);
    const olock_value *a;
    uint64_t n;
    olock_result r;
    if (!item || !out || item->type != OLOCK_TYPE_M) return OLOCK_ERR_INVALID_ARG;
    a = olock_map_get(item, d.attribute, strlen(d.attribute));
    if (!a) {
        *out = d.start_at;
        return OLOCK_OK;
    }
    if (a->type != OLOCK_TYPE_N) return OLOCK_ERR_TYPE;
    r = olock_value_get_u64(a, &n);
    if (r != OLOCK_OK) return r;
    *out = n;
    return OLOCK_OK;
}

static int olock__has_reserved_placeholder(const olock_value *map) {
    const olock_value *m;
    if (!map) return 0;
    for (m = map->first; m; m = m->next)
        if (m->key_len >= 7 && (memcmp(m->key, "#olock_", 7) == 0 || memcmp(m->key, ":olock_", 7) == 0)) return 1;
    return 0;
}

/* A new map holding the members of src (shallow: member values are shared, the chain is new). */
static olock_value *olock__map_clone(olock_arena *a, const olock_value *src) {
    olock_value *m = olock_value_new_container(a, OLOCK_TYPE_M);
    const olock_value *s;
    if (!m || !src) return m;
    for (s = src->first; s; s = s->next) {
        olock_value *c = (olock_value *)olock_arena_alloc(a, sizeof *c);
        if (!c) return NULL;
        *c = *s;
        c->next = NULL;
        if (m->last) m->last->next = c;
        else m->first = c;
        m->last = c;
        m->count++;
    }
    return m;
}

/* Where a caller's expression refers to one of olock's own attributes. */
typedef struct olock__touch {
    const char *attr; /* the attribute (the version or the ledger attribute's name) */
    const char *tok;  /* as written: the name itself or a #placeholder */
    size_t tok_len;
    const char *clause; /* update: "sets", "removes", "adds to", "deletes from"; condition: "reads" */
} olock__touch;

/* Whether the word p[0..n) is update clause keyword; its verb for messages. */
static const char *olock__clause_verb(const char *p, size_t n) {
    static const char *const words[] = { "SET", "REMOVE", "ADD", "DELETE" };
    static const unsigned char lens[] = { 3, 6, 3, 6 };
    static const char *const verbs[] = { "sets", "removes", "adds to", "deletes from" };
    size_t i, k;
    for (i = 0; i < 4; i++) {
        if (lens[i] != n) continue;
        for (k = 0; k < n && olock__ascii_lower((unsigned char)p[k]) == olock__ascii_lower((unsigned char)words[i][k]); k++) {}
        if (k == n) return verbs[i];
    }
    return NULL;
}

/* Whether the first element of a path, p[0..n) as written, names `attr` (len bytes): directly,
   or through the #placeholder's entry in `names`. */
static int olock__path_head_is(const char *p, size_t n, const olock_value *names, const char *attr, size_t len) {
    const olock_value *v;
    if (p[0] != '#') return n == len && memcmp(p, attr, n) == 0;
    v = names && names->type == OLOCK_TYPE_M ? olock_map_get(names, p, n) : NULL;
    return v && v->type == OLOCK_TYPE_S && v->len == len && memcmp(v->str, attr, len) == 0;
}

/* Whether a caller's update expression (is_update) or condition refers to attrs[0] or attrs[1]
   (olock's version and ledger attributes, attr_len[i] bytes; 0 bytes: skipped): for an update, as the target
   of a SET, REMOVE, ADD or DELETE (reading it on the right of '=' is harmless); for a
   condition, anywhere. Top-level paths only (`m.version` is another attribute). A lexical
   scan, not a parse: what it cannot read, DynamoDB rejects anyway. */
static int olock__expr_touches(const char *expr, int is_update, const olock_value *names, const char *const attrs[2],
                               const size_t attr_len[2], olock__touch *out) {
    const char *p = expr, *clause = is_update ? NULL : "reads";
    int depth = 0, target = 0, nested = 0;
    size_t i;
    if (!expr) return 0;
    while (*p) {
        char ch = *p;
        if (ch == '#' || ch == '_' || (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z')) {
            const char *tok = p, *q, *verb;
            int is_target = target, is_nested = nested;
            size_t n;
            for (p++; *p == '_' || (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || olock__is_digit(*p); p++) {}
            n = (size_t)(p - tok);
            target = nested = 0;
            for (q = p; *q == ' ' || *q == '\t' || *q == '\r' || *q == '\n'; q++) {}
            if (*q == '(' || is_nested) continue; /* a function, or a member of a map */
            if (is_update && depth == 0 && tok[0] != '#' && (verb = olock__clause_verb(tok, n)) != NULL) {
                clause = verb;
                target = 1;
                continue;
            }
            if (is_update && !is_target) continue;
            for (i = 0; i < 2; i++) {
                if (!attr_len[i] || !olock__path_head_is(tok, n, names, attrs[i], attr_len[i])) continue;
                out->attr = attrs[i];
                out->tok = tok;
                out->tok_len = n;
                out->clause = clause ? clause : "sets";
                return 1;
            }
            continue;
        }
        if (ch == ':') { /* a value placeholder */
            for (p++; *p == '_' || (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || olock__is_digit(*p); p++) {}
            target = nested = 0;
            continue;
        }
        if (ch == '(') depth++;
        else if (ch == ')') depth--;
        else if (ch == ',') target = depth == 0 && clause != NULL && is_update;
        else if (ch == '.') nested = 1;
        else if (ch != ' ' && ch != '\t' && ch != '\r' && ch != '\n' && ch != '[' && ch != ']' && !olock__is_digit(ch))
            target = nested = 0;
        p++;
    }
    return 0;
}

/* ---- versioned engine: tasks ------------------------------------------------------------------ */

enum { OLOCK__K_NONE,
       OLOCK__K_PUT,
       OLOCK__K_UPDATE,
       OLOCK__K_DELETE,
       OLOCK__K_RMW,
       OLOCK__K_TXN,
       OLOCK__K_MANY };
/* What the request being built or sent is for:
   READ    the item(s) to change (olock_update, olock_update_many);
   WRITE   the versioned write (or transaction);
   SETTLE  a consistent read after a write: the stored item settles a write in doubt, or stands
           in for the ALL_OLD item a server did not return with a conflict;
   PROBE   a put in doubt, resent under an always-false condition: it cannot apply, and the
           stored item it returns settles the first copy. */
enum { OLOCK__PH_IDLE,
       OLOCK__PH_READ,
       OLOCK__PH_WRITE,
       OLOCK__PH_SETTLE,
       OLOCK__PH_PROBE,
       OLOCK__PH_DONE };

typedef struct olock__txn_action {
    olock_txn_kind kind;
    char *table;
    olock_value *key;  /* update / delete / check */
    olock_value *item; /* put */
    char *update, *condition;
    olock_value *names, *values;
    uint64_t expected, new_version;
    const char *reason;       /* cancellation code after a failed commit */
    const olock_value *basis; /* olock_update_many: the item as read (its ledger head is required) */
} olock__txn_action;

struct olock_txn {
    olock_client *c;
    olock_arena arena; /* copies of everything added */
    olock__txn_action *actions;
    size_t count, cap;
    olock_result sticky; /* first failure of an add */
};

/* The rendering of a versioned update kept for the next one (olock__kept_use): the inputs it
   was made from (key), its texts and names map, and a recipe for its values map. */
enum { OLOCK__KEPT_CALLER, /* the caller's value of the same placeholder */
       OLOCK__KEPT_EXPECTED,
       OLOCK__KEPT_VERSION,
       OLOCK__KEPT_LEDGER };
typedef struct olock__kept_value {
    const char *key;
    size_t key_len;
    int from; /* OLOCK__KEPT_* */
} olock__kept_value;
typedef struct olock__kept {
    olock_buf key;     /* the serialized inputs (olock__kept_inputs); empty: nothing kept */
    olock_arena arena; /* what the members below point to */
    const char *update, *condition;
    const olock_value *names;
    olock__kept_value *values;
    size_t value_count;
    /* The body of the last write made with this rendering, up to its values member, and what
       that piece was made from besides the rendering (olock__body_key): a write with the same
       takes the piece as it is (olock__kept_body). Empty: none. */
    olock_buf body;
    olock_buf body_key;
} olock__kept;

struct olock_task {
    /* What the task owns across operations (olock__task_reset keeps it). */
    olock_client *c;
    olock__exchange x;
    olock_arena scratch;                /* request building; reset per request */
    olock_expr *ex;                     /* the write's expressions (made on first use; reset per request) */
    olock_arena cur_arena;              /* the current item(s) */
    olock_item *work;                   /* the caller's mutable copy (olock_update) */
    char writer[OLOCK__WRITER_LEN + 1]; /* this task's writer id in item ledgers */
    uint64_t seq;                       /* this task's operation number, in its ledger entries */
    olock_item **items;                 /* olock_update_many's items, flags and versions (up to 100, made on first use) */
    int *exists;
    olock_mutation *each;
    uint64_t *versions;
    olock__kept kept; /* the last versioned update's rendering (olock__kept_use) */

    /* The operation: everything from `kind` on is zeroed when one begins (err only emptied). */
    int kind, phase;
    int need_build; /* build the phase's request before the next send */
    int in_flight;  /* a request is out; olock_task_complete is due */
    uint64_t wait_until, deadline;
    uint64_t sent_at, rtt; /* when the request went out; the last round trip (ms) */
    int waiting;
    /* inputs */
    olock_item_request req;
    uint64_t expected;
    const char *table;
    const olock_value *key;
    olock_mutate_fn fn;
    olock_mutate_many_fn fn_many;
    void *user;
    olock_txn *txn;
    const olock_key_ref *keys;
    size_t key_count;
    /* progress */
    const olock_value *current; /* olock_update: the stored item, NULL when absent */
    const olock_value *written; /* the item of the PutItem being sent (in scratch) */
    uint64_t cur_version, new_version;
    olock_mutation decision;
    olock_result abort_rc;           /* a mutate function's own reason for aborting (olock__mutate_abort_reason) */
    char inc[OLOCK__WRITER_LEN + 1]; /* incarnation id of the item the current write targets ("" unknown) */
    int inc_fresh;                   /* inc was made by the current write (a create, or a ledger without one) */
    char txn_token[37];
    unsigned sends;          /* sends of the current request */
    unsigned writes;         /* write attempts of the operation (conflict budget) */
    uint64_t first_write_ms; /* when the first write went out (the conflict time budget) */
    int waited;              /* the write now out was sent after a conflict wait */
    unsigned quota_spent;
    int in_doubt; /* a copy of the current write may have been applied, not settled yet */
    int from_cache;
    const olock_value *own_version, *own_ledger; /* what the write being sent stores in olock's attributes (in scratch) */
    const olock_value *own_expected;             /* the version its condition expects, when it names one */
    olock_op op;                                 /* operation of the request being built / sent */
    /* outcome */
    olock_result rc;
    olock_error err;
    olock_write_result result;
};

/* Whether the task's writes are transactions, whose unknown outcomes a resend with the same
   ClientRequestToken settles (a replay), rather than single items settled by reading. */
static int olock__by_token(const olock_task *t) {
    return t->kind == OLOCK__K_TXN || t->kind == OLOCK__K_MANY;
}

/* Forgets the last operation; what the task owns (everything above `kind`) stays. */
static void olock__task_reset(olock_task *t) {
    size_t from = offsetof(olock_task, kind), err_at = offsetof(olock_task, err), after = err_at + sizeof t->err;
    memset((char *)t + from, 0, err_at - from);
    olock__error_clear(&t->err); /* its texts are read up to their NULs: emptying them is enough */
    memset((char *)t + after, 0, sizeof *t - after);
    olock_arena_reset(&t->cur_arena);
    t->result.failed_action = (size_t)-1;
}

/* Writer ids and transaction tokens must be unique across clients and processes, so they
   come from the client's own OS-seeded generator, never from the (test-replaceable) random hook. */
static void olock__new_token(olock_task *t, char *out, size_t len) {
    static const char digits[] = "0123456789abcdefghijklmnopqrstuvwxyz";
    size_t i;
    uint64_t r = 0;
    for (i = 0; i < len; i++) {
        if (i % 12 == 0) r = olock__xorshift(&t->c->rng);
        out[i] = digits[r % 36];
        r /= 36;
    }
    out[len] = 0;
}

static void olock__many_free(olock_task *t) {
    size_t i;
    if (t->items) {
        for (i = 0; i < 100; i++) olock_item_destroy(t->items[i]);
        olock__free(&t->c->alloc, t->items, sizeof *t->items * 100);
    }
    olock__free(&t->c->alloc, t->exists, sizeof *t->exists * 100);
    olock__free(&t->c->alloc, t->each, sizeof *t->each * 100);
    olock__free(&t->c->alloc, t->versions, sizeof *t->versions * 100);
    t->items = NULL;
    t->exists = NULL;
    t->each = NULL;
    t->versions = NULL;
}

OLOCK_API void olock_task_destroy(olock_task *t) {
    olock_allocator a;
    if (!t) return;
    a = t->c->alloc;
    olock__many_free(t);
    olock__exchange_free(&t->x);
    olock_arena_free(&t->scratch);
    olock_buf_free(&t->kept.key);
    olock_arena_free(&t->kept.arena);
    olock_buf_free(&t->kept.body);
    olock_buf_free(&t->kept.body_key);
    olock_expr_destroy(t->ex);
    olock_arena_free(&t->cur_arena);
    olock_item_destroy(t->work);
    olock__free(&a, t, sizeof *t);
}

OLOCK_API olock_result olock_task_create(olock_client *c, olock_task **out) {
    olock_task *t;
    if (!c || !out) return OLOCK_ERR_INVALID_ARG;
    t = (olock_task *)olock__alloc(&c->alloc, sizeof *t);
    if (!t) return OLOCK_ERR_NOMEM;
    memset(t, 0, sizeof *t);
    t->c = c;
    olock__exchange_init(&t->x, &c->alloc, c->x.res.body.max);
    t->x.item_only = 1; /* the engine reads decoded.item, never decoded.json */
    olock_arena_init(&t->scratch, &c->alloc);
    olock_buf_init(&t->kept.key, &c->alloc);
    olock_arena_init(&t->kept.arena, &c->alloc);
    olock_buf_init(&t->kept.body, &c->alloc);
    olock_buf_init(&t->kept.body_key, &c->alloc);
    olock_arena_init(&t->cur_arena, &c->alloc);
    if (olock_item_create(&c->alloc, &t->work) != OLOCK_OK) {
        olock_task_destroy(t);
        return OLOCK_ERR_NOMEM;
    }
    olock__new_token(t, t->writer, OLOCK__WRITER_LEN);
    t->phase = OLOCK__PH_DONE;
    t->rc = OLOCK_ERR_INVALID_ARG;
    *out = t;
    return OLOCK_OK;
}

/* The operation's error becomes rc with msg (DynamoDB's words of the last exchange go; its
   status and the attempt count stay). */
static void olock__task_error(olock_task *t, olock_result rc, const char *msg) {
    unsigned attempts = t->err.attempts;
    int status = t->err.http_status;
    olock__error_clear(&t->err);
    olock__error_set(&t->err, rc, "%s", msg);
    t->err.attempts = attempts;
    t->err.http_status = status;
}

/* A request could not be built: the reason goes into the task's error, and olock_task_poll
   ends the operation with rc. Builders return this instead of ending the task themselves. */
static olock_result olock__build_failed(olock_task *t, olock_result rc, const char *msg) {
    olock__task_error(t, rc, msg);
    return rc;
}

/* Called by a mutate function that is about to return OLOCK_MUTATE_ABORT (a typed record's
   stored value that does not decode): the operation ends with rc and msg rather than
   OLOCK_ERR_ABORTED. The function gives the reason; the engine, as for every other ending,
   finishes the task once the function has returned. */
static void olock__mutate_abort_reason(olock_task *t, olock_result rc, const char *msg) {
    t->abort_rc = rc;
    olock__task_error(t, rc, msg);
}

/* Ends the operation with rc; the error detail keeps what the last exchange said unless msg.
   This is where the outcome model is enforced: while a copy of the current write may have been
   applied (t->in_doubt), no ending other than OK reaches the caller as anything but
   OLOCK_ERR_MAYBE_SENT, whatever stopped the operation; the message keeps the cause. */
static void olock__task_finish(olock_task *t, olock_result rc, const char *msg) {
    if (t->in_doubt && rc != OLOCK_OK && rc != OLOCK_ERR_MAYBE_SENT) {
        char cause[sizeof t->err.message];
        const char *why = msg ? msg : t->err.message[0] ? t->err.message
                                                        : olock_result_str(rc);
        olock__copy_str(cause, sizeof cause, why, strlen(why));
        olock__error_set(&t->err, OLOCK_ERR_MAYBE_SENT, "the write may have been applied; olock could not settle it (%s: %s)",
                         olock_result_str(rc), cause);
        t->err.error_class = OLOCK_CLASS_TRANSIENT;
        rc = OLOCK_ERR_MAYBE_SENT;
        msg = NULL;
    }
    t->phase = OLOCK__PH_DONE;
    t->rc = rc;
    t->in_flight = 0;
    t->waiting = 0;
    if (msg) olock__task_error(t, rc, msg);
    t->err.code = rc;
    if (rc == OLOCK_OK) {
        t->err.error_class = OLOCK_CLASS_NONE;
        t->err.aws_type[0] = 0;
        t->err.message[0] = 0;
    }
}


static olock_result olock__task_begin(olock_task *t, int kind) {
    if (!t) return OLOCK_ERR_INVALID_ARG;
    if (t->phase != OLOCK__PH_DONE && t->phase != OLOCK__PH_IDLE) return OLOCK_ERR_INVALID_ARG;
    olock__task_reset(t);
    t->kind = kind;
    t->need_build = 1;
    t->rc = OLOCK_OK;
    t->seq++;
    if (t->c->retry.deadline_ms) t->deadline = olock_client_now_ms(t->c) + t->c->retry.deadline_ms;
    return OLOCK_OK;
}

/* olock's two attributes as path text (made once by the client). */
static const char *olock__version_path(olock_task *t, olock_expr *e) {
    return t->c->version_path ? t->c->version_path : olock_path_name(e, t->c->versioning.attribute);
}
static const char *olock__token_path(olock_task *t, olock_expr *e) {
    return t->c->token_path ? t->c->token_path : olock_path_name(e, t->c->versioning.token_attribute);
}
static const char *olock__token_head_path(olock_task *t, olock_expr *e) {
    return t->c->token_head_path ? t->c->token_head_path : olock_path_index(e, olock__token_path(t, e), 0);
}

/* The version condition of a write that expects version `expected`: the item holds it, or
   (expected = start_at) has no version yet: a create, or in permissive mode an item written
   by another mapper. */
static const olock_cond *olock__version_cond(olock_task *t, olock_expr *e, uint64_t expected) {
    const olock_versioning *v = &t->c->versioning;
    const char *ver = olock__version_path(t, e);
    const olock_cond *absent = NULL, *at = NULL;
    if (expected == v->start_at) absent = olock_cond_attribute_not_exists(e, ver);
    if (expected == v->start_at && !v->permissive) return absent;
    t->own_expected = olock_value_new_u64(olock_expr_arena(e), expected);
    at = olock_cond_eq(e, ver, t->own_expected);
    return absent ? olock_cond_or(e, absent, at) : at;
}

/* A condition that never holds, for a probe: the write fails and DynamoDB returns the stored
   item (ReturnValuesOnConditionCheckFailure), which settles a create in doubt without risking
   a second copy. */
static const olock_cond *olock__probe_cond(olock_task *t, olock_expr *e) {
    const char *ver = olock__version_path(t, e);
    return olock_cond_and(e, olock_cond_attribute_not_exists(e, ver), olock_cond_attribute_exists(e, ver));
}

/* expected + increment_by, or RANGE. */
static olock_result olock__next_version(const olock_versioning *v, uint64_t expected, uint64_t *out) {
    if (expected > UINT64_MAX - v->increment_by) return OLOCK_ERR_RANGE;
    *out = expected + v->increment_by;
    return OLOCK_OK;
}

/* ---- the writer ledger: settling unknown outcomes exactly --------------------------------

   A write whose response was lost may or may not have been applied. Resending it is safe (it
   carries the same version condition, so at most one copy applies), but when the resend meets
   a conflict the engine must know whether the conflict is its own first copy. Each item keeps
   a ledger: a list whose first element "@B" says "every write that produced a version above B
   is recorded here", then one "W:S:V" element per writer W (a task), with S the number of that
   writer's latest operation on the item and V the version it wrote. An operation (W, S) whose
   write would have produced version N was applied exactly when the ledger holds W:S; when it
   does not and B < N, it certainly was not; when B >= N the entry may have been pushed out by
   token_history newer writers, and the engine says OLOCK_ERR_MAYBE_SENT rather than guess.

   Versions and ledgers start again when an item is deleted and created anew, so the head also
   names the item's incarnation: "@B:I", I a random id made by the write that created the item
   (or the first write that found a ledger without one) and carried by every later write that
   knows the ledger. A write based on an item it read also requires the head it read
   (#tok[0] = :head): a version that came back after a delete and re-create is then a conflict,
   not a match. A write in doubt is judged only against an item of the incarnation it wrote; an
   item of another incarnation says nothing about it (OLOCK_ERR_MAYBE_SENT unless our entry is
   there). Heads written before incarnations ("@B") still read. */

typedef struct olock__ledger_entry {
    const char *s;
    size_t n;
    uint64_t version;
} olock__ledger_entry;

/* Parses "W:S:V"; 0 if malformed. */
static int olock__ledger_parse(const olock_value *e, olock__ledger_entry *out) {
    const char *p, *end;
    if (e->type != OLOCK_TYPE_S || e->len < OLOCK__WRITER_LEN + 4 || e->str[OLOCK__WRITER_LEN] != ':') return 0;
    end = e->str + e->len;
    p = (const char *)memchr(e->str + OLOCK__WRITER_LEN + 1, ':', e->len - OLOCK__WRITER_LEN - 1);
    if (!p || !olock__u64_parse(p + 1, (size_t)(end - p - 1), &out->version)) return 0;
    out->s = e->str;
    out->n = e->len;
    return 1;
}

/* The head of a ledger: "@B" or "@B:I". */
typedef struct olock__ledger_head {
    uint64_t base;
    const char *inc;
    size_t inc_len;
} olock__ledger_head;

/* Parses the head of ledger l; 0 when there is no usable ledger. */
static int olock__ledger_head_of(const olock_value *l, olock__ledger_head *out) {
    const char *p;
    size_t i, n;
    if (!l || l->type != OLOCK_TYPE_L || !l->first || l->first->type != OLOCK_TYPE_S || l->first->len < 2 || l->first->str[0] != '@') return 0;
    p = l->first->str;
    n = l->first->len;
    for (i = 1; i < n && p[i] != ':'; i++) {}
    if (!olock__u64_parse(p + 1, i - 1, &out->base)) return 0;
    out->inc = i < n ? p + i + 1 : "";
    out->inc_len = i < n ? n - i - 1 : 0;
    if (out->inc_len != 0 && out->inc_len != OLOCK__WRITER_LEN) return 0;
    return 1;
}

/* The ledger of a stored item under the client's versioning, or NULL. */
static const olock_value *olock__ledger_of(const olock_task *t, const olock_value *item) {
    const char *name = t->c->versioning.token_attribute;
    return item && *name ? olock_map_get(item, name, strlen(name)) : NULL;
}

/* "W:S:V" of this task's current operation. */
static size_t olock__ledger_mine(olock_task *t, uint64_t version, char *out) {
    size_t n = OLOCK__WRITER_LEN;
    memcpy(out, t->writer, OLOCK__WRITER_LEN);
    out[n++] = ':';
    n += olock__u64_text(t->seq, out + n);
    out[n++] = ':';
    n += olock__u64_text(version, out + n);
    return n;
}

/* The ledger to store with a write producing `version` on top of `prev` (the stored item's
   ledger, or NULL when unknown: then the new ledger is complete from `base` on), its head
   naming t->inc (olock__target_incarnation). */
static olock_value *olock__ledger_next(olock_task *t, olock_arena *a, const olock_value *prev, uint64_t base, uint64_t version) {
    olock__ledger_entry keep[64];
    size_t n = 0, i, k, mlen;
    unsigned cap = t->c->versioning.token_history;
    olock_value *l = olock_value_new_container(a, OLOCK_TYPE_L), *v;
    char mine[OLOCK__WRITER_LEN + 2 * OLOCK__U64_TEXT + 2], head[OLOCK__U64_TEXT + OLOCK__WRITER_LEN + 2];
    olock__ledger_head h;
    int ok = prev && olock__ledger_head_of(prev, &h);
    const olock_value *m;
    if (!l) return NULL;
    if (ok) base = h.base;
    if (ok) {
        for (m = prev->first->next; m && n < 64; m = m->next) {
            olock__ledger_entry e;
            if (!olock__ledger_parse(m, &e)) continue;
            if (memcmp(e.s, t->writer, OLOCK__WRITER_LEN) == 0) continue; /* ours is replaced */
            keep[n++] = e;
        }
    }
    /* Make room for ours: drop the oldest entries; the base then covers what they covered. */
    while (n + 1 > cap) {
        size_t oldest = 0;
        for (i = 1; i < n; i++)
            if (keep[i].version < keep[oldest].version) oldest = i;
        if (keep[oldest].version > base) base = keep[oldest].version;
        for (i = oldest; i + 1 < n; i++) keep[i] = keep[i + 1];
        n--;
    }
    head[0] = '@';
    k = 1 + olock__u64_text(base, head + 1);
    head[k++] = ':';
    memcpy(head + k, t->inc, OLOCK__WRITER_LEN);
    k += OLOCK__WRITER_LEN;
    v = olock_value_new_s(a, head, k);
    if (!v) return NULL;
    olock_list_append(l, v);
    for (i = 0; i < n; i++) {
        v = olock_value_new_s(a, keep[i].s, keep[i].n);
        if (!v) return NULL;
        olock_list_append(l, v);
    }
    mlen = olock__ledger_mine(t, version, mine);
    v = olock_value_new_s(a, mine, mlen);
    if (!v) return NULL;
    olock_list_append(l, v);
    return l;
}

enum { OLOCK__NOT_APPLIED,
       OLOCK__APPLIED,
       OLOCK__UNKNOWN };

/* Whether this task's current write (which would produce `version`) is in `item`. */
static int olock__ledger_verdict(olock_task *t, const olock_value *item, uint64_t version, const char **why) {
    const olock_value *l = olock__ledger_of(t, item), *m;
    olock__ledger_head h;
    char mine[OLOCK__WRITER_LEN + 2 * OLOCK__U64_TEXT + 2];
    size_t mlen;
    *why = *t->c->versioning.token_attribute
        ? "the write may have been applied: the stored item has no writer ledger to tell"
        : "the write may have been applied, and without the writer ledger olock cannot tell";
    if (!l || !olock__ledger_head_of(l, &h)) return OLOCK__UNKNOWN;
    mlen = olock__ledger_mine(t, version, mine);
    for (m = l->first->next; m; m = m->next)
        if (m->type == OLOCK_TYPE_S && m->len == mlen && memcmp(m->str, mine, mlen) == 0) return OLOCK__APPLIED;
    if (*t->inc) {
        *why = "the write may have been applied: the item there now was created anew since (another incarnation)";
        if (h.inc_len != OLOCK__WRITER_LEN || memcmp(h.inc, t->inc, OLOCK__WRITER_LEN) != 0)
            return OLOCK__UNKNOWN;               /* another incarnation: this ledger cannot speak for our write */
        if (t->inc_fresh) return OLOCK__APPLIED; /* the id our write made is there: it was applied */
    }
    *why = "the write may have been applied: too many other writers since to tell (see versioning.token_history)";
    return h.base < version ? OLOCK__NOT_APPLIED : OLOCK__UNKNOWN;
}

/* The task's expression builder, empty, holding the caller's placeholder maps; NULL with *rc
   when the maps use olock's reserved placeholders (INVALID_ARG) or memory ran out. */
static olock_expr *olock__write_expr(olock_task *t, const olock_value *names, const olock_value *values, olock_result *rc) {
    if (olock__has_reserved_placeholder(names) || olock__has_reserved_placeholder(values)) {
        *rc = olock__build_failed(t, OLOCK_ERR_INVALID_ARG, "placeholders starting with #olock_ or :olock_ are reserved for olock");
        return NULL;
    }
    if (!t->ex && olock_expr_create(&t->c->alloc, &t->ex) != OLOCK_OK) {
        *rc = OLOCK_ERR_NOMEM;
        return NULL;
    }
    olock_expr_reset(t->ex);
    olock_expr_borrow_values(t->ex, 1); /* everything given lives in the request or scratch until it is encoded */
    if (names || values) olock_expr_add_maps(t->ex, names, values);
    return t->ex;
}

/* Whether the task's write is a delete (t->op may name the settling read that followed it). */
static int olock__write_is_delete(const olock_task *t) {
    return t->kind == OLOCK__K_DELETE || (t->kind == OLOCK__K_RMW && t->decision == OLOCK_MUTATE_DELETE);
}

/* The expected version of the write being built or sent. */
static uint64_t olock__write_expected(const olock_task *t) {
    return t->kind == OLOCK__K_RMW ? t->cur_version : t->expected;
}

/* The stored item the task's write is based on, when olock knows it: olock_update's current
   item, or a put's item when it is the version expected (it came from a read). */
static const olock_value *olock__write_basis(const olock_task *t, uint64_t expected) {
    uint64_t version;
    if (t->kind == OLOCK__K_RMW) return t->current;
    if (t->kind == OLOCK__K_PUT && olock_item_version(t->req.item, &t->c->versioning, &version) == OLOCK_OK && version == expected)
        return t->req.item;
    return NULL;
}

/* Chooses the incarnation the task's write targets (t->inc, judged by olock__ledger_verdict):
   the one in basis's ledger head when it names one; else, for a write that stores a ledger, a
   new id (a create, or a ledger without one or unknown: t->inc_fresh); else none (""). */
static void olock__target_incarnation(olock_task *t, const olock_value *basis) {
    const olock_value *l = olock__ledger_of(t, basis);
    olock__ledger_head h;
    t->inc[0] = 0;
    t->inc_fresh = 0;
    if (l && olock__ledger_head_of(l, &h) && h.inc_len) {
        memcpy(t->inc, h.inc, h.inc_len);
        t->inc[h.inc_len] = 0;
    } else if (*t->c->versioning.token_attribute && !olock__write_is_delete(t)) {
        olock__new_token(t, t->inc, OLOCK__WRITER_LEN);
        t->inc_fresh = 1;
    }
}

/* vcond AND "the ledger head is still the one in basis": a version reached again after a
   delete and re-create (another incarnation) is then a conflict. vcond alone when basis has
   no usable ledger. */
static const olock_cond *olock__guard_head(olock_task *t, olock_expr *e, const olock_value *basis, const olock_cond *vcond) {
    const olock_value *l = olock__ledger_of(t, basis);
    olock__ledger_head h;
    if (!l || !olock__ledger_head_of(l, &h)) return vcond;
    return olock_cond_and(e, vcond, olock_cond_eq(e, olock__token_head_path(t, e), l->first));
}

/* How DynamoDB counts olock's own attribute `name` = v against the 400 KB item limit: the
   name's bytes, and a number's (an integer: 1 byte per 2 significant digits, aligned on the
   decimal point, plus 1) or a list of strings' (3, plus each string and 1). */
static size_t olock__own_size(const char *name, const olock_value *v) {
    size_t n = strlen(name), digits, sig;
    const olock_value *m;
    if (v->type == OLOCK_TYPE_N) {
        for (digits = 0; digits < v->len && olock__is_digit(v->str[digits]); digits++) {}
        for (sig = digits; sig > 1 && v->str[sig - 1] == '0'; sig--) {}
        return n + (digits == 1 && v->str[0] == '0' ? 1 : (digits - 1) / 2 - (digits - sig) / 2 + 2);
    }
    if (v->type == OLOCK_TYPE_L) {
        n += 3;
        for (m = v->first; m; m = m->next) n += m->len + 1;
    }
    return n;
}

static int olock__is_size_refusal(const char *message) {
    return message && strstr(message, "Item size") && strstr(message, "exceeded the maximum allowed size");
}

/* The bytes olock's version attribute adds to the item that action i of a transaction writes
   (0: the action writes none). Transactions carry no writer ledger. */
static size_t olock__txn_own_bytes(olock_task *t, size_t i) {
    const olock_versioning *v = &t->c->versioning;
    const olock_value *stored;
    uint64_t nv;
    if (t->kind == OLOCK__K_TXN) {
        if (i >= t->txn->count || (t->txn->actions[i].kind != OLOCK_TXN_PUT && t->txn->actions[i].kind != OLOCK_TXN_UPDATE))
            return 0;
        nv = t->txn->actions[i].new_version;
    } else {
        if (i >= t->key_count || t->each[i] != OLOCK_MUTATE_WRITE || olock__next_version(v, t->versions[i], &nv) != OLOCK_OK)
            return 0;
    }
    stored = olock_value_new_u64(&t->scratch, nv);
    return stored ? olock__own_size(v->attribute, stored) : 0;
}

/* A transaction refused for an item's size: DynamoDB names the action when it cancels (a
   ValidationError reason), not when it refuses the whole request (a put too large). */
static void olock__note_txn_own_bytes(olock_task *t) {
    const olock_response *res = &t->x.decoded;
    size_t n = strlen(t->err.message), i, count = t->kind == OLOCK__K_TXN ? t->txn->count : t->key_count, own, most = 0;
    for (i = 0; i < res->reason_count; i++) {
        if (res->reasons[i].code && strcmp(res->reasons[i].code, "ValidationError") == 0 && olock__is_size_refusal(res->reasons[i].message)) {
            snprintf(t->err.message + n, sizeof t->err.message - n, " (action %lu: %s; olock's version attribute added %lu bytes)",
                     (unsigned long)i, res->reasons[i].message, (unsigned long)olock__txn_own_bytes(t, i));
            return;
        }
    }
    if (strcmp(t->err.aws_type, "ValidationException") != 0 || !olock__is_size_refusal(t->err.message)) return;
    for (i = 0; i < count; i++) {
        own = olock__txn_own_bytes(t, i);
        if (own > most) most = own;
    }
    if (most)
        snprintf(t->err.message + n, sizeof t->err.message - n, " (olock's version attribute added up to %lu bytes to each item written)",
                 (unsigned long)most);
}

/* DynamoDB refused the write for its size: say how much of it is olock's (the version and the
   writer ledger), so that a caller near the limit knows what olock added. */
static void olock__note_own_bytes(olock_task *t) {
    const olock_versioning *v = &t->c->versioning;
    size_t n = strlen(t->err.message), own;
    if (olock__by_token(t)) {
        olock__note_txn_own_bytes(t);
        return;
    }
    if (!t->own_version || strcmp(t->err.aws_type, "ValidationException") != 0 || !olock__is_size_refusal(t->err.message))
        return;
    own = olock__own_size(v->attribute, t->own_version) + (t->own_ledger ? olock__own_size(v->token_attribute, t->own_ledger) : 0);
    snprintf(t->err.message + n, sizeof t->err.message - n, " (olock's version%s added %lu bytes)",
             *v->token_attribute ? " and writer-ledger attributes" : " attribute", (unsigned long)own);
}

/* ---- versioned engine: the kept rendering of a versioned update ----------------------------
   olock_versioned_update is usually called again and again with the same expressions: the
   caller's UpdateExpression and ConditionExpression texts and placeholder maps, olock's
   version condition and SETs. Rendering them gives the same UpdateExpression,
   ConditionExpression and names map every time; only the values differ. A task keeps its
   last versioned update's rendering with everything it was made from, serialized byte for
   byte (the key), and a recipe for its values map: each entry the caller's value of the same
   placeholder, or this write's expected version, new version or ledger. A write with the same
   key takes the texts and names as kept and builds the values map by the recipe; any other
   renders afresh, and is kept in turn. Only the write phase of a versioned update is kept; a
   rendering that failed, or whose maps name a placeholder twice, is not. The body is kept
   too, up to its values member (the last one, >>wire): the next write of the same item with
   the same ReturnValues copies that piece and writes only the values. With
   OLOCK__VERIFY_KEPT (the sanitizer test builds) every use also renders and encodes afresh
   and aborts if the two requests differ. */

/* Appends a length and then n bytes at p; p NULL appends a length no text has. */
static int olock__kept_put(olock_buf *b, const void *p, size_t n) {
    size_t len = p ? n : (size_t)-1, need = sizeof len + (p ? n : 0);
    if (need < n || olock__buf_room(b, need) != OLOCK_OK) return 0;
    memcpy(b->data + b->len, &len, sizeof len);
    if (p && n) memcpy(b->data + b->len + sizeof len, p, n);
    b->len += need;
    return 1;
}

/* Whether what olock__kept_put(p, n) appended at *at in b is there; moves *at past it. Most
   parts are a few bytes (placeholders, names, type tags): those are compared here, a call
   into the C library's memcmp costing more than they do. */
static int olock__kept_is(const olock_buf *b, size_t *at, const void *p, size_t n) {
    size_t len, want = p ? n : (size_t)-1, i;
    const char *x, *y = (const char *)p;
    if (b->len - *at < sizeof len) return 0;
    memcpy(&len, b->data + *at, sizeof len);
    if (len != want) return 0;
    if (p) {
        if (b->len - *at - sizeof len < n) return 0;
        x = b->data + *at + sizeof len;
        if (n > 16) {
            if (memcmp(x, y, n) != 0) return 0;
        } else {
            for (i = 0; i < n; i++)
                if (x[i] != y[i]) return 0;
        }
    }
    *at += sizeof len + (p ? n : 0);
    return 1;
}

/* One part of the serialization a walk over a request writes into b (to_b) or checks against
   b's (at: how far it matched): writing a key and comparing with the kept one are then the
   same code (olock__kept_inputs, olock__body_key, whose locals b, at and to_b it uses). A
   macro, not a function: inlined with to_b known, each walk compiles to one of the two. */
#define OLOCK__KEPT_PART(p, n) (to_b ? olock__kept_put(b, (p), (n)) : olock__kept_is(b, &at, (p), (n)))

/* What a versioned update's rendering is made of besides the client's versioning (fixed for
   the task): the caller's texts, names (placeholders and attribute names) and values
   (placeholders and types), and whether expected is the first version (whether a ledger is
   written is the versioning's). Serialized into b (to_b; 0: this write is not kept: a names
   member that is not S, a placeholder given twice, a map that is not M, no memory), or
   compared with b's serialization in place, nothing written (1: the same). What to_b refuses
   is never in a serialization, so a match needs none of its checks (two members of the same
   name included). */
static int olock__kept_inputs(olock_buf *b, const olock_task *t, const olock_item_request *r, uint64_t expected, int to_b) {
    const olock_value *maps[2], *m, *o;
    unsigned char first = (unsigned char)(expected == t->c->versioning.start_at);
    size_t at = 0;
    int i;
    if (to_b) olock_buf_clear(b);
    if (!OLOCK__KEPT_PART(&first, 1) || !OLOCK__KEPT_PART(r->update, r->update ? strlen(r->update) : 0) ||
        !OLOCK__KEPT_PART(r->condition, r->condition ? strlen(r->condition) : 0))
        return 0;
    maps[0] = r->names;
    maps[1] = r->values;
    for (i = 0; i < 2; i++) {
        if (!maps[i]) {
            if (!OLOCK__KEPT_PART(NULL, 0)) return 0;
            continue;
        }
        if (maps[i]->type != OLOCK_TYPE_M || !OLOCK__KEPT_PART("M", 1)) return 0;
        for (m = maps[i]->first; m; m = m->next) {
            unsigned char type = (unsigned char)m->type;
            if (!m->key) return 0; /* not a map member: the builder refuses it */
            for (o = maps[i]->first; to_b && o != m; o = o->next)
                if (o->key_len == m->key_len && memcmp(o->key, m->key, m->key_len) == 0) return 0;
            if (!OLOCK__KEPT_PART(m->key, m->key_len)) return 0;
            if (i == 0 && (m->type != OLOCK_TYPE_S || !OLOCK__KEPT_PART(m->str, m->len))) return 0;
            if (i == 1 && !OLOCK__KEPT_PART(&type, 1)) return 0;
        }
    }
    return to_b || at == b->len;
}

/* What the body of a kept write holds before its values member besides the rendering:
   ReturnValues, ReturnValuesOnConditionCheckFailure, the table and the key (its members'
   names, types and contents). Serialized into b (to_b), or compared with b's serialization in
   place (nothing written). 0: not the same; or this body is not kept (a key member that is
   not a scalar, no memory). */
static int olock__body_key(olock_buf *b, const olock_item_request *r, int to_b) {
    const olock_value *m;
    unsigned char rv[2];
    size_t at = 0;
    rv[0] = (unsigned char)r->return_values;
    rv[1] = (unsigned char)r->return_values_on_condition_check_failure;
    if (to_b) olock_buf_clear(b);
    if (!r->table || !r->key || r->key->type != OLOCK_TYPE_M || !OLOCK__KEPT_PART(rv, 2) ||
        !OLOCK__KEPT_PART(r->table, strlen(r->table)))
        return 0;
    for (m = r->key->first; m; m = m->next) {
        unsigned char type = (unsigned char)m->type;
        if ((m->type != OLOCK_TYPE_S && m->type != OLOCK_TYPE_N && m->type != OLOCK_TYPE_B) || !m->key ||
            !OLOCK__KEPT_PART(m->key, m->key_len) || !OLOCK__KEPT_PART(&type, 1) || !OLOCK__KEPT_PART(m->str, m->len))
            return 0;
    }
    return to_b || at == b->len;
}
#undef OLOCK__KEPT_PART

/* Whether two values share their contents (one is a shallow copy of the other). */
static int olock__same_payload(const olock_value *x, const olock_value *y) {
    return x && y && x->type == y->type && x->str == y->str && x->len == y->len && x->first == y->first && x->count == y->count;
}

/* Keeps r, just rendered from the caller's request t->req (its values map `given`) for this
   write's expected version, for the next write: nothing is kept when a value of r is neither
   the caller's nor one of this write's own, or when the inputs cannot be kept. */
static void olock__kept_keep(olock_task *t, const olock_value *given, const olock_item_request *r, uint64_t expected) {
    olock__kept *k = &t->kept;
    const olock_value *m;
    size_t i = 0;
    olock_buf_clear(&k->key);
    olock_buf_clear(&k->body); /* made with the rendering this one replaces */
    olock_arena_reset(&k->arena);
    k->update = r->update ? olock_arena_strdup(&k->arena, r->update, strlen(r->update)) : NULL;
    k->condition = r->condition ? olock_arena_strdup(&k->arena, r->condition, strlen(r->condition)) : NULL;
    k->names = r->names ? olock_value_copy(&k->arena, r->names) : NULL;
    k->value_count = r->values ? r->values->count : 0;
    k->values = (olock__kept_value *)olock_arena_alloc(&k->arena, sizeof *k->values * (k->value_count + 1));
    if ((r->update && !k->update) || (r->condition && !k->condition) || (r->names && !k->names) || !k->values) return;
    for (m = r->values ? r->values->first : NULL; m; m = m->next, i++) {
        olock__kept_value *kv = &k->values[i];
        if (olock_map_get(given, m->key, m->key_len)) kv->from = OLOCK__KEPT_CALLER;
        else if (olock__same_payload(m, t->own_expected)) kv->from = OLOCK__KEPT_EXPECTED;
        else if (olock__same_payload(m, t->own_version)) kv->from = OLOCK__KEPT_VERSION;
        else if (olock__same_payload(m, t->own_ledger)) kv->from = OLOCK__KEPT_LEDGER;
        else return;
        kv->key = olock_arena_strdup(&k->arena, m->key, m->key_len);
        kv->key_len = m->key_len;
        if (!kv->key) return;
    }
    if (!olock__kept_inputs(&k->key, t, &t->req, expected, 1)) olock_buf_clear(&k->key); /* nothing kept */
}

/* Fills r's expressions and maps from the kept rendering when it was made from r's inputs: the
   values map by the recipe, from the caller's values `given` and this write's own (expected
   is made here). 0 when nothing matching is kept, or a caller's value is an empty set (the
   builder reports that). */
static int olock__kept_use(olock_task *t, const olock_value *given, olock_item_request *r, uint64_t expected) {
    olock__kept *k = &t->kept;
    const olock_value *m;
    olock_value *values = NULL;
    size_t i;
    if (!k->key.len || !olock__kept_inputs(&k->key, t, r, expected, 0)) return 0;
    for (m = given ? given->first : NULL; m; m = m->next)
        if ((m->type == OLOCK_TYPE_SS || m->type == OLOCK_TYPE_NS || m->type == OLOCK_TYPE_BS) && m->count == 0) return 0;
    if (k->value_count && !(values = olock_value_new_container(&t->scratch, OLOCK_TYPE_M))) return 0;
    for (i = 0; i < k->value_count; i++) {
        const olock__kept_value *kv = &k->values[i];
        const olock_value *src;
        olock_value *node;
        if (kv->from == OLOCK__KEPT_EXPECTED && !t->own_expected) t->own_expected = olock_value_new_u64(&t->scratch, expected);
        src = kv->from == OLOCK__KEPT_CALLER   ? olock_map_get(given, kv->key, kv->key_len)
            : kv->from == OLOCK__KEPT_EXPECTED ? t->own_expected
            : kv->from == OLOCK__KEPT_VERSION  ? t->own_version
                                               : t->own_ledger;
        node = src ? (olock_value *)olock_arena_alloc(&t->scratch, sizeof *node) : NULL;
        if (!node) return 0;
        *node = *src; /* shares src's contents, as the renderer's own entries do */
        node->key = kv->key;
        node->key_len = kv->key_len;
        olock__append_member(values, node);
    }
    r->update = k->update;
    r->condition = k->condition;
    r->projection = NULL; /* as rendering leaves it (olock__check_write_request refuses one) */
    r->names = k->names;
    r->values = values;
    return 1;
}

/* The builder's route for the expressions of the write being built: the caller's
   expressions and placeholders go in as they are, olock's condition is ANDed on and its
   SETs join the caller's SET clause; rendering gives r its strings and maps. */
static olock_result olock__write_render(olock_task *t, olock_item_request *r, uint64_t expected, const olock_value *basis) {
    const olock_cond *vcond;
    olock_expr *e;
    olock_result rc = OLOCK_OK;
    e = olock__write_expr(t, r->names, r->values, &rc);
    if (!e) return rc;
    if (t->phase == OLOCK__PH_PROBE) vcond = olock__probe_cond(t, e);
    else vcond = olock__guard_head(t, e, basis, olock__version_cond(t, e, expected));
    if (r->condition) olock_expr_add_condition(e, olock_cond_raw(e, r->condition));
    olock_expr_add_condition(e, vcond);
    if (t->op == OLOCK_OP_UPDATE_ITEM) {
        if (r->update && *r->update) olock_expr_update_raw(e, r->update);
        olock_expr_set(e, olock__version_path(t, e), t->own_version);
        if (t->own_ledger) olock_expr_set(e, olock__token_path(t, e), t->own_ledger);
    }
    return olock_expr_render_item(e, r, &t->err);
}

#ifdef OLOCK__VERIFY_KEPT
/* Whether two maps hold the same members in the same order. */
static int olock__kept_same_map(const olock_value *x, const olock_value *y) {
    const olock_value *a, *b;
    if (!x || !y) return !x == !y;
    if (x->count != y->count) return 0;
    for (a = x->first, b = y->first; a && b; a = a->next, b = b->next)
        if (a->key_len != b->key_len || memcmp(a->key, b->key, a->key_len) != 0 || !olock_value_equal(a, b)) return 0;
    return !a && !b;
}

static int olock__kept_same_text(const char *x, const char *y) {
    return x && y ? strcmp(x, y) == 0 : x == y;
}

/* The kept rendering in r against a fresh one of the same write; aborts if they differ. */
static void olock__kept_verify(olock_task *t, const olock_item_request *r, uint64_t expected, const olock_value *basis) {
    olock_item_request fresh = t->req;
    const olock_value *own_expected = t->own_expected;
    if (olock__write_render(t, &fresh, expected, basis) != OLOCK_OK || !olock__kept_same_text(r->update, fresh.update) ||
        !olock__kept_same_text(r->condition, fresh.condition) || !olock__kept_same_text(r->projection, fresh.projection) ||
        !olock__kept_same_map(r->names, fresh.names) ||
        !olock__kept_same_map(r->values, fresh.values)) {
        fprintf(stderr, "olock: a kept rendering differs from a fresh one:\n  kept  %s | %s\n  fresh %s | %s\n",
                r->update ? r->update : "-", r->condition ? r->condition : "-", fresh.update ? fresh.update : "-",
                fresh.condition ? fresh.condition : "-");
        abort();
    }
    t->own_expected = own_expected;
}
#endif


#ifdef OLOCK__VERIFY_KEPT
/* A body made from a kept piece against the same request encoded afresh; aborts if they differ. */
static void olock__kept_body_verify(olock_task *t, const olock_item_request *r) {
    olock_buf fresh;
    olock_error e;
    olock_buf_init(&fresh, &t->c->alloc);
    if (olock_encode_item_request(t->op, r, &fresh, &e) != OLOCK_OK || fresh.len != t->x.body.len ||
        memcmp(fresh.data, t->x.body.data, fresh.len) != 0) {
        fprintf(stderr, "olock: a body made from a kept piece differs from a fresh one:\n  kept  %.*s\n  fresh %.*s\n",
                (int)t->x.body.len, t->x.body.data ? t->x.body.data : "", (int)fresh.len, fresh.data ? fresh.data : "");
        abort();
    }
    olock_buf_free(&fresh);
}
#endif

/* The body (into the empty x.body) of a versioned update whose rendering is the kept one: the
   kept piece before the values member when it was made from the same table, key and return
   values, then the values; otherwise encoded whole, and its first piece kept. */
static olock_result olock__kept_body(olock_task *t, const olock_item_request *r) {
    olock__kept *k = &t->kept;
    olock_result rc;
    size_t at = 0;
    if (k->body.len && olock__body_key(&k->body_key, r, 0) && olock_buf_append(&t->x.body, k->body.data, k->body.len) == OLOCK_OK) {
        rc = olock__encode_values_after(r->values, &t->x.body, &t->err);
#ifdef OLOCK__VERIFY_KEPT
        if (rc == OLOCK_OK) olock__kept_body_verify(t, r);
#endif
        return rc;
    }
    olock_buf_clear(&t->x.body);
    olock_buf_clear(&k->body);
    rc = olock__encode_item_request_at(t->op, r, &t->x.body, &at, &t->err);
    if (rc == OLOCK_OK && olock__body_key(&k->body_key, r, 1) && olock_buf_append(&k->body, t->x.body.data, at) != OLOCK_OK)
        olock_buf_clear(&k->body); /* nothing kept */
    return rc;
}

/* The versioned write for the task's kind (and, for olock_update, its decision) into x.body. */
static olock_result olock__build_write(olock_task *t) {
    olock_arena *a = &t->scratch;
    olock_item_request r;
    olock_value *item;
    const olock_versioning *v = &t->c->versioning;
    const olock_value *basis = NULL;
    olock_result rc = OLOCK_OK;
    int is_delete = olock__write_is_delete(t), keep;
    uint64_t expected = olock__write_expected(t);
    memset(&r, 0, sizeof r);
    if (t->kind == OLOCK__K_RMW) {
        r.table = t->table;
        r.key = t->key;
    } else {
        r = t->req;
    }
    /* The incarnation the write targets (the probe settles the write in doubt: it keeps the
       one that write targeted), and what it stores in olock's attributes. */
    if (t->phase != OLOCK__PH_PROBE) {
        basis = olock__write_basis(t, expected);
        olock__target_incarnation(t, basis);
    }
    r.return_values_on_condition_check_failure = OLOCK_RV_ALL_OLD;
    t->new_version = expected;
    if (!is_delete) {
        rc = olock__next_version(v, expected, &t->new_version);
        if (rc != OLOCK_OK) return olock__build_failed(t, rc, "version overflow: the version attribute cannot be incremented");
    }
    t->own_version = t->own_ledger = t->own_expected = NULL;
    if (is_delete) {
        t->op = OLOCK_OP_DELETE_ITEM;
        r.item = NULL;
        if (t->kind == OLOCK__K_RMW) r.return_values = OLOCK_RV_OMIT;
    } else if (t->kind == OLOCK__K_UPDATE) {
        olock_value *nv = olock_value_new_u64(a, t->new_version);
        if (!nv) return OLOCK_ERR_NOMEM;
        t->own_version = nv;
        if (*v->token_attribute) {
            olock_value *tl = olock__ledger_next(t, a, NULL, expected, t->new_version);
            if (!tl) return OLOCK_ERR_NOMEM;
            t->own_ledger = tl;
        }
        t->op = OLOCK_OP_UPDATE_ITEM;
    } else {
        /* Carry the stored ledger (other writers' entries keep their outcomes decidable): the
           current item's, or a put's item's when it is the version expected (it came from a
           read; an older ledger would miss newer writers). */
        const olock_value *prev_tokens = olock__ledger_of(t, olock__write_basis(t, expected));
        olock_value *nv;
        if (t->kind == OLOCK__K_RMW) {
            item = olock__map_clone(a, t->work->root);
            r.key = NULL;
        } else {
            item = olock__map_clone(a, t->req.item);
        }
        nv = olock_value_new_u64(a, t->new_version);
        if (!item || !nv || olock_map_put(a, item, v->attribute, t->c->version_attribute_len, nv) != OLOCK_OK) return OLOCK_ERR_NOMEM;
        t->own_version = nv;
        if (*v->token_attribute) {
            olock_value *tl = olock__ledger_next(t, a, prev_tokens, expected, t->new_version);
            if (!tl || olock_map_put(a, item, v->token_attribute, t->c->token_attribute_len, tl) != OLOCK_OK) return OLOCK_ERR_NOMEM;
            t->own_ledger = tl;
        }
        r.item = item;
        t->written = item;
        t->op = OLOCK_OP_PUT_ITEM;
    }
    keep = t->kind == OLOCK__K_UPDATE && t->phase == OLOCK__PH_WRITE;
    if (keep && olock__kept_use(t, t->req.values, &r, expected)) {
#ifdef OLOCK__VERIFY_KEPT
        olock__kept_verify(t, &r, expected, basis);
#endif
    } else {
        rc = olock__write_render(t, &r, expected, basis);
        if (rc != OLOCK_OK) return rc;
        if (keep) olock__kept_keep(t, t->req.values, &r, expected);
        keep = keep && t->kept.key.len; /* kept now (a failure keeps nothing) */
    }
    olock_buf_clear(&t->x.body);
    return keep ? olock__kept_body(t, &r) : olock_encode_item_request(t->op, &r, &t->x.body, &t->err);
}

static olock_result olock__build_read(olock_task *t) {
    olock_item_request r;
    memset(&r, 0, sizeof r);
    r.table = t->kind == OLOCK__K_RMW ? t->table : t->req.table;
    r.key = t->kind == OLOCK__K_RMW ? t->key : t->req.key;
    r.consistent_read = 1;
    t->op = OLOCK_OP_GET_ITEM;
    olock_buf_clear(&t->x.body);
    return olock_encode_item_request(OLOCK_OP_GET_ITEM, &r, &t->x.body, &t->err);
}

static olock_result olock__build_txn_write(olock_task *t);
static olock_result olock__build_many_read(olock_task *t);
static olock_result olock__build_many_write(olock_task *t);

/* ---- versioned engine: the item cache ------------------------------------------------------ */

/* Cache identity: table, NUL, the key's DynamoDB JSON (numbers are canonical, so equal keys
   built in the same member order have equal bytes). */
static olock__cache_entry *olock__cache_find(olock_client *c, const char *table, const olock_value *key, olock_buf *id, int for_insert) {
    unsigned i;
    olock__cache_entry *victim = NULL;
    if (!c->cache_n) return NULL;
    olock_buf_clear(id);
    if (olock_buf_append(id, table, strlen(table) + 1) != OLOCK_OK || olock__write_attr_map(key, id) != OLOCK_OK) return NULL;
    for (i = 0; i < c->cache_n; i++) {
        olock__cache_entry *e = &c->cache[i];
        if (e->item && e->id.len == id->len && memcmp(e->id.data, id->data, id->len) == 0) return e;
        if (!victim || !e->item || (victim->item && e->used < victim->used)) victim = e;
    }
    return for_insert ? victim : NULL;
}

static void olock__cache_store(olock_task *t, const olock_value *item) {
    olock_client *c = t->c;
    olock__cache_entry *e = olock__cache_find(c, t->table, t->key, &t->x.body, 1);
    olock_value *copy;
    if (!e) return;
    if (!item) {
        if (e->item && e->id.len == t->x.body.len) {
            olock_item_destroy(e->item);
            e->item = NULL;
        }
        return;
    }
    if (!e->item && olock_item_create(&c->alloc, &e->item) != OLOCK_OK) return;
    olock_arena_reset(&e->item->arena);
    copy = olock_value_copy(&e->item->arena, item);
    olock_buf_clear(&e->id);
    if (!copy || olock_buf_append(&e->id, t->x.body.data, t->x.body.len) != OLOCK_OK) {
        olock_item_destroy(e->item);
        e->item = NULL;
        return;
    }
    e->item->root = copy;
    e->used = ++c->cache_tick;
}

/* ---- versioned engine: steps ------------------------------------------------------------- */

/* How long t has been writing (since its first write). */
static uint64_t olock__writing_ms(olock_task *t) {
    uint64_t now = olock_client_now_ms(t->c);
    return now > t->first_write_ms ? now - t->first_write_ms : 0; /* a hook's clock may step back */
}

/* The conflict budget of a read-modify-write (see olock_retry_policy): its first
   conflict_attempts writes always go out; past them, writes go on while the operation has
   been writing for less than conflict_time_ms, up to conflict_attempts_max writes in all.
   Stamps the time of the first write. */
static int olock__conflict_budget_left(olock_task *t) {
    const olock_retry_policy *p = &t->c->retry;
    if (t->writes == 0) {
        t->first_write_ms = olock_client_now_ms(t->c);
        return 1;
    }
    if (t->writes < p->conflict_attempts) return 1;
    return t->writes < p->conflict_attempts_max && olock__writing_ms(t) < p->conflict_time_ms;
}

/* Ends the operation with OLOCK_ERR_TOO_MANY_CONFLICTS, saying how much was tried. */
static void olock__conflict_give_up(olock_task *t, const char *what) {
    const olock_retry_policy *p = &t->c->retry;
    char msg[sizeof t->err.message];
    snprintf(msg, sizeof msg,
             "%s: %u writes in %llu ms, each met a newer version (budget: retry.conflict_attempts %u, "
             "then until conflict_time_ms %u, at most conflict_attempts_max %u writes)",
             what, t->writes, (unsigned long long)olock__writing_ms(t), p->conflict_attempts, p->conflict_time_ms,
             p->conflict_attempts_max);
    olock__task_finish(t, OLOCK_ERR_TOO_MANY_CONFLICTS, msg);
}

/* The wait before re-applying after a conflict, when t's read-modify-write is about to
   write again. Chosen by measurement (bench/bench_hot.c; the reasons are in bench/README.md):
   - the first conflict is re-applied at once: the common case is one rival, or a stale cache;
   - so is a conflict met by a write that was sent after a wait: the wait made the item it
     was based on stale, but the item that came back with the conflict is fresh, so the next
     write is a real attempt (waiting before every write would leave a writer that once
     backed off forever a step behind the others, and it would starve);
   - otherwise the update steps back until it has been writing for conflict_backoff_rtts
     round trips R, plus a jitter of up to R. Updates that are still young wait long and write
     rarely; updates older than that horizon wait at most R, so they come before the young
     ones: roughly first come, first served, which keeps both the wasted writes and the tail
     of the latency short;
   - R is the smoothed round trip of this client's conflicting writes, in microseconds: the
     clock hook ticks in whole ms, but the mean of many samples is finer (DynamoDB Local
     answers in well under 1 ms); the wait is rounded to whole ms at random, without bias;
   - the horizon is at most half of conflict_time_ms, so an update always has the other half
     to write in: where round trips are long (32 of 60 ms are the whole default 2 s, a client
     far from its region or a server warming up) it would otherwise spend its time budget
     waiting, and end long after conflict_time_ms with few writes tried. */
#define OLOCK__MIN_RTT_US 250 /* the shortest round trip the wait assumes */
static void olock__conflict_backoff(olock_task *t) {
    olock_client *c = t->c;
    uint64_t now = olock_client_now_ms(c), r, horizon, age, wait;
    int waited = t->waited;
    t->waited = 0;
    c->conflict_rtt_us = c->conflict_rtt_us ? (c->conflict_rtt_us * 7 + t->rtt * 1000) / 8 : t->rtt * 1000 + 1;
    if (t->result.conflicts < 2 || waited) return;
    r = c->conflict_rtt_us < OLOCK__MIN_RTT_US ? OLOCK__MIN_RTT_US : c->conflict_rtt_us;
    horizon = r * c->retry.conflict_backoff_rtts;
    if (horizon > (uint64_t)c->retry.conflict_time_ms * 500) horizon = (uint64_t)c->retry.conflict_time_ms * 500;
    age = olock__writing_ms(t) * 1000;
    wait = (horizon > age ? horizon - age : 0) + olock__random(c) % (r + 1);
    if (wait > (uint64_t)c->retry.cap_ms * 1000) wait = (uint64_t)c->retry.cap_ms * 1000;
    t->waited = 1;
    t->waiting = 1;
    t->wait_until = now + wait / 1000 + (olock__random(c) % 1000 < wait % 1000);
}

/* The mutate function returned OLOCK_MUTATE_ABORT: the operation ends with its reason if it
   gave one, else OLOCK_ERR_ABORTED. */
static void olock__mutate_aborted(olock_task *t) {
    if (t->abort_rc != OLOCK_OK) olock__task_finish(t, t->abort_rc, NULL);
    else olock__task_finish(t, OLOCK_ERR_ABORTED, "the mutate function aborted");
}

/* Calls the mutate function on a copy of the current item and moves to the write. */
static void olock__rmw_mutate(olock_task *t) {
    olock_item *w = t->work;
    olock_result rc;
    const olock_value *k;
    int exists = t->current != NULL;
    olock_arena_reset(&w->arena);
    w->root = exists ? olock_value_copy(&w->arena, t->current) : olock_value_copy(&w->arena, t->key);
    if (!w->root) {
        olock__task_finish(t, OLOCK_ERR_NOMEM, "out of memory");
        return;
    }
    t->cur_version = t->c->versioning.start_at;
    if (exists) {
        rc = olock_item_version(t->current, &t->c->versioning, &t->cur_version);
        if (rc != OLOCK_OK) {
            olock__task_finish(t, rc == OLOCK_ERR_TYPE ? OLOCK_ERR_TYPE : OLOCK_ERR_RANGE,
                               "the stored version attribute is not a non-negative integer that fits in 64 bits");
            return;
        }
    }
    t->result.item = t->current;
    t->decision = t->fn(t->user, w, exists);
    switch (t->decision) {
    case OLOCK_MUTATE_ABORT:
        olock__mutate_aborted(t);
        return;
    case OLOCK_MUTATE_NO_CHANGE:
        t->result.version = t->cur_version;
        olock__task_finish(t, OLOCK_OK, NULL);
        return;
    case OLOCK_MUTATE_DELETE:
        if (!exists) {
            t->result.version = t->cur_version;
            olock__task_finish(t, OLOCK_OK, NULL);
            return;
        }
        break;
    case OLOCK_MUTATE_WRITE:
        if (!w->root || w->root->type != OLOCK_TYPE_M) {
            olock__task_finish(t, OLOCK_ERR_INVALID_ARG, "the mutate function broke the item");
            return;
        }
        for (k = t->key->first; k; k = k->next) {
            if (!olock_value_equal(k, olock_map_get(w->root, k->key, k->key_len))) {
                olock__task_finish(t, OLOCK_ERR_INVALID_ARG, "the mutate function changed or removed a key attribute");
                return;
            }
        }
        break;
    default:
        olock__task_finish(t, OLOCK_ERR_INVALID_ARG, "the mutate function returned an unknown olock_mutation");
        return;
    }
    if (!olock__conflict_budget_left(t)) {
        olock__conflict_give_up(t, "conflict budget exhausted: the item kept changing");
        return;
    }
    t->writes++;
    t->phase = OLOCK__PH_WRITE;
    t->need_build = 1;
}

/* Takes `item` (in the exchange arena, or NULL) as the current item. */
static int olock__set_current(olock_task *t, const olock_value *item) {
    if (item && item == t->current) return 1;
    olock_arena_reset(&t->cur_arena);
    t->current = NULL;
    if (!item) return 1;
    t->current = olock_value_copy(&t->cur_arena, item);
    if (!t->current) {
        olock__task_finish(t, OLOCK_ERR_NOMEM, "out of memory");
        return 0;
    }
    return 1;
}

static void olock__on_write_ok(olock_task *t) {
    if (t->in_doubt) t->result.ambiguous++; /* this copy was applied, so no earlier one was */
    t->in_doubt = 0;
    t->result.version = t->new_version;
    t->result.changed = 1;
    if (olock__write_is_delete(t)) t->result.deleted = 1;
    if (t->kind == OLOCK__K_RMW) {
        /* after a settling read: the stored item, which holds this write */
        t->result.item = olock__write_is_delete(t) ? NULL : t->written ? t->written
                                                                       : t->current;
        if (t->c->cache_n) olock__cache_store(t, t->result.item);
    } else if (t->x.decoded.item) {
        t->result.item = t->x.decoded.item; /* ReturnValues asked by the caller */
    }
    olock__task_finish(t, OLOCK_OK, NULL);
}

/* A write's condition failed (or a settling read / probe came back). Decides between "it was
   ours after all" (an earlier copy of this write was applied: a lost response, or a transport's
   transparent resend), "cannot tell" (MAYBE_SENT), "conflict" and "re-apply on the fresh item".
   fresh: the stored item when known (NULL: absent); known: 0 when the server did not say. */
static void olock__on_write_conflict(olock_task *t, const olock_value *fresh, int known) {
    int verdict = OLOCK__NOT_APPLIED;
    const char *why = NULL;
    t->phase = OLOCK__PH_WRITE; /* what is settled here is the write (a probe or read came back) */
    if (!known && (t->in_doubt || t->kind == OLOCK__K_RMW)) {
        /* The server did not return the item (dynalite ignores ReturnValuesOnConditionCheckFailure):
           read it, when the key is known. A put's key attributes are not known to olock. */
        if (t->kind == OLOCK__K_PUT) {
            olock__task_finish(t, OLOCK_ERR_MAYBE_SENT,
                               "the write may have been applied: the server did not return the stored item "
                               "(ReturnValuesOnConditionCheckFailure) and a put does not know its key to read it");
            return;
        }
        t->phase = OLOCK__PH_SETTLE;
        t->need_build = 1;
        return;
    }
    if (!fresh && t->in_doubt) {
        /* Absent: never applied, or applied and deleted since (a delete leaves no ledger). A
           resend could re-create a deleted item, so olock does not guess. */
        verdict = OLOCK__UNKNOWN;
        why = olock__write_is_delete(t)
            ? "the write may have been applied: the item is gone, deleted by this write or by another writer"
            : "the write may have been applied: the item is absent, so it was not applied or was deleted since";
    } else if (!olock__write_is_delete(t) && fresh) {
        verdict = olock__ledger_verdict(t, fresh, t->new_version, &why);
        if (verdict == OLOCK__UNKNOWN && !t->in_doubt) verdict = OLOCK__NOT_APPLIED; /* nothing of ours was in doubt */
    } else if (fresh && t->in_doubt && *t->inc) {
        /* A delete in doubt whose item is still there was not applied, unless the item there
           is another incarnation (deleted, by us perhaps, and created anew). */
        olock__ledger_head h;
        const olock_value *l = olock__ledger_of(t, fresh);
        if (!l || !olock__ledger_head_of(l, &h) || h.inc_len != OLOCK__WRITER_LEN || memcmp(h.inc, t->inc, OLOCK__WRITER_LEN) != 0) {
            verdict = OLOCK__UNKNOWN;
            why = "the write may have been applied: the item there now was created anew since (another incarnation)";
        }
    }
    if (verdict == OLOCK__APPLIED) {
        t->in_doubt = 0;
        t->result.ambiguous++;
        olock__on_write_ok(t);
        return;
    }
    if (verdict == OLOCK__UNKNOWN) {
        olock__task_finish(t, OLOCK_ERR_MAYBE_SENT, why);
        return;
    }
    if (t->in_doubt) t->result.ambiguous++; /* settled: it was not ours */
    t->in_doubt = 0;
    t->result.conflicts++;
    if (t->kind != OLOCK__K_RMW) {
        if (!olock__set_current(t, fresh)) return;
        t->result.item = t->current;
        if (t->current) olock_item_version(t->current, &t->c->versioning, &t->result.version);
        olock__task_finish(t, OLOCK_CONFLICT, NULL);
        return;
    }
    if (!olock__set_current(t, fresh)) return;
    if (t->c->cache_n) olock__cache_store(t, t->current);
    olock__rmw_mutate(t);
    if (t->phase == OLOCK__PH_WRITE) olock__conflict_backoff(t);
}

/* ---- versioned engine: the kinds of operation ----------------------------------------------
   What differs between a single-item write (put, versioned update, delete, olock_update), a
   transaction and olock_update_many: how the request of the current phase is built, and what a
   success or a conflict of it means. Sending, retries, doubt, deadlines and the outcome model
   are shared (olock_task_poll, olock_task_complete_why, olock__on_retryable). */

/* Single items: READ and SETTLE read the item, WRITE and PROBE write it. */
static olock_result olock__single_build(olock_task *t) {
    return t->phase == OLOCK__PH_READ || t->phase == OLOCK__PH_SETTLE ? olock__build_read(t) : olock__build_write(t);
}

static void olock__single_success(olock_task *t) {
    const olock_value *item = t->x.decoded.item;
    if (t->phase == OLOCK__PH_SETTLE) {
        if (olock__set_current(t, item)) olock__on_write_conflict(t, t->current, 1);
    } else if (t->phase == OLOCK__PH_READ) {
        if (olock__set_current(t, item)) olock__rmw_mutate(t);
    } else {
        olock__on_write_ok(t);
    }
}

static void olock__single_conflict(olock_task *t) {
    const olock_value *fresh = t->x.decoded.item;
    if (fresh) t->c->all_old_supported = 1; /* from now on a conflict without it means "absent" */
    olock__on_write_conflict(t, fresh, fresh != NULL || t->c->all_old_supported);
}

/* A transaction or olock_update_many's write that succeeded: a resend with the same
   ClientRequestToken is a replay, so one that follows a doubt was applied once. */
static void olock__token_write_ok(olock_task *t) {
    if (t->in_doubt) t->result.ambiguous++;
    t->in_doubt = 0;
    t->result.changed = 1;
}

static void olock__txn_success(olock_task *t) {
    size_t i;
    olock__token_write_ok(t);
    for (i = 0; i < t->txn->count; i++) t->txn->actions[i].reason = NULL;
    olock__task_finish(t, OLOCK_OK, NULL);
}

/* olock_update_many: after the read, the caller's function and the write; after the write, done. */
static void olock__many_success(olock_task *t) {
    olock_response *res = &t->x.decoded;
    size_t i;
    olock_mutation m;
    if (t->phase != OLOCK__PH_READ) {
        olock__token_write_ok(t);
        olock__task_finish(t, OLOCK_OK, NULL);
        return;
    }
    for (i = 0; i < t->key_count; i++) {
        const olock_value *it = i < res->item_count ? res->items[i] : NULL;
        olock_item *w = t->items[i];
        olock_arena_reset(&w->arena);
        w->root = olock_value_copy(&w->arena, it ? it : t->keys[i].key);
        if (!w->root) {
            olock__task_finish(t, OLOCK_ERR_NOMEM, "out of memory");
            return;
        }
        t->exists[i] = it != NULL;
        t->each[i] = OLOCK_MUTATE_NO_CHANGE;
        t->versions[i] = t->c->versioning.start_at;
        if (it && olock_item_version(it, &t->c->versioning, &t->versions[i]) != OLOCK_OK) {
            olock__task_finish(t, OLOCK_ERR_TYPE, "a stored version attribute is not a non-negative integer");
            return;
        }
    }
    m = t->fn_many(t->user, t->items, t->exists, t->each, t->key_count);
    if (m == OLOCK_MUTATE_ABORT) {
        olock__mutate_aborted(t);
        return;
    }
    if (m == OLOCK_MUTATE_NO_CHANGE) {
        olock__task_finish(t, OLOCK_OK, NULL);
        return;
    }
    if (!olock__conflict_budget_left(t)) {
        olock__conflict_give_up(t, "conflict budget exhausted: the items kept changing");
        return;
    }
    t->writes++;
    olock__new_token(t, t->txn_token, 36);
    t->phase = OLOCK__PH_WRITE;
    t->need_build = 1;
}

/* A cancelled transaction: a resend with the same ClientRequestToken replays an applied
   transaction as a success, so a cancellation settles one in doubt as not applied. Returns
   the cancellation reasons. */
static const olock_response *olock__token_write_cancelled(olock_task *t) {
    const olock_response *res = &t->x.decoded;
    size_t i;
    if (t->in_doubt) t->result.ambiguous++;
    t->in_doubt = 0;
    t->result.conflicts++;
    for (i = 0; i < res->reason_count; i++) {
        if (res->reasons[i].code && strcmp(res->reasons[i].code, "ConditionalCheckFailed") == 0 && t->result.failed_action == (size_t)-1)
            t->result.failed_action = i;
    }
    return res;
}

static void olock__txn_conflict(olock_task *t) {
    const olock_response *res = olock__token_write_cancelled(t);
    size_t i;
    for (i = 0; i < t->txn->count; i++) {
        const char *code = i < res->reason_count ? res->reasons[i].code : NULL;
        t->txn->actions[i].reason = code ? olock_arena_strdup(&t->txn->arena, code, strlen(code)) : NULL;
    }
    olock__task_finish(t, OLOCK_CONFLICT, NULL);
}

/* olock_update_many: read everything again and re-apply, under the same conflict policy as
   olock_update (the wait goes before the read, so the items written are fresh). */
static void olock__many_conflict(olock_task *t) {
    olock__token_write_cancelled(t);
    t->result.failed_action = (size_t)-1;
    t->phase = OLOCK__PH_READ;
    t->need_build = 1;
    olock__conflict_backoff(t);
}

static olock_result olock__many_build(olock_task *t) {
    return t->phase == OLOCK__PH_READ ? olock__build_many_read(t) : olock__build_many_write(t);
}

typedef struct olock__kind_ops {
    olock_result (*build)(olock_task *t); /* the request of t->phase into t->x.body and t->op */
    void (*on_success)(olock_task *t);
    void (*on_conflict)(olock_task *t);
} olock__kind_ops;

/* Indexed by OLOCK__K_*. */
static const olock__kind_ops olock__kinds[] = {
    { NULL, NULL, NULL },                                                   /* NONE */
    { olock__single_build, olock__single_success, olock__single_conflict }, /* PUT */
    { olock__single_build, olock__single_success, olock__single_conflict }, /* UPDATE */
    { olock__single_build, olock__single_success, olock__single_conflict }, /* DELETE */
    { olock__single_build, olock__single_success, olock__single_conflict }, /* RMW */
    { olock__build_txn_write, olock__txn_success, olock__txn_conflict },    /* TXN */
    { olock__many_build, olock__many_success, olock__many_conflict },       /* MANY */
};

static void olock__report(olock_task *t, olock_result outcome, uint64_t delay) {
    olock_attempt a;
    if (!t->c->on_attempt) return;
    a.operation = olock_op_name(t->op);
    a.attempt = t->result.requests;
    a.outcome = outcome;
    a.aws_error = t->err.aws_type[0] ? t->err.aws_type : NULL;
    a.http_status = t->err.http_status;
    a.delay_ms = delay;
    t->c->on_attempt(t->c->hook_user, &a);
}

/* Whether the exchange just completed says for certain what became of the request: a decoded
   success, a decoded DynamoDB error in 4xx (DynamoDB applies nothing it answers 4xx to), or a
   transport that never sent it. Anything else (no answer, a 5xx, an answer that cannot be read
   or fails its x-amz-crc32, whatever its status) leaves a write in doubt. */
static int olock__exchange_is_verdict(const olock__exchange *x, olock_result transport, olock_result rc) {
    if (transport == OLOCK_ERR_NOT_SENT || transport == OLOCK_ERR_INVALID_ARG || transport == OLOCK_ERR_UNSUPPORTED) return 1;
    if (transport != OLOCK_OK) return 0;
    if (rc == OLOCK_OK) return 1;
    return x->res.status >= 400 && x->res.status < 500 && x->decoded.error_class != OLOCK_CLASS_NONE;
}

/* A retryable failure, or a write left in doubt: try again after a backoff if the budgets
   allow, else give up (olock__task_finish turns giving up on a write in doubt into MAYBE_SENT). */
static void olock__on_retryable(olock_task *t, olock_result rc, uint64_t now) {
    olock_client *c = t->c;
    unsigned cost = rc == OLOCK_ERR_MAYBE_SENT ? c->retry.quota_timeout_cost : c->retry.quota_retry_cost;
    uint64_t delay;
    const char *after;
    if (t->sends >= c->retry.transient_attempts || c->quota < cost) {
        olock_result final = rc;
        const char *msg = c->quota < cost ? "retry quota exhausted (too many failures on this client)" : NULL;
        if (rc == OLOCK_ERR_CRC32) final = OLOCK_ERR_TRANSIENT;
        olock__report(t, rc, 0);
        olock__task_finish(t, final, msg);
        return;
    }
    c->quota -= cost;
    t->quota_spent += cost;
    delay = olock__backoff(t->c, rc == OLOCK_ERR_THROTTLED, t->sends);
    after = olock_http_response_header(&t->x.res, "x-amz-retry-after");
    if (after && t->x.res.status) {
        uint64_t ms = 0;
        for (; *after >= '0' && *after <= '9' && ms < 1000000000u; after++) ms = ms * 10 + (uint64_t)(*after - '0');
        if (ms > delay) delay = ms > c->retry.cap_ms ? c->retry.cap_ms : ms;
    }
    olock__report(t, rc, delay);
    if (t->deadline && now + delay >= t->deadline) {
        olock__task_finish(t, OLOCK_ERR_DEADLINE, "deadline reached before the next attempt");
        return;
    }
    t->result.retries++;
    t->waiting = 1;
    t->wait_until = now + delay;
    /* A create in doubt is not resent: if it was applied and another writer deleted the item
       since, the resend would re-create it. Look instead (a consistent read; a put, whose key
       olock does not know, sends a probe: the same put under an always-false condition, which
       returns the stored item), and let olock__on_write_conflict settle it. */
    if (t->in_doubt && (t->phase == OLOCK__PH_WRITE || t->phase == OLOCK__PH_PROBE) && !olock__by_token(t) &&
        olock__write_expected(t) == c->versioning.start_at) {
        t->phase = t->kind == OLOCK__K_PUT ? OLOCK__PH_PROBE : OLOCK__PH_SETTLE;
        t->need_build = 1;
    }
}

OLOCK_API olock_task_state olock_task_poll(olock_task *t, uint64_t now_ms, const olock_http_request **req, uint64_t *wait_ms) {
    olock_result rc = OLOCK_OK;
    if (!t || t->phase == OLOCK__PH_DONE || t->phase == OLOCK__PH_IDLE) return OLOCK_TASK_DONE;
    if (t->waiting && now_ms < t->wait_until) {
        if (wait_ms) *wait_ms = t->wait_until - now_ms;
        return OLOCK_TASK_WAIT;
    }
    t->waiting = 0;
    if (t->in_flight) { /* poll again without completing: hand out the same request */
        if (req) *req = &t->x.req;
        return OLOCK_TASK_SEND;
    }
    if (t->deadline && now_ms >= t->deadline) {
        olock__task_finish(t, OLOCK_ERR_DEADLINE, "deadline reached before the next attempt");
        return OLOCK_TASK_DONE;
    }
    if (t->need_build) {
        olock_arena_reset(&t->scratch);
        t->written = NULL; /* these lived in scratch */
        t->own_version = t->own_ledger = NULL;
        rc = olock__kinds[t->kind].build(t);
        if (rc != OLOCK_OK) {
            olock__task_finish(t, rc, rc == OLOCK_ERR_NOMEM ? "out of memory" : NULL);
            return OLOCK_TASK_DONE;
        }
        t->need_build = 0;
        t->sends = 0;
    }
    rc = olock__build_http(t->c, &t->x, t->op, &t->err);
    if (rc != OLOCK_OK) {
        olock__task_finish(t, rc, NULL);
        return OLOCK_TASK_DONE;
    }
    t->in_flight = 1;
    t->sent_at = now_ms;
    if (req) *req = &t->x.req;
    return OLOCK_TASK_SEND;
}

OLOCK_API olock_http_response *olock_task_response(olock_task *t) {
    return t ? &t->x.res : NULL;
}

OLOCK_API void olock_task_complete(olock_task *t, olock_result transport_result) {
    olock_task_complete_why(t, transport_result, NULL);
}

OLOCK_API void olock_task_complete_why(olock_task *t, olock_result transport_result, const char *why) {
    olock_result rc;
    uint64_t now;
    if (!t || !t->in_flight) return;
    if (transport_result == OLOCK_OK || !why) why = "";
    olock__copy_str(t->x.transport_error, sizeof t->x.transport_error, why, strlen(why));
    t->in_flight = 0;
    t->sends++;
    t->result.requests++;
    t->err.attempts = t->result.requests;
    rc = olock__finish_exchange(&t->x, t->op, transport_result, &t->err);
    if (rc == OLOCK_ERR_SERVICE) olock__note_own_bytes(t);
    t->err.attempts = t->result.requests;
    now = olock_client_now_ms(t->c);
    t->rtt = now >= t->sent_at ? now - t->sent_at : 0;
    if ((t->phase == OLOCK__PH_WRITE || t->phase == OLOCK__PH_PROBE) && !olock__exchange_is_verdict(&t->x, transport_result, rc)) {
        /* Sent, but no verdict: the write may have been applied. Resend it to settle that (the
           version condition lets at most one copy apply; a transaction's token makes the resend
           a replay). */
        t->in_doubt = 1;
        olock__on_retryable(t, rc, now);
        return;
    }
    switch (rc) {
    case OLOCK_OK:
        olock__report(t, rc, 0);
        /* AWS standard mode: a success refunds what its retries cost, or one token. */
        t->c->quota += t->quota_spent ? t->quota_spent : 1;
        if (t->c->quota > t->c->retry.quota_capacity) t->c->quota = t->c->retry.quota_capacity;
        t->quota_spent = 0;
        olock__kinds[t->kind].on_success(t);
        return;
    case OLOCK_CONFLICT:
        olock__report(t, rc, 0);
        olock__kinds[t->kind].on_conflict(t);
        return;
    case OLOCK_ERR_THROTTLED:
    case OLOCK_ERR_TRANSIENT:
    case OLOCK_ERR_NOT_SENT:
    case OLOCK_ERR_MAYBE_SENT:
    case OLOCK_ERR_CRC32:
        olock__on_retryable(t, rc, now);
        return;
    default:
        olock__report(t, rc, 0);
        olock__task_finish(t, rc, NULL);
        return;
    }
}

OLOCK_API olock_result olock_task_result(const olock_task *t, olock_write_result *result, olock_error *err) {
    if (!t) return OLOCK_ERR_INVALID_ARG;
    if (t->phase != OLOCK__PH_DONE) {
        if (err) {
            olock__error_clear(err);
            olock__error_set(err, OLOCK_ERR_INVALID_ARG, "the task is not done");
        }
        return OLOCK_ERR_INVALID_ARG;
    }
    if (err) olock__error_copy(err, &t->err);
    if (result) *result = t->result;
    return t->rc;
}

OLOCK_API olock_result olock_task_run(olock_task *t, olock_write_result *result, olock_error *err) {
    olock_client *c;
    if (!t) return OLOCK_ERR_INVALID_ARG;
    c = t->c;
    for (;;) {
        const olock_http_request *req = NULL;
        uint64_t wait = 0;
        olock_task_state s;
        if (t->phase == OLOCK__PH_DONE) break; /* what olock_task_poll would say, without reading the clock */
        s = olock_task_poll(t, olock_client_now_ms(c), &req, &wait);
        if (s == OLOCK_TASK_DONE) break;
        if (s == OLOCK_TASK_WAIT) {
            c->sleep_ms(c->hook_user, wait);
            continue;
        }
        olock_result r = c->transport.send(c->transport.user, req, &t->x.res);
        olock_task_complete_why(t, r, olock__transport_why(c, r));
    }
    return olock_task_result(t, result, err);
}

/* ---- versioned engine: entry points ------------------------------------------------------ */

/* A caller's update expression or condition must leave olock's own attributes alone: the
   engine sets the version and the ledger itself (DynamoDB would answer "Two document paths
   overlap") and adds the version condition (a condition of the caller's on them repeats it or
   contradicts it, and then every attempt conflicts). INVALID_ARG naming the attribute, before
   anything is sent. */
static olock_result olock__check_own_attributes(const olock_client *c, const olock_item_request *req, const char *fn,
                                                olock_error *err) {
    const char *attrs[2];
    size_t attr_len[2];
    olock__touch hit;
    const olock_value *names = NULL, *m;
    int i;
    attrs[0] = c->versioning.attribute;
    attrs[1] = c->versioning.token_attribute;
    attr_len[0] = c->version_attribute_len;
    attr_len[1] = c->token_attribute_len;
    /* A #placeholder can stand for an own attribute only if a name does: when none does (the
       usual case), the scan looks up no placeholder. */
    if (req->names && req->names->type == OLOCK_TYPE_M)
        for (m = req->names->first; m && !names; m = m->next)
            for (i = 0; i < 2; i++)
                if (m->type == OLOCK_TYPE_S && attr_len[i] && m->len == attr_len[i] && memcmp(m->str, attrs[i], m->len) == 0)
                    names = req->names;
    for (i = 0; i < 2; i++) {
        const char *expr = i == 0 ? req->update : req->condition;
        if (!olock__expr_touches(expr, i == 0, names, attrs, attr_len, &hit)) continue;
        return olock__invalid_arg(err, "%s: req->%s %s `%s`%s%.*s%s, %s olock manages; remove it", fn, i == 0 ? "update" : "condition",
                                  hit.clause, hit.attr, hit.tok[0] == '#' ? " (as " : "", hit.tok[0] == '#' ? (int)hit.tok_len : 0,
                                  hit.tok, hit.tok[0] == '#' ? ")" : "",
                                  hit.attr == attrs[0] ? "the version attribute" : "the writer ledger");
    }
    return OLOCK_OK;
}

static olock_result olock__check_write_request(const olock_client *c, const olock_item_request *req, int kind, const char *fn,
                                               olock_error *err) {
    if (!req) return olock__null_arg(err, fn, "req");
    if (!req->table || !*req->table) return olock__invalid_arg(err, "%s: req->table is NULL or empty", fn);
    if (kind == OLOCK__K_PUT && !req->item) return olock__invalid_arg(err, "%s: req->item is NULL (a put writes a whole item)", fn);
    if (kind == OLOCK__K_PUT && req->key) return olock__invalid_arg(err, "%s: req->key is set (a put takes the item, not a key)", fn);
    if (kind != OLOCK__K_PUT && !req->key) return olock__invalid_arg(err, "%s: req->key is NULL", fn);
    if (kind != OLOCK__K_PUT && req->item) return olock__invalid_arg(err, "%s: req->item is set (only a put takes an item)", fn);
    if (kind == OLOCK__K_UPDATE && (!req->update || !*req->update)) return olock__invalid_arg(err, "%s: req->update is NULL or empty", fn);
    if (kind != OLOCK__K_UPDATE && req->update)
        return olock__invalid_arg(err, "%s: req->update is set (only a versioned update takes an update expression)", fn);
    if (req->projection) return olock__invalid_arg(err, "%s: req->projection is set (a write takes no projection)", fn);
    if (req->consistent_read) return olock__invalid_arg(err, "%s: req->consistent_read is set (a write takes none)", fn);
    return olock__check_own_attributes(c, req, fn, err);
}

/* Why olock__task_begin refused: t is NULL or busy. */
static olock_result olock__task_begin_refused(const olock_task *t, const char *fn, olock_error *err) {
    if (!t) return olock__null_arg(err, fn, "t");
    return olock__invalid_arg(err, "%s: the task is busy with another operation (a blocking call from inside a mutate "
                                   "function, or a task begun again before it was done)",
                              fn);
}

/* A begin_* of the task API that failed: olock_task_result then gives its code and message,
   unless the task is busy with an operation, whose outcome this must not touch. */
static olock_result olock__task_begin_failed(olock_task *t, olock_result rc, const olock_error *why) {
    if (t && (t->phase == OLOCK__PH_DONE || t->phase == OLOCK__PH_IDLE)) {
        t->err = *why;
        t->err.code = rc;
        t->rc = rc;
        t->phase = OLOCK__PH_DONE;
    }
    return rc;
}

static olock_result olock__begin_write(olock_task *t, int kind, const olock_item_request *req, uint64_t expected,
                                       const char *fn, olock_error *err) {
    olock_result rc;
    if (!t) return olock__null_arg(err, fn, "t");
    rc = olock__check_write_request(t->c, req, kind, fn, err);
    if (rc != OLOCK_OK) return rc;
    rc = olock__task_begin(t, kind);
    if (rc != OLOCK_OK) return olock__task_begin_refused(t, fn, err);
    t->req = *req;
    t->expected = expected;
    t->phase = OLOCK__PH_WRITE;
    t->writes = 1;
    return OLOCK_OK;
}

/* The task API's begin of a versioned write, its failure kept in the task. */
static olock_result olock__task_begin_write(olock_task *t, int kind, const olock_item_request *req, uint64_t expected,
                                            const char *fn) {
    olock_error why;
    olock_result rc;
    olock__error_clear(&why);
    rc = olock__begin_write(t, kind, req, expected, fn, &why);
    return rc != OLOCK_OK ? olock__task_begin_failed(t, rc, &why) : rc;
}

OLOCK_API olock_result olock_task_begin_put(olock_task *t, const olock_item_request *req, uint64_t expected_version) {
    return olock__task_begin_write(t, OLOCK__K_PUT, req, expected_version, "olock_task_begin_put");
}
OLOCK_API olock_result olock_task_begin_versioned_update(olock_task *t, const olock_item_request *req, uint64_t expected_version) {
    return olock__task_begin_write(t, OLOCK__K_UPDATE, req, expected_version, "olock_task_begin_versioned_update");
}
OLOCK_API olock_result olock_task_begin_delete(olock_task *t, const olock_item_request *req, uint64_t expected_version) {
    return olock__task_begin_write(t, OLOCK__K_DELETE, req, expected_version, "olock_task_begin_delete");
}

/* olock_update's checks and start, its complaints in the name of `fn` into err. */
static olock_result olock__begin_update(olock_task *t, const char *table, const olock_value *key, olock_mutate_fn fn,
                                        void *user, const char *name, olock_error *err) {
    olock_result rc;
    olock__cache_entry *e;
    if (!t) return olock__null_arg(err, name, "t");
    if (!table || !*table) return olock__invalid_arg(err, "%s: table is NULL or empty", name);
    if (!key) return olock__null_arg(err, name, "key");
    if (key->type != OLOCK_TYPE_M || !key->count) return olock__invalid_arg(err, "%s: key is not a map of the key attributes", name);
    if (!fn) return olock__null_arg(err, name, "fn");
    rc = olock__task_begin(t, OLOCK__K_RMW);
    if (rc != OLOCK_OK) return olock__task_begin_refused(t, name, err);
    t->table = table;
    t->key = key;
    t->fn = fn;
    t->user = user;
    t->phase = OLOCK__PH_READ;
    e = olock__cache_find(t->c, table, key, &t->x.body, 0);
    if (e) { /* write from the cached version; a conflict brings the fresh item */
        e->used = ++t->c->cache_tick;
        t->from_cache = 1;
        if (!olock__set_current(t, e->item->root)) return t->rc;
        olock__rmw_mutate(t);
    }
    return OLOCK_OK;
}

OLOCK_API olock_result olock_task_begin_update(olock_task *t, const char *table, const olock_value *key,
                                               olock_mutate_fn fn, void *user) {
    olock_error why;
    olock_result rc;
    olock__error_clear(&why);
    rc = olock__begin_update(t, table, key, fn, user, "olock_task_begin_update", &why);
    return rc != OLOCK_OK && why.code ? olock__task_begin_failed(t, rc, &why) : rc;
}

/* The lazily created task behind the blocking calls. */
static olock_result olock__blocking_task(olock_client *c, const char *fn, olock_task **t, olock_error *err) {
    olock__error_clear(err);
    *t = NULL;
    if (!c) return olock__null_arg(err, fn, "c");
    if (!c->blocking && olock_task_create(c, &c->blocking) != OLOCK_OK) {
        olock__error_set(err, OLOCK_ERR_NOMEM, "out of memory");
        return OLOCK_ERR_NOMEM;
    }
    c->blocking_destroy = olock_task_destroy; /* the client part comes first: it cannot name it */
    *t = c->blocking;
    return OLOCK_OK;
}

/* A begin that failed without saying why (out of memory, a limit) still gets a message. */
static olock_result olock__begin_failed(olock_result rc, olock_error *err) {
    if (err && !err->code) olock__error_set(err, rc, "%s", olock_result_str(rc));
    return rc;
}

/* A versioned write of one kind, run to the end on the client's blocking task. */
static olock_result olock__blocking_write(olock_client *c, const char *fn, int kind, const olock_item_request *req, uint64_t expected,
                                          olock_write_result *result, olock_error *err) {
    olock_task *t;
    olock_result rc = olock__blocking_task(c, fn, &t, err);
    if (rc != OLOCK_OK) return rc;
    rc = olock__begin_write(t, kind, req, expected, fn, err);
    return rc != OLOCK_OK ? olock__begin_failed(rc, err) : olock_task_run(t, result, err);
}

OLOCK_API olock_result olock_versioned_put(olock_client *c, const olock_item_request *req, uint64_t expected_version,
                                           olock_write_result *result, olock_error *err) {
    return olock__blocking_write(c, "olock_versioned_put", OLOCK__K_PUT, req, expected_version, result, err);
}

OLOCK_API olock_result olock_versioned_update(olock_client *c, const olock_item_request *req, uint64_t expected_version,
                                              olock_write_result *result, olock_error *err) {
    return olock__blocking_write(c, "olock_versioned_update", OLOCK__K_UPDATE, req, expected_version, result, err);
}

OLOCK_API olock_result olock_versioned_delete(olock_client *c, const olock_item_request *req, uint64_t expected_version,
                                              olock_write_result *result, olock_error *err) {
    return olock__blocking_write(c, "olock_versioned_delete", OLOCK__K_DELETE, req, expected_version, result, err);
}

OLOCK_API olock_result olock_update(olock_client *c, const char *table, const olock_value *key,
                                    olock_mutate_fn fn, void *user, olock_write_result *result, olock_error *err) {
    olock_task *t;
    olock_result rc = olock__blocking_task(c, "olock_update", &t, err);
    if (rc != OLOCK_OK) return rc;
    rc = olock__begin_update(t, table, key, fn, user, "olock_update", err);
    return rc != OLOCK_OK ? olock__begin_failed(rc, err) : olock_task_run(t, result, err);
}

/* ---- transactions ------------------------------------------------------------------------- */

OLOCK_API olock_result olock_txn_create(olock_client *c, olock_txn **out) {
    olock_txn *t;
    if (!c || !out) return OLOCK_ERR_INVALID_ARG;
    t = (olock_txn *)olock__alloc(&c->alloc, sizeof *t);
    if (!t) return OLOCK_ERR_NOMEM;
    memset(t, 0, sizeof *t);
    t->c = c;
    olock_arena_init(&t->arena, &c->alloc);
    *out = t;
    return OLOCK_OK;
}

OLOCK_API void olock_txn_destroy(olock_txn *t) {
    olock_allocator a;
    if (!t) return;
    a = t->c->alloc;
    olock_arena_free(&t->arena);
    olock__free(&a, t->actions, sizeof *t->actions * t->cap);
    olock__free(&a, t, sizeof *t);
}

OLOCK_API void olock_txn_reset(olock_txn *t) {
    if (!t) return;
    olock_arena_reset(&t->arena);
    t->count = 0;
    t->sticky = OLOCK_OK;
}

OLOCK_API size_t olock_txn_count(const olock_txn *t) { return t ? t->count : 0; }

static olock_result olock__txn_add(olock_txn *t, olock_txn_kind kind, const char *table, const olock_value *key,
                                   const olock_value *item, const olock_item_request *req, uint64_t expected) {
    olock__txn_action *a;
    olock_arena *ar;
    if (!t) return OLOCK_ERR_INVALID_ARG;
    if (t->sticky != OLOCK_OK) return t->sticky;
    if (!table || !*table || (kind == OLOCK_TXN_PUT ? !item || item->type != OLOCK_TYPE_M : !key || key->type != OLOCK_TYPE_M))
        return OLOCK_ERR_INVALID_ARG;
    if (req && (olock__has_reserved_placeholder(req->names) || olock__has_reserved_placeholder(req->values)))
        return OLOCK_ERR_INVALID_ARG;
    if (t->count == 100) return t->sticky = OLOCK_ERR_LIMIT; /* DynamoDB's limit per transaction */
    if (t->count == t->cap) {
        size_t cap = t->cap ? t->cap * 2 : 8;
        olock__txn_action *n = (olock__txn_action *)olock__realloc(&t->c->alloc, t->actions, sizeof *n * t->cap, sizeof *n * cap);
        if (!n) return t->sticky = OLOCK_ERR_NOMEM;
        t->actions = n;
        t->cap = cap;
    }
    ar = &t->arena;
    a = &t->actions[t->count];
    memset(a, 0, sizeof *a);
    a->kind = kind;
    a->expected = expected;
    a->table = olock_arena_strdup(ar, table, strlen(table));
    if (key) a->key = olock_value_copy(ar, key);
    if (item) a->item = olock_value_copy(ar, item);
    if (req) {
        if (req->update) a->update = olock_arena_strdup(ar, req->update, strlen(req->update));
        if (req->condition) a->condition = olock_arena_strdup(ar, req->condition, strlen(req->condition));
        if (req->names) a->names = olock_value_copy(ar, req->names);
        if (req->values) a->values = olock_value_copy(ar, req->values);
        if ((req->update && !a->update) || (req->condition && !a->condition) || (req->names && !a->names) ||
            (req->values && !a->values)) return t->sticky = OLOCK_ERR_NOMEM;
    }
    if (!a->table || (key && !a->key) || (item && !a->item)) return t->sticky = OLOCK_ERR_NOMEM;
    t->count++;
    return OLOCK_OK;
}

OLOCK_API olock_result olock_txn_put(olock_txn *t, const char *table, const olock_value *item, uint64_t expected_version) {
    return olock__txn_add(t, OLOCK_TXN_PUT, table, NULL, item, NULL, expected_version);
}
OLOCK_API olock_result olock_txn_update(olock_txn *t, const olock_item_request *req, uint64_t expected_version) {
    if (!req || !req->update || !*req->update) return OLOCK_ERR_INVALID_ARG;
    if (t && olock__check_own_attributes(t->c, req, "olock_txn_update", NULL) != OLOCK_OK) return OLOCK_ERR_INVALID_ARG;
    return olock__txn_add(t, OLOCK_TXN_UPDATE, req->table, req->key, NULL, req, expected_version);
}
OLOCK_API olock_result olock_txn_delete(olock_txn *t, const char *table, const olock_value *key, uint64_t expected_version) {
    return olock__txn_add(t, OLOCK_TXN_DELETE, table, key, NULL, NULL, expected_version);
}
OLOCK_API olock_result olock_txn_check(olock_txn *t, const char *table, const olock_value *key, uint64_t expected_version) {
    return olock__txn_add(t, OLOCK_TXN_CONDITION_CHECK, table, key, NULL, NULL, expected_version);
}

OLOCK_API uint64_t olock_txn_version(const olock_txn *t, size_t i) {
    return t && i < t->count ? t->actions[i].new_version : 0;
}
OLOCK_API const char *olock_txn_reason(const olock_txn *t, size_t i) {
    return t && i < t->count ? t->actions[i].reason : NULL;
}

/* One versioned action of a TransactWriteItems, into `out`: its strings and maps are copied
   into the task's scratch (the builder is reused for the next action). */
static olock_result olock__txn_action_request(olock_task *t, const olock__txn_action *a, olock_txn_action *out, uint64_t *new_version) {
    olock_arena *ar = &t->scratch;
    const olock_versioning *v = &t->c->versioning;
    olock_item_request r;
    olock_expr *e;
    olock_result rc = OLOCK_OK;
    e = olock__write_expr(t, a->names, a->values, &rc);
    if (!e) return rc;
    if (a->condition) olock_expr_add_condition(e, olock_cond_raw(e, a->condition));
    olock_expr_add_condition(e, olock__guard_head(t, e, a->basis, olock__version_cond(t, e, a->expected)));
    memset(out, 0, sizeof *out);
    out->kind = a->kind;
    out->req.table = a->table;
    out->req.key = a->key;
    out->req.return_values_on_condition_check_failure = OLOCK_RV_ALL_OLD;
    *new_version = a->expected;
    if (a->kind == OLOCK_TXN_PUT || a->kind == OLOCK_TXN_UPDATE) {
        olock_value *nv;
        rc = olock__next_version(v, a->expected, new_version);
        if (rc != OLOCK_OK) return olock__build_failed(t, rc, "version overflow: the version attribute cannot be incremented");
        nv = olock_value_new_u64(ar, *new_version);
        if (!nv) return OLOCK_ERR_NOMEM;
        if (a->kind == OLOCK_TXN_PUT) {
            olock_value *item = olock__map_clone(ar, a->item);
            if (!item || olock_map_put(ar, item, v->attribute, t->c->version_attribute_len, nv) != OLOCK_OK) return OLOCK_ERR_NOMEM;
            out->req.item = item;
        } else {
            if (a->update && *a->update) olock_expr_update_raw(e, a->update);
            olock_expr_set(e, olock__version_path(t, e), nv);
        }
    }
    memset(&r, 0, sizeof r);
    rc = olock_expr_render_item(e, &r, &t->err);
    if (rc != OLOCK_OK) return rc;
    out->req.condition = olock_arena_strdup(ar, r.condition, strlen(r.condition));
    out->req.update = r.update ? olock_arena_strdup(ar, r.update, strlen(r.update)) : NULL;
    out->req.names = r.names ? olock_value_copy(ar, r.names) : NULL;
    out->req.values = r.values ? olock_value_copy(ar, r.values) : NULL;
    if (!out->req.condition || (r.update && !out->req.update) || (r.names && !out->req.names) || (r.values && !out->req.values))
        return OLOCK_ERR_NOMEM;
    return OLOCK_OK;
}

static olock_result olock__build_txn_write(olock_task *t) {
    olock_txn *txn = t->txn;
    olock_txn_action *acts;
    size_t i;
    olock_result rc;
    acts = (olock_txn_action *)olock_arena_alloc(&t->scratch, sizeof *acts * (txn->count ? txn->count : 1));
    if (!acts) return OLOCK_ERR_NOMEM;
    for (i = 0; i < txn->count; i++) {
        rc = olock__txn_action_request(t, &txn->actions[i], &acts[i], &txn->actions[i].new_version);
        if (rc != OLOCK_OK) return rc;
    }
    t->op = OLOCK_OP_TRANSACT_WRITE_ITEMS;
    olock_buf_clear(&t->x.body);
    return olock_encode_transact_write(acts, txn->count, t->txn_token, &t->x.body, &t->err);
}

static olock_result olock__begin_txn(olock_task *t, olock_txn *txn, const char *fn, olock_error *err) {
    olock_result rc;
    if (!t) return olock__null_arg(err, fn, "t");
    if (!txn) return olock__null_arg(err, fn, "txn");
    if (txn->c != t->c) return olock__invalid_arg(err, "%s: txn was created on another client", fn);
    if (!txn->count) return olock__invalid_arg(err, "%s: txn has no actions", fn);
    if (txn->sticky != OLOCK_OK) {
        olock__error_set(err, txn->sticky, "%s: adding an action to txn failed earlier: %s", fn,
                         txn->sticky == OLOCK_ERR_LIMIT ? "more than 100 actions (DynamoDB's limit)" : olock_result_str(txn->sticky));
        return txn->sticky;
    }
    rc = olock__task_begin(t, OLOCK__K_TXN);
    if (rc != OLOCK_OK) return olock__task_begin_refused(t, fn, err);
    t->txn = txn;
    t->phase = OLOCK__PH_WRITE;
    t->writes = 1;
    /* One token per logical transaction: a resend after a lost response is applied once. */
    olock__new_token(t, t->txn_token, 36);
    return OLOCK_OK;
}

OLOCK_API olock_result olock_task_begin_txn(olock_task *t, olock_txn *txn) {
    olock_error why;
    olock_result rc;
    olock__error_clear(&why);
    rc = olock__begin_txn(t, txn, "olock_task_begin_txn", &why);
    return rc != OLOCK_OK ? olock__task_begin_failed(t, rc, &why) : rc;
}

OLOCK_API olock_result olock_txn_commit(olock_client *c, olock_txn *txn, olock_write_result *result, olock_error *err) {
    olock_task *t;
    olock_result rc = olock__blocking_task(c, "olock_txn_commit", &t, err);
    if (rc != OLOCK_OK) return rc;
    rc = olock__begin_txn(t, txn, "olock_txn_commit", err);
    return rc != OLOCK_OK ? olock__begin_failed(rc, err) : olock_task_run(t, result, err);
}

/* ---- multi-item read-modify-write ---------------------------------------------------------- */

static olock_result olock__build_many_read(olock_task *t) {
    olock_item_request *gets = (olock_item_request *)olock_arena_alloc(&t->scratch, sizeof *gets * t->key_count);
    size_t i;
    if (!gets) return OLOCK_ERR_NOMEM;
    memset(gets, 0, sizeof *gets * t->key_count);
    for (i = 0; i < t->key_count; i++) {
        gets[i].table = t->keys[i].table;
        gets[i].key = t->keys[i].key;
    }
    t->op = OLOCK_OP_TRANSACT_GET_ITEMS;
    olock_buf_clear(&t->x.body);
    return olock_encode_transact_get(gets, t->key_count, &t->x.body, &t->err);
}

static olock_result olock__build_many_write(olock_task *t) {
    olock_txn_action *acts = (olock_txn_action *)olock_arena_alloc(&t->scratch, sizeof *acts * t->key_count);
    size_t i;
    olock_result rc;
    if (!acts) return OLOCK_ERR_NOMEM;
    for (i = 0; i < t->key_count; i++) {
        olock__txn_action a;
        uint64_t nv;
        memset(&a, 0, sizeof a);
        a.expected = t->versions[i];
        a.basis = t->exists[i] ? t->items[i]->root : NULL;
        switch (t->each[i]) {
        case OLOCK_MUTATE_WRITE:
            a.kind = OLOCK_TXN_PUT;
            a.item = t->items[i]->root;
            break;
        case OLOCK_MUTATE_DELETE:
            if (!t->exists[i]) {
                a.kind = OLOCK_TXN_CONDITION_CHECK;
                break;
            }
            a.kind = OLOCK_TXN_DELETE;
            break;
        default: a.kind = OLOCK_TXN_CONDITION_CHECK; break;
        }
        rc = olock__txn_action_request(t, &a, &acts[i], &nv);
        if (rc != OLOCK_OK) return rc;
        acts[i].req.table = t->keys[i].table;
        if (a.kind != OLOCK_TXN_PUT) acts[i].req.key = t->keys[i].key;
    }
    t->op = OLOCK_OP_TRANSACT_WRITE_ITEMS;
    olock_buf_clear(&t->x.body);
    return olock_encode_transact_write(acts, t->key_count, t->txn_token, &t->x.body, &t->err);
}

static olock_result olock__begin_update_many(olock_task *t, const olock_key_ref *keys, size_t count,
                                             olock_mutate_many_fn fn, void *user, const char *name, olock_error *err) {
    olock_client *c;
    olock_result rc;
    size_t i;
    if (!t) return olock__null_arg(err, name, "t");
    if (!keys) return olock__null_arg(err, name, "keys");
    if (!count) return olock__invalid_arg(err, "%s: count is 0", name);
    if (!fn) return olock__null_arg(err, name, "fn");
    if (count > 100) { /* DynamoDB's limit per transaction */
        olock__error_set(err, OLOCK_ERR_LIMIT, "%s: count is %lu, more than the 100 items of a transaction", name, (unsigned long)count);
        return OLOCK_ERR_LIMIT;
    }
    c = t->c;
    for (i = 0; i < count; i++)
        if (!keys[i].table || !*keys[i].table || !keys[i].key || keys[i].key->type != OLOCK_TYPE_M)
            return olock__invalid_arg(err, "%s: keys[%lu].%s", name, (unsigned long)i,
                                      !keys[i].table || !*keys[i].table ? "table is NULL or empty"
                                          : !keys[i].key                ? "key is NULL"
                                                                        : "key is not a map of the key attributes");
    if (!t->items) {
        t->items = (olock_item **)olock__alloc(&c->alloc, sizeof *t->items * 100);
        t->exists = (int *)olock__alloc(&c->alloc, sizeof *t->exists * 100);
        t->each = (olock_mutation *)olock__alloc(&c->alloc, sizeof *t->each * 100);
        t->versions = (uint64_t *)olock__alloc(&c->alloc, sizeof *t->versions * 100);
        if (t->items) memset(t->items, 0, sizeof *t->items * 100);
        if (!t->items || !t->exists || !t->each || !t->versions) {
            olock__many_free(t);
            return OLOCK_ERR_NOMEM;
        }
    }
    for (i = 0; i < count; i++)
        if (!t->items[i] && olock_item_create(&c->alloc, &t->items[i]) != OLOCK_OK) return OLOCK_ERR_NOMEM;
    rc = olock__task_begin(t, OLOCK__K_MANY);
    if (rc != OLOCK_OK) return olock__task_begin_refused(t, name, err);
    t->keys = keys;
    t->key_count = count;
    t->fn_many = fn;
    t->user = user;
    t->phase = OLOCK__PH_READ;
    return OLOCK_OK;
}

OLOCK_API olock_result olock_task_begin_update_many(olock_task *t, const olock_key_ref *keys, size_t count,
                                                    olock_mutate_many_fn fn, void *user) {
    olock_error why;
    olock_result rc;
    olock__error_clear(&why);
    rc = olock__begin_update_many(t, keys, count, fn, user, "olock_task_begin_update_many", &why);
    return rc != OLOCK_OK && why.code ? olock__task_begin_failed(t, rc, &why) : rc;
}

OLOCK_API olock_result olock_update_many(olock_client *c, const olock_key_ref *keys, size_t count,
                                         olock_mutate_many_fn fn, void *user, olock_write_result *result, olock_error *err) {
    olock_task *t;
    olock_result rc = olock__blocking_task(c, "olock_update_many", &t, err);
    if (rc != OLOCK_OK) return rc;
    rc = olock__begin_update_many(t, keys, count, fn, user, "olock_update_many", err);
    return rc != OLOCK_OK ? olock__begin_failed(rc, err) : olock_task_run(t, result, err);
}
