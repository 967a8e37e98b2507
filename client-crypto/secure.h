/*
 * secure: process hardening and secret memory.
 *
 * umbra_secure_init() initialises libsodium and makes sure a crash never
 * writes a core file (RLIMIT_CORE = 0, PR_SET_DUMPABLE = 0). Secrets live
 * in sodium_malloc memory (guard pages, mlock where the system allows,
 * wiped by sodium_free); umbra_secret_alloc / umbra_secret_free are thin
 * wrappers so that every component uses the same allocator.
 */
#ifndef UMBRA_SECURE_H
#define UMBRA_SECURE_H

#include "umbra.h"

#endif
