/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * desk_pages: the desk's route table and its screens other than a case
 * (desk_case.c): the page frame, unlocking and locking, the inbox, the
 * quarantine, the language and the style sheet.
 */
#include "case_row.h"
#include "desk.h"
#include "desk_text.h"
#include "store.h"
#include "triage.h"

#include <ctype.h>
#include <string.h>

#include <sodium.h>

static const char CSS[] =
    "body{font:16px/1.5 system-ui,sans-serif;margin:0;color:#1b1b1b;"
    "background:#fafafa}"
    "header{display:flex;flex-wrap:wrap;gap:1em;align-items:center;"
    "padding:.5em 1em;background:#2d2343;color:#fff}"
    "header a{color:#fff}.brand{font-weight:bold;margin:0}"
    "nav{display:flex;gap:1em;flex:1}"
    "main{padding:1em;max-width:70em}"
    "table{border-collapse:collapse;width:100%}"
    "td,th{border-bottom:1px solid #ccc;padding:.3em;text-align:start;"
    "vertical-align:top}"
    ".rt,bdi{unicode-bidi:isolate}"
    ".narr{white-space:pre-wrap;overflow-wrap:anywhere;background:#fff;"
    "border:1px solid #ccc;padding:1em;unicode-bidi:isolate;"
    "max-height:40em;overflow:auto}"
    ".flash{background:#fff3c4;padding:.5em;border:1px solid #c9a400}"
    ".error{background:#fde2e2;padding:.5em;border:1px solid #b00}"
    ".counts{display:flex;flex-wrap:wrap;gap:1em;padding:0;list-style:none}"
    "label{display:block;margin-top:.5em}"
    "input,select,textarea,button{font:inherit}"
    "button{min-height:2.5em;padding:0 1em}"
    "textarea{width:100%;max-width:40em}"
    "dl{display:grid;grid-template-columns:max-content 1fr;gap:.2em 1em}"
    "dt{font-weight:bold}dd{margin:0;unicode-bidi:isolate}"
    "img.att{max-width:100%;max-height:30em;border:1px solid #ccc}"
    "img.chart{max-width:100%}pre{white-space:pre-wrap;background:#fff;"
    "border:1px solid #ccc;padding:.5em}"
    ".filters{display:flex;flex-wrap:wrap;gap:1em;align-items:end}"
    ".filters label{margin:0}"
    ".unread,.new{color:#8a1c00}.unverified{color:#b00}"
    "#conversation{list-style:none;padding:0}"
    ".msg{margin:.5em 0}.msg.org .narr{background:#eef3ff}"
    ".who{margin:.2em 0;font-weight:bold}\n";

static void page_tools(struct desk_out *o, struct desk *d);

void
desk_page_head(struct desk_out *o, struct desk *d, const char *title_key)
{
    desk_h_fmt(o,
               "<!doctype html>\n<html lang=\"%s\" dir=\"%s\"><head>"
               "<meta charset=\"utf-8\">"
               "<meta name=\"viewport\" content=\"width=device-width, "
               "initial-scale=1\">"
               "<meta name=\"referrer\" content=\"same-origin\">"
               "<link rel=\"stylesheet\" href=\"/desk.css\"><title>",
               desk_text_tag(d->lang), desk_text_rtl(d->lang) ? "rtl" : "ltr");
    desk_h_t(o, d->lang, title_key);
    desk_h_raw(o, " \xe2\x80\x94 ");
    desk_h_t(o, d->lang, "desk.name");
    desk_h_raw(o, "</title></head><body><header><p class=\"brand\">");
    desk_h_t(o, d->lang, "desk.name");
    desk_h_raw(o, "</p>");
    if (d->store != NULL) {
        desk_h_raw(o, "<nav><a href=\"/\">");
        desk_h_t(o, d->lang, "desk.nav.inbox");
        desk_h_raw(o, "</a> <a href=\"/quarantine\">");
        desk_h_t(o, d->lang, "desk.nav.quarantine");
        desk_h_raw(o, "</a> <a href=\"/sync\">");
        desk_h_t(o, d->lang, "desk.nav.sync");
        desk_h_raw(o, "</a> <a href=\"/stats\">");
        desk_h_t(o, d->lang, "desk.nav.stats");
        desk_h_raw(o, "</a> <a href=\"/links\">");
        desk_h_t(o, d->lang, "desk.links.title");
        desk_h_raw(o, "</a> <a href=\"/alerts\">");
        desk_h_t(o, d->lang, "desk.alert.nav");
        desk_h_raw(o, "</a></nav>");
        desk_h_form(o, d->csrf, "/lock");
        desk_h_raw(o, "<button type=\"submit\" id=\"lock\">");
        desk_h_t(o, d->lang, "desk.lock.button");
        desk_h_raw(o, "</button></form>");
    }
    desk_h_raw(o, "</header><main>");
    if (d->flash[0]) {
        desk_h_raw(o, "<p class=\"flash\" role=\"status\">");
        desk_h_str(o, d->flash);
        desk_h_raw(o, "</p>");
        d->flash[0] = 0;
    }
    desk_h_raw(o, "<h1>");
    desk_h_t(o, d->lang, title_key);
    desk_h_raw(o, "</h1>");
}

void
desk_page_error(struct desk_out *o, struct desk *d, int status, const char *key)
{
    umbra_buf_release(&o->body);
    o->oom = 0;
    o->status = status;
    desk_page_head(o, d, "desk.error.title");
    desk_h_raw(o, "<p class=\"error\" role=\"alert\">");
    desk_h_t(o, d->lang, key);
    desk_h_raw(o, "</p><p><a href=\"/\">");
    desk_h_t(o, d->lang, "desk.nav.back");
    desk_h_raw(o, "</a></p>");
    desk_page_foot(o, d);
}

/* The language chooser and the stop button, at the end of a page. */
static void
page_tools(struct desk_out *o, struct desk *d)
{
    int i;

    desk_h_raw(o, "<footer>");
    desk_h_form(o, d->csrf, "/lang");
    desk_h_raw(o, "<label for=\"lang\">");
    desk_h_t(o, d->lang, "desk.lang.label");
    desk_h_raw(o, "</label><select id=\"lang\" name=\"lang\">");
    for (i = 0; i < desk_text_nlangs(); i++) {
        /* each language under its own name */
        desk_h_fmt(o, "<option value=\"%s\"%s>", desk_text_tag(i),
                   i == d->lang ? " selected" : "");
        desk_h_t(o, i, "desk.lang.name");
        desk_h_raw(o, "</option>");
    }
    desk_h_raw(o, "</select> <button type=\"submit\">");
    desk_h_t(o, d->lang, "desk.lang.button");
    desk_h_raw(o, "</button></form>");
    desk_h_form(o, d->csrf, "/quit");
    desk_h_raw(o, "<button type=\"submit\" id=\"quit\">");
    desk_h_t(o, d->lang, "desk.quit.button");
    desk_h_raw(o, "</button></form></footer>");
}

void
desk_page_foot(struct desk_out *o, struct desk *d)
{
    if (!d->stop)
        page_tools(o, d);
    desk_h_raw(o, "</main></body></html>\n");
}

static void
unlock_page(struct desk *d, struct desk_out *o)
{
    desk_page_head(o, d, "desk.unlock.title");
    desk_h_raw(o, "<p>");
    desk_h_t(o, d->lang, "desk.unlock.intro");
    desk_h_raw(o, "</p>");
    desk_h_form(o, d->csrf, "/unlock");
    desk_h_raw(o, "<label for=\"passphrase\">");
    desk_h_t(o, d->lang, "desk.unlock.passphrase");
    desk_h_raw(o, "</label><input type=\"password\" id=\"passphrase\" "
                  "name=\"passphrase\" autocomplete=\"off\" required "
                  "autofocus maxlength=\"1024\"> <button type=\"submit\">");
    desk_h_t(o, d->lang, "desk.unlock.button");
    desk_h_raw(o, "</button></form>");
    desk_page_foot(o, d);
}

static void
do_unlock(struct desk *d, const struct desk_req *r, struct desk_out *o)
{
    const char *pw = desk_field(r, "passphrase");
    size_t n = pw ? strlen(pw) : 0;

    if (n == 0 || n > CASE_PASSPHRASE_MAX)
        snprintf(d->flash, sizeof d->flash, "%s",
                 desk_text(d->lang, "desk.unlock.wrong"));
    else if (desk_unlock(d, pw, n) == 0)
        d->flash[0] = 0;
    desk_h_redirect(o, "/");
}

/* ---- the inbox ---------------------------------------------------------- */

static const char *const STATUS_KEYS[] = {"new", "in-progress", "waiting",
                                          "referred", "closed"};

struct inbox {
    struct desk *d;
    struct desk_out *o;
    const char *q;  /* search, or NULL */
    long counts[5]; /* by status, of every case */
    long shown;
    int count_only;
    int unread_only; /* only cases with messages not read yet */
};

/* 1 if needle (ASCII case folded) is in hay. */
static int
has_text(const char *hay, const char *needle)
{
    size_t n = strlen(needle), i, j;

    for (i = 0; hay[i]; i++) {
        for (j = 0; j < n && hay[i + j]; j++)
            if (tolower((unsigned char)hay[i + j]) !=
                tolower((unsigned char)needle[j]))
                break;
        if (j == n)
            return 1;
    }
    return n == 0;
}

static void
status_text(struct desk_out *o, int li, const char *status)
{
    char key[48];

    snprintf(key, sizeof key, "desk.status.%s", status);
    desk_h_t(o, li, key);
}

static int
inbox_row(void *ctx, const struct store_row *r)
{
    struct inbox *b = ctx;
    struct desk_out *o = b->o;
    char cats[512];
    size_t k;

    if (b->count_only) {
        for (k = 0; k < 5; k++)
            if (strcmp(r->status, STATUS_KEYS[k]) == 0)
                b->counts[k]++;
        return 0;
    }
    if (b->q && !has_text(r->summary, b->q) && !has_text(r->labels, b->q) &&
        !has_text(r->assignee, b->q))
        return 0;
    if (b->unread_only && r->unread <= 0)
        return 0;
    b->shown++;
    case_row_categories(cats, sizeof cats, r->categories);
    desk_h_fmt(o, "<tr><td><a href=\"/case?id=%lld\">%lld</a></td><td>",
               (long long)r->id, (long long)r->id);
    desk_h_raw(o, "<bdi>");
    desk_h_str(o, r->received);
    desk_h_raw(o, "</bdi></td><td>");
    status_text(o, b->d->lang, r->status);
    desk_h_raw(o, "</td><td>");
    if (r->priority[0]) {
        char key[48];

        snprintf(key, sizeof key, "desk.priority.%s", r->priority);
        desk_h_t(o, b->d->lang, key);
    }
    desk_h_raw(o, "</td><td>");
    desk_h_str(o, cats);
    desk_h_raw(o, "</td><td><bdi>");
    desk_h_str(o, r->labels);
    desk_h_raw(o, "</bdi></td><td><bdi>");
    desk_h_str(o, r->assignee);
    desk_h_raw(o, "</bdi></td><td>");
    if (r->unread > 0) {
        char n[24];

        snprintf(n, sizeof n, "%ld", r->unread);
        desk_h_fmt(o, "<strong class=\"unread\" id=\"unread-%lld\">",
                   (long long)r->id);
        desk_h_t1(o, b->d->lang, "desk.inbox.unread", n);
        desk_h_raw(o, "</strong> ");
    }
    if (strcmp(r->origin, "unverified") == 0) {
        desk_h_fmt(o, "<strong class=\"unverified\" id=\"unverified-%lld\">",
                   (long long)r->id);
        desk_h_t(o, b->d->lang, "desk.inbox.unverified");
        desk_h_raw(o, "</strong> ");
    }
    desk_h_raw(o, "<bdi class=\"rt\" dir=\"auto\">");
    desk_h_esc(o, r->summary,
               strlen(r->summary) > 120 ? 120 : strlen(r->summary));
    desk_h_raw(o, "</bdi></td></tr>");
    return 0;
}

static void
filter_select(struct desk_out *o, int li, const char *cur)
{
    size_t k;

    desk_h_raw(o, "<label for=\"status\">");
    desk_h_t(o, li, "desk.inbox.status");
    desk_h_raw(o, "<br><select id=\"status\" name=\"status\"><option "
                  "value=\"\">");
    desk_h_t(o, li, "desk.inbox.all");
    desk_h_raw(o, "</option>");
    for (k = 0; k < 5; k++) {
        desk_h_fmt(o, "<option value=\"%s\"%s>", STATUS_KEYS[k],
                   cur && strcmp(cur, STATUS_KEYS[k]) == 0 ? " selected" : "");
        status_text(o, li, STATUS_KEYS[k]);
        desk_h_raw(o, "</option>");
    }
    desk_h_raw(o, "</select></label>");
}

static void
inbox_page(struct desk *d, const struct desk_req *r, struct desk_out *o)
{
    struct store_filter f;
    struct inbox b;
    const char *label = desk_field(r, "label"), *q = desk_field(r, "q");
    const char *status = desk_field(r, "status");
    const char *unread = desk_field(r, "unread");
    size_t k;

    memset(&f, 0, sizeof f);
    memset(&b, 0, sizeof b);
    b.d = d;
    b.o = o;
    if (status && status[0] && !case_status_known(status)) {
        desk_page_error(o, d, 400, "desk.error.filter");
        return;
    }
    if ((label && strlen(label) > 64) || (q && strlen(q) > 200) ||
        (unread && strcmp(unread, "1") != 0)) {
        desk_page_error(o, d, 400, "desk.error.filter");
        return;
    }
    b.count_only = 1;
    if (store_list(d->store, &f, inbox_row, &b) != 0) {
        desk_page_error(o, d, 500, "desk.error.store");
        return;
    }
    b.count_only = 0;
    f.status = status && status[0] ? status : NULL;
    f.label = label && label[0] ? label : NULL;
    b.q = q && q[0] ? q : NULL;
    b.unread_only = unread != NULL;
    desk_page_head(o, d, "desk.inbox.title");
    desk_h_raw(o, "<ul class=\"counts\" id=\"counts\">");
    for (k = 0; k < 5; k++) {
        desk_h_fmt(o, "<li><a href=\"/?status=%s\">", STATUS_KEYS[k]);
        status_text(o, d->lang, STATUS_KEYS[k]);
        desk_h_fmt(o, "</a>: <span id=\"count-%s\">%ld</span></li>",
                   STATUS_KEYS[k], b.counts[k]);
    }
    desk_h_raw(o, "</ul><form method=\"get\" action=\"/\" class=\"filters\" "
                  "role=\"search\">");
    filter_select(o, d->lang, f.status);
    desk_h_raw(o, "<label for=\"label\">");
    desk_h_t(o, d->lang, "desk.inbox.label");
    desk_h_raw(o, "<br><input id=\"label\" name=\"label\" maxlength=\"64\" "
                  "value=\"");
    desk_h_str(o, f.label ? f.label : "");
    desk_h_raw(o, "\"></label><label for=\"q\">");
    desk_h_t(o, d->lang, "desk.inbox.search");
    desk_h_raw(o, "<br><input id=\"q\" name=\"q\" type=\"search\" "
                  "maxlength=\"200\" value=\"");
    desk_h_str(o, b.q ? b.q : "");
    desk_h_fmt(o, "\"></label><label for=\"unread\"><input type=\"checkbox\" "
                  "id=\"unread\" name=\"unread\" value=\"1\"%s> ",
               b.unread_only ? " checked" : "");
    desk_h_t(o, d->lang, "desk.inbox.unread_only");
    desk_h_raw(o, "</label><button type=\"submit\">");
    desk_h_t(o, d->lang, "desk.inbox.filter");
    desk_h_raw(o, "</button></form><table id=\"cases\"><thead><tr>");
    {
        static const char *const COLS[] = {
            "desk.col.case",     "desk.col.received",   "desk.col.status",
            "desk.col.priority", "desk.col.categories", "desk.col.labels",
            "desk.col.assignee", "desk.col.summary"};

        for (k = 0; k < sizeof COLS / sizeof COLS[0]; k++) {
            desk_h_raw(o, "<th scope=\"col\">");
            desk_h_t(o, d->lang, COLS[k]);
            desk_h_raw(o, "</th>");
        }
    }
    desk_h_raw(o, "</tr></thead><tbody>");
    if (store_list(d->store, &f, inbox_row, &b) != 0) {
        desk_page_error(o, d, 500, "desk.error.store");
        return;
    }
    desk_h_raw(o, "</tbody></table>");
    if (b.shown == 0) {
        desk_h_raw(o, "<p id=\"none\">");
        desk_h_t(o, d->lang, "desk.inbox.none");
        desk_h_raw(o, "</p>");
    }
    desk_page_foot(o, d);
}

/* ---- the quarantine ----------------------------------------------------- */

static int
quarantine_row(void *ctx, int64_t id, const char *server_id,
               const char *received, const char *when, const char *outcome,
               const char *reason, size_t size)
{
    struct inbox *b = ctx;
    struct desk_out *o = b->o;

    b->shown++;
    desk_h_fmt(o, "<tr><td>%lld</td><td>", (long long)id);
    desk_h_str(o, server_id);
    desk_h_raw(o, "</td><td>");
    desk_h_str(o, received);
    desk_h_raw(o, "</td><td>");
    desk_h_str(o, when);
    desk_h_raw(o, "</td><td>");
    desk_h_t(o, b->d->lang,
             strcmp(outcome, "unopened") == 0 ? "desk.quarantine.unopened"
                                              : "desk.quarantine.refused");
    desk_h_fmt(o, "</td><td>%zu</td><td><bdi>", size);
    desk_h_str(o, reason);
    desk_h_raw(o, "</bdi></td></tr>");
    return 0;
}

static void
quarantine_page(struct desk *d, struct desk_out *o)
{
    static const char *const COLS[] = {
        "desk.col.number",   "desk.col.server_id", "desk.col.received",
        "desk.col.imported", "desk.col.outcome",   "desk.col.size",
        "desk.col.reason"};
    struct inbox b;
    size_t k;

    memset(&b, 0, sizeof b);
    b.d = d;
    b.o = o;
    desk_page_head(o, d, "desk.quarantine.title");
    desk_h_raw(o, "<p>");
    desk_h_t(o, d->lang, "desk.quarantine.intro");
    desk_h_raw(o, "</p><table id=\"quarantine\"><thead><tr>");
    for (k = 0; k < sizeof COLS / sizeof COLS[0]; k++) {
        desk_h_raw(o, "<th scope=\"col\">");
        desk_h_t(o, d->lang, COLS[k]);
        desk_h_raw(o, "</th>");
    }
    desk_h_raw(o, "</tr></thead><tbody>");
    if (store_quarantine_each(d->store, quarantine_row, &b) != 0) {
        desk_page_error(o, d, 500, "desk.error.store");
        return;
    }
    desk_h_raw(o, "</tbody></table>");
    if (b.shown == 0) {
        desk_h_raw(o, "<p id=\"none\">");
        desk_h_t(o, d->lang, "desk.quarantine.none");
        desk_h_raw(o, "</p>");
    }
    desk_page_foot(o, d);
}

/* ---- the route table ---------------------------------------------------- */

static void
set_lang(struct desk *d, const struct desk_req *r, struct desk_out *o)
{
    int li = desk_text_lang(desk_field(r, "lang"));

    if (li < 0) {
        desk_page_error(o, d, 400, "desk.error.lang");
        return;
    }
    d->lang = li;
    desk_h_redirect(o, "/");
}

static void
quit(struct desk *d, const struct desk_req *r, struct desk_out *o)
{
    (void)r;
    desk_lock(d);
    d->stop = 1;
    desk_page_head(o, d, "desk.quit.title");
    desk_h_raw(o, "<p>");
    desk_h_t(o, d->lang, "desk.quit.done");
    desk_h_raw(o, "</p>");
    desk_page_foot(o, d);
}

static void
lock_now(struct desk *d, const struct desk_req *r, struct desk_out *o)
{
    (void)r;
    desk_lock(d);
    desk_h_redirect(o, "/");
}

enum { ANY = 0, UNLOCKED = 1 };

struct route {
    const char *method, *path;
    int need;
    void (*fn)(struct desk *d, const struct desk_req *r, struct desk_out *o);
};

static void
get_inbox(struct desk *d, const struct desk_req *r, struct desk_out *o)
{
    if (d->store == NULL)
        unlock_page(d, o);
    else
        inbox_page(d, r, o);
}

static void
get_quarantine(struct desk *d, const struct desk_req *r, struct desk_out *o)
{
    (void)r;
    quarantine_page(d, o);
}

static void
get_css(struct desk *d, const struct desk_req *r, struct desk_out *o)
{
    (void)d;
    (void)r;
    o->type = "text/css; charset=utf-8";
    desk_h_raw(o, CSS);
}

static const struct route ROUTES[] = {
    {"GET", "/", ANY, get_inbox},
    {"GET", "/desk.css", ANY, get_css},
    {"POST", "/unlock", ANY, do_unlock},
    {"POST", "/lock", ANY, lock_now},
    {"POST", "/lang", ANY, set_lang},
    {"POST", "/quit", ANY, quit},
    {"GET", "/quarantine", UNLOCKED, get_quarantine},
    {"GET", "/case", UNLOCKED, desk_case_page},
    {"GET", "/attachment", UNLOCKED, desk_case_attachment},
    {"POST", "/triage", UNLOCKED, desk_case_triage},
    {"POST", "/reply", UNLOCKED, desk_case_reply},
    {"GET", "/sync", UNLOCKED, desk_run_sync},
    {"POST", "/sync", UNLOCKED, desk_run_sync},
    {"GET", "/stats", UNLOCKED, desk_run_stats},
    {"GET", "/links", UNLOCKED, desk_links_page},
    {"GET", "/alerts", UNLOCKED, desk_alerts_page},
    {"POST", "/alerts/new", UNLOCKED, desk_alerts_new},
    {"POST", "/alerts/config", UNLOCKED, desk_alerts_config},
    {"GET", "/alert", UNLOCKED, desk_alert_page},
    {"POST", "/alert/save", UNLOCKED, desk_alert_save},
    {"POST", "/alert/sign", UNLOCKED, desk_alert_sign},
    {"POST", "/alert/withdraw", UNLOCKED, desk_alert_withdraw},
};

void
desk_route(struct desk *d, const struct desk_req *r, struct desk_out *o)
{
    const char *m = strcmp(r->method, "HEAD") == 0 ? "GET" : r->method;
    size_t i;

    for (i = 0; i < sizeof ROUTES / sizeof ROUTES[0]; i++) {
        const struct route *rt = &ROUTES[i];

        if (strcmp(rt->path, r->path) != 0 || strcmp(rt->method, m) != 0)
            continue;
        if (rt->need == UNLOCKED && d->store == NULL) {
            if (strcmp(m, "POST") == 0)
                snprintf(d->flash, sizeof d->flash, "%s",
                         desk_text(d->lang, "desk.lock.unsaved"));
            desk_h_redirect(o, "/");
            return;
        }
        rt->fn(d, r, o);
        return;
    }
    desk_page_error(o, d, 404, "desk.error.notfound");
}
