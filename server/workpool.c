/* SPDX-License-Identifier: AGPL-3.0-or-later */
/* workpool: see workpool.h. */
#define _GNU_SOURCE
#include "workpool.h"
#include "cgroup.h"

#include <pthread.h>
#include <sched.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

struct job {
    void (*fn)(void *);
    void *arg;
};

/* One lane's FIFO: a ring of cap jobs, count of them queued from head. */
struct lane {
    struct job *q;
    unsigned cap, head, count;
};

struct workpool {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    struct lane lane[2]; /* 0: main, 1: limited */
    unsigned queue;      /* main lane: jobs waiting beyond idle workers */
    unsigned lim_run, lim_wait; /* limited lane: running, waiting */
    unsigned running1;          /* limited-lane jobs running now */
    unsigned idle, nthreads;
    int stop, nice;
    unsigned started;                /* threads up; of them: */
    unsigned cg_failed, prio_failed; /* not in cgroup, not at priority */
    const char *cgroup;
    pthread_t *threads;
};

/* The lane a free worker should take a job from, or -1 (mu held). */
static int
next_lane(const struct workpool *p)
{
    if (p->lane[0].count)
        return 0;
    if (p->lane[1].count && p->running1 < p->lim_run)
        return 1;
    return -1;
}

static void *
worker(void *arg)
{
    struct workpool *p = arg;
    int cg_failed = p->cgroup && cgroup_join(p->cgroup) < 0;
    int prio_failed = 0;
    if (p->nice > 19) {
        /* SCHED_IDLE: the thread runs only when nothing else of ours
         * wants the CPU. */
        struct sched_param sp = {0};
        prio_failed =
            pthread_setschedparam(pthread_self(), SCHED_IDLE, &sp) != 0;
    } else if (p->nice) {
        prio_failed =
            setpriority(PRIO_PROCESS, (id_t)syscall(SYS_gettid), p->nice) != 0;
    }
    pthread_mutex_lock(&p->mu);
    p->started++;
    p->cg_failed += (unsigned)cg_failed;
    p->prio_failed += (unsigned)prio_failed;
    pthread_cond_broadcast(&p->cv);
    for (;;) {
        int l;
        while ((l = next_lane(p)) < 0 &&
               !(p->stop && !p->lane[0].count && !p->lane[1].count)) {
            p->idle++;
            pthread_cond_wait(&p->cv, &p->mu);
            p->idle--;
        }
        if (l < 0)
            break; /* stopping, and both lanes are empty */
        struct lane *ln = &p->lane[l];
        struct job j = ln->q[ln->head];
        ln->head = (ln->head + 1) % ln->cap;
        ln->count--;
        if (l == 1)
            p->running1++;
        pthread_mutex_unlock(&p->mu);
        j.fn(j.arg);
        pthread_mutex_lock(&p->mu);
        if (l == 1) {
            p->running1--;
            /* A worker may be waiting for the limited lane's slot. */
            pthread_cond_broadcast(&p->cv);
        }
    }
    pthread_mutex_unlock(&p->mu);
    return NULL;
}

struct workpool *
workpool_new(unsigned threads, unsigned queue, int nice, const char *cgroup)
{
    struct workpool *p = calloc(1, sizeof *p);
    if (!p)
        return NULL;
    /* Each lane holds at most threads running-to-be plus queue waiting. */
    for (unsigned l = 0; l < 2; l++) {
        p->lane[l].cap = threads + queue;
        p->lane[l].q = calloc(p->lane[l].cap, sizeof *p->lane[l].q);
    }
    p->queue = queue;
    p->lim_run = threads > 1 ? threads - 1 : 1;
    p->lim_wait = queue / 2;
    p->nice = nice;
    p->cgroup = cgroup;
    p->threads = calloc(threads, sizeof *p->threads);
    pthread_mutex_init(&p->mu, NULL);
    pthread_cond_init(&p->cv, NULL);
    if (!p->lane[0].q || !p->lane[1].q || !p->threads)
        goto fail;
    for (unsigned i = 0; i < threads; i++) {
        if (pthread_create(&p->threads[i], NULL, worker, p) != 0)
            goto fail;
        p->nthreads++;
    }
    /* Wait until every thread has taken its place and priority, so that
     * workpool_start_failures can tell. */
    pthread_mutex_lock(&p->mu);
    while (p->started < p->nthreads)
        pthread_cond_wait(&p->cv, &p->mu);
    pthread_mutex_unlock(&p->mu);
    return p;
fail:
    workpool_free(p);
    return NULL;
}

void
workpool_start_failures(struct workpool *p, unsigned *cgroup, unsigned *prio)
{
    pthread_mutex_lock(&p->mu);
    *cgroup = p->cg_failed;
    *prio = p->prio_failed;
    pthread_mutex_unlock(&p->mu);
}

void
workpool_limit(struct workpool *p, unsigned running, unsigned waiting)
{
    pthread_mutex_lock(&p->mu);
    if (running < 1)
        running = 1;
    p->lim_run = running > p->nthreads ? p->nthreads : running;
    p->lim_wait = waiting > p->queue ? p->queue : waiting;
    pthread_mutex_unlock(&p->mu);
}

/* Queues a job on lane l if its bound allows (mu held); 0 or -1. */
static int
push(struct workpool *p, unsigned l, void (*fn)(void *), void *arg)
{
    struct lane *ln = &p->lane[l];
    /* How many jobs could start at once, and how many may wait beyond. */
    unsigned start_now, may_wait;
    if (l == 0) {
        start_now = p->idle;
        may_wait = p->queue;
    } else {
        start_now = p->lim_run > p->running1 ? p->lim_run - p->running1 : 0;
        may_wait = p->lim_wait;
    }
    unsigned waiting =
        ln->count + 1 > start_now ? ln->count + 1 - start_now : 0;
    if (p->stop || ln->count >= ln->cap || waiting > may_wait)
        return -1;
    ln->q[(ln->head + ln->count) % ln->cap] = (struct job){fn, arg};
    ln->count++;
    pthread_cond_signal(&p->cv);
    return 0;
}

static int
submit(struct workpool *p, unsigned lane, void (*fn)(void *), void *arg)
{
    pthread_mutex_lock(&p->mu);
    int rc = push(p, lane, fn, arg);
    pthread_mutex_unlock(&p->mu);
    return rc;
}

int
workpool_submit(struct workpool *p, void (*fn)(void *), void *arg)
{
    return submit(p, 0, fn, arg);
}

int
workpool_submit_limited(struct workpool *p, void (*fn)(void *), void *arg)
{
    return submit(p, 1, fn, arg);
}

void
workpool_free(struct workpool *p)
{
    if (!p)
        return;
    pthread_mutex_lock(&p->mu);
    p->stop = 1;
    pthread_cond_broadcast(&p->cv);
    pthread_mutex_unlock(&p->mu);
    for (unsigned i = 0; i < p->nthreads; i++)
        pthread_join(p->threads[i], NULL);
    pthread_mutex_destroy(&p->mu);
    pthread_cond_destroy(&p->cv);
    free(p->lane[0].q);
    free(p->lane[1].q);
    free(p->threads);
    free(p);
}
