/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * verbs_init: init (a key holder's or a member's new home) and
 * fingerprint (of a public key bundle or a member file).
 */
#include "args.h"
#include "case.h"
#include "members.h"
#include "store.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char INIT_USAGE[] =
    "usage: umbra-case [--home DIR] init --org SLUG [--member] [--name NAME]\n"
    "           [--weak-passphrase-ok]\n"
    "           [--kdf-memory KIB] [--kdf-passes N] [--kdf-lanes N]\n"
    "\n"
    "Creates a new caseworker home: the organisation's secret keys in a\n"
    "passphrase-protected key file (DIR/keys.umbra), an empty encrypted case\n"
    "store (DIR/cases.db) and the public key bundle (DIR/public.json) to\n"
    "give to the server. Prints the fingerprint: compare it with the one the\n"
    "server shows. Refuses to touch an existing home. The --kdf options\n"
    "lower the passphrase hashing cost (for tests only). A passphrase that\n"
    "is easy to guess is refused (choose five or more words at random)\n"
    "unless --weak-passphrase-ok. --name NAME: how the team sees the key\n"
    "holder in the history of cases (default \"key holder\").\n"
    "\n"
    "--member --name NAME: a home for one more caseworker of an existing\n"
    "organisation. It holds this caseworker's own key only, and writes\n"
    "DIR/member.json (signed) for the organisation's key holder, who runs\n"
    "'umbra-case keys add-member member.json' and gives back public.json;\n"
    "then run 'umbra-case keys join public.json' here. Prints the member\n"
    "fingerprint to read aloud to the key holder.\n";

static const char FP_USAGE[] =
    "usage: umbra-case fingerprint FILE\n"
    "\n"
    "Checks the signature of a public key bundle (e.g. public.json) or of\n"
    "a member file (member.json) and prints its fingerprint, six groups of\n"
    "five digits.\n";

static void
remove_partial_home(const struct case_opts *o)
{
    static const char *const names[] = {
        "keys.umbra", "cases.db", "cases.db-wal", "cases.db-shm",
        "public.json", "member.json", "lock",
    };
    char p[CASE_PATH_MAX];
    size_t i;

    for (i = 0; i < sizeof names / sizeof names[0]; i++)
        if (case_path(p, sizeof p, o, names[i]) == 0)
            (void)unlink(p);
}

static const struct option INIT_OPTS[] = {
    ARGS_VALUE("org", 'o'), ARGS_FLAG("member", 'm'), ARGS_VALUE("name", 'n'),
    ARGS_VALUE("kdf-memory", 'M'), ARGS_VALUE("kdf-passes", 'T'),
    ARGS_VALUE("kdf-lanes", 'L'), ARGS_FLAG("weak-passphrase-ok", 'w'),
    ARGS_LAST,
};

/* The key holder's name (init --name) into the new store's meta, for
 * the bundle's signers. 0 or -1 (said). */
static int
holder_name(const struct case_opts *o, const struct umbra_org_keys *k,
            const char *name)
{
    struct store *s = NULL;
    int rc = -1;

    if (case_store_open(&s, o->home, k->store_key, 1) != 0)
        return -1;
    if (store_meta_set(s, "holder_name", name) == 0)
        rc = 0;
    else
        case_err("cannot record the name: %s", store_errmsg(s));
    store_close(s);
    return rc;
}

int
verb_init(struct case_env *e, int argc, char **argv)
{
    const struct case_opts *o = e->o;
    struct umbra_kdf_params kdf = UMBRA_KDF_DEFAULT;
    struct umbra_org_keys *k = NULL;
    char keypath[CASE_PATH_MAX], pubpath[CASE_PATH_MAX];
    char fp[UMBRA_FINGERPRINT_LEN + 1];
    const char *slug = NULL, *name = NULL;
    const struct args_keep keep[] = {{'o', &slug}, {'n', &name}};
    char *pw = NULL, *json = NULL;
    size_t pwlen = 0;
    struct args a;
    int c, err, rc = CASE_FAIL, created = 0, member = 0, weak_ok = 0;

    if (case_help(INIT_USAGE, argc, argv))
        return CASE_OK;
    args_init(&a, argc, argv, INIT_OPTS);
    while ((c = args_next(&a)) != ARGS_END) {
        if (args_keep(keep, 2, c, a.val))
            continue;
        if (c == 'm')
            member = 1;
        else if (c == 'w')
            weak_ok = 1;
        else if (c == 'M' || c == 'T' || c == 'L') {
            if (args_u32(a.val, c == 'M'   ? &kdf.m_kib
                                : c == 'T' ? &kdf.t
                                           : &kdf.p) != 0) {
                case_err("%s needs a whole number, not '%s'", a.arg,
                         a.val);
                return case_usage(INIT_USAGE);
            }
        } else {
            args_why(&a, c);
            return case_usage(INIT_USAGE);
        }
    }
    if (slug == NULL) {
        case_err("init needs --org SLUG (the organisation's short name, as "
                 "its server knows it)");
        return case_usage(INIT_USAGE);
    }
    if (member && name == NULL) {
        case_err("--member needs --name NAME (how the key holder will list "
                 "this caseworker)");
        return case_usage(INIT_USAGE);
    }
    if (name != NULL && !umbra_member_name_valid(name, strlen(name))) {
        case_err("--name must be 1 to 64 bytes without control characters");
        return case_usage(INIT_USAGE);
    }
    if (case_path(keypath, sizeof keypath, o, "keys.umbra") != 0 ||
        case_path(pubpath, sizeof pubpath, o, "public.json") != 0)
        return CASE_FAIL;
    if (access(keypath, F_OK) == 0 || access(pubpath, F_OK) == 0 ||
        case_is_member_home(o)) {
        case_err("'%s' already holds a caseworker home; nothing was changed "
                 "(choose another --home)",
                 o->home);
        return CASE_FAIL;
    }
    if (mkdir(o->home, 0700) != 0 && errno != EEXIST) {
        case_err("cannot create home '%s': %s", o->home, strerror(errno));
        return CASE_FAIL;
    }
    {
        char p[CASE_PATH_MAX];

        if (case_path(p, sizeof p, o, "cases.db") != 0)
            return CASE_FAIL;
        if (access(p, F_OK) == 0) {
            case_err("'%s' already holds a case store; nothing was changed",
                     o->home);
            return CASE_FAIL;
        }
    }
    err = umbra_org_keys_new(&k, slug);
    if (err != 0) {
        case_err("invalid organisation name '%s': use 1 to 63 of a-z, 0-9 "
                 "and '-'",
                 slug);
        goto out;
    }
    if (case_new_passphrase(&pw, &pwlen, o, weak_ok) != 0)
        goto out;
    created = 1;
    if (case_write_keys(keypath, k, pw, pwlen, &kdf) != 0)
        goto out;
    if (case_store_create(o->home, k->store_key, k->slug) != 0)
        goto out;
    if (!member && name != NULL && holder_name(o, k, name) != 0)
        goto out;
    if (member) {
        if (case_init_member_files(o, k, name) != 0)
            goto out;
        rc = CASE_OK;
        goto out;
    }
    /* serial 1: every later re-signing raises it (next_serial) */
    err = umbra_bundle_export_serial(&json, k, k->enc, k->nkeys, 1);
    if (err != 0) {
        case_err("cannot make the public key bundle: %s",
                 umbra_strerror(err));
        goto out;
    }
    if (case_write_atomic(pubpath, json, strlen(json), 0644) != 0) {
        case_err("cannot write '%s': %s", pubpath, strerror(errno));
        goto out;
    }
    umbra_fingerprint(fp, k->sign_pk);
    printf("Created the caseworker home '%s' for organisation '%s'.\n",
           o->home, k->slug);
    printf("Public key bundle (give it to the server operator): %s\n",
           pubpath);
    printf("Keep the passphrase safe: without it no report can be opened.\n");
    printf("Fingerprint: %s\n", fp);
    rc = CASE_OK;
out:
    if (rc != CASE_OK && created)
        remove_partial_home(o);
    free(json);
    umbra_secret_free(pw);
    umbra_org_keys_free(k);
    return rc;
}

int
verb_fingerprint(struct case_env *e, int argc, char **argv)
{
    struct umbra_bundle b;
    char fp[UMBRA_FINGERPRINT_LEN + 1];
    const char *file = NULL;

    (void)e;
    if (case_help(FP_USAGE, argc, argv))
        return CASE_OK;
    if (case_one_word(&file, "fingerprint", argc, argv, "file", "FILE") != 0)
        return case_usage(FP_USAGE);
    {
        struct umbra_member m;
        uint8_t *buf = NULL;
        size_t len = 0;
        int err, is_member = 0, ok = 0;

        if (case_read_file(&buf, &len, file, UMBRA_MEMBER_MAX_BYTES) == 0 &&
            strstr((const char *)buf, "\"" UMBRA_MEMBER_FORMAT "\"") != NULL) {
            is_member = 1;
            err = umbra_member_parse(&m, (const char *)buf, len);
            ok = err == 0;
            if (ok)
                umbra_fingerprint(fp, m.sign_pk);
            else
                case_err("'%s' is refused: %s", file,
                         case_member_error(err));
        }
        free(buf);
        if (is_member) {
            if (!ok)
                return CASE_FAIL;
            printf("%s\n", fp);
            return CASE_OK;
        }
    }
    if (case_load_bundle(&b, file) != 0)
        return CASE_FAIL;
    umbra_fingerprint(fp, b.sign_pk);
    printf("%s\n", fp);
    return CASE_OK;
}
