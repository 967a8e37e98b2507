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

/* A refused form: name/value pairs, as body.c's form_field gives them. */
static const char *const FORM[][2] = {
    {"narrative", "He said </textarea><script>alert(1)</script> & left"},
    {"categories", "robbery"},
    {"categories", "police-extortion"},
    {"perpetrator.type", "police"},
    {"perpetrator.type", "client"},
    {"incident.day", "7"},
    {"incident.month", "3"},
    {"incident.year", "2025"},
    {"incident.country", "TH"},
    {"incident.place", "\"><b>x</b>"},
    {"perpetrator.identifiers.kind", "phone"},
    {"perpetrator.identifiers.value", "+66 1"},
    {"perpetrator.identifiers.kind", "plate"},
    {"perpetrator.identifiers.value", "AB 12"},
    {"consent.statistics", "yes"},
    {"consent.share_with_authorities", "yes"},
};

static const char *
form_get(void *arg, const char *name, unsigned *from)
{
    (void)arg;
    for (unsigned i = from ? *from : 0; i < sizeof FORM / sizeof FORM[0];
         i++)
        if (strcmp(FORM[i][0], name) == 0) {
            if (from)
                *from = i + 1;
            return FORM[i][1];
        }
    return NULL;
}

/* The refused no-JS form comes back as sent, escaped, the field named. */
/* 1 if the /check form (the page up to the write-back section, whose
 * own messages may rightly say a message was not sent) holds needle. */
static int
check_form_says(const char *page, const char *needle)
{
    const char *end = strstr(page, "id=\"writeback\"");
    const char *hit = strstr(page, needle);
    return hit != NULL && (end == NULL || hit < end);
}

static void
test_refill(void)
{
    struct page_form pf = {form_get, NULL};
    struct page_ctx ctx;
    struct page_buf b = {NULL, 0};
    static const char *const want[] = {
        "He said &lt;/textarea&gt;&lt;script&gt;alert(1)&lt;/script&gt; "
        "&amp; left</textarea>",
        "value=\"robbery\" checked", "value=\"police-extortion\" checked",
        "value=\"police\" checked", "value=\"client\" checked",
        "<option value=\"7\" selected>7</option>",
        "<option value=\"3\" selected>March</option>",
        "<option value=\"2025\" selected>2025</option>",
        "<option value=\"TH\" selected>",
        "value=\"&quot;&gt;&lt;b&gt;x&lt;/b&gt;\" aria-invalid=\"true\" "
        "aria-describedby=\"place-error\"",
        "id=\"place-error\"", "<a href=\"#place\">",
        "Most characters allowed: 200",
        "<option value=\"plate\" selected>", "value=\"AB 12\"",
        "name=\"consent.statistics\" value=\"yes\" checked",
        "name=\"consent.share_with_authorities\" value=\"yes\" checked",
        "name=\"reply\" value=\"yes\">", "role=\"alert\"",
        "Nothing was sent", "choose it again", "<details class=\"more\" open>"};
    static const char *const never[] = {
        "<script>alert", "<b>x</b>", "value=\"no\" checked",
        "value=\"sexual-violence\" checked", "value=\"unknown\" checked",
        ">Your report was sent<", ">Your receipt code:<"};

    memset(&ctx, 0, sizeof ctx);
    ctx.lang = "en";
    ctx.orgs = ORGS;
    ctx.norgs = 1;
    ctx.form = &pf;
    ctx.error_code = "field_too_long";
    ctx.error_field = "incident.place";
    ctx.photo_again = 1;
    CHECK(page_render(&b, PAGE_REPORT, &ctx) == 0, "refill renders");
    if (b.data == NULL)
        return;
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++)
        CHECK(strstr(b.data, want[i]) != NULL, "refill has %s", want[i]);
    for (size_t i = 0; i < sizeof never / sizeof never[0]; i++)
        CHECK(strstr(b.data, never[i]) == NULL, "refill has no %s", never[i]);
    CHECK(strstr(b.data, "aria-invalid") ==
              strstr(b.data, "aria-invalid=\"true\" aria-describedby=\"place-"),
          "only the named field is marked invalid");
    free(b.data);

    /* a new form: the reply box ticked, nothing else, folded parts shut */
    ctx.form = NULL;
    ctx.error_code = NULL;
    ctx.error_field = NULL;
    ctx.photo_again = 0;
    CHECK(page_render(&b, PAGE_REPORT, &ctx) == 0, "form renders");
    if (b.data != NULL) {
        CHECK(strstr(b.data, "name=\"reply\" value=\"yes\" checked") &&
                  !strstr(b.data, "\" checked> Police") &&
                  !strstr(b.data, " selected>") &&
                  !strstr(b.data, "details class=\"more\" open") &&
                  !strstr(b.data, "role=\"alert\"") &&
                  !strstr(b.data, ">Your report was sent<"),
              "a new form: only the reply and never-share ticked, folded");
        free(b.data);
    }

    /* the receipt page says only what applies */
    ctx.receipt = NULL;
    CHECK(page_render(&b, PAGE_RECEIPT, &ctx) == 0, "receipt renders");
    if (b.data != NULL) {
        CHECK(!strstr(b.data, "Your receipt code") &&
                  strstr(b.data, "no receipt code"),
              "no reply wanted: no receipt-code text");
        free(b.data);
    }
    ctx.receipt = "4821 0937 5562 1048 7730 9165";
    CHECK(page_render(&b, PAGE_RECEIPT, &ctx) == 0, "receipt renders");
    if (b.data != NULL) {
        CHECK(strstr(b.data, "Your receipt code") &&
                  !strstr(b.data, "no receipt code"),
              "a receipt: no 'there is no receipt code'");
        free(b.data);
    }
    ctx.receipt = NULL;

    /* /check after an error: the code stays, the field is tied */
    ctx.receipt_typed = "1234 \"><i>";
    ctx.error_code = "check_busy";
    CHECK(page_render(&b, PAGE_CHECK, &ctx) == 0, "check renders");
    if (b.data != NULL) {
        CHECK(strstr(b.data, "value=\"1234 &quot;&gt;&lt;i&gt;\" "
                             "aria-invalid=\"true\" "
                             "aria-describedby=\"check-error\"") &&
                  strstr(b.data, "server is busy") &&
                  !check_form_says(b.data, "not sent"),
              "check: the code kept, the true reason said");
        free(b.data);
    }
}

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
                "name=\"org\"", "name=\"lang\"", "name=\"incident.day\"",
                "name=\"incident.month\"", "name=\"incident.year\"",
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

    /* no language matched: the landing page is only the chooser, other
     * pages keep their content under it; titles differ per page */
    memset(&ctx, 0, sizeof(ctx));
    ctx.choose = 1;
    CHECK(page_render(&b, PAGE_LANDING, &ctx) == 0 &&
              strstr(b.data, "<ul class=\"picks\">") &&
              strstr(b.data, "lang=\"ar\" hreflang=\"ar\" dir=\"rtl\">") &&
              strstr(b.data, "<title>Choose your language") &&
              !strstr(b.data, "href=\"/report?lang="),
          "the chooser page");
    free(b.data);
    CHECK(page_render(&b, PAGE_REPORT, &ctx) == 0 &&
              strstr(b.data, "<ul class=\"picks\">") &&
              strstr(b.data, "<form id=\"report\""),
          "the report form with the chooser on top");
    free(b.data);
    ctx.choose = 0;
    {
        char titles[6][128];
        for (int id = PAGE_LANDING; id <= PAGE_ERROR; id++) {
            const char *t0, *t1;
            titles[id][0] = '\0';
            ctx.lang = "en";
            ctx.info = "rights";
            if (page_render(&b, (enum page_id)id, &ctx) != 0)
                continue;
            t0 = strstr(b.data, "<title>");
            t1 = t0 ? strstr(t0, "</title>") : NULL;
            if (t0 && t1 && t1 - t0 < 120)
                snprintf(titles[id], sizeof titles[id], "%.*s",
                         (int)(t1 - t0), t0);
            free(b.data);
            for (int j = PAGE_LANDING; j < id; j++)
                CHECK(strcmp(titles[j], titles[id]) != 0,
                      "pages %s and %s share the title '%s'", PAGES[j],
                      PAGES[id], titles[id]);
        }
    }
    ctx.info = NULL;

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

    test_refill();

    /* weight: the form without JavaScript, HTML + CSS, uncompressed */
    memset(&ctx, 0, sizeof(ctx));
    ctx.orgs = ORGS;
    ctx.norgs = 1;
    for (size_t i = 0; i < NLANGS; i++) {
        ctx.lang = LANGS[i];
        if (page_render(&b, PAGE_REPORT, &ctx) == 0) {
            /* 34 KiB uncompressed: the form grew the date menus, the
             * refill and per-field error markup, the language chooser's
             * styles and the identifiers' four hints and fourth kind
             * (issue 16: Thai 33,650 bytes, each Thai letter 3 bytes);
             * what a phone downloads for the Thai form (the CSS gzipped)
             * is still held to 30 KB by browser_test.js. */
            CHECK(b.len + css_len <= 34 * 1024,
                  "%s form weighs %zu bytes (HTML %zu + CSS %zu) <= 34 KiB",
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
