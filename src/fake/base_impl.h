/* =============================================================================================
   >>base (implementation)
   ========================================================================================== */

/* ---- platform: one mutex per fake ---------------------------------------------------------- */
#ifdef _WIN32
typedef CRITICAL_SECTION olock__fake_mutex;
static int olock__fake_mutex_init(olock__fake_mutex *m) {
    InitializeCriticalSection(m);
    return 0;
}
static void olock__fake_mutex_lock(olock__fake_mutex *m) { EnterCriticalSection(m); }
static void olock__fake_mutex_unlock(olock__fake_mutex *m) { LeaveCriticalSection(m); }
static void olock__fake_mutex_destroy(olock__fake_mutex *m) { DeleteCriticalSection(m); }
#else
typedef pthread_mutex_t olock__fake_mutex;
static int olock__fake_mutex_init(olock__fake_mutex *m) { return pthread_mutex_init(m, NULL); }
static void olock__fake_mutex_lock(olock__fake_mutex *m) { pthread_mutex_lock(m); }
static void olock__fake_mutex_unlock(olock__fake_mutex *m) { pthread_mutex_unlock(m); }
static void olock__fake_mutex_destroy(olock__fake_mutex *m) { pthread_mutex_destroy(m); }
#endif

/* ---- allocation: everything goes through the configured allocator -------------------------- */
static void *olock__fake_std_malloc(void *ctx, size_t size) {
    (void)ctx;
    return malloc(size);
}
static void *olock__fake_std_realloc(void *ctx, void *p, size_t old_size, size_t new_size) {
    (void)ctx;
    (void)old_size;
    return realloc(p, new_size);
}
static void olock__fake_std_free(void *ctx, void *p, size_t size) {
    (void)ctx;
    (void)size;
    free(p);
}

static void *olock__fake_malloc(const olock_allocator *al, size_t size) { return size ? al->malloc_fn(al->ctx, size) : NULL; }
static void olock__fake_free(const olock_allocator *al, void *p, size_t size) {
    if (p) al->free_fn(al->ctx, p, size);
}

/* Grows an array of `elem`-sized members to hold at least `need`; 0 or -1 (OOM/overflow). */
static int olock__fake_grow(const olock_allocator *al, void **arr, size_t *cap, size_t need, size_t elem) {
    size_t ncap;
    void *p;
    if (need <= *cap) return 0;
    ncap = *cap ? *cap : 4;
    while (ncap < need) {
        if (ncap > ((size_t)-1) / 2) return -1;
        ncap *= 2;
    }
    if (ncap > ((size_t)-1) / elem) return -1;
    if (*arr) p = al->realloc_fn(al->ctx, *arr, *cap * elem, ncap * elem);
    else p = al->malloc_fn(al->ctx, ncap * elem);
    if (!p) return -1;
    *arr = p;
    *cap = ncap;
    return 0;
}

/* ---- reserved words ------------------------------------------------------------------------ */
/* Generated once from shared/data/dynamodb-reserved-words.txt (Amazon DynamoDB Developer
   Guide, "Reserved words in DynamoDB"): 573 words, upper case, sorted by byte value, so a
   case-insensitive lookup is a binary search on the upper-cased name. */
static const char *const olock__fake_reserved[] = {
    "ABORT",
    "ABSOLUTE",
    "ACTION",
    "ADD",
    "AFTER",
    "AGENT",
    "AGGREGATE",
    "ALL",
    "ALLOCATE",
    "ALTER",
    "ANALYZE",
    "AND",
    "ANY",
    "ARCHIVE",
    "ARE",
    "ARRAY",
    "AS",
    "ASC",
    "ASCII",
    "ASENSITIVE",
    "ASSERTION",
    "ASYMMETRIC",
    "AT",
    "ATOMIC",
    "ATTACH",
    "ATTRIBUTE",
    "AUTH",
    "AUTHORIZATION",
    "AUTHORIZE",
    "AUTO",
    "AVG",
    "BACK",
    "BACKUP",
    "BASE",
    "BATCH",
    "BEFORE",
    "BEGIN",
    "BETWEEN",
    "BIGINT",
    "BINARY",
    "BIT",
    "BLOB",
    "BLOCK",
    "BOOLEAN",
    "BOTH",
    "BREADTH",
    "BUCKET",
    "BULK",
    "BY",
    "BYTE",
    "CALL",
    "CALLED",
    "CALLING",
    "CAPACITY",
    "CASCADE",
    "CASCADED",
    "CASE",
    "CAST",
    "CATALOG",
    "CHAR",
    "CHARACTER",
    "CHECK",
    "CLASS",
    "CLOB",
    "CLOSE",
    "CLUSTER",
    "CLUSTERED",
    "CLUSTERING",
    "CLUSTERS",
    "COALESCE",
    "COLLATE",
    "COLLATION",
    "COLLECTION",
    "COLUMN",
    "COLUMNS",
    "COMBINE",
    "COMMENT",
    "COMMIT",
    "COMPACT",
    "COMPILE",
    "COMPRESS",
    "CONDITION",
    "CONFLICT",
    "CONNECT",
    "CONNECTION",
    "CONSISTENCY",
    "CONSISTENT",
    "CONSTRAINT",
    "CONSTRAINTS",
    "CONSTRUCTOR",
    "CONSUMED",
    "CONTINUE",
    "CONVERT",
    "COPY",
    "CORRESPONDING",
    "COUNT",
    "COUNTER",
    "CREATE",
    "CROSS",
    "CUBE",
    "CURRENT",
    "CURSOR",
    "CYCLE",
    "DATA",
    "DATABASE",
    "DATE",
    "DATETIME",
    "DAY",
    "DEALLOCATE",
    "DEC",
    "DECIMAL",
    "DECLARE",
    "DEFAULT",
    "DEFERRABLE",
    "DEFERRED",
    "DEFINE",
    "DEFINED",
    "DEFINITION",
    "DELETE",
    "DELIMITED",
    "DEPTH",
    "DEREF",
    "DESC",
    "DESCRIBE",
    "DESCRIPTOR",
    "DETACH",
    "DETERMINISTIC",
    "DIAGNOSTICS",
    "DIRECTORIES",
    "DISABLE",
    "DISCONNECT",
    "DISTINCT",
    "DISTRIBUTE",
    "DO",
    "DOMAIN",
    "DOUBLE",
    "DROP",
    "DUMP",
    "DURATION",
    "DYNAMIC",
    "EACH",
    "ELEMENT",
    "ELSE",
    "ELSEIF",
    "EMPTY",
    "ENABLE",
    "END",
    "EQUAL",
    "EQUALS",
    "ERROR",
    "ESCAPE",
    "ESCAPED",
    "EVAL",
    "EVALUATE",
    "EXCEEDED",
    "EXCEPT",
    "EXCEPTION",
    "EXCEPTIONS",
    "EXCLUSIVE",
    "EXEC",
    "EXECUTE",
    "EXISTS",
    "EXIT",
    "EXPLAIN",
    "EXPLODE",
    "EXPORT",
    "EXPRESSION",
    "EXTENDED",
    "EXTERNAL",
    "EXTRACT",
    "FAIL",
    "FALSE",
    "FAMILY",
    "FETCH",
    "FIELDS",
    "FILE",
    "FILTER",
    "FILTERING",
    "FINAL",
    "FINISH",
    "FIRST",
    "FIXED",
    "FLATTERN",
    "FLOAT",
    "FOR",
    "FORCE",
    "FOREIGN",
    "FORMAT",
    "FORWARD",
    "FOUND",
    "FREE",
    "FROM",
    "FULL",
    "FUNCTION",
    "FUNCTIONS",
    "GENERAL",
    "GENERATE",
    "GET",
    "GLOB",
    "GLOBAL",
    "GO",
    "GOTO",
    "GRANT",
    "GREATER",
    "GROUP",
    "GROUPING",
    "HANDLER",
    "HASH",
    "HAVE",
    "HAVING",
    "HEAP",
    "HIDDEN",
    "HOLD",
    "HOUR",
    "IDENTIFIED",
    "IDENTITY",
    "IF",
    "IGNORE",
    "IMMEDIATE",
    "IMPORT",
    "IN",
    "INCLUDING",
    "INCLUSIVE",
    "INCREMENT",
    "INCREMENTAL",
    "INDEX",
    "INDEXED",
    "INDEXES",
    "INDICATOR",
    "INFINITE",
    "INITIALLY",
    "INLINE",
    "INNER",
    "INNTER",
    "INOUT",
    "INPUT",
    "INSENSITIVE",
    "INSERT",
    "INSTEAD",
    "INT",
    "INTEGER",
    "INTERSECT",
    "INTERVAL",
    "INTO",
    "INVALIDATE",
    "IS",
    "ISOLATION",
    "ITEM",
    "ITEMS",
    "ITERATE",
    "JOIN",
    "KEY",
    "KEYS",
    "LAG",
    "LANGUAGE",
    "LARGE",
    "LAST",
    "LATERAL",
    "LEAD",
    "LEADING",
    "LEAVE",
    "LEFT",
    "LENGTH",
    "LESS",
    "LEVEL",
    "LIKE",
    "LIMIT",
    "LIMITED",
    "LINES",
    "LIST",
    "LOAD",
    "LOCAL",
    "LOCALTIME",
    "LOCALTIMESTAMP",
    "LOCATION",
    "LOCATOR",
    "LOCK",
    "LOCKS",
    "LOG",
    "LOGED",
    "LONG",
    "LOOP",
    "LOWER",
    "MAP",
    "MATCH",
    "MATERIALIZED",
    "MAX",
    "MAXLEN",
    "MEMBER",
    "MERGE",
    "METHOD",
    "METRICS",
    "MIN",
    "MINUS",
    "MINUTE",
    "MISSING",
    "MOD",
    "MODE",
    "MODIFIES",
    "MODIFY",
    "MODULE",
    "MONTH",
    "MULTI",
    "MULTISET",
    "NAME",
    "NAMES",
    "NATIONAL",
    "NATURAL",
    "NCHAR",
    "NCLOB",
    "NEW",
    "NEXT",
    "NO",
    "NONE",
    "NOT",
    "NULL",
    "NULLIF",
    "NUMBER",
    "NUMERIC",
    "OBJECT",
    "OF",
    "OFFLINE",
    "OFFSET",
    "OLD",
    "ON",
    "ONLINE",
    "ONLY",
    "OPAQUE",
    "OPEN",
    "OPERATOR",
    "OPTION",
    "OR",
    "ORDER",
    "ORDINALITY",
    "OTHER",
    "OTHERS",
    "OUT",
    "OUTER",
    "OUTPUT",
    "OVER",
    "OVERLAPS",
    "OVERRIDE",
    "OWNER",
    "PAD",
    "PARALLEL",
    "PARAMETER",
    "PARAMETERS",
    "PARTIAL",
    "PARTITION",
    "PARTITIONED",
    "PARTITIONS",
    "PATH",
    "PERCENT",
    "PERCENTILE",
    "PERMISSION",
    "PERMISSIONS",
    "PIPE",
    "PIPELINED",
    "PLAN",
    "POOL",
    "POSITION",
    "PRECISION",
    "PREPARE",
    "PRESERVE",
    "PRIMARY",
    "PRIOR",
    "PRIVATE",
    "PRIVILEGES",
    "PROCEDURE",
    "PROCESSED",
    "PROJECT",
    "PROJECTION",
    "PROPERTY",
    "PROVISIONING",
    "PUBLIC",
    "PUT",
    "QUERY",
    "QUIT",
    "QUORUM",
    "RAISE",
    "RANDOM",
    "RANGE",
    "RANK",
    "RAW",
    "READ",
    "READS",
    "REAL",
    "REBUILD",
    "RECORD",
    "RECURSIVE",
    "REDUCE",
    "REF",
    "REFERENCE",
    "REFERENCES",
    "REFERENCING",
    "REGEXP",
    "REGION",
    "REINDEX",
    "RELATIVE",
    "RELEASE",
    "REMAINDER",
    "RENAME",
    "REPEAT",
    "REPLACE",
    "REQUEST",
    "RESET",
    "RESIGNAL",
    "RESOURCE",
    "RESPONSE",
    "RESTORE",
    "RESTRICT",
    "RESULT",
    "RETURN",
    "RETURNING",
    "RETURNS",
    "REVERSE",
    "REVOKE",
    "RIGHT",
    "ROLE",
    "ROLES",
    "ROLLBACK",
    "ROLLUP",
    "ROUTINE",
    "ROW",
    "ROWS",
    "RULE",
    "RULES",
    "SAMPLE",
    "SATISFIES",
    "SAVE",
    "SAVEPOINT",
    "SCAN",
    "SCHEMA",
    "SCOPE",
    "SCROLL",
    "SEARCH",
    "SECOND",
    "SECTION",
    "SEGMENT",
    "SEGMENTS",
    "SELECT",
    "SELF",
    "SEMI",
    "SENSITIVE",
    "SEPARATE",
    "SEQUENCE",
    "SERIALIZABLE",
    "SESSION",
    "SET",
    "SETS",
    "SHARD",
    "SHARE",
    "SHARED",
    "SHORT",
    "SHOW",
    "SIGNAL",
    "SIMILAR",
    "SIZE",
    "SKEWED",
    "SMALLINT",
    "SNAPSHOT",
    "SOME",
    "SOURCE",
    "SPACE",
    "SPACES",
    "SPARSE",
    "SPECIFIC",
    "SPECIFICTYPE",
    "SPLIT",
    "SQL",
    "SQLCODE",
    "SQLERROR",
    "SQLEXCEPTION",
    "SQLSTATE",
    "SQLWARNING",
    "START",
    "STATE",
    "STATIC",
    "STATUS",
    "STORAGE",
    "STORE",
    "STORED",
    "STREAM",
    "STRING",
    "STRUCT",
    "STYLE",
    "SUB",
    "SUBMULTISET",
    "SUBPARTITION",
    "SUBSTRING",
    "SUBTYPE",
    "SUM",
    "SUPER",
    "SYMMETRIC",
    "SYNONYM",
    "SYSTEM",
    "TABLE",
    "TABLESAMPLE",
    "TEMP",
    "TEMPORARY",
    "TERMINATED",
    "TEXT",
    "THAN",
    "THEN",
    "THROUGHPUT",
    "TIME",
    "TIMESTAMP",
    "TIMEZONE",
    "TINYINT",
    "TO",
    "TOKEN",
    "TOTAL",
    "TOUCH",
    "TRAILING",
    "TRANSACTION",
    "TRANSFORM",
    "TRANSLATE",
    "TRANSLATION",
    "TREAT",
    "TRIGGER",
    "TRIM",
    "TRUE",
    "TRUNCATE",
    "TTL",
    "TUPLE",
    "TYPE",
    "UNDER",
    "UNDO",
    "UNION",
    "UNIQUE",
    "UNIT",
    "UNKNOWN",
    "UNLOGGED",
    "UNNEST",
    "UNPROCESSED",
    "UNSIGNED",
    "UNTIL",
    "UPDATE",
    "UPPER",
    "URL",
    "USAGE",
    "USE",
    "USER",
    "USERS",
    "USING",
    "UUID",
    "VACUUM",
    "VALUE",
    "VALUED",
    "VALUES",
    "VARCHAR",
    "VARIABLE",
    "VARIANCE",
    "VARINT",
    "VARYING",
    "VIEW",
    "VIEWS",
    "VIRTUAL",
    "VOID",
    "WAIT",
    "WHEN",
    "WHENEVER",
    "WHERE",
    "WHILE",
    "WINDOW",
    "WITH",
    "WITHIN",
    "WITHOUT",
    "WORK",
    "WRAPPED",
    "WRITE",
    "YEAR",
    "ZONE",
};

static int olock__fake_ieq(const char *s, size_t len, const char *kw) {
    size_t i;
    if (strlen(kw) != len) return 0;
    for (i = 0; i < len; i++) {
        char ch = s[i];
        if (ch >= 'a' && ch <= 'z') ch = (char)(ch - 'a' + 'A');
        if (ch != kw[i]) return 0;
    }
    return 1;
}

static int olock__fake_is_reserved(const char *s, size_t len) {
    size_t lo = 0, hi = sizeof(olock__fake_reserved) / sizeof(olock__fake_reserved[0]);
    char up[32];
    size_t i;
    if (len == 0 || len >= sizeof(up)) return 0;
    /* DynamoDB Local accepts these two listed words as plain attribute names */
    if (olock__fake_ieq(s, len, "SIZE") || olock__fake_ieq(s, len, "CONVERT")) return 0;
    for (i = 0; i < len; i++) {
        char ch = s[i];
        up[i] = (ch >= 'a' && ch <= 'z') ? (char)(ch - 'a' + 'A') : ch;
    }
    up[len] = 0;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(up, olock__fake_reserved[mid]);
        if (c == 0) return 1;
        if (c < 0) hi = mid;
        else lo = mid + 1;
    }
    return 0;
}

/* ---- the store: tables, partitions, items -------------------------------------------------- */

typedef struct olock__fake_attr {
    char *name; /* owned, NUL-terminated */
    size_t len;
    olock_type type; /* S, N or B */
} olock__fake_attr;

/* One stored item. The olock_item is never changed in place: a write builds a new one and
   swaps the pointer, so a failed write leaves the old item untouched. */
typedef struct olock__fake_entry {
    olock_item *item;
    const olock_value *range; /* the range key value inside item; NULL for hash-only */
    size_t size;              /* DynamoDB item size (TableSizeBytes) */
    int sorted;               /* every map in item is in name order (an update sorted it) */
} olock__fake_entry;

/* All items that share a hash key, ordered by range key (what Query walks). */
typedef struct olock__fake_part {
    uint64_t hash;
    unsigned char digest[20]; /* the hash key's place in Scan order (olock__fake_key_digest) */
    char *key;                /* canonical bytes of the hash key value, owned */
    size_t key_len;
    olock__fake_entry *items;
    size_t count, cap;
} olock__fake_part;

/* A secondary index as CreateTable defined it: DescribeTable reports it, writes check its key
   types, and Query / Scan on it sort the table's items into its order when they run. */
typedef struct olock__fake_index {
    char *name;
    size_t name_len;
    int global;              /* GSI (1) or LSI (0) */
    olock__fake_attr key[2]; /* HASH, RANGE; names shared with the table's defs */
    size_t key_count;
    int projection;     /* 1 ALL, 2 KEYS_ONLY, 3 INCLUDE */
    char **non_key;     /* INCLUDE's NonKeyAttributes, owned */
    int non_key_listed; /* NonKeyAttributes given (DescribeTable repeats even an empty one) */
    size_t *non_key_len;
    size_t non_key_count;
    int has_throughput; /* GSI of a PROVISIONED table */
    uint64_t rcu, wcu;
    uint64_t item_count, size_bytes;
    int status;        /* OLOCK__FAKE_INDEX_ACTIVE, _CREATING or _DELETING */
    uint64_t until_ms; /* virtual clock at which CREATING / DELETING ends */
    int online;        /* added by UpdateTable: DynamoDB Local describes it differently */
    int own_keys;      /* key names copied (a DELETING index outlives its definitions) */
} olock__fake_index;

/* Index lifecycle on the virtual clock: an index added by UpdateTable is CREATING, one being
   dropped DELETING, each for OLOCK__FAKE_INDEX_MS (DynamoDB Local 3.3.1 took 0.75-0.85 s). */
#define OLOCK__FAKE_INDEX_ACTIVE 0
#define OLOCK__FAKE_INDEX_CREATING 1
#define OLOCK__FAKE_INDEX_DELETING 2
#define OLOCK__FAKE_INDEX_MS 1000

typedef struct olock__fake_table {
    char *name;
    size_t name_len;
    olock__fake_attr *defs; /* AttributeDefinitions, in request order */
    size_t def_count;
    olock__fake_attr key[2]; /* HASH, then RANGE; names shared with defs */
    size_t key_count;
    int billing; /* 0: not given, 1: PROVISIONED, 2: PAY_PER_REQUEST */
    int deletion_protection;
    uint64_t rcu, wcu;
    uint64_t created;         /* virtual clock at creation */
    olock__fake_part **parts; /* open addressing, linear probing on part->hash */
    size_t part_cap, part_count;
    uint64_t item_count, size_bytes;
    olock__fake_index *indexes; /* LSIs first, then GSIs, each in request order */
    size_t index_count, index_cap;
} olock__fake_table;

/* A scripted fault rule (olock_fake_inject). */
typedef struct olock__fake_rule {
    olock_fake_fault fault;
    unsigned count; /* requests it still applies to */
    olock_op op;    /* 0: any */
    char *table;    /* owned; NULL: any */
    size_t table_len;
} olock__fake_rule;

/* A TransactWriteItems that succeeded with a ClientRequestToken, remembered for 10 minutes
   of the virtual clock (an open-addressing table on the token; token NULL: free slot). */
typedef struct olock__fake_token {
    char *token; /* owned */
    size_t len;
    uint64_t digest; /* of the request, members in any order */
    uint64_t at_ms;  /* virtual clock when it was applied */
} olock__fake_token;

/* Compiled expressions kept across requests (>>xcache). */
typedef struct olock__fake_xcache olock__fake_xcache;

struct olock_fake {
    olock_allocator alloc;
    olock__fake_mutex mu;
    olock__fake_table **tables; /* sorted by name, as ListTables returns them */
    size_t table_count, table_cap;
    olock_arena arena;  /* per request: reset, never shrunk */
    olock_buf out;      /* response body under construction */
    uint64_t ticks;     /* one per request (creation times); no wall clock */
    uint64_t now_ms;    /* the virtual clock (olock_fake_now_ms) */
    char *version_attr; /* owned; what a CONFLICT fault bumps */
    size_t version_len;
    uint64_t latency_ms;
    olock__fake_rule *rules; /* scripted faults, in order */
    size_t rule_count, rule_cap;
    int random_on;
    uint64_t rng; /* splitmix64 state */
    unsigned percent[OLOCK_FAKE_FAULT_COUNT_];
    unsigned long fault_counts[OLOCK_FAKE_FAULT_COUNT_];
    olock__fake_token *tokens; /* hash table of token_cap slots (a power of two) */
    size_t token_count, token_cap;
    size_t pending_indexes;     /* indexes CREATING or DELETING, in all tables */
    olock__fake_xcache *xcache; /* NULL until an expression is first kept */
    olock_item *spare[4];       /* emptied items kept for the next stored one (olock__fake_item_new) */
    size_t spare_count;
};

/* Every item the fake stores lives in an olock_item of its own. One that is replaced, deleted
   or compacted away is emptied and kept (a few, and only small ones) for the next item stored,
   so a steady stream of writes allocates nothing. Under the fake's mutex, as all of the store. */
#define OLOCK__FAKE_SPARE_BYTES 262144 /* an item whose arena grew past this is freed, not kept */

static olock_result olock__fake_item_new(olock_fake *f, olock_item **out) {
    if (f->spare_count) {
        *out = f->spare[--f->spare_count];
        return OLOCK_OK;
    }
    return olock_item_create(&f->alloc, out);
}

static void olock__fake_item_drop(olock_fake *f, olock_item *it) {
    if (!it) return;
    if (f->spare_count < sizeof f->spare / sizeof f->spare[0] && olock_item_arena(it)->total <= OLOCK__FAKE_SPARE_BYTES) {
        olock_arena_reset(olock_item_arena(it));
        it->root = NULL;
        f->spare[f->spare_count++] = it;
        return;
    }
    olock_item_destroy(it);
}

/* ---- request context and error responses --------------------------------------------------- */

/* One entry of a TransactionCanceledException's CancellationReasons. */
#define OLOCK__FAKE_REASON_NONE 0
#define OLOCK__FAKE_REASON_CONDITION 1
#define OLOCK__FAKE_REASON_VALIDATION 2
typedef struct olock__fake_reason {
    int code;                /* OLOCK__FAKE_REASON_* */
    const char *msg;         /* NULL for NONE */
    const olock_value *item; /* ALL_OLD item, in the request arena, or NULL */
} olock__fake_reason;

/* The request body's members by the length of their names, for the many lookups of request
   members: a name no other member's length shares is found (or known absent) at once. */
#define OLOCK__FAKE_TOP_LEN 40 /* longer names are looked up member by member */
typedef struct olock__fake_top {
    const olock_json *obj;                         /* the object indexed (the request body), or NULL */
    uint64_t several;                              /* bit n: members with different names of length n */
    const olock_json *by_len[OLOCK__FAKE_TOP_LEN]; /* the last member of each length */
} olock__fake_top;

typedef struct olock__fake_ctx {
    olock_fake *f;
    olock_arena *a;
    olock_buf *out;
    const olock_json *body;
    int status;
    const char *err_type; /* full __type; NULL while the request succeeds */
    char *err_msg;
    size_t err_len;
    const olock_value *err_item;              /* ALL_OLD item of a ConditionalCheckFailedException */
    const struct olock__fake_reason *reasons; /* CancellationReasons of a TransactionCanceledException */
    size_t nreasons;
    int keep_scale;  /* numbers keep their scale (ExpressionAttributeValues) */
    int unprocessed; /* OLOCK_FAKE_FAULT_UNPROCESSED: a batch does half */
    int oom;
    olock__fake_top top; /* c->body's members (olock__fake_body_get) */
} olock__fake_ctx;

static int olock__fake_oom(olock__fake_ctx *c) {
    c->oom = 1;
    return -1;
}

static void *olock__fake_alloc(olock__fake_ctx *c, size_t size) {
    void *p = olock_arena_alloc(c->a, size ? size : 1);
    if (!p) c->oom = 1;
    return p;
}

static char *olock__fake_strdup(olock__fake_ctx *c, const char *s, size_t len) {
    char *p = olock_arena_strdup(c->a, s, len);
    if (!p) c->oom = 1;
    return p;
}

/* Records the first error of a request; returns -1 so callers can `return olock__fake_err(..)`. */
static int olock__fake_verr(olock__fake_ctx *c, int status, const char *type, const char *fmt, va_list ap) {
    va_list ap2;
    int n;
    char small[256], *m;
    if (c->err_type || c->oom) return -1;
    /* formatted into a stack buffer first (most messages fit), and again into the arena when
       longer; no vsnprintf(NULL, 0, ..) size probe, which some gcc builds warn about */
    va_copy(ap2, ap);
    n = vsnprintf(small, sizeof(small), fmt, ap2);
    va_end(ap2);
    if (n < 0) {
        n = 0;
        small[0] = 0;
    }
    m = (char *)olock__fake_alloc(c, (size_t)n + 1);
    if (!m) return -1;
    if ((size_t)n < sizeof(small)) memcpy(m, small, (size_t)n + 1);
    else vsnprintf(m, (size_t)n + 1, fmt, ap);
    c->status = status;
    c->err_type = type;
    c->err_msg = m;
    c->err_len = (size_t)n;
    return -1;
}

static int olock__fake_err(olock__fake_ctx *c, int status, const char *type, const char *fmt, ...)
    OLOCK__FAKE_PRINTF(4, 5);
static int olock__fake_err(olock__fake_ctx *c, int status, const char *type, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    olock__fake_verr(c, status, type, fmt, ap);
    va_end(ap);
    return -1;
}

/* A ValidationException, the answer to most bad requests. */
static int olock__fake_verror(olock__fake_ctx *c, const char *fmt, ...) OLOCK__FAKE_PRINTF(2, 3);
static int olock__fake_verror(olock__fake_ctx *c, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    olock__fake_verr(c, 400, OLOCK__FAKE_VALIDATION, fmt, ap);
    va_end(ap);
    return -1;
}

/* What DynamoDB Local answers when a request member has the wrong JSON shape (its JSON
   mapper throws and the server reports an unknown failure). */
static int olock__fake_shape(olock__fake_ctx *c) {
    return olock__fake_err(c, 500, OLOCK__FAKE_NS "InternalFailure", "%s",
                           "The request processing has failed because of an unknown error, exception or failure.");
}

static int olock__fake_no_table(olock__fake_ctx *c) {
    return olock__fake_err(c, 400, OLOCK__FAKE_NS "ResourceNotFoundException", "%s",
                           "Cannot do operations on a non-existent table");
}

/* ---- request JSON: members and scalar coercion --------------------------------------------- */

/* The last member of that name (DynamoDB Local's JSON mapper keeps the last duplicate);
   a JSON null counts as absent. */
static const olock_json *olock__fake_get_n(const olock_json *obj, const char *key, size_t klen) {
    const olock_json *m, *found = NULL;
    if (!obj || obj->kind != OLOCK_JSON_OBJECT) return NULL;
    for (m = obj->first; m; m = m->next)
        if (m->key_len == klen && m->key[0] == key[0] && memcmp(m->key, key, klen) == 0) found = m;
    if (found && found->kind == OLOCK_JSON_NULL) return NULL;
    return found;
}

/* Request members are looked up by literal name: no strlen on the hot path. */
#define olock__fake_get(obj, lit) olock__fake_get_n((obj), (lit), sizeof(lit) - 1)

/* Indexes obj's members by name length (olock__fake_top) for olock__fake_body_get_n. */
static void olock__fake_top_build(olock__fake_top *x, const olock_json *obj) {
    const olock_json *m;
    memset(x, 0, sizeof(*x));
    x->obj = obj;
    for (m = obj->first; m; m = m->next) {
        const olock_json **slot;
        if (m->key_len >= OLOCK__FAKE_TOP_LEN) continue;
        slot = &x->by_len[m->key_len];
        if (*slot && memcmp((*slot)->key, m->key, m->key_len) != 0) x->several |= (uint64_t)1 << m->key_len;
        *slot = m; /* the last one of a name, as olock__fake_get_n finds it */
    }
}

/* olock__fake_get_n, through the index when obj is the one indexed. */
static const olock_json *olock__fake_body_get_n(const olock__fake_ctx *c, const olock_json *obj, const char *key, size_t klen) {
    const olock_json *m;
    if (obj != c->top.obj || klen >= OLOCK__FAKE_TOP_LEN || ((c->top.several >> klen) & 1)) return olock__fake_get_n(obj, key, klen);
    m = c->top.by_len[klen];
    if (!m || memcmp(m->key, key, klen) != 0 || m->kind == OLOCK_JSON_NULL) return NULL;
    return m;
}

/* A member of the request body by literal name. */
#define olock__fake_body_get(c, lit) olock__fake_body_get_n((c), (c)->body, (lit), sizeof("" lit) - 1)

/* A scalar's text: a string or number as it is, a boolean as true/false; 0 for anything else. */
static int olock__fake_scalar_text(const olock_json *j, const char **s, size_t *len) {
    switch (j->kind) {
    case OLOCK_JSON_STRING:
    case OLOCK_JSON_NUMBER:
        *s = j->str;
        *len = j->len;
        return 1;
    case OLOCK_JSON_TRUE:
        *s = "true";
        *len = 4;
        return 1;
    case OLOCK_JSON_FALSE:
        *s = "false";
        *len = 5;
        return 1;
    default: return 0;
    }
}

/* A string member; numbers and booleans are coerced to their text as the JSON mapper does.
   0: absent, 1: present, -1: wrong shape (error set). */
static int olock__fake_get_str_n(olock__fake_ctx *c, const olock_json *obj, const char *key, size_t klen,
                                 const char **s, size_t *len) {
    const olock_json *j = olock__fake_body_get_n(c, obj, key, klen);
    *s = NULL;
    *len = 0;
    if (!j) return 0;
    return olock__fake_scalar_text(j, s, len) ? 1 : olock__fake_shape(c);
}

/* ... by literal name (a string literal only: "" lit) */
#define olock__fake_get_str(c, obj, lit, s, len) olock__fake_get_str_n((c), (obj), (lit), sizeof("" lit) - 1, (s), (len))

/* A boolean member (true/false, or the strings "true"/"false"). */
static int olock__fake_get_bool(olock__fake_ctx *c, const olock_json *obj, const char *key, int *out) {
    const olock_json *j = olock__fake_body_get_n(c, obj, key, strlen(key));
    *out = 0;
    if (!j) return 0;
    if (j->kind == OLOCK_JSON_TRUE) {
        *out = 1;
        return 1;
    }
    if (j->kind == OLOCK_JSON_FALSE) return 1;
    if (j->kind == OLOCK_JSON_STRING && j->len == 4 && memcmp(j->str, "true", 4) == 0) {
        *out = 1;
        return 1;
    }
    if (j->kind == OLOCK_JSON_STRING && j->len == 5 && memcmp(j->str, "false", 5) == 0) return 1;
    return olock__fake_shape(c);
}

/* An integer member (JSON number, or a string holding one). */
static int olock__fake_get_int(olock__fake_ctx *c, const olock_json *obj, const char *key, long long *out) {
    const olock_json *j = olock__fake_body_get_n(c, obj, key, strlen(key));
    const char *s;
    size_t i = 0, n;
    int neg = 0;
    long long v = 0;
    if (!j) return 0;
    if (j->kind != OLOCK_JSON_NUMBER && j->kind != OLOCK_JSON_STRING) return olock__fake_shape(c);
    s = j->str;
    n = j->len;
    if (i < n && (s[i] == '-' || s[i] == '+')) {
        neg = s[i] == '-';
        i++;
    }
    if (i == n) return olock__fake_shape(c);
    for (; i < n; i++) {
        if (s[i] < '0' || s[i] > '9') return olock__fake_shape(c);
        if (v > (0x7fffffffffffffffLL - 9) / 10) return olock__fake_shape(c);
        v = v * 10 + (s[i] - '0');
    }
    *out = neg ? -v : v;
    return 1;
}

static int olock__fake_streq(const char *s, size_t len, const char *lit) {
    size_t n = strlen(lit);
    return len == n && memcmp(s, lit, n) == 0;
}
