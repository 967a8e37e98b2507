/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * stats_table: the table the statistics are made of (struct stats_pub),
 * which counting, the disclosure rules, the ledger, `stats merge` and
 * every writer share, with the names of its dimensions and periods.
 *
 * Data layout: a table of R rows and C columns (C = 0 for one dimension)
 * is kept as an (R + 1) x (C + 1) grid, row-major: grid[i * (C + 1) + j]
 * is the cell (i, j) for i < R and j < C, column C holds the row totals,
 * row R the column totals and grid[R * (C + 1) + C] the grand total. For
 * one dimension the grid is one column: R counts and the total. Totals
 * count reports, not cells: with a multi-valued dimension (categories,
 * needs) one report counts in several cells but once in a total. Row and
 * column keys and the grid are malloc'd by stats_pub_alloc and freed by
 * stats_pub_release; status points to a static string.
 */
#ifndef UMBRA_CASE_STATS_TABLE_H
#define UMBRA_CASE_STATS_TABLE_H

#include <stddef.h>
#include <stdint.h>

#define STATS_KEY_MAX 64u     /* bytes of a row or column key with NUL */
#define STATS_MAX_KEYS 1300u  /* rows or columns of a published table */
#define STATS_DYN_KEYS 512u   /* distinct regions or languages counted */
#define STATS_FIRST_YEAR 2000 /* received dates outside are refused */
#define STATS_LAST_YEAR 2100
#define STATS_NMONTHS ((STATS_LAST_YEAR - STATS_FIRST_YEAR + 1) * 12)
#define STATS_THRESHOLD_MAX 1000u
#define STATS_ROUND_MAX 1000u
#define STATS_EXPORT_MAX (16u * 1024u * 1024u) /* a JSON export to merge */
#define STATS_MERGE_MAX 64u                    /* files in one merge */

enum stats_dim {
    STATS_DIM_PERIOD,
    STATS_DIM_CATEGORY,
    STATS_DIM_PERPETRATOR,
    STATS_DIM_REGION,
    STATS_DIM_LANG,
    STATS_DIM_NEEDS,
    STATS_NDIMS
};

enum stats_period { STATS_MONTH, STATS_QUARTER, STATS_YEAR };

/* What a reader sees in a cell. */
enum stats_state {
    STATS_SHOWN = 0,  /* shown (rounded) */
    STATS_SMALL = 1,  /* under the threshold: shown as "<T" */
    STATS_HIDDEN = 2, /* hidden to protect another cell: shown as "x" */
};

struct stats_cell {
    uint64_t v;     /* count the policy is applied to (true or noisy) */
    uint64_t shown; /* the published figure when state is STATS_SHOWN */
    int state;
    /* 1 + the line (stats_sdc's numbering) in which this cell was hidden
     * as the smallest shown cell, 0 if not: what the suppression rule
     * tells a reader, which the audit models */
    uint32_t line;
    int audit; /* 1 if the audit (stats_audit) hid it */
    /* in a merged table (merged > 0): the bounds of the true sum that the
     * inputs give, hi UINT64_MAX for none */
    uint64_t lo, hi;
};

struct stats_policy {
    unsigned threshold; /* cells under it are suppressed (default 10) */
    unsigned round;     /* base of rounding, 1 = none (default 5) */
    uint32_t eps_num;   /* epsilon = eps_num / eps_den; 0 = no noise */
    uint32_t eps_den;
};

/* A table ready to publish (or, inside stats_count and stats_merge, being
 * made ready). */
struct stats_pub {
    int ndims;
    enum stats_dim dims[2];
    enum stats_period period;
    char from[11], to[11]; /* YYYY-MM-DD, inclusive, by received date */
    char exported[11];
    struct stats_policy policy;
    unsigned sensitivity; /* cells + totals one report can change */
    size_t nrows, ncols;  /* ncols 0 for one dimension */
    char (*rowkeys)[STATS_KEY_MAX];
    char (*colkeys)[STATS_KEY_MAX];
    struct stats_cell *grid; /* (nrows + 1) * (ncols + 1) */
    int multi;               /* a dimension is multi-valued */
    unsigned merged;         /* number of exports merged, 0 if none */
    unsigned protection;     /* the audit's protection width (0: none) */
    size_t audit_hidden;     /* cells the audit hid */
    const char *status;      /* "draft", "published", "republished" ... */
};

/* grid index of (i, j) */
static inline size_t
stats_at(const struct stats_pub *p, size_t i, size_t j)
{
    return i * (p->ncols + 1) + j;
}

/* Allocates keys and grid for nrows x ncols; 0 or -1 (p->rowkeys,
 * p->colkeys and p->grid then NULL). */
int stats_pub_alloc(struct stats_pub *p, size_t nrows, size_t ncols);

/* Frees keys and grid (NULL-safe; p may be released twice). */
void stats_pub_release(struct stats_pub *p);

/* "period", "category", ... ("?" when out of range) */
const char *stats_dim_name(enum stats_dim d);

/* "month", "quarter" or "year" */
const char *stats_period_name(enum stats_period p);

/* Prints "umbra-case: stats: " and the message on standard error: the one
 * voice of the statistics command (never a report's text). */
void stats_say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
