/* =============================================================================================
   >>json: a strict JSON parser and writer, base64, CRC-32, DynamoDB JSON
   ========================================================================================== */

/* ---- JSON: a strict parser into a read-only tree, and DynamoDB JSON on top of it ------------- */

typedef enum olock_json_kind {
    OLOCK_JSON_NULL = 1,
    OLOCK_JSON_FALSE,
    OLOCK_JSON_TRUE,
    OLOCK_JSON_NUMBER,
    OLOCK_JSON_STRING,
    OLOCK_JSON_ARRAY,
    OLOCK_JSON_OBJECT
} olock_json_kind;

/* A parsed JSON node. Strings are unescaped, valid UTF-8 and NUL-terminated (they may hold
   NUL bytes: use len). Numbers keep their text in str. Object members keep document order. */
typedef struct olock_json olock_json;
struct olock_json {
    olock_json_kind kind;
    uint32_t count;  /* members of an array or object */
    const char *str; /* STRING, NUMBER */
    size_t len;
    const char *key; /* object member name */
    size_t key_len;
    olock_json *first; /* ARRAY, OBJECT */
    olock_json *next;
    size_t offset; /* byte offset of the node in the parsed text */
};

typedef struct olock_json_limits {
    size_t max_bytes;   /* 0: 16 MiB */
    unsigned max_depth; /* 0: OLOCK_MAX_DEPTH */
} olock_json_limits;

/* Parses exactly one JSON value (surrounding whitespace allowed) into nodes allocated in `a`.
   Rejects invalid UTF-8, lone surrogates, control characters, leading zeros, trailing commas,
   trailing garbage; PARSE or LIMIT with err->offset at the offending byte. */
OLOCK_API olock_result olock_json_parse(olock_arena *a, const char *text, size_t len,
                                        const olock_json_limits *limits, olock_json **out, olock_error *err);
/* Object member by name (first match), or NULL. */
OLOCK_API const olock_json *olock_json_get(const olock_json *obj, const char *key);

/* DynamoDB JSON ({"S":"x"}, {"N":"1"}, {"M":{...}}, ...) to values, strictly: exactly one type
   key, valid numbers, valid base64, no duplicate or empty sets, no duplicate map keys.
   olock_item_from_json takes an object of attribute values (an Item, Key or Attributes). */
OLOCK_API olock_result olock_value_from_json(olock_arena *a, const olock_json *attr, olock_value **out, olock_error *err);
OLOCK_API olock_result olock_map_from_json(olock_arena *a, const olock_json *obj, olock_value **out, olock_error *err);
OLOCK_API olock_result olock_item_parse_json(const char *text, size_t len, const olock_allocator *alloc,
                                             olock_item **out, olock_error *err);

/* Writers append to a buffer; on failure the buffer is restored to its previous length. */
OLOCK_API olock_result olock_json_write_string(olock_buf *b, const char *s, size_t len);
OLOCK_API olock_result olock_value_write_json(const olock_value *v, olock_buf *b);
OLOCK_API olock_result olock_item_write_json(const olock_item *it, olock_buf *b);

/* Base64 (RFC 4648, padded), as DynamoDB uses for B and BS. */
OLOCK_API size_t olock_base64_encoded_len(size_t len);
OLOCK_API olock_result olock_base64_encode(const void *data, size_t len, olock_buf *out);
/* Strict: padding required, no whitespace, no bits set in the padding. PARSE otherwise. */
OLOCK_API olock_result olock_base64_decode(const char *text, size_t len, unsigned char *out, size_t *out_len);

/* CRC-32 (IEEE 802.3), as in the x-amz-crc32 header; crc is a previous result to continue from
   (0 to start). Eight bytes a step from tables, or 64 with PCLMULQDQ on x86-64 CPUs that have it
   (GCC/Clang; OLOCK_NO_PCLMUL turns that off). */
OLOCK_API uint32_t olock_crc32(uint32_t crc, const void *data, size_t len);
