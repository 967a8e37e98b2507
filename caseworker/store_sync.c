/* SPDX-License-Identifier: AGPL-3.0-or-later */
/* store_sync: replies waiting for push, acks, the quarantine (see
 * store_int.h). */
#include "store_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int
store_reply_add(struct store *s, int64_t case_id, const char *mailbox_id,
                const uint8_t *env, size_t env_len, const char *who)
{
    char now[17];

    store_now(now);
    if (store_write(s, ST_REPLY_ADD, "itbt", case_id, mailbox_id,
                    (const void *)env, env_len, now) != 0)
        return -1;
    return store_history_add(s, case_id, who, "reply queued");
}

static int
reply_row(void *ctx, sqlite3_stmt *st)
{
    const struct store_cb *r = ctx;

    return r->fn.reply(r->ctx, sqlite3_column_int64(st, 0),
                       store_col_text(st, 1), sqlite3_column_blob(st, 2),
                       (size_t)sqlite3_column_bytes(st, 2));
}

int
store_replies_pending(struct store *s,
                      int (*cb)(void *ctx, int64_t reply_id,
                                const char *mailbox_id, const uint8_t *env,
                                size_t env_len),
                      void *ctx)
{
    struct store_cb r = {.fn.reply = cb, .ctx = ctx};

    return store_each(s, store_prep(s, ST_REPLIES_PENDING), "replies",
                      reply_row, &r);
}

int
store_reply_pushed(struct store *s, int64_t reply_id)
{
    sqlite3_stmt *st;
    int64_t case_id = 0;
    int rc;

    if (store_write(s, ST_REPLY_PUSHED, "i", reply_id) != 0)
        return -1;
    st = store_prep(s, ST_REPLY_CASE);
    if (st == NULL)
        return -1;
    sqlite3_bind_int64(st, 1, reply_id);
    if (sqlite3_step(st) == SQLITE_ROW)
        case_id = sqlite3_column_int64(st, 0);
    store_done(s, st);
    rc = store_history_add(s, case_id, "umbra-case push",
                           "reply sent to server");
    return rc;
}

static int
ack_row(void *ctx, sqlite3_stmt *st)
{
    const struct store_cb *a = ctx;

    return a->fn.ack(a->ctx, store_col_text(st, 0));
}

int
store_ack_pending(struct store *s, int (*cb)(void *ctx, const char *server_id),
                  void *ctx)
{
    struct store_cb a = {.fn.ack = cb, .ctx = ctx};

    return store_each(s, store_prep(s, ST_ACK_PENDING), "ack", ack_row, &a);
}

int
store_mark_acked(struct store *s, const char *server_id)
{
    return store_write(s, ST_ACKED, "t", server_id);
}

static int
quarantine_row(void *ctx, sqlite3_stmt *st)
{
    const struct store_cb *q = ctx;

    return q->fn.quarantine(q->ctx, sqlite3_column_int64(st, 0),
                            store_col_text(st, 1), store_col_text(st, 2),
                            store_col_text(st, 3), store_col_text(st, 4),
                            store_col_text(st, 5),
                            (size_t)sqlite3_column_int64(st, 6));
}

int
store_quarantine_each(struct store *s,
                      int (*cb)(void *ctx, int64_t id, const char *server_id,
                                const char *received, const char *when,
                                const char *outcome, const char *reason,
                                size_t size),
                      void *ctx)
{
    struct store_cb q = {.fn.quarantine = cb, .ctx = ctx};

    return store_each(s, store_prep(s, ST_QUARANTINE), "quarantine",
                      quarantine_row, &q);
}

int
store_forget_unopened(struct store *s, long *n)
{
    sqlite3_stmt *st;

    *n = 0;
    st = store_prep(s, ST_FORGET_QUARANTINE);
    if (store_run(s, st) != 0)
        return -1;
    st = store_prep(s, ST_FORGET_PROCESSED);
    if (store_run(s, st) != 0)
        return -1;
    *n = (long)sqlite3_changes(s->db);
    return 0;
}
