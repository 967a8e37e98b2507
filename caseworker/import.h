/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * import: sealed envelopes into the case store, exactly once.
 *
 * import_envelope() is the decrypt-then-parse path: open with the home's
 * keys, check the document (doc.h), and record the outcome under the
 * server id in the caller's transaction — a case, a quarantined document
 * with its reason, or an envelope that is not for this home. The server id
 * is the key that makes a second import of the same envelope a no-op.
 * A follow-up (protocol section 6.1) whose proof verifies joins the oldest
 * case with its mailbox; one whose case is not here, or whose proof does
 * not verify, becomes a case of its own, marked so (store.h, origin).
 * import_bundle() runs it over a bundle file in batches of IMPORT_BATCH,
 * committed every IMPORT_COMMIT records: a SIGKILL loses at most the
 * uncommitted records, and the next import redoes them.
 */
#ifndef UMBRA_CASE_IMPORT_H
#define UMBRA_CASE_IMPORT_H

#include <stddef.h>
#include <stdint.h>

#include "doc.h"
#include "umbra.h"

#define IMPORT_BATCH 256
#define IMPORT_COMMIT 1024

struct store;

struct import_keys {
    unsigned n;
    const uint8_t *sks; /* n * 32, inside the umbra_org_keys */
    uint8_t pks[UMBRA_MAX_ORG_KEYS * 32];
};

/* cases: new cases (unverified: of them, follow-ups whose proof did not
 * verify); followups: follow-ups joined to their case. */
struct import_counts {
    long cases, quarantined, unopened, skipped, records;
    long followups, unverified;
};

enum import_outcome {
    IMPORT_CASE,
    IMPORT_QUARANTINE,
    IMPORT_UNOPENED,
};

void import_keys_from(struct import_keys *ik, const struct umbra_org_keys *k);

/*
 * Opens and checks one envelope without touching any store (for the fuzz
 * harness and import_envelope). Returns an outcome; reason says why for
 * the other two. On IMPORT_CASE, and on IMPORT_QUARANTINE after opening,
 * *doc and *doc_len hold the plaintext (umbra_secret_free it), else NULL.
 * <0 on out of memory.
 */
int import_check(struct doc_report *rep, uint8_t **doc, size_t *doc_len,
                 char *reason, size_t cap, const struct import_keys *ik,
                 const uint8_t *env, size_t env_len);

/* One envelope into the store (inside the caller's transaction). */
int import_envelope(struct store *s, struct import_counts *c,
                    const struct import_keys *ik, const char *server_id,
                    const char *day, const uint8_t *env,
                    size_t env_len) UMBRA_WUR;

/*
 * A whole bundle file. progress: 1 = a bar on stderr (a terminal), 0 =
 * plain lines, -1 = silent. Prints its errors; 0 or -1 (what was committed
 * stays committed).
 */
int import_bundle(struct store *s, struct import_counts *c,
                  const struct import_keys *ik, const char *path,
                  int progress) UMBRA_WUR;

#endif
