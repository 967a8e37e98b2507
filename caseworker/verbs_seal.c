/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * verbs_seal: seal (standard input to the keys of bundles) and open (an
 * envelope with the home's keys).
 */
#include "args.h"
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

static const struct option SEAL_OPTS[] = {
    ARGS_VALUE("to", 't'), ARGS_LAST,
};

/* Writes the whole of buf to standard output; prints its error. */
static int
to_stdout(const uint8_t *buf, size_t len)
{
    if (fwrite(buf, 1, len, stdout) != len || fflush(stdout) != 0) {
        case_err("cannot write standard output: %s", strerror(errno));
        return -1;
    }
    return 0;
}

/* Reads standard input (at most cap bytes) into *in; prints its error
 * ("larger than <too_big>"). */
static int
from_stdin(uint8_t **in, size_t *len, size_t cap, int secret,
           const char *too_big)
{
    if (case_read_stream(in, len, stdin, cap, secret) != 0) {
        case_err("cannot read standard input: %s",
                 errno == EFBIG ? too_big : strerror(errno));
        return -1;
    }
    return 0;
}

/* The end of seal and open: the error of the crypto step (err), printed as
 * "cannot WHAT: WHY", or its output written to standard output. */
static int
finish(int err, const char *what, const char *why, const uint8_t *out,
       size_t len)
{
    if (err != 0) {
        case_err("cannot %s: %s", what, why);
        return CASE_FAIL;
    }
    return to_stdout(out, len) == 0 ? CASE_OK : CASE_FAIL;
}

int
verb_seal(struct case_env *e, int argc, char **argv)
{
    uint8_t pks[UMBRA_ENVELOPE_MAX_RECIPIENTS * 32];
    struct umbra_bundle b;
    uint8_t *in = NULL, *env = NULL;
    size_t in_len = 0, env_len = 0;
    unsigned n = 0;
    struct args a;
    int err, rc = CASE_FAIL;

    (void)e;
    if (case_help(SEAL_USAGE, argc, argv))
        return CASE_OK;
    args_init(&a, argc, argv, SEAL_OPTS);
    while ((err = args_next(&a)) != ARGS_END) {
        if (err != 't') {
            args_why(&a, err);
            return case_usage(SEAL_USAGE);
        }
        if (case_load_bundle(&b, a.val) != 0)
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
        case_err("seal needs --to PUBLIC.json (the public key bundle to "
                 "seal to)");
        return case_usage(SEAL_USAGE);
    }
    if (from_stdin(&in, &in_len, umbra_envelope_max_content(n), 1,
                   "larger than an envelope can carry") != 0)
        goto out;
    err = umbra_envelope_seal(&env, &env_len, pks, n, in, in_len);
    rc = finish(err, "seal", umbra_strerror(err), env, env_len);
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
verb_open(struct case_env *e, int argc, char **argv)
{
    uint8_t pks[UMBRA_MAX_ORG_KEYS * 32];
    uint8_t *env = NULL, *pt = NULL;
    size_t env_len = 0, pt_len = 0;
    int err, rc = CASE_FAIL;

    if (case_help(OPEN_USAGE, argc, argv))
        return CASE_OK;
    if (case_no_words(argc, argv) != 0)
        return case_usage(OPEN_USAGE);
    if (case_setup(e) != 0 ||
        from_stdin(&env, &env_len, CASE_ENVELOPE_MAX, 0,
                   "larger than any envelope") != 0)
        goto out;
    enc_pks(pks, e->keys);
    err = umbra_envelope_open(&pt, &pt_len, NULL, &e->keys->enc_sk[0][0], pks,
                              e->keys->nkeys, env, env_len);
    rc = finish(err, "open the envelope", case_open_error(err), pt, pt_len);
out:
    umbra_secret_free(pt);
    free(env);
    return rc;
}
