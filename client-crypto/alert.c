/* SPDX-License-Identifier: AGPL-3.0-or-later */
/* alert: check, sign, parse and verify the alert file (see alert.h). */
#include "alert.h"

#include "bundle.h"

#include <jansson.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define B64_32 sodium_base64_ENCODED_LEN(32, sodium_base64_VARIANT_ORIGINAL)
#define B64_64 sodium_base64_ENCODED_LEN(64, sodium_base64_VARIANT_ORIGINAL)
#define PREFIX_LEN (sizeof(UMBRA_ALERT_PREFIX) - 1)

const char *const umbra_alert_langs[] = {
    "en", "es", "pt-BR", "fr", "ro", "bg", "ru", "uk",
    "zh-CN", "th", "vi", "ar", NULL};

static const char *const levels[] = {"info", "warning", "danger", NULL};
static const char *const id_kinds[] = {"phone", "plate", "handle", "place",
                                       NULL};
static const char *const alert_keys[] = {
    "org",    "id",     "kind",        "issued", "expires",
    "level",  "area",   "period",      "identifiers", "texts", NULL};
static const char *const withdrawal_keys[] = {"org", "id", "kind", "issued",
                                              "withdraws", NULL};
static const char *const outer_keys[] = {"format", "alert", "signer",
                                         "signature", NULL};
static const char *const area_keys[] = {"country", "region", NULL};
static const char *const period_keys[] = {"from", "to", NULL};
static const char *const ident_keys[] = {"kind", "value", NULL};
static const char *const text_keys[] = {"lang", "title", "body", NULL};

long
umbra_alert_day(const char *s)
{
    long y, m, d, era, yoe, doy, doe;

    if (s == NULL || !umbra_date_valid(s, strnlen(s, 11)))
        return -1;
    y = umbra_digits_value(s, 4);
    m = umbra_digits_value(s + 5, 2);
    d = umbra_digits_value(s + 8, 2);
    /* days from civil (H. Hinnant), y >= 1970 so no negative eras */
    y -= m <= 2;
    era = y / 400;
    yoe = y - era * 400;
    doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

void
umbra_alert_date(char out[11], long z)
{
    long era, doe, yoe, y, doy, mp, d, m;

    if (z < 0 || z > 2932896) /* 9999-12-31 */
        z = 0;
    z += 719468;
    era = z / 146097;
    doe = z - era * 146097;
    yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    y = yoe + era * 400;
    doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    mp = (5 * doy + 2) / 153;
    d = doy - (153 * mp + 2) / 5 + 1;
    m = mp < 10 ? mp + 3 : mp - 9;
    y += m <= 2;
    {
        char tmp[40];

        snprintf(tmp, sizeof(tmp), "%04d-%02d-%02d", (int)(y % 10000),
                 (int)(m % 100), (int)(d % 100));
        memcpy(out, tmp, 10);
        out[10] = '\0';
    }
}

/* the string member key of o, or NULL */
static const char *
jstr(const json_t *o, const char *key)
{
    size_t len;

    return umbra_json_str(o, key, &len);
}

/* index of s in the NULL-ended list, or -1 */
static int
in_list(const char *const *list, const char *s)
{
    int i;

    for (i = 0; list[i] != NULL; i++)
        if (strcmp(list[i], s) == 0)
            return i;
    return -1;
}

/* 1 if every member of o is named in keys, else 0 */
static int
only_keys(json_t *o, const char *const *keys)
{
    const char *k;
    json_t *v;

    json_object_foreach(o, k, v) {
        (void)v;
        if (in_list(keys, k) < 0)
            return 0;
    }
    return 1;
}

/*
 * The length in UTF-16 units of the valid UTF-8 s[0..n), or SIZE_MAX if
 * it holds a control character (other than '\n' when nl) or DEL.
 */
static size_t
text_units(const char *s, size_t n, int nl)
{
    size_t i = 0, units = 0, k;
    uint32_t cp;

    while (i < n) {
        k = umbra_utf8_decode(&cp, (const uint8_t *)s + i, n - i);
        if (k == 0 || ((cp < 0x20 || cp == 0x7f) && !(nl && cp == '\n')))
            return SIZE_MAX;
        units += cp >= 0x10000 ? 2 : 1;
        i += k;
    }
    return units;
}

/* the string member key of o, of 1..max UTF-16 units, else NULL */
static const char *
text_of(const json_t *o, const char *key, size_t max, int nl)
{
    size_t len, units;
    const char *s = umbra_json_str(o, key, &len);

    if (s == NULL || len == 0 || strlen(s) != len)
        return NULL;
    units = text_units(s, len, nl);
    return units >= 1 && units <= max ? s : NULL;
}

/* the member key of o if it is a valid date, else NULL */
static const char *
date_of(const json_t *o, const char *key)
{
    size_t len;
    const char *s = umbra_json_str(o, key, &len);

    return s != NULL && umbra_date_valid(s, len) ? s : NULL;
}

static int
id_valid(const char *s)
{
    size_t i;

    if (s == NULL || strlen(s) != 32)
        return 0;
    for (i = 0; i < 32; i++)
        if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
            return 0;
    return 1;
}

#define REFUSE(w)                                                              \
    do {                                                                       \
        *why = (w);                                                            \
        return UMBRA_ERR_FORMAT;                                               \
    } while (0)

/* area: country (two upper-case letters), region (optional, 1..100) */
static int
check_area(json_t *area, const char **why)
{
    const char *c;
    size_t len;

    if (!json_is_object(area) || !only_keys(area, area_keys))
        REFUSE("area");
    c = umbra_json_str(area, "country", &len);
    if (c == NULL || len != 2 || c[0] < 'A' || c[0] > 'Z' || c[1] < 'A' ||
        c[1] > 'Z')
        REFUSE("area.country");
    if (json_object_get(area, "region") != NULL &&
        text_of(area, "region", UMBRA_ALERT_REGION_MAX, 0) == NULL)
        REFUSE("area.region");
    return 0;
}

/* period: from a Monday to a Sunday, at most 26 weeks, from <= issued */
static int
check_period(json_t *p, long issued, const char **why)
{
    long from, to;

    if (!json_is_object(p) || !only_keys(p, period_keys))
        REFUSE("period");
    from = umbra_alert_day(date_of(p, "from"));
    to = umbra_alert_day(date_of(p, "to"));
    /* 1970-01-01 was a Thursday: day d is a Monday when (d + 3) % 7 == 0 */
    if (from < 0 || (from + 3) % 7 != 0)
        REFUSE("period.from");
    if (to < 0 || (to + 3) % 7 != 6 || to < from)
        REFUSE("period.to");
    if (to - from + 1 > UMBRA_ALERT_PERIOD_MAX_DAYS)
        REFUSE("period.length");
    if (from > issued)
        REFUSE("period.after_issued");
    return 0;
}

static int
check_identifiers(json_t *ids, const char **why)
{
    size_t i;
    json_t *e;
    const char *k;

    if (!json_is_array(ids) || json_array_size(ids) > UMBRA_ALERT_MAX_IDENTIFIERS)
        REFUSE("identifiers");
    json_array_foreach(ids, i, e) {
        if (!json_is_object(e) || !only_keys(e, ident_keys))
            REFUSE("identifiers");
        k = jstr(e, "kind");
        if (k == NULL || in_list(id_kinds, k) < 0)
            REFUSE("identifiers.kind");
        if (text_of(e, "value", UMBRA_ALERT_ID_VALUE_MAX, 0) == NULL)
            REFUSE("identifiers.value");
    }
    return 0;
}

static int
check_texts(json_t *texts, const char **why)
{
    size_t i;
    json_t *e;
    const char *lang;
    int seen[UMBRA_ALERT_MAX_TEXTS] = {0}, li;

    if (!json_is_array(texts) || json_array_size(texts) < 1 ||
        json_array_size(texts) > UMBRA_ALERT_MAX_TEXTS)
        REFUSE("texts");
    json_array_foreach(texts, i, e) {
        if (!json_is_object(e) || !only_keys(e, text_keys))
            REFUSE("texts");
        lang = jstr(e, "lang");
        li = lang != NULL ? in_list(umbra_alert_langs, lang) : -1;
        if (li < 0)
            REFUSE("texts.lang");
        if (seen[li])
            REFUSE("texts.lang_twice");
        seen[li] = 1;
        if (text_of(e, "title", UMBRA_ALERT_TITLE_MAX, 0) == NULL)
            REFUSE("texts.title");
        if (text_of(e, "body", UMBRA_ALERT_BODY_MAX, 1) == NULL)
            REFUSE("texts.body");
    }
    return 0;
}

/* Checks the inner object o; fills the view in a (may be NULL). */
static int
check_inner(json_t *o, struct umbra_alert *a, const char **why)
{
    const char *org, *id, *kind, *issued_s, *s;
    size_t len;
    long issued, expires;
    int rc;

    if (!json_is_object(o))
        REFUSE("alert");
    org = umbra_json_str(o, "org", &len);
    if (org == NULL || !umbra_slug_valid(org, len))
        REFUSE("org");
    id = jstr(o, "id");
    if (!id_valid(id))
        REFUSE("id");
    kind = jstr(o, "kind");
    issued_s = date_of(o, "issued");
    if (kind == NULL || issued_s == NULL)
        REFUSE(kind == NULL ? "kind" : "issued");
    issued = umbra_alert_day(issued_s);
    if (a != NULL) {
        memcpy(a->org, org, len + 1);
        memcpy(a->id, id, 33);
        memcpy(a->issued, issued_s, 11);
    }
    if (strcmp(kind, "withdrawal") == 0) {
        if (!only_keys(o, withdrawal_keys))
            REFUSE("unknown_member");
        s = jstr(o, "withdraws");
        if (!id_valid(s) || strcmp(s, id) == 0)
            REFUSE("withdraws");
        if (a != NULL) {
            a->kind = UMBRA_ALERT_WITHDRAWAL;
            memcpy(a->withdraws, s, 33);
        }
        return 0;
    }
    if (strcmp(kind, "alert") != 0)
        REFUSE("kind");
    if (!only_keys(o, alert_keys))
        REFUSE("unknown_member");
    s = date_of(o, "expires");
    expires = umbra_alert_day(s);
    if (expires < 0)
        REFUSE("expires");
    if (expires <= issued || expires - issued > UMBRA_ALERT_MAX_DAYS)
        REFUSE("expires.range");
    if (a != NULL) {
        a->kind = UMBRA_ALERT_ALERT;
        memcpy(a->expires, s, 11);
    }
    s = jstr(o, "level");
    if (s == NULL || in_list(levels, s) < 0)
        REFUSE("level");
    if (a != NULL)
        snprintf(a->level, sizeof(a->level), "%s", s);
    if ((rc = check_area(json_object_get(o, "area"), why)) != 0 ||
        (rc = check_period(json_object_get(o, "period"), issued, why)) != 0)
        return rc;
    if (json_object_get(o, "identifiers") != NULL &&
        (rc = check_identifiers(json_object_get(o, "identifiers"), why)) != 0)
        return rc;
    return check_texts(json_object_get(o, "texts"), why);
}

#undef REFUSE

/* The inner JSON text parsed (NULL with *why set if it is not JSON). */
static json_t *
load_inner(const char *s, size_t len, const char **why)
{
    json_error_t jerr;
    json_t *o;

    if (!umbra_json_depth_ok((const uint8_t *)s, len, 8)) {
        *why = "alert.depth";
        return NULL;
    }
    o = json_loadb(s, len, JSON_REJECT_DUPLICATES, &jerr);
    if (o == NULL)
        *why = "alert.json";
    return o;
}

int
umbra_alert_check(const char *alert_json, size_t len, const char **why)
{
    const char *w = "ok";
    json_t *o;
    int rc;

    if (alert_json == NULL)
        return UMBRA_ERR_ARG;
    if (len > UMBRA_ALERT_MAX_BYTES) {
        rc = UMBRA_ERR_TOO_LONG;
        w = "too_big";
    } else if ((o = load_inner(alert_json, len, &w)) == NULL) {
        rc = UMBRA_ERR_FORMAT;
    } else {
        rc = check_inner(o, NULL, &w);
        json_decref(o);
    }
    if (why != NULL)
        *why = w;
    return rc;
}

int
umbra_alert_sign(char **out, const char *alert_json, size_t len,
                 const uint8_t sign_sk[64])
{
    char spk[B64_32], sig64[B64_64], *text = NULL;
    uint8_t sig[64];
    json_t *root = NULL;
    int rc;

    if (out == NULL)
        return UMBRA_ERR_ARG;
    *out = NULL;
    if (alert_json == NULL || sign_sk == NULL)
        return UMBRA_ERR_ARG;
    rc = umbra_alert_check(alert_json, len, NULL);
    if (rc != 0)
        return rc;
    /* the file holds the string too: leave room for its escaping */
    if (len > UMBRA_ALERT_MAX_BYTES / 2)
        return UMBRA_ERR_TOO_LONG;
    text = malloc(PREFIX_LEN + len);
    if (text == NULL)
        return UMBRA_ERR_NOMEM;
    memcpy(text, UMBRA_ALERT_PREFIX, PREFIX_LEN);
    memcpy(text + PREFIX_LEN, alert_json, len);
    rc = crypto_sign_detached(sig, NULL, (const uint8_t *)text,
                              PREFIX_LEN + len, sign_sk) == 0
             ? 0
             : UMBRA_ERR_CRYPTO;
    free(text);
    if (rc != 0)
        return rc;
    umbra_b64(spk, sizeof(spk), sign_sk + 32, 32);
    umbra_b64(sig64, sizeof(sig64), sig, 64);
    root = json_pack("{s:s, s:s%, s:s, s:s}", "format", UMBRA_ALERT_FORMAT,
                     "alert", alert_json, len, "signer", spk, "signature",
                     sig64);
    if (root == NULL)
        return UMBRA_ERR_NOMEM;
    *out = json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    json_decref(root);
    if (*out == NULL)
        return UMBRA_ERR_NOMEM;
    if (strlen(*out) > UMBRA_ALERT_MAX_BYTES) {
        free(*out);
        *out = NULL;
        return UMBRA_ERR_TOO_LONG;
    }
    return 0;
}

/* Whether b lets pk sign alerts; its name for the signer into name. */
static int
signer_allowed(const struct umbra_bundle *b, const uint8_t pk[32],
               char name[UMBRA_MEMBER_NAME_MAX + 1])
{
#ifdef UMBRA_MAY_ALERTS
    const struct umbra_signer *s = umbra_bundle_signer(b, pk, UMBRA_MAY_ALERTS);

    if (s == NULL)
        return 0;
    snprintf(name, UMBRA_MEMBER_NAME_MAX + 1, "%s", s->name);
#else
    /* a bundle without signers: only the organisation's signing key */
    if (sodium_memcmp(pk, b->sign_pk, 32) != 0)
        return 0;
    snprintf(name, UMBRA_MEMBER_NAME_MAX + 1, "%s", b->org);
#endif
    return 1;
}

void
umbra_alert_free(struct umbra_alert *a)
{
    if (a == NULL)
        return;
    json_decref(a->json);
    memset(a, 0, sizeof(*a));
}

/* The signature of the outer object o over the prefix and s[0..len). */
static int
check_signature(const json_t *o, const char *s, size_t len,
                const uint8_t pk[32])
{
    char *text = malloc(PREFIX_LEN + len + 1);
    int rc;

    if (text == NULL)
        return UMBRA_ERR_NOMEM;
    memcpy(text, UMBRA_ALERT_PREFIX, PREFIX_LEN);
    memcpy(text + PREFIX_LEN, s, len);
    rc = umbra_json_signed(o, text, PREFIX_LEN + len, pk);
    free(text);
    return rc;
}

int
umbra_alert_parse(struct umbra_alert *a, const char *text, size_t len,
                  const struct umbra_bundle *b)
{
    json_t *root = NULL, *inner = NULL;
    json_error_t jerr;
    const char *s, *why = "ok";
    size_t slen;
    int rc = UMBRA_ERR_VERSION;

    if (a == NULL)
        return UMBRA_ERR_ARG;
    memset(a, 0, sizeof(*a));
    a->why = "arg";
    if (text == NULL || b == NULL)
        return UMBRA_ERR_ARG;
    if (len > UMBRA_ALERT_MAX_BYTES) {
        a->why = "too_big";
        return UMBRA_ERR_TOO_LONG;
    }
    why = "not_alert_file";
    if (!umbra_json_depth_ok((const uint8_t *)text, len, 4))
        goto out;
    root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
    if (!json_is_object(root))
        goto out;
    s = umbra_json_str(root, "format", &slen);
    if (s == NULL || strcmp(s, UMBRA_ALERT_FORMAT) != 0)
        goto out;
    rc = UMBRA_ERR_FORMAT;
    why = "unknown_member";
    if (!only_keys(root, outer_keys))
        goto out;
    why = "signer";
    s = umbra_json_str(root, "signer", &slen);
    if (s == NULL || umbra_unb64(a->signer, 32, s, slen) != 0)
        goto out;
    why = "alert";
    s = umbra_json_str(root, "alert", &slen);
    if (s == NULL)
        goto out;
    inner = load_inner(s, slen, &why);
    if (inner == NULL)
        goto out;
    rc = check_inner(inner, a, &why);
    if (rc != 0)
        goto out;
    rc = check_signature(root, s, slen, a->signer);
    if (rc != 0) {
        why = rc == UMBRA_ERR_SIGNATURE ? "signature" : "signature.format";
        goto out;
    }
    rc = UMBRA_ERR_SIGNATURE;
    why = "signer_not_allowed";
    if (!signer_allowed(b, a->signer, a->signer_name))
        goto out;
    why = "other_org";
    if (strcmp(a->org, b->org) != 0)
        goto out;
    why = "ok";
    rc = 0;
    a->json = inner;
    inner = NULL;
out:
    json_decref(inner);
    json_decref(root);
    if (rc != 0)
        memset(a, 0, sizeof(*a));
    a->why = why;
    return rc;
}
