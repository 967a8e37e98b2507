/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * verbs_stats: stats — the store opened as the command needs (none for
 * `stats merge` and --help, the writer's lock for --publish and
 * --epsilon; --publish refused in a member's home), then
 * stats_run (stats_cli.c) does the rest.
 */
#include "case.h"
#include "members.h"
#include "stats.h"

#include <string.h>

int
verb_stats(struct case_env *e, int argc, char **argv)
{
    int i;

    for (i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0)
            return stats_run(NULL, e->o->home, argc, argv);
        if (argv[i][0] != '-')
            break;
    }
    if (argc >= 2 && strcmp(argv[1], "merge") == 0)
        return stats_run(NULL, e->o->home, argc, argv);
    /* a usage error before the passphrase is asked */
    i = stats_args_ok(argc, argv);
    if (i != 0)
        return i;
    /* The home gives the default region groups; only --publish writes (to
     * the ledger), so only it takes the writer's lock. */
    for (i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--publish") == 0 && case_is_member_home(e->o)) {
            case_err("stats: refused: publishing is reserved to the "
                     "organisation's key holder, whose ledger every "
                     "member's home shares; make a draft here (without "
                     "--publish) and ask the key holder");
            return CASE_FAIL;
        }
        /* --publish records; --epsilon may record a month's noise seed */
        if (strcmp(argv[i], "--publish") == 0 ||
            strcmp(argv[i], "--epsilon") == 0)
            e->need |= CASE_WRITE;
    }
    if (case_setup(e) != 0)
        return CASE_FAIL;
    return stats_run(e->store, e->o->home, argc, argv);
}

