/* SPDX-License-Identifier: AGPL-3.0-or-later */
/* member: export, parse and verify the member file (see member.h). */
#include "member.h"

#include "bundle.h"
#include "encode.h"

#include <jansson.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define B64_32 sodium_base64_ENCODED_LEN(32, sodium_base64_VARIANT_ORIGINAL)
#define B64_64 sodium_base64_ENCODED_LEN(64, sodium_base64_VARIANT_ORIGINAL)

int
umbra_member_name_valid(const char *s, size_t len)
{
    size_t i;

    if (s == NULL || len < 1 || len > UMBRA_MEMBER_NAME_MAX)
        return 0;
    for (i = 0; i < len; i++)
        if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
            return 0;
    return 1;
}

size_t
umbra_member_signed_text(char *out, size_t cap, const struct umbra_member *m)
{
    char spk[B64_32], pk[B64_32], id[17];
    int n;

    if (out == NULL || cap == 0 || m == NULL)
        return 0;
    umbra_b64(spk, sizeof(spk), m->sign_pk, 32);
    umbra_b64(pk, sizeof(pk), m->pk, 32);
    umbra_hex(id, m->id, 8);
    n = snprintf(out, cap,
                 UMBRA_MEMBER_FORMAT "\norg %s\nname %s\ncreated %s\n"
                                     "signing_key %s\nkey %s %s %s\n",
                 m->org, m->name, m->created, spk, id, pk, m->created);
    if (n < 0 || (size_t)n >= cap)
        return 0;
    return (size_t)n;
}

/* 1 if every field of m is one a member file may hold, else 0. */
static int
member_valid(const struct umbra_member *m)
{
    uint8_t id[8];

    umbra_key_id(id, m->pk);
    return umbra_slug_valid(m->org, strnlen(m->org, sizeof(m->org))) &&
           umbra_member_name_valid(m->name,
                                   strnlen(m->name, sizeof(m->name))) &&
           umbra_date_valid(m->created,
                            strnlen(m->created, sizeof(m->created))) &&
           memcmp(id, m->id, 8) == 0;
}

int
umbra_member_export(char **json, const struct umbra_member *m,
                    const uint8_t sign_sk[64])
{
    char text[UMBRA_MEMBER_TEXT_MAX], id[17];
    char spk[B64_32], pk[B64_32], sig64[B64_64];
    uint8_t sig[64];
    size_t tlen;
    json_t *root;

    if (json == NULL)
        return UMBRA_ERR_ARG;
    *json = NULL;
    if (m == NULL || sign_sk == NULL || !member_valid(m) ||
        sodium_memcmp(sign_sk + 32, m->sign_pk, 32) != 0)
        return UMBRA_ERR_ARG;
    tlen = umbra_member_signed_text(text, sizeof(text), m);
    if (tlen == 0)
        return UMBRA_ERR_ARG;
    if (crypto_sign_detached(sig, NULL, (const uint8_t *)text, tlen,
                             sign_sk) != 0)
        return UMBRA_ERR_CRYPTO;
    umbra_b64(spk, sizeof(spk), m->sign_pk, 32);
    umbra_b64(pk, sizeof(pk), m->pk, 32);
    umbra_b64(sig64, sizeof(sig64), sig, 64);
    umbra_hex(id, m->id, 8);
    root = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "format",
                     UMBRA_MEMBER_FORMAT, "org", m->org, "name", m->name,
                     "created", m->created, "id", id, "x25519", pk,
                     "signing_key", spk, "signature", sig64);
    if (root == NULL)
        return UMBRA_ERR_NOMEM;
    *json = json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    json_decref(root);
    return *json != NULL ? 0 : UMBRA_ERR_NOMEM;
}

int
umbra_member_parse(struct umbra_member *m, const char *json, size_t len)
{
    json_t *root = NULL;
    json_error_t jerr;
    const char *s;
    size_t slen, tlen;
    char text[UMBRA_MEMBER_TEXT_MAX], hex[17];
    int rc = UMBRA_ERR_VERSION;

    if (m == NULL || json == NULL)
        return UMBRA_ERR_ARG;
    memset(m, 0, sizeof(*m));
    if (len > UMBRA_MEMBER_MAX_BYTES)
        return UMBRA_ERR_TOO_LONG;
    root = json_loadb(json, len, JSON_REJECT_DUPLICATES, &jerr);
    if (!json_is_object(root))
        goto out;
    s = umbra_json_str(root, "format", &slen);
    if (s == NULL || slen != strlen(UMBRA_MEMBER_FORMAT) ||
        memcmp(s, UMBRA_MEMBER_FORMAT, slen) != 0)
        goto out;
    rc = UMBRA_ERR_FORMAT;
    s = umbra_json_str(root, "org", &slen);
    if (s == NULL || !umbra_slug_valid(s, slen))
        goto out;
    memcpy(m->org, s, slen);
    s = umbra_json_str(root, "name", &slen);
    if (s == NULL || !umbra_member_name_valid(s, slen))
        goto out;
    memcpy(m->name, s, slen);
    s = umbra_json_str(root, "created", &slen);
    if (s == NULL || !umbra_date_valid(s, slen))
        goto out;
    memcpy(m->created, s, 10);
    s = umbra_json_str(root, "x25519", &slen);
    if (s == NULL || umbra_unb64(m->pk, 32, s, slen) != 0)
        goto out;
    umbra_key_id(m->id, m->pk);
    umbra_hex(hex, m->id, 8);
    s = umbra_json_str(root, "id", &slen);
    if (s == NULL || slen != 16 || memcmp(s, hex, 16) != 0) {
        rc = UMBRA_ERR_CHECKSUM;
        goto out;
    }
    s = umbra_json_str(root, "signing_key", &slen);
    if (s == NULL || umbra_unb64(m->sign_pk, 32, s, slen) != 0)
        goto out;
    tlen = umbra_member_signed_text(text, sizeof(text), m);
    rc = umbra_json_signed(root, text, tlen, m->sign_pk);
out:
    json_decref(root);
    if (rc != 0)
        memset(m, 0, sizeof(*m));
    return rc;
}
