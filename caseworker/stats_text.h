/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * stats_text: what the text writers of the statistics (CSV, JSON notes,
 * SVG, HTML) share: escaped output, catalogue templates, the text of a
 * cell as a reader sees it, the title and the notes on how to read a
 * table.
 *
 * A struct stats_text is a FILE and whether to escape for XML/HTML; it
 * owns nothing. Write errors are left in the FILE (ferror), which
 * stats_write checks once at the end.
 */
#ifndef UMBRA_CASE_STATS_TEXT_H
#define UMBRA_CASE_STATS_TEXT_H

#include "stats_table.h"

#include <stdio.h>

struct stats_text {
    FILE *f;
    int esc;   /* 1: escape for XML/HTML */
    int words; /* 1: a small cell in words ("fewer than 10": HTML, SVG,
                * where right-to-left text would mirror "<10") */
};

/* s, escaped if o->esc */
void stats_put(struct stats_text *o, const char *s);

/* s as it is (markup) */
void stats_raw(struct stats_text *o, const char *s);

/* A catalogue template with {1}, {2}, {3} replaced (escaped as o says). */
void stats_tpl(struct stats_text *o, const char *t, const char *a,
               const char *b, const char *c);

/* The text of a cell: the figure, "<T" or "x", into buf (cap bytes). */
void stats_cell_text(char *buf, size_t cap, const struct stats_pub *p,
                     const struct stats_cell *c);

/* The text of a cell for a reader of language li: the figure, "fewer
 * than T" in li's words, or "x". */
void stats_cell_words(char *buf, size_t cap, const struct stats_pub *p,
                      const struct stats_cell *c, int li);

/* 1 if p has rows and every one of its figures (totals aside) is hidden
 * (under the threshold or hidden to protect one), else 0. */
int stats_all_hidden(const struct stats_pub *p);

/* The source line of p in li (under each chart). */
void stats_source(struct stats_text *o, const struct stats_pub *p, int li);

/* The title of p in language li. */
void stats_title(struct stats_text *o, const struct stats_pub *p, int li);

/* The honest-reading notes of p in li, each between before and after. */
void stats_notes(struct stats_text *o, const struct stats_pub *p, int li,
                 const char *before, const char *after);

/* The label of row (k = 0) or column (k = 1) key in li: periods,
 * languages and region names as they are, codes through the catalogue. */
const char *stats_key_label(const struct stats_pub *p, int li, int k,
                            const char *key);

#endif
