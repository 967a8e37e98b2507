/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * verbs_cases: list, show, triage, reply, quarantine, stats — the work on
 * cases inside the store. Every string from a report is printed through
 * case_print_safe() (terminal escapes neutralised) or as JSON.
 */
#include "case.h"
#include "doc.h"
#include "facts.h"
#include "stats.h"
#include "store.h"

#include <errno.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

static const char LIST_USAGE[] =
    "usage: umbra-case [--home DIR] list [--status S] [--category C]\n"
    "           [--from YYYY-MM-DD] [--to YYYY-MM-DD] [--label L]\n"
    "           [--limit N] [--json]\n"
    "\n"
    "The cases, oldest first: id, day received, status, priority,\n"
    "categories, labels, assignee and the start of the narrative.\n"
    "Statuses: new, in-progress, waiting, referred, closed.\n"
    "--json prints one JSON object per line for scripts.\n";

static const char SHOW_USAGE[] =
    "usage: umbra-case [--home DIR] show ID [--json]\n"
    "\n"
    "One case: the whole report in the reporter's words, its status,\n"
    "labels and history.\n";

static const char TRIAGE_USAGE[] =
    "usage: umbra-case [--home DIR] triage ID [--status S] [--priority P]\n"
    "           [--label L]... [--unlabel L]... [--assign NAME]\n"
    "           [--note TEXT] [--as NAME]\n"
    "\n"
    "Updates a case. Statuses: new, in-progress, waiting (for the\n"
    "reporter), referred, closed. Priorities: urgent, high, normal, low.\n"
    "Each change is kept in the case's history with who made it (--as,\n"
    "else $UMBRA_CASEWORKER, else your login name) and the local time.\n";

static const char REPLY_USAGE[] =
    "usage: umbra-case [--home DIR] reply ID --message-file FILE [--as NAME]\n"
    "\n"
    "Seals the message in FILE (UTF-8 text, at most 16 KiB) to the\n"
    "reporter's mailbox key and queues it; 'umbra-case push' sends it. The\n"
    "reporter reads it on the server's check page with their receipt.\n";

static const char QUARANTINE_USAGE[] =
    "usage: umbra-case [--home DIR] quarantine [--json]\n"
    "\n"
    "Reports refused at import, with the reason: malformed or hostile\n"
    "documents, and envelopes not sealed to this home's keys.\n";

static const char *const STATUSES[] = {"new", "in-progress", "waiting",
                                       "referred", "closed"};
static const char *const PRIORITIES[] = {"urgent", "high", "normal", "low"};

static int
one_of(const char *v, const char *const *set, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++)
        if (strcmp(v, set[i]) == 0)
            return 1;
    return 0;
}

static int
valid_day(const char *d)
{
    size_t i;

    if (strlen(d) != 10)
        return 0;
    for (i = 0; i < 10; i++)
        if ((i == 4 || i == 7) ? d[i] != '-' : (d[i] < '0' || d[i] > '9'))
            return 0;
    return 1;
}

/* A short text a caseworker typed: UTF-8, no control characters. */
static int
valid_text(const char *s, size_t max, int allow_newlines)
{
    size_t n = strlen(s), i;

    if (n == 0 || n > max || !umbra_utf8_valid((const uint8_t *)s, n))
        return 0;
    for (i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];

        if ((c < 0x20 && !(allow_newlines && (c == '\n' || c == '\t'))) ||
            c == 0x7f)
            return 0;
    }
    return 1;
}

static int
parse_id(const char *s, int64_t *id)
{
    uint64_t v;

    if (s == NULL || s[0] < '1' || s[0] > '9' ||
        umbra_parse_u64(&v, s, 1, INT64_MAX) != 0)
        return -1;
    *id = (int64_t)v;
    return 0;
}

static void
categories_text(char *out, size_t cap, uint32_t bits)
{
    size_t n = 0;
    int i;

    out[0] = 0;
    for (i = 0; i < FACTS_NCATEGORIES; i++) {
        if (bits & (1u << i)) {
            int k = snprintf(out + n, cap - n, "%s%s", n ? "," : "",
                             FACTS_CATEGORIES[i]);

            if (k < 0 || (size_t)k >= cap - n)
                break;
            n += (size_t)k;
        }
    }
}

struct list_ctx {
    int json;
    long n;
};

static void
list_header(void)
{
    printf("%6s  %-10s  %-11s  %-6s  %s\n", "CASE", "RECEIVED", "STATUS",
           "PRIO", "CATEGORIES  [LABELS]  @ASSIGNED  WHAT HAPPENED");
}

static json_t *
row_json(const struct store_row *r)
{
    json_t *cats = json_array(), *labels = json_array();
    const char *p = r->labels;
    int i;

    for (i = 0; i < FACTS_NCATEGORIES; i++)
        if (r->categories & (1u << i))
            json_array_append_new(cats, json_string(FACTS_CATEGORIES[i]));
    while (p != NULL && *p != 0) {
        const char *c = strchr(p, ',');
        size_t l = c ? (size_t)(c - p) : strlen(p);

        json_array_append_new(labels, json_stringn(p, l));
        p = c ? c + 1 : NULL;
    }
    return json_pack("{s:I,s:s,s:s,s:s,s:s,s:s,s:o,s:o,s:s,s:s,s:s,s:s}",
                     "id", (json_int_t)r->id, "received", r->received,
                     "imported", r->imported, "status",
                     r->status, "priority", r->priority, "assignee",
                     r->assignee, "categories", cats, "labels", labels,
                     "incident", r->incident, "country", r->country, "lang",
                     r->lang, "summary", r->summary);
}

static int
list_row(void *ctx, const struct store_row *r)
{
    struct list_ctx *c = ctx;
    char cats[512];

    c->n++;
    if (c->json) {
        json_t *j = row_json(r);
        char *t = j ? json_dumps(j, JSON_COMPACT) : NULL;

        json_decref(j);
        if (t == NULL)
            return -1;
        puts(t);
        free(t);
        return 0;
    }
    if (c->n == 1)
        list_header();
    categories_text(cats, sizeof cats, r->categories);
    printf("%6lld  %-10s  %-11s  %-6s  ", (long long)r->id, r->received,
           r->status, r->priority[0] ? r->priority : "-");
    case_print_safe(stdout, cats[0] ? cats : "-",
                    strlen(cats[0] ? cats : "-") > 40 ? 40
                                                      : strlen(cats[0] ? cats
                                                                       : "-"),
                    0);
    if (r->labels[0]) {
        fputs("  [", stdout);
        case_print_safe(stdout, r->labels, strlen(r->labels), 0);
        fputs("]", stdout);
    }
    if (r->assignee[0]) {
        fputs("  @", stdout);
        case_print_safe(stdout, r->assignee, strlen(r->assignee), 0);
    }
    if (r->summary[0]) {
        size_t n = strlen(r->summary);

        if (n > 60) {
            n = 60;
            while (n > 0 && ((unsigned char)r->summary[n] & 0xc0) == 0x80)
                n--;
        }
        fputs("  ", stdout);
        case_print_safe(stdout, r->summary, n, 0);
    }
    fputc('\n', stdout);
    return 0;
}

int
verb_list(const struct case_opts *o, int argc, char **argv)
{
    struct store_filter f;
    struct list_ctx c = {0, 0};
    struct store *s = NULL;
    int i, rc = CASE_FAIL;

    memset(&f, 0, sizeof f);
    if (case_help(LIST_USAGE, argc, argv))
        return CASE_OK;
    for (i = 1; i < argc; i++) {
        const char *v = NULL;
        int m;

        if (strcmp(argv[i], "--json") == 0) {
            c.json = 1;
            continue;
        }
        if ((m = case_opt("--status", argc, argv, &i, &v)) != 0)
            f.status = v;
        else if ((m = case_opt("--category", argc, argv, &i, &v)) != 0)
            f.category = v;
        else if ((m = case_opt("--from", argc, argv, &i, &v)) != 0)
            f.from = v;
        else if ((m = case_opt("--to", argc, argv, &i, &v)) != 0)
            f.to = v;
        else if ((m = case_opt("--label", argc, argv, &i, &v)) != 0)
            f.label = v;
        else if ((m = case_opt("--limit", argc, argv, &i, &v)) != 0) {
            int64_t lim = 0;

            if (m > 0 && parse_id(v, &lim) != 0)
                m = -1;
            f.limit = (long)lim;
        } else
            m = -1;
        if (m < 0 || v == NULL) {
            fputs(LIST_USAGE, stderr);
            return CASE_USAGE;
        }
    }
    if (f.status && !one_of(f.status, STATUSES, 5)) {
        case_err("unknown status '%s': use new, in-progress, waiting, "
                 "referred or closed",
                 f.status);
        return CASE_USAGE;
    }
    if ((f.from && !valid_day(f.from)) || (f.to && !valid_day(f.to))) {
        case_err("dates are written YYYY-MM-DD");
        return CASE_USAGE;
    }
    if (case_open_store(&s, o, 0) != 0)
        goto out;
    if (store_list(s, &f, list_row, &c) != 0)
        goto out;
    if (!c.json && c.n == 0)
        fprintf(stderr, "No cases match.\n");
    rc = CASE_OK;
out:
    store_close(s);
    return rc;
}

struct show_ctx {
    int json;
    json_t *out; /* --json: the case object */
};

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
        c->out = row_json(r);
        if (c->out == NULL)
            return -1;
        json_object_set_new(c->out, "can_reply", json_boolean(mailbox_id));
        json_object_set_new(c->out, "report", d ? d : json_null());
        return 0;
    }
    categories_text(cats, sizeof cats, r->categories);
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

int
verb_show(const struct case_opts *o, int argc, char **argv)
{
    struct show_ctx c = {0, NULL};
    struct store *s = NULL;
    int64_t id = 0;
    int i, r, rc = CASE_FAIL, have_id = 0;

    if (case_help(SHOW_USAGE, argc, argv))
        return CASE_OK;
    for (i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--json") == 0)
            c.json = 1;
        else if (!have_id && parse_id(argv[i], &id) == 0)
            have_id = 1;
        else
            break;
    }
    if (i < argc || !have_id) {
        fputs(SHOW_USAGE, stderr);
        return CASE_USAGE;
    }
    if (case_open_store(&s, o, 0) != 0)
        goto out;
    r = store_get_case(s, id, show_case, &c);
    if (r == 1) {
        case_err("no case %lld; see 'umbra-case list'", (long long)id);
        goto out;
    }
    if (r != 0)
        goto out;
    if (!c.json)
        printf("\nHistory:\n");
    if (store_history(s, id, show_history, &c) != 0)
        goto out;
    if (c.json) {
        char *t = json_dumps(c.out, JSON_INDENT(2));

        if (t == NULL)
            goto out;
        puts(t);
        free(t);
    }
    rc = CASE_OK;
out:
    json_decref(c.out);
    store_close(s);
    return rc;
}

int
verb_triage(const struct case_opts *o, int argc, char **argv)
{
    const char *status = NULL, *priority = NULL, *assign = NULL, *note = NULL;
    const char *as = NULL;
    const char **labels = NULL, **unlabels = NULL;
    struct store *s = NULL;
    char who[80];
    size_t nl = 0, nu = 0, k;
    int64_t id = 0;
    int i, r, rc = CASE_FAIL, have_id = 0, changes = 0;

    if (case_help(TRIAGE_USAGE, argc, argv))
        return CASE_OK;
    labels = calloc((size_t)argc, sizeof *labels);
    unlabels = calloc((size_t)argc, sizeof *unlabels);
    if (labels == NULL || unlabels == NULL)
        goto out;
    for (i = 1; i < argc; i++) {
        const char *v = NULL;
        int m;

        if (!have_id && parse_id(argv[i], &id) == 0) {
            have_id = 1;
            continue;
        }
        if ((m = case_opt("--status", argc, argv, &i, &v)) != 0)
            status = v;
        else if ((m = case_opt("--priority", argc, argv, &i, &v)) != 0)
            priority = v;
        else if ((m = case_opt("--label", argc, argv, &i, &v)) != 0)
            labels[nl++] = v;
        else if ((m = case_opt("--unlabel", argc, argv, &i, &v)) != 0)
            unlabels[nu++] = v;
        else if ((m = case_opt("--assign", argc, argv, &i, &v)) != 0)
            assign = v;
        else if ((m = case_opt("--note", argc, argv, &i, &v)) != 0)
            note = v;
        else if ((m = case_opt("--as", argc, argv, &i, &v)) != 0)
            as = v;
        else
            m = -1;
        if (m < 0 || v == NULL)
            goto usage;
    }
    if (!have_id)
        goto usage;
    if (status && !one_of(status, STATUSES, 5)) {
        case_err("unknown status '%s': use new, in-progress, waiting, "
                 "referred or closed",
                 status);
        rc = CASE_USAGE;
        goto out;
    }
    if (priority && !one_of(priority, PRIORITIES, 4)) {
        case_err("unknown priority '%s': use urgent, high, normal or low",
                 priority);
        rc = CASE_USAGE;
        goto out;
    }
    for (k = 0; k < nl + nu; k++) {
        const char *l = k < nl ? labels[k] : unlabels[k - nl];

        if (!valid_text(l, 64, 0) || strchr(l, ',') != NULL) {
            case_err("a label is 1 to 64 characters, without commas");
            rc = CASE_USAGE;
            goto out;
        }
    }
    if ((assign && !valid_text(assign, 64, 0)) ||
        (note && !valid_text(note, 4096, 1)) ||
        (as && !valid_text(as, 64, 0))) {
        case_err("names are 1 to 64 characters and notes 1 to 4096, "
                 "without control characters");
        rc = CASE_USAGE;
        goto out;
    }
    case_who(who, sizeof who, as);
    if (case_open_store(&s, o, 1) != 0)
        goto out;
    if (store_begin(s) != 0)
        goto out;
    r = store_case_exists(s, id);
    if (r != 1) {
        store_rollback(s);
        if (r == 0)
            case_err("no case %lld; see 'umbra-case list'", (long long)id);
        goto out;
    }
    if ((status && (r = store_set_field(s, id, "status", status, who)) != 0) ||
        (priority &&
         (r = store_set_field(s, id, "priority", priority, who)) != 0) ||
        (assign && (r = store_set_field(s, id, "assignee", assign, who)) != 0))
        goto fail;
    changes += (status != NULL) + (priority != NULL) + (assign != NULL);
    for (k = 0; k < nl; k++, changes++)
        if (store_add_label(s, id, labels[k], who) != 0)
            goto fail;
    for (k = 0; k < nu; k++, changes++)
        if (store_remove_label(s, id, unlabels[k], who) != 0)
            goto fail;
    if (note) {
        if (store_add_note(s, id, note, who) != 0)
            goto fail;
        changes++;
    }
    if (store_commit(s) != 0)
        goto out;
    printf("Case %lld: %d change%s saved.\n", (long long)id, changes,
           changes == 1 ? "" : "s");
    rc = CASE_OK;
    goto out;
fail:
    store_rollback(s);
    case_err("case %lld was not changed", (long long)id);
    goto out;
usage:
    fputs(TRIAGE_USAGE, stderr);
    rc = CASE_USAGE;
out:
    free(labels);
    free(unlabels);
    store_close(s);
    return rc;
}

int
verb_reply(const struct case_opts *o, int argc, char **argv)
{
    const char *file = NULL, *as = NULL;
    struct umbra_org_keys *k = NULL;
    struct store *s = NULL;
    uint8_t pk[32];
    char mailbox_id[65], lang[36], today[11], who[80];
    uint8_t *msg = NULL, *env = NULL;
    size_t msg_len = 0, env_len = 0;
    char *doc = NULL;
    json_t *j = NULL;
    int64_t id = 0;
    int i, r, err, rc = CASE_FAIL, have_id = 0;

    if (case_help(REPLY_USAGE, argc, argv))
        return CASE_OK;
    for (i = 1; i < argc; i++) {
        const char *v = NULL;
        int m;

        if (!have_id && parse_id(argv[i], &id) == 0) {
            have_id = 1;
            continue;
        }
        if ((m = case_opt("--message-file", argc, argv, &i, &v)) != 0)
            file = v;
        else if ((m = case_opt("--as", argc, argv, &i, &v)) != 0)
            as = v;
        else
            m = -1;
        if (m < 0 || v == NULL) {
            fputs(REPLY_USAGE, stderr);
            return CASE_USAGE;
        }
    }
    if (!have_id || file == NULL) {
        fputs(REPLY_USAGE, stderr);
        return CASE_USAGE;
    }
    if (case_read_file(&msg, &msg_len, file, 16384) != 0) {
        case_err("cannot read message file '%s': %s", file,
                 errno == EFBIG ? "longer than 16 KiB" : strerror(errno));
        goto out;
    }
    while (msg_len > 0 && (msg[msg_len - 1] == '\n' || msg[msg_len - 1] == ' '))
        msg[--msg_len] = 0;
    if (msg_len == 0 || !umbra_utf8_valid(msg, msg_len)) {
        case_err("message file '%s' is empty or not UTF-8 text", file);
        goto out;
    }
    case_who(who, sizeof who, as);
    if (case_load_keys(&k, o) != 0)
        goto out;
    if (case_store_open(&s, o->home, k->store_key, 1) != 0)
        goto out;
    r = store_case_mailbox(s, id, pk, mailbox_id, lang);
    if (r != 0) {
        if (r == 1)
            case_err("case %lld has no mailbox (or does not exist): the "
                     "reporter asked for no replies",
                     (long long)id);
        goto out;
    }
    umbra_today(today);
    j = json_pack("{s:s,s:s%,s:s,s:s}", "schema", "umbra.reply/1", "message",
                  (const char *)msg, msg_len, "lang", lang[0] ? lang : "en",
                  "date", today);
    doc = j ? json_dumps(j, JSON_COMPACT) : NULL;
    if (doc == NULL) {
        case_err("cannot build the reply");
        goto out;
    }
    err = umbra_envelope_seal(&env, &env_len, pk, 1, (const uint8_t *)doc,
                              strlen(doc));
    if (err != 0) {
        case_err("cannot seal the reply: %s", umbra_strerror(err));
        goto out;
    }
    if (store_begin(s) != 0)
        goto out;
    if (store_reply_add(s, id, mailbox_id, env, env_len, who) != 0 ||
        store_commit(s) != 0) {
        store_rollback(s);
        goto out;
    }
    printf("Reply to case %lld queued; send it with 'umbra-case push'.\n",
           (long long)id);
    rc = CASE_OK;
out:
    if (doc != NULL) {
        sodium_memzero(doc, strlen(doc));
        free(doc);
    }
    json_decref(j);
    if (msg != NULL) {
        sodium_memzero(msg, msg_len);
        free(msg);
    }
    free(env);
    store_close(s);
    umbra_org_keys_free(k);
    return rc;
}

static int
quarantine_row(void *ctx, int64_t id, const char *server_id,
               const char *received, const char *when, const char *outcome,
               const char *reason, size_t size)
{
    int *json = ctx;

    if (*json) {
        json_t *j = json_pack("{s:I,s:s,s:s,s:s,s:s,s:s,s:I}", "id",
                              (json_int_t)id, "server_id", server_id,
                              "received", received, "imported", when,
                              "outcome", outcome, "reason", reason, "size",
                              (json_int_t)size);
        char *t = j ? json_dumps(j, JSON_COMPACT) : NULL;

        json_decref(j);
        if (t == NULL)
            return -1;
        puts(t);
        free(t);
        return 0;
    }
    printf("%5lld  server id %s  received %s  %s  %zu bytes  ", (long long)id,
           server_id, received,
           strcmp(outcome, "unopened") == 0 ? "not for this home" : "refused",
           size);
    case_print_safe(stdout, reason, strlen(reason), 0);
    fputc('\n', stdout);
    return 0;
}

int
verb_quarantine(const struct case_opts *o, int argc, char **argv)
{
    struct store *s = NULL;
    int json = 0, rc = CASE_FAIL;

    if (case_help(QUARANTINE_USAGE, argc, argv))
        return CASE_OK;
    if (argc == 2 && strcmp(argv[1], "--json") == 0)
        json = 1;
    else if (argc != 1) {
        fputs(QUARANTINE_USAGE, stderr);
        return CASE_USAGE;
    }
    if (case_open_store(&s, o, 0) != 0)
        goto out;
    if (store_quarantine_each(s, quarantine_row, &json) != 0)
        goto out;
    rc = CASE_OK;
out:
    store_close(s);
    return rc;
}

int
verb_stats(const struct case_opts *o, int argc, char **argv)
{
    struct store *s = NULL;
    int i, rc, publish = 0;

    for (i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0)
            return stats_run(NULL, o->home, argc, argv);
        if (argv[i][0] != '-')
            break;
    }
    if (argc >= 2 && strcmp(argv[1], "merge") == 0)
        return stats_run(NULL, o->home, argc, argv);
    /* The home gives the default region groups; only --publish writes (to
     * the ledger), so only it takes the writer's lock. */
    for (i = 1; i < argc && !publish; i++)
        publish = strcmp(argv[i], "--publish") == 0;
    if (case_open_store(&s, o, publish) != 0)
        return CASE_FAIL;
    rc = stats_run(s, o->home, argc, argv);
    store_close(s);
    return rc;
}
