/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * check: the one harness of the C tests (libumbra's client-crypto/tests,
 * tests/unit, tests/browser/page_test.c, tests/vectors/umbra_vec.c); the
 * build finds it with -Itests/lib.
 *
 * CHECK(cond, fmt, ...) counts a pass or prints the failure, with its file
 * and line, to stderr; check_done() prints the closing "N passed, N failed"
 * line and gives the exit status; CHECK_MAIN(test_a, ...) is a test
 * program's main(). test_rng_* is a deterministic random
 * source for the umbra_test_set_rng() seam: a BLAKE2b counter stream from
 * a seed, which can also record what it handed out (the vector generator
 * stores those bytes as "random"); only programs linked with
 * libumbra-test.a call it.
 */
#ifndef UMBRA_TEST_CHECK_H
#define UMBRA_TEST_CHECK_H

#include "umbra.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int check_pass, check_fail;

#define CHECK(cond, ...)                                                       \
    do {                                                                       \
        if (cond) {                                                            \
            check_pass++;                                                      \
        } else {                                                               \
            check_fail++;                                                      \
            fprintf(stderr, "FAIL %s:%d: ", __FILE__, __LINE__);               \
            fprintf(stderr, __VA_ARGS__);                                      \
            fputc('\n', stderr);                                               \
        }                                                                      \
    } while (0)

/* A parser's byte cap as a user meets it: parse(out, text, n) accepts
 * n = cap bytes (text padded, e.g. with white space) and refuses cap + 1
 * with UMBRA_ERR_TOO_LONG. */
#define CHECK_CAP(parse, out, text, cap)                                       \
    do {                                                                       \
        CHECK(parse(out, text, cap) == 0, #parse ": %zu bytes accepted",       \
              (size_t)(cap));                                                  \
        CHECK(parse(out, text, (cap) + 1) == UMBRA_ERR_TOO_LONG,               \
              #parse ": %zu bytes refused", (size_t)(cap) + 1);                \
    } while (0)

static inline int
check_done(void)
{
    printf("%d passed, %d failed\n", check_pass, check_fail);
    return check_fail == 0 ? 0 : 1;
}

/* Runs each test function of tests[0..n) after umbra_secure_init (exit
 * status 2 if that fails), then prints the closing line. */
static inline int
check_run(void (*const *tests)(void), size_t n)
{
    size_t i;

    if (umbra_secure_init() != 0)
        return 2;
    for (i = 0; i < n; i++)
        tests[i]();
    return check_done();
}

/* The main() of a test program: CHECK_MAIN(test_a, test_b, ...). */
#define CHECK_MAIN(...)                                                        \
    int main(void)                                                             \
    {                                                                          \
        static void (*const check_tests[])(void) = {__VA_ARGS__};              \
        return check_run(check_tests,                                          \
                         sizeof check_tests / sizeof check_tests[0]);          \
    }

struct test_rng {
    uint8_t seed[32];
    uint64_t counter;
    uint8_t *rec; /* when not NULL, every byte handed out is appended */
    size_t rec_len, rec_cap;
};

static inline void
test_rng_fill(void *ctx, void *buf, size_t len)
{
    struct test_rng *r = ctx;
    uint8_t *out = buf;
    size_t off = 0;

    while (off < len) {
        uint8_t block[64], ctr[8];
        size_t take = len - off < 64 ? len - off : 64;
        unsigned i;
        for (i = 0; i < 8; i++)
            ctr[i] = (uint8_t)(r->counter >> (8 * i));
        r->counter++;
        crypto_generichash(block, 64, ctr, 8, r->seed, 32);
        memcpy(out + off, block, take);
        off += take;
    }
    if (r->rec != NULL && r->rec_len + len <= r->rec_cap) {
        memcpy(r->rec + r->rec_len, buf, len);
        r->rec_len += len;
    }
}

/* Installs a deterministic rng seeded from a label. */
static inline void
test_rng_start(struct test_rng *r, const char *label)
{
    memset(r, 0, sizeof(*r));
    crypto_generichash(r->seed, 32, (const uint8_t *)label, strlen(label), NULL,
                       0);
    umbra_test_set_rng(test_rng_fill, r);
}

static inline void
test_rng_stop(void)
{
    umbra_test_set_rng(NULL, NULL);
}

/* A fixed X25519 key pair from a small number. */
static inline void
test_keypair(uint8_t pk[32], uint8_t sk[32], unsigned which)
{
    uint8_t seed[32];

    memset(seed, 0, sizeof(seed));
    seed[0] = (uint8_t)which;
    seed[1] = (uint8_t)(which >> 8);
    seed[31] = 0x55;
    crypto_box_seed_keypair(pk, sk, seed);
}

#endif
