/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * team_sync: case events through the server's event log (team_sync.h).
 */
#include "team_sync.h"
#include "bfile.h"
#include "doc.h"
#include "case.h"
#include "import.h"
#include "net.h"
#include "pull_check.h"
#include "store.h"
#include "team.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

int
team_may_write(const void *ctx, const uint8_t pk[32])
{
    return umbra_bundle_signer(ctx, pk, UMBRA_MAY_EVENTS) != NULL;
}

const char *
team_author_name(const struct umbra_bundle *b, const uint8_t pk[32],
                 char buf[TEAM_NAME_BUF])
{
    const struct umbra_signer *sg = umbra_bundle_signer(b, pk, 0);
    char fp[UMBRA_FINGERPRINT_LEN + 1];

    if (sg != NULL)
        return sg->name;
    umbra_fingerprint(fp, pk);
    snprintf(buf, TEAM_NAME_BUF, "a former member (%.11s)", fp);
    return buf;
}

/* ---- push ---------------------------------------------------------------- */

struct out_ev {
    uint8_t digest[32];
    char *text;
};
struct out_list {
    struct out_ev *v;
    size_t n, cap;
};

static int
collect_out(void *ctx, const uint8_t digest[32], const char *text)
{
    struct out_list *l = ctx;

    if (l->n == l->cap) {
        size_t nc = l->cap ? 2 * l->cap : 32;
        struct out_ev *nv = realloc(l->v, nc * sizeof *nv);

        if (nv == NULL)
            return -1;
        l->v = nv;
        l->cap = nc;
    }
    memcpy(l->v[l->n].digest, digest, 32);
    l->v[l->n].text = strdup(text);
    if (l->v[l->n].text == NULL)
        return -1;
    l->n++;
    return 0;
}

static void
out_release(struct out_list *l)
{
    size_t i;

    for (i = 0; i < l->n; i++)
        free(l->v[i].text);
    free(l->v);
    memset(l, 0, sizeof *l);
}

int
team_outgoing_count(struct store *s, long *n)
{
    struct out_list l = {NULL, 0, 0};
    int rc = store_team_outgoing(s, 0, collect_out, &l);

    *n = (long)l.n;
    out_release(&l);
    return rc;
}

int
team_seal_outgoing(struct store *s, const struct umbra_org_keys *k,
                   const struct umbra_bundle *b, int again,
                   int (*send)(void *ctx, const uint8_t digest[32],
                               const uint8_t *env, size_t env_len),
                   void *ctx, long *sent)
{
    struct out_list l = {NULL, 0, 0};
    uint8_t pks[UMBRA_MAX_ORG_KEYS * 32];
    size_t i;
    int rc = -1, r = 0;

    *sent = 0;
    if (store_team_outgoing(s, again, collect_out, &l) != 0) {
        case_err("cannot read the queued case events: %s", store_errmsg(s));
        goto out;
    }
    /* sealed to every key of the current bundle: a member removed from
     * it cannot open what is written from now on */
    umbra_bundle_pks(pks, b);
    for (i = 0; i < l.n && r == 0; i++) {
        uint8_t *env = NULL, sig[64];
        size_t env_len = 0;

        if (team_event_seal(&env, &env_len, sig, l.v[i].text, k->sign_sk,
                            pks, b->nkeys) != 0) {
            case_err("cannot seal a case event");
            goto out;
        }
        /* kept, so that the history can be passed on (team share) */
        if (store_team_set_sig(s, l.v[i].digest, sig) != 0) {
            free(env);
            goto out;
        }
        r = send(ctx, l.v[i].digest, env, env_len);
        free(env);
        if (r == 0)
            (*sent)++;
    }
    rc = r < 0 ? -1 : 0;
out:
    out_release(&l);
    return rc;
}

struct net_send {
    struct net *n;
    struct store *s;
};

/* POSTs one sealed event; 0 sent (marked), 1 refused (said), -1 stop. */
static int
net_send(void *ctx, const uint8_t digest[32], const uint8_t *env,
         size_t env_len)
{
    struct net_send *ns = ctx;
    json_t *body = NULL;
    long status = 0;
    int r;

    if (net_post_bytes(ns->n, "/api/v1/sync/events", env, env_len, &status,
                       &body) != 0)
        return -1;
    if (status == 404 || status == 405) {
        case_err("the server '%s' keeps no case events (an older "
                 "umbra-server?); the events stay queued",
                 ns->n->base);
        r = -1;
    } else if (status != 201 && status != 200) {
        net_report(ns->n, "a case event was refused", status, body);
        r = -1;
    } else if (store_begin(ns->s) != 0 || store_team_sent(ns->s, digest, 0) ||
               store_commit(ns->s) != 0) {
        store_rollback(ns->s);
        r = -1;
    } else
        r = 0;
    json_decref(body);
    return r;
}

int
team_push_events(struct net *n, struct store *s,
                 const struct umbra_org_keys *k, const struct umbra_bundle *b,
                 long *sent)
{
    struct net_send ns = {n, s};

    return team_seal_outgoing(s, k, b, 0, net_send, &ns, sent);
}

/* ---- pull ---------------------------------------------------------------- */

/* The event log's retention as the first page tells it (the server's
 * "expiring" and "purged_through", schema/015_retention_events.sql), said
 * to the member whose cursor is cursor: a note on the first pull when
 * older events are gone already, a loud warning when events after the
 * cursor were purged before this home pulled them (only a member who has
 * them can pass them on: team share), and a warning when the events this
 * pull takes were about to go. The server's day is printed only when it
 * is YYYY-MM-DD (the server is not trusted to write to the terminal). */
static void
say_event_retention(const struct net *n, const json_t *body,
                    uint64_t cursor)
{
    const json_t *x = json_object_get(body, "expiring");
    uint64_t through = pull_json_u64(body, "purged_through");
    uint64_t count = pull_json_u64(x, "count"), days = pull_json_u64(x, "retention_days");
    uint64_t within = pull_json_u64(x, "within_days");
    const char *day = json_string_value(json_object_get(x, "first_day"));
    char first[11] = "", keeps[64], often[64];

    if (day != NULL && strlen(day) == 10 && umbra_date_valid(day, 10))
        memcpy(first, day, 11);
    /* a server that keeps events for ever now purged them under an
     * earlier setting: no advice on how often to pull */
    if (days > 0) {
        snprintf(keeps, sizeof keeps, "it keeps case events %llu days",
                 (unsigned long long)days);
        snprintf(often, sizeof often, "pull at least every %llu days",
                 (unsigned long long)(days > within ? days - within : 1));
    } else {
        snprintf(keeps, sizeof keeps, "under an earlier retention");
        snprintf(often, sizeof often, "pull often");
    }
    if (through > 0 && cursor == 0)
        fprintf(stderr,
                "umbra-case: note: the server '%s' has already purged this "
                "organisation's case events up to id %llu (%s): this home "
                "starts after them. A member who has the open cases can pass "
                "them on with 'umbra-case team share --member NAME'.\n",
                n->base, (unsigned long long)through, keeps);
    else if (through > cursor)
        fprintf(stderr,
                "umbra-case: WARNING: ************************************\n"
                "umbra-case: WARNING: the server '%s' PURGED case events "
                "this home had not pulled\n"
                "umbra-case: WARNING: (after id %llu, up to id %llu: %s). "
                "They are LOST\n"
                "umbra-case: WARNING: here: ask a member who has them to run "
                "'umbra-case team share --member NAME'\n"
                "umbra-case: WARNING: for you, and %s.\n"
                "umbra-case: WARNING: ************************************\n",
                n->base, (unsigned long long)cursor,
                (unsigned long long)through, keeps, often);
    if (count > 0)
        fprintf(stderr,
                "umbra-case: warning: %llu case %s not pulled until now "
                "%s within %llu days of the server's purge (the first on %s; "
                "%s): %s.\n",
                (unsigned long long)count, count == 1 ? "event" : "events",
                count == 1 ? "was" : "were", (unsigned long long)within,
                first[0] ? first : "an unknown day", keeps, often);
}

int
team_pull_events(struct net *n, struct bfile *bf, long *fetched)
{
    char path[128];
    uint8_t *env = NULL;
    json_t *body = NULL;
    int more = 1, rc = -1, first = 1;
    uint64_t cursor = bf->max_event_id;

    *fetched = 0;
    env = malloc(TEAM_ENV_MAX);
    if (env == NULL) {
        case_err("out of memory");
        return -1;
    }
    while (more) {
        json_t *evs, *ev;
        size_t i;
        long status = 0;
        uint64_t before = cursor;

        snprintf(path, sizeof path, "/api/v1/sync/events?after=%llu&limit=500",
                 (unsigned long long)cursor);
        json_decref(body);
        body = NULL;
        if (net_json(n, path, NULL, &status, &body) != 0)
            goto out;
        if (status == 404 || status == 405) {
            printf("The server keeps no case events (an older "
                   "umbra-server): only reports were pulled.\n");
            rc = 0;
            goto out;
        }
        if (status != 200) {
            net_report(n, "cannot fetch case events", status, body);
            goto out;
        }
        evs = json_object_get(body, "events");
        if (!json_is_array(evs)) {
            case_err("the server '%s' sent an answer that is not a page of "
                     "case events; nothing more was pulled",
                     n->base);
            goto out;
        }
        if (first)
            say_event_retention(n, body, cursor);
        first = 0;
        more = json_is_true(json_object_get(body, "more")) &&
               json_array_size(evs) > 0;
        json_array_foreach(evs, i, ev)
        {
            const char *id = json_string_value(json_object_get(ev, "id"));
            const char *day = json_string_value(json_object_get(ev, "day"));
            const char *b64 =
                json_string_value(json_object_get(ev, "envelope"));
            uint64_t num = 0;
            size_t env_len = 0;

            if (id == NULL || day == NULL || b64 == NULL ||
                !bfile_valid_id(id, &num) ||
                sodium_base642bin(env, TEAM_ENV_MAX, b64, strlen(b64), NULL,
                                  &env_len, NULL,
                                  sodium_base64_VARIANT_ORIGINAL) != 0) {
                case_err("the server '%s' sent a malformed case event; "
                         "stopping (what was pulled is kept)",
                         n->base);
                goto out_sync;
            }
            if (num <= cursor) {
                /* served twice, or out of order: the ids must rise */
                continue;
            }
            if (bfile_append_event(bf, id, day, env, env_len) != 0) {
                case_err("cannot write the bundle: %s",
                         errno == EINVAL ? "bad case event from the server"
                                         : strerror(errno));
                goto out_sync;
            }
            cursor = num;
            (*fetched)++;
        }
        if (bfile_sync(bf) != 0) {
            case_err("cannot write the bundle: %s", strerror(errno));
            goto out;
        }
        if (more && cursor == before) {
            case_err("the server '%s' says more case events are waiting "
                     "but sent none after %llu; stopping",
                     n->base, (unsigned long long)before);
            goto out;
        }
    }
    rc = 0;
    goto out;
out_sync:
    if (bfile_sync(bf) != 0)
        case_err("cannot write the bundle: %s", strerror(errno));
out:
    json_decref(body);
    free(env);
    return rc;
}

/* ---- import -------------------------------------------------------------- */

struct gap_ctx {
    const struct umbra_bundle *b;
};

static int
say_gap(void *ctx, const uint8_t author[32], long have, long last)
{
    const struct umbra_bundle *b = ((const struct gap_ctx *)ctx)->b;
    char buf[TEAM_NAME_BUF];

    fprintf(stderr,
            "umbra-case: warning: case events of %s are missing: %ld of "
            "1..%ld are here (the server dropped or withholds some, or "
            "they are still to be pulled)\n",
            team_author_name(b, author, buf), have, last);
    return 0;
}

/* The report a share carries, for a member who could not open it: a case
 * made from the document (as import makes one from an opened envelope)
 * with the share's uid, unless the home has that case. 0 or -1. */
static int
take_shared_report(struct store *s, struct team_counts *c,
                   const struct team_event *share)
{
    const json_t *rp = json_object_get(share->body, "report");
    const char *b = json_string_value(json_object_get(rp, "doc"));
    const char *day = json_string_value(json_object_get(rp, "received"));
    struct store_case_in in;
    struct doc_report rep;
    char reason[200];
    uint8_t *doc = NULL;
    size_t len = 0, bl;
    int64_t id = 0;
    int r;

    if (rp == NULL)
        return 0;
    r = store_team_case_id(s, share->case_uid, &id);
    if (r <= 0)
        return r; /* here already (or an error) */
    if (b == NULL || day == NULL || !umbra_date_valid(day, strlen(day))) {
        c->refused++;
        return 0;
    }
    bl = strlen(b);
    doc = umbra_secret_alloc(bl / 4 * 3 + 3);
    if (doc == NULL)
        return -1;
    memset(&rep, 0, sizeof rep);
    if (sodium_base642bin(doc, bl / 4 * 3 + 3, b, bl, NULL, &len, NULL,
                          sodium_base64_VARIANT_ORIGINAL) != 0 ||
        doc_parse_report(&rep, reason, sizeof reason, doc, len) != 0) {
        umbra_secret_free(doc);
        c->refused++;
        return 0;
    }
    memset(&in, 0, sizeof in);
    in.summary = rep.summary;
    in.doc = doc;
    in.doc_len = len;
    in.facts = rep.facts;
    snprintf(in.facts.received, sizeof in.facts.received, "%s", day);
    if (rep.has_mailbox) {
        in.mailbox_id = rep.mailbox_id;
        in.mailbox_pk = rep.mailbox_pk;
    }
    r = store_add_case(s, &id, &in);
    if (r == 0)
        r = store_case_set_uid(s, id, share->case_uid);
    if (r == 0)
        c->reports++;
    umbra_secret_free(doc);
    sodium_memzero(&rep, sizeof rep);
    return r < 0 ? -1 : 0;
}

/* The events a share carries (team share): each checked as if it came
 * alone (signature, author a member, organisation, the share's case), then
 * added. 0 or -1. */
static int
take_shared(struct store *s, struct team_counts *c,
            const struct team_event *share, const struct umbra_bundle *b)
{
    const json_t *evs = json_object_get(share->body, "events"), *x;
    size_t i;

    json_array_foreach(evs, i, x)
    {
        const char *text = json_string_value(json_object_get(x, "event"));
        const char *a = json_string_value(json_object_get(x, "author"));
        const char *sg = json_string_value(json_object_get(x, "signature"));
        uint8_t author[32], sig[64];
        size_t n1 = 0, n2 = 0;
        struct team_event e;
        int r;

        if (text == NULL || a == NULL || sg == NULL ||
            sodium_base642bin(author, 32, a, strlen(a), NULL, &n1, NULL,
                              sodium_base64_VARIANT_ORIGINAL) != 0 ||
            n1 != 32 ||
            sodium_base642bin(sig, 64, sg, strlen(sg), NULL, &n2, NULL,
                              sodium_base64_VARIANT_ORIGINAL) != 0 ||
            n2 != 64 ||
            team_event_verify(&e, text, strlen(text), author, sig) != 0) {
            c->refused++;
            continue;
        }
        if (strcmp(e.org, b->org) != 0 || !team_may_write(b, author) ||
            strcmp(e.case_uid, share->case_uid) != 0) {
            team_event_release(&e);
            c->refused++;
            continue;
        }
        r = store_team_add(s, &e);
        team_event_release(&e);
        if (r < 0)
            return -1;
        if (r == 0)
            c->shared++;
    }
    return 0;
}

/* One opened event into the store (caller's transaction). */
static int
take_event(struct store *s, struct team_counts *c, const struct team_event *e,
           const struct umbra_bundle *b)
{
    const struct team_handler *h;
    int r = store_team_add(s, e);

    if (r < 0)
        return -1;
    if (r == 1) {
        c->known++;
        return 0;
    }
    c->accepted++;
    if (strcmp(e->type, "share") == 0 && e->case_uid[0] &&
        (take_shared_report(s, c, e) != 0 || take_shared(s, c, e, b) != 0))
        return -1;
    if (e->case_uid[0]) {
        r = store_team_apply(s, e->case_uid);
        if (r == 1)
            c->pending++;
        return r < 0 ? -1 : 0;
    }
    h = team_handler_find(e->type);
    if (h != NULL && h->apply(s, e, b) != 0)
        c->refused++;
    return 0;
}

int
team_import_file(struct store *s, const struct umbra_org_keys *k,
                 const struct umbra_bundle *b, const char *path,
                 struct team_counts *c)
{
    struct gap_ctx g = {b};
    struct import_keys ik;
    struct bfile bf;
    long kill_after = -1, done = 0;
    const char *ka = getenv("UMBRA_CASE_TEST_KILL_AFTER_EVENTS");
    uint64_t kv;
    int r, rc = -1, in_txn = 0;

    memset(c, 0, sizeof *c);
    /* Test seam for the crash test: SIGKILL mid-merge */
    if (ka != NULL && umbra_parse_u64(&kv, ka, 0, INT32_MAX) == 0)
        kill_after = (long)kv;
    import_keys_from(&ik, k);
    if (bfile_open_read(&bf, path) != 0)
        return -1;
    /* every event of the file in one transaction: a crash leaves the
     * store as before, and the next import does it all again */
    if (store_begin(s) != 0)
        goto out;
    in_txn = 1;
    while ((r = bfile_next(&bf)) == 0) {
        struct team_event e;
        int err;

        if (bf.rec.kind != 'E')
            continue;
        c->records++;
        err = team_event_open(&e, bf.rec.env, bf.rec.env_len, ik.sks, ik.pks,
                              ik.n, b->org, team_may_write, b);
        if (err != 0) {
            if (err == TEAM_E_NOMEM)
                goto out;
            c->refused++;
            if (c->refused <= 5)
                fprintf(stderr,
                        "umbra-case: case event %s refused: %s\n",
                        bf.rec.id, team_err_str(err));
            continue;
        }
        r = take_event(s, c, &e, b);
        team_event_release(&e);
        if (r != 0)
            goto out;
        if (++done == kill_after)
            raise(SIGKILL);
    }
    if (r < 0) {
        case_err("cannot read bundle '%s': %s", path, strerror(errno));
        goto out;
    }
    if (store_commit(s) != 0)
        goto out;
    in_txn = 0;
    if (store_team_gaps(s, say_gap, &g) != 0)
        goto out;
    rc = 0;
out:
    if (in_txn) {
        case_err("case events not merged: %s", store_errmsg(s));
        store_rollback(s);
    }
    bfile_close(&bf);
    return rc;
}
