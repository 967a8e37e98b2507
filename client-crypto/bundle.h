/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * bundle: the signed public key bundle (protocol section 3), in JSON with
 * jansson.
 *
 * Export writes the members in the order format, org, created,
 * signing_key, keys, signature. Parsing is strict: at most
 * UMBRA_BUNDLE_MAX_BYTES, duplicate members refused, every field checked
 * (slug, dates, canonical base64 of the right length, key id = key id of
 * the key, no two key ids alike), then the Ed25519 signature over the
 * signed text rebuilt from the parsed fields. struct umbra_bundle holds
 * only public data.
 *
 * The serial (section 3): an optional JSON integer "serial", 1 to
 * 2^53 - 1, after "created"; absent means 0, the bundles of versions
 * before serials, whose signed text has no serial line, so they still
 * verify. A serial above 0 is signed as the line "serial N" after
 * "created". umbra_bundle_may_replace() is the one rule every holder of a
 * bundle applies (the server's org add, umbra-case pull and keys join):
 * never go back to a lower serial, never take other content under the
 * same serial.
 */
#ifndef UMBRA_BUNDLE_H
#define UMBRA_BUNDLE_H

#include "umbra.h"

#include <jansson.h>

/* Longest signed text: header lines (at most 181 bytes), 16 key lines
 * of 77 and 16 signer lines of at most 148 (3,781 bytes), with room. */
#define UMBRA_SIGNED_TEXT_MAX 8192u

/*
 * Writes the signed text of section 3 for b (with base64 as produced by
 * libsodium's ORIGINAL variant) into out; returns its length, or 0 if it
 * does not fit.
 */
size_t umbra_bundle_signed_text(char *out, size_t cap,
                                const struct umbra_bundle *b);

/*
 * The helpers every signed JSON format of the library shares (the bundle
 * here, the member file in member.c), all with libsodium's ORIGINAL base64
 * variant:
 *   umbra_b64       bin[0..len) as base64 into out (cap at least
 *                   sodium_base64_ENCODED_LEN(len, ...)), NUL-terminated;
 *   umbra_unb64     decodes s[0..len), which must be the canonical base64
 *                   of exactly n (at most 64) bytes, into out; 0 or -1;
 *   umbra_json_str  the string member key of o (its length in *len), or
 *                   NULL if absent or not a string;
 *   umbra_json_signed  the "signature" member of o (base64 of 64 bytes)
 *                   checked over text[0..tlen) with sign_pk: 0,
 *                   UMBRA_ERR_FORMAT (missing or malformed, or tlen 0: the
 *                   signed text did not fit) or UMBRA_ERR_SIGNATURE.
 */
void umbra_b64(char *out, size_t cap, const uint8_t *bin, size_t len);
int umbra_unb64(uint8_t *out, size_t n, const char *s, size_t len) UMBRA_WUR;
const char *umbra_json_str(const json_t *o, const char *key, size_t *len);
int umbra_json_signed(const json_t *o, const char *text, size_t tlen,
                      const uint8_t sign_pk[32]) UMBRA_WUR;

#endif
