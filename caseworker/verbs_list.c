/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * verbs_list: list and quarantine — the cases of the store, and the
 * reports refused at import. Every string from a report is printed
 * through case_print_safe() (terminal escapes neutralised) or as JSON.
 */
#include "args.h"
#include "case.h"
#include "case_row.h"
#include "dwidth.h"
#include "store.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

static const char LIST_USAGE[] =
    "usage: umbra-case [--home DIR] list [--status S] [--category C]\n"
    "           [--from YYYY-MM-DD] [--to YYYY-MM-DD] [--label L]\n"
    "           [--limit N] [--json]\n"
    "\n"
    "The cases, oldest first: id, day received, status, priority,\n"
    "categories, labels, assignee and the start of the narrative.\n"
    "Statuses: new, in-progress, waiting, referred, closed.\n"
    "--json prints one JSON object per line for scripts.\n";


static const char QUARANTINE_USAGE[] =
    "usage: umbra-case [--home DIR] quarantine [--json]\n"
    "\n"
    "Reports refused at import, with the reason: malformed or hostile\n"
    "documents, and envelopes not sealed to this home's keys.\n";


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


struct list_ctx {
    int json;
    long n;
};

/* The columns after PRIO, by display width (dwidth.h), so that they line
 * up in Thai, Arabic and Chinese too; the last one is not padded. */
#define LIST_W_ASSIGNED 12
#define LIST_W_LABELS 16
#define LIST_W_CATEGORIES 24
#define LIST_W_SUMMARY 40

static void
list_header(void)
{
    printf("%6s  %-10s  %-11s  %-6s  %-*s  %-*s  %-*s  %s\n", "CASE",
           "RECEIVED", "STATUS", "PRIO", LIST_W_ASSIGNED, "ASSIGNED",
           LIST_W_LABELS, "LABELS", LIST_W_CATEGORIES, "CATEGORIES",
           "WHAT HAPPENED");
}

/* One cell: text, or "-" when empty, then two spaces unless last. */
static void
list_cell(const char *text, size_t cols, int last)
{
    const char *t = text[0] ? text : "-";

    umbra_display_cell(stdout, t, strlen(t), cols, !last);
    if (!last)
        fputs("  ", stdout);
}

static int
list_row(void *ctx, const struct store_row *r)
{
    struct list_ctx *c = ctx;
    char cats[512];

    c->n++;
    if (c->json)
        return case_json_print(case_row_json(r), JSON_COMPACT);
    if (c->n == 1)
        list_header();
    case_row_categories(cats, sizeof cats, r->categories);
    printf("%6lld  %-10s  %-11s  %-6s  ", (long long)r->id, r->received,
           r->status, r->priority[0] ? r->priority : "-");
    list_cell(r->assignee, LIST_W_ASSIGNED, 0);
    list_cell(r->labels, LIST_W_LABELS, 0);
    list_cell(cats, LIST_W_CATEGORIES, 0);
    list_cell(r->summary, LIST_W_SUMMARY, 1);
    fputc('\n', stdout);
    return 0;
}

static const struct option LIST_OPTS[] = {
    ARGS_FLAG("json", 'j'), ARGS_VALUE("status", 's'),
    ARGS_VALUE("category", 'c'), ARGS_VALUE("from", 'f'), ARGS_VALUE("to", 't'),
    ARGS_VALUE("label", 'l'), ARGS_VALUE("limit", 'n'), ARGS_LAST,
};

int
verb_list(struct case_env *e, int argc, char **argv)
{
    struct store_filter f;
    const struct args_keep keep[] = {{'s', &f.status}, {'c', &f.category},
                                     {'f', &f.from},   {'t', &f.to},
                                     {'l', &f.label}};
    struct list_ctx c = {0, 0};
    struct args a;
    int k;

    memset(&f, 0, sizeof f);
    if (case_help(LIST_USAGE, argc, argv))
        return CASE_OK;
    args_init(&a, argc, argv, LIST_OPTS);
    while ((k = args_next(&a)) != ARGS_END) {
        int64_t lim = 0;

        if (args_keep(keep, sizeof keep / sizeof keep[0], k, a.val))
            continue;
        if (k == 'j')
            c.json = 1;
        else if (k == 'n' && args_id(a.val, &lim) == 0)
            f.limit = (long)lim;
        else if (k == 'n') {
            case_err("--limit needs a number of cases, not '%s'", a.val);
            return case_usage(LIST_USAGE);
        } else {
            args_why(&a, k);
            return case_usage(LIST_USAGE);
        }
    }
    if (f.status && !case_status_known(f.status)) {
        case_err("unknown status '%s': use new, in-progress, waiting, "
                 "referred or closed",
                 f.status);
        return CASE_USAGE;
    }
    if ((f.from && !valid_day(f.from)) || (f.to && !valid_day(f.to))) {
        case_err("dates are written YYYY-MM-DD");
        return CASE_USAGE;
    }
    if (case_setup(e) != 0 || store_list(e->store, &f, list_row, &c) != 0)
        return CASE_FAIL;
    if (!c.json && c.n == 0)
        fprintf(stderr, "No cases match.\n");
    return CASE_OK;
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

        return case_json_print(j, JSON_COMPACT);
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
verb_quarantine(struct case_env *e, int argc, char **argv)
{
    struct args a;
    int json = 0, k;

    if (case_help(QUARANTINE_USAGE, argc, argv))
        return CASE_OK;
    args_init(&a, argc, argv, ARGS_JSON_ONLY);
    while ((k = args_next(&a)) != ARGS_END) {
        if (k != 'j' || json++ > 0) {
            if (k == 'j')
                case_err("--json is given twice; give it once");
            else
                args_why(&a, k);
            return case_usage(QUARANTINE_USAGE);
        }
    }
    if (case_setup(e) != 0 ||
        store_quarantine_each(e->store, quarantine_row, &json) != 0)
        return CASE_FAIL;
    return CASE_OK;
}

