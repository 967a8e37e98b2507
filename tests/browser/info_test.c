/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * info_test: the information pages (web/content, server/content.h) as a
 * reader sees them, rendered from the real web/ folder and from copies of
 * it with a page removed, a page signed off or the operator's local
 * services filled in:
 *
 *  - every page in every language exists, in that language, with the
 *    article's lang and dir those of the text shown (Arabic right to
 *    left), the draft notice inside <main> exactly when status.json says
 *    the page is not signed off, every local services mark filled, no
 *    missing key;
 *  - a page missing in a language is shown in English, left to right
 *    inside the right-to-left page, with a note naming the language;
 *  - local services: escaped, each text in a <bdi> with its language, the
 *    page's language chosen, tel: links of digits only; bad files and bad
 *    marks stop the start with a message.
 *
 *   build/info-test [WEB_DIR]      (default: web)
 */
#define _XOPEN_SOURCE 700
#include "../../server/page.h"
#include "check.h"

#include <ftw.h>
#include <jansson.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *const LANGS[] = {"en", "es", "pt-BR", "fr", "ro", "bg",
                                    "ru", "uk", "zh-CN", "th", "vi", "ar"};
static const char *const INFOS[] = {"rights", "health", "housing", "legal"};
#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

static char web[PATH_MAX], tmp[PATH_MAX];

/* ---- a scratch copy of the web folder ---------------------------------- */

static int
rm_one(const char *p, const struct stat *st, int flag, struct FTW *f)
{
    (void)st, (void)flag, (void)f;
    return remove(p);
}

static void
write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    if (!f || fputs(text, f) < 0) {
        fprintf(stderr, "cannot write '%s'\n", path);
        exit(1);
    }
    fclose(f);
}

static void
link_to(const char *target, const char *name)
{
    char p[PATH_MAX + 64];
    snprintf(p, sizeof(p), "%s/%s", tmp, name);
    if (symlink(target, p) != 0) {
        perror(p);
        exit(1);
    }
}

/* tmp: templates, locales, static linked to the real ones; content/ a
 * folder per language of links to the real pages but skip ("ar/health"),
 * and the real status.json unless status is given. */
static void
scratch(const char *const *skip, size_t nskip, const char *status)
{
    char p[PATH_MAX + 128], t[PATH_MAX + 128];

    nftw(tmp, rm_one, 16, FTW_DEPTH | FTW_PHYS);
    if (mkdir(tmp, 0700) != 0) {
        perror(tmp);
        exit(1);
    }
    static const char *const SUB[] = {"templates", "locales", "static"};
    for (size_t i = 0; i < NELEM(SUB); i++) {
        snprintf(t, sizeof(t), "%s/%s", web, SUB[i]);
        link_to(t, SUB[i]);
    }
    snprintf(p, sizeof(p), "%s/content", tmp);
    (void)mkdir(p, 0700);
    for (size_t l = 0; l < NELEM(LANGS); l++) {
        snprintf(p, sizeof(p), "%s/content/%s", tmp, LANGS[l]);
        (void)mkdir(p, 0700);
        for (size_t i = 0; i < NELEM(INFOS); i++) {
            char name[64];
            int skipped = 0;
            snprintf(name, sizeof(name), "%s/%s", LANGS[l], INFOS[i]);
            for (size_t s = 0; s < nskip; s++)
                skipped |= strcmp(skip[s], name) == 0;
            if (skipped)
                continue;
            snprintf(t, sizeof(t), "%s/content/%s.html", web, name);
            snprintf(p, sizeof(p), "content/%s.html", name);
            link_to(t, p);
        }
    }
    if (status) {
        snprintf(p, sizeof(p), "%s/content/status.json", tmp);
        write_file(p, status);
    } else {
        snprintf(t, sizeof(t), "%s/content/status.json", web);
        link_to(t, "content/status.json");
    }
}

/* ---- rendering --------------------------------------------------------- */

/* The page, malloc'd, or NULL (rc in *rc). */
static char *
render(enum page_id id, const char *lang, const char *info, int *rc)
{
    struct page_ctx ctx;
    struct page_buf b = {NULL, 0};
    memset(&ctx, 0, sizeof(ctx));
    ctx.lang = lang;
    ctx.info = info;
    *rc = page_render(&b, id, &ctx);
    return *rc == 0 ? b.data : NULL;
}

static int
has(const char *page, const char *needle)
{
    return page && strstr(page, needle) != NULL;
}

static size_t
count(const char *s, const char *needle)
{
    size_t n = 0;
    while (s && (s = strstr(s, needle)) != NULL) {
        n++;
        s += strlen(needle);
    }
    return n;
}

/* An event handler attribute: " on<letters>=". */
static int
has_handler(const char *p)
{
    while (p && (p = strstr(p, " on")) != NULL) {
        p += 3;
        size_t n = strspn(p, "abcdefghijklmnopqrstuvwxyz");
        if (n > 0 && p[n] == '=')
            return 1;
    }
    return 0;
}

/* Is the draft notice there, and inside <main>? */
static int
draft_in_main(const char *p)
{
    const char *d = strstr(p, "id=\"info-draft\"");
    const char *m = strstr(p, "<main"), *e = strstr(p, "</main>");
    return d && m && e && m < d && d < e;
}

/* ---- every page in every language, from the real folder ---------------- */

static void
test_every_page(void)
{
    char path[PATH_MAX + 64];
    json_t *status;
    json_error_t err;

    snprintf(path, sizeof(path), "%s/content/status.json", web);
    status = json_load_file(path, 0, &err);
    CHECK(status != NULL, "content/status.json reads: %s", err.text);
    for (size_t l = 0; l < NELEM(LANGS); l++) {
        const char *lang = LANGS[l];
        const char *dir = strcmp(lang, "ar") == 0 ? "rtl" : "ltr";
        char want[160];
        for (size_t i = 0; i < NELEM(INFOS); i++) {
            int rc;
            char *p = render(PAGE_INFO, lang, INFOS[i], &rc);
            char key[64];
            const char *st;
            CHECK(p != NULL, "%s/%s renders (rc %d)", lang, INFOS[i], rc);
            if (!p)
                continue;
            snprintf(want, sizeof(want), "<html lang=\"%s\" dir=\"%s\">", lang,
                     dir);
            CHECK(has(p, want), "%s/%s: page has %s", lang, INFOS[i], want);
            snprintf(want, sizeof(want),
                     "<article class=\"content\" lang=\"%s\" dir=\"%s\">", lang,
                     dir);
            CHECK(has(p, want), "%s/%s is written in %s (%s)", lang, INFOS[i],
                  lang, want);
            CHECK(!has(p, "class=\"note\""), "%s/%s: no fallback note", lang,
                  INFOS[i]);
            snprintf(key, sizeof(key), "%s/%s", lang, INFOS[i]);
            st = json_string_value(
                json_object_get(json_object_get(status, key), "status"));
            CHECK(st &&
                      (strcmp(st, "draft") == 0 || strcmp(st, "reviewed") == 0),
                  "%s has a sign-off entry", key);
            if (strcmp(lang, "en") == 0 || (st && !strcmp(st, "reviewed")))
                CHECK(!has(p, "id=\"info-draft\""),
                      "%s: signed off, no draft notice", key);
            else
                CHECK(draft_in_main(p), "%s: a draft, marked so in <main>",
                      key);
            CHECK(!has(p, "[missing:") && !has(p, "[unknown:"),
                  "%s: no missing key or name: %.60s", key,
                  strstr(p, "[missing:") ? strstr(p, "[missing:") : "");
            CHECK(!has(p, "<!-- local") && !has(p, "<!--local"),
                  "%s: every local services mark is filled", key);
            CHECK(count(p, "class=\"local\"") >= 1 &&
                      count(p, "class=\"local\"") ==
                          count(p, "class=\"local-none\""),
                  "%s: with no local services file, each mark says so", key);
            CHECK(count(p, "<h1>") == 1, "%s: one <h1>", key);
            /* the other pages, in the same language */
            snprintf(want, sizeof(want), "lang=\"%s\" dir=\"%s\"", lang, dir);
            CHECK(count(p, want) >= 6 && has(p, "aria-current=\"page\""),
                  "%s: links to the four pages in %s, this one current", key,
                  lang);
            {
                const char *a = strstr(p, "<article"),
                           *e = a ? strstr(a, "</article>") : NULL;
                char *art = a && e ? strndup(a, (size_t)(e - a)) : NULL;
                CHECK(art && !has(art, "<script") && !has(art, "style=") &&
                          !has_handler(art) && !has(art, "<img"),
                      "%s: no script, inline style, handler or image", key);
                free(art);
            }
            free(p);
        }
        /* the landing page lists them, in the language */
        int rc;
        char *p = render(PAGE_LANDING, lang, NULL, &rc);
        snprintf(want, sizeof(want), "?lang=%s\" lang=\"%s\" dir=\"%s\">", lang,
                 lang, dir);
        CHECK(p && count(p, want) == NELEM(INFOS),
              "%s landing links to the %zu pages in %s", lang, NELEM(INFOS),
              lang);
        free(p);
    }
    json_decref(status);
}

/* ---- a page missing in a language -------------------------------------- */

static void
test_fallback(void)
{
    static const char *const skip[] = {"ar/health", "th/legal"};
    int rc;
    char *p;

    scratch(skip, NELEM(skip), NULL);
    CHECK(page_init(tmp) == 0, "a web folder with two pages missing loads");
    p = render(PAGE_INFO, "ar", "health", &rc);
    CHECK(has(p, "<html lang=\"ar\" dir=\"rtl\">"),
          "ar/health: the page stays Arabic, right to left");
    CHECK(has(p, "<article class=\"content\" lang=\"en\" dir=\"ltr\">"),
          "ar/health: the English text shown runs left to right");
    CHECK(has(p, "class=\"note\"") &&
              has(p, "<span lang=\"en\" dir=\"ltr\">English</span>"),
          "ar/health: a note says it is shown in English");
    CHECK(!has(p, "id=\"info-draft\""),
          "ar/health: the English source is not a draft");
    CHECK(has(p, "<h1>Health</h1>") && has(p, "PEP"),
          "ar/health: the English page's text");
    free(p);
    p = render(PAGE_INFO, "ar", "rights", &rc);
    CHECK(has(p, "<article class=\"content\" lang=\"ar\" dir=\"rtl\">") &&
              !has(p, "class=\"note\""),
          "ar/rights is still in Arabic, right to left");
    CHECK(has(p, "href=\"/info/health?lang=ar\" lang=\"en\" dir=\"ltr\""),
          "ar/rights links to the English health page as English, ltr");
    free(p);
    p = render(PAGE_INFO, "th", "legal", &rc);
    CHECK(has(p, "<article class=\"content\" lang=\"en\" dir=\"ltr\">") &&
              has(p, "class=\"note\""),
          "th/legal: shown in English with a note");
    free(p);
    p = render(PAGE_LANDING, "ar", NULL, &rc);
    CHECK(has(p, "href=\"/info/health?lang=ar\" lang=\"en\" dir=\"ltr\">"
                 "Health</a>"),
          "the Arabic landing lists the English page as English, ltr");
    free(p);
    page_release();

    /* a page signed off loses its draft notice */
    scratch(NULL, 0,
            "{\"es/health\": {\"status\": \"reviewed\", "
            "\"reviewer\": \"x\", \"date\": \"2026-12-02\"}}");
    CHECK(page_init(tmp) == 0, "a sign-off file loads");
    p = render(PAGE_INFO, "es", "health", &rc);
    CHECK(p && !has(p, "id=\"info-draft\""), "es/health signed off: no notice");
    free(p);
    p = render(PAGE_INFO, "es", "legal", &rc);
    CHECK(draft_in_main(p), "es/legal without an entry: a draft");
    free(p);
    page_release();
}

/* ---- local services ---------------------------------------------------- */

static const char GOOD[] =
    "{\"schema\": \"umbra.local/1\", \"lang\": \"th\", \"slots\": {"
    " \"health\": [{\"name\": \"Clinic <script>alert(1)</script>\","
    "   \"what\": {\"en\": \"Free tests\", \"ar\": \"\xd9\x81\xd8\xad\xd9\x88"
    "\xd8\xb5 \xd9\x85\xd8\xac\xd8\xa7\xd9\x86\xd9\x8a\xd8\xa9\"},"
    "   \"address\": \"12 Sukhumvit \\\"Soi\\\" 4\","
    "   \"hours\": \"Mon-Fri 9-17\", \"phone\": \"+66 (2) 123-4567\","
    "   \"email\": \"help@example.org\","
    "   \"url\": \"https://example.org/a?b=1&c=2\"}],"
    " \"emergency\": [], \"unused-slot\": []}}";

static void
test_local(void)
{
    char path[PATH_MAX + 64];
    int rc;
    char *p;

    scratch(NULL, 0, NULL);
    snprintf(path, sizeof(path), "%s/local.json", tmp);
    write_file(path, GOOD);
    CHECK(page_init_local(tmp, path) == 0, "a local services file loads");
    p = render(PAGE_INFO, "en", "health", &rc);
    CHECK(has(p, "Clinic &lt;script&gt;alert(1)&lt;/script&gt;") &&
              !has(p, "<script>alert"),
          "en/health: the service's name is escaped");
    CHECK(has(p, "<bdi lang=\"en\">Free tests</bdi>"),
          "en/health: the English text of a translated field");
    CHECK(has(p, "<bdi lang=\"th\">12 Sukhumvit &quot;Soi&quot; 4</bdi>"),
          "en/health: a plain text carries the file's language, escaped");
    CHECK(has(p, "href=\"tel:+6621234567\">+66 (2) 123-4567</a>"),
          "en/health: a tel: link of digits");
    CHECK(has(p, "href=\"https://example.org/a?b=1&amp;c=2\""),
          "en/health: the web address, escaped");
    CHECK(has(p, "href=\"mailto:help@example.org\""), "en/health: email");
    CHECK(has(p, "Phone:") && has(p, "Address:"),
          "en/health: the labels in English");
    CHECK(count(p, "class=\"services\"") == 1 &&
              count(p, "class=\"local-none\"") == 1,
          "en/health: the health slot filled, the empty emergency slot "
          "says nothing is filled in");
    free(p);
    p = render(PAGE_INFO, "ar", "health", &rc);
    CHECK(has(p, "<bdi lang=\"ar\">\xd9\x81\xd8\xad\xd9\x88\xd8\xb5"),
          "ar/health: the Arabic text of a translated field");
    CHECK(has(p, "\xd8\xa7\xd9\x84\xd9\x87\xd8\xa7\xd8\xaa\xd9\x81:"),
          "ar/health: the labels in Arabic");
    CHECK(has(p, "<a dir=\"ltr\" href=\"tel:"),
          "ar/health: the phone number runs left to right");
    free(p);
    p = render(PAGE_INFO, "vi", "health", &rc);
    CHECK(has(p, "<bdi lang=\"en\">Free tests</bdi>"),
          "vi/health: a field without Vietnamese falls back to English, "
          "marked lang=en");
    free(p);
    p = render(PAGE_INFO, "en", "legal", &rc);
    CHECK(has(p, "class=\"local-none\"") && !has(p, "Clinic"),
          "en/legal: a slot the file does not fill says so");
    free(p);
    page_release();
    /* the example an operator starts from (deploy/) */
    snprintf(path, sizeof(path), "%s/../deploy/local-services.example.json",
             web);
    CHECK(page_init_local(tmp, path) == 0, "the example local services file "
                                           "loads");
    p = render(PAGE_INFO, "es", "health", &rc);
    CHECK(has(p, "Example Community Clinic") &&
              has(p, "<bdi lang=\"es\">Pruebas gratis"),
          "es/health: the example's clinic, its Spanish text");
    free(p);
    page_release();
    CHECK(page_init_local(tmp, "/nonexistent/local.json") != 0,
          "a missing local services file stops the start");
}

static const struct {
    const char *what, *json;
} BAD[] = {
    {"not JSON", "{"},
    {"no schema", "{\"slots\": {}}"},
    {"another schema", "{\"schema\": \"umbra.local/2\", \"slots\": {}}"},
    {"an unknown key", "{\"schema\": \"umbra.local/1\", \"slot\": {}}"},
    {"a bad lang", "{\"schema\": \"umbra.local/1\", \"lang\": \"x\", "
                   "\"slots\": {}}"},
    {"slots not an object", "{\"schema\": \"umbra.local/1\", \"slots\": []}"},
    {"a slot name in capitals",
     "{\"schema\": \"umbra.local/1\", \"slots\": {\"Health\": []}}"},
    {"a service without a name",
     "{\"schema\": \"umbra.local/1\", \"slots\": {\"h\": [{\"what\": "
     "\"x\"}]}}"},
    {"an unknown field",
     "{\"schema\": \"umbra.local/1\", \"slots\": {\"h\": [{\"name\": \"x\", "
     "\"fax\": \"1\"}]}}"},
    {"a javascript: address",
     "{\"schema\": \"umbra.local/1\", \"slots\": {\"h\": [{\"name\": \"x\", "
     "\"url\": \"javascript:alert(1)\"}]}}"},
    {"a phone of words",
     "{\"schema\": \"umbra.local/1\", \"slots\": {\"h\": [{\"name\": \"x\", "
     "\"phone\": \"call us\"}]}}"},
    {"an email with a space",
     "{\"schema\": \"umbra.local/1\", \"slots\": {\"h\": [{\"name\": \"x\", "
     "\"email\": \"a b@c\"}]}}"},
    {"an email with a query",
     "{\"schema\": \"umbra.local/1\", \"slots\": {\"h\": [{\"name\": \"x\", "
     "\"email\": \"a@b.org?body=x\"}]}}"},
    {"a text over two lines",
     "{\"schema\": \"umbra.local/1\", \"slots\": {\"h\": [{\"name\": "
     "\"a\\nb\"}]}}"},
    {"a text in a bad language",
     "{\"schema\": \"umbra.local/1\", \"slots\": {\"h\": [{\"name\": "
     "{\"x\": \"a\"}}]}}"},
    {"an empty name",
     "{\"schema\": \"umbra.local/1\", \"slots\": {\"h\": [{\"name\": "
     "\"\"}]}}"},
};

static void
test_bad_local(void)
{
    char path[PATH_MAX + 64], big[40000];

    scratch(NULL, 0, NULL);
    snprintf(path, sizeof(path), "%s/local.json", tmp);
    for (size_t i = 0; i < NELEM(BAD); i++) {
        write_file(path, BAD[i].json);
        CHECK(page_init_local(tmp, path) != 0,
              "local services with %s are "
              "refused",
              BAD[i].what);
    }
    /* 33 services in a slot: one over the cap; 32 are fine */
    for (int n = 32; n <= 33; n++) {
        size_t w = (size_t)snprintf(big, sizeof(big),
                                    "{\"schema\": "
                                    "\"umbra.local/1\", \"slots\": {\"h\": [");
        for (int k = 0; k < n; k++)
            w += (size_t)snprintf(big + w, sizeof(big) - w,
                                  "%s{\"name\": \"s%d\"}", k ? "," : "", k);
        snprintf(big + w, sizeof(big) - w, "]}}");
        write_file(path, big);
        CHECK((page_init_local(tmp, path) == 0) == (n == 32),
              "%d services in a slot are %s", n, n == 32 ? "taken" : "refused");
        page_release();
    }
    /* a text of 1000 bytes is fine, 1001 is not */
    for (int n = 1000; n <= 1001; n++) {
        int w = snprintf(big, sizeof(big),
                         "{\"schema\": \"umbra.local/1\", "
                         "\"slots\": {\"h\": [{\"name\": \"");
        memset(big + w, 'a', (size_t)n);
        snprintf(big + w + n, sizeof(big) - (size_t)(w + n), "\"}]}}");
        write_file(path, big);
        CHECK((page_init_local(tmp, path) == 0) == (n == 1000),
              "a name of %d bytes is %s", n, n == 1000 ? "taken" : "refused");
        page_release();
    }
    /* a malformed mark in a page */
    unlink(path);
    {
        char p[PATH_MAX + 64];
        snprintf(p, sizeof(p), "%s/content/en/health.html", tmp);
        unlink(p);
        write_file(p, "<h1>Health</h1>\n<!-- local: Bad Slot -->\n");
        CHECK(page_init(tmp) != 0, "a malformed local services mark stops "
                                   "the start");
        write_file(p, "<h1>Health</h1>\n<!-- a comment -->\n<!--local:ok-->");
        CHECK(page_init(tmp) == 0, "another comment is left alone, a tight "
                                   "mark is read");
        int rc;
        char *r = render(PAGE_INFO, "en", "health", &rc);
        CHECK(has(r, "<!-- a comment -->") && has(r, "data-slot=\"ok\""),
              "the comment stays, the mark is filled");
        free(r);
        page_release();
    }
}

int
main(int argc, char **argv)
{
    const char *w = argc > 1 ? argv[1] : "web";
    const char *t = getenv("TMPDIR");

    setenv("UMBRA_PAGE_STRICT", "1", 1);
    if (!realpath(w, web)) {
        printf("cannot find '%s'\n0 passed, 1 failed\n", w);
        return 1;
    }
    snprintf(tmp, sizeof(tmp), "%s/umbra-info-test-%ld", t ? t : "/tmp",
             (long)getpid());
    if (page_init(web) != 0) {
        printf("cannot load '%s'\n0 passed, 1 failed\n", web);
        return 1;
    }
    test_every_page();
    page_release();
    test_fallback();
    test_local();
    test_bad_local();
    nftw(tmp, rm_one, 16, FTW_DEPTH | FTW_PHYS);
    return check_done();
}
