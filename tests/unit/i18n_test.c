/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * i18n_test: the choice of a language from Accept-Language (i18n_accept)
 * and for a request (page_lang_choose), against the real catalogues of
 * web/locales: one table of header -> language, with the bad inputs of
 * issue 13 (empty, malformed, 8 KB long, only unknown languages) and the
 * caps at their edges.
 *
 *   build/i18n-test [WEB_DIR]      (default: web)
 */
#include "../../server/i18n.h"
#include "../../server/page.h"
#include "check.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct {
    const char *header, *want; /* want NULL: nothing matches, ask */
} CASES[] = {
    /* empty, blank, absent */
    {NULL, NULL},
    {"", NULL},
    {"   ", NULL},
    {",,, ,", NULL},
    /* the twelve, any case, and their regions and scripts */
    {"en", "en"},
    {"EN-us", "en"},
    {"es", "es"},
    {"es-MX", "es"},
    {"es-419", "es"},
    {"pt", "pt-BR"},
    {"pt-PT", "pt-BR"},
    {"pt-br", "pt-BR"},
    {"fr-CA", "fr"},
    {"ro-MD", "ro"},
    {"bg", "bg"},
    {"ru-RU", "ru"},
    {"uk-UA", "uk"},
    {"zh", "zh-CN"},
    {"zh-TW", "zh-CN"},
    {"zh-Hans", "zh-CN"},
    {"zh-Hans-CN", "zh-CN"},
    {"th-TH", "th"},
    {"vi-VN", "vi"},
    {"ar-EG", "ar"},
    /* weights: best first, equal weights in the header's order */
    {"de-DE, th;q=0.8", "th"},
    {"de, fr;q=0.5, ru;q=0.9", "ru"},
    {"th;q=0.5, vi;q=0.5", "th"},
    {"es;q=0.8,en-US;q=0.9", "en"},
    {"ar;q=0.001, de", "ar"},
    {"\t es \t;\t q=0.7 , en;q=0.6", "es"},
    {"es;Q=0.7", "es"},
    {"vi;q=1.000", "vi"},
    {"vi;q=1, th;q=0.999", "vi"},
    /* the wildcard and refusals */
    {"*", "en"},
    {"fr;q=0.1, *;q=0.5", "en"},
    {"de, *;q=0.1", "en"},
    {"en;q=0, *", NULL},
    {"de;q=0.9, en;q=0", NULL},
    {"ar-EG;q=0.9, ar;q=0", NULL},
    {"th;q=0", NULL},
    {"th;q=0.000, vi", "vi"},
    /* only unknown languages */
    {"xx", NULL},
    {"de-DE, nl;q=0.9, ja;q=0.8", NULL},
    {"klingon", NULL},
    {"i-klingon", NULL},
    /* malformed entries are skipped, never guessed at */
    {"abcdefghi", NULL},
    {"abcdefghi, es", "es"},
    {"en;q=2", NULL},
    {"en;q=2, th", "th"},
    {"en;q=0.5x", NULL},
    {"en;q=1.001", NULL},
    {"en;q=.5", NULL},
    {"en;q=0.1234", NULL},
    {"en;q=", NULL},
    {"en;q", NULL},
    {"en;", NULL},
    {"en;level=1", NULL},
    {"en;q=0.5;q=0.4", NULL},
    {"en_US", NULL},
    {"e n", NULL},
    {"-en", NULL},
    {"en-", NULL},
    {"en--us", NULL},
    {"1en", NULL},
    {"en-abcdefghi", NULL},
    {"<script>", NULL},
    {"\"es\"", NULL},
    {"\xd1\x80\xd1\x83", NULL},     /* "ру" in UTF-8 */
    {"es\xc2\xa0", NULL},            /* a no-break space is no OWS */
    {"en-a-bbb-x-a-ccc-ddddddd-ee", "en"}, /* 27 characters */
    {"en-aaaaaaaa-bbbbbbbb-cccccccc-dd", "en"}, /* 32 characters */
    {"en-aaaaaaaa-bbbbbbbb-cccccccc-dddddd", NULL}, /* 36: too long */
};

/* A header of n bytes: fill's entries ("xx, ") up to its end, then last
 * ("es") ending exactly at byte n. */
static char *
padded(size_t n, const char *fill, const char *last)
{
    size_t fl = strlen(fill), ll = strlen(last), i = 0;
    char *s = malloc(n + 1);
    if (!s || n < ll)
        abort();
    while (i + fl <= n - ll) {
        memcpy(s + i, fill, fl);
        i += fl;
    }
    while (i < n - ll)
        s[i++] = ' ';
    memcpy(s + i, last, ll);
    s[n] = '\0';
    return s;
}

static void
test_caps(const struct i18n *t)
{
    char *h, buf[512];
    const char *m;
    size_t used = 0;

    /* the byte cap: an entry ending on the last byte counts, one byte
     * further it is dropped */
    h = padded(I18N_ACCEPT_MAX_BYTES, ";;;;;;;,", ",es");
    m = i18n_accept(t, h);
    CHECK(m && strcmp(m, "es") == 0, "es ending at byte %d counts (%s)",
          I18N_ACCEPT_MAX_BYTES, m ? m : "NULL");
    free(h);
    h = padded(I18N_ACCEPT_MAX_BYTES + 1, ";;;;;;;,", ",es");
    CHECK(i18n_accept(t, h) == NULL, "es ending at byte %d is dropped",
          I18N_ACCEPT_MAX_BYTES + 1);
    free(h);

    /* 8 KB long */
    h = padded(8192, "xx, ", ", es");
    CHECK(i18n_accept(t, h) == NULL, "8 KB of unknown languages, es last: "
                                     "es is past the cap");
    free(h);
    h = padded(8192, "a", "");
    CHECK(i18n_accept(t, h) == NULL, "8 KB of one letter");
    free(h);
    h = padded(8192, ";;;;", "");
    CHECK(i18n_accept(t, h) == NULL, "8 KB of semicolons");
    free(h);
    h = malloc(8193);
    if (!h)
        abort();
    memcpy(h, "th;q=0.9, ", 10);
    memset(h + 10, 'z', 8182);
    h[8192] = '\0';
    m = i18n_accept(t, h);
    CHECK(m && strcmp(m, "th") == 0, "8 KB with th first: th (%s)",
          m ? m : "NULL");
    free(h);

    /* the count cap: the 33rd well-formed entry is not read */
    for (int i = 0; i < I18N_ACCEPT_MAX_RANGES - 1; i++)
        used += (size_t)snprintf(buf + used, sizeof buf - used, "xx,");
    snprintf(buf + used, sizeof buf - used, "es");
    m = i18n_accept(t, buf);
    CHECK(m && strcmp(m, "es") == 0, "es as entry %d counts",
          I18N_ACCEPT_MAX_RANGES);
    snprintf(buf + used, sizeof buf - used, "xx,es");
    CHECK(i18n_accept(t, buf) == NULL, "es as entry %d is not read",
          I18N_ACCEPT_MAX_RANGES + 1);
}

static void
test_request(void)
{
    int vary = -1;
    const char *m;

    m = page_lang_choose("th", "es", &vary);
    CHECK(m && strcmp(m, "th") == 0 && vary == 0,
          "?lang=th wins over the header, no Vary");
    m = page_lang_choose("pt", NULL, &vary);
    CHECK(m && strcmp(m, "pt-BR") == 0 && vary == 0, "?lang=pt -> pt-BR");
    m = page_lang_choose("xx", "es-MX", &vary);
    CHECK(m && strcmp(m, "es") == 0 && vary == 1,
          "an unknown ?lang= falls to the header, Vary");
    m = page_lang_choose("", "ar-EG", &vary);
    CHECK(m && strcmp(m, "ar") == 0 && vary == 1, "empty ?lang=");
    m = page_lang_choose(NULL, NULL, &vary);
    CHECK(m == NULL && vary == 1, "no lang, no header: ask");
    m = page_lang_choose(NULL, "de, ja", &vary);
    CHECK(m == NULL && vary == 1, "only unknown languages: ask");
}

int
main(int argc, char **argv)
{
    const char *web = argc > 1 ? argv[1] : "web";
    char dir[1024];
    struct i18n t;

    memset(&t, 0, sizeof t);
    snprintf(dir, sizeof dir, "%s/locales", web);
    if (i18n_load(&t, dir) != 0 || !i18n_find(&t, "en") ||
        page_init(web) != 0) {
        printf("cannot load '%s'\n0 passed, 1 failed\n", web);
        return 1;
    }
    for (size_t i = 0; i < sizeof CASES / sizeof CASES[0]; i++) {
        const char *got = i18n_accept(&t, CASES[i].header);
        int ok = CASES[i].want ? got && strcmp(got, CASES[i].want) == 0
                               : got == NULL;
        CHECK(ok, "Accept-Language '%s': want %s, got %s",
              CASES[i].header ? CASES[i].header : "(none)",
              CASES[i].want ? CASES[i].want : "none",
              got ? got : "none");
    }
    test_caps(&t);
    test_request();
    i18n_release(&t);
    page_release();
    return check_done();
}
