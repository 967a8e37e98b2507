/* SPDX-License-Identifier: AGPL-3.0-or-later */
/* stats_fake_store: facts.h's store functions over plain arrays (tests). */
#include "stats_fake_store.h"

#include <stdlib.h>
#include <string.h>

struct store {
    struct case_facts *f;
    unsigned long n, cap;
    char **lk, **lv;
    unsigned long nl;
};

struct store *
fake_store_new(void)
{
    return calloc(1, sizeof(struct store));
}

void
fake_store_free(struct store *s)
{
    unsigned long i;

    if (s == NULL)
        return;
    for (i = 0; i < s->nl; i++) {
        free(s->lk[i]);
        free(s->lv[i]);
    }
    free(s->lk);
    free(s->lv);
    free(s->f);
    free(s);
}

unsigned long
fake_store_ledger_count(const struct store *s)
{
    return s->nl;
}

int
store_facts_each(struct store *s,
                 int (*cb)(void *ctx, const struct case_facts *f), void *ctx)
{
    unsigned long i;
    int rc;

    for (i = 0; i < s->n; i++)
        if ((rc = cb(ctx, &s->f[i])) != 0)
            return rc;
    return 0;
}

int
store_add_synthetic(struct store *s, const struct case_facts *f,
                    unsigned long n)
{
    unsigned long i;

    if (s->n + n > s->cap) {
        unsigned long nc = s->cap ? s->cap : 1024;
        struct case_facts *nf;

        while (nc < s->n + n)
            nc *= 2;
        nf = realloc(s->f, nc * sizeof *nf);
        if (nf == NULL)
            return -1;
        s->f = nf;
        s->cap = nc;
    }
    for (i = 0; i < n; i++)
        s->f[s->n++] = *f;
    return 0;
}

int
store_ledger_add(struct store *s, const char *key, const char *value)
{
    char **k = realloc(s->lk, (s->nl + 1) * sizeof *k);
    char **v;

    if (k == NULL)
        return -1;
    s->lk = k;
    v = realloc(s->lv, (s->nl + 1) * sizeof *v);
    if (v == NULL)
        return -1;
    s->lv = v;
    s->lk[s->nl] = strdup(key);
    s->lv[s->nl] = strdup(value);
    if (s->lk[s->nl] == NULL || s->lv[s->nl] == NULL)
        return -1;
    s->nl++;
    return 0;
}

int
store_ledger_each(struct store *s,
                  int (*cb)(void *ctx, const char *key, const char *value),
                  void *ctx)
{
    unsigned long i;
    int rc;

    for (i = 0; i < s->nl; i++)
        if ((rc = cb(ctx, s->lk[i], s->lv[i])) != 0)
            return rc;
    return 0;
}
