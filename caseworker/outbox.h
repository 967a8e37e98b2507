/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * outbox: the outbox file (docs/protocol.md section 10), what 'push --out'
 * writes on the offline laptop and 'push --from' sends from the online
 * computer: sealed replies addressed to mailbox ids, and the server ids
 * of imported reports to acknowledge. Nothing in it is secret.
 */
#ifndef UMBRA_CASE_OUTBOX_H
#define UMBRA_CASE_OUTBOX_H

#include "bfile.h"
#include "umbra.h"

#include <stddef.h>
#include <stdint.h>

#define OUTBOX_FORMAT "umbra.outbox/1"
#define OUTBOX_FILE_MAX (64u * 1024u * 1024u) /* the whole file */
#define OUTBOX_REPLIES_MAX 10000u
#define OUTBOX_ACKS_MAX 100000u
#define OUTBOX_ENVELOPE_MAX (1024u * 1024u) /* one reply, decoded */
#define OUTBOX_EVENTS_MAX 100000u /* case events (sealed, team.h) */

struct outbox_reply {
    char mailbox[65]; /* 64 lowercase hex digits */
    uint8_t *env;
    size_t len;
};

struct outbox {
    char org[UMBRA_SLUG_MAX + 1];
    struct outbox_reply *replies;
    size_t n_replies, cap_replies;
    char (*acks)[BFILE_ID_MAX + 1];
    size_t n_acks, cap_acks;
    struct outbox_event {
        uint8_t *env; /* a sealed case event (protocol section 11) */
        size_t len;
    } *events;
    size_t n_events, cap_events;
};

/* What outbox_parse found wrong. */
enum outbox_err {
    OUTBOX_OK = 0,
    OUTBOX_NOT,     /* not an outbox file at all */
    OUTBOX_VERSION, /* an outbox of another version (why: the format) */
    OUTBOX_CUT,     /* looks like an outbox but does not parse: cut short */
    OUTBOX_BAD,     /* an outbox with a refused value (why says which) */
    OUTBOX_NOMEM,
};

void outbox_init(struct outbox *o);
void outbox_free(struct outbox *o);

/* Adds a reply (mailbox: 64 lowercase hex; a one-stanza envelope of at
 * most OUTBOX_ENVELOPE_MAX bytes, copied) or an ack (a server id as
 * bfile_valid_id), within the caps. 0, or -1 (why written). */
int outbox_add_reply(struct outbox *o, const char *mailbox, const uint8_t *env,
                     size_t len, char *why, size_t cap) UMBRA_WUR;
int outbox_add_ack(struct outbox *o, const char *id, char *why,
                   size_t cap) UMBRA_WUR;

/* Adds a sealed case event (an envelope of at most OUTBOX_ENVELOPE_MAX
 * bytes, copied), within the cap. 0, or -1 (why written). */
int outbox_add_event(struct outbox *o, const uint8_t *env, size_t len,
                     char *why, size_t cap) UMBRA_WUR;

/* The file's text (malloc'd, NUL-ended) for o, made on day (YYYY-MM-DD);
 * NULL when out of memory. */
char *outbox_dump(const struct outbox *o, const char *day);

/*
 * Reads buf[0..len) (at most OUTBOX_FILE_MAX bytes) into o (outbox_init'd
 * by the caller, outbox_free'd by the caller whatever the result): every
 * cap and value checked, so that nothing is sent from a file refused.
 * OUTBOX_OK or an enum outbox_err, with a short reason in why.
 */
int outbox_parse(struct outbox *o, const uint8_t *buf, size_t len, char *why,
                 size_t cap) UMBRA_WUR;

#endif
