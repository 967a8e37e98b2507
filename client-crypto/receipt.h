/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * receipt: receipts, what a person types, and mailbox derivation
 * (protocol section 5).
 *
 * A receipt is 23 uniform decimal digits plus a Damm check digit, shown
 * as six groups of four. Normalisation decodes the typed UTF-8 strictly
 * (no overlongs, surrogates or code points above U+10FFFF), maps the
 * decimal digits of the listed scripts to ASCII, drops separators and
 * refuses anything else, with the 256-byte cap checked first. Mailbox
 * derivation is libsodium's crypto_pwhash (Argon2id, t=2, m=19 MiB, p=1,
 * 64 bytes) over the 24 ASCII digits; its output lives only in
 * sodium_malloc memory.
 */
#ifndef UMBRA_RECEIPT_H
#define UMBRA_RECEIPT_H

#include "umbra.h"

#define UMBRA_MAILBOX_OPSLIMIT 2u
#define UMBRA_MAILBOX_MEMLIMIT 19922944u
/* Bytes of stack below umbra_mailbox_derive zeroed after Argon2. */
#define UMBRA_MAILBOX_STACK_WIPE 16384u

/* Damm check digit (0..9) of n ASCII digits. */
unsigned umbra_damm(const char *digits, size_t n);

#endif
