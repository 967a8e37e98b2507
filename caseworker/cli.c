/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * cli: umbra-case's global options and verb table.
 *
 * Global options (--home, --passphrase-file) may come before or after the
 * verb; they are taken out of argv before the verb sees it.
 */
#include "case.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char USAGE[] =
    "usage: umbra-case [--home DIR] [--passphrase-file FILE] VERB [ARGS]\n"
    "\n"
    "The caseworker tool of Umbra. The home (default $UMBRA_HOME, else\n"
    "~/.umbra) holds the organisation's key file, its public key bundle and\n"
    "the encrypted case store. The passphrase comes from --passphrase-file,\n"
    "else $UMBRA_PASSPHRASE_FILE, else it is asked without echo.\n"
    "\n"
    "Setting up:\n"
    "  init --org SLUG            a new home with new organisation keys\n"
    "  fingerprint FILE           the fingerprint of a public key bundle\n"
    "  keys list | keys add       show keys; add a new key (rotation)\n"
    "  init --org SLUG --member --name NAME   a home for one more caseworker\n"
    "  keys add-member FILE | remove-member ID | join FILE\n"
    "                             caseworkers with their own keys\n"
    "Getting reports:\n"
    "  pull --server URL --token-file FILE [--out BUNDLE]\n"
    "                             fetch new sealed reports (no passphrase)\n"
    "  import [BUNDLE]            open a bundle into the case store\n"
    "  quarantine                 reports refused at import, with reasons\n"
    "Working on cases:\n"
    "  list [--status S] [--category C] [--from DAY] [--to DAY]\n"
    "       [--label L] [--json]  the cases\n"
    "  show ID [--json]           one case, in the reporter's words\n"
    "  triage ID [--status S] [--priority P] [--label L]... [--assign NAME]\n"
    "            [--note TEXT]    update a case (its history is kept)\n"
    "Answering and cleaning up:\n"
    "  reply ID --message-file FILE   queue a reply to the reporter\n"
    "  push --server URL --token-file FILE   send queued replies\n"
    "  ack --server URL --token-file FILE    delete imported reports from\n"
    "                                        the server\n"
    "Other:\n"
    "  seal --to PUBLIC.json [--to ...]   stdin to an envelope on stdout\n"
    "  open                       an envelope on stdin to its plaintext\n"
    "  stats ...                  anonymised statistics\n"
    "\n"
    "Every verb has --help. Exit status: 0 done, 1 error, 2 usage error.\n"
    "See docs/caseworker-guide.md.\n";

struct verb {
    const char *name;
    int (*fn)(const struct case_opts *o, int argc, char **argv);
};

static const struct verb VERBS[] = {
    {"init", verb_init},         {"fingerprint", verb_fingerprint},
    {"seal", verb_seal},         {"open", verb_open},
    {"keys", verb_keys},         {"pull", verb_pull},
    {"import", verb_import},     {"list", verb_list},
    {"show", verb_show},         {"triage", verb_triage},
    {"reply", verb_reply},       {"push", verb_push},
    {"ack", verb_ack},           {"quarantine", verb_quarantine},
    {"stats", verb_stats},
};

/* 1 if the home was made by 'init --member' and has no public.json yet
 * (pull and import then only say what to do next). */
static int
member_not_joined(const struct case_opts *o)
{
    char m[CASE_PATH_MAX], p[CASE_PATH_MAX];

    if (case_path(m, sizeof m, o, "member.json") != 0 ||
        case_path(p, sizeof p, o, "public.json") != 0)
        return 0;
    return access(m, F_OK) == 0 && access(p, F_OK) != 0;
}

int
case_main(int argc, char **argv)
{
    struct case_opts o;
    char **rest = NULL;
    const char *home = NULL;
    int nrest = 0, i, rc = CASE_USAGE, dashdash = 0;
    size_t v;

    if (argc == 2 && strcmp(argv[1], "--version") == 0)
        return puts("umbra-case " UMBRA_VERSION) == EOF ? CASE_FAIL : CASE_OK;
    memset(&o, 0, sizeof o);
    if (umbra_secure_init() != 0) {
        case_err("cannot initialise libsodium");
        return CASE_FAIL;
    }
    rest = calloc((size_t)argc + 1, sizeof *rest);
    if (rest == NULL) {
        case_err("out of memory");
        return CASE_FAIL;
    }
    for (i = 1; i < argc; i++) {
        const char *val = NULL;
        int m;

        if (dashdash) {
            rest[nrest++] = argv[i];
            continue;
        }
        if (strcmp(argv[i], "--") == 0) {
            dashdash = 1;
            rest[nrest++] = argv[i];
            continue;
        }
        if ((m = case_opt("--home", argc, argv, &i, &val)) != 0) {
            if (m < 0 || val[0] == 0) {
                case_err("--home needs a folder");
                goto out;
            }
            home = val;
            continue;
        }
        if ((m = case_opt("--passphrase-file", argc, argv, &i, &val)) != 0) {
            if (m < 0) {
                case_err("--passphrase-file needs a file");
                goto out;
            }
            o.passphrase_file = val;
            continue;
        }
        rest[nrest++] = argv[i];
    }
    if (nrest == 0 || strcmp(rest[0], "--help") == 0 ||
        strcmp(rest[0], "-h") == 0 || strcmp(rest[0], "help") == 0) {
        fputs(USAGE, nrest == 0 ? stderr : stdout);
        rc = nrest == 0 ? CASE_USAGE : CASE_OK;
        goto out;
    }
    if (home == NULL)
        home = getenv("UMBRA_HOME");
    if (home == NULL || home[0] == 0) {
        const char *h = getenv("HOME");
        int n;

        if (h == NULL || h[0] == 0) {
            case_err("no home folder: set --home, $UMBRA_HOME or $HOME");
            rc = CASE_FAIL;
            goto out;
        }
        n = snprintf(o.home_buf, sizeof o.home_buf, "%s/.umbra", h);
        if (n < 0 || (size_t)n >= sizeof o.home_buf) {
            case_err("$HOME is too long");
            rc = CASE_FAIL;
            goto out;
        }
        o.home = o.home_buf;
    } else {
        o.home = home;
    }
    if ((strcmp(rest[0], "pull") == 0 || strcmp(rest[0], "import") == 0) &&
        member_not_joined(&o)) {
        case_err("this member home has not joined its organisation yet: give "
                 "%s/member.json to your organisation's key holder ('umbra-case "
                 "keys add-member'), then run 'umbra-case keys join "
                 "public.json' with the public.json they give you",
                 o.home);
        rc = CASE_FAIL;
        goto out;
    }
    for (v = 0; v < sizeof VERBS / sizeof VERBS[0]; v++) {
        if (strcmp(rest[0], VERBS[v].name) == 0) {
            rc = VERBS[v].fn(&o, nrest, rest);
            goto out;
        }
    }
    case_err("unknown verb '%s'; see 'umbra-case --help'", rest[0]);
    rc = CASE_USAGE;
out:
    fflush(stdout);
    free(rest);
    return rc;
}
