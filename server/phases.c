/* SPDX-License-Identifier: AGPL-3.0-or-later */
/* phases: see phases.h. */
#include "phases.h"
#include "util.h"

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NBUCKETS 64
#define FIRST_NS 20000.0 /* 20 us */
#define FACTOR 1.25

static int on;
static _Atomic uint64_t hist[PH_COUNT][NBUCKETS];
static _Atomic uint64_t max_ns[PH_COUNT];
static const char *const names[PH_COUNT] = {"receive", "check",  "queue",
                                            "append",  "fsync",  "answer",
                                            "total",   "move_tx"};
static double bounds[NBUCKETS]; /* upper bound of each bucket, ns */

void
phases_init(void)
{
    const char *v = getenv("UMBRA_PHASES");
    on = v && strcmp(v, "1") == 0;
    double b = FIRST_NS;
    for (unsigned i = 0; i < NBUCKETS; i++) {
        bounds[i] = b;
        b *= FACTOR;
    }
}

int
phases_on(void)
{
    return on;
}

uint64_t
phases_now(void)
{
    return on ? now_ns() : 0;
}

void
phases_add(enum phase p, uint64_t since)
{
    if (!on || since == 0 || (unsigned)p >= PH_COUNT)
        return;
    uint64_t t = now_ns();
    uint64_t d = t > since ? t - since : 0;
    unsigned i = 0;
    while (i < NBUCKETS - 1 && (double)d > bounds[i])
        i++;
    atomic_fetch_add_explicit(&hist[p][i], 1, memory_order_relaxed);
    uint64_t m = atomic_load_explicit(&max_ns[p], memory_order_relaxed);
    while (d > m &&
           !atomic_compare_exchange_weak_explicit(
               &max_ns[p], &m, d, memory_order_relaxed, memory_order_relaxed))
        ;
}

/* The upper bound in ms of the bucket holding quantile q of n counts. */
static double
quantile(const uint64_t *h, uint64_t n, double q)
{
    uint64_t want = (uint64_t)((double)n * q), seen = 0;
    for (unsigned i = 0; i < NBUCKETS; i++) {
        seen += h[i];
        if (seen > want)
            return bounds[i] / 1e6;
    }
    return bounds[NBUCKETS - 1] / 1e6;
}

void
phases_print(void)
{
    if (!on)
        return;
    for (unsigned p = 0; p < PH_COUNT; p++) {
        uint64_t h[NBUCKETS], n = 0;
        for (unsigned i = 0; i < NBUCKETS; i++) {
            h[i] = atomic_load(&hist[p][i]);
            n += h[i];
        }
        if (n == 0)
            continue;
        fprintf(stderr,
                "umbra-server: phase %-8s n %llu  p50 %.2f  p90 %.2f  "
                "p99 %.2f  p99.9 %.2f  max %.2f ms\n",
                names[p], (unsigned long long)n, quantile(h, n, 0.50),
                quantile(h, n, 0.90), quantile(h, n, 0.99),
                quantile(h, n, 0.999), (double)atomic_load(&max_ns[p]) / 1e6);
    }
}
