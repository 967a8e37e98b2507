/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * alertview: the alerts as the public sees them (docs/api.md "Alerts"):
 * read from the database, verified again, and written as the /alerts
 * page's list (HTML), an Atom feed or a JSON Feed.
 *
 * alerts_load reads the live rows (not withdrawn, not expired: the
 * alerts_live function of schema 010) on the intake pool and keeps only
 * those whose stored file still verifies, with libumbra, against the
 * organisation's *current* bundle (orgs.h), names that organisation and
 * that id, and is live by its own dates today (UTC). A row edited in the
 * database, signed by a member since removed from the bundle, expired or
 * withdrawn is in no list, so on no page and in no feed.
 *
 * Each text is shown in the reader's language when the alert has it, else
 * in English, else in its first language, always with that text's own
 * lang and dir. Every string is escaped for where it goes (HTML, XML,
 * JSON inside a <script type="application/json"> block). The module holds
 * its own copy of the catalogues (alerts_init), read-only after it.
 */
#ifndef UMBRA_SERVER_ALERTVIEW_H
#define UMBRA_SERVER_ALERTVIEW_H

#include <stddef.h>

#include "../client-crypto/umbra.h"
#include "orgs.h"

struct alert_item {
    const struct org *org; /* in the snapshot the list holds */
    struct umbra_alert a;  /* verified; a.json the inner alert */
    char *file;            /* the signed file as stored, NUL-terminated */
    size_t len;
};

struct alert_list {
    struct org_set *orgs; /* the snapshot the alerts were verified with */
    struct alert_item *v;
    size_t n;
    size_t dropped; /* rows that did not verify (counted, not shown) */
};

/* Loads the catalogues of web_dir/locales; 0 or -1. */
int alerts_init(const char *web_dir) __attribute__((warn_unused_result));
void alerts_release(void);

/* The live, verified alerts of slug (NULL: of every organisation) into
 * *l, newest first. 0, or -1 (database unreachable, out of memory) with
 * *l empty. alerts_list_free releases it (also after -1). */
int alerts_load(struct alert_list *l, const char *slug)
    __attribute__((warn_unused_result));
void alerts_list_free(struct alert_list *l);

/*
 * The /alerts page's content in language lang (a supported code): one
 * article per alert, the feeds' links, and the JSON blocks the browser
 * verifies with (the bundles, each alert's file). slug: the organisation
 * the page is limited to, or NULL. *out malloc'd (caller frees); 0 or -1.
 */
int alerts_html(char **out, const struct alert_list *l, const char *lang,
                const char *slug) __attribute__((warn_unused_result));

/* The Atom feed (RFC 4287) / JSON Feed 1.1 of org o's alerts in l, in
 * lang; *out malloc'd, *len its length. 0 or -1. */
int alerts_atom(char **out, size_t *len, const struct alert_list *l,
                const struct org *o, const char *lang)
    __attribute__((warn_unused_result));
int alerts_jsonfeed(char **out, size_t *len, const struct alert_list *l,
                    const struct org *o, const char *lang)
    __attribute__((warn_unused_result));

#endif
