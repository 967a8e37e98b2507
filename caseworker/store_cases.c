/* SPDX-License-Identifier: AGPL-3.0-or-later */
/* store_cases: cases, their labels and history (see store_int.h). */
#include "store_int.h"
#include "team.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int
store_processed(struct store *s, const char *server_id)
{
    sqlite3_stmt *st = store_prep(s, ST_PROCESSED);
    int rc;

    if (st == NULL)
        return -1;
    sqlite3_bind_text(st, 1, server_id, -1, SQLITE_STATIC);
    rc = sqlite3_step(st);
    store_done(s, st);
    if (rc == SQLITE_ROW)
        return 1;
    if (rc == SQLITE_DONE)
        return 0;
    return store_db_err(s, "read");
}

/*
 * The digest of each report an import handled (its bundle record's check
 * value, over id, day and envelope) is kept beside its server id, so that a
 * server id given out again for another envelope (a restored server
 * backup) is imported rather than taken as handled: in processed.digest for
 * the first envelope under an id (one row per report, as before), and in
 * processed_env for any other envelope given the same id later (both made
 * by migration 3). Rows from before (digest NULL, nothing in
 * processed_env) count as handled whatever the envelope.
 */

/* 1 if (server_id, digest) is in processed_env, or if server_id has no
 * row there at all (a row from before digests); 0 if not; -1. */
static int
env_known(struct store *s, const char *server_id, const uint8_t digest[16])
{
    sqlite3_stmt *st = store_prep(s, ST_ENV_COUNT);
    int64_t n, same;
    int rc;

    if (st == NULL)
        return -1;
    sqlite3_bind_text(st, 1, server_id, -1, SQLITE_STATIC);
    sqlite3_bind_blob(st, 2, digest, 16, SQLITE_STATIC);
    rc = sqlite3_step(st);
    n = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
    same = rc == SQLITE_ROW ? sqlite3_column_int64(st, 1) : 0;
    store_done(s, st);
    if (rc != SQLITE_ROW)
        return store_db_err(s, "read");
    return n == 0 || same > 0;
}

int
store_processed_env(struct store *s, const char *server_id,
                    const uint8_t digest[16])
{
    sqlite3_stmt *st = store_prep(s, ST_PROCESSED_DIGEST);
    const void *d;
    int rc, dl, same, old;

    if (st == NULL)
        return -1;
    sqlite3_bind_text(st, 1, server_id, -1, SQLITE_STATIC);
    rc = sqlite3_step(st);
    if (rc != SQLITE_ROW) {
        store_done(s, st);
        return rc == SQLITE_DONE ? 0 : store_db_err(s, "read");
    }
    d = sqlite3_column_blob(st, 0);
    dl = sqlite3_column_bytes(st, 0);
    old = d == NULL;
    same = !old && dl == 16 && memcmp(d, digest, 16) == 0;
    store_done(s, st);
    if (same)
        return 1;
    if (old)
        return env_known(s, server_id, digest);
    /* another envelope under a known id: handled if recorded there */
    st = store_prep(s, ST_ENV_FIND);
    if (st == NULL)
        return -1;
    sqlite3_bind_text(st, 1, server_id, -1, SQLITE_STATIC);
    sqlite3_bind_blob(st, 2, digest, 16, SQLITE_STATIC);
    rc = sqlite3_step(st);
    store_done(s, st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return store_db_err(s, "read");
    return rc == SQLITE_ROW;
}

int
store_processed_mark(struct store *s, const char *server_id,
                     const char *outcome, const uint8_t *digest)
{
    sqlite3_stmt *st;
    int r;

    if (digest != NULL) {
        st = store_prep(s, ST_PROCESSED_ADD_DIGEST);
        if (st == NULL)
            return -1;
        sqlite3_bind_text(st, 1, server_id, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, outcome, -1, SQLITE_STATIC);
        sqlite3_bind_blob(st, 3, digest, 16, SQLITE_STATIC);
        if (store_run(s, st) != 0)
            return -1;
        if (sqlite3_changes(s->db) > 0)
            return 0; /* a new report: one row, as before digests */
        r = store_processed_env(s, server_id, digest);
        if (r != 0)
            return r; /* this envelope was handled (or an error) */
        /* the id given out again for another envelope: recorded, to be
         * acked again */
        st = store_prep(s, ST_ENV_ADD);
        if (st == NULL)
            return -1;
        sqlite3_bind_text(st, 1, server_id, -1, SQLITE_STATIC);
        sqlite3_bind_blob(st, 2, digest, 16, SQLITE_STATIC);
        if (store_run(s, st) != 0)
            return -1;
        st = store_prep(s, ST_PROCESSED_AGAIN);
        if (st == NULL)
            return -1;
        sqlite3_bind_text(st, 1, server_id, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, outcome, -1, SQLITE_STATIC);
        return store_run(s, st) != 0 ? -1 : 0;
    }
    st = store_prep(s, ST_PROCESSED_ADD);
    if (st == NULL)
        return -1;
    sqlite3_bind_text(st, 1, server_id, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, outcome, -1, SQLITE_STATIC);
    if (store_run(s, st) != 0)
        return -1;
    return sqlite3_changes(s->db) == 0 ? 1 : 0;
}

int
store_insert_facts(struct store *s, int64_t *id, const char *server_id,
                   const struct case_facts *f, const char *summary,
                   const char *mailbox_id, const uint8_t *mailbox_pk)
{
    char now[17];
    sqlite3_stmt *st = store_prep(s, ST_CASE_ADD);

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
    /* every perpetrator named; a caller that set only perpetrator (the
     * synthetic cases of tests) gets its bit */
    sqlite3_bind_int64(st, 15,
                       f->perpetrators ? f->perpetrators
                       : f->perpetrator >= 0 && f->perpetrator < 32
                           ? (sqlite3_int64)(1u << f->perpetrator)
                           : 0);
    if (store_run(s, st) != 0)
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
        r = store_processed_mark(s, c->server_id, "case", c->env_digest);
        if (r != 0)
            return r;
    }
    if (store_insert_facts(s, id, c->server_id, &c->facts, c->summary,
                           c->mailbox_id, c->mailbox_pk) != 0)
        return -1;
    st = store_prep(s, ST_REPORT_ADD);
    if (st == NULL)
        return -1;
    sqlite3_bind_int64(st, 1, *id);
    sqlite3_bind_blob(st, 2, c->doc, (int)c->doc_len, SQLITE_STATIC);
    if (store_run(s, st) != 0)
        return -1;
    if (store_idents_add(s, *id, c->doc, c->doc_len) != 0)
        return -1;
    if (c->origin == NULL || c->origin[0] == 0)
        return 0;
    return store_write(s, ST_CASE_ORIGIN, "iti", *id, c->origin,
                       c->origin_case);
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
        r = store_processed_mark(s, server_id, outcome, env_digest);
        if (r != 0)
            return r;
    }
    st = store_prep(s, ST_QUARANTINE_ADD);
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
        sqlite3_bind_blob(
            st, 7, doc,
            (int)(doc_len > QUARANTINE_KEEP ? QUARANTINE_KEEP : doc_len),
            SQLITE_STATIC);
    return store_run(s, st);
}

static void
fill_row(struct store_row *r, sqlite3_stmt *st)
{
    r->id = sqlite3_column_int64(st, 0);
    r->received = store_col_text(st, 1);
    r->status = store_col_text(st, 2);
    r->priority = store_col_text(st, 3);
    r->assignee = store_col_text(st, 4);
    r->labels = store_col_text(st, 5);
    r->summary = store_col_text(st, 6);
    r->incident = store_col_text(st, 7);
    r->country = store_col_text(st, 8);
    r->lang = store_col_text(st, 9);
    r->categories = (uint32_t)sqlite3_column_int64(st, 10);
    r->imported = store_col_text(st, 11);
    r->unread = (long)sqlite3_column_int64(st, 12);
    r->origin = store_col_text(st, 13);
    r->origin_case = sqlite3_column_int64(st, 14);
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

static int
list_row(void *ctx, sqlite3_stmt *st)
{
    const struct store_cb *l = ctx;
    struct store_row r;

    fill_row(&r, st);
    return l->fn.list(l->ctx, &r);
}

int
store_list(struct store *s, const struct store_filter *f,
           int (*cb)(void *ctx, const struct store_row *r), void *ctx)
{
    struct store_cb l = {.fn.list = cb, .ctx = ctx};
    sqlite3_stmt *st = NULL;
    int bit = -1;

    if (f->category != NULL) {
        bit = category_bit(f->category);
        if (bit < 0) {
            store_fail(s, "unknown category '%s'", f->category);
            return -1;
        }
    }
    st = store_prep(s, ST_LIST);
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
    return store_each(s, st, "list", list_row, &l);
}

int
store_get_case(struct store *s, int64_t id,
               int (*cb)(void *ctx, const struct store_row *r,
                         const uint8_t *doc, size_t doc_len,
                         const char *mailbox_id),
               void *ctx)
{
    sqlite3_stmt *st = store_prep(s, ST_CASE_GET);
    struct store_row r;
    int rc = 1, step;

    if (st == NULL)
        return -1;
    sqlite3_bind_int64(st, 1, id);
    step = sqlite3_step(st);
    if (step == SQLITE_ROW) {
        const void *doc = sqlite3_column_blob(st, 15);
        int n = sqlite3_column_bytes(st, 15);

        fill_row(&r, st);
        rc = cb(ctx, &r, doc, doc ? (size_t)n : 0,
                sqlite3_column_type(st, 16) == SQLITE_NULL
                    ? NULL
                    : store_col_text(st, 16));
    } else if (step != SQLITE_DONE) {
        rc = store_db_err(s, "read");
    }
    store_done(s, st);
    return rc;
}

static int
history_row(void *ctx, sqlite3_stmt *st)
{
    const struct store_cb *h = ctx;

    return h->fn.history(h->ctx, store_col_text(st, 0),
                         store_col_text(st, 1), store_col_text(st, 2));
}

int
store_history(struct store *s, int64_t id,
              int (*cb)(void *ctx, const char *at, const char *who,
                        const char *what),
              void *ctx)
{
    struct store_cb h = {.fn.history = cb, .ctx = ctx};
    sqlite3_stmt *st = store_prep(s, ST_HISTORY);

    if (st == NULL)
        return -1;
    sqlite3_bind_int64(st, 1, id);
    return store_each(s, st, "history", history_row, &h);
}

int
store_case_exists(struct store *s, int64_t id)
{
    sqlite3_stmt *st = store_prep(s, ST_CASE_EXISTS);
    int rc;

    if (st == NULL)
        return -1;
    sqlite3_bind_int64(st, 1, id);
    rc = sqlite3_step(st) == SQLITE_ROW;
    store_done(s, st);
    return rc;
}

/* Runs statement which (?1 = case id, ?2 = value) and, if it changed a
 * row, records what in the case's history. 1 if it changed none, 0, -1. */
static int
case_change(struct store *s, int64_t id, enum stmt which, const char *value,
            const char *who, const char *what)
{
    if (store_write(s, which, "it", id, value) != 0)
        return -1;
    if (sqlite3_changes(s->db) == 0)
        return 1;
    return store_history_add(s, id, who, what);
}

int
store_set_field(struct store *s, int64_t id, const char *field,
                const char *value, const char *who)
{
    char what[512];
    enum stmt which;
    int r;

    if (strcmp(field, "status") == 0)
        which = ST_SET_STATUS;
    else if (strcmp(field, "priority") == 0)
        which = ST_SET_PRIORITY;
    else if (strcmp(field, "assignee") == 0)
        which = ST_SET_ASSIGNEE;
    else
        return -1;
    snprintf(what, sizeof what, "%s set to '%s'", field, value);
    r = case_change(s, id, which, value, who, what);
    if (r != 0)
        return r;
    /* the one place a field is written: its event for the team */
    return store_team_emit_case(s, id, field,
                                json_pack("{s:s}", "value", value));
}

/* Adds or removes (statement which) a label, recording "label 'L' <verb>"
 * in the case's history if it changed anything. 0 or -1. */
static int
label_change(struct store *s, int64_t id, const char *label, const char *who,
             enum stmt which, const char *verb)
{
    char what[512];
    int rc;

    snprintf(what, sizeof what, "label '%s' %s", label, verb);
    rc = case_change(s, id, which, label, who, what);
    if (rc != 0)
        return rc == 1 ? 0 : rc;
    return store_team_emit_case(
        s, id, "label",
        json_pack("{s:s, s:b}", "label", label, "on", which == ST_LABEL_ADD));
}

int
store_add_label(struct store *s, int64_t id, const char *label, const char *who)
{
    return label_change(s, id, label, who, ST_LABEL_ADD, "added");
}

int
store_remove_label(struct store *s, int64_t id, const char *label,
                   const char *who)
{
    return label_change(s, id, label, who, ST_LABEL_REMOVE, "removed");
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
    rc = store_history_add(s, id, who, what);
    free(what);
    if (rc != 0)
        return rc;
    return store_team_emit_case(s, id, "note", json_pack("{s:s}", "text", note));
}

int
store_case_mailbox(struct store *s, int64_t id, uint8_t pk[32],
                   char mailbox_id[65], char lang[36])
{
    sqlite3_stmt *st = store_prep(s, ST_CASE_MAILBOX);
    int rc = 1;

    if (st == NULL)
        return -1;
    sqlite3_bind_int64(st, 1, id);
    if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_bytes(st, 0) == 32) {
        memcpy(pk, sqlite3_column_blob(st, 0), 32);
        snprintf(mailbox_id, 65, "%s", store_col_text(st, 1));
        snprintf(lang, 36, "%s", store_col_text(st, 2));
        rc = 0;
    }
    store_done(s, st);
    return rc;
}

int
store_counts(struct store *s, long *cases, long *quarantined)
{
    sqlite3_stmt *st = store_prep(s, ST_COUNTS);

    if (st == NULL)
        return -1;
    if (sqlite3_step(st) != SQLITE_ROW) {
        store_done(s, st);
        return store_db_err(s, "count");
    }
    *cases = (long)sqlite3_column_int64(st, 0);
    *quarantined = (long)sqlite3_column_int64(st, 1);
    store_done(s, st);
    return 0;
}
