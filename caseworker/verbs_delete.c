/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * verbs_delete: delete — erases one case from the store for good (the
 * store's secure_delete zeroes the freed pages). A reporter who writes
 * back afterwards starts a new case (docs/caseworker-guide.md).
 */
#include "args.h"
#include "case.h"
#include "store.h"

#include <stdio.h>

static const char DELETE_USAGE[] =
    "usage: umbra-case [--home DIR] delete ID --yes\n"
    "\n"
    "Erases case ID for good: its report, labels, history, conversation\n"
    "and replies not sent yet. It is not brought back by another import;\n"
    "if the reporter writes back later, that message becomes a new case.\n"
    "--yes is required: there is no undo.\n";

static const struct option DELETE_OPTS[] = {
    ARGS_FLAG("yes", 'y'),
    ARGS_LAST,
};

int
verb_delete(struct case_env *e, int argc, char **argv)
{
    struct args a;
    int64_t id = 0;
    int k, r, have_id = 0, yes = 0;

    if (case_help(DELETE_USAGE, argc, argv))
        return CASE_OK;
    args_init(&a, argc, argv, DELETE_OPTS);
    while ((k = args_next(&a)) != ARGS_END) {
        if (k == 'y')
            yes = 1;
        else if (k == ARGS_WORD && !have_id && args_id(a.val, &id) == 0)
            have_id = 1;
        else
            return case_usage_id(&a, k, have_id, DELETE_USAGE);
    }
    if (!have_id)
        return case_usage_id(&a, ARGS_END, 0, DELETE_USAGE);
    if (!yes) {
        case_err("delete erases case %lld for good; add --yes to confirm",
                 (long long)id);
        return case_usage(DELETE_USAGE);
    }
    if (case_setup(e) != 0 || store_begin(e->store) != 0)
        return CASE_FAIL;
    r = store_delete_case(e->store, id);
    if (r != 0 || store_commit(e->store) != 0) {
        store_rollback(e->store);
        if (r == 1)
            case_err("no case %lld; see 'umbra-case list'", (long long)id);
        return CASE_FAIL;
    }
    printf("Case %lld deleted.\n", (long long)id);
    return CASE_OK;
}
