/* SPDX-License-Identifier: AGPL-3.0-or-later */
/* http: see http.h. */
#include "http.h"
#include "metrics.h"
#include "routes.h"
#include "workpool.h"

#include <arpa/inet.h>
#include <sodium.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <pthread.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

struct server srv;

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
    {"GET", "/", "landing", web_landing, WORK_INLINE, BODY_NONE},
    {"GET", "/report", "report_form", web_report_form, WORK_INLINE,
     BODY_NONE},
    {"POST", "/report", "report_post", web_report_post, WORK_KDF, BODY_FORM},
    {"GET", "/check", "check_form", web_check_form, WORK_INLINE, BODY_NONE},
    {"POST", "/check", "check_post", web_check_post, WORK_KDF_SHARED,
     BODY_CHECK},
    {"GET", "/info/*", "info", web_info, WORK_INLINE, BODY_NONE},
    {"GET", "/static/**", "static", web_static, WORK_INLINE, BODY_NONE},
};
#define NROUTES (sizeof routes / sizeof routes[0])

/* Kernel send buffer per connection (the kernel doubles it). */
#define SEND_BUFFER_BYTES (64 * 1024)

static const char *route_names[NROUTES];

static const char csp[] =
    "default-src 'none'; script-src 'self' 'wasm-unsafe-eval'; "
    "style-src 'self'; img-src 'self' data: blob:; connect-src 'self'; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

/* ---- whole-request deadline for the header phase ----------------------- *
 * libmicrohttpd's timeout is for inactivity only, and it calls us only once
 * a request's headers are complete, so a client dripping a header byte
 * every few seconds would hold its connection for ever. Each connection is
 * tracked from the notify callback; a sweeper thread shuts down the socket
 * of any connection that has spent more than request_deadline seconds
 * between the end of its previous request (or its opening) and the end of
 * its headers. The body phase is checked in on_data. The list's mutex is
 * held across shutdown(), and the close notification (which runs before
 * libmicrohttpd closes the socket) takes it too, so the descriptor can
 * never belong to another connection by then. */

struct track {
    int fd;
    uint64_t since;  /* ns: opened, or previous request completed */
    int in_request;  /* headers are complete: the handler has it */
    struct track *prev, *next;
};

static pthread_mutex_t track_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t track_cv = PTHREAD_COND_INITIALIZER;
static struct track *tracks;
static int track_stop;
static uint64_t track_shut;

static void
notify_connection(void *cls, struct MHD_Connection *con, void **socket_ctx,
                  enum MHD_ConnectionNotificationCode code)
{
    (void)cls;
    if (code == MHD_CONNECTION_NOTIFY_STARTED) {
        const union MHD_ConnectionInfo *ci =
            MHD_get_connection_info(con, MHD_CONNECTION_INFO_CONNECTION_FD);
        struct track *t = calloc(1, sizeof *t);
        if (!t || !ci) {
            free(t);
            return;
        }
        t->fd = ci->connect_fd;
        t->since = now_ns();
        /* A small send buffer: a client that pipelines requests and never
         * reads cannot make the server render megabytes of answers into
         * the kernel ahead of it (the slow-reading attack of test-slow). */
        int sndbuf = SEND_BUFFER_BYTES;
        (void)setsockopt(t->fd, SOL_SOCKET, SO_SNDBUF, &sndbuf,
                         sizeof sndbuf);
        pthread_mutex_lock(&track_mu);
        t->next = tracks;
        if (tracks)
            tracks->prev = t;
        tracks = t;
        pthread_mutex_unlock(&track_mu);
        *socket_ctx = t;
    } else if (code == MHD_CONNECTION_NOTIFY_CLOSED && *socket_ctx) {
        struct track *t = *socket_ctx;
        pthread_mutex_lock(&track_mu);
        if (t->prev)
            t->prev->next = t->next;
        else
            tracks = t->next;
        if (t->next)
            t->next->prev = t->prev;
        pthread_mutex_unlock(&track_mu);
        free(t);
        *socket_ctx = NULL;
    }
}

static struct track *
track_of(struct MHD_Connection *con)
{
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(con, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
    return ci ? ci->socket_context : NULL;
}

static void
track_set(struct MHD_Connection *con, int in_request)
{
    struct track *t = track_of(con);
    if (!t)
        return;
    __atomic_store_n(&t->since, now_ns(), __ATOMIC_RELAXED);
    __atomic_store_n(&t->in_request, in_request, __ATOMIC_RELAXED);
}

static void *
sweeper(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&track_mu);
    while (!track_stop) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        ts.tv_sec += 1;
        pthread_cond_timedwait(&track_cv, &track_mu, &ts);
        uint64_t limit = (uint64_t)srv.cfg.request_deadline * 1000000000u;
        uint64_t now = now_ns();
        for (struct track *t = tracks; t; t = t->next) {
            if (__atomic_load_n(&t->in_request, __ATOMIC_RELAXED) ||
                t->fd < 0)
                continue;
            if (now - __atomic_load_n(&t->since, __ATOMIC_RELAXED) > limit) {
                (void)shutdown(t->fd, SHUT_RDWR);
                t->fd = -1; /* once */
                track_shut++;
            }
        }
    }
    pthread_mutex_unlock(&track_mu);
    return NULL;
}

/* ---- replies ----------------------------------------------------------- */

static void
body_release(struct reply *res)
{
    if (res->body_free)
        res->body_free(res->body);
    else
        free(res->body);
    res->body = NULL;
}

static void
reply_reset(struct req *r)
{
    body_release(&r->res);
    memset(&r->res, 0, sizeof r->res);
}

void
reply_body(struct req *r, unsigned status, const char *ctype, char *body,
           size_t len)
{
    reply_reset(r);
    r->res.ready = 1;
    r->res.status = status;
    r->res.ctype = ctype;
    r->res.body = body;
    r->res.len = len;
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
    reply_reset(r);
    r->res.ready = 1;
    r->res.status = status;
    r->res.ctype = ctype;
    r->res.static_body = body;
    r->res.len = len;
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

static enum MHD_Result
queue(struct req *r)
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
    if (r->res.encoding) {
        MHD_add_response_header(resp, "Content-Encoding", r->res.encoding);
        MHD_add_response_header(resp, "Vary", "Accept-Encoding");
    }
    enum MHD_Result ret = MHD_queue_response(r->con, r->res.status, resp);
    MHD_destroy_response(resp);
    return ret;
}

/* ---- request helpers --------------------------------------------------- */

json_t *
req_json(struct req *r)
{
    json_error_t err;
    const char *p = (const char *)r->body.data;
    size_t n = r->body.len;
    if (n == 0) {
        reply_error(r, 400, "bad_json", "the body is empty");
        return NULL;
    }
    if (!umbra_utf8_valid((const uint8_t *)p, n)) {
        reply_error(r, 400, "bad_encoding", "the body is not valid UTF-8");
        return NULL;
    }
    if (!umbra_json_depth_ok((const uint8_t *)p, n,
                             srv.cfg.max_json_depth)) {
        reply_error(r, 400, "json_too_deep", "the JSON nests too deeply");
        return NULL;
    }
    json_t *j = json_loadb(p, n, JSON_REJECT_DUPLICATES, &err);
    if (!j) {
        if (json_error_code(&err) == json_error_duplicate_key)
            reply_error(r, 400, "duplicate_key",
                        "a JSON object repeats a key");
        else
            reply_error(r, 400, "bad_json", "the body is not valid JSON");
        return NULL;
    }
    if (!json_is_object(j)) {
        json_decref(j);
        reply_error(r, 400, "bad_json", "the body must be a JSON object");
        return NULL;
    }
    return j;
}

const char *
req_query(struct req *r, const char *key)
{
    return MHD_lookup_connection_value(r->con, MHD_GET_ARGUMENT_KIND, key);
}

void
req_resume(struct req *r)
{
    MHD_resume_connection(r->con);
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

static size_t
body_cap(const struct route *rt)
{
    if (!rt)
        return 0;
    switch (rt->body) {
    case BODY_RAW:
    case BODY_ENVELOPE:
        return srv.cfg.max_envelope_bytes;
    case BODY_JSON:
        return srv.cfg.max_json_bytes;
    case BODY_FORM:
        return srv.cfg.max_form_bytes;
    case BODY_CHECK:
        return srv.cfg.max_check_bytes;
    case BODY_NONE:
        break;
    }
    return 0;
}

static void
too_large(struct req *r)
{
    char hint[96];
    snprintf(hint, sizeof hint, "the body is larger than %zu bytes",
             body_cap(r->route));
    reply_error(r, 413, "body_too_large", hint);
}

/* ---- jobs on the pools ------------------------------------------------- */

/* Per worker thread: the job running now handed its request off. */
static _Thread_local int handed_off;

void
req_handed_off(void)
{
    handed_off = 1;
}

static void
run_job(void *arg)
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

/* ---- the budget for request bodies in flight ---------------------------- *
 * Every byte a request body holds in memory (the envelope or JSON buffer as
 * allocated, a form's raw bytes as fed to its parser) is taken from one
 * budget, body_budget_bytes, as it arrives, and given back when the request
 * ends (for a report: once it is committed). Bodies announcing more than
 * BODY_SMALL_BYTES may together hold at most three quarters of it, so that
 * clients holding large bodies cannot keep out the small ones that nearly
 * every report is. A body that does not fit is answered 503 busy with
 * Retry-After and Connection: close: at once when its Content-Length
 * already does not fit, else as soon as it passes (its bytes are dropped,
 * nothing is stored). Bytes are taken as they arrive, not from the
 * Content-Length, so a client announcing a large body and sending nothing
 * holds nothing. */
#define BODY_SMALL_BYTES (1024u * 1024u)
#define BODY_BUDGET_FLOOR (64u * 1024u * 1024u)

static size_t budget_total, budget_large; /* bytes held (atomic) */
static size_t budget_limit = BODY_BUDGET_FLOOR; /* set by http_serve */

static size_t
large_limit(void)
{
    return budget_limit - budget_limit / 4;
}

/* 1 if a body of `more` bytes fits the budget now. */
static int
budget_fits(uint64_t more, int large)
{
    size_t t = __atomic_load_n(&budget_total, __ATOMIC_RELAXED);
    size_t l = __atomic_load_n(&budget_large, __ATOMIC_RELAXED);
    if (t > budget_limit || more > budget_limit - t)
        return 0;
    if (large && (l > large_limit() || more > large_limit() - l))
        return 0;
    return 1;
}

static void
budget_give(struct req *r)
{
    if (!r->reserved)
        return;
    __atomic_sub_fetch(&budget_total, r->reserved, __ATOMIC_RELAXED);
    if (r->large)
        __atomic_sub_fetch(&budget_large, r->reserved, __ATOMIC_RELAXED);
    r->reserved = 0;
}

/* Takes n more bytes for r; 0, or -1 with all of r's bytes given back. */
static int
budget_take(struct req *r, size_t n)
{
    int ok = __atomic_add_fetch(&budget_total, n, __ATOMIC_RELAXED) <=
             budget_limit;
    if (r->large &&
        __atomic_add_fetch(&budget_large, n, __ATOMIC_RELAXED) > large_limit())
        ok = 0;
    r->reserved += n;
    if (ok)
        return 0;
    budget_give(r);
    return -1;
}

static void
reply_busy(struct req *r)
{
    reply_error(r, 503, "busy",
                "too many request bodies in flight; try again shortly");
    r->res.close = 1;
}

/* The memory this process may use: the machine's, or its cgroup v2
 * memory.max (systemd's MemoryMax=) when that is lower. */
static uint64_t
memory_available(void)
{
    long pages = sysconf(_SC_PHYS_PAGES), psz = sysconf(_SC_PAGESIZE);
    uint64_t mem = pages > 0 && psz > 0 ? (uint64_t)pages * (uint64_t)psz
                                        : (uint64_t)1 << 30;
    char line[512], path[600], val[32];
    FILE *f = fopen("/proc/self/cgroup", "r");
    if (!f)
        return mem;
    while (fgets(line, sizeof line, f)) {
        if (strncmp(line, "0::", 3) != 0)
            continue;
        line[strcspn(line, "\n")] = '\0';
        snprintf(path, sizeof path, "/sys/fs/cgroup%s/memory.max", line + 3);
        FILE *m = fopen(path, "r");
        uint64_t v;
        if (m && fgets(val, sizeof val, m)) {
            val[strcspn(val, "\n")] = '\0';
            if (parse_u64(&v, val, 1, UINT64_MAX) == 0 && v < mem)
                mem = v;
        }
        if (m)
            fclose(m);
    }
    fclose(f);
    return mem;
}

/* body_budget_bytes, or by default a quarter of memory_available(). */
static size_t
budget_resolve(void)
{
    uint64_t b = srv.cfg.body_budget_bytes;
    if (b == 0) {
        b = memory_available() / 4;
        if (b < BODY_BUDGET_FLOOR)
            b = BODY_BUDGET_FLOOR;
    }
    return b > SIZE_MAX / 2 ? SIZE_MAX / 2 : (size_t)b;
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
        return queue(r);
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
        return queue(r);
    }
    const char *cl = MHD_lookup_connection_value(r->con, MHD_HEADER_KIND,
                                                 "Content-Length");
    uint64_t len = 0;
    size_t cap = r->route ? body_cap(r->route) : 0;
    if (cl && (parse_u64(&len, cl, 0, UINT64_MAX) < 0 || len > cap)) {
        too_large(r);
        r->early = 1;
        return queue(r);
    }
    r->content_length = len;
    r->large = len > BODY_SMALL_BYTES;
    if (r->route && len && !budget_fits(len, r->large)) {
        reply_busy(r);
        r->early = 1;
        return queue(r);
    }
    if (r->route && r->route->body == BODY_ENVELOPE &&
        api_report_begin(r, len) < 0) {
        r->early = 1;
        return queue(r);
    }
    /* The buffer never grows past the announced length: its doubling stops
     * there, so the budget is charged what the body needs. */
    r->body.cap = cl && len < cap ? (size_t)len : cap;
    if (r->route && (r->route->body == BODY_FORM ||
                     r->route->body == BODY_CHECK)) {
        if (web_form_begin(r) < 0) {
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
    if (r->pp) {
        rc = budget_take(r, n) < 0 ? -3 : web_form_feed(r, data, n);
    } else {
        rc = buf_append(&r->body, data, n);
        if (rc == 0 && r->body.alloc > r->reserved &&
            budget_take(r, r->body.alloc - r->reserved) < 0)
            rc = -3;
        if (rc == 0 && r->route->body == BODY_ENVELOPE &&
            api_report_feed(r) < 0) {
            /* refused by its header: drop what came, keep nothing more */
            buf_release(&r->body);
            budget_give(r);
            return MHD_YES;
        }
    }
    if (rc == -3) {
        /* past the body budget: drop the body, answer busy at its end */
        buf_release(&r->body);
        web_form_free(r);
        budget_give(r);
        reply_busy(r);
    } else if (rc == -1) {
        r->too_large = 1;
        too_large(r);
        /* Answer at once if the library lets us (0.9.75 does not while
         * the body is being read), else once the body has ended. */
        if (queue(r) == MHD_YES)
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

static enum MHD_Result
handler(void *cls, struct MHD_Connection *con, const char *url,
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
        track_set(con, 1);
        return first_call(r, url, method);
    }
    if (r->early)
        return MHD_YES; /* a response is queued; let the library finish */
    if (*upload_data_size)
        return on_data(r, upload_data, upload_data_size);
    if (r->res.ready)
        return queue(r);
    if (r->pp)
        web_form_finish(r);
    if (r->suspended) {
        /* resumed without an answer: should not happen */
        reply_error(r, 500, "internal", "no answer");
        return queue(r);
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
        MHD_suspend_connection(con);
        r->suspended = 1;
        if ((r->route->work == WORK_KDF_SHARED
                 ? workpool_submit_limited(srv.kdf, run_job, r)
                 : workpool_submit(r->route->work == WORK_DB ? srv.dbw
                                                             : srv.kdf,
                                   run_job, r)) < 0) {
            reply_error(r, 503, "busy",
                        "the server is busy; try again shortly");
            MHD_resume_connection(con);
        }
        return MHD_YES;
    }
    if (!r->res.ready)
        reply_error(r, 500, "internal", "the route gave no answer");
    return queue(r);
}

static void
completed(void *cls, struct MHD_Connection *con, void **con_cls,
          enum MHD_RequestTerminationCode toe)
{
    (void)cls;
    (void)con;
    struct req *r = *con_cls;
    track_set(con, 0); /* the next request's headers start now */
    if (!r)
        return;
    metrics_request(r->route_id,
                    toe == MHD_REQUEST_TERMINATED_COMPLETED_OK ? r->res.status
                                                               : 0,
                    now_ns() - r->t0);
    web_form_free(r);
    budget_give(r);
    if (r->ctx_free)
        r->ctx_free(r->ctx);
    buf_release(&r->body);
    body_release(&r->res);
    /* r->arg may hold a lookup id from a URL (the deprecated mailbox
     * route): nothing of a request stays in freed memory. */
    sodium_memzero(r, sizeof *r);
    free(r);
    *con_cls = NULL;
}

/* The library's own messages are dropped: some name the peer. */
static void
quiet_log(void *cls, const char *fmt, va_list ap)
{
    (void)cls;
    (void)fmt;
    (void)ap;
}

/* ---- the metrics listener --------------------------------------------- *
 * /metrics is served only here: a second daemon on metrics_listen (a
 * loopback address or a Unix socket, refused otherwise by config_check),
 * never on the public listener, where per-route counts polled each second
 * would give the time of each report. It answers GET /metrics and nothing
 * else, at the first call (no body is read). */

static enum MHD_Result
metrics_handler(void *cls, struct MHD_Connection *con, const char *url,
                const char *method, const char *version,
                const char *upload_data, size_t *upload_data_size,
                void **con_cls)
{
    struct req r;
    (void)cls;
    (void)version;
    (void)upload_data;
    (void)con_cls;
    (void)upload_data_size;
    memset(&r, 0, sizeof r);
    r.con = con;
    if (strcmp(url, "/metrics") != 0)
        reply_error(&r, 404, "not_found", "no such route");
    else if (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0)
        reply_error(&r, 405, "method_not_allowed",
                    "this path does not take that method");
    else
        api_metrics(&r);
    enum MHD_Result ret = queue(&r);
    free(r.res.body);
    return ret;
}

/* A listening socket for a; -1 with a message on stderr. */
static int
metrics_socket(const struct metrics_addr *a)
{
    int one = 1;
    int fd = socket(a->sa.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        goto fail;
    if (a->kind == METRICS_UNIX) {
        const struct sockaddr_un *un = (const struct sockaddr_un *)&a->sa;
        struct stat st;
        /* a socket left by a server that was killed */
        if (lstat(un->sun_path, &st) == 0 && S_ISSOCK(st.st_mode))
            (void)unlink(un->sun_path);
    } else {
        (void)setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    }
    mode_t old = umask(0117); /* a Unix socket: owner and group only */
    int rc = bind(fd, (const struct sockaddr *)&a->sa, a->sa_len);
    umask(old);
    if (rc < 0 || listen(fd, 64) < 0)
        goto fail;
    return fd;
fail:
    fprintf(stderr, "umbra-server: cannot listen on metrics_listen '%s': "
            "%s\n", srv.cfg.metrics_listen, strerror(errno));
    if (fd >= 0)
        close(fd);
    return -1;
}

static int
metrics_start(void)
{
    struct metrics_addr a;
    char why[CONF_STR + 200];
    if (config_metrics_addr(&a, &srv.cfg, why, sizeof why) < 0) {
        fprintf(stderr, "umbra-server: %s\n", why);
        return -1;
    }
    if (a.kind == METRICS_OFF)
        return 0;
    int fd = metrics_socket(&a);
    if (fd < 0)
        return -1;
    srv.metrics = MHD_start_daemon(
        MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ERROR_LOG,
        0, NULL, NULL,
        metrics_handler, NULL, MHD_OPTION_LISTEN_SOCKET, fd,
        MHD_OPTION_CONNECTION_LIMIT, 16u, MHD_OPTION_CONNECTION_TIMEOUT, 10u,
        MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)16384,
        MHD_OPTION_EXTERNAL_LOGGER, quiet_log, NULL, MHD_OPTION_END);
    if (!srv.metrics) {
        fprintf(stderr, "umbra-server: cannot serve metrics on '%s'\n",
                srv.cfg.metrics_listen);
        close(fd);
        return -1;
    }
    fprintf(stderr, "umbra-server: metrics on %s%s\n",
            a.kind == METRICS_UNIX ? "" : "http://",
            srv.cfg.metrics_listen);
    return 0;
}

static void
metrics_stop(void)
{
    struct metrics_addr a;
    char why[CONF_STR + 200];
    if (!srv.metrics)
        return;
    MHD_stop_daemon(srv.metrics);
    srv.metrics = NULL;
    if (config_metrics_addr(&a, &srv.cfg, why, sizeof why) == 0 &&
        a.kind == METRICS_UNIX)
        (void)unlink(((const struct sockaddr_un *)&a.sa)->sun_path);
}

int
http_serve(void)
{
    struct sockaddr_in sa;
    sigset_t set;
    int sig = 0;
    struct rlimit rl;

    for (unsigned i = 0; i < NROUTES; i++)
        route_names[i] = routes[i].name;
    metrics_init(route_names, NROUTES);
    budget_limit = budget_resolve();
    fprintf(stderr, "umbra-server: body budget %zu MiB\n",
            budget_limit >> 20);

    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
        rl.rlim_cur = rl.rlim_max;
        (void)setrlimit(RLIMIT_NOFILE, &rl);
    }
    memset(&sa, 0, sizeof sa);
    sa.sin_family = AF_INET;
    sa.sin_port = htons((uint16_t)srv.cfg.port);
    if (inet_pton(AF_INET, srv.cfg.listen, &sa.sin_addr) != 1) {
        fprintf(stderr, "umbra-server: bad listen address '%s'\n",
                srv.cfg.listen);
        return -1;
    }
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    signal(SIGPIPE, SIG_IGN);

    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL |
                     MHD_ALLOW_SUSPEND_RESUME | MHD_USE_ERROR_LOG;
    struct MHD_OptionItem opts[] = {
        {MHD_OPTION_SOCK_ADDR, 0, &sa},
        {MHD_OPTION_CONNECTION_MEMORY_LIMIT, srv.cfg.memory_limit, NULL},
        {MHD_OPTION_CONNECTION_LIMIT, srv.cfg.connection_limit, NULL},
        {MHD_OPTION_CONNECTION_TIMEOUT, srv.cfg.timeout, NULL},
        {MHD_OPTION_LISTEN_BACKLOG_SIZE, 1024, NULL},
        {MHD_OPTION_NOTIFY_COMPLETED, (intptr_t)completed, NULL},
        {MHD_OPTION_NOTIFY_CONNECTION, (intptr_t)notify_connection, NULL},
        {MHD_OPTION_EXTERNAL_LOGGER, (intptr_t)quiet_log, NULL},
        {srv.cfg.threads > 1 ? MHD_OPTION_THREAD_POOL_SIZE : MHD_OPTION_END,
         srv.cfg.threads, NULL},
        {MHD_OPTION_END, 0, NULL},
    };
    workpool_limit(srv.kdf, srv.cfg.kdf_check_threads,
                   srv.cfg.kdf_check_queue);
    srv.d = MHD_start_daemon(flags, 0, NULL, NULL, handler, NULL,
                             MHD_OPTION_ARRAY, opts, MHD_OPTION_END);
    if (!srv.d) {
        fprintf(stderr, "umbra-server: cannot listen on %s:%u\n",
                srv.cfg.listen, srv.cfg.port);
        return -1;
    }
    fprintf(stderr, "umbra-server: listening on http://%s:%u/\n",
            srv.cfg.listen, srv.cfg.port);
    if (metrics_start() < 0) {
        MHD_stop_daemon(srv.d);
        srv.d = NULL;
        return -1;
    }
    pthread_t sweep;
    int sweeping = pthread_create(&sweep, NULL, sweeper, NULL) == 0;
    while (sigwait(&set, &sig) == 0) {
        if (sig == SIGINT || sig == SIGTERM)
            break;
    }
    fprintf(stderr, "umbra-server: stopping\n");
    pthread_mutex_lock(&track_mu);
    track_stop = 1;
    pthread_cond_broadcast(&track_cv);
    pthread_mutex_unlock(&track_mu);
    if (sweeping)
        pthread_join(sweep, NULL);
    /* Stop accepting, answer everything in flight, then stop. */
    (void)MHD_quiesce_daemon(srv.d);
    intake_stop();
    workpool_free(srv.kdf);
    workpool_free(srv.dbw);
    srv.kdf = srv.dbw = NULL;
    metrics_stop();
    MHD_stop_daemon(srv.d);
    srv.d = NULL;
    return 0;
}
