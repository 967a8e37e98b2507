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

int admin_migrate(void);
int admin_org_add(const char *slug, const char *name, const char *key_path);
int admin_token_add(const char *org, const char *name);
int admin_token_list(void);
int admin_token_revoke(const char *org, const char *name);

#endif
