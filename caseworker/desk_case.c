/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * desk_case: the desk's screen of one case — the report in the
 * reporter's words, its attachments (images only, from memory), triage,
 * history and the reply composer — and the forms it posts. Report text
 * is escaped and bidi-isolated (desk_html.h); an attachment is served
 * only when its bytes are a JPEG or a PNG, with that type whatever the
 * report claims. The page leaves room below the report for the
 * conversation with the reporter (section id "messages", desk_conv.c).
 */
#include "args.h"
#include "case_row.h"
#include "desk.h"
#include "desk_text.h"
#include "reply.h"
#include "store.h"
#include "team_show.h"
#include "triage.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#define ATTACH_MAX (16u * 1024u * 1024u)

static const char *const STATUSES[] = {"new", "in-progress", "waiting",
                                       "referred", "closed"};
static const char *const PRIORITIES[] = {"urgent", "high", "normal", "low"};

/* The case id of r's field "id", or 0. */
static int64_t
req_id(const struct desk_req *r)
{
    const char *v = desk_field(r, "id");
    int64_t id = 0;

    if (v == NULL || args_id(v, &id) != 0)
        return 0;
    return id;
}

/* The type of an image by its first bytes: JPEG or PNG, else NULL. */
static const char *
sniff_image(const unsigned char *p, size_t n)
{
    static const unsigned char PNG[8] = {0x89, 'P',  'N',  'G',
                                         '\r', '\n', 0x1a, '\n'};

    if (n >= 4 && p[0] == 0xff && p[1] == 0xd8 && p[2] == 0xff)
        return "image/jpeg";
    if (n >= 8 && memcmp(p, PNG, 8) == 0)
        return "image/png";
    return NULL;
}

/* Attachment k of document d decoded into *out (malloc'd, caller wipes
 * and frees). 0, or -1 if there is none or it is not base64. */
static int
attachment_bytes(unsigned char **out, size_t *len, json_t *d, size_t k)
{
    json_t *a = json_array_get(json_object_get(d, "attachments"), k);
    const char *b64 = json_string_value(json_object_get(a, "data"));
    size_t n;

    *out = NULL;
    *len = 0;
    if (b64 == NULL)
        return -1;
    n = strlen(b64);
    if (n / 4 * 3 > ATTACH_MAX)
        return -1;
    *out = malloc(n / 4 * 3 + 3);
    if (*out == NULL)
        return -1;
    if (sodium_base642bin(*out, n / 4 * 3 + 3, b64, n, " \n\r", len, NULL,
                          sodium_base64_VARIANT_ORIGINAL) != 0) {
        free(*out);
        *out = NULL;
        return -1;
    }
    return 0;
}

/* prefix + code into key (the catalogue key of a status or priority). */
static const char *
code_key(char *key, size_t cap, const char *prefix, const char *code)
{
    snprintf(key, cap, "%s%s", prefix, code);
    return key;
}

static void
field(struct desk_out *o, int li, const char *key, json_t *v)
{
    const char *s = json_string_value(v);

    if (s == NULL || s[0] == 0)
        return;
    desk_h_raw(o, "<dt>");
    desk_h_t(o, li, key);
    desk_h_raw(o, "</dt><dd><bdi dir=\"auto\">");
    desk_h_esc(o, s, json_string_length(v));
    desk_h_raw(o, "</bdi></dd>");
}

static void
list_field(struct desk_out *o, int li, const char *key, json_t *a)
{
    json_t *v;
    size_t i;

    if (!json_is_array(a) || json_array_size(a) == 0)
        return;
    desk_h_raw(o, "<dt>");
    desk_h_t(o, li, key);
    desk_h_raw(o, "</dt><dd>");
    json_array_foreach(a, i, v)
    {
        if (!json_is_string(v))
            continue;
        if (i)
            desk_h_raw(o, ", ");
        desk_h_raw(o, "<bdi>");
        desk_h_esc(o, json_string_value(v), json_string_length(v));
        desk_h_raw(o, "</bdi>");
    }
    desk_h_raw(o, "</dd>");
}

static void
attachments(struct desk_out *o, int li, int64_t id, json_t *d)
{
    json_t *a = json_object_get(d, "attachments");
    size_t k;

    if (!json_is_array(a) || json_array_size(a) == 0)
        return;
    desk_h_raw(o, "<section id=\"attachments\"><h2>");
    desk_h_t(o, li, "desk.case.attachments");
    desk_h_raw(o, "</h2><ul>");
    for (k = 0; k < json_array_size(a) && k < 64; k++) {
        unsigned char *b = NULL;
        size_t n = 0;
        const char *type = NULL;

        if (attachment_bytes(&b, &n, d, k) == 0)
            type = sniff_image(b, n);
        if (b != NULL) {
            sodium_memzero(b, n);
            free(b);
        }
        desk_h_raw(o, "<li>");
        if (type != NULL)
            desk_h_fmt(o,
                       "<img class=\"att\" alt=\"\" "
                       "src=\"/attachment?id=%lld&amp;n=%zu\">",
                       (long long)id, k);
        else {
            desk_h_raw(o, "<span class=\"notimage\">");
            desk_h_t(o, li, "desk.case.notimage");
            desk_h_raw(o, "</span>");
        }
        desk_h_raw(o, "</li>");
    }
    desk_h_raw(o, "</ul></section>");
}

struct view {
    struct desk *d;
    struct desk_out *o;
    int can_reply;
    char status[16], priority[16];
    char received[11], lang[36], origin[16];
    int64_t origin_case;
};

static int
case_view(void *ctx, const struct store_row *r, const uint8_t *doc,
          size_t doc_len, const char *mailbox_id)
{
    struct view *v = ctx;
    struct desk_out *o = v->o;
    int li = v->d->lang;
    json_t *d = NULL, *x;
    char cats[512], title[32], key[64];

    v->can_reply = mailbox_id != NULL;
    snprintf(v->status, sizeof v->status, "%s", r->status);
    snprintf(v->priority, sizeof v->priority, "%s", r->priority);
    snprintf(v->received, sizeof v->received, "%s", r->received);
    snprintf(v->origin, sizeof v->origin, "%s", r->origin);
    v->origin_case = r->origin_case;
    if (o == NULL)
        return 0;
    if (doc != NULL && doc_len > 0)
        d = json_loadb((const char *)doc, doc_len, JSON_REJECT_DUPLICATES,
                       NULL);
    snprintf(title, sizeof title, "%lld", (long long)r->id);
    desk_page_head(o, v->d, "desk.case.title");
    desk_h_raw(o, "<p id=\"case-id\">");
    desk_h_t1(o, li, "desk.case.number", title);
    desk_h_raw(o, "</p>");
    if (strcmp(r->origin, "unverified") == 0) {
        snprintf(title, sizeof title, "%lld", (long long)r->origin_case);
        desk_h_raw(o, "<p class=\"error\" id=\"unverified\" role=\"note\">");
        desk_h_t1(o, li, "desk.conv.unverified", title);
        desk_h_raw(o, "</p>");
    }
    desk_h_raw(o, "<section id=\"report\"><dl><dt>");
    desk_h_t(o, li, "desk.col.received");
    desk_h_raw(o, "</dt><dd><bdi>");
    desk_h_str(o, r->received);
    desk_h_raw(o, "</bdi>");
    desk_h_raw(o, "</dd><dt>");
    desk_h_t(o, li, "desk.col.status");
    desk_h_fmt(o, "</dt><dd id=\"status-now\" data-code=\"%s\">",
               case_status_known(r->status) ? r->status : "");
    desk_h_t(o, li, code_key(key, sizeof key, "desk.status.", r->status));
    desk_h_raw(o, "</dd>");
    if (r->priority[0]) {
        desk_h_raw(o, "<dt>");
        desk_h_t(o, li, "desk.col.priority");
        desk_h_fmt(o, "</dt><dd id=\"priority-now\" data-code=\"%s\">",
                   triage_priority_known(r->priority) ? r->priority : "");
        desk_h_t(o, li,
                 code_key(key, sizeof key, "desk.priority.", r->priority));
        desk_h_raw(o, "</dd>");
    }
    if (r->labels[0]) {
        desk_h_raw(o, "<dt>");
        desk_h_t(o, li, "desk.col.labels");
        desk_h_raw(o, "</dt><dd id=\"labels-now\"><bdi>");
        desk_h_str(o, r->labels);
        desk_h_raw(o, "</bdi></dd>");
    }
    if (r->assignee[0]) {
        desk_h_raw(o, "<dt>");
        desk_h_t(o, li, "desk.col.assignee");
        desk_h_raw(o, "</dt><dd id=\"assignee-now\"><bdi>");
        desk_h_str(o, r->assignee);
        desk_h_raw(o, "</bdi></dd>");
    }
    case_row_categories(cats, sizeof cats, r->categories);
    if (d != NULL) {
        x = json_object_get(d, "lang");
        if (json_is_string(x))
            snprintf(v->lang, sizeof v->lang, "%s", json_string_value(x));
        field(o, li, "desk.case.lang", x);
        x = json_object_get(d, "incident");
        if (json_is_object(x)) {
            field(o, li, "desk.case.when", json_object_get(x, "date"));
            field(o, li, "desk.case.country", json_object_get(x, "country"));
            field(o, li, "desk.case.region", json_object_get(x, "region"));
            field(o, li, "desk.case.place", json_object_get(x, "place"));
        }
        list_field(o, li, "desk.col.categories",
                   json_object_get(d, "categories"));
        x = json_object_get(d, "perpetrator");
        if (json_is_object(x)) {
            field(o, li, "desk.case.perpetrator", json_object_get(x, "type"));
            field(o, li, "desk.case.described",
                  json_object_get(x, "description"));
        }
        list_field(o, li, "desk.case.needs", json_object_get(d, "needs"));
    }
    desk_h_raw(o, "</dl><h2>");
    desk_h_t(o, li, "desk.case.narrative");
    desk_h_raw(o, "</h2><div class=\"narr\" id=\"narrative\" dir=\"auto\">");
    x = json_object_get(d, "narrative");
    if (json_is_string(x))
        desk_h_esc(o, json_string_value(x), json_string_length(x));
    else if (d == NULL && doc != NULL)
        desk_h_esc(o, (const char *)doc, doc_len);
    desk_h_raw(o, "</div>");
    if (d != NULL)
        attachments(o, li, r->id, d);
    desk_h_raw(o, "</section>");
    json_decref(d);
    return 0;
}

static int
history_row(void *ctx, const char *at, const char *who, const char *what)
{
    struct desk_out *o = ctx;

    desk_h_raw(o, "<li><time>");
    desk_h_str(o, at);
    desk_h_raw(o, "</time> <bdi>");
    desk_h_str(o, who);
    desk_h_raw(o, "</bdi>: <bdi>");
    desk_h_str(o, what);
    desk_h_raw(o, "</bdi></li>");
    return 0;
}

/* The team's history (team_show.h): who of the members did what. */
static int
team_section(struct desk_out *o, const struct desk *d, int64_t id)
{
    json_t *t = NULL, *h;
    size_t i;

    if (team_show_case(&t, d->store, d->o, id) != 0)
        return -1;
    h = json_object_get(t, "history");
    if (json_array_size(h) > 0) {
        desk_h_raw(o, "<section id=\"team\"><h2>");
        desk_h_t(o, d->lang, "desk.team.history");
        desk_h_raw(o, "</h2><ul>");
        for (i = 0; i < json_array_size(h); i++) {
            json_t *x = json_array_get(h, i);

            desk_h_raw(o, "<li><time>");
            desk_h_str(o, json_string_value(json_object_get(x, "day")));
            desk_h_raw(o, "</time> <bdi>");
            desk_h_str(o, json_string_value(json_object_get(x, "who")));
            desk_h_raw(o, "</bdi> <bdi>");
            desk_h_str(o, json_string_value(json_object_get(x, "what")));
            desk_h_raw(o, "</bdi></li>");
        }
        desk_h_raw(o, "</ul></section>");
    }
    json_decref(t);
    return 0;
}

static void
choice(struct desk_out *o, int li, const char *name, const char *prefix,
       const char *const *set, size_t n, const char *cur)
{
    size_t k;

    desk_h_fmt(o, "<select id=\"%s\" name=\"%s\">", name, name);
    if (cur[0] == 0)
        desk_h_raw(o, "<option value=\"\" selected>-</option>");
    for (k = 0; k < n; k++) {
        char key[64];

        snprintf(key, sizeof key, "%s%s", prefix, set[k]);
        desk_h_fmt(o, "<option value=\"%s\"%s>", set[k],
                   strcmp(cur, set[k]) == 0 ? " selected" : "");
        desk_h_t(o, li, key);
        desk_h_raw(o, "</option>");
    }
    desk_h_raw(o, "</select>");
}

static void
input(struct desk_out *o, int li, const char *name, const char *key,
      unsigned max)
{
    desk_h_fmt(o, "<label for=\"%s\">", name);
    desk_h_t(o, li, key);
    desk_h_fmt(o, "</label><input id=\"%s\" name=\"%s\" maxlength=\"%u\">",
               name, name, max);
}

static void
forms(struct desk_out *o, struct desk *d, const struct desk_req *r,
      int64_t id, const struct view *v)
{
    int li = d->lang;

    desk_h_raw(o, "<section id=\"triage\"><h2>");
    desk_h_t(o, li, "desk.triage.title");
    desk_h_raw(o, "</h2>");
    desk_h_form_case(o, d->csrf, "/triage", id);
    desk_h_raw(o, "<label for=\"status\">");
    desk_h_t(o, li, "desk.col.status");
    desk_h_raw(o, "</label>");
    choice(o, li, "status", "desk.status.", STATUSES, 5, v->status);
    desk_h_raw(o, "<label for=\"priority\">");
    desk_h_t(o, li, "desk.col.priority");
    desk_h_raw(o, "</label>");
    choice(o, li, "priority", "desk.priority.", PRIORITIES, 4, v->priority);
    input(o, li, "label", "desk.triage.label", 64);
    input(o, li, "unlabel", "desk.triage.unlabel", 64);
    input(o, li, "assign", "desk.triage.assign", 64);
    desk_h_raw(o, "<label for=\"note\">");
    desk_h_t(o, li, "desk.triage.note");
    desk_h_raw(o, "</label><textarea id=\"note\" name=\"note\" rows=\"3\" "
                  "maxlength=\"4096\"></textarea><p><button type=\"submit\" "
                  "id=\"save\">");
    desk_h_t(o, li, "desk.triage.save");
    desk_h_raw(o, "</button></p></form></section><section id=\"reply\"><h2>");
    desk_h_t(o, li, "desk.reply.title");
    desk_h_raw(o, "</h2>");
    if (!v->can_reply) {
        desk_h_raw(o, "<p id=\"noreply\">");
        desk_h_t(o, li, "desk.reply.none");
        desk_h_raw(o, "</p></section>");
        return;
    }
    desk_conv_composer(d, r, o, id, v->lang);
    desk_h_raw(o, "</section>");
}

void
desk_case_page(struct desk *d, const struct desk_req *r, struct desk_out *o)
{
    struct view v;
    int64_t id = req_id(r);
    int rc;

    memset(&v, 0, sizeof v);
    v.d = d;
    v.o = o;
    if (id == 0) {
        desk_page_error(o, d, 400, "desk.error.id");
        return;
    }
    if (desk_conv_check(r) != 0) {
        desk_page_error(o, d, 400, "desk.error.template");
        return;
    }
    rc = store_get_case(d->store, id, case_view, &v);
    if (rc == 1) {
        desk_page_error(o, d, 404, "desk.error.nocase");
        return;
    }
    if (rc != 0 || desk_links_case(d, o, id) != 0 ||
        desk_conv_messages(d, o, id, v.received) != 0) {
        desk_page_error(o, d, 500, "desk.error.store");
        return;
    }
    desk_h_raw(o, "<section id=\"history\"><h2>");
    desk_h_t(o, d->lang, "desk.case.history");
    desk_h_raw(o, "</h2><ul>");
    if (rc != 0 || store_history(d->store, id, history_row, o) != 0) {
        desk_page_error(o, d, 500, "desk.error.store");
        return;
    }
    desk_h_raw(o, "</ul></section>");
    if (team_section(o, d, id) != 0) {
        desk_page_error(o, d, 500, "desk.error.store");
        return;
    }
    forms(o, d, r, id, &v);
    desk_page_foot(o, d);
    /* shown: read, as after `show` (a store busy past its timeout only
     * leaves them unread, marked new next time) */
    if (store_messages_read(d->store, id) != 0)
        return;
}

/* Back to case id's page with the message of key. */
static void
back_to(struct desk *d, struct desk_out *o, int64_t id, const char *key)
{
    char path[48];

    snprintf(d->flash, sizeof d->flash, "%s", desk_text(d->lang, key));
    snprintf(path, sizeof path, "/case?id=%lld", (long long)id);
    desk_h_redirect(o, path);
}

/* A form field, NULL when empty. */
static const char *
given(const struct desk_req *r, const char *name)
{
    const char *v = desk_field(r, name);

    return v != NULL && v[0] != 0 ? v : NULL;
}

void
desk_case_triage(struct desk *d, const struct desk_req *r, struct desk_out *o)
{
    struct triage t;
    struct view v;
    const char *label = given(r, "label"), *unlabel = given(r, "unlabel");
    int changes = 0, rc;

    memset(&t, 0, sizeof t);
    memset(&v, 0, sizeof v);
    v.d = d;
    t.id = req_id(r);
    if (t.id == 0) {
        desk_page_error(o, d, 400, "desk.error.id");
        return;
    }
    rc = store_get_case(d->store, t.id, case_view, &v);
    if (rc != 0) {
        desk_page_error(o, d, rc == 1 ? 404 : 500,
                        rc == 1 ? "desk.error.nocase" : "desk.error.store");
        return;
    }
    t.status = given(r, "status");
    t.priority = given(r, "priority");
    if (t.status && strcmp(t.status, v.status) == 0)
        t.status = NULL; /* unchanged: no line of history */
    if (t.priority && strcmp(t.priority, v.priority) == 0)
        t.priority = NULL;
    t.assign = given(r, "assign");
    t.note = given(r, "note");
    t.labels = &label;
    t.nl = label != NULL;
    t.unlabels = &unlabel;
    t.nu = unlabel != NULL;
    switch (triage_invalid(&t)) {
    case TRIAGE_OK:
        break;
    case TRIAGE_BAD_LABEL:
        back_to(d, o, t.id, "desk.triage.badlabel");
        return;
    case TRIAGE_BAD_TEXT:
        back_to(d, o, t.id, "desk.triage.badtext");
        return;
    default:
        desk_page_error(o, d, 400, "desk.error.form");
        return;
    }
    if (store_begin(d->store) != 0) {
        desk_page_error(o, d, 500, "desk.error.store");
        return;
    }
    if (triage_apply(d->store, &t, d->who, &changes) != 0 ||
        store_commit(d->store) != 0) {
        store_rollback(d->store);
        desk_page_error(o, d, 500, "desk.error.store");
        return;
    }
    back_to(d, o, t.id, changes ? "desk.triage.saved" : "desk.triage.nothing");
}

void
desk_case_reply(struct desk *d, const struct desk_req *r, struct desk_out *o)
{
    const struct desk_field *f = NULL;
    const char *lang = desk_conv_reply_lang(r);
    int64_t id = req_id(r);
    size_t i, n;
    int rc;

    for (i = 0; i < r->nfields; i++)
        if (strcmp(r->fields[i].name, "message") == 0)
            f = &r->fields[i];
    if (id == 0) {
        desk_page_error(o, d, 400, "desk.error.id");
        return;
    }
    n = f ? f->value_len : 0;
    if (n > 0) {
        /* a browser sends a textarea's lines ended by CR LF: keep LF */
        size_t j = 0;

        for (i = 0; i < n; i++)
            if (!(f->value[i] == '\r' && i + 1 < n && f->value[i + 1] == '\n'))
                f->value[j++] = f->value[i];
        n = j;
    }
    while (n > 0 && (f->value[n - 1] == '\n' || f->value[n - 1] == '\r' ||
                     f->value[n - 1] == ' '))
        n--;
    if (lang != NULL && lang[0] == 0) {
        desk_page_error(o, d, 400, "desk.error.template");
        return;
    }
    if (n == 0 || n > 16384 ||
        !umbra_utf8_valid((const uint8_t *)f->value, n)) {
        back_to(d, o, id, "desk.reply.bad");
        return;
    }
    rc = reply_queue(d->store, id, (const uint8_t *)f->value, n, d->who,
                     lang);
    if (rc == 1)
        back_to(d, o, id, "desk.reply.none");
    else if (rc != 0)
        desk_page_error(o, d, 500, "desk.error.store");
    else
        back_to(d, o, id, "desk.reply.queued");
}

struct att {
    size_t k;
    struct desk_out *o;
    int found;
};

static int
att_get(void *ctx, const struct store_row *r, const uint8_t *doc,
        size_t doc_len, const char *mailbox_id)
{
    struct att *a = ctx;
    json_t *d;
    unsigned char *b = NULL;
    size_t n = 0;
    const char *type;

    (void)r;
    (void)mailbox_id;
    d = json_loadb((const char *)doc, doc_len, JSON_REJECT_DUPLICATES, NULL);
    if (d != NULL && attachment_bytes(&b, &n, d, a->k) == 0) {
        type = sniff_image(b, n);
        if (type != NULL) {
            a->found = 1;
            a->o->type = type;
            a->o->body.cap = ATTACH_MAX;
            if (umbra_buf_append(&a->o->body, b, n) != 0)
                a->o->oom = 1;
        }
        sodium_memzero(b, n);
        free(b);
    }
    json_decref(d);
    return 0;
}

void
desk_case_attachment(struct desk *d, const struct desk_req *r,
                     struct desk_out *o)
{
    struct att a;
    const char *nv = desk_field(r, "n");
    uint32_t k = 0;
    int64_t id = req_id(r);

    memset(&a, 0, sizeof a);
    a.o = o;
    if (id == 0 || nv == NULL || args_u32(nv, &k) != 0 || k >= 64) {
        desk_page_error(o, d, 400, "desk.error.id");
        return;
    }
    a.k = k;
    if (store_get_case(d->store, id, att_get, &a) != 0 || !a.found) {
        o->type = NULL;
        desk_page_error(o, d, 404, "desk.case.notimage");
    }
}
