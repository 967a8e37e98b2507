/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * Unit tests of the follow-up proof (receipt.c, protocol section 6.1) and
 * of follow_up in umbra_report_check (report.c). The known answers are in
 * tests/vectors/followup.json (crypto-vectors, crypto-pyumbra,
 * test-web-vectors); these test the two sides agree, what must not
 * verify, and the document's refusals.
 */
#include "check.h"

#include <sodium.h>

#define MBOX_PK "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="
#define MBOX_ID                                                                \
    "abababababababababababababababababababababababababababababababab"

static void
keypair(uint8_t pk[32], uint8_t sk[32], uint8_t n)
{
    uint8_t seed[32];

    memset(seed, n, sizeof seed);
    crypto_box_seed_keypair(pk, sk, seed);
}

static void
test_proof(void)
{
    uint8_t org_pk[3][32], org_sk[3][32], mb_pk[32], mb_sk[32], mid[32];
    uint8_t proof[32], other[32], h[64], zero[32] = {0};
    const char *t = "he came back";
    unsigned i;

    for (i = 0; i < 3; i++)
        keypair(org_pk[i], org_sk[i], (uint8_t)(1 + i));
    keypair(mb_pk, mb_sk, 9);
    memset(mid, 0xab, sizeof mid);
    crypto_hash_sha512(h, (const uint8_t *)t, strlen(t));
    CHECK(umbra_followup_proof(proof, org_pk[1], mb_sk, mid, (const uint8_t *)t,
                               strlen(t)) == 0,
          "the reporter's proof");
    CHECK(umbra_followup_proof(other, mb_pk, org_sk[1], mid, (const uint8_t *)t,
                               strlen(t)) == 0 &&
              memcmp(proof, other, 32) == 0,
          "the organisation computes the same proof");
    CHECK(umbra_followup_verify(proof, mb_pk, &org_sk[0][0], 3, mid, h) == 0,
          "verifies with the second of three keys");
    CHECK(umbra_followup_verify(proof, mb_pk, &org_sk[0][0], 1, mid, h) ==
              UMBRA_ERR_DECRYPT,
          "not with another organisation key");
    mid[0] ^= 1;
    CHECK(umbra_followup_verify(proof, mb_pk, &org_sk[0][0], 3, mid, h) ==
              UMBRA_ERR_DECRYPT,
          "not for another mailbox id");
    mid[0] ^= 1;
    h[63] ^= 1;
    CHECK(umbra_followup_verify(proof, mb_pk, &org_sk[0][0], 3, mid, h) ==
              UMBRA_ERR_DECRYPT,
          "not for another narrative");
    h[63] ^= 1;
    CHECK(umbra_followup_verify(proof, org_pk[2], &org_sk[0][0], 3, mid, h) ==
              UMBRA_ERR_DECRYPT,
          "not with another mailbox key");
    CHECK(umbra_followup_verify(zero, zero, &org_sk[0][0], 3, mid, h) ==
              UMBRA_ERR_DECRYPT,
          "a low-order mailbox key proves nothing");
    CHECK(umbra_followup_proof(other, zero, mb_sk, mid, (const uint8_t *)t,
                               strlen(t)) == UMBRA_ERR_CRYPTO,
          "no proof to a low-order key");
    CHECK(umbra_followup_proof(other, org_pk[0], mb_sk, mid, NULL, 0) == 0,
          "an empty narrative has a proof");
    CHECK(umbra_followup_proof(other, org_pk[0], mb_sk, mid, NULL, 1) ==
              UMBRA_ERR_ARG,
          "NULL text with a length refused");
}

/* umbra_report_check of doc: its code ("" if accepted) into *r. */
static const char *
check_doc(struct umbra_report *r, const char *doc)
{
    static struct umbra_report_refusal why;
    int err = umbra_report_check(r, &why, (const uint8_t *)doc, strlen(doc));

    if (err == 0)
        return "";
    return err == UMBRA_ERR_FORMAT && why.code != NULL ? why.code : "error";
}

#define HEAD                                                                   \
    "{\"schema\":\"umbra.report/1\",\"mailbox\":\"" MBOX_PK                    \
    "\",\"mailbox_id\":\"" MBOX_ID "\","
#define PROOF "\"AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=\""

static void
test_check(void)
{
    struct umbra_report r;
    uint8_t h[64], want[32];
    const char *text = "caf\xc3\xa9 \"x\"\nA";
    size_t i;
    static const struct {
        const char *what, *doc, *code;
    } t[] = {
        {"proof of 31 bytes",
         HEAD "\"narrative\":\"x\",\"follow_up\":{\"proof\":"
              "\"AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHg==\"}}",
         "bad_follow_up"},
        {"proof not base64",
         HEAD "\"narrative\":\"x\",\"follow_up\":{\"proof\":\"!!\"}}",
         "bad_follow_up"},
        {"proof a number",
         HEAD "\"narrative\":\"x\",\"follow_up\":{\"proof\":7}}",
         "bad_follow_up"},
        {"no proof", HEAD "\"narrative\":\"x\",\"follow_up\":{}}",
         "bad_follow_up"},
        {"follow_up a string", HEAD "\"narrative\":\"x\",\"follow_up\":\"y\"}",
         "bad_follow_up"},
        {"no mailbox",
         "{\"schema\":\"umbra.report/1\",\"narrative\":\"x\","
         "\"follow_up\":{\"proof\":" PROOF "}}",
         "bad_follow_up"},
        {"proof over its cap",
         HEAD "\"narrative\":\"x\",\"follow_up\":{\"proof\":\""
              "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
              "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
              "AAAAAAAAAAAA\"}}",
         "bad_follow_up"},
        {"null is absent", HEAD "\"narrative\":\"x\",\"follow_up\":null}", ""},
    };

    for (i = 0; i < sizeof t / sizeof t[0]; i++) {
        const char *got = check_doc(&r, t[i].doc);

        CHECK(strcmp(got, t[i].code) == 0, "%s: want '%s', got '%s'", t[i].what,
              t[i].code, got);
        CHECK(!r.has_follow_up, "%s: no follow-up read", t[i].what);
    }
    CHECK(
        strcmp(check_doc(&r, HEAD "\"narrative\":\"caf\\u00e9 \\\"x\\\"\\nA\","
                                  "\"follow_up\":{\"proof\":" PROOF "}}"),
               "") == 0,
        "a follow-up accepted");
    for (i = 0; i < 32; i++)
        want[i] = (uint8_t)i;
    crypto_hash_sha512(h, (const uint8_t *)text, strlen(text));
    CHECK(r.has_follow_up && r.has_mailbox &&
              memcmp(r.follow_up_proof, want, 32) == 0,
          "its proof read");
    CHECK(memcmp(r.narrative_sha512, h, 64) == 0,
          "the SHA-512 of the narrative once unescaped");
    CHECK(strcmp(check_doc(&r, HEAD "\"categories\":[\"robbery\"],"
                                    "\"follow_up\":{\"proof\":" PROOF "}}"),
                 "") == 0 &&
              r.has_follow_up,
          "a follow-up without a narrative");
    crypto_hash_sha512(h, NULL, 0);
    CHECK(memcmp(r.narrative_sha512, h, 64) == 0,
          "no narrative: the SHA-512 of nothing");
    CHECK(strcmp(check_doc(&r, HEAD "\"narrative\":\"x\"}"), "") == 0 &&
              !r.has_follow_up,
          "a first report is no follow-up");
}

CHECK_MAIN(test_proof, test_check)
