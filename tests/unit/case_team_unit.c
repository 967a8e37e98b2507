/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * case_team_unit: case events (caseworker/team*.c, docs/protocol.md "Case
 * events"). An event sealed by a member opens with the home's keys and
 * verifies; a forged, tampered, foreign or non-member event is refused;
 * the merge of a set of events from three authors (two of them setting
 * the same field the same day) gives byte-identical state in EVERY order
 * of 7 events (5040 orders) and in 2000 random orders of 300 events with
 * duplicates (a log served twice).
 */
#include "check.h"
#include "team.h"

#include <jansson.h>

struct author {
    uint8_t pk[32], sk[64];
    uint64_t seq;
};
static struct author A, B, C, X;
static uint8_t org_pk[32], org_sk[32];

static const char CASE[] = "0123456789abcdef0123456789abcdef";

/* An event by a with clock and type and body (JSON text), parsed. */
static void
make(struct team_event *e, struct author *a, uint64_t clock, const char *type,
     const char *body_json)
{
    json_t *body = json_loads(body_json, 0, NULL);
    char id[33], *text = NULL;

    team_new_id(id);
    CHECK(body != NULL && team_event_text(&text, "alpha", id, ++a->seq, clock,
                                          "2026-12-02", CASE, type, body) == 0,
          "event text for %s", type);
    CHECK(text && team_event_parse(e, text, strlen(text), a->pk) == 0,
          "event text parses back");
    free(text);
    json_decref(body);
}

static int
only_abc(const void *ctx, const uint8_t pk[32])
{
    (void)ctx;
    return memcmp(pk, A.pk, 32) == 0 || memcmp(pk, B.pk, 32) == 0 ||
           memcmp(pk, C.pk, 32) == 0;
}

static char *
state_of(const struct team_event *ev, size_t n)
{
    struct team_state st;
    char *j;

    if (team_merge(&st, ev, n) != 0)
        return NULL;
    j = team_state_json(&st);
    team_state_release(&st);
    return j;
}

static void
setup(void)
{
    crypto_sign_keypair(A.pk, A.sk);
    crypto_sign_keypair(B.pk, B.sk);
    crypto_sign_keypair(C.pk, C.sk);
    crypto_sign_keypair(X.pk, X.sk);
    crypto_box_keypair(org_pk, org_sk);
}

static void
test_seal_open(void)
{
    struct team_event e, got;
    uint8_t *env = NULL, other_pk[32], other_sk[32];
    size_t env_len = 0;
    int rc;

    setup();
    make(&e, &A, 1, "status", "{\"value\":\"in-progress\"}");
    CHECK(team_event_seal(&env, &env_len, NULL, e.text, A.sk, org_pk, 1) == 0,
          "sealed");
    rc = team_event_open(&got, env, env_len, org_sk, org_pk, 1, "alpha",
                         only_abc, NULL);
    CHECK(rc == 0, "opens and verifies: %s", team_err_str(rc));
    CHECK(rc == 0 && strcmp(got.text, e.text) == 0 &&
              memcmp(got.author, A.pk, 32) == 0 && got.seq == 1 &&
              strcmp(got.case_uid, CASE) == 0,
          "the same event, author A");
    if (rc == 0)
        team_event_release(&got);
    CHECK(team_event_open(&got, env, env_len, org_sk, org_pk, 1, "beta",
                          only_abc, NULL) == TEAM_E_ORG,
          "another organisation's event is refused");
    crypto_box_keypair(other_pk, other_sk);
    CHECK(team_event_open(&got, env, env_len, other_sk, other_pk, 1, "alpha",
                          only_abc, NULL) == TEAM_E_UNOPENED,
          "a home without the key (a removed member) cannot open it");
    env[env_len - 1] ^= 1;
    CHECK(team_event_open(&got, env, env_len, org_sk, org_pk, 1, "alpha",
                          only_abc, NULL) == TEAM_E_UNOPENED,
          "a damaged envelope is refused");
    free(env);
    team_event_release(&e);

    /* a non-member (or a removed member) signs correctly: refused */
    make(&e, &X, 1, "status", "{\"value\":\"closed\"}");
    CHECK(team_event_seal(&env, &env_len, NULL, e.text, X.sk, org_pk, 1) == 0,
          "sealed by X");
    CHECK(team_event_open(&got, env, env_len, org_sk, org_pk, 1, "alpha",
                          only_abc, NULL) == TEAM_E_AUTHOR,
          "an event by a key that is not a member is refused");
    free(env);
    /* X claims to be A: the signature does not verify */
    {
        uint8_t sk[64];

        memcpy(sk, X.sk, 64);
        memcpy(sk + 32, A.pk, 32); /* author field says A, signed by X */
        CHECK(team_event_seal(&env, &env_len, NULL, e.text, sk, org_pk, 1) == 0,
              "sealed by X as A");
        CHECK(team_event_open(&got, env, env_len, org_sk, org_pk, 1, "alpha",
                              only_abc, NULL) == TEAM_E_SIGNATURE,
              "an event forged in a member's name is refused");
        free(env);
        sodium_memzero(sk, sizeof sk);
    }
    team_event_release(&e);
}

static void
test_parse_refuses(void)
{
    static const char *const BAD[] = {
        "{}",
        "[]",
        "{\"org\":\"alpha\",\"id\":\"0123456789abcdef0123456789abcdef\","
        "\"seq\":0,\"clock\":1,\"day\":\"2026-12-02\",\"type\":\"note\","
        "\"body\":{}}",
        "{\"org\":\"alpha\",\"id\":\"0123456789ABCDEF0123456789abcdef\","
        "\"seq\":1,\"clock\":1,\"day\":\"2026-12-02\",\"type\":\"note\","
        "\"body\":{}}",
        "{\"org\":\"alpha\",\"id\":\"0123456789abcdef0123456789abcdef\","
        "\"seq\":1,\"clock\":1,\"day\":\"2026-12-02\",\"type\":\"note\","
        "\"body\":{},\"extra\":1}",
        "{\"org\":\"alpha\",\"id\":\"0123456789abcdef0123456789abcdef\","
        "\"seq\":1,\"clock\":1,\"day\":\"2026-12-02 10:00\",\"type\":\"note\","
        "\"body\":{}}",
        "{\"org\":\"alpha\",\"id\":\"0123456789abcdef0123456789abcdef\","
        "\"seq\":1,\"clock\":9007199254740992,\"day\":\"2026-12-02\","
        "\"type\":\"note\",\"body\":{}}",
        "{\"org\":\"alpha\",\"id\":\"0123456789abcdef0123456789abcdef\","
        "\"seq\":1,\"clock\":1,\"day\":\"2026-12-02\",\"type\":\"Note\","
        "\"body\":{}}",
        "{\"org\":\"alpha\",\"id\":\"0123456789abcdef0123456789abcdef\","
        "\"seq\":1,\"clock\":1,\"day\":\"2026-12-02\",\"type\":\"note\","
        "\"body\":[]}",
        "{\"org\":\"alpha\",\"id\":\"0123456789abcdef0123456789abcdef\","
        "\"seq\":1,\"seq\":2,\"clock\":1,\"day\":\"2026-12-02\","
        "\"type\":\"note\",\"body\":{}}",
        "{\"org\":\"alpha\",\"id\":\"0123456789abcdef0123456789abcdef\","
        "\"seq\":1,\"clock\":1,\"day\":\"2026-12-02\",\"case\":\"x\","
        "\"type\":\"note\",\"body\":{}}",
    };
    static const char GOOD[] =
        "{\"org\":\"alpha\",\"id\":\"0123456789abcdef0123456789abcdef\","
        "\"seq\":1,\"clock\":1,\"day\":\"2026-12-02\",\"type\":\"note\","
        "\"body\":{}}";
    struct team_event e;
    size_t i;

    CHECK(team_event_parse(&e, GOOD, strlen(GOOD), A.pk) == 0,
          "a minimal organisation-wide event parses");
    team_event_release(&e);
    for (i = 0; i < sizeof BAD / sizeof BAD[0]; i++)
        CHECK(team_event_parse(&e, BAD[i], strlen(BAD[i]), A.pk) ==
                  TEAM_E_FORMAT,
              "refused: %s", BAD[i]);
}

/* Heap's algorithm over idx[0..n), calling visit on each order. */
static long orders;
static const char *want;
static struct team_event *pool;
static int mismatch;

static void
visit(const size_t *idx, size_t n)
{
    struct team_event ev[8];
    char *got;
    size_t i;

    for (i = 0; i < n; i++)
        ev[i] = pool[idx[i]];
    got = state_of(ev, n);
    if (got == NULL || strcmp(got, want) != 0)
        mismatch++;
    free(got);
    orders++;
}

static void
permute(size_t *idx, size_t k, size_t n)
{
    size_t i, t;

    if (k == 1) {
        visit(idx, n);
        return;
    }
    for (i = 0; i < k; i++) {
        permute(idx, k - 1, n);
        t = (k % 2 == 0) ? i : 0;
        {
            size_t s = idx[t];

            idx[t] = idx[k - 1];
            idx[k - 1] = s;
        }
    }
}

static void
test_every_order(void)
{
    struct team_event ev[7];
    size_t idx[7], i;
    char *s;
    json_t *j;

    /* A and B set status the same day, neither having seen the other
     * (both clock 2); C adds a label, A another concurrently; B removes
     * C's label later; C notes; A assigns */
    make(&ev[0], &A, 2, "status", "{\"value\":\"in-progress\"}");
    make(&ev[1], &B, 2, "status", "{\"value\":\"waiting\"}");
    make(&ev[2], &C, 3, "label", "{\"label\":\"housing\",\"on\":true}");
    make(&ev[3], &A, 3, "label", "{\"label\":\"police\",\"on\":true}");
    make(&ev[4], &B, 4, "label", "{\"label\":\"housing\",\"on\":false}");
    make(&ev[5], &C, 4, "note", "{\"text\":\"called the clinic\"}");
    make(&ev[6], &A, 5, "assignee", "{\"value\":\"Ben\"}");
    s = state_of(ev, 7);
    want = s;
    j = s ? json_loads(s, 0, NULL) : NULL;
    CHECK(j != NULL, "the state is JSON: %s", s ? s : "(null)");
    CHECK(j &&
              strcmp(json_string_value(json_object_get(j, "status")),
                     memcmp(A.pk, B.pk, 32) > 0 ? "in-progress"
                                                : "waiting") == 0,
          "the concurrent status: the larger author key wins");
    CHECK(j && json_array_size(json_object_get(j, "labels")) == 1 &&
              strcmp(json_string_value(json_array_get(
                         json_object_get(j, "labels"), 0)),
                     "police") == 0,
          "labels: police kept, housing added then removed");
    CHECK(j && json_array_size(json_object_get(j, "history")) == 7,
          "seven events in the history");
    json_decref(j);
    pool = ev;
    for (i = 0; i < 7; i++)
        idx[i] = i;
    permute(idx, 7, 7);
    CHECK(orders == 5040, "every order of 7 events tried (%ld)", orders);
    CHECK(mismatch == 0, "the same state in every order (%d differ)",
          mismatch);
    free(s);
    for (i = 0; i < 7; i++)
        team_event_release(&ev[i]);
}

/* Concurrent adds of two labels keep both; a delete wins. */
static void
test_labels_delete(void)
{
    struct team_event ev[4];
    char *s1, *s2;

    make(&ev[0], &A, 1, "label", "{\"label\":\"a\",\"on\":true}");
    make(&ev[1], &B, 1, "label", "{\"label\":\"b\",\"on\":true}");
    s1 = state_of(ev, 2);
    CHECK(s1 && strstr(s1, "\"labels\":[\"a\",\"b\"]") != NULL,
          "two labels added concurrently are both kept: %s", s1);
    make(&ev[2], &C, 2, "delete", "{}");
    make(&ev[3], &A, 9, "status", "{\"value\":\"closed\"}");
    s2 = state_of(ev, 4);
    CHECK(s2 && strstr(s2, "\"deleted\":true") != NULL &&
              strstr(s2, "\"status\":null") != NULL,
          "a delete wins over a later change: %s", s2);
    free(s1);
    free(s2);
    for (int i = 0; i < 4; i++)
        team_event_release(&ev[i]);
}

static void
test_random_orders(void)
{
    enum { N = 300, DUP = 60, ROUNDS = 2000 };
    static struct team_event ev[N];
    static struct team_event shuf[N + DUP];
    static const char *const TYPES[] = {"status", "priority", "assignee",
                                        "label",  "note",     "read"};
    struct author *who[3] = {&A, &B, &C};
    char body[96], *first;
    size_t i, r;
    int bad = 0;

    for (i = 0; i < N; i++) {
        const char *t = TYPES[randombytes_uniform(6)];

        if (strcmp(t, "label") == 0)
            snprintf(body, sizeof body, "{\"label\":\"l%u\",\"on\":%s}",
                     randombytes_uniform(5),
                     randombytes_uniform(2) ? "true" : "false");
        else if (strcmp(t, "note") == 0 || strcmp(t, "read") == 0)
            snprintf(body, sizeof body, "{\"text\":\"n%zu\"}", i);
        else
            snprintf(body, sizeof body, "{\"value\":\"v%u\"}",
                     randombytes_uniform(4));
        /* clocks collide often: concurrent edits */
        make(&ev[i], who[randombytes_uniform(3)], 1 + randombytes_uniform(40),
             t, body);
    }
    first = state_of(ev, N);
    CHECK(first != NULL, "300 events merge");
    for (r = 0; r < ROUNDS && first; r++) {
        char *got;

        for (i = 0; i < N; i++)
            shuf[i] = ev[i];
        for (i = 0; i < DUP; i++) /* served twice */
            shuf[N + i] = ev[randombytes_uniform(N)];
        for (i = N + DUP - 1; i > 0; i--) {
            size_t j = randombytes_uniform((uint32_t)(i + 1));
            struct team_event t = shuf[i];

            shuf[i] = shuf[j];
            shuf[j] = t;
        }
        got = state_of(shuf, N + DUP);
        if (got == NULL || strcmp(got, first) != 0)
            bad++;
        free(got);
    }
    CHECK(bad == 0, "%d of %d random orders (with 60 duplicates) differ",
          bad, ROUNDS);
    free(first);
    for (i = 0; i < N; i++)
        team_event_release(&ev[i]);
}

static void
test_case_uid(void)
{
    char u1[33], u2[33];
    static const uint8_t env1[] = "envelope one", env2[] = "envelope two";

    team_case_uid(u1, env1, sizeof env1);
    team_case_uid(u2, env1, sizeof env1);
    CHECK(strcmp(u1, u2) == 0 && strlen(u1) == 32,
          "the same envelope, the same case uid");
    team_case_uid(u2, env2, sizeof env2);
    CHECK(strcmp(u1, u2) != 0, "another envelope, another uid");
}

CHECK_MAIN(test_seal_open, test_parse_refuses, test_every_order,
           test_labels_delete, test_random_orders, test_case_uid)
