/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * stats_catalogue: the titles, notes and code labels of the statistics
 * outputs in en, es, fr, pt-BR, th and ar (the strings stay in C for now;
 * moving them to the locale files is a later step).
 *
 * A language is an index (enum stats_lang) that every writer passes
 * along; a message is an enum stats_msg whose text may hold {1}, {2},
 * {3} to be filled in (stats_tpl in stats_text.h). The strings are
 * static: nothing here allocates or fails.
 */
#ifndef UMBRA_CASE_STATS_CATALOGUE_H
#define UMBRA_CASE_STATS_CATALOGUE_H

#include "stats_table.h"

enum stats_lang {
    STATS_L_EN,
    STATS_L_ES,
    STATS_L_FR,
    STATS_L_PT,
    STATS_L_TH,
    STATS_L_AR,
    STATS_NLANG
};

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

/* The text of message m in language li (a static string). */
const char *stats_msg(int li, enum stats_msg m);

/* The label of a code (category, perpetrator, need, "other" ...) in
 * language li, or the code itself when it has none. */
const char *stats_label(int li, const char *code);

#endif
