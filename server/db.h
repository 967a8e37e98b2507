/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * db: PostgreSQL connection pools, one per role (intake, sync), each a
 * fixed array of libpq connections over the Unix socket. Every statement is
 * prepared by name when a connection opens (the table in db.c says which
 * route uses which); a connection found broken is dropped and reopened on
 * its next use, so the server reconnects by itself when PostgreSQL is back.
 * Every session runs with synchronous_commit = on.
 */
#ifndef UMBRA_SERVER_DB_H
#define UMBRA_SERVER_DB_H

#include <libpq-fe.h>

/* DB_OWNER: the admin commands (server/admin.c: migrate, org, token). Their
 * statements are in the same table but run unprepared (db_admin), since
 * `migrate` connects before the tables they name exist. */
enum db_role { DB_INTAKE, DB_SYNC, DB_OWNER };

struct db_pool;

/* NULL on allocation failure (connections open lazily). */
struct db_pool *db_pool_new(enum db_role role, const char *conninfo,
                            unsigned size);
void db_pool_free(struct db_pool *p);

/* A ready connection (waits for a free slot); NULL if PostgreSQL cannot be
 * reached. Give it back with db_put(); broken = 1 drops it. */
PGconn *db_get(struct db_pool *p);
void db_put(struct db_pool *p, PGconn *c, int broken);

/* Runs the DB_OWNER statement name of db.c's table on c with its
 * parameters (lens and fmts may be NULL: all text); result_format 1 asks
 * for binary results. The caller PQclear()s the result; NULL if name is not
 * an owner statement or libpq is out of memory. */
PGresult *db_admin(PGconn *c, const char *name, const char *const *params,
                   const int *lens, const int *fmts, int result_format);

/* Opens and prepares a connection for role; NULL on failure. Used by the
 * group-commit writers, which keep their own. */
PGconn *db_connect(enum db_role role, const char *conninfo);

/* Runs a prepared statement with binary results. Parameters: values,
 * lengths, formats (NULL = all text). PQclear the result. */
PGresult *db_exec(PGconn *c, const char *stmt, int n,
                  const char *const *values, const int *lengths,
                  const int *formats);

/* One transaction in one libpq pipeline: BEGIN, whatever send() queues
 * (it counts each query in *sent and returns 0, or -1 to give up), COMMIT,
 * then every result read. 1 if COMMIT succeeded, else 0 (the connection
 * may be left in a failed transaction: drop it). */
int db_pipeline(PGconn *c, int (*send)(void *ctx, PGconn *c, unsigned *sent),
                void *ctx) __attribute__((warn_unused_result));

/* 1 if the result is OK (COMMAND_OK or TUPLES_OK); else 0. */
int db_ok(const PGresult *r);

#endif
