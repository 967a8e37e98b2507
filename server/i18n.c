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
i18n_match(const struct i18n *t, const char *requested)
{
    const char *p = requested;
    size_t guard = 0;

    /* A single code, or a list tried in order (weights ignored; the
     * Accept-Language header goes through i18n_accept). */
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
    return NULL;
}

const char *
i18n_negotiate(const struct i18n *t, const char *requested)
{
    const char *m = i18n_match(t, requested);
    return m ? m : i18n_find(t, "en")->code;
}

/* ---- Accept-Language --------------------------------------------------- */

/* One entry of the header: a language range and its weight. */
struct range {
    const char *tag;
    size_t n;
    unsigned q; /* 0..1000 */
};

static int
is_alpha(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static int
is_digit(char c)
{
    return c >= '0' && c <= '9';
}

/* "*" or 1*8ALPHA *("-" 1*8alphanum), at most 35 characters (RFC 4647
 * section 2.1 and RFC 5646's longest useful tag). */
static int
range_ok(const char *s, size_t n)
{
    size_t run = 0;
    int first = 1;

    if (n == 1 && s[0] == '*')
        return 1;
    if (n == 0 || n > 35)
        return 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '-') {
            if (run == 0)
                return 0;
            run = 0;
            first = 0;
            continue;
        }
        if (!is_alpha(s[i]) && !(is_digit(s[i]) && !first))
            return 0;
        if (++run > 8)
            return 0;
    }
    return run > 0;
}

/* qvalue = ( "0" [ "." 0*3DIGIT ] ) / ( "1" [ "." 0*3("0") ] ), in
 * thousandths; -1 if malformed. */
static int
parse_q(const char *s, size_t n)
{
    unsigned v, scale = 100;

    if (n == 0 || n > 5 || (s[0] != '0' && s[0] != '1'))
        return -1;
    v = (unsigned)(s[0] - '0') * 1000;
    if (n == 1)
        return (int)v;
    if (s[1] != '.')
        return -1;
    for (size_t i = 2; i < n; i++) {
        if (!is_digit(s[i]))
            return -1;
        v += (unsigned)(s[i] - '0') * scale;
        scale /= 10;
    }
    return v <= 1000 ? (int)v : -1;
}

static int
ows(char c)
{
    return c == ' ' || c == '\t';
}

/* Parses one entry, s[0..n), into *out: 0, or -1 if malformed (a bad
 * range, a bad or repeated q, any other parameter). */
static int
parse_entry(struct range *out, const char *s, size_t n)
{
    size_t i = 0, tl;
    int seen_q = 0;

    while (i < n && ows(s[i]))
        i++;
    while (n > i && ows(s[n - 1]))
        n--;
    tl = 0;
    while (i + tl < n && s[i + tl] != ';' && !ows(s[i + tl]))
        tl++;
    if (!range_ok(s + i, tl))
        return -1;
    out->tag = s + i;
    out->n = tl;
    out->q = 1000;
    i += tl;
    while (i < n) {
        size_t vl = 0;
        int q;
        while (i < n && ows(s[i]))
            i++;
        if (i >= n || s[i] != ';')
            return -1;
        i++;
        while (i < n && ows(s[i]))
            i++;
        if (seen_q || n - i < 2 || (s[i] != 'q' && s[i] != 'Q') ||
            s[i + 1] != '=')
            return -1;
        i += 2;
        while (i + vl < n && !ows(s[i + vl]) && s[i + vl] != ';')
            vl++;
        q = parse_q(s + i, vl);
        if (q < 0)
            return -1;
        out->q = (unsigned)q;
        seen_q = 1;
        i += vl;
    }
    return 0;
}

/* 1 if a q=0 range refuses the supported code c: the same tag, or c's
 * primary language alone ("pt;q=0" refuses "pt-BR"). */
static int
refused(const struct range *r, size_t nr, const char *c)
{
    char pre[16];
    size_t cl = strcspn(c, "-");

    if (cl >= sizeof(pre))
        return 0;
    memcpy(pre, c, cl);
    pre[cl] = '\0';
    for (size_t i = 0; i < nr; i++)
        if (r[i].q == 0 && (lang_eq(r[i].tag, r[i].n, c) ||
                            lang_eq(r[i].tag, r[i].n, pre)))
            return 1;
    return 0;
}

const char *
i18n_accept(const struct i18n *t, const char *header)
{
    struct range r[I18N_ACCEPT_MAX_RANGES];
    size_t nr = 0, len, pos = 0;

    if (!header)
        return NULL;
    /* Nothing past the cap is looked at; the entry it cuts and all after
     * it are dropped. */
    len = strnlen(header, I18N_ACCEPT_MAX_BYTES + 1);
    while (pos < len && nr < I18N_ACCEPT_MAX_RANGES) {
        const char *comma = memchr(header + pos, ',', len - pos);
        size_t n = comma ? (size_t)(comma - (header + pos)) : len - pos;
        if (pos + n > I18N_ACCEPT_MAX_BYTES)
            break;
        if (parse_entry(&r[nr], header + pos, n) == 0)
            nr++;
        pos += n + 1;
    }
    /* Best weight first; equal weights keep the header's order. */
    for (size_t i = 1; i < nr; i++) {
        struct range x = r[i];
        size_t j = i;
        while (j > 0 && r[j - 1].q < x.q) {
            r[j] = r[j - 1];
            j--;
        }
        r[j] = x;
    }
    for (size_t i = 0; i < nr && r[i].q > 0; i++) {
        const char *m;
        if (r[i].n == 1 && r[i].tag[0] == '*')
            m = i18n_find(t, "en") ? i18n_find(t, "en")->code : NULL;
        else
            m = match_one(t, r[i].tag, r[i].n);
        if (m && !refused(r, nr, m))
            return m;
    }
    return NULL;
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
