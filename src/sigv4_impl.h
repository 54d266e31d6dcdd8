/* =============================================================================================
   >>sigv4 (implementation)
   ========================================================================================== */

/* ---- SHA-256 and HMAC-SHA256 ------------------------------------------------------------- */


#ifndef OLOCK_USE_MBEDTLS

static const uint32_t olock__sha256_k[64] = {
    0x428a2f98u, 0x71374491u, 0xb5c0fbcfu, 0xe9b5dba5u, 0x3956c25bu, 0x59f111f1u, 0x923f82a4u, 0xab1c5ed5u,
    0xd807aa98u, 0x12835b01u, 0x243185beu, 0x550c7dc3u, 0x72be5d74u, 0x80deb1feu, 0x9bdc06a7u, 0xc19bf174u,
    0xe49b69c1u, 0xefbe4786u, 0x0fc19dc6u, 0x240ca1ccu, 0x2de92c6fu, 0x4a7484aau, 0x5cb0a9dcu, 0x76f988dau,
    0x983e5152u, 0xa831c66du, 0xb00327c8u, 0xbf597fc7u, 0xc6e00bf3u, 0xd5a79147u, 0x06ca6351u, 0x14292967u,
    0x27b70a85u, 0x2e1b2138u, 0x4d2c6dfcu, 0x53380d13u, 0x650a7354u, 0x766a0abbu, 0x81c2c92eu, 0x92722c85u,
    0xa2bfe8a1u, 0xa81a664bu, 0xc24b8b70u, 0xc76c51a3u, 0xd192e819u, 0xd6990624u, 0xf40e3585u, 0x106aa070u,
    0x19a4c116u, 0x1e376c08u, 0x2748774cu, 0x34b0bcb5u, 0x391c0cb3u, 0x4ed8aa4au, 0x5b9cca4fu, 0x682e6ff3u,
    0x748f82eeu, 0x78a5636fu, 0x84c87814u, 0x8cc70208u, 0x90befffau, 0xa4506cebu, 0xbef9a3f7u, 0xc67178f2u
};

#define OLOCK__ROR32(x, n) (((x) >> (n)) | ((x) << (32 - (n))))
#define OLOCK__SHA_S0(x) (OLOCK__ROR32(x, 2) ^ OLOCK__ROR32(x, 13) ^ OLOCK__ROR32(x, 22))
#define OLOCK__SHA_S1(x) (OLOCK__ROR32(x, 6) ^ OLOCK__ROR32(x, 11) ^ OLOCK__ROR32(x, 25))
#define OLOCK__SHA_G0(x) (OLOCK__ROR32(x, 7) ^ OLOCK__ROR32(x, 18) ^ ((x) >> 3))
#define OLOCK__SHA_G1(x) (OLOCK__ROR32(x, 17) ^ OLOCK__ROR32(x, 19) ^ ((x) >> 10))
#define OLOCK__SHA_CH(x, y, z) (((x) & ((y) ^ (z))) ^ (z))
#define OLOCK__SHA_MAJ(x, y, z) (((x) & (y)) | ((z) & ((x) | (y))))
/* Message word i >= 16, computed in a 16-word ring. */
#define OLOCK__SHA_W(i) (w[(i)&15] += OLOCK__SHA_G1(w[((i)-2) & 15]) + w[((i)-7) & 15] + \
                             OLOCK__SHA_G0(w[((i)-15) & 15]))
/* One round; the callers rotate the variable names instead of moving values. */
#define OLOCK__SHA_ROUND(a, b, c, d, e, f, g, h, i, wi) \
    do { \
        uint32_t t1_ = h + OLOCK__SHA_S1(e) + OLOCK__SHA_CH(e, f, g) + olock__sha256_k[i] + (wi); \
        d += t1_; \
        h = t1_ + OLOCK__SHA_S0(a) + OLOCK__SHA_MAJ(a, b, c); \
    } while (0)
#define OLOCK__SHA_ROUNDS8(i, W) \
    do { \
        OLOCK__SHA_ROUND(a, b, c, d, e, f, g, h, (i) + 0, W((i) + 0)); \
        OLOCK__SHA_ROUND(h, a, b, c, d, e, f, g, (i) + 1, W((i) + 1)); \
        OLOCK__SHA_ROUND(g, h, a, b, c, d, e, f, (i) + 2, W((i) + 2)); \
        OLOCK__SHA_ROUND(f, g, h, a, b, c, d, e, (i) + 3, W((i) + 3)); \
        OLOCK__SHA_ROUND(e, f, g, h, a, b, c, d, (i) + 4, W((i) + 4)); \
        OLOCK__SHA_ROUND(d, e, f, g, h, a, b, c, (i) + 5, W((i) + 5)); \
        OLOCK__SHA_ROUND(c, d, e, f, g, h, a, b, (i) + 6, W((i) + 6)); \
        OLOCK__SHA_ROUND(b, c, d, e, f, g, h, a, (i) + 7, W((i) + 7)); \
    } while (0)
#define OLOCK__SHA_WLOAD(i) (w[i])

static void olock__sha256_blocks_c(uint32_t st[8], const unsigned char *p, size_t nblocks) {
    uint32_t w[16];
    while (nblocks--) {
        uint32_t a = st[0], b = st[1], c = st[2], d = st[3], e = st[4], f = st[5], g = st[6], h = st[7];
        int i;
        for (i = 0; i < 16; i++)
            w[i] = ((uint32_t)p[4 * i] << 24) | ((uint32_t)p[4 * i + 1] << 16) |
                ((uint32_t)p[4 * i + 2] << 8) | (uint32_t)p[4 * i + 3];
        OLOCK__SHA_ROUNDS8(0, OLOCK__SHA_WLOAD);
        OLOCK__SHA_ROUNDS8(8, OLOCK__SHA_WLOAD);
        for (i = 16; i < 64; i += 8) OLOCK__SHA_ROUNDS8(i, OLOCK__SHA_W);
        st[0] += a;
        st[1] += b;
        st[2] += c;
        st[3] += d;
        st[4] += e;
        st[5] += f;
        st[6] += g;
        st[7] += h;
        p += 64;
    }
    /* The message schedule runs backwards to the block: for HMAC that is the key. */
    olock__wipe(w, sizeof w);
}

#ifdef OLOCK__SHA_NI
/* SHA256RNDS2 works on the state as two registers, ABEF and CDGH (A in the top lane), does two
   rounds per instruction and returns the new ABEF; the old ABEF is then the new CDGH, so the
   two variables swap roles on every call. SHA256MSG1/MSG2 compute the message schedule four
   words at a time. */
__attribute__((target("sha,ssse3,sse4.1"))) static void olock__sha256_blocks_ni(uint32_t st[8], const unsigned char *p, size_t nblocks) {
    const __m128i bswap = _mm_set_epi64x(0x0c0d0e0f08090a0bLL, 0x0405060700010203LL);
    __m128i lo = _mm_shuffle_epi32(_mm_loadu_si128((const __m128i *)(const void *)st), 0xB1);       /* B A D C */
    __m128i hi = _mm_shuffle_epi32(_mm_loadu_si128((const __m128i *)(const void *)(st + 4)), 0x1B); /* H G F E */
    __m128i abef = _mm_alignr_epi8(lo, hi, 8);                                                      /* lanes F E B A */
    __m128i cdgh = _mm_blend_epi16(hi, lo, 0xF0);                                                   /* lanes H G D C */
    while (nblocks--) {
        __m128i abef0 = abef, cdgh0 = cdgh, m0, m1, m2, m3, wk;
#define OLOCK__NI_ROUNDS4(m, g) \
    do { \
        wk = _mm_add_epi32((m), _mm_loadu_si128((const __m128i *)(const void *)(olock__sha256_k + 4 * (g)))); \
        cdgh = _mm_sha256rnds2_epu32(cdgh, abef, wk); \
        abef = _mm_sha256rnds2_epu32(abef, cdgh, _mm_shuffle_epi32(wk, 0x0E)); \
    } while (0)
/* m_new = W[i..i+3] from m_old (i-16), m_1 (i-12), m_2 (i-8), m_3 (i-4); written over m_old. */
#define OLOCK__NI_SCHED(m_old, m_1, m_2, m_3) \
    (m_old = _mm_sha256msg2_epu32(_mm_add_epi32(_mm_sha256msg1_epu32(m_old, m_1), \
                                                _mm_alignr_epi8(m_3, m_2, 4)), \
                                  m_3))
        m0 = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(const void *)p), bswap);
        m1 = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(const void *)(p + 16)), bswap);
        m2 = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(const void *)(p + 32)), bswap);
        m3 = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(const void *)(p + 48)), bswap);
        OLOCK__NI_ROUNDS4(m0, 0);
        OLOCK__NI_ROUNDS4(m1, 1);
        OLOCK__NI_ROUNDS4(m2, 2);
        OLOCK__NI_ROUNDS4(m3, 3);
        OLOCK__NI_SCHED(m0, m1, m2, m3);
        OLOCK__NI_ROUNDS4(m0, 4);
        OLOCK__NI_SCHED(m1, m2, m3, m0);
        OLOCK__NI_ROUNDS4(m1, 5);
        OLOCK__NI_SCHED(m2, m3, m0, m1);
        OLOCK__NI_ROUNDS4(m2, 6);
        OLOCK__NI_SCHED(m3, m0, m1, m2);
        OLOCK__NI_ROUNDS4(m3, 7);
        OLOCK__NI_SCHED(m0, m1, m2, m3);
        OLOCK__NI_ROUNDS4(m0, 8);
        OLOCK__NI_SCHED(m1, m2, m3, m0);
        OLOCK__NI_ROUNDS4(m1, 9);
        OLOCK__NI_SCHED(m2, m3, m0, m1);
        OLOCK__NI_ROUNDS4(m2, 10);
        OLOCK__NI_SCHED(m3, m0, m1, m2);
        OLOCK__NI_ROUNDS4(m3, 11);
        OLOCK__NI_SCHED(m0, m1, m2, m3);
        OLOCK__NI_ROUNDS4(m0, 12);
        OLOCK__NI_SCHED(m1, m2, m3, m0);
        OLOCK__NI_ROUNDS4(m1, 13);
        OLOCK__NI_SCHED(m2, m3, m0, m1);
        OLOCK__NI_ROUNDS4(m2, 14);
        OLOCK__NI_SCHED(m3, m0, m1, m2);
        OLOCK__NI_ROUNDS4(m3, 15);
#undef OLOCK__NI_ROUNDS4
#undef OLOCK__NI_SCHED
        abef = _mm_add_epi32(abef, abef0);
        cdgh = _mm_add_epi32(cdgh, cdgh0);
        p += 64;
    }
    lo = _mm_shuffle_epi32(abef, 0x1B);                                        /* A B E F */
    hi = _mm_shuffle_epi32(cdgh, 0xB1);                                        /* G H C D */
    _mm_storeu_si128((__m128i *)(void *)st, _mm_blend_epi16(lo, hi, 0xF0));    /* A B C D */
    _mm_storeu_si128((__m128i *)(void *)(st + 4), _mm_alignr_epi8(hi, lo, 8)); /* E F G H */
}

/* 1 when the CPU has the SHA extensions (and SSSE3 / SSE4.1). */
static int olock__sha256_have_ni(void) {
    return (olock__cpu_features() & OLOCK__CPU_SHA) != 0;
}
#endif

static void olock__sha256_blocks(uint32_t st[8], const unsigned char *p, size_t nblocks) {
#ifdef OLOCK__SHA_NI
    if (olock__sha256_have_ni()) {
        olock__sha256_blocks_ni(st, p, nblocks);
        return;
    }
#endif
    olock__sha256_blocks_c(st, p, nblocks);
}

OLOCK_API void olock_sha256_init(olock_sha256 *ctx) {
    static const uint32_t iv[8] = { 0x6a09e667u, 0xbb67ae85u, 0x3c6ef372u, 0xa54ff53au,
                                    0x510e527fu, 0x9b05688cu, 0x1f83d9abu, 0x5be0cd19u };
    memcpy(ctx->state, iv, sizeof iv);
    ctx->count = 0;
}

OLOCK_API void olock_sha256_update(olock_sha256 *ctx, const void *data, size_t len) {
    const unsigned char *p = (const unsigned char *)data;
    size_t fill = (size_t)(ctx->count & 63u);
    if (len == 0) return;
    ctx->count += len;
    if (fill) {
        size_t take = 64 - fill;
        if (take > len) take = len;
        memcpy(ctx->block + fill, p, take);
        p += take;
        len -= take;
        if (fill + take < 64) return;
        olock__sha256_blocks(ctx->state, ctx->block, 1);
    }
    if (len >= 64) {
        size_t n = len / 64;
        olock__sha256_blocks(ctx->state, p, n);
        p += n * 64;
        len -= n * 64;
    }
    if (len) memcpy(ctx->block, p, len);
}

/* Big-endian store, written so that compilers make it one byte-swapping store. */
static void olock__sha256_be32(unsigned char *p, uint32_t v) {
    p[0] = (unsigned char)(v >> 24);
    p[1] = (unsigned char)(v >> 16);
    p[2] = (unsigned char)(v >> 8);
    p[3] = (unsigned char)v;
}

OLOCK_API void olock_sha256_final(olock_sha256 *ctx, unsigned char out[OLOCK_SHA256_SIZE]) {
    size_t fill = (size_t)(ctx->count & 63u);
    uint64_t bits = ctx->count << 3;
    ctx->block[fill++] = 0x80;
    if (fill > 56) {
        memset(ctx->block + fill, 0, 64 - fill);
        olock__sha256_blocks(ctx->state, ctx->block, 1);
        fill = 0;
    }
    memset(ctx->block + fill, 0, 56 - fill);
    olock__sha256_be32(ctx->block + 56, (uint32_t)(bits >> 32));
    olock__sha256_be32(ctx->block + 60, (uint32_t)bits);
    olock__sha256_blocks(ctx->state, ctx->block, 1);
    olock__sha256_be32(out, ctx->state[0]);
    olock__sha256_be32(out + 4, ctx->state[1]);
    olock__sha256_be32(out + 8, ctx->state[2]);
    olock__sha256_be32(out + 12, ctx->state[3]);
    olock__sha256_be32(out + 16, ctx->state[4]);
    olock__sha256_be32(out + 20, ctx->state[5]);
    olock__sha256_be32(out + 24, ctx->state[6]);
    olock__sha256_be32(out + 28, ctx->state[7]);
    /* It may have hashed a key (HMAC, or a long key hashed first): wipe it, as mbedTLS's
       free does on the other branch. */
    olock__wipe(ctx, sizeof *ctx);
}

OLOCK_API void olock_sha256_digest(const void *data, size_t len, unsigned char out[OLOCK_SHA256_SIZE]) {
    olock_sha256 ctx;
    olock_sha256_init(&ctx);
    olock_sha256_update(&ctx, data, len);
    olock_sha256_final(&ctx, out);
}

static void olock__sha256_clone(olock_sha256 *dst, const olock_sha256 *src) {
    *dst = *src;
}

#else /* OLOCK_USE_MBEDTLS */

/* mbedTLS reports errors only for hardware back ends; a software SHA-256 cannot fail. */
OLOCK_API void olock_sha256_init(olock_sha256 *ctx) {
    mbedtls_sha256_init(&ctx->md);
    (void)OLOCK__MBED_SHA256_STARTS(&ctx->md);
}

OLOCK_API void olock_sha256_update(olock_sha256 *ctx, const void *data, size_t len) {
    if (len == 0) return;
    (void)OLOCK__MBED_SHA256_UPDATE(&ctx->md, (const unsigned char *)data, len);
}

OLOCK_API void olock_sha256_final(olock_sha256 *ctx, unsigned char out[OLOCK_SHA256_SIZE]) {
    (void)OLOCK__MBED_SHA256_FINISH(&ctx->md, out);
    mbedtls_sha256_free(&ctx->md);
}

OLOCK_API void olock_sha256_digest(const void *data, size_t len, unsigned char out[OLOCK_SHA256_SIZE]) {
    const mbedtls_md_info_t *info = mbedtls_md_info_from_type(MBEDTLS_MD_SHA256);
    olock_sha256 ctx;
    if (info && mbedtls_md(info, (const unsigned char *)data, len, out) == 0) return;
    olock_sha256_init(&ctx);
    olock_sha256_update(&ctx, data, len);
    olock_sha256_final(&ctx, out);
}

static void olock__sha256_clone(olock_sha256 *dst, const olock_sha256 *src) {
    mbedtls_sha256_init(&dst->md);
    mbedtls_sha256_clone(&dst->md, &src->md);
}

#endif /* OLOCK_USE_MBEDTLS */

OLOCK_API void olock_hmac_sha256_init(olock_hmac_sha256 *ctx, const void *key, size_t key_len) {
    unsigned char k[64], pad[64];
    size_t i;
    memset(k, 0, sizeof k);
    if (key_len > 64) olock_sha256_digest(key, key_len, k);
    else if (key_len) memcpy(k, key, key_len);
    for (i = 0; i < 64; i++) pad[i] = (unsigned char)(k[i] ^ 0x36u);
    olock_sha256_init(&ctx->inner);
    olock_sha256_update(&ctx->inner, pad, 64);
    for (i = 0; i < 64; i++) pad[i] = (unsigned char)(k[i] ^ 0x5cu);
    olock_sha256_init(&ctx->outer);
    olock_sha256_update(&ctx->outer, pad, 64);
    olock__wipe(k, sizeof k);
    olock__wipe(pad, sizeof pad);
}

OLOCK_API void olock_hmac_sha256_update(olock_hmac_sha256 *ctx, const void *data, size_t len) {
    olock_sha256_update(&ctx->inner, data, len);
}

OLOCK_API void olock_hmac_sha256_final(olock_hmac_sha256 *ctx, unsigned char out[OLOCK_SHA256_SIZE]) {
    unsigned char ih[OLOCK_SHA256_SIZE];
    olock_sha256_final(&ctx->inner, ih);
    olock_sha256_update(&ctx->outer, ih, sizeof ih);
    olock_sha256_final(&ctx->outer, out);
    olock__wipe(ih, sizeof ih);
    olock__wipe(ctx, sizeof *ctx);
}

/* HMAC on the streaming primitives: never allocates, also with mbedTLS (whose one-shot
   mbedtls_md_hmac allocates through its own calloc, outside our allocator). */
static void olock__hmac_sha256_stream(const void *key, size_t key_len, const void *data, size_t len,
                                      unsigned char out[OLOCK_SHA256_SIZE]) {
    olock_hmac_sha256 ctx;
    olock_hmac_sha256_init(&ctx, key, key_len);
    olock_hmac_sha256_update(&ctx, data, len);
    olock_hmac_sha256_final(&ctx, out);
}

OLOCK_API void olock_hmac_sha256_digest(const void *key, size_t key_len, const void *data, size_t len,
                                        unsigned char out[OLOCK_SHA256_SIZE]) {
#ifdef OLOCK_USE_MBEDTLS
    const mbedtls_md_info_t *info = mbedtls_md_info_from_type(MBEDTLS_MD_SHA256);
    static const unsigned char none = 0;
    /* mbedTLS wants non-NULL pointers even for empty inputs. */
    if (info && mbedtls_md_hmac(info, key_len ? (const unsigned char *)key : &none, key_len, len ? (const unsigned char *)data : &none, len, out) == 0)
        return;
#endif
    olock__hmac_sha256_stream(key, key_len, data, len, out);
}

/* Four bytes to their eight hex digits, as one word (the first digit in the top byte): each
   nibble is spread into a byte of its own, then 0-9 become '0'-'9' and 10-15 'a'-'f' in all
   eight bytes at once (a nibble of 10 or more carries into bit 4 when 6 is added). */
static uint64_t olock__hex_word(uint32_t x) {
    const uint64_t ones = 0x0101010101010101u;
    uint64_t v = x;
    v = (v | v << 16) & 0x0000FFFF0000FFFFu;
    v = (v | v << 8) & 0x00FF00FF00FF00FFu;
    v = (v | v << 4) & 0x0F0F0F0F0F0F0F0Fu;
    return v + ones * '0' + (((v + ones * 6) >> 4) & ones) * ('a' - '0' - 10);
}

/* olock_hex_encode without SIMD: four bytes at a time, then one by one. */
static void olock__hex_portable(const unsigned char *p, size_t len, char *out) {
    static const char digits[] = "0123456789abcdef";
    size_t i = 0;
    for (; i + 4 <= len; i += 4, out += 8) {
        uint64_t v = olock__hex_word((uint32_t)p[i] << 24 | (uint32_t)p[i + 1] << 16 | (uint32_t)p[i + 2] << 8 | p[i + 3]);
        out[0] = (char)(v >> 56); /* compilers make these one store */
        out[1] = (char)(v >> 48);
        out[2] = (char)(v >> 40);
        out[3] = (char)(v >> 32);
        out[4] = (char)(v >> 24);
        out[5] = (char)(v >> 16);
        out[6] = (char)(v >> 8);
        out[7] = (char)v;
    }
    for (; i < len; i++, out += 2) {
        out[0] = digits[p[i] >> 4];
        out[1] = digits[p[i] & 15];
    }
    *out = '\0';
}

OLOCK_API void olock_hex_encode(const void *data, size_t len, char *out) {
    const unsigned char *p = (const unsigned char *)data;
#ifdef OLOCK__SSE2
    /* Sixteen bytes at a time: high and low nibbles interleaved, then '0' added to each and
       'a' - '0' - 10 more to those above 9. */
    const __m128i nibble = _mm_set1_epi8(0x0f), nine = _mm_set1_epi8(9), zero = _mm_set1_epi8('0');
    const __m128i gap = _mm_set1_epi8('a' - '0' - 10);
    for (; len >= 16; p += 16, len -= 16, out += 32) {
        __m128i v = _mm_loadu_si128((const __m128i *)(const void *)p);
        __m128i hi = _mm_and_si128(_mm_srli_epi16(v, 4), nibble), lo = _mm_and_si128(v, nibble);
        __m128i a = _mm_unpacklo_epi8(hi, lo), b = _mm_unpackhi_epi8(hi, lo);
        a = _mm_add_epi8(_mm_add_epi8(a, zero), _mm_and_si128(_mm_cmpgt_epi8(a, nine), gap));
        b = _mm_add_epi8(_mm_add_epi8(b, zero), _mm_and_si128(_mm_cmpgt_epi8(b, nine), gap));
        _mm_storeu_si128((__m128i *)(void *)out, a);
        _mm_storeu_si128((__m128i *)(void *)(out + 16), b);
    }
#endif
    olock__hex_portable(p, len, out);
}

/* ---- SigV4 signing ------------------------------------------------------------------------ */

#define OLOCK__SIGV4_ALGORITHM "AWS4-HMAC-SHA256"
#define OLOCK__SIGV4_MAX_TIME 253402300799 /* 9999-12-31T23:59:59Z: the date has four year digits */

/* a += b; 0 on overflow. */
static int olock__sigv4_size_add(size_t *a, size_t b) {
    if (b > (size_t)-1 - *a) return 0;
    *a += b;
    return 1;
}

/* a * b (b small); 0 on overflow. */
static int olock__sigv4_size_mul(size_t a, size_t b, size_t *out) {
    if (b != 0 && a > (size_t)-1 / b) return 0;
    *out = a * b;
    return 1;
}

/* RFC 9110 token characters: what a header name or a method may contain. */
static int olock__sigv4_tchar(unsigned char c) {
    if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) return 1;
    switch (c) {
    case '!':
    case '#':
    case '$':
    case '%':
    case '&':
    case '\'':
    case '*':
    case '+':
    case '-':
    case '.':
    case '^':
    case '_':
    case '`':
    case '|':
    case '~':
        return 1;
    default:
        return 0;
    }
}

static int olock__sigv4_is_token(const char *s, size_t *len) {
    size_t n = 0;
    if (!s || !*s) return 0;
    while (s[n]) {
        if (!olock__sigv4_tchar((unsigned char)s[n])) return 0;
        n++;
    }
    *len = n;
    return 1;
}

static char *olock__sigv4_put_pct(char *p, unsigned char c) {
    static const char hex[] = "0123456789ABCDEF";
    p[0] = '%';
    p[1] = hex[c >> 4];
    p[2] = hex[c & 15u];
    return p + 3;
}

/* Percent-encodes every byte but the unreserved ones (and '/' when keep_slash): at most 3n bytes. */
static char *olock__sigv4_encode(char *p, const char *s, size_t n, int keep_slash) {
    size_t i;
    for (i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (olock__url_unreserved(c) || (keep_slash && c == '/')) *p++ = (char)c;
        else p = olock__sigv4_put_pct(p, c);
    }
    return p;
}

/* Canonical URI: at most 3 * len + 2 bytes. The path is what goes on the wire (already
   encoded once); encoding it again is SigV4's double encoding for non-S3 services.
   Normalising drops empty, "." and ".." segments (".." above the root is dropped too)
   and keeps a trailing '/' only when the path has one. */
static char *olock__sigv4_put_path(char *p, const char *path, size_t len, int normalize) {
    char *root = p;
    size_t i = 0;
    if (!normalize) return olock__sigv4_encode(p, path, len, 1);
    *p++ = '/';
    while (i < len) {
        size_t j = i;
        while (j < len && path[j] != '/') j++;
        if (j - i == 2 && path[i] == '.' && path[i + 1] == '.') {
            while (p > root + 1 && p[-1] != '/') p--;
            if (p > root + 1) p--; /* the separator before the dropped segment */
        } else if (!(j == i || (j - i == 1 && path[i] == '.'))) {
            if (p > root + 1) *p++ = '/';
            p = olock__sigv4_encode(p, path + i, j - i, 0);
        }
        i = j + 1;
    }
    if (len > 0 && path[len - 1] == '/' && p > root + 1) *p++ = '/';
    return p;
}

/* Decodes valid %XX sequences (a stray '%' stays literal) and encodes the result: <= 3n bytes. */
static char *olock__sigv4_requery(char *p, const char *s, size_t n) {
    size_t i;
    for (i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '%' && i + 2 < n) {
            int hi = olock__hex_value((unsigned char)s[i + 1]);
            int lo = olock__hex_value((unsigned char)s[i + 2]);
            if (hi >= 0 && lo >= 0) {
                c = (unsigned char)(hi * 16 + lo);
                i += 2;
            }
        }
        if (olock__url_unreserved(c)) *p++ = (char)c;
        else p = olock__sigv4_put_pct(p, c);
    }
    return p;
}

typedef struct olock__sigv4_param {
    size_t name_off, name_len, value_off, value_len;
} olock__sigv4_param;

static int olock__sigv4_param_less(const olock_buf *b, const olock__sigv4_param *x, const olock__sigv4_param *y) {
    size_t n = x->name_len < y->name_len ? x->name_len : y->name_len;
    int c = memcmp(b->data + x->name_off, b->data + y->name_off, n);
    if (c != 0) return c < 0;
    if (x->name_len != y->name_len) return x->name_len < y->name_len;
    n = x->value_len < y->value_len ? x->value_len : y->value_len;
    c = memcmp(b->data + x->value_off, b->data + y->value_off, n);
    if (c != 0) return c < 0;
    return x->value_len < y->value_len;
}

/* Encodes the query parameters into s->query and sorts them; *total is the canonical length. */
static olock_result olock__sigv4_query(olock_sigv4_signer *s, const char *q, olock__sigv4_param *params,
                                       size_t *count, size_t *total, olock_error *err) {
    size_t n = 0, len, need, i, sum = 0;
    olock_result r;
    char *p;
    *count = 0;
    *total = 0;
    olock_buf_clear(&s->query);
    if (!q || !*q) return OLOCK_OK;
    len = strlen(q);
    if (!olock__sigv4_size_mul(len, 3, &need) || !olock__sigv4_size_add(&need, 1)) {
        olock__error_set(err, OLOCK_ERR_LIMIT, "query string too long");
        return OLOCK_ERR_LIMIT;
    }
    r = olock_buf_reserve(&s->query, need);
    if (r != OLOCK_OK) {
        olock__error_set(err, r, "cannot allocate the canonical query");
        return r;
    }
    p = s->query.data;
    i = 0;
    while (i < len) {
        size_t j = i, eq;
        while (j < len && q[j] != '&') j++;
        if (j > i) {
            if (n == OLOCK_SIGV4_MAX_QUERY_PARAMS) {
                olock__error_set(err, OLOCK_ERR_LIMIT, "more than %d query parameters", OLOCK_SIGV4_MAX_QUERY_PARAMS);
                return OLOCK_ERR_LIMIT;
            }
            eq = i;
            while (eq < j && q[eq] != '=') eq++;
            params[n].name_off = (size_t)(p - s->query.data);
            p = olock__sigv4_requery(p, q + i, eq - i);
            params[n].name_len = (size_t)(p - s->query.data) - params[n].name_off;
            params[n].value_off = (size_t)(p - s->query.data);
            if (eq < j) p = olock__sigv4_requery(p, q + eq + 1, j - eq - 1);
            params[n].value_len = (size_t)(p - s->query.data) - params[n].value_off;
            sum += params[n].name_len + 1 + params[n].value_len + (n ? 1 : 0); /* <= 4 * len */
            n++;
        }
        i = j + 1;
    }
    *p = '\0';
    s->query.len = (size_t)(p - s->query.data);
    for (i = 1; i < n; i++) { /* insertion sort: few parameters, and stable */
        olock__sigv4_param t = params[i];
        size_t k = i;
        while (k > 0 && olock__sigv4_param_less(&s->query, &t, &params[k - 1])) {
            params[k] = params[k - 1];
            k--;
        }
        params[k] = t;
    }
    *count = n;
    *total = sum;
    return OLOCK_OK;
}

/* The ASCII capitals of 8 bytes, each below 0x80 (token characters), to lower case at once:
   c + 0x3f reaches 0x80 from 'A' on, c + 0x25 from 'Z' + 1 on, and neither sum carries into
   the next byte. */
static uint64_t olock__sigv4_lower8(uint64_t x) {
    uint64_t upper = (x + 0x3f3f3f3f3f3f3f3fu) & ~(x + 0x2525252525252525u) & 0x8080808080808080u;
    return x | upper >> 2;
}

/* Writes the token s[0 .. n) in lower case, 8 bytes at a time. */
static char *olock__sigv4_put_lower(char *p, const char *s, size_t n) {
    uint64_t w;
    for (; n >= 8; n -= 8, s += 8, p += 8) {
        memcpy(&w, s, 8);
        w = olock__sigv4_lower8(w);
        memcpy(p, &w, 8);
    }
    for (; n; n--) *p++ = (char)olock__ascii_lower((unsigned char)*s++);
    return p;
}

typedef struct olock__sigv4_hdr {
    const char *name;
    size_t name_len;
    const char *value;
    size_t value_len;
    uint64_t key; /* the name's first 8 bytes in lower case, big-endian, zero-padded: sorts as they do */
    size_t given; /* its index as given (the signer's own after the caller's) */
} olock__sigv4_hdr;

static void olock__sigv4_set_key(olock__sigv4_hdr *h) {
    unsigned char b[8] = { 0 };
    olock__sigv4_put_lower((char *)b, h->name, h->name_len < 8 ? h->name_len : 8);
    h->key = (uint64_t)b[0] << 56 | (uint64_t)b[1] << 48 | (uint64_t)b[2] << 40 | (uint64_t)b[3] << 32 |
        (uint64_t)b[4] << 24 | (uint64_t)b[5] << 16 | (uint64_t)b[6] << 8 | (uint64_t)b[7];
}

/* Names compare by their keys; past the first 8 bytes (a token has no NUL, so equal keys mean
   equal first min(8, length) bytes), byte by byte. */
static int olock__sigv4_name_cmp(const olock__sigv4_hdr *x, const olock__sigv4_hdr *y) {
    size_t i, n = x->name_len < y->name_len ? x->name_len : y->name_len;
    if (x->key != y->key) return x->key < y->key ? -1 : 1;
    for (i = 8; i < n; i++) {
        unsigned char a = (unsigned char)olock__ascii_lower((unsigned char)x->name[i]), b = (unsigned char)olock__ascii_lower((unsigned char)y->name[i]);
        if (a != b) return a < b ? -1 : 1;
    }
    return x->name_len == y->name_len ? 0 : (x->name_len < y->name_len ? -1 : 1);
}

static int olock__sigv4_ws(char c) {
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* Non-zero exactly when a byte of w is at or below ' ' (a borrow can only mark bytes above
   the first such byte). */
static uint64_t olock__sigv4_low8(uint64_t w) {
    return (w - 0x2121212121212121u) & ~w & 0x8080808080808080u;
}

/* Trims the value and collapses each inner run of whitespace (folded lines included) into one space.
   A value with no byte at or below ' ' (every value olock's client signs) is copied as it is,
   checked 8 bytes at a time. */
static char *olock__sigv4_put_value(char *p, const char *v, size_t n) {
    size_t i = 0;
    uint64_t w, low = 0;
    for (; i + 8 <= n && !low; i += 8) {
        memcpy(&w, v + i, 8);
        low = olock__sigv4_low8(w);
    }
    if (!low && i < n) {
        w = 0x4141414141414141u; /* padding that is not low */
        memcpy(&w, v + i, n - i);
        low = olock__sigv4_low8(w);
    }
    if (!low) return olock__put(p, v, n);
    i = 0;
    while (n > 0 && olock__sigv4_ws(v[n - 1])) n--;
    while (i < n && olock__sigv4_ws(v[i])) i++;
    while (i < n) {
        unsigned char c = (unsigned char)v[i++];
        if (c > ' ' || !olock__sigv4_ws((char)c)) {
            *p++ = (char)c;
            continue;
        }
        *p++ = ' ';
        while (olock__sigv4_ws(v[i])) i++; /* stops before n: the value ends in a non-space */
    }
    return p;
}

/* The signer's own headers a request adds besides X-Amz-Date (olock__sigv4_names.mode). */
#define OLOCK__SIGV4_OWN_TOKEN 1u /* X-Amz-Security-Token, signed */
#define OLOCK__SIGV4_OWN_BODY 2u  /* x-amz-content-sha256 */

/* Whether req gives the header names s->names was made from, byte for byte and in order, with
   a value for each; fills hv[0 .. count) with the names and values when it does. */
static int olock__sigv4_names_same(const olock__sigv4_names *k, const olock_sigv4_request *req, unsigned mode,
                                   olock__sigv4_hdr *hv) {
    const char *g = k->given, *end = k->given + k->given_len;
    size_t i;
    if (!k->count || k->count != req->header_count || k->mode != mode) return 0;
    for (i = 0; i < req->header_count; i++) {
        const olock_http_header *h = &req->headers[i];
        size_t n;
        if (!h->name || !h->value) return 0;
        n = strlen(h->name);
        if ((size_t)(end - g) < n + 1 || memcmp(g, h->name, n + 1) != 0) return 0;
        g += n + 1;
        hv[i].name = h->name;
        hv[i].name_len = n;
        hv[i].value = h->value;
        hv[i].value_len = strlen(h->value);
    }
    return g == end;
}

/* Keeps the names of the sorted headers hv[0 .. nh) (count of them the caller's, as given in
   req) for the next request: their order and the SignedHeaders list with each name
   lower-cased once, and where in it each sorted name is (a repeated name shares the offset of
   the one before). Requests too large to keep leave nothing kept. */
static void olock__sigv4_names_keep(olock__sigv4_names *k, const olock_sigv4_request *req, unsigned mode,
                                    const olock__sigv4_hdr *hv, size_t nh) {
    size_t i, g = 0, o = 0;
    k->count = 0;
    if (req->header_count == 0 || req->header_count > OLOCK__SIGV4_NAMES_HEADERS) return;
    for (i = 0; i < req->header_count; i++) {
        size_t n = strlen(req->headers[i].name) + 1;
        if (n > sizeof k->given - g) return;
        memcpy(k->given + g, req->headers[i].name, n);
        g += n;
    }
    for (i = 0; i < nh; i++) {
        k->order[i] = (unsigned char)hv[i].given;
        if (i && olock__sigv4_name_cmp(&hv[i], &hv[i - 1]) == 0) {
            k->name_off[i] = k->name_off[i - 1];
            continue;
        }
        if (o + (i ? 1 : 0) + hv[i].name_len > 255) return; /* offsets are bytes */
        if (i) k->lower[o++] = ';';
        k->name_off[i] = (unsigned char)o;
        o = (size_t)(olock__sigv4_put_lower(k->lower + o, hv[i].name, hv[i].name_len) - k->lower);
    }
    k->given_len = g;
    k->signed_len = o;
    k->mode = mode;
    k->count = req->header_count;
}

/* Days since 1970-01-01 to "YYYYMMDD" (years 1970..9999). */
static void olock__sigv4_civil_date(int64_t days, char out[9]) {
    static const unsigned char mdays[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
    int64_t year = 1970;
    int month = 0, i;
    while (days >= 146097) { /* every 400 Gregorian years have 146097 days */
        days -= 146097;
        year += 400;
    }
    for (;;) {
        int leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
        int64_t n = leap ? 366 : 365;
        if (days < n) break;
        days -= n;
        year++;
    }
    for (;;) {
        int leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
        int64_t n = mdays[month] + (month == 1 && leap ? 1 : 0);
        if (days < n) break;
        days -= n;
        month++;
    }
    for (i = 3; i >= 0; i--) {
        out[i] = (char)('0' + year % 10);
        year /= 10;
    }
    out[4] = (char)('0' + (month + 1) / 10);
    out[5] = (char)('0' + (month + 1) % 10);
    out[6] = (char)('0' + (days + 1) / 10);
    out[7] = (char)('0' + (days + 1) % 10);
    out[8] = '\0';
}

/* Absorbs text[0 .. len) into *ctx, which starts as a copy of *start (the same start on
   every call with r), resuming after the whole 64-byte blocks text shares with the text of
   r's previous call. The blocks it shares are the ones worth a state for the next call. */
static void olock__sigv4_resume_hash(olock__sigv4_resume *r, const olock_sha256 *start, const char *text, size_t len,
                                     olock_sha256 *ctx) {
    const unsigned char *p = (const unsigned char *)text;
    size_t whole = len / 64 < OLOCK__SIGV4_RESUME_BLOCKS ? len / 64 : OLOCK__SIGV4_RESUME_BLOCKS;
    size_t same = 0, k;
    while (same < r->blocks && same < whole && memcmp(p + 64 * same, r->text + 64 * same, 64) == 0) same++;
    k = same < r->states ? same : r->states;
    olock__sha256_clone(ctx, k ? &r->after[k - 1] : start);
    for (; k < same; k++) { /* shared, but not hashed to a state before */
        olock_sha256_update(ctx, p + 64 * k, 64);
        olock__sha256_clone(&r->after[k], ctx);
    }
    r->states = same;
    memcpy(r->text + 64 * same, p + 64 * same, 64 * (whole - same));
    r->blocks = whole;
    olock_sha256_update(ctx, p + 64 * same, len - 64 * same);
}

/* The SHA-256 of text, hashed from a fresh state with olock__sigv4_resume_hash. */
static void olock__sigv4_resume_digest(olock__sigv4_resume *r, const char *text, size_t len,
                                       unsigned char digest[OLOCK_SHA256_SIZE]) {
    olock_sha256 fresh, h;
    olock_sha256_init(&fresh);
    olock__sigv4_resume_hash(r, &fresh, text, len, &h);
    olock_sha256_final(&h, digest);
    olock__wipe(&fresh, sizeof fresh); /* never finalised: with mbedTLS, its free is a wipe */
}

static void olock__sigv4_resume_drop(olock__sigv4_resume *r) {
    olock__wipe(r, sizeof *r);
}

static void olock__sigv4_drop_key(olock_sigv4_signer *s) {
    olock__wipe(&s->key_hmac, sizeof s->key_hmac);
    olock__sigv4_resume_drop(&s->sts_resume); /* its states hold the key's inner pad */
    s->key_valid = 0;
}

/* kSigning = HMAC(HMAC(HMAC(HMAC("AWS4" + secret, date), region), service), "aws4_request"),
   kept as an HMAC context with the key pads absorbed, so each signature costs no key setup. */
static void olock__sigv4_derive_key(olock_sigv4_signer *s) {
    unsigned char k[OLOCK_SHA256_SIZE];
    const char *secret = s->secrets + s->akid_len + 1;
    olock__hmac_sha256_stream(secret, s->secret_len, s->date_text, 8, k);
    olock__hmac_sha256_stream(k, sizeof k, s->region, s->region_len, k);
    olock__hmac_sha256_stream(k, sizeof k, s->service, s->service_len, k);
    olock__hmac_sha256_stream(k, sizeof k, "aws4_request", 12, k);
    olock_hmac_sha256_init(&s->key_hmac, k, sizeof k);
    olock__sigv4_resume_drop(&s->sts_resume); /* states of the previous key */
    olock__wipe(k, sizeof k);
    memcpy(s->key_date, s->date_text, 9);
    s->key_valid = 1;
    s->key_derivations++;
}

static olock_result olock__sigv4_store_credentials(olock_sigv4_signer *s, const olock_credentials *creds,
                                                   olock_error *err) {
    size_t akid_len = 0, secret_len, token_len = 0, size = 0, i;
    char *block;
    int same_secret;
    if (!creds || !creds->access_key_id || !creds->secret_access_key) {
        olock__error_set(err, OLOCK_ERR_INVALID_ARG, "credentials need an access key id and a secret access key");
        return OLOCK_ERR_INVALID_ARG;
    }
    /* The key id goes into "Credential=<id>/<scope>," and the token into a header value. */
    for (akid_len = 0; creds->access_key_id[akid_len]; akid_len++) {
        unsigned char c = (unsigned char)creds->access_key_id[akid_len];
        if (c <= 0x20 || c >= 0x7f || c == '/' || c == ',' || c == ';' || c == '=') {
            olock__error_set(err, OLOCK_ERR_INVALID_ARG, "the access key id contains a character that is not allowed");
            return OLOCK_ERR_INVALID_ARG;
        }
    }
    secret_len = strlen(creds->secret_access_key);
    if (akid_len == 0 || secret_len == 0) {
        olock__error_set(err, OLOCK_ERR_INVALID_ARG, "the access key id and the secret access key must not be empty");
        return OLOCK_ERR_INVALID_ARG;
    }
    if (creds->session_token) {
        for (token_len = 0; creds->session_token[token_len]; token_len++) {
            unsigned char c = (unsigned char)creds->session_token[token_len];
            if (c <= 0x20 || c >= 0x7f) {
                olock__error_set(err, OLOCK_ERR_INVALID_ARG, "the session token contains a character that is not allowed");
                return OLOCK_ERR_INVALID_ARG;
            }
        }
    }
    if (!olock__sigv4_size_add(&size, akid_len) || !olock__sigv4_size_add(&size, secret_len) ||
        !olock__sigv4_size_add(&size, token_len) || !olock__sigv4_size_add(&size, 4 + 3)) {
        olock__error_set(err, OLOCK_ERR_LIMIT, "credentials too long");
        return OLOCK_ERR_LIMIT;
    }
    block = (char *)olock__alloc(s->alloc, size);
    if (!block) {
        olock__error_set(err, OLOCK_ERR_NOMEM, "out of memory copying the credentials");
        return OLOCK_ERR_NOMEM;
    }
    i = 0;
    memcpy(block + i, creds->access_key_id, akid_len + 1);
    i += akid_len + 1;
    memcpy(block + i, "AWS4", 4);
    memcpy(block + i + 4, creds->secret_access_key, secret_len + 1);
    i += 4 + secret_len + 1;
    if (token_len) memcpy(block + i, creds->session_token, token_len);
    block[i + token_len] = '\0';
    same_secret = s->secrets && s->secret_len == secret_len + 4 &&
        memcmp(s->secrets + s->akid_len + 1, block + akid_len + 1, secret_len + 4) == 0;
    if (s->secrets) {
        olock__wipe(s->secrets, s->secrets_size);
        olock__free(s->alloc, s->secrets, s->secrets_size);
    }
    s->secrets = block;
    s->secrets_size = size;
    s->akid_len = akid_len;
    s->secret_len = secret_len + 4;
    s->token_len = token_len;
    if (!same_secret) olock__sigv4_drop_key(s);
    return OLOCK_OK;
}

OLOCK_API olock_result olock_sigv4_signer_init(olock_sigv4_signer *s, const olock_allocator *alloc,
                                               const olock_credentials *creds, const char *region,
                                               const char *service, olock_error *err) {
    size_t rlen = 0, slen = 0;
    olock__error_clear(err);
    if (!s) {
        olock__error_set(err, OLOCK_ERR_INVALID_ARG, "signer is NULL");
        return OLOCK_ERR_INVALID_ARG;
    }
    memset(s, 0, sizeof *s);
    s->alloc = alloc;
    s->day = -1;
    olock_buf_init(&s->scratch, alloc);
    olock_buf_init(&s->query, alloc);
    /* The scratch holds the session token (canonical request, header value) and the query
       may carry one (presigned requests): wipe their blocks when they grow or are freed. */
    s->scratch.secret = 1;
    s->query.secret = 1;
    if (!olock__scope_name_ok(region, &rlen)) {
        olock__error_set(err, OLOCK_ERR_INVALID_ARG, "region is missing or not a valid region name");
        return OLOCK_ERR_INVALID_ARG;
    }
    if (!olock__scope_name_ok(service, &slen)) {
        olock__error_set(err, OLOCK_ERR_INVALID_ARG, "service is missing or not a valid service name");
        return OLOCK_ERR_INVALID_ARG;
    }
    memcpy(s->region, region, rlen + 1);
    memcpy(s->service, service, slen + 1);
    s->region_len = rlen;
    s->service_len = slen;
    return olock__sigv4_store_credentials(s, creds, err);
}

OLOCK_API olock_result olock_sigv4_signer_set_credentials(olock_sigv4_signer *s, const olock_credentials *creds,
                                                          olock_error *err) {
    olock__error_clear(err);
    if (!s) {
        olock__error_set(err, OLOCK_ERR_INVALID_ARG, "signer is NULL");
        return OLOCK_ERR_INVALID_ARG;
    }
    return olock__sigv4_store_credentials(s, creds, err);
}

OLOCK_API void olock_sigv4_signer_free(olock_sigv4_signer *s) {
    if (!s) return;
    if (s->secrets) {
        olock__wipe(s->secrets, s->secrets_size);
        olock__free(s->alloc, s->secrets, s->secrets_size);
        s->secrets = NULL;
    }
    olock__sigv4_drop_key(s);
    olock__sigv4_resume_drop(&s->creq_resume); /* a signed session token is part of the text */
    olock__sigv4_resume_drop(&s->body_resume); /* the caller's data */
    olock_buf_free(&s->scratch);               /* both are secret buffers: wiped */
    olock_buf_free(&s->query);
    s->secrets_size = s->akid_len = s->secret_len = s->token_len = 0;
}

OLOCK_API olock_result olock_sigv4_signer_sign(olock_sigv4_signer *s, const olock_sigv4_request *req,
                                               int64_t unix_seconds, unsigned flags,
                                               olock_sigv4_signature *out, olock_error *err) {
    olock__sigv4_hdr hv[OLOCK_SIGV4_MAX_HEADERS + 3];
    olock__sigv4_param params[OLOCK_SIGV4_MAX_QUERY_PARAMS];
    char amz_date[17], body_hash[OLOCK_SHA256_HEX_SIZE];
    unsigned char digest[OLOCK_SHA256_SIZE];
    const char *path, *payload;
    size_t method_len, path_len, payload_len, nh = 0, nparams = 0, query_len = 0, headers_len = 0;
    size_t signed_len = 0, scope_len, need = 0, path_max, i;
    size_t creq_off, creq_len, sts_off, sts_len, date_off, hash_off = 0, auth_off, signed_off;
    int64_t day, sod;
    int have_host = 0, kept;
    int sign_token, add_token;
    unsigned mode;
    olock_hmac_sha256 mac;
    olock_result r;
    char *base, *p;

    olock__error_clear(err);
    if (!s || !req || !out || !s->secrets) {
        olock__error_set(err, OLOCK_ERR_INVALID_ARG, "signer, request and output are required");
        return OLOCK_ERR_INVALID_ARG;
    }
    if (!olock__sigv4_is_token(req->method, &method_len)) {
        olock__error_set(err, OLOCK_ERR_INVALID_ARG, "missing or malformed HTTP method");
        return OLOCK_ERR_INVALID_ARG;
    }
    if (unix_seconds < 0 || unix_seconds > OLOCK__SIGV4_MAX_TIME) {
        olock__error_set(err, OLOCK_ERR_INVALID_ARG, "signing time out of range");
        return OLOCK_ERR_INVALID_ARG;
    }
    if ((req->body == NULL && req->body_len) || (req->headers == NULL && req->header_count)) {
        olock__error_set(err, OLOCK_ERR_INVALID_ARG, "NULL body or headers with a non-zero length");
        return OLOCK_ERR_INVALID_ARG;
    }
    if (req->header_count > OLOCK_SIGV4_MAX_HEADERS) {
        olock__error_set(err, OLOCK_ERR_LIMIT, "more than %d headers to sign", OLOCK_SIGV4_MAX_HEADERS);
        return OLOCK_ERR_LIMIT;
    }
    path = (req->path && *req->path) ? req->path : "/";
    path_len = strlen(path);
    if (path[0] != '/') {
        olock__error_set(err, OLOCK_ERR_INVALID_ARG, "the path must start with '/'");
        return OLOCK_ERR_INVALID_ARG;
    }

    /* X-Amz-Date; the calendar date is recomputed only when the day changes. */
    day = unix_seconds / 86400;
    sod = unix_seconds % 86400;
    if (day != s->day) {
        olock__sigv4_civil_date(day, s->date_text);
        s->day = day;
    }
    memcpy(amz_date, s->date_text, 8);
    amz_date[8] = 'T';
    amz_date[9] = (char)('0' + sod / 36000);
    amz_date[10] = (char)('0' + sod / 3600 % 10);
    amz_date[11] = (char)('0' + sod % 3600 / 600);
    amz_date[12] = (char)('0' + sod % 600 / 60);
    amz_date[13] = (char)('0' + sod % 60 / 10);
    amz_date[14] = (char)('0' + sod % 10);
    amz_date[15] = 'Z';
    amz_date[16] = '\0';

    if (req->payload_hash) {
        payload = req->payload_hash;
        for (payload_len = 0; payload[payload_len]; payload_len++) {
            unsigned char c = (unsigned char)payload[payload_len];
            if (c <= 0x20 || c >= 0x7f) {
                olock__error_set(err, OLOCK_ERR_INVALID_ARG, "payload_hash contains a space or control character");
                return OLOCK_ERR_INVALID_ARG;
            }
        }
        if (payload_len == 0) {
            olock__error_set(err, OLOCK_ERR_INVALID_ARG, "payload_hash is empty");
            return OLOCK_ERR_INVALID_ARG;
        }
    } else {
        olock__sigv4_resume_digest(&s->body_resume, req->body_len ? (const char *)req->body : "", req->body_len, digest);
        olock_hex_encode(digest, sizeof digest, body_hash);
        payload = body_hash;
        payload_len = 64;
    }

    /* Headers: the caller's and the ones the signer adds, sorted by lower-case name. A stable
       sort keeps repeated names in their original order, as SigV4 wants. Names given as the
       last request gave them were checked, sorted and lowered then (s->names). */
    add_token = s->token_len > 0;
    sign_token = add_token && !(flags & OLOCK_SIGV4_UNSIGNED_TOKEN);
    mode = (sign_token ? OLOCK__SIGV4_OWN_TOKEN : 0u) | (flags & OLOCK_SIGV4_SIGN_BODY ? OLOCK__SIGV4_OWN_BODY : 0u);
    kept = olock__sigv4_names_same(&s->names, req, mode, hv);
    if (kept) nh = req->header_count;
    for (i = 0; !kept && i < req->header_count; i++) {
        const olock_http_header *h = &req->headers[i];
        size_t nlen;
        if (!olock__sigv4_is_token(h->name, &nlen) || !h->value) {
            olock__error_set(err, OLOCK_ERR_INVALID_ARG, "header %u has a missing or malformed name or value", (unsigned)i);
            return OLOCK_ERR_INVALID_ARG;
        }
        if (OLOCK__IEQ_LIT(h->name, nlen, "x-amz-date") || OLOCK__IEQ_LIT(h->name, nlen, "authorization") ||
            OLOCK__IEQ_LIT(h->name, nlen, "x-amz-security-token") ||
            OLOCK__IEQ_LIT(h->name, nlen, "x-amz-content-sha256")) {
            olock__error_set(err, OLOCK_ERR_INVALID_ARG, "header %.40s is added by the signer", h->name);
            return OLOCK_ERR_INVALID_ARG;
        }
        if (OLOCK__IEQ_LIT(h->name, nlen, "host")) have_host = 1;
        hv[nh].name = h->name;
        hv[nh].name_len = nlen;
        hv[nh].value = h->value;
        hv[nh].value_len = strlen(h->value);
        olock__sigv4_set_key(&hv[nh]);
        nh++;
    }
    if (!kept && !have_host) {
        olock__error_set(err, OLOCK_ERR_INVALID_ARG, "the Host header is required");
        return OLOCK_ERR_INVALID_ARG;
    }
    hv[nh].name = "x-amz-date";
    hv[nh].name_len = 10;
    hv[nh].value = amz_date;
    hv[nh].value_len = 16;
    nh++;
    if (sign_token) {
        hv[nh].name = "x-amz-security-token";
        hv[nh].name_len = 20;
        hv[nh].value = s->secrets + s->akid_len + 1 + s->secret_len + 1;
        hv[nh].value_len = s->token_len;
        nh++;
    }
    if (flags & OLOCK_SIGV4_SIGN_BODY) {
        hv[nh].name = "x-amz-content-sha256";
        hv[nh].name_len = 20;
        hv[nh].value = payload;
        hv[nh].value_len = payload_len;
        nh++;
    }
    for (i = 0; i < nh; i++) hv[i].given = i;
    if (kept) {
        olock__sigv4_hdr given[OLOCK__SIGV4_NAMES_HEADERS + 3];
        memcpy(given, hv, nh * sizeof *hv);
        for (i = 0; i < nh; i++) hv[i] = given[s->names.order[i]];
    } else {
        for (i = req->header_count; i < nh; i++) olock__sigv4_set_key(&hv[i]); /* the signer's own */
        for (i = 1; i < nh; i++) {
            olock__sigv4_hdr t = hv[i];
            size_t k = i;
            while (k > 0 && olock__sigv4_name_cmp(&t, &hv[k - 1]) < 0) {
                hv[k] = hv[k - 1];
                k--;
            }
            hv[k] = t;
        }
        olock__sigv4_names_keep(&s->names, req, mode, hv, nh);
        kept = s->names.count != 0;
    }
    for (i = 0; i < nh; i++) {
        /* name ':' value '\n' (a repeated name costs ',' instead of name ':' and '\n') */
        if (!olock__sigv4_size_add(&headers_len, hv[i].name_len) || !olock__sigv4_size_add(&headers_len, hv[i].value_len) ||
            !olock__sigv4_size_add(&headers_len, 2) || !olock__sigv4_size_add(&signed_len, hv[i].name_len) ||
            !olock__sigv4_size_add(&signed_len, 1)) {
            olock__error_set(err, OLOCK_ERR_LIMIT, "headers too long");
            return OLOCK_ERR_LIMIT;
        }
    }

    r = olock__sigv4_query(s, req->query, params, &nparams, &query_len, err);
    if (r != OLOCK_OK) return r;

    /* One reservation for everything written below, then plain stores. Every term is
       added with an overflow check; the +1s are the separators and NULs. */
    scope_len = 8 + 1 + s->region_len + 1 + s->service_len + 1 + 12; /* names <= 64 bytes */
    {
        const size_t terms[] = {
            method_len, 1, 2, 1, query_len, 1, headers_len, 1, signed_len, 1, payload_len, 1,
            17 + 17 + 1 + 64 + 1, scope_len,                              /* string to sign */
            17,                                                           /* X-Amz-Date value */
            payload_len, 1,                                               /* x-amz-content-sha256 value */
            28 + 1 + 16 + 12 + 64 + 1, s->akid_len, scope_len, signed_len /* Authorization */
        };
        int ok = olock__sigv4_size_mul(path_len, 3, &path_max) && olock__sigv4_size_add(&need, path_max);
        for (i = 0; ok && i < sizeof terms / sizeof terms[0]; i++) ok = olock__sigv4_size_add(&need, terms[i]);
        if (!ok) {
            olock__error_set(err, OLOCK_ERR_LIMIT, "request too large to sign");
            return OLOCK_ERR_LIMIT;
        }
    }
    olock_buf_clear(&s->scratch);
    r = olock_buf_reserve(&s->scratch, need);
    if (r != OLOCK_OK) {
        olock__error_set(err, r, "cannot allocate the canonical request");
        return r;
    }
    base = p = s->scratch.data;

    /* Canonical request. */
    creq_off = 0;
    p = olock__put(p, req->method, method_len);
    *p++ = '\n';
    p = olock__sigv4_put_path(p, path, path_len, (flags & OLOCK_SIGV4_NORMALIZE_PATH) != 0);
    *p++ = '\n';
    for (i = 0; i < nparams; i++) {
        if (i) *p++ = '&';
        p = olock__put(p, s->query.data + params[i].name_off, params[i].name_len);
        *p++ = '=';
        p = olock__put(p, s->query.data + params[i].value_off, params[i].value_len);
    }
    *p++ = '\n';
    for (i = 0; i < nh; i++) {
        if (i && (kept ? s->names.name_off[i] == s->names.name_off[i - 1] : olock__sigv4_name_cmp(&hv[i], &hv[i - 1]) == 0)) {
            p[-1] = ','; /* replaces the '\n' of the previous line */
        } else {
            p = kept ? olock__put(p, s->names.lower + s->names.name_off[i], hv[i].name_len)
                     : olock__sigv4_put_lower(p, hv[i].name, hv[i].name_len);
            *p++ = ':';
        }
        p = olock__sigv4_put_value(p, hv[i].value, hv[i].value_len);
        *p++ = '\n';
    }
    *p++ = '\n';
    signed_off = (size_t)(p - base);
    if (kept) p = olock__put(p, s->names.lower, s->names.signed_len);
    for (i = 0; !kept && i < nh; i++) {
        if (i && olock__sigv4_name_cmp(&hv[i], &hv[i - 1]) == 0) continue;
        if (i) *p++ = ';';
        p = olock__sigv4_put_lower(p, hv[i].name, hv[i].name_len);
    }
    signed_len = (size_t)(p - base) - signed_off;
    *p++ = '\n';
    p = olock__put(p, payload, payload_len);
    creq_len = (size_t)(p - base) - creq_off;
    *p++ = '\0';

    olock__sigv4_resume_digest(&s->creq_resume, base + creq_off, creq_len, digest);

    /* String to sign. */
    sts_off = (size_t)(p - base);
    p = olock__put(p, OLOCK__SIGV4_ALGORITHM "\n", 17);
    p = olock__put(p, amz_date, 16);
    *p++ = '\n';
    p = olock__put(p, s->date_text, 8);
    *p++ = '/';
    p = olock__put(p, s->region, s->region_len);
    *p++ = '/';
    p = olock__put(p, s->service, s->service_len);
    p = olock__put(p, "/aws4_request\n", 14);
    olock_hex_encode(digest, sizeof digest, p); /* written in place: a 64-byte copy can cost more */
    p += 64;
    sts_len = (size_t)(p - base) - sts_off;
    *p++ = '\0';

    if (!s->key_valid || memcmp(s->key_date, s->date_text, 8) != 0) olock__sigv4_derive_key(s);
    olock__sigv4_resume_hash(&s->sts_resume, &s->key_hmac.inner, base + sts_off, sts_len, &mac.inner);
    olock__sha256_clone(&mac.outer, &s->key_hmac.outer);
    olock_hmac_sha256_final(&mac, digest);
    olock_hex_encode(digest, sizeof digest, out->signature);

    date_off = (size_t)(p - base);
    p = olock__put(p, amz_date, 17);
    if (flags & OLOCK_SIGV4_SIGN_BODY) {
        hash_off = (size_t)(p - base);
        p = olock__put(p, payload, payload_len);
        *p++ = '\0';
    }
    auth_off = (size_t)(p - base);
    p = olock__put(p, OLOCK__SIGV4_ALGORITHM " Credential=", 28);
    p = olock__put(p, s->secrets, s->akid_len);
    *p++ = '/';
    p = olock__put(p, base + sts_off + 34, scope_len); /* the scope line of the string to sign */
    p = olock__put(p, ", SignedHeaders=", 16);
    p = olock__put(p, base + signed_off, signed_len);
    p = olock__put(p, ", Signature=", 12);
    olock_hex_encode(digest, sizeof digest, p); /* as out->signature, without a 64-byte copy */
    p += 64;
    *p++ = '\0';
    s->scratch.len = (size_t)(p - base) - 1; /* the last NUL terminates the buffer */

    i = 0;
    out->headers[i].name = "X-Amz-Date";
    out->headers[i++].value = base + date_off;
    if (add_token) {
        out->headers[i].name = "X-Amz-Security-Token";
        out->headers[i++].value = s->secrets + s->akid_len + 1 + s->secret_len + 1;
    }
    if (flags & OLOCK_SIGV4_SIGN_BODY) {
        out->headers[i].name = "x-amz-content-sha256";
        out->headers[i++].value = base + hash_off;
    }
    out->headers[i].name = "Authorization";
    out->headers[i++].value = base + auth_off;
    out->header_count = i;
    out->amz_date = base + date_off;
    out->authorization = base + auth_off;
    out->canonical_request = base + creq_off;
    out->canonical_request_len = creq_len;
    out->string_to_sign = base + sts_off;
    out->string_to_sign_len = sts_len;
    return OLOCK_OK;
}
