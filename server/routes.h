/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * routes: the handler of every route, each in its own function: api.c (the
 * JSON API, health, metrics), sync.c and sync_team.c (caseworker sync) and
 * web.c (pages,
 * the no-JS form, static files). The table that maps methods and paths to them is in http.c;
 * routes see the request only through http.h.
 */
#ifndef UMBRA_SERVER_ROUTES_H
#define UMBRA_SERVER_ROUTES_H

#include "req.h"

void api_healthz(struct req *r);
void api_metrics(struct req *r);
void api_orgs(struct req *r);
void api_org(struct req *r);
void api_report(struct req *r);
/* Early checks of POST /api/v1/orgs/{slug}/reports, so that a body that
 * cannot be stored is never buffered. api_report_begin runs when the
 * headers are in, before any body byte: the organisation must exist and
 * len (the Content-Length) must be the exact length of an envelope with
 * 1 to min(16, its current keys) stanzas (protocol.md 2.1, 2.2).
 * api_report_feed runs after each part of the body has been appended to
 * r->body: once the fixed header has arrived it checks magic, version,
 * stanza count against len, and once the stanzas' key ids have arrived,
 * that they are distinct current keys of the organisation. Both return 0
 * to go on, or -1 with r->res filled (the body is then not kept). */
int api_report_begin(struct req *r, uint64_t len)
    __attribute__((warn_unused_result));
int api_report_feed(struct req *r) __attribute__((warn_unused_result));
void api_mailbox_new(struct req *r);
void api_mailbox_replies(struct req *r);
void api_mailbox_replies_post(struct req *r);
void api_sync_list(struct req *r);
void api_sync_ack(struct req *r);
void api_sync_replies(struct req *r);
/* alerts.c: POST /api/v1/sync/alerts, GET /alerts/{org}.atom|.json */
void api_sync_alerts(struct req *r);
void web_alert_feed(struct req *r);
/* team sync (sync_team.c): the event log, claim, keys publish */
void api_sync_events_post(struct req *r);
void api_sync_events(struct req *r);
void api_sync_claim(struct req *r);
void api_sync_bundle(struct req *r);

void web_landing(struct req *r);
void web_report_form(struct req *r);
void web_report_post(struct req *r);
void web_check_form(struct req *r);
void web_check_post(struct req *r);
void web_info(struct req *r);
void web_alerts(struct req *r);
void web_static(struct req *r);
void web_favicon(struct req *r);
/* A form route's body over its cap (body_cap): the page, in the page's
 * language (the form's lang, else ?lang=), not the API's JSON 413. */
void web_too_large(struct req *r);

/* The fields the form routes keep, and their caps (web.c; body.h). */
struct form_spec;
extern const struct form_spec web_form;

#endif
