/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * Unit tests for the member file (protocol section 9, member.c): the
 * signed text and the exported JSON byte for byte from fixed keys, the
 * round trip, every refusal with its error code (size, not a member file,
 * each malformed field, a wrong key id, a changed or foreign signature),
 * the name rule, and export refusing fields a member file may not hold.
 */
#include "check.h"
#include "member.h"

#include <jansson.h>

/* A member with fixed keys: X25519 from scalar 1..32, Ed25519 from seed
 * 0x42 * 32; sk receives the signing key. */
static void
fixed_member(struct umbra_member *m, uint8_t sk[64], const char *name)
{
    uint8_t scalar[32], seed[32];
    unsigned i;

    memset(m, 0, sizeof(*m));
    for (i = 0; i < 32; i++)
        scalar[i] = (uint8_t)(i + 1);
    memset(seed, 0x42, sizeof(seed));
    (void)crypto_scalarmult_base(m->pk, scalar);
    umbra_key_id(m->id, m->pk);
    (void)crypto_sign_seed_keypair(m->sign_pk, sk, seed);
    snprintf(m->org, sizeof(m->org), "demo");
    snprintf(m->name, sizeof(m->name), "%s", name);
    snprintf(m->created, sizeof(m->created), "2026-11-29");
}

/* json with member key set to the JSON string v (v NULL: removed);
 * malloc'd. */
static char *
with_field(const char *json, const char *key, const char *v)
{
    json_error_t err;
    json_t *root = json_loads(json, 0, &err);
    char *out;

    if (root == NULL)
        return NULL;
    if (v == NULL)
        json_object_del(root, key);
    else
        json_object_set_new(root, key, json_string(v));
    out = json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    json_decref(root);
    return out;
}

/* m's signing key and X25519 key in base64, its key id in hex. */
static void
member_texts(const struct umbra_member *m, char spk[64], char pk[64],
             char id[17])
{
    sodium_bin2base64(spk, 64, m->sign_pk, 32,
                      sodium_base64_VARIANT_ORIGINAL);
    sodium_bin2base64(pk, 64, m->pk, 32, sodium_base64_VARIANT_ORIGINAL);
    umbra_hex(id, m->id, 8);
}

static void
test_signed_text(void)
{
    struct umbra_member m;
    uint8_t sk[64];
    char text[UMBRA_MEMBER_TEXT_MAX], want[UMBRA_MEMBER_TEXT_MAX];
    char spk[64], pk[64], id[17];
    size_t n;

    fixed_member(&m, sk, "Ana");
    member_texts(&m, spk, pk, id);
    snprintf(want, sizeof(want),
             "umbra.member/1\norg demo\nname Ana\ncreated 2026-11-29\n"
             "signing_key %s\nkey %s %s 2026-11-29\n",
             spk, id, pk);
    n = umbra_member_signed_text(text, sizeof(text), &m);
    CHECK(n == strlen(want) && memcmp(text, want, n) == 0,
          "signed text is section 9's six lines: got '%s'", text);
    CHECK(umbra_member_signed_text(text, 20, &m) == 0,
          "signed text that does not fit gives 0");
}

static void
test_export_round_trip(void)
{
    struct umbra_member m, got;
    uint8_t sk[64], sig[64];
    char *json = NULL, text[UMBRA_MEMBER_TEXT_MAX], sig64[100];
    char spk[64], pk[64], id[17], want[2048];
    size_t tlen;

    fixed_member(&m, sk, "Ana \xc3\xa9");
    CHECK(umbra_member_export(&json, &m, sk) == 0 && json != NULL,
          "export succeeds");
    if (json == NULL)
        return;
    /* the exact bytes: member order, two-space indent, Ed25519 is
     * deterministic so the signature is too */
    tlen = umbra_member_signed_text(text, sizeof(text), &m);
    (void)crypto_sign_detached(sig, NULL, (const uint8_t *)text, tlen, sk);
    sodium_bin2base64(sig64, sizeof(sig64), sig, 64,
                      sodium_base64_VARIANT_ORIGINAL);
    member_texts(&m, spk, pk, id);
    snprintf(want, sizeof(want),
             "{\n  \"format\": \"umbra.member/1\",\n  \"org\": \"demo\",\n"
             "  \"name\": \"Ana \xc3\xa9\",\n  \"created\": \"2026-11-29\",\n"
             "  \"id\": \"%s\",\n  \"x25519\": \"%s\",\n"
             "  \"signing_key\": \"%s\",\n  \"signature\": \"%s\"\n}",
             id, pk, spk, sig64);
    CHECK(strcmp(json, want) == 0, "exported bytes: got\n%s\nwant\n%s",
          json, want);
    CHECK(umbra_member_parse(&got, json, strlen(json)) == 0,
          "its own export parses");
    CHECK(memcmp(&got, &m, sizeof(m)) == 0, "parse gives back every field");
    free(json);
}

struct refusal {
    const char *key, *value; /* value NULL: member removed */
    int want;
    const char *what;
};

static void
test_refusals(void)
{
    static const char b64_0[] = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=";
    static const char b64_nc[] = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAB=";
    static const char name65[] = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
                                 "aaaaaaaaaaaaaaaaaaaaa";
    const struct refusal cases[] = {
        {"format", "umbra.keys/1", UMBRA_ERR_VERSION, "a bundle's format"},
        {"format", NULL, UMBRA_ERR_VERSION, "no format"},
        {"org", "Demo", UMBRA_ERR_FORMAT, "org not a slug"},
        {"org", NULL, UMBRA_ERR_FORMAT, "no org"},
        {"name", "", UMBRA_ERR_FORMAT, "empty name"},
        {"name", name65, UMBRA_ERR_FORMAT, "65-byte name"},
        {"name", "a\nb", UMBRA_ERR_FORMAT, "newline in name"},
        {"name", "a\x7f", UMBRA_ERR_FORMAT, "DEL in name"},
        {"name", "Bea", UMBRA_ERR_SIGNATURE, "name changed after signing"},
        {"created", "2026-02-30", UMBRA_ERR_FORMAT, "no such date"},
        {"created", "2026-11-28", UMBRA_ERR_SIGNATURE, "date changed"},
        {"x25519", b64_nc, UMBRA_ERR_FORMAT, "non-canonical base64"},
        {"x25519", "AAAA", UMBRA_ERR_FORMAT, "x25519 too short"},
        {"x25519", b64_0, UMBRA_ERR_CHECKSUM, "another key, same id"},
        {"id", "0000000000000000", UMBRA_ERR_CHECKSUM, "id not the key's"},
        {"id", NULL, UMBRA_ERR_CHECKSUM, "no id"},
        {"signing_key", b64_0, UMBRA_ERR_SIGNATURE, "another signing key"},
        {"signing_key", "AAAA", UMBRA_ERR_FORMAT, "signing key too short"},
        {"signature", b64_0, UMBRA_ERR_FORMAT, "signature of 32 bytes"},
        {"signature", NULL, UMBRA_ERR_FORMAT, "no signature"},
        {"comment", "hello", 0, "unknown member ignored"},
    };
    struct umbra_member m, got;
    uint8_t sk[64];
    char *json = NULL, *bad, big[UMBRA_MEMBER_MAX_BYTES + 2];
    size_t i, len;
    int err;

    fixed_member(&m, sk, "Ana");
    if (umbra_member_export(&json, &m, sk) != 0)
        return;
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        bad = with_field(json, cases[i].key, cases[i].value);
        memset(&got, 0xAA, sizeof(got));
        err = bad != NULL ? umbra_member_parse(&got, bad, strlen(bad)) : 1;
        CHECK(err == cases[i].want, "%s: got %d, want %d", cases[i].what,
              err, cases[i].want);
        if (cases[i].want != 0)
            CHECK(got.org[0] == 0 && got.name[0] == 0 && got.pk[0] == 0,
                  "%s: nothing left in *m", cases[i].what);
        free(bad);
    }
    /* not a member file at all */
    CHECK(umbra_member_parse(&got, "[1]", 3) == UMBRA_ERR_VERSION, "array");
    CHECK(umbra_member_parse(&got, "{\"format\"", 9) == UMBRA_ERR_VERSION,
          "not JSON");
    CHECK(umbra_member_parse(&got, "{\"format\":\"umbra.member/1\","
                                   "\"format\":\"umbra.member/1\"}",
                             52) == UMBRA_ERR_VERSION,
          "duplicate members refused");
    CHECK(umbra_member_parse(NULL, json, strlen(json)) == UMBRA_ERR_ARG &&
              umbra_member_parse(&got, NULL, 0) == UMBRA_ERR_ARG,
          "NULL arguments");
    /* the 4 KiB cap: white space after the object counts */
    len = strlen(json);
    memset(big, ' ', sizeof(big));
    memcpy(big, json, len);
    CHECK_CAP(umbra_member_parse, &got, big, UMBRA_MEMBER_MAX_BYTES);
    free(json);
}

static void
test_names_and_export_refusals(void)
{
    struct umbra_member m;
    uint8_t sk[64];
    char *json = NULL, name64[65];

    memset(name64, 'n', 64);
    name64[64] = '\0';
    CHECK(umbra_member_name_valid("A", 1), "one byte");
    CHECK(umbra_member_name_valid(name64, 64), "64 bytes");
    CHECK(!umbra_member_name_valid(name64, 65), "65 bytes");
    CHECK(!umbra_member_name_valid("", 0), "empty");
    CHECK(!umbra_member_name_valid("a\tb", 3), "tab");
    CHECK(!umbra_member_name_valid(NULL, 1), "NULL");
    CHECK(umbra_member_name_valid("\xc3\xa9", 2), "UTF-8 letters");

    fixed_member(&m, sk, name64);
    CHECK(umbra_member_export(&json, &m, sk) == 0, "64-byte name exported");
    free(json);
    json = NULL;
    fixed_member(&m, sk, "a\nb");
    CHECK(umbra_member_export(&json, &m, sk) == UMBRA_ERR_ARG && json == NULL,
          "export refuses a name with a newline");
    fixed_member(&m, sk, "Ana");
    m.id[0] ^= 1;
    CHECK(umbra_member_export(&json, &m, sk) == UMBRA_ERR_ARG,
          "export refuses an id that is not the key's");
    fixed_member(&m, sk, "Ana");
    sk[40] ^= 1;
    CHECK(umbra_member_export(&json, &m, sk) == UMBRA_ERR_ARG,
          "export refuses a signing key that is not sign_pk's");
    fixed_member(&m, sk, "Ana");
    snprintf(m.org, sizeof(m.org), "-demo");
    CHECK(umbra_member_export(&json, &m, sk) == UMBRA_ERR_ARG,
          "export refuses a bad slug");
    fixed_member(&m, sk, "Ana");
    snprintf(m.created, sizeof(m.created), "2026-13-01");
    CHECK(umbra_member_export(&json, &m, sk) == UMBRA_ERR_ARG,
          "export refuses a bad date");
}

CHECK_MAIN(test_signed_text, test_export_round_trip, test_refusals,
           test_names_and_export_refusals)
