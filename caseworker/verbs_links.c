/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * verbs_links: links — the perpetrators' identifiers (phone numbers,
 * plates, online handles, places) found in several cases of this store,
 * normalised (protocol section 6.2), and the look-alikes kept apart.
 * Everything comes from the case store (store_idents.h); nothing is sent
 * anywhere. Values are printed through case_print_safe.
 */
#include "args.h"
#include "case.h"
#include "case_row.h"
#include "links.h"
#include "store_idents.h"

#include <jansson.h>
#include <stdio.h>
#include <string.h>

static const char LINKS_USAGE[] =
    "usage: umbra-case [--home DIR] links [--min N] [--json] [--rebuild]\n"
    "\n"
    "The perpetrators' identifiers (phone numbers, plates, online handles,\n"
    "places) found in at least N cases (default 2), most cases first, with\n"
    "their cases; then the look-alikes: values that differ only in letters\n"
    "that look alike (a Cyrillic A for a Latin A), which are never merged.\n"
    "A link is a lead to check, not proof that it is the same person.\n"
    "--rebuild reads every case's report again first (after an upgrade\n"
    "that changed the normalisation).\n";

static const struct option LINKS_OPTS[] = {
    ARGS_VALUE("min", 'm'),
    ARGS_FLAG("json", 'j'),
    ARGS_FLAG("rebuild", 'r'),
    ARGS_LAST,
};

struct links_ctx {
    int json;
    long n;
    json_t *links, *alikes, *group;
    char kind[16], skeleton[640];
};

static int
print_link(void *ctx, const struct store_link *l)
{
    struct links_ctx *c = ctx;
    char note[200], cases[400];

    c->n++;
    if (c->json) {
        json_t *j = json_pack("{s:s,s:s,s:o,s:o}", "kind", l->kind, "value",
                              l->value, "flags", links_flags_json(l->flags),
                              "cases", links_cases_json(l->cases));

        return j == NULL || json_array_append_new(c->links, j) != 0 ? -1 : 0;
    }
    links_flags_note(note, sizeof note, l->flags);
    links_cases_phrase(cases, sizeof cases, l->cases);
    printf("  %-14s ", links_kind_noun(l->kind));
    case_print_safe(stdout, l->value, strlen(l->value), 0);
    printf("%s\n      in %s\n", note, cases);
    return 0;
}

static int
print_alike(void *ctx, const char *kind, const char *skeleton,
            const struct store_link *l)
{
    struct links_ctx *c = ctx;
    char note[200], cases[400];
    int first = strcmp(c->kind, kind) != 0 || strcmp(c->skeleton, skeleton);

    snprintf(c->kind, sizeof c->kind, "%s", kind);
    snprintf(c->skeleton, sizeof c->skeleton, "%s", skeleton);
    if (c->json) {
        json_t *v = json_pack("{s:s,s:o,s:o}", "value", l->value, "flags",
                              links_flags_json(l->flags), "cases",
                              links_cases_json(l->cases));

        if (first) {
            c->group = json_pack("{s:s,s:s,s:[]}", "kind", kind, "skeleton",
                                 skeleton, "values");
            if (c->group == NULL ||
                json_array_append_new(c->alikes, c->group) != 0) {
                json_decref(v);
                return -1;
            }
        }
        return v == NULL || json_array_append_new(
                                json_object_get(c->group, "values"), v) != 0
                   ? -1
                   : 0;
    }
    if (c->n++ == 0)
        printf("\nLook-alikes, kept apart (they differ in letters that look "
               "the same; check by eye):\n");
    if (first) {
        printf("  %-14s like ", links_kind_noun(kind));
        case_print_safe(stdout, skeleton, strlen(skeleton), 0);
        fputc('\n', stdout);
    }
    links_flags_note(note, sizeof note, l->flags);
    links_cases_phrase(cases, sizeof cases, l->cases);
    fputs("      ", stdout);
    case_print_safe(stdout, l->value, strlen(l->value), 0);
    printf("%s in %s\n", note, cases);
    return 0;
}

int
verb_links(struct case_env *e, int argc, char **argv)
{
    struct links_ctx c;
    struct args a;
    int64_t min = 2;
    int k, rebuild = 0, rc = CASE_FAIL;
    long n = 0;

    memset(&c, 0, sizeof c);
    if (case_help(LINKS_USAGE, argc, argv))
        return CASE_OK;
    args_init(&a, argc, argv, LINKS_OPTS);
    while ((k = args_next(&a)) != ARGS_END) {
        if (k == 'j')
            c.json = 1;
        else if (k == 'r')
            rebuild = 1;
        else if (k == 'm' && args_id(a.val, &min) == 0 && min <= 1000000)
            continue;
        else if (k == 'm') {
            case_err("--min needs a number of cases (1 or more), not '%s'",
                     a.val);
            return case_usage(LINKS_USAGE);
        } else {
            args_why(&a, k);
            return case_usage(LINKS_USAGE);
        }
    }
    if (case_setup(e) != 0)
        return CASE_FAIL;
    if (rebuild) {
        if (store_idents_rebuild(e->store, &n) != 0)
            return CASE_FAIL;
        fprintf(stderr,
                "umbra-case: read every case again: %ld "
                "identifiers\n",
                n);
    }
    if (c.json) {
        c.links = json_array();
        c.alikes = json_array();
        if (c.links == NULL || c.alikes == NULL)
            goto out;
    } else {
        printf("Identifiers found in at least %lld case%s (a link is a "
               "lead to check, not proof that it is the same person):\n",
               (long long)min, min == 1 ? "" : "s");
    }
    if (store_links_each(e->store, (long)min, print_link, &c) != 0)
        goto out;
    if (!c.json && c.n == 0)
        printf("  none\n");
    c.n = 0;
    if (store_alikes_each(e->store, print_alike, &c) != 0)
        goto out;
    if (c.json) {
        json_t *o = json_pack("{s:I,s:O,s:O}", "min", (json_int_t)min, "links",
                              c.links, "look_alikes", c.alikes);

        if (o == NULL || case_json_print(o, JSON_INDENT(2)) != 0)
            goto out;
    }
    rc = CASE_OK;
out:
    json_decref(c.links);
    json_decref(c.alikes);
    return rc;
}
