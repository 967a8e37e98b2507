/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * stats_count: counting the consenting cases of the store into a
 * protected table (`umbra-case stats` without merge).
 *
 * Counting is one pass over store_facts_each into a raw grid indexed by
 * raw keys (months from STATS_FIRST_YEAR, every category code, every
 * country code, ...); the raw grid is then folded into the published
 * rows and columns (periods, small regions into "other"), noise is added
 * if asked (stats_noise), and stats_protect (stats_sdc) applies the
 * disclosure rules. Only the protected table leaves this module.
 */
#ifndef UMBRA_CASE_STATS_COUNT_H
#define UMBRA_CASE_STATS_COUNT_H

#include "stats_regions.h"
#include "stats_table.h"

struct store;

/* What to count: one or two dimensions, the period, the day bounds and
 * the policy. */
struct stats_job {
    int ndims;
    enum stats_dim dims[2];
    enum stats_period period;
    long from, to; /* 0 when not given */
    struct stats_policy pol;
    const struct stats_regions *rg;
    /* the noise key of the cut (stats_ledger_noise_key), or NULL for
     * libsodium's generator (the unit tests' fake store) */
    const uint8_t *noise_key;
};

/*
 * Counts the store's consenting cases for jb into *p (protected and
 * ready to publish, status "draft"; stats_pub_release it). Prints its
 * errors. 0, or -1 with *p released.
 */
int stats_count(struct stats_pub *p, struct store *s,
                const struct stats_job *jb) __attribute__((warn_unused_result));

#endif
