/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * verbs_purge: purge --closed-older-than DAYS [--yes] — removes from the
 * store the report text, conversation and notes of closed cases quiet for
 * DAYS days, keeps their coded facts for statistics, and rebuilds the file
 * so the text is gone from the disk (store_purge.c;
 * docs/caseworker-guide.md "Keeping less").
 */
#include "args.h"
#include "case.h"
#include "store.h"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#define PURGE_DAYS_MAX 36500

static const char PURGE_USAGE[] =
    "usage: umbra-case [--home DIR] purge --closed-older-than DAYS [--yes]\n"
    "\n"
    "For every closed case with no activity (import, triage, message,\n"
    "reply) for DAYS days: removes its report text, its conversation, its\n"
    "notes, its summary and its reply mailbox, and keeps its coded facts\n"
    "(dates, country, region, categories, needs, consent), labels and\n"
    "history, so statistics count it as before. The store file is then\n"
    "rebuilt so the text is gone from the disk. Without --yes it only\n"
    "says how many cases it would purge. There is no undo.\n";

static const struct option PURGE_OPTS[] = {
    ARGS_VALUE("closed-older-than", 'd'),
    ARGS_FLAG("yes", 'y'),
    ARGS_LAST,
};

/* The local day DAYS days before today, YYYY-MM-DD; 0 or -1. */
static int
day_before(char out[11], unsigned long days)
{
    time_t t = time(NULL);
    struct tm tm;

    if (localtime_r(&t, &tm) == NULL)
        return -1;
    tm.tm_mday -= (int)days;
    tm.tm_hour = 12; /* away from a daylight-saving change */
    tm.tm_isdst = -1;
    t = mktime(&tm);
    if (t == (time_t)-1 || localtime_r(&t, &tm) == NULL ||
        strftime(out, 11, "%Y-%m-%d", &tm) != 10)
        return -1;
    return 0;
}

int
verb_purge(struct case_env *e, int argc, char **argv)
{
    struct args a;
    char before[11], *end = NULL;
    unsigned long days = 0;
    uint64_t n = 0;
    int k, have_days = 0, yes = 0;

    if (case_help(PURGE_USAGE, argc, argv))
        return CASE_OK;
    args_init(&a, argc, argv, PURGE_OPTS);
    while ((k = args_next(&a)) != ARGS_END) {
        if (k == 'y') {
            yes = 1;
        } else if (k == 'd') {
            days = strtoul(a.val, &end, 10);
            if (a.val[0] < '0' || a.val[0] > '9' || *end != '\0' ||
                days > PURGE_DAYS_MAX) {
                case_err("--closed-older-than takes a number of days, "
                         "0 to %d", PURGE_DAYS_MAX);
                return case_usage(PURGE_USAGE);
            }
            have_days = 1;
        } else {
            args_why(&a, k);
            return case_usage(PURGE_USAGE);
        }
    }
    if (!have_days) {
        case_err("purge needs --closed-older-than DAYS");
        return case_usage(PURGE_USAGE);
    }
    if (day_before(before, days) != 0) {
        case_err("cannot read the clock");
        return CASE_FAIL;
    }
    if (case_setup(e) != 0)
        return CASE_FAIL;
    if (!yes) {
        if (store_purge_count(e->store, before, &n) != 0)
            return CASE_FAIL;
        printf("%llu closed case%s with no activity since before %s would "
               "lose their report text, conversation and notes (their "
               "facts stay for statistics). Add --yes to purge them.\n",
               (unsigned long long)n, n == 1 ? "" : "s", before);
        return CASE_OK;
    }
    if (store_begin(e->store) != 0)
        return CASE_FAIL;
    if (store_purge_closed(e->store, before, "umbra-case purge", &n) != 0 ||
        store_commit(e->store) != 0) {
        store_rollback(e->store);
        return CASE_FAIL;
    }
    if (store_vacuum(e->store) != 0)
        return CASE_FAIL;
    printf("Purged %llu closed case%s (no activity since before %s): their "
           "report text, conversation and notes are gone from the store "
           "file; their facts stay for statistics.\n",
           (unsigned long long)n, n == 1 ? "" : "s", before);
    return CASE_OK;
}
