/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * stats_catalogue: the language catalogue of the statistics outputs (see
 * stats_catalogue.h); the strings are the stats.* keys of the locale
 * catalogues, embedded by the build.
 */
#include "stats_catalogue.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The key of each message, in the order of enum stats_msg (the dimensions
 * in the order of enum stats_dim). */
static const char *const MSG_KEYS[STATS_NMSG] = {
    "stats.title",         "stats.and",          "stats.total",
    "stats.reports",       "stats.range",        "stats.counts",
    "stats.small",         "stats.hidden",       "stats.round",
    "stats.multi",         "stats.noise",        "stats.draft",
    "stats.merged",        "stats.shown_top",    "stats.fewer",
    "stats.small_words",   "stats.all_hidden",   "stats.none",
    "stats.source",        "stats.merge_x",      "stats.dim.period",
    "stats.dim.category",  "stats.dim.perpetrator", "stats.dim.region",
    "stats.dim.lang",      "stats.dim.needs",
};

static int
key_cmp(const void *a, const void *b)
{
    return strcmp((const char *)a, *(const char *const *)b);
}

/* The text of key in language li, or NULL if the catalogue lacks it. */
static const char *
lookup(int li, const char *key)
{
    const char *const *k =
        bsearch(key, stats_str_keys, (size_t)stats_str_nkeys,
                sizeof stats_str_keys[0], key_cmp);

    if (k == NULL)
        return NULL;
    if (li < 0 || li >= stats_str_nlangs)
        li = STATS_L_EN;
    return stats_str_text[(size_t)li * (size_t)stats_str_nkeys +
                          (size_t)(k - stats_str_keys)];
}

/* The index of a catalogue's tag, "pt" being pt-BR; -1 if none. */
static int
find_lang(const char *lang)
{
    int i;

    if (lang == NULL)
        return -1;
    if (strcmp(lang, "pt") == 0)
        lang = "pt-BR";
    for (i = 0; i < stats_str_nlangs; i++)
        if (strcmp(lang, stats_str_langs[i]) == 0)
            return i;
    return -1;
}

int
stats_lang_index(const char *lang)
{
    int i = find_lang(lang);

    return i < 0 ? STATS_L_EN : i;
}

int
stats_lang_known(const char *lang)
{
    return find_lang(lang) >= 0;
}

const char *
stats_label(int li, const char *code)
{
    char key[96];
    const char *t;
    int n = snprintf(key, sizeof key, "stats.label.%s", code);

    if (n < 0 || (size_t)n >= sizeof key)
        return code;
    t = lookup(li, key);
    return t != NULL ? t : code;
}

const char *
stats_lang_tag(int li)
{
    return li >= 0 && li < stats_str_nlangs ? stats_str_langs[li]
                                            : stats_str_langs[STATS_L_EN];
}

int
stats_lang_rtl(int li)
{
    return li >= 0 && li < stats_str_nlangs && stats_str_rtl[li];
}

const char *
stats_msg(int li, enum stats_msg m)
{
    const char *t;

    if ((unsigned)m >= STATS_NMSG)
        return "";
    t = lookup(li, MSG_KEYS[m]);
    return t != NULL ? t : "";
}
