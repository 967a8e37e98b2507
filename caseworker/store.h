/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * store: the caseworker's encrypted case store (DIR/cases.db).
 *
 * A SQLCipher database (SQLite with every page, of the database, its
 * rollback journal and its write-ahead log, encrypted with AES-256 and
 * authenticated with HMAC), keyed with the raw 32-byte store key from the
 * key file (PRAGMA key = "x'hex'", so no second KDF). temp_store=MEMORY
 * so no temporary file is ever written; secure_delete=ON so deleted rows
 * are zeroed; WAL with synchronous=FULL so a committed transaction
 * survives a crash and a SIGKILL mid-transaction leaves the last committed
 * state. Writers hold an exclusive flock() on DIR/lock for their whole run.
 * Every statement is in one table in store_stmts.c (name, SQL, who uses it),
 * prepared when the store opens and kept until it closes.
 *
 * Tables (schema: caseworker/schema/NNN_*.sql, applied in order at create
 * and open, the last one applied in PRAGMA user_version; see
 * store_migrations.h):
 *   cases       one row per report: coded fields (indexed), status,
 *               priority, assignee, mailbox, a short summary; the
 *               synthetic rows of store_add_synthetic have no report
 *   reports     case id -> the whole report document (kept apart so that
 *               `list` never reads it)
 *   labels      (case id, label)
 *   history     who changed what and when on each case (local time)
 *   processed   every server id an import has handled, with its outcome
 *               ('case', 'quarantine', 'unopened') and whether acked
 *   quarantine  refused documents: server id, reason, the first bytes
 *   replies     sealed replies waiting for `push`
 *   ledger      the statistics publication ledger (facts.h)
 *   meta        key/value: schema version (always 1), organisation slug
 *   members     caseworkers with their own keys (migration 2)
 *   processed_env  a digest per envelope imported under a server id given
 *               out again (migration 3, which also adds processed.digest)
 *   messages    the conversation: follow-ups and kept replies (migration
 *               4, which also adds cases.origin and cases.origin_case)
 *   alerts      community alerts and withdrawals: drafts, then signed,
 *               pushed, withdrawn (migration 10; store_alert_*)
 */
#ifndef UMBRA_CASE_STORE_H
#define UMBRA_CASE_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "facts.h"
#include "umbra.h"

struct store;

/*
 * Errors. Every fallible function returns 0 (or 1 where said) or a
 * negative code, and keeps the message of its last error in the store:
 * store_errmsg(s), lowercase, no full stop ("case store: read: <sqlite
 * message>"). The store prints nothing; whoever opened it decides what is
 * shown: store_open_with and store_create_with take a struct store_report
 * whose fn gets each message as it happens (umbra-case's
 * case_store_open in util.c prints it as "umbra-case: <message>").
 * STORE_ELOCKED and STORE_ENOSTORE carry no message: the caller knows
 * what to say (the verbs say what to do).
 */
#define STORE_ERR (-1)      /* any other error; the message says which */
#define STORE_ELOCKED (-2)  /* another umbra-case holds the writer lock */
#define STORE_ENOSTORE (-3) /* no DIR/cases.db (store_open) */
#define STORE_ERRMSG_MAX 512

struct store_report {
    void (*fn)(void *ctx, const char *msg);
    void *ctx;
};

/* The message of the last error of s ("" if none yet, or s is NULL). Valid
 * until the next call on s. */
const char *store_errmsg(const struct store *s);

/*
 * Creates a new, empty store in home (refuses if one exists). 0,
 * STORE_ERR or STORE_ELOCKED; r (may be NULL) gets the message of a
 * STORE_ERR.
 */
int store_create_with(const char *home, const uint8_t key[32],
                      const char *slug,
                      const struct store_report *r) UMBRA_WUR;
/* store_create_with with no report. */
int store_create(const char *home, const uint8_t key[32], const char *slug)
    UMBRA_WUR;

/*
 * Opens home's store with key, bringing its schema to the last migration.
 * write: take the writer lock (fails at once with STORE_ELOCKED if another
 * umbra-case holds it). No store: STORE_ENOSTORE. Other errors are
 * STORE_ERR ("cannot open case store ..."), given to r (may be NULL; it
 * stays the store's report until store_close, so r must outlive it).
 * Close with store_close.
 */
int store_open_with(struct store **out, const char *home,
                    const uint8_t key[32], int write,
                    const struct store_report *r) UMBRA_WUR;
/* store_open_with with no report (errors only in store_errmsg). */
int store_open(struct store **out, const char *home, const uint8_t key[32],
               int write) UMBRA_WUR;
void store_close(struct store *s);

/* The schema version of an opened store (its PRAGMA user_version: the
 * last migration applied, store_migrations.h) into *v. 0 or -1. */
int store_schema_version(struct store *s, int *v) UMBRA_WUR;

int store_begin(struct store *s) UMBRA_WUR;
int store_commit(struct store *s) UMBRA_WUR;
void store_rollback(struct store *s);

/* 1 if server_id was already handled by an import, 0 if not, <0 error. */
int store_processed(struct store *s, const char *server_id) UMBRA_WUR;

/*
 * 1 if the report with this server id and digest (its bundle record's
 * check value, bfile_record_mac: BLAKE2b-128 over id, day and envelope)
 * was already handled by an import, 0 if not, <0 error. A server id
 * handled before with another envelope (a restored server giving ids out
 * again, docs/protocol.md section 8) is 0; a server id handled before
 * digests were kept is 1.
 */
int store_processed_env(struct store *s, const char *server_id,
                        const uint8_t digest[16]) UMBRA_WUR;

/* A case taken from an opened, valid report document. */
struct store_case_in {
    const char *server_id;     /* NULL for a case not from a server */
    const char *summary;       /* short, already cut; may be "" */
    const uint8_t *doc;        /* the whole document */
    size_t doc_len;
    const char *mailbox_id;    /* hex, or NULL */
    const uint8_t *mailbox_pk; /* 32 bytes, or NULL */
    const char *reply_lang;    /* the report's lang, or "" */
    const uint8_t *env_digest; /* 16 bytes (store_processed_env), or NULL */
    struct case_facts facts;
    /* NULL or "" for a report; a follow-up that became a case of its own:
     * "follow-up" (its case is not in this store) or "unverified" (it
     * names case origin_case's mailbox, but its proof does not verify) */
    const char *origin;
    int64_t origin_case;
};

/* Inserts a case and marks its server id handled; sets *id. 1 (nothing
 * done) if the server id was handled before (with env_digest: if this
 * envelope was; a server id given out again for another envelope is
 * recorded anew and waits to be acknowledged again). */
int store_add_case(struct store *s, int64_t *id,
                   const struct store_case_in *c) UMBRA_WUR;

/* Records a server id as handled with outcome "quarantine" or
 * "unopened", keeping the reason and at most 64 KiB of the document.
 * 1 (nothing done) if the server id was handled before (env_digest, or
 * NULL, as in store_case_in). */
int store_add_quarantine(struct store *s, const char *server_id,
                         const char *received, const char *outcome,
                         const char *reason, const uint8_t *doc,
                         size_t doc_len,
                         const uint8_t *env_digest) UMBRA_WUR;

/* One row of `list`. Strings valid only during the callback. */
struct store_row {
    int64_t id;
    const char *received, *status, *priority, *assignee, *labels;
    const char *summary, *incident, *country, *lang;
    const char *imported; /* day this laptop imported it ("" if synthetic) */
    uint32_t categories;
    long unread;          /* follow-ups `show` has not shown yet */
    const char *origin;   /* "", "follow-up" or "unverified" (store_case_in) */
    int64_t origin_case;  /* with "unverified": the case it named */
};

struct store_filter {
    const char *status, *category, *from, *to, *label;
    long limit; /* 0: no limit */
};

int store_list(struct store *s, const struct store_filter *f,
               int (*cb)(void *ctx, const struct store_row *r),
               void *ctx) UMBRA_WUR;

/*
 * The document of case id (malloc'd copy in *doc, caller frees, after
 * wiping if it wishes) and its list row. 1 if not found, 0 found, <0.
 */
int store_get_case(struct store *s, int64_t id,
                   int (*cb)(void *ctx, const struct store_row *r,
                             const uint8_t *doc, size_t doc_len,
                             const char *mailbox_id),
                   void *ctx) UMBRA_WUR;

/* History of one case, oldest first. */
int store_history(struct store *s, int64_t id,
                  int (*cb)(void *ctx, const char *at, const char *who,
                            const char *what),
                  void *ctx) UMBRA_WUR;

/* Changes: each adds a history line "what" by who. 1 if no such case. */
int store_set_field(struct store *s, int64_t id, const char *field,
                    const char *value, const char *who) UMBRA_WUR;
int store_add_label(struct store *s, int64_t id, const char *label,
                    const char *who) UMBRA_WUR;
int store_remove_label(struct store *s, int64_t id, const char *label,
                       const char *who) UMBRA_WUR;
int store_add_note(struct store *s, int64_t id, const char *note,
                   const char *who) UMBRA_WUR;
/* 1 if the case exists, 0 if not. */
int store_case_exists(struct store *s, int64_t id) UMBRA_WUR;

/* The mailbox of a case: 0 found (pk and hex id copied), 1 none. */
int store_case_mailbox(struct store *s, int64_t id, uint8_t pk[32],
                       char mailbox_id[65], char lang[36]) UMBRA_WUR;

/*
 * The conversation (table messages, migration 4): the reporter's
 * follow-ups and the organisation's replies, in the order they joined a
 * case; the report itself is the case's document.
 */
/* The oldest case with a reply mailbox whose mailbox_id is mailbox_id
 * (hex): 0 with *id and pk set, 1 if none. */
int store_case_by_mailbox(struct store *s, const char *mailbox_id,
                          int64_t *id, uint8_t pk[32]) UMBRA_WUR;
/* A verified follow-up joining case case_id. */
struct store_followup_in {
    const char *server_id;     /* marked handled, outcome "case" */
    const uint8_t *env_digest; /* 16 bytes (store_processed_env), or NULL */
    const char *day;           /* the day the server received it */
    const char *text;          /* its narrative, UTF-8 */
    const uint8_t *doc;        /* the whole document */
    size_t doc_len;
    const uint8_t *proof;      /* 32 bytes */
};
/* Adds it, unread, with a line in the case's history. 1 (nothing done) if
 * the server id was handled before, or the store holds this proof already
 * (a replayed envelope: its server id is still marked handled). */
int store_add_followup(struct store *s, int64_t case_id,
                       const struct store_followup_in *f) UMBRA_WUR;
/* Keeps the text (len bytes of UTF-8) of the reply just queued for
 * case_id (store_reply_add, same transaction), dated today (UTC). 0 or
 * -1. */
int store_keep_reply(struct store *s, int64_t case_id, const uint8_t *text,
                     size_t len) UMBRA_WUR;
/* One message; strings valid only during the callback. */
struct store_message {
    const char *from; /* "reporter" or "org" */
    const char *day;  /* YYYY-MM-DD */
    const char *text;
    int unread;       /* a follow-up not shown yet */
    int pushed;       /* a reply: sent to the server by push */
};
/* The messages of case id in order: by day (a follow-up's is the day the
 * server received it, a reply's the day it was written), then in the
 * order they joined the case. A non-zero cb result stops and is
 * returned. */
int store_messages(struct store *s, int64_t id,
                   int (*cb)(void *ctx, const struct store_message *m),
                   void *ctx) UMBRA_WUR;
/* Marks every message of case id read. 0 or -1. */
int store_messages_read(struct store *s, int64_t id) UMBRA_WUR;

/* Closed cases whose last activity (import, history, message) is before
 * the day before (YYYY-MM-DD, local) and that still hold text: how many
 * (store_purge_count), or purge them (store_purge_closed, the caller's
 * transaction): their report text, messages, replies, notes, summary and
 * mailbox go, their facts, labels and other history stay, one history
 * line by who says so; *n the cases purged. 0 or -1. store_vacuum, after
 * the commit, rebuilds the file and truncates the WAL so the text is gone
 * from the disk too (store_purge.c). */
int store_purge_count(struct store *s, const char *before, uint64_t *n)
    UMBRA_WUR;
int store_purge_closed(struct store *s, const char *before, const char *who,
                       uint64_t *n) UMBRA_WUR;
int store_vacuum(struct store *s) UMBRA_WUR;

/* Erases case id and all it holds (report, labels, history, messages,
 * replies not pushed yet) for good; its server id stays handled, so an
 * import does not bring it back, and a later follow-up becomes a new case.
 * 1 if there is no such case. Caller's transaction. */
int store_delete_case(struct store *s, int64_t id) UMBRA_WUR;

/* Replies waiting for push. */
int store_reply_add(struct store *s, int64_t case_id, const char *mailbox_id,
                    const uint8_t *env, size_t env_len,
                    const char *who) UMBRA_WUR;
int store_replies_pending(struct store *s,
                          int (*cb)(void *ctx, int64_t reply_id,
                                    const char *mailbox_id,
                                    const uint8_t *env, size_t env_len),
                          void *ctx) UMBRA_WUR;
int store_reply_pushed(struct store *s, int64_t reply_id) UMBRA_WUR;

/* Server ids opened (case or quarantine) and not yet acked. */
int store_ack_pending(struct store *s,
                      int (*cb)(void *ctx, const char *server_id),
                      void *ctx) UMBRA_WUR;
int store_mark_acked(struct store *s, const char *server_id) UMBRA_WUR;

/* Quarantine list, oldest first. */
int store_quarantine_each(struct store *s,
                          int (*cb)(void *ctx, int64_t id,
                                    const char *server_id,
                                    const char *received, const char *when,
                                    const char *outcome, const char *reason,
                                    size_t size),
                          void *ctx) UMBRA_WUR;

/* Counts for messages: cases, quarantined. */
int store_counts(struct store *s, long *cases, long *quarantined) UMBRA_WUR;

/* A value of table meta into out (cap bytes); 1 if absent. */
int store_meta_get(struct store *s, const char *key, char *out,
                   size_t cap) UMBRA_WUR;
int store_meta_set(struct store *s, const char *key,
                   const char *value) UMBRA_WUR;

/* Forgets the envelopes an import could not open with this home's keys
 * (so that the next import tries them again, e.g. after a key file with
 * more keys was copied here); *n gets how many. */
int store_forget_unopened(struct store *s, long *n) UMBRA_WUR;

/* Bulk mode for import (1): exclusive locks and a rollback journal, so that
 * each new page is written once; or back to normal (0): the WAL. */
void store_bulk(struct store *s, int on);

/* Local time "YYYY-MM-DD HH:MM" (history is kept on the offline laptop). */
void store_now(char out[17]);

/*
 * Members (verbs_keys.c): the caseworkers whose own X25519 keys the
 * organisation's public key bundle lists besides its own keys. Kept in
 * table `members` (migration 2): key id (hex), a unique name, the X25519
 * and Ed25519 public keys, the key's created date and the day it was
 * added.
 */
struct store_member {
    char id[17];
    char name[65];
    uint8_t pk[32];
    uint8_t sign_pk[32];
    char created[11];
    char added[11];
    unsigned may; /* UMBRA_MAY_* (migration 7): 0 on add means events */
};
/* Adds one; 1 (nothing done) if its key id or name is already listed. */
int store_member_add(struct store *s, const struct store_member *m) UMBRA_WUR;
/* Members in the order they were added; a non-zero cb result stops and is
 * returned. */
int store_members_each(struct store *s,
                       int (*cb)(void *ctx, const struct store_member *m),
                       void *ctx) UMBRA_WUR;
/* Removes the member whose key id or name is id_or_name and copies it to
 * *removed; 1 if there is none. */
int store_member_remove(struct store *s, const char *id_or_name,
                        struct store_member *removed) UMBRA_WUR;

/*
 * Community alerts (table alerts, migration 10; verbs_alert.c, the desk).
 * A row is a draft (signed_file "") until signed; a signed row never
 * changes again but for pushed and withdrawn_by. n is the local number
 * `alert show N` takes; alert_id the alert's own id (32 hex).
 */
struct store_alert {
    int64_t n;
    const char *alert_id;
    const char *kind;         /* "alert" or "withdrawal" */
    const char *cases;        /* "3,7": the cases drafted from, or "" */
    const char *body;         /* the inner alert JSON */
    const char *signed_file;  /* the alert file, or "" for a draft */
    const char *pushed;       /* "" or "DAY: the server's answer" */
    const char *withdrawn_by; /* "" or the withdrawal's alert_id */
    const char *created;      /* YYYY-MM-DD */
};
/* Adds a row (signed_file NULL: a draft), created today (UTC); *n its
 * number. 0 or -1. */
int store_alert_add(struct store *s, int64_t *n, const char *alert_id,
                    const char *kind, const char *cases, const char *body,
                    const char *signed_file) UMBRA_WUR;
/* The alert numbered n, or whose alert_id is id (either may be unused:
 * 0, NULL), to cb (strings valid during the call). 1 if none; else cb's
 * result, or -1. */
int store_alert_get(struct store *s, int64_t n, const char *id,
                    int (*cb)(void *ctx, const struct store_alert *a),
                    void *ctx) UMBRA_WUR;
/* Every row, oldest first; a non-zero cb result stops and is returned. */
int store_alerts_each(struct store *s,
                      int (*cb)(void *ctx, const struct store_alert *a),
                      void *ctx) UMBRA_WUR;
/* A draft's new body; 1 if n is no draft. */
int store_alert_set_body(struct store *s, int64_t n,
                         const char *body) UMBRA_WUR;
/* A draft signed: its final body and file; 1 if n is no draft. */
int store_alert_set_signed(struct store *s, int64_t n, const char *body,
                           const char *signed_file) UMBRA_WUR;
int store_alert_set_pushed(struct store *s, int64_t n,
                           const char *what) UMBRA_WUR;
int store_alert_set_withdrawn(struct store *s, int64_t n,
                              const char *withdrawal_id) UMBRA_WUR;
/* Deletes a draft (never a signed row); 1 if n is no draft. */
int store_alert_delete(struct store *s, int64_t n) UMBRA_WUR;

#endif
