/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * member: the member file (protocol section 9), in JSON with jansson.
 *
 * A caseworker with a key of their own sends the organisation's key holder
 * member.json: the organisation slug, the member's name, the creation
 * date, the member's X25519 key and its key id, the member's Ed25519
 * signing key, and an Ed25519 signature by that key over the signed text
 * below. Export writes the members in the order format, org, name,
 * created, id, x25519, signing_key, signature (indented by two). Parsing
 * is strict: at most UMBRA_MEMBER_MAX_BYTES, duplicate members refused,
 * unknown members ignored, every field checked (slug, name, date,
 * canonical base64 of the right length, key id = key id of the key), then
 * the signature over the signed text rebuilt from the parsed fields. The
 * public API (struct umbra_member, umbra_member_*) is in umbra.h; the
 * base64 and JSON helpers are bundle.c's (bundle.h).
 */
#ifndef UMBRA_MEMBER_H
#define UMBRA_MEMBER_H

#include "umbra.h"

/* Longest signed text of a member file, with room. */
#define UMBRA_MEMBER_TEXT_MAX 1024u

/*
 * Writes the signed text of section 9 for m into out:
 *   umbra.member/1 \n org O \n name N \n created D \n signing_key S \n
 *   key ID X25519 D \n
 * Returns its length, or 0 if it does not fit.
 */
size_t umbra_member_signed_text(char *out, size_t cap,
                                const struct umbra_member *m);

#endif
