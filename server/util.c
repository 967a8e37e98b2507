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
