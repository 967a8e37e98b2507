/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * fuzz_case_import: umbra-case's decrypt-then-parse path, the path every
 * hostile report takes: umbra_envelope_open with the home's keys, then
 * doc_parse_report (caseworker/doc.c over umbra_report_check), in the
 * order import_check (caseworker/import.c) runs them. It links libumbra
 * and doc.c only, not the case store or the CLI.
 *
 * Input byte 0 picks the mode:
 *   even  the rest is a plaintext: sealed to the fuzz key (fixed
 *         randomness, so runs repeat) and opened, so the document checks
 *         see any bytes the fuzzer makes, exactly as after a real open;
 *   odd   the rest is taken as an envelope as is (open's refusals).
 * It must never crash, leak or accept a document that breaks the rules
 * the checks promise (depth <= 16, valid UTF-8), nor a follow-up proof
 * made without the mailbox's secret key.
 */
#include "doc.h"
#include "fuzz_common.h"
#include "json_scan.h"

#include <jansson.h>

static void
fixed_rng(void *ctx, void *buf, size_t len)
{
    (void)ctx;
    memset(buf, 0x5a, len);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct doc_report rep;
    char reason[200];
    uint8_t *env = NULL, *doc = NULL;
    size_t env_len = 0, doc_len = 0;
    int r;

    fuzz_setup();
    if (size < 1 || size > 1024 * 1024)
        return 0;
    if ((data[0] & 1) == 0) {
        umbra_test_set_rng(fixed_rng, NULL);
        r = umbra_envelope_seal(&env, &env_len, fuzz_pk, 1, data + 1,
                                size - 1);
        umbra_test_set_rng(NULL, NULL);
        if (r != 0)
            return 0;
    } else {
        env = malloc(size - 1 ? size - 1 : 1);
        if (env == NULL)
            return 0;
        memcpy(env, data + 1, size - 1);
        env_len = size - 1;
    }
    r = umbra_envelope_open(&doc, &doc_len, NULL, fuzz_sk, fuzz_pk, 1, env,
                            env_len);
    if (r == 0) {
        reason[0] = 1;
        r = doc_parse_report(&rep, reason, sizeof reason, doc, doc_len);
        if (r == 0) {
            /* an accepted document keeps the promises of doc.h */
            if (!umbra_utf8_valid(doc, doc_len) ||
                !umbra_json_depth_ok(doc, doc_len, DOC_MAX_DEPTH) ||
                reason[0] != 0)
                abort();
            /* a follow-up's proof (protocol 6.1) is checked the way import
             * checks it; nothing the fuzzer writes can know the mailbox's
             * secret key, so no proof of its may verify */
            if (rep.has_follow_up) {
                uint8_t mid[32];

                if (umbra_unhex(mid, 32, rep.mailbox_id, 64) != 0 ||
                    umbra_followup_verify(rep.follow_up_proof,
                                          rep.mailbox_pk, fuzz_sk, 1, mid,
                                          rep.narrative_sha512) == 0)
                    abort();
            }
        } else if (r == 1 && reason[0] == 0) {
            abort(); /* every refusal says why */
        }
    }
    umbra_secret_free(doc);
    free(env);
    /* json_scan must accept only what jansson accepts (show renders stored
     * documents with jansson) */
    {
        struct js_doc d;
        char err[160];

        if (js_parse(&d, data + 1, size - 1, DOC_MAX_DEPTH, DOC_MAX_TOKENS,
                     err, sizeof err) == 0) {
            json_t *j = json_loadb((const char *)data + 1, size - 1,
                                   JSON_REJECT_DUPLICATES | JSON_DECODE_ANY,
                                   NULL);

            if (j == NULL)
                abort();
            json_decref(j);
        }
        js_free(&d);
    }
    return 0;
}
