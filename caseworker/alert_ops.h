/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * alert_ops: signing a draft and withdrawing an alert, shared by
 * `umbra-case alert sign / withdraw` (verbs_alert_pub.c) and the desk's
 * Alerts screen (desk_alerts.c). Nothing here prints: each returns 0, or
 * -1 with the reason in why (the caseworker's words).
 *
 * Signing: the draft is issued today (the server takes alerts issued
 * within the last week) with its expiry moved by as many days, checked
 * with every rule (a text still to translate is refused), signed with
 * the home's key, read back against the home's bundle (so nothing is kept
 * that a reader would refuse: a key the bundle does not list for alerts
 * is refused here), and kept; it never changes again.
 */
#ifndef UMBRA_CASE_ALERT_OPS_H
#define UMBRA_CASE_ALERT_OPS_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "umbra.h"

struct store;
struct store_alert;

/* A row's status word: draft, signed, pushed, withdrawn or expired (a
 * signed alert past its expiry); a withdrawal is signed or pushed. body
 * is the row's inner JSON. */
const char *alert_status(const struct store_alert *r, const json_t *body);

/* 0 if k may sign alerts under bundle b (its org, and listed for alerts),
 * else -1 with why. */
int alert_may_sign(const struct umbra_bundle *b,
                   const struct umbra_org_keys *k, char *why,
                   size_t cap) UMBRA_WUR;

/* Signs draft n (see above); *expires (11 bytes) gets its expiry. */
int alert_op_sign(struct store *s, const struct umbra_org_keys *k,
                  const struct umbra_bundle *b, int64_t n, char expires[11],
                  char *why, size_t cap) UMBRA_WUR;

/* Withdraws alert n: a draft is deleted (*wn = 0), a signed alert gets a
 * signed withdrawal (its number in *wn), in one transaction. */
int alert_op_withdraw(struct store *s, const struct umbra_org_keys *k,
                      const struct umbra_bundle *b, int64_t n, int64_t *wn,
                      char *why, size_t cap) UMBRA_WUR;

#endif
