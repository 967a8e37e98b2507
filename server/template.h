/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * template: renders the pages' templates (a small Mustache dialect) with a
 * context given as tables of names, into a capped buffer.
 *
 * Syntax, every insertion HTML-escaped unless noted:
 *
 *   {{t key}}        env->translate(key): a catalogue string
 *   {{name}}         a variable: a field of the item of the innermost loop
 *                    that has one, else a name of the root scope
 *   {{#name}}..{{/name}}  a loop over a list, or the block once if the
 *                    variable is true / a non-empty string
 *   {{^name}}..{{/name}}  the block once if the variable is false, empty
 *                    or an empty list
 *   {{> name}}       another template (env->partial), at most 4 deep
 *   {{sri file}}     env->sri(file): a Subresource Integrity hash
 *   {{name}} of a TPL_RAW value: inserted as it is (not escaped)
 *   {{! comment }}
 *
 * The context is data, not code paths: a scope is a table of names, sorted
 * by strcmp and searched by bisection, each with a getter that gives the
 * value; a list value carries the scope of its items' fields. Strings a
 * getter returns must live until the render ends, or in the scratch buffer
 * it is given (valid until the next lookup).
 *
 * With env->strict, an unknown variable, partial or sri file renders as
 * "[unknown:NAME]" and a missing catalogue key as "[missing:KEY]", so
 * tests can find them.
 */
#ifndef UMBRA_SERVER_TEMPLATE_H
#define UMBRA_SERVER_TEMPLATE_H

#include <stddef.h>

#include "util.h"

enum tpl_type { TPL_NONE, TPL_STR, TPL_BOOL, TPL_LIST, TPL_RAW };

struct tpl_scope;

struct tpl_val {
    enum tpl_type type;
    int b;                         /* TPL_BOOL */
    const char *s;                 /* TPL_STR, TPL_RAW: never NULL */
    size_t n;                      /* TPL_LIST: how many items */
    const struct tpl_scope *items; /* TPL_LIST: the fields of an item */
    const void *arg;               /* TPL_LIST: handed to their getters */
};

/* What a getter is asked: the value of the name with this key in its
 * table. ctx is env->ctx; arg and i are the list's arg and the item's index
 * (NULL and 0 in the root scope). A string may be written to scratch
 * (scratch_len bytes). */
struct tpl_query {
    const void *ctx, *arg;
    size_t i;
    int key;
    char *scratch;
    size_t scratch_len;
};

typedef struct tpl_val (*tpl_getter)(const struct tpl_query *q);

struct tpl_var {
    const char *name;
    tpl_getter get;
    int key; /* handed to get: one getter can serve several names */
};

/* A table of names sorted by strcmp, with an index by first byte that
 * tpl_scope_init() fills: the names starting with byte c are
 * vars[first[c]] to vars[first[c + 1] - 1]. */
struct tpl_scope {
    const struct tpl_var *vars;
    size_t n;
    unsigned short first[257];
};

struct tpl_env {
    const struct tpl_scope *root;
    const void *ctx; /* handed to every getter and hook */
    /* The text of the template name (*len bytes), or NULL. */
    const char *(*partial)(const void *ctx, const char *name, size_t *len);
    /* The string for key, never NULL; *missing set when it is a fallback. */
    const char *(*translate)(const void *ctx, const char *key, int *missing);
    /* The "sha512-..." hash of a static file, or NULL. */
    const char *(*sri)(const void *ctx, const char *file);
    int strict;
};

/* Values for getters to return (inline: a page asks for hundreds); none
 * is "no such name here". s NULL is the empty string. */
static inline struct tpl_val
tpl_none(void)
{
    struct tpl_val v = {.type = TPL_NONE};
    return v;
}

static inline struct tpl_val
tpl_str(const char *s)
{
    struct tpl_val v = {.type = TPL_STR, .s = s ? s : ""};
    return v;
}

static inline struct tpl_val
tpl_raw(const char *s)
{
    struct tpl_val v = {.type = TPL_RAW, .s = s ? s : ""};
    return v;
}

static inline struct tpl_val
tpl_bool(int b)
{
    struct tpl_val v = {.type = TPL_BOOL, .b = b != 0};
    return v;
}

static inline struct tpl_val
tpl_list(size_t n, const struct tpl_scope *items, const void *arg)
{
    struct tpl_val v = {.type = TPL_LIST, .n = n, .items = items, .arg = arg};
    return v;
}

/* Checks that scope has at most 65535 names, non-empty and strictly
 * increasing by strcmp, and fills its index. 0, or -1 (index left empty:
 * every lookup in it fails). */
int tpl_scope_init(struct tpl_scope *scope)
    __attribute__((warn_unused_result));

/* Renders text (len bytes) with env, appending to out (whose cap bounds the
 * page). 0, or -1 if out's cap or memory ran out, a section is unbalanced,
 * or loops nest deeper than 8 or partials deeper than 4: then out holds a
 * part of the page (the caller releases it: umbra_buf_release wipes it). */
int tpl_render(struct umbra_buf *out, const struct tpl_env *env, const char *text,
               size_t len) __attribute__((warn_unused_result));

#endif
