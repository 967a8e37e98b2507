/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * verbs_sync: push and ack — replies to the server, and each member's
 * acknowledgement of imported reports (deleted once every member has);
 * the server options pull shares (verbs_sync.h).
 */
#include "args.h"
#include "bfile.h"
#include "case.h"
#include "net.h"
#include "member_sync.h"
#include "store.h"
#include "verbs_outbox.h"
#include "verbs_sync.h"

#include <stdlib.h>
#include <string.h>

#include <sodium.h>

static const char PUSH_USAGE[] =
    "usage: umbra-case [--home DIR] push --server URL --token-file FILE\n"
    "           [--proxy URL]\n"
    "       umbra-case [--home DIR] push --out FILE [--again]\n"
    "       umbra-case [--home DIR] push --from FILE --server URL\n"
    "           --token-file FILE [--proxy URL]\n"
    "\n"
    "Uploads the replies queued with 'umbra-case reply'. The reporter reads\n"
    "them on the server's check page with their receipt. An air-gapped\n"
    "laptop writes them (and the deletions 'ack' would send) to a file\n"
    "with --out; the online computer sends that file with --from\n"
    "('umbra-case push --out --help').\n";

static const char ACK_USAGE[] =
    "usage: umbra-case [--home DIR] ack --server URL --token-file FILE\n"
    "           [--force] [--proxy URL]\n"
    "\n"
    "Acknowledges to the server the reports that were imported here (cases\n"
    "and quarantined documents), so that the server keeps nothing it no\n"
    "longer needs. With several members, each acks for itself: a report is\n"
    "deleted once every current member has acked it ('pull' says what is\n"
    "waiting for whom); the key holder's --force deletes what this home has\n"
    "acked at once. Claims the sync token with this home's key first.\n"
    "Reports not sealed to this home's keys are left on the server.\n";

static const struct option SYNC_OPTS[] = {
    ARGS_VALUE("server", 's'), ARGS_VALUE("token-file", 't'),
    ARGS_VALUE("proxy", 'p'), ARGS_VALUE("out", 'o'),
    ARGS_FLAG("force", 'f'), ARGS_LAST,
};

int
sync_parse(struct sync_args *a, int argc, char **argv, int allow_out)
{
    /* --out last: pull's only */
    const struct args_keep keep[] = {{'s', &a->server},
                                     {'t', &a->token_file},
                                     {'p', &a->proxy},
                                     {'o', &a->out}};
    struct args r;
    int k;

    memset(a, 0, sizeof *a);
    args_init(&r, argc, argv, SYNC_OPTS);
    while ((k = args_next(&r)) != ARGS_END) {
        if (k == 'f' && (allow_out & SYNC_ALLOW_FORCE)) {
            a->force = 1;
            continue;
        }
        if (!args_keep(keep, (allow_out & SYNC_ALLOW_OUT) ? 4 : 3, k,
                       r.val)) {
            args_why(&r, k);
            return -1;
        }
        if (r.val[0] == 0) {
            const struct option *o = SYNC_OPTS;

            while (o->val != k)
                o++;
            case_err("--%s is empty; write it as --%s VALUE", o->name,
                     o->name);
            return -1;
        }
    }
    if (a->token_file == NULL) {
        case_err("%s needs --token-file FILE (the file with the "
                 "organisation's sync token)", argv[0]);
        return -1;
    }
    if (a->server == NULL) {
        case_err("%s needs --server URL (the organisation's server)",
                 argv[0]);
        return -1;
    }
    return 0;
}

int
sync_connect(struct net *n, const struct sync_args *a)
{
    return net_open(n, a->server, a->token_file, a->proxy);
}

struct pending_reply {
    int64_t id;
    char mailbox[65];
    char *b64;
};

struct reply_list {
    struct pending_reply *v;
    size_t n, cap;
};

static int
collect_reply(void *ctx, int64_t id, const char *mailbox, const uint8_t *env,
              size_t env_len)
{
    struct reply_list *l = ctx;
    struct pending_reply *p;
    size_t b64len = sodium_base64_encoded_len(env_len,
                                              sodium_base64_VARIANT_ORIGINAL);

    if (l->n == l->cap) {
        size_t nc = l->cap ? l->cap * 2 : 16;
        struct pending_reply *nv = realloc(l->v, nc * sizeof *nv);

        if (nv == NULL)
            return -1;
        l->v = nv;
        l->cap = nc;
    }
    p = &l->v[l->n];
    p->id = id;
    snprintf(p->mailbox, sizeof p->mailbox, "%s", mailbox);
    p->b64 = malloc(b64len);
    if (p->b64 == NULL)
        return -1;
    sodium_bin2base64(p->b64, b64len, env, env_len,
                      sodium_base64_VARIANT_ORIGINAL);
    l->n++;
    return 0;
}

/* What push and ack send: their usage, what they say when the store
 * cannot be read or holds nothing to send, and how they read it. */
struct sync_verb {
    const char *usage, *cannot, *nothing;
    int (*read)(struct store *s, void *list, const size_t **count);
    int allow; /* SYNC_ALLOW_* */
};

/*
 * The start of push and ack: the help, the command line into a, the store
 * (case_setup), what v->read collects into list, then the connection n.
 * The exit code when the verb is done here (all said), or -1 to go on.
 */
static int
sync_begin(const struct sync_verb *v, struct case_env *e,
           struct sync_args *a, struct net *n, void *list, int argc,
           char **argv)
{
    const size_t *count = NULL;

    if (case_help(v->usage, argc, argv))
        return CASE_OK;
    if (sync_parse(a, argc, argv, v->allow) != 0)
        return case_usage(v->usage);
    if (case_setup(e) != 0)
        return CASE_FAIL;
    if (v->read(e->store, list, &count) != 0) {
        case_err("%s", v->cannot);
        return CASE_FAIL;
    }
    if (*count == 0 && !a->force) {
        printf("%s\n", v->nothing);
        return CASE_OK;
    }
    return sync_connect(n, a) != 0 ? CASE_FAIL : -1;
}

/* Sends one queued reply: 1 sent, 0 refused by the server (said), -1 no
 * answer or the store failed (stop). */
static int
push_one(struct net *n, struct store *s, const struct pending_reply *p)
{
    json_t *req = json_pack("{s:[{s:s,s:s}]}", "replies", "mailbox",
                            p->mailbox, "envelope", p->b64);
    json_t *body = NULL;
    char *text = req ? json_dumps(req, JSON_COMPACT) : NULL;
    long status = 0;
    int r;

    json_decref(req);
    if (text == NULL) {
        case_err("out of memory");
        return -2;
    }
    r = net_json(n, "/api/v1/sync/replies", text, &status, &body);
    free(text);
    if (r == 0 && status != 201 && status != 200) {
        net_report(n, "a reply was refused", status, body);
        r = 0;
    } else if (r == 0) {
        r = 1;
        if (store_begin(s) != 0 || store_reply_pushed(s, p->id) != 0 ||
            store_commit(s) != 0) {
            store_rollback(s);
            r = -1;
        }
    } else {
        r = -1;
    }
    json_decref(body);
    return r;
}

static int
read_replies(struct store *s, void *list, const size_t **count)
{
    struct reply_list *l = list;

    *count = &l->n;
    return store_replies_pending(s, collect_reply, l);
}

static const struct sync_verb PUSH = {
    PUSH_USAGE, "cannot read the queued replies",
    "No replies waiting to be sent.", read_replies, 0};

int
verb_push(struct case_env *e, int argc, char **argv)
{
    struct reply_list l = {NULL, 0, 0};
    struct sync_args a;
    struct net n;
    size_t i, sent = 0, failed = 0;
    int rc, r = 0;

    if (outbox_wanted(argc, argv)) /* files out of the air gap */
        return verb_push_outbox(e, argc, argv);
    memset(&n, 0, sizeof n);
    rc = sync_begin(&PUSH, e, &a, &n, &l, argc, argv);
    if (rc >= 0)
        goto out;
    rc = CASE_FAIL;
    for (i = 0; i < l.n && r >= 0; i++) {
        r = push_one(&n, e->store, &l.v[i]);
        sent += r == 1;
        failed += r == 0;
    }
    if (r == -2)
        goto out;
    printf("Sent %zu %s; %zu refused; %zu not tried.\n", sent,
           case_plural((long long)sent, "reply", "replies"), failed,
           l.n - sent - failed);
    if (sent == l.n)
        rc = CASE_OK;
out:
    for (i = 0; i < l.n; i++)
        free(l.v[i].b64);
    free(l.v);
    net_release(&n);
    return rc;
}

struct id_list {
    char (*v)[BFILE_ID_MAX + 1];
    size_t n, cap;
};

static int
collect_id(void *ctx, const char *id)
{
    struct id_list *l = ctx;

    if (!bfile_valid_id(id, NULL))
        return 0;
    if (l->n == l->cap) {
        size_t nc = l->cap ? l->cap * 2 : 256;
        void *nv = realloc(l->v, nc * sizeof *l->v);

        if (nv == NULL)
            return -1;
        l->v = nv;
        l->cap = nc;
    }
    snprintf(l->v[l->n++], BFILE_ID_MAX + 1, "%s", id);
    return 0;
}

/* Deletes one batch of ids on the server and marks them acknowledged;
 * adds what the server deleted to *deleted. 0 or -1 (said). */
static int
ack_batch(struct net *n, struct store *s, char (*ids)[BFILE_ID_MAX + 1],
          size_t batch, int force, long *deleted)
{
    json_t *arr = json_array(), *req, *body = NULL;
    char *text;
    long status = 0;
    size_t i;
    int r;

    for (i = 0; i < batch; i++)
        json_array_append_new(arr, json_string(ids[i]));
    req = json_pack("{s:o,s:b}", "ids", arr, "force", force);
    text = req ? json_dumps(req, JSON_COMPACT) : NULL;
    json_decref(req);
    if (text == NULL) {
        case_err("out of memory");
        return -1;
    }
    r = net_json(n, "/api/v1/sync/ack", text, &status, &body);
    free(text);
    if (r == 0 && status != 200) {
        net_report(n, "cannot delete reports", status, body);
        r = -1;
    }
    if (r == 0)
        *deleted += (long)json_integer_value(json_object_get(body, "deleted"));
    json_decref(body);
    if (r != 0 || store_begin(s) != 0)
        return -1;
    for (i = 0; i < batch; i++) {
        if (store_mark_acked(s, ids[i]) != 0) {
            store_rollback(s);
            return -1;
        }
    }
    return store_commit(s) != 0 ? -1 : 0;
}

static int
read_acks(struct store *s, void *list, const size_t **count)
{
    struct id_list *l = list;

    *count = &l->n;
    return store_ack_pending(s, collect_id, l);
}

static const struct sync_verb ACK = {
    ACK_USAGE, "cannot read the imported reports",
    "Nothing to delete from the server.", read_acks, SYNC_ALLOW_FORCE};

int
verb_ack(struct case_env *e, int argc, char **argv)
{
    struct id_list l = {NULL, 0, 0};
    struct sync_args a;
    struct net n;
    size_t done = 0;
    long deleted = 0;
    int rc;

    memset(&n, 0, sizeof n);
    rc = sync_begin(&ACK, e, &a, &n, &l, argc, argv);
    if (rc >= 0)
        goto out;
    rc = CASE_FAIL;
    /* each member acks for itself: the token is claimed by this home's
     * key first (the server answers the same every time) */
    if (member_claim(e->o, e->keys, &n, e->keys->slug) != 0)
        goto out;
    /* --force with nothing new: what this home acked before, at once */
    if (l.n == 0 &&
        ack_batch(&n, e->store, l.v, 0, a.force, &deleted) != 0)
        goto out;
    while (done < l.n) {
        size_t batch = l.n - done > 1000 ? 1000 : l.n - done;

        if (ack_batch(&n, e->store, l.v + done, batch, a.force, &deleted) !=
            0)
            goto out;
        done += batch;
    }
    printf("The server deleted %ld %s (%zu acknowledged).\n", deleted,
           CASE_PL(deleted, "report"), done);
    if (!a.force && deleted < (long)done)
        printf("The others wait until every member has acked them (see "
               "'umbra-case pull'); the key holder's 'ack --force' deletes "
               "them at once.\n");
    rc = CASE_OK;
out:
    free(l.v);
    net_release(&n);
    return rc;
}

