/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * `umbra-case purge --closed-older-than DAYS` in the store
 * (caseworker/store_purge.c): a closed, quiet case loses its report text,
 * conversation and notes, keeps its facts; an open case and a recent
 * closed one keep everything; and the text is gone from the FILE, not
 * only from the tables.
 *
 * The store is SQLCipher: grepping its raw bytes for a canary finds
 * nothing even before a purge. So this test decrypts every page of
 * cases.db itself (AES-256-CBC with the store's raw key, the IV in each
 * page's reserved tail, as SQLCipher 3 and 4 lay pages out) and greps the
 * plaintext, free pages included. Before the purge it must find the
 * canaries (the reader works); after it, the purged case's must be gone
 * and the open case's still there. Ends with "N passed, N failed".
 */
#include "check.h"
#include "facts.h"
#include "scratch.h"
#include "store.h"

#include <openssl/evp.h>
#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#define PAGE 4096

static uint8_t key[32];

/* Decrypts page p (len PAGE) of the file at index i into out with the
 * reserve size r; 0 or -1. */
static int
page_open(const uint8_t *p, size_t i, size_t r, uint8_t *out)
{
    EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
    size_t off = i == 0 ? 16 : 0, n = PAGE - r - off;
    int l1 = 0, l2 = 0, ok;

    ok = c && EVP_DecryptInit_ex(c, EVP_aes_256_cbc(), NULL, key,
                                 p + PAGE - r) == 1 &&
         EVP_CIPHER_CTX_set_padding(c, 0) == 1 &&
         EVP_DecryptUpdate(c, out + off, &l1, p + off, (int)n) == 1 &&
         EVP_DecryptFinal_ex(c, out + off + l1, &l2) == 1 &&
         (size_t)(l1 + l2) == n;
    EVP_CIPHER_CTX_free(c);
    if (i == 0)
        memcpy(out, "SQLite format 3", 16);
    return ok ? 0 : -1;
}

/*
 * The whole plaintext of home's cases.db (every page, free ones too), in
 * a malloc'd buffer; its length in *len. The reserve size is the one for
 * which page 1's header says so (byte 20), out of 48 (SQLCipher 3,
 * HMAC-SHA1) and 80 (SQLCipher 4, HMAC-SHA512). NULL on failure.
 */
static uint8_t *
plaintext(const char *home, size_t *len)
{
    char path[400];
    FILE *f;
    long size;
    uint8_t *raw = NULL, *out = NULL;
    static const size_t reserves[] = {48, 80};
    size_t r = 0, i, k;

    snprintf(path, sizeof path, "%s/cases.db", home);
    f = fopen(path, "rb");
    if (!f)
        return NULL;
    if (fseek(f, 0, SEEK_END) != 0 || (size = ftell(f)) <= 0 ||
        size % PAGE != 0 || fseek(f, 0, SEEK_SET) != 0 ||
        !(raw = malloc((size_t)size)) || !(out = calloc(1, (size_t)size)) ||
        fread(raw, 1, (size_t)size, f) != (size_t)size)
        goto fail;
    for (k = 0; k < 2 && r == 0; k++)
        if (page_open(raw, 0, reserves[k], out) == 0 &&
            out[16] == PAGE >> 8 && out[17] == 0 && out[20] == reserves[k])
            r = reserves[k];
    if (r == 0)
        goto fail;
    for (i = 0; i < (size_t)size / PAGE; i++)
        if (page_open(raw + i * PAGE, i, r, out + i * PAGE) != 0)
            goto fail;
    fclose(f);
    free(raw);
    *len = (size_t)size;
    return out;
fail:
    fclose(f);
    free(raw);
    free(out);
    return NULL;
}

static int
file_has(const char *home, const char *needle)
{
    size_t len = 0, n = strlen(needle), i;
    uint8_t *p = plaintext(home, &len);
    int found = 0;

    if (!p)
        return -1;
    for (i = 0; i + n <= len && !found; i++)
        found = memcmp(p + i, needle, n) == 0;
    free(p);
    return found;
}

static long
wal_size(const char *home)
{
    char path[400];
    struct stat st;

    snprintf(path, sizeof path, "%s/cases.db-wal", home);
    return stat(path, &st) == 0 ? (long)st.st_size : 0;
}

/* Runs sql on home's store with a raw handle (the test's key). */
static int
raw_exec(const char *home, const char *sql)
{
    char path[400], pragma[160], hex[65];
    sqlite3 *db = NULL;
    int rc = -1;

    snprintf(path, sizeof path, "%s/cases.db", home);
    sodium_bin2hex(hex, sizeof hex, key, sizeof key);
    snprintf(pragma, sizeof pragma,
             "PRAGMA key = \"x'%s'\"; PRAGMA cipher_page_size = 4096;", hex);
    if (sqlite3_open(path, &db) == SQLITE_OK &&
        sqlite3_exec(db, pragma, NULL, NULL, NULL) == SQLITE_OK &&
        sqlite3_exec(db, sql, NULL, NULL, NULL) == SQLITE_OK)
        rc = 0;
    sqlite3_close(db);
    return rc;
}

struct facts_seen {
    int n, th;
    uint32_t categories;
};

static int
count_facts(void *ctx, const struct case_facts *f)
{
    struct facts_seen *c = ctx;

    c->n++;
    if (strcmp(f->country, "TH") == 0 && f->consent_statistics) {
        c->th++;
        c->categories |= f->categories;
    }
    return 0;
}

static int
got_doc(void *ctx, const struct store_row *r, const uint8_t *doc,
        size_t doc_len, const char *mailbox_id)
{
    int *has = ctx;

    (void)r;
    (void)doc;
    (void)mailbox_id;
    *has = doc != NULL && doc_len > 0;
    return 0;
}

/* Adds a case whose report, summary, note and kept reply carry canary. */
static int64_t
add_case(struct store *s, const char *canary, const char *server_id)
{
    char doc[256], note[64], mb[65];
    uint8_t pk[32];
    struct store_case_in in;
    int64_t id = 0;

    memset(&in, 0, sizeof in);
    memset(pk, 7, sizeof pk);
    memset(mb, 'a', 64);
    mb[64] = '\0';
    mb[0] = server_id[0];
    snprintf(doc, sizeof doc,
             "{\"schema\":\"umbra.report/1\",\"narrative\":\"%s-report\"}",
             canary);
    in.server_id = server_id;
    in.summary = canary;
    in.doc = (const uint8_t *)doc;
    in.doc_len = strlen(doc);
    in.mailbox_id = mb;
    in.mailbox_pk = pk;
    in.reply_lang = "en";
    snprintf(in.facts.received, sizeof in.facts.received, "2020-01-02");
    snprintf(in.facts.country, sizeof in.facts.country, "TH");
    in.facts.categories = 5;
    in.facts.perpetrator = -1;
    in.facts.consent_statistics = 1;
    in.origin = "";
    snprintf(note, sizeof note, "%s-note", canary);
    if (store_add_case(s, &id, &in) != 0 ||
        store_add_note(s, id, note, "tester") != 0 ||
        store_reply_add(s, id, mb, (const uint8_t *)"sealed", 6, "tester") !=
            0 ||
        store_keep_reply(s, id, (const uint8_t *)canary, strlen(canary)) != 0)
        return 0;
    return id;
}

int
main(void)
{
    char dir[] = "/tmp/umbra-purge-unit.XXXXXX", home[300];
    const char *old_c = "PURGE-CANARY-OLD-7f3a91", *open_c =
                                                           "KEEP-CANARY-OPEN-2b8e";
    const char *new_c = "KEEP-CANARY-RECENT-c41d";
    struct store *s = NULL;
    struct facts_seen before = {0}, after = {0};
    int64_t old_id, open_id, new_id;
    uint64_t n = 99;
    int has_doc = -1;

    if (umbra_secure_init() != 0 || mkdtemp(dir) == NULL) {
        printf("0 passed, 1 failed\n");
        return 1;
    }
    memset(key, 0x5a, sizeof key);
    snprintf(home, sizeof home, "%s/home", dir);
    if (mkdir(home, 0700) != 0 || store_create(home, key, "demo") != 0 ||
        store_open(&s, home, key, 1) != 0 || store_begin(s) != 0) {
        CHECK(0, "store set up");
        return check_done();
    }
    old_id = add_case(s, old_c, "1");
    open_id = add_case(s, open_c, "2");
    new_id = add_case(s, new_c, "3");
    CHECK(old_id && open_id && new_id && store_commit(s) == 0,
          "three cases with report, summary, note and reply");
    CHECK(store_set_field(s, old_id, "status", "closed", "tester") == 0 &&
              store_set_field(s, new_id, "status", "closed", "tester") == 0,
          "two closed");
    CHECK(store_facts_each(s, count_facts, &before) == 0 && before.n == 3,
          "facts of three cases");
    store_close(s);
    s = NULL;
    /* days are days: the old case's activity moved 400 days back by SQL */
    CHECK(raw_exec(home, "UPDATE cases SET imported = '2020-01-03' WHERE "
                         "id IN (1, 2); UPDATE history SET at = "
                         "'2020-01-04 10:00' WHERE case_id IN (1, 2); "
                         "UPDATE messages SET day = '2020-01-04' WHERE "
                         "case_id IN (1, 2);") == 0,
          "old dates set");
    CHECK(file_has(home, old_c) == 1 && file_has(home, open_c) == 1,
          "the test's reader finds the canaries in the decrypted file "
          "before the purge (else this test could not fail)");
    CHECK(store_open(&s, home, key, 1) == 0, "reopen");
    CHECK(store_purge_count(s, "2025-01-01", &n) == 0 && n == 1,
          "one closed case quiet since before the day: %llu",
          (unsigned long long)n);
    CHECK(store_begin(s) == 0 &&
              store_purge_closed(s, "2025-01-01", "tester", &n) == 0 &&
              n == 1 && store_commit(s) == 0,
          "purge takes exactly that one");
    CHECK(store_vacuum(s) == 0, "vacuum");
    CHECK(store_begin(s) == 0 &&
              store_purge_closed(s, "2025-01-01", "tester", &n) == 0 &&
              n == 0 && store_commit(s) == 0,
          "a second purge finds nothing left to take");
    CHECK(store_facts_each(s, count_facts, &after) == 0 && after.n == 3 &&
              after.th == before.th && after.categories == before.categories,
          "the facts of all three stay (statistics count the same)");
    CHECK(store_get_case(s, old_id, got_doc, &has_doc) == 0 && has_doc == 0,
          "the purged case is there without its report");
    CHECK(store_get_case(s, open_id, got_doc, &has_doc) == 0 && has_doc == 1,
          "the open case keeps its report");
    store_close(s);
    s = NULL;
    CHECK(wal_size(home) == 0, "the WAL is empty: %ld bytes", wal_size(home));
    CHECK(file_has(home, old_c) == 0,
          "no byte of the purged case's report, summary, note or reply "
          "left in the decrypted file, free pages included");
    CHECK(file_has(home, open_c) == 1 && file_has(home, new_c) == 1,
          "the open case's and the recent closed case's text stay");
    (void)test_rmtree(dir);
    return check_done();
}
