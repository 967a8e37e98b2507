/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * strength: how hard a new passphrase is to guess, before it protects a
 * key file.
 *
 * The estimate is zxcvbn's (libzxcvbn, the C port of Dropbox's
 * estimator): the passphrase is cut into the parts an attacker's tools
 * try first (common passwords, English words and names, their l33t
 * spellings, keyboard patterns, sequences, repeats, dates) and the bits of
 * guessing of the cheapest cut are added up. A key file is attacked
 * offline, so the bar is high: STRENGTH_MIN_BITS. Five words picked at
 * random (the caseworker guide's rule) come to 60 bits or more.
 *
 * zxcvbn knows no words of other scripts and counts their bytes as random
 * characters, which would call one Thai word strong; a passphrase with
 * characters beyond ASCII is therefore counted at most STRENGTH_WORD_BITS
 * per word (words are separated by spaces), so it needs five words too.
 *
 * Nothing here prints or keeps the passphrase: the reason given names
 * kinds of pattern, never the text.
 */
#ifndef UMBRA_CASE_STRENGTH_H
#define UMBRA_CASE_STRENGTH_H

#include <stddef.h>

#define STRENGTH_MIN_BITS 60
#define STRENGTH_WORD_BITS 13

/*
 * Estimates the passphrase pw (len bytes, NUL-terminated; an inner NUL
 * ends what is looked at). *bits: the estimate. why (cap bytes) gets a
 * phrase for what makes it guessable ("it is a common password"), empty
 * when strong. Returns 1 if weak (under STRENGTH_MIN_BITS), else 0.
 */
int strength_weak(double *bits, char *why, size_t cap, const char *pw,
                  size_t len);

#endif
