/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * cli: umbra-case's global options and verb table.
 *
 * Global options (--home, --passphrase-file) may come before or after the
 * verb; they are taken out of argv before the verb sees it.
 */
#include "args.h"
#include "case.h"
#include "stats_share.h"
#include "store.h"
#include "team.h"

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
    "  delete ID --yes            erase a case for good\n"
    "  links [--min N] [--json]   phone numbers, plates, handles, places\n"
    "                             found in several cases\n"
    "  purge --closed-older-than DAYS [--yes]   drop closed cases' text,\n"
    "                             keep their facts for statistics\n"
    "Answering and cleaning up:\n"
    "  reply ID --message-file FILE   queue a reply to the reporter\n"
    "  reply ID --template NAME [--yes|--edit]   a translated common reply\n"
    "                             (reply --list-templates shows them)\n"
    "  push --server URL --token-file FILE   send queued replies and\n"
    "                             the team's case events\n"
    "  team share --member NAME   pass the open cases' history on to a\n"
    "                             member who joined later\n"
    "  ack --server URL --token-file FILE    delete imported reports from\n"
    "                                        the server\n"
    "  push --out FILE [--again]  (offline laptop) replies and deletions\n"
    "                             into a file for the online computer\n"
    "  push --from FILE --server URL --token-file FILE   (online computer,\n"
    "                             no passphrase) send that file\n"
    "Other:\n"
    "  seal --to PUBLIC.json [--to ...]   stdin to an envelope on stdout\n"
    "  open                       an envelope on stdin to its plaintext\n"
    "  stats ...                  anonymised statistics\n"
    "  desk [--port N] [--no-browser] [--lang LANG]\n"
    "                             the cases in your web browser, on this\n"
    "                             computer only\n"
    "\n"
    "Every verb has --help. Exit status: 0 done, 1 error, 2 usage error.\n"
    "See docs/caseworker-guide.md.\n";

struct verb {
    const char *name;
    int (*fn)(struct case_env *e, int argc, char **argv);
    unsigned need; /* what case_setup sets up (case.h) */
};

/* keys and stats set up what each of their forms needs themselves */
static const struct verb VERBS[] = {
    {"init", verb_init, 0},
    {"fingerprint", verb_fingerprint, 0},
    {"seal", verb_seal, 0},
    {"open", verb_open, CASE_KEYS},
    {"keys", verb_keys, 0},
    {"pull", verb_pull, CASE_JOINED},
    {"import", verb_import, CASE_JOINED | CASE_KEYS | CASE_STORE | CASE_WRITE},
    {"list", verb_list, CASE_STORE},
    {"show", verb_show, CASE_STORE},
    {"triage", verb_triage, CASE_STORE | CASE_WRITE},
    {"delete", verb_delete, CASE_STORE | CASE_WRITE},
    {"purge", verb_purge, CASE_STORE | CASE_WRITE},
    {"reply", verb_reply, CASE_STORE | CASE_WRITE},
    {"push", verb_push, CASE_KEYS | CASE_STORE | CASE_WRITE},
    {"team", verb_team, CASE_STORE | CASE_WRITE},
    {"ack", verb_ack, CASE_KEYS | CASE_STORE | CASE_WRITE},
    {"quarantine", verb_quarantine, CASE_STORE},
    {"stats", verb_stats, CASE_STORE},
    {"links", verb_links, CASE_STORE},
    {"alert", verb_alert, 0}, /* each sub-command sets up its own */
    {"desk", verb_desk, 0}, /* unlocks in the browser (desk.h) */
};

static const struct option GLOBAL_OPTS[] = {
    ARGS_VALUE("home", 'H'), ARGS_VALUE("passphrase-file", 'P'), ARGS_LAST,
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

/*
 * Takes the global options (--home, --passphrase-file, before or after the
 * verb, up to a "--") out of argv into *home and o; the rest, in order,
 * into rest. Words getopt_long read as an abbreviation ("--hom x") are
 * left for the verb, which refuses them. 0, or the exit code.
 */
static int
global_opts(struct case_opts *o, const char **home, char **rest, int *nrest,
            int argc, char **argv)
{
    optind = 0;
    opterr = 0;
    for (;;) {
        int at = optind > 0 ? optind : 1, c, li = -1;

        if (at >= argc)
            break;
        if (strcmp(argv[at], "--") == 0) {
            while (at < argc)
                rest[(*nrest)++] = argv[at++];
            break;
        }
        c = getopt_long(argc, argv, "-:", GLOBAL_OPTS, &li);
        if (c == -1)
            break;
        if (c == ':' && (optopt == 'H' || optopt == 'P') &&
            args_in_full(argv[at],
                         optopt == 'H' ? "home" : "passphrase-file")) {
            case_err(optopt == 'H' ? "--home needs a folder"
                                   : "--passphrase-file needs a file");
            return CASE_USAGE;
        }
        if ((c == 'H' || c == 'P') &&
            args_in_full(argv[at], GLOBAL_OPTS[li].name)) {
            if (c == 'H' && optarg[0] == '\0') {
                case_err("--home needs a folder");
                return CASE_USAGE;
            }
            if (c == 'H')
                *home = optarg;
            else
                o->passphrase_file = optarg;
            continue;
        }
        /* not a global option: every word getopt_long read goes on */
        while (at < optind)
            rest[(*nrest)++] = argv[at++];
    }
    return 0;
}

/* The home: --home, else $UMBRA_HOME, else $HOME/.umbra. 0 or CASE_FAIL. */
static int
resolve_home(struct case_opts *o, const char *home)
{
    const char *h;
    int n;

    if (home == NULL)
        home = getenv("UMBRA_HOME");
    if (home != NULL && home[0] != 0) {
        o->home = home;
        return 0;
    }
    h = getenv("HOME");
    if (h == NULL || h[0] == 0) {
        case_err("no home folder: set --home, $UMBRA_HOME or $HOME");
        return CASE_FAIL;
    }
    n = snprintf(o->home_buf, sizeof o->home_buf, "%s/.umbra", h);
    if (n < 0 || (size_t)n >= sizeof o->home_buf) {
        case_err("$HOME is too long");
        return CASE_FAIL;
    }
    o->home = o->home_buf;
    return 0;
}

int
case_main(int argc, char **argv)
{
    struct case_opts o;
    struct case_env e;
    char **rest = NULL;
    const char *home = NULL;
    const struct verb *vb = NULL;
    int nrest = 0, rc;
    size_t v;

    if (argc == 2 && strcmp(argv[1], "--version") == 0)
        return puts("umbra-case " UMBRA_VERSION) == EOF ? CASE_FAIL : CASE_OK;
    memset(&o, 0, sizeof o);
    memset(&e, 0, sizeof e);
    if (umbra_secure_init() != 0) {
        case_err("cannot initialise libsodium");
        return CASE_FAIL;
    }
    /* the statistics ledger travels as the team's case events */
    stats_share_set_emitter(team_emit);
    rest = calloc((size_t)argc + 1, sizeof *rest);
    if (rest == NULL) {
        case_err("out of memory");
        return CASE_FAIL;
    }
    rc = global_opts(&o, &home, rest, &nrest, argc, argv);
    if (rc != 0)
        goto out;
    if (nrest == 0 || strcmp(rest[0], "--help") == 0 ||
        strcmp(rest[0], "-h") == 0 || strcmp(rest[0], "help") == 0) {
        fputs(USAGE, nrest == 0 ? stderr : stdout);
        rc = nrest == 0 ? CASE_USAGE : CASE_OK;
        goto out;
    }
    rc = resolve_home(&o, home);
    if (rc != 0)
        goto out;
    for (v = 0; v < sizeof VERBS / sizeof VERBS[0] && vb == NULL; v++)
        if (strcmp(rest[0], VERBS[v].name) == 0)
            vb = &VERBS[v];
    if (vb == NULL) {
        const char *names[sizeof VERBS / sizeof VERBS[0]], *hint;

        for (v = 0; v < sizeof VERBS / sizeof VERBS[0]; v++)
            names[v] = VERBS[v].name;
        hint = args_suggest(rest[0], names, v);
        if (hint != NULL)
            case_err("unknown verb '%s'; did you mean %s?", rest[0], hint);
        else
            case_err("unknown verb '%s'; see 'umbra-case --help'", rest[0]);
        rc = CASE_USAGE;
        goto out;
    }
    if ((vb->need & CASE_JOINED) && member_not_joined(&o)) {
        case_err("this member home has not joined its organisation yet: give "
                 "%s/member.json to your organisation's key holder ('umbra-case "
                 "keys add-member'), then run 'umbra-case keys join "
                 "public.json' with the public.json they give you",
                 o.home);
        rc = CASE_FAIL;
        goto out;
    }
    e.o = &o;
    e.need = vb->need;
    rc = vb->fn(&e, nrest, rest);
out:
    fflush(stdout);
    store_close(e.store);
    umbra_org_keys_free(e.keys);
    free(rest);
    return rc;
}
