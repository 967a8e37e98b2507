/* envelope: envelope v1, chunk by chunk (see envelope.h). */
#include "envelope.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

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

static size_t
nchunks(size_t p)
{
    return (p + CHUNK - 1) / CHUNK;
}

static size_t
body_size(size_t p)
{
    return p + SS_A * nchunks(p);
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
    return UMBRA_ENVELOPE_MAX_PADDED - inner_prefix(n);
}

size_t
umbra_envelope_size(unsigned n, size_t content_len)
{
    size_t p;

    if (n < 1 || n > UMBRA_ENVELOPE_MAX_RECIPIENTS ||
        content_len > umbra_envelope_max_content(n))
        return 0;
    p = umbra_pad_size(inner_prefix(n) + content_len);
    if (p == 0)
        return 0;
    return outer_size(n) + SS_HEADER + body_size(p);
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

static int
seal_src(uint8_t **out, size_t *out_len, const uint8_t *pks, unsigned n,
         const struct inner_src *src, size_t p)
{
    size_t h = outer_size(n);
    size_t total = h + SS_HEADER + body_size(p);
    size_t chunk_max = p < CHUNK ? p : CHUNK;
    size_t off, pos, clen;
    uint8_t *buf = NULL;
    struct seal_secrets *sec = NULL;
    uint8_t nonce[crypto_box_NONCEBYTES];
    unsigned i, j;
    int rc;

    for (i = 0; i < n; i++)
        for (j = 0; j < i; j++)
            if (sodium_memcmp(pks + 32u * i, pks + 32u * j, 32) == 0)
                return UMBRA_ERR_ARG;
    buf = malloc(total);
    sec = umbra_secret_alloc(round16(sizeof(*sec) + chunk_max));
    if (buf == NULL || sec == NULL) {
        rc = UMBRA_ERR_NOMEM;
        goto out;
    }
    memcpy(buf, magic, 4);
    buf[4] = 1;
    buf[5] = (uint8_t)n;
    buf[6] = 0;
    buf[7] = 0;
    umbra_randombytes(sec->file_key, sizeof(sec->file_key));
    umbra_randombytes(buf + h, SS_HEADER);
    for (i = 0; i < n; i++) {
        uint8_t *stanza = buf + 8u + (size_t)UMBRA_STANZA_BYTES * i;
        const uint8_t *pk = pks + 32u * i;

        umbra_key_id(stanza, pk);
        umbra_randombytes(sec->eseed, sizeof(sec->eseed));
        if (crypto_box_seed_keypair(sec->epk, sec->esk, sec->eseed) != 0) {
            rc = UMBRA_ERR_CRYPTO;
            goto out;
        }
        seal_nonce(nonce, sec->epk, pk);
        memcpy(stanza + 8, sec->epk, 32);
        if (crypto_box_easy(stanza + 40, sec->file_key, 32, nonce, pk,
                            sec->esk) != 0) {
            rc = UMBRA_ERR_ARG; /* a low-order "public key" */
            goto out;
        }
    }
    for (i = 0; i < n; i++)
        for (j = 0; j < i; j++)
            if (memcmp(buf + 8u + UMBRA_STANZA_BYTES * i,
                       buf + 8u + UMBRA_STANZA_BYTES * j, 8) == 0) {
                rc = UMBRA_ERR_ARG; /* two keys with the same key id */
                goto out;
            }
    if (crypto_secretstream_xchacha20poly1305_init_pull(&sec->st, buf + h,
                                                        sec->file_key) != 0) {
        rc = UMBRA_ERR_CRYPTO;
        goto out;
    }
    pos = h + SS_HEADER;
    for (off = 0; off < p; off += clen) {
        int last;
        const uint8_t *m = sec->chunk;
        clen = p - off < CHUNK ? p - off : CHUNK;
        last = off + clen == p;
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
    sodium_memzero(nonce, sizeof(nonce));
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
    unsigned i;

    if (out == NULL || out_len == NULL)
        return UMBRA_ERR_ARG;
    *out = NULL;
    *out_len = 0;
    if (pks == NULL || n < 1 || n > UMBRA_ENVELOPE_MAX_RECIPIENTS ||
        (content == NULL && content_len > 0))
        return UMBRA_ERR_ARG;
    if (content_len > umbra_envelope_max_content(n))
        return UMBRA_ERR_TOO_LONG;
    plen = inner_prefix(n);
    p = umbra_pad_size(plen + content_len);
    if (p == 0)
        return UMBRA_ERR_TOO_LONG;
    prefix[0] = 1;
    prefix[1] = (uint8_t)n;
    for (i = 0; i < n; i++)
        umbra_key_id(prefix + 2 + 8 * i, pks + 32u * i);
    prefix[plen - 4] = (uint8_t)content_len;
    prefix[plen - 3] = (uint8_t)(content_len >> 8);
    prefix[plen - 2] = (uint8_t)(content_len >> 16);
    prefix[plen - 1] = (uint8_t)(content_len >> 24);
    src.prefix = prefix;
    src.prefix_len = plen;
    src.content = content;
    src.content_len = content_len;
    return seal_src(out, out_len, pks, n, &src, p);
}

int
umbra_envelope_seal_inner(uint8_t **out, size_t *out_len, const uint8_t *pks,
                          unsigned n, const uint8_t *inner, size_t padded)
{
    struct inner_src src;

    if (out == NULL || out_len == NULL)
        return UMBRA_ERR_ARG;
    *out = NULL;
    *out_len = 0;
    if (pks == NULL || inner == NULL || n < 1 ||
        n > UMBRA_ENVELOPE_MAX_RECIPIENTS || !umbra_pad_is_valid(padded))
        return UMBRA_ERR_ARG;
    src.prefix = NULL;
    src.prefix_len = 0;
    src.content = inner;
    src.content_len = padded;
    return seal_src(out, out_len, pks, n, &src, padded);
}

/* Section 2.4 step 1; on success sets the stanza count and padded size. */
static int
parse_outer(unsigned *n_out, size_t *p_out, const uint8_t *env, size_t len)
{
    size_t h, body, c, p;
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
    c = (body - SS_A - 1) / (CHUNK + SS_A) + 1;
    p = body - SS_A * c;
    if (nchunks(p) != c || !umbra_pad_is_valid(p))
        return UMBRA_ERR_SIZE;
    for (i = 0; i < n; i++)
        for (j = 0; j < i; j++)
            if (memcmp(env + 8u + UMBRA_STANZA_BYTES * i,
                       env + 8u + UMBRA_STANZA_BYTES * j, 8) == 0)
                return UMBRA_ERR_FORMAT;
    *n_out = n;
    *p_out = p;
    return 0;
}

int
umbra_envelope_check(unsigned *n_out, uint8_t *key_ids, const uint8_t *env,
                     size_t env_len)
{
    unsigned n, i;
    size_t p;
    int rc;

    rc = parse_outer(&n, &p, env, env_len);
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

int
umbra_envelope_open(uint8_t **content, size_t *content_len, unsigned *which_key,
                    const uint8_t *sks, const uint8_t *pks, unsigned nkeys,
                    const uint8_t *env, size_t env_len)
{
    uint8_t kids[UMBRA_ENVELOPE_OPEN_MAX_KEYS][8];
    struct open_secrets *sec = NULL;
    uint8_t *buf = NULL;
    size_t p, h, plen, off, pos, clen, len = 0;
    unsigned n, i, j, opened = 0;
    int found = 0, have_key = 0, inner_bad = 0;
    uint8_t zero_acc = 0;
    int rc;

    if (content == NULL || content_len == NULL)
        return UMBRA_ERR_ARG;
    *content = NULL;
    *content_len = 0;
    if (sks == NULL || pks == NULL || nkeys < 1 ||
        nkeys > UMBRA_ENVELOPE_OPEN_MAX_KEYS)
        return UMBRA_ERR_ARG;
    rc = parse_outer(&n, &p, env, env_len);
    if (rc != 0)
        return rc;
    h = outer_size(n);
    plen = inner_prefix(n);

    sec = umbra_secret_alloc(round16(sizeof(*sec) + (p < CHUNK ? p : CHUNK)));
    if (sec == NULL) {
        rc = UMBRA_ERR_NOMEM;
        goto out;
    }
    for (j = 0; j < nkeys; j++)
        umbra_key_id(kids[j], pks + 32u * j);
    for (i = 0; i < n && !have_key; i++) {
        const uint8_t *stanza = env + 8u + (size_t)UMBRA_STANZA_BYTES * i;
        for (j = 0; j < nkeys; j++) {
            if (memcmp(stanza, kids[j], 8) != 0)
                continue;
            found = 1;
            if (crypto_box_seal_open(sec->file_key, stanza + 8, SEALED_BYTES,
                                     pks + 32u * j, sks + 32u * j) == 0) {
                have_key = 1;
                opened = j;
                break;
            }
        }
    }
    if (!found) {
        rc = UMBRA_ERR_NO_KEY;
        goto out;
    }
    if (!have_key || crypto_secretstream_xchacha20poly1305_init_pull(
                         &sec->st, env + h, sec->file_key) != 0) {
        rc = UMBRA_ERR_DECRYPT;
        goto out;
    }
    pos = h + SS_HEADER;
    for (off = 0; off < p; off += clen) {
        unsigned long long mlen;
        unsigned char tag;
        size_t a, b;

        uint8_t *m = sec->chunk;
        int direct;

        clen = p - off < CHUNK ? p - off : CHUNK;
        /* A chunk that is all content is pulled straight into it. */
        direct = off > 0 && !inner_bad && off + clen <= plen + len;
        if (direct)
            m = buf + (off - plen);
        if (crypto_secretstream_xchacha20poly1305_pull(
                &sec->st, m, &mlen, &tag, env + pos, clen + SS_A,
                off == 0 ? env : NULL, off == 0 ? h : 0) != 0 ||
            tag != (off + clen == p ? TAG_FINAL : TAG_MESSAGE)) {
            rc = UMBRA_ERR_DECRYPT;
            goto out;
        }
        pos += clen + SS_A;
        if (direct)
            continue;
        if (off == 0) {
            /* plen <= 142 < 4096 <= clen: the inner header is here. */
            if (sec->chunk[0] != 1 || sec->chunk[1] != n)
                inner_bad = 1;
            for (i = 0; i < n && !inner_bad; i++)
                if (memcmp(sec->chunk + 2 + 8u * i,
                           env + 8u + UMBRA_STANZA_BYTES * i, 8) != 0)
                    inner_bad = 1;
            len = le32(sec->chunk + plen - 4);
            if (len > p - plen)
                inner_bad = 1;
            if (!inner_bad) {
                buf = umbra_secret_alloc(len);
                if (buf == NULL) {
                    rc = UMBRA_ERR_NOMEM;
                    goto out;
                }
            }
        }
        if (inner_bad)
            continue;
        /* Content is inner[plen .. plen + len), the rest is padding. */
        a = off > plen ? off : plen;
        b = off + clen < plen + len ? off + clen : plen + len;
        if (a < b)
            memcpy(buf + (a - plen), sec->chunk + (a - off), b - a);
        a = off > plen + len ? off : plen + len;
        for (; a < off + clen; a++)
            zero_acc |= sec->chunk[a - off];
    }
    if (inner_bad || zero_acc != 0) {
        rc = UMBRA_ERR_INNER;
        goto out;
    }
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
