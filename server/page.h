/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * page: the HTML pages and static files of umbra-server, in every language.
 *
 * Owned by the web layer (web/ holds templates, locale catalogues, CSS, the
 * browser bundle). At start-up page_init() loads every template, catalogue
 * and static file into memory once; afterwards rendering never touches the
 * disk and is safe from any thread. The server's route handlers decide the
 * status code and headers; this module only produces bodies.
 *
 * Catalogues are flat JSON key -> string files, web/locales/<lang>.json, a
 * format Weblate and Transifex both read. English is the fallback for any
 * missing key. Every string inserted into HTML is escaped here.
 */
#ifndef UMBRA_PAGE_H
#define UMBRA_PAGE_H

#include <stddef.h>

#include "pageform.h" /* struct page_form */

enum page_id {
    PAGE_LANDING,  /* GET /                         */
    PAGE_REPORT,   /* GET /report, and POST /report with an error */
    PAGE_RECEIPT,  /* POST /report stored: shows ctx->receipt     */
    PAGE_CHECK,    /* GET/POST /check: form, and replies if any     */
    PAGE_INFO,     /* GET /info/{name}: organisation's content page */
    PAGE_ERROR,    /* any error page: ctx->error_code               */
    PAGE_ALERTS,   /* GET /alerts: ctx->html is the list (alertview.h) */
};

struct page_org {
    const char *slug, *name, *fingerprint;
};

struct page_reply {
    const char *date;    /* YYYY-MM-DD */
    const char *message; /* plaintext, escaped by the renderer */
};

struct page_ctx {
    const char *lang;         /* a code page_lang() returned */
    const struct page_org *orgs;
    size_t norgs;
    const char *org;          /* the chosen organisation's slug, or NULL */
    const char *receipt;      /* PAGE_RECEIPT: "dddd dddd ..." */
    const char *error_code;   /* a stable error code, or NULL */
    const struct page_reply *replies; /* PAGE_CHECK after a lookup */
    size_t nreplies;
    int checked;              /* PAGE_CHECK: 1 once a receipt was looked up */
    int conv_sent;            /* PAGE_CHECK: 1 once a write-back was sent */
    const char *info;         /* PAGE_INFO: page name (validated) */
    int choose;               /* no language matched: ask for one (the
                                 landing page is then only the chooser) */
    /* PAGE_REPORT after a refusal: the form as sent, the form field the
     * error is about (or NULL), 1 if a photo was chosen (it is never
     * kept: the page asks for it again). */
    const struct page_form *form;
    const char *error_field;
    int photo_again;
    /* PAGE_CHECK after an error: the code as typed, to show it again */
    const char *receipt_typed;
    /* PAGE_ALERTS: HTML its maker escaped, shown as {{content}} */
    const char *html;
};

struct page_buf {
    char *data; /* malloc'd; page_buf_free() wipes and frees it */
    size_t len;
};

/* Loads web_dir/templates, web_dir/locales, web_dir/static and
 * web_dir/content (its sign-off file, content/status.json, too). 0 or -1
 * (with a message on stderr). page_init_local also fills the information
 * pages' local services from the operator's file local_services (NULL or
 * "": none; content.h); page_init is page_init_local without one. */
int page_init(const char *web_dir);
int page_init_local(const char *web_dir, const char *local_services);
void page_release(void);

/* A supported language code for a requested one ("pt-BR", "th", NULL...);
 * "en" when unknown. Never NULL; points to static memory. */
const char *page_lang(const char *requested);

/* The language of a request: the requested code (?lang=, the form's lang
 * field) if it names a supported one, else the best supported one of the
 * Accept-Language value, else NULL (the page then asks, in English). Sets
 * *vary to 1 when the header was consulted (the answer depends on it). */
const char *page_lang_choose(const char *requested,
                             const char *accept_language, int *vary);

/* Renders a page. 0, -1 out of memory, -2 unknown info page. A page can
 * hold a receipt or a reply: every block the renderer outgrows is wiped
 * before it is freed, and the caller frees out->data with page_buf_free
 * (as the libmicrohttpd free callback of the response that sends it). */
int page_render(struct page_buf *out, enum page_id id,
                const struct page_ctx *ctx);
/* Wipes a rendered page's whole block and frees it; NULL-safe. */
void page_buf_free(void *data);

/* A static file by its path under /static/ ("app.js"). 0 and sets
 * data/len/content type (static memory), or -1 if no such file. */
int page_static(const char *path, const char **data, size_t *len,
                const char **content_type);

/* The gzip-compressed twin of a static file ("path.gz", built by the web
 * layer's make rules), for clients that accept gzip. 0, or -1 if there is
 * none. */
int page_static_gzip(const char *path, const char **data, size_t *len);

#endif
