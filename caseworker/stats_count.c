/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * stats_count: from the store's facts to a protected table (see
 * stats_count.h).
 */
#include "stats_count.h"
#include "stats_dates.h"
#include "stats_noise.h"
#include "stats_sdc.h"
#include "store.h"
#include "umbra.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#define LANG_SLOTS 1024u
#define RAW_COUNTRIES (26 * 26)

struct counter {
    int ndims;
    enum stats_dim dims[2];
    long from, to; /* day bounds, 0 when open */
    const struct stats_regions *rg;
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
raw_size(enum stats_dim d, const struct stats_regions *rg)
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
/* The entries of a bit set over a list of count codes into idx, or count
 * (its "not stated" key) when none is set; how many. */
static size_t
bit_keys(size_t idx[16], uint32_t set, size_t count)
{
    size_t n = 0, i;

    for (i = 0; i < count; i++)
        if (set & (1u << i))
            idx[n++] = i;
    if (n == 0)
        idx[n++] = count;
    return n;
}

static size_t
raw_keys(struct counter *c, enum stats_dim d, const struct case_facts *f,
         long day, size_t idx[16])
{
    size_t n = 0;

    switch (d) {
    case STATS_DIM_PERIOD:
        idx[n++] = (size_t)stats_month_index(day);
        break;
    case STATS_DIM_CATEGORY:
        n = bit_keys(idx, f->categories, FACTS_NCATEGORIES);
        break;
    case STATS_DIM_NEEDS:
        n = bit_keys(idx, f->needs, FACTS_NNEEDS);
        break;
    case STATS_DIM_PERPETRATOR:
        /* every perpetrator named counts (a case with two is in two
         * rows, as with categories); a case with only the old single
         * index (a fake store's) counts under that one */
        if (f->perpetrators != 0)
            n = bit_keys(idx, f->perpetrators, FACTS_NPERPETRATORS);
        else
            idx[n++] = f->perpetrator >= 0 &&
                               f->perpetrator < FACTS_NPERPETRATORS
                           ? (size_t)f->perpetrator
                           : FACTS_NPERPETRATORS;
        break;
    case STATS_DIM_REGION:
        if (c->rg != NULL) {
            int g = stats_regions_group(c->rg, f);
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
    day = stats_day_of(f->received);
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

static int
dim_multi(enum stats_dim d)
{
    return d == STATS_DIM_CATEGORY || d == STATS_DIM_NEEDS ||
           d == STATS_DIM_PERPETRATOR; /* perpetrator.types */
}

static unsigned
dim_maxkeys(enum stats_dim d)
{
    return d == STATS_DIM_CATEGORY      ? FACTS_NCATEGORIES
           : d == STATS_DIM_NEEDS       ? FACTS_NNEEDS
           : d == STATS_DIM_PERPETRATOR ? FACTS_NPERPETRATORS
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
        int p0 = stats_period_of_month(stats_month_index(c->from), per);
        int p1 = stats_period_of_month(stats_month_index(c->to), per);
        int pi;

        if (p1 - p0 + 1 > (int)STATS_MAX_KEYS) {
            stats_say("too many periods (at most %u)", STATS_MAX_KEYS);
            goto fail;
        }
        for (pi = p0; pi <= p1; pi++)
            stats_period_key(ks[nk++], STATS_KEY_MAX, pi, per);
        for (i = 0; i < n; i++) {
            int pp = stats_period_of_month((int)i, per);
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

/* Adds noise to every entry (entries stay >= 0): with nkey, each entry's
 * draw comes from a stream keyed by BLAKE2b(nkey; its row and column
 * names), the same in every run; without, from libsodium's generator. */
static int
add_noise(struct stats_pub *p, const uint8_t *nkey)
{
    size_t n = (p->nrows + 1) * (p->ncols + 1), i;
    uint64_t t = (uint64_t)p->policy.eps_den * p->sensitivity;
    struct stats_rng *r = NULL;
    uint8_t *ck = NULL;
    int rc = -1;

    if (nkey != NULL) {
        r = sodium_malloc(sizeof *r);
        ck = sodium_malloc(32);
        if (r == NULL || ck == NULL)
            goto out;
    }
    for (i = 0; i < n; i++) {
        int64_t z;
        size_t ri = i / (p->ncols + 1), ci = i % (p->ncols + 1);

        if (r != NULL) {
            char msg[2 * STATS_KEY_MAX + 16];
            int len = snprintf(msg, sizeof msg, "cell%c%s%c%s", 0,
                               ri < p->nrows ? p->rowkeys[ri] : "total", 0,
                               p->ndims < 2     ? ""
                               : ci < p->ncols ? p->colkeys[ci]
                                                : "total");

            if (len < 0 || (size_t)len >= sizeof msg)
                goto out;
            crypto_generichash(ck, 32, (const uint8_t *)msg, (size_t)len, nkey,
                               32);
            stats_rng_init(r, ck);
        }
        if (stats_dlaplace_rng(&z, p->policy.eps_num, t, r) != 0)
            goto out;
        if (z < 0 && (uint64_t)(-z) >= p->grid[i].v)
            p->grid[i].v = 0;
        else
            p->grid[i].v = (uint64_t)((int64_t)p->grid[i].v + z);
    }
    rc = 0;
out:
    if (r != NULL)
        sodium_free(r);
    if (ck != NULL)
        sodium_free(ck);
    return rc;
}

int
stats_count(struct stats_pub *p, struct store *s, const struct stats_job *jb)
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
        stats_say("cannot read the case store");
        goto out;
    }
    if (c.bad)
        stats_say("%" PRIu64
                  " consenting cases have no usable received date and "
                  "are left out",
                  c.bad);
    if (c.from == 0 || c.to == 0) {
        if (c.grand == 0) {
            stats_say(
                "no consenting case to count (give --from and --to for an "
                "empty period)");
            goto out;
        }
        if (c.from == 0)
            c.from = stats_period_day(
                stats_period_of_month(stats_month_index(c.min_day), jb->period),
                jb->period, 0);
        if (c.to == 0)
            c.to = stats_period_day(
                stats_period_of_month(stats_month_index(c.max_day), jb->period),
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
    stats_day_str(p->from, c.from);
    stats_day_str(p->to, c.to);
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
    if (p->policy.eps_num != 0 && add_noise(p, jb->noise_key) != 0) {
        stats_say("noise sampler failed");
        goto out;
    }
    stats_protect(p);
    p->status = "draft";
    rc = 0;
    goto out;
nomem:
    stats_say("out of memory");
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
