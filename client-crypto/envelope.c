/* SPDX-License-Identifier: AGPL-3.0-or-later */
/* envelope: envelope v1, chunk by chunk (see envelope.h). */
#include "envelope.h"
#include "secure.h"

#include <errno.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define SS_HEADER crypto_secretstream_xchacha20poly1305_HEADERBYTES
#define SS_A crypto_secretstream_xchacha20poly1305_ABYTES
#define TAG_MESSAGE crypto_secretstream_xchacha20poly1305_TAG_MESSAGE
#define TAG_FINAL crypto_secretstream_xchacha20poly1305_TAG_FINAL
#define CHUNK UMBRA_ENVELOPE_CHUNK_BYTES
#define SEALED_BYTES 80u

static const uint8_t magic[4] = {'U', 'M', 'B', 'R'};

/* Secret working memory of a seal; one sodium_malloc block. */
struct seal_secrets {
    crypto_secretstream_xchacha20poly1305_state st;
    uint8_t file_key[32];
    uint8_t eseed[32];
    uint8_t epk[32];
    uint8_t esk[32];
    uint8_t chunk[];
};

/* Secret working memory of an open; one sodium_malloc block. */
struct open_secrets {
    crypto_secretstream_xchacha20poly1305_state st;
    uint8_t file_key[32];
    uint8_t chunk[];
};

/* The inner plaintext, described without building it whole. */
struct inner_src {
    const uint8_t *prefix;
    size_t prefix_len;
    const uint8_t *content;
    size_t content_len;
};

static size_t
outer_size(unsigned n)
{
    return 8u + (size_t)UMBRA_STANZA_BYTES * n;
}

static size_t
inner_prefix(unsigned n)
{
    return 2u + (size_t)UMBRA_KEY_ID_BYTES * n + 4u;
}

/* The inner plaintext's size for a padded content size p (section 2.1). */
static size_t
inner_size(unsigned n, size_t p)
{
    return inner_prefix(n) + p;
}

/* Chunks of an inner plaintext of isz bytes. */
static size_t
nchunks(size_t isz)
{
    return (isz + CHUNK - 1) / CHUNK;
}

static size_t
body_size(size_t isz)
{
    return isz + SS_A * nchunks(isz);
}

static size_t
round16(size_t x)
{
    return (x + 15u) & ~(size_t)15u;
}

size_t
umbra_envelope_max_content(unsigned n)
{
    if (n < 1 || n > UMBRA_ENVELOPE_MAX_RECIPIENTS)
        return 0;
    return UMBRA_ENVELOPE_MAX_PADDED; /* the padding is on the content */
}

size_t
umbra_envelope_size(unsigned n, size_t content_len)
{
    size_t p;

    if (n < 1 || n > UMBRA_ENVELOPE_MAX_RECIPIENTS ||
        content_len > umbra_envelope_max_content(n))
        return 0;
    p = umbra_pad_size(content_len);
    if (p == 0)
        return 0;
    return outer_size(n) + SS_HEADER + body_size(inner_size(n, p));
}

/* Copies inner[off .. off + len) into dst. */
static void
inner_fill(uint8_t *dst, size_t off, size_t len, const struct inner_src *s)
{
    while (len > 0) {
        size_t take;
        if (off < s->prefix_len) {
            take = s->prefix_len - off;
            if (take > len)
                take = len;
            memcpy(dst, s->prefix + off, take);
        } else if (off < s->prefix_len + s->content_len) {
            take = s->prefix_len + s->content_len - off;
            if (take > len)
                take = len;
            memcpy(dst, s->content + (off - s->prefix_len), take);
        } else {
            take = len;
            memset(dst, 0, take);
        }
        dst += take;
        off += take;
        len -= take;
    }
}

/* nonce = BLAKE2b-192(epk || pk), as crypto_box_seal computes it. */
static void
seal_nonce(uint8_t nonce[crypto_box_NONCEBYTES], const uint8_t epk[32],
           const uint8_t pk[32])
{
    crypto_generichash_state h;

    crypto_generichash_init(&h, NULL, 0, crypto_box_NONCEBYTES);
    crypto_generichash_update(&h, epk, 32);
    crypto_generichash_update(&h, pk, 32);
    crypto_generichash_final(&h, nonce, crypto_box_NONCEBYTES);
}

/*
 * Writes the outer header and ss_header (H + 24 bytes) into buf, drawing
 * the randomness of section 2.3, and sets up sec->st for pushing.
 */
static int
seal_outer(uint8_t *buf, struct seal_secrets *sec, const uint8_t *pks,
           unsigned n)
{
    size_t h = outer_size(n);
    uint8_t nonce[crypto_box_NONCEBYTES];
    unsigned i, j;
    int rc = 0;

    memcpy(buf, magic, 4);
    buf[4] = 1;
    buf[5] = (uint8_t)n;
    buf[6] = 0;
    buf[7] = 0;
    umbra_randombytes(sec->file_key, sizeof(sec->file_key));
    umbra_randombytes(buf + h, SS_HEADER);
    for (i = 0; i < n && rc == 0; i++) {
        uint8_t *stanza = buf + 8u + (size_t)UMBRA_STANZA_BYTES * i;
        const uint8_t *pk = pks + 32u * i;

        umbra_key_id(stanza, pk);
        umbra_randombytes(sec->eseed, sizeof(sec->eseed));
        if (crypto_box_seed_keypair(sec->epk, sec->esk, sec->eseed) != 0) {
            rc = UMBRA_ERR_CRYPTO;
            break;
        }
        seal_nonce(nonce, sec->epk, pk);
        memcpy(stanza + 8, sec->epk, 32);
        if (crypto_box_easy(stanza + 40, sec->file_key, 32, nonce, pk,
                            sec->esk) != 0)
            rc = UMBRA_ERR_ARG; /* a low-order "public key" */
    }
    for (i = 0; i < n && rc == 0; i++)
        for (j = 0; j < i; j++)
            if (memcmp(buf + 8u + UMBRA_STANZA_BYTES * i,
                       buf + 8u + UMBRA_STANZA_BYTES * j, 8) == 0)
                rc = UMBRA_ERR_ARG; /* two keys with the same key id */
    if (rc == 0 && crypto_secretstream_xchacha20poly1305_init_pull(
                       &sec->st, buf + h, sec->file_key) != 0)
        rc = UMBRA_ERR_CRYPTO;
    sodium_memzero(nonce, sizeof(nonce));
    return rc;
}

/* Refuses n outside 1..16 and recipients given twice. */
static int
check_recipients(const uint8_t *pks, unsigned n)
{
    unsigned i, j;

    if (pks == NULL || n < 1 || n > UMBRA_ENVELOPE_MAX_RECIPIENTS)
        return UMBRA_ERR_ARG;
    for (i = 0; i < n; i++)
        for (j = 0; j < i; j++)
            if (sodium_memcmp(pks + 32u * i, pks + 32u * j, 32) == 0)
                return UMBRA_ERR_ARG;
    return 0;
}

/* The inner header (version, n, key ids, len) for content_len bytes. */
static size_t
make_prefix(uint8_t *prefix, const uint8_t *pks, unsigned n, size_t content_len)
{
    size_t plen = inner_prefix(n);
    unsigned i;

    prefix[0] = 1;
    prefix[1] = (uint8_t)n;
    for (i = 0; i < n; i++)
        umbra_key_id(prefix + 2 + 8 * i, pks + 32u * i);
    prefix[plen - 4] = (uint8_t)content_len;
    prefix[plen - 3] = (uint8_t)(content_len >> 8);
    prefix[plen - 2] = (uint8_t)(content_len >> 16);
    prefix[plen - 1] = (uint8_t)(content_len >> 24);
    return plen;
}

static int
seal_src(uint8_t **out, size_t *out_len, const uint8_t *pks, unsigned n,
         const struct inner_src *src, size_t isz)
{
    size_t h = outer_size(n);
    size_t total = h + SS_HEADER + body_size(isz);
    size_t chunk_max = isz < CHUNK ? isz : CHUNK;
    size_t off, pos, clen;
    uint8_t *buf = NULL;
    struct seal_secrets *sec = NULL;
    int rc;

    rc = check_recipients(pks, n);
    if (rc != 0)
        return rc;
    buf = malloc(total);
    sec = umbra_secret_alloc(round16(sizeof(*sec) + chunk_max));
    if (buf == NULL || sec == NULL) {
        rc = UMBRA_ERR_NOMEM;
        goto out;
    }
    rc = seal_outer(buf, sec, pks, n);
    if (rc != 0)
        goto out;
    pos = h + SS_HEADER;
    for (off = 0; off < isz; off += clen) {
        int last;
        const uint8_t *m = sec->chunk;
        clen = isz - off < CHUNK ? isz - off : CHUNK;
        last = off + clen == isz;
        /* A chunk that is all content is pushed straight from it. */
        if (off >= src->prefix_len &&
            off + clen <= src->prefix_len + src->content_len)
            m = src->content + (off - src->prefix_len);
        else
            inner_fill(sec->chunk, off, clen, src);
        if (crypto_secretstream_xchacha20poly1305_push(
                &sec->st, buf + pos, NULL, m, clen, off == 0 ? buf : NULL,
                off == 0 ? h : 0, last ? TAG_FINAL : TAG_MESSAGE) != 0) {
            rc = UMBRA_ERR_CRYPTO;
            goto out;
        }
        pos += clen + SS_A;
    }
    *out = buf;
    *out_len = total;
    buf = NULL;
    rc = 0;
out:
    umbra_secret_free(sec);
    free(buf);
    return rc;
}

int
umbra_envelope_seal(uint8_t **out, size_t *out_len, const uint8_t *pks,
                    unsigned n, const uint8_t *content, size_t content_len)
{
    uint8_t prefix[2 + 8 * UMBRA_ENVELOPE_MAX_RECIPIENTS + 4];
    struct inner_src src;
    size_t p, plen;

    if (out == NULL || out_len == NULL)
        return UMBRA_ERR_ARG;
    *out = NULL;
    *out_len = 0;
    if (pks == NULL || n < 1 || n > UMBRA_ENVELOPE_MAX_RECIPIENTS ||
        (content == NULL && content_len > 0))
        return UMBRA_ERR_ARG;
    if (content_len > umbra_envelope_max_content(n))
        return UMBRA_ERR_TOO_LONG;
    plen = make_prefix(prefix, pks, n, content_len);
    p = umbra_pad_size(content_len);
    if (p == 0)
        return UMBRA_ERR_TOO_LONG;
    src.prefix = prefix;
    src.prefix_len = plen;
    src.content = content;
    src.content_len = content_len;
    return seal_src(out, out_len, pks, n, &src, plen + p);
}

int
umbra_envelope_seal_inner(uint8_t **out, size_t *out_len, const uint8_t *pks,
                          unsigned n, const uint8_t *inner, size_t inner_len)
{
    struct inner_src src;

    if (out == NULL || out_len == NULL)
        return UMBRA_ERR_ARG;
    *out = NULL;
    *out_len = 0;
    if (pks == NULL || inner == NULL || n < 1 ||
        n > UMBRA_ENVELOPE_MAX_RECIPIENTS || inner_len < inner_prefix(n) ||
        !umbra_pad_is_valid(inner_len - inner_prefix(n)))
        return UMBRA_ERR_ARG;
    src.prefix = NULL;
    src.prefix_len = 0;
    src.content = inner;
    src.content_len = inner_len;
    return seal_src(out, out_len, pks, n, &src, inner_len);
}

/*
 * Section 2.4 step 1; on success sets the stanza count and the inner
 * plaintext's size (inner prefix + padded content size).
 */
static int
parse_outer(unsigned *n_out, size_t *isz_out, const uint8_t *env, size_t len)
{
    size_t h, body, c, isz;
    unsigned n, i, j;

    if (env == NULL)
        return UMBRA_ERR_ARG;
    if (len < 8)
        return UMBRA_ERR_TRUNCATED;
    if (memcmp(env, magic, 4) != 0)
        return UMBRA_ERR_FORMAT;
    if (env[4] != 1)
        return UMBRA_ERR_VERSION;
    n = env[5];
    if (env[6] != 0 || env[7] != 0 || n < 1 ||
        n > UMBRA_ENVELOPE_MAX_RECIPIENTS)
        return UMBRA_ERR_FORMAT;
    h = outer_size(n);
    if (len < h + SS_HEADER + SS_A)
        return UMBRA_ERR_TRUNCATED;
    body = len - h - SS_HEADER;
    if (body < SS_A + 1)
        return UMBRA_ERR_SIZE;
    /* isz + 17 * ceil(isz / CHUNK) grows with isz: one c at most fits. */
    c = (body - SS_A - 1) / (CHUNK + SS_A) + 1;
    isz = body - SS_A * c;
    if (nchunks(isz) != c || isz < inner_prefix(n) ||
        !umbra_pad_is_valid(isz - inner_prefix(n)))
        return UMBRA_ERR_SIZE;
    for (i = 0; i < n; i++)
        for (j = 0; j < i; j++)
            if (memcmp(env + 8u + UMBRA_STANZA_BYTES * i,
                       env + 8u + UMBRA_STANZA_BYTES * j, 8) == 0)
                return UMBRA_ERR_FORMAT;
    *n_out = n;
    *isz_out = isz;
    return 0;
}

int
umbra_envelope_check(unsigned *n_out, uint8_t *key_ids, const uint8_t *env,
                     size_t env_len)
{
    unsigned n, i;
    size_t isz;
    int rc;

    rc = parse_outer(&n, &isz, env, env_len);
    if (rc != 0)
        return rc;
    if (key_ids != NULL)
        for (i = 0; i < n; i++)
            memcpy(key_ids + 8u * i, env + 8u + UMBRA_STANZA_BYTES * i, 8);
    if (n_out != NULL)
        *n_out = n;
    return 0;
}

static uint32_t
le32(const uint8_t *b)
{
    return (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 |
           (uint32_t)b[3] << 24;
}

/*
 * Section 2.4 step 2: recovers the file key into sec->file_key from the
 * first stanza one of our keys opens, and sets up sec->st for pulling.
 * env holds at least the outer header and ss_header.
 */
static int
open_file_key(struct open_secrets *sec, unsigned *opened, const uint8_t *env,
              unsigned n, const uint8_t *sks, const uint8_t *pks,
              unsigned nkeys)
{
    uint8_t kids[UMBRA_ENVELOPE_OPEN_MAX_KEYS][8];
    unsigned i, j;
    int found = 0;

    for (j = 0; j < nkeys; j++)
        umbra_key_id(kids[j], pks + 32u * j);
    for (i = 0; i < n; i++) {
        const uint8_t *stanza = env + 8u + (size_t)UMBRA_STANZA_BYTES * i;
        for (j = 0; j < nkeys; j++) {
            if (memcmp(stanza, kids[j], 8) != 0)
                continue;
            found = 1;
            if (crypto_box_seal_open(sec->file_key, stanza + 8, SEALED_BYTES,
                                     pks + 32u * j, sks + 32u * j) == 0) {
                *opened = j;
                if (crypto_secretstream_xchacha20poly1305_init_pull(
                        &sec->st, env + outer_size(n), sec->file_key) != 0)
                    return UMBRA_ERR_DECRYPT;
                return 0;
            }
        }
    }
    return found ? UMBRA_ERR_DECRYPT : UMBRA_ERR_NO_KEY;
}

/*
 * Section 2.4 step 4 for the inner header at the start of chunk 0: 0 and
 * *len, or UMBRA_ERR_INNER; isz is the inner plaintext's size, so the
 * content holds at most isz - plen bytes. (plen <= 134 < the first chunk.)
 */
static int
inner_header(size_t *len, const uint8_t *chunk, const uint8_t *env, unsigned n,
             size_t isz)
{
    size_t plen = inner_prefix(n);
    unsigned i;

    if (chunk[0] != 1 || chunk[1] != n)
        return UMBRA_ERR_INNER;
    for (i = 0; i < n; i++)
        if (memcmp(chunk + 2 + 8u * i, env + 8u + UMBRA_STANZA_BYTES * i, 8) !=
            0)
            return UMBRA_ERR_INNER;
    *len = le32(chunk + plen - 4);
    return *len > isz - plen ? UMBRA_ERR_INNER : 0;
}

int
umbra_envelope_open(uint8_t **content, size_t *content_len, unsigned *which_key,
                    const uint8_t *sks, const uint8_t *pks, unsigned nkeys,
                    const uint8_t *env, size_t env_len)
{
    struct open_secrets *sec = NULL;
    uint8_t *buf = NULL;
    size_t isz, h, plen, off, pos, clen, len = 0;
    unsigned n, opened = 0;
    uint8_t zero_acc = 0;
    int rc;

    if (content == NULL || content_len == NULL)
        return UMBRA_ERR_ARG;
    *content = NULL;
    *content_len = 0;
    if (sks == NULL || pks == NULL || nkeys < 1 ||
        nkeys > UMBRA_ENVELOPE_OPEN_MAX_KEYS)
        return UMBRA_ERR_ARG;
    rc = parse_outer(&n, &isz, env, env_len);
    if (rc != 0)
        return rc;
    h = outer_size(n);
    plen = inner_prefix(n);

    sec = umbra_secret_alloc(round16(sizeof(*sec)));
    if (sec == NULL) {
        rc = UMBRA_ERR_NOMEM;
        goto out;
    }
    rc = open_file_key(sec, &opened, env, n, sks, pks, nkeys);
    if (rc != 0)
        goto out;
    /* Every chunk is pulled straight into one buffer for the whole inner
     * plaintext; the inner header is then cut off its front, so the
     * content is never copied. */
    buf = umbra_secret_alloc(isz);
    if (buf == NULL) {
        rc = UMBRA_ERR_NOMEM;
        goto out;
    }
    pos = h + SS_HEADER;
    for (off = 0; off < isz; off += clen) {
        unsigned long long mlen;
        unsigned char tag;

        clen = isz - off < CHUNK ? isz - off : CHUNK;
        if (crypto_secretstream_xchacha20poly1305_pull(
                &sec->st, buf + off, &mlen, &tag, env + pos, clen + SS_A,
                off == 0 ? env : NULL, off == 0 ? h : 0) != 0 ||
            tag != (off + clen == isz ? TAG_FINAL : TAG_MESSAGE)) {
            rc = UMBRA_ERR_DECRYPT;
            goto out;
        }
        pos += clen + SS_A;
    }
    /* Content is inner[plen .. plen + len), the rest must be zero. */
    if (inner_header(&len, buf, env, n, isz) != 0) {
        rc = UMBRA_ERR_INNER;
        goto out;
    }
    for (off = plen + len; off < isz; off++)
        zero_acc |= buf[off];
    if (zero_acc != 0) {
        rc = UMBRA_ERR_INNER;
        goto out;
    }
    buf = umbra_secret_advance(buf, plen);
    *content = buf;
    *content_len = len;
    if (which_key != NULL)
        *which_key = opened;
    buf = NULL;
    rc = 0;
out:
    umbra_secret_free(buf);
    umbra_secret_free(sec);
    return rc;
}

/* ---- streaming over file descriptors ---------------------------------- */

/* Reads exactly len bytes: 0, UMBRA_ERR_TRUNCATED at EOF, _IO on error. */
static int
read_full(int fd, uint8_t *buf, size_t len)
{
    while (len > 0) {
        ssize_t r = read(fd, buf, len);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0)
            return UMBRA_ERR_IO;
        if (r == 0)
            return UMBRA_ERR_TRUNCATED;
        buf += r;
        len -= (size_t)r;
    }
    return 0;
}

int
umbra_write_all(int fd, const uint8_t *buf, size_t len)
{
    while (len > 0) {
        ssize_t w = write(fd, buf, len);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return UMBRA_ERR_IO;
        buf += w;
        len -= (size_t)w;
    }
    return 0;
}

int
umbra_envelope_seal_fd(int out_fd, const uint8_t *pks, unsigned n, int in_fd,
                       size_t content_len)
{
    uint8_t prefix[2 + 8 * UMBRA_ENVELOPE_MAX_RECIPIENTS + 4];
    uint8_t
        hdr[8 + UMBRA_STANZA_BYTES * UMBRA_ENVELOPE_MAX_RECIPIENTS + SS_HEADER];
    struct seal_secrets *sec = NULL;
    uint8_t *cbuf = NULL;
    size_t isz, plen, h, off, clen;
    int rc;

    rc = check_recipients(pks, n);
    if (rc != 0)
        return rc;
    if (content_len > umbra_envelope_max_content(n))
        return UMBRA_ERR_TOO_LONG;
    plen = make_prefix(prefix, pks, n, content_len);
    isz = plen + umbra_pad_size(content_len);
    h = outer_size(n);
    sec = umbra_secret_alloc(round16(sizeof(*sec) + CHUNK));
    cbuf = malloc(CHUNK + SS_A);
    if (sec == NULL || cbuf == NULL) {
        rc = UMBRA_ERR_NOMEM;
        goto out;
    }
    rc = seal_outer(hdr, sec, pks, n);
    if (rc != 0)
        goto out;
    rc = umbra_write_all(out_fd, hdr, h + SS_HEADER);
    if (rc != 0)
        goto out;
    for (off = 0; off < isz; off += clen) {
        size_t a, b;
        int last;

        clen = isz - off < CHUNK ? isz - off : CHUNK;
        last = off + clen == isz;
        memset(sec->chunk, 0, clen);
        if (off < plen)
            memcpy(sec->chunk, prefix + off, plen - off);
        a = off > plen ? off : plen;
        b = off + clen < plen + content_len ? off + clen : plen + content_len;
        if (a < b) {
            rc = read_full(in_fd, sec->chunk + (a - off), b - a);
            if (rc != 0)
                goto out;
        }
        if (crypto_secretstream_xchacha20poly1305_push(
                &sec->st, cbuf, NULL, sec->chunk, clen, off == 0 ? hdr : NULL,
                off == 0 ? h : 0, last ? TAG_FINAL : TAG_MESSAGE) != 0) {
            rc = UMBRA_ERR_CRYPTO;
            goto out;
        }
        rc = umbra_write_all(out_fd, cbuf, clen + SS_A);
        if (rc != 0)
            goto out;
    }
    rc = 0;
out:
    umbra_secret_free(sec);
    free(cbuf);
    return rc;
}

int
umbra_envelope_open_fd(int out_fd, unsigned *which_key, const uint8_t *sks,
                       const uint8_t *pks, unsigned nkeys, int in_fd,
                       size_t env_len)
{
    uint8_t
        hdr[8 + UMBRA_STANZA_BYTES * UMBRA_ENVELOPE_MAX_RECIPIENTS + SS_HEADER];
    struct open_secrets *sec = NULL;
    uint8_t *cbuf = NULL;
    size_t isz, h, plen, off, clen, len = 0;
    unsigned n, opened = 0;
    uint8_t zero_acc = 0;
    int rc;

    if (sks == NULL || pks == NULL || nkeys < 1 ||
        nkeys > UMBRA_ENVELOPE_OPEN_MAX_KEYS)
        return UMBRA_ERR_ARG;
    if (env_len < 8)
        return UMBRA_ERR_TRUNCATED;
    rc = read_full(in_fd, hdr, 8);
    if (rc != 0)
        return rc;
    /* Structure first, with the length the caller gave. */
    n = hdr[5];
    if (memcmp(hdr, magic, 4) == 0 && hdr[4] == 1 && n >= 1 &&
        n <= UMBRA_ENVELOPE_MAX_RECIPIENTS &&
        env_len >= outer_size(n) + SS_HEADER + SS_A) {
        rc = read_full(in_fd, hdr + 8, outer_size(n) + SS_HEADER - 8);
        if (rc != 0)
            return rc;
    }
    rc = parse_outer(&n, &isz, hdr, env_len);
    if (rc != 0)
        return rc;
    h = outer_size(n);
    plen = inner_prefix(n);
    sec = umbra_secret_alloc(round16(sizeof(*sec) + CHUNK));
    cbuf = malloc(CHUNK + SS_A);
    if (sec == NULL || cbuf == NULL) {
        rc = UMBRA_ERR_NOMEM;
        goto out;
    }
    rc = open_file_key(sec, &opened, hdr, n, sks, pks, nkeys);
    if (rc != 0)
        goto out;
    for (off = 0; off < isz; off += clen) {
        unsigned long long mlen;
        unsigned char tag;
        size_t a, b;

        clen = isz - off < CHUNK ? isz - off : CHUNK;
        rc = read_full(in_fd, cbuf, clen + SS_A);
        if (rc != 0)
            goto out;
        if (crypto_secretstream_xchacha20poly1305_pull(
                &sec->st, sec->chunk, &mlen, &tag, cbuf, clen + SS_A,
                off == 0 ? hdr : NULL, off == 0 ? h : 0) != 0 ||
            tag != (off + clen == isz ? TAG_FINAL : TAG_MESSAGE)) {
            rc = UMBRA_ERR_DECRYPT;
            goto out;
        }
        if (off == 0) {
            rc = inner_header(&len, sec->chunk, hdr, n, isz);
            if (rc != 0)
                goto out;
        }
        a = off > plen ? off : plen;
        b = off + clen < plen + len ? off + clen : plen + len;
        if (a < b) {
            rc = umbra_write_all(out_fd, sec->chunk + (a - off), b - a);
            if (rc != 0)
                goto out;
        }
        a = off > plen + len ? off : plen + len;
        for (; a < off + clen; a++)
            zero_acc |= sec->chunk[a - off];
    }
    if (zero_acc != 0) {
        rc = UMBRA_ERR_INNER;
        goto out;
    }
    if (which_key != NULL)
        *which_key = opened;
    rc = 0;
out:
    umbra_secret_free(sec);
    free(cbuf);
    return rc;
}
