/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * fuzz_imgmeta: the server's metadata stripper (server/imgmeta.c) over
 * arbitrary bytes. The first byte picks the image type. Checks: no crash
 * or sanitizer report; the output is never longer than the input; and
 * stripping is idempotent (a stripped image strips to itself).
 */
#include "../../server/imgmeta.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const types[] = {"image/jpeg", "image/png",
                                        "image/webp", "image/gif"};
    const char *type;
    uint8_t *a, *b;
    size_t la, lb;

    if (size < 1 || size > (1u << 20))
        return 0;
    type = types[data[0] & 3];
    la = size - 1;
    a = malloc(la + 1);
    b = malloc(la + 1);
    if (!a || !b)
        abort();
    memcpy(a, data + 1, la);
    if (imgmeta_strip(a, &la, type) == 0) {
        if (la > size - 1)
            abort();
        memcpy(b, a, la);
        lb = la;
        if (imgmeta_strip(b, &lb, type) != 0 || lb != la ||
            memcmp(a, b, la) != 0)
            abort();
    }
    free(a);
    free(b);
    return 0;
}
