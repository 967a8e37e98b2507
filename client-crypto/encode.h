/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * encode: small text encodings shared by every module and component.
 *
 * Lowercase hex (umbra_hex / umbra_unhex, public in umbra.h), the one
 * integer parser (umbra_parse_u64, public), today's UTC date, and the validators for the two short strings that appear in several
 * formats: an organisation slug (1..63 of a-z 0-9 '-', not starting with
 * '-') and a calendar date written YYYY-MM-DD. Nothing here allocates.
 * umbra_digits_value (public) reads a date's fixed-width digit fields.
 */
#ifndef UMBRA_ENCODE_H
#define UMBRA_ENCODE_H

#include "umbra.h"

/* umbra_slug_valid and umbra_date_valid are declared in umbra.h. */

#endif
