/* SPDX-License-Identifier: AGPL-3.0-or-later */
/* orgs: see orgs.h. */
#include "orgs.h"
#include "util.h"

#include <jansson.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t stop_cv = PTHREAD_COND_INITIALIZER;
static struct org_set *current;
static struct db_pool *pool;
static pthread_t thread;
static int running, stopping;

static void
set_free(struct org_set *s)
{
    if (!s)
        return;
    for (size_t i = 0; i < s->n; i++) {
        free(s->v[i].name);
        free(s->v[i].bundle_json);
    }
    free(s->v);
    free(s->pages);
    free(s->skipped);
    free(s->list_json);
    free(s);
}

static int
build_list(struct org_set *s)
{
    json_t *arr = json_array();
    int rc = -1;
    if (!arr)
        return -1;
    for (size_t i = 0; i < s->n; i++) {
        json_t *b = json_loads(s->v[i].bundle_json, JSON_REJECT_DUPLICATES,
                               NULL);
        if (!b)
            goto out;
        if (json_array_append_new(
                arr, json_pack("{s:s,s:s,s:s,s:o}", "slug", s->v[i].slug,
                               "name", s->v[i].name, "fingerprint",
                               s->v[i].fingerprint, "bundle", b)) < 0)
            goto out;
    }
    json_t *top = json_pack("{s:O}", "orgs", arr);
    if (!top)
        goto out;
    s->list_json = json_dumps(top, JSON_COMPACT);
    json_decref(top);
    if (!s->list_json)
        goto out;
    s->list_len = strlen(s->list_json);
    rc = 0;
out:
    json_decref(arr);
    return rc;
}

/*
 * Records that the row named slug is left out of s and says why on stderr,
 * unless prev (the snapshot before, may be NULL) left it out already.
 */
static void
skip_row(struct org_set *s, const struct org_set *prev, const char *slug,
         const char *why)
{
    char name[UMBRA_SLUG_MAX + 1];
    size_t i;
    /* a tampered row may hold anything: print only slug characters */
    for (i = 0; slug[i] && i < UMBRA_SLUG_MAX; i++) {
        char ch = slug[i];
        name[i] =
            ((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '-')
                ? ch
                : '?';
    }
    name[i] = 0;
    memcpy(s->skipped[s->nskipped++], name, sizeof name);
    for (i = 0; prev && i < prev->nskipped; i++)
        if (strcmp(prev->skipped[i], name) == 0)
            return;
    fprintf(stderr, "umbra-server: not serving organisation '%s': %s\n", name,
            why);
}

int
orgs_reload(void)
{
    struct org_set *s = NULL, *prev = NULL;
    PGresult *r = NULL;
    int rc = -1, broken = 0;
    PGconn *c = db_get(pool);
    if (!c)
        return -1;
    prev = orgs_acquire();
    r = PQexecPrepared(c, "org_list", 0, NULL, NULL, NULL, 0);
    if (!db_ok(r)) {
        broken = 1;
        goto out;
    }
    s = calloc(1, sizeof *s);
    if (!s)
        goto out;
    s->refs = 1;
    s->loaded = 1;
    int rows = PQntuples(r);
    s->v = calloc((size_t)rows + 1, sizeof *s->v);
    s->pages = calloc((size_t)rows + 1, sizeof *s->pages);
    s->skipped = calloc((size_t)rows + 1, sizeof *s->skipped);
    if (!s->v || !s->pages || !s->skipped)
        goto out;
    for (int i = 0; i < rows; i++) {
        struct org *o = &s->v[s->n];
        const char *bundle = PQgetvalue(r, i, 4);
        char fp[UMBRA_FINGERPRINT_LEN + 1];
        uint64_t id;
        if (parse_u64(&id, PQgetvalue(r, i, 0), 1, 0x7fffffff) < 0 ||
            str_copy(o->slug, sizeof o->slug, PQgetvalue(r, i, 1)) < 0 ||
            str_copy(o->fingerprint, sizeof o->fingerprint,
                     PQgetvalue(r, i, 3)) < 0 ||
            umbra_bundle_parse(&o->bundle, bundle, strlen(bundle)) != 0) {
            skip_row(s, prev, PQgetvalue(r, i, 1),
                     "its stored bundle does not verify");
            continue;
        }
        /* the fingerprint pages and the API show must be the bundle's */
        umbra_fingerprint(fp, o->bundle.sign_pk);
        if (strcmp(fp, o->fingerprint) != 0 ||
            strcmp(o->bundle.org, o->slug) != 0) {
            skip_row(s, prev, o->slug,
                     strcmp(fp, o->fingerprint) != 0
                         ? "its stored fingerprint is not its bundle's"
                         : "its stored bundle is another organisation's");
            continue;
        }
        o->id = (int)id;
        if (parse_u64(&o->max_reports, PQgetvalue(r, i, 5), 0, INT64_MAX) <
                0 ||
            parse_u64(&o->max_bytes, PQgetvalue(r, i, 6), 0, INT64_MAX) < 0)
            o->max_reports = o->max_bytes = 0;
        if (parse_u64(&o->max_mailboxes, PQgetvalue(r, i, 7), 0,
                      INT64_MAX) < 0)
            o->max_mailboxes = 0;
        o->name = strdup(PQgetvalue(r, i, 2));
        o->bundle_json = strdup(bundle);
        s->n++;
        if (!o->name || !o->bundle_json)
            goto out;
        s->pages[s->n - 1] =
            (struct page_org){o->slug, o->name, o->fingerprint};
    }
    if (build_list(s) < 0)
        goto out;
    pthread_mutex_lock(&mu);
    struct org_set *old = current;
    current = s;
    s = NULL;
    if (old && --old->refs == 0)
        set_free(old);
    pthread_mutex_unlock(&mu);
    rc = 0;
out:
    PQclear(r);
    db_put(pool, c, broken);
    set_free(s);
    orgs_release(prev);
    return rc;
}

static void *
reload_loop(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&mu);
    while (!stopping) {
        cond_wait_s(&stop_cv, &mu, 2);
        if (stopping)
            break;
        pthread_mutex_unlock(&mu);
        (void)orgs_reload();
        pthread_mutex_lock(&mu);
    }
    pthread_mutex_unlock(&mu);
    return NULL;
}

int
orgs_start(struct db_pool *p)
{
    pool = p;
    if (!current) {
        current = calloc(1, sizeof *current);
        if (!current)
            return -1;
        current->refs = 1;
        current->list_json = strdup("{\"orgs\":[]}");
        if (!current->list_json)
            return -1;
        current->list_len = strlen(current->list_json);
    }
    (void)orgs_reload();
    if (pthread_create(&thread, NULL, reload_loop, NULL) != 0)
        return -1;
    running = 1;
    return 0;
}

void
orgs_stop(void)
{
    thread_stop(&mu, &stop_cv, &stopping);
    if (running)
        pthread_join(thread, NULL);
    running = 0;
    pthread_mutex_lock(&mu);
    if (current && --current->refs == 0)
        set_free(current);
    current = NULL;
    pthread_mutex_unlock(&mu);
}

struct org_set *
orgs_acquire(void)
{
    pthread_mutex_lock(&mu);
    struct org_set *s = current;
    if (s)
        s->refs++;
    pthread_mutex_unlock(&mu);
    return s;
}

void
orgs_release(struct org_set *s)
{
    if (!s)
        return;
    pthread_mutex_lock(&mu);
    if (--s->refs == 0)
        set_free(s);
    pthread_mutex_unlock(&mu);
}

const struct org *
orgs_find(const struct org_set *s, const char *slug)
{
    for (size_t i = 0; s && slug && i < s->n; i++)
        if (strcmp(s->v[i].slug, slug) == 0)
            return &s->v[i];
    return NULL;
}

int
orgs_keys_ok(const struct org *o, const uint8_t *ids, unsigned n)
{
    for (unsigned i = 0; i < n; i++) {
        int found = 0;
        for (unsigned k = 0; k < o->bundle.nkeys; k++)
            if (memcmp(ids + 8 * i, o->bundle.keys[k].id, 8) == 0)
                found = 1;
        if (!found)
            return 0;
    }
    return 1;
}

int
orgs_loaded(const struct org_set *s)
{
    return s && s->loaded;
}
