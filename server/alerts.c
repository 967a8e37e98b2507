/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * alerts: the routes of the signed alerts (docs/api.md "Alerts", protocol
 * section 12). POST /api/v1/sync/alerts takes one alert file from an
 * organisation's sync token, verifies it against that organisation's
 * current bundle (libumbra), checks its issue date against today and
 * stores it through alert_put (schema 010, 015, 016: the organisation's
 * quota of alerts, 507 alert_quota past it), exactly as sent. GET
 * /alerts/{org}.atom and .json serve the feeds (alertview.h), whose every
 * alert is verified again when served. The page /alerts is web.c's.
 */
#include "alertview.h"
#include "../client-crypto/alert.h"
#include "routes.h"
#include "sync_int.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A pushed alert's issue date: within today - 7 .. today + 1 (UTC). */
#define ISSUED_BACK_DAYS 7
#define ISSUED_AHEAD_DAYS 1

/* The answer for a refusal of umbra_alert_parse. */
static void
refused(struct req *r, int rc, const char *why)
{
    char hint[160];

    if (rc == UMBRA_ERR_TOO_LONG) {
        snprintf(hint, sizeof hint, "an alert file is at most %u bytes",
                 UMBRA_ALERT_MAX_BYTES);
        reply_error(r, 413, "body_too_large", hint);
    } else if (rc == UMBRA_ERR_SIGNATURE) {
        snprintf(hint, sizeof hint,
                 "the alert is not signed by a key the organisation's "
                 "bundle allows for alerts (%s)", why);
        reply_error(r, 403, "alert_signature", hint);
    } else if (rc == UMBRA_ERR_NOMEM || rc == UMBRA_ERR_ARG) {
        reply_error(r, 500, "internal", "the alert could not be read");
    } else {
        snprintf(hint, sizeof hint, "not a valid alert file (%s)", why);
        reply_error(r, 400, "bad_alert", hint);
    }
}

/* 0 if a's dates are acceptable today, else answers 400 and -1. */
static int
dates_ok(struct req *r, const struct umbra_alert *a)
{
    char today[11];
    long t, issued;

    umbra_today(today);
    t = umbra_alert_day(today);
    issued = umbra_alert_day(a->issued);
    if (issued < t - ISSUED_BACK_DAYS || issued > t + ISSUED_AHEAD_DAYS) {
        reply_error(r, 400, "alert_date",
                    "issued must be within the last 7 days (UTC), or "
                    "tomorrow");
        return -1;
    }
    if (a->kind == UMBRA_ALERT_ALERT && umbra_alert_day(a->expires) < t) {
        reply_error(r, 400, "alert_date", "the alert has already expired");
        return -1;
    }
    return 0;
}

void
api_sync_alerts(struct req *r)
{
    struct umbra_alert a = {0};
    struct org_set *s = NULL;
    const struct org *o;
    struct sync_token t;
    PGconn *c = NULL;
    int rc, broken = 0;

    memset(&t, 0, sizeof t);
    if (r->body.len > UMBRA_ALERT_MAX_BYTES) {
        refused(r, UMBRA_ERR_TOO_LONG, "too_big");
        return;
    }
    c = db_get(srv.sync);
    if (!c) {
        reply_unavailable(r);
        return;
    }
    rc = sync_who(r, c, &t);
    if (rc < 0) {
        broken = rc == -2;
        goto out;
    }
    s = orgs_acquire();
    o = orgs_find(s, t.slug);
    if (!o) {
        reply_unavailable(r);
        goto out;
    }
    rc = umbra_alert_parse(&a, (const char *)r->body.data, r->body.len,
                           &o->bundle);
    if (rc != 0) {
        refused(r, rc, a.why);
        goto out;
    }
    if (dates_ok(r, &a) != 0)
        goto out;
    {
        const int withdrawal = a.kind == UMBRA_ALERT_WITHDRAWAL;
        char quota[24];
        (void)snprintf(quota, sizeof quota, "%zu", srv.cfg.quota_alerts);
        const char *vals[8] = {(const char *)t.hash,
                               a.id,
                               withdrawal ? "withdrawal" : "alert",
                               (const char *)r->body.data,
                               a.issued,
                               withdrawal ? NULL : a.expires,
                               withdrawal ? a.withdraws : NULL,
                               quota};
        int lens[8] = {32, 0, 0, (int)r->body.len, 0, 0, 0, 0};
        int fmts[8] = {1, 0, 0, 1, 0, 0, 0, 0};
        PGresult *res = db_exec(c, "alert_put", 8, vals, lens, fmts);
        const char *v = db_ok(res) && PQntuples(res) == 1
                            ? PQgetvalue(res, 0, 0)
                            : NULL;

        if (!v) {
            broken = 1;
            reply_unavailable(r);
        } else if (strcmp(v, "stored") == 0 || strcmp(v, "same") == 0) {
            reply_json(r, strcmp(v, "stored") == 0 ? 201 : 200,
                       json_pack("{s:s,s:s,s:s,s:b}", "id", a.id, "kind",
                                 withdrawal ? "withdrawal" : "alert", "org",
                                 t.slug, "stored", strcmp(v, "stored") == 0));
        } else if (strcmp(v, "conflict") == 0) {
            reply_error(r, 409, "alert_conflict",
                        "an alert with this id and other content is held");
        } else if (strcmp(v, "alert_quota") == 0) {
            reply_error(r, 507, "alert_quota",
                        "the organisation holds its quota of alerts on this "
                        "server (org set --max-alerts, else quota_alerts); "
                        "nothing was stored. Withdrawals of held alerts are "
                        "still taken; the host's operator can raise it");
        } else if (strcmp(v, "unknown_alert") == 0) {
            reply_error(r, 404, "unknown_alert",
                        "the withdrawn alert is not one of this "
                        "organisation's");
        } else {
            reply_error(r, 401, "unauthorized", "the sync token is wrong");
        }
        PQclear(res);
    }
out:
    sodium_memzero(&t, sizeof t);
    umbra_alert_free(&a);
    orgs_release(s);
    db_put(srv.sync, c, broken);
}

/* GET /alerts/{org}.atom and /alerts/{org}.json */
void
web_alert_feed(struct req *r)
{
    struct alert_list l;
    const struct org *o;
    char slug[UMBRA_SLUG_MAX + 1], *body = NULL;
    const char *dot = strrchr(r->arg, '.'), *lang;
    size_t n = dot ? (size_t)(dot - r->arg) : 0, len = 0;
    int atom, rc;

    if (!dot || n == 0 || n > UMBRA_SLUG_MAX ||
        (strcmp(dot, ".atom") != 0 && strcmp(dot, ".json") != 0)) {
        reply_error(r, 404, "not_found", "no such feed");
        return;
    }
    atom = strcmp(dot, ".atom") == 0;
    memcpy(slug, r->arg, n);
    slug[n] = '\0';
    if (!umbra_slug_valid(slug, n)) {
        reply_error(r, 404, "not_found", "no such feed");
        return;
    }
    lang = page_lang(req_query(r, "lang"));
    if (alerts_load(&l, slug) != 0) {
        alerts_list_free(&l);
        reply_unavailable(r);
        return;
    }
    o = orgs_find(l.orgs, slug);
    if (!o) {
        alerts_list_free(&l);
        reply_error(r, 404, "not_found", "no such organisation");
        return;
    }
    rc = atom ? alerts_atom(&body, &len, &l, o, lang)
              : alerts_jsonfeed(&body, &len, &l, o, lang);
    alerts_list_free(&l);
    if (rc != 0) {
        reply_error(r, 500, "internal", "the feed could not be written");
        return;
    }
    reply_body(r, 200,
               atom ? "application/atom+xml; charset=utf-8"
                    : "application/feed+json; charset=utf-8",
               body, len);
}
