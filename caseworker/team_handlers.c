/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * team_handlers: what an organisation-wide case event (one with no case
 * uid, docs/protocol.md section 11) does when a home imports it. The merge
 * of case events (team_merge.c) knows nothing of these types; each row
 * hands the event to the part of umbra-case that owns it.
 *   - "stats.ledger": an entry of the organisation's statistics ledger (a
 *     publication or a month's noise seed), accepted only when the key
 *     holder signed it (stats_share.h).
 */
#include "stats_share.h"
#include "team.h"

#include <sodium.h>
#include <string.h>

static int
apply_stats_ledger(struct store *s, const struct team_event *e,
                   const struct umbra_bundle *b)
{
    int by_key_holder =
        b != NULL && sodium_memcmp(e->author, b->sign_pk, 32) == 0;

    return stats_share_apply(s, by_key_holder, e->body);
}

const struct team_handler team_handlers[] = {
    {STATS_SHARE_TYPE, apply_stats_ledger},
    {NULL, NULL},
};

const struct team_handler *
team_handler_find(const char *type)
{
    const struct team_handler *h;

    for (h = team_handlers; h->type != NULL; h++)
        if (strcmp(h->type, type) == 0)
            return h;
    return NULL;
}
