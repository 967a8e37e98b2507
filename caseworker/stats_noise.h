/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * stats_noise: exact discrete Laplace sampling in integer arithmetic, for
 * the optional noise of `stats --epsilon`. Randomness from libsodium
 * through umbra_random_uniform, or from a deterministic stream (struct
 * stats_rng: ChaCha20 under a key derived from the period's secret seed,
 * so that the same cell of the same period always gets the same noise).
 */
#ifndef UMBRA_CASE_STATS_NOISE_H
#define UMBRA_CASE_STATS_NOISE_H

#include <stddef.h>
#include <stdint.h>

/* A deterministic stream of random bytes (keep it in sodium_malloc'd
 * memory: its key is derived from a secret seed). */
struct stats_rng {
    uint8_t key[32];
    uint64_t block;
    uint8_t buf[64];
    size_t pos;
};

/* Starts the stream of key. */
void stats_rng_init(struct stats_rng *r, const uint8_t key[32]);

/* stats_dlaplace with its randomness from r (NULL: libsodium's). */
int stats_dlaplace_rng(int64_t *out, uint32_t num, uint64_t den,
                       struct stats_rng *r);

/*
 * One draw from the discrete Laplace distribution with
 * P(x) proportional to exp(-|x| * num / den) (Canonne, Kamath and
 * Steinke 2020, algorithm 2), integer arithmetic only, randomness from
 * umbra_random_uniform. num, den >= 1. Writes the draw to *out; 0, or
 * UMBRA_ERR_ARG on bad parameters.
 */
int stats_dlaplace(int64_t *out, uint32_t num, uint64_t den);

/* One Bernoulli(exp(-num/den)) draw (0 or 1); den >= 1. */
int stats_bernoulli_exp(uint64_t num, uint64_t den);

#endif
