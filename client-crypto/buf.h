/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * buf: the one growable byte buffer of libumbra and its programs (the
 * server's request bodies and form fields, umbra-case's HTTP answers).
 *
 * data[0..len) is the content in a malloc'd block of alloc bytes; the
 * buffer never grows past cap bytes (set it before the first append; a
 * cap of 0 takes nothing). Unless plain is set, every block given back
 * (on growth and on release) is wiped first: the default for a zeroed
 * struct is the careful one. A zeroed struct with its cap set is an empty
 * buffer; umbra_buf_release frees the block and leaves it empty (cap and
 * plain kept), so it is NULL-safe and may be called twice.
 */
#ifndef UMBRA_BUF_H
#define UMBRA_BUF_H

#include <stddef.h>
#include <stdint.h>

#include "umbra.h"

struct umbra_buf {
    uint8_t *data;
    size_t len, alloc, cap;
    int plain; /* 1: the content is not secret, freed blocks not wiped */
};

/* Room for n more bytes without a new block: 0, -1 if len + n would pass
 * cap (nothing changed), -2 out of memory (nothing changed). */
int umbra_buf_reserve(struct umbra_buf *b, size_t n) UMBRA_WUR;

/* Appends p[0..n): 0, -1 if it would pass cap, -2 out of memory; on an
 * error nothing is appended. */
int umbra_buf_append(struct umbra_buf *b, const void *p,
                     size_t n) UMBRA_WUR;

/* Wipes (unless plain) and frees the block; b is empty again. */
void umbra_buf_release(struct umbra_buf *b);

#endif
