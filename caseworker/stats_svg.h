/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * stats_svg: a protected table as an SVG chart (bars for one dimension,
 * lines over periods, right to left for Arabic), with its notes.
 */
#ifndef UMBRA_CASE_STATS_SVG_H
#define UMBRA_CASE_STATS_SVG_H

#include "stats_table.h"

#include <stdio.h>

/* Writes p to f in language li; inline_ 1 leaves out the XML prologue
 * (the chart inside an HTML page). Errors are left in f (ferror). */
void stats_svg_write(FILE *f, const struct stats_pub *p, int li, int inline_);

#endif
