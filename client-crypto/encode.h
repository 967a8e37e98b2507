/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * encode: small text encodings shared by every module and component.
 *
 * Lowercase hex (umbra_hex / umbra_unhex, public in umbra.h), today's UTC
 * date, and the validators for the two short strings that appear in several
 * formats: an organisation slug (1..63 of a-z 0-9 '-', not starting with
 * '-') and a calendar date written YYYY-MM-DD. Nothing here allocates.
 */
#ifndef UMBRA_ENCODE_H
#define UMBRA_ENCODE_H

#include "umbra.h"

/* 1 if s[0..len) is a valid organisation slug, else 0. */
int umbra_slug_valid(const char *s, size_t len);

/* 1 if s[0..len) is a real calendar date written YYYY-MM-DD, else 0. */
int umbra_date_valid(const char *s, size_t len);

#endif
