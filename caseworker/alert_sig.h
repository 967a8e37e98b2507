/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * alert_sig: the signed alert file (docs/protocol.md "Alerts"):
 *   {"format": "umbra.alert/1", "alert": "<inner JSON as a string>",
 *    "signer": "<b64 Ed25519 pk>", "signature": "<b64>"}
 * the signature covering "umbra.alert/1\n" then the bytes of the alert
 * string. Writing one with the home's signing key, and reading one back
 * against a public key bundle: the signature, the signer (the bundle's
 * own signing key, or a signer the bundle lists with "alerts"), the org,
 * and the inner alert's rules (alert_check).
 */
#ifndef UMBRA_CASE_ALERT_SIG_H
#define UMBRA_CASE_ALERT_SIG_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "umbra.h"

/* The alert file for inner (the exact string signed) signed with sk
 * (Ed25519, libsodium layout): *out malloc'd. 0, or -1 (out of memory). */
int alert_sign_file(char **out, const char *inner, const uint8_t sk[64])
    UMBRA_WUR;

/*
 * Reads and verifies the alert file text (len bytes, at most 64 KiB)
 * against b. 0: *inner (a new reference) is the alert, signer (cap bytes)
 * the name the bundle gives its signer. -1: why says what is wrong, as a
 * reader would be told ("the signature does not verify", "signed by a key
 * the bundle does not list for alerts", ...).
 */
int alert_read_file(json_t **inner, char *signer, size_t scap,
                    const char *text, size_t len,
                    const struct umbra_bundle *b, char *why, size_t cap)
    UMBRA_WUR;

#endif
