/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * umbra-server: entry point (docs/operations.md): the options (getopt_long:
 * --config FILE, --KEY VALUE for every config key), the table of commands
 * (serve, migrate, org add|set|list, token add|list|revoke; the administrative ones
 * are in admin.c) and serve itself. Exit codes: 0 success, 1 a user-facing
 * error (one line on stderr), 2 a usage error.
 */
#include "phases.h"
#include "../client-crypto/umbra.h"
#include "admin.h"
#include "alertview.h"
#include "cgroup.h"
#include "req.h"
#include "listener.h"
#include "mover.h"
#include "orgs.h"
#include "page.h"
#include "workpool.h"

#include <getopt.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char usage_main[] =
    "usage: umbra-server [--config FILE] [--KEY VALUE]... [serve]\n"
    "       umbra-server migrate [--config FILE]\n"
    "       umbra-server org add SLUG --name NAME --public-key PUBLIC.json\n"
    "       umbra-server org set SLUG [--max-reports N] [--max-bytes N]\n"
    "                                 [--max-mailboxes N] [--max-alerts N]\n"
    "       umbra-server org list\n"
    "       umbra-server token add ORG NAME\n"
    "       umbra-server token list\n"
    "       umbra-server token revoke ORG NAME\n"
    "\n"
    "Serves the Umbra intake server, or administers its database.\n"
    "Every config key (docs/operations.md) can be given as --KEY VALUE.\n"
    "Commands take --help.\n";
static const char usage_migrate[] =
    "usage: umbra-server migrate [--config FILE]\n"
    "Applies the numbered migrations in schema_dir (default 'schema') that\n"
    "are not yet recorded in schema_migrations, each in one transaction, as\n"
    "the db_owner connection.\n";
static const char usage_org[] =
    "usage: umbra-server org add SLUG --name NAME --public-key PUBLIC.json\n"
    "       umbra-server org set SLUG [--max-reports N|default]\n"
    "                                 [--max-bytes N|default]\n"
    "                                 [--max-mailboxes N|default]\n"
    "                                 [--max-alerts N|default]\n"
    "       umbra-server org list\n"
    "'add' registers an organisation and its signed public key bundle (made\n"
    "by 'umbra-case init'). Adding it again with a newer bundle signed by\n"
    "the same signing key rotates its keys.\n"
    "'set' gives it its own quota of reports and bytes waiting, of\n"
    "registered mailboxes and of alerts held (default: the server's\n"
    "quota_reports, quota_bytes, quota_mailboxes and quota_alerts); running\n"
    "servers apply it within seconds (alerts: at once).\n"
    "'list' prints each organisation's quotas and what it holds (counts).\n";
static const char usage_token[] =
    "usage: umbra-server token add ORG NAME\n"
    "       umbra-server token list\n"
    "       umbra-server token revoke ORG NAME\n"
    "'add' prints a new caseworker sync token once; only its hash is kept.\n";

/* ---- serve ------------------------------------------------------------- */

static int
run_serve(const struct cmdline *a)
{
    (void)a;
    int rc = 1;
    if (page_init_local(srv.cfg.web_dir, srv.cfg.local_services) != 0 ||
        alerts_init(srv.cfg.web_dir) != 0) {
        fprintf(stderr, "umbra-server: cannot load pages from '%s'\n",
                srv.cfg.web_dir);
        return 1;
    }
    srv.intake = db_pool_new(DB_INTAKE, srv.cfg.db_intake,
                             srv.cfg.pool_intake);
    srv.sync = db_pool_new(DB_SYNC, srv.cfg.db_sync, srv.cfg.pool_sync);
    static char cg_dir[CONF_STR + 16];
    int cg_created = 0;
    const char *cg = NULL;
    if (srv.cfg.kdf_cgroup[0]) {
        char why[1400];
        if (cgroup_prepare(srv.cfg.kdf_cgroup, cg_dir, sizeof cg_dir,
                           &cg_created, why, sizeof why) == 0)
            cg = cg_dir;
        else
            fprintf(stderr, "umbra-server: warning: kdf_cgroup: %s; the "
                            "Argon2 pool runs at kdf_nice alone\n", why);
    }
    srv.kdf = workpool_new(srv.cfg.kdf_threads, srv.cfg.kdf_queue,
                           (int)srv.cfg.kdf_nice, cg);
    srv.dbw = workpool_new(srv.cfg.db_workers, 1024, 0, NULL);
    if (srv.kdf) {
        unsigned cg_bad, prio_bad;
        workpool_start_failures(srv.kdf, &cg_bad, &prio_bad);
        if (cg && cg_bad)
            fprintf(stderr, "umbra-server: warning: %u of %u Argon2 threads "
                            "could not join %s\n", cg_bad,
                    srv.cfg.kdf_threads, cg);
        else if (cg)
            fprintf(stderr, "umbra-server: Argon2 pool in idle cgroup %s\n",
                    cg);
        if (prio_bad)
            fprintf(stderr, "umbra-server: warning: %u of %u Argon2 threads "
                            "could not take kdf_nice %u\n", prio_bad,
                    srv.cfg.kdf_threads, srv.cfg.kdf_nice);
    }
    phases_init();
    intake_quota(srv.cfg.quota_reports, srv.cfg.quota_bytes);
    intake_quota_mailboxes(srv.cfg.quota_mailboxes);
    intake_spool_max(srv.cfg.spool_max_bytes);
    mover_retention(srv.cfg.envelope_retention_days,
                    srv.cfg.mailbox_retention_days, srv.cfg.purge_interval);
    mover_log_retention(srv.cfg.event_retention_days,
                        srv.cfg.alert_retention_days);
    if (!srv.intake || !srv.sync || !srv.kdf || !srv.dbw ||
        orgs_start(srv.intake) < 0 ||
        intake_start(srv.cfg.db_intake, srv.cfg.writers, srv.cfg.batch_max,
                     srv.cfg.intake_queue, srv.cfg.spool_dir,
                     srv.cfg.intake_window) < 0) {
        fprintf(stderr, "umbra-server: cannot start\n");
        goto out;
    }
    if (http_serve() == 0)
        rc = 0;
out:
    intake_stop();
    phases_print();
    workpool_free(srv.kdf);
    if (cg)
        cgroup_release(cg, cg_created);
    workpool_free(srv.dbw);
    orgs_stop();
    db_pool_free(srv.intake);
    db_pool_free(srv.sync);
    page_release();
    alerts_release();
    return rc;
}

/* ---- arguments --------------------------------------------------------- */

#define OPT_CONFIG 256 /* long options: 'h', these, then each config key */
#define OPT_NAME 257
#define OPT_PUBKEY 258
#define OPT_MAX_REPORTS 259
#define OPT_MAX_BYTES 260
#define OPT_MAX_MAILBOXES 261
#define OPT_MAX_ALERTS 262
#define OPT_KEY 263

/* The long options: --config, --name, --public-key, --help and every
 * config key (config_key_name); malloc'd, or NULL. */
static struct option *
options_new(void)
{
    size_t n = 0;
    while (config_key_name(n))
        n++;
    struct option *o = calloc(n + 9, sizeof *o);
    if (!o)
        return NULL;
    o[0] = (struct option){"config", required_argument, NULL, OPT_CONFIG};
    o[1] = (struct option){"name", required_argument, NULL, OPT_NAME};
    o[2] = (struct option){"public-key", required_argument, NULL, OPT_PUBKEY};
    o[3] = (struct option){"help", no_argument, NULL, 'h'};
    o[4] = (struct option){"max-reports", required_argument, NULL,
                           OPT_MAX_REPORTS};
    o[5] = (struct option){"max-bytes", required_argument, NULL,
                           OPT_MAX_BYTES};
    o[6] = (struct option){"max-mailboxes", required_argument, NULL,
                           OPT_MAX_MAILBOXES};
    o[7] = (struct option){"max-alerts", required_argument, NULL,
                           OPT_MAX_ALERTS};
    for (size_t i = 0; i < n; i++)
        o[8 + i] = (struct option){config_key_name(i), required_argument,
                                   NULL, OPT_KEY + (int)i};
    return o;
}

/* Refuses tok, an option getopt_long did not take as written (unknown,
 * abbreviated, or with a value it does not take); returns 2. */
static int
bad_option(const char *tok, int last)
{
    const char *eq = strchr(tok, '=');
    size_t kl = eq ? (size_t)(eq - tok - 2) : strlen(tok + 2);
    if (kl == 0 || kl >= 64)
        fprintf(stderr, "umbra-server: bad option '%s'\n", tok);
    else if (!eq && last)
        fprintf(stderr, "umbra-server: option '%s' needs a value\n", tok);
    else
        fprintf(stderr, "umbra-server: bad option '--%.*s'\n", (int)kl,
                tok + 2);
    return 2;
}

/* 1 if tok names opt exactly (getopt_long takes unique prefixes too). */
static int
exact(const char *tok, const struct option *opt)
{
    size_t kl = strcspn(tok + 2, "=");
    return strlen(opt->name) == kl && strncmp(tok + 2, opt->name, kl) == 0;
}

/*
 * One pass of getopt_long over argv. Pass 0 loads each --config file in
 * order (so that options given as flags override the files) and passes
 * over the rest; pass 1 applies every other option and collects the
 * words in a. Options and words may come in any order; "-h" and "--help"
 * are the same. Returns 0, 1 (a config file could not be read: its
 * message printed), or 2 (a usage error, its message printed).
 */
static int
parse_args(struct cmdline *a, int argc, char **argv, const struct option *opts,
           int pass)
{
    optind = 0; /* start afresh (glibc) */
    opterr = 0;
    for (;;) {
        int at = optind < 1 ? 1 : optind, idx = -1;
        if (at >= argc)
            return 0;
        const char *tok = argv[at];
        if (strncmp(tok, "--", 2) != 0 && strcmp(tok, "-h") != 0) {
            if (pass == 1) { /* a word: getopt_long ("+") stops at it */
                if (a->npos == CMDLINE_MAX_POS) {
                    fputs(usage_main, stderr);
                    return 2;
                }
                a->pos[a->npos++] = tok;
            }
            optind = at + 1;
            continue;
        }
        if (strcmp(tok, "--") == 0) {
            if (pass == 0) {
                optind = at + 1;
                continue;
            }
            return bad_option(tok, 0);
        }
        int c = getopt_long(argc, argv, "+:h", opts, &idx);
        if (pass == 0) {
            if (c == OPT_CONFIG && exact(tok, &opts[idx]) &&
                config_load(&srv.cfg, optarg) < 0)
                return 1;
            continue;
        }
        if (c == ':' && strcmp(tok, "--config") == 0)
            continue; /* a last "--config" alone has always been ignored */
        if (c == ':' || c == '?' || (idx >= 0 && !exact(tok, &opts[idx])))
            return bad_option(tok, at + 1 >= argc);
        if (c == 'h')
            a->help = 1;
        else if (c == OPT_NAME)
            a->name = optarg;
        else if (c == OPT_PUBKEY)
            a->pubkey = optarg;
        else if (c == OPT_MAX_REPORTS)
            a->max_reports = optarg;
        else if (c == OPT_MAX_BYTES)
            a->max_bytes = optarg;
        else if (c == OPT_MAX_MAILBOXES)
            a->max_mailboxes = optarg;
        else if (c == OPT_MAX_ALERTS)
            a->max_alerts = optarg;
        else if (c >= OPT_KEY && config_set(&srv.cfg, opts[idx].name,
                                            optarg) < 0) {
            fprintf(stderr, "umbra-server: bad option '--%s'\n",
                    opts[idx].name);
            return 2;
        }
    }
}

/* ---- the commands ------------------------------------------------------- */

#define NEED_CHECKED_CONFIG 1u /* config_check before it runs */
#define NEED_NAME_KEY 2u       /* --name and --public-key given */
#define NEED_QUOTA 4u /* --max-reports, --max-bytes, --max-mailboxes or \
                          --max-alerts */

/*
 * Each command: its words (a second one, or NULL), how many operands
 * follow them, what it needs set up before it runs, the function, and the
 * usage printed when the words match but the rest does not (or --help).
 * A command's first word with the wrong rest is a usage error of that
 * command; an unknown first word is "unknown command". No word: serve.
 */
static const struct command {
    const char *word, *verb;
    unsigned nargs;
    unsigned needs;
    int (*run)(const struct cmdline *a);
    const char *usage;
} commands[] = {
    {"serve", NULL, 0, NEED_CHECKED_CONFIG, run_serve, usage_main},
    {"migrate", NULL, 0, 0, admin_migrate, usage_migrate},
    {"org", "add", 1, NEED_NAME_KEY, admin_org_add, usage_org},
    {"org", "set", 1, NEED_QUOTA, admin_org_set, usage_org},
    {"org", "list", 0, 0, admin_org_list, usage_org},
    {"token", "add", 2, 0, admin_token_add, usage_token},
    {"token", "list", 0, 0, admin_token_list, usage_token},
    {"token", "revoke", 2, 0, admin_token_revoke, usage_token},
};
#define NCOMMANDS (sizeof commands / sizeof commands[0])

/* 1 if a's words and operands are those of c, with what c needs. */
static int
command_fits(const struct command *c, const struct cmdline *a)
{
    unsigned words = c->verb ? 2 : 1;
    return a->npos == words + c->nargs &&
           (!c->verb || strcmp(a->pos[1], c->verb) == 0) &&
           (!(c->needs & NEED_NAME_KEY) || (a->name && a->pubkey)) &&
           (!(c->needs & NEED_QUOTA) || a->max_reports || a->max_bytes ||
            a->max_mailboxes || a->max_alerts);
}

static int
dispatch(struct cmdline *a)
{
    const struct command *group = NULL;
    if (a->npos == 0)
        a->pos[a->npos++] = "serve";
    for (size_t i = 0; i < NCOMMANDS; i++) {
        const struct command *c = &commands[i];
        if (strcmp(c->word, a->pos[0]) != 0)
            continue;
        if (!group)
            group = c;
        if (a->help || !command_fits(c, a))
            continue;
        if ((c->needs & NEED_CHECKED_CONFIG) && config_check(&srv.cfg) < 0)
            return 1;
        return c->run(a);
    }
    if (group) {
        fputs(group->usage, a->help ? stdout : stderr);
        return a->help ? 0 : 2;
    }
    if (a->help) {
        fputs(usage_main, stdout);
        return 0;
    }
    fprintf(stderr, "umbra-server: unknown command '%s'\n", a->pos[0]);
    fputs(usage_main, stderr);
    return 2;
}

int
main(int argc, char **argv)
{
    struct cmdline a;
    struct option *opts = NULL;
    int rc;

    if (argc == 2 && strcmp(argv[1], "--version") == 0)
        return puts("umbra-server " UMBRA_VERSION) == EOF;
    memset(&a, 0, sizeof a);
    if (umbra_secure_init() != 0) {
        fprintf(stderr, "umbra-server: cannot initialise libsodium\n");
        return 1;
    }
    json_wipe_install();
    config_defaults(&srv.cfg);
    opts = options_new();
    if (!opts) {
        fprintf(stderr, "umbra-server: out of memory\n");
        return 1;
    }
    rc = parse_args(&a, argc, argv, opts, 0);
    if (rc == 0)
        rc = parse_args(&a, argc, argv, opts, 1);
    if (rc == 0)
        rc = dispatch(&a);
    free(opts);
    return rc;
}
