/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * pad: the padded sizes of protocol section 2.1.
 *
 * A content of u bytes is padded to the first fixed bucket that holds it
 * (4096, 16384 or 65536 bytes: text reports), and above 64 KiB to
 * Padmé(u), which leaks O(log log u) bits of the length. The inner header
 * (6 + 8n bytes) is a fixed overhead on top of the padded content size.
 * No padded size may exceed UMBRA_ENVELOPE_MAX_PADDED (16 MiB). Pure
 * functions, no state.
 */
#ifndef UMBRA_PAD_H
#define UMBRA_PAD_H

#include "umbra.h"

#endif
