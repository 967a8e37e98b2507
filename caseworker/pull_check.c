/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * pull_check: what pull checks in the server's answers (see pull_check.h):
 * the key bundle it publishes, what it says it holds, and whether a
 * bundle's cursor can be right.
 */
#include "pull_check.h"
#include "bfile.h"
#include "case.h"
#include "net.h"
#include "pull_seen.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

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
int
pull_check_server_key(struct net *n, const struct umbra_bundle *ours)
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
                 "public key for '%s' (server fingerprint %s, %u %s; this "
                 "home: %s, %u %s). Someone may be trying to read future "
                 "reports, or public.json was not updated after 'keys add'. "
                 "Tell your organisation and the server operator now.",
                 n->base, ours->org, fp_theirs, theirs.nkeys,
                 CASE_PL(theirs.nkeys, "key"), fp_ours, ours->nkeys,
                 CASE_PL(ours->nkeys, "key"));
        goto out;
    }
    rc = 0;
out:
    free(text);
    json_decref(body);
    return rc;
}

uint64_t
pull_json_u64(const json_t *o, const char *key)
{
    const json_t *v = json_object_get(o, key);
    uint64_t n = 0;

    if (json_is_integer(v) && json_integer_value(v) >= 0)
        return (uint64_t)json_integer_value(v);
    if (json_is_string(v) && bfile_valid_id(json_string_value(v), &n))
        return n;
    return 0;
}

/* The server's "expiring" object; a day that is not YYYY-MM-DD is left
 * out (the server is not trusted to send text to the terminal). */
static void
read_expiring(struct pull_pending *p, json_t *x)
{
    const char *day;

    if (!json_is_object(x))
        return;
    p->expiring = pull_json_u64(x, "count");
    p->within_days = pull_json_u64(x, "within_days");
    p->retention_days = pull_json_u64(x, "retention_days");
    day = json_string_value(json_object_get(x, "first_day"));
    if (day && strlen(day) == 10) {
        for (size_t i = 0; i < 10; i++)
            if (i == 4 || i == 7 ? day[i] != '-'
                                 : (day[i] < '0' || day[i] > '9'))
                return;
        memcpy(p->expiring_day, day, 11);
    }
}

void
pull_read_pending(struct pull_pending *p, json_t *body)
{
    json_t *pe = json_object_get(body, "pending");
    json_t *q = json_object_get(body, "quota");

    memset(p, 0, sizeof *p);
    p->window = pull_json_u64(body, "intake_window");
    if (!json_is_object(pe))
        return;
    p->known = 1;
    p->count = pull_json_u64(pe, "count");
    p->bytes = pull_json_u64(pe, "bytes");
    p->max_id = pull_json_u64(pe, "max_id");
    if (json_is_object(q)) {
        p->quota_reports = pull_json_u64(q, "reports");
        p->quota_bytes = pull_json_u64(q, "bytes");
        p->quota_mailboxes = pull_json_u64(q, "mailboxes");
        p->quota_alerts = pull_json_u64(q, "alerts");
    }
    p->mailboxes = pull_json_u64(pe, "mailboxes");
    p->alerts = pull_json_u64(pe, "alerts");
    read_expiring(p, json_object_get(body, "expiring"));
}

void
pull_warn_expiring(const struct net *n, const struct pull_pending *p)
{
    if (p->expiring == 0)
        return;
    fprintf(stderr,
            "umbra-case: WARNING: ************************************\n"
            "umbra-case: WARNING: the server '%s' DELETES %llu report%s of "
            "this organisation within %llu days,\n"
            "umbra-case: WARNING: the first on %s (it keeps a report nobody "
            "acknowledged %llu days).\n"
            "umbra-case: WARNING: pull, import and ack now, or they are "
            "lost.\n"
            "umbra-case: WARNING: ************************************\n",
            n->base, (unsigned long long)p->expiring,
            p->expiring == 1 ? "" : "s",
            (unsigned long long)p->within_days,
            p->expiring_day[0] ? p->expiring_day : "an unknown day",
            (unsigned long long)p->retention_days);
}

/* After a pull that found nothing: reports reach the server's database
 * only at the boundaries of its intake window (docs/operations.md, "The
 * spool and the time of day"), so one sent a moment ago is not there yet.
 * Says when the next boundary is, in UTC. */
void
pull_say_window(uint64_t window)
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

/* A WARNING when the organisation holds 80 % of its quota of something
 * the server counts (what, e.g. "reply mailboxes") or more. Neither
 * mailboxes nor alerts are freed by ack but by the server's retention, so
 * the remedy is the host's: the option of `umbra-server org set` that
 * raises it. past: what stops at the quota. */
static void
warn_held(const struct net *n, uint64_t held, uint64_t quota,
          const char *what, const char *option, const char *past)
{
    if (quota == 0 || held < quota - quota / 5) /* below 80 % */
        return;
    fprintf(stderr,
            "umbra-case: WARNING: the server '%s' holds %llu %s for this "
            "organisation, %s its quota of %llu%s%s.\n"
            "umbra-case: WARNING: ask the server's operator to raise it "
            "(umbra-server org set %s); old ones go only with the server's "
            "retention.\n",
            n->base, (unsigned long long)held, what,
            held >= quota ? "at or over" : "near",
            (unsigned long long)quota, held >= quota ? ": " : "",
            held >= quota ? past : "", option);
}

/* One line when the organisation is at 80 % of its quota or over it. */
void
pull_warn_quota(const struct net *n, const struct pull_pending *p)
{
    unsigned pr = 0, pb = 0, pc;

    if (!p->known)
        return;
    /* mailboxes: schema 013; alerts and withdrawals: 016 and 017 */
    warn_held(n, p->mailboxes, p->quota_mailboxes, "reply mailboxes",
              "--max-mailboxes", "reporters can no longer ask for a reply");
    warn_held(n, p->alerts, p->quota_alerts, "alerts and withdrawals",
              "--max-alerts",
              "a new alert is refused (withdrawing one still works)");
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
const char *
pull_cursor_wrong(const struct pull_pending *p, json_t *body, uint64_t cursor,
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

