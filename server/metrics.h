/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * metrics: counters and latency histograms for GET /metrics (Prometheus
 * text format). Labels are the route's fixed name and the status class
 * only: nothing that could tell one client from another. Updated with
 * atomic adds from any thread.
 */
#ifndef UMBRA_SERVER_METRICS_H
#define UMBRA_SERVER_METRICS_H

#include <stddef.h>
#include <stdint.h>

#define METRICS_MAX_ROUTES 32

/* Registers route names (static strings), index i = route id. */
void metrics_init(const char *const *names, unsigned n);
/* One finished request: route id (or n for unmatched), HTTP status,
 * duration in ns. */
void metrics_request(unsigned route, unsigned status, uint64_t ns);
/* One group commit of rows envelopes. */
void metrics_batch(unsigned rows, int ok);
/* What the retention purge takes (mover.c): rows of each kind. */
enum metrics_purged {
    PURGED_ENVELOPES,
    PURGED_MAILBOXES,
    PURGED_REPLIES,
    PURGED_EVENTS,
    PURGED_ALERTS,
    PURGED_KINDS
};
/* n rows of kind purged by one purge run. */
void metrics_purged(enum metrics_purged kind, uint64_t n);
/* Renders the text; *out is malloc'd (free it). 0 or -1. */
int metrics_render(char **out, size_t *len)
    __attribute__((warn_unused_result));

#endif
