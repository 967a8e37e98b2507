/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * phases: where an intake request's time goes, for diagnosis only. Off
 * unless the environment has UMBRA_PHASES=1 at start; then each phase
 * below keeps a histogram in memory (counts per duration bucket, lock-free
 * atomics) and phases_print writes them to stderr when the server stops:
 * counts and milliseconds, nothing about any request (no time of day, no
 * address, no organisation). docs/threat-model.md: keep it off in
 * production all the same (a histogram of a quiet server's few requests
 * is still a trace of activity in its log).
 *
 * Buckets are geometric, from 20 us up by a factor of 1.25 (the last holds
 * everything longer); a percentile is printed as the upper bound of the
 * bucket that holds it, so it is at most 25% high.
 */
#ifndef UMBRA_SERVER_PHASES_H
#define UMBRA_SERVER_PHASES_H

#include <stdint.h>

enum phase {
    PH_RECEIVE, /* API report: request start to its handler (body read) */
    PH_CHECK,   /* the handler: envelope, keys, quota checks, queueing */
    PH_QUEUE,   /* queued until a writer takes its batch */
    PH_APPEND,  /* spool: waiting for the append lock and room, write */
    PH_FSYNC,   /* spool: the batch's fdatasync */
    PH_ANSWER,  /* written: the 201 queued, resumed and sent */
    PH_TOTAL,   /* request start to the 201 sent, server side */
    PH_MOVE_TX, /* mover: one transaction (a chunk of envelopes) */
    PH_COUNT
};

/* Reads UMBRA_PHASES; call once before the threads start. */
void phases_init(void);
/* 1 when on. */
int phases_on(void);
/* A monotonic time in ns when on, 0 when off (so callers skip the rest). */
uint64_t phases_now(void);
/* Adds now - since to phase p (nothing when off or since is 0). */
void phases_add(enum phase p, uint64_t since);
/* Writes every phase that has counts to stderr, one line each. */
void phases_print(void);

#endif
