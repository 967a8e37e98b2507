/* SPDX-License-Identifier: AGPL-3.0-or-later */
/* pad: buckets and Padmé of the content length (see pad.h). */
#include "pad.h"

static unsigned
floor_log2(uint64_t x)
{
    unsigned r = 0;

    while (x >>= 1)
        r++;
    return r;
}

uint64_t
umbra_padme(uint64_t len)
{
    unsigned e, s, z;
    uint64_t mask;

    if (len < 2)
        return len;
    e = floor_log2(len);
    s = floor_log2(e) + 1;
    z = e - s;
    mask = ((uint64_t)1 << z) - 1;
    return (len + mask) & ~mask;
}

size_t
umbra_pad_size(size_t u)
{
    uint64_t p;

    if (u <= 4096)
        return 4096;
    if (u <= 16384)
        return 16384;
    if (u <= 65536)
        return 65536;
    if (u > UMBRA_ENVELOPE_MAX_PADDED)
        return 0;
    p = umbra_padme(u);
    if (p > UMBRA_ENVELOPE_MAX_PADDED)
        return 0;
    return (size_t)p;
}

int
umbra_pad_is_valid(size_t p)
{
    if (p == 4096 || p == 16384 || p == 65536)
        return 1;
    return p > 65536 && p <= UMBRA_ENVELOPE_MAX_PADDED && umbra_padme(p) == p;
}
