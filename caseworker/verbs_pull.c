/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * verbs_pull: pull — the organisation's new sealed reports from the server
 * into a bundle file, after checking the server's key bundle
 * (pull_check.c), never twice the same report (pull_seen.c).
 */
#include "args.h"
#include "bfile.h"
#include "case.h"
#include "member_sync.h"
#include "net.h"
#include "progress.h"
#include "pull_check.h"
#include "pull_seen.h"
#include "team_sync.h"
#include "verbs_sync.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
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
    "again: it continues where it stopped and never adds a report twice.\n"
    "The team's case events (what the other caseworkers changed) come into\n"
    "the same file.\n";


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
verb_pull(struct case_env *e, int argc, char **argv)
{
    const struct case_opts *o = e->o;
    char pubpath[CASE_PATH_MAX], outpath[CASE_PATH_MAX], path[160];
    char aside[CASE_PATH_MAX + 8];
    struct umbra_bundle ours;
    struct sync_args a;
    struct progress pr;
    struct pull_pending pend = {0};
    struct seen seen = {NULL, 0, 0};
    struct bfile bf;
    struct net n;
    json_t *body = NULL, *waiting = NULL;
    uint8_t *env = NULL;
    long status, fetched = 0, before, skipped = 0, events = 0;
    uint64_t cursor;
    unsigned next_aside = 1;
    int rc = CASE_FAIL, more = 1, have_bf = 0, first = 1, recovered = 0;
    int progress_on = 0;

    memset(&n, 0, sizeof n);
    memset(&bf, 0, sizeof bf);
    aside[0] = 0;
    if (case_help(PULL_USAGE, argc, argv))
        return CASE_OK;
    if (sync_parse(&a, argc, argv, 1) != 0)
        return case_usage(PULL_USAGE);
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
    if (pull_check_server_key(&n, &ours) != 0)
        goto out;
    /* every pull claims the token for this home's key (member_sync.h) */
    if (member_claim(o, NULL, &n, ours.org) != 0)
        goto out;
    /* where the keys and the store are open already (the desk's sync), the
     * changes made here go out before the team's come in */
    if (e->keys != NULL && e->store != NULL) {
        long sent = 0;

        if (team_push_events(&n, e->store, e->keys, &ours, &sent) != 0)
            goto out;
        if (sent > 0)
            printf("Sent %ld case %s to the team.\n", sent,
                   CASE_PL(sent, "event"));
    }
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
            waiting = json_incref(json_object_get(body, "waiting"));
            pull_read_pending(&pend, body);
            pull_warn_quota(&n, &pend);
            pull_warn_expiring(&n, &pend);
            why = pull_cursor_wrong(&pend, body, cursor, &seen);
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
    /* the team's case events, into the same file */
    if (team_pull_events(&n, &bf, &events) != 0)
        goto out;
    printf("Pulled %ld new %s into %s (%ld in the file).\n", fetched,
           CASE_PL(fetched, "report"), a.out, bf.records - bf.events);
    if (events > 0)
        printf("Pulled %ld new case %s (%ld in the file).\n", events,
               CASE_PL(events, "event"), bf.events);
    if (aside[0] || skipped > 0)
        printf("Skipped %ld %s pulled before.%s%s%s\n", skipped,
               CASE_PL(skipped, "report"),
               aside[0] ? " The bundle pulled before is kept as " : "",
               aside, aside[0] ? ": import it as well." : "");
    if (fetched > 0 || events > 0 || bf.records > before || aside[0])
        printf("Next, on the computer with the key: umbra-case import %s\n",
               a.out);
    else if (pend.window > 0)
        pull_say_window(pend.window);
    member_print_waiting(waiting);
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
    seen_release(&seen);
    if (have_bf) {
        /* Leave no empty bundle behind a pull that fetched nothing. */
        int empty = rc != CASE_OK && bf.created && bf.records == 0;

        bfile_close(&bf);
        if (empty)
            (void)unlink(a.out);
    }
    json_decref(body);
    json_decref(waiting);
    net_release(&n);
    return rc;
}

