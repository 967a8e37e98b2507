/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * stats_sort: the order of a table's rows before it is written (`stats
 * --sort`). By size: the largest published row total first, then the
 * rows hidden to protect another ("x"), then those under the threshold;
 * "other", "unknown" and "not-stated" last whatever their size; ties keep
 * the key order. Only what is published decides, never a hidden count,
 * so the order gives nothing away. By key: the order counting gave (the
 * codes' order, periods in time).
 */
#ifndef UMBRA_CASE_STATS_SORT_H
#define UMBRA_CASE_STATS_SORT_H

#include "stats_table.h"

enum stats_sort {
    STATS_SORT_DEFAULT, /* by size, but periods in time */
    STATS_SORT_SIZE,
    STATS_SORT_KEY,
};

/* Reorders p's rows (keys and grid rows; the totals row stays last).
 * 0, or -1 out of memory (p unchanged). */
int stats_sort_rows(struct stats_pub *p, enum stats_sort how);

#endif
