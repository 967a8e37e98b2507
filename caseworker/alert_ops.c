/* SPDX-License-Identifier: AGPL-3.0-or-later */
/* alert_ops: sign and withdraw (alert_ops.h). */
#include "alert_ops.h"
#include "alert_draft.h"
#include "alert_sig.h"
#include "store.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int
alert_may_sign(const struct umbra_bundle *b, const struct umbra_org_keys *k,
               char *why, size_t cap)
{
    if (strcmp(b->org, k->slug) != 0) {
        snprintf(why, cap,
                 "public.json is the bundle of '%s', not of this home's "
                 "organisation '%s'",
                 b->org, k->slug);
        return -1;
    }
    if (umbra_bundle_signer(b, k->sign_pk, UMBRA_MAY_ALERTS) == NULL) {
        snprintf(why, cap,
                 "this home's key may not sign alerts: the organisation's "
                 "public.json does not list it with 'alerts'; ask your key "
                 "holder to list you, then 'umbra-case keys join' the new "
                 "public.json");
        return -1;
    }
    return 0;
}

/* Signs inner and reads it back against b. *file malloc'd. 0 or -1. */
static int
sign_checked(char **file, const char *inner, const struct umbra_org_keys *k,
             const struct umbra_bundle *b, char *why, size_t cap)
{
    json_t *back = NULL;
    char w[256], who[UMBRA_MEMBER_NAME_MAX + 1];

    if (alert_sign_file(file, inner, k->sign_sk) != 0) {
        snprintf(why, cap, "the alert library refused to sign it");
        return -1;
    }
    if (alert_read_file(&back, who, sizeof who, *file, strlen(*file), b, w,
                        sizeof w) != 0) {
        snprintf(why, cap, "the signed alert does not verify: %s", w);
        free(*file);
        *file = NULL;
        return -1;
    }
    json_decref(back);
    return 0;
}

/* What alert_op_* need of a row. */
struct row {
    int found, is_alert, is_signed, withdrawn;
    char alert_id[33];
    char *body;
};

static int
keep_row(void *ctx, const struct store_alert *a)
{
    struct row *r = ctx;
    size_t n = strlen(a->body) + 1;

    r->found = 1;
    r->is_alert = strcmp(a->kind, "alert") == 0;
    r->is_signed = a->signed_file[0] != 0;
    r->withdrawn = a->withdrawn_by[0] != 0;
    snprintf(r->alert_id, sizeof r->alert_id, "%s", a->alert_id);
    r->body = malloc(n);
    if (r->body == NULL)
        return -1;
    memcpy(r->body, a->body, n);
    return 0;
}

static int
get_row(struct row *r, struct store *s, int64_t n, char *why, size_t cap)
{
    int rc;

    memset(r, 0, sizeof *r);
    rc = store_alert_get(s, n, NULL, keep_row, r);
    if (rc == 1)
        snprintf(why, cap, "no alert %lld", (long long)n);
    else if (rc != 0)
        snprintf(why, cap, "%s", store_errmsg(s));
    return rc == 0 ? 0 : -1;
}

int
alert_op_sign(struct store *s, const struct umbra_org_keys *k,
              const struct umbra_bundle *b, int64_t n, char expires[11],
              char *why, size_t cap)
{
    struct row r;
    json_t *d = NULL;
    char today[11], exp[11], *inner = NULL, *file = NULL;
    long issued, old_exp;
    int rc = -1;

    if (get_row(&r, s, n, why, cap) != 0)
        return -1;
    if (!r.is_alert || r.is_signed) {
        snprintf(why, cap, "%lld is signed already", (long long)n);
        goto out;
    }
    if (alert_may_sign(b, k, why, cap) != 0)
        goto out;
    d = json_loads(r.body, JSON_REJECT_DUPLICATES, NULL);
    if (d == NULL) {
        snprintf(why, cap, "the draft is damaged");
        goto out;
    }
    alert_date(today, alert_today());
    if (alert_day(&issued, json_string_value(json_object_get(d, "issued"))) ==
            0 &&
        alert_day(&old_exp,
                  json_string_value(json_object_get(d, "expires"))) == 0 &&
        old_exp > issued) {
        alert_date(exp, alert_today() + (old_exp - issued));
        json_object_set_new(d, "expires", json_string(exp));
    }
    json_object_set_new(d, "issued", json_string(today));
    if (alert_check(d, 1, why, cap) != 0)
        goto out;
    inner = alert_dump(d);
    if (inner == NULL) {
        snprintf(why, cap, "out of memory");
        goto out;
    }
    if (sign_checked(&file, inner, k, b, why, cap) != 0)
        goto out;
    if (store_alert_set_signed(s, n, inner, file) != 0) {
        snprintf(why, cap, "%s", store_errmsg(s));
        goto out;
    }
    snprintf(expires, 11, "%s",
             json_string_value(json_object_get(d, "expires")));
    rc = 0;
out:
    free(inner);
    free(file);
    free(r.body);
    json_decref(d);
    return rc;
}

int
alert_op_withdraw(struct store *s, const struct umbra_org_keys *k,
                  const struct umbra_bundle *b, int64_t n, int64_t *wn,
                  char *why, size_t cap)
{
    struct row r;
    json_t *w = NULL;
    char id[33], today[11], *inner = NULL, *file = NULL;
    int rc = -1;

    *wn = 0;
    if (get_row(&r, s, n, why, cap) != 0)
        return -1;
    if (!r.is_alert) {
        snprintf(why, cap, "%lld is a withdrawal, not an alert",
                 (long long)n);
        goto out;
    }
    if (r.withdrawn) {
        snprintf(why, cap, "alert %lld is withdrawn already", (long long)n);
        goto out;
    }
    if (!r.is_signed) {
        if (store_alert_delete(s, n) != 0) {
            snprintf(why, cap, "%s", store_errmsg(s));
            goto out;
        }
        rc = 0;
        goto out;
    }
    if (alert_may_sign(b, k, why, cap) != 0)
        goto out;
    alert_new_id(id);
    alert_date(today, alert_today());
    w = json_pack("{s:s,s:s,s:s,s:s,s:s}", "org", k->slug, "id", id, "kind",
                  "withdrawal", "issued", today, "withdraws", r.alert_id);
    inner = w ? alert_dump(w) : NULL;
    if (inner == NULL) {
        snprintf(why, cap, "out of memory");
        goto out;
    }
    if (sign_checked(&file, inner, k, b, why, cap) != 0)
        goto out;
    if (store_begin(s) != 0) {
        snprintf(why, cap, "%s", store_errmsg(s));
        goto out;
    }
    if (store_alert_add(s, wn, id, "withdrawal", "", inner, file) != 0 ||
        store_alert_set_withdrawn(s, n, id) != 0 || store_commit(s) != 0) {
        snprintf(why, cap, "%s", store_errmsg(s));
        store_rollback(s);
        *wn = 0;
        goto out;
    }
    rc = 0;
out:
    free(inner);
    free(file);
    free(r.body);
    json_decref(w);
    return rc;
}

const char *
alert_status(const struct store_alert *r, const json_t *body)
{
    const char *exp = json_string_value(json_object_get(body, "expires"));
    long d;

    if (strcmp(r->kind, "withdrawal") == 0)
        return r->pushed[0] ? "pushed" : "signed";
    if (r->withdrawn_by[0])
        return "withdrawn";
    if (r->signed_file[0] && exp != NULL && alert_day(&d, exp) == 0 &&
        d < alert_today())
        return "expired";
    if (!r->signed_file[0])
        return "draft";
    return r->pushed[0] ? "pushed" : "signed";
}
