/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * desk_html: writing the desk's HTML into a struct desk_out (desk.h).
 *
 * desk_h_raw and desk_h_fmt write trusted markup (literals of this
 * program, numbers); everything else goes through desk_h_esc, which
 * escapes & < > " ' and makes harmless what could change how text around
 * it reads: invalid UTF-8, control characters other than newline and tab,
 * and the bidirectional controls (U+200E/F, U+202A-E, U+2066-9, U+061C)
 * are each written as U+FFFD. Report text is also put in elements with
 * dir="auto" and unicode-bidi: isolate (desk.css), so a right-to-left
 * narrative cannot reorder the page around it. An append that fails
 * (over DESK_PAGE_MAX, out of memory) sets out->oom and the page is
 * answered as a 500 instead.
 */
#ifndef UMBRA_CASE_DESK_HTML_H
#define UMBRA_CASE_DESK_HTML_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"

#define DESK_PAGE_MAX (48u * 1024u * 1024u) /* one answer */

/* An answer: HTML (or another type) in body; a redirect when location is
 * set; status 0 means 200. The body buffer is wiped when released. */
struct desk_out {
    struct umbra_buf body;
    int status;
    const char *type;   /* NULL: text/html; charset=utf-8 */
    char location[256]; /* a path on the desk, or "" */
    int oom;            /* an append failed: answer 500 */
};

void desk_h_raw(struct desk_out *o, const char *s);
void desk_h_fmt(struct desk_out *o, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void desk_h_esc(struct desk_out *o, const char *s, size_t n);
/* desk_h_esc of a NUL-terminated string. */
void desk_h_str(struct desk_out *o, const char *s);
/* The escaped text of key in language li (desk_text.h). */
void desk_h_t(struct desk_out *o, int li, const char *key);
/* The same with {1} replaced by the escaped arg. */
void desk_h_t1(struct desk_out *o, int li, const char *key, const char *arg);
/* <form method="post" action="ACTION"> with the CSRF token field. */
void desk_h_form(struct desk_out *o, const char *csrf, const char *action);
/* The same with a hidden field "id" of case id. */
void desk_h_form_case(struct desk_out *o, const char *csrf,
                      const char *action, int64_t id);
/* A 303 to path (a path of the desk, else "/"). */
void desk_h_redirect(struct desk_out *o, const char *path);

#endif
