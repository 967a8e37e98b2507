/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * Unit tests for key ids, organisation keys, the public key bundle, the
 * fingerprint (protocol sections 1 and 3) and the key file (section 4):
 * round trips, every refusal of a bundle, wrong passphrase, truncation at
 * every length, absurd Argon2 parameters refused without hashing, mode
 * 0600 and the atomic write.
 */
#include "bundle.h"
#include "check.h"
#include "keyfile.h"

#include <dirent.h>
#include <errno.h>
#include <jansson.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static const struct umbra_kdf_params small = {8192, 1, 1};

static double
now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int
keys_equal(const struct umbra_org_keys *a, const struct umbra_org_keys *b)
{
    return memcmp(a, b, sizeof(*a)) == 0;
}

static void
test_org_keys(void)
{
    struct umbra_org_keys *k = NULL;
    uint8_t id[8];
    char today[11];
    unsigned i;
    int rc;

    CHECK(umbra_org_keys_new(&k, "-bad") == UMBRA_ERR_FORMAT && k == NULL,
          "slug starting with -");
    CHECK(umbra_org_keys_new(&k, "Demo") == UMBRA_ERR_FORMAT, "upper case");
    CHECK(umbra_org_keys_new(&k, "") == UMBRA_ERR_FORMAT, "empty slug");
    CHECK(umbra_org_keys_new(&k,
                             "a234567890123456789012345678901234567890"
                             "123456789012345678901234") == UMBRA_ERR_FORMAT,
          "64-character slug");
    rc = umbra_org_keys_new(&k, "sw-collective-2");
    CHECK(rc == 0 && k != NULL && k->nkeys == 1, "new keys");
    if (k == NULL)
        return;
    umbra_today(today);
    CHECK(strcmp(k->created, today) == 0 &&
              strcmp(k->enc[0].created, today) == 0,
          "dated today");
    umbra_key_id(id, k->enc[0].pk);
    CHECK(memcmp(id, k->enc[0].id, 8) == 0, "key id filled in");
    for (i = 1; i < UMBRA_MAX_ORG_KEYS; i++)
        rc |= umbra_org_keys_add(k);
    CHECK(rc == 0 && k->nkeys == 16, "rotate up to 16 keys");
    CHECK(umbra_org_keys_add(k) == UMBRA_ERR_TOO_LONG && k->nkeys == 16,
          "17th key refused");
    umbra_org_keys_free(k);
}

static json_t *
key0(json_t *root)
{
    return json_array_get(json_object_get(root, "keys"), 0);
}

/* One change to a bundle: fn applied to the whole object, or member of
 * the top object (of the first key entry when in_key0) set to the JSON
 * text value, or removed when value is NULL. */
struct bundle_edit {
    void (*fn)(json_t *root);
    int in_key0;
    const char *member, *value;
};

/* Parses json after applying e to its object; returns the error. */
static int
parse_modified(const char *json, const struct bundle_edit *e)
{
    json_t *root = json_loads(json, 0, NULL), *obj;
    struct umbra_bundle b;
    char *s;
    int rc;

    if (root == NULL)
        abort();
    obj = e->in_key0 ? key0(root) : root;
    if (e->fn != NULL)
        e->fn(root);
    else if (e->value == NULL)
        json_object_del(obj, e->member);
    else
        json_object_set_new(obj, e->member,
                            json_loads(e->value, JSON_DECODE_ANY, NULL));
    s = json_dumps(root, JSON_PRESERVE_ORDER);
    rc = umbra_bundle_parse(&b, s, strlen(s));
    free(s);
    json_decref(root);
    return rc;
}

static void
m_nokeys(json_t *r)
{
    json_array_clear(json_object_get(r, "keys"));
}
static void
m_dupkey(json_t *r)
{
    json_array_append(json_object_get(r, "keys"), key0(r));
}
static void
m_17keys(json_t *r)
{
    int i;
    for (i = 0; i < 16; i++)
        json_array_append(json_object_get(r, "keys"), key0(r));
}
static void
m_noncanon(json_t *r)
{
    /* Last base64 character with non-zero unused bits. */
    json_t *v = json_object_get(r, "signing_key");
    char s[45];
    memcpy(s, json_string_value(v), 45);
    s[42] = s[42] == 'A' ? 'B' : (char)(s[42] ^ 1);
    json_object_set_new(r, "signing_key", json_string(s));
}

static void
test_bundle(void)
{
    struct umbra_org_keys *k = NULL, *other = NULL;
    struct umbra_bundle b;
    char *json = NULL, *json2 = NULL, fp[UMBRA_FINGERPRINT_LEN + 1], fp2[36];
    uint8_t pks[64];
    size_t i;
    static const struct {
        struct bundle_edit e;
        int want;
        const char *what;
    } t[] = {
        {{NULL, 0, "org", "\"demp\""}, UMBRA_ERR_SIGNATURE,
         "org changed after signing"},
        {{NULL, 0, "org", "\"-x\""}, UMBRA_ERR_FORMAT, "bad slug"},
        {{NULL, 0, "created", "\"2026-02-30\""}, UMBRA_ERR_FORMAT,
         "February 30th"},
        {{NULL, 0, "format", "\"umbra.keys/2\""}, UMBRA_ERR_VERSION,
         "format umbra.keys/2"},
        {{NULL, 0, "format", NULL}, UMBRA_ERR_FORMAT, "no format"},
        {{NULL, 0, "signature", NULL}, UMBRA_ERR_FORMAT, "no signature"},
        {{NULL, 0, "signature", "1"}, UMBRA_ERR_FORMAT,
         "signature not a string"},
        {{NULL, 0, "comment", "\"ignored\""}, 0, "unknown member ignored"},
        {{m_nokeys, 0, NULL, NULL}, UMBRA_ERR_FORMAT, "no keys"},
        {{NULL, 1, "id", "\"0000000000000000\""}, UMBRA_ERR_FORMAT,
         "key id not the key's"},
        {{NULL, 1, "created", "\"26-11-29\""}, UMBRA_ERR_FORMAT,
         "key date malformed"},
        {{NULL, 0, "signing_key", "\"AAAA\""}, UMBRA_ERR_FORMAT,
         "short signing key"},
        {{m_dupkey, 0, NULL, NULL}, UMBRA_ERR_FORMAT, "same key twice"},
        {{m_17keys, 0, NULL, NULL}, UMBRA_ERR_FORMAT, "17 keys"},
        {{m_noncanon, 0, NULL, NULL}, UMBRA_ERR_FORMAT,
         "non-canonical base64"},
    };

    if (umbra_org_keys_new(&k, "demo") != 0 || umbra_org_keys_add(k) != 0 ||
        umbra_org_keys_new(&other, "demo") != 0)
        abort();
    CHECK(umbra_bundle_export(&json, k) == 0 && json != NULL, "export");
    if (json == NULL)
        abort();
    CHECK(umbra_bundle_parse(&b, json, strlen(json)) == 0, "parse own export");
    CHECK(strcmp(b.org, "demo") == 0 && b.nkeys == 2 &&
              memcmp(b.sign_pk, k->sign_pk, 32) == 0 &&
              memcmp(b.keys[1].pk, k->enc[1].pk, 32) == 0 &&
              memcmp(b.keys[1].id, k->enc[1].id, 8) == 0 &&
              strcmp(b.keys[0].created, k->enc[0].created) == 0,
          "parsed fields equal the keys");
    umbra_bundle_pks(pks, &b);
    CHECK(memcmp(pks + 32, k->enc[1].pk, 32) == 0, "bundle_pks");
    for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
        int rc = parse_modified(json, &t[i].e);
        CHECK(rc == t[i].want, "%s: got '%s'", t[i].what, umbra_strerror(rc));
    }
    {
        /* Duplicate members are refused even when the values agree. */
        const char *dup = "{\"org\":\"demo\",\"org\":\"demo\"}";
        char *big = malloc(UMBRA_BUNDLE_MAX_BYTES + 1);
        CHECK(umbra_bundle_parse(&b, dup, strlen(dup)) == UMBRA_ERR_FORMAT,
              "duplicate member");
        CHECK(umbra_bundle_parse(&b, "{", 1) == UMBRA_ERR_FORMAT,
              "invalid JSON");
        CHECK(umbra_bundle_parse(&b, "[]", 2) == UMBRA_ERR_FORMAT,
              "not an object");
        if (big == NULL)
            abort();
        memset(big, ' ', UMBRA_BUNDLE_MAX_BYTES + 1);
        memcpy(big, json, strlen(json));
        CHECK_CAP(umbra_bundle_parse, &b, big, UMBRA_BUNDLE_MAX_BYTES);
        free(big);
    }
    /* Another organisation's signature over this bundle's text. */
    memcpy(other->slug, k->slug, sizeof(k->slug));
    memcpy(other->created, k->created, sizeof(k->created));
    memcpy(other->enc, k->enc, sizeof(k->enc));
    other->nkeys = k->nkeys;
    CHECK(umbra_bundle_export(&json2, other) == 0, "export other");
    {
        json_t *a = json_loads(json, 0, NULL), *o = json_loads(json2, 0, NULL);
        char *s;
        json_object_set(a, "signature", json_object_get(o, "signature"));
        s = json_dumps(a, 0);
        CHECK(umbra_bundle_parse(&b, s, strlen(s)) == UMBRA_ERR_SIGNATURE,
              "signature by another key");
        free(s);
        json_decref(a);
        json_decref(o);
    }
    umbra_fingerprint(fp, k->sign_pk);
    umbra_fingerprint(fp2, other->sign_pk);
    CHECK(strlen(fp) == UMBRA_FINGERPRINT_LEN && fp[5] == ' ' &&
              fp[29] == ' ' && strspn(fp, "0123456789 ") == 35,
          "fingerprint shape '%s'", fp);
    CHECK(strcmp(fp, fp2) != 0, "different keys, different fingerprints");
    free(json);
    free(json2);
    umbra_org_keys_free(k);
    umbra_org_keys_free(other);
}

static int
count_entries(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    int n = 0;

    if (d == NULL)
        return -1;
    while ((e = readdir(d)) != NULL)
        if (e->d_name[0] != '.')
            n++;
    closedir(d);
    return n;
}

static uint8_t *
read_all(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    uint8_t *buf = malloc(70000);

    *len = 0;
    if (f == NULL || buf == NULL)
        abort();
    *len = fread(buf, 1, 70000, f);
    fclose(f);
    return buf;
}

static void
set32(uint8_t *b, uint32_t v)
{
    b[0] = (uint8_t)v;
    b[1] = (uint8_t)(v >> 8);
    b[2] = (uint8_t)(v >> 16);
    b[3] = (uint8_t)(v >> 24);
}

static void
test_keyfile(void)
{
    char dir[] = "/tmp/umbra-keyfile-XXXXXX", path[256], sub[300];
    struct umbra_org_keys *k = NULL, *got = NULL;
    struct stat st;
    uint8_t *buf, *copy, *copy2 = NULL;
    size_t len, cut, len2 = 0;
    unsigned slow = 0, bad = 0;
    double t0, worst = 0;
    int rc;
    static const struct {
        uint32_t m, t, p;
        const char *what;
    } absurd[] = {
        {0xFFFFFFFFu, 1, 1, "m = 2^32 - 1 KiB"},
        {0xFFFFFFFFu, 0, 0, "m = 2^32 - 1 KiB, t = 0, p = 0"},
        {65536, 0, 1, "t = 0"},
        {65536, 1, 0, "p = 0"},
        {8191, 1, 1, "m below 8 MiB"},
        {4194305, 1, 1, "m above 4 GiB"},
        {65536, 65, 1, "t = 65"},
        {65536, 0xFFFFFFFFu, 1, "t = 2^32 - 1"},
        {65536, 1, 65, "p = 65"},
        /* within the old bounds (4 GiB, 64 passes, 64 lanes): a tampered
         * header chose hours of hashing before the tag was checked */
        {4194304, 64, 64, "4 GiB x 64 passes x 64 lanes (the old maximum)"},
        {1048577, 1, 1, "m above 1 GiB"},
        {65536, 17, 1, "t = 17"},
        {65536, 1, 17, "p = 17"},
        {1048576, 2, 4, "1 GiB x 2 passes: above 1 GiB-pass"},
        {131072, 9, 4, "128 MiB x 9 passes: above 1 GiB-pass"},
        {0, 0, 0, "all zero"},
    };
    size_t i;

    if (mkdtemp(dir) == NULL)
        abort();
    snprintf(path, sizeof(path), "%s/org.key", dir);
    if (umbra_org_keys_new(&k, "demo") != 0 || umbra_org_keys_add(k) != 0)
        abort();
    CHECK(UMBRA_KDF_DEFAULT.m_kib == 65536 && UMBRA_KDF_DEFAULT.t == 3 &&
              UMBRA_KDF_DEFAULT.p == 4,
          "defaults are RFC 9106's second option");
    rc = umbra_keyfile_write(path, k, "correct horse", 13, &small);
    CHECK(rc == 0, "write: %s", umbra_strerror(rc));
    CHECK(stat(path, &st) == 0 && (st.st_mode & 0777) == 0600,
          "key file mode is 0600");
    CHECK(count_entries(dir) == 1, "no temporary file left behind");
    rc = umbra_keyfile_read(&got, path, "correct horse", 13);
    CHECK(rc == 0 && got != NULL && keys_equal(k, got),
          "read back the same keys: %s", umbra_strerror(rc));
    umbra_org_keys_free(got);
    got = NULL;
    rc = umbra_keyfile_read(&got, path, "correct horsf", 13);
    CHECK(rc == UMBRA_ERR_DECRYPT && got == NULL, "wrong passphrase");
    CHECK(strcmp(umbra_strerror(rc), "wrong passphrase or damaged file") == 0,
          "the error says what it is");
    /* Overwrite with two lanes: the old file is replaced whole. */
    {
        struct umbra_kdf_params two = {8192, 1, 2};
        CHECK(umbra_keyfile_write(path, k, "new", 3, &two) == 0,
              "overwrite with p = 2");
        CHECK(umbra_keyfile_read(&got, path, "new", 3) == 0 &&
                  keys_equal(k, got),
              "p = 2 reads back");
        umbra_org_keys_free(got);
        got = NULL;
        CHECK(umbra_keyfile_read(&got, path, "correct horse", 13) ==
                  UMBRA_ERR_DECRYPT,
              "old passphrase no longer opens it");
        CHECK(umbra_keyfile_write(path, k, "x", 1, &small) == 0, "rewrite");
    }
    /* A failed write leaves the old file and no temporary file. */
    snprintf(sub, sizeof(sub), "%s/sub", dir);
    if (mkdir(sub, 0700) != 0)
        abort();
    CHECK(umbra_keyfile_write(sub, k, "x", 1, &small) == UMBRA_ERR_IO,
          "cannot rename over a folder");
    CHECK(count_entries(dir) == 2, "failed write leaves no temporary file");
    rmdir(sub);
    snprintf(sub, sizeof(sub), "%s/missing/org.key", dir);
    CHECK(umbra_keyfile_write(sub, k, "x", 1, &small) == UMBRA_ERR_IO &&
              errno == ENOENT,
          "missing folder: IO error with errno kept");
    {
        struct umbra_kdf_params zero = {0, 0, 0};
        CHECK(umbra_keyfile_write(path, k, "x", 1, &zero) == UMBRA_ERR_PARAMS,
              "writing with absurd params refused");
    }

    buf = read_all(path, &len);
    copy = malloc(len + 1);
    if (copy == NULL)
        abort();
    /* Truncation at every length fails; below the minimum, without any
     * hashing. */
    for (cut = 0; cut < len; cut++) {
        t0 = now_ms();
        rc = umbra_keyfile_decode(&got, buf, cut, "x", 1);
        if (rc == 0 || got != NULL)
            bad++;
        if (cut < 64 + 16 + 159 && now_ms() - t0 > 5)
            slow++;
    }
    CHECK(bad == 0, "%u truncated key files were accepted", bad);
    CHECK(slow == 0, "%u short key files took time (hashing?)", slow);
    CHECK(umbra_keyfile_decode(&got, buf, 63, "x", 1) == UMBRA_ERR_TRUNCATED,
          "63 bytes: truncated");
    CHECK(umbra_keyfile_decode(&got, buf, len, "x", 1) == 0, "intact decodes");
    umbra_org_keys_free(got);
    got = NULL;

    for (i = 0; i < sizeof(absurd) / sizeof(absurd[0]); i++) {
        double ms;
        memcpy(copy, buf, len);
        set32(copy + 12, absurd[i].m);
        set32(copy + 16, absurd[i].t);
        set32(copy + 20, absurd[i].p);
        t0 = now_ms();
        rc = umbra_keyfile_decode(&got, copy, len, "x", 1);
        ms = now_ms() - t0;
        if (ms > worst)
            worst = ms;
        CHECK(rc == UMBRA_ERR_PARAMS && ms < 50, "%s: %s in %.1f ms",
              absurd[i].what, umbra_strerror(rc), ms);
    }
    printf("absurd parameters refused in at most %.3f ms\n", worst);
    {
        /* passphrase length (section 4): 1 to 1024 bytes */
        static char pw[UMBRA_PASSPHRASE_MAX + 2];
        memset(pw, 'p', sizeof(pw) - 1);
        CHECK(umbra_keyfile_decode(&got, buf, len, pw, 1025) ==
                  UMBRA_ERR_TOO_LONG,
              "reading with a 1025-byte passphrase: too long");
        memcpy(copy, buf, len);
        copy[0] = 'X';
        CHECK(umbra_keyfile_decode(&got, copy, len, pw, 1025) ==
                  UMBRA_ERR_TOO_LONG,
              "the passphrase length is checked before the header");
        CHECK(umbra_keyfile_decode(&got, buf, len, pw, 1024) ==
                  UMBRA_ERR_DECRYPT,
              "1024 bytes: tried (and wrong)");
        CHECK(umbra_keyfile_decode(&got, buf, len, "", 0) == UMBRA_ERR_DECRYPT,
              "an empty passphrase is tried too (and wrong)");
        CHECK(umbra_keyfile_encode(&copy2, &len2, k, pw, 1025, &small) ==
                  UMBRA_ERR_TOO_LONG,
              "writing with a 1025-byte passphrase: too long");
        CHECK(umbra_keyfile_encode(&copy2, &len2, k, "", 0, &small) ==
                  UMBRA_ERR_ARG,
              "writing with an empty passphrase: invalid argument");
    }
    {
        /* the largest parameters section 4 allows stay allowed */
        static const struct umbra_kdf_params edge[] = {{1048576, 1, 16},
                                                       {131072, 8, 1},
                                                       {65536, 16, 16},
                                                       {8192, 16, 1},
                                                       {65536, 3, 4}};
        for (i = 0; i < sizeof(edge) / sizeof(edge[0]); i++)
            CHECK(umbra_kdf_params_check(&edge[i]) == 0,
                  "m = %u KiB, t = %u, p = %u is within the bounds",
                  (unsigned)edge[i].m_kib, (unsigned)edge[i].t,
                  (unsigned)edge[i].p);
    }

    memcpy(copy, buf, len);
    copy[0] = 'X';
    CHECK(umbra_keyfile_decode(&got, copy, len, "x", 1) == UMBRA_ERR_FORMAT,
          "bad magic");
    memcpy(copy, buf, len);
    copy[8] = 2;
    CHECK(umbra_keyfile_decode(&got, copy, len, "x", 1) == UMBRA_ERR_VERSION,
          "version 2");
    memcpy(copy, buf, len);
    copy[9] = 2;
    CHECK(umbra_keyfile_decode(&got, copy, len, "x", 1) == UMBRA_ERR_FORMAT,
          "unknown kdf");
    memcpy(copy, buf, len);
    copy[30] ^= 1;
    CHECK(umbra_keyfile_decode(&got, copy, len, "x", 1) == UMBRA_ERR_DECRYPT,
          "salt changed");
    memcpy(copy, buf, len);
    copy[len - 20] ^= 0x40;
    CHECK(umbra_keyfile_decode(&got, copy, len, "x", 1) == UMBRA_ERR_DECRYPT,
          "ciphertext changed");
    memcpy(copy, buf, len);
    copy[len] = 0;
    CHECK(umbra_keyfile_decode(&got, copy, len + 1, "x", 1) ==
              UMBRA_ERR_DECRYPT,
          "one byte appended");
    CHECK(umbra_keyfile_decode(&got, copy, 65537, "x", 1) == UMBRA_ERR_TOO_LONG,
          "over 64 KiB");
    CHECK(got == NULL, "nothing returned on failure");
    free(copy);
    free(buf);
    unlink(path);
    rmdir(dir);
    umbra_org_keys_free(k);
}

/*
 * umbra_bundle_export_keys: a bundle signed by one key set that lists
 * other keys (one organisation, several caseworkers, each holding only its
 * own secret key) parses and verifies, lists exactly the given keys in
 * order, and every member of it can open an envelope sealed to it; the
 * caps and refusals.
 */
static void
test_bundle_keys(void)
{
    struct umbra_org_keys *admin = NULL, *m[17] = {NULL};
    struct umbra_enc_key keys[17];
    struct umbra_bundle b;
    uint8_t pks[17 * 32], *env = NULL, *pt = NULL;
    size_t env_len = 0, pt_len = 0;
    char *json = NULL, *plain = NULL;
    unsigned i, n;
    int ok = 1;

    if (umbra_org_keys_new(&admin, "collective") != 0)
        goto out;
    keys[0] = admin->enc[0];
    for (i = 0; i < 16; i++) {
        if (umbra_org_keys_new(&m[i], "collective") != 0)
            goto out;
        keys[i + 1] = m[i]->enc[0];
    }
    /* admin + 3 members */
    CHECK(umbra_bundle_export_keys(&json, admin, keys, 4) == 0 &&
              json != NULL,
          "export of 4 keys signed by the organisation");
    if (json == NULL)
        goto out;
    CHECK(umbra_bundle_parse(&b, json, strlen(json)) == 0, "it verifies");
    CHECK(b.nkeys == 4 && strcmp(b.org, "collective") == 0 &&
              strcmp(b.created, admin->created) == 0 &&
              memcmp(b.sign_pk, admin->sign_pk, 32) == 0,
          "named, dated and signed by the organisation");
    for (i = 0; i < 4; i++)
        if (memcmp(b.keys[i].pk, keys[i].pk, 32) != 0 ||
            memcmp(b.keys[i].id, keys[i].id, 8) != 0 ||
            strcmp(b.keys[i].created, keys[i].created) != 0)
            ok = 0;
    CHECK(ok, "lists exactly the given keys, in order");
    /* every member opens an envelope sealed to the bundle */
    umbra_bundle_pks(pks, &b);
    CHECK(umbra_envelope_seal(&env, &env_len, pks, b.nkeys,
                              (const uint8_t *)"hello", 5) == 0,
          "seal to the bundle");
    for (i = 0; i < 3 && env != NULL; i++) {
        unsigned which = 99;
        int rc = umbra_envelope_open(&pt, &pt_len, &which, &m[i]->enc_sk[0][0],
                                     m[i]->enc[0].pk, 1, env, env_len);
        CHECK(rc == 0 && pt_len == 5 && memcmp(pt, "hello", 5) == 0 &&
                  which == 0,
              "member %u opens it with its own key only", i);
        umbra_secret_free(pt);
        pt = NULL;
    }
    if (env != NULL)
        CHECK(umbra_envelope_open(&pt, &pt_len, NULL, &m[5]->enc_sk[0][0],
                                  m[5]->enc[0].pk, 1, env,
                                  env_len) == UMBRA_ERR_NO_KEY,
              "a key not in the bundle cannot open it");
    umbra_secret_free(pt);
    pt = NULL;
    free(env);
    env = NULL;
    /* the old function is the new one with the signer's own keys */
    CHECK(umbra_bundle_export(&plain, admin) == 0, "plain export");
    free(json);
    json = NULL;
    CHECK(umbra_bundle_export_keys(&json, admin, admin->enc, admin->nkeys) ==
                  0 &&
              plain != NULL && strcmp(json, plain) == 0,
          "umbra_bundle_export is export_keys with the signer's keys");
    free(json);
    json = NULL;
    /* 16 keys fit, 17 do not */
    CHECK(umbra_bundle_export_keys(&json, admin, keys, 16) == 0 &&
              umbra_bundle_parse(&b, json, strlen(json)) == 0 &&
              b.nkeys == 16,
          "16 keys");
    free(json);
    json = (char *)1;
    CHECK(umbra_bundle_export_keys(&json, admin, keys, 17) ==
                  UMBRA_ERR_TOO_LONG &&
              json == NULL,
          "17 keys refused, nothing returned");
    CHECK(umbra_bundle_export_keys(&json, admin, keys, 0) == UMBRA_ERR_ARG &&
              json == NULL,
          "no key refused");
    CHECK(umbra_bundle_export_keys(&json, admin, NULL, 1) == UMBRA_ERR_ARG,
          "NULL keys refused");
    CHECK(umbra_bundle_export_keys(NULL, admin, keys, 1) == UMBRA_ERR_ARG,
          "NULL output refused");
    /* a key listed twice, a key id that is not the key's, a bad date */
    keys[2] = keys[1];
    CHECK(umbra_bundle_export_keys(&json, admin, keys, 3) == UMBRA_ERR_ARG &&
              json == NULL,
          "the same key twice refused");
    keys[2] = m[1]->enc[0];
    keys[2].id[0] ^= 1;
    CHECK(umbra_bundle_export_keys(&json, admin, keys, 3) == UMBRA_ERR_ARG,
          "a key id that is not the key's refused");
    keys[2] = m[1]->enc[0];
    memcpy(keys[2].created, "2026-02-30", 11);
    CHECK(umbra_bundle_export_keys(&json, admin, keys, 3) == UMBRA_ERR_ARG,
          "an impossible date refused");
    keys[2] = m[1]->enc[0];
    /* a bundle signed by a member's own key is another signer */
    n = 2;
    CHECK(umbra_bundle_export_keys(&json, m[0], keys, n) == 0 &&
              umbra_bundle_parse(&b, json, strlen(json)) == 0 &&
              memcmp(b.sign_pk, admin->sign_pk, 32) != 0,
          "signed by whoever signs: the signing key tells them apart");
out:
    CHECK(admin != NULL && m[15] != NULL, "key generation");
    free(json);
    free(plain);
    umbra_org_keys_free(admin);
    for (i = 0; i < 17; i++)
        umbra_org_keys_free(m[i]);
}

/* Parses s (NUL-terminated) into *b; returns the error. */
static int
parse_str(struct umbra_bundle *b, const char *s)
{
    return umbra_bundle_parse(b, s, strlen(s));
}

/* json with its "serial" member set to the JSON text v (via jansson). */
static char *
with_serial(const char *json, const char *v)
{
    json_t *root = json_loads(json, 0, NULL), *val;
    char *s;

    val = json_loads(v, JSON_DECODE_ANY, NULL);
    if (root == NULL || val == NULL)
        abort();
    json_object_set_new(root, "serial", val);
    s = json_dumps(root, JSON_PRESERVE_ORDER);
    json_decref(root);
    return s;
}

/*
 * Bundle serials (section 3): absent = 0 with the old signed text; present
 * = signed; only integers 1 .. 2^53 - 1; and umbra_bundle_may_replace, the
 * rule against a rollback to an old bundle.
 */
static void
test_bundle_serial(void)
{
    struct umbra_org_keys *k = NULL, *other = NULL;
    struct umbra_enc_key keys[2];
    struct umbra_bundle b0, b5, b6, b6x, bo;
    char *j0 = NULL, *j5 = NULL, *j6 = NULL, *j6x = NULL, *jo = NULL, *t;
    char text[UMBRA_SIGNED_TEXT_MAX];
    size_t i;
    static const char *const bad[] = {"0",    "-1",   "\"5\"",
                                      "5.0",  "5e0",  "9007199254740992",
                                      "true", "null", "[5]"};

    if (umbra_org_keys_new(&k, "serials") != 0 ||
        umbra_org_keys_new(&other, "serials") != 0)
        abort();
    keys[0] = k->enc[0];
    keys[1] = other->enc[0];
    CHECK(umbra_bundle_export_serial(&j0, k, keys, 1, 0) == 0 &&
              strstr(j0, "\"serial\"") == NULL,
          "serial 0 writes no serial member");
    CHECK(umbra_bundle_export_serial(&j5, k, keys, 2, 5) == 0 &&
              parse_str(&b5, j5) == 0 && b5.serial == 5,
          "serial 5 verifies and reads back");
    CHECK(strstr(j5, "\"created\": \"") < strstr(j5, "\"serial\": 5,") &&
              strstr(j5, "\"serial\": 5,") < strstr(j5, "\"signing_key\""),
          "serial written between created and signing_key");
    CHECK(umbra_bundle_signed_text(text, sizeof(text), &b5) > 0 &&
              strstr(text, "\ncreated ") != NULL &&
              strstr(text, "\nserial 5\nsigning_key ") != NULL,
          "signed text: the line 'serial 5' after created");
    CHECK(parse_str(&b0, j0) == 0 && b0.serial == 0 &&
              umbra_bundle_signed_text(text, sizeof(text), &b0) > 0 &&
              strstr(text, "\nserial ") == NULL,
          "no serial: 0, and the signed text of bundles before serials");
    /* the serial is signed: changing it breaks the signature */
    t = with_serial(j5, "6");
    CHECK(parse_str(&bo, t) == UMBRA_ERR_SIGNATURE, "serial 5 -> 6: signature");
    free(t);
    t = with_serial(j0, "1");
    CHECK(parse_str(&bo, t) == UMBRA_ERR_SIGNATURE,
          "a serial added to an old bundle: signature");
    free(t);
    {
        json_t *r = json_loads(j5, 0, NULL);
        json_object_del(r, "serial");
        t = json_dumps(r, JSON_PRESERVE_ORDER);
        json_decref(r);
        CHECK(parse_str(&bo, t) == UMBRA_ERR_SIGNATURE,
              "the serial removed: signature");
        free(t);
    }
    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        t = with_serial(j5, bad[i]);
        CHECK(parse_str(&bo, t) == UMBRA_ERR_FORMAT, "serial %s: format",
              bad[i]);
        free(t);
    }
    CHECK(umbra_bundle_export_serial(
              &jo, k, keys, 1, UMBRA_BUNDLE_SERIAL_MAX + 1) == UMBRA_ERR_ARG &&
              jo == NULL,
          "export above 2^53 - 1 refused");
    CHECK(umbra_bundle_export_serial(&jo, k, keys, 1,
                                     UMBRA_BUNDLE_SERIAL_MAX) == 0 &&
              parse_str(&bo, jo) == 0 && bo.serial == UMBRA_BUNDLE_SERIAL_MAX,
          "2^53 - 1 verifies");
    free(jo);
    jo = NULL;

    /* rollback: 6 (member removed) must not be replaced by 5 (listing it) */
    CHECK(umbra_bundle_export_serial(&j6, k, keys, 1, 6) == 0 &&
              parse_str(&b6, j6) == 0,
          "serial 6");
    CHECK(umbra_bundle_may_replace(&b5, &b6) == 0, "5 -> 6 allowed");
    CHECK(umbra_bundle_may_replace(&b6, &b5) == UMBRA_ERR_ROLLBACK,
          "6 -> 5 is a rollback");
    CHECK(umbra_bundle_may_replace(&b6, &b0) == UMBRA_ERR_ROLLBACK,
          "6 -> a bundle without serial is a rollback");
    CHECK(umbra_bundle_may_replace(&b0, &b5) == 0,
          "a bundle without serial -> 5 allowed");
    CHECK(umbra_bundle_may_replace(&b6, &b6) == 0, "the same bundle again");
    CHECK(umbra_bundle_export_serial(&j6x, k, keys, 2, 6) == 0 &&
              parse_str(&b6x, j6x) == 0 &&
              umbra_bundle_may_replace(&b6, &b6x) == UMBRA_ERR_ROLLBACK,
          "other keys under the same serial refused");
    CHECK(umbra_bundle_export_serial(&jo, other, keys, 1, 9) == 0 &&
              parse_str(&bo, jo) == 0 &&
              umbra_bundle_may_replace(&b6, &bo) == UMBRA_ERR_ARG,
          "another signing key: not comparable (ARG)");
    CHECK(strcmp(umbra_strerror(UMBRA_ERR_ROLLBACK),
                 "older than the key bundle already held") == 0,
          "the rollback error's phrase");
    free(j0);
    free(j5);
    free(j6);
    free(j6x);
    free(jo);
    umbra_org_keys_free(k);
    umbra_org_keys_free(other);
}

/* json with the first occurrence of from replaced by to (malloc'd). */
static char *
replace1(const char *json, const char *from, const char *to)
{
    const char *at = strstr(json, from);
    size_t a, f = strlen(from), t = strlen(to), n = strlen(json);
    char *out;

    if (at == NULL)
        abort();
    a = (size_t)(at - json);
    out = malloc(n - f + t + 1);
    if (out == NULL)
        abort();
    memcpy(out, json, a);
    memcpy(out + a, to, t);
    memcpy(out + a + t, at + f, n - a - f + 1);
    return out;
}

/* "\"deep\": " then depth nested arrays, then ", \"org\"" (malloc'd). */
static char *
nested(unsigned depth)
{
    char *s = malloc(2u * depth + 24);
    size_t p = 0;
    unsigned i;

    if (s == NULL)
        abort();
    memcpy(s, "\"deep\": ", 8);
    p = 8;
    for (i = 0; i < depth; i++)
        s[p++] = '[';
    for (i = 0; i < depth; i++)
        s[p++] = ']';
    memcpy(s + p, ", \"org\"", 8);
    return s;
}

/*
 * The error of each refusal of protocol section 3, and which wins when
 * several apply (the order of the checks), as the protocol states them.
 */
static void
test_bundle_errors(void)
{
    static const struct {
        const char *from, *to;
        int want;
        const char *label;
    } edits[] = {
        {"\"org\": \"errs\"", "\"org\": \"er\\u0000rs\"", UMBRA_ERR_FORMAT,
         "\\u0000 in a value: format"},
        {"\"org\"", "\"x\": \"a\\u0000b\", \"org\"", UMBRA_ERR_FORMAT,
         "\\u0000 in an unknown member: format"},
        {"\"org\"", "\"x\": \"\\ud800\", \"org\"", UMBRA_ERR_FORMAT,
         "a lone high surrogate: format"},
        {"\"org\"", "\"x\": \"\\udc00x\", \"org\"", UMBRA_ERR_FORMAT,
         "a lone low surrogate: format"},
        {"\"org\"", "\"x\": \"\\ud83d\\ude00\", \"org\"", 0,
         "a surrogate pair in an unknown member: ok"},
        {"\"org\"", "\"x\": \"\xff\", \"org\"", UMBRA_ERR_FORMAT,
         "invalid UTF-8: format"},
        {"\"org\"", "\"org\": \"errs\", \"org\"", UMBRA_ERR_FORMAT,
         "duplicate member: format"},
        {"\"x25519\"", "\"id\": \"00\", \"x25519\"", UMBRA_ERR_FORMAT,
         "duplicate member in a key entry: format"},
        {"\"format\": \"umbra.keys/1\"", "\"format\": 1", UMBRA_ERR_FORMAT,
         "format not a string: format"},
    };
    struct umbra_org_keys *k = NULL;
    struct umbra_bundle b;
    char *json = NULL, *t, *u, *d;
    char id[17], up[17];
    size_t i, n;

    if (umbra_org_keys_new(&k, "errs") != 0 || umbra_bundle_export(&json, k))
        abort();
    n = strlen(json);
    /* 64 KiB: the text, before parsing; white space up to it is fine */
    t = malloc(UMBRA_BUNDLE_MAX_BYTES + 2);
    if (t == NULL)
        abort();
    memcpy(t, json, n);
    memset(t + n, ' ', UMBRA_BUNDLE_MAX_BYTES + 1 - n);
    t[UMBRA_BUNDLE_MAX_BYTES + 1] = 0;
    CHECK(umbra_bundle_parse(&b, t, UMBRA_BUNDLE_MAX_BYTES) == 0,
          "65,536 bytes (white space after the object) verify");
    CHECK(umbra_bundle_parse(&b, t, UMBRA_BUNDLE_MAX_BYTES + 1) ==
              UMBRA_ERR_TOO_LONG,
          "65,537 bytes: too long");
    memset(t, '[', UMBRA_BUNDLE_MAX_BYTES + 1);
    CHECK(umbra_bundle_parse(&b, t, UMBRA_BUNDLE_MAX_BYTES + 1) ==
              UMBRA_ERR_TOO_LONG,
          "65,537 bytes of garbage: too long (the size wins)");
    free(t);
    /* JSON the parser refuses: FORMAT, wherever it is; duplicate members
     * at the top and in a key entry; the format not a string */
    for (i = 0; i < sizeof edits / sizeof edits[0]; i++) {
        t = replace1(json, edits[i].from, edits[i].to);
        CHECK(parse_str(&b, t) == edits[i].want, "%s", edits[i].label);
        free(t);
    }
    /* nesting: jansson's limit, 2048 levels counting the top object */
    d = nested(2047);
    t = replace1(json, "\"org\"", d);
    CHECK(parse_str(&b, t) == 0,
          "an unknown member 2,047 arrays deep (2,048 levels): ignored");
    free(t);
    free(d);
    d = nested(2048);
    t = replace1(json, "\"org\"", d);
    CHECK(parse_str(&b, t) == UMBRA_ERR_FORMAT,
          "2,048 arrays deep (2,049 levels): format");
    free(t);
    free(d);
    /* a key id in uppercase hex is not the key id */
    umbra_hex(id, k->enc[0].id, 8);
    for (i = 0; i < 16; i++)
        up[i] = (char)(id[i] >= 'a' && id[i] <= 'f' ? id[i] - 32 : id[i]);
    up[16] = 0;
    CHECK(strcmp(id, up) != 0, "the key id has a hex letter to change");
    t = replace1(json, id, up);
    CHECK(parse_str(&b, t) == UMBRA_ERR_FORMAT, "uppercase hex key id: format");
    free(t);
    /* precedence */
    t = replace1(json, "umbra.keys/1", "umbra.keys/2");
    u = replace1(t, "\"org\": \"errs\"", "\"org\": \"ERRS\"");
    CHECK(parse_str(&b, u) == UMBRA_ERR_VERSION,
          "another format and a bad slug: version (format comes first)");
    free(u);
    u = replace1(t, "\"org\"", "\"org\": 1, \"org\"");
    CHECK(parse_str(&b, u) == UMBRA_ERR_FORMAT,
          "another format and a duplicate member: format (parsing first)");
    free(u);
    free(t);
    t = replace1(json, "\"org\": \"errs\"", "\"org\": \"errt\"");
    CHECK(parse_str(&b, t) == UMBRA_ERR_SIGNATURE, "a changed slug: signature");
    u = replace1(t, id, up);
    CHECK(parse_str(&b, u) == UMBRA_ERR_FORMAT,
          "a bad field and a bad signature: format (signature last)");
    free(u);
    free(t);
    CHECK(umbra_bundle_parse(&b, "[]", 2) == UMBRA_ERR_FORMAT,
          "top level not an object: format");
    free(json);
    umbra_org_keys_free(k);
}

/* ---- the bundle's signers (protocol section 3, "signers") ------------- */

/* json with signer idx's member set to the JSON text v (removed if NULL);
 * idx -1: the top member "signers" itself. malloc'd. */
static char *
with_signer(const char *json, int idx, const char *member, const char *v)
{
    json_t *root = json_loads(json, 0, NULL), *obj;
    char *s;

    if (root == NULL)
        abort();
    obj = idx < 0 ? root
                  : json_array_get(json_object_get(root, "signers"),
                                   (size_t)idx);
    if (obj == NULL)
        abort();
    if (v == NULL)
        json_object_del(obj, member);
    else
        json_object_set_new(obj, member, json_loads(v, JSON_DECODE_ANY, NULL));
    s = json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    json_decref(root);
    return s;
}

static void
signer_set(struct umbra_signer *g, const char *name, const uint8_t pk[32],
           const uint8_t *key_id, unsigned may)
{
    memset(g, 0, sizeof(*g));
    snprintf(g->name, sizeof(g->name), "%s", name);
    memcpy(g->sign_pk, pk, 32);
    if (key_id != NULL) {
        g->has_key = 1;
        memcpy(g->key_id, key_id, 8);
    }
    g->may = may;
}

static void
test_bundle_signers(void)
{
    static const struct {
        int idx;
        const char *member, *value, *label;
    } bad[] = {
        {-1, "signers", "[]", "signers [] (absence is the only spelling)"},
        {-1, "signers", "{}", "signers an object"},
        {-1, "signers", "\"Ana\"", "signers a string"},
        {-1, "signers", "[1]", "an entry not an object"},
        {0, "name", NULL, "no name"},
        {0, "name", "\"\"", "an empty name"},
        {0, "name", "1", "a name not a string"},
        {0, "name", "\"Ana\\tB\"", "a tab in a name"},
        {0, "name", "\"Ana\\nsigner x\"", "a new line in a name"},
        {0, "name", "\"\\u007f\"", "DEL in a name"},
        {0, "name",
         "\"12345678901234567890123456789012345678901234567890123456789012345"
         "\"",
         "a 65-byte name"},
        {0, "signing_key", NULL, "no signing_key"},
        {0, "signing_key", "\"AAAA\"", "a 3-byte signing_key"},
        {0, "signing_key", "7", "a signing_key not a string"},
        {0, "key", "null", "key null"},
        {0, "key", "\"-\"", "key '-' (absence is its only spelling)"},
        {0, "key", "\"0000000000000000\"", "key not one of the bundle's ids"},
        {0, "may", NULL, "no may"},
        {0, "may", "[]", "may empty"},
        {0, "may", "\"events\"", "may a string"},
        {0, "may", "[\"alerts\", \"events\"]", "may out of order"},
        {0, "may", "[\"events\", \"events\"]", "may with a repeat"},
        {0, "may", "[\"stats\"]", "may an unknown right"},
        {0, "may", "[\"Events\"]", "may in another case"},
        {0, "may", "[1]", "may not strings"},
    };
    struct umbra_org_keys *k = NULL, *ana = NULL, *ben = NULL;
    struct umbra_enc_key keys[3];
    struct umbra_signer sg[UMBRA_MAX_SIGNERS + 1];
    struct umbra_bundle b, b2;
    const struct umbra_signer *g;
    char *json = NULL, *j2 = NULL, *t, *u, id[17];
    char text[UMBRA_SIGNED_TEXT_MAX], pk[45], line[256];
    uint8_t nobody[32];
    size_t i;
    unsigned n;

    if (umbra_org_keys_new(&k, "team") != 0 ||
        umbra_org_keys_new(&ana, "team") != 0 ||
        umbra_org_keys_new(&ben, "team") != 0)
        abort();
    keys[0] = k->enc[0];
    keys[1] = ana->enc[0];
    keys[2] = ben->enc[0];
    signer_set(&sg[0], "Org holder", k->sign_pk, k->enc[0].id,
               UMBRA_MAY_EVENTS);
    signer_set(&sg[1], "Ana Mar\xc3\xad" "a", ana->sign_pk, ana->enc[0].id,
               UMBRA_MAY_EVENTS | UMBRA_MAY_ALERTS);
    signer_set(&sg[2], "Ben", ben->sign_pk, NULL, UMBRA_MAY_ALERTS);
    CHECK(umbra_bundle_export_full(&json, k, keys, 3, 4, sg, 3) == 0 &&
              parse_str(&b, json) == 0,
          "a bundle with three signers exports and verifies");
    CHECK(b.nsigners == 3 && strcmp(b.signers[1].name, sg[1].name) == 0 &&
              b.signers[1].may == 3 && b.signers[1].has_key &&
              memcmp(b.signers[1].key_id, ana->enc[0].id, 8) == 0 &&
              !b.signers[2].has_key && b.signers[2].may == UMBRA_MAY_ALERTS &&
              memcmp(b.signers[2].sign_pk, ben->sign_pk, 32) == 0,
          "the signers read back");
    CHECK(strstr(json, "\"keys\"") < strstr(json, "\"signers\"") &&
              strstr(json, "\"signers\"") < strstr(json, "\"signature\""),
          "signers written between keys and signature");
    umbra_b64(pk, sizeof(pk), ana->sign_pk, 32);
    umbra_hex(id, ana->enc[0].id, 8);
    snprintf(line, sizeof(line), "\nsigner %s %s events,alerts Ana Mar\xc3\xad" "a\n",
             pk, id);
    CHECK(umbra_bundle_signed_text(text, sizeof(text), &b) > 0 &&
              strstr(text, line) != NULL,
          "signed text: the line 'signer <pk> <id> events,alerts <name>'");
    umbra_b64(pk, sizeof(pk), ben->sign_pk, 32);
    snprintf(line, sizeof(line), "\nsigner %s - alerts Ben\n", pk);
    CHECK(strstr(text, line) != NULL &&
              (size_t)(strstr(text, line) - text) + strlen(line) ==
                  strlen(text),
          "signed text: no key is '-', the signer lines last");
    /* who may sign what */
    g = umbra_bundle_signer(&b, ana->sign_pk, UMBRA_MAY_EVENTS);
    CHECK(g != NULL && strcmp(g->name, sg[1].name) == 0, "Ana may sign events");
    CHECK(umbra_bundle_signer(&b, ben->sign_pk, UMBRA_MAY_EVENTS) == NULL &&
              umbra_bundle_signer(&b, ben->sign_pk, UMBRA_MAY_ALERTS) != NULL,
          "Ben may sign alerts, not events");
    CHECK(umbra_bundle_signer(&b, ben->sign_pk,
                              UMBRA_MAY_EVENTS | UMBRA_MAY_ALERTS) == NULL,
          "asking for both: Ben has only one");
    g = umbra_bundle_signer(&b, k->sign_pk, UMBRA_MAY_ALERTS);
    CHECK(g != NULL && strcmp(g->name, "Org holder") == 0 &&
              g->may == (UMBRA_MAY_EVENTS | UMBRA_MAY_ALERTS),
          "the key holder may sign alerts though its entry says events: its "
          "display name");
    memset(nobody, 7, 32);
    CHECK(umbra_bundle_signer(&b, nobody, UMBRA_MAY_EVENTS) == NULL,
          "an unknown key signs nothing");
    CHECK(umbra_bundle_export_full(&j2, k, keys, 3, 4, NULL, 0) == 0 &&
              strstr(j2, "signers") == NULL && parse_str(&b2, j2) == 0 &&
              b2.nsigners == 0,
          "no signers: no member");
    g = umbra_bundle_signer(&b2, k->sign_pk,
                            UMBRA_MAY_EVENTS | UMBRA_MAY_ALERTS);
    CHECK(g != NULL && strcmp(g->name, "team") == 0,
          "no entry for the key holder: named by the org slug, may both");
    CHECK(umbra_bundle_signer(&b2, ana->sign_pk, 0) == NULL,
          "no signers: a member's key signs nothing");
    CHECK(umbra_bundle_may_replace(&b, &b2) == UMBRA_ERR_ROLLBACK,
          "the same serial with other signers: rollback");
    free(j2);
    j2 = NULL;
    /* the signers are signed */
    t = with_signer(json, 1, "name", "\"Ana\"");
    CHECK(parse_str(&b2, t) == UMBRA_ERR_SIGNATURE, "a name changed: signature");
    free(t);
    t = with_signer(json, 1, "may", "[\"events\"]");
    CHECK(parse_str(&b2, t) == UMBRA_ERR_SIGNATURE, "a may cut: signature");
    free(t);
    t = with_signer(json, 1, "key", NULL);
    CHECK(parse_str(&b2, t) == UMBRA_ERR_SIGNATURE, "a key removed: signature");
    free(t);
    t = with_signer(json, -1, "signers", NULL);
    CHECK(parse_str(&b2, t) == UMBRA_ERR_SIGNATURE,
          "the signers removed: signature");
    free(t);
    t = with_signer(json, 2, "extra", "{\"x\": 1}");
    CHECK(parse_str(&b2, t) == 0, "an unknown member in an entry: ignored");
    free(t);
    /* every refusal: format, even with a good signature elsewhere */
    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        t = with_signer(json, bad[i].idx, bad[i].member, bad[i].value);
        CHECK(parse_str(&b2, t) == UMBRA_ERR_FORMAT, "%s: format",
              bad[i].label);
        free(t);
    }
    umbra_b64(pk, sizeof(pk), ana->sign_pk, 32);
    snprintf(line, sizeof(line), "\"%s\"", pk);
    t = with_signer(json, 2, "signing_key", line);
    CHECK(parse_str(&b2, t) == UMBRA_ERR_FORMAT, "two signers alike: format");
    free(t);
    umbra_hex(id, ana->enc[0].id, 8);
    for (i = 0; i < 16; i++)
        line[i] = (char)(id[i] >= 'a' && id[i] <= 'f' ? id[i] - 32 : id[i]);
    line[16] = 0;
    if (strcmp(line, id) != 0) {
        char q[sizeof(line) + 4];
        snprintf(q, sizeof(q), "\"%s\"", line);
        t = with_signer(json, 1, "key", q);
        CHECK(parse_str(&b2, t) == UMBRA_ERR_FORMAT, "key in uppercase: format");
        free(t);
    }
    t = with_signer(json, 1, "name", "\"\"");
    u = replace1(t, "\"org\": \"team\"", "\"org\": \"teal\"");
    CHECK(parse_str(&b2, u) == UMBRA_ERR_FORMAT,
          "a bad signer and a bad signature: format (signature last)");
    free(u);
    free(t);
    {
        /* 17 entries: the count is checked first */
        json_t *r = json_loads(json, 0, NULL);
        json_t *a = json_object_get(r, "signers");
        while (json_array_size(a) < 17)
            json_array_append(a, json_array_get(a, 0));
        t = json_dumps(r, 0);
        json_decref(r);
        CHECK(parse_str(&b2, t) == UMBRA_ERR_FORMAT, "17 signers: format");
        free(t);
    }
    /* what export refuses */
    sg[3] = sg[1];
    CHECK(umbra_bundle_export_full(&j2, k, keys, 3, 4, sg, 4) ==
                  UMBRA_ERR_ARG && j2 == NULL,
          "export: two signers alike");
    sg[3] = sg[2];
    sg[3].sign_pk[0] ^= 1;
    sg[3].may = 0;
    CHECK(umbra_bundle_export_full(&j2, k, keys, 3, 4, sg, 4) == UMBRA_ERR_ARG,
          "export: may 0");
    sg[3].may = 4;
    CHECK(umbra_bundle_export_full(&j2, k, keys, 3, 4, sg, 4) == UMBRA_ERR_ARG,
          "export: an unknown may bit");
    sg[3].may = UMBRA_MAY_EVENTS;
    sg[3].name[0] = '\n';
    CHECK(umbra_bundle_export_full(&j2, k, keys, 3, 4, sg, 4) == UMBRA_ERR_ARG,
          "export: a control character in a name");
    sg[3].name[0] = 0;
    CHECK(umbra_bundle_export_full(&j2, k, keys, 3, 4, sg, 4) == UMBRA_ERR_ARG,
          "export: an empty name");
    snprintf(sg[3].name, sizeof(sg[3].name), "Chloe");
    sg[3].has_key = 1;
    memcpy(sg[3].key_id, ben->enc[0].id, 8);
    CHECK(umbra_bundle_export_full(&j2, k, keys, 2, 4, sg, 4) == UMBRA_ERR_ARG,
          "export: a signer's key not among the keys");
    CHECK(umbra_bundle_export_full(&j2, k, keys, 3, 4, sg, 4) == 0 &&
              parse_str(&b2, j2) == 0 && b2.nsigners == 4,
          "export: four good signers");
    free(j2);
    j2 = NULL;
    for (n = 0; n <= UMBRA_MAX_SIGNERS; n++) {
        signer_set(&sg[n], "", k->sign_pk, NULL, UMBRA_MAY_EVENTS);
        memset(sg[n].name, 'x', UMBRA_MEMBER_NAME_MAX);
        sg[n].name[0] = (char)('A' + n);
        sg[n].sign_pk[31] = (uint8_t)(n * 3 + 1);
        sg[n].may = UMBRA_MAY_EVENTS | UMBRA_MAY_ALERTS;
    }
    CHECK(umbra_bundle_export_full(&j2, k, keys, 3, 4, sg, 17) ==
                  UMBRA_ERR_TOO_LONG && j2 == NULL,
          "export: 17 signers too long");
    {
        /* the largest: 16 keys and 16 signers with 64-byte names */
        struct umbra_org_keys *big = NULL;
        if (umbra_org_keys_new(&big, "a23456789012345678901234567890123456789012"
                                     "345678901234567890123") != 0)
            abort();
        for (n = 1; n < UMBRA_MAX_ORG_KEYS; n++)
            if (umbra_org_keys_add(big) != 0)
                abort();
        for (n = 0; n < UMBRA_MAX_SIGNERS; n++) {
            sg[n].has_key = 1;
            memcpy(sg[n].key_id, big->enc[n].id, 8);
        }
        CHECK(umbra_bundle_export_full(&j2, big, big->enc, 16,
                                       UMBRA_BUNDLE_SERIAL_MAX, sg, 16) == 0 &&
                  parse_str(&b2, j2) == 0 && b2.nsigners == 16 &&
                  umbra_bundle_signed_text(text, sizeof(text), &b2) > 3700,
              "16 keys and 16 signers of 64-byte names verify (the longest "
              "signed text, %zu bytes)", strlen(text));
        umbra_org_keys_free(big);
    }
    free(j2);
    free(json);
    umbra_org_keys_free(k);
    umbra_org_keys_free(ana);
    umbra_org_keys_free(ben);
}

CHECK_MAIN(test_org_keys, test_bundle, test_bundle_keys, test_bundle_serial,
           test_bundle_errors, test_bundle_signers, test_keyfile)
