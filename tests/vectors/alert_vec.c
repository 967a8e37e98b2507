/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * alert_vec: the known-answer vectors of the alert file (protocol section
 * "Alerts"), tests/vectors/alert.json, written by umbra-vec gen. Two
 * organisations with fixed keys (Ed25519 seeds BLAKE2b-256 of "alert
 * vector demo" / "alert vector other" / "alert vector member"); each case
 * is an alert file, the bundle it is checked against, and the verdict of
 * umbra_alert_parse: its error name (null when valid) and rule word. The
 * Python checker (pyalert.py) and the browser's verifier (alerts.js)
 * reach the same verdicts on their own.
 */
#include "alert_vec.h"

#include "alert.h"
#include "bundle.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ALERT_ID "5f1d2a7c9e3b4d6f8a0c1e2b3d4f5a6b"

static const char inner_alert[] =
    "{\"org\": \"demo\", \"id\": \"" ALERT_ID "\", \"kind\": \"alert\", "
    "\"issued\": \"2026-01-15\", \"expires\": \"2026-04-15\", "
    "\"level\": \"danger\", "
    "\"area\": {\"country\": \"TH\", \"region\": \"Bangkok\"}, "
    "\"period\": {\"from\": \"2026-01-05\", \"to\": \"2026-01-11\"}, "
    "\"identifiers\": [{\"kind\": \"phone\", \"value\": \"+66 81 *** **67\"}, "
    "{\"kind\": \"plate\", \"value\": \"1\xe0\xb8\x81\xe0\xb8\x82 **34\"}], "
    "\"texts\": [{\"lang\": \"th\", \"title\": \"\xe0\xb8\xa3\xe0\xb8\x96"
    "\xe0\xb8\x81\xe0\xb8\xa3\xe0\xb8\xb0\xe0\xb8\x9a\xe0\xb8\xb0\xe0\xb8"
    "\x9a\xe0\xb8\xa3\xe0\xb8\xb0\xe0\xb8\x9a\xe0\xb8\xb0\", \"body\": "
    "\"\xe0\xb8\x8a\xe0\xb8\xb2\xe0\xb8\xa2\xe0\xb8\x82\xe0\xb8\xb1\xe0\xb8"
    "\x9a\xe0\xb8\xa3\xe0\xb8\x96\\n\xe0\xb8\xa3\xe0\xb8\xb0\xe0\xb8\xa7"
    "\xe0\xb8\xb1\xe0\xb8\x87\"}, "
    "{\"lang\": \"ar\", \"title\": \"\xd8\xaa\xd8\xad\xd8\xb0\xd9\x8a\xd8\xb1\","
    " \"body\": \"\xd8\xb1\xd8\xac\xd9\x84 \xd9\x8a\xd8\xb3\xd8\xb1\xd9\x82.\"},"
    " {\"lang\": \"en\", \"title\": \"A driver who robs\", "
    "\"body\": \"A man posing as a client robbed two workers.\\n"
    "Do not get into a car with this plate.\"}]}";

static const char inner_withdrawal[] =
    "{\"org\": \"demo\", \"id\": \"a0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5\", "
    "\"kind\": \"withdrawal\", \"issued\": \"2026-01-20\", "
    "\"withdraws\": \"" ALERT_ID "\"}";

struct vorg {
    struct umbra_org_keys *k;
    char *bundle;
    struct umbra_bundle b;
};

static void
vorg_make(struct vorg *o, const char *slug, const char *label)
{
    uint8_t seed[32];

    if (umbra_org_keys_new(&o->k, slug) != 0)
        abort();
    crypto_generichash(seed, 32, (const uint8_t *)label, strlen(label), NULL,
                       0);
    crypto_sign_seed_keypair(o->k->sign_pk, o->k->sign_sk, seed);
    crypto_generichash(seed, 32, seed, 32, NULL, 0);
    crypto_scalarmult_base(o->k->enc[0].pk, seed);
    memcpy(o->k->enc_sk[0], seed, 32);
    umbra_key_id(o->k->enc[0].id, o->k->enc[0].pk);
    memcpy(o->k->created, "2026-01-15", 11);
    memcpy(o->k->enc[0].created, "2026-01-15", 11);
    if (umbra_bundle_export(&o->bundle, o->k) != 0 ||
        umbra_bundle_parse(&o->b, o->bundle, strlen(o->bundle)) != 0)
        abort();
}

static const char *
err_word(int rc)
{
    switch (rc) {
    case 0:
        return NULL;
    case UMBRA_ERR_TOO_LONG:
        return "too_long";
    case UMBRA_ERR_VERSION:
        return "version";
    case UMBRA_ERR_SIGNATURE:
        return "signature";
    default:
        return "format";
    }
}

/* inner[0..) signed with sk without the library's checks */
static char *
sign_raw(const char *inner, const uint8_t sk[64])
{
    size_t n = strlen(inner), plen = strlen(UMBRA_ALERT_PREFIX);
    uint8_t *msg = malloc(plen + n), sig[64];
    char spk[64], sig64[100], *out;
    json_t *o;

    if (msg == NULL)
        abort();
    memcpy(msg, UMBRA_ALERT_PREFIX, plen);
    memcpy(msg + plen, inner, n);
    crypto_sign_detached(sig, NULL, msg, plen + n, sk);
    free(msg);
    umbra_b64(spk, sizeof(spk), sk + 32, 32);
    umbra_b64(sig64, sizeof(sig64), sig, 64);
    o = json_pack("{s:s, s:s, s:s, s:s}", "format", UMBRA_ALERT_FORMAT,
                  "alert", inner, "signer", spk, "signature", sig64);
    out = json_dumps(o, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    json_decref(o);
    return out;
}

/* inner with the first occurrence of from replaced by to; malloc'd */
static char *
replaced(const char *inner, const char *from, const char *to)
{
    const char *p = strstr(inner, from);
    size_t n = strlen(inner), a, f = strlen(from), t = strlen(to);
    char *out = malloc(n - f + t + 1);

    if (p == NULL || out == NULL)
        abort();
    a = (size_t)(p - inner);
    memcpy(out, inner, a);
    memcpy(out + a, to, t);
    memcpy(out + a + t, p + f, n - a - f + 1);
    return out;
}

/* one case: file checked against org's bundle (pad_to: spaces appended) */
static json_t *
vcase(const char *name, const char *desc, const char *file,
      const struct vorg *against, const char *which, size_t pad_to)
{
    struct umbra_alert a;
    size_t n = strlen(file), len = pad_to > n ? pad_to : n;
    char *buf = malloc(len + 1);
    json_t *c;
    int rc;

    if (buf == NULL)
        abort();
    memcpy(buf, file, n);
    memset(buf + n, ' ', len - n);
    buf[len] = '\0';
    rc = umbra_alert_parse(&a, buf, len, &against->b);
    c = json_pack("{s:s, s:s, s:s, s:s, s:o, s:s}", "name", name,
                  "description", desc, "file", file, "bundle", which, "error",
                  err_word(rc) ? json_string(err_word(rc)) : json_null(),
                  "why", a.why);
    if (pad_to > 0)
        json_object_set_new(c, "pad_to", json_integer((json_int_t)pad_to));
    if (rc == 0) {
        json_object_set_new(c, "kind", json_string(a.kind == UMBRA_ALERT_ALERT
                                                       ? "alert"
                                                       : "withdrawal"));
        json_object_set_new(c, "id", json_string(a.id));
    }
    umbra_alert_free(&a);
    free(buf);
    return c;
}

json_t *
gen_alert(void)
{
    struct vorg demo, other, member, signers = {0};
    json_t *cases = json_array();
    char *f = NULL, *w = NULL, *s, *t;
    json_t *root;

    vorg_make(&demo, "demo", "alert vector demo");
    vorg_make(&other, "other", "alert vector other");
    vorg_make(&member, "demo", "alert vector member");
    if (umbra_alert_sign(&f, inner_alert, strlen(inner_alert),
                         demo.k->sign_sk) != 0 ||
        umbra_alert_sign(&w, inner_withdrawal, strlen(inner_withdrawal),
                         demo.k->sign_sk) != 0)
        abort();
    json_array_append_new(cases, vcase("alert", "a valid alert in three "
                                       "languages, signed with the "
                                       "organisation's key", f, &demo, "demo",
                                       0));
    json_array_append_new(cases, vcase("withdrawal", "a valid withdrawal of "
                                       "that alert", w, &demo, "demo", 0));
    s = replaced(f, "Bangkok", "Bangkoj");
    json_array_append_new(cases, vcase("edited byte", "one byte of the alert "
                                       "string changed after signing", s,
                                       &demo, "demo", 0));
    free(s);
    json_array_append_new(cases, vcase("other bundle", "the valid alert "
                                       "checked against another "
                                       "organisation's bundle", f, &other,
                                       "other", 0));
    s = sign_raw(inner_alert, other.k->sign_sk);
    json_array_append_new(cases, vcase("other org key", "an alert in demo's "
                                       "name signed by another "
                                       "organisation's key", s, &demo, "demo",
                                       0));
    json_array_append_new(cases, vcase("other org name", "the same, checked "
                                       "against the signer's own bundle: org "
                                       "is not its org", s, &other, "other",
                                       0));
    free(s);
    s = sign_raw(inner_alert, member.k->sign_sk);
    json_array_append_new(cases, vcase("removed signer", "signed by a key the "
                                       "current bundle does not list (a "
                                       "removed member's)", s, &demo, "demo",
                                       0));
    free(s);
    {
        /* demo's bundle naming two signers: Ana may sign alerts, Ben only
         * events (serial 2, as a re-signed bundle would be) */
        struct umbra_signer g[2];
        struct vorg ben;

        vorg_make(&ben, "demo", "alert vector ben");
        memset(g, 0, sizeof g);
        snprintf(g[0].name, sizeof g[0].name, "Ana");
        memcpy(g[0].sign_pk, member.k->sign_pk, 32);
        g[0].may = UMBRA_MAY_ALERTS;
        snprintf(g[1].name, sizeof g[1].name, "Ben");
        memcpy(g[1].sign_pk, ben.k->sign_pk, 32);
        g[1].may = UMBRA_MAY_EVENTS;
        if (umbra_bundle_export_full(&signers.bundle, demo.k, demo.k->enc, 1,
                                     2, g, 2) != 0 ||
            umbra_bundle_parse(&signers.b, signers.bundle,
                               strlen(signers.bundle)) != 0)
            abort();
        s = sign_raw(inner_alert, member.k->sign_sk);
        json_array_append_new(cases, vcase("member signer", "signed by Ana, "
                                           "whom the bundle allows to sign "
                                           "alerts", s, &signers, "signers",
                                           0));
        free(s);
        s = sign_raw(inner_alert, ben.k->sign_sk);
        json_array_append_new(cases, vcase("events-only signer", "signed by "
                                           "Ben, whom the bundle allows "
                                           "events only", s, &signers,
                                           "signers", 0));
        free(s);
        free(ben.bundle);
        umbra_org_keys_free(ben.k);
    }
    json_array_append_new(cases, vcase("too big", "the valid alert padded "
                                       "with spaces to 65,537 bytes: refused "
                                       "before parsing", f, &demo, "demo",
                                       UMBRA_ALERT_MAX_BYTES + 1));
    t = replaced(inner_alert, "2026-04-15", "2026-01-14");
    s = sign_raw(t, demo.k->sign_sk);
    json_array_append_new(cases, vcase("expires before issued", "expires "
                                       "the day before issued", s, &demo,
                                       "demo", 0));
    free(s);
    free(t);
    t = replaced(inner_alert, "2026-04-15", "2027-01-16");
    s = sign_raw(t, demo.k->sign_sk);
    json_array_append_new(cases, vcase("expires too late", "expires 366 days "
                                       "after issued", s, &demo, "demo", 0));
    free(s);
    free(t);
    t = replaced(inner_alert, "2026-01-05", "2026-01-06");
    s = sign_raw(t, demo.k->sign_sk);
    json_array_append_new(cases, vcase("period not a Monday", "the period "
                                       "starts on a Tuesday", s, &demo, "demo",
                                       0));
    free(s);
    free(t);
    t = replaced(inner_alert, "\"issued\": \"2026-01-15\"",
                 "\"issued\": \"2026-02-30\"");
    s = sign_raw(t, demo.k->sign_sk);
    json_array_append_new(cases, vcase("bad issued", "issued is not a "
                                       "calendar date", s, &demo, "demo", 0));
    free(s);
    free(t);
    root = json_pack("{s:s, s:s, s:s, s:s, s:s, s:o}", "description",
                     "alert files (protocol section Alerts): the signature "
                     "covers prefix followed by the bytes of the alert "
                     "string; each case gives the bundle it is checked "
                     "against (demo, other, or signers: demo's naming Ana "
                     "for alerts and Ben for events only), the error (null: "
                     "valid) and the rule word of umbra_alert_parse",
                     "prefix", UMBRA_ALERT_PREFIX, "demo", demo.bundle,
                     "other", other.bundle, "signers", signers.bundle,
                     "cases", cases);
    free(f);
    free(w);
    free(demo.bundle);
    free(other.bundle);
    free(member.bundle);
    free(signers.bundle);
    umbra_org_keys_free(demo.k);
    umbra_org_keys_free(other.k);
    umbra_org_keys_free(member.k);
    return root;
}

int
alert_cli(const char *bundle_path, const char *alert_path)
{
    char *bt = NULL, *at = NULL;
    size_t bl = 0, al = 0;
    struct umbra_bundle b;
    struct umbra_alert a;
    FILE *f;
    int rc = 1;

    f = fopen(bundle_path, "rb");
    if (f != NULL) {
        bt = malloc(UMBRA_BUNDLE_MAX_BYTES + 1);
        bl = bt != NULL ? fread(bt, 1, UMBRA_BUNDLE_MAX_BYTES + 1, f) : 0;
        fclose(f);
    }
    f = fopen(alert_path, "rb");
    if (f != NULL) {
        at = malloc(UMBRA_ALERT_MAX_BYTES + 2);
        al = at != NULL ? fread(at, 1, UMBRA_ALERT_MAX_BYTES + 2, f) : 0;
        fclose(f);
    }
    if (bt == NULL || at == NULL || umbra_bundle_parse(&b, bt, bl) != 0) {
        fprintf(stderr, "umbra-vec: cannot read the bundle or the alert\n");
    } else if ((rc = umbra_alert_parse(&a, at, al, &b)) != 0) {
        printf("refused %s %s\n", err_word(rc), a.why);
        rc = 1;
    } else {
        printf("ok %s %s\n",
               a.kind == UMBRA_ALERT_ALERT ? "alert" : "withdrawal", a.id);
        umbra_alert_free(&a);
    }
    free(bt);
    free(at);
    return rc;
}
