/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * stats_share: one ledger for the whole organisation. Every entry the key
 * holder's home adds to the statistics ledger (a publication, a month's
 * noise seed) leaves it as an organisation-wide team event of type
 * "stats.ledger" (docs/protocol.md "Case events": signed by the key holder,
 * sealed to every member's key), and a member home applies such an event
 * by adding the same entry to its own ledger. So every home refuses the
 * same re-cuts, audits against the same publications and draws the same
 * noise; only the key holder's home may publish (verbs_stats.c).
 *
 * The team event log is teamcli's (team_emit, team_handlers[]); this
 * header is the stats side of it, written against its declared interface:
 *
 *   - at start-up the program calls stats_share_set_emitter(team_emit);
 *   - the handler table gets the row {"stats.ledger", apply}, where apply
 *     calls stats_share_apply(store, by_key_holder, event body) with
 *     by_key_holder 1 only when the event's author is the organisation's
 *     signing key.
 *
 * Body of the event: {"key": "stats.publication" | "stats.seed",
 * "value": the ledger entry's JSON text}.
 */
#ifndef UMBRA_CASE_STATS_SHARE_H
#define UMBRA_CASE_STATS_SHARE_H

#include <jansson.h>

struct store;

#define STATS_SHARE_TYPE "stats.ledger"
#define STATS_SHARE_PUBLICATION "stats.publication"
#define STATS_SHARE_SEED "stats.seed"
#define STATS_SHARE_VALUE_MAX (16u * 1024u * 1024u)

/* team_emit's shape: queues a signed event for the next push and takes
 * body over (releases it on every path); 0 or -1. */
typedef int (*stats_share_emitter)(struct store *s, const char *case_uid,
                                   const char *type, json_t *body);

/* Sets (or, with NULL, clears) the function events are emitted with. */
void stats_share_set_emitter(stats_share_emitter fn);

/* The body of the "stats.ledger" event for a ledger entry (new
 * reference; NULL when out of memory or the entry is not a stats one). */
json_t *stats_share_body(const char *key, const char *value);

/* Emits the ledger entry key/value as a "stats.ledger" event. 0 (also
 * when no emitter is set: a home without a team log) or -1. */
int stats_share_emit(struct store *s, const char *key, const char *value);

/*
 * Applies a "stats.ledger" event's body to the home's ledger: refused (-1,
 * said) unless by_key_holder; a body that is not a well-formed
 * publication or seed is refused; an entry already in the ledger is not
 * added twice. 0 or -1.
 */
int stats_share_apply(struct store *s, int by_key_holder, const json_t *body);

#endif
