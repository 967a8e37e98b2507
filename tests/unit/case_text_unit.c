/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * Unit tests of umbra-case's text helpers: display widths (dwidth.h),
 * reply templates (templates.h) and passphrase strength (strength.h).
 * Table-driven; ends with "N passed, N failed".
 */
#include "check.h"
#include "dwidth.h"
#include "strength.h"
#include "templates.h"

#include <stdio.h>
#include <string.h>

static const struct {
    const char *text;
    size_t width;
    const char *what;
} WIDTHS[] = {
    {"", 0, "empty"},
    {"robbery", 7, "ASCII"},
    /* "ไม้" = MO MALAI, MAI THO (combining), then a base: 2 columns */
    {"\xe0\xb9\x84\xe0\xb8\xa1\xe0\xb9\x89", 2, "Thai tone mark is 0"},
    /* "น้ำ": NO NU, MAI THO (0), SARA AM (1) */
    {"\xe0\xb8\x99\xe0\xb9\x89\xe0\xb8\xb3", 2, "Thai sara am is 1"},
    /* "ที่": THO THAHAN, SARA II (0), MAI EK (0) */
    {"\xe0\xb8\x97\xe0\xb8\xb5\xe0\xb9\x88", 1, "Thai stacked marks"},
    /* "警察" police: 2 CJK = 4 columns */
    {"\xe8\xad\xa6\xe5\xaf\x9f", 4, "CJK is 2 each"},
    /* "شرطة" police: 4 Arabic letters */
    {"\xd8\xb4\xd8\xb1\xd8\xb7\xd8\xa9", 4, "Arabic letters are 1"},
    /* "شُرطة" with a damma (U+064F) */
    {"\xd8\xb4\xd9\x8f\xd8\xb1\xd8\xb7\xd8\xa9", 4, "Arabic harakat are 0"},
    /* e + combining acute (U+0301), as Vietnamese may be typed */
    {"e\xcc\x81", 1, "combining acute is 0"},
    {"\xed\x95\x9c\xea\xb8\x80", 4, "Hangul is 2"},
    {"\xef\xbc\xa1", 2, "fullwidth A is 2"},
    {"\xf0\x9f\x98\x80", 2, "emoji is 2"},
    {"a\xe2\x80\x8b" "b", 2, "zero-width space is 0"},
    /* as case_print_safe shows them */
    {"a\xff" "b", 6, "a bad byte shows as \\xff: 4"},
    {"\xe2\x80\xae", 8, "a bidi override shows as <U+202E>"},
    {"a\tb", 3, "a tab shows as U+FFFD"},
};

static void
test_widths(void)
{
    size_t i;

    for (i = 0; i < sizeof WIDTHS / sizeof WIDTHS[0]; i++) {
        size_t w = umbra_display_width(WIDTHS[i].text, strlen(WIDTHS[i].text));

        CHECK(w == WIDTHS[i].width, "width of %s: %zu, want %zu",
              WIDTHS[i].what, w, WIDTHS[i].width);
    }
}

/* Prints through umbra_display_cell into a buffer. */
static size_t
cell(char *out, size_t cap, const char *s, size_t cols, int pad)
{
    FILE *f = fmemopen(out, cap, "w");
    long n;

    if (f == NULL)
        return 0;
    umbra_display_cell(f, s, strlen(s), cols, pad);
    n = ftell(f);
    fclose(f);
    return n < 0 ? 0 : (size_t)n;
}

static void
test_fit(void)
{
    /* "ที่นี่" (here): 2 columns, 18 bytes */
    static const char here[] = "\xe0\xb8\x97\xe0\xb8\xb5\xe0\xb9\x88"
                               "\xe0\xb8\x99\xe0\xb8\xb5\xe0\xb9\x88";
    static const char cjk[] = "\xe8\xad\xa6\xe5\xaf\x9f\xe8\xad\xa6";
    char out[256];
    size_t w = 99, n;

    n = umbra_display_fit(here, strlen(here), 1, &w);
    CHECK(n == 9 && w == 1, "Thai cut keeps the marks with their base: "
          "%zu bytes, %zu cols", n, w);
    n = umbra_display_fit(cjk, strlen(cjk), 3, &w);
    CHECK(n == 3 && w == 2, "a wide character is never split: %zu, %zu", n,
          w);
    n = cell(out, sizeof out, cjk, 4, 1);
    CHECK(n == 7 && memcmp(out, "\xe8\xad\xa6\xe2\x80\xa6 ", 7) == 0,
          "CJK cut to 4 columns: one character, the ellipsis, one space "
          "(%zu bytes)", n);
    CHECK(umbra_display_width(out, n) == 4, "and that cell is 4 columns");
    n = cell(out, sizeof out, here, 6, 1);
    CHECK(n == 18 + 4 && umbra_display_width(out, n) == 6,
          "Thai padded to 6 columns by width, not bytes");
    n = cell(out, sizeof out, "abcdef", 6, 1);
    CHECK(n == 6 && memcmp(out, "abcdef", 6) == 0, "an exact fit: no cut");
    n = cell(out, sizeof out, "abcdefg", 6, 0);
    CHECK(n == 8 && memcmp(out, "abcde\xe2\x80\xa6", 8) == 0,
          "one too many: five and the ellipsis");
}

static void
test_templates(void)
{
    struct reply_template t;
    const char *en = reply_template_text("received", "en");

    CHECK(reply_template_count() == 5, "five templates");
    CHECK(en != NULL && strstr(en, "received") != NULL, "English received");
    CHECK(reply_template_find(&t, "safe-now", "pt") == 0 &&
              strcmp(t.lang, "pt-BR") == 0 && !t.fallback && t.draft,
          "'pt' gives the pt-BR draft, 'safe-now' is safe_now");
    CHECK(reply_template_find(&t, "lawyer", "ar-EG") == 0 &&
              strcmp(t.lang, "ar") == 0,
          "ar-EG gives ar");
    CHECK(reply_template_find(&t, "lawyer", "zh-TW") == 0 &&
              strcmp(t.lang, "zh-CN") == 0,
          "zh-TW gives zh-CN");
    CHECK(reply_template_find(&t, "lawyer", "xx") == 0 &&
              strcmp(t.lang, "en") == 0 && t.fallback && !t.draft,
          "an unknown language: English, marked fallback");
    CHECK(reply_template_text("lawyer", "th") != NULL &&
              strcmp(reply_template_text("lawyer", "th"),
                     reply_template_text("lawyer", "en")) != 0,
          "Thai differs from English");
    CHECK(reply_template_text("nope", "en") == NULL, "unknown template");
    CHECK(reply_template_find(&t, "", "en") == -1 && t.text == NULL,
          "empty name");
    CHECK(reply_template_name(5) == NULL, "past the last name");
}

static const struct {
    const char *pw;
    int weak;
} PASSPHRASES[] = {
    {"password", 1},
    {"Password123!", 1},
    {"Tr0ub4dor&3", 1},
    {"correcthorsebattery", 1},
    {"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", 1},
    {"1234567890123456789012345", 1},
    {"qwertyuiopasdfghjklzxcvbnm", 1},
    {"lantern quarry violet harbour mitten", 0},
    {"apple table green house water", 0},
    {"7e3a1f0c9b2d4e6a8f1c3b5d7e9f0a2c", 0},
    /* Thai: three words refused, five accepted */
    {"\xe0\xb8\xa1\xe0\xb9\x89\xe0\xb8\xb2 \xe0\xb9\x81\xe0\xb8\xa1\xe0\xb8"
     "\xa7 \xe0\xb8\x9a\xe0\xb9\x89\xe0\xb8\xb2\xe0\xb8\x99",
     1},
    {"\xe0\xb8\xa1\xe0\xb9\x89\xe0\xb8\xb2 \xe0\xb9\x81\xe0\xb8\xa1\xe0\xb8"
     "\xa7 \xe0\xb8\x9a\xe0\xb9\x89\xe0\xb8\xb2\xe0\xb8\x99 \xe0\xb8\x99"
     "\xe0\xb9\x89\xe0\xb8\xb3 \xe0\xb9\x84\xe0\xb8\x9f",
     0},
};

static void
test_strength(void)
{
    char why[200];
    double bits;
    size_t i;

    for (i = 0; i < sizeof PASSPHRASES / sizeof PASSPHRASES[0]; i++) {
        const char *pw = PASSPHRASES[i].pw;
        int weak = strength_weak(&bits, why, sizeof why, pw, strlen(pw));

        CHECK(weak == PASSPHRASES[i].weak, "passphrase #%zu: weak %d (%.0f "
              "bits), want %d", i, weak, bits, PASSPHRASES[i].weak);
        CHECK(weak ? why[0] != '\0' && strstr(why, pw) == NULL
                   : why[0] == '\0',
              "passphrase #%zu: a reason when weak, never the text", i);
    }
}

CHECK_MAIN(test_widths, test_fit, test_templates, test_strength)
