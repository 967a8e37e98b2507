/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * secure: process hardening and secret memory.
 *
 * umbra_secure_init() initialises libsodium and makes sure a crash never
 * writes a core file (RLIMIT_CORE = 0, PR_SET_DUMPABLE = 0).
 *
 * Secrets live in sodium_malloc memory: guard pages around, mlock'd where
 * the system allows, never in a core file. sodium_malloc costs several
 * system calls (tens of microseconds here, more than opening a small
 * envelope), so umbra_secret_alloc keeps a small pool of freed blocks:
 *
 *   block (sodium_malloc, a page multiple: 4 KiB << k, k = 0..9)
 *   +--------------- ... ------+--------+----------------+ guard page
 *   | wiped, unused            | header | user data (len)|
 *   +--------------- ... ------+--------+----------------+
 *
 * The user data ends at the guard page (an overflow still faults), and the
 * 32-byte header in front of it names the block, its size and len.
 * umbra_secret_free wipes the header and the user data, then either keeps
 * the block for reuse (at most POOL_PER_CLASS per size, POOL_MAX_IDLE
 * bytes in all, 4 MiB, leaving room under a small RLIMIT_MEMLOCK) or
 * sodium_free()s it. A freed block is therefore always
 * wiped; a double free is caught by the wiped header (abort). Blocks above
 * 2 MiB are never pooled. The pool is guarded by a mutex.
 *
 * Pointers from umbra_secret_alloc (and every secret output of libumbra)
 * must be released with umbra_secret_free, never sodium_free.
 */
#ifndef UMBRA_SECURE_H
#define UMBRA_SECURE_H

#include "umbra.h"

/*
 * Drops the first cut bytes of a live secret buffer p (wiping them) and
 * returns the buffer that starts cut bytes later; only that pointer may be
 * freed afterwards. Lets a caller decrypt a header and its body into one
 * buffer and hand out the body without copying it. Aborts on a pointer
 * that umbra_secret_alloc did not return, or cut beyond its length.
 */
void *umbra_secret_advance(void *p, size_t cut);

#endif
