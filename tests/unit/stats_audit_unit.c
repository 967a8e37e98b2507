/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * stats_audit_unit: the audit (stats_audit, GLPK), the ledger shared as
 * team events (stats_share) and the deterministic noise (stats_noise's
 * stream), on tables made by hand and the fake store.
 */
#include "check.h"
#include "stats.h"
#include "stats_audit.h"
#include "stats_dates.h"
#include "stats_fake_store.h"
#include "stats_ledger.h"
#include "stats_share.h"
#include "umbra.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A one-dimensional table by region from..to with values v[0..n) and
 * the total tot, protected (threshold 10, round r). */
static void
mk1d(struct stats_pub *p, const char *from, const char *to,
     const char *const *keys, const uint64_t *v, size_t n, uint64_t tot,
     unsigned r)
{
    size_t i;

    memset(p, 0, sizeof *p);
    if (stats_pub_alloc(p, n, 0) != 0)
        abort();
    p->ndims = 1;
    p->dims[0] = STATS_DIM_REGION;
    p->period = STATS_MONTH;
    memcpy(p->from, from, 11);
    memcpy(p->to, to, 11);
    p->policy.threshold = 10;
    p->policy.round = r;
    p->protection = STATS_PROTECTION_DEFAULT;
    for (i = 0; i < n; i++) {
        snprintf(p->rowkeys[i], STATS_KEY_MAX, "%s", keys[i]);
        p->grid[stats_at(p, i, 0)].v = v[i];
    }
    p->grid[stats_at(p, n, 0)].v = tot;
    stats_protect(p);
    p->status = "published";
}

static const char *const K3[] = {"LA", "TH", "VN"};

/* Jan = Q1 - (Feb..Mar): a month of a quarter whose other months are
 * published is worked out exactly; the audit must see it. */
static void
test_differencing(void)
{
    struct stats_pub q1, febmar, jan, jan2;
    const struct stats_pub *pubs[2];
    struct stats_audit_res r;
    const uint64_t vq[] = {33, 50, 70}, vf[] = {24, 20, 30},
                   vj[] = {9, 30, 40};

    mk1d(&q1, "2026-01-01", "2026-03-31", K3, vq, 3, 153, 1);
    mk1d(&febmar, "2026-02-01", "2026-03-31", K3, vf, 3, 74, 1);
    mk1d(&jan, "2026-01-01", "2026-01-31", K3, vj, 3, 79, 1);
    CHECK(jan.grid[0].state == STATS_SMALL &&
              jan.grid[stats_at(&jan, 1, 0)].state == STATS_HIDDEN,
          "January: LA small, TH hidden by secondary suppression");
    /* alone, January keeps LA in 0..9 */
    CHECK(stats_audit(&jan, NULL, 0, &r) == 0 && r.hidden == 0 &&
              r.checked >= 1,
          "January alone passes the audit (%zu hidden)", r.hidden);
    /* with Q1 and February-March published, LA = 33 - 24 = 9 exactly:
     * nothing January could hide helps (its every figure is a
     * difference of published ones), so it is refused */
    pubs[0] = &q1;
    pubs[1] = &febmar;
    CHECK(stats_audit(&jan, pubs, 2, &r) == 1,
          "January against Q1 and February-March is refused");
    /* with Q1 only, January passes, possibly after hiding more */
    mk1d(&jan2, "2026-01-01", "2026-01-31", K3, vj, 3, 79, 1);
    CHECK(stats_audit(&jan2, pubs, 1, &r) == 0 && r.tables == 2,
          "January against Q1 alone passes (%zu tables)", r.tables);
    stats_pub_release(&q1);
    stats_pub_release(&febmar);
    stats_pub_release(&jan);
    stats_pub_release(&jan2);
}

/* A source of true counts for the audit (struct stats_truth): January
 * and February-March of test_differencing, by region; lie adds one to
 * every figure, a truth the model must refuse. */
struct fake_truth {
    int lie;
    int calls;
};

static int
fake_count(void *ctx, int ndims, const enum stats_dim *dims, long from,
           long to, struct stats_pub *out)
{
    struct fake_truth *ft = ctx;
    const uint64_t vj[] = {9, 30, 40}, vf[] = {24, 20, 30};
    const uint64_t *v = from == stats_day_of("2026-01-01") ? vj : vf;
    size_t i;
    uint64_t tot = 0;

    (void)to;
    ft->calls++;
    if (ndims != 1 || dims[0] != STATS_DIM_REGION)
        return -1;
    memset(out, 0, sizeof *out);
    if (stats_pub_alloc(out, 3, 0) != 0)
        return -1;
    out->ndims = 1;
    out->dims[0] = STATS_DIM_REGION;
    for (i = 0; i < 3; i++) {
        snprintf(out->rowkeys[i], STATS_KEY_MAX, "%s", K3[i]);
        out->grid[stats_at(out, i, 0)].v = v[i] + (uint64_t)ft->lie;
        tot += v[i] + (uint64_t)ft->lie;
    }
    out->grid[stats_at(out, 3, 0)].v = tot;
    return 0;
}

/* The true point: counted per segment, checked against the model, and
 * a witness that never makes a refused table pass. */
static void
test_truth(void)
{
    struct stats_pub q1, febmar, jan, jan2, jan3;
    const struct stats_pub *pubs[2];
    struct stats_audit_res r;
    struct fake_truth ft = {0, 0};
    struct stats_truth tr = {fake_count, &ft};
    const uint64_t vq[] = {33, 50, 70}, vf[] = {24, 20, 30},
                   vj[] = {9, 30, 40};

    mk1d(&q1, "2026-01-01", "2026-03-31", K3, vq, 3, 153, 1);
    mk1d(&febmar, "2026-02-01", "2026-03-31", K3, vf, 3, 74, 1);
    mk1d(&jan, "2026-01-01", "2026-01-31", K3, vj, 3, 79, 1);
    pubs[0] = &q1;
    pubs[1] = &febmar;
    CHECK(stats_audit_with(&jan, pubs, 2, &tr, &r) == 1 && r.truth == 1 &&
              ft.calls == 2,
          "with the true point, January against Q1 and February-March is "
          "still refused (truth %d, %d counts)", r.truth, ft.calls);
    mk1d(&jan2, "2026-01-01", "2026-01-31", K3, vj, 3, 79, 1);
    CHECK(stats_audit_with(&jan2, pubs, 1, &tr, &r) == 0 && r.truth == 1,
          "January against Q1 passes from the true point (%zu of %zu "
          "searches found a point)", r.found, r.seeks);
    ft.lie = 1;
    mk1d(&jan3, "2026-01-01", "2026-01-31", K3, vj, 3, 79, 1);
    CHECK(stats_audit_with(&jan3, pubs, 1, &tr, &r) == 0 && r.truth == 0 &&
              r.found == 0 && r.hidden == jan2.audit_hidden,
          "counts that break the published tables are not used (truth %d)",
          r.truth);
    stats_pub_release(&q1);
    stats_pub_release(&febmar);
    stats_pub_release(&jan);
    stats_pub_release(&jan2);
    stats_pub_release(&jan3);
}

/* The work budget: a real audit of January against Q1 (linear solves
 * without a true point, searches from it with one) spends some simplex
 * iterations; a budget below that stops it, refused (1, over_budget),
 * and the default lets it pass. */
static void
test_budget(void)
{
    struct stats_pub q1, jan;
    const struct stats_pub *pubs[1];
    struct stats_audit_res r;
    struct fake_truth ft = {0, 0};
    struct stats_truth tr = {fake_count, &ft};
    const uint64_t vq[] = {33, 50, 70}, vj[] = {9, 30, 40};
    unsigned long long need;
    int pass;

    mk1d(&q1, "2026-01-01", "2026-03-31", K3, vq, 3, 153, 1);
    pubs[0] = &q1;
    for (pass = 0; pass < 2; pass++) {
        const struct stats_truth *t = pass ? &tr : NULL;
        const char *how = pass ? "from the true point" : "by linear solves";

        mk1d(&jan, "2026-01-01", "2026-01-31", K3, vj, 3, 79, 1);
        CHECK(stats_audit_budget(&jan, pubs, 1, t, 0, &r) == 0 &&
                  r.over_budget == 0 && r.work >= 2 &&
                  r.budget == STATS_AUDIT_BUDGET_DEFAULT &&
                  r.work < r.budget,
              "%s: the default budget lets January pass (%llu of %llu "
              "iterations)", how, r.work, r.budget);
        need = r.work;
        stats_pub_release(&jan);
        mk1d(&jan, "2026-01-01", "2026-01-31", K3, vj, 3, 79, 1);
        CHECK(stats_audit_budget(&jan, pubs, 1, t, need, &r) == 0 &&
                  r.over_budget == 0 && r.work == need,
              "%s: the same work again, on the dot, passes (%llu)", how,
              r.work);
        stats_pub_release(&jan);
        mk1d(&jan, "2026-01-01", "2026-01-31", K3, vj, 3, 79, 1);
        CHECK(stats_audit_budget(&jan, pubs, 1, t, need - 1, &r) == 1 &&
                  r.over_budget == 1 && r.budget == need - 1 &&
                  r.work >= need - 1,
              "%s: one iteration less is refused (%llu spent of %llu)", how,
              r.work, r.budget);
        stats_pub_release(&jan);
        mk1d(&jan, "2026-01-01", "2026-01-31", K3, vj, 3, 79, 1);
        CHECK(stats_audit_budget(&jan, pubs, 1, t, 1, &r) == 1 &&
                  r.over_budget == 1 && r.work >= 1,
              "%s: a budget of 1 is refused (%llu spent)", how, r.work);
        stats_pub_release(&jan);
    }
    stats_pub_release(&q1);
}

/* The rounding interval: with round 1 a lone small cell beside one shown
 * cell is pinned through the total; secondary suppression hides the
 * other cell, and the audit confirms the range. */
static void
test_ranges(void)
{
    struct stats_pub p;
    struct stats_audit_res r;
    double lo = -1, hi = -1;
    const uint64_t v[] = {3, 40, 50};

    mk1d(&p, "2026-01-01", "2026-01-31", K3, v, 3, 93, 1);
    CHECK(stats_audit_range(&p, 0, &lo, &hi) == 0 && lo == 0 && hi == 9,
          "LA's range is 0..9 (%g..%g)", lo, hi);
    /* a shown cell's range is its rounding interval */
    CHECK(stats_audit_range(&p, stats_at(&p, 2, 0), &lo, &hi) == 0 &&
              lo == 50 && hi == 50,
          "VN shown 50 with round 1 is 50 (%g..%g)", lo, hi);
    stats_pub_release(&p);
    mk1d(&p, "2026-01-01", "2026-01-31", K3, v, 3, 93, 5);
    CHECK(stats_audit_range(&p, stats_at(&p, 2, 0), &lo, &hi) == 0 &&
              lo == 48 && hi == 52,
          "VN shown 50 with round 5 is 48..52 (%g..%g)", lo, hi);
    CHECK(stats_audit(&p, NULL, 0, &r) == 0, "audit of a plain table");
    stats_pub_release(&p);
}

/* The rule "x was the smallest shown cell of its line" narrows: a row
 * [2 small, 11 x, 12, 13] with total 38 and round 1. Without the rule
 * the small cell is 0..9 less the x; with x <= 12, the small one is at
 * least 38 - 12 - 12 - 13 = 1: shown to be at least one. */
static void
test_smallest_rule(void)
{
    struct stats_pub p;
    struct stats_audit_res r;
    static const char *const K4[] = {"KH", "LA", "TH", "VN"};
    const uint64_t v[] = {2, 11, 12, 13};
    double lo = -1, hi = -1;

    mk1d(&p, "2026-01-01", "2026-01-31", K4, v, 4, 38, 1);
    CHECK(p.grid[0].state == STATS_SMALL &&
              p.grid[stats_at(&p, 1, 0)].state == STATS_HIDDEN &&
              p.grid[stats_at(&p, 1, 0)].line != 0,
          "KH small, LA hidden as the smallest of its line");
    CHECK(stats_audit_range(&p, 0, &lo, &hi) == 0 && lo >= 1,
          "the rule shows KH to be at least one (%g..%g)", lo, hi);
    CHECK(stats_audit(&p, NULL, 0, &r) == 0 && r.hidden >= 1 &&
              p.audit_hidden >= 1,
          "the audit hides more (%zu)", r.hidden);
    CHECK(stats_audit_range(&p, 0, &lo, &hi) == 0 && lo == 0 && hi >= 5,
          "then KH's range is 0..%g", hi);
    stats_pub_release(&p);
}

static int emitted;
static char emitted_key[32];

static int
fake_emit(struct store *s, const char *case_uid, const char *type,
          json_t *body)
{
    (void)s;
    if (case_uid == NULL && !strcmp(type, STATS_SHARE_TYPE)) {
        emitted++;
        snprintf(emitted_key, sizeof emitted_key, "%s",
                 json_string_value(json_object_get(body, "key")));
    }
    json_decref(body); /* an emitter takes body over, as team_emit does */
    return 0;
}

static void
test_share(void)
{
    struct store *holder = fake_store_new(), *member = fake_store_new();
    struct stats_pub p;
    struct stats_cut ct;
    const uint64_t v[] = {30, 40, 50};
    json_t *body;
    unsigned long n;

    stats_share_set_emitter(fake_emit);
    mk1d(&p, "2026-01-01", "2026-01-31", K3, v, 3, 120, 5);
    stats_cut_of(&ct, &p, "");
    CHECK(stats_ledger_record(holder, &ct, &p, 0) == 0 && emitted == 1 &&
              !strcmp(emitted_key, STATS_SHARE_PUBLICATION),
          "a publication leaves as a stats.ledger event");
    body = stats_share_body(STATS_SHARE_PUBLICATION, "{\"cut\":{}}");
    CHECK(body != NULL && stats_share_apply(member, 1, body) == -1 &&
              fake_store_ledger_count(member) == 0,
          "a malformed publication is refused");
    json_decref(body);
    {
        char *val = NULL;
        json_t *j = json_pack("{s:o, s:s, s:b, s:o}", "cut", json_object(),
                              "date", "2026-02-01", "forced", 0, "table",
                              json_object());
        val = json_dumps(j, JSON_COMPACT);
        body = stats_share_body(STATS_SHARE_PUBLICATION, val);
        CHECK(stats_share_apply(member, 0, body) == -1 &&
                  fake_store_ledger_count(member) == 0,
              "an event not signed by the key holder is refused");
        CHECK(stats_share_apply(member, 1, body) == 0 &&
                  fake_store_ledger_count(member) == 1,
              "the key holder's publication is added to a member's ledger");
        n = fake_store_ledger_count(member);
        CHECK(stats_share_apply(member, 1, body) == 0 &&
                  fake_store_ledger_count(member) == n,
              "a replay adds nothing");
        json_decref(body);
        json_decref(j);
        free(val);
    }
    body = stats_share_body(STATS_SHARE_SEED,
                            "{\"month\":\"2026-01\",\"seed\":\"zz\"}");
    CHECK(stats_share_apply(member, 1, body) == -1, "a bad seed is refused");
    json_decref(body);
    CHECK(stats_share_body("case.note", "{}") == NULL,
          "only stats entries are shared this way");
    stats_share_set_emitter(NULL);
    stats_pub_release(&p);
    fake_store_free(holder);
    fake_store_free(member);
}

/* The same key gives the same draws; another key, others. */
static void
test_stream(void)
{
    struct stats_rng a, b;
    uint8_t k1[32], k2[32];
    int64_t x, y;
    int i, same = 1, diff = 0;

    memset(k1, 1, sizeof k1);
    memset(k2, 2, sizeof k2);
    stats_rng_init(&a, k1);
    stats_rng_init(&b, k1);
    for (i = 0; i < 200; i++) {
        if (stats_dlaplace_rng(&x, 1, 14, &a) != 0 ||
            stats_dlaplace_rng(&y, 1, 14, &b) != 0)
            same = 0;
        same &= x == y;
    }
    CHECK(same, "the same key draws the same noise");
    stats_rng_init(&a, k1);
    stats_rng_init(&b, k2);
    for (i = 0; i < 200; i++) {
        if (stats_dlaplace_rng(&x, 1, 14, &a) == 0 &&
            stats_dlaplace_rng(&y, 1, 14, &b) == 0)
            diff += x != y;
    }
    CHECK(diff > 150, "another key draws other noise (%d of 200 differ)",
          diff);
}

int
main(void)
{
    if (umbra_secure_init() != 0) {
        fprintf(stderr, "cannot initialise libsodium\n");
        return 1;
    }
    test_differencing();
    test_truth();
    test_budget();
    test_ranges();
    test_smallest_rule();
    test_share();
    test_stream();
    return check_done();
}
