/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * desk_conv: the conversation on the desk's case screen and the reply
 * composer's templates (see desk.h). The messages are those `show` reads
 * (store_messages), each escaped and bidi-isolated like the narrative;
 * opening the case marks them read (store_messages_read, as `show`).
 * A template is chosen with a plain GET form (the desk runs no
 * JavaScript): /case?id=N&tpl=NAME&tlang=TAG re-renders the composer with
 * the template's text in the textarea, to edit before sending; the reply
 * form then carries the template's language, which becomes the sealed
 * reply's lang (reply_queue's lang_over).
 */
#include "desk.h"
#include "desk_text.h"
#include "store.h"
#include "templates.h"

#include <string.h>

struct conv {
    struct desk_out *o;
    int li;
};

static int
conv_message(void *ctx, const struct store_message *m)
{
    struct conv *c = ctx;
    struct desk_out *o = c->o;
    int org = strcmp(m->from, "org") == 0;

    desk_h_fmt(o, "<li class=\"msg %s%s\"><p class=\"who\"><bdi>",
               org ? "org" : "reporter", !org && m->unread ? " unread" : "");
    desk_h_str(o, m->day);
    desk_h_raw(o, "</bdi> ");
    desk_h_t(o, c->li, org ? "desk.conv.org" : "desk.conv.reporter");
    if (org) {
        desk_h_raw(o, " <span class=\"state\">(");
        desk_h_t(o, c->li, m->pushed ? "desk.conv.pushed" : "desk.conv.queued");
        desk_h_raw(o, ")</span>");
    } else if (m->unread) {
        desk_h_raw(o, " <strong class=\"new\">");
        desk_h_t(o, c->li, "desk.conv.new");
        desk_h_raw(o, "</strong>");
    }
    desk_h_raw(o, "</p><div class=\"narr\" dir=\"auto\">");
    desk_h_esc(o, m->text, strlen(m->text));
    desk_h_raw(o, "</div></li>");
    return 0;
}

int
desk_conv_messages(struct desk *d, struct desk_out *o, int64_t id,
                   const char *received)
{
    struct conv c = {o, d->lang};

    desk_h_raw(o, "<section id=\"messages\"><h2>");
    desk_h_t(o, d->lang, "desk.conv.title");
    desk_h_raw(o, "</h2><ol id=\"conversation\"><li class=\"msg report\">"
                  "<p class=\"who\"><bdi>");
    desk_h_str(o, received);
    desk_h_raw(o, "</bdi> ");
    desk_h_t(o, d->lang, "desk.conv.reporter");
    desk_h_raw(o, "</p><p><a href=\"#narrative\">");
    desk_h_t(o, d->lang, "desk.conv.report");
    desk_h_raw(o, "</a></p></li>");
    if (store_messages(d->store, id, conv_message, &c) != 0)
        return -1;
    desk_h_raw(o, "</ol></section>");
    return 0;
}

/* 1 if s looks like a language tag (letters, digits, '-'; 1 to 35). */
static int
tag_ok(const char *s)
{
    size_t i;

    for (i = 0; s[i]; i++)
        if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') ||
              (s[i] >= '0' && s[i] <= '9') || s[i] == '-') ||
            i >= 35)
            return 0;
    return i > 0;
}

/* The template's name as a catalogue key ("safe-now": desk.tpl.safe_now). */
static void
tpl_key(char *key, size_t cap, const char *name)
{
    size_t n;

    snprintf(key, cap, "desk.tpl.%s", name);
    for (n = strlen("desk.tpl."); key[n]; n++)
        if (key[n] == '-')
            key[n] = '_';
}

int
desk_conv_check(const struct desk_req *r)
{
    const char *tpl = desk_field(r, "tpl"), *tl = desk_field(r, "tlang");
    struct reply_template t;

    if (tl != NULL && tl[0] && !tag_ok(tl))
        return -1;
    if (tpl != NULL && tpl[0] && reply_template_find(&t, tpl, NULL) != 0)
        return -1;
    return 0;
}

/* The language of the composer: tlang if given, else the case's. */
static const char *
composer_lang(const struct desk_req *r, const char *case_lang)
{
    const char *tl = desk_field(r, "tlang");

    if (tl != NULL && tl[0])
        return tl;
    return case_lang != NULL && case_lang[0] && tag_ok(case_lang) ? case_lang
                                                                   : "en";
}

void
desk_conv_composer(struct desk *d, const struct desk_req *r,
                   struct desk_out *o, int64_t id, const char *case_lang)
{
    const char *tpl = desk_field(r, "tpl");
    const char *lang = composer_lang(r, case_lang);
    struct reply_template t, cur;
    int li = d->lang, have = 0, k;
    size_t i;
    char key[64];

    /* the language as the templates know it (exact, its first part, or
     * English) */
    if (reply_template_find(&cur, reply_template_name(0), lang) != 0)
        memset(&cur, 0, sizeof cur);
    if (tpl != NULL && tpl[0] && reply_template_find(&t, tpl, lang) == 0)
        have = 1;
    desk_h_fmt(o, "<form method=\"get\" action=\"/case#reply\" "
                  "id=\"templates\"><input type=\"hidden\" name=\"id\" "
                  "value=\"%lld\"><label for=\"tpl\">",
               (long long)id);
    desk_h_t(o, li, "desk.tpl.label");
    desk_h_raw(o, "</label><select id=\"tpl\" name=\"tpl\">");
    for (i = 0; i < reply_template_count(); i++) {
        const char *name = reply_template_name(i);

        tpl_key(key, sizeof key, name);
        desk_h_fmt(o, "<option value=\"%s\"%s>", name,
                   have && strcmp(t.name, name) == 0 ? " selected" : "");
        desk_h_t(o, li, key);
        desk_h_raw(o, "</option>");
    }
    desk_h_raw(o, "</select><label for=\"tlang\">");
    desk_h_t(o, li, "desk.tpl.lang");
    desk_h_raw(o, "</label><select id=\"tlang\" name=\"tlang\">");
    for (k = 0; k < reply_str_nlangs; k++) {
        int dl = desk_text_lang(reply_str_langs[k]);

        desk_h_fmt(o, "<option value=\"%s\"%s>", reply_str_langs[k],
                   cur.lang && strcmp(cur.lang, reply_str_langs[k]) == 0
                       ? " selected"
                       : "");
        /* each language under its own name */
        if (dl >= 0)
            desk_h_t(o, dl, "desk.lang.name");
        else
            desk_h_str(o, reply_str_langs[k]);
        desk_h_raw(o, "</option>");
    }
    desk_h_raw(o, "</select> <button type=\"submit\" id=\"use-template\">");
    desk_h_t(o, li, "desk.tpl.use");
    desk_h_raw(o, "</button></form>");
    desk_h_form_case(o, d->csrf, "/reply", id);
    if (have) {
        int dl = desk_text_lang(t.lang);

        desk_h_fmt(o, "<input type=\"hidden\" name=\"lang\" value=\"%s\">"
                      "<p id=\"template-lang\" data-lang=\"%s\">",
                   t.lang, t.lang);
        desk_h_t1(o, li, "desk.tpl.in",
                  desk_text(dl >= 0 ? dl : 0, "desk.lang.name"));
        if (t.fallback) {
            desk_h_raw(o, " ");
            desk_h_t(o, li, "desk.tpl.fallback");
        }
        if (t.draft) {
            desk_h_raw(o, " <strong class=\"draft\">");
            desk_h_t(o, li, "desk.tpl.draft");
            desk_h_raw(o, "</strong>");
        }
        desk_h_raw(o, "</p>");
    }
    desk_h_raw(o, "<label for=\"message\">");
    desk_h_t(o, li, "desk.reply.message");
    desk_h_fmt(o, "</label><textarea id=\"message\" name=\"message\" "
                  "rows=\"8\" maxlength=\"16384\" required%s>",
               have ? " dir=\"auto\"" : "");
    if (have)
        desk_h_str(o, t.text);
    desk_h_raw(o, "</textarea><p>");
    desk_h_t(o, li, "desk.reply.hint");
    desk_h_raw(o, "</p><p><button type=\"submit\" id=\"queue\">");
    desk_h_t(o, li, "desk.reply.queue");
    desk_h_raw(o, "</button></p></form>");
}

const char *
desk_conv_reply_lang(const struct desk_req *r)
{
    const char *l = desk_field(r, "lang");
    int k;

    if (l == NULL || l[0] == 0)
        return NULL;
    for (k = 0; k < reply_str_nlangs; k++)
        if (strcmp(l, reply_str_langs[k]) == 0)
            return reply_str_langs[k];
    return "";
}
