/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * vec_ident: the identifier vectors (tests/vectors/identifiers.json,
 * protocol section 6.2) for umbra-vec gen, kept out of umbra_vec.c.
 */
#ifndef UMBRA_VEC_IDENT_H
#define UMBRA_VEC_IDENT_H

#include <jansson.h>

/* The document of identifiers.json (a new reference; the caller owns it),
 * or NULL when out of memory. */
json_t *vec_ident_gen(void);

#endif
