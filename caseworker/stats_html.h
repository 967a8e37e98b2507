/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * stats_html: a protected table as one self-contained HTML page (the
 * table, the SVG chart inline, the notes), dir="rtl" for Arabic.
 */
#ifndef UMBRA_CASE_STATS_HTML_H
#define UMBRA_CASE_STATS_HTML_H

#include "stats_table.h"

#include <stdio.h>

/* Writes p to f in language li; errors are left in f (ferror). */
void stats_html_write(FILE *f, const struct stats_pub *p, int li);

#endif
