/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * pull_seen: what this home has pulled: (server id, SHA-256 of the
 * envelope) of every record in the bundle file and in the earlier bundles
 * a recovery set aside (PATH.1, PATH.2, ...). An open-addressing set of
 * pairs, hashed by digest (envelopes are random ciphertext). A pair, not
 * the digest alone: the same envelope stored twice under two ids (a
 * sender's retry) is two reports on the server, each to be imported and
 * acknowledged.
 */
#ifndef UMBRA_CASE_PULL_SEEN_H
#define UMBRA_CASE_PULL_SEEN_H

#include <stddef.h>
#include <stdint.h>

#include "umbra.h"

/* how many earlier bundles a recovery may set aside (PATH.1 ... PATH.99) */
#define PULL_SET_ASIDE_MAX 99

struct seen_entry {
    uint8_t sha[32];
    uint64_t id;
    int used;
};

struct seen {
    struct seen_entry *v;
    size_t n, cap;
};

/* 1 if the pair is in the set, else 0. */
int seen_has(const struct seen *s, const uint8_t sha[32], uint64_t id);

/* Adds a pair (the set kept at most half full). 0 or -1 (out of memory). */
int seen_add(struct seen *s, const uint8_t sha[32], uint64_t id) UMBRA_WUR;

/*
 * Loads the bundle at path and the ones set aside beside it (path.1 ...)
 * into s; *next is the first free number for setting one aside. 0 or -1
 * (printed).
 */
int seen_load_all(struct seen *s, const char *path, unsigned *next)
    UMBRA_WUR;

/* Frees the set's memory; s is left empty. */
void seen_release(struct seen *s);

#endif
