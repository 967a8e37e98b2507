/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * report: the rules of the report document that are not tables (the tables
 * are report_vocab.c, generated from report-vocab.json): the date and
 * language rules, the one builder (umbra_report_build, from a form's
 * fields) and the one reader (umbra_report_check, over json_scan's
 * tokens, with the reader's caps UMBRA_REPORT_CHECK_*).
 */
#include "json_scan.h"
#include "umbra.h"

#include <jansson.h>
#include <sodium.h>
#include <string.h>
#include <time.h>

int
umbra_report_code_index(const char *const *codes, size_t n, const char *s)
{
    size_t i;

    if (s == NULL)
        return -1;
    for (i = 0; i < n; i++)
        if (strcmp(codes[i], s) == 0)
            return (int)i;
    return -1;
}

int
umbra_report_date_valid(const char *s)
{
    static const int mdays[12] = {31, 28, 31, 30, 31, 30,
                                  31, 31, 30, 31, 30, 31};
    size_t n, i;
    int y, m, d, leap;
    char limit[11];
    struct tm tm;
    time_t t;

    if (s == NULL)
        return 0;
    n = strlen(s);
    if (n != 7 && n != 10)
        return 0;
    for (i = 0; i < n; i++) {
        if (i == 4 || i == 7) {
            if (s[i] != '-')
                return 0;
        } else if (s[i] < '0' || s[i] > '9') {
            return 0;
        }
    }
    y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 +
        (s[3] - '0');
    m = (s[5] - '0') * 10 + (s[6] - '0');
    if (m < 1 || m > 12)
        return 0;
    if (n == 10) {
        leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
        d = (s[8] - '0') * 10 + (s[9] - '0');
        if (d < 1 || d > mdays[m - 1] + (m == 2 && leap))
            return 0;
    }
    t = time(NULL) + 24 * 3600;
    if (gmtime_r(&t, &tm) == NULL ||
        strftime(limit, sizeof limit, "%Y-%m-%d", &tm) != 10)
        return 0;
    /* same length, zero-padded: the string order is the date order */
    return strncmp(s, limit, n) <= 0;
}

size_t
umbra_text_units(const char *s)
{
    size_t n = 0;

    for (; s != NULL && *s != '\0'; s++) {
        unsigned char c = (unsigned char)*s;

        if ((c & 0xc0) != 0x80)
            n += c >= 0xf0 ? 2 : 1; /* a 4-byte sequence is a UTF-16 pair */
    }
    return n;
}

/* 1 if s is given (not NULL, not ""). */
static int
given(const char *s)
{
    return s != NULL && s[0] != '\0';
}

static int
utf8_ok(const char *s)
{
    return s == NULL || umbra_utf8_valid((const uint8_t *)s, strlen(s));
}

static int
all_utf8(const struct umbra_report_fields *f)
{
    const char *const one[] = {f->lang,        f->via,        f->date,
                               f->country,     f->region,     f->place,
                               f->perpetrator, f->description, f->narrative};
    size_t i;

    for (i = 0; i < sizeof one / sizeof one[0]; i++)
        if (!utf8_ok(one[i]))
            return 0;
    for (i = 0; i < f->ncategories; i++)
        if (!utf8_ok(f->categories[i]))
            return 0;
    for (i = 0; i < f->nneeds; i++)
        if (!utf8_ok(f->needs[i]))
            return 0;
    for (i = 0; i < f->nperpetrators; i++)
        if (!utf8_ok(f->perpetrators[i]))
            return 0;
    for (i = 0; i < f->nids; i++)
        if (!utf8_ok(f->ids_kind[i]) || !utf8_ok(f->ids_value[i]))
            return 0;
    return 1;
}

/* Sets key to a new string (or a new value) in obj; -1 when out of
 * memory. */
static int
put(json_t *obj, const char *key, json_t *v)
{
    return v == NULL ? -1 : json_object_set_new(obj, key, v);
}

/* Appends each of codes[0..n) to array a, each one of the list's
 * vocab[0..nvocab); 1 with *code = bad when one is not, -1 when out of
 * memory. */
static int
add_codes(json_t *a, const char *const *codes, size_t n,
          const char *const *vocab, size_t nvocab, const char *bad,
          const char **code)
{
    size_t i;

    for (i = 0; i < n; i++) {
        if (umbra_report_code_index(vocab, nvocab, codes[i]) < 0) {
            *code = bad;
            return 1;
        }
        if (json_array_append_new(a, json_string(codes[i])) != 0)
            return -1;
    }
    return 0;
}

/* perpetrator.types (every chosen code, once, in the form's order) and
 * perpetrator.type (the first, for readers older than types) into perp;
 * 0, 1 with *code = bad_perpetrator, -1 when out of memory. f->perpetrator
 * alone counts as one chosen code. */
static int
add_perpetrators(json_t *perp, const struct umbra_report_fields *f,
                 const char **code)
{
    const char *const *v = f->perpetrators;
    size_t n = f->nperpetrators, i;
    uint32_t seen = 0;
    json_t *types;

    if (n == 0 && given(f->perpetrator)) {
        v = &f->perpetrator;
        n = 1;
    }
    types = json_array();
    if (types == NULL)
        return -1;
    for (i = 0; i < n; i++) {
        int k;

        if (!given(v[i]))
            continue;
        k = umbra_report_code_index(umbra_report_perpetrators,
                                    UMBRA_REPORT_NPERPETRATORS, v[i]);
        if (k < 0) {
            json_decref(types);
            *code = "bad_perpetrator";
            return 1;
        }
        if (seen & (1u << k))
            continue;
        seen |= 1u << k;
        if (json_array_append_new(types, json_string(v[i])) != 0) {
            json_decref(types);
            return -1;
        }
    }
    if (json_array_size(types) != 0 &&
        (json_object_set(perp, "type", json_array_get(types, 0)) != 0 ||
         json_object_set(perp, "types", types) != 0)) {
        json_decref(types);
        return -1;
    }
    json_decref(types);
    return 0;
}

struct json_t *
umbra_report_build(const struct umbra_report_fields *f, const char **code)
{
    return umbra_report_build_field(f, code, NULL);
}

/* Sets *code and, when field is not NULL, *field; for the goto out's. */
#define REFUSE(c, fld)                                                         \
    do {                                                                       \
        *code = (c);                                                           \
        if (field != NULL)                                                     \
            *field = (fld);                                                    \
    } while (0)

struct json_t *
umbra_report_build_field(const struct umbra_report_fields *f,
                         const char **code, const char **field)
{
    json_t *doc = NULL, *incident = NULL, *perp = NULL, *ids = NULL,
           *consent = NULL, *cats = NULL, *nds = NULL;
    size_t i;
    int rc = -1;

    REFUSE("internal", NULL);
    if (!all_utf8(f)) {
        REFUSE("bad_encoding", NULL);
        return NULL;
    }
    doc = json_object();
    incident = json_object();
    perp = json_object();
    ids = json_array();
    consent = json_object();
    cats = json_array();
    nds = json_array();
    if (doc == NULL || incident == NULL || perp == NULL || ids == NULL ||
        consent == NULL || cats == NULL || nds == NULL)
        goto out;
    if (put(doc, "schema", json_string(UMBRA_REPORT_SCHEMA)) != 0 ||
        put(doc, "via", json_string(given(f->via) ? f->via : "web")) != 0 ||
        put(doc, "lang", json_string(given(f->lang) ? f->lang : "en")) != 0)
        goto out;
    if (given(f->date)) {
        if (!umbra_report_date_valid(f->date)) {
            REFUSE("bad_date", "incident.date");
            goto out;
        }
        if (put(incident, "date", json_string(f->date)) != 0)
            goto out;
    }
    if (given(f->country)) {
        const char *v = f->country;
        char cc[3];

        if (strlen(v) != 2 || !((v[0] | 32) >= 'a' && (v[0] | 32) <= 'z') ||
            !((v[1] | 32) >= 'a' && (v[1] | 32) <= 'z')) {
            REFUSE("bad_country", "incident.country");
            goto out;
        }
        cc[0] = (char)(v[0] & ~32);
        cc[1] = (char)(v[1] & ~32);
        cc[2] = '\0';
        if (put(incident, "country", json_string(cc)) != 0)
            goto out;
    }
    {
        const struct {
            const char *v, *key, *name;
            size_t max;
        } text[] = {{f->region, "region", "incident.region",
                     UMBRA_REPORT_INCIDENT_REGION_MAX},
                    {f->place, "place", "incident.place",
                     UMBRA_REPORT_INCIDENT_PLACE_MAX}};

        for (i = 0; i < sizeof text / sizeof text[0]; i++) {
            if (!given(text[i].v))
                continue;
            if (umbra_text_units(text[i].v) > text[i].max) {
                REFUSE("field_too_long", text[i].name);
                goto out;
            }
            if (put(incident, text[i].key, json_string(text[i].v)) != 0)
                goto out;
        }
    }
    rc = add_codes(cats, f->categories, f->ncategories,
                   umbra_report_categories, UMBRA_REPORT_NCATEGORIES,
                   "bad_category", code);
    if (rc == 1 && field != NULL)
        *field = "categories";
    if (rc == 0) {
        rc = add_codes(nds, f->needs, f->nneeds, umbra_report_needs,
                       UMBRA_REPORT_NNEEDS, "bad_need", code);
        if (rc == 1 && field != NULL)
            *field = "needs";
    }
    if (rc != 0)
        goto out;
    rc = -1;
    if (add_perpetrators(perp, f, code) != 0) {
        if (field != NULL)
            *field = "perpetrator.type";
        goto out;
    }
    if (given(f->description)) {
        if (umbra_text_units(f->description) >
            UMBRA_REPORT_PERPETRATOR_DESCRIPTION_MAX) {
            REFUSE("field_too_long", "perpetrator.description");
            goto out;
        }
        if (put(perp, "description", json_string(f->description)) != 0)
            goto out;
    }
    for (i = 0; i < f->nids; i++) {
        const char *kind = f->ids_kind[i], *val = f->ids_value[i];

        if (!given(val))
            continue;
        if (umbra_text_units(val) >
            UMBRA_REPORT_PERPETRATOR_IDENTIFIERS_VALUE_MAX) {
            REFUSE("field_too_long", "perpetrator.identifiers.value");
            goto out;
        }
        if (i >= UMBRA_REPORT_MAX_IDENTIFIERS || kind == NULL ||
            umbra_report_code_index(umbra_report_id_kinds,
                                    UMBRA_REPORT_NID_KINDS, kind) < 0) {
            REFUSE("bad_identifier", "perpetrator.identifiers.value");
            goto out;
        }
        if (json_array_append_new(ids, json_pack("{s:s,s:s}", "kind", kind,
                                                 "value", val)) != 0)
            goto out;
    }
    if (json_array_size(ids) != 0 && json_object_set(perp, "identifiers",
                                                     ids) != 0)
        goto out;
    if (f->narrative != NULL &&
        umbra_text_units(f->narrative) > UMBRA_REPORT_NARRATIVE_MAX) {
        REFUSE("field_too_long", "narrative");
        goto out;
    }
    if (!given(f->narrative) && f->ncategories == 0) {
        REFUSE("missing_fields", "narrative");
        goto out;
    }
    for (i = 0; i < UMBRA_REPORT_NCONSENTS; i++)
        if (put(consent, umbra_report_consents[i],
                json_boolean(f->consent[i])) != 0)
            goto out;
    /* the order of the keys is the order the form's builder always used */
    if (f->attachments != NULL &&
        json_object_set(doc, "attachments", f->attachments) != 0)
        goto out;
    if ((json_object_size(incident) != 0 &&
         json_object_set(doc, "incident", incident) != 0))
        goto out;
    if (json_array_size(cats) != 0 &&
        json_object_set(doc, "categories", cats) != 0)
        goto out;
    if (json_object_size(perp) != 0 &&
        json_object_set(doc, "perpetrator", perp) != 0)
        goto out;
    if (given(f->narrative) &&
        put(doc, "narrative", json_string(f->narrative)) != 0)
        goto out;
    if (json_array_size(nds) != 0 && json_object_set(doc, "needs", nds) != 0)
        goto out;
    if (json_object_set(doc, "consent", consent) != 0)
        goto out;
    rc = 0;
out:
    json_decref(incident);
    json_decref(perp);
    json_decref(ids);
    json_decref(consent);
    json_decref(cats);
    json_decref(nds);
    if (rc != 0) {
        json_decref(doc);
        return NULL;
    }
    *code = NULL;
    if (field != NULL)
        *field = NULL;
    return doc;
}
#undef REFUSE

int
umbra_lang_tag_valid(const char *s, size_t max_len)
{
    size_t n, i;

    if (s == NULL)
        return 0;
    n = strlen(s);
    if (n < 2 || n > max_len || n > 35)
        return 0;
    for (i = 0; i < n; i++) {
        char c = s[i];

        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
              (c >= '0' && c <= '9') || c == '-'))
            return 0;
    }
    return 1;
}

/* ---- umbra_report_check ------------------------------------------------- */

/* The state of one check: the tokens, and whether a field was bad. */
struct checker {
    struct js_doc d;
    struct umbra_report_refusal *why;
    int bad;
};

/* Fills *why; always UMBRA_ERR_FORMAT. */
static int
refuse(struct checker *c, const char *code, const char *field)
{
    c->why->code = code;
    c->why->field = field;
    return UMBRA_ERR_FORMAT;
}

/* The token of member key of obj when it is a string of at most max
 * bytes (as written), else -1; c->bad set when present with another type
 * (null counts as absent) or longer. */
static int
get_str(struct checker *c, int obj, const char *key, size_t max)
{
    int v = js_get(&c->d, obj, key);

    if (v < 0 || c->d.t[v].type == JS_NULL)
        return -1;
    if (c->d.t[v].type != JS_STR || c->d.t[v].len > max) {
        c->bad = 1;
        return -1;
    }
    return v;
}

/* The text of string member key into buf (cap bytes, cut at a UTF-8
 * boundary), or NULL if absent or bad (as get_str). */
static const char *
str_of(struct checker *c, int obj, const char *key, size_t max, char *buf,
       size_t cap)
{
    int v = get_str(c, obj, key, max);

    buf[0] = 0;
    if (v < 0 || js_str(&c->d, v, buf, cap, NULL) != 0)
        return NULL;
    return buf;
}

/* The object member key of obj: its token, -1 if absent or null, -2 if
 * it is not an object. */
static int
get_obj(struct checker *c, int obj, const char *key)
{
    int o = js_get(&c->d, obj, key);

    if (o < 0 || c->d.t[o].type == JS_NULL)
        return -1;
    return c->d.t[o].type == JS_OBJ ? o : -2;
}

/* A list of codes into a bit set over codes[0..n) (unknown codes
 * ignored) and the count of elements; 1 on a wrong type. */
static int
code_list(struct checker *c, const char *key, const char *const *codes,
          size_t n, uint32_t *bits, size_t *count)
{
    const struct js_doc *d = &c->d;
    int a = js_get(d, 0, key);
    uint32_t j, m;

    *bits = 0;
    *count = 0;
    if (a < 0 || d->t[a].type == JS_NULL)
        return 0;
    if (d->t[a].type != JS_ARR || d->t[a].size > UMBRA_REPORT_CHECK_LIST)
        return 1;
    j = (uint32_t)a + 1;
    for (m = 0; m < d->t[a].size; m++) {
        char buf[UMBRA_REPORT_CHECK_CODE + 8];
        int k;

        if (d->t[j].type != JS_STR || d->t[j].len > UMBRA_REPORT_CHECK_CODE ||
            js_str(d, (int)j, buf, sizeof buf, NULL) != 0)
            return 1;
        k = umbra_report_code_index(codes, n, buf);
        if (k >= 0)
            *bits |= 1u << k;
        (*count)++;
        j = d->t[j].next;
    }
    return 0;
}

/* incident: date, country, region (kept), place (checked). */
static int
check_incident(struct checker *c, struct umbra_report *out)
{
    char buf[UMBRA_REPORT_CHECK_CODE + 8];
    const char *s;
    int o = get_obj(c, 0, "incident");

    if (o == -1)
        return 0;
    if (o < 0)
        return refuse(c, "wrong_type", "incident");
    s = str_of(c, o, "date", UMBRA_REPORT_CHECK_CODE, buf, sizeof buf);
    if (s != NULL && umbra_report_date_valid(s))
        memcpy(out->date, s, strlen(s) + 1);
    s = str_of(c, o, "country", UMBRA_REPORT_CHECK_CODE, buf, sizeof buf);
    if (s != NULL && strlen(s) == 2 &&
        ((s[0] | 0x20) >= 'a' && (s[0] | 0x20) <= 'z') &&
        ((s[1] | 0x20) >= 'a' && (s[1] | 0x20) <= 'z')) {
        out->country[0] = (char)(s[0] & ~0x20);
        out->country[1] = (char)(s[1] & ~0x20);
    }
    (void)str_of(c, o, "region", UMBRA_REPORT_CHECK_INCIDENT_REGION,
                 out->region, sizeof out->region);
    (void)get_str(c, o, "place", UMBRA_REPORT_CHECK_INCIDENT_PLACE);
    return c->bad ? refuse(c, "bad_member", "incident") : 0;
}

/* perpetrator.types: a list of codes (unknown ones ignored) added to
 * out->perpetrators; the first known one is out->perpetrator when type
 * named none. 1 on a wrong type. */
static int
perpetrator_types(struct checker *c, int o, struct umbra_report *out)
{
    const struct js_doc *d = &c->d;
    int a = js_get(d, o, "types");
    uint32_t j, m;

    if (a < 0 || d->t[a].type == JS_NULL)
        return 0;
    if (d->t[a].type != JS_ARR || d->t[a].size > UMBRA_REPORT_CHECK_LIST)
        return 1;
    j = (uint32_t)a + 1;
    for (m = 0; m < d->t[a].size; m++) {
        char buf[UMBRA_REPORT_CHECK_CODE + 8];
        int k;

        if (d->t[j].type != JS_STR || d->t[j].len > UMBRA_REPORT_CHECK_CODE ||
            js_str(d, (int)j, buf, sizeof buf, NULL) != 0)
            return 1;
        k = umbra_report_code_index(umbra_report_perpetrators,
                                    UMBRA_REPORT_NPERPETRATORS, buf);
        if (k >= 0) {
            out->perpetrators |= 1u << k;
            if (out->perpetrator < 0)
                out->perpetrator = k;
        }
        j = d->t[j].next;
    }
    return 0;
}

/* perpetrator: type and types (kept), description and identifiers
 * (checked). */
static int
check_perpetrator(struct checker *c, struct umbra_report *out)
{
    char buf[UMBRA_REPORT_CHECK_CODE + 8];
    const char *s;
    int o = get_obj(c, 0, "perpetrator"), ids;

    if (o == -1)
        return 0;
    if (o < 0)
        return refuse(c, "wrong_type", "perpetrator");
    s = str_of(c, o, "type", UMBRA_REPORT_CHECK_CODE, buf, sizeof buf);
    if (s != NULL)
        out->perpetrator = umbra_report_code_index(
            umbra_report_perpetrators, UMBRA_REPORT_NPERPETRATORS, s);
    if (out->perpetrator >= 0)
        out->perpetrators = 1u << out->perpetrator;
    if (perpetrator_types(c, o, out) != 0)
        c->bad = 1;
    (void)get_str(c, o, "description",
                  UMBRA_REPORT_CHECK_PERPETRATOR_DESCRIPTION);
    ids = js_get(&c->d, o, "identifiers");
    if (ids >= 0 && c->d.t[ids].type != JS_NULL &&
        c->d.t[ids].type != JS_ARR)
        c->bad = 1;
    return c->bad ? refuse(c, "bad_member", "perpetrator") : 0;
}

/* consent: statistics must be a boolean when present; each consent is 1
 * only when true. */
static int
check_consent(struct checker *c, struct umbra_report *out)
{
    int o = get_obj(c, 0, "consent"), st;
    size_t i;

    if (o == -1)
        return 0;
    if (o < 0)
        return refuse(c, "wrong_type", "consent");
    st = js_get(&c->d, o, "statistics");
    if (st >= 0 && c->d.t[st].type != JS_TRUE && c->d.t[st].type != JS_FALSE)
        return refuse(c, "wrong_type", "consent.statistics");
    for (i = 0; i < UMBRA_REPORT_NCONSENTS; i++) {
        int v = js_get(&c->d, o, umbra_report_consents[i]);

        out->consent[i] = v >= 0 && c->d.t[v].type == JS_TRUE;
    }
    return 0;
}

/* mailbox and mailbox_id: both valid, or neither given. */
static int
check_mailbox(struct checker *c, struct umbra_report *out)
{
    char mb[UMBRA_REPORT_CHECK_MAILBOX + 8], id[80];
    const char *s, *mid;
    size_t bin_len = 0;

    s = str_of(c, 0, "mailbox", UMBRA_REPORT_CHECK_MAILBOX, mb, sizeof mb);
    if (s == NULL)
        return 0;
    mid = str_of(c, 0, "mailbox_id", UMBRA_REPORT_CHECK_MAILBOX, id,
                 sizeof id);
    if (sodium_base642bin(out->mailbox_pk, 32, s, strlen(s), NULL, &bin_len,
                          NULL, sodium_base64_VARIANT_ORIGINAL) != 0 ||
        bin_len != 32 || mid == NULL || strlen(mid) != 64 ||
        strspn(mid, "0123456789abcdef") != 64)
        return refuse(c, "bad_mailbox", NULL);
    memcpy(out->mailbox_id, mid, 65);
    out->has_mailbox = 1;
    return 0;
}

/* follow_up (protocol section 6.1): an object whose proof is the base64
 * of 32 bytes, in a document that names its mailbox; the narrative's
 * SHA-512 is kept to check the proof against. */
static int
check_follow_up(struct checker *c, struct umbra_report *out, int narrative)
{
    char pr[UMBRA_REPORT_CHECK_FOLLOW_UP_PROOF + 8], *text = NULL;
    const char *s;
    size_t bin_len = 0, cap;
    int o = get_obj(c, 0, "follow_up");

    if (o == -1)
        return 0;
    if (o < 0)
        return refuse(c, "bad_follow_up", NULL);
    s = str_of(c, o, "proof", UMBRA_REPORT_CHECK_FOLLOW_UP_PROOF, pr,
               sizeof pr);
    if (s == NULL || !out->has_mailbox ||
        sodium_base642bin(out->follow_up_proof, 32, s, strlen(s), NULL,
                          &bin_len, NULL,
                          sodium_base64_VARIANT_ORIGINAL) != 0 ||
        bin_len != 32) {
        c->bad = 0;
        return refuse(c, "bad_follow_up", NULL);
    }
    cap = narrative >= 0 ? (size_t)c->d.t[narrative].len + 1 : 1;
    text = umbra_secret_alloc(cap);
    if (text == NULL)
        return -1;
    text[0] = 0;
    bin_len = 0;
    if (narrative >= 0)
        (void)js_str(&c->d, narrative, text, cap, &bin_len);
    crypto_hash_sha512(out->narrative_sha512, (const uint8_t *)text, bin_len);
    umbra_secret_free(text);
    out->has_follow_up = 1;
    return 0;
}

/* The fields in the order of their refusals (the quarantine list shows the
 * first one). */
static int
check_fields(struct checker *c, struct umbra_report *out)
{
    char buf[UMBRA_REPORT_CHECK_CODE + 8];
    const char *s;
    size_t ncat = 0, nneeds = 0;
    int narrative, rc;

    s = str_of(c, 0, "schema", UMBRA_REPORT_CHECK_CODE, buf, sizeof buf);
    if (s == NULL || strcmp(s, UMBRA_REPORT_SCHEMA) != 0)
        return refuse(c, "bad_schema", NULL);
    narrative = get_str(c, 0, "narrative", UMBRA_REPORT_CHECK_NARRATIVE);
    if (c->bad)
        return refuse(c, "bad_narrative", NULL);
    if (code_list(c, "categories", umbra_report_categories,
                  UMBRA_REPORT_NCATEGORIES, &out->categories, &ncat) != 0)
        return refuse(c, "wrong_type", "categories");
    if ((narrative < 0 || c->d.t[narrative].len == 0) && ncat == 0)
        return refuse(c, "missing_fields", NULL);
    if (code_list(c, "needs", umbra_report_needs, UMBRA_REPORT_NNEEDS,
                  &out->needs, &nneeds) != 0)
        return refuse(c, "wrong_type", "needs");
    s = str_of(c, 0, "lang", UMBRA_REPORT_CHECK_CODE, buf, sizeof buf);
    if (c->bad)
        return refuse(c, "wrong_type", "lang");
    if (s != NULL && umbra_lang_tag_valid(s, sizeof out->lang - 1))
        memcpy(out->lang, s, strlen(s) + 1);
    (void)get_str(c, 0, "via", UMBRA_REPORT_CHECK_CODE);
    if (c->bad)
        return refuse(c, "wrong_type", "via");
    if (check_incident(c, out) != 0 || check_perpetrator(c, out) != 0 ||
        check_consent(c, out) != 0 || check_mailbox(c, out) != 0)
        return UMBRA_ERR_FORMAT;
    if (c->bad)
        return refuse(c, "bad_field", NULL);
    rc = check_follow_up(c, out, narrative);
    if (rc != 0)
        return rc;
    if (narrative >= 0 && js_str(&c->d, narrative, out->head,
                                 sizeof out->head, &out->narrative_len) != 0)
        return UMBRA_ERR_FORMAT; /* not reached: narrative is a string */
    return 0;
}

int
umbra_report_check(struct umbra_report *out, struct umbra_report_refusal *why,
                   const uint8_t *doc, size_t len)
{
    struct checker c;
    int rc;

    memset(out, 0, sizeof *out);
    memset(why, 0, sizeof *why);
    memset(&c, 0, sizeof c);
    out->perpetrator = -1;
    c.why = why;
    if (len > UMBRA_REPORT_CHECK_BYTES)
        rc = refuse(&c, "too_large", NULL);
    else if (len == 0 || doc == NULL)
        rc = refuse(&c, "empty", NULL);
    else
        rc = js_parse(&c.d, doc, len, UMBRA_REPORT_CHECK_DEPTH,
                      UMBRA_REPORT_CHECK_VALUES, why->detail,
                      sizeof why->detail);
    if (rc < 0)
        goto out;
    if (rc != 0) {
        if (strstr(why->detail, "nested too deep") != NULL) {
            rc = refuse(&c, "too_deep", NULL);
            why->detail[0] = 0;
        } else if (strstr(why->detail, "UTF-8") != NULL) {
            rc = refuse(&c, "bad_utf8", NULL);
        } else {
            rc = refuse(&c, "bad_json", NULL);
        }
        goto out;
    }
    rc = c.d.t[0].type == JS_OBJ ? check_fields(&c, out)
                                 : refuse(&c, "not_object", NULL);
out:
    if (rc == -1)
        rc = UMBRA_ERR_NOMEM;
    js_free(&c.d);
    if (rc != 0) {
        memset(out, 0, sizeof *out);
        out->perpetrator = -1;
    }
    if (rc != UMBRA_ERR_FORMAT)
        why->detail[0] = 0;
    return rc;
}
