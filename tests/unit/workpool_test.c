/*
 * workpool_test: the server's bounded job pool (server/workpool.c): jobs
 * run, the queue refuses past its bound, and the gate holds the pool to
 * max_busy concurrent jobs while busy() says so and lets every thread run
 * otherwise (how the Argon2 pool leaves the API a core).
 */
#include "workpool.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <time.h>

static int pass, fail;
#define CHECK(c, ...)                                                          \
    do {                                                                       \
        if (c) {                                                               \
            pass++;                                                            \
        } else {                                                               \
            fail++;                                                            \
            fprintf(stderr, "FAIL %s:%d: ", __FILE__, __LINE__);               \
            fprintf(stderr, __VA_ARGS__);                                      \
            fputc('\n', stderr);                                               \
        }                                                                      \
    } while (0)

static atomic_int running, peak, done, busy_flag;

static void
sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

static void
job(void *arg)
{
    int now = atomic_fetch_add(&running, 1) + 1;
    int p = atomic_load(&peak);
    (void)arg;
    while (now > p && !atomic_compare_exchange_weak(&peak, &p, now))
        ;
    sleep_ms(30);
    atomic_fetch_sub(&running, 1);
    atomic_fetch_add(&done, 1);
}

static int
busy(void)
{
    return atomic_load(&busy_flag);
}

/* Submits n jobs to a fresh pool and waits for them; returns the peak. */
static int
run_jobs(int gate, int busy_now, int n)
{
    struct workpool *p = workpool_new(3, 16, 0);
    int i, waited = 0;

    if (!p)
        return -1;
    if (gate)
        workpool_set_gate(p, busy, 1);
    atomic_store(&busy_flag, busy_now);
    atomic_store(&peak, 0);
    atomic_store(&done, 0);
    for (i = 0; i < n; i++)
        if (workpool_submit(p, job, NULL) != 0)
            return -1;
    while (atomic_load(&done) < n && waited < 5000) {
        sleep_ms(10);
        waited += 10;
    }
    workpool_free(p);
    return atomic_load(&done) == n ? atomic_load(&peak) : -1;
}

int
main(void)
{
    int peak_v;
    struct workpool *p;
    int refused = 0, i;

    peak_v = run_jobs(0, 0, 6);
    CHECK(peak_v == 3, "no gate: 3 threads run together (peak %d)", peak_v);
    peak_v = run_jobs(1, 0, 6);
    CHECK(peak_v == 3, "gate open: 3 threads run together (peak %d)", peak_v);
    peak_v = run_jobs(1, 1, 6);
    CHECK(peak_v == 1, "gate closed: one job at a time (peak %d)", peak_v);

    /* The gate opening lets the waiting jobs spread out again. */
    p = workpool_new(3, 16, 0);
    CHECK(p != NULL, "pool");
    if (p) {
        workpool_set_gate(p, busy, 1);
        atomic_store(&busy_flag, 1);
        atomic_store(&peak, 0);
        atomic_store(&done, 0);
        for (i = 0; i < 9; i++)
            if (workpool_submit(p, job, NULL) != 0)
                refused++;
        sleep_ms(70);
        CHECK(atomic_load(&peak) == 1, "closed at first");
        atomic_store(&busy_flag, 0);
        for (i = 0; i < 300 && atomic_load(&done) < 9; i++)
            sleep_ms(10);
        CHECK(refused == 0 && atomic_load(&done) == 9, "all jobs ran");
        CHECK(atomic_load(&peak) >= 2, "opened: jobs ran together (peak %d)",
              atomic_load(&peak));
        workpool_free(p);
    }

    /* A queue of 2 behind 1 thread: the fourth job is refused at once. */
    atomic_store(&busy_flag, 0);
    p = workpool_new(1, 2, 0);
    CHECK(p != NULL, "small pool");
    if (p) {
        refused = 0;
        sleep_ms(20); /* let the worker reach its wait */
        for (i = 0; i < 4; i++)
            if (workpool_submit(p, job, NULL) != 0)
                refused++;
        CHECK(refused == 1, "past the queue: refused (%d refused)", refused);
        workpool_free(p);
    }
    printf("%d passed, %d failed\n", pass, fail);
    return fail != 0;
}
