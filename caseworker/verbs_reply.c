/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * verbs_reply: reply — a message to a reporter, sealed to their mailbox
 * key and queued in the store for push (verbs_sync.c).
 */
#include "args.h"
#include "case.h"
#include "store.h"

#include <errno.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

static const char REPLY_USAGE[] =
    "usage: umbra-case [--home DIR] reply ID --message-file FILE [--as NAME]\n"
    "\n"
    "Seals the message in FILE (UTF-8 text, at most 16 KiB) to the\n"
    "reporter's mailbox key and queues it; 'umbra-case push' sends it. The\n"
    "reporter reads it on the server's check page with their receipt.\n";


static const struct option REPLY_OPTS[] = {
    ARGS_VALUE("message-file", 'm'), ARGS_VALUE("as", 'w'), ARGS_LAST,
};

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
verb_reply(struct case_env *e, int argc, char **argv)
{
    const char *file = NULL, *as = NULL;
    uint8_t pk[32];
    char mailbox_id[65], lang[36], who[80];
    uint8_t *msg = NULL, *env = NULL;
    size_t msg_len = 0, env_len = 0;
    const struct args_keep keep[] = {{'m', &file}, {'w', &as}};
    struct args a;
    int64_t id = 0;
    int k, r, rc = CASE_FAIL, have_id = 0;

    if (case_help(REPLY_USAGE, argc, argv))
        return CASE_OK;
    args_init(&a, argc, argv, REPLY_OPTS);
    while ((k = args_next(&a)) != ARGS_END) {
        if (k == ARGS_WORD && !have_id && args_id(a.val, &id) == 0)
            have_id = 1;
        else if (!args_keep(keep, 2, k, a.val))
            return case_usage_id(&a, k, have_id, REPLY_USAGE);
    }
    if (!have_id)
        return case_usage_id(&a, ARGS_END, 0, REPLY_USAGE);
    if (file == NULL) {
        case_err("reply %lld needs --message-file FILE", (long long)id);
        return case_usage(REPLY_USAGE);
    }
    if (case_read_file(&msg, &msg_len, file, 16384) != 0) {
        case_err("cannot read message file '%s': %s", file,
                 errno == EFBIG ? "longer than 16 KiB" : strerror(errno));
        goto out;
    }
    while (msg_len > 0 && (msg[msg_len - 1] == '\n' || msg[msg_len - 1] == ' '))
        msg[--msg_len] = 0;
    if (msg_len == 0 || !umbra_utf8_valid(msg, msg_len)) {
        case_err("message file '%s' is empty or not UTF-8 text", file);
        goto out;
    }
    case_who(who, sizeof who, as);
    if (case_setup(e) != 0)
        goto out;
    r = store_case_mailbox(e->store, id, pk, mailbox_id, lang);
    if (r != 0) {
        if (r == 1)
            case_err("case %lld has no mailbox (or does not exist): the "
                     "reporter asked for no replies",
                     (long long)id);
        goto out;
    }
    if (reply_seal(&env, &env_len, pk, msg, msg_len, lang) != 0 ||
        store_begin(e->store) != 0)
        goto out;
    if (store_reply_add(e->store, id, mailbox_id, env, env_len, who) != 0 ||
        store_keep_reply(e->store, id, (const char *)msg) != 0 ||
        store_commit(e->store) != 0) {
        store_rollback(e->store);
        goto out;
    }
    printf("Reply to case %lld queued; send it with 'umbra-case push'.\n",
           (long long)id);
    rc = CASE_OK;
out:
    if (msg != NULL) {
        sodium_memzero(msg, msg_len);
        free(msg);
    }
    free(env);
    return rc;
}

