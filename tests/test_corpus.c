/* The response decoder on real DynamoDB responses: every response recorded from DynamoDB
   Local in tests/conformance/ (see its README) is decoded for its operation and status; then
   every response is cut short at many points and decoded again, which must fail cleanly. */
#ifndef OLOCK_TEST_LINKED   /* else the Makefile links build/<flavour>/libolock_impl.a (tests/impl/) */
#define OLOCK_IMPLEMENTATION
#endif
#include "olock.h"
#include "olock_test.h"

/* Writes a parsed JSON node back as JSON text (the corpus stores responses as JSON values). */
static void to_text(const olock_json *j, olock_buf *b) {
    const olock_json *m;
    switch (j->kind) {
    case OLOCK_JSON_NULL: olock_buf_append_str(b, "null"); break;
    case OLOCK_JSON_TRUE: olock_buf_append_str(b, "true"); break;
    case OLOCK_JSON_FALSE: olock_buf_append_str(b, "false"); break;
    case OLOCK_JSON_NUMBER: olock_buf_append(b, j->str, j->len); break;
    case OLOCK_JSON_STRING: olock_json_write_string(b, j->str, j->len); break;
    case OLOCK_JSON_ARRAY: case OLOCK_JSON_OBJECT:
        olock_buf_append_str(b, j->kind == OLOCK_JSON_ARRAY ? "[" : "{");
        for (m = j->first; m; m = m->next) {
            if (m != j->first) olock_buf_append_str(b, ",");
            if (j->kind == OLOCK_JSON_OBJECT) { olock_json_write_string(b, m->key, m->key_len); olock_buf_append_str(b, ":"); }
            to_text(m, b);
        }
        olock_buf_append_str(b, j->kind == OLOCK_JSON_ARRAY ? "]" : "}");
        break;
    }
}

static int g_decoded, g_errors_classified, g_truncations;

static void check_step(const char *name, const olock_json *step) {
    const olock_json *opj = olock_json_get(step, "op"), *st = olock_json_get(step, "status"), *resp = olock_json_get(step, "response");
    olock_buf text;
    olock_arena a;
    olock_response r;
    olock_error e;
    olock_op op;
    int status = 0;
    size_t i, cut, stride;
    if (!opj || !st || !resp) { CHECK(!"step without op, status or response"); return; }
    op = olock_op_from_name(opj->str, opj->len);
    for (i = 0; i < st->len; i++) status = status * 10 + (st->str[i] - '0');
    if (!op) return;                               /* an operation olock does not model */
    olock_buf_init(&text, NULL);
    olock_arena_init(&a, NULL);
    to_text(resp, &text);
    if (olock_response_decode(&a, op, status, text.data, text.len, &r, &e) != OLOCK_OK) {
        fprintf(stderr, "  %s %s: %s at %lu\n", name, olock_op_name(op), e.message, (unsigned long)e.offset);
        CHECK(!"a recorded response does not decode");
    } else {
        g_decoded++;
        if (status == 200) {
            CHECK(r.error_class == OLOCK_CLASS_NONE);
            if (op == OLOCK_OP_GET_ITEM) CHECK((olock_json_get(resp, "Item") != NULL) == (r.item != NULL));
        } else {
            const olock_json *type = olock_json_get(resp, "__type");
            const char *hash = type ? strchr(type->str, '#') : NULL;
            CHECK(r.error_type && hash && strcmp(r.error_type, hash + 1) == 0);
            CHECK(r.error_class != OLOCK_CLASS_NONE);
            if (r.error_type && strcmp(r.error_type, "ConditionalCheckFailedException") == 0) {
                CHECK(r.error_class == OLOCK_CLASS_CONFLICT);
                CHECK((olock_json_get(resp, "Item") != NULL) == (r.item != NULL));
            } else if (r.error_type && strcmp(r.error_type, "ValidationException") == 0) {
                CHECK(r.error_class == OLOCK_CLASS_FATAL);
            }
            /* DynamoDB Local writes "Message"; the decoder reads either spelling */
            CHECK((olock_json_get(resp, "Message") || olock_json_get(resp, "message")) == (r.error_message != NULL));
            g_errors_classified++;
        }
    }
    /* Truncated: every cut of a short body, about 64 cuts of a long one. 2xx/4xx bodies must
       fail to decode; a cut 5xx body is still a (transient) 5xx. */
    stride = text.len / 64 + 1;
    for (cut = 0; cut < text.len; cut += stride) {
        olock_result rc;
        olock_arena_reset(&a);
        rc = olock_response_decode(&a, op, status, text.data, cut, &r, &e);
        if (status >= 500) { if (rc != OLOCK_OK || r.error_class != OLOCK_CLASS_TRANSIENT) CHECK(!"cut 5xx body not transient"); }
        else if (rc != OLOCK_ERR_PARSE && rc != OLOCK_ERR_RESPONSE) {
            fprintf(stderr, "  %s: cut at %lu of %lu decoded with %d\n", name, (unsigned long)cut, (unsigned long)text.len, rc);
            CHECK(!"a truncated response decoded");
        }
        g_truncations++;
    }
    olock_arena_free(&a);
    olock_buf_free(&text);
}

int main(int argc, char **argv) {
    static const char *const files[] = { "tables.jsonl", "items.jsonl", "conditions.jsonl", "updates.jsonl",
                                         "transactions.jsonl", "batch.jsonl", "query.jsonl" };
    const char *dir = argc > 1 ? argv[1] : "tests/conformance";
    size_t f;
    int cases = 0;
    for (f = 0; f < sizeof files / sizeof files[0]; f++) {
        char path[512];
        size_t len = 0;
        char *data, *line, *end;
        snprintf(path, sizeof path, "%s/%s", dir, files[f]);
        data = olock_test_read_file(path, &len);
        if (!data) { fprintf(stderr, "cannot read %s\n", path); CHECK(!"corpus file missing"); continue; }
        for (line = data; line < data + len; line = end + 1) {
            olock_arena a;
            olock_json *c = NULL;
            const olock_json *steps, *st, *name;
            end = strchr(line, '\n');
            if (!end) end = data + len;
            if (end == line) continue;
            olock_arena_init(&a, NULL);
            if (olock_json_parse(&a, line, (size_t)(end - line), NULL, &c, NULL) != OLOCK_OK) {
                CHECK(!"corpus line is not JSON");
            } else {
                name = olock_json_get(c, "name");
                steps = olock_json_get(c, "steps");
                cases++;
                for (st = steps ? steps->first : NULL; st; st = st->next) check_step(name ? name->str : "?", st);
            }
            olock_arena_free(&a);
        }
        free(data);
    }
    printf("corpus: %d cases, %d responses decoded, %d errors classified, %d truncations rejected\n",
           cases, g_decoded, g_errors_classified, g_truncations);
    CHECK(cases >= 300);
    return TEST_MAIN_END();
}
