/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * links: how `show`, `links` and the desk say what store_idents.h finds
 * (an identifier and the other cases that have it), in English for the
 * terminal and as JSON. Nothing is allocated except the json_t returned,
 * which the caller owns.
 */
#ifndef UMBRA_CASE_LINKS_H
#define UMBRA_CASE_LINKS_H

#include <jansson.h>
#include <stddef.h>

/* "phone number", "plate", "online handle", "place"; the code itself for
 * another kind. */
const char *links_kind_noun(const char *kind);

/* ids ("4,9", ascending) as "case 4", "cases 4 and 9", "cases 4, 7 and
 * 9" into out (cut at cap, NUL-ended); "" for "". */
void links_cases_phrase(char *out, size_t cap, const char *ids);

/* ids as a JSON array of integers (at most 10,000 read). */
json_t *links_cases_json(const char *ids);

/* The flags (UMBRA_IDENT_*) as a JSON array of their names: "cut",
 * "mixed_scripts", "not_a_phone_number", "no_country". */
json_t *links_flags_json(unsigned flags);

/* The flags as a short English note in brackets (" (mixed scripts: check
 * it by eye)"), "" when none. */
void links_flags_note(char *out, size_t cap, unsigned flags);

#endif
