/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * verbs_keys: keys — list, add (rotation), export, passphrase, and the
 * member sub-commands (add-member, remove-member, join; verbs_members.c).
 */
#include "args.h"
#include "case.h"
#include "members.h"
#include "net.h"
#include "store.h"
#include "verbs_sync.h"

#include <errno.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char KEYS_USAGE[] =
    "usage: umbra-case [--home DIR] keys list\n"
    "       umbra-case [--home DIR] keys add\n"
    "       umbra-case [--home DIR] keys export\n"
    "       umbra-case [--home DIR] keys passphrase "
    "[--new-passphrase-file FILE]\n"
    "                                       [--weak-passphrase-ok]\n"
    "       umbra-case [--home DIR] keys add-member MEMBER.json\n"
    "       umbra-case [--home DIR] keys remove-member ID|NAME\n"
    "       umbra-case [--home DIR] keys join PUBLIC.json\n"
    "       umbra-case [--home DIR] keys publish --server URL --token-file "
    "FILE\n"
    "\n"
    "list: the organisation's encryption keys (from DIR/public.json) and,\n"
    "      in the key holder's home, its members (needs the passphrase).\n"
    "add:  a new encryption key (key rotation). Old keys stay, so old\n"
    "      reports still open; DIR/public.json is re-signed with the new key\n"
    "      listed. Give the new public.json to the server operator; reports\n"
    "      are then sealed to every listed key. Needs the passphrase.\n"
    "export: write DIR/public.json again from the key file.\n"
    "passphrase: change the key file's passphrase (asked twice, or read\n"
    "      from --new-passphrase-file); the keys stay the same. A new\n"
    "      passphrase easy to guess is refused unless --weak-passphrase-ok.\n"
    "add-member: (key holder) check a member.json made by 'init --member',\n"
    "      record the member and re-sign DIR/public.json with the member's\n"
    "      key listed. Compare the printed member fingerprint aloud.\n"
    "remove-member: (key holder) drop a member's key from DIR/public.json;\n"
    "      give the new bundle to the server operator at once.\n"
    "join: (member home) install the organisation's public.json after\n"
    "      checking that it lists this home's own key.\n"
    "publish: send DIR/public.json to the server, which serves it at once\n"
    "      if it has a higher serial under the same signing key.\n"
    "Only the key holder's home (made by plain 'init') can add, export\n"
    "and re-sign; a member home refuses.\n";

struct names {
    const struct umbra_bundle *b;
    int *shown;
    int print; /* 0: only mark the bundle keys that are members' */
};

static int
print_member(void *ctx, const struct store_member *m)
{
    struct names *nm = ctx;
    unsigned i;
    int listed = 0;

    for (i = 0; i < nm->b->nkeys; i++)
        if (memcmp(nm->b->keys[i].pk, m->pk, 32) == 0) {
            listed = 1;
            nm->shown[i] = 1;
        }
    if (!nm->print)
        return 0;
    printf("key %s created %s member '", m->id, m->created);
    case_print_safe(stdout, m->name, strlen(m->name), 0);
    printf("' added %s%s\n", m->added,
           listed ? "" : " (not in public.json: run 'umbra-case keys export')");
    return 0;
}

static int
keys_list(struct case_env *e)
{
    const struct case_opts *o = e->o;
    char path[CASE_PATH_MAX], hex[17];
    char fp[UMBRA_FINGERPRINT_LEN + 1];
    int shown[UMBRA_MAX_ORG_KEYS] = {0};
    struct names nm = {NULL, NULL, 0};
    struct umbra_bundle b;
    unsigned i;

    if (case_is_member_home(o))
        return case_keys_list_member(o);
    if (case_path(path, sizeof path, o, "public.json") != 0 ||
        case_load_bundle(&b, path) != 0)
        return CASE_FAIL;
    umbra_fingerprint(fp, b.sign_pk);
    printf("Organisation: %s\nFingerprint: %s\n", b.org, fp);
    /* the key holder's home: name the members (needs the passphrase) */
    if (case_path(path, sizeof path, o, "keys.umbra") != 0)
        return CASE_FAIL;
    if (access(path, F_OK) == 0) {
        nm.b = &b;
        nm.shown = shown;
        nm.print = 0;
        e->need = CASE_STORE;
        if (case_setup(e) != 0 ||
            store_members_each(e->store, print_member, &nm) != 0)
            return CASE_FAIL;
    }
    for (i = 0; i < b.nkeys; i++) {
        if (shown[i])
            continue;
        umbra_hex(hex, b.keys[i].id, 8);
        printf("key %s created %s%s\n", hex, b.keys[i].created,
               e->store != NULL ? " organisation" : "");
    }
    nm.print = 1;
    if (e->store != NULL &&
        store_members_each(e->store, print_member, &nm) != 0)
        return CASE_FAIL;
    return CASE_OK;
}

static int
keys_export(struct case_env *e)
{
    const struct case_opts *o = e->o;
    char pubpath[CASE_PATH_MAX];
    char *json = NULL;
    unsigned n = 0;
    int rc = CASE_FAIL;

    if (case_check_admin(o, NULL) != 0)
        return CASE_FAIL;
    e->need = CASE_KEYS | CASE_STORE | CASE_WRITE;
    if (case_path(pubpath, sizeof pubpath, o, "public.json") != 0 ||
        case_setup(e) != 0 ||
        case_org_bundle(&json, &n, e->keys, e->store, o) != 0)
        goto out;
    if (case_write_atomic(pubpath, json, strlen(json), 0644) != 0) {
        case_err("cannot write '%s': %s", pubpath, strerror(errno));
        goto out;
    }
    printf("Wrote %s (%u %s).\n", pubpath, n, CASE_PL(n, "key"));
    rc = CASE_OK;
out:
    free(json);
    return rc;
}

/*
 * Reads the home's key file, asks the passphrase and opens it, keeping the
 * file's Argon2 parameters for rewriting it. On success *k (free with
 * umbra_org_keys_free) and *pw (umbra_secret_free) are set; on failure an
 * error was printed and nothing is left allocated. 0 or -1.
 */
static int
open_key_file(struct umbra_org_keys **k, struct umbra_kdf_params *kdf,
              char **pw, size_t *pwlen, const char *keypath,
              const struct case_opts *o)
{
    uint8_t *raw = NULL;
    size_t raw_len = 0;
    int err, rc = -1;

    *k = NULL;
    *pw = NULL;
    if (case_read_file(&raw, &raw_len, keypath, 65536) != 0) {
        case_err("cannot read key file '%s': %s", keypath, strerror(errno));
        return -1;
    }
    err = umbra_keyfile_params(kdf, raw, raw_len);
    if (err == 0 && case_passphrase(pw, pwlen, o, 0) != 0)
        goto out;
    if (err == 0)
        err = umbra_keyfile_decode(k, raw, raw_len, *pw, *pwlen);
    if (err != 0) {
        case_err("cannot open key file '%s': %s", keypath,
                 err == UMBRA_ERR_DECRYPT ? "wrong passphrase or damaged file"
                                          : umbra_strerror(err));
        goto out;
    }
    rc = 0;
out:
    sodium_memzero(raw, raw_len);
    free(raw);
    if (rc != 0) {
        umbra_secret_free(*pw);
        *pw = NULL;
    }
    return rc;
}

static int
keys_add(const struct case_opts *o)
{
    struct umbra_org_keys *k = NULL;
    struct umbra_kdf_params kdf;
    char keypath[CASE_PATH_MAX], pubpath[CASE_PATH_MAX], hex[17];
    char *pw = NULL, *json = NULL;
    struct store *s = NULL;
    size_t pwlen = 0;
    unsigned n = 0;
    int err, rc = CASE_FAIL;

    if (case_path(keypath, sizeof keypath, o, "keys.umbra") != 0 ||
        case_path(pubpath, sizeof pubpath, o, "public.json") != 0)
        return CASE_FAIL;
    if (case_check_admin(o, NULL) != 0)
        return CASE_FAIL;
    if (open_key_file(&k, &kdf, &pw, &pwlen, keypath, o) != 0)
        goto out;
    if (case_check_admin(o, k) != 0)
        goto out;
    if (case_store_open(&s, o->home, k->store_key, 1) != 0)
        goto out;
    err = umbra_org_keys_add(k);
    if (err != 0) {
        case_err("cannot add a key: %s",
                 err == UMBRA_ERR_TOO_LONG ? "the key file already holds 16 keys"
                                           : umbra_strerror(err));
        goto out;
    }
    /* the new bundle first: refused (nothing written) past 16 keys */
    if (case_org_bundle(&json, &n, k, s, o) != 0)
        goto out;
    if (case_write_keys(keypath, k, pw, pwlen, &kdf) != 0)
        goto out;
    if (case_write_atomic(pubpath, json, strlen(json), 0644) != 0) {
        case_err("the key file holds the new key but '%s' could not be "
                 "written; fix that (disk full?) and run 'umbra-case keys "
                 "export'",
                 pubpath);
        goto out;
    }
    umbra_hex(hex, k->enc[k->nkeys - 1].id, 8);
    printf("Added key %s (the organisation now has %u %s of its own; "
           "public.json lists %u).\n",
           hex, k->nkeys, CASE_PL(k->nkeys, "key"), n);
    printf("Give the new %s to the server operator; the fingerprint does "
           "not change.\n",
           pubpath);
    rc = CASE_OK;
out:
    store_close(s);
    free(json);
    umbra_secret_free(pw);
    umbra_org_keys_free(k);
    return rc;
}

/* Changes the key file's passphrase (same keys, same KDF cost). */
static int
keys_passphrase(const struct case_opts *o, const char *new_file, int weak_ok)
{
    struct case_opts no = *o;
    struct umbra_org_keys *k = NULL;
    struct umbra_kdf_params kdf;
    char keypath[CASE_PATH_MAX];
    size_t pwlen = 0, npwlen = 0;
    char *pw = NULL, *npw = NULL;
    int rc = CASE_FAIL;

    if (case_path(keypath, sizeof keypath, o, "keys.umbra") != 0)
        return CASE_FAIL;
    if (open_key_file(&k, &kdf, &pw, &pwlen, keypath, o) != 0)
        goto out;
    no.passphrase_file = new_file;
    if (new_file == NULL) {
        /* no file: ask (twice) on the terminal, not the environment */
        static const char none[] = "";

        no.passphrase_file = none;
        if (getenv("UMBRA_PASSPHRASE_FILE") != NULL)
            unsetenv("UMBRA_PASSPHRASE_FILE");
        fprintf(stderr, "Now the new passphrase.\n");
    }
    if (case_new_passphrase(&npw, &npwlen, &no, weak_ok) != 0)
        goto out;
    if (case_write_keys(keypath, k, npw, npwlen, &kdf) != 0)
        goto out;
    printf("The passphrase of %s is changed.\n", keypath);
    rc = CASE_OK;
out:
    umbra_secret_free(pw);
    umbra_secret_free(npw);
    umbra_org_keys_free(k);
    return rc;
}

static const struct option PASSPHRASE_OPTS[] = {
    ARGS_VALUE("new-passphrase-file", 'n'),
    ARGS_FLAG("weak-passphrase-ok", 'w'), ARGS_LAST,
};

/* keys passphrase [--new-passphrase-file FILE] [--weak-passphrase-ok] */
static int
keys_passphrase_args(const struct case_opts *o, int argc, char **argv)
{
    const char *nf = NULL;
    struct args a;
    int k, weak_ok = 0;

    args_init(&a, argc, argv, PASSPHRASE_OPTS);
    while ((k = args_next(&a)) != ARGS_END) {
        if (k == 'w') {
            weak_ok = 1;
        } else if (k == 'n' && nf == NULL) {
            nf = a.val;
        } else {
            if (k == 'n')
                case_err("--new-passphrase-file is given twice; give it "
                         "once");
            else
                args_why(&a, k);
            return case_usage(KEYS_USAGE);
        }
    }
    return keys_passphrase(o, nf, weak_ok);
}

static const char PUBLISH_USAGE[] =
    "usage: umbra-case [--home DIR] keys publish --server URL "
    "--token-file FILE\n"
    "           [--proxy URL]\n"
    "\n"
    "Sends DIR/public.json, the bundle 'keys add', 'keys add-member' and\n"
    "'keys remove-member' re-signed, to the organisation's server, which\n"
    "serves it at once if it is signed by the registered signing key and\n"
    "has a higher serial. From then on a removed member's token answers\n"
    "member_removed, and reports are sealed to the new keys.\n";

/* keys publish --server URL --token-file FILE [--proxy URL]: sends
 * DIR/public.json to the server (POST /api/v1/sync/bundle). */
static int
keys_publish(const struct case_opts *o, int argc, char **argv)
{
    char path[CASE_PATH_MAX];
    struct umbra_bundle b;
    struct sync_args a;
    struct net n;
    uint8_t *raw = NULL;
    char *text = NULL;
    size_t len = 0;
    json_t *body = NULL;
    long status = 0;
    int rc = CASE_FAIL;

    memset(&n, 0, sizeof n);
    if (case_help(PUBLISH_USAGE, argc, argv))
        return CASE_OK;
    if (sync_parse(&a, argc, argv, 0) != 0)
        return case_usage(PUBLISH_USAGE);
    if (case_path(path, sizeof path, o, "public.json") != 0 ||
        case_read_bundle(&b, &raw, &len, path) != 0)
        return CASE_FAIL;
    if (sync_connect(&n, &a) != 0)
        goto out;
    /* the file's text, unchanged: the server keeps it byte for byte */
    text = malloc(len + 1);
    if (text == NULL) {
        case_err("out of memory");
        goto out;
    }
    memcpy(text, raw, len);
    text[len] = 0;
    if (strlen(text) != len) {
        case_err("'%s' holds a NUL byte; export it again", path);
        goto out;
    }
    if (net_json(&n, "/api/v1/sync/bundle", text, &status, &body) != 0)
        goto out;
    if (status != 200) {
        net_report(&n, "the server refused the public key bundle", status,
                   body);
        goto out;
    }
    printf("The server now serves the public key bundle of '%s' with serial "
           "%llu (%u %s, %u %s).\n",
           b.org, (unsigned long long)b.serial, b.nkeys,
           CASE_PL(b.nkeys, "key"), b.nsigners,
           CASE_PL(b.nsigners, "signer"));
    rc = CASE_OK;
out:
    free(raw);
    free(text);
    json_decref(body);
    net_release(&n);
    return rc;
}

/* The sub-commands of keys; noun and meta name the one word a
 * sub-command takes (NULL: none). */
static const struct keys_sub {
    const char *name, *noun, *meta;
} SUBS[] = {
    {"list", NULL, NULL},
    {"add", NULL, NULL},
    {"export", NULL, NULL},
    {"passphrase", NULL, NULL},
    {"add-member", "member file", "MEMBER.json"},
    {"remove-member", "member key id or name", "ID|NAME"},
    {"join", "public key bundle", "PUBLIC.json"},
    {"publish", NULL, NULL},
};
#define NSUBS (sizeof SUBS / sizeof SUBS[0])

/* The one line for a keys command line without a known sub-command. */
static int
keys_why(const char *given)
{
    const char *names[NSUBS], *hint;
    size_t i;

    for (i = 0; i < NSUBS; i++)
        names[i] = SUBS[i].name;
    if (given == NULL) {
        case_err("keys needs a sub-command first: list, add, export, "
                 "passphrase, add-member, remove-member, join or publish");
        return case_usage(KEYS_USAGE);
    }
    if (given[0] == '-') {
        case_err("keys needs a sub-command before '%s': list, add, export, "
                 "passphrase, add-member, remove-member, join or publish",
                 given);
        return case_usage(KEYS_USAGE);
    }
    hint = args_suggest(given, names, NSUBS);
    if (hint != NULL)
        case_err("unknown keys sub-command '%s'; did you mean %s?", given,
                 hint);
    else
        case_err("unknown keys sub-command '%s'; see 'umbra-case keys "
                 "--help'",
                 given);
    return case_usage(KEYS_USAGE);
}

int
verb_keys(struct case_env *e, int argc, char **argv)
{
    const struct case_opts *o = e->o;
    const struct keys_sub *sub = NULL;
    const char *word = NULL;
    char label[40];
    size_t i;
    int bad;

    if (case_help(KEYS_USAGE, argc, argv))
        return CASE_OK;
    for (i = 0; argc >= 2 && i < NSUBS && sub == NULL; i++)
        if (strcmp(argv[1], SUBS[i].name) == 0)
            sub = &SUBS[i];
    if (sub == NULL)
        return keys_why(argc >= 2 ? argv[1] : NULL);
    /* the sub-command reads its words with "keys NAME" as its verb */
    (void)snprintf(label, sizeof label, "keys %s", sub->name);
    argv[1] = label;
    if (strcmp(sub->name, "passphrase") == 0)
        return keys_passphrase_args(o, argc - 1, argv + 1);
    if (strcmp(sub->name, "publish") == 0)
        return keys_publish(o, argc - 1, argv + 1);
    bad = sub->noun != NULL ? case_one_word(&word, label, argc - 1, argv + 1,
                                            sub->noun, sub->meta)
                            : case_no_words(argc - 1, argv + 1);
    if (bad)
        return case_usage(KEYS_USAGE);
    if (strcmp(sub->name, "list") == 0)
        return keys_list(e);
    if (strcmp(sub->name, "add") == 0)
        return keys_add(o);
    if (strcmp(sub->name, "export") == 0)
        return keys_export(e);
    if (strcmp(sub->name, "add-member") == 0)
        return case_keys_add_member(o, word);
    if (strcmp(sub->name, "remove-member") == 0)
        return case_keys_remove_member(o, word);
    return case_keys_join(o, word);
}
