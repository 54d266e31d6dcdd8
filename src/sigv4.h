/* =============================================================================================
   >>sigv4: SHA-256 and HMAC-SHA256, SigV4 request signing, the credentials type
   ========================================================================================== */

typedef struct olock_credentials {
    const char *access_key_id;
    const char *secret_access_key;
    const char *session_token; /* NULL unless temporary credentials */
} olock_credentials;

/* ---- SHA-256 and HMAC-SHA256 (built in, or mbedTLS's with OLOCK_USE_MBEDTLS) ----------------- */


#define OLOCK_SHA256_SIZE 32     /* digest bytes */
#define OLOCK_SHA256_HEX_SIZE 65 /* lower-case hex digest + NUL */

/* A streaming SHA-256 context: init, update any number of times, final. Plain data that may
   live on the stack; after final it must be initialised again before reuse. */
typedef struct olock_sha256 {
#ifdef OLOCK_USE_MBEDTLS
    mbedtls_sha256_context md;
#else
    uint32_t state[8];
    uint64_t count;          /* bytes absorbed so far */
    unsigned char block[64]; /* pending bytes: count % 64 of them */
#endif
} olock_sha256;

/* A streaming HMAC-SHA256 context; final wipes it (it holds key material). */
typedef struct olock_hmac_sha256 {
    olock_sha256 inner;
    olock_sha256 outer;
} olock_hmac_sha256;

/* None of these can fail. `data` may be NULL when its length is 0. The built-in SHA-256 uses
   the x86-64 SHA extensions when the CPU has them (GCC/Clang; OLOCK_NO_SHA_NI turns that off).
   CPUID is asked once and the answer kept in a static int read and written with relaxed
   atomics: it never changes, so this is the one piece of process-wide state. */
OLOCK_API void olock_sha256_init(olock_sha256 *ctx);
OLOCK_API void olock_sha256_update(olock_sha256 *ctx, const void *data, size_t len);
OLOCK_API void olock_sha256_final(olock_sha256 *ctx, unsigned char out[OLOCK_SHA256_SIZE]);
OLOCK_API void olock_sha256_digest(const void *data, size_t len, unsigned char out[OLOCK_SHA256_SIZE]);
/* Keys of any length (longer than 64 bytes are hashed first, as RFC 2104 says). */
OLOCK_API void olock_hmac_sha256_init(olock_hmac_sha256 *ctx, const void *key, size_t key_len);
OLOCK_API void olock_hmac_sha256_update(olock_hmac_sha256 *ctx, const void *data, size_t len);
OLOCK_API void olock_hmac_sha256_final(olock_hmac_sha256 *ctx, unsigned char out[OLOCK_SHA256_SIZE]);
OLOCK_API void olock_hmac_sha256_digest(const void *key, size_t key_len, const void *data, size_t len,
                                        unsigned char out[OLOCK_SHA256_SIZE]);
/* Writes 2 * len lower-case hex digits and a NUL to `out` (2 * len + 1 bytes). */
OLOCK_API void olock_hex_encode(const void *data, size_t len, char *out);

/* ---- SigV4 (AWS4-HMAC-SHA256) request signing, header variant -------------------------------- */

/* Flags of olock_sigv4_signer_sign. DynamoDB requests are signed with OLOCK_SIGV4_NORMALIZE_PATH. */
#define OLOCK_SIGV4_NORMALIZE_PATH 1u /* drop "." and ".." segments and merge repeated '/' */
#define OLOCK_SIGV4_SIGN_BODY 2u      /* add (and sign) x-amz-content-sha256: <payload hash> */
#define OLOCK_SIGV4_UNSIGNED_TOKEN 4u /* add X-Amz-Security-Token after signing, unsigned (STS style) */

#define OLOCK_SIGV4_MAX_HEADERS 64      /* headers per request (LIMIT beyond) */
#define OLOCK_SIGV4_MAX_QUERY_PARAMS 64 /* query parameters per request (LIMIT beyond) */
#define OLOCK_SIGV4_NAME_MAX 64         /* longest region or service name */

/* The request to sign. Strings are NUL-terminated and only read during the call. */
typedef struct olock_sigv4_request {
    const char *method;               /* "POST"; required */
    const char *path;                 /* as sent on the wire, already percent-encoded (the signer encodes
                                      it once more, as SigV4 asks of non-S3 services); NULL or "" = "/" */
    const char *query;                /* raw query string without '?'; NULL = none. %XX sequences are
                                      decoded before canonical encoding; '+' is a literal plus */
    const olock_http_header *headers; /* all are signed; names in any case; Host is required.
                                      X-Amz-Date, X-Amz-Security-Token, x-amz-content-sha256 and
                                      Authorization must not be given: the signer adds them */
    size_t header_count;
    const void *body; /* may be NULL when body_len is 0 */
    size_t body_len;
    const char *payload_hash; /* NULL: hex SHA-256 of the body; else used verbatim
                                      (a precomputed hash, or "UNSIGNED-PAYLOAD") */
} olock_sigv4_request;

/* Every field 0 / NULL (set method, headers and the body), as olock_item_request_default. */
OLOCK_API olock_sigv4_request olock_sigv4_request_default(void);

/* What one signing produced. Every pointer points into the signer and stays valid until its
   next sign, set_credentials or free; the struct itself may be copied freely. */
typedef struct olock_sigv4_signature {
    /* Headers to add to the request, in this order: X-Amz-Date, X-Amz-Security-Token (when
       the credentials have a session token), x-amz-content-sha256 (OLOCK_SIGV4_SIGN_BODY),
       Authorization. */
    olock_http_header headers[4];
    size_t header_count;
    const char *amz_date;                  /* "20150830T123600Z" */
    const char *authorization;             /* "AWS4-HMAC-SHA256 Credential=..., SignedHeaders=..., Signature=..." */
    char signature[OLOCK_SHA256_HEX_SIZE]; /* lower-case hex */
    const char *canonical_request;         /* for tests and debugging */
    size_t canonical_request_len;
    const char *string_to_sign;
    size_t string_to_sign_len;
} olock_sigv4_signature;

/* Private to the signer: SHA-256 states part-way through a text it hashes for every request.
   Consecutive requests share most of their canonical request (everything but the X-Amz-Date
   value, the target and the payload hash), within one second the start of their string to
   sign, and, when they write the same item with the same expressions, their body up to the
   expression attribute values (a versioned update's expected and new versions, the caller's
   values). Hashing resumes from the state after the last whole 64-byte block the new text
   shares with the previous one, so equal bytes are never hashed twice. Exact by construction:
   a state is reused only for the very bytes it absorbed. States are kept only for the blocks
   a text shared with the one before it: text that changes from its first block on (another
   item's body) costs a copy of its first blocks, not a state per block. */
#define OLOCK__SIGV4_RESUME_BLOCKS 8 /* a versioned update's values come after ~300-500 bytes of its body */
typedef struct olock__sigv4_resume {
    size_t blocks;                                       /* the previous text's whole blocks kept in text */
    size_t states;                                       /* states kept: after[0 .. states), states <= blocks */
    unsigned char text[OLOCK__SIGV4_RESUME_BLOCKS * 64]; /* the previous text's first 64 * blocks bytes */
    olock_sha256 after[OLOCK__SIGV4_RESUME_BLOCKS];      /* after[i]: after text[0 .. 64 (i + 1)) */
} olock__sigv4_resume;

/* Private to the signer: the last request's header names as given and what the signer made of
   them (their order, lower-cased, the SignedHeaders list), reused while the next request gives
   the same names byte for byte (olock's client gives the same three every time) with the same
   headers of the signer's own: a name is then not checked, lowered or sorted again. */
#define OLOCK__SIGV4_NAMES_HEADERS 8 /* requests with more headers are not kept */
#define OLOCK__SIGV4_NAMES_BYTES 192 /* nor ones whose names take more */
typedef struct olock__sigv4_names {
    size_t count;                                           /* the caller's headers; 0: nothing kept */
    unsigned mode;                                          /* which of the signer's own headers were added (OLOCK__SIGV4_OWN_*) */
    size_t given_len;                                       /* bytes of given */
    size_t signed_len;                                      /* bytes of the SignedHeaders list at the start of lower */
    unsigned char order[OLOCK__SIGV4_NAMES_HEADERS + 3];    /* sorted position -> index as given (own ones after the caller's) */
    unsigned char name_off[OLOCK__SIGV4_NAMES_HEADERS + 3]; /* each sorted name, lower-cased, in lower (as long as the
                                                               name); a repeated name: the offset of the one before */
    char given[OLOCK__SIGV4_NAMES_BYTES];                   /* the caller's names, each with its NUL */
    char lower[OLOCK__SIGV4_NAMES_BYTES * 2];               /* the SignedHeaders list; its names are those of name_off */
} olock__sigv4_names;

/* Signs requests for one set of credentials, one region and one service. Embed it by value;
   treat the fields as private except key_derivations. Not thread-safe: one signer per thread
   (or a lock). Memory is allocated by init/set_credentials and by the first signs (scratch
   buffers that are then reused): signing a request of a size seen before does not allocate. */
typedef struct olock_sigv4_signer {
    const olock_allocator *alloc;
    char *secrets; /* one block: access key id, "AWS4" + secret, session token */
    size_t secrets_size;
    size_t akid_len, secret_len, token_len; /* secret_len counts the "AWS4" prefix */
    char region[OLOCK_SIGV4_NAME_MAX + 1];
    char service[OLOCK_SIGV4_NAME_MAX + 1];
    size_t region_len, service_len;
    /* Signing-key cache for (secret, date, region, service): only the date varies here,
       set_credentials drops the key. The key is kept as HMAC states with its pads absorbed. */
    int key_valid;
    char key_date[9]; /* YYYYMMDD the key was derived for */
    olock_hmac_sha256 key_hmac;
    unsigned long key_derivations; /* read-only: how many times a signing key was derived */
    int64_t day;                   /* unix day of date_text, -1 when none */
    char date_text[9];
    olock__sigv4_resume creq_resume; /* the canonical request's hash, from a fresh state */
    olock__sigv4_resume sts_resume;  /* the signature's inner hash, from the key's inner state:
                                        key material, wiped and dropped with the key */
    olock__sigv4_resume body_resume; /* the payload hash, from a fresh state */
    olock__sigv4_names names;        /* the last request's header names, sorted and lowered */
    olock_buf scratch;               /* canonical request, string to sign, header values */
    olock_buf query;                 /* encoded query parameters */
} olock_sigv4_signer;

/* Copies the credentials (access_key_id and secret_access_key required, session_token NULL or
   a token), region and service ("dynamodb"). alloc NULL: default; it must outlive the signer.
   INVALID_ARG for a missing or malformed value (the message names the field, never its value),
   NOMEM. On failure *s is left unusable but safe to free. */
OLOCK_API olock_result olock_sigv4_signer_init(olock_sigv4_signer *s, const olock_allocator *alloc,
                                               const olock_credentials *creds, const char *region,
                                               const char *service, olock_error *err);
/* Replaces the credentials (e.g. refreshed temporary ones) and drops the cached key when the
   secret changed. On failure the old credentials stay. INVALID_ARG, NOMEM. */
OLOCK_API olock_result olock_sigv4_signer_set_credentials(olock_sigv4_signer *s, const olock_credentials *creds,
                                                          olock_error *err);
/* Wipes the credentials and the cached key and frees everything. NULL is a no-op. */
OLOCK_API void olock_sigv4_signer_free(olock_sigv4_signer *s);
/* Signs `req` as at `unix_seconds` (UTC, 0 to 253402300799; the signer never reads a clock).
   `flags` are OLOCK_SIGV4_*. Fills *out on success. INVALID_ARG for a malformed request or a
   time out of range, LIMIT for too many headers or query parameters, NOMEM. */
OLOCK_API olock_result olock_sigv4_signer_sign(olock_sigv4_signer *s, const olock_sigv4_request *req,
                                               int64_t unix_seconds, unsigned flags,
                                               olock_sigv4_signature *out, olock_error *err);
