/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * store_team: case events in the case store (team.h; table events,
 * migration 7; see store_int.h). Every change of a case that has a uid
 * writes an event here (team_emit, called from the one place each change
 * is written: store_cases.c, store_messages.c), queued for push; import
 * adds the events of the other members (store_team_add) and recomputes
 * the case from all its events (store_team_apply).
 */
#include "store_int.h"
#include "team.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void
store_team_author(struct store *s, const uint8_t pk[32])
{
    memcpy(s->author, pk, 32);
    s->has_author = 1;
}

int
store_case_uid(struct store *s, int64_t id, char uid[33])
{
    sqlite3_stmt *st = store_prep(s, ST_CASE_UID);
    int rc = 1;

    uid[0] = 0;
    if (st == NULL)
        return -1;
    sqlite3_bind_int64(st, 1, id);
    if (sqlite3_step(st) == SQLITE_ROW &&
        sqlite3_column_bytes(st, 0) == 32) {
        memcpy(uid, sqlite3_column_text(st, 0), 32);
        uid[32] = 0;
        rc = 0;
    }
    store_done(s, st);
    return rc;
}

int
store_case_set_uid(struct store *s, int64_t id, const char *uid)
{
    return store_write(s, ST_CASE_SET_UID, "it", id, uid);
}

/* A counter in meta (0 if absent) into *v. 0 or -1. */
static int
meta_counter(struct store *s, const char *k, uint64_t *v)
{
    char buf[32];
    int r = store_meta_get(s, k, buf, sizeof buf);

    *v = 0;
    if (r == 1)
        return 0;
    if (r != 0 || umbra_parse_u64(v, buf, 0, TEAM_COUNTER_MAX) != 0)
        return store_fail(s, "case store: meta '%s' is damaged", k);
    return 0;
}

static int
meta_counter_set(struct store *s, const char *k, uint64_t v)
{
    char buf[32];

    snprintf(buf, sizeof buf, "%llu", (unsigned long long)v);
    return store_meta_set(s, k, buf);
}

static void
event_digest(uint8_t out[32], const uint8_t author[32], const char *text)
{
    crypto_generichash_state st;

    crypto_generichash_init(&st, NULL, 0, 32);
    crypto_generichash_update(&st, author, 32);
    crypto_generichash_update(&st, (const uint8_t *)text, strlen(text));
    crypto_generichash_final(&st, out, 32);
}

/* Inserts e (parsed) with outgoing; 1 if it was there. 0, 1 or -1. */
static int
event_insert(struct store *s, const struct team_event *e, int outgoing)
{
    uint8_t d[32];

    event_digest(d, e->author, e->text);
    if (store_write(s, ST_EVENT_ADD, "bttbiittti" "b", d, (size_t)32, e->id,
                    e->case_uid, e->author, (size_t)32, (int64_t)e->seq,
                    (int64_t)e->clock, e->day, e->type, e->text,
                    (int64_t)outgoing, e->has_sig ? e->sig : NULL,
                    (size_t)(e->has_sig ? 64 : 0)) != 0)
        return -1;
    return sqlite3_changes(s->db) == 0 ? 1 : 0;
}

int
team_emit(struct store *s, const char *case_uid, const char *type,
          json_t *body)
{
    struct team_event e;
    uint64_t clock, seq;
    char org[UMBRA_SLUG_MAX + 1], id[33], day[11], *text = NULL;
    int rc = -1;

    if (body == NULL)
        return store_fail(s, "case store: out of memory");
    if (!s->has_author || s->team_quiet) {
        json_decref(body);
        return 0;
    }
    if (store_meta_get(s, "org", org, sizeof org) != 0 ||
        meta_counter(s, "team_clock", &clock) != 0 ||
        meta_counter(s, "team_seq", &seq) != 0)
        goto out;
    team_new_id(id);
    umbra_today(day);
    if (team_event_text(&text, org, id, seq + 1, clock + 1, day, case_uid,
                        type, body) != 0) {
        store_fail(s, "case store: cannot write a case event of type '%s'",
                   type);
        goto out;
    }
    if (team_event_parse(&e, text, strlen(text), s->author) != 0) {
        store_fail(s, "case store: a case event does not parse back");
        goto out;
    }
    rc = event_insert(s, &e, 1);
    team_event_release(&e);
    if (rc < 0 || meta_counter_set(s, "team_clock", clock + 1) != 0 ||
        meta_counter_set(s, "team_seq", seq + 1) != 0)
        rc = -1;
    else
        rc = 0;
out:
    free(text);
    json_decref(body);
    return rc;
}

int
store_team_emit_case(struct store *s, int64_t id, const char *type,
                     json_t *body)
{
    char uid[33];
    int r;

    if (!s->has_author || s->team_quiet) {
        json_decref(body);
        return 0;
    }
    r = store_case_uid(s, id, uid);
    if (r != 0) { /* no uid: a case from before events, or synthetic */
        json_decref(body);
        return r < 0 ? -1 : 0;
    }
    return team_emit(s, uid, type, body);
}

int
store_team_add(struct store *s, const struct team_event *e)
{
    sqlite3_stmt *st;
    uint64_t clock;
    int r;

    if (e->case_uid[0]) {
        st = store_prep(s, ST_EVENT_DELETED);
        if (st == NULL)
            return -1;
        sqlite3_bind_text(st, 1, e->case_uid, -1, SQLITE_STATIC);
        r = sqlite3_step(st);
        store_done(s, st);
        if (r == SQLITE_ROW && strcmp(e->type, "delete") != 0)
            return 1; /* a deleted case: the delete wins anyway */
    }
    r = event_insert(s, e, 0);
    if (r != 0)
        return r;
    /* Lamport: what this home writes next comes after what it has seen */
    if (meta_counter(s, "team_clock", &clock) != 0 ||
        (e->clock > clock && meta_counter_set(s, "team_clock", e->clock)))
        return -1;
    return 0;
}

/* The events of case uid, parsed, into *out (n of them). */
struct evlist {
    struct team_event *ev;
    size_t n, cap;
    int bad;
};

static int
ev_row(void *ctx, sqlite3_stmt *st)
{
    struct evlist *l = ctx;
    struct team_event *grown;

    if (sqlite3_column_bytes(st, 0) == 0)
        return 0; /* erased with its deleted case */
    if (sqlite3_column_bytes(st, 1) != 32) {
        l->bad = 1;
        return 0;
    }
    if (l->n == l->cap) {
        size_t cap = l->cap ? 2 * l->cap : 16;

        grown = realloc(l->ev, cap * sizeof *grown);
        if (grown == NULL)
            return -1;
        l->ev = grown;
        l->cap = cap;
    }
    if (team_event_parse(&l->ev[l->n], (const char *)sqlite3_column_text(st, 0),
                         (size_t)sqlite3_column_bytes(st, 0),
                         sqlite3_column_blob(st, 1)) != 0) {
        l->bad = 1;
        return 0;
    }
    l->n++;
    return 0;
}

static void
evlist_release(struct evlist *l)
{
    size_t i;

    for (i = 0; i < l->n; i++)
        team_event_release(&l->ev[i]);
    free(l->ev);
    memset(l, 0, sizeof *l);
}

static int
evlist_load(struct store *s, struct evlist *l, const char *uid)
{
    sqlite3_stmt *st = store_prep(s, ST_EVENTS_CASE);

    memset(l, 0, sizeof *l);
    if (st == NULL)
        return -1;
    sqlite3_bind_text(st, 1, uid, -1, SQLITE_TRANSIENT);
    if (store_each(s, st, "events", ev_row, l) != 0) {
        evlist_release(l);
        return -1;
    }
    return 0;
}

int
store_team_merged(struct store *s, const char *uid,
                  int (*cb)(void *ctx, const struct team_state *st),
                  void *ctx)
{
    struct evlist l;
    struct team_state st;
    int rc;

    if (evlist_load(s, &l, uid) != 0)
        return -1;
    if (team_merge(&st, l.ev, l.n) != 0) {
        evlist_release(&l);
        return store_fail(s, "case store: out of memory");
    }
    rc = cb(ctx, &st);
    team_state_release(&st);
    evlist_release(&l);
    return rc;
}

/* Writes the merged state onto case id's row and labels. */
static int
apply_state(struct store *s, int64_t id, const struct team_state *st)
{
    size_t i;
    int r;

    if (st->deleted) {
        s->team_quiet = 1;
        r = store_delete_case(s, id);
        s->team_quiet = 0;
        return r < 0 ? -1 : 0;
    }
    if ((st->status.value &&
         store_write(s, ST_SET_STATUS, "it", id, st->status.value)) ||
        (st->priority.value &&
         store_write(s, ST_SET_PRIORITY, "it", id, st->priority.value)) ||
        (st->assignee.value &&
         store_write(s, ST_SET_ASSIGNEE, "it", id, st->assignee.value)))
        return -1;
    for (i = 0; i < st->nlabels; i++)
        if (store_write(s, st->labels[i].on ? ST_LABEL_ADD : ST_LABEL_REMOVE,
                        "it", id, st->labels[i].label) != 0)
            return -1;
    return 0;
}

struct apply_ctx {
    struct store *s;
    int64_t id;
};

static int
apply_cb(void *ctx, const struct team_state *st)
{
    const struct apply_ctx *a = ctx;

    return apply_state(a->s, a->id, st);
}

int
store_team_case_id(struct store *s, const char *uid, int64_t *id)
{
    sqlite3_stmt *st = store_prep(s, ST_CASE_BY_UID);
    int r;

    if (st == NULL)
        return -1;
    sqlite3_bind_text(st, 1, uid, -1, SQLITE_TRANSIENT);
    r = sqlite3_step(st);
    if (r == SQLITE_ROW)
        *id = sqlite3_column_int64(st, 0);
    store_done(s, st);
    if (r != SQLITE_ROW)
        return r == SQLITE_DONE ? 1 : store_db_err(s, "case by uid");
    return 0;
}

int
store_team_apply(struct store *s, const char *uid)
{
    struct apply_ctx a = {.s = s, .id = 0};
    int r = store_team_case_id(s, uid, &a.id);

    if (r != 0)
        return r;
    return store_team_merged(s, uid, apply_cb, &a);
}

int
store_team_erase(struct store *s, const char *uid)
{
    return store_write(s, ST_EVENTS_ERASE, "t", uid);
}

struct out_ctx {
    int (*cb)(void *ctx, const uint8_t digest[32], const char *text);
    void *ctx;
};

static int
out_row(void *ctx, sqlite3_stmt *st)
{
    const struct out_ctx *o = ctx;

    if (sqlite3_column_bytes(st, 0) != 32)
        return 0;
    return o->cb(o->ctx, sqlite3_column_blob(st, 0),
                 (const char *)sqlite3_column_text(st, 1));
}

int
store_team_outgoing(struct store *s, int again,
                    int (*cb)(void *ctx, const uint8_t digest[32],
                              const char *text),
                    void *ctx)
{
    struct out_ctx o = {cb, ctx};
    sqlite3_stmt *st = store_prep(s, ST_EVENTS_OUT);

    if (st == NULL)
        return -1;
    sqlite3_bind_int(st, 1, again != 0);
    return store_each(s, st, "outgoing events", out_row, &o);
}

int
store_team_sent(struct store *s, const uint8_t digest[32], int outgoing)
{
    return store_write(s, ST_EVENT_OUTGOING, "bi", digest, (size_t)32,
                       (int64_t)outgoing);
}

struct gap_ctx {
    int (*cb)(void *ctx, const uint8_t author[32], long have, long last);
    void *ctx;
};

static int
gap_row(void *ctx, sqlite3_stmt *st)
{
    const struct gap_ctx *g = ctx;

    if (sqlite3_column_bytes(st, 0) != 32)
        return 0;
    return g->cb(g->ctx, sqlite3_column_blob(st, 0),
                 (long)sqlite3_column_int64(st, 1),
                 (long)sqlite3_column_int64(st, 2));
}

int
store_team_gaps(struct store *s,
                int (*cb)(void *ctx, const uint8_t author[32], long have,
                          long last),
                void *ctx)
{
    struct gap_ctx g = {cb, ctx};
    sqlite3_stmt *st = store_prep(s, ST_EVENT_GAPS);

    if (st == NULL)
        return -1;
    return store_each(s, st, "event gaps", gap_row, &g);
}

int
store_team_set_sig(struct store *s, const uint8_t digest[32],
                   const uint8_t sig[64])
{
    return store_write(s, ST_EVENT_SET_SIG, "bb", digest, (size_t)32, sig,
                       (size_t)64);
}

struct signed_ctx {
    int (*cb)(void *ctx, const uint8_t author[32], const char *text,
              const uint8_t sig[64]);
    void *ctx;
};

static int
signed_row(void *ctx, sqlite3_stmt *st)
{
    const struct signed_ctx *c = ctx;

    if (sqlite3_column_bytes(st, 0) != 32 || sqlite3_column_bytes(st, 2) != 64)
        return 0;
    return c->cb(c->ctx, sqlite3_column_blob(st, 0),
                 (const char *)sqlite3_column_text(st, 1),
                 sqlite3_column_blob(st, 2));
}

int
store_team_signed(struct store *s, const char *uid,
                  int (*cb)(void *ctx, const uint8_t author[32],
                            const char *text, const uint8_t sig[64]),
                  void *ctx)
{
    struct signed_ctx c = {cb, ctx};
    sqlite3_stmt *st = store_prep(s, ST_EVENTS_SIGNED);

    if (st == NULL)
        return -1;
    sqlite3_bind_text(st, 1, uid, -1, SQLITE_TRANSIENT);
    return store_each(s, st, "signed events", signed_row, &c);
}

struct uid_ctx {
    int (*cb)(void *ctx, const char *uid);
    void *ctx;
};

static int
uid_row(void *ctx, sqlite3_stmt *st)
{
    const struct uid_ctx *c = ctx;

    return c->cb(c->ctx, store_col_text(st, 0));
}

int
store_team_open_cases(struct store *s, int (*cb)(void *ctx, const char *uid),
                      void *ctx)
{
    struct uid_ctx c = {cb, ctx};

    return store_each(s, store_prep(s, ST_SHARE_CASES), "open cases", uid_row,
                      &c);
}
