/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * verbs_team: team share --member NAME — the history of the open cases
 * passed on to a member who joined later (docs/protocol.md section 11,
 * type "share").
 *
 * A member added later cannot open the events written before: they were
 * sealed to the bundle of that time. Any member who has them (the key
 * holder by default) runs `team share --member NAME`: for each open case
 * with a uid, one or more events of type "share" by this home, whose body
 * carries the case's signed events as they were written ({"member",
 * "events": [{"author", "event", "signature"}]}), queued for the next
 * push and so sealed to the current bundle, the new member's key
 * included. The first share of a case carries its report ({"report":
 * {"received", "doc": base64 of the document}}), so that a member who
 * cannot open the report's envelope (sealed before it was added) gets the
 * case, with the same uid. Every member's import checks each carried
 * event as if it came alone (signature, author a member of its bundle,
 * organisation, case) and adds the new ones; the others already have
 * them, and a member who has the case ignores the report.
 */
#include "case.h"
#include "store.h"
#include "team.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char TEAM_USAGE[] =
    "usage: umbra-case [--home DIR] team share --member NAME\n"
    "\n"
    "Passes the history of every open case (the team's case events, as\n"
    "signed by their authors) on to NAME, a member who joined after it was\n"
    "written: queued as events for the next 'umbra-case push', sealed to\n"
    "every key of DIR/public.json, which must list NAME already (run it\n"
    "after 'keys add-member' and, in a member home, 'keys join'). Each\n"
    "case's report goes with it (sealed the same way), so that NAME can\n"
    "read the cases whose reports were sealed before NAME was added.\n";

/* Share bodies are cut at about this many bytes of carried events. */
#define SHARE_CHUNK 200000u

struct share {
    struct store *s;
    const char *member, *uid;
    json_t *events;
    json_t *report; /* the case's report, for the first share */
    long reports;
    size_t bytes;
    long nevents, nshares;
    int failed;
};

static int
flush(struct share *sh)
{
    json_t *body;

    if (json_array_size(sh->events) == 0 && sh->report == NULL)
        return 0;
    /* the body takes the list; a new one gathers the next share's */
    body = json_pack("{s:s, s:o}", "member", sh->member, "events",
                     sh->events);
    sh->events = json_array();
    if (body == NULL || sh->events == NULL) {
        json_decref(body);
        return -1;
    }
    if (sh->report != NULL) {
        json_object_set_new(body, "report", sh->report);
        sh->report = NULL;
        sh->reports++;
    }
    sh->bytes = 0;
    if (team_emit(sh->s, sh->uid, "share", body) != 0)
        return -1;
    sh->nshares++;
    return 0;
}

/* The report of the case (its document, the day it was received), in a
 * share of its own, for a member who cannot open its envelope. */
static int
report_row(void *ctx, const struct store_row *r, const uint8_t *doc,
           size_t len, const char *mailbox_id)
{
    struct share *sh = ctx;
    size_t bl = sodium_base64_encoded_len(len, sodium_base64_VARIANT_ORIGINAL);
    char *b64;

    (void)mailbox_id;
    if (doc == NULL || len == 0 || bl > SHARE_CHUNK)
        return 0; /* too large to travel in an event: left out */
    b64 = malloc(bl);
    if (b64 == NULL)
        return -1;
    sodium_bin2base64(b64, bl, doc, len, sodium_base64_VARIANT_ORIGINAL);
    sh->report = json_pack("{s:s, s:s}", "received", r->received, "doc", b64);
    sodium_memzero(b64, bl);
    free(b64);
    return sh->report == NULL ? -1 : 0;
}

static int
add_event(void *ctx, const uint8_t author[32], const char *text,
          const uint8_t sig[64])
{
    struct share *sh = ctx;
    char a64[64], s64[128];

    if (strlen(text) > SHARE_CHUNK)
        return 0; /* cannot travel in one share: left out */
    if (sh->bytes + strlen(text) > SHARE_CHUNK && flush(sh) != 0)
        return -1;
    sodium_bin2base64(a64, sizeof a64, author, 32,
                      sodium_base64_VARIANT_ORIGINAL);
    sodium_bin2base64(s64, sizeof s64, sig, 64,
                      sodium_base64_VARIANT_ORIGINAL);
    if (json_array_append_new(sh->events,
                              json_pack("{s:s, s:s, s:s}", "author", a64,
                                        "event", text, "signature", s64)))
        return -1;
    sh->bytes += strlen(text) + 200;
    sh->nevents++;
    return 0;
}

struct uids {
    char (*v)[33];
    size_t n, cap;
};

static int
collect_uid(void *ctx, const char *uid)
{
    struct uids *u = ctx;

    if (strlen(uid) != 32)
        return 0;
    if (u->n == u->cap) {
        size_t nc = u->cap ? 2 * u->cap : 64;
        void *nv = realloc(u->v, nc * sizeof *u->v);

        if (nv == NULL)
            return -1;
        u->v = nv;
        u->cap = nc;
    }
    memcpy(u->v[u->n++], uid, 33);
    return 0;
}

/* 1 if the home's bundle names member as a signer of events. */
static int
member_listed(const struct case_opts *o, const char *member)
{
    struct umbra_bundle b;
    char pub[CASE_PATH_MAX];
    unsigned i;

    if (case_path(pub, sizeof pub, o, "public.json") != 0 ||
        case_load_bundle(&b, pub) != 0)
        return -1;
    for (i = 0; i < b.nsigners; i++)
        if (strcmp(b.signers[i].name, member) == 0 &&
            (b.signers[i].may & UMBRA_MAY_EVENTS))
            return 1;
    return 0;
}

int
verb_team(struct case_env *e, int argc, char **argv)
{
    struct share sh;
    struct uids u = {NULL, 0, 0};
    const char *member = NULL;
    size_t i;
    int rc = CASE_FAIL, r;

    if (case_help(TEAM_USAGE, argc, argv))
        return CASE_OK;
    if (argc < 2 || argv[1][0] == '-') {
        if (argc < 2)
            case_err("team needs a sub-command first: share");
        else
            case_err("team needs a sub-command before '%s': share", argv[1]);
        return case_usage(TEAM_USAGE);
    }
    if (strcmp(argv[1], "share") != 0) {
        case_err("unknown team sub-command '%s'; the one there is: share",
                 argv[1]);
        return case_usage(TEAM_USAGE);
    }
    for (i = 2; i < (size_t)argc; i++) {
        if (strcmp(argv[i], "--member") == 0 && i + 1 < (size_t)argc &&
            member == NULL)
            member = argv[++i];
        else {
            case_err("team share does not take '%s'", argv[i]);
            return case_usage(TEAM_USAGE);
        }
    }
    if (member == NULL) {
        case_err("team share needs --member NAME");
        return case_usage(TEAM_USAGE);
    }
    if (!umbra_member_name_valid(member, strlen(member))) {
        case_err("--member must be 1 to 64 bytes without control characters");
        return case_usage(TEAM_USAGE);
    }
    r = member_listed(e->o, member);
    if (r < 0)
        return CASE_FAIL;
    if (r == 0) {
        case_err("public.json does not list a member named '%s'; add the "
                 "member first ('keys add-member', then 'keys join' in "
                 "member homes)",
                 member);
        return CASE_FAIL;
    }
    if (case_setup(e) != 0)
        return CASE_FAIL;
    memset(&sh, 0, sizeof sh);
    sh.s = e->store;
    sh.member = member;
    sh.events = json_array();
    if (sh.events == NULL || store_begin(e->store) != 0)
        goto out;
    if (store_team_open_cases(e->store, collect_uid, &u) != 0)
        goto fail;
    for (i = 0; i < u.n; i++) {
        int64_t id = 0;

        sh.uid = u.v[i];
        if (store_team_case_id(e->store, u.v[i], &id) != 0 ||
            store_get_case(e->store, id, report_row, &sh) < 0 ||
            flush(&sh) != 0 ||
            store_team_signed(e->store, u.v[i], add_event, &sh) != 0 ||
            flush(&sh) != 0)
            goto fail;
    }
    if (store_commit(e->store) != 0)
        goto out;
    printf("Queued %ld %s carrying %ld %s and %ld case %s of %zu open %s "
           "for '%s'; send them with 'umbra-case push'.\n",
           sh.nshares, CASE_PL(sh.nshares, "share"), sh.reports,
           CASE_PL(sh.reports, "report"), sh.nevents,
           CASE_PL(sh.nevents, "event"), u.n, CASE_PL(u.n, "case"), member);
    rc = CASE_OK;
    goto out;
fail:
    case_err("cannot queue the shares: %s", store_errmsg(e->store));
    store_rollback(e->store);
out:
    json_decref(sh.events);
    json_decref(sh.report);
    free(u.v);
    return rc;
}
