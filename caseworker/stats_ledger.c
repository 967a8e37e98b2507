/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * stats_ledger: the publication ledger (see stats_ledger.h).
 */
#include "stats_ledger.h"
#include "stats_dates.h"
#include "stats_json.h"
#include "stats_share.h"
#include "store.h"
#include "umbra.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <sodium.h>

#define LEDGER_KEY STATS_SHARE_PUBLICATION
#define SEED_KEY STATS_SHARE_SEED

void
stats_cut_of(struct stats_cut *ct, const struct stats_pub *p,
             const char *regions)
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
cut_json(const struct stats_cut *ct)
{
    return json_pack("{s:[s,s], s:s, s:s, s:s, s:i, s:i, s:s, s:s}", "dims",
                     ct->dims[0], ct->dims[1], "period", ct->period, "from",
                     ct->from, "to", ct->to, "threshold",
                     (json_int_t)ct->threshold, "round", (json_int_t)ct->round,
                     "epsilon", ct->epsilon, "regions", ct->regions);
}

static int
cut_parse(struct stats_cut *ct, json_t *j)
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
cut_same(const struct stats_cut *a, const struct stats_cut *b)
{
    return !strcmp(a->dims[0], b->dims[0]) && !strcmp(a->dims[1], b->dims[1]) &&
           !strcmp(a->period, b->period) && !strcmp(a->from, b->from) &&
           !strcmp(a->to, b->to) && a->threshold == b->threshold &&
           a->round == b->round && !strcmp(a->epsilon, b->epsilon) &&
           !strcmp(a->regions, b->regions);
}

static int
cut_overlap(const struct stats_cut *a, const struct stats_cut *b)
{
    return !(strcmp(a->to, b->from) < 0 || strcmp(b->to, a->from) < 0);
}

/* Same dimensions, period, dates and groups: a and b differ at most in
 * their policy. */
static int
cut_same_shape(const struct stats_cut *a, const struct stats_cut *b)
{
    return !strcmp(a->dims[0], b->dims[0]) &&
           !strcmp(a->dims[1], b->dims[1]) && !strcmp(a->period, b->period) &&
           !strcmp(a->from, b->from) && !strcmp(a->to, b->to) &&
           !strcmp(a->regions, b->regions);
}

uint64_t
stats_eps_micro(uint32_t num, uint32_t den)
{
    if (num == 0 || den == 0)
        return 0;
    return ((uint64_t)num * 1000000u + den - 1) / den;
}

static int
month_of(const char *day)
{
    return stats_month_index(stats_day_of(day));
}

/* Adds the epsilon of ct to the months of ls->want it covers. */
static void
spend(struct stats_ledger_scan *ls, const struct stats_cut *ct,
      uint64_t *spent)
{
    unsigned long n, d;
    char tail;
    int m, a = month_of(ct->from), b = month_of(ct->to);

    if (spent == NULL || ct->epsilon[0] == '\0' ||
        sscanf(ct->epsilon, "%lu/%lu%c", &n, &d, &tail) != 2 || n == 0 ||
        d == 0 || n > 0xffffffffu || d > 0xffffffffu)
        return;
    for (m = a; m <= b; m++)
        if (m >= ls->m0 && m < ls->m0 + ls->nm)
            spent[m - ls->m0] += stats_eps_micro((uint32_t)n, (uint32_t)d);
}

/* A seed entry: {"month": "YYYY-MM", "seed": 64 hex}. */
static void
seed_cb(struct stats_ledger_scan *ls, const char *value)
{
    json_t *j = json_loads(value, 0, NULL);
    const char *month = NULL, *hex = NULL;
    char day[11];
    int m;
    size_t len = 0;

    if (j == NULL || json_unpack(j, "{s:s, s:s}", "month", &month, "seed",
                                 &hex) != 0 ||
        strlen(month) != 7 || ls->seeds == NULL)
        goto out;
    snprintf(day, sizeof day, "%s-01", month);
    m = month_of(day);
    if (stats_day_of(day) < 0 || m < ls->m0 || m >= ls->m0 + ls->nm ||
        ls->have[m - ls->m0])
        goto out;
    if (sodium_hex2bin(ls->seeds + 32 * (size_t)(m - ls->m0), 32, hex,
                       strlen(hex), NULL, &len, NULL) == 0 &&
        len == 32)
        ls->have[m - ls->m0] = 1;
out:
    json_decref(j);
}

/* Reads the table of an overlapping publication for the audit. */
static void
keep_table(struct stats_ledger_scan *ls, json_t *jt)
{
    char *txt, err[160];
    struct stats_pub *o;

    if (ls->nover == STATS_LEDGER_OVER_MAX) {
        ls->unread++;
        return;
    }
    if (ls->over == NULL) {
        ls->over = calloc(STATS_LEDGER_OVER_MAX, sizeof *ls->over);
        if (ls->over == NULL) {
            ls->unread++;
            return;
        }
    }
    o = &ls->over[ls->nover];
    txt = json_is_object(jt) ? json_dumps(jt, JSON_COMPACT) : NULL;
    if (txt != NULL && stats_parse(o, txt, strlen(txt), err, sizeof err) == 0)
        ls->nover++;
    else
        ls->unread++;
    free(txt);
}

struct scan_ctx {
    struct stats_ledger_scan *ls;
    uint64_t *spent;
};

static int
ledger_cb(void *ctx, const char *key, const char *value)
{
    struct scan_ctx *sc = ctx;
    struct stats_ledger_scan *ls = sc->ls;
    json_t *j = NULL, *jt;
    struct stats_cut ct;
    const char *date = "";

    if (strcmp(key, SEED_KEY) == 0) {
        seed_cb(ls, value);
        return 0;
    }
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
    if (cut_overlap(&ct, ls->want))
        spend(ls, &ct, sc->spent);
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
        if (cut_same_shape(&ct, ls->want) && !ls->policy_clash++) {
            ls->pclash = ct;
            snprintf(ls->pclash_date, sizeof ls->pclash_date, "%s", date);
        }
    }
    /* every other publication is kept: one that does not overlap this
     * cut can still combine with one that does (Q1 less January less
     * February is March); stats_ledger_find keeps those connected */
    if (!cut_same(&ct, ls->want))
        keep_table(ls, json_object_get(j, "table"));
    json_decref(j);
    return 0;
}

int
stats_ledger_record(struct store *s, const struct stats_cut *ct,
                    const struct stats_pub *p, int forced)
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
    if (rc == 0 && stats_share_emit(s, LEDGER_KEY, val) != 0)
        stats_say("the publication is recorded, but could not be queued "
                  "for the members' homes");
out:
    json_decref(tbl);
    json_decref(j);
    free(table);
    free(val);
    return rc;
}

/* Keeps in ls->over only the publications connected to the wanted cut
 * by a chain of overlapping date ranges (dates compare as strings). */
static void
connected(struct stats_ledger_scan *ls)
{
    char lo[11], hi[11];
    size_t i, k;
    int grew = 1;
    unsigned char *in = calloc(ls->nover + 1, 1);

    if (in == NULL)
        return; /* all of them kept: more constraints, never fewer */
    memcpy(lo, ls->want->from, 11);
    memcpy(hi, ls->want->to, 11);
    while (grew) {
        grew = 0;
        for (i = 0; i < ls->nover; i++) {
            const struct stats_pub *o = &ls->over[i];

            if (in[i] || strcmp(o->to, lo) < 0 || strcmp(o->from, hi) > 0)
                continue;
            in[i] = 1;
            grew = 1;
            if (strcmp(o->from, lo) < 0)
                memcpy(lo, o->from, 11);
            if (strcmp(o->to, hi) > 0)
                memcpy(hi, o->to, 11);
        }
    }
    for (i = 0, k = 0; i < ls->nover; i++) {
        if (in[i]) {
            if (k != i) {
                ls->over[k] = ls->over[i];
                memset(&ls->over[i], 0, sizeof ls->over[i]);
            }
            k++;
        } else {
            stats_pub_release(&ls->over[i]);
        }
    }
    ls->nover = k;
    free(in);
}

int
stats_ledger_find(struct store *s, struct stats_ledger_scan *ls)
{
    struct scan_ctx sc = {ls, NULL};
    int m, rc;

    ls->m0 = month_of(ls->want->from);
    ls->nm = month_of(ls->want->to) - ls->m0 + 1;
    if (ls->nm < 1 || ls->nm > STATS_NMONTHS)
        return -1;
    sc.spent = calloc((size_t)ls->nm, sizeof *sc.spent);
    ls->have = calloc((size_t)ls->nm, 1);
    ls->seeds = sodium_malloc(32 * (size_t)ls->nm);
    if (sc.spent == NULL || ls->have == NULL || ls->seeds == NULL) {
        free(sc.spent);
        return -1;
    }
    rc = store_ledger_each(s, ledger_cb, &sc) != 0 ? -1 : 0;
    connected(ls);
    for (m = 0; m < ls->nm; m++)
        if (sc.spent[m] > ls->spent) {
            ls->spent = sc.spent[m];
            stats_period_key(ls->spent_month, sizeof ls->spent_month,
                             ls->m0 + m, STATS_MONTH);
        }
    free(sc.spent);
    return rc;
}

void
stats_ledger_done(struct stats_ledger_scan *ls)
{
    size_t i;

    free(ls->same_table);
    for (i = 0; i < ls->nover; i++)
        stats_pub_release(&ls->over[i]);
    free(ls->over);
    free(ls->have);
    if (ls->seeds != NULL)
        sodium_free(ls->seeds); /* wipes */
    ls->same_table = NULL;
    ls->over = NULL;
    ls->have = NULL;
    ls->seeds = NULL;
    ls->nover = 0;
}

/* Makes, records and shares the seed of month m (index in the scan). */
static int
seed_make(struct store *s, struct stats_ledger_scan *ls, int m)
{
    uint8_t *seed = ls->seeds + 32 * (size_t)m;
    char month[8], hex[65], *val = NULL;
    json_t *j;
    int rc = -1;

    umbra_randombytes(seed, 32);
    stats_period_key(month, sizeof month, ls->m0 + m, STATS_MONTH);
    sodium_bin2hex(hex, sizeof hex, seed, 32);
    j = json_pack("{s:s, s:s}", "month", month, "seed", hex);
    sodium_memzero(hex, sizeof hex);
    if (j != NULL && (val = json_dumps(j, JSON_COMPACT)) != NULL &&
        store_ledger_add(s, SEED_KEY, val) == 0) {
        ls->have[m] = 1;
        rc = 0;
        if (stats_share_emit(s, SEED_KEY, val) != 0)
            stats_say("the noise seed of %s is recorded, but could not be "
                      "queued for the members' homes",
                      month);
    }
    if (val != NULL) {
        sodium_memzero(val, strlen(val));
        free(val);
    }
    json_decref(j);
    return rc;
}

int
stats_ledger_noise_key(struct store *s, struct stats_ledger_scan *ls,
                       int create, uint8_t *key)
{
    crypto_generichash_state *st;
    const struct stats_cut *w = ls->want;
    int m;

    for (m = 0; m < ls->nm; m++) {
        if (ls->have[m])
            continue;
        if (!create) {
            char month[8];
            stats_period_key(month, sizeof month, ls->m0 + m, STATS_MONTH);
            stats_say("no noise seed for %s in this home: the key holder "
                      "makes each month's seed and it reaches the members' "
                      "homes with the organisation's events (pull); until "
                      "then --epsilon cannot be used here for that month",
                      month);
            return -1;
        }
        if (seed_make(s, ls, m) != 0) {
            stats_say("cannot record a noise seed in the ledger");
            return -1;
        }
    }
    st = sodium_malloc(sizeof *st);
    if (st == NULL)
        return -1;
    crypto_generichash_init(st, NULL, 0, 32);
    crypto_generichash_update(st, (const uint8_t *)"umbra/stats/noise/v1", 21);
    crypto_generichash_update(st, ls->seeds, 32 * (size_t)ls->nm);
#define H(x) crypto_generichash_update(st, (const uint8_t *)(x), strlen(x) + 1)
    H(w->dims[0]);
    H(w->dims[1]);
    H(w->period);
    H(w->from);
    H(w->to);
    H(w->regions);
#undef H
    crypto_generichash_final(st, key, 32);
    sodium_free(st);
    return 0;
}
