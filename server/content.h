/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * content: what the information pages (web/content/<lang>/<name>.html,
 * loaded by webfiles) get at start-up beyond their own files: whether a
 * community reviewer signed each one off, and the organisation's local
 * services filled into the places a page marks for them.
 *
 * Sign-off: web/content/status.json, a flat object keyed "<lang>/<name>"
 * ("es/health") of {"status": "draft" or "reviewed", "reviewer", "date"},
 * like web/locales/status.json for the catalogues. A page without an
 * entry, or not "reviewed", is a draft (English is the source: never one).
 *
 * Local services: a page marks a place with an HTML comment on its own,
 * <!-- local: SLOT --> (SLOT: a-z, 0-9 and '-' inside, at most 32). The
 * operator's file (config key local_services; docs/operations.md "Local
 * services"):
 *
 *   {"schema": "umbra.local/1", "lang": "th",
 *    "slots": {"health": [{"name": ..., "what": ..., "address": ...,
 *                          "hours": ..., "phone": ..., "email": ...,
 *                          "url": ...}, ...], ...}}
 *
 * Each text (name, what, address, hours) is a string written in "lang"
 * (optional) or an object of language code -> string; phone, email and
 * url are plain strings checked for their form. Everything is escaped
 * where it is filled in, each text in a <bdi> that carries its language
 * (so an English line in an Arabic page runs left to right). A mark whose
 * slot the file does not fill gets the catalogue's "info.local_none" in
 * the page's language. The file is checked whole at start-up (caps below);
 * a bad one stops the server with a message naming the place.
 */
#ifndef UMBRA_SERVER_CONTENT_H
#define UMBRA_SERVER_CONTENT_H

#include "i18n.h"
#include "webfiles.h"

#define CONTENT_LOCAL_MAX_FILE (256u * 1024u) /* the operator's file */
#define CONTENT_LOCAL_MAX_SLOTS 32
#define CONTENT_LOCAL_MAX_ENTRIES 32    /* per slot */
#define CONTENT_LOCAL_MAX_TEXT 1000     /* bytes per string */
#define CONTENT_MAX_PAGE (512u * 1024u) /* a page once filled in */

/* Sets each information page's reviewed flag from the status file at path
 * (a missing file: every page a draft). 0, or -1 with a message on stderr
 * (a file that is not an object of objects). */
int content_status_load(struct webfiles *info, const char *path)
    __attribute__((warn_unused_result));

/* Replaces every local services mark of every information page of info
 * with its slot's services from the file at local_path (NULL or "": no
 * file, every mark gets the "not filled in" text), in the page's language
 * (catalogues t, which must hold English). Each page's data is replaced by
 * a new malloc'd copy (webfiles_release frees it). Warns on stderr about a
 * slot no page marks. 0, or -1 with a message on stderr (the file missing
 * or bad, a malformed mark, a page over CONTENT_MAX_PAGE, out of memory);
 * pages already filled stay filled. */
int content_fill(struct webfiles *info, const struct i18n *t,
                 const char *local_path) __attribute__((warn_unused_result));

#endif
