/* SPDX-License-Identifier: AGPL-3.0-or-later */
/* store_alerts: community alerts and withdrawals (store.h, migration 10). */
#include "store_int.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

int
store_alert_add(struct store *s, int64_t *n, const char *alert_id,
                const char *kind, const char *cases, const char *body,
                const char *signed_file)
{
    char day[11];
    time_t t = time(NULL);
    struct tm tm;

    if (gmtime_r(&t, &tm) == NULL ||
        strftime(day, sizeof day, "%Y-%m-%d", &tm) != 10)
        return store_fail(s, "case store: no clock");
    if (store_write(s, ST_ALERT_ADD, "tttttt", alert_id, kind, cases, body,
                    signed_file, day) != 0)
        return -1;
    *n = (int64_t)sqlite3_last_insert_rowid(s->db);
    return 0;
}

static int
alert_row(void *ctx, sqlite3_stmt *st)
{
    const struct store_cb *c = ctx;
    struct store_alert a;

    a.n = sqlite3_column_int64(st, 0);
    a.alert_id = store_col_text(st, 1);
    a.kind = store_col_text(st, 2);
    a.cases = store_col_text(st, 3);
    a.body = store_col_text(st, 4);
    a.signed_file = store_col_text(st, 5);
    a.pushed = store_col_text(st, 6);
    a.withdrawn_by = store_col_text(st, 7);
    a.created = store_col_text(st, 8);
    return c->fn.alert(c->ctx, &a);
}

/* As alert_row, and remembers that a row was seen. */
struct found {
    struct store_cb c;
    int seen;
};

static int
found_row(void *ctx, sqlite3_stmt *st)
{
    struct found *f = ctx;

    f->seen = 1;
    return alert_row(&f->c, st);
}

int
store_alert_get(struct store *s, int64_t n, const char *id,
                int (*cb)(void *ctx, const struct store_alert *a), void *ctx)
{
    struct found f = {{.fn.alert = cb, .ctx = ctx, .s = s}, 0};
    sqlite3_stmt *st = store_prep(s, ST_ALERT_GET);
    int rc;

    if (st == NULL)
        return -1;
    sqlite3_bind_int64(st, 1, n);
    sqlite3_bind_text(st, 2, id != NULL ? id : "", -1, SQLITE_STATIC);
    rc = store_each(s, st, "read", found_row, &f);
    return rc == 0 && !f.seen ? 1 : rc;
}

int
store_alerts_each(struct store *s,
                  int (*cb)(void *ctx, const struct store_alert *a),
                  void *ctx)
{
    struct store_cb c = {.fn.alert = cb, .ctx = ctx, .s = s};

    return store_each(s, store_prep(s, ST_ALERTS), "read", alert_row, &c);
}

/* 0 if the last write changed a row, else 1. */
static int
changed(struct store *s, int rc)
{
    return rc != 0 ? rc : sqlite3_changes(s->db) > 0 ? 0 : 1;
}

int
store_alert_set_body(struct store *s, int64_t n, const char *body)
{
    return changed(s, store_write(s, ST_ALERT_BODY, "it", n, body));
}

int
store_alert_set_signed(struct store *s, int64_t n, const char *body,
                       const char *signed_file)
{
    return changed(
        s, store_write(s, ST_ALERT_SIGNED, "itt", n, body, signed_file));
}

int
store_alert_set_pushed(struct store *s, int64_t n, const char *what)
{
    return changed(s, store_write(s, ST_ALERT_PUSHED, "it", n, what));
}

int
store_alert_set_withdrawn(struct store *s, int64_t n,
                          const char *withdrawal_id)
{
    return changed(
        s, store_write(s, ST_ALERT_WITHDRAWN, "it", n, withdrawal_id));
}

int
store_alert_delete(struct store *s, int64_t n)
{
    return changed(s, store_write(s, ST_ALERT_DELETE, "i", n));
}
