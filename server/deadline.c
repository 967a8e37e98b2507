/* SPDX-License-Identifier: AGPL-3.0-or-later */
/* deadline: see deadline.h. */
#include "deadline.h"
#include "server.h"
#include "util.h"

#include <pthread.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <time.h>

/* Kernel send buffer per connection (the kernel doubles it). */
#define SEND_BUFFER_BYTES (64 * 1024)

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

void
deadline_notify(void *cls, struct MHD_Connection *con, void **socket_ctx,
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

void
deadline_set(struct MHD_Connection *con, int in_request)
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
        cond_wait_s(&track_cv, &track_mu, 1);
        uint64_t limit = (uint64_t)srv.cfg.request_deadline * 1000000000u;
        uint64_t now = now_ns();
        for (struct track *t = tracks; t; t = t->next) {
            if (__atomic_load_n(&t->in_request, __ATOMIC_RELAXED) ||
                t->fd < 0)
                continue;
            if (now - __atomic_load_n(&t->since, __ATOMIC_RELAXED) > limit) {
                (void)shutdown(t->fd, SHUT_RDWR);
                t->fd = -1; /* once */
            }
        }
    }
    pthread_mutex_unlock(&track_mu);
    return NULL;
}

static pthread_t sweep;
static int sweeping;

void
deadline_start(void)
{
    sweeping = pthread_create(&sweep, NULL, sweeper, NULL) == 0;
}

void
deadline_stop(void)
{
    thread_stop(&track_mu, &track_cv, &track_stop);
    if (sweeping)
        pthread_join(sweep, NULL);
    sweeping = 0;
}
