/*
 * workpool: a fixed set of threads taking jobs from a bounded FIFO queue.
 * umbra-server runs two: the Argon2 pool (receipts on the no-JS path,
 * niced and, with kdf_cgroup, in an idle cgroup, so it yields to intake)
 * and the database pool (routes that wait on PostgreSQL), so the HTTP
 * event thread never blocks. Jobs past the queue
 * are refused at once, and the caller answers 503 with Retry-After.
 */
#ifndef UMBRA_SERVER_WORKPOOL_H
#define UMBRA_SERVER_WORKPOOL_H

struct workpool;

/* threads >= 1; queue = jobs waiting beyond the running ones; nice is
 * added to each worker thread's priority (20: SCHED_IDLE); cgroup, when
 * not NULL, is a cgroup directory each worker moves itself into (see
 * cgroup.h; the string must outlive the pool). Returns once every worker
 * runs; NULL on failure. */
struct workpool *workpool_new(unsigned threads, unsigned queue, int nice,
                              const char *cgroup);
/* How many workers could not move into the pool's cgroup, and how many
 * could not take its priority (a seccomp filter may refuse setpriority). */
void workpool_start_failures(struct workpool *p, unsigned *cgroup,
                             unsigned *prio);
/* Queues fn(arg); 0, or -1 when the queue is full. */
int workpool_submit(struct workpool *p, void (*fn)(void *), void *arg)
    __attribute__((warn_unused_result));
/* Runs the queued jobs, joins the threads, frees p; NULL-safe. */
void workpool_free(struct workpool *p);

#endif
