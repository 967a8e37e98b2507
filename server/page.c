/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * page: the pages' assembly (see page.h). page_init() loads the web
 * folder's files (webfiles.h) and catalogues (i18n.h) once; page_render()
 * gives the template engine (template.h) a view of one request and the
 * names a template may use: one sorted table, each name with its getter.
 *
 * The names of the pages' templates (web/templates):
 *
 *   lang dir draft page            the page's language code, "ltr"/"rtl",
 *                                  a draft translation, the page's name
 *   orgs (slug name fingerprint selected), many_orgs, no_orgs
 *   org org_slug org_name org_fingerprint   the chosen organisation
 *   categories perpetrators needs id_kinds id_rows (code icon label)
 *   locales (code name own_dir current),
 *   info_pages (name title content_lang content_dir current)
 *   choose choose_page             no language matched: show the chooser
 *                                  (choose_page: the landing page is it)
 *   page_title                     this page's title, translated
 *   receipt checked replies (date message) error error_code error_text
 *   conv_sent                      /check: the write-back was sent
 *   days months years, refill on id_value v_* c_* e_* error_anchor
 *   error_label error_max photo_again max_*   the date menus and a refused
 *                                  form shown again (pageform.h lists them)
 *   info_lang info_dir info_title content   the information page: the
 *                                  language and direction of the text
 *                                  shown (content is the organisation's
 *                                  own HTML, its local services filled in
 *                                  by content.h: not escaped)
 *   info_fallback info_lang_name   the page is not in the page's language:
 *                                  shown in the language so named
 *   info_draft                     the text shown is not signed off
 *
 * With UMBRA_PAGE_STRICT=1 in the environment at page_init, a catalogue
 * key missing from the page's language renders as "[missing:KEY]" and an
 * unknown variable as "[unknown:NAME]", so tests can find them.
 */
#include "page.h"
#include "pageform.h"
#include "content.h"
#include "i18n.h"
#include "template.h"
#include "umbra.h"
#include "util.h"
#include "webfiles.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MAX_PAGE_BYTES (1024u * 1024u)
#define NYEARS 30 /* the year menu: this year and the 29 before */
#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

static struct {
    int loaded;
    int strict;
    struct webfiles tpl, stat, info;
    struct i18n i18n;
} P;

static const char *const PAGE_NAMES[] = {"landing", "report", "receipt",
                                         "check",   "info",   "error",
                                         "alerts"};

/* ---- the view of one render -------------------------------------------- */

struct view {
    const struct page_ctx *ctx;
    enum page_id id;
    const struct i18n_locale *loc, *en;
    const struct page_org *org; /* the chosen org or NULL */
    const struct webfile *info; /* PAGE_INFO */
    /* The information pages in this language, English where missing. */
    const struct webfile *infos[WEBFILES_MAX];
    size_t ninfos;
    char years[NYEARS][5]; /* this year, then back */
};

/* The lists a template can loop over, and the fields of their items. */
enum {
    L_CATEGORIES,
    L_PERPETRATORS,
    L_NEEDS,
    L_ID_KINDS,
    L_ID_ROWS,
    L_ORGS,
    L_REPLIES,
    L_LOCALES,
    L_INFO_PAGES,
    L_DAYS,
    L_MONTHS,
    L_YEARS,
    L_ID_KINDS_ROW, /* + row: the kinds of identifier row 1, 2, 3 */
};
enum { F_CODE, F_ICON, F_LABEL, F_SLUG, F_NAME, F_FINGERPRINT, F_SELECTED,
       F_DATE, F_MESSAGE, F_CURRENT, F_TITLE, F_CONTENT_LANG, F_CONTENT_DIR,
       F_OWN_DIR, F_ON, F_ID_VALUE };

/* A list: the getter of its items' fields (TPL_NONE for a field it does
 * not have: the name is then looked up in the outer loops and the root)
 * and, for the lists of codes, the codes. These are libumbra's report
 * vocabulary (report_vocab.h, with each code's icon), and the page's own
 * rows of identifier inputs. */
struct list {
    tpl_getter field;
    const char *const *codes, *const *icons;
    size_t n;
    const char *prefix; /* of the label's catalogue key; NULL: the code */
    const char *form;   /* the form field the codes are values of */
    unsigned row;       /* L_ID_KINDS_ROW: the row, from 0 */
};

static const char *const ID_ROWS[] = {"1", "2", "3"};
static const char *const NO_ICONS[32] = {""};
static const char *const DAYS[] = {
    "1",  "2",  "3",  "4",  "5",  "6",  "7",  "8",  "9",  "10", "11",
    "12", "13", "14", "15", "16", "17", "18", "19", "20", "21", "22",
    "23", "24", "25", "26", "27", "28", "29", "30", "31"};

static const char *
form_value(const struct view *v, const char *name, unsigned i)
{
    return pageform_value(v->ctx->form, name, i);
}

static int
form_has(const struct view *v, const char *name, const char *code)
{
    return pageform_has(v->ctx->form, name, code);
}

static struct tpl_val
code_field(const struct tpl_query *q)
{
    const struct view *v = q->ctx;
    const struct list *cl = q->arg;
    const char *s;
    int missing;

    if (q->key == F_CODE || q->key == F_ICON)
        return tpl_str(q->key == F_CODE ? cl->codes[q->i] : cl->icons[q->i]);
    if (q->key == F_ON && cl->form != NULL) {
        if (cl->field == code_field && cl->row != 0) /* a row's kind */
            return tpl_bool((s = form_value(v, cl->form, cl->row - 1)) &&
                            strcmp(s, cl->codes[q->i]) == 0);
        return tpl_bool(form_has(v, cl->form, cl->codes[q->i]));
    }
    if (q->key == F_ID_VALUE && cl->codes == ID_ROWS)
        return tpl_str(form_value(v, "perpetrator.identifiers.value",
                                  (unsigned)q->i));
    if (q->key != F_LABEL)
        return tpl_none();
    if (cl->prefix == NULL)
        return tpl_str(cl->codes[q->i]);
    snprintf(q->scratch, q->scratch_len, "%s%s", cl->prefix, cl->codes[q->i]);
    s = i18n_text(v->loc, v->en, q->scratch, &missing);
    if (missing && P.strict) {
        char k[96];
        snprintf(k, sizeof(k), "%s", q->scratch);
        snprintf(q->scratch, q->scratch_len, "[missing:%s]", k);
        return tpl_str(q->scratch);
    }
    return tpl_str(s);
}

/* The year menu: this year and back (view_init fills them). */
static struct tpl_val
year_field(const struct tpl_query *q)
{
    const struct view *v = q->ctx;

    if (q->key == F_CODE || q->key == F_LABEL)
        return tpl_str(v->years[q->i]);
    if (q->key == F_ON)
        return tpl_bool(form_has(v, "incident.year", v->years[q->i]));
    return tpl_none();
}

static struct tpl_val
org_field(const struct tpl_query *q)
{
    const struct view *v = q->ctx;
    const struct page_org *o = &v->ctx->orgs[q->i];
    switch (q->key) {
    case F_SLUG: return tpl_str(o->slug);
    case F_NAME: return tpl_str(o->name);
    case F_FINGERPRINT: return tpl_str(o->fingerprint);
    case F_SELECTED: return tpl_bool(v->org == o);
    default: return tpl_none();
    }
}

static struct tpl_val
reply_field(const struct tpl_query *q)
{
    const struct view *v = q->ctx;
    const struct page_reply *p = &v->ctx->replies[q->i];
    if (q->key != F_DATE && q->key != F_MESSAGE)
        return tpl_none();
    return tpl_str(q->key == F_DATE ? p->date : p->message);
}

static struct tpl_val
locale_field(const struct tpl_query *q)
{
    const struct view *v = q->ctx;
    const struct i18n_locale *l = &P.i18n.loc[q->i];
    switch (q->key) {
    case F_CODE: return tpl_str(l->code);
    case F_NAME: return tpl_str(i18n_name(l));
    case F_CURRENT: return tpl_bool(l == v->loc);
    case F_OWN_DIR: return tpl_str(i18n_rtl(l, v->en) ? "rtl" : "ltr");
    default: return tpl_none();
    }
}

/* "rtl" or "ltr": the direction of the language an information page is
 * written in (its locale's, whatever the page's language). */
static const char *
text_dir(const char *lang)
{
    const struct i18n_locale *l = i18n_find(&P.i18n, lang);
    const struct i18n_locale *en = i18n_find(&P.i18n, "en");
    return l && en && i18n_rtl(l, en) ? "rtl" : "ltr";
}

static struct tpl_val
info_field(const struct tpl_query *q)
{
    const struct view *v = q->ctx;
    const struct webfile *f = v->infos[q->i];
    switch (q->key) {
    case F_NAME: return tpl_str(f->name);
    case F_TITLE: return tpl_str(f->title);
    case F_CONTENT_LANG: return tpl_str(f->lang);
    case F_CONTENT_DIR: return tpl_str(text_dir(f->lang));
    case F_CURRENT:
        return tpl_bool(v->info && strcmp(v->info->name, f->name) == 0);
    default: return tpl_none();
    }
}

#define ID_KINDS_ROW(r)                                                        \
    {code_field, umbra_report_id_kinds, umbra_report_id_kinds_icons,           \
     UMBRA_REPORT_NID_KINDS, "idkind.", "perpetrator.identifiers.kind", (r)}

static const struct list LISTS[] = {
    [L_CATEGORIES] = {code_field, umbra_report_categories,
                      umbra_report_categories_icons, UMBRA_REPORT_NCATEGORIES,
                      "category.", "categories", 0},
    [L_PERPETRATORS] = {code_field, umbra_report_perpetrators,
                        umbra_report_perpetrators_icons,
                        UMBRA_REPORT_NPERPETRATORS, "perpetrator.",
                        "perpetrator.type", 0},
    [L_NEEDS] = {code_field, umbra_report_needs, umbra_report_needs_icons,
                 UMBRA_REPORT_NNEEDS, "need.", "needs", 0},
    [L_ID_KINDS] = ID_KINDS_ROW(0),
    [L_ID_ROWS] = {code_field, ID_ROWS, NO_ICONS, NELEM(ID_ROWS), "", NULL,
                   0},
    [L_ORGS] = {org_field, NULL, NULL, 0, NULL, NULL, 0},
    [L_REPLIES] = {reply_field, NULL, NULL, 0, NULL, NULL, 0},
    [L_LOCALES] = {locale_field, NULL, NULL, 0, NULL, NULL, 0},
    [L_INFO_PAGES] = {info_field, NULL, NULL, 0, NULL, NULL, 0},
    [L_DAYS] = {code_field, DAYS, NO_ICONS, NELEM(DAYS), NULL,
                "incident.day", 0},
    [L_MONTHS] = {code_field, DAYS, NO_ICONS, 12, "form.month.",
                  "incident.month", 0},
    [L_YEARS] = {year_field, NULL, NULL, NYEARS, NULL, NULL, 0},
    [L_ID_KINDS_ROW] = ID_KINDS_ROW(1),
    [L_ID_KINDS_ROW + 1] = ID_KINDS_ROW(2),
    [L_ID_KINDS_ROW + 2] = ID_KINDS_ROW(3),
};

/* A field of the item of a loop: asks the item's list. Outside any loop
 * (no list) it is an unknown name. */
static struct tpl_val
field(const struct tpl_query *q)
{
    const struct list *l = q->arg;
    return l ? l->field(q) : tpl_none();
}

static struct tpl_scope NAMES_SCOPE;

/* ---- the root names ---------------------------------------------------- */

static struct tpl_val
list(const struct tpl_query *q)
{
    const struct view *v = q->ctx;
    const struct page_ctx *c = v->ctx;
    size_t n;
    switch (q->key) {
    case L_ORGS: n = c->orgs ? c->norgs : 0; break;
    case L_REPLIES: n = c->replies ? c->nreplies : 0; break;
    case L_LOCALES: n = P.i18n.n; break;
    case L_INFO_PAGES: n = v->ninfos; break;
    case L_ID_KINDS:
        /* inside the loop over the identifier rows: that row's kinds */
        if (q->arg == &LISTS[L_ID_ROWS] && q->i < NELEM(ID_ROWS))
            return tpl_list(LISTS[L_ID_KINDS].n, &NAMES_SCOPE,
                            &LISTS[L_ID_KINDS_ROW + q->i]);
        n = LISTS[q->key].n;
        break;
    default: n = LISTS[q->key].n; break;
    }
    return tpl_list(n, &NAMES_SCOPE, &LISTS[q->key]);
}

/* Server error codes shown with the text of a close catalogue key. */
static const char *const ERROR_ALIASES[][2] = {
    {"missing_fields", "error.empty_report"},
    {"attachment_type", "error.bad_attachment"},
    {"bad_encoding", "error.bad_form"},
    {"bad_date", "error.bad_form"},
    {"bad_country", "error.bad_form"},
    {"bad_category", "error.bad_form"},
    {"bad_need", "error.bad_form"},
    {"bad_perpetrator", "error.bad_form"},
    {"bad_identifier", "error.bad_form"},
    {"internal", "error.generic"},
    {"conv_empty", "conv.error_empty"},
    {"unknown_mailbox", "conv.error_unknown"},
    {"check_busy", "form.check_busy"},
    {"check_failed", "form.check_failed"},
};

/* error.<code> if English has it, else the code's alias, else the generic
 * text; then in the page's language, English fallback. */
static struct tpl_val
error_text(const struct tpl_query *q)
{
    const struct view *v = q->ctx;
    const char *code = v->ctx->error_code, *k = "error.generic";
    int missing;
    if (code && webfiles_safe_name(code, 0)) {
        snprintf(q->scratch, q->scratch_len, "error.%s", code);
        if (json_object_get(v->en->cat, q->scratch))
            k = q->scratch;
        else
            for (size_t a = 0; a < NELEM(ERROR_ALIASES); a++)
                if (strcmp(ERROR_ALIASES[a][0], code) == 0)
                    k = ERROR_ALIASES[a][1];
    }
    return tpl_str(i18n_text(v->loc, v->en, k, &missing));
}

/* The page's title: the information page's own, else pages.title.<page>
 * ("pages.title.choose" for the chooser), in the page's language. */
static struct tpl_val
page_title(const struct tpl_query *q)
{
    const struct view *v = q->ctx;
    int missing;
    if (v->info)
        return tpl_str(v->info->title);
    snprintf(q->scratch, q->scratch_len, "pages.title.%s",
             v->id == PAGE_LANDING && v->ctx->choose ? "choose"
                                                     : PAGE_NAMES[v->id]);
    return tpl_str(i18n_text(v->loc, v->en, q->scratch, &missing));
}

/* The refused form's names (pageform.c): e_* error_*, v_* c_* max_*. */
static struct tpl_val
error_field(const struct tpl_query *q)
{
    const struct view *v = q->ctx;
    return pageform_error_name(q, v->ctx->error_field, v->ctx->error_code,
                               v->loc, v->en);
}

static struct tpl_val
form_text(const struct tpl_query *q)
{
    const struct view *v = q->ctx;
    const struct webfile *t = webfiles_find(&P.tpl, "countries");
    return pageform_text_name(q, v->ctx->form, v->ctx->receipt_typed,
                              t ? t->data : NULL);
}

/* The other names of the root: strings and flags. */
enum { R_LANG, R_DIR, R_PAGE, R_ORG_SLUG, R_ORG_NAME, R_ORG_FINGERPRINT,
       R_RECEIPT, R_ERROR_CODE, R_INFO_LANG, R_INFO_TITLE, R_CONTENT,
       R_INFO_DIR, R_INFO_LANG_NAME, R_INFO_FALLBACK, R_INFO_DRAFT,
       R_DRAFT, R_MANY_ORGS, R_NO_ORGS, R_ORG, R_CHECKED, R_CHOOSE,
       R_CHOOSE_PAGE, R_CONV_SENT, R_REFILL, R_PHOTO_AGAIN, R_ERROR };

static struct tpl_val
value(const struct tpl_query *q)
{
    const struct view *v = q->ctx;
    const struct page_ctx *c = v->ctx;
    const struct page_org *o = v->org;
    switch (q->key) {
    case R_LANG: return tpl_str(v->loc->code);
    case R_DIR: return tpl_str(i18n_rtl(v->loc, v->en) ? "rtl" : "ltr");
    case R_PAGE: return tpl_str(PAGE_NAMES[v->id]);
    case R_ORG_SLUG: return tpl_str(o ? o->slug : NULL);
    case R_ORG_NAME: return tpl_str(o ? o->name : NULL);
    case R_ORG_FINGERPRINT: return tpl_str(o ? o->fingerprint : NULL);
    case R_RECEIPT: return tpl_str(c->receipt);
    case R_ERROR_CODE: return tpl_str(c->error_code);
    case R_INFO_LANG: return tpl_str(v->info ? v->info->lang : v->loc->code);
    case R_INFO_TITLE: return tpl_str(v->info ? v->info->title : NULL);
    case R_CONTENT:
        return tpl_raw(v->info ? v->info->data : c->html ? c->html : "");
    case R_INFO_DIR: return tpl_str(text_dir(v->info ? v->info->lang
                                                     : v->loc->code));
    case R_INFO_LANG_NAME: {
        const struct i18n_locale *l =
            v->info ? i18n_find(&P.i18n, v->info->lang) : NULL;
        return tpl_str(i18n_name(l ? l : v->loc));
    }
    case R_INFO_FALLBACK:
        return tpl_bool(v->info && strcmp(v->info->lang, v->loc->code) != 0);
    case R_INFO_DRAFT:
        return tpl_bool(v->info && !v->info->reviewed &&
                        strcmp(v->info->lang, "en") != 0);
    case R_DRAFT: return tpl_bool(i18n_draft(v->loc));
    case R_MANY_ORGS: return tpl_bool(c->orgs && c->norgs > 1);
    case R_NO_ORGS: return tpl_bool(!c->orgs || c->norgs == 0);
    case R_ORG: return tpl_bool(o != NULL);
    case R_CHECKED: return tpl_bool(c->checked);
    case R_CHOOSE: return tpl_bool(c->choose);
    case R_CHOOSE_PAGE: return tpl_bool(c->choose && v->id == PAGE_LANDING);
    case R_CONV_SENT: return tpl_bool(c->conv_sent);
    case R_REFILL: return tpl_bool(c->form != NULL);
    case R_PHOTO_AGAIN: return tpl_bool(c->photo_again);
    default: return tpl_bool(c->error_code != NULL);
    }
}

/* Every name a template may use, sorted (page_init checks it): the root's
 * names and the fields of list items in one scope. A field of a list item
 * gives TPL_NONE outside a loop over that list, and a root name gives the
 * same value at every depth, so one table serves the root and every loop. */
static const struct tpl_var NAMES[] = {
    {"c_alert", form_text, C_ALERT},
    {"c_reply", form_text, C_REPLY},
    {"c_share", form_text, C_SHARE},
    {"c_stats", form_text, C_STATS},
    {"categories", list, L_CATEGORIES},
    {"checked", value, R_CHECKED},
    {"choose", value, R_CHOOSE},
    {"choose_page", value, R_CHOOSE_PAGE},
    {"code", field, F_CODE},
    {"content", value, R_CONTENT},
    {"content_dir", field, F_CONTENT_DIR},
    {"content_lang", field, F_CONTENT_LANG},
    {"conv_sent", value, R_CONV_SENT},
    {"current", field, F_CURRENT},
    {"date", field, F_DATE},
    {"days", list, L_DAYS},
    {"dir", value, R_DIR},
    {"draft", value, R_DRAFT},
    {"e_country", error_field, E_COUNTRY},
    {"e_date", error_field, E_DATE},
    {"e_ids", error_field, E_IDS},
    {"e_narrative", error_field, E_NARRATIVE},
    {"e_needs", error_field, E_NEEDS},
    {"e_org", error_field, E_ORG},
    {"e_pdesc", error_field, E_PDESC},
    {"e_photo", error_field, E_PHOTO},
    {"e_place", error_field, E_PLACE},
    {"e_region", error_field, E_REGION},
    {"e_what", error_field, E_WHAT},
    {"e_who", error_field, E_WHO},
    {"error", value, R_ERROR},
    {"error_anchor", error_field, EF_ANCHOR},
    {"error_code", value, R_ERROR_CODE},
    {"error_label", error_field, EF_LABEL},
    {"error_max", error_field, EF_MAX},
    {"error_text", error_text, 0},
    {"fingerprint", field, F_FINGERPRINT},
    {"icon", field, F_ICON},
    {"id_kinds", list, L_ID_KINDS},
    {"id_rows", list, L_ID_ROWS},
    {"id_value", field, F_ID_VALUE},
    {"info_dir", value, R_INFO_DIR},
    {"info_draft", value, R_INFO_DRAFT},
    {"info_fallback", value, R_INFO_FALLBACK},
    {"info_lang", value, R_INFO_LANG},
    {"info_lang_name", value, R_INFO_LANG_NAME},
    {"info_pages", list, L_INFO_PAGES},
    {"info_title", value, R_INFO_TITLE},
    {"label", field, F_LABEL},
    {"lang", value, R_LANG},
    {"locales", list, L_LOCALES},
    {"many_orgs", value, R_MANY_ORGS},
    {"max_id", form_text, M_ID},
    {"max_narrative", form_text, M_NARRATIVE},
    {"max_pdesc", form_text, M_PDESC},
    {"max_place", form_text, M_PLACE},
    {"max_region", form_text, M_REGION},
    {"message", field, F_MESSAGE},
    {"months", list, L_MONTHS},
    {"name", field, F_NAME},
    {"needs", list, L_NEEDS},
    {"no_orgs", value, R_NO_ORGS},
    {"on", field, F_ON},
    {"org", value, R_ORG},
    {"org_fingerprint", value, R_ORG_FINGERPRINT},
    {"org_name", value, R_ORG_NAME},
    {"org_slug", value, R_ORG_SLUG},
    {"orgs", list, L_ORGS},
    {"own_dir", field, F_OWN_DIR},
    {"page", value, R_PAGE},
    {"page_title", page_title, 0},
    {"perpetrators", list, L_PERPETRATORS},
    {"photo_again", value, R_PHOTO_AGAIN},
    {"receipt", value, R_RECEIPT},
    {"refill", value, R_REFILL},
    {"replies", list, L_REPLIES},
    {"selected", field, F_SELECTED},
    {"slug", field, F_SLUG},
    {"title", field, F_TITLE},
    {"v_country", form_text, V_COUNTRY},
    {"v_country_label", form_text, V_COUNTRY_LABEL},
    {"v_narrative", form_text, V_NARRATIVE},
    {"v_pdesc", form_text, V_PDESC},
    {"v_place", form_text, V_PLACE},
    {"v_receipt", form_text, V_RECEIPT},
    {"v_region", form_text, V_REGION},
    {"years", list, L_YEARS},
};
static struct tpl_scope NAMES_SCOPE = {NAMES, NELEM(NAMES), {0}};

/* ---- the engine's hooks ------------------------------------------------ */

static const char *
partial(const void *ctx, const char *name, size_t *len)
{
    const struct webfile *t = webfiles_find(&P.tpl, name);
    (void)ctx;
    *len = t ? t->len : 0;
    return t ? t->data : NULL;
}

static const char *
translate(const void *ctx, const char *key, int *missing)
{
    const struct view *v = ctx;
    return i18n_text(v->loc, v->en, key, missing);
}

static const char *
sri(const void *ctx, const char *file)
{
    const struct webfile *f = webfiles_find(&P.stat, file);
    (void)ctx;
    return f ? f->sri : NULL;
}

/* ---- loading ----------------------------------------------------------- */

void
page_release(void)
{
    webfiles_release(&P.tpl);
    webfiles_release(&P.stat);
    webfiles_release(&P.info);
    i18n_release(&P.i18n);
    memset(&P, 0, sizeof(P));
}

/* Formats web_dir/sub into path; 0 or -1 if it does not fit. */
static int
subdir(char *path, size_t size, const char *web_dir, const char *sub)
{
    int w = snprintf(path, size, "%s/%s", web_dir, sub);
    return w >= 0 && (size_t)w < size ? 0 : -1;
}

int
page_init(const char *web_dir)
{
    return page_init_local(web_dir, NULL);
}

int
page_init_local(const char *web_dir, const char *local_services)
{
    char path[1024];
    const char *env;

    page_release();
    if (sodium_init() < 0)
        return -1;
    env = getenv("UMBRA_PAGE_STRICT");
    P.strict = env && strcmp(env, "1") == 0;
    if (tpl_scope_init(&NAMES_SCOPE) != 0) {
        fprintf(stderr, "page: template names out of order\n");
        return -1;
    }

    if (subdir(path, sizeof(path), web_dir, "templates") != 0 ||
        webfiles_load_templates(&P.tpl, path) != 0)
        goto fail;
    if (subdir(path, sizeof(path), web_dir, "locales") != 0 ||
        i18n_load(&P.i18n, path) != 0)
        goto fail;
    if (subdir(path, sizeof(path), web_dir, "static") != 0 ||
        webfiles_load_static(&P.stat, path, "", 0) != 0)
        goto fail;
    if (subdir(path, sizeof(path), web_dir, "vendor") != 0 ||
        webfiles_load_static(&P.stat, path, "vendor/", 1) != 0)
        goto fail;
    if (!i18n_find(&P.i18n, "en")) {
        fprintf(stderr, "page: no English catalogue in '%s/locales'\n",
                web_dir);
        goto fail;
    }
    for (size_t i = 0; i < P.i18n.n; i++) {
        char sub[64];
        snprintf(sub, sizeof(sub), "content/%s", P.i18n.loc[i].code);
        if (subdir(path, sizeof(path), web_dir, sub) != 0 ||
            webfiles_load_info(&P.info, path, P.i18n.loc[i].code) != 0)
            goto fail;
    }
    if (subdir(path, sizeof(path), web_dir, "content/status.json") != 0 ||
        content_status_load(&P.info, path) != 0 ||
        content_fill(&P.info, &P.i18n, local_services) != 0)
        goto fail;
    for (size_t i = 0; i < NELEM(PAGE_NAMES); i++) {
        if (!webfiles_find(&P.tpl, PAGE_NAMES[i])) {
            fprintf(stderr, "page: missing template '%s.html'\n",
                    PAGE_NAMES[i]);
            goto fail;
        }
    }
    P.loaded = 1;
    return 0;
fail:
    page_release();
    return -1;
}

const char *
page_lang(const char *requested)
{
    if (!P.loaded)
        return "en";
    return i18n_negotiate(&P.i18n, requested);
}

const char *
page_lang_choose(const char *requested, const char *accept_language,
                 int *vary)
{
    const char *m;
    *vary = 0;
    if (!P.loaded)
        return "en";
    m = requested && *requested ? i18n_match(&P.i18n, requested) : NULL;
    if (m)
        return m;
    *vary = 1;
    return i18n_accept(&P.i18n, accept_language);
}

/* ---- rendering --------------------------------------------------------- */

/* Fills v for ctx; 0, or -2 for an unknown information page. */
static int
view_init(struct view *v, enum page_id id, const struct page_ctx *ctx)
{
    memset(v, 0, sizeof(*v));
    v->ctx = ctx;
    v->id = id;
    v->en = i18n_find(&P.i18n, "en");
    v->loc = ctx->lang ? i18n_find(&P.i18n, ctx->lang) : NULL;
    if (!v->loc)
        v->loc = i18n_find(&P.i18n, page_lang(ctx->lang));
    if (!v->loc)
        v->loc = v->en;
    /* The chosen organisation: the named one, else the only one. */
    if (ctx->orgs) {
        for (size_t i = 0; i < ctx->norgs; i++)
            if (ctx->org && ctx->orgs[i].slug &&
                strcmp(ctx->orgs[i].slug, ctx->org) == 0)
                v->org = &ctx->orgs[i];
        if (!v->org && ctx->norgs == 1)
            v->org = &ctx->orgs[0];
    }
    {
        time_t now = time(NULL);
        struct tm tm;
        int y = gmtime_r(&now, &tm) ? tm.tm_year + 1900 : 2026;

        if (y < 1000 || y > 9999)
            y = 2026;
        for (size_t i = 0; i < NYEARS; i++)
            snprintf(v->years[i], sizeof v->years[i], "%04d",
                     (y - (int)i) % 10000);
    }
    /* Information pages in this language, English ones where missing. */
    for (size_t i = 0; i < P.info.n && v->ninfos < WEBFILES_MAX; i++) {
        const struct webfile *f = &P.info.f[i];
        if (strcmp(f->lang, v->loc->code) == 0 ||
            (strcmp(f->lang, "en") == 0 &&
             !webfiles_find_info(&P.info, v->loc->code, f->name)))
            v->infos[v->ninfos++] = f;
    }
    if (id == PAGE_INFO) {
        if (!ctx->info || !webfiles_safe_name(ctx->info, 0))
            return -2;
        v->info = webfiles_find_info(&P.info, v->loc->code, ctx->info);
        if (!v->info)
            v->info = webfiles_find_info(&P.info, "en", ctx->info);
        if (!v->info)
            return -2;
    }
    return 0;
}

int
page_render(struct page_buf *out, enum page_id id, const struct page_ctx *ctx)
{
    static const struct page_ctx empty;
    struct view v;
    struct umbra_buf b = {.cap = MAX_PAGE_BYTES};
    struct tpl_env env = {&NAMES_SCOPE, &v, partial, translate, sri, 0};
    const struct webfile *t;
    int rc;

    out->data = NULL;
    out->len = 0;
    if (!P.loaded || (unsigned)id >= NELEM(PAGE_NAMES))
        return -1;
    rc = view_init(&v, id, ctx ? ctx : &empty);
    if (rc != 0)
        return rc;
    t = webfiles_find(&P.tpl, PAGE_NAMES[id]);
    if (!t)
        return -1;
    env.strict = P.strict;
    /* A first block of 8 KiB, doubled by umbra_buf_append as the page grows. */
    b.data = malloc(8192);
    if (!b.data)
        return -1;
    b.alloc = 8192;
    /* The page and its closing NUL, within MAX_PAGE_BYTES; a page can hold
     * a receipt or a reply: the buffer wipes every block it outgrows, and
     * umbra_buf_release wipes the last one. */
    if (tpl_render(&b, &env, t->data, t->len) != 0 ||
        umbra_buf_append(&b, "", 1) != 0) {
        umbra_buf_release(&b);
        return -1;
    }
    out->data = (char *)b.data;
    out->len = b.len - 1;
    return 0;
}

void
page_buf_free(void *data)
{
    wipe_free(data);
}

int
page_static(const char *path, const char **data, size_t *len,
            const char **content_type_out)
{
    const struct webfile *f;
    if (!P.loaded || !webfiles_safe_name(path, 1))
        return -1;
    f = webfiles_find(&P.stat, path);
    if (!f)
        return -1;
    *data = f->data;
    *len = f->len;
    *content_type_out = f->ctype;
    return 0;
}

int
page_static_gzip(const char *path, const char **data, size_t *len)
{
    const struct webfile *f;
    char gz[256];
    int w;

    if (!P.loaded || !webfiles_safe_name(path, 1))
        return -1;
    w = snprintf(gz, sizeof(gz), "%s.gz", path);
    if (w < 0 || (size_t)w >= sizeof(gz))
        return -1;
    f = webfiles_find(&P.stat, gz);
    if (!f)
        return -1;
    *data = f->data;
    *len = f->len;
    return 0;
}
