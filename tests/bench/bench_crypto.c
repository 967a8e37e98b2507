/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * bench_crypto: envelope seal and open per second for 1 KiB, 16 KiB and
 * 1 MiB contents, each as a ratio against libsodium's raw crypto_box_seal /
 * crypto_box_seal_open of the same content size measured in the same run.
 *
 * For each size, ROUNDS rounds each time raw seal, envelope seal, raw open
 * and envelope open back to back (interleaved, so that machine noise hits
 * both sides alike); a round's ratio is envelope rate / raw rate, and the
 * figure printed is the median over the rounds. Targets (issue 2): open
 * >= 0.8x raw at 1 KiB and 16 KiB, seal >= 0.8x raw. The exit status is 0
 * either way: figures, not a test.
 *
 * Usage: bench_crypto [ROUNDS]
 */
#include "umbra.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MAX_ROUNDS 31

static double
now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static int
cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;

    return x < y ? -1 : x > y;
}

static double
median(double *v, int n)
{
    qsort(v, (size_t)n, sizeof(double), cmp_double);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

int
main(int argc, char **argv)
{
    /* The bucket is on the content (protocol 2.1): 16 KiB of content is
     * padded to 16 KiB, plus the 14-byte inner header, one chunk. */
    static const size_t sizes[] = {1024, 16384, 1048576};
    static const char *const names[] = {"1 KiB", "16 KiB", "1 MiB"};
    static const int iters[] = {400, 200, 6};
    int rounds = argc > 1 ? (int)strtol(argv[1], NULL, 10) : 7;
    uint8_t pk[32], sk[32];
    int below = 0;
    size_t s;

    if (rounds < 1 || rounds > MAX_ROUNDS)
        rounds = 7;
    if (umbra_secure_init() != 0)
        return 2;
    crypto_box_keypair(pk, sk);
    printf("bench-crypto: %d rounds, median ratio envelope/raw "
           "(raw = crypto_box_seal[_open] of the same size, one recipient)\n",
           rounds);
    printf("%-8s %12s %12s %6s %12s %12s %6s\n", "size", "seal/s", "raw/s",
           "ratio", "open/s", "raw/s", "ratio");
    for (s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++) {
        size_t len = sizes[s];
        uint8_t *m = malloc(len), *c = malloc(len + crypto_box_SEALBYTES),
                *d = malloc(len), *env = NULL, *out = NULL;
        size_t env_len = 0, out_len = 0;
        double seal_r[MAX_ROUNDS], open_r[MAX_ROUNDS];
        double rs[MAX_ROUNDS], es[MAX_ROUNDS], ro[MAX_ROUNDS], eo[MAX_ROUNDS];
        int r, i, n = iters[s];

        if (m == NULL || c == NULL || d == NULL)
            return 2;
        randombytes_buf(m, len);
        for (r = 0; r < rounds; r++) {
            double t;

            t = now();
            for (i = 0; i < n; i++)
                crypto_box_seal(c, m, len, pk);
            rs[r] = n / (now() - t);

            t = now();
            for (i = 0; i < n; i++) {
                if (umbra_envelope_seal(&env, &env_len, pk, 1, m, len) != 0)
                    return 2;
                if (i + 1 < n)
                    free(env);
            }
            es[r] = n / (now() - t);

            t = now();
            for (i = 0; i < n; i++)
                if (crypto_box_seal_open(d, c, len + crypto_box_SEALBYTES, pk,
                                         sk) != 0)
                    return 2;
            ro[r] = n / (now() - t);

            t = now();
            for (i = 0; i < n; i++) {
                if (umbra_envelope_open(&out, &out_len, NULL, sk, pk, 1, env,
                                        env_len) != 0)
                    return 2;
                umbra_secret_free(out);
            }
            eo[r] = n / (now() - t);
            free(env);
            seal_r[r] = es[r] / rs[r];
            open_r[r] = eo[r] / ro[r];
        }
        {
            double sr = median(seal_r, rounds), or = median(open_r, rounds);
            printf("%-8s %12.0f %12.0f %5.2fx %12.0f %12.0f %5.2fx\n", names[s],
                   median(es, rounds), median(rs, rounds), sr,
                   median(eo, rounds), median(ro, rounds), or);
            if (sr < 0.8 || (sizes[s] <= 16384 && or < 0.8))
                below++;
        }
        free(m);
        free(c);
        free(d);
    }
    printf("targets (open >= 0.8x at 1 and 16 KiB, seal >= 0.8x): %s\n",
           below ? "NOT all met" : "met");
    return 0;
}
