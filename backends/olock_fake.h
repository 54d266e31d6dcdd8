/* GENERATED from the parts listed in src/fake/olock_fake.parts: edit them and run `make amalgamate`, not this file. */
/* olock_fake.h - v0.1.0 - an in-memory Amazon DynamoDB behind an olock_transport
   SPDX-License-Identifier: MIT

   Do this:
       #define OLOCK_FAKE_IMPLEMENTATION
   before you include this file in *one* C or C++ file to create the implementation. It uses
   only olock.h's public API, so OLOCK_IMPLEMENTATION may live in another file.

QUICK START
       olock_fake *fake = NULL;
       olock_fake_create(NULL, &fake);             // NULL: default configuration
       olock_config cfg = olock_config_default();
       cfg.transport = olock_fake_transport(fake);
       olock_client *c = NULL;
       olock_client_create(&cfg, &c, NULL);
       ... CreateTable, PutItem, UpdateItem ... through the client ...
       olock_client_destroy(c);                    // first the client,
       olock_fake_destroy(fake);                   // then the fake

WHAT IT IS
   The fake reads X-Amz-Target and the JSON body of each request and answers the way Amazon
   DynamoDB Local 3.x answers: the same HTTP status, the same __type (ValidationException
   comes from com.amazon.coral.validate, the rest from com.amazonaws.dynamodb.v20120810), the
   same Message text and the same body members. Every response carries Content-Type and an
   x-amz-crc32 header. Behaviour is measured against DynamoDB Local, not the documentation;
   where the two differ the fake follows DynamoDB Local.

   Supported: CreateTable (hash or hash+range keys of type S, N or B; local and global
   secondary index definitions), DescribeTable, DeleteTable, ListTables, UpdateTable
   (billing, throughput, deletion protection, GlobalSecondaryIndexUpdates: Create, Update of
   a provisioned index's throughput, Delete; see INDEX LIFECYCLE); GetItem (ConsistentRead, ProjectionExpression,
   AttributesToGet); PutItem, UpdateItem and DeleteItem with ConditionExpression (or the
   legacy Expected / AttributeUpdates), ReturnValues, ReturnValuesOnConditionCheckFailure and
   ReturnConsumedCapacity; condition, update and projection expressions with DynamoDB's
   validation and limits (reserved words, placeholders, 4 KB, 300 operators, 32 levels,
   400 KB items as DynamoDB sizes them, 38-digit numbers).
   TransactWriteItems (Put, Update, Delete, ConditionCheck across items and tables, all or
   nothing; CancellationReasons one per action with ALL_OLD items; ClientRequestToken replays
   within 10 minutes of the virtual clock, IdempotentParameterMismatchException otherwise; 100
   actions, one action per item) and TransactGetItems. Query (key conditions, FilterExpression,
   ProjectionExpression, Select, ScanIndexForward, Limit, ExclusiveStartKey, 1 MB pages, the
   legacy KeyConditions / QueryFilter / AttributesToGet) and Scan (segments, ScanFilter) on
   tables and on their global and local secondary indexes. BatchWriteItem (25 requests) and
   BatchGetItem (100 keys); UnprocessedItems / UnprocessedKeys are empty unless the fault
   OLOCK_FAKE_FAULT_UNPROCESSED leaves half of a batch undone (or, as in DynamoDB Local, a
   put goes into an index being created).
   tests/conformance/README.md lists what DynamoDB Local does that the documentation does not
   say (the order of Scan and of batch responses, which transaction failures are reasons, ...).

   DynamoDB Local details it reproduces: error bodies carry "Message" (capital M); members
   of an item come out in java.util.HashMap order; set members sorted (S by bytes, N by
   value, B by signed bytes); numbers from an Item are stripped ("12.50" is "12.5") while
   numbers from ExpressionAttributeValues keep the text they were sent with and arithmetic
   keeps the larger scale (1.50 + 1.50 = 3.00); UPDATED_OLD / UPDATED_NEW return whole
   top-level attributes; a DeleteItem that finds nothing reports ConsumedCapacity;
   ConsumedCapacity grows with the item size (writes per KB, reads per 4 KB).

INDEX LIFECYCLE
   DynamoDB Local 3.3.1 builds an index that UpdateTable adds in the background: for about
   0.8 s it is CREATING (a Query or Scan of it, and a write of an item that carries its keys,
   answer 500 InternalFailure, a BatchWriteItem hands such puts back in UnprocessedItems;
   deleting it is ResourceInUse "Index is being created."), then
   ACTIVE with the table's existing items in it. A dropped index is DELETING for about as long
   (every PutItem, UpdateItem, BatchWriteItem put and TransactWriteItems on the table answers
   500; deletes work), then gone; its AttributeDefinitions go at once. The fake keeps that
   state for 1000 ms of its virtual clock instead of wall time, so tests stay deterministic:
   an index added at virtual time T is ACTIVE (backfilled) for requests at T + 1000 ms or
   later, and a dropped one is gone then; olock_fake_advance_ms moves the clock (the LATENCY
   fault does too). Only one index may be CREATING or DELETING per table at a time.

THREAD SAFETY
   One fake may serve many threads (and many clients) at once: each request runs under the
   fake's mutex, so every conditional write and every transaction is atomic. The fake reads no
   clock and draws no random numbers: the same requests always give the same responses.

MEMORY
   Everything goes through the allocator in olock_fake_config. Each stored item owns its own
   olock_item and is replaced whole on a write, so a failed write leaves nothing half done.
   Running out of memory answers HTTP 500 InternalServerError; a transaction or batch then
   applied nothing. The ClientRequestTokens of successful transactions are kept until they are
   10 minutes old on the virtual clock (dropped when the token table next grows), so a test
   that never advances the clock keeps every token it used. Up to 64 compiled expressions are
   kept across requests (one allocation each; the same text with the same
   ExpressionAttributeNames skips compiling, and answers as a fresh compile would).
   olock_fake_destroy frees all.

COST
   GetItem, PutItem, UpdateItem and DeleteItem are a hash lookup and a binary search in the
   partition; Query on a table walks one partition; a Scan sorts the partitions, and Query or
   Scan on an index sorts every item of the table that the index holds (fine for unit tests,
   not for millions of items).

TABLE OF CONTENTS
   Search for a part's tag. The declarations are one part, ">>api"; the implementation follows
   in this order (a part uses only the parts above it: the parts are layers over base, the
   fake's core; tools/check-parts checks it), each found as ">>tag (implementation)":
   >>prologue     system headers, DynamoDB's limits
   >>base         platform, allocation, reserved words, the store's types, request context
                  and error answers, request JSON
   >>values       numbers and attribute values with DynamoDB Local's checks, sizes, equality
   >>expr         expressions: tokens, syntax tree, checks in DynamoDB Local's order,
                  evaluation, projection, applying an update
   >>xcache       compiled expressions kept across requests
   >>store        the order of Scan, partitions and items, tables
   >>items        item operations, their shared checks, legacy parameters
   >>txn          transactions: consumed capacity, ClientRequestToken, TransactWriteItems,
                  TransactGetItems
   >>query        Query and Scan, BatchWriteItem and BatchGetItem
   >>api          dispatch by X-Amz-Target, fault injection, the public API
   This file is generated from the parts src/fake/<tag>_impl.h of the olock repository,
   listed in src/fake/olock_fake.parts: change them there and run `make amalgamate`.
*/
#ifndef OLOCK_FAKE_H_INCLUDED
#define OLOCK_FAKE_H_INCLUDED

#ifndef OLOCK_H_INCLUDED
#include "olock.h"
#endif

#ifndef OLOCK_FAKE_API
#define OLOCK_FAKE_API OLOCK_API
#endif

#ifdef __cplusplus
extern "C" {
#endif
/* =============================================================================================
   >>api: the fake's public API: create, transport, faults, clock
   ========================================================================================== */

/* Settings of a fake; 0 / NULL in any field means its default. */
typedef struct olock_fake_config {
    olock_allocator allocator;     /* malloc_fn NULL: OLOCK_MALLOC / malloc */
    const char *version_attribute; /* what OLOCK_FAKE_FAULT_CONFLICT bumps; NULL: "version" (copied) */
    uint64_t latency_ms;           /* what OLOCK_FAKE_FAULT_LATENCY adds to the clock; 0: 10 */
} olock_fake_config;

typedef struct olock_fake olock_fake;

/* Faults the fake can inject (olock_fake_inject, olock_fake_set_random_faults). Values are
   never renumbered. A fault that answers with an error applies nothing. */
typedef enum olock_fake_fault {
    OLOCK_FAKE_FAULT_NONE = 0,      /* scripted: let the request through (consumes a match) */
    OLOCK_FAKE_FAULT_THROTTLE,      /* 400 ProvisionedThroughputExceededException */
    OLOCK_FAKE_FAULT_THROTTLING,    /* 400 ThrottlingException */
    OLOCK_FAKE_FAULT_500,           /* 500 InternalServerError */
    OLOCK_FAKE_FAULT_503,           /* 503 ServiceUnavailable */
    OLOCK_FAKE_FAULT_NOT_SENT,      /* send returns OLOCK_ERR_NOT_SENT; nothing applied */
    OLOCK_FAKE_FAULT_LOST_RESPONSE, /* applied, then lost: send returns OLOCK_ERR_MAYBE_SENT and
                                         leaves the response empty */
    OLOCK_FAKE_FAULT_CONFLICT,      /* just before a conditional write (a request with a
                                         ConditionExpression or Expected, or a TransactWriteItems),
                                         a competing write adds 1 to the target item's version
                                         attribute when the item exists and the attribute is a
                                         number (else it changes nothing, and still counts). The
                                         target of a transaction is the item of its first action
                                         with a ConditionExpression (else of its first action).
                                         It never fires on other requests: they pass through and
                                         a scripted CONFLICT stays armed */
    OLOCK_FAKE_FAULT_LATENCY,       /* advance the virtual clock by latency_ms, then answer */
    OLOCK_FAKE_FAULT_UNPROCESSED,   /* a BatchGetItem or BatchWriteItem does the first half of
                                         its keys / requests (in request order, rounded down: a
                                         batch of one does nothing) and answers the rest in
                                         UnprocessedKeys / UnprocessedItems, as DynamoDB does
                                         when it runs out of capacity. Like CONFLICT it never
                                         fires on other requests (a scripted one stays armed) */
    OLOCK_FAKE_FAULT_COUNT_
} olock_fake_fault;

/* A config with every default filled in. */
OLOCK_FAKE_API olock_fake_config olock_fake_config_default(void);
/* Creates an empty fake (no tables). cfg may be NULL. NOMEM on failure; *out untouched then. */
OLOCK_FAKE_API olock_result olock_fake_create(const olock_fake_config *cfg, olock_fake **out);
/* The transport that sends requests to `f`. Its destroy is NULL: the fake outlives every
   client that uses it and is freed with olock_fake_destroy. */
OLOCK_FAKE_API olock_transport olock_fake_transport(olock_fake *f);
/* Frees the fake and everything stored in it. NULL is a no-op. */
OLOCK_FAKE_API void olock_fake_destroy(olock_fake *f);

/* Scripted faults: the next `count` requests that match (op 0: any operation; table NULL:
   any table; a batch or transaction matches when any of its tables does) get `fault`.
   Rules queue in order: a request takes the first rule it matches. `table` is copied.
   INVALID_ARG (NULL f, count 0, unknown fault or op), NOMEM. */
OLOCK_FAKE_API olock_result olock_fake_inject(olock_fake *f, olock_fake_fault fault, unsigned count, olock_op op,
                                              const char *table);
/* Random faults: each request draws from a PRNG seeded with `seed` (the same seed and
   requests give the same faults); fault k fires with probability percent[k] / 100, at most
   one per request; percent[OLOCK_FAKE_FAULT_NONE] is ignored. A scripted fault goes first.
   percent NULL turns random faults off. INVALID_ARG when the percentages sum over 100. */
OLOCK_FAKE_API olock_result olock_fake_set_random_faults(olock_fake *f, uint64_t seed,
                                                         const unsigned percent[OLOCK_FAKE_FAULT_COUNT_]);
/* Drops every scripted rule and turns random faults off; the counts stay. */
OLOCK_FAKE_API void olock_fake_clear_faults(olock_fake *f);
/* How many faults of that kind fired so far (NONE: requests let through by NONE rules). */
OLOCK_FAKE_API unsigned long olock_fake_fault_count(olock_fake *f, olock_fake_fault fault);
/* The virtual clock in milliseconds, starting at 0. It moves only by olock_fake_advance_ms
   and LATENCY faults; it times the 10-minute ClientRequestToken window. */
OLOCK_FAKE_API uint64_t olock_fake_now_ms(olock_fake *f);
OLOCK_FAKE_API void olock_fake_advance_ms(olock_fake *f, uint64_t ms);
#ifdef __cplusplus
}
#endif
#endif /* OLOCK_FAKE_H_INCLUDED */
/* =============================================================================================
   >>prologue (implementation): system headers, DynamoDB's limits
   ========================================================================================== */
#if defined(OLOCK_FAKE_IMPLEMENTATION) && !defined(OLOCK_FAKE_IMPLEMENTATION_INCLUDED)
#define OLOCK_FAKE_IMPLEMENTATION_INCLUDED

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifdef _WIN32
#ifndef WIN32_LEAN_AND_MEAN
#define WIN32_LEAN_AND_MEAN
#endif
#include <windows.h>
#else
#include <pthread.h>
#endif

#if defined(__GNUC__) || defined(__clang__)
#define OLOCK__FAKE_PRINTF(f, a) __attribute__((format(printf, f, a)))
#else
#define OLOCK__FAKE_PRINTF(f, a)
#endif

/* The namespaces DynamoDB Local puts in front of error names. */
#define OLOCK__FAKE_VALIDATION "com.amazon.coral.validate#ValidationException"
#define OLOCK__FAKE_NS "com.amazonaws.dynamodb.v20120810#"

/* DynamoDB's limits, as DynamoDB Local enforces them. */
#define OLOCK__FAKE_MAX_ITEM 409600u    /* 400 KB, in DynamoDB's item-size units */
#define OLOCK__FAKE_MAX_EXPR 4096u      /* bytes of one expression */
#define OLOCK__FAKE_MAX_DEPTH 32        /* nesting of document values and paths */
#define OLOCK__FAKE_MAX_PARSE_DEPTH 256 /* parentheses / NOT nesting the parser follows */
#define OLOCK__FAKE_MAX_OPERATORS 300   /* operators and functions in one expression */
#define OLOCK__FAKE_MAX_PLACEHOLDER 255 /* length of a #name or :value key */
#define OLOCK__FAKE_MAX_NAME 65535      /* bytes of an attribute name */
#define OLOCK__FAKE_MAX_JSON_NAME 50000 /* DynamoDB Local's JSON reader fails on longer names */
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
/* =============================================================================================
   >>values (implementation)
   ========================================================================================== */

/* ---- numbers: DynamoDB's syntax, 38 digits, 1E-130 .. 9.99E+125 ----------------------------- */

/* Results of olock__fake_num_parse / olock__fake_num_check. */
#define OLOCK__FAKE_NUM_OK 0
#define OLOCK__FAKE_NUM_SYNTAX 1
#define OLOCK__FAKE_NUM_PRECISION 2
#define OLOCK__FAKE_NUM_OVERFLOW 3
#define OLOCK__FAKE_NUM_UNDERFLOW 4

static int olock__fake_num_check(const olock_decimal *d) {
    if (d->ndigits == 0) return OLOCK__FAKE_NUM_OK;
    if (d->ndigits > OLOCK_NUMBER_DIGITS) return OLOCK__FAKE_NUM_PRECISION;
    if (d->exp10 > OLOCK_NUMBER_MAX_EXP + 1) return OLOCK__FAKE_NUM_OVERFLOW;
    if (d->exp10 < OLOCK_NUMBER_MIN_EXP + 1) return OLOCK__FAKE_NUM_UNDERFLOW;
    return OLOCK__FAKE_NUM_OK;
}

/* Java BigDecimal syntax (what DynamoDB Local accepts: "1.", ".5", "+5", "1E+2"), into
   0.d1d2..dn * 10^exp10. More than 38 significant digits is reported, not stored. */
static int olock__fake_num_parse_scale(const char *s, size_t len, olock_decimal *d, int *scale_out);
static int olock__fake_num_parse(const char *s, size_t len, olock_decimal *d) {
    int scale;
    return olock__fake_num_parse_scale(s, len, d, &scale);
}

static int olock__fake_num_parse_scale(const char *s, size_t len, olock_decimal *d, int *scale_out) {
    size_t i = 0, int_digits = 0, all_digits = 0, lead = 0, j, first = 0, last = 0;
    int neg = 0, seen_nonzero = 0;
    long long e = 0, exp;
    size_t ndig;
    memset(d, 0, sizeof(*d));
    if (i < len && (s[i] == '+' || s[i] == '-')) {
        neg = s[i] == '-';
        i++;
    }
    /* digits [. digits] */
    for (j = i; j < len && s[j] >= '0' && s[j] <= '9'; j++) {
        if (s[j] != '0' && !seen_nonzero) {
            seen_nonzero = 1;
            first = all_digits;
        }
        if (s[j] != '0') last = all_digits;
        all_digits++;
    }
    int_digits = all_digits;
    *scale_out = 0;
    if (j < len && s[j] == '.') {
        j++;
        for (; j < len && s[j] >= '0' && s[j] <= '9'; j++) {
            if (s[j] != '0' && !seen_nonzero) {
                seen_nonzero = 1;
                first = all_digits;
            }
            if (s[j] != '0') last = all_digits;
            all_digits++;
        }
    }
    if (all_digits == 0) return OLOCK__FAKE_NUM_SYNTAX;
    if (j < len && (s[j] == 'e' || s[j] == 'E')) {
        int eneg = 0;
        size_t k = j + 1;
        if (k < len && (s[k] == '+' || s[k] == '-')) {
            eneg = s[k] == '-';
            k++;
        }
        if (k == len) return OLOCK__FAKE_NUM_SYNTAX;
        for (; k < len; k++) {
            if (s[k] < '0' || s[k] > '9') return OLOCK__FAKE_NUM_SYNTAX;
            e = e * 10 + (s[k] - '0');
            if (e > 2147483647LL) return OLOCK__FAKE_NUM_SYNTAX; /* BigDecimal's int scale */
        }
        if (eneg) e = -e;
        j = len;
    }
    if (j != len) return OLOCK__FAKE_NUM_SYNTAX;
    {
        long long sc = (long long)(all_digits - int_digits) - e;
        *scale_out = sc > 200 ? 200 : (sc < 0 ? 0 : (int)sc);
    }
    if (!seen_nonzero) return OLOCK__FAKE_NUM_OK; /* zero, whatever its exponent */
    lead = first;
    ndig = last - first + 1;
    exp = (long long)int_digits - (long long)lead + e;
    if (ndig > OLOCK_NUMBER_DIGITS) {
        d->ndigits = (int)OLOCK_NUMBER_DIGITS + 1;
        return OLOCK__FAKE_NUM_PRECISION;
    }
    d->negative = neg;
    d->ndigits = (int)ndig;
    if (exp > 100000) exp = 100000;
    if (exp < -100000) exp = -100000;
    d->exp10 = (int)exp;
    { /* copy the significant digits, skipping the decimal point */
        size_t pos = 0, n = 0;
        for (j = i; j < len && n < ndig; j++) {
            if (s[j] == '.') continue;
            if (s[j] < '0' || s[j] > '9') break;
            if (pos >= first) d->digits[n++] = (unsigned char)(s[j] - '0');
            pos++;
        }
    }
    return olock__fake_num_check(d);
}

/* Plain decimal text (no exponent), as DynamoDB Local returns numbers. */
static size_t olock__fake_num_format(const olock_decimal *d, char *out) {
    size_t n = 0;
    int i;
    if (d->ndigits == 0) {
        out[0] = '0';
        out[1] = 0;
        return 1;
    }
    if (d->negative) out[n++] = '-';
    if (d->exp10 <= 0) {
        out[n++] = '0';
        out[n++] = '.';
        for (i = 0; i < -d->exp10; i++) out[n++] = '0';
        for (i = 0; i < d->ndigits; i++) out[n++] = (char)('0' + d->digits[i]);
    } else if (d->exp10 >= d->ndigits) {
        for (i = 0; i < d->ndigits; i++) out[n++] = (char)('0' + d->digits[i]);
        for (i = d->ndigits; i < d->exp10; i++) out[n++] = '0';
    } else {
        for (i = 0; i < d->ndigits; i++) {
            if (i == d->exp10) out[n++] = '.';
            out[n++] = (char)('0' + d->digits[i]);
        }
    }
    out[n] = 0;
    return n;
}

/* The BigDecimal scale of valid number text: digits after the point minus the exponent
   ("1.50" 2, "1e2" -2), clamped to what a DynamoDB number can need. */
static int olock__fake_text_scale(const char *s, size_t len) {
    size_t i = 0;
    long frac = 0, e = 0;
    int in_frac = 0, eneg = 0;
    for (; i < len && s[i] != 'e' && s[i] != 'E'; i++) {
        if (s[i] == '.') in_frac = 1;
        else if (in_frac && s[i] >= '0' && s[i] <= '9') frac++;
    }
    if (i < len) {
        i++;
        if (i < len && (s[i] == '+' || s[i] == '-')) eneg = s[i++] == '-';
        for (; i < len && e < 100000; i++) e = e * 10 + (s[i] - '0');
    }
    frac -= eneg ? -e : e;
    return frac > 200 ? 200 : (frac < -200 ? -200 : (int)frac);
}

/* BigDecimal.toString() of valid number text: the unscaled digits (trailing zeros kept)
   with the scale, in scientific notation when the scale is negative or the adjusted
   exponent is below -6. DynamoDB Local writes NS members of ExpressionAttributeValues so. */
static size_t olock__fake_java_string(const char *s, size_t len, char *out, size_t cap) {
    char digits[OLOCK_NUMBER_TEXT_MAX + 8];
    size_t nd = 0, i, n = 0;
    int neg = 0, scale = olock__fake_text_scale(s, len);
    long adjusted;
    for (i = 0; i < len && s[i] != 'e' && s[i] != 'E'; i++) {
        if (s[i] == '-') neg = 1;
        if (s[i] < '0' || s[i] > '9') continue;
        if (nd == 0 && s[i] == '0') continue; /* leading zeros */
        if (nd < sizeof(digits)) digits[nd++] = s[i];
    }
    if (nd == 0) {
        digits[nd++] = '0';
        neg = 0;
    }
    adjusted = -(long)scale + (long)nd - 1;
    if (neg && n < cap) out[n++] = '-';
    if (scale >= 0 && adjusted >= -6) {
        if (scale == 0) {
            for (i = 0; i < nd && n < cap; i++) out[n++] = digits[i];
        } else if ((long)nd > scale) {
            for (i = 0; i < nd && n < cap; i++) {
                if ((long)i == (long)nd - scale && n < cap) out[n++] = '.';
                if (n < cap) out[n++] = digits[i];
            }
        } else {
            if (n + 2 < cap) {
                out[n++] = '0';
                out[n++] = '.';
            }
            for (i = 0; (long)i < scale - (long)nd && n < cap; i++) out[n++] = '0';
            for (i = 0; i < nd && n < cap; i++) out[n++] = digits[i];
        }
    } else {
        char ex[24];
        int m;
        if (n < cap) out[n++] = digits[0];
        if (nd > 1 && n < cap) out[n++] = '.';
        for (i = 1; i < nd && n < cap; i++) out[n++] = digits[i];
        if (adjusted != 0) {
            m = snprintf(ex, sizeof(ex), "E%s%ld", adjusted > 0 ? "+" : "", adjusted);
            for (i = 0; i < (size_t)m && n < cap; i++) out[n++] = ex[i];
        }
    }
    if (n < cap) out[n] = 0;
    return n;
}

/* Plain text with at least `scale` digits after the point. DynamoDB Local keeps the scale
   of ExpressionAttributeValues numbers and of arithmetic results (1.50 + 1.50 = 3.00, and
   5 - 5.0 = 0.0); only numbers sent in an Item or Key are stripped of trailing zeros. */
static size_t olock__fake_num_format_scaled(const olock_decimal *d, int scale, char *out) {
    size_t n = olock__fake_num_format(d, out);
    int have = olock__fake_text_scale(out, n);
    if (scale > 200) scale = 200; /* olock__fake_text_scale's bound; `out` holds 352 bytes */
    if (have < scale) {
        if (have == 0) out[n++] = '.';
        while (have++ < scale) out[n++] = '0';
        out[n] = 0;
    }
    return n;
}

static int olock__fake_num_cmp(const olock_decimal *a, const olock_decimal *b) {
    int sa = a->ndigits == 0 ? 0 : (a->negative ? -1 : 1);
    int sb = b->ndigits == 0 ? 0 : (b->negative ? -1 : 1);
    int i, mag = 0;
    if (sa != sb) return sa < sb ? -1 : 1;
    if (sa == 0) return 0;
    if (a->exp10 != b->exp10) mag = a->exp10 < b->exp10 ? -1 : 1;
    else {
        for (i = 0; i < a->ndigits || i < b->ndigits; i++) {
            int da = i < a->ndigits ? a->digits[i] : 0;
            int db = i < b->ndigits ? b->digits[i] : 0;
            if (da != db) {
                mag = da < db ? -1 : 1;
                break;
            }
        }
    }
    return sa < 0 ? -mag : mag;
}

/* Exact a + b (or a - b); the result is reported through olock__fake_num_check rather than
   rounded, because DynamoDB rejects a result it cannot store. Digit positions are weights
   10^p for p in [lo, hi): both operands are in DynamoDB's range, so the span is ~300. */
#define OLOCK__FAKE_SPAN 340
static int olock__fake_num_addsub(const olock_decimal *a, const olock_decimal *b, int subtract, olock_decimal *out) {
    unsigned char x[OLOCK__FAKE_SPAN], y[OLOCK__FAKE_SPAN], r[OLOCK__FAKE_SPAN];
    int lo, hi, i, width, bneg = b->negative ^ (subtract ? 1 : 0), swap = 0, carry, neg;
    int top, bot;
    memset(out, 0, sizeof(*out));
    if (a->ndigits == 0 && b->ndigits == 0) return OLOCK__FAKE_NUM_OK;
    if (b->ndigits == 0) {
        *out = *a;
        return olock__fake_num_check(out);
    }
    if (a->ndigits == 0) {
        *out = *b;
        out->negative = bneg;
        return olock__fake_num_check(out);
    }
    lo = a->exp10 - a->ndigits < b->exp10 - b->ndigits ? a->exp10 - a->ndigits : b->exp10 - b->ndigits;
    hi = (a->exp10 > b->exp10 ? a->exp10 : b->exp10) + 1;
    width = hi - lo;
    if (width > OLOCK__FAKE_SPAN || width <= 0) return OLOCK__FAKE_NUM_PRECISION;
    memset(x, 0, (size_t)width);
    memset(y, 0, (size_t)width);
    memset(r, 0, (size_t)width);
    /* index k holds weight 10^(lo + k) */
    for (i = 0; i < a->ndigits; i++) x[a->exp10 - 1 - i - lo] = a->digits[i];
    for (i = 0; i < b->ndigits; i++) y[b->exp10 - 1 - i - lo] = b->digits[i];
    if (a->negative == bneg) {
        carry = 0;
        for (i = 0; i < width; i++) {
            int s = x[i] + y[i] + carry;
            r[i] = (unsigned char)(s % 10);
            carry = s / 10;
        }
        neg = a->negative;
    } else {
        int borrow = 0;
        for (i = width - 1; i >= 0; i--)
            if (x[i] != y[i]) {
                swap = x[i] < y[i];
                break;
            }
        if (i < 0) return OLOCK__FAKE_NUM_OK; /* exact zero */
        for (i = 0; i < width; i++) {
            int s = swap ? (int)y[i] - x[i] - borrow : (int)x[i] - y[i] - borrow;
            borrow = s < 0;
            if (s < 0) s += 10;
            r[i] = (unsigned char)s;
        }
        neg = swap ? bneg : a->negative;
    }
    for (top = width - 1; top >= 0 && r[top] == 0; top--) {}
    if (top < 0) return OLOCK__FAKE_NUM_OK;
    for (bot = 0; r[bot] == 0; bot++) {}
    if (top - bot + 1 > OLOCK_NUMBER_DIGITS) return OLOCK__FAKE_NUM_PRECISION;
    out->negative = neg;
    out->ndigits = top - bot + 1;
    out->exp10 = lo + top + 1;
    for (i = 0; i < out->ndigits; i++) out->digits[i] = r[top - i];
    return olock__fake_num_check(out);
}

/* DynamoDB Local's message for a number it cannot store. */
static int olock__fake_num_error(olock__fake_ctx *c, int code) {
    switch (code) {
    case OLOCK__FAKE_NUM_PRECISION: return olock__fake_verror(c, "DynamoDB only supports precision up to 38 digits");
    case OLOCK__FAKE_NUM_OVERFLOW:
        return olock__fake_verror(c, "Number overflow. Attempting to store a number with magnitude larger than supported range");
    case OLOCK__FAKE_NUM_UNDERFLOW:
        return olock__fake_verror(c, "Number underflow. Attempting to store a number with magnitude smaller than supported range");
    default: return olock__fake_verror(c, "A value provided cannot be converted into a number");
    }
}

/* A stored number's value (stored text is canonical, so this never fails for it). */
static void olock__fake_num_of(const olock_value *v, olock_decimal *d) {
    if (olock__fake_num_parse(v->str, v->len, d) != OLOCK__FAKE_NUM_OK) memset(d, 0, sizeof(*d));
}

/* ---- attribute values: DynamoDB JSON in, with DynamoDB Local's checks and messages ---------- */

static olock_value *olock__fake_newval(olock_arena *a, olock_type t) {
    olock_value *v = (olock_value *)olock_arena_alloc(a, sizeof(olock_value));
    if (!v) return NULL;
    memset(v, 0, sizeof(*v));
    v->type = t;
    return v;
}

static void olock__fake_append(olock_value *parent, olock_value *v) {
    v->next = NULL;
    if (parent->last) parent->last->next = v;
    else parent->first = v;
    parent->last = v;
    parent->count++;
}

static int olock__fake_is_set(olock_type t) {
    return t == OLOCK_TYPE_SS || t == OLOCK_TYPE_NS || t == OLOCK_TYPE_BS;
}

static olock_type olock__fake_member_type(olock_type set) {
    return set == OLOCK_TYPE_SS ? OLOCK_TYPE_S : set == OLOCK_TYPE_NS ? OLOCK_TYPE_N
                                                                      : OLOCK_TYPE_B;
}

/* Byte order for S; Java's signed byte order for B, which is how DynamoDB Local sorts a BS. */
static int olock__fake_bytes_cmp(const char *a, size_t alen, const char *b, size_t blen, int is_signed) {
    size_t n = alen < blen ? alen : blen, i;
    for (i = 0; i < n; i++) {
        int x = is_signed ? (int)(signed char)a[i] : (int)(unsigned char)a[i];
        int y = is_signed ? (int)(signed char)b[i] : (int)(unsigned char)b[i];
        if (x != y) return x < y ? -1 : 1;
    }
    return alen == blen ? 0 : (alen < blen ? -1 : 1);
}

/* Order of two scalar values of one type (S, N, B): DynamoDB's comparison order. */
static int olock__fake_scalar_cmp(const olock_value *a, const olock_value *b) {
    if (a->type == OLOCK_TYPE_N) {
        olock_decimal x, y;
        olock__fake_num_of(a, &x);
        olock__fake_num_of(b, &y);
        return olock__fake_num_cmp(&x, &y);
    }
    return olock__fake_bytes_cmp(a->str, a->len, b->str, b->len, 0);
}

/* Set members are kept sorted (DynamoDB Local returns them so): S by bytes, N by value,
   B by signed bytes. A bottom-up merge sort on an array of pointers. */
static int olock__fake_member_cmp(olock_type set, const olock_value *a, const olock_value *b) {
    if (set == OLOCK_TYPE_BS) return olock__fake_bytes_cmp(a->str, a->len, b->str, b->len, 1);
    return olock__fake_scalar_cmp(a, b);
}

/* A BS that ADD built comes back in unsigned byte order (DynamoDB Local sorts it again
   another way); everything else in member order. */
static int olock__fake_member_cmp2(olock_type set, const olock_value *a, const olock_value *b, int unsigned_bs) {
    if (set == OLOCK_TYPE_BS && unsigned_bs) return olock__fake_bytes_cmp(a->str, a->len, b->str, b->len, 0);
    return olock__fake_member_cmp(set, a, b);
}

static int olock__fake_sort_set(olock_arena *a, olock_value *set, int unsigned_bs) {
    size_t n = set->count, i, width;
    olock_value **arr, **tmp, *v;
    if (n < 2) return 0;
    arr = (olock_value **)olock_arena_alloc(a, 2 * n * sizeof(*arr));
    if (!arr) return -1;
    tmp = arr + n;
    for (i = 0, v = set->first; v; v = v->next) arr[i++] = v;
    for (width = 1; width < n; width *= 2) {
        size_t lo;
        for (lo = 0; lo < n; lo += 2 * width) {
            size_t mid = lo + width < n ? lo + width : n, hi = lo + 2 * width < n ? lo + 2 * width : n;
            size_t p = lo, q = mid, k = lo;
            while (p < mid && q < hi)
                tmp[k++] = olock__fake_member_cmp2(set->type, arr[q], arr[p], unsigned_bs) < 0 ? arr[q++] : arr[p++];
            while (p < mid) tmp[k++] = arr[p++];
            while (q < hi) tmp[k++] = arr[q++];
        }
        for (i = 0; i < n; i++) arr[i] = tmp[i];
    }
    set->first = arr[0];
    for (i = 0; i + 1 < n; i++) arr[i]->next = arr[i + 1];
    arr[n - 1]->next = NULL;
    set->last = arr[n - 1];
    return 0;
}

/* 1 when a sorted set has two equal members. */
static int olock__fake_set_has_dup(const olock_value *set) {
    const olock_value *v;
    for (v = set->first; v && v->next; v = v->next)
        if (olock__fake_member_cmp(set->type, v, v->next) == 0) return 1;
    return 0;
}

/* Short plain integers ("120", "-7", "0": no sign but '-', no leading zero, at most 18
   digits) are most numbers: canonical as sent, and their sums fit an int64, so they skip the
   decimal parse. 1 and the value in *out for such text. */
static int olock__fake_small_int(const char *s, size_t len, int64_t *out) {
    size_t i = len > 0 && s[0] == '-';
    int64_t v = 0;
    if (i >= len || len - i > 18 || (s[i] == '0' && len != 1)) return 0;
    for (; i < len; i++) {
        if (s[i] < '0' || s[i] > '9') return 0;
        v = v * 10 + (s[i] - '0');
    }
    *out = s[0] == '-' ? -v : v;
    return 1;
}

static size_t olock__fake_u64_text(uint64_t v, char *buf);

/* The number value of an int64 (what olock__fake_new_num writes for it). */
static olock_value *olock__fake_new_int(olock__fake_ctx *c, int64_t x) {
    char buf[24];
    size_t n = 0;
    olock_value *v = olock__fake_newval(c->a, OLOCK_TYPE_N);
    if (!v) {
        c->oom = 1;
        return NULL;
    }
    if (x < 0) buf[n++] = '-';
    n += olock__fake_u64_text(x < 0 ? (uint64_t)0 - (uint64_t)x : (uint64_t)x, buf + n);
    v->str = olock__fake_strdup(c, buf, n);
    v->len = n;
    return v->str ? v : NULL;
}

/* A number value from text, stored in canonical form. */
static olock_value *olock__fake_new_num_scaled(olock__fake_ctx *c, const olock_decimal *d, int scale) {
    char buf[OLOCK_NUMBER_TEXT_MAX * 2 + 8];
    size_t n = olock__fake_num_format_scaled(d, scale, buf);
    olock_value *v = olock__fake_newval(c->a, OLOCK_TYPE_N);
    if (!v) {
        c->oom = 1;
        return NULL;
    }
    v->str = olock__fake_strdup(c, buf, n);
    v->len = n;
    return v->str ? v : NULL;
}

static olock_value *olock__fake_new_num(olock__fake_ctx *c, const olock_decimal *d) {
    return olock__fake_new_num_scaled(c, d, 0);
}

/* A number from request text. A top-level attribute of an Item or Key is stored stripped
   ("12.50" is "12.5"); a number inside an M or L, and any in ExpressionAttributeValues or
   AttributeUpdates, DynamoDB Local keeps as sent, except inside an NS, whose members it
   rewrites as Java's BigDecimal prints them (`set_member`). */
static int olock__fake_parse_num(olock__fake_ctx *c, const char *s, size_t len, olock_value **out, int set_member) {
    olock_decimal d;
    int scale = 0, rc;
    int64_t x;
    if (!set_member && olock__fake_small_int(s, len, &x)) {
        /* its text is its canonical form, and lives as long as the request (as a string's) */
        olock_value *v = olock__fake_newval(c->a, OLOCK_TYPE_N);
        if (!v) return olock__fake_oom(c);
        v->str = s;
        v->len = len;
        *out = v;
        return 0;
    }
    rc = olock__fake_num_parse_scale(s, len, &d, &scale);
    if (rc != OLOCK__FAKE_NUM_OK) return olock__fake_num_error(c, rc);
    if (c->keep_scale) {
        char buf[OLOCK_NUMBER_TEXT_MAX * 2 + 16];
        olock_value *v = olock__fake_newval(c->a, OLOCK_TYPE_N);
        if (!v) return olock__fake_oom(c);
        if (set_member) {
            size_t n = olock__fake_java_string(s, len, buf, sizeof(buf) - 1);
            v->str = olock__fake_strdup(c, buf, n);
            v->len = n;
        } else {
            v->str = olock__fake_strdup(c, s, len);
            v->len = len;
        }
        *out = v->str ? v : NULL;
        return *out ? 0 : -1;
    }
    *out = olock__fake_new_num_scaled(c, &d, 0);
    return *out ? 0 : -1;
}

static int olock__fake_av(olock__fake_ctx *c, const olock_json *j, olock_value **out, int depth);

/* The members of an M (or of an Item / Key / Attributes object). */
static int olock__fake_av_map(olock__fake_ctx *c, const olock_json *obj, olock_value **out, int depth) {
    const olock_json *m;
    olock_value *map, *v;
    if (obj->kind != OLOCK_JSON_OBJECT) return olock__fake_shape(c);
    if (!(map = olock__fake_newval(c->a, OLOCK_TYPE_M))) return olock__fake_oom(c);
    for (m = obj->first; m; m = m->next) {
        olock_value *prev, *it;
        if (m->key_len > OLOCK__FAKE_MAX_JSON_NAME) return olock__fake_shape(c);
        if (m->key_len == 0) return olock__fake_verror(c, "Empty attribute name");
        if (m->kind == OLOCK_JSON_NULL)
            return olock__fake_verror(c, "The supplied Item contains a null AttributeValue: %.*s is null",
                                      (int)m->key_len, m->key);
        if (olock__fake_av(c, m, &v, depth + 1) < 0) return -1;
        v->key = m->key;
        v->key_len = m->key_len;
        /* a repeated name replaces the earlier member (the JSON mapper keeps the last) */
        for (prev = NULL, it = map->first; it; prev = it, it = it->next) {
            if (it->key_len == m->key_len && memcmp(it->key, m->key, m->key_len) == 0) {
                if (prev) prev->next = it->next;
                else map->first = it->next;
                if (map->last == it) map->last = prev;
                map->count--;
                break;
            }
        }
        olock__fake_append(map, v);
    }
    *out = map;
    return 0;
}

static int olock__fake_av_set(olock__fake_ctx *c, olock_type t, const olock_json *arr, olock_value **out) {
    const olock_json *m;
    olock_value *set;
    if (arr->kind != OLOCK_JSON_ARRAY) return olock__fake_shape(c);
    if (!(set = olock__fake_newval(c->a, t))) return olock__fake_oom(c);
    for (m = arr->first; m; m = m->next) {
        const char *s;
        size_t len;
        olock_value *v;
        if (m->kind == OLOCK_JSON_NULL) {
            if (t == OLOCK_TYPE_SS)
                return olock__fake_verror(c, "One or more parameter values were invalid: An string set may not have a null string as a member");
            if (t == OLOCK_TYPE_NS) return olock__fake_num_error(c, OLOCK__FAKE_NUM_SYNTAX);
            return olock__fake_verror(c, "One or more parameter values were invalid: Binary sets may not contain null elements");
        }
        if (!olock__fake_scalar_text(m, &s, &len)) return olock__fake_shape(c);
        if (t == OLOCK_TYPE_NS) {
            if (olock__fake_parse_num(c, s, len, &v, 1) < 0) return -1;
        } else if (t == OLOCK_TYPE_SS) {
            if (!(v = olock__fake_newval(c->a, OLOCK_TYPE_S))) return olock__fake_oom(c);
            v->str = s;
            v->len = len;
        } else {
            unsigned char *bytes;
            size_t blen = 0;
            if (!(v = olock__fake_newval(c->a, OLOCK_TYPE_B))) return olock__fake_oom(c);
            if (!(bytes = (unsigned char *)olock__fake_alloc(c, len / 4 * 3 + 4))) return -1;
            if (olock_base64_decode(s, len, bytes, &blen) != OLOCK_OK) return olock__fake_shape(c);
            bytes[blen] = 0;
            v->str = (const char *)bytes;
            v->len = blen;
        }
        olock__fake_append(set, v);
    }
    if (set->count == 0) {
        if (t == OLOCK_TYPE_SS) return olock__fake_verror(c, "One or more parameter values were invalid: An string set  may not be empty");
        if (t == OLOCK_TYPE_NS) return olock__fake_verror(c, "One or more parameter values were invalid: An number set  may not be empty");
        return olock__fake_verror(c, "One or more parameter values were invalid: Binary sets should not be empty");
    }
    if (olock__fake_sort_set(c->a, set, 0) < 0) return olock__fake_oom(c);
    if (olock__fake_set_has_dup(set)) {
        if (t == OLOCK_TYPE_NS) return olock__fake_verror(c, "Input collection contains duplicates");
        if (t == OLOCK_TYPE_BS)
            return olock__fake_verror(c, "One or more parameter values were invalid: Input collection of type BS contains duplicates.");
        { /* DynamoDB Local lists the members as they were sent */
            olock_buf b;
            int first = 1;
            olock_buf_init(&b, &c->f->alloc);
            for (m = arr->first; m; m = m->next) {
                const char *s = "";
                size_t len = 0;
                olock__fake_scalar_text(m, &s, &len);
                if ((!first && olock_buf_append(&b, ", ", 2) != OLOCK_OK) || olock_buf_append(&b, s, len) != OLOCK_OK) {
                    olock_buf_free(&b);
                    return olock__fake_oom(c);
                }
                first = 0;
            }
            olock__fake_verror(c, "One or more parameter values were invalid: Input collection [%.*s] contains duplicates",
                               (int)b.len, b.data ? b.data : "");
            olock_buf_free(&b);
            return -1;
        }
    }
    *out = set;
    return 0;
}

/* One attribute value {"S": ...} etc. */
static int olock__fake_av(olock__fake_ctx *c, const olock_json *j, olock_value **out, int depth) {
    const olock_json *m, *found = NULL, *tv;
    olock_type t = (olock_type)0;
    olock_value *v = NULL;
    int ntypes = 0;
    unsigned seen = 0;
    if (j->kind != OLOCK_JSON_OBJECT) return olock__fake_shape(c);
    /* a top-level attribute's value is at depth 2: 32 levels of documents in all */
    if (depth > OLOCK__FAKE_MAX_DEPTH + 1)
        return olock__fake_verror(c, "Nesting Levels have exceeded supported limits: Attributes in the item have nested levels beyond supported limit");
    /* one pass over the members; a repeated type name counts once, its last value wins */
    for (tv = j->first; tv; tv = tv->next) {
        olock_type xt = tv->kind == OLOCK_JSON_NULL ? (olock_type)0 : olock_type_from_name(tv->key, tv->key_len);
        if (!xt) continue;
        if (!(seen & (1u << xt))) {
            seen |= 1u << xt;
            ntypes++;
        }
        found = tv;
        t = xt;
    }
    if (ntypes == 0)
        return olock__fake_verror(c, "Supplied AttributeValue is empty, must contain exactly one of the supported datatypes");
    if (ntypes > 1)
        return olock__fake_verror(c, "Supplied AttributeValue has more than one datatypes set, must contain exactly one of the supported datatypes");
    m = found;
    switch (t) {
    case OLOCK_TYPE_S: {
        const char *s;
        size_t len;
        if (!olock__fake_scalar_text(m, &s, &len)) return olock__fake_shape(c);
        if (!(v = olock__fake_newval(c->a, OLOCK_TYPE_S))) return olock__fake_oom(c);
        v->str = s;
        v->len = len;
        break;
    }
    case OLOCK_TYPE_N: {
        const char *s;
        size_t len;
        if (!olock__fake_scalar_text(m, &s, &len)) return olock__fake_shape(c);
        if (olock__fake_parse_num(c, s, len, &v, 0) < 0) return -1;
        break;
    }
    case OLOCK_TYPE_B: {
        unsigned char *bytes;
        size_t blen = 0;
        if (m->kind != OLOCK_JSON_STRING) return olock__fake_shape(c);
        if (!(v = olock__fake_newval(c->a, OLOCK_TYPE_B))) return olock__fake_oom(c);
        if (!(bytes = (unsigned char *)olock__fake_alloc(c, m->len / 4 * 3 + 4))) return -1;
        if (olock_base64_decode(m->str, m->len, bytes, &blen) != OLOCK_OK) return olock__fake_shape(c);
        bytes[blen] = 0;
        v->str = (const char *)bytes;
        v->len = blen;
        break;
    }
    case OLOCK_TYPE_BOOL: {
        int b;
        if (m->kind == OLOCK_JSON_TRUE) b = 1;
        else if (m->kind == OLOCK_JSON_FALSE) b = 0;
        else if (m->kind == OLOCK_JSON_NUMBER) b = !(m->len == 1 && m->str[0] == '0');
        else if (m->kind == OLOCK_JSON_STRING && olock__fake_streq(m->str, m->len, "true")) b = 1;
        else if (m->kind == OLOCK_JSON_STRING && olock__fake_streq(m->str, m->len, "false")) b = 0;
        else return olock__fake_shape(c);
        if (!(v = olock__fake_newval(c->a, OLOCK_TYPE_BOOL))) return olock__fake_oom(c);
        v->boolean = b;
        break;
    }
    case OLOCK_TYPE_NULL:
        if (m->kind == OLOCK_JSON_FALSE)
            return olock__fake_verror(c, "One or more parameter values were invalid: Null attribute value types must have the value of true");
        if (m->kind != OLOCK_JSON_TRUE) return olock__fake_shape(c);
        if (!(v = olock__fake_newval(c->a, OLOCK_TYPE_NULL))) return olock__fake_oom(c);
        break;
    case OLOCK_TYPE_M: {
        int keep = c->keep_scale, r;
        c->keep_scale = 1; /* what is inside a document is kept as sent */
        r = olock__fake_av_map(c, m, &v, depth);
        c->keep_scale = keep;
        if (r < 0) return -1;
        v->type = OLOCK_TYPE_M;
        break;
    }
    case OLOCK_TYPE_L: {
        const olock_json *e;
        int keep = c->keep_scale;
        if (m->kind != OLOCK_JSON_ARRAY) return olock__fake_shape(c);
        if (!(v = olock__fake_newval(c->a, OLOCK_TYPE_L))) return olock__fake_oom(c);
        c->keep_scale = 1;
        for (e = m->first; e; e = e->next) {
            olock_value *x;
            if (e->kind == OLOCK_JSON_NULL || olock__fake_av(c, e, &x, depth + 1) < 0) {
                c->keep_scale = keep;
                return e->kind == OLOCK_JSON_NULL ? olock__fake_shape(c) : -1;
            }
            olock__fake_append(v, x);
        }
        c->keep_scale = keep;
        break;
    }
    default:
        if (olock__fake_av_set(c, t, m, &v) < 0) return -1;
        break;
    }
    *out = v;
    return 0;
}

/* ---- attribute values: size, equality, copy, JSON out --------------------------------------- */

/* The sign, exp10 and ndigits (not the digits) of a plain decimal text, [-]digits[.digits]
   without leading zeros and within 38 significant digits, as olock__fake_num_of would find them
   but without the full parse: every write sizes the whole item, every number of it. 0 for any
   other text, which then takes the full parse. */
static int olock__fake_num_shape(const char *s, size_t len, olock_decimal *d) {
    size_t i, ndig = 0, intd = 0, first = 0, last = 0;
    int seen_point = 0, any = 0;
    if (len == 0 || len > 40) return 0;
    d->negative = s[0] == '-';
    i = (size_t)d->negative;
    if (i >= len || s[len - 1] == '.' || (s[i] == '0' && i + 1 < len && s[i + 1] != '.')) return 0;
    for (; i < len; i++) {
        if (s[i] == '.') {
            if (seen_point || ndig == 0) return 0;
            seen_point = 1;
            continue;
        }
        if (s[i] < '0' || s[i] > '9') return 0;
        if (s[i] != '0') {
            if (!any) first = ndig;
            any = 1;
            last = ndig;
        }
        ndig++;
        if (!seen_point) intd++;
    }
    d->ndigits = any ? (int)(last - first + 1) : 0;
    d->exp10 = (int)intd - (int)first;
    return d->ndigits <= OLOCK_NUMBER_DIGITS;
}

/* DynamoDB's size of a number: its base-100 digits plus one (plus one more when negative). */
static size_t olock__fake_num_size(const olock_value *v) {
    olock_decimal d;
    int hi, lo;
    size_t i = v->len && v->str[0] == '-', k;
    /* a plain integer of up to 18 digits (counters, versions): its digits weigh 10^(n-1) down
       to 1, the trailing zeros are not significant */
    if (v->len - i >= 1 && v->len - i <= 18 && v->str[i] >= '1' && v->str[i] <= '9') {
        for (k = i + 1; k < v->len && v->str[k] >= '0' && v->str[k] <= '9'; k++) {}
        if (k == v->len) {
            int n = (int)(v->len - i), sig = n;
            while (v->str[i + (size_t)sig - 1] == '0') sig--;
            return (size_t)((n - 1) / 2 - (n - sig) / 2 + 1) + 1 + i;
        }
    }
    if (!olock__fake_num_shape(v->str, v->len, &d)) olock__fake_num_of(v, &d);
    if (d.ndigits == 0) return 1;
    /* digit i (1-based) weighs 10^(exp10 - i); base-100 digit k covers weights 2k, 2k+1 */
    hi = d.exp10 - 1;
    lo = d.exp10 - d.ndigits;
    hi = hi >= 0 ? hi / 2 : -((-hi + 1) / 2);
    lo = lo >= 0 ? lo / 2 : -((-lo + 1) / 2);
    return (size_t)(hi - lo + 1) + 1 + (d.negative ? 1 : 0);
}

/* The DynamoDB size of a value (developer guide, checked against DynamoDB Local's
   TableSizeBytes): strings and binaries their bytes, numbers as above, BOOL/NULL 1, L and M
   3 plus 1 per member plus the members (and a map's member names), sets their members. */
static size_t olock__fake_value_size(const olock_value *v) {
    const olock_value *m;
    size_t n = 0;
    switch (v->type) {
    case OLOCK_TYPE_S:
    case OLOCK_TYPE_B: return v->len;
    case OLOCK_TYPE_N: return olock__fake_num_size(v);
    case OLOCK_TYPE_BOOL:
    case OLOCK_TYPE_NULL: return 1;
    case OLOCK_TYPE_L:
        for (m = v->first; m; m = m->next) n += olock__fake_value_size(m) + 1;
        return n + 3;
    case OLOCK_TYPE_M:
        for (m = v->first; m; m = m->next) n += m->key_len + olock__fake_value_size(m) + 1;
        return n + 3;
    case OLOCK_TYPE_NS:
        for (m = v->first; m; m = m->next) n += olock__fake_num_size(m);
        return n;
    default:
        for (m = v->first; m; m = m->next) n += m->len;
        return n;
    }
}

/* Item size: attribute names plus values. */
static size_t olock__fake_item_size(const olock_value *item) {
    const olock_value *m;
    size_t n = 0;
    for (m = item->first; m; m = m->next) n += m->key_len + olock__fake_value_size(m);
    return n;
}

static const olock_value *olock__fake_map_get(const olock_value *map, const char *key, size_t len) {
    const olock_value *m;
    for (m = map->first; m; m = m->next)
        if (m->key_len == len && memcmp(m->key, key, len) == 0) return m;
    return NULL;
}

/* Equality as DynamoDB compares: numbers by value (stored text is canonical), sets as sets
   (kept sorted), maps by name. */
static int olock__fake_equal(const olock_value *a, const olock_value *b) {
    const olock_value *x, *y;
    if (a->type != b->type) return 0;
    switch (a->type) {
    case OLOCK_TYPE_S:
    case OLOCK_TYPE_B:
        return a->len == b->len && memcmp(a->str, b->str, a->len) == 0;
    case OLOCK_TYPE_N: /* "3.00" equals "3" */
        return (a->len == b->len && memcmp(a->str, b->str, a->len) == 0) || olock__fake_scalar_cmp(a, b) == 0;
    case OLOCK_TYPE_BOOL: return !a->boolean == !b->boolean;
    case OLOCK_TYPE_NULL: return 1;
    case OLOCK_TYPE_M:
        if (a->count != b->count) return 0;
        for (x = a->first; x; x = x->next) {
            y = olock__fake_map_get(b, x->key, x->key_len);
            if (!y || !olock__fake_equal(x, y)) return 0;
        }
        return 1;
    default: /* L and the sorted sets: member by member */
        if (a->count != b->count) return 0;
        for (x = a->first, y = b->first; x && y; x = x->next, y = y->next)
            if (!olock__fake_equal(x, y)) return 0;
        return 1;
    }
}

/* Deep copy into another arena (an item's own). NULL on OOM. */
static olock_value *olock__fake_copy(olock_arena *a, const olock_value *v) {
    olock_value *r = olock__fake_newval(a, v->type), *m;
    const olock_value *x;
    if (!r) return NULL;
    r->boolean = v->boolean;
    if (v->key) {
        if (!(r->key = olock_arena_strdup(a, v->key, v->key_len))) return NULL;
        r->key_len = v->key_len;
    }
    if (v->str) {
        if (!(r->str = olock_arena_strdup(a, v->str, v->len))) return NULL;
        r->len = v->len;
    }
    for (x = v->first; x; x = x->next) {
        if (!(m = olock__fake_copy(a, x))) return NULL;
        olock__fake_append(r, m);
    }
    return r;
}

/* Room for n more bytes of output: where to write them (exactly n, then
   olock__fake_wrote), NULL on OOM. A response is written in many small pieces; these two
   keep the common one, with room already there, out of a function call. */
static char *olock__fake_room(olock__fake_ctx *c, size_t n) {
    olock_buf *b = c->out;
    if ((b->cap - b->len <= n || b->max) && olock_buf_reserve(b, n) != OLOCK_OK) {
        c->oom = 1;
        return NULL;
    }
    return b->data + b->len;
}

static void olock__fake_wrote(olock__fake_ctx *c, size_t n) {
    c->out->len += n;
    c->out->data[c->out->len] = 0;
}

static int olock__fake_put(olock__fake_ctx *c, const void *p, size_t n) {
    char *o = olock__fake_room(c, n);
    if (!o) return -1;
    if (n) memcpy(o, p, n);
    olock__fake_wrote(c, n);
    return 0;
}

static int olock__fake_puts(olock__fake_ctx *c, const char *s) { return olock__fake_put(c, s, strlen(s)); }

/* A JSON string escaped the way DynamoDB Local's JSON writer does it: quote, backslash and
   control characters escaped (\t \n \r \b \f by name), characters beyond U+FFFF as
   \uXXXX surrogate pairs, everything else (including '/' and U+007F) as is. */
static int olock__fake_put_str(olock__fake_ctx *c, const char *s, size_t n) {
    static const char hex[] = "0123456789ABCDEF";
    size_t i = 0, run = 0;
    char *o;
    for (; i + 8 <= n; i += 8) { /* eight bytes at a time: any quote, backslash, control or 4-byte lead */
        uint64_t w, hi = 0x8080808080808080ull, one = 0x0101010101010101ull, q, b;
        memcpy(&w, s + i, 8);
        q = w ^ (one * '"');
        b = w ^ (one * '\\');
        if ((((q - one) & ~q) | ((b - one) & ~b) | ((w - one * 0x20) & ~w) | (w & (w << 1) & (w << 2) & (w << 3))) & hi) break;
    }
    for (; i < n; i++) {
        unsigned char ch = (unsigned char)s[i];
        if (ch == '"' || ch == '\\' || ch < 0x20 || ch >= 0xF0) break;
    }
    if (i == n) { /* nothing to escape, as most text: in one piece */
        if (!(o = olock__fake_room(c, n + 2))) return -1;
        o[0] = '"';
        if (n) memcpy(o + 1, s, n);
        o[n + 1] = '"';
        olock__fake_wrote(c, n + 2);
        return 0;
    }
    i = 0;
    if (olock__fake_put(c, "\"", 1) < 0) return -1;
    while (i < n) {
        unsigned char ch = (unsigned char)s[i];
        char esc[16];
        size_t elen = 0, adv = 1;
        if (ch == '"' || ch == '\\') {
            esc[0] = '\\';
            esc[1] = (char)ch;
            elen = 2;
        } else if (ch < 0x20) {
            const char *named = ch == '\t' ? "\\t" : ch == '\n' ? "\\n"
                : ch == '\r'                                    ? "\\r"
                : ch == '\b'                                    ? "\\b"
                : ch == '\f'                                    ? "\\f"
                                                                : NULL;
            if (named) {
                memcpy(esc, named, 2);
                elen = 2;
            } else {
                memcpy(esc, "\\u00", 4);
                esc[4] = hex[ch >> 4];
                esc[5] = hex[ch & 15];
                elen = 6;
            }
        } else if (ch >= 0xF0 && i + 4 <= n) { /* input is valid UTF-8 */
            uint32_t cp = ((uint32_t)(ch & 0x07) << 18) | ((uint32_t)((unsigned char)s[i + 1] & 0x3F) << 12) |
                ((uint32_t)((unsigned char)s[i + 2] & 0x3F) << 6) | ((uint32_t)((unsigned char)s[i + 3] & 0x3F));
            uint32_t hi, lo;
            cp -= 0x10000;
            hi = 0xD800 + (cp >> 10);
            lo = 0xDC00 + (cp & 0x3FF);
            esc[0] = '\\';
            esc[1] = 'u';
            esc[2] = hex[(hi >> 12) & 15];
            esc[3] = hex[(hi >> 8) & 15];
            esc[4] = hex[(hi >> 4) & 15];
            esc[5] = hex[hi & 15];
            esc[6] = '\\';
            esc[7] = 'u';
            esc[8] = hex[(lo >> 12) & 15];
            esc[9] = hex[(lo >> 8) & 15];
            esc[10] = hex[(lo >> 4) & 15];
            esc[11] = hex[lo & 15];
            elen = 12;
            adv = 4;
        }
        if (!elen) {
            run++;
            i++;
            continue;
        }
        if (run && olock__fake_put(c, s + i - run, run) < 0) return -1;
        run = 0;
        if (olock__fake_put(c, esc, elen) < 0) return -1;
        i += adv;
    }
    if (run && olock__fake_put(c, s + n - run, run) < 0) return -1;
    return olock__fake_put(c, "\"", 1);
}

/* Decimal text of v into buf (at least 21 bytes); returns the length. */
static size_t olock__fake_u64_text(uint64_t v, char *buf) {
    static const char pairs[] = "00010203040506070809101112131415161718192021222324252627282930313233343536373839"
                                "40414243444546474849505152535455565758596061626364656667686970717273747576777879"
                                "8081828384858687888990919293949596979899";
    char tmp[24];
    size_t k = sizeof(tmp), n;
    while (v >= 100) { /* two digits at a time, from the end */
        size_t d = (size_t)(v % 100) * 2;
        v /= 100;
        tmp[--k] = pairs[d + 1];
        tmp[--k] = pairs[d];
    }
    if (v >= 10) {
        tmp[--k] = pairs[v * 2 + 1];
        tmp[--k] = pairs[v * 2];
    } else {
        tmp[--k] = (char)('0' + v);
    }
    n = sizeof(tmp) - k;
    memcpy(buf, tmp + k, n);
    buf[n] = 0;
    return n;
}

static int olock__fake_put_u64(olock__fake_ctx *c, uint64_t v) {
    char buf[24];
    return olock__fake_put(c, buf, olock__fake_u64_text(v, buf));
}

static int olock__fake_write_value(olock__fake_ctx *c, const olock_value *v);

/* Java's String.hashCode (over UTF-16 code units) spread as java.util.HashMap spreads it. */
static uint32_t olock__fake_java_string_hash(const char *s, size_t len);
static uint32_t olock__fake_java_hash(const char *s, size_t len) {
    uint32_t h = olock__fake_java_string_hash(s, len);
    return h ^ (h >> 16);
}

/* Java's String.hashCode itself, over the UTF-16 code units of UTF-8 text. */
static uint32_t olock__fake_java_string_hash(const char *s, size_t len) {
    uint32_t h = 0;
    size_t i = 0;
    while (i < len) {
        unsigned char ch = (unsigned char)s[i];
        uint32_t cp;
        size_t n = ch < 0x80 ? 1 : (ch & 0xE0) == 0xC0 ? 2
            : (ch & 0xF0) == 0xE0                      ? 3
                                                       : 4,
               k;
        cp = n == 1 ? ch : n == 2 ? (ch & 0x1Fu)
            : n == 3              ? (ch & 0x0Fu)
                                  : (ch & 0x07u);
        for (k = 1; k < n && i + k < len; k++) cp = (cp << 6) | ((unsigned char)s[i + k] & 0x3Fu);
        i += n;
        if (cp >= 0x10000) {
            cp -= 0x10000;
            h = 31 * h + (0xD800 + (cp >> 10));
            h = 31 * h + (0xDC00 + (cp & 0x3FF));
        } else {
            h = 31 * h + cp;
        }
    }
    return h;
}

/* {"name":{value},...}, members in the order DynamoDB Local writes them: it copies a map
   into a java.util.HashMap sized for it (a power of two, doubled while more than 3/4 full)
   and iterates its buckets, so members come out by bucket, then in their own order. The
   ALL_OLD item of a ConditionalCheckFailedException goes through a default HashMap instead
   (16 buckets to start with): `cap` is the starting size. */
static int olock__fake_write_map_cap(olock__fake_ctx *c, const olock_value *map, size_t cap) {
    const olock_value *m, **order = NULL;
    size_t n = map->count, i;
    if (n > 1) {
        uint32_t *bucket;
        while (cap < n) cap *= 2;
        while (n > cap / 4 * 3 + (cap % 4) * 3 / 4) cap *= 2;
        order = (const olock_value **)olock__fake_alloc(c, n * sizeof(*order));
        bucket = (uint32_t *)olock__fake_alloc(c, n * sizeof(*bucket));
        if (!order || !bucket) return -1;
        for (i = 0, m = map->first; m && i < n; m = m->next, i++) {
            size_t j;
            uint32_t b = olock__fake_java_hash(m->key, m->key_len) & (uint32_t)(cap - 1);
            for (j = i; j > 0 && bucket[j - 1] > b; j--) {
                bucket[j] = bucket[j - 1];
                order[j] = order[j - 1];
            }
            bucket[j] = b;
            order[j] = m;
        }
        n = i;
    }
    if (olock__fake_put(c, "{", 1) < 0) return -1;
    for (i = 0, m = map->first; m && i < map->count; i++, m = m->next) {
        const olock_value *x = order ? order[i] : m;
        if (i && olock__fake_put(c, ",", 1) < 0) return -1;
        if (olock__fake_put_str(c, x->key, x->key_len) < 0 || olock__fake_put(c, ":", 1) < 0) return -1;
        if (olock__fake_write_value(c, x) < 0) return -1;
    }
    return olock__fake_put(c, "}", 1);
}

static int olock__fake_write_map(olock__fake_ctx *c, const olock_value *map) {
    return olock__fake_write_map_cap(c, map, 1);
}

static int olock__fake_write_scalar(olock__fake_ctx *c, const olock_value *v) {
    if (v->type == OLOCK_TYPE_B) {
        if (olock__fake_put(c, "\"", 1) < 0) return -1;
        if (olock_base64_encode(v->str, v->len, c->out) != OLOCK_OK) return olock__fake_oom(c);
        return olock__fake_put(c, "\"", 1);
    }
    return olock__fake_put_str(c, v->str, v->len);
}

static int olock__fake_write_value(olock__fake_ctx *c, const olock_value *v) {
    const olock_value *m;
    const char *tn = olock_type_name(v->type);
    size_t tl = strlen(tn);
    char *o = olock__fake_room(c, tl + 4);
    if (!o) return -1;
    o[0] = '{';
    o[1] = '"';
    memcpy(o + 2, tn, tl);
    o[tl + 2] = '"';
    o[tl + 3] = ':';
    olock__fake_wrote(c, tl + 4);
    switch (v->type) {
    case OLOCK_TYPE_S:
    case OLOCK_TYPE_N:
    case OLOCK_TYPE_B:
        if (olock__fake_write_scalar(c, v) < 0) return -1;
        break;
    case OLOCK_TYPE_BOOL:
        if (olock__fake_puts(c, v->boolean ? "true" : "false") < 0) return -1;
        break;
    case OLOCK_TYPE_NULL:
        if (olock__fake_puts(c, "true") < 0) return -1;
        break;
    case OLOCK_TYPE_M:
        if (olock__fake_write_map(c, v) < 0) return -1;
        break;
    default: /* L, SS, NS, BS */
        if (olock__fake_put(c, "[", 1) < 0) return -1;
        for (m = v->first; m; m = m->next) {
            if (m != v->first && olock__fake_put(c, ",", 1) < 0) return -1;
            if (v->type == OLOCK_TYPE_L ? olock__fake_write_value(c, m) : olock__fake_write_scalar(c, m)) return -1;
        }
        if (olock__fake_put(c, "]", 1) < 0) return -1;
        break;
    }
    return olock__fake_put(c, "}", 1);
}
/* =============================================================================================
   >>expr (implementation)
   ========================================================================================== */

/* ---- expressions: tokens -------------------------------------------------------------------- */

enum {
    OLOCK__FAKE_T_EOF = 0,
    OLOCK__FAKE_T_NAME,
    OLOCK__FAKE_T_HASH,
    OLOCK__FAKE_T_COLON,
    OLOCK__FAKE_T_INT,
    OLOCK__FAKE_T_LP,
    OLOCK__FAKE_T_RP,
    OLOCK__FAKE_T_LB,
    OLOCK__FAKE_T_RB,
    OLOCK__FAKE_T_COMMA,
    OLOCK__FAKE_T_DOT,
    OLOCK__FAKE_T_EQ,
    OLOCK__FAKE_T_NE,
    OLOCK__FAKE_T_LT,
    OLOCK__FAKE_T_LE,
    OLOCK__FAKE_T_GT,
    OLOCK__FAKE_T_GE,
    OLOCK__FAKE_T_PLUS,
    OLOCK__FAKE_T_MINUS,
    OLOCK__FAKE_T_AND,
    OLOCK__FAKE_T_OR,
    OLOCK__FAKE_T_NOT,
    OLOCK__FAKE_T_BETWEEN,
    OLOCK__FAKE_T_IN,
    OLOCK__FAKE_T_SET,
    OLOCK__FAKE_T_REMOVE,
    OLOCK__FAKE_T_ADD,
    OLOCK__FAKE_T_DELETE,
    OLOCK__FAKE_T_BAD
};

typedef struct olock__fake_tok {
    int kind;
    size_t start, end; /* byte span in the expression */
} olock__fake_tok;

static int olock__fake_is_alpha(char ch) { return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z'); }
static int olock__fake_is_digit(char ch) { return ch >= '0' && ch <= '9'; }
static int olock__fake_is_word(char ch) { return olock__fake_is_alpha(ch) || olock__fake_is_digit(ch) || ch == '_'; }


/* Splits an expression into tokens; never fails except on OOM. An unknown character (or
   UTF-8 sequence) becomes a BAD token, which the parser reports as a syntax error when it
   reaches it, as DynamoDB does. */
static olock__fake_tok *olock__fake_lex(olock__fake_ctx *c, const char *s, size_t len, size_t *count, int remove_is_name) {
    static const struct {
        const char *kw;
        int kind;
    } kws[] = {
        { "AND", OLOCK__FAKE_T_AND }, { "OR", OLOCK__FAKE_T_OR }, { "NOT", OLOCK__FAKE_T_NOT }, { "BETWEEN", OLOCK__FAKE_T_BETWEEN }, { "IN", OLOCK__FAKE_T_IN }, { "SET", OLOCK__FAKE_T_SET }, { "REMOVE", OLOCK__FAKE_T_REMOVE }, { "ADD", OLOCK__FAKE_T_ADD }, { "DELETE", OLOCK__FAKE_T_DELETE }
    };
    olock__fake_tok *t = (olock__fake_tok *)olock__fake_alloc(c, (len + 1) * sizeof(olock__fake_tok));
    size_t i = 0, n = 0, k;
    if (!t) return NULL;
    while (i < len) {
        char ch = s[i];
        size_t st = i;
        int kind;
        if (ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r') {
            i++;
            continue;
        }
        if (olock__fake_is_alpha(ch)) {
            while (i < len && olock__fake_is_word(s[i])) i++;
            kind = OLOCK__FAKE_T_NAME;
            for (k = 0; k < sizeof(kws) / sizeof(kws[0]); k++)
                if (olock__fake_ieq(s + st, i - st, kws[k].kw)) {
                    kind = kws[k].kind;
                    break;
                }
            /* DynamoDB Local's projection grammar has no REMOVE keyword */
            if (kind == OLOCK__FAKE_T_REMOVE && remove_is_name) kind = OLOCK__FAKE_T_NAME;
        } else if (ch == '#' || ch == ':') {
            i++;
            while (i < len && olock__fake_is_word(s[i])) i++;
            kind = i - st > 1 ? (ch == '#' ? OLOCK__FAKE_T_HASH : OLOCK__FAKE_T_COLON) : OLOCK__FAKE_T_BAD;
        } else if (olock__fake_is_digit(ch)) {
            i++;
            if (ch != '0')
                while (i < len && olock__fake_is_digit(s[i])) i++;
            kind = OLOCK__FAKE_T_INT;
        } else {
            i++;
            switch (ch) {
            case '(': kind = OLOCK__FAKE_T_LP; break;
            case ')': kind = OLOCK__FAKE_T_RP; break;
            case '[': kind = OLOCK__FAKE_T_LB; break;
            case ']': kind = OLOCK__FAKE_T_RB; break;
            case ',': kind = OLOCK__FAKE_T_COMMA; break;
            case '.': kind = OLOCK__FAKE_T_DOT; break;
            case '+': kind = OLOCK__FAKE_T_PLUS; break;
            case '-': kind = OLOCK__FAKE_T_MINUS; break;
            case '=': kind = OLOCK__FAKE_T_EQ; break;
            case '<':
                kind = OLOCK__FAKE_T_LT;
                if (i < len && s[i] == '=') {
                    kind = OLOCK__FAKE_T_LE;
                    i++;
                } else if (i < len && s[i] == '>') {
                    kind = OLOCK__FAKE_T_NE;
                    i++;
                }
                break;
            case '>':
                kind = OLOCK__FAKE_T_GT;
                if (i < len && s[i] == '=') {
                    kind = OLOCK__FAKE_T_GE;
                    i++;
                }
                break;
            default:
                kind = OLOCK__FAKE_T_BAD;
                if ((unsigned char)ch >= 0xC0) /* the whole UTF-8 sequence */
                    while (i < len && ((unsigned char)s[i] & 0xC0) == 0x80) i++;
                break;
            }
        }
        t[n].kind = kind;
        t[n].start = st;
        t[n].end = i;
        n++;
    }
    t[n].kind = OLOCK__FAKE_T_EOF;
    t[n].start = len;
    t[n].end = len;
    *count = n + 1;
    return t;
}

/* ---- expressions: syntax tree --------------------------------------------------------------- */

enum {
    OLOCK__FAKE_N_PATH = 1,
    OLOCK__FAKE_N_VALUE,
    OLOCK__FAKE_N_FUNC,
    OLOCK__FAKE_N_CMP,
    OLOCK__FAKE_N_BETWEEN,
    OLOCK__FAKE_N_IN,
    OLOCK__FAKE_N_AND,
    OLOCK__FAKE_N_OR,
    OLOCK__FAKE_N_NOT,
    OLOCK__FAKE_N_PLUS,
    OLOCK__FAKE_N_MINUS
};

/* Functions, by what DynamoDB allows where. */
enum {
    OLOCK__FAKE_F_EXISTS = 1,
    OLOCK__FAKE_F_NOT_EXISTS,
    OLOCK__FAKE_F_TYPE,
    OLOCK__FAKE_F_BEGINS,
    OLOCK__FAKE_F_CONTAINS,
    OLOCK__FAKE_F_SIZE,
    OLOCK__FAKE_F_IF_NOT_EXISTS,
    OLOCK__FAKE_F_LIST_APPEND
};

/* One element of a document path: a name (bare or #placeholder) or a list index. */
typedef struct olock__fake_pel {
    int is_index;
    uint32_t index;
    size_t tok;       /* token it came from */
    const char *name; /* resolved attribute name (after #substitution) */
    size_t name_len;
} olock__fake_pel;

typedef struct olock__fake_node olock__fake_node;
struct olock__fake_node {
    int kind;
    int op;                  /* CMP: the comparator token; FUNC: OLOCK__FAKE_F_* */
    int parens;              /* written inside parentheses */
    olock__fake_node **args; /* operands / children */
    size_t nargs;
    olock__fake_pel *els; /* PATH */
    size_t nels;
    const olock_value *value; /* VALUE, once resolved */
    size_t tok;               /* first token */
};

/* One action of an update expression. */
typedef struct olock__fake_action {
    int clause; /* OLOCK__FAKE_T_SET / REMOVE / ADD / DELETE */
    olock__fake_node *path;
    olock__fake_node *value;   /* NULL for REMOVE */
    const olock_value *result; /* SET: the value computed against the old item */
} olock__fake_action;

/* Expression attribute names and values of one request, shared by its expressions. */
typedef struct olock__fake_subst {
    const olock_json *names;       /* ExpressionAttributeNames object or NULL */
    olock_value *values;           /* ExpressionAttributeValues as an M, or NULL */
    const olock_json *values_json; /* ... as sent, until olock__fake_subst_values */
    unsigned char *name_used, *value_used;
} olock__fake_subst;

/* Kinds of expression. */
#define OLOCK__FAKE_E_CONDITION 0
#define OLOCK__FAKE_E_UPDATE 1
#define OLOCK__FAKE_E_PROJECTION 2

typedef struct olock__fake_expr {
    olock__fake_ctx *c;
    olock__fake_subst *sub;
    const char *what; /* "ConditionExpression", ... (for messages) */
    int kind;         /* OLOCK__FAKE_E_CONDITION / _UPDATE / _PROJECTION */
    const char *src;
    size_t len;
    olock__fake_tok *toks;
    size_t ntoks, pos;
    int depth;
    int redundant;            /* saw ((...)) */
    int legacy;               /* built from AttributeUpdates, not parsed */
    int bad_index;            /* first out-of-range list index token + 1 */
    int dup_clause;           /* first clause seen twice (update), reported after the names */
    size_t operators;         /* counted after parsing, limit 300 */
    olock__fake_node *root;   /* condition */
    olock__fake_action *acts; /* update */
    size_t nacts;
    olock__fake_node **paths; /* projection */
    size_t npaths;
    int deep;      /* a path of two elements or more: 0 not looked at, 1 none, 2 some (olock__fake_key_paths) */
    size_t *order; /* update: the order olock__fake_apply_update takes the actions in; NULL: work it out */
} olock__fake_expr;

static const char *olock__fake_tok_text(olock__fake_expr *e, size_t i, size_t *len) {
    if (e->toks[i].kind == OLOCK__FAKE_T_EOF) {
        *len = 5;
        return "<EOF>";
    }
    *len = e->toks[i].end - e->toks[i].start;
    return e->src + e->toks[i].start;
}

/* "Syntax error; token: "x", near: "a x b"": near runs from the token before the offending
   one to the end of the token after it (to the end of the text when that is EOF). */
static void *olock__fake_syntax(olock__fake_expr *e, size_t i) {
    size_t tlen, start, end;
    const char *t = olock__fake_tok_text(e, i, &tlen);
    start = i > 0 ? e->toks[i - 1].start : 0;
    if (e->toks[i].kind == OLOCK__FAKE_T_EOF || e->toks[i + 1].kind == OLOCK__FAKE_T_EOF) end = e->len;
    else end = e->toks[i + 1].end;
    olock__fake_verror(e->c, "Invalid %s: Syntax error; token: \"%.*s\", near: \"%.*s\"", e->what,
                       (int)tlen, t, (int)(end - start), e->src + start);
    return NULL;
}

static int olock__fake_peek(olock__fake_expr *e) { return e->toks[e->pos].kind; }

static olock__fake_node *olock__fake_node_new(olock__fake_expr *e, int kind, size_t tok) {
    olock__fake_node *n = (olock__fake_node *)olock__fake_alloc(e->c, sizeof(olock__fake_node));
    if (!n) return NULL;
    memset(n, 0, sizeof(*n));
    n->kind = kind;
    n->tok = tok;
    return n;
}

/* Grows a node's argument array by one (arena arrays: doubling copies). */
static int olock__fake_node_add(olock__fake_expr *e, olock__fake_node *n, olock__fake_node *arg) {
    if ((n->nargs & (n->nargs - 1)) == 0 || n->nargs < 2) {
        size_t cap = n->nargs < 2 ? 2 : n->nargs * 2;
        olock__fake_node **a = (olock__fake_node **)olock__fake_alloc(e->c, cap * sizeof(*a));
        if (!a) return -1;
        if (n->nargs) memcpy(a, n->args, n->nargs * sizeof(*a));
        n->args = a;
    }
    n->args[n->nargs++] = arg;
    return 0;
}

static olock__fake_node *olock__fake_bin(olock__fake_expr *e, int kind, olock__fake_node *a, olock__fake_node *b, size_t tok) {
    olock__fake_node *n = olock__fake_node_new(e, kind, tok);
    if (!n || olock__fake_node_add(e, n, a) < 0 || (b && olock__fake_node_add(e, n, b) < 0)) return NULL;
    return n;
}

/* path := element ('.' element | '[' INT ']')*, element := NAME | #name */
static olock__fake_node *olock__fake_parse_path(olock__fake_expr *e) {
    olock__fake_node *n = olock__fake_node_new(e, OLOCK__FAKE_N_PATH, e->pos);
    size_t cap = 4;
    if (!n) return NULL;
    if (!(n->els = (olock__fake_pel *)olock__fake_alloc(e->c, cap * sizeof(olock__fake_pel)))) return NULL;
    for (;;) {
        olock__fake_pel el;
        int k = olock__fake_peek(e);
        memset(&el, 0, sizeof(el));
        if (n->nels == 0 || k == OLOCK__FAKE_T_DOT) {
            if (n->nels) {
                e->pos++;
                k = olock__fake_peek(e);
            }
            if (k != OLOCK__FAKE_T_NAME && k != OLOCK__FAKE_T_HASH) return (olock__fake_node *)olock__fake_syntax(e, e->pos);
            el.tok = e->pos++;
        } else if (k == OLOCK__FAKE_T_LB) {
            uint64_t v = 0;
            size_t i;
            const olock__fake_tok *t;
            e->pos++;
            if (olock__fake_peek(e) != OLOCK__FAKE_T_INT) return (olock__fake_node *)olock__fake_syntax(e, e->pos);
            t = &e->toks[e->pos];
            for (i = t->start; i < t->end; i++) {
                v = v * 10 + (uint64_t)(e->src[i] - '0');
                if (v > 0xFFFFFFFFFFull) v = 0xFFFFFFFFFFull;
            }
            if (v > 2147483647u && !e->bad_index) e->bad_index = (int)e->pos + 1;
            el.is_index = 1;
            el.index = (uint32_t)(v > 2147483647u ? 2147483647u : v);
            el.tok = e->pos++;
            if (olock__fake_peek(e) != OLOCK__FAKE_T_RB) return (olock__fake_node *)olock__fake_syntax(e, e->pos);
            e->pos++;
        } else {
            break;
        }
        if (n->nels == cap) {
            olock__fake_pel *grown = (olock__fake_pel *)olock__fake_alloc(e->c, cap * 2 * sizeof(olock__fake_pel));
            if (!grown) return NULL;
            memcpy(grown, n->els, cap * sizeof(olock__fake_pel));
            n->els = grown;
            cap *= 2;
        }
        n->els[n->nels++] = el;
    }
    return n;
}

static int olock__fake_func_id(const char *s, size_t len) {
    static const char *const names[] = { "attribute_exists", "attribute_not_exists", "attribute_type",
                                         "begins_with", "contains", "size", "if_not_exists", "list_append" };
    size_t i;
    for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
        if (olock__fake_streq(s, len, names[i])) return (int)i + 1;
    return 0;
}

static olock__fake_node *olock__fake_parse_operand(olock__fake_expr *e);

static int olock__fake_is_cmp(int k) {
    return k == OLOCK__FAKE_T_EQ || k == OLOCK__FAKE_T_NE || k == OLOCK__FAKE_T_LT || k == OLOCK__FAKE_T_LE ||
        k == OLOCK__FAKE_T_GT || k == OLOCK__FAKE_T_GE;
}

/* NAME '(' operand (',' operand)* ')' */
static olock__fake_node *olock__fake_parse_call(olock__fake_expr *e) {
    size_t name_tok = e->pos;
    olock__fake_node *n = olock__fake_node_new(e, OLOCK__FAKE_N_FUNC, name_tok), *arg;
    if (!n) return NULL;
    n->op = olock__fake_func_id(e->src + e->toks[name_tok].start, e->toks[name_tok].end - e->toks[name_tok].start);
    e->pos += 2;
    if (++e->depth > OLOCK__FAKE_MAX_PARSE_DEPTH) return (olock__fake_node *)olock__fake_syntax(e, e->pos);
    for (;;) {
        if (!(arg = olock__fake_parse_operand(e))) return NULL;
        if (olock__fake_node_add(e, n, arg) < 0) return NULL;
        if (olock__fake_peek(e) == OLOCK__FAKE_T_COMMA) {
            e->pos++;
            continue;
        }
        if (olock__fake_peek(e) != OLOCK__FAKE_T_RP) return (olock__fake_node *)olock__fake_syntax(e, e->pos);
        e->pos++;
        break;
    }
    e->depth--;
    return n;
}

/* operand := path | :value | function call */
/* Past a "(": one level deeper, bounded. 0 (a syntax error recorded) when too deep. */
static int olock__fake_open_paren(olock__fake_expr *e) {
    e->pos++;
    if (++e->depth > OLOCK__FAKE_MAX_PARSE_DEPTH) {
        olock__fake_syntax(e, e->pos);
        return 0;
    }
    return 1;
}

/* The ")" after n, the part just parsed in parentheses (NULL: its error stands). A second pair
   around the same part is what DynamoDB calls redundant parentheses. */
static olock__fake_node *olock__fake_close_paren(olock__fake_expr *e, olock__fake_node *n) {
    if (!n) return NULL;
    if (olock__fake_peek(e) != OLOCK__FAKE_T_RP) return (olock__fake_node *)olock__fake_syntax(e, e->pos);
    e->pos++;
    e->depth--;
    if (n->parens) e->redundant = 1;
    n->parens = 1;
    return n;
}

static olock__fake_node *olock__fake_parse_operand(olock__fake_expr *e) {
    int k = olock__fake_peek(e);
    if (k == OLOCK__FAKE_T_NAME && e->toks[e->pos + 1].kind == OLOCK__FAKE_T_LP) return olock__fake_parse_call(e);
    if (k == OLOCK__FAKE_T_NAME || k == OLOCK__FAKE_T_HASH) return olock__fake_parse_path(e);
    if (k == OLOCK__FAKE_T_COLON) return olock__fake_node_new(e, OLOCK__FAKE_N_VALUE, e->pos++);
    if (k == OLOCK__FAKE_T_LP) /* DynamoDB accepts "(a) = :v" */
        return olock__fake_open_paren(e) ? olock__fake_close_paren(e, olock__fake_parse_operand(e)) : NULL;
    return (olock__fake_node *)olock__fake_syntax(e, e->pos);
}

/* 1 when the '(' at `pos` encloses an operand, i.e. its ')' is followed by a comparator,
   BETWEEN or IN (DynamoDB's grammar decides with the same unbounded look-ahead). */
static int olock__fake_paren_operand(const olock__fake_expr *e, size_t pos) {
    size_t depth = 0;
    for (; e->toks[pos].kind != OLOCK__FAKE_T_EOF; pos++) {
        int k = e->toks[pos].kind;
        if (k == OLOCK__FAKE_T_LP) depth++;
        else if (k == OLOCK__FAKE_T_RP && --depth == 0) {
            k = e->toks[pos + 1].kind;
            return olock__fake_is_cmp(k) || k == OLOCK__FAKE_T_BETWEEN || k == OLOCK__FAKE_T_IN;
        }
    }
    return 0;
}

static olock__fake_node *olock__fake_parse_or(olock__fake_expr *e);

static olock__fake_node *olock__fake_parse_primary(olock__fake_expr *e) {
    olock__fake_node *left, *n;
    size_t start = e->pos;
    int k = olock__fake_peek(e);
    if (k == OLOCK__FAKE_T_LP && !olock__fake_paren_operand(e, e->pos))
        return olock__fake_open_paren(e) ? olock__fake_close_paren(e, olock__fake_parse_or(e)) : NULL;
    if (!(left = olock__fake_parse_operand(e))) return NULL;
    k = olock__fake_peek(e);
    if (olock__fake_is_cmp(k)) {
        olock__fake_node *right;
        e->pos++;
        if (!(right = olock__fake_parse_operand(e))) return NULL;
        if (!(n = olock__fake_bin(e, OLOCK__FAKE_N_CMP, left, right, start))) return NULL;
        n->op = k;
        return n;
    }
    if (k == OLOCK__FAKE_T_BETWEEN) {
        olock__fake_node *lo, *hi;
        e->pos++;
        if (!(lo = olock__fake_parse_operand(e))) return NULL;
        if (olock__fake_peek(e) != OLOCK__FAKE_T_AND) return (olock__fake_node *)olock__fake_syntax(e, e->pos);
        e->pos++;
        if (!(hi = olock__fake_parse_operand(e))) return NULL;
        if (!(n = olock__fake_bin(e, OLOCK__FAKE_N_BETWEEN, left, lo, start))) return NULL;
        if (olock__fake_node_add(e, n, hi) < 0) return NULL;
        return n;
    }
    if (k == OLOCK__FAKE_T_IN) {
        e->pos++;
        if (olock__fake_peek(e) != OLOCK__FAKE_T_LP) return (olock__fake_node *)olock__fake_syntax(e, e->pos);
        e->pos++;
        if (!(n = olock__fake_bin(e, OLOCK__FAKE_N_IN, left, NULL, start))) return NULL;
        for (;;) {
            olock__fake_node *x = olock__fake_parse_operand(e);
            if (!x || olock__fake_node_add(e, n, x) < 0) return NULL;
            if (olock__fake_peek(e) == OLOCK__FAKE_T_COMMA) {
                e->pos++;
                continue;
            }
            if (olock__fake_peek(e) != OLOCK__FAKE_T_RP) return (olock__fake_node *)olock__fake_syntax(e, e->pos);
            e->pos++;
            return n;
        }
    }
    if (left->kind == OLOCK__FAKE_N_FUNC) return left; /* a function used as a condition */
    return (olock__fake_node *)olock__fake_syntax(e, e->pos);
}

static olock__fake_node *olock__fake_parse_not(olock__fake_expr *e) {
    size_t depth = 0, start = e->pos;
    olock__fake_node *n;
    /* NOT NOT ... is a chain, not recursion: a hostile expression cannot blow the stack */
    while (olock__fake_peek(e) == OLOCK__FAKE_T_NOT) {
        e->pos++;
        depth++;
    }
    if (!(n = olock__fake_parse_primary(e))) return NULL;
    while (depth--) {
        if (!(n = olock__fake_bin(e, OLOCK__FAKE_N_NOT, n, NULL, start + depth))) return NULL;
    }
    return n;
}

/* A chain of conditions joined by AND (level 0: of NOTs) or by OR (level 1: of AND chains, AND
   binding tighter), left-associative. */
static olock__fake_node *olock__fake_parse_chain(olock__fake_expr *e, int level) {
    static const int token[2] = { OLOCK__FAKE_T_AND, OLOCK__FAKE_T_OR };
    static const int kind[2] = { OLOCK__FAKE_N_AND, OLOCK__FAKE_N_OR };
    olock__fake_node *n = level ? olock__fake_parse_chain(e, 0) : olock__fake_parse_not(e), *r;
    while (n && olock__fake_peek(e) == token[level]) {
        size_t t = e->pos++;
        if (!(r = level ? olock__fake_parse_chain(e, 0) : olock__fake_parse_not(e))) return NULL;
        n = olock__fake_bin(e, kind[level], n, r, t);
    }
    return n;
}

static olock__fake_node *olock__fake_parse_or(olock__fake_expr *e) {
    return olock__fake_parse_chain(e, 1);
}

/* SET value := '(' value ')' | operand [('+' | '-') operand]. A '(' here may open either
   form: "(:a) + :b" and "(:a + :b)" are both accepted, "(:a + :b) + :c" is not (no chains),
   and the operand after '+' takes no arithmetic ("(:a + (:b + :c))" fails at the 2nd '+'). */
static olock__fake_node *olock__fake_parse_set_value(olock__fake_expr *e) {
    size_t start = e->pos;
    olock__fake_node *a, *b;
    int k;
    if (olock__fake_peek(e) == OLOCK__FAKE_T_LP) {
        if (!olock__fake_open_paren(e) || !(a = olock__fake_close_paren(e, olock__fake_parse_set_value(e)))) return NULL;
        if (a->kind == OLOCK__FAKE_N_PLUS || a->kind == OLOCK__FAKE_N_MINUS) return a;
    } else if (!(a = olock__fake_parse_operand(e))) {
        return NULL;
    }
    k = olock__fake_peek(e);
    if (k != OLOCK__FAKE_T_PLUS && k != OLOCK__FAKE_T_MINUS) return a;
    e->pos++;
    if (!(b = olock__fake_parse_operand(e))) return NULL;
    return olock__fake_bin(e, k == OLOCK__FAKE_T_PLUS ? OLOCK__FAKE_N_PLUS : OLOCK__FAKE_N_MINUS, a, b, start);
}

/* update := clause+, clause := SET a (, a)* | REMOVE p (, p)* | ADD p v (, ..)* | DELETE p v (, ..)* */
static int olock__fake_parse_update(olock__fake_expr *e) {
    size_t cap = 0;
    int seen[4] = { 0, 0, 0, 0 };
    int dup_clause = 0;
    if (olock__fake_peek(e) == OLOCK__FAKE_T_EOF) {
        olock__fake_syntax(e, e->pos);
        return -1;
    }
    while (olock__fake_peek(e) != OLOCK__FAKE_T_EOF) {
        int clause = olock__fake_peek(e);
        if (clause != OLOCK__FAKE_T_SET && clause != OLOCK__FAKE_T_REMOVE && clause != OLOCK__FAKE_T_ADD &&
            clause != OLOCK__FAKE_T_DELETE) {
            olock__fake_syntax(e, e->pos);
            return -1;
        }
        if (seen[clause - OLOCK__FAKE_T_SET]++ && !dup_clause) dup_clause = clause;
        e->pos++;
        for (;;) {
            olock__fake_action act;
            memset(&act, 0, sizeof(act));
            act.clause = clause;
            if (olock__fake_peek(e) != OLOCK__FAKE_T_NAME && olock__fake_peek(e) != OLOCK__FAKE_T_HASH) {
                olock__fake_syntax(e, e->pos);
                return -1;
            }
            if (!(act.path = olock__fake_parse_path(e))) return -1;
            if (clause == OLOCK__FAKE_T_SET) {
                if (olock__fake_peek(e) != OLOCK__FAKE_T_EQ) {
                    olock__fake_syntax(e, e->pos);
                    return -1;
                }
                e->pos++;
                if (!(act.value = olock__fake_parse_set_value(e))) return -1;
            } else if (clause != OLOCK__FAKE_T_REMOVE) {
                /* ADD and DELETE take a value placeholder, nothing else */
                if (olock__fake_peek(e) != OLOCK__FAKE_T_COLON) {
                    olock__fake_syntax(e, e->pos);
                    return -1;
                }
                if (!(act.value = olock__fake_node_new(e, OLOCK__FAKE_N_VALUE, e->pos++))) return -1;
            }
            if (e->nacts == cap) {
                size_t ncap = cap ? cap * 2 : 8;
                olock__fake_action *grown = (olock__fake_action *)olock__fake_alloc(e->c, ncap * sizeof(*grown));
                if (!grown) return -1;
                if (e->nacts) memcpy(grown, e->acts, e->nacts * sizeof(*grown));
                e->acts = grown;
                cap = ncap;
            }
            e->acts[e->nacts++] = act;
            if (olock__fake_peek(e) != OLOCK__FAKE_T_COMMA) break;
            e->pos++;
        }
    }
    /* DynamoDB Local reports it after function names and reserved words (olock__fake_compile_fresh) */
    e->dup_clause = dup_clause;
    return 0;
}

/* projection := path (',' path)* */
static int olock__fake_parse_projection(olock__fake_expr *e) {
    size_t cap = 0;
    for (;;) {
        olock__fake_node *p;
        if (olock__fake_peek(e) != OLOCK__FAKE_T_NAME && olock__fake_peek(e) != OLOCK__FAKE_T_HASH) {
            olock__fake_syntax(e, e->pos);
            return -1;
        }
        if (!(p = olock__fake_parse_path(e))) return -1;
        if (e->npaths == cap) {
            size_t ncap = cap ? cap * 2 : 8;
            olock__fake_node **grown = (olock__fake_node **)olock__fake_alloc(e->c, ncap * sizeof(*grown));
            if (!grown) return -1;
            if (e->npaths) memcpy(grown, e->paths, e->npaths * sizeof(*grown));
            e->paths = grown;
            cap = ncap;
        }
        e->paths[e->npaths++] = p;
        if (olock__fake_peek(e) == OLOCK__FAKE_T_EOF) return 0;
        if (olock__fake_peek(e) != OLOCK__FAKE_T_COMMA) {
            olock__fake_syntax(e, e->pos);
            return -1;
        }
        e->pos++;
    }
}

/* ---- expressions: checks after parsing (DynamoDB Local's order) ----------------------------- */

/* Every node of the tree, children after their parent, in source order. */
typedef int (*olock__fake_visit_fn)(olock__fake_expr *e, olock__fake_node *n, int as_condition);

static int olock__fake_walk(olock__fake_expr *e, olock__fake_node *n, int as_condition, olock__fake_visit_fn fn) {
    size_t i;
    int child_cond;
    if (fn(e, n, as_condition) < 0) return -1;
    child_cond = n->kind == OLOCK__FAKE_N_AND || n->kind == OLOCK__FAKE_N_OR || n->kind == OLOCK__FAKE_N_NOT;
    for (i = 0; i < n->nargs; i++)
        if (olock__fake_walk(e, n->args[i], child_cond, fn) < 0) return -1;
    return 0;
}

/* Walks every tree of an expression: the condition, the update actions, the projection. */
static int olock__fake_walk_all(olock__fake_expr *e, olock__fake_visit_fn fn) {
    size_t i;
    if (e->root && olock__fake_walk(e, e->root, 1, fn) < 0) return -1;
    for (i = 0; i < e->nacts; i++) {
        if (olock__fake_walk(e, e->acts[i].path, 0, fn) < 0) return -1;
        if (e->acts[i].value && olock__fake_walk(e, e->acts[i].value, 0, fn) < 0) return -1;
    }
    for (i = 0; i < e->npaths; i++)
        if (olock__fake_walk(e, e->paths[i], 0, fn) < 0) return -1;
    return 0;
}

static const char *olock__fake_tok_str(olock__fake_expr *e, size_t tok, int *len) {
    *len = (int)(e->toks[tok].end - e->toks[tok].start);
    return e->src + e->toks[tok].start;
}

static int olock__fake_is_update(olock__fake_expr *e) { return e->kind == OLOCK__FAKE_E_UPDATE; }

static int olock__fake_check_nesting(olock__fake_expr *e, olock__fake_node *n, int as_condition) {
    (void)as_condition;
    if (n->kind == OLOCK__FAKE_N_PATH && n->nels > OLOCK__FAKE_MAX_DEPTH)
        return olock__fake_verror(e->c, "Invalid %s: The document path has too many nesting levels; nesting levels: %u", e->what,
                                  (unsigned)n->nels);
    return 0;
}

/* Comparators, AND, OR, NOT, BETWEEN, IN, + and - and every function count; DynamoDB stops
   at the 301st. */
static int olock__fake_count_operators(olock__fake_expr *e, olock__fake_node *n, int as_condition) {
    (void)as_condition;
    if (n->kind == OLOCK__FAKE_N_PATH || n->kind == OLOCK__FAKE_N_VALUE) return 0;
    if (++e->operators > OLOCK__FAKE_MAX_OPERATORS)
        return olock__fake_verror(e->c, "Invalid %s: The expression contains too many operators; operator count: %u", e->what,
                                  (unsigned)e->operators);
    return 0;
}

static int olock__fake_check_func_name(olock__fake_expr *e, olock__fake_node *n, int as_condition) {
    int len;
    const char *s;
    (void)as_condition;
    if (n->kind != OLOCK__FAKE_N_FUNC) return 0;
    s = olock__fake_tok_str(e, n->tok, &len);
    if (!n->op) return olock__fake_verror(e->c, "Invalid %s: Invalid function name; function: %.*s", e->what, len, s);
    if (olock__fake_is_update(e)) {
        if (n->op != OLOCK__FAKE_F_IF_NOT_EXISTS && n->op != OLOCK__FAKE_F_LIST_APPEND)
            return olock__fake_verror(e->c, "Invalid %s: The function is not allowed in an update expression; function: %.*s",
                                      e->what, len, s);
    } else if (n->op == OLOCK__FAKE_F_IF_NOT_EXISTS || n->op == OLOCK__FAKE_F_LIST_APPEND) {
        return olock__fake_verror(e->c, "Invalid %s: The function is not allowed in a condition expression; function: %.*s",
                                  e->what, len, s);
    }
    return 0;
}

static int olock__fake_check_reserved(olock__fake_expr *e, olock__fake_node *n, int as_condition) {
    size_t i;
    (void)as_condition;
    if (n->kind != OLOCK__FAKE_N_PATH) return 0;
    for (i = 0; i < n->nels; i++) {
        const olock__fake_tok *t = &e->toks[n->els[i].tok];
        if (n->els[i].is_index || t->kind != OLOCK__FAKE_T_NAME) continue;
        if (olock__fake_is_reserved(e->src + t->start, t->end - t->start))
            return olock__fake_verror(e->c, "Invalid %s: Attribute name is a reserved keyword; reserved keyword: %.*s",
                                      e->what, (int)(t->end - t->start), e->src + t->start);
    }
    return 0;
}

/* Resolves #names and :values against the request's maps, marking them used. */
static int olock__fake_check_subst(olock__fake_expr *e, olock__fake_node *n, int as_condition) {
    size_t i;
    (void)as_condition;
    if (n->kind == OLOCK__FAKE_N_PATH) {
        for (i = 0; i < n->nels; i++) {
            olock__fake_pel *el = &n->els[i];
            const olock__fake_tok *t = &e->toks[el->tok];
            const olock_json *m;
            size_t k;
            if (el->is_index) continue;
            if (t->kind == OLOCK__FAKE_T_NAME) {
                el->name = e->src + t->start;
                el->name_len = t->end - t->start;
                continue;
            }
            for (k = 0, m = e->sub->names ? e->sub->names->first : NULL; m; m = m->next, k++) {
                if (m->key_len == t->end - t->start && memcmp(m->key, e->src + t->start, m->key_len) == 0) {
                    el->name = m->str;
                    el->name_len = m->len;
                    e->sub->name_used[k] = 1;
                }
            }
            if (!el->name)
                return olock__fake_verror(e->c, "Invalid %s: An expression attribute name used in the document path is not defined; attribute name: %.*s",
                                          e->what, (int)(t->end - t->start), e->src + t->start);
        }
    } else if (n->kind == OLOCK__FAKE_N_VALUE) {
        const olock__fake_tok *t = &e->toks[n->tok];
        const olock_value *m;
        size_t k;
        for (k = 0, m = e->sub->values ? e->sub->values->first : NULL; m; m = m->next, k++) {
            if (m->key_len == t->end - t->start && memcmp(m->key, e->src + t->start, m->key_len) == 0) {
                n->value = m;
                e->sub->value_used[k] = 1;
            }
        }
        if (!n->value)
            return olock__fake_verror(e->c, "Invalid %s: An expression attribute value used in expression is not defined; attribute value: %.*s",
                                      e->what, (int)(t->end - t->start), e->src + t->start);
    }
    return 0;
}

/* "[a, b, [0]]", the way DynamoDB Local prints a document path. */
static int olock__fake_path_text(olock__fake_ctx *c, const olock__fake_node *p, olock_buf *b) {
    size_t i;
    char num[16];
    if (olock_buf_append(b, "[", 1) != OLOCK_OK) return olock__fake_oom(c);
    for (i = 0; i < p->nels; i++) {
        olock_result r = OLOCK_OK;
        if (i) r = olock_buf_append(b, ", ", 2);
        if (r == OLOCK_OK && p->els[i].is_index) {
            int n = snprintf(num, sizeof(num), "[%u]", (unsigned)p->els[i].index);
            r = olock_buf_append(b, num, (size_t)n);
        } else if (r == OLOCK_OK) {
            r = olock_buf_append(b, p->els[i].name, p->els[i].name_len);
        }
        if (r != OLOCK_OK) return olock__fake_oom(c);
    }
    if (olock_buf_append(b, "]", 1) != OLOCK_OK) return olock__fake_oom(c);
    return 0;
}

static int olock__fake_same_path(const olock__fake_node *a, const olock__fake_node *b) {
    size_t i;
    if (a->kind != OLOCK__FAKE_N_PATH || b->kind != OLOCK__FAKE_N_PATH || a->nels != b->nels) return 0;
    for (i = 0; i < a->nels; i++) {
        const olock__fake_pel *x = &a->els[i], *y = &b->els[i];
        if (x->is_index != y->is_index) return 0;
        if (x->is_index ? x->index != y->index
                        : (x->name_len != y->name_len || memcmp(x->name, y->name, x->name_len) != 0))
            return 0;
    }
    return 1;
}

/* The type an operand has before evaluation: a value's own, N for size(), 0 if unknown. */
static olock_type olock__fake_static_type(const olock__fake_node *n) {
    if (n->kind == OLOCK__FAKE_N_VALUE && n->value) return n->value->type;
    if (n->kind == OLOCK__FAKE_N_FUNC && n->op == OLOCK__FAKE_F_SIZE) return OLOCK_TYPE_N;
    if (n->kind == OLOCK__FAKE_N_FUNC && n->op == OLOCK__FAKE_F_LIST_APPEND) return OLOCK_TYPE_L;
    if (n->kind == OLOCK__FAKE_N_PLUS || n->kind == OLOCK__FAKE_N_MINUS) return OLOCK_TYPE_N;
    return (olock_type)0;
}

static const char *olock__fake_op_name(olock__fake_expr *e, const olock__fake_node *n, int *len) {
    static const char *const cmp[] = { "=", "<>", "<", "<=", ">", ">=" };
    switch (n->kind) {
    case OLOCK__FAKE_N_CMP: {
        const char *s = cmp[n->op - OLOCK__FAKE_T_EQ];
        *len = (int)strlen(s);
        return s;
    }
    case OLOCK__FAKE_N_BETWEEN: *len = 7; return "BETWEEN";
    case OLOCK__FAKE_N_IN: *len = 2; return "IN";
    case OLOCK__FAKE_N_PLUS: *len = 1; return "+";
    case OLOCK__FAKE_N_MINUS: *len = 1; return "-";
    default: return olock__fake_tok_str(e, n->tok, len);
    }
}

static int olock__fake_bad_operand_type(olock__fake_expr *e, const olock__fake_node *n, olock_type t) {
    int len;
    const char *op = olock__fake_op_name(e, n, &len);
    return olock__fake_verror(e->c, "Invalid %s: Incorrect operand type for operator or function; operator or function: %.*s, operand type: %s",
                              e->what, len, op, olock_type_name(t));
}

static int olock__fake_check_distinct(olock__fake_expr *e, const olock__fake_node *n) {
    size_t i;
    olock_buf b;
    int len;
    const char *op;
    if (n->nargs < 2 || n->args[0]->kind != OLOCK__FAKE_N_PATH) return 0;
    for (i = 1; i < n->nargs; i++)
        if (olock__fake_same_path(n->args[0], n->args[i])) break;
    if (i == n->nargs) return 0;
    op = olock__fake_op_name(e, n, &len);
    olock_buf_init(&b, &e->c->f->alloc);
    if (olock__fake_path_text(e->c, n->args[0], &b) == 0)
        olock__fake_verror(e->c, "Invalid %s: The first operand must be distinct from the remaining operands for this operator or function; operator: %.*s, first operand: %.*s",
                           e->what, len, op, (int)b.len, b.data);
    olock_buf_free(&b);
    return -1;
}

/* "{N:5}", DynamoDB Local's rendering of a value in BETWEEN messages; a binary shows as the
   Java ByteBuffer holding it. */
static int olock__fake_av_text(olock__fake_ctx *c, const olock_value *v, olock_buf *b) {
    if (olock_buf_append(b, "{", 1) != OLOCK_OK || olock_buf_append_str(b, olock_type_name(v->type)) != OLOCK_OK ||
        olock_buf_append(b, ":", 1) != OLOCK_OK)
        return olock__fake_oom(c);
    if ((v->type == OLOCK_TYPE_S || v->type == OLOCK_TYPE_N) && olock_buf_append(b, v->str, v->len) != OLOCK_OK)
        return olock__fake_oom(c);
    if (v->type == OLOCK_TYPE_B) {
        char buf[80];
        int n = snprintf(buf, sizeof(buf), "java.nio.HeapByteBuffer[pos=0 lim=%lu cap=%lu]", (unsigned long)v->len,
                         (unsigned long)v->len);
        if (olock_buf_append(b, buf, (size_t)n) != OLOCK_OK) return olock__fake_oom(c);
    }
    if (olock_buf_append(b, "}", 1) != OLOCK_OK) return olock__fake_oom(c);
    return 0;
}

static int olock__fake_is_bool_func(const olock__fake_node *n) {
    return n->kind == OLOCK__FAKE_N_FUNC && n->op >= OLOCK__FAKE_F_EXISTS && n->op <= OLOCK__FAKE_F_CONTAINS;
}

/* Functions where they may stand: a condition (attribute_exists, ...) only as a condition and
   size only as an operand; -1 with DynamoDB Local's message, else 0. DynamoDB Local looks at
   this in a pass of its own, before the operands (`contains(size(:t), begins_with(a, :s))` is
   begins_with, not the type of :t), and again with the operand checks. */
static int olock__fake_misplaced_func(olock__fake_expr *e, olock__fake_node *n, int as_condition) {
    const olock__fake_node *bad = NULL;
    const char *name;
    size_t i;
    int len;
    if (as_condition && n->kind == OLOCK__FAKE_N_FUNC && !olock__fake_is_bool_func(n)) bad = n;
    if (!bad && (n->kind == OLOCK__FAKE_N_CMP || n->kind == OLOCK__FAKE_N_BETWEEN || n->kind == OLOCK__FAKE_N_IN || n->kind == OLOCK__FAKE_N_FUNC || n->kind == OLOCK__FAKE_N_PLUS || n->kind == OLOCK__FAKE_N_MINUS))
        for (i = 0; i < n->nargs && !bad; i++)
            if (olock__fake_is_bool_func(n->args[i])) bad = n->args[i];
    if (!bad) return 0;
    name = olock__fake_tok_str(e, bad->tok, &len);
    return olock__fake_verror(e->c, "Invalid %s: The function is not allowed to be used this way in an expression; function: %.*s",
                              e->what, len, name);
}

static int olock__fake_check_semantics(olock__fake_expr *e, olock__fake_node *n, int as_condition) {
    size_t i;
    int len;
    const char *name;
    if (olock__fake_misplaced_func(e, n, as_condition) < 0) return -1;
    switch (n->kind) {
    case OLOCK__FAKE_N_CMP:
        if (n->op != OLOCK__FAKE_T_EQ && n->op != OLOCK__FAKE_T_NE) {
            for (i = 0; i < 2; i++) {
                olock_type t = olock__fake_static_type(n->args[i]);
                if (t && t != OLOCK_TYPE_S && t != OLOCK_TYPE_N && t != OLOCK_TYPE_B)
                    return olock__fake_bad_operand_type(e, n, t);
            }
        }
        return olock__fake_check_distinct(e, n);
    case OLOCK__FAKE_N_BETWEEN: {
        olock_type tl, th;
        for (i = 0; i < 3; i++) {
            olock_type t = olock__fake_static_type(n->args[i]);
            if (t && t != OLOCK_TYPE_S && t != OLOCK_TYPE_N && t != OLOCK_TYPE_B)
                return olock__fake_bad_operand_type(e, n, t);
        }
        if (olock__fake_check_distinct(e, n) < 0) return -1;
        tl = olock__fake_static_type(n->args[1]);
        th = olock__fake_static_type(n->args[2]);
        if (n->args[1]->kind == OLOCK__FAKE_N_VALUE && n->args[2]->kind == OLOCK__FAKE_N_VALUE) {
            const char *why = NULL;
            if (tl != th) why = "requires same data type for lower and upper bounds";
            else if (olock__fake_scalar_cmp(n->args[1]->value, n->args[2]->value) > 0)
                why = "requires upper bound to be greater than or equal to lower bound";
            if (why) {
                olock_buf lo, hi;
                olock_buf_init(&lo, &e->c->f->alloc);
                olock_buf_init(&hi, &e->c->f->alloc);
                if (olock__fake_av_text(e->c, n->args[1]->value, &lo) == 0 &&
                    olock__fake_av_text(e->c, n->args[2]->value, &hi) == 0)
                    olock__fake_verror(e->c, "Invalid %s: The BETWEEN operator %s; lower bound operand: AttributeValue: %.*s, upper bound operand: AttributeValue: %.*s",
                                       e->what, why, (int)lo.len, lo.data, (int)hi.len, hi.data);
                olock_buf_free(&lo);
                olock_buf_free(&hi);
                return -1;
            }
        }
        return 0;
    }
    case OLOCK__FAKE_N_IN:
        if (n->nargs - 1 > 100)
            return olock__fake_verror(e->c, "Invalid %s: The IN operator is provided with too many operands; number of operands: %u",
                                      e->what, (unsigned)(n->nargs - 1));
        return olock__fake_check_distinct(e, n);
    case OLOCK__FAKE_N_PLUS:
    case OLOCK__FAKE_N_MINUS:
        for (i = 0; i < 2; i++) {
            olock_type t = olock__fake_static_type(n->args[i]);
            if (t && t != OLOCK_TYPE_N) return olock__fake_bad_operand_type(e, n, t);
        }
        return 0;
    case OLOCK__FAKE_N_FUNC: {
        size_t want = (n->op == OLOCK__FAKE_F_EXISTS || n->op == OLOCK__FAKE_F_NOT_EXISTS || n->op == OLOCK__FAKE_F_SIZE) ? 1 : 2;
        name = olock__fake_tok_str(e, n->tok, &len);
        if (n->nargs != want)
            return olock__fake_verror(e->c, "Invalid %s: Incorrect number of operands for operator or function; operator or function: %.*s, number of operands: %u",
                                      e->what, len, name, (unsigned)n->nargs);
        if ((n->op == OLOCK__FAKE_F_EXISTS || n->op == OLOCK__FAKE_F_NOT_EXISTS || n->op == OLOCK__FAKE_F_TYPE ||
             n->op == OLOCK__FAKE_F_IF_NOT_EXISTS) &&
            n->args[0]->kind != OLOCK__FAKE_N_PATH)
            return olock__fake_verror(e->c, "Invalid %s: Operator or function requires a document path; operator or function: %.*s",
                                      e->what, len, name);
        /* if_not_exists(b, b) too; list_append(l, l) is fine */
        if (n->op != OLOCK__FAKE_F_SIZE && n->op != OLOCK__FAKE_F_EXISTS && n->op != OLOCK__FAKE_F_NOT_EXISTS &&
            n->op != OLOCK__FAKE_F_LIST_APPEND && olock__fake_check_distinct(e, n) < 0)
            return -1;
        if (n->op == OLOCK__FAKE_F_TYPE) {
            static const char *const types[] = { "S", "N", "B", "BOOL", "NULL", "M", "L", "SS", "NS", "BS" };
            olock_type t = olock__fake_static_type(n->args[1]);
            const olock_value *v = n->args[1]->value;
            size_t k;
            if (t && t != OLOCK_TYPE_S) return olock__fake_bad_operand_type(e, n, t);
            if (v) {
                for (k = 0; k < 10; k++)
                    if (olock__fake_streq(v->str, v->len, types[k])) break;
                if (k == 10)
                    return olock__fake_verror(e->c, "Invalid %s: Invalid attribute type name found; type: %.*s, valid types: {N,BS,L,B,NULL,M,S,SS,NS,BOOL}",
                                              e->what, (int)v->len, v->str);
            }
        } else if (n->op == OLOCK__FAKE_F_BEGINS) {
            for (i = 0; i < 2; i++) {
                olock_type t = olock__fake_static_type(n->args[i]);
                if (t && t != OLOCK_TYPE_S && t != OLOCK_TYPE_B) return olock__fake_bad_operand_type(e, n, t);
            }
        } else if (n->op == OLOCK__FAKE_F_SIZE) {
            olock_type t = olock__fake_static_type(n->args[0]);
            if (t == OLOCK_TYPE_N || t == OLOCK_TYPE_BOOL || t == OLOCK_TYPE_NULL) return olock__fake_bad_operand_type(e, n, t);
        } else if (n->op == OLOCK__FAKE_F_LIST_APPEND) {
            for (i = 0; i < 2; i++) {
                olock_type t = olock__fake_static_type(n->args[i]);
                if (t && t != OLOCK_TYPE_L) return olock__fake_bad_operand_type(e, n, t);
            }
        }
        return 0;
    }
    default:
        return 0;
    }
}

static const char *olock__fake_long_type(olock_type t) {
    switch (t) {
    case OLOCK_TYPE_S: return "STRING";
    case OLOCK_TYPE_N: return "NUMBER";
    case OLOCK_TYPE_B: return "BINARY";
    case OLOCK_TYPE_BOOL: return "BOOLEAN";
    case OLOCK_TYPE_NULL: return "NULL";
    case OLOCK_TYPE_M: return "MAP";
    case OLOCK_TYPE_L: return "LIST";
    case OLOCK_TYPE_SS: return "STRING_SET";
    case OLOCK_TYPE_NS: return "NUMBER_SET";
    case OLOCK_TYPE_BS: return "BINARY_SET";
    default: return "UNKNOWN";
    }
}

/* Two paths of one update (or projection) must not overlap (one a prefix of the other) nor
   conflict (one indexes a list where the other names a map member). DynamoDB Local finds out
   by putting the paths, the last one first, into a tree whose nodes keep their children in a
   java.util.HashMap; the message names the path being put and, as "path two", the path last
   put through the next child of the same parent in that map's order, or else the path last
   put through the node where they met (recorded cases overlap-second-path-*). The map's
   order is modelled as 16 buckets by String.hashCode, the later entry first in a bucket: that
   is what the recorded cases need. */
typedef struct olock__fake_pnode {
    const olock__fake_pel *el;
    struct olock__fake_pnode *parent, *child, *next; /* children in the order they came */
    const olock__fake_node *rep;                     /* the last path put through it */
    size_t seq, nchildren;
    int terminal;
} olock__fake_pnode;

static uint32_t olock__fake_pel_bucket(const olock__fake_pel *el, size_t cap) {
    uint32_t h = el->is_index ? el->index : olock__fake_java_string_hash(el->name, el->name_len);
    return (h ^ (h >> 16)) & (uint32_t)(cap - 1);
}

/* The last child of `p` in its map order (by bucket of a 16-bucket table, doubled past 3/4
   full, the later put first within a bucket); NULL when it has none. */
static const olock__fake_pnode *olock__fake_pnode_last(const olock__fake_pnode *p) {
    const olock__fake_pnode *x, *best = NULL;
    size_t cap = 16;
    uint32_t bb = 0;
    while (p->nchildren > cap / 4 * 3) cap *= 2;
    for (x = p->child; x; x = x->next) {
        uint32_t xb = olock__fake_pel_bucket(x->el, cap);
        if (!best || xb > bb || (xb == bb && x->seq < best->seq)) {
            best = x;
            bb = xb;
        }
    }
    return best;
}

/* The path DynamoDB Local names second: from `n`, down the last child at every level to a
   path's end. (Taking the child right after n fitted the cases recorded first but not random
   ones: `ADD b[0] .., a.x .., s[1] .., pk .., a ..` names [pk], the last of a, b, s, pk.) */
static const olock__fake_node *olock__fake_pnode_down(const olock__fake_pnode *n) {
    const olock__fake_pnode *x;
    while ((x = olock__fake_pnode_last(n)) != NULL) n = x;
    return n->rep;
}

/* For a clash at node n: from the last child of n's parent, n itself included. */
static const olock__fake_node *olock__fake_pnode_second(const olock__fake_pnode *n) {
    return olock__fake_pnode_down(olock__fake_pnode_last(n->parent));
}

static int olock__fake_pel_eq(const olock__fake_pel *x, const olock__fake_pel *y) {
    if (x->is_index != y->is_index) return 0;
    return x->is_index ? x->index == y->index : x->name_len == y->name_len && memcmp(x->name, y->name, x->name_len) == 0;
}

static int olock__fake_overlap_error(olock__fake_expr *e, int conflict, const olock__fake_node *a, const olock__fake_node *b) {
    olock_buf one, two;
    olock_buf_init(&one, &e->c->f->alloc);
    olock_buf_init(&two, &e->c->f->alloc);
    if (olock__fake_path_text(e->c, a, &one) == 0 && olock__fake_path_text(e->c, b, &two) == 0)
        olock__fake_verror(e->c, "Invalid %s: Two document paths %s with each other; must remove or rewrite one of these paths; path one: %.*s, path two: %.*s",
                           e->what, conflict ? "conflict" : "overlap", (int)one.len, one.data, (int)two.len, two.data);
    olock_buf_free(&one);
    olock_buf_free(&two);
    return -1;
}

static int olock__fake_check_overlap(olock__fake_expr *e, olock__fake_node **paths, size_t n) {
    olock__fake_pnode *root = (olock__fake_pnode *)olock__fake_alloc(e->c, sizeof(*root));
    size_t i, k, seq = 0;
    if (!root) return -1;
    memset(root, 0, sizeof(*root));
    for (i = n; i-- > 0;) {
        const olock__fake_node *p = paths[i];
        olock__fake_pnode *node = root, *ch = NULL;
        for (k = 0; k < p->nels; k++) {
            const olock__fake_pel *el = &p->els[k];
            if (node != root && node->terminal) return olock__fake_overlap_error(e, 0, p, olock__fake_pnode_second(node));
            for (ch = node->child; ch && !olock__fake_pel_eq(ch->el, el); ch = ch->next) {}
            if (!ch) {
                olock__fake_pnode **tail;
                if (node->child && node->child->el->is_index != el->is_index && node != root) /* from the node itself */
                    return olock__fake_overlap_error(e, 1, p, olock__fake_pnode_down(node));
                if (!(ch = (olock__fake_pnode *)olock__fake_alloc(e->c, sizeof(*ch)))) return -1;
                memset(ch, 0, sizeof(*ch));
                ch->el = el;
                ch->parent = node;
                ch->seq = seq++;
                ch->rep = p;
                for (tail = &node->child; *tail; tail = &(*tail)->next) {}
                *tail = ch;
                node->nchildren++;
                if (k + 1 == p->nels) ch->terminal = 1;
            } else if (k + 1 == p->nels) {
                return olock__fake_overlap_error(e, 0, p, olock__fake_pnode_second(ch));
            }
            if (node != root) node->rep = p;
            node = ch;
        }
    }
    return 0;
}

/* One operand of an update action: its parts first, then the operand itself, so that a
   placeholder is resolved just before the node using it is checked (`if_not_exists(b, b) +
   #nope` is the repeated b, `:s + :nope` the missing :nope, `:s + :t` the type of :s). */
static int olock__fake_update_operand(olock__fake_expr *e, olock__fake_node *n) {
    size_t i;
    for (i = 0; i < n->nargs; i++)
        if (olock__fake_update_operand(e, n->args[i]) < 0) return -1;
    if (olock__fake_check_subst(e, n, 0) < 0) return -1;
    return olock__fake_check_semantics(e, n, 0);
}

/* A condition's placeholders and operand checks in one pass, the parts of an operand before
   the operand: `begins_with(s[2], size(:t))` is the type of :t, `begins_with(:n, s) OR :v2 > n`
   the type of :n rather than the undefined :v2 later in the text. */
static int olock__fake_condition_operand(olock__fake_expr *e, olock__fake_node *n, int as_condition) {
    size_t i;
    int child_cond = n->kind == OLOCK__FAKE_N_AND || n->kind == OLOCK__FAKE_N_OR || n->kind == OLOCK__FAKE_N_NOT;
    for (i = 0; i < n->nargs; i++)
        if (olock__fake_condition_operand(e, n->args[i], child_cond) < 0) return -1;
    if (olock__fake_check_subst(e, n, as_condition) < 0) return -1;
    return olock__fake_check_semantics(e, n, as_condition);
}

/* An UpdateExpression's placeholders and operand types, the last action first as DynamoDB
   Local checks them: SET values, and the values of ADD and DELETE. */
static int olock__fake_update_semantics(olock__fake_expr *e) {
    size_t i;
    for (i = e->nacts; i-- > 0;) {
        olock__fake_action *a = &e->acts[i];
        olock_type t;
        if (olock__fake_walk(e, a->path, 0, olock__fake_check_semantics) < 0) return -1;
        if (a->value && olock__fake_update_operand(e, a->value) < 0) return -1;
        if (a->clause != OLOCK__FAKE_T_ADD && a->clause != OLOCK__FAKE_T_DELETE) continue;
        t = olock__fake_static_type(a->value);
        if (t && (a->clause == OLOCK__FAKE_T_ADD ? (t != OLOCK_TYPE_N && !olock__fake_is_set(t)) : !olock__fake_is_set(t)))
            return olock__fake_verror(e->c, "Invalid UpdateExpression: Incorrect operand type for operator or function; operator: %s, operand type: %s, typeSet: %s",
                                      a->clause == OLOCK__FAKE_T_ADD ? "ADD" : "DELETE", olock__fake_long_type(t),
                                      a->clause == OLOCK__FAKE_T_ADD ? "ALLOWED_FOR_ADD_OPERAND" : "ALLOWED_FOR_DELETE_OPERAND");
    }
    return 0;
}

/* 1 when every #name of path p is defined in ExpressionAttributeNames. */
static int olock__fake_names_defined(const olock__fake_expr *e, const olock__fake_node *p) {
    size_t i;
    for (i = 0; i < p->nels; i++) {
        const olock__fake_tok *t = &e->toks[p->els[i].tok];
        const olock_json *m;
        if (p->els[i].is_index || t->kind == OLOCK__FAKE_T_NAME) continue;
        for (m = e->sub->names ? e->sub->names->first : NULL; m; m = m->next)
            if (m->key_len == t->end - t->start && memcmp(m->key, e->src + t->start, m->key_len) == 0) break;
        if (!m) return 0;
    }
    return 1;
}

/* DynamoDB Local resolves the #names of each path as it puts the path into its tree, the
   last path first: an undefined name is reported where that walk reaches it, after an overlap
   among the later paths (updates and projections alike). */
static int olock__fake_resolve_overlap(olock__fake_expr *e, olock__fake_node **paths, size_t n) {
    size_t i;
    for (i = n; i-- > 0;) {
        if (!olock__fake_names_defined(e, paths[i])) {
            if (olock__fake_check_overlap(e, paths + i + 1, n - i - 1) < 0) return -1;
            return olock__fake_check_subst(e, paths[i], 0);
        }
        if (olock__fake_check_subst(e, paths[i], 0) < 0) return -1;
    }
    return olock__fake_check_overlap(e, paths, n);
}

/* Overlapping paths come before operand types. */
static int olock__fake_check_update(olock__fake_expr *e) {
    size_t i;
    olock__fake_node **paths;
    if (!(paths = (olock__fake_node **)olock__fake_alloc(e->c, (e->nacts + 1) * sizeof(*paths)))) return -1;
    for (i = 0; i < e->nacts; i++) paths[i] = e->acts[i].path;
    if (olock__fake_resolve_overlap(e, paths, e->nacts) < 0) return -1;
    return olock__fake_update_semantics(e);
}

/* Function names and reserved words are one pass in DynamoDB Local: the first of either in
   the text is reported (`data = :v AND nofunc(a)` is the reserved word). */
static int olock__fake_check_names(olock__fake_expr *e, olock__fake_node *n, int as_condition) {
    if (olock__fake_check_func_name(e, n, as_condition) < 0 || olock__fake_check_reserved(e, n, as_condition) < 0) return -1;
    return 0;
}

/* The checks that look at one node only, in one visit (the fast path of
   olock__fake_compile_fresh; operand types need the placeholders resolved first). */
static int olock__fake_check_all(olock__fake_expr *e, olock__fake_node *n, int as_condition) {
    if (olock__fake_check_nesting(e, n, as_condition) < 0 || olock__fake_count_operators(e, n, as_condition) < 0 ||
        olock__fake_check_func_name(e, n, as_condition) < 0 || olock__fake_check_reserved(e, n, as_condition) < 0 ||
        (!olock__fake_is_update(e) && olock__fake_check_subst(e, n, as_condition) < 0)) /* an update's: olock__fake_check_update */
        return -1;
    return 0;
}


/* Parses and checks one expression of a request, in DynamoDB Local's order: size, syntax,
   list index range, parentheses, function names, reserved words, placeholders, operand
   types and counts, then (updates and projections) overlapping paths. NULL on error. The
   requests call olock__fake_compile (>>xcache), which keeps what this returns for the next. */
static olock__fake_expr *olock__fake_compile_fresh(olock__fake_ctx *c, olock__fake_subst *sub, const char *what,
                                                   const char *src, size_t len, int kind) {
    olock__fake_expr *e = (olock__fake_expr *)olock__fake_alloc(c, sizeof(olock__fake_expr));
    if (!e) return NULL;
    memset(e, 0, sizeof(*e));
    e->c = c;
    e->sub = sub;
    e->what = what;
    e->src = src;
    e->len = len;
    e->kind = kind;
    if (len == 0) {
        olock__fake_verror(c, "Invalid %s: The expression can not be empty;", what);
        return NULL;
    }
    if (len > OLOCK__FAKE_MAX_EXPR) {
        if (kind == OLOCK__FAKE_E_UPDATE) /* DynamoDB Local leaves the size out here */
            olock__fake_verror(c, "Invalid %s: Expression size has exceeded the maximum allowed size;", what);
        else
            olock__fake_verror(c, "Invalid %s: Expression size has exceeded the maximum allowed size; expression size: %u",
                               what, (unsigned)len);
        return NULL;
    }
    if (!(e->toks = olock__fake_lex(c, src, len, &e->ntoks, kind == OLOCK__FAKE_E_PROJECTION))) return NULL;
    if (kind == OLOCK__FAKE_E_CONDITION) {
        if (!(e->root = olock__fake_parse_or(e))) return NULL;
        if (olock__fake_peek(e) != OLOCK__FAKE_T_EOF) {
            olock__fake_syntax(e, e->pos);
            return NULL;
        }
    } else if (kind == OLOCK__FAKE_E_UPDATE) {
        if (olock__fake_parse_update(e) < 0) return NULL;
    } else if (olock__fake_parse_projection(e) < 0) {
        return NULL;
    }
    if (e->bad_index) {
        int n;
        const char *s = olock__fake_tok_str(e, (size_t)e->bad_index - 1, &n);
        olock__fake_verror(c, "Invalid %s: List index is not within the allowable range; index: [%.*s]", what, n, s);
        return NULL;
    }
    /* The checks run phase by phase, because an error of an earlier phase anywhere in the
       expression wins over a later one. A valid expression passes them all, so two walks
       doing every check come first; only when they find something do the phases run in
       order to pick the error DynamoDB reports. */
    if (e->redundant || olock__fake_walk_all(e, olock__fake_check_all) < 0 ||
        (kind != OLOCK__FAKE_E_UPDATE && olock__fake_walk_all(e, olock__fake_check_semantics) < 0)) {
        if (c->oom) return NULL;
        c->err_type = NULL;
        e->operators = 0;
        if (olock__fake_walk_all(e, olock__fake_check_nesting) < 0) return NULL;
        if (e->redundant) {
            olock__fake_verror(c, "Invalid %s: The expression has redundant parentheses;", what);
            return NULL;
        }
        if (olock__fake_walk_all(e, olock__fake_count_operators) < 0) return NULL;
        if (olock__fake_walk_all(e, olock__fake_check_names) < 0) return NULL;
        if (kind == OLOCK__FAKE_E_CONDITION && olock__fake_walk_all(e, olock__fake_misplaced_func) < 0) return NULL;
        if (kind == OLOCK__FAKE_E_CONDITION && olock__fake_condition_operand(e, e->root, 1) < 0) return NULL;
        /* a projection's names: with its overlaps, below */
    }
    if (kind == OLOCK__FAKE_E_UPDATE && e->dup_clause) {
        static const char *const cl[] = { "SET", "REMOVE", "ADD", "DELETE" };
        olock__fake_verror(c, "Invalid UpdateExpression: The \"%s\" section can only be used once in an update expression;",
                           cl[e->dup_clause - OLOCK__FAKE_T_SET]);
        return NULL;
    }
    if (kind == OLOCK__FAKE_E_UPDATE && olock__fake_check_update(e) < 0) return NULL;
    if (kind == OLOCK__FAKE_E_PROJECTION && olock__fake_resolve_overlap(e, e->paths, e->npaths) < 0) return NULL;
    return e;
}

/* ---- expressions: evaluation ---------------------------------------------------------------- */

static const olock_value *olock__fake_list_at(const olock_value *l, uint32_t i) {
    const olock_value *m;
    for (m = l->first; m && i; m = m->next) i--;
    return m;
}

/* The value a path names in an item (NULL when absent). */
static const olock_value *olock__fake_path_get(const olock_value *item, const olock__fake_node *p, size_t nels) {
    const olock_value *cur = item;
    size_t i;
    for (i = 0; i < nels && cur; i++) {
        const olock__fake_pel *el = &p->els[i];
        if (el->is_index) cur = cur->type == OLOCK_TYPE_L ? olock__fake_list_at(cur, el->index) : NULL;
        else cur = cur->type == OLOCK_TYPE_M ? olock__fake_map_get(cur, el->name, el->name_len) : NULL;
    }
    return cur;
}

/* The same walks on the private, mutable copy of an item an update works on. */
static olock_value *olock__fake_list_at_mut(olock_value *l, uint32_t i) {
    olock_value *m;
    for (m = l->first; m && i; m = m->next) i--;
    return m;
}

static olock_value *olock__fake_path_get_mut(olock_value *item, const olock__fake_node *p, size_t nels) {
    olock_value *cur = item, *m;
    size_t i;
    for (i = 0; i < nels && cur; i++) {
        const olock__fake_pel *el = &p->els[i];
        if (el->is_index) {
            cur = cur->type == OLOCK_TYPE_L ? olock__fake_list_at_mut(cur, el->index) : NULL;
            continue;
        }
        if (cur->type != OLOCK_TYPE_M) return NULL;
        for (m = cur->first; m; m = m->next)
            if (m->key_len == el->name_len && memcmp(m->key, el->name, el->name_len) == 0) break;
        cur = m;
    }
    return cur;
}

/* Number of characters of a UTF-8 string. */
static size_t olock__fake_utf8_len(const char *s, size_t len) {
    size_t i, n = 0;
    for (i = 0; i < len; i++)
        if (((unsigned char)s[i] & 0xC0) != 0x80) n++;
    return n;
}

static const olock_value *olock__fake_operand(olock__fake_ctx *c, const olock_value *item, const olock__fake_node *n) {
    if (n->kind == OLOCK__FAKE_N_VALUE) return n->value;
    if (n->kind == OLOCK__FAKE_N_PATH) return item ? olock__fake_path_get(item, n, n->nels) : NULL;
    if (n->kind == OLOCK__FAKE_N_FUNC && n->op == OLOCK__FAKE_F_SIZE) {
        const olock_value *v = olock__fake_operand(c, item, n->args[0]);
        olock_decimal d;
        uint64_t size;
        if (!v) return NULL;
        switch (v->type) {
        case OLOCK_TYPE_S: size = olock__fake_utf8_len(v->str, v->len); break;
        case OLOCK_TYPE_B: size = v->len; break;
        case OLOCK_TYPE_N:
        case OLOCK_TYPE_BOOL:
        case OLOCK_TYPE_NULL: return NULL;
        default: size = v->count; break;
        }
        {
            char buf[24];
            int len = snprintf(buf, sizeof(buf), "%llu", (unsigned long long)size);
            olock__fake_num_parse(buf, (size_t)len, &d);
        }
        return olock__fake_new_num(c, &d);
    }
    return NULL;
}

static int olock__fake_contains(const olock_value *a, const olock_value *b) {
    const olock_value *m;
    if ((a->type == OLOCK_TYPE_S && b->type == OLOCK_TYPE_S) || (a->type == OLOCK_TYPE_B && b->type == OLOCK_TYPE_B)) {
        size_t i;
        if (b->len > a->len) return 0;
        for (i = 0; i + b->len <= a->len; i++)
            if (memcmp(a->str + i, b->str, b->len) == 0) return 1;
        return 0;
    }
    if (olock__fake_is_set(a->type)) {
        if (b->type != olock__fake_member_type(a->type)) return 0;
        for (m = a->first; m; m = m->next)
            if (olock__fake_equal(m, b)) return 1;
        return 0;
    }
    if (a->type == OLOCK_TYPE_L) {
        for (m = a->first; m; m = m->next)
            if (olock__fake_equal(m, b)) return 1;
    }
    return 0;
}

static int olock__fake_ordered(const olock_value *a, const olock_value *b) {
    return a && b && a->type == b->type &&
        (a->type == OLOCK_TYPE_S || a->type == OLOCK_TYPE_N || a->type == OLOCK_TYPE_B);
}

/* 1 when the condition holds for `item` (NULL: no item). Iterative over AND/OR chains'
   left spines would be nicer; the 4 KB limit bounds the recursion to a few hundred. */
static int olock__fake_eval(olock__fake_ctx *c, const olock_value *item, const olock__fake_node *n) {
    const olock_value *a, *b, *x;
    size_t i;
    switch (n->kind) {
    case OLOCK__FAKE_N_AND: return olock__fake_eval(c, item, n->args[0]) && olock__fake_eval(c, item, n->args[1]);
    case OLOCK__FAKE_N_OR: return olock__fake_eval(c, item, n->args[0]) || olock__fake_eval(c, item, n->args[1]);
    case OLOCK__FAKE_N_NOT: return !olock__fake_eval(c, item, n->args[0]);
    case OLOCK__FAKE_N_CMP: {
        int r;
        a = olock__fake_operand(c, item, n->args[0]);
        b = olock__fake_operand(c, item, n->args[1]);
        if (n->op == OLOCK__FAKE_T_EQ) return a && b && olock__fake_equal(a, b);
        if (n->op == OLOCK__FAKE_T_NE) return !(a && b && olock__fake_equal(a, b));
        if (!olock__fake_ordered(a, b)) return 0;
        r = olock__fake_scalar_cmp(a, b);
        switch (n->op) {
        case OLOCK__FAKE_T_LT: return r < 0;
        case OLOCK__FAKE_T_LE: return r <= 0;
        case OLOCK__FAKE_T_GT: return r > 0;
        default: return r >= 0;
        }
    }
    case OLOCK__FAKE_N_BETWEEN:
        x = olock__fake_operand(c, item, n->args[0]);
        a = olock__fake_operand(c, item, n->args[1]);
        b = olock__fake_operand(c, item, n->args[2]);
        return olock__fake_ordered(x, a) && olock__fake_ordered(x, b) && olock__fake_scalar_cmp(x, a) >= 0 &&
            olock__fake_scalar_cmp(x, b) <= 0;
    case OLOCK__FAKE_N_IN:
        x = olock__fake_operand(c, item, n->args[0]);
        if (!x) return 0;
        for (i = 1; i < n->nargs; i++) {
            a = olock__fake_operand(c, item, n->args[i]);
            if (a && olock__fake_equal(x, a)) return 1;
        }
        return 0;
    case OLOCK__FAKE_N_FUNC:
        switch (n->op) {
        case OLOCK__FAKE_F_EXISTS: return olock__fake_operand(c, item, n->args[0]) != NULL;
        case OLOCK__FAKE_F_NOT_EXISTS: return olock__fake_operand(c, item, n->args[0]) == NULL;
        case OLOCK__FAKE_F_TYPE:
            a = olock__fake_operand(c, item, n->args[0]);
            b = olock__fake_operand(c, item, n->args[1]);
            return a && b && b->type == OLOCK_TYPE_S && olock__fake_streq(b->str, b->len, olock_type_name(a->type));
        case OLOCK__FAKE_F_BEGINS:
            a = olock__fake_operand(c, item, n->args[0]);
            b = olock__fake_operand(c, item, n->args[1]);
            return a && b && a->type == b->type && (a->type == OLOCK_TYPE_S || a->type == OLOCK_TYPE_B) &&
                b->len <= a->len && memcmp(a->str, b->str, b->len) == 0;
        case OLOCK__FAKE_F_CONTAINS:
            a = olock__fake_operand(c, item, n->args[0]);
            b = olock__fake_operand(c, item, n->args[1]);
            return a && b && olock__fake_contains(a, b);
        default: return 0;
        }
    default:
        return 0;
    }
}

/* ---- expressions: projection ---------------------------------------------------------------- */

/* Adds the value at `p` of `item` to `out` (an M), creating the maps and lists on the way.
   List elements keep their original index in key_len while the projection is built, so
   several indexes of one list come out in list order. */
static int olock__fake_project_path(olock__fake_ctx *c, const olock_value *item, const olock__fake_node *p, olock_value *out) {
    const olock_value *src = item;
    olock_value *dst = out;
    size_t i;
    if (!olock__fake_path_get(item, p, p->nels)) return 0;
    for (i = 0; i < p->nels; i++) {
        const olock__fake_pel *el = &p->els[i];
        const olock_value *next_src;
        olock_value *next_dst = NULL, *m, *prev = NULL;
        int last = i + 1 == p->nels;
        if (el->is_index) next_src = src->type == OLOCK_TYPE_L ? olock__fake_list_at(src, el->index) : NULL;
        else next_src = src->type == OLOCK_TYPE_M ? olock__fake_map_get(src, el->name, el->name_len) : NULL;
        if (!next_src) return 0;
        if (el->is_index) {
            for (m = dst->first; m; prev = m, m = m->next) {
                if (m->key_len == el->index) {
                    next_dst = m;
                    break;
                }
                if (m->key_len > el->index) break;
            }
        } else {
            for (m = dst->first; m; m = m->next)
                if (m->key_len == el->name_len && memcmp(m->key, el->name, el->name_len) == 0) {
                    next_dst = m;
                    break;
                }
        }
        if (!next_dst) {
            if (last) {
                if (!(next_dst = olock__fake_copy(c->a, next_src))) return olock__fake_oom(c);
            } else {
                if (!(next_dst = olock__fake_newval(c->a, next_src->type))) return olock__fake_oom(c);
            }
            if (el->is_index) {
                next_dst->key = NULL;
                next_dst->key_len = el->index;
                if (prev) {
                    next_dst->next = prev->next;
                    prev->next = next_dst;
                } else {
                    next_dst->next = dst->first;
                    dst->first = next_dst;
                }
                if (!next_dst->next) dst->last = next_dst;
                dst->count++;
            } else {
                next_dst->key = el->name;
                next_dst->key_len = el->name_len;
                olock__fake_append(dst, next_dst);
            }
        }
        src = next_src;
        dst = next_dst;
    }
    return 0;
}

static void olock__fake_clear_list_marks(olock_value *v) {
    olock_value *m;
    for (m = v->first; m; m = m->next) {
        if (v->type == OLOCK_TYPE_L) m->key_len = 0;
        if (m->type == OLOCK_TYPE_M || m->type == OLOCK_TYPE_L) olock__fake_clear_list_marks(m);
    }
}

static int olock__fake_sort_top(olock__fake_ctx *c, olock_value *map);

/* DynamoDB Local builds a projection as a sorted document: its top-level members come in name
   order (which decides their order within a HashMap bucket). */
static olock_value *olock__fake_project(olock__fake_ctx *c, const olock_value *item, const olock__fake_expr *e) {
    olock_value *out = olock__fake_newval(c->a, OLOCK_TYPE_M);
    size_t i;
    if (!out) {
        c->oom = 1;
        return NULL;
    }
    for (i = 0; i < e->npaths; i++)
        if (olock__fake_project_path(c, item, e->paths[i], out) < 0) return NULL;
    olock__fake_clear_list_marks(out);
    return olock__fake_sort_top(c, out) < 0 ? NULL : out;
}

/* ---- expressions: applying an update -------------------------------------------------------- */

static int olock__fake_update_error(olock__fake_ctx *c, int which) {
    switch (which) {
    case 1: return olock__fake_verror(c, "The document path provided in the update expression is invalid for update");
    case 2: return olock__fake_verror(c, "The provided expression refers to an attribute that does not exist in the item");
    default: return olock__fake_verror(c, "An operand in the update expression has an incorrect data type");
    }
}

/* The value of a SET right-hand side, computed against the old item. */
static const olock_value *olock__fake_set_value(olock__fake_ctx *c, const olock_value *old, const olock__fake_node *n) {
    const olock_value *a, *b;
    switch (n->kind) {
    case OLOCK__FAKE_N_VALUE: return n->value;
    case OLOCK__FAKE_N_PATH:
        a = old ? olock__fake_path_get(old, n, n->nels) : NULL;
        if (!a) olock__fake_update_error(c, 2);
        return a;
    case OLOCK__FAKE_N_PLUS:
    case OLOCK__FAKE_N_MINUS: {
        olock_decimal x, y, r;
        int64_t ia, ib;
        int rc;
        /* each operand is checked before the next is read: `s + nope` is a type error */
        if (!(a = olock__fake_set_value(c, old, n->args[0]))) return NULL;
        if (a->type != OLOCK_TYPE_N) {
            olock__fake_update_error(c, 3);
            return NULL;
        }
        if (!(b = olock__fake_set_value(c, old, n->args[1]))) return NULL;
        if (b->type != OLOCK_TYPE_N) {
            olock__fake_update_error(c, 3);
            return NULL;
        }
        if (olock__fake_small_int(a->str, a->len, &ia) && olock__fake_small_int(b->str, b->len, &ib))
            return olock__fake_new_int(c, n->kind == OLOCK__FAKE_N_MINUS ? ia - ib : ia + ib);
        olock__fake_num_of(a, &x);
        olock__fake_num_of(b, &y);
        rc = olock__fake_num_addsub(&x, &y, n->kind == OLOCK__FAKE_N_MINUS, &r);
        if (rc != OLOCK__FAKE_NUM_OK) {
            olock__fake_num_error(c, rc);
            return NULL;
        }
        {
            int sa = olock__fake_text_scale(a->str, a->len), sb = olock__fake_text_scale(b->str, b->len);
            return olock__fake_new_num_scaled(c, &r, sa > sb ? sa : sb);
        }
    }
    case OLOCK__FAKE_N_FUNC:
        if (n->op == OLOCK__FAKE_F_IF_NOT_EXISTS) {
            /* DynamoDB Local reads the fallback even when it is not needed: a missing path
               there fails `SET x = if_not_exists(n, nope)` although n exists */
            a = old ? olock__fake_path_get(old, n->args[0], n->args[0]->nels) : NULL;
            if (!(b = olock__fake_set_value(c, old, n->args[1]))) return NULL;
            return a ? a : b;
        } else {
            olock_value *l;
            const olock_value *m;
            if (!(a = olock__fake_set_value(c, old, n->args[0]))) return NULL;
            if (a->type != OLOCK_TYPE_L) {
                olock__fake_update_error(c, 3);
                return NULL;
            }
            if (!(b = olock__fake_set_value(c, old, n->args[1]))) return NULL;
            if (b->type != OLOCK_TYPE_L) {
                olock__fake_update_error(c, 3);
                return NULL;
            }
            if (!(l = olock__fake_newval(c->a, OLOCK_TYPE_L))) {
                c->oom = 1;
                return NULL;
            }
            for (m = a->first; m; m = m->next) {
                olock_value *x = olock__fake_copy(c->a, m);
                if (!x) {
                    c->oom = 1;
                    return NULL;
                }
                olock__fake_append(l, x);
            }
            for (m = b->first; m; m = m->next) {
                olock_value *x = olock__fake_copy(c->a, m);
                if (!x) {
                    c->oom = 1;
                    return NULL;
                }
                olock__fake_append(l, x);
            }
            return l;
        }
    default:
        olock__fake_update_error(c, 3);
        return NULL;
    }
}

/* Replaces the member of the same name (keeping its place) or appends. */
static void olock__fake_map_set(olock_value *map, olock_value *v) {
    olock_value *m, *prev = NULL;
    for (m = map->first; m; prev = m, m = m->next) {
        if (m->key_len == v->key_len && memcmp(m->key, v->key, v->key_len) == 0) {
            v->next = m->next;
            if (prev) prev->next = v;
            else map->first = v;
            if (map->last == m) map->last = v;
            return;
        }
    }
    olock__fake_append(map, v);
}

static void olock__fake_unlink(olock_value *parent, olock_value *m) {
    olock_value *it, *prev = NULL;
    for (it = parent->first; it; prev = it, it = it->next) {
        if (it != m) continue;
        if (prev) prev->next = it->next;
        else parent->first = it->next;
        if (parent->last == it) parent->last = prev;
        parent->count--;
        return;
    }
}

/* Puts `v` (allocated in `ia`, the new item's arena) at path `p` of the item. */
static int olock__fake_put_path(olock__fake_ctx *c, olock_arena *ia, olock_value *item, const olock__fake_node *p, olock_value *v) {
    olock_value *parent = olock__fake_path_get_mut(item, p, p->nels - 1);
    const olock__fake_pel *el = &p->els[p->nels - 1];
    if (!parent) return olock__fake_update_error(c, 1);
    if (el->is_index) {
        olock_value *old;
        if (parent->type != OLOCK_TYPE_L) return olock__fake_update_error(c, 1);
        old = olock__fake_list_at_mut(parent, el->index);
        v->key = NULL;
        v->key_len = 0;
        if (!old) {
            olock__fake_append(parent, v);
            return 0;
        }
        v->next = old->next;
        if (parent->first == old) parent->first = v;
        else {
            olock_value *m;
            for (m = parent->first; m->next != old; m = m->next) {}
            m->next = v;
        }
        if (parent->last == old) parent->last = v;
        return 0;
    }
    if (parent->type != OLOCK_TYPE_M) return olock__fake_update_error(c, 1);
    if (!(v->key = olock_arena_strdup(ia, el->name, el->name_len))) return olock__fake_oom(c);
    v->key_len = el->name_len;
    olock__fake_map_set(parent, v);
    return 0;
}

/* ADD and DELETE on a number or a set. The legacy AttributeUpdates form has messages of its
   own, and its ADD also appends to a list. */
static int olock__fake_add_delete(olock__fake_ctx *c, olock_arena *ia, olock_value *item, const olock__fake_action *a,
                                  int legacy) {
    const olock_value *arg = a->value->value;
    olock_value *parent = olock__fake_path_get_mut(item, a->path, a->path->nels - 1);
    olock_value *cur, *res;
    const olock_value *m;
    int add = a->clause == OLOCK__FAKE_T_ADD;
    if (!arg) return olock__fake_update_error(c, 3);
    if (!parent) return olock__fake_update_error(c, 1);
    cur = olock__fake_path_get_mut(item, a->path, a->path->nels);
    if (legacy) {
        if (add ? arg->type != OLOCK_TYPE_N && arg->type != OLOCK_TYPE_L && !olock__fake_is_set(arg->type)
                : !olock__fake_is_set(arg->type))
            return olock__fake_verror(c, "One or more parameter values were invalid: %s action %sis not supported for the type %s",
                                      add ? "ADD" : "DELETE", add ? "" : "with value ", olock__fake_long_type(arg->type));
        if (cur && cur->type != arg->type) return olock__fake_verror(c, "Type mismatch for attribute to update");
        if (cur && arg->type == OLOCK_TYPE_L) {
            for (m = arg->first; m; m = m->next) {
                olock_value *x = olock__fake_copy(ia, m);
                if (!x) return olock__fake_oom(c);
                olock__fake_append(cur, x);
            }
            return 0;
        }
    }
    if (add) {
        if (arg->type != OLOCK_TYPE_N && !olock__fake_is_set(arg->type) && !legacy) return olock__fake_update_error(c, 3);
        if (!cur) {
            if (!(res = olock__fake_copy(ia, arg))) return olock__fake_oom(c);
            return olock__fake_put_path(c, ia, item, a->path, res);
        }
        if (cur->type != arg->type) return olock__fake_update_error(c, 3);
        if (arg->type == OLOCK_TYPE_N) {
            olock_decimal x, y, r;
            int64_t ix, iy;
            int rc;
            if (olock__fake_small_int(cur->str, cur->len, &ix) && olock__fake_small_int(arg->str, arg->len, &iy)) {
                if (!(res = olock__fake_new_int(c, ix + iy)) || !(res = olock__fake_copy(ia, res))) return olock__fake_oom(c);
                return olock__fake_put_path(c, ia, item, a->path, res);
            }
            olock__fake_num_of(cur, &x);
            olock__fake_num_of(arg, &y);
            rc = olock__fake_num_addsub(&x, &y, 0, &r);
            if (rc != OLOCK__FAKE_NUM_OK) return olock__fake_num_error(c, rc);
            {
                int sa = olock__fake_text_scale(cur->str, cur->len), sb = olock__fake_text_scale(arg->str, arg->len);
                if (!(res = olock__fake_new_num_scaled(c, &r, sa > sb ? sa : sb))) return -1;
            }
            if (!(res = olock__fake_copy(ia, res))) return olock__fake_oom(c);
            return olock__fake_put_path(c, ia, item, a->path, res);
        }
        for (m = arg->first; m; m = m->next) {
            olock_value *x;
            if (olock__fake_contains(cur, m)) continue;
            if (!(x = olock__fake_copy(ia, m))) return olock__fake_oom(c);
            olock__fake_append(cur, x);
        }
        if (olock__fake_sort_set(c->a, cur, 1) < 0) return olock__fake_oom(c);
        return 0;
    }
    if (!olock__fake_is_set(arg->type)) return olock__fake_update_error(c, 3);
    if (!cur) return 0;
    if (cur->type != arg->type) return olock__fake_update_error(c, 3);
    for (m = arg->first; m; m = m->next) {
        olock_value *x;
        for (x = cur->first; x; x = x->next)
            if (olock__fake_equal(x, m)) {
                olock__fake_unlink(cur, x);
                break;
            }
    }
    if (cur->count == 0) olock__fake_unlink(parent, cur); /* DynamoDB has no empty sets */
    return 0;
}

/* REMOVE of list elements uses the indexes of the list before the update: remove the
   highest index of each list first. */
static int olock__fake_remove_order(const olock__fake_action *x, const olock__fake_action *y) {
    const olock__fake_pel *a = &x->path->els[x->path->nels - 1], *b = &y->path->els[y->path->nels - 1];
    return a->is_index && b->is_index && a->index < b->index;
}

/* Applies every action to `item`, a copy of the old item (or of the key) that lives in
   `ia`, the arena of the olock_item that will replace it: what goes into it is allocated
   there. SET values are all computed first, against `base`, as DynamoDB evaluates them on
   the old item; when the update creates the item, `base` is its key (DynamoDB Local lets
   "SET c = pk" read it, where a condition sees no item). */
/* 1 when action x of an update is applied before action y. DynamoDB Local keeps the paths in a
   tree whose nodes hold their children in a HashMap (as for overlapping paths) and walks it
   the reverse of the maps' order: at the first element where the two paths part, the higher
   bucket first (16 buckets, doubled past 3/4 full, by the element's hash), within a bucket
   the element first put, i.e. the one of the later action in the text. (Not the text order,
   nor its reverse: `SET y = nope, b.x = :one` reads y first, `SET b.x = :one, a = nope` b.) */
static int olock__fake_applied_before(const olock__fake_expr *e, size_t x, size_t y) {
    const olock__fake_node *px = e->acts[x].path, *py = e->acts[y].path;
    size_t k, i, m, n = 0, cap = 16, last_x = 0, last_y = 0;
    uint32_t bx, by;
    for (k = 0; k < px->nels && k < py->nels && olock__fake_pel_eq(&px->els[k], &py->els[k]); k++) {}
    if (k == px->nels || k == py->nels) return x > y; /* not after the overlap check */
    /* the children of the node where they part: the distinct elements k of the paths through it */
    for (i = 0; i < e->nacts; i++) {
        const olock__fake_node *p = e->acts[i].path;
        for (m = 0; m < k && m < p->nels && olock__fake_pel_eq(&p->els[m], &px->els[m]); m++) {}
        if (m < k || p->nels <= k) continue;
        if (olock__fake_pel_eq(&p->els[k], &px->els[k])) last_x = i;
        if (olock__fake_pel_eq(&p->els[k], &py->els[k])) last_y = i;
        for (m = 0; m < i; m++) {
            const olock__fake_node *q = e->acts[m].path;
            size_t r;
            for (r = 0; r <= k && r < q->nels && olock__fake_pel_eq(&q->els[r], &p->els[r]); r++) {}
            if (r > k) break;
        }
        if (m == i) n++;
    }
    while (n > cap / 4 * 3) cap *= 2;
    bx = olock__fake_pel_bucket(&px->els[k], cap);
    by = olock__fake_pel_bucket(&py->els[k], cap);
    if (bx != by) return bx > by;
    return last_x > last_y;
}

/* That order into `order` (nacts entries; NULL passes through). */
static size_t *olock__fake_action_order(const olock__fake_expr *e, size_t *order) {
    size_t i, j;
    for (i = 0; order && i < e->nacts; i++) { /* insertion sort, stable */
        for (j = i; j > 0 && olock__fake_applied_before(e, i, order[j - 1]); j--) order[j] = order[j - 1];
        order[j] = i;
    }
    return order;
}

static int olock__fake_apply_update(olock__fake_ctx *c, olock_arena *ia, const olock_value *base, olock_value *item,
                                    olock__fake_expr *e) {
    size_t i, j, nrem = 0;
    olock__fake_action **rem;
    if (!e->legacy) {
        /* DynamoDB Local applies the actions in the order it walks its tree of their paths
           (olock__fake_applied_before), each action's target before its operand: `SET y =
           nope, b.x = :one` is the missing operand (y before b), `SET b.x = :one, a = nope`
           the path (b before a). */
        size_t *order = e->order;
        if (!order && !(order = olock__fake_action_order(e, (size_t *)olock__fake_alloc(c, (e->nacts + 1) * sizeof(*order)))))
            return -1;
        for (j = 0; j < e->nacts; j++) {
            olock__fake_action *a = &e->acts[order[j]];
            const olock_value *arg, *cur, *parent;
            const olock__fake_pel *el = &a->path->els[a->path->nels - 1];
            parent = olock__fake_path_get(base, a->path, a->path->nels - 1);
            if (!parent || parent->type != (el->is_index ? OLOCK_TYPE_L : OLOCK_TYPE_M)) return olock__fake_update_error(c, 1);
            if (a->clause == OLOCK__FAKE_T_SET) {
                if (!(a->result = olock__fake_set_value(c, base, a->value))) return -1;
                continue;
            }
            if (a->clause == OLOCK__FAKE_T_REMOVE) continue;
            if (!(arg = a->value->value)) return olock__fake_update_error(c, 3);
            cur = olock__fake_path_get(base, a->path, a->path->nels);
            if (a->clause == OLOCK__FAKE_T_ADD ? arg->type != OLOCK_TYPE_N && !olock__fake_is_set(arg->type) : !olock__fake_is_set(arg->type))
                return olock__fake_update_error(c, 3);
            if (cur && cur->type != arg->type) return olock__fake_update_error(c, 3);
        }
    } else {
        for (i = 0; i < e->nacts; i++) {
            olock__fake_action *a = &e->acts[i];
            if (a->clause != OLOCK__FAKE_T_SET) continue;
            if (!(a->result = olock__fake_set_value(c, base, a->value))) return -1;
        }
    }
    for (i = 0; i < e->nacts; i++) {
        olock__fake_action *a = &e->acts[i];
        olock_value *v;
        if (a->clause != OLOCK__FAKE_T_SET) continue;
        if (!(v = olock__fake_copy(ia, a->result))) return olock__fake_oom(c);
        if (olock__fake_put_path(c, ia, item, a->path, v) < 0) return -1;
    }
    if (!(rem = (olock__fake_action **)olock__fake_alloc(c, (e->nacts + 1) * sizeof(*rem)))) return -1;
    for (i = 0; i < e->nacts; i++)
        if (e->acts[i].clause == OLOCK__FAKE_T_REMOVE) rem[nrem++] = &e->acts[i];
    for (i = 1; i < nrem; i++) { /* stable insertion sort: higher list indexes first */
        olock__fake_action *x = rem[i];
        for (j = i; j > 0 && olock__fake_remove_order(rem[j - 1], x); j--) rem[j] = rem[j - 1];
        rem[j] = x;
    }
    for (i = 0; i < nrem; i++) {
        const olock__fake_node *p = rem[i]->path;
        olock_value *parent = olock__fake_path_get_mut(item, p, p->nels - 1);
        olock_value *cur;
        const olock__fake_pel *el = &p->els[p->nels - 1];
        if (!parent || (el->is_index ? parent->type != OLOCK_TYPE_L : parent->type != OLOCK_TYPE_M))
            return olock__fake_update_error(c, 1);
        cur = olock__fake_path_get_mut(item, p, p->nels);
        if (cur) olock__fake_unlink(parent, cur);
    }
    for (i = 0; i < e->nacts; i++) {
        olock__fake_action *a = &e->acts[i];
        if (a->clause == OLOCK__FAKE_T_ADD || a->clause == OLOCK__FAKE_T_DELETE)
            if (olock__fake_add_delete(c, ia, item, a, e->legacy) < 0) return -1;
    }
    return 0;
}

/* 1 when REMOVE action x sorts before y: by path, names by bytes, indexes by value. */
static int olock__fake_path_less(const olock__fake_node *x, const olock__fake_node *y) {
    size_t i;
    for (i = 0; i < x->nels && i < y->nels; i++) {
        const olock__fake_pel *a = &x->els[i], *b = &y->els[i];
        int r;
        if (a->is_index != b->is_index) return a->is_index < b->is_index;
        if (a->is_index) {
            if (a->index != b->index) return a->index < b->index;
            continue;
        }
        r = olock__fake_bytes_cmp(a->name, a->name_len, b->name, b->name_len, 0);
        if (r) return r < 0;
    }
    return x->nels < y->nels;
}

/* UPDATED_OLD / UPDATED_NEW: the top-level attributes of `image` whose updated path exists
   in it (DynamoDB Local returns the whole top-level attribute), in the order DynamoDB Local
   processes the actions: SET as written, REMOVE sorted by path, then ADD and DELETE. */
static olock_value *olock__fake_updated(olock__fake_ctx *c, const olock_value *image, const olock__fake_expr *e) {
    olock_value *out = olock__fake_newval(c->a, OLOCK_TYPE_M);
    olock__fake_action **order;
    size_t i, j, n = 0;
    int pass;
    if (!out) {
        c->oom = 1;
        return NULL;
    }
    if (!image) return out;
    if (!(order = (olock__fake_action **)olock__fake_alloc(c, (e->nacts + 1) * sizeof(*order)))) return NULL;
    for (pass = 0; pass < 4; pass++) {
        static const int clauses[] = { OLOCK__FAKE_T_SET, OLOCK__FAKE_T_REMOVE, OLOCK__FAKE_T_ADD, OLOCK__FAKE_T_DELETE };
        size_t first = n;
        for (i = 0; i < e->nacts; i++) {
            if (e->acts[i].clause != clauses[pass]) continue;
            for (j = n; j > first && clauses[pass] == OLOCK__FAKE_T_REMOVE &&
                 olock__fake_path_less(e->acts[i].path, order[j - 1]->path);
                 j--)
                order[j] = order[j - 1];
            order[j] = &e->acts[i];
            n++;
        }
    }
    for (i = 0; i < n; i++) {
        const olock__fake_node *p = order[i]->path;
        const olock_value *m = olock__fake_map_get(image, p->els[0].name, p->els[0].name_len);
        olock_value *x;
        if (!m || olock__fake_map_get(out, m->key, m->key_len) || !olock__fake_path_get(image, p, p->nels)) continue;
        if (!(x = olock__fake_copy(c->a, m))) {
            c->oom = 1;
            return NULL;
        }
        olock__fake_append(out, x);
    }
    return out;
}

/* The members of a map (not of the maps in it) in name order. */
static int olock__fake_sort_top(olock__fake_ctx *c, olock_value *map) {
    olock_value **arr, *m;
    size_t n = map->count, i, j;
    if (n < 2) return 0;
    if (!(arr = (olock_value **)olock__fake_alloc(c, n * sizeof(*arr)))) return -1;
    for (i = 0, m = map->first; m && i < n; m = m->next, i++) {
        for (j = i; j > 0 && olock__fake_bytes_cmp(arr[j - 1]->key, arr[j - 1]->key_len, m->key, m->key_len, 0) > 0; j--)
            arr[j] = arr[j - 1];
        arr[j] = m;
    }
    map->first = arr[0];
    for (i = 0; i + 1 < n; i++) arr[i]->next = arr[i + 1];
    arr[n - 1]->next = NULL;
    map->last = arr[n - 1];
    return 0;
}

/* DynamoDB Local rebuilds an updated item from a sorted document: its maps come back with
   their members in name order (which decides the order within a HashMap bucket). */
static int olock__fake_sort_members(olock__fake_ctx *c, olock_value *map, int depth) {
    olock_value *m;
    for (m = map->first; m; m = m->next)
        if ((m->type == OLOCK_TYPE_M || m->type == OLOCK_TYPE_L) && depth < OLOCK__FAKE_MAX_DEPTH + 2 &&
            olock__fake_sort_members(c, m, depth + 1) < 0)
            return -1;
    return map->type == OLOCK_TYPE_M ? olock__fake_sort_top(c, map) : 0;
}
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
/* =============================================================================================
   >>items (implementation)
   ========================================================================================== */

/* ---- item operations: shared request checks ------------------------------------------------- */

/* ReturnValues values each operation accepts; 0 when absent. */
#define OLOCK__FAKE_RV_NONE 1
#define OLOCK__FAKE_RV_ALL_OLD 2
#define OLOCK__FAKE_RV_UPDATED_OLD 3
#define OLOCK__FAKE_RV_ALL_NEW 4
#define OLOCK__FAKE_RV_UPDATED_NEW 5

static int olock__fake_return_values(olock__fake_ctx *c, int allow_updates, int *out) {
    static const char *const names[] = { "NONE", "ALL_OLD", "UPDATED_OLD", "ALL_NEW", "UPDATED_NEW" };
    const char *s;
    size_t len, i;
    int r = olock__fake_get_str(c, c->body, "ReturnValues", &s, &len);
    *out = 0;
    if (r <= 0) return r;
    for (i = 0; i < 5; i++) {
        if (olock__fake_streq(s, len, names[i])) {
            if (!allow_updates && i > 1) break;
            *out = (int)i + 1;
            return 0;
        }
    }
    return olock__fake_verror(c, "Return values set to invalid value");
}

static int olock__fake_return_on_failure(olock__fake_ctx *c, int *all_old) {
    const char *s;
    size_t len;
    int r = olock__fake_get_str(c, c->body, "ReturnValuesOnConditionCheckFailure", &s, &len);
    *all_old = 0;
    if (r <= 0) return r;
    if (olock__fake_streq(s, len, "ALL_OLD")) {
        *all_old = 1;
        return 0;
    }
    if (olock__fake_streq(s, len, "NONE")) return 0;
    return olock__fake_verror(c, "1 validation error detected: Value '%.*s' at 'returnValuesOnConditionCheckFailure' failed to satisfy constraint: Member must satisfy enum value set: [ALL_OLD, NONE]",
                              (int)len, s);
}

/* 0: no ConsumedCapacity, 1: TOTAL, 2: INDEXES. GetItem and DeleteItem of DynamoDB Local
   take any other text as INDEXES, PutItem and UpdateItem ignore it (`lenient`). */
static int olock__fake_return_capacity(olock__fake_ctx *c, int lenient, int *out) {
    const char *s;
    size_t len;
    int r = olock__fake_get_str(c, c->body, "ReturnConsumedCapacity", &s, &len);
    *out = 0;
    if (r <= 0) return r;
    if (olock__fake_streq(s, len, "NONE")) return 0;
    if (olock__fake_streq(s, len, "TOTAL")) *out = 1;
    else if (lenient || olock__fake_streq(s, len, "INDEXES")) *out = 2;
    return 0;
}

static int olock__fake_put_units(olock__fake_ctx *c, uint64_t halves) {
    return olock__fake_put_u64(c, halves / 2) < 0 ? -1 : olock__fake_puts(c, halves % 2 ? ".5" : ".0");
}

/* Units in halves: a write costs 1 per KB (rounded up) of the larger of the item before and
   after, a read 1 per 4 KB of the whole item (half if eventually consistent), at least one
   block even when nothing was found. */
static uint64_t olock__fake_write_halves(size_t before, size_t after) {
    size_t size = before > after ? before : after;
    uint64_t blocks = (size + 1023) / 1024;
    return 2 * (blocks ? blocks : 1);
}

static uint64_t olock__fake_read_halves(size_t size, int consistent) {
    uint64_t blocks = (size + 4095) / 4096;
    if (!blocks) blocks = 1;
    return consistent ? 2 * blocks : blocks;
}

static int olock__fake_write_capacity(olock__fake_ctx *c, const olock__fake_table *t, int mode, uint64_t halves, int first) {
    if (!mode) return 0;
    if (olock__fake_puts(c, first ? "\"ConsumedCapacity\":{\"TableName\":" : ",\"ConsumedCapacity\":{\"TableName\":") < 0 ||
        olock__fake_put_str(c, t->name, t->name_len) < 0 || olock__fake_puts(c, ",\"CapacityUnits\":") < 0 ||
        olock__fake_put_units(c, halves) < 0)
        return -1;
    if (mode == 2 && (olock__fake_puts(c, ",\"Table\":{\"CapacityUnits\":") < 0 || olock__fake_put_units(c, halves) < 0 || olock__fake_puts(c, "}") < 0))
        return -1;
    return olock__fake_puts(c, "}");
}

/* A legacy (non-expression) parameter next to an expression one. */
static int olock__fake_mixed(olock__fake_ctx *c, const char *legacy, const char *expr) {
    return olock__fake_verror(c, "Can not use both expression and non-expression parameters in the same request: Non-expression parameters: {%s} Expression parameters: {%s}",
                              legacy, expr);
}

/* #name / :value keys: the marker and then one or more of [A-Za-z0-9_]. */
static int olock__fake_valid_placeholder(const char *s, size_t len, char marker) {
    size_t i;
    if (len < 2 || s[0] != marker) return 0;
    for (i = 1; i < len; i++)
        if (!olock__fake_is_word(s[i])) return 0;
    return 1;
}

/* Checks ExpressionAttributeNames and ExpressionAttributeValues and converts the values.
   `values_allowed` is 0 when the operation takes no value placeholders (GetItem). */
static int olock__fake_subst_init(olock__fake_ctx *c, olock__fake_subst *sub, int any_expr, int value_expr,
                                  const char *values_null, int values_allowed) {
    const olock_json *names = olock__fake_body_get(c, "ExpressionAttributeNames");
    const olock_json *values = values_allowed ? olock__fake_body_get(c, "ExpressionAttributeValues") : NULL;
    const olock_json *m;
    memset(sub, 0, sizeof(*sub));
    if ((names && names->kind != OLOCK_JSON_OBJECT) || (values && values->kind != OLOCK_JSON_OBJECT)) return olock__fake_shape(c);
    if (names && !any_expr) return olock__fake_verror(c, "ExpressionAttributeNames can only be specified when using expressions");
    if (values && !value_expr)
        return olock__fake_verror(c, "ExpressionAttributeValues can only be specified when using expressions: %s", values_null);
    if (names) {
        if (names->count == 0) return olock__fake_verror(c, "ExpressionAttributeNames must not be empty");
        for (m = names->first; m; m = m->next) {
            if (m->key_len > OLOCK__FAKE_MAX_JSON_NAME) return olock__fake_shape(c);
            if (m->key_len > OLOCK__FAKE_MAX_PLACEHOLDER)
                return olock__fake_verror(c, "ExpressionAttributeNames contains invalid key: The expression attribute map contains a key that is too long; size of key: %u",
                                          (unsigned)m->key_len);
            if (!olock__fake_valid_placeholder(m->key, m->key_len, '#'))
                return olock__fake_verror(c, "ExpressionAttributeNames contains invalid key: Syntax error; key: \"%.*s\"",
                                          (int)m->key_len, m->key);
            if (m->kind != OLOCK_JSON_STRING) return olock__fake_shape(c);
            if (m->len == 0)
                return olock__fake_verror(c, "ExpressionAttributeNames contains invalid value: Empty attribute name for key %.*s",
                                          (int)m->key_len, m->key);
            if (m->len > OLOCK__FAKE_MAX_NAME)
                return olock__fake_verror(c, "ExpressionAttributeNames contains invalid value: Attribute name is too large, must be less than 65536 bytes for key %.*s",
                                          (int)m->key_len, m->key);
        }
        sub->names = names;
        if (!(sub->name_used = (unsigned char *)olock__fake_alloc(c, names->count))) return -1;
        memset(sub->name_used, 0, names->count);
    }
    if (values) {
        if (values->count == 0) return olock__fake_verror(c, "ExpressionAttributeValues must not be empty");
        for (m = values->first; m; m = m->next) {
            if (m->key_len > OLOCK__FAKE_MAX_JSON_NAME) return olock__fake_shape(c);
            if (m->key_len > OLOCK__FAKE_MAX_PLACEHOLDER)
                return olock__fake_verror(c, "ExpressionAttributeValues contains invalid key: The expression attribute map contains a key that is too long;");
            if (!olock__fake_valid_placeholder(m->key, m->key_len, ':'))
                return olock__fake_verror(c, "ExpressionAttributeValues contains invalid key: Syntax error; key: \"%.*s\"",
                                          (int)m->key_len, m->key);
        }
        sub->values_json = values;
    }
    return 0;
}

/* Converts ExpressionAttributeValues (DynamoDB Local does it after checking the key). */
static int olock__fake_subst_values(olock__fake_ctx *c, olock__fake_subst *sub) {
    const olock_json *values = sub->values_json, *m;
    int r;
    if (values) {
        if (!(sub->values = olock__fake_newval(c->a, OLOCK_TYPE_M))) return olock__fake_oom(c);
        for (m = values->first; m; m = m->next) {
            olock_value *v;
            if (m->kind == OLOCK_JSON_NULL) return olock__fake_shape(c);
            c->keep_scale = 1;
            r = olock__fake_av(c, m, &v, 1);
            c->keep_scale = 0;
            if (r < 0) {
                /* DynamoDB Local wraps the value's own message */
                if (c->err_type && !c->oom) {
                    char *inner = c->err_msg;
                    c->err_type = NULL;
                    olock__fake_verror(c, "ExpressionAttributeValues contains invalid value: %s for key %.*s", inner,
                                       (int)m->key_len, m->key);
                }
                return -1;
            }
            v->key = m->key;
            v->key_len = m->key_len;
            olock__fake_append(sub->values, v);
        }
        if (!(sub->value_used = (unsigned char *)olock__fake_alloc(c, values->count))) return -1;
        memset(sub->value_used, 0, values->count);
    }
    return 0;
}

/* "Value provided in ExpressionAttribute... unused in expressions: keys: {#a, #b}" (sorted). */
static int olock__fake_unused_keys(olock__fake_ctx *c, const char *what, const char **keys, size_t *lens, size_t n) {
    olock_buf b;
    size_t i, j;
    for (i = 1; i < n; i++) { /* insertion sort by bytes */
        const char *k = keys[i];
        size_t l = lens[i];
        for (j = i; j > 0 && olock__fake_bytes_cmp(keys[j - 1], lens[j - 1], k, l, 0) > 0; j--) {
            keys[j] = keys[j - 1];
            lens[j] = lens[j - 1];
        }
        keys[j] = k;
        lens[j] = l;
    }
    olock_buf_init(&b, &c->f->alloc);
    for (i = 0; i < n; i++) {
        if ((i && olock_buf_append(&b, ", ", 2) != OLOCK_OK) || olock_buf_append(&b, keys[i], lens[i]) != OLOCK_OK) {
            olock_buf_free(&b);
            return olock__fake_oom(c);
        }
    }
    olock__fake_verror(c, "Value provided in %s unused in expressions: keys: {%.*s}", what, (int)b.len, b.data);
    olock_buf_free(&b);
    return -1;
}

/* Room for count keys and their lengths in the request's arena. */
static int olock__fake_key_arrays(olock__fake_ctx *c, size_t count, const char ***keys, size_t **lens) {
    *keys = (const char **)olock__fake_alloc(c, count * sizeof(**keys));
    *lens = (size_t *)olock__fake_alloc(c, count * sizeof(**lens));
    return *keys && *lens ? 0 : -1;
}

/* The names (an olock_json object) and the values (an olock_value map) chain their members the
   same way (key, key_len, next) but are two types: one loop, written once. */
#define OLOCK__FAKE_GATHER_UNUSED(list, used, m) \
    for (i = 0, (m) = (list)->first; (m); (m) = (m)->next, i++) \
        if (!(used)[i]) { \
            keys[n] = (m)->key; \
            lens[n++] = (m)->key_len; \
        }

static int olock__fake_subst_check_unused(olock__fake_ctx *c, const olock__fake_subst *sub) {
    const char **keys;
    size_t *lens, n = 0, i;
    /* the common case, everything used: nothing to gather */
    for (i = 0; sub->names && i < sub->names->count && sub->name_used[i]; i++) {}
    if (!sub->names || i == sub->names->count) {
        for (i = 0; sub->values && i < sub->values->count && sub->value_used[i]; i++) {}
        if (!sub->values || i == sub->values->count) return 0;
    }
    if (sub->names) {
        const olock_json *m;
        if (olock__fake_key_arrays(c, sub->names->count, &keys, &lens) < 0) return -1;
        OLOCK__FAKE_GATHER_UNUSED(sub->names, sub->name_used, m)
        if (n) return olock__fake_unused_keys(c, "ExpressionAttributeNames", keys, lens, n);
    }
    if (sub->values) {
        const olock_value *m;
        if (olock__fake_key_arrays(c, sub->values->count, &keys, &lens) < 0) return -1;
        OLOCK__FAKE_GATHER_UNUSED(sub->values, sub->value_used, m)
        if (n) return olock__fake_unused_keys(c, "ExpressionAttributeValues", keys, lens, n);
    }
    return 0;
}
#undef OLOCK__FAKE_GATHER_UNUSED

/* Checks a key attribute's value against the table's schema. */
static int olock__fake_check_key_value(olock__fake_ctx *c, const olock__fake_attr *k, const olock_value *v) {
    if (v->type != OLOCK_TYPE_S && v->type != OLOCK_TYPE_N && v->type != OLOCK_TYPE_B)
        return olock__fake_verror(c, "Invalid attribute value type");
    if (v->type != k->type) return olock__fake_verror(c, "One or more parameter values were invalid: Type mismatch for key");
    if (v->len == 0 && v->type != OLOCK_TYPE_N)
        return olock__fake_verror(c, "One or more parameter values are not valid. The AttributeValue for a key attribute cannot contain an empty %s value. Key: %s",
                                  v->type == OLOCK_TYPE_S ? "string" : "binary", k->name);
    return 0;
}

/* The key attributes of secondary indexes, where an item has them. `update`: 0 a put, 1 an
   update, 2 a BatchWriteItem put (which hands an item for a CREATING index back instead). */
static int olock__fake_check_index_keys(olock__fake_ctx *c, const olock__fake_table *t, const olock_value *item, int update) {
    size_t i, k;
    for (i = 0; i < t->index_count; i++) {
        const olock__fake_index *x = &t->indexes[i];
        /* DynamoDB Local fails (500) writing an item into an index it builds, and any item
           while it drops an index */
        if (x->status == OLOCK__FAKE_INDEX_DELETING) return olock__fake_shape(c);
        if (x->status == OLOCK__FAKE_INDEX_CREATING && update != 2) {
            for (k = 0; k < x->key_count && olock__fake_map_get(item, x->key[k].name, x->key[k].len); k++) {}
            if (k == x->key_count) return olock__fake_shape(c);
        }
        for (k = 0; k < x->key_count; k++) {
            const olock_value *v = olock__fake_map_get(item, x->key[k].name, x->key[k].len);
            if (!v) continue;
            /* a value no key can have is refused as such, before its type is compared */
            if (v->type != OLOCK_TYPE_S && v->type != OLOCK_TYPE_N && v->type != OLOCK_TYPE_B)
                return olock__fake_verror(c, "Invalid attribute value type");
            if (v->type != x->key[k].type)
                return olock__fake_verror(c, "One or more parameter values were invalid: Type mismatch for Index Key");
            if (v->len == 0 && v->type != OLOCK_TYPE_N) {
                const char *what = v->type == OLOCK_TYPE_S ? "string" : "binary";
                if (update == 1)
                    return olock__fake_verror(c, "One or more parameter values are not valid. The update expression attempted to update a secondary index key to a value that is not supported. The AttributeValue for a key attribute cannot contain an empty %s value.",
                                              what);
                return olock__fake_verror(c, "One or more parameter values are not valid. A value specified for a secondary index key is not supported. The AttributeValue for a key attribute cannot contain an empty %s value. IndexName: %s, IndexKey: %s",
                                          what, x->name, x->key[k].name);
            }
        }
    }
    return 0;
}

/* The key attributes of an Item (PutItem). */
static int olock__fake_item_key(olock__fake_ctx *c, const olock__fake_table *t, const olock_value *item,
                                const olock_value **hk, const olock_value **rk) {
    size_t i;
    const olock_value *v[2] = { NULL, NULL };
    for (i = 0; i < t->key_count; i++)
        if (!(v[i] = olock__fake_map_get(item, t->key[i].name, t->key[i].len)))
            return olock__fake_verror(c, "One of the required keys was not given a value");
    for (i = 0; i < t->key_count; i++)
        if (olock__fake_check_key_value(c, &t->key[i], v[i]) < 0) return -1;
    for (i = 0; i < t->key_count; i++)
        if (olock__fake_value_size(v[i]) > (i == 0 ? 2048u : 1024u))
            return olock__fake_verror(c, "Hash primary key values must be under 2048 bytes, and range primary key values must be under 1024 bytes");
    *hk = v[0];
    *rk = v[1];
    return 0;
}

/* The Key parameter of GetItem, DeleteItem and UpdateItem. */
static int olock__fake_request_key(olock__fake_ctx *c, const olock__fake_table *t, olock_value **key,
                                   const olock_value **hk, const olock_value **rk) {
    const olock_json *kj = olock__fake_body_get(c, "Key");
    if (!kj) return olock__fake_verror(c, "Cannot have null key for GetItem, DeleteItem, or UpdateItem");
    if (olock__fake_av_map(c, kj, key, 1) < 0) return -1;
    if ((*key)->count != t->key_count) return olock__fake_verror(c, "The number of conditions on the keys is invalid");
    return olock__fake_item_key(c, t, *key, hk, rk);
}

/* The stored item for a key (NULL when absent). */
static const olock_value *olock__fake_old_item(const olock__fake_table *t, const olock_value *hk, const olock_value *rk,
                                               olock__fake_entry **entry, olock__fake_part **part) {
    olock__fake_part *p = olock__fake_part_find(t, hk);
    olock__fake_entry *en = NULL;
    if (p) {
        int found;
        size_t i = olock__fake_entry_pos(p, rk, &found);
        if (found) en = &p->items[i];
    }
    if (entry) *entry = en;
    if (part) *part = p;
    return en ? en->item->root : NULL;
}

static int olock__fake_condition_failed(olock__fake_ctx *c, const olock_value *old, int all_old) {
    olock__fake_err(c, 400, OLOCK__FAKE_NS "ConditionalCheckFailedException", "%s", "The conditional request failed");
    if (all_old && old) c->err_item = old;
    return -1;
}

/* Stores an olock_item built by the request; destroys it when the store cannot take it. */
static int olock__fake_commit_item(olock__fake_ctx *c, olock__fake_table *t, const olock_value *hk, olock_item *it, size_t size) {
    olock__fake_part *p = olock__fake_part_reserve(c->f, t, hk, 1);
    if (!p) {
        olock__fake_item_drop(c->f, it);
        return olock__fake_oom(c);
    }
    olock__fake_store(c->f, t, p, it, size);
    return 0;
}

/* Copies a finished item into its own olock_item and stores it. */
static int olock__fake_commit(olock__fake_ctx *c, olock__fake_table *t, const olock_value *hk, const olock_value *item, size_t size) {
    olock_fake *f = c->f;
    olock__fake_part *p = olock__fake_part_reserve(f, t, hk, 1);
    olock_item *it = NULL;
    olock_value *root;
    if (!p) return olock__fake_oom(c);
    if (olock__fake_item_new(f, &it) != OLOCK_OK || !(root = olock__fake_copy(olock_item_arena(it), item))) {
        olock__fake_item_drop(f, it);
        olock__fake_part_drop_if_empty(f, t, p);
        return olock__fake_oom(c);
    }
    root->key = NULL;
    root->key_len = 0;
    it->root = root;
    olock__fake_store(f, t, p, it, size);
    return 0;
}

/* Compiles ConditionExpression when present (NULL with no error when absent). */
static int olock__fake_condition(olock__fake_ctx *c, olock__fake_subst *sub, olock__fake_expr **out) {
    const char *s;
    size_t len;
    int r = olock__fake_get_str(c, c->body, "ConditionExpression", &s, &len);
    *out = NULL;
    if (r <= 0) return r;
    return (*out = olock__fake_compile(c, sub, "ConditionExpression", s, len, OLOCK__FAKE_E_CONDITION)) ? 0 : -1;
}

/* 1 when a path of the subtree goes into top-level attribute `name` ("name.a", "name[0]"). */
static int olock__fake_goes_into(const olock__fake_node *n, const char *name, size_t len) {
    size_t i;
    if (n->kind == OLOCK__FAKE_N_PATH)
        return n->nels > 1 && n->els[0].name_len == len && memcmp(n->els[0].name, name, len) == 0;
    for (i = 0; i < n->nargs; i++)
        if (olock__fake_goes_into(n->args[i], name, len)) return 1;
    return 0;
}

/* 1 when the subtree has a path of two elements or more (one that can go into an attribute). */
static int olock__fake_has_deep(const olock__fake_node *n) {
    size_t i;
    if (n->kind == OLOCK__FAKE_N_PATH) return n->nels > 1;
    for (i = 0; i < n->nargs; i++)
        if (olock__fake_has_deep(n->args[i])) return 1;
    return 0;
}

/* The same for an expression, worked out once (a kept expression keeps the answer). */
static int olock__fake_expr_deep(olock__fake_expr *e) {
    size_t i;
    int deep = e->root && olock__fake_has_deep(e->root);
    for (i = 0; i < e->nacts && !deep; i++)
        deep = olock__fake_has_deep(e->acts[i].path) || (e->acts[i].value && olock__fake_has_deep(e->acts[i].value));
    for (i = 0; i < e->npaths && !deep; i++) deep = olock__fake_has_deep(e->paths[i]);
    if (!e->deep) e->deep = deep ? 2 : 1;
    return e->deep == 2;
}

static int olock__fake_expr_goes_into(const olock__fake_expr *e, const olock__fake_attr *k) {
    size_t i;
    if (e->root && olock__fake_goes_into(e->root, k->name, k->len)) return 1;
    for (i = 0; i < e->nacts; i++)
        if (olock__fake_goes_into(e->acts[i].path, k->name, k->len) ||
            (e->acts[i].value && olock__fake_goes_into(e->acts[i].value, k->name, k->len)))
            return 1;
    for (i = 0; i < e->npaths; i++)
        if (olock__fake_goes_into(e->paths[i], k->name, k->len)) return 1;
    return 0;
}

/* Key attributes are scalars: DynamoDB Local rejects any path into a key attribute of the
   table or of one of its indexes, whatever the expression. It looks for the table's hash and
   range key first, then the keys of the local and then of the global indexes, each kind in
   the HashMap order of the index names; NULL is fine for `e`. An expression whose paths are
   all top-level attributes goes into none. */
static int olock__fake_key_paths(olock__fake_ctx *c, const olock__fake_table *t, olock__fake_expr *e) {
    size_t i, k, m;
    int global;
    const olock__fake_index **in_order;
    if (!e || (e->deep ? e->deep == 1 : !olock__fake_expr_deep(e))) return 0;
    for (k = 0; k < t->key_count; k++)
        if (olock__fake_expr_goes_into(e, &t->key[k]))
            return olock__fake_verror(c, "Key attributes must be scalars; list random access '[]' and map lookup '.' are not allowed: Key: %s",
                                      t->key[k].name);
    for (global = 0; global < 2; global++) {
        if (olock__fake_indexes_in_order(c, t, global, &in_order, &m) < 0) return -1;
        for (i = 0; i < m; i++) {
            const olock__fake_index *x = in_order[i];
            for (k = 0; k < x->key_count; k++)
                if (olock__fake_expr_goes_into(e, &x->key[k]))
                    return olock__fake_verror(c, "Key attributes must be scalars; list random access '[]' and map lookup '.' are not allowed: IndexKey: %s",
                                              x->key[k].name);
        }
    }
    return 0;
}

/* ---- legacy parameters: Expected, AttributesToGet, AttributeUpdates --------------------------- */

/* Evaluates the pre-expression `Expected` map (ConditionalOperator AND or OR) on `old`:
   1 holds, 0 fails, -1 error. */
static int olock__fake_legacy_cond(olock__fake_ctx *c, const olock_json *exp, const olock_value *old);
static int olock__fake_expected(olock__fake_ctx *c, const olock_value *old) {
    return olock__fake_legacy_cond(c, olock__fake_body_get(c, "Expected"), old);
}

/* The same for any map of legacy conditions (Expected, QueryFilter, ScanFilter). */
static int olock__fake_legacy_cond(olock__fake_ctx *c, const olock_json *exp, const olock_value *old) {
    const olock_json *m;
    const char *cop;
    size_t clen;
    int use_or = 0, any = 0, all = 1, r;
    if (!exp) return 1;
    if (exp->kind != OLOCK_JSON_OBJECT) return olock__fake_shape(c);
    if ((r = olock__fake_get_str(c, c->body, "ConditionalOperator", &cop, &clen)) < 0) return -1;
    if (r && olock__fake_streq(cop, clen, "OR")) use_or = 1;
    for (m = exp->first; m; m = m->next) {
        const olock_value *v = old ? olock__fake_map_get(old, m->key, m->key_len) : NULL;
        const olock_json *val = olock__fake_get(m, "Value"), *list = olock__fake_get(m, "AttributeValueList"), *e;
        const olock_value *args[2] = { NULL, NULL };
        olock_value *x;
        const char *op;
        size_t oplen, nargs = 0;
        int exists = 1, has_exists, holds;
        if (m->kind != OLOCK_JSON_OBJECT) return olock__fake_shape(c);
        if ((has_exists = olock__fake_get_bool(c, m, "Exists", &exists)) < 0) return -1;
        if (!has_exists) exists = 1;
        if ((r = olock__fake_get_str(c, m, "ComparisonOperator", &op, &oplen)) < 0) return -1;
        if (r == 0) op = NULL;
        if (val) {
            if (olock__fake_av(c, val, &x, 1) < 0) return -1;
            args[0] = x;
            nargs = 1;
        }
        if (list && list->kind == OLOCK_JSON_ARRAY) {
            for (e = list->first; e && nargs < 2; e = e->next) {
                if (olock__fake_av(c, e, &x, 1) < 0) return -1;
                args[nargs++] = x;
            }
        }
        if (!op) holds = exists ? (v && args[0] && olock__fake_equal(v, args[0])) : v == NULL;
        else if (olock__fake_streq(op, oplen, "NULL")) holds = v == NULL;
        else if (olock__fake_streq(op, oplen, "NOT_NULL")) holds = v != NULL;
        else if (!args[0]) holds = 0;
        else if (olock__fake_streq(op, oplen, "EQ")) holds = v && olock__fake_equal(v, args[0]);
        else if (olock__fake_streq(op, oplen, "NE")) holds = !(v && olock__fake_equal(v, args[0]));
        else if (olock__fake_streq(op, oplen, "BEGINS_WITH"))
            holds = v && v->type == args[0]->type && (v->type == OLOCK_TYPE_S || v->type == OLOCK_TYPE_B) &&
                args[0]->len <= v->len && memcmp(v->str, args[0]->str, args[0]->len) == 0;
        else if (olock__fake_streq(op, oplen, "CONTAINS")) holds = v && olock__fake_contains(v, args[0]);
        else if (olock__fake_streq(op, oplen, "NOT_CONTAINS")) holds = v && !olock__fake_contains(v, args[0]);
        else if (olock__fake_streq(op, oplen, "IN")) {
            holds = 0;
            for (e = list ? list->first : NULL; e && v; e = e->next) {
                if (olock__fake_av(c, e, &x, 1) < 0) return -1;
                if (olock__fake_equal(v, x)) holds = 1;
            }
        } else if (!olock__fake_ordered(v, args[0])) holds = 0;
        else {
            int cmp = olock__fake_scalar_cmp(v, args[0]);
            if (olock__fake_streq(op, oplen, "LT")) holds = cmp < 0;
            else if (olock__fake_streq(op, oplen, "LE")) holds = cmp <= 0;
            else if (olock__fake_streq(op, oplen, "GT")) holds = cmp > 0;
            else if (olock__fake_streq(op, oplen, "GE")) holds = cmp >= 0;
            else if (olock__fake_streq(op, oplen, "BETWEEN"))
                holds = args[1] && olock__fake_ordered(v, args[1]) && cmp >= 0 && olock__fake_scalar_cmp(v, args[1]) <= 0;
            else return olock__fake_verror(c, "Comparison type does not exist in DynamoDB");
        }
        any |= holds;
        all &= holds;
    }
    return use_or ? any : all;
}

/* AttributesToGet: the named top-level attributes. */
static olock_value *olock__fake_attributes_to_get(olock__fake_ctx *c, const olock_value *item, const olock_json *names) {
    olock_value *out = olock__fake_newval(c->a, OLOCK_TYPE_M);
    const olock_json *n;
    if (!out) {
        c->oom = 1;
        return NULL;
    }
    if (names->kind != OLOCK_JSON_ARRAY) {
        olock__fake_shape(c);
        return NULL;
    }
    for (n = names->first; n; n = n->next) {
        const olock_value *v;
        olock_value *x;
        if (n->kind != OLOCK_JSON_STRING) {
            olock__fake_shape(c);
            return NULL;
        }
        if (!(v = olock__fake_map_get(item, n->str, n->len)) || olock__fake_map_get(out, n->str, n->len)) continue;
        if (!(x = olock__fake_copy(c->a, v))) {
            c->oom = 1;
            return NULL;
        }
        olock__fake_append(out, x);
    }
    return out;
}

/* AttributeUpdates, turned into the actions of an update expression so that the same code
   applies them: PUT is SET, DELETE without a value is REMOVE, ADD and DELETE stay. */
static olock__fake_expr *olock__fake_attribute_updates(olock__fake_ctx *c, const olock_json *au) {
    olock__fake_expr *e = (olock__fake_expr *)olock__fake_alloc(c, sizeof(*e));
    const olock_json *m;
    size_t n = 0;
    if (!e) return NULL;
    if (au->kind != OLOCK_JSON_OBJECT) {
        olock__fake_shape(c);
        return NULL;
    }
    memset(e, 0, sizeof(*e));
    e->c = c;
    e->what = "UpdateExpression";
    e->kind = OLOCK__FAKE_E_UPDATE;
    e->legacy = 1;
    if (!(e->acts = (olock__fake_action *)olock__fake_alloc(c, (au->count + 1) * sizeof(*e->acts)))) return NULL;
    for (m = au->first; m; m = m->next) {
        olock__fake_action *a = &e->acts[n];
        const olock_json *val = olock__fake_get(m, "Value");
        const char *act = "PUT";
        size_t alen = 3;
        olock_value *v = NULL;
        int r;
        if (m->kind != OLOCK_JSON_OBJECT) {
            olock__fake_shape(c);
            return NULL;
        }
        if ((r = olock__fake_get_str(c, m, "Action", &act, &alen)) < 0) return NULL;
        if (r == 0) {
            act = "PUT";
            alen = 3;
        }
        if (val) { /* kept as sent, like ExpressionAttributeValues */
            c->keep_scale = 1;
            r = olock__fake_av(c, val, &v, 1);
            c->keep_scale = 0;
            if (r < 0) return NULL;
        }
        memset(a, 0, sizeof(*a));
        if (!(a->path = (olock__fake_node *)olock__fake_alloc(c, sizeof(olock__fake_node)))) return NULL;
        memset(a->path, 0, sizeof(*a->path));
        if (!(a->path->els = (olock__fake_pel *)olock__fake_alloc(c, sizeof(olock__fake_pel)))) return NULL;
        memset(a->path->els, 0, sizeof(*a->path->els));
        a->path->kind = OLOCK__FAKE_N_PATH;
        a->path->nels = 1;
        a->path->els[0].name = m->key;
        a->path->els[0].name_len = m->key_len;
        if (olock__fake_streq(act, alen, "PUT")) a->clause = OLOCK__FAKE_T_SET;
        else if (olock__fake_streq(act, alen, "ADD")) a->clause = OLOCK__FAKE_T_ADD;
        else if (olock__fake_streq(act, alen, "DELETE")) a->clause = v ? OLOCK__FAKE_T_DELETE : OLOCK__FAKE_T_REMOVE;
        else {
            olock__fake_verror(c, "Member must satisfy enum value set: [ADD, DELETE, PUT]");
            return NULL;
        }
        if (a->clause != OLOCK__FAKE_T_REMOVE) {
            if (!v) {
                olock__fake_verror(c, "Only DELETE action is allowed when no attribute value is specified");
                return NULL;
            }
            if (!(a->value = (olock__fake_node *)olock__fake_alloc(c, sizeof(olock__fake_node)))) return NULL;
            memset(a->value, 0, sizeof(*a->value));
            a->value->kind = OLOCK__FAKE_N_VALUE;
            a->value->value = v;
        }
        n++;
    }
    e->nacts = n;
    return e;
}

/* ---- item operations ------------------------------------------------------------------------ */

static int olock__fake_op_get_item(olock__fake_ctx *c) {
    olock__fake_table *t;
    olock__fake_subst sub;
    olock__fake_expr *proj = NULL;
    olock_value *key;
    const olock_value *hk, *rk, *item;
    olock__fake_entry *en;
    const char *ps;
    size_t plen;
    int consistent = 0, cap, has_proj, r;
    if (!(t = olock__fake_request_table(c, 0)) && c->err_type) return -1;
    if ((has_proj = olock__fake_get_str(c, c->body, "ProjectionExpression", &ps, &plen)) < 0) return -1;
    if (has_proj && olock__fake_body_get(c, "AttributesToGet")) return olock__fake_mixed(c, "AttributesToGet", "ProjectionExpression");
    if (olock__fake_subst_init(c, &sub, has_proj, 0, "", 0) < 0) return -1;
    if (!t) return olock__fake_no_table(c);
    if ((r = olock__fake_get_bool(c, c->body, "ConsistentRead", &consistent)) < 0) return -1;
    if (olock__fake_return_capacity(c, 1, &cap) < 0) return -1;
    if (has_proj && !(proj = olock__fake_compile(c, &sub, "ProjectionExpression", ps, plen, OLOCK__FAKE_E_PROJECTION)))
        return -1;
    if (olock__fake_subst_check_unused(c, &sub) < 0) return -1;
    if (olock__fake_key_paths(c, t, proj) < 0) return -1;
    if (olock__fake_request_key(c, t, &key, &hk, &rk) < 0) return -1;
    item = olock__fake_old_item(t, hk, rk, &en, NULL);
    if (olock__fake_puts(c, "{") < 0) return -1;
    if (item) {
        const olock_json *atg = olock__fake_body_get(c, "AttributesToGet");
        const olock_value *out = proj ? olock__fake_project(c, item, proj)
            : atg                     ? olock__fake_attributes_to_get(c, item, atg)
                                      : item;
        if (!out || olock__fake_puts(c, "\"Item\":") < 0 || olock__fake_write_map(c, out) < 0) return -1;
    }
    if (olock__fake_write_capacity(c, t, cap, olock__fake_read_halves(item ? en->size : 0, consistent), item == NULL) < 0) return -1;
    return olock__fake_puts(c, "}");
}

/* The checks PutItem, UpdateItem and DeleteItem share, up to the table lookup. */
static int olock__fake_write_prelude(olock__fake_ctx *c, olock__fake_table **t, int allow_updates, int *rv, int *all_old,
                                     int *cap, int lenient) {
    if (!(*t = olock__fake_request_table(c, 0)) && c->err_type) return -1;
    if (olock__fake_return_values(c, allow_updates, rv) < 0) return -1;
    if (olock__fake_return_on_failure(c, all_old) < 0) return -1;
    return olock__fake_return_capacity(c, lenient, cap);
}

/* PutItem, UpdateItem and DeleteItem take either the legacy parameters or the expressions;
   DynamoDB Local names every one of each kind that was given, once the table is known. */
static int olock__fake_mixed_write(olock__fake_ctx *c, int allow_updates) {
    static const char *const legacy[] = { "AttributeUpdates", "Expected", "ConditionalOperator" };
    static const char *const expr[] = { "UpdateExpression", "ConditionExpression" };
    char l[64], x[64];
    size_t i, ll = 0, xl = 0;
    int has_legacy = 0;
    /* the common case has no legacy parameter: nothing to name, no formatting */
    for (i = allow_updates ? 0 : 1; i < 3 && !has_legacy; i++) has_legacy = olock__fake_body_get_n(c, c->body, legacy[i], strlen(legacy[i])) != NULL;
    if (!has_legacy) return 0;
    for (i = allow_updates ? 0 : 1; i < 3; i++)
        if (olock__fake_body_get_n(c, c->body, legacy[i], strlen(legacy[i])))
            ll += (size_t)snprintf(l + ll, sizeof(l) - ll, "%s%s", ll ? ", " : "", legacy[i]);
    for (i = allow_updates ? 0 : 1; i < 2; i++)
        if (olock__fake_body_get_n(c, c->body, expr[i], strlen(expr[i])))
            xl += (size_t)snprintf(x + xl, sizeof(x) - xl, "%s%s", xl ? ", " : "", expr[i]);
    return ll && xl ? olock__fake_mixed(c, l, x) : 0;
}

/* ConditionalOperator joins the members of a legacy Expected, QueryFilter or ScanFilter
   (`conds`, NULL when not given); an operator other than AND and OR fails in DynamoDB Local's
   JSON mapper. */
static int olock__fake_conditional_operator(olock__fake_ctx *c, const olock_json *conds) {
    const char *s;
    size_t len;
    int r = olock__fake_get_str(c, c->body, "ConditionalOperator", &s, &len);
    if (r <= 0) return r;
    if (!conds) return olock__fake_verror(c, "ConditionalOperator cannot be used without Filter or Expected");
    if (conds->kind == OLOCK_JSON_OBJECT && conds->count < 2)
        return olock__fake_verror(c, "ConditionalOperator can only be used when Filter or Expected has two or more elements");
    if (!olock__fake_streq(s, len, "AND") && !olock__fake_streq(s, len, "OR")) return olock__fake_shape(c);
    return 0;
}

/* A write's condition on the stored item `old` (NULL: absent), after the checks DynamoDB Local
   makes first (no path into a key attribute, ConditionalOperator): the expression's, else the
   legacy Expected map. 0 when it holds; -1 on an error or when it fails (then
   ConditionalCheckFailedException, with the item when all_old). */
static int olock__fake_write_condition(olock__fake_ctx *c, const olock__fake_table *t, olock__fake_expr *cond, const olock_value *old,
                                       int all_old) {
    int r;
    if (olock__fake_key_paths(c, t, cond) < 0) return -1;
    if (olock__fake_conditional_operator(c, olock__fake_body_get(c, "Expected")) < 0) return -1;
    if (cond && !olock__fake_eval(c, old, cond->root)) return olock__fake_condition_failed(c, old, all_old);
    if (!cond && (r = olock__fake_expected(c, old)) <= 0) return r < 0 ? -1 : olock__fake_condition_failed(c, old, all_old);
    return c->oom ? -1 : 0;
}

static int olock__fake_op_put_item(olock__fake_ctx *c) {
    olock__fake_table *t;
    olock__fake_subst sub;
    olock__fake_expr *cond = NULL;
    const olock_json *ij;
    olock_value *item;
    const olock_value *hk, *rk, *old;
    olock__fake_entry *en;
    int rv, all_old, cap, has_cond;
    size_t size;
    if (olock__fake_write_prelude(c, &t, 0, &rv, &all_old, &cap, 0) < 0) return -1;
    if (!(ij = olock__fake_body_get(c, "Item"))) return olock__fake_verror(c, "Item to put in PutItem cannot be null");
    has_cond = olock__fake_body_get(c, "ConditionExpression") != NULL;
    if (olock__fake_subst_init(c, &sub, has_cond, has_cond, "ConditionExpression is null", 1) < 0) return -1;
    if (!t) return olock__fake_no_table(c);
    if (olock__fake_mixed_write(c, 0) < 0) return -1;
    if (olock__fake_av_map(c, ij, &item, 1) < 0) return -1;
    if (olock__fake_item_key(c, t, item, &hk, &rk) < 0) return -1;
    if (olock__fake_check_index_keys(c, t, item, 0) < 0) return -1;
    if (olock__fake_subst_values(c, &sub) < 0) return -1;
    if (olock__fake_condition(c, &sub, &cond) < 0) return -1;
    if (olock__fake_subst_check_unused(c, &sub) < 0) return -1;
    size = olock__fake_item_size(item);
    if (size > OLOCK__FAKE_MAX_ITEM) return olock__fake_verror(c, "Item size has exceeded the maximum allowed size");
    old = olock__fake_old_item(t, hk, rk, &en, NULL);
    if (olock__fake_write_condition(c, t, cond, old, all_old) < 0) return -1;
    /* the response is written before the swap: `old` dies with it */
    if (olock__fake_puts(c, "{") < 0) return -1;
    if (rv == OLOCK__FAKE_RV_ALL_OLD && old &&
        (olock__fake_puts(c, "\"Attributes\":") < 0 || olock__fake_write_map(c, old) < 0))
        return -1;
    if (olock__fake_write_capacity(c, t, cap, olock__fake_write_halves(old ? en->size : 0, size), !(rv == OLOCK__FAKE_RV_ALL_OLD && old)) < 0 || olock__fake_puts(c, "}") < 0)
        return -1;
    return olock__fake_commit(c, t, hk, item, size);
}

static int olock__fake_op_delete_item(olock__fake_ctx *c) {
    olock__fake_table *t;
    olock__fake_subst sub;
    olock__fake_expr *cond = NULL;
    olock__fake_entry *en;
    olock__fake_part *part;
    olock_value *key;
    const olock_value *hk, *rk, *old;
    int rv, all_old, cap, has_cond, wrote = 0;
    if (olock__fake_write_prelude(c, &t, 0, &rv, &all_old, &cap, 1) < 0) return -1;
    has_cond = olock__fake_body_get(c, "ConditionExpression") != NULL;
    if (olock__fake_subst_init(c, &sub, has_cond, has_cond, "ConditionExpression is null", 1) < 0) return -1;
    if (!t) return olock__fake_no_table(c);
    if (olock__fake_mixed_write(c, 0) < 0) return -1;
    if (olock__fake_request_key(c, t, &key, &hk, &rk) < 0) return -1;
    if (olock__fake_subst_values(c, &sub) < 0) return -1;
    if (olock__fake_condition(c, &sub, &cond) < 0) return -1;
    if (olock__fake_subst_check_unused(c, &sub) < 0) return -1;
    old = olock__fake_old_item(t, hk, rk, &en, &part);
    if (olock__fake_write_condition(c, t, cond, old, all_old) < 0) return -1;
    if (olock__fake_puts(c, "{") < 0) return -1;
    if (rv == OLOCK__FAKE_RV_ALL_OLD && old) {
        if (olock__fake_puts(c, "\"Attributes\":") < 0 || olock__fake_write_map(c, old) < 0) return -1;
        wrote = 1;
    }
    /* DynamoDB Local reports the consumed capacity of a delete that found nothing, asked or not */
    if (!cap && !old) cap = 1;
    if (olock__fake_write_capacity(c, t, cap, olock__fake_write_halves(old ? en->size : 0, 0), !wrote) < 0 || olock__fake_puts(c, "}") < 0) return -1;
    if (old) olock__fake_erase(c->f, t, part, en);
    return 0;
}

/* 1 when action i is the first of `e` to write under its top-level attribute: walking the
   actions so visits each touched attribute once. */
static int olock__fake_first_touch(const olock__fake_expr *e, size_t i) {
    const olock__fake_pel *el = &e->acts[i].path->els[0], *o;
    size_t j;
    if (el->is_index) return 0;
    for (j = 0; j < i; j++) {
        o = &e->acts[j].path->els[0];
        if (!o->is_index && o->name_len == el->name_len && memcmp(o->name, el->name, el->name_len) == 0) return 0;
    }
    return 1;
}

/* The top-level attribute action i writes under (NULL when absent); the plain lookup, for
   the paths the update checked already. */
static const olock_value *olock__fake_touched_member(const olock_value *item, const olock__fake_expr *e, size_t i) {
    const olock__fake_pel *el = &e->acts[i].path->els[0];
    return olock__fake_map_get(item, el->name, el->name_len);
}

static olock_value *olock__fake_touched_member_mut(olock_value *item, const olock__fake_expr *e, size_t i) {
    const olock__fake_pel *el = &e->acts[i].path->els[0];
    olock_value *m;
    for (m = item->first; m; m = m->next)
        if (m->key_len == el->name_len && memcmp(m->key, el->name, el->name_len) == 0) return m;
    return NULL;
}

/* The size of the top-level attributes `e` touches, in the old item and in the new one:
   with the stored size of the old item, what an update needs to size the new one without
   walking every number. 1 in *added when the update added one of them (at the end, out of
   name order). */
static size_t olock__fake_touched_size(const olock_value *old, const olock_value *item, const olock__fake_expr *e, size_t *old_size,
                                       int *added) {
    const olock_value *m, *o;
    size_t i, n = 0;
    *old_size = 0;
    *added = 0;
    for (i = 0; i < e->nacts; i++) {
        if (!olock__fake_first_touch(e, i)) continue;
        if ((o = olock__fake_touched_member(old, e, i)) != NULL) *old_size += o->key_len + olock__fake_value_size(o);
        if ((m = olock__fake_touched_member(item, e, i)) != NULL) {
            n += m->key_len + olock__fake_value_size(m);
            if (!o) *added = 1;
        }
    }
    return n;
}

/* 1 when every action of `e` under action i's top-level attribute replaces or removes it
   whole (`SET a = ..`, `REMOVE a`): the update never writes into its old value, which the
   new root can then share until it is replaced. */
static int olock__fake_replaced_whole(const olock__fake_expr *e, size_t i) {
    const olock__fake_pel *el = &e->acts[i].path->els[0], *o;
    size_t j;
    for (j = i; j < e->nacts; j++) {
        const olock__fake_action *a = &e->acts[j];
        o = &a->path->els[0];
        if (o->is_index || o->name_len != el->name_len || memcmp(o->name, el->name, el->name_len) != 0) continue;
        if (a->path->nels != 1 || (a->clause != OLOCK__FAKE_T_SET && a->clause != OLOCK__FAKE_T_REMOVE)) return 0;
    }
    return 1;
}

/* Copy-on-write: a new root for the stored item, in its own arena, whose members are deep
   copies of the attributes `e` writes into and shallow copies (sharing their contents) of the
   others. The old root stays intact until olock__fake_replace_root, so a failure leaves the
   stored item as it was (what it allocated is reclaimed by the next full copy). */
static olock_value *olock__fake_cow_root(olock__fake_ctx *c, olock_arena *ia, const olock_value *old, const olock__fake_expr *e) {
    olock_value *root = olock__fake_newval(ia, OLOCK_TYPE_M), *v;
    const olock_value *m;
    size_t i;
    if (!root) goto oom;
    for (m = old->first; m; m = m->next) {
        if (!(v = (olock_value *)olock_arena_alloc(ia, sizeof(*v)))) goto oom;
        *v = *m;
        olock__fake_append(root, v);
    }
    for (i = 0; i < e->nacts; i++) {
        if (!olock__fake_first_touch(e, i) || olock__fake_replaced_whole(e, i) || !(m = olock__fake_touched_member(old, e, i)))
            continue;
        if (!(v = olock__fake_copy(ia, m))) goto oom;
        olock__fake_map_set(root, v);
    }
    return root;
oom:
    c->oom = 1;
    return NULL;
}

static int olock__fake_op_update_item(olock__fake_ctx *c) {
    olock__fake_table *t;
    olock__fake_subst sub;
    olock__fake_expr *cond = NULL, *upd = NULL;
    olock_value *key, *item;
    olock_item *it = NULL;
    olock__fake_entry *en;
    const olock_value *hk, *rk, *old, *attrs = NULL;
    const char *us;
    size_t ulen, i, size;
    int rv, all_old, cap, has_cond, has_upd;
    if (olock__fake_write_prelude(c, &t, 1, &rv, &all_old, &cap, 0) < 0) return -1;
    if ((has_upd = olock__fake_get_str(c, c->body, "UpdateExpression", &us, &ulen)) < 0) return -1;
    has_cond = olock__fake_body_get(c, "ConditionExpression") != NULL;
    if (olock__fake_subst_init(c, &sub, has_cond || has_upd, has_cond || has_upd, "UpdateExpression and ConditionExpression are null", 1) < 0)
        return -1;
    if (!t) return olock__fake_no_table(c);
    if (olock__fake_mixed_write(c, 1) < 0) return -1;
    if (olock__fake_request_key(c, t, &key, &hk, &rk) < 0) return -1;
    if (olock__fake_subst_values(c, &sub) < 0) return -1;
    if (has_upd && !(upd = olock__fake_compile(c, &sub, "UpdateExpression", us, ulen, OLOCK__FAKE_E_UPDATE))) return -1;
    if (!has_upd && olock__fake_body_get(c, "AttributeUpdates") &&
        !(upd = olock__fake_attribute_updates(c, olock__fake_body_get(c, "AttributeUpdates"))))
        return -1;
    if (olock__fake_condition(c, &sub, &cond) < 0) return -1;
    if (olock__fake_subst_check_unused(c, &sub) < 0) return -1;
    old = olock__fake_old_item(t, hk, rk, &en, NULL);
    if (olock__fake_write_condition(c, t, cond, old, all_old) < 0) return -1;
    /* DynamoDB Local looks at what the update does to the keys only once its condition held:
       a failing condition wins over `REMOVE pk`, `SET pk = ..` and `SET n = pk.x` */
    if (upd) { /* the hash key first, whatever the order of the actions */
        size_t k;
        for (k = 0; k < t->key_count; k++) {
            for (i = 0; i < upd->nacts; i++) {
                const olock__fake_pel *el = &upd->acts[i].path->els[0];
                if (el->name_len == t->key[k].len && memcmp(el->name, t->key[k].name, el->name_len) == 0)
                    return olock__fake_verror(c, "One or more parameter values were invalid: Cannot update attribute %s. This attribute is part of the key",
                                              t->key[k].name);
            }
        }
    }
    if (olock__fake_key_paths(c, t, upd) < 0) return -1;
    if (old && upd && en->sorted) {
        /* the stored item is sorted: only what the actions touch needs sorting and sizing */
        olock_value *m;
        olock_arena *ia = olock_item_arena(en->item);
        size_t osize;
        int added;
        if (!(item = olock__fake_cow_root(c, ia, old, upd))) return -1;
        if (olock__fake_apply_update(c, ia, old, item, upd) < 0) return -1;
        for (i = 0; i < upd->nacts; i++)
            if (olock__fake_first_touch(upd, i) && (m = olock__fake_touched_member_mut(item, upd, i)) != NULL &&
                (m->type == OLOCK_TYPE_M || m->type == OLOCK_TYPE_L) && olock__fake_sort_members(c, m, 1) < 0)
                return -1;
        size = olock__fake_touched_size(old, item, upd, &osize, &added);
        size += en->size - osize;
        /* replaced and removed attributes keep the order of the sorted old item */
        if (added && olock__fake_sort_top(c, item) < 0) return -1;
    } else {
        /* the new item is built straight in the olock_item that will replace the old one: a
           copy of the old item (or of the key alone), then the actions */
        if (olock__fake_item_new(c->f, &it) != OLOCK_OK) return olock__fake_oom(c);
        if (!(item = olock__fake_copy(olock_item_arena(it), old ? old : key))) goto fail_oom;
        item->key = NULL;
        item->key_len = 0;
        it->root = item;
        if (upd && olock__fake_apply_update(c, olock_item_arena(it), old ? old : key, item, upd) < 0) goto fail;
        if (olock__fake_sort_members(c, item, 0) < 0) goto fail;
        size = olock__fake_item_size(item);
    }
    if (olock__fake_check_index_keys(c, t, item, 1) < 0) goto fail;
    if (size > OLOCK__FAKE_MAX_ITEM) {
        olock__fake_verror(c, "Item size to update has exceeded the maximum allowed size");
        goto fail;
    }
    switch (rv) {
    case OLOCK__FAKE_RV_ALL_OLD: attrs = old; break;
    case OLOCK__FAKE_RV_ALL_NEW: attrs = item; break;
    case OLOCK__FAKE_RV_UPDATED_OLD: attrs = upd ? olock__fake_updated(c, old, upd) : NULL; break;
    case OLOCK__FAKE_RV_UPDATED_NEW: attrs = upd ? olock__fake_updated(c, item, upd) : NULL; break;
    default: break;
    }
    if (c->oom) goto fail;
    if (attrs && attrs->count == 0) attrs = NULL;
    if (olock__fake_puts(c, "{") < 0) goto fail;
    if (attrs && (olock__fake_puts(c, "\"Attributes\":") < 0 || olock__fake_write_map(c, attrs) < 0)) goto fail;
    if (olock__fake_write_capacity(c, t, cap, olock__fake_write_halves(old ? en->size : 0, size), attrs == NULL) < 0 || olock__fake_puts(c, "}") < 0) goto fail;
    if (!it) {
        olock__fake_replace_root(t, en, item, size);
        olock__fake_compact(c->f, t, en);
        return 0;
    }
    if (olock__fake_commit_item(c, t, hk, it, size) < 0) return -1;
    /* sorted now, so the next update of it can be copy-on-write */
    if (olock__fake_old_item(t, hk, rk, &en, NULL)) en->sorted = 1;
    return 0;
fail_oom:
    c->oom = 1;
fail:
    olock__fake_item_drop(c->f, it);
    return -1;
}
/* =============================================================================================
   >>txn (implementation)
   ========================================================================================== */

/* ---- transactions and batches: shared shapes -------------------------------------------- */

/* Kinds of TransactItems action. */
#define OLOCK__FAKE_TX_CHECK 0
#define OLOCK__FAKE_TX_PUT 1
#define OLOCK__FAKE_TX_DELETE 2
#define OLOCK__FAKE_TX_UPDATE 3
#define OLOCK__FAKE_TX_GET 4

/* The action object of a TransactItems element ({"Put":{..}} gives the {..}), its kind in
   *kind; NULL when the element holds none (or is not an object). */
static const olock_json *olock__fake_txn_action(const olock_json *el, int *kind) {
    static const struct {
        const char *name;
        size_t len;
        int kind;
    } acts[] = {
        { "ConditionCheck", 14, OLOCK__FAKE_TX_CHECK }, { "Put", 3, OLOCK__FAKE_TX_PUT }, { "Delete", 6, OLOCK__FAKE_TX_DELETE }, { "Update", 6, OLOCK__FAKE_TX_UPDATE }, { "Get", 3, OLOCK__FAKE_TX_GET }
    };
    size_t i;
    *kind = -1;
    if (!el || el->kind != OLOCK_JSON_OBJECT) return NULL;
    for (i = 0; i < sizeof(acts) / sizeof(acts[0]); i++) {
        const olock_json *a = olock__fake_get_n(el, acts[i].name, acts[i].len);
        if (a && a->kind == OLOCK_JSON_OBJECT) {
            *kind = acts[i].kind;
            return a;
        }
    }
    return NULL;
}

/* ---- consumed capacity of multi-item operations ---------------------------------------------- */

/* Capacity units consumed per table, in the order tables were first used. */
typedef struct olock__fake_units {
    const olock__fake_table *t;
    uint64_t units;
} olock__fake_units;

static void olock__fake_units_add(olock__fake_units *u, size_t *n, const olock__fake_table *t, uint64_t units) {
    size_t i;
    for (i = 0; i < *n; i++)
        if (u[i].t == t) {
            u[i].units += units;
            return;
        }
    u[*n].t = t;
    u[*n].units = units;
    (*n)++;
}

/* TransactWriteItems: DynamoDB Local adds up the *distinct* amounts each table's actions
   consumed (two small puts to one table cost 2.0, not 4.0), so equal amounts count once. */
static void olock__fake_units_add_distinct(olock__fake_units *u, size_t *n, const olock__fake_table *t, uint64_t units) {
    size_t i;
    for (i = 0; i < *n; i++)
        if (u[i].t == t && u[i].units == units) return;
    u[*n].t = t;
    u[*n].units = units;
    (*n)++;
}

/* Per-table totals of olock__fake_units_add_distinct's list, in place. */
static void olock__fake_units_total(olock__fake_units *u, size_t *n) {
    size_t i, m = 0;
    for (i = 0; i < *n; i++) {
        olock__fake_units x = u[i];
        olock__fake_units_add(u, &m, x.t, x.units);
    }
    *n = m;
}

/* Units of reading (`kb` 4) or writing (`kb` 1) an item of `size` bytes in a transaction:
   twice the plain units, at least one plain unit. */
static uint64_t olock__fake_txn_units(size_t size, size_t kb) {
    uint64_t u = ((uint64_t)size + kb * 1024 - 1) / (kb * 1024);
    return 2 * (u ? u : 1);
}

/* "ConsumedCapacity":[{"TableName":..,"CapacityUnits":2.0[,"Table":{..}]},..], tables in the
   order of a HashMap of initial capacity `initial`; `indexes` adds the per-table detail. */
static int olock__fake_write_units(olock__fake_ctx *c, const olock__fake_units *u, size_t n, size_t initial, int indexes) {
    const char **names;
    size_t *lens, *order, i;
    if (olock__fake_puts(c, "\"ConsumedCapacity\":[") < 0) return -1;
    if (n) {
        names = (const char **)olock__fake_alloc(c, n * sizeof(*names));
        lens = (size_t *)olock__fake_alloc(c, n * sizeof(*lens));
        order = (size_t *)olock__fake_alloc(c, n * sizeof(*order));
        if (!names || !lens || !order) return -1;
        for (i = 0; i < n; i++) {
            names[i] = u[i].t->name;
            lens[i] = u[i].t->name_len;
        }
        if (olock__fake_hash_order(c, names, lens, n, initial, order) < 0) return -1;
        for (i = 0; i < n; i++) {
            const olock__fake_units *x = &u[order[i]];
            if (olock__fake_puts(c, i ? ",{\"TableName\":" : "{\"TableName\":") < 0 ||
                olock__fake_put_str(c, x->t->name, x->t->name_len) < 0 || olock__fake_puts(c, ",\"CapacityUnits\":") < 0 ||
                olock__fake_put_u64(c, x->units) < 0 || olock__fake_puts(c, ".0") < 0)
                return -1;
            if (indexes && (olock__fake_puts(c, ",\"Table\":{\"CapacityUnits\":") < 0 || olock__fake_put_u64(c, x->units) < 0 || olock__fake_puts(c, ".0}") < 0))
                return -1;
            if (olock__fake_puts(c, "}") < 0) return -1;
        }
    }
    return olock__fake_puts(c, "]");
}

/* ---- transactions: ClientRequestToken ------------------------------------------------------- */

#define OLOCK__FAKE_TOKEN_TTL_MS 600000u /* DynamoDB remembers a token for 10 minutes */

static uint64_t olock__fake_mix(uint64_t x) {
    x ^= x >> 30;
    x *= 0xBF58476D1CE4E5B9ull;
    x ^= x >> 27;
    x *= 0x94D049BB133111EBull;
    return x ^ (x >> 31);
}

/* A digest of a JSON value in which object members may come in any order (DynamoDB Local
   compares the parsed request, so {"a":1,"b":2} and {"b":2,"a":1} are the same request;
   strings and number texts compare exactly). Depth is bounded by the JSON parser's limit. */
static uint64_t olock__fake_json_digest(const olock_json *j) {
    const olock_json *m;
    uint64_t h = olock__fake_mix((uint64_t)j->kind + 0x9E3779B97F4A7C15ull), sum = 0;
    switch (j->kind) {
    case OLOCK_JSON_STRING:
    case OLOCK_JSON_NUMBER:
        return olock__fake_mix(h ^ olock__fake_hash(j->str, j->len));
    case OLOCK_JSON_ARRAY:
        for (m = j->first; m; m = m->next) h = olock__fake_mix(h * 31 + olock__fake_json_digest(m));
        return h;
    case OLOCK_JSON_OBJECT:
        for (m = j->first; m; m = m->next)
            sum += olock__fake_mix(olock__fake_hash(m->key, m->key_len) ^ olock__fake_mix(olock__fake_json_digest(m) + 1));
        return olock__fake_mix(h ^ sum);
    default:
        return h;
    }
}

static int olock__fake_token_live(const olock_fake *f, const olock__fake_token *t) {
    return f->now_ms - t->at_ms < OLOCK__FAKE_TOKEN_TTL_MS;
}

/* Slot of that token, or of the free slot where it would go; token_cap must be > 0. */
static size_t olock__fake_token_slot(const olock_fake *f, const char *s, size_t len, int *found) {
    size_t mask = f->token_cap - 1, i = (size_t)olock__fake_hash(s, len) & mask;
    *found = 0;
    for (;; i = (i + 1) & mask) {
        const olock__fake_token *t = &f->tokens[i];
        if (!t->token) return i;
        if (t->len == len && memcmp(t->token, s, len) == 0) {
            *found = 1;
            return i;
        }
    }
}

/* The live entry of a token, or NULL. */
static const olock__fake_token *olock__fake_token_find(const olock_fake *f, const char *s, size_t len) {
    int found;
    size_t i;
    if (!f->token_cap) return NULL;
    i = olock__fake_token_slot(f, s, len, &found);
    return found && olock__fake_token_live(f, &f->tokens[i]) ? &f->tokens[i] : NULL;
}

/* Makes room for one more token: rebuilds the table without the expired entries, larger when
   it would stay over a quarter full, so rebuilds are rare. -1 on OOM (nothing changed). */
static int olock__fake_token_reserve(olock_fake *f) {
    size_t live = 0, i, ncap = 16;
    olock__fake_token *nt;
    if (f->token_cap && (f->token_count + 1) * 2 <= f->token_cap) return 0;
    for (i = 0; i < f->token_cap; i++) live += f->tokens[i].token && olock__fake_token_live(f, &f->tokens[i]);
    while ((live + 1) * 4 > ncap) ncap *= 2;
    if (!(nt = (olock__fake_token *)olock__fake_malloc(&f->alloc, ncap * sizeof(*nt)))) return -1;
    memset(nt, 0, ncap * sizeof(*nt));
    for (i = 0; i < f->token_cap; i++) {
        olock__fake_token *t = &f->tokens[i];
        size_t j;
        if (!t->token) continue;
        if (!olock__fake_token_live(f, t)) {
            olock__fake_free(&f->alloc, t->token, t->len + 1);
            continue;
        }
        for (j = (size_t)olock__fake_hash(t->token, t->len) & (ncap - 1); nt[j].token; j = (j + 1) & (ncap - 1)) {}
        nt[j] = *t;
    }
    olock__fake_free(&f->alloc, f->tokens, f->token_cap * sizeof(*f->tokens));
    f->tokens = nt;
    f->token_cap = ncap;
    f->token_count = live;
    return 0;
}

/* Remembers a token after olock__fake_token_reserve; `copy` is an owned copy of it (taken
   over, or freed when an expired entry of the same token is refreshed). */
static void olock__fake_token_insert(olock_fake *f, char *copy, size_t len, uint64_t digest) {
    int found;
    size_t i = olock__fake_token_slot(f, copy, len, &found);
    olock__fake_token *t = &f->tokens[i];
    if (found) olock__fake_free(&f->alloc, copy, len + 1);
    else {
        t->token = copy;
        t->len = len;
        f->token_count++;
    }
    t->digest = digest;
    t->at_ms = f->now_ms;
}

/* ---- transactions: TransactWriteItems ------------------------------------------------------- */

/* One action of a TransactWriteItems and what running it did. */
typedef struct olock__fake_txa {
    int kind;              /* OLOCK__FAKE_TX_CHECK / PUT / DELETE / UPDATE */
    const olock_json *act; /* the action object */
    int has_cond, has_upd;
    olock__fake_subst sub;
    olock__fake_expr *cond, *upd;
    olock_value *item; /* Put: the Item */
    olock_value *key;  /* Key of the others */
    olock__fake_table *t;
    const olock_value *hk, *rk;
    int locked;              /* its condition held: no later action may touch the item */
    int writes;              /* a Put, Update or Delete whose result is `next` */
    const olock_value *next; /* the item after this action; NULL when deleted */
    olock_item *built;       /* the olock_item that will hold `next` in the store */
    size_t size;             /* size of `next` */
    olock__fake_part *part;  /* its reserved partition while committing */
} olock__fake_txa;

/* DynamoDB Local's member names for the action kinds (in "Value null at ..." messages). */
static const char *olock__fake_txn_member(int kind) {
    switch (kind) {
    case OLOCK__FAKE_TX_CHECK: return "conditionCheck";
    case OLOCK__FAKE_TX_PUT: return "put";
    case OLOCK__FAKE_TX_DELETE: return "delete";
    default: return "update";
    }
}

static int olock__fake_txn_null(olock__fake_ctx *c, size_t i, int kind, const char *member) {
    return olock__fake_verror(c, "Value null at 'transactItems.%u.member.%s.%s' failed to satisfy constraint: Member must not be null",
                              (unsigned)(i + 1), olock__fake_txn_member(kind), member);
}

/* "Transaction cancelled, please refer cancellation reasons for specific reasons [None, ...]" */
static int olock__fake_txn_cancel(olock__fake_ctx *c, olock__fake_reason *reasons, size_t n) {
    static const char *const codes[] = { "None", "ConditionalCheckFailed", "ValidationError" };
    olock_buf b;
    size_t i;
    olock_buf_init(&b, &c->f->alloc);
    for (i = 0; i < n; i++) {
        if ((i && olock_buf_append(&b, ", ", 2) != OLOCK_OK) || olock_buf_append_str(&b, codes[reasons[i].code]) != OLOCK_OK) {
            olock_buf_free(&b);
            return olock__fake_oom(c);
        }
    }
    olock__fake_err(c, 400, OLOCK__FAKE_NS "TransactionCanceledException",
                    "Transaction cancelled, please refer cancellation reasons for specific reasons [%.*s]", (int)b.len,
                    b.data ? b.data : "");
    olock_buf_free(&b);
    if (!c->oom) {
        c->reasons = reasons;
        c->nreasons = n;
    }
    return -1;
}

/* The first checks, on every action before anything runs: the action kind, the
   expressions with their names and values, the Item (its size) or the Key. `i` is the index. */
static int olock__fake_txn_prepare(olock__fake_ctx *c, const olock_json *el, olock__fake_txa *a) {
    static const struct {
        const char *name;
        size_t len;
        int kind;
    } kinds[] = {
        { "ConditionCheck", 14, OLOCK__FAKE_TX_CHECK }, { "Put", 3, OLOCK__FAKE_TX_PUT }, { "Delete", 6, OLOCK__FAKE_TX_DELETE }, { "Update", 6, OLOCK__FAKE_TX_UPDATE }
    };
    const olock_json *body = c->body, *j;
    const char *us = NULL;
    size_t ulen = 0, k;
    int n = 0, r;
    if (el->kind != OLOCK_JSON_OBJECT) return olock__fake_shape(c);
    for (k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++) {
        const olock_json *x = olock__fake_get_n(el, kinds[k].name, kinds[k].len);
        if (!x) continue;
        if (x->kind != OLOCK_JSON_OBJECT) return olock__fake_shape(c);
        if (!n++) {
            a->act = x;
            a->kind = kinds[k].kind;
        }
    }
    if (n == 0) return olock__fake_verror(c, "Invalid Request: TransactWriteRequest should contain Delete or Put or Update request");
    if (n > 1) return olock__fake_verror(c, "TransactItems can only contain one of Check, Put, Update or Delete");
    c->body = a->act; /* the shared request helpers read c->body */
    r = -1;
    if ((a->has_cond = olock__fake_get_str(c, a->act, "ConditionExpression", &us, &ulen)) < 0) goto done;
    if (a->kind == OLOCK__FAKE_TX_UPDATE && (a->has_upd = olock__fake_get_str(c, a->act, "UpdateExpression", &us, &ulen)) < 0)
        goto done;
    if (a->has_cond || a->has_upd) {
        if (olock__fake_subst_init(c, &a->sub, 1, 1, "", 1) < 0 || olock__fake_subst_values(c, &a->sub) < 0) goto done;
        if (a->has_upd && !(a->upd = olock__fake_compile(c, &a->sub, "UpdateExpression", us, ulen, OLOCK__FAKE_E_UPDATE)))
            goto done;
        if (olock__fake_condition(c, &a->sub, &a->cond) < 0 || olock__fake_subst_check_unused(c, &a->sub) < 0) goto done;
    }
    if (a->kind == OLOCK__FAKE_TX_PUT) {
        if ((j = olock__fake_get(a->act, "Item"))) {
            if (olock__fake_av_map(c, j, &a->item, 1) < 0) goto done;
            if (olock__fake_item_size(a->item) > OLOCK__FAKE_MAX_ITEM) {
                olock__fake_verror(c, "Item size has exceeded the maximum allowed size");
                goto done;
            }
        }
    } else if ((j = olock__fake_get(a->act, "Key")) && olock__fake_av_map(c, j, &a->key, 1) < 0) {
        goto done;
    }
    r = 0;
done:
    c->body = body;
    return r;
}

/* The item an action sees: what an earlier action of the transaction left (*locked set), else
   the stored one. */
static const olock_value *olock__fake_txn_current(olock__fake_txa *acts, size_t i, int *locked) {
    const olock__fake_txa *a = &acts[i];
    size_t j;
    for (j = 0; j < i; j++) {
        const olock__fake_txa *b = &acts[j];
        if (!b->locked || b->t != a->t || !olock__fake_equal(b->hk, a->hk)) continue;
        if (a->rk && !olock__fake_equal(b->rk, a->rk)) continue;
        *locked = 1;
        return b->next;
    }
    *locked = 0;
    return olock__fake_old_item(a->t, a->hk, a->rk, NULL, NULL);
}

/* The key of an action against its table: errors that stop the transaction return -1, those
   DynamoDB Local reports as the action's cancellation reason set *why. */
static int olock__fake_txn_key(olock__fake_ctx *c, olock__fake_txa *a, const char **why) {
    const olock__fake_table *t = a->t;
    const olock_value *key = a->kind == OLOCK__FAKE_TX_PUT ? a->item : a->key, *v[2] = { NULL, NULL };
    size_t k;
    *why = NULL;
    if (a->kind != OLOCK__FAKE_TX_PUT && key->count != t->key_count)
        return olock__fake_verror(c, "The number of conditions on the keys is invalid");
    for (k = 0; k < t->key_count; k++)
        if (!(v[k] = olock__fake_map_get(key, t->key[k].name, t->key[k].len)))
            return olock__fake_verror(c, "One of the required keys was not given a value");
    for (k = 0; k < t->key_count; k++) {
        if (v[k]->type != t->key[k].type) {
            if (!*why) *why = "One or more parameter values were invalid: Type mismatch for key";
        } else if (olock__fake_check_key_value(c, &t->key[k], v[k]) < 0) {
            return -1;
        }
    }
    for (k = 0; k < t->key_count && !*why; k++)
        if (olock__fake_value_size(v[k]) > (k == 0 ? 2048u : 1024u))
            *why = "Hash primary key values must be under 2048 bytes, and range primary key values must be under 1024 bytes";
    a->hk = v[0];
    a->rk = v[1];
    return 0;
}

/* Secondary index keys of a written item: a wrong type is the action's cancellation reason,
   an empty value stops the transaction. */
static int olock__fake_txn_index_keys(olock__fake_ctx *c, const olock__fake_table *t, const olock_value *item, int update,
                                      const char **why) {
    size_t i, k;
    for (i = 0; i < t->index_count; i++) {
        const olock__fake_index *x = &t->indexes[i];
        for (k = 0; k < x->key_count; k++) {
            const olock_value *v = olock__fake_map_get(item, x->key[k].name, x->key[k].len);
            /* not a reason: DynamoDB Local ends the whole request (as PutItem does) */
            if (v && v->type != OLOCK_TYPE_S && v->type != OLOCK_TYPE_N && v->type != OLOCK_TYPE_B)
                return olock__fake_verror(c, "Invalid attribute value type");
            if (v && v->type != x->key[k].type) {
                *why = "One or more parameter values were invalid: Type mismatch for Index Key";
                return 0;
            }
        }
    }
    return olock__fake_check_index_keys(c, t, item, update);
}

/* Runs action i on the transaction's view of the store: checks it against its table, evaluates
   its condition and works out its result, without storing anything. A failure DynamoDB Local
   reports per action goes to *why; -1 stops the transaction with the error set. */
static int olock__fake_txn_run(olock__fake_ctx *c, olock__fake_txa *acts, size_t i, int replay, olock__fake_reason *why,
                               olock__fake_units *units, size_t *nunits, int capacity) {
    olock__fake_txa *a = &acts[i];
    const olock_json *act = a->act;
    const char *name, *msg = NULL, *rvf;
    size_t nlen, rlen, k;
    const olock_value *old;
    int r, locked, all_old;
    uint64_t used = 0;
    /* the members DynamoDB requires, then the table */
    if ((r = olock__fake_get_str(c, act, "TableName", &name, &nlen)) < 0) return -1;
    if (!r) return olock__fake_txn_null(c, i, a->kind, "tableName");
    if (a->kind == OLOCK__FAKE_TX_PUT ? !olock__fake_get(act, "Item") : !olock__fake_get(act, "Key"))
        return olock__fake_txn_null(c, i, a->kind, a->kind == OLOCK__FAKE_TX_PUT ? "item" : "key");
    if (a->kind == OLOCK__FAKE_TX_CHECK && !a->has_cond) return olock__fake_txn_null(c, i, a->kind, "conditionExpression");
    if (!a->has_cond && !a->has_upd) {
        if (a->kind == OLOCK__FAKE_TX_UPDATE && olock__fake_get(act, "ExpressionAttributeValues"))
            return olock__fake_txn_null(c, i, a->kind, "updateExpression");
        if (olock__fake_get(act, "ExpressionAttributeNames"))
            return olock__fake_verror(c, "ExpressionAttributeNames can only be specified when using expressions");
        if (olock__fake_get(act, "ExpressionAttributeValues"))
            return olock__fake_verror(c, "ExpressionAttributeValues can only be specified when using expressions: ConditionExpression is null");
    }
    if (!olock__fake_valid_table_name(name, nlen)) return olock__fake_bad_table_name(c);
    if (!(a->t = olock__fake_table_find(c->f, name, nlen))) return olock__fake_no_table(c);
    if (olock__fake_txn_key(c, a, &msg) < 0) return -1;
    if (!msg && a->kind == OLOCK__FAKE_TX_PUT && olock__fake_txn_index_keys(c, a->t, a->item, 0, &msg) < 0) return -1;
    if (msg) {
        why->code = OLOCK__FAKE_REASON_VALIDATION;
        why->msg = msg;
        return 0;
    }
    /* a ConditionCheck's paths are not looked at; an update's paths only once its condition
       held (below) */
    if (a->kind != OLOCK__FAKE_TX_CHECK && olock__fake_key_paths(c, a->t, a->cond) < 0) return -1;
    old = olock__fake_txn_current(acts, i, &locked);
    if (!replay && a->cond && !olock__fake_eval(c, old, a->cond->root)) {
        if (c->oom) return -1;
        why->code = OLOCK__FAKE_REASON_CONDITION;
        why->msg = a->kind == OLOCK__FAKE_TX_CHECK ? "The conditional request failed." : "The conditional request failed";
        all_old = olock__fake_get_str(c, act, "ReturnValuesOnConditionCheckFailure", &rvf, &rlen) > 0 &&
            olock__fake_streq(rvf, rlen, "ALL_OLD");
        if (all_old && old && !(why->item = olock__fake_copy(c->a, old))) return olock__fake_oom(c);
        return 0;
    }
    if (c->oom) return -1;
    if (a->upd) { /* the hash key first, whatever the order of the actions */
        size_t q;
        for (q = 0; q < a->t->key_count; q++) {
            for (k = 0; k < a->upd->nacts; k++) {
                const olock__fake_pel *el = &a->upd->acts[k].path->els[0];
                char *text;
                olock__fake_reason *one;
                if (el->name_len != a->t->key[q].len || memcmp(el->name, a->t->key[q].name, el->name_len) != 0) continue;
                /* DynamoDB Local cancels at once, with this action's reason alone */
                if (!(text = (char *)olock__fake_alloc(c, a->t->key[q].len + 128)) ||
                    !(one = (olock__fake_reason *)olock__fake_alloc(c, sizeof(*one))))
                    return -1;
                snprintf(text, a->t->key[q].len + 128,
                         "One or more parameter values were invalid: Cannot update attribute %s. This attribute is part of the key",
                         a->t->key[q].name);
                one->code = OLOCK__FAKE_REASON_VALIDATION;
                one->msg = text;
                one->item = NULL;
                return olock__fake_txn_cancel(c, one, 1);
            }
        }
        if (olock__fake_key_paths(c, a->t, a->upd) < 0) return -1;
    }
    if (replay) { /* the transaction was applied before: only what it consumed */
        size_t osz = old ? olock__fake_item_size(old) : 0;
        if (!capacity) return 0;
        switch (a->kind) {
        case OLOCK__FAKE_TX_CHECK: used = olock__fake_txn_units(osz, 4); break;
        case OLOCK__FAKE_TX_DELETE: used = old ? olock__fake_txn_units(osz, 1) : 1; break;
        case OLOCK__FAKE_TX_PUT: {
            size_t nsz = olock__fake_item_size(a->item);
            used = olock__fake_txn_units(nsz > osz ? nsz : osz, 1);
            break;
        }
        default: used = olock__fake_txn_units(osz, 1); break;
        }
        olock__fake_units_add_distinct(units, nunits, a->t, used);
        return 0;
    }
    if (locked) return olock__fake_verror(c, "Transaction request cannot include multiple operations on one item");
    a->locked = 1;
    switch (a->kind) {
    case OLOCK__FAKE_TX_CHECK:
        a->next = old;
        used = olock__fake_txn_units(old ? olock__fake_item_size(old) : 0, 4);
        break;
    case OLOCK__FAKE_TX_DELETE:
        a->writes = 1;
        a->next = NULL;
        used = old ? olock__fake_txn_units(olock__fake_item_size(old), 1) : 1;
        break;
    case OLOCK__FAKE_TX_PUT: {
        size_t osz = old ? olock__fake_item_size(old) : 0;
        a->writes = 1;
        a->next = a->item;
        a->size = olock__fake_item_size(a->item);
        used = olock__fake_txn_units(a->size > osz ? a->size : osz, 1);
        break;
    }
    default: { /* Update: the new item is built in the olock_item that will be stored */
        olock_value *item;
        size_t osz = old ? olock__fake_item_size(old) : 0;
        if (olock__fake_item_new(c->f, &a->built) != OLOCK_OK) return olock__fake_oom(c);
        if (!(item = olock__fake_copy(olock_item_arena(a->built), old ? old : a->key))) return olock__fake_oom(c);
        item->key = NULL;
        item->key_len = 0;
        a->built->root = item;
        if (a->upd && olock__fake_apply_update(c, olock_item_arena(a->built), old ? old : a->key, item, a->upd) < 0)
            return -1;
        if (olock__fake_sort_members(c, item, 0) < 0) return -1;
        if (olock__fake_txn_index_keys(c, a->t, item, 1, &msg) < 0) return -1;
        a->size = olock__fake_item_size(item);
        if (!msg && a->size > OLOCK__FAKE_MAX_ITEM) msg = "Item size to update has exceeded the maximum allowed size";
        a->writes = 1;
        a->next = item;
        used = olock__fake_txn_units(a->size > osz ? a->size : osz, 1);
        break;
    }
    }
    if (msg) {
        why->code = OLOCK__FAKE_REASON_VALIDATION;
        why->msg = msg;
        return 0;
    }
    if (capacity) olock__fake_units_add_distinct(units, nunits, a->t, used);
    return 0;
}

/* Stores the results of a transaction that succeeded, all or nothing: first everything that
   can fail (copies, partition room), then the swaps. */
static int olock__fake_txn_commit(olock__fake_ctx *c, olock__fake_txa *acts, size_t n) {
    olock_fake *f = c->f;
    size_t i, j;
    for (i = 0; i < n; i++) {
        olock__fake_txa *a = &acts[i];
        size_t more = 1;
        if (!a->writes || !a->next) continue;
        if (!a->built) { /* a Put: its own copy */
            olock_value *root;
            if (olock__fake_item_new(f, &a->built) != OLOCK_OK) goto fail;
            if (!(root = olock__fake_copy(olock_item_arena(a->built), a->next))) goto fail;
            root->key = NULL;
            root->key_len = 0;
            a->built->root = root;
        }
        for (j = 0; j < i; j++)
            if (acts[j].part && acts[j].t == a->t && olock__fake_equal(acts[j].hk, a->hk)) more++;
        if (!(a->part = olock__fake_part_reserve(f, a->t, a->hk, more))) goto fail;
    }
    for (i = 0; i < n; i++) {
        olock__fake_txa *a = &acts[i];
        if (!a->writes || !a->next) continue;
        olock__fake_store(f, a->t, a->part, a->built, a->size);
        a->built = NULL;
    }
    for (i = 0; i < n; i++) {
        olock__fake_txa *a = &acts[i];
        olock__fake_entry *en;
        olock__fake_part *p;
        if (!a->writes || a->next) continue;
        if (olock__fake_old_item(a->t, a->hk, a->rk, &en, &p)) olock__fake_erase(f, a->t, p, en);
    }
    return 0;
fail:
    for (i = 0; i < n; i++) {
        olock__fake_txa *a = &acts[i];
        if (!a->part) continue;
        for (j = 0; j < i && acts[j].part != a->part; j++) {}
        if (j == i) olock__fake_part_drop_if_empty(f, a->t, a->part);
    }
    for (i = 0; i < n; i++) acts[i].part = NULL;
    return olock__fake_oom(c);
}

/* ReturnConsumedCapacity of the multi-item operations: 0 NONE, 1 TOTAL, 2 INDEXES, 3 any
   other text. */
static int olock__fake_capacity_mode(olock__fake_ctx *c, int *mode) {
    const char *s;
    size_t len;
    int r = olock__fake_get_str(c, c->body, "ReturnConsumedCapacity", &s, &len);
    *mode = 0;
    if (r <= 0) return r;
    if (olock__fake_streq(s, len, "NONE")) *mode = 0;
    else if (olock__fake_streq(s, len, "TOTAL")) *mode = 1;
    else if (olock__fake_streq(s, len, "INDEXES")) *mode = 2;
    else *mode = 3;
    return 0;
}

static int olock__fake_op_transact_write(olock__fake_ctx *c) {
    olock_fake *f = c->f;
    const olock_json *items = olock__fake_body_get(c, "TransactItems"), *el;
    const char *tok = NULL;
    size_t tlen = 0, n, i, nunits = 0;
    olock__fake_txa *acts;
    olock__fake_reason *reasons;
    olock__fake_units *units;
    const olock__fake_token *seen = NULL;
    uint64_t digest = 0;
    int has_tok, mode, cancelled = 0, rc = -1;
    char *copy = NULL;
    if (items && items->kind != OLOCK_JSON_ARRAY) return olock__fake_shape(c);
    if (!items) return olock__fake_verror(c, "Value null at 'transactItems' failed to satisfy constraint: Member must not be null");
    if (items->count == 0)
        return olock__fake_verror(c, "Value [] at 'transactItems' failed to satisfy constraint: Member must have length greater than or equal to 1");
    if (items->count > 100) return olock__fake_verror(c, "Member must have length less than or equal to 100");
    if ((has_tok = olock__fake_get_str(c, c->body, "ClientRequestToken", &tok, &tlen)) < 0) return -1;
    if (has_tok && tlen > 36)
        return olock__fake_verror(c, "Value %.*s at 'clientRequestToken' failed to satisfy constraint: Member must have length less than or equal to 36",
                                  (int)tlen, tok);
    if (olock__fake_capacity_mode(c, &mode) < 0) return -1;
    n = items->count;
    acts = (olock__fake_txa *)olock__fake_alloc(c, n * sizeof(*acts));
    reasons = (olock__fake_reason *)olock__fake_alloc(c, n * sizeof(*reasons));
    units = (olock__fake_units *)olock__fake_alloc(c, n * sizeof(*units));
    if (!acts || !reasons || !units) return -1;
    memset(acts, 0, n * sizeof(*acts));
    memset(reasons, 0, n * sizeof(*reasons));
    for (el = items->first, i = 0; el; el = el->next, i++)
        if (olock__fake_txn_prepare(c, el, &acts[i]) < 0) return -1;
    if (has_tok) {
        digest = olock__fake_json_digest(items);
        seen = olock__fake_token_find(f, tok, tlen);
        if (seen && seen->digest != digest)
            return olock__fake_err(c, 400, OLOCK__FAKE_NS "IdempotentParameterMismatchException", "%s", "");
    }
    for (i = 0; i < n; i++) {
        if (olock__fake_txn_run(c, acts, i, seen != NULL, &reasons[i], units, &nunits, mode != 0) < 0) goto done;
        if (reasons[i].code) cancelled = 1;
    }
    if (cancelled) {
        olock__fake_txn_cancel(c, reasons, n);
        goto done;
    }
    olock__fake_units_total(units, &nunits);
    if (olock__fake_puts(c, "{") < 0) goto done;
    if (mode && olock__fake_write_units(c, units, mode == 3 ? 0 : nunits, n, mode == 2) < 0) goto done;
    if (olock__fake_puts(c, "}") < 0) goto done;
    if (!seen) {
        if (has_tok) { /* everything that can fail before the store changes */
            if (olock__fake_token_reserve(f) < 0 || !(copy = (char *)olock__fake_malloc(&f->alloc, tlen + 1))) {
                olock__fake_oom(c);
                goto done;
            }
            memcpy(copy, tok, tlen);
            copy[tlen] = 0;
        }
        if (olock__fake_txn_commit(c, acts, n) < 0) goto done;
        if (copy) olock__fake_token_insert(f, copy, tlen, digest);
        copy = NULL;
    }
    rc = 0;
done:
    if (copy) olock__fake_free(&f->alloc, copy, tlen + 1);
    for (i = 0; i < n; i++) olock__fake_item_drop(f, acts[i].built);
    return rc;
}

/* ---- transactions: TransactGetItems --------------------------------------------------------- */

static int olock__fake_tg_cancel(olock__fake_ctx *c, const char *msg) {
    return olock__fake_err(c, 400, OLOCK__FAKE_NS "TransactionCanceledException", "%s", msg);
}

static int olock__fake_op_transact_get(olock__fake_ctx *c) {
    const olock_json *items = olock__fake_body_get(c, "TransactItems"), *el, *body = c->body;
    size_t n, i, j, k, nunits = 0;
    const olock__fake_table **tabs;
    const olock_value **keys, **found;
    olock__fake_expr **projs;
    olock__fake_units *units;
    int mode;
    if (items && items->kind != OLOCK_JSON_ARRAY) return olock__fake_shape(c);
    for (el = items ? items->first : NULL; el; el = el->next)
        if (el->kind != OLOCK_JSON_OBJECT) return olock__fake_shape(c);
    if (items && items->count > 100) return olock__fake_verror(c, "Member must have length less than or equal to 100");
    for (el = items ? items->first : NULL; el && olock__fake_get(el, "Get"); el = el->next) {}
    if (!items || !items->count || el)
        return olock__fake_verror(c, "Value null at 'transactItems' failed to satisfy constraint: Member must not be null");
    if (olock__fake_capacity_mode(c, &mode) < 0) return -1;
    n = items->count;
    tabs = (const olock__fake_table **)olock__fake_alloc(c, n * sizeof(*tabs));
    keys = (const olock_value **)olock__fake_alloc(c, 2 * n * sizeof(*keys));
    found = (const olock_value **)olock__fake_alloc(c, n * sizeof(*found));
    projs = (olock__fake_expr **)olock__fake_alloc(c, n * sizeof(*projs));
    units = (olock__fake_units *)olock__fake_alloc(c, n * sizeof(*units));
    if (!tabs || !keys || !found || !projs || !units) return -1;
    for (el = items->first, i = 0; el; el = el->next, i++) {
        const olock_json *g = olock__fake_get(el, "Get"), *kj;
        const char *name, *ps;
        size_t nlen, plen;
        olock__fake_subst sub;
        olock_value *key = NULL;
        const olock__fake_table *t;
        int r, has_proj;
        if (g->kind != OLOCK_JSON_OBJECT) return olock__fake_shape(c);
        if ((r = olock__fake_get_str(c, g, "TableName", &name, &nlen)) < 0) return -1;
        if (!r) return olock__fake_verror(c, "Requested resource not found");
        if (!olock__fake_valid_table_name(name, nlen) || !(t = olock__fake_table_find(c->f, name, nlen)))
            return olock__fake_no_table(c);
        if (!(kj = olock__fake_get(g, "Key"))) return olock__fake_verror(c, "Get Condition for key not in key list");
        projs[i] = NULL;
        c->body = g;
        r = -1;
        if ((has_proj = olock__fake_get_str(c, g, "ProjectionExpression", &ps, &plen)) < 0) goto restore;
        if (olock__fake_subst_init(c, &sub, has_proj, 0, "", 0) < 0) goto restore;
        if (has_proj && !(projs[i] = olock__fake_compile(c, &sub, "ProjectionExpression", ps, plen, OLOCK__FAKE_E_PROJECTION)))
            goto restore;
        if (olock__fake_subst_check_unused(c, &sub) < 0) goto restore;
        r = olock__fake_av_map(c, kj, &key, 1);
    restore:
        c->body = body;
        if (r < 0 || olock__fake_key_paths(c, t, projs[i]) < 0) return -1;
        if (key->count != t->key_count) return olock__fake_tg_cancel(c, "The number of conditions on the keys is invalid");
        for (k = 0; k < 2; k++) keys[2 * i + k] = NULL;
        for (k = 0; k < t->key_count; k++)
            if (!(keys[2 * i + k] = olock__fake_map_get(key, t->key[k].name, t->key[k].len)))
                return olock__fake_tg_cancel(c, "One of the required keys was not given a value");
        for (k = 0; k < t->key_count; k++)
            if (keys[2 * i + k]->type != t->key[k].type)
                return olock__fake_tg_cancel(c, "One or more parameter values were invalid: Type mismatch for key");
        for (k = 0; k < t->key_count; k++)
            if (olock__fake_check_key_value(c, &t->key[k], keys[2 * i + k]) < 0) return -1;
        for (k = 0; k < t->key_count; k++)
            if (olock__fake_value_size(keys[2 * i + k]) > (k == 0 ? 2048u : 1024u))
                return olock__fake_verror(c, "Hash primary key values must be under 2048 bytes, and range primary key values must be under 1024 bytes");
        tabs[i] = t;
        for (j = 0; j < i; j++)
            if (tabs[j] == t && olock__fake_equal(keys[2 * j], keys[2 * i]) &&
                (!keys[2 * i + 1] || olock__fake_equal(keys[2 * j + 1], keys[2 * i + 1])))
                return olock__fake_verror(c, "Transaction request cannot include multiple operations on one item");
    }
    for (i = 0; i < n; i++) {
        found[i] = olock__fake_old_item(tabs[i], keys[2 * i], keys[2 * i + 1], NULL, NULL);
        if (mode) olock__fake_units_add(units, &nunits, tabs[i], olock__fake_txn_units(found[i] ? olock__fake_item_size(found[i]) : 0, 4));
    }
    if (olock__fake_puts(c, "{") < 0) return -1;
    if (mode && (olock__fake_write_units(c, units, nunits, 16, mode != 1) < 0 || olock__fake_puts(c, ",") < 0)) return -1;
    if (olock__fake_puts(c, "\"Responses\":[") < 0) return -1;
    for (i = 0; i < n; i++) {
        if (i && olock__fake_puts(c, ",") < 0) return -1;
        if (!found[i]) {
            if (olock__fake_puts(c, "{}") < 0) return -1;
            continue;
        }
        {
            const olock_value *out = projs[i] ? olock__fake_project(c, found[i], projs[i]) : found[i];
            if (!out || olock__fake_puts(c, "{\"Item\":") < 0 || olock__fake_write_map(c, out) < 0 || olock__fake_puts(c, "}") < 0)
                return -1;
        }
    }
    return olock__fake_puts(c, "]}");
}
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
/* =============================================================================================
   >>api (implementation)
   ========================================================================================== */

/* ---- dispatch: X-Amz-Target to operation ---------------------------------------------------- */

typedef int (*olock__fake_op_fn)(olock__fake_ctx *c);

static olock__fake_op_fn olock__fake_find_op(const char *name, size_t len) {
    static const struct {
        const char *name;
        olock__fake_op_fn fn;
    } ops[] = {
        { "GetItem", olock__fake_op_get_item },
        { "PutItem", olock__fake_op_put_item },
        { "UpdateItem", olock__fake_op_update_item },
        { "DeleteItem", olock__fake_op_delete_item },
        { "CreateTable", olock__fake_op_create_table },
        { "DescribeTable", olock__fake_op_describe_table },
        { "DeleteTable", olock__fake_op_delete_table },
        { "ListTables", olock__fake_op_list_tables },
        { "UpdateTable", olock__fake_op_update_table },
        { "TransactWriteItems", olock__fake_op_transact_write },
        { "TransactGetItems", olock__fake_op_transact_get },
        { "Query", olock__fake_op_query },
        { "Scan", olock__fake_op_scan },
        { "BatchWriteItem", olock__fake_op_batch_write },
        { "BatchGetItem", olock__fake_op_batch_get }
    };
    size_t i;
    for (i = 0; i < sizeof(ops) / sizeof(ops[0]); i++)
        if (olock__fake_streq(name, len, ops[i].name)) return ops[i].fn;
    return NULL;
}

/* Whether a header's name is `lower` (written in lower case), in any case. */
static int olock__fake_header_is(const char *name, const char *lower) {
    size_t i;
    for (i = 0; lower[i]; i++) {
        char a = name[i];
        if (a >= 'A' && a <= 'Z') a = (char)(a - 'A' + 'a');
        if (a != lower[i]) return 0; /* at name's NUL at the latest */
    }
    return name[i] == 0;
}

/* Reads X-Amz-Target and the JSON body: the operation to run (its olock_op in *op, 0 when
   olock has no name for it), or NULL with the error left in c. */
static olock__fake_op_fn olock__fake_prepare(olock__fake_ctx *c, const olock_http_request *req, olock_op *op) {
    static const char prefix[] = "DynamoDB_20120810.";
    const char *target = NULL;
    size_t i, tlen;
    olock__fake_op_fn fn;
    olock_json *body = NULL;
    *op = (olock_op)0;
    for (i = 0; i < req->header_count; i++)
        if (req->headers[i].name && olock__fake_header_is(req->headers[i].name, "x-amz-target")) target = req->headers[i].value;
    if (!target) {
        olock__fake_shape(c);
        return NULL;
    }
    tlen = strlen(target);
    if (tlen < sizeof(prefix) - 1 || memcmp(target, prefix, sizeof(prefix) - 1) != 0) {
        olock__fake_err(c, 400, OLOCK__FAKE_NS "InvalidAction", "%s",
                        "The action or operation requested is invalid. Verify that the action is typed correctly.");
        return NULL;
    }
    { /* DynamoDB Local splits the target at '.': the operation is the second part, whatever
           follows it ("DynamoDB_20120810.ListTables." and ".ListTables.x" are ListTables) */
        const char *opn = target + sizeof(prefix) - 1, *dot = (const char *)memchr(opn, '.', tlen - (sizeof(prefix) - 1));
        size_t olen = dot ? (size_t)(dot - opn) : tlen - (sizeof(prefix) - 1);
        while (olen && (opn[olen - 1] == ' ' || opn[olen - 1] == '\t')) olen--; /* HTTP's trailing white space */
        fn = olock__fake_find_op(opn, olen);
        if (fn) tlen = (size_t)(opn + olen - target);
    }
    if (!fn) {
        olock__fake_err(c, 400, OLOCK__FAKE_NS "UnknownOperationException", "%s", "An unknown operation was requested.");
        return NULL;
    }
    *op = olock_op_from_name(target, tlen);
    {
        /* nested up to 256 deep: deeper than DynamoDB's 32 levels, so our own check reports it */
        olock_json_limits lim;
        olock_result r;
        lim.max_bytes = 0;
        lim.max_depth = 256;
        r = olock_json_parse(c->a, req->body ? req->body : "", req->body ? req->body_len : 0, &lim, &body, NULL);
        if (r == OLOCK_ERR_NOMEM) {
            c->oom = 1;
            return NULL;
        }
        if (r != OLOCK_OK || body->kind != OLOCK_JSON_OBJECT) {
            olock__fake_shape(c);
            return NULL;
        }
    }
    c->body = body;
    olock__fake_top_build(&c->top, body);
    return fn;
}

/* ---- fault injection ------------------------------------------------------------------------- */

static int olock__fake_json_str_is(const olock_json *j, const char *s, size_t len) {
    return j && j->kind == OLOCK_JSON_STRING && j->len == len && memcmp(j->str, s, len) == 0;
}

/* 1 when the request names table `name`: its TableName, a table of one of its
   TransactItems, or a key of its RequestItems. */
static int olock__fake_names_table(const olock_json *body, const char *name, size_t len) {
    const olock_json *items, *m;
    if (!body) return 0;
    if (olock__fake_json_str_is(olock__fake_get(body, "TableName"), name, len)) return 1;
    items = olock__fake_get(body, "TransactItems");
    if (items && items->kind == OLOCK_JSON_ARRAY) {
        for (m = items->first; m; m = m->next) {
            int kind;
            const olock_json *act = olock__fake_txn_action(m, &kind);
            if (act && olock__fake_json_str_is(olock__fake_get(act, "TableName"), name, len)) return 1;
        }
    }
    items = olock__fake_get(body, "RequestItems");
    if (items && items->kind == OLOCK_JSON_OBJECT)
        for (m = items->first; m; m = m->next)
            if (m->key_len == len && memcmp(m->key, name, len) == 0) return 1;
    return 0;
}

/* A conditional write: what a CONFLICT fault waits for. */
static int olock__fake_is_conditional(const olock_json *body, olock_op op) {
    if (!body) return 0;
    if (op == OLOCK_OP_TRANSACT_WRITE_ITEMS) return 1;
    if (op != OLOCK_OP_PUT_ITEM && op != OLOCK_OP_UPDATE_ITEM && op != OLOCK_OP_DELETE_ITEM) return 0;
    return olock__fake_get(body, "ConditionExpression") != NULL || olock__fake_get(body, "Expected") != NULL;
}

/* A batch: what an UNPROCESSED fault waits for. */
static int olock__fake_is_batch(olock_op op) {
    return op == OLOCK_OP_BATCH_GET_ITEM || op == OLOCK_OP_BATCH_WRITE_ITEM;
}

static uint64_t olock__fake_splitmix(uint64_t *state) {
    uint64_t z = (*state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

static void olock__fake_drop_rule(olock_fake *f, size_t i) {
    olock__fake_rule *r = &f->rules[i];
    if (r->table) olock__fake_free(&f->alloc, r->table, r->table_len + 1);
    memmove(r, r + 1, (f->rule_count - i - 1) * sizeof(*r));
    f->rule_count--;
}

/* The fault this request gets (and counts it): the first scripted rule it matches, else a
   random draw. Random mode draws once per request whatever happens, so its sequence does
   not depend on the scripted rules. */
static olock_fake_fault olock__fake_pick_fault(olock_fake *f, const olock_json *body, olock_op op, int conditional) {
    olock_fake_fault fault = OLOCK_FAKE_FAULT_NONE;
    int decided = 0;
    size_t i;
    for (i = 0; i < f->rule_count; i++) {
        olock__fake_rule *r = &f->rules[i];
        if (r->op && r->op != op) continue;
        if (r->table && !olock__fake_names_table(body, r->table, r->table_len)) continue;
        if (r->fault == OLOCK_FAKE_FAULT_CONFLICT && !conditional) break; /* stays armed */
        if (r->fault == OLOCK_FAKE_FAULT_UNPROCESSED && !olock__fake_is_batch(op)) break;
        fault = r->fault;
        decided = 1;
        f->fault_counts[fault]++;
        if (--r->count == 0) olock__fake_drop_rule(f, i);
        break;
    }
    if (f->random_on) {
        uint64_t x = olock__fake_splitmix(&f->rng);
        unsigned roll = (unsigned)(((x >> 32) * 100u) >> 32), acc = 0;
        int k;
        for (k = 1; k < (int)OLOCK_FAKE_FAULT_COUNT_ && !decided; k++) {
            acc += f->percent[k];
            if (roll >= acc) continue;
            if ((k != (int)OLOCK_FAKE_FAULT_CONFLICT || conditional) &&
                (k != (int)OLOCK_FAKE_FAULT_UNPROCESSED || olock__fake_is_batch(op))) {
                fault = (olock_fake_fault)k;
                f->fault_counts[k]++;
            }
            break;
        }
    }
    return fault;
}

/* A competing writer adds 1 to the version attribute of the item a conditional write is
   about to touch. Anything unexpected (no such table or item, a bad key, no numeric
   version, no memory) leaves the store as it was. */
static void olock__fake_compete(olock_fake *f, olock_arena *a, olock_buf *out, const olock_json *body, olock_op op) {
    olock__fake_ctx cc;
    const olock_json *act = body, *keyj;
    olock__fake_table *t;
    olock_value *key, *root, *m;
    const olock_value *hk, *rk, *old, *v;
    const char *name;
    size_t nlen;
    int is_put = op == OLOCK_OP_PUT_ITEM;
    olock_decimal d, one, sum;
    olock_item *it = NULL;
    memset(&cc, 0, sizeof(cc));
    cc.f = f;
    cc.a = a;
    cc.out = out;
    cc.body = body;
    if (op == OLOCK_OP_TRANSACT_WRITE_ITEMS) {
        const olock_json *items = olock__fake_get(body, "TransactItems"), *el;
        act = NULL;
        if (!items || items->kind != OLOCK_JSON_ARRAY) return;
        for (el = items->first; el; el = el->next) {
            int kind;
            const olock_json *x = olock__fake_txn_action(el, &kind);
            if (!x) continue;
            if (!act || olock__fake_get(x, "ConditionExpression")) {
                act = x;
                is_put = kind == OLOCK__FAKE_TX_PUT;
            }
            if (olock__fake_get(x, "ConditionExpression")) break;
        }
        if (!act) return;
    }
    if (olock__fake_get_str(&cc, act, "TableName", &name, &nlen) <= 0) return;
    if (!(t = olock__fake_table_find(f, name, nlen))) return;
    if (!(keyj = is_put ? olock__fake_get(act, "Item") : olock__fake_get(act, "Key"))) return;
    if (olock__fake_av_map(&cc, keyj, &key, 1) < 0 || olock__fake_item_key(&cc, t, key, &hk, &rk) < 0) return;
    if (!(old = olock__fake_old_item(t, hk, rk, NULL, NULL))) return;
    v = olock__fake_map_get(old, f->version_attr, f->version_len);
    if (!v || v->type != OLOCK_TYPE_N) return;
    olock__fake_num_of(v, &d);
    if (olock__fake_num_parse("1", 1, &one) != OLOCK__FAKE_NUM_OK || olock__fake_num_addsub(&d, &one, 0, &sum) != OLOCK__FAKE_NUM_OK)
        return;
    if (!(v = olock__fake_new_num(&cc, &sum))) return;
    if (olock__fake_item_new(f, &it) != OLOCK_OK) return;
    if (!(root = olock__fake_copy(olock_item_arena(it), old))) {
        olock__fake_item_drop(f, it);
        return;
    }
    root->key = NULL;
    root->key_len = 0;
    it->root = root;
    for (m = root->first; m; m = m->next) {
        if (m->key_len != f->version_len || memcmp(m->key, f->version_attr, m->key_len) != 0) continue;
        if (!(m->str = olock_arena_strdup(olock_item_arena(it), v->str, v->len))) {
            olock__fake_item_drop(f, it);
            return;
        }
        m->len = v->len;
    }
    {
        size_t size = olock__fake_item_size(root);
        if (size > OLOCK__FAKE_MAX_ITEM) {
            olock__fake_item_drop(f, it);
            return;
        }
        olock__fake_commit_item(&cc, t, hk, it, size);
    }
}

/* The answer of an injected error fault. */
static void olock__fake_fault_error(olock__fake_ctx *c, olock_fake_fault fault) {
    c->err_type = NULL;
    c->err_item = NULL;
    c->reasons = NULL;
    c->oom = 0;
    switch (fault) {
    case OLOCK_FAKE_FAULT_THROTTLE:
        olock__fake_err(c, 400, OLOCK__FAKE_NS "ProvisionedThroughputExceededException", "%s",
                        "The level of configured provisioned throughput for the table was exceeded. Consider increasing your provisioning level with the UpdateTable API.");
        break;
    case OLOCK_FAKE_FAULT_THROTTLING:
        olock__fake_err(c, 400, OLOCK__FAKE_NS "ThrottlingException", "%s", "Rate of requests exceeds the allowed throughput.");
        break;
    case OLOCK_FAKE_FAULT_500:
        olock__fake_err(c, 500, OLOCK__FAKE_NS "InternalServerError", "%s", "Internal server error");
        break;
    default:
        olock__fake_err(c, 503, OLOCK__FAKE_NS "ServiceUnavailable", "%s", "The service is currently unavailable or busy.");
        break;
    }
}

/* Replaces whatever the operation wrote with the error body DynamoDB Local sends. */
static int olock__fake_write_error(olock__fake_ctx *c) {
    olock_buf_clear(c->out);
    c->oom = 0;
    if (olock__fake_puts(c, "{\"__type\":") < 0 || olock__fake_put_str(c, c->err_type, strlen(c->err_type)) < 0)
        return -1;
    if (c->reasons) {
        static const char *const codes[] = { "None", "ConditionalCheckFailed", "ValidationError" };
        size_t i;
        if (olock__fake_puts(c, ",\"CancellationReasons\":[") < 0) return -1;
        for (i = 0; i < c->nreasons; i++) {
            const olock__fake_reason *r = &c->reasons[i];
            if (olock__fake_puts(c, i ? ",{" : "{") < 0) return -1;
            if (r->item && (olock__fake_puts(c, "\"Item\":") < 0 || olock__fake_write_map(c, r->item) < 0 || olock__fake_puts(c, ",") < 0))
                return -1;
            if (olock__fake_puts(c, "\"Code\":\"") < 0 || olock__fake_puts(c, codes[r->code]) < 0 || olock__fake_puts(c, "\"") < 0)
                return -1;
            if (r->msg && (olock__fake_puts(c, ",\"Message\":") < 0 || olock__fake_put_str(c, r->msg, strlen(r->msg)) < 0))
                return -1;
            if (olock__fake_puts(c, "}") < 0) return -1;
        }
        if (olock__fake_puts(c, "]") < 0) return -1;
    }
    if (olock__fake_puts(c, ",\"Message\":") < 0 || olock__fake_put_str(c, c->err_msg, c->err_len) < 0) return -1;
    if (c->err_item && (olock__fake_puts(c, ",\"Item\":") < 0 || olock__fake_write_map_cap(c, c->err_item, 16) < 0)) return -1;
    return olock__fake_puts(c, "}");
}

static olock_result olock__fake_send(void *user, const olock_http_request *req, olock_http_response *res) {
    static const char oom_body[] = "{\"__type\":\"" OLOCK__FAKE_NS "InternalServerError\",\"Message\":\"Internal server error\"}";
    olock_fake *f = (olock_fake *)user;
    olock__fake_ctx c;
    olock__fake_op_fn fn;
    olock_fake_fault fault;
    olock_op op;
    const char *body;
    size_t len;
    char crc[24];
    int n;
    olock_result r;
    if (!f || !req || !res) return OLOCK_ERR_INVALID_ARG;
    olock__fake_mutex_lock(&f->mu);
    f->ticks++;
    olock_arena_reset(&f->arena);
    olock_buf_clear(&f->out);
    memset(&c, 0, sizeof(c));
    c.f = f;
    c.a = &f->arena;
    c.out = &f->out;
    fn = olock__fake_prepare(&c, req, &op);
    fault = (f->rule_count || f->random_on) ? olock__fake_pick_fault(f, c.body, op, fn && olock__fake_is_conditional(c.body, op))
                                            : OLOCK_FAKE_FAULT_NONE;
    switch (fault) {
    case OLOCK_FAKE_FAULT_NOT_SENT:
        olock__fake_mutex_unlock(&f->mu);
        return OLOCK_ERR_NOT_SENT;
    case OLOCK_FAKE_FAULT_THROTTLE:
    case OLOCK_FAKE_FAULT_THROTTLING:
    case OLOCK_FAKE_FAULT_500:
    case OLOCK_FAKE_FAULT_503:
        olock__fake_fault_error(&c, fault);
        fn = NULL;
        break;
    case OLOCK_FAKE_FAULT_LATENCY:
        f->now_ms = f->latency_ms > UINT64_MAX - f->now_ms ? UINT64_MAX : f->now_ms + f->latency_ms;
        break;
    case OLOCK_FAKE_FAULT_CONFLICT:
        if (fn) olock__fake_compete(f, &f->arena, &f->out, c.body, op);
        break;
    case OLOCK_FAKE_FAULT_UNPROCESSED:
        c.unprocessed = 1;
        break;
    default:
        break;
    }
    if (f->pending_indexes) olock__fake_settle_indexes(f);
    if (fn) {
        c.status = 200;
        fn(&c);
    }
    if (fault == OLOCK_FAKE_FAULT_LOST_RESPONSE) {
        olock__fake_mutex_unlock(&f->mu);
        return OLOCK_ERR_MAYBE_SENT;
    }
    if (!c.oom && c.err_type && olock__fake_write_error(&c) < 0) c.oom = 1;
    if (c.oom) {
        c.status = 500;
        body = oom_body;
        len = sizeof(oom_body) - 1;
    } else {
        body = f->out.data ? f->out.data : "";
        len = f->out.len;
    }
    n = (int)olock__fake_u64_text(olock_crc32(0, body, len), crc);
    res->status = c.status;
    r = olock_http_response_add_header(res, "Content-Type", 12, "application/x-amz-json-1.0", 26);
    if (r == OLOCK_OK) r = olock_http_response_add_header(res, "x-amz-crc32", 11, crc, (size_t)n);
    if (r == OLOCK_OK) r = olock_http_response_append(res, body, len);
    olock__fake_mutex_unlock(&f->mu);
    return r;
}

/* ---- public API ----------------------------------------------------------------------------- */

OLOCK_FAKE_API olock_fake_config olock_fake_config_default(void) {
    olock_fake_config cfg;
    memset(&cfg, 0, sizeof(cfg));
    cfg.version_attribute = "version";
    cfg.latency_ms = 10;
    return cfg;
}

OLOCK_FAKE_API olock_result olock_fake_create(const olock_fake_config *cfg, olock_fake **out) {
    olock_allocator al;
    olock_fake *f;
    const char *ver = cfg && cfg->version_attribute && cfg->version_attribute[0] ? cfg->version_attribute : "version";
    size_t vlen = strlen(ver);
    if (!out) return OLOCK_ERR_INVALID_ARG;
    if (cfg && cfg->allocator.malloc_fn) {
        if (!cfg->allocator.realloc_fn || !cfg->allocator.free_fn) return OLOCK_ERR_INVALID_ARG;
        al = cfg->allocator;
    } else {
        al.ctx = NULL;
        al.malloc_fn = olock__fake_std_malloc;
        al.realloc_fn = olock__fake_std_realloc;
        al.free_fn = olock__fake_std_free;
    }
    if (!(f = (olock_fake *)olock__fake_malloc(&al, sizeof(*f)))) return OLOCK_ERR_NOMEM;
    memset(f, 0, sizeof(*f));
    f->alloc = al;
    if (!(f->version_attr = (char *)olock__fake_malloc(&al, vlen + 1))) {
        olock__fake_free(&al, f, sizeof(*f));
        return OLOCK_ERR_NOMEM;
    }
    memcpy(f->version_attr, ver, vlen + 1);
    f->version_len = vlen;
    f->latency_ms = cfg && cfg->latency_ms ? cfg->latency_ms : 10;
    if (olock__fake_mutex_init(&f->mu) != 0) {
        olock__fake_free(&al, f->version_attr, vlen + 1);
        olock__fake_free(&al, f, sizeof(*f));
        return OLOCK_ERR_NOMEM;
    }
    olock_arena_init(&f->arena, &f->alloc);
    olock_buf_init(&f->out, &f->alloc);
    *out = f;
    return OLOCK_OK;
}

OLOCK_FAKE_API olock_transport olock_fake_transport(olock_fake *f) {
    olock_transport t;
    t.user = f;
    t.send = olock__fake_send;
    t.destroy = NULL;
    t.kind = OLOCK_TRANSPORT_IN_PROCESS; /* needs no endpoint, region or credentials */
    t.last_error = NULL;
    return t;
}

static void olock__fake_clear_rules(olock_fake *f) {
    while (f->rule_count) olock__fake_drop_rule(f, f->rule_count - 1);
}

OLOCK_FAKE_API void olock_fake_destroy(olock_fake *f) {
    olock_allocator al;
    size_t i;
    if (!f) return;
    for (i = 0; i < f->table_count; i++) olock__fake_table_free(f, f->tables[i]);
    olock__fake_free(&f->alloc, f->tables, f->table_cap * sizeof(*f->tables));
    olock__fake_clear_rules(f);
    olock__fake_free(&f->alloc, f->rules, f->rule_cap * sizeof(*f->rules));
    for (i = 0; i < f->token_cap; i++)
        if (f->tokens[i].token) olock__fake_free(&f->alloc, f->tokens[i].token, f->tokens[i].len + 1);
    olock__fake_free(&f->alloc, f->tokens, f->token_cap * sizeof(*f->tokens));
    olock__fake_free(&f->alloc, f->version_attr, f->version_len + 1);
    olock__fake_xcache_free(f);
    while (f->spare_count) olock_item_destroy(f->spare[--f->spare_count]);
    olock_arena_free(&f->arena);
    olock_buf_free(&f->out);
    olock__fake_mutex_destroy(&f->mu);
    al = f->alloc;
    olock__fake_free(&al, f, sizeof(*f));
}

OLOCK_FAKE_API olock_result olock_fake_inject(olock_fake *f, olock_fake_fault fault, unsigned count, olock_op op,
                                              const char *table) {
    olock__fake_rule *r;
    size_t tlen = table ? strlen(table) : 0;
    char *copy = NULL;
    if (!f || count == 0 || (int)fault < 0 || fault >= OLOCK_FAKE_FAULT_COUNT_ || (int)op < 0 || op >= OLOCK_OP_COUNT_)
        return OLOCK_ERR_INVALID_ARG;
    if (table) {
        if (!(copy = (char *)olock__fake_malloc(&f->alloc, tlen + 1))) return OLOCK_ERR_NOMEM;
        memcpy(copy, table, tlen + 1);
    }
    olock__fake_mutex_lock(&f->mu);
    if (olock__fake_grow(&f->alloc, (void **)&f->rules, &f->rule_cap, f->rule_count + 1, sizeof(*f->rules)) < 0) {
        olock__fake_mutex_unlock(&f->mu);
        if (copy) olock__fake_free(&f->alloc, copy, tlen + 1);
        return OLOCK_ERR_NOMEM;
    }
    r = &f->rules[f->rule_count++];
    r->fault = fault;
    r->count = count;
    r->op = op;
    r->table = copy;
    r->table_len = tlen;
    olock__fake_mutex_unlock(&f->mu);
    return OLOCK_OK;
}

OLOCK_FAKE_API olock_result olock_fake_set_random_faults(olock_fake *f, uint64_t seed,
                                                         const unsigned percent[OLOCK_FAKE_FAULT_COUNT_]) {
    unsigned long sum = 0;
    int k;
    if (!f) return OLOCK_ERR_INVALID_ARG;
    if (percent) {
        for (k = 1; k < (int)OLOCK_FAKE_FAULT_COUNT_; k++) sum += percent[k];
        if (sum > 100) return OLOCK_ERR_INVALID_ARG;
    }
    olock__fake_mutex_lock(&f->mu);
    f->random_on = percent != NULL;
    f->rng = seed;
    for (k = 0; k < (int)OLOCK_FAKE_FAULT_COUNT_; k++) f->percent[k] = percent && k ? percent[k] : 0;
    olock__fake_mutex_unlock(&f->mu);
    return OLOCK_OK;
}

OLOCK_FAKE_API void olock_fake_clear_faults(olock_fake *f) {
    if (!f) return;
    olock__fake_mutex_lock(&f->mu);
    olock__fake_clear_rules(f);
    f->random_on = 0;
    olock__fake_mutex_unlock(&f->mu);
}

OLOCK_FAKE_API unsigned long olock_fake_fault_count(olock_fake *f, olock_fake_fault fault) {
    unsigned long n;
    if (!f || (int)fault < 0 || fault >= OLOCK_FAKE_FAULT_COUNT_) return 0;
    olock__fake_mutex_lock(&f->mu);
    n = f->fault_counts[fault];
    olock__fake_mutex_unlock(&f->mu);
    return n;
}

OLOCK_FAKE_API uint64_t olock_fake_now_ms(olock_fake *f) {
    uint64_t t;
    if (!f) return 0;
    olock__fake_mutex_lock(&f->mu);
    t = f->now_ms;
    olock__fake_mutex_unlock(&f->mu);
    return t;
}

OLOCK_FAKE_API void olock_fake_advance_ms(olock_fake *f, uint64_t ms) {
    if (!f) return;
    olock__fake_mutex_lock(&f->mu);
    f->now_ms = ms > UINT64_MAX - f->now_ms ? UINT64_MAX : f->now_ms + ms;
    olock__fake_mutex_unlock(&f->mu);
}
#endif /* OLOCK_FAKE_IMPLEMENTATION */
