/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * desk_html: the desk's HTML writer (see desk_html.h).
 */
#include "desk_html.h"
#include "desk_text.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static void
put(struct desk_out *o, const void *p, size_t n)
{
    if (o->oom)
        return;
    if (o->body.cap == 0)
        o->body.cap = DESK_PAGE_MAX;
    if (umbra_buf_append(&o->body, p, n) != 0)
        o->oom = 1;
}

void
desk_h_raw(struct desk_out *o, const char *s)
{
    put(o, s, strlen(s));
}

void
desk_h_fmt(struct desk_out *o, const char *fmt, ...)
{
    char buf[1024];
    va_list ap;
    int n;

    va_start(ap, fmt);
    n = vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= sizeof buf) {
        o->oom = 1;
        return;
    }
    put(o, buf, (size_t)n);
}

/* Length of the UTF-8 sequence at s[0..n) and its code point, or 0 if it
 * is not valid (overlong, surrogate, past U+10FFFF, cut short). */
static size_t
utf8_next(const unsigned char *s, size_t n, unsigned long *cp)
{
    size_t len, i;
    unsigned long c;

    if (s[0] < 0x80) {
        *cp = s[0];
        return 1;
    }
    if (s[0] >= 0xc2 && s[0] <= 0xdf)
        len = 2, c = s[0] & 0x1fu;
    else if (s[0] >= 0xe0 && s[0] <= 0xef)
        len = 3, c = s[0] & 0x0fu;
    else if (s[0] >= 0xf0 && s[0] <= 0xf4)
        len = 4, c = s[0] & 0x07u;
    else
        return 0;
    if (len > n)
        return 0;
    for (i = 1; i < len; i++) {
        if ((s[i] & 0xc0) != 0x80)
            return 0;
        c = (c << 6) | (s[i] & 0x3fu);
    }
    if ((len == 3 && c < 0x800) || (len == 4 && c < 0x10000) || c > 0x10ffff ||
        (c >= 0xd800 && c <= 0xdfff))
        return 0;
    *cp = c;
    return len;
}

static int
bidi_control(unsigned long c)
{
    return c == 0x200e || c == 0x200f || c == 0x061c ||
           (c >= 0x202a && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069);
}

void
desk_h_esc(struct desk_out *o, const char *s, size_t n)
{
    static const char FFFD[] = "\xef\xbf\xbd";
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0, run = 0;

    while (i < n) {
        unsigned long c = 0;
        size_t len = utf8_next(p + i, n - i, &c);
        const char *rep = NULL;

        if (len == 0) {
            rep = FFFD;
            len = 1;
        } else if (c == '&')
            rep = "&amp;";
        else if (c == '<')
            rep = "&lt;";
        else if (c == '>')
            rep = "&gt;";
        else if (c == '"')
            rep = "&quot;";
        else if (c == '\'')
            rep = "&#39;";
        else if ((c < 0x20 && c != '\n' && c != '\t') || c == 0x7f ||
                 (c >= 0x80 && c < 0xa0) || bidi_control(c))
            rep = FFFD;
        if (rep != NULL) {
            put(o, s + run, i - run);
            put(o, rep, strlen(rep));
            i += len;
            run = i;
        } else {
            i += len;
        }
    }
    put(o, s + run, n - run);
}

void
desk_h_str(struct desk_out *o, const char *s)
{
    desk_h_esc(o, s, strlen(s));
}

void
desk_h_t(struct desk_out *o, int li, const char *key)
{
    desk_h_str(o, desk_text(li, key));
}

void
desk_h_t1(struct desk_out *o, int li, const char *key, const char *arg)
{
    const char *t = desk_text(li, key), *at = strstr(t, "{1}");

    if (at == NULL) {
        desk_h_str(o, t);
        return;
    }
    desk_h_esc(o, t, (size_t)(at - t));
    desk_h_str(o, arg);
    desk_h_str(o, at + 3);
}

void
desk_h_form(struct desk_out *o, const char *csrf, const char *action)
{
    desk_h_raw(o, "<form method=\"post\" action=\"");
    desk_h_str(o, action);
    desk_h_raw(o, "\"><input type=\"hidden\" name=\"csrf\" value=\"");
    desk_h_str(o, csrf);
    desk_h_raw(o, "\">");
}

void
desk_h_form_case(struct desk_out *o, const char *csrf, const char *action,
                 int64_t id)
{
    desk_h_form(o, csrf, action);
    desk_h_fmt(o, "<input type=\"hidden\" name=\"id\" value=\"%lld\">",
               (long long)id);
}

void
desk_h_redirect(struct desk_out *o, const char *path)
{
    size_t n = strlen(path);

    if (n >= sizeof o->location || path[0] != '/')
        path = "/", n = 1;
    memcpy(o->location, path, n + 1);
    o->status = 303;
}
