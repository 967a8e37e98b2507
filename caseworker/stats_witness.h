/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * stats_witness: integer points of the audit's model (stats_lp.h) that
 * show what a small cell can be, found without a mixed-integer solve.
 *
 * The tool knows the true counts. Counted again from the store for every
 * segment of months and every entry of the base table (the audit's
 * truth source, struct stats_truth), they are one integer point of the
 * model by construction, and are checked row by row against it before
 * use (a case imported since a publication would break it: then no true
 * point is used). The true point is a witness for every cell at its true
 * value: a cell whose true count is 0 can be 0, one whose true count is
 * at least the protection width can be that. For a cell's other side,
 * a linear problem over the deviation is solved: the model with the cell
 * set to 0 (or at least the width), minimising the L1 distance to the
 * true point (what moves is a few small cycles along the sums); its
 * optimum, rounded if fractional, counts only if it satisfies every row
 * of the model as integers, and then counts for every cell it shows at
 * once. Found points are kept (at most STATS_WITNESS_POOL) and checked
 * again after each hide, so they witness cells while they still hold.
 *
 * Layout: points are arrays of natoms + 1 doubles indexed like GLPK's
 * columns (entry 0 unused). The deviation problem is a copy of the model
 * with two columns per unknown (above and below the true value) and one
 * row per unknown tying them; it is copied again after the model changes.
 * Everything is owned by struct stats_witness (stats_witness_release).
 */
#ifndef UMBRA_CASE_STATS_WITNESS_H
#define UMBRA_CASE_STATS_WITNESS_H

#include "stats_lp.h"
#include "stats_table.h"

#include <glpk.h>
#include <stddef.h>
#include <stdint.h>

/* Points kept across hides. */
#define STATS_WITNESS_POOL 48u

/* A sweep asks for this many cells at once in one search, then for the
 * cells left a quarter as many (down to 2); a batch whose point does not
 * hold is split in halves down to STATS_WITNESS_SPLIT. */
#define STATS_WITNESS_BATCH 32u
#define STATS_WITNESS_SPLIT 4u

/* A repair (a short integer search when a rounded optimum breaks a row)
 * explores at most this many subproblems. */
#define STATS_WITNESS_NODES 20u

/* What a unit short of a cell's side costs in a search of many cells:
 * far more than moving a unit of any unknown, so that every cell that can
 * reach its side does. */
#define STATS_WITNESS_MISS 1000.0

/* A simplex run over the deviation stops after this many iterations (a
 * bound that does not depend on the machine's load). */
#define STATS_WITNESS_ITER 200000

/* Where the audit counts true figures: count(ctx, ndims, dims, from, to,
 * out) fills *out with the base table of dimensions dims[0..ndims) over
 * the days from..to, true counts in each cell's v, no key folded away
 * that has a report (stats_pub_release'd by the caller). 0 or -1. */
struct stats_truth {
    int (*count)(void *ctx, int ndims, const enum stats_dim *dims, long from,
                 long to, struct stats_pub *out);
    void *ctx;
};

struct stats_witness {
    size_t n;          /* unknowns of the model */
    double *truth;     /* the true point, NULL when none holds */
    double *x;         /* scratch point */
    double **pool;     /* points found, STATS_WITNESS_POOL slots */
    size_t npool, next;
    glp_prob *dev;     /* the deviation problem, NULL until needed */
    int nmrows;        /* its first rows: the model's */
    int *slack;        /* by row: the first of its cell's two slack
                        * columns, 0 for none */
    int *btype;        /* the rows a search moved and their bounds */
    int *brow;
    double *blb, *bub;
    int *ind;          /* scratch row */
    double *val;
    size_t seeks, found; /* deviation solves, and those that gave a point */
    size_t repairs;      /* short integer searches after a rounding */
};

/* Sets W up for model M, counting the true point through tr, or (own,
 * for a model of one table over one segment whose v are true counts)
 * taking the table's own entries; with neither there is no true point,
 * and W finds nothing. 0, or -1 (out of memory). A true point that
 * cannot be counted or does not hold is left out, not an error. */
int stats_witness_init(struct stats_witness *W, const struct stats_lp *M,
                       const struct stats_truth *tr, int own)
    __attribute__((warn_unused_result));

/* Frees what W holds (NULL-safe, twice-safe). */
void stats_witness_release(struct stats_witness *W);

/* 1 if W has a true point to start from. */
int stats_witness_ready(const struct stats_witness *W);

/* After M changed (a cell hidden): drops the deviation problem, checks
 * the true point and every kept point against M again (dropping those
 * that no longer hold) and marks in wit what those that hold show
 * (stats_audit's bits: 1 can be 0, 2 can be at least w). */
void stats_witness_replay(struct stats_witness *W, const struct stats_lp *M,
                          unsigned char **wit, uint64_t w);

/* Seeks an integer point with entry e of view vi at 0 (dir GLP_MIN) or
 * at least w (GLP_MAX), and marks in wit what it shows for every cell.
 * 1 found, 0 not (the caller solves as before), -1 out of memory. */
int stats_witness_seek(struct stats_witness *W, const struct stats_lp *M,
                       size_t vi, size_t e, int dir, uint64_t w,
                       unsigned char **wit);

/* Searches for every small cell still missing a side, many cells at a
 * time (STATS_WITNESS_BATCH), marking in wit what each point found
 * shows; cells left are the caller's to solve one by one. 0, or -1 (out
 * of memory). */
int stats_witness_sweep(struct stats_witness *W, const struct stats_lp *M,
                        uint64_t w, unsigned char **wit);

#endif
