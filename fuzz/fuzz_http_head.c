/* libFuzzer target: olock-fakeserver's HTTP reader on untrusted bytes - the head parser, the
   framing checks, Jetty's error page and the chunk decoder (tools/olock-fakeserver.c, included
   whole without its main). The first input byte says how the bytes after the head are cut
   into reads; the rest is what a client sent.
   Checked, beyond the sanitizers: a head found whole is found whole, at the same length, when
   parsed again from its own bytes (the server parses it again to dispatch) and when its bytes
   arrive in pieces; its spans lie inside it; the chunk decoder gives the same body and the same
   end however the bytes are cut. */
#define OLOCK_FAKESERVER_NO_MAIN
#include "tools/olock-fakeserver.c"

#include <stdlib.h>

typedef struct fz_sink { char *data; size_t len, cap; } fz_sink;

static void fz_take(void *ctx, const char *p, size_t n)
{
    fz_sink *s = (fz_sink *)ctx;
    if (n > s->cap - s->len) abort();   /* the decoder handed over more than it was given */
    memcpy(s->data + s->len, p, n);
    s->len += n;
}

static void fz_span_inside(fs_span s, const char *buf, size_t len)
{
    if (s.n && (s.p < buf || s.p + s.n > buf + len)) abort();
}

/* Decodes in[0..n) in reads of `step` bytes (0: all at once); returns the bytes used. */
static size_t fz_decode(const char *in, size_t n, size_t step, fs_chunks *d, fz_sink *out)
{
    size_t at = 0;
    memset(d, 0, sizeof(*d));
    out->len = 0;
    while (at < n && d->state != FS_CHUNKS_DONE && d->state != FS_CHUNKS_BAD) {
        size_t piece = step && step < n - at ? step : n - at, used = fs_chunks_feed(d, in + at, piece, fz_take, out);
        if (used > piece) abort();
        if (used < piece && d->state != FS_CHUNKS_DONE && d->state != FS_CHUNKS_BAD) abort();
        at += used;
    }
    return at;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static fs_head h, again;
    const char *buf = (const char *)data + 1;
    size_t len, i, step;
    fs_refusal r;
    fs_parse p;
    if (size < 1) return 0;
    step = data[0] % 17;
    len = size - 1;
    p = fs_parse_head(buf, len, &h, &r);
    if (p == FS_PARSE_REFUSED) {
        olock_buf page;
        if (r.status < 400 || r.status > 599 || !memchr(r.message, 0, sizeof(r.message))) abort();
        olock_buf_init(&page, NULL);
        if (fs_append_page(&page, &r, &h) != 0) abort();
        olock_buf_free(&page);
        return 0;
    }
    if (p == FS_PARSE_MORE) {
        if (len >= FS_MAX_HEAD) abort();   /* a head that cannot end is refused, not waited for */
        return 0;
    }
    if (h.length == 0 || h.length > len || h.length > FS_MAX_HEAD || h.field_count > FS_MAX_FIELDS) abort();
    fz_span_inside(h.method, buf, h.length);
    fz_span_inside(h.target, buf, h.length);
    fz_span_inside(h.version, buf, h.length);
    for (i = 0; i < h.field_count; i++) {
        fz_span_inside(h.name[i], buf, h.length);
        fz_span_inside(h.value[i], buf, h.length);
    }
    /* the same head from its own bytes, and from a prefix of them: never a different answer */
    if (fs_parse_head(buf, h.length, &again, &r) != FS_PARSE_DONE || again.length != h.length ||
        again.field_count != h.field_count)
        abort();
    if (fs_parse_head(buf, h.length - 1, &again, &r) != FS_PARSE_MORE) abort();
    {
        fs_framing f;
        if (fs_check_framing(&h, &f, &r) != 0) {
            olock_buf page;
            olock_buf_init(&page, NULL);
            if (fs_append_page(&page, &r, &h) != 0) abort();
            olock_buf_free(&page);
            if (!r.stay_open) return 0;
        }
        if (f.chunked) {
            const char *body = buf + h.length;
            size_t n = len - h.length, used_whole, used_cut;
            fs_chunks whole, cut;
            fz_sink a, b;
            a.cap = b.cap = n;
            a.data = (char *)malloc(n + 1);
            b.data = (char *)malloc(n + 1);
            if (!a.data || !b.data) abort();
            used_whole = fz_decode(body, n, 0, &whole, &a);
            used_cut = fz_decode(body, n, step, &cut, &b);
            if (whole.state != cut.state || used_whole != used_cut || a.len != b.len || memcmp(a.data, b.data, a.len) != 0)
                abort();
            free(a.data);
            free(b.data);
        }
    }
    return 0;
}
