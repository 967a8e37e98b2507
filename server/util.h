/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * util: small helpers of umbra-server with no state: the names of the
 * growable byte buffer (libumbra's buf.h), monotonic time, and jansson
 * wired to memory that is wiped on free (report plaintext passes through
 * jansson on the no-JS path). UTF-8 and JSON depth are checked before any parser with libumbra's
 * umbra_utf8_valid and umbra_json_depth_ok.
 */
#ifndef UMBRA_SERVER_UTIL_H
#define UMBRA_SERVER_UTIL_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "umbra.h"

#define WUR __attribute__((warn_unused_result))

/* The server's byte buffer is libumbra's struct umbra_buf (buf.h): it
 * never grows past cap, and (plain left 0) every block is wiped before it
 * is freed. */



/* Tells a thread's loop to stop: sets *flag under mu and wakes every
 * waiter on cv (the loop checks *flag under mu after each wait). */
void thread_stop(pthread_mutex_t *mu, pthread_cond_t *cv, int *flag);

/* Waits on cv, mu held, for at most s seconds (a wakeup may come early). */
void cond_wait_s(pthread_cond_t *cv, pthread_mutex_t *mu, unsigned s);

/* p as base64 (the original alphabet, padded), malloc'd; NULL out of
 * memory. */
char *b64_new(const uint8_t *p, size_t n);

/* A 32-bit little-endian integer at p (the spool's records, RIFF). */
uint32_t le32_load(const uint8_t *p);
void le32_store(uint8_t *p, uint32_t v);

/* Monotonic time in nanoseconds. */
uint64_t now_ns(void);

/* Wipes a malloc'd block's whole usable size and frees it; NULL-safe. */
void wipe_free(void *p);

/* Installs jansson allocators that wipe every block on free. */
void json_wipe_install(void);

/* Bounded string copy that always terminates; returns 0 or -1 if cut. */
int str_copy(char *dst, size_t dst_size, const char *src);

/* Parses a decimal unsigned integer in [min, max]; 0 or -1. */
int parse_u64(uint64_t *out, const char *s, uint64_t min, uint64_t max) WUR;

#endif
