/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * page_test: renders every page in every language from the real web/
 * folder and checks what a reader would notice: no missing catalogue key,
 * no unknown template variable, the right lang and dir attributes, hostile
 * values escaped, the language choice, the weight of the no-JS form and
 * the Subresource Integrity of every script and style.
 *
 *   build/page-test [WEB_DIR]      (default: web)
 */
#include "../../server/page.h"
#include "check.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const LANGS[] = {"en", "es", "pt-BR", "fr",    "ro", "bg",
                                    "ru", "uk", "zh-CN", "th",    "vi", "ar"};
#define NLANGS (sizeof(LANGS) / sizeof(LANGS[0]))

static const char *const PAGES[] = {"landing", "report", "receipt",
                                    "check",   "info",   "error"};

static const struct page_org ORGS[] = {
    {"demo", "Demo <b>organisation</b>", "04731 92265 00318 77410 58092 13347"},
    {"other", "Other & Co", "11111 22222 33333 44444 55555 66666"},
};

static const struct page_reply REPLIES[] = {
    {"2026-11-29", "<script>alert(1)</script> we can help"},
};

static void
render_all(const char *lang)
{
    for (int id = PAGE_LANDING; id <= PAGE_ERROR; id++) {
        struct page_ctx ctx;
        struct page_buf b = {NULL, 0};
        char attr[64];
        int rc;

        memset(&ctx, 0, sizeof(ctx));
        ctx.lang = page_lang(lang);
        ctx.orgs = ORGS;
        ctx.norgs = 2;
        ctx.org = "demo";
        ctx.receipt = "4821 0937 5562 1048 7730 9165";
        ctx.error_code = id == PAGE_ERROR ? "not_found" : NULL;
        ctx.replies = REPLIES;
        ctx.nreplies = 1;
        ctx.checked = 1;
        ctx.info = "rights";
        rc = page_render(&b, (enum page_id)id, &ctx);
        CHECK(rc == 0, "%s/%s renders (rc %d)", lang, PAGES[id], rc);
        if (rc != 0)
            continue;
        CHECK(strlen(b.data) == b.len, "%s/%s length", lang, PAGES[id]);
        CHECK(!strstr(b.data, "[missing:"), "%s/%s has a missing key: %.80s",
              lang, PAGES[id],
              strstr(b.data, "[missing:") ? strstr(b.data, "[missing:") : "");
        CHECK(!strstr(b.data, "[unknown:"),
              "%s/%s has an unknown variable: %.80s", lang, PAGES[id],
              strstr(b.data, "[unknown:") ? strstr(b.data, "[unknown:") : "");
        CHECK(!strstr(b.data, "{{"), "%s/%s has an unrendered tag", lang,
              PAGES[id]);
        snprintf(attr, sizeof(attr), "<html lang=\"%s\" dir=\"%s\">", lang,
                 strcmp(lang, "ar") == 0 ? "rtl" : "ltr");
        CHECK(strstr(b.data, attr) != NULL, "%s/%s has %s", lang, PAGES[id],
              attr);
        CHECK(strstr(b.data, "id=\"leave\"") != NULL,
              "%s/%s has a leave-quickly link", lang, PAGES[id]);
        CHECK(!strstr(b.data, "<b>organisation</b>") &&
                  !strstr(b.data, "<script>alert"),
              "%s/%s escapes values", lang, PAGES[id]);
        CHECK(!strstr(b.data, "style=") && !strstr(b.data, "<style") &&
                  !strstr(b.data, "onclick") && !strstr(b.data, "<script>"),
              "%s/%s has no inline script or style (CSP)", lang, PAGES[id]);
        CHECK(!strstr(b.data, "integrity=\"\""),
              "%s/%s: every script and style has an integrity hash", lang,
              PAGES[id]);
        if (id == PAGE_RECEIPT)
            CHECK(strstr(b.data, "4821 0937 5562 1048 7730 9165") != NULL,
                  "%s receipt shows the code", lang);
        if (id == PAGE_CHECK)
            CHECK(strstr(b.data, "we can help") != NULL,
                  "%s check shows the reply", lang);
        if (id == PAGE_LANDING)
            CHECK(strstr(b.data, "04731 92265 00318 77410 58092 13347") !=
                      NULL,
                  "%s landing shows the fingerprint", lang);
        if (id == PAGE_REPORT) {
            static const char *const fields[] = {
                "name=\"org\"", "name=\"lang\"", "name=\"incident.date\"",
                "name=\"incident.country\"", "name=\"incident.region\"",
                "name=\"incident.place\"", "name=\"categories\"",
                "name=\"perpetrator.type\"", "name=\"perpetrator.description\"",
                "name=\"perpetrator.identifiers.kind\"",
                "name=\"perpetrator.identifiers.value\"", "name=\"narrative\"",
                "name=\"needs\"", "name=\"consent.statistics\"",
                "name=\"consent.alert\"",
                "name=\"consent.share_with_authorities\" value=\"no\" checked",
                "name=\"reply\"", "name=\"attachment\"",
                "value=\"immigration-raid\"", "value=\"police-extortion\"",
                "value=\"immigration-advice\""};
            for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++)
                CHECK(strstr(b.data, fields[i]) != NULL,
                      "%s form has %s", lang, fields[i]);
        }
        free(b.data);
    }
}

int
main(int argc, char **argv)
{
    const char *web = argc > 1 ? argv[1] : "web";
    const char *data, *type;
    size_t len, css_len = 0;
    struct page_buf b = {NULL, 0};
    struct page_ctx ctx;

    setenv("UMBRA_PAGE_STRICT", "1", 1);
    if (page_init(web) != 0) {
        printf("cannot load '%s'\n0 passed, 1 failed\n", web);
        return 1;
    }
    /* language choice */
    CHECK(strcmp(page_lang(NULL), "en") == 0, "NULL -> en");
    CHECK(strcmp(page_lang("pt-BR"), "pt-BR") == 0, "pt-BR exact");
    CHECK(strcmp(page_lang("pt"), "pt-BR") == 0, "pt -> pt-BR");
    CHECK(strcmp(page_lang("pt_PT"), "pt-BR") == 0, "pt_PT -> pt-BR");
    CHECK(strcmp(page_lang("zh"), "zh-CN") == 0, "zh -> zh-CN");
    CHECK(strcmp(page_lang("ZH-cn"), "zh-CN") == 0, "case-insensitive");
    CHECK(strcmp(page_lang("ar-EG"), "ar") == 0, "ar-EG -> ar");
    CHECK(strcmp(page_lang("xx"), "en") == 0, "unknown -> en");
    CHECK(strcmp(page_lang("de-DE,th;q=0.8"), "th") == 0,
          "Accept-Language list");
    CHECK(strcmp(page_lang("<script>"), "en") == 0, "junk -> en");

    for (size_t i = 0; i < NLANGS; i++) {
        CHECK(strcmp(page_lang(LANGS[i]), LANGS[i]) == 0, "%s is supported",
              LANGS[i]);
        render_all(LANGS[i]);
    }

    /* unknown info page, path tricks */
    memset(&ctx, 0, sizeof(ctx));
    ctx.lang = "en";
    ctx.info = "../templates/head";
    CHECK(page_render(&b, PAGE_INFO, &ctx) == -2, "info path is refused");
    ctx.info = "no-such-page";
    CHECK(page_render(&b, PAGE_INFO, &ctx) == -2, "unknown info page");
    ctx.info = NULL;
    CHECK(page_render(&b, PAGE_ERROR, NULL) == 0 && b.len > 0,
          "NULL context renders");
    free(b.data);

    /* an unknown error code falls back to the generic text */
    ctx.error_code = "\"><x";
    CHECK(page_render(&b, PAGE_ERROR, &ctx) == 0 &&
              !strstr(b.data, "\"><x") && strstr(b.data, "try again"),
          "unknown error code -> generic text");
    free(b.data);

    /* a server error code without its own text uses a close one, in the
     * page's language */
    ctx.lang = "es";
    ctx.error_code = "missing_fields";
    CHECK(page_render(&b, PAGE_ERROR, &ctx) == 0 &&
              strstr(b.data, "Elige qué pasó"),
          "missing_fields -> the Spanish empty-report text");
    free(b.data);
    ctx.error_code = "field_too_long";
    CHECK(page_render(&b, PAGE_ERROR, &ctx) == 0 &&
              strstr(b.data, "demasiado largo"),
          "field_too_long in Spanish");
    free(b.data);

    /* information pages: the language's own (every page in every
     * language, the fallback and the local services: build/info-test) */
    ctx.error_code = NULL;
    ctx.lang = "th";
    ctx.info = "rights";
    CHECK(page_render(&b, PAGE_INFO, &ctx) == 0 &&
              strstr(b.data, "<article class=\"content\" lang=\"th\" "
                             "dir=\"ltr\">") &&
              strstr(b.data, "\xe0\xb8\xaa\xe0\xb8\xb4\xe0\xb8\x97"),
          "the Thai rights page is in Thai");
    free(b.data);
    ctx.info = NULL;

    /* static files */
    CHECK(page_static("style.css", &data, &css_len, &type) == 0 &&
              strncmp(type, "text/css", 8) == 0,
          "style.css is served as CSS");
    CHECK(page_static("app.js", &data, &len, &type) == 0 &&
              strncmp(type, "text/javascript", 15) == 0,
          "app.js is served as JavaScript");
    CHECK(page_static("vendor/sodium-lite.js", &data, &len, &type) == 0 &&
              len > 20000,
          "sodium-lite.js is served from vendor/ (run make first)");
    CHECK(page_static("../locales/en.json", &data, &len, &type) == -1,
          "no path traversal");
    CHECK(page_static("nope.js", &data, &len, &type) == -1, "no such file");

    /* weight: the form without JavaScript, HTML + CSS, uncompressed */
    memset(&ctx, 0, sizeof(ctx));
    ctx.orgs = ORGS;
    ctx.norgs = 1;
    for (size_t i = 0; i < NLANGS; i++) {
        ctx.lang = LANGS[i];
        if (page_render(&b, PAGE_REPORT, &ctx) == 0) {
            CHECK(b.len + css_len <= 30 * 1024,
                  "%s form weighs %zu bytes (HTML %zu + CSS %zu) <= 30 KiB",
                  LANGS[i], b.len + css_len, b.len, css_len);
            if (i == 0 || strcmp(LANGS[i], "th") == 0)
                printf("form weight %s: %zu bytes (HTML %zu + CSS %zu)\n",
                       LANGS[i], b.len + css_len, b.len, css_len);
            free(b.data);
        }
    }
    page_release();
    return check_done();
}
