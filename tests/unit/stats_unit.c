/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * Unit tests of `umbra-case stats` (caseworker/stats*.c) over an in-memory
 * store (stats_fake_store.c): known counts, the disclosure rules cell by
 * cell, consent, differencing, the ledger, the noise sampler, merge and
 * the outputs. Ends with "N passed, N failed".
 *
 * With STATS_ARTIFACTS=DIR set, it also leaves DIR/stats.html and
 * DIR/stats.svg (and Arabic/Thai versions) for the Chromium render test.
 */
#include "check.h"
#include "scratch.h"
#include "stats.h"
#include "stats_catalogue.h"
#include "stats_fake_store.h"
#include "umbra.h"

#include <jansson.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char tmpdir[256];

/* ---- helpers --------------------------------------------------------- */

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

static uint64_t
xr(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

static unsigned
xr_below(unsigned n)
{
    return (unsigned)(xr() % n);
}

/* Runs the statistics on a command line split at spaces: stats_run with
 * home, or stats_main (which has none) when home is NULL. */
static int
run_home(struct store *s, const char *home, const char *cmdline)
{
    char buf[4096], *argv[64], *save = NULL, *t;
    int argc = 0;

    snprintf(buf, sizeof buf, "%s", cmdline);
    for (t = strtok_r(buf, " ", &save); t != NULL && argc < 63;
         t = strtok_r(NULL, " ", &save))
        argv[argc++] = t;
    argv[argc] = NULL;
    return home != NULL ? stats_run(s, home, argc, argv)
                        : stats_main(s, argc, argv);
}

static int
run(struct store *s, const char *cmdline)
{
    return run_home(s, NULL, cmdline);
}

/* run() on a command line made from fmt and what follows (printf). */
__attribute__((format(printf, 2, 3))) static int
runf(struct store *s, const char *fmt, ...)
{
    char cmd[2048];
    va_list ap;
    int n;

    va_start(ap, fmt);
    n = vsnprintf(cmd, sizeof cmd, fmt, ap);
    va_end(ap);
    return n > 0 && (size_t)n < sizeof cmd ? run(s, cmd) : -1;
}

/* Sets out to TMPDIR/name and runs cmdline with --out and that path
 * added. */
static int
run_to(struct store *s, char *out, size_t cap, const char *name,
       const char *cmdline)
{
    char cmd[2048];
    int n;

    snprintf(out, cap, "%s/%s", tmpdir, name);
    n = snprintf(cmd, sizeof cmd, "%s --out %s", cmdline, out);
    return n > 0 && (size_t)n < sizeof cmd ? run(s, cmd) : -1;
}

/* Writes text to path (a region file, a hand-made export). */
static void
write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");

    if (f != NULL) {
        fputs(text, f);
        fclose(f);
    }
}

static char *
slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    char *buf;
    long n;

    if (f == NULL)
        return NULL;
    fseek(f, 0, SEEK_END);
    n = ftell(f);
    fseek(f, 0, SEEK_SET);
    buf = malloc((size_t)n + 1);
    if (buf != NULL) {
        if (fread(buf, 1, (size_t)n, f) != (size_t)n) {
            free(buf);
            buf = NULL;
        } else {
            buf[n] = '\0';
        }
    }
    fclose(f);
    return buf;
}

static int
load(struct stats_pub *p, const char *path)
{
    char *j = slurp(path), err[200];
    int rc;

    if (j == NULL)
        return -1;
    rc = stats_parse(p, j, strlen(j), err, sizeof err);
    if (rc != 0)
        fprintf(stderr, "parse %s: %s\n", path, err);
    free(j);
    return rc;
}

static size_t
find_key(char (*keys)[STATS_KEY_MAX], size_t n, const char *k)
{
    size_t i;

    for (i = 0; i < n; i++)
        if (strcmp(keys[i], k) == 0)
            return i;
    return SIZE_MAX;
}

static void
facts(struct case_facts *f, const char *received, uint32_t cats, int perp,
      const char *country, const char *lang, uint32_t needs, int consent)
{
    memset(f, 0, sizeof *f);
    snprintf(f->received, sizeof f->received, "%s", received);
    snprintf(f->country, sizeof f->country, "%s", country);
    snprintf(f->lang, sizeof f->lang, "%s", lang);
    f->categories = cats;
    f->perpetrator = perp;
    f->needs = needs;
    f->consent_statistics = consent;
}

static void
add(struct store *s, const struct case_facts *f, unsigned long n)
{
    if (store_add_synthetic(s, f, n) != 0) {
        fprintf(stderr, "fake store out of memory\n");
        exit(1);
    }
}

/* Adds n cases with these facts (see facts()) to the store. */
static void
put(struct store *s, unsigned long n, const char *received, uint32_t cats,
    int perp, const char *country, const char *lang, uint32_t needs,
    int consent)
{
    struct case_facts f;

    facts(&f, received, cats, perp, country, lang, needs, consent);
    add(s, &f, n);
}

/* Every row and column (totals included) of a published grid has either
 * no hidden entry or at least two. Returns the number of bad lines. */
static int
bad_lines(const struct stats_pub *p)
{
    size_t i, j;
    int bad = 0;

    if (p->ncols > 0)
        for (i = 0; i <= p->nrows; i++) {
            int h = 0;
            for (j = 0; j <= p->ncols; j++)
                h += p->grid[stats_at(p, i, j)].state != STATS_SHOWN;
            bad += h == 1;
        }
    for (j = 0; j <= p->ncols; j++) {
        int h = 0;
        for (i = 0; i <= p->nrows; i++)
            h += p->grid[stats_at(p, i, j)].state != STATS_SHOWN;
        bad += h == 1;
    }
    return bad;
}

/* ---- a generated store with known counts ------------------------------- */

#define NCAT (FACTS_NCATEGORIES + 1)
#define NPERP (FACTS_NPERPETRATORS + 1)

struct truth {
    uint64_t cell[NCAT][NPERP], row[NCAT], col[NPERP], grand;
};

static const char *COUNTRIES[] = {"TH", "TH", "TH", "BR", "BR",
                                  "FR", "ES", "AR", "LA", ""};
static const char *LANGS[] = {"th", "th", "pt-BR", "es", "fr",
                              "en", "ar", "my",    ""};

/* n random cases over 2026-01..2026-06; truth of Q1 consenting cases. */
static void
generate(struct store *s, struct truth *t, unsigned n)
{
    unsigned i, k;

    for (i = 0; i < n; i++) {
        char day[11];
        uint32_t cats = 0;
        int perp, consent = xr_below(100) < 85;
        unsigned month = 1 + xr_below(6), d = 1 + xr_below(28);

        snprintf(day, sizeof day, "2026-%02u-%02u", month, d);
        /* skewed so that some categories and perpetrators are rare */
        for (k = 0; k < FACTS_NCATEGORIES; k++)
            if (xr_below(100) < (k < 4 ? 30u : k < 9 ? 6u : 1u))
                cats |= 1u << k;
        perp = (int)xr_below(12) - 1;
        if (perp >= FACTS_NPERPETRATORS)
            perp = 0;
        put(s, 1, day, cats, perp, COUNTRIES[xr_below(10)], LANGS[xr_below(9)],
            (uint32_t)xr_below(64), consent);
        if (consent && month <= 3 && t != NULL) {
            size_t pi = perp < 0 ? FACTS_NPERPETRATORS : (size_t)perp;
            int any = 0;
            for (k = 0; k < FACTS_NCATEGORIES; k++)
                if (cats & (1u << k)) {
                    t->cell[k][pi]++;
                    t->row[k]++;
                    any = 1;
                }
            if (!any) {
                t->cell[FACTS_NCATEGORIES][pi]++;
                t->row[FACTS_NCATEGORIES]++;
            }
            t->col[pi]++;
            t->grand++;
        }
    }
}

static const char *
cat_key(size_t k)
{
    return k < FACTS_NCATEGORIES ? FACTS_CATEGORIES[k] : "not-stated";
}

static const char *
perp_key(size_t k)
{
    return k < FACTS_NPERPETRATORS ? FACTS_PERPETRATORS[k] : "not-stated";
}

/* The published entry agrees with the true count under the policy. */
static int
entry_ok(const struct stats_cell *c, uint64_t truth, unsigned thr,
         unsigned base)
{
    if (c->state == STATS_SMALL)
        return truth < thr;
    if (c->state == STATS_HIDDEN)
        return truth >= thr; /* hidden to protect another, never small */
    return truth >= thr && c->shown == stats_round(truth, base);
}

static void
test_known_counts(void)
{
    struct store *s = fake_store_new();
    struct truth t;
    struct stats_pub p;
    unsigned bases[2] = {1, 5}, b;
    char out[300];

    memset(&t, 0, sizeof t);
    generate(s, &t, 4000);
    snprintf(out, sizeof out, "%s/known.json", tmpdir);
    for (b = 0; b < 2; b++) {
        size_t i, j, bad_cells = 0, small = 0, hidden = 0, shown = 0;

        CHECK(runf(s,
                   "stats --by category,perpetrator --period quarter --from "
                   "2026-Q1 --to 2026-Q1 --round %u --format json --out %s",
                   bases[b], out) == 0,
              "stats ran (round %u)", bases[b]);
        if (load(&p, out) != 0) {
            CHECK(0, "export parses");
            continue;
        }
        CHECK(p.nrows == NCAT && p.ncols == NPERP, "%zu x %zu table", p.nrows,
              p.ncols);
        CHECK(strcmp(p.from, "2026-01-01") == 0 &&
                  strcmp(p.to, "2026-03-31") == 0,
              "range %s..%s", p.from, p.to);
        for (i = 0; i <= p.nrows && p.nrows == NCAT; i++) {
            for (j = 0; j <= p.ncols && p.ncols == NPERP; j++) {
                size_t ri = i < p.nrows
                                ? find_key(p.rowkeys, p.nrows, cat_key(i))
                                : p.nrows;
                size_t cj = j < p.ncols
                                ? find_key(p.colkeys, p.ncols, perp_key(j))
                                : p.ncols;
                uint64_t tv = i < NCAT && j < NPERP ? t.cell[i][j]
                              : i < NCAT            ? t.row[i]
                              : j < NPERP           ? t.col[j]
                                                    : t.grand;
                const struct stats_cell *c = &p.grid[stats_at(&p, ri, cj)];

                if (ri == SIZE_MAX || cj == SIZE_MAX) {
                    bad_cells++;
                    continue;
                }
                if (!entry_ok(c, tv, 10, bases[b])) {
                    bad_cells++;
                    fprintf(stderr,
                            "  cell %s/%s true %llu state %d "
                            "shown %llu\n",
                            i < NCAT ? cat_key(i) : "total",
                            j < NPERP ? perp_key(j) : "total",
                            (unsigned long long)tv, c->state,
                            (unsigned long long)c->shown);
                }
                small += c->state == STATS_SMALL;
                hidden += c->state == STATS_HIDDEN;
                shown += c->state == STATS_SHOWN;
            }
        }
        CHECK(bad_cells == 0, "%zu cells disagree with the policy (round %u)",
              bad_cells, bases[b]);
        CHECK(small > 0 && shown > 0,
              "the data has small and shown cells (%zu, %zu)", small, shown);
        CHECK(bad_lines(&p) == 0, "no line with a single hidden entry");
        CHECK(p.multi, "categories are marked multi-valued");
        /* totals count reports, not cells */
        CHECK(p.grid[stats_at(&p, p.nrows, p.ncols)].shown ==
                  stats_round(t.grand, bases[b]),
              "grand total counts reports");
        if (b == 0)
            fprintf(stderr, "  known counts: %zu shown, %zu <10, %zu x\n",
                    shown, small, hidden);
        stats_pub_release(&p);
    }
    fake_store_free(s);
}

/* ---- consent ------------------------------------------------------------ */

static void
test_consent(void)
{
    struct store *s = fake_store_new();
    struct stats_pub p;
    char out[300];
    size_t r;

    snprintf(out, sizeof out, "%s/consent.json", tmpdir);
    put(s, 40, "2026-02-10", 1u << 2, 0, "TH", "th", 0, 1);  /* robbery */
    put(s, 500, "2026-02-10", 1u << 9, 0, "TH", "th", 0, 0); /* exploitation */
    put(s, 7, "2026-02-10", 1u << 9, 0, "TH", "th", 0, 2);   /* not "yes" */
    put(s, 300, "2026-02-10", 1u << 2, 0, "TH", "th", 0, 0);
    CHECK(runf(s,
               "stats --by category --from 2026-01 --to 2026-03 --threshold 1 "
               "--round 1 --format json --out %s",
               out) == 0,
          "stats ran");
    if (load(&p, out) == 0) {
        r = find_key(p.rowkeys, p.nrows, "robbery");
        CHECK(r != SIZE_MAX && p.grid[stats_at(&p, r, 0)].shown == 40,
              "robbery counts only the 40 consenting reports");
        r = find_key(p.rowkeys, p.nrows, "exploitation");
        CHECK(r != SIZE_MAX && p.grid[stats_at(&p, r, 0)].state != STATS_SHOWN,
              "exploitation (no consent) is not counted");
        CHECK(p.grid[stats_at(&p, p.nrows, 0)].shown == 40, "total is 40");
        stats_pub_release(&p);
    }
    fake_store_free(s);
}

/* ---- several perpetrators ---------------------------------------------- */

/* A report naming two perpetrators (perpetrator.types) counts in both
 * rows; the total counts it once. */
static void
test_two_perpetrators(void)
{
    struct store *s = fake_store_new();
    struct case_facts f;
    struct stats_pub p;
    char out[300];
    size_t r;

    snprintf(out, sizeof out, "%s/perps.json", tmpdir);
    facts(&f, "2026-02-10", 1u << 2, 1, "TH", "th", 0, 1);
    f.perpetrators = 1u << 1 | 1u << 0; /* police and client */
    add(s, &f, 12);
    put(s, 5, "2026-02-10", 1u << 2, 4, "TH", "th", 0, 1); /* landlord */
    CHECK(runf(s,
               "stats --by perpetrator --from 2026-01 --to 2026-03 "
               "--threshold 1 --round 1 --format json --out %s",
               out) == 0,
          "stats by perpetrator ran");
    if (load(&p, out) == 0) {
        r = find_key(p.rowkeys, p.nrows, "police");
        CHECK(r != SIZE_MAX && p.grid[stats_at(&p, r, 0)].shown == 12,
              "two perpetrators: police counts the 12");
        r = find_key(p.rowkeys, p.nrows, "client");
        CHECK(r != SIZE_MAX && p.grid[stats_at(&p, r, 0)].shown == 12,
              "two perpetrators: client counts the same 12");
        r = find_key(p.rowkeys, p.nrows, "landlord");
        CHECK(r != SIZE_MAX && p.grid[stats_at(&p, r, 0)].shown == 5,
              "one perpetrator (the old single index) counts once");
        CHECK(p.grid[stats_at(&p, p.nrows, 0)].shown == 17,
              "the total counts reports: 17, not 29");
        CHECK(p.multi, "perpetrator is marked multi-valued");
        stats_pub_release(&p);
    }
    fake_store_free(s);
}

/* ---- disclosure rules on random grids ----------------------------------- */

/* Feasible values of hidden cell h in a one-dimensional table whose cells
 * add up to the total, published with round 1: can a reader pin it? */
static int
pinned_1d(const struct stats_pub *p, size_t h, unsigned thr)
{
    /* with round 1, shown figures are exact. hidden sum S = T - shown sum
     * when the total is shown; a small hidden cell lies in [0, thr-1], an
     * "x" cell in [thr, S]. h is pinned if only one value fits. */
    const struct stats_cell *tot = &p->grid[stats_at(p, p->nrows, 0)];
    uint64_t S, lo_others = 0, hi_others = 0, vis = 0, lo, hi;
    size_t i;
    int others = 0;

    if (tot->state != STATS_SHOWN)
        return 0;
    for (i = 0; i < p->nrows; i++) {
        const struct stats_cell *c = &p->grid[stats_at(p, i, 0)];
        if (c->state == STATS_SHOWN)
            vis += c->shown;
        else if (i != h) {
            others++;
            lo_others += c->state == STATS_HIDDEN ? thr : 0;
            hi_others += c->state == STATS_HIDDEN ? tot->shown : thr - 1;
        }
    }
    S = tot->shown - vis;
    if (others == 0)
        return 1;
    lo = S > hi_others ? S - hi_others : 0;
    hi = S > lo_others ? S - lo_others : 0;
    if (p->grid[stats_at(p, h, 0)].state == STATS_SMALL && hi > thr - 1)
        hi = thr - 1;
    return lo >= hi;
}

static void
test_protect_random(void)
{
    unsigned round_, bad = 0, pinned = 0, one_d = 0, zeros = 0;

    for (round_ = 0; round_ < 3000; round_++) {
        struct stats_pub p;
        size_t r = 1 + xr_below(8), c = round_ % 3 ? 1 + xr_below(6) : 0;
        size_t i, j;

        memset(&p, 0, sizeof p);
        p.policy.threshold = 10;
        p.policy.round = round_ % 2 ? 5 : 1;
        if (stats_pub_alloc(&p, r, c) != 0)
            continue;
        /* a single-valued table: totals are sums */
        for (i = 0; i < r; i++)
            for (j = 0; j < (c ? c : 1); j++) {
                uint64_t v = xr_below(4) == 0 ? xr_below(10) : xr_below(60);
                size_t at = c ? stats_at(&p, i, j) : stats_at(&p, i, 0);
                p.grid[at].v = v;
                if (c) {
                    p.grid[stats_at(&p, i, c)].v += v;
                    p.grid[stats_at(&p, r, j)].v += v;
                }
                p.grid[stats_at(&p, r, c)].v += v;
            }
        stats_protect(&p);
        bad += bad_lines(&p) != 0;
        if (c == 0 && p.policy.round == 1) {
            for (i = 0; i < r; i++)
                if (p.grid[stats_at(&p, i, 0)].state == STATS_SMALL) {
                    one_d++;
                    if (pinned_1d(&p, i, 10)) {
                        if (p.grid[stats_at(&p, i, 0)].v > 0)
                            pinned++;
                        else
                            zeros++;
                    }
                }
        }
        for (i = 0; i < (r + 1) * (c + 1); i++)
            if ((p.grid[i].v < 10) != (p.grid[i].state == STATS_SMALL) &&
                p.grid[i].state != STATS_HIDDEN)
                bad++;
        stats_pub_release(&p);
    }
    CHECK(bad == 0, "%u random tables break the suppression rules", bad);
    CHECK(one_d > 100, "enough small cells tried (%u)", one_d);
    CHECK(pinned == 0,
          "%u of %u small non-zero cells could be worked out "
          "from the total",
          pinned, one_d);
    fprintf(stderr, "  %u small cells, %u of them zeros a reader can tell\n",
            one_d, zeros);
}

/* ---- differencing and the ledger ---------------------------------------- */

static json_t *
load_json(const char *path)
{
    return json_load_file(path, 0, NULL);
}

static void
test_ledger_and_differencing(void)
{
    struct store *s = fake_store_new();
    char out1[300], out2[300], out3[300];
    json_t *a, *b;
    unsigned long n0;

    generate(s, NULL, 1500);
    snprintf(out1, sizeof out1, "%s/pub1.json", tmpdir);
    snprintf(out2, sizeof out2, "%s/pub2.json", tmpdir);
    snprintf(out3, sizeof out3, "%s/pub3.json", tmpdir);
    CHECK(runf(s,
               "stats --by category --period quarter --from 2026-Q1 --to "
               "2026-Q1 --publish --format json --out %s",
               out1) == 0,
          "first publication");
    CHECK(fake_store_ledger_count(s) == 1, "recorded in the ledger");
    /* one more robbery in the published quarter: a second publication of
     * the same cut must not show it */
    put(s, 1, "2026-02-11", 1u << 2, 0, "TH", "th", 0, 1);
    CHECK(runf(s,
               "stats --by category --period quarter --from 2026-Q1 --to "
               "2026-Q1 --publish --format json --out %s",
               out2) == 0,
          "same cut again");
    a = load_json(out1);
    b = load_json(out2);
    CHECK(a != NULL && b != NULL &&
              json_equal(json_object_get(a, "values"),
                         json_object_get(b, "values")) &&
              json_equal(json_object_get(a, "total"),
                         json_object_get(b, "total")),
          "a re-publication after one more case gives the same figures");
    json_decref(a);
    json_decref(b);
    CHECK(fake_store_ledger_count(s) == 1, "the re-issue adds no entry");

    /* differently cut: other dimension, overlapping months */
    n0 = fake_store_ledger_count(s);
    CHECK(runf(s,
               "stats --by perpetrator --period quarter --from 2026-Q1 --to "
               "2026-Q1 --publish --format json --out %s",
               out3) == 1,
          "another dimension over the quarter refused");
    CHECK(runf(s,
               "stats --by category --period month --from 2026-02 --to 2026-04 "
               "--publish --format json --out %s",
               out3) == 1,
          "overlapping months refused");
    CHECK(runf(s,
               "stats --by category --period quarter --from 2026-Q1 --to "
               "2026-Q1 --round 1 --publish --format json --out %s",
               out3) == 1,
          "same cut with another rounding refused");
    CHECK(fake_store_ledger_count(s) == n0, "refusals record nothing");
    CHECK(runf(s,
               "stats --by category --period quarter --from 2026-Q2 --to "
               "2026-Q2 --publish --format json --out %s",
               out3) == 0,
          "the next quarter is allowed");
    CHECK(runf(s,
               "stats --by perpetrator --period quarter --from 2026-Q1 --to "
               "2026-Q1 --publish --force-recut --format json --out %s",
               out3) == 0,
          "--force-recut publishes");
    CHECK(fake_store_ledger_count(s) == n0 + 2, "both recorded");
    a = load_json(out3);
    CHECK(a != NULL && json_is_string(json_object_get(a, "status")) &&
              strcmp(json_string_value(json_object_get(a, "status")),
                     "published-forced") == 0,
          "the forced publication says so");
    json_decref(a);
    /* a draft is never recorded */
    n0 = fake_store_ledger_count(s);
    CHECK(runf(s,
               "stats --by lang --from 2026-Q1 --to 2026-Q2 --format json "
               "--out %s",
               out3) == 0 &&
              fake_store_ledger_count(s) == n0,
          "drafts are not recorded");
    a = load_json(out3);
    CHECK(a != NULL && strcmp(json_string_value(json_object_get(a, "status")),
                              "draft") == 0,
          "and say they are drafts");
    json_decref(a);
    fake_store_free(s);
}

static int
ledger_forced_cb(void *ctx, const char *k, const char *v)
{
    int *n = ctx;
    (void)k;
    if (strstr(v, "\"forced\":true") != NULL)
        (*n)++;
    return 0;
}

static void
test_ledger_forced_recorded(void)
{
    struct store *s = fake_store_new();
    char out[300];
    int n = 0;

    generate(s, NULL, 300);
    CHECK(run_to(s, out, sizeof out, "forced.json",
                 "stats --by needs --from 2026 --to 2026 --period year "
                 "--publish") == 0,
          "published a year");
    CHECK(runf(s,
               "stats --by needs --from 2026-Q2 --to 2026-Q2 --publish "
               "--force-recut --out %s",
               out) == 0,
          "forced re-cut of a quarter of it");
    store_ledger_each(s, ledger_forced_cb, &n);
    CHECK(n == 1, "the ledger records the forced re-cut (%d)", n);
    fake_store_free(s);
}

/* ---- the noise sampler ----------------------------------------------------
 */

static void
chi_square(uint32_t num, uint64_t den, unsigned nsamples, int span)
{
    /* P(x) = (1 - q) / (1 + q) q^|x|, q = exp(-num/den) */
    double q = exp(-(double)num / (double)den);
    unsigned long *hist = calloc((size_t)(2 * span + 3), sizeof *hist);
    double chi = 0, expect, tail;
    unsigned i;
    int x, df = 0, err = 0;
    int64_t sum = 0;

    if (hist == NULL)
        return;
    for (i = 0; i < nsamples; i++) {
        int64_t z;
        if (stats_dlaplace(&z, num, den) != 0) {
            err++;
            continue;
        }
        sum += z;
        if (z < -span)
            hist[0]++;
        else if (z > span)
            hist[2 * span + 2]++;
        else
            hist[z + span + 1]++;
    }
    CHECK(err == 0, "sampler failed %d times", err);
    for (x = -span; x <= span; x++) {
        expect = nsamples * (1 - q) / (1 + q) * pow(q, abs(x));
        if (expect < 5)
            continue;
        chi += (hist[x + span + 1] - expect) * (hist[x + span + 1] - expect) /
               expect;
        df++;
    }
    /* each tail: P(x > span) = q^(span+1) / (1 + q) */
    tail = nsamples * pow(q, span + 1) / (1 + q);
    if (tail >= 5) {
        chi += (hist[0] - tail) * (hist[0] - tail) / tail;
        chi += (hist[2 * span + 2] - tail) * (hist[2 * span + 2] - tail) / tail;
        df += 2;
    }
    df -= 1;
    /* The critical value at p = 1e-6 (Wilson-Hilferty, z = 4.75): a sampler
     * with the wrong shape lands far above it with these sample sizes,
     * while a right one fails by chance once in a million runs per check,
     * not once in a thousand (the p = 0.001 bound this replaces failed a
     * sanitizer run by chance: 70.7 over 36 df). */
    double h = 2.0 / (9.0 * df);
    double crit = df * pow(1.0 - h + 4.75 * sqrt(h), 3);
    CHECK(chi < crit,
          "discrete Laplace exp(-%u/%llu): chi-square %.1f over %d df", num,
          (unsigned long long)den, chi, df);
    CHECK(llabs(sum) < 6 * sqrt(nsamples * 2 * q / ((1 - q) * (1 - q))),
          "mean near 0 (sum %lld)", (long long)sum);
    fprintf(stderr, "  dlaplace %u/%llu: chi-square %.1f, %d df\n", num,
            (unsigned long long)den, chi, df);
    free(hist);
}

static void
test_sampler(void)
{
    unsigned i, ones = 0, n = 200000;
    char *src;
    const char *banned[] = {"float", "double", "math.h", "long double"};
    const char *fns[] = {"exp(", "log(", "pow(", "sqrt("};
    size_t b;
    int64_t z;

    chi_square(1, 2, 200000, 25);  /* epsilon/sensitivity = 1/2 */
    chi_square(3, 1, 100000, 6);   /* narrow */
    chi_square(1, 14, 100000, 60); /* wide, as for a category table */
    for (i = 0; i < n; i++)
        ones += (unsigned)stats_bernoulli_exp(1, 1);
    CHECK(fabs(ones / (double)n - exp(-1.0)) < 4 * sqrt(0.25 / n),
          "Bernoulli(exp(-1)) frequency %.4f", ones / (double)n);
    ones = 0;
    for (i = 0; i < n; i++)
        ones += (unsigned)stats_bernoulli_exp(5, 2);
    CHECK(fabs(ones / (double)n - exp(-2.5)) < 4 * sqrt(0.25 / n),
          "Bernoulli(exp(-5/2)) frequency %.4f", ones / (double)n);
    CHECK(stats_dlaplace(&z, 0, 1) != 0 && stats_dlaplace(&z, 1, 0) != 0,
          "bad parameters refused");
    src = slurp("caseworker/stats_noise.c");
    CHECK(src != NULL, "sampler source readable from the repository root");
    for (b = 0; src != NULL && b < sizeof banned / sizeof banned[0]; b++)
        CHECK(strstr(src, banned[b]) == NULL, "the sampler source has no '%s'",
              banned[b]);
    for (b = 0; src != NULL && b < sizeof fns / sizeof fns[0]; b++) {
        const char *at = src;
        int calls = 0;
        /* stats_bernoulli_exp( is ours; a bare exp( would be libm */
        while ((at = strstr(at, fns[b])) != NULL) {
            calls += at == src || at[-1] != '_';
            at++;
        }
        CHECK(calls == 0, "the sampler calls no %s", fns[b]);
    }
    free(src);
}

static void
test_noise_end_to_end(void)
{
    struct store *s = fake_store_new();
    char out[300];
    json_t *j;

    put(s, 500, "2026-03-01", 1u << 0, 1, "TH", "th", 0, 1);
    CHECK(run_to(s, out, sizeof out, "noise.json",
                 "stats --by category --from 2026-Q1 --to 2026-Q1 "
                 "--epsilon 0.5") == 0,
          "stats with noise");
    j = load_json(out);
    if (j != NULL) {
        json_t *pol = json_object_get(j, "policy");
        json_int_t v = json_integer_value(json_array_get(
            json_object_get(j, "values"), 0)); /* physical-violence */
        CHECK(strcmp(json_string_value(json_object_get(pol, "epsilon")),
                     "1/2") == 0,
              "epsilon stated as 1/2");
        CHECK(json_integer_value(json_object_get(pol, "sensitivity")) == 14,
              "sensitivity 13 categories + total");
        /* the seed is the home's own (random): noise of scale 14 / 0.5
         * = 28 passes 400 with probability exp(-400/28), about 6e-7; a
         * band of +-150 failed once in a few hundred runs (0.5 %) */
        CHECK(v % 5 == 0 && v > 100 && v < 900,
              "noisy count near 500, rounded (%lld)", (long long)v);
    } else {
        CHECK(0, "noise export readable");
    }
    json_decref(j);
    CHECK(run(s, "stats --by category --epsilon 0") == 2 &&
              run(s, "stats --by category --epsilon abc") == 2 &&
              run(s, "stats --by category --epsilon 1e3") == 2,
          "bad epsilon refused");
    fake_store_free(s);
}

/* ---- merge ----------------------------------------------------------------
 */

static void
test_merge(void)
{
    struct store *s1 = fake_store_new(), *s2 = fake_store_new();
    struct stats_pub a, b, m;
    char f1[300], f2[300], fm[300], f3[300];
    size_t i, j, bad = 0, checked = 0;
    int k;

    generate(s1, NULL, 900);
    generate(s2, NULL, 500);
    snprintf(f3, sizeof f3, "%s/org3.json", tmpdir);
    snprintf(fm, sizeof fm, "%s/merged.json", tmpdir);
    for (k = 0; k < 2; k++) {
        snprintf(k == 0 ? f1 : f2, sizeof f1, "%s/org%d.json", tmpdir, k + 1);
        CHECK(runf(k == 0 ? s1 : s2,
                   "stats --by category,period --period month --from 2026-01 "
                   "--to 2026-06 --out %s",
                   k == 0 ? f1 : f2) == 0,
              "org %d export", k + 1);
    }
    CHECK(runf(NULL, "stats merge %s %s --out %s", f1, f2, fm) == 0, "merge");
    if (load(&a, f1) == 0 && load(&b, f2) == 0 && load(&m, fm) == 0) {
        CHECK(m.nrows == a.nrows && m.ncols == a.ncols, "same shape");
        for (i = 0; i <= m.nrows && m.nrows == a.nrows; i++)
            for (j = 0; j <= m.ncols && m.ncols == a.ncols; j++) {
                const struct stats_cell *ca = &a.grid[stats_at(&a, i, j)];
                const struct stats_cell *cb = &b.grid[stats_at(&b, i, j)];
                const struct stats_cell *cm = &m.grid[stats_at(&m, i, j)];

                checked++;
                if (ca->state != STATS_SHOWN || cb->state != STATS_SHOWN) {
                    bad += cm->state == STATS_SHOWN;
                } else if (cm->state == STATS_SHOWN) {
                    bad += cm->shown != stats_round(ca->shown + cb->shown, 5);
                } else if (cm->state == STATS_SMALL) {
                    bad += ca->shown + cb->shown >= 10;
                }
            }
        CHECK(checked > 0 && bad == 0,
              "%zu of %zu merged cells break the rules", bad, checked);
        CHECK(bad_lines(&m) == 0, "merged table: no line with one hidden");
        stats_pub_release(&a);
        stats_pub_release(&b);
        stats_pub_release(&m);
    } else {
        CHECK(0, "exports readable");
    }
    {
        json_t *mj = load_json(fm);
        CHECK(mj != NULL &&
                  json_integer_value(json_object_get(mj, "merged_from")) == 2,
              "merged export says how many");
        json_decref(mj);
    }
    CHECK(
        runf(s2,
             "stats --by category,period --period quarter --from 2026-01 --to "
             "2026-06 --out %s",
             f3) == 0,
        "a quarterly export");
    CHECK(runf(NULL, "stats merge %s %s --out %s", f1, f3, fm) == 1,
          "merging different cuts refused");
    CHECK(runf(NULL, "stats merge %s", f1) == 2,
          "merging one file is a usage error");
    {
        write_file(f3,
                   "{\"schema\":\"umbra.stats/1\",\"dims\":[\"category\"],"
                   "\"period\":\"quarter\",\"from\":\"2026-01-01\",\"to\":"
                   "\"2026-06-30\",\"policy\":{\"threshold\":10,\"round\":5},"
                   "\"rows\":[\"robbery\"],\"values\":[\"<3\"],\"total\":12}");
        CHECK(runf(NULL, "stats merge %s %s --out %s", f3, f3, fm) == 1,
              "a cell that is not the policy's marker "
              "is refused");
    }
    fake_store_free(s1);
    fake_store_free(s2);
}

/* ---- dimensions, regions, outputs -----------------------------------------
 */

static void
test_regions(void)
{
    struct store *s = fake_store_new();
    struct stats_pub p;
    char out[300], conf[300];

    put(s, 30, "2026-01-05", 1, 0, "TH", "th", 0, 1);
    put(s, 4, "2026-01-05", 1, 0, "LA", "lo", 0, 1); /* a small country */
    put(s, 25, "2026-01-05", 1, 0, "BR", "pt-BR", 0, 1);
    put(s, 12, "2026-01-05", 1, 0, "", "=cmd()", 0, 1);
    put(s, 15, "2026-01-05", 1, 0, "FR", "fr", 0, 1); /* in no group */
    snprintf(out, sizeof out, "%s/region.json", tmpdir);
    CHECK(
        runf(s,
             "stats --by region --from 2026-Q1 --to 2026-Q1 --round 1 --out %s",
             out) == 0,
        "by country");
    if (load(&p, out) == 0) {
        CHECK(find_key(p.rowkeys, p.nrows, "LA") == SIZE_MAX,
              "a country with 4 reports is not named");
        CHECK(find_key(p.rowkeys, p.nrows, "TH") != SIZE_MAX &&
                  find_key(p.rowkeys, p.nrows, "other") != SIZE_MAX,
              "TH and other are rows");
        stats_pub_release(&p);
    }
    snprintf(conf, sizeof conf, "%s/regions.conf", tmpdir);
    write_file(conf, "# groups\nMekong = TH, LA\nSouth America = BR, AR\n");
    CHECK(runf(s,
               "stats --by region --regions %s --from 2026-Q1 --to 2026-Q1 "
               "--round 1 --out %s",
               conf, out) == 0,
          "by region group");
    if (load(&p, out) == 0) {
        size_t r = find_key(p.rowkeys, p.nrows, "Mekong");
        CHECK(r != SIZE_MAX && p.grid[stats_at(&p, r, 0)].shown == 34,
              "Mekong = TH + LA");
        r = find_key(p.rowkeys, p.nrows, "unknown");
        CHECK(r != SIZE_MAX && p.grid[stats_at(&p, r, 0)].shown == 12,
              "no country: unknown");
        stats_pub_release(&p);
    }
    CHECK(runf(s,
               "stats --by lang --from 2026-Q1 --to 2026-Q1 "
               "--round 1 --out %s",
               out) == 0,
          "by language");
    if (load(&p, out) == 0) {
        size_t r = find_key(p.rowkeys, p.nrows, "other");
        CHECK(find_key(p.rowkeys, p.nrows, "=cmd()") == SIZE_MAX,
              "a malformed language tag is never a row");
        CHECK(r != SIZE_MAX && p.grid[stats_at(&p, r, 0)].shown == 16,
              "it counts in other (with the small 'lo')");
        stats_pub_release(&p);
    }
    write_file(conf, "Mekong TH\n");
    CHECK(runf(s, "stats --by region --regions %s --from 2026-Q1 --out %s",
               conf, out) == 1,
          "a bad region file is refused");
    fake_store_free(s);
}

/* The home folder comes as an argument (stats_run), never from the
 * environment: its stats-regions.conf gives the default region groups. */
static void
test_home_regions(void)
{
    struct store *s = fake_store_new();
    struct stats_pub p;
    char home[300], conf[400], out[300];
    char cmd[700];

    put(s, 30, "2026-01-05", 1, 0, "TH", "th", 0, 1);
    put(s, 12, "2026-01-05", 1, 0, "LA", "lo", 0, 1);
    snprintf(home, sizeof home, "%s/home", tmpdir);
    snprintf(conf, sizeof conf, "%s/stats-regions.conf", home);
    snprintf(out, sizeof out, "%s/home-region.json", tmpdir);
    snprintf(cmd, sizeof cmd,
             "stats --by region --from 2026-Q1 --to 2026-Q1 --round 1 "
             "--out %s",
             out);
    CHECK(mkdir(home, 0700) == 0, "mkdir %s", home);
    write_file(conf, "Mekong = TH, LA\n");
    CHECK(run_home(s, home, cmd) == 0, "stats with a home");
    if (load(&p, out) == 0) {
        size_t r = find_key(p.rowkeys, p.nrows, "Mekong");
        CHECK(r != SIZE_MAX && p.grid[stats_at(&p, r, 0)].shown == 42,
              "the home's region groups are used");
        CHECK(find_key(p.rowkeys, p.nrows, "TH") == SIZE_MAX,
              "no country row beside the groups");
        stats_pub_release(&p);
    }
    CHECK(getenv("UMBRA_HOME") == NULL ||
              strcmp(getenv("UMBRA_HOME"), home) != 0,
          "the home is not put in the environment");
    /* the environment is not read: stats_main has no home */
    CHECK(setenv("UMBRA_HOME", home, 1) == 0, "setenv");
    CHECK(run(s, cmd) == 0, "stats without a home");
    if (load(&p, out) == 0) {
        CHECK(find_key(p.rowkeys, p.nrows, "Mekong") == SIZE_MAX &&
                  find_key(p.rowkeys, p.nrows, "TH") != SIZE_MAX,
              "UMBRA_HOME in the environment is not read");
        stats_pub_release(&p);
    }
    unsetenv("UMBRA_HOME");
    CHECK(run_home(s, tmpdir, cmd) == 0, "a home without stats-regions.conf");
    if (load(&p, out) == 0) {
        CHECK(find_key(p.rowkeys, p.nrows, "TH") != SIZE_MAX,
              "no file in the home: countries");
        stats_pub_release(&p);
    }
    fake_store_free(s);
}

static int
contains(const char *path, const char *needle)
{
    char *t = slurp(path);
    int r = t != NULL && strstr(t, needle) != NULL;

    free(t);
    return r;
}

/* A statistics file (merge's input) whose dates are no calendar dates is
 * refused: libumbra's umbra_date_valid, not a shape check. */
static void
test_parse_dates(void)
{
    struct store *s = fake_store_new();
    struct stats_pub p;
    char cmd[600], out[300], err[200], *j, *at;

    memset(&p, 0, sizeof p);
    generate(s, NULL, 200);
    snprintf(out, sizeof out, "%s/dates.json", tmpdir);
    snprintf(cmd, sizeof cmd,
             "stats --by category --from 2026-01-01 --to 2026-03-31 "
             "--format json --out %s",
             out);
    CHECK(run(s, cmd) == 0, "a statistics file to parse");
    j = slurp(out);
    at = j ? strstr(j, "2026-03-31") : NULL;
    CHECK(at != NULL && stats_parse(&p, j, strlen(j), err, sizeof err) == 0,
          "the file as written parses");
    stats_pub_release(&p);
    if (at != NULL) {
        memcpy(at, "2026-02-30", 10);
        memset(&p, 0, sizeof p);
        CHECK(stats_parse(&p, j, strlen(j), err, sizeof err) != 0 &&
                  strcmp(err, "bad dates or policy") == 0,
              "a 'to' of 2026-02-30 is refused");
        stats_pub_release(&p);
    }
    free(j);
    fake_store_free(s);
}

/* The strings come from the stats.* keys of the locale catalogues, embedded
 * by the build: every message and every code's label in each of the six
 * languages, right to left for Arabic only, English for the others. */
static void
test_catalogue(void)
{
    static const char *const tags[] = {"en", "es", "fr", "pt-BR", "th", "ar"};
    size_t i, k;
    int m, bad = 0, unlabelled = 0;

    for (i = 0; i < sizeof tags / sizeof tags[0]; i++) {
        int li = stats_lang_index(tags[i]);

        CHECK(stats_lang_known(tags[i]) && strcmp(stats_lang_tag(li),
                                                  tags[i]) == 0,
              "%s has a statistics catalogue", tags[i]);
        CHECK(stats_lang_rtl(li) == (strcmp(tags[i], "ar") == 0),
              "%s: the direction of its locale.dir", tags[i]);
        for (m = 0; m < STATS_NMSG; m++)
            bad += stats_msg(li, (enum stats_msg)m)[0] == '\0';
        for (k = 0; k < FACTS_NCATEGORIES; k++)
            unlabelled += stats_label(li, FACTS_CATEGORIES[k]) ==
                          FACTS_CATEGORIES[k];
        for (k = 0; k < FACTS_NPERPETRATORS; k++)
            unlabelled += stats_label(li, FACTS_PERPETRATORS[k]) ==
                          FACTS_PERPETRATORS[k];
        for (k = 0; k < FACTS_NNEEDS; k++)
            unlabelled += stats_label(li, FACTS_NEEDS[k]) == FACTS_NEEDS[k];
    }
    CHECK(bad == 0, "every message in every language (%d empty)", bad);
    CHECK(unlabelled == 0, "every code labelled in every language (%d not)",
          unlabelled);
    CHECK(strcmp(stats_msg(stats_lang_index("ar"), STATS_M_TOTAL),
                 "المجموع") == 0 &&
              strcmp(stats_label(stats_lang_index("th"), "police"),
                     "ตำรวจ") == 0,
          "Arabic and Thai strings from their catalogues");
    CHECK(stats_lang_index("pt") == stats_lang_index("pt-BR"),
          "pt is pt-BR");
    CHECK(!stats_lang_known("de") && stats_lang_index("de") == STATS_L_EN &&
              strcmp(stats_msg(stats_lang_index("de"), STATS_M_TOTAL),
                     "Total") == 0,
          "a language without stats.* keys gets English");
    CHECK(strcmp(stats_label(STATS_L_EN, "no-such-code"), "no-such-code") ==
              0,
          "a code without a label is shown as itself");
}

static void
test_outputs(void)
{
    struct store *s = fake_store_new();
    char cmd[2048], out[300];
    const char *art = getenv("STATS_ARTIFACTS");
    /* a small cell in words, never "<10", which right-to-left text
     * would show as "10>" */
    struct {
        const char *by, *lang, *fmt, *name, *fewer;
    } cases[] = {
        {"period", "en", "svg", "stats.svg", "fewer than 10"},
        {"category", "en", "html", "stats.html", "fewer than 10"},
        {"category", "ar", "html", "stats-ar.html",
         "\xd8\xa3\xd9\x82\xd9\x84 \xd9\x85\xd9\x86 10"},
        {"perpetrator,period", "th", "html", "stats-th.html",
         "\xe0\xb8\x99\xe0\xb9\x89\xe0\xb8\xad\xe0\xb8\xa2"
         "\xe0\xb8\x81\xe0\xb8\xa7\xe0\xb9\x88\xe0\xb8\xb2 10"},
        {"category", "es", "svg", "stats-es.svg", "menos de 10"},
        {"category", "zh-CN", "html", "stats-zh.html",
         "\xe5\xb0\x91\xe4\xba\x8e" "10"},
    };
    size_t i;

    generate(s, NULL, 2500);
    for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        snprintf(out, sizeof out, "%s/%s", art ? art : tmpdir, cases[i].name);
        snprintf(cmd, sizeof cmd,
                 "stats --by %s --period month --from 2026-01 --to 2026-06 "
                 "--lang %s --format %s --out %s",
                 cases[i].by, cases[i].lang, cases[i].fmt, out);
        CHECK(run(s, cmd) == 0, "%s", cmd);
        CHECK(!contains(out, "href=") && !contains(out, "src=") &&
                  !contains(out, "<script") && !contains(out, "url("),
              "%s refers to nothing outside itself", cases[i].name);
        CHECK(contains(out, cases[i].fewer) && !contains(out, "&lt;10"),
              "%s says '%s', not <10", cases[i].name, cases[i].fewer);
        CHECK(contains(out, "Umbra"), "%s has its source line",
              cases[i].name);
    }
    snprintf(out, sizeof out, "%s/%s", art ? art : tmpdir, "stats.html");
    CHECK(contains(out, "not a measure of how often violations happen"),
          "HTML says reports are not a measure of violations");
    CHECK(contains(out, "<svg") && contains(out, "<table"),
          "HTML holds the chart and the table");
    CHECK(contains(out, "Physical violence"), "labels, not codes");
    snprintf(out, sizeof out, "%s/%s", art ? art : tmpdir, "stats-ar.html");
    CHECK(contains(out, "dir=\"rtl\"") && contains(out, "direction=\"rtl\"") &&
              contains(out, "البلاغات الواردة"),
          "Arabic is right to left, in Arabic");
    snprintf(out, sizeof out, "%s/%s", art ? art : tmpdir, "stats-th.html");
    CHECK(contains(out, "<path") && contains(out, "ตำรวจ"),
          "Thai line chart with Thai labels");
    CHECK(run_to(s, out, sizeof out, "out.csv",
                 "stats --by category --from 2026-Q1 --to 2026-Q2") == 0,
          "csv by default from the extension");
    CHECK(contains(out, "# Reports received by type of incident") &&
              contains(out, "threshold=10; round=5") &&
              contains(out, "not a measure") &&
              contains(out, "\ncategory,reports\n") &&
              contains(out, "\ntotal,"),
          "CSV has the policy, the notes and a total row");
    CHECK(contains(out, "several categories"), "CSV notes multi-values");
    {
        struct store *few = fake_store_new();

        put(few, 42, "2026-01-05", 1u << 6, 1, "TH", "th", 0, 1);
        put(few, 3, "2026-01-05", 1u << 8, 2, "TH", "th", 0, 1);
        CHECK(run_to(few, out, sizeof out, "few.svg",
                     "stats --by category --from 2026-Q1 --to 2026-Q1 --format "
                     "svg") == 0,
              "small chart");
        CHECK(contains(out, "stroke-dasharray") &&
                  contains(out, ">fewer than 10</text>") &&
                  contains(out, ">40</text>") && !contains(out, ">3</text>") &&
                  !contains(out, ">42</text>"),
              "a chart draws hidden bars empty, says 'fewer than 10', "
              "others rounded");
        fake_store_free(few);
    }
    CHECK(run(s, "stats --by nothing") == 2 && run(s, "stats") == 2 &&
              run(s, "stats --by category,category") == 2 &&
              run(s, "stats --by category --from 2026-13") == 2 &&
              run(s, "stats --by category --period week") == 2 &&
              run(s, "stats --by category --threshold 0") == 2 &&
              run(s, "stats --by category --force-recut") == 2,
          "usage errors exit 2");
    CHECK(run(s, "stats --help") == 0, "--help");
    fake_store_free(s);
}

static void
test_empty_period(void)
{
    struct store *s = fake_store_new();
    struct stats_pub p;
    char out[300];

    generate(s, NULL, 200);
    snprintf(out, sizeof out, "%s/empty.json", tmpdir);
    CHECK(
        runf(s,
             "stats --by category,period --from 2027-Q1 --to 2027-Q2 --out %s",
             out) == 0,
        "an empty period");
    if (load(&p, out) == 0) {
        size_t i, shown = 0;
        for (i = 0; i < (p.nrows + 1) * (p.ncols + 1); i++)
            shown += p.grid[i].state == STATS_SHOWN;
        CHECK(shown == 0 && p.ncols == 2, "nothing shown, two quarters");
        stats_pub_release(&p);
    }
    fake_store_free(s);
    s = fake_store_new();
    CHECK(run(s, "stats --by category") == 1,
          "no case and no dates: a clear error");
    fake_store_free(s);
}

/* Where needle is in the file at path after the first after (-1 if not). */
static long
offset_after(const char *path, const char *after, const char *needle)
{
    char *t = slurp(path), *a, *n;
    long r = -1;

    if (t != NULL && (a = strstr(t, after)) != NULL &&
        (n = strstr(a, needle)) != NULL)
        r = (long)(n - t);
    free(t);
    return r;
}

/* Rows by size for the reader, "other" last, the codes' order for CSV
 * unless --sort; an empty table has no headings; a table whose every
 * figure is hidden says so. */
static void
test_order_and_empty(void)
{
    struct store *s = fake_store_new(), *few = fake_store_new();
    char out[300];

    /* physical-violence 20, robbery 60, police-harassment 40, other 80 */
    put(s, 20, "2026-01-05", 1u << 0, 1, "TH", "th", 0, 1);
    put(s, 60, "2026-01-05", 1u << 2, 1, "TH", "th", 0, 1);
    put(s, 40, "2026-01-05", 1u << 5, 1, "TH", "th", 0, 1);
    put(s, 80, "2026-01-05", 1u << 12, 1, "TH", "th", 0, 1);
    CHECK(run_to(s, out, sizeof out, "order.html",
                 "stats --by category --from 2026-Q1 --to 2026-Q1") == 0,
          "html by category");
    CHECK(offset_after(out, "<tbody>", "Robbery") <
                  offset_after(out, "<tbody>", "Police harassment") &&
              offset_after(out, "<tbody>", "Police harassment") <
                  offset_after(out, "<tbody>", "Physical violence") &&
              offset_after(out, "<tbody>", "Physical violence") <
                  offset_after(out, "<tbody>", "Other") &&
              offset_after(out, "<tbody>", "Physical violence") > 0,
          "HTML rows largest first, 'other' last");
    CHECK(run_to(s, out, sizeof out, "order-key.html",
                 "stats --by category --from 2026-Q1 --to 2026-Q1 --sort "
                 "key") == 0 &&
              offset_after(out, "<tbody>", "Physical violence") <
                  offset_after(out, "<tbody>", "Robbery") &&
              offset_after(out, "<tbody>", "Physical violence") > 0,
          "--sort key keeps the codes' order");
    CHECK(run_to(s, out, sizeof out, "order.csv",
                 "stats --by category --from 2026-Q1 --to 2026-Q1") == 0 &&
              offset_after(out, "category,", "physical-violence") <
                  offset_after(out, "category,", "robbery") &&
              offset_after(out, "category,", "physical-violence") > 0,
          "CSV keeps the codes' order by default");
    CHECK(run_to(s, out, sizeof out, "order-size.csv",
                 "stats --by category --from 2026-Q1 --to 2026-Q1 --sort "
                 "size") == 0 &&
              offset_after(out, "category,", "robbery") <
                  offset_after(out, "category,", "physical-violence") &&
              offset_after(out, "category,", "robbery") > 0,
          "CSV --sort size: largest first");
    CHECK(runf(s, "stats --by category --sort biggest") == 2,
          "--sort biggest is a usage error");
    CHECK(run_to(s, out, sizeof out, "empty.html",
                 "stats --by category --from 2025-Q1 --to 2025-Q1") == 0,
          "an empty range");
    CHECK(!contains(out, "<figure") && contains(out, "<table") &&
              contains(out, "Every figure of this table is hidden"),
          "a range with no report: no empty chart, the table and why");
    put(few, 3, "2026-01-05", 1u << 2, 1, "TH", "th", 0, 1);
    put(few, 4, "2026-01-05", 1u << 5, 1, "TH", "th", 0, 1);
    CHECK(run_to(few, out, sizeof out, "hidden.svg",
                 "stats --by category --from 2026-Q1 --to 2026-Q1 --format "
                 "svg") == 0 &&
              contains(out, "Every figure of this table is hidden") &&
              contains(out, "Source: reports received by the organisation"),
          "a table whose figures are all hidden says so, under the chart");
    {
        /* every note line fits the picture: at most 125 characters */
        char *t = slurp(out), *q = t;
        size_t lines = 0, longest = 0;

        while (q != NULL && (q = strstr(q, "font-size=\"10\">")) != NULL) {
            char *e = strstr(q, "</text>");

            q += strlen("font-size=\"10\">");
            if (e == NULL)
                break;
            lines++;
            if ((size_t)(e - q) > longest)
                longest = (size_t)(e - q);
        }
        free(t);
        CHECK(lines >= 6 && longest <= 125,
              "the notes wrap to the chart (%zu lines, longest %zu bytes)",
              lines, longest);
    }
    CHECK(run_to(s, out, sizeof out, "shown.csv",
                 "stats --by category --from 2026-Q1 --to 2026-Q1") == 0 &&
              !contains(out, "Every figure of this table is hidden"),
          "and one with figures does not");
    fake_store_free(s);
    fake_store_free(few);
}

int
main(void)
{
    const char *t = getenv("TMPDIR");

    if (umbra_secure_init() != 0) {
        fprintf(stderr, "cannot initialise libsodium\n");
        return 1;
    }
    snprintf(tmpdir, sizeof tmpdir, "%s/umbra-stats-XXXXXX", t ? t : "/tmp");
    if (mkdtemp(tmpdir) == NULL) {
        perror("mkdtemp");
        return 1;
    }
    test_known_counts();
    test_consent();
    test_two_perpetrators();
    test_protect_random();
    test_ledger_and_differencing();
    test_ledger_forced_recorded();
    test_sampler();
    test_noise_end_to_end();
    test_merge();
    test_order_and_empty();
    test_regions();
    test_home_regions();
    test_catalogue();
    test_parse_dates();
    test_outputs();
    test_empty_period();
    (void)test_rmtree(tmpdir);
    return check_done();
}
