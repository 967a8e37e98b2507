/* SPDX-License-Identifier: AGPL-3.0-or-later */
/* store_members: one key per caseworker (verbs_keys.c; see store_int.h). */
#include "store_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int
store_member_add(struct store *s, const struct store_member *m)
{
    sqlite3_stmt *st;
    int rc;

    st = store_prep(s, ST_MEMBER_FIND);
    if (st == NULL)
        return -1;
    sqlite3_bind_text(st, 1, m->id, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, m->name, -1, SQLITE_STATIC);
    rc = sqlite3_step(st);
    store_done(s, st);
    if (rc == SQLITE_ROW)
        return 1;
    if (rc != SQLITE_DONE)
        return store_db_err(s, "read");
    st = store_prep(s, ST_MEMBER_ADD);
    if (st == NULL)
        return -1;
    sqlite3_bind_text(st, 1, m->id, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, m->name, -1, SQLITE_STATIC);
    sqlite3_bind_blob(st, 3, m->pk, 32, SQLITE_STATIC);
    sqlite3_bind_blob(st, 4, m->sign_pk, 32, SQLITE_STATIC);
    sqlite3_bind_text(st, 5, m->created, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 6, m->added, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 7, m->may ? (int)m->may : 1);
    return store_run(s, st);
}

/* Copies the current row of st (the columns of store_members_each). */
static int
member_row(struct store_member *m, sqlite3_stmt *st)
{
    memset(m, 0, sizeof *m);
    if (sqlite3_column_bytes(st, 2) != 32 || sqlite3_column_bytes(st, 3) != 32)
        return -1;
    snprintf(m->id, sizeof m->id, "%s", store_col_text(st, 0));
    snprintf(m->name, sizeof m->name, "%s", store_col_text(st, 1));
    memcpy(m->pk, sqlite3_column_blob(st, 2), 32);
    memcpy(m->sign_pk, sqlite3_column_blob(st, 3), 32);
    snprintf(m->created, sizeof m->created, "%s", store_col_text(st, 4));
    snprintf(m->added, sizeof m->added, "%s", store_col_text(st, 5));
    m->may = (unsigned)sqlite3_column_int(st, 6);
    return 0;
}

static int
members_row(void *ctx, sqlite3_stmt *st)
{
    const struct store_cb *c = ctx;
    struct store_member m;

    if (member_row(&m, st) != 0)
        return store_fail(c->s, "case store: a member row is damaged");
    return c->fn.member(c->ctx, &m);
}

int
store_members_each(struct store *s,
                   int (*cb)(void *ctx, const struct store_member *m),
                   void *ctx)
{
    struct store_cb c = {.fn.member = cb, .ctx = ctx, .s = s};

    return store_each(s, store_prep(s, ST_MEMBERS), "read", members_row, &c);
}

int
store_member_remove(struct store *s, const char *id_or_name,
                    struct store_member *removed)
{
    sqlite3_stmt *st;
    int rc, step;

    st = store_prep(s, ST_MEMBER_GET);
    if (st == NULL)
        return -1;
    sqlite3_bind_text(st, 1, id_or_name, -1, SQLITE_STATIC);
    step = sqlite3_step(st);
    rc = step == SQLITE_ROW ? member_row(removed, st) : 1;
    if (step != SQLITE_ROW && step != SQLITE_DONE)
        rc = store_db_err(s, "read");
    store_done(s, st);
    if (rc != 0)
        return rc;
    st = store_prep(s, ST_MEMBER_DELETE);
    if (st == NULL)
        return -1;
    sqlite3_bind_text(st, 1, removed->id, -1, SQLITE_STATIC);
    return store_run(s, st);
}
