/* SPDX-License-Identifier: AGPL-3.0-or-later */
/* store: the encrypted case store (see store.h for the layout). */
#include "store_int.h"
#include "store_migrations.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

void
store_now(char out[17])
{
    time_t t = time(NULL);
    struct tm tm;

    if (localtime_r(&t, &tm) == NULL ||
        strftime(out, 17, "%Y-%m-%d %H:%M", &tm) != 16)
        snprintf(out, 17, "%s", "0000-00-00 00:00");
}

int
store_fail(struct store *s, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(s->err, sizeof s->err, fmt, ap);
    va_end(ap);
    if (s->report.fn != NULL)
        s->report.fn(s->report.ctx, s->err);
    return STORE_ERR;
}

int
store_db_err(struct store *s, const char *what)
{
    return store_fail(s, "case store: %s: %s", what, sqlite3_errmsg(s->db));
}

const char *
store_errmsg(const struct store *s)
{
    return s != NULL ? s->err : "";
}

static int
exec(struct store *s, const char *sql)
{
    char *msg = NULL;

    if (sqlite3_exec(s->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
        store_fail(s, "case store: %s", msg ? msg : "error");
        sqlite3_free(msg);
        return -1;
    }
    return 0;
}

/* Statement which of STMTS, prepared once and kept until store_close
 * (store_open prepares them all once the migrations ran; the migrations
 * themselves read meta before). NULL (store_fail) on error. */
sqlite3_stmt *
store_prep(struct store *s, enum stmt which)
{
    if (s->stmt[which] == NULL &&
        sqlite3_prepare_v2(s->db, STORE_STMTS[which].sql, -1, &s->stmt[which],
                           NULL) != SQLITE_OK) {
        store_db_err(s, "prepare");
        sqlite3_finalize(s->stmt[which]);
        s->stmt[which] = NULL;
    }
    return s->stmt[which];
}

/* Prepares every statement of STMTS. 0 or -1 (store_fail). */
static int
prep_all(struct store *s)
{
    int i;

    for (i = 0; i < ST_N; i++)
        if (store_prep(s, (enum stmt)i) == NULL)
            return -1;
    return 0;
}

/* Gives a statement from store_prep() back (reset, bindings cleared). */
void
store_done(struct store *s, sqlite3_stmt *st)
{
    (void)s;
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
}

/*
 * Steps st (from store_prep(), bound) and calls row(ctx, st) on each row until
 * one returns non-zero, which is returned; -1 (store_db_err "what") if a step
 * fails. st is given back (store_done()) on every path.
 */
int
store_each(struct store *s, sqlite3_stmt *st, const char *what,
           int (*row)(void *ctx, sqlite3_stmt *st), void *ctx)
{
    int rc = 0, step;

    if (st == NULL)
        return -1;
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        rc = row(ctx, st);
        if (rc != 0)
            break;
    }
    if (rc == 0 && step != SQLITE_DONE)
        rc = store_db_err(s, what);
    store_done(s, st);
    return rc;
}

static int
store_path(char *out, size_t cap, const char *home, const char *name)
{
    int n = snprintf(out, cap, "%s/%s", home, name);

    return (n < 0 || (size_t)n >= cap) ? -1 : 0;
}

/* Opens the database file and keys it; checks the key by reading. */
static int
db_open(struct store *s, const char *path, const uint8_t key[32], int create)
{
    char pragma[100];
    char hex[65];
    int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_FULLMUTEX;
    int rc = -1;

    if (create)
        flags |= SQLITE_OPEN_CREATE;
    if (sqlite3_open_v2(path, &s->db, flags, NULL) != SQLITE_OK) {
        store_fail(s, "cannot open case store '%s': %s", path,
                 s->db ? sqlite3_errmsg(s->db) : "out of memory");
        goto out;
    }
    umbra_hex(hex, key, 32);
    snprintf(pragma, sizeof pragma, "PRAGMA key = \"x'%s'\";", hex);
    if (sqlite3_exec(s->db, pragma, NULL, NULL, NULL) != SQLITE_OK) {
        store_fail(s, "cannot open case store '%s': cannot set the key", path);
        goto out;
    }
    if (sqlite3_exec(s->db, "PRAGMA cipher_page_size = 4096;", NULL, NULL,
                     NULL) != SQLITE_OK) {
        store_fail(s, "cannot open case store '%s': %s", path,
                 sqlite3_errmsg(s->db));
        goto out;
    }
    /* The first read checks the key (HMAC of page 1). */
    if (sqlite3_exec(s->db, "SELECT count(*) FROM sqlite_master;", NULL, NULL,
                     NULL) != SQLITE_OK) {
        store_fail(s, "cannot open case store '%s': wrong key or damaged file "
                 "(%s)",
                 path, sqlite3_errmsg(s->db));
        goto out;
    }
    if (exec(s, "PRAGMA temp_store = MEMORY;"
                "PRAGMA secure_delete = ON;"
                "PRAGMA foreign_keys = ON;"
                "PRAGMA busy_timeout = 5000;"
                "PRAGMA cache_size = -16384;") != 0)
        goto out;
    if (exec(s, "PRAGMA journal_mode = WAL;") != 0 ||
        exec(s, "PRAGMA synchronous = FULL;") != 0)
        goto out;
    rc = 0;
out:
    sodium_memzero(pragma, sizeof pragma);
    sodium_memzero(hex, sizeof hex);
    return rc;
}

static int
take_lock(struct store *s, const char *home)
{
    char path[PATH_MAX];

    if (store_path(path, sizeof path, home, "lock") != 0)
        return -1;
    s->lock_fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (s->lock_fd < 0) {
        store_fail(s, "cannot open lock file '%s': %s", path, strerror(errno));
        return -1;
    }
    if (flock(s->lock_fd, LOCK_EX | LOCK_NB) != 0) {
        if (errno == EWOULDBLOCK)
            return STORE_ELOCKED; /* the verbs say what to do */
        store_fail(s, "cannot lock '%s': %s", path, strerror(errno));
        return -1;
    }
    return 0;
}

/* A store with no database yet, reporting to r (may be NULL); NULL, with
 * "out of memory" given to r, when there is no memory. */
static struct store *
store_new(const struct store_report *r)
{
    struct store *s = calloc(1, sizeof *s);

    if (s == NULL) {
        if (r != NULL && r->fn != NULL)
            r->fn(r->ctx, "out of memory");
        return NULL;
    }
    s->lock_fd = -1;
    if (r != NULL)
        s->report = *r;
    return s;
}

void
store_close(struct store *s)
{
    if (s == NULL)
        return;
    if (s->db != NULL) {
        int i;

        for (i = 0; i < ST_N; i++)
            sqlite3_finalize(s->stmt[i]);
        /* Fold the WAL back so that the home holds one file at rest. */
        (void)sqlite3_exec(s->db, "PRAGMA wal_checkpoint(TRUNCATE);", NULL,
                           NULL, NULL);
        sqlite3_close_v2(s->db);
    }
    if (s->lock_fd >= 0)
        close(s->lock_fd);
    free(s);
}

/* PRAGMA user_version into *v; 0 or -1. */
static int
user_version(struct store *s, int *v)
{
    sqlite3_stmt *st = NULL;
    int rc = -1;

    if (sqlite3_prepare_v2(s->db, "PRAGMA user_version;", -1, &st, NULL) !=
            SQLITE_OK ||
        sqlite3_step(st) != SQLITE_ROW) {
        store_db_err(s, "read");
        goto out;
    }
    *v = sqlite3_column_int(st, 0);
    rc = 0;
out:
    sqlite3_finalize(st);
    return rc;
}

/*
 * Runs one migration's statements in turn. old: a store made before
 * migrations were numbered, whose umbra-case added some columns on first
 * use (processed.digest, migration 3); an ADD COLUMN of a column its table
 * has already is skipped there. 0 or -1 (store_fail).
 */
static int
run_migration(struct store *s, const char *sql, int old)
{
    sqlite3_stmt *t = NULL;
    const char *p = sql, *e;
    char *one = NULL;
    size_t n;
    int rc = -1, prc;

    while (*p != '\0') {
        /* the next whole statement: up to the first ';' that ends one */
        for (e = strchr(p, ';'); e != NULL; e = strchr(e + 1, ';')) {
            n = (size_t)(e + 1 - p);
            free(one);
            one = malloc(n + 1);
            if (one == NULL) {
                store_fail(s, "out of memory");
                goto out;
            }
            memcpy(one, p, n);
            one[n] = '\0';
            if (sqlite3_complete(one))
                break;
        }
        if (e == NULL) { /* comments and blanks, or a last statement */
            if (exec(s, p) != 0)
                goto out;
            break;
        }
        p = e + 1;
        if (old) {
            prc = sqlite3_prepare_v2(s->db, one, -1, &t, NULL);
            sqlite3_finalize(t);
            t = NULL;
            if (prc != SQLITE_OK &&
                strncmp(sqlite3_errmsg(s->db), "duplicate column name",
                        21) == 0)
                continue;
        }
        if (exec(s, one) != 0)
            goto out;
    }
    rc = 0;
out:
    free(one);
    return rc;
}

/*
 * Brings the schema to the last migration of store_migrations.h, inside the
 * caller's transaction. fresh: an empty database (store_create); else a
 * user_version of 0 must be a store made before migrations were numbered
 * (meta 'schema' = '1'), which is at version 1. 0, or -1 with the error
 * kept (store_fail; nothing applied once the caller rolls back).
 */
static int
migrate(struct store *s, const char *path, int fresh)
{
    char ver[16], pragma[48];
    int v, i, old = 0;

    if (user_version(s, &v) != 0)
        return -1;
    if (v == 0 && !fresh) {
        old = 1;
        if (store_meta_get(s, "schema", ver, sizeof ver) != 0 ||
            strcmp(ver, "1") != 0) {
            store_fail(s, "case store '%s' has an unknown schema version",
                       path);
            return -1;
        }
        v = 1;
    }
    if (v > store_migrations_n) {
        store_fail(s, "case store '%s' has an unknown schema version", path);
        return -1;
    }
    for (i = v; i < store_migrations_n; i++) {
        if (store_migrations[i].version != i + 1) {
            store_fail(s, "case store: migration '%s' is out of order",
                     store_migrations[i].name);
            return -1;
        }
        if (run_migration(s, store_migrations[i].sql, old) != 0)
            return -1;
    }
    snprintf(pragma, sizeof pragma, "PRAGMA user_version = %d;",
             store_migrations_n);
    return exec(s, pragma);
}

/* *out: 1 if the store's schema is older than the last migration, 0 if
 * not. -1 (store_fail) if it is newer: made by a later umbra-case. */
static int
needs_migration(struct store *s, const char *path, int *out)
{
    int v;

    if (user_version(s, &v) != 0)
        return -1;
    if (v > store_migrations_n) {
        store_fail(s, "case store '%s' has an unknown schema version", path);
        return -1;
    }
    *out = v < store_migrations_n;
    return 0;
}

int
store_create(const char *home, const uint8_t key[32], const char *slug)
{
    return store_create_with(home, key, slug, NULL);
}

int
store_create_with(const char *home, const uint8_t key[32], const char *slug,
                  const struct store_report *r)
{
    char path[PATH_MAX];
    struct store *s = store_new(r);
    sqlite3_stmt *st = NULL;
    int rc = -1;

    if (s == NULL)
        return -1;
    if (store_path(path, sizeof path, home, "cases.db") != 0) {
        store_fail(s, "path too long under '%s'", home);
        goto out;
    }
    if (access(path, F_OK) == 0) {
        store_fail(s, "a case store already exists at '%s'", path);
        goto out;
    }
    rc = take_lock(s, home);
    if (rc != 0)
        goto out;
    rc = -1;
    if (db_open(s, path, key, 1) != 0)
        goto out;
    if (exec(s, "BEGIN;") != 0 || migrate(s, path, 1) != 0)
        goto out;
    if (sqlite3_prepare_v2(s->db, "INSERT INTO meta(k, v) VALUES ('org', ?1);",
                           -1, &st, NULL) != SQLITE_OK) {
        store_db_err(s, "create");
        goto out;
    }
    sqlite3_bind_text(st, 1, slug, -1, SQLITE_TRANSIENT);
    if (sqlite3_step(st) != SQLITE_DONE) {
        store_db_err(s, "create");
        goto out;
    }
    if (exec(s, "COMMIT;") != 0)
        goto out;
    (void)chmod(path, 0600);
    rc = 0;
out:
    sqlite3_finalize(st);
    store_close(s);
    return rc;
}

int
store_open(struct store **out, const char *home, const uint8_t key[32],
           int write)
{
    return store_open_with(out, home, key, write, NULL);
}

int
store_open_with(struct store **out, const char *home, const uint8_t key[32],
                int write, const struct store_report *r)
{
    char path[PATH_MAX];
    char ver[16];
    struct store *s = store_new(r);
    int rc = -1, old = 0;

    *out = NULL;
    if (s == NULL)
        return -1;
    if (store_path(path, sizeof path, home, "cases.db") != 0) {
        store_fail(s, "path too long under '%s'", home);
        goto out;
    }
    if (access(path, F_OK) != 0) {
        rc = STORE_ENOSTORE; /* the verbs say what to do */
        goto out;
    }
    if (write) {
        rc = take_lock(s, home);
        if (rc != 0)
            goto out;
        rc = -1;
    }
    if (db_open(s, path, key, 0) != 0)
        goto out;
    if (needs_migration(s, path, &old) != 0)
        goto out;
    if (old) {
        /* Re-read under the write lock: another umbra-case may have
         * migrated it meanwhile. */
        if (exec(s, "BEGIN IMMEDIATE;") != 0)
            goto out;
        if (migrate(s, path, 0) != 0 || exec(s, "COMMIT;") != 0) {
            store_rollback(s);
            goto out;
        }
    }
    if (store_meta_get(s, "schema", ver, sizeof ver) != 0 ||
        strcmp(ver, "1") != 0) {
        store_fail(s, "case store '%s' has an unknown schema version", path);
        goto out;
    }
    if (prep_all(s) != 0 || store_idents_pending(s) != 0)
        goto out;
    *out = s;
    s = NULL;
    rc = 0;
out:
    store_close(s);
    return rc;
}

int
store_schema_version(struct store *s, int *v)
{
    return user_version(s, v);
}

int
store_begin(struct store *s)
{
    return exec(s, "BEGIN IMMEDIATE;");
}

int
store_commit(struct store *s)
{
    return exec(s, "COMMIT;");
}

void
store_rollback(struct store *s)
{
    (void)sqlite3_exec(s->db, "ROLLBACK;", NULL, NULL, NULL);
}

/* Runs a statement from store_prep() that returns no rows, then store_done().
 */
int
store_run(struct store *s, sqlite3_stmt *st)
{
    int rc = 0;

    if (st == NULL)
        return -1;
    if (sqlite3_step(st) != SQLITE_DONE)
        rc = store_db_err(s, "write");
    store_done(s, st);
    return rc;
}

int
store_write(struct store *s, enum stmt which, const char *fmt, ...)
{
    sqlite3_stmt *st = store_prep(s, which);
    const void *p;
    va_list ap;
    int k;

    if (st == NULL)
        return -1;
    va_start(ap, fmt);
    for (k = 1; fmt[k - 1] != '\0'; k++) {
        switch (fmt[k - 1]) {
        case 'i':
            sqlite3_bind_int64(st, k, va_arg(ap, int64_t));
            break;
        case 't':
            sqlite3_bind_text(st, k, va_arg(ap, const char *), -1,
                              SQLITE_STATIC);
            break;
        default: /* 'b' */
            p = va_arg(ap, const void *);
            sqlite3_bind_blob(st, k, p, (int)va_arg(ap, size_t),
                              SQLITE_STATIC);
        }
    }
    va_end(ap);
    return store_run(s, st);
}

const char *
store_col_text(sqlite3_stmt *st, int i)
{
    const unsigned char *t = sqlite3_column_text(st, i);

    return t ? (const char *)t : "";
}

int
store_meta_get(struct store *s, const char *key, char *out, size_t cap)
{
    sqlite3_stmt *st = store_prep(s, ST_META_GET);
    int rc = 1;

    if (st == NULL)
        return -1;
    sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
    if (sqlite3_step(st) == SQLITE_ROW) {
        snprintf(out, cap, "%s", store_col_text(st, 0));
        rc = 0;
    }
    store_done(s, st);
    return rc;
}

int
store_meta_set(struct store *s, const char *key, const char *value)
{
    return store_write(s, ST_META_SET, "tt", key, value);
}

int
store_history_add(struct store *s, int64_t id, const char *who,
                  const char *what)
{
    char now[17];

    store_now(now);
    return store_write(s, ST_HISTORY_ADD, "ittt", id, now, who, what);
}

void
store_bulk(struct store *s, int on)
{
    /*
     * During an import, hold SQLite's file locks for the whole run rather
     * than taking and dropping them around every statement (we hold the
     * writer flock anyway; readers wait until the import ends), and use a
     * rollback journal rather than the WAL: an import appends new pages,
     * which a rollback journal does not copy (only the few pages that
     * existed before the transaction go to the journal, encrypted by
     * SQLCipher like every page), where the WAL writes each page twice
     * (into the WAL, then into the database when it is folded back).
     * With synchronous = FULL a commit is as durable either way. Leaving
     * the WAL folds it into the database first; the way back goes to
     * NORMAL locking before WAL, as SQLite requires (a database that
     * enters WAL in EXCLUSIVE mode cannot leave it).
     */
    if (on)
        (void)sqlite3_exec(s->db,
                           "PRAGMA journal_mode = TRUNCATE;"
                           "PRAGMA locking_mode = EXCLUSIVE;",
                           NULL, NULL, NULL);
    else
        (void)sqlite3_exec(s->db,
                           "PRAGMA locking_mode = NORMAL;"
                           "PRAGMA journal_mode = WAL;",
                           NULL, NULL, NULL);
}
