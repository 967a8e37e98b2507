/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * envelope: seal, check and open envelope v1 (protocol section 2).
 *
 * An envelope is an outer header (magic, version, n, reserved, n stanzas
 * of key id + crypto_box_seal of the 32-byte file key), a 24-byte
 * secretstream header, and the inner plaintext (version, n, key ids,
 * content length, content, zeros up to the padded content size) as
 * secretstream chunks of 64 KiB, the first one bound to the outer header
 * as associated data.
 *
 * Sealing and opening work one chunk at a time: the only secret buffers are
 * the stream state, the file key and one chunk (at most 64 KiB) in
 * sodium_malloc memory, plus the returned content when opening. The
 * envelope itself (ciphertext) lives in plain malloc memory.
 *
 * umbra_envelope_open accepts at most UMBRA_ENVELOPE_OPEN_MAX_KEYS keys.
 */
#ifndef UMBRA_ENVELOPE_H
#define UMBRA_ENVELOPE_H

#include "umbra.h"

#define UMBRA_ENVELOPE_OPEN_MAX_KEYS 64u

/* Writes all of b[0..len) to fd, retrying on EINTR and short writes: 0 or
 * UMBRA_ERR_IO (errno kept). The key file's writer uses it too. */
int umbra_write_all(int fd, const uint8_t *b, size_t len) UMBRA_WUR;

/*
 * TEST ONLY: seals an arbitrary, already built inner plaintext of exactly
 * inner_len bytes to n keys, with the randomness of section 2.3.
 * inner_len must be 6 + 8n + P for a valid padded content size P (so
 * 4110 for n = 1 and P = 4096); else UMBRA_ERR_ARG. Lets tests build
 * envelopes whose inner header disagrees with the outer one. Output as
 * for umbra_envelope_seal.
 */
int umbra_envelope_seal_inner(uint8_t **out, size_t *out_len,
                              const uint8_t *pks, unsigned n,
                              const uint8_t *inner, size_t inner_len) UMBRA_WUR;

#endif
