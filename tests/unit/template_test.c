/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * template_test: the template engine of umbra-server (server/template.h)
 * on its own, table-driven: each case is a template, whether strict mode
 * is on, and the page (or the failure) a reader would get. The context is
 * a small scope of strings, flags and two nested lists; partials,
 * translations and SRI hashes come from fixed tables.
 *
 *   build/template-test
 */
#include "../../server/template.h"
#include "../../client-crypto/tests/check.h"

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

/* ---- the cases -------------------------------------------------------- */

struct tcase {
    const char *tpl;
    int strict;
    const char *want; /* NULL: tpl_render fails */
};

static const struct tcase CASES[] = {
    /* text, variables, escaping */
    {"plain text, no tags", 0, "plain text, no tags"},
    {"", 0, ""},
    {"{{esc}}", 0, "a&amp;b&lt;c&gt;d&quot;e&#39;f"},
    {"{{ esc }}|{{raw}}", 0, "a&amp;b&lt;c&gt;d&quot;e&#39;f|<i>raw</i>"},
    {"[{{yes}}][{{no}}][{{empty}}]", 0, "[1][][]"},
    /* sections: flags, strings, lists */
    {"{{#yes}}Y{{/yes}}{{#no}}N{{/no}}{{^no}}n{{/no}}{{^yes}}y{{/yes}}", 0,
     "Yn"},
    {"{{#esc}}set{{/esc}}{{^empty}}unset{{/empty}}", 0, "setunset"},
    {"{{#fruits}}({{name}}){{/fruits}}", 0, "(apple)(&lt;pear&gt;)"},
    /* a root name from inside a loop; a list's field shadows the root */
    {"{{#fruits}}{{yes}}{{/fruits}}{{name}}", 0, "11root-name"},
    {"{{#fruits}}{{name}}:{{#sizes}}{{size}}/{{name}},{{/sizes}};{{/fruits}}",
     0, "apple:size-S/apple,size-L/apple,;&lt;pear&gt;:size-S/&lt;pear&gt;,"
        "size-L/&lt;pear&gt;,;"},
    {"{{#none}}x{{/none}}{{^none}}empty list{{/none}}", 0, "empty list"},
    /* unknown names: nothing, or a flag in strict mode */
    {"{{size}}|{{nosuch}}|{{#nosuch}}x{{/nosuch}}{{^nosuch}}y{{/nosuch}}", 0,
     "||y"},
    {"{{size}}|{{nosuch}}", 1, "[unknown:size]|[unknown:nosuch]"},
    /* translations, partials, SRI hashes */
    {"{{t hello}} {{t  fallback}} {{t nokey}}", 0,
     "Hello &amp; welcome English &lt;text&gt; nokey"},
    {"{{t hello}} {{t fallback}}", 1, "Hello &amp; welcome [missing:fallback]"},
    {"{{> greet}}!{{> nosuch}}", 0, "hi root-name!"},
    {"{{>greet}}{{> nosuch}}", 1, "hi root-name[unknown:nosuch]"},
    {"{{> loop}}", 0, NULL},
    {"<script integrity=\"{{sri app.js}}\">{{sri no.js}}", 0,
     "<script integrity=\"sha512-AAAA\">"},
    {"{{sri no.js}}", 1, "[unknown:sri no.js]"},
    /* comments, stray closes, broken or overlong tags */
    {"a{{! a comment }}b{{/stray}}c", 0, "abc"},
    {"{{#yes}}never closed", 0, NULL},
    {"text {{ not a tag", 0, "text {{ not a tag"},
    {"{{ a tag longer than the engine's limit of seventy-one bytes, kept "
     "as text }}.",
     0,
     "{{ a tag longer than the engine's limit of seventy-one bytes, kept "
     "as text }}."},
    /* loops nested deeper than 8 */
    {"{{#fruits}}{{#fruits}}{{#fruits}}{{#fruits}}{{#fruits}}{{#fruits}}"
     "{{#fruits}}{{#fruits}}{{#fruits}}x{{/fruits}}{{/fruits}}{{/fruits}}"
     "{{/fruits}}{{/fruits}}{{/fruits}}{{/fruits}}{{/fruits}}{{/fruits}}",
     0, NULL},
};

static void
run_case(const struct tcase *c)
{
    struct tpl_env env = {&ROOT, NULL, partial, translate, sri, c->strict};
    struct buf b = {NULL, 0, 0, 4096};
    int rc = tpl_render(&b, &env, c->tpl, strlen(c->tpl));

    if (!c->want) {
        CHECK(rc == -1, "'%s' should fail (rc %d)", c->tpl, rc);
    } else {
        CHECK(rc == 0 && b.len == strlen(c->want) &&
                  memcmp(b.data ? (const char *)b.data : "", c->want,
                         b.len) == 0,
              "'%s' gave '%.*s' (rc %d), want '%s'", c->tpl, (int)b.len,
              b.data ? (const char *)b.data : "", rc, c->want);
    }
    buf_release(&b);
}

int
main(void)
{
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

    for (size_t i = 0; i < sizeof(CASES) / sizeof(CASES[0]); i++)
        run_case(&CASES[i]);

    /* The buffer's cap bounds the page: one byte short fails. */
    {
        struct tpl_env env = {&ROOT, NULL, partial, translate, sri, 0};
        struct buf b = {NULL, 0, 0, 7};
        CHECK(tpl_render(&b, &env, "1234{{no}}5678", 14) == -1,
              "a page past the cap fails");
        buf_release(&b);
        b.cap = 8;
        CHECK(tpl_render(&b, &env, "1234{{no}}5678", 14) == 0 && b.len == 8,
              "a page at the cap renders");
        buf_release(&b);
    }
    return check_done();
}
