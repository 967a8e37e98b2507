/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * stats_merge: `umbra-case stats merge`: adds up the JSON exports of the
 * same cut from several organisations into one protected table. Only what
 * each export shows is added; a cell hidden in any export stays hidden
 * (or "<T" when the shown parts and the bound of the small ones stay
 * under the threshold), and stats_protect then applies the merge's own
 * policy to the sum.
 */
#ifndef UMBRA_CASE_STATS_MERGE_H
#define UMBRA_CASE_STATS_MERGE_H

#include "stats_table.h"

/*
 * Merges the nfiles exports at files (2 to STATS_MERGE_MAX, each at most
 * STATS_EXPORT_MAX bytes) under pol's threshold and round into *out
 * (status "merged", or "draft" when an input is one; stats_pub_release
 * it), audited with the given protection width (0: no audit) within
 * budget row-iterations (0: the default, stats_audit.h). An input
 * whose threshold or rounding is below pol's, or, when pol has an
 * epsilon, without noise or with a larger epsilon, is refused. Prints its
 * errors. 0, or the exit code of the command (1 error, 2 usage) with *out
 * empty.
 */
int stats_merge(struct stats_pub *out, const char *const *files,
                unsigned nfiles, const struct stats_policy *pol,
                unsigned protection, unsigned long long budget)
    __attribute__((warn_unused_result));

#endif
