/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * stats_witness: integer points of the audit's model without a
 * mixed-integer solve (see stats_witness.h).
 */
#include "stats_witness.h"
#include "stats_dates.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define TOL 1e-6

static size_t
key_index(char (*keys)[STATS_KEY_MAX], size_t n, const char *k)
{
    size_t i;

    for (i = 0; i < n; i++)
        if (strcmp(keys[i], k) == 0)
            return i;
    return SIZE_MAX;
}

/* The base index of key k along base dimension d of M (len for the
 * total), through "other" for a key the model does not name; SIZE_MAX if
 * it has no place. */
static size_t
base_index(const struct stats_lp *M, int d, const char *k)
{
    size_t a = key_index(M->keys[d], M->nk[d], k);

    return a != SIZE_MAX ? a : key_index(M->keys[d], M->nk[d], "other");
}

/* Adds the counts of out (segment sg) into x. 0, or -1 if a key with
 * reports has no place in the model. */
static int
add_counts(const struct stats_lp *M, double *x, int sg,
           const struct stats_pub *out)
{
    size_t i, j, a, b;

    for (i = 0; i <= out->nrows; i++) {
        a = i == out->nrows ? M->nk[0] : base_index(M, 0, out->rowkeys[i]);
        for (j = 0; j <= out->ncols; j++) {
            uint64_t v = out->grid[stats_at(out, i, j)].v;

            if (M->nbase == 2)
                b = j == out->ncols ? M->nk[1]
                                    : base_index(M, 1, out->colkeys[j]);
            else
                b = 0;
            if (v == 0)
                continue;
            if (a == SIZE_MAX || b == SIZE_MAX)
                return -1;
            x[1 + ((size_t)sg * M->A1 + a) * M->B1 + b] += (double)v;
        }
    }
    return 0;
}

/* The true point of M into x, counted segment by segment. 0 or -1. */
static int
count_truth(const struct stats_lp *M, const struct stats_truth *tr, double *x)
{
    int sg;

    if (M->nbase < 1)
        return -1;
    memset(x, 0, (M->natoms + 1) * sizeof *x);
    for (sg = 0; sg < M->nseg; sg++) {
        int m0 = M->seg[sg];
        int m1 = sg + 1 < M->nseg ? M->seg[sg + 1] - 1 : M->m0 + M->nm - 1;
        long from = stats_period_day(stats_period_of_month(m0, STATS_MONTH),
                                     STATS_MONTH, 0);
        long to = stats_period_day(stats_period_of_month(m1, STATS_MONTH),
                                   STATS_MONTH, 1);
        struct stats_pub out;
        int rc;

        memset(&out, 0, sizeof out);
        if (tr->count(tr->ctx, M->nbase, M->bdim, from, to, &out) != 0)
            return -1;
        if ((M->nbase == 2) != (out.ncols > 0 || out.ndims == 2)) {
            stats_pub_release(&out);
            return -1;
        }
        rc = add_counts(M, x, sg, &out);
        stats_pub_release(&out);
        if (rc != 0)
            return -1;
    }
    return 0;
}

/* 1 if x (integers, at least 0) satisfies every row of M. */
static int
holds(struct stats_witness *W, const struct stats_lp *M, const double *x)
{
    int r, nr = glp_get_num_rows(M->lp), k, len;
    size_t j;

    for (j = 1; j <= W->n; j++)
        if (x[j] < 0 || x[j] != floor(x[j]))
            return 0;
    for (r = 1; r <= nr; r++) {
        int type = glp_get_row_type(M->lp, r);
        double s = 0;

        if (type == GLP_FR)
            continue;
        len = glp_get_mat_row(M->lp, r, W->ind, W->val);
        for (k = 1; k <= len; k++)
            s += W->val[k] * x[W->ind[k]];
        if ((type == GLP_LO || type == GLP_DB || type == GLP_FX) &&
            s < glp_get_row_lb(M->lp, r) - TOL)
            return 0;
        if ((type == GLP_UP || type == GLP_DB || type == GLP_FX) &&
            s > glp_get_row_ub(M->lp, r) + TOL)
            return 0;
    }
    return 1;
}

/* Marks in wit what point x shows of every small cell. */
static void
harvest(struct stats_witness *W, const struct stats_lp *M, const double *x,
        unsigned char **wit, uint64_t w)
{
    size_t vi, e;

    for (vi = 0; vi < M->nv; vi++) {
        const struct stats_pub *q = M->v[vi].p;
        size_t nq = (q->nrows + 1) * (q->ncols + 1);

        for (e = 0; e < nq; e++) {
            double s = 0;
            int k, len;

            if (q->grid[e].state != STATS_SMALL || wit[vi][e] == 3)
                continue;
            len = glp_get_mat_row(M->lp, M->v[vi].row0 + (int)e, W->ind,
                                  W->val);
            for (k = 1; k <= len; k++)
                s += W->val[k] * x[W->ind[k]];
            if (s < 0.5)
                wit[vi][e] |= 1;
            if (s > (double)w - 0.5)
                wit[vi][e] |= 2;
        }
    }
}

int
stats_witness_init(struct stats_witness *W, const struct stats_lp *M,
                   const struct stats_truth *tr, int own)
{
    int rc = -1;

    memset(W, 0, sizeof *W);
    W->n = M->natoms;
    W->x = malloc((W->n + 1) * sizeof *W->x);
    W->ind = malloc((W->n + 2) * sizeof *W->ind);
    W->val = malloc((W->n + 2) * sizeof *W->val);
    W->pool = calloc(STATS_WITNESS_POOL, sizeof *W->pool);
    if (!W->x || !W->ind || !W->val || !W->pool) {
        stats_witness_release(W);
        return -1;
    }
    if ((tr == NULL || tr->count == NULL) && !own)
        return 0;
    W->truth = calloc(W->n + 1, sizeof *W->truth);
    if (W->truth == NULL) {
        stats_witness_release(W);
        return -1;
    }
    /* one table of one segment: its own entries are the unknowns */
    if (own && M->nv == 1 && M->nseg == 1 && M->nbase >= 1)
        rc = add_counts(M, W->truth, 0, M->v[0].p);
    else if (tr != NULL && tr->count != NULL)
        rc = count_truth(M, tr, W->truth);
    if (rc != 0 || !holds(W, M, W->truth)) {
        free(W->truth);
        W->truth = NULL;
    }
    return 0;
}

void
stats_witness_release(struct stats_witness *W)
{
    size_t i;

    if (W->dev)
        glp_delete_prob(W->dev);
    for (i = 0; W->pool && i < STATS_WITNESS_POOL; i++)
        free(W->pool[i]);
    free(W->pool);
    free(W->truth);
    free(W->x);
    free(W->ind);
    free(W->val);
    memset(W, 0, sizeof *W);
}

int
stats_witness_ready(const struct stats_witness *W)
{
    return W->truth != NULL;
}

void
stats_witness_replay(struct stats_witness *W, const struct stats_lp *M,
                     unsigned char **wit, uint64_t w)
{
    size_t i;

    if (W->dev) {
        glp_delete_prob(W->dev);
        W->dev = NULL;
    }
    if (W->truth == NULL)
        return;
    if (!holds(W, M, W->truth)) {
        free(W->truth);
        W->truth = NULL;
        return;
    }
    harvest(W, M, W->truth, wit, w);
    for (i = 0; i < W->npool; i++) {
        if (W->pool[i] == NULL)
            continue;
        if (holds(W, M, W->pool[i])) {
            harvest(W, M, W->pool[i], wit, w);
            continue;
        }
        free(W->pool[i]);
        W->pool[i] = NULL;
    }
}

/* The deviation problem of M around the true point. 0 or -1. */
static int
dev_build(struct stats_witness *W, const struct stats_lp *M)
{
    glp_prob *D = glp_create_prob();
    int n = (int)W->n, j, c0;

    glp_copy_prob(D, M->lp, GLP_OFF);
    glp_set_obj_dir(D, GLP_MIN);
    for (j = 1; j <= n; j++) {
        glp_set_obj_coef(D, j, 0);
        glp_set_col_kind(D, j, GLP_CV);
    }
    c0 = glp_add_cols(D, 2 * n);
    for (j = 0; j < 2 * n; j++) {
        glp_set_col_bnds(D, c0 + j, GLP_LO, 0, 0);
        glp_set_obj_coef(D, c0 + j, 1);
    }
    for (j = 1; j <= n; j++) {
        int r = glp_add_rows(D, 1);
        int ind[4] = {0, j, c0 + 2 * (j - 1), c0 + 2 * (j - 1) + 1};
        double val[4] = {0, 1, -1, 1};

        glp_set_mat_row(D, r, 3, ind, val);
        glp_set_row_bnds(D, r, GLP_FX, W->truth[j], W->truth[j]);
    }
    W->dev = D;
    return 0;
}

/* Keeps a copy of x in the pool (the oldest goes when it is full). */
static int
keep(struct stats_witness *W, const double *x)
{
    double *c = W->pool[W->next];

    if (c == NULL) {
        c = malloc((W->n + 1) * sizeof *c);
        if (c == NULL)
            return -1;
        W->pool[W->next] = c;
    }
    memcpy(c, x, (W->n + 1) * sizeof *c);
    W->next = (W->next + 1) % STATS_WITNESS_POOL;
    if (W->npool < STATS_WITNESS_POOL)
        W->npool++;
    return 0;
}

int
stats_witness_seek(struct stats_witness *W, const struct stats_lp *M,
                   size_t vi, size_t e, int dir, uint64_t w,
                   unsigned char **wit)
{
    int r = M->v[vi].row0 + (int)e, type, st, ok;
    double lb, ub;
    glp_smcp sp;
    size_t j;

    if (W->truth == NULL)
        return 0;
    if (W->dev == NULL && dev_build(W, M) != 0)
        return -1;
    type = glp_get_row_type(W->dev, r);
    lb = glp_get_row_lb(W->dev, r);
    ub = glp_get_row_ub(W->dev, r);
    if (dir == GLP_MIN) {
        if ((type == GLP_LO || type == GLP_DB || type == GLP_FX) && lb > TOL)
            return 0;
        glp_set_row_bnds(W->dev, r, GLP_FX, 0, 0);
    } else if (type == GLP_DB || type == GLP_UP || type == GLP_FX) {
        if (ub < (double)w - TOL)
            return 0;
        glp_set_row_bnds(W->dev, r, ub > (double)w ? GLP_DB : GLP_FX,
                         (double)w, ub);
    } else {
        glp_set_row_bnds(W->dev, r, GLP_LO, (double)w, 0);
    }
    glp_init_smcp(&sp);
    sp.msg_lev = GLP_MSG_OFF;
    sp.meth = GLP_DUALP; /* only a bound moved: the last basis is near */
    sp.it_lim = STATS_WITNESS_ITER;
    W->seeks++;
    st = glp_simplex(W->dev, &sp);
    ok = st == 0 && glp_get_status(W->dev) == GLP_OPT;
    if (ok)
        for (j = 1; j <= W->n; j++) {
            double v = floor(glp_get_col_prim(W->dev, (int)j) + 0.5);
            W->x[j] = v < 0 ? 0 : v;
        }
    glp_set_row_bnds(W->dev, r, type, lb, ub);
    if (st != 0) {
        /* a basis the solver could not use: start afresh next time */
        glp_std_basis(W->dev);
        return 0;
    }
    if (!ok || !holds(W, M, W->x))
        return 0;
    W->found++;
    harvest(W, M, W->x, wit, w);
    return keep(W, W->x) == 0 ? 1 : -1;
}
