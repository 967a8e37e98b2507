/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * stats_merge: merging exports of the same cut (see stats_merge.h).
 */
#include "stats_merge.h"
#include "stats_json.h"
#include "stats_sdc.h"
#include "umbra.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The index of k among keys[0..n), or SIZE_MAX. */
static size_t
key_find(char (*keys)[STATS_KEY_MAX], size_t n, const char *k)
{
    size_t i = 0;

    while (i < n && strcmp(keys[i], k) != 0)
        i++;
    return i < n ? i : SIZE_MAX;
}

/* union of key lists, in order of first appearance; 0 or -1 */
static int
key_union(char (*out)[STATS_KEY_MAX], size_t *n, char (*keys)[STATS_KEY_MAX],
          size_t nk)
{
    size_t i;

    for (i = 0; i < nk; i++) {
        if (key_find(out, *n, keys[i]) != SIZE_MAX)
            continue;
        if (*n == STATS_MAX_KEYS)
            return -1;
        memcpy(out[(*n)++], keys[i], STATS_KEY_MAX);
    }
    return 0;
}

int
stats_merge(struct stats_pub *out, const char *const *files, unsigned nfiles,
            const struct stats_policy *pol)
{
    struct stats_pub in[STATS_MERGE_MAX], m;
    char(*rows)[STATS_KEY_MAX] = NULL, (*cols)[STATS_KEY_MAX] = NULL;
    size_t nrows = 0, ncols = 0, i, j;
    unsigned f, nin = 0;
    int rc = 1;

    memset(in, 0, sizeof in);
    memset(&m, 0, sizeof m);
    memset(out, 0, sizeof *out);
    if (nfiles < 2) {
        stats_say("merge needs at least two JSON exports");
        return 2;
    }
    rows = calloc(STATS_MAX_KEYS, STATS_KEY_MAX);
    cols = calloc(STATS_MAX_KEYS, STATS_KEY_MAX);
    if (rows == NULL || cols == NULL)
        goto out;
    for (f = 0; f < nfiles; f++) {
        uint8_t *buf = NULL;
        size_t len = 0;
        char err[200];
        FILE *fp = fopen(files[f], "rb");

        if (fp == NULL) {
            stats_say("cannot open '%s': %s", files[f], strerror(errno));
            goto out;
        }
        buf = malloc(STATS_EXPORT_MAX + 1);
        if (buf != NULL)
            len = fread(buf, 1, STATS_EXPORT_MAX + 1, fp);
        fclose(fp);
        if (buf == NULL || len > STATS_EXPORT_MAX) {
            stats_say("'%s': too large or out of memory", files[f]);
            free(buf);
            goto out;
        }
        if (stats_parse(&in[f], (const char *)buf, len, err, sizeof err) != 0) {
            stats_say("'%s': %s", files[f], err);
            free(buf);
            goto out;
        }
        free(buf);
        nin++;
        if (in[f].ndims != in[0].ndims || in[f].dims[0] != in[0].dims[0] ||
            (in[f].ndims == 2 && in[f].dims[1] != in[0].dims[1]) ||
            in[f].period != in[0].period || strcmp(in[f].from, in[0].from) ||
            strcmp(in[f].to, in[0].to)) {
            stats_say(
                "'%s' is not the same cut as '%s' (dimensions, period and "
                "dates must match)",
                files[f], files[0]);
            goto out;
        }
        if (in[f].policy.threshold > pol->threshold)
            stats_say("'%s' used threshold %u, above the merge's %u", files[f],
                      in[f].policy.threshold, pol->threshold);
        if (key_union(rows, &nrows, in[f].rowkeys, in[f].nrows) != 0 ||
            key_union(cols, &ncols, in[f].colkeys, in[f].ncols) != 0) {
            stats_say("too many rows or columns");
            goto out;
        }
    }
    m.ndims = in[0].ndims;
    m.dims[0] = in[0].dims[0];
    m.dims[1] = in[0].dims[1];
    m.period = in[0].period;
    memcpy(m.from, in[0].from, 11);
    memcpy(m.to, in[0].to, 11);
    umbra_today(m.exported);
    m.policy.threshold = pol->threshold;
    m.policy.round = pol->round;
    m.merged = nfiles;
    m.status = "merged";
    if (stats_pub_alloc(&m, nrows, m.ndims == 2 ? ncols : 0) != 0)
        goto out;
    memcpy(m.rowkeys, rows, nrows * STATS_KEY_MAX);
    if (m.ndims == 2)
        memcpy(m.colkeys, cols, ncols * STATS_KEY_MAX);
    for (i = 0; i <= m.nrows; i++) {
        for (j = 0; j <= m.ncols; j++) {
            struct stats_cell *mc = &m.grid[stats_at(&m, i, j)];
            uint64_t upper = 0;
            int hidden = 0, secondary = 0;

            for (f = 0; f < nin; f++) {
                const struct stats_pub *q = &in[f];
                size_t qi = i == m.nrows
                                ? q->nrows
                                : key_find(q->rowkeys, q->nrows, m.rowkeys[i]);
                size_t qj = j == m.ncols
                                ? q->ncols
                                : key_find(q->colkeys, q->ncols, m.colkeys[j]);
                const struct stats_cell *qc;

                if (qi == SIZE_MAX || qj == SIZE_MAX)
                    continue; /* that organisation has no such row */
                qc = &q->grid[stats_at(q, qi, qj)];
                if (q->multi)
                    m.multi = 1;
                if (qc->state == STATS_SHOWN) {
                    mc->v += qc->shown;
                } else {
                    hidden = 1;
                    if (qc->state == STATS_HIDDEN)
                        secondary = 1;
                    else
                        upper += q->policy.threshold - 1;
                }
            }
            if (hidden)
                mc->state = secondary || mc->v + upper >= m.policy.threshold
                                ? STATS_HIDDEN
                                : STATS_SMALL;
        }
    }
    stats_protect(&m);
    *out = m;
    memset(&m, 0, sizeof m);
    rc = 0;
out:
    for (f = 0; f < nfiles; f++)
        stats_pub_release(&in[f]);
    stats_pub_release(&m);
    free(rows);
    free(cols);
    return rc;
}
