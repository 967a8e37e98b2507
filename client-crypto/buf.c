/* SPDX-License-Identifier: AGPL-3.0-or-later */
/* buf: the growable byte buffer (see buf.h). */
#include "buf.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

int
umbra_buf_reserve(struct umbra_buf *b, size_t n)
{
    size_t na;
    uint8_t *d;

    if (n > b->cap || b->len > b->cap - n)
        return -1;
    if (b->len + n <= b->alloc)
        return 0;
    na = b->alloc ? b->alloc : 4096;
    while (na < b->len + n && na <= SIZE_MAX / 2)
        na *= 2;
    if (na < b->len + n || na > b->cap)
        na = b->cap;
    d = malloc(na);
    if (d == NULL)
        return -2;
    if (b->data != NULL) {
        memcpy(d, b->data, b->len);
        if (!b->plain)
            sodium_memzero(b->data, b->alloc);
        free(b->data);
    }
    b->data = d;
    b->alloc = na;
    return 0;
}

int
umbra_buf_append(struct umbra_buf *b, const void *p, size_t n)
{
    int rc = umbra_buf_reserve(b, n);

    if (rc != 0)
        return rc;
    if (n > 0)
        memcpy(b->data + b->len, p, n);
    b->len += n;
    return 0;
}

void
umbra_buf_release(struct umbra_buf *b)
{
    if (b == NULL)
        return;
    if (b->data != NULL) {
        if (!b->plain)
            sodium_memzero(b->data, b->alloc);
        free(b->data);
    }
    b->data = NULL;
    b->len = b->alloc = 0;
}
