/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * clock: the monotonic clock the C tests and benchmarks time things with
 * (tests/unit/case_unit.c, tests/bench/bench_case.c), found with
 * -Itests/lib like check.h.
 */
#ifndef UMBRA_TEST_CLOCK_H
#define UMBRA_TEST_CLOCK_H

#include <time.h>

/* Seconds of CLOCK_MONOTONIC, to subtract from a later reading. */
static inline double
test_now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

#endif
