/* SPDX-License-Identifier: AGPL-3.0-or-later */
/* progress: a progress bar or plain lines (see progress.h). */
#include "progress.h"
#include "case.h"

#include <stdio.h>
#include <time.h>
#include <unistd.h>

static double
now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int
progress_mode(void)
{
    return isatty(2) ? 1 : 0;
}

void
progress_start(struct progress *p, const char *what, int mode, uint64_t total)
{
    p->what = what;
    p->mode = mode;
    p->total = total;
    p->start = p->last = now();
    p->drawn = 0;
}

void
progress_update(struct progress *p, uint64_t done, long records, long stored)
{
    double t = now(), rate;

    if (p->mode < 0)
        return;
    if (t - p->last < (p->mode == 1 ? 0.2 : 10.0))
        return;
    p->last = t;
    rate = t > p->start ? (double)records / (t - p->start) : 0.0;
    if (p->mode == 1) {
        char bar[31];
        int i, fill = 0;

        if (p->total > 0 && done <= p->total)
            fill = (int)(30.0 * (double)done / (double)p->total);
        for (i = 0; i < 30; i++)
            bar[i] = i < fill ? '#' : (p->total > 0 ? '.' : ' ');
        bar[30] = 0;
        if (p->total > 0)
            fprintf(stderr, "\r%s [%s] %3d%%  %ld %s (%ld new)  %.0f/s ",
                    p->what, bar, fill * 100 / 30, records,
                    CASE_PL(records, "report"), stored, rate);
        else
            fprintf(stderr, "\r%s  %ld %s (%ld new)  %.0f/s ", p->what,
                    records, CASE_PL(records, "report"), stored, rate);
        p->drawn = 1;
    } else {
        fprintf(stderr, "%s: %ld %s so far (%ld new), %.0f/s\n", p->what,
                records, CASE_PL(records, "report"), stored, rate);
    }
    fflush(stderr);
}

void
progress_end(struct progress *p)
{
    if (p->mode == 1 && p->drawn) {
        fputs("\r\033[K", stderr);
        fflush(stderr);
    }
    p->drawn = 0;
}
