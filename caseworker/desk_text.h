/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * desk_text: the desk's strings, the desk.* keys of the locale catalogues
 * (web/locales/<lang>.json) built into umbra-case as C tables
 * (caseworker/gen-stats-strings.py --prefix desk. writes
 * $(O)/gen/caseworker/desk_strings.c), so the desk reads no file. A
 * catalogue with desk.* keys must have all of en.json's (the build stops
 * otherwise). A language is an index; 0 is English, every fallback.
 */
#ifndef UMBRA_CASE_DESK_TEXT_H
#define UMBRA_CASE_DESK_TEXT_H

/* The language index of tag ("pt" counts as pt-BR); -1 if none. */
int desk_text_lang(const char *tag);
/* The BCP 47 tag of language li ("en" when out of range). */
const char *desk_text_tag(int li);
/* 1 if language li is written right to left. */
int desk_text_rtl(int li);
/* How many languages the desk has. */
int desk_text_nlangs(void);
/* The text of key in language li, English if it has none, the key
 * itself if English has none either (a mistake the tests catch). */
const char *desk_text(int li, const char *key);

#endif
