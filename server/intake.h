/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * intake: group commit for reports and mailboxes. The HTTP thread suspends
 * each request whose envelope passed the checks and queues it here; writer
 * threads take everything queued, up to batch_max items, make the whole
 * batch durable at once, and only then call each item's done callback
 * (which answers 201 and resumes the connection). One fsync covers the
 * whole batch, so throughput rises with concurrency while every 201 still
 * means "durable". The no-JS path queues its sealed report (with its
 * mailbox) here too, and the mailbox route a mailbox alone.
 *
 * Where "durable" is depends on intake_window. With a window (the
 * default), a batch is appended to the spool (spool.h) and fsynced, and
 * the mover (mover.h) copies the spool into PostgreSQL at fixed times, so
 * PostgreSQL's WAL never holds the time a report arrived. With
 * intake_window = 0, writers send BEGIN, one prepared INSERT per row and
 * COMMIT in one libpq pipeline (synchronous_commit = on) to their own
 * intake connection, as reports arrive.
 */
#ifndef UMBRA_SERVER_INTAKE_H
#define UMBRA_SERVER_INTAKE_H

#include <stddef.h>
#include <stdint.h>

struct intake_item {
    int org_id;
    const uint8_t *data; /* the envelope; NULL for a mailbox alone */
    size_t len;
    const uint8_t *mailbox_id; /* NULL, or 32 bytes: insert it too */
    int mailbox_org;           /* the mailbox's organisation; 0: none */
    void (*done)(void *ctx, int ok); /* ok: 1 committed, 0 not stored */
    void *ctx;
    struct intake_item *next;
    uint64_t t_push, t_done; /* UMBRA_PHASES (phases.h): 0 when off */
};

/* Starts writers and, with window > 0, opens the spool in spool_dir and
 * starts the mover; 0 or -1 (a message on stderr). */
int intake_start(const char *conninfo, unsigned writers, unsigned batch_max,
                 unsigned max_pending, const char *spool_dir,
                 unsigned window) __attribute__((warn_unused_result));
/* Answers what is queued, joins the writers. */
void intake_stop(void);
/* 1 if another item may be queued. */
int intake_has_room(void);
/* Bounds what the spool may hold before intake answers 503 busy (0: no
 * bound); set before intake_start. */
void intake_spool_max(uint64_t bytes);
/* Sets the per-organisation quota of waiting envelopes and bytes
 * (PostgreSQL and spool together; unlimited until set). */
void intake_quota(size_t reports, size_t bytes);
/* The quota of an organisation whose own limits are max_reports and
 * max_bytes (0: the server's, intake_quota). */
void intake_quota_of(uint64_t max_reports, uint64_t max_bytes,
                     uint64_t *reports, uint64_t *bytes);
/* 1 if org_id, with its own limits (0: the server's), may have one more
 * envelope of len bytes waiting. */
int intake_quota_ok(int org_id, uint64_t max_reports, uint64_t max_bytes,
                    size_t len);
/* Sets the per-organisation quota of registered mailboxes (PostgreSQL
 * and spool together; unlimited until set). */
void intake_quota_mailboxes(size_t mailboxes);
/* The mailbox quota of an organisation whose own is max_mailboxes (0:
 * the server's). */
uint64_t intake_mailbox_quota_of(uint64_t max_mailboxes);
/* 1 if org_id, with its own mailbox quota (0: the server's), may have one
 * more mailbox registered. */
int intake_mailbox_ok(int org_id, uint64_t max_mailboxes);
/* Queues it (the caller keeps it alive until done runs). */
void intake_push(struct intake_item *it);

#endif
