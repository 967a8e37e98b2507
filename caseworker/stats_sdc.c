/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * stats_sdc: statistical disclosure control of a table (see stats_sdc.h).
 *
 * Primary suppression hides every cell and total under the threshold.
 * Secondary suppression then looks at every line of the grid (each row
 * with its row total, each column with its column total, the row of
 * column totals with the grand total, the column of row totals with the
 * grand total): a line with exactly one hidden entry would give that entry
 * away as total minus the rest, so the smallest shown cell of the line is
 * hidden as well (the total only when the line has no other cell); and
 * where the cells of a line add up to its total, a line whose hidden
 * cells would still pin a small non-zero count to one value (all of them
 * small and their sum known, say) gets one more hidden cell. This repeats
 * until no line changes. Shown entries are then rounded, each
 * total from its own true value, never as a sum of rounded cells.
 */
#include "stats_sdc.h"

uint64_t
stats_round(uint64_t v, unsigned base)
{
    if (base <= 1)
        return v;
    return (v + base / 2) / base * base;
}

size_t
stats_line_entry(const struct stats_pub *p, size_t l, size_t k)
{
    if (l <= p->nrows)
        return stats_at(p, l, k);
    return stats_at(p, k, l - p->nrows - 1);
}

/* The smallest shown cell of line l (the total if none) becomes hidden. */
void
stats_hide_smallest(struct stats_pub *p, size_t l, size_t len)
{
    size_t k, best = (size_t)-1;

    for (k = 0; k + 1 < len; k++) {
        size_t e = stats_line_entry(p, l, k);

        if (p->grid[e].state != STATS_SHOWN)
            continue;
        if (best == (size_t)-1 || p->grid[e].v < p->grid[best].v)
            best = e;
    }
    if (best == (size_t)-1)
        best = stats_line_entry(p, l, len - 1);
    p->grid[best].state = STATS_HIDDEN;
    p->grid[best].line = (uint32_t)l + 1;
}

/* Hides what one line with a single hidden entry gives away; 1 if it
 * changed something. */
static int
fix_line(struct stats_pub *p, size_t l)
{
    size_t len = l <= p->nrows ? p->ncols + 1 : p->nrows + 1;
    size_t k, hidden = 0;

    if (len < 2)
        return 0;
    for (k = 0; k < len; k++)
        if (p->grid[stats_line_entry(p, l, k)].state != STATS_SHOWN)
            hidden++;
    if (hidden != 1)
        return 0;
    /* the smallest shown cell, totals (the last entry) excluded */
    stats_hide_smallest(p, l, len);
    return 1;
}

/*
 * In a line whose cells add up to its total (a single-valued dimension),
 * a reader knows the sum S of its hidden cells: the total minus the shown
 * ones. A small cell lies in [0, T-1], an "x" cell in [T, S]. If that
 * leaves a small, non-zero cell only one possible value, one more cell is
 * hidden. (Shown figures are treated as exact: rounding only adds doubt.)
 * 1 if it changed something.
 */
static int
pin_line(struct stats_pub *p, size_t l)
{
    size_t len = l <= p->nrows ? p->ncols + 1 : p->nrows + 1, k;
    const struct stats_cell *tot;
    uint64_t sum = 0, shown = 0, lo_sum = 0, hi_sum = 0, S;
    uint64_t thr = p->policy.threshold;

    if (len < 3)
        return 0;
    tot = &p->grid[stats_line_entry(p, l, len - 1)];
    if (tot->state != STATS_SHOWN)
        return 0;
    for (k = 0; k + 1 < len; k++) {
        const struct stats_cell *c = &p->grid[stats_line_entry(p, l, k)];
        sum += c->v;
        if (c->state == STATS_SHOWN)
            shown += c->v;
    }
    if (sum != tot->v)
        return 0; /* not additive: the total tells nothing of the rest */
    S = tot->v - shown;
    for (k = 0; k + 1 < len; k++) {
        const struct stats_cell *c = &p->grid[stats_line_entry(p, l, k)];
        if (c->state == STATS_SMALL)
            hi_sum += thr - 1;
        else if (c->state == STATS_HIDDEN) {
            lo_sum += thr;
            hi_sum += S;
        }
    }
    for (k = 0; k + 1 < len; k++) {
        const struct stats_cell *c = &p->grid[stats_line_entry(p, l, k)];
        uint64_t o_lo, o_hi, lo, hi;

        if (c->state != STATS_SMALL || c->v == 0)
            continue;
        o_lo = lo_sum;
        o_hi = hi_sum - (thr - 1);
        lo = S > o_hi ? S - o_hi : 0;
        hi = S > o_lo ? S - o_lo : 0;
        if (hi > thr - 1)
            hi = thr - 1;
        if (lo >= hi) {
            stats_hide_smallest(p, l, len);
            return 1;
        }
    }
    return 0;
}

void
stats_protect(struct stats_pub *p)
{
    size_t n = (p->nrows + 1) * (p->ncols + 1), i, l;
    size_t nlines = p->nrows + 1 + p->ncols + 1;
    int changed;

    for (i = 0; i < n; i++)
        if (p->grid[i].state == STATS_SHOWN &&
            p->grid[i].v < p->policy.threshold)
            p->grid[i].state = STATS_SMALL;
    do {
        changed = 0;
        for (l = 0; l < nlines; l++)
            changed |= fix_line(p, l);
        for (l = 0; !changed && l < nlines; l++)
            changed |= pin_line(p, l);
    } while (changed);
    for (i = 0; i < n; i++)
        p->grid[i].shown = p->grid[i].state == STATS_SHOWN
                               ? stats_round(p->grid[i].v, p->policy.round)
                               : 0;
}
