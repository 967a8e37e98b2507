/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * Unit tests of umbra-case's alert drafts (alert_draft.h): identifiers
 * masked as the protocol says, day arithmetic, the checks each field
 * gets, and the editor's template read back to the same alert (and its
 * refusals). Table-driven; ends with "N passed, N failed".
 */
#include "alert_draft.h"
#include "check.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct {
    const char *kind, *value, *masked;
} MASKS[] = {
    {"phone", "+66812345678", "+66 *******78"},
    {"phone", "+1 (415) 555-0134", "+1 ********34"},
    {"phone", "+7 912 345 67 89", "+7 ********89"},
    {"phone", "+852 9123 4567", "+852 ******67"},    /* three-digit code */
    {"phone", "+44 7700 900123", "+44 ********23"},
    {"phone", "+66 8a1-b23 4567", "+66 ******67"},  /* letters dropped */
    {"phone", "0812345678", "********78"},          /* no country code */
    {"phone", "12", "12"},
    {"plate", "AB123CD", "A*****D"},
    {"plate", "1\xe0\xb8\x81\xe0\xb8\x82" "2345", "1*****5"}, /* Thai */
    {"plate", "AB", "***"},                          /* too short */
    {"handle", "badclient99", "ba***"},
    {"handle", "\xd0\xb0\xd1\x80\xd0\xb5x", "\xd0\xb0\xd1\x80***"},
    {"handle", "ab", "***"},
    {"place", "Soi 4 car park", "Soi 4 car park"},  /* the caseworker's */
};

static void
test_mask(void)
{
    size_t i;

    for (i = 0; i < sizeof MASKS / sizeof MASKS[0]; i++) {
        char *m = alert_mask(MASKS[i].kind, MASKS[i].value);

        CHECK(m != NULL && strcmp(m, MASKS[i].masked) == 0,
              "mask %s '%s': '%s', want '%s'", MASKS[i].kind,
              MASKS[i].value, m ? m : "(null)", MASKS[i].masked);
        free(m);
    }
}

static void
test_days(void)
{
    long d = 0;
    char s[11];

    CHECK(alert_day(&d, "1970-01-01") == 0 && d == 0, "day 0");
    CHECK(alert_day(&d, "2026-12-02") == 0, "a date");
    alert_date(s, d);
    CHECK(strcmp(s, "2026-12-02") == 0, "and back: %s", s);
    CHECK(alert_day(&d, "2028-02-29") == 0, "a leap day");
    CHECK(alert_day(&d, "2027-02-29") != 0, "not a leap year");
    CHECK(alert_day(&d, "2026-13-01") != 0, "month 13");
    CHECK(alert_day(&d, "2026-1-01") != 0, "short");
    CHECK(alert_lang_known("pt-BR") && alert_lang_known("ar") &&
              !alert_lang_known("pt") && !alert_lang_known("xx"),
          "the twelve languages");
}

/* A valid draft issued on 2026-12-02 (a Wednesday). */
static json_t *
good(void)
{
    return json_pack(
        "{s:s,s:s,s:s,s:s,s:s,s:s,s:{s:s,s:s},s:{s:s,s:s},s:[{s:s,s:s}],"
        "s:[{s:s,s:s,s:s}]}",
        "org", "demo", "id", "00112233445566778899aabbccddeeff", "kind",
        "alert", "issued", "2026-12-02", "expires", "2027-03-02", "level",
        "warning", "area", "country", "TH", "region", "Bangkok", "period",
        "from", "2026-11-23", "to", "2026-11-29", "identifiers", "kind",
        "phone", "value", "+66 *******78", "texts", "lang", "th", "title",
        "\xe0\xb8\xa3\xe0\xb8\xb0\xe0\xb8\xa7\xe0\xb8\xb1\xe0\xb8\x87",
        "body", "line one\nline two");
}

static const struct {
    const char *path, *key, *value, *why;
} BAD[] = {
    {"", "level", "loud", "level"},
    {"", "expires", "2026-12-02", "expires"},
    {"", "expires", "2027-12-03", "365"},
    {"area", "country", "th", "country"},
    {"area", "country", "THA", "country"},
    {"period", "from", "2026-11-24", "Monday"},
    {"period", "to", "2026-11-28", "Sunday"},
    {"period", "from", "2026-12-07", "Monday"},
    {"period", "from", "2026-05-04", "26 weeks"},
};

static void
test_check(void)
{
    char why[256];
    json_t *a = good(), *t;
    size_t i;
    char big[5000];

    CHECK(alert_check(a, 1, why, sizeof why) == 0, "a good alert: %s", why);
    json_decref(a);
    for (i = 0; i < sizeof BAD / sizeof BAD[0]; i++) {
        json_t *o;

        a = good();
        o = BAD[i].path[0] ? json_object_get(a, BAD[i].path) : a;
        json_object_set_new(o, BAD[i].key, json_string(BAD[i].value));
        CHECK(alert_check(a, 0, why, sizeof why) != 0 &&
                  strstr(why, BAD[i].why) != NULL,
              "%s.%s = %s refused naming '%s': %s", BAD[i].path, BAD[i].key,
              BAD[i].value, BAD[i].why, why);
        json_decref(a);
    }
    a = good();
    t = json_array_get(json_object_get(a, "texts"), 0);
    json_object_set_new(t, "title", json_string("[translate] x"));
    CHECK(alert_check(a, 0, why, sizeof why) == 0 &&
              alert_check(a, 1, why, sizeof why) != 0 &&
              strstr(why, "translated") != NULL,
          "[translate]: a draft may keep it, signing may not");
    memset(big, 'x', sizeof big - 1);
    big[sizeof big - 1] = 0;
    json_object_set_new(t, "title", json_string("ok"));
    json_object_set_new(t, "body", json_string(big));
    CHECK(alert_check(a, 0, why, sizeof why) != 0 && strstr(why, "4000"),
          "a body over 4,000 characters: %s", why);
    json_object_set_new(t, "body", json_string("a\x1b[31mb"));
    CHECK(alert_check(a, 0, why, sizeof why) != 0 &&
              strstr(why, "control character"),
          "an escape sequence in a body: %s", why);
    json_array_append_new(json_object_get(a, "texts"),
                          json_pack("{s:s,s:s,s:s}", "lang", "th", "title",
                                    "b", "body", "c"));
    json_object_set_new(t, "body", json_string("ok"));
    CHECK(alert_check(a, 0, why, sizeof why) != 0 && strstr(why, "two"),
          "two texts in one language: %s", why);
    json_decref(a);
}

static void
test_template(void)
{
    json_t *a = good(), *back = NULL;
    json_t *cand = json_pack("[{s:s,s:s,s:I}]", "kind", "plate", "value",
                             "A*****D", "case", (json_int_t)3);
    char why[256], *text = alert_template(a, cand, "3,7"), *edited;
    int rc;

    CHECK(text != NULL && strstr(text, "drafted from cases 3,7") &&
              strstr(text, "#   identifier: plate A*****D"),
          "the template names the cases and lists candidates as notes");
    rc = alert_from_template(&back, text, strlen(text), a, why, sizeof why);
    CHECK(rc == 0 && json_equal(a, back), "read back unchanged: %s", why);
    json_decref(back);
    back = NULL;
    /* the caseworker takes the candidate and drops the region */
    edited = malloc(strlen(text) + 64);
    if (edited != NULL) {
        char *p;

        snprintf(edited, strlen(text) + 64, "%s", text);
        p = strstr(edited, "#   identifier: plate");
        memmove(p, p + 4, strlen(p + 4) + 1);
        p = strstr(edited, "region: Bangkok");
        memmove(p + 8, p + 15, strlen(p + 15) + 1);
        rc = alert_from_template(&back, edited, strlen(edited), a, why,
                                 sizeof why);
        CHECK(rc == 0 &&
                  json_array_size(json_object_get(back, "identifiers")) == 2
                  && json_object_get(json_object_get(back, "area"),
                                     "region") == NULL,
              "an uncommented candidate included, an empty region left out");
        json_decref(back);
        back = NULL;
    }
    free(edited);
    CHECK(alert_from_template(&back, "# only notes\n\n", 14, a, why,
                              sizeof why) == 1,
          "an emptied template cancels");
    CHECK(alert_from_template(&back, "# x\0y", 5, a, why, sizeof why) < 0 &&
              strstr(why, "NUL"),
          "a NUL byte in the edited file is refused");
    CHECK(alert_from_template(&back, "level: info\nsize: big\n", 22, a, why,
                              sizeof why) < 0 &&
              strstr(why, "line 2: unknown field 'size'"),
          "an unknown field is named with its line: %s", why);
    CHECK(alert_from_template(&back, "[th]\nhello\n", 11, a, why,
                              sizeof why) < 0 && strstr(why, "line 2"),
          "text in a section before title/body is refused: %s", why);
    free(text);
    json_decref(cand);
    json_decref(a);
}

CHECK_MAIN(test_mask, test_days, test_check, test_template)
