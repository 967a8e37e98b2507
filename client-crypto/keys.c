/* SPDX-License-Identifier: AGPL-3.0-or-later */
/* keys: key ids, organisation keys, fingerprints (see keys.h). */
#include "keys.h"

#include "encode.h"

#include <sodium.h>
#include <string.h>

void
umbra_key_id(uint8_t id[8], const uint8_t pk[32])
{
    static const char label[] = "umbra/keyid/v1";
    crypto_generichash_state h;
    uint8_t out[32];

    crypto_generichash_init(&h, NULL, 0, sizeof(out));
    crypto_generichash_update(&h, (const uint8_t *)label, sizeof(label) - 1);
    crypto_generichash_update(&h, pk, 32);
    crypto_generichash_final(&h, out, sizeof(out));
    memcpy(id, out, 8);
}

struct umbra_org_keys *
umbra_org_keys_alloc(void)
{
    struct umbra_org_keys *k = umbra_secret_alloc(sizeof(*k));

    if (k != NULL)
        memset(k, 0, sizeof(*k));
    return k;
}

int
umbra_org_keys_new(struct umbra_org_keys **out, const char *slug)
{
    struct umbra_org_keys *k = NULL;
    uint8_t *seed = NULL;
    size_t len;
    int rc;

    if (out == NULL)
        return UMBRA_ERR_ARG;
    *out = NULL;
    if (slug == NULL)
        return UMBRA_ERR_ARG;
    len = strnlen(slug, UMBRA_SLUG_MAX + 1);
    if (!umbra_slug_valid(slug, len))
        return UMBRA_ERR_FORMAT;
    k = umbra_org_keys_alloc();
    if (k == NULL)
        return UMBRA_ERR_NOMEM;
    memcpy(k->slug, slug, len);
    umbra_today(k->created);
    umbra_randombytes(k->store_key, sizeof(k->store_key));
    seed = umbra_secret_alloc(32);
    if (seed == NULL) {
        rc = UMBRA_ERR_NOMEM;
        goto out;
    }
    umbra_randombytes(seed, 32);
    /* Not in place: libsodium hashes the seed into sk before copying it. */
    if (crypto_sign_seed_keypair(k->sign_pk, k->sign_sk, seed) != 0) {
        rc = UMBRA_ERR_CRYPTO;
        goto out;
    }
    rc = umbra_org_keys_add(k);
    if (rc != 0)
        goto out;
    *out = k;
    k = NULL;
out:
    umbra_secret_free(seed);
    umbra_org_keys_free(k);
    return rc;
}

int
umbra_org_keys_add(struct umbra_org_keys *k)
{
    unsigned i;

    if (k == NULL)
        return UMBRA_ERR_ARG;
    if (k->nkeys >= UMBRA_MAX_ORG_KEYS)
        return UMBRA_ERR_TOO_LONG;
    i = k->nkeys;
    umbra_randombytes(k->enc_sk[i], 32);
    if (crypto_scalarmult_base(k->enc[i].pk, k->enc_sk[i]) != 0) {
        sodium_memzero(k->enc_sk[i], 32);
        return UMBRA_ERR_CRYPTO;
    }
    umbra_key_id(k->enc[i].id, k->enc[i].pk);
    umbra_today(k->enc[i].created);
    k->nkeys = i + 1;
    return 0;
}

void
umbra_org_keys_free(struct umbra_org_keys *k)
{
    umbra_secret_free(k);
}

void
umbra_fingerprint(char out[UMBRA_FINGERPRINT_LEN + 1],
                  const uint8_t sign_pk[32])
{
    static const char label[] = "umbra/fingerprint/v1";
    crypto_generichash_state h;
    uint8_t f[32];
    unsigned i, j;

    crypto_generichash_init(&h, NULL, 0, sizeof(f));
    crypto_generichash_update(&h, (const uint8_t *)label, sizeof(label) - 1);
    crypto_generichash_update(&h, sign_pk, 32);
    crypto_generichash_final(&h, f, sizeof(f));
    for (i = 0; i < 6; i++) {
        uint64_t v = 0;
        unsigned d;
        for (j = 0; j < 5; j++)
            v = v << 8 | f[5 * i + j];
        d = (unsigned)(v % 100000u);
        for (j = 0; j < 5; j++) {
            out[6 * i + 4 - j] = (char)('0' + d % 10);
            d /= 10;
        }
        out[6 * i + 5] = ' ';
    }
    out[UMBRA_FINGERPRINT_LEN] = '\0';
}
