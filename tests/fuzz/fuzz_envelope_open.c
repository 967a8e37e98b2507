/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * Fuzz harness: envelope check and open (protocol section 2).
 *
 * Input byte 0 chooses the mode:
 *   even: the rest is an envelope, checked, then opened with the fuzz key
 *         (the seed corpus holds envelopes sealed to it);
 *   odd:  the rest is an inner plaintext (padded with zeros to
 *         INNER_LEN = 6 + 8 + 4096 bytes, one recipient and the 4 KiB
 *         bucket, or cut), sealed to the fuzz key with the test-only
 *         umbra_envelope_seal_inner, then opened: this reaches the inner
 *         header checks that an outsider cannot reach past the MACs.
 * Invariants: open never succeeds where check fails; an opened envelope's
 * content fits it.
 */
#include "envelope.h"
#include "fuzz_common.h"

#define INNER_LEN (6u + 8u + 4096u)

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint8_t *content = NULL, *env = NULL, *inner = NULL;
    size_t content_len = 0, env_len = 0;
    unsigned n = 0, which = 0;
    uint8_t ids[16 * 8];
    int rc_check, rc;

    fuzz_setup();
    if (size < 1)
        return 0;
    if (data[0] & 1) {
        inner = calloc(1, INNER_LEN);
        if (inner == NULL)
            abort();
        memcpy(inner, data + 1, size - 1 < INNER_LEN ? size - 1 : INNER_LEN);
        if (umbra_envelope_seal_inner(&env, &env_len, fuzz_pk, 1, inner,
                                      INNER_LEN) != 0)
            abort();
        free(inner);
    } else {
        env_len = size - 1;
        env = malloc(env_len ? env_len : 1);
        if (env == NULL)
            abort();
        memcpy(env, data + 1, env_len);
    }
    rc_check = umbra_envelope_check(&n, ids, env, env_len);
    rc = umbra_envelope_open(&content, &content_len, &which, fuzz_sk, fuzz_pk,
                             1, env, env_len);
    if (rc == 0) {
        if (rc_check != 0 || content == NULL ||
            content_len > umbra_envelope_max_content(n) || which != 0)
            abort();
        umbra_secret_free(content);
    } else if (content != NULL) {
        abort();
    }
    free(env);
    return 0;
}
