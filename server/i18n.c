/* SPDX-License-Identifier: AGPL-3.0-or-later */
/* i18n: see i18n.h. */
#include "i18n.h"
#include "umbra.h"
#include "webfiles.h"

#include <stdio.h>
#include <string.h>

/* ---- loading ----------------------------------------------------------- */

static int
valid_lang_code(const char *s)
{
    return umbra_lang_tag_valid(s, 15); /* a catalogue's file name */
}

static int
load_locale(void *ctx, const char *path, const char *name)
{
    struct i18n *t = ctx;
    char code[16];
    size_t n = strlen(name);
    json_error_t err;
    json_t *cat;
    const char *k;
    json_t *v;

    if (n < 5 || strcmp(name + n - 5, ".json") != 0 ||
        strcmp(name, "status.json") == 0)
        return 0;
    n -= 5;
    if (n >= sizeof(code))
        return 0;
    memcpy(code, name, n);
    code[n] = '\0';
    if (!valid_lang_code(code))
        return 0;
    if (t->n >= I18N_MAX_LOCALES) {
        fprintf(stderr, "page: too many locales\n");
        return -1;
    }
    cat = json_load_file(path, JSON_REJECT_DUPLICATES, &err);
    if (!cat || !json_is_object(cat)) {
        fprintf(stderr, "page: bad catalogue '%s': %s (line %d)\n", path,
                cat ? "not an object" : err.text, err.line);
        json_decref(cat);
        return -1;
    }
    json_object_foreach(cat, k, v)
    {
        if (!json_is_string(v)) {
            fprintf(stderr, "page: bad catalogue '%s': '%s' is not a string\n",
                    path, k);
            json_decref(cat);
            return -1;
        }
    }
    memcpy(t->loc[t->n].code, code, n + 1);
    t->loc[t->n].cat = cat;
    t->loc[t->n].reviewed = 0;
    t->n++;
    return 0;
}

/* Marks the reviewed locales; without status.json every locale but
 * English stays a draft. */
static void
load_status(struct i18n *t, const char *dir)
{
    char path[1024];
    json_t *st;
    json_error_t err;

    snprintf(path, sizeof(path), "%s/status.json", dir);
    st = json_load_file(path, JSON_REJECT_DUPLICATES, &err);
    if (!st)
        return;
    for (size_t i = 0; i < t->n; i++) {
        json_t *e = json_object_get(st, t->loc[i].code);
        const char *s = json_string_value(json_object_get(e, "status"));
        t->loc[i].reviewed = s && strcmp(s, "reviewed") == 0;
    }
    json_decref(st);
}

int
i18n_load(struct i18n *t, const char *dir)
{
    if (webfiles_each(dir, 0, load_locale, t) != 0)
        return -1;
    load_status(t, dir);
    return 0;
}

void
i18n_release(struct i18n *t)
{
    for (size_t i = 0; i < t->n; i++)
        json_decref(t->loc[i].cat);
    memset(t, 0, sizeof(*t));
}

const struct i18n_locale *
i18n_find(const struct i18n *t, const char *code)
{
    for (size_t i = 0; i < t->n; i++)
        if (strcmp(t->loc[i].code, code) == 0)
            return &t->loc[i];
    return NULL;
}

/* ---- language choice --------------------------------------------------- */

static int
lang_eq(const char *a, size_t alen, const char *b)
{
    size_t i;
    for (i = 0; i < alen && b[i]; i++) {
        char x = a[i] == '_' ? '-' : a[i], y = b[i];
        if (x >= 'A' && x <= 'Z')
            x = (char)(x - 'A' + 'a');
        if (y >= 'A' && y <= 'Z')
            y = (char)(y - 'A' + 'a');
        if (x != y)
            return 0;
    }
    return i == alen && b[i] == '\0';
}

/* Supported code for one tag of length n, or NULL. Exact match first
 * (case-insensitive, '_' as '-'), then the same primary language. */
static const char *
match_one(const struct i18n *t, const char *tag, size_t n)
{
    size_t plen = 0;
    if (n == 0 || n > 35)
        return NULL;
    for (size_t i = 0; i < t->n; i++)
        if (lang_eq(tag, n, t->loc[i].code))
            return t->loc[i].code;
    while (plen < n && tag[plen] != '-' && tag[plen] != '_')
        plen++;
    for (size_t i = 0; i < t->n; i++) {
        const char *c = t->loc[i].code;
        size_t cl = strcspn(c, "-");
        char pre[16];
        if (cl >= sizeof(pre))
            continue;
        memcpy(pre, c, cl);
        pre[cl] = '\0';
        if (lang_eq(tag, plen, pre))
            return c;
    }
    return NULL;
}

const char *
i18n_negotiate(const struct i18n *t, const char *requested)
{
    const char *p = requested;
    size_t guard = 0;

    /* A single code, or an Accept-Language list tried in order (weights
     * are ignored: browsers already list them best first). */
    while (p && *p && guard++ < 16) {
        size_t n;
        const char *m;
        while (*p == ' ' || *p == ',')
            p++;
        n = strcspn(p, ",; ");
        m = match_one(t, p, n);
        if (m)
            return m;
        p += n;
        p += strcspn(p, ",");
    }
    return i18n_find(t, "en")->code;
}

/* ---- strings and facts ------------------------------------------------- */

const char *
i18n_text(const struct i18n_locale *loc, const struct i18n_locale *en,
          const char *key, int *missing)
{
    const char *s = json_string_value(json_object_get(loc->cat, key));
    *missing = 0;
    if (s && *s)
        return s;
    *missing = 1;
    s = json_string_value(json_object_get(en->cat, key));
    return s ? s : key;
}

const char *
i18n_name(const struct i18n_locale *loc)
{
    const char *s = json_string_value(json_object_get(loc->cat, "locale.name"));
    return s ? s : loc->code;
}

int
i18n_rtl(const struct i18n_locale *loc, const struct i18n_locale *en)
{
    int missing;
    return strcmp(i18n_text(loc, en, "locale.dir", &missing), "rtl") == 0;
}

int
i18n_draft(const struct i18n_locale *loc)
{
    return !loc->reviewed && strcmp(loc->code, "en") != 0;
}
