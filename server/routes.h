/*
 * routes: the handler of every route, each in its own function: api.c (the
 * JSON API, sync, health, metrics) and web.c (pages, the no-JS form, static
 * files). The table that maps methods and paths to them is in http.c.
 */
#ifndef UMBRA_SERVER_ROUTES_H
#define UMBRA_SERVER_ROUTES_H

#include "http.h"

void api_healthz(struct req *r);
void api_metrics(struct req *r);
void api_orgs(struct req *r);
void api_org(struct req *r);
void api_report(struct req *r);
void api_mailbox_new(struct req *r);
void api_mailbox_replies(struct req *r);
void api_mailbox_replies_post(struct req *r);
void api_sync_list(struct req *r);
void api_sync_ack(struct req *r);
void api_sync_replies(struct req *r);

void web_landing(struct req *r);
void web_report_form(struct req *r);
void web_report_post(struct req *r);
void web_check_form(struct req *r);
void web_check_post(struct req *r);
void web_info(struct req *r);
void web_static(struct req *r);

/* Form bodies (web.c): begin when the headers are in (-1: not a form
 * content type); feed each chunk (0, -1 over a cap, -2 malformed); free. */
int web_form_begin(struct req *r) __attribute__((warn_unused_result));
int web_form_feed(struct req *r, const char *data, size_t size)
    __attribute__((warn_unused_result));
/* Ends the body: flushes the last value (the post processor is freed). */
void web_form_finish(struct req *r);
void web_form_free(struct req *r);

#endif
