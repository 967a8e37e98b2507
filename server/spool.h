/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * spool: where intake makes reports durable without recording when they
 * arrived. PostgreSQL writes the time of every commit into its WAL to the
 * microsecond; a report committed there as it arrives carries its arrival
 * time for as long as that WAL (or an archive, or a backup) exists. So
 * intake appends each report to a spool file and fsyncs it before it
 * answers 201, and the mover (mover.h) copies the spool into PostgreSQL in
 * batches at fixed times: PostgreSQL only ever sees the schedule.
 *
 * Layout: two files, `spool-a` and `spool-b`, in the spool folder. Intake
 * appends to the current one; the mover swaps them under the lock, copies
 * the other into PostgreSQL, then overwrites what was written with zeros.
 * The files are never unlinked, so no inode keeps a time of its own.
 *
 * Preallocated: a file is written with zeros ahead of its records, kept
 * SPOOL_GROW_BYTES to twice that ahead by a thread of its own (outside the
 * append lock, SPOOL_GROW_PIECE and an fdatasync at a time), and keeps its
 * size when wiped (until the next start, which cuts it back to its
 * records). So an append overwrites blocks that
 * are already allocated and written, and its fdatasync flushes data only:
 * no size or extent change, so no journal commit, which on ext4 would wait
 * for whatever PostgreSQL (a checkpoint, a new WAL segment, a growing
 * table) has pending in the same commit. That is PostgreSQL's own trick for
 * its WAL, and what keeps intake's tail near PostgreSQL's under sustained
 * load (bench-server part 6; docs/operations.md "A tail that holds").
 * Records end at the first bytes that do not check (zeros do not). A file
 * is a sequence of records, each:
 *
 *     magic "USP1" | kind u8 | 3 zero bytes | org_id u32 LE |
 *     day u32 LE (days since 1970-01-01 UTC) | ref[16] (random) |
 *     len u32 LE | data[len] | check[16] = BLAKE2b-128 of all before it
 *
 * kind 1 is an envelope (data: its bytes), kind 2 a mailbox (data: the
 * 32-byte mailbox id; org_id the organisation it was registered for, 0
 * for none, as in every record written before schema 013). Nothing in
 * a record is a time finer than the day (which the envelopes table keeps
 * anyway). `ref` lets a move repeated after a crash store nothing twice
 * (envelopes.ref is UNIQUE). A reader stops at the first record that does
 * not check: only a batch whose fsync never finished (so never
 * acknowledged) can be torn.
 */
#ifndef UMBRA_SERVER_SPOOL_H
#define UMBRA_SERVER_SPOOL_H

#include <stddef.h>
#include <stdint.h>

#define SPOOL_ENVELOPE 1
#define SPOOL_MAILBOX 2
#define SPOOL_REF_BYTES 16
#define SPOOL_HEAD_BYTES 36
#define SPOOL_CHECK_BYTES 16
#define SPOOL_MAX_DATA (1u << 30)
#define SPOOL_GROW_BYTES (16u << 20)
#define SPOOL_GROW_PIECE (1u << 20) /* the grower's write + fdatasync */
#define SPOOL_WIPE_CHUNK (4u << 20) /* zeroed and flushed at a time */

struct spool_rec {
    unsigned kind;
    uint32_t org_id, day;
    uint8_t ref[SPOOL_REF_BYTES];
    const uint8_t *data;
    size_t len;
};

/* Opens (creating 0600 files and fsyncing the folder if new) the spool in
 * dir, and counts what it holds per organisation. 0, or -1 with a message
 * on stderr. */
int spool_open(const char *dir) __attribute__((warn_unused_result));
/* Closes the files (what they hold stays for the next start). */
void spool_close(void);

/* Appends the records in one write and makes them durable (fdatasync)
 * before returning. Thread-safe; the data is copied. 0, or -1 (the file
 * is cut back to where it was when the write itself failed). */
int spool_append(const struct spool_rec *recs, size_t n)
    __attribute__((warn_unused_result));

/* The mover's side. spool_take makes the other file current and returns
 * the descriptor of the one that was (only the mover reads it), with
 * *swapped = 1; but if the other file is not empty (a move that failed
 * left it) it returns that one without swapping (*swapped = 0), so that
 * the mover finishes it first. */
int spool_take(int *swapped);
/* Walks the records of fd in file order: fn(ctx, rec) for each; stops at
 * the first record that does not check. Returns the number of records,
 * or -1 on a read error. rec->data is valid during the call only. */
long spool_each(int fd, int (*fn)(void *ctx, const struct spool_rec *rec),
                void *ctx);
/* Reads the record starting at off (found by spool_index) into *buf
 * (realloc'd); 0 or -1. */
int spool_read_at(int fd, uint64_t off, struct spool_rec *rec, uint8_t **buf,
                  size_t *cap) __attribute__((warn_unused_result));
/* Offsets of every checked record of fd, malloc'd in *offs; the count or
 * -1. */
long spool_index(int fd, uint64_t **offs);
/* Overwrites what was written to fd with zeros, SPOOL_WIPE_CHUNK bytes at
 * a time, each followed by an fdatasync (its size stays: preallocated),
 * and subtracts what it held from the per-organisation counts; 0 or -1. */
int spool_wipe(int fd) __attribute__((warn_unused_result));

/* Envelopes and bytes the spool holds for org_id (both files). */
void spool_pending(int org_id, uint64_t *count, uint64_t *bytes);
/* Mailboxes registered for org_id that the spool holds (both files). */
uint64_t spool_mailboxes(int org_id);
/* Bytes of records in the spool (both files): what the mover has still to
 * move (intake's spool_max_bytes). */
uint64_t spool_held_bytes(void);
/* Records in the spool (both files), for tests and the log. */
uint64_t spool_records(void);

#endif
