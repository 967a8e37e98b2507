/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * webfiles: the files of the web folder held in memory, read once at
 * start-up by page_init(): templates (web/templates, one .html file
 * each), static files (web/static, web/vendor: with their content type
 * and Subresource Integrity hash) and information pages
 * (web/content/<lang>, .html files: with their language and title). Also
 * the folder walker and the name check the catalogue loader (i18n) and
 * the page module use.
 *
 * A struct webfiles is a fixed array of at most WEBFILES_MAX files in load
 * order (folders are walked sorted by name); each file's name, data and
 * title are malloc'd and freed by webfiles_release(). Lookups are linear:
 * a few dozen files. Error messages go to stderr with the prefix "page: ".
 */
#ifndef UMBRA_SERVER_WEBFILES_H
#define UMBRA_SERVER_WEBFILES_H

#include <stddef.h>

#define WEBFILES_MAX 256

struct webfile {
    char *name; /* template name, static path or info page name */
    char *data; /* NUL-terminated */
    size_t len;
    const char *ctype; /* static files only */
    char sri[100];     /* static files only: "sha512-<base64>" */
    char lang[16];     /* info pages only */
    char *title;       /* info pages only: the first <h1>, else the name */
    int reviewed;      /* info pages only: signed off (content.h) */
};

struct webfiles {
    struct webfile f[WEBFILES_MAX];
    size_t n;
};

/* Calls fn(ctx, path, name) for each regular file of dir not starting with
 * '.', sorted by name, until fn returns nonzero (that value is returned). A
 * missing folder is not an error when optional. 0 or -1 with a message. */
int webfiles_each(const char *dir, int optional,
                  int (*fn)(void *ctx, const char *path, const char *name),
                  void *ctx)
    __attribute__((warn_unused_result));

/* 1 if s is a name a URL may ask for: [A-Za-z0-9._-] (and '/' when
 * allow_slash), at most 128 bytes, not starting with '.' or '/', no ".."
 * or "//". */
int webfiles_safe_name(const char *s, int allow_slash);

/* Each loader adds the files of dir to set; 0, or -1 with a message (the
 * files added so far stay, for webfiles_release). */
/* The .html files of dir as templates named without ".html". */
int webfiles_load_templates(struct webfiles *set, const char *dir)
    __attribute__((warn_unused_result));
/* dir/<name> as static files named prefix<name> (names that are not
 * webfiles_safe_name are skipped); a missing dir is fine when optional. */
int webfiles_load_static(struct webfiles *set, const char *dir,
                         const char *prefix, int optional)
    __attribute__((warn_unused_result));
/* The .html files of dir as information pages in language lang (dir may
 * be missing). */
int webfiles_load_info(struct webfiles *set, const char *dir,
                       const char *lang)
    __attribute__((warn_unused_result));

/* Frees every file's memory and empties set. */
void webfiles_release(struct webfiles *set);

/* The file named name, or NULL; webfiles_find_info also wants language
 * lang (any when NULL). */
const struct webfile *webfiles_find(const struct webfiles *set,
                                    const char *name);
const struct webfile *webfiles_find_info(const struct webfiles *set,
                                         const char *lang, const char *name);

#endif
