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
