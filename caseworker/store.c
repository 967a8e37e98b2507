/* SPDX-License-Identifier: AGPL-3.0-or-later */
/* store: the encrypted case store (see store.h for the layout). */
#include "store.h"
#include "case.h"

#include <errno.h>
#include <fcntl.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#define SCHEMA_VERSION "1"
#define QUARANTINE_KEEP 65536u

#define STMT_CACHE 48

/* Prepared statements are cached by the address of their SQL text (each a
 * string literal in this file), so the bulk paths prepare them once. */
struct store {
    sqlite3 *db;
    int lock_fd;
    const char *sql[STMT_CACHE];
    sqlite3_stmt *stmt[STMT_CACHE];
    int env_table; /* processed_env: 0 not checked, 1 absent, 2 present */
};

/* FACTS_CATEGORIES, FACTS_NEEDS, FACTS_PERPETRATORS: report_vocab.h. */

static const char SCHEMA[] =
    "CREATE TABLE meta(k TEXT PRIMARY KEY, v TEXT NOT NULL);"
    "CREATE TABLE cases("
    " id INTEGER PRIMARY KEY,"
    " server_id TEXT,"
    " received TEXT NOT NULL,"
    " imported TEXT NOT NULL,"
    " status TEXT NOT NULL DEFAULT 'new',"
    " priority TEXT NOT NULL DEFAULT '',"
    " assignee TEXT NOT NULL DEFAULT '',"
    " incident TEXT NOT NULL DEFAULT '',"
    " country TEXT NOT NULL DEFAULT '',"
    " region TEXT NOT NULL DEFAULT '',"
    " lang TEXT NOT NULL DEFAULT '',"
    " categories INTEGER NOT NULL DEFAULT 0,"
    " needs INTEGER NOT NULL DEFAULT 0,"
    " perpetrator INTEGER NOT NULL DEFAULT -1,"
    " consent_statistics INTEGER NOT NULL DEFAULT 0,"
    " mailbox_id TEXT, mailbox_pk BLOB,"
    " summary TEXT NOT NULL DEFAULT '');"
    "CREATE INDEX cases_status ON cases(status);"
    "CREATE TABLE reports(case_id INTEGER PRIMARY KEY, doc BLOB NOT NULL);"
    "CREATE TABLE labels(case_id INTEGER NOT NULL, label TEXT NOT NULL,"
    " PRIMARY KEY(case_id, label)) WITHOUT ROWID;"
    "CREATE INDEX labels_label ON labels(label, case_id);"
    "CREATE TABLE history(id INTEGER PRIMARY KEY, case_id INTEGER NOT NULL,"
    " at TEXT NOT NULL, who TEXT NOT NULL, what TEXT NOT NULL);"
    "CREATE INDEX history_case ON history(case_id, id);"
    "CREATE TABLE processed(server_id TEXT PRIMARY KEY,"
    " outcome TEXT NOT NULL, acked INTEGER NOT NULL DEFAULT 0)"
    " WITHOUT ROWID;"
    "CREATE TABLE quarantine(id INTEGER PRIMARY KEY, server_id TEXT,"
    " received TEXT NOT NULL, at TEXT NOT NULL, outcome TEXT NOT NULL,"
    " reason TEXT NOT NULL, size INTEGER NOT NULL, head BLOB);"
    "CREATE TABLE replies(id INTEGER PRIMARY KEY, case_id INTEGER NOT NULL,"
    " mailbox_id TEXT NOT NULL, envelope BLOB NOT NULL, at TEXT NOT NULL,"
    " pushed INTEGER NOT NULL DEFAULT 0);"
    "CREATE TABLE ledger(id INTEGER PRIMARY KEY, k TEXT NOT NULL,"
    " v TEXT NOT NULL);";

void
store_now(char out[17])
{
    time_t t = time(NULL);
    struct tm tm;

    if (localtime_r(&t, &tm) == NULL ||
        strftime(out, 17, "%Y-%m-%d %H:%M", &tm) != 16)
        snprintf(out, 17, "%s", "0000-00-00 00:00");
}

static int
db_err(struct store *s, const char *what)
{
    case_err("case store: %s: %s", what, sqlite3_errmsg(s->db));
    return -1;
}

static int
exec(struct store *s, const char *sql)
{
    char *msg = NULL;

    if (sqlite3_exec(s->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
        case_err("case store: %s", msg ? msg : "error");
        sqlite3_free(msg);
        return -1;
    }
    return 0;
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
        case_err("cannot open case store '%s': %s", path,
                 s->db ? sqlite3_errmsg(s->db) : "out of memory");
        goto out;
    }
    umbra_hex(hex, key, 32);
    snprintf(pragma, sizeof pragma, "PRAGMA key = \"x'%s'\";", hex);
    if (sqlite3_exec(s->db, pragma, NULL, NULL, NULL) != SQLITE_OK) {
        case_err("cannot open case store '%s': cannot set the key", path);
        goto out;
    }
    if (sqlite3_exec(s->db, "PRAGMA cipher_page_size = 4096;", NULL, NULL,
                     NULL) != SQLITE_OK) {
        case_err("cannot open case store '%s': %s", path,
                 sqlite3_errmsg(s->db));
        goto out;
    }
    /* The first read checks the key (HMAC of page 1). */
    if (sqlite3_exec(s->db, "SELECT count(*) FROM sqlite_master;", NULL, NULL,
                     NULL) != SQLITE_OK) {
        case_err("cannot open case store '%s': wrong key or damaged file "
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
    char path[CASE_PATH_MAX];

    if (store_path(path, sizeof path, home, "lock") != 0)
        return -1;
    s->lock_fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (s->lock_fd < 0) {
        case_err("cannot open lock file '%s': %s", path, strerror(errno));
        return -1;
    }
    if (flock(s->lock_fd, LOCK_EX | LOCK_NB) != 0) {
        if (errno == EWOULDBLOCK)
            case_err("another umbra-case is changing the case store in "
                     "'%s'; wait for it to finish and try again",
                     home);
        else
            case_err("cannot lock '%s': %s", path, strerror(errno));
        return -1;
    }
    return 0;
}

static struct store *
store_new(void)
{
    struct store *s = calloc(1, sizeof *s);

    if (s != NULL)
        s->lock_fd = -1;
    return s;
}

void
store_close(struct store *s)
{
    if (s == NULL)
        return;
    if (s->db != NULL) {
        int i;

        for (i = 0; i < STMT_CACHE; i++)
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

int
store_create(const char *home, const uint8_t key[32], const char *slug)
{
    char path[CASE_PATH_MAX];
    struct store *s = store_new();
    sqlite3_stmt *st = NULL;
    int rc = -1;

    if (s == NULL) {
        case_err("out of memory");
        return -1;
    }
    if (store_path(path, sizeof path, home, "cases.db") != 0) {
        case_err("path too long under '%s'", home);
        goto out;
    }
    if (access(path, F_OK) == 0) {
        case_err("a case store already exists at '%s'", path);
        goto out;
    }
    if (take_lock(s, home) != 0 || db_open(s, path, key, 1) != 0)
        goto out;
    if (exec(s, "BEGIN;") != 0 || exec(s, SCHEMA) != 0)
        goto out;
    if (sqlite3_prepare_v2(s->db,
                           "INSERT INTO meta(k, v) VALUES ('schema', '" SCHEMA_VERSION
                           "'), ('org', ?1);",
                           -1, &st, NULL) != SQLITE_OK) {
        db_err(s, "create");
        goto out;
    }
    sqlite3_bind_text(st, 1, slug, -1, SQLITE_TRANSIENT);
    if (sqlite3_step(st) != SQLITE_DONE) {
        db_err(s, "create");
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
    char path[CASE_PATH_MAX];
    char ver[16];
    struct store *s = store_new();
    int rc = -1;

    *out = NULL;
    if (s == NULL) {
        case_err("out of memory");
        return -1;
    }
    if (store_path(path, sizeof path, home, "cases.db") != 0) {
        case_err("path too long under '%s'", home);
        goto out;
    }
    if (access(path, F_OK) != 0) {
        case_err("no case store at '%s': run 'umbra-case init' first or "
                 "check --home",
                 path);
        goto out;
    }
    if (write && take_lock(s, home) != 0)
        goto out;
    if (db_open(s, path, key, 0) != 0)
        goto out;
    if (store_meta_get(s, "schema", ver, sizeof ver) != 0 ||
        strcmp(ver, SCHEMA_VERSION) != 0) {
        case_err("case store '%s' has an unknown schema version", path);
        goto out;
    }
    *out = s;
    s = NULL;
    rc = 0;
out:
    store_close(s);
    return rc;
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

static sqlite3_stmt *
prep(struct store *s, const char *sql)
{
    sqlite3_stmt *st = NULL;
    int i;

    for (i = 0; i < STMT_CACHE && s->sql[i] != NULL; i++)
        if (s->sql[i] == sql)
            return s->stmt[i];
    if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK) {
        db_err(s, "prepare");
        sqlite3_finalize(st);
        return NULL;
    }
    if (i < STMT_CACHE) {
        s->sql[i] = sql;
        s->stmt[i] = st;
    }
    return st;
}

/* Gives a statement from prep() back (reset, bindings cleared). */
static void
done(struct store *s, sqlite3_stmt *st)
{
    int i;

    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    for (i = 0; i < STMT_CACHE && s->sql[i] != NULL; i++)
        if (s->stmt[i] == st)
            return;
    sqlite3_finalize(st);
}

/* Runs a statement from prep() that returns no rows, then done(). */
static int
run(struct store *s, sqlite3_stmt *st)
{
    int rc = 0;

    if (st == NULL)
        return -1;
    if (sqlite3_step(st) != SQLITE_DONE)
        rc = db_err(s, "write");
    done(s, st);
    return rc;
}

static const char *
col_text(sqlite3_stmt *st, int i)
{
    const unsigned char *t = sqlite3_column_text(st, i);

    return t ? (const char *)t : "";
}

int
store_meta_get(struct store *s, const char *key, char *out, size_t cap)
{
    sqlite3_stmt *st = prep(s, "SELECT v FROM meta WHERE k = ?1;");
    int rc = 1;

    if (st == NULL)
        return -1;
    sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
    if (sqlite3_step(st) == SQLITE_ROW) {
        snprintf(out, cap, "%s", col_text(st, 0));
        rc = 0;
    }
    done(s, st);
    return rc;
}

int
store_meta_set(struct store *s, const char *key, const char *value)
{
    sqlite3_stmt *st =
        prep(s, "INSERT OR REPLACE INTO meta(k, v) VALUES (?1, ?2);");

    if (st == NULL)
        return -1;
    sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, value, -1, SQLITE_STATIC);
    return run(s, st);
}

int
store_processed(struct store *s, const char *server_id)
{
    sqlite3_stmt *st = prep(s, "SELECT 1 FROM processed WHERE server_id = ?1;");
    int rc;

    if (st == NULL)
        return -1;
    sqlite3_bind_text(st, 1, server_id, -1, SQLITE_STATIC);
    rc = sqlite3_step(st);
    done(s, st);
    if (rc == SQLITE_ROW)
        return 1;
    if (rc == SQLITE_DONE)
        return 0;
    return db_err(s, "read");
}

static int
history_add(struct store *s, int64_t id, const char *who, const char *what)
{
    char now[17];
    sqlite3_stmt *st = prep(s, "INSERT INTO history(case_id, at, who, what)"
                               " VALUES (?1, ?2, ?3, ?4);");

    if (st == NULL)
        return -1;
    store_now(now);
    sqlite3_bind_int64(st, 1, id);
    sqlite3_bind_text(st, 2, now, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 3, who, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, what, -1, SQLITE_STATIC);
    return run(s, st);
}

/*
 * The digest of each report an import handled (its bundle record's check
 * value, over id, day and envelope) is kept beside its server id, so that a
 * server id given out again for another envelope (a restored server
 * backup) is imported rather than taken as handled: in processed.digest for
 * the first envelope under an id (one row per report, as before), and in
 * processed_env for any other envelope given the same id later. Both are
 * added on first use (ALTER TABLE, CREATE TABLE IF NOT EXISTS), so stores
 * made before need no migration; their rows (digest NULL, nothing in
 * processed_env) count as handled whatever the envelope.
 */
static const char PROCESSED_ENV_TABLE[] =
    "CREATE TABLE IF NOT EXISTS processed_env(server_id TEXT NOT NULL,"
    " digest BLOB NOT NULL, PRIMARY KEY(server_id, digest)) WITHOUT ROWID;";

/* Makes processed.digest and processed_env exist; 0 or -1. */
static int
env_ready(struct store *s)
{
    sqlite3_stmt *st;
    int rc;

    if (s->env_table == 2)
        return 0;
    int have = 0;
    st = prep(s, "PRAGMA table_info(processed);");
    if (st == NULL)
        return -1;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        const unsigned char *name = sqlite3_column_text(st, 1);
        if (name && strcmp((const char *)name, "digest") == 0)
            have = 1;
    }
    done(s, st);
    if (rc != SQLITE_DONE)
        return db_err(s, "read");
    if (!have &&
        exec(s, "ALTER TABLE processed ADD COLUMN digest BLOB;") != 0)
        return -1;
    if (exec(s, PROCESSED_ENV_TABLE) != 0)
        return -1;
    s->env_table = 2;
    return 0;
}

/* 1 if (server_id, digest) is in processed_env, or if server_id has no
 * row there at all (a row from before digests); 0 if not; -1. */
static int
env_known(struct store *s, const char *server_id, const uint8_t digest[16])
{
    sqlite3_stmt *st = prep(s, "SELECT count(*), coalesce(sum(digest = ?2),"
                               " 0) FROM processed_env WHERE server_id = ?1;");
    int64_t n, same;
    int rc;

    if (st == NULL)
        return -1;
    sqlite3_bind_text(st, 1, server_id, -1, SQLITE_STATIC);
    sqlite3_bind_blob(st, 2, digest, 16, SQLITE_STATIC);
    rc = sqlite3_step(st);
    n = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
    same = rc == SQLITE_ROW ? sqlite3_column_int64(st, 1) : 0;
    done(s, st);
    if (rc != SQLITE_ROW)
        return db_err(s, "read");
    return n == 0 || same > 0;
}

int
store_processed_env(struct store *s, const char *server_id,
                    const uint8_t digest[16])
{
    sqlite3_stmt *st;
    const void *d;
    int rc, dl, same, old;

    if (env_ready(s) != 0)
        return -1;
    st = prep(s, "SELECT digest FROM processed WHERE server_id = ?1;");
    if (st == NULL)
        return -1;
    sqlite3_bind_text(st, 1, server_id, -1, SQLITE_STATIC);
    rc = sqlite3_step(st);
    if (rc != SQLITE_ROW) {
        done(s, st);
        return rc == SQLITE_DONE ? 0 : db_err(s, "read");
    }
    d = sqlite3_column_blob(st, 0);
    dl = sqlite3_column_bytes(st, 0);
    old = d == NULL;
    same = !old && dl == 16 && memcmp(d, digest, 16) == 0;
    done(s, st);
    if (same)
        return 1;
    if (old)
        return env_known(s, server_id, digest);
    /* another envelope under a known id: handled if recorded there */
    st = prep(s, "SELECT 1 FROM processed_env WHERE server_id = ?1"
                 " AND digest = ?2;");
    if (st == NULL)
        return -1;
    sqlite3_bind_text(st, 1, server_id, -1, SQLITE_STATIC);
    sqlite3_bind_blob(st, 2, digest, 16, SQLITE_STATIC);
    rc = sqlite3_step(st);
    done(s, st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return db_err(s, "read");
    return rc == SQLITE_ROW;
}

/* Marks server_id handled; 1 if it already was (nothing changed). With a
 * digest, "already" means this envelope under this id. */
static int
processed_add(struct store *s, const char *server_id, const char *outcome,
              const uint8_t *digest)
{
    sqlite3_stmt *st;
    int r;

    if (digest != NULL) {
        if (env_ready(s) != 0)
            return -1;
        st = prep(s, "INSERT OR IGNORE INTO processed(server_id, outcome,"
                     " digest) VALUES (?1, ?2, ?3);");
        if (st == NULL)
            return -1;
        sqlite3_bind_text(st, 1, server_id, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, outcome, -1, SQLITE_STATIC);
        sqlite3_bind_blob(st, 3, digest, 16, SQLITE_STATIC);
        if (run(s, st) != 0)
            return -1;
        if (sqlite3_changes(s->db) > 0)
            return 0; /* a new report: one row, as before digests */
        r = store_processed_env(s, server_id, digest);
        if (r != 0)
            return r; /* this envelope was handled (or an error) */
        /* the id given out again for another envelope: recorded, to be
         * acked again */
        st = prep(s, "INSERT OR IGNORE INTO processed_env(server_id, digest)"
                     " VALUES (?1, ?2);");
        if (st == NULL)
            return -1;
        sqlite3_bind_text(st, 1, server_id, -1, SQLITE_STATIC);
        sqlite3_bind_blob(st, 2, digest, 16, SQLITE_STATIC);
        if (run(s, st) != 0)
            return -1;
        st = prep(s, "UPDATE processed SET outcome = ?2, acked = 0"
                     " WHERE server_id = ?1;");
        if (st == NULL)
            return -1;
        sqlite3_bind_text(st, 1, server_id, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, outcome, -1, SQLITE_STATIC);
        return run(s, st) != 0 ? -1 : 0;
    }
    st = prep(s, "INSERT OR IGNORE INTO processed(server_id,"
                 " outcome) VALUES (?1, ?2);");
    if (st == NULL)
        return -1;
    sqlite3_bind_text(st, 1, server_id, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, outcome, -1, SQLITE_STATIC);
    if (run(s, st) != 0)
        return -1;
    return sqlite3_changes(s->db) == 0 ? 1 : 0;
}

static int
insert_facts(struct store *s, int64_t *id, const char *server_id,
             const struct case_facts *f, const char *summary,
             const char *mailbox_id, const uint8_t *mailbox_pk)
{
    char now[17];
    sqlite3_stmt *st = prep(
        s, "INSERT INTO cases(server_id, received, imported, incident,"
           " country, region, lang, categories, needs, perpetrator,"
           " consent_statistics, mailbox_id, mailbox_pk, summary)"
           " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13,"
           " ?14);");

    if (st == NULL)
        return -1;
    store_now(now);
    if (server_id != NULL)
        sqlite3_bind_text(st, 1, server_id, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, f->received, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, now, 10, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 4, f->incident, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 5, f->country, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 6, f->region, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 7, f->lang, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 8, f->categories);
    sqlite3_bind_int64(st, 9, f->needs);
    sqlite3_bind_int(st, 10, f->perpetrator);
    sqlite3_bind_int(st, 11, f->consent_statistics ? 1 : 0);
    if (mailbox_id != NULL && mailbox_pk != NULL) {
        sqlite3_bind_text(st, 12, mailbox_id, -1, SQLITE_STATIC);
        sqlite3_bind_blob(st, 13, mailbox_pk, 32, SQLITE_STATIC);
    }
    sqlite3_bind_text(st, 14, summary ? summary : "", -1, SQLITE_STATIC);
    if (run(s, st) != 0)
        return -1;
    *id = sqlite3_last_insert_rowid(s->db);
    return 0;
}

int
store_add_case(struct store *s, int64_t *id, const struct store_case_in *c)
{
    sqlite3_stmt *st = NULL;
    int r;

    /* first, so that a server id seen before changes nothing */
    if (c->server_id != NULL) {
        r = processed_add(s, c->server_id, "case", c->env_digest);
        if (r != 0)
            return r;
    }
    if (insert_facts(s, id, c->server_id, &c->facts, c->summary,
                     c->mailbox_id, c->mailbox_pk) != 0)
        return -1;
    st = prep(s, "INSERT INTO reports(case_id, doc) VALUES (?1, ?2);");
    if (st == NULL)
        return -1;
    sqlite3_bind_int64(st, 1, *id);
    sqlite3_bind_blob(st, 2, c->doc, (int)c->doc_len, SQLITE_STATIC);
    return run(s, st);
}

int
store_add_quarantine(struct store *s, const char *server_id,
                     const char *received, const char *outcome,
                     const char *reason, const uint8_t *doc, size_t doc_len,
                     const uint8_t *env_digest)
{
    char now[17];
    sqlite3_stmt *st;
    int r;

    if (server_id != NULL) {
        r = processed_add(s, server_id, outcome, env_digest);
        if (r != 0)
            return r;
    }
    st = prep(s, "INSERT INTO quarantine(server_id, received, at, outcome,"
                 " reason, size, head) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7);");
    if (st == NULL)
        return -1;
    store_now(now);
    sqlite3_bind_text(st, 1, server_id, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, received, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, now, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 4, outcome, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 5, reason, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 6, (sqlite3_int64)doc_len);
    if (doc != NULL)
        sqlite3_bind_blob(st, 7, doc,
                          (int)(doc_len > QUARANTINE_KEEP ? QUARANTINE_KEEP
                                                          : doc_len),
                          SQLITE_STATIC);
    return run(s, st);
}

#define ROW_COLS                                                              \
    "c.id, c.received, c.status, c.priority, c.assignee,"                     \
    " (SELECT group_concat(label, ',') FROM labels l WHERE l.case_id = c.id),"\
    " c.summary, c.incident, c.country, c.lang, c.categories, c.imported"

static void
fill_row(struct store_row *r, sqlite3_stmt *st)
{
    r->id = sqlite3_column_int64(st, 0);
    r->received = col_text(st, 1);
    r->status = col_text(st, 2);
    r->priority = col_text(st, 3);
    r->assignee = col_text(st, 4);
    r->labels = col_text(st, 5);
    r->summary = col_text(st, 6);
    r->incident = col_text(st, 7);
    r->country = col_text(st, 8);
    r->lang = col_text(st, 9);
    r->categories = (uint32_t)sqlite3_column_int64(st, 10);
    r->imported = col_text(st, 11);
}

static int
category_bit(const char *name)
{
    int i;

    for (i = 0; i < FACTS_NCATEGORIES; i++)
        if (strcmp(name, FACTS_CATEGORIES[i]) == 0)
            return i;
    return -1;
}

int
store_list(struct store *s, const struct store_filter *f,
           int (*cb)(void *ctx, const struct store_row *r), void *ctx)
{
    sqlite3_stmt *st = NULL;
    struct store_row r;
    int rc = -1, step, bit = -1;

    if (f->category != NULL) {
        bit = category_bit(f->category);
        if (bit < 0) {
            case_err("unknown category '%s'", f->category);
            return -1;
        }
    }
    st = prep(s, "SELECT " ROW_COLS " FROM cases c"
                 " WHERE (?1 IS NULL OR c.status = ?1)"
                 " AND (?2 IS NULL OR (c.categories & ?2) != 0)"
                 " AND (?3 IS NULL OR c.received >= ?3)"
                 " AND (?4 IS NULL OR c.received <= ?4)"
                 " AND (?5 IS NULL OR c.id IN"
                 "  (SELECT case_id FROM labels WHERE label = ?5))"
                 " ORDER BY c.id LIMIT ?6;");
    if (st == NULL)
        return -1;
    if (f->status)
        sqlite3_bind_text(st, 1, f->status, -1, SQLITE_STATIC);
    if (bit >= 0)
        sqlite3_bind_int64(st, 2, (sqlite3_int64)1 << bit);
    if (f->from)
        sqlite3_bind_text(st, 3, f->from, -1, SQLITE_STATIC);
    if (f->to)
        sqlite3_bind_text(st, 4, f->to, -1, SQLITE_STATIC);
    if (f->label)
        sqlite3_bind_text(st, 5, f->label, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 6, f->limit > 0 ? f->limit : -1);
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        fill_row(&r, st);
        if ((rc = cb(ctx, &r)) != 0)
            goto out;
    }
    if (step != SQLITE_DONE) {
        rc = db_err(s, "list");
        goto out;
    }
    rc = 0;
out:
    done(s, st);
    return rc;
}

int
store_get_case(struct store *s, int64_t id,
               int (*cb)(void *ctx, const struct store_row *r,
                         const uint8_t *doc, size_t doc_len,
                         const char *mailbox_id),
               void *ctx)
{
    sqlite3_stmt *st =
        prep(s, "SELECT " ROW_COLS ", r.doc, c.mailbox_id FROM cases c"
                " LEFT JOIN reports r ON r.case_id = c.id WHERE c.id = ?1;");
    struct store_row r;
    int rc = 1, step;

    if (st == NULL)
        return -1;
    sqlite3_bind_int64(st, 1, id);
    step = sqlite3_step(st);
    if (step == SQLITE_ROW) {
        const void *doc = sqlite3_column_blob(st, 12);
        int n = sqlite3_column_bytes(st, 12);

        fill_row(&r, st);
        rc = cb(ctx, &r, doc, doc ? (size_t)n : 0,
                sqlite3_column_type(st, 13) == SQLITE_NULL ? NULL
                                                           : col_text(st, 13));
    } else if (step != SQLITE_DONE) {
        rc = db_err(s, "read");
    }
    done(s, st);
    return rc;
}

int
store_history(struct store *s, int64_t id,
              int (*cb)(void *ctx, const char *at, const char *who,
                        const char *what),
              void *ctx)
{
    sqlite3_stmt *st = prep(s, "SELECT at, who, what FROM history"
                               " WHERE case_id = ?1 ORDER BY id;");
    int rc = 0, step;

    if (st == NULL)
        return -1;
    sqlite3_bind_int64(st, 1, id);
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        rc = cb(ctx, col_text(st, 0), col_text(st, 1), col_text(st, 2));
        if (rc != 0)
            break;
    }
    if (rc == 0 && step != SQLITE_DONE)
        rc = db_err(s, "history");
    done(s, st);
    return rc;
}

int
store_case_exists(struct store *s, int64_t id)
{
    sqlite3_stmt *st = prep(s, "SELECT 1 FROM cases WHERE id = ?1;");
    int rc;

    if (st == NULL)
        return -1;
    sqlite3_bind_int64(st, 1, id);
    rc = sqlite3_step(st) == SQLITE_ROW;
    done(s, st);
    return rc;
}

int
store_set_field(struct store *s, int64_t id, const char *field,
                const char *value, const char *who)
{
    char what[512];
    sqlite3_stmt *st;

    if (strcmp(field, "status") == 0)
        st = prep(s, "UPDATE cases SET status = ?2 WHERE id = ?1;");
    else if (strcmp(field, "priority") == 0)
        st = prep(s, "UPDATE cases SET priority = ?2 WHERE id = ?1;");
    else if (strcmp(field, "assignee") == 0)
        st = prep(s, "UPDATE cases SET assignee = ?2 WHERE id = ?1;");
    else
        return -1;
    if (st == NULL)
        return -1;
    sqlite3_bind_int64(st, 1, id);
    sqlite3_bind_text(st, 2, value, -1, SQLITE_STATIC);
    if (run(s, st) != 0)
        return -1;
    if (sqlite3_changes(s->db) == 0)
        return 1;
    snprintf(what, sizeof what, "%s set to '%s'", field, value);
    return history_add(s, id, who, what);
}

/* Runs sql (?1 = case id, ?2 = label) and, if it changed a row, records
 * "label 'L' <verb>" in the case's history. 0 or -1. */
static int
label_change(struct store *s, int64_t id, const char *label, const char *who,
             const char *sql, const char *verb)
{
    char what[512];
    sqlite3_stmt *st = prep(s, sql);

    if (st == NULL)
        return -1;
    sqlite3_bind_int64(st, 1, id);
    sqlite3_bind_text(st, 2, label, -1, SQLITE_STATIC);
    if (run(s, st) != 0)
        return -1;
    if (sqlite3_changes(s->db) == 0)
        return 0;
    snprintf(what, sizeof what, "label '%s' %s", label, verb);
    return history_add(s, id, who, what);
}

int
store_add_label(struct store *s, int64_t id, const char *label,
                const char *who)
{
    return label_change(
        s, id, label, who,
        "INSERT OR IGNORE INTO labels(case_id, label) VALUES (?1, ?2);",
        "added");
}

int
store_remove_label(struct store *s, int64_t id, const char *label,
                   const char *who)
{
    return label_change(s, id, label, who,
                        "DELETE FROM labels WHERE case_id = ?1 AND label = ?2;",
                        "removed");
}

int
store_add_note(struct store *s, int64_t id, const char *note, const char *who)
{
    char *what = NULL;
    size_t n = strlen(note) + 8;
    int rc;

    what = malloc(n);
    if (what == NULL)
        return -1;
    snprintf(what, n, "note: %s", note);
    rc = history_add(s, id, who, what);
    free(what);
    return rc;
}

int
store_case_mailbox(struct store *s, int64_t id, uint8_t pk[32],
                   char mailbox_id[65], char lang[36])
{
    sqlite3_stmt *st = prep(s, "SELECT mailbox_pk, mailbox_id, lang FROM cases"
                               " WHERE id = ?1 AND mailbox_pk IS NOT NULL;");
    int rc = 1;

    if (st == NULL)
        return -1;
    sqlite3_bind_int64(st, 1, id);
    if (sqlite3_step(st) == SQLITE_ROW &&
        sqlite3_column_bytes(st, 0) == 32) {
        memcpy(pk, sqlite3_column_blob(st, 0), 32);
        snprintf(mailbox_id, 65, "%s", col_text(st, 1));
        snprintf(lang, 36, "%s", col_text(st, 2));
        rc = 0;
    }
    done(s, st);
    return rc;
}

int
store_reply_add(struct store *s, int64_t case_id, const char *mailbox_id,
                const uint8_t *env, size_t env_len, const char *who)
{
    char now[17];
    sqlite3_stmt *st = prep(s, "INSERT INTO replies(case_id, mailbox_id,"
                               " envelope, at) VALUES (?1, ?2, ?3, ?4);");

    if (st == NULL)
        return -1;
    store_now(now);
    sqlite3_bind_int64(st, 1, case_id);
    sqlite3_bind_text(st, 2, mailbox_id, -1, SQLITE_STATIC);
    sqlite3_bind_blob(st, 3, env, (int)env_len, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, now, -1, SQLITE_TRANSIENT);
    if (run(s, st) != 0)
        return -1;
    return history_add(s, case_id, who, "reply queued");
}

int
store_replies_pending(struct store *s,
                      int (*cb)(void *ctx, int64_t reply_id,
                                const char *mailbox_id, const uint8_t *env,
                                size_t env_len),
                      void *ctx)
{
    sqlite3_stmt *st = prep(s, "SELECT id, mailbox_id, envelope FROM replies"
                               " WHERE pushed = 0 ORDER BY id;");
    int rc = 0, step;

    if (st == NULL)
        return -1;
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        rc = cb(ctx, sqlite3_column_int64(st, 0), col_text(st, 1),
                sqlite3_column_blob(st, 2),
                (size_t)sqlite3_column_bytes(st, 2));
        if (rc != 0)
            break;
    }
    if (rc == 0 && step != SQLITE_DONE)
        rc = db_err(s, "replies");
    done(s, st);
    return rc;
}

int
store_reply_pushed(struct store *s, int64_t reply_id)
{
    sqlite3_stmt *st = prep(s, "UPDATE replies SET pushed = 1 WHERE id = ?1;");
    int64_t case_id = 0;
    int rc;

    if (st == NULL)
        return -1;
    sqlite3_bind_int64(st, 1, reply_id);
    if (run(s, st) != 0)
        return -1;
    st = prep(s, "SELECT case_id FROM replies WHERE id = ?1;");
    if (st == NULL)
        return -1;
    sqlite3_bind_int64(st, 1, reply_id);
    if (sqlite3_step(st) == SQLITE_ROW)
        case_id = sqlite3_column_int64(st, 0);
    done(s, st);
    rc = history_add(s, case_id, "umbra-case push", "reply sent to server");
    return rc;
}

int
store_ack_pending(struct store *s, int (*cb)(void *ctx, const char *server_id),
                  void *ctx)
{
    sqlite3_stmt *st = prep(s, "SELECT server_id FROM processed WHERE acked = 0"
                               " AND outcome IN ('case', 'quarantine');");
    int rc = 0, step;

    if (st == NULL)
        return -1;
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        rc = cb(ctx, col_text(st, 0));
        if (rc != 0)
            break;
    }
    if (rc == 0 && step != SQLITE_DONE)
        rc = db_err(s, "ack");
    done(s, st);
    return rc;
}

int
store_mark_acked(struct store *s, const char *server_id)
{
    sqlite3_stmt *st =
        prep(s, "UPDATE processed SET acked = 1 WHERE server_id = ?1;");

    if (st == NULL)
        return -1;
    sqlite3_bind_text(st, 1, server_id, -1, SQLITE_STATIC);
    return run(s, st);
}

int
store_quarantine_each(struct store *s,
                      int (*cb)(void *ctx, int64_t id, const char *server_id,
                                const char *received, const char *when,
                                const char *outcome, const char *reason,
                                size_t size),
                      void *ctx)
{
    sqlite3_stmt *st = prep(s, "SELECT id, server_id, received, at, outcome,"
                               " reason, size FROM quarantine ORDER BY id;");
    int rc = 0, step;

    if (st == NULL)
        return -1;
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        rc = cb(ctx, sqlite3_column_int64(st, 0), col_text(st, 1),
                col_text(st, 2), col_text(st, 3), col_text(st, 4),
                col_text(st, 5), (size_t)sqlite3_column_int64(st, 6));
        if (rc != 0)
            break;
    }
    if (rc == 0 && step != SQLITE_DONE)
        rc = db_err(s, "quarantine");
    done(s, st);
    return rc;
}

int
store_counts(struct store *s, long *cases, long *quarantined)
{
    sqlite3_stmt *st = prep(s, "SELECT (SELECT count(*) FROM cases),"
                               " (SELECT count(*) FROM quarantine);");

    if (st == NULL)
        return -1;
    if (sqlite3_step(st) != SQLITE_ROW) {
        done(s, st);
        return db_err(s, "count");
    }
    *cases = (long)sqlite3_column_int64(st, 0);
    *quarantined = (long)sqlite3_column_int64(st, 1);
    done(s, st);
    return 0;
}

/* ---- facts.h --------------------------------------------------------- */

int
store_facts_each(struct store *s,
                 int (*cb)(void *ctx, const struct case_facts *f), void *ctx)
{
    sqlite3_stmt *st = prep(
        s, "SELECT received, incident, country, region, lang, categories,"
           " needs, perpetrator, consent_statistics FROM cases;");
    struct case_facts f;
    int rc = 0, step;

    if (st == NULL)
        return -1;
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        memset(&f, 0, sizeof f);
        snprintf(f.received, sizeof f.received, "%s", col_text(st, 0));
        snprintf(f.incident, sizeof f.incident, "%s", col_text(st, 1));
        snprintf(f.country, sizeof f.country, "%s", col_text(st, 2));
        snprintf(f.region, sizeof f.region, "%s", col_text(st, 3));
        snprintf(f.lang, sizeof f.lang, "%s", col_text(st, 4));
        f.categories = (uint32_t)sqlite3_column_int64(st, 5);
        f.needs = (uint32_t)sqlite3_column_int64(st, 6);
        f.perpetrator = sqlite3_column_int(st, 7);
        f.consent_statistics = sqlite3_column_int(st, 8);
        rc = cb(ctx, &f);
        if (rc != 0)
            break;
    }
    if (rc == 0 && step != SQLITE_DONE)
        rc = db_err(s, "facts");
    done(s, st);
    return rc;
}

int
store_ledger_add(struct store *s, const char *key, const char *value)
{
    sqlite3_stmt *st = prep(s, "INSERT INTO ledger(k, v) VALUES (?1, ?2);");

    if (st == NULL)
        return -1;
    sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, value, -1, SQLITE_STATIC);
    return run(s, st);
}

int
store_ledger_each(struct store *s,
                  int (*cb)(void *ctx, const char *key, const char *value),
                  void *ctx)
{
    sqlite3_stmt *st = prep(s, "SELECT k, v FROM ledger ORDER BY id;");
    int rc = 0, step;

    if (st == NULL)
        return -1;
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        rc = cb(ctx, col_text(st, 0), col_text(st, 1));
        if (rc != 0)
            break;
    }
    if (rc == 0 && step != SQLITE_DONE)
        rc = db_err(s, "ledger");
    done(s, st);
    return rc;
}

int
store_add_synthetic(struct store *s, const struct case_facts *f,
                    unsigned long n)
{
    unsigned long i;
    int64_t id;

    if (store_begin(s) != 0)
        return -1;
    for (i = 0; i < n; i++) {
        if (insert_facts(s, &id, NULL, f, "", NULL, NULL) != 0) {
            store_rollback(s);
            return -1;
        }
    }
    return store_commit(s);
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

int
store_forget_unopened(struct store *s, long *n)
{
    sqlite3_stmt *st;

    *n = 0;
    st = prep(s, "DELETE FROM quarantine WHERE outcome = 'unopened';");
    if (run(s, st) != 0)
        return -1;
    st = prep(s, "DELETE FROM processed WHERE outcome = 'unopened';");
    if (run(s, st) != 0)
        return -1;
    *n = (long)sqlite3_changes(s->db);
    return 0;
}

/* ---- members: one key per caseworker (verbs_keys.c) -------------------- */

/* Created when first needed, so stores made before it need no migration. */
static const char MEMBERS_TABLE[] =
    "CREATE TABLE IF NOT EXISTS members(id INTEGER PRIMARY KEY,"
    " key_id TEXT NOT NULL UNIQUE, name TEXT NOT NULL UNIQUE,"
    " pk BLOB NOT NULL, sign_pk BLOB NOT NULL, created TEXT NOT NULL,"
    " added TEXT NOT NULL);";

/* 1 if the members table exists, 0 if not, -1 on error. */
static int
members_exist(struct store *s)
{
    sqlite3_stmt *st = prep(s, "SELECT 1 FROM sqlite_master WHERE type = "
                               "'table' AND name = 'members';");
    int rc;

    if (st == NULL)
        return -1;
    rc = sqlite3_step(st);
    done(s, st);
    if (rc == SQLITE_ROW)
        return 1;
    return rc == SQLITE_DONE ? 0 : db_err(s, "read");
}

int
store_member_add(struct store *s, const struct store_member *m)
{
    sqlite3_stmt *st;
    int rc;

    if (exec(s, MEMBERS_TABLE) != 0)
        return -1;
    st = prep(s, "SELECT 1 FROM members WHERE key_id = ?1 OR name = ?2;");
    if (st == NULL)
        return -1;
    sqlite3_bind_text(st, 1, m->id, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, m->name, -1, SQLITE_STATIC);
    rc = sqlite3_step(st);
    done(s, st);
    if (rc == SQLITE_ROW)
        return 1;
    if (rc != SQLITE_DONE)
        return db_err(s, "read");
    st = prep(s, "INSERT INTO members(key_id, name, pk, sign_pk, created,"
                 " added) VALUES (?1, ?2, ?3, ?4, ?5, ?6);");
    if (st == NULL)
        return -1;
    sqlite3_bind_text(st, 1, m->id, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, m->name, -1, SQLITE_STATIC);
    sqlite3_bind_blob(st, 3, m->pk, 32, SQLITE_STATIC);
    sqlite3_bind_blob(st, 4, m->sign_pk, 32, SQLITE_STATIC);
    sqlite3_bind_text(st, 5, m->created, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 6, m->added, -1, SQLITE_STATIC);
    return run(s, st);
}

/* Copies the current row of st (the columns of store_members_each). */
static int
member_row(struct store_member *m, sqlite3_stmt *st)
{
    memset(m, 0, sizeof *m);
    if (sqlite3_column_bytes(st, 2) != 32 ||
        sqlite3_column_bytes(st, 3) != 32)
        return -1;
    snprintf(m->id, sizeof m->id, "%s", col_text(st, 0));
    snprintf(m->name, sizeof m->name, "%s", col_text(st, 1));
    memcpy(m->pk, sqlite3_column_blob(st, 2), 32);
    memcpy(m->sign_pk, sqlite3_column_blob(st, 3), 32);
    snprintf(m->created, sizeof m->created, "%s", col_text(st, 4));
    snprintf(m->added, sizeof m->added, "%s", col_text(st, 5));
    return 0;
}

int
store_members_each(struct store *s,
                   int (*cb)(void *ctx, const struct store_member *m),
                   void *ctx)
{
    struct store_member m;
    sqlite3_stmt *st;
    int rc = members_exist(s), step;

    if (rc <= 0)
        return rc;
    st = prep(s, "SELECT key_id, name, pk, sign_pk, created, added"
                 " FROM members ORDER BY id;");
    if (st == NULL)
        return -1;
    rc = 0;
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        if (member_row(&m, st) != 0) {
            case_err("case store: a member row is damaged");
            rc = -1;
            break;
        }
        rc = cb(ctx, &m);
        if (rc != 0)
            break;
    }
    if (step != SQLITE_ROW && step != SQLITE_DONE)
        rc = db_err(s, "read");
    done(s, st);
    return rc;
}

int
store_member_remove(struct store *s, const char *id_or_name,
                    struct store_member *removed)
{
    sqlite3_stmt *st;
    int rc = members_exist(s), step;

    if (rc < 0)
        return -1;
    if (rc == 0)
        return 1;
    st = prep(s, "SELECT key_id, name, pk, sign_pk, created, added"
                 " FROM members WHERE key_id = ?1 OR name = ?1;");
    if (st == NULL)
        return -1;
    sqlite3_bind_text(st, 1, id_or_name, -1, SQLITE_STATIC);
    step = sqlite3_step(st);
    rc = step == SQLITE_ROW ? member_row(removed, st) : 1;
    if (step != SQLITE_ROW && step != SQLITE_DONE)
        rc = db_err(s, "read");
    done(s, st);
    if (rc != 0)
        return rc;
    st = prep(s, "DELETE FROM members WHERE key_id = ?1;");
    if (st == NULL)
        return -1;
    sqlite3_bind_text(st, 1, removed->id, -1, SQLITE_STATIC);
    return run(s, st);
}
