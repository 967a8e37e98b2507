/* SPDX-License-Identifier: AGPL-3.0-or-later */
/* stats_sort: the order of a table's rows (see stats_sort.h). */
#include "stats_sort.h"

#include <stdlib.h>
#include <string.h>

struct row {
    size_t at;     /* its index before sorting */
    int last;      /* other, unknown, not-stated */
    int rank;      /* 0 shown, 1 hidden ("x"), 2 under the threshold */
    uint64_t size; /* the published total when shown */
};

static int
row_cmp(const void *a, const void *b)
{
    const struct row *x = a, *y = b;

    if (x->last != y->last)
        return x->last - y->last;
    if (x->rank != y->rank)
        return x->rank - y->rank;
    if (x->size != y->size)
        return x->size > y->size ? -1 : 1;
    return x->at < y->at ? -1 : x->at > y->at;
}

int
stats_sort_rows(struct stats_pub *p, enum stats_sort how)
{
    size_t n = p->nrows, w = p->ncols + 1, i;
    struct row *r = NULL;
    char(*keys)[STATS_KEY_MAX] = NULL;
    struct stats_cell *g = NULL;
    int rc = -1;

    if (how == STATS_SORT_DEFAULT)
        how = p->dims[0] == STATS_DIM_PERIOD ? STATS_SORT_KEY
                                             : STATS_SORT_SIZE;
    if (how == STATS_SORT_KEY || n < 2)
        return 0;
    r = calloc(n, sizeof *r);
    keys = calloc(n, sizeof *keys);
    g = calloc(n * w, sizeof *g);
    if (r == NULL || keys == NULL || g == NULL)
        goto out;
    for (i = 0; i < n; i++) {
        const struct stats_cell *t = &p->grid[stats_at(p, i, p->ncols)];
        const char *k = p->rowkeys[i];

        r[i].at = i;
        r[i].last = !strcmp(k, "other") || !strcmp(k, "unknown") ||
                    !strcmp(k, "not-stated");
        r[i].rank = t->state == STATS_SHOWN    ? 0
                    : t->state == STATS_HIDDEN ? 1
                                               : 2;
        r[i].size = t->state == STATS_SHOWN ? t->shown : 0;
    }
    qsort(r, n, sizeof *r, row_cmp);
    for (i = 0; i < n; i++) {
        memcpy(keys[i], p->rowkeys[r[i].at], STATS_KEY_MAX);
        memcpy(&g[i * w], &p->grid[r[i].at * w], w * sizeof *g);
    }
    memcpy(p->rowkeys, keys, n * sizeof *keys);
    memcpy(p->grid, g, n * w * sizeof *g);
    rc = 0;
out:
    free(r);
    free(keys);
    free(g);
    return rc;
}
