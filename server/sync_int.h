/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * sync_int: what the sync routes share (sync.c, and the team routes of
 * sync_team.c): who the bearer token is. Every sync route starts with
 * sync_who on the sync pool's connection.
 */
#ifndef UMBRA_SERVER_SYNC_INT_H
#define UMBRA_SERVER_SYNC_INT_H

#include "req.h"

#include <stdint.h>

/* The caller's token, as sync_who() found it (docs/api.md "Team sync"). */
struct sync_token {
    uint8_t hash[32];     /* BLAKE2b-256 of the token: how the rows name it */
    char slug[64];        /* its organisation */
    char name[101];       /* the name the operator gave it */
    char token_id[16];    /* decimal */
    int claimed, holder;  /* claimed by a member key; by the org's own */
};

/*
 * Authenticates r's bearer token on c: 0 with *t filled; -1 after
 * answering 401 (unauthorized, or member_removed for a token whose member
 * key left the bundle); -2 after answering 503 (give c back broken).
 */
int sync_who(struct req *r, PGconn *c, struct sync_token *t)
    __attribute__((warn_unused_result));

/*
 * The keys of b's members as a PostgreSQL bytea[] literal: its signing key
 * and every signer who may sign events, the keys whose claimed tokens stay
 * members when b replaces the registered bundle (sync_team.c; `umbra-server
 * org add` uses it too). malloc'd, or NULL.
 */
char *sync_member_keys(const struct umbra_bundle *b);

/*
 * The "expiring" object of a sync answer from res, a row whose first two
 * columns are how many the retention purge takes within `within` days and
 * the first day one goes (NULL when none), with the retention in days (0:
 * kept): {count, first_day, within_days, retention_days}. NULL if res is
 * not such a row. sync.c (envelopes) and sync_team.c (case events).
 */
json_t *sync_expiring_json(const PGresult *res, unsigned within,
                           unsigned retention);

#endif
