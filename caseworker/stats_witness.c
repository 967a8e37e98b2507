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
    W->btype = malloc(STATS_WITNESS_BATCH * sizeof *W->btype);
    W->brow = malloc(STATS_WITNESS_BATCH * sizeof *W->brow);
    W->blb = malloc(STATS_WITNESS_BATCH * sizeof *W->blb);
    W->bub = malloc(STATS_WITNESS_BATCH * sizeof *W->bub);
    if (!W->x || !W->ind || !W->val || !W->pool || !W->btype || !W->brow ||
        !W->blb || !W->bub) {
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
    free(W->slack);
    free(W->x);
    free(W->btype);
    free(W->brow);
    free(W->blb);
    free(W->bub);
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

/* The basis of the true point in the deviation problem: every unknown
 * and every row of the model basic, the deviations at 0 and the rows
 * tying them fixed. Its matrix is unit triangular (never singular), the
 * true point makes it feasible (it holds) and every deviation's reduced
 * cost is 1: optimal, so that a search starts at the truth and the dual
 * simplex walks only as far as the one bound that moved. */
static void
truth_basis(struct stats_witness *W)
{
    int n = (int)W->n, j, r;

    for (r = 1; r <= W->nmrows; r++)
        glp_set_row_stat(W->dev, r, GLP_BS);
    for (r = W->nmrows + 1; r <= W->nmrows + n; r++)
        glp_set_row_stat(W->dev, r, GLP_NS);
    for (j = 1; j <= n; j++)
        glp_set_col_stat(W->dev, j, GLP_BS);
    for (j = n + 1; j <= 3 * n; j++)
        glp_set_col_stat(W->dev, j, GLP_NL);
    for (j = 3 * n + 1; j <= glp_get_num_cols(W->dev); j++)
        glp_set_col_stat(W->dev, j, GLP_NS);
}

/* The deviation problem of M around the true point. 0 or -1. */
static int
dev_build(struct stats_witness *W, const struct stats_lp *M)
{
    glp_prob *D = glp_create_prob();
    int n = (int)W->n, j, c0;
    size_t vi;

    glp_copy_prob(D, M->lp, GLP_OFF);
    glp_set_obj_dir(D, GLP_MIN);
    for (j = 1; j <= n; j++)
        glp_set_obj_coef(D, j, 0); /* the unknowns stay integer (repair) */
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
    W->nmrows = glp_get_num_rows(M->lp);
    /* two slack columns for every small cell's row, fixed at 0 until a
     * search asks for that cell: a cell that cannot reach its side then
     * costs STATS_WITNESS_MISS a unit instead of making the search fail */
    free(W->slack);
    W->slack = calloc((size_t)W->nmrows + 1, sizeof *W->slack);
    if (W->slack == NULL)
        return -1;
    for (vi = 0; vi < M->nv; vi++) {
        const struct stats_pub *q = M->v[vi].p;
        size_t nq = (q->nrows + 1) * (q->ncols + 1), e;

        for (e = 0; e < nq; e++) {
            int r = M->v[vi].row0 + (int)e, ind[2] = {0, r};
            double up[2] = {0, 1}, down[2] = {0, -1};

            if (q->grid[e].state != STATS_SMALL)
                continue;
            c0 = glp_add_cols(D, 2);
            glp_set_mat_col(D, c0, 1, ind, up);
            glp_set_mat_col(D, c0 + 1, 1, ind, down);
            glp_set_col_bnds(D, c0, GLP_FX, 0, 0);
            glp_set_col_bnds(D, c0 + 1, GLP_FX, 0, 0);
            glp_set_obj_coef(D, c0, STATS_WITNESS_MISS);
            glp_set_obj_coef(D, c0 + 1, STATS_WITNESS_MISS);
            W->slack[r] = c0;
        }
    }
    truth_basis(W);
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

/* Tightens row r of the deviation problem to "0" (dir GLP_MIN) or "at
 * least w" (GLP_MAX); 0, or 1 if its bounds rule that out. */
static int
tighten(glp_prob *D, int r, int dir, uint64_t w)
{
    int type = glp_get_row_type(D, r);
    double lb = glp_get_row_lb(D, r), ub = glp_get_row_ub(D, r);

    if (dir == GLP_MIN) {
        if ((type == GLP_LO || type == GLP_DB || type == GLP_FX) && lb > TOL)
            return 1;
        glp_set_row_bnds(D, r, GLP_FX, 0, 0);
    } else if (type == GLP_DB || type == GLP_UP || type == GLP_FX) {
        if (ub < (double)w - TOL)
            return 1;
        glp_set_row_bnds(D, r, ub > (double)w ? GLP_DB : GLP_FX, (double)w,
                         ub);
    } else {
        glp_set_row_bnds(D, r, GLP_LO, (double)w, 0);
    }
    return 0;
}

/* The integer search of repair stops at its first integer point, or
 * after STATS_WITNESS_NODES subproblems (a count, not a time). */
struct first {
    unsigned nodes;
};

static void
first_point(glp_tree *t, void *info)
{
    struct first *f = info;

    if (glp_ios_reason(t) == GLP_IBINGO ||
        (glp_ios_reason(t) == GLP_ISELECT && ++f->nodes > STATS_WITNESS_NODES))
        glp_ios_terminate(t);
}

/* Repair of a fractional optimum of the deviation problem: a short
 * depth-first integer search from its basis, for the first integer
 * point (into W->x). 1 found, 0 not. */
static int
repair(struct stats_witness *W, const struct stats_lp *M)
{
    glp_iocp ip;
    struct first f = {0};
    size_t j;
    int st;

    glp_init_iocp(&ip);
    ip.msg_lev = GLP_MSG_OFF;
    ip.bt_tech = GLP_BT_DFS;
    ip.br_tech = GLP_BR_MFV;
    ip.cb_func = first_point;
    ip.cb_info = &f;
    st = stats_work_intopt(M->work, W->dev, &ip);
    if (st != 0 && st != GLP_ESTOP)
        return 0;
    st = glp_mip_status(W->dev);
    if (st != GLP_OPT && st != GLP_FEAS)
        return 0;
    for (j = 1; j <= W->n; j++) {
        double v = floor(glp_mip_col_val(W->dev, (int)j) + 0.5);
        W->x[j] = v < 0 ? 0 : v;
    }
    return 1;
}

/* One search: the rows rows[0..k) set to their side dir at once, the
 * deviation from the truth minimised, the optimum rounded and kept if it
 * holds. 1 found (marked in wit), 0 not, -1 out of memory. */
static int
search(struct stats_witness *W, const struct stats_lp *M, const int *rows,
       size_t k, int dir, uint64_t w, unsigned char **wit)
{
    int st, ok, *type = W->btype;
    double *lb = W->blb, *ub = W->bub;
    glp_smcp sp;
    size_t j, i, set = 0;

    if (stats_work_over(M->work))
        return 0; /* the audit's budget is spent: it stops */
    if (W->dev == NULL && dev_build(W, M) != 0)
        return -1;
    for (i = 0; i < k; i++) {
        int r = rows[i], sc = W->slack[r];

        type[set] = glp_get_row_type(W->dev, r);
        lb[set] = glp_get_row_lb(W->dev, r);
        ub[set] = glp_get_row_ub(W->dev, r);
        if (tighten(W->dev, r, dir, w) != 0)
            continue; /* its own bounds rule that side out */
        W->brow[set++] = r;
        if (k > 1 && sc > 0) {
            /* below w: the slack adds; above 0: it takes away */
            sc += dir == GLP_MIN ? 1 : 0;
            glp_set_col_bnds(W->dev, sc, GLP_LO, 0, 0);
            glp_set_col_stat(W->dev, sc, GLP_NL);
        }
    }
    ok = 0;
    if (set > 0) {
        glp_init_smcp(&sp);
        sp.msg_lev = GLP_MSG_OFF;
        sp.meth = GLP_DUALP; /* from the truth: only bounds moved */
        sp.it_lim = STATS_WITNESS_ITER;
        W->seeks++;
        st = stats_work_simplex(M->work, W->dev, &sp);
        ok = st == 0 && glp_get_status(W->dev) == GLP_OPT;
        for (j = 1; ok && j <= W->n; j++) {
            double v = floor(glp_get_col_prim(W->dev, (int)j) + 0.5);
            W->x[j] = v < 0 ? 0 : v;
        }
        /* a rounded optimum that breaks a row: a short integer search */
        if (ok && !holds(W, M, W->x)) {
            W->repairs++;
            ok = repair(W, M);
        }
    }
    for (i = 0; i < set; i++) {
        int sc = W->slack[W->brow[i]];

        glp_set_row_bnds(W->dev, W->brow[i], type[i], lb[i], ub[i]);
        if (sc > 0) {
            glp_set_col_bnds(W->dev, sc, GLP_FX, 0, 0);
            glp_set_col_bnds(W->dev, sc + 1, GLP_FX, 0, 0);
        }
    }
    /* the next search starts from the truth again */
    truth_basis(W);
    if (!ok || !holds(W, M, W->x))
        return 0;
    W->found++;
    harvest(W, M, W->x, wit, w);
    return keep(W, W->x) == 0 ? 1 : -1;
}

int
stats_witness_seek(struct stats_witness *W, const struct stats_lp *M,
                   size_t vi, size_t e, int dir, uint64_t w,
                   unsigned char **wit)
{
    int r = M->v[vi].row0 + (int)e;

    if (W->truth == NULL)
        return 0;
    return search(W, M, &r, 1, dir, w, wit);
}

/* Searches for the cells rows[0..k) together, then, where that fails,
 * for each half (down to STATS_WITNESS_SPLIT cells). 0 or -1. */
static int
sweep_part(struct stats_witness *W, const struct stats_lp *M, int *rows,
           size_t k, int dir, uint64_t w, unsigned char **wit)
{
    int rc;

    if (k == 0)
        return 0;
    rc = search(W, M, rows, k, dir, w, wit);
    if (rc != 0 || k <= STATS_WITNESS_SPLIT)
        return rc < 0 ? -1 : 0;
    if (sweep_part(W, M, rows, k / 2, dir, w, wit) != 0)
        return -1;
    return sweep_part(W, M, rows + k / 2, k - k / 2, dir, w, wit);
}

int
stats_witness_sweep(struct stats_witness *W, const struct stats_lp *M,
                    uint64_t w, unsigned char **wit)
{
    size_t vi, e, n, i, c, s, k, b, cap = 0;
    int dir, bit, rc = 0, *chunk = NULL;
    struct cellref {
        unsigned vi;
        unsigned e;
    } *todo = NULL;

    if (W->truth == NULL)
        return 0;
    for (vi = 0; vi < M->nv; vi++)
        cap += (M->v[vi].p->nrows + 1) * (M->v[vi].p->ncols + 1);
    todo = malloc(cap * sizeof *todo);
    chunk = malloc(STATS_WITNESS_BATCH * sizeof *chunk);
    if (todo == NULL || chunk == NULL) {
        rc = -1;
        goto out;
    }
    for (dir = GLP_MIN; dir <= GLP_MAX; dir++) {
        bit = dir == GLP_MIN ? 1 : 2;
        n = 0;
        for (vi = 0; vi < M->nv; vi++) {
            const struct stats_pub *q = M->v[vi].p;
            size_t nq = (q->nrows + 1) * (q->ncols + 1);

            for (e = 0; e < nq; e++)
                if (q->grid[e].state == STATS_SMALL && !(wit[vi][e] & bit)) {
                    todo[n].vi = (unsigned)vi;
                    todo[n++].e = (unsigned)e;
                }
        }
        /* rounds of smaller batches: cells that could not all reach
         * their side together may, fewer at a time; each batch takes
         * cells spread over the list (every s-th), so that cells of one
         * line seldom meet in one search */
        for (b = STATS_WITNESS_BATCH; b >= 2; b /= 4) {
            for (i = 0, k = 0; i < n; i++)
                if (!(wit[todo[i].vi][todo[i].e] & bit))
                    todo[k++] = todo[i];
            n = k;
            s = (n + b - 1) / b;
            for (c = 0; c < s; c++) {
                for (i = c, k = 0; i < n; i += s) {
                    vi = todo[i].vi;
                    e = todo[i].e;
                    if (!(wit[vi][e] & bit))
                        chunk[k++] = M->v[vi].row0 + (int)e;
                }
                if (k > 1 && sweep_part(W, M, chunk, k, dir, w, wit) != 0) {
                    rc = -1;
                    goto out;
                }
            }
        }
    }
out:
    free(todo);
    free(chunk);
    return rc;
}
