/*
 * verbs_keys: init, fingerprint, seal, open and keys — the verbs that deal
 * with keys and single envelopes rather than cases.
 */
#include "case.h"
#include "store.h"

#include <errno.h>
#include <jansson.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char INIT_USAGE[] =
    "usage: umbra-case [--home DIR] init --org SLUG [--member --name NAME]\n"
    "           [--kdf-memory KIB] [--kdf-passes N] [--kdf-lanes N]\n"
    "\n"
    "Creates a new caseworker home: the organisation's secret keys in a\n"
    "passphrase-protected key file (DIR/keys.umbra), an empty encrypted case\n"
    "store (DIR/cases.db) and the public key bundle (DIR/public.json) to\n"
    "give to the server. Prints the fingerprint: compare it with the one the\n"
    "server shows. Refuses to touch an existing home. The --kdf options\n"
    "lower the passphrase hashing cost (for tests only).\n"
    "\n"
    "--member --name NAME: a home for one more caseworker of an existing\n"
    "organisation. It holds this caseworker's own key only, and writes\n"
    "DIR/member.json (signed) for the organisation's key holder, who runs\n"
    "'umbra-case keys add-member member.json' and gives back public.json;\n"
    "then run 'umbra-case keys join public.json' here. Prints the member\n"
    "fingerprint to read aloud to the key holder.\n";

static const char FP_USAGE[] =
    "usage: umbra-case fingerprint FILE\n"
    "\n"
    "Checks the signature of a public key bundle (e.g. public.json) or of\n"
    "a member file (member.json) and prints its fingerprint, six groups of\n"
    "five digits.\n";

static const char SEAL_USAGE[] =
    "usage: umbra-case seal --to PUBLIC.json [--to PUBLIC.json ...]\n"
    "\n"
    "Seals standard input (at most 16 MiB) to every key of each bundle and\n"
    "writes the envelope to standard output.\n";

static const char OPEN_USAGE[] =
    "usage: umbra-case [--home DIR] open\n"
    "\n"
    "Opens an envelope from standard input with the home's keys and writes\n"
    "the plaintext to standard output. Needs the passphrase.\n";

static const char KEYS_USAGE[] =
    "usage: umbra-case [--home DIR] keys list\n"
    "       umbra-case [--home DIR] keys add\n"
    "       umbra-case [--home DIR] keys export\n"
    "       umbra-case [--home DIR] keys passphrase "
    "[--new-passphrase-file FILE]\n"
    "       umbra-case [--home DIR] keys add-member MEMBER.json\n"
    "       umbra-case [--home DIR] keys remove-member ID|NAME\n"
    "       umbra-case [--home DIR] keys join PUBLIC.json\n"
    "\n"
    "list: the organisation's encryption keys (from DIR/public.json) and,\n"
    "      in the key holder's home, its members (needs the passphrase).\n"
    "add:  a new encryption key (key rotation). Old keys stay, so old\n"
    "      reports still open; DIR/public.json is re-signed with the new key\n"
    "      listed. Give the new public.json to the server operator; reports\n"
    "      are then sealed to every listed key. Needs the passphrase.\n"
    "export: write DIR/public.json again from the key file.\n"
    "passphrase: change the key file's passphrase (asked twice, or read\n"
    "      from --new-passphrase-file); the keys stay the same.\n"
    "add-member: (key holder) check a member.json made by 'init --member',\n"
    "      record the member and re-sign DIR/public.json with the member's\n"
    "      key listed. Compare the printed member fingerprint aloud.\n"
    "remove-member: (key holder) drop a member's key from DIR/public.json;\n"
    "      give the new bundle to the server operator at once.\n"
    "join: (member home) install the organisation's public.json after\n"
    "      checking that it lists this home's own key.\n"
    "Only the key holder's home (made by plain 'init') can add, export\n"
    "and re-sign; a member home refuses.\n";

/* ---- members: one key per caseworker ------------------------------------
 *
 * A member home (init --member) holds the member's own keys: its own
 * X25519 key, its own Ed25519 key (never the organisation's) and its own
 * store key, in a key file of the usual format. DIR/member.json carries
 * the public half to the key holder, signed with the member's Ed25519 key
 * (format in docs/protocol.md, "Member file"). The admin home records the
 * members in its case store (table members) and signs DIR/public.json
 * listing its own keys plus every member's X25519 key; the member installs
 * that bundle with 'keys join'.
 */

#define MEMBER_FORMAT "umbra.member/1"
#define MEMBER_MAX_BYTES 4096u
#define MEMBER_NAME_MAX 64u
#define B64V sodium_base64_VARIANT_ORIGINAL

struct member_doc {
    char org[UMBRA_SLUG_MAX + 1];
    char name[MEMBER_NAME_MAX + 1];
    char created[11];
    uint8_t pk[32];
    uint8_t id[8];
    uint8_t sign_pk[32];
};

static const char NOT_ADMIN[] =
    "this is a member home (it holds only this caseworker's own key): only "
    "the organisation's key holder, in the home made with 'umbra-case init "
    "--org SLUG' (without --member), can add keys or members and sign "
    "public.json; ask them";

static int
slug_ok(const char *s, size_t len)
{
    size_t i;

    if (len < 1 || len > UMBRA_SLUG_MAX || s[0] == '-')
        return 0;
    for (i = 0; i < len; i++)
        if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') ||
              s[i] == '-'))
            return 0;
    return 1;
}

static int
date_ok(const char *s, size_t len)
{
    static const int mdays[12] = {31, 29, 31, 30, 31, 30,
                                  31, 31, 30, 31, 30, 31};
    int y = 0, m, d, i;

    if (len != 10 || s[4] != '-' || s[7] != '-')
        return 0;
    for (i = 0; i < 10; i++)
        if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9'))
            return 0;
    for (i = 0; i < 4; i++)
        y = y * 10 + (s[i] - '0');
    m = (s[5] - '0') * 10 + (s[6] - '0');
    d = (s[8] - '0') * 10 + (s[9] - '0');
    if (y < 1970 || m < 1 || m > 12 || d < 1 || d > mdays[m - 1])
        return 0;
    if (m == 2 && d == 29 && !(y % 4 == 0 && (y % 100 != 0 || y % 400 == 0)))
        return 0;
    return 1;
}

/* A member's label: 1 to 64 bytes, no control character. */
static int
name_ok(const char *s, size_t len)
{
    size_t i;

    if (len < 1 || len > MEMBER_NAME_MAX)
        return 0;
    for (i = 0; i < len; i++)
        if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
            return 0;
    return 1;
}

/* Canonical base64 of exactly n (32 or 64) bytes; 0 or -1. */
static int
unb64(uint8_t *out, size_t n, const char *s, size_t len)
{
    char again[sodium_base64_ENCODED_LEN(64, B64V)];
    size_t got = 0;

    if (n > 64 || len != sodium_base64_ENCODED_LEN(n, B64V) - 1)
        return -1;
    if (sodium_base642bin(out, n, s, len, NULL, &got, NULL, B64V) != 0 ||
        got != n)
        return -1;
    sodium_bin2base64(again, sizeof again, out, n, B64V);
    return memcmp(again, s, len) == 0 ? 0 : -1;
}

/* The signed text of a member file; its length, or 0 if it does not fit. */
static size_t
member_text(char *out, size_t cap, const struct member_doc *m)
{
    char spk[sodium_base64_ENCODED_LEN(32, B64V)];
    char pk[sodium_base64_ENCODED_LEN(32, B64V)], id[17];
    int n;

    sodium_bin2base64(spk, sizeof spk, m->sign_pk, 32, B64V);
    sodium_bin2base64(pk, sizeof pk, m->pk, 32, B64V);
    umbra_hex(id, m->id, 8);
    n = snprintf(out, cap,
                 MEMBER_FORMAT "\norg %s\nname %s\ncreated %s\n"
                               "signing_key %s\nkey %s %s %s\n",
                 m->org, m->name, m->created, spk, id, pk, m->created);
    if (n < 0 || (size_t)n >= cap)
        return 0;
    return (size_t)n;
}

/* The member file for m, signed with sign_sk; *json malloc'd. 0 or -1. */
static int
member_export(char **json, const struct member_doc *m,
              const uint8_t sign_sk[64])
{
    char text[1024], id[17];
    char spk[sodium_base64_ENCODED_LEN(32, B64V)];
    char pk[sodium_base64_ENCODED_LEN(32, B64V)];
    char sig64[sodium_base64_ENCODED_LEN(64, B64V)];
    uint8_t sig[64];
    size_t tlen = member_text(text, sizeof text, m);
    json_t *root;

    *json = NULL;
    if (tlen == 0 ||
        crypto_sign_detached(sig, NULL, (const uint8_t *)text, tlen,
                             sign_sk) != 0)
        return -1;
    sodium_bin2base64(spk, sizeof spk, m->sign_pk, 32, B64V);
    sodium_bin2base64(pk, sizeof pk, m->pk, 32, B64V);
    sodium_bin2base64(sig64, sizeof sig64, sig, 64, B64V);
    umbra_hex(id, m->id, 8);
    root = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "format",
                     MEMBER_FORMAT, "org", m->org, "name", m->name, "created",
                     m->created, "id", id, "x25519", pk, "signing_key", spk,
                     "signature", sig64);
    if (root == NULL)
        return -1;
    *json = json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    json_decref(root);
    return *json != NULL ? 0 : -1;
}

static const char *
jstr(const json_t *o, const char *key, size_t *len)
{
    json_t *v = json_object_get(o, key);

    if (!json_is_string(v))
        return NULL;
    *len = json_string_length(v);
    return json_string_value(v);
}

/*
 * Parses and verifies a member file. 0, or -1 with *why set to a phrase
 * saying what is wrong.
 */
static int
member_parse(struct member_doc *m, const char *json, size_t len,
             const char **why)
{
    json_t *root = NULL;
    json_error_t jerr;
    const char *s;
    size_t slen, tlen;
    char text[1024], hex[17];
    uint8_t sig[64];
    int rc = -1;

    memset(m, 0, sizeof *m);
    *why = "it is not a member file (made by 'umbra-case init --member')";
    if (len > MEMBER_MAX_BYTES) {
        *why = "it is larger than 4 KiB";
        return -1;
    }
    root = json_loadb(json, len, JSON_REJECT_DUPLICATES, &jerr);
    if (!json_is_object(root))
        goto out;
    s = jstr(root, "format", &slen);
    if (s == NULL || slen != strlen(MEMBER_FORMAT) ||
        memcmp(s, MEMBER_FORMAT, slen) != 0)
        goto out;
    *why = "a field is missing or malformed";
    s = jstr(root, "org", &slen);
    if (s == NULL || !slug_ok(s, slen))
        goto out;
    memcpy(m->org, s, slen);
    s = jstr(root, "name", &slen);
    if (s == NULL || !name_ok(s, slen))
        goto out;
    memcpy(m->name, s, slen);
    s = jstr(root, "created", &slen);
    if (s == NULL || !date_ok(s, slen))
        goto out;
    memcpy(m->created, s, 10);
    s = jstr(root, "x25519", &slen);
    if (s == NULL || unb64(m->pk, 32, s, slen) != 0)
        goto out;
    umbra_key_id(m->id, m->pk);
    umbra_hex(hex, m->id, 8);
    s = jstr(root, "id", &slen);
    if (s == NULL || slen != 16 || memcmp(s, hex, 16) != 0) {
        *why = "its key id is not the id of its key";
        goto out;
    }
    s = jstr(root, "signing_key", &slen);
    if (s == NULL || unb64(m->sign_pk, 32, s, slen) != 0)
        goto out;
    s = jstr(root, "signature", &slen);
    if (s == NULL || unb64(sig, 64, s, slen) != 0)
        goto out;
    tlen = member_text(text, sizeof text, m);
    if (tlen == 0)
        goto out;
    if (crypto_sign_verify_detached(sig, (const uint8_t *)text, tlen,
                                    m->sign_pk) != 0) {
        *why = "its signature does not verify: it was changed after the "
               "member made it; ask the member for it again";
        goto out;
    }
    rc = 0;
out:
    json_decref(root);
    if (rc != 0)
        memset(m, 0, sizeof *m);
    return rc;
}

/* Reads and verifies a member file; prints its error. 0 or -1. */
static int
member_load(struct member_doc *m, const char *path)
{
    uint8_t *buf = NULL;
    size_t len = 0;
    const char *why = NULL;
    int rc = -1;

    if (case_read_file(&buf, &len, path, MEMBER_MAX_BYTES) != 0) {
        case_err("cannot read member file '%s': %s", path,
                 errno == EFBIG ? "larger than 4 KiB" : strerror(errno));
        return -1;
    }
    if (member_parse(m, (const char *)buf, len, &why) != 0)
        case_err("'%s' is refused: %s", path, why);
    else
        rc = 0;
    free(buf);
    return rc;
}

/* 1 if home is a member home (it has DIR/member.json). */
static int
is_member_home(const struct case_opts *o)
{
    char p[CASE_PATH_MAX];

    return case_path(p, sizeof p, o, "member.json") == 0 &&
           access(p, F_OK) == 0;
}

/*
 * Refuses (with the message) unless this is the organisation's key
 * holder's home: no member.json, and DIR/public.json signed by k. 0 or -1.
 */
static int
check_admin(const struct case_opts *o, const struct umbra_org_keys *k)
{
    char p[CASE_PATH_MAX];
    struct umbra_bundle b;

    if (is_member_home(o)) {
        case_err("%s", NOT_ADMIN);
        return -1;
    }
    if (k == NULL)
        return 0;
    if (case_path(p, sizeof p, o, "public.json") != 0)
        return -1;
    if (access(p, F_OK) == 0 &&
        (case_load_bundle(&b, p) != 0 ||
         sodium_memcmp(b.sign_pk, k->sign_pk, 32) != 0)) {
        case_err("%s", NOT_ADMIN);
        return -1;
    }
    return 0;
}

struct collect {
    struct umbra_enc_key keys[UMBRA_MAX_ORG_KEYS];
    unsigned n, over;
};

static int
collect_member(void *ctx, const struct store_member *m)
{
    struct collect *c = ctx;

    if (c->n >= UMBRA_MAX_ORG_KEYS) {
        c->over++;
        return 0;
    }
    memcpy(c->keys[c->n].pk, m->pk, 32);
    umbra_key_id(c->keys[c->n].id, m->pk);
    memcpy(c->keys[c->n].created, m->created, 11);
    c->keys[c->n].created[10] = '\0';
    c->n++;
    return 0;
}

/* The serial of the bundle in file path; 0 if absent or not valid. */
static uint64_t
file_serial(const char *path)
{
    struct umbra_bundle b;
    uint8_t *buf = NULL;
    size_t len = 0;
    uint64_t serial = 0;

    if (case_read_file(&buf, &len, path, UMBRA_BUNDLE_MAX_BYTES) == 0 &&
        umbra_bundle_parse(&b, (const char *)buf, len) == 0)
        serial = b.serial;
    free(buf);
    return serial;
}

/*
 * The serial of the next bundle this home signs (protocol section 3): one
 * above both the highest it recorded (store meta "bundle_serial") and the
 * one of DIR/public.json, so that a lost or copied-back public.json never
 * makes it sign a serial twice. Records it in s (in the caller's
 * transaction, if one is open). Prints its error. 0 or -1.
 */
static int
next_serial(uint64_t *out, const struct case_opts *o, struct store *s)
{
    char p[CASE_PATH_MAX], v[32], *end = NULL;
    unsigned long long have = 0, pub;
    int r;

    r = store_meta_get(s, "bundle_serial", v, sizeof v);
    if (r < 0)
        return -1;
    if (r == 0) {
        errno = 0;
        have = strtoull(v, &end, 10);
        if (errno != 0 || end == v || *end != 0) {
            case_err("the case store's bundle serial '%s' is damaged", v);
            return -1;
        }
    }
    if (case_path(p, sizeof p, o, "public.json") != 0)
        return -1;
    pub = file_serial(p);
    if (pub > have)
        have = pub;
    if (have >= UMBRA_BUNDLE_SERIAL_MAX) {
        case_err("the public key bundle's serial cannot grow any more");
        return -1;
    }
    have++;
    snprintf(v, sizeof v, "%llu", have);
    if (store_meta_set(s, "bundle_serial", v) != 0)
        return -1;
    *out = have;
    return 0;
}

/*
 * The organisation's bundle: k's own keys, then every member's key from
 * the store, signed with k, with the next serial (next_serial). *json
 * malloc'd; *n the number of keys. Prints its error. 0 or -1.
 */
static int
org_bundle(char **json, unsigned *n, const struct umbra_org_keys *k,
           struct store *s, const struct case_opts *o)
{
    struct collect c;
    uint64_t serial = 0;
    int err;

    *json = NULL;
    memset(&c, 0, sizeof c);
    memcpy(c.keys, k->enc, sizeof(k->enc[0]) * k->nkeys);
    c.n = k->nkeys;
    if (store_members_each(s, collect_member, &c) != 0)
        return -1;
    if (c.over > 0) {
        case_err("a bundle lists at most %u keys: the organisation has %u "
                 "of its own and %u members; remove a member first "
                 "('umbra-case keys remove-member')",
                 UMBRA_MAX_ORG_KEYS, k->nkeys,
                 c.n + c.over - k->nkeys);
        return -1;
    }
    if (next_serial(&serial, o, s) != 0)
        return -1;
    err = umbra_bundle_export_serial(json, k, c.keys, c.n, serial);
    if (err != 0) {
        case_err("cannot make the public key bundle: %s",
                 umbra_strerror(err));
        return -1;
    }
    *n = c.n;
    return 0;
}

/* Writes the organisation's public.json; prints its error. 0 or -1. */
static int
write_org_bundle(const struct case_opts *o, const char *json)
{
    char p[CASE_PATH_MAX];

    if (case_path(p, sizeof p, o, "public.json") != 0)
        return -1;
    if (case_write_atomic(p, json, strlen(json), 0644) != 0) {
        case_err("the case store is updated but '%s' could not be written "
                 "(%s); fix that (disk full?) and run 'umbra-case keys "
                 "export'",
                 p, strerror(errno));
        return -1;
    }
    return 0;
}

/* init --member: the member's own keys, store and signed member.json. */
static int
init_member_files(const struct case_opts *o, const struct umbra_org_keys *k,
                  const char *name)
{
    struct member_doc m;
    char p[CASE_PATH_MAX], fp[UMBRA_FINGERPRINT_LEN + 1], hex[17];
    char *json = NULL;
    int rc = -1;

    memset(&m, 0, sizeof m);
    memcpy(m.org, k->slug, sizeof m.org);
    snprintf(m.name, sizeof m.name, "%s", name);
    memcpy(m.created, k->enc[0].created, sizeof m.created);
    memcpy(m.pk, k->enc[0].pk, 32);
    memcpy(m.id, k->enc[0].id, 8);
    memcpy(m.sign_pk, k->sign_pk, 32);
    if (case_path(p, sizeof p, o, "member.json") != 0)
        return -1;
    if (member_export(&json, &m, k->sign_sk) != 0) {
        case_err("cannot make the member file");
        goto out;
    }
    if (case_write_atomic(p, json, strlen(json), 0644) != 0) {
        case_err("cannot write '%s': %s", p, strerror(errno));
        goto out;
    }
    umbra_fingerprint(fp, k->sign_pk);
    umbra_hex(hex, k->enc[0].id, 8);
    printf("Created the member home '%s' for organisation '%s' (member "
           "'%s', key %s).\n",
           o->home, k->slug, name, hex);
    printf("Next: give %s to your organisation's key holder, who runs\n"
           "  umbra-case keys add-member member.json\n"
           "then run 'umbra-case keys join public.json' here with the "
           "public.json they give back.\n",
           p);
    printf("Keep the passphrase safe: without it no report can be opened.\n");
    printf("Member fingerprint (read it aloud to the key holder): %s\n", fp);
    rc = 0;
out:
    free(json);
    return rc;
}

struct names {
    const struct umbra_bundle *b;
    int *shown;
    int print; /* 0: only mark the bundle keys that are members' */
};

static int
print_member(void *ctx, const struct store_member *m)
{
    struct names *nm = ctx;
    unsigned i;
    int listed = 0;

    for (i = 0; i < nm->b->nkeys; i++)
        if (memcmp(nm->b->keys[i].pk, m->pk, 32) == 0) {
            listed = 1;
            nm->shown[i] = 1;
        }
    if (!nm->print)
        return 0;
    printf("key %s created %s member '", m->id, m->created);
    case_print_safe(stdout, m->name, strlen(m->name), 0);
    printf("' added %s%s\n", m->added,
           listed ? "" : " (not in public.json: run 'umbra-case keys export')");
    return 0;
}

/* keys list in a member home: its own key, joined or not (no passphrase). */
static int
keys_list_member(const struct case_opts *o)
{
    char p[CASE_PATH_MAX], hex[17];
    char fp[UMBRA_FINGERPRINT_LEN + 1];
    struct member_doc m;
    struct umbra_bundle b;
    unsigned i;

    if (case_path(p, sizeof p, o, "member.json") != 0 || member_load(&m, p))
        return CASE_FAIL;
    umbra_hex(hex, m.id, 8);
    umbra_fingerprint(fp, m.sign_pk);
    printf("Member home of organisation %s: member %s, key %s created %s\n"
           "Member fingerprint: %s\n",
           m.org, m.name, hex, m.created, fp);
    if (case_path(p, sizeof p, o, "public.json") != 0)
        return CASE_FAIL;
    if (access(p, F_OK) != 0) {
        printf("Not joined yet: give member.json to the key holder, then "
               "run 'umbra-case keys join public.json'.\n");
        return CASE_OK;
    }
    if (case_load_bundle(&b, p) != 0)
        return CASE_FAIL;
    umbra_fingerprint(fp, b.sign_pk);
    printf("Organisation fingerprint: %s\n", fp);
    for (i = 0; i < b.nkeys; i++) {
        umbra_hex(hex, b.keys[i].id, 8);
        printf("key %s created %s%s\n", hex, b.keys[i].created,
               memcmp(b.keys[i].pk, m.pk, 32) == 0 ? " (this home)" : "");
    }
    return CASE_OK;
}

/* keys add-member FILE */
static int
keys_add_member(const struct case_opts *o, const char *file)
{
    struct umbra_org_keys *k = NULL;
    struct store_member sm;
    struct member_doc m;
    struct store *s = NULL;
    char fp[UMBRA_FINGERPRINT_LEN + 1], pub[CASE_PATH_MAX];
    char *json = NULL;
    unsigned i, n = 0;
    int err, rc = CASE_FAIL, in_tx = 0;

    if (check_admin(o, NULL) != 0 || member_load(&m, file) != 0)
        return CASE_FAIL;
    if (case_load_keys(&k, o) != 0 || check_admin(o, k) != 0)
        goto out;
    if (strcmp(m.org, k->slug) != 0) {
        case_err("'%s' is for organisation '%s', but this home is '%s'; "
                 "nothing was changed",
                 file, m.org, k->slug);
        goto out;
    }
    for (i = 0; i < k->nkeys; i++)
        if (memcmp(k->enc[i].pk, m.pk, 32) == 0) {
            case_err("'%s' holds one of the organisation's own keys; "
                     "nothing was changed",
                     file);
            goto out;
        }
    if (store_open(&s, o->home, k->store_key, 1) != 0 || store_begin(s) != 0)
        goto out;
    in_tx = 1;
    memset(&sm, 0, sizeof sm);
    umbra_hex(sm.id, m.id, 8);
    memcpy(sm.name, m.name, sizeof sm.name);
    memcpy(sm.pk, m.pk, 32);
    memcpy(sm.sign_pk, m.sign_pk, 32);
    memcpy(sm.created, m.created, sizeof sm.created);
    umbra_today(sm.added);
    err = store_member_add(s, &sm);
    if (err == 1) {
        case_err("a member with key %s or named '%s' is already listed "
                 "(see 'umbra-case keys list'); nothing was changed",
                 sm.id, sm.name);
        goto out;
    }
    if (err != 0 || org_bundle(&json, &n, k, s, o) != 0)
        goto out;
    if (store_commit(s) != 0)
        goto out;
    in_tx = 0;
    if (write_org_bundle(o, json) != 0)
        goto out;
    umbra_fingerprint(fp, m.sign_pk);
    if (case_path(pub, sizeof pub, o, "public.json") != 0)
        goto out;
    fputs("Added member '", stdout);
    case_print_safe(stdout, m.name, strlen(m.name), 0);
    printf("' (key %s).\n", sm.id);
    printf("Member fingerprint: %s\n"
           "Compare it with the one the member reads to you (in person or "
           "by phone); if it differs, run 'umbra-case keys remove-member "
           "%s' at once.\n",
           fp, sm.id);
    printf("%s now lists %u keys. Give it to the member ('umbra-case keys "
           "join public.json'), to every other member, and to the server "
           "operator ('umbra-server org add %s --name NAME --public-key "
           "public.json'): new reports are sealed to every listed key.\n",
           pub, n, k->slug);
    rc = CASE_OK;
out:
    if (in_tx)
        store_rollback(s);
    store_close(s);
    free(json);
    umbra_org_keys_free(k);
    return rc;
}

/* keys remove-member ID|NAME */
static int
keys_remove_member(const struct case_opts *o, const char *who)
{
    struct umbra_org_keys *k = NULL;
    struct store_member sm;
    struct store *s = NULL;
    char pub[CASE_PATH_MAX];
    char *json = NULL;
    unsigned n = 0;
    int err, rc = CASE_FAIL, in_tx = 0;

    if (check_admin(o, NULL) != 0)
        return CASE_FAIL;
    if (case_load_keys(&k, o) != 0 || check_admin(o, k) != 0)
        goto out;
    if (store_open(&s, o->home, k->store_key, 1) != 0 || store_begin(s) != 0)
        goto out;
    in_tx = 1;
    err = store_member_remove(s, who, &sm);
    if (err == 1) {
        case_err("no member with key id or name '%s' (see 'umbra-case keys "
                 "list'); nothing was changed",
                 who);
        goto out;
    }
    if (err != 0 || org_bundle(&json, &n, k, s, o) != 0 || store_commit(s) != 0)
        goto out;
    in_tx = 0;
    if (write_org_bundle(o, json) != 0)
        goto out;
    if (case_path(pub, sizeof pub, o, "public.json") != 0)
        goto out;
    printf("Removed member '");
    case_print_safe(stdout, sm.name, strlen(sm.name), 0);
    printf("' (key %s); %s now lists %u keys.\n", sm.id, pub, n);
    printf("Give the new public.json to the server operator NOW:\n"
           "  umbra-server org add %s --name NAME --public-key public.json\n"
           "Until the server has it, new reports are still sealed to the "
           "removed key; once it has it, the server refuses reports sealed "
           "to that key. Give it to the other members too ('umbra-case keys "
           "join public.json'): their pull refuses until they do. Reports "
           "already on the removed member's laptop stay readable there.\n",
           k->slug);
    rc = CASE_OK;
out:
    if (in_tx)
        store_rollback(s);
    store_close(s);
    free(json);
    umbra_org_keys_free(k);
    return rc;
}

int
case_bundle_not_older(const struct umbra_bundle *theirs,
                      const struct umbra_bundle *ours, const char *server)
{
    if (umbra_bundle_may_replace(ours, theirs) != UMBRA_ERR_ROLLBACK)
        return 0;
    case_err("REFUSING TO PULL: the server '%s' publishes an older public "
             "key bundle for '%s' (serial %llu; this home has serial "
             "%llu%s), which may still list a removed key. Give the "
             "server operator the current public.json ('umbra-server org "
             "add') and tell your organisation.",
             server, ours->org, (unsigned long long)theirs->serial,
             (unsigned long long)ours->serial,
             theirs->serial == ours->serial ? " with other keys" : "");
    return -1;
}

/* keys join FILE: a member home installs its organisation's bundle. */
static int
keys_join(const struct case_opts *o, const char *file)
{
    char mpath[CASE_PATH_MAX], pub[CASE_PATH_MAX], hex[17];
    char fp[UMBRA_FINGERPRINT_LEN + 1], fp_old[UMBRA_FINGERPRINT_LEN + 1];
    struct umbra_bundle b, old;
    struct member_doc m;
    uint8_t *buf = NULL;
    size_t len = 0;
    unsigned i;
    int err, rc = CASE_FAIL, found = 0;

    if (case_path(mpath, sizeof mpath, o, "member.json") != 0 ||
        case_path(pub, sizeof pub, o, "public.json") != 0)
        return CASE_FAIL;
    if (!is_member_home(o)) {
        case_err("'%s' is not a member home (no member.json): 'keys join' is "
                 "for homes made with 'umbra-case init --org SLUG --member'",
                 o->home);
        return CASE_FAIL;
    }
    if (member_load(&m, mpath) != 0)
        return CASE_FAIL;
    if (case_read_file(&buf, &len, file, UMBRA_BUNDLE_MAX_BYTES) != 0) {
        case_err("cannot read public key bundle '%s': %s", file,
                 errno == EFBIG ? "larger than 64 KiB" : strerror(errno));
        goto out;
    }
    err = umbra_bundle_parse(&b, (const char *)buf, len);
    if (err != 0) {
        case_err("'%s' is not a valid public key bundle: %s", file,
                 umbra_strerror(err));
        goto out;
    }
    if (strcmp(b.org, m.org) != 0) {
        case_err("'%s' is the bundle of organisation '%s', but this home "
                 "belongs to '%s'; nothing was changed",
                 file, b.org, m.org);
        goto out;
    }
    for (i = 0; i < b.nkeys; i++)
        if (memcmp(b.keys[i].pk, m.pk, 32) == 0)
            found = 1;
    umbra_hex(hex, m.id, 8);
    if (!found) {
        case_err("'%s' does not list this member's key %s, so reports sealed "
                 "to it could not be opened here: ask the key holder to run "
                 "'umbra-case keys add-member' with your member.json and to "
                 "give you the new public.json; nothing was changed",
                 file, hex);
        goto out;
    }
    umbra_fingerprint(fp, b.sign_pk);
    if (access(pub, F_OK) == 0) {
        if (case_load_bundle(&old, pub) != 0)
            goto out;
        if (sodium_memcmp(old.sign_pk, b.sign_pk, 32) != 0) {
            umbra_fingerprint(fp_old, old.sign_pk);
            case_err("'%s' is signed by another organisation key (fingerprint "
                     "%s; this home trusts %s); nothing was changed. If your "
                     "organisation really changed its key, check the new "
                     "fingerprint with the key holder, delete %s and join "
                     "again",
                     file, fp, fp_old, pub);
            goto out;
        }
        if (umbra_bundle_may_replace(&old, &b) != 0) {
            case_err("'%s' is older than the public key bundle this home "
                     "holds (serial %llu; this home has serial %llu%s); "
                     "nothing was changed. Ask the key holder for the "
                     "current public.json",
                     file, (unsigned long long)b.serial,
                     (unsigned long long)old.serial,
                     b.serial == old.serial ? ", with other keys" : "");
            goto out;
        }
    }
    if (case_write_atomic(pub, buf, len, 0644) != 0) {
        case_err("cannot write '%s': %s", pub, strerror(errno));
        goto out;
    }
    printf("Joined organisation '%s': this home now opens reports sealed to "
           "its public key bundle (%u keys, this home's key %s among "
           "them).\n",
           b.org, b.nkeys, hex);
    printf("Organisation fingerprint: %s\n"
           "Compare it with the one the key holder reads to you. Reports "
           "sealed before your key was added cannot be opened here.\n",
           fp);
    rc = CASE_OK;
out:
    free(buf);
    return rc;
}

static int
parse_u32(const char *s, uint32_t *out)
{
    char *end = NULL;
    unsigned long v;

    if (s == NULL || s[0] < '0' || s[0] > '9')
        return -1;
    errno = 0;
    v = strtoul(s, &end, 10);
    if (errno != 0 || *end != 0 || v > 0xffffffffUL)
        return -1;
    *out = (uint32_t)v;
    return 0;
}

static void
remove_partial_home(const struct case_opts *o)
{
    static const char *const names[] = {
        "keys.umbra", "cases.db", "cases.db-wal", "cases.db-shm",
        "public.json", "member.json", "lock",
    };
    char p[CASE_PATH_MAX];
    size_t i;

    for (i = 0; i < sizeof names / sizeof names[0]; i++)
        if (case_path(p, sizeof p, o, names[i]) == 0)
            (void)unlink(p);
}

int
verb_init(const struct case_opts *o, int argc, char **argv)
{
    struct umbra_kdf_params kdf = UMBRA_KDF_DEFAULT;
    struct umbra_org_keys *k = NULL;
    char keypath[CASE_PATH_MAX], pubpath[CASE_PATH_MAX];
    char fp[UMBRA_FINGERPRINT_LEN + 1];
    const char *slug = NULL, *name = NULL;
    char *pw = NULL, *json = NULL;
    size_t pwlen = 0;
    int i, err, rc = CASE_FAIL, created = 0, member = 0;

    if (case_help(INIT_USAGE, argc, argv))
        return CASE_OK;
    for (i = 1; i < argc; i++) {
        const char *v = NULL;
        int m;

        if ((m = case_opt("--org", argc, argv, &i, &v)) != 0) {
            if (m < 0)
                goto usage;
            slug = v;
        } else if (strcmp(argv[i], "--member") == 0) {
            member = 1;
        } else if ((m = case_opt("--name", argc, argv, &i, &v)) != 0) {
            if (m < 0)
                goto usage;
            name = v;
        } else if ((m = case_opt("--kdf-memory", argc, argv, &i, &v)) != 0) {
            if (m < 0 || parse_u32(v, &kdf.m_kib) != 0)
                goto usage;
        } else if ((m = case_opt("--kdf-passes", argc, argv, &i, &v)) != 0) {
            if (m < 0 || parse_u32(v, &kdf.t) != 0)
                goto usage;
        } else if ((m = case_opt("--kdf-lanes", argc, argv, &i, &v)) != 0) {
            if (m < 0 || parse_u32(v, &kdf.p) != 0)
                goto usage;
        } else {
            goto usage;
        }
    }
    if (slug == NULL || (name != NULL && !member))
        goto usage;
    if (member && name == NULL) {
        case_err("--member needs --name NAME (how the key holder will list "
                 "this caseworker)");
        return CASE_USAGE;
    }
    if (member && !name_ok(name, strlen(name))) {
        case_err("--name must be 1 to 64 bytes without control characters");
        return CASE_USAGE;
    }
    if (case_path(keypath, sizeof keypath, o, "keys.umbra") != 0 ||
        case_path(pubpath, sizeof pubpath, o, "public.json") != 0)
        return CASE_FAIL;
    if (access(keypath, F_OK) == 0 || access(pubpath, F_OK) == 0 ||
        is_member_home(o)) {
        case_err("'%s' already holds a caseworker home; nothing was changed "
                 "(choose another --home)",
                 o->home);
        return CASE_FAIL;
    }
    if (mkdir(o->home, 0700) != 0 && errno != EEXIST) {
        case_err("cannot create home '%s': %s", o->home, strerror(errno));
        return CASE_FAIL;
    }
    {
        char p[CASE_PATH_MAX];

        if (case_path(p, sizeof p, o, "cases.db") != 0)
            return CASE_FAIL;
        if (access(p, F_OK) == 0) {
            case_err("'%s' already holds a case store; nothing was changed",
                     o->home);
            return CASE_FAIL;
        }
    }
    err = umbra_org_keys_new(&k, slug);
    if (err != 0) {
        case_err("invalid organisation name '%s': use 1 to 63 of a-z, 0-9 "
                 "and '-'",
                 slug);
        goto out;
    }
    if (case_passphrase(&pw, &pwlen, o, 1) != 0)
        goto out;
    created = 1;
    err = umbra_keyfile_write(keypath, k, pw, pwlen, &kdf);
    if (err != 0) {
        case_err("cannot write key file '%s': %s", keypath,
                 err == UMBRA_ERR_IO ? strerror(errno) : umbra_strerror(err));
        goto out;
    }
    if (store_create(o->home, k->store_key, k->slug) != 0)
        goto out;
    if (member) {
        if (init_member_files(o, k, name) != 0)
            goto out;
        rc = CASE_OK;
        goto out;
    }
    /* serial 1: every later re-signing raises it (next_serial) */
    err = umbra_bundle_export_serial(&json, k, k->enc, k->nkeys, 1);
    if (err != 0) {
        case_err("cannot make the public key bundle: %s",
                 umbra_strerror(err));
        goto out;
    }
    if (case_write_atomic(pubpath, json, strlen(json), 0644) != 0) {
        case_err("cannot write '%s': %s", pubpath, strerror(errno));
        goto out;
    }
    umbra_fingerprint(fp, k->sign_pk);
    printf("Created the caseworker home '%s' for organisation '%s'.\n",
           o->home, k->slug);
    printf("Public key bundle (give it to the server operator): %s\n",
           pubpath);
    printf("Keep the passphrase safe: without it no report can be opened.\n");
    printf("Fingerprint: %s\n", fp);
    rc = CASE_OK;
out:
    if (rc != CASE_OK && created)
        remove_partial_home(o);
    free(json);
    umbra_secret_free(pw);
    umbra_org_keys_free(k);
    return rc;
usage:
    fputs(INIT_USAGE, stderr);
    return CASE_USAGE;
}

int
verb_fingerprint(const struct case_opts *o, int argc, char **argv)
{
    struct umbra_bundle b;
    char fp[UMBRA_FINGERPRINT_LEN + 1];

    (void)o;
    if (case_help(FP_USAGE, argc, argv))
        return CASE_OK;
    if (argc != 2) {
        fputs(FP_USAGE, stderr);
        return CASE_USAGE;
    }
    {
        struct member_doc m;
        uint8_t *buf = NULL;
        size_t len = 0;
        const char *why = NULL;
        int is_member = 0, ok = 0;

        if (case_read_file(&buf, &len, argv[1], MEMBER_MAX_BYTES) == 0 &&
            strstr((const char *)buf, "\"" MEMBER_FORMAT "\"") != NULL) {
            is_member = 1;
            ok = member_parse(&m, (const char *)buf, len, &why) == 0;
            if (ok)
                umbra_fingerprint(fp, m.sign_pk);
            else
                case_err("'%s' is refused: %s", argv[1], why);
        }
        free(buf);
        if (is_member) {
            if (!ok)
                return CASE_FAIL;
            printf("%s\n", fp);
            return CASE_OK;
        }
    }
    if (case_load_bundle(&b, argv[1]) != 0)
        return CASE_FAIL;
    umbra_fingerprint(fp, b.sign_pk);
    printf("%s\n", fp);
    return CASE_OK;
}

int
verb_seal(const struct case_opts *o, int argc, char **argv)
{
    uint8_t pks[UMBRA_ENVELOPE_MAX_RECIPIENTS * 32];
    struct umbra_bundle b;
    uint8_t *in = NULL, *env = NULL;
    size_t in_len = 0, env_len = 0, cap;
    unsigned n = 0;
    int i, err, rc = CASE_FAIL;

    (void)o;
    if (case_help(SEAL_USAGE, argc, argv))
        return CASE_OK;
    for (i = 1; i < argc; i++) {
        const char *v = NULL;
        int m = case_opt("--to", argc, argv, &i, &v);

        if (m <= 0) {
            fputs(SEAL_USAGE, stderr);
            return CASE_USAGE;
        }
        if (case_load_bundle(&b, v) != 0)
            return CASE_FAIL;
        if (n + b.nkeys > UMBRA_ENVELOPE_MAX_RECIPIENTS) {
            case_err("too many recipients: at most %u keys in all",
                     UMBRA_ENVELOPE_MAX_RECIPIENTS);
            return CASE_FAIL;
        }
        umbra_bundle_pks(pks + 32u * n, &b);
        n += b.nkeys;
    }
    if (n == 0) {
        fputs(SEAL_USAGE, stderr);
        return CASE_USAGE;
    }
    cap = umbra_envelope_max_content(n);
    if (case_read_stream(&in, &in_len, stdin, cap, 1) != 0) {
        case_err("cannot read standard input: %s",
                 errno == EFBIG ? "larger than an envelope can carry"
                                : strerror(errno));
        goto out;
    }
    err = umbra_envelope_seal(&env, &env_len, pks, n, in, in_len);
    if (err != 0) {
        case_err("cannot seal: %s", umbra_strerror(err));
        goto out;
    }
    if (fwrite(env, 1, env_len, stdout) != env_len || fflush(stdout) != 0) {
        case_err("cannot write standard output: %s", strerror(errno));
        goto out;
    }
    rc = CASE_OK;
out:
    umbra_secret_free(in);
    free(env);
    return rc;
}

/* X25519 public keys of k in order, for umbra_envelope_open. */
static void
enc_pks(uint8_t *pks, const struct umbra_org_keys *k)
{
    unsigned i;

    for (i = 0; i < k->nkeys; i++)
        memcpy(pks + 32u * i, k->enc[i].pk, 32);
}

const char *
case_open_error(int err)
{
    switch (err) {
    case UMBRA_ERR_NO_KEY:
        return "it is not sealed to any key of this home";
    case UMBRA_ERR_DECRYPT:
        return "it does not decrypt (forged or damaged)";
    case UMBRA_ERR_INNER:
        return "its inner header disagrees with the outer one (tampered)";
    case UMBRA_ERR_TRUNCATED:
        return "it is truncated";
    case UMBRA_ERR_SIZE:
        return "its length is not a valid envelope length";
    case UMBRA_ERR_FORMAT:
    case UMBRA_ERR_VERSION:
        return "it is not an Umbra envelope";
    default:
        return umbra_strerror(err);
    }
}

int
verb_open(const struct case_opts *o, int argc, char **argv)
{
    uint8_t pks[UMBRA_MAX_ORG_KEYS * 32];
    struct umbra_org_keys *k = NULL;
    uint8_t *env = NULL, *pt = NULL;
    size_t env_len = 0, pt_len = 0;
    int err, rc = CASE_FAIL;

    if (case_help(OPEN_USAGE, argc, argv))
        return CASE_OK;
    if (argc != 1) {
        fputs(OPEN_USAGE, stderr);
        return CASE_USAGE;
    }
    if (case_load_keys(&k, o) != 0)
        goto out;
    if (case_read_stream(&env, &env_len, stdin, CASE_ENVELOPE_MAX, 0) != 0) {
        case_err("cannot read standard input: %s",
                 errno == EFBIG ? "larger than any envelope" : strerror(errno));
        goto out;
    }
    enc_pks(pks, k);
    err = umbra_envelope_open(&pt, &pt_len, NULL, &k->enc_sk[0][0], pks,
                              k->nkeys, env, env_len);
    if (err != 0) {
        case_err("cannot open the envelope: %s", case_open_error(err));
        goto out;
    }
    if (fwrite(pt, 1, pt_len, stdout) != pt_len || fflush(stdout) != 0) {
        case_err("cannot write standard output: %s", strerror(errno));
        goto out;
    }
    rc = CASE_OK;
out:
    umbra_secret_free(pt);
    free(env);
    umbra_org_keys_free(k);
    return rc;
}

static int
keys_list(const struct case_opts *o)
{
    char path[CASE_PATH_MAX], hex[17];
    char fp[UMBRA_FINGERPRINT_LEN + 1];
    int shown[UMBRA_MAX_ORG_KEYS] = {0};
    struct names nm = {NULL, NULL, 0};
    struct umbra_bundle b;
    struct store *s = NULL;
    unsigned i;
    int rc = CASE_FAIL;

    if (is_member_home(o))
        return keys_list_member(o);
    if (case_path(path, sizeof path, o, "public.json") != 0 ||
        case_load_bundle(&b, path) != 0)
        return CASE_FAIL;
    umbra_fingerprint(fp, b.sign_pk);
    printf("Organisation: %s\nFingerprint: %s\n", b.org, fp);
    /* the key holder's home: name the members (needs the passphrase) */
    if (case_path(path, sizeof path, o, "keys.umbra") != 0)
        return CASE_FAIL;
    if (access(path, F_OK) == 0) {
        nm.b = &b;
        nm.shown = shown;
        nm.print = 0;
        if (case_open_store(&s, o, 0) != 0 ||
            store_members_each(s, print_member, &nm) != 0)
            goto out;
    }
    for (i = 0; i < b.nkeys; i++) {
        if (shown[i])
            continue;
        umbra_hex(hex, b.keys[i].id, 8);
        printf("key %s created %s%s\n", hex, b.keys[i].created,
               s != NULL ? " organisation" : "");
    }
    nm.print = 1;
    if (s != NULL && store_members_each(s, print_member, &nm) != 0)
        goto out;
    rc = CASE_OK;
out:
    store_close(s);
    return rc;
}

static int
keys_export(const struct case_opts *o)
{
    struct umbra_org_keys *k = NULL;
    struct store *s = NULL;
    char pubpath[CASE_PATH_MAX];
    char *json = NULL;
    unsigned n = 0;
    int rc = CASE_FAIL;

    if (check_admin(o, NULL) != 0)
        return CASE_FAIL;
    if (case_path(pubpath, sizeof pubpath, o, "public.json") != 0 ||
        case_load_keys(&k, o) != 0)
        goto out;
    if (store_open(&s, o->home, k->store_key, 1) != 0 ||
        org_bundle(&json, &n, k, s, o) != 0)
        goto out;
    if (case_write_atomic(pubpath, json, strlen(json), 0644) != 0) {
        case_err("cannot write '%s': %s", pubpath, strerror(errno));
        goto out;
    }
    printf("Wrote %s (%u keys).\n", pubpath, n);
    rc = CASE_OK;
out:
    store_close(s);
    free(json);
    umbra_org_keys_free(k);
    return rc;
}

/*
 * Reads the home's key file, asks the passphrase and opens it, keeping the
 * file's Argon2 parameters for rewriting it. On success *k (free with
 * umbra_org_keys_free) and *pw (umbra_secret_free) are set; on failure an
 * error was printed and nothing is left allocated. 0 or -1.
 */
static int
open_key_file(struct umbra_org_keys **k, struct umbra_kdf_params *kdf,
              char **pw, size_t *pwlen, const char *keypath,
              const struct case_opts *o)
{
    uint8_t *raw = NULL;
    size_t raw_len = 0;
    int err, rc = -1;

    *k = NULL;
    *pw = NULL;
    if (case_read_file(&raw, &raw_len, keypath, 65536) != 0) {
        case_err("cannot read key file '%s': %s", keypath, strerror(errno));
        return -1;
    }
    err = umbra_keyfile_params(kdf, raw, raw_len);
    if (err == 0 && case_passphrase(pw, pwlen, o, 0) != 0)
        goto out;
    if (err == 0)
        err = umbra_keyfile_decode(k, raw, raw_len, *pw, *pwlen);
    if (err != 0) {
        case_err("cannot open key file '%s': %s", keypath,
                 err == UMBRA_ERR_DECRYPT ? "wrong passphrase or damaged file"
                                          : umbra_strerror(err));
        goto out;
    }
    rc = 0;
out:
    sodium_memzero(raw, raw_len);
    free(raw);
    if (rc != 0) {
        umbra_secret_free(*pw);
        *pw = NULL;
    }
    return rc;
}

static int
keys_add(const struct case_opts *o)
{
    struct umbra_org_keys *k = NULL;
    struct umbra_kdf_params kdf;
    char keypath[CASE_PATH_MAX], pubpath[CASE_PATH_MAX], hex[17];
    char *pw = NULL, *json = NULL;
    struct store *s = NULL;
    size_t pwlen = 0;
    unsigned n = 0;
    int err, rc = CASE_FAIL;

    if (case_path(keypath, sizeof keypath, o, "keys.umbra") != 0 ||
        case_path(pubpath, sizeof pubpath, o, "public.json") != 0)
        return CASE_FAIL;
    if (check_admin(o, NULL) != 0)
        return CASE_FAIL;
    if (open_key_file(&k, &kdf, &pw, &pwlen, keypath, o) != 0)
        goto out;
    if (check_admin(o, k) != 0)
        goto out;
    if (store_open(&s, o->home, k->store_key, 1) != 0)
        goto out;
    err = umbra_org_keys_add(k);
    if (err != 0) {
        case_err("cannot add a key: %s",
                 err == UMBRA_ERR_TOO_LONG ? "the key file already holds 16 keys"
                                           : umbra_strerror(err));
        goto out;
    }
    /* the new bundle first: refused (nothing written) past 16 keys */
    if (org_bundle(&json, &n, k, s, o) != 0)
        goto out;
    err = umbra_keyfile_write(keypath, k, pw, pwlen, &kdf);
    if (err != 0) {
        case_err("cannot write key file '%s': %s", keypath,
                 err == UMBRA_ERR_IO ? strerror(errno) : umbra_strerror(err));
        goto out;
    }
    if (case_write_atomic(pubpath, json, strlen(json), 0644) != 0) {
        case_err("the key file holds the new key but '%s' could not be "
                 "written; fix that (disk full?) and run 'umbra-case keys "
                 "export'",
                 pubpath);
        goto out;
    }
    umbra_hex(hex, k->enc[k->nkeys - 1].id, 8);
    printf("Added key %s (the organisation now has %u keys of its own; "
           "public.json lists %u).\n",
           hex, k->nkeys, n);
    printf("Give the new %s to the server operator; the fingerprint does "
           "not change.\n",
           pubpath);
    rc = CASE_OK;
out:
    store_close(s);
    free(json);
    umbra_secret_free(pw);
    umbra_org_keys_free(k);
    return rc;
}

/* Changes the key file's passphrase (same keys, same KDF cost). */
static int
keys_passphrase(const struct case_opts *o, const char *new_file)
{
    struct case_opts no = *o;
    struct umbra_org_keys *k = NULL;
    struct umbra_kdf_params kdf;
    char keypath[CASE_PATH_MAX];
    size_t pwlen = 0, npwlen = 0;
    char *pw = NULL, *npw = NULL;
    int err, rc = CASE_FAIL;

    if (case_path(keypath, sizeof keypath, o, "keys.umbra") != 0)
        return CASE_FAIL;
    if (open_key_file(&k, &kdf, &pw, &pwlen, keypath, o) != 0)
        goto out;
    no.passphrase_file = new_file;
    if (new_file == NULL) {
        /* no file: ask (twice) on the terminal, not the environment */
        static const char none[] = "";

        no.passphrase_file = none;
        if (getenv("UMBRA_PASSPHRASE_FILE") != NULL)
            unsetenv("UMBRA_PASSPHRASE_FILE");
        fprintf(stderr, "Now the new passphrase.\n");
    }
    if (case_passphrase(&npw, &npwlen, &no, 1) != 0)
        goto out;
    err = umbra_keyfile_write(keypath, k, npw, npwlen, &kdf);
    if (err != 0) {
        case_err("cannot write key file '%s': %s", keypath,
                 err == UMBRA_ERR_IO ? strerror(errno) : umbra_strerror(err));
        goto out;
    }
    printf("The passphrase of %s is changed.\n", keypath);
    rc = CASE_OK;
out:
    umbra_secret_free(pw);
    umbra_secret_free(npw);
    umbra_org_keys_free(k);
    return rc;
}

int
verb_keys(const struct case_opts *o, int argc, char **argv)
{
    if (case_help(KEYS_USAGE, argc, argv))
        return CASE_OK;
    if (argc == 2 && strcmp(argv[1], "list") == 0)
        return keys_list(o);
    if (argc == 2 && strcmp(argv[1], "add") == 0)
        return keys_add(o);
    if (argc == 2 && strcmp(argv[1], "export") == 0)
        return keys_export(o);
    if (argc == 3 && strcmp(argv[1], "add-member") == 0)
        return keys_add_member(o, argv[2]);
    if (argc == 3 && strcmp(argv[1], "remove-member") == 0)
        return keys_remove_member(o, argv[2]);
    if (argc == 3 && strcmp(argv[1], "join") == 0)
        return keys_join(o, argv[2]);
    if (argc >= 2 && strcmp(argv[1], "passphrase") == 0) {
        const char *nf = NULL;
        int i = 2;

        if (argc == 2)
            return keys_passphrase(o, NULL);
        if (argc <= 4 &&
            case_opt("--new-passphrase-file", argc, argv, &i, &nf) > 0 &&
            i == argc - 1)
            return keys_passphrase(o, nf);
    }
    fputs(KEYS_USAGE, stderr);
    return CASE_USAGE;
}
