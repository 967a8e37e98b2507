/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * req: the interface every route of umbra-server is written against: the
 * request (struct req), the route table's row (struct route), the reply a
 * route fills (reply.c), its body (body.c), the hand-off (req.c). http.c,
 * the request life cycle, drives it; nothing here calls into http.c.
 *
 * Each request owns one `struct req` in *con_cls, freed in the completion
 * callback. The access handler (http.c) collects the body, capped per route
 * and decoded as the route's BODY_* column says (body.c: raw bytes in
 * r->body, a JSON object through req_json, form fields in r->form), and
 * only once the upload is complete runs the route: inline (cheap routes),
 * on the database pool or the Argon2 pool (the connection is suspended and
 * resumed when the job has filled in the reply), or by itself (WORK_SELF).
 * A route that passes its request on (to intake's group-commit writer)
 * calls req_suspend first, and whoever took it calls req_resume (req.c).
 * Routes never queue responses themselves: they fill r->res through
 * reply_json, reply_error, reply_body or reply_static (reply.c), and the
 * handler queues it with the security headers every response carries.
 * The daemons themselves are started by listener.c.
 */
#ifndef UMBRA_SERVER_REQ_H
#define UMBRA_SERVER_REQ_H

#include <jansson.h>
#include <microhttpd.h>
#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "db.h"
#include "intake.h"
#include "server.h"
#include "util.h"

/* WORK_KDF runs on the Argon2 pool's main lane (POST /report),
 * WORK_KDF_SHARED on its limited lane (POST /check: kdf_check_threads,
 * kdf_check_queue), so lookups cannot take reporting's share. */
enum work { WORK_INLINE, WORK_DB, WORK_KDF, WORK_SELF, WORK_KDF_SHARED };
enum body {
    BODY_NONE,
    BODY_RAW,
    BODY_JSON,
    BODY_FORM,
    BODY_CHECK,
    BODY_ENVELOPE, /* raw, checked as it arrives (api_report_begin/_feed) */
    BODY_EVENT,    /* raw, a case event's envelope: at most 1 MiB */
    BODY_BUNDLE    /* raw, a public key bundle: at most 64 KiB */
};

struct req;
typedef void (*route_fn)(struct req *r);

struct route {
    const char *method;
    const char *pattern; /* '*' matches one path segment */
    const char *name;    /* metrics label */
    route_fn fn;
    enum work work;
    enum body body;
};

struct reply {
    int ready;
    unsigned status;
    char *body; /* malloc'd, or NULL with static_body */
    const char *static_body;
    size_t len;
    const char *ctype;
    const char *encoding; /* Content-Encoding, or NULL */
    int retry_after, www_auth;
    int close; /* Connection: close */
    void (*body_free)(void *); /* frees (and wipes) body; NULL: free() */
};

struct form;

struct req {
    struct MHD_Connection *con;
    const struct route *route;
    unsigned route_id;
    uint64_t t0, deadline;
    char arg[128]; /* the path segment the route's '*' matched */
    struct umbra_buf body;
    int too_large, early, suspended;
    uint64_t discarded;
    uint64_t content_length; /* 0 when the request has none */
    size_t reserved;         /* bytes of the body budget this body holds */
    int large;               /* counted against the large bodies' share */
    unsigned env_stage;      /* envelope header checks done (api.c) */
    struct form *form; /* BODY_FORM, BODY_CHECK: the fields (body.h) */
    struct reply res;
    struct intake_item item;
    void *ctx;
    void (*ctx_free)(void *ctx);
    int close; /* answer with Connection: close (an Argon2 route) */
    int vary_lang; /* the answer depends on Accept-Language (Vary) */
};

/* Fill r->res (the route is done). reply_json steals obj. */
void reply_json(struct req *r, unsigned status, json_t *obj);
void reply_error(struct req *r, unsigned status, const char *code,
                 const char *hint);
void reply_body(struct req *r, unsigned status, const char *ctype,
                char *body, size_t len);
void reply_static(struct req *r, unsigned status, const char *ctype,
                  const char *body, size_t len);
/* reply_body for a body that holds a secret (a receipt, a reply): it is
 * freed through body_free, which wipes it, on every path (by
 * libmicrohttpd's free callback once the answer is sent). */
void reply_body_wiped(struct req *r, unsigned status, const char *ctype,
                      char *body, size_t len, void (*body_free)(void *));
void reply_unavailable(struct req *r);

/* From the request body: a JSON value checked for size, depth, UTF-8 and
 * duplicate keys. On failure answers 400/413 and returns NULL (body.c). */
json_t *req_json(struct req *r);

/* A query argument, or NULL. */
const char *req_query(struct req *r, const char *key);
/* A request header, or NULL. */
const char *req_header(struct req *r, const char *name);

/* The one hand-off: a route about to pass r on (to intake) calls
 * req_suspend just before it does; from then on the route touches r no
 * more, nor does the pool it may run on, and whoever took r fills r->res
 * and calls req_resume (any thread). On the libmicrohttpd thread
 * (WORK_SELF) it suspends the connection; on a pool (WORK_DB, WORK_KDF*),
 * where the connection is suspended already, it tells the pool job that
 * the request is no longer its to resume. */
void req_suspend(struct req *r);
void req_resume(struct req *r);

/* Runs r's route on a pool thread (r suspended), then resumes it unless
 * the route passed it on with req_suspend (workpool job, req.c). */
void req_job(void *r);

#endif
