/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * rng: the one place libumbra draws randomness.
 *
 * umbra_randombytes() and umbra_random_uniform() call libsodium's
 * randombytes_buf / randombytes_uniform unless a test has installed a hook
 * with umbra_test_set_rng(); then bytes come from the hook, and a uniform
 * draw below u <= 256 takes one byte per attempt, rejecting bytes
 * >= 256 - 256 % u (above 256: four little-endian bytes per attempt,
 * rejecting >= 2^32 - 2^32 % u). The hook is a process-wide pointer pair:
 * tests only, not thread-safe.
 *
 * The seam exists only when rng.c is compiled with -DUMBRA_TEST_SEAM,
 * which client-crypto/module.mk does for build/libumbra-test.a (linked by
 * the unit tests, umbra-vec, the crypto bench and the fuzz harnesses)
 * and never for build/libumbra.a: the production library has no
 * umbra_test_set_rng symbol and no hook to install.
 */
#ifndef UMBRA_RNG_H
#define UMBRA_RNG_H

#include "umbra.h"

#endif
