/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * verbs_triage: triage — a case's status, priority, labels, assignee and
 * notes, each change kept in its history (the checks and the changes
 * themselves in triage.c, which the desk shares).
 */
#include "args.h"
#include "case.h"
#include "store.h"
#include "triage.h"

#include <stdlib.h>
#include <string.h>

static const char TRIAGE_USAGE[] =
    "usage: umbra-case [--home DIR] triage ID [--status S] [--priority P]\n"
    "           [--label L]... [--unlabel L]... [--assign NAME]\n"
    "           [--note TEXT] [--as NAME]\n"
    "\n"
    "Updates a case. Statuses: new, in-progress, waiting (for the\n"
    "reporter), referred, closed. Priorities: urgent, high, normal, low.\n"
    "Each change is kept in the case's history with who made it (--as,\n"
    "else $UMBRA_CASEWORKER, else your login name) and the local time.\n";


static const struct option TRIAGE_OPTS[] = {
    ARGS_VALUE("status", 's'), ARGS_VALUE("priority", 'p'),
    ARGS_VALUE("label", 'l'), ARGS_VALUE("unlabel", 'u'),
    ARGS_VALUE("assign", 'a'), ARGS_VALUE("note", 'n'), ARGS_VALUE("as", 'w'),
    ARGS_LAST,
};

/* triage's command line into t; 0 or -1 (a usage error). */
static int
triage_args(struct triage *t, int argc, char **argv)
{
    const struct args_keep keep[] = {{'s', &t->status}, {'p', &t->priority},
                                     {'a', &t->assign}, {'n', &t->note},
                                     {'w', &t->as}};
    struct args a;
    int k, have_id = 0;

    args_init(&a, argc, argv, TRIAGE_OPTS);
    while ((k = args_next(&a)) != ARGS_END) {
        if (args_keep(keep, sizeof keep / sizeof keep[0], k, a.val))
            continue;
        if (k == 'l')
            t->labels[t->nl++] = a.val;
        else if (k == 'u')
            t->unlabels[t->nu++] = a.val;
        else if (k == ARGS_WORD && !have_id && args_id(a.val, &t->id) == 0)
            have_id = 1;
        else {
            case_why_id(&a, k, have_id);
            return -1;
        }
    }
    if (!have_id)
        case_why_id(&a, ARGS_END, 0);
    return have_id ? 0 : -1;
}

/* 0 if every value of t is valid, else -1 with the reason printed. */
static int
triage_check(const struct triage *t)
{
    switch (triage_invalid(t)) {
    case TRIAGE_OK:
        return 0;
    case TRIAGE_BAD_STATUS:
        case_err("unknown status '%s': use new, in-progress, waiting, "
                 "referred or closed",
                 t->status);
        break;
    case TRIAGE_BAD_PRIORITY:
        case_err("unknown priority '%s': use urgent, high, normal or low",
                 t->priority);
        break;
    case TRIAGE_BAD_LABEL:
        case_err("a label is 1 to 64 characters, without commas");
        break;
    default:
        case_err("names are 1 to 64 characters and notes 1 to 4096, "
                 "without control characters");
    }
    return -1;
}

int
verb_triage(struct case_env *e, int argc, char **argv)
{
    struct triage t;
    char who[80];
    int r, rc = CASE_FAIL, changes = 0;

    memset(&t, 0, sizeof t);
    if (case_help(TRIAGE_USAGE, argc, argv))
        return CASE_OK;
    t.labels = calloc((size_t)argc, sizeof *t.labels);
    t.unlabels = calloc((size_t)argc, sizeof *t.unlabels);
    if (t.labels == NULL || t.unlabels == NULL)
        goto out;
    if (triage_args(&t, argc, argv) != 0) {
        rc = case_usage(TRIAGE_USAGE);
        goto out;
    }
    if (triage_check(&t) != 0) {
        rc = CASE_USAGE;
        goto out;
    }
    case_who(who, sizeof who, t.as);
    if (case_setup(e) != 0 || store_begin(e->store) != 0)
        goto out;
    r = store_case_exists(e->store, t.id);
    if (r != 1) {
        store_rollback(e->store);
        if (r == 0)
            case_err("no case %lld; see 'umbra-case list'", (long long)t.id);
        goto out;
    }
    if (triage_apply(e->store, &t, who, &changes) != 0) {
        store_rollback(e->store);
        case_err("case %lld was not changed", (long long)t.id);
        goto out;
    }
    if (store_commit(e->store) != 0)
        goto out;
    printf("Case %lld: %d change%s saved.\n", (long long)t.id, changes,
           changes == 1 ? "" : "s");
    rc = CASE_OK;
out:
    free(t.labels);
    free(t.unlabels);
    return rc;
}

