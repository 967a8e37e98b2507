/* SPDX-License-Identifier: AGPL-3.0-or-later */
/* webfiles: see webfiles.h. */
#include "webfiles.h"

#include <dirent.h>
#include <errno.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define MAX_FILE_BYTES (8u * 1024u * 1024u)

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

static void
file_release(struct webfile *f)
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

int
webfiles_safe_name(const char *s, int allow_slash)
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

int
webfiles_each(const char *dir, int optional,
              int (*fn)(void *ctx, const char *path, const char *name),
              void *ctx)
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

/* What a loader adds files to, and how it names them. */
struct load {
    struct webfiles *set;
    const char *prefix; /* static files */
    const char *lang;   /* information pages */
};

/* The next free slot of set, or NULL with "page: too many <what>". */
static struct webfile *
next_slot(struct webfiles *set, const char *what)
{
    if (set->n >= WEBFILES_MAX) {
        fprintf(stderr, "page: too many %s\n", what);
        return NULL;
    }
    return &set->f[set->n];
}

/* For a file name ending in ".html": 0 and *f the next slot of set, named
 * without ".html" (what names the files in the message when set is full).
 * For other names 0 and *f NULL; -1 when full or out of memory. */
static int
html_slot(struct webfile **f, struct webfiles *set, const char *name,
          const char *what)
{
    *f = NULL;
    if (!ends_with(name, ".html"))
        return 0;
    if (!(*f = next_slot(set, what)))
        return -1;
    (*f)->name = xstrndup(name, strlen(name) - 5);
    return (*f)->name ? 0 : -1;
}

static int
load_template(void *ctx, const char *path, const char *name)
{
    struct load *l = ctx;
    struct webfile *f;

    if (html_slot(&f, l->set, name, "templates") != 0 ||
        (f && read_file(&f->data, &f->len, path) != 0)) {
        if (f)
            file_release(f);
        return -1;
    }
    if (f)
        l->set->n++;
    return 0;
}

int
webfiles_load_templates(struct webfiles *set, const char *dir)
{
    struct load l = {set, NULL, NULL};
    return webfiles_each(dir, 0, load_template, &l);
}

static int
load_static(void *ctx, const char *path, const char *name)
{
    struct load *l = ctx;
    struct webfile *f;
    unsigned char h[crypto_hash_sha512_BYTES];
    char full[256];
    int w;

    w = snprintf(full, sizeof(full), "%s%s", l->prefix, name);
    if (w < 0 || (size_t)w >= sizeof(full) || !webfiles_safe_name(full, 1))
        return 0; /* not servable: skip quietly */
    if (!(f = next_slot(l->set, "static files")))
        return -1;
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
    l->set->n++;
    return 0;
}

int
webfiles_load_static(struct webfiles *set, const char *dir,
                     const char *prefix, int optional)
{
    struct load l = {set, prefix, NULL};
    return webfiles_each(dir, optional, load_static, &l);
}

static int
load_info(void *ctx, const char *path, const char *name)
{
    struct load *l = ctx;
    struct webfile *f;
    const char *h1, *end;

    if (html_slot(&f, l->set, name, "information pages") != 0)
        return -1;
    if (!f)
        return 0;
    if (!webfiles_safe_name(f->name, 0)) {
        file_release(f); /* not a name a URL can ask for: skip it */
        return 0;
    }
    if (read_file(&f->data, &f->len, path) != 0) {
        file_release(f);
        return -1;
    }
    snprintf(f->lang, sizeof(f->lang), "%s", l->lang);
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
    l->set->n++;
    return 0;
}

int
webfiles_load_info(struct webfiles *set, const char *dir, const char *lang)
{
    struct load l = {set, NULL, lang};
    return webfiles_each(dir, 1, load_info, &l);
}

void
webfiles_release(struct webfiles *set)
{
    for (size_t i = 0; i < set->n; i++)
        file_release(&set->f[i]);
    set->n = 0;
}

const struct webfile *
webfiles_find(const struct webfiles *set, const char *name)
{
    return webfiles_find_info(set, NULL, name);
}

const struct webfile *
webfiles_find_info(const struct webfiles *set, const char *lang,
                   const char *name)
{
    for (size_t i = 0; i < set->n; i++) {
        const struct webfile *f = &set->f[i];
        if (strcmp(f->name, name) == 0 && (!lang || strcmp(f->lang, lang) == 0))
            return f;
    }
    return NULL;
}
