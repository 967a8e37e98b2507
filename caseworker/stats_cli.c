/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * stats_cli: the command line of `umbra-case stats` and `umbra-case stats
 * merge` (see stats.h): options, then counting (stats_count), the ledger
 * (stats_ledger) or merging (stats_merge), then one writer (stats_write).
 */
#include "args.h"
#include "stats.h"
#include "stats_audit.h"
#include "stats_count.h"
#include "stats_dates.h"
#include "stats_ledger.h"
#include "stats_merge.h"
#include "stats_regions.h"
#include "stats_sort.h"
#include "stats_text.h"
#include "stats_write.h"
#include "store.h"
#include "umbra.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

static int
parse_uint(unsigned *out, const char *s, unsigned lo, unsigned hi)
{
    unsigned long v = 0;
    const char *p = s;

    if (*p == '\0')
        return -1;
    for (; *p; p++) {
        if (*p < '0' || *p > '9')
            return -1;
        v = v * 10 + (unsigned long)(*p - '0');
        if (v > hi)
            return -1;
    }
    if (v < lo)
        return -1;
    *out = (unsigned)v;
    return 0;
}

static uint32_t
gcd32(uint32_t a, uint32_t b)
{
    while (b) {
        uint32_t t = a % b;
        a = b;
        b = t;
    }
    return a;
}

/* "1", "0.5", "1/2": epsilon as a reduced fraction in (0, 20]. */
static int
parse_epsilon(uint32_t *num, uint32_t *den, const char *s)
{
    uint32_t n = 0, d = 1;
    const char *p = s;
    int digits = 0, frac = -1;

    for (; *p && *p != '/'; p++) {
        if (*p == '.' && frac < 0) {
            frac = 0;
            continue;
        }
        if (*p < '0' || *p > '9')
            return -1;
        if (++digits > 9)
            return -1;
        n = n * 10 + (uint32_t)(*p - '0');
        if (frac >= 0) {
            if (++frac > 6)
                return -1;
            d *= 10;
        }
    }
    if (digits == 0)
        return -1;
    if (*p == '/') {
        unsigned dd;

        if (frac >= 0 || parse_uint(&dd, p + 1, 1, 1000000) != 0)
            return -1;
        d = dd;
    }
    if (n == 0 || n > 20u * d)
        return -1;
    {
        uint32_t g = gcd32(n, d);
        *num = n / g;
        *den = d / g;
    }
    return 0;
}

static int
parse_format(enum stats_format *f, const char *s)
{
    if (!strcmp(s, "csv"))
        *f = STATS_CSV;
    else if (!strcmp(s, "json"))
        *f = STATS_JSON;
    else if (!strcmp(s, "svg"))
        *f = STATS_SVG;
    else if (!strcmp(s, "html"))
        *f = STATS_HTML;
    else
        return -1;
    return 0;
}

static int
emit(struct stats_pub *p, enum stats_format fmt, const char *lang,
     const char *out, enum stats_sort sort)
{
    FILE *f = stdout;
    int rc;

    /* by size for the reader (HTML, SVG); CSV and JSON keep the codes'
     * order, which merge and diffs rely on, unless --sort says */
    if ((sort != STATS_SORT_DEFAULT || fmt == STATS_HTML ||
         fmt == STATS_SVG) &&
        stats_sort_rows(p, sort) != 0) {
        stats_say("out of memory");
        return -1;
    }
    if (p->nrows == 0)
        stats_say("no consenting report was received from %s to %s: the "
                  "table is empty",
                  p->from, p->to);
    else if (stats_all_hidden(p))
        stats_say("every figure of this table is hidden: each count is "
                  "under %u, or would give one away, to protect the people "
                  "who reported; a longer --period or a single --by gives "
                  "figures that can be shown",
                  p->policy.threshold);

    if (out != NULL && strcmp(out, "-") != 0) {
        f = fopen(out, "w");
        if (f == NULL) {
            stats_say("cannot write '%s': %s", out, strerror(errno));
            return -1;
        }
    }
    rc = stats_write(f, p, fmt, lang);
    if (f != stdout) {
        if (fclose(f) != 0)
            rc = -1;
    } else if (fflush(f) != 0) {
        rc = -1;
    }
    if (rc != 0)
        stats_say("cannot write '%s'", out ? out : "standard output");
    return rc;
}

static const char USAGE[] =
    "usage: umbra-case stats --by DIM[,DIM] [--period month|quarter|year]\n"
    "         [--from DATE] [--to DATE] [--format csv|json|svg|html]\n"
    "         [--out FILE] [--threshold N] [--round N] [--epsilon E]\n"
    "         [--protection W] [--lang L] [--regions FILE] [--sort size|key]\n"
    "         [--audit-budget N] [--publish [--force-recut]]\n"
    "       umbra-case stats merge A.json B.json ... [--format F] [--out "
    "FILE]\n"
    "         [--threshold N] [--round N] [--epsilon E] [--protection W]\n"
    "         [--audit-budget N] [--lang L] [--sort size|key]\n"
    "DIM: period, category, perpetrator, region, lang, needs.\n"
    "DATE: YYYY, YYYY-Qn, YYYY-MM or YYYY-MM-DD (by the day a report was\n"
    "received). Counts are of consenting reports received, protected by\n"
    "default: under --threshold (10) shown as \"<10\", others rounded to\n"
    "--round (5), and audited (GLPK) against every overlapping publication:\n"
    "more cells are hidden until no small count can be narrowed under\n"
    "0..W (--protection, 5), within --audit-budget units of work\n"
    "(20000000; past it nothing is written or published). --publish (the key holder's home only)\n"
    "records the table in the organisation's ledger and refuses a\n"
    "different cut of a period already published; --epsilon adds noise\n"
    "from the period's seed, at most 2 per month in all. Rows come largest\n"
    "first (--sort key: in the order of the codes; periods are in time\n"
    "unless --sort size). See docs/statistics.md.\n";

static int
dim_parse(enum stats_dim *d, const char *s, size_t n)
{
    int i;

    for (i = 0; i < STATS_NDIMS; i++) {
        const char *name = stats_dim_name((enum stats_dim)i);
        if (strlen(name) == n && strncmp(name, s, n) == 0) {
            *d = (enum stats_dim)i;
            return 0;
        }
    }
    return -1;
}

struct opts {
    struct stats_job jb;
    enum stats_format fmt;
    int fmt_set;
    const char *out, *lang, *regions;
    int publish, force;
    unsigned protection;
    unsigned long long audit_budget; /* 0: the default */
    const char *files[STATS_MERGE_MAX];
    unsigned nfiles;
    enum stats_sort sort;
};

enum {
    OPT_HELP = 'h',
    OPT_BY = 'b',
    OPT_PERIOD = 'p',
    OPT_FROM = 'f',
    OPT_TO = 't',
    OPT_FORMAT = 'F',
    OPT_OUT = 'o',
    OPT_THRESHOLD = 'T',
    OPT_ROUND = 'R',
    OPT_EPSILON = 'e',
    OPT_LANG = 'l',
    OPT_REGIONS = 'r',
    OPT_PUBLISH = 'P',
    OPT_FORCE = 'x',
    OPT_SORT = 's',
    OPT_PROTECTION = 'w',
    OPT_BUDGET = 'B',
};

static const struct option OPTS[] = {
    ARGS_FLAG("help", OPT_HELP), ARGS_VALUE("by", OPT_BY),
    ARGS_VALUE("period", OPT_PERIOD), ARGS_VALUE("from", OPT_FROM),
    ARGS_VALUE("to", OPT_TO), ARGS_VALUE("format", OPT_FORMAT),
    ARGS_VALUE("out", OPT_OUT), ARGS_VALUE("threshold", OPT_THRESHOLD),
    ARGS_VALUE("round", OPT_ROUND), ARGS_VALUE("epsilon", OPT_EPSILON),
    ARGS_VALUE("lang", OPT_LANG), ARGS_VALUE("regions", OPT_REGIONS),
    ARGS_FLAG("publish", OPT_PUBLISH), ARGS_FLAG("force-recut", OPT_FORCE),
    ARGS_VALUE("sort", OPT_SORT), ARGS_VALUE("protection", OPT_PROTECTION),
    ARGS_VALUE("audit-budget", OPT_BUDGET), ARGS_LAST,
};

/* 1 if the option with this code is for `stats merge` as well. */
static int
merge_takes(int code)
{
    return code == OPT_HELP || code == OPT_FORMAT || code == OPT_OUT ||
           code == OPT_THRESHOLD || code == OPT_ROUND || code == OPT_LANG ||
           code == OPT_SORT || code == OPT_PROTECTION ||
           code == OPT_EPSILON || code == OPT_BUDGET;
}

/* One option of the cut (not merge) with its value v; 0 or 2 (said). */
static int
cut_opt(struct opts *o, int code, const char *a, const char *v)
{
    if (code == OPT_BY) {
        const char *comma = strchr(v, ',');

        if (dim_parse(&o->jb.dims[0], v,
                      comma ? (size_t)(comma - v) : strlen(v)) != 0 ||
            (comma != NULL &&
             (dim_parse(&o->jb.dims[1], comma + 1, strlen(comma + 1)) != 0 ||
              o->jb.dims[1] == o->jb.dims[0]))) {
            stats_say("bad --by '%s' (one or two of period, category, "
                      "perpetrator, region, lang, needs)",
                      v);
            return 2;
        }
        o->jb.ndims = comma ? 2 : 1;
    } else if (code == OPT_PERIOD) {
        if (!strcmp(v, "month"))
            o->jb.period = STATS_MONTH;
        else if (!strcmp(v, "quarter"))
            o->jb.period = STATS_QUARTER;
        else if (!strcmp(v, "year"))
            o->jb.period = STATS_YEAR;
        else {
            stats_say("bad --period '%s' (month, quarter or year)", v);
            return 2;
        }
    } else if (code == OPT_FROM || code == OPT_TO) {
        long d = stats_parse_bound(v, code == OPT_TO);

        if (d < 0) {
            stats_say("bad %s '%s' (YYYY, YYYY-Qn, YYYY-MM or YYYY-MM-DD)", a,
                      v);
            return 2;
        }
        if (code == OPT_TO)
            o->jb.to = d;
        else
            o->jb.from = d;
    } else if (code == OPT_REGIONS) {
        o->regions = v;
    } else if (code == OPT_PUBLISH) {
        o->publish = 1;
    } else if (code == OPT_FORCE) {
        o->force = 1;
    }
    return 0;
}

/* One option `stats` and `stats merge` share, with its value v; 0 or 2. */
static int
both_opt(struct opts *o, int code, const char *a, const char *v, int quiet)
{
    if (code == OPT_FORMAT) {
        if (parse_format(&o->fmt, v) != 0) {
            stats_say("bad --format '%s' (csv, json, svg or html)", v);
            return 2;
        }
        o->fmt_set = 1;
    } else if (code == OPT_OUT) {
        o->out = v;
    } else if (code == OPT_THRESHOLD || code == OPT_ROUND) {
        unsigned *dst =
            code == OPT_THRESHOLD ? &o->jb.pol.threshold : &o->jb.pol.round;

        if (parse_uint(dst, v, 1,
                       code == OPT_THRESHOLD ? STATS_THRESHOLD_MAX
                                             : STATS_ROUND_MAX) != 0) {
            stats_say("bad %s '%s' (a whole number from 1)", a, v);
            return 2;
        }
    } else if (code == OPT_BUDGET) {
        unsigned long long b = 0;
        const char *q = v;

        for (; *q >= '0' && *q <= '9' && b <= 1000000000000ull; q++)
            b = b * 10 + (unsigned long long)(*q - '0');
        if (*v == '\0' || *q != '\0' || b == 0 || b > 1000000000000ull) {
            stats_say("bad --audit-budget '%s' (a whole number of units of "
                      "work from 1 to 10^12; the default is %llu)",
                      v, STATS_AUDIT_BUDGET_DEFAULT / STATS_WORK_UNIT);
            return 2;
        }
        o->audit_budget = b * STATS_WORK_UNIT;
    } else if (code == OPT_PROTECTION) {
        if (parse_uint(&o->protection, v, 0, STATS_THRESHOLD_MAX) != 0) {
            stats_say("bad --protection '%s' (a whole number: the width a "
                      "hidden small cell's range must keep; 0: no audit)",
                      v);
            return 2;
        }
    } else if (code == OPT_EPSILON) {
        if (parse_epsilon(&o->jb.pol.eps_num, &o->jb.pol.eps_den, v) != 0) {
            stats_say("bad --epsilon '%s' (e.g. 1, 0.5 or 1/2; at most 20)", v);
            return 2;
        }
    } else if (code == OPT_SORT) {
        if (!strcmp(v, "size"))
            o->sort = STATS_SORT_SIZE;
        else if (!strcmp(v, "key"))
            o->sort = STATS_SORT_KEY;
        else {
            stats_say("bad --sort '%s' (size: largest first; key: in the "
                      "order of the codes, periods in time)",
                      v);
            return 2;
        }
    } else if (code == OPT_LANG) {
        o->lang = v;
        if (!stats_lang_known(o->lang) && !quiet)
            stats_say("no catalogue for '%s': labels in English", o->lang);
    }
    return 0;
}

/* Parses options (merge: files allowed, store options refused) with
 * getopt_long, each value as the next word ("--by period"; "--by=period"
 * is not an option here). 0, -100 after --help, or the exit code. */
static int
parse_opts(struct opts *o, int argc, char **argv, int first, int merge,
           int quiet)
{
    struct args a;
    int k, rc;

    memset(o, 0, sizeof *o);
    o->jb.period = STATS_QUARTER;
    o->jb.pol.threshold = 10;
    o->jb.pol.round = 5;
    o->protection = STATS_PROTECTION_DEFAULT;
    o->lang = "en";
    /* argv[first - 1] plays the verb's part: "stats" or "merge" */
    args_init(&a, argc - first + 1, argv + first - 1, OPTS);
    while ((k = args_next(&a)) != ARGS_END) {
        if (k == OPT_HELP || (k == ARGS_BAD && !strcmp(a.arg, "-h"))) {
            if (!quiet)
                fputs(USAGE, stdout);
            return -100;
        }
        if (k == ARGS_WORD && merge && a.val[0] != '-') {
            if (o->nfiles == STATS_MERGE_MAX) {
                stats_say("at most %u files to merge", STATS_MERGE_MAX);
                return 2;
            }
            o->files[o->nfiles++] = a.val;
            continue;
        }
        if (k == ARGS_BAD && strncmp(a.arg, "--", 2) == 0 &&
            strchr(a.arg, '=') == NULL) {
            args_why(&a, k); /* with "did you mean" */
            return 2;
        }
        if (k == ARGS_WORD || k == ARGS_BAD || strchr(a.arg, '=') != NULL) {
            stats_say("%s '%s' is not an option of %s; write options as "
                      "--name VALUE (see --help)",
                      k == ARGS_WORD ? "the word" : "the option", a.arg,
                      merge ? "stats merge" : "stats");
            return 2;
        }
        if (merge && !merge_takes(a.code)) {
            stats_say("%s is for counting, not for stats merge (see --help)",
                      a.arg);
            return 2;
        }
        if (k == ARGS_MISSING) {
            stats_say("%s needs a value; write it as %s VALUE", a.arg, a.arg);
            return 2;
        }
        rc = merge_takes(k) ? both_opt(o, k, a.arg, a.val, quiet)
                            : cut_opt(o, k, a.arg, a.val);
        if (rc != 0)
            return rc;
    }
    if (!o->fmt_set && o->out != NULL) {
        const char *dot = strrchr(o->out, '.');
        if (dot != NULL && parse_format(&o->fmt, dot + 1) == 0)
            o->fmt_set = 1;
    }
    if (!merge && o->jb.ndims == 0) {
        stats_say("--by DIM is required: what to count by (period, "
                  "category, perpetrator, region, lang or needs)");
        return 2;
    }
    if (o->force && !o->publish) {
        stats_say("--force-recut goes with --publish");
        return 2;
    }
    if (!merge && o->jb.from && o->jb.to && o->jb.from > o->jb.to) {
        stats_say("--from is after --to");
        return 2;
    }
    return 0;
}

/* 1 if home is a member home (it has member.json): members draft, only
 * the key holder publishes or makes noise seeds. */
static int
member_home(const char *home)
{
    char path[4096];
    int n;

    if (home == NULL)
        return 0;
    n = snprintf(path, sizeof path, "%s/member.json", home);
    return n > 0 && (size_t)n < sizeof path && access(path, F_OK) == 0;
}

/* The refusals of a publication that is not a re-issue; 0 or 1 (said). */
static int
publish_refused(const struct stats_pub *p, const struct stats_ledger_scan *ls,
                const struct opts *o, const struct stats_audit_res *ar)
{
    uint64_t eps = stats_eps_micro(p->policy.eps_num, p->policy.eps_den);

    if (ls->policy_clash) {
        stats_say("refused: %s to %s was already published on %s by %s%s%s "
                  "with threshold %u, round %u, epsilon %s; the same cut "
                  "with another policy (even only another epsilon) gives "
                  "small counts away and is never published, not even "
                  "with --force-recut",
                  p->from, p->to, ls->pclash_date, ls->pclash.dims[0],
                  ls->pclash.dims[1][0] ? "," : "", ls->pclash.dims[1],
                  ls->pclash.threshold, ls->pclash.round,
                  ls->pclash.epsilon[0] ? ls->pclash.epsilon : "none");
        return 1;
    }
    if (ls->clashes && !o->force) {
        stats_say("refused: %s to %s was already published on %s as %s%s%s "
                  "by %s, %s to %s; another cut of the same cases could "
                  "give small counts away (--force-recut publishes it "
                  "after an audit against every overlapping publication)",
                  p->from, p->to, ls->clash_date, ls->clash.dims[0],
                  ls->clash.dims[1][0] ? "," : "", ls->clash.dims[1],
                  ls->clash.period, ls->clash.from, ls->clash.to);
        return 1;
    }
    if (eps && ls->spent + eps > STATS_EPS_BUDGET) {
        stats_say("refused: the noise budget of %s is spent (epsilon %.2f of "
                  "%.2f already; this table would add %.2f): more noisy "
                  "tables of the same reports would let their noise be "
                  "averaged away",
                  ls->spent_month, (double)ls->spent / 1e6,
                  STATS_EPS_BUDGET / 1e6, (double)eps / 1e6);
        return 1;
    }
    if (ls->nover && (ls->unread || ar->skipped)) {
        stats_say("refused: %zu overlapping publications cannot be read or "
                  "modelled together with this cut, so the re-cut cannot "
                  "be audited against them",
                  ls->unread + ar->skipped);
        return 1;
    }
    return 0;
}

/* What the audit's true point is counted from (struct stats_truth). */
struct truth_src {
    struct store *s;
    const struct stats_regions *rg;
};

/* The true counts of a base table over days from..to: threshold 1 and no
 * rounding, so that no region with a report is folded into "other"; the
 * figures stay in the audit's memory and are never written. 0 or -1. */
static int
truth_count(void *ctx, int ndims, const enum stats_dim *dims, long from,
            long to, struct stats_pub *out)
{
    const struct truth_src *ts = ctx;
    struct stats_job jb;
    int k;

    memset(&jb, 0, sizeof jb);
    jb.ndims = ndims;
    for (k = 0; k < ndims && k < 2; k++)
        jb.dims[k] = dims[k];
    jb.period = STATS_MONTH;
    jb.from = from;
    jb.to = to;
    jb.pol.threshold = 1;
    jb.pol.round = 1;
    jb.rg = ts->rg;
    return stats_count(out, ts->s, &jb);
}

/* `stats` without merge: count, audit, publish if asked, write. */
static int
run_cut(struct store *s, const char *home, struct opts *o)
{
    struct stats_pub p;
    struct stats_regions *rg = NULL;
    struct stats_ledger_scan ls;
    struct stats_audit_res ar;
    struct stats_cut ct;
    const struct stats_pub **over = NULL;
    uint8_t *nkey = NULL;
    int rc = 1, member = member_home(home);
    size_t i;

    memset(&p, 0, sizeof p);
    memset(&ls, 0, sizeof ls);
    memset(&ar, 0, sizeof ar);
    if (s == NULL) {
        stats_say("no case store");
        return 1;
    }
    if (o->publish && member) {
        stats_say("refused: publishing is reserved to the organisation's key "
                  "holder, whose ledger every member's home shares; make a "
                  "draft here (without --publish) and ask the key holder");
        return 1;
    }
    if ((o->jb.dims[0] == STATS_DIM_REGION ||
         (o->jb.ndims == 2 && o->jb.dims[1] == STATS_DIM_REGION)) &&
        stats_regions_find(&rg, o->regions, home) < 0)
        goto out;
    o->jb.rg = rg;
    if (o->jb.from && !o->jb.to) {
        char today[11];
        umbra_today(today);
        o->jb.to = stats_day_of(today);
    }
    if (o->jb.pol.eps_num && (!o->jb.from || !o->jb.to)) {
        stats_say("--epsilon needs --from and --to: the noise of a period "
                  "is drawn from that period's seed in the ledger");
        goto out;
    }
    /* align the bounds to whole periods, so that a figure is never about
     * part of a period without saying so */
    if (o->jb.from)
        o->jb.from = stats_period_day(
            stats_period_of_month(stats_month_index(o->jb.from), o->jb.period),
            o->jb.period, 0);
    if (o->jb.to)
        o->jb.to = stats_period_day(
            stats_period_of_month(stats_month_index(o->jb.to), o->jb.period),
            o->jb.period, 1);
    if (o->jb.pol.eps_num) {
        /* the cut is known before counting: its seeds give the noise */
        p.ndims = o->jb.ndims;
        p.dims[0] = o->jb.dims[0];
        p.dims[1] = o->jb.dims[1];
        p.period = o->jb.period;
        p.policy = o->jb.pol;
        stats_day_str(p.from, o->jb.from);
        stats_day_str(p.to, o->jb.to);
        stats_cut_of(&ct, &p, rg ? rg->hash : "");
        ls.want = &ct;
        nkey = sodium_malloc(32);
        if (nkey == NULL || stats_ledger_find(s, &ls) != 0) {
            stats_say("cannot read the publication ledger");
            goto out;
        }
        if (stats_ledger_noise_key(s, &ls, !member, nkey) != 0)
            goto out;
        o->jb.noise_key = nkey;
    }
    if (stats_count(&p, s, &o->jb) != 0)
        goto out;
    p.protection = o->protection;
    if (!o->jb.pol.eps_num) {
        stats_cut_of(&ct, &p, rg ? rg->hash : "");
        ls.want = &ct;
        if (stats_ledger_find(s, &ls) != 0) {
            stats_say("cannot read the publication ledger");
            goto out;
        }
    }
    if (o->publish && ls.same_table != NULL) {
        char err[200];

        stats_pub_release(&p);
        memset(&p, 0, sizeof p);
        if (stats_parse(&p, ls.same_table, strlen(ls.same_table), err,
                        sizeof err) != 0) {
            stats_say("ledger entry of %s unreadable: %s", ls.same_date, err);
            goto out;
        }
        stats_say("this cut was published on %s: the same figures are issued "
                  "again (new cases since then are not counted)",
                  ls.same_date);
        p.status = "republished";
    } else {
        over = calloc(ls.nover + 1, sizeof *over);
        if (over == NULL)
            goto out;
        for (i = 0; i < ls.nover; i++)
            over[i] = &ls.over[i];
        if (o->publish && publish_refused(&p, &ls, o, &ar))
            goto out;
        {
            struct truth_src ts = {s, rg};
            struct stats_truth tr = {truth_count, &ts};

            if (stats_audit_budget(&p, over, ls.nover, &tr, o->audit_budget,
                                   &ar) != 0) {
                if (ar.over_budget)
                    stats_say("audit: stopped at %llu of %llu units of "
                              "work (%llu simplex iterations; %zu cell "
                              "ranges solved, %zu linear, %zu integer "
                              "solves, %zu searches)",
                              (ar.work + STATS_WORK_UNIT - 1) /
                                  STATS_WORK_UNIT,
                              ar.budget / STATS_WORK_UNIT, ar.iters,
                              ar.checked, ar.lps, ar.mips, ar.seeks);
                goto out;
            }
        }
        if (o->publish && publish_refused(&p, &ls, o, &ar))
            goto out;
        if (ar.checked)
            stats_say("audit: %zu more cells hidden, against %zu tables; "
                      "%zu cell ranges solved (%zu linear, %zu integer "
                      "solves; %zu of %zu searches from the true counts "
                      "found an integer point%s; %llu of %llu units of "
                      "work, %llu simplex iterations) in %.2f s",
                      ar.hidden, ar.tables, ar.checked, ar.lps, ar.mips,
                      ar.found, ar.seeks,
                      ar.tables > 1 && !ar.truth ? ", no true point" : "",
                      (ar.work + STATS_WORK_UNIT - 1) / STATS_WORK_UNIT,
                      ar.budget / STATS_WORK_UNIT, ar.iters, ar.seconds);
        if (o->publish) {
            p.status = ls.clashes ? "published-forced" : "published";
            if (stats_ledger_record(s, &ct, &p, ls.clashes != 0) != 0) {
                stats_say("cannot record the publication in the ledger");
                goto out;
            }
        }
    }
    if (!o->fmt_set)
        o->fmt = STATS_CSV;
    if (emit(&p, o->fmt, o->lang, o->out, o->sort) != 0)
        goto out;
    rc = 0;
out:
    free(over);
    stats_ledger_done(&ls);
    if (nkey != NULL)
        sodium_free(nkey);
    stats_pub_release(&p);
    free(rg);
    return rc;
}

/* `stats merge`: merge the exports, write the sum. */
static int
run_merge(struct opts *o)
{
    struct stats_pub m;
    int rc;

    rc = stats_merge(&m, o->files, o->nfiles, &o->jb.pol, o->protection,
                     o->audit_budget);
    if (rc != 0)
        return rc;
    if (!o->fmt_set)
        o->fmt = STATS_JSON;
    rc = emit(&m, o->fmt, o->lang, o->out, o->sort) != 0 ? 1 : 0;
    stats_pub_release(&m);
    return rc;
}

int
stats_run(struct store *s, const char *home, int argc, char **argv)
{
    struct opts *o = calloc(1, sizeof *o);
    int rc;

    if (o == NULL) {
        stats_say("out of memory");
        return 1;
    }
    if (argc >= 2 && !strcmp(argv[1], "merge")) {
        rc = parse_opts(o, argc, argv, 2, 1, 0);
        if (rc == 0)
            rc = run_merge(o);
    } else {
        rc = parse_opts(o, argc, argv, 1, 0, 0);
        if (rc == 0)
            rc = run_cut(s, home, o);
    }
    free(o);
    if (rc == 2)
        fputs(USAGE, stderr); /* after the one line saying what is wrong */
    return rc == -100 ? 0 : rc;
}

int
stats_args_ok(int argc, char **argv)
{
    struct opts *o = calloc(1, sizeof *o);
    int rc;

    if (o == NULL) {
        stats_say("out of memory");
        return 1;
    }
    rc = argc >= 2 && !strcmp(argv[1], "merge")
             ? parse_opts(o, argc, argv, 2, 1, 1)
             : parse_opts(o, argc, argv, 1, 0, 1);
    free(o);
    if (rc == 2)
        fputs(USAGE, stderr);
    return rc == -100 ? 0 : rc;
}

int
stats_main(struct store *s, int argc, char **argv)
{
    return stats_run(s, NULL, argc, argv);
}
