/* SPDX-License-Identifier: AGPL-3.0-or-later */
/* pull_seen: the set of what this home has pulled (see pull_seen.h). */
#include "pull_seen.h"
#include "bfile.h"
#include "case.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

static size_t
seen_slot(const struct seen *s, const uint8_t sha[32], uint64_t id)
{
    uint64_t h;
    size_t i;

    memcpy(&h, sha, sizeof h);
    for (i = (size_t)h & (s->cap - 1);
         s->v[i].used &&
         (s->v[i].id != id || memcmp(s->v[i].sha, sha, 32) != 0);
         i = (i + 1) & (s->cap - 1))
        ;
    return i;
}

int
seen_has(const struct seen *s, const uint8_t sha[32], uint64_t id)
{
    return s->cap > 0 && s->v[seen_slot(s, sha, id)].used;
}

/* Puts a pair into a set that has room for it. */
static void
seen_put(struct seen *s, const uint8_t sha[32], uint64_t id)
{
    size_t i = seen_slot(s, sha, id);

    if (!s->v[i].used) {
        memcpy(s->v[i].sha, sha, 32);
        s->v[i].id = id;
        s->v[i].used = 1;
        s->n++;
    }
}

int
seen_add(struct seen *s, const uint8_t sha[32], uint64_t id)
{
    size_t i;

    if ((s->n + 1) * 2 > s->cap) {
        struct seen old = *s;
        size_t nc = s->cap ? s->cap * 2 : 1024;

        s->v = calloc(nc, sizeof *s->v);
        if (s->v == NULL) {
            *s = old;
            return -1;
        }
        s->cap = nc;
        s->n = 0;
        for (i = 0; i < old.cap; i++)
            if (old.v[i].used)
                seen_put(s, old.v[i].sha, old.v[i].id);
        free(old.v);
    }
    seen_put(s, sha, id);
    return 0;
}

/* Adds every record of the bundle file at path. 0, 1 if there is no such
 * file, -1 (printed). */
static int
seen_load(struct seen *s, const char *path)
{
    struct bfile bf;
    uint8_t sha[32];
    int r;

    if (access(path, F_OK) != 0 && errno == ENOENT)
        return 1;
    if (bfile_open_read(&bf, path) != 0)
        return -1;
    while ((r = bfile_next(&bf)) == 0) {
        crypto_hash_sha256(sha, bf.rec.env, bf.rec.env_len);
        if (seen_add(s, sha, bf.rec.id_num) != 0) {
            bfile_close(&bf);
            case_err("out of memory");
            return -1;
        }
    }
    bfile_close(&bf);
    if (r < 0) {
        case_err("cannot read bundle file '%s': %s", path, strerror(errno));
        return -1;
    }
    return 0; /* a damaged tail: the records before it count */
}

int
seen_load_all(struct seen *s, const char *path, unsigned *next)
{
    char p[CASE_PATH_MAX + 8];
    unsigned k;
    int r;

    if (seen_load(s, path) < 0)
        return -1;
    for (k = 1; k <= PULL_SET_ASIDE_MAX; k++) {
        snprintf(p, sizeof p, "%s.%u", path, k);
        r = seen_load(s, p);
        if (r < 0)
            return -1;
        if (r == 1)
            break;
    }
    *next = k;
    return 0;
}


void
seen_release(struct seen *s)
{
    free(s->v);
    s->v = NULL;
    s->n = 0;
    s->cap = 0;
}
