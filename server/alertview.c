/* SPDX-License-Identifier: AGPL-3.0-or-later */
/* alertview: the verified alerts as HTML, Atom and JSON Feed (alertview.h). */
#include "alertview.h"

#include "../client-crypto/alert.h"
#include "../client-crypto/buf.h"
#include "i18n.h"
#include "server.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define OUT_MAX (8u * 1024u * 1024u)
/* What the list of a page or a feed may fill before it stops (the pages'
 * renderer caps a whole page at 1 MiB, page.c): later alerts are left out
 * of that answer, the page says so. */
#define PAGE_LIST_BUDGET (512u * 1024u)
#define FEED_BUDGET (6u * 1024u * 1024u)

static struct i18n cat;
static int cat_loaded;

int
alerts_init(const char *web_dir)
{
    char path[1024];
    int n = snprintf(path, sizeof path, "%s/locales", web_dir);

    alerts_release();
    if (n < 0 || (size_t)n >= sizeof path || i18n_load(&cat, path) != 0 ||
        !i18n_find(&cat, "en")) {
        alerts_release();
        return -1;
    }
    cat_loaded = 1;
    return 0;
}

void
alerts_release(void)
{
    if (cat_loaded || cat.n)
        i18n_release(&cat);
    memset(&cat, 0, sizeof cat);
    cat_loaded = 0;
}

/* ---- loading ----------------------------------------------------------- */

void
alerts_list_free(struct alert_list *l)
{
    for (size_t i = 0; l && i < l->n; i++) {
        umbra_alert_free(&l->v[i].a);
        free(l->v[i].file);
    }
    if (!l)
        return;
    free(l->v);
    orgs_release(l->orgs);
    memset(l, 0, sizeof *l);
}

/* 1 if the verified alert a is live today: issued no later than tomorrow
 * and not expired (shown through its expires day). */
static int
live_today(const struct umbra_alert *a)
{
    char today[11];
    long t;

    umbra_today(today);
    t = umbra_alert_day(today);
    return a->kind == UMBRA_ALERT_ALERT && umbra_alert_day(a->issued) <= t + 1 &&
           umbra_alert_day(a->expires) >= t;
}

int
alerts_load(struct alert_list *l, const char *slug)
{
    const char *vals[1] = {slug};
    PGconn *c;
    PGresult *res;
    int rows, ok;

    memset(l, 0, sizeof *l);
    l->orgs = orgs_acquire();
    c = db_get(srv.intake);
    if (!c)
        return -1;
    res = db_exec(c, "alerts_live", 1, vals, NULL, NULL);
    ok = db_ok(res);
    rows = ok ? PQntuples(res) : 0;
    if (rows > 0) {
        l->v = calloc((size_t)rows, sizeof *l->v);
        ok = l->v != NULL;
    }
    for (int i = 0; ok && i < rows; i++) {
        struct alert_item *it = &l->v[l->n];
        const struct org *o = orgs_find(l->orgs, PQgetvalue(res, i, 0));
        size_t len = (size_t)PQgetlength(res, i, 2);

        if (!o || umbra_alert_parse(&it->a, PQgetvalue(res, i, 2), len,
                                    &o->bundle) != 0) {
            l->dropped++;
            continue;
        }
        if (strcmp(it->a.org, o->slug) != 0 ||
            strcmp(it->a.id, PQgetvalue(res, i, 1)) != 0 ||
            !live_today(&it->a)) {
            umbra_alert_free(&it->a);
            l->dropped++;
            continue;
        }
        it->file = malloc(len + 1);
        if (!it->file) {
            umbra_alert_free(&it->a);
            ok = 0;
            break;
        }
        memcpy(it->file, PQgetvalue(res, i, 2), len);
        it->file[len] = '\0';
        it->len = len;
        it->org = o;
        l->n++;
    }
    PQclear(res);
    db_put(srv.intake, c, !ok);
    if (!ok) {
        alerts_list_free(l);
        return -1;
    }
    return 0;
}

/* ---- writing ----------------------------------------------------------- */

struct w {
    struct umbra_buf b;
    int err;
};

static void
putn(struct w *w, const char *s, size_t n)
{
    if (!w->err && umbra_buf_append(&w->b, s, n) != 0)
        w->err = 1;
}

static void
put(struct w *w, const char *s)
{
    putn(w, s, strlen(s));
}

/* s escaped for HTML text and attributes, and for XML: & < > " ' as
 * entities, U+FFFE and U+FFFF (not XML characters) as U+FFFD. */
static void
esc(struct w *w, const char *s)
{
    for (; s && *s; s++) {
        switch (*s) {
        case '&': put(w, "&amp;"); break;
        case '<': put(w, "&lt;"); break;
        case '>': put(w, "&gt;"); break;
        case '"': put(w, "&quot;"); break;
        case '\'': put(w, "&#39;"); break;
        default:
            if ((unsigned char)s[0] == 0xef && (unsigned char)s[1] == 0xbf &&
                ((unsigned char)s[2] == 0xbe || (unsigned char)s[2] == 0xbf)) {
                put(w, "\xef\xbf\xbd");
                s += 2;
            } else {
                putn(w, s, 1);
            }
        }
    }
}

/* o as JSON fit for a <script type="application/json"> block: < > & as
 * \u escapes (they only occur inside strings), so no text can close it. */
static void
json_block(struct w *w, const json_t *o)
{
    char *s = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER |
                                JSON_ENCODE_ANY);

    if (!s) {
        w->err = 1;
        return;
    }
    for (const char *p = s; *p; p++) {
        if (*p == '<')
            put(w, "\\u003c");
        else if (*p == '>')
            put(w, "\\u003e");
        else if (*p == '&')
            put(w, "\\u0026");
        else
            putn(w, p, 1);
    }
    free(s);
}

static int
finish(struct w *w, char **out, size_t *len)
{
    if (!w->err && umbra_buf_append(&w->b, "", 1) != 0)
        w->err = 1;
    if (w->err) {
        umbra_buf_release(&w->b);
        return -1;
    }
    *out = (char *)w->b.data;
    if (len)
        *len = w->b.len - 1;
    return 0;
}

static const char *
str(const json_t *o, const char *key)
{
    const char *s = json_string_value(json_object_get(o, key));
    return s ? s : "";
}

/* The text of inner alert a to show in lang: lang's, else English, else
 * the first. */
static const json_t *
pick_text(const json_t *a, const char *lang)
{
    const json_t *texts = json_object_get(a, "texts"), *t;
    size_t i;

    json_array_foreach(texts, i, t) if (strcmp(str(t, "lang"), lang) == 0)
        return t;
    json_array_foreach(texts, i, t) if (strcmp(str(t, "lang"), "en") == 0)
        return t;
    return json_array_get(texts, 0);
}

static const char *
tr(const char *lang, const char *key)
{
    const struct i18n_locale *en = i18n_find(&cat, "en");
    const struct i18n_locale *l = i18n_find(&cat, lang);
    int missing;

    return i18n_text(l ? l : en, en, key, &missing);
}

static const char *
dir_of(const char *lang)
{
    const struct i18n_locale *en = i18n_find(&cat, "en");
    const struct i18n_locale *l = i18n_find(&cat, lang);

    return l && i18n_rtl(l, en) ? "rtl" : "ltr";
}

/* "TH, Bangkok" */
static void
area_text(struct w *w, const json_t *a)
{
    const json_t *area = json_object_get(a, "area");

    esc(w, str(area, "country"));
    if (json_object_get(area, "region")) {
        put(w, ", ");
        esc(w, str(area, "region"));
    }
}

static void
period_text(struct w *w, const json_t *a)
{
    const json_t *p = json_object_get(a, "period");

    esc(w, str(p, "from"));
    put(w, " \xe2\x80\x93 ");
    esc(w, str(p, "to"));
}

/* ---- the page ---------------------------------------------------------- */

static void
html_item(struct w *w, const struct alert_item *it, const char *lang)
{
    const json_t *a = it->a.json, *t = pick_text(a, lang), *ids, *e;
    const char *tl = str(t, "lang");
    char key[64];
    json_t *file;
    size_t i;

    put(w, "<article class=\"alert level-");
    esc(w, it->a.level);
    put(w, "\" id=\"alert-");
    esc(w, it->a.id);
    put(w, "\" data-org=\"");
    esc(w, it->org->slug);
    put(w, "\" data-id=\"");
    esc(w, it->a.id);
    put(w, "\">\n<p class=\"alert-meta\"><span class=\"badge level-");
    esc(w, it->a.level);
    put(w, "\">");
    snprintf(key, sizeof key, "alerts.level.%s", it->a.level);
    esc(w, tr(lang, key));
    put(w, "</span> <span class=\"alert-org\">");
    esc(w, it->org->name);
    put(w, "</span></p>\n<div class=\"alert-text\" lang=\"");
    esc(w, tl);
    put(w, "\" dir=\"");
    put(w, dir_of(tl));
    put(w, "\">\n<h2>");
    esc(w, str(t, "title"));
    put(w, "</h2>\n<p class=\"alert-body\">");
    esc(w, str(t, "body"));
    put(w, "</p>\n</div>\n<dl class=\"alert-facts\">\n<dt>");
    esc(w, tr(lang, "alerts.area"));
    put(w, "</dt><dd><bdi>");
    area_text(w, a);
    put(w, "</bdi></dd>\n<dt>");
    esc(w, tr(lang, "alerts.period"));
    put(w, "</dt><dd dir=\"ltr\">");
    period_text(w, a);
    put(w, "</dd>\n");
    ids = json_object_get(a, "identifiers");
    if (json_array_size(ids) > 0) {
        put(w, "<dt>");
        esc(w, tr(lang, "alerts.identifiers"));
        put(w, "</dt><dd><ul class=\"alert-ids\">");
        json_array_foreach(ids, i, e) {
            snprintf(key, sizeof key, "alerts.idkind.%s", str(e, "kind"));
            put(w, "<li>");
            esc(w, tr(lang, key));
            put(w, ": <bdi>");
            esc(w, str(e, "value"));
            put(w, "</bdi></li>");
        }
        put(w, "</ul></dd>\n");
    }
    put(w, "<dt>");
    esc(w, tr(lang, "alerts.issued"));
    put(w, "</dt><dd dir=\"ltr\">");
    esc(w, it->a.issued);
    put(w, "</dd>\n<dt>");
    esc(w, tr(lang, "alerts.expires"));
    put(w, "</dt><dd dir=\"ltr\">");
    esc(w, it->a.expires);
    put(w, "</dd>\n<dt>");
    esc(w, tr(lang, "alerts.signer"));
    put(w, "</dt><dd><bdi>");
    esc(w, it->a.signer_name);
    put(w, "</bdi></dd>\n</dl>\n<p class=\"alert-verdict\" role=\"status\">");
    esc(w, tr(lang, "alerts.verify_nojs"));
    put(w, "</p>\n<script type=\"application/json\" class=\"alert-file\">");
    file = json_loadb(it->file, it->len, 0, NULL);
    if (file) {
        json_block(w, file);
        json_decref(file);
    } else {
        w->err = 1;
    }
    put(w, "</script>\n</article>\n");
}

int
alerts_html(char **out, const struct alert_list *l, const char *lang,
            const char *slug)
{
    struct w w = {.b = {.cap = OUT_MAX, .plain = 1}};
    json_t *bundles = json_object(), *words;
    const struct org_set *s = l->orgs;

    *out = NULL;
    if (!bundles)
        return -1;
    if (l->n == 0) {
        put(&w, "<p class=\"alerts-none\">");
        esc(&w, tr(lang, "alerts.none"));
        put(&w, "</p>\n");
    }
    for (size_t i = 0; i < l->n; i++) {
        if (w.b.len > PAGE_LIST_BUDGET) {
            put(&w, "<p class=\"note\">");
            esc(&w, tr(lang, "alerts.more"));
            put(&w, "</p>\n");
            break;
        }
        html_item(&w, &l->v[i], lang);
    }
    put(&w, "<section class=\"feeds\" aria-labelledby=\"feeds-title\">"
            "<h2 id=\"feeds-title\">");
    esc(&w, tr(lang, "alerts.feeds"));
    put(&w, "</h2>\n<p class=\"small\">");
    esc(&w, tr(lang, "alerts.feeds_help"));
    put(&w, "</p>\n<ul class=\"feeds\">");
    for (size_t i = 0; s && i < s->n; i++) {
        const struct org *o = &s->v[i];
        if (slug && strcmp(slug, o->slug) != 0)
            continue;
        json_object_set_new(bundles, o->slug, json_string(o->bundle_json));
        put(&w, "<li><strong>");
        esc(&w, o->name);
        put(&w, "</strong> <a href=\"/alerts/");
        esc(&w, o->slug);
        put(&w, ".atom?lang=");
        esc(&w, lang);
        put(&w, "\">");
        esc(&w, tr(lang, "alerts.atom"));
        put(&w, "</a> <a href=\"/alerts/");
        esc(&w, o->slug);
        put(&w, ".json?lang=");
        esc(&w, lang);
        put(&w, "\">");
        esc(&w, tr(lang, "alerts.json"));
        put(&w, "</a> <a href=\"/alerts?org=");
        esc(&w, o->slug);
        put(&w, "&amp;lang=");
        esc(&w, lang);
        put(&w, "\">");
        esc(&w, tr(lang, "alerts.only_org"));
        put(&w, "</a><br><span class=\"small\">");
        esc(&w, tr(lang, "landing.fingerprint"));
        put(&w, "</span> <code class=\"fp\" dir=\"ltr\">");
        esc(&w, o->fingerprint);
        put(&w, "</code></li>");
    }
    put(&w, "</ul></section>\n<script type=\"application/json\" "
            "id=\"alert-bundles\">");
    json_block(&w, bundles);
    json_decref(bundles);
    put(&w, "</script>\n<script type=\"application/json\" id=\"alert-words\">");
    words = json_pack("{s:s,s:s}", "ok", tr(lang, "alerts.verified"), "bad",
                      tr(lang, "alerts.failed"));
    if (words)
        json_block(&w, words);
    else
        w.err = 1;
    json_decref(words);
    put(&w, "</script>\n");
    return finish(&w, out, NULL);
}

/* ---- feeds ------------------------------------------------------------- */

/* The facts of an alert as plain text lines (the feeds' content). */
static void
facts_text(struct w *w, const struct alert_item *it, const char *lang,
           int xml)
{
    const json_t *a = it->a.json, *e;
    void (*out)(struct w *, const char *) = xml ? esc : put;
    char key[64];
    size_t i;

    put(w, "\n\n");
    out(w, tr(lang, "alerts.area"));
    put(w, ": ");
    if (xml) {
        area_text(w, a);
    } else {
        out(w, str(json_object_get(a, "area"), "country"));
        if (json_object_get(json_object_get(a, "area"), "region")) {
            put(w, ", ");
            out(w, str(json_object_get(a, "area"), "region"));
        }
    }
    put(w, "\n");
    out(w, tr(lang, "alerts.period"));
    put(w, ": ");
    out(w, str(json_object_get(a, "period"), "from"));
    put(w, " \xe2\x80\x93 ");
    out(w, str(json_object_get(a, "period"), "to"));
    json_array_foreach(json_object_get(a, "identifiers"), i, e) {
        snprintf(key, sizeof key, "alerts.idkind.%s", str(e, "kind"));
        put(w, "\n");
        out(w, tr(lang, key));
        put(w, ": ");
        out(w, str(e, "value"));
    }
    put(w, "\n");
    out(w, tr(lang, "alerts.expires"));
    put(w, ": ");
    out(w, it->a.expires);
}

int
alerts_atom(char **out, size_t *len, const struct alert_list *l,
            const struct org *o, const char *lang)
{
    struct w w = {.b = {.cap = OUT_MAX, .plain = 1}};
    const char *updated = l->n > 0 ? l->v[0].a.issued : "1970-01-01";

    *out = NULL;
    put(&w, "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
            "<feed xmlns=\"http://www.w3.org/2005/Atom\" xml:lang=\"");
    esc(&w, lang);
    put(&w, "\">\n<title>");
    esc(&w, tr(lang, "pages.title.alerts"));
    put(&w, " \xe2\x80\x94 ");
    esc(&w, o->name);
    put(&w, "</title>\n<id>urn:umbra:alerts:");
    esc(&w, o->slug);
    put(&w, ":");
    esc(&w, lang);
    put(&w, "</id>\n<updated>");
    esc(&w, updated);
    put(&w, "T00:00:00Z</updated>\n<author><name>");
    esc(&w, o->name);
    put(&w, "</name></author>\n<link rel=\"alternate\" type=\"text/html\" "
            "href=\"/alerts?org=");
    esc(&w, o->slug);
    put(&w, "&amp;lang=");
    esc(&w, lang);
    put(&w, "\"/>\n");
    for (size_t i = 0; i < l->n && w.b.len < FEED_BUDGET; i++) {
        const struct alert_item *it = &l->v[i];
        const json_t *t = pick_text(it->a.json, lang);
        char key[64];

        put(&w, "<entry xml:lang=\"");
        esc(&w, str(t, "lang"));
        put(&w, "\">\n<id>urn:umbra:alert:");
        esc(&w, o->slug);
        put(&w, ":");
        esc(&w, it->a.id);
        put(&w, "</id>\n<title type=\"text\">");
        esc(&w, str(t, "title"));
        put(&w, "</title>\n<published>");
        esc(&w, it->a.issued);
        put(&w, "T00:00:00Z</published>\n<updated>");
        esc(&w, it->a.issued);
        put(&w, "T00:00:00Z</updated>\n<category term=\"");
        esc(&w, it->a.level);
        put(&w, "\" label=\"");
        snprintf(key, sizeof key, "alerts.level.%s", it->a.level);
        esc(&w, tr(lang, key));
        put(&w, "\"/>\n<link rel=\"alternate\" type=\"text/html\" "
                "href=\"/alerts?org=");
        esc(&w, o->slug);
        put(&w, "&amp;lang=");
        esc(&w, lang);
        put(&w, "#alert-");
        esc(&w, it->a.id);
        put(&w, "\"/>\n<content type=\"text\">");
        esc(&w, str(t, "body"));
        facts_text(&w, it, lang, 1);
        put(&w, "</content>\n</entry>\n");
    }
    put(&w, "</feed>\n");
    return finish(&w, out, len);
}

int
alerts_jsonfeed(char **out, size_t *len, const struct alert_list *l,
                const struct org *o, const char *lang)
{
    json_t *items = json_array(), *feed = NULL, *bundle;
    char title[512], home[160], *s = NULL;
    int ok = items != NULL;
    size_t used = 0;

    *out = NULL;
    snprintf(title, sizeof title, "%s \xe2\x80\x94 %s",
             tr(lang, "pages.title.alerts"), o->name);
    snprintf(home, sizeof home, "/alerts?org=%s&lang=%s", o->slug, lang);
    for (size_t i = 0; ok && i < l->n && used < FEED_BUDGET / 2; i++) {
        const struct alert_item *it = &l->v[i];
        const json_t *t = pick_text(it->a.json, lang), *a = it->a.json;
        struct w w = {.b = {.cap = OUT_MAX, .plain = 1}};
        char date[32], url[256], *text = NULL;
        json_t *file = json_loadb(it->file, it->len, 0, NULL), *item;

        put(&w, str(t, "body"));
        facts_text(&w, it, lang, 0);
        snprintf(date, sizeof date, "%sT00:00:00Z", it->a.issued);
        snprintf(url, sizeof url, "%s#alert-%s", home, it->a.id);
        item = file && finish(&w, &text, NULL) == 0 ? json_pack(
            "{s:s,s:s,s:s,s:s,s:s,s:s,s:[s],s:{s:s,s:s,s:s,s:s,s:O,s:O,"
            "s:O*,s:O}}",
            "id", it->a.id, "url", url, "title", str(t, "title"),
            "content_text", text, "date_published", date, "language",
            str(t, "lang"), "tags", it->a.level, "_umbra", "org",
            o->slug, "level", it->a.level, "expires", it->a.expires,
            "signer", it->a.signer_name, "area",
            json_object_get(a, "area"), "period",
            json_object_get(a, "period"), "identifiers",
            json_object_get(a, "identifiers"), "alert_file", file)
                                                           : NULL;
        free(text);
        json_decref(file);
        /* the file twice at most (escaped in alert_file, its texts again) */
        used += 2 * it->len;
        ok = item && json_array_append_new(items, item) == 0;
    }
    bundle = ok ? json_loads(o->bundle_json, 0, NULL) : NULL;
    if (ok && bundle)
        feed = json_pack("{s:s,s:s,s:s,s:s,s:o,s:{s:s,s:s,s:o}}", "version",
                         "https://jsonfeed.org/version/1.1", "title", title,
                         "home_page_url", home, "language", lang, "items",
                         items, "_umbra", "org", o->slug, "fingerprint",
                         o->fingerprint, "bundle", bundle);
    else
        json_decref(items), json_decref(bundle);
    if (feed)
        s = json_dumps(feed, JSON_INDENT(1) | JSON_PRESERVE_ORDER);
    json_decref(feed);
    if (!s)
        return -1;
    *out = s;
    *len = strlen(s);
    return 0;
}
