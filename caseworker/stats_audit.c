/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * stats_audit: the audit of a table with GLPK (see stats_audit.h).
 *
 * The model. The tables in it (the new one and every overlapping
 * publication without noise) are read as views of one base table: its
 * dimensions are the union of the tables' dimensions other than the
 * period (at most two; a publication that would need a third is left out
 * and counted in skipped), its keys the union of their keys, and it has
 * one unknown per month and base entry (cells and totals, y >= 0). A
 * table's entry is the sum of the unknowns of the months of its period
 * (or of its whole range) and of the base keys it names; a base key a
 * table does not name (a country folded into its "other") counts in its
 * "other" row. Each entry's row carries what the reader sees of it:
 *
 *   shown s, base b   s - b/2 .. s - b/2 + b - 1, and at least T
 *   "<T"              0 .. T - 1
 *   "x"               at least T
 *   merged            the bounds the inputs give (stats_merge)
 *
 * Within a month, the lines of the base table hold: a single-valued
 * dimension's cells add up to their total; a multi-valued one's cells are
 * each at most their total and together at least it (every report has at
 * least one value: "not-stated" counts). A cell of the new table that
 * secondary suppression (or the audit) hid as the smallest shown cell of
 * a line is at most every cell of that line that is still shown.
 *
 * Integers. For one table of single-valued dimensions without the
 * "smallest" rows, the constraint matrix is that of a transportation
 * problem (totally unimodular) with integer bounds, so the linear
 * relaxation's range is the integer one. Anywhere else (several tables,
 * a multi-valued dimension, the "smallest" rows, a merged table) the
 * relaxation can be wider than the integer range: a cell it does not
 * already fail is solved again as a mixed-integer problem (glp_intopt,
 * at most STATS_LP_MIP_NODES subproblems per solve), and a solve that
 * proves nothing counts as a
 * failure (one more cell hidden), never as a pass. The true counts, being
 * one integer solution, settle the integer question without a solve when
 * the true count is 0 (the minimum) or at least the width (the maximum).
 *
 * Before any of those solves, stats_witness searches for integer points
 * near the true counts (the table's own for one table, counted again per
 * run of months through stats_truth for several), each checked against
 * every row of the model; a cell that such points show at 0 and at the
 * width needs no solve at all.
 *
 * The budget. Every solve and search counts its simplex iterations,
 * weighted by the size of the problem they ran on, against one budget
 * (struct stats_work, stats_lp.h; the default
 * STATS_AUDIT_BUDGET_DEFAULT). Once a solve is cut short or refused for
 * it, no answer of that pass counts (a cut solve proves nothing either
 * way): the audit stops, says so and returns 1, and the caller writes
 * and records nothing. A count, not a clock: the same tables get the
 * same answer on a busy machine and a quiet one.
 */
#include "stats_audit.h"
#include "stats_lp.h"
#include "stats_sdc.h"
#include "stats_witness.h"

#include <glpk.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define EPS 1e-6

/* The witnesses of the last integer point found: for every entry under
 * the threshold, whether it can be 0 (bit 1) or at least w (bit 2). */
static void
harvest(struct stats_lp *M, unsigned char **wit, uint64_t w)
{
    size_t vi, e;

    for (vi = 0; vi < M->nv; vi++) {
        const struct stats_pub *q = M->v[vi].p;
        size_t nq = (q->nrows + 1) * (q->ncols + 1);

        for (e = 0; e < nq; e++) {
            double x;

            if (q->grid[e].state != STATS_SMALL ||
                stats_lp_point(M, vi, e, &x) != 0)
                continue;
            if (x < 0.5)
                wit[vi][e] |= 1;
            if (x > (double)w - 0.5)
                wit[vi][e] |= 2;
        }
    }
}

/* One side of a cell's range (dir GLP_MIN: can it be 0; GLP_MAX: can it
 * be at least w, or is it 0): 0 yes, 1 no, 2 infeasible, 3 known zero,
 * -1 failure. */
static int
side(struct stats_lp *M, size_t vi, size_t e, int dir, uint64_t w,
     unsigned char **wit, struct stats_audit_res *r)
{
    double z = 0;
    int rc = stats_lp_solve(M, vi, e, dir, M->integer,
                            dir == GLP_MIN ? 0 : (double)w, &z, &r->lps,
                            &r->mips);

    if (rc == 1)
        return 2;
    if (rc < 0)
        return -1;
    harvest(M, wit, w);
    if (rc == 2)
        return 1; /* nothing proved in time: counts as exposed */
    if (dir == GLP_MIN)
        return z > EPS && (rc == 0 || z > 0.5) ? 1 : 0;
    if (rc == 0 && z < 1 - EPS)
        return 3; /* known to be zero: zero reports identify no one */
    return z < (double)w - EPS ? 1 : 0;
}

/* 0 if entry e of view vi is protected, 1 if not, 2 infeasible, -1
 * failure. w: the width; truth: the view's v are the true counts (one
 * integer point of the model, so a witness of its own value). */
static int
check(struct stats_lp *M, struct stats_witness *W, size_t vi, size_t e,
      uint64_t w, int truth, unsigned char **wit, struct stats_audit_res *r)
{
    uint64_t v = M->v[vi].p->grid[e].v;
    int rc;

    r->checked++;
    if (truth)
        wit[vi][e] |= (v == 0 ? 1 : 0) | (v >= w ? 2 : 0);
    /* integer points near the true counts first: no solve left when
     * they show both sides */
    if (!(wit[vi][e] & 1) &&
        stats_witness_seek(W, M, vi, e, GLP_MIN, w, wit) < 0)
        return -1;
    if (!(wit[vi][e] & 2) &&
        stats_witness_seek(W, M, vi, e, GLP_MAX, w, wit) < 0)
        return -1;
    if (!(wit[vi][e] & 1)) {
        rc = side(M, vi, e, GLP_MIN, w, wit, r);
        if (rc != 0)
            return rc;
    }
    if (!(wit[vi][e] & 2)) {
        rc = side(M, vi, e, GLP_MAX, w, wit, r);
        if (rc == 3)
            return 0;
        if (rc != 0)
            return rc;
    }
    return 0;
}

/* Hides one more cell to protect entry e: the smallest shown cell of
 * its lines (a total if they have no shown cell), else the smallest of
 * the table. 0, or 1 if nothing is left to hide. */
static int
hide_for(struct stats_pub *p, size_t e)
{
    size_t i = e / (p->ncols + 1), j = e % (p->ncols + 1);
    size_t lines[2], nl = 0, l, k, best = SIZE_MAX, bl = 0, n;
    int pass;

    if (i < p->nrows || p->ncols == 0)
        lines[nl++] = i; /* its row, for a cell (not in 1-D) */
    lines[nl++] = p->nrows + 1 + j;
    for (pass = 0; pass < 2 && best == SIZE_MAX; pass++)
        for (l = 0; l < nl; l++) {
            size_t len = stats_line_len(p, lines[l]);

            if (len < 2)
                continue;
            for (k = 0; k < len; k++) {
                size_t o = stats_line_entry(p, lines[l], k);

                if ((pass == 0 && k + 1 == len) ||
                    p->grid[o].state != STATS_SHOWN)
                    continue;
                if (best == SIZE_MAX || p->grid[o].v < p->grid[best].v) {
                    best = o;
                    bl = pass == 0 ? lines[l] + 1 : 0;
                }
            }
        }
    n = (p->nrows + 1) * (p->ncols + 1);
    for (k = 0; best == SIZE_MAX && k < n; k++)
        if (p->grid[k].state == STATS_SHOWN)
            best = k;
    for (; k < n; k++)
        if (p->grid[k].state == STATS_SHOWN && p->grid[k].v < p->grid[best].v)
            best = k;
    if (best == SIZE_MAX)
        return 1;
    p->grid[best].state = STATS_HIDDEN;
    p->grid[best].line = (uint32_t)bl;
    p->grid[best].audit = 1;
    return 0;
}

/* Hides, to protect entry e of an older view vi, the smallest shown cell
 * of the new table that shares an unknown with it (a total if no cell
 * does). 0, or 1 if none is left. */
static int
hide_for_old(struct stats_lp *M, size_t vi, size_t e)
{
    struct stats_pub *p = (struct stats_pub *)(uintptr_t)M->v[0].p;
    size_t n = (p->nrows + 1) * (p->ncols + 1), k, best = SIZE_MAX;
    unsigned char *mark = calloc(M->natoms + 1, 1);
    int q, i, pass;

    if (mark == NULL)
        return 1;
    q = stats_lp_expr(M, &M->v[vi], e, M->ind2, M->val2, 1);
    for (i = 1; i <= q; i++)
        mark[M->ind2[i]] = 1;
    for (pass = 0; pass < 2 && best == SIZE_MAX; pass++)
        for (k = 0; k < n; k++) {
            int total = k / (p->ncols + 1) == p->nrows ||
                        (p->ncols > 0 && k % (p->ncols + 1) == p->ncols);

            if (p->grid[k].state != STATS_SHOWN || (pass == 0 && total))
                continue;
            if (best != SIZE_MAX && p->grid[k].v >= p->grid[best].v)
                continue;
            q = stats_lp_expr(M, &M->v[0], k, M->ind2, M->val2, 1);
            for (i = 1; i <= q; i++)
                if (mark[M->ind2[i]]) {
                    best = k;
                    break;
                }
        }
    free(mark);
    if (best == SIZE_MAX)
        return 1;
    p->grid[best].state = STATS_HIDDEN;
    p->grid[best].line = 0;
    p->grid[best].audit = 1;
    return 0;
}

static double
now_s(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int
stats_audit(struct stats_pub *p, const struct stats_pub *const *pubs,
            size_t npubs, struct stats_audit_res *r)
{
    return stats_audit_with(p, pubs, npubs, NULL, r);
}

int
stats_audit_with(struct stats_pub *p, const struct stats_pub *const *pubs,
                 size_t npubs, const struct stats_truth *tr,
                 struct stats_audit_res *r)
{
    return stats_audit_budget(p, pubs, npubs, tr, 0, r);
}

/* The refusal past the budget. */
static void
say_over(const struct stats_work *k)
{
    stats_say("refused: the audit could not finish within its budget of "
              "%llu units of work (%llu spent): nothing is published "
              "or written and the ledger is unchanged; publish months "
              "only, a coarser table (fewer keys or a longer period), "
              "without --round 1, or raise the budget with "
              "--audit-budget N (docs/statistics.md)",
              (k->budget + STATS_WORK_UNIT - 1) / STATS_WORK_UNIT,
              (k->spent + STATS_WORK_UNIT - 1) / STATS_WORK_UNIT);
}

int
stats_audit_budget(struct stats_pub *p, const struct stats_pub *const *pubs,
                   size_t npubs, const struct stats_truth *tr,
                   unsigned long long budget, struct stats_audit_res *r)
{
    struct stats_lp M;
    struct stats_work work = {0, 0, 0, 0};
    struct stats_witness W;
    size_t n = (p->nrows + 1) * (p->ncols + 1), e, f;
    uint64_t w = p->protection;
    double t0 = now_s();
    int rc = -1, truth = p->merged == 0;
    unsigned char **wit = NULL;

    memset(r, 0, sizeof *r);
    r->budget = budget != 0 ? budget : STATS_AUDIT_BUDGET_DEFAULT;
    work.budget = r->budget;
    if (p->policy.eps_num != 0 || w == 0 || p->policy.threshold <= 1)
        return 0;
    if (w > p->policy.threshold - 1)
        w = p->policy.threshold - 1;
    glp_term_out(GLP_OFF);
    if (stats_lp_build(&M, p, pubs, npubs, &r->tables, &r->skipped) != 0) {
        stats_say("the audit cannot model this table (out of memory, or "
                  "too many months and keys together)");
        return -1;
    }
    M.work = &work;
    /* the true point: one table's own counts, or counted again where
     * several tables meet */
    if (stats_witness_init(&W, &M, M.nv > 1 ? tr : NULL, truth) != 0) {
        stats_say("out of memory");
        stats_lp_free(&M);
        glp_free_env();
        return -1;
    }
    wit = calloc(M.nv, sizeof *wit);
    for (e = 0; wit != NULL && e < M.nv; e++) {
        wit[e] = calloc((M.v[e].p->nrows + 1) * (M.v[e].p->ncols + 1), 1);
        if (wit[e] == NULL) {
            stats_say("out of memory");
            goto out;
        }
    }
    if (wit == NULL) {
        stats_say("out of memory");
        goto out;
    }
    stats_witness_replay(&W, &M, wit, w);
    for (;;) {
        size_t bad = 0, vi;

        /* without a true point, two points for many cells at once:
         * every small cell as low, then as high, as the tables allow
         * together (the sweep below does better from the truth) */
        if (!stats_witness_ready(&W)) {
            if (stats_lp_solve_sum(&M, GLP_MIN) == 0)
                harvest(&M, wit, w);
            if (stats_lp_solve_sum(&M, GLP_MAX) == 0)
                harvest(&M, wit, w);
            r->lps += 2;
        }
        /* points near the true counts, many cells at a time */
        if (stats_witness_sweep(&W, &M, w, wit) != 0) {
            stats_say("out of memory");
            goto out;
        }
        if (stats_work_over(&work))
            goto over;

        /* every table's small cells: the new table must not expose an
         * older one's either (only the new one's cells can be hidden) */
        for (vi = 0; vi < M.nv; vi++) {
            const struct stats_pub *q = M.v[vi].p;
            size_t nq = (q->nrows + 1) * (q->ncols + 1);

            for (e = 0; e < nq; e++) {
                int c;

                if (q->grid[e].state != STATS_SMALL)
                    continue;
                c = check(&M, &W, vi, e, w, vi == 0 && truth, wit, r);
                /* past the budget, no answer counts: a solve it cut
                 * short proves nothing either way */
                if (stats_work_over(&work))
                    goto over;
                if (c < 0) {
                    stats_say("the audit's solver failed");
                    goto out;
                }
                if (c == 2) {
                    r->infeasible = 1;
                    stats_say("the audit finds the tables of the ledger and "
                              "this one contradict each other (cases "
                              "imported since a publication?): nothing is "
                              "published");
                    rc = 1;
                    goto out;
                }
                if (c == 0)
                    continue;
                bad++;
                if (vi == 0 ? hide_for(p, e) != 0
                            : hide_for_old(&M, vi, e) != 0) {
                    stats_say("the audit cannot protect this table: no "
                              "figure is left to hide and a small count "
                              "can still be worked out from the published "
                              "tables");
                    rc = 1;
                    goto out;
                }
                r->hidden++;
                stats_protect(p); /* no line left with a lone hidden entry */
                for (f = 0; f < n; f++) {
                    stats_lp_bounds(&M, &M.v[0], f);
                    stats_lp_rules(&M, f);
                }
                /* new rows: the points found so far may not hold */
                for (f = 0; f < M.nv; f++)
                    memset(wit[f], 0,
                           (M.v[f].p->nrows + 1) * (M.v[f].p->ncols + 1));
                /* the points found before that still hold count again */
                stats_witness_replay(&W, &M, wit, w);
            }
        }
        /* a pass that hid something is followed by one that checks every
         * cell again against the final table */
        if (bad == 0)
            break;
    }
    rc = 0;
    goto out;
over:
    r->over_budget = 1;
    say_over(&work);
    rc = 1;
out:
    r->work = work.spent;
    r->iters = work.iters;
    for (e = 0, p->audit_hidden = 0; e < n; e++)
        p->audit_hidden += p->grid[e].audit != 0;
    for (e = 0; wit != NULL && e < M.nv; e++)
        free(wit[e]);
    free(wit);
    r->seeks = W.seeks;
    r->found = W.found;
    r->truth = stats_witness_ready(&W);
    stats_witness_release(&W);
    stats_lp_free(&M);
    /* GLPK keeps an environment per thread (the desk runs stats on its
     * HTTP threads): give it back with the problems it held */
    glp_free_env();
    r->seconds = now_s() - t0;
    return rc;
}

int
stats_audit_range(const struct stats_pub *p, size_t e, double *lo,
                  double *hi)
{
    struct stats_lp M;
    struct stats_audit_res r;
    int rc = -1;

    memset(&r, 0, sizeof r);
    glp_term_out(GLP_OFF);
    if (stats_lp_build(&M, p, NULL, 0, &r.tables, &r.skipped) != 0)
        return -1;
    if (stats_lp_solve(&M, 0, e, GLP_MIN, M.integer, -1, lo, &r.lps, &r.mips) == 0 &&
        stats_lp_solve(&M, 0, e, GLP_MAX, M.integer, 1e18, hi, &r.lps, &r.mips) == 0)
        rc = 0;
    stats_lp_free(&M);
    return rc;
}
