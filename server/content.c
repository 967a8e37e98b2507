/* SPDX-License-Identifier: AGPL-3.0-or-later */
/* content: see content.h. */
#include "content.h"
#include "umbra.h"
#include "util.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))
#define MAX_SLOT_NAME 32
#define MAX_TEXT_LANGS 16

/* ---- sign-off ---------------------------------------------------------- */

int
content_status_load(struct webfiles *info, const char *path)
{
    json_error_t err;
    json_t *st;
    char key[160];

    for (size_t i = 0; i < info->n; i++)
        info->f[i].reviewed = 0;
    st = json_load_file(path, JSON_REJECT_DUPLICATES, &err);
    if (!st) {
        if (err.line == -1 && access(path, F_OK) != 0)
            return 0; /* no file: every page a draft */
        fprintf(stderr, "page: bad sign-off file '%s': %s (line %d)\n", path,
                err.text, err.line);
        return -1;
    }
    if (!json_is_object(st)) {
        fprintf(stderr, "page: bad sign-off file '%s': not an object\n", path);
        json_decref(st);
        return -1;
    }
    for (size_t i = 0; i < info->n; i++) {
        struct webfile *f = &info->f[i];
        const char *s;
        snprintf(key, sizeof(key), "%s/%s", f->lang, f->name);
        s = json_string_value(
            json_object_get(json_object_get(st, key), "status"));
        f->reviewed = s && strcmp(s, "reviewed") == 0;
    }
    json_decref(st);
    return 0;
}

/* ---- the operator's file ----------------------------------------------- */

/* The fields of a service, in the order they are shown; the texts have a
 * label from the catalogue (NULL: none, the name and what it does). */
enum kind { K_TEXT, K_PHONE, K_EMAIL, K_URL };
static const struct {
    const char *name;
    enum kind kind;
    const char *label;
} FIELDS[] = {
    {"name", K_TEXT, NULL},
    {"what", K_TEXT, NULL},
    {"address", K_TEXT, "info.local_address"},
    {"hours", K_TEXT, "info.local_hours"},
    {"phone", K_PHONE, "info.local_phone"},
    {"email", K_EMAIL, "info.local_email"},
    {"url", K_URL, "info.local_web"},
};

static int
slot_name_ok(const char *s, size_t n)
{
    if (n == 0 || n > MAX_SLOT_NAME || s[0] == '-' || s[n - 1] == '-')
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') ||
              s[i] == '-'))
            return 0;
    return 1;
}

static int
text_ok(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > CONTENT_LOCAL_MAX_TEXT)
        return 0;
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
            return 0; /* one line: no control characters */
    return 1;
}

/* A plain string of one of the checked forms. */
static int
form_ok(enum kind k, const char *s)
{
    size_t n = strlen(s), digits = 0, at = 0;
    if (!text_ok(s) || n > 300)
        return 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (k == K_PHONE) {
            if (c >= '0' && c <= '9')
                digits++;
            else if (!strchr(" +().-/", c))
                return 0;
        } else if (k == K_EMAIL &&
                   !((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                     (c >= '0' && c <= '9') || (unsigned char)c >= 0x80 ||
                     strchr("._+-@", c))) {
            return 0; /* no "?subject=" or "&body=" in a mailto: */
        } else if (c == ' ' || c == '"' || c == '<' || c == '>' || c == '\'' ||
                   c == '`' || c == '\\') {
            return 0;
        } else if (c == '@') {
            at++;
        }
    }
    switch (k) {
    case K_PHONE:
        return digits >= 3 && digits <= 20;
    case K_EMAIL:
        return at == 1 && s[0] != '@' && s[n - 1] != '@' && n <= 254;
    case K_URL:
        return (strncmp(s, "https://", 8) == 0 && n > 8) ||
               (strncmp(s, "http://", 7) == 0 && n > 7);
    default:
        return 1;
    }
}

/* Checks one text field: a string, or an object of language -> string. */
static int
check_text(json_t *v)
{
    const char *k;
    json_t *s;
    if (json_is_string(v))
        return text_ok(json_string_value(v));
    if (!json_is_object(v) || json_object_size(v) == 0 ||
        json_object_size(v) > MAX_TEXT_LANGS)
        return 0;
    json_object_foreach(v, k, s)
    {
        if (!umbra_lang_tag_valid(k, 15) || !json_is_string(s) ||
            !text_ok(json_string_value(s)))
            return 0;
    }
    return 1;
}

/* Checks a whole file; 0, or -1 with a message naming the place. */
static int
check_local(json_t *doc, const char *path)
{
    json_t *slots, *lang;
    const char *slot, *k;
    json_t *list, *v;

    if (!json_is_object(doc) ||
        !json_is_string(json_object_get(doc, "schema")) ||
        strcmp(json_string_value(json_object_get(doc, "schema")),
               "umbra.local/1") != 0) {
        fprintf(stderr, "page: '%s': not an umbra.local/1 file (\"schema\")\n",
                path);
        return -1;
    }
    json_object_foreach(doc, k, v)
    {
        if (strcmp(k, "schema") != 0 && strcmp(k, "lang") != 0 &&
            strcmp(k, "slots") != 0) {
            fprintf(stderr, "page: '%s': unknown key \"%s\"\n", path, k);
            return -1;
        }
    }
    lang = json_object_get(doc, "lang");
    if (lang && (!json_is_string(lang) ||
                 !umbra_lang_tag_valid(json_string_value(lang), 15))) {
        fprintf(stderr, "page: '%s': \"lang\" is not a language code\n", path);
        return -1;
    }
    slots = json_object_get(doc, "slots");
    if (!json_is_object(slots) ||
        json_object_size(slots) > CONTENT_LOCAL_MAX_SLOTS) {
        fprintf(stderr,
                "page: '%s': \"slots\" must be an object of at most "
                "%d lists\n",
                path, CONTENT_LOCAL_MAX_SLOTS);
        return -1;
    }
    json_object_foreach(slots, slot, list)
    {
        size_t i;
        json_t *e;
        if (!slot_name_ok(slot, strlen(slot))) {
            fprintf(stderr,
                    "page: '%s': slot \"%s\": a name of a-z, 0-9 "
                    "and '-', at most %d\n",
                    path, slot, MAX_SLOT_NAME);
            return -1;
        }
        if (!json_is_array(list) ||
            json_array_size(list) > CONTENT_LOCAL_MAX_ENTRIES) {
            fprintf(stderr,
                    "page: '%s': slot \"%s\": a list of at most %d "
                    "services\n",
                    path, slot, CONTENT_LOCAL_MAX_ENTRIES);
            return -1;
        }
        json_array_foreach(list, i, e)
        {
            if (!json_is_object(e) || !json_object_get(e, "name")) {
                fprintf(stderr,
                        "page: '%s': slot \"%s\", service %zu: an "
                        "object with a \"name\"\n",
                        path, slot, i + 1);
                return -1;
            }
            json_object_foreach(e, k, v)
            {
                size_t f;
                for (f = 0; f < NELEM(FIELDS); f++)
                    if (strcmp(FIELDS[f].name, k) == 0)
                        break;
                if (f == NELEM(FIELDS) ||
                    (FIELDS[f].kind == K_TEXT
                         ? !check_text(v)
                         : !json_is_string(v) ||
                               !form_ok(FIELDS[f].kind,
                                        json_string_value(v)))) {
                    fprintf(stderr,
                            "page: '%s': slot \"%s\", service %zu: "
                            "%s \"%s\"\n",
                            path, slot, i + 1,
                            f == NELEM(FIELDS) ? "unknown field"
                                               : "bad value of",
                            k);
                    return -1;
                }
            }
        }
    }
    return 0;
}

/* Reads and checks the file; 0 and *out (NULL for no file), or -1. */
static int
load_local(json_t **out, const char *path)
{
    struct stat st;
    json_error_t err;
    json_t *doc;

    *out = NULL;
    if (!path || !*path)
        return 0;
    if (stat(path, &st) != 0 || !S_ISREG(st.st_mode)) {
        fprintf(stderr, "page: cannot read local services '%s': %s\n", path,
                errno ? strerror(errno) : "not a regular file");
        return -1;
    }
    if ((unsigned long long)st.st_size > CONTENT_LOCAL_MAX_FILE) {
        fprintf(stderr, "page: local services '%s' over %u bytes\n", path,
                CONTENT_LOCAL_MAX_FILE);
        return -1;
    }
    doc = json_load_file(path, JSON_REJECT_DUPLICATES, &err);
    if (!doc) {
        fprintf(stderr, "page: bad local services '%s': %s (line %d)\n", path,
                err.text, err.line);
        return -1;
    }
    if (check_local(doc, path) != 0) {
        json_decref(doc);
        return -1;
    }
    *out = doc;
    return 0;
}

/* ---- filling in -------------------------------------------------------- */

struct fill {
    struct umbra_buf b;
    const struct i18n_locale *loc, *en;
    const char *file_lang; /* the language of plain strings, or NULL */
    int err;
};

static void
put(struct fill *w, const char *s, size_t n)
{
    if (!w->err && umbra_buf_append(&w->b, s, n) != 0)
        w->err = -1;
}

static void
puts_(struct fill *w, const char *s)
{
    put(w, s, strlen(s));
}

static void
put_escaped(struct fill *w, const char *s)
{
    for (;;) {
        size_t n = strcspn(s, "&<>\"'");
        put(w, s, n);
        s += n;
        switch (*s) {
        case '&':
            puts_(w, "&amp;");
            break;
        case '<':
            puts_(w, "&lt;");
            break;
        case '>':
            puts_(w, "&gt;");
            break;
        case '"':
            puts_(w, "&quot;");
            break;
        case '\'':
            puts_(w, "&#39;");
            break;
        default:
            return;
        }
        s++;
    }
}

/* A catalogue string of the page's language, escaped. */
static void
put_t(struct fill *w, const char *key)
{
    int missing;
    put_escaped(w, i18n_text(w->loc, w->en, key, &missing));
}

/* A text field in the page's language, else English, else the first one
 * given, in a <bdi> carrying the language it is written in. */
static void
put_text(struct fill *w, json_t *v)
{
    const char *s = NULL, *lang = w->file_lang;
    if (json_is_string(v)) {
        s = json_string_value(v);
    } else {
        const char *try[] = {w->loc->code, "en"};
        for (size_t i = 0; i < NELEM(try) && !s; i++)
            if ((s = json_string_value(json_object_get(v, try[i]))))
                lang = try[i];
        if (!s) {
            void *it = json_object_iter(v);
            lang = json_object_iter_key(it);
            s = json_string_value(json_object_iter_value(it));
        }
    }
    puts_(w, "<bdi");
    if (lang) {
        puts_(w, " lang=\"");
        put_escaped(w, lang);
        puts_(w, "\"");
    }
    puts_(w, ">");
    put_escaped(w, s ? s : "");
    puts_(w, "</bdi>");
}

/* A phone number's tel: address: '+' and the digits. */
static void
put_tel(struct fill *w, const char *s)
{
    for (; *s; s++)
        if ((*s >= '0' && *s <= '9') || *s == '+')
            put(w, s, 1);
}

static void
put_service(struct fill *w, json_t *e)
{
    puts_(w, "<li>");
    for (size_t f = 0; f < NELEM(FIELDS); f++) {
        json_t *v = json_object_get(e, FIELDS[f].name);
        const char *s = json_string_value(v);
        if (!v)
            continue;
        if (f == 0) {
            puts_(w, "<p class=\"name\"><strong>");
            put_text(w, v);
            puts_(w, "</strong></p>");
            continue;
        }
        if (!FIELDS[f].label) {
            puts_(w, "<p>");
            put_text(w, v);
            puts_(w, "</p>");
            continue;
        }
        puts_(w, "<p><span class=\"label\">");
        put_t(w, FIELDS[f].label);
        puts_(w, "</span> ");
        switch (FIELDS[f].kind) {
        case K_PHONE:
            puts_(w, "<a dir=\"ltr\" href=\"tel:");
            put_tel(w, s);
            puts_(w, "\">");
            put_escaped(w, s);
            puts_(w, "</a>");
            break;
        case K_EMAIL:
        case K_URL:
            puts_(w, FIELDS[f].kind == K_EMAIL
                         ? "<a dir=\"ltr\" href=\"mailto:"
                         : "<a dir=\"ltr\" rel=\"noreferrer\" href=\"");
            put_escaped(w, s);
            puts_(w, "\">");
            put_escaped(w, s);
            puts_(w, "</a>");
            break;
        default:
            put_text(w, v);
        }
        puts_(w, "</p>");
    }
    puts_(w, "</li>\n");
}

/* The block for one mark: the slot's services, or the "not filled in"
 * text. */
static void
put_slot(struct fill *w, json_t *slots, const char *slot)
{
    json_t *list = json_object_get(slots, slot);
    size_t i;
    json_t *e;

    puts_(w, "<div class=\"local\" data-slot=\"");
    put_escaped(w, slot);
    puts_(w, "\">");
    if (!list || json_array_size(list) == 0) {
        puts_(w, "<p class=\"local-none\">");
        put_t(w, "info.local_none");
        puts_(w, "</p></div>");
        return;
    }
    puts_(w, "<ul class=\"services\">\n");
    json_array_foreach(list, i, e) put_service(w, e);
    puts_(w, "</ul></div>");
}

static const char *
skip_space(const char *p)
{
    while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
        p++;
    return p;
}

/* Fills one page into w->b; 0, or -1 with a message. Marks the slots the
 * page uses in used (a JSON object used as a set). */
static int
fill_page(struct fill *w, const struct webfile *f, json_t *slots, json_t *used)
{
    const char *p = f->data, *c;

    while ((c = strstr(p, "<!--")) != NULL) {
        const char *q = skip_space(c + 4), *name, *end;
        size_t n;
        char slot[MAX_SLOT_NAME + 1];

        if (strncmp(q, "local:", 6) != 0) {
            put(w, p, (size_t)(c + 4 - p)); /* another comment */
            p = c + 4;
            continue;
        }
        name = skip_space(q + 6);
        n = strspn(name, "abcdefghijklmnopqrstuvwxyz0123456789-");
        while (n > 0 && name[n - 1] == '-')
            n--; /* "<!--local:ok-->": the name ends before "-->" */
        end = skip_space(name + n);
        if (!slot_name_ok(name, n) || strncmp(end, "-->", 3) != 0) {
            fprintf(stderr,
                    "page: content/%s/%s.html: bad local services "
                    "mark at byte %zu (want <!-- local: SLOT -->)\n",
                    f->lang, f->name, (size_t)(c - f->data));
            return -1;
        }
        memcpy(slot, name, n);
        slot[n] = '\0';
        if (used)
            json_object_set_new(used, slot, json_true());
        put(w, p, (size_t)(c - p));
        put_slot(w, slots, slot);
        p = end + 3;
    }
    puts_(w, p);
    put(w, "", 1);
    if (w->err) {
        fprintf(stderr,
                "page: content/%s/%s.html: over %u bytes once "
                "filled in\n",
                f->lang, f->name, CONTENT_MAX_PAGE);
        return -1;
    }
    return 0;
}

int
content_fill(struct webfiles *info, const struct i18n *t,
             const char *local_path)
{
    json_t *doc = NULL, *used = json_object();
    json_t *slots;
    const char *slot;
    json_t *v;
    int rc = -1;

    if (!used || load_local(&doc, local_path) != 0)
        goto out;
    slots = json_object_get(doc, "slots");
    for (size_t i = 0; i < info->n; i++) {
        struct webfile *f = &info->f[i];
        const struct i18n_locale *loc = i18n_find(t, f->lang);
        struct fill w = {.b = {.cap = CONTENT_MAX_PAGE, .plain = 1}};

        w.en = i18n_find(t, "en");
        w.loc = loc ? loc : w.en;
        w.file_lang = json_string_value(json_object_get(doc, "lang"));
        if (!w.en || fill_page(&w, f, slots, used) != 0) {
            umbra_buf_release(&w.b);
            goto out;
        }
        free(f->data);
        f->data = (char *)w.b.data;
        f->len = w.b.len - 1;
    }
    json_object_foreach(slots, slot, v)
    {
        if (!json_object_get(used, slot))
            fprintf(stderr,
                    "page: warning: local services \"%s\" are not "
                    "marked on any information page\n",
                    slot);
    }
    rc = 0;
out:
    json_decref(doc);
    json_decref(used);
    return rc;
}
