/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * mover: copies the spool (spool.h) into PostgreSQL at fixed times, and
 * knows what each organisation has waiting.
 *
 * Its thread sleeps until the next multiple of intake_window seconds since
 * the epoch (UTC), takes the spool file that intake was appending to
 * (spool_take) and copies its records into PostgreSQL: every mailbox in one
 * transaction, then the envelopes in transactions of MOVE_CHUNK rows, each
 * one set-based intake_move_batch() call (not a PL/pgSQL call per row,
 * which capped the mover near 2k rows a second), in an order shuffled
 * with randombytes; only after every commit does it
 * wipe the file. A move that fails (PostgreSQL down) leaves the file for
 * the next boundary; what was already committed is not stored twice (the
 * records' refs). So every commit that carries a report happens at a
 * window's boundary, whenever the report arrived in that window, and the
 * envelope ids follow no arrival order inside a window.
 *
 * The same thread reads each organisation's pending envelopes and bytes in
 * PostgreSQL (intake_pending(), every minute and when mover_recount asks)
 * for the per-organisation quota, and adds what each move stored to them
 * (not a count of the whole table after every move: that scan grows with
 * the table, 0.4 s at 2.7 GB, and ran every window); with intake_window =
 * 0 it does only that. The same for each organisation's registered
 * mailboxes (the mailbox quota).
 *
 * And it purges what the retention settings say has expired, on its own:
 * at start and every purge_interval seconds, after that moment's move,
 * through retention_purge() (a batch of PURGE_BATCH rows per transaction,
 * PURGE_BATCHES at most per run, an advisory lock so that several servers
 * on one database never purge at once), logging counts only; then, the
 * same way, the team's case events and the alerts past their own
 * retention (retention_purge_logs(), schema/015_retention_events.sql).
 */
#ifndef UMBRA_SERVER_MOVER_H
#define UMBRA_SERVER_MOVER_H

#include <stdint.h>

/* Envelopes per transaction, sent as one intake_move_batch call
 * (schema/014_move_batch.sql) unless their bodies pass MOVE_BATCH_BYTES,
 * when the transaction carries several. */
#define MOVE_CHUNK 500
#define MOVE_BATCH_BYTES (16u << 20)
/* Retention (schema/011_retention.sql): rows per purge transaction, and
 * transactions per run at most. */
#define PURGE_BATCH 1000
#define PURGE_BATCHES 50

/* Starts the thread; window 0 = no spool, quota counts only. 0 or -1. */
int mover_start(const char *conninfo, unsigned window)
    __attribute__((warn_unused_result));
/* Stops it (what the spool holds stays there for the next start). */
void mover_stop(void);
/* What org_id has waiting: PostgreSQL's envelopes as last read plus the
 * spool's. */
void mover_pending(int org_id, uint64_t *count, uint64_t *bytes);
/* Mailboxes registered for org_id (schema 013): PostgreSQL's as last read
 * (every minute, after a purge) plus what moves stored since, plus the
 * spool's. */
uint64_t mover_mailboxes(int org_id);
/* The same without the spool's: what sync may show (a count that moved
 * with each registration would time them, and with them the reports). */
uint64_t mover_mailboxes_moved(int org_id);
/* Counts one mailbox of org_id stored straight into PostgreSQL (intake
 * without a spool), until the next read. */
void mover_mailbox_stored(int org_id);
/* Sets the retention before mover_start: days of envelopes and of
 * mailboxes after their last reply (0: kept), seconds between purges. */
void mover_retention(unsigned envelope_days, unsigned mailbox_days,
                     unsigned interval);
/* Sets the retention of the case-event log and of alerts before
 * mover_start (schema/015_retention_events.sql): days of events, and of
 * alerts after they expired or were withdrawn (0: kept). The same purge
 * runs take them. */
void mover_log_retention(unsigned event_days, unsigned alert_days);
/* Asks the thread to count what waits in PostgreSQL again now (after an
 * ack deleted some, so a full organisation gets its room back at once). */
void mover_recount(void);
/* Moves completed since start (tests, log). */
uint64_t mover_moves(void);

#endif
