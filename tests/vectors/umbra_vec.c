/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * umbra-vec: the known-answer vector generator, and a tiny CLI over
 * libumbra for the independent Python implementation (pyumbra.py).
 *
 *   umbra-vec gen DIR            writes every vector file into DIR
 *   umbra-vec seal PKHEX...      stdin (content) -> stdout (envelope)
 *   umbra-vec open SKHEX...      stdin (envelope) -> stdout (content)
 *   umbra-vec check              stdin (envelope) -> "n=N" on stdout
 *   umbra-vec mailbox TEXT       receipt as typed -> JSON mailbox on stdout
 *   umbra-vec bundle FILE        verifies a bundle; prints org, key count,
 *                                fingerprint, then serial N and signers N
 *                                when present
 *   umbra-vec keyfile FILE PASS  decodes a key file; prints JSON keys
 *   umbra-vec alert BUNDLE FILE  verifies an alert file (alert_vec.c)
 *
 * Exit 0 on success, 1 with "umbra-vec: <error>" on stderr otherwise, 2
 * on a usage error. Every vector's randomness comes through the
 * umbra_test_set_rng() seam from a BLAKE2b counter stream and is recorded
 * in the file as "random", in the order the library drew it.
 */
#include "alert_vec.h"
#include "bundle.h"
#include "check.h"
#include "keyfile.h"
#include "receipt.h"

#include <argon2.h>
#include <jansson.h>
#include <unistd.h>

#define VEC_DATE "2026-01-15"

static char *
hexs(const uint8_t *b, size_t n)
{
    char *s = malloc(2 * n + 1);

    if (s == NULL)
        abort();
    umbra_hex(s, b, n);
    return s;
}

/* json string of hex, taking ownership of nothing */
static json_t *
jhex(const uint8_t *b, size_t n)
{
    char *s = hexs(b, n);
    json_t *j = json_string(s);

    free(s);
    return j;
}

static int
write_json(const char *dir, const char *name, json_t *root)
{
    char path[1024];
    char *s = json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    FILE *f;
    int rc = 0;

    snprintf(path, sizeof(path), "%s/%s", dir, name);
    f = fopen(path, "w");
    if (s == NULL || f == NULL || fputs(s, f) < 0 || fputc('\n', f) < 0)
        rc = -1;
    if (f != NULL && fclose(f) != 0)
        rc = -1;
    free(s);
    json_decref(root);
    if (rc != 0)
        fprintf(stderr, "umbra-vec: cannot write '%s'\n", path);
    return rc;
}

/* Fixed X25519 key pair number i: seed = BLAKE2b-256("vector key" || i). */
static void
vec_keypair(uint8_t pk[32], uint8_t sk[32], unsigned i)
{
    uint8_t in[11], seed[32];

    memcpy(in, "vector key", 10);
    in[10] = (uint8_t)i;
    crypto_generichash(seed, 32, in, 11, NULL, 0);
    crypto_box_seed_keypair(pk, sk, seed);
}

static json_t *
gen_keyid(void)
{
    json_t *cases = json_array();
    uint8_t pk[32], sk[32], id[8];
    unsigned i;

    for (i = 0; i < 4; i++) {
        vec_keypair(pk, sk, i);
        umbra_key_id(id, pk);
        json_array_append_new(cases, json_pack("{s:o, s:o}", "pk", jhex(pk, 32),
                                               "key_id", jhex(id, 8)));
    }
    return json_pack("{s:s, s:o}", "description",
                     "key_id = first 8 bytes of BLAKE2b-256(\"umbra/keyid/v1\""
                     " || pk) (protocol section 1)",
                     "cases", cases);
}

static json_t *
gen_padding(void)
{
    static const size_t us[] = {0,        1,        14,      4096,    4097,
                                16384,    16385,    65536,   65537,   67584,
                                67585,    100000,   1048576, 1048577, 5000000,
                                16777215, 16777216, 16777217};
    static const struct {
        unsigned n;
        size_t len;
    } es[] = {{1, 0},        {1, 4095},     {1, 4096},      {1, 4097},
              {3, 4000},     {16, 4096},    {16, 4097},     {1, 16383},
              {1, 16384},    {16, 16384},   {1, 16385},     {1, 65535},
              {1, 65536},    {16, 65536},   {1, 65537},     {2, 1000000},
              {1, 16777215}, {1, 16777216}, {16, 16777216}, {1, 16777217}};
    json_t *pads = json_array(), *envs = json_array();
    size_t i;

    for (i = 0; i < sizeof(us) / sizeof(us[0]); i++)
        json_array_append_new(pads, json_pack("{s:I, s:I, s:b}", "u",
                                              (json_int_t)us[i], "padded",
                                              (json_int_t)umbra_pad_size(us[i]),
                                              "u_is_valid_padded",
                                              umbra_pad_is_valid(us[i]) != 0));
    for (i = 0; i < sizeof(es) / sizeof(es[0]); i++)
        json_array_append_new(
            envs,
            json_pack("{s:i, s:I, s:I}", "n", (int)es[i].n, "content_len",
                      (json_int_t)es[i].len, "envelope_len",
                      (json_int_t)umbra_envelope_size(es[i].n, es[i].len)));
    return json_pack("{s:s, s:o, s:o}", "description",
                     "padded content size P of a content length u (0 = over "
                     "the cap; the inner header 6 + 8n comes on top), and "
                     "exact envelope lengths (0 = content too long) "
                     "(protocol section 2.1, 2.2)",
                     "padded", pads, "envelope_len", envs);
}

static json_t *
gen_envelope(unsigned n, const uint8_t *content, size_t len, const char *label,
             const char *desc)
{
    struct test_rng r;
    uint8_t pks[16 * 32], sks[16 * 32], id[8], *env = NULL;
    size_t env_len = 0;
    json_t *rec = json_array(), *root;
    unsigned i;

    for (i = 0; i < n; i++) {
        vec_keypair(pks + 32 * i, sks + 32 * i, i);
        umbra_key_id(id, pks + 32 * i);
        json_array_append_new(rec, json_pack("{s:o, s:o, s:o}", "sk",
                                             jhex(sks + 32 * i, 32), "pk",
                                             jhex(pks + 32 * i, 32), "key_id",
                                             jhex(id, 8)));
    }
    test_rng_start(&r, label);
    r.rec_cap = 56 + 32 * n;
    r.rec = malloc(r.rec_cap);
    if (umbra_envelope_seal(&env, &env_len, pks, n, content, len) != 0 ||
        r.rec_len != r.rec_cap)
        abort();
    test_rng_stop();
    root = json_pack("{s:s, s:o, s:I, s:o, s:s, s:o, s:I, s:o}", "description",
                     desc, "recipients", rec, "content_len", (json_int_t)len,
                     "content", jhex(content, len), "random_layout",
                     "file_key (32) || ss_header (24) || for each recipient "
                     "in order: eseed (32)",
                     "random", jhex(r.rec, r.rec_len), "envelope_len",
                     (json_int_t)env_len, "envelope", jhex(env, env_len));
    free(r.rec);
    free(env);
    return root;
}

/* Organisation keys from the rng seam, with fixed dates. */
static struct umbra_org_keys *
vec_org(const char *label, unsigned nkeys)
{
    struct test_rng r;
    struct umbra_org_keys *k = NULL;
    unsigned i;

    test_rng_start(&r, label);
    if (umbra_org_keys_new(&k, "demo") != 0)
        abort();
    for (i = 1; i < nkeys; i++)
        if (umbra_org_keys_add(k) != 0)
            abort();
    test_rng_stop();
    memcpy(k->created, VEC_DATE, 11);
    for (i = 0; i < k->nkeys; i++)
        memcpy(k->enc[i].created, VEC_DATE, 11);
    k->enc[k->nkeys - 1].created[9] = '6'; /* the newest key: a day later */
    return k;
}

static json_t *
org_json(const struct umbra_org_keys *k)
{
    json_t *x = json_array();
    unsigned i;

    for (i = 0; i < k->nkeys; i++)
        json_array_append_new(
            x, json_pack("{s:o, s:o, s:o, s:s}", "sk", jhex(k->enc_sk[i], 32),
                         "pk", jhex(k->enc[i].pk, 32), "key_id",
                         jhex(k->enc[i].id, 8), "created", k->enc[i].created));
    return json_pack("{s:s, s:s, s:o, s:o, s:o, s:o}", "slug", k->slug,
                     "created", k->created, "store_key", jhex(k->store_key, 32),
                     "sign_seed", jhex(k->sign_sk, 32), "sign_pk",
                     jhex(k->sign_pk, 32), "x25519", x);
}

static json_t *
gen_keyfile(uint32_t p, const char *desc)
{
    static const char pass[] = "correct horse battery staple";
    struct umbra_kdf_params pp = {8192, 1, p};
    struct umbra_org_keys *k = vec_org("keyfile org", 2);
    struct test_rng r;
    uint8_t *buf = NULL, key[32];
    size_t len = 0;
    json_t *root;

    test_rng_start(&r, p == 1 ? "keyfile" : "keyfile p2");
    r.rec_cap = 40;
    r.rec = malloc(r.rec_cap);
    if (umbra_keyfile_encode(&buf, &len, k, pass, sizeof(pass) - 1, &pp) != 0)
        abort();
    test_rng_stop();
    if (argon2id_hash_raw(pp.t, pp.m_kib, pp.p, pass, sizeof(pass) - 1,
                          buf + 24, 16, key, 32) != ARGON2_OK)
        abort();
    root = json_pack(
        "{s:s, s:s, s:{s:i, s:i, s:i}, s:o, s:s, s:o, s:o, s:I, s:o}",
        "description", desc, "passphrase", pass, "params", "m_kib",
        (int)pp.m_kib, "t", (int)pp.t, "p", (int)pp.p, "keys", org_json(k),
        "random_layout", "salt (16) || nonce (24)", "random",
        jhex(r.rec, r.rec_len), "argon2id_key", jhex(key, 32), "keyfile_len",
        (json_int_t)len, "keyfile", jhex(buf, len));
    free(r.rec);
    free(buf);
    umbra_org_keys_free(k);
    return root;
}

/*
 * What a bundle vector shows of json, k's exported bundle: the text its
 * signature covers (text, UMBRA_SIGNED_TEXT_MAX bytes; its length in
 * *tlen) and k's fingerprint; returns json parsed (json_decref it).
 */
static json_t *
bundle_signed(char *text, size_t *tlen, char fp[36],
              const struct umbra_org_keys *k, const char *json)
{
    struct umbra_bundle b;
    json_t *parsed;

    if (json == NULL || umbra_bundle_parse(&b, json, strlen(json)) != 0)
        abort();
    *tlen = umbra_bundle_signed_text(text, UMBRA_SIGNED_TEXT_MAX, &b);
    umbra_fingerprint(fp, k->sign_pk);
    parsed = json_loads(json, 0, NULL);
    if (parsed == NULL)
        abort();
    return parsed;
}

static json_t *
gen_bundle(void)
{
    struct umbra_org_keys *k = vec_org("bundle org", 3);
    char *json = NULL, text[UMBRA_SIGNED_TEXT_MAX], fp[36];
    json_t *root, *parsed;
    size_t tlen;

    if (umbra_bundle_export(&json, k) != 0)
        abort();
    parsed = bundle_signed(text, &tlen, fp, k, json);
    root = json_pack("{s:s, s:o, s:s%, s:O, s:s, s:s}", "description",
                     "a public key bundle with three keys; signed_text is "
                     "what the Ed25519 signature covers (protocol section 3)",
                     "keys", org_json(k), "signed_text", text, tlen,
                     "signature", json_object_get(parsed, "signature"),
                     "fingerprint", fp, "bundle", json);
    json_decref(parsed);
    free(json);
    umbra_org_keys_free(k);
    return root;
}

/* bundle json with "serial" set to the JSON text v, or removed if NULL */
static json_t *
serial_case(const char *json, const char *v, const char *what,
            const char *error)
{
    json_t *root = json_loads(json, 0, NULL);
    char *s;
    json_t *c;

    if (root == NULL)
        abort();
    if (v == NULL)
        json_object_del(root, "serial");
    else
        json_object_set_new(root, "serial",
                            json_loads(v, JSON_DECODE_ANY, NULL));
    s = json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    c = json_pack("{s:s, s:s, s:s}", "what", what, "bundle", s, "error", error);
    free(s);
    json_decref(root);
    return c;
}

static json_t *
gen_bundle_serial(void)
{
    struct umbra_org_keys *k = vec_org("bundle org", 3);
    char *json = NULL, *older = NULL, text[UMBRA_SIGNED_TEXT_MAX], fp[36];
    json_t *root, *parsed, *bad = json_array();
    size_t tlen;

    /* serial 7 lists two keys; the older serial 6 still listed the third */
    if (umbra_bundle_export_serial(&json, k, k->enc, 2, 7) != 0 ||
        umbra_bundle_export_serial(&older, k, k->enc, 3, 6) != 0)
        abort();
    parsed = bundle_signed(text, &tlen, fp, k, json);
    json_array_append_new(
        bad, serial_case(json, "8", "serial changed to 8", "signature"));
    json_array_append_new(
        bad, serial_case(json, NULL, "serial removed", "signature"));
    json_array_append_new(bad, serial_case(json, "0",
                                           "serial 0 (absent is "
                                           "the only spelling of 0)",
                                           "format"));
    json_array_append_new(bad, serial_case(json, "-7", "negative", "format"));
    json_array_append_new(bad,
                          serial_case(json, "\"7\"", "a string", "format"));
    json_array_append_new(bad,
                          serial_case(json, "9007199254740992",
                                      "2^53, above the largest", "format"));
    root = json_pack(
        "{s:s, s:o, s:I, s:s%, s:O, s:s, s:s, s:{s:I, s:s}, s:o}",
        "description",
        "a public key bundle with serial 7 listing two of the three keys "
        "(protocol section 3): the serial is signed as the line 'serial 7' "
        "after created; 'older' is the same organisation's serial-6 bundle, "
        "still listing the third key, which verifies but must never replace "
        "serial 7; every 'invalid' bundle is refused with its error",
        "keys", org_json(k), "serial", (json_int_t)7, "signed_text", text, tlen,
        "signature", json_object_get(parsed, "signature"), "fingerprint", fp,
        "bundle", json, "older", "serial", (json_int_t)6, "bundle", older,
        "invalid", bad);
    json_decref(parsed);
    free(json);
    free(older);
    umbra_org_keys_free(k);
    return root;
}

/* bundle json with signer idx's member (-1: the top "signers") set to
 * the JSON text v, or removed if NULL */
static json_t *
signer_case(const char *json, int idx, const char *member, const char *v,
            const char *what, const char *error)
{
    json_t *root = json_loads(json, 0, NULL), *obj, *c;
    char *s;

    if (root == NULL)
        abort();
    obj = idx < 0 ? root
                  : json_array_get(json_object_get(root, "signers"),
                                   (size_t)idx);
    if (v == NULL)
        json_object_del(obj, member);
    else
        json_object_set_new(obj, member, json_loads(v, JSON_DECODE_ANY, NULL));
    s = json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    c = json_pack("{s:s, s:s, s:s}", "what", what, "bundle", s, "error", error);
    free(s);
    json_decref(root);
    return c;
}

/* what umbra_bundle_signer answers for pk and may: the name or null */
static json_t *
signer_query(const struct umbra_bundle *b, const uint8_t pk[32],
             unsigned may)
{
    const struct umbra_signer *g = umbra_bundle_signer(b, pk, may);
    char pkb[45];
    json_t *m = json_array();

    if (may & UMBRA_MAY_EVENTS)
        json_array_append_new(m, json_string("events"));
    if (may & UMBRA_MAY_ALERTS)
        json_array_append_new(m, json_string("alerts"));
    umbra_b64(pkb, sizeof(pkb), pk, 32);
    return json_pack("{s:s, s:o, s:o}", "signing_key", pkb, "may", m,
                     "signer", g != NULL ? json_string(g->name) : json_null());
}

static json_t *
gen_bundle_signers(void)
{
    struct umbra_org_keys *k = vec_org("signers org", 1);
    struct umbra_org_keys *ana = vec_org("signer ana", 1);
    struct umbra_org_keys *ben = vec_org("signer ben", 1);
    struct umbra_enc_key keys[3];
    struct umbra_signer sg[3];
    struct umbra_bundle b;
    char *json = NULL, text[UMBRA_SIGNED_TEXT_MAX], fp[36], pkb[45];
    uint8_t nobody[32];
    json_t *root, *parsed, *bad = json_array(), *q = json_array();
    json_t *members = json_array();
    size_t tlen;
    unsigned i;
    static const char *const names[3] = {"Org desk", "Ana Mar\xc3\xad" "a",
                                         "Ben"};

    keys[0] = k->enc[0];
    keys[1] = ana->enc[0];
    keys[2] = ben->enc[0];
    memset(sg, 0, sizeof(sg));
    for (i = 0; i < 3; i++)
        snprintf(sg[i].name, sizeof(sg[i].name), "%s", names[i]);
    memcpy(sg[0].sign_pk, k->sign_pk, 32);
    memcpy(sg[1].sign_pk, ana->sign_pk, 32);
    memcpy(sg[2].sign_pk, ben->sign_pk, 32);
    sg[0].has_key = sg[1].has_key = 1;
    memcpy(sg[0].key_id, k->enc[0].id, 8);
    memcpy(sg[1].key_id, ana->enc[0].id, 8);
    sg[0].may = UMBRA_MAY_EVENTS;
    sg[1].may = UMBRA_MAY_EVENTS | UMBRA_MAY_ALERTS;
    sg[2].may = UMBRA_MAY_ALERTS;
    if (umbra_bundle_export_full(&json, k, keys, 3, 3, sg, 3) != 0 ||
        umbra_bundle_parse(&b, json, strlen(json)) != 0)
        abort();
    parsed = bundle_signed(text, &tlen, fp, k, json);
    for (i = 1; i < 3; i++) {
        const struct umbra_org_keys *m = i == 1 ? ana : ben;
        json_array_append_new(
            members, json_pack("{s:s, s:o, s:o}", "name", names[i],
                               "sign_seed", jhex(m->sign_sk, 32), "sign_pk",
                               jhex(m->sign_pk, 32)));
    }
    json_array_append_new(q, signer_query(&b, ana->sign_pk, UMBRA_MAY_EVENTS));
    json_array_append_new(
        q, signer_query(&b, ana->sign_pk, UMBRA_MAY_EVENTS | UMBRA_MAY_ALERTS));
    json_array_append_new(q, signer_query(&b, ben->sign_pk, UMBRA_MAY_EVENTS));
    json_array_append_new(q, signer_query(&b, ben->sign_pk, UMBRA_MAY_ALERTS));
    json_array_append_new(q, signer_query(&b, k->sign_pk, UMBRA_MAY_ALERTS));
    memset(nobody, 0x42, 32);
    json_array_append_new(q, signer_query(&b, nobody, UMBRA_MAY_EVENTS));
    json_array_append_new(bad, signer_case(json, 1, "name", "\"Ana\"",
                                           "a name changed", "signature"));
    json_array_append_new(bad, signer_case(json, 2, "may", "[\"events\"]",
                                           "a may changed", "signature"));
    json_array_append_new(bad, signer_case(json, -1, "signers", NULL,
                                           "the signers removed", "signature"));
    json_array_append_new(
        bad, signer_case(json, -1, "signers", "[]",
                         "signers [] (absence is the only spelling)", "format"));
    json_array_append_new(
        bad, signer_case(json, 1, "may", "[\"alerts\", \"events\"]",
                         "may out of order", "format"));
    json_array_append_new(bad, signer_case(json, 1, "may", "[\"stats\"]",
                                           "may an unknown right", "format"));
    json_array_append_new(bad, signer_case(json, 1, "may", "[]",
                                           "may empty", "format"));
    json_array_append_new(
        bad, signer_case(json, 2, "key", "\"0000000000000000\"",
                         "key not the id of one of the keys", "format"));
    json_array_append_new(bad, signer_case(json, 2, "name", "\"Ben\\u0007\"",
                                           "a control character in a name",
                                           "format"));
    json_array_append_new(
        bad, signer_case(json, 2, "name",
                         "\"1234567890123456789012345678901234567890123456789"
                         "0123456789012345\"",
                         "a 65-byte name", "format"));
    umbra_b64(pkb, sizeof(pkb), ana->sign_pk, 32);
    {
        char v[48];
        snprintf(v, sizeof(v), "\"%s\"", pkb);
        json_array_append_new(bad, signer_case(json, 2, "signing_key", v,
                                               "two signers alike", "format"));
    }
    root = json_pack(
        "{s:s, s:o, s:o, s:I, s:s%, s:O, s:s, s:s, s:o, s:o}", "description",
        "a public key bundle (serial 3) naming three signers (protocol section "
        "3, signers): the key holder as 'Org desk' (events; it may sign both "
        "anyway), Ana (events and alerts, her own X25519 key) and Ben (alerts, "
        "no key); each is signed as a line 'signer <signing_key> <key id or "
        "-> <may> <name>' after the key lines; 'queries' are what "
        "umbra_bundle_signer answers (the signer's name, or null); every "
        "'invalid' bundle is refused with its error",
        "keys", org_json(k), "members", members, "serial", (json_int_t)3,
        "signed_text", text, tlen, "signature",
        json_object_get(parsed, "signature"), "fingerprint", fp, "bundle",
        json, "queries", q, "invalid", bad);
    json_decref(parsed);
    free(json);
    umbra_org_keys_free(k);
    umbra_org_keys_free(ana);
    umbra_org_keys_free(ben);
    return root;
}

static json_t *
gen_fingerprint(void)
{
    json_t *cases = json_array();
    uint8_t pk[32];
    char fp[36];
    unsigned i;

    for (i = 0; i < 4; i++) {
        crypto_generichash(pk, 32, (const uint8_t *)&"abcd"[i], 1, NULL, 0);
        if (i == 0)
            memset(pk, 0, 32);
        umbra_fingerprint(fp, pk);
        json_array_append_new(cases,
                              json_pack("{s:o, s:s}", "signing_pk",
                                        jhex(pk, 32), "fingerprint", fp));
    }
    return json_pack("{s:s, s:o}", "description",
                     "fingerprint of an Ed25519 signing key (protocol "
                     "section 3.1)",
                     "cases", cases);
}

static json_t *
mailbox_json(const char *digits)
{
    static const char salt[] = "umbra.receipt.v1";
    struct umbra_mailbox *mb = umbra_secret_alloc(sizeof(*mb));
    uint8_t out[64];
    json_t *j;

    if (mb == NULL || umbra_mailbox_derive(mb, digits) != 0 ||
        crypto_pwhash(out, 64, digits, 24, (const uint8_t *)salt, 2, 19922944,
                      crypto_pwhash_ALG_ARGON2ID13) != 0)
        abort();
    j = json_pack("{s:o, s:o, s:o, s:o, s:o}", "argon2id_out", jhex(out, 64),
                  "mailbox_pk", jhex(mb->pk, 32), "mailbox_sk",
                  jhex(mb->sk, 32), "lookup_id", jhex(mb->lookup_id, 32),
                  "mailbox_id", jhex(mb->mailbox_id, 32));
    umbra_secret_free(mb);
    return j;
}

static json_t *
gen_receipt(void)
{
    json_t *cases = json_array();
    unsigned i;

    for (i = 0; i < 2; i++) {
        struct test_rng r;
        char rec[30], digits[25], label[16];

        snprintf(label, sizeof(label), "receipt %u", i);
        test_rng_start(&r, label);
        r.rec_cap = 256;
        r.rec = malloc(r.rec_cap);
        umbra_receipt_new(rec);
        test_rng_stop();
        if (umbra_receipt_normalise(digits, rec, strlen(rec)) != 0)
            abort();
        json_array_append_new(
            cases, json_pack("{s:o, s:s, s:s, s:o}", "random",
                             jhex(r.rec, r.rec_len), "receipt", rec, "digits",
                             digits, "mailbox", mailbox_json(digits)));
        free(r.rec);
    }
    return json_pack(
        "{s:s, s:{s:s, s:i, s:i, s:i, s:i}, s:o}", "description",
        "receipts from fixed randomness (one byte per digit draw, bytes >= "
        "250 rejected) and the mailbox derived from them (protocol "
        "section 5)",
        "derivation", "salt", "umbra.receipt.v1", "t", 2, "m_kib", 19456, "p",
        1, "out_bytes", 64, "cases", cases);
}

/* Follow-up proofs (protocol section 6.1): a mailbox from a receipt, an
 * organisation key pair, a narrative; the proof both sides compute. */
static json_t *
gen_followup(void)
{
    static const char *const narratives[] = {
        "He came back last night.",
        "\xe0\xb8\x97\xe0\xb8\x94\xe0\xb8\xaa\xe0\xb8\xad\xe0\xb8\x9a "
        "\xe2\x80\x94 \"quoted\"\n2nd line",
        "",
    };
    static const char digits[] = "477351018258137688884098";
    struct umbra_mailbox *mb = umbra_secret_alloc(sizeof(*mb));
    json_t *cases = json_array();
    unsigned i;

    if (mb == NULL || umbra_mailbox_derive(mb, digits) != 0)
        abort();
    for (i = 0; i < 3; i++) {
        uint8_t pk[32], sk[32], h[64], proof[32], other[32];
        const char *t = narratives[i];

        vec_keypair(pk, sk, 20 + i % 2);
        crypto_hash_sha512(h, (const uint8_t *)t, strlen(t));
        if (umbra_followup_proof(proof, pk, mb->sk, mb->mailbox_id,
                                 (const uint8_t *)t, strlen(t)) != 0 ||
            umbra_followup_proof(other, mb->pk, sk, mb->mailbox_id,
                                 (const uint8_t *)t, strlen(t)) != 0 ||
            memcmp(proof, other, 32) != 0)
            abort();
        json_array_append_new(
            cases,
            json_pack("{s:s, s:o, s:o, s:o, s:o, s:o, s:s, s:o, s:o, s:s}",
                      "digits", digits, "mailbox_pk", jhex(mb->pk, 32),
                      "mailbox_sk", jhex(mb->sk, 32), "mailbox_id",
                      jhex(mb->mailbox_id, 32), "org_pk", jhex(pk, 32),
                      "org_sk", jhex(sk, 32), "narrative", t,
                      "narrative_sha512", jhex(h, 64), "proof",
                      jhex(proof, 32), "proof_b64", ""));
        {
            char b64[sodium_base64_ENCODED_LEN(32,
                                               sodium_base64_VARIANT_ORIGINAL)];
            sodium_bin2base64(b64, sizeof b64, proof, 32,
                              sodium_base64_VARIANT_ORIGINAL);
            json_object_set_new(json_array_get(cases, i), "proof_b64",
                                json_string(b64));
        }
    }
    umbra_secret_free(mb);
    return json_pack(
        "{s:s, s:s, s:o}", "description",
        "follow-up proofs (protocol section 6.1): proof = BLAKE2b-256(key = "
        "crypto_box_beforenm(org_pk, mailbox_sk) = crypto_box_beforenm("
        "mailbox_pk, org_sk), \"umbra/follow-up/v1\" || mailbox_id || "
        "SHA-512(narrative as UTF-8)); the document carries proof_b64 as "
        "follow_up.proof",
        "label", "umbra/follow-up/v1", "cases", cases);
}

static const char *
err_name(int rc)
{
    switch (rc) {
    case 0:
        return NULL;
    case UMBRA_ERR_TOO_LONG:
        return "too_long";
    case UMBRA_ERR_CHECKSUM:
        return "checksum";
    default:
        return "format";
    }
}

static json_t *
gen_normalise(void)
{
    static const char *const inputs[] = {
        "0261 7012 1761 7369 7158 8015",
        "026170121761736971588015",
        "0261-7012-1761-7369-7158-8015",
        "\t0261.7012.1761.7369.7158.8015 ",
        /* Arabic-Indic, Persian with no-break spaces, Devanagari, Thai */
        "\xd9\xa0\xd9\xa2\xd9\xa6\xd9\xa1 \xd9\xa7\xd9\xa0\xd9\xa1\xd9\xa2 "
        "1761 7369 7158 8015",
        "\xdb\xb0\xdb\xb2\xdb\xb6\xdb\xb1\xc2\xa0"
        "7012\xc2\xa0"
        "1761 7369 "
        "7158 8015",
        "\xe0\xa5\xa6\xe0\xa5\xa8\xe0\xa5\xac\xe0\xa5\xa7 7012 1761 7369 7158 "
        "8015",
        "\xe0\xb9\x90\xe0\xb9\x92\xe0\xb9\x96\xe0\xb9\x91\xe2\x80\x93"
        "7012\xe2\x80\x93"
        "1761 7369 7158 8015",
        /* full-width digits and ideographic space, full-width hyphen */
        "\xef\xbc\x90\xef\xbc\x92\xef\xbc\x96\xef\xbc\x91\xe3\x80\x80"
        "7012\xef\xbc\x8d"
        "1761 7369 7158 8015",
        "0261 7012 1761 7369 7158 801",
        "0261 7012 1761 7369 7158 80150",
        "0261 7012 1761 7369 7158 8016",
        "0261 7012 1761 7369 7158 8051",
        "0261 7012 1761 7369 7158 80l5",
        "0261 7012 1761 7369 7158 801\xc3",
        "0261 7012 1761 7369 7158 801\xc0\xb5",
        "0261 7012 1761 7369 7158 801\xed\xa0\x80",
        "0261 7012 1761 7369 7158 801\xc2\xb2",
        "",
    };
    json_t *cases = json_array();
    char buf[300], out[25];
    size_t i;

    for (i = 0; i < sizeof(inputs) / sizeof(inputs[0]) + 2; i++) {
        const char *in;
        size_t len;
        int rc;
        json_t *c;

        if (i < sizeof(inputs) / sizeof(inputs[0])) {
            in = inputs[i];
            len = strlen(in);
        } else { /* 256 and 257 bytes: digits then spaces */
            len = i == sizeof(inputs) / sizeof(inputs[0]) ? 256 : 257;
            memset(buf, ' ', len);
            memcpy(buf, "026170121761736971588015", 24);
            in = buf;
        }
        rc = umbra_receipt_normalise(out, in, len);
        c = json_pack("{s:o}", "input_hex", jhex((const uint8_t *)in, len));
        if (rc == 0)
            json_object_set_new(c, "digits", json_string(out));
        else
            json_object_set_new(c, "error", json_string(err_name(rc)));
        json_array_append_new(cases, c);
    }
    return json_pack("{s:s, s:o}", "description",
                     "what a person types, as UTF-8 bytes in hex, and the 24 "
                     "digits it normalises to or the error (protocol section "
                     "5.2)",
                     "cases", cases);
}

static int
gen(const char *dir)
{
    uint8_t small[200], *big;
    size_t i;
    int rc = 0;
    const char doc[] = "{\"schema\":\"umbra.report/1\",\"lang\":\"th\","
                       "\"narrative\":\"\xe0\xb8\x97\xe0\xb8\x94\xe0\xb8\xaa"
                       "\xe0\xb8\xad\xe0\xb8\x9a\"}";

    memcpy(small, doc, sizeof(doc) - 1);
    big = malloc(70000);
    if (big == NULL)
        abort();
    for (i = 0; i < 70000; i++)
        big[i] = (uint8_t)(i * 7 % 251);
    rc |= write_json(dir, "keyid.json", gen_keyid());
    rc |= write_json(dir, "padding.json", gen_padding());
    rc |= write_json(
        dir, "envelope-1.json",
        gen_envelope(
            1, small, sizeof(doc) - 1, "envelope 1",
            "a small report document sealed to one recipient "
            "(4096-byte bucket, inner plaintext 4110 bytes, one chunk)"));
    rc |= write_json(
        dir, "envelope-3.json",
        gen_envelope(
            3, big, 70000, "envelope 3",
            "70,000 bytes (byte i = i * 7 mod 251) sealed to three "
            "recipients: Padme size 71680, inner plaintext 71710 bytes, "
            "two chunks"));
    rc |= write_json(dir, "keyfile.json",
                     gen_keyfile(1, "a key file with two X25519 keys, "
                                    "small Argon2id parameters, p = 1"));
    rc |= write_json(dir, "keyfile-p2.json",
                     gen_keyfile(2, "the same keys with p = 2 lanes (libargon2"
                                    "; libsodium cannot compute p > 1)"));
    rc |= write_json(dir, "bundle.json", gen_bundle());
    rc |= write_json(dir, "bundle-serial.json", gen_bundle_serial());
    rc |= write_json(dir, "bundle-signers.json", gen_bundle_signers());
    rc |= write_json(dir, "fingerprint.json", gen_fingerprint());
    rc |= write_json(dir, "receipt.json", gen_receipt());
    rc |= write_json(dir, "normalise.json", gen_normalise());
    rc |= write_json(dir, "followup.json", gen_followup());
    rc |= write_json(dir, "alert.json", gen_alert());
    free(big);
    return rc == 0 ? 0 : 1;
}

/* ---- CLI for the interop tests ---------------------------------------- */

static uint8_t *
read_stdin(size_t *len)
{
    size_t cap = 1 << 16;
    uint8_t *buf = malloc(cap);

    *len = 0;
    for (;;) {
        ssize_t r;
        if (buf == NULL)
            abort();
        if (*len == cap) {
            uint8_t *bigger = realloc(buf, cap * 2);
            if (bigger == NULL)
                abort();
            buf = bigger;
            cap *= 2;
            continue;
        }
        r = read(0, buf + *len, cap - *len);
        if (r <= 0)
            break;
        *len += (size_t)r;
    }
    return buf;
}

static int
fail(int rc)
{
    fprintf(stderr, "umbra-vec: %s\n", umbra_strerror(rc));
    return 1;
}

static int
parse_keys(uint8_t *out, int argc, char **argv)
{
    int i;

    for (i = 0; i < argc; i++)
        if (umbra_unhex(out + 32 * i, 32, argv[i], strlen(argv[i])) != 0)
            return -1;
    return 0;
}

int
main(int argc, char **argv)
{
    uint8_t keys[16 * 32], pks[16 * 32], *in, *out = NULL;
    size_t len, out_len = 0;
    int rc, i;

    if (umbra_secure_init() != 0)
        return 1;
    if (argc == 4 && strcmp(argv[1], "alert") == 0)
        return alert_cli(argv[2], argv[3]);
    if (argc == 3 && strcmp(argv[1], "gen") == 0)
        return gen(argv[2]);
    if (argc >= 3 && argc <= 18 &&
        (strcmp(argv[1], "seal") == 0 || strcmp(argv[1], "open") == 0)) {
        if (parse_keys(keys, argc - 2, argv + 2) != 0)
            return 2;
        in = read_stdin(&len);
        if (argv[1][0] == 's') {
            rc = umbra_envelope_seal(&out, &out_len, keys, (unsigned)(argc - 2),
                                     in, len);
        } else {
            for (i = 0; i < argc - 2; i++)
                crypto_scalarmult_base(pks + 32 * i, keys + 32 * i);
            rc = umbra_envelope_open(&out, &out_len, NULL, keys, pks,
                                     (unsigned)(argc - 2), in, len);
        }
        free(in);
        if (rc != 0)
            return fail(rc);
        fwrite(out, 1, out_len, stdout);
        if (argv[1][0] == 's')
            free(out);
        else
            umbra_secret_free(out);
        return 0;
    }
    if (argc == 2 && strcmp(argv[1], "check") == 0) {
        unsigned n = 0;
        in = read_stdin(&len);
        rc = umbra_envelope_check(&n, NULL, in, len);
        free(in);
        if (rc != 0)
            return fail(rc);
        printf("n=%u\n", n);
        return 0;
    }
    if (argc == 3 && strcmp(argv[1], "mailbox") == 0) {
        char digits[25];
        char *s;
        json_t *j;
        rc = umbra_receipt_normalise(digits, argv[2], strlen(argv[2]));
        if (rc != 0)
            return fail(rc);
        j = mailbox_json(digits);
        json_object_set_new(j, "digits", json_string(digits));
        s = json_dumps(j, JSON_PRESERVE_ORDER);
        puts(s);
        free(s);
        json_decref(j);
        return 0;
    }
    if (argc == 3 && strcmp(argv[1], "bundle") == 0) {
        struct umbra_bundle b;
        char fp[36];
        FILE *f = fopen(argv[2], "rb");
        char *buf = malloc(UMBRA_BUNDLE_MAX_BYTES + 2);
        if (f == NULL || buf == NULL)
            return fail(UMBRA_ERR_IO);
        len = fread(buf, 1, UMBRA_BUNDLE_MAX_BYTES + 1, f);
        fclose(f);
        rc = umbra_bundle_parse(&b, buf, len);
        free(buf);
        if (rc != 0)
            return fail(rc);
        umbra_fingerprint(fp, b.sign_pk);
        printf("%s %u %s", b.org, b.nkeys, fp);
        if (b.serial > 0)
            printf(" serial %llu", (unsigned long long)b.serial);
        if (b.nsigners > 0)
            printf(" signers %u", b.nsigners);
        putchar('\n');
        return 0;
    }
    if (argc == 4 && strcmp(argv[1], "keyfile") == 0) {
        struct umbra_org_keys *k = NULL;
        char *s;
        json_t *j;
        rc = umbra_keyfile_read(&k, argv[2], argv[3], strlen(argv[3]));
        if (rc != 0)
            return fail(rc);
        j = org_json(k);
        s = json_dumps(j, JSON_PRESERVE_ORDER);
        puts(s);
        free(s);
        json_decref(j);
        umbra_org_keys_free(k);
        return 0;
    }
    fputs("usage: umbra-vec gen DIR | seal PKHEX... | open SKHEX... | check"
          " | mailbox TEXT | bundle FILE | keyfile FILE PASSPHRASE\n",
          stderr);
    return 2;
}
