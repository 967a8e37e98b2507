/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * reply: a reply document sealed to a case's mailbox key and queued in
 * the store (see reply.h).
 */
#include "reply.h"
#include "case.h"
#include "store.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

/* The reply document for msg, sealed to the case's mailbox key pk. */
static int
reply_seal(uint8_t **env, size_t *env_len, const uint8_t pk[32],
           const uint8_t *msg, size_t msg_len, const char *lang)
{
    char today[11];
    char *doc = NULL;
    json_t *j;
    int err;

    umbra_today(today);
    j = json_pack("{s:s,s:s%,s:s,s:s}", "schema", "umbra.reply/1", "message",
                  (const char *)msg, msg_len, "lang", lang[0] ? lang : "en",
                  "date", today);
    doc = j ? json_dumps(j, JSON_COMPACT) : NULL;
    json_decref(j);
    if (doc == NULL) {
        case_err("cannot build the reply");
        return -1;
    }
    err = umbra_envelope_seal(env, env_len, pk, 1, (const uint8_t *)doc,
                              strlen(doc));
    sodium_memzero(doc, strlen(doc));
    free(doc);
    if (err != 0) {
        case_err("cannot seal the reply: %s", umbra_strerror(err));
        return -1;
    }
    return 0;
}

int
reply_queue(struct store *s, int64_t id, const uint8_t *msg, size_t msg_len,
            const char *who, const char *lang_over)
{
    uint8_t pk[32], *env = NULL;
    char mailbox_id[65], lang[36];
    size_t env_len = 0;
    int r, rc = -1;

    r = store_case_mailbox(s, id, pk, mailbox_id, lang);
    if (r != 0)
        return r == 1 ? 1 : -1;
    if (lang_over != NULL)
        snprintf(lang, sizeof lang, "%s", lang_over);
    if (reply_seal(&env, &env_len, pk, msg, msg_len, lang) != 0 ||
        store_begin(s) != 0)
        goto out;
    if (store_reply_add(s, id, mailbox_id, env, env_len, who) != 0 ||
        store_commit(s) != 0) {
        store_rollback(s);
        goto out;
    }
    rc = 0;
out:
    free(env);
    return rc;
}
