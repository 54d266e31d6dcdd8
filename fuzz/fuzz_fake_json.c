/* fuzz_fake_json.c - libFuzzer target for the fake backend's request body parser
   (olock__fake_json_parse, parsing in place) against olock_json_parse, the parser it must
   match: on every input both accept or both refuse, and what they accept is the same tree
   (kinds, counts, keys, strings byte for byte and NUL-terminated, offsets). The first byte
   picks the depth limit (1 to 8, or the fake's 256), the rest is the text.

   clang -g -O1 -fsanitize=fuzzer,address,undefined -I. -Itests fuzz/fuzz_fake_json.c -o build/fuzz_fake_json */
#define OLOCK_IMPLEMENTATION
#define OLOCK_FAKE_IMPLEMENTATION
#include "olock.h"
#include "backends/olock_fake.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int same_bytes(const char *a, size_t alen, const char *b, size_t blen)
{
    if (!a || !b) return a == b && alen == blen;
    return alen == blen && memcmp(a, b, alen) == 0 && a[alen] == 0 && b[blen] == 0;
}

static void same_tree(const olock_json *a, const olock_json *b)
{
    for (; a || b; a = a->next, b = b->next) {
        if (!a || !b) abort();
        if (a->kind != b->kind || a->count != b->count || a->offset != b->offset) abort();
        if (!same_bytes(a->key, a->key_len, b->key, b->key_len)) abort();
        if ((a->kind == OLOCK_JSON_STRING || a->kind == OLOCK_JSON_NUMBER) && !same_bytes(a->str, a->len, b->str, b->len)) abort();
        if (a->kind != OLOCK_JSON_STRING && a->kind != OLOCK_JSON_NUMBER && (a->str || b->str || a->len || b->len)) abort();
        same_tree(a->first, b->first);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    olock_arena a, b;
    olock_json *x = NULL, *y = NULL;
    olock_json_limits lim;
    olock_result rx, ry;
    unsigned depth;
    char *text;
    if (size < 1) return 0;
    depth = data[0] % 9 ? data[0] % 9 : 256;
    /* a copy of its own: the fake's parser must leave the request's bytes alone */
    if (!(text = (char *)malloc(size))) return 0;
    memcpy(text, data + 1, size - 1);
    olock_arena_init(&a, NULL);
    olock_arena_init(&b, NULL);
    lim.max_bytes = 0;
    lim.max_depth = depth;
    rx = olock_json_parse(&a, text, size - 1, &lim, &x, NULL);
    ry = olock__fake_json_parse(&b, text, size - 1, depth, &y);
    if (memcmp(text, data + 1, size - 1) != 0) abort();
    if ((rx == OLOCK_OK) != (ry == OLOCK_OK)) abort();
    if (rx == OLOCK_OK) same_tree(x, y);
    olock_arena_free(&a);
    olock_arena_free(&b);
    free(text);
    return 0;
}
