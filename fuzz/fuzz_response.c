/* libFuzzer target: the response decoder, for every operation and a spread of HTTP statuses.
   The first input byte picks the operation and status; the rest is the body. */
#define OLOCK_IMPLEMENTATION
#include "olock.h"
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    static const int statuses[] = { 200, 400, 413, 500, 503 };
    olock_arena a;
    olock_response r;
    olock_error e;
    olock_op op;
    int status;
    if (size < 1) return 0;
    op = (olock_op)(1 + data[0] % (OLOCK_OP_COUNT_ - 1));
    status = statuses[(data[0] / 16) % 5];
    olock_arena_init(&a, NULL);
    if (olock_response_decode(&a, op, status, (const char *)data + 1, size - 1, &r, &e) == OLOCK_OK) {
        size_t i;
        /* Touch what the decoder promised, so a dangling pointer would show. */
        if (r.error_type && !r.error_type[0] && r.error_class == OLOCK_CLASS_CONFLICT) abort();
        for (i = 0; i < r.reason_count; i++) if (r.reasons[i].code) (void)strlen(r.reasons[i].code);
        for (i = 0; i < r.item_count; i++) if (r.items[i] && r.items[i]->type != OLOCK_TYPE_M) abort();
    }
    olock_arena_free(&a);
    return 0;
}
