/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * stats_sdc: statistical disclosure control of a table: suppression of
 * small cells, secondary suppression and rounding, in place on the grid
 * of a struct stats_pub (stats_table.h).
 */
#ifndef UMBRA_CASE_STATS_SDC_H
#define UMBRA_CASE_STATS_SDC_H

#include "stats_table.h"

#include <stdint.h>

/*
 * Applies the policy to p->grid in place: primary suppression of every
 * cell and total under the threshold (cells already STATS_SMALL or
 * STATS_HIDDEN stay so), secondary suppression to a fixed point so that no
 * row or column (totals included) has exactly one hidden entry, and
 * rounding of every shown entry to the nearest multiple of the base
 * (halves up). Cannot fail.
 */
void stats_protect(struct stats_pub *p);

/* Entry k of line l: lines 0..R are the rows (each with its row total,
 * the last one the column totals with the grand total), R+1..R+C+1 the
 * columns (the last one the row totals); the total is the last entry. */
size_t stats_line_entry(const struct stats_pub *p, size_t l, size_t k);

/* The number of entries of line l, its total included. */
static inline size_t
stats_line_len(const struct stats_pub *p, size_t l)
{
    return l <= p->nrows ? p->ncols + 1 : p->nrows + 1;
}

/* Hides the smallest shown cell of line l (its total if none is shown),
 * recording the line in the cell (stats_cell.line). */
void stats_hide_smallest(struct stats_pub *p, size_t l, size_t len);

/* v rounded to the nearest multiple of base (halves up); base 0/1: v. */
uint64_t stats_round(uint64_t v, unsigned base);

#endif
