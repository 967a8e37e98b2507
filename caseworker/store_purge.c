/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * store_purge: `umbra-case purge --closed-older-than DAYS` in the store:
 * a closed case quiet since before a day loses its report text, its
 * conversation (messages, replies), its notes, its summary and its
 * mailbox; it keeps its coded facts (facts.h), labels and the rest of its
 * history, so statistics count it as before. Then the file is rebuilt
 * (VACUUM, with secure_delete on) and the WAL folded back and truncated,
 * so the text is gone from the bytes on disk, not only from the tables.
 */
#include "store_int.h"

#include <sqlite3.h>
#include <string.h>

int
store_purge_count(struct store *s, const char *before, uint64_t *n)
{
    sqlite3_stmt *st = store_prep(s, ST_PURGE_COUNT);
    int rc;

    if (st == NULL)
        return -1;
    sqlite3_bind_text(st, 1, before, -1, SQLITE_STATIC);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        *n = (uint64_t)sqlite3_column_int64(st, 0);
    store_done(s, st);
    return rc == SQLITE_ROW ? 0 : store_db_err(s, "purge count");
}

int
store_purge_closed(struct store *s, const char *before, const char *who,
                   uint64_t *n)
{
    static const enum stmt rest[] = {ST_PURGE_REPORTS, ST_PURGE_MESSAGES,
                                     ST_PURGE_REPLIES, ST_PURGE_NOTES};
    char now[17], day[11];
    size_t i;

    *n = 0;
    if (store_write(s, ST_PURGE_MARK, "t", before) != 0)
        return -1;
    *n = (uint64_t)sqlite3_changes(s->db);
    if (*n == 0)
        return 0;
    for (i = 0; i < sizeof rest / sizeof rest[0]; i++)
        if (store_write(s, rest[i], "") != 0)
            return -1;
    store_now(now);
    memcpy(day, now, 10);
    day[10] = '\0';
    if (store_write(s, ST_PURGE_HISTORY, "tt", now, who) != 0 ||
        store_write(s, ST_PURGE_CASES, "t", day) != 0)
        return -1;
    return 0;
}

int
store_vacuum(struct store *s)
{
    char *msg = NULL;
    int rc = sqlite3_exec(s->db,
                          "VACUUM; PRAGMA wal_checkpoint(TRUNCATE);", NULL,
                          NULL, &msg);

    if (rc != SQLITE_OK) {
        store_fail(s, "case store: cannot rebuild the file: %s",
                   msg ? msg : sqlite3_errmsg(s->db));
        sqlite3_free(msg);
        return -1;
    }
    return 0;
}
