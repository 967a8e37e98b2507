/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * case_outbox_unit: the outbox file (caseworker/outbox.c, docs/protocol.md
 * section 10): what push --out writes reads back the same; a file that is
 * not an outbox, cut short, of another version, over a cap or with a
 * hostile value is refused as a whole (nothing of it kept to send).
 */
#include "check.h"
#include "outbox.h"

#include <jansson.h>

static uint8_t *env;
static size_t env_len;
static const char MB[] =
    "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";

/* An outbox of 2 replies and 2 acks as push --out writes it. */
static char *
good_text(void)
{
    struct outbox o;
    char why[160], *t;

    outbox_init(&o);
    snprintf(o.org, sizeof o.org, "alpha");
    CHECK(outbox_add_reply(&o, MB, env, env_len, why, sizeof why) == 0,
          "add reply: %s", why);
    CHECK(outbox_add_reply(&o, MB, env, env_len, why, sizeof why) == 0,
          "add reply 2: %s", why);
    CHECK(outbox_add_ack(&o, "17", why, sizeof why) == 0, "add ack");
    CHECK(outbox_add_ack(&o, "9223372036854775807", why, sizeof why) == 0,
          "add the largest ack");
    t = outbox_dump(&o, "2026-12-02");
    outbox_free(&o);
    return t;
}

static int
parse(const char *text, size_t len, char *why, size_t cap)
{
    struct outbox o;
    int rc;

    outbox_init(&o);
    rc = outbox_parse(&o, (const uint8_t *)text, len, why, cap);
    outbox_free(&o);
    return rc;
}

/* text with the first "from" replaced by "to" (malloc'd). */
static char *
edit(const char *text, const char *from, const char *to)
{
    const char *p = strstr(text, from);
    size_t n = strlen(text) - strlen(from) + strlen(to) + 1;
    char *out = malloc(n);

    if (p == NULL || out == NULL) {
        free(out);
        return NULL;
    }
    snprintf(out, n, "%.*s%s%s", (int)(p - text), text, to, p + strlen(from));
    return out;
}

static void
test_round_trip(void)
{
    char *t = good_text(), why[160];
    struct outbox o;

    outbox_init(&o);
    CHECK(t != NULL && outbox_parse(&o, (const uint8_t *)t, strlen(t), why,
                                    sizeof why) == OUTBOX_OK,
          "the written outbox reads back: %s", why);
    CHECK(o.n_replies == 2 && o.n_acks == 2 && strcmp(o.org, "alpha") == 0,
          "2 replies, 2 acks, org alpha");
    CHECK(o.n_replies == 2 && o.replies[1].len == env_len &&
              memcmp(o.replies[1].env, env, env_len) == 0 &&
              strcmp(o.replies[1].mailbox, MB) == 0,
          "the reply's envelope and mailbox unchanged");
    CHECK(o.n_acks == 2 && strcmp(o.acks[1], "9223372036854775807") == 0,
          "the ack ids unchanged");
    CHECK(t != NULL &&
              strncmp(t, "{\n \"format\": \"umbra.outbox/1\"", 29) == 0,
          "the format comes first");
    outbox_free(&o);
    free(t);
}

static void
test_refused(void)
{
    char *t = good_text(), *e, why[160];
    size_t cut;
    static const struct {
        const char *from, *to, *what;
        int want;
    } edits[] = {
        {"umbra.outbox/1", "umbra.outbox/2", "another version", OUTBOX_VERSION},
        {"umbra.outbox/1", "umbra.bundle/1", "not an outbox", OUTBOX_NOT},
        {"\"alpha\"", "\"Alpha!\"", "a bad org", OUTBOX_BAD},
        {"2026-12-02", "2026-02-30", "a false day", OUTBOX_BAD},
        {"\"17\"", "\"017\"", "an id with a leading zero", OUTBOX_BAD},
        {"\"17\"", "17", "an id as a number", OUTBOX_BAD},
        {"\"9223372036854775807\"", "\"99999999999999999999\"",
         "an id over 64 bits", OUTBOX_BAD},
        {"00112233", "0011223G", "a mailbox not hex", OUTBOX_BAD},
        {"00112233", "0011223", "a short mailbox", OUTBOX_BAD},
        {"\"envelope\": \"", "\"envelope\": \"!", "bad base64", OUTBOX_BAD},
        {"\"envelope\": \"", "\"envelope\": \"AAAA", "a changed envelope",
         OUTBOX_BAD},
        {"\"acks\"", "\"extra\": 1, \"acks\"", "an unknown member", OUTBOX_BAD},
        {"\"acks\"", "\"acks\": [], \"acks\"", "a duplicate member",
         OUTBOX_CUT},
        {"\"mailbox\"", "\"x\": 1, \"mailbox\"", "a reply with more",
         OUTBOX_BAD},
        {"\"replies\": [", "\"replies\": {\"a\": [", "replies not a list",
         OUTBOX_CUT},
    };
    size_t i;

    if (t == NULL)
        return;
    for (i = 0; i < sizeof edits / sizeof edits[0]; i++) {
        e = edit(t, edits[i].from, edits[i].to);
        CHECK(e != NULL, "edit %zu applies", i);
        if (e != NULL)
            CHECK(parse(e, strlen(e), why, sizeof why) == edits[i].want,
                  "%s refused as %d (%s)", edits[i].what, edits[i].want, why);
        free(e);
    }
    /* every cut of the file is refused, none as "not an outbox" once
     * the head is there */
    for (cut = 0; cut < strlen(t); cut++) {
        int rc = parse(t, cut, why, sizeof why);

        if (rc == OUTBOX_OK || (cut >= 29 && rc != OUTBOX_CUT)) {
            CHECK(0, "a file cut at %zu bytes: %d", cut, rc);
            break;
        }
    }
    CHECK(cut == strlen(t), "every cut refused");
    CHECK(parse("", 0, why, sizeof why) == OUTBOX_NOT, "empty");
    CHECK(parse("[1]", 3, why, sizeof why) == OUTBOX_NOT, "an array");
    CHECK(parse(t, OUTBOX_FILE_MAX + 1u, why, sizeof why) == OUTBOX_BAD,
          "over the file cap (without reading past it)");
    free(t);
}

static void
test_caps(void)
{
    struct outbox o;
    char why[160], id[24];
    size_t i;
    uint8_t *big = calloc(1, OUTBOX_ENVELOPE_MAX + 1);

    outbox_init(&o);
    for (i = 0; i < OUTBOX_ACKS_MAX; i++) {
        snprintf(id, sizeof id, "%zu", i + 1);
        if (outbox_add_ack(&o, id, why, sizeof why) != 0)
            break;
    }
    CHECK(i == OUTBOX_ACKS_MAX, "%u acks taken", OUTBOX_ACKS_MAX);
    CHECK(outbox_add_ack(&o, "1", why, sizeof why) != 0,
          "one more ack refused");
    CHECK(outbox_add_reply(&o, MB, env, env_len, why, sizeof why) == 0,
          "a reply");
    CHECK(big == NULL || outbox_add_reply(&o, MB, big, OUTBOX_ENVELOPE_MAX + 1,
                                          why, sizeof why) != 0,
          "an envelope over the cap refused");
    CHECK(outbox_add_reply(&o, MB, env, env_len - 1, why, sizeof why) != 0,
          "a cut envelope refused");
    free(big);
    outbox_free(&o);
}

static void
setup(void)
{
    uint8_t pk[32], sk[32];
    static const char doc[] = "{\"schema\":\"umbra.reply/1\"}";

    crypto_box_keypair(pk, sk);
    CHECK(umbra_envelope_seal(&env, &env_len, pk, 1, (const uint8_t *)doc,
                              strlen(doc)) == 0,
          "seal a reply");
}

static void
teardown(void)
{
    free(env);
}

CHECK_MAIN(setup, test_round_trip, test_refused, test_caps, teardown)
