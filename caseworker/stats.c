/*
 * stats: `umbra-case stats` and `umbra-case stats merge` (see stats.h).
 *
 * Counting is one pass over store_facts_each into a raw grid indexed by
 * raw keys (months from STATS_FIRST_YEAR, every category code, every
 * country code, ...); the raw grid is then folded into the published
 * rows and columns (periods, small regions into "other"), noise is added
 * if asked, and stats_protect applies the disclosure rules. Only the
 * protected table (struct stats_pub) is written anywhere.
 */
#include "stats.h"
#include "store.h"
#include "umbra.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <jansson.h>

#define LEDGER_KEY "stats.publication"
#define REGIONS_MAX_GROUPS 64u
#define REGIONS_MAX_ENTRIES 1024u
#define REGIONS_FILE_MAX (256u * 1024u)
#define LANG_SLOTS 1024u

static void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#include <stdarg.h>

static void
say(const char *fmt, ...)
{
    va_list ap;

    fputs("umbra-case: stats: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

/* ---- small parsers --------------------------------------------------- */

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
days_in_month(int y, int m)
{
    static const int dm[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;

    return m == 2 && leap ? 29 : dm[m - 1];
}

static int
digits(const char *s, int n)
{
    int v = 0, i;

    for (i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    return v;
}

/* YYYY-MM-DD into y*10000+m*100+d, or -1. */
static long
day_of(const char *s)
{
    int y, m, d;

    if (strlen(s) != 10 || s[4] != '-' || s[7] != '-')
        return -1;
    y = digits(s, 4);
    m = digits(s + 5, 2);
    d = digits(s + 8, 2);
    if (y < STATS_FIRST_YEAR || y > STATS_LAST_YEAR || m < 1 || m > 12 ||
        d < 1 || d > days_in_month(y, m))
        return -1;
    return (long)y * 10000 + m * 100 + d;
}

/* --from / --to: YYYY, YYYY-Qn, YYYY-MM or YYYY-MM-DD; the first day
 * (end = 0) or the last day (end = 1) it names. */
static long
parse_bound(const char *s, int end)
{
    size_t len = strlen(s);
    int y, m1, m2, d;

    if (len < 4 || (y = digits(s, 4)) < STATS_FIRST_YEAR || y > STATS_LAST_YEAR)
        return -1;
    if (len == 4) {
        m1 = 1;
        m2 = 12;
    } else if (len == 7 && s[4] == '-' && (s[5] == 'Q' || s[5] == 'q') &&
               s[6] >= '1' && s[6] <= '4') {
        m1 = (s[6] - '1') * 3 + 1;
        m2 = m1 + 2;
    } else if (len == 7 && s[4] == '-') {
        m1 = m2 = digits(s + 5, 2);
        if (m1 < 1 || m1 > 12)
            return -1;
    } else if (len == 10) {
        return day_of(s);
    } else {
        return -1;
    }
    d = end ? days_in_month(y, m2) : 1;
    return (long)y * 10000 + (end ? m2 : m1) * 100 + d;
}

static void
day_str(char out[11], long day)
{
    unsigned long d = (unsigned long)day;

    snprintf(out, 11, "%04lu-%02lu-%02lu", d / 10000 % 10000, d / 100 % 100,
             d % 100);
}

/* ---- periods --------------------------------------------------------- */

static int
month_index(long day)
{
    return (int)((day / 10000 - STATS_FIRST_YEAR) * 12 + day / 100 % 100 - 1);
}

static int
period_of_month(int mi, enum stats_period per)
{
    return per == STATS_MONTH ? mi : per == STATS_QUARTER ? mi / 3 : mi / 12;
}

static void
period_key(char *out, size_t cap, int pi, enum stats_period per)
{
    if (per == STATS_MONTH)
        snprintf(out, cap, "%04d-%02d", STATS_FIRST_YEAR + pi / 12,
                 pi % 12 + 1);
    else if (per == STATS_QUARTER)
        snprintf(out, cap, "%04d-Q%d", STATS_FIRST_YEAR + pi / 4, pi % 4 + 1);
    else
        snprintf(out, cap, "%04d", STATS_FIRST_YEAR + pi);
}

/* first day (end = 0) or last day (end = 1) of period pi */
static long
period_day(int pi, enum stats_period per, int end)
{
    int mi = per == STATS_MONTH ? pi : per == STATS_QUARTER ? pi * 3 : pi * 12;
    int span = per == STATS_MONTH ? 1 : per == STATS_QUARTER ? 3 : 12;
    int y, m;

    if (end)
        mi += span - 1;
    y = STATS_FIRST_YEAR + mi / 12;
    m = mi % 12 + 1;
    return (long)y * 10000 + m * 100 + (end ? days_in_month(y, m) : 1);
}

/* ---- region groups (an organisation's config file) ------------------- */

struct regions {
    unsigned ngroups;
    char group[REGIONS_MAX_GROUPS][STATS_KEY_MAX];
    unsigned nentries;
    struct {
        char country[3];
        char region[64]; /* "" = the whole country */
        unsigned group;
    } e[REGIONS_MAX_ENTRIES];
    signed char by_country[26 * 26]; /* group of a whole country, or -1 */
    int has_sub;                     /* some entries name a region */
    char hash[17];                   /* of the file, for the ledger */
};

static char *
trim(char *s)
{
    char *e;

    while (*s == ' ' || *s == '\t')
        s++;
    e = s + strlen(s);
    while (e > s &&
           (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r' || e[-1] == '\n'))
        *--e = '\0';
    return s;
}

static int
key_ok(const char *s)
{
    size_t n = strlen(s), i;

    if (n == 0 || n >= STATS_KEY_MAX)
        return 0;
    for (i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x20 || c == 0x7f || c == '<' || c == '>' || c == '&' ||
            c == '"' || c == ',' || c == '=')
            return 0;
    }
    return 1;
}

/*
 * Reads "NAME = CC, CC/Region name, ..." lines ('#' comments) into *r.
 * Prints its error; 0 or -1.
 */
static int
regions_load(struct regions *r, const char *path)
{
    FILE *f = NULL;
    char line[4096];
    unsigned lineno = 0, i;
    uint64_t h = 14695981039346656037ull;
    int rc = -1;

    memset(r, 0, sizeof *r);
    memset(r->by_country, -1, sizeof r->by_country);
    f = fopen(path, "r");
    if (f == NULL) {
        say("cannot open region groups '%s': %s", path, strerror(errno));
        return -1;
    }
    while (fgets(line, sizeof line, f) != NULL) {
        char *eq, *name, *list, *item, *next;
        const char *c;

        lineno++;
        for (c = line; *c; c++)
            h = (h ^ (unsigned char)*c) * 1099511628211ull;
        if (strchr(line, '\n') == NULL && !feof(f)) {
            say("'%s' line %u: too long", path, lineno);
            goto out;
        }
        name = trim(line);
        if (*name == '#' || *name == '\0')
            continue;
        eq = strchr(name, '=');
        if (eq == NULL) {
            say("'%s' line %u: expected NAME = CC, CC/Region", path, lineno);
            goto out;
        }
        *eq = '\0';
        list = eq + 1;
        name = trim(name);
        if (!key_ok(name) || !strcmp(name, "other") ||
            !strcmp(name, "unknown") || !strcmp(name, "total")) {
            say("'%s' line %u: bad group name", path, lineno);
            goto out;
        }
        if (r->ngroups == REGIONS_MAX_GROUPS) {
            say("'%s': more than %u groups", path, REGIONS_MAX_GROUPS);
            goto out;
        }
        snprintf(r->group[r->ngroups], STATS_KEY_MAX, "%s", name);
        for (item = list; item != NULL; item = next) {
            char *slash, *it;

            next = strchr(item, ',');
            if (next != NULL)
                *next++ = '\0';
            it = trim(item);
            if (*it == '\0')
                continue;
            slash = strchr(it, '/');
            if (slash != NULL)
                *slash = '\0';
            if (strlen(it) != 2 || it[0] < 'A' || it[0] > 'Z' || it[1] < 'A' ||
                it[1] > 'Z' || r->nentries == REGIONS_MAX_ENTRIES ||
                (slash != NULL && (strlen(trim(slash + 1)) == 0 ||
                                   strlen(trim(slash + 1)) >= 64))) {
                say("'%s' line %u: bad entry '%s' (want CC or CC/Region)", path,
                    lineno, it);
                goto out;
            }
            i = r->nentries++;
            memcpy(r->e[i].country, it, 3);
            r->e[i].group = r->ngroups;
            if (slash != NULL) {
                snprintf(r->e[i].region, 64, "%s", trim(slash + 1));
                r->has_sub = 1;
            } else {
                r->by_country[(it[0] - 'A') * 26 + (it[1] - 'A')] =
                    (signed char)r->ngroups;
            }
        }
        r->ngroups++;
    }
    if (ferror(f)) {
        say("cannot read '%s'", path);
        goto out;
    }
    if (r->ngroups == 0) {
        say("'%s' defines no region group", path);
        goto out;
    }
    snprintf(r->hash, sizeof r->hash, "%016" PRIx64, h);
    rc = 0;
out:
    fclose(f);
    return rc;
}

/* group of a case, or -1 */
static int
regions_group(const struct regions *r, const struct case_facts *f)
{
    unsigned i;

    if (f->country[0] < 'A' || f->country[0] > 'Z' || f->country[1] < 'A' ||
        f->country[1] > 'Z' || f->country[2] != '\0')
        return -1;
    if (r->has_sub && f->region[0] != '\0')
        for (i = 0; i < r->nentries; i++)
            if (r->e[i].region[0] != '\0' &&
                r->e[i].country[0] == f->country[0] &&
                r->e[i].country[1] == f->country[1] &&
                strcasecmp(r->e[i].region, f->region) == 0)
                return (int)r->e[i].group;
    return r->by_country[(f->country[0] - 'A') * 26 + (f->country[1] - 'A')];
}

/* ---- counting --------------------------------------------------------- */

#define RAW_COUNTRIES (26 * 26)

struct counter {
    int ndims;
    enum stats_dim dims[2];
    long from, to; /* day bounds, 0 when open */
    const struct regions *rg;
    size_t nraw[2];
    uint64_t *cells; /* nraw[0] * nraw[1], 2 dims only */
    uint64_t *tot[2];
    uint64_t grand;
    /* languages seen: open addressing on the tag */
    char (*lang)[36];
    unsigned nlang;
    uint16_t slot[LANG_SLOTS];
    uint64_t nonconsent, bad;
    long min_day, max_day;
};

/* raw key count of a dimension */
static size_t
raw_size(enum stats_dim d, const struct regions *rg)
{
    switch (d) {
    case STATS_DIM_PERIOD:
        return STATS_NMONTHS;
    case STATS_DIM_CATEGORY:
        return FACTS_NCATEGORIES + 1; /* + not-stated */
    case STATS_DIM_PERPETRATOR:
        return FACTS_NPERPETRATORS + 1;
    case STATS_DIM_NEEDS:
        return FACTS_NNEEDS + 1;
    case STATS_DIM_REGION:
        return (rg != NULL ? rg->ngroups : RAW_COUNTRIES) +
               2; /* other, unknown */
    case STATS_DIM_LANG:
        return STATS_DYN_KEYS + 2;
    default:
        return 1;
    }
}

static int
lang_ok(const char *s)
{
    size_t i, n = strlen(s);

    if (n == 0 || n > 35)
        return 0;
    for (i = 0; i < n; i++)
        if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') ||
              (s[i] >= '0' && s[i] <= '9') || s[i] == '-'))
            return 0;
    return 1;
}

static size_t
lang_index(struct counter *c, const char *tag)
{
    uint32_t h = 2166136261u;
    const char *p;
    unsigned k;

    if (tag[0] == '\0')
        return STATS_DYN_KEYS + 1; /* unknown */
    if (!lang_ok(tag))
        return STATS_DYN_KEYS; /* other */
    for (p = tag; *p; p++)
        h = (h ^ (unsigned char)*p) * 16777619u;
    for (k = 0; k < LANG_SLOTS; k++) {
        unsigned sl = (h + k) & (LANG_SLOTS - 1);

        if (c->slot[sl] == 0) {
            if (c->nlang == STATS_DYN_KEYS)
                return STATS_DYN_KEYS;
            snprintf(c->lang[c->nlang], 36, "%s", tag);
            c->slot[sl] = (uint16_t)(++c->nlang);
            return c->nlang - 1;
        }
        if (strcmp(c->lang[c->slot[sl] - 1], tag) == 0)
            return c->slot[sl] - 1u;
    }
    return STATS_DYN_KEYS;
}

/* The raw keys of a case in dimension d into idx (room for 16). */
static size_t
raw_keys(struct counter *c, enum stats_dim d, const struct case_facts *f,
         long day, size_t idx[16])
{
    size_t n = 0, i;

    switch (d) {
    case STATS_DIM_PERIOD:
        idx[n++] = (size_t)month_index(day);
        break;
    case STATS_DIM_CATEGORY:
        for (i = 0; i < FACTS_NCATEGORIES; i++)
            if (f->categories & (1u << i))
                idx[n++] = i;
        if (n == 0)
            idx[n++] = FACTS_NCATEGORIES;
        break;
    case STATS_DIM_NEEDS:
        for (i = 0; i < FACTS_NNEEDS; i++)
            if (f->needs & (1u << i))
                idx[n++] = i;
        if (n == 0)
            idx[n++] = FACTS_NNEEDS;
        break;
    case STATS_DIM_PERPETRATOR:
        idx[n++] = f->perpetrator >= 0 && f->perpetrator < FACTS_NPERPETRATORS
                       ? (size_t)f->perpetrator
                       : FACTS_NPERPETRATORS;
        break;
    case STATS_DIM_REGION:
        if (c->rg != NULL) {
            int g = regions_group(c->rg, f);
            idx[n++] = g >= 0                  ? (size_t)g
                       : f->country[0] == '\0' ? c->rg->ngroups + 1u
                                               : c->rg->ngroups;
        } else if (f->country[0] == '\0') {
            idx[n++] = RAW_COUNTRIES + 1;
        } else if (f->country[0] >= 'A' && f->country[0] <= 'Z' &&
                   f->country[1] >= 'A' && f->country[1] <= 'Z' &&
                   f->country[2] == '\0') {
            idx[n++] =
                (size_t)((f->country[0] - 'A') * 26 + (f->country[1] - 'A'));
        } else {
            idx[n++] = RAW_COUNTRIES;
        }
        break;
    case STATS_DIM_LANG:
        idx[n++] = lang_index(c, f->lang);
        break;
    default:
        idx[n++] = 0;
    }
    return n;
}

static int
count_cb(void *ctx, const struct case_facts *f)
{
    struct counter *c = ctx;
    size_t a[16], b[16], na, nb = 1, i, j;
    long day;

    if (f->consent_statistics != 1) {
        c->nonconsent++;
        return 0;
    }
    day = day_of(f->received);
    if (day < 0) {
        c->bad++;
        return 0;
    }
    if ((c->from && day < c->from) || (c->to && day > c->to))
        return 0;
    if (day < c->min_day || c->min_day == 0)
        c->min_day = day;
    if (day > c->max_day)
        c->max_day = day;
    na = raw_keys(c, c->dims[0], f, day, a);
    for (i = 0; i < na; i++)
        c->tot[0][a[i]]++;
    if (c->ndims == 2) {
        nb = raw_keys(c, c->dims[1], f, day, b);
        for (j = 0; j < nb; j++)
            c->tot[1][b[j]]++;
        for (i = 0; i < na; i++)
            for (j = 0; j < nb; j++)
                c->cells[a[i] * c->nraw[1] + b[j]]++;
    }
    c->grand++;
    return 0;
}

/* ---- from counts to a published table -------------------------------- */

void
stats_pub_release(struct stats_pub *p)
{
    free(p->rowkeys);
    free(p->colkeys);
    free(p->grid);
    p->rowkeys = p->colkeys = NULL;
    p->grid = NULL;
}

int
stats_pub_alloc(struct stats_pub *p, size_t nrows, size_t ncols)
{
    if (nrows == 0 || nrows > STATS_MAX_KEYS || ncols > STATS_MAX_KEYS)
        return -1;
    p->nrows = nrows;
    p->ncols = ncols;
    p->rowkeys = calloc(nrows, STATS_KEY_MAX);
    p->colkeys = calloc(ncols ? ncols : 1, STATS_KEY_MAX);
    p->grid = calloc((nrows + 1) * (ncols + 1), sizeof *p->grid);
    if (p->rowkeys == NULL || p->colkeys == NULL || p->grid == NULL) {
        stats_pub_release(p);
        return -1;
    }
    return 0;
}

static int
dim_multi(enum stats_dim d)
{
    return d == STATS_DIM_CATEGORY || d == STATS_DIM_NEEDS;
}

static unsigned
dim_maxkeys(enum stats_dim d)
{
    return d == STATS_DIM_CATEGORY ? FACTS_NCATEGORIES
           : d == STATS_DIM_NEEDS  ? FACTS_NNEEDS
                                   : 1;
}

static int
cmp_key(const void *a, const void *b)
{
    return strcmp((const char *)a, (const char *)b);
}

/*
 * The published keys of dimension k and the map raw -> published index
 * (SIZE_MAX: left out). Keys whose own total is under the threshold in an
 * open-ended dimension (countries, languages) are folded into "other", so
 * that the list of rows never tells that a few reports came from one
 * place. 0 or -1.
 */
static int
fold_dim(struct counter *c, int k, enum stats_period per, unsigned threshold,
         char (**keys)[STATS_KEY_MAX], size_t *nkeys, size_t **map)
{
    enum stats_dim d = c->dims[k];
    size_t n = c->nraw[k], i, nk = 0;
    char(*ks)[STATS_KEY_MAX] = NULL;
    size_t *m = NULL;

    m = malloc(n * sizeof *m);
    ks = calloc(n + 2 < STATS_MAX_KEYS ? n + 2 : STATS_MAX_KEYS, STATS_KEY_MAX);
    if (m == NULL || ks == NULL)
        goto fail;
    for (i = 0; i < n; i++)
        m[i] = SIZE_MAX;
    switch (d) {
    case STATS_DIM_PERIOD: {
        int p0 = period_of_month(month_index(c->from), per);
        int p1 = period_of_month(month_index(c->to), per);
        int pi;

        if (p1 - p0 + 1 > (int)STATS_MAX_KEYS) {
            say("too many periods (at most %u)", STATS_MAX_KEYS);
            goto fail;
        }
        for (pi = p0; pi <= p1; pi++)
            period_key(ks[nk++], STATS_KEY_MAX, pi, per);
        for (i = 0; i < n; i++) {
            int pp = period_of_month((int)i, per);
            if (pp >= p0 && pp <= p1)
                m[i] = (size_t)(pp - p0);
        }
        break;
    }
    case STATS_DIM_CATEGORY:
    case STATS_DIM_NEEDS:
    case STATS_DIM_PERPETRATOR: {
        const char *const *codes = d == STATS_DIM_CATEGORY ? FACTS_CATEGORIES
                                   : d == STATS_DIM_NEEDS  ? FACTS_NEEDS
                                                           : FACTS_PERPETRATORS;
        for (i = 0; i + 1 < n; i++) {
            snprintf(ks[nk], STATS_KEY_MAX, "%s", codes[i]);
            m[i] = nk++;
        }
        snprintf(ks[nk], STATS_KEY_MAX, "%s", "not-stated");
        m[n - 1] = nk++;
        break;
    }
    case STATS_DIM_REGION:
    case STATS_DIM_LANG: {
        size_t nnamed = n - 2, other, j;

        if (d == STATS_DIM_REGION && c->rg != NULL) {
            for (i = 0; i < nnamed; i++) {
                snprintf(ks[nk], STATS_KEY_MAX, "%s", c->rg->group[i]);
                m[i] = nk++;
            }
        } else {
            /* named keys big enough on their own, sorted */
            for (i = 0; i < nnamed; i++) {
                if (c->tot[k][i] < threshold || c->tot[k][i] == 0)
                    continue;
                if (d == STATS_DIM_REGION)
                    snprintf(ks[nk++], STATS_KEY_MAX, "%c%c",
                             (char)('A' + i / 26), (char)('A' + i % 26));
                else
                    snprintf(ks[nk++], STATS_KEY_MAX, "%s", c->lang[i]);
            }
            qsort(ks, nk, STATS_KEY_MAX, cmp_key);
            for (i = 0; i < nnamed; i++) {
                char key[STATS_KEY_MAX];

                if (c->tot[k][i] < threshold || c->tot[k][i] == 0)
                    continue;
                if (d == STATS_DIM_REGION)
                    snprintf(key, sizeof key, "%c%c", (char)('A' + i / 26),
                             (char)('A' + i % 26));
                else
                    snprintf(key, sizeof key, "%s", c->lang[i]);
                for (j = 0; j < nk; j++)
                    if (strcmp(ks[j], key) == 0)
                        m[i] = j;
            }
        }
        other = nk;
        snprintf(ks[nk++], STATS_KEY_MAX, "%s", "other");
        snprintf(ks[nk++], STATS_KEY_MAX, "%s", "unknown");
        for (i = 0; i < nnamed; i++)
            if (m[i] == SIZE_MAX)
                m[i] = other;
        m[n - 2] = other;
        m[n - 1] = other + 1;
        break;
    }
    default:
        goto fail;
    }
    *keys = ks;
    *nkeys = nk;
    *map = m;
    return 0;
fail:
    free(m);
    free(ks);
    return -1;
}

struct job {
    int ndims;
    enum stats_dim dims[2];
    enum stats_period period;
    long from, to; /* 0 when not given */
    struct stats_policy pol;
    const struct regions *rg;
};

/* Adds noise to every entry (entries stay >= 0). */
static int
add_noise(struct stats_pub *p)
{
    size_t n = (p->nrows + 1) * (p->ncols + 1), i;
    uint64_t t = (uint64_t)p->policy.eps_den * p->sensitivity;

    for (i = 0; i < n; i++) {
        int64_t z;

        if (stats_dlaplace(&z, p->policy.eps_num, t) != 0)
            return -1;
        if (z < 0 && (uint64_t)(-z) >= p->grid[i].v)
            p->grid[i].v = 0;
        else
            p->grid[i].v = (uint64_t)((int64_t)p->grid[i].v + z);
    }
    return 0;
}

/*
 * Counts the store's consenting cases for job into *p (protected and
 * ready to publish). Prints its errors. 0 or -1.
 */
static int
make_table(struct stats_pub *p, struct store *s, const struct job *jb)
{
    struct counter c;
    char(*keys[2])[STATS_KEY_MAX] = {NULL, NULL};
    size_t nkeys[2] = {0, 0}, *map[2] = {NULL, NULL}, a, b;
    int rc = -1, k;

    memset(&c, 0, sizeof c);
    memset(p, 0, sizeof *p);
    c.ndims = jb->ndims;
    c.dims[0] = jb->dims[0];
    c.dims[1] = jb->dims[1];
    c.from = jb->from;
    c.to = jb->to;
    c.rg = jb->rg;
    c.nraw[1] = 1;
    for (k = 0; k < jb->ndims; k++) {
        c.nraw[k] = raw_size(jb->dims[k], jb->rg);
        c.tot[k] = calloc(c.nraw[k], sizeof(uint64_t));
        if (c.tot[k] == NULL)
            goto nomem;
    }
    if (jb->ndims == 2) {
        c.cells = calloc(c.nraw[0] * c.nraw[1], sizeof(uint64_t));
        if (c.cells == NULL)
            goto nomem;
    }
    c.lang = calloc(STATS_DYN_KEYS, sizeof *c.lang);
    if (c.lang == NULL)
        goto nomem;
    if (store_facts_each(s, count_cb, &c) != 0) {
        say("cannot read the case store");
        goto out;
    }
    if (c.bad)
        say("%" PRIu64 " consenting cases have no usable received date and "
            "are left out",
            c.bad);
    if (c.from == 0 || c.to == 0) {
        if (c.grand == 0) {
            say("no consenting case to count (give --from and --to for an "
                "empty period)");
            goto out;
        }
        if (c.from == 0)
            c.from =
                period_day(period_of_month(month_index(c.min_day), jb->period),
                           jb->period, 0);
        if (c.to == 0)
            c.to =
                period_day(period_of_month(month_index(c.max_day), jb->period),
                           jb->period, 1);
    }
    for (k = 0; k < jb->ndims; k++)
        if (fold_dim(&c, k, jb->period, jb->pol.threshold, &keys[k], &nkeys[k],
                     &map[k]) != 0)
            goto out;
    p->ndims = jb->ndims;
    p->dims[0] = jb->dims[0];
    p->dims[1] = jb->dims[1];
    p->period = jb->period;
    p->policy = jb->pol;
    day_str(p->from, c.from);
    day_str(p->to, c.to);
    umbra_today(p->exported);
    if (stats_pub_alloc(p, nkeys[0], jb->ndims == 2 ? nkeys[1] : 0) != 0)
        goto nomem;
    memcpy(p->rowkeys, keys[0], nkeys[0] * STATS_KEY_MAX);
    if (jb->ndims == 2)
        memcpy(p->colkeys, keys[1], nkeys[1] * STATS_KEY_MAX);
    /* fold raw counts: totals from their own counts, never from cells */
    for (a = 0; a < c.nraw[0]; a++) {
        size_t fa = map[0][a];

        if (fa == SIZE_MAX)
            continue;
        p->grid[stats_at(p, fa, p->ncols)].v += c.tot[0][a];
        if (jb->ndims == 2)
            for (b = 0; b < c.nraw[1]; b++)
                if (map[1][b] != SIZE_MAX)
                    p->grid[stats_at(p, fa, map[1][b])].v +=
                        c.cells[a * c.nraw[1] + b];
    }
    if (jb->ndims == 2)
        for (b = 0; b < c.nraw[1]; b++)
            if (map[1][b] != SIZE_MAX)
                p->grid[stats_at(p, p->nrows, map[1][b])].v += c.tot[1][b];
    p->grid[stats_at(p, p->nrows, p->ncols)].v = c.grand;
    p->multi =
        dim_multi(jb->dims[0]) || (jb->ndims == 2 && dim_multi(jb->dims[1]));
    {
        unsigned k0 = dim_maxkeys(jb->dims[0]);
        unsigned k1 = jb->ndims == 2 ? dim_maxkeys(jb->dims[1]) : 0;
        p->sensitivity = jb->ndims == 2 ? k0 * k1 + k0 + k1 + 1 : k0 + 1;
    }
    if (p->policy.eps_num != 0 && add_noise(p) != 0) {
        say("noise sampler failed");
        goto out;
    }
    stats_protect(p);
    p->status = "draft";
    rc = 0;
    goto out;
nomem:
    say("out of memory");
out:
    if (rc != 0)
        stats_pub_release(p);
    for (k = 0; k < 2; k++) {
        free(keys[k]);
        free(map[k]);
        free(c.tot[k]);
    }
    free(c.cells);
    free(c.lang);
    return rc;
}

/* ---- the publication ledger ------------------------------------------ */

struct cut {
    char dims[2][16]; /* sorted names, "" for none */
    char period[8];
    char from[11], to[11];
    unsigned threshold, round;
    char epsilon[24];
    char regions[17];
};

static void
cut_of(struct cut *ct, const struct stats_pub *p, const char *regions)
{
    const char *a = stats_dim_name(p->dims[0]);
    const char *b = p->ndims == 2 ? stats_dim_name(p->dims[1]) : "";

    memset(ct, 0, sizeof *ct);
    if (p->ndims == 2 && strcmp(b, a) < 0) {
        const char *t = a;
        a = b;
        b = t;
    }
    snprintf(ct->dims[0], sizeof ct->dims[0], "%s", a);
    snprintf(ct->dims[1], sizeof ct->dims[1], "%s", b);
    snprintf(ct->period, sizeof ct->period, "%s", stats_period_name(p->period));
    memcpy(ct->from, p->from, 11);
    memcpy(ct->to, p->to, 11);
    ct->threshold = p->policy.threshold;
    ct->round = p->policy.round;
    if (p->policy.eps_num)
        snprintf(ct->epsilon, sizeof ct->epsilon, "%" PRIu32 "/%" PRIu32,
                 p->policy.eps_num, p->policy.eps_den);
    snprintf(ct->regions, sizeof ct->regions, "%s", regions);
}

static json_t *
cut_json(const struct cut *ct)
{
    return json_pack("{s:[s,s], s:s, s:s, s:s, s:i, s:i, s:s, s:s}", "dims",
                     ct->dims[0], ct->dims[1], "period", ct->period, "from",
                     ct->from, "to", ct->to, "threshold",
                     (json_int_t)ct->threshold, "round", (json_int_t)ct->round,
                     "epsilon", ct->epsilon, "regions", ct->regions);
}

static int
cut_parse(struct cut *ct, json_t *j)
{
    const char *d0, *d1, *per, *from, *to, *eps, *rg;
    json_int_t th, ro;

    memset(ct, 0, sizeof *ct);
    if (json_unpack(j, "{s:[s,s], s:s, s:s, s:s, s:I, s:I, s:s, s:s}", "dims",
                    &d0, &d1, "period", &per, "from", &from, "to", &to,
                    "threshold", &th, "round", &ro, "epsilon", &eps, "regions",
                    &rg) != 0)
        return -1;
    snprintf(ct->dims[0], sizeof ct->dims[0], "%s", d0);
    snprintf(ct->dims[1], sizeof ct->dims[1], "%s", d1);
    snprintf(ct->period, sizeof ct->period, "%s", per);
    snprintf(ct->from, sizeof ct->from, "%s", from);
    snprintf(ct->to, sizeof ct->to, "%s", to);
    ct->threshold = (unsigned)th;
    ct->round = (unsigned)ro;
    snprintf(ct->epsilon, sizeof ct->epsilon, "%s", eps);
    snprintf(ct->regions, sizeof ct->regions, "%s", rg);
    return 0;
}

static int
cut_same(const struct cut *a, const struct cut *b)
{
    return !strcmp(a->dims[0], b->dims[0]) && !strcmp(a->dims[1], b->dims[1]) &&
           !strcmp(a->period, b->period) && !strcmp(a->from, b->from) &&
           !strcmp(a->to, b->to) && a->threshold == b->threshold &&
           a->round == b->round && !strcmp(a->epsilon, b->epsilon) &&
           !strcmp(a->regions, b->regions);
}

static int
cut_overlap(const struct cut *a, const struct cut *b)
{
    return !(strcmp(a->to, b->from) < 0 || strcmp(b->to, a->from) < 0);
}

struct ledger_scan {
    const struct cut *want;
    char *same_table; /* JSON of a publication of the same cut (malloc'd) */
    char same_date[11];
    struct cut clash;
    char clash_date[11];
    int clashes;
};

static int
ledger_cb(void *ctx, const char *key, const char *value)
{
    struct ledger_scan *ls = ctx;
    json_t *j = NULL, *jt;
    struct cut ct;
    const char *date = "";

    if (strcmp(key, LEDGER_KEY) != 0)
        return 0;
    j = json_loads(value, 0, NULL);
    if (j == NULL || cut_parse(&ct, json_object_get(j, "cut")) != 0) {
        json_decref(j);
        return 0; /* an entry we cannot read never blocks, but is kept */
    }
    jt = json_object_get(j, "date");
    if (json_is_string(jt))
        date = json_string_value(jt);
    if (cut_same(&ct, ls->want)) {
        jt = json_object_get(j, "table");
        if (json_is_object(jt) && ls->same_table == NULL) {
            ls->same_table = json_dumps(jt, JSON_COMPACT);
            snprintf(ls->same_date, sizeof ls->same_date, "%s", date);
        }
    } else if (cut_overlap(&ct, ls->want)) {
        if (ls->clashes++ == 0) {
            ls->clash = ct;
            snprintf(ls->clash_date, sizeof ls->clash_date, "%s", date);
        }
    }
    json_decref(j);
    return 0;
}

static int
ledger_record(struct store *s, const struct cut *ct, const struct stats_pub *p,
              int forced)
{
    json_t *j = NULL, *tbl = NULL;
    char *table = NULL, *val = NULL;
    char today[11];
    int rc = -1;

    umbra_today(today);
    table = stats_json(p);
    if (table == NULL || (tbl = json_loads(table, 0, NULL)) == NULL)
        goto out;
    j = json_pack("{s:o, s:s, s:b, s:o}", "cut", cut_json(ct), "date", today,
                  "forced", forced, "table", tbl);
    tbl = NULL;
    if (j == NULL || (val = json_dumps(j, JSON_COMPACT)) == NULL)
        goto out;
    rc = store_ledger_add(s, LEDGER_KEY, val) == 0 ? 0 : -1;
out:
    json_decref(tbl);
    json_decref(j);
    free(table);
    free(val);
    return rc;
}

/* ---- output ---------------------------------------------------------- */

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
emit(const struct stats_pub *p, enum stats_format fmt, const char *lang,
     const char *out)
{
    FILE *f = stdout;
    int rc;

    if (out != NULL && strcmp(out, "-") != 0) {
        f = fopen(out, "w");
        if (f == NULL) {
            say("cannot write '%s': %s", out, strerror(errno));
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
        say("cannot write '%s'", out ? out : "standard output");
    return rc;
}

/* ---- command line ---------------------------------------------------- */

static const char USAGE[] =
    "usage: umbra-case stats --by DIM[,DIM] [--period month|quarter|year]\n"
    "         [--from DATE] [--to DATE] [--format csv|json|svg|html]\n"
    "         [--out FILE] [--threshold N] [--round N] [--epsilon E]\n"
    "         [--lang L] [--regions FILE] [--publish [--force-recut]]\n"
    "       umbra-case stats merge A.json B.json ... [--format F] [--out "
    "FILE]\n"
    "         [--threshold N] [--round N] [--lang L]\n"
    "DIM: period, category, perpetrator, region, lang, needs.\n"
    "DATE: YYYY, YYYY-Qn, YYYY-MM or YYYY-MM-DD (by the day a report was\n"
    "received). Counts are of consenting reports received, protected by\n"
    "default: under --threshold (10) shown as \"<10\", others rounded to\n"
    "--round (5). --publish records the table in the ledger and refuses a\n"
    "different cut of a period already published. See docs/statistics.md.\n";

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
    struct job jb;
    enum stats_format fmt;
    int fmt_set;
    const char *out, *lang, *regions;
    int publish, force;
    const char *files[STATS_MERGE_MAX];
    unsigned nfiles;
};

static int
want(int argc, char **argv, int *i, const char **val)
{
    if (*i + 1 >= argc) {
        say("%s needs a value", argv[*i]);
        return -1;
    }
    *val = argv[++*i];
    return 0;
}

/* Parses options (merge: files allowed, store options refused). 0, or the
 * exit code to return. */
static int
parse_opts(struct opts *o, int argc, char **argv, int first, int merge)
{
    int i;
    const char *v;

    memset(o, 0, sizeof *o);
    o->jb.period = STATS_QUARTER;
    o->jb.pol.threshold = 10;
    o->jb.pol.round = 5;
    o->lang = "en";
    for (i = first; i < argc; i++) {
        const char *a = argv[i];

        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            fputs(USAGE, stdout);
            return -100;
        } else if (!merge && !strcmp(a, "--by")) {
            const char *comma;
            if (want(argc, argv, &i, &v) != 0)
                return 2;
            comma = strchr(v, ',');
            if (dim_parse(&o->jb.dims[0], v,
                          comma ? (size_t)(comma - v) : strlen(v)) != 0 ||
                (comma != NULL && (dim_parse(&o->jb.dims[1], comma + 1,
                                             strlen(comma + 1)) != 0 ||
                                   o->jb.dims[1] == o->jb.dims[0]))) {
                say("bad --by '%s' (one or two of period, category, "
                    "perpetrator, region, lang, needs)",
                    v);
                return 2;
            }
            o->jb.ndims = comma ? 2 : 1;
        } else if (!merge && !strcmp(a, "--period")) {
            if (want(argc, argv, &i, &v) != 0)
                return 2;
            if (!strcmp(v, "month"))
                o->jb.period = STATS_MONTH;
            else if (!strcmp(v, "quarter"))
                o->jb.period = STATS_QUARTER;
            else if (!strcmp(v, "year"))
                o->jb.period = STATS_YEAR;
            else {
                say("bad --period '%s' (month, quarter or year)", v);
                return 2;
            }
        } else if (!merge && (!strcmp(a, "--from") || !strcmp(a, "--to"))) {
            int end = a[2] == 't';
            long d;
            if (want(argc, argv, &i, &v) != 0)
                return 2;
            d = parse_bound(v, end);
            if (d < 0) {
                say("bad %s '%s' (YYYY, YYYY-Qn, YYYY-MM or YYYY-MM-DD)", a, v);
                return 2;
            }
            if (end)
                o->jb.to = d;
            else
                o->jb.from = d;
        } else if (!strcmp(a, "--format")) {
            if (want(argc, argv, &i, &v) != 0)
                return 2;
            if (parse_format(&o->fmt, v) != 0) {
                say("bad --format '%s' (csv, json, svg or html)", v);
                return 2;
            }
            o->fmt_set = 1;
        } else if (!strcmp(a, "--out")) {
            if (want(argc, argv, &i, &o->out) != 0)
                return 2;
        } else if (!strcmp(a, "--threshold") || !strcmp(a, "--round")) {
            unsigned *dst =
                a[2] == 't' ? &o->jb.pol.threshold : &o->jb.pol.round;
            if (want(argc, argv, &i, &v) != 0)
                return 2;
            if (parse_uint(dst, v, 1,
                           a[2] == 't' ? STATS_THRESHOLD_MAX
                                       : STATS_ROUND_MAX) != 0) {
                say("bad %s '%s' (a whole number from 1)", a, v);
                return 2;
            }
        } else if (!merge && !strcmp(a, "--epsilon")) {
            if (want(argc, argv, &i, &v) != 0)
                return 2;
            if (parse_epsilon(&o->jb.pol.eps_num, &o->jb.pol.eps_den, v) != 0) {
                say("bad --epsilon '%s' (e.g. 1, 0.5 or 1/2; at most 20)", v);
                return 2;
            }
        } else if (!strcmp(a, "--lang")) {
            if (want(argc, argv, &i, &o->lang) != 0)
                return 2;
            if (!stats_lang_known(o->lang))
                say("no catalogue for '%s': labels in English", o->lang);
        } else if (!merge && !strcmp(a, "--regions")) {
            if (want(argc, argv, &i, &o->regions) != 0)
                return 2;
        } else if (!merge && !strcmp(a, "--publish")) {
            o->publish = 1;
        } else if (!merge && !strcmp(a, "--force-recut")) {
            o->force = 1;
        } else if (merge && a[0] != '-') {
            if (o->nfiles == STATS_MERGE_MAX) {
                say("at most %u files to merge", STATS_MERGE_MAX);
                return 2;
            }
            o->files[o->nfiles++] = a;
        } else {
            say("unknown option '%s' (see --help)", a);
            return 2;
        }
    }
    if (!o->fmt_set && o->out != NULL) {
        const char *dot = strrchr(o->out, '.');
        if (dot != NULL && parse_format(&o->fmt, dot + 1) == 0)
            o->fmt_set = 1;
    }
    if (!merge && o->jb.ndims == 0) {
        say("--by is required (see --help)");
        return 2;
    }
    if (o->force && !o->publish) {
        say("--force-recut goes with --publish");
        return 2;
    }
    if (!merge && o->jb.from && o->jb.to && o->jb.from > o->jb.to) {
        say("--from is after --to");
        return 2;
    }
    return 0;
}

/* Region groups: --regions, else $UMBRA_HOME/stats-regions.conf when it
 * exists. 1 when there is none, 0 loaded, -1 error. */
static int
load_regions(struct regions **out, const char *path)
{
    char buf[4096];
    const char *home = getenv("UMBRA_HOME");
    struct regions *r;

    *out = NULL;
    if (path == NULL) {
        int n;
        FILE *f;

        if (home == NULL || *home == '\0')
            return 1;
        n = snprintf(buf, sizeof buf, "%s/stats-regions.conf", home);
        if (n < 0 || (size_t)n >= sizeof buf)
            return 1;
        f = fopen(buf, "r");
        if (f == NULL)
            return 1;
        fclose(f);
        path = buf;
    }
    r = malloc(sizeof *r);
    if (r == NULL)
        return -1;
    if (regions_load(r, path) != 0) {
        free(r);
        return -1;
    }
    *out = r;
    return 0;
}

static int
stats_cut(struct store *s, struct opts *o)
{
    struct stats_pub p;
    struct regions *rg = NULL;
    struct ledger_scan ls;
    struct cut ct;
    int rc = 1;

    memset(&p, 0, sizeof p);
    memset(&ls, 0, sizeof ls);
    if (s == NULL) {
        say("no case store");
        return 1;
    }
    if ((o->jb.dims[0] == STATS_DIM_REGION ||
         (o->jb.ndims == 2 && o->jb.dims[1] == STATS_DIM_REGION)) &&
        load_regions(&rg, o->regions) < 0)
        goto out;
    o->jb.rg = rg;
    if (o->jb.from && !o->jb.to) {
        char today[11];
        umbra_today(today);
        o->jb.to = day_of(today);
    }
    /* align the bounds to whole periods, so that a figure is never about
     * part of a period without saying so */
    if (o->jb.from)
        o->jb.from =
            period_day(period_of_month(month_index(o->jb.from), o->jb.period),
                       o->jb.period, 0);
    if (o->jb.to)
        o->jb.to =
            period_day(period_of_month(month_index(o->jb.to), o->jb.period),
                       o->jb.period, 1);
    if (make_table(&p, s, &o->jb) != 0)
        goto out;
    if (o->publish) {
        cut_of(&ct, &p, rg ? rg->hash : "");
        ls.want = &ct;
        if (store_ledger_each(s, ledger_cb, &ls) != 0) {
            say("cannot read the publication ledger");
            goto out;
        }
        if (ls.same_table != NULL) {
            char err[200];

            stats_pub_release(&p);
            memset(&p, 0, sizeof p);
            if (stats_parse(&p, ls.same_table, strlen(ls.same_table), err,
                            sizeof err) != 0) {
                say("ledger entry of %s unreadable: %s", ls.same_date, err);
                goto out;
            }
            say("this cut was published on %s: the same figures are issued "
                "again (new cases since then are not counted)",
                ls.same_date);
            p.status = "republished";
        } else {
            if (ls.clashes && !o->force) {
                say("refused: %s to %s was already published on %s as %s%s%s "
                    "by %s, %s to %s; another cut of the same cases could "
                    "give small counts away (--force-recut records that you "
                    "chose to)",
                    p.from, p.to, ls.clash_date, ls.clash.dims[0],
                    ls.clash.dims[1][0] ? "," : "", ls.clash.dims[1],
                    ls.clash.period, ls.clash.from, ls.clash.to);
                goto out;
            }
            p.status = ls.clashes ? "published-forced" : "published";
            if (ledger_record(s, &ct, &p, ls.clashes != 0) != 0) {
                say("cannot record the publication in the ledger");
                goto out;
            }
        }
    }
    if (!o->fmt_set)
        o->fmt = STATS_CSV;
    if (emit(&p, o->fmt, o->lang, o->out) != 0)
        goto out;
    rc = 0;
out:
    free(ls.same_table);
    stats_pub_release(&p);
    free(rg);
    return rc;
}

/* ---- merge ----------------------------------------------------------- */

static size_t
key_find(char (*keys)[STATS_KEY_MAX], size_t n, const char *k)
{
    size_t i;

    for (i = 0; i < n; i++)
        if (strcmp(keys[i], k) == 0)
            return i;
    return SIZE_MAX;
}

/* union of key lists, in order of first appearance; 0 or -1 */
static int
key_union(char (*out)[STATS_KEY_MAX], size_t *n, char (*keys)[STATS_KEY_MAX],
          size_t nk)
{
    size_t i;

    for (i = 0; i < nk; i++) {
        if (key_find(out, *n, keys[i]) != SIZE_MAX)
            continue;
        if (*n == STATS_MAX_KEYS)
            return -1;
        memcpy(out[(*n)++], keys[i], STATS_KEY_MAX);
    }
    return 0;
}

static int
stats_merge(struct opts *o)
{
    struct stats_pub in[STATS_MERGE_MAX], m;
    char(*rows)[STATS_KEY_MAX] = NULL, (*cols)[STATS_KEY_MAX] = NULL;
    size_t nrows = 0, ncols = 0, i, j;
    unsigned f, nin = 0;
    int rc = 1;

    memset(in, 0, sizeof in);
    memset(&m, 0, sizeof m);
    if (o->nfiles < 2) {
        say("merge needs at least two JSON exports");
        return 2;
    }
    rows = calloc(STATS_MAX_KEYS, STATS_KEY_MAX);
    cols = calloc(STATS_MAX_KEYS, STATS_KEY_MAX);
    if (rows == NULL || cols == NULL)
        goto out;
    for (f = 0; f < o->nfiles; f++) {
        uint8_t *buf = NULL;
        size_t len = 0;
        char err[200];
        FILE *fp = fopen(o->files[f], "rb");

        if (fp == NULL) {
            say("cannot open '%s': %s", o->files[f], strerror(errno));
            goto out;
        }
        buf = malloc(STATS_EXPORT_MAX + 1);
        if (buf != NULL)
            len = fread(buf, 1, STATS_EXPORT_MAX + 1, fp);
        fclose(fp);
        if (buf == NULL || len > STATS_EXPORT_MAX) {
            say("'%s': too large or out of memory", o->files[f]);
            free(buf);
            goto out;
        }
        if (stats_parse(&in[f], (const char *)buf, len, err, sizeof err) != 0) {
            say("'%s': %s", o->files[f], err);
            free(buf);
            goto out;
        }
        free(buf);
        nin++;
        if (in[f].ndims != in[0].ndims || in[f].dims[0] != in[0].dims[0] ||
            (in[f].ndims == 2 && in[f].dims[1] != in[0].dims[1]) ||
            in[f].period != in[0].period || strcmp(in[f].from, in[0].from) ||
            strcmp(in[f].to, in[0].to)) {
            say("'%s' is not the same cut as '%s' (dimensions, period and "
                "dates must match)",
                o->files[f], o->files[0]);
            goto out;
        }
        if (in[f].policy.threshold > o->jb.pol.threshold)
            say("'%s' used threshold %u, above the merge's %u", o->files[f],
                in[f].policy.threshold, o->jb.pol.threshold);
        if (key_union(rows, &nrows, in[f].rowkeys, in[f].nrows) != 0 ||
            key_union(cols, &ncols, in[f].colkeys, in[f].ncols) != 0) {
            say("too many rows or columns");
            goto out;
        }
    }
    m.ndims = in[0].ndims;
    m.dims[0] = in[0].dims[0];
    m.dims[1] = in[0].dims[1];
    m.period = in[0].period;
    memcpy(m.from, in[0].from, 11);
    memcpy(m.to, in[0].to, 11);
    umbra_today(m.exported);
    m.policy.threshold = o->jb.pol.threshold;
    m.policy.round = o->jb.pol.round;
    m.merged = o->nfiles;
    m.status = "merged";
    if (stats_pub_alloc(&m, nrows, m.ndims == 2 ? ncols : 0) != 0)
        goto out;
    memcpy(m.rowkeys, rows, nrows * STATS_KEY_MAX);
    if (m.ndims == 2)
        memcpy(m.colkeys, cols, ncols * STATS_KEY_MAX);
    for (i = 0; i <= m.nrows; i++) {
        for (j = 0; j <= m.ncols; j++) {
            struct stats_cell *mc = &m.grid[stats_at(&m, i, j)];
            uint64_t upper = 0;
            int hidden = 0, secondary = 0;

            for (f = 0; f < nin; f++) {
                const struct stats_pub *q = &in[f];
                size_t qi = i == m.nrows
                                ? q->nrows
                                : key_find(q->rowkeys, q->nrows, m.rowkeys[i]);
                size_t qj = j == m.ncols
                                ? q->ncols
                                : key_find(q->colkeys, q->ncols, m.colkeys[j]);
                const struct stats_cell *qc;

                if (qi == SIZE_MAX || qj == SIZE_MAX)
                    continue; /* that organisation has no such row */
                qc = &q->grid[stats_at(q, qi, qj)];
                if (q->multi)
                    m.multi = 1;
                if (qc->state == STATS_SHOWN) {
                    mc->v += qc->shown;
                } else {
                    hidden = 1;
                    if (qc->state == STATS_HIDDEN)
                        secondary = 1;
                    else
                        upper += q->policy.threshold - 1;
                }
            }
            if (hidden)
                mc->state = secondary || mc->v + upper >= m.policy.threshold
                                ? STATS_HIDDEN
                                : STATS_SMALL;
        }
    }
    stats_protect(&m);
    if (!o->fmt_set)
        o->fmt = STATS_JSON;
    if (emit(&m, o->fmt, o->lang, o->out) != 0)
        goto out;
    rc = 0;
out:
    for (f = 0; f < o->nfiles; f++)
        stats_pub_release(&in[f]);
    stats_pub_release(&m);
    free(rows);
    free(cols);
    return rc;
}

int
stats_main(struct store *s, int argc, char **argv)
{
    struct opts *o = calloc(1, sizeof *o);
    int rc;

    if (o == NULL) {
        say("out of memory");
        return 1;
    }
    if (argc >= 2 && !strcmp(argv[1], "merge")) {
        rc = parse_opts(o, argc, argv, 2, 1);
        if (rc == 0)
            rc = stats_merge(o);
    } else {
        rc = parse_opts(o, argc, argv, 1, 0);
        if (rc == 0)
            rc = stats_cut(s, o);
    }
    free(o);
    return rc == -100 ? 0 : rc;
}
