/* SPDX-License-Identifier: AGPL-3.0-or-later */
/* http: see http.h. */
#include "body.h"
#include "budget.h"
#include "deadline.h"
#include "http.h"
#include "metrics.h"
#include "phases.h"
#include "reply.h"
#include "routes.h"
#include "workpool.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* The whole routing: method, path, handler, where it runs, what body. */
static const struct route routes[] = {
    {"GET", "/healthz", "healthz", api_healthz, WORK_DB, BODY_NONE},
    {"GET", "/api/v1/orgs", "orgs", api_orgs, WORK_INLINE, BODY_NONE},
    {"GET", "/api/v1/orgs/*", "org", api_org, WORK_INLINE, BODY_NONE},
    {"POST", "/api/v1/orgs/*/reports", "report", api_report, WORK_SELF,
     BODY_ENVELOPE},
    {"POST", "/api/v1/mailboxes", "mailbox_new", api_mailbox_new, WORK_SELF,
     BODY_JSON},
    {"POST", "/api/v1/mailboxes/replies", "mailbox_replies_post",
     api_mailbox_replies_post, WORK_DB, BODY_JSON},
    {"GET", "/api/v1/mailboxes/*/replies", "mailbox_replies",
     api_mailbox_replies, WORK_DB, BODY_NONE},
    {"GET", "/api/v1/sync/reports", "sync_list", api_sync_list, WORK_DB,
     BODY_NONE},
    {"POST", "/api/v1/sync/ack", "sync_ack", api_sync_ack, WORK_DB,
     BODY_JSON},
    {"POST", "/api/v1/sync/replies", "sync_replies", api_sync_replies,
     WORK_DB, BODY_JSON},
    {"POST", "/api/v1/sync/alerts", "sync_alerts", api_sync_alerts, WORK_DB,
     BODY_JSON},
    {"GET", "/alerts", "alerts", web_alerts, WORK_DB, BODY_NONE},
    {"GET", "/alerts/*", "alert_feed", web_alert_feed, WORK_DB, BODY_NONE},
    {"POST", "/api/v1/sync/events", "sync_events_post", api_sync_events_post,
     WORK_DB, BODY_EVENT},
    {"GET", "/api/v1/sync/events", "sync_events", api_sync_events, WORK_DB,
     BODY_NONE},
    {"POST", "/api/v1/sync/claim", "sync_claim", api_sync_claim, WORK_DB,
     BODY_JSON},
    {"POST", "/api/v1/sync/bundle", "sync_bundle", api_sync_bundle, WORK_DB,
     BODY_BUNDLE},
    {"GET", "/", "landing", web_landing, WORK_INLINE, BODY_NONE},
    {"GET", "/report", "report_form", web_report_form, WORK_INLINE,
     BODY_NONE},
    {"POST", "/report", "report_post", web_report_post, WORK_KDF, BODY_FORM},
    {"GET", "/check", "check_form", web_check_form, WORK_INLINE, BODY_NONE},
    {"POST", "/check", "check_post", web_check_post, WORK_KDF_SHARED,
     BODY_CHECK},
    {"GET", "/info/*", "info", web_info, WORK_INLINE, BODY_NONE},
    {"GET", "/static/**", "static", web_static, WORK_INLINE, BODY_NONE},
    {"GET", "/favicon.ico", "favicon", web_favicon, WORK_INLINE, BODY_NONE},
};
#define NROUTES (sizeof routes / sizeof routes[0])

/* The fields each form body keeps (body.h), by its BODY_* kind. */
static const struct form_spec *const form_of[] = {
    [BODY_FORM] = &web_form,
    [BODY_CHECK] = &web_form,
};

static const char *route_names[NROUTES];

/* A body over its cap: the form routes answer with their page (in the
 * page's language), the others with the JSON 413. */
static void
too_large(struct req *r)
{
    if (r->route &&
        (r->route->body == BODY_FORM || r->route->body == BODY_CHECK))
        web_too_large(r);
    else
        body_too_large(r);
}

/* Matches path against pattern; captures the '*' segment into r->arg. */
static int
match(struct req *r, const char *pattern, const char *path)
{
    while (*pattern) {
        if (pattern[0] == '*' && pattern[1] == '*') {
            size_t n = strlen(path);
            if (n == 0 || n >= sizeof r->arg)
                return 0;
            memcpy(r->arg, path, n + 1);
            return 1;
        }
        if (*pattern == '*') {
            size_t n = strcspn(path, "/");
            if (n == 0 || n >= sizeof r->arg)
                return 0;
            memcpy(r->arg, path, n);
            r->arg[n] = '\0';
            path += n;
            pattern++;
            continue;
        }
        if (*pattern != *path)
            return 0;
        pattern++;
        path++;
    }
    return *path == '\0';
}

/* ---- framing ------------------------------------------------------------ *
 * libmicrohttpd 0.9.75 takes the first of several Content-Length headers,
 * ignores Content-Length when Transfer-Encoding is present, reads a body
 * with a transfer coding other than plain "chunked" until the peer closes,
 * and answers a chunk line longer than its read buffer (memory_limit) with
 * its own HTML 500. The first call of the handler sees every header before
 * any body byte is parsed, so each of these is refused there, in JSON, and
 * the connection closed: two Content-Length headers, Content-Length with
 * Transfer-Encoding, any transfer coding but "chunked" (400 bad_framing);
 * and chunked bodies altogether (411 length_required), since their chunk
 * lines are parsed by the library where no answer of ours can be given.
 * Every client of Umbra (browsers, umbra-case's libcurl) sends a
 * Content-Length. */
struct framing {
    unsigned cl, te, te_other;
};

static enum MHD_Result
count_framing(void *cls, enum MHD_ValueKind kind, const char *key,
              const char *value)
{
    struct framing *f = cls;
    (void)kind;
    if (strcasecmp(key, "Content-Length") == 0) {
        f->cl++;
    } else if (strcasecmp(key, "Transfer-Encoding") == 0) {
        f->te++;
        if (!value || strcasecmp(value, "chunked") != 0)
            f->te_other++;
    }
    return MHD_YES;
}

/* 0 if the framing headers are acceptable, else -1 with r->res filled. */
static int
framing_check(struct req *r)
{
    struct framing f = {0, 0, 0};
    (void)MHD_get_connection_values(r->con, MHD_HEADER_KIND, count_framing,
                                    &f);
    if (f.cl > 1)
        reply_error(r, 400, "bad_framing",
                    "send one Content-Length header, not several");
    else if (f.cl && f.te)
        reply_error(r, 400, "bad_framing",
                    "send Content-Length or Transfer-Encoding, not both");
    else if (f.te > 1 || f.te_other)
        reply_error(r, 400, "bad_framing",
                    "no transfer coding is accepted but chunked");
    else if (f.te)
        reply_error(r, 411, "length_required",
                    "send the body with a Content-Length");
    else
        return 0;
    r->res.close = 1;
    return -1;
}

/* ---- the handler ------------------------------------------------------- */

static enum MHD_Result
first_call(struct req *r, const char *url, const char *method)
{
    if (strlen(url) > srv.cfg.max_url_bytes) {
        r->route_id = NROUTES;
        reply_error(r, 414, "uri_too_long", "the URL is too long");
        r->early = 1;
        return reply_queue(r);
    }
    int path_found = 0;
    for (unsigned i = 0; i < NROUTES; i++) {
        if (!match(r, routes[i].pattern, url))
            continue;
        path_found = 1;
        if (strcmp(routes[i].method, method) == 0 ||
            (strcmp(method, "HEAD") == 0 &&
             strcmp(routes[i].method, "GET") == 0)) {
            r->route = &routes[i];
            r->route_id = i;
            break;
        }
    }
    if (!r->route) {
        r->route_id = NROUTES;
        if (path_found)
            reply_error(r, 405, "method_not_allowed",
                        "this path does not take that method");
        else
            reply_error(r, 404, "not_found", "no such route");
    }
    /* Every answer of an Argon2 route closes its connection, refused or
     * not: each derivation (or try) costs the client a new connection. */
    r->close = r->route && (r->route->work == WORK_KDF ||
                            r->route->work == WORK_KDF_SHARED);
    if (framing_check(r) < 0) {
        r->early = 1;
        return reply_queue(r);
    }
    const char *cl = MHD_lookup_connection_value(r->con, MHD_HEADER_KIND,
                                                 "Content-Length");
    uint64_t len = 0;
    size_t cap = r->route ? body_cap(r->route) : 0;
    if (cl && (parse_u64(&len, cl, 0, UINT64_MAX) < 0 || len > cap)) {
        too_large(r);
        r->early = 1;
        return reply_queue(r);
    }
    r->content_length = len;
    r->large = len > BODY_SMALL_BYTES;
    if (r->route && len && !budget_fits(len, r->large)) {
        budget_busy(r);
        r->early = 1;
        return reply_queue(r);
    }
    if (r->route && r->route->body == BODY_ENVELOPE &&
        api_report_begin(r, len) < 0) {
        r->early = 1;
        return reply_queue(r);
    }
    /* The buffer never grows past the announced length: its doubling stops
     * there, so the budget is charged what the body needs. */
    r->body.cap = cl && len < cap ? (size_t)len : cap;
    if (r->route && (r->route->body == BODY_FORM ||
                     r->route->body == BODY_CHECK)) {
        if (body_form_begin(r, form_of[r->route->body]) < 0) {
            reply_error(r, 415, "unsupported_media_type",
                        "send application/x-www-form-urlencoded or "
                        "multipart/form-data");
        }
    }
    return MHD_YES;
}

static enum MHD_Result
on_data(struct req *r, const char *data, size_t *size)
{
    size_t n = *size;
    *size = 0;
    if (now_ns() > r->deadline)
        return MHD_NO; /* past the whole-request deadline: close */
    if (r->too_large || r->res.ready) {
        r->discarded += n;
        /* Discard a bounded amount, then close the connection. */
        if (r->discarded > (uint64_t)body_cap(r->route) + 65536)
            return MHD_NO;
        return MHD_YES;
    }
    int rc;
    if (r->form && r->form->pp) {
        rc = budget_take(r, n) < 0 ? -3 : body_form_feed(r, data, n);
    } else {
        rc = umbra_buf_append(&r->body, data, n);
        if (rc == 0 && r->body.alloc > r->reserved &&
            budget_take(r, r->body.alloc - r->reserved) < 0)
            rc = -3;
        if (rc == 0 && r->route->body == BODY_ENVELOPE &&
            api_report_feed(r) < 0) {
            /* refused by its header: drop what came, keep nothing more */
            umbra_buf_release(&r->body);
            budget_give(r);
            return MHD_YES;
        }
    }
    if (rc == -3) {
        /* past the body budget: drop the body, answer busy at its end */
        umbra_buf_release(&r->body);
        body_form_free(r);
        budget_give(r);
        budget_busy(r);
    } else if (rc == -1) {
        r->too_large = 1;
        too_large(r);
        /* Answer at once if the library lets us (0.9.75 does not while
         * the body is being read), else once the body has ended. */
        if (reply_queue(r) == MHD_YES)
            r->early = 1;
        else
            too_large(r); /* rebuilt: the failed queue freed the body */
    } else if (rc == -2) {
        reply_error(r, 400, "bad_form", "the form body is malformed");
    } else if (rc < 0) {
        reply_error(r, 500, "internal", "out of memory");
    }
    return MHD_YES;
}

enum MHD_Result
http_access(void *cls, struct MHD_Connection *con, const char *url,
            const char *method, const char *version, const char *upload_data,
            size_t *upload_data_size, void **con_cls)
{
    (void)cls;
    (void)version;
    struct req *r = *con_cls;
    if (!r) {
        r = calloc(1, sizeof *r);
        if (!r)
            return MHD_NO;
        r->con = con;
        r->t0 = now_ns();
        r->deadline = r->t0 + (uint64_t)srv.cfg.request_deadline * 1000000000u;
        *con_cls = r;
        deadline_set(con, 1);
        return first_call(r, url, method);
    }
    if (r->early)
        return MHD_YES; /* a response is queued; let the library finish */
    if (*upload_data_size)
        return on_data(r, upload_data, upload_data_size);
    if (r->res.ready)
        return reply_queue(r);
    body_form_finish(r);
    if (r->suspended) {
        /* resumed without an answer: should not happen */
        reply_error(r, 500, "internal", "no answer");
        return reply_queue(r);
    }
    switch (r->route->work) {
    case WORK_INLINE:
        r->route->fn(r);
        break;
    case WORK_SELF:
        r->route->fn(r); /* answers, or suspends itself */
        if (r->suspended)
            return MHD_YES;
        break;
    case WORK_DB:
    case WORK_KDF:
    case WORK_KDF_SHARED:
        req_suspend(r);
        if ((r->route->work == WORK_KDF_SHARED
                 ? workpool_submit_limited(srv.kdf, req_job, r)
                 : workpool_submit(r->route->work == WORK_DB ? srv.dbw
                                                             : srv.kdf,
                                   req_job, r)) < 0) {
            reply_error(r, 503, "busy",
                        "the server is busy; try again shortly");
            req_resume(r);
        }
        return MHD_YES;
    }
    if (!r->res.ready)
        reply_error(r, 500, "internal", "the route gave no answer");
    return reply_queue(r);
}

void
http_completed(void *cls, struct MHD_Connection *con, void **con_cls,
               enum MHD_RequestTerminationCode toe)
{
    (void)cls;
    (void)con;
    struct req *r = *con_cls;
    deadline_set(con, 0); /* the next request's headers start now */
    if (!r)
        return;
    metrics_request(r->route_id,
                    toe == MHD_REQUEST_TERMINATED_COMPLETED_OK ? r->res.status
                                                               : 0,
                    now_ns() - r->t0);
    if (r->item.t_done && toe == MHD_REQUEST_TERMINATED_COMPLETED_OK &&
        r->res.status == 201) {
        phases_add(PH_ANSWER, r->item.t_done);
        phases_add(PH_TOTAL, r->t0);
    }
    body_form_free(r);
    budget_give(r);
    if (r->ctx_free)
        r->ctx_free(r->ctx);
    umbra_buf_release(&r->body);
    reply_release(&r->res);
    /* r->arg may hold a lookup id from a URL (the deprecated mailbox
     * route): nothing of a request stays in freed memory. */
    sodium_memzero(r, sizeof *r);
    free(r);
    *con_cls = NULL;
}

void
http_routes_init(void)
{
    for (unsigned i = 0; i < NROUTES; i++)
        route_names[i] = routes[i].name;
    metrics_init(route_names, NROUTES);
}
