/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * templates: the reply templates, common replies a caseworker can send in
 * the reporter's language without speaking it ("we received your report",
 * "are you safe now?" ...).
 *
 * The texts are the reply.* keys of the locale catalogues
 * (web/locales/<lang>.json: reply.received, reply.safe_now, ...); the build
 * turns them into C tables (caseworker/gen-reply-strings.py writes
 * $(O)/gen/caseworker/reply_strings.c, the reply_str_* below), so
 * umbra-case reads no file. A template's name is its key without
 * "reply." ("safe-now" is taken for "safe_now"). A language is found as
 * the server finds one: the exact tag, else the first part ("pt" and
 * "pt-PT" give pt-BR, "ar-EG" gives ar); without a catalogue, English.
 * A catalogue that is not reviewed (web/locales/status.json) is a draft:
 * its texts are offered, marked as such.
 *
 * Used by `umbra-case reply --template` (verbs_reply.c, reply_edit.c) and
 * the caseworker's desk. Everything is static: nothing allocates or fails.
 */
#ifndef UMBRA_CASE_TEMPLATES_H
#define UMBRA_CASE_TEMPLATES_H

#include <stddef.h>

/* What a look-up found. */
struct reply_template {
    const char *name; /* the template's name ("received") */
    const char *text; /* its text in lang (UTF-8) */
    const char *lang; /* the catalogue's tag: lang's, or "en" */
    int fallback;     /* 1: no catalogue for the language asked, English */
    int draft;        /* 1: that catalogue is not reviewed yet */
};

/* The text of template name in lang (NULL lang: English), English when
 * there is no catalogue for lang; NULL when there is no such template. */
const char *reply_template_text(const char *name, const char *lang);

/* The same with what was found; 0, or -1 (no such template: *t cleared). */
int reply_template_find(struct reply_template *t, const char *name,
                        const char *lang);

/* The number of templates, and the name of the i-th (NULL past them), in
 * the catalogue's order. */
size_t reply_template_count(void);
const char *reply_template_name(size_t i);

/* The generated tables (gen-reply-strings.py). */
extern const int reply_str_nlangs, reply_str_nnames;
extern const char *const reply_str_langs[];
extern const unsigned char reply_str_draft[];
extern const char *const reply_str_names[];
extern const char *const reply_str_text[];

#endif
