/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * vec_event: the case-event vector (tests/vectors/event.json; protocol.md
 * "Case events") for umbra-vec gen, made with caseworker/team_event.c and
 * team_merge.c: fixed authors (seed = BLAKE2b-256("vector event author"
 * || i)), five events of one case with fixed ids, among them two authors
 * setting the status at the same clock; each event's text, signature and
 * inner document; the case uid of a fixed envelope; the merged state.
 */
#include "team.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

json_t *vec_event(void);

#define VEC_EVENT_DAY "2026-01-15"

static void
seeded(uint8_t out[32], const char *tag, unsigned i)
{
    crypto_generichash_state st;
    uint8_t b = (uint8_t)i;

    crypto_generichash_init(&st, NULL, 0, 32);
    crypto_generichash_update(&st, (const uint8_t *)tag, strlen(tag));
    crypto_generichash_update(&st, &b, 1);
    crypto_generichash_final(&st, out, 32);
}

static json_t *
b64(const uint8_t *b, size_t n)
{
    char s[200];

    sodium_bin2base64(s, sizeof s, b, n, sodium_base64_VARIANT_ORIGINAL);
    return json_string(s);
}

json_t *
vec_event(void)
{
    static const struct {
        unsigned author;
        uint64_t clock;
        const char *type, *body;
    } EV[] = {
        {0, 1, "status", "{\"value\":\"in-progress\"}"},
        {1, 1, "status", "{\"value\":\"waiting\"}"},
        {2, 2, "label", "{\"label\":\"housing\",\"on\":true}"},
        {1, 3, "label", "{\"label\":\"housing\",\"on\":false}"},
        {0, 3, "note", "{\"text\":\"called the clinic\"}"},
    };
    static const char ENV[] = "a fixed envelope standing for a report's";
    uint8_t seed[32], pk[3][32], sk[3][64], idb[32], sig[64];
    uint64_t seq[3] = {0, 0, 0};
    struct team_event parsed[5];
    struct team_state st;
    json_t *root, *authors = json_array(), *events = json_array();
    char uid[33], id[33], *text, *state;
    unsigned i;

    for (i = 0; i < 3; i++) {
        seeded(seed, "vector event author", i);
        crypto_sign_seed_keypair(pk[i], sk[i], seed);
        json_array_append_new(authors,
                              json_pack("{s:o, s:o}", "seed", b64(seed, 32),
                                        "signing_key", b64(pk[i], 32)));
    }
    team_case_uid(uid, (const uint8_t *)ENV, sizeof ENV - 1);
    for (i = 0; i < 5; i++) {
        json_t *body = json_loads(EV[i].body, 0, NULL), *doc;
        uint8_t *msg;
        size_t len;
        char *doctext;

        seeded(idb, "vector event id", i);
        umbra_hex(id, idb, 16);
        if (body == NULL ||
            team_event_text(&text, "vector-org", id, ++seq[EV[i].author],
                            EV[i].clock, VEC_EVENT_DAY, uid, EV[i].type,
                            body) != 0 ||
            team_event_parse(&parsed[i], text, strlen(text),
                             pk[EV[i].author]) != 0)
            abort();
        json_decref(body);
        len = sizeof TEAM_FORMAT + strlen(text); /* "...\n" || text */
        msg = malloc(len);
        if (msg == NULL)
            abort();
        memcpy(msg, TEAM_FORMAT "\n", sizeof TEAM_FORMAT);
        memcpy(msg + sizeof TEAM_FORMAT, text, strlen(text));
        crypto_sign_detached(sig, NULL, msg, len, sk[EV[i].author]);
        free(msg);
        doc = json_pack("{s:s, s:s, s:o, s:o}", "format", TEAM_FORMAT,
                        "event", text, "author", b64(pk[EV[i].author], 32),
                        "signature", b64(sig, 64));
        doctext = json_dumps(doc, JSON_COMPACT);
        json_decref(doc);
        json_array_append_new(
            events, json_pack("{s:i, s:s, s:o, s:s}", "author",
                              (int)EV[i].author, "event", text, "signature",
                              b64(sig, 64), "document", doctext));
        free(text);
        free(doctext);
    }
    if (team_merge(&st, parsed, 5) != 0)
        abort();
    state = team_state_json(&st);
    team_state_release(&st);
    for (i = 0; i < 5; i++)
        team_event_release(&parsed[i]);
    root = json_pack(
        "{s:s, s:s, s:s, s:s, s:o, s:o, s:s}", "description",
        "case events (protocol.md \"Case events\"): three authors (Ed25519 "
        "seed = BLAKE2b-256(\"vector event author\" || i)), five events of "
        "one case; the signature covers \"umbra.event/1\\n\" || event; "
        "the case uid is BLAKE2b-256(\"umbra/case/v1\" || envelope)[0:16] "
        "in hex; state is the merge of the five in any order (sorted keys, "
        "compact)",
        "envelope_text", ENV, "case_uid", uid, "org", "vector-org",
        "authors", authors, "events", events, "state", state);
    free(state);
    return root;
}
