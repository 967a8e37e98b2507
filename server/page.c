/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * page: templates, catalogues, static files and information pages, loaded
 * once by page_init() and rendered from memory (see page.h).
 *
 * Template syntax (the .html files of web/templates), every insertion HTML-escaped
 * unless noted:
 *
 *   {{t key}}        the catalogue string `key` in the page's language,
 *                    English when the language lacks it
 *   {{name}}         a variable (see lookup()), or a field of the item of
 *                    the innermost loop
 *   {{#name}}..{{/name}}  a loop over a list, or the block once if the
 *                    variable is true / a non-empty string
 *   {{^name}}..{{/name}}  the block once if the variable is false, empty
 *                    or an empty list
 *   {{> name}}       another template (a partial), at most 4 deep
 *   {{sri file}}     "sha512-<base64>" of a static file (Subresource
 *                    Integrity), computed at page_init
 *   {{content}}      the information page's body (the organisation's own
 *                    HTML from web/content/<lang>/<name>.html; not escaped)
 *   {{! comment }}
 *
 * With UMBRA_PAGE_STRICT=1 in the environment at page_init, a catalogue
 * key missing from the page's language renders as "[missing:KEY]" and an
 * unknown variable as "[unknown:NAME]", so tests can find them.
 */
#include "page.h"
#include "umbra.h"

#include <dirent.h>
#include <errno.h>
#include <jansson.h>
#include <malloc.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define MAX_FILES 256
#define MAX_FILE_BYTES (8u * 1024u * 1024u)
#define MAX_PAGE_BYTES (1024u * 1024u)
#define MAX_LOCALES 64
#define MAX_DEPTH 8
#define MAX_PARTIAL_DEPTH 4
#define MAX_NAME 64

struct file {
    char *name; /* template name, static path or info page name */
    char *data;
    size_t len;
    const char *ctype;
    char sri[100];
    char lang[16]; /* info pages only */
    char *title;   /* info pages only */
};

struct locale {
    char code[16];
    json_t *cat;
    int reviewed;
};

static struct {
    int loaded;
    int strict;
    struct file tpl[MAX_FILES];
    size_t ntpl;
    struct file stat[MAX_FILES];
    size_t nstat;
    struct file info[MAX_FILES];
    size_t ninfo;
    struct locale loc[MAX_LOCALES];
    size_t nloc;
} P;

/* ---- the coded choices of the report document ------------------------ */

/* The lists come from libumbra's report vocabulary (report_vocab.h, with
 * each code's icon); the rows of identifier inputs are the page's own. */
static const char *const ID_ROWS[] = {"1", "2", "3"};
static const char *const NO_ICONS[] = {"", "", ""};

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

/* ---- small helpers ----------------------------------------------------- */

static void
file_release(struct file *f)
{
    free(f->name);
    free(f->data);
    free(f->title);
    memset(f, 0, sizeof(*f));
}

static int
ends_with(const char *s, const char *suffix)
{
    size_t a = strlen(s), b = strlen(suffix);
    return a >= b && memcmp(s + a - b, suffix, b) == 0;
}

static char *
xstrndup(const char *s, size_t n)
{
    char *p = malloc(n + 1);
    if (p) {
        memcpy(p, s, n);
        p[n] = '\0';
    }
    return p;
}

/* Reads a whole regular file of at most MAX_FILE_BYTES into *data (malloc'd,
 * NUL-terminated). 0 or -1 with a message. */
static int
read_file(char **data, size_t *len, const char *path)
{
    FILE *f = NULL;
    char *buf = NULL;
    struct stat st;
    int rc = -1;

    *data = NULL;
    *len = 0;
    f = fopen(path, "rb");
    if (!f || fstat(fileno(f), &st) != 0 || !S_ISREG(st.st_mode)) {
        fprintf(stderr, "page: cannot read '%s': %s\n", path,
                f ? "not a regular file" : strerror(errno));
        goto out;
    }
    if (st.st_size < 0 || (unsigned long long)st.st_size > MAX_FILE_BYTES) {
        fprintf(stderr, "page: '%s' is too large\n", path);
        goto out;
    }
    buf = malloc((size_t)st.st_size + 1);
    if (!buf)
        goto out;
    if (fread(buf, 1, (size_t)st.st_size, f) != (size_t)st.st_size) {
        fprintf(stderr, "page: cannot read '%s'\n", path);
        goto out;
    }
    buf[st.st_size] = '\0';
    *data = buf;
    *len = (size_t)st.st_size;
    buf = NULL;
    rc = 0;
out:
    free(buf);
    if (f)
        fclose(f);
    return rc;
}

static int
safe_name(const char *s, int allow_slash)
{
    size_t n = 0;
    if (!s || !*s || *s == '.' || *s == '/')
        return 0;
    for (; s[n]; n++) {
        char c = s[n];
        if (n >= 128)
            return 0;
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
            (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.')
            continue;
        if (c == '/' && allow_slash)
            continue;
        return 0;
    }
    return strstr(s, "..") == NULL && strstr(s, "//") == NULL;
}

static const char *
content_type(const char *name)
{
    static const struct {
        const char *ext, *type;
    } types[] = {
        {".css", "text/css; charset=utf-8"},
        {".js", "text/javascript; charset=utf-8"},
        {".mjs", "text/javascript; charset=utf-8"},
        {".json", "application/json"},
        {".svg", "image/svg+xml"},
        {".png", "image/png"},
        {".ico", "image/x-icon"},
        {".wasm", "application/wasm"},
        {".woff2", "font/woff2"},
        {".txt", "text/plain; charset=utf-8"},
        {".html", "text/html; charset=utf-8"},
    };
    for (size_t i = 0; i < NELEM(types); i++)
        if (ends_with(name, types[i].ext))
            return types[i].type;
    return "application/octet-stream";
}

/* Calls fn for each regular file (not starting with '.') of dir, sorted by
 * name for a stable load order. A missing folder is not an error when
 * optional. */
static int
each_file(const char *dir, int optional,
          int (*fn)(void *ctx, const char *path, const char *name), void *ctx)
{
    struct dirent **ents = NULL;
    int n, rc = 0;
    char path[1024];

    n = scandir(dir, &ents, NULL, alphasort);
    if (n < 0) {
        if (optional && errno == ENOENT)
            return 0;
        fprintf(stderr, "page: cannot open folder '%s': %s\n", dir,
                strerror(errno));
        return -1;
    }
    for (int i = 0; i < n; i++) {
        const char *name = ents[i]->d_name;
        struct stat st;
        if (rc == 0 && name[0] != '.') {
            int w = snprintf(path, sizeof(path), "%s/%s", dir, name);
            if (w < 0 || (size_t)w >= sizeof(path)) {
                fprintf(stderr, "page: path too long in '%s'\n", dir);
                rc = -1;
            } else if (stat(path, &st) == 0 && S_ISREG(st.st_mode)) {
                rc = fn(ctx, path, name);
            }
        }
        free(ents[i]);
    }
    free(ents);
    return rc;
}

/* ---- loading ----------------------------------------------------------- */

static int
load_template(void *ctx, const char *path, const char *name)
{
    struct file *f;
    (void)ctx;
    if (!ends_with(name, ".html"))
        return 0;
    if (P.ntpl >= MAX_FILES) {
        fprintf(stderr, "page: too many templates\n");
        return -1;
    }
    f = &P.tpl[P.ntpl];
    f->name = xstrndup(name, strlen(name) - 5);
    if (!f->name || read_file(&f->data, &f->len, path) != 0) {
        file_release(f);
        return -1;
    }
    P.ntpl++;
    return 0;
}

static int
load_static(void *ctx, const char *path, const char *name)
{
    const char *prefix = ctx;
    struct file *f;
    unsigned char h[crypto_hash_sha512_BYTES];
    char full[256];
    int w;

    w = snprintf(full, sizeof(full), "%s%s", prefix, name);
    if (w < 0 || (size_t)w >= sizeof(full) || !safe_name(full, 1))
        return 0; /* not servable: skip quietly */
    if (P.nstat >= MAX_FILES) {
        fprintf(stderr, "page: too many static files\n");
        return -1;
    }
    f = &P.stat[P.nstat];
    f->name = xstrndup(full, (size_t)w);
    if (!f->name || read_file(&f->data, &f->len, path) != 0) {
        file_release(f);
        return -1;
    }
    f->ctype = content_type(name);
    crypto_hash_sha512(h, (const unsigned char *)f->data, f->len);
    memcpy(f->sri, "sha512-", 7);
    sodium_bin2base64(f->sri + 7, sizeof(f->sri) - 7, h, sizeof(h),
                      sodium_base64_VARIANT_ORIGINAL);
    P.nstat++;
    return 0;
}

static int
valid_lang_code(const char *s)
{
    return umbra_lang_tag_valid(s, 15); /* a catalogue's file name */
}

static int
load_locale(void *ctx, const char *path, const char *name)
{
    char code[16];
    size_t n;
    json_error_t err;
    json_t *cat;
    const char *k;
    json_t *v;
    (void)ctx;

    if (!ends_with(name, ".json") || strcmp(name, "status.json") == 0)
        return 0;
    n = strlen(name) - 5;
    if (n >= sizeof(code))
        return 0;
    memcpy(code, name, n);
    code[n] = '\0';
    if (!valid_lang_code(code))
        return 0;
    if (P.nloc >= MAX_LOCALES) {
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
    memcpy(P.loc[P.nloc].code, code, n + 1);
    P.loc[P.nloc].cat = cat;
    P.loc[P.nloc].reviewed = 0;
    P.nloc++;
    return 0;
}

struct info_load {
    const char *lang;
};

static int
load_info(void *ctx, const char *path, const char *name)
{
    struct info_load *il = ctx;
    struct file *f;
    const char *h1, *end;

    if (!ends_with(name, ".html"))
        return 0;
    if (P.ninfo >= MAX_FILES) {
        fprintf(stderr, "page: too many information pages\n");
        return -1;
    }
    f = &P.info[P.ninfo];
    f->name = xstrndup(name, strlen(name) - 5);
    if (!f->name)
        return -1;
    if (!safe_name(f->name, 0)) {
        file_release(f); /* not a name a URL can ask for: skip it */
        return 0;
    }
    if (read_file(&f->data, &f->len, path) != 0) {
        file_release(f);
        return -1;
    }
    snprintf(f->lang, sizeof(f->lang), "%s", il->lang);
    /* The title is the text of the first <h1>, else the name. */
    h1 = strstr(f->data, "<h1>");
    end = h1 ? strstr(h1, "</h1>") : NULL;
    if (h1 && end && end - h1 - 4 < 200)
        f->title = xstrndup(h1 + 4, (size_t)(end - h1 - 4));
    else
        f->title = xstrndup(f->name, strlen(f->name));
    if (!f->title) {
        file_release(f);
        return -1;
    }
    P.ninfo++;
    return 0;
}

static int
load_status(const char *web_dir)
{
    char path[1024];
    json_t *st;
    json_error_t err;

    snprintf(path, sizeof(path), "%s/locales/status.json", web_dir);
    st = json_load_file(path, JSON_REJECT_DUPLICATES, &err);
    if (!st)
        return 0; /* every locale but English stays a draft */
    for (size_t i = 0; i < P.nloc; i++) {
        json_t *e = json_object_get(st, P.loc[i].code);
        const char *s = json_string_value(json_object_get(e, "status"));
        P.loc[i].reviewed = s && strcmp(s, "reviewed") == 0;
    }
    json_decref(st);
    return 0;
}

void
page_release(void)
{
    for (size_t i = 0; i < P.ntpl; i++)
        file_release(&P.tpl[i]);
    for (size_t i = 0; i < P.nstat; i++)
        file_release(&P.stat[i]);
    for (size_t i = 0; i < P.ninfo; i++)
        file_release(&P.info[i]);
    for (size_t i = 0; i < P.nloc; i++)
        json_decref(P.loc[i].cat);
    memset(&P, 0, sizeof(P));
}

static const struct locale *
find_locale(const char *code)
{
    for (size_t i = 0; i < P.nloc; i++)
        if (strcmp(P.loc[i].code, code) == 0)
            return &P.loc[i];
    return NULL;
}

int
page_init(const char *web_dir)
{
    static char prefix_none[] = "", prefix_vendor[] = "vendor/";
    char path[1024];
    const char *env;
    int w;

    page_release();
    if (sodium_init() < 0)
        return -1;
    env = getenv("UMBRA_PAGE_STRICT");
    P.strict = env && strcmp(env, "1") == 0;

#define SUBDIR(sub)                                                           \
    ((w = snprintf(path, sizeof(path), "%s/%s", web_dir, sub)) >= 0 &&       \
     (size_t)w < sizeof(path))

    if (!SUBDIR("templates") || each_file(path, 0, load_template, NULL) != 0)
        goto fail;
    if (!SUBDIR("locales") || each_file(path, 0, load_locale, NULL) != 0)
        goto fail;
    if (!SUBDIR("static") || each_file(path, 0, load_static, prefix_none) != 0)
        goto fail;
    if (!SUBDIR("vendor") ||
        each_file(path, 1, load_static, prefix_vendor) != 0)
        goto fail;
    if (!find_locale("en")) {
        fprintf(stderr, "page: no English catalogue in '%s/locales'\n",
                web_dir);
        goto fail;
    }
    load_status(web_dir);
    for (size_t i = 0; i < P.nloc; i++) {
        struct info_load il = {P.loc[i].code};
        if (!SUBDIR("content"))
            goto fail;
        w = snprintf(path, sizeof(path), "%s/content/%s", web_dir,
                     P.loc[i].code);
        if (w < 0 || (size_t)w >= sizeof(path))
            goto fail;
        if (each_file(path, 1, load_info, &il) != 0)
            goto fail;
    }
#undef SUBDIR
    {
        static const char *const needed[] = {"landing", "report", "receipt",
                                             "check",   "info",   "error"};
        for (size_t i = 0; i < NELEM(needed); i++) {
            int found = 0;
            for (size_t j = 0; j < P.ntpl; j++)
                found |= strcmp(P.tpl[j].name, needed[i]) == 0;
            if (!found) {
                fprintf(stderr, "page: missing template '%s.html'\n",
                        needed[i]);
                goto fail;
            }
        }
    }
    P.loaded = 1;
    return 0;
fail:
    page_release();
    return -1;
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
match_one(const char *tag, size_t n)
{
    size_t plen = 0;
    if (n == 0 || n > 35)
        return NULL;
    for (size_t i = 0; i < P.nloc; i++)
        if (lang_eq(tag, n, P.loc[i].code))
            return P.loc[i].code;
    while (plen < n && tag[plen] != '-' && tag[plen] != '_')
        plen++;
    for (size_t i = 0; i < P.nloc; i++) {
        const char *c = P.loc[i].code;
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
page_lang(const char *requested)
{
    const char *p = requested;
    size_t guard = 0;

    if (!P.loaded)
        return "en";
    /* A single code, or an Accept-Language list tried in order (weights
     * are ignored: browsers already list them best first). */
    while (p && *p && guard++ < 16) {
        size_t n;
        const char *m;
        while (*p == ' ' || *p == ',')
            p++;
        n = strcspn(p, ",; ");
        m = match_one(p, n);
        if (m)
            return m;
        p += n;
        p += strcspn(p, ",");
    }
    return find_locale("en")->code;
}

/* ---- rendering --------------------------------------------------------- */

enum list_id {
    L_NONE,
    L_ORGS,
    L_CATEGORIES,
    L_PERPETRATORS,
    L_NEEDS,
    L_ID_KINDS,
    L_ID_ROWS,
    L_REPLIES,
    L_LOCALES,
    L_INFO_PAGES,
};

struct frame {
    enum list_id list;
    size_t i;
};

struct render {
    const struct page_ctx *ctx;
    enum page_id id;
    const struct locale *loc, *en;
    const struct page_org *org;      /* the chosen org or NULL */
    const struct file *info;         /* PAGE_INFO */
    const struct file *infos[MAX_FILES]; /* info pages for this language */
    size_t ninfos;
    char *buf;
    size_t len, cap;
    struct frame stack[MAX_DEPTH];
    int depth;
    int partials;
    int err;
};

enum vtype { V_NONE, V_STR, V_BOOL, V_LIST, V_RAW };

struct val {
    enum vtype type;
    const char *s;
    int b;
    enum list_id list;
    size_t n;
};

static void
emit(struct render *r, const char *s, size_t n)
{
    if (r->err)
        return;
    if (r->len + n + 1 > MAX_PAGE_BYTES) {
        r->err = -1;
        return;
    }
    if (r->len + n + 1 > r->cap) {
        size_t cap = r->cap ? r->cap : 8192;
        char *nb;
        while (cap < r->len + n + 1)
            cap *= 2;
        /* Not realloc: the old block may hold a receipt or a reply, and
         * is wiped before it goes back to the allocator. */
        nb = malloc(cap);
        if (!nb) {
            r->err = -1;
            return;
        }
        if (r->buf) {
            memcpy(nb, r->buf, r->len + 1);
            sodium_memzero(r->buf, r->cap);
            free(r->buf);
        }
        r->buf = nb;
        r->cap = cap;
    }
    memcpy(r->buf + r->len, s, n);
    r->len += n;
    r->buf[r->len] = '\0';
}

static void
emit_str(struct render *r, const char *s)
{
    emit(r, s, strlen(s));
}

static void
emit_escaped(struct render *r, const char *s)
{
    const char *start = s;
    for (; *s; s++) {
        const char *rep = NULL;
        switch (*s) {
        case '&': rep = "&amp;"; break;
        case '<': rep = "&lt;"; break;
        case '>': rep = "&gt;"; break;
        case '"': rep = "&quot;"; break;
        case '\'': rep = "&#39;"; break;
        default: break;
        }
        if (rep) {
            emit(r, start, (size_t)(s - start));
            emit_str(r, rep);
            start = s + 1;
        }
    }
    emit(r, start, (size_t)(s - start));
}

/* The catalogue string for key, falling back to English. *missing is set
 * when the page's own language lacks it. Never NULL (the key itself). */
static const char *
tr(const struct render *r, const char *key, int *missing)
{
    const char *s = json_string_value(json_object_get(r->loc->cat, key));
    *missing = 0;
    if (s && *s)
        return s;
    *missing = 1;
    s = json_string_value(json_object_get(r->en->cat, key));
    return s ? s : key;
}

static void
emit_tr(struct render *r, const char *key)
{
    int missing;
    const char *s = tr(r, key, &missing);
    if (missing && P.strict) {
        emit_str(r, "[missing:");
        emit_escaped(r, key);
        emit_str(r, "]");
        return;
    }
    emit_escaped(r, s);
}

/* The codes of list l with their icons (*icons), *n of them, and the
 * locale key prefix of their labels; NULL if l is not a code list. */
static const char *const *
code_list(enum list_id l, size_t *n, const char **prefix,
          const char *const **icons)
{
    switch (l) {
    case L_CATEGORIES:
        *n = UMBRA_REPORT_NCATEGORIES;
        *prefix = "category.";
        *icons = umbra_report_categories_icons;
        return umbra_report_categories;
    case L_PERPETRATORS:
        *n = UMBRA_REPORT_NPERPETRATORS;
        *prefix = "perpetrator.";
        *icons = umbra_report_perpetrators_icons;
        return umbra_report_perpetrators;
    case L_NEEDS:
        *n = UMBRA_REPORT_NNEEDS;
        *prefix = "need.";
        *icons = umbra_report_needs_icons;
        return umbra_report_needs;
    case L_ID_KINDS:
        *n = UMBRA_REPORT_NID_KINDS;
        *prefix = "idkind.";
        *icons = umbra_report_id_kinds_icons;
        return umbra_report_id_kinds;
    case L_ID_ROWS:
        *n = NELEM(ID_ROWS);
        *prefix = "";
        *icons = NO_ICONS;
        return ID_ROWS;
    default: *n = 0; *prefix = ""; *icons = NULL; return NULL;
    }
}

static size_t
list_len(const struct render *r, enum list_id l)
{
    size_t n;
    const char *prefix;
    const char *const *icons;
    switch (l) {
    case L_ORGS: return r->ctx->orgs ? r->ctx->norgs : 0;
    case L_REPLIES: return r->ctx->replies ? r->ctx->nreplies : 0;
    case L_LOCALES: return P.nloc;
    case L_INFO_PAGES: return r->ninfos;
    default: (void)code_list(l, &n, &prefix, &icons); return n;
    }
}

static struct val
vstr(const char *s)
{
    struct val v = {V_STR, s ? s : "", 0, L_NONE, 0};
    return v;
}

static struct val
vbool(int b)
{
    struct val v = {V_BOOL, NULL, b != 0, L_NONE, 0};
    return v;
}

static struct val
vlist(const struct render *r, enum list_id l)
{
    struct val v = {V_LIST, NULL, 0, l, list_len(r, l)};
    return v;
}

/* Label strings of code lists are built into this per-render buffer. */
static struct val
item_field(struct render *r, const struct frame *f, const char *name,
           char *scratch, size_t scratch_len)
{
    struct val none = {V_NONE, NULL, 0, L_NONE, 0};
    const struct page_ctx *c = r->ctx;

    switch (f->list) {
    case L_ORGS: {
        const struct page_org *o = &c->orgs[f->i];
        if (strcmp(name, "slug") == 0)
            return vstr(o->slug);
        if (strcmp(name, "name") == 0)
            return vstr(o->name);
        if (strcmp(name, "fingerprint") == 0)
            return vstr(o->fingerprint);
        if (strcmp(name, "selected") == 0)
            return vbool(r->org == o);
        return none;
    }
    case L_REPLIES: {
        const struct page_reply *p = &c->replies[f->i];
        if (strcmp(name, "date") == 0)
            return vstr(p->date);
        if (strcmp(name, "message") == 0)
            return vstr(p->message);
        return none;
    }
    case L_LOCALES: {
        const struct locale *l = &P.loc[f->i];
        if (strcmp(name, "code") == 0)
            return vstr(l->code);
        if (strcmp(name, "name") == 0) {
            const char *s =
                json_string_value(json_object_get(l->cat, "locale.name"));
            return vstr(s ? s : l->code);
        }
        if (strcmp(name, "current") == 0)
            return vbool(l == r->loc);
        return none;
    }
    case L_INFO_PAGES: {
        const struct file *i = r->infos[f->i];
        if (strcmp(name, "name") == 0)
            return vstr(i->name);
        if (strcmp(name, "title") == 0)
            return vstr(i->title);
        if (strcmp(name, "content_lang") == 0)
            return vstr(i->lang);
        return none;
    }
    default: {
        size_t n;
        const char *prefix;
        const char *const *icons;
        const char *const *cl = code_list(f->list, &n, &prefix, &icons);
        if (!cl || f->i >= n)
            return none;
        if (strcmp(name, "code") == 0)
            return vstr(cl[f->i]);
        if (strcmp(name, "icon") == 0)
            return vstr(icons[f->i]);
        if (strcmp(name, "label") == 0) {
            int missing;
            snprintf(scratch, scratch_len, "%s%s", prefix, cl[f->i]);
            {
                const char *s = tr(r, scratch, &missing);
                if (missing && P.strict) {
                    char key[96];
                    snprintf(key, sizeof(key), "%s", scratch);
                    snprintf(scratch, scratch_len, "[missing:%s]", key);
                    return vstr(scratch);
                }
                return vstr(s);
            }
        }
        return none;
    }
    }
}

/* Server error codes shown with the text of a close catalogue key. */
static const char *const ERROR_ALIASES[][2] = {
    {"missing_fields", "error.empty_report"},
    {"attachment_type", "error.bad_attachment"},
    {"bad_encoding", "error.bad_form"},
    {"bad_date", "error.bad_form"},
    {"bad_country", "error.bad_form"},
    {"bad_category", "error.bad_form"},
    {"bad_need", "error.bad_form"},
    {"bad_perpetrator", "error.bad_form"},
    {"bad_identifier", "error.bad_form"},
    {"internal", "error.generic"},
};

static const char *const PAGE_NAMES[] = {"landing", "report", "receipt",
                                         "check",   "info",   "error"};

static struct val
lookup(struct render *r, const char *name, char *scratch, size_t scratch_len)
{
    const struct page_ctx *c = r->ctx;
    struct val none = {V_NONE, NULL, 0, L_NONE, 0};
    int missing;

    for (int d = r->depth - 1; d >= 0; d--) {
        struct val v =
            item_field(r, &r->stack[d], name, scratch, scratch_len);
        if (v.type != V_NONE)
            return v;
    }
    if (strcmp(name, "lang") == 0)
        return vstr(r->loc->code);
    if (strcmp(name, "dir") == 0) {
        const char *d = tr(r, "locale.dir", &missing);
        return vstr(strcmp(d, "rtl") == 0 ? "rtl" : "ltr");
    }
    if (strcmp(name, "draft") == 0)
        return vbool(!r->loc->reviewed && strcmp(r->loc->code, "en") != 0);
    if (strcmp(name, "page") == 0)
        return vstr(PAGE_NAMES[r->id]);
    if (strcmp(name, "orgs") == 0)
        return vlist(r, L_ORGS);
    if (strcmp(name, "many_orgs") == 0)
        return vbool(c->orgs && c->norgs > 1);
    if (strcmp(name, "no_orgs") == 0)
        return vbool(!c->orgs || c->norgs == 0);
    if (strcmp(name, "org") == 0)
        return vbool(r->org != NULL);
    if (strcmp(name, "org_slug") == 0)
        return vstr(r->org ? r->org->slug : NULL);
    if (strcmp(name, "org_name") == 0)
        return vstr(r->org ? r->org->name : NULL);
    if (strcmp(name, "org_fingerprint") == 0)
        return vstr(r->org ? r->org->fingerprint : NULL);
    if (strcmp(name, "categories") == 0)
        return vlist(r, L_CATEGORIES);
    if (strcmp(name, "perpetrators") == 0)
        return vlist(r, L_PERPETRATORS);
    if (strcmp(name, "needs") == 0)
        return vlist(r, L_NEEDS);
    if (strcmp(name, "id_kinds") == 0)
        return vlist(r, L_ID_KINDS);
    if (strcmp(name, "id_rows") == 0)
        return vlist(r, L_ID_ROWS);
    if (strcmp(name, "replies") == 0)
        return vlist(r, L_REPLIES);
    if (strcmp(name, "locales") == 0)
        return vlist(r, L_LOCALES);
    if (strcmp(name, "info_pages") == 0)
        return vlist(r, L_INFO_PAGES);
    if (strcmp(name, "receipt") == 0)
        return vstr(c->receipt);
    if (strcmp(name, "checked") == 0)
        return vbool(c->checked);
    if (strcmp(name, "error") == 0)
        return vbool(c->error_code != NULL);
    if (strcmp(name, "error_code") == 0)
        return vstr(c->error_code);
    if (strcmp(name, "error_text") == 0) {
        /* error.<code> if English has it, else the code's alias, else the
         * generic text; then in the page's language, English fallback. */
        const char *key = "error.generic";
        if (c->error_code && safe_name(c->error_code, 0)) {
            snprintf(scratch, scratch_len, "error.%s", c->error_code);
            if (json_object_get(r->en->cat, scratch))
                key = scratch;
            else
                for (size_t i = 0; i < NELEM(ERROR_ALIASES); i++)
                    if (strcmp(ERROR_ALIASES[i][0], c->error_code) == 0)
                        key = ERROR_ALIASES[i][1];
        }
        return vstr(tr(r, key, &missing));
    }
    if (strcmp(name, "info_lang") == 0)
        return vstr(r->info ? r->info->lang : r->loc->code);
    if (strcmp(name, "info_title") == 0)
        return vstr(r->info ? r->info->title : NULL);
    if (strcmp(name, "content") == 0) {
        struct val v = {V_RAW, r->info ? r->info->data : "", 0, L_NONE, 0};
        return v;
    }
    return none;
}

static int
truthy(const struct val *v)
{
    switch (v->type) {
    case V_STR:
    case V_RAW: return v->s && *v->s;
    case V_BOOL: return v->b;
    case V_LIST: return v->n > 0;
    default: return 0;
    }
}

static const struct file *
find_template(const char *name)
{
    for (size_t i = 0; i < P.ntpl; i++)
        if (strcmp(P.tpl[i].name, name) == 0)
            return &P.tpl[i];
    return NULL;
}

static const struct file *
find_static(const char *path)
{
    for (size_t i = 0; i < P.nstat; i++)
        if (strcmp(P.stat[i].name, path) == 0)
            return &P.stat[i];
    return NULL;
}

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
    const struct file *t = find_template(name);
    if (!t) {
        if (P.strict) {
            emit_str(r, "[unknown:");
            emit_escaped(r, name);
            emit_str(r, "]");
        }
        return;
    }
    if (r->partials >= MAX_PARTIAL_DEPTH) {
        r->err = -1;
        return;
    }
    r->partials++;
    render_range(r, t->data, t->data + t->len);
    r->partials--;
}

static void
render_section(struct render *r, const char *name, int inverted,
               const char *body, const char *body_end)
{
    char scratch[160];
    struct val v = lookup(r, name, scratch, sizeof(scratch));

    if (inverted) {
        if (!truthy(&v))
            render_range(r, body, body_end);
        return;
    }
    if (v.type != V_LIST) {
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
        r->stack[r->depth - 1].list = v.list;
        r->stack[r->depth - 1].i = i;
        render_range(r, body, body_end);
    }
    r->depth--;
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
        memcpy(tag, o + 2, n);
        tag[n] = '\0';
        /* trim */
        {
            char *t = tag;
            size_t tl;
            while (*t == ' ')
                t++;
            tl = strlen(t);
            while (tl && t[tl - 1] == ' ')
                t[--tl] = '\0';
            memmove(tag, t, tl + 1);
        }
        s = c + 2;
        if (tag[0] == '!')
            continue;
        if (tag[0] == '#' || tag[0] == '^') {
            const char *after = NULL;
            const char *close = section_end(s, end, &after);
            const char *name = tag + 1;
            while (*name == ' ')
                name++;
            if (!close) {
                r->err = -1;
                return;
            }
            render_section(r, name, tag[0] == '^', s, close);
            s = after;
            continue;
        }
        if (tag[0] == '/')
            continue; /* stray close: ignore */
        if (tag[0] == '>') {
            const char *name = tag + 1;
            while (*name == ' ')
                name++;
            render_partial(r, name);
            continue;
        }
        if (strncmp(tag, "t ", 2) == 0) {
            const char *key = tag + 2;
            while (*key == ' ')
                key++;
            emit_tr(r, key);
            continue;
        }
        if (strncmp(tag, "sri ", 4) == 0) {
            const struct file *f = find_static(tag + 4);
            if (f)
                emit_str(r, f->sri);
            else if (P.strict) {
                emit_str(r, "[unknown:");
                emit_escaped(r, tag);
                emit_str(r, "]");
            }
            continue;
        }
        {
            char scratch[160];
            struct val v = lookup(r, tag, scratch, sizeof(scratch));
            if (v.type == V_STR)
                emit_escaped(r, v.s);
            else if (v.type == V_RAW)
                emit_str(r, v.s);
            else if (v.type == V_BOOL)
                emit_str(r, v.b ? "1" : "");
            else if (P.strict) {
                emit_str(r, "[unknown:");
                emit_escaped(r, tag);
                emit_str(r, "]");
            }
        }
    }
}

static const struct file *
find_info(const char *lang, const char *name)
{
    for (size_t i = 0; i < P.ninfo; i++)
        if (strcmp(P.info[i].lang, lang) == 0 &&
            strcmp(P.info[i].name, name) == 0)
            return &P.info[i];
    return NULL;
}

int
page_render(struct page_buf *out, enum page_id id, const struct page_ctx *ctx)
{
    struct render r;
    const struct file *t;
    static const struct page_ctx empty;

    out->data = NULL;
    out->len = 0;
    if (!P.loaded || (unsigned)id >= NELEM(PAGE_NAMES))
        return -1;
    if (!ctx)
        ctx = &empty;
    memset(&r, 0, sizeof(r));
    r.ctx = ctx;
    r.id = id;
    r.en = find_locale("en");
    r.loc = ctx->lang ? find_locale(ctx->lang) : NULL;
    if (!r.loc)
        r.loc = find_locale(page_lang(ctx->lang));
    if (!r.loc)
        r.loc = r.en;
    /* The chosen organisation: the named one, else the only one. */
    if (ctx->orgs) {
        for (size_t i = 0; i < ctx->norgs; i++)
            if (ctx->org && ctx->orgs[i].slug &&
                strcmp(ctx->orgs[i].slug, ctx->org) == 0)
                r.org = &ctx->orgs[i];
        if (!r.org && ctx->norgs == 1)
            r.org = &ctx->orgs[0];
    }
    /* Information pages in this language, English ones where missing. */
    for (size_t i = 0; i < P.ninfo && r.ninfos < MAX_FILES; i++) {
        const struct file *f = &P.info[i];
        if (strcmp(f->lang, r.loc->code) == 0 ||
            (strcmp(f->lang, "en") == 0 && !find_info(r.loc->code, f->name)))
            r.infos[r.ninfos++] = f;
    }
    if (id == PAGE_INFO) {
        if (!ctx->info || !safe_name(ctx->info, 0))
            return -2;
        r.info = find_info(r.loc->code, ctx->info);
        if (!r.info)
            r.info = find_info("en", ctx->info);
        if (!r.info)
            return -2;
    }
    t = find_template(PAGE_NAMES[id]);
    if (!t)
        return -1;
    render_range(&r, t->data, t->data + t->len);
    if (r.err) {
        if (r.buf)
            sodium_memzero(r.buf, r.cap);
        free(r.buf);
        return -1;
    }
    if (!r.buf) {
        r.buf = malloc(1);
        if (!r.buf)
            return -1;
        r.buf[0] = '\0';
    }
    out->data = r.buf;
    out->len = r.len;
    return 0;
}

void
page_buf_free(void *data)
{
    if (!data)
        return;
    sodium_memzero(data, malloc_usable_size(data));
    free(data);
}

int
page_static(const char *path, const char **data, size_t *len,
            const char **content_type_out)
{
    const struct file *f;
    if (!P.loaded || !safe_name(path, 1))
        return -1;
    f = find_static(path);
    if (!f)
        return -1;
    *data = f->data;
    *len = f->len;
    *content_type_out = f->ctype;
    return 0;
}

int
page_static_gzip(const char *path, const char **data, size_t *len)
{
    const struct file *f;
    char gz[256];
    int w;

    if (!P.loaded || !safe_name(path, 1))
        return -1;
    w = snprintf(gz, sizeof(gz), "%s.gz", path);
    if (w < 0 || (size_t)w >= sizeof(gz))
        return -1;
    f = find_static(gz);
    if (!f)
        return -1;
    *data = f->data;
    *len = f->len;
    return 0;
}
