/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * req: what a route may ask of its request besides its body and reply:
 * query arguments and headers, and the one suspend/resume hand-off
 * (http.h) with the pool job that honours it.
 */
#include "req.h"

const char *
req_query(struct req *r, const char *key)
{
    return MHD_lookup_connection_value(r->con, MHD_GET_ARGUMENT_KIND, key);
}

const char *
req_header(struct req *r, const char *name)
{
    return MHD_lookup_connection_value(r->con, MHD_HEADER_KIND, name);
}

/* Per worker thread: the job running now passed its request on. */
static _Thread_local int handed_off;

void
req_suspend(struct req *r)
{
    if (r->suspended) { /* on a pool: suspended when it was queued */
        handed_off = 1;
        return;
    }
    MHD_suspend_connection(r->con);
    r->suspended = 1;
}

void
req_resume(struct req *r)
{
    MHD_resume_connection(r->con);
}

void
req_job(void *arg)
{
    struct req *r = arg;
    handed_off = 0;
    r->route->fn(r);
    if (handed_off)
        return; /* r may be freed already: whoever took it resumes it */
    if (!r->res.ready)
        reply_error(r, 500, "internal", "the route gave no answer");
    req_resume(r);
}
