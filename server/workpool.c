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

struct workpool {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    struct job *q;
    unsigned cap, head, count, idle, nthreads;
    int stop, nice;
    unsigned started;            /* threads up; of them: */
    unsigned cg_failed, prio_failed; /* not in cgroup, not at priority */
    const char *cgroup;
    pthread_t *threads;
};

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
        prio_failed = pthread_setschedparam(pthread_self(), SCHED_IDLE, &sp) != 0;
    } else if (p->nice) {
        prio_failed = setpriority(PRIO_PROCESS, (id_t)syscall(SYS_gettid),
                                  p->nice) != 0;
    }
    pthread_mutex_lock(&p->mu);
    p->started++;
    p->cg_failed += (unsigned)cg_failed;
    p->prio_failed += (unsigned)prio_failed;
    pthread_cond_broadcast(&p->cv);
    for (;;) {
        while (p->count == 0 && !p->stop) {
            p->idle++;
            pthread_cond_wait(&p->cv, &p->mu);
            p->idle--;
        }
        if (p->count == 0 && p->stop)
            break;
        struct job j = p->q[p->head];
        p->head = (p->head + 1) % p->cap;
        p->count--;
        pthread_mutex_unlock(&p->mu);
        j.fn(j.arg);
        pthread_mutex_lock(&p->mu);
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
    p->cap = threads + queue;
    p->nice = nice;
    p->cgroup = cgroup;
    p->q = calloc(p->cap, sizeof *p->q);
    p->threads = calloc(threads, sizeof *p->threads);
    pthread_mutex_init(&p->mu, NULL);
    pthread_cond_init(&p->cv, NULL);
    if (!p->q || !p->threads)
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

int
workpool_submit(struct workpool *p, void (*fn)(void *), void *arg)
{
    int rc = -1;
    pthread_mutex_lock(&p->mu);
    /* Jobs beyond the idle workers wait; at most cap - nthreads of them. */
    unsigned waiting = p->count + 1 > p->idle ? p->count + 1 - p->idle : 0;
    if (!p->stop && p->count < p->cap &&
        waiting <= p->cap - p->nthreads) {
        p->q[(p->head + p->count) % p->cap] = (struct job){fn, arg};
        p->count++;
        pthread_cond_signal(&p->cv);
        rc = 0;
    }
    pthread_mutex_unlock(&p->mu);
    return rc;
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
    free(p->q);
    free(p->threads);
    free(p);
}
