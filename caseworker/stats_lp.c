/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * stats_lp: the model of the audit with GLPK (see stats_lp.h and
 * stats_audit.h).
 */
#include "stats_lp.h"
#include "stats_dates.h"
#include "stats_sdc.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define MAX_ATOMS 4000000u

static int
dim_multi(enum stats_dim d)
{
    return d == STATS_DIM_CATEGORY || d == STATS_DIM_NEEDS ||
           d == STATS_DIM_PERPETRATOR;
}

static size_t
axis_len(const struct stats_pub *p, int ax)
{
    return ax == 0 ? p->nrows : p->ncols;
}

static char (*axis_keys(const struct stats_pub *p, int ax))[STATS_KEY_MAX]
{
    return ax == 0 ? p->rowkeys : p->colkeys;
}

static size_t
key_find(char (*keys)[STATS_KEY_MAX], size_t n, const char *k)
{
    size_t i;

    for (i = 0; i < n; i++)
        if (strcmp(keys[i], k) == 0)
            return i;
    return SIZE_MAX;
}

static int
month_of(const char *day)
{
    return stats_month_index(stats_day_of(day));
}

/* The base dimension index of d, adding it if there is room; -1 if not. */
static int
base_dim(struct stats_lp *M, enum stats_dim d, int add)
{
    int k;

    for (k = 0; k < M->nbase; k++)
        if (M->bdim[k] == d)
            return k;
    if (!add || M->nbase == 2)
        return -1;
    M->bdim[M->nbase] = d;
    return M->nbase++;
}

/* 1 if p's dimensions other than the period fit the base (added). */
static int
fits(struct stats_lp *M, const struct stats_pub *p)
{
    int k, need = 0;
    enum stats_dim nd[2];

    for (k = 0; k < p->ndims; k++)
        if (p->dims[k] != STATS_DIM_PERIOD && base_dim(M, p->dims[k], 0) < 0)
            nd[need++] = p->dims[k];
    if (M->nbase + need > 2)
        return 0;
    for (k = 0; k < need; k++)
        (void)base_dim(M, nd[k], 1);
    return 1;
}

static size_t
atom(const struct stats_lp *M, int m, size_t a, size_t b)
{
    return 1 + ((size_t)m * M->A1 + a) * M->B1 + b;
}

/* The base indexes along base dimension k that entry index idx of view
 * w names; their count. */
static size_t
base_set(const struct stats_lp *M, const struct stats_lp_view *w, int k, size_t idx[2],
         size_t *out)
{
    size_t n = 0, a, len = k < M->nbase ? M->nk[k] : 0;
    int ax = k < M->nbase ? w->base_axis[k] : -1;

    if (ax < 0 || idx[ax] == axis_len(w->p, ax)) {
        out[n++] = len; /* the total along k */
        return n;
    }
    for (a = 0; a < len; a++)
        if (w->map[k][a] == idx[ax])
            out[n++] = a;
    return n;
}

/* The unknowns whose sum is entry e of view w, into ind[1..] with coef
 * c; their number. */
int
stats_lp_expr(struct stats_lp *M, const struct stats_lp_view *w, size_t e, int *ind,
           double *val, double c)
{
    size_t idx[2], na, nb, x, y;
    int sg, n = 0;
    const struct stats_pub *p = w->p;

    idx[0] = e / (p->ncols + 1);
    idx[1] = e % (p->ncols + 1);
    na = base_set(M, w, 0, idx, M->ta);
    nb = base_set(M, w, 1, idx, M->tb);
    for (sg = 0; sg < M->nseg; sg++) {
        int m = M->seg[sg]; /* the segment's first month: all alike */

        if (m < w->m0 || m > w->m1)
            continue;
        if (w->per_axis >= 0 &&
            idx[w->per_axis] != axis_len(p, w->per_axis) &&
            w->mrow[m - M->m0] != (int)idx[w->per_axis])
            continue;
        for (x = 0; x < na; x++)
            for (y = 0; y < nb; y++) {
                n++;
                ind[n] = (int)atom(M, sg, M->ta[x], M->tb[y]);
                val[n] = c;
            }
    }
    return n;
}

/* What a reader knows of entry c of p, as GLPK bounds. */
static void
entry_bounds(const struct stats_pub *p, const struct stats_cell *c, int *type,
             double *lo, double *hi)
{
    uint64_t t = p->policy.threshold, b = p->policy.round, l, h;

    if (p->merged) {
        *lo = (double)c->lo;
        *hi = (double)c->hi;
        *type = c->hi == UINT64_MAX ? GLP_LO : c->lo == c->hi ? GLP_FX : GLP_DB;
        return;
    }
    if (c->state == STATS_SMALL) {
        *lo = 0;
        *hi = (double)(t - 1);
        *type = t == 1 ? GLP_FX : GLP_DB;
        return;
    }
    if (c->state == STATS_HIDDEN) {
        *lo = (double)t;
        *hi = 0;
        *type = GLP_LO;
        return;
    }
    if (b <= 1) {
        l = h = c->shown;
    } else {
        l = c->shown >= b / 2 ? c->shown - b / 2 : 0;
        h = c->shown + b - 1 - b / 2;
    }
    if (l < t)
        l = t;
    if (h < l)
        h = l;
    *lo = (double)l;
    *hi = (double)h;
    *type = l == h ? GLP_FX : GLP_DB;
}

void
stats_lp_bounds(struct stats_lp *M, const struct stats_lp_view *w, size_t e)
{
    int type;
    double lo, hi;

    entry_bounds(w->p, &w->p->grid[e], &type, &lo, &hi);
    glp_set_row_bnds(M->lp, w->row0 + (int)e, type, lo, hi);
}

static int
add_row(struct stats_lp *M, int n, const int *ind, const double *val, int type,
        double lo, double hi)
{
    int r = glp_add_rows(M->lp, 1);

    glp_set_mat_row(M->lp, r, n, ind, val);
    glp_set_row_bnds(M->lp, r, type, lo, hi);
    return r;
}

/* The rows of a line of the base table in month m: cells at[0..n) and
 * the total tot, single- or multi-valued. */
static void
line_rows(struct stats_lp *M, const size_t *at, size_t n, size_t tot, int multi)
{
    size_t k;
    int q = 0;

    for (k = 0; k < n; k++) {
        M->ind[++q] = (int)at[k];
        M->val[q] = 1;
    }
    M->ind[++q] = (int)tot;
    M->val[q] = -1;
    if (!multi) {
        add_row(M, q, M->ind, M->val, GLP_FX, 0, 0);
        return;
    }
    add_row(M, q, M->ind, M->val, GLP_LO, 0, 0);
    for (k = 0; k < n; k++) {
        int i2[3] = {0, (int)at[k], (int)tot};
        double v2[3] = {0, 1, -1};
        add_row(M, 2, i2, v2, GLP_UP, 0, 0);
    }
}

static void
month_rows(struct stats_lp *M, int m)
{
    size_t A = M->A1 - 1, B = M->B1 - 1, a, b;
    size_t *at = M->ta;

    if (M->nbase >= 1)
        for (b = 0; b <= B; b++) { /* columns: along base dimension 0 */
            for (a = 0; a < A; a++)
                at[a] = atom(M, m, a, b);
            line_rows(M, at, A, atom(M, m, A, b), dim_multi(M->bdim[0]));
        }
    if (M->nbase == 2)
        for (a = 0; a <= A; a++) { /* rows: along base dimension 1 */
            for (b = 0; b < B; b++)
                at[b] = atom(M, m, a, b);
            line_rows(M, at, B, atom(M, m, a, B), dim_multi(M->bdim[1]));
        }
}

/* The "smallest" rows of entry e of the new table (view 0). */
void
stats_lp_rules(struct stats_lp *M, size_t e)
{
    const struct stats_pub *p = M->v[0].p;
    const struct stats_cell *c = &p->grid[e];
    size_t l, len, k;
    int n;

    if (M->ruled[e] || c->state != STATS_HIDDEN || c->line == 0)
        return;
    M->ruled[e] = 1;
    l = c->line - 1;
    len = stats_line_len(p, l);
    n = stats_lp_expr(M, &M->v[0], e, M->ind2, M->val2, 1);
    for (k = 0; k + 1 < len; k++) {
        size_t o = stats_line_entry(p, l, k);
        int n2;

        if (o == e || p->grid[o].state != STATS_SHOWN)
            continue;
        memcpy(M->ind, M->ind2, (size_t)(n + 1) * sizeof *M->ind);
        memcpy(M->val, M->val2, (size_t)(n + 1) * sizeof *M->val);
        n2 = stats_lp_expr(M, &M->v[0], o, M->ind + n, M->val + n, -1);
        add_row(M, n + n2, M->ind, M->val, GLP_UP, 0, 0);
        M->integer = 1;
    }
}

static int
view_init(struct stats_lp *M, struct stats_lp_view *w, const struct stats_pub *p)
{
    int k, ax;

    memset(w, 0, sizeof *w);
    w->p = p;
    w->m0 = month_of(p->from);
    w->m1 = month_of(p->to);
    w->per_axis = -1;
    w->base_axis[0] = w->base_axis[1] = -1;
    for (ax = 0; ax < p->ndims; ax++) {
        if (p->dims[ax] == STATS_DIM_PERIOD)
            w->per_axis = ax;
        else
            w->base_axis[base_dim(M, p->dims[ax], 0)] = ax;
    }
    for (k = 0; k < M->nbase; k++) {
        size_t a;
        char (*ks)[STATS_KEY_MAX];
        size_t n, other;

        w->map[k] = malloc((M->nk[k] + 1) * sizeof(size_t));
        if (w->map[k] == NULL)
            return -1;
        ax = w->base_axis[k];
        if (ax < 0)
            continue;
        ks = axis_keys(p, ax);
        n = axis_len(p, ax);
        other = key_find(ks, n, "other");
        for (a = 0; a < M->nk[k]; a++) {
            size_t i = key_find(ks, n, M->keys[k][a]);
            w->map[k][a] = i != SIZE_MAX ? i : other;
        }
    }
    if (w->per_axis >= 0) {
        int m;

        w->mrow = malloc((size_t)M->nm * sizeof(int));
        if (w->mrow == NULL)
            return -1;
        for (m = 0; m < M->nm; m++) {
            char key[16];
            size_t i;

            stats_period_key(key, sizeof key,
                             stats_period_of_month(M->m0 + m, p->period),
                             p->period);
            i = key_find(axis_keys(p, w->per_axis), axis_len(p, w->per_axis),
                         key);
            w->mrow[m] = i == SIZE_MAX ? -1 : (int)i;
        }
    }
    return 0;
}

void
stats_lp_free(struct stats_lp *M)
{
    size_t i;

    if (M->lp)
        glp_delete_prob(M->lp);
    for (i = 0; M->v && i < M->nv; i++) {
        free(M->v[i].map[0]);
        free(M->v[i].map[1]);
        free(M->v[i].mrow);
    }
    free(M->v);
    free(M->keys[0]);
    free(M->keys[1]);
    free(M->ind);
    free(M->ind2);
    free(M->val);
    free(M->val2);
    free(M->ta);
    free(M->tb);
    free(M->obj);
    free(M->ruled);
    free(M->seg);
    memset(M, 0, sizeof *M);
}

/* The segments of the months: runs of months that every table counts
 * alike (none starts, ends or changes period inside one), so that the
 * model has one unknown per segment, not per month (a table over three
 * years without the period is one segment). 0 or -1. */
static int
segments(struct stats_lp *M, const struct stats_pub **use, size_t n)
{
    unsigned char *cut = calloc((size_t)M->nm + 1, 1);
    int m;
    size_t i;

    if (cut == NULL)
        return -1;
    cut[0] = 1;
    for (i = 0; i < n; i++) {
        const struct stats_pub *q = use[i];
        int a = month_of(q->from) - M->m0, b = month_of(q->to) - M->m0;
        int per = q->dims[0] == STATS_DIM_PERIOD ||
                  (q->ndims == 2 && q->dims[1] == STATS_DIM_PERIOD);

        cut[a] = 1;
        cut[b + 1] = 1;
        for (m = a + 1; per && m <= b; m++)
            if (stats_period_of_month(M->m0 + m, q->period) !=
                stats_period_of_month(M->m0 + m - 1, q->period))
                cut[m] = 1;
    }
    M->seg = malloc((size_t)M->nm * sizeof(int));
    if (M->seg == NULL) {
        free(cut);
        return -1;
    }
    for (m = 0, M->nseg = 0; m < M->nm; m++)
        if (cut[m])
            M->seg[M->nseg++] = M->m0 + m;
    free(cut);
    return 0;
}

/* Adds the keys of base dimension k that p names. 0 or -1. */
static int
keys_add(struct stats_lp *M, int k, const struct stats_pub *p, size_t cap)
{
    int ax;

    for (ax = 0; ax < p->ndims; ax++) {
        size_t i;

        if (p->dims[ax] != M->bdim[k])
            continue;
        for (i = 0; i < axis_len(p, ax); i++) {
            const char *key = axis_keys(p, ax)[i];
            if (key_find(M->keys[k], M->nk[k], key) != SIZE_MAX)
                continue;
            if (M->nk[k] == cap)
                return -1;
            memcpy(M->keys[k][M->nk[k]++], key, STATS_KEY_MAX);
        }
    }
    return 0;
}

/* Builds the model of p and the publications that fit; 0, -1. */
int
stats_lp_build(struct stats_lp *M, const struct stats_pub *p,
               const struct stats_pub *const *pubs, size_t npubs,
               size_t *tables, size_t *skipped)
{
    const struct stats_pub **use;
    size_t i, cap = 0, n = 0, e;
    int k, m, m1;

    memset(M, 0, sizeof *M);
    use = calloc(npubs + 1, sizeof *use);
    if (use == NULL)
        return -1;
    use[n++] = p;
    (void)fits(M, p);
    for (i = 0; i < npubs; i++) {
        if (pubs[i]->policy.eps_num != 0)
            continue; /* noise bounds nothing */
        if (!fits(M, pubs[i])) {
            (*skipped)++;
            continue;
        }
        use[n++] = pubs[i];
    }
    M->m0 = month_of(p->from);
    m1 = month_of(p->to);
    for (i = 0; i < n; i++) {
        cap += use[i]->nrows + use[i]->ncols;
        if (month_of(use[i]->from) < M->m0)
            M->m0 = month_of(use[i]->from);
        if (month_of(use[i]->to) > m1)
            m1 = month_of(use[i]->to);
    }
    M->nm = m1 - M->m0 + 1;
    if (segments(M, use, n) != 0)
        goto fail;
    for (k = 0; k < M->nbase; k++) {
        M->keys[k] = calloc(cap + 1, STATS_KEY_MAX);
        if (M->keys[k] == NULL)
            goto fail;
        for (i = 0; i < n; i++)
            if (keys_add(M, k, use[i], cap) != 0)
                goto fail;
    }
    M->A1 = M->nbase >= 1 ? M->nk[0] + 1 : 1;
    M->B1 = M->nbase == 2 ? M->nk[1] + 1 : 1;
    M->natoms = (size_t)M->nseg * M->A1 * M->B1;
    if (M->natoms > MAX_ATOMS)
        goto fail;
    M->ind = malloc((2 * M->natoms + 2) * sizeof(int));
    M->ind2 = malloc((2 * M->natoms + 2) * sizeof(int));
    M->val = malloc((2 * M->natoms + 2) * sizeof(double));
    M->val2 = malloc((2 * M->natoms + 2) * sizeof(double));
    M->obj = malloc((M->natoms + 1) * sizeof(int));
    M->ta = malloc((M->A1 + M->B1 + 1) * sizeof(size_t));
    M->tb = malloc((M->B1 + 1) * sizeof(size_t));
    M->ruled = calloc((p->nrows + 1) * (p->ncols + 1), 1);
    M->v = calloc(n, sizeof *M->v);
    if (!M->ind || !M->ind2 || !M->val || !M->val2 || !M->obj || !M->ta ||
        !M->tb || !M->ruled || !M->v)
        goto fail;
    M->nv = n;
    M->integer = n > 1 || p->merged ||
                 (M->nbase >= 1 && dim_multi(M->bdim[0])) ||
                 (M->nbase == 2 && dim_multi(M->bdim[1]));
    M->lp = glp_create_prob();
    glp_add_cols(M->lp, (int)M->natoms);
    for (i = 1; i <= M->natoms; i++) {
        glp_set_col_bnds(M->lp, (int)i, GLP_LO, 0, 0);
        glp_set_col_kind(M->lp, (int)i, GLP_IV);
    }
    for (m = 0; m < M->nseg; m++)
        month_rows(M, m);
    for (i = 0; i < n; i++) {
        struct stats_lp_view *w = &M->v[i];
        size_t ne = (use[i]->nrows + 1) * (use[i]->ncols + 1);

        if (view_init(M, w, use[i]) != 0)
            goto fail;
        for (e = 0; e < ne; e++) {
            int q = stats_lp_expr(M, w, e, M->ind, M->val, 1), row;
            int type;
            double lo, hi;

            entry_bounds(use[i], &use[i]->grid[e], &type, &lo, &hi);
            row = add_row(M, q, M->ind, M->val, type, lo, hi);
            if (e == 0)
                w->row0 = row;
        }
    }
    for (e = 0; e < (p->nrows + 1) * (p->ncols + 1); e++)
        stats_lp_rules(M, e);
    *tables = n;
    free(use);
    return 0;
fail:
    free(use);
    stats_lp_free(M);
    return -1;
}

int
stats_work_over(const struct stats_work *k)
{
    return k != NULL && k->stopped;
}

/* What one iteration on P costs: its rows and columns (a simplex
 * iteration prices, updates and solves over about that many). */
static unsigned long long
work_size(glp_prob *P)
{
    return (unsigned long long)glp_get_num_rows(P) +
           (unsigned long long)glp_get_num_cols(P);
}

static void
work_add(struct stats_work *k, glp_prob *P, int before)
{
    int after = glp_get_it_cnt(P);

    if (k == NULL || after <= before)
        return;
    k->iters += (unsigned long long)(after - before);
    k->spent += (unsigned long long)(after - before) * work_size(P);
    if (k->budget != 0 && k->spent > k->budget)
        k->stopped = 1;
}

int
stats_work_simplex(struct stats_work *k, glp_prob *P, const glp_smcp *sp)
{
    glp_smcp q = *sp;
    int before, rc;

    if (stats_work_over(k)) /* with none left, a solve still starts: */
        return GLP_EITLIM;  /* one that needs no iteration ends */
    /* GLPK checks its limit before it prices: one iteration more than
     * the budget leaves lets a solve that ends within it end, and one
     * that needs more goes past it and is stopped */
    if (k != NULL && k->budget != 0) {
        unsigned long long left =
            k->spent >= k->budget ? 0 : (k->budget - k->spent) / work_size(P);

        if (left < (unsigned long long)q.it_lim - 1)
            q.it_lim = (int)left + 1;
    }
    before = glp_get_it_cnt(P);
    rc = glp_simplex(P, &q);
    work_add(k, P, before);
    return rc;
}

/* A mixed-integer search's callback, wrapped: stops the search once the
 * iterations of its subproblems spend the budget. */
struct work_cb {
    struct stats_work *k;
    glp_prob *P;
    int before;
    unsigned long long branch; /* row-iterations of branching */
    void (*cb)(glp_tree *, void *);
    void *info;
};

static void
work_node(glp_tree *t, void *info)
{
    struct work_cb *w = info;
    int now = glp_get_it_cnt(w->P), j, n;

    /* GLPK's branching heuristic evaluates a row of the simplex table
     * and two ratio tests per column it may branch upon, column by
     * column through the whole matrix (STATS_LP_BRANCH_WEIGHT) */
    if (glp_ios_reason(t) == GLP_IBRANCH) {
        n = glp_get_num_cols(w->P);
        for (j = 1; j <= n; j++)
            if (glp_ios_can_branch(t, j))
                w->branch += STATS_LP_BRANCH_WEIGHT * work_size(w->P);
    }
    if (w->k != NULL && w->k->budget != 0 &&
        w->k->spent + w->branch +
                (unsigned long long)(now > w->before ? now - w->before : 0) *
                    work_size(w->P) >
            w->k->budget) {
        w->k->stopped = 1;
        glp_ios_terminate(t);
        return;
    }
    if (w->cb != NULL)
        w->cb(t, w->info);
}

int
stats_work_intopt(struct stats_work *k, glp_prob *P, const glp_iocp *ip)
{
    glp_iocp q = *ip;
    struct work_cb w = {k, P, 0, 0, ip->cb_func, ip->cb_info};
    int rc;

    if (stats_work_over(k))
        return GLP_ESTOP;
    w.before = glp_get_it_cnt(P);
    q.cb_func = work_node;
    q.cb_info = &w;
    rc = glp_intopt(P, &q);
    if (k != NULL)
        k->spent += w.branch;
    work_add(k, P, w.before);
    if (k != NULL && k->budget != 0 && k->spent > k->budget)
        k->stopped = 1;
    return rc;
}

/* 1 if the linear optimum found is an integer point. */
static int
lp_integral(const struct stats_lp *M)
{
    size_t j;

    for (j = 1; j <= M->natoms; j++) {
        double x = glp_get_col_prim(M->lp, (int)j);
        double f = x - (double)(long long)(x + 0.5);

        if (f > 1e-7 || f < -1e-7)
            return 0;
    }
    return 1;
}

/* The search for integers stops at the first solution that answers the
 * question (at most target for a minimum, at least it for a maximum). */
struct stop {
    int dir;
    double target;
    unsigned nodes;
};

static void
enough(glp_tree *t, void *info)
{
    struct stop *s = info;
    double z;

    /* a bound on the work that does not depend on the machine's load:
     * the same table gets the same answer on a busy machine */
    if (glp_ios_reason(t) == GLP_ISELECT && ++s->nodes > STATS_LP_MIP_NODES) {
        glp_ios_terminate(t);
        return;
    }
    if (glp_ios_reason(t) != GLP_IBINGO)
        return;
    z = glp_mip_obj_val(glp_ios_get_prob(t));
    if (s->dir == GLP_MIN ? z <= s->target + 1e-6 : z >= s->target - 1e-6)
        glp_ios_terminate(t);
}

int
stats_lp_solve(struct stats_lp *M, size_t vi, size_t e, int dir, int mip,
               double target, double *z, size_t *lps, size_t *mips)
{
    glp_smcp sp;
    int i, n, st;

    for (i = 0; i < M->nobj; i++)
        glp_set_obj_coef(M->lp, M->obj[i], 0);
    n = glp_get_mat_row(M->lp, M->v[vi].row0 + (int)e, M->ind, M->val);
    for (i = 1; i <= n; i++) {
        glp_set_obj_coef(M->lp, M->ind[i], 1);
        M->obj[i - 1] = M->ind[i];
    }
    M->nobj = n;
    M->last = 0;
    glp_set_obj_dir(M->lp, dir);
    glp_init_smcp(&sp);
    sp.msg_lev = GLP_MSG_OFF;
    (*lps)++;
    if (stats_work_simplex(M->work, M->lp, &sp) != 0) {
        if (stats_work_over(M->work))
            return -1; /* the budget is spent: the audit stops */
        glp_adv_basis(M->lp, 0);
        if (stats_work_simplex(M->work, M->lp, &sp) != 0)
            return -1;
    }
    st = glp_get_status(M->lp);
    if (st == GLP_NOFEAS || st == GLP_INFEAS)
        return 1;
    if (st != GLP_OPT)
        return -1;
    *z = glp_get_obj_val(M->lp);
    M->last = lp_integral(M) ? 1 : 0;
    if (mip && M->last)
        return 0; /* an integer vertex: the integer optimum as well */
    if (mip) {
        glp_iocp ip;

        struct stop stop = {dir, target, 0};

        glp_init_iocp(&ip);
        ip.msg_lev = GLP_MSG_OFF;
        ip.tm_lim = STATS_LP_MIP_MS;
        ip.bt_tech = GLP_BT_DFS; /* depth first: a first solution soon */
        ip.cb_func = enough;
        ip.cb_info = &stop;
        (*mips)++;
        st = stats_work_intopt(M->work, M->lp, &ip);
        if (st != 0 && st != GLP_ETMLIM && st != GLP_ESTOP)
            return -1;
        st = glp_mip_status(M->lp);
        if (st == GLP_NOFEAS)
            return 1;
        if (st != GLP_OPT && st != GLP_FEAS)
            return 2; /* nothing proved */
        *z = glp_mip_obj_val(M->lp);
        M->last = 2;
        if (st == GLP_FEAS)
            return 3; /* an incumbent only */
    }
    return 0;
}

int
stats_lp_point(const struct stats_lp *M, size_t vi, size_t e, double *x)
{
    int row = M->v[vi].row0 + (int)e;

    if (M->last == 0)
        return -1;
    *x = M->last == 2 ? glp_mip_row_val(M->lp, row) : glp_get_row_prim(M->lp, row);
    return 0;
}

int
stats_lp_solve_sum(struct stats_lp *M, int dir)
{
    glp_smcp sp;
    size_t vi, e;
    int i, n, st;

    for (i = 0; i < M->nobj; i++)
        glp_set_obj_coef(M->lp, M->obj[i], 0);
    M->nobj = 0;
    for (i = 1; i <= (int)M->natoms; i++)
        glp_set_obj_coef(M->lp, i, 0);
    for (vi = 0; vi < M->nv; vi++) {
        const struct stats_pub *q = M->v[vi].p;

        for (e = 0; e < (q->nrows + 1) * (q->ncols + 1); e++) {
            if (q->grid[e].state != STATS_SMALL)
                continue;
            n = glp_get_mat_row(M->lp, M->v[vi].row0 + (int)e, M->ind, M->val);
            for (i = 1; i <= n; i++)
                glp_set_obj_coef(M->lp, M->ind[i],
                                 glp_get_obj_coef(M->lp, M->ind[i]) + 1);
        }
    }
    /* every atom may now carry a coefficient: all are cleared next time */
    for (i = 0; i < (int)M->natoms; i++)
        M->obj[i] = i + 1;
    M->nobj = (int)M->natoms;
    M->last = 0;
    glp_set_obj_dir(M->lp, dir);
    glp_init_smcp(&sp);
    sp.msg_lev = GLP_MSG_OFF;
    if (stats_work_simplex(M->work, M->lp, &sp) != 0)
        return -1;
    st = glp_get_status(M->lp);
    if (st != GLP_OPT)
        return -1;
    M->last = lp_integral(M) ? 1 : 0;
    return 0;
}
