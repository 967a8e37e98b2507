/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * budget: the memory request bodies in flight may hold.
 *
 * Every byte a request body holds in memory (the envelope or JSON buffer as
 * allocated, a form's raw bytes as fed to its parser) is taken from one
 * budget, body_budget_bytes, as it arrives, and given back when the request
 * ends (for a report: once it is committed). Bodies announcing more than
 * BODY_SMALL_BYTES may together hold at most three quarters of it, so that
 * clients holding large bodies cannot keep out the small ones that nearly
 * every report is. A body that does not fit is answered 503 busy with
 * Retry-After and Connection: close: at once when its Content-Length
 * already does not fit, else as soon as it passes (its bytes are dropped,
 * nothing is stored). Bytes are taken as they arrive, not from the
 * Content-Length, so a client announcing a large body and sending nothing
 * holds nothing.
 */
#ifndef UMBRA_SERVER_BUDGET_H
#define UMBRA_SERVER_BUDGET_H

#include "req.h"

#define BODY_SMALL_BYTES (1024u * 1024u)

/* Sets the budget: body_budget_bytes, or by default a quarter of the
 * memory this process may use (the machine's, or its cgroup v2
 * memory.max when lower), at least 64 MiB. Returns it in bytes. */
size_t budget_init(void);

/* 1 if a body of `more` bytes (large: announced above BODY_SMALL_BYTES)
 * fits the budget now. */
int budget_fits(uint64_t more, int large);

/* Takes n more bytes for r (r->reserved, r->large); 0, or -1 with all of
 * r's bytes given back. */
int budget_take(struct req *r, size_t n) __attribute__((warn_unused_result));

/* Gives back every byte r holds (none: nothing). */
void budget_give(struct req *r);

/* Answers 503 busy with Retry-After and Connection: close. */
void budget_busy(struct req *r);

#endif
