/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * stats_merge: merging exports of the same cut (see stats_merge.h).
 */
#include "stats_merge.h"
#include "stats_audit.h"
#include "stats_json.h"
#include "stats_sdc.h"
#include "umbra.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The bounds of the true count of input cell c of q: a shown figure's
 * rounding interval (at least the threshold), "<T" 0..T-1, "x" at least
 * T, and nothing for a table with noise. */
static void
in_bounds(const struct stats_pub *q, const struct stats_cell *c, uint64_t *lo,
          uint64_t *hi)
{
    uint64_t t = q->policy.threshold, b = q->policy.round;

    *lo = 0;
    *hi = UINT64_MAX;
    if (q->policy.eps_num != 0)
        return;
    if (c->state == STATS_SMALL) {
        *hi = t - 1;
    } else if (c->state == STATS_HIDDEN) {
        *lo = t;
    } else {
        *lo = b > 1 && c->shown >= b / 2 ? c->shown - b / 2 : c->shown;
        *hi = b > 1 ? *lo + b - 1 : c->shown;
        if (*lo < t)
            *lo = t;
    }
}

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
            const struct stats_policy *pol, unsigned protection,
            unsigned long long budget)
{
    struct stats_pub in[STATS_MERGE_MAX], m;
    char(*rows)[STATS_KEY_MAX] = NULL, (*cols)[STATS_KEY_MAX] = NULL;
    size_t nrows = 0, ncols = 0, i, j;
    unsigned f, nin = 0, drafts = 0;
    int rc = 1;
    struct stats_audit_res ar;

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
        if (in[f].policy.threshold < pol->threshold ||
            in[f].policy.round < pol->round ||
            (pol->eps_num != 0 &&
             (in[f].policy.eps_num == 0 ||
              (uint64_t)in[f].policy.eps_num * pol->eps_den >
                  (uint64_t)pol->eps_num * in[f].policy.eps_den))) {
            stats_say("refused: '%s' is protected less than this merge asks "
                      "(threshold %u, round %u, epsilon %s; the merge: "
                      "threshold %u, round %u%s): a merge cannot protect "
                      "what its inputs already gave away",
                      files[f], in[f].policy.threshold, in[f].policy.round,
                      in[f].policy.eps_num ? "set" : "none", pol->threshold,
                      pol->round,
                      pol->eps_num ? ", epsilon at most --epsilon" : "");
            goto out;
        }
        if (in[f].status != NULL && !strcmp(in[f].status, "draft"))
            drafts++;
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
    /* a draft stays a draft: a merge of drafts is never publishable */
    m.status = drafts ? "draft" : "merged";
    m.protection = protection;
    if (drafts)
        stats_say("%u of the inputs are drafts: the merge is a draft too, "
                  "for internal use only",
                  drafts);
    if (stats_pub_alloc(&m, nrows, m.ndims == 2 ? ncols : 0) != 0)
        goto out;
    memcpy(m.rowkeys, rows, nrows * STATS_KEY_MAX);
    if (m.ndims == 2)
        memcpy(m.colkeys, cols, ncols * STATS_KEY_MAX);
    for (i = 0; i <= m.nrows; i++) {
        for (j = 0; j <= m.ncols; j++) {
            struct stats_cell *mc = &m.grid[stats_at(&m, i, j)];
            int hidden = 0;

            mc->lo = 0;
            mc->hi = 0;
            for (f = 0; f < nin; f++) {
                const struct stats_pub *q = &in[f];
                size_t qi = i == m.nrows
                                ? q->nrows
                                : key_find(q->rowkeys, q->nrows, m.rowkeys[i]);
                size_t qj = j == m.ncols
                                ? q->ncols
                                : key_find(q->colkeys, q->ncols, m.colkeys[j]);
                const struct stats_cell *qc;
                uint64_t lo, hi;

                if (q->multi)
                    m.multi = 1;
                if (qi == SIZE_MAX || qj == SIZE_MAX) {
                    /* that organisation has no such row: its reports,
                     * if any, are in its "other" */
                    mc->hi = UINT64_MAX;
                    continue;
                }
                qc = &q->grid[stats_at(q, qi, qj)];
                in_bounds(q, qc, &lo, &hi);
                mc->lo += lo;
                mc->hi = hi == UINT64_MAX || mc->hi == UINT64_MAX
                             ? UINT64_MAX
                             : mc->hi + hi;
                if (qc->state == STATS_SHOWN)
                    mc->v += qc->shown;
                else
                    hidden = 1;
            }
            /* "<T" only when every possible true sum is under T; else
             * "x", whose note in a merged table says it may be any
             * number */
            if (hidden)
                mc->state = mc->hi < m.policy.threshold ? STATS_SMALL
                                                        : STATS_HIDDEN;
        }
    }
    stats_protect(&m);
    if (stats_audit_budget(&m, NULL, 0, NULL, budget, &ar) != 0)
        goto out;
    if (ar.hidden)
        stats_say("audit: %zu more cells of the merged table hidden "
                  "(%zu solved; %llu of %llu units of work; %.2f s)",
                  ar.hidden, ar.checked,
                  (ar.work + STATS_WORK_UNIT - 1) / STATS_WORK_UNIT,
                  ar.budget / STATS_WORK_UNIT, ar.seconds);
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
