/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * dwidth: how many terminal columns text takes, for columns that line up
 * in Thai, Arabic and Chinese as in English (`umbra-case list`).
 *
 * wcwidth semantics, from a table of our own rather than glibc's wcwidth:
 * that one answers only after setlocale() to a UTF-8 locale (umbra-case
 * sets none, and a caseworker's laptop may have none installed) and its
 * answers change with the glibc version. Here: combining marks (Thai
 * vowel and tone marks above and below, Arabic harakat, the combining
 * diacritics Vietnamese may use), zero-width spaces and joiners and
 * variation selectors take 0 columns; East Asian Wide and Fullwidth
 * characters (CJK, Hangul, kana, fullwidth forms, emoji) take 2; every
 * other character 1. Arabic letters take 1 (the terminal joins them).
 *
 * Widths are of the text as case_print_safe(f, s, len, 0) prints it
 * (util.c): a byte that is not UTF-8 shows as \xNN (4 columns), a control
 * character as U+FFFD (1), a bidirectional override as <U+202E> (8).
 */
#ifndef UMBRA_CASE_DWIDTH_H
#define UMBRA_CASE_DWIDTH_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* The columns of one code point as printed: 0, 1 or 2 (8 for a
 * bidirectional override, 1 for a control character). */
size_t umbra_cp_width(uint32_t cp);

/* The columns s (len bytes of UTF-8) takes as case_print_safe prints it. */
size_t umbra_display_width(const char *s, size_t len);

/*
 * How many bytes of s fit in max columns: whole characters only, each
 * with the zero-width marks that follow it. *width (if not NULL) gets
 * their columns.
 */
size_t umbra_display_fit(const char *s, size_t len, size_t max,
                         size_t *width);

/*
 * Prints s through case_print_safe in a cell of cols columns: cut with
 * "…" when wider (never inside a character), then, when pad, spaces up
 * to cols.
 */
void umbra_display_cell(FILE *f, const char *s, size_t len, size_t cols,
                        int pad);

#endif
