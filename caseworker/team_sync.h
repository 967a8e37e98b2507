/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * team_sync: case events (team.h) through the server's event log
 * (docs/protocol.md "Case events"; routes POST and GET
 * /api/v1/sync/events).
 *
 * push signs and seals every queued event to the keys of the home's
 * current bundle (DIR/public.json) and posts each as one envelope; pull
 * fetches the log's new events into the bundle file as event records
 * (bfile.h, kind 'E'); import opens, verifies (the author must be a
 * signer of the newest bundle the home holds with "events", or the
 * organisation's signing key) and merges them, all in one transaction,
 * then reports any gap in an author's seq. Every function prints its own
 * errors.
 */
#ifndef UMBRA_CASE_TEAM_SYNC_H
#define UMBRA_CASE_TEAM_SYNC_H

#include <stddef.h>
#include <stdint.h>

#include "umbra.h"

struct bfile;
struct net;
struct store;

/* An event envelope: 1 MiB at most (the server's cap). */
#define TEAM_ENV_MAX (1024u * 1024u)
#define TEAM_NAME_BUF 96u

/* team_author_fn for a bundle (ctx): a signer with "events", or the
 * organisation's signing key. */
int team_may_write(const void *ctx, const uint8_t pk[32]);

/* The name the bundle gives pk, or "a former member (fingerprint)" in
 * buf. */
const char *team_author_name(const struct umbra_bundle *b,
                             const uint8_t pk[32], char buf[TEAM_NAME_BUF]);

/* How many events wait to be pushed into *n. 0 or -1. */
int team_outgoing_count(struct store *s, long *n) UMBRA_WUR;

/*
 * Seals each queued event (with again, also those carried in an outbox
 * file before) with k's signing key to b's keys and hands it to send,
 * which answers 0 (sent: it marks it), 1 (refused: go on) or -1 (stop).
 * *sent counts the 0s. 0, or -1 if the store failed or send stopped.
 */
int team_seal_outgoing(struct store *s, const struct umbra_org_keys *k,
                       const struct umbra_bundle *b, int again,
                       int (*send)(void *ctx, const uint8_t digest[32],
                                   const uint8_t *env, size_t env_len),
                       void *ctx, long *sent) UMBRA_WUR;

/* push: the queued events to the server. 0 or -1. */
int team_push_events(struct net *n, struct store *s,
                     const struct umbra_org_keys *k,
                     const struct umbra_bundle *b, long *sent) UMBRA_WUR;

/* pull: the log's events after the file's last into bf. A server without
 * the route is said and is not an error. 0 or -1. */
int team_pull_events(struct net *n, struct bfile *bf, long *fetched)
    UMBRA_WUR;

struct team_counts {
    long records;  /* event records in the file */
    long accepted; /* new events merged */
    long known;    /* already here (replays, a log served twice) */
    long pending;  /* of the accepted, for a case not here yet */
    long refused;  /* forged, foreign, not a member's, damaged */
    long shared;   /* events of a case's history a share passed on */
    long reports;  /* cases made from the reports shares carried */
};

/* import: the event records of the bundle file at path. 0 or -1. */
int team_import_file(struct store *s, const struct umbra_org_keys *k,
                     const struct umbra_bundle *b, const char *path,
                     struct team_counts *c) UMBRA_WUR;

#endif
