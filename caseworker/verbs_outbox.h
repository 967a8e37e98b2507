/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * verbs_outbox: 'push --out FILE' (offline laptop: the queued replies and
 * the acknowledgements into an outbox file) and 'push --from FILE'
 * (online computer, no keys: the file's contents to the server), the
 * files out of the air gap (docs/protocol.md section 10).
 */
#ifndef UMBRA_CASE_VERBS_OUTBOX_H
#define UMBRA_CASE_VERBS_OUTBOX_H

#include "case.h"

/* 1 if argv (push's words) asks for --out or --from. */
int outbox_wanted(int argc, char **argv);

/* push with --out or --from: the exit code. */
int verb_push_outbox(struct case_env *e, int argc, char **argv);

/* Writes the outbox of e's store (opened for writing) to path, marking
 * what it holds carried; again: carried rows too. With k, the queued case
 * events too, signed with k and sealed to b's keys (team_sync.h). Prints what it did.
 * 0 or -1 (said). The desk uses it as well. */
int outbox_write(struct store *s, const char *org, const char *path, int again,
                 const struct umbra_org_keys *k, const struct umbra_bundle *b,
                 size_t *n_replies, size_t *n_acks, size_t *n_events);

#endif
