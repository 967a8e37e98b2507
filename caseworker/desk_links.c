/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * desk_links: the perpetrators' identifiers across cases on the desk
 * (store_idents.h): the case page's section (each identifier of the case
 * and the other cases that have it) and the Links screen (GET /links,
 * ?min=N: the identifiers found in at least N cases, then the
 * look-alikes kept apart), what `show` and `links` print. Values are
 * escaped by desk_h_str and isolated in <bdi dir="auto">.
 */
#include "desk.h"
#include "desk_text.h"
#include "ident.h"
#include "store_idents.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LINKS_MIN_MAX 1000000

struct links_view {
    struct desk *d;
    struct desk_out *o;
    long n;
    char kind[16], skeleton[UMBRA_IDENT_BYTES];
};

static void
kind_label(struct desk_out *o, int li, const char *kind)
{
    char key[48];

    snprintf(key, sizeof key, "desk.idkind.%s", kind);
    desk_h_t(o, li, key);
}

/* A value, isolated; a phone number always left to right (it has no
 * letter to say so, and "+66..." would read "...66+" in Arabic). */
static void
value(struct desk_out *o, const char *kind, const char *v)
{
    desk_h_raw(o, strcmp(kind, "phone") == 0
                      ? "<bdi class=\"ident\" dir=\"ltr\">"
                      : "<bdi class=\"ident\" dir=\"auto\">");
    desk_h_str(o, v);
    desk_h_raw(o, "</bdi>");
}

static void
flag_notes(struct desk_out *o, int li, unsigned flags)
{
    static const struct {
        unsigned bit;
        const char *key;
    } notes[] = {
        {UMBRA_IDENT_MIXED, "desk.links.mixed"},
        {UMBRA_IDENT_NOT_PHONE, "desk.links.notphone"},
        {UMBRA_IDENT_NO_COUNTRY, "desk.links.nocountry"},
        {UMBRA_IDENT_CUT, "desk.links.cut"},
    };
    size_t i;

    for (i = 0; i < sizeof notes / sizeof notes[0]; i++)
        if (flags & notes[i].bit) {
            desk_h_raw(o, " <span class=\"flag\">(");
            desk_h_t(o, li, notes[i].key);
            desk_h_raw(o, ")</span>");
        }
}

/* ids ("4,9") as links to those cases */
static void
case_links(struct desk_out *o, const char *ids)
{
    const char *p = ids;
    int first = 1;

    while (*p != 0) {
        char *end;
        long long v = strtoll(p, &end, 10);

        if (end == p)
            break;
        desk_h_fmt(o, "%s<a href=\"/case?id=%lld\">%lld</a>", first ? "" : ", ",
                   v, v);
        first = 0;
        p = *end == ',' ? end + 1 : end;
    }
}

static int
case_ident(void *ctx, const struct store_ident *i)
{
    struct links_view *v = ctx;
    int li = v->d->lang;

    if (v->n++ == 0) {
        desk_h_raw(v->o, "<section id=\"links\"><h2>");
        desk_h_t(v->o, li, "desk.links.ids");
        desk_h_raw(v->o, "</h2><p class=\"hint\">");
        desk_h_t(v->o, li, "desk.links.intro");
        desk_h_raw(v->o, "</p><ul>");
    }
    desk_h_raw(v->o, "<li>");
    kind_label(v->o, li, i->kind);
    desk_h_raw(v->o, ": ");
    value(v->o, i->kind, i->value);
    flag_notes(v->o, li, i->flags);
    if (i->others[0]) {
        desk_h_raw(v->o, " \xe2\x80\x94 <strong class=\"also\">");
        desk_h_t(v->o, li, "desk.links.also");
        desk_h_raw(v->o, " ");
        case_links(v->o, i->others);
        desk_h_raw(v->o, "</strong>");
    }
    if (i->alike[0]) {
        desk_h_raw(v->o, " \xe2\x80\x94 <span class=\"alike\">");
        desk_h_t(v->o, li, "desk.links.alike");
        desk_h_raw(v->o, " ");
        case_links(v->o, i->alike);
        desk_h_raw(v->o, "</span>");
    }
    desk_h_raw(v->o, "</li>");
    return 0;
}

int
desk_links_case(struct desk *d, struct desk_out *o, int64_t id)
{
    struct links_view v;

    memset(&v, 0, sizeof v);
    v.d = d;
    v.o = o;
    if (store_idents_case(d->store, id, case_ident, &v) != 0)
        return -1;
    if (v.n > 0)
        desk_h_raw(o, "</ul></section>");
    return 0;
}

static int
link_row(void *ctx, const struct store_link *l)
{
    struct links_view *v = ctx;
    int li = v->d->lang;

    if (v->n++ == 0) {
        desk_h_raw(v->o, "<table id=\"links\"><thead><tr><th>");
        desk_h_t(v->o, li, "desk.links.kind");
        desk_h_raw(v->o, "</th><th>");
        desk_h_t(v->o, li, "desk.links.value");
        desk_h_raw(v->o, "</th><th>");
        desk_h_t(v->o, li, "desk.links.cases");
        desk_h_raw(v->o, "</th></tr></thead><tbody>");
    }
    desk_h_raw(v->o, "<tr><td>");
    kind_label(v->o, li, l->kind);
    desk_h_raw(v->o, "</td><td>");
    value(v->o, l->kind, l->value);
    flag_notes(v->o, li, l->flags);
    desk_h_fmt(v->o, "</td><td data-n=\"%ld\">", l->ncases);
    case_links(v->o, l->cases);
    desk_h_raw(v->o, "</td></tr>");
    return 0;
}

static int
alike_row(void *ctx, const char *kind, const char *skeleton,
          const struct store_link *l)
{
    struct links_view *v = ctx;
    int li = v->d->lang;

    if (v->n++ == 0) {
        desk_h_raw(v->o, "<h2>");
        desk_h_t(v->o, li, "desk.links.alikes");
        desk_h_raw(v->o, "</h2><ul id=\"alikes\">");
    }
    if (strcmp(v->kind, kind) != 0 || strcmp(v->skeleton, skeleton) != 0) {
        if (v->kind[0])
            desk_h_raw(v->o, "</ul></li>");
        snprintf(v->kind, sizeof v->kind, "%s", kind);
        snprintf(v->skeleton, sizeof v->skeleton, "%s", skeleton);
        desk_h_raw(v->o, "<li>");
        kind_label(v->o, li, kind);
        desk_h_raw(v->o, "<ul>");
    }
    desk_h_raw(v->o, "<li>");
    value(v->o, l->kind, l->value);
    flag_notes(v->o, li, l->flags);
    desk_h_raw(v->o, ": ");
    case_links(v->o, l->cases);
    desk_h_raw(v->o, "</li>");
    return 0;
}

void
desk_links_page(struct desk *d, const struct desk_req *r, struct desk_out *o)
{
    struct links_view v;
    const char *m = desk_field(r, "min");
    long min = 2;

    if (m != NULL && m[0] != 0) {
        char *end;

        min = strtol(m, &end, 10);
        if (*end != 0 || min < 1 || min > LINKS_MIN_MAX) {
            desk_page_error(o, d, 400, "desk.error.form");
            return;
        }
    }
    memset(&v, 0, sizeof v);
    v.d = d;
    v.o = o;
    desk_page_head(o, d, "desk.links.title");
    desk_h_raw(o, "<p class=\"hint\">");
    desk_h_t(o, d->lang, "desk.links.intro");
    desk_h_raw(o, "</p>");
    if (store_links_each(d->store, min, link_row, &v) != 0) {
        desk_page_error(o, d, 500, "desk.error.store");
        return;
    }
    if (v.n == 0) {
        desk_h_raw(o, "<p id=\"nolinks\">");
        desk_h_t(o, d->lang, "desk.links.none");
        desk_h_raw(o, "</p>");
    } else {
        desk_h_raw(o, "</tbody></table>");
    }
    v.n = 0;
    if (store_alikes_each(d->store, alike_row, &v) != 0) {
        desk_page_error(o, d, 500, "desk.error.store");
        return;
    }
    if (v.n > 0)
        desk_h_raw(o, "</ul></li></ul>");
    desk_page_foot(o, d);
}
