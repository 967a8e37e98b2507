/*
 * stats_sdc: statistical disclosure control of a table (see stats.h).
 *
 * Primary suppression hides every cell and total under the threshold.
 * Secondary suppression then looks at every line of the grid (each row
 * with its row total, each column with its column total, the row of
 * column totals with the grand total, the column of row totals with the
 * grand total): a line with exactly one hidden entry would give that entry
 * away as total minus the rest, so the smallest shown cell of the line is
 * hidden as well (the total only when the line has no other cell). This
 * repeats until no line changes. Shown entries are then rounded, each
 * total from its own true value, never as a sum of rounded cells.
 */
#include "stats.h"

uint64_t
stats_round(uint64_t v, unsigned base)
{
    if (base <= 1)
        return v;
    return (v + base / 2) / base * base;
}

/* Entry k of line l; lines 0..R are rows, R+1..R+C+1 columns. */
static size_t
line_entry(const struct stats_pub *p, size_t l, size_t k)
{
    if (l <= p->nrows)
        return stats_at(p, l, k);
    return stats_at(p, k, l - p->nrows - 1);
}

/* Hides what one line with a single hidden entry gives away; 1 if it
 * changed something. */
static int
fix_line(struct stats_pub *p, size_t l)
{
    size_t len = l <= p->nrows ? p->ncols + 1 : p->nrows + 1;
    size_t k, hidden = 0, best = (size_t)-1;

    if (len < 2)
        return 0;
    for (k = 0; k < len; k++)
        if (p->grid[line_entry(p, l, k)].state != STATS_SHOWN)
            hidden++;
    if (hidden != 1)
        return 0;
    /* the smallest shown cell, totals (the last entry) excluded */
    for (k = 0; k + 1 < len; k++) {
        size_t e = line_entry(p, l, k);

        if (p->grid[e].state != STATS_SHOWN)
            continue;
        if (best == (size_t)-1 || p->grid[e].v < p->grid[best].v)
            best = e;
    }
    if (best == (size_t)-1)
        best = line_entry(p, l, len - 1);
    p->grid[best].state = STATS_HIDDEN;
    return 1;
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
    } while (changed);
    for (i = 0; i < n; i++)
        p->grid[i].shown = p->grid[i].state == STATS_SHOWN
                               ? stats_round(p->grid[i].v, p->policy.round)
                               : 0;
}
