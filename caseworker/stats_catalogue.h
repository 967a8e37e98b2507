/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * stats_catalogue: the titles, notes and code labels of the statistics
 * outputs. The strings live in the locale catalogues with the pages' own,
 * as keys stats.* of web/locales/<lang>.json (stats.title, stats.dim.region,
 * stats.label.<code> ...); the build turns them into C tables
 * (caseworker/gen-stats-strings.py writes $(O)/gen/caseworker/
 * stats_strings.c, the stats_str_* below), so umbra-case reads no file.
 * A catalogue with stats.* keys must have all of en.json's (the build
 * stops otherwise); the languages without them get English.
 *
 * A language is an index (0 is English) that every writer passes along;
 * a message is an enum stats_msg whose text may hold {1}, {2}, {3} to be
 * filled in (stats_tpl in stats_text.h). The strings are static: nothing
 * here allocates or fails.
 */
#ifndef UMBRA_CASE_STATS_CATALOGUE_H
#define UMBRA_CASE_STATS_CATALOGUE_H

#include "stats_table.h"

/* English: the index of the source catalogue and of every fallback. */
#define STATS_L_EN 0

enum stats_msg {
    STATS_M_TITLE, /* {1} = dimension names */
    STATS_M_AND,
    STATS_M_TOTAL,
    STATS_M_REPORTS,
    STATS_M_RANGE, /* {1} from {2} to {3} exported */
    STATS_M_COUNTS,
    STATS_M_SMALL,  /* {1} marker {2} threshold */
    STATS_M_HIDDEN, /* {1} marker */
    STATS_M_ROUND,  /* {1} base */
    STATS_M_MULTI,
    STATS_M_NOISE, /* {1} epsilon */
    STATS_M_DRAFT,
    STATS_M_MERGED, /* {1} n */
    STATS_M_SHOWN_TOP,
    STATS_M_FEWER,       /* {1} threshold: a small cell in words */
    STATS_M_SMALL_WORDS, /* {1} the words of STATS_M_FEWER */
    STATS_M_ALL_HIDDEN,  /* every figure of the table is hidden */
    STATS_M_NONE,        /* no report in the range */
    STATS_M_SOURCE,      /* {1} from {2} to {3} exported */
    STATS_M_MERGE_X,     /* {1} marker: "x" in a merged table */
    STATS_M_DIM0, /* + dimension */
    STATS_NMSG = STATS_M_DIM0 + STATS_NDIMS
};

/* The index of lang ("pt" counts as pt-BR); English when there is no
 * catalogue for it or lang is NULL. */
int stats_lang_index(const char *lang);

/* 1 if the language has a catalogue, else 0 (English is used). */
int stats_lang_known(const char *lang);

/* The BCP 47 tag of language li ("en" when out of range). */
const char *stats_lang_tag(int li);

/* 1 if language li is written right to left (its locale.dir), else 0. */
int stats_lang_rtl(int li);

/* The text of message m in language li (a static string). */
const char *stats_msg(int li, enum stats_msg m);

/* The label of a code (category, perpetrator, need, "other" ...) in
 * language li, or the code itself when it has none. */
const char *stats_label(int li, const char *code);

/* The generated tables (gen-stats-strings.py): languages (English first)
 * with their direction, the stats.* keys sorted byte-wise, and the text
 * of key k in language l at stats_str_text[l * stats_str_nkeys + k]. */
extern const int stats_str_nlangs, stats_str_nkeys;
extern const char *const stats_str_langs[];
extern const unsigned char stats_str_rtl[];
extern const char *const stats_str_keys[];
extern const char *const stats_str_text[];

#endif
