/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * Fuzz harness: receipt normalisation (protocol section 5.2). The input
 * is what a person typed. Invariants: a result is exactly 24 ASCII digits
 * with a valid Damm check digit; input over 256 bytes is always refused
 * as too long.
 */
#include "fuzz_common.h"
#include "receipt.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char out[UMBRA_RECEIPT_DIGITS + 1];
    size_t i;
    int rc;

    fuzz_setup();
    rc = umbra_receipt_normalise(out, (const char *)data, size);
    if (size > UMBRA_RECEIPT_INPUT_MAX && rc != UMBRA_ERR_TOO_LONG)
        abort();
    if (rc == 0) {
        if (strlen(out) != UMBRA_RECEIPT_DIGITS)
            abort();
        for (i = 0; i < UMBRA_RECEIPT_DIGITS; i++)
            if (out[i] < '0' || out[i] > '9')
                abort();
        if (umbra_damm(out, UMBRA_RECEIPT_DIGITS) != 0)
            abort();
    }
    return 0;
}
