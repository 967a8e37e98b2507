/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * report: the rules of the report document that are not tables (the tables
 * are report_vocab.c, generated from report-vocab.json).
 */
#include "umbra.h"

#include <jansson.h>
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

struct json_t *
umbra_report_build(const struct umbra_report_fields *f, const char **code)
{
    json_t *doc = NULL, *incident = NULL, *perp = NULL, *ids = NULL,
           *consent = NULL, *cats = NULL, *nds = NULL;
    size_t i;
    int rc = -1;

    *code = "internal";
    if (!all_utf8(f)) {
        *code = "bad_encoding";
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
            *code = "bad_date";
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
            *code = "bad_country";
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
            const char *v, *key;
            size_t max;
        } text[] = {{f->region, "region", UMBRA_REPORT_INCIDENT_REGION_MAX},
                    {f->place, "place", UMBRA_REPORT_INCIDENT_PLACE_MAX}};

        for (i = 0; i < sizeof text / sizeof text[0]; i++) {
            if (!given(text[i].v))
                continue;
            if (strlen(text[i].v) > text[i].max) {
                *code = "field_too_long";
                goto out;
            }
            if (put(incident, text[i].key, json_string(text[i].v)) != 0)
                goto out;
        }
    }
    rc = add_codes(cats, f->categories, f->ncategories,
                   umbra_report_categories, UMBRA_REPORT_NCATEGORIES,
                   "bad_category", code);
    if (rc == 0)
        rc = add_codes(nds, f->needs, f->nneeds, umbra_report_needs,
                       UMBRA_REPORT_NNEEDS, "bad_need", code);
    if (rc != 0)
        goto out;
    rc = -1;
    if (given(f->perpetrator)) {
        if (umbra_report_code_index(umbra_report_perpetrators,
                                    UMBRA_REPORT_NPERPETRATORS,
                                    f->perpetrator) < 0) {
            *code = "bad_perpetrator";
            goto out;
        }
        if (put(perp, "type", json_string(f->perpetrator)) != 0)
            goto out;
    }
    if (given(f->description)) {
        if (strlen(f->description) >
            UMBRA_REPORT_PERPETRATOR_DESCRIPTION_MAX) {
            *code = "field_too_long";
            goto out;
        }
        if (put(perp, "description", json_string(f->description)) != 0)
            goto out;
    }
    for (i = 0; i < f->nids; i++) {
        const char *kind = f->ids_kind[i], *val = f->ids_value[i];

        if (!given(val))
            continue;
        if (i >= UMBRA_REPORT_MAX_IDENTIFIERS || kind == NULL ||
            umbra_report_code_index(umbra_report_id_kinds,
                                    UMBRA_REPORT_NID_KINDS, kind) < 0 ||
            strlen(val) > UMBRA_REPORT_PERPETRATOR_IDENTIFIERS_VALUE_MAX) {
            *code = "bad_identifier";
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
        strlen(f->narrative) > UMBRA_REPORT_NARRATIVE_MAX) {
        *code = "field_too_long";
        goto out;
    }
    if (!given(f->narrative) && f->ncategories == 0) {
        *code = "missing_fields";
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
    return doc;
}
