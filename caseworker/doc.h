/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * doc: checks an opened report document (protocol section 6) before it
 * becomes a case.
 *
 * Anyone can seal a document to an organisation's public key, so every
 * plaintext is hostile until umbra_report_check (libumbra, umbra.h: the
 * size cap, strict JSON, valid UTF-8, no NUL, duplicate keys refused,
 * nesting of at most 16, the types and caps of every known field, the
 * required fields) says otherwise. This module turns its result into a
 * case's facts and summary (control characters made spaces), and a
 * refusal into a short English reason for the quarantine list. Unknown
 * fields are kept (the whole document is stored) but ignored; unknown
 * codes in lists are ignored.
 */
#ifndef UMBRA_CASE_DOC_H
#define UMBRA_CASE_DOC_H

#include <stddef.h>
#include <stdint.h>

#include "facts.h"

#define DOC_MAX_BYTES UMBRA_REPORT_CHECK_BYTES
#define DOC_MAX_DEPTH UMBRA_REPORT_CHECK_DEPTH
#define DOC_NARRATIVE_MAX UMBRA_REPORT_CHECK_NARRATIVE
#define DOC_SUMMARY_MAX UMBRA_REPORT_HEAD_BYTES
#define DOC_MAX_TOKENS UMBRA_REPORT_CHECK_VALUES

struct doc_report {
    struct case_facts facts; /* received left "" for the caller */
    char summary[DOC_SUMMARY_MAX + 1];
    int has_mailbox;
    uint8_t mailbox_pk[32];
    char mailbox_id[65];
    int has_follow_up; /* a follow-up from /check (protocol section 6.1) */
    uint8_t follow_up_proof[32];
    uint8_t narrative_sha512[64];
};

/*
 * Parses and checks doc. 0: *out filled. 1: refused, reason (NUL-ended,
 * at most cap bytes) says why. <0: out of memory.
 */
int doc_parse_report(struct doc_report *out, char *reason, size_t cap,
                     const uint8_t *doc, size_t len);

#endif
