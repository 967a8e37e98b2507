/* SPDX-License-Identifier: AGPL-3.0-or-later */
/* metrics: see metrics.h. */
#include "metrics.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const double bounds_ms[] = {1,   2.5, 5,    10,   25,  50,
                                   100, 250, 500, 1000, 2500, 10000};
#define NB (sizeof bounds_ms / sizeof bounds_ms[0])

struct route_metrics {
    uint64_t status[6]; /* by first digit 0..5 */
    uint64_t bucket[NB + 1];
    uint64_t sum_us;
};

static const char *const *route_names;
static unsigned nroutes;
static struct route_metrics rm[METRICS_MAX_ROUTES + 1];
static uint64_t batches, batch_rows, batch_failures;
static uint64_t purged[PURGED_KINDS];
static const char *const purged_names[PURGED_KINDS] = {
    "envelopes", "mailboxes", "replies", "events", "alerts"};

void
metrics_init(const char *const *names, unsigned n)
{
    route_names = names;
    nroutes = n > METRICS_MAX_ROUTES ? METRICS_MAX_ROUTES : n;
}

void
metrics_request(unsigned route, unsigned status, uint64_t ns)
{
    if (route > nroutes)
        route = nroutes;
    struct route_metrics *m = &rm[route];
    unsigned cls = status / 100;
    if (cls > 5)
        cls = 0;
    __atomic_add_fetch(&m->status[cls], 1, __ATOMIC_RELAXED);
    double ms = (double)ns / 1e6;
    unsigned b = 0;
    while (b < NB && ms > bounds_ms[b])
        b++;
    __atomic_add_fetch(&m->bucket[b], 1, __ATOMIC_RELAXED);
    __atomic_add_fetch(&m->sum_us, ns / 1000, __ATOMIC_RELAXED);
}

void
metrics_batch(unsigned rows, int ok)
{
    __atomic_add_fetch(&batches, 1, __ATOMIC_RELAXED);
    if (ok)
        __atomic_add_fetch(&batch_rows, rows, __ATOMIC_RELAXED);
    else
        __atomic_add_fetch(&batch_failures, 1, __ATOMIC_RELAXED);
}

void
metrics_purged(enum metrics_purged kind, uint64_t n)
{
    if ((unsigned)kind < PURGED_KINDS && n)
        __atomic_add_fetch(&purged[kind], n, __ATOMIC_RELAXED);
}

int
metrics_render(char **out, size_t *len)
{
    char *p = NULL;
    size_t n = 0;
    FILE *f = open_memstream(&p, &n);
    if (!f)
        return -1;
    fputs("# HELP umbra_requests_total HTTP requests by route and status "
          "class.\n# TYPE umbra_requests_total counter\n", f);
    for (unsigned r = 0; r <= nroutes; r++) {
        const char *name = r < nroutes ? route_names[r] : "unmatched";
        for (unsigned c = 1; c <= 5; c++) {
            uint64_t v = __atomic_load_n(&rm[r].status[c], __ATOMIC_RELAXED);
            if (v)
                fprintf(f, "umbra_requests_total{route=\"%s\",code=\"%uxx\"} "
                        "%llu\n", name, c, (unsigned long long)v);
        }
    }
    fputs("# HELP umbra_request_seconds Time from request headers to "
          "response.\n# TYPE umbra_request_seconds histogram\n", f);
    for (unsigned r = 0; r <= nroutes; r++) {
        const char *name = r < nroutes ? route_names[r] : "unmatched";
        uint64_t cum = 0;
        for (unsigned b = 0; b <= NB; b++) {
            cum += __atomic_load_n(&rm[r].bucket[b], __ATOMIC_RELAXED);
            if (b < NB)
                fprintf(f, "umbra_request_seconds_bucket{route=\"%s\","
                        "le=\"%g\"} %llu\n", name, bounds_ms[b] / 1000.0,
                        (unsigned long long)cum);
            else
                fprintf(f, "umbra_request_seconds_bucket{route=\"%s\","
                        "le=\"+Inf\"} %llu\n", name, (unsigned long long)cum);
        }
        fprintf(f, "umbra_request_seconds_sum{route=\"%s\"} %.6f\n", name,
                (double)__atomic_load_n(&rm[r].sum_us, __ATOMIC_RELAXED) /
                    1e6);
        fprintf(f, "umbra_request_seconds_count{route=\"%s\"} %llu\n", name,
                (unsigned long long)cum);
    }
    fprintf(f, "# TYPE umbra_commit_batches_total counter\n"
            "umbra_commit_batches_total %llu\n"
            "# TYPE umbra_commit_batch_failures_total counter\n"
            "umbra_commit_batch_failures_total %llu\n"
            "# TYPE umbra_envelopes_stored_total counter\n"
            "umbra_envelopes_stored_total %llu\n",
            (unsigned long long)__atomic_load_n(&batches, __ATOMIC_RELAXED),
            (unsigned long long)__atomic_load_n(&batch_failures,
                                                __ATOMIC_RELAXED),
            (unsigned long long)__atomic_load_n(&batch_rows,
                                                __ATOMIC_RELAXED));
    /* counts of whole purge runs (an hour apart by default), as the log */
    fputs("# HELP umbra_retention_purged_total Rows the retention purge "
          "took since start.\n# TYPE umbra_retention_purged_total "
          "counter\n", f);
    for (unsigned k = 0; k < PURGED_KINDS; k++)
        fprintf(f, "umbra_retention_purged_total{what=\"%s\"} %llu\n",
                purged_names[k],
                (unsigned long long)__atomic_load_n(&purged[k],
                                                    __ATOMIC_RELAXED));
    if (fclose(f) != 0) {
        free(p);
        return -1;
    }
    *out = p;
    *len = n;
    return 0;
}
