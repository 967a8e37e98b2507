/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * stats_dates: days and periods of the statistics. A day is a long
 * y * 10000 + m * 100 + d (so days compare as numbers); a month index
 * counts months from January of STATS_FIRST_YEAR; a period index counts
 * months, quarters or years from the same start. Pure functions.
 */
#ifndef UMBRA_CASE_STATS_DATES_H
#define UMBRA_CASE_STATS_DATES_H

#include "stats_table.h"

#include <stddef.h>

/* YYYY-MM-DD into a day, or -1 (bad or outside the years counted). */
long stats_day_of(const char *s);

/* --from / --to: YYYY, YYYY-Qn, YYYY-MM or YYYY-MM-DD; the first day
 * (end = 0) or the last day (end = 1) it names, or -1. */
long stats_parse_bound(const char *s, int end);

/* A day as YYYY-MM-DD. */
void stats_day_str(char out[11], long day);

/* The month index of a day. */
int stats_month_index(long day);

/* The period index of month index mi. */
int stats_period_of_month(int mi, enum stats_period per);

/* The key of period pi ("2025-03", "2025-Q1", "2025") into out. */
void stats_period_key(char *out, size_t cap, int pi, enum stats_period per);

/* The first day (end = 0) or last day (end = 1) of period pi. */
long stats_period_day(int pi, enum stats_period per, int end);

#endif
