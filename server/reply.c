/* SPDX-License-Identifier: AGPL-3.0-or-later */
/* reply: see reply.h. */
#include "reply.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char csp[] =
    "default-src 'none'; script-src 'self' 'wasm-unsafe-eval'; "
    "style-src 'self'; img-src 'self' data: blob:; connect-src 'self'; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

void
reply_release(struct reply *res)
{
    if (res->body_free)
        res->body_free(res->body);
    else
        free(res->body);
    res->body = NULL;
}

/* Starts r's answer afresh (any earlier one's body is freed). */
static void
reply_start(struct req *r, unsigned status, const char *ctype, size_t len)
{
    reply_release(&r->res);
    memset(&r->res, 0, sizeof r->res);
    r->res.ready = 1;
    r->res.status = status;
    r->res.ctype = ctype;
    r->res.len = len;
}

void
reply_body(struct req *r, unsigned status, const char *ctype, char *body,
           size_t len)
{
    reply_start(r, status, ctype, len);
    r->res.body = body;
    if (!body) { /* out of memory while building it */
        r->res.status = 500;
        r->res.ctype = "application/json";
        r->res.static_body = "{\"error\":\"internal\",\"hint\":\"out of "
                             "memory\"}";
        r->res.len = strlen(r->res.static_body);
    }
}

void
reply_body_wiped(struct req *r, unsigned status, const char *ctype, char *body,
                 size_t len, void (*body_free)(void *))
{
    reply_body(r, status, ctype, body, len);
    if (body)
        r->res.body_free = body_free;
}

void
reply_static(struct req *r, unsigned status, const char *ctype,
             const char *body, size_t len)
{
    reply_start(r, status, ctype, len);
    r->res.static_body = body;
}

void
reply_json(struct req *r, unsigned status, json_t *obj)
{
    char *s = obj ? json_dumps(obj, JSON_COMPACT) : NULL;
    json_decref(obj);
    reply_body(r, status, "application/json", s, s ? strlen(s) : 0);
}

void
reply_error(struct req *r, unsigned status, const char *code,
            const char *hint)
{
    reply_json(r, status, json_pack("{s:s,s:s}", "error", code, "hint", hint));
    if (status == 503)
        r->res.retry_after = (int)srv.cfg.retry_after;
    if (status == 401)
        r->res.www_auth = 1;
}

void
reply_unavailable(struct req *r)
{
    reply_error(r, 503, "database_unavailable",
                "the database does not answer; try again shortly");
}

enum MHD_Result
reply_queue(struct req *r)
{
    struct MHD_Response *resp;
    if (r->res.static_body)
        resp = MHD_create_response_from_buffer(
            r->res.len, (void *)(uintptr_t)r->res.static_body,
            MHD_RESPMEM_PERSISTENT);
    else if (r->res.body_free)
        resp = MHD_create_response_from_buffer_with_free_callback(
            r->res.len, r->res.body, r->res.body_free);
    else
        resp = MHD_create_response_from_buffer(r->res.len, r->res.body,
                                               MHD_RESPMEM_MUST_FREE);
    if (!resp)
        return MHD_NO;
    if (!r->res.static_body)
        r->res.body = NULL; /* MHD owns it now */
    MHD_add_response_header(resp, "Content-Type", r->res.ctype);
    MHD_add_response_header(resp, "Content-Security-Policy", csp);
    MHD_add_response_header(resp, "Cache-Control", "no-store");
    MHD_add_response_header(resp, "Referrer-Policy", "no-referrer");
    MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
    MHD_add_response_header(resp, "X-Frame-Options", "DENY");
    if (r->res.retry_after) {
        char ra[16];
        snprintf(ra, sizeof ra, "%d", r->res.retry_after);
        MHD_add_response_header(resp, "Retry-After", ra);
    }
    if (r->res.www_auth)
        MHD_add_response_header(resp, "WWW-Authenticate", "Bearer");
    /* At most one Argon2 derivation per connection: libmicrohttpd closes
     * it after this answer (docs/operations.md, "The Argon2 pool and the
     * API"); refusals of framing close too. */
    if (r->res.close || r->close)
        MHD_add_response_header(resp, "Connection", "close");
    if (r->res.encoding)
        MHD_add_response_header(resp, "Content-Encoding", r->res.encoding);
    if (r->res.encoding || r->vary_lang)
        MHD_add_response_header(resp, "Vary",
                                !r->vary_lang ? "Accept-Encoding"
                                : r->res.encoding
                                    ? "Accept-Encoding, Accept-Language"
                                    : "Accept-Language");
    enum MHD_Result ret = MHD_queue_response(r->con, r->res.status, resp);
    MHD_destroy_response(resp);
    return ret;
}
