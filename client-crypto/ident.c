/* SPDX-License-Identifier: AGPL-3.0-or-later */
/* ident: a perpetrator's identifier normalised (see ident.h). */
#include "ident.h"

#include <string.h>

#define CAP UMBRA_REPORT_PERPETRATOR_IDENTIFIERS_VALUE_MAX

/* Country, calling code, trunk prefix dropped from a national number, and
 * the digit count (trunk included) it needs to be dropped (0: any). The
 * countries of the form's menu (web/templates/countries.html). */
static const struct {
    char cc[3];
    const char *code, *trunk;
    unsigned len;
} calling[] = {
    {"AL", "355", "0", 0}, {"AT", "43", "0", 0},  {"BE", "32", "0", 0},
    {"BG", "359", "0", 0}, {"BR", "55", "0", 0},  {"CA", "1", "1", 11},
    {"CH", "41", "0", 0},  {"CN", "86", "0", 0},  {"CO", "57", "", 0},
    {"CZ", "420", "", 0},  {"DE", "49", "0", 0},  {"DK", "45", "", 0},
    {"DO", "1", "1", 11},  {"DZ", "213", "0", 0}, {"EC", "593", "0", 0},
    {"EE", "372", "", 0},  {"EG", "20", "0", 0},  {"ES", "34", "", 0},
    {"FI", "358", "0", 0}, {"FR", "33", "0", 0},  {"GB", "44", "0", 0},
    {"GH", "233", "0", 0}, {"GR", "30", "", 0},   {"HR", "385", "0", 0},
    {"HU", "36", "06", 0}, {"IE", "353", "0", 0}, {"IT", "39", "", 0},
    {"KH", "855", "0", 0}, {"LA", "856", "0", 0}, {"LB", "961", "0", 0},
    {"LT", "370", "8", 9}, {"LU", "352", "", 0},  {"LV", "371", "", 0},
    {"MA", "212", "0", 0}, {"MD", "373", "0", 0}, {"MX", "52", "", 0},
    {"MY", "60", "0", 0},  {"NG", "234", "0", 0}, {"NL", "31", "0", 0},
    {"NO", "47", "", 0},   {"PE", "51", "0", 0},  {"PH", "63", "0", 0},
    {"PL", "48", "", 0},   {"PT", "351", "", 0},  {"PY", "595", "0", 0},
    {"RO", "40", "0", 0},  {"RS", "381", "0", 0}, {"RU", "7", "8", 11},
    {"SE", "46", "0", 0},  {"SI", "386", "0", 0}, {"SK", "421", "0", 0},
    {"SY", "963", "0", 0}, {"TH", "66", "0", 0},  {"TN", "216", "", 0},
    {"TR", "90", "0", 0},  {"UA", "380", "0", 0}, {"US", "1", "1", 11},
    {"VE", "58", "0", 0},  {"VN", "84", "0", 0},
};

/* Cyrillic and Greek letters (after case folding) that look like a Latin
 * letter, for the skeleton only. */
static const struct {
    uint32_t from;
    char to;
} lookalike[] = {
    {0x0410, 'A'}, {0x0412, 'B'}, {0x0415, 'E'}, {0x041A, 'K'}, {0x041C, 'M'},
    {0x041D, 'H'}, {0x041E, 'O'}, {0x0420, 'P'}, {0x0421, 'C'}, {0x0422, 'T'},
    {0x0423, 'Y'}, {0x0425, 'X'}, {0x0405, 'S'}, {0x0406, 'I'}, {0x0408, 'J'},
    {0x0430, 'a'}, {0x0435, 'e'}, {0x043E, 'o'}, {0x0440, 'p'}, {0x0441, 'c'},
    {0x0443, 'y'}, {0x0445, 'x'}, {0x0455, 's'}, {0x0456, 'i'}, {0x0458, 'j'},
    {0x04BB, 'h'}, {0x0501, 'd'}, {0x051B, 'q'}, {0x051D, 'w'}, {0x04CF, 'l'},
    {0x0391, 'A'}, {0x0392, 'B'}, {0x0395, 'E'}, {0x0396, 'Z'}, {0x0397, 'H'},
    {0x0399, 'I'}, {0x039A, 'K'}, {0x039C, 'M'}, {0x039D, 'N'}, {0x039F, 'O'},
    {0x03A1, 'P'}, {0x03A4, 'T'}, {0x03A5, 'Y'}, {0x03A7, 'X'}, {0x03BF, 'o'},
    {0x03BD, 'v'}, {0x03B9, 'i'}, {0x03C1, 'p'}, {0x03BA, 'k'}, {0x03B1, 'a'},
};

/* Sites whose profile address is reduced to the handle: the host (after
 * "www.", "m.", "mobile." or "web."), and a first path segment to skip. */
static const struct {
    const char *host, *skip;
} sites[] = {
    {"facebook.com", NULL},  {"fb.com", NULL},       {"instagram.com", NULL},
    {"twitter.com", NULL},   {"x.com", NULL},        {"tiktok.com", NULL},
    {"t.me", NULL},          {"telegram.me", NULL},  {"vk.com", NULL},
    {"youtube.com", NULL},   {"threads.net", NULL},  {"onlyfans.com", NULL},
    {"snapchat.com", "add"}, {"linkedin.com", "in"}, {"reddit.com", "user"},
    {"line.me", "ti/p"},     {"wa.me", NULL},
};

/* The row of calling[] for country (any case), or -1. */
static int
calling_row(const char *country)
{
    size_t i;
    char cc[3];

    if (country == NULL || strlen(country) != 2)
        return -1;
    for (i = 0; i < 2; i++)
        cc[i] = (country[i] >= 'a' && country[i] <= 'z')
                    ? (char)(country[i] - 'a' + 'A')
                    : country[i];
    cc[2] = 0;
    for (i = 0; i < sizeof calling / sizeof calling[0]; i++)
        if (memcmp(calling[i].cc, cc, 3) == 0)
            return (int)i;
    return -1;
}

const char *
umbra_ident_calling_code(const char *country, const char **trunk)
{
    int k = calling_row(country);

    if (k < 0)
        return NULL;
    if (trunk != NULL)
        *trunk = calling[k].trunk;
    return calling[k].code;
}

/* ---- code points --------------------------------------------------- */

static int
is_space(uint32_t c)
{
    return c == ' ' || c == 0x00A0 || c == 0x1680 ||
           (c >= 0x2000 && c <= 0x200A) || c == 0x202F || c == 0x205F ||
           c == 0x3000;
}

/* characters that show nothing: dropped so that they cannot hide a
 * difference or make one */
static int
is_invisible(uint32_t c)
{
    return c == 0x00AD || (c >= 0x200B && c <= 0x200F) ||
           (c >= 0x202A && c <= 0x202E) || (c >= 0x2060 && c <= 0x2064) ||
           c == 0xFEFF;
}

static int
is_dash(uint32_t c)
{
    return c == '-' || (c >= 0x2010 && c <= 0x2015) || c == 0x2212;
}

/* simple case mapping of Latin (ASCII, Latin-1, Extended-A), Greek and
 * Cyrillic; every other script has no case */
static uint32_t
to_lower(uint32_t c)
{
    if ((c >= 'A' && c <= 'Z') || (c >= 0xC0 && c <= 0xDE && c != 0xD7))
        return c + 0x20;
    if (c == 0x130)
        return 'i';
    if (c == 0x178)
        return 0xFF;
    if ((c >= 0x100 && c <= 0x137) || (c >= 0x14A && c <= 0x177))
        return c | 1u;
    if ((c >= 0x139 && c <= 0x148) || (c >= 0x179 && c <= 0x17E))
        return (c & 1u) ? c + 1 : c;
    if (c >= 0x391 && c <= 0x3AB && c != 0x3A2)
        return c + 0x20;
    if (c >= 0x410 && c <= 0x42F)
        return c + 0x20;
    if (c >= 0x400 && c <= 0x40F)
        return c + 0x50;
    if ((c >= 0x460 && c <= 0x481) || (c >= 0x48A && c <= 0x4BF) ||
        (c >= 0x4D0 && c <= 0x52F))
        return c | 1u;
    return c;
}

static uint32_t
to_upper(uint32_t c)
{
    if ((c >= 'a' && c <= 'z') || (c >= 0xE0 && c <= 0xFE && c != 0xF7))
        return c - 0x20;
    if (c == 0x131)
        return 'I';
    if (c == 0xFF)
        return 0x178;
    if ((c >= 0x100 && c <= 0x137 && c != 0x131) || (c >= 0x14A && c <= 0x177))
        return c & ~1u;
    if ((c >= 0x139 && c <= 0x148) || (c >= 0x179 && c <= 0x17E))
        return (c & 1u) ? c : c - 1;
    if (c == 0x3C2)
        return 0x3A3;
    if (c >= 0x3B1 && c <= 0x3CB)
        return c - 0x20;
    if (c >= 0x430 && c <= 0x44F)
        return c - 0x20;
    if (c >= 0x450 && c <= 0x45F)
        return c - 0x50;
    if ((c >= 0x460 && c <= 0x481) || (c >= 0x48A && c <= 0x4BF) ||
        (c >= 0x4D0 && c <= 0x52F))
        return c & ~1u;
    return c;
}

/* the script of a character by its block (protocol section 6.2), 0 for
 * digits, combining accents and everything outside the blocks listed;
 * Han, kana, Hangul and their half-width forms count as one, as Chinese,
 * Japanese and Korean writing mixes them */
static int
script_of(uint32_t c)
{
    static const struct {
        uint32_t lo, hi;
        int script;
    } runs[] = {
        {'A', 'Z', 1},        {'a', 'z', 1},        {0xC0, 0x24F, 1},
        {0x1E00, 0x1EFF, 1},  {0x370, 0x3FF, 2},    {0x1F00, 0x1FFF, 2},
        {0x400, 0x52F, 3},    {0x530, 0x58F, 4},    {0x590, 0x5FF, 5},
        {0x600, 0x6FF, 6},    {0x750, 0x77F, 6},    {0x8A0, 0x8FF, 6},
        {0xFB50, 0xFDFF, 6},  {0xFE70, 0xFEFC, 6},  {0x900, 0x97F, 7},
        {0x980, 0x9FF, 8},    {0xE00, 0xE7F, 9},    {0xE80, 0xEFF, 10},
        {0x1000, 0x109F, 11}, {0x10A0, 0x10FF, 12}, {0x1780, 0x17FF, 13},
        {0x1100, 0x11FF, 14}, {0x3040, 0x30FF, 14}, {0x3400, 0x4DBF, 14},
        {0x4E00, 0x9FFF, 14}, {0xAC00, 0xD7AF, 14}, {0xFF61, 0xFFDC, 14},
    };
    size_t i;

    if (c == 0xD7 || c == 0xF7 || (c >= 0x300 && c <= 0x36F) ||
        umbra_digit_value(c) >= 0)
        return 0;
    for (i = 0; i < sizeof runs / sizeof runs[0]; i++)
        if (c >= runs[i].lo && c <= runs[i].hi)
            return runs[i].script;
    return 0;
}

/* ---- output -------------------------------------------------------- */

struct out {
    char *s;
    size_t len, cap;
};

static void
put_cp(struct out *o, uint32_t c)
{
    uint8_t b[4];
    size_t n;

    if (c < 0x80) {
        b[0] = (uint8_t)c;
        n = 1;
    } else if (c < 0x800) {
        b[0] = (uint8_t)(0xC0 | (c >> 6));
        b[1] = (uint8_t)(0x80 | (c & 0x3F));
        n = 2;
    } else if (c < 0x10000) {
        b[0] = (uint8_t)(0xE0 | (c >> 12));
        b[1] = (uint8_t)(0x80 | ((c >> 6) & 0x3F));
        b[2] = (uint8_t)(0x80 | (c & 0x3F));
        n = 3;
    } else {
        b[0] = (uint8_t)(0xF0 | (c >> 18));
        b[1] = (uint8_t)(0x80 | ((c >> 12) & 0x3F));
        b[2] = (uint8_t)(0x80 | ((c >> 6) & 0x3F));
        b[3] = (uint8_t)(0x80 | (c & 0x3F));
        n = 4;
    }
    if (o->len + n < o->cap) { /* room kept for the NUL */
        memcpy(o->s + o->len, b, n);
        o->len += n;
    }
    o->s[o->len] = 0;
}

static void
put_str(struct out *o, const char *s)
{
    while (*s != 0)
        put_cp(o, (uint8_t)*s++);
}

/* ---- the rules ----------------------------------------------------- */

struct text {
    uint32_t cp[CAP + 1];
    size_t n;
};

/* Decodes value, cut at CAP UTF-16 units, with the folding every kind
 * shares: full-width forms to ASCII, control characters and every space
 * to ' ', invisible characters dropped. */
static int
decode(struct text *t, unsigned *flags, const char *value, size_t len)
{
    const uint8_t *s = (const uint8_t *)value;
    size_t i = 0, units = 0;

    t->n = 0;
    while (i < len) {
        uint32_t c;
        size_t k = umbra_utf8_decode(&c, s + i, len - i);

        if (k == 0 || c == 0)
            return UMBRA_ERR_FORMAT;
        i += k;
        units += c >= 0x10000 ? 2 : 1;
        if (units > CAP) {
            *flags |= UMBRA_IDENT_CUT;
            break;
        }
        if (c >= 0xFF01 && c <= 0xFF5E)
            c -= 0xFEE0;
        else if (c < 0x20 || (c >= 0x7F && c < 0xA0) || is_space(c))
            c = ' ';
        else if (is_invisible(c))
            continue;
        t->cp[t->n++] = c;
    }
    return 0;
}

/* text with spaces trimmed and each run made one space (lower-cased when
 * lower) */
static void
put_folded(struct out *o, const struct text *t, int lower)
{
    size_t i;
    int gap = 0;

    for (i = 0; i < t->n; i++) {
        if (t->cp[i] == ' ') {
            gap = o->len > 0;
            continue;
        }
        if (gap)
            put_cp(o, ' ');
        gap = 0;
        put_cp(o, lower ? to_lower(t->cp[i]) : t->cp[i]);
    }
}

static void
phone(struct out *o, unsigned *flags, const struct text *t, const char *country)
{
    char d[CAP + 1];
    size_t i, n = 0;
    int plus = 0, k;
    const char *trunk;

    for (i = 0; i < t->n; i++) {
        uint32_t c = t->cp[i];
        int v = umbra_digit_value(c);

        if (v >= 0)
            d[n++] = (char)('0' + v);
        else if (c == '+' && n == 0 && !plus)
            plus = 1;
        else if (!(c == ' ' || c == '.' || c == '(' || c == ')' || c == '/' ||
                   is_dash(c)))
            break;
    }
    d[n] = 0;
    if (i < t->n || n == 0) { /* a letter, or no digit: not a number */
        *flags |= UMBRA_IDENT_NOT_PHONE;
        put_folded(o, t, 0);
        return;
    }
    if (plus) {
        put_cp(o, '+');
        put_str(o, d);
        return;
    }
    if (n > 2 && d[0] == '0' && d[1] == '0') {
        put_cp(o, '+');
        put_str(o, d + 2);
        return;
    }
    k = calling_row(country);
    if (k < 0) {
        *flags |= UMBRA_IDENT_NO_COUNTRY;
        put_str(o, d);
        return;
    }
    trunk = calling[k].trunk;
    put_cp(o, '+');
    put_str(o, calling[k].code);
    if (trunk[0] != 0 && strncmp(d, trunk, strlen(trunk)) == 0 &&
        n > strlen(trunk) && (calling[k].len == 0 || calling[k].len == n))
        put_str(o, d + strlen(trunk));
    else
        put_str(o, d);
}

static void
plate(struct out *o, const struct text *t)
{
    size_t i;

    for (i = 0; i < t->n; i++) {
        uint32_t c = t->cp[i];
        int v = umbra_digit_value(c);

        if (c == ' ' || c == '.' || c == 0xB7 || c == 0x30FB || is_dash(c))
            continue;
        put_cp(o, v >= 0 ? (uint32_t)('0' + v) : to_upper(c));
    }
}

/* The entry of sites[] whose host is p[0..n), or -1. */
static int
site_of(const char *p, size_t n)
{
    size_t i;

    for (i = 0; i < sizeof sites / sizeof sites[0]; i++)
        if (strlen(sites[i].host) == n && strncmp(p, sites[i].host, n) == 0)
            return (int)i;
    return -1;
}

/* A profile address on a known site becomes its handle: scheme, "www."
 * and the like, query and fragment dropped, the first path segment kept
 * (after the site's fixed segment). An address elsewhere, written with
 * its scheme, keeps its host and path, without scheme, "www." and a
 * closing "/". Without a scheme, "www." and the like are dropped only
 * before a known site's path, so a handle such as "m.smith" is kept. */
static void
reduce_url(char *s)
{
    static const char *const schemes[] = {"https://", "http://"};
    static const char *const subs[] = {"www.", "m.", "mobile.", "web."};
    char *p = s, *q, *slash;
    size_t i;
    int url = 0, k;

    for (i = 0; i < 2; i++)
        if (strncmp(p, schemes[i], strlen(schemes[i])) == 0) {
            p += strlen(schemes[i]);
            url = 1;
        }
    for (i = 0; i < 4; i++) {
        const char *r = p + strlen(subs[i]);

        if (strncmp(p, subs[i], strlen(subs[i])) != 0)
            continue;
        slash = strchr(r, '/');
        if (url || (slash != NULL && site_of(r, (size_t)(slash - r)) >= 0))
            p += strlen(subs[i]);
        break;
    }
    slash = strchr(p, '/');
    k = slash != NULL ? site_of(p, (size_t)(slash - p)) : -1;
    if (k >= 0) {
        const char *seg = slash + 1;
        size_t sl;

        if (strncmp(seg, "profile.php?id=", 15) == 0)
            seg += 15; /* facebook's numbered profiles */
        else if (sites[k].skip != NULL &&
                 strncmp(seg, sites[k].skip, strlen(sites[k].skip)) == 0 &&
                 seg[strlen(sites[k].skip)] == '/')
            seg += strlen(sites[k].skip) + 1;
        else if (strncmp(seg, "u/", 2) == 0 &&
                 strcmp(sites[k].host, "reddit.com") == 0)
            seg += 2;
        while (*seg == '@')
            seg++;
        sl = strcspn(seg, "/?#&");
        if (sl > 0) {
            memmove(s, seg, sl);
            s[sl] = 0;
            return;
        }
    }
    if (!url)
        return;
    memmove(s, p, strlen(p) + 1);
    q = s + strlen(s);
    while (q > s && q[-1] == '/')
        *--q = 0;
}

/* Leading "@" and spaces, trailing spaces and profile addresses, until
 * none is left (each step only shortens s), so that a handle normalised
 * again stays the same. */
static void
tidy_handle(char *s)
{
    size_t n, lead;

    do {
        n = strlen(s);
        lead = strspn(s, "@ ");
        memmove(s, s + lead, n - lead + 1);
        n -= lead;
        while (n > 0 && s[n - 1] == ' ')
            s[--n] = 0;
        reduce_url(s);
    } while (strlen(s) != n);
}

static void
skeleton(struct out *o, const char *value)
{
    const uint8_t *s = (const uint8_t *)value;
    size_t i = 0, n = strlen(value), j;

    while (i < n) {
        uint32_t c;
        size_t k = umbra_utf8_decode(&c, s + i, n - i);

        if (k == 0)
            return;
        i += k;
        for (j = 0; j < sizeof lookalike / sizeof lookalike[0]; j++)
            if (lookalike[j].from == c) {
                c = (uint8_t)lookalike[j].to;
                break;
            }
        put_cp(o, c);
    }
}

int
umbra_ident_normalise(struct umbra_ident *out, const char *kind,
                      const char *value, size_t len, const char *country)
{
    struct text t;
    struct out o;
    int k, first = 0, rc;
    size_t i;

    if (out == NULL)
        return UMBRA_ERR_ARG;
    memset(out, 0, sizeof *out);
    out->kind = -1;
    if (kind == NULL || value == NULL)
        return UMBRA_ERR_ARG;
    k = umbra_report_code_index(umbra_report_id_kinds, UMBRA_REPORT_NID_KINDS,
                                kind);
    if (k < 0)
        return UMBRA_ERR_ARG;
    out->kind = k;
    rc = decode(&t, &out->flags, value, len);
    if (rc != 0) {
        out->flags = 0;
        return rc;
    }
    for (i = 0; i < t.n; i++) {
        int sc = script_of(t.cp[i]);

        if (sc != 0 && first != 0 && sc != first)
            out->flags |= UMBRA_IDENT_MIXED;
        if (sc != 0 && first == 0)
            first = sc;
    }
    o.s = out->value;
    o.len = 0;
    o.cap = sizeof out->value;
    out->value[0] = 0;
    if (strcmp(kind, "phone") == 0) {
        phone(&o, &out->flags, &t, country);
    } else if (strcmp(kind, "plate") == 0) {
        plate(&o, &t);
    } else if (strcmp(kind, "handle") == 0) {
        put_folded(&o, &t, 1);
        tidy_handle(out->value);
    } else {
        put_folded(&o, &t, 1);
    }
    o.s = out->skeleton;
    o.len = 0;
    o.cap = sizeof out->skeleton;
    out->skeleton[0] = 0;
    skeleton(&o, out->value);
    if (out->value[0] != 0)
        return 0;
    out->flags = 0; /* nothing left: refused, as invalid UTF-8 is */
    return UMBRA_ERR_FORMAT;
}
