/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * stats_noise: exact discrete Laplace sampling in integer arithmetic.
 *
 * Canonne, Kamath and Steinke, "The Discrete Gaussian for Differential
 * Privacy" (NeurIPS 2020), algorithms 1 and 2. Every quantity is an
 * integer or a ratio of integers; the only source of randomness is
 * umbra_random_uniform (libsodium's randombytes_uniform), so the draws
 * are exact: no rounding of real numbers can leak through the low bits
 * (Mironov 2012). A test greps this file for real-number types.
 */
#include "stats_noise.h"
#include "umbra.h"

#include <sodium.h>
#include <string.h>

/* The next 8 bytes of the stream (ChaCha20 under the cell's key, one
 * nonce per 64-byte block). */
static void
rng_bytes(struct stats_rng *r, uint8_t b[8])
{
    if (r->pos + 8 > sizeof r->buf) {
        uint8_t nonce[crypto_stream_chacha20_NONCEBYTES];
        uint64_t k = r->block++;
        size_t i;

        for (i = 0; i < sizeof nonce; i++)
            nonce[i] = (uint8_t)(k >> (8 * i));
        crypto_stream_chacha20(r->buf, sizeof r->buf, nonce, r->key);
        r->pos = 0;
    }
    memcpy(b, r->buf + r->pos, 8);
    r->pos += 8;
}

void
stats_rng_init(struct stats_rng *r, const uint8_t key[32])
{
    memcpy(r->key, key, 32);
    r->block = 0;
    r->pos = sizeof r->buf;
}

/* A uniform value in [0, m), m >= 1, without bias; from r, or from
 * libsodium's generator when r is NULL. */
static uint64_t
uniform64(struct stats_rng *r, uint64_t m)
{
    uint64_t limit, v;
    uint8_t b[8];

    if (m <= 0xffffffffu && r == NULL)
        return umbra_random_uniform((uint32_t)m);
    /* 2^64 mod m, computed as (2^64 - m) mod m */
    limit = (0 - m) % m;
    for (;;) {
        if (r != NULL)
            rng_bytes(r, b);
        else
            umbra_randombytes(b, sizeof b);
        v = (uint64_t)b[0] | (uint64_t)b[1] << 8 | (uint64_t)b[2] << 16 |
            (uint64_t)b[3] << 24 | (uint64_t)b[4] << 32 | (uint64_t)b[5] << 40 |
            (uint64_t)b[6] << 48 | (uint64_t)b[7] << 56;
        if (v >= limit)
            return v % m;
    }
}

/* Bernoulli(num / den), num <= den, den >= 1. */
static int
bernoulli(struct stats_rng *r, uint64_t num, uint64_t den)
{
    return uniform64(r, den) < num;
}

/* Bernoulli(e^(-num/den)) for num <= den (algorithm 1, gamma in [0,1]). */
static int
bernoulli_exp_small(struct stats_rng *r, uint64_t num, uint64_t den)
{
    uint64_t k = 1;

    for (;;) {
        /* A ~ Bernoulli(gamma / k) = Bernoulli(num / (den * k)) */
        if (den > UINT64_MAX / (k + 1))
            break; /* probability below 2^-40 at any sane den: stop */
        if (!bernoulli(r, num, den * k))
            break;
        k++;
    }
    return (int)(k & 1);
}

static int
bernoulli_exp(struct stats_rng *r, uint64_t num, uint64_t den)
{
    uint64_t whole, i;

    if (den == 0)
        return 0;
    whole = num / den;
    for (i = 0; i < whole; i++)
        if (!bernoulli_exp_small(r, 1, 1))
            return 0;
    return bernoulli_exp_small(r, num % den, den);
}

int
stats_bernoulli_exp(uint64_t num, uint64_t den)
{
    return bernoulli_exp(NULL, num, den);
}

int
stats_dlaplace_rng(int64_t *out, uint32_t num, uint64_t den,
                   struct stats_rng *r)
{
    /* P(y) ~ e^(-|y| * s / t) with s = num, t = den (algorithm 2) */
    uint64_t s = num, t = den;

    *out = 0;
    if (s == 0 || t == 0 || t > ((uint64_t)1 << 40))
        return UMBRA_ERR_ARG;
    for (;;) {
        uint64_t u, v = 0, x, y;
        int b;

        u = uniform64(r, t);
        if (!bernoulli_exp(r, u, t))
            continue;
        while (bernoulli_exp(r, 1, 1))
            v++;
        if (v > ((uint64_t)1 << 20))
            continue; /* never happens: probability e^-(2^20) */
        x = u + t * v;
        y = x / s;
        b = bernoulli(r, 1, 2);
        if (b && y == 0)
            continue;
        if (y > (uint64_t)INT64_MAX)
            continue;
        *out = b ? -(int64_t)y : (int64_t)y;
        return 0;
    }
}

int
stats_dlaplace(int64_t *out, uint32_t num, uint64_t den)
{
    return stats_dlaplace_rng(out, num, den, NULL);
}
