/* bench_sign: SigV4-signing one DynamoDB UpdateItem request (olock_sigv4_signer_sign), with
   the built-in SHA-256 on SHA-NI, the built-in SHA-256 without SHA-NI (OLOCK_NO_SHA_NI), and
   mbedTLS's SHA-256/HMAC (OLOCK_USE_MBEDTLS), all three in this one program (see bench_sign.h)
   so they are timed side by side in one run.

   warm          one signer, signing times within one day: the derived key is cached
   warm + token  the same with an 800-character session token (signed, as on EC2/ECS/Lambda)
   cold date     one signer, a new date on every call: the signing key is derived each time
   fresh signer  olock_sigv4_signer_init + sign + free: nothing cached, plus its allocations
   SHA-256 body  hashing the request body alone, for scale

   Target (issue 6): under 1.5 us with the key cache warm. */
#define _POSIX_C_SOURCE 200809L   /* clock_gettime under -std=c99 */
#include "bench_sign.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bench_util.h"

enum { K_WARM, K_TOKEN, K_COLD, K_FRESH, K_SHA, NKINDS };

static double allocs_per_op(const bench_sign_variant *v, void (*fn)(void *, long), long n) {
    unsigned long long before;
    fn(NULL, n);
    before = v->allocs();
    fn(NULL, n);
    return (double)(v->allocs() - before) / (double)n;
}

int main(int argc, char **argv) {
    const bench_sign_variant *vs[3];
    bench_case cases[3 * NKINDS];
    char names[3 * NKINDS][96];
    int nv = 0, i, k, reps = bench_reps(31);
    static const char *const kind_names[NKINDS] = { "warm", "warm + token", "cold date", "fresh signer", "SHA-256 body" };
    char measured[160];

    vs[nv++] = &bench_sign_builtin;
    vs[nv++] = &bench_sign_no_sha_ni;
#ifdef BENCH_HAVE_MBEDTLS
    vs[nv++] = &bench_sign_mbedtls;
#endif
    for (i = 0; i < nv; i++) {
        if (vs[i]->setup() != 0) { fprintf(stderr, "bench_sign: setup of %s failed\n", vs[i]->name); return 1; }
        if (strcmp(vs[i]->authorization(), vs[0]->authorization()) != 0) {
            fprintf(stderr, "bench_sign: %s signs differently from %s\n", vs[i]->name, vs[0]->name);
            return 1;
        }
    }
    for (i = 0; i < nv; i++) {
        void (*fns[NKINDS])(void *, long);
        fns[K_WARM] = vs[i]->warm; fns[K_TOKEN] = vs[i]->warm_token; fns[K_COLD] = vs[i]->cold_date;
        fns[K_FRESH] = vs[i]->fresh; fns[K_SHA] = vs[i]->sha_body;
        for (k = 0; k < NKINDS; k++) {
            snprintf(names[i * NKINDS + k], sizeof names[0], "%s: %s", vs[i]->name, kind_names[k]);
            bench_case_init(&cases[i * NKINDS + k], names[i * NKINDS + k], fns[k], NULL);
        }
    }
    if (bench_profile(argc, argv, cases, nv * NKINDS)) return 0;
    bench_run(cases, nv * NKINDS, reps);

    printf("## SigV4: signing one DynamoDB UpdateItem (%lu-byte body)\n\n", (unsigned long)vs[0]->body_len());
    printf("Best batch in us/op, median in brackets; %d interleaved batches of ~%.0f ms per cell, all builds\n"
           "in one process. `vs SHA-NI` is the median over rounds of this build's warm batch / the SHA-NI\n"
           "build's warm batch. All builds produce the same Authorization header (checked).\n\n", reps, BENCH_BATCH_MS);
    printf("| build | warm | warm + session token | cold (new date) | fresh signer | SHA-256 of body | allocs/op warm | allocs/op fresh | warm vs SHA-NI | cold / warm |\n");
    printf("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |\n");
    for (i = 0; i < nv; i++) {
        bench_case *c = &cases[i * NKINDS];
        printf("| %s%s |", vs[i]->name, i == 0 && !vs[i]->sha_ni() ? " (no SHA-NI on this CPU)" : "");
        for (k = 0; k < NKINDS; k++) printf(" %.3f (%.3f) |", c[k].best / 1000, c[k].median / 1000);
        printf(" %.2f | %.2f | %.2f | %.2f |\n", allocs_per_op(vs[i], vs[i]->warm, 1000), allocs_per_op(vs[i], vs[i]->fresh, 1000),
               bench_ratio(&c[K_WARM], &cases[K_WARM]), bench_ratio(&c[K_COLD], &c[K_WARM]));
    }

    bench_targets_header();
    for (i = 0; i < nv; i++) {
        char target[128];
        bench_case *c = &cases[i * NKINDS + K_WARM];
        snprintf(target, sizeof target, "sign, key cache warm < 1.5 us (%s)", vs[i]->name);
        snprintf(measured, sizeof measured, "%.3f us best, %.3f us median", c->best / 1000, c->median / 1000);
        bench_target("sign", target, measured, c->best < 1500);
    }
    for (i = 0; i < nv; i++) vs[i]->teardown();
    return 0;
}
