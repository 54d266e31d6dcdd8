/* libFuzzer target: the response decoder, for every operation and a spread of HTTP statuses.
   The first input byte picks the operation and status; the rest is the body. Also the engine's
   one-pass decoder of item answers (olock__response_decode_item): whenever it accepts, the
   tree decoder must accept too, as a success with an equal item (member order included). */
#define OLOCK_IMPLEMENTATION
#include "olock.h"
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    static const int statuses[] = { 200, 400, 413, 500, 503 };
    olock_arena a, b;
    olock_response r, fast;
    olock_error e;
    olock_result rc;
    olock_op op;
    int status;
    if (size < 1) return 0;
    op = (olock_op)(1 + data[0] % (OLOCK_OP_COUNT_ - 1));
    status = statuses[(data[0] / 16) % 5];
    olock_arena_init(&a, NULL);
    olock_arena_init(&b, NULL);
    rc = olock_response_decode(&a, op, status, (const char *)data + 1, size - 1, &r, &e);
    if (olock__response_decode_item(&b, op, status, (const char *)data + 1, size - 1, &fast)) {
        if (rc != OLOCK_OK || r.error_class != OLOCK_CLASS_NONE || fast.op != op || fast.http_status != status ||
            fast.json != NULL || !fast.item != !r.item || (fast.item && !olock_value_equal(fast.item, r.item)))
            abort();
        if (fast.item) {
            const olock_value *x, *y;
            for (x = fast.item->first, y = r.item->first; x && y; x = x->next, y = y->next)
                if (x->key_len != y->key_len || memcmp(x->key, y->key, x->key_len) != 0) abort();
        }
    }
    olock_arena_free(&b);
    if (rc == OLOCK_OK) {
        size_t i;
        /* Touch what the decoder promised, so a dangling pointer would show. */
        if (r.error_type && !r.error_type[0] && r.error_class == OLOCK_CLASS_CONFLICT) abort();
        for (i = 0; i < r.reason_count; i++) if (r.reasons[i].code) (void)strlen(r.reasons[i].code);
        for (i = 0; i < r.item_count; i++) if (r.items[i] && r.items[i]->type != OLOCK_TYPE_M) abort();
    }
    olock_arena_free(&a);
    return 0;
}
