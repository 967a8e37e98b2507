/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * stats_table: the published table's memory and names (see stats_table.h).
 */
#include "stats_table.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

void
stats_pub_release(struct stats_pub *p)
{
    free(p->rowkeys);
    free(p->colkeys);
    free(p->grid);
    p->rowkeys = p->colkeys = NULL;
    p->grid = NULL;
}

int
stats_pub_alloc(struct stats_pub *p, size_t nrows, size_t ncols)
{
    if (nrows == 0 || nrows > STATS_MAX_KEYS || ncols > STATS_MAX_KEYS)
        return -1;
    p->nrows = nrows;
    p->ncols = ncols;
    p->rowkeys = calloc(nrows, STATS_KEY_MAX);
    p->colkeys = calloc(ncols ? ncols : 1, STATS_KEY_MAX);
    p->grid = calloc((nrows + 1) * (ncols + 1), sizeof *p->grid);
    if (p->rowkeys == NULL || p->colkeys == NULL || p->grid == NULL) {
        stats_pub_release(p);
        return -1;
    }
    return 0;
}

static const char *const DIM_NAMES[STATS_NDIMS] = {
    "period", "category", "perpetrator", "region", "lang", "needs"};

const char *
stats_dim_name(enum stats_dim d)
{
    return (unsigned)d < STATS_NDIMS ? DIM_NAMES[d] : "?";
}

const char *
stats_period_name(enum stats_period p)
{
    return p == STATS_MONTH ? "month" : p == STATS_QUARTER ? "quarter" : "year";
}

void
stats_say(const char *fmt, ...)
{
    char msg[8192]; /* a message names at most a path or two */
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    fprintf(stderr, "umbra-case: stats: %s\n", msg); /* one line, whole */
}
