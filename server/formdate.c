/* SPDX-License-Identifier: AGPL-3.0-or-later */
/* formdate: see formdate.h. */
#include "formdate.h"

#include "umbra.h"

#include <sodium.h>
#include <stdint.h>
#include <string.h>

/* s (UTF-8) as ASCII: digits of any script made 0-9, every run of
 * separators ('-', '/', '.', ',', spaces, Arabic comma) one '-', leading
 * and trailing ones dropped. 0, or -1 on another character or when it
 * does not fit cap. */
static int
ascii_of(char *out, size_t cap, const char *s)
{
    const uint8_t *p = (const uint8_t *)s;
    size_t n = strlen(s), pos = 0, o = 0;
    int sep = 0;

    while (pos < n) {
        uint32_t cp = 0;
        size_t k = umbra_utf8_decode(&cp, p + pos, n - pos);
        int v;

        if (k == 0)
            return -1;
        pos += k;
        v = umbra_digit_value(cp);
        if (v >= 0) {
            if (sep && o > 0) {
                if (o + 1 >= cap)
                    return -1;
                out[o++] = '-';
            }
            sep = 0;
            if (o + 1 >= cap)
                return -1;
            out[o++] = (char)('0' + v);
        } else if (cp == '-' || cp == '/' || cp == '.' || cp == ',' ||
                   cp == ' ' || cp == 0xA0 || cp == 0x2010 ||
                   cp == 0x2011 || cp == 0x2013 || cp == 0x2212 ||
                   cp == 0x060C || cp == 0x200F || cp == 0x200E ||
                   cp == 0x061C || cp == 0x3000) {
            sep = 1; /* the bidi marks an RTL keyboard adds, too */
        } else {
            return -1;
        }
    }
    out[o] = '\0';
    return 0;
}

/* A whole ASCII number of 1 to max digits, else -1. */
static int
number(const char *s, size_t len, size_t max)
{
    int v = 0;

    if (len == 0 || len > max)
        return -1;
    for (size_t i = 0; i < len; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    return v;
}

static int
given(const char *s)
{
    return s != NULL && s[0] != '\0';
}

/* One menu's value in any script's digits: 1 to max digits, else -1. */
static int
menu(const char *s, size_t max)
{
    char a[16];
    int v;

    if (ascii_of(a, sizeof a, s) != 0)
        return -1;
    v = number(a, strlen(a), max);
    sodium_memzero(a, sizeof a);
    return v;
}

int
formdate_get(char out[11], const char *date, const char *day,
             const char *month, const char *year, const char **field)
{
    int y, m, d = 0;

    out[0] = '\0';
    if (given(day) || given(month) || given(year)) {
        if (!given(year) || (y = menu(year, 4)) < 1000) {
            *field = "incident.year";
            return -1;
        }
        if (!given(month) || (m = menu(month, 2)) < 1 || m > 12) {
            *field = "incident.month";
            return -1;
        }
        if (given(day) && ((d = menu(day, 2)) < 1 || d > 31)) {
            *field = "incident.day";
            return -1;
        }
    } else if (given(date)) {
        char a[32];
        const char *p1, *p2;

        *field = "incident.date";
        if (ascii_of(a, sizeof a, date) != 0)
            return -1;
        p1 = strchr(a, '-');
        p2 = p1 ? strchr(p1 + 1, '-') : NULL;
        if (p1 == NULL || (p2 && strchr(p2 + 1, '-'))) {
            sodium_memzero(a, sizeof a);
            return -1;
        }
        y = number(a, (size_t)(p1 - a), 4);
        m = number(p1 + 1, p2 ? (size_t)(p2 - p1 - 1) : strlen(p1 + 1), 2);
        if (p2)
            d = number(p2 + 1, strlen(p2 + 1), 2);
        sodium_memzero(a, sizeof a);
        if (p1 - a != 4 || y < 1000 || m < 1 || m > 12 || d < 0 ||
            (p2 && d < 1) || d > 31)
            return -1;
    } else {
        return 0;
    }
    /* y has 4 digits, m and d at most 2 */
    out[0] = (char)('0' + y / 1000);
    out[1] = (char)('0' + y / 100 % 10);
    out[2] = (char)('0' + y / 10 % 10);
    out[3] = (char)('0' + y % 10);
    out[4] = '-';
    out[5] = (char)('0' + m / 10);
    out[6] = (char)('0' + m % 10);
    out[7] = '\0';
    if (d) {
        out[7] = '-';
        out[8] = (char)('0' + d / 10);
        out[9] = (char)('0' + d % 10);
        out[10] = '\0';
    }
    return 0;
}
