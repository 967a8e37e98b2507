/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * stats_lp: the linear model of what published tables reveal, for the
 * audit (stats_audit.h, whose top comment describes the model), built and
 * solved with GLPK. View 0 is the table being audited; the others are the
 * overlapping publications that fit the model.
 */
#ifndef UMBRA_CASE_STATS_LP_H
#define UMBRA_CASE_STATS_LP_H

#include "stats_table.h"

#include <glpk.h>
#include <stddef.h>

/* A mixed-integer solve explores at most this many subproblems (a bound
 * that does not depend on the machine's load), and runs at most this
 * many milliseconds (a backstop). */
#define STATS_LP_MIP_NODES 5000u
#define STATS_LP_MIP_MS 60000

/*
 * The audit's work, counted from GLPK's simplex iterations
 * (glp_get_it_cnt) over every linear solve, the subproblems of every
 * mixed-integer solve and every search of stats_witness, each iteration
 * (and each column a mixed-integer search's branching may choose at a
 * node, whose heuristic evaluates its row of the simplex table:
 * STATS_LP_BRANCH_WEIGHT iterations) weighted by the rows and columns of the problem it
 * ran on (what an
 * iteration prices and updates: one on the 13 tables of a year over its
 * months costs twenty times one on a lone table): a count, not a time,
 * so the same tables get the same answer on a busy or a quiet machine.
 * spent and budget are in those row-iterations (the tool's unit of work
 * is a thousand of them, STATS_WORK_UNIT). Past budget (0: none) every solve
 * stops: the simplex at its iteration limit, a mixed-integer search at
 * its next node.
 */
#define STATS_WORK_UNIT 1000ull

/* What a column a mixed-integer search may branch upon costs, in
 * iterations: measured (docs/statistics.md), the 52 x 13 year alone with
 * --round 1 spends about that much more CPU per counted iteration than
 * the tables without integer solves. */
#define STATS_LP_BRANCH_WEIGHT 6ull

struct stats_work {
    unsigned long long spent, budget; /* row-iterations */
    unsigned long long iters;         /* simplex iterations */
    int stopped; /* a solve went past the budget or was refused */
};

/* glp_simplex and glp_intopt on P within k's budget (k NULL: none),
 * adding the iterations they made to k->spent; their return code
 * (GLP_EITLIM, GLP_ESTOP once the budget is spent). */
int stats_work_simplex(struct stats_work *k, glp_prob *P, const glp_smcp *sp);
int stats_work_intopt(struct stats_work *k, glp_prob *P, const glp_iocp *ip);

/* 1 if a solve was cut short or refused for k's budget (a solve that
 * ends on the last iteration of the budget is not). */
int stats_work_over(const struct stats_work *k);

/* One table of the model. */
struct stats_lp_view {
    const struct stats_pub *p;
    int m0, m1;      /* its months (month indexes, inclusive) */
    int per_axis;    /* its axis (0 rows, 1 columns) of the period, or -1 */
    int base_axis[2]; /* its axis of base dimension k, or -1 */
    size_t *map[2];  /* base key -> its index on that axis, or SIZE_MAX */
    int *mrow;       /* model month -> its period row or column, or -1 */
    int row0;        /* the GLPK row of its entry 0 */
};

struct stats_lp {
    glp_prob *lp;
    int nbase;
    enum stats_dim bdim[2];
    size_t nk[2];
    char (*keys[2])[STATS_KEY_MAX];
    int m0, nm;     /* the first month of the model, the number of months */
    int *seg, nseg; /* the first month of each segment (stats_lp.c) */
    size_t A1, B1, natoms;
    struct stats_lp_view *v;
    size_t nv;
    int integer;
    int *ind, *ind2;
    double *val, *val2;
    size_t *ta, *tb; /* scratch: base indexes of an entry */
    int *obj;        /* atoms with an objective coefficient */
    int nobj;
    unsigned char *ruled; /* new table's entries with their "smallest" rows */
    struct stats_work *work; /* the budget the solves count against, or
                              * NULL */
    int last; /* the last solve's point: 0 none or not integer, 1 linear
               * and integer, 2 mixed-integer */
};

/* Builds the model of p and of the publications pubs[0..npubs) that fit
 * (those with noise left out, those needing a third dimension counted in
 * *skipped); *tables: the tables in it. 0, or -1 (out of memory, too
 * large). */
int stats_lp_build(struct stats_lp *M, const struct stats_pub *p,
                   const struct stats_pub *const *pubs, size_t npubs,
                   size_t *tables, size_t *skipped);

/* Frees the model (the tables are the caller's). */
void stats_lp_free(struct stats_lp *M);

/* The unknowns whose sum is entry e of view w, into ind[1..], val[1..]
 * (coefficient c); their number. */
int stats_lp_expr(struct stats_lp *M, const struct stats_lp_view *w, size_t e,
                  int *ind, double *val, double c);

/* Sets the bounds of entry e of view w from its state again. */
void stats_lp_bounds(struct stats_lp *M, const struct stats_lp_view *w,
                     size_t e);

/* Adds the "smallest of its line" rows of entry e of view 0, once. */
void stats_lp_rules(struct stats_lp *M, size_t e);

/*
 * Minimises (dir GLP_MIN) or maximises (GLP_MAX) entry e of view vi, as a
 * linear problem or, with mip, a mixed-integer one (at most
 * STATS_LP_MIP_NODES subproblems, STATS_LP_MIP_MS, stopping at the first integer solution at most (MIN)
 * or at least (MAX) target); *lps and *mips count the solves. 0 with *z
 * the optimum; 1 infeasible; 2 nothing proved in time; 3 *z an integer
 * solution not proved optimal; -1 solver failure.
 */
int stats_lp_solve(struct stats_lp *M, size_t vi, size_t e, int dir, int mip,
                   double target, double *z, size_t *lps, size_t *mips);

/* Minimises (GLP_MIN) or maximises (GLP_MAX) the sum of every entry
 * under the threshold of every view, as a linear problem: one point that
 * is a witness for many cells at once (stats_lp_point). 0 or -1. */
int stats_lp_solve_sum(struct stats_lp *M, int dir);

/* The value of entry e of view vi at the integer point the last solve
 * found (a witness of what the entry can be). 0, or -1 if it found none. */
int stats_lp_point(const struct stats_lp *M, size_t vi, size_t e, double *x);

#endif
