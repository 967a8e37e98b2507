/* SPDX-License-Identifier: AGPL-3.0-or-later */
/* outbox: the outbox file's format, written and read (outbox.h). */
#include "outbox.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <sodium.h>

void
outbox_init(struct outbox *o)
{
    memset(o, 0, sizeof *o);
}

void
outbox_free(struct outbox *o)
{
    size_t i;

    for (i = 0; i < o->n_replies; i++)
        free(o->replies[i].env);
    free(o->replies);
    free(o->acks);
    for (i = 0; i < o->n_events; i++)
        free(o->events[i].env);
    free(o->events);
    outbox_init(o);
}

static int
valid_mailbox(const char *m)
{
    size_t i;

    for (i = 0; m[i]; i++)
        if (!((m[i] >= '0' && m[i] <= '9') || (m[i] >= 'a' && m[i] <= 'f')))
            return 0;
    return i == 64;
}

int
outbox_add_reply(struct outbox *o, const char *mailbox, const uint8_t *env,
                 size_t len, char *why, size_t cap)
{
    struct outbox_reply *r;
    unsigned k = 0;

    if (o->n_replies >= OUTBOX_REPLIES_MAX) {
        snprintf(why, cap, "more than %u replies", OUTBOX_REPLIES_MAX);
        return -1;
    }
    if (!valid_mailbox(mailbox)) {
        snprintf(why, cap, "reply %zu: the mailbox is not 64 hex digits",
                 o->n_replies + 1);
        return -1;
    }
    if (len == 0 || len > OUTBOX_ENVELOPE_MAX ||
        umbra_envelope_check(&k, NULL, env, len) != 0 || k != 1) {
        snprintf(why, cap,
                 "reply %zu: not a one-stanza envelope of at most %u bytes",
                 o->n_replies + 1, OUTBOX_ENVELOPE_MAX);
        return -1;
    }
    if (o->n_replies == o->cap_replies) {
        size_t nc = o->cap_replies ? o->cap_replies * 2 : 16;
        void *nv = realloc(o->replies, nc * sizeof *o->replies);

        if (nv == NULL)
            goto nomem;
        o->replies = nv;
        o->cap_replies = nc;
    }
    r = &o->replies[o->n_replies];
    r->env = malloc(len);
    if (r->env == NULL)
        goto nomem;
    memcpy(r->env, env, len);
    r->len = len;
    memcpy(r->mailbox, mailbox, 65);
    o->n_replies++;
    return 0;
nomem:
    snprintf(why, cap, "out of memory");
    return -1;
}

int
outbox_add_ack(struct outbox *o, const char *id, char *why, size_t cap)
{
    if (o->n_acks >= OUTBOX_ACKS_MAX) {
        snprintf(why, cap, "more than %u acknowledgements", OUTBOX_ACKS_MAX);
        return -1;
    }
    if (!bfile_valid_id(id, NULL)) {
        snprintf(why, cap, "acknowledgement %zu: not a server id",
                 o->n_acks + 1);
        return -1;
    }
    if (o->n_acks == o->cap_acks) {
        size_t nc = o->cap_acks ? o->cap_acks * 2 : 256;
        void *nv = realloc(o->acks, nc * sizeof *o->acks);

        if (nv == NULL) {
            snprintf(why, cap, "out of memory");
            return -1;
        }
        o->acks = nv;
        o->cap_acks = nc;
    }
    snprintf(o->acks[o->n_acks++], BFILE_ID_MAX + 1, "%s", id);
    return 0;
}

int
outbox_add_event(struct outbox *o, const uint8_t *env, size_t len, char *why,
                 size_t cap)
{
    unsigned k = 0;
    void *nv;

    if (o->n_events >= OUTBOX_EVENTS_MAX) {
        snprintf(why, cap, "more than %u case events", OUTBOX_EVENTS_MAX);
        return -1;
    }
    if (len == 0 || len > OUTBOX_ENVELOPE_MAX ||
        umbra_envelope_check(&k, NULL, env, len) != 0) {
        snprintf(why, cap,
                 "case event %zu: not an envelope of at most %u bytes",
                 o->n_events + 1, OUTBOX_ENVELOPE_MAX);
        return -1;
    }
    if (o->n_events == o->cap_events) {
        size_t nc = o->cap_events ? o->cap_events * 2 : 16;

        nv = realloc(o->events, nc * sizeof *o->events);
        if (nv == NULL)
            goto nomem;
        o->events = nv;
        o->cap_events = nc;
    }
    o->events[o->n_events].env = malloc(len);
    if (o->events[o->n_events].env == NULL)
        goto nomem;
    memcpy(o->events[o->n_events].env, env, len);
    o->events[o->n_events++].len = len;
    return 0;
nomem:
    snprintf(why, cap, "out of memory");
    return -1;
}

/* base64 of len bytes (malloc'd) or NULL. */
static char *
b64_of(const uint8_t *b, size_t len)
{
    size_t bl = sodium_base64_encoded_len(len, sodium_base64_VARIANT_ORIGINAL);
    char *s = malloc(bl);

    if (s != NULL)
        sodium_bin2base64(s, bl, b, len, sodium_base64_VARIANT_ORIGINAL);
    return s;
}

char *
outbox_dump(const struct outbox *o, const char *day)
{
    json_t *root, *reps = json_array(), *acks = json_array();
    char *text = NULL, *b64;
    size_t i, bl;
    int bad = reps == NULL || acks == NULL;

    for (i = 0; !bad && i < o->n_replies; i++) {
        bl = sodium_base64_encoded_len(o->replies[i].len,
                                       sodium_base64_VARIANT_ORIGINAL);
        b64 = malloc(bl);
        if (b64 == NULL) {
            bad = 1;
            break;
        }
        sodium_bin2base64(b64, bl, o->replies[i].env, o->replies[i].len,
                          sodium_base64_VARIANT_ORIGINAL);
        bad = json_array_append_new(reps, json_pack("{s:s,s:s}", "mailbox",
                                                    o->replies[i].mailbox,
                                                    "envelope", b64)) != 0;
        free(b64);
    }
    for (i = 0; !bad && i < o->n_acks; i++)
        bad = json_array_append_new(acks, json_string(o->acks[i])) != 0;
    if (bad) {
        json_decref(reps);
        json_decref(acks);
        return NULL;
    }
    root = json_pack("{s:s,s:s,s:s,s:o,s:o}", "format", OUTBOX_FORMAT, "org",
                     o->org, "made", day, "replies", reps, "acks", acks);
    /* "events" only when there are some: a file without is as before */
    if (root != NULL && o->n_events > 0) {
        json_t *evs = json_array();

        json_object_set_new(root, "events", evs);
        for (i = 0; evs != NULL && i < o->n_events; i++) {
            b64 = b64_of(o->events[i].env, o->events[i].len);
            if (b64 == NULL ||
                json_array_append_new(evs, json_string(b64)) != 0) {
                free(b64);
                json_decref(root);
                return NULL;
            }
            free(b64);
        }
    }
    if (root != NULL)
        text = json_dumps(root, JSON_PRESERVE_ORDER | JSON_INDENT(1));
    json_decref(root);
    return text;
}

/* The top level: format, org and made checked; *reps and *acks set. */
static int
parse_head(struct outbox *o, json_t *root, json_t **reps, json_t **acks,
           char *why, size_t cap)
{
    const char *f = json_string_value(json_object_get(root, "format"));
    const char *org = json_string_value(json_object_get(root, "org"));
    const char *made = json_string_value(json_object_get(root, "made"));
    const char *key;
    json_t *v;

    if (f == NULL || strncmp(f, "umbra.outbox/", 13) != 0) {
        snprintf(why, cap, "no \"format\": \"umbra.outbox/N\"");
        return OUTBOX_NOT;
    }
    if (strcmp(f, OUTBOX_FORMAT) != 0) {
        snprintf(why, cap, "%.40s", f);
        return OUTBOX_VERSION;
    }
    json_object_foreach(root, key, v)
    {
        if (strcmp(key, "format") && strcmp(key, "org") &&
            strcmp(key, "made") && strcmp(key, "replies") &&
            strcmp(key, "acks") && strcmp(key, "events")) {
            snprintf(why, cap, "unknown member \"%.32s\"", key);
            return OUTBOX_BAD;
        }
    }
    if (org == NULL || !umbra_slug_valid(org, strlen(org))) {
        snprintf(why, cap, "\"org\" is not an organisation slug");
        return OUTBOX_BAD;
    }
    if (made == NULL || !umbra_date_valid(made, strlen(made))) {
        snprintf(why, cap, "\"made\" is not a date YYYY-MM-DD");
        return OUTBOX_BAD;
    }
    *reps = json_object_get(root, "replies");
    *acks = json_object_get(root, "acks");
    if (!json_is_array(*reps) || !json_is_array(*acks)) {
        snprintf(why, cap, "\"replies\" and \"acks\" must be lists");
        return OUTBOX_BAD;
    }
    v = json_object_get(root, "events");
    if (v != NULL && (!json_is_array(v) || json_array_size(v) == 0 ||
                      json_array_size(v) > OUTBOX_EVENTS_MAX)) {
        snprintf(why, cap, "\"events\" must be a list of 1 to %u",
                 OUTBOX_EVENTS_MAX);
        return OUTBOX_BAD;
    }
    if (json_array_size(*reps) > OUTBOX_REPLIES_MAX ||
        json_array_size(*acks) > OUTBOX_ACKS_MAX) {
        snprintf(why, cap, "more than %u replies or %u acknowledgements",
                 OUTBOX_REPLIES_MAX, OUTBOX_ACKS_MAX);
        return OUTBOX_BAD;
    }
    snprintf(o->org, sizeof o->org, "%s", org);
    return OUTBOX_OK;
}

/* One reply of the list: {"mailbox", "envelope"} and nothing else. */
static int
parse_reply(struct outbox *o, json_t *e, char *why, size_t cap)
{
    const char *m = json_string_value(json_object_get(e, "mailbox"));
    const char *b = json_string_value(json_object_get(e, "envelope"));
    size_t bl, len = 0;
    uint8_t *env;
    int r;

    if (m == NULL || b == NULL || json_object_size(e) != 2) {
        snprintf(why, cap, "reply %zu: not {\"mailbox\", \"envelope\"}",
                 o->n_replies + 1);
        return -1;
    }
    bl = strlen(b);
    if (bl > (OUTBOX_ENVELOPE_MAX + 2) / 3 * 4) {
        snprintf(why, cap, "reply %zu: envelope over %u bytes",
                 o->n_replies + 1, OUTBOX_ENVELOPE_MAX);
        return -1;
    }
    env = malloc(bl / 4 * 3 + 3);
    if (env == NULL) {
        snprintf(why, cap, "out of memory");
        return -1;
    }
    if (sodium_base642bin(env, bl / 4 * 3 + 3, b, bl, NULL, &len, NULL,
                          sodium_base64_VARIANT_ORIGINAL) != 0) {
        snprintf(why, cap, "reply %zu: the envelope is not base64",
                 o->n_replies + 1);
        free(env);
        return -1;
    }
    r = outbox_add_reply(o, m, env, len, why, cap);
    free(env);
    return r;
}

/* One case event of the list: the base64 of an envelope. */
static int
parse_event(struct outbox *o, json_t *e, char *why, size_t cap)
{
    const char *b = json_string_value(e);
    size_t bl, len = 0;
    uint8_t *env;
    int r;

    if (b == NULL || (bl = strlen(b)) > (OUTBOX_ENVELOPE_MAX + 2) / 3 * 4) {
        snprintf(why, cap, "case event %zu: not the base64 of an envelope "
                           "of at most %u bytes",
                 o->n_events + 1, OUTBOX_ENVELOPE_MAX);
        return -1;
    }
    env = malloc(bl / 4 * 3 + 3);
    if (env == NULL) {
        snprintf(why, cap, "out of memory");
        return -1;
    }
    if (sodium_base642bin(env, bl / 4 * 3 + 3, b, bl, NULL, &len, NULL,
                          sodium_base64_VARIANT_ORIGINAL) != 0) {
        snprintf(why, cap, "case event %zu: not base64", o->n_events + 1);
        free(env);
        return -1;
    }
    r = outbox_add_event(o, env, len, why, cap);
    free(env);
    return r;
}

int
outbox_parse(struct outbox *o, const uint8_t *buf, size_t len, char *why,
             size_t cap)
{
    json_t *root, *reps = NULL, *acks = NULL;
    json_error_t jerr;
    size_t i;
    int rc;

    if (len > OUTBOX_FILE_MAX) {
        snprintf(why, cap, "over %u bytes", OUTBOX_FILE_MAX);
        return OUTBOX_BAD;
    }
    root = json_loadb((const char *)buf, len, JSON_REJECT_DUPLICATES, &jerr);
    if (root == NULL) {
        /* A writer puts the format first: a file that starts like one
         * was cut short or damaged; anything else is not an outbox. */
        const char *head = "{\n \"format\": \"umbra.outbox/";

        if (len >= strlen(head) && memcmp(buf, head, strlen(head)) == 0) {
            snprintf(why, cap, "damaged or cut short after %zu bytes", len);
            return OUTBOX_CUT;
        }
        snprintf(why, cap, "not JSON");
        return OUTBOX_NOT;
    }
    if (!json_is_object(root)) {
        json_decref(root);
        snprintf(why, cap, "not a JSON object");
        return OUTBOX_NOT;
    }
    rc = parse_head(o, root, &reps, &acks, why, cap);
    for (i = 0; rc == OUTBOX_OK && i < json_array_size(reps); i++)
        if (parse_reply(o, json_array_get(reps, i), why, cap) != 0)
            rc = OUTBOX_BAD;
    for (i = 0; rc == OUTBOX_OK && i < json_array_size(acks); i++) {
        const char *id = json_string_value(json_array_get(acks, i));

        if (outbox_add_ack(o, id ? id : "", why, cap) != 0)
            rc = OUTBOX_BAD;
    }
    for (i = 0; rc == OUTBOX_OK && i < json_array_size(json_object_get(
                                           root, "events"));
         i++)
        if (parse_event(o, json_array_get(json_object_get(root, "events"), i),
                        why, cap) != 0)
            rc = OUTBOX_BAD;
    json_decref(root);
    return rc;
}
