/* SPDX-License-Identifier: AGPL-3.0-or-later */
/* keyfile: Argon2id + XChaCha20-Poly1305 key file (see keyfile.h). */
#include "keyfile.h"

#include "encode.h"
#include "envelope.h"
#include "keys.h"

#include <argon2.h>
#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define AEAD_A crypto_aead_xchacha20poly1305_ietf_ABYTES
#define MIN_PAYLOAD (8u + 1u + 1u + 10u + 32u + 64u + 1u + 42u)

const struct umbra_kdf_params UMBRA_KDF_DEFAULT = {65536, 3, 4};

static const uint8_t file_magic[8] = {'U', 'M', 'B', 'R', 'A', 'K', 'E', 'Y'};
static const uint8_t payload_magic[8] = {'U', 'M', 'B', 'R',
                                         'A', 'S', 'E', 'C'};

static void
put32(uint8_t *b, uint32_t v)
{
    b[0] = (uint8_t)v;
    b[1] = (uint8_t)(v >> 8);
    b[2] = (uint8_t)(v >> 16);
    b[3] = (uint8_t)(v >> 24);
}

static uint32_t
get32(const uint8_t *b)
{
    return (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 |
           (uint32_t)b[3] << 24;
}

int
umbra_kdf_params_check(const struct umbra_kdf_params *pp)
{
    if (pp == NULL || pp->m_kib < UMBRA_KDF_MIN_M_KIB ||
        pp->m_kib > UMBRA_KDF_MAX_M_KIB || pp->t < 1 ||
        pp->t > UMBRA_KDF_MAX_T || pp->p < 1 || pp->p > UMBRA_KDF_MAX_P ||
        (uint64_t)pp->m_kib < 8ull * pp->p ||
        (uint64_t)pp->m_kib * pp->t > UMBRA_KDF_MAX_M_TIMES_T)
        return UMBRA_ERR_PARAMS;
    return 0;
}

static size_t
payload_size(size_t slug_len, unsigned nkeys)
{
    return 8u + 1u + slug_len + 10u + 32u + 64u + 1u + 42u * (size_t)nkeys;
}

static int
derive(uint8_t key[32], const struct umbra_kdf_params *pp,
       const char *passphrase, size_t passphrase_len, const uint8_t salt[16])
{
    int r = argon2id_hash_raw(pp->t, pp->m_kib, pp->p, passphrase,
                              passphrase_len, salt, 16, key, 32);

    if (r == ARGON2_MEMORY_ALLOCATION_ERROR)
        return UMBRA_ERR_NOMEM;
    return r == ARGON2_OK ? 0 : UMBRA_ERR_CRYPTO;
}

int
umbra_keyfile_encode(uint8_t **out, size_t *out_len,
                     const struct umbra_org_keys *k, const char *passphrase,
                     size_t passphrase_len,
                     const struct umbra_kdf_params *params)
{
    const struct umbra_kdf_params *pp = params ? params : &UMBRA_KDF_DEFAULT;
    uint8_t *buf = NULL, *payload = NULL, *key = NULL;
    size_t slug_len, plen, total, pos;
    unsigned i;
    int rc;

    if (out == NULL || out_len == NULL)
        return UMBRA_ERR_ARG;
    *out = NULL;
    *out_len = 0;
    if (k == NULL || passphrase == NULL || passphrase_len == 0 ||
        k->nkeys < 1 || k->nkeys > UMBRA_MAX_ORG_KEYS)
        return UMBRA_ERR_ARG;
    if (passphrase_len > UMBRA_PASSPHRASE_MAX)
        return UMBRA_ERR_TOO_LONG;
    rc = umbra_kdf_params_check(pp);
    if (rc != 0)
        return rc;
    slug_len = strnlen(k->slug, sizeof(k->slug));
    if (!umbra_slug_valid(k->slug, slug_len) ||
        !umbra_date_valid(k->created, strnlen(k->created, 11)))
        return UMBRA_ERR_ARG;
    plen = payload_size(slug_len, k->nkeys);
    total = UMBRA_KEYFILE_HEADER_BYTES + plen + AEAD_A;
    buf = malloc(total);
    payload = umbra_secret_alloc(plen);
    key = umbra_secret_alloc(32);
    if (buf == NULL || payload == NULL || key == NULL) {
        rc = UMBRA_ERR_NOMEM;
        goto out;
    }
    memcpy(buf, file_magic, 8);
    buf[8] = 1;
    buf[9] = 1;
    buf[10] = 0;
    buf[11] = 0;
    put32(buf + 12, pp->m_kib);
    put32(buf + 16, pp->t);
    put32(buf + 20, pp->p);
    umbra_randombytes(buf + 24, 16);
    umbra_randombytes(buf + 40, 24);

    pos = 0;
    memcpy(payload, payload_magic, 8);
    pos += 8;
    payload[pos++] = (uint8_t)slug_len;
    memcpy(payload + pos, k->slug, slug_len);
    pos += slug_len;
    memcpy(payload + pos, k->created, 10);
    pos += 10;
    memcpy(payload + pos, k->store_key, 32);
    pos += 32;
    memcpy(payload + pos, k->sign_sk, 64);
    pos += 64;
    payload[pos++] = (uint8_t)k->nkeys;
    for (i = 0; i < k->nkeys; i++) {
        if (!umbra_date_valid(k->enc[i].created, 10)) {
            rc = UMBRA_ERR_ARG;
            goto out;
        }
        memcpy(payload + pos, k->enc_sk[i], 32);
        memcpy(payload + pos + 32, k->enc[i].created, 10);
        pos += 42;
    }
    rc = derive(key, pp, passphrase, passphrase_len, buf + 24);
    if (rc != 0)
        goto out;
    crypto_aead_xchacha20poly1305_ietf_encrypt(
        buf + UMBRA_KEYFILE_HEADER_BYTES, NULL, payload, plen, buf,
        UMBRA_KEYFILE_HEADER_BYTES, NULL, buf + 40, key);
    *out = buf;
    *out_len = total;
    buf = NULL;
    rc = 0;
out:
    free(buf);
    umbra_secret_free(payload);
    umbra_secret_free(key);
    return rc;
}

int
umbra_keyfile_parse_payload(struct umbra_org_keys **out, const uint8_t *pl,
                            size_t plen)
{
    struct umbra_org_keys *k = NULL;
    uint8_t pk[32];
    size_t s, pos;
    unsigned n, i;
    int rc = UMBRA_ERR_FORMAT;

    if (out == NULL || pl == NULL)
        return UMBRA_ERR_ARG;
    *out = NULL;
    if (plen < MIN_PAYLOAD || memcmp(pl, payload_magic, 8) != 0)
        return UMBRA_ERR_FORMAT;
    s = pl[8];
    if (s < 1 || s > UMBRA_SLUG_MAX || plen < payload_size(s, 1))
        return UMBRA_ERR_FORMAT;
    n = pl[payload_size(s, 0) - 1];
    if (n < 1 || n > UMBRA_MAX_ORG_KEYS || plen != payload_size(s, n))
        return UMBRA_ERR_FORMAT;
    k = umbra_org_keys_alloc();
    if (k == NULL)
        return UMBRA_ERR_NOMEM;
    pos = 9;
    if (!umbra_slug_valid((const char *)pl + pos, s))
        goto out;
    memcpy(k->slug, pl + pos, s);
    pos += s;
    if (!umbra_date_valid((const char *)pl + pos, 10))
        goto out;
    memcpy(k->created, pl + pos, 10);
    pos += 10;
    memcpy(k->store_key, pl + pos, 32);
    pos += 32;
    /* The public half must be the one the seed gives. */
    if (crypto_sign_seed_keypair(k->sign_pk, k->sign_sk, pl + pos) != 0 ||
        sodium_memcmp(k->sign_sk, pl + pos, 64) != 0)
        goto out;
    pos += 64;
    pos += 1;
    for (i = 0; i < n; i++) {
        memcpy(k->enc_sk[i], pl + pos, 32);
        if (crypto_scalarmult_base(pk, k->enc_sk[i]) != 0 ||
            !umbra_date_valid((const char *)pl + pos + 32, 10))
            goto out;
        memcpy(k->enc[i].pk, pk, 32);
        umbra_key_id(k->enc[i].id, pk);
        memcpy(k->enc[i].created, pl + pos + 32, 10);
        pos += 42;
    }
    k->nkeys = n;
    *out = k;
    k = NULL;
    rc = 0;
out:
    umbra_org_keys_free(k);
    return rc;
}

int
umbra_keyfile_params(struct umbra_kdf_params *out, const uint8_t *buf,
                     size_t len)
{
    struct umbra_kdf_params pp;
    int rc;

    if (out == NULL || buf == NULL)
        return UMBRA_ERR_ARG;
    if (len > UMBRA_KEYFILE_MAX_BYTES)
        return UMBRA_ERR_TOO_LONG;
    if (len < UMBRA_KEYFILE_HEADER_BYTES)
        return UMBRA_ERR_TRUNCATED;
    if (memcmp(buf, file_magic, 8) != 0)
        return UMBRA_ERR_FORMAT;
    if (buf[8] != 1)
        return UMBRA_ERR_VERSION;
    if (buf[9] != 1 || buf[10] != 0 || buf[11] != 0)
        return UMBRA_ERR_FORMAT;
    pp.m_kib = get32(buf + 12);
    pp.t = get32(buf + 16);
    pp.p = get32(buf + 20);
    rc = umbra_kdf_params_check(&pp);
    if (rc != 0)
        return rc;
    *out = pp;
    return 0;
}

int
umbra_keyfile_decode(struct umbra_org_keys **out, const uint8_t *buf,
                     size_t len, const char *passphrase, size_t passphrase_len)
{
    struct umbra_kdf_params pp;
    uint8_t *payload = NULL, *key = NULL;
    size_t plen;
    int rc;

    if (out == NULL)
        return UMBRA_ERR_ARG;
    *out = NULL;
    if (buf == NULL || passphrase == NULL)
        return UMBRA_ERR_ARG;
    if (passphrase_len > UMBRA_PASSPHRASE_MAX)
        return UMBRA_ERR_TOO_LONG;
    rc = umbra_keyfile_params(&pp, buf, len);
    if (rc != 0)
        return rc;
    if (len < UMBRA_KEYFILE_HEADER_BYTES + AEAD_A + MIN_PAYLOAD)
        return UMBRA_ERR_TRUNCATED;
    plen = len - UMBRA_KEYFILE_HEADER_BYTES - AEAD_A;
    payload = umbra_secret_alloc(plen);
    key = umbra_secret_alloc(32);
    if (payload == NULL || key == NULL) {
        rc = UMBRA_ERR_NOMEM;
        goto out;
    }
    rc = derive(key, &pp, passphrase, passphrase_len, buf + 24);
    if (rc != 0)
        goto out;
    if (crypto_aead_xchacha20poly1305_ietf_decrypt(
            payload, NULL, NULL, buf + UMBRA_KEYFILE_HEADER_BYTES,
            len - UMBRA_KEYFILE_HEADER_BYTES, buf, UMBRA_KEYFILE_HEADER_BYTES,
            buf + 40, key) != 0) {
        rc = UMBRA_ERR_DECRYPT;
        goto out;
    }
    rc = umbra_keyfile_parse_payload(out, payload, plen);
out:
    umbra_secret_free(payload);
    umbra_secret_free(key);
    return rc;
}

int
umbra_keyfile_read(struct umbra_org_keys **out, const char *path,
                   const char *passphrase, size_t passphrase_len)
{
    uint8_t *buf = NULL;
    struct stat st;
    size_t len = 0;
    int fd = -1, rc, saved;

    if (out == NULL)
        return UMBRA_ERR_ARG;
    *out = NULL;
    if (path == NULL || passphrase == NULL)
        return UMBRA_ERR_ARG;
    fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
    if (fd < 0)
        return UMBRA_ERR_IO;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        rc = UMBRA_ERR_IO;
        goto out;
    }
    if (st.st_size > (off_t)UMBRA_KEYFILE_MAX_BYTES) {
        rc = UMBRA_ERR_TOO_LONG;
        goto out;
    }
    buf = malloc(UMBRA_KEYFILE_MAX_BYTES + 1);
    if (buf == NULL) {
        rc = UMBRA_ERR_NOMEM;
        goto out;
    }
    for (;;) {
        ssize_t r = read(fd, buf + len, UMBRA_KEYFILE_MAX_BYTES + 1 - len);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0) {
            rc = UMBRA_ERR_IO;
            goto out;
        }
        if (r == 0)
            break;
        len += (size_t)r;
        if (len > UMBRA_KEYFILE_MAX_BYTES) {
            rc = UMBRA_ERR_TOO_LONG;
            goto out;
        }
    }
    rc = umbra_keyfile_decode(out, buf, len, passphrase, passphrase_len);
out:
    saved = errno;
    free(buf);
    if (fd >= 0)
        close(fd);
    errno = saved;
    return rc;
}

int
umbra_keyfile_write(const char *path, const struct umbra_org_keys *k,
                    const char *passphrase, size_t passphrase_len,
                    const struct umbra_kdf_params *params)
{
    uint8_t *buf = NULL;
    size_t len = 0, plen;
    char *tmp = NULL, *dir = NULL, *slash;
    int fd = -1, dfd = -1, rc, saved;

    if (path == NULL)
        return UMBRA_ERR_ARG;
    plen = strnlen(path, 4096);
    if (plen == 0 || plen >= 4096)
        return UMBRA_ERR_ARG;
    rc =
        umbra_keyfile_encode(&buf, &len, k, passphrase, passphrase_len, params);
    if (rc != 0)
        return rc;
    tmp = malloc(plen + 8);
    dir = malloc(plen + 2);
    if (tmp == NULL || dir == NULL) {
        rc = UMBRA_ERR_NOMEM;
        goto out;
    }
    memcpy(tmp, path, plen);
    memcpy(tmp + plen, ".XXXXXX", 8);
    memcpy(dir, path, plen + 1);
    slash = strrchr(dir, '/');
    if (slash == NULL)
        memcpy(dir, ".", 2);
    else if (slash == dir)
        dir[1] = '\0';
    else
        *slash = '\0';
    fd = mkstemp(tmp);
    if (fd < 0) {
        tmp[0] = '\0'; /* nothing was created */
        rc = UMBRA_ERR_IO;
        goto out;
    }
    if (fchmod(fd, 0600) != 0 || umbra_write_all(fd, buf, len) != 0 ||
        fsync(fd) != 0) {
        rc = UMBRA_ERR_IO;
        goto out;
    }
    if (close(fd) != 0) {
        fd = -1;
        rc = UMBRA_ERR_IO;
        goto out;
    }
    fd = -1;
    if (rename(tmp, path) != 0) {
        rc = UMBRA_ERR_IO;
        goto out;
    }
    tmp[0] = '\0'; /* renamed: nothing to unlink */
    dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd < 0 || fsync(dfd) != 0) {
        rc = UMBRA_ERR_IO;
        goto out;
    }
    rc = 0;
out:
    saved = errno;
    if (fd >= 0)
        close(fd);
    if (dfd >= 0)
        close(dfd);
    if (tmp != NULL && tmp[0] != '\0' && rc != 0)
        unlink(tmp);
    free(tmp);
    free(dir);
    free(buf);
    errno = saved;
    return rc;
}
