/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * stats_ledger: the publication ledger (see stats_ledger.h).
 */
#include "stats_ledger.h"
#include "stats_json.h"
#include "store.h"
#include "umbra.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#define LEDGER_KEY "stats.publication"

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

static int
ledger_cb(void *ctx, const char *key, const char *value)
{
    struct stats_ledger_scan *ls = ctx;
    json_t *j = NULL, *jt;
    struct stats_cut ct;
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
out:
    json_decref(tbl);
    json_decref(j);
    free(table);
    free(val);
    return rc;
}

int
stats_ledger_find(struct store *s, struct stats_ledger_scan *ls)
{
    return store_ledger_each(s, ledger_cb, ls);
}
