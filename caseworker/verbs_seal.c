/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * verbs_seal: seal (standard input to the keys of bundles) and open (an
 * envelope with the home's keys).
 */
#include "case.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

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
