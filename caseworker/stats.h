/*
 * stats: anonymised statistics for advocacy (`umbra-case stats`).
 *
 * The module reads only the coded facts of consenting cases (facts.h,
 * through store_facts_each) and turns them into a table that is safe to
 * publish: counts of reports received, at most two dimensions, small cells
 * suppressed, secondary suppression so that no hidden cell can be worked
 * out from a total, other counts and totals rounded separately, and
 * optionally discrete Laplace noise (stats_noise.c, integer arithmetic
 * only). Everything that leaves the module is a struct stats_pub: the
 * renderers (stats_out.c) and `stats merge` see nothing else.
 *
 * Data layout: a table of R rows and C columns (C = 0 for one dimension)
 * is kept as an (R + 1) x (C + 1) grid, row-major: grid[i * (C + 1) + j]
 * is the cell (i, j) for i < R and j < C, column C holds the row totals,
 * row R the column totals and grid[R * (C + 1) + C] the grand total. For
 * one dimension the grid is one column: R counts and the total. Totals
 * count reports, not cells: with a multi-valued dimension (categories,
 * needs) one report counts in several cells but once in a total.
 *
 * Files: stats.c (command line, counting, ledger, merge), stats_sdc.c
 * (suppression and rounding), stats_noise.c (the sampler), stats_out.c
 * (CSV, JSON, SVG, HTML, the language catalogue); the codes are libumbra's
 * report vocabulary (report_vocab.h).
 */
#ifndef UMBRA_CASE_STATS_H
#define UMBRA_CASE_STATS_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "facts.h"

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
};

struct stats_policy {
    unsigned threshold; /* cells under it are suppressed (default 10) */
    unsigned round;     /* base of rounding, 1 = none (default 5) */
    uint32_t eps_num;   /* epsilon = eps_num / eps_den; 0 = no noise */
    uint32_t eps_den;
};

/* A table ready to publish (or, inside stats.c, being made ready). */
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
    const char *status;      /* "draft", "published", "republished" ... */
};

/* ---- stats_sdc.c --------------------------------------------------------- */

/* grid index of (i, j) */
static inline size_t
stats_at(const struct stats_pub *p, size_t i, size_t j)
{
    return i * (p->ncols + 1) + j;
}

/*
 * Applies the policy to p->grid in place: primary suppression of every
 * cell and total under the threshold (cells already STATS_SMALL or
 * STATS_HIDDEN stay so), secondary suppression to a fixed point so that no
 * row or column (totals included) has exactly one hidden entry, and
 * rounding of every shown entry to the nearest multiple of the base
 * (halves up). Cannot fail.
 */
void stats_protect(struct stats_pub *p);

/* v rounded to the nearest multiple of base (halves up); base 0/1: v. */
uint64_t stats_round(uint64_t v, unsigned base);

/* ---- stats_noise.c ------------------------------------------------------- */

/*
 * One draw from the discrete Laplace distribution with
 * P(x) proportional to exp(-|x| * num / den) (Canonne, Kamath and
 * Steinke 2020, algorithm 2), integer arithmetic only, randomness from
 * umbra_random_uniform. num, den >= 1. Writes the draw to *out; 0, or
 * UMBRA_ERR_ARG on bad parameters.
 */
int stats_dlaplace(int64_t *out, uint32_t num, uint64_t den);

/* One Bernoulli(exp(-num/den)) draw (0 or 1); den >= 1. */
int stats_bernoulli_exp(uint64_t num, uint64_t den);

/* ---- stats_out.c --------------------------------------------------------- */

enum stats_format { STATS_CSV, STATS_JSON, STATS_SVG, STATS_HTML };

const char *stats_dim_name(enum stats_dim d);
const char *stats_period_name(enum stats_period p);

/* 1 if the language has a catalogue, else 0 (English is used). */
int stats_lang_known(const char *lang);

/* Writes p in the format to f, with titles and notes in lang. 0 or -1
 * (a write error). */
int stats_write(FILE *f, const struct stats_pub *p, enum stats_format fmt,
                const char *lang);

/* The canonical JSON of p (malloc'd, caller frees), or NULL. */
char *stats_json(const struct stats_pub *p);

/* Parses an export (stats_json's format) into *p (stats_pub_release it).
 * 0, or -1 with a message in err (cap bytes). */
int stats_parse(struct stats_pub *p, const char *json, size_t len, char *err,
                size_t cap);

/* ---- stats.c ------------------------------------------------------------- */

/* Allocates keys and grid for nrows x ncols; 0 or -1. */
int stats_pub_alloc(struct stats_pub *p, size_t nrows, size_t ncols);
void stats_pub_release(struct stats_pub *p);

#endif
