/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * sync: the caseworker's routes (docs/api.md, protocol 5): list the
 * envelopes waiting for the token's organisation a page at a time (with
 * what it holds, its quota and what each member has not acked yet),
 * acknowledge what was pulled (each member for itself; deleted once every
 * current member has, or at once by the key holder's force), and
 * post replies to reporters' mailboxes in one transaction. Every route
 * authenticates its bearer token by hash (sync_auth) on the sync pool's
 * connection and runs on the database pool (WORK_DB).
 */
#include "intake.h"
#include "mover.h"
#include "orgs.h"
#include "routes.h"
#include "sync_int.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SYNC_PAGE_BYTES (32u * 1024u * 1024u)
/* ids and digests of ?check=1 at most (above any sane quota_reports) */
#define SYNC_HELD_MAX 100000
#define TOKEN_MAX 256
/* "expiring": envelopes the retention purge takes within this many days */
#define EXPIRING_WITHIN 7

int
sync_who(struct req *r, PGconn *c, struct sync_token *t)
{
    const char *h = req_header(r, "Authorization");
    size_t n = h ? strlen(h) : 0;
    memset(t, 0, sizeof *t);
    if (n < 8 || n > TOKEN_MAX || strncmp(h, "Bearer ", 7) != 0) {
        reply_error(r, 401, "unauthorized", "a sync token is needed");
        return -1;
    }
    crypto_generichash(t->hash, 32, (const unsigned char *)h + 7, n - 7,
                       NULL, 0);
    const char *vals[1] = {(const char *)t->hash};
    int lens[1] = {32}, fmts[1] = {1};
    PGresult *res = db_exec(c, "sync_who", 1, vals, lens, fmts);
    if (!db_ok(res)) {
        PQclear(res);
        reply_unavailable(r);
        return -2;
    }
    int found = PQntuples(res) == 1, removed = 0;
    if (found && (str_copy(t->slug, sizeof t->slug, PQgetvalue(res, 0, 1)) <
                      0 ||
                  str_copy(t->token_id, sizeof t->token_id,
                           PQgetvalue(res, 0, 2)) < 0 ||
                  str_copy(t->name, sizeof t->name, PQgetvalue(res, 0, 3)) <
                      0))
        found = 0;
    if (found) {
        t->claimed = strcmp(PQgetvalue(res, 0, 4), "true") == 0;
        t->holder = strcmp(PQgetvalue(res, 0, 5), "true") == 0;
        removed = strcmp(PQgetvalue(res, 0, 6), "true") == 0;
    }
    PQclear(res);
    if (!found) {
        reply_error(r, 401, "unauthorized",
                    "the sync token is wrong or revoked");
        return -1;
    }
    if (removed) {
        reply_error(r, 401, "member_removed",
                    "the key that claimed this token is no longer in the "
                    "organisation's public key bundle");
        return -1;
    }
    return 0;
}

/* The token's hash and its organisation; 0, or answers 401/503 and -1
 * (-2 when the connection is broken). */
static int
sync_auth(struct req *r, PGconn *c, uint8_t hash[32], char slug[64])
{
    struct sync_token t;
    int rc = sync_who(r, c, &t);
    if (rc == 0) {
        memcpy(hash, t.hash, 32);
        memcpy(slug, t.slug, 64);
    }
    sodium_memzero(&t, sizeof t);
    return rc;
}

json_t *
sync_expiring_json(const PGresult *res, unsigned within, unsigned retention)
{
    uint64_t n = 0;
    if (PQntuples(res) != 1 || PQnfields(res) < 2 ||
        parse_u64(&n, PQgetvalue(res, 0, 0), 0, INT64_MAX) != 0)
        return NULL;
    return json_pack("{s:I,s:o,s:I,s:I}", "count", (json_int_t)n, "first_day",
                     PQgetisnull(res, 0, 1)
                         ? json_null()
                         : json_string(PQgetvalue(res, 0, 1)),
                     "within_days", (json_int_t)within, "retention_days",
                     (json_int_t)retention);
}

/*
 * The "expiring" object: how many of the organisation's envelopes the
 * retention purge takes within EXPIRING_WITHIN days, and the first day one
 * goes ("first_day", null when none do), with the retention in days (0:
 * envelopes are kept until acknowledged). 0, or -1 on a database error.
 */
static int
sync_expiring(json_t *o, PGconn *c, const uint8_t hash[32])
{
    char days[16], within[16];
    snprintf(days, sizeof days, "%u", srv.cfg.envelope_retention_days);
    snprintf(within, sizeof within, "%u", EXPIRING_WITHIN);
    const char *vals[3] = {(const char *)hash, days, within};
    int lens[3] = {32, 0, 0}, fmts[3] = {1, 0, 0};
    PGresult *res = db_exec(c, "sync_expiring", 3, vals, lens, fmts);
    json_t *e = db_ok(res) ? sync_expiring_json(res, EXPIRING_WITHIN,
                                                srv.cfg.envelope_retention_days)
                           : NULL;
    PQclear(res);
    if (!e)
        return -1;
    json_object_set_new(o, "expiring", e);
    return 0;
}

/*
 * What the token's organisation holds: the "pending" and "quota" objects,
 * and with check the "held" list of (id, SHA-256) of its envelopes with an
 * id up to upto (what pull compares with its bundle). Adds them to o; 0,
 * or -1 on a database error.
 */
static int
sync_pending(json_t *o, PGconn *c, const uint8_t hash[32], const char *upto,
             int check, const char *slug)
{
    uint64_t qr = srv.cfg.quota_reports, qb = srv.cfg.quota_bytes;
    uint64_t qm = srv.cfg.quota_mailboxes, mboxes = 0;
    struct org_set *os = orgs_acquire();
    const struct org *org = orgs_find(os, slug);
    if (org) {
        intake_quota_of(org->max_reports, org->max_bytes, &qr, &qb);
        qm = intake_mailbox_quota_of(org->max_mailboxes);
        /* the database's, as pending's: not the spool's, which would
         * tell a token's holder when mailboxes (and so reports) arrive */
        mboxes = mover_mailboxes_moved(org->id);
    }
    orgs_release(os);
    const char *vals[3] = {(const char *)hash, upto, NULL};
    int lens[3] = {32, 0, 0}, fmts[3] = {1, 0, 0}, ok, i, rows;
    uint64_t n = 0, bytes = 0;
    char lim[16];
    json_t *held;

    /* the alert rows the organisation holds and its quota of them (017):
     * the quota is the organisation's own, else the server's */
    uint64_t alerts = 0, qa = srv.cfg.quota_alerts;
    PGresult *res = db_exec(c, "sync_alerts_held", 1, vals, lens, fmts);
    ok = db_ok(res) && PQntuples(res) == 1 &&
         parse_u64(&alerts, PQgetvalue(res, 0, 0), 0, INT64_MAX) == 0 &&
         (PQgetvalue(res, 0, 1)[0] == '\0' ||
          parse_u64(&qa, PQgetvalue(res, 0, 1), 1, INT64_MAX) == 0);
    PQclear(res);
    if (!ok)
        return -1;
    res = db_exec(c, "sync_status", 1, vals, lens, fmts);
    ok = db_ok(res) && PQntuples(res) == 1 &&
         parse_u64(&n, PQgetvalue(res, 0, 0), 0, INT64_MAX) == 0 &&
         parse_u64(&bytes, PQgetvalue(res, 0, 1), 0, INT64_MAX) == 0;
    if (ok)
        json_object_set_new(
            o, "pending",
            json_pack("{s:I,s:I,s:s,s:I,s:I}", "count", (json_int_t)n,
                      "bytes", (json_int_t)bytes, "max_id",
                      PQgetvalue(res, 0, 2), "mailboxes", (json_int_t)mboxes,
                      "alerts", (json_int_t)alerts));
    PQclear(res);
    if (!ok)
        return -1;
    /* Reports reach the tables pull reads at these boundaries only. */
    json_object_set_new(o, "intake_window",
                        json_integer((json_int_t)srv.cfg.intake_window));
    json_object_set_new(o, "quota",
                        json_pack("{s:I,s:I,s:I,s:I}", "reports",
                                  (json_int_t)qr, "bytes", (json_int_t)qb,
                                  "mailboxes", (json_int_t)qm, "alerts",
                                  (json_int_t)qa));
    /* per member: the held envelopes it has not acked (issue 15) */
    res = db_exec(c, "sync_waiting", 1, vals, lens, fmts);
    ok = db_ok(res);
    held = json_array();
    rows = ok ? PQntuples(res) : 0;
    for (i = 0; ok && i < rows; i++) {
        uint64_t w = 0;
        ok = parse_u64(&w, PQgetvalue(res, i, 1), 0, INT64_MAX) == 0 &&
             json_array_append_new(
                 held, json_pack("{s:s,s:I}", "name", PQgetvalue(res, i, 0),
                                 "count", (json_int_t)w)) == 0;
    }
    PQclear(res);
    if (!ok) {
        json_decref(held);
        return -1;
    }
    json_object_set_new(o, "waiting", held);
    if (sync_expiring(o, c, hash) != 0)
        return -1;
    if (!check)
        return 0;
    snprintf(lim, sizeof lim, "%d", SYNC_HELD_MAX);
    vals[2] = lim;
    res = db_exec(c, "sync_held", 3, vals, lens, fmts);
    ok = db_ok(res);
    held = json_array();
    rows = ok ? PQntuples(res) : 0;
    for (i = 0; ok && i < rows; i++) {
        char hex[65];
        if (PQgetlength(res, i, 1) != 32) {
            ok = 0;
            break;
        }
        sodium_bin2hex(hex, sizeof hex,
                       (const unsigned char *)PQgetvalue(res, i, 1), 32);
        json_array_append_new(held, json_pack("{s:s,s:s}", "id",
                                              PQgetvalue(res, i, 0),
                                              "sha256", hex));
    }
    PQclear(res);
    if (!ok) {
        json_decref(held);
        return -1;
    }
    json_object_set_new(o, "held", held);
    return 0;
}

void
api_sync_list(struct req *r)
{
    uint8_t hash[32];
    char slug[64];
    uint64_t after = 0, limit = 100, check = 0;
    const char *a = req_query(r, "after"), *l = req_query(r, "limit");
    const char *k = req_query(r, "check");
    if ((a && parse_u64(&after, a, 0, INT64_MAX) < 0) ||
        (l && parse_u64(&limit, l, 1, 1000) < 0) ||
        (k && parse_u64(&check, k, 0, 1) < 0)) {
        reply_error(r, 400, "bad_query",
                    "after must be an id, limit 1 to 1000, check 0 or 1");
        return;
    }
    PGconn *c = db_get(srv.sync);
    if (!c) {
        reply_unavailable(r);
        return;
    }
    int rc = sync_auth(r, c, hash, slug);
    if (rc < 0) {
        db_put(srv.sync, c, rc == -2);
        return;
    }
    char as[24], ls[24];
    snprintf(as, sizeof as, "%llu", (unsigned long long)after);
    snprintf(ls, sizeof ls, "%llu", (unsigned long long)limit + 1);
    const char *vals[3] = {(const char *)hash, as, ls};
    int lens[3] = {32, 0, 0}, fmts[3] = {1, 0, 0};
    PGresult *res = db_exec(c, "sync_list", 3, vals, lens, fmts);
    int ok = db_ok(res);
    json_t *arr = json_array();
    size_t bytes = 0;
    int rows = ok ? PQntuples(res) : 0, i;
    char next[24];
    (void)str_copy(next, sizeof next, as);
    for (i = 0; ok && i < rows && (uint64_t)i < limit; i++) {
        size_t len = (size_t)PQgetlength(res, i, 2);
        if (i > 0 && bytes + len > SYNC_PAGE_BYTES)
            break;
        bytes += len;
        char *e = b64_new((const uint8_t *)PQgetvalue(res, i, 2), len);
        json_array_append_new(arr, json_pack("{s:s,s:s,s:s?}", "id",
                                             PQgetvalue(res, i, 0), "day",
                                             PQgetvalue(res, i, 1),
                                             "envelope", e));
        free(e);
        (void)str_copy(next, sizeof next, PQgetvalue(res, i, 0));
    }
    int more = ok && i < rows;
    PQclear(res);
    json_t *o = ok ? json_pack("{s:s,s:o,s:s,s:b}", "org", slug, "reports",
                               arr, "next", next, "more", more)
                   : NULL;
    if (!ok)
        json_decref(arr);
    else if (!o || sync_pending(o, c, hash, as, check && after > 0,
                                 slug) != 0)
        ok = 0;
    db_put(srv.sync, c, !ok);
    if (!ok) {
        json_decref(o);
        reply_unavailable(r);
        return;
    }
    reply_json(r, 200, o);
}

void
api_sync_ack(struct req *r)
{
    uint8_t hash[32];
    char slug[64];
    json_t *j = req_json(r);
    if (!j)
        return;
    json_t *ids = json_object_get(j, "ids");
    json_t *fv = json_object_get(j, "force");
    size_t n = json_array_size(ids);
    if (!json_is_array(ids) || n > 1000) {
        json_decref(j);
        reply_error(r, 400, "bad_ids", "ids must be a list of at most 1000");
        return;
    }
    if (fv && !json_is_boolean(fv)) {
        json_decref(j);
        reply_error(r, 400, "bad_force", "force must be true or false");
        return;
    }
    int force = fv && json_is_true(fv);
    /* "{1,2,3}": at most 1000 ids of at most 19 digits. */
    char *arr = malloc(n * 21 + 3);
    size_t pos = 0;
    if (!arr) {
        json_decref(j);
        reply_error(r, 500, "internal", "out of memory");
        return;
    }
    arr[pos++] = '{';
    for (size_t i = 0; i < n; i++) {
        json_t *v = json_array_get(ids, i);
        uint64_t id;
        char tmp[24];
        if (json_is_integer(v) && json_integer_value(v) >= 0) {
            id = (uint64_t)json_integer_value(v);
        } else if (!json_is_string(v) ||
                   parse_u64(&id, json_string_value(v), 0, INT64_MAX) < 0) {
            free(arr);
            json_decref(j);
            reply_error(r, 400, "bad_ids", "each id must be a decimal id");
            return;
        }
        int k = snprintf(tmp, sizeof tmp, "%s%llu", i ? "," : "",
                         (unsigned long long)id);
        memcpy(arr + pos, tmp, (size_t)k);
        pos += (size_t)k;
    }
    arr[pos++] = '}';
    arr[pos] = '\0';
    json_decref(j);
    PGconn *c = db_get(srv.sync);
    if (!c) {
        free(arr);
        reply_unavailable(r);
        return;
    }
    int rc = sync_auth(r, c, hash, slug);
    if (rc < 0) {
        free(arr);
        db_put(srv.sync, c, rc == -2);
        return;
    }
    /* each member acks for itself; the envelope goes once every current
     * member has (or at once: no claimed token, or force by the holder) */
    const char *vals[3] = {(const char *)hash, arr, force ? "true" : "false"};
    int lens[3] = {32, 0, 0}, fmts[3] = {1, 0, 0};
    PGresult *res = db_exec(c, "sync_ack_member", 3, vals, lens, fmts);
    int ok = db_ok(res) && PQntuples(res) == 1;
    uint64_t deleted = 0, acked = 0;
    const char *st = ok ? PQgetvalue(res, 0, 0) : "";
    int status = strcmp(st, "1") == 0 ? 1 : strcmp(st, "-2") == 0 ? -2
                 : strcmp(st, "-3") == 0 ? -3 : -1;
    if (ok && status == 1)
        ok = parse_u64(&deleted, PQgetvalue(res, 0, 1), 0, INT64_MAX) == 0 &&
             parse_u64(&acked, PQgetvalue(res, 0, 2), 0, INT64_MAX) == 0;
    PQclear(res);
    free(arr);
    db_put(srv.sync, c, !ok);
    if (ok && deleted > 0)
        mover_recount(); /* the quota sees the room at once */
    if (!ok)
        reply_unavailable(r);
    else if (status == -2)
        reply_error(r, 403, "not_key_holder",
                    "only a token claimed by the organisation's signing key "
                    "may force an ack");
    else if (status == -3)
        reply_error(r, 403, "not_claimed",
                    "members of this organisation ack for themselves: "
                    "claim the token first (umbra-case pull does)");
    else if (status != 1)
        reply_error(r, 401, "unauthorized", "the sync token is wrong");
    else
        reply_json(r, 200, json_pack("{s:I,s:I}", "deleted",
                                     (json_int_t)deleted, "acked",
                                     (json_int_t)acked));
}

struct reply_in {
    uint8_t mailbox[32];
    uint8_t *env;
    size_t len;
};

void
api_sync_replies(struct req *r)
{
    uint8_t hash[32];
    char slug[64];
    struct reply_in *in = NULL;
    size_t n = 0;
    PGconn *c = NULL;
    int broken = 0;
    json_t *j = req_json(r);
    if (!j)
        return;
    json_t *list = json_object_get(j, "replies");
    if (!json_is_array(list) || json_array_size(list) == 0 ||
        json_array_size(list) > 100) {
        reply_error(r, 400, "bad_replies",
                    "replies must be a list of 1 to 100");
        goto out;
    }
    n = json_array_size(list);
    in = calloc(n, sizeof *in);
    if (!in) {
        reply_error(r, 500, "internal", "out of memory");
        goto out;
    }
    for (size_t i = 0; i < n; i++) {
        json_t *e = json_array_get(list, i);
        const char *m = json_string_value(json_object_get(e, "mailbox"));
        const char *b = json_string_value(json_object_get(e, "envelope"));
        unsigned k = 0;
        if (!m || umbra_unhex(in[i].mailbox, 32, m, strlen(m)) != 0) {
            reply_error(r, 400, "bad_mailbox", "mailbox must be 64 hex chars");
            goto out;
        }
        size_t bl = b ? strlen(b) : 0;
        in[i].env = malloc(bl / 4 * 3 + 3);
        if (!b || !in[i].env ||
            sodium_base642bin(in[i].env, bl / 4 * 3 + 3, b, bl, NULL,
                              &in[i].len, NULL,
                              sodium_base64_VARIANT_ORIGINAL) != 0 ||
            umbra_envelope_check(&k, NULL, in[i].env, in[i].len) != 0 ||
            k != 1) {
            reply_error(r, 400, "bad_envelope",
                        "each reply must be a one-stanza envelope");
            goto out;
        }
    }
    c = db_get(srv.sync);
    if (!c) {
        reply_unavailable(r);
        goto out;
    }
    int rc = sync_auth(r, c, hash, slug);
    if (rc < 0) {
        broken = rc == -2;
        goto out;
    }
    PGresult *res = PQexec(c, "BEGIN");
    int ok = db_ok(res);
    PQclear(res);
    for (size_t i = 0; ok && i < n; i++) {
        const char *vals[3] = {(const char *)hash, (const char *)in[i].mailbox,
                               (const char *)in[i].env};
        int lens[3] = {32, 32, (int)in[i].len}, fmts[3] = {1, 1, 1};
        res = db_exec(c, "sync_reply", 3, vals, lens, fmts);
        ok = db_ok(res) && PQntuples(res) == 1;
        int v = !ok ? 1 : strcmp(PQgetvalue(res, 0, 0), "1") == 0 ? 1
                      : strcmp(PQgetvalue(res, 0, 0), "0") == 0 ? 0 : -1;
        PQclear(res);
        if (v != 1) {
            res = PQexec(c, "ROLLBACK");
            PQclear(res);
            if (v == 0)
                reply_error(r, 404, "unknown_mailbox",
                            "a reply is addressed to an unknown mailbox");
            else
                reply_error(r, 401, "unauthorized", "the sync token is wrong");
            goto out;
        }
    }
    if (ok) {
        res = PQexec(c, "COMMIT");
        ok = db_ok(res);
        PQclear(res);
    }
    if (!ok) {
        broken = 1;
        reply_unavailable(r);
        goto out;
    }
    reply_json(r, 201, json_pack("{s:I}", "stored", (json_int_t)n));
out:
    if (c)
        db_put(srv.sync, c, broken);
    for (size_t i = 0; in && i < n; i++)
        free(in[i].env);
    free(in);
    json_decref(j);
}
