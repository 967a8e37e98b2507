/* SPDX-License-Identifier: AGPL-3.0-or-later */
/* receipt: receipts, normalisation, mailboxes (see receipt.h). */
#include "receipt.h"

#include <sodium.h>
#include <string.h>

static const uint8_t damm_table[10][10] = {
    {0, 3, 1, 7, 5, 9, 8, 6, 4, 2}, {7, 0, 9, 2, 1, 5, 4, 8, 6, 3},
    {4, 2, 0, 6, 8, 7, 1, 3, 5, 9}, {1, 7, 5, 0, 9, 8, 3, 4, 2, 6},
    {6, 1, 2, 3, 0, 4, 5, 9, 7, 8}, {3, 6, 7, 4, 2, 0, 9, 5, 8, 1},
    {5, 8, 6, 9, 7, 2, 0, 1, 3, 4}, {8, 9, 4, 5, 3, 6, 2, 0, 1, 7},
    {9, 4, 3, 8, 6, 1, 7, 2, 0, 5}, {2, 5, 8, 1, 4, 3, 6, 7, 9, 0},
};

/* First code point of each script's run of ten decimal digits. */
static const uint32_t digit_zeros[] = {
    0x0660, /* Arabic-Indic */
    0x06F0, /* Extended Arabic-Indic (Persian, Urdu) */
    0x0966, /* Devanagari */
    0x09E6, /* Bengali */
    0x0E50, /* Thai */
    0x0ED0, /* Lao */
    0x1040, /* Myanmar */
    0x17E0, /* Khmer */
    0xFF10, /* full-width */
};

static const uint32_t separators[] = {
    0x0020, 0x0009, 0x00A0, 0x2007, 0x202F, 0x3000, 0x002D, 0x2010,
    0x2011, 0x2012, 0x2013, 0x2014, 0x2015, 0x2212, 0xFF0D, 0x002E,
};

unsigned
umbra_damm(const char *digits, size_t n)
{
    unsigned interim = 0;
    size_t i;

    for (i = 0; i < n; i++)
        interim = damm_table[interim][(unsigned)(digits[i] - '0') % 10u];
    return interim;
}

void
umbra_receipt_new(char out[UMBRA_RECEIPT_DISPLAY_LEN + 1])
{
    char d[UMBRA_RECEIPT_DIGITS];
    unsigned i, o = 0;

    for (i = 0; i < UMBRA_RECEIPT_DIGITS - 1; i++)
        d[i] = (char)('0' + umbra_random_uniform(10));
    d[UMBRA_RECEIPT_DIGITS - 1] =
        (char)('0' + umbra_damm(d, UMBRA_RECEIPT_DIGITS - 1));
    for (i = 0; i < UMBRA_RECEIPT_DIGITS; i++) {
        if (i > 0 && i % 4 == 0)
            out[o++] = ' ';
        out[o++] = d[i];
    }
    out[o] = '\0';
    sodium_memzero(d, sizeof(d));
}

int
umbra_digit_value(uint32_t cp)
{
    size_t i;

    if (cp >= '0' && cp <= '9')
        return (int)(cp - '0');
    for (i = 0; i < sizeof(digit_zeros) / sizeof(digit_zeros[0]); i++)
        if (cp >= digit_zeros[i] && cp <= digit_zeros[i] + 9)
            return (int)(cp - digit_zeros[i]);
    return -1;
}

/* ASCII digit value for cp, -2 for a separator, -1 for anything else. */
static int
classify(uint32_t cp)
{
    size_t i;
    int v = umbra_digit_value(cp);

    if (v >= 0)
        return v;
    for (i = 0; i < sizeof(separators) / sizeof(separators[0]); i++)
        if (cp == separators[i])
            return -2;
    return -1;
}

int
umbra_receipt_normalise(char out[UMBRA_RECEIPT_DIGITS + 1], const char *in,
                        size_t in_len)
{
    const uint8_t *s = (const uint8_t *)in;
    char d[UMBRA_RECEIPT_DIGITS];
    size_t pos = 0, nd = 0;
    int rc = UMBRA_ERR_FORMAT;

    if (out == NULL)
        return UMBRA_ERR_ARG;
    out[0] = '\0';
    if (in_len > UMBRA_RECEIPT_INPUT_MAX)
        return UMBRA_ERR_TOO_LONG;
    if (in == NULL && in_len > 0)
        return UMBRA_ERR_ARG;
    while (pos < in_len) {
        uint32_t cp = 0;
        size_t k = umbra_utf8_decode(&cp, s + pos, in_len - pos);
        int v;
        if (k == 0)
            goto out;
        pos += k;
        v = classify(cp);
        if (v == -1)
            goto out;
        if (v == -2)
            continue;
        if (nd == UMBRA_RECEIPT_DIGITS)
            goto out; /* too many digits */
        d[nd++] = (char)('0' + v);
    }
    if (nd != UMBRA_RECEIPT_DIGITS)
        goto out;
    if (umbra_damm(d, nd) != 0) {
        rc = UMBRA_ERR_CHECKSUM;
        goto out;
    }
    memcpy(out, d, UMBRA_RECEIPT_DIGITS);
    out[UMBRA_RECEIPT_DIGITS] = '\0';
    rc = 0;
out:
    sodium_memzero(d, sizeof(d));
    return rc;
}

int
umbra_mailbox_derive(struct umbra_mailbox *mb,
                     const char digits[UMBRA_RECEIPT_DIGITS])
{
    static const char salt[] = "umbra.receipt.v1";
    uint8_t *out = NULL;
    unsigned i;
    int rc;

    if (mb == NULL || digits == NULL)
        return UMBRA_ERR_ARG;
    for (i = 0; i < UMBRA_RECEIPT_DIGITS; i++)
        if (digits[i] < '0' || digits[i] > '9')
            return UMBRA_ERR_FORMAT;
    out = umbra_secret_alloc(64);
    if (out == NULL)
        return UMBRA_ERR_NOMEM;
    rc = crypto_pwhash(out, 64, digits, UMBRA_RECEIPT_DIGITS,
                       (const uint8_t *)salt, UMBRA_MAILBOX_OPSLIMIT,
                       UMBRA_MAILBOX_MEMLIMIT, crypto_pwhash_ALG_ARGON2ID13);
    /* Argon2's last BLAKE2b leaves its whole output (the seed and the
     * lookup id) in a buffer of its stack frame, below this one: zeroed
     * here, before any other call can leave it lying. */
    sodium_stackzero(UMBRA_MAILBOX_STACK_WIPE);
    if (rc != 0) {
        rc = UMBRA_ERR_NOMEM;
        goto out;
    }
    if (crypto_box_seed_keypair(mb->pk, mb->sk, out) != 0) {
        rc = UMBRA_ERR_CRYPTO;
        goto out;
    }
    memcpy(mb->lookup_id, out + 32, 32);
    umbra_mailbox_id(mb->mailbox_id, mb->lookup_id);
    rc = 0;
out:
    umbra_secret_free(out);
    return rc;
}

void
umbra_mailbox_id(uint8_t mailbox_id[32], const uint8_t lookup_id[32])
{
    static const char label[] = "umbra/mailbox/v1";
    crypto_generichash_state h;

    crypto_generichash_init(&h, NULL, 0, 32);
    crypto_generichash_update(&h, (const uint8_t *)label, sizeof(label) - 1);
    crypto_generichash_update(&h, lookup_id, 32);
    crypto_generichash_final(&h, mailbox_id, 32);
    sodium_memzero(&h, sizeof h); /* its buffer held the lookup id */
}

/* The proof key: X25519(sk, pk) hashed by crypto_box_beforenm, in secret
 * memory; NULL on failure (a low-order pk, or no memory: *rc says). */
static uint8_t *
followup_key(const uint8_t pk[32], const uint8_t sk[32], int *rc)
{
    uint8_t *k = umbra_secret_alloc(crypto_box_BEFORENMBYTES);

    if (k == NULL) {
        *rc = UMBRA_ERR_NOMEM;
        return NULL;
    }
    if (crypto_box_beforenm(k, pk, sk) != 0) {
        umbra_secret_free(k);
        *rc = UMBRA_ERR_CRYPTO;
        return NULL;
    }
    return k;
}

/* proof = BLAKE2b-256(key, label || mailbox_id || narrative_sha512). */
static void
followup_mac(uint8_t proof[32], const uint8_t *key,
             const uint8_t mailbox_id[32], const uint8_t narrative_sha512[64])
{
    static const char label[] = "umbra/follow-up/v1";
    crypto_generichash_state h;

    crypto_generichash_init(&h, key, crypto_box_BEFORENMBYTES, 32);
    crypto_generichash_update(&h, (const uint8_t *)label, sizeof(label) - 1);
    crypto_generichash_update(&h, mailbox_id, 32);
    crypto_generichash_update(&h, narrative_sha512, 64);
    crypto_generichash_final(&h, proof, 32);
    sodium_memzero(&h, sizeof h);
}

int
umbra_followup_proof(uint8_t proof[32], const uint8_t pk[32],
                     const uint8_t sk[32], const uint8_t mailbox_id[32],
                     const uint8_t *narrative, size_t narrative_len)
{
    uint8_t digest[64], *key;
    int rc = 0;

    if (proof == NULL || pk == NULL || sk == NULL || mailbox_id == NULL ||
        (narrative == NULL && narrative_len > 0))
        return UMBRA_ERR_ARG;
    key = followup_key(pk, sk, &rc);
    if (key == NULL)
        return rc;
    crypto_hash_sha512(digest, narrative, narrative_len);
    followup_mac(proof, key, mailbox_id, digest);
    umbra_secret_free(key);
    return 0;
}

int
umbra_followup_verify(const uint8_t proof[32], const uint8_t mailbox_pk[32],
                      const uint8_t *org_sks, size_t n,
                      const uint8_t mailbox_id[32],
                      const uint8_t narrative_sha512[64])
{
    uint8_t want[32];
    size_t i;
    int rc = UMBRA_ERR_DECRYPT;

    if (proof == NULL || mailbox_pk == NULL || org_sks == NULL ||
        mailbox_id == NULL || narrative_sha512 == NULL)
        return UMBRA_ERR_ARG;
    for (i = 0; i < n && rc == UMBRA_ERR_DECRYPT; i++) {
        int err = 0;
        uint8_t *key = followup_key(mailbox_pk, org_sks + 32 * i, &err);

        if (key == NULL) {
            if (err == UMBRA_ERR_NOMEM)
                rc = err;
            continue; /* a low-order mailbox key proves nothing */
        }
        followup_mac(want, key, mailbox_id, narrative_sha512);
        umbra_secret_free(key);
        if (sodium_memcmp(want, proof, 32) == 0)
            rc = 0;
    }
    sodium_memzero(want, sizeof want);
    return rc;
}
