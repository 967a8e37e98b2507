/* SPDX-License-Identifier: AGPL-3.0-or-later */
/* alert_sig: the signed alert file (alert_sig.h). */
#include "alert_sig.h"
#include "alert_draft.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#define CONTEXT "umbra.alert/1\n"

int
alert_sign_file(char **out, const char *inner, const uint8_t sk[64])
{
    size_t n = strlen(inner), cn = strlen(CONTEXT);
    uint8_t *msg = malloc(cn + n), sig[64];
    char pk64[64], sig64[128];
    json_t *f = NULL;

    *out = NULL;
    if (msg == NULL)
        return -1;
    memcpy(msg, CONTEXT, cn);
    memcpy(msg + cn, inner, n);
    crypto_sign_detached(sig, NULL, msg, cn + n, sk);
    free(msg);
    sodium_bin2base64(pk64, sizeof pk64, sk + 32, 32,
                      sodium_base64_VARIANT_ORIGINAL);
    sodium_bin2base64(sig64, sizeof sig64, sig, sizeof sig,
                      sodium_base64_VARIANT_ORIGINAL);
    f = json_pack("{s:s,s:s,s:s,s:s}", "format", "umbra.alert/1", "alert",
                  inner, "signer", pk64, "signature", sig64);
    if (f != NULL)
        *out = json_dumps(f, JSON_PRESERVE_ORDER | JSON_INDENT(1));
    json_decref(f);
    return *out != NULL ? 0 : -1;
}

/* 0 and n bytes into out if s is the canonical base64 of n bytes. */
static int
b64(uint8_t *out, size_t n, const char *s)
{
    size_t got = 0;
    char back[128];

    if (s == NULL || strlen(s) >= sizeof back ||
        sodium_base642bin(out, n, s, strlen(s), NULL, &got, NULL,
                          sodium_base64_VARIANT_ORIGINAL) != 0 ||
        got != n)
        return -1;
    sodium_bin2base64(back, sizeof back, out, n,
                      sodium_base64_VARIANT_ORIGINAL);
    return strcmp(back, s) == 0 ? 0 : -1;
}

int
alert_read_file(json_t **inner, char *signer, size_t scap, const char *text,
                size_t len, const struct umbra_bundle *b, char *why,
                size_t cap)
{
    json_t *f = NULL, *a = NULL;
    const char *s;
    uint8_t pk[32], sig[64], *msg = NULL;
    const struct umbra_signer *who;
    size_t n, cn = strlen(CONTEXT);
    int rc = -1;

    *inner = NULL;
    if (len > ALERT_FILE_MAX) {
        snprintf(why, cap, "over 64 KiB");
        return -1;
    }
    f = json_loadb(text, len, JSON_REJECT_DUPLICATES, NULL);
    s = json_string_value(json_object_get(f, "alert"));
    if (!json_is_object(f) ||
        !json_is_string(json_object_get(f, "format")) ||
        strcmp(json_string_value(json_object_get(f, "format")),
               "umbra.alert/1") != 0 ||
        s == NULL) {
        snprintf(why, cap, "not an alert file (umbra.alert/1)");
        goto out;
    }
    if (b64(pk, sizeof pk,
            json_string_value(json_object_get(f, "signer"))) != 0 ||
        b64(sig, sizeof sig,
            json_string_value(json_object_get(f, "signature"))) != 0) {
        snprintf(why, cap, "no signer or signature");
        goto out;
    }
    n = json_string_length(json_object_get(f, "alert"));
    msg = malloc(cn + n + 1);
    if (msg == NULL) {
        snprintf(why, cap, "out of memory");
        goto out;
    }
    memcpy(msg, CONTEXT, cn);
    memcpy(msg + cn, s, n);
    if (crypto_sign_verify_detached(sig, msg, cn + n, pk) != 0) {
        snprintf(why, cap, "the signature does not verify: the alert was "
                           "changed after it was signed, or forged");
        goto out;
    }
    who = umbra_bundle_signer(b, pk, UMBRA_MAY_ALERTS);
    if (who == NULL) {
        snprintf(why, cap, "signed by a key the organisation's bundle does "
                           "not list for alerts");
        goto out;
    }
    a = json_loadb(s, n, JSON_REJECT_DUPLICATES, NULL);
    if (!json_is_object(a)) {
        snprintf(why, cap, "the signed alert is not a JSON object");
        goto out;
    }
    if (!json_is_string(json_object_get(a, "org")) ||
        strcmp(json_string_value(json_object_get(a, "org")), b->org) != 0) {
        snprintf(why, cap, "the alert names another organisation than the "
                           "bundle's (%s)",
                 b->org);
        goto out;
    }
    if (alert_check(a, 0, why, cap) != 0)
        goto out;
    snprintf(signer, scap, "%s", who->name);
    *inner = a;
    a = NULL;
    rc = 0;
out:
    free(msg);
    json_decref(a);
    json_decref(f);
    return rc;
}
