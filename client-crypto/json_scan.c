/* SPDX-License-Identifier: AGPL-3.0-or-later */
/* json_scan: strict one-pass JSON checking and tokens (see json_scan.h). */
#include "json_scan.h"
#include "umbra.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

struct parser {
    struct js_doc *d;
    const uint8_t *s;
    size_t len, i;
    char *err;
    size_t errcap;
    int oom;
};

static int
fail(struct parser *p, const char *msg)
{
    if (p->err != NULL && p->err[0] == 0)
        snprintf(p->err, p->errcap, "%s at byte %zu", msg, p->i);
    return 1;
}

static void
skip_ws(struct parser *p)
{
    while (p->i < p->len) {
        uint8_t c = p->s[p->i];

        if (c != ' ' && c != '\t' && c != '\n' && c != '\r')
            break;
        p->i++;
    }
}

/* A new token; -1 when out of memory or over the cap (error set). */
static long
new_tok(struct parser *p, uint8_t type)
{
    struct js_doc *d = p->d;
    struct js_tok *t;

    if (d->n >= d->max_tokens) {
        fail(p, "more JSON values than allowed");
        return -1;
    }
    if (d->n == d->cap) {
        uint32_t nc = d->cap ? d->cap * 2 : 64;

        if (nc > d->max_tokens)
            nc = d->max_tokens;
        t = realloc(d->t, (size_t)nc * sizeof *t);
        if (t == NULL) {
            p->oom = 1;
            return -1;
        }
        d->t = t;
        d->cap = nc;
    }
    t = &d->t[d->n];
    memset(t, 0, sizeof *t);
    t->type = type;
    return (long)d->n++;
}

static int
hex4(const uint8_t *s, uint32_t *out)
{
    uint32_t v = 0;
    int k;

    for (k = 0; k < 4; k++) {
        uint8_t c = s[k];

        v <<= 4;
        if (c >= '0' && c <= '9')
            v |= (uint32_t)(c - '0');
        else if (c >= 'a' && c <= 'f')
            v |= (uint32_t)(c - 'a' + 10);
        else if (c >= 'A' && c <= 'F')
            v |= (uint32_t)(c - 'A' + 10);
        else
            return -1;
    }
    *out = v;
    return 0;
}

/*
 * 1 if any of the 8 bytes of w may end a plain run of string text: a
 * control character (< 0x20), a byte of a multi-byte sequence (>= 0x80),
 * a quote or a backslash. Exact for "none of them" (the classic SWAR
 * has-less-than and has-zero-byte tests); the byte loop decides the rest.
 */
static int
may_stop8(uint64_t w)
{
    const uint64_t ones = 0x0101010101010101u, highs = 0x8080808080808080u;
    uint64_t q = w ^ (ones * '"'), b = w ^ (ones * '\\');

    return ((w & highs) | ((w - ones * 0x20) & ~w & highs) |
            ((q - ones) & ~q & highs) | ((b - ones) & ~b & highs)) != 0;
}

/* p->i at the opening quote. */
static int
parse_string(struct parser *p)
{
    const uint8_t *s = p->s;
    long tok = new_tok(p, JS_STR);
    size_t start;
    int escaped = 0;

    if (tok < 0)
        return 1;
    start = ++p->i;
    for (;;) {
        uint8_t c;

        /* eight plain bytes at a time, then byte by byte */
        while (p->len - p->i >= 8) {
            uint64_t w;

            memcpy(&w, s + p->i, 8);
            if (may_stop8(w))
                break;
            p->i += 8;
        }
        while (p->i < p->len) {
            c = s[p->i];
            if (c < 0x20 || c >= 0x80 || c == '"' || c == '\\')
                break;
            p->i++;
        }
        if (p->i >= p->len)
            return fail(p, "unterminated string");
        c = s[p->i];
        if (c == '"') {
            struct js_tok *t = &p->d->t[tok];

            t->start = (uint32_t)start;
            t->len = (uint32_t)(p->i - start);
            t->escaped = (uint8_t)escaped;
            p->i++;
            t->next = p->d->n;
            return 0;
        }
        if (c < 0x20)
            return fail(p, "control character in a string");
        if (c >= 0x80) {
            uint32_t cp;
            size_t k = umbra_utf8_decode(&cp, s + p->i, p->len - p->i);

            if (k == 0)
                return fail(p, "not valid UTF-8");
            p->i += k;
            continue;
        }
        /* backslash */
        escaped = 1;
        if (p->i + 1 >= p->len)
            return fail(p, "unterminated string");
        switch (s[p->i + 1]) {
        case '"':
        case '\\':
        case '/':
        case 'b':
        case 'f':
        case 'n':
        case 'r':
        case 't':
            p->i += 2;
            break;
        case 'u': {
            uint32_t cp, lo;

            if (p->len - p->i < 6 || hex4(s + p->i + 2, &cp) != 0)
                return fail(p, "bad \\u escape");
            if (cp == 0)
                return fail(p, "\\u0000 in a string");
            if (cp >= 0xdc00 && cp <= 0xdfff)
                return fail(p, "lone low surrogate");
            if (cp >= 0xd800 && cp <= 0xdbff) {
                if (p->len - p->i < 12 || s[p->i + 6] != '\\' ||
                    s[p->i + 7] != 'u' || hex4(s + p->i + 8, &lo) != 0 ||
                    lo < 0xdc00 || lo > 0xdfff)
                    return fail(p, "lone high surrogate");
                p->i += 6;
            }
            p->i += 6;
            break;
        }
        default:
            return fail(p, "bad escape");
        }
    }
}

static int
is_digit(uint8_t c)
{
    return c >= '0' && c <= '9';
}

/* One or more digits (a fraction's or an exponent's), else an error. */
static int
digits(struct parser *p)
{
    if (p->i >= p->len || !is_digit(p->s[p->i]))
        return fail(p, "bad number");
    while (p->i < p->len && is_digit(p->s[p->i]))
        p->i++;
    return 0;
}

static int
parse_number(struct parser *p)
{
    const uint8_t *s = p->s;
    size_t st = p->i, n;
    char buf[402];
    int real = 0;
    long tok;

    if (s[p->i] == '-')
        p->i++;
    if (p->i >= p->len)
        return fail(p, "bad number");
    if (s[p->i] == '0') {
        p->i++;
    } else if (s[p->i] >= '1' && s[p->i] <= '9') {
        while (p->i < p->len && is_digit(s[p->i]))
            p->i++;
    } else {
        return fail(p, "bad number");
    }
    if (p->i < p->len && s[p->i] == '.') {
        p->i++;
        if (digits(p) != 0)
            return 1;
        real = 1;
    }
    if (p->i < p->len && (s[p->i] == 'e' || s[p->i] == 'E')) {
        p->i++;
        if (p->i < p->len && (s[p->i] == '+' || s[p->i] == '-'))
            p->i++;
        if (digits(p) != 0)
            return 1;
        real = 1;
    }
    n = p->i - st;
    if (n > 400)
        return fail(p, "number too long");
    memcpy(buf, s + st, n);
    buf[n] = 0;
    errno = 0;
    if (!real) {
        (void)strtoll(buf, NULL, 10);
        if (errno == ERANGE)
            return fail(p, "integer too big");
    } else {
        double v = strtod(buf, NULL);

        if (errno == ERANGE && (v > 1e308 || v < -1e308))
            return fail(p, "number too big");
    }
    tok = new_tok(p, JS_NUM);
    if (tok < 0)
        return 1;
    p->d->t[tok].next = p->d->n;
    return 0;
}

static int
parse_literal(struct parser *p)
{
    static const struct {
        const char *word;
        uint8_t type;
    } lits[] = {{"true", JS_TRUE}, {"false", JS_FALSE}, {"null", JS_NULL}};
    size_t k;

    for (k = 0; k < 3; k++) {
        size_t wl = strlen(lits[k].word);

        if (p->len - p->i >= wl && memcmp(p->s + p->i, lits[k].word, wl) == 0) {
            long tok = new_tok(p, lits[k].type);

            if (tok < 0)
                return 1;
            p->i += wl;
            p->d->t[tok].next = p->d->n;
            return 0;
        }
    }
    return fail(p, "unexpected character");
}

/* Unescapes string token t into out (cap >= 1); returns the full length. */
static size_t
unescape(const struct js_doc *d, const struct js_tok *t, char *out, size_t cap)
{
    const uint8_t *s = d->src + t->start;
    size_t i = 0, n = 0, full = 0;
    int stop = 0;

    while (i < t->len) {
        uint8_t enc[4];
        size_t k = 0;

        if (s[i] != '\\') {
            /* a whole character (the scan checked it is valid UTF-8) */
            k = s[i] < 0xc0 ? 1 : s[i] < 0xe0 ? 2 : s[i] < 0xf0 ? 3 : 4;
            memcpy(enc, s + i, k);
            i += k;
        } else {
            uint8_t e = s[i + 1];

            i += 2;
            if (e == 'u') {
                uint32_t cp = 0, lo = 0;

                (void)hex4(s + i, &cp);
                i += 4;
                if (cp >= 0xd800 && cp <= 0xdbff) {
                    (void)hex4(s + i + 2, &lo);
                    i += 6;
                    cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
                }
                if (cp < 0x80) {
                    enc[k++] = (uint8_t)cp;
                } else if (cp < 0x800) {
                    enc[k++] = (uint8_t)(0xc0 | (cp >> 6));
                    enc[k++] = (uint8_t)(0x80 | (cp & 0x3f));
                } else if (cp < 0x10000) {
                    enc[k++] = (uint8_t)(0xe0 | (cp >> 12));
                    enc[k++] = (uint8_t)(0x80 | ((cp >> 6) & 0x3f));
                    enc[k++] = (uint8_t)(0x80 | (cp & 0x3f));
                } else {
                    enc[k++] = (uint8_t)(0xf0 | (cp >> 18));
                    enc[k++] = (uint8_t)(0x80 | ((cp >> 12) & 0x3f));
                    enc[k++] = (uint8_t)(0x80 | ((cp >> 6) & 0x3f));
                    enc[k++] = (uint8_t)(0x80 | (cp & 0x3f));
                }
            } else {
                enc[k++] = e == 'b'   ? '\b'
                           : e == 'f' ? '\f'
                           : e == 'n' ? '\n'
                           : e == 'r' ? '\r'
                           : e == 't' ? '\t'
                                      : e;
            }
        }
        /* whole characters only, so a cut is on a UTF-8 boundary */
        if (!stop && n + k < cap) {
            memcpy(out + n, enc, k);
            n += k;
        } else {
            stop = 1;
        }
        full += k;
    }
    out[n] = 0;
    return full;
}

/* Duplicate keys of object obj: SipHash of each key in a 2048-slot table
 * (keyed at random per process, so collisions cannot be forced). */
static uint8_t hkey[crypto_shorthash_KEYBYTES];
static pthread_once_t hkey_once = PTHREAD_ONCE_INIT;

static void
hkey_init(void)
{
    randombytes_buf(hkey, sizeof hkey);
}

static int
check_duplicates(struct parser *p, uint32_t obj)
{
    uint32_t slots[2 * JS_MAX_MEMBERS];
    uint64_t hashes[2 * JS_MAX_MEMBERS];
    const struct js_doc *d = p->d;
    uint32_t j = obj + 1, m, tsize = 16;
    char a[JS_MAX_KEY + 1], b[JS_MAX_KEY + 1];

    if (d->t[obj].size < 2)
        return 0;
    (void)pthread_once(&hkey_once, hkey_init);
    while (tsize < 2 * d->t[obj].size)
        tsize *= 2; /* at most 2 * JS_MAX_MEMBERS */
    memset(slots, 0, tsize * sizeof slots[0]);
    memset(hashes, 0, tsize * sizeof hashes[0]);
    for (m = 0; m < d->t[obj].size; m++) {
        const struct js_tok *k = &d->t[j];
        const uint8_t *kb = d->src + k->start;
        size_t kl = k->len;
        uint64_t h;
        uint8_t hb[8];
        uint32_t slot;

        if (k->escaped) {
            kl = unescape(d, k, a, sizeof a);
            kb = (const uint8_t *)a;
        }
        crypto_shorthash(hb, kb, kl, hkey);
        memcpy(&h, hb, 8);
        slot = (uint32_t)(h & (tsize - 1));
        while (slots[slot] != 0) {
            const struct js_tok *o = &d->t[slots[slot] - 1];

            if (hashes[slot] == h) {
                const uint8_t *ob = d->src + o->start;
                size_t ol = o->len;

                if (o->escaped) {
                    ol = unescape(d, o, b, sizeof b);
                    ob = (const uint8_t *)b;
                }
                if (ol == kl && memcmp(ob, kb, kl) == 0)
                    return fail(p, "duplicate key");
            }
            slot = (slot + 1) & (tsize - 1);
        }
        slots[slot] = j + 1;
        hashes[slot] = h;
        j = d->t[j + 1].next;
    }
    return 0;
}

static int parse_value(struct parser *p, int depth);

/*
 * p->i at '{' or '[': a new token of type, past the bracket. -2 when the
 * container is empty (close consumed, token finished), -1 on an error.
 */
static long
open_container(struct parser *p, uint8_t type, uint8_t close)
{
    long tok = new_tok(p, type);

    if (tok < 0)
        return -1;
    p->i++;
    skip_ws(p);
    if (p->i < p->len && p->s[p->i] == close) {
        p->i++;
        p->d->t[tok].next = p->d->n;
        return -2;
    }
    return tok;
}

/* After a member or an element: 0 past a ',' (another follows), 1 past
 * close (the container ends), -1 on anything else (error set). */
static int
after_item(struct parser *p, uint8_t close, const char *msg)
{
    skip_ws(p);
    if (p->i < p->len && p->s[p->i] == ',') {
        p->i++;
        return 0;
    }
    if (p->i < p->len && p->s[p->i] == close) {
        p->i++;
        return 1;
    }
    fail(p, msg);
    return -1;
}

/* p->i at a member's key: the key, its cap and the ':' after it. */
static int
parse_key(struct parser *p, uint32_t members)
{
    uint32_t key;

    skip_ws(p);
    if (p->i >= p->len || p->s[p->i] != '"')
        return fail(p, "expected a key");
    if (members > JS_MAX_MEMBERS)
        return fail(p, "an object with too many members");
    key = p->d->n;
    if (parse_string(p) != 0)
        return 1;
    if (p->d->t[key].len > JS_MAX_KEY)
        return fail(p, "key too long");
    skip_ws(p);
    if (p->i >= p->len || p->s[p->i] != ':')
        return fail(p, "expected ':'");
    p->i++;
    return 0;
}

/* An object (type JS_OBJ, p->i at '{') or an array (JS_ARR, at '['). */
static int
parse_container(struct parser *p, int depth, uint8_t type)
{
    int obj = type == JS_OBJ;
    long tok = open_container(p, type, obj ? '}' : ']');
    uint32_t items = 0;
    int r;

    if (tok < 0)
        return tok == -2 ? 0 : 1;
    do {
        items++;
        if ((obj && parse_key(p, items) != 0) || parse_value(p, depth) != 0)
            return 1;
        r = after_item(p, obj ? '}' : ']',
                       obj ? "expected ',' or '}'" : "expected ',' or ']'");
        if (r < 0)
            return 1;
    } while (r == 0);
    p->d->t[tok].size = items;
    p->d->t[tok].next = p->d->n;
    return obj ? check_duplicates(p, (uint32_t)tok) : 0;
}

static int
parse_value(struct parser *p, int depth)
{
    uint8_t c;

    skip_ws(p);
    if (p->i >= p->len)
        return fail(p, "unexpected end");
    c = p->s[p->i];
    if (c == '{' || c == '[') {
        if (depth + 1 > p->d->max_depth)
            return fail(p, "nested too deep");
        return parse_container(p, depth + 1, c == '{' ? JS_OBJ : JS_ARR);
    }
    if (c == '"')
        return parse_string(p);
    if (c == '-' || is_digit(c))
        return parse_number(p);
    return parse_literal(p);
}

int
js_parse(struct js_doc *d, const uint8_t *s, size_t len, int max_depth,
         uint32_t max_tokens, char *err, size_t errcap)
{
    struct parser p;
    int r;

    memset(d, 0, sizeof *d);
    d->src = s;
    d->len = len;
    d->max_depth = max_depth;
    d->max_tokens = max_tokens;
    if (err != NULL && errcap > 0)
        err[0] = 0;
    memset(&p, 0, sizeof p);
    p.d = d;
    p.s = s;
    p.len = len;
    p.err = err;
    p.errcap = errcap;
    if (len >= UINT32_MAX)
        return fail(&p, "document too large");
    r = parse_value(&p, 0);
    if (p.oom)
        return -1;
    if (r != 0)
        return 1;
    skip_ws(&p);
    if (p.i != len)
        return fail(&p, "text after the JSON value");
    return 0;
}

void
js_free(struct js_doc *d)
{
    free(d->t);
    d->t = NULL;
    d->n = d->cap = 0;
}

int
js_get(const struct js_doc *d, int obj, const char *key)
{
    size_t kl = strlen(key);
    uint32_t j, m;
    char buf[JS_MAX_KEY + 1];

    if (obj < 0 || (uint32_t)obj >= d->n || d->t[obj].type != JS_OBJ)
        return -1;
    j = (uint32_t)obj + 1;
    for (m = 0; m < d->t[obj].size; m++) {
        const struct js_tok *k = &d->t[j];

        if (k->escaped) {
            size_t n = unescape(d, k, buf, sizeof buf);

            if (n == kl && memcmp(buf, key, kl) == 0)
                return (int)j + 1;
        } else if (k->len == kl && memcmp(d->src + k->start, key, kl) == 0) {
            return (int)j + 1;
        }
        j = d->t[j + 1].next;
    }
    return -1;
}

int
js_str(const struct js_doc *d, int i, char *out, size_t cap, size_t *full)
{
    const struct js_tok *t;
    size_t n;

    if (i < 0 || (uint32_t)i >= d->n || d->t[i].type != JS_STR || cap == 0)
        return -1;
    t = &d->t[i];
    if (!t->escaped) {
        n = t->len < cap - 1 ? t->len : cap - 1;
        while (n < t->len && n > 0 &&
               ((d->src[t->start + n]) & 0xc0) == 0x80)
            n--;
        memcpy(out, d->src + t->start, n);
        out[n] = 0;
        if (full != NULL)
            *full = t->len;
        return 0;
    }
    n = unescape(d, t, out, cap);
    if (full != NULL)
        *full = n;
    return 0;
}
