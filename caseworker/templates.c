/* SPDX-License-Identifier: AGPL-3.0-or-later */
/* templates: the reply templates in the locale catalogues' languages (see
 * templates.h). */
#include "templates.h"

#include <string.h>
#include <strings.h>

/* The index of name ('-' read as '_'), or -1. */
static int
name_index(const char *name)
{
    char n[32];
    size_t i, len;
    int k;

    if (name == NULL || (len = strlen(name)) == 0 || len >= sizeof n)
        return -1;
    for (i = 0; i <= len; i++)
        n[i] = name[i] == '-' ? '_' : name[i];
    for (k = 0; k < reply_str_nnames; k++)
        if (strcmp(n, reply_str_names[k]) == 0)
            return k;
    return -1;
}

/* Length of the first part of a tag ("pt" of "pt-BR"). */
static size_t
primary_len(const char *tag)
{
    size_t n = strcspn(tag, "-_");

    return n;
}

/* The catalogue for lang: the exact tag (case-insensitive), else the
 * first catalogue with the same first part; -1 if none. */
static int
lang_index(const char *lang)
{
    size_t pl;
    int i;

    if (lang == NULL || lang[0] == '\0')
        return -1;
    for (i = 0; i < reply_str_nlangs; i++)
        if (strcasecmp(lang, reply_str_langs[i]) == 0)
            return i;
    pl = primary_len(lang);
    for (i = 0; i < reply_str_nlangs; i++)
        if (primary_len(reply_str_langs[i]) == pl &&
            strncasecmp(lang, reply_str_langs[i], pl) == 0)
            return i;
    return -1;
}

int
reply_template_find(struct reply_template *t, const char *name,
                    const char *lang)
{
    int k = name_index(name), li;

    memset(t, 0, sizeof *t);
    if (k < 0)
        return -1;
    li = lang_index(lang);
    t->fallback = li < 0 && lang != NULL && lang[0] != '\0';
    if (li < 0)
        li = 0; /* English: gen-reply-strings.py puts it first */
    t->name = reply_str_names[k];
    t->text = reply_str_text[(size_t)li * (size_t)reply_str_nnames +
                             (size_t)k];
    t->lang = reply_str_langs[li];
    t->draft = reply_str_draft[li] != 0;
    return 0;
}

const char *
reply_template_text(const char *name, const char *lang)
{
    struct reply_template t;

    return reply_template_find(&t, name, lang) == 0 ? t.text : NULL;
}

size_t
reply_template_count(void)
{
    return (size_t)reply_str_nnames;
}

const char *
reply_template_name(size_t i)
{
    return i < (size_t)reply_str_nnames ? reply_str_names[i] : NULL;
}
