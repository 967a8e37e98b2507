/* SPDX-License-Identifier: AGPL-3.0-or-later */
/* store_outbox: replies and acks for an outbox file (store_outbox.h). */
#include "store_outbox.h"
#include "store_int.h"

#include <string.h>

/* sql prepared on s's database (statements used once per push --out, so
 * not kept in STORE_STMTS); NULL with the store's error. */
static sqlite3_stmt *
prep(struct store *s, const char *sql)
{
    sqlite3_stmt *st = NULL;

    if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK) {
        store_db_err(s, "outbox");
        sqlite3_finalize(st);
        return NULL;
    }
    return st;
}

int
store_outbox_each(struct store *s, int again,
                  int (*reply)(void *ctx, int64_t reply_id,
                               const char *mailbox_id, const uint8_t *env,
                               size_t env_len),
                  int (*ack)(void *ctx, const char *server_id), void *ctx)
{
    sqlite3_stmt *st;
    int rc = 0, step;

    st = prep(s, "SELECT id, mailbox_id, envelope FROM replies"
                 " WHERE pushed = 0 AND (carried = 0 OR ?1) ORDER BY id;");
    if (st == NULL)
        return -1;
    sqlite3_bind_int(st, 1, again != 0);
    while (rc == 0 && (step = sqlite3_step(st)) == SQLITE_ROW)
        rc = reply(ctx, sqlite3_column_int64(st, 0), store_col_text(st, 1),
                   sqlite3_column_blob(st, 2),
                   (size_t)sqlite3_column_bytes(st, 2));
    if (rc == 0 && step != SQLITE_DONE)
        rc = store_db_err(s, "outbox replies");
    sqlite3_finalize(st);
    if (rc != 0)
        return rc;
    st = prep(s, "SELECT server_id FROM processed WHERE acked = 0"
                 " AND outcome IN ('case', 'quarantine')"
                 " AND (carried = 0 OR ?1) ORDER BY server_id;");
    if (st == NULL)
        return -1;
    sqlite3_bind_int(st, 1, again != 0);
    while (rc == 0 && (step = sqlite3_step(st)) == SQLITE_ROW)
        rc = ack(ctx, store_col_text(st, 0));
    if (rc == 0 && step != SQLITE_DONE)
        rc = store_db_err(s, "outbox acks");
    sqlite3_finalize(st);
    return rc;
}

/* Runs sql with ?1 bound to id (text when text != NULL). 0 or -1. */
static int
mark(struct store *s, const char *sql, int64_t id, const char *text)
{
    sqlite3_stmt *st = prep(s, sql);
    int rc;

    if (st == NULL)
        return -1;
    if (text != NULL)
        sqlite3_bind_text(st, 1, text, -1, SQLITE_STATIC);
    else
        sqlite3_bind_int64(st, 1, id);
    rc = sqlite3_step(st) == SQLITE_DONE ? 0 : store_db_err(s, "outbox");
    sqlite3_finalize(st);
    return rc;
}

int
store_outbox_reply_carried(struct store *s, int64_t reply_id)
{
    sqlite3_stmt *st;
    int64_t case_id = 0;

    if (mark(s, "UPDATE replies SET carried = 1 WHERE id = ?1;", reply_id,
             NULL) != 0)
        return -1;
    st = prep(s, "SELECT case_id FROM replies WHERE id = ?1;");
    if (st == NULL)
        return -1;
    sqlite3_bind_int64(st, 1, reply_id);
    if (sqlite3_step(st) == SQLITE_ROW)
        case_id = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return store_history_add(s, case_id, "umbra-case push --out",
                             "reply written to an outbox file (not yet "
                             "sent)");
}

int
store_outbox_ack_carried(struct store *s, const char *server_id)
{
    return mark(s, "UPDATE processed SET carried = 1 WHERE server_id = ?1;", 0,
                server_id);
}
