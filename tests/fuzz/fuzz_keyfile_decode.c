/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * Fuzz harness: key file decoding (protocol section 4).
 *
 * Input byte 0 chooses the mode:
 *   even: the rest is a key file, decoded with the passphrase "fuzz".
 *         Decoding hashes with the parameters in the header, so this
 *         harness (and only it) bails out before decoding when they ask
 *         for more than the minimum (m > 8192 KiB, t > 1 or p > 1):
 *         otherwise the fuzzer would spend its time inside Argon2. The
 *         checks refusing absurd parameters still run on everything else
 *         because umbra_keyfile_decode is called for every header whose
 *         parameters are invalid anyway (m < 8192, t = 0, p = 0).
 *   odd:  the rest is a decrypted payload, parsed directly.
 */
#include "fuzz_common.h"
#include "keyfile.h"

static uint32_t
get32(const uint8_t *b)
{
    return (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 |
           (uint32_t)b[3] << 24;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct umbra_org_keys *k = NULL;
    int rc;

    fuzz_setup();
    if (size < 1)
        return 0;
    if (data[0] & 1) {
        rc = umbra_keyfile_parse_payload(&k, data + 1, size - 1);
    } else {
        const uint8_t *f = data + 1;
        size_t len = size - 1;
        if (len >= 24) {
            struct umbra_kdf_params pp = {get32(f + 12), get32(f + 16),
                                          get32(f + 20)};
            if (umbra_kdf_params_check(&pp) == 0 &&
                (pp.m_kib > 8192 || pp.t > 1 || pp.p > 1))
                return 0; /* fuzz-only bound: valid but slow */
        }
        rc = umbra_keyfile_decode(&k, f, len, "fuzz", 4);
    }
    if (rc == 0) {
        if (k == NULL || k->nkeys < 1 || k->nkeys > UMBRA_MAX_ORG_KEYS)
            abort();
        umbra_org_keys_free(k);
    } else if (k != NULL) {
        abort();
    }
    return 0;
}
