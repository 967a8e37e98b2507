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

#include <stdint.h>

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

#define STATS_LEDGER_OVER_MAX 1024u /* publications an audit reads */
/* The noise budget: epsilon spent on one month, in millionths (2). */
#define STATS_EPS_BUDGET 2000000u

/* What a scan of the ledger found for the cut want. */
struct stats_ledger_scan {
    const struct stats_cut *want;
    char *same_table; /* JSON of a publication of the same cut (malloc'd) */
    char same_date[11];
    struct stats_cut clash;
    char clash_date[11];
    int clashes;
    /* a publication of the same dimensions, period, dates and groups
     * under another threshold, rounding or epsilon */
    int policy_clash;
    struct stats_cut pclash;
    char pclash_date[11];
    /* the tables of the publications connected to want by a chain of
     * overlapping date ranges, for the audit (unread: those that could
     * not be read) */
    struct stats_pub *over;
    size_t nover, unread;
    /* the most epsilon (millionths) already spent on a month of want's
     * range, and that month (YYYY-MM) */
    uint64_t spent;
    char spent_month[8];
    /* the seeds of want's months (sodium_malloc'd, 32 bytes each) and
     * which were found */
    uint8_t *seeds;
    unsigned char *have;
    int m0, nm;
};

/* The cut of p with the region groups' hash (or ""). */
void stats_cut_of(struct stats_cut *ct, const struct stats_pub *p,
                  const char *regions);

/* Scans the ledger for ls->want (set want, zero the rest;
 * stats_ledger_done afterwards). Entries it cannot read are skipped (an
 * overlapping one counted in unread). 0, or -1. */
int stats_ledger_find(struct store *s, struct stats_ledger_scan *ls)
    __attribute__((warn_unused_result));

/* Frees what a scan holds (the seeds wiped). */
void stats_ledger_done(struct stats_ledger_scan *ls);

/* The epsilon of p in millionths, rounded up (0 without noise). */
uint64_t stats_eps_micro(uint32_t num, uint32_t den);

/*
 * The noise key of the cut ls->want (after stats_ledger_find): a hash of
 * the secret seeds of its months and of the cut without its policy, so
 * that drafts, re-issues and member homes draw the same noise. Missing
 * seeds are made and recorded (and shared) when create is set (the key
 * holder's home); else -1 with the reason said. key: 32 bytes the caller
 * keeps in sodium_malloc'd memory. 0 or -1.
 */
int stats_ledger_noise_key(struct store *s, struct stats_ledger_scan *ls,
                           int create, uint8_t *key)
    __attribute__((warn_unused_result));

/* Records the publication of p under cut ct. 0 or -1. */
int stats_ledger_record(struct store *s, const struct stats_cut *ct,
                        const struct stats_pub *p, int forced)
    __attribute__((warn_unused_result));

#endif
