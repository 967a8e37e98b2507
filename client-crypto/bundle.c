/* SPDX-License-Identifier: AGPL-3.0-or-later */
/* bundle: export, parse and verify the public key bundle (see bundle.h). */
#include "bundle.h"

#include "encode.h"

#include <jansson.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define B64_VARIANT sodium_base64_VARIANT_ORIGINAL
#define B64_32 sodium_base64_ENCODED_LEN(32, B64_VARIANT)
#define B64_64 sodium_base64_ENCODED_LEN(64, B64_VARIANT)

void
umbra_b64(char *out, size_t cap, const uint8_t *bin, size_t len)
{
    sodium_bin2base64(out, cap, bin, len, B64_VARIANT);
}

/* Appends to out at *pos; 0 on success, -1 if it does not fit. */
static int
put(char *out, size_t cap, size_t *pos, const char *a, const char *b,
    const char *c, const char *d)
{
    int n = snprintf(out + *pos, cap - *pos, "%s%s%s%s", a, b, c, d);

    if (n < 0 || (size_t)n >= cap - *pos)
        return -1;
    *pos += (size_t)n;
    return 0;
}

/* The "may" of a signer as the signed text writes it, or NULL if bad. */
static const char *
may_text(unsigned may)
{
    switch (may) {
    case UMBRA_MAY_EVENTS:
        return "events";
    case UMBRA_MAY_ALERTS:
        return "alerts";
    case UMBRA_MAY_EVENTS | UMBRA_MAY_ALERTS:
        return "events,alerts";
    default:
        return NULL;
    }
}

size_t
umbra_bundle_signed_text(char *out, size_t cap, const struct umbra_bundle *b)
{
    char sk[B64_32], pk[B64_32], id[17];
    size_t pos = 0;
    unsigned i;

    if (cap == 0)
        return 0;
    out[0] = '\0';
    umbra_b64(sk, sizeof(sk), b->sign_pk, 32);
    if (put(out, cap, &pos, "umbra.keys/1\n", "org ", b->org, "\n") ||
        put(out, cap, &pos, "created ", b->created, "\n", ""))
        return 0;
    if (b->serial > 0) {
        char num[24];

        if (b->serial > UMBRA_BUNDLE_SERIAL_MAX)
            return 0;
        snprintf(num, sizeof(num), "%llu", (unsigned long long)b->serial);
        if (put(out, cap, &pos, "serial ", num, "\n", ""))
            return 0;
    }
    if (put(out, cap, &pos, "signing_key ", sk, "\n", ""))
        return 0;
    for (i = 0; i < b->nkeys; i++) {
        umbra_hex(id, b->keys[i].id, 8);
        umbra_b64(pk, sizeof(pk), b->keys[i].pk, 32);
        if (put(out, cap, &pos, "key ", id, " ", pk) ||
            put(out, cap, &pos, " ", b->keys[i].created, "\n", ""))
            return 0;
    }
    if (b->nsigners > UMBRA_MAX_SIGNERS)
        return 0;
    for (i = 0; i < b->nsigners; i++) {
        const struct umbra_signer *g = &b->signers[i];
        const char *may = may_text(g->may);

        if (may == NULL)
            return 0;
        umbra_b64(pk, sizeof(pk), g->sign_pk, 32);
        if (g->has_key)
            umbra_hex(id, g->key_id, 8);
        else
            memcpy(id, "-", 2);
        if (put(out, cap, &pos, "signer ", pk, " ", id) ||
            put(out, cap, &pos, " ", may, " ", g->name) ||
            put(out, cap, &pos, "\n", "", "", ""))
            return 0;
    }
    return pos;
}

/*
 * Whether signer i of b is valid against b and the signers before it: a
 * valid name, may a non-empty set of known bits, its key (if any) one of
 * b's keys, its signing key no earlier signer's. 0 or -1.
 */
static int
signer_check(const struct umbra_bundle *b, unsigned i)
{
    const struct umbra_signer *g = &b->signers[i];
    unsigned j;
    int found = 0;

    if (!umbra_member_name_valid(g->name,
                                 strnlen(g->name, sizeof(g->name))) ||
        strnlen(g->name, sizeof(g->name)) == sizeof(g->name) ||
        may_text(g->may) == NULL)
        return -1;
    for (j = 0; g->has_key && j < b->nkeys; j++)
        if (memcmp(b->keys[j].id, g->key_id, 8) == 0)
            found = 1;
    if (g->has_key && !found)
        return -1;
    for (j = 0; j < i; j++)
        if (memcmp(b->signers[j].sign_pk, g->sign_pk, 32) == 0)
            return -1;
    return 0;
}

/* b->holder from b's signers and org (see umbra.h). */
static void
fill_holder(struct umbra_bundle *b)
{
    unsigned i;

    memset(&b->holder, 0, sizeof(b->holder));
    memcpy(b->holder.name, b->org, sizeof(b->org));
    for (i = 0; i < b->nsigners; i++)
        if (memcmp(b->signers[i].sign_pk, b->sign_pk, 32) == 0)
            b->holder = b->signers[i];
    memcpy(b->holder.sign_pk, b->sign_pk, 32);
    b->holder.may = UMBRA_MAY_EVENTS | UMBRA_MAY_ALERTS;
}

const struct umbra_signer *
umbra_bundle_signer(const struct umbra_bundle *b, const uint8_t pk[32],
                    unsigned may)
{
    unsigned i;

    if (b == NULL || pk == NULL)
        return NULL;
    if (sodium_memcmp(b->sign_pk, pk, 32) == 0)
        return (b->holder.may & may) == may ? &b->holder : NULL;
    for (i = 0; i < b->nsigners && i < UMBRA_MAX_SIGNERS; i++)
        if (sodium_memcmp(b->signers[i].sign_pk, pk, 32) == 0)
            return (b->signers[i].may & may) == may ? &b->signers[i] : NULL;
    return NULL;
}

/*
 * Fills b from signer (org, created, signing key) and the listed keys.
 * Each key's id is recomputed from its public key; a given id that
 * disagrees, a bad date or two equal keys is UMBRA_ERR_ARG.
 */
static int
bundle_from(struct umbra_bundle *b, const struct umbra_org_keys *signer,
            const struct umbra_enc_key *keys, unsigned nkeys)
{
    unsigned i, j;

    memset(b, 0, sizeof(*b));
    memcpy(b->org, signer->slug, sizeof(b->org));
    memcpy(b->created, signer->created, sizeof(b->created));
    memcpy(b->sign_pk, signer->sign_pk, 32);
    b->nkeys = nkeys;
    for (i = 0; i < nkeys; i++) {
        struct umbra_enc_key *e = &b->keys[i];

        memcpy(e->pk, keys[i].pk, 32);
        umbra_key_id(e->id, e->pk);
        if (memcmp(e->id, keys[i].id, 8) != 0 ||
            !umbra_date_valid(keys[i].created, strnlen(keys[i].created, 11)))
            return UMBRA_ERR_ARG;
        memcpy(e->created, keys[i].created, 10);
        for (j = 0; j < i; j++)
            if (memcmp(b->keys[j].id, e->id, 8) == 0)
                return UMBRA_ERR_ARG;
    }
    return 0;
}

int
umbra_bundle_export(char **json, const struct umbra_org_keys *k)
{
    if (json == NULL)
        return UMBRA_ERR_ARG;
    *json = NULL;
    if (k == NULL || k->nkeys < 1 || k->nkeys > UMBRA_MAX_ORG_KEYS)
        return UMBRA_ERR_ARG;
    return umbra_bundle_export_keys(json, k, k->enc, k->nkeys);
}

int
umbra_bundle_export_keys(char **json, const struct umbra_org_keys *signer,
                         const struct umbra_enc_key *keys, unsigned nkeys)
{
    return umbra_bundle_export_serial(json, signer, keys, nkeys, 0);
}

int
umbra_bundle_export_serial(char **json, const struct umbra_org_keys *signer,
                           const struct umbra_enc_key *keys, unsigned nkeys,
                           uint64_t serial)
{
    return umbra_bundle_export_full(json, signer, keys, nkeys, serial, NULL, 0);
}

/* The "signers" member of b as a JSON array (NULL if out of memory). */
static json_t *
signers_json(const struct umbra_bundle *b)
{
    json_t *arr = json_array();
    char pk[B64_32], id[17];
    unsigned i;

    for (i = 0; arr != NULL && i < b->nsigners; i++) {
        const struct umbra_signer *g = &b->signers[i];
        json_t *e, *may = json_array();

        umbra_b64(pk, sizeof(pk), g->sign_pk, 32);
        if (may == NULL ||
            ((g->may & UMBRA_MAY_EVENTS) &&
             json_array_append_new(may, json_string("events")) != 0) ||
            ((g->may & UMBRA_MAY_ALERTS) &&
             json_array_append_new(may, json_string("alerts")) != 0)) {
            json_decref(may);
            json_decref(arr);
            return NULL;
        }
        e = json_pack("{s:s, s:s}", "name", g->name, "signing_key", pk);
        if (e != NULL && g->has_key) {
            umbra_hex(id, g->key_id, 8);
            if (json_object_set_new(e, "key", json_string(id)) != 0)
                json_decref(may), may = NULL;
        }
        if (e == NULL || may == NULL ||
            json_object_set_new(e, "may", may) != 0 ||
            json_array_append_new(arr, e) != 0) {
            json_decref(e);
            json_decref(arr);
            return NULL;
        }
    }
    return arr;
}

int
umbra_bundle_export_full(char **json, const struct umbra_org_keys *signer,
                         const struct umbra_enc_key *keys, unsigned nkeys,
                         uint64_t serial, const struct umbra_signer *signers,
                         unsigned nsigners)
{
    struct umbra_bundle b;
    char text[UMBRA_SIGNED_TEXT_MAX];
    char sk[B64_32], sig_b64[B64_64], pk[B64_32], id[17];
    uint8_t sig[64];
    size_t tlen;
    json_t *root = NULL, *arr = NULL, *sarr = NULL;
    unsigned i;
    int rc;

    if (json == NULL)
        return UMBRA_ERR_ARG;
    *json = NULL;
    if (signer == NULL || keys == NULL || nkeys < 1 ||
        (signers == NULL && nsigners > 0))
        return UMBRA_ERR_ARG;
    if (nkeys > UMBRA_MAX_ORG_KEYS || nsigners > UMBRA_MAX_SIGNERS)
        return UMBRA_ERR_TOO_LONG;
    if (serial > UMBRA_BUNDLE_SERIAL_MAX)
        return UMBRA_ERR_ARG;
    rc = bundle_from(&b, signer, keys, nkeys);
    if (rc != 0)
        return rc;
    b.serial = serial;
    b.nsigners = nsigners;
    for (i = 0; i < nsigners; i++) {
        b.signers[i] = signers[i];
        if (!signers[i].has_key)
            memset(b.signers[i].key_id, 0, 8);
        if (signer_check(&b, i) != 0)
            return UMBRA_ERR_ARG;
    }
    tlen = umbra_bundle_signed_text(text, sizeof(text), &b);
    if (tlen == 0)
        return UMBRA_ERR_ARG;
    if (crypto_sign_detached(sig, NULL, (const uint8_t *)text, tlen,
                             signer->sign_sk) != 0)
        return UMBRA_ERR_CRYPTO;
    rc = UMBRA_ERR_NOMEM;
    umbra_b64(sk, sizeof(sk), b.sign_pk, 32);
    umbra_b64(sig_b64, sizeof(sig_b64), sig, 64);
    arr = json_array();
    if (arr == NULL)
        goto out;
    for (i = 0; i < b.nkeys; i++) {
        json_t *e;
        umbra_hex(id, b.keys[i].id, 8);
        umbra_b64(pk, sizeof(pk), b.keys[i].pk, 32);
        e = json_pack("{s:s, s:s, s:s}", "id", id, "x25519", pk, "created",
                      b.keys[i].created);
        if (e == NULL || json_array_append_new(arr, e) != 0)
            goto out;
    }
    root = json_pack("{s:s, s:s, s:s}", "format", "umbra.keys/1", "org", b.org,
                     "created", b.created);
    if (root == NULL)
        goto out;
    if (serial > 0 &&
        json_object_set_new(root, "serial", json_integer((json_int_t)serial)) !=
            0)
        goto out;
    if (json_object_set_new(root, "signing_key", json_string(sk)) != 0 ||
        json_object_set(root, "keys", arr) != 0)
        goto out;
    if (nsigners > 0 && ((sarr = signers_json(&b)) == NULL ||
                         json_object_set(root, "signers", sarr) != 0))
        goto out;
    if (json_object_set_new(root, "signature", json_string(sig_b64)) != 0)
        goto out;
    *json = json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    if (*json == NULL)
        goto out;
    rc = 0;
out:
    json_decref(sarr);
    json_decref(arr);
    json_decref(root);
    return rc;
}

const char *
umbra_json_str(const json_t *o, const char *key, size_t *len)
{
    json_t *v = json_object_get(o, key);

    if (!json_is_string(v))
        return NULL;
    *len = json_string_length(v);
    return json_string_value(v);
}

int
umbra_unb64(uint8_t *out, size_t n, const char *s, size_t len)
{
    char again[B64_64];
    size_t got;

    if (n > 64 || len != sodium_base64_ENCODED_LEN(n, B64_VARIANT) - 1)
        return -1;
    if (sodium_base642bin(out, n, s, len, NULL, &got, NULL, B64_VARIANT) != 0 ||
        got != n)
        return -1;
    umbra_b64(again, sizeof(again), out, n);
    return memcmp(again, s, len) == 0 ? 0 : -1;
}

int
umbra_json_signed(const json_t *o, const char *text, size_t tlen,
                  const uint8_t sign_pk[32])
{
    const char *s;
    size_t slen;
    uint8_t sig[64];

    s = umbra_json_str(o, "signature", &slen);
    if (s == NULL || umbra_unb64(sig, 64, s, slen) != 0 || tlen == 0)
        return UMBRA_ERR_FORMAT;
    if (crypto_sign_verify_detached(sig, (const uint8_t *)text, tlen,
                                    sign_pk) != 0)
        return UMBRA_ERR_SIGNATURE;
    return 0;
}

/* A signer's "may": ["events"], ["alerts"] or ["events", "alerts"]. */
static int
parse_may(unsigned *may, const json_t *arr)
{
    unsigned last = 0, bit;
    size_t i;

    *may = 0;
    if (!json_is_array(arr) || json_array_size(arr) < 1)
        return -1;
    for (i = 0; i < json_array_size(arr); i++) {
        const char *s = json_string_value(json_array_get(arr, i));

        if (s == NULL)
            return -1;
        if (strcmp(s, "events") == 0)
            bit = UMBRA_MAY_EVENTS;
        else if (strcmp(s, "alerts") == 0)
            bit = UMBRA_MAY_ALERTS;
        else
            return -1;
        if (bit <= last) /* a repeat, or out of order */
            return -1;
        *may |= bit;
        last = bit;
    }
    return 0;
}

/*
 * The optional "signers" member (arr, NULL when absent) into b, whose
 * keys are parsed: 0, or -1 for any shape or field error.
 */
static int
parse_signers(struct umbra_bundle *b, const json_t *arr)
{
    size_t i, n, slen;
    const char *s;
    char id[17];

    if (arr == NULL)
        return 0;
    n = json_array_size(arr);
    if (!json_is_array(arr) || n < 1 || n > UMBRA_MAX_SIGNERS)
        return -1;
    for (i = 0; i < n; i++) {
        const json_t *e = json_array_get(arr, i);
        struct umbra_signer *g = &b->signers[i];
        unsigned j;

        if (!json_is_object(e))
            return -1;
        s = umbra_json_str(e, "name", &slen);
        if (s == NULL || !umbra_member_name_valid(s, slen))
            return -1;
        memcpy(g->name, s, slen);
        s = umbra_json_str(e, "signing_key", &slen);
        if (s == NULL || umbra_unb64(g->sign_pk, 32, s, slen) != 0)
            return -1;
        if (json_object_get(e, "key") != NULL) {
            s = umbra_json_str(e, "key", &slen);
            if (s == NULL || slen != 16)
                return -1;
            for (j = 0; j < b->nkeys && !g->has_key; j++) {
                umbra_hex(id, b->keys[j].id, 8);
                if (memcmp(s, id, 16) == 0) {
                    memcpy(g->key_id, b->keys[j].id, 8);
                    g->has_key = 1;
                }
            }
            if (!g->has_key)
                return -1;
        }
        if (parse_may(&g->may, json_object_get(e, "may")) != 0 ||
            signer_check(b, (unsigned)i) != 0)
            return -1;
    }
    b->nsigners = (unsigned)n;
    return 0;
}

int
umbra_bundle_parse(struct umbra_bundle *b, const char *json, size_t len)
{
    json_t *root = NULL, *keys, *serial;
    json_error_t err;
    const char *s;
    size_t slen, tlen, i, j;
    char text[UMBRA_SIGNED_TEXT_MAX];
    int rc = UMBRA_ERR_FORMAT;

    if (b == NULL || json == NULL)
        return UMBRA_ERR_ARG;
    memset(b, 0, sizeof(*b));
    if (len > UMBRA_BUNDLE_MAX_BYTES)
        return UMBRA_ERR_TOO_LONG;
    root = json_loadb(json, len, JSON_REJECT_DUPLICATES, &err);
    if (!json_is_object(root))
        goto out;
    s = umbra_json_str(root, "format", &slen);
    if (s == NULL)
        goto out;
    if (slen != 12 || memcmp(s, "umbra.keys/1", 12) != 0) {
        rc = UMBRA_ERR_VERSION;
        goto out;
    }
    s = umbra_json_str(root, "org", &slen);
    if (s == NULL || !umbra_slug_valid(s, slen))
        goto out;
    memcpy(b->org, s, slen);
    s = umbra_json_str(root, "created", &slen);
    if (s == NULL || !umbra_date_valid(s, slen))
        goto out;
    memcpy(b->created, s, 10);
    serial = json_object_get(root, "serial");
    if (serial != NULL) {
        /* present: an integer 1 .. 2^53 - 1 (absent is 0: one spelling) */
        if (!json_is_integer(serial) || json_integer_value(serial) < 1 ||
            (uint64_t)json_integer_value(serial) > UMBRA_BUNDLE_SERIAL_MAX)
            goto out;
        b->serial = (uint64_t)json_integer_value(serial);
    }
    s = umbra_json_str(root, "signing_key", &slen);
    if (s == NULL || umbra_unb64(b->sign_pk, 32, s, slen) != 0)
        goto out;
    keys = json_object_get(root, "keys");
    if (!json_is_array(keys) || json_array_size(keys) < 1 ||
        json_array_size(keys) > UMBRA_MAX_ORG_KEYS)
        goto out;
    for (i = 0; i < json_array_size(keys); i++) {
        json_t *e = json_array_get(keys, i);
        struct umbra_enc_key *k = &b->keys[i];
        char id[17];

        if (!json_is_object(e))
            goto out;
        s = umbra_json_str(e, "x25519", &slen);
        if (s == NULL || umbra_unb64(k->pk, 32, s, slen) != 0)
            goto out;
        umbra_key_id(k->id, k->pk);
        umbra_hex(id, k->id, 8);
        s = umbra_json_str(e, "id", &slen);
        if (s == NULL || slen != 16 || memcmp(s, id, 16) != 0)
            goto out;
        s = umbra_json_str(e, "created", &slen);
        if (s == NULL || !umbra_date_valid(s, slen))
            goto out;
        memcpy(k->created, s, 10);
        for (j = 0; j < i; j++)
            if (memcmp(b->keys[j].id, k->id, 8) == 0)
                goto out;
    }
    b->nkeys = (unsigned)json_array_size(keys);
    if (parse_signers(b, json_object_get(root, "signers")) != 0)
        goto out;
    fill_holder(b);
    tlen = umbra_bundle_signed_text(text, sizeof(text), b);
    rc = umbra_json_signed(root, text, tlen, b->sign_pk);
out:
    json_decref(root);
    if (rc != 0)
        memset(b, 0, sizeof(*b));
    return rc;
}

int
umbra_bundle_may_replace(const struct umbra_bundle *cur,
                         const struct umbra_bundle *next)
{
    char a[UMBRA_SIGNED_TEXT_MAX], b[UMBRA_SIGNED_TEXT_MAX];
    size_t alen, blen;

    if (cur == NULL || next == NULL ||
        sodium_memcmp(cur->sign_pk, next->sign_pk, 32) != 0)
        return UMBRA_ERR_ARG;
    if (next->serial > cur->serial)
        return 0;
    if (next->serial < cur->serial)
        return UMBRA_ERR_ROLLBACK;
    alen = umbra_bundle_signed_text(a, sizeof(a), cur);
    blen = umbra_bundle_signed_text(b, sizeof(b), next);
    if (alen == 0 || alen != blen || memcmp(a, b, alen) != 0)
        return UMBRA_ERR_ROLLBACK;
    return 0;
}

void
umbra_bundle_pks(uint8_t *pks, const struct umbra_bundle *b)
{
    unsigned i;

    for (i = 0; i < b->nkeys && i < UMBRA_MAX_ORG_KEYS; i++)
        memcpy(pks + 32u * i, b->keys[i].pk, 32);
}
