/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * fuzz_http: umbra-server's whole request handling (libmicrohttpd's parser,
 * the route table, header and body caps, urlencoded and multipart forms,
 * the JSON API and sync bodies, the envelope check, the no-JS form and
 * /check paths) under libFuzzer.
 *
 * The server's own daemon code (server/http.c's access handler and
 * completion callback, server/deadline.c's connection tracking, linked
 * with the other server objects) is started once in-process without a
 * listening socket. Each input is written, as
 * raw HTTP bytes, into one end of a socketpair whose other end is handed
 * to the daemon with MHD_add_connection; the write side is then shut and
 * the answer read until the daemon closes the connection.
 *
 * PostgreSQL is unreachable (a socket folder that does not exist), so
 * database routes answer 503; the organisation 'alpha' is put in
 * server/orgs.c's snapshot (also included below) with the fuzz key
 * (fuzz_common.h), so that sealed envelopes in
 * the seeds pass the structural and key-id checks and reach the intake
 * queue, and no-JS forms are sealed.
 *
 * Asserted for every input: no crash or sanitizer report (ASan, UBSan,
 * leaks); the connection ends within FUZZ_HTTP_BOUND_S seconds; every
 * answer is empty (the request never completed) or starts with a
 * well-formed status line "HTTP/1.x NNN " with NNN in 100..599 and not 500
 * (the server's "a bug or out of memory").
 *
 * Seeds: tests/fuzz/corpus/http, written by tests/fuzz/fuzz_http_corpus.py.
 * Set UMBRA_WEB_DIR if not run from the repository root (default "web").
 */
#include "fuzz_common.h"

#include "deadline.h"
#include "http.h"
#include "listener.h"
#include "orgs.h"
#include "page.h"
#include "workpool.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <linux/sockios.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define FUZZ_HTTP_BOUND_S 8
#define RESP_KEEP 4096
#define QUIET_S 0.01

static const char no_db[] =
    "host=/nonexistent-umbra-fuzz dbname=umbra user=nobody connect_timeout=1";

/* ---- organisations: server/orgs.c, its set filled here ------------------ */

/* orgs.c itself (not linked separately), so that its snapshot can be set
 * without a database: the reload thread is never started. */
#include "../../server/orgs.c"

static int
orgs_build(void)
{
    struct org_set *s = calloc(1, sizeof *s);
    if (!s)
        return -1;
    s->v = calloc(1, sizeof *s->v);
    s->pages = calloc(1, sizeof *s->pages);
    if (!s->v || !s->pages)
        return -1;
    struct org *o = &s->v[0];
    o->id = 1;
    memcpy(o->slug, "alpha", 6);
    memcpy(o->fingerprint, "00000 00000 00000 00000 00000 00000", 36);
    o->name = strdup("Org alpha");
    o->bundle_json = strdup("{}");
    memcpy(o->bundle.org, "alpha", 6);
    memcpy(o->bundle.created, "2026-01-01", 11);
    o->bundle.nkeys = 1;
    memcpy(o->bundle.keys[0].pk, fuzz_pk, 32);
    umbra_key_id(o->bundle.keys[0].id, fuzz_pk);
    memcpy(o->bundle.keys[0].created, "2026-01-01", 11);
    s->n = 1;
    s->pages[0] = (struct page_org){o->slug, o->name, o->fingerprint};
    s->list_json = strdup("{\"orgs\":[{\"slug\":\"alpha\"}]}");
    if (!o->name || !o->bundle_json || !s->list_json)
        return -1;
    s->list_len = strlen(s->list_json);
    s->refs = 1; /* held by current for the life of the process */
    s->loaded = 1;
    pthread_mutex_lock(&mu);
    current = s;
    pthread_mutex_unlock(&mu);
    return 0;
}

/* ---- the daemon ---------------------------------------------------------- */

static struct MHD_Daemon *daemon_;
/* Requests between the access handler's first call and completion, and
 * the latest one (cleared when it completes). */
static _Atomic int inflight;
static pthread_mutex_t cur_mu = PTHREAD_MUTEX_INITIALIZER;
static struct req *cur;

/* 1 if a request is with a pool or the intake queue (suspended): its
 * answer must come within the bound. */
static int
request_working(void)
{
    pthread_mutex_lock(&cur_mu);
    int w = cur && cur->suspended;
    pthread_mutex_unlock(&cur_mu);
    return w;
}

static enum MHD_Result
fz_handler(void *cls, struct MHD_Connection *con, const char *url,
           const char *method, const char *version, const char *upload_data,
           size_t *upload_data_size, void **con_cls)
{
    if (!*con_cls)
        inflight++;
    enum MHD_Result ret = http_access(cls, con, url, method, version,
                                      upload_data, upload_data_size, con_cls);
    pthread_mutex_lock(&cur_mu);
    cur = *con_cls;
    pthread_mutex_unlock(&cur_mu);
    return ret;
}

static void
fz_completed(void *cls, struct MHD_Connection *con, void **con_cls,
             enum MHD_RequestTerminationCode toe)
{
    if (*con_cls)
        inflight--;
    pthread_mutex_lock(&cur_mu);
    if (cur == *con_cls)
        cur = NULL;
    pthread_mutex_unlock(&cur_mu);
    http_completed(cls, con, con_cls, toe);
}

static void
start(void)
{
    const char *web = getenv("UMBRA_WEB_DIR");

    fuzz_setup();
    json_wipe_install();
    config_defaults(&srv.cfg);
    srv.cfg.timeout = 1;
    srv.cfg.request_deadline = 5;
    if (page_init(web ? web : "web") != 0) {
        fprintf(stderr, "fuzz_http: cannot load pages (run from the "
                        "repository root or set UMBRA_WEB_DIR)\n");
        abort();
    }
    if (orgs_build() < 0)
        abort();
    srv.intake = db_pool_new(DB_INTAKE, no_db, 1);
    srv.sync = db_pool_new(DB_SYNC, no_db, 1);
    srv.kdf = workpool_new(srv.cfg.kdf_threads, srv.cfg.kdf_queue, 0, NULL);
    srv.dbw = workpool_new(2, 1024, 0, NULL);
    if (!srv.intake || !srv.sync || !srv.kdf || !srv.dbw ||
        intake_start(no_db, 1, srv.cfg.batch_max, srv.cfg.intake_queue,
                     NULL, 0) < 0)
        abort();
    http_routes_init();
    signal(SIGPIPE, SIG_IGN);
    /* The flags and options of http_serve(), less the listening socket. */
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL |
                     MHD_ALLOW_SUSPEND_RESUME | MHD_USE_ERROR_LOG |
                     MHD_USE_NO_LISTEN_SOCKET | MHD_USE_ITC;
    daemon_ = MHD_start_daemon(
        flags, 0, NULL, NULL, fz_handler, NULL,
        MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)srv.cfg.memory_limit,
        MHD_OPTION_CONNECTION_LIMIT, srv.cfg.connection_limit,
        MHD_OPTION_CONNECTION_TIMEOUT, srv.cfg.timeout,
        MHD_OPTION_NOTIFY_COMPLETED, fz_completed, NULL,
        MHD_OPTION_NOTIFY_CONNECTION, deadline_notify, NULL,
        MHD_OPTION_EXTERNAL_LOGGER, listener_quiet_log, NULL,
        MHD_OPTION_END);
    if (!daemon_)
        abort();
    srv.d = daemon_;
}

static double
now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* "HTTP/1.x NNN " with NNN a status the server may send. */
static void
check_status(const char *resp, size_t n, const uint8_t *data, size_t size)
{
    if (n == 0)
        return;
    if (n < 13 || memcmp(resp, "HTTP/1.", 7) != 0 ||
        (resp[7] != '0' && resp[7] != '1') || resp[8] != ' ' || resp[9] < '1' ||
        resp[9] > '5' || resp[10] < '0' || resp[10] > '9' || resp[11] < '0' ||
        resp[11] > '9' || resp[12] != ' ') {
        fprintf(stderr, "fuzz_http: malformed answer (%zu bytes): %.*s\n", n,
                (int)(n < 200 ? n : 200), resp);
        abort();
    }
    if (memcmp(resp + 9, "500", 3) == 0) {
        fprintf(stderr, "fuzz_http: 500 for a %zu-byte request: %.*s\n", size,
                (int)(n < 600 ? n : 600), resp);
        (void)data;
        abort();
    }
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int started;
    int sv[2];
    char resp[RESP_KEEP];
    size_t rn = 0, off = 0;
    int wr_open = 1;
    struct sockaddr_in sa;

    if (!started) {
        start();
        started = 1;
    }
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0)
        abort();
    memset(&sa, 0, sizeof sa);
    sa.sin_family = AF_INET;
    sa.sin_port = htons(40000);
    sa.sin_addr.s_addr = htonl(0x7f0d252a); /* 127.13.37.42 */
    if (MHD_add_connection(daemon_, sv[0], (const struct sockaddr *)&sa,
                           sizeof sa) != MHD_YES) {
        close(sv[1]);
        return 0; /* MHD closed sv[0] */
    }
    (void)fcntl(sv[1], F_SETFL, O_NONBLOCK);
    double end = now_s() + FUZZ_HTTP_BOUND_S;
    double last = now_s();
    for (;;) {
        if (wr_open && off == size) {
            shutdown(sv[1], SHUT_WR);
            wr_open = 0;
            last = now_s();
        }
        /* Done when the daemon has read every byte, nothing has come back
         * for QUIET_S and no request is with a pool (suspended): the
         * daemon then only waits for bytes that will never come, and
         * libmicrohttpd keeps such a connection (even half-closed) until
         * its inactivity timeout, which says nothing about the server.
         * A request that is with a pool must be answered within the
         * bound. */
        int outq = 0;
        if (!wr_open && now_s() - last > QUIET_S &&
            ioctl(sv[1], SIOCOUTQ, &outq) == 0 && outq == 0 &&
            (inflight == 0 || !request_working()))
            break;
        struct pollfd p = {sv[1], (short)(POLLIN | (wr_open ? POLLOUT : 0)), 0};
        double left = end - now_s();
        if (left <= 0) {
            fprintf(stderr,
                    "fuzz_http: the connection is still open after "
                    "%d s (%zu of %zu bytes sent, %zu answered, %d "
                    "requests in the handler)\n",
                    FUZZ_HTTP_BOUND_S, off, size, rn, (int)inflight);
            abort();
        }
        if (poll(&p, 1, 5) < 0)
            continue;
        if (wr_open && (p.revents & (POLLOUT | POLLERR | POLLHUP))) {
            ssize_t w = send(sv[1], data + off, size - off, MSG_NOSIGNAL);
            if (w > 0)
                off += (size_t)w;
            else if (w < 0 && errno != EAGAIN && errno != EINTR)
                off = size; /* the server closed: stop writing */
        }
        if (p.revents & (POLLIN | POLLHUP | POLLERR)) {
            char buf[16384];
            ssize_t r = read(sv[1], buf, sizeof buf);
            if (r == 0 || (r < 0 && errno != EAGAIN && errno != EINTR))
                break;
            if (r > 0)
                last = now_s();
            if (r > 0 && rn < RESP_KEEP) {
                size_t k =
                    (size_t)r < RESP_KEEP - rn ? (size_t)r : RESP_KEEP - rn;
                memcpy(resp + rn, buf, k);
                rn += k;
            }
        }
    }
    close(sv[1]);
    if (getenv("FUZZ_HTTP_VERBOSE"))
        fprintf(stderr, "fuzz_http: %zu bytes in, %.2f s, answer: %.*s\n", size,
                FUZZ_HTTP_BOUND_S - (end - now_s()),
                (int)(memchr(resp, '\r', rn)
                          ? (char *)memchr(resp, '\r', rn) - resp
                          : (long)rn),
                resp);
    check_status(resp, rn, data, size);
    return 0;
}
