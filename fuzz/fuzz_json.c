/* libFuzzer target: the JSON parser and the DynamoDB JSON conversion on arbitrary bytes.
   Whatever the input, no crash, no leak, no undefined behaviour; what parses writes back and
   parses again to an equal value. */
#define OLOCK_IMPLEMENTATION
#include "olock.h"
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    olock_arena a;
    olock_json *j = NULL;
    olock_value *v = NULL, *back = NULL;
    olock_error e;
    olock_arena_init(&a, NULL);
    if (olock_json_parse(&a, (const char *)data, size, NULL, &j, &e) == OLOCK_OK) {
        olock_result r = j->kind == OLOCK_JSON_OBJECT && j->count != 1 ? olock_map_from_json(&a, j, &v, &e)
                                                                        : olock_value_from_json(&a, j, &v, &e);
        if (r == OLOCK_OK) {
            olock_buf b;
            olock_json *j2 = NULL;
            olock_buf_init(&b, NULL);
            if (olock_value_write_json(v, &b) != OLOCK_OK) abort();
            if (olock_json_parse(&a, b.data, b.len, NULL, &j2, &e) != OLOCK_OK) abort();
            if (olock_value_from_json(&a, j2, &back, &e) != OLOCK_OK) abort();
            if (!olock_value_equal(v, back)) abort();
            olock_buf_free(&b);
        }
    } else if (e.offset > size) {
        abort();
    }
    olock_arena_free(&a);
    return 0;
}
