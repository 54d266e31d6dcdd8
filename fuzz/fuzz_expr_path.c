/* libFuzzer target for the expression builders' path parser.

     clang -g -O1 -fsanitize=fuzzer,address,undefined -I. fuzz/fuzz_expr_path.c -o build/fuzz_expr_path
     build/fuzz_expr_path -max_total_time=60

   Properties checked on every input (as path text, NUL-terminated copy):
   - the parser never reads out of bounds and terminates (sanitizers);
   - a path it accepts has 1..OLOCK_PATH_MAX_DEPTH segments, non-empty names, indexes
     <= OLOCK_PATH_MAX_INDEX, and valid UTF-8 names;
   - round trip: rebuilding the path with olock_path_name / olock_path_key /
     olock_path_index from the parsed segments and parsing that again gives the same
     segments, and both render to the same projection and names map;
   - a rejected path leaves the builder with a sticky EXPRESSION or LIMIT error and no output. */

#define OLOCK_IMPLEMENTATION
#include "olock.h"

#include <stdlib.h>
#include <string.h>

#ifdef __cplusplus
extern "C"
#endif
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static olock_expr *g_e1, *g_e2;

static int same_map(const olock_value *a, const olock_value *b) {
    if (!a || !b) return a == b;
    return olock_value_equal(a, b);
}

#ifdef __cplusplus
extern "C"
#endif
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    olock__expr_seg segs[OLOCK_PATH_MAX_DEPTH], segs2[OLOCK_PATH_MAX_DEPTH];
    olock__expr_scan sc;
    olock_expr_output o1, o2;
    char *text, *names, *names2;
    const char *rebuilt;
    unsigned n, n2, k;
    olock_result rc;

    if (size > 4096) return 0;
    if (!g_e1 && (olock_expr_create(NULL, &g_e1) != OLOCK_OK || olock_expr_create(NULL, &g_e2) != OLOCK_OK)) abort();
    text = (char *)malloc(size + 1);
    names = (char *)malloc(size + 1);
    if (!text || !names) abort();
    if (size) memcpy(text, data, size);
    text[size] = 0;

    /* The pure scanner on the exact bytes (which may hold NULs). */
    n = olock__expr_path_scan(text, size, segs, names, &sc);
    if (n == 0) {
        if (sc.code != OLOCK_ERR_EXPRESSION && sc.code != OLOCK_ERR_LIMIT) abort();
        if (!sc.why || sc.offset > size) abort();
    } else {
        if (n > OLOCK_PATH_MAX_DEPTH || segs[0].is_index) abort();
        for (k = 0; k < n; k++) {
            if (segs[k].is_index) { if (segs[k].index > OLOCK_PATH_MAX_INDEX) abort(); }
            else if (segs[k].len == 0 || olock__expr_utf8_check(segs[k].name, segs[k].len) != segs[k].len) abort();
        }
    }

    /* The public API sees the text up to the first NUL. */
    olock_expr_reset(g_e1);
    olock_expr_add_projection(g_e1, text);
    rc = olock_expr_render(g_e1, &o1, NULL);
    n = olock__expr_path_scan(text, strlen(text), segs, names, &sc);
    if ((rc == OLOCK_OK) != (n != 0)) abort();
    if (rc != OLOCK_OK) {
        if (rc != OLOCK_ERR_EXPRESSION && rc != OLOCK_ERR_LIMIT) abort();
        if (olock_expr_status(g_e1, NULL) != rc) abort();
        free(text); free(names);
        return 0;
    }
    if (!o1.projection || !o1.names || o1.values || o1.condition || o1.update) abort();

    /* Round trip through the segment-wise builders. */
    olock_expr_reset(g_e2);
    rebuilt = NULL;
    for (k = 0; k < n; k++) {
        char name[4097];
        if (segs[k].is_index) {
            rebuilt = olock_path_index(g_e2, rebuilt, (int64_t)segs[k].index);
        } else {
            memcpy(name, segs[k].name, segs[k].len);
            name[segs[k].len] = 0;
            if (strlen(name) != segs[k].len) abort();   /* names come from NUL-free text */
            rebuilt = k ? olock_path_key(g_e2, rebuilt, name) : olock_path_name(g_e2, name);
        }
        if (!rebuilt) abort();
    }
    names2 = (char *)malloc(strlen(rebuilt) + 1);
    if (!names2) abort();
    n2 = olock__expr_path_scan(rebuilt, strlen(rebuilt), segs2, names2, &sc);
    if (n2 != n) abort();
    for (k = 0; k < n; k++)
        if (!olock__expr_seg_equal(&segs[k], &segs2[k])) abort();
    olock_expr_add_projection(g_e2, rebuilt);
    if (olock_expr_render(g_e2, &o2, NULL) != OLOCK_OK) abort();
    if (strcmp(o1.projection, o2.projection) != 0 || !same_map(o1.names, o2.names)) abort();

    free(names2);
    free(text);
    free(names);
    return 0;
}
