/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * member_sync: what a home does with the server as one member of a team
 * (issue 15; docs/api.md "Team sync", docs/guide.md): claim its sync token
 * with the home's signing key and say what is waiting for whom ('keys
 * publish', in verbs_keys.c, sends a re-signed bundle).
 *
 * The claim is a signature by the home's Ed25519 key (the organisation's
 * own in the key holder's home, the member's own in a member home) over
 * "umbra.claim/1\norg <slug>\ntoken <hex SHA-256 of the token>\n". It is
 * public, binds nothing but that key to that token, and is kept in
 * DIR/claim.json so that pull, which needs no passphrase, can send it
 * again (every pull claims: the server answers the same each time).
 * Every function prints its own error.
 */
#ifndef UMBRA_CASE_MEMBER_SYNC_H
#define UMBRA_CASE_MEMBER_SYNC_H

#include <jansson.h>

#include "case.h"

struct net;

/*
 * Claims n's token for this home: signs the claim with k when k is not
 * NULL (and keeps it in DIR/claim.json), else sends the one kept there
 * for this token, if any. org: the organisation's slug. A refusal because
 * the key is not (yet) a member of the bundle is a warning, not an error:
 * the organisation keeps working as before teams. 0, or -1 when the
 * server could not be reached or the home's files could not be used.
 */
int member_claim(const struct case_opts *o, const struct umbra_org_keys *k,
                 struct net *n, const char *org) UMBRA_WUR;

/* Prints "Waiting for: Ben 3, Chloe 12 ..." from the "waiting" list of a
 * reports page (the members with held envelopes they have not acked), if
 * any; nothing for NULL or an empty list. */
void member_print_waiting(const json_t *waiting);

#endif
