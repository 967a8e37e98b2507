/* SPDX-License-Identifier: AGPL-3.0-or-later */
/* util: see util.h. */
#define _GNU_SOURCE
#include "util.h"

#include <errno.h>
#include <jansson.h>
#include <malloc.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

char *
b64_new(const uint8_t *p, size_t n)
{
    size_t m = sodium_base64_encoded_len(n, sodium_base64_VARIANT_ORIGINAL);
    char *s = malloc(m);
    if (s)
        sodium_bin2base64(s, m, p, n, sodium_base64_VARIANT_ORIGINAL);
    return s;
}

uint32_t
le32_load(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
           (uint32_t)p[3] << 24;
}

void
le32_store(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)(v >> 16);
    p[3] = (uint8_t)(v >> 24);
}

void
thread_stop(pthread_mutex_t *mu, pthread_cond_t *cv, int *flag)
{
    pthread_mutex_lock(mu);
    *flag = 1;
    pthread_cond_broadcast(cv);
    pthread_mutex_unlock(mu);
}

void
cond_wait_s(pthread_cond_t *cv, pthread_mutex_t *mu, unsigned s)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    ts.tv_sec += (time_t)s;
    (void)pthread_cond_timedwait(cv, mu, &ts);
}

uint64_t
now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* Blocks are plain malloc blocks (free() works on json_dumps output);
 * jansson's frees wipe the whole usable size first. */
void
wipe_free(void *p)
{
    if (!p)
        return;
    sodium_memzero(p, malloc_usable_size(p));
    free(p);
}

void
json_wipe_install(void)
{
    json_set_alloc_funcs(malloc, wipe_free);
}

int
str_copy(char *dst, size_t dst_size, const char *src)
{
    size_t n = strlen(src);
    if (dst_size == 0)
        return -1;
    if (n >= dst_size) {
        memcpy(dst, src, dst_size - 1);
        dst[dst_size - 1] = '\0';
        return -1;
    }
    memcpy(dst, src, n + 1);
    return 0;
}

int
parse_u64(uint64_t *out, const char *s, uint64_t min, uint64_t max)
{
    return umbra_parse_u64(out, s, min, max) == 0 ? 0 : -1;
}
