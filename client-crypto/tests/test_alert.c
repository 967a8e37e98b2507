/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * Unit tests for the alert file (protocol section "Alerts", alert.c): the
 * round trip of an alert and a withdrawal, the signed bytes, and every
 * refusal with its error code and rule word: the size cap (before any
 * parsing), not an alert file, unknown members, each field of the inner
 * alert and its cap (UTF-16 units, as the form counts), the dates
 * (expires after issued and within 365 days, the period from a Monday to
 * a Sunday, at most 26 weeks, not after issued), an edited byte, a
 * signature by a key the bundle does not list, another organisation's
 * bundle; and the day arithmetic.
 */
#include "alert.h"
#include "bundle.h"
#include "check.h"

#include <jansson.h>

static const char base_alert[] =
    "{\"org\": \"demo\", \"id\": \"00112233445566778899aabbccddeeff\", "
    "\"kind\": \"alert\", \"issued\": \"2026-01-15\", "
    "\"expires\": \"2026-04-15\", \"level\": \"danger\", "
    "\"area\": {\"country\": \"TH\", \"region\": \"Bangkok\"}, "
    "\"period\": {\"from\": \"2026-01-05\", \"to\": \"2026-01-11\"}, "
    "\"identifiers\": [{\"kind\": \"phone\", \"value\": \"+66 81 *** **67\"}],"
    " \"texts\": [{\"lang\": \"th\", \"title\": \"\xe0\xb8\x8a\xe0\xb8\xb2"
    "\xe0\xb8\xa2\", \"body\": \"line one\\nline two\"}, "
    "{\"lang\": \"en\", \"title\": \"A man\", \"body\": \"Robbery.\"}]}";

static struct umbra_org_keys *org, *other;
static struct umbra_bundle bundle, other_bundle;

static void
setup(void)
{
    char *json = NULL;

    if (org != NULL)
        return;
    if (umbra_org_keys_new(&org, "demo") != 0 ||
        umbra_org_keys_new(&other, "other") != 0 ||
        umbra_bundle_export(&json, org) != 0 ||
        umbra_bundle_parse(&bundle, json, strlen(json)) != 0)
        abort();
    free(json);
    if (umbra_bundle_export(&json, other) != 0 ||
        umbra_bundle_parse(&other_bundle, json, strlen(json)) != 0)
        abort();
    free(json);
}

/*
 * base_alert with the member at path ("texts.0.title": objects by key,
 * arrays by index) set to the JSON text v (NULL: removed); malloc'd.
 */
static char *
edited(const char *path, const char *v)
{
    json_t *root = json_loads(base_alert, JSON_PRESERVE_ORDER, NULL);
    json_t *cur = root, *val = NULL;
    char p[128], *seg, *next;
    char *out;

    if (root == NULL)
        abort();
    snprintf(p, sizeof(p), "%s", path);
    seg = p;
    for (;;) {
        next = strchr(seg, '.');
        if (next != NULL)
            *next = '\0';
        if (next == NULL)
            break;
        cur = json_is_array(cur) ? json_array_get(cur, strtoul(seg, NULL, 10))
                                 : json_object_get(cur, seg);
        seg = next + 1;
    }
    if (v != NULL) {
        val = json_loads(v, JSON_DECODE_ANY | JSON_ALLOW_NUL, NULL);
        if (val == NULL)
            abort();
    }
    if (json_is_array(cur)) {
        if (v == NULL)
            json_array_remove(cur, strtoul(seg, NULL, 10));
        else
            json_array_set_new(cur, strtoul(seg, NULL, 10), val);
    } else if (v == NULL) {
        json_object_del(cur, seg);
    } else {
        json_object_set_new(cur, seg, val);
    }
    out = json_dumps(root, JSON_PRESERVE_ORDER | JSON_COMPACT);
    json_decref(root);
    return out;
}

/* The alert file of inner text s signed with sk, built without the
 * library's checks (to feed the parser what umbra_alert_sign refuses). */
static char *
raw_file(const char *s, const uint8_t sk[64])
{
    size_t n = strlen(s), plen = strlen(UMBRA_ALERT_PREFIX);
    uint8_t *msg = malloc(plen + n), sig[64];
    char spk[64], sig64[100], *out;
    json_t *o;

    memcpy(msg, UMBRA_ALERT_PREFIX, plen);
    memcpy(msg + plen, s, n);
    crypto_sign_detached(sig, NULL, msg, plen + n, sk);
    free(msg);
    umbra_b64(spk, sizeof(spk), sk + 32, 32);
    umbra_b64(sig64, sizeof(sig64), sig, 64);
    o = json_pack("{s:s, s:s, s:s, s:s}", "format", UMBRA_ALERT_FORMAT,
                  "alert", s, "signer", spk, "signature", sig64);
    out = json_dumps(o, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    json_decref(o);
    return out;
}

static void
test_round_trip(void)
{
    struct umbra_alert a;
    char *file = NULL;
    json_t *o;

    setup();
    CHECK(umbra_alert_sign(&file, base_alert, strlen(base_alert),
                           org->sign_sk) == 0,
          "the base alert is signed");
    CHECK(umbra_alert_parse(&a, file, strlen(file), &bundle) == 0,
          "and verifies: %s", a.why);
    CHECK(strcmp(a.why, "ok") == 0, "why ok");
    CHECK(strcmp(a.org, "demo") == 0 && a.kind == UMBRA_ALERT_ALERT &&
              strcmp(a.id, "00112233445566778899aabbccddeeff") == 0 &&
              strcmp(a.issued, "2026-01-15") == 0 &&
              strcmp(a.expires, "2026-04-15") == 0 &&
              strcmp(a.level, "danger") == 0 && a.withdraws[0] == '\0',
          "the parsed view");
    CHECK(memcmp(a.signer, org->sign_pk, 32) == 0 &&
              strcmp(a.signer_name, "demo") == 0,
          "signer is the org key, named by the slug");
    CHECK(json_array_size(json_object_get(a.json, "texts")) == 2,
          "the inner JSON is kept");
    umbra_alert_free(&a);
    CHECK(a.json == NULL, "free clears");
    umbra_alert_free(NULL);
    /* the alert string is kept byte for byte in the file */
    o = json_loads(file, 0, NULL);
    CHECK(o != NULL && strcmp(json_string_value(json_object_get(o, "alert")),
                              base_alert) == 0,
          "alert string kept exactly");
    json_decref(o);
    free(file);
}

static void
test_withdrawal(void)
{
    static const char w[] =
        "{\"org\":\"demo\",\"id\":\"ffeeddccbbaa99887766554433221100\","
        "\"kind\":\"withdrawal\",\"issued\":\"2026-01-20\","
        "\"withdraws\":\"00112233445566778899aabbccddeeff\"}";
    struct umbra_alert a;
    char *file = NULL, *bad;

    setup();
    CHECK(umbra_alert_sign(&file, w, strlen(w), org->sign_sk) == 0,
          "a withdrawal is signed");
    CHECK(umbra_alert_parse(&a, file, strlen(file), &bundle) == 0 &&
              a.kind == UMBRA_ALERT_WITHDRAWAL &&
              strcmp(a.withdraws, "00112233445566778899aabbccddeeff") == 0 &&
              a.expires[0] == '\0',
          "and verifies as a withdrawal: %s", a.why);
    umbra_alert_free(&a);
    free(file);
    bad = raw_file("{\"org\":\"demo\",\"id\":\"ffeeddccbbaa99887766554433221100\","
                   "\"kind\":\"withdrawal\",\"issued\":\"2026-01-20\","
                   "\"withdraws\":\"ffeeddccbbaa99887766554433221100\"}",
                   org->sign_sk);
    CHECK(umbra_alert_parse(&a, bad, strlen(bad), &bundle) ==
                  UMBRA_ERR_FORMAT &&
              strcmp(a.why, "withdraws") == 0,
          "a withdrawal of itself is refused: %s", a.why);
    free(bad);
    bad = raw_file("{\"org\":\"demo\",\"id\":\"ffeeddccbbaa99887766554433221100\","
                   "\"kind\":\"withdrawal\",\"issued\":\"2026-01-20\","
                   "\"withdraws\":\"00112233445566778899aabbccddeeff\","
                   "\"level\":\"info\"}",
                   org->sign_sk);
    CHECK(umbra_alert_parse(&a, bad, strlen(bad), &bundle) ==
                  UMBRA_ERR_FORMAT &&
              strcmp(a.why, "unknown_member") == 0,
          "a withdrawal with an alert's member is refused: %s", a.why);
    free(bad);
}

/* 'x' repeated n times as a JSON string (or a 4-byte emoji when wide) */
static char *
long_string(size_t n, int wide)
{
    char *s = malloc(n * 4 + 3), *p = s;
    size_t i;

    *p++ = '"';
    for (i = 0; i < n; i++) {
        if (wide) {
            memcpy(p, "\xf0\x9f\x98\x80", 4);
            p += 4;
        } else {
            *p++ = 'x';
        }
    }
    *p++ = '"';
    *p = '\0';
    return s;
}

static void
test_inner_refusals(void)
{
    static const struct {
        const char *path, *value, *why;
    } cases[] = {
        {"org", "\"Demo!\"", "org"},
        {"org", NULL, "org"},
        {"id", "\"00112233445566778899AABBCCDDEEFF\"", "id"},
        {"id", "\"0011\"", "id"},
        {"kind", "\"warning\"", "kind"},
        {"kind", NULL, "kind"},
        {"issued", "\"2026-02-30\"", "issued"},
        {"expires", NULL, "expires"},
        {"expires", "\"2026-01-15\"", "expires.range"},
        {"expires", "\"2026-01-14\"", "expires.range"},
        {"expires", "\"2027-01-16\"", "expires.range"},
        {"level", "\"panic\"", "level"},
        {"level", "3", "level"},
        {"area", NULL, "area"},
        {"area.country", "\"th\"", "area.country"},
        {"area.country", "\"THA\"", "area.country"},
        {"area.region", "\"a\\u0007b\"", "area.region"},
        {"area.region", "\"\"", "area.region"},
        {"area.city", "\"Silom\"", "area"},
        {"period", NULL, "period"},
        {"period.from", "\"2026-01-06\"", "period.from"},
        {"period.to", "\"2026-01-10\"", "period.to"},
        {"period.to", "\"2025-12-28\"", "period.to"},
        {"period.from", "\"2025-07-07\"", "period.length"},
        {"period", "{\"from\": \"2026-01-19\", \"to\": \"2026-01-25\"}",
         "period.after_issued"},
        {"identifiers.0.kind", "\"email\"", "identifiers.kind"},
        {"identifiers.0.value", "\"\"", "identifiers.value"},
        {"identifiers.0.value", "\"a\\nb\"", "identifiers.value"},
        {"identifiers.0.extra", "1", "identifiers"},
        {"identifiers", "{}", "identifiers"},
        {"texts", "[]", "texts"},
        {"texts", NULL, "texts"},
        {"texts.0.lang", "\"de\"", "texts.lang"},
        {"texts.0.lang", "\"en\"", "texts.lang_twice"},
        {"texts.0.title", "\"\"", "texts.title"},
        {"texts.0.title", "\"tab\\there\"", "texts.title"},
        {"texts.0.title", "\"nl\\nhere\"", "texts.title"},
        {"texts.0.body", "\"bell\\u0007\"", "texts.body"},
        {"texts.0.body", NULL, "texts.body"},
        {"colour", "\"red\"", "unknown_member"},
    };
    size_t i;
    char *s, *file, *big;
    struct umbra_alert a;
    const char *why;

    setup();
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        s = edited(cases[i].path, cases[i].value);
        CHECK(umbra_alert_check(s, strlen(s), &why) == UMBRA_ERR_FORMAT &&
                  strcmp(why, cases[i].why) == 0,
              "%s = %s refused by the check as %s (got %s)", cases[i].path,
              cases[i].value ? cases[i].value : "(removed)", cases[i].why,
              why);
        file = NULL;
        CHECK(umbra_alert_sign(&file, s, strlen(s), org->sign_sk) ==
                      UMBRA_ERR_FORMAT &&
                  file == NULL,
              "%s: nothing signed", cases[i].path);
        file = raw_file(s, org->sign_sk);
        CHECK(umbra_alert_parse(&a, file, strlen(file), &bundle) ==
                      UMBRA_ERR_FORMAT &&
                  strcmp(a.why, cases[i].why) == 0 && a.json == NULL,
              "%s: refused by parse as %s (got %s)", cases[i].path,
              cases[i].why, a.why);
        free(file);
        free(s);
    }
    /* caps in UTF-16 units: 200 / 4000 accepted, one more refused; an
     * emoji counts two */
    {
        static const struct {
            const char *path;
            size_t max;
            int wide;
        } caps[] = {{"texts.0.title", 200, 0}, {"texts.0.title", 100, 1},
                    {"texts.0.body", 4000, 0}, {"area.region", 100, 0},
                    {"identifiers.0.value", 100, 0}};
        for (i = 0; i < sizeof(caps) / sizeof(caps[0]); i++) {
            big = long_string(caps[i].max, caps[i].wide);
            s = edited(caps[i].path, big);
            CHECK(umbra_alert_check(s, strlen(s), &why) == 0,
                  "%s at its cap accepted (%s)", caps[i].path, why);
            free(s);
            free(big);
            big = long_string(caps[i].max + 1, caps[i].wide);
            s = edited(caps[i].path, big);
            CHECK(umbra_alert_check(s, strlen(s), &why) == UMBRA_ERR_FORMAT,
                  "%s over its cap refused", caps[i].path);
            free(s);
            free(big);
        }
    }
    /* 10 identifiers, 12 texts at most */
    s = edited("identifiers", "[{\"kind\":\"plate\",\"value\":\"1\"},"
               "{\"kind\":\"plate\",\"value\":\"2\"},{\"kind\":\"plate\",\"value\":\"3\"},"
               "{\"kind\":\"plate\",\"value\":\"4\"},{\"kind\":\"plate\",\"value\":\"5\"},"
               "{\"kind\":\"plate\",\"value\":\"6\"},{\"kind\":\"plate\",\"value\":\"7\"},"
               "{\"kind\":\"plate\",\"value\":\"8\"},{\"kind\":\"plate\",\"value\":\"9\"},"
               "{\"kind\":\"plate\",\"value\":\"10\"},{\"kind\":\"plate\",\"value\":\"11\"}]");
    CHECK(umbra_alert_check(s, strlen(s), &why) == UMBRA_ERR_FORMAT &&
              strcmp(why, "identifiers") == 0,
          "11 identifiers refused");
    free(s);
    s = edited("identifiers", NULL);
    CHECK(umbra_alert_check(s, strlen(s), &why) == 0,
          "no identifiers is fine");
    free(s);
    s = edited("area.region", NULL);
    CHECK(umbra_alert_check(s, strlen(s), &why) == 0, "no region is fine");
    free(s);
    CHECK(umbra_alert_check("[1,2]", 5, &why) == UMBRA_ERR_FORMAT &&
              strcmp(why, "alert") == 0,
          "an array is not an alert");
    CHECK(umbra_alert_check("{\"org\":1,\"org\":2}", 17, &why) ==
                  UMBRA_ERR_FORMAT &&
              strcmp(why, "alert.json") == 0,
          "duplicate members refused");
    CHECK(umbra_alert_check("[[[[[[[[[[]]]]]]]]]]", 20, &why) ==
                  UMBRA_ERR_FORMAT &&
              strcmp(why, "alert.depth") == 0,
          "deep nesting refused before parsing");
}

/* umbra_alert_parse against our bundle, in CHECK_CAP's shape */
static int
parse_ours(struct umbra_alert *a, const char *text, size_t len)
{
    int rc = umbra_alert_parse(a, text, len, &bundle);

    umbra_alert_free(a);
    return rc;
}

static void
test_outer_refusals(void)
{
    struct umbra_alert a;
    char *file = NULL, *p, *big;
    json_t *o;
    size_t n;

    setup();
    if (umbra_alert_sign(&file, base_alert, strlen(base_alert),
                         org->sign_sk) != 0)
        abort();
    /* an edited byte inside the alert string: "Bangkok" -> "Bangkoj" */
    p = strstr(file, "Bangkok");
    CHECK(p != NULL, "region in the file");
    p[6] = 'j';
    CHECK(umbra_alert_parse(&a, file, strlen(file), &bundle) ==
                  UMBRA_ERR_SIGNATURE &&
              strcmp(a.why, "signature") == 0 && a.json == NULL,
          "an edited byte breaks the signature: %s", a.why);
    p[6] = 'k';
    CHECK(umbra_alert_parse(&a, file, strlen(file), &bundle) == 0,
          "restored verifies");
    umbra_alert_free(&a);
    /* another organisation's bundle: its key is not the signer */
    CHECK(umbra_alert_parse(&a, file, strlen(file), &other_bundle) ==
                  UMBRA_ERR_SIGNATURE &&
              strcmp(a.why, "signer_not_allowed") == 0,
          "verified against another org's bundle: %s", a.why);
    free(file);
    /* signed by a key the bundle does not list (a removed member's) */
    file = raw_file(base_alert, other->sign_sk);
    CHECK(umbra_alert_parse(&a, file, strlen(file), &bundle) ==
                  UMBRA_ERR_SIGNATURE &&
              strcmp(a.why, "signer_not_allowed") == 0,
          "a key not in the bundle: %s", a.why);
    free(file);
    /* "org" of the other organisation, signed by it, shown our bundle */
    p = edited("org", "\"other\"");
    file = raw_file(p, other->sign_sk);
    CHECK(umbra_alert_parse(&a, file, strlen(file), &other_bundle) == 0,
          "other's own alert verifies against other's bundle");
    umbra_alert_free(&a);
    CHECK(umbra_alert_parse(&a, file, strlen(file), &bundle) ==
              UMBRA_ERR_SIGNATURE,
          "but not against ours");
    free(file);
    /* other's key signing an alert in our name, against its own bundle */
    file = raw_file(base_alert, other->sign_sk);
    CHECK(umbra_alert_parse(&a, file, strlen(file), &other_bundle) ==
                  UMBRA_ERR_SIGNATURE &&
              strcmp(a.why, "other_org") == 0,
          "org 'demo' under other's bundle: %s", a.why);
    free(file);
    free(p);
    /* outer shape */
    if (umbra_alert_sign(&file, base_alert, strlen(base_alert),
                         org->sign_sk) != 0)
        abort();
    o = json_loads(file, JSON_PRESERVE_ORDER, NULL);
    json_object_set_new(o, "note", json_string("x"));
    p = json_dumps(o, 0);
    CHECK(umbra_alert_parse(&a, p, strlen(p), &bundle) == UMBRA_ERR_FORMAT &&
              strcmp(a.why, "unknown_member") == 0,
          "unknown outer member refused");
    free(p);
    json_object_del(o, "note");
    json_object_set_new(o, "format", json_string("umbra.alert/2"));
    p = json_dumps(o, 0);
    CHECK(umbra_alert_parse(&a, p, strlen(p), &bundle) == UMBRA_ERR_VERSION,
          "another format refused");
    free(p);
    json_object_set_new(o, "format", json_string(UMBRA_ALERT_FORMAT));
    json_object_set_new(o, "signature", json_string("AAAA"));
    p = json_dumps(o, 0);
    CHECK(umbra_alert_parse(&a, p, strlen(p), &bundle) == UMBRA_ERR_FORMAT,
          "malformed signature refused");
    free(p);
    json_object_set_new(o, "signer", json_string("not base64"));
    p = json_dumps(o, 0);
    CHECK(umbra_alert_parse(&a, p, strlen(p), &bundle) == UMBRA_ERR_FORMAT &&
              strcmp(a.why, "signer") == 0,
          "malformed signer refused");
    free(p);
    json_decref(o);
    CHECK(umbra_alert_parse(&a, "not json", 8, &bundle) == UMBRA_ERR_VERSION,
          "not JSON");
    CHECK(umbra_alert_parse(&a, file, strlen(file), NULL) == UMBRA_ERR_ARG,
          "no bundle");
    /* the 64 KiB cap, checked before parsing: padding with spaces */
    n = strlen(file);
    big = malloc(UMBRA_ALERT_MAX_BYTES + 2);
    memcpy(big, file, n);
    memset(big + n, ' ', UMBRA_ALERT_MAX_BYTES + 1 - n);
    CHECK_CAP(parse_ours, &a, big, UMBRA_ALERT_MAX_BYTES);
    big[0] = '[';
    CHECK(umbra_alert_parse(&a, big, UMBRA_ALERT_MAX_BYTES + 1, &bundle) ==
                  UMBRA_ERR_TOO_LONG &&
              strcmp(a.why, "too_big") == 0,
          "over the cap refused before parsing");
    free(big);
    free(file);
}

/* spec-team A: a member the bundle lists for alerts may sign; one listed
 * for events only, or no longer listed, may not */
static void
test_signers(void)
{
    struct umbra_org_keys *ana = NULL, *ben = NULL;
    struct umbra_signer g[2];
    struct umbra_bundle b;
    struct umbra_alert a;
    char *json = NULL, *file;

    setup();
    if (umbra_org_keys_new(&ana, "demo") != 0 ||
        umbra_org_keys_new(&ben, "demo") != 0)
        abort();
    memset(g, 0, sizeof g);
    snprintf(g[0].name, sizeof g[0].name, "Ana");
    memcpy(g[0].sign_pk, ana->sign_pk, 32);
    g[0].may = UMBRA_MAY_ALERTS | UMBRA_MAY_EVENTS;
    snprintf(g[1].name, sizeof g[1].name, "Ben");
    memcpy(g[1].sign_pk, ben->sign_pk, 32);
    g[1].may = UMBRA_MAY_EVENTS;
    if (umbra_bundle_export_full(&json, org, org->enc, org->nkeys, 2, g, 2) !=
            0 ||
        umbra_bundle_parse(&b, json, strlen(json)) != 0)
        abort();
    free(json);
    file = raw_file(base_alert, ana->sign_sk);
    CHECK(umbra_alert_parse(&a, file, strlen(file), &b) == 0 &&
              strcmp(a.signer_name, "Ana") == 0,
          "a signer allowed alerts signs: %s", a.why);
    umbra_alert_free(&a);
    CHECK(umbra_alert_parse(&a, file, strlen(file), &bundle) ==
                  UMBRA_ERR_SIGNATURE &&
              strcmp(a.why, "signer_not_allowed") == 0,
          "the same alert against a bundle without her: refused");
    free(file);
    file = raw_file(base_alert, ben->sign_sk);
    CHECK(umbra_alert_parse(&a, file, strlen(file), &b) ==
                  UMBRA_ERR_SIGNATURE &&
              strcmp(a.why, "signer_not_allowed") == 0,
          "a signer allowed events only: refused (%s)", a.why);
    free(file);
    file = raw_file(base_alert, org->sign_sk);
    CHECK(umbra_alert_parse(&a, file, strlen(file), &b) == 0 &&
              strcmp(a.signer_name, "demo") == 0,
          "the organisation's own key still signs");
    umbra_alert_free(&a);
    free(file);
    umbra_org_keys_free(ana);
    umbra_org_keys_free(ben);
}

static void
test_days(void)
{
    char d[11];
    long i;

    CHECK(umbra_alert_day("1970-01-01") == 0, "epoch");
    CHECK(umbra_alert_day("2026-01-15") == 20468, "2026-01-15");
    CHECK(umbra_alert_day("2024-03-01") - umbra_alert_day("2024-02-28") == 2,
          "leap day counted");
    CHECK(umbra_alert_day("2026-02-29") == -1, "not a date");
    CHECK(umbra_alert_day(NULL) == -1, "NULL");
    for (i = 0; i < 40000; i += 37) {
        umbra_alert_date(d, i);
        if (umbra_alert_day(d) != i)
            break;
    }
    CHECK(i >= 40000, "day -> date -> day round trip (stopped at %ld)", i);
}

static void
teardown(void)
{
    umbra_org_keys_free(org);
    umbra_org_keys_free(other);
}

CHECK_MAIN(test_round_trip, test_withdrawal, test_inner_refusals,
           test_outer_refusals, test_signers, test_days, teardown)
