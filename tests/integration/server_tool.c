/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * server_tool: a tiny helper for the server tests, linking libumbra.
 *   server_tool receipt            a new receipt
 *   server_tool derive RECEIPT     "pk_base64 lookup_hex mailbox_id_hex"
 *   server_tool seal PK_BASE64     stdin to an envelope sealed to one key
 *   server_tool open RECEIPT       stdin envelope opened with the mailbox key
 *   server_tool kdfbench N         ms per mailbox derivation (Argon2), N runs
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
    struct umbra_org_keys *k = NULL;
    char pw[256];
    size_t n;
    FILE *f = fopen(passfile, "r");
    int rc;

    if (!f)
        return 1;
    n = fread(pw, 1, sizeof pw - 1, f);
    fclose(f);
    while (n > 0 && (pw[n - 1] == '\n' || pw[n - 1] == '\r'))
        n--;
    if (umbra_keyfile_read(&k, keyfile, pw, n) != 0)
        return 1;
    sodium_memzero(pw, sizeof pw);
    rc = alert_sign(k->sign_sk);
    umbra_org_keys_free(k);
    return rc;
}

int
main(int argc, char **argv)
{
    if (umbra_secure_init() != 0 || argc < 2)
        return 2;
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
