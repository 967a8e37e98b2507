/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * team_merge: the state of a case from its events (team.h). A pure
 * function of the set of events: sorted by (clock, author, id), duplicates
 * dropped, then folded in that order, so the order of arrival never
 * matters.
 *
 * Case event types and their bodies:
 *   status, priority, assignee  {"value": string}   a register each
 *   label                       {"label": string, "on": bool}
 *   note, reply                 {"text": string}     appended
 *   read                        {}                   appended
 *   delete                      {}                   a tombstone that wins
 *   share                       {"member": name}     appended (team share)
 * Any other type is appended to the history and changes nothing else.
 */
#include "team.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

int
team_event_cmp(const struct team_event *a, const struct team_event *b)
{
    int c;

    if (a->clock != b->clock)
        return a->clock < b->clock ? -1 : 1;
    c = memcmp(a->author, b->author, 32);
    if (c != 0)
        return c < 0 ? -1 : 1;
    c = strcmp(a->id, b->id);
    if (c != 0 || a->text == NULL || b->text == NULL)
        return c;
    /* one id, two texts (an author reusing an id): both kept, in an order
     * every member computes alike */
    return strcmp(a->text, b->text);
}

static int
cmp_ptr(const void *x, const void *y)
{
    return team_event_cmp(*(const struct team_event *const *)x,
                          *(const struct team_event *const *)y);
}

static void
key_copy(uint64_t *clock, uint8_t author[32], char id[33],
         const struct team_event *e)
{
    *clock = e->clock;
    memcpy(author, e->author, 32);
    memcpy(id, e->id, 33);
}

static int
reg_set(struct team_reg *r, const struct team_event *e)
{
    const char *v = json_string_value(json_object_get(e->body, "value"));
    char *dup;

    if (v == NULL)
        return 0; /* a malformed body changes nothing */
    dup = strdup(v);
    if (dup == NULL)
        return -1;
    free(r->value);
    r->value = dup;
    key_copy(&r->clock, r->author, r->id, e);
    return 0;
}

static int
label_set(struct team_state *st, const struct team_event *e)
{
    const char *l = json_string_value(json_object_get(e->body, "label"));
    const json_t *on = json_object_get(e->body, "on");
    struct team_label *grown;
    size_t i;

    if (l == NULL || !json_is_boolean(on))
        return 0;
    for (i = 0; i < st->nlabels; i++)
        if (strcmp(st->labels[i].label, l) == 0)
            break;
    if (i == st->nlabels) {
        grown = realloc(st->labels, (st->nlabels + 1) * sizeof *grown);
        if (grown == NULL)
            return -1;
        st->labels = grown;
        /* keep them sorted by label: find the place, shift up */
        for (i = 0; i < st->nlabels && strcmp(st->labels[i].label, l) < 0;
             i++)
            ;
        memmove(&st->labels[i + 1], &st->labels[i],
                (st->nlabels - i) * sizeof *grown);
        memset(&st->labels[i], 0, sizeof *grown);
        st->labels[i].label = strdup(l);
        st->nlabels++;
        if (st->labels[i].label == NULL)
            return -1;
    }
    st->labels[i].on = json_is_true(on);
    key_copy(&st->labels[i].clock, st->labels[i].author, st->labels[i].id, e);
    return 0;
}

static int
apply(struct team_state *st, const struct team_event *e)
{
    if (st->deleted)
        return 0; /* the tombstone wins: nothing after it changes the case */
    if (strcmp(e->type, "status") == 0)
        return reg_set(&st->status, e);
    if (strcmp(e->type, "priority") == 0)
        return reg_set(&st->priority, e);
    if (strcmp(e->type, "assignee") == 0)
        return reg_set(&st->assignee, e);
    if (strcmp(e->type, "label") == 0)
        return label_set(st, e);
    if (strcmp(e->type, "delete") == 0)
        st->deleted = 1;
    return 0;
}

int
team_merge(struct team_state *st, const struct team_event *events, size_t n)
{
    const struct team_event **order = NULL;
    size_t i, k = 0;

    memset(st, 0, sizeof *st);
    if (n == 0)
        return 0;
    order = malloc(n * sizeof *order);
    if (order == NULL)
        return -1;
    for (i = 0; i < n; i++)
        order[i] = &events[i];
    qsort(order, n, sizeof *order, cmp_ptr);
    /* the same event twice (a replay, a log served twice): sorted next to
     * each other; kept once */
    for (i = 0; i < n; i++)
        if (k == 0 || team_event_cmp(order[k - 1], order[i]) != 0)
            order[k++] = order[i];
    st->log = order;
    st->nlog = k;
    /* A delete wins whatever its place: the history keeps what came
     * before it; registers stop at it (apply) */
    for (i = 0; i < k; i++)
        if (apply(st, order[i]) != 0) {
            team_state_release(st);
            return -1;
        }
    return 0;
}

void
team_state_release(struct team_state *st)
{
    size_t i;

    free(st->status.value);
    free(st->priority.value);
    free(st->assignee.value);
    for (i = 0; i < st->nlabels; i++)
        free(st->labels[i].label);
    free(st->labels);
    free((void *)st->log);
    memset(st, 0, sizeof *st);
}

static json_t *
reg_json(const struct team_reg *r)
{
    return r->value ? json_string(r->value) : json_null();
}

char *
team_state_json(const struct team_state *st)
{
    json_t *o = json_object(), *labels = json_array(), *hist = json_array();
    char a64[64], *out = NULL;
    size_t i;

    if (o == NULL || labels == NULL || hist == NULL)
        goto out;
    for (i = 0; i < st->nlabels; i++)
        if (st->labels[i].on &&
            json_array_append_new(labels, json_string(st->labels[i].label)))
            goto out;
    for (i = 0; i < st->nlog; i++) {
        const struct team_event *e = st->log[i];

        sodium_bin2base64(a64, sizeof a64, e->author, 32,
                          sodium_base64_VARIANT_ORIGINAL);
        if (json_array_append_new(
                hist, json_pack("{s:s, s:I, s:s, s:s, s:s, s:O}", "id", e->id,
                                "clock", (json_int_t)e->clock, "day", e->day,
                                "author", a64, "type", e->type, "body",
                                e->body)) != 0)
            goto out;
    }
    if (json_object_set_new(o, "status", reg_json(&st->status)) ||
        json_object_set_new(o, "priority", reg_json(&st->priority)) ||
        json_object_set_new(o, "assignee", reg_json(&st->assignee)) ||
        json_object_set(o, "labels", labels) ||
        json_object_set_new(o, "deleted", json_boolean(st->deleted)) ||
        json_object_set(o, "history", hist))
        goto out;
    out = json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS);
out:
    json_decref(labels);
    json_decref(hist);
    json_decref(o);
    return out;
}

void
team_event_what(char *out, size_t cap, const struct team_event *e)
{
    const char *v = json_string_value(json_object_get(e->body, "value"));
    const char *l = json_string_value(json_object_get(e->body, "label"));
    const char *t = json_string_value(json_object_get(e->body, "text"));
    const char *m = json_string_value(json_object_get(e->body, "member"));

    if (v && (strcmp(e->type, "status") == 0 ||
              strcmp(e->type, "priority") == 0 ||
              strcmp(e->type, "assignee") == 0))
        snprintf(out, cap, "set %s to %s", e->type, v);
    else if (l && strcmp(e->type, "label") == 0)
        snprintf(out, cap, "%s label %s",
                 json_is_true(json_object_get(e->body, "on")) ? "added"
                                                               : "removed",
                 l);
    else if (t && strcmp(e->type, "note") == 0)
        snprintf(out, cap, "noted: %s", t);
    else if (t && strcmp(e->type, "reply") == 0)
        snprintf(out, cap, "replied: %s", t);
    else if (strcmp(e->type, "read") == 0)
        snprintf(out, cap, "read the follow-ups");
    else if (strcmp(e->type, "delete") == 0)
        snprintf(out, cap, "deleted the case");
    else if (m && strcmp(e->type, "share") == 0)
        snprintf(out, cap, "shared the case with %s", m);
    else
        snprintf(out, cap, "%s", e->type);
}
