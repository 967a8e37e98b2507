/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * case_idents_unit: the case store's identifiers (store_idents.h,
 * migration 009): filled when a case is added; a store from before the
 * migration (its cases already holding identifiers) gets them on its
 * first open; links across cases, look-alikes apart, a deleted case gone
 * from them; the phrases of links.h. Ends with "N passed, N failed".
 */
#include "check.h"
#include "ident.h"
#include "links.h"
#include "store.h"
#include "store_idents.h"
#include "store_migrations.h"

#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>

static const uint8_t KEY[32] = {0x42, 0x42, 0x42, 0x42, 0x42, 0x42, 0x42, 0x42,
                                0x42, 0x42, 0x42, 0x42, 0x42, 0x42, 0x42, 0x42,
                                0x42, 0x42, 0x42, 0x42, 0x42, 0x42, 0x42, 0x42,
                                0x42, 0x42, 0x42, 0x42, 0x42, 0x42, 0x42, 0x42};

/* runs sql on home's store with its key (as case_unit.c does) */
static int
raw_exec(const char *home, const char *sql)
{
    char path[300], pragma[200], hex[65];
    sqlite3 *db = NULL;
    int rc = -1;
    size_t i;

    snprintf(path, sizeof path, "%s/cases.db", home);
    for (i = 0; i < 32; i++)
        snprintf(hex + 2 * i, 3, "%02x", KEY[i]);
    snprintf(pragma, sizeof pragma,
             "PRAGMA key = \"x'%s'\"; PRAGMA cipher_page_size = 4096;", hex);
    if (sqlite3_open(path, &db) == SQLITE_OK &&
        sqlite3_exec(db, pragma, NULL, NULL, NULL) == SQLITE_OK &&
        sqlite3_exec(db, sql, NULL, NULL, NULL) == SQLITE_OK)
        rc = 0;
    sqlite3_close(db);
    return rc;
}

static int64_t
add(struct store *s, const char *server_id, const char *doc)
{
    struct store_case_in in;
    int64_t id = 0;

    memset(&in, 0, sizeof in);
    in.server_id = server_id;
    in.doc = (const uint8_t *)doc;
    in.doc_len = strlen(doc);
    in.summary = "x";
    in.facts.perpetrator = -1;
    snprintf(in.facts.received, sizeof in.facts.received, "2026-11-20");
    CHECK(store_add_case(s, &id, &in) == 0, "add case %s", server_id);
    return id;
}

struct got {
    char text[2048];
    int n;
};

static int
got_ident(void *ctx, const struct store_ident *i)
{
    struct got *g = ctx;
    size_t o = strlen(g->text);

    snprintf(g->text + o, sizeof g->text - o, "%s=%s[%s|%s|%u];", i->kind,
             i->value, i->others, i->alike, i->flags);
    g->n++;
    return 0;
}

static int
got_link(void *ctx, const struct store_link *l)
{
    struct got *g = ctx;
    size_t o = strlen(g->text);

    snprintf(g->text + o, sizeof g->text - o, "%s=%s[%s];", l->kind, l->value,
             l->cases);
    g->n++;
    return 0;
}

#define D1                                                                     \
    "{\"schema\":\"umbra.report/1\",\"narrative\":\"a\",\"incident\":"         \
    "{\"country\":\"th\"},\"perpetrator\":{\"identifiers\":["                  \
    "{\"kind\":\"phone\",\"value\":\"081-234-5678\"},"                         \
    "{\"kind\":\"plate\",\"value\":\"ab 123\"}]}}"
#define D2                                                                     \
    "{\"schema\":\"umbra.report/1\",\"narrative\":\"b\",\"perpetrator\":"      \
    "{\"identifiers\":[{\"kind\":\"phone\",\"value\":\"+66 81 234 5678\"},"    \
    "{\"kind\":\"plate\",\"value\":\"\\u0410\\u0412 123\"}]}}"
#define D3                                                                     \
    "{\"schema\":\"umbra.report/1\",\"narrative\":\"c\",\"perpetrator\":"      \
    "{\"identifiers\":{\"kind\":\"phone\",\"value\":\"1\"}}}"

/* the key written with an escaped letter: still read (the import skips
 * the parse only when the key cannot be in the document) */
#define D4                                                                     \
    "{\"schema\":\"umbra.report/1\",\"narrative\":\"d\",\"perpetrator\":"      \
    "{\"\\u0069dentifiers\":[{\"kind\":\"place\",\"value\":\"Soi 4\"}]}}"

static void
test_store(const char *dir)
{
    char home[300];
    struct store *s = NULL;
    struct got g;
    int64_t a, b, c, d;
    char sql[160];
    int i, v = 0;
    long n = -1;

    snprintf(home, sizeof home, "%s/idents", dir);
    if (mkdir(home, 0700) != 0 || store_create(home, KEY, "demo") != 0 ||
        store_open(&s, home, KEY, 1) != 0) {
        CHECK(0, "store create");
        return;
    }
    a = add(s, "s1", D1);
    b = add(s, "s2", D2);
    c = add(s, "s3", D3);
    memset(&g, 0, sizeof g);
    CHECK(store_idents_case(s, a, got_ident, &g) == 0 &&
              strcmp(g.text, "phone=+66812345678[2||0];"
                             "plate=AB123[|2|0];") == 0,
          "case 1: its phone also in case 2, a look-alike plate in 2: %s",
          g.text);
    memset(&g, 0, sizeof g);
    CHECK(store_idents_case(s, c, got_ident, &g) == 0 && g.n == 0,
          "identifiers that are not a list add nothing");
    d = add(s, "s4", D4);
    memset(&g, 0, sizeof g);
    CHECK(store_idents_case(s, d, got_ident, &g) == 0 &&
              strcmp(g.text, "place=soi 4[||0];") == 0,
          "a key with an escaped letter is read: %s", g.text);
    CHECK(store_begin(s) == 0 && store_delete_case(s, d) == 0 &&
              store_commit(s) == 0,
          "delete case 4");
    memset(&g, 0, sizeof g);
    CHECK(store_links_each(s, 2, got_link, &g) == 0 &&
              strcmp(g.text, "phone=+66812345678[1,2];") == 0,
          "links: %s", g.text);
    store_close(s);
    s = NULL;
    /* a store from before the identifiers' migration (whatever its
     * number), its cases holding identifiers */
    for (i = 0; i < store_migrations_n; i++)
        if (strstr(store_migrations[i].name, "_idents.sql") != NULL)
            v = store_migrations[i].version;
    snprintf(sql, sizeof sql,
             "DROP TABLE idents; DELETE FROM meta WHERE k = 'idents';"
             " PRAGMA user_version = %d;",
             v - 1);
    CHECK(v > 1 && raw_exec(home, sql) == 0,
          "make a store from before migration %d", v);
    CHECK(store_open(&s, home, KEY, 0) == 0, "open it");
    if (s == NULL)
        return;
    memset(&g, 0, sizeof g);
    CHECK(store_links_each(s, 2, got_link, &g) == 0 &&
              strcmp(g.text, "phone=+66812345678[1,2];") == 0,
          "the first open read the cases already there: %s", g.text);
    store_close(s);
    s = NULL;
    /* the rebuild runs once: rows removed by hand stay removed */
    CHECK(raw_exec(home, "DELETE FROM idents WHERE case_id = 2;") == 0 &&
              store_open(&s, home, KEY, 1) == 0,
          "open again");
    if (s == NULL)
        return;
    memset(&g, 0, sizeof g);
    CHECK(store_links_each(s, 2, got_link, &g) == 0 && g.n == 0,
          "the rebuild is not run again on every open");
    CHECK(store_idents_rebuild(s, &n) == 0 && n == 4,
          "an asked rebuild reads every case again: %ld", n);
    CHECK(store_begin(s) == 0 && store_delete_case(s, b) == 0 &&
              store_commit(s) == 0,
          "delete case 2");
    memset(&g, 0, sizeof g);
    CHECK(store_links_each(s, 1, got_link, &g) == 0 &&
              strcmp(g.text, "phone=+66812345678[1];plate=AB123[1];") == 0,
          "a deleted case leaves the links: %s", g.text);
    store_close(s);
}

static void
test_phrases(void)
{
    char b[64];
    json_t *j;

    links_cases_phrase(b, sizeof b, "4");
    CHECK(strcmp(b, "case 4") == 0, "one case: %s", b);
    links_cases_phrase(b, sizeof b, "4,9");
    CHECK(strcmp(b, "cases 4 and 9") == 0, "two: %s", b);
    links_cases_phrase(b, sizeof b, "4,7,9");
    CHECK(strcmp(b, "cases 4, 7 and 9") == 0, "three: %s", b);
    links_cases_phrase(b, sizeof b, "");
    CHECK(b[0] == 0, "none");
    links_cases_phrase(b, 12, "1000,2000,3000");
    CHECK(strlen(b) == 11, "cut at the cap: %s", b);
    j = links_cases_json("4,7,9");
    CHECK(json_array_size(j) == 3 &&
              json_integer_value(json_array_get(j, 2)) == 9,
          "as JSON");
    json_decref(j);
    j = links_flags_json(UMBRA_IDENT_MIXED | UMBRA_IDENT_CUT);
    CHECK(json_array_size(j) == 2, "flags as JSON");
    json_decref(j);
    CHECK(strcmp(links_kind_noun("phone"), "phone number") == 0 &&
              strcmp(links_kind_noun("handle"), "online handle") == 0,
          "kind nouns");
}

int
main(void)
{
    char dir[] = "/tmp/umbra-case-idents.XXXXXX";
    char cmd[100];

    if (umbra_secure_init() != 0 || mkdtemp(dir) == NULL) {
        printf("0 passed, 1 failed\n");
        return 1;
    }
    test_store(dir);
    test_phrases();
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", dir);
    return check_done();
}
