/* libFuzzer target: olock_item_parse_json's one-pass decoder (olock__dd_item) against the tree
   path (olock_json_parse + olock_map_from_json) on arbitrary bytes. Whenever the one-pass
   decoder accepts, the tree path must accept too, with the same values member for member (type,
   name, bytes, order); when it declines, olock_item_parse_json must give exactly the tree path's
   answer (code, message, offset). Also: any number text the canonical shortcut accepts parses
   and formats back to itself. */
#define OLOCK_IMPLEMENTATION
#include "olock.h"
#include <stdlib.h>

static int same(const olock_value *a, const olock_value *b) {
    const olock_value *x, *y;
    if (a->type != b->type || a->count != b->count || a->key_len != b->key_len) return 0;
    if (a->key_len && memcmp(a->key, b->key, a->key_len) != 0) return 0;
    switch (a->type) {
    case OLOCK_TYPE_S: case OLOCK_TYPE_N: case OLOCK_TYPE_B:
        return a->len == b->len && memcmp(a->str, b->str, a->len) == 0 && a->str[a->len] == 0;
    case OLOCK_TYPE_BOOL: return a->boolean == b->boolean;
    case OLOCK_TYPE_NULL: return 1;
    default:
        for (x = a->first, y = b->first; x && y; x = x->next, y = y->next)
            if (!same(x, y)) return 0;
        return !x && !y;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    const char *text = (const char *)data;
    olock_arena a, b;
    olock_json *j = NULL;
    olock_value *fast = NULL, *tree = NULL;
    olock_error e1, e2;
    olock_result r_tree;
    olock_item *it = NULL;
    int ok;
    olock_arena_init(&a, NULL);
    olock_arena_init(&b, NULL);
    ok = olock__dd_item(&a, text, size, &fast);
    r_tree = olock_json_parse(&b, text, size, NULL, &j, &e1);
    if (r_tree == OLOCK_OK) r_tree = olock_map_from_json(&b, j, &tree, &e1);
    if (ok && (r_tree != OLOCK_OK || !same(fast, tree))) abort();
    if (olock_item_parse_json(text, size, NULL, &it, &e2) != r_tree) abort();
    if (r_tree != OLOCK_OK && (e1.offset != e2.offset || strcmp(e1.message, e2.message) != 0)) abort();
    if (it && !same(it->root, tree)) abort();
    olock_item_destroy(it);
    if (olock__number_is_canonical(text, size)) {
        olock_decimal d;
        char out[OLOCK_NUMBER_TEXT_MAX + 1];
        if (olock_decimal_parse(text, size, &d, NULL) != OLOCK_OK) abort();
        if (olock_decimal_format(&d, out) != size || memcmp(out, text, size) != 0) abort();
    }
    olock_arena_free(&a);
    olock_arena_free(&b);
    return 0;
}
