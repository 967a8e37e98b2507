/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * Unit tests of the growable byte buffer (buf.h): appends up to the cap
 * and not one byte past it, reserve, growth keeping the content, release.
 * (The wiping of freed blocks is not observable without reading freed
 * memory; the server's leak test scans for it.) Ends with "N passed, N
 * failed".
 */
#include "buf.h"
#include "check.h"

#include <stdint.h>

int
main(void)
{
    struct umbra_buf b = {NULL, 0, 0, 10, 0};
    struct umbra_buf big = {NULL, 0, 0, 1u << 20, 0};
    uint8_t chunk[1000];
    size_t i, total = 0;
    int ok = 1;

    if (sodium_init() < 0)
        return 1;
    CHECK(umbra_buf_append(&b, "hello", 5) == 0 && b.len == 5 &&
              memcmp(b.data, "hello", 5) == 0,
          "append");
    CHECK(umbra_buf_append(&b, "world", 5) == 0 && b.len == 10 &&
              memcmp(b.data, "helloworld", 10) == 0 && b.alloc == 10,
          "append up to the cap; the block never larger than the cap");
    CHECK(umbra_buf_append(&b, "!", 1) == -1 && b.len == 10,
          "one byte past the cap: -1, nothing appended");
    CHECK(umbra_buf_append(&b, "", 0) == 0 && b.len == 10,
          "an empty append at the cap");
    CHECK(umbra_buf_reserve(&b, 1) == -1 && umbra_buf_reserve(&b, 0) == 0,
          "reserve checks the cap too");
    CHECK(umbra_buf_append(&b, "x", SIZE_MAX) == -1 && b.len == 10,
          "a huge length does not wrap around");
    umbra_buf_release(&b);
    CHECK(b.data == NULL && b.len == 0 && b.alloc == 0 && b.cap == 10,
          "release: empty, the cap kept");
    umbra_buf_release(&b);
    umbra_buf_release(NULL);
    CHECK(umbra_buf_append(&b, "again", 5) == 0 && b.len == 5,
          "usable after release (and release twice, of NULL, is safe)");
    umbra_buf_release(&b);

    b.cap = 0;
    CHECK(umbra_buf_append(&b, "a", 1) == -1 && b.data == NULL,
          "a cap of 0 takes nothing");

    for (i = 0; i < sizeof chunk; i++)
        chunk[i] = (uint8_t)(i * 7u);
    while (umbra_buf_append(&big, chunk, sizeof chunk) == 0)
        total += sizeof chunk;
    CHECK(total == (1u << 20) / 1000 * 1000 && big.len == total &&
              big.alloc == 1u << 20,
          "grows to the cap and stops there");
    for (i = 0; i < big.len; i++)
        ok &= big.data[i] == (uint8_t)((i % 1000) * 7u);
    CHECK(ok, "the content survives every growth");
    CHECK(umbra_buf_reserve(&big, (1u << 20) - big.len) == 0 &&
              umbra_buf_append(&big, chunk, (1u << 20) - big.len) == 0 &&
              big.len == 1u << 20,
          "the last bytes up to the cap");
    umbra_buf_release(&big);
    return check_done();
}
