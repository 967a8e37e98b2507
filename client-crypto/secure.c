/* SPDX-License-Identifier: AGPL-3.0-or-later */
/* secure: sodium_init, no core dumps, pooled secret memory (see secure.h). */
#include "secure.h"

#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>

#define PAGE 4096u
#define POOL_CLASSES 10u
#define POOL_PER_CLASS 8u
#define POOL_MAX_IDLE (4u * 1024u * 1024u)
#define HDR_MAGIC 0x756d627261736563ull /* "umbrasec" */

struct hdr {
    uint64_t magic;
    uint8_t *block;
    size_t block_size;
    size_t len;
};

#define HDR_BYTES 32u

static pthread_mutex_t pool_lock = PTHREAD_MUTEX_INITIALIZER;
static uint8_t *pool[POOL_CLASSES][POOL_PER_CLASS];
static unsigned pool_n[POOL_CLASSES];
static size_t pool_idle;

int
umbra_secure_init(void)
{
    struct rlimit rl = {0, 0};

    if (sodium_init() < 0)
        return UMBRA_ERR_CRYPTO;
    if (setrlimit(RLIMIT_CORE, &rl) != 0)
        return UMBRA_ERR_CRYPTO;
    if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) != 0)
        return UMBRA_ERR_CRYPTO;
    return 0;
}

/* The pool class for a block of need bytes, or POOL_CLASSES if none. */
static unsigned
class_of(size_t need, size_t *block_size)
{
    unsigned k;

    for (k = 0; k < POOL_CLASSES; k++)
        if (need <= (size_t)PAGE << k) {
            *block_size = (size_t)PAGE << k;
            return k;
        }
    *block_size = (need + PAGE - 1) / PAGE * PAGE;
    return POOL_CLASSES;
}

void *
umbra_secret_alloc(size_t len)
{
    static int ready;
    struct hdr h;
    uint8_t *block = NULL, *user;
    size_t block_size;
    unsigned k;

    if (!__atomic_load_n(&ready, __ATOMIC_ACQUIRE)) {
        if (sodium_init() < 0)
            return NULL;
        __atomic_store_n(&ready, 1, __ATOMIC_RELEASE);
    }
    if (len > (size_t)1 << 40)
        return NULL;
    k = class_of(len + HDR_BYTES, &block_size);
    if (k < POOL_CLASSES) {
        pthread_mutex_lock(&pool_lock);
        if (pool_n[k] > 0) {
            block = pool[k][--pool_n[k]];
            pool_idle -= block_size;
        }
        pthread_mutex_unlock(&pool_lock);
    }
    if (block == NULL)
        block = sodium_malloc(block_size);
    if (block == NULL)
        return NULL;
    user = block + block_size - len;
    h.magic = HDR_MAGIC;
    h.block = block;
    h.block_size = block_size;
    h.len = len;
    memcpy(user - HDR_BYTES, &h, sizeof(h));
    return user;
}

void
umbra_secret_free(void *p)
{
    uint8_t *user = p;
    struct hdr h;
    unsigned k;
    size_t block_size;

    if (user == NULL)
        return;
    memcpy(&h, user - HDR_BYTES, sizeof(h));
    if (h.magic != HDR_MAGIC || h.block + h.block_size != user + h.len) {
        fputs("umbra_secret_free: not a live secret buffer\n", stderr);
        abort();
    }
    sodium_memzero(user - HDR_BYTES, HDR_BYTES + h.len);
    k = class_of(h.block_size, &block_size);
    if (k < POOL_CLASSES && block_size == h.block_size) {
        pthread_mutex_lock(&pool_lock);
        if (pool_n[k] < POOL_PER_CLASS &&
            pool_idle + h.block_size <= POOL_MAX_IDLE) {
            pool[k][pool_n[k]++] = h.block;
            pool_idle += h.block_size;
            h.block = NULL;
        }
        pthread_mutex_unlock(&pool_lock);
    }
    if (h.block != NULL)
        sodium_free(h.block);
}

void *
umbra_secret_advance(void *p, size_t cut)
{
    uint8_t *user = p;
    struct hdr h;

    memcpy(&h, user - HDR_BYTES, sizeof(h));
    if (h.magic != HDR_MAGIC || h.block + h.block_size != user + h.len ||
        cut > h.len) {
        fputs("umbra_secret_advance: not a live secret buffer\n", stderr);
        abort();
    }
    /* Wipe the old header and the bytes cut off, then put the header in
     * front of the new start, inside the wiped span. */
    sodium_memzero(user - HDR_BYTES, HDR_BYTES + cut);
    h.len -= cut;
    memcpy(user + cut - HDR_BYTES, &h, sizeof(h));
    return user + cut;
}
