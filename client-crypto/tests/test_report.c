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
        {umbra_report_id_kinds, UMBRA_REPORT_NID_KINDS, "phone", "handle"},
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
         "\"perpetrator\":{\"type\":\"police\",\"description\":\"tall\","
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
         "bad_identifier", NULL},
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
    {
        struct umbra_report_fields f = {.narrative = narr_max};
        const char *code;
        json_t *doc = umbra_report_build(&f, &code);

        CHECK(doc != NULL, "a narrative of exactly the cap is kept");
        json_decref(doc);
    }
    free(narr_max);
}

int
main(void)
{
    if (umbra_secure_init() != 0)
        return 2;
    test_date();
    test_vocab();
    test_build();
    return check_done();
}
