/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * store_outbox: what 'push --out' takes from the case store and how it
 * marks it "carried" (caseworker/schema/004_outbox.sql, protocol
 * section 10). Kept apart from store_sync.c (push and ack online).
 */
#ifndef UMBRA_CASE_STORE_OUTBOX_H
#define UMBRA_CASE_STORE_OUTBOX_H

#include "store.h"

#include <stddef.h>
#include <stdint.h>

/*
 * Calls reply() for each reply not pushed and (unless again) not carried,
 * in queue order, then ack() for each opened server id not acked and
 * (unless again) not carried. Stops at a callback's non-zero (returned).
 * 0, or -1 (the store's error).
 */
int store_outbox_each(struct store *s, int again,
                      int (*reply)(void *ctx, int64_t reply_id,
                                   const char *mailbox_id, const uint8_t *env,
                                   size_t env_len),
                      int (*ack)(void *ctx, const char *server_id),
                      void *ctx) UMBRA_WUR;

/* Marks reply reply_id carried, with a line in its case's history. */
int store_outbox_reply_carried(struct store *s, int64_t reply_id) UMBRA_WUR;
/* Marks server id carried. 0 or -1. */
int store_outbox_ack_carried(struct store *s, const char *server_id) UMBRA_WUR;

#endif
