/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * pull_check: what pull checks in the server's answers before it trusts
 * them. The server's published key bundle must be this home's (same org,
 * signing key and keys; not an older serial). The first page of reports
 * says what the server holds for the organisation (struct pull_pending):
 * pull warns near the quota, says when the intake window next opens, and
 * checks that the bundle's cursor (its largest id) can be right.
 */
#ifndef UMBRA_CASE_PULL_CHECK_H
#define UMBRA_CASE_PULL_CHECK_H

#include <stdint.h>

#include <jansson.h>

#include "umbra.h"

struct net;
struct seen;

/* What the server says it holds (absent in servers before 006). */
struct pull_pending {
    int known;
    uint64_t count, bytes, max_id, quota_reports, quota_bytes;
    /* mailboxes registered for the organisation and its quota of them (0:
     * a server older than schema 013, which does not say) */
    uint64_t mailboxes, quota_mailboxes;
    /* alert rows (alerts and withdrawals) the server holds for it and its
     * quota of them (0: a server older than schema 017) */
    uint64_t alerts, quota_alerts;
    uint64_t window; /* the server's intake_window, seconds (0: none) */
    /* the server's retention: envelopes it deletes within within_days,
     * the first day one goes ("" if none), its retention in days */
    uint64_t expiring, within_days, retention_days;
    char expiring_day[11];
};

/* Checks the server's published bundle against ours; prints the refusal.
 * 0 or -1. */
int pull_check_server_key(struct net *n, const struct umbra_bundle *ours)
    UMBRA_WUR;

/* What the first page's body says the server holds (zeroed if absent). */
void pull_read_pending(struct pull_pending *p, json_t *body);

/* After a pull that found nothing: when the next intake window opens. */
void pull_say_window(uint64_t window);

/* One line on stderr when the organisation is at 80 % of its quota. */
void pull_warn_quota(const struct net *n, const struct pull_pending *p);

/* A loud warning on stderr when the server deletes some of the
 * organisation's reports within days (its retention); nothing otherwise. */
void pull_warn_expiring(const struct net *n, const struct pull_pending *p);

/* Why the cursor cannot be right, or NULL (see pull_check.c). */
const char *pull_cursor_wrong(const struct pull_pending *p, json_t *body,
                              uint64_t cursor, const struct seen *s);

/* A count or id the server sent in o under key as a JSON integer or a
 * decimal string; 0 when it is neither (pull's checks, team_sync.c). */
uint64_t pull_json_u64(const json_t *o, const char *key);

#endif
