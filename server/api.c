/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * api: the JSON routes (docs/api.md) of reporters: health, metrics,
 * organisations, report intake and mailboxes (caseworker sync is in
 * sync.c). Each route is one function;
 * the table in http.c says where it runs (WORK_DB routes run on the
 * database pool and may block on PostgreSQL).
 */
#include "metrics.h"
#include "orgs.h"
#include "phases.h"
#include "routes.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void
api_healthz(struct req *r)
{
    PGconn *c = db_get(srv.intake);
    if (!c) {
        reply_unavailable(r);
        return;
    }
    PGresult *res = db_exec(c, "ping", 0, NULL, NULL, NULL);
    int ok = db_ok(res);
    PQclear(res);
    db_put(srv.intake, c, !ok);
    if (ok)
        reply_json(r, 200, json_pack("{s:s}", "status", "ok"));
    else
        reply_unavailable(r);
}

void
api_metrics(struct req *r)
{
    char *p = NULL;
    size_t n = 0;
    if (metrics_render(&p, &n) < 0) {
        reply_error(r, 500, "internal", "out of memory");
        return;
    }
    reply_body(r, 200, "text/plain; version=0.0.4", p, n);
}

void
api_orgs(struct req *r)
{
    struct org_set *s = orgs_acquire();
    char *body = NULL;
    size_t n = 0;
    if (!orgs_loaded(s)) {
        orgs_release(s);
        reply_unavailable(r);
        return;
    }
    body = strdup(s->list_json);
    n = s->list_len;
    orgs_release(s);
    reply_body(r, 200, "application/json", body, n);
}

/* The organisation the path names (r->arg) in s, or NULL with r answered:
 * 503 while the set is not loaded, else 404 unknown_org. */
static const struct org *
path_org(struct req *r, const struct org_set *s)
{
    const struct org *o = orgs_find(s, r->arg);
    if (!o && !orgs_loaded(s))
        reply_unavailable(r);
    else if (!o)
        reply_error(r, 404, "unknown_org", "no organisation by that name");
    return o;
}

void
api_org(struct req *r)
{
    struct org_set *s = orgs_acquire();
    const struct org *o = path_org(r, s);
    if (o) {
        json_t *b = json_loads(o->bundle_json, 0, NULL);
        reply_json(r, 200, json_pack("{s:s,s:s,s:s,s:o*}", "slug", o->slug,
                                     "name", o->name, "fingerprint",
                                     o->fingerprint, "bundle", b));
    }
    orgs_release(s);
}

/* ---- intake ------------------------------------------------------------ */

/* Runs on the writer thread once the item is durable (ok = 1) or not:
 * answers and resumes. An envelope is "stored", a mailbox "created". */
static void
intake_done(void *ctx, int ok)
{
    struct req *r = ctx;
    if (ok)
        reply_json(r, 201, json_pack("{s:s}", "status",
                                     r->item.data ? "stored" : "created"));
    else
        reply_unavailable(r);
    req_resume(r);
}

/* 1 if len is the exact length of an envelope with n stanzas for some
 * valid padded size: the padded size is found the way the library's own
 * structural check finds it, then confirmed with umbra_pad_is_valid and
 * umbra_envelope_size, so the rule is the library's. */
static int
envelope_len_ok(unsigned n, uint64_t len)
{
    const uint64_t ss_head = crypto_secretstream_xchacha20poly1305_HEADERBYTES;
    const uint64_t ss_a = crypto_secretstream_xchacha20poly1305_ABYTES;
    const uint64_t head = 8u + (uint64_t)UMBRA_STANZA_BYTES * n + ss_head;
    const uint64_t prefix = 6u + (uint64_t)UMBRA_KEY_ID_BYTES * n;
    if (n < 1 || n > UMBRA_ENVELOPE_MAX_RECIPIENTS || len < head + ss_a + 1)
        return 0;
    uint64_t body = len - head;
    uint64_t chunks =
        (body - ss_a - 1) / (UMBRA_ENVELOPE_CHUNK_BYTES + ss_a) + 1;
    uint64_t isz = body - ss_a * chunks;
    if (isz < prefix || isz - prefix > UMBRA_ENVELOPE_MAX_PADDED)
        return 0;
    size_t p = (size_t)(isz - prefix);
    return umbra_pad_is_valid(p) && umbra_envelope_size(n, p) == len;
}

/* The number of stanzas an envelope to o can have: its current keys. */
static unsigned
max_stanzas(const struct org *o)
{
    unsigned k = o->bundle.nkeys;
    return k < UMBRA_ENVELOPE_MAX_RECIPIENTS ? k
                                             : UMBRA_ENVELOPE_MAX_RECIPIENTS;
}

int
api_report_begin(struct req *r, uint64_t len)
{
    struct org_set *s = orgs_acquire();
    const struct org *o = path_org(r, s);
    int rc = -1;
    if (!o)
        goto out;
    for (unsigned n = 1; n <= UMBRA_ENVELOPE_MAX_RECIPIENTS; n++) {
        if (!envelope_len_ok(n, len))
            continue;
        if (n <= max_stanzas(o)) {
            rc = 0;
            goto out;
        }
        /* an envelope, but to more keys than the organisation has */
        reply_error(r, 400, "unknown_key",
                    "the envelope is sealed to more keys than the "
                    "organisation has; fetch its current keys");
        goto out;
    }
    reply_error(r, 400, "bad_envelope",
                len ? "the Content-Length is not the length of an envelope"
                    : "the body is empty");
out:
    orgs_release(s);
    return rc;
}

int
api_report_feed(struct req *r)
{
    const uint8_t *e = r->body.data;
    size_t have = r->body.len;
    int rc = 0;
    if (r->env_stage == 0 && have >= 8) {
        unsigned n = e[5];
        if (memcmp(e, "UMBR", 4) != 0 || e[4] != 1 || e[6] != 0 ||
            e[7] != 0 || !envelope_len_ok(n, r->content_length)) {
            reply_error(r, 400, "bad_envelope",
                        "the envelope's header does not match its length");
            return -1;
        }
        r->env_stage = 1;
    }
    if (r->env_stage == 1 && have >= 8u + UMBRA_STANZA_BYTES * (size_t)e[5]) {
        uint8_t ids[UMBRA_ENVELOPE_MAX_RECIPIENTS * UMBRA_KEY_ID_BYTES];
        unsigned n = e[5];
        for (unsigned i = 0; i < n; i++) {
            memcpy(ids + 8u * i, e + 8u + UMBRA_STANZA_BYTES * i, 8);
            for (unsigned j = 0; j < i; j++)
                if (memcmp(ids + 8u * i, ids + 8u * j, 8) == 0) {
                    reply_error(r, 400, "bad_envelope",
                                "two stanzas have the same key id");
                    return -1;
                }
        }
        struct org_set *s = orgs_acquire();
        const struct org *o = orgs_find(s, r->arg);
        if (o && (n > max_stanzas(o) || !orgs_keys_ok(o, ids, n))) {
            reply_error(r, 400, "unknown_key",
                        "the envelope is sealed to a key that is not one of "
                        "the organisation's current keys");
            rc = -1;
        }
        orgs_release(s);
        r->env_stage = 2;
    }
    return rc;
}

void
api_report(struct req *r)
{
    uint8_t ids[UMBRA_ENVELOPE_MAX_RECIPIENTS * UMBRA_KEY_ID_BYTES];
    unsigned n = 0;
    struct org_set *s = orgs_acquire();
    const struct org *o = path_org(r, s);
    int org_id = o ? o->id : 0;
    int rc = -1;
    uint64_t t_in = phases_now();

    phases_add(PH_RECEIVE, r->t0);
    if (!o)
        goto out;
    rc = umbra_envelope_check(&n, ids, r->body.data, r->body.len);
    if (rc != 0) {
        reply_error(r, 400, "bad_envelope", umbra_strerror(rc));
        goto out;
    }
    if (!orgs_keys_ok(o, ids, n)) {
        reply_error(r, 400, "unknown_key",
                    "the envelope is sealed to a key that is not one of the "
                    "organisation's current keys");
        goto out;
    }
    if (!intake_quota_ok(org_id, o->max_reports, o->max_bytes,
                         r->body.len)) {
        reply_error(r, 507, "org_full",
                    "the organisation has too many reports waiting to be "
                    "collected; try again in a few days");
        goto out;
    }
    if (!intake_has_room()) {
        reply_error(r, 503, "busy", "the server is busy; try again shortly");
        goto out;
    }
    r->item = (struct intake_item){.org_id = org_id,
                                   .data = r->body.data,
                                   .len = r->body.len,
                                   .done = intake_done,
                                   .ctx = r};
    req_suspend(r);
    phases_add(PH_CHECK, t_in);
    intake_push(&r->item);
out:
    orgs_release(s);
}

/* ---- mailboxes --------------------------------------------------------- */

/*
 * The organisation a new mailbox is registered for ("org", optional: 0
 * without it), its quota checked; -1 with r answered: 400 bad_org (not a
 * string), 404 unknown_org, 503 while the organisations are not loaded,
 * 507 org_full at its quota of mailboxes.
 */
static int
mailbox_org(struct req *r, const json_t *j)
{
    const json_t *v = json_object_get(j, "org");
    if (!v || json_is_null(v))
        return 0;
    const char *slug = json_string_value(v);
    if (!slug || !slug[0] || strlen(slug) > UMBRA_SLUG_MAX) {
        reply_error(r, 400, "bad_org", "org must be an organisation's slug");
        return -1;
    }
    struct org_set *s = orgs_acquire();
    const struct org *o = orgs_find(s, slug);
    int id = -1;
    if (!o && !orgs_loaded(s))
        reply_unavailable(r);
    else if (!o)
        reply_error(r, 404, "unknown_org", "no organisation by that name");
    else if (!intake_mailbox_ok(o->id, o->max_mailboxes))
        reply_error(r, 507, "org_full",
                    "the organisation has its quota of mailboxes; try again "
                    "in a few days");
    else
        id = o->id;
    orgs_release(s);
    return id;
}

void
api_mailbox_new(struct req *r)
{
    uint8_t id[32];
    json_t *j = req_json(r);
    if (!j)
        return;
    const char *hex = json_string_value(json_object_get(j, "id"));
    if (!hex || umbra_unhex(id, 32, hex, strlen(hex)) != 0) {
        json_decref(j);
        reply_error(r, 400, "bad_mailbox", "id must be 64 hex characters");
        return;
    }
    int org_id = mailbox_org(r, j);
    json_decref(j);
    if (org_id < 0)
        return;
    if (!intake_has_room()) {
        reply_error(r, 503, "busy", "the server is busy; try again shortly");
        return;
    }
    /* Through intake like a report: into the spool, and into PostgreSQL
     * at the next move, never in a transaction of its own at the time it
     * was made. Whether the id already existed is not known then (nor
     * needed: storing it twice is harmless). */
    uint8_t *copy = malloc(32);
    if (!copy) {
        reply_error(r, 500, "internal", "out of memory");
        return;
    }
    memcpy(copy, id, 32);
    r->item = (struct intake_item){.mailbox_id = copy,
                                   .mailbox_org = org_id,
                                   .done = intake_done,
                                   .ctx = r};
    r->ctx = copy;
    r->ctx_free = free;
    req_suspend(r);
    intake_push(&r->item);
}

/*
 * Answers the replies of the mailbox whose hex lookup id is hex (protocol
 * 5.3): hashes it to the mailbox id and wipes it. Shared by the body route
 * and the deprecated path route; the caller keeps hex.
 */
static void
mailbox_replies(struct req *r, const char *hex)
{
    uint8_t lookup[32], mid[32];
    if (!hex || umbra_unhex(lookup, 32, hex, strlen(hex)) != 0) {
        reply_error(r, 400, "bad_mailbox",
                    "the lookup id must be 64 hex characters");
        return;
    }
    umbra_mailbox_id(mid, lookup);
    sodium_memzero(lookup, sizeof lookup);
    PGconn *c = db_get(srv.intake);
    if (!c) {
        reply_unavailable(r);
        return;
    }
    const char *vals[1] = {(const char *)mid};
    int lens[1] = {32}, fmts[1] = {1};
    PGresult *res = db_exec(c, "mailbox_replies", 1, vals, lens, fmts);
    int ok = db_ok(res), known = 0;
    json_t *arr = json_array();
    for (int i = 0; ok && arr && i < PQntuples(res); i++) {
        char *e = b64_new((const uint8_t *)PQgetvalue(res, i, 1),
                      (size_t)PQgetlength(res, i, 1));
        json_array_append_new(arr, json_pack("{s:s,s:s?}", "day",
                                             PQgetvalue(res, i, 0),
                                             "envelope", e));
        free(e);
    }
    PQclear(res);
    /* known: whether the mailbox is registered, so that the reporter's
     * page can refuse to write back with a receipt no case can match */
    res = ok ? db_exec(c, "mailbox_known", 1, vals, lens, fmts) : NULL;
    ok = ok && db_ok(res) && PQntuples(res) == 1;
    /* results are binary (db_exec): a boolean is one byte, 0 or 1 */
    known = ok && PQgetlength(res, 0, 0) == 1 && PQgetvalue(res, 0, 0)[0] == 1;
    PQclear(res);
    db_put(srv.intake, c, !ok);
    if (!ok) {
        json_decref(arr);
        reply_unavailable(r);
        return;
    }
    reply_json(r, 200, json_pack("{s:o,s:b}", "replies", arr, "known",
                                 known));
}

/* POST /api/v1/mailboxes/replies, body {"id": "<hex lookup id>"}: the
 * lookup id stays out of the URL, so out of every proxy's access log. */
void
api_mailbox_replies_post(struct req *r)
{
    json_t *j = req_json(r);
    if (!j)
        return;
    mailbox_replies(r, json_string_value(json_object_get(j, "id")));
    json_decref(j);
    sodium_memzero(r->body.data, r->body.len);
}

/* GET /api/v1/mailboxes/{id}/replies: deprecated (docs/api.md), kept
 * working for clients written against it. */
void
api_mailbox_replies(struct req *r)
{
    mailbox_replies(r, r->arg);
}
