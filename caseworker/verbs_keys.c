/*
 * verbs_keys: init, fingerprint, seal, open and keys — the verbs that deal
 * with keys and single envelopes rather than cases.
 */
#include "case.h"
#include "store.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char INIT_USAGE[] =
    "usage: umbra-case [--home DIR] init --org SLUG\n"
    "           [--kdf-memory KIB] [--kdf-passes N] [--kdf-lanes N]\n"
    "\n"
    "Creates a new caseworker home: the organisation's secret keys in a\n"
    "passphrase-protected key file (DIR/keys.umbra), an empty encrypted case\n"
    "store (DIR/cases.db) and the public key bundle (DIR/public.json) to\n"
    "give to the server. Prints the fingerprint: compare it with the one the\n"
    "server shows. Refuses to touch an existing home. The --kdf options\n"
    "lower the passphrase hashing cost (for tests only).\n";

static const char FP_USAGE[] =
    "usage: umbra-case fingerprint FILE\n"
    "\n"
    "Checks the signature of a public key bundle (e.g. public.json) and\n"
    "prints its fingerprint, six groups of five digits.\n";

static const char SEAL_USAGE[] =
    "usage: umbra-case seal --to PUBLIC.json [--to PUBLIC.json ...]\n"
    "\n"
    "Seals standard input (at most 16 MiB) to every key of each bundle and\n"
    "writes the envelope to standard output.\n";

static const char OPEN_USAGE[] =
    "usage: umbra-case [--home DIR] open\n"
    "\n"
    "Opens an envelope from standard input with the home's keys and writes\n"
    "the plaintext to standard output. Needs the passphrase.\n";

static const char KEYS_USAGE[] =
    "usage: umbra-case [--home DIR] keys list\n"
    "       umbra-case [--home DIR] keys add\n"
    "       umbra-case [--home DIR] keys export\n"
    "       umbra-case [--home DIR] keys passphrase "
    "[--new-passphrase-file FILE]\n"
    "\n"
    "list: the organisation's encryption keys (from DIR/public.json).\n"
    "add:  a new encryption key (key rotation). Old keys stay, so old\n"
    "      reports still open; DIR/public.json is re-signed with the new key\n"
    "      listed. Give the new public.json to the server operator; reports\n"
    "      are then sealed to every listed key. Needs the passphrase.\n"
    "export: write DIR/public.json again from the key file.\n"
    "passphrase: change the key file's passphrase (asked twice, or read\n"
    "      from --new-passphrase-file); the keys stay the same.\n";

static int
parse_u32(const char *s, uint32_t *out)
{
    char *end = NULL;
    unsigned long v;

    if (s == NULL || s[0] < '0' || s[0] > '9')
        return -1;
    errno = 0;
    v = strtoul(s, &end, 10);
    if (errno != 0 || *end != 0 || v > 0xffffffffUL)
        return -1;
    *out = (uint32_t)v;
    return 0;
}

static void
remove_partial_home(const struct case_opts *o)
{
    static const char *const names[] = {
        "keys.umbra", "cases.db", "cases.db-wal", "cases.db-shm",
        "public.json", "lock",
    };
    char p[CASE_PATH_MAX];
    size_t i;

    for (i = 0; i < sizeof names / sizeof names[0]; i++)
        if (case_path(p, sizeof p, o, names[i]) == 0)
            (void)unlink(p);
}

int
verb_init(const struct case_opts *o, int argc, char **argv)
{
    struct umbra_kdf_params kdf = UMBRA_KDF_DEFAULT;
    struct umbra_org_keys *k = NULL;
    char keypath[CASE_PATH_MAX], pubpath[CASE_PATH_MAX];
    char fp[UMBRA_FINGERPRINT_LEN + 1];
    const char *slug = NULL;
    char *pw = NULL, *json = NULL;
    size_t pwlen = 0;
    int i, err, rc = CASE_FAIL, created = 0;

    if (case_help(INIT_USAGE, argc, argv))
        return CASE_OK;
    for (i = 1; i < argc; i++) {
        const char *v = NULL;
        int m;

        if ((m = case_opt("--org", argc, argv, &i, &v)) != 0) {
            if (m < 0)
                goto usage;
            slug = v;
        } else if ((m = case_opt("--kdf-memory", argc, argv, &i, &v)) != 0) {
            if (m < 0 || parse_u32(v, &kdf.m_kib) != 0)
                goto usage;
        } else if ((m = case_opt("--kdf-passes", argc, argv, &i, &v)) != 0) {
            if (m < 0 || parse_u32(v, &kdf.t) != 0)
                goto usage;
        } else if ((m = case_opt("--kdf-lanes", argc, argv, &i, &v)) != 0) {
            if (m < 0 || parse_u32(v, &kdf.p) != 0)
                goto usage;
        } else {
            goto usage;
        }
    }
    if (slug == NULL)
        goto usage;
    if (case_path(keypath, sizeof keypath, o, "keys.umbra") != 0 ||
        case_path(pubpath, sizeof pubpath, o, "public.json") != 0)
        return CASE_FAIL;
    if (access(keypath, F_OK) == 0 || access(pubpath, F_OK) == 0) {
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
    if (case_passphrase(&pw, &pwlen, o, 1) != 0)
        goto out;
    created = 1;
    err = umbra_keyfile_write(keypath, k, pw, pwlen, &kdf);
    if (err != 0) {
        case_err("cannot write key file '%s': %s", keypath,
                 err == UMBRA_ERR_IO ? strerror(errno) : umbra_strerror(err));
        goto out;
    }
    if (store_create(o->home, k->store_key, k->slug) != 0)
        goto out;
    err = umbra_bundle_export(&json, k);
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
usage:
    fputs(INIT_USAGE, stderr);
    return CASE_USAGE;
}

int
verb_fingerprint(const struct case_opts *o, int argc, char **argv)
{
    struct umbra_bundle b;
    char fp[UMBRA_FINGERPRINT_LEN + 1];

    (void)o;
    if (case_help(FP_USAGE, argc, argv))
        return CASE_OK;
    if (argc != 2) {
        fputs(FP_USAGE, stderr);
        return CASE_USAGE;
    }
    if (case_load_bundle(&b, argv[1]) != 0)
        return CASE_FAIL;
    umbra_fingerprint(fp, b.sign_pk);
    printf("%s\n", fp);
    return CASE_OK;
}

int
verb_seal(const struct case_opts *o, int argc, char **argv)
{
    uint8_t pks[UMBRA_ENVELOPE_MAX_RECIPIENTS * 32];
    struct umbra_bundle b;
    uint8_t *in = NULL, *env = NULL;
    size_t in_len = 0, env_len = 0, cap;
    unsigned n = 0;
    int i, err, rc = CASE_FAIL;

    (void)o;
    if (case_help(SEAL_USAGE, argc, argv))
        return CASE_OK;
    for (i = 1; i < argc; i++) {
        const char *v = NULL;
        int m = case_opt("--to", argc, argv, &i, &v);

        if (m <= 0) {
            fputs(SEAL_USAGE, stderr);
            return CASE_USAGE;
        }
        if (case_load_bundle(&b, v) != 0)
            return CASE_FAIL;
        if (n + b.nkeys > UMBRA_ENVELOPE_MAX_RECIPIENTS) {
            case_err("too many recipients: at most %u keys in all",
                     UMBRA_ENVELOPE_MAX_RECIPIENTS);
            return CASE_FAIL;
        }
        umbra_bundle_pks(pks + 32u * n, &b);
        n += b.nkeys;
    }
    if (n == 0) {
        fputs(SEAL_USAGE, stderr);
        return CASE_USAGE;
    }
    cap = umbra_envelope_max_content(n);
    if (case_read_stream(&in, &in_len, stdin, cap, 1) != 0) {
        case_err("cannot read standard input: %s",
                 errno == EFBIG ? "larger than an envelope can carry"
                                : strerror(errno));
        goto out;
    }
    err = umbra_envelope_seal(&env, &env_len, pks, n, in, in_len);
    if (err != 0) {
        case_err("cannot seal: %s", umbra_strerror(err));
        goto out;
    }
    if (fwrite(env, 1, env_len, stdout) != env_len || fflush(stdout) != 0) {
        case_err("cannot write standard output: %s", strerror(errno));
        goto out;
    }
    rc = CASE_OK;
out:
    umbra_secret_free(in);
    free(env);
    return rc;
}

/* X25519 public keys of k in order, for umbra_envelope_open. */
static void
enc_pks(uint8_t *pks, const struct umbra_org_keys *k)
{
    unsigned i;

    for (i = 0; i < k->nkeys; i++)
        memcpy(pks + 32u * i, k->enc[i].pk, 32);
}

const char *
case_open_error(int err)
{
    switch (err) {
    case UMBRA_ERR_NO_KEY:
        return "it is not sealed to any key of this home";
    case UMBRA_ERR_DECRYPT:
        return "it does not decrypt (forged or damaged)";
    case UMBRA_ERR_INNER:
        return "its inner header disagrees with the outer one (tampered)";
    case UMBRA_ERR_TRUNCATED:
        return "it is truncated";
    case UMBRA_ERR_SIZE:
        return "its length is not a valid envelope length";
    case UMBRA_ERR_FORMAT:
    case UMBRA_ERR_VERSION:
        return "it is not an Umbra envelope";
    default:
        return umbra_strerror(err);
    }
}

int
verb_open(const struct case_opts *o, int argc, char **argv)
{
    uint8_t pks[UMBRA_MAX_ORG_KEYS * 32];
    struct umbra_org_keys *k = NULL;
    uint8_t *env = NULL, *pt = NULL;
    size_t env_len = 0, pt_len = 0;
    int err, rc = CASE_FAIL;

    if (case_help(OPEN_USAGE, argc, argv))
        return CASE_OK;
    if (argc != 1) {
        fputs(OPEN_USAGE, stderr);
        return CASE_USAGE;
    }
    if (case_load_keys(&k, o) != 0)
        goto out;
    if (case_read_stream(&env, &env_len, stdin, CASE_ENVELOPE_MAX, 0) != 0) {
        case_err("cannot read standard input: %s",
                 errno == EFBIG ? "larger than any envelope" : strerror(errno));
        goto out;
    }
    enc_pks(pks, k);
    err = umbra_envelope_open(&pt, &pt_len, NULL, &k->enc_sk[0][0], pks,
                              k->nkeys, env, env_len);
    if (err != 0) {
        case_err("cannot open the envelope: %s", case_open_error(err));
        goto out;
    }
    if (fwrite(pt, 1, pt_len, stdout) != pt_len || fflush(stdout) != 0) {
        case_err("cannot write standard output: %s", strerror(errno));
        goto out;
    }
    rc = CASE_OK;
out:
    umbra_secret_free(pt);
    free(env);
    umbra_org_keys_free(k);
    return rc;
}

static int
keys_list(const struct case_opts *o)
{
    char path[CASE_PATH_MAX], hex[17];
    char fp[UMBRA_FINGERPRINT_LEN + 1];
    struct umbra_bundle b;
    unsigned i;

    if (case_path(path, sizeof path, o, "public.json") != 0 ||
        case_load_bundle(&b, path) != 0)
        return CASE_FAIL;
    umbra_fingerprint(fp, b.sign_pk);
    printf("Organisation: %s\nFingerprint: %s\n", b.org, fp);
    for (i = 0; i < b.nkeys; i++) {
        umbra_hex(hex, b.keys[i].id, 8);
        printf("key %s created %s\n", hex, b.keys[i].created);
    }
    return CASE_OK;
}

static int
keys_export(const struct case_opts *o)
{
    struct umbra_org_keys *k = NULL;
    char pubpath[CASE_PATH_MAX];
    char *json = NULL;
    int rc = CASE_FAIL;

    if (case_path(pubpath, sizeof pubpath, o, "public.json") != 0 ||
        case_load_keys(&k, o) != 0)
        goto out;
    if (umbra_bundle_export(&json, k) != 0 ||
        case_write_atomic(pubpath, json, strlen(json), 0644) != 0) {
        case_err("cannot write '%s': %s", pubpath, strerror(errno));
        goto out;
    }
    printf("Wrote %s (%u keys).\n", pubpath, k->nkeys);
    rc = CASE_OK;
out:
    free(json);
    umbra_org_keys_free(k);
    return rc;
}

static int
keys_add(const struct case_opts *o)
{
    struct umbra_org_keys *k = NULL;
    struct umbra_kdf_params kdf;
    char keypath[CASE_PATH_MAX], pubpath[CASE_PATH_MAX], hex[17];
    uint8_t *raw = NULL;
    size_t raw_len = 0;
    char *pw = NULL, *json = NULL;
    size_t pwlen = 0;
    int err, rc = CASE_FAIL;

    if (case_path(keypath, sizeof keypath, o, "keys.umbra") != 0 ||
        case_path(pubpath, sizeof pubpath, o, "public.json") != 0)
        return CASE_FAIL;
    if (case_read_file(&raw, &raw_len, keypath, 65536) != 0 ||
        raw_len < 64) {
        case_err("cannot read key file '%s': %s", keypath,
                 raw_len < 64 && raw != NULL ? "too short" : strerror(errno));
        goto out;
    }
    kdf.m_kib = (uint32_t)raw[12] | (uint32_t)raw[13] << 8 |
                (uint32_t)raw[14] << 16 | (uint32_t)raw[15] << 24;
    kdf.t = (uint32_t)raw[16] | (uint32_t)raw[17] << 8 |
            (uint32_t)raw[18] << 16 | (uint32_t)raw[19] << 24;
    kdf.p = (uint32_t)raw[20] | (uint32_t)raw[21] << 8 |
            (uint32_t)raw[22] << 16 | (uint32_t)raw[23] << 24;
    if (case_passphrase(&pw, &pwlen, o, 0) != 0)
        goto out;
    err = umbra_keyfile_decode(&k, raw, raw_len, pw, pwlen);
    if (err != 0) {
        case_err("cannot open key file '%s': %s", keypath,
                 err == UMBRA_ERR_DECRYPT ? "wrong passphrase or damaged file"
                                          : umbra_strerror(err));
        goto out;
    }
    err = umbra_org_keys_add(k);
    if (err != 0) {
        case_err("cannot add a key: %s",
                 err == UMBRA_ERR_TOO_LONG ? "the key file already holds 16 keys"
                                           : umbra_strerror(err));
        goto out;
    }
    err = umbra_keyfile_write(keypath, k, pw, pwlen, &kdf);
    if (err != 0) {
        case_err("cannot write key file '%s': %s", keypath,
                 err == UMBRA_ERR_IO ? strerror(errno) : umbra_strerror(err));
        goto out;
    }
    err = umbra_bundle_export(&json, k);
    if (err != 0 ||
        case_write_atomic(pubpath, json, strlen(json), 0644) != 0) {
        case_err("the key file holds the new key but '%s' could not be "
                 "written; fix that (disk full?) and run 'umbra-case keys "
                 "export'",
                 pubpath);
        goto out;
    }
    umbra_hex(hex, k->enc[k->nkeys - 1].id, 8);
    printf("Added key %s (the organisation now has %u keys).\n", hex,
           k->nkeys);
    printf("Give the new %s to the server operator; the fingerprint does "
           "not change.\n",
           pubpath);
    rc = CASE_OK;
out:
    if (raw != NULL)
        memset(raw, 0, raw_len);
    free(raw);
    free(json);
    umbra_secret_free(pw);
    umbra_org_keys_free(k);
    return rc;
}

/* Changes the key file's passphrase (same keys, same KDF cost). */
static int
keys_passphrase(const struct case_opts *o, const char *new_file)
{
    struct case_opts no = *o;
    struct umbra_org_keys *k = NULL;
    struct umbra_kdf_params kdf;
    char keypath[CASE_PATH_MAX];
    uint8_t *raw = NULL;
    size_t raw_len = 0, pwlen = 0, npwlen = 0;
    char *pw = NULL, *npw = NULL;
    int err, rc = CASE_FAIL;

    if (case_path(keypath, sizeof keypath, o, "keys.umbra") != 0)
        return CASE_FAIL;
    if (case_read_file(&raw, &raw_len, keypath, 65536) != 0 || raw_len < 64) {
        case_err("cannot read key file '%s': %s", keypath,
                 raw != NULL ? "too short" : strerror(errno));
        goto out;
    }
    kdf.m_kib = (uint32_t)raw[12] | (uint32_t)raw[13] << 8 |
                (uint32_t)raw[14] << 16 | (uint32_t)raw[15] << 24;
    kdf.t = (uint32_t)raw[16] | (uint32_t)raw[17] << 8 |
            (uint32_t)raw[18] << 16 | (uint32_t)raw[19] << 24;
    kdf.p = (uint32_t)raw[20] | (uint32_t)raw[21] << 8 |
            (uint32_t)raw[22] << 16 | (uint32_t)raw[23] << 24;
    if (case_passphrase(&pw, &pwlen, o, 0) != 0)
        goto out;
    err = umbra_keyfile_decode(&k, raw, raw_len, pw, pwlen);
    if (err != 0) {
        case_err("cannot open key file '%s': %s", keypath,
                 err == UMBRA_ERR_DECRYPT ? "wrong passphrase or damaged file"
                                          : umbra_strerror(err));
        goto out;
    }
    no.passphrase_file = new_file;
    if (new_file == NULL) {
        /* no file: ask (twice) on the terminal, not the environment */
        static const char none[] = "";

        no.passphrase_file = none;
        if (getenv("UMBRA_PASSPHRASE_FILE") != NULL)
            unsetenv("UMBRA_PASSPHRASE_FILE");
        fprintf(stderr, "Now the new passphrase.\n");
    }
    if (case_passphrase(&npw, &npwlen, &no, 1) != 0)
        goto out;
    err = umbra_keyfile_write(keypath, k, npw, npwlen, &kdf);
    if (err != 0) {
        case_err("cannot write key file '%s': %s", keypath,
                 err == UMBRA_ERR_IO ? strerror(errno) : umbra_strerror(err));
        goto out;
    }
    printf("The passphrase of %s is changed.\n", keypath);
    rc = CASE_OK;
out:
    if (raw != NULL)
        memset(raw, 0, raw_len);
    free(raw);
    umbra_secret_free(pw);
    umbra_secret_free(npw);
    umbra_org_keys_free(k);
    return rc;
}

int
verb_keys(const struct case_opts *o, int argc, char **argv)
{
    if (case_help(KEYS_USAGE, argc, argv))
        return CASE_OK;
    if (argc == 2 && strcmp(argv[1], "list") == 0)
        return keys_list(o);
    if (argc == 2 && strcmp(argv[1], "add") == 0)
        return keys_add(o);
    if (argc == 2 && strcmp(argv[1], "export") == 0)
        return keys_export(o);
    if (argc >= 2 && strcmp(argv[1], "passphrase") == 0) {
        const char *nf = NULL;
        int i = 2;

        if (argc == 2)
            return keys_passphrase(o, NULL);
        if (argc <= 4 &&
            case_opt("--new-passphrase-file", argc, argv, &i, &nf) > 0 &&
            i == argc - 1)
            return keys_passphrase(o, nf);
    }
    fputs(KEYS_USAGE, stderr);
    return CASE_USAGE;
}
