/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * admin: umbra-server's administrative commands (docs/operations.md), each
 * on its own connection as db_owner (srv.cfg), with the statements of
 * db.c's admin table: migrate (the numbered migrations of schema_dir not
 * yet in schema_migrations, each in one transaction), org add (register or
 * rotate an organisation's signed bundle), token add|list|revoke (sync
 * tokens; only a token's hash is kept). Each returns the process's exit
 * code: 0, or 1 with one line on stderr; what it prints for the operator
 * goes to stdout.
 */
#ifndef UMBRA_SERVER_ADMIN_H
#define UMBRA_SERVER_ADMIN_H

#define CMDLINE_MAX_POS 8

/* The command line a command runs with (main.c fills it, after its
 * options have gone into srv.cfg): the words and operands in order
 * (pos[0] is the command), the options only a command takes (org add's
 * --name and --public-key), and --help. */
struct cmdline {
    const char *pos[CMDLINE_MAX_POS];
    unsigned npos;
    const char *name, *pubkey;
    /* org set: a number or "default" */
    const char *max_reports, *max_bytes, *max_mailboxes, *max_alerts;
    int help;
};

int admin_migrate(const struct cmdline *cl);
/* org add SLUG --name NAME --public-key PUBLIC.json */
int admin_org_add(const struct cmdline *cl);
/* org set SLUG [--max-reports N|default] [--max-bytes N|default]
 *              [--max-mailboxes N|default] [--max-alerts N|default] */
int admin_org_set(const struct cmdline *cl);
/* org list: each organisation's quotas and counts (no names, no ids) */
int admin_org_list(const struct cmdline *cl);
/* token add ORG NAME, token list, token revoke ORG NAME */
int admin_token_add(const struct cmdline *cl);
int admin_token_list(const struct cmdline *cl);
int admin_token_revoke(const struct cmdline *cl);

#endif
