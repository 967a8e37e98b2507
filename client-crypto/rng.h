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
 */
#ifndef UMBRA_RNG_H
#define UMBRA_RNG_H

#include "umbra.h"

#endif
