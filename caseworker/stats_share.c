/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * stats_share: the statistics ledger as team events (see stats_share.h).
 */
#include "stats_share.h"
#include "stats_table.h"
#include "store.h"

#include <string.h>

#include <sodium.h>

static stats_share_emitter emitter;

void
stats_share_set_emitter(stats_share_emitter fn)
{
    emitter = fn;
}

static int
key_ok(const char *key)
{
    return !strcmp(key, STATS_SHARE_PUBLICATION) ||
           !strcmp(key, STATS_SHARE_SEED);
}

json_t *
stats_share_body(const char *key, const char *value)
{
    if (!key_ok(key) || strlen(value) > STATS_SHARE_VALUE_MAX)
        return NULL;
    return json_pack("{s:s, s:s}", "key", key, "value", value);
}

int
stats_share_emit(struct store *s, const char *key, const char *value)
{
    json_t *body;
    int rc;

    if (emitter == NULL)
        return 0;
    body = stats_share_body(key, value);
    if (body == NULL)
        return -1;
    /* the emitter (team_emit) takes body over: it releases it itself */
    rc = emitter(s, NULL, STATS_SHARE_TYPE, body) == 0 ? 0 : -1;
    return rc;
}

/* A well-formed entry: a publication with its cut and table, or a seed
 * of a month (YYYY-MM) with 64 hex digits. */
static int
value_ok(const char *key, const char *value)
{
    json_t *j = json_loads(value, 0, NULL);
    const char *month, *hex;
    int ok = 0;

    if (j == NULL)
        return 0;
    if (!strcmp(key, STATS_SHARE_SEED)) {
        size_t i;

        ok = json_unpack(j, "{s:s, s:s}", "month", &month, "seed", &hex) ==
                 0 &&
             strlen(month) == 7 && month[4] == '-' && strlen(hex) == 64;
        for (i = 0; ok && i < 64; i++)
            ok = strchr("0123456789abcdef", hex[i]) != NULL;
    } else {
        ok = json_is_object(json_object_get(j, "cut")) &&
             json_is_object(json_object_get(j, "table")) &&
             json_is_string(json_object_get(j, "date"));
    }
    json_decref(j);
    return ok;
}

struct find {
    const char *key, *value;
    int found;
};

static int
find_cb(void *ctx, const char *key, const char *value)
{
    struct find *f = ctx;

    if (!strcmp(key, f->key) && !strcmp(value, f->value))
        f->found = 1;
    return 0;
}

int
stats_share_apply(struct store *s, int by_key_holder, const json_t *body)
{
    const char *key, *value;
    struct find f;

    if (!by_key_holder) {
        stats_say("a %s event not signed by the organisation's key holder "
                  "is refused: only the key holder publishes",
                  STATS_SHARE_TYPE);
        return -1;
    }
    if (json_unpack((json_t *)(uintptr_t)body, "{s:s, s:s}", "key", &key,
                    "value", &value) != 0 ||
        !key_ok(key) || strlen(value) > STATS_SHARE_VALUE_MAX ||
        !value_ok(key, value)) {
        stats_say("a malformed %s event is refused", STATS_SHARE_TYPE);
        return -1;
    }
    f.key = key;
    f.value = value;
    f.found = 0;
    if (store_ledger_each(s, find_cb, &f) != 0)
        return -1;
    if (f.found)
        return 0; /* replays add nothing */
    return store_ledger_add(s, key, value) == 0 ? 0 : -1;
}
