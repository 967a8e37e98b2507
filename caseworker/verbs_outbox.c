/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * verbs_outbox: push --out and push --from (verbs_outbox.h), the outbox
 * file of docs/protocol.md section 10 (outbox.c) carried out of the
 * air-gapped laptop.
 */
#include "verbs_outbox.h"
#include "args.h"
#include "case.h"
#include "net.h"
#include "outbox.h"
#include "team_sync.h"
#include "store.h"
#include "store_outbox.h"
#include "team.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

static const char OUTBOX_USAGE[] =
    "usage: umbra-case [--home DIR] push --out FILE [--again]\n"
    "       umbra-case [--home DIR] push --from FILE --server URL\n"
    "           --token-file FILE [--proxy URL]\n"
    "\n"
    "--out, on the offline laptop (no network): writes the queued replies\n"
    "and the ids of the imported reports to delete from the server into an\n"
    "outbox file to carry to the online computer. What it writes is marked\n"
    "carried and left out of the next --out; --again puts it in again.\n"
    "--from, on the online computer (no passphrase, no key file): sends\n"
    "the outbox's replies and deletions to the server. Sending the same\n"
    "file again from the same home sends nothing twice.\n";

/* The home's file listing the replies sent by push --from (digests). */
#define SENT_NAME "outbox-sent"
#define SENT_MAX (OUTBOX_REPLIES_MAX * 100u * 65u)

static const struct option OPTS[] = {
    ARGS_VALUE("out", 'o'),
    ARGS_VALUE("from", 'f'),
    ARGS_FLAG("again", 'a'),
    ARGS_VALUE("server", 's'),
    ARGS_VALUE("token-file", 't'),
    ARGS_VALUE("proxy", 'p'),
    ARGS_LAST,
};

int
outbox_wanted(int argc, char **argv)
{
    int i;

    for (i = 1; i < argc && strcmp(argv[i], "--") != 0; i++)
        if (strcmp(argv[i], "--out") == 0 ||
            strncmp(argv[i], "--out=", 6) == 0 ||
            strcmp(argv[i], "--from") == 0 ||
            strncmp(argv[i], "--from=", 7) == 0)
            return 1;
    return 0;
}

/* What store_outbox_each hands out, gathered. */
struct gather {
    struct outbox ob;
    int64_t *ids;
    uint8_t (*evd)[32]; /* the digests of the events, in order */
    char why[160];
};

/* A sealed case event into the outbox (team_seal_outgoing's send). */
static int
gather_event(void *ctx, const uint8_t digest[32], const uint8_t *env,
             size_t len)
{
    struct gather *g = ctx;
    size_t n = g->ob.n_events;
    void *nv;

    if (outbox_add_event(&g->ob, env, len, g->why, sizeof g->why) != 0)
        return -1;
    nv = realloc(g->evd, (n + 1) * sizeof *g->evd);
    if (nv == NULL) {
        snprintf(g->why, sizeof g->why, "out of memory");
        return -1;
    }
    g->evd = nv;
    memcpy(g->evd[n], digest, 32);
    return 0;
}

static int
gather_reply(void *ctx, int64_t id, const char *mailbox, const uint8_t *env,
             size_t len)
{
    struct gather *g = ctx;
    size_t n = g->ob.n_replies;
    int64_t *nv;

    if (outbox_add_reply(&g->ob, mailbox, env, len, g->why, sizeof g->why) != 0)
        return 1;
    nv = realloc(g->ids, (n + 1) * sizeof *nv);
    if (nv == NULL) {
        snprintf(g->why, sizeof g->why, "out of memory");
        return 1;
    }
    g->ids = nv;
    g->ids[n] = id;
    return 0;
}

static int
gather_ack(void *ctx, const char *id)
{
    struct gather *g = ctx;

    return outbox_add_ack(&g->ob, id, g->why, sizeof g->why) != 0;
}

int
outbox_write(struct store *s, const char *org, const char *path, int again,
             const struct umbra_org_keys *k, const struct umbra_bundle *b,
             size_t *n_replies, size_t *n_acks, size_t *n_events)
{
    struct gather g;
    char day[11], *text = NULL;
    size_t i;
    long ne = 0;
    int rc = -1, r;

    memset(&g, 0, sizeof g);
    outbox_init(&g.ob);
    snprintf(g.ob.org, sizeof g.ob.org, "%s", org);
    *n_replies = *n_acks = *n_events = 0;
    if (store_begin(s) != 0)
        return -1;
    r = store_outbox_each(s, again, gather_reply, gather_ack, &g);
    if (r != 0) {
        if (r > 0)
            case_err("cannot write an outbox: %s", g.why);
        goto out;
    }
    if (k != NULL &&
        team_seal_outgoing(s, k, b, again, gather_event, &g, &ne) != 0) {
        if (g.why[0])
            case_err("cannot write an outbox: %s", g.why);
        goto out;
    }
    if (g.ob.n_replies == 0 && g.ob.n_acks == 0 && g.ob.n_events == 0) {
        rc = 0;
        goto out;
    }
    umbra_today(day);
    text = outbox_dump(&g.ob, day);
    if (text == NULL) {
        case_err("out of memory");
        goto out;
    }
    for (i = 0; i < g.ob.n_replies; i++)
        if (store_outbox_reply_carried(s, g.ids[i]) != 0)
            goto out;
    for (i = 0; i < g.ob.n_acks; i++)
        if (store_outbox_ack_carried(s, g.ob.acks[i]) != 0)
            goto out;
    for (i = 0; i < g.ob.n_events; i++)
        if (store_team_sent(s, g.evd[i], 2) != 0)
            goto out;
    if (case_write_atomic(path, text, strlen(text), 0600) != 0) {
        case_err("cannot write '%s': %s", path, strerror(errno));
        goto out;
    }
    if (store_commit(s) != 0) {
        case_err("wrote '%s' but could not mark its contents carried; it "
                 "is complete, carry it out",
                 path);
        goto out_nr;
    }
    *n_replies = g.ob.n_replies;
    *n_acks = g.ob.n_acks;
    *n_events = g.ob.n_events;
    rc = 0;
    goto out_nr;
out:
    store_rollback(s);
out_nr:
    free(text);
    free(g.ids);
    free(g.evd);
    outbox_free(&g.ob);
    return rc;
}

static int
push_out(struct case_env *e, const char *path, int again)
{
    char pub[CASE_PATH_MAX];
    struct umbra_bundle b;
    size_t nr, na, ne;

    if (strlen(path) >= CASE_PATH_MAX - 8) {
        case_err("--out path too long");
        return CASE_FAIL;
    }
    if (case_setup(e) != 0 ||
        case_path(pub, sizeof pub, e->o, "public.json") != 0 ||
        case_load_bundle(&b, pub) != 0)
        return CASE_FAIL;
    if (outbox_write(e->store, b.org, path, again, e->keys, &b, &nr, &na,
                     &ne) != 0)
        return CASE_FAIL;
    if (nr == 0 && na == 0 && ne == 0) {
        printf("Nothing to carry out: no reply waiting and nothing to "
               "delete from the server%s.\n",
               again ? "" : " (--again writes what was carried before)");
        return CASE_OK;
    }
    if (ne > 0)
        printf("Wrote %zu case %s of the team.\n", ne, CASE_PL(ne, "event"));
    printf("Wrote %zu %s and %zu %s to '%s'.\n"
           "Carry it to the online computer and run there:\n"
           "  umbra-case push --from FILE --server URL --token-file FILE\n",
           nr, case_plural((long long)nr, "reply", "replies"), na,
           case_plural((long long)na, "deletion", "deletions"), path);
    return CASE_OK;
}

/* ---- push --from: the online computer ---------------------------------- */

/* The server's options (verbs_sync.c reads them the same way, for push
 * itself; not shared, so that verbs_sync.c can hand push --out and
 * --from over to this file without a circle of includes). */
struct from_args {
    const char *server, *token_file, *from, *proxy;
};

struct sent {
    uint8_t (*v)[32];
    size_t n;
    int fd;
};

static int
cmp32(const void *a, const void *b)
{
    return memcmp(a, b, 32);
}

/* The home's outbox-sent file, read (sorted) and opened to append. */
static int
sent_open(struct sent *s, const struct case_opts *o)
{
    char path[CASE_PATH_MAX];
    uint8_t *buf = NULL;
    size_t len = 0, i, lines;

    memset(s, 0, sizeof *s);
    s->fd = -1;
    if (case_path(path, sizeof path, o, SENT_NAME) != 0)
        return -1;
    if (case_read_file(&buf, &len, path, SENT_MAX) != 0 && errno != ENOENT) {
        case_err("cannot read '%s': %s", path,
                 errno == EFBIG ? "too large" : strerror(errno));
        return -1;
    }
    lines = len / 65;
    s->v = malloc((lines ? lines : 1) * sizeof *s->v);
    if (s->v == NULL) {
        free(buf);
        case_err("out of memory");
        return -1;
    }
    for (i = 0; i < lines; i++)
        if (buf[i * 65 + 64] == '\n' &&
            sodium_hex2bin(s->v[s->n], 32, (const char *)buf + i * 65, 64, NULL,
                           NULL, NULL) == 0)
            s->n++;
    free(buf);
    qsort(s->v, s->n, 32, cmp32);
    s->fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
    if (s->fd < 0) {
        case_err("cannot write '%s': %s", path, strerror(errno));
        return -1;
    }
    return 0;
}

static int
sent_add(struct sent *s, const uint8_t d[32])
{
    char line[66];

    sodium_bin2hex(line, sizeof line, d, 32);
    line[64] = '\n';
    return write(s->fd, line, 65) == 65 && fsync(s->fd) == 0 ? 0 : -1;
}

static void
reply_digest(uint8_t d[32], const struct outbox_reply *r)
{
    crypto_generichash_state st;

    crypto_generichash_init(&st, NULL, 0, 32);
    crypto_generichash_update(&st, (const uint8_t *)r->mailbox, 64);
    crypto_generichash_update(&st, r->env, r->len);
    crypto_generichash_final(&st, d, 32);
}

/* One reply to the server: 1 sent, 0 refused (said), -1 stop (said). */
static int
send_reply(struct net *n, const struct outbox_reply *r)
{
    size_t bl =
        sodium_base64_encoded_len(r->len, sodium_base64_VARIANT_ORIGINAL);
    char *b64 = malloc(bl), *text = NULL;
    json_t *req = NULL, *body = NULL;
    long status = 0;
    int rc;

    if (b64 != NULL) {
        sodium_bin2base64(b64, bl, r->env, r->len,
                          sodium_base64_VARIANT_ORIGINAL);
        req = json_pack("{s:[{s:s,s:s}]}", "replies", "mailbox", r->mailbox,
                        "envelope", b64);
    }
    text = req ? json_dumps(req, JSON_COMPACT) : NULL;
    json_decref(req);
    free(b64);
    if (text == NULL) {
        case_err("out of memory");
        return -1;
    }
    rc = net_json(n, "/api/v1/sync/replies", text, &status, &body);
    free(text);
    if (rc != 0)
        rc = -1;
    else if (status != 201 && status != 200) {
        net_report(n, "a reply was refused", status, body);
        rc = 0;
    } else {
        rc = 1;
    }
    json_decref(body);
    return rc;
}

/* Deletes acks[0..k) on the server; adds to *deleted. 0 or -1 (said). */
static int
send_acks(struct net *n, char (*acks)[BFILE_ID_MAX + 1], size_t k,
          long *deleted)
{
    json_t *arr = json_array(), *req, *body = NULL, *d;
    char *text;
    long status = 0;
    size_t i;
    int r;

    for (i = 0; arr && i < k; i++)
        json_array_append_new(arr, json_string(acks[i]));
    req = arr ? json_pack("{s:o}", "ids", arr) : NULL;
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
    d = json_object_get(body, "deleted");
    if (r == 0 && (!json_is_integer(d) || json_integer_value(d) < 0 ||
                   json_integer_value(d) > (json_int_t)k)) {
        case_err("the server's answer to a deletion makes no sense");
        r = -1;
    }
    if (r == 0)
        *deleted += (long)json_integer_value(d);
    json_decref(body);
    return r != 0 ? -1 : 0;
}

/* Reads and checks the outbox at path against the home's organisation.
 * 0 or -1 (said in one line). */
static int
load_outbox(struct outbox *ob, const struct case_opts *o, const char *path)
{
    char pub[CASE_PATH_MAX], why[160];
    struct umbra_bundle b;
    uint8_t *buf = NULL;
    size_t len = 0;
    int err;

    if (case_path(pub, sizeof pub, o, "public.json") != 0 ||
        case_load_bundle(&b, pub) != 0)
        return -1;
    if (case_read_capped(&buf, &len, path, OUTBOX_FILE_MAX, "outbox",
                         "larger than 64 MiB; nothing was sent") != 0)
        return -1;
    err = outbox_parse(ob, buf, len, why, sizeof why);
    free(buf);
    if (err == OUTBOX_NOT)
        case_err("'%s' is not an outbox file", path);
    else if (err == OUTBOX_VERSION)
        case_err("outbox '%s' is in format %s, which this umbra-case does "
                 "not read (it reads %s); nothing was sent",
                 path, why, OUTBOX_FORMAT);
    else if (err == OUTBOX_CUT)
        case_err("outbox '%s' is %s; nothing was sent: write it again on the "
                 "offline laptop with 'push --out FILE --again'",
                 path, why);
    else if (err != OUTBOX_OK)
        case_err("outbox '%s' refused (%s); nothing was sent", path, why);
    else if (strcmp(ob->org, b.org) != 0) {
        case_err("outbox '%s' is for organisation '%s', this home is for "
                 "'%s'; nothing was sent",
                 path, ob->org, b.org);
        err = OUTBOX_BAD;
    }
    return err == OUTBOX_OK ? 0 : -1;
}

static int
push_from(struct case_env *e, const struct from_args *a)
{
    struct outbox ob;
    struct sent s = {NULL, 0, -1};
    struct net n;
    size_t i, sent = 0, before = 0, refused = 0, done = 0;
    long deleted = 0;
    int rc = CASE_FAIL, r = 0;

    memset(&n, 0, sizeof n);
    outbox_init(&ob);
    e->need = CASE_JOINED; /* no keys, no store: public.json only */
    if (case_setup(e) != 0 || load_outbox(&ob, e->o, a->from) != 0 ||
        sent_open(&s, e->o) != 0 ||
        net_open(&n, a->server, a->token_file, a->proxy) != 0)
        goto out;
    for (i = 0; i < ob.n_replies && r >= 0; i++) {
        uint8_t d[32];

        reply_digest(d, &ob.replies[i]);
        if (bsearch(d, s.v, s.n, 32, cmp32) != NULL) {
            before++;
            continue;
        }
        r = send_reply(&n, &ob.replies[i]);
        if (r == 1 && sent_add(&s, d) != 0) {
            case_err("cannot record a sent reply in the home: %s",
                     strerror(errno));
            r = -1;
        }
        sent += r == 1;
        refused += r == 0;
    }
    if (r < 0)
        goto out;
    while (done < ob.n_acks) {
        size_t k = ob.n_acks - done > 1000 ? 1000 : ob.n_acks - done;

        if (send_acks(&n, ob.acks + done, k, &deleted) != 0)
            goto out;
        done += k;
    }
    for (i = 0; i < ob.n_events; i++) {
        json_t *body = NULL;
        long status = 0;

        if (net_post_bytes(&n, "/api/v1/sync/events", ob.events[i].env,
                           ob.events[i].len, &status, &body) != 0)
            goto out;
        if (status != 201 && status != 200) {
            net_report(&n, "a case event was refused", status, body);
            json_decref(body);
            goto out;
        }
        json_decref(body);
    }
    if (ob.n_events > 0)
        printf("Sent %zu case %s of the team.\n", ob.n_events,
               CASE_PL(ob.n_events, "event"));
    printf("Sent %zu %s (%zu sent before from this home, skipped); %zu "
           "refused.\nThe server deleted %ld %s (%zu acknowledged).\n",
           sent, case_plural((long long)sent, "reply", "replies"), before,
           refused, deleted, CASE_PL(deleted, "report"), done);
    rc = refused == 0 ? CASE_OK : CASE_FAIL;
out:
    if (s.fd >= 0)
        close(s.fd);
    free(s.v);
    outbox_free(&ob);
    net_release(&n);
    return rc;
}

int
verb_push_outbox(struct case_env *e, int argc, char **argv)
{
    const char *out = NULL, *again = NULL;
    struct from_args a;
    struct args r;
    int k;
    const struct args_keep keep[] = {{'o', &out},          {'f', &a.from},
                                     {'a', &again},        {'s', &a.server},
                                     {'t', &a.token_file}, {'p', &a.proxy}};

    memset(&a, 0, sizeof a);
    if (case_help(OUTBOX_USAGE, argc, argv))
        return CASE_OK;
    args_init(&r, argc, argv, OPTS);
    while ((k = args_next(&r)) != ARGS_END) {
        if (!args_keep(keep, 6, k, k == 'a' ? "1" : r.val)) {
            args_why(&r, k);
            return case_usage(OUTBOX_USAGE);
        }
        if (k != 'a' && r.val[0] == 0) {
            case_err("an option of push is empty");
            return case_usage(OUTBOX_USAGE);
        }
    }
    if (out != NULL && a.from != NULL) {
        case_err("push takes --out (offline laptop) or --from (online "
                 "computer), not both");
        return case_usage(OUTBOX_USAGE);
    }
    if (out != NULL) {
        if (a.server || a.token_file || a.proxy) {
            case_err("push --out needs no server: it writes a file");
            return case_usage(OUTBOX_USAGE);
        }
        return push_out(e, out, again != NULL);
    }
    if (again != NULL || a.server == NULL || a.token_file == NULL) {
        case_err("push --from needs --server URL and --token-file FILE "
                 "(and takes no --again)");
        return case_usage(OUTBOX_USAGE);
    }
    return push_from(e, &a);
}
