/* SPDX-License-Identifier: AGPL-3.0-or-later */
/* listener: see listener.h. */
#include "budget.h"
#include "deadline.h"
#include "http.h"
#include "listener.h"
#include "reply.h"
#include "routes.h"
#include "workpool.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

/* The library's own messages are dropped: some name the peer. */
void
listener_quiet_log(void *cls, const char *fmt, va_list ap)
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
    enum MHD_Result ret = reply_queue(&r);
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
        MHD_OPTION_EXTERNAL_LOGGER, listener_quiet_log, NULL, MHD_OPTION_END);
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

    http_routes_init();
    fprintf(stderr, "umbra-server: body budget %zu MiB\n",
            budget_init() >> 20);

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
        {MHD_OPTION_NOTIFY_COMPLETED, (intptr_t)http_completed, NULL},
        {MHD_OPTION_NOTIFY_CONNECTION, (intptr_t)deadline_notify, NULL},
        {MHD_OPTION_EXTERNAL_LOGGER, (intptr_t)listener_quiet_log, NULL},
        {srv.cfg.threads > 1 ? MHD_OPTION_THREAD_POOL_SIZE : MHD_OPTION_END,
         srv.cfg.threads, NULL},
        {MHD_OPTION_END, 0, NULL},
    };
    workpool_limit(srv.kdf, srv.cfg.kdf_check_threads,
                   srv.cfg.kdf_check_queue);
    srv.d = MHD_start_daemon(flags, 0, NULL, NULL, http_access, NULL,
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
    deadline_start();
    while (sigwait(&set, &sig) == 0) {
        if (sig == SIGINT || sig == SIGTERM)
            break;
    }
    fprintf(stderr, "umbra-server: stopping\n");
    deadline_stop();
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
