/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * store_int: what the files of the case store share (store.c: opening,
 * migrations, meta; store_cases.c: cases, labels, history; store_sync.c:
 * replies, acks, quarantine; store_facts.c: statistics facts and ledger;
 * store_messages.c: the conversation of a case (follow-ups, replies kept);
 * store_alerts.c: community alerts (drafts, signed, pushed, withdrawn);
 * store_members.c: members; store_purge.c: purging closed cases' text;
 * store_stmts.c: the statement table). Not for
 * use outside store*.c: the rest of umbra-case uses store.h.
 *
 * Every statement is a row of STORE_STMTS (name, SQL, who uses it),
 * prepared when the store opens (store_prep) and kept until it closes; a
 * statement is given back with store_done (reset, bindings cleared).
 */
#ifndef UMBRA_CASE_STORE_INT_H
#define UMBRA_CASE_STORE_INT_H

#include <sqlite3.h>
#include <stdint.h>

#include "facts.h"
#include "store.h"

/* At most this much of a quarantined document is kept. */
#define QUARANTINE_KEEP 65536u

struct store_ident; /* store_idents.h */
struct store_link;

enum stmt {
    ST_META_GET,
    ST_META_SET,
    ST_PROCESSED,
    ST_HISTORY_ADD,
    ST_PROCESSED_ADD,
    ST_PROCESSED_ADD_DIGEST,
    ST_PROCESSED_DIGEST,
    ST_ENV_COUNT,
    ST_ENV_FIND,
    ST_ENV_ADD,
    ST_PROCESSED_AGAIN,
    ST_CASE_ADD,
    ST_REPORT_ADD,
    ST_QUARANTINE_ADD,
    ST_LIST,
    ST_CASE_GET,
    ST_HISTORY,
    ST_CASE_EXISTS,
    ST_LABEL_ADD,
    ST_LABEL_REMOVE,
    ST_SET_STATUS,
    ST_SET_PRIORITY,
    ST_SET_ASSIGNEE,
    ST_CASE_MAILBOX,
    ST_REPLY_ADD,
    ST_REPLIES_PENDING,
    ST_REPLY_PUSHED,
    ST_REPLY_CASE,
    ST_ACK_PENDING,
    ST_ACKED,
    ST_QUARANTINE,
    ST_COUNTS,
    ST_FACTS,
    ST_LEDGER_ADD,
    ST_LEDGER,
    ST_FORGET_QUARANTINE,
    ST_FORGET_PROCESSED,
    ST_MEMBER_FIND,
    ST_MEMBER_ADD,
    ST_MEMBERS,
    ST_MEMBER_GET,
    ST_MEMBER_DELETE,
    ST_CASE_BY_MAILBOX,
    ST_CASE_ORIGIN,
    ST_MESSAGE_ADD,
    ST_MESSAGE_REPLY,
    ST_MESSAGES,
    ST_MESSAGES_READ,
    ST_DELETE_CASE,
    ST_DELETE_REPORT,
    ST_DELETE_LABELS,
    ST_DELETE_HISTORY,
    ST_DELETE_MESSAGES,
    ST_DELETE_REPLIES,
    ST_CASE_UID,
    ST_CASE_BY_UID,
    ST_CASE_SET_UID,
    ST_EVENT_ADD,
    ST_EVENTS_CASE,
    ST_EVENTS_ERASE,
    ST_EVENT_DELETED,
    ST_EVENTS_OUT,
    ST_EVENT_OUTGOING,
    ST_EVENT_GAPS,
    ST_EVENT_SET_SIG,
    ST_EVENTS_SIGNED,
    ST_SHARE_CASES,
    ST_IDENTS_ADD,
    ST_IDENTS_CLEAR,
    ST_DELETE_IDENTS,
    ST_REPORTS_ALL,
    ST_IDENTS_COUNT,
    ST_IDENTS_CASE,
    ST_LINKS,
    ST_ALIKES,
    ST_ALERT_ADD,
    ST_ALERT_GET,
    ST_ALERTS,
    ST_ALERT_BODY,
    ST_ALERT_SIGNED,
    ST_ALERT_PUSHED,
    ST_ALERT_WITHDRAWN,
    ST_ALERT_DELETE,
    ST_PURGE_COUNT,
    ST_PURGE_MARK,
    ST_PURGE_REPORTS,
    ST_PURGE_MESSAGES,
    ST_PURGE_REPLIES,
    ST_PURGE_NOTES,
    ST_PURGE_HISTORY,
    ST_PURGE_CASES,
    ST_N
};

struct store {
    sqlite3 *db;
    int lock_fd;
    sqlite3_stmt *stmt[ST_N]; /* STORE_STMTS, prepared */
    struct store_report report; /* where messages go; fn may be NULL */
    char err[STORE_ERRMSG_MAX]; /* the last error (store_errmsg) */
    /* the author of the events this home writes (store_team_author);
     * has_author 0: no events written (a home opened without its keys) */
    int has_author;
    uint8_t author[32];
    int team_quiet; /* applying others' events: write none */
};

struct store_stmt {
    const char *name, *sql, *users;
};
extern const struct store_stmt STORE_STMTS[ST_N];

/* Keeps the message in s->err and gives it to s's report; returns
 * STORE_ERR. */
int store_fail(struct store *s, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* store_fail with "case store: what: <sqlite message>"; returns STORE_ERR. */
int store_db_err(struct store *s, const char *what);
/* Statement which, prepared once and kept until store_close; NULL
 * (store_fail) on error. */
sqlite3_stmt *store_prep(struct store *s, enum stmt which);
/* Gives a statement from store_prep back (reset, bindings cleared). */
void store_done(struct store *s, sqlite3_stmt *st);
/* Steps st (bound) and calls row(ctx, st) on each row until one returns
 * non-zero, which is returned; -1 (store_db_err "what") if a step fails.
 * st is given back on every path; st NULL (a failed store_prep) is -1. */
int store_each(struct store *s, sqlite3_stmt *st, const char *what,
               int (*row)(void *ctx, sqlite3_stmt *st), void *ctx);
/* What an each-function of the store hands its row function (through
 * store_each's ctx): the caller's callback, in the member of fn named
 * after the rows, the caller's context and, where a row function reports
 * an error itself, the store. */
struct store_cb {
    union {
        int (*list)(void *ctx, const struct store_row *r);
        int (*history)(void *ctx, const char *at, const char *who,
                       const char *what);
        int (*facts)(void *ctx, const struct case_facts *f);
        int (*ledger)(void *ctx, const char *key, const char *value);
        int (*member)(void *ctx, const struct store_member *m);
        int (*reply)(void *ctx, int64_t reply_id, const char *mailbox_id,
                     const uint8_t *env, size_t env_len);
        int (*ack)(void *ctx, const char *server_id);
        int (*message)(void *ctx, const struct store_message *m);
        int (*ident)(void *ctx, const struct store_ident *i);
        int (*link)(void *ctx, const struct store_link *l);
        int (*alert)(void *ctx, const struct store_alert *a);
        int (*quarantine)(void *ctx, int64_t id, const char *server_id,
                          const char *received, const char *when,
                          const char *outcome, const char *reason,
                          size_t size);
    } fn;
    void *ctx;
    struct store *s;
};
/* Runs st (bound) that returns no rows, then gives it back. 0 or -1. */
int store_run(struct store *s, sqlite3_stmt *st);
/* Runs statement which (no rows) with ?1, ?2 ... bound from the arguments
 * as fmt says, one letter each: 'i' an int64_t, 't' a const char * (NULL
 * binds NULL), 'b' a const void * and its size_t length. Bound without a
 * copy: the statement is done before this returns. 0 or -1. */
int store_write(struct store *s, enum stmt which, const char *fmt, ...);
/* Column i of the current row as text, "" for NULL. */
const char *store_col_text(sqlite3_stmt *st, int i);
/* Adds "what" by who, now, to case id's history. 0 or -1. */
int store_history_add(struct store *s, int64_t id, const char *who,
                      const char *what);
/* Marks server_id handled with outcome; 1 if it already was (nothing
 * changed). With a digest, "already" means this envelope under this id
 * (store_processed_env). 0, 1 or -1. */
int store_processed_mark(struct store *s, const char *server_id,
                         const char *outcome, const uint8_t *digest);
/* The identifiers of a case (store_idents.c, store_idents.h): reads
 * doc's perpetrator.identifiers (with incident.country), normalised, into
 * case_id's rows; a document that is not JSON or has none adds nothing.
 * 0 or -1. */
int store_idents_add(struct store *s, int64_t case_id, const uint8_t *doc,
                     size_t len);
/* Reads every case's document again if migration 9 asked for it (meta
 * 'idents' = 'rebuild'), once; at open. 0 or -1. */
int store_idents_pending(struct store *s);
/* Inserts the row of a case (no document); sets *id. 0 or -1. */
int store_insert_facts(struct store *s, int64_t *id, const char *server_id,
                       const struct case_facts *f, const char *summary,
                       const char *mailbox_id, const uint8_t *mailbox_pk);

#endif
