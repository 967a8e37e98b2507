/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * doc: checks an opened report document (protocol section 6) before it
 * becomes a case.
 *
 * Anyone can seal a document to an organisation's public key, so every
 * plaintext is hostile until this module says otherwise. In order: the size
 * cap, then jscan (jscan.h: strict JSON, valid UTF-8, no NUL, duplicate keys
 * refused, nesting of at most 16 enforced while parsing so no recursion goes
 * deeper, a cap on values), then the schema: the types of every known
 * field, the required fields, the size of each string. A refusal gives a short English
 * reason for the quarantine list. Unknown fields are kept (the whole
 * document is stored) but ignored; unknown codes in lists are ignored.
 */
#ifndef UMBRA_CASE_DOC_H
#define UMBRA_CASE_DOC_H

#include <stddef.h>
#include <stdint.h>

#include "facts.h"

#define DOC_MAX_BYTES (16u * 1024u * 1024u)
#define DOC_MAX_DEPTH 16
#define DOC_NARRATIVE_MAX (1024u * 1024u)
#define DOC_SUMMARY_MAX 96u
#define DOC_MAX_TOKENS (1u << 20)

struct doc_report {
    struct case_facts facts; /* received left "" for the caller */
    char summary[DOC_SUMMARY_MAX + 1];
    int has_mailbox;
    uint8_t mailbox_pk[32];
    char mailbox_id[65];
};

/*
 * Parses and checks doc. 0: *out filled. 1: refused, reason (NUL-ended,
 * at most cap bytes) says why. <0: out of memory.
 */
int doc_parse_report(struct doc_report *out, char *reason, size_t cap,
                     const uint8_t *doc, size_t len);

#endif
