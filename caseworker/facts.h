/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * facts: the few coded fields of a case that statistics may read.
 *
 * The case store (store.c) keeps, beside each encrypted report, these coded
 * fields taken from the report document at import; the statistics module
 * (stats_count.c) reads them through store_facts_each() and never sees narrative
 * text. Codes follow the report document (docs/protocol.md section 6);
 * bit i of categories, needs and perpetrators is entry i of
 * FACTS_CATEGORIES / FACTS_NEEDS / FACTS_PERPETRATORS.
 */
#ifndef UMBRA_FACTS_H
#define UMBRA_FACTS_H

#include <stdint.h>

#include "umbra.h"

/* The lists of the report vocabulary (libumbra's report_vocab.h). */
#define FACTS_NCATEGORIES UMBRA_REPORT_NCATEGORIES
#define FACTS_NNEEDS UMBRA_REPORT_NNEEDS
#define FACTS_NPERPETRATORS UMBRA_REPORT_NPERPETRATORS
#define FACTS_CATEGORIES umbra_report_categories
#define FACTS_NEEDS umbra_report_needs
#define FACTS_PERPETRATORS umbra_report_perpetrators

struct case_facts {
    char received[11];   /* day the envelope reached the server, YYYY-MM-DD */
    char incident[11];   /* YYYY-MM or YYYY-MM-DD, or "" */
    char country[3];     /* ISO 3166-1 alpha-2 upper case, or "" */
    char region[64];     /* as reported, or "" */
    char lang[36];       /* BCP 47, or "" */
    uint32_t categories; /* bit set over FACTS_CATEGORIES */
    uint32_t needs;      /* bit set over FACTS_NEEDS */
    int perpetrator;     /* index into FACTS_PERPETRATORS, -1 if absent */
    uint32_t perpetrators; /* bit set over FACTS_PERPETRATORS: every one
                              named (perpetrator.types), 0 if none */
    int consent_statistics; /* 1 only if the reporter said yes */
};

struct store;

/* Calls cb for every case in the store (in no set order); stops and
 * returns cb's value if it is non-zero. 0 or a negative error. */
int store_facts_each(struct store *s,
                     int (*cb)(void *ctx, const struct case_facts *f),
                     void *ctx);

/* The publication ledger, kept encrypted in the case store: append one
 * entry (key, value are NUL-terminated UTF-8), and iterate entries in the
 * order they were added. 0 or a negative error. */
int store_ledger_add(struct store *s, const char *key, const char *value);
int store_ledger_each(struct store *s,
                      int (*cb)(void *ctx, const char *key,
                                const char *value),
                      void *ctx);

/* For tests and benchmarks: add n synthetic cases holding only facts (no
 * report), in one transaction. 0 or a negative error. */
int store_add_synthetic(struct store *s, const struct case_facts *f,
                        unsigned long n);

/* `umbra-case stats ...` (stats.c). s is the opened store, or NULL for
 * `stats merge`, which works on files only. argv[0] is "stats". Returns the
 * process exit code (0, 1 user error, 2 usage). */
int stats_main(struct store *s, int argc, char **argv);

#endif
