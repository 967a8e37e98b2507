/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * verbs_show: show — one case in the reporter's words, with its status,
 * labels and history. Every string from a report is printed through
 * case_print_safe() (terminal escapes neutralised) or as JSON.
 */
#include "args.h"
#include "case.h"
#include "case_row.h"
#include "links.h"
#include "store.h"
#include "team_show.h"
#include "store_idents.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

static const char SHOW_USAGE[] =
    "usage: umbra-case [--home DIR] show ID [--json]\n"
    "\n"
    "One case: the whole report in the reporter's words, its status,\n"
    "labels, the conversation (the report, the organisation's replies and\n"
    "the reporter's follow-ups, oldest first; showing it marks it read)\n"
    "and history; each identifier of the perpetrator (phone number,\n"
    "plate, online handle, place) normalised, with the other cases that\n"
    "have it (umbra-case links lists them all).\n";


struct show_ctx {
    int json;
    json_t *out; /* --json: the case object */
    json_t *messages; /* the conversation, the report first */
    long n;           /* messages printed */
    json_t *links;    /* --json: the identifiers and their links */
};

/* One identifier of the case and the other cases that have it. */
static int
show_ident(void *ctx, const struct store_ident *i)
{
    struct show_ctx *c = ctx;
    char note[200], others[400], alike[400];

    if (c->json) {
        json_t *j = json_pack("{s:s,s:s,s:o,s:o,s:o}", "kind", i->kind,
                              "value", i->value, "flags",
                              links_flags_json(i->flags), "also_in",
                              links_cases_json(i->others), "look_alike_in",
                              links_cases_json(i->alike));

        return j == NULL || json_array_append_new(c->links, j) != 0 ? -1 : 0;
    }
    if (c->n++ == 0)
        printf("\nLinks (a link is a lead to check, not proof that it is "
               "the same person):\n");
    links_flags_note(note, sizeof note, i->flags);
    links_cases_phrase(others, sizeof others, i->others);
    links_cases_phrase(alike, sizeof alike, i->alike);
    printf("  %s ", links_kind_noun(i->kind));
    case_print_safe(stdout, i->value, strlen(i->value), 0);
    printf("%s: ", note);
    if (others[0])
        printf("this %s is also in %s", links_kind_noun(i->kind), others);
    else
        printf("in no other case");
    if (alike[0])
        printf("; a look-alike (not the same) is in %s", alike);
    fputc('\n', stdout);
    return 0;
}

/* The conversation's first message: the report, from the reporter. */
static void
first_message(struct show_ctx *c, const struct store_row *r, json_t *d)
{
    json_t *t = json_object_get(d, "narrative");

    c->messages = json_array();
    json_array_append_new(
        c->messages, json_pack("{s:s,s:s,s:s}", "from", "reporter", "day",
                               r->received, "text",
                               json_is_string(t) ? json_string_value(t) : ""));
}

/* Where a case came from, when not from a report. */
static void
print_origin(const struct store_row *r)
{
    if (strcmp(r->origin, "follow-up") == 0)
        printf("%-13s a follow-up written back from /check whose case is "
               "not in this store (deleted, or never imported here)\n",
               "Origin");
    else if (strcmp(r->origin, "unverified") == 0)
        printf("%-13s UNVERIFIED follow-up: it names the mailbox of case "
               "%lld, but its proof does not verify, so it may be forged "
               "(by the server, or anyone holding the public key); it was "
               "not joined to that case and cannot be replied to\n",
               "Origin", (long long)r->origin_case);
}

static void
print_field(const char *label, json_t *v)
{
    const char *s = json_string_value(v);

    if (s == NULL || s[0] == 0)
        return;
    printf("%-13s ", label);
    case_print_safe(stdout, s, json_string_length(v), 0);
    fputc('\n', stdout);
}

static void
print_list(const char *label, json_t *a)
{
    json_t *v;
    size_t i;

    if (!json_is_array(a) || json_array_size(a) == 0)
        return;
    printf("%-13s ", label);
    json_array_foreach(a, i, v)
    {
        if (!json_is_string(v))
            continue;
        if (i)
            fputs(", ", stdout);
        case_print_safe(stdout, json_string_value(v), json_string_length(v),
                        0);
    }
    fputc('\n', stdout);
}

static int
show_case(void *ctx, const struct store_row *r, const uint8_t *doc,
          size_t doc_len, const char *mailbox_id)
{
    struct show_ctx *c = ctx;
    json_t *d = NULL, *o;
    char cats[512];

    if (doc != NULL && doc_len > 0)
        d = json_loadb((const char *)doc, doc_len, JSON_REJECT_DUPLICATES,
                       NULL);
    if (c->json) {
        c->out = case_row_json(r);
        if (c->out == NULL)
            return -1;
        json_object_set_new(c->out, "can_reply", json_boolean(mailbox_id));
        json_object_set_new(c->out, "origin",
                            json_string(r->origin[0] ? r->origin : "report"));
        if (strcmp(r->origin, "unverified") == 0)
            json_object_set_new(c->out, "origin_case",
                                json_integer((json_int_t)r->origin_case));
        first_message(c, r, d);
        json_object_set_new(c->out, "report", d ? d : json_null());
        return 0;
    }
    first_message(c, r, d);
    case_row_categories(cats, sizeof cats, r->categories);
    printf("Case %lld, received by the server %s, imported here %s\n",
           (long long)r->id, r->received, r->imported);
    printf("%-13s %s\n", "Status", r->status);
    if (r->priority[0])
        printf("%-13s %s\n", "Priority", r->priority);
    if (r->assignee[0]) {
        printf("%-13s ", "Assigned to");
        case_print_safe(stdout, r->assignee, strlen(r->assignee), 0);
        fputc('\n', stdout);
    }
    if (r->labels[0]) {
        printf("%-13s ", "Labels");
        case_print_safe(stdout, r->labels, strlen(r->labels), 0);
        fputc('\n', stdout);
    }
    printf("%-13s %s\n", "Can reply", mailbox_id ? "yes" : "no (no mailbox)");
    print_origin(r);
    if (d == NULL) {
        if (doc != NULL && doc_len > 0) {
            /* checked at import, so this should not happen: still show it */
            printf("\nThe report, as sent:\n\n");
            case_print_safe(stdout, (const char *)doc, doc_len, 1);
            fputc('\n', stdout);
        } else {
            printf("(no report text: a synthetic case)\n");
        }
        return 0;
    }
    print_field("Language", json_object_get(d, "lang"));
    print_field("Sent via", json_object_get(d, "via"));
    o = json_object_get(d, "incident");
    if (json_is_object(o)) {
        print_field("When", json_object_get(o, "date"));
        print_field("Country", json_object_get(o, "country"));
        print_field("Region", json_object_get(o, "region"));
        print_field("Place", json_object_get(o, "place"));
    }
    print_list("Categories", json_object_get(d, "categories"));
    o = json_object_get(d, "perpetrator");
    if (json_is_object(o)) {
        json_t *ids = json_object_get(o, "identifiers"), *v;
        size_t i;

        /* several since perpetrator.types; type alone from older forms */
        if (json_array_size(json_object_get(o, "types")) > 0)
            print_list("Perpetrators", json_object_get(o, "types"));
        else
            print_field("Perpetrator", json_object_get(o, "type"));
        print_field("Described as", json_object_get(o, "description"));
        json_array_foreach(ids, i, v)
        {
            const char *kind = json_string_value(json_object_get(v, "kind"));
            const char *val = json_string_value(json_object_get(v, "value"));

            if (val == NULL)
                continue;
            printf("%-13s ", "Identifier");
            if (kind) {
                case_print_safe(stdout, kind, strlen(kind), 0);
                fputs(": ", stdout);
            }
            case_print_safe(stdout, val, strlen(val), 0);
            fputc('\n', stdout);
        }
    }
    print_list("Needs", json_object_get(d, "needs"));
    o = json_object_get(d, "consent");
    if (json_is_object(o))
        printf("%-13s statistics %s, alert %s, share with authorities %s\n",
               "Consent",
               json_is_true(json_object_get(o, "statistics")) ? "yes" : "no",
               json_is_true(json_object_get(o, "alert")) ? "yes" : "no",
               json_is_true(json_object_get(o, "share_with_authorities"))
                   ? "yes"
                   : "no");
    o = json_object_get(d, "attachments");
    if (json_is_array(o) && json_array_size(o) > 0)
        printf("%-13s %zu (kept in the store)\n", "Attachments",
               json_array_size(o));
    o = json_object_get(d, "narrative");
    if (json_is_string(o)) {
        printf("\nWhat happened, in the reporter's words:\n\n");
        case_print_safe(stdout, json_string_value(o), json_string_length(o),
                        1);
        fputc('\n', stdout);
    }
    json_decref(d);
    return 0;
}

static int
show_message(void *ctx, const struct store_message *m)
{
    struct show_ctx *c = ctx;
    size_t len = strlen(m->text);

    if (c->json) {
        json_t *j = json_pack("{s:s,s:s,s:s%}", "from", m->from, "day",
                              m->day, "text", m->text, len);

        return j == NULL || json_array_append_new(c->messages, j) != 0 ? -1
                                                                       : 0;
    }
    if (c->n++ == 0)
        printf("\nConversation, oldest first:\n\n  %s  the reporter: the "
               "report above\n",
               json_string_value(json_object_get(
                   json_array_get(c->messages, 0), "day")));
    if (strcmp(m->from, "org") == 0)
        printf("\n  %s  the organisation%s:\n", m->day,
               m->pushed ? "" : " (queued: not sent yet, see 'umbra-case "
                                "push')");
    else
        printf("\n  %s  the reporter%s:\n", m->day,
               m->unread ? " (NEW)" : "");
    case_print_safe(stdout, m->text, len, 1);
    fputc('\n', stdout);
    return 0;
}

static int
show_history(void *ctx, const char *at, const char *who, const char *what)
{
    struct show_ctx *c = ctx;

    if (c->json) {
        json_t *h = json_object_get(c->out, "history");

        if (h == NULL) {
            h = json_array();
            json_object_set_new(c->out, "history", h);
        }
        json_array_append_new(h, json_pack("{s:s,s:s,s:s}", "at", at, "who",
                                            who, "what", what));
        return 0;
    }
    printf("  %s  ", at);
    case_print_safe(stdout, who, strlen(who), 0);
    fputs(": ", stdout);
    case_print_safe(stdout, what, strlen(what), 0);
    fputc('\n', stdout);
    return 0;
}

/* The team's history (team_show.h): "team" in --json, else its lines
 * with the members' names. 0 or -1. */
static int
show_team(struct show_ctx *c, struct case_env *e, int64_t id)
{
    json_t *t = NULL, *h;
    size_t i;

    if (team_show_case(&t, e->store, e->o, id) != 0) {
        case_err("cannot read the case's events: %s",
                 store_errmsg(e->store));
        return -1;
    }
    if (t == NULL)
        return 0;
    h = json_object_get(t, "history");
    if (c->json) {
        json_object_set_new(c->out, "team", t);
        return 0;
    }
    if (json_array_size(h) > 0)
        printf("\nTeam history (every member's changes):\n");
    for (i = 0; i < json_array_size(h); i++) {
        json_t *x = json_array_get(h, i);
        const char *who = json_string_value(json_object_get(x, "who"));
        const char *what = json_string_value(json_object_get(x, "what"));

        printf("  %s  ", json_string_value(json_object_get(x, "day")));
        case_print_safe(stdout, who, strlen(who), 0);
        fputc(' ', stdout);
        case_print_safe(stdout, what, strlen(what), 0);
        fputc('\n', stdout);
    }
    json_decref(t);
    return 0;
}

int
verb_show(struct case_env *e, int argc, char **argv)
{
    struct show_ctx c;
    struct args a;
    int64_t id = 0;
    int k, r, rc = CASE_FAIL, have_id = 0;

    memset(&c, 0, sizeof c);
    if (case_help(SHOW_USAGE, argc, argv))
        return CASE_OK;
    args_init(&a, argc, argv, ARGS_JSON_ONLY);
    while ((k = args_next(&a)) != ARGS_END) {
        if (k == 'j')
            c.json = 1;
        else if (k == ARGS_WORD && !have_id && args_id(a.val, &id) == 0)
            have_id = 1;
        else
            return case_usage_id(&a, k, have_id, SHOW_USAGE);
    }
    if (!have_id)
        return case_usage_id(&a, ARGS_END, 0, SHOW_USAGE);
    if (case_setup(e) != 0)
        goto out;
    r = store_get_case(e->store, id, show_case, &c);
    if (r == 1) {
        case_err("no case %lld; see 'umbra-case list'", (long long)id);
        goto out;
    }
    if (r != 0)
        goto out;
    c.links = c.json ? json_array() : NULL;
    if (store_idents_case(e->store, id, show_ident, &c) != 0)
        goto out;
    if (c.json) {
        json_object_set_new(c.out, "links", c.links);
        c.links = NULL;
    }
    c.n = 0;
    if (store_messages(e->store, id, show_message, &c) != 0)
        goto out;
    if (c.json) {
        json_object_set_new(c.out, "messages", c.messages);
        c.messages = NULL;
    }
    if (!c.json)
        printf("\nHistory:\n");
    if (store_history(e->store, id, show_history, &c) != 0)
        goto out;
    if (show_team(&c, e, id) != 0)
        goto out;
    if (c.json) {
        r = case_json_print(c.out, JSON_INDENT(2));
        c.out = NULL;
        if (r != 0)
            goto out;
    }
    /* shown: read (the one write of show, a single statement; it takes
     * no writer lock, and a store busy past its timeout only leaves the
     * messages unread) */
    if (store_messages_read(e->store, id) != 0)
        fprintf(stderr, "umbra-case: note: could not mark case %lld's "
                        "messages read\n",
                (long long)id);
    rc = CASE_OK;
out:
    json_decref(c.out);
    json_decref(c.messages);
    json_decref(c.links);
    return rc;
}

