/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * stats_ledger: the publication ledger of the statistics (`stats
 * --publish`). Every publication is one entry of the case store's ledger
 * under the key "stats.publication": the cut (sorted dimensions, period,
 * dates, policy, hash of the region groups), the day, whether a re-cut
 * was forced, and the table as its canonical JSON (stats_json). The
 * ledger lets the same cut be issued again with the same figures and
 * refuses another cut of a period already published.
 */
#ifndef UMBRA_CASE_STATS_LEDGER_H
#define UMBRA_CASE_STATS_LEDGER_H

#include "stats_table.h"

struct store;

/* The cut of a table: what makes two publications the same. */
struct stats_cut {
    char dims[2][16]; /* sorted names, "" for none */
    char period[8];
    char from[11], to[11];
    unsigned threshold, round;
    char epsilon[24];
    char regions[17];
};

/* What a scan of the ledger found for the cut want. */
struct stats_ledger_scan {
    const struct stats_cut *want;
    char *same_table; /* JSON of a publication of the same cut (malloc'd) */
    char same_date[11];
    struct stats_cut clash;
    char clash_date[11];
    int clashes;
};

/* The cut of p with the region groups' hash (or ""). */
void stats_cut_of(struct stats_cut *ct, const struct stats_pub *p,
                  const char *regions);

/* Scans the ledger for ls->want (set want, zero the rest; free
 * ls->same_table afterwards). Entries it cannot read are skipped. 0 or a
 * negative error of the store. */
int stats_ledger_find(struct store *s, struct stats_ledger_scan *ls)
    __attribute__((warn_unused_result));

/* Records the publication of p under cut ct. 0 or -1. */
int stats_ledger_record(struct store *s, const struct stats_cut *ct,
                        const struct stats_pub *p, int forced)
    __attribute__((warn_unused_result));

#endif
