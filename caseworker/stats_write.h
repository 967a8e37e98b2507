/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * stats_write: a protected table in one of the output formats, the one
 * entry the command uses (each format is its own module: stats_csv,
 * stats_json, stats_svg, stats_html). Writers see only the published
 * state of each cell, never the count behind it, and every output says
 * what the figures are (reports received, not how often violations
 * occur) and the policy that protected them.
 */
#ifndef UMBRA_CASE_STATS_WRITE_H
#define UMBRA_CASE_STATS_WRITE_H

#include "stats_table.h"

#include <stdio.h>

enum stats_format { STATS_CSV, STATS_JSON, STATS_SVG, STATS_HTML };

/* Writes p in the format to f, with titles and notes in lang. 0 or -1
 * (a write error). */
int stats_write(FILE *f, const struct stats_pub *p, enum stats_format fmt,
                const char *lang);

#endif
