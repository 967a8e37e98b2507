/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * team_event: the case-event document (team.h): its text, signed and
 * sealed; opened, verified and parsed.
 */
#include "team.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

static const char SIG_PREFIX[] = TEAM_FORMAT "\n";

const char *
team_err_str(int err)
{
    switch (err) {
    case TEAM_OK:
        return "ok";
    case TEAM_E_UNOPENED:
        return "no key of this home opens it";
    case TEAM_E_FORMAT:
        return "not a valid case event";
    case TEAM_E_SIGNATURE:
        return "its signature does not verify";
    case TEAM_E_ORG:
        return "written for another organisation";
    case TEAM_E_AUTHOR:
        return "its author is not a member who may write events";
    default:
        return "out of memory";
    }
}

void
team_event_release(struct team_event *e)
{
    json_decref(e->body);
    free(e->text);
    memset(e, 0, sizeof *e);
}

void
team_case_uid(char out[33], const uint8_t *env, size_t env_len)
{
    static const char TAG[] = "umbra/case/v1";
    crypto_generichash_state st;
    uint8_t h[32];

    crypto_generichash_init(&st, NULL, 0, sizeof h);
    crypto_generichash_update(&st, (const uint8_t *)TAG, sizeof TAG - 1);
    crypto_generichash_update(&st, env, env_len);
    crypto_generichash_final(&st, h, sizeof h);
    umbra_hex(out, h, 16);
}

void
team_new_id(char out[33])
{
    uint8_t r[16];

    randombytes_buf(r, sizeof r);
    umbra_hex(out, r, sizeof r);
}

static int
is_hex32(const char *s)
{
    size_t i;

    if (strlen(s) != 32)
        return 0;
    for (i = 0; i < 32; i++)
        if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
            return 0;
    return 1;
}

static int
is_day(const char *s)
{
    static const char SHAPE[] = "dddd-dd-dd";
    size_t i;

    if (strlen(s) != 10)
        return 0;
    for (i = 0; i < 10; i++)
        if (SHAPE[i] == 'd' ? (s[i] < '0' || s[i] > '9') : s[i] != '-')
            return 0;
    return 1;
}

/* A type: 1..32 of [a-z0-9._-]. */
static int
is_type(const char *s)
{
    size_t n = strlen(s), i;

    if (n == 0 || n > TEAM_TYPE_MAX)
        return 0;
    for (i = 0; i < n; i++)
        if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') ||
              s[i] == '.' || s[i] == '_' || s[i] == '-'))
            return 0;
    return 1;
}

int
team_event_text(char **text, const char *org, const char *id, uint64_t seq,
                 uint64_t clock, const char *day, const char *case_uid,
                 const char *type, const json_t *body)
{
    json_t *o = NULL;
    int rc = -1;

    *text = NULL;
    if (seq == 0 || seq > TEAM_COUNTER_MAX || clock == 0 ||
        clock > TEAM_COUNTER_MAX || !is_hex32(id) || !is_day(day) ||
        !is_type(type) || !json_is_object(body) ||
        (case_uid != NULL && case_uid[0] && !is_hex32(case_uid)))
        return -1;
    o = json_pack("{s:s, s:s, s:I, s:I, s:s, s:s, s:O}", "org", org, "id", id,
                  "seq", (json_int_t)seq, "clock", (json_int_t)clock, "day",
                  day, "type", type, "body", body);
    if (o == NULL)
        goto out;
    if (case_uid != NULL && case_uid[0] &&
        json_object_set_new(o, "case", json_string(case_uid)) != 0)
        goto out;
    *text = json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS);
    if (*text != NULL && strlen(*text) <= TEAM_DOC_MAX / 2)
        rc = 0;
    else {
        free(*text);
        *text = NULL;
    }
out:
    json_decref(o);
    return rc;
}

/* A member that must be a string: its value, or NULL. */
static const char *
str_of(const json_t *o, const char *k)
{
    return json_string_value(json_object_get(o, k));
}

static int
counter_of(uint64_t *out, const json_t *o, const char *k)
{
    const json_t *v = json_object_get(o, k);

    if (!json_is_integer(v) || json_integer_value(v) < 1 ||
        (uint64_t)json_integer_value(v) > TEAM_COUNTER_MAX)
        return -1;
    *out = (uint64_t)json_integer_value(v);
    return 0;
}

int
team_event_parse(struct team_event *e, const char *text, size_t len,
                 const uint8_t author[32])
{
    json_t *o = NULL;
    const char *org, *id, *day, *type, *cs;
    size_t want = 7;

    memset(e, 0, sizeof *e);
    if (len > TEAM_DOC_MAX || memchr(text, 0, len) != NULL)
        return TEAM_E_FORMAT;
    o = json_loadb(text, len, JSON_REJECT_DUPLICATES, NULL);
    if (!json_is_object(o))
        goto bad;
    org = str_of(o, "org");
    id = str_of(o, "id");
    day = str_of(o, "day");
    type = str_of(o, "type");
    cs = str_of(o, "case");
    if (json_object_get(o, "case") != NULL)
        want++;
    if (org == NULL || strlen(org) > UMBRA_SLUG_MAX || id == NULL ||
        !is_hex32(id) || day == NULL || !is_day(day) || type == NULL ||
        !is_type(type) || (json_object_get(o, "case") && !(cs && is_hex32(cs))) ||
        counter_of(&e->seq, o, "seq") || counter_of(&e->clock, o, "clock") ||
        !json_is_object(json_object_get(o, "body")) ||
        json_object_size(o) != want)
        goto bad;
    snprintf(e->org, sizeof e->org, "%s", org);
    memcpy(e->id, id, 33);
    memcpy(e->day, day, 11);
    snprintf(e->case_uid, sizeof e->case_uid, "%s", cs ? cs : "");
    snprintf(e->type, sizeof e->type, "%s", type);
    memcpy(e->author, author, 32);
    e->body = json_incref(json_object_get(o, "body"));
    e->text = malloc(len + 1);
    if (e->text == NULL) {
        json_decref(o);
        team_event_release(e);
        return TEAM_E_NOMEM;
    }
    memcpy(e->text, text, len);
    e->text[len] = 0;
    json_decref(o);
    return 0;
bad:
    json_decref(o);
    team_event_release(e);
    return TEAM_E_FORMAT;
}

/* The signed message: "umbra.event/1\n" || text (malloc'd). */
static uint8_t *
signed_msg(const char *text, size_t len, size_t *n)
{
    uint8_t *m = malloc(sizeof SIG_PREFIX - 1 + len);

    if (m == NULL)
        return NULL;
    memcpy(m, SIG_PREFIX, sizeof SIG_PREFIX - 1);
    memcpy(m + sizeof SIG_PREFIX - 1, text, len);
    *n = sizeof SIG_PREFIX - 1 + len;
    return m;
}

int
team_event_seal(uint8_t **env, size_t *env_len, uint8_t sig_out[64],
                const char *text, const uint8_t sign_sk[64],
                const uint8_t *pks, unsigned n)
{
    uint8_t sig[crypto_sign_BYTES], *msg = NULL;
    char a64[64], s64[128], *doc = NULL;
    size_t mlen, len = strlen(text);
    json_t *o = NULL;
    int rc = -1;

    *env = NULL;
    *env_len = 0;
    msg = signed_msg(text, len, &mlen);
    if (msg == NULL)
        goto out;
    crypto_sign_detached(sig, NULL, msg, mlen, sign_sk);
    if (sig_out != NULL)
        memcpy(sig_out, sig, sizeof sig);
    sodium_bin2base64(a64, sizeof a64, sign_sk + 32, 32,
                      sodium_base64_VARIANT_ORIGINAL);
    sodium_bin2base64(s64, sizeof s64, sig, sizeof sig,
                      sodium_base64_VARIANT_ORIGINAL);
    o = json_pack("{s:s, s:s, s:s, s:s}", "format", TEAM_FORMAT, "event", text,
                  "author", a64, "signature", s64);
    doc = o ? json_dumps(o, JSON_COMPACT) : NULL;
    if (doc == NULL || strlen(doc) > TEAM_DOC_MAX)
        goto out;
    if (umbra_envelope_seal(env, env_len, pks, n, (const uint8_t *)doc,
                            strlen(doc)) != 0)
        goto out;
    rc = 0;
out:
    if (rc != 0) {
        free(*env);
        *env = NULL;
        *env_len = 0;
    }
    json_decref(o);
    free(doc);
    free(msg);
    return rc;
}

/* Exact canonical base64 of want bytes into out. */
static int
unb64(uint8_t *out, size_t want, const char *s)
{
    size_t n = 0;
    char back[128];

    if (s == NULL || strlen(s) >= sizeof back ||
        sodium_base642bin(out, want, s, strlen(s), NULL, &n, NULL,
                          sodium_base64_VARIANT_ORIGINAL) != 0 ||
        n != want)
        return -1;
    sodium_bin2base64(back, sizeof back, out, want,
                      sodium_base64_VARIANT_ORIGINAL);
    return strcmp(back, s) == 0 ? 0 : -1;
}

int
team_event_verify(struct team_event *e, const char *text, size_t len,
                  const uint8_t author[32], const uint8_t sig[64])
{
    uint8_t *msg;
    size_t mlen;
    int ok, rc;

    memset(e, 0, sizeof *e);
    if (len > TEAM_DOC_MAX)
        return TEAM_E_FORMAT;
    msg = signed_msg(text, len, &mlen);
    if (msg == NULL)
        return TEAM_E_NOMEM;
    ok = crypto_sign_verify_detached(sig, msg, mlen, author) == 0;
    free(msg);
    if (!ok)
        return TEAM_E_SIGNATURE;
    rc = team_event_parse(e, text, len, author);
    if (rc == 0) {
        memcpy(e->sig, sig, 64);
        e->has_sig = 1;
    }
    return rc;
}

int
team_event_open(struct team_event *e, const uint8_t *env, size_t env_len,
                const uint8_t *sks, const uint8_t *pks, unsigned nkeys,
                const char *org, team_author_fn may, const void *ctx)
{
    uint8_t *doc = NULL, author[32], sig[crypto_sign_BYTES], *msg = NULL;
    size_t doc_len = 0, mlen;
    json_t *o = NULL;
    const char *text;
    int rc;

    memset(e, 0, sizeof *e);
    if (umbra_envelope_open(&doc, &doc_len, NULL, sks, pks, nkeys, env,
                            env_len) != 0)
        return TEAM_E_UNOPENED;
    rc = TEAM_E_FORMAT;
    if (doc_len > TEAM_DOC_MAX)
        goto out;
    o = json_loadb((const char *)doc, doc_len, JSON_REJECT_DUPLICATES, NULL);
    text = str_of(o, "event");
    if (!json_is_object(o) || json_object_size(o) != 4 ||
        str_of(o, "format") == NULL ||
        strcmp(str_of(o, "format"), TEAM_FORMAT) != 0 || text == NULL ||
        unb64(author, 32, str_of(o, "author")) != 0 ||
        unb64(sig, sizeof sig, str_of(o, "signature")) != 0)
        goto out;
    rc = TEAM_E_NOMEM;
    msg = signed_msg(text, json_string_length(json_object_get(o, "event")),
                     &mlen);
    if (msg == NULL)
        goto out;
    rc = TEAM_E_SIGNATURE;
    if (crypto_sign_verify_detached(sig, msg, mlen, author) != 0)
        goto out;
    rc = team_event_parse(e, text,
                          json_string_length(json_object_get(o, "event")),
                          author);
    if (rc != 0)
        goto out;
    memcpy(e->sig, sig, sizeof sig);
    e->has_sig = 1;
    if (strcmp(e->org, org) != 0)
        rc = TEAM_E_ORG;
    else if (may != NULL && !may(ctx, author))
        rc = TEAM_E_AUTHOR;
    if (rc != 0)
        team_event_release(e);
out:
    json_decref(o);
    free(msg);
    if (doc != NULL)
        umbra_secret_free(doc);
    return rc;
}
