/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * verbs_alert_pub: alert sign, withdraw, push and verify (verbs_alert.h):
 * what leaves the case store, and how anyone checks it.
 */
#include "alert_draft.h"
#include "alert_ops.h"
#include "alert_sig.h"
#include "case.h"
#include "net.h"
#include "store.h"
#include "verbs_alert.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>


int
alert_sign(struct case_env *e, const struct alert_args *a)
{
    struct umbra_bundle b;
    char why[512], expires[11];

    e->need = CASE_KEYS | CASE_STORE | CASE_WRITE;
    if (case_setup(e) != 0 || alert_home_bundle(&b, e->o) != 0)
        return CASE_FAIL;
    if (alert_op_sign(e->store, e->keys, &b, a->n, expires, why,
                      sizeof why) != 0) {
        case_err("alert %lld cannot be signed: %s", (long long)a->n, why);
        if (strstr(why, "translat") != NULL || strstr(why, "not valid"))
            fprintf(stderr, "Change it with 'umbra-case alert edit %lld'.\n",
                    (long long)a->n);
        return CASE_FAIL;
    }
    printf("Alert %lld signed (expires %s). Send it with 'umbra-case alert "
           "push'.\n",
           (long long)a->n, expires);
    return CASE_OK;
}

int
alert_withdraw(struct case_env *e, const struct alert_args *a)
{
    struct umbra_bundle b;
    char why[512];
    int64_t wn = 0;

    e->need = CASE_KEYS | CASE_STORE | CASE_WRITE;
    if (case_setup(e) != 0 || alert_home_bundle(&b, e->o) != 0)
        return CASE_FAIL;
    if (alert_op_withdraw(e->store, e->keys, &b, a->n, &wn, why,
                          sizeof why) != 0) {
        case_err("%s", why);
        return CASE_FAIL;
    }
    if (wn == 0)
        printf("Draft alert %lld deleted (it was never signed).\n",
               (long long)a->n);
    else
        printf("Alert %lld withdrawn: withdrawal %lld signed. Send it with "
               "'umbra-case alert push'.\n",
               (long long)a->n, (long long)wn);
    return CASE_OK;
}

/* ---- push ------------------------------------------------------------- */

struct to_push {
    int64_t n;
    char *file;
    char kind[16];
    char alert_id[33];
    int expired;
};

struct push_list {
    struct to_push *v;
    size_t n, cap;
};

static int
collect(void *ctx, const struct store_alert *r)
{
    struct push_list *l = ctx;
    json_t *b;
    struct to_push *p;

    if (!r->signed_file[0] || r->pushed[0])
        return 0;
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 8;
        struct to_push *v = realloc(l->v, cap * sizeof *v);

        if (v == NULL)
            return -1;
        l->v = v;
        l->cap = cap;
    }
    p = &l->v[l->n];
    memset(p, 0, sizeof *p);
    p->n = r->n;
    snprintf(p->kind, sizeof p->kind, "%s", r->kind);
    snprintf(p->alert_id, sizeof p->alert_id, "%s", r->alert_id);
    b = json_loads(r->body, 0, NULL);
    p->expired = strcmp(alert_status(r, b), "expired") == 0;
    json_decref(b);
    p->file = malloc(strlen(r->signed_file) + 1);
    if (p->file == NULL)
        return -1;
    memcpy(p->file, r->signed_file, strlen(r->signed_file) + 1);
    l->n++;
    return 0;
}

/* What the server's error body says: "STATUS code: hint". */
static void
answer(char *out, size_t cap, long status, json_t *body)
{
    const char *code = json_string_value(json_object_get(body, "error"));
    const char *hint = json_string_value(json_object_get(body, "hint"));

    snprintf(out, cap, "%ld%s%s%s%s", status, code ? " " : "",
             code ? code : "", hint ? ": " : "", hint ? hint : "");
}

/* After a refusal: what 507 alert_quota means and whom to ask. */
static void
quota_note(long status, const char *what)
{
    if (status != 507 || strstr(what, "alert_quota") == NULL)
        return;
    printf("    (the server holds as many alerts of this organisation as "
           "its operator allows; nothing was stored. Withdrawals of alerts "
           "already published are still taken. Ask the host's operator to "
           "raise the quota (umbra-server org set --max-alerts), or wait "
           "until old alerts are purged after their retention)\n");
}

/* push ALERT.json: that one file, no store. */
static int
push_file(const struct alert_args *a)
{
    struct net n;
    uint8_t *buf = NULL;
    size_t len = 0;
    json_t *body = NULL;
    long status = 0;
    char what[300];
    int rc = CASE_FAIL;

    if (case_read_capped(&buf, &len, a->file, ALERT_FILE_MAX, "alert file",
                         "over 64 KiB") != 0)
        return CASE_FAIL;
    if (net_open(&n, a->server, a->token_file, a->proxy) != 0) {
        free(buf);
        return CASE_FAIL;
    }
    if (net_json(&n, "/api/v1/sync/alerts", (const char *)buf, &status,
                 &body) == 0) {
        answer(what, sizeof what, status, body);
        if (status == 200 || status == 201) {
            printf("%s: %s by the server (%ld)\n", a->file,
                   status == 201 ? "published" : "already held", status);
            rc = CASE_OK;
        } else {
            printf("%s: refused: %s\n", a->file, what);
            quota_note(status, what);
        }
    }
    json_decref(body);
    net_release(&n);
    free(buf);
    return rc;
}

int
alert_push(struct case_env *e, const struct alert_args *a)
{
    struct push_list l = {NULL, 0, 0};
    struct net n;
    size_t i, ok = 0, bad = 0;
    int rc = CASE_FAIL, connected = 0;

    if (a->file != NULL)
        return push_file(a);
    e->need = CASE_STORE | CASE_WRITE;
    if (case_setup(e) != 0 || store_alerts_each(e->store, collect, &l) != 0)
        goto out;
    if (l.n == 0) {
        printf("Nothing to push: no signed alert or withdrawal waits.\n");
        rc = CASE_OK;
        goto out;
    }
    if (net_open(&n, a->server, a->token_file, a->proxy) != 0)
        goto out;
    connected = 1;
    for (i = 0; i < l.n; i++) {
        struct to_push *p = &l.v[i];
        json_t *body = NULL;
        long status = 0;
        char what[300], day[11];

        if (p->expired) {
            printf("%s %lld (%.8s): not pushed: expired\n", p->kind,
                   (long long)p->n, p->alert_id);
            continue;
        }
        if (net_json(&n, "/api/v1/sync/alerts", p->file, &status, &body) !=
            0)
            goto out;
        answer(what, sizeof what, status, body);
        json_decref(body);
        if (status == 200 || status == 201) {
            char rec[340];

            alert_date(day, alert_today());
            snprintf(rec, sizeof rec, "%s: %s", day, what);
            if (store_alert_set_pushed(e->store, p->n, rec) != 0)
                goto out;
            printf("%s %lld (%.8s): %s by the server (%ld)\n", p->kind,
                   (long long)p->n, p->alert_id,
                   status == 201 ? "published" : "already held", status);
            ok++;
        } else {
            printf("%s %lld (%.8s): refused: %s\n", p->kind, (long long)p->n,
                   p->alert_id, what);
            if (strstr(what, "alert_date") != NULL)
                printf("    (signed more than 7 days ago: draft it again "
                       "from its cases, sign and push the new one)\n");
            quota_note(status, what);
            bad++;
        }
    }
    printf("%zu pushed, %zu refused.\n", ok, bad);
    rc = bad ? CASE_FAIL : CASE_OK;
out:
    if (connected)
        net_release(&n);
    for (i = 0; i < l.n; i++)
        free(l.v[i].file);
    free(l.v);
    return rc;
}

/* ---- verify ----------------------------------------------------------- */

/* What a feed item shows beside the signed file, checked against it: its
 * title (in its language) and the level, expiry and area under _umbra.
 * NULL if they agree, else what differs. */
static const char *
item_differs(const json_t *item, const json_t *a)
{
    const json_t *u = json_object_get(item, "_umbra"), *t;
    const char *title = json_string_value(json_object_get(item, "title"));
    const char *lang = json_string_value(json_object_get(item, "language"));
    const char *k;
    size_t i;
    int seen = 0;

    if (title != NULL && lang != NULL) {
        json_array_foreach(json_object_get(a, "texts"), i, t)
            if (json_equal(json_object_get(t, "lang"),
                           json_object_get(item, "language")) &&
                json_equal(json_object_get(t, "title"),
                           json_object_get(item, "title")))
                seen = 1;
        if (!seen)
            return "the feed shows a title the signed alert does not have";
    }
    for (i = 0; i < 3; i++) {
        k = i == 0 ? "level" : i == 1 ? "expires" : "area";
        if (json_object_get(u, k) != NULL &&
            !json_equal(json_object_get(u, k), json_object_get(a, k)))
            return i == 0   ? "the feed shows another level than the signed "
                              "alert's"
                   : i == 1 ? "the feed shows another expiry than the signed "
                              "alert's"
                            : "the feed shows another area than the signed "
                              "alert's";
    }
    return NULL;
}

/* One alert file's text (from feed item, or NULL): prints its line; 0
 * valid, 1 invalid. */
static int
verify_one(const char *label, const char *text, size_t len,
           const struct umbra_bundle *b, const json_t *item)
{
    json_t *a = NULL;
    char why[256], who[UMBRA_MEMBER_NAME_MAX + 1];
    const char *kind, *exp, *differs;
    long d;

    if (alert_read_file(&a, who, sizeof who, text, len, b, why,
                        sizeof why) != 0) {
        printf("%s: invalid: ", label);
        case_print_safe(stdout, why, strlen(why), 0);
        putchar('\n');
        return 1;
    }
    if (item != NULL && (differs = item_differs(item, a)) != NULL) {
        printf("%s: invalid: %s\n", label, differs);
        json_decref(a);
        return 1;
    }
    kind = json_string_value(json_object_get(a, "kind"));
    exp = json_string_value(json_object_get(a, "expires"));
    printf("%s: valid %s %s of %s, issued %s", label, kind,
           json_string_value(json_object_get(a, "id")), b->org,
           json_string_value(json_object_get(a, "issued")));
    if (strcmp(kind, "withdrawal") == 0)
        printf(", withdraws %s",
               json_string_value(json_object_get(a, "withdraws")));
    else
        printf(", expires %s%s", exp,
               alert_day(&d, exp) == 0 && d < alert_today() ? " (expired)"
                                                             : "");
    printf(", signed by '");
    case_print_safe(stdout, who, strlen(who), 0);
    printf("'\n");
    json_decref(a);
    return 0;
}

/* The signed alert file of a feed item as text (malloc'd), or NULL: its
 * _umbra.alert_file (as the server's JSON feed carries it), else _umbra
 * itself, as an object or a string. */
static char *
item_file(const json_t *item)
{
    const json_t *u = json_object_get(item, "_umbra");

    if (json_is_object(u) && json_object_get(u, "alert_file") != NULL)
        u = json_object_get(u, "alert_file");
    if (json_is_string(u))
        return strdup(json_string_value(u));
    if (json_is_object(u))
        return json_dumps(u, JSON_PRESERVE_ORDER | JSON_COMPACT);
    return NULL;
}

int
alert_verify(struct case_env *e, const struct alert_args *a)
{
    struct umbra_bundle b;
    uint8_t *buf = NULL;
    size_t len = 0, i, nbad = 0, nall = 0;
    json_t *doc = NULL, *items, *it;
    int rc = CASE_FAIL;

    if (a->bundle != NULL ? case_load_bundle(&b, a->bundle) != 0
                          : alert_home_bundle(&b, e->o) != 0)
        return CASE_FAIL;
    if (case_read_capped(&buf, &len, a->file, 16u * 1024u * 1024u,
                         "alert file", "over 16 MiB") != 0)
        return CASE_FAIL;
    doc = json_loadb((const char *)buf, len, JSON_REJECT_DUPLICATES, NULL);
    items = json_object_get(doc, "items");
    if (json_is_object(doc) && json_object_get(doc, "format") != NULL) {
        nall = 1;
        nbad = (size_t)verify_one(a->file, (const char *)buf, len, &b, NULL);
    } else if (json_is_array(items)) {
        json_array_foreach(items, i, it)
        {
            char label[64], *text = item_file(it);

            snprintf(label, sizeof label, "item %zu", i + 1);
            nall++;
            if (text == NULL) {
                printf("%s: invalid: no signed alert (_umbra)\n", label);
                nbad++;
                continue;
            }
            nbad += (size_t)verify_one(label, text, strlen(text), &b, it);
            free(text);
        }
    } else {
        case_err("'%s' is neither an alert file nor a JSON feed of alerts",
                 a->file);
        goto out;
    }
    printf("%zu %s, %zu valid, %zu invalid.\n", nall,
           nall == 1 ? "alert" : "alerts", nall - nbad, nbad);
    rc = nbad == 0 && nall > 0 ? CASE_OK : CASE_FAIL;
out:
    json_decref(doc);
    free(buf);
    (void)errno;
    return rc;
}
