/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * verbs_sync: pull, import, push, ack — moving sealed reports and replies
 * between the server and the home.
 */
#include "bfile.h"
#include "case.h"
#include "import.h"
#include "net.h"
#include "progress.h"
#include "store.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/file.h>
#include <unistd.h>

#include <sodium.h>

static const char PULL_USAGE[] =
    "usage: umbra-case [--home DIR] pull --server URL --token-file FILE\n"
    "           [--out BUNDLE] [--proxy socks5h://127.0.0.1:9050]\n"
    "\n"
    "Fetches the organisation's new sealed reports from the server into a\n"
    "bundle file (default DIR/incoming.umbrabundle). Needs no passphrase:\n"
    "it can run on an online machine and the bundle be carried to the\n"
    "offline one. First checks that the server publishes exactly this\n"
    "home's public key bundle and refuses if not. Safe to interrupt and run\n"
    "again: it continues where it stopped and never adds a report twice.\n";

static const char IMPORT_USAGE[] =
    "usage: umbra-case [--home DIR] import [--retry-unopened] [BUNDLE]\n"
    "\n"
    "Opens every report of a bundle file (default DIR/incoming.umbrabundle)\n"
    "into the case store. Safe to run twice and to interrupt: each report is\n"
    "imported exactly once. Documents that are malformed or hostile go to\n"
    "the quarantine list ('umbra-case quarantine') with the reason.\n"
    "--retry-unopened tries again the reports this home could not open\n"
    "(after a key file with more keys was copied here).\n";

static const char PUSH_USAGE[] =
    "usage: umbra-case [--home DIR] push --server URL --token-file FILE\n"
    "           [--proxy URL]\n"
    "\n"
    "Uploads the replies queued with 'umbra-case reply'. The reporter reads\n"
    "them on the server's check page with their receipt.\n";

static const char ACK_USAGE[] =
    "usage: umbra-case [--home DIR] ack --server URL --token-file FILE\n"
    "           [--proxy URL]\n"
    "\n"
    "Deletes from the server the reports that were imported here (cases and\n"
    "quarantined documents), so that the server keeps nothing it no longer\n"
    "needs. Reports not sealed to this home's keys are left on the server.\n";

struct sync_args {
    const char *server, *token_file, *out, *proxy;
};

static int
parse_sync(struct sync_args *a, int argc, char **argv, int allow_out)
{
    int i;

    memset(a, 0, sizeof *a);
    for (i = 1; i < argc; i++) {
        const char *v = NULL;
        int m;

        if ((m = case_opt("--server", argc, argv, &i, &v)) != 0)
            a->server = v;
        else if ((m = case_opt("--token-file", argc, argv, &i, &v)) != 0)
            a->token_file = v;
        else if ((m = case_opt("--proxy", argc, argv, &i, &v)) != 0)
            a->proxy = v;
        else if (allow_out && (m = case_opt("--out", argc, argv, &i, &v)) != 0)
            a->out = v;
        else
            return -1;
        if (m < 0 || v == NULL || v[0] == 0)
            return -1;
    }
    return a->server && a->token_file ? 0 : -1;
}

static int
sync_connect(struct net *n, const struct sync_args *a)
{
    char token[NET_TOKEN_MAX];
    int rc;

    if (case_read_token(token, sizeof token, a->token_file) != 0)
        return -1;
    rc = net_init(n, a->server, token, a->proxy);
    sodium_memzero(token, sizeof token);
    return rc;
}

/* 1 if the two bundles hold the same org, signing key and key set. */
static int
same_bundle(const struct umbra_bundle *a, const struct umbra_bundle *b)
{
    unsigned i, j;

    if (strcmp(a->org, b->org) != 0 || a->nkeys != b->nkeys ||
        sodium_memcmp(a->sign_pk, b->sign_pk, 32) != 0)
        return 0;
    for (i = 0; i < a->nkeys; i++) {
        int found = 0;

        for (j = 0; j < b->nkeys; j++)
            if (memcmp(a->keys[i].pk, b->keys[j].pk, 32) == 0)
                found = 1;
        if (!found)
            return 0;
    }
    return 1;
}

/* Checks the server's published bundle against ours; prints the refusal. */
static int
check_server_key(struct net *n, const struct umbra_bundle *ours)
{
    char path[128], fp_ours[UMBRA_FINGERPRINT_LEN + 1];
    char fp_theirs[UMBRA_FINGERPRINT_LEN + 1];
    struct umbra_bundle theirs;
    json_t *body = NULL, *jb;
    char *text = NULL;
    long status = 0;
    int rc = -1, err;

    snprintf(path, sizeof path, "/api/v1/orgs/%s", ours->org);
    if (net_public_json(n, path, &status, &body) != 0)
        return -1;
    if (status == 404) {
        case_err("the server '%s' does not know organisation '%s'; give "
                 "public.json to its operator ('umbra-server org add')",
                 n->base, ours->org);
        goto out;
    }
    if (status != 200) {
        net_report(n, "cannot read the organisation's keys", status, body);
        goto out;
    }
    jb = json_object_get(body, "bundle");
    text = jb ? json_dumps(jb, JSON_COMPACT) : NULL;
    err = text ? umbra_bundle_parse(&theirs, text, strlen(text))
               : UMBRA_ERR_FORMAT;
    umbra_fingerprint(fp_ours, ours->sign_pk);
    if (err != 0) {
        case_err("REFUSING TO PULL: the server '%s' publishes no valid key "
                 "bundle for '%s' (%s). Reports may be sealed to a key that "
                 "is not yours. Tell your organisation and the server "
                 "operator now.",
                 n->base, ours->org, umbra_strerror(err));
        goto out;
    }
    if (case_bundle_not_older(&theirs, ours, n->base) != 0)
        goto out;
    if (!same_bundle(ours, &theirs)) {
        umbra_fingerprint(fp_theirs, theirs.sign_pk);
        case_err("REFUSING TO PULL: the server '%s' publishes a different "
                 "public key for '%s' (server fingerprint %s, %u keys; this "
                 "home: %s, %u keys). Someone may be trying to read future "
                 "reports, or public.json was not updated after 'keys add'. "
                 "Tell your organisation and the server operator now.",
                 n->base, ours->org, fp_theirs, theirs.nkeys, fp_ours,
                 ours->nkeys);
        goto out;
    }
    rc = 0;
out:
    free(text);
    json_decref(body);
    return rc;
}

/*
 * What this home has pulled: (server id, SHA-256 of the envelope) of every
 * record in the bundle file and in the earlier bundles a recovery set
 * aside (PATH.1, PATH.2, ...). An open-addressing set of pairs, hashed by
 * digest (envelopes are random ciphertext). A pair, not the digest alone:
 * the same envelope stored twice under two ids (a sender's retry) is two
 * reports on the server, each to be imported and acknowledged.
 */
struct seen_entry {
    uint8_t sha[32];
    uint64_t id;
    int used;
};

struct seen {
    struct seen_entry *v;
    size_t n, cap;
};

static size_t
seen_slot(const struct seen *s, const uint8_t sha[32], uint64_t id)
{
    uint64_t h;
    size_t i;

    memcpy(&h, sha, sizeof h);
    for (i = (size_t)h & (s->cap - 1);
         s->v[i].used &&
         (s->v[i].id != id || memcmp(s->v[i].sha, sha, 32) != 0);
         i = (i + 1) & (s->cap - 1))
        ;
    return i;
}

/* 1 if the pair is in the set, else 0. */
static int
seen_has(const struct seen *s, const uint8_t sha[32], uint64_t id)
{
    return s->cap > 0 && s->v[seen_slot(s, sha, id)].used;
}

/* Adds a pair (the set kept at most half full). 0 or -1 (out of memory). */
static int
seen_add(struct seen *s, const uint8_t sha[32], uint64_t id)
{
    size_t i;

    if ((s->n + 1) * 2 > s->cap) {
        struct seen old = *s;
        size_t nc = s->cap ? s->cap * 2 : 1024;

        s->v = calloc(nc, sizeof *s->v);
        if (s->v == NULL) {
            *s = old;
            return -1;
        }
        s->cap = nc;
        s->n = 0;
        for (i = 0; i < old.cap; i++)
            if (old.v[i].used)
                (void)seen_add(s, old.v[i].sha, old.v[i].id);
        free(old.v);
    }
    i = seen_slot(s, sha, id);
    if (!s->v[i].used) {
        memcpy(s->v[i].sha, sha, 32);
        s->v[i].id = id;
        s->v[i].used = 1;
        s->n++;
    }
    return 0;
}

/* Adds every record of the bundle file at path. 0, 1 if there is no such
 * file, -1 (printed). */
static int
seen_load(struct seen *s, const char *path)
{
    struct bfile bf;
    uint8_t sha[32];
    int r;

    if (access(path, F_OK) != 0 && errno == ENOENT)
        return 1;
    if (bfile_open_read(&bf, path) != 0)
        return -1;
    while ((r = bfile_next(&bf)) == 0) {
        crypto_hash_sha256(sha, bf.rec.env, bf.rec.env_len);
        if (seen_add(s, sha, bf.rec.id_num) != 0) {
            bfile_close(&bf);
            case_err("out of memory");
            return -1;
        }
    }
    bfile_close(&bf);
    if (r < 0) {
        case_err("cannot read bundle file '%s': %s", path, strerror(errno));
        return -1;
    }
    return 0; /* a damaged tail: the records before it count */
}

#define PULL_SET_ASIDE_MAX 99

/*
 * Loads the bundle at path and the ones set aside beside it (path.1 ...)
 * into s; *next is the first free number for setting one aside. 0 or -1.
 */
static int
seen_load_all(struct seen *s, const char *path, unsigned *next)
{
    char p[CASE_PATH_MAX + 8];
    unsigned k;
    int r;

    if (seen_load(s, path) < 0)
        return -1;
    for (k = 1; k <= PULL_SET_ASIDE_MAX; k++) {
        snprintf(p, sizeof p, "%s.%u", path, k);
        r = seen_load(s, p);
        if (r < 0)
            return -1;
        if (r == 1)
            break;
    }
    *next = k;
    return 0;
}

/* What the server says it holds (absent in servers before 006). */
struct pending {
    int known;
    uint64_t count, bytes, max_id, quota_reports, quota_bytes;
    uint64_t window; /* the server's intake_window, seconds (0: none) */
};

static uint64_t
json_u64(json_t *o, const char *key)
{
    json_t *v = json_object_get(o, key);
    uint64_t n = 0;

    if (json_is_integer(v) && json_integer_value(v) >= 0)
        return (uint64_t)json_integer_value(v);
    if (json_is_string(v) && bfile_valid_id(json_string_value(v), &n))
        return n;
    return 0;
}

static void
read_pending(struct pending *p, json_t *body)
{
    json_t *pe = json_object_get(body, "pending");
    json_t *q = json_object_get(body, "quota");

    memset(p, 0, sizeof *p);
    p->window = json_u64(body, "intake_window");
    if (!json_is_object(pe))
        return;
    p->known = 1;
    p->count = json_u64(pe, "count");
    p->bytes = json_u64(pe, "bytes");
    p->max_id = json_u64(pe, "max_id");
    if (json_is_object(q)) {
        p->quota_reports = json_u64(q, "reports");
        p->quota_bytes = json_u64(q, "bytes");
    }
}

/* After a pull that found nothing: reports reach the server's database
 * only at the boundaries of its intake window (docs/operations.md, "The
 * spool and the time of day"), so one sent a moment ago is not there yet.
 * Says when the next boundary is, in UTC. */
static void
say_window(uint64_t window)
{
    time_t now = time(NULL), next;
    struct tm tm;
    char at[16] = "", every[48];

    if (window > 86400)
        return;
    next = (now / (time_t)window + 1) * (time_t)window;
    if (gmtime_r(&next, &tm))
        (void)strftime(at, sizeof at, "%H:%M:%S", &tm);
    if (window == 60 || window == 3600)
        snprintf(every, sizeof every, "every %s",
                 window == 60 ? "minute" : "hour");
    else if (window % 3600 == 0)
        snprintf(every, sizeof every, "every %llu hours",
                 (unsigned long long)(window / 3600));
    else if (window % 60 == 0)
        snprintf(every, sizeof every, "every %llu minutes",
                 (unsigned long long)(window / 60));
    else
        snprintf(every, sizeof every, "every %llu seconds",
                 (unsigned long long)window);
    printf("New reports reach the server's database %s; one sent since the "
           "last time arrives at %s UTC.\n", every, at);
}

/* One line when the organisation is at 80 % of its quota or over it. */
static void
warn_quota(const struct net *n, const struct pending *p)
{
    unsigned pr = 0, pb = 0, pc;

    if (!p->known)
        return;
    if (p->quota_reports > 0)
        pr = (unsigned)(p->count >= p->quota_reports
                            ? 100 + (p->count > p->quota_reports)
                            : p->count * 100 / p->quota_reports);
    if (p->quota_bytes > 0)
        pb = (unsigned)(p->bytes >= p->quota_bytes
                            ? 100 + (p->bytes > p->quota_bytes)
                            : p->bytes / (p->quota_bytes / 100 + 1));
    pc = pr > pb ? pr : pb;
    if (pc < 80)
        return;
    fprintf(stderr,
            "umbra-case: warning: the server '%s' holds %llu reports "
            "(%llu MiB) for this organisation, %s its quota (%llu reports, "
            "%llu MiB)%s; pull, import and ack now\n",
            n->base, (unsigned long long)p->count,
            (unsigned long long)(p->bytes >> 20),
            pc >= 100 ? "at or over" : "near",
            (unsigned long long)p->quota_reports,
            (unsigned long long)(p->quota_bytes >> 20),
            pc >= 100 ? ": it refuses new reports until some are deleted"
                      : "");
}

/*
 * Why the cursor (the bundle's largest id) cannot be right, or NULL: the
 * server holds, at or below the cursor, a report this home never pulled
 * (an earlier answer gave a false id such as 2^63-1, or a restored backup
 * gives ids out again), or holds reports but none as high as the cursor
 * and more than its held list shows.
 */
static const char *
cursor_wrong(const struct pending *p, json_t *body, uint64_t cursor,
             const struct seen *s)
{
    json_t *held = json_object_get(body, "held"), *h;
    size_t i;

    if (cursor == 0 || !p->known)
        return NULL;
    /* Reports left below the cursor (not for this home, so not acked)
     * are fine when held shows that each was pulled. */
    if (p->count > 0 && p->max_id < cursor &&
        json_array_size(held) < p->count)
        return "it holds no report as high as this bundle's last id";
    json_array_foreach(held, i, h)
    {
        const char *hex = json_string_value(json_object_get(h, "sha256"));
        const char *id = json_string_value(json_object_get(h, "id"));
        uint8_t sha[32];
        uint64_t num = 0;
        size_t len = 0;

        if (hex == NULL || id == NULL || !bfile_valid_id(id, &num) ||
            sodium_hex2bin(sha, sizeof sha, hex, strlen(hex), NULL, &len,
                           NULL) != 0 ||
            len != sizeof sha)
            continue;
        if (!seen_has(s, sha, num))
            return "it holds reports up to this bundle's last id that this "
                   "home never pulled";
    }
    return NULL;
}

/* Sets the bundle at path aside as path.k; 0 or -1 (printed). */
static int
set_aside(const char *path, unsigned k, char *aside, size_t cap)
{
    if (k > PULL_SET_ASIDE_MAX) {
        case_err("too many bundles set aside beside '%s'; import them, "
                 "remove them and pull again",
                 path);
        return -1;
    }
    snprintf(aside, cap, "%s.%u", path, k);
    if (rename(path, aside) != 0) {
        case_err("cannot rename '%s': %s", path, strerror(errno));
        return -1;
    }
    return 0;
}

static int
open_locked(struct bfile *bf, const char *path, const char *org)
{
    if (bfile_open_append(bf, path, org) != 0)
        return -1;
    if (flock(fileno(bf->f), LOCK_EX | LOCK_NB) != 0) {
        case_err("another pull is writing to '%s'; wait for it", path);
        bfile_close(bf);
        return -1;
    }
    return 0;
}

int
verb_pull(const struct case_opts *o, int argc, char **argv)
{
    char pubpath[CASE_PATH_MAX], outpath[CASE_PATH_MAX], path[160];
    char aside[CASE_PATH_MAX + 8];
    struct umbra_bundle ours;
    struct sync_args a;
    struct progress pr;
    struct pending pend = {0};
    struct seen seen = {NULL, 0, 0};
    struct bfile bf;
    struct net n;
    json_t *body = NULL;
    uint8_t *env = NULL;
    long status, fetched = 0, before, skipped = 0;
    uint64_t cursor;
    unsigned next_aside = 1;
    int rc = CASE_FAIL, more = 1, have_bf = 0, first = 1, recovered = 0;
    int progress_on = 0;

    memset(&n, 0, sizeof n);
    memset(&bf, 0, sizeof bf);
    aside[0] = 0;
    if (case_help(PULL_USAGE, argc, argv))
        return CASE_OK;
    if (parse_sync(&a, argc, argv, 1) != 0) {
        fputs(PULL_USAGE, stderr);
        return CASE_USAGE;
    }
    if (case_path(pubpath, sizeof pubpath, o, "public.json") != 0)
        return CASE_FAIL;
    if (a.out == NULL) {
        if (case_path(outpath, sizeof outpath, o, "incoming.umbrabundle") != 0)
            return CASE_FAIL;
        a.out = outpath;
    }
    if (strlen(a.out) >= CASE_PATH_MAX) {
        case_err("--out path too long");
        return CASE_FAIL;
    }
    if (case_load_bundle(&ours, pubpath) != 0)
        return CASE_FAIL;
    if (sync_connect(&n, &a) != 0)
        goto out;
    if (check_server_key(&n, &ours) != 0)
        goto out;
    if (open_locked(&bf, a.out, ours.org) != 0)
        goto out;
    have_bf = 1;
    if (seen_load_all(&seen, a.out, &next_aside) != 0)
        goto out;
    before = bf.records;
    cursor = bf.max_id;
    env = malloc(BFILE_ENVELOPE_MAX);
    if (env == NULL) {
        case_err("out of memory");
        goto out;
    }
    progress_start(&pr, "pull", progress_mode(), 0);
    progress_on = 1;
    while (more) {
        json_t *reports, *r;
        size_t i;
        uint64_t page_after = cursor;
        const char *why = NULL;

        snprintf(path, sizeof path,
                 "/api/v1/sync/reports?after=%llu&limit=500%s",
                 (unsigned long long)cursor,
                 first && cursor > 0 ? "&check=1" : "");
        json_decref(body);
        body = NULL;
        if (net_json(&n, path, NULL, &status, &body) != 0)
            goto out;
        if (status != 200) {
            progress_end(&pr);
            progress_on = 0;
            net_report(&n, "cannot fetch reports", status, body);
            goto out;
        }
        reports = json_object_get(body, "reports");
        if (!json_is_array(reports) ||
            !json_is_string(json_object_get(body, "org")) ||
            strcmp(json_string_value(json_object_get(body, "org")),
                   ours.org) != 0) {
            progress_end(&pr);
            progress_on = 0;
            case_err("the server '%s' sent an answer that is not a page of "
                     "reports for '%s'; nothing more was pulled",
                     n.base, ours.org);
            goto out;
        }
        more = json_is_true(json_object_get(body, "more"));
        if (json_array_size(reports) == 0)
            more = 0;
        if (first) {
            read_pending(&pend, body);
            warn_quota(&n, &pend);
            why = cursor_wrong(&pend, body, cursor, &seen);
        }
        first = 0;
        /* the ids of a page must rise, all above the cursor */
        json_array_foreach(reports, i, r)
        {
            const char *id = json_string_value(json_object_get(r, "id"));
            uint64_t num = 0;

            if (why == NULL && id != NULL && bfile_valid_id(id, &num) &&
                num <= page_after)
                why = "its report ids do not rise";
            if (num > page_after)
                page_after = num;
        }
        page_after = cursor;
        if (why != NULL) {
            progress_end(&pr);
            progress_on = 0;
            if (recovered) {
                case_err("the server '%s' still answers with reports that "
                         "do not follow on (%s); stopping (what was pulled "
                         "is kept)",
                         n.base, why);
                goto out;
            }
            /* Recover: set this bundle aside (nothing is lost: import it
             * too) and list the server from its first report, skipping
             * every envelope this home already has, by content. */
            if (bf.records > 0) {
                if (bfile_sync(&bf) != 0)
                    goto out_write;
                bfile_close(&bf);
                have_bf = 0;
                if (set_aside(a.out, next_aside, aside, sizeof aside) != 0)
                    goto out;
                next_aside++;
                if (open_locked(&bf, a.out, ours.org) != 0)
                    goto out;
                have_bf = 1;
            }
            fprintf(stderr,
                    "umbra-case: warning: the server '%s' does not match "
                    "this bundle's cursor (id %llu): %s (a restored backup, "
                    "or an earlier answer from a hostile server); pulling "
                    "again from its first report, skipping what this home "
                    "already has%s%s\n",
                    n.base, (unsigned long long)cursor, why,
                    aside[0] ? "; the bundle so far is kept as " : "",
                    aside);
            recovered = 1;
            cursor = 0;
            more = 1;
            progress_start(&pr, "pull", progress_mode(), 0);
            progress_on = 1;
            continue;
        }
        json_array_foreach(reports, i, r)
        {
            const char *id = json_string_value(json_object_get(r, "id"));
            const char *day = json_string_value(json_object_get(r, "day"));
            const char *b64 = json_string_value(json_object_get(r, "envelope"));
            uint64_t num = 0;
            size_t env_len = 0;
            uint8_t sha[32];

            if (id == NULL || day == NULL || b64 == NULL ||
                !bfile_valid_id(id, &num) ||
                sodium_base642bin(env, BFILE_ENVELOPE_MAX, b64, strlen(b64),
                                  NULL, &env_len, NULL,
                                  sodium_base64_VARIANT_ORIGINAL) != 0) {
                progress_end(&pr);
                progress_on = 0;
                case_err("the server '%s' sent a malformed report entry; "
                         "stopping (what was pulled is kept)",
                         n.base);
                goto out_sync;
            }
            cursor = num;
            crypto_hash_sha256(sha, env, env_len);
            if (seen_has(&seen, sha, num)) {
                skipped++; /* already pulled, into this or a set-aside
                            * bundle */
                continue;
            }
            if (bfile_append(&bf, id, day, env, env_len) != 0 ||
                seen_add(&seen, sha, num) != 0) {
                progress_end(&pr);
                progress_on = 0;
                case_err("cannot write '%s': %s", a.out,
                         errno == EINVAL ? "bad report entry from the server"
                                         : strerror(errno));
                goto out_sync;
            }
            fetched++;
        }
        if (bfile_sync(&bf) != 0)
            goto out_write;
        progress_update(&pr, 0, (uint64_t)fetched, (uint64_t)fetched);
        if (more && cursor == page_after) {
            /* A server that says "more" without moving the cursor would
             * keep us asking for ever. */
            progress_end(&pr);
            progress_on = 0;
            case_err("the server '%s' says more reports are waiting but "
                     "sent none after %llu; stopping (what was pulled is "
                     "kept)",
                     n.base, (unsigned long long)page_after);
            goto out;
        }
    }
    progress_end(&pr);
    progress_on = 0;
    printf("Pulled %ld new reports into %s (%ld in the file).\n", fetched,
           a.out, bf.records);
    if (aside[0] || skipped > 0)
        printf("Skipped %ld reports pulled before.%s%s%s\n", skipped,
               aside[0] ? " The bundle pulled before is kept as " : "",
               aside, aside[0] ? ": import it as well." : "");
    if (fetched > 0 || bf.records > before || aside[0])
        printf("Next, on the computer with the key: umbra-case import %s\n",
               a.out);
    else if (pend.window > 0)
        say_window(pend.window);
    rc = CASE_OK;
    goto out;
out_write:
    if (progress_on)
        progress_end(&pr);
    progress_on = 0;
    case_err("cannot write '%s': %s", a.out, strerror(errno));
    goto out;
out_sync:
    if (bfile_sync(&bf) != 0)
        case_err("cannot write '%s': %s", a.out, strerror(errno));
out:
    if (progress_on)
        progress_end(&pr);
    free(env);
    free(seen.v);
    if (have_bf) {
        /* Leave no empty bundle behind a pull that fetched nothing. */
        int empty = rc != CASE_OK && bf.created && bf.records == 0;

        bfile_close(&bf);
        if (empty)
            (void)unlink(a.out);
    }
    json_decref(body);
    net_release(&n);
    return rc;
}

int
verb_import(const struct case_opts *o, int argc, char **argv)
{
    char inpath[CASE_PATH_MAX];
    struct umbra_org_keys *k = NULL;
    struct import_counts c;
    struct import_keys ik;
    struct store *s = NULL;
    const char *path = NULL;
    int rc = CASE_FAIL, retry = 0, i;

    memset(&c, 0, sizeof c);
    if (case_help(IMPORT_USAGE, argc, argv))
        return CASE_OK;
    for (i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--retry-unopened") == 0) {
            retry = 1;
        } else if (argv[i][0] != '-' && path == NULL) {
            path = argv[i];
        } else {
            fputs(IMPORT_USAGE, stderr);
            return CASE_USAGE;
        }
    }
    if (path == NULL) {
        if (case_path(inpath, sizeof inpath, o, "incoming.umbrabundle") != 0)
            return CASE_FAIL;
        path = inpath;
    }
    if (case_load_keys(&k, o) != 0)
        goto out;
    if (case_store_open(&s, o->home, k->store_key, 1) != 0)
        goto out;
    if (retry) {
        long n = 0;

        if (store_begin(s) != 0 || store_forget_unopened(s, &n) != 0 ||
            store_commit(s) != 0) {
            store_rollback(s);
            goto out;
        }
        printf("Trying again %ld reports not opened before.\n", n);
    }
    import_keys_from(&ik, k);
    if (import_bundle(s, &c, &ik, path, progress_mode()) != 0)
        goto summary;
    rc = CASE_OK;
summary:
    printf("Imported %ld new cases from %ld reports; %ld quarantined, %ld "
           "not for this home, %ld already imported.\n",
           c.cases, c.records, c.quarantined, c.unopened, c.skipped);
    if (c.quarantined + c.unopened > 0)
        printf("See 'umbra-case quarantine' for the refused ones.\n");
out:
    store_close(s);
    umbra_org_keys_free(k);
    return rc;
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

int
verb_push(const struct case_opts *o, int argc, char **argv)
{
    struct reply_list l = {NULL, 0, 0};
    struct sync_args a;
    struct store *s = NULL;
    struct net n;
    size_t i, sent = 0, failed = 0;
    int rc = CASE_FAIL;

    memset(&n, 0, sizeof n);
    if (case_help(PUSH_USAGE, argc, argv))
        return CASE_OK;
    if (parse_sync(&a, argc, argv, 0) != 0) {
        fputs(PUSH_USAGE, stderr);
        return CASE_USAGE;
    }
    if (case_open_store(&s, o, 1) != 0)
        goto out;
    if (store_replies_pending(s, collect_reply, &l) != 0) {
        case_err("cannot read the queued replies");
        goto out;
    }
    if (l.n == 0) {
        printf("No replies waiting to be sent.\n");
        rc = CASE_OK;
        goto out;
    }
    if (sync_connect(&n, &a) != 0)
        goto out;
    for (i = 0; i < l.n; i++) {
        json_t *req = json_pack("{s:[{s:s,s:s}]}", "replies", "mailbox",
                                l.v[i].mailbox, "envelope", l.v[i].b64);
        json_t *body = NULL;
        char *text = req ? json_dumps(req, JSON_COMPACT) : NULL;
        long status = 0;
        int r;

        json_decref(req);
        if (text == NULL) {
            case_err("out of memory");
            goto out;
        }
        r = net_json(&n, "/api/v1/sync/replies", text, &status, &body);
        free(text);
        if (r != 0) {
            json_decref(body);
            goto summary;
        }
        if (status == 201 || status == 200) {
            if (store_begin(s) != 0 || store_reply_pushed(s, l.v[i].id) != 0 ||
                store_commit(s) != 0) {
                store_rollback(s);
                json_decref(body);
                goto summary;
            }
            sent++;
        } else {
            net_report(&n, "a reply was refused", status, body);
            failed++;
        }
        json_decref(body);
    }
summary:
    printf("Sent %zu replies; %zu refused; %zu not tried.\n", sent, failed,
           l.n - sent - failed);
    if (sent == l.n)
        rc = CASE_OK;
out:
    for (i = 0; i < l.n; i++)
        free(l.v[i].b64);
    free(l.v);
    store_close(s);
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

int
verb_ack(const struct case_opts *o, int argc, char **argv)
{
    struct id_list l = {NULL, 0, 0};
    struct sync_args a;
    struct store *s = NULL;
    struct net n;
    size_t i, done = 0;
    long deleted = 0;
    int rc = CASE_FAIL;

    memset(&n, 0, sizeof n);
    if (case_help(ACK_USAGE, argc, argv))
        return CASE_OK;
    if (parse_sync(&a, argc, argv, 0) != 0) {
        fputs(ACK_USAGE, stderr);
        return CASE_USAGE;
    }
    if (case_open_store(&s, o, 1) != 0)
        goto out;
    if (store_ack_pending(s, collect_id, &l) != 0) {
        case_err("cannot read the imported reports");
        goto out;
    }
    if (l.n == 0) {
        printf("Nothing to delete from the server.\n");
        rc = CASE_OK;
        goto out;
    }
    if (sync_connect(&n, &a) != 0)
        goto out;
    while (done < l.n) {
        size_t batch = l.n - done > 1000 ? 1000 : l.n - done;
        json_t *ids = json_array(), *req, *body = NULL;
        char *text;
        long status = 0;

        for (i = 0; i < batch; i++)
            json_array_append_new(ids, json_string(l.v[done + i]));
        req = json_pack("{s:o}", "ids", ids);
        text = req ? json_dumps(req, JSON_COMPACT) : NULL;
        json_decref(req);
        if (text == NULL) {
            case_err("out of memory");
            goto out;
        }
        i = (size_t)net_json(&n, "/api/v1/sync/ack", text, &status, &body);
        free(text);
        if (i != 0) {
            json_decref(body);
            goto out;
        }
        if (status != 200) {
            net_report(&n, "cannot delete reports", status, body);
            json_decref(body);
            goto out;
        }
        deleted += (long)json_integer_value(json_object_get(body, "deleted"));
        json_decref(body);
        if (store_begin(s) != 0)
            goto out;
        for (i = 0; i < batch; i++) {
            if (store_mark_acked(s, l.v[done + i]) != 0) {
                store_rollback(s);
                goto out;
            }
        }
        if (store_commit(s) != 0)
            goto out;
        done += batch;
    }
    printf("The server deleted %ld reports (%zu acknowledged).\n", deleted,
           done);
    rc = CASE_OK;
out:
    free(l.v);
    store_close(s);
    net_release(&n);
    return rc;
}
