/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * sync_team: the routes of several caseworkers sharing one organisation
 * (issue 15; docs/api.md "Team sync"): the organisation's case-event log
 * (append opaque envelopes, read them a page at a time), a member key
 * claiming its sync token, and the key holder publishing a new bundle.
 * The per-member ack and "waiting" are in sync.c. Every route starts with
 * sync_who (sync_int.h) and runs on the database pool (WORK_DB).
 */
#include "orgs.h"
#include "routes.h"
#include "sync_int.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define EVENT_PAGE_BYTES (32u * 1024u * 1024u)
#define CLAIM_FORMAT "umbra.claim/1"
/* "expiring": events the retention purge takes within this many days (as
 * for envelopes, sync.c) */
#define EVENTS_EXPIRING_WITHIN 7

/* ---- the event log ------------------------------------------------------ */

void
api_sync_events_post(struct req *r)
{
    struct sync_token t;
    unsigned n = 0;

    /* an envelope of protocol 2, padded by the sender as reports are: its
     * structure is all the server can check (and all it ever sees) */
    if (r->body.len == 0 ||
        umbra_envelope_check(&n, NULL, r->body.data, r->body.len) != 0) {
        reply_error(r, 400, "bad_envelope",
                    "the body must be one sealed envelope (protocol 2)");
        return;
    }
    PGconn *c = db_get(srv.sync);
    if (!c) {
        reply_unavailable(r);
        return;
    }
    int rc = sync_who(r, c, &t);
    if (rc < 0) {
        db_put(srv.sync, c, rc == -2);
        return;
    }
    /* the organisation's events together stay under quota_bytes */
    char quota[24];
    snprintf(quota, sizeof quota, "%llu",
             (unsigned long long)srv.cfg.quota_bytes);
    const char *vals[3] = {(const char *)t.hash, (const char *)r->body.data,
                           quota};
    int lens[3] = {32, (int)r->body.len, 0}, fmts[3] = {1, 1, 0};
    PGresult *res = db_exec(c, "sync_event_put", 3, vals, lens, fmts);
    int ok = db_ok(res), rows = ok ? PQntuples(res) : 0;
    int full = rows == 1 && strcmp(PQgetvalue(res, 0, 0), "-1") == 0;
    json_t *o = rows == 1 && !full
                    ? json_pack("{s:s,s:s}", "id", PQgetvalue(res, 0, 0),
                                "day", PQgetvalue(res, 0, 1))
                    : NULL;
    PQclear(res);
    db_put(srv.sync, c, !ok);
    sodium_memzero(&t, sizeof t);
    if (!ok || (rows == 1 && !full && !o))
        reply_unavailable(r);
    else if (rows != 1)
        reply_error(r, 401, "unauthorized", "the sync token is wrong");
    else if (full)
        reply_error(r, 507, "org_full",
                    "the organisation's event log holds quota_bytes already");
    else
        reply_json(r, 201, o);
}

/*
 * The event log's retention, seen from a member whose cursor is after:
 * "expiring" (how many events after the cursor the purge takes within
 * EVENTS_EXPIRING_WITHIN days, the first day one goes, and the retention
 * in days; 0: kept for ever) and "purged_through" (the highest event id
 * the purge took of the organisation, "0" when none: a cursor below it
 * has missed events). Adds them to o; 0, or -1 on a database error.
 */
static int
events_retention(json_t *o, PGconn *c, const uint8_t hash[32],
                 const char *after)
{
    char days[16], within[16];
    snprintf(days, sizeof days, "%u", srv.cfg.event_retention_days);
    snprintf(within, sizeof within, "%u", EVENTS_EXPIRING_WITHIN);
    const char *vals[4] = {(const char *)hash, after, days, within};
    int lens[4] = {32, 0, 0, 0}, fmts[4] = {1, 0, 0, 0};
    uint64_t through = 0;
    PGresult *res = db_exec(c, "sync_events_expiring", 4, vals, lens, fmts);
    json_t *e = db_ok(res) && PQnfields(res) == 3
                    ? sync_expiring_json(res, EVENTS_EXPIRING_WITHIN,
                                         srv.cfg.event_retention_days)
                    : NULL;
    int ok = e && parse_u64(&through, PQgetvalue(res, 0, 2), 0,
                            INT64_MAX) == 0;
    if (ok) {
        json_object_set_new(o, "expiring", e);
        json_object_set_new(o, "purged_through",
                            json_string(PQgetvalue(res, 0, 2)));
    } else {
        json_decref(e);
    }
    PQclear(res);
    return ok ? 0 : -1;
}

void
api_sync_events(struct req *r)
{
    struct sync_token t;
    uint64_t after = 0, limit = 100;
    const char *a = req_query(r, "after"), *l = req_query(r, "limit");
    if ((a && parse_u64(&after, a, 0, INT64_MAX) < 0) ||
        (l && parse_u64(&limit, l, 1, 500) < 0)) {
        reply_error(r, 400, "bad_query",
                    "after must be an id, limit 1 to 500");
        return;
    }
    PGconn *c = db_get(srv.sync);
    if (!c) {
        reply_unavailable(r);
        return;
    }
    int rc = sync_who(r, c, &t);
    if (rc < 0) {
        db_put(srv.sync, c, rc == -2);
        return;
    }
    char as[24], ls[24];
    snprintf(as, sizeof as, "%llu", (unsigned long long)after);
    snprintf(ls, sizeof ls, "%llu", (unsigned long long)limit + 1);
    const char *vals[3] = {(const char *)t.hash, as, ls};
    int lens[3] = {32, 0, 0}, fmts[3] = {1, 0, 0};
    PGresult *res = db_exec(c, "sync_event_list", 3, vals, lens, fmts);
    int ok = db_ok(res), rows = ok ? PQntuples(res) : 0, i;
    json_t *arr = json_array();
    size_t bytes = 0;
    for (i = 0; ok && i < rows && (uint64_t)i < limit; i++) {
        size_t len = (size_t)PQgetlength(res, i, 2);
        if (i > 0 && bytes + len > EVENT_PAGE_BYTES)
            break;
        bytes += len;
        char *e = b64_new((const uint8_t *)PQgetvalue(res, i, 2), len);
        if (!e || json_array_append_new(
                      arr, json_pack("{s:s,s:s,s:s}", "id",
                                     PQgetvalue(res, i, 0), "day",
                                     PQgetvalue(res, i, 1), "envelope", e)))
            ok = 0;
        free(e);
    }
    int more = ok && i < rows;
    PQclear(res);
    json_t *out = json_object();
    if (ok && (!out || events_retention(out, c, t.hash, as) != 0))
        ok = 0;
    db_put(srv.sync, c, !ok);
    sodium_memzero(&t, sizeof t);
    if (!ok) {
        json_decref(arr);
        json_decref(out);
        reply_unavailable(r);
        return;
    }
    json_object_set_new(out, "events", arr);
    json_object_set_new(out, "more", json_boolean(more));
    reply_json(r, 200, out);
}

/* ---- the registered bundle ---------------------------------------------- */

/*
 * The token's organisation's registered bundle into *b, its serial into
 * *serial: 0; -1 on a database error or a bundle that does not verify
 * (the operator registered it with the library: it should).
 */
static int
registered(PGconn *c, const struct sync_token *t, struct umbra_bundle *b,
           uint64_t *serial)
{
    const char *vals[1] = {(const char *)t->hash};
    int lens[1] = {32}, fmts[1] = {1};
    PGresult *res = db_exec(c, "sync_bundle", 1, vals, lens, fmts);
    int ok = db_ok(res) && PQntuples(res) == 1 &&
             parse_u64(serial, PQgetvalue(res, 0, 1), 0,
                       UMBRA_BUNDLE_SERIAL_MAX) == 0 &&
             umbra_bundle_parse(b, PQgetvalue(res, 0, 0),
                                (size_t)PQgetlength(res, 0, 0)) == 0;
    PQclear(res);
    return ok ? 0 : -1;
}

/* ---- claim -------------------------------------------------------------- */

/* The text a claim's signature covers (protocol 3, docs/api.md). */
static size_t
claim_text(char *out, size_t cap, const char *slug, const char *auth)
{
    uint8_t sha[32];
    char hex[65];
    size_t n = strlen(auth);
    int k;

    /* the token is what follows "Bearer " (sync_who checked the form) */
    crypto_hash_sha256(sha, (const unsigned char *)auth + 7, n - 7);
    umbra_hex(hex, sha, 32);
    k = snprintf(out, cap, CLAIM_FORMAT "\norg %s\ntoken %s\n", slug, hex);
    return k < 0 || (size_t)k >= cap ? 0 : (size_t)k;
}

/* s as the canonical base64 of exactly n (at most 64) bytes: 0 or -1. */
static int
b64_exact(uint8_t *out, size_t n, const char *s)
{
    char again[sodium_base64_ENCODED_LEN(64, sodium_base64_VARIANT_ORIGINAL)];
    size_t len = strlen(s), got = 0;

    if (n > 64 ||
        len + 1 != sodium_base64_ENCODED_LEN(n, sodium_base64_VARIANT_ORIGINAL) ||
        sodium_base642bin(out, n, s, len, NULL, &got, NULL,
                          sodium_base64_VARIANT_ORIGINAL) != 0 ||
        got != n)
        return -1;
    sodium_bin2base64(again, sizeof again, out, n,
                      sodium_base64_VARIANT_ORIGINAL);
    return strcmp(again, s) == 0 ? 0 : -1;
}

/* 0 with the key and signature decoded, or -1 after answering 400. */
static int
claim_fields(struct req *r, const json_t *j, uint8_t pk[32], uint8_t sig[64])
{
    const char *k = json_string_value(json_object_get(j, "signing_key"));
    const char *s = json_string_value(json_object_get(j, "signature"));
    if (!json_is_object(j) || !k || !s ||
        b64_exact(pk, 32, k) != 0 || b64_exact(sig, 64, s) != 0) {
        reply_error(r, 400, "bad_claim",
                    "signing_key (base64 of 32 bytes) and signature (base64 "
                    "of 64 bytes) are needed");
        return -1;
    }
    return 0;
}

void
api_sync_claim(struct req *r)
{
    struct sync_token t;
    struct umbra_bundle b;
    uint8_t pk[32], sig[64];
    uint64_t serial = 0;
    char text[256];
    size_t tlen;
    json_t *j = req_json(r);
    if (!j)
        return;
    int rc = claim_fields(r, j, pk, sig);
    json_decref(j);
    if (rc < 0)
        return;
    PGconn *c = db_get(srv.sync);
    if (!c) {
        reply_unavailable(r);
        return;
    }
    rc = sync_who(r, c, &t);
    if (rc < 0) {
        db_put(srv.sync, c, rc == -2);
        return;
    }
    if (registered(c, &t, &b, &serial) != 0) {
        db_put(srv.sync, c, 1);
        reply_unavailable(r);
        return;
    }
    tlen = claim_text(text, sizeof text, t.slug,
                      req_header(r, "Authorization"));
    const struct umbra_signer *g =
        umbra_bundle_signer(&b, pk, UMBRA_MAY_EVENTS);
    if (tlen == 0 ||
        crypto_sign_verify_detached(sig, (const uint8_t *)text, tlen, pk) !=
            0) {
        db_put(srv.sync, c, 0);
        reply_error(r, 403, "bad_signature",
                    "the signature does not cover umbra.claim/1, this "
                    "organisation and this token");
        return;
    }
    if (!g) {
        db_put(srv.sync, c, 0);
        reply_error(r, 403, "not_a_member",
                    "the key is neither the organisation's signing key nor a "
                    "signer of its bundle who may sign events");
        return;
    }
    const char *vals[2] = {(const char *)t.hash, (const char *)pk};
    int lens[2] = {32, 32}, fmts[2] = {1, 1};
    PGresult *res = db_exec(c, "sync_claim", 2, vals, lens, fmts);
    int ok = db_ok(res) && PQntuples(res) == 1;
    const char *v = ok ? PQgetvalue(res, 0, 0) : "";
    int st = strcmp(v, "1") == 0 ? 1 : strcmp(v, "0") == 0 ? 0 : -1;
    PQclear(res);
    db_put(srv.sync, c, !ok);
    if (!ok)
        reply_unavailable(r);
    else if (st == 0)
        reply_error(r, 409, "token_claimed",
                    "another member key has claimed this token");
    else if (st < 0)
        reply_error(r, 401, "unauthorized", "the sync token is wrong");
    else
        reply_json(r, 200,
                   json_pack("{s:b,s:s,s:s,s:b}", "claimed", 1, "token",
                             t.name, "member", g->name, "holder",
                             sodium_memcmp(pk, b.sign_pk, 32) == 0));
    sodium_memzero(&t, sizeof t);
}

/* ---- keys publish ------------------------------------------------------- */

/* "{"\\x<hex>",...}": n values of each bytes as a PostgreSQL bytea[]
 * literal (text format). malloc'd, or NULL. */
static char *
bytea_array(const uint8_t *v, size_t n, size_t each, size_t stride)
{
    char *s = malloc(n * (2 * each + 6) + 3), *p = s;
    if (!s)
        return NULL;
    *p++ = '{';
    for (size_t i = 0; i < n; i++) {
        if (i)
            *p++ = ',';
        memcpy(p, "\"\\\\x", 4);
        p += 4;
        umbra_hex(p, v + i * stride, each);
        p += 2 * each;
        *p++ = '"';
    }
    *p++ = '}';
    *p = '\0';
    return s;
}

char *
sync_member_keys(const struct umbra_bundle *b)
{
    uint8_t keys[(UMBRA_MAX_SIGNERS + 1) * 32];
    size_t n = 1;

    memcpy(keys, b->sign_pk, 32);
    for (unsigned i = 0; i < b->nsigners && i < UMBRA_MAX_SIGNERS; i++)
        if (b->signers[i].may & UMBRA_MAY_EVENTS)
            memcpy(keys + 32 * n++, b->signers[i].sign_pk, 32);
    return bytea_array(keys, n, 32, 32);
}

/* The arrays sync_bundle_put takes for b's keys: ids, keys, days. */
static int
key_arrays(const struct umbra_bundle *b, char **ids, char **pks, char **days)
{
    *ids = bytea_array(b->keys[0].id, b->nkeys, 8, sizeof b->keys[0]);
    *pks = bytea_array(b->keys[0].pk, b->nkeys, 32, sizeof b->keys[0]);
    *days = malloc(b->nkeys * 11 + 3);
    if (!*ids || !*pks || !*days)
        return -1;
    char *p = *days;
    *p++ = '{';
    for (unsigned i = 0; i < b->nkeys; i++) {
        if (i)
            *p++ = ',';
        memcpy(p, b->keys[i].created, 10);
        p += 10;
    }
    *p++ = '}';
    *p = '\0';
    return 0;
}

/*
 * Checks the bundle posted (r->body) against the registered one: 0 with
 * *b parsed, or -1 after answering (400 bad_bundle, 403
 * wrong_signing_key, 409 bundle_rollback).
 */
static int
bundle_check(struct req *r, const struct umbra_bundle *cur, uint64_t serial,
             const char *slug, const struct umbra_bundle *b)
{
    char hint[256];
    if (strcmp(b->org, slug) != 0) {
        snprintf(hint, sizeof hint,
                 "the bundle is for organisation '%s', the token for '%s'",
                 b->org, slug);
        reply_error(r, 400, "bad_bundle", hint);
        return -1;
    }
    if (sodium_memcmp(b->sign_pk, cur->sign_pk, 32) != 0) {
        reply_error(r, 403, "wrong_signing_key",
                    "the bundle is not signed by the organisation's "
                    "registered signing key");
        return -1;
    }
    if (b->serial <= serial) {
        snprintf(hint, sizeof hint,
                 "the bundle has serial %llu; the registered one %llu: a new "
                 "bundle needs a higher serial",
                 (unsigned long long)b->serial, (unsigned long long)serial);
        reply_error(r, 409, "bundle_rollback", hint);
        return -1;
    }
    return 0;
}

void
api_sync_bundle(struct req *r)
{
    struct sync_token t;
    struct umbra_bundle b, cur;
    uint64_t serial = 0;
    char *ids = NULL, *pks = NULL, *days = NULL, *members = NULL;
    char *json = NULL, sbuf[24];
    PGconn *c = NULL;
    int broken = 0, rc;

    if (r->body.len > UMBRA_BUNDLE_MAX_BYTES) {
        reply_error(r, 413, "body_too_large",
                    "a bundle is at most 65536 bytes");
        return;
    }
    rc = umbra_bundle_parse(&b, (const char *)r->body.data, r->body.len);
    if (rc != 0) {
        char hint[128];
        snprintf(hint, sizeof hint, "the bundle does not verify: %s",
                 umbra_strerror(rc));
        reply_error(r, 400, "bad_bundle", hint);
        return;
    }
    json = malloc(r->body.len + 1);
    if (!json || key_arrays(&b, &ids, &pks, &days) != 0 ||
        !(members = sync_member_keys(&b))) {
        reply_error(r, 500, "internal", "out of memory");
        goto out;
    }
    memcpy(json, r->body.data, r->body.len);
    json[r->body.len] = '\0';
    c = db_get(srv.sync);
    if (!c) {
        reply_unavailable(r);
        goto out;
    }
    rc = sync_who(r, c, &t);
    if (rc < 0) {
        broken = rc == -2;
        goto out;
    }
    if (registered(c, &t, &cur, &serial) != 0) {
        broken = 1;
        reply_unavailable(r);
        goto out;
    }
    if (bundle_check(r, &cur, serial, t.slug, &b) != 0)
        goto out;
    snprintf(sbuf, sizeof sbuf, "%llu", (unsigned long long)b.serial);
    const char *vals[9] = {(const char *)t.hash, json, sbuf,
                           b.created,           (const char *)b.sign_pk,
                           ids,                 pks,
                           days,                members};
    int lens[9] = {32, 0, 0, 0, 32, 0, 0, 0, 0};
    int fmts[9] = {1, 0, 0, 0, 1, 0, 0, 0, 0};
    PGresult *res = db_exec(c, "sync_bundle_put", 9, vals, lens, fmts);
    int ok = db_ok(res) && PQntuples(res) == 1;
    char v[8]; /* the answer code, copied: res is cleared below */

    snprintf(v, sizeof v, "%s", ok ? PQgetvalue(res, 0, 0) : "");
    PQclear(res);
    if (!ok) {
        broken = 1;
        reply_unavailable(r);
    } else if (strcmp(v, "1") == 0) {
        db_put(srv.sync, c, 0);
        c = NULL;
        /* served at once here (other servers within orgs_refresh) */
        (void)orgs_reload();
        reply_json(r, 200, json_pack("{s:s,s:I,s:i,s:i}", "org", b.org,
                                     "serial", (json_int_t)b.serial, "keys",
                                     (int)b.nkeys, "signers",
                                     (int)b.nsigners));
    } else if (strcmp(v, "-1") == 0) {
        reply_error(r, 409, "bundle_rollback",
                    "a bundle with this serial or a higher one is "
                    "registered");
    } else if (strcmp(v, "-2") == 0) {
        reply_error(r, 403, "wrong_signing_key",
                    "the bundle is not signed by the organisation's "
                    "registered signing key");
    } else {
        reply_error(r, 401, "unauthorized", "the sync token is wrong");
    }
out:
    if (c)
        db_put(srv.sync, c, broken);
    sodium_memzero(&t, sizeof t);
    free(json);
    free(ids);
    free(pks);
    free(days);
    free(members);
}
