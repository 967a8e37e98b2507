/* Unit tests of report.c and the generated vocabulary (report_vocab.c). */
#include "check.h"

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

int
main(void)
{
    if (umbra_secure_init() != 0)
        return 2;
    test_date();
    test_vocab();
    return check_done();
}
