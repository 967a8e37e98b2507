/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * fuzz_common: what the libumbra fuzz harnesses share: one-time library
 * set-up and the fixed X25519 key pair the seed envelopes are sealed to
 * (seed = BLAKE2b-256("umbra fuzz key"), crypto_box_seed_keypair).
 */
#ifndef UMBRA_FUZZ_COMMON_H
#define UMBRA_FUZZ_COMMON_H

#include "umbra.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint8_t fuzz_pk[32], fuzz_sk[32];

static inline void
fuzz_setup(void)
{
    static int done;
    uint8_t seed[32];
    static const char label[] = "umbra fuzz key";

    if (done)
        return;
    if (sodium_init() < 0)
        abort();
    crypto_generichash(seed, 32, (const uint8_t *)label, sizeof(label) - 1,
                       NULL, 0);
    crypto_box_seed_keypair(fuzz_pk, fuzz_sk, seed);
    done = 1;
}

#endif
