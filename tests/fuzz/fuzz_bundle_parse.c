/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * Fuzz harness: public key bundle parsing and verification (protocol
 * section 3). The input is the JSON text. Invariant: a bundle that parses
 * has 1..16 keys, 0..16 signers each with a name and a right, and a valid
 * slug, and exports nothing it did not read; its key holder may sign both.
 */
#include "fuzz_common.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct umbra_bundle b;
    char fp[UMBRA_FINGERPRINT_LEN + 1];
    int rc;

    fuzz_setup();
    rc = umbra_bundle_parse(&b, (const char *)data, size);
    if (rc == 0) {
        if (b.nkeys < 1 || b.nkeys > UMBRA_MAX_ORG_KEYS || b.org[0] == '\0' ||
            b.nsigners > UMBRA_MAX_SIGNERS)
            abort();
        for (unsigned i = 0; i < b.nsigners; i++)
            if (b.signers[i].name[0] == '\0' || b.signers[i].may == 0 ||
                b.signers[i].may > (UMBRA_MAY_EVENTS | UMBRA_MAY_ALERTS) ||
                umbra_bundle_signer(&b, b.signers[i].sign_pk,
                                    b.signers[i].may) == NULL)
                abort();
        if (umbra_bundle_signer(&b, b.sign_pk,
                                UMBRA_MAY_EVENTS | UMBRA_MAY_ALERTS) == NULL)
            abort();
        umbra_fingerprint(fp, b.sign_pk);
    }
    return 0;
}
