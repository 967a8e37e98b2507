/* SPDX-License-Identifier: AGPL-3.0-or-later */
/* Unit tests of report.c and the generated vocabulary (report_vocab.c). */
#include "check.h"

#include <jansson.h>
#include <time.h>

/* The date rule, table-driven: each string and whether it is a date. */
static void
test_date(void)
{
    static const struct {
        const char *s;
        int ok;
    } cases[] = {
        {"2024-02-29", 1}, {"2026-02-28", 1}, {"2000-02-29", 1},
        {"2026-02-29", 0}, {"2026-02-31", 0}, {"1900-02-29", 0},
        {"2025-04-31", 0}, {"2025-12-31", 1}, {"2025-01-01", 1},
        {"2025-00-10", 0}, {"2025-13-01", 0}, {"2025-01-00", 0},
        {"2025-01-32", 0}, {"2025-06", 1},    {"2025-13", 0},
        {"2025-00", 0},    {"2025-6-01", 0},  {"2025/06/01", 0},
        {"20250601", 0},   {"", 0},           {"2025-06-01x", 0},
        {"2025-06-0a", 0}, {" 2025-06", 0},   {"9999-12-31", 0},
        {"9999-12", 0},    {"2025-06-1", 0},
    };
    char today[11], next_year[11];
    time_t t = time(NULL);
    struct tm tm;
    size_t i;

    for (i = 0; i < sizeof cases / sizeof cases[0]; i++)
        CHECK(umbra_report_date_valid(cases[i].s) == cases[i].ok,
              "date '%s' should be %s", cases[i].s,
              cases[i].ok ? "valid" : "refused");
    CHECK(umbra_report_date_valid(NULL) == 0, "NULL date");
    umbra_today(today);
    CHECK(umbra_report_date_valid(today) == 1, "today '%s'", today);
    t += 3 * 24 * 3600;
    if (gmtime_r(&t, &tm) != NULL &&
        strftime(next_year, sizeof next_year, "%Y-%m-%d", &tm) == 10)
        CHECK(umbra_report_date_valid(next_year) == 0,
              "three days ahead '%s' refused", next_year);
}

/* Every list: its size, the index of each code, unknowns refused. */
static void
test_vocab(void)
{
    static const struct {
        const char *const *codes;
        size_t n;
        const char *first, *last;
    } lists[] = {
        {umbra_report_categories, UMBRA_REPORT_NCATEGORIES,
         "physical-violence", "other"},
        {umbra_report_perpetrators, UMBRA_REPORT_NPERPETRATORS, "client",
         "unknown"},
        {umbra_report_needs, UMBRA_REPORT_NNEEDS, "health", "other"},
        {umbra_report_id_kinds, UMBRA_REPORT_NID_KINDS, "phone", "place"},
        {umbra_report_consents, UMBRA_REPORT_NCONSENTS, "statistics",
         "share_with_authorities"},
        {umbra_report_vias, UMBRA_REPORT_NVIAS, "web", "assisted"},
    };
    size_t i, j;

    CHECK(UMBRA_REPORT_NCATEGORIES == 13, "13 categories");
    CHECK(UMBRA_REPORT_NPERPETRATORS == 8, "8 perpetrator types");
    CHECK(UMBRA_REPORT_NNEEDS == 6, "6 needs");
    /* bit sets over categories and needs live in a uint32_t */
    CHECK(UMBRA_REPORT_NCATEGORIES <= 32 && UMBRA_REPORT_NNEEDS <= 32,
          "lists fit a bit set");
    CHECK(strcmp(umbra_report_categories_icons[0], "\xe2\x9c\x8a") == 0,
          "icon of physical-violence");
    CHECK(umbra_report_perpetrators_icons[0][0] == '\0', "no icon");
    for (i = 0; i < sizeof lists / sizeof lists[0]; i++) {
        CHECK(strcmp(lists[i].codes[0], lists[i].first) == 0, "first %s",
              lists[i].first);
        CHECK(strcmp(lists[i].codes[lists[i].n - 1], lists[i].last) == 0,
              "last %s", lists[i].last);
        for (j = 0; j < lists[i].n; j++)
            CHECK(umbra_report_code_index(lists[i].codes, lists[i].n,
                                          lists[i].codes[j]) == (int)j,
                  "index of '%s'", lists[i].codes[j]);
        CHECK(umbra_report_code_index(lists[i].codes, lists[i].n,
                                      "Other") == -1, "case matters");
        CHECK(umbra_report_code_index(lists[i].codes, lists[i].n, "") == -1,
              "empty code");
        CHECK(umbra_report_code_index(lists[i].codes, lists[i].n, NULL) ==
                  -1, "NULL code");
    }
    CHECK(strcmp(UMBRA_REPORT_SCHEMA, "umbra.report/1") == 0, "schema");
    CHECK(UMBRA_REPORT_NARRATIVE_MAX == 20000u, "narrative cap");
    CHECK(UMBRA_REPORT_MAX_IDENTIFIERS == 5, "identifiers cap");
}

/* UMBRA_REPORT_INCIDENT_REGION_MAX + 1 bytes */
static const char LONG201[] =
    "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
    "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
    "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx";

/* n copies of the UTF-8 character ch, malloc'd, NUL-ended. */
static char *
repeat(const char *ch, size_t n)
{
    size_t l = strlen(ch), i;
    char *s = malloc(l * n + 1);

    if (s == NULL)
        return NULL;
    for (i = 0; i < n; i++)
        memcpy(s + i * l, ch, l);
    s[l * n] = 0;
    return s;
}

/* Several perpetrators, the field a refusal names, and caps counted in
 * UTF-16 units (Thai: 3 bytes of UTF-8 each, an emoji: 2 units). */
static void
test_build_more(void)
{
    static const char *const two[] = {"police", "client", "police"};
    static const char *const badp[] = {"police", "neighbour"};
    char *thai200 = repeat("\xe0\xb8\x81", UMBRA_REPORT_INCIDENT_PLACE_MAX);
    char *thai201 =
        repeat("\xe0\xb8\x81", UMBRA_REPORT_INCIDENT_PLACE_MAX + 1);
    char *emoji100 = repeat("\xf0\x9f\x98\x80",
                            UMBRA_REPORT_INCIDENT_PLACE_MAX / 2);
    char *emoji101 = repeat("\xf0\x9f\x98\x80",
                            UMBRA_REPORT_INCIDENT_PLACE_MAX / 2 + 1);
    char *thainarr = repeat("\xe0\xb8\x81", UMBRA_REPORT_NARRATIVE_MAX);
    const char *code = "unset", *field = "unset";
    json_t *doc;
    char *text;

    if (!thai200 || !thai201 || !emoji100 || !emoji101 || !thainarr) {
        CHECK(0, "out of memory");
        goto out;
    }
    CHECK(umbra_text_units(thai200) == UMBRA_REPORT_INCIDENT_PLACE_MAX &&
              umbra_text_units(emoji100) == UMBRA_REPORT_INCIDENT_PLACE_MAX &&
              umbra_text_units(NULL) == 0 && umbra_text_units("ab") == 2,
          "units: a Thai letter 1, an emoji 2");
    {
        struct umbra_report_fields f = {.narrative = "x",
                                        .perpetrators = two,
                                        .nperpetrators = 3};
        doc = umbra_report_build_field(&f, &code, &field);
        text = doc ? json_dumps(json_object_get(doc, "perpetrator"),
                                JSON_COMPACT)
                   : NULL;
        CHECK(text != NULL &&
                  strcmp(text, "{\"type\":\"police\",\"types\":[\"police\","
                               "\"client\"]}") == 0 &&
                  field == NULL,
              "two perpetrators: type is the first, types both once: %s",
              text ? text : code);
        free(text);
        json_decref(doc);
    }
    {
        struct umbra_report_fields f = {.narrative = "x",
                                        .perpetrators = badp,
                                        .nperpetrators = 2};
        doc = umbra_report_build_field(&f, &code, &field);
        CHECK(doc == NULL && strcmp(code, "bad_perpetrator") == 0 &&
                  strcmp(field, "perpetrator.type") == 0,
              "an unknown perpetrator among two is refused, field named");
        json_decref(doc);
    }
    {
        struct umbra_report_fields f = {.narrative = "x"};
        doc = umbra_report_build_field(&f, &code, &field);
        CHECK(doc != NULL && json_object_get(doc, "perpetrator") == NULL,
              "no perpetrator chosen: none recorded");
        json_decref(doc);
    }
    {
        struct umbra_report_fields f = {.narrative = thainarr,
                                        .place = thai200};
        doc = umbra_report_build_field(&f, &code, &field);
        CHECK(doc != NULL, "200 Thai letters in place and 20000 in the "
                           "narrative are kept (%s)",
              doc ? "" : code);
        json_decref(doc);
        f.place = emoji100;
        doc = umbra_report_build_field(&f, &code, &field);
        CHECK(doc != NULL, "100 emoji (200 units) in place are kept");
        json_decref(doc);
        f.place = thai201;
        doc = umbra_report_build_field(&f, &code, &field);
        CHECK(doc == NULL && strcmp(code, "field_too_long") == 0 &&
                  strcmp(field, "incident.place") == 0,
              "201 Thai letters in place: field_too_long naming it");
        json_decref(doc);
        f.place = emoji101;
        doc = umbra_report_build_field(&f, &code, &field);
        CHECK(doc == NULL && strcmp(field, "incident.place") == 0,
              "101 emoji (202 units) in place refused");
        json_decref(doc);
        f.place = NULL;
        f.region = thai201;
        doc = umbra_report_build_field(&f, &code, &field);
        CHECK(doc == NULL && strcmp(field, "incident.region") == 0,
              "201 Thai letters in region: field named");
        json_decref(doc);
        f.region = NULL;
        f.date = "2024-13-01";
        doc = umbra_report_build_field(&f, &code, &field);
        CHECK(doc == NULL && strcmp(code, "bad_date") == 0 &&
                  strcmp(field, "incident.date") == 0,
              "a bad date names incident.date");
        json_decref(doc);
    }
    {
        struct umbra_report_fields f = {0};
        doc = umbra_report_build_field(&f, &code, &field);
        CHECK(doc == NULL && strcmp(code, "missing_fields") == 0 &&
                  strcmp(field, "narrative") == 0,
              "an empty report names the narrative");
    }
out:
    free(thai200);
    free(thai201);
    free(emoji100);
    free(emoji101);
    free(thainarr);
}

/* umbra_report_build, table-driven: each case's fields, the refusal code
 * it must give (NULL: built) and, when built, its compact JSON. */
static void
test_build(void)
{
    static const char *const cat1[] = {"robbery"};
    static const char *const cat2[] = {"robbery", "Robbery"};
    static const char *const need1[] = {"legal", "safety"};
    static const char *const need_bad[] = {"money"};
    static const char *const k2[] = {"phone", "plate"};
    static const char *const v2[] = {"+1 555", ""};
    static const char *const kbad[] = {"email"};
    static const char *const v1[] = {"a@b"};
    static const char *const k6[] = {"phone", "phone", "phone",
                                     "phone", "phone", "phone"};
    static const char *const v6[] = {"1", "2", "3", "4", "5", "6"};
    static const char *const v6e[] = {"1", "2", "3", "4", "5", ""};
    static const char *const vlong[] = {LONG201};
    char *narr_max = malloc(UMBRA_REPORT_NARRATIVE_MAX + 2);
    struct {
        struct umbra_report_fields f;
        const char *code, *json;
    } cases[] = {
        {{.narrative = "it happened"}, NULL,
         "{\"schema\":\"umbra.report/1\",\"via\":\"web\",\"lang\":\"en\","
         "\"narrative\":\"it happened\",\"consent\":{\"statistics\":false,"
         "\"alert\":false,\"share_with_authorities\":false}}"},
        {{.via = "web-nojs", .lang = "th", .date = "2024-02-29",
          .country = "th", .region = "Bangkok", .place = "",
          .categories = cat1, .ncategories = 1, .needs = need1, .nneeds = 2,
          .perpetrator = "police", .description = "tall",
          .ids_kind = k2, .ids_value = v2, .nids = 2,
          .consent = {1, 0, 1}},
         NULL,
         "{\"schema\":\"umbra.report/1\",\"via\":\"web-nojs\",\"lang\":\"th\","
         "\"incident\":{\"date\":\"2024-02-29\",\"country\":\"TH\","
         "\"region\":\"Bangkok\"},\"categories\":[\"robbery\"],"
         "\"perpetrator\":{\"type\":\"police\",\"types\":[\"police\"],"
         "\"description\":\"tall\","
         "\"identifiers\":[{\"kind\":\"phone\",\"value\":\"+1 555\"}]},"
         "\"needs\":[\"legal\",\"safety\"],\"consent\":{\"statistics\":true,"
         "\"alert\":false,\"share_with_authorities\":true}}"},
        {{.narrative = ""}, "missing_fields", NULL},
        {{0}, "missing_fields", NULL},
        {{.narrative = "x", .date = "2026-02-29"}, "bad_date", NULL},
        {{.narrative = "x", .date = "9999-01"}, "bad_date", NULL},
        {{.narrative = "x", .country = "THA"}, "bad_country", NULL},
        {{.narrative = "x", .country = "t1"}, "bad_country", NULL},
        {{.narrative = "x", .region = LONG201}, "field_too_long", NULL},
        {{.narrative = "x", .place = LONG201}, "field_too_long", NULL},
        {{.categories = cat2, .ncategories = 2}, "bad_category", NULL},
        {{.narrative = "x", .needs = need_bad, .nneeds = 1}, "bad_need",
         NULL},
        {{.narrative = "x", .perpetrator = "neighbour"}, "bad_perpetrator",
         NULL},
        {{.narrative = "x", .ids_kind = kbad, .ids_value = v1, .nids = 1},
         "bad_identifier", NULL},
        {{.narrative = "x", .ids_kind = k6, .ids_value = v6, .nids = 6},
         "bad_identifier", NULL},
        {{.narrative = "x", .ids_kind = k6, .ids_value = v6e, .nids = 6},
         NULL, NULL},
        {{.narrative = "x", .ids_kind = k2, .ids_value = vlong, .nids = 1},
         "field_too_long", NULL},
        {{.narrative = "x", .place = "\xc3\x28"}, "bad_encoding", NULL},
        {{.narrative = narr_max}, "field_too_long", NULL},
    };
    size_t i;

    if (narr_max == NULL) {
        CHECK(0, "out of memory");
        return;
    }
    memset(narr_max, 'n', UMBRA_REPORT_NARRATIVE_MAX + 1);
    narr_max[UMBRA_REPORT_NARRATIVE_MAX + 1] = 0;
    for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const char *code = "unset";
        json_t *doc = umbra_report_build(&cases[i].f, &code);
        char *text = doc ? json_dumps(doc, JSON_COMPACT) : NULL;

        if (cases[i].code != NULL)
            CHECK(doc == NULL && code != NULL &&
                      strcmp(code, cases[i].code) == 0,
                  "case %zu: want %s, got %s", i, cases[i].code,
                  doc ? "a document" : code);
        else
            CHECK(doc != NULL && code == NULL, "case %zu: refused %s", i,
                  code);
        if (cases[i].json != NULL)
            CHECK(text != NULL && strcmp(text, cases[i].json) == 0,
                  "case %zu: %s", i, text ? text : "(none)");
        free(text);
        json_decref(doc);
    }
    /* the cap itself is allowed */
    narr_max[UMBRA_REPORT_NARRATIVE_MAX] = 0;
    test_build_more();
    {
        struct umbra_report_fields f = {.narrative = narr_max};
        const char *code;
        json_t *doc = umbra_report_build(&f, &code);

        CHECK(doc != NULL, "a narrative of exactly the cap is kept");
        json_decref(doc);
    }
    free(narr_max);
}

/* umbra_report_check on doc (NUL-ended text): the refusal code, or NULL
 * when accepted; why->field and detail when want_field/want_detail. */
static void
check_one(const char *label, const char *doc, size_t len,
          const char *want_code, const char *want_field,
          const char *want_detail)
{
    struct umbra_report r;
    struct umbra_report_refusal why;
    int err = umbra_report_check(&r, &why, (const uint8_t *)doc, len);

    if (want_code == NULL) {
        CHECK(err == 0, "%s: accepted (refused %s)", label,
              err == UMBRA_ERR_FORMAT ? why.code : "error");
        return;
    }
    CHECK(err == UMBRA_ERR_FORMAT && why.code != NULL &&
              strcmp(why.code, want_code) == 0,
          "%s: want %s, got %d %s", label, want_code, err,
          why.code ? why.code : "(none)");
    CHECK(want_field == NULL ? why.field == NULL
                             : why.field != NULL &&
                                   strcmp(why.field, want_field) == 0,
          "%s: field %s", label, why.field ? why.field : "(none)");
    CHECK(want_detail == NULL ? why.detail[0] == 0
                              : strstr(why.detail, want_detail) != NULL,
          "%s: detail '%s'", label, why.detail);
    CHECK(r.perpetrator == -1 && r.categories == 0 && r.head[0] == 0,
          "%s: nothing left in out", label);
}

#define R "{\"schema\":\"umbra.report/1\","

/* Every refusal of umbra_report_check, and hostile input. */
static void
test_check_refusals(void)
{
    static const struct {
        const char *label, *doc, *code, *field, *detail;
    } cases[] = {
        {"fine", R "\"narrative\":\"x\"}", NULL, NULL, NULL},
        {"categories only", R "\"categories\":[\"robbery\"]}", NULL, NULL,
         NULL},
        {"unknown fields kept", R "\"narrative\":\"x\",\"new\":[1,{}]}", NULL,
         NULL, NULL},
        {"empty", "", "empty", NULL, NULL},
        {"not JSON", "{\"schema\":", "bad_json", NULL, "unexpected end"},
        {"text after", R "\"narrative\":\"x\"} {}", "bad_json", NULL,
         "text after"},
        {"not an object", "\"umbra.report/1\"", "not_object", NULL, NULL},
        {"array", "[1,2]", "not_object", NULL, NULL},
        {"wrong schema", "{\"schema\":\"umbra.alert/1\",\"narrative\":\"x\"}",
         "bad_schema", NULL, NULL},
        {"no schema", "{\"narrative\":\"x\"}", "bad_schema", NULL, NULL},
        {"schema a number", "{\"schema\":1,\"narrative\":\"x\"}",
         "bad_schema", NULL, NULL},
        {"narrative a list", R "\"narrative\":[\"a\"]}", "bad_narrative",
         NULL, NULL},
        {"neither", R "\"lang\":\"en\"}", "missing_fields", NULL, NULL},
        {"empty narrative", R "\"narrative\":\"\",\"categories\":[]}",
         "missing_fields", NULL, NULL},
        {"null narrative", R "\"narrative\":null}", "missing_fields", NULL,
         NULL},
        {"categories text", R "\"categories\":\"robbery\"}", "wrong_type",
         "categories", NULL},
        {"categories of numbers", R "\"categories\":[1]}", "wrong_type",
         "categories", NULL},
        {"needs object", R "\"narrative\":\"x\",\"needs\":{}}", "wrong_type",
         "needs", NULL},
        {"lang number", R "\"narrative\":\"x\",\"lang\":5}", "wrong_type",
         "lang", NULL},
        {"via list", R "\"narrative\":\"x\",\"via\":[]}", "wrong_type", "via",
         NULL},
        {"incident text", R "\"narrative\":\"x\",\"incident\":\"today\"}",
         "wrong_type", "incident", NULL},
        {"incident date number",
         R "\"narrative\":\"x\",\"incident\":{\"date\":20260101}}",
         "bad_member", "incident", NULL},
        {"incident place list",
         R "\"narrative\":\"x\",\"incident\":{\"place\":[]}}", "bad_member",
         "incident", NULL},
        {"perpetrator list", R "\"narrative\":\"x\",\"perpetrator\":[]}",
         "wrong_type", "perpetrator", NULL},
        {"identifiers object",
         R "\"narrative\":\"x\",\"perpetrator\":{\"identifiers\":{}}}",
         "bad_member", "perpetrator", NULL},
        {"perpetrator type number",
         R "\"narrative\":\"x\",\"perpetrator\":{\"type\":3}}", "bad_member",
         "perpetrator", NULL},
        {"consent true", R "\"narrative\":\"x\",\"consent\":true}",
         "wrong_type", "consent", NULL},
        {"consent statistics text",
         R "\"narrative\":\"x\",\"consent\":{\"statistics\":\"yes\"}}",
         "wrong_type", "consent.statistics", NULL},
        {"consent statistics null",
         R "\"narrative\":\"x\",\"consent\":{\"statistics\":null}}",
         "wrong_type", "consent.statistics", NULL},
        {"mailbox short", R "\"narrative\":\"x\",\"mailbox\":\"short\"}",
         "bad_mailbox", NULL, NULL},
        {"mailbox without id",
         R "\"narrative\":\"x\",\"mailbox\":"
           "\"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\"}",
         "bad_mailbox", NULL, NULL},
        {"mailbox id upper case",
         R "\"narrative\":\"x\",\"mailbox\":"
           "\"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\",\"mailbox_id\":"
           "\"ABABABABABABABABABABABABABABABABABABABABABABABABABABABABABABABAB\"}",
         "bad_mailbox", NULL, NULL},
        {"mailbox a number", R "\"narrative\":\"x\",\"mailbox\":7}",
         "bad_field", NULL, NULL},
        /* hostile bytes: each refused by the scanner, with where */
        {"duplicate key", R "\"narrative\":\"a\",\"narrative\":\"b\"}",
         "bad_json", NULL, "duplicate key"},
        {"duplicate key by escape",
         R "\"narrative\":\"a\",\"narr\\u0061tive\":\"b\"}", "bad_json",
         NULL, "duplicate key"},
        {"duplicate key deeper",
         R "\"narrative\":\"a\",\"incident\":{\"date\":1,\"date\":2}}",
         "bad_json", NULL, "duplicate key"},
        {"invalid UTF-8", R "\"narrative\":\"\xff\xfe\"}", "bad_utf8", NULL,
         "UTF-8"},
        {"overlong NUL", R "\"narrative\":\"a\xc0\x80\"}", "bad_utf8", NULL,
         "UTF-8"},
        {"overlong slash", R "\"narrative\":\"\xe0\x80\xaf\"}", "bad_utf8",
         NULL, "UTF-8"},
        {"surrogate in UTF-8", R "\"narrative\":\"\xed\xa0\x80\"}",
         "bad_utf8", NULL, "UTF-8"},
        {"above U+10FFFF", R "\"narrative\":\"\xf4\x90\x80\x80\"}",
         "bad_utf8", NULL, "UTF-8"},
        {"truncated sequence", R "\"narrative\":\"\xe2\x82\"}", "bad_utf8",
         NULL, "UTF-8"},
        {"lone high surrogate", R "\"narrative\":\"\\ud800\"}", "bad_json",
         NULL, "surrogate"},
        {"lone low surrogate", R "\"narrative\":\"\\udc00x\"}", "bad_json",
         NULL, "surrogate"},
        {"escaped NUL", R "\"narrative\":\"a\\u0000b\"}", "bad_json", NULL,
         "\\u0000"},
        {"control character", R "\"narrative\":\"a\tb\"}", "bad_json", NULL,
         "control character"},
        {"bad escape", R "\"narrative\":\"\\x41\"}", "bad_json", NULL,
         "bad escape"},
        {"huge integer", R "\"narrative\":\"x\",\"n\":99999999999999999999}",
         "bad_json", NULL, "too big"},
        {"single quotes", "{'schema':'umbra.report/1'}", "bad_json", NULL,
         "expected a key"},
        {"trailing comma", R "\"narrative\":\"x\",}", "bad_json", NULL,
         "expected a key"},
    };
    static const char nul[] = R "\"narrative\":\"a\0b\"}";
    size_t i;

    for (i = 0; i < sizeof cases / sizeof cases[0]; i++)
        check_one(cases[i].label, cases[i].doc, strlen(cases[i].doc),
                  cases[i].code, cases[i].field, cases[i].detail);
    check_one("NUL byte", nul, sizeof nul - 1, "bad_json", NULL,
              "control character");
    check_one("NULL document", NULL, 0, "empty", NULL, NULL);
}

/* A document with member "narrative" (or key) holding n copies of c. */
static char *
doc_with(const char *head, const char *key, size_t n, char c,
         const char *tail)
{
    size_t hl = strlen(head), kl = strlen(key), tl = strlen(tail);
    char *d = malloc(hl + kl + n + tl + 8);

    if (d == NULL)
        return NULL;
    memcpy(d, head, hl);
    d[hl] = '"';
    memcpy(d + hl + 1, key, kl);
    memcpy(d + hl + 1 + kl, "\":\"", 3);
    memset(d + hl + kl + 4, c, n);
    d[hl + kl + 4 + n] = '"';
    memcpy(d + hl + kl + 5 + n, tail, tl + 1);
    return d;
}

/* Each cap of the reader: the cap accepted, one byte more refused. */
static void
test_check_limits(void)
{
    static const struct {
        const char *head, *key;
        size_t cap;
        const char *tail, *code, *field;
    } caps[] = {
        {R, "narrative", UMBRA_REPORT_CHECK_NARRATIVE, "}", "bad_narrative",
         NULL},
        {R "\"narrative\":\"x\",\"incident\":{", "region",
         UMBRA_REPORT_CHECK_INCIDENT_REGION, "}}", "bad_member", "incident"},
        {R "\"narrative\":\"x\",\"incident\":{", "place",
         UMBRA_REPORT_CHECK_INCIDENT_PLACE, "}}", "bad_member", "incident"},
        {R "\"narrative\":\"x\",\"incident\":{", "date",
         UMBRA_REPORT_CHECK_CODE, "}}", "bad_member", "incident"},
        {R "\"narrative\":\"x\",\"perpetrator\":{", "description",
         UMBRA_REPORT_CHECK_PERPETRATOR_DESCRIPTION, "}}", "bad_member",
         "perpetrator"},
        {R "\"narrative\":\"x\",", "lang", UMBRA_REPORT_CHECK_CODE, "}",
         "wrong_type", "lang"},
        {R "\"narrative\":\"x\",", "via", UMBRA_REPORT_CHECK_CODE, "}",
         "wrong_type", "via"},
        {R "\"narrative\":\"x\",", "mailbox", UMBRA_REPORT_CHECK_MAILBOX, "}",
         "bad_field", NULL},
    };
    char label[96], *d, *big;
    size_t i, n;

    for (i = 0; i < sizeof caps / sizeof caps[0]; i++) {
        /* mailbox: a string of the cap is not a key, so refused later */
        int mailbox = strcmp(caps[i].key, "mailbox") == 0;

        snprintf(label, sizeof label, "%s at its cap", caps[i].key);
        d = doc_with(caps[i].head, caps[i].key, caps[i].cap, 'a',
                     caps[i].tail);
        CHECK(d != NULL, "out of memory");
        if (d == NULL)
            return;
        check_one(label, d, strlen(d), mailbox ? "bad_mailbox" : NULL, NULL,
                  NULL);
        free(d);
        snprintf(label, sizeof label, "%s over its cap", caps[i].key);
        d = doc_with(caps[i].head, caps[i].key, caps[i].cap + 1, 'a',
                     caps[i].tail);
        if (d == NULL)
            return;
        check_one(label, d, strlen(d), caps[i].code, caps[i].field, NULL);
        free(d);
    }
    /* the list's length cap, a list element's (code) cap, the depth */
    {
        char doc[4096];
        size_t off;

        for (n = UMBRA_REPORT_CHECK_LIST; n <= UMBRA_REPORT_CHECK_LIST + 1;
             n++) {
            off = (size_t)snprintf(doc, sizeof doc,
                                   R "\"categories\":[\"other\"");
            for (i = 1; i < n; i++)
                off += (size_t)snprintf(doc + off, sizeof doc - off,
                                        ",\"robbery\"");
            snprintf(doc + off, sizeof doc - off, "]}");
            check_one(n == UMBRA_REPORT_CHECK_LIST ? "list at its cap"
                                                   : "list over its cap",
                      doc, strlen(doc),
                      n == UMBRA_REPORT_CHECK_LIST ? NULL : "wrong_type",
                      n == UMBRA_REPORT_CHECK_LIST ? NULL : "categories",
                      NULL);
        }
        for (n = UMBRA_REPORT_CHECK_CODE; n <= UMBRA_REPORT_CHECK_CODE + 1;
             n++) {
            off = (size_t)snprintf(doc, sizeof doc,
                                   R "\"narrative\":\"x\",\"needs\":[\"");
            memset(doc + off, 'z', n);
            snprintf(doc + off + n, sizeof doc - off - n, "\"]}");
            check_one(n == UMBRA_REPORT_CHECK_CODE ? "code at its cap"
                                                   : "code over its cap",
                      doc, strlen(doc),
                      n == UMBRA_REPORT_CHECK_CODE ? NULL : "wrong_type",
                      n == UMBRA_REPORT_CHECK_CODE ? NULL : "needs", NULL);
        }
        /* depth: 16 levels accepted, 17 refused while parsing */
        for (n = UMBRA_REPORT_CHECK_DEPTH; n <= UMBRA_REPORT_CHECK_DEPTH + 1;
             n++) {
            off = (size_t)snprintf(doc, sizeof doc,
                                   R "\"narrative\":\"x\",\"a\":");
            for (i = 1; i < n; i++)
                doc[off++] = '[';
            for (i = 1; i < n; i++)
                doc[off++] = ']';
            snprintf(doc + off, sizeof doc - off, "}");
            check_one(n == UMBRA_REPORT_CHECK_DEPTH ? "depth at its cap"
                                                    : "depth over its cap",
                      doc, strlen(doc),
                      n == UMBRA_REPORT_CHECK_DEPTH ? NULL : "too_deep",
                      NULL, NULL);
        }
    }
    /* deep nesting far past the cap is refused, not recursed into */
    n = 200000;
    big = malloc(2 * n + 1);
    CHECK(big != NULL, "out of memory");
    if (big == NULL)
        return;
    memset(big, '[', n);
    memset(big + n, ']', n);
    check_one("deep nesting", big, 2 * n, "too_deep", NULL, NULL);
    free(big);
    /* values: the root, 2 members, key "a", the array, then its elements */
    n = UMBRA_REPORT_CHECK_VALUES - 7;
    big = malloc(2 * (n + 1) + 64);
    CHECK(big != NULL, "out of memory");
    if (big == NULL)
        return;
    for (i = 0; i <= 1; i++) {
        size_t off = (size_t)snprintf(big, 64, R "\"narrative\":\"x\",\"a\":[");
        size_t k;

        for (k = 0; k < n + i; k++) {
            big[off++] = '0';
            big[off++] = ',';
        }
        big[off - 1] = ']';
        big[off++] = '}';
        check_one(i == 0 ? "values at the cap" : "values over the cap", big,
                  off, i == 0 ? NULL : "bad_json", NULL,
                  i == 0 ? NULL : "more JSON values");
    }
    free(big);
    /* the whole document: larger than the envelope's content cap */
    n = UMBRA_REPORT_CHECK_BYTES;
    big = malloc(n + 1);
    CHECK(big != NULL, "out of memory");
    if (big == NULL)
        return;
    d = doc_with(R, "narrative", 0, 'a', "}");
    if (d != NULL) {
        /* the cap's bytes pass the size check: refused later as too long
         * a narrative, the cap + 1 refused at once */
        size_t hl = strlen(d) - 2;

        memcpy(big, d, hl);
        memset(big + hl, 'a', n - hl - 2);
        memcpy(big + n - 2, "\"}", 2);
        check_one("document at its cap", big, n, "bad_narrative", NULL,
                  NULL);
        big[n] = ' ';
        check_one("document over its cap", big, n + 1, "too_large", NULL,
                  NULL);
        free(d);
    }
    free(big);
}

/* Fields read: codes into bit sets, unknown codes ignored, cuts on a
 * UTF-8 boundary, escapes decoded. */
static void
test_check_fields(void)
{
    static const char doc[] =
        R "\"lang\":\"pt-BR\",\"via\":\"web\",\"incident\":{\"date\":"
          "\"2024-02-29\",\"country\":\"br\",\"region\":\"S\\u00e3o "
          "Paulo\"},\"categories\":[\"robbery\",\"other\",\"zzz\"],"
          "\"needs\":[\"legal\"],\"perpetrator\":{\"type\":\"police\"},"
          "\"narrative\":\"caf\\u00e9 \\ud83d\\ude00 \\\"q\\\"\","
          "\"consent\":{\"statistics\":true,\"alert\":false,"
          "\"share_with_authorities\":1},\"mailbox\":"
          "\"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\",\"mailbox_id\":"
          "\"abababababababababababababababababababababababababababababababab\"}";
    static const char odd[] =
        R "\"lang\":\"x\",\"incident\":{\"date\":\"2026-02-30\",\"country\":"
          "\"b1\"},\"perpetrator\":{\"type\":\"neighbour\"},\"narrative\":"
          "\"x\xe0\xb8\x81\xe0\xb8\x81\xe0\xb8\x81\xe0\xb8\x81\xe0\xb8\x81"
          "\xe0\xb8\x81\xe0\xb8\x81\xe0\xb8\x81\xe0\xb8\x81\xe0\xb8\x81"
          "\xe0\xb8\x81\xe0\xb8\x81\xe0\xb8\x81\xe0\xb8\x81\xe0\xb8\x81"
          "\xe0\xb8\x81\xe0\xb8\x81\xe0\xb8\x81\xe0\xb8\x81\xe0\xb8\x81"
          "\xe0\xb8\x81\xe0\xb8\x81\xe0\xb8\x81\xe0\xb8\x81\xe0\xb8\x81"
          "\xe0\xb8\x81\xe0\xb8\x81\xe0\xb8\x81\xe0\xb8\x81\xe0\xb8\x81"
          "\xe0\xb8\x81\xe0\xb8\x81\xe0\xb8\x81\xe0\xb8\x81\"}";
    struct umbra_report r;
    struct umbra_report_refusal why;
    size_t hl;

    CHECK(umbra_report_check(&r, &why, (const uint8_t *)doc, strlen(doc)) ==
              0,
          "full document accepted (%s)", why.code ? why.code : "");
    CHECK(strcmp(r.lang, "pt-BR") == 0, "lang '%s'", r.lang);
    CHECK(strcmp(r.date, "2024-02-29") == 0, "date '%s'", r.date);
    CHECK(strcmp(r.country, "BR") == 0, "country upper-cased '%s'",
          r.country);
    CHECK(strcmp(r.region, "S\xc3\xa3o Paulo") == 0, "region '%s'",
          r.region);
    CHECK(r.categories == (1u << 2 | 1u << 12), "categories %x",
          (unsigned)r.categories);
    CHECK(r.needs == 1u << 1, "needs %x", (unsigned)r.needs);
    CHECK(r.perpetrator == 1 && r.perpetrators == 1u << 1,
          "perpetrator police = 1");
    {
        struct umbra_report r2;
        struct umbra_report_refusal why2;
        static const char two[] =
            R "\"narrative\":\"x\",\"perpetrator\":{\"type\":\"police\","
              "\"types\":[\"police\",\"landlord\",\"zzz\"]}}";
        static const char only[] =
            R "\"narrative\":\"x\",\"perpetrator\":{\"types\":"
              "[\"zzz\",\"partner\",\"client\"]}}";
        static const char bad[] =
            R "\"narrative\":\"x\",\"perpetrator\":{\"types\":\"police\"}}";

        CHECK(umbra_report_check(&r2, &why2, (const uint8_t *)two,
                                 strlen(two)) == 0 &&
                  r2.perpetrator == 1 &&
                  r2.perpetrators == (1u << 1 | 1u << 4),
              "types: police and landlord read, unknown ignored (%x)",
              (unsigned)r2.perpetrators);
        CHECK(umbra_report_check(&r2, &why2, (const uint8_t *)only,
                                 strlen(only)) == 0 &&
                  r2.perpetrator == 5 &&
                  r2.perpetrators == (1u << 5 | 1u << 0),
              "types without type: the first known is the perpetrator");
        CHECK(umbra_report_check(&r2, &why2, (const uint8_t *)bad,
                                 strlen(bad)) == UMBRA_ERR_FORMAT &&
                  strcmp(why2.code, "bad_member") == 0,
              "types that is not a list is refused");
    }
    CHECK(strcmp(r.head, "caf\xc3\xa9 \xf0\x9f\x98\x80 \"q\"") == 0,
          "narrative unescaped '%s'", r.head);
    CHECK(r.narrative_len == 14, "narrative length %zu", r.narrative_len);
    CHECK(r.consent[0] == 1 && r.consent[1] == 0 && r.consent[2] == 0,
          "consents: only a JSON true counts");
    CHECK(r.has_mailbox && r.mailbox_pk[0] == 0 &&
              strncmp(r.mailbox_id, "abab", 4) == 0,
          "mailbox read");
    CHECK(umbra_report_check(&r, &why, (const uint8_t *)odd, strlen(odd)) ==
              0,
          "odd document accepted");
    CHECK(r.lang[0] == 0 && r.date[0] == 0 && r.country[0] == 0 &&
              r.perpetrator == -1 && !r.has_mailbox,
          "malformed codes left out");
    hl = strlen(r.head);
    CHECK(hl == 94 && r.narrative_len == 103 &&
              umbra_utf8_valid((const uint8_t *)r.head, hl),
          "head cut on a character boundary (%zu of %zu)", hl,
          r.narrative_len);
    {
        /* an escaped narrative cut inside a raw two-byte character: the
         * head stops before it (fuzz_report_check found a cut mid-way) */
        char esc[160];
        int k = snprintf(esc, sizeof esc, R "\"narrative\":\"\\\"");

        memset(esc + k, 'x', 94);
        snprintf(esc + k + 94, sizeof esc - (size_t)k - 94,
                 "\xc3\xa9\xc3\xa9\"}");
        CHECK(umbra_report_check(&r, &why, (const uint8_t *)esc,
                                 strlen(esc)) == 0 &&
                  strlen(r.head) == 95 && r.narrative_len == 99 &&
                  umbra_utf8_valid((const uint8_t *)r.head, strlen(r.head)),
              "escaped head cut on a character boundary (%zu)",
              strlen(r.head));
    }
    CHECK(umbra_lang_tag_valid("th", 35) && umbra_lang_tag_valid("pt-BR", 5) &&
              !umbra_lang_tag_valid("pt-BR", 4) &&
              !umbra_lang_tag_valid("t", 35) &&
              !umbra_lang_tag_valid("pt_BR", 35) &&
              !umbra_lang_tag_valid(NULL, 35),
          "language tag rule");
}

/* Every document umbra_report_build makes passes umbra_report_check, at
 * the builder's caps too. */
static void
test_check_round_trip(void)
{
    static const char *const cats[] = {"robbery", "other"};
    static const char *const needs[] = {"safety"};
    static const char *const kinds[] = {"phone", "plate", "handle", "phone",
                                        "plate"};
    char *narr = malloc(UMBRA_REPORT_NARRATIVE_MAX + 1),
         *desc = malloc(UMBRA_REPORT_PERPETRATOR_DESCRIPTION_MAX + 1),
         *region = malloc(UMBRA_REPORT_INCIDENT_REGION_MAX + 1),
         *val = malloc(UMBRA_REPORT_PERPETRATOR_IDENTIFIERS_VALUE_MAX + 1);
    const char *vals[5];
    size_t i, k;

    CHECK(narr && desc && region && val, "out of memory");
    if (narr && desc && region && val) {
        /* the builder's caps, in Thai (3 bytes a character) and plain */
        for (k = 0; k + 3 <= UMBRA_REPORT_NARRATIVE_MAX; k += 3)
            memcpy(narr + k, "\xe0\xb8\x81", 3);
        narr[k] = 0;
        memset(desc, '"', UMBRA_REPORT_PERPETRATOR_DESCRIPTION_MAX);
        desc[UMBRA_REPORT_PERPETRATOR_DESCRIPTION_MAX] = 0;
        memset(region, '\n', UMBRA_REPORT_INCIDENT_REGION_MAX);
        region[UMBRA_REPORT_INCIDENT_REGION_MAX] = 0;
        memset(val, '7', UMBRA_REPORT_PERPETRATOR_IDENTIFIERS_VALUE_MAX);
        val[UMBRA_REPORT_PERPETRATOR_IDENTIFIERS_VALUE_MAX] = 0;
        for (i = 0; i < 5; i++)
            vals[i] = val;
        for (i = 0; i < 2; i++) {
            struct umbra_report_fields f = {
                .lang = "th", .via = "web-nojs", .date = "2024-02",
                .country = "th", .region = region, .place = region,
                .categories = cats, .ncategories = 2, .needs = needs,
                .nneeds = 1, .perpetrator = "landlord",
                .description = desc, .ids_kind = kinds, .ids_value = vals,
                .nids = 5, .narrative = i == 0 ? narr : "short",
                .consent = {1, 1, 0}};
            struct umbra_report r;
            struct umbra_report_refusal why;
            const char *code;
            json_t *doc = umbra_report_build(&f, &code);
            char *text = doc ? json_dumps(doc, JSON_COMPACT) : NULL;
            int err = text ? umbra_report_check(&r, &why,
                                                (const uint8_t *)text,
                                                strlen(text))
                           : -99;

            CHECK(err == 0, "built document %zu checks (%d %s)", i, err,
                  err == UMBRA_ERR_FORMAT ? why.code : "");
            CHECK(err != 0 ||
                      (r.categories == (1u << 2 | 1u << 12) &&
                       r.needs == 1u << 4 && r.perpetrator == 4 &&
                       strcmp(r.country, "TH") == 0 &&
                       strcmp(r.date, "2024-02") == 0 &&
                       strcmp(r.lang, "th") == 0 && r.consent[0] == 1 &&
                       r.consent[1] == 1 && r.consent[2] == 0 &&
                       r.narrative_len == strlen(f.narrative)),
                  "built document %zu reads back", i);
            free(text);
            json_decref(doc);
        }
    }
    free(narr);
    free(desc);
    free(region);
    free(val);
}

CHECK_MAIN(test_date, test_vocab, test_build, test_check_refusals,
           test_check_limits, test_check_fields, test_check_round_trip)
