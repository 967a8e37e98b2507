/* SPDX-License-Identifier: AGPL-3.0-or-later */
/* template: see template.h. */
#include "template.h"

#include <stdlib.h>
#include <string.h>

#define MAX_DEPTH 8
#define MAX_PARTIAL_DEPTH 4
#define MAX_NAME 64
#define SCRATCH 160

/* One loop being rendered: the scope of its items and the current one. */
struct frame {
    const struct tpl_scope *items;
    const void *arg;
    size_t i;
};

struct render {
    const struct tpl_env *env;
    struct umbra_buf *out;
    struct frame stack[MAX_DEPTH];
    int depth;
    int partials;
    int err;
};

int
tpl_scope_init(struct tpl_scope *scope)
{
    size_t i = 0;

    memset(scope->first, 0, sizeof(scope->first));
    if (scope->n > 65535)
        return -1;
    for (size_t j = 0; j < scope->n; j++)
        if (!scope->vars[j].name[0] ||
            (j && strcmp(scope->vars[j - 1].name, scope->vars[j].name) >= 0))
            return -1;
    for (unsigned c = 0; c <= 256; c++) {
        while (i < scope->n && (unsigned char)scope->vars[i].name[0] < c)
            i++;
        scope->first[c] = (unsigned short)i;
    }
    return 0;
}

/* ---- output ------------------------------------------------------------ */

static void
emit(struct render *r, const char *s, size_t n)
{
    struct umbra_buf *b = r->out;
    if (r->err || n == 0)
        return;
    if (n <= b->alloc - b->len) { /* the common case: it fits */
        memcpy(b->data + b->len, s, n);
        b->len += n;
    } else if (umbra_buf_append(b, s, n) != 0) {
        r->err = -1;
    }
}

static void
emit_str(struct render *r, const char *s)
{
    emit(r, s, strlen(s));
}

static void
emit_escaped(struct render *r, const char *s)
{
    for (;;) {
        size_t n = strcspn(s, "&<>\"'"); /* a run to copy as it is */
        const char *rep = NULL;
        emit(r, s, n);
        s += n;
        switch (*s) {
        case '&': rep = "&amp;"; break;
        case '<': rep = "&lt;"; break;
        case '>': rep = "&gt;"; break;
        case '"': rep = "&quot;"; break;
        case '\'': rep = "&#39;"; break;
        default: return; /* the end of s */
        }
        emit_str(r, rep);
        s++;
    }
}

/* "[what:NAME]" in strict mode, nothing otherwise. */
static void
emit_flag(struct render *r, const char *what, const char *name)
{
    if (!r->env->strict)
        return;
    emit_str(r, what);
    emit_escaped(r, name);
    emit_str(r, "]");
}

/* ---- lookup ------------------------------------------------------------ */

/* strcmp for the short names of a scope, without a call. */
static int
name_cmp(const char *a, const char *b)
{
    while (*a && *a == *b)
        a++, b++;
    return (unsigned char)*a - (unsigned char)*b;
}

/* The names starting with name's first byte, in order, then the rest of
 * the name compared. */
static const struct tpl_var *
scope_find(const struct tpl_scope *scope, const char *name)
{
    unsigned c = (unsigned char)name[0];
    if (!scope)
        return NULL;
    for (size_t i = scope->first[c]; i < scope->first[c + 1]; i++) {
        int d = name_cmp(name + 1, scope->vars[i].name + 1);
        if (d == 0)
            return &scope->vars[i];
        if (d < 0)
            break;
    }
    return NULL;
}

/* The value of name: from the innermost loop whose item has it, else from
 * the root scope. */
static struct tpl_val
lookup(const struct render *r, const char *name, char *scratch,
       size_t scratch_len)
{
    struct tpl_query q = {r->env->ctx, NULL, 0, 0, scratch, scratch_len};
    const struct tpl_scope *scope = NULL;
    const struct tpl_var *v = NULL;

    for (int d = r->depth - 1; d >= 0; d--) {
        const struct frame *f = &r->stack[d];
        if (f->items != scope) { /* loops mostly share one scope */
            scope = f->items;
            v = scope_find(scope, name);
        }
        if (v) {
            struct tpl_val val;
            q.arg = f->arg;
            q.i = f->i;
            q.key = v->key;
            val = v->get(&q);
            if (val.type != TPL_NONE)
                return val;
        }
    }
    if (r->env->root != scope || r->depth == 0)
        v = scope_find(r->env->root, name);
    if (!v)
        return tpl_none();
    q.arg = NULL;
    q.i = 0;
    q.key = v->key;
    return v->get(&q);
}

static int
truthy(const struct tpl_val *v)
{
    switch (v->type) {
    case TPL_STR:
    case TPL_RAW: return v->s && *v->s;
    case TPL_BOOL: return v->b;
    case TPL_LIST: return v->n > 0;
    default: return 0;
    }
}

/* ---- rendering --------------------------------------------------------- */

/* Finds the end of the section opened just before s (its "{{/name}}"),
 * counting nested sections. Returns the position of the closing tag's
 * "{{" and sets *after past it, or NULL if unbalanced. */
static const char *
section_end(const char *s, const char *end, const char **after)
{
    int depth = 1;
    while (s < end) {
        const char *o = strstr(s, "{{");
        const char *c;
        if (!o || o >= end)
            return NULL;
        c = strstr(o + 2, "}}");
        if (!c || c >= end)
            return NULL;
        if (o[2] == '#' || o[2] == '^')
            depth++;
        else if (o[2] == '/' && --depth == 0) {
            *after = c + 2;
            return o;
        }
        s = c + 2;
    }
    return NULL;
}

static void render_range(struct render *r, const char *s, const char *end);

static void
render_partial(struct render *r, const char *name)
{
    size_t len = 0;
    const char *text = r->env->partial(r->env->ctx, name, &len);
    if (!text) {
        emit_flag(r, "[unknown:", name);
        return;
    }
    if (r->partials >= MAX_PARTIAL_DEPTH) {
        r->err = -1;
        return;
    }
    r->partials++;
    render_range(r, text, text + len);
    r->partials--;
}

static void
render_section(struct render *r, const char *name, int inverted,
               const char *body, const char *body_end)
{
    char scratch[SCRATCH];
    struct tpl_val v = lookup(r, name, scratch, sizeof(scratch));

    if (inverted) {
        if (!truthy(&v))
            render_range(r, body, body_end);
        return;
    }
    if (v.type != TPL_LIST) {
        if (truthy(&v))
            render_range(r, body, body_end);
        return;
    }
    if (r->depth >= MAX_DEPTH) {
        r->err = -1;
        return;
    }
    r->depth++;
    for (size_t i = 0; i < v.n && !r->err; i++) {
        r->stack[r->depth - 1].items = v.items;
        r->stack[r->depth - 1].arg = v.arg;
        r->stack[r->depth - 1].i = i;
        render_range(r, body, body_end);
    }
    r->depth--;
}

static void
render_variable(struct render *r, const char *tag)
{
    char scratch[SCRATCH];
    struct tpl_val v = lookup(r, tag, scratch, sizeof(scratch));

    if (v.type == TPL_STR)
        emit_escaped(r, v.s);
    else if (v.type == TPL_RAW)
        emit_str(r, v.s);
    else if (v.type == TPL_BOOL)
        emit_str(r, v.b ? "1" : "");
    else
        emit_flag(r, "[unknown:", tag);
}

static void
render_translation(struct render *r, const char *key)
{
    int missing;
    const char *s = r->env->translate(r->env->ctx, key, &missing);
    if (missing && r->env->strict)
        emit_flag(r, "[missing:", key);
    else
        emit_escaped(r, s);
}

/* Copies the tag between "{{" and "}}" (n bytes at s) into tag without the
 * spaces around it; the part after a one-character sigil is trimmed on the
 * left by the callers. */
static void
tag_trim(char *tag, const char *s, size_t n)
{
    char *t = tag;
    size_t tl;
    memcpy(tag, s, n);
    tag[n] = '\0';
    while (*t == ' ')
        t++;
    tl = strlen(t);
    while (tl && t[tl - 1] == ' ')
        t[--tl] = '\0';
    memmove(tag, t, tl + 1);
}

static const char *
skip_spaces(const char *s)
{
    while (*s == ' ')
        s++;
    return s;
}

static void
render_range(struct render *r, const char *s, const char *end)
{
    while (s < end && !r->err) {
        const char *o = strstr(s, "{{");
        const char *c;
        char tag[MAX_NAME + 8];
        size_t n;

        if (!o || o >= end) {
            emit(r, s, (size_t)(end - s));
            return;
        }
        emit(r, s, (size_t)(o - s));
        c = strstr(o + 2, "}}");
        if (!c || c > end) {
            emit(r, o, (size_t)(end - o)); /* not a tag: keep the text */
            return;
        }
        n = (size_t)(c - o - 2);
        if (n >= sizeof(tag)) {
            emit(r, o, (size_t)(c + 2 - o));
            s = c + 2;
            continue;
        }
        tag_trim(tag, o + 2, n);
        s = c + 2;
        if (tag[0] == '!' || tag[0] == '/')
            continue; /* a comment, or a stray close: ignore */
        if (tag[0] == '#' || tag[0] == '^') {
            const char *after = NULL;
            const char *close = section_end(s, end, &after);
            if (!close) {
                r->err = -1;
                return;
            }
            render_section(r, skip_spaces(tag + 1), tag[0] == '^', s, close);
            s = after;
        } else if (tag[0] == '>') {
            render_partial(r, skip_spaces(tag + 1));
        } else if (strncmp(tag, "t ", 2) == 0) {
            render_translation(r, skip_spaces(tag + 2));
        } else if (strncmp(tag, "sri ", 4) == 0) {
            const char *h = r->env->sri(r->env->ctx, tag + 4);
            if (h)
                emit_str(r, h);
            else
                emit_flag(r, "[unknown:", tag);
        } else {
            render_variable(r, tag);
        }
    }
}

int
tpl_render(struct umbra_buf *out, const struct tpl_env *env, const char *text,
           size_t len)
{
    struct render r;

    memset(&r, 0, sizeof(r));
    r.env = env;
    r.out = out;
    render_range(&r, text, text + len);
    return r.err ? -1 : 0;
}
