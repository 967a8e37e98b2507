/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * progress: what pull and import show while they work. On a terminal, one
 * line redrawn at most five times a second: counts, rate, and a bar when
 * the total is known. Elsewhere (a log, a pipe), a plain line every ten
 * seconds. The closing line is the caller's.
 */
#ifndef UMBRA_CASE_PROGRESS_H
#define UMBRA_CASE_PROGRESS_H

#include <stdint.h>

struct progress {
    const char *what;
    int mode;            /* 1 terminal bar, 0 plain lines, -1 silent */
    uint64_t total;      /* bytes, 0 if unknown */
    double start, last;
    int drawn;
};

/* mode: 1 bar, 0 lines, -1 silent; progress_mode() picks 1 or 0. */
int progress_mode(void);
void progress_start(struct progress *p, const char *what, int mode,
                    uint64_t total);
void progress_update(struct progress *p, uint64_t done, long records,
                     long stored);
void progress_end(struct progress *p);

#endif
