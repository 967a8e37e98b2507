/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * Unit tests of the identifier normaliser (ident.h, protocol section
 * 6.2): every rule of every kind, table-driven with the values written
 * by hand here, then the hostile inputs (letters in phone numbers, a
 * 10,000-character handle, mixed scripts and confusables, invalid UTF-8,
 * invisible characters) and the calling code table against the form's
 * country menu. Ends with "N passed, N failed".
 */
#include "check.h"
#include "ident.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define C UMBRA_IDENT_CUT
#define M UMBRA_IDENT_MIXED
#define NP UMBRA_IDENT_NOT_PHONE
#define NC UMBRA_IDENT_NO_COUNTRY

static const struct {
    const char *kind, *country, *in, *value;
    unsigned flags;
} rules[] = {
    /* phone: the same Thai number typed three ways is one value */
    {"phone", "TH", "081-234-5678", "+66812345678", 0},
    {"phone", "DE", "+66 81 234 5678", "+66812345678", 0},
    {"phone", "th",
     "\xe0\xb9\x90\xe0\xb9\x98\xe0\xb9\x91 \xe0\xb9\x92"
     "\xe0\xb9\x93\xe0\xb9\x94 \xe0\xb9\x95\xe0\xb9\x96"
     "\xe0\xb9\x97\xe0\xb9\x98",
     "+66812345678", 0},
    {"phone", NULL, "0066 81 234 5678", "+66812345678", 0},
    {"phone", "TH", "(081) 234.5678", "+66812345678", 0},
    /* full-width digits and plus, Arabic-Indic digits */
    {"phone", "GB", "\xef\xbc\x8b\xef\xbc\x94\xef\xbc\x94 7700 900123",
     "+447700900123", 0},
    {"phone", "EG", "\xd9\xa0\xd9\xa1\xd9\xa0\xd9\xa0 123 4567",
     "+201001234567", 0},
    /* trunk prefixes: 0 dropped; none in Italy; 8 in Russia with 11
     * digits; 1 in the US with 11 digits; 06 in Hungary */
    {"phone", "GB", "07700 900123", "+447700900123", 0},
    {"phone", "IT", "06 1234 5678", "+390612345678", 0},
    {"phone", "RU", "8 912 345-67-89", "+79123456789", 0},
    {"phone", "RU", "912 345 67 89", "+79123456789", 0},
    {"phone", "US", "1 (202) 555-0143", "+12025550143", 0},
    {"phone", "US", "202-555-0143", "+12025550143", 0},
    {"phone", "HU", "06 30 123 4567", "+36301234567", 0},
    {"phone", "ES", "612 34 56 78", "+34612345678", 0},
    /* no country known: digits only, flagged */
    {"phone", NULL, "081 234 5678", "0812345678", NC},
    {"phone", "ZZ", "081 234 5678", "0812345678", NC},
    /* letters: not a number, kept as typed (spaces folded) */
    {"phone", "TH", "081 CALL ME", "081 CALL ME", NP},
    {"phone", "TH", "  o81  234 5678 ", "o81 234 5678", NP},
    {"phone", "TH", "+66 +81", "+66 +81", NP},
    {"phone", "TH", "---", "---", NP},
    /* plate: full-width folded, upper case, no spaces, dashes or dots */
    {"plate", NULL, "ab-123 cd", "AB123CD", 0},
    {"plate", NULL,
     "\xef\xbd\x81\xef\xbd\x82\xe3\x80\x80\xef\xbc\x91\xef"
     "\xbc\x92\xef\xbc\x93",
     "AB123", 0},
    {"plate", NULL, "b.ab.1234", "BAB1234", 0},
    {"plate", NULL, "\xd0\xb0\xd0\xb2 123",
     "\xd0\x90\xd0\x92"
     "123",
     0},
    {"plate", NULL,
     "\xe0\xb8\x81\xe0\xb8\x82 \xe0\xb9\x91\xe0\xb9\x92"
     "\xe0\xb9\x93\xe0\xb9\x94",
     "\xe0\xb8\x81\xe0\xb8\x82"
     "1234",
     0},
    {"plate", NULL, "m\xc3\xbc-12",
     "M\xc3\x9c"
     "12",
     0},
    /* handle: lower case, leading @ dropped, profile addresses reduced */
    {"handle", NULL, "@BigJohn", "bigjohn", 0},
    {"handle", NULL, "  @@Big  John ", "big john", 0},
    {"handle", NULL, "https://www.instagram.com/BigJohn/?hl=en", "bigjohn", 0},
    {"handle", NULL, "instagram.com/bigjohn", "bigjohn", 0},
    {"handle", NULL, "https://www.tiktok.com/@BigJohn", "bigjohn", 0},
    {"handle", NULL, "https://m.facebook.com/profile.php?id=1000123", "1000123",
     0},
    {"handle", NULL, "http://t.me/bigjohn", "bigjohn", 0},
    {"handle", NULL, "https://x.com/BigJohn#top", "bigjohn", 0},
    {"handle", NULL, "https://www.snapchat.com/add/bigjohn", "bigjohn", 0},
    {"handle", NULL, "https://www.example.org/men/john/",
     "example.org/men/john", 0},
    {"handle", NULL, "https://www.instagram.com/", "instagram.com", 0},
    {"handle", NULL, "m.smith", "m.smith", 0},
    {"handle", NULL, "www.smith", "www.smith", 0},
    {"handle", NULL, "www.instagram.com/bigjohn", "bigjohn", 0},
    {"handle", NULL, "https://instagram.com/m.com/n/", "m.com", 0},
    {"handle", NULL, "\xd0\x98\xd0\x92\xd0\x90\xd0\x9d",
     "\xd0\xb8\xd0\xb2\xd0\xb0\xd0\xbd", 0},
    /* place: case and spaces folded */
    {"place", NULL, "  Hotel   Sunrise,  Soi 4 ", "hotel sunrise, soi 4", 0},
    {"place", NULL, "HOTEL\tSUNRISE", "hotel sunrise", 0},
    /* invisible characters dropped: a zero-width space hides nothing */
    {"handle", NULL, "big\xe2\x80\x8bjohn", "bigjohn", 0},
    /* mixed scripts: kept, flagged, never made Latin */
    {"handle", NULL, "bigj\xd0\xbehn", "bigj\xd0\xbehn", M},
    {"plate", NULL,
     "\xd0\x90"
     "B123",
     "\xd0\x90"
     "B123",
     M},
    {"place", NULL, "Soi 4 \xe0\xb8\x8b\xe0\xb8\xad\xe0\xb8\xa2",
     "soi 4 \xe0\xb8\x8b\xe0\xb8\xad\xe0\xb8\xa2", M},
    /* Japanese mixes kanji and kana: one script */
    {"place", NULL,
     "\xe6\x96\xb0\xe5\xae\xbf\xe3\x83\x9b\xe3\x83\x86\xe3"
     "\x83\xab",
     "\xe6\x96\xb0\xe5\xae\xbf\xe3\x83\x9b\xe3\x83\x86\xe3\x83\xab", 0},
};

static void
test_rules(void)
{
    size_t i;

    for (i = 0; i < sizeof rules / sizeof rules[0]; i++) {
        struct umbra_ident id;
        int rc = umbra_ident_normalise(&id, rules[i].kind, rules[i].in,
                                       strlen(rules[i].in), rules[i].country);

        CHECK(rc == 0 && strcmp(id.value, rules[i].value) == 0 &&
                  id.flags == rules[i].flags,
              "%s '%s' (%s): got rc %d '%s' flags %u, want '%s' flags %u",
              rules[i].kind, rules[i].in,
              rules[i].country ? rules[i].country : "-", rc, id.value, id.flags,
              rules[i].value, rules[i].flags);
    }
}

/* the skeleton points at look-alikes, the value keeps them apart */
static void
test_confusables(void)
{
    struct umbra_ident lat, cyr, gre;

    CHECK(umbra_ident_normalise(&lat, "plate", "AB 123", 6, NULL) == 0 &&
              umbra_ident_normalise(&cyr, "plate", "\xd0\x90\xd0\x92 123", 8,
                                    NULL) == 0 &&
              umbra_ident_normalise(&gre, "plate", "\xce\x91\xce\x92 123", 8,
                                    NULL) == 0,
          "three plates normalised");
    CHECK(strcmp(lat.value, cyr.value) != 0 &&
              strcmp(lat.value, gre.value) != 0 &&
              strcmp(cyr.value, gre.value) != 0,
          "Latin, Cyrillic and Greek look-alikes are three values");
    CHECK(strcmp(lat.skeleton, "AB123") == 0 &&
              strcmp(cyr.skeleton, "AB123") == 0 &&
              strcmp(gre.skeleton, "AB123") == 0,
          "one skeleton for the three: '%s' '%s' '%s'", lat.skeleton,
          cyr.skeleton, gre.skeleton);
    CHECK(cyr.flags == 0 && lat.flags == 0,
          "a plate all in one script is not flagged");
    CHECK(umbra_ident_normalise(&cyr, "handle", "\xd1\x80\xd0\xb0\xd1\x83l", 7,
                                NULL) == 0 &&
              cyr.flags == M && strcmp(cyr.skeleton, "payl") == 0 &&
              strcmp(cyr.value, "payl") != 0,
          "a Cyrillic-Latin handle: flagged, skeleton Latin, value not");
}

static void
test_hostile(void)
{
    struct umbra_ident id;
    char *big = malloc(10001 * 3);
    size_t i, n;

    if (big == NULL)
        abort();
    memset(big, 'a', 10000);
    CHECK(umbra_ident_normalise(&id, "handle", big, 10000, NULL) == 0 &&
              strlen(id.value) == 200 && (id.flags & C) != 0,
          "a 10,000-character handle is cut at 200 and flagged");
    memset(big, 'a', 200);
    CHECK(umbra_ident_normalise(&id, "handle", big, 200, NULL) == 0 &&
              strlen(id.value) == 200 && id.flags == 0,
          "200 characters are kept whole");
    for (i = 0, n = 0; i < 10000; i++, n += 3)
        memcpy(big + n, "\xe0\xb8\x81", 3); /* Thai ko kai */
    CHECK(umbra_ident_normalise(&id, "place", big, n, NULL) == 0 &&
              strlen(id.value) == 600 && (id.flags & C) != 0,
          "10,000 Thai letters: cut at 200 (600 bytes)");
    for (i = 0, n = 0; i < 150; i++, n += 4)
        memcpy(big + n, "\xf0\x9f\x98\x80", 4); /* an emoji, 2 units */
    CHECK(umbra_ident_normalise(&id, "handle", big, n, NULL) == 0 &&
              strlen(id.value) == 400 && (id.flags & C) != 0,
          "150 emoji are 300 units: cut at 100 emoji, never mid-character");
    memset(big, '9', 10000);
    CHECK(umbra_ident_normalise(&id, "phone", big, 10000, "TH") == 0 &&
              strlen(id.value) == 203 && (id.flags & C) != 0,
          "10,000 digits: 200 kept, calling code added, flagged");
    free(big);
    CHECK(umbra_ident_normalise(&id, "handle", "ab\xc0\xafz", 5, NULL) ==
                  UMBRA_ERR_FORMAT &&
              id.value[0] == 0 && id.flags == 0,
          "an overlong UTF-8 sequence is refused");
    CHECK(umbra_ident_normalise(&id, "handle", "ab\0cd", 5, NULL) ==
              UMBRA_ERR_FORMAT,
          "a NUL is refused");
    CHECK(umbra_ident_normalise(&id, "handle", "\xed\xa0\x80", 3, NULL) ==
              UMBRA_ERR_FORMAT,
          "a surrogate is refused");
    CHECK(umbra_ident_normalise(&id, "handle", " @ ", 3, NULL) ==
                  UMBRA_ERR_FORMAT &&
              id.value[0] == 0,
          "nothing left once normalised: refused");
    CHECK(umbra_ident_normalise(&id, "email", "a@b", 3, NULL) ==
                  UMBRA_ERR_ARG &&
              id.kind == -1,
          "an unknown kind is refused");
    CHECK(umbra_ident_normalise(&id, "phone", NULL, 0, NULL) == UMBRA_ERR_ARG,
          "a NULL value is refused");
    CHECK(umbra_ident_normalise(&id, "plate", "a\x01\x1b[31mb", 8, NULL) == 0 &&
              strcmp(id.value, "A[31MB") == 0,
          "control characters are dropped from a plate, never kept: '%s'",
          id.value);
    CHECK(umbra_ident_normalise(&id, "place", "<script>alert(1)</script>", 25,
                                NULL) == 0 &&
              strcmp(id.value, "<script>alert(1)</script>") == 0,
          "markup is text: kept, to be escaped where it is shown");
    CHECK(umbra_ident_normalise(&id, "place", "x", 1, NULL) == 0 &&
              id.kind == 3,
          "place is the fourth kind of the vocabulary");
}

/* every country of the form's menu (web/templates/countries.html, read
 * from the source tree) has a calling code, except ZZ (other) */
static void
test_calling_codes(void)
{
    FILE *f = fopen("web/templates/countries.html", "r");
    char line[512];
    int n = 0, missing = 0;
    const char *trunk = NULL;

    CHECK(f != NULL, "web/templates/countries.html opened (run from the "
                     "source tree)");
    if (f == NULL)
        return;
    while (fgets(line, sizeof line, f) != NULL) {
        char *p = strstr(line, "<option value=\"");
        char cc[3];

        if (p == NULL || strlen(p) < 17 || p[17] != '"')
            continue;
        memcpy(cc, p + 15, 2);
        cc[2] = 0;
        n++;
        if (strcmp(cc, "ZZ") != 0 &&
            umbra_ident_calling_code(cc, NULL) == NULL) {
            missing++;
            CHECK(0, "no calling code for %s", cc);
        }
    }
    fclose(f);
    CHECK(n >= 50 && missing == 0, "%d countries of the menu, %d missing", n,
          missing);
    CHECK(strcmp(umbra_ident_calling_code("th", &trunk), "66") == 0 &&
              strcmp(trunk, "0") == 0,
          "TH: 66, trunk 0");
    CHECK(umbra_ident_calling_code("ZZ", NULL) == NULL &&
              umbra_ident_calling_code("T", NULL) == NULL &&
              umbra_ident_calling_code(NULL, NULL) == NULL,
          "unknown countries have none");
}

CHECK_MAIN(test_rules, test_confusables, test_hostile, test_calling_codes)
