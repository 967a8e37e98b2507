/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * Unit tests for envelope v1 and padding (protocol section 2): round trips
 * for 1 and 16 recipients at every bucket boundary of the content length
 * (bucket - 1, bucket, bucket + 1), 0-byte and maximum content, exact
 * envelope lengths, every single-bit flip and every truncation of a sealed
 * envelope, stanzas for other keys, and inner/outer mismatches built
 * through the test-only umbra_envelope_seal_inner().
 */
#include "check.h"
#include "envelope.h"

#include <unistd.h>

#define NK 16

static uint8_t pks[NK * 32], sks[NK * 32];

static size_t
prefix_len(unsigned n)
{
    return 2u + 8u * n + 4u;
}

/* Seals content to the first n test keys, opens it with key `with`. */
static int
round_trip(unsigned n, const uint8_t *content, size_t len, unsigned with)
{
    uint8_t *env = NULL, *out = NULL;
    size_t env_len = 0, out_len = 0;
    unsigned which = 99, nn = 0;
    int rc, ok = 0;

    rc = umbra_envelope_seal(&env, &env_len, pks, n, content, len);
    if (rc != 0) {
        fprintf(stderr, "seal n=%u len=%zu: %s\n", n, len, umbra_strerror(rc));
        return 0;
    }
    if (env_len != umbra_envelope_size(n, len))
        fprintf(stderr, "size %zu != %zu\n", env_len,
                umbra_envelope_size(n, len));
    else if (umbra_envelope_check(&nn, NULL, env, env_len) != 0 || nn != n)
        fprintf(stderr, "check failed\n");
    else if ((rc = umbra_envelope_open(&out, &out_len, &which, sks + 32 * with,
                                       pks + 32 * with, 1, env, env_len)) != 0)
        fprintf(stderr, "open: %s\n", umbra_strerror(rc));
    else if (out == NULL || out_len != len || which != 0 ||
             (len > 0 && memcmp(out, content, len) != 0))
        fprintf(stderr, "content differs\n");
    else
        ok = 1;
    umbra_secret_free(out);
    free(env);
    return ok;
}

static void
test_padding_table(void)
{
    static const struct {
        size_t u, p;
    } t[] = {
        {0, 4096},
        {1, 4096},
        {4096, 4096},
        {4097, 16384},
        {16384, 16384},
        {16385, 65536},
        {65536, 65536},
        {65537, 67584},
        {67584, 67584},
        {67585, 69632},
        {100000, 100352},
        {1048576, 1048576},
        {1048577, 1081344},
        {16777215, 16777216},
        {16777216, 16777216},
        {16777217, 0},
    };
    size_t i;

    for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
        CHECK(umbra_pad_size(t[i].u) == t[i].p, "pad_size(%zu) = %zu, want %zu",
              t[i].u, umbra_pad_size(t[i].u), t[i].p);
        if (t[i].p != 0)
            CHECK(umbra_pad_is_valid(t[i].p), "%zu should be valid", t[i].p);
    }
    CHECK(!umbra_pad_is_valid(4095) && !umbra_pad_is_valid(8192) &&
              !umbra_pad_is_valid(65537) && !umbra_pad_is_valid(0) &&
              !umbra_pad_is_valid(16777216 + 1048576),
          "invalid padded sizes accepted");
    CHECK(umbra_padme(1) == 1 && umbra_padme(2) == 2 && umbra_padme(9) == 10,
          "small padme values");
    /* The bucket is on the content: the inner header comes on top. */
    CHECK(umbra_envelope_max_content(1) == 16777216 &&
              umbra_envelope_max_content(16) == 16777216 &&
              umbra_envelope_max_content(0) == 0 &&
              umbra_envelope_max_content(17) == 0,
          "max content");
    CHECK(umbra_envelope_size(1, 0) == UMBRA_ENVELOPE_MIN_BYTES &&
              UMBRA_ENVELOPE_MIN_BYTES == 4247,
          "smallest envelope is UMBRA_ENVELOPE_MIN_BYTES (4247)");
}

/* envelope length = 8 + 88n + 24 + I + 17 ceil(I / 65536), I = 6 + 8n + P */
static size_t
want_size(unsigned n, size_t p)
{
    size_t i = prefix_len(n) + p;

    return 8 + 88 * n + 24 + i + 17 * ((i + 65535) / 65536);
}

static void
test_sizes(void)
{
    static const struct {
        unsigned n;
        size_t len, p;
    } t[] = {
        {1, 0, 4096},
        {1, 4096, 4096},
        {16, 4096, 4096},
        {1, 4097, 16384},
        {1, 16384, 16384},
        {16, 16384, 16384},
        {1, 16385, 65536},
        {1, 65536, 65536},
        {16, 65536, 65536},
        {1, 65537, 67584},
        {3, 1048576, 1048576},
        {1, 1048577, 1081344},
        {1, 16777216, 16777216},
        {16, 16777216, 16777216},
    };
    uint8_t buf[8 + 88 + 24 + 4096 + 17];
    size_t i;

    for (i = 0; i < sizeof(t) / sizeof(t[0]); i++)
        CHECK(umbra_envelope_size(t[i].n, t[i].len) ==
                  want_size(t[i].n, t[i].p),
              "size(n=%u, len=%zu) = %zu, want %zu", t[i].n, t[i].len,
              umbra_envelope_size(t[i].n, t[i].len), want_size(t[i].n, t[i].p));
    /* 16 KiB of content is one chunk of 16 KiB + 14 bytes, not 64 KiB. */
    CHECK(umbra_envelope_size(1, 16384) == 8 + 88 + 24 + 16398 + 17,
          "16 KiB content stays in the 16 KiB bucket");
    CHECK(umbra_envelope_size(1, 65536) == 8 + 88 + 24 + 65550 + 2 * 17,
          "64 KiB content: the inner header spills into a second chunk");
    CHECK(umbra_envelope_size(1, 16777217) == 0 &&
              umbra_envelope_size(0, 1) == 0 && umbra_envelope_size(17, 1) == 0,
          "sizes out of range are 0");
    /* The old layout (inner plaintext padded to 4096) is not a size. */
    memset(buf, 0, sizeof(buf));
    memcpy(buf, "UMBR\x01\x01", 6);
    CHECK(umbra_envelope_check(NULL, NULL, buf, sizeof(buf)) == UMBRA_ERR_SIZE,
          "an envelope of 8 + 88 + 24 + 4096 + 17 bytes is off-size");
}

static void
test_round_trips(void)
{
    static const size_t buckets[] = {4096, 16384, 65536, 67584, 16777216};
    static const unsigned ns[] = {1, 16};
    size_t maxc = umbra_envelope_max_content(1) + 1;
    uint8_t *content = malloc(maxc);
    size_t b, i;
    unsigned k;

    if (content == NULL)
        abort();
    randombytes_buf(content, maxc);
    for (k = 0; k < 2; k++) {
        unsigned n = ns[k];
        for (b = 0; b < sizeof(buckets) / sizeof(buckets[0]); b++) {
            for (i = 0; i < 3; i++) {
                size_t len = buckets[b] + i - 1;
                size_t want_next;
                if (len > umbra_envelope_max_content(n)) {
                    uint8_t *env = NULL;
                    size_t el = 0;
                    CHECK(umbra_envelope_seal(&env, &el, pks, n, content,
                                              len) == UMBRA_ERR_TOO_LONG &&
                              env == NULL,
                          "content above the cap must be refused");
                    CHECK(umbra_envelope_size(n, len) == 0, "size of too long");
                    continue;
                }
                /* The padded size is the bucket up to size, the next one
                 * after. */
                want_next = i == 2 ? 1 : 0;
                CHECK((umbra_envelope_size(n, len) >
                       umbra_envelope_size(n, buckets[b])) == (want_next == 1),
                      "n=%u len=%zu lands in the wrong bucket", n, len);
                /* Only the large ones with 16 keys: the rest is the same
                 * code path and the suite must stay fast. */
                if (n == 16 && buckets[b] > 65536 && i != 1)
                    continue;
                CHECK(round_trip(n, content, len, n - 1),
                      "round trip n=%u len=%zu", n, len);
            }
        }
    }
    CHECK(umbra_envelope_size(1, 4096) == 8 + 88 + 24 + 14 + 4096 + 17,
          "4 KiB bucket envelope length");
    CHECK(umbra_envelope_size(1, 65536 + 1) ==
              8 + 88 + 24 + 14 + 67584 + 2 * 17,
          "two chunks after 64 KiB");
    CHECK(round_trip(1, NULL, 0, 0), "0-byte content (NULL pointer)");
    CHECK(round_trip(16, content, 0, 7), "0-byte content, 16 recipients");
    CHECK(round_trip(16, content, 1000, 0), "16 recipients, key 0");
    CHECK(round_trip(16, content, 1000, 15), "16 recipients, key 15");
    free(content);
}

static void
test_arguments(void)
{
    uint8_t *env = NULL, *out = NULL;
    size_t el = 0, ol = 0;
    uint8_t two[64];

    CHECK(umbra_envelope_seal(&env, &el, pks, 0, NULL, 0) == UMBRA_ERR_ARG,
          "n = 0");
    CHECK(umbra_envelope_seal(&env, &el, pks, 17, NULL, 0) == UMBRA_ERR_ARG,
          "n = 17");
    memcpy(two, pks, 32);
    memcpy(two + 32, pks, 32);
    CHECK(umbra_envelope_seal(&env, &el, two, 2, two, 10) == UMBRA_ERR_ARG &&
              env == NULL,
          "the same recipient twice");
    memset(two, 0, 32);
    CHECK(umbra_envelope_seal(&env, &el, two, 1, two, 10) == UMBRA_ERR_ARG,
          "an all-zero public key");
    CHECK(umbra_envelope_open(&out, &ol, NULL, sks, pks, 0, pks, 32) ==
              UMBRA_ERR_ARG,
          "no keys to open with");
}

/* Which error a flipped bit at byte i of a one-stanza envelope gives. */
static int
expected_flip_error(size_t i, unsigned bit)
{
    if (i < 4)
        return UMBRA_ERR_FORMAT;
    if (i == 4)
        return UMBRA_ERR_VERSION;
    if (i == 5) /* n changes: the length no longer fits, or n > 16 */
        return bit == 0 || bit >= 4 ? UMBRA_ERR_FORMAT : 0;
    if (i < 8)
        return UMBRA_ERR_FORMAT;
    if (i < 16)
        return UMBRA_ERR_NO_KEY;
    return UMBRA_ERR_DECRYPT;
}

static void
test_bit_flips(void)
{
    uint8_t *env = NULL, *out = NULL;
    size_t el = 0, ol = 0, i;
    unsigned bit, opened = 0, wrong = 0, which;
    const char msg[] = "a small report that must not be altered";

    if (umbra_envelope_seal(&env, &el, pks, 1, (const uint8_t *)msg,
                            sizeof(msg)) != 0)
        abort();
    for (i = 0; i < el; i++) {
        for (bit = 0; bit < 8; bit++) {
            int rc, want;
            env[i] ^= (uint8_t)(1u << bit);
            rc = umbra_envelope_open(&out, &ol, &which, sks, pks, 1, env, el);
            env[i] ^= (uint8_t)(1u << bit);
            if (rc == 0) {
                opened++;
                umbra_secret_free(out);
                continue;
            }
            want = expected_flip_error(i, bit);
            if (want == 0) /* n changed: the length check fires */
                want = rc == UMBRA_ERR_TRUNCATED ? rc : UMBRA_ERR_SIZE;
            if (rc != want || out != NULL) {
                if (wrong++ < 5)
                    fprintf(stderr, "byte %zu bit %u: %s\n", i, bit,
                            umbra_strerror(rc));
            }
        }
    }
    CHECK(opened == 0, "%u of %zu bit flips still opened", opened, el * 8);
    CHECK(wrong == 0, "%u bit flips gave an unexpected error", wrong);
    CHECK(umbra_envelope_open(&out, &ol, &which, sks, pks, 1, env, el) == 0,
          "the untouched envelope opens");
    umbra_secret_free(out);
    free(env);
}

static void
test_truncation(void)
{
    uint8_t *env = NULL, *out = NULL, *longer;
    size_t el = 0, ol = 0, len;
    unsigned bad = 0;
    const char msg[] = "truncate me";

    if (umbra_envelope_seal(&env, &el, pks, 2, (const uint8_t *)msg,
                            sizeof(msg)) != 0)
        abort();
    for (len = 0; len < el; len++) {
        int rc = umbra_envelope_open(&out, &ol, NULL, sks, pks, 1, env, len);
        int want = len < 8 || len < 8 + 176 + 24 + 17 ? UMBRA_ERR_TRUNCATED
                                                      : UMBRA_ERR_SIZE;
        if (rc != want || out != NULL)
            bad++;
    }
    CHECK(bad == 0, "%u truncations not refused as truncated/size", bad);
    longer = malloc(el + 1);
    if (longer == NULL)
        abort();
    memcpy(longer, env, el);
    longer[el] = 0;
    CHECK(umbra_envelope_open(&out, &ol, NULL, sks, pks, 1, longer, el + 1) ==
              UMBRA_ERR_SIZE,
          "one byte appended");
    CHECK(umbra_envelope_check(NULL, NULL, longer, el + 1) == UMBRA_ERR_SIZE,
          "check: one byte appended");
    free(longer);
    free(env);
}

static void
test_wrong_keys(void)
{
    uint8_t *env = NULL, *out = NULL;
    size_t el = 0, ol = 0;
    unsigned which = 99, n = 0;
    uint8_t ids[16 * 8], kid[8];
    int rc;

    if (umbra_envelope_seal(&env, &el, pks, 3, (const uint8_t *)"x", 1) != 0)
        abort();
    rc = umbra_envelope_open(&out, &ol, NULL, sks + 32 * 5, pks + 32 * 5, 1,
                             env, el);
    CHECK(rc == UMBRA_ERR_NO_KEY && out == NULL, "a stanza for another key: %s",
          umbra_strerror(rc));
    /* Several keys, only the last one addressed: which_key says so. */
    rc = umbra_envelope_open(&out, &ol, &which, sks + 32, pks + 32, 3, env, el);
    CHECK(rc == 0 && which == 0, "key set starting at the second recipient");
    umbra_secret_free(out);
    out = NULL;
    rc = umbra_envelope_open(&out, &ol, &which, sks + 32 * 2, pks + 32 * 2, 4,
                             env, el);
    CHECK(rc == 0 && which == 0, "third recipient first in the key set");
    umbra_secret_free(out);
    out = NULL;
    {
        uint8_t set_pk[64], set_sk[64];
        memcpy(set_pk, pks + 32 * 7, 32);
        memcpy(set_sk, sks + 32 * 7, 32);
        memcpy(set_pk + 32, pks + 32 * 2, 32);
        memcpy(set_sk + 32, sks + 32 * 2, 32);
        rc = umbra_envelope_open(&out, &ol, &which, set_sk, set_pk, 2, env, el);
        CHECK(rc == 0 && which == 1 && ol == 1 && out[0] == 'x',
              "which_key names the key that opened it");
        umbra_secret_free(out);
        out = NULL;
    }
    /* A pk whose key id matches but with the wrong secret key. */
    rc = umbra_envelope_open(&out, &ol, NULL, sks + 32 * 9, pks, 1, env, el);
    CHECK(rc == UMBRA_ERR_DECRYPT && out == NULL,
          "right key id, wrong secret key: %s", umbra_strerror(rc));
    CHECK(umbra_envelope_check(&n, ids, env, el) == 0 && n == 3,
          "check counts three stanzas");
    umbra_key_id(kid, pks + 64);
    CHECK(memcmp(ids + 16, kid, 8) == 0, "check returns the key ids");
    /* Two stanzas with the same key id are malformed. */
    memcpy(env + 8 + 88, env + 8, 8);
    CHECK(umbra_envelope_check(&n, ids, env, el) == UMBRA_ERR_FORMAT,
          "duplicate key ids");
    free(env);
}

/* Builds an inner plaintext for n test keys, then applies a defect. */
enum defect { NONE, FULL, VERSION, COUNT, KEYID, LENGTH, PADDING, LAST_BYTE };

/* n = 2: a 22-byte inner header, then P = 4096 bytes of padded content. */
static int
open_with_defect(enum defect d)
{
    uint8_t inner[22 + 4096];
    uint8_t *env = NULL, *out = NULL;
    size_t el = 0, ol = 0;
    unsigned n = 2, i;
    uint32_t len = 5;
    int rc;

    memset(inner, 0, sizeof(inner));
    inner[0] = 1;
    inner[1] = (uint8_t)n;
    for (i = 0; i < n; i++)
        umbra_key_id(inner + 2 + 8 * i, pks + 32 * i);
    if (d == FULL)
        len = 4096; /* content fills P exactly */
    if (d == LENGTH)
        len = 4096 + 1; /* P + 1 */
    inner[18] = (uint8_t)len;
    inner[19] = (uint8_t)(len >> 8);
    memcpy(inner + 22, "hello", 5);
    if (d == VERSION)
        inner[0] = 2;
    if (d == COUNT)
        inner[1] = 1;
    if (d == KEYID)
        inner[2 + 8] ^= 1;
    if (d == PADDING)
        inner[100] = 1;
    if (d == LAST_BYTE)
        inner[sizeof(inner) - 1] = 0x80;
    if (umbra_envelope_seal_inner(&env, &el, pks, n, inner, sizeof(inner)) != 0)
        abort();
    rc = umbra_envelope_open(&out, &ol, NULL, sks, pks, 1, env, el);
    if (rc == 0 && (ol != len || memcmp(out, "hello", 5) != 0))
        rc = 1;
    if (rc != 0 && out != NULL)
        rc = 2;
    umbra_secret_free(out);
    free(env);
    return rc;
}

static void
test_inner_mismatch(void)
{
    uint8_t inner[4096 + 14], *env = NULL;
    size_t el = 0;

    CHECK(open_with_defect(NONE) == 0, "a hand-built inner plaintext opens");
    CHECK(open_with_defect(FULL) == 0, "len = P (no padding) opens");
    CHECK(open_with_defect(VERSION) == UMBRA_ERR_INNER, "inner version 2");
    CHECK(open_with_defect(COUNT) == UMBRA_ERR_INNER, "inner n differs");
    CHECK(open_with_defect(KEYID) == UMBRA_ERR_INNER, "inner key id differs");
    CHECK(open_with_defect(LENGTH) == UMBRA_ERR_INNER, "len beyond padding");
    CHECK(open_with_defect(PADDING) == UMBRA_ERR_INNER, "non-zero padding");
    CHECK(open_with_defect(LAST_BYTE) == UMBRA_ERR_INNER, "last byte padding");
    memset(inner, 0, sizeof(inner));
    CHECK(umbra_envelope_seal_inner(&env, &el, pks, 1, inner, 4096) ==
                  UMBRA_ERR_ARG &&
              env == NULL,
          "seal_inner: 4096 is not 14 + a padded size");
    CHECK(umbra_envelope_seal_inner(&env, &el, pks, 1, inner, 4110) == 0 &&
              el == UMBRA_ENVELOPE_MIN_BYTES,
          "seal_inner: 14 + 4096");
    free(env);
}

/*
 * Re-encrypts the body of an envelope sealed with a known file key, with
 * chosen tags, to check that the tags are enforced.
 */
static void
test_tags(void)
{
    struct test_rng r;
    uint8_t file_key[32], *env = NULL, *out = NULL, *inner;
    size_t el = 0, ol = 0, p = 14 + 67584, h = 8 + 88, pos, off, clen;
    crypto_secretstream_xchacha20poly1305_state st;
    unsigned variant;
    int rc;

    inner = calloc(1, p);
    if (inner == NULL)
        abort();
    test_rng_start(&r, "tags");
    test_rng_fill(&r, file_key, 32); /* what seal will draw first */
    test_rng_start(&r, "tags");
    inner[0] = 1;
    inner[1] = 1;
    umbra_key_id(inner + 2, pks);
    if (umbra_envelope_seal_inner(&env, &el, pks, 1, inner, p) != 0)
        abort();
    test_rng_stop();
    rc = umbra_envelope_open(&out, &ol, NULL, sks, pks, 1, env, el);
    CHECK(rc == 0 && ol == 0, "two-chunk control opens");
    umbra_secret_free(out);
    out = NULL;
    for (variant = 0; variant < 3; variant++) {
        crypto_secretstream_xchacha20poly1305_init_pull(&st, env + h, file_key);
        pos = h + 24;
        for (off = 0; off < p; off += clen) {
            unsigned char tag;
            int last;
            clen = p - off < 65536 ? p - off : 65536;
            last = off + clen == p;
            tag = last ? crypto_secretstream_xchacha20poly1305_TAG_FINAL
                       : crypto_secretstream_xchacha20poly1305_TAG_MESSAGE;
            if (variant == 0 && last)
                tag = crypto_secretstream_xchacha20poly1305_TAG_MESSAGE;
            if (variant == 1 && !last)
                tag = crypto_secretstream_xchacha20poly1305_TAG_FINAL;
            if (variant == 2 && !last)
                tag = crypto_secretstream_xchacha20poly1305_TAG_PUSH;
            crypto_secretstream_xchacha20poly1305_push(
                &st, env + pos, NULL, inner + off, clen, off == 0 ? env : NULL,
                off == 0 ? h : 0, tag);
            pos += clen + 17;
        }
        rc = umbra_envelope_open(&out, &ol, NULL, sks, pks, 1, env, el);
        CHECK(rc == UMBRA_ERR_DECRYPT && out == NULL, "tag variant %u: %s",
              variant, umbra_strerror(rc));
    }
    free(inner);
    free(env);
}

static void
test_deterministic(void)
{
    struct test_rng r;
    uint8_t *a = NULL, *b = NULL;
    size_t al = 0, bl = 0;

    test_rng_start(&r, "same");
    CHECK(umbra_envelope_seal(&a, &al, pks, 3, (const uint8_t *)"x", 1) == 0,
          "seal with fixed rng");
    test_rng_start(&r, "same");
    CHECK(umbra_envelope_seal(&b, &bl, pks, 3, (const uint8_t *)"x", 1) == 0,
          "seal again");
    test_rng_stop();
    CHECK(al == bl && memcmp(a, b, al) == 0,
          "fixed randomness gives the same envelope");
    free(a);
    free(b);
    CHECK(umbra_envelope_seal(&a, &al, pks, 3, (const uint8_t *)"x", 1) == 0 &&
              umbra_envelope_seal(&b, &bl, pks, 3, (const uint8_t *)"x", 1) ==
                  0 &&
              memcmp(a, b, al) != 0,
          "real randomness gives different envelopes");
    free(a);
    free(b);
}

/* A temporary file holding buf; rewound. */
static FILE *
file_of(const uint8_t *buf, size_t len)
{
    FILE *f = tmpfile();

    if (f == NULL || fwrite(buf, 1, len, f) != len || fflush(f) != 0)
        abort();
    rewind(f);
    return f;
}

static uint8_t *
slurp(FILE *f, size_t *len)
{
    long end;
    uint8_t *buf;

    fflush(f);
    end = lseek(fileno(f), 0, SEEK_END);
    if (end < 0)
        abort();
    *len = (size_t)end;
    buf = malloc(*len + 1);
    if (buf == NULL || pread(fileno(f), buf, *len, 0) != (ssize_t)*len)
        abort();
    return buf;
}

static void
test_streaming(void)
{
    static const size_t sizes[] = {0,     1000,   16384,        65536,
                                   65537, 300000, 2 * 65536 + 5};
    size_t s, i;

    for (s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++) {
        size_t len = sizes[s], got_len = 0, mem_len = 0, out_len = 0;
        uint8_t *content = malloc(len + 1), *mem = NULL, *got, *out;
        struct test_rng r;
        FILE *in, *env_f = tmpfile(), *out_f = tmpfile();
        unsigned which = 9;
        int rc;

        if (content == NULL || env_f == NULL || out_f == NULL)
            abort();
        for (i = 0; i < len; i++)
            content[i] = (uint8_t)(i * 31 + s);
        in = file_of(content, len);
        test_rng_start(&r, "stream");
        rc = umbra_envelope_seal_fd(fileno(env_f), pks, 2, fileno(in), len);
        test_rng_start(&r, "stream");
        if (umbra_envelope_seal(&mem, &mem_len, pks, 2, content, len) != 0)
            abort();
        test_rng_stop();
        got = slurp(env_f, &got_len);
        CHECK(rc == 0 && got_len == mem_len && memcmp(got, mem, got_len) == 0,
              "seal_fd of %zu bytes equals seal (%s)", len, umbra_strerror(rc));
        rewind(env_f);
        rc = umbra_envelope_open_fd(fileno(out_f), &which, sks + 32, pks + 32,
                                    1, fileno(env_f), got_len);
        out = slurp(out_f, &out_len);
        CHECK(rc == 0 && which == 0 && out_len == len &&
                  memcmp(out, content, len) == 0,
              "open_fd of %zu bytes (%s)", len, umbra_strerror(rc));
        free(out);
        if (len > 0) {
            FILE *bad_f, *o2 = tmpfile();
            got[got_len - 1] ^= 1;
            bad_f = file_of(got, got_len);
            CHECK(umbra_envelope_open_fd(fileno(o2), NULL, sks, pks, 1,
                                         fileno(bad_f),
                                         got_len) == UMBRA_ERR_DECRYPT,
                  "open_fd: last byte flipped");
            rewind(bad_f);
            CHECK(umbra_envelope_open_fd(fileno(o2), NULL, sks, pks, 1,
                                         fileno(bad_f),
                                         got_len + 1) == UMBRA_ERR_SIZE,
                  "open_fd: wrong length");
            rewind(bad_f);
            CHECK(umbra_envelope_open_fd(fileno(o2), NULL, sks + 64, pks + 64,
                                         1, fileno(bad_f),
                                         got_len) == UMBRA_ERR_NO_KEY,
                  "open_fd: not our key");
            fclose(bad_f);
            fclose(o2);
            rewind(in);
            CHECK(umbra_envelope_seal_fd(fileno(env_f), pks, 1, fileno(in),
                                         len + 1) == UMBRA_ERR_TRUNCATED,
                  "seal_fd: input shorter than announced");
        }
        fclose(in);
        fclose(env_f);
        fclose(out_f);
        free(got);
        free(mem);
        free(content);
    }
}

/* The fixed key pairs every test seals to (first in the list). */
static void
setup_keys(void)
{
    unsigned i;

    for (i = 0; i < NK; i++)
        test_keypair(pks + 32 * i, sks + 32 * i, i);
}

CHECK_MAIN(setup_keys, test_padding_table, test_sizes, test_arguments,
           test_round_trips, test_bit_flips, test_truncation, test_wrong_keys,
           test_inner_mismatch, test_tags, test_deterministic, test_streaming)
