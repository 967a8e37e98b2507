/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * verbs_import: import — every report of a bundle file opened into the
 * case store (import.c does the work).
 */
#include "args.h"
#include "bfile.h"
#include "case.h"
#include "import.h"
#include "team_sync.h"
#include "progress.h"
#include "store.h"

#include <stdio.h>
#include <string.h>

static const char IMPORT_USAGE[] =
    "usage: umbra-case [--home DIR] import [--retry-unopened] [BUNDLE]\n"
    "\n"
    "Opens every report of a bundle file (default DIR/incoming.umbrabundle)\n"
    "into the case store. Safe to run twice and to interrupt: each report is\n"
    "imported exactly once. Documents that are malformed or hostile go to\n"
    "the quarantine list ('umbra-case quarantine') with the reason.\n"
    "--retry-unopened tries again the reports this home could not open\n"
    "(after a key file with more keys was copied here).\n";


static const struct option IMPORT_OPTS[] = {
    ARGS_FLAG("retry-unopened", 'r'), ARGS_LAST,
};

/* The bundle's case events, merged after its reports (an event for a
 * report of this same bundle finds its case). 0 or -1 (said). */
static int
import_events(struct case_env *e, const char *path)
{
    struct team_counts tc;
    struct umbra_bundle b;
    char pub[CASE_PATH_MAX];

    if (case_path(pub, sizeof pub, e->o, "public.json") != 0 ||
        case_load_bundle(&b, pub) != 0 ||
        team_import_file(e->store, e->keys, &b, path, &tc) != 0)
        return -1;
    if (tc.records > 0)
        printf("Merged %ld new case %s of the team; %ld already here, %ld "
               "refused, %ld waiting for their report.\n",
               tc.accepted, CASE_PL(tc.accepted, "event"), tc.known,
               tc.refused, tc.pending);
    if (tc.shared > 0 || tc.reports > 0)
        printf("Shares passed on %ld %s and %ld earlier case %s.\n",
               tc.reports, CASE_PL(tc.reports, "report"), tc.shared,
               CASE_PL(tc.shared, "event"));
    return 0;
}

int
verb_import(struct case_env *e, int argc, char **argv)
{
    char inpath[CASE_PATH_MAX];
    struct import_counts c;
    struct import_keys ik;
    const char *path = NULL;
    struct args a;
    int rc = CASE_FAIL, retry = 0, k;

    memset(&c, 0, sizeof c);
    if (case_help(IMPORT_USAGE, argc, argv))
        return CASE_OK;
    args_init(&a, argc, argv, IMPORT_OPTS);
    while ((k = args_next(&a)) != ARGS_END) {
        if (k == 'r')
            retry = 1;
        else if (k == ARGS_WORD && a.val[0] != '-' && path == NULL)
            path = a.val;
        else {
            args_why(&a, k);
            return case_usage(IMPORT_USAGE);
        }
    }
    if (path == NULL) {
        if (case_path(inpath, sizeof inpath, e->o, "incoming.umbrabundle") !=
            0)
            return CASE_FAIL;
        path = inpath;
    }
    /* a file that is not a bundle (or cannot be read) gets its one line,
     * before the passphrase is asked and without the counts */
    {
        struct bfile bf;

        if (bfile_open_read(&bf, path) != 0)
            return CASE_FAIL;
        bfile_close(&bf);
    }
    if (case_setup(e) != 0)
        return CASE_FAIL;
    if (retry) {
        long n = 0;

        if (store_begin(e->store) != 0 ||
            store_forget_unopened(e->store, &n) != 0 ||
            store_commit(e->store) != 0) {
            store_rollback(e->store);
            return CASE_FAIL;
        }
        printf("Trying again %ld %s not opened before.\n", n,
               CASE_PL(n, "report"));
    }
    import_keys_from(&ik, e->keys);
    if (import_bundle(e->store, &c, &ik, path, progress_mode()) == 0)
        rc = CASE_OK;
    if (rc == CASE_OK && import_events(e, path) != 0)
        rc = CASE_FAIL;
    printf("Imported %ld new %s from %ld %s; %ld quarantined, %ld "
           "not for this home, %ld already imported.\n",
           c.cases, CASE_PL(c.cases, "case"), c.records,
           CASE_PL(c.records, "report"), c.quarantined, c.unopened,
           c.skipped);
    if (c.followups > 0)
        printf("%ld %s from reporters joined their cases.\n", c.followups,
               CASE_PL(c.followups, "follow-up"));
    if (c.unverified > 0)
        printf("%ld %s could not be verified as coming from their case's "
               "reporter: each is a new case marked unverified (see "
               "'umbra-case show').\n",
               c.unverified, CASE_PL(c.unverified, "follow-up"));
    if (c.quarantined + c.unopened > 0)
        printf("See 'umbra-case quarantine' for the refused ones.\n");
    return rc;
}

