/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * bench_server_kdf: "Argon2 alone" for bench-server, measured the way
 * umbra-server's Argon2 pool runs it, so that the no-JS path's ceiling is
 * a fair one:
 *   - THREADS threads at once (the pool's kdf_threads), each at the pool's
 *     priority (NICE as kdf_nice: 1..19 setpriority, 20 SCHED_IDLE);
 *   - each thread loops umbra_mailbox_derive (crypto_pwhash Argon2id
 *     t=2 m=19 MiB p=1, the receipt's keypair and mailbox id), the very
 *     call the server makes per report, with the same allocator
 *     behaviour (libsodium maps and unmaps its 19 MiB on every call);
 *   - for SECS seconds of wall time; each thread's rate is the
 *     derivations it finished in the window over the time to its last
 *     one, and per_s is the sum of the threads' rates.
 * Prints one line:
 *   KDF threads=T nice=N per_s=R ms_each=M
 * per_s is the pool's own throughput ceiling (derivations per second with
 * T threads busy); ms_each is the mean wall time of one derivation while
 * T run together (memory bandwidth is shared, so it is higher than one
 * thread alone).
 *
 * Usage: bench_server_kdf THREADS NICE SECS
 */
#define _GNU_SOURCE
#include "umbra.h"

#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define MAX_THREADS 64

struct worker {
    pthread_t t;
    int nice;
    double start, until, last;
    long done;
    double busy_ms;
    int err;
};

static double
now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static void *
run(void *arg)
{
    struct worker *w = arg;
    struct umbra_mailbox *mb = umbra_secret_alloc(sizeof *mb);
    char r[UMBRA_RECEIPT_DISPLAY_LEN + 1];
    char d[UMBRA_RECEIPT_DIGITS + 1];

    /* The same priority as server/workpool.c gives its threads. */
    if (w->nice > 19) {
        struct sched_param sp = {0};
        (void)pthread_setschedparam(pthread_self(), SCHED_IDLE, &sp);
    } else if (w->nice) {
        (void)setpriority(PRIO_PROCESS, (id_t)syscall(SYS_gettid), w->nice);
    }
    if (!mb) {
        w->err = 1;
        return NULL;
    }
    for (;;) {
        double a = now_ms();
        if (a >= w->until)
            break;
        umbra_receipt_new(r);
        if (umbra_receipt_normalise(d, r, strlen(r)) != 0 ||
            umbra_mailbox_derive(mb, d) != 0) {
            w->err = 1;
            break;
        }
        double b = now_ms();
        if (b > w->until)
            break; /* finished past the window: not counted */
        w->done++;
        w->busy_ms += b - a;
        w->last = b;
    }
    umbra_secret_free(mb);
    return NULL;
}

int
main(int argc, char **argv)
{
    struct worker w[MAX_THREADS];
    long threads, nice, secs, total = 0;
    double busy = 0, rate = 0;

    if (argc != 4 || umbra_secure_init() != 0) {
        fprintf(stderr, "usage: bench_server_kdf THREADS NICE SECS\n");
        return 2;
    }
    threads = strtol(argv[1], NULL, 10);
    nice = strtol(argv[2], NULL, 10);
    secs = strtol(argv[3], NULL, 10);
    if (threads < 1 || threads > MAX_THREADS || nice < 0 || nice > 20 ||
        secs < 1 || secs > 600)
        return 2;
    memset(w, 0, sizeof w);
    double t0 = now_ms();
    for (long i = 0; i < threads; i++) {
        w[i].nice = (int)nice;
        w[i].start = t0;
        w[i].until = t0 + (double)secs * 1e3;
        if (pthread_create(&w[i].t, NULL, run, &w[i]) != 0)
            return 1;
    }
    for (long i = 0; i < threads; i++) {
        pthread_join(w[i].t, NULL);
        if (w[i].err)
            return 1;
        total += w[i].done;
        busy += w[i].busy_ms;
        if (w[i].done)
            rate += (double)w[i].done * 1e3 / (w[i].last - w[i].start);
    }
    printf("KDF threads=%ld nice=%ld per_s=%.1f ms_each=%.2f\n", threads, nice,
           rate, total ? busy / (double)total : 0.0);
    return 0;
}
