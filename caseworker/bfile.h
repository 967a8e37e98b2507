/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * bfile: the bundle file that `pull` writes and `import` reads
 * (docs/protocol.md section 8).
 *
 *   header  "UMBRABDL" (8) | version 0x01 | slug length s (1) | 0x00 0x00
 *           | slug (s bytes)
 *   record  0x52 ('R') | id length k (1..20) | id (k ASCII digits)
 *           | day (10, YYYY-MM-DD) | envelope length L (4, LE)
 *           | envelope (L) | BLAKE2b-128 of every preceding byte of the
 *           record (16)
 *   event   the same with 0x45 ('E'): a case event (team.h) with the id the
 *           server's event log gave it
 *
 * Records are appended in strictly increasing server id order (reports
 * and events each in their own: the server numbers them apart); a writer
 * resumes after the largest id in the file (the cursor is the file
 * itself), cuts off a torn last record, and fsyncs after each page it
 * appends. A reader stops at the first incomplete or damaged record, and
 * at the first record whose id is not greater than the one before (a
 * file changed by other hands: bf->damage says which, and a writer
 * refuses to append to it rather than cut good records off).
 */
#ifndef UMBRA_CASE_BFILE_H
#define UMBRA_CASE_BFILE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "umbra.h"

#define BFILE_ID_MAX 20u
#define BFILE_ENVELOPE_MAX (17u * 1024u * 1024u + 65536u)

struct bfile_record {
    char id[BFILE_ID_MAX + 1];
    char day[11];
    uint64_t id_num;
    uint8_t *env; /* malloc'd by bfile_next, freed by the next call/close */
    size_t env_len;
    uint8_t mac[16]; /* the record's check value: names (id, day, envelope) */
    char kind;       /* 'R' a report, 'E' a case event */
};

struct bfile {
    FILE *f;
    char slug[UMBRA_SLUG_MAX + 1];
    uint64_t max_id;   /* largest report id read or written so far */
    uint64_t max_event_id; /* the same for event records (their own ids) */
    long records;      /* records seen so far (events included) */
    long events;       /* of them, event records */
    off_t good_end;    /* end of the last complete record */
    int created;       /* bfile_open_append made a new file */
    const char *damage; /* why bfile_next last answered 2 (static text) */
    struct bfile_record rec;
};

/* Error codes besides UMBRA_ERR_*: */
#define BFILE_DAMAGED 1 /* a damaged or torn record; bf->good_end marks it */
/* bf->damage for a record whose id does not rise (the only damage that a
 * torn write cannot cause) */
extern const char BFILE_ID_NOT_RISING[];

/*
 * Opens path for appending records for slug: creates it (header written
 * and synced) if absent; else checks the header's slug, reads every record
 * to find max_id and truncates a torn tail. Prints its error. 0 or -1.
 */
int bfile_open_append(struct bfile *bf, const char *path, const char *slug)
    UMBRA_WUR;

/* Appends one record (id must be greater than max_id). 0 or -1 (errno). */
int bfile_append(struct bfile *bf, const char *id, const char *day,
                 const uint8_t *env, size_t env_len) UMBRA_WUR;

/* Appends one event record (id greater than max_event_id). */
int bfile_append_event(struct bfile *bf, const char *id, const char *day,
                       const uint8_t *env, size_t env_len) UMBRA_WUR;

/* A report record's check value (BLAKE2b-128 of its bytes before it) into out. */
void bfile_record_mac(uint8_t out[16], const char *id, const char *day,
                      const uint8_t *env, size_t env_len);

/* fflush + fsync. 0 or -1. */
int bfile_sync(struct bfile *bf) UMBRA_WUR;

/* Opens path for reading and checks the header. Prints its error. */
int bfile_open_read(struct bfile *bf, const char *path) UMBRA_WUR;

/*
 * The next record into bf->rec. 0: a record; 1: clean end of file;
 * BFILE_DAMAGED + 1 (2): a torn or damaged record, or one whose id is not
 * greater than the record before it (bf->good_end is where the good part
 * ends, bf->damage says what is wrong); -1: read error.
 */
int bfile_next(struct bfile *bf) UMBRA_WUR;

void bfile_close(struct bfile *bf);

/* 1 if s is 1..20 decimal digits without a leading zero fitting uint64. */
int bfile_valid_id(const char *s, uint64_t *num);

#endif
