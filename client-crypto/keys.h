/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * keys: key ids, organisation keys and fingerprints (protocol sections 1,
 * 3 and 3.1).
 *
 * struct umbra_org_keys (umbra.h) holds every secret of an organisation:
 * the store key, the Ed25519 signing key pair and up to 16 X25519 key pairs
 * with their key ids and creation dates. It is always one sodium_malloc
 * block made by umbra_org_keys_new() (or the key file reader) and released
 * by umbra_org_keys_free(), which wipes it. New keys draw their randomness
 * through the rng seam in this order: store key (32), signing seed (32),
 * then for each X25519 key its secret key (32).
 */
#ifndef UMBRA_KEYS_H
#define UMBRA_KEYS_H

#include "umbra.h"

/* A zeroed struct umbra_org_keys in sodium_malloc memory, or NULL. */
struct umbra_org_keys *umbra_org_keys_alloc(void);

#endif
