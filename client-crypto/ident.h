/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * ident: the normalisation of a perpetrator's identifier (protocol section
 * 6.2), the one implementation: the case store calls it on import so that
 * the same phone number, plate, handle or place typed differently in two
 * reports is one value, and links finds it.
 *
 * An identifier is {kind, value} (report vocabulary list id_kinds: phone,
 * plate, handle, place). umbra_ident_normalise decodes the value strictly
 * as UTF-8, keeps at most UMBRA_REPORT_PERPETRATOR_IDENTIFIERS_VALUE_MAX
 * UTF-16 units of it (the form's cap; more is cut and flagged), folds
 * full-width forms, control characters and the many spaces, drops
 * invisible characters, then applies its kind's rule. It writes two
 * NUL-ended strings into fixed arrays of struct umbra_ident (nothing is
 * allocated): value, the normalised identifier that links compare, and
 * skeleton, the same with the Cyrillic and Greek letters that look like
 * Latin ones replaced by those, which is only ever used to point at
 * look-alikes, never to merge them. The calling code table covers every
 * country of the report form's menu.
 */
#ifndef UMBRA_IDENT_H
#define UMBRA_IDENT_H

#include "umbra.h"

/* room for a normalised value: 200 units are at most 600 bytes of UTF-8
 * (a phone number's "+" and calling code fit easily) */
#define UMBRA_IDENT_BYTES 640u

/*
 * Flags of a normalised identifier:
 *   CUT        longer than the cap: cut there
 *   MIXED      letters of more than one script
 *   NOT_PHONE  kind phone but letters or no digit: kept as typed (spaces
 *              folded)
 *   NO_COUNTRY phone without a "+" or "00" and no known country: its
 *              digits only, no "+"
 */
#define UMBRA_IDENT_CUT 1u
#define UMBRA_IDENT_MIXED 2u
#define UMBRA_IDENT_NOT_PHONE 4u
#define UMBRA_IDENT_NO_COUNTRY 8u

struct umbra_ident {
    int kind; /* index in umbra_report_id_kinds */
    unsigned flags;
    char value[UMBRA_IDENT_BYTES];
    char skeleton[UMBRA_IDENT_BYTES];
};

/*
 * Normalises value[0..len) of kind (a code of umbra_report_id_kinds) with
 * country (the incident's ISO 3166-1 alpha-2 code, any case, or NULL or
 * "") into *out. 0; UMBRA_ERR_ARG for an unknown kind or a NULL pointer;
 * UMBRA_ERR_FORMAT when value is not valid UTF-8 or holds a NUL, or is
 * empty once normalised (out->value is then "" and out->flags 0). *out
 * is always fully written.
 */
int umbra_ident_normalise(struct umbra_ident *out, const char *kind,
                          const char *value, size_t len,
                          const char *country) UMBRA_WUR;

/*
 * The international calling code (digits, no "+") of an ISO 3166-1
 * alpha-2 country (any case), or NULL when the table does not know it.
 * *trunk, when not NULL, is set to the national trunk prefix that the
 * normaliser drops ("" when the country has none).
 */
const char *umbra_ident_calling_code(const char *country, const char **trunk);

#endif
