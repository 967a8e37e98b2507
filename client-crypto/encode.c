/* SPDX-License-Identifier: AGPL-3.0-or-later */
/* encode: hex, integers, dates and slugs (see encode.h). */
#include "encode.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

void
umbra_hex(char *out, const uint8_t *bin, size_t len)
{
    static const char digits[] = "0123456789abcdef";
    size_t i;

    for (i = 0; i < len; i++) {
        out[2 * i] = digits[bin[i] >> 4];
        out[2 * i + 1] = digits[bin[i] & 15];
    }
    out[2 * len] = '\0';
}

static int
hex_value(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

int
umbra_unhex(uint8_t *out, size_t out_len, const char *hex, size_t hex_len)
{
    size_t i;

    if (out == NULL || hex == NULL)
        return UMBRA_ERR_ARG;
    if (hex_len != 2 * out_len)
        return UMBRA_ERR_FORMAT;
    for (i = 0; i < out_len; i++) {
        int hi = hex_value(hex[2 * i]);
        int lo = hex_value(hex[2 * i + 1]);
        if (hi < 0 || lo < 0)
            return UMBRA_ERR_FORMAT;
        out[i] = (uint8_t)((hi << 4) | lo);
    }
    return 0;
}

void
umbra_today(char out[11])
{
    time_t now = time(NULL);
    struct tm tm;

    if (gmtime_r(&now, &tm) == NULL || strftime(out, 11, "%Y-%m-%d", &tm) != 10)
        memcpy(out, "1970-01-01", 11);
}

int
umbra_parse_u64(uint64_t *out, const char *s, uint64_t min, uint64_t max)
{
    char *end = NULL;
    unsigned long long v;

    if (s == NULL || *s < '0' || *s > '9')
        return UMBRA_ERR_FORMAT;
    errno = 0;
    v = strtoull(s, &end, 10);
    if (errno != 0 || *end != '\0' || v < min || v > max)
        return UMBRA_ERR_FORMAT;
    *out = (uint64_t)v;
    return 0;
}

int
umbra_slug_valid(const char *s, size_t len)
{
    size_t i;

    if (s == NULL || len < 1 || len > UMBRA_SLUG_MAX || s[0] == '-')
        return 0;
    for (i = 0; i < len; i++) {
        char c = s[i];
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-'))
            return 0;
    }
    return 1;
}

int
umbra_digits_value(const char *s, size_t n)
{
    int v = 0;
    size_t i;

    for (i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    return v;
}

int
umbra_date_valid(const char *s, size_t len)
{
    static const int mdays[12] = {31, 29, 31, 30, 31, 30,
                                  31, 31, 30, 31, 30, 31};
    int y, m, d;

    if (s == NULL || len != 10 || s[4] != '-' || s[7] != '-')
        return 0;
    y = umbra_digits_value(s, 4);
    m = umbra_digits_value(s + 5, 2);
    d = umbra_digits_value(s + 8, 2);
    if (y < 1970 || m < 1 || m > 12 || d < 1 || d > mdays[m - 1])
        return 0;
    if (m == 2 && d == 29 && !((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
        return 0;
    return 1;
}

size_t
umbra_utf8_decode(uint32_t *cp, const uint8_t *s, size_t n)
{
    uint32_t c, min;
    size_t k, i;

    if (n == 0)
        return 0;
    if (s[0] < 0x80) {
        *cp = s[0];
        return 1;
    }
    if (s[0] >= 0xc2 && s[0] <= 0xdf) {
        k = 2;
        c = s[0] & 0x1fu;
        min = 0x80;
    } else if (s[0] >= 0xe0 && s[0] <= 0xef) {
        k = 3;
        c = s[0] & 0x0fu;
        min = 0x800;
    } else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
        k = 4;
        c = s[0] & 0x07u;
        min = 0x10000;
    } else {
        return 0;
    }
    if (n < k)
        return 0;
    for (i = 1; i < k; i++) {
        if ((s[i] & 0xc0) != 0x80)
            return 0;
        c = (c << 6) | (s[i] & 0x3fu);
    }
    if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
        return 0;
    *cp = c;
    return k;
}

int
umbra_utf8_valid(const uint8_t *s, size_t n)
{
    size_t i = 0, k;
    uint32_t cp;

    while (i < n) {
        if (s[i] != 0 && s[i] < 0x80) {
            i++;
            continue;
        }
        k = umbra_utf8_decode(&cp, s + i, n - i);
        if (k == 0 || cp == 0)
            return 0;
        i += k;
    }
    return 1;
}

int
umbra_json_depth_ok(const uint8_t *s, size_t n, unsigned max_depth)
{
    unsigned depth = 0;
    int in_str = 0, esc = 0;
    size_t i;

    for (i = 0; i < n; i++) {
        uint8_t c = s[i];

        if (in_str) {
            if (esc)
                esc = 0;
            else if (c == '\\')
                esc = 1;
            else if (c == '"')
                in_str = 0;
            continue;
        }
        if (c == '"') {
            in_str = 1;
        } else if (c == '[' || c == '{') {
            if (++depth > max_depth)
                return 0;
        } else if ((c == ']' || c == '}') && depth > 0) {
            depth--;
        }
    }
    return 1;
}
