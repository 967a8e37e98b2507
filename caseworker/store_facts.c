/* SPDX-License-Identifier: AGPL-3.0-or-later */
/* store_facts: the facts statistics count and the publication ledger
 * (facts.h; see store_int.h). */
#include "store_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int
facts_row(void *ctx, sqlite3_stmt *st)
{
    const struct store_cb *c = ctx;
    struct case_facts f;

    memset(&f, 0, sizeof f);
    snprintf(f.received, sizeof f.received, "%s", store_col_text(st, 0));
    snprintf(f.incident, sizeof f.incident, "%s", store_col_text(st, 1));
    snprintf(f.country, sizeof f.country, "%s", store_col_text(st, 2));
    snprintf(f.region, sizeof f.region, "%s", store_col_text(st, 3));
    snprintf(f.lang, sizeof f.lang, "%s", store_col_text(st, 4));
    f.categories = (uint32_t)sqlite3_column_int64(st, 5);
    f.needs = (uint32_t)sqlite3_column_int64(st, 6);
    f.perpetrator = sqlite3_column_int(st, 7);
    f.consent_statistics = sqlite3_column_int(st, 8);
    f.perpetrators = (uint32_t)sqlite3_column_int64(st, 9);
    return c->fn.facts(c->ctx, &f);
}

int
store_facts_each(struct store *s,
                 int (*cb)(void *ctx, const struct case_facts *f), void *ctx)
{
    struct store_cb c = {.fn.facts = cb, .ctx = ctx};

    return store_each(s, store_prep(s, ST_FACTS), "facts", facts_row, &c);
}

int
store_ledger_add(struct store *s, const char *key, const char *value)
{
    return store_write(s, ST_LEDGER_ADD, "tt", key, value);
}

static int
ledger_row(void *ctx, sqlite3_stmt *st)
{
    const struct store_cb *l = ctx;

    return l->fn.ledger(l->ctx, store_col_text(st, 0), store_col_text(st, 1));
}

int
store_ledger_each(struct store *s,
                  int (*cb)(void *ctx, const char *key, const char *value),
                  void *ctx)
{
    struct store_cb l = {.fn.ledger = cb, .ctx = ctx};

    return store_each(s, store_prep(s, ST_LEDGER), "ledger", ledger_row, &l);
}

int
store_add_synthetic(struct store *s, const struct case_facts *f,
                    unsigned long n)
{
    unsigned long i;
    int64_t id;

    if (store_begin(s) != 0)
        return -1;
    for (i = 0; i < n; i++) {
        if (store_insert_facts(s, &id, NULL, f, "", NULL, NULL) != 0) {
            store_rollback(s);
            return -1;
        }
    }
    return store_commit(s);
}
