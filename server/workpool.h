/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * workpool: a fixed set of threads taking jobs from two bounded FIFO
 * queues, the main lane and a limited lane. umbra-server runs two pools:
 * the Argon2 pool (receipts on the no-JS path, niced and, with kdf_cgroup,
 * in an idle cgroup, so it yields to intake) and the database pool (routes
 * that wait on PostgreSQL), so the HTTP event thread never blocks.
 *
 * A free worker takes the oldest main-lane job first; it takes a
 * limited-lane job only while fewer than `running` of them run. Each lane
 * has its own queue bound, so a flood of limited jobs (POST /check) can
 * neither take every worker nor every queue slot from the main lane (POST
 * /report): with threads >= 2 and running < threads, at least
 * threads - running workers are left to the main lane, and its queue is
 * its own. Jobs past a lane's bound are refused at once, and the caller
 * answers 503 with Retry-After.
 */
#ifndef UMBRA_SERVER_WORKPOOL_H
#define UMBRA_SERVER_WORKPOOL_H

struct workpool;

/* threads >= 1; queue = main-lane jobs waiting beyond the running ones;
 * nice is added to each worker thread's priority (20: SCHED_IDLE); cgroup,
 * when not NULL, is a cgroup directory each worker moves itself into (see
 * cgroup.h; the string must outlive the pool). The limited lane starts at
 * running = threads - 1 (at least 1) and queue / 2 waiting. Returns once
 * every worker runs; NULL on failure. */
struct workpool *workpool_new(unsigned threads, unsigned queue, int nice,
                              const char *cgroup);
/* Sets the limited lane's bounds: at most `running` of its jobs run at once
 * (clamped to 1..threads) and at most `waiting` wait beyond those (clamped
 * to the main lane's queue). */
void workpool_limit(struct workpool *p, unsigned running, unsigned waiting);
/* How many workers could not move into the pool's cgroup, and how many
 * could not take its priority (a seccomp filter may refuse setpriority). */
void workpool_start_failures(struct workpool *p, unsigned *cgroup,
                             unsigned *prio);
/* Queues fn(arg) on the main lane; 0, or -1 when its queue is full. */
int workpool_submit(struct workpool *p, void (*fn)(void *), void *arg)
    __attribute__((warn_unused_result));
/* Queues fn(arg) on the limited lane; 0, or -1 when its share is full. */
int workpool_submit_limited(struct workpool *p, void (*fn)(void *), void *arg)
    __attribute__((warn_unused_result));
/* Runs the queued jobs, joins the threads, frees p; NULL-safe. */
void workpool_free(struct workpool *p);

#endif
