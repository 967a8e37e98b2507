/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * Fuzz harness: the alert file (protocol section "Alerts",
 * umbra_alert_parse, umbra_alert_check, umbra_alert_sign). The input is
 * taken twice: as an alert file, verified against a fixed bundle of the
 * organisation "demo" (seed BLAKE2b-256("umbra fuzz alert")); and as an
 * inner alert JSON, checked, and when the check passes signed with that
 * bundle's key and parsed back. Invariants: a refused file leaves only
 * why in the struct; an accepted file has the bundle's org, a 32-hex id,
 * a valid issued date and a kind; the check and the parser agree (what
 * the check accepts, signed, always parses, or is refused only for
 * naming another organisation than the bundle's).
 */
#include "alert.h"
#include "bundle.h"
#include "fuzz_common.h"

static struct umbra_bundle bundle;
static uint8_t sign_sk[64];

static void
alert_setup(void)
{
    static int done;
    struct umbra_org_keys *k = NULL;
    char *json = NULL;
    uint8_t seed[32];
    static const char label[] = "umbra fuzz alert";

    if (done)
        return;
    fuzz_setup();
    if (umbra_org_keys_new(&k, "demo") != 0)
        abort();
    crypto_generichash(seed, 32, (const uint8_t *)label, sizeof(label) - 1,
                       NULL, 0);
    crypto_sign_seed_keypair(k->sign_pk, k->sign_sk, seed);
    if (umbra_bundle_export(&json, k) != 0 ||
        umbra_bundle_parse(&bundle, json, strlen(json)) != 0)
        abort();
    memcpy(sign_sk, k->sign_sk, 64);
    free(json);
    umbra_org_keys_free(k);
    done = 1;
}

static void
check_accepted(const struct umbra_alert *a)
{
    if (strcmp(a->org, "demo") != 0 || strlen(a->id) != 32 ||
        umbra_alert_day(a->issued) < 0 || a->json == NULL ||
        (a->kind != UMBRA_ALERT_ALERT && a->kind != UMBRA_ALERT_WITHDRAWAL) ||
        (a->kind == UMBRA_ALERT_ALERT &&
         umbra_alert_day(a->expires) <= umbra_alert_day(a->issued)) ||
        strcmp(a->why, "ok") != 0)
        abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct umbra_alert a, zero;
    const char *why = NULL;
    char *file = NULL;
    int rc;

    alert_setup();
    rc = umbra_alert_parse(&a, (const char *)data, size, &bundle);
    if (rc != 0) {
        memset(&zero, 0, sizeof(zero));
        zero.why = a.why;
        if (a.why == NULL || memcmp(&a, &zero, sizeof(a)) != 0)
            abort();
    } else {
        check_accepted(&a);
        umbra_alert_free(&a);
    }
    rc = umbra_alert_check((const char *)data, size, &why);
    if (why == NULL)
        abort();
    if (rc != 0)
        return 0;
    rc = umbra_alert_sign(&file, (const char *)data, size, sign_sk);
    if (rc == UMBRA_ERR_TOO_LONG)
        return 0;
    if (rc != 0 || file == NULL)
        abort();
    rc = umbra_alert_parse(&a, file, strlen(file), &bundle);
    if (rc == UMBRA_ERR_SIGNATURE && strcmp(a.why, "other_org") == 0) {
        /* well formed and well signed, in another organisation's name */
        free(file);
        return 0;
    }
    if (rc != 0)
        abort();
    check_accepted(&a);
    umbra_alert_free(&a);
    free(file);
    return 0;
}
