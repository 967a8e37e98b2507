/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * keyfile: the passphrase-protected key file (protocol section 4).
 *
 * A 64-byte header (magic UMBRAKEY, version, kdf, Argon2id m/t/p, salt,
 * nonce) that is also the associated data of an XChaCha20-Poly1305
 * ciphertext of the payload (slug, date, store key, Ed25519 secret key,
 * X25519 secret keys with dates). The key comes from libargon2's
 * argon2id_hash_raw with lanes = threads = p. Parameters and lengths are
 * checked before any hashing, so a hostile file costs nothing. The payload
 * and derived key live only in sodium_malloc memory. Writing is atomic:
 * temporary file (0600) in the same folder, fsync, rename, fsync folder.
 * Randomness for a write: salt (16) then nonce (24).
 */
#ifndef UMBRA_KEYFILE_H
#define UMBRA_KEYFILE_H

#include "umbra.h"

#define UMBRA_KEYFILE_HEADER_BYTES 64u
#define UMBRA_KEYFILE_MAX_BYTES 65536u
/* Longest passphrase accepted (bytes). */
#define UMBRA_PASSPHRASE_MAX 1024u

/*
 * The bounds of section 4 on a key file's Argon2id parameters, checked
 * before any hashing (the header is authenticated only by the key they
 * derive, so a tampered header must not choose the cost): at most 1 GiB,
 * 16 passes, 16 lanes, and m * t at most 1 GiB-pass (e.g. 1 GiB x 1,
 * 256 MiB x 4, 64 MiB x 16), so the worst file costs about 5 times the
 * defaults (64 MiB x 3) instead of the 4 GiB x 64 passes the old bounds
 * allowed.
 */
#define UMBRA_KDF_MIN_M_KIB 8192u
#define UMBRA_KDF_MAX_M_KIB 1048576u
#define UMBRA_KDF_MAX_T 16u
#define UMBRA_KDF_MAX_P 16u
#define UMBRA_KDF_MAX_M_TIMES_T 1048576ull

/* 0 if params are within the bounds of section 4, else UMBRA_ERR_PARAMS. */
int umbra_kdf_params_check(const struct umbra_kdf_params *params) UMBRA_WUR;

/*
 * Encodes k under passphrase into a malloc'd buffer (*out, *out_len; the
 * caller free()s it: it holds only ciphertext). Used by
 * umbra_keyfile_write and the vector generator.
 */
int umbra_keyfile_encode(uint8_t **out, size_t *out_len,
                         const struct umbra_org_keys *k, const char *passphrase,
                         size_t passphrase_len,
                         const struct umbra_kdf_params *params) UMBRA_WUR;

/*
 * Parses a decrypted payload (section 4) into a new org keys block (*out,
 * free with umbra_org_keys_free). UMBRA_ERR_FORMAT if malformed. Used by
 * umbra_keyfile_decode and the fuzz harness.
 */
int umbra_keyfile_parse_payload(struct umbra_org_keys **out, const uint8_t *pl,
                                size_t plen) UMBRA_WUR;

#endif
