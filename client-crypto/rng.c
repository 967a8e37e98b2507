/* SPDX-License-Identifier: AGPL-3.0-or-later */
/* rng: randomness seam (see rng.h). */
#include "rng.h"

#include <sodium.h>

#ifdef UMBRA_TEST_SEAM
static void (*hook_fn)(void *ctx, void *buf, size_t len);
static void *hook_ctx;

void
umbra_test_set_rng(void (*fn)(void *ctx, void *buf, size_t len), void *ctx)
{
    hook_fn = fn;
    hook_ctx = ctx;
}

/* One uniform draw from the hook (see rng.h for the rejection rule). */
static uint32_t
hook_uniform(uint32_t upper)
{
    if (upper <= 256) {
        uint32_t limit = 256u - 256u % upper;
        for (;;) {
            uint8_t b;
            hook_fn(hook_ctx, &b, 1);
            if (b < limit)
                return b % upper;
        }
    }
    for (;;) {
        uint8_t b[4];
        uint64_t limit = 4294967296ull - 4294967296ull % upper;
        uint32_t v;
        hook_fn(hook_ctx, b, 4);
        v = (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 |
            (uint32_t)b[3] << 24;
        if (v < limit)
            return v % upper;
    }
}
#endif

void
umbra_randombytes(void *buf, size_t len)
{
#ifdef UMBRA_TEST_SEAM
    if (hook_fn != NULL) {
        hook_fn(hook_ctx, buf, len);
        return;
    }
#endif
    randombytes_buf(buf, len);
}

uint32_t
umbra_random_uniform(uint32_t upper)
{
    if (upper < 2)
        return 0;
#ifdef UMBRA_TEST_SEAM
    if (hook_fn != NULL)
        return hook_uniform(upper);
#endif
    return randombytes_uniform(upper);
}
