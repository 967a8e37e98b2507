/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * template_test: the template engine of umbra-server (server/template.h)
 * on its own, table-driven: each case of tests/unit/template_cases.txt is
 * a template, whether strict mode is on, and the page (or the failure) a
 * reader would get. The context is a small scope of strings, flags and two
 * nested lists; partials, translations and SRI hashes come from fixed
 * tables.
 *
 *   build/template-test [CASES]   (default: tests/unit/template_cases.txt)
 */
#include "../../server/template.h"
#include "check.h" /* the C tests' harness (-I in server/module.mk) */

#include <stdio.h>
#include <string.h>

/* ---- a context: root names and the fields of two lists --------------- */

enum { K_ESC, K_RAW, K_YES, K_NO, K_EMPTY, K_NAME, K_FRUITS, K_NONE_LIST };
enum { F_NAME, F_SIZES, F_SIZE };

static const char *const FRUITS[] = {"apple", "<pear>"};
static const char *const SIZES[] = {"S", "L"};

static struct tpl_scope ITEMS;

static struct tpl_val
root(const struct tpl_query *q)
{
    switch (q->key) {
    case K_ESC: return tpl_str("a&b<c>d\"e'f");
    case K_RAW: return tpl_raw("<i>raw</i>");
    case K_YES: return tpl_bool(1);
    case K_NO: return tpl_bool(0);
    case K_EMPTY: return tpl_str(NULL);
    case K_NAME: return tpl_str("root-name");
    case K_FRUITS: return tpl_list(2, &ITEMS, FRUITS);
    default: return tpl_list(0, &ITEMS, FRUITS);
    }
}

static struct tpl_val
item(const struct tpl_query *q)
{
    if (q->arg == FRUITS && q->key == F_NAME)
        return tpl_str(FRUITS[q->i]);
    if (q->arg == FRUITS && q->key == F_SIZES)
        return tpl_list(2, &ITEMS, SIZES);
    if (q->arg == SIZES && q->key == F_SIZE) {
        snprintf(q->scratch, q->scratch_len, "size-%s", SIZES[q->i]);
        return tpl_str(q->scratch);
    }
    return tpl_none();
}

static const struct tpl_var ROOT_VARS[] = {
    {"empty", root, K_EMPTY}, {"esc", root, K_ESC},
    {"fruits", root, K_FRUITS}, {"name", root, K_NAME},
    {"no", root, K_NO},       {"none", root, K_NONE_LIST},
    {"raw", root, K_RAW},     {"yes", root, K_YES},
};
static const struct tpl_var ITEM_VARS[] = {
    {"name", item, F_NAME}, {"size", item, F_SIZE}, {"sizes", item, F_SIZES}};

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))
static struct tpl_scope ROOT = {ROOT_VARS, NELEM(ROOT_VARS), {0}};
static struct tpl_scope ITEMS = {ITEM_VARS, NELEM(ITEM_VARS), {0}};

static const char *const PARTIALS[][2] = {
    {"greet", "hi {{name}}"},
    {"loop", "<{{> loop}}>"}, /* deeper than 4: a failure */
};

static const char *
partial(const void *ctx, const char *name, size_t *len)
{
    (void)ctx;
    for (size_t i = 0; i < sizeof(PARTIALS) / sizeof(PARTIALS[0]); i++)
        if (strcmp(PARTIALS[i][0], name) == 0) {
            *len = strlen(PARTIALS[i][1]);
            return PARTIALS[i][1];
        }
    return NULL;
}

static const char *
translate(const void *ctx, const char *key, int *missing)
{
    (void)ctx;
    *missing = strcmp(key, "hello") != 0;
    if (!*missing)
        return "Hello & welcome";
    return strcmp(key, "fallback") == 0 ? "English <text>" : key;
}

static const char *
sri(const void *ctx, const char *file)
{
    (void)ctx;
    return strcmp(file, "app.js") == 0 ? "sha512-AAAA" : NULL;
}

/* ---- the cases (tests/unit/template_cases.txt) --------------------- */

/* One case: "template<TAB>strict<TAB>want" (want "!fail" when the render
 * must fail), line being one line of the cases file without its newline. */
static void
run_case(char *line, int lineno)
{
    char *strict = strchr(line, '\t');
    char *want = strict ? strchr(strict + 1, '\t') : NULL;
    struct tpl_env env = {&ROOT, NULL, partial, translate, sri, 0};
    struct umbra_buf b = {.cap = 4096};
    int rc;

    CHECK(want != NULL, "line %d: three fields", lineno);
    if (!want)
        return;
    *strict++ = '\0';
    *want++ = '\0';
    env.strict = strict[0] == '1';
    rc = tpl_render(&b, &env, line, strlen(line));
    if (strcmp(want, "!fail") == 0) {
        CHECK(rc == -1, "line %d: '%s' should fail (rc %d)", lineno, line, rc);
    } else {
        CHECK(rc == 0 && b.len == strlen(want) &&
                  memcmp(b.data ? (const char *)b.data : "", want, b.len) ==
                      0,
              "line %d: '%s' gave '%.*s' (rc %d), want '%s'", lineno, line,
              (int)b.len, b.data ? (const char *)b.data : "", rc, want);
    }
    umbra_buf_release(&b);
}

/* Runs every case of path; the number of cases, or -1 if unreadable. */
static int
run_cases(const char *path)
{
    char line[1024];
    int lineno = 0, n = 0;
    FILE *f = fopen(path, "r");

    if (!f)
        return -1;
    while (fgets(line, sizeof(line), f)) {
        lineno++;
        line[strcspn(line, "\n")] = '\0';
        if (line[0] == '#')
            continue;
        run_case(line, lineno);
        n++;
    }
    fclose(f);
    return n;
}

int
main(int argc, char **argv)
{
    const char *cases = argc > 1 ? argv[1] : "tests/unit/template_cases.txt";
    struct tpl_var bad[] = {{"b", root, 0}, {"a", root, 0}};
    struct tpl_var dup[] = {{"a", root, 0}, {"a", root, 0}};
    struct tpl_var empty[] = {{"", root, 0}};
    struct tpl_scope s_bad = {bad, 2, {0}}, s_dup = {dup, 2, {0}},
                     s_empty = {empty, 1, {0}};

    CHECK(tpl_scope_init(&ROOT) == 0 && tpl_scope_init(&ITEMS) == 0,
          "sorted scopes are accepted");
    CHECK(tpl_scope_init(&s_bad) == -1, "an unsorted scope is refused");
    CHECK(tpl_scope_init(&s_dup) == -1, "a name twice is refused");
    CHECK(tpl_scope_init(&s_empty) == -1, "an empty name is refused");

    CHECK(run_cases(cases) >= 20, "the cases in '%s'", cases);

    /* The buffer's cap bounds the page: one byte short fails. */
    {
        struct tpl_env env = {&ROOT, NULL, partial, translate, sri, 0};
        struct umbra_buf b = {.cap = 7};
        CHECK(tpl_render(&b, &env, "1234{{no}}5678", 14) == -1,
              "a page past the cap fails");
        umbra_buf_release(&b);
        b.cap = 8;
        CHECK(tpl_render(&b, &env, "1234{{no}}5678", 14) == 0 && b.len == 8,
              "a page at the cap renders");
        umbra_buf_release(&b);
    }
    return check_done();
}
