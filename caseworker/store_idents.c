/* SPDX-License-Identifier: AGPL-3.0-or-later */
/* store_idents: the cases' identifiers, normalised (see store_idents.h). */
#include "store_idents.h"

#include "ident.h"
#include "store_int.h"

#include <jansson.h>
#include <sodium.h>
#include <string.h>

/* Adds one {kind, value} of a document to case_id; 1 if it was skipped
 * (not two strings, an unknown kind, nothing left once normalised). */
static int
add_one(struct store *s, int64_t case_id, json_t *item, const char *country)
{
    struct umbra_ident id;
    json_t *k = json_object_get(item, "kind");
    json_t *v = json_object_get(item, "value");
    int rc;

    if (!json_is_string(k) || !json_is_string(v))
        return 1;
    if (umbra_ident_normalise(&id, json_string_value(k), json_string_value(v),
                              json_string_length(v), country) != 0)
        return 1;
    rc = store_write(s, ST_IDENTS_ADD, "ittti", case_id,
                     umbra_report_id_kinds[id.kind], id.value, id.skeleton,
                     (int64_t)id.flags);
    sodium_memzero(&id, sizeof id);
    return rc;
}

/* 1 if needle is in d[0..n) (memmem is not in C11 or POSIX). */
static int
contains(const uint8_t *d, size_t n, const char *needle)
{
    size_t k = strlen(needle);
    const uint8_t *p = d, *end = d + n;

    while (k > 0 && (size_t)(end - p) >= k) {
        p = memchr(p, needle[0], (size_t)(end - p) - k + 1);
        if (p == NULL)
            return 0;
        if (memcmp(p, needle, k) == 0)
            return 1;
        p++;
    }
    return 0;
}

int
store_idents_add(struct store *s, int64_t case_id, const uint8_t *doc,
                 size_t len)
{
    json_t *root, *ids, *inc;
    const char *country = NULL;
    size_t i;
    int rc = 0;

    /* Most reports name no identifier: skip the parse (it doubled the
     * import's CPU time, bench-case) when the key cannot be there. It is
     * there only written out, or with a letter escaped, and an escape of
     * a letter is always \u00XX. */
    if (!contains(doc, len, "identifiers") && !contains(doc, len, "\\u00"))
        return 0;
    root = json_loadb((const char *)doc, len, JSON_REJECT_DUPLICATES, NULL);
    if (root == NULL)
        return 0;
    inc = json_object_get(root, "incident");
    if (json_is_string(json_object_get(inc, "country")))
        country = json_string_value(json_object_get(inc, "country"));
    ids = json_object_get(json_object_get(root, "perpetrator"), "identifiers");
    for (i = 0;
         json_is_array(ids) && i < json_array_size(ids) && i < STORE_IDENTS_MAX;
         i++)
        if (add_one(s, case_id, json_array_get(ids, i), country) < 0) {
            rc = -1;
            break;
        }
    json_decref(root);
    return rc;
}

static int
rebuild_row(void *ctx, sqlite3_stmt *st)
{
    struct store_cb *c = ctx;
    const void *doc = sqlite3_column_blob(st, 1);
    int n = sqlite3_column_bytes(st, 1);

    if (doc == NULL || n <= 0)
        return 0;
    return store_idents_add(c->s, sqlite3_column_int64(st, 0), doc,
                            (size_t)n) != 0
               ? -1
               : 0;
}

/* the rebuild, inside the caller's transaction */
static int
rebuild(struct store *s, long *n)
{
    struct store_cb c = {.s = s};
    sqlite3_stmt *st;

    if (store_write(s, ST_IDENTS_CLEAR, "") != 0)
        return -1;
    if (store_each(s, store_prep(s, ST_REPORTS_ALL), "identifiers", rebuild_row,
                   &c) != 0)
        return -1;
    if (store_meta_set(s, "idents", "done") != 0)
        return -1;
    if (n == NULL)
        return 0;
    st = store_prep(s, ST_IDENTS_COUNT);
    if (st == NULL)
        return -1;
    *n = sqlite3_step(st) == SQLITE_ROW ? (long)sqlite3_column_int64(st, 0) : 0;
    store_done(s, st);
    return 0;
}

int
store_idents_rebuild(struct store *s, long *n)
{
    if (store_begin(s) != 0)
        return -1;
    if (rebuild(s, n) != 0 || store_commit(s) != 0) {
        store_rollback(s);
        return -1;
    }
    return 0;
}

int
store_idents_pending(struct store *s)
{
    char v[16];

    if (store_meta_get(s, "idents", v, sizeof v) != 0 ||
        strcmp(v, "rebuild") != 0)
        return 0;
    if (store_begin(s) != 0)
        return -1;
    /* read again under the write lock: another umbra-case may have done
     * it meanwhile */
    if (store_meta_get(s, "idents", v, sizeof v) == 0 &&
        strcmp(v, "rebuild") == 0 && rebuild(s, NULL) != 0) {
        store_rollback(s);
        return -1;
    }
    if (store_commit(s) != 0) {
        store_rollback(s);
        return -1;
    }
    return 0;
}

static int
case_row(void *ctx, sqlite3_stmt *st)
{
    struct store_cb *c = ctx;
    struct store_ident i = {
        .kind = store_col_text(st, 0),
        .value = store_col_text(st, 1),
        .flags = (unsigned)sqlite3_column_int(st, 2),
        .others = store_col_text(st, 3),
        .alike = store_col_text(st, 4),
    };

    return c->fn.ident(c->ctx, &i);
}

int
store_idents_case(struct store *s, int64_t id,
                  int (*cb)(void *ctx, const struct store_ident *i), void *ctx)
{
    struct store_cb c = {.ctx = ctx, .s = s};
    sqlite3_stmt *st = store_prep(s, ST_IDENTS_CASE);

    c.fn.ident = cb;
    if (st == NULL)
        return -1;
    sqlite3_bind_int64(st, 1, id);
    return store_each(s, st, "identifiers", case_row, &c);
}

static int
link_row(void *ctx, sqlite3_stmt *st)
{
    struct store_cb *c = ctx;
    struct store_link l = {
        .kind = store_col_text(st, 0),
        .value = store_col_text(st, 1),
        .flags = (unsigned)sqlite3_column_int(st, 2),
        .ncases = (long)sqlite3_column_int64(st, 3),
        .cases = store_col_text(st, 4),
    };

    return c->fn.link(c->ctx, &l);
}

int
store_links_each(struct store *s, long min,
                 int (*cb)(void *ctx, const struct store_link *l), void *ctx)
{
    struct store_cb c = {.ctx = ctx, .s = s};
    sqlite3_stmt *st = store_prep(s, ST_LINKS);

    c.fn.link = cb;
    if (st == NULL)
        return -1;
    sqlite3_bind_int64(st, 1, min < 1 ? 1 : min);
    return store_each(s, st, "links", link_row, &c);
}

struct alike_ctx {
    int (*cb)(void *ctx, const char *kind, const char *skeleton,
              const struct store_link *l);
    void *ctx;
};

static int
alike_row(void *ctx, sqlite3_stmt *st)
{
    struct alike_ctx *a = ((struct store_cb *)ctx)->ctx;
    struct store_link l = {
        .kind = store_col_text(st, 0),
        .value = store_col_text(st, 2),
        .flags = (unsigned)sqlite3_column_int(st, 3),
        .ncases = (long)sqlite3_column_int64(st, 4),
        .cases = store_col_text(st, 5),
    };

    return a->cb(a->ctx, l.kind, store_col_text(st, 1), &l);
}

int
store_alikes_each(struct store *s,
                  int (*cb)(void *ctx, const char *kind, const char *skeleton,
                            const struct store_link *l),
                  void *ctx)
{
    struct alike_ctx a = {cb, ctx};
    struct store_cb c = {.ctx = &a, .s = s};

    return store_each(s, store_prep(s, ST_ALIKES), "look-alikes", alike_row,
                      &c);
}
