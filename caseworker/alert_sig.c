/* SPDX-License-Identifier: AGPL-3.0-or-later */
/* alert_sig: the signed alert file (alert_sig.h), through libumbra's
 * umbra_alert_sign and umbra_alert_parse (client-crypto/alert.c). */
#include "alert_sig.h"
#include "alert_draft.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int
alert_sign_file(char **out, const char *inner, const uint8_t sk[64])
{
    *out = NULL;
    return umbra_alert_sign(out, inner, strlen(inner), sk) == 0 ? 0 : -1;
}

/* The library's word for a refusal (umbra_alert_parse's why) as a reader
 * is told it. */
static const char *
reason(const char *why)
{
    static const struct {
        const char *why, *says;
    } R[] = {
        {"too_big", "over 64 KiB"},
        {"not_alert_file", "not an alert file (umbra.alert/1)"},
        {"unknown_member", "a member the format does not have"},
        {"signer", "no signer, or not a key"},
        {"signature", "the signature does not verify: the alert was changed "
                      "after it was signed, or forged"},
        {"signature.format", "no signature, or not a signature"},
        {"signer_not_allowed", "signed by a key the organisation's bundle "
                               "does not list for alerts"},
        {"other_org", "the alert names another organisation than the "
                      "bundle's"},
        {"expires.range", "expires is not after issued, or more than 365 "
                          "days after it"},
        {"period.after_issued", "the period starts after the alert was "
                                "issued"},
        {"period.length", "the period is longer than 26 weeks"},
        {"texts.lang_twice", "two texts in one language"},
    };
    size_t i;

    for (i = 0; i < sizeof R / sizeof R[0]; i++)
        if (strcmp(why, R[i].why) == 0)
            return R[i].says;
    return NULL;
}

int
alert_read_file(json_t **inner, char *signer, size_t scap, const char *text,
                size_t len, const struct umbra_bundle *b, char *why,
                size_t cap)
{
    struct umbra_alert a;
    const char *says;
    int rc;

    *inner = NULL;
    rc = umbra_alert_parse(&a, text, len, b);
    if (rc != 0) {
        says = reason(a.why != NULL ? a.why : "");
        if (says != NULL)
            snprintf(why, cap, "%s", says);
        else
            snprintf(why, cap, "the field '%s' is missing or not valid",
                     a.why != NULL ? a.why : "?");
        return -1;
    }
    snprintf(signer, scap, "%s", a.signer_name);
    *inner = json_incref(a.json);
    umbra_alert_free(&a);
    return 0;
}
