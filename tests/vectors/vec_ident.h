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

/* `umbra-vec ident`: each line of standard input "KIND COUNTRY HEX" (tab
 * separated; COUNTRY may be empty, HEX the value's bytes) normalised,
 * one line out each: "ok VALUEHEX SKELETONHEX FLAGS" or "error". The
 * Python twin's interop test (pyumbra.py). Exit status 0, or 2 on a
 * malformed line. */
int vec_ident_cli(void);

#endif
