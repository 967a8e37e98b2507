/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * i18n: the locale catalogues of the pages, the choice of a language for a
 * request, and the facts of a locale (its name, its direction, whether it
 * is still a draft).
 *
 * Catalogues are flat JSON key -> string files, web/locales/<code>.json
 * (a format Weblate and Transifex both read); web/locales/status.json marks
 * the reviewed ones. English is the fallback for any missing key. A struct
 * i18n is a fixed array of at most I18N_MAX_LOCALES locales in the order of
 * their file names; each holds its catalogue as a jansson object, freed by
 * i18n_release(). Read-only after i18n_load(), so safe from any thread.
 */
#ifndef UMBRA_SERVER_I18N_H
#define UMBRA_SERVER_I18N_H

#include <jansson.h>
#include <stddef.h>

#define I18N_MAX_LOCALES 64
/* What of an Accept-Language header i18n_accept reads. */
#define I18N_ACCEPT_MAX_BYTES 1024
#define I18N_ACCEPT_MAX_RANGES 32

struct i18n_locale {
    char code[16]; /* "en", "pt-BR": the file name without ".json" */
    json_t *cat;   /* key -> string */
    int reviewed;  /* status.json says "reviewed" */
};

struct i18n {
    struct i18n_locale loc[I18N_MAX_LOCALES];
    size_t n;
};

/* Adds the catalogues of dir (every <code>.json with a valid code, each
 * an object of strings) and reads dir/status.json if there is one. 0, or
 * -1 with a message on stderr (what was loaded stays, for i18n_release).
 * Does not require English: check with i18n_find(t, "en"). */
int i18n_load(struct i18n *t, const char *dir)
    __attribute__((warn_unused_result));
void i18n_release(struct i18n *t);

/* The locale with exactly this code, or NULL. */
const struct i18n_locale *i18n_find(const struct i18n *t, const char *code);

/* The code of the locale a requested code names ("pt-BR", "pt_PT", "th",
 * or a comma-separated list tried in order): an exact match first
 * (case-insensitive, '_' as '-'), then the same primary language; NULL
 * when none matches. Points into t. */
const char *i18n_match(const struct i18n *t, const char *requested);

/* The code of the locale an Accept-Language header value asks for, or NULL
 * when it names none of t's (then the pages ask). A strict reader of RFC
 * 9110's grammar: ranges ("*", or 1-8 letters and "-"-separated subtags of
 * 1-8 letters or digits, at most 35 characters) with an optional
 * "q=" weight (0 to 1, three decimals); a malformed entry is skipped, not
 * guessed at. Only the first I18N_ACCEPT_MAX_BYTES bytes and
 * I18N_ACCEPT_MAX_RANGES entries count (an entry the cap cuts is dropped).
 * Higher weights first, equal weights in the header's order; each range
 * matches as in i18n_match ("es-MX" -> "es", "pt-PT" -> "pt-BR",
 * "zh-TW" -> "zh-CN"); "*" means English; q=0 refuses a language ("en;q=0"
 * refuses "en", "pt;q=0" refuses "pt-BR"). The value is never kept or
 * logged. Points into t. */
const char *i18n_accept(const struct i18n *t, const char *header);

/* The code of the best locale for a requested code or list
 * ("pt-BR", "pt_PT", "de-DE,th;q=0.8", NULL...): an exact match first
 * (case-insensitive, '_' as '-'), then the same primary language, per tag
 * in order; "en" when none matches. Never NULL; points into t. t must hold
 * English. */
const char *i18n_negotiate(const struct i18n *t, const char *requested);

/* The string for key in loc, else in English (en), else key itself; never
 * NULL. *missing is set to 1 when loc lacks it (or has it empty). */
const char *i18n_text(const struct i18n_locale *loc,
                      const struct i18n_locale *en, const char *key,
                      int *missing);

/* The locale's own name ("locale.name"), else its code. */
const char *i18n_name(const struct i18n_locale *loc);

/* 1 if the locale is written right to left ("locale.dir" is "rtl", with
 * the English fallback). */
int i18n_rtl(const struct i18n_locale *loc, const struct i18n_locale *en);

/* 1 if the locale is not English and not marked reviewed. */
int i18n_draft(const struct i18n_locale *loc);

#endif
