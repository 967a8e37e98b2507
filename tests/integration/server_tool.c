/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * server_tool: a tiny helper for the server tests, linking libumbra.
 *   server_tool receipt            a new receipt
 *   server_tool derive RECEIPT     "pk_base64 lookup_hex mailbox_id_hex"
 *   server_tool seal PK_BASE64     stdin to an envelope sealed to one key
 *   server_tool open RECEIPT       stdin envelope opened with the mailbox key
 *   server_tool kdfbench N         ms per mailbox derivation (Argon2), N runs
 *   server_tool bundle KEYFILE PASSFILE SERIAL [NAME,PK_BASE64,MAY]...
 *                                  the bundle of the key file's keys with
 *                                  that serial and those signers (MAY:
 *                                  events, alerts or events+alerts),
 *                                  signed with its organisation key
 *   server_tool sign KEYFILE PASSFILE  stdin signed with the organisation
 *                                  key: "PK_BASE64 SIG_BASE64"
 *   server_tool alert-sign KEYFILE PASSFILE   stdin (inner alert JSON) to
 *                                  an alert file signed with the key
 *                                  file's organisation signing key
 *   server_tool alert-sign-seed HEX   the same with the Ed25519 key of a
 *                                  32-byte seed (a key no bundle lists)
 */
#include "umbra.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MAX_IN (17u * 1024u * 1024u)

static int
read_all(uint8_t **out, size_t *len)
{
    uint8_t *b = malloc(MAX_IN);
    if (!b)
        return -1;
    *len = fread(b, 1, MAX_IN, stdin);
    *out = b;
    return 0;
}

static int
derive(struct umbra_mailbox *mb, const char *receipt)
{
    char d[UMBRA_RECEIPT_DIGITS + 1];
    if (umbra_receipt_normalise(d, receipt, strlen(receipt)) != 0)
        return -1;
    return umbra_mailbox_derive(mb, d);
}

/* The organisation keys of a key file whose passphrase is in passfile. */
static struct umbra_org_keys *
org_keys(const char *keyfile, const char *passfile)
{
    char pw[512];
    struct umbra_org_keys *k = NULL;
    FILE *f = fopen(passfile, "r");
    size_t n = f ? fread(pw, 1, sizeof pw - 1, f) : 0;

    if (f)
        fclose(f);
    while (n > 0 && (pw[n - 1] == '\n' || pw[n - 1] == '\r'))
        n--;
    if (umbra_keyfile_read(&k, keyfile, pw, n) != 0)
        k = NULL;
    sodium_memzero(pw, sizeof pw);
    return k;
}

/* "NAME,PK_BASE64,MAY" into g; 0 or -1. */
static int
signer_arg(struct umbra_signer *g, const char *arg)
{
    const char *c1 = strchr(arg, ','), *c2 = c1 ? strchr(c1 + 1, ',') : NULL;
    size_t pl = 0;

    memset(g, 0, sizeof *g);
    if (!c1 || !c2 || (size_t)(c1 - arg) > UMBRA_MEMBER_NAME_MAX ||
        sodium_base642bin(g->sign_pk, 32, c1 + 1, (size_t)(c2 - c1 - 1), NULL,
                          &pl, NULL, sodium_base64_VARIANT_ORIGINAL) != 0 ||
        pl != 32)
        return -1;
    memcpy(g->name, arg, (size_t)(c1 - arg));
    g->may = strstr(c2, "events") ? UMBRA_MAY_EVENTS : 0;
    g->may |= strstr(c2, "alerts") ? UMBRA_MAY_ALERTS : 0;
    return 0;
}

static int
bundle_cmd(int argc, char **argv)
{
    struct umbra_signer sg[UMBRA_MAX_SIGNERS];
    struct umbra_org_keys *k = org_keys(argv[2], argv[3]);
    char *json = NULL;
    int n = argc - 5, rc;

    if (!k || n < 0 || n > (int)UMBRA_MAX_SIGNERS)
        return 1;
    for (int i = 0; i < n; i++)
        if (signer_arg(&sg[i], argv[5 + i]) != 0)
            return 1;
    rc = umbra_bundle_export_full(&json, k, k->enc, k->nkeys,
                                  strtoull(argv[4], NULL, 10), sg,
                                  (unsigned)n);
    umbra_org_keys_free(k);
    if (rc != 0) {
        fprintf(stderr, "server_tool: %s\n", umbra_strerror(rc));
        return 1;
    }
    fputs(json, stdout);
    free(json);
    return 0;
}

static int
sign_cmd(char **argv)
{
    struct umbra_org_keys *k = org_keys(argv[2], argv[3]);
    uint8_t *in = NULL, sig[64];
    size_t n = 0;
    char pk[64], sb[100];

    if (!k || read_all(&in, &n) != 0 ||
        crypto_sign_detached(sig, NULL, in, n, k->sign_sk) != 0)
        return 1;
    sodium_bin2base64(pk, sizeof pk, k->sign_pk, 32,
                      sodium_base64_VARIANT_ORIGINAL);
    sodium_bin2base64(sb, sizeof sb, sig, 64, sodium_base64_VARIANT_ORIGINAL);
    printf("%s %s\n", pk, sb);
    umbra_org_keys_free(k);
    free(in);
    return 0;
}

/* stdin signed with sk (umbra_alert_sign) to stdout; 0, or 1 with the
 * library's phrase on stderr */
static int
alert_sign(const uint8_t sk[64])
{
    uint8_t *in = NULL;
    char *out = NULL;
    size_t n = 0;
    int rc;

    if (read_all(&in, &n) != 0)
        return 1;
    rc = umbra_alert_sign(&out, (const char *)in, n, sk);
    free(in);
    if (rc != 0) {
        fprintf(stderr, "server_tool: %s\n", umbra_strerror(rc));
        return 1;
    }
    fputs(out, stdout);
    free(out);
    return 0;
}

static int
alert_sign_keyfile(const char *keyfile, const char *passfile)
{
    struct umbra_org_keys *k = org_keys(keyfile, passfile);
    int rc;

    if (!k)
        return 1;
    rc = alert_sign(k->sign_sk);
    umbra_org_keys_free(k);
    return rc;
}

int
main(int argc, char **argv)
{
    if (umbra_secure_init() != 0 || argc < 2)
        return 2;
    if (strcmp(argv[1], "bundle") == 0 && argc >= 5)
        return bundle_cmd(argc, argv);
    if (strcmp(argv[1], "sign") == 0 && argc == 4)
        return sign_cmd(argv);
    if (strcmp(argv[1], "receipt") == 0) {
        char r[UMBRA_RECEIPT_DISPLAY_LEN + 1];
        umbra_receipt_new(r);
        printf("%s\n", r);
        return 0;
    }
    if (strcmp(argv[1], "derive") == 0 && argc == 3) {
        struct umbra_mailbox *mb = umbra_secret_alloc(sizeof *mb);
        char pk[64], lk[65], id[65];
        if (!mb || derive(mb, argv[2]) != 0)
            return 1;
        sodium_bin2base64(pk, sizeof pk, mb->pk, 32,
                          sodium_base64_VARIANT_ORIGINAL);
        umbra_hex(lk, mb->lookup_id, 32);
        umbra_hex(id, mb->mailbox_id, 32);
        printf("%s %s %s\n", pk, lk, id);
        umbra_secret_free(mb);
        return 0;
    }
    if (strcmp(argv[1], "kdfbench") == 0 && argc == 3) {
        struct umbra_mailbox *mb = umbra_secret_alloc(sizeof *mb);
        char r[UMBRA_RECEIPT_DISPLAY_LEN + 1];
        struct timespec a, b;
        int n = (int)strtol(argv[2], NULL, 10);
        if (!mb || n < 1)
            return 1;
        umbra_receipt_new(r);
        clock_gettime(CLOCK_MONOTONIC, &a);
        for (int i = 0; i < n; i++)
            if (derive(mb, r) != 0)
                return 1;
        clock_gettime(CLOCK_MONOTONIC, &b);
        printf("%.2f\n", ((double)(b.tv_sec - a.tv_sec) * 1e3 +
                          (double)(b.tv_nsec - a.tv_nsec) / 1e6) / n);
        umbra_secret_free(mb);
        return 0;
    }
    if (strcmp(argv[1], "seal") == 0 && argc == 3) {
        uint8_t pk[32], *in = NULL, *env = NULL;
        size_t pl = 0, n = 0, el = 0;
        if (sodium_base642bin(pk, 32, argv[2], strlen(argv[2]), NULL, &pl,
                              NULL, sodium_base64_VARIANT_ORIGINAL) != 0 ||
            pl != 32 || read_all(&in, &n) != 0 ||
            umbra_envelope_seal(&env, &el, pk, 1, in, n) != 0)
            return 1;
        fwrite(env, 1, el, stdout);
        free(in);
        free(env);
        return 0;
    }
    if (strcmp(argv[1], "open") == 0 && argc == 3) {
        struct umbra_mailbox *mb = umbra_secret_alloc(sizeof *mb);
        uint8_t *in = NULL, *out = NULL;
        size_t n = 0, ol = 0;
        if (!mb || derive(mb, argv[2]) != 0 || read_all(&in, &n) != 0 ||
            umbra_envelope_open(&out, &ol, NULL, mb->sk, mb->pk, 1, in, n) !=
                0)
            return 1;
        fwrite(out, 1, ol, stdout);
        umbra_secret_free(out);
        umbra_secret_free(mb);
        free(in);
        return 0;
    }
    if (strcmp(argv[1], "alert-sign") == 0 && argc == 4)
        return alert_sign_keyfile(argv[2], argv[3]);
    if (strcmp(argv[1], "alert-sign-seed") == 0 && argc == 3) {
        uint8_t seed[32], pk[32], sk[64];
        if (umbra_unhex(seed, 32, argv[2], strlen(argv[2])) != 0)
            return 2;
        crypto_sign_seed_keypair(pk, sk, seed);
        return alert_sign(sk);
    }
    return 2;
}
