/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * store_migrations: the case store's schema, as numbered migrations.
 *
 * caseworker/schema/NNN_name.sql, embedded at build time by
 * caseworker/schema/embed.sh into a table sorted by version (1, 2, ...).
 * A store's PRAGMA user_version is the last migration applied to it;
 * store.c applies the missing ones in one transaction when the store is
 * created or opened. A store made before user_version was kept has 0
 * there and meta 'schema' = '1': it is at version 1.
 */
#ifndef UMBRA_CASE_STORE_MIGRATIONS_H
#define UMBRA_CASE_STORE_MIGRATIONS_H

struct store_migration {
    int version;      /* from the file name: 1 for 001_core.sql */
    const char *name; /* the file name */
    const char *sql;  /* its text, run with sqlite3_exec */
};

extern const struct store_migration store_migrations[];
extern const int store_migrations_n;

#endif
