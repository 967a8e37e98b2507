/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * verbs_reply: reply — a message to a reporter, sealed to their mailbox
 * key and queued in the store for push (verbs_sync.c); the sealing and
 * queueing in reply.c, which the desk shares.
 */
#include "args.h"
#include "case.h"
#include "reply.h"
#include "reply_edit.h"
#include "store.h"

#include <errno.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

static const char REPLY_USAGE[] =
    "usage: umbra-case [--home DIR] reply ID --message-file FILE [--as NAME]\n"
    "       umbra-case [--home DIR] reply ID --template NAME [--lang L]\n"
    "                                 [--yes | --edit] [--as NAME]\n"
    "       umbra-case reply --list-templates [--lang L]\n"
    "\n"
    "Seals the message in FILE (UTF-8 text, at most 16 KiB) to the\n"
    "reporter's mailbox key and queues it; 'umbra-case push' sends it. The\n"
    "reporter reads it on the server's check page with their receipt.\n"
    "\n"
    "--template NAME: a common reply, translated (received, safe_now,\n"
    "where_meet, lawyer, own_words), in the case's language unless --lang\n"
    "says another (English when there is none). Alone it only shows the\n"
    "text; --yes queues it as shown; --edit opens it in $VISUAL or $EDITOR\n"
    "first (on a terminal; an empty file cancels).\n";


static const struct option REPLY_OPTS[] = {
    ARGS_VALUE("message-file", 'm'), ARGS_VALUE("as", 'w'),
    ARGS_VALUE("template", 't'), ARGS_VALUE("lang", 'l'),
    ARGS_FLAG("yes", 'y'), ARGS_FLAG("edit", 'e'),
    ARGS_FLAG("list-templates", 'L'), ARGS_LAST,
};

/* The one line for a reply command line that mixes its two sources or
 * lacks both; 0 if it is good. */
static int
reply_template_args(const char *file, const char *tname, const char *tlang,
                     enum reply_mode mode, int list, int64_t id)
{
    const char *names[8], *hint;
    size_t i, n = reply_template_count();

    if (list) {
        case_err("--list-templates takes no case number; write "
                 "'umbra-case reply --list-templates'");
        return -1;
    }
    if (file != NULL && tname != NULL) {
        case_err("reply %lld takes --message-file or --template, not both",
                 (long long)id);
        return -1;
    }
    if (file == NULL && tname == NULL) {
        /* the fix is the usage's first line; --template is its second */
        case_err("reply %lld needs --message-file FILE", (long long)id);
        return -1;
    }
    if (tname == NULL && (tlang != NULL || mode != REPLY_SHOW)) {
        case_err("--lang, --yes and --edit go with --template");
        return -1;
    }
    if (mode == REPLY_EDIT &&
        (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO))) {
        case_err("--edit needs a terminal; use --yes to send the template "
                 "as it is, or write the reply to a file for --message-file");
        return -1;
    }
    if (tname == NULL || reply_template_text(tname, NULL) != NULL)
        return 0;
    for (i = 0; i < n && i < sizeof names / sizeof names[0]; i++)
        names[i] = reply_template_name(i);
    hint = args_suggest(tname, names, i);
    if (hint != NULL)
        case_err("no reply template '%s'; did you mean %s?", tname, hint);
    else
        case_err("no reply template '%s'; 'umbra-case reply "
                 "--list-templates' shows them",
                 tname);
    return -1;
}

/* The message from template tname in lang (reply_edit.h); 0 to send,
 * 1 nothing to send, -1 error. */
static int
reply_from_template(uint8_t **msg, size_t *len, struct reply_template *t,
                    const char *tname, const char *lang,
                    enum reply_mode mode, const char *home)
{
    if (reply_template_find(t, tname, lang) != 0)
        return -1;
    if (t->fallback)
        fprintf(stderr, "No reply templates in '%s' yet: English instead.\n",
                lang);
    return reply_template_message(msg, len, t, mode, home);
}

int
verb_reply(struct case_env *e, int argc, char **argv)
{
    const char *file = NULL, *as = NULL, *tname = NULL, *tlang = NULL;
    struct reply_template tpl;
    enum reply_mode mode = REPLY_SHOW;
    int list = 0;
    uint8_t pk[32];
    char mailbox_id[65], lang[36], who[80];
    uint8_t *msg = NULL;
    size_t msg_len = 0;
    const struct args_keep keep[] = {
        {'m', &file}, {'w', &as}, {'t', &tname}, {'l', &tlang}};
    struct args a;
    int64_t id = 0;
    int k, r, rc = CASE_FAIL, have_id = 0;

    if (case_help(REPLY_USAGE, argc, argv))
        return CASE_OK;
    args_init(&a, argc, argv, REPLY_OPTS);
    while ((k = args_next(&a)) != ARGS_END) {
        if (k == ARGS_WORD && !have_id && args_id(a.val, &id) == 0)
            have_id = 1;
        else if (k == 'L')
            list = 1;
        else if ((k == 'y' || k == 'e') && mode == REPLY_SHOW)
            mode = k == 'y' ? REPLY_YES : REPLY_EDIT;
        else if (k == 'y' || k == 'e') {
            case_err("--yes and --edit go one at a time: --yes sends the "
                     "template as shown, --edit changes it first");
            return case_usage(REPLY_USAGE);
        } else if (!args_keep(keep, 4, k, a.val))
            return case_usage_id(&a, k, have_id, REPLY_USAGE);
    }
    if (list && !have_id)
        return reply_list_templates(tlang);
    if (!have_id)
        return case_usage_id(&a, ARGS_END, 0, REPLY_USAGE);
    if (reply_template_args(file, tname, tlang, mode, list, id) != 0)
        return case_usage(REPLY_USAGE);
    if (tname == NULL &&
        case_read_file(&msg, &msg_len, file, REPLY_MESSAGE_MAX) != 0) {
        case_err("cannot read message file '%s': %s", file,
                 errno == EFBIG ? "longer than 16 KiB" : strerror(errno));
        goto out;
    }
    while (msg_len > 0 && (msg[msg_len - 1] == '\n' || msg[msg_len - 1] == ' '))
        msg[--msg_len] = 0;
    if (tname == NULL && (msg_len == 0 || !umbra_utf8_valid(msg, msg_len))) {
        case_err("message file '%s' is empty or not UTF-8 text", file);
        goto out;
    }
    case_who(who, sizeof who, as);
    if (case_setup(e) != 0)
        goto out;
    r = store_case_mailbox(e->store, id, pk, mailbox_id, lang);
    sodium_memzero(pk, sizeof pk);
    if (r == 0 && tname != NULL) {
        /* the case's language, unless --lang said another */
        r = reply_from_template(&msg, &msg_len, &tpl, tname,
                                tlang != NULL ? tlang : lang, mode,
                                e->o->home);
        if (r != 0) {
            rc = r > 0 ? CASE_OK : CASE_FAIL;
            goto out;
        }
    }
    if (r == 0)
        r = reply_queue(e->store, id, msg, msg_len, who,
                        tname != NULL ? tpl.lang : NULL);
    if (r != 0) {
        if (r == 1)
            case_err("case %lld has no mailbox (or does not exist): the "
                     "reporter asked for no replies",
                     (long long)id);
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
    return rc;
}

