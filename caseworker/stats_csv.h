/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * stats_csv: a protected table as CSV (RFC 4180 quoting), with its title
 * and notes as comment lines in the chosen language.
 */
#ifndef UMBRA_CASE_STATS_CSV_H
#define UMBRA_CASE_STATS_CSV_H

#include "stats_table.h"

#include <stdio.h>

/* Writes p to f in language li; errors are left in f (ferror). */
void stats_csv_write(FILE *f, const struct stats_pub *p, int li);

#endif
