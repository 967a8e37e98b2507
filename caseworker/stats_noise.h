/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * stats_noise: exact discrete Laplace sampling in integer arithmetic, for
 * the optional noise of `stats --epsilon`. No state; randomness from
 * libsodium through umbra_random_uniform.
 */
#ifndef UMBRA_CASE_STATS_NOISE_H
#define UMBRA_CASE_STATS_NOISE_H

#include <stdint.h>

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
