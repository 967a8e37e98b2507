/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * team: case events, the casework several caseworkers share through the
 * blind server (docs/protocol.md "Case events", spec D of issue 15).
 *
 * An event is a small JSON document (struct team_event) written by one
 * member when it changes a case (status, priority, assignee, a label, a
 * note, a reply sent, follow-ups read, a case deleted) or the organisation
 * (types registered in team_handlers[]). It is signed with the author's
 * own Ed25519 key, then sealed to every key of the organisation's current
 * bundle, so that a member removed from the bundle cannot open the events
 * written after it:
 *
 *   envelope( {"format": "umbra.event/1", "event": "<event JSON text>",
 *              "author": "<b64 Ed25519 pk>", "signature": "<b64>"} )
 *
 * the signature covering "umbra.event/1\n" followed by the bytes of the
 * "event" string (no canonical JSON needed). The event JSON: {"org",
 * "id": 32 hex, "seq": the author's counter 1, 2, ..., "clock": a Lamport
 * clock, "day": "YYYY-MM-DD", "case": 32 hex (absent for an
 * organisation-wide event), "type", "body": object}.
 *
 * Merging (team_merge.c) is a pure function of the set of events of a
 * case: they are ordered by (clock, author key bytes, id), a total order
 * every member computes alike, and folded: status, priority and assignee
 * are last-writer-wins registers, each label is a register of its own
 * (present or not), notes, replies and reads are appended in that order,
 * and a delete is a tombstone that wins whatever comes after. The same
 * events in any order, or twice, give byte-identical state (team_state_json).
 *
 * team_event.c: the event document (build, sign+seal, open+verify);
 * team_merge.c: the merge; team_store.c: the events in the case store.
 */
#ifndef UMBRA_CASE_TEAM_H
#define UMBRA_CASE_TEAM_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "umbra.h"

struct store;

#define TEAM_FORMAT "umbra.event/1"
/* The whole inner document and the event text: at most this many bytes. */
#define TEAM_DOC_MAX 524288u
#define TEAM_TYPE_MAX 32u
/* seq and clock stay below 2^53, exact in every JSON implementation. */
#define TEAM_COUNTER_MAX 9007199254740991ull

/* Why an event was refused (team_event_open, team_event_parse). */
enum team_err {
    TEAM_OK = 0,
    TEAM_E_UNOPENED = -1,  /* no key of this home opens the envelope */
    TEAM_E_FORMAT = -2,    /* not an umbra.event/1 document, or malformed */
    TEAM_E_SIGNATURE = -3, /* the signature does not verify */
    TEAM_E_ORG = -4,       /* written for another organisation */
    TEAM_E_AUTHOR = -5,    /* the author is not a member who may write */
    TEAM_E_NOMEM = -6
};
const char *team_err_str(int err);

/* One parsed, verified event. team_event_release frees body and text. */
struct team_event {
    char org[UMBRA_SLUG_MAX + 1];
    char id[33];         /* 32 lowercase hex */
    uint64_t seq;        /* 1, 2, ... per author */
    uint64_t clock;      /* Lamport clock */
    char day[11];        /* YYYY-MM-DD */
    char case_uid[33];   /* "" for an organisation-wide event */
    char type[TEAM_TYPE_MAX + 1];
    uint8_t author[32];  /* Ed25519 public key */
    json_t *body;        /* an object, owned */
    uint8_t sig[64];     /* the author's signature (team_event_open) */
    int has_sig;
    char *text;          /* the signed event text (malloc'd, NUL-ended) */
};
void team_event_release(struct team_event *e);

/*
 * The event text for these fields (body is not stolen); *text malloc'd.
 * case_uid NULL or "" for an organisation-wide event. 0 or -1.
 */
int team_event_text(char **text, const char *org, const char *id,
                    uint64_t seq, uint64_t clock, const char *day,
                    const char *case_uid, const char *type,
                    const json_t *body) UMBRA_WUR;

/*
 * Parses and checks an event text (len bytes) into *e, with author:
 * every field present and of its shape, nothing else. 0 or TEAM_E_FORMAT
 * (*e released).
 */
int team_event_parse(struct team_event *e, const char *text, size_t len,
                     const uint8_t author[32]) UMBRA_WUR;

/*
 * Signs text with sign_sk (Ed25519, seed || pk) and seals the document to
 * the n (1..16) X25519 keys at pks. *env malloc'd (*env_len bytes),
 * padded as reports are. 0 or -1.
 */
int team_event_seal(uint8_t **env, size_t *env_len, uint8_t sig[64],
                    const char *text, const uint8_t sign_sk[64],
                    const uint8_t *pks, unsigned n) UMBRA_WUR;

/* Checks sig (the author's over "umbra.event/1\n" || text) and parses
 * text into *e with it: 0, TEAM_E_SIGNATURE or TEAM_E_FORMAT. */
int team_event_verify(struct team_event *e, const char *text, size_t len,
                      const uint8_t author[32], const uint8_t sig[64])
    UMBRA_WUR;

/*
 * Who may write events: 1 if pk may, else 0. ctx is the caller's (the
 * newest bundle the home holds: the organisation's signing key and every
 * signer with "events").
 */
typedef int (*team_author_fn)(const void *ctx, const uint8_t pk[32]);

/*
 * Opens env with one of the nkeys key pairs, verifies the signature,
 * parses the event, checks that its org is org and that may(ctx, author)
 * says yes. 0 with *e filled, or a TEAM_E_* (nothing kept).
 */
int team_event_open(struct team_event *e, const uint8_t *env, size_t env_len,
                    const uint8_t *sks, const uint8_t *pks, unsigned nkeys,
                    const char *org, team_author_fn may,
                    const void *ctx) UMBRA_WUR;

/* The case uid of a report: hex of the first 16 bytes of
 * BLAKE2b-256("umbra/case/v1" || env). */
void team_case_uid(char out[33], const uint8_t *env, size_t env_len);

/* A new random event id (32 hex). */
void team_new_id(char out[33]);

/* ---- merge (team_merge.c) ------------------------------------------------ */

/* The merged state of one case. */
struct team_reg {
    char *value;      /* malloc'd; NULL: never set by an event */
    uint64_t clock;   /* the winning event's key */
    uint8_t author[32];
    char id[33];
};
struct team_label {
    char *label;
    int on;
    uint64_t clock;
    uint8_t author[32];
    char id[33];
};
struct team_state {
    struct team_reg status, priority, assignee;
    struct team_label *labels; /* sorted by label */
    size_t nlabels;
    int deleted;
    /* the events in merge order (pointers into the caller's array) */
    const struct team_event **log;
    size_t nlog;
};

/* Orders two events: clock, then author key bytes, then id. */
int team_event_cmp(const struct team_event *a, const struct team_event *b);

/*
 * Merges the n events of one case (any order, duplicates by id counted
 * once) into *st (team_state_release frees it; st->log points into
 * events, which must outlive it). Events of a type the merge does not
 * know are kept in the log and change nothing else. 0 or -1 (memory).
 */
int team_merge(struct team_state *st, const struct team_event *events,
               size_t n) UMBRA_WUR;
void team_state_release(struct team_state *st);

/*
 * The state as canonical JSON (sorted keys, compact): status, priority,
 * assignee (null when no event set it), labels (sorted), deleted, and
 * history: [{"id","clock","day","author","type","body"}] in merge order.
 * malloc'd, NULL on failure.
 */
char *team_state_json(const struct team_state *st);

/* A phrase for what an event did ("set status to in-progress", "added a
 * note"), into out (cap bytes). */
void team_event_what(char *out, size_t cap, const struct team_event *e);

/* ---- events in the case store (store_team.c) ---------------------------- */

/* The author of the events this store writes from now on (the home's own
 * signing key); a store opened without it writes none. */
void store_team_author(struct store *s, const uint8_t pk[32]);

/* Case id's uid into uid: 0, 1 if it has none (a case from before events,
 * a synthetic one), -1. */
int store_case_uid(struct store *s, int64_t id, char uid[33]) UMBRA_WUR;
int store_case_set_uid(struct store *s, int64_t id, const char *uid)
    UMBRA_WUR;

/*
 * Queues a new event of this home's author for the next push (caller's
 * transaction): seq and clock are the next ones, id random, day today.
 * case_uid NULL for an organisation-wide event. body is stolen (decref'd
 * on every path; NULL is an out-of-memory error). Nothing is written (0)
 * when the store has no author. 0 or -1.
 */
int team_emit(struct store *s, const char *case_uid, const char *type,
              json_t *body) UMBRA_WUR;
/* team_emit for case id (nothing when it has no uid). */
int store_team_emit_case(struct store *s, int64_t id, const char *type,
                         json_t *body) UMBRA_WUR;

/* Adds an accepted event of another member (with its signature when
 * e->has_sig): 0, 1 if known already (a replay) or for a deleted case,
 * -1. Does not apply it. */
int store_team_add(struct store *s, const struct team_event *e) UMBRA_WUR;

/* Recomputes case uid from all its events onto its row (status, priority,
 * assignee, labels; a delete erases it). 1 if no case has that uid yet
 * (its events wait for the report). */
int store_team_apply(struct store *s, const char *uid) UMBRA_WUR;

/* Calls cb with the merged state of case uid's events; cb's result. */
int store_team_merged(struct store *s, const char *uid,
                      int (*cb)(void *ctx, const struct team_state *st),
                      void *ctx) UMBRA_WUR;

/* The case with uid into *id: 0, 1 if none, -1. */
int store_team_case_id(struct store *s, const char *uid, int64_t *id)
    UMBRA_WUR;

/* Keeps the signature push made for one of this home's events. */
int store_team_set_sig(struct store *s, const uint8_t digest[32],
                       const uint8_t sig[64]) UMBRA_WUR;
/* Each signed event of case uid (shares left out) in merge order: author,
 * text, signature. cb's non-zero result stops and is returned. */
int store_team_signed(struct store *s, const char *uid,
                      int (*cb)(void *ctx, const uint8_t author[32],
                                const char *text, const uint8_t sig[64]),
                      void *ctx) UMBRA_WUR;
/* Each uid of an open case (status not closed). */
int store_team_open_cases(struct store *s,
                          int (*cb)(void *ctx, const char *uid),
                          void *ctx) UMBRA_WUR;

/* Erases the events of case uid but its delete (store_delete_case). */
int store_team_erase(struct store *s, const char *uid) UMBRA_WUR;

/* The events to push (outgoing 1; with again, 2 as well), oldest first;
 * store_team_sent marks one (0 sent, 2 carried in an outbox file). */
int store_team_outgoing(struct store *s, int again,
                        int (*cb)(void *ctx, const uint8_t digest[32],
                                  const char *text),
                        void *ctx) UMBRA_WUR;
int store_team_sent(struct store *s, const uint8_t digest[32],
                    int outgoing) UMBRA_WUR;

/* Calls cb for each author whose seqs have a gap: have distinct seqs of
 * 1..last (the server dropped or withholds events). */
int store_team_gaps(struct store *s,
                    int (*cb)(void *ctx, const uint8_t author[32], long have,
                              long last),
                    void *ctx) UMBRA_WUR;

/* ---- organisation-wide events ------------------------------------------- */

/* A handler for an organisation-wide event type; stats adds its row here
 * (e.g. "stats.ledger"). apply returns 0, or -1 to refuse the event. */
struct team_handler {
    const char *type;
    /* b: the newest bundle the home holds (who the key holder is) */
    int (*apply)(struct store *s, const struct team_event *e,
                 const struct umbra_bundle *b);
};
/* Ends with {NULL, NULL} (team_handlers.c). */
extern const struct team_handler team_handlers[];
/* The handler for type, or NULL. */
const struct team_handler *team_handler_find(const char *type);

#endif
