/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * desk_alerts: the desk's Alerts screen (issue 16): the alerts of the
 * case store, a new draft from cases whose reporters agreed to an alert,
 * a draft's fields edited in a plain form, signed with the desk's keys,
 * withdrawn (a draft deleted). No JavaScript; the same drafting, checks
 * and signing as `umbra-case alert` (alert_draft.h, alert_ops.h).
 */
#include "alert_draft.h"
#include "alert_ops.h"
#include "args.h"
#include "case.h"
#include "desk.h"
#include "desk_text.h"
#include "store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define WHY_MAX 400

/* The flash: the text of key with {1} replaced by why. */
static void
flash(struct desk *d, const char *key, const char *why)
{
    const char *t = desk_text(d->lang, key), *at = strstr(t, "{1}");

    if (at == NULL || why == NULL)
        snprintf(d->flash, sizeof d->flash, "%s", t);
    else
        snprintf(d->flash, sizeof d->flash, "%.*s%s%s", (int)(at - t), t, why,
                 at + 3);
}

static void
to_alert(struct desk *d, struct desk_out *o, int64_t n, const char *key,
         const char *why)
{
    char path[48];

    flash(d, key, why);
    if (n > 0)
        snprintf(path, sizeof path, "/alert?n=%lld", (long long)n);
    else
        snprintf(path, sizeof path, "/alerts");
    desk_h_redirect(o, path);
}

static int64_t
req_n(const struct desk_req *r)
{
    const char *v = desk_field(r, "n");
    int64_t n = 0;

    return v != NULL && args_id(v, &n) == 0 ? n : 0;
}

static const char *
jstr(const json_t *o, const char *k)
{
    const char *s = json_string_value(json_object_get(o, k));

    return s ? s : "";
}

/* ---- the list ----------------------------------------------------------- */

static int
list_row(void *ctx, const struct store_alert *a)
{
    struct desk_out *o = ((void **)ctx)[0];
    struct desk *d = ((void **)ctx)[1];
    json_t *b = json_loads(a->body, 0, NULL);
    char key[40];

    snprintf(key, sizeof key, "desk.alert.status.%s", alert_status(a, b));
    desk_h_fmt(o, "<tr><td><a href=\"/alert?n=%lld\">%lld</a></td><td>",
               (long long)a->n, (long long)a->n);
    desk_h_t(o, d->lang, key);
    desk_h_raw(o, "</td><td>");
    if (strcmp(a->kind, "withdrawal") == 0) {
        desk_h_raw(o, "</td><td></td><td>");
        desk_h_t(o, d->lang, "desk.alert.withdrawal");
        desk_h_raw(o, " ");
        desk_h_esc(o, jstr(b, "withdraws"), 8);
        desk_h_raw(o, "</td>");
    } else {
        const json_t *area = json_object_get(b, "area");

        desk_h_str(o, jstr(b, "level"));
        desk_h_raw(o, "</td><td>");
        desk_h_str(o, jstr(area, "country"));
        desk_h_raw(o, " ");
        desk_h_str(o, jstr(area, "region"));
        desk_h_raw(o, "</td><td dir=\"auto\" class=\"text\">");
        desk_h_str(o, jstr(json_array_get(json_object_get(b, "texts"), 0),
                           "title"));
        desk_h_raw(o, "</td>");
    }
    desk_h_raw(o, "</tr>");
    json_decref(b);
    return 0;
}

static void
lang_choices(struct desk_out *o, const char *name)
{
    size_t i;

    for (i = 0; umbra_alert_langs[i] != NULL; i++)
        desk_h_fmt(o,
                   "<label><input type=\"checkbox\" name=\"%s\" "
                   "value=\"%s\"%s> %s</label> ",
                   name, umbra_alert_langs[i],
                   strcmp(umbra_alert_langs[i], "en") == 0 ? " checked" : "",
                   umbra_alert_langs[i]);
}

static void
alerts_page(struct desk *d, const struct desk_req *r, struct desk_out *o)
{
    void *ctx[2] = {o, d};
    char area[16] = "region";

    (void)r;
    desk_page_head(o, d, "desk.alert.title");
    desk_h_raw(o, "<p>");
    desk_h_t(o, d->lang, "desk.alert.intro");
    desk_h_raw(o, "</p><table id=\"alerts\"><thead><tr><th>#</th><th>");
    desk_h_t(o, d->lang, "desk.alert.status");
    desk_h_raw(o, "</th><th>");
    desk_h_t(o, d->lang, "desk.alert.level");
    desk_h_raw(o, "</th><th>");
    desk_h_t(o, d->lang, "desk.alert.area");
    desk_h_raw(o, "</th><th>");
    desk_h_t(o, d->lang, "desk.alert.text_title");
    desk_h_raw(o, "</th></tr></thead><tbody>");
    if (store_alerts_each(d->store, list_row, ctx) != 0) {
        desk_page_error(o, d, 500, "desk.error.store");
        return;
    }
    desk_h_raw(o, "</tbody></table><h2>");
    desk_h_t(o, d->lang, "desk.alert.new");
    desk_h_raw(o, "</h2>");
    desk_h_form(o, d->csrf, "/alerts/new");
    desk_h_raw(o, "<p><label for=\"cases\">");
    desk_h_t(o, d->lang, "desk.alert.cases");
    desk_h_raw(o, "</label><br><input id=\"cases\" name=\"cases\" "
                  "maxlength=\"200\" placeholder=\"3, 7\"></p><p>");
    desk_h_t(o, d->lang, "desk.alert.langs");
    desk_h_raw(o, "<br>");
    lang_choices(o, "lang");
    desk_h_raw(o, "</p><p><button type=\"submit\" id=\"draft\">");
    desk_h_t(o, d->lang, "desk.alert.draft");
    desk_h_raw(o, "</button></p></form><h2>");
    desk_h_t(o, d->lang, "desk.alert.area");
    desk_h_raw(o, "</h2>");
    if (store_meta_get(d->store, "alert_area", area, sizeof area) < 0)
        snprintf(area, sizeof area, "region");
    desk_h_form(o, d->csrf, "/alerts/config");
    desk_h_fmt(o,
               "<p><select id=\"area\" name=\"area\">"
               "<option value=\"region\"%s>",
               strcmp(area, "country") != 0 ? " selected" : "");
    desk_h_t(o, d->lang, "desk.alert.area_region");
    desk_h_fmt(o, "</option><option value=\"country\"%s>",
               strcmp(area, "country") == 0 ? " selected" : "");
    desk_h_t(o, d->lang, "desk.alert.area_country");
    desk_h_raw(o, "</option></select> <button type=\"submit\">");
    desk_h_t(o, d->lang, "desk.alert.save");
    desk_h_raw(o, "</button></p></form><p>");
    desk_h_t(o, d->lang, "desk.alert.push_hint");
    desk_h_raw(o, "</p>");
    desk_page_foot(o, d);
}

/* ---- new, config -------------------------------------------------------- */

void
desk_alerts_new(struct desk *d, const struct desk_req *r, struct desk_out *o)
{
    struct alert_draft_opts a;
    int64_t cases[ALERT_MAX_CASES], n;
    const char *langs[ALERT_MAX_TEXTS];
    const char *list = desk_field(r, "cases"), *p;
    char area[16] = "region", why[WHY_MAX], cs[ALERT_MAX_CASES * 21 + 1];
    json_t *draft = NULL;
    char *body = NULL;
    size_t nc = 0, nl = 0, i, k = 0;

    for (i = 0; i < r->nfields; i++)
        if (strcmp(r->fields[i].name, "lang") == 0 && nl < ALERT_MAX_TEXTS &&
            alert_lang_known(r->fields[i].value))
            langs[nl++] = r->fields[i].value;
    for (p = list ? list : ""; *p && nc < ALERT_MAX_CASES;) {
        char word[24];
        size_t w = 0;

        while (*p == ' ' || *p == ',')
            p++;
        while (*p && *p != ' ' && *p != ',' && w + 1 < sizeof word)
            word[w++] = *p++;
        word[w] = 0;
        if (w == 0)
            break;
        if (args_id(word, &cases[nc]) != 0) {
            to_alert(d, o, 0, "desk.alert.refused", word);
            return;
        }
        k += (size_t)snprintf(cs + k, sizeof cs - k, "%s%lld", nc ? "," : "",
                              (long long)cases[nc]);
        nc++;
    }
    if (nc == 0) {
        to_alert(d, o, 0, "desk.alert.nocases", NULL);
        return;
    }
    if (store_meta_get(d->store, "alert_area", area, sizeof area) < 0)
        snprintf(area, sizeof area, "region");
    memset(&a, 0, sizeof a);
    a.org = d->keys->slug;
    a.cases = cases;
    a.ncases = nc;
    a.langs = langs;
    a.nlangs = nl;
    a.region = strcmp(area, "country") != 0;
    if (alert_draft(&draft, NULL, d->store, &a, why, sizeof why) != 0) {
        to_alert(d, o, 0, "desk.alert.refused", why);
        return;
    }
    body = alert_dump(draft);
    if (body == NULL || store_begin(d->store) != 0) {
        free(body);
        json_decref(draft);
        desk_page_error(o, d, 500, "desk.error.store");
        return;
    }
    if (store_alert_add(d->store, &n, jstr(draft, "id"), "alert", cs, body,
                        NULL) != 0 ||
        store_commit(d->store) != 0) {
        store_rollback(d->store);
        free(body);
        json_decref(draft);
        desk_page_error(o, d, 500, "desk.error.store");
        return;
    }
    free(body);
    json_decref(draft);
    to_alert(d, o, n, "desk.alert.drafted", NULL);
}

void
desk_alerts_config(struct desk *d, const struct desk_req *r,
                   struct desk_out *o)
{
    const char *area = desk_field(r, "area");

    if (area == NULL ||
        (strcmp(area, "country") != 0 && strcmp(area, "region") != 0)) {
        desk_page_error(o, d, 400, "desk.error.form");
        return;
    }
    if (store_meta_set(d->store, "alert_area", area) != 0) {
        desk_page_error(o, d, 500, "desk.error.store");
        return;
    }
    to_alert(d, o, 0, "desk.alert.saved", NULL);
}

/* ---- one alert ---------------------------------------------------------- */

struct got {
    int found;
    int64_t n;
    char kind[16], status[16], cases[ALERT_MAX_CASES * 21 + 1];
    char alert_id[33], withdrawn_by[33];
    json_t *body;
};

static int
got_row(void *ctx, const struct store_alert *a)
{
    struct got *g = ctx;

    g->found = 1;
    g->n = a->n;
    g->body = json_loads(a->body, JSON_REJECT_DUPLICATES, NULL);
    snprintf(g->kind, sizeof g->kind, "%s", a->kind);
    snprintf(g->status, sizeof g->status, "%s", alert_status(a, g->body));
    snprintf(g->cases, sizeof g->cases, "%s", a->cases);
    snprintf(g->alert_id, sizeof g->alert_id, "%s", a->alert_id);
    snprintf(g->withdrawn_by, sizeof g->withdrawn_by, "%s", a->withdrawn_by);
    return g->body != NULL ? 0 : -1;
}

/* Alert n of the store into g (g->body to decref); answers the error page
 * itself and returns -1 when there is none. */
static int
get(struct got *g, struct desk *d, struct desk_out *o, int64_t n)
{
    int rc;

    memset(g, 0, sizeof *g);
    if (n == 0) {
        desk_page_error(o, d, 400, "desk.error.form");
        return -1;
    }
    rc = store_alert_get(d->store, n, NULL, got_row, g);
    if (rc != 0) {
        json_decref(g->body);
        g->body = NULL;
        desk_page_error(o, d, rc == 1 ? 404 : 500,
                        rc == 1 ? "desk.alert.noalert" : "desk.error.store");
        return -1;
    }
    return 0;
}

static void
input(struct desk_out *o, struct desk *d, const char *key, const char *name,
      const char *value, int readonly)
{
    desk_h_fmt(o, "<p><label for=\"%s\">", name);
    desk_h_t(o, d->lang, key);
    desk_h_fmt(o, "</label><br><input id=\"%s\" name=\"%s\" dir=\"auto\" "
                  "maxlength=\"400\" value=\"",
               name, name);
    desk_h_str(o, value);
    desk_h_fmt(o, "\"%s></p>", readonly ? " readonly" : "");
}

static void
edit_form(struct desk *d, struct desk_out *o, const struct got *g, int ro)
{
    const json_t *b = g->body, *area = json_object_get(b, "area"),
                 *period = json_object_get(b, "period"), *v;
    json_t *cand = NULL;
    size_t i;
    static const char *const LEVELS[] = {"info", "warning", "danger"};

    if (!ro)
        desk_h_form(o, d->csrf, "/alert/save");
    desk_h_fmt(o, "<input type=\"hidden\" name=\"n\" value=\"%lld\">",
               (long long)g->n);
    desk_h_raw(o, "<p><label for=\"level\">");
    desk_h_t(o, d->lang, "desk.alert.level");
    desk_h_fmt(o, "</label><br><select id=\"level\" name=\"level\"%s>",
               ro ? " disabled" : "");
    for (i = 0; i < 3; i++)
        desk_h_fmt(o, "<option%s>%s</option>",
                   strcmp(jstr(b, "level"), LEVELS[i]) == 0 ? " selected" : "",
                   LEVELS[i]);
    desk_h_raw(o, "</select></p>");
    input(o, d, "desk.alert.country", "country", jstr(area, "country"), ro);
    input(o, d, "desk.alert.region", "region", jstr(area, "region"), ro);
    input(o, d, "desk.alert.from", "from", jstr(period, "from"), ro);
    input(o, d, "desk.alert.to", "to", jstr(period, "to"), ro);
    input(o, d, "desk.alert.expires", "expires", jstr(b, "expires"), ro);
    desk_h_raw(o, "<p><label for=\"identifiers\">");
    desk_h_t(o, d->lang, "desk.alert.identifiers");
    desk_h_fmt(o, "</label><br><textarea id=\"identifiers\" "
                  "name=\"identifiers\" rows=\"4\" cols=\"50\"%s>",
               ro ? " readonly" : "");
    json_array_foreach(json_object_get(b, "identifiers"), i, v)
    {
        desk_h_str(o, jstr(v, "kind"));
        desk_h_raw(o, " ");
        desk_h_str(o, jstr(v, "value"));
        desk_h_raw(o, "\n");
    }
    desk_h_raw(o, "</textarea></p>");
    if (!ro && alert_candidates(&cand, d->store, g->cases, 0) == 0 &&
        json_array_size(cand) > 0) {
        desk_h_raw(o, "<p>");
        desk_h_t(o, d->lang, "desk.alert.candidates");
        desk_h_raw(o, "</p><ul id=\"candidates\">");
        json_array_foreach(cand, i, v)
        {
            desk_h_raw(o, "<li><code>");
            desk_h_str(o, jstr(v, "kind"));
            desk_h_raw(o, " ");
            desk_h_str(o, jstr(v, "value"));
            desk_h_raw(o, "</code></li>");
        }
        desk_h_raw(o, "</ul>");
    }
    json_decref(cand);
    json_array_foreach(json_object_get(b, "texts"), i, v)
    {
        const char *lang = jstr(v, "lang");

        if (!alert_lang_known(lang))
            continue;
        desk_h_fmt(o, "<fieldset><legend>%s</legend><label>", lang);
        desk_h_t(o, d->lang, "desk.alert.text_title");
        desk_h_fmt(o, "<br><input name=\"title.%s\" lang=\"%s\" "
                      "dir=\"auto\" maxlength=\"400\" value=\"",
                   lang, lang);
        desk_h_str(o, jstr(v, "title"));
        desk_h_fmt(o, "\"%s></label><br><label>", ro ? " readonly" : "");
        desk_h_t(o, d->lang, "desk.alert.text_body");
        desk_h_fmt(o, "<br><textarea name=\"body.%s\" lang=\"%s\" "
                      "rows=\"8\" cols=\"60\" dir=\"auto\"%s>",
                   lang, lang, ro ? " readonly" : "");
        desk_h_str(o, jstr(v, "body"));
        desk_h_raw(o, "</textarea></label>");
        if (!ro) {
            desk_h_fmt(o, "<br><label><input type=\"checkbox\" "
                          "name=\"drop\" value=\"%s\"> ",
                       lang);
            desk_h_t(o, d->lang, "desk.alert.drop");
            desk_h_raw(o, "</label>");
        }
        desk_h_raw(o, "</fieldset>");
    }
    if (ro)
        return;
    desk_h_raw(o, "<p><label for=\"addlang\">");
    desk_h_t(o, d->lang, "desk.alert.addlang");
    desk_h_raw(o, "</label> <select id=\"addlang\" name=\"addlang\">"
                  "<option value=\"\"></option>");
    for (i = 0; umbra_alert_langs[i] != NULL; i++)
        desk_h_fmt(o, "<option>%s</option>", umbra_alert_langs[i]);
    desk_h_raw(o, "</select></p><p><button type=\"submit\" id=\"save\">");
    desk_h_t(o, d->lang, "desk.alert.save");
    desk_h_raw(o, "</button></p></form>");
}

static void
action(struct desk *d, struct desk_out *o, int64_t n, const char *path,
       const char *key, const char *id)
{
    desk_h_form(o, d->csrf, path);
    desk_h_fmt(o, "<input type=\"hidden\" name=\"n\" value=\"%lld\">"
                  "<button type=\"submit\" id=\"%s\">",
               (long long)n, id);
    desk_h_t(o, d->lang, key);
    desk_h_raw(o, "</button></form>");
}

void
desk_alert_page(struct desk *d, const struct desk_req *r, struct desk_out *o)
{
    struct got g;
    char key[40];

    if (get(&g, d, o, req_n(r)) != 0)
        return;
    desk_page_head(o, d, "desk.alert.one");
    snprintf(key, sizeof key, "desk.alert.status.%s", g.status);
    desk_h_fmt(o, "<p id=\"status\">%lld \xc2\xb7 ", (long long)g.n);
    desk_h_t(o, d->lang, key);
    desk_h_raw(o, " \xc2\xb7 <code>");
    desk_h_str(o, g.alert_id);
    desk_h_raw(o, "</code></p>");
    if (strcmp(g.kind, "withdrawal") == 0) {
        desk_h_raw(o, "<p>");
        desk_h_t(o, d->lang, "desk.alert.withdrawal");
        desk_h_raw(o, " <code>");
        desk_h_str(o, jstr(g.body, "withdraws"));
        desk_h_raw(o, "</code></p>");
    } else if (strcmp(g.status, "draft") == 0) {
        edit_form(d, o, &g, 0);
        action(d, o, g.n, "/alert/sign", "desk.alert.sign", "sign");
        action(d, o, g.n, "/alert/withdraw", "desk.alert.delete", "delete");
    } else {
        desk_h_raw(o, "<p>");
        desk_h_t(o, d->lang, "desk.alert.readonly");
        desk_h_raw(o, "</p>");
        edit_form(d, o, &g, 1);
        if (!g.withdrawn_by[0])
            action(d, o, g.n, "/alert/withdraw", "desk.alert.withdraw",
                   "withdraw");
    }
    desk_h_raw(o, "<p><a href=\"/alerts\">");
    desk_h_t(o, d->lang, "desk.alert.back");
    desk_h_raw(o, "</a></p>");
    desk_page_foot(o, d);
    json_decref(g.body);
}

/* ---- save, sign, withdraw ----------------------------------------------- */

/* 1 if lang is one of the form's "drop" values. */
static int
dropped(const struct desk_req *r, const char *lang)
{
    size_t i;

    for (i = 0; i < r->nfields; i++)
        if (strcmp(r->fields[i].name, "drop") == 0 &&
            strcmp(r->fields[i].value, lang) == 0)
            return 1;
    return 0;
}

/* The identifiers textarea ("KIND VALUE" per line) as a JSON array. */
static json_t *
identifiers(const char *text)
{
    json_t *a = json_array();
    const char *p = text ? text : "", *end;

    while (a != NULL && *p) {
        char line[512], *sp, *v;
        size_t n;

        end = strchr(p, '\n');
        n = end ? (size_t)(end - p) : strlen(p);
        if (n >= sizeof line)
            n = sizeof line - 1; /* a longer value fails the check */
        memcpy(line, p, n);
        line[n] = 0;
        while (n > 0 && (line[n - 1] == '\r' || line[n - 1] == ' '))
            line[--n] = 0;
        p = end ? end + 1 : p + strlen(p);
        v = line;
        while (*v == ' ')
            v++;
        if (*v == 0)
            continue;
        sp = strchr(v, ' ');
        if (sp == NULL) {
            json_array_append_new(a, json_pack("{s:s,s:s}", "kind", v,
                                               "value", ""));
            continue;
        }
        *sp++ = 0;
        while (*sp == ' ')
            sp++;
        json_array_append_new(a, json_pack("{s:s,s:s}", "kind", v, "value",
                                           sp));
    }
    return a;
}

/* A browser sends a textarea's lines ended by CR LF: the body keeps LF. */
static void
no_cr(json_t *text)
{
    const char *b = jstr(text, "body");
    size_t n = strlen(b), i, k = 0;
    char *o = malloc(n + 1);

    if (o == NULL)
        return;
    for (i = 0; i < n; i++)
        if (!(b[i] == '\r' && b[i + 1] == '\n'))
            o[k++] = b[i];
    o[k] = 0;
    json_object_set_new(text, "body", json_string(o));
    free(o);
}

/* The form's fields over the draft's body b (org, id, kind, issued kept). */
static int
apply_form(json_t *b, const struct desk_req *r)
{
    json_t *area = json_object_get(b, "area"),
           *period = json_object_get(b, "period"), *texts, *v, *en = NULL;
    const char *f, *add = desk_field(r, "addlang");
    size_t i;
    char name[32];

    if (!json_is_object(area) || !json_is_object(period))
        return -1;
    if ((f = desk_field(r, "level")) != NULL)
        json_object_set_new(b, "level", json_string(f));
    if ((f = desk_field(r, "expires")) != NULL)
        json_object_set_new(b, "expires", json_string(f));
    if ((f = desk_field(r, "country")) != NULL) {
        char cc[3] = {0, 0, 0};

        if (strlen(f) == 2) {
            cc[0] = (char)(f[0] >= 'a' && f[0] <= 'z' ? f[0] - 32 : f[0]);
            cc[1] = (char)(f[1] >= 'a' && f[1] <= 'z' ? f[1] - 32 : f[1]);
        }
        json_object_set_new(area, "country", json_string(cc[0] ? cc : f));
    }
    if ((f = desk_field(r, "region")) != NULL) {
        if (f[0])
            json_object_set_new(area, "region", json_string(f));
        else
            json_object_del(area, "region");
    }
    if ((f = desk_field(r, "from")) != NULL)
        json_object_set_new(period, "from", json_string(f));
    if ((f = desk_field(r, "to")) != NULL)
        json_object_set_new(period, "to", json_string(f));
    json_object_set_new(b, "identifiers",
                        identifiers(desk_field(r, "identifiers")));
    texts = json_array();
    json_array_foreach(json_object_get(b, "texts"), i, v)
    {
        const char *lang = jstr(v, "lang");
        const char *t, *body;

        if (dropped(r, lang))
            continue;
        snprintf(name, sizeof name, "title.%s", lang);
        t = desk_field(r, name);
        snprintf(name, sizeof name, "body.%s", lang);
        body = desk_field(r, name);
        json_array_append_new(
            texts, json_pack("{s:s,s:s,s:s}", "lang", lang, "title",
                             t ? t : jstr(v, "title"), "body",
                             body ? body : jstr(v, "body")));
        if (body != NULL)
            no_cr(json_array_get(texts, json_array_size(texts) - 1));
        if (strcmp(lang, "en") == 0 || en == NULL)
            en = json_array_get(texts, json_array_size(texts) - 1);
    }
    if (add != NULL && add[0] && alert_lang_known(add)) {
        char *tt = NULL, *bb = NULL;
        const char *st = en ? jstr(en, "title") : "",
                   *sb = en ? jstr(en, "body") : "";
        size_t lt = strlen(ALERT_TRANSLATE) + strlen(st) + 1,
               lb = strlen(ALERT_TRANSLATE) + strlen(sb) + 1;

        tt = malloc(lt);
        bb = malloc(lb);
        if (tt != NULL && bb != NULL) {
            snprintf(tt, lt, "%s%s", ALERT_TRANSLATE, st);
            snprintf(bb, lb, "%s%s", ALERT_TRANSLATE, sb);
            json_array_append_new(texts,
                                  json_pack("{s:s,s:s,s:s}", "lang", add,
                                            "title", tt, "body", bb));
        }
        free(tt);
        free(bb);
    }
    json_object_set_new(b, "texts", texts);
    return 0;
}

void
desk_alert_save(struct desk *d, const struct desk_req *r, struct desk_out *o)
{
    struct got g;
    char why[WHY_MAX], *body = NULL;

    if (get(&g, d, o, req_n(r)) != 0)
        return;
    if (strcmp(g.status, "draft") != 0) {
        to_alert(d, o, g.n, "desk.alert.readonly", NULL);
        json_decref(g.body);
        return;
    }
    if (apply_form(g.body, r) != 0 ||
        alert_check(g.body, 0, why, sizeof why) != 0) {
        to_alert(d, o, g.n, "desk.alert.invalid", why);
        json_decref(g.body);
        return;
    }
    body = alert_dump(g.body);
    if (body == NULL || store_alert_set_body(d->store, g.n, body) != 0) {
        free(body);
        json_decref(g.body);
        desk_page_error(o, d, 500, "desk.error.store");
        return;
    }
    free(body);
    json_decref(g.body);
    to_alert(d, o, g.n, "desk.alert.saved", NULL);
}

/* The home's bundle; the flash says why when it cannot be read. */
static int
bundle(struct umbra_bundle *b, struct desk *d)
{
    char path[CASE_PATH_MAX];

    return case_path(path, sizeof path, d->o, "public.json") == 0 &&
                   case_load_bundle(b, path) == 0
               ? 0
               : -1;
}

void
desk_alert_sign(struct desk *d, const struct desk_req *r, struct desk_out *o)
{
    struct umbra_bundle b;
    char why[WHY_MAX], expires[11];
    int64_t n = req_n(r);

    if (n == 0) {
        desk_page_error(o, d, 400, "desk.error.form");
        return;
    }
    if (bundle(&b, d) != 0) {
        to_alert(d, o, n, "desk.alert.notsigned", "public.json");
        return;
    }
    if (alert_op_sign(d->store, d->keys, &b, n, expires, why, sizeof why) !=
        0) {
        to_alert(d, o, n, "desk.alert.notsigned", why);
        return;
    }
    to_alert(d, o, n, "desk.alert.signed", NULL);
}

void
desk_alert_withdraw(struct desk *d, const struct desk_req *r,
                    struct desk_out *o)
{
    struct umbra_bundle b;
    char why[WHY_MAX];
    int64_t n = req_n(r), wn = 0;

    if (n == 0) {
        desk_page_error(o, d, 400, "desk.error.form");
        return;
    }
    memset(&b, 0, sizeof b);
    if (bundle(&b, d) != 0) {
        to_alert(d, o, n, "desk.alert.notwithdrawn", "public.json");
        return;
    }
    if (alert_op_withdraw(d->store, d->keys, &b, n, &wn, why, sizeof why) !=
        0) {
        to_alert(d, o, n, "desk.alert.notwithdrawn", why);
        return;
    }
    if (wn == 0)
        to_alert(d, o, 0, "desk.alert.deleted", NULL);
    else
        to_alert(d, o, n, "desk.alert.withdrawn", NULL);
}

void
desk_alerts_page(struct desk *d, const struct desk_req *r, struct desk_out *o)
{
    alerts_page(d, r, o);
}
