/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * stats_audit: the audit of a table before it leaves the tool, with a
 * linear-programming solver (GLPK, Debian's libglpk).
 *
 * The audit plays the reader who sees the table and every overlapping
 * table of the ledger, and knows the rules: it models what they reveal
 * (each shown figure's rounding interval, "<T" as 0..T-1, "x" as at least
 * T, totals as sums of cells for a single-valued dimension, and for a
 * multi-valued one each cell at most its total and the cells at least the
 * total, and that a cell hidden by secondary suppression was the smallest
 * shown cell of its line), with one unknown per month and cell of a common
 * base table, so that a quarter is the sum of its months and a table by
 * category the margin of one by category and region. For every cell under
 * the threshold it then minimises and maximises the cell (the linear
 * relaxation first; a mixed-integer solve where the model is not a plain
 * table, see stats_audit.c) and, while a cell can be shown to be at least
 * one or narrowed under the protection width, hides one more cell of the
 * new table and starts again.
 */
#ifndef UMBRA_CASE_STATS_AUDIT_H
#define UMBRA_CASE_STATS_AUDIT_H

#include "stats_table.h"
#include "stats_witness.h"

#include <stddef.h>

/* The default protection width: a hidden cell under the threshold must
 * have a feasible range from 0 to at least this (capped at T - 1). */
#define STATS_PROTECTION_DEFAULT 5u

/* The default work budget of an audit, in simplex row-iterations
 * (stats_lp.h struct stats_work; the tool says it in units of
 * STATS_WORK_UNIT): chosen from measurements, docs/statistics.md. */
#define STATS_AUDIT_BUDGET_DEFAULT (20000000ull * STATS_WORK_UNIT)

/* What an audit did. */
struct stats_audit_res {
    size_t checked;   /* cells under the threshold whose range was solved */
    size_t hidden;    /* cells the audit hid */
    size_t tables;    /* tables in the model (the new one included) */
    size_t skipped;   /* overlapping tables it could not model */
    size_t lps, mips; /* linear and mixed-integer solves */
    size_t seeks;     /* searches for an integer point near the truth */
    size_t found;     /* those that found one */
    int truth;        /* the true counts held as a point of the model */
    double seconds;   /* wall time */
    int infeasible;   /* the tables together contradict each other */
    unsigned long long work;   /* row-iterations spent (stats_lp.h) */
    unsigned long long budget; /* the budget, in row-iterations */
    unsigned long long iters;  /* simplex iterations */
    int over_budget;  /* the audit stopped at its budget: refused */
};

/*
 * Audits p against the published tables pubs[0..npubs) (each overlapping
 * p's dates; tables with noise add no constraint, since noise bounds
 * nothing), hiding cells of p (state STATS_HIDDEN, audit 1) until every
 * cell under the threshold, in p and in those tables, has a feasible
 * range [0, w] with w >= min(p->protection, T - 1), or is known to be 0
 * (zero reports identify no one); the rounded figures are set again.
 * A table with noise is not audited (nothing a reader sees bounds a noisy
 * count) and passes. Returns 0 (p protected), 1 (it cannot be: every
 * cell is hidden and a cell is still exposed, or the tables contradict
 * each other; said on stderr) or -1 (out of memory or solver failure).
 */
int stats_audit(struct stats_pub *p, const struct stats_pub *const *pubs,
                size_t npubs, struct stats_audit_res *r)
    __attribute__((warn_unused_result));

/* stats_audit, with a source of true counts (tr, NULL for none) that
 * lets the audit start from the true point of several tables together
 * (stats_witness.h): the same answer, reached with fewer solves. */
int stats_audit_with(struct stats_pub *p, const struct stats_pub *const *pubs,
                     size_t npubs, const struct stats_truth *tr,
                     struct stats_audit_res *r)
    __attribute__((warn_unused_result));

/* stats_audit_with, within budget row-iterations (0: the default,
 * STATS_AUDIT_BUDGET_DEFAULT). Past it the audit stops and returns 1
 * with r->over_budget set and a message on stderr: the table is not
 * protected, and nothing of it may leave the tool (p's cells are then in
 * no state to be shown). */
int stats_audit_budget(struct stats_pub *p,
                       const struct stats_pub *const *pubs, size_t npubs,
                       const struct stats_truth *tr,
                       unsigned long long budget, struct stats_audit_res *r)
    __attribute__((warn_unused_result));

/* The feasible range [*lo, *hi] of entry e of p alone, as the audit sees
 * it (for the tests). 0, or -1. */
int stats_audit_range(const struct stats_pub *p, size_t e, double *lo,
                      double *hi) __attribute__((warn_unused_result));

#endif
