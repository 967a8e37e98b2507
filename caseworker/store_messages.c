/* SPDX-License-Identifier: AGPL-3.0-or-later */
/* store_messages: the conversation of a case (see store.h, store_int.h). */
#include "store_int.h"
#include "team.h"

#include <stdio.h>
#include <string.h>

int
store_case_by_mailbox(struct store *s, const char *mailbox_id, int64_t *id,
                      uint8_t pk[32])
{
    sqlite3_stmt *st = store_prep(s, ST_CASE_BY_MAILBOX);
    int rc = 1, step;

    if (st == NULL)
        return -1;
    sqlite3_bind_text(st, 1, mailbox_id, -1, SQLITE_STATIC);
    step = sqlite3_step(st);
    if (step == SQLITE_ROW && sqlite3_column_bytes(st, 1) == 32) {
        *id = sqlite3_column_int64(st, 0);
        memcpy(pk, sqlite3_column_blob(st, 1), 32);
        rc = 0;
    } else if (step != SQLITE_ROW && step != SQLITE_DONE) {
        rc = store_db_err(s, "read");
    }
    store_done(s, st);
    return rc;
}

int
store_add_followup(struct store *s, int64_t case_id,
                   const struct store_followup_in *f)
{
    sqlite3_stmt *st;
    int r;

    r = store_processed_mark(s, f->server_id, "case", f->env_digest);
    if (r != 0)
        return r;
    st = store_prep(s, ST_MESSAGE_ADD);
    if (st == NULL)
        return -1;
    sqlite3_bind_int64(st, 1, case_id);
    sqlite3_bind_text(st, 2, f->day, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, f->text, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, f->server_id, -1, SQLITE_STATIC);
    sqlite3_bind_blob(st, 5, f->doc, (int)f->doc_len, SQLITE_STATIC);
    sqlite3_bind_blob(st, 6, f->proof, 32, SQLITE_STATIC);
    if (store_run(s, st) != 0)
        return -1;
    if (sqlite3_changes(s->db) == 0)
        return 1; /* this proof is in the case already: a replay */
    return store_history_add(s, case_id, "umbra-case import",
                             "follow-up from the reporter");
}

int
store_keep_reply(struct store *s, int64_t case_id, const uint8_t *text,
                 size_t len)
{
    sqlite3_stmt *st = store_prep(s, ST_MESSAGE_REPLY);
    char today[11];

    if (st == NULL)
        return -1;
    umbra_today(today);
    sqlite3_bind_int64(st, 1, case_id);
    sqlite3_bind_text(st, 2, today, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, (const char *)text, (int)len, SQLITE_STATIC);
    if (store_run(s, st) != 0)
        return -1;
    /* the team sees the reply's text (the reply itself goes to the
     * reporter's mailbox with push) */
    return store_team_emit_case(
        s, case_id, "reply", json_pack("{s:s%}", "text", (const char *)text,
                                       len));
}

static int
message_row(void *ctx, sqlite3_stmt *st)
{
    const struct store_cb *c = ctx;
    struct store_message m;

    m.from = store_col_text(st, 0);
    m.day = store_col_text(st, 1);
    m.text = store_col_text(st, 2);
    m.unread = sqlite3_column_int(st, 3) != 0;
    m.pushed = sqlite3_column_int(st, 4) != 0;
    return c->fn.message(c->ctx, &m);
}

int
store_messages(struct store *s, int64_t id,
               int (*cb)(void *ctx, const struct store_message *m), void *ctx)
{
    struct store_cb c = {.fn.message = cb, .ctx = ctx};
    sqlite3_stmt *st = store_prep(s, ST_MESSAGES);

    if (st == NULL)
        return -1;
    sqlite3_bind_int64(st, 1, id);
    return store_each(s, st, "messages", message_row, &c);
}

int
store_messages_read(struct store *s, int64_t id)
{
    int own_txn, rc;

    if (store_write(s, ST_MESSAGES_READ, "i", id) != 0)
        return -1;
    if (sqlite3_changes(s->db) == 0 || !s->has_author)
        return 0;
    /* show marks them read outside any transaction: the event and its
     * counters go in one */
    own_txn = sqlite3_get_autocommit(s->db) != 0;
    if (own_txn && store_begin(s) != 0)
        return -1;
    rc = store_team_emit_case(s, id, "read", json_object());
    if (own_txn) {
        if (rc == 0)
            rc = store_commit(s);
        else
            store_rollback(s);
    }
    return rc;
}

int
store_delete_case(struct store *s, int64_t id)
{
    static const enum stmt rest[] = {ST_DELETE_REPORT, ST_DELETE_LABELS,
                                     ST_DELETE_HISTORY, ST_DELETE_MESSAGES,
                                     ST_DELETE_REPLIES, ST_DELETE_IDENTS};
    char uid[33];
    size_t i;
    int r = store_case_uid(s, id, uid);

    if (r < 0 || store_write(s, ST_DELETE_CASE, "i", id) != 0)
        return -1;
    if (sqlite3_changes(s->db) == 0)
        return 1;
    for (i = 0; i < sizeof rest / sizeof rest[0]; i++)
        if (store_write(s, rest[i], "i", id) != 0)
            return -1;
    if (r == 1)
        return 0;
    /* its events go with it, but the delete, which the team gets */
    if (store_team_erase(s, uid) != 0)
        return -1;
    return team_emit(s, uid, "delete", json_object());
}
