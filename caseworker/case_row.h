/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * case_row: a row of the case store's list (struct store_row, store.h) as
 * list and show give it to the caseworker: its categories as one line of
 * text, and the whole row as a JSON object (the form of `list --json`).
 */
#ifndef UMBRA_CASE_CASE_ROW_H
#define UMBRA_CASE_CASE_ROW_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

struct store_row;

/* The category codes of bits, comma-separated, into out (cut at cap). */
void case_row_categories(char *out, size_t cap, uint32_t bits);

/* The row as a new JSON object (the caller decrefs it), NULL if out of
 * memory. */
json_t *case_row_json(const struct store_row *r);

/* Prints j as one line of JSON text (dumped with flags: JSON_COMPACT,
 * JSON_INDENT(n)) and a newline on stdout, then drops the reference to j
 * (NULL: nothing printed). 0 or -1 (j NULL or out of memory). */
int case_json_print(json_t *j, size_t flags);

#endif
