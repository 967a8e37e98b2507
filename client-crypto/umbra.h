/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * libumbra: every byte format Umbra uses, in one library.
 *
 * This is the public API that umbra-server, umbra-case and the tests link
 * against. docs/protocol.md specifies the formats byte for byte; this header
 * names the functions that produce and check them. Module by module:
 *
 *   errors     umbra_strerror(): every function returns 0 or a negative
 *              UMBRA_ERR_* code.
 *   rng        all randomness the library draws goes through
 *              umbra_randombytes(); tests replace it to fix known answers.
 *   secure     umbra_secure_init() (sodium_init + no core dumps), secret
 *              buffers in sodium_malloc memory.
 *   pad        the padded sizes of section 2.1.
 *   envelope   seal / open / check an envelope (section 2).
 *   keys       organisation keys, key ids, the signed public key bundle and
 *              its fingerprint (section 3).
 *   keyfile    the passphrase-protected key file (section 4).
 *   receipt    receipts, their normalisation, mailbox derivation (section 5).
 *   member     the member file a caseworker with a key of their own sends
 *              the organisation's key holder (section 9).
 *   report     the report document (section 6): its vocabulary
 *              (report_vocab.h, generated from report-vocab.json), its
 *              date rule, umbra_report_build and umbra_report_check.
 *
 * Ownership: a function that returns memory through an output pointer says
 * how to free it; on failure every output is left NULL/zero and nothing is
 * left allocated. Secret outputs live in sodium_malloc memory and are freed
 * with umbra_secret_free(), which wipes them.
 */
#ifndef UMBRA_H
#define UMBRA_H

#include <stddef.h>
#include <stdint.h>

#include "report_vocab.h"

#if defined(__GNUC__)
#define UMBRA_WUR __attribute__((warn_unused_result))
#else
#define UMBRA_WUR
#endif

/* ---- errors ------------------------------------------------------------ */

enum umbra_err {
    UMBRA_OK = 0,
    UMBRA_ERR_NOMEM = -1,     /* allocation failed */
    UMBRA_ERR_ARG = -2,       /* caller passed an impossible argument */
    UMBRA_ERR_TRUNCATED = -3, /* input shorter than its format needs */
    UMBRA_ERR_FORMAT = -4,    /* bad magic, bad field, bad character */
    UMBRA_ERR_VERSION = -5,   /* unknown version */
    UMBRA_ERR_SIZE = -6,      /* length not a valid padded size */
    UMBRA_ERR_NO_KEY = -7,    /* no stanza for any of our keys */
    UMBRA_ERR_DECRYPT = -8,   /* authentication failed / wrong passphrase */
    UMBRA_ERR_INNER = -9,     /* inner header disagrees with outer */
    UMBRA_ERR_TOO_LONG = -10, /* input over its cap */
    UMBRA_ERR_PARAMS = -11,   /* absurd KDF parameters */
    UMBRA_ERR_SIGNATURE = -12,/* bundle signature does not verify */
    UMBRA_ERR_CHECKSUM = -13, /* receipt check digit wrong */
    UMBRA_ERR_IO = -14,       /* file system error (errno kept) */
    UMBRA_ERR_CRYPTO = -15,   /* libsodium/libargon2 internal failure */
    UMBRA_ERR_ROLLBACK = -16, /* bundle older than the one held */
};

/* A short lowercase English phrase for an error code; never NULL. */
const char *umbra_strerror(int err);

/* ---- secure memory and process hardening -------------------------------- */

/*
 * Call once at program start: sodium_init(), and RLIMIT_CORE = 0 plus
 * PR_SET_DUMPABLE = 0 so a crash never writes secrets to a core file.
 * Returns 0 or UMBRA_ERR_CRYPTO.
 */
int umbra_secure_init(void) UMBRA_WUR;

/* sodium_malloc(len) (guarded, locked); NULL on failure. */
void *umbra_secret_alloc(size_t len);
/* sodium_free (wipes); NULL-safe. */
void umbra_secret_free(void *p);
/*
 * Note: freed blocks are wiped and kept in a small pool for reuse (see
 * secure.h), so every pointer from umbra_secret_alloc or a libumbra
 * secret output must be released with umbra_secret_free, never with
 * sodium_free directly. Thread-safe.
 */

/* ---- randomness seam --------------------------------------------------- */

/* Fills buf with len random bytes (randombytes_buf unless a test hook). */
void umbra_randombytes(void *buf, size_t len);
/* A uniform value in [0, upper) (randombytes_uniform unless a test hook). */
uint32_t umbra_random_uniform(uint32_t upper);

/*
 * Test seam: replace the random source. fn(ctx, buf, len) must fill buf.
 * Pass NULL to restore libsodium's generator. With a hook installed,
 * umbra_random_uniform(u) takes one byte per draw and rejects values
 * >= 256 - 256 % u (so a byte stream fixes the receipt digits too).
 * Not thread-safe; for tests only: defined only in build/libumbra-test.a
 * (rng.c compiled with -DUMBRA_TEST_SEAM), never in build/libumbra.a, so
 * a production binary that calls it does not link.
 */
void umbra_test_set_rng(void (*fn)(void *ctx, void *buf, size_t len),
                        void *ctx);

/* ---- padding (protocol section 2.1) ------------------------------------ */

#define UMBRA_ENVELOPE_MAX_PADDED (16u * 1024u * 1024u)
#define UMBRA_ENVELOPE_CHUNK_BYTES 65536u
#define UMBRA_ENVELOPE_MAX_RECIPIENTS 16u
#define UMBRA_KEY_ID_BYTES 8u
#define UMBRA_STANZA_BYTES 88u
/* Smallest envelope: 1 stanza, inner header 6 + 8 bytes, 4096 content. */
#define UMBRA_ENVELOPE_MIN_BYTES (8u + 88u + 24u + (6u + 8u + 4096u) + 17u)

/*
 * The padded CONTENT size P for a content of u bytes (4096, 16384, 65536,
 * then Padmé); 0 if above UMBRA_ENVELOPE_MAX_PADDED. The inner header
 * (6 + 8n bytes) comes on top of P: a 16 KiB content fits the 16 KiB
 * bucket whatever n.
 */
size_t umbra_pad_size(size_t u);
/* Padmé (section 2.1) of L >= 1. */
uint64_t umbra_padme(uint64_t len);
/* 1 if p is a valid padded content size, else 0. */
int umbra_pad_is_valid(size_t p);

/* ---- envelope (protocol section 2) ------------------------------------- */

#define UMBRA_X25519_BYTES 32u

/*
 * Largest content that fits an envelope with n recipients:
 * UMBRA_ENVELOPE_MAX_PADDED for every valid n (1..16), 0 otherwise.
 */
size_t umbra_envelope_max_content(unsigned n);
/* Exact length of an envelope with n recipients and content_len bytes. */
size_t umbra_envelope_size(unsigned n, size_t content_len);

/*
 * Seals content to n (1..16) X25519 public keys (pks: n * 32 bytes).
 * On success *out is a malloc'd buffer of *out_len bytes that the caller
 * free()s (it holds only ciphertext). Randomness per section 2.3.
 */
int umbra_envelope_seal(uint8_t **out, size_t *out_len, const uint8_t *pks,
                        unsigned n, const uint8_t *content,
                        size_t content_len) UMBRA_WUR;

/*
 * Checks an envelope's structure without any key: magic, version, n,
 * reserved bytes, exact length for a valid padded size, distinct key ids.
 * On success, if key_ids is not NULL, copies n * 8 key id bytes into it
 * (room for 16 * 8) and sets *n_out.
 */
int umbra_envelope_check(unsigned *n_out, uint8_t *key_ids,
                         const uint8_t *env, size_t env_len) UMBRA_WUR;

/*
 * Opens an envelope with any of nkeys X25519 key pairs (sks and pks:
 * nkeys * 32 bytes each, pks[i] matching sks[i]). On success *content is
 * a umbra_secret_alloc'd buffer of *content_len bytes (free it with
 * umbra_secret_free; *content is non-NULL even for 0 bytes). If
 * which_key is not NULL it receives the index of the key that opened it.
 * Fails per section 2.4; nothing is returned unless every check passed.
 */
int umbra_envelope_open(uint8_t **content, size_t *content_len,
                        unsigned *which_key, const uint8_t *sks,
                        const uint8_t *pks, unsigned nkeys,
                        const uint8_t *env, size_t env_len) UMBRA_WUR;

/*
 * Streaming variants, for contents too large to hold in memory: the same
 * envelope bytes as umbra_envelope_seal / _open, one 64 KiB chunk at a
 * time (memory: about two chunks, whatever the size).
 *
 * umbra_envelope_seal_fd reads exactly content_len bytes from in_fd
 * (UMBRA_ERR_TRUNCATED if it ends sooner) and writes the envelope, of
 * umbra_envelope_size(n, content_len) bytes, to out_fd. UMBRA_ERR_IO on
 * a read or write error (errno kept). On failure out_fd holds a partial
 * envelope: discard it.
 *
 * umbra_envelope_open_fd reads an envelope of env_len bytes from in_fd
 * (env_len is needed up front to know the padded size; pass the file
 * size) and writes its content to out_fd chunk by chunk, each chunk only
 * once authenticated. Checks as in section 2.4, except that an inner
 * header mismatch is reported when chunk 0 is read, before later chunks
 * are pulled. On failure out_fd may hold part of the content: write to a
 * temporary file and keep it only if this returns 0.
 */
int umbra_envelope_seal_fd(int out_fd, const uint8_t *pks, unsigned n,
                           int in_fd, size_t content_len) UMBRA_WUR;
int umbra_envelope_open_fd(int out_fd, unsigned *which_key,
                           const uint8_t *sks, const uint8_t *pks,
                           unsigned nkeys, int in_fd,
                           size_t env_len) UMBRA_WUR;

/* ---- keys and bundles (protocol section 3) ----------------------------- */

#define UMBRA_SLUG_MAX 63u
#define UMBRA_MAX_ORG_KEYS 16u
#define UMBRA_FINGERPRINT_LEN 35u /* "ddddd ddddd ddddd ddddd ddddd ddddd" */
#define UMBRA_BUNDLE_MAX_BYTES 65536u
/* Largest bundle serial: 2^53 - 1, exact in every JSON implementation. */
#define UMBRA_BUNDLE_SERIAL_MAX 9007199254740991ull

/* 8-byte key id of an X25519 public key. */
void umbra_key_id(uint8_t id[8], const uint8_t pk[32]);

/* One X25519 encryption key of an organisation. */
struct umbra_enc_key {
    uint8_t pk[32];
    uint8_t id[8];
    char created[11]; /* YYYY-MM-DD */
};

/*
 * An organisation's secret keys. Always allocated with
 * umbra_org_keys_new() in sodium_malloc memory; free with
 * umbra_org_keys_free(), which wipes it.
 */
struct umbra_org_keys {
    char slug[UMBRA_SLUG_MAX + 1];
    char created[11];
    uint8_t store_key[32];
    uint8_t sign_sk[64]; /* Ed25519, libsodium layout (seed || pk) */
    uint8_t sign_pk[32];
    unsigned nkeys;
    uint8_t enc_sk[UMBRA_MAX_ORG_KEYS][32];
    struct umbra_enc_key enc[UMBRA_MAX_ORG_KEYS];
};

/*
 * New organisation keys for slug (validated), with one X25519 key and a
 * fresh signing key and store key, dated today (UTC). Free with
 * umbra_org_keys_free().
 */
int umbra_org_keys_new(struct umbra_org_keys **out, const char *slug)
    UMBRA_WUR;
/* Adds a new X25519 key (rotation); UMBRA_ERR_TOO_LONG past 16 keys. */
int umbra_org_keys_add(struct umbra_org_keys *k) UMBRA_WUR;
void umbra_org_keys_free(struct umbra_org_keys *k);

/* A member's display name: 1..64 bytes of UTF-8, no control character. */
#define UMBRA_MEMBER_NAME_MAX 64u

/* The signers a bundle names (section 3, "signers"), and what they may sign. */
#define UMBRA_MAX_SIGNERS 16u
#define UMBRA_MAY_EVENTS 1u /* case events ("events") */
#define UMBRA_MAY_ALERTS 2u /* alerts ("alerts") */

/* One entry of a bundle's "signers" (plain memory: public data only). */
struct umbra_signer {
    char name[UMBRA_MEMBER_NAME_MAX + 1]; /* 1..64 bytes, no control char */
    uint8_t sign_pk[32];                  /* the signer's Ed25519 key */
    int has_key;                          /* whether key_id is given */
    uint8_t key_id[8]; /* the id of one of the bundle's keys (its own) */
    unsigned may;      /* UMBRA_MAY_* bits, at least one */
};

/* A parsed and verified public key bundle (plain memory: no secrets). */
struct umbra_bundle {
    char org[UMBRA_SLUG_MAX + 1];
    char created[11];
    uint8_t sign_pk[32];
    unsigned nkeys;
    struct umbra_enc_key keys[UMBRA_MAX_ORG_KEYS];
    uint64_t serial; /* 0 when the bundle has no "serial" member */
    unsigned nsigners; /* 0 when the bundle has no "signers" member */
    struct umbra_signer signers[UMBRA_MAX_SIGNERS];
    /*
     * The key holder as a signer, filled by umbra_bundle_parse (read it
     * through umbra_bundle_signer): the entry naming sign_pk if there is
     * one, else one named by the org slug; its may is always both bits.
     */
    struct umbra_signer holder;
};

/*
 * The signer of b whose signing key is pk and whose may has every bit of
 * may, else NULL. The organisation's own signing key (b->sign_pk) may
 * always sign events and alerts: for it, the entry that names it (its
 * display name) or, with none, an entry named by the org slug, both with
 * may = UMBRA_MAY_EVENTS | UMBRA_MAY_ALERTS. The pointer lives as long as
 * *b. b must come from umbra_bundle_parse.
 */
const struct umbra_signer *umbra_bundle_signer(const struct umbra_bundle *b,
                                               const uint8_t pk[32],
                                               unsigned may);

/*
 * The signed public key bundle JSON (section 3) for k, with serial 0 (no
 * "serial" member). *json is a
 * malloc'd NUL-terminated string the caller free()s.
 */
int umbra_bundle_export(char **json, const struct umbra_org_keys *k)
    UMBRA_WUR;

/*
 * The same, signed with signer's Ed25519 key (and dated and named after
 * signer: org, created), but listing the nkeys (1..16) public keys given,
 * in that order, instead of signer's own: e.g. the organisation's keys
 * plus one key per caseworker (each caseworker holds only its own secret
 * key). Each keys[i].id must be the key id of keys[i].pk and
 * keys[i].created a valid date; two equal keys are refused
 * (UMBRA_ERR_ARG); more than 16 keys is UMBRA_ERR_TOO_LONG. *json as
 * above. umbra_bundle_export(json, k) is this with k's own keys.
 */
int umbra_bundle_export_keys(char **json, const struct umbra_org_keys *signer,
                             const struct umbra_enc_key *keys,
                             unsigned nkeys) UMBRA_WUR;

/*
 * umbra_bundle_export_keys with a serial (section 3): 0 writes no
 * "serial" member (the bundle of a version before serials), 1 to
 * UMBRA_BUNDLE_SERIAL_MAX writes it and signs it; above is UMBRA_ERR_ARG.
 * Whoever re-signs a bundle (rotation, a member added or removed) gives
 * it a serial above every serial it signed before.
 */
int umbra_bundle_export_serial(char **json, const struct umbra_org_keys *signer,
                               const struct umbra_enc_key *keys, unsigned nkeys,
                               uint64_t serial) UMBRA_WUR;

/*
 * umbra_bundle_export_serial with the bundle's "signers" (section 3):
 * nsigners (0..16) entries, in that order; 0 writes no "signers" member
 * (the bundle exactly as umbra_bundle_export_serial writes it). Each
 * entry: a valid name, a signing key no other entry has, may a non-empty
 * set of UMBRA_MAY_* bits and, if has_key, key_id the id of one of keys.
 * A bad entry is UMBRA_ERR_ARG, more than 16 UMBRA_ERR_TOO_LONG.
 */
int umbra_bundle_export_full(char **json, const struct umbra_org_keys *signer,
                             const struct umbra_enc_key *keys, unsigned nkeys,
                             uint64_t serial,
                             const struct umbra_signer *signers,
                             unsigned nsigners) UMBRA_WUR;

/*
 * Whether next (parsed and verified) may replace cur, the bundle already
 * held, for the same signing key (callers check that first): 0 if next's
 * serial is higher, or equal with the same signed content (the same
 * bundle again); UMBRA_ERR_ROLLBACK if it is lower (an old bundle
 * replayed, e.g. one still listing a removed member's key) or equal with
 * other content; UMBRA_ERR_ARG if the signing keys differ.
 */
int umbra_bundle_may_replace(const struct umbra_bundle *cur,
                             const struct umbra_bundle *next) UMBRA_WUR;

/*
 * Parses and verifies a bundle (at most UMBRA_BUNDLE_MAX_BYTES): JSON
 * shape, slug, key ids, dates, signature. Fills *b on success.
 */
int umbra_bundle_parse(struct umbra_bundle *b, const char *json,
                       size_t len) UMBRA_WUR;

/* The recipients of a bundle as n * 32 bytes for umbra_envelope_seal. */
void umbra_bundle_pks(uint8_t *pks, const struct umbra_bundle *b);

/* Fingerprint of a signing key: 35 chars + NUL written to out. */
void umbra_fingerprint(char out[UMBRA_FINGERPRINT_LEN + 1],
                       const uint8_t sign_pk[32]);

/* ---- member file (protocol section 9; member.h) ------------------------ */

#define UMBRA_MEMBER_FORMAT "umbra.member/1"
#define UMBRA_MEMBER_MAX_BYTES 4096u
/* UMBRA_MEMBER_NAME_MAX: with the bundle's signers, above */

/* A member file's fields (plain memory: public data only). */
struct umbra_member {
    char org[UMBRA_SLUG_MAX + 1];
    char name[UMBRA_MEMBER_NAME_MAX + 1]; /* 1..64 bytes, no control char */
    char created[11];                     /* YYYY-MM-DD */
    uint8_t pk[32];                       /* the member's X25519 key */
    uint8_t id[8];                        /* umbra_key_id(pk) */
    uint8_t sign_pk[32];                  /* the member's Ed25519 key */
};

/* 1 if s[0..len) is a valid member name (1..64 bytes, no control
 * character), else 0. */
int umbra_member_name_valid(const char *s, size_t len);

/*
 * The member file JSON for m, signed with sign_sk (the member's own
 * Ed25519 key, whose public half is m->sign_pk). *json is malloc'd (the
 * caller frees it) and NULL on failure. 0, UMBRA_ERR_ARG (a field of m is
 * not valid) or UMBRA_ERR_NOMEM.
 */
int umbra_member_export(char **json, const struct umbra_member *m,
                        const uint8_t sign_sk[64]) UMBRA_WUR;

/*
 * Parses and verifies a member file (at most UMBRA_MEMBER_MAX_BYTES).
 * Fills *m on success; on failure *m is zeroed and the error says why:
 * UMBRA_ERR_TOO_LONG (over 4 KiB), UMBRA_ERR_VERSION (not a member file:
 * not a JSON object without duplicate members, or "format" is not
 * UMBRA_MEMBER_FORMAT), UMBRA_ERR_FORMAT (a field missing or malformed),
 * UMBRA_ERR_CHECKSUM ("id" is not the key id of "x25519"),
 * UMBRA_ERR_SIGNATURE (the signature does not verify with "signing_key").
 */
int umbra_member_parse(struct umbra_member *m, const char *json,
                       size_t len) UMBRA_WUR;

/* ---- alerts (protocol section "Alerts"; alert.h) ----------------------- */

#define UMBRA_ALERT_FORMAT "umbra.alert/1"
#define UMBRA_ALERT_MAX_BYTES 65536u
#define UMBRA_ALERT_TITLE_MAX 200u     /* UTF-16 units, as the form counts */
#define UMBRA_ALERT_BODY_MAX 4000u
#define UMBRA_ALERT_MAX_TEXTS 12u
#define UMBRA_ALERT_MAX_IDENTIFIERS 10u
#define UMBRA_ALERT_ID_VALUE_MAX 100u
#define UMBRA_ALERT_REGION_MAX 100u
#define UMBRA_ALERT_MAX_DAYS 365       /* expires - issued, at most */
#define UMBRA_ALERT_PERIOD_MAX_DAYS 182 /* 26 weeks */

enum umbra_alert_kind { UMBRA_ALERT_ALERT = 1, UMBRA_ALERT_WITHDRAWAL = 2 };

/*
 * A parsed and verified alert file. Strings are NUL-terminated copies;
 * json is the inner alert object (owned: umbra_alert_free releases it),
 * from which a reader takes area, period, identifiers and texts, all
 * already checked. signer_name is the bundle's name for the signer (the
 * org slug for the organisation's own signing key). why is set on every
 * return, success included ("ok"): a short stable word saying which rule
 * refused the file (see alert.c), for messages and tests.
 */
struct umbra_alert {
    char org[UMBRA_SLUG_MAX + 1];
    char id[33];        /* 32 lowercase hex */
    int kind;           /* enum umbra_alert_kind */
    char issued[11];    /* YYYY-MM-DD */
    char expires[11];   /* "" for a withdrawal */
    char level[8];      /* info, warning, danger; "" for a withdrawal */
    char withdraws[33]; /* the withdrawn alert's id; "" for an alert */
    uint8_t signer[32];
    char signer_name[UMBRA_MEMBER_NAME_MAX + 1];
    struct json_t *json;
    const char *why;
};

/*
 * Parses and verifies the alert file text[0..len) against bundle b (parsed
 * and verified): the outer and inner JSON, every field and cap, the
 * Ed25519 signature over "umbra.alert/1\n" || the alert string, the signer
 * allowed to sign alerts by b, and org = b's org. On success fills *a (the
 * caller calls umbra_alert_free); on failure *a is zeroed but for why, and
 * nothing needs freeing. UMBRA_ERR_TOO_LONG (over 64 KiB, before
 * parsing), UMBRA_ERR_VERSION (not an alert file), UMBRA_ERR_FORMAT (a
 * field missing, malformed, unknown or over its cap, bad dates),
 * UMBRA_ERR_SIGNATURE (the signature does not verify, the signer is not
 * one b allows for alerts, or org is not b's), UMBRA_ERR_ARG,
 * UMBRA_ERR_NOMEM.
 */
int umbra_alert_parse(struct umbra_alert *a, const char *text, size_t len,
                      const struct umbra_bundle *b) UMBRA_WUR;
/* Releases a->json and zeroes *a; NULL-safe. */
void umbra_alert_free(struct umbra_alert *a);

/*
 * Checks the inner alert JSON alert_json[0..len) with the same rules as
 * umbra_alert_parse, then signs it with sign_sk (Ed25519, libsodium
 * layout) and writes the alert file (members format, alert, signer,
 * signature, indented by two) to *out, malloc'd (the caller frees it),
 * NULL on failure. 0, UMBRA_ERR_FORMAT / _TOO_LONG (the inner JSON is
 * refused; nothing is signed), UMBRA_ERR_ARG, UMBRA_ERR_NOMEM,
 * UMBRA_ERR_CRYPTO.
 */
int umbra_alert_sign(char **out, const char *alert_json, size_t len,
                     const uint8_t sign_sk[64]) UMBRA_WUR;

/*
 * Checks the inner alert JSON alone (no signature): 0 or
 * UMBRA_ERR_FORMAT / _TOO_LONG, with *why (if not NULL) the rule.
 */
int umbra_alert_check(const char *alert_json, size_t len,
                      const char **why) UMBRA_WUR;

/* The 12 languages an alert text may be in (the page locales), NULL-ended. */
extern const char *const umbra_alert_langs[];

/* ---- key file (protocol section 4) ------------------------------------- */

struct umbra_kdf_params {
    uint32_t m_kib, t, p;
};
/* m = 65536 KiB, t = 3, p = 4 */
extern const struct umbra_kdf_params UMBRA_KDF_DEFAULT;

/*
 * Encrypts k under passphrase with params (NULL = defaults) and writes it
 * atomically to path with mode 0600 (temp file, fsync, rename).
 */
int umbra_keyfile_write(const char *path, const struct umbra_org_keys *k,
                        const char *passphrase, size_t passphrase_len,
                        const struct umbra_kdf_params *params) UMBRA_WUR;

/*
 * Reads and decrypts a key file. Absurd parameters or a truncated header
 * are refused before any hashing (UMBRA_ERR_PARAMS / _TRUNCATED / _FORMAT);
 * a wrong passphrase or damaged file is UMBRA_ERR_DECRYPT. On success
 * *out is set (free with umbra_org_keys_free).
 */
int umbra_keyfile_read(struct umbra_org_keys **out, const char *path,
                       const char *passphrase, size_t passphrase_len)
    UMBRA_WUR;
/*
 * The Argon2 parameters in a key file's header (buf holds the file), with
 * the same checks umbra_keyfile_read makes before any hashing; so a tool
 * that rewrites a key file (new passphrase, new key) keeps its cost.
 */
int umbra_keyfile_params(struct umbra_kdf_params *out, const uint8_t *buf,
                         size_t len) UMBRA_WUR;
/* The same from bytes already in memory (for fuzzing and tests). */
int umbra_keyfile_decode(struct umbra_org_keys **out, const uint8_t *buf,
                         size_t len, const char *passphrase,
                         size_t passphrase_len) UMBRA_WUR;

/* ---- receipts and mailboxes (protocol section 5) ----------------------- */

#define UMBRA_RECEIPT_DIGITS 24u
#define UMBRA_RECEIPT_DISPLAY_LEN 29u /* six groups of four, spaces */
#define UMBRA_RECEIPT_INPUT_MAX 256u

/* A new receipt: 29 chars ("dddd dddd ...") + NUL. */
void umbra_receipt_new(char out[UMBRA_RECEIPT_DISPLAY_LEN + 1]);

/*
 * Normalises typed input (section 5.2) to 24 ASCII digits + NUL.
 * UMBRA_ERR_TOO_LONG, _FORMAT or _CHECKSUM on refusal.
 */
int umbra_receipt_normalise(char out[UMBRA_RECEIPT_DIGITS + 1],
                            const char *in, size_t in_len) UMBRA_WUR;

/* Mailbox keys derived from a receipt; allocate with umbra_secret_alloc. */
struct umbra_mailbox {
    uint8_t pk[32];
    uint8_t sk[32];
    uint8_t lookup_id[32];
    uint8_t mailbox_id[32];
};

/*
 * Derives the mailbox from 24 normalised digits (Argon2id t=2,
 * m=19 MiB, p=1; about 35 ms). mb must be sodium_malloc memory.
 */
int umbra_mailbox_derive(struct umbra_mailbox *mb,
                         const char digits[UMBRA_RECEIPT_DIGITS]) UMBRA_WUR;

/* mailbox_id from lookup_id (what the server does with a presented id). */
void umbra_mailbox_id(uint8_t mailbox_id[32], const uint8_t lookup_id[32]);

/*
 * The proof that a follow-up comes from the holder of a receipt
 * (protocol section 6.1): BLAKE2b-256 keyed with crypto_box_beforenm(pk,
 * sk) over "umbra/follow-up/v1" || mailbox_id || SHA-512(narrative).
 * The reporter passes (an organisation key, mailbox_sk), the organisation
 * (mailbox_pk, its key): both get the same key. 0, UMBRA_ERR_ARG,
 * UMBRA_ERR_CRYPTO (a low-order pk) or UMBRA_ERR_NOMEM; the shared key
 * lives only in secret memory and is wiped.
 */
int umbra_followup_proof(uint8_t proof[32], const uint8_t pk[32],
                         const uint8_t sk[32], const uint8_t mailbox_id[32],
                         const uint8_t *narrative,
                         size_t narrative_len) UMBRA_WUR;
/*
 * Checks proof against mailbox_pk with each of the n secret keys at
 * org_sks (32 bytes each, in order), compared in constant time. 0 if one
 * key gives it, UMBRA_ERR_DECRYPT if none does, UMBRA_ERR_ARG,
 * UMBRA_ERR_NOMEM.
 */
int umbra_followup_verify(const uint8_t proof[32],
                          const uint8_t mailbox_pk[32],
                          const uint8_t *org_sks, size_t n,
                          const uint8_t mailbox_id[32],
                          const uint8_t narrative_sha512[64]) UMBRA_WUR;

/* ---- small encodings shared by every component ------------------------- */

/* Lowercase hex of bin into out (2 * len + 1 bytes). */
void umbra_hex(char *out, const uint8_t *bin, size_t len);
/* Exact-length hex decode; UMBRA_ERR_FORMAT on any bad character. */
int umbra_unhex(uint8_t *out, size_t out_len, const char *hex,
                size_t hex_len) UMBRA_WUR;
/*
 * The one integer parser: s is a whole decimal number (digits only: no
 * sign, space or trailing byte; leading zeros allowed) within [min, max].
 * 0 with *out set, else UMBRA_ERR_FORMAT and *out untouched.
 */
int umbra_parse_u64(uint64_t *out, const char *s, uint64_t min,
                    uint64_t max) UMBRA_WUR;
/*
 * The value of the fixed-width field s[0..n) (n at most 9) when all n bytes
 * are ASCII digits, else -1: a date's YYYY, MM or DD (umbra_date_valid and
 * the case tool's statistics read them so).
 */
int umbra_digits_value(const char *s, size_t n);
/*
 * 1 if s[0..len) is an organisation slug (1 to UMBRA_SLUG_MAX of a-z, 0-9
 * and '-', not starting with '-'), else 0. The one slug rule: key files,
 * bundles, member files and the bundle file's header all use it.
 */
int umbra_slug_valid(const char *s, size_t len);
/* 1 if s[0..len) is a real calendar date written YYYY-MM-DD from 1970 on
 * (a key's or member's "created"), else 0. */
int umbra_date_valid(const char *s, size_t len);
/* Today's date in UTC as YYYY-MM-DD. */
void umbra_today(char out[11]);

/*
 * The UTF-8 sequence at s (n >= 1 bytes left): its length (1 to 4) with
 * the code point in *cp, or 0 if it is not valid UTF-8 (truncated,
 * overlong, a surrogate, above U+10FFFF, a stray continuation byte). The
 * one UTF-8 decoder of the project: the server, the caseworker tool and
 * the receipt normaliser all use it.
 */
size_t umbra_utf8_decode(uint32_t *cp, const uint8_t *s, size_t n);
/*
 * The value 0 to 9 of a decimal digit in any of the scripts the receipt
 * normaliser knows (ASCII, Arabic-Indic, Extended Arabic-Indic,
 * Devanagari, Bengali, Thai, Lao, Myanmar, Khmer, full-width), else -1.
 */
int umbra_digit_value(uint32_t cp);
/* 1 if s[0..n) is valid UTF-8 with no NUL byte, else 0. */
int umbra_utf8_valid(const uint8_t *s, size_t n);

/*
 * 1 if the JSON text s[0..n) nests brackets no deeper than max_depth
 * (counting [ and { outside strings), else 0. A scan of the raw bytes, run
 * before a recursive parser sees hostile input.
 */
int umbra_json_depth_ok(const uint8_t *s, size_t n, unsigned max_depth);

/* ---- report ------------------------------------------------------------ */

/*
 * The index of code s in list codes[0..n) (a table of report_vocab.h), or
 * -1 if s is not one of them.
 */
int umbra_report_code_index(const char *const *codes, size_t n,
                            const char *s);

/*
 * 1 if s is a real calendar date "YYYY-MM-DD" (leap years counted) or a
 * month "YYYY-MM", not after tomorrow (UTC, at the time of the call), so
 * that a reporter a day ahead of UTC can still give today; else 0. The one
 * date rule of the report document (incident.date).
 */
int umbra_report_date_valid(const char *s);

/*
 * The fields of a report document as a form gives them, every string
 * NULL or "" when not given. ids_kind/ids_value are the identifier pairs
 * in the form's order (a pair with an empty value is skipped but still
 * counts towards UMBRA_REPORT_MAX_IDENTIFIERS); consent[i] is the consent
 * umbra_report_consents[i]. attachments (borrowed, may be NULL) is put in
 * the document as "attachments".
 */
struct umbra_report_fields {
    const char *lang, *via;
    const char *date, *country, *region, *place;
    const char *const *categories;
    size_t ncategories;
    const char *const *needs;
    size_t nneeds;
    const char *perpetrator, *description;
    const char *const *perpetrators; /* several chosen; else perpetrator */
    size_t nperpetrators;
    const char *const *ids_kind, *const *ids_value;
    size_t nids;
    const char *narrative;
    int consent[UMBRA_REPORT_NCONSENTS];
    struct json_t *attachments;
};

/*
 * Builds the report document (a jansson object: schema, via, lang,
 * attachments, incident, categories, perpetrator, narrative, needs,
 * consent; empty fields left out, the country upper-cased) from f under
 * the vocabulary's codes and caps. The caller frees it with json_decref.
 * NULL on a refusal, with *code the API's error code: bad_encoding,
 * bad_date, bad_country, field_too_long, bad_category, bad_need,
 * bad_perpetrator, bad_identifier, missing_fields (neither narrative nor
 * categories), or internal (out of memory).
 */
struct json_t *umbra_report_build(const struct umbra_report_fields *f,
                                  const char **code) UMBRA_WUR;

/*
 * umbra_report_build, and on a refusal *field (when field is not NULL)
 * the form field it is about, or NULL: incident.date, incident.country,
 * incident.region, incident.place, categories, needs, perpetrator.type,
 * perpetrator.description, perpetrator.identifiers.value, narrative (also
 * for missing_fields). The text caps (UMBRA_REPORT_*_MAX) count UTF-16
 * code units (umbra_text_units), as a browser's maxlength and a
 * JavaScript string's length do, so that both sides count alike; a
 * value is at most three bytes of UTF-8 per unit.
 */
struct json_t *umbra_report_build_field(const struct umbra_report_fields *f,
                                        const char **code,
                                        const char **field) UMBRA_WUR;

/*
 * The length of the UTF-8 string s (NULL counts 0) in UTF-16 code units:
 * one per character, two for a character outside the Basic Multilingual
 * Plane (a 4-byte sequence). What maxlength and String.length count.
 */
size_t umbra_text_units(const char *s);

/*
 * 1 if s is a language tag as the report carries it: 2 to max_len (at
 * most 35, BCP 47's longest in use) ASCII letters, digits and '-'; else 0.
 */
int umbra_lang_tag_valid(const char *s, size_t max_len);

/*
 * What umbra_report_check read from an accepted document: the coded
 * fields a case keeps. Codes that are not in the vocabulary are ignored
 * (a list element, perpetrator.type, an element of perpetrator.types:
 * perpetrator is type, else the first known element of types); lang, incident.date and
 * incident.country are "" unless well formed (umbra_lang_tag_valid with
 * 35, umbra_report_date_valid, two ASCII letters, kept upper-cased).
 */
#define UMBRA_REPORT_HEAD_BYTES 96u
struct umbra_report {
    uint32_t categories; /* bit i: umbra_report_categories[i] given */
    uint32_t needs;      /* bit i: umbra_report_needs[i] given */
    int perpetrator;     /* index in umbra_report_perpetrators, or -1 */
    uint32_t perpetrators; /* bit i: perpetrators[i] in type or types */
    int consent[UMBRA_REPORT_NCONSENTS]; /* 1 only if true */
    char lang[36];
    char date[11];
    char country[3];
    char region[64]; /* incident.region, cut at a UTF-8 boundary */
    size_t narrative_len; /* its bytes once unescaped; 0 if absent */
    /* the narrative's first bytes, unescaped, cut at a UTF-8 boundary */
    char head[UMBRA_REPORT_HEAD_BYTES + 1];
    int has_mailbox;
    uint8_t mailbox_pk[32];
    char mailbox_id[65]; /* 64 lowercase hex digits */
    /* a follow-up (section 6.1): its proof, and the narrative's SHA-512
     * (of the empty string if it has none) to check the proof against */
    int has_follow_up;
    uint8_t follow_up_proof[32];
    uint8_t narrative_sha512[64];
};

/*
 * Why umbra_report_check refused a document. code is one of these stable
 * lowercase strings (static, never freed):
 *   too_large      doc is longer than UMBRA_REPORT_CHECK_BYTES
 *   empty          doc is empty
 *   too_deep       nested deeper than UMBRA_REPORT_CHECK_DEPTH
 *   bad_utf8       a string is not valid UTF-8 (detail says where)
 *   bad_json       not strict JSON: grammar, a control character or
 *                  \u0000 in a string, a lone surrogate, a duplicate key,
 *                  too many values (detail says which and where)
 *   not_object     the document is not a JSON object
 *   bad_schema     "schema" is not "umbra.report/1"
 *   bad_narrative  narrative is not text or longer than
 *                  UMBRA_REPORT_CHECK_NARRATIVE
 *   wrong_type     field (categories, needs, lang, via, incident,
 *                  perpetrator, consent, consent.statistics) has the wrong
 *                  type (or a list is longer than UMBRA_REPORT_CHECK_LIST
 *                  or holds a non-code)
 *   missing_fields neither a narrative nor categories
 *   bad_member     a member of field (incident, perpetrator) has the
 *                  wrong type or is over its cap
 *   bad_mailbox    mailbox is not a base64 X25519 key or mailbox_id not
 *                  64 lowercase hex digits
 *   bad_field      another field has the wrong type or is over its cap
 *   bad_follow_up  follow_up is not an object whose proof is the base64
 *                  of 32 bytes, or the document names no mailbox
 * field is the field named (static) or NULL; detail is the JSON scanner's
 * message for bad_utf8 and bad_json, else "".
 */
struct umbra_report_refusal {
    const char *code;
    const char *field;
    char detail[160];
};

/*
 * The one reader of the report document (protocol section 6): checks
 * doc[0..len) (strict JSON, valid UTF-8, no NUL, no duplicate key,
 * depth, sizes and the type of every known field, in that order) and
 * fills *out. 0 on success; UMBRA_ERR_FORMAT on a refusal, with *why
 * filled and *out zeroed (perpetrator -1); UMBRA_ERR_NOMEM. Nothing is
 * left allocated; the caller keeps doc.
 */
int umbra_report_check(struct umbra_report *out,
                       struct umbra_report_refusal *why, const uint8_t *doc,
                       size_t len) UMBRA_WUR;

#endif
