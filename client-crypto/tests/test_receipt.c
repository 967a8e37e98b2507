/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * Unit tests for receipts and mailboxes (protocol section 5) and the small
 * shared encodings: the normalisation table (digits of many scripts,
 * separators), every refusal (letters, invalid UTF-8, over-long input, 23
 * or 25 digits, wrong check digit), receipt generation through the rng
 * seam, and mailbox derivation.
 */
#include "check.h"
#include "receipt.h"

/* Appends code point cp as UTF-8. */
static void
put_cp(char *out, size_t *len, uint32_t cp)
{
    if (cp < 0x80) {
        out[(*len)++] = (char)cp;
    } else if (cp < 0x800) {
        out[(*len)++] = (char)(0xC0 | (cp >> 6));
        out[(*len)++] = (char)(0x80 | (cp & 0x3F));
    } else {
        out[(*len)++] = (char)(0xE0 | (cp >> 12));
        out[(*len)++] = (char)(0x80 | ((cp >> 6) & 0x3F));
        out[(*len)++] = (char)(0x80 | (cp & 0x3F));
    }
}

/* The 24 digits in a script (zero = its zero code point), grouped by sep
 * every four digits (sep 0: no separator). */
static size_t
spell(char *out, const char *digits, uint32_t zero, uint32_t sep)
{
    size_t len = 0;
    unsigned i;

    for (i = 0; i < 24; i++) {
        if (i > 0 && i % 4 == 0 && sep != 0)
            put_cp(out, &len, sep);
        put_cp(out, &len, zero + (uint32_t)(digits[i] - '0'));
    }
    return len;
}

static const char valid[] = "482109375562104877309165"; /* fixed below */
static char digits[25];

static void
test_damm(void)
{
    CHECK(umbra_damm("572", 3) == 4, "Damm check digit of 572 is 4");
    CHECK(umbra_damm("5724", 4) == 0, "572 4 is valid");
    memcpy(digits, valid, 23);
    digits[23] = (char)('0' + umbra_damm(digits, 23));
    digits[24] = '\0';
    CHECK(umbra_damm(digits, 24) == 0, "a whole receipt checks to 0");
}

static void
test_normalise_table(void)
{
    static const struct {
        uint32_t zero, sep;
        const char *what;
    } scripts[] = {
        {'0', ' ', "ASCII, spaces"},
        {'0', 0, "ASCII, no separator"},
        {'0', '-', "ASCII, dashes"},
        {'0', '\t', "ASCII, tabs"},
        {'0', '.', "ASCII, dots"},
        {0x0660, ' ', "Arabic-Indic"},
        {0x06F0, 0x00A0, "Persian, no-break spaces"},
        {0x0966, '-', "Devanagari, hyphen-minus"},
        {0x09E6, 0x2010, "Bengali, hyphen"},
        {0x0E50, 0x2013, "Thai, en dash"},
        {0x0ED0, 0x2014, "Lao, em dash"},
        {0x1040, 0x202F, "Myanmar, narrow no-break space"},
        {0x17E0, 0x2007, "Khmer, figure space"},
        {0xFF10, 0x3000, "full-width, ideographic space"},
        {0xFF10, 0xFF0D, "full-width, full-width hyphen"},
        {'0', 0x2212, "ASCII, minus sign"},
        {'0', 0x2015, "ASCII, horizontal bar"},
    };
    char in[300], out[25];
    size_t i, len;
    int rc;

    for (i = 0; i < sizeof(scripts) / sizeof(scripts[0]); i++) {
        len = spell(in, digits, scripts[i].zero, scripts[i].sep);
        rc = umbra_receipt_normalise(out, in, len);
        CHECK(rc == 0 && strcmp(out, digits) == 0, "%s: %s", scripts[i].what,
              umbra_strerror(rc));
    }
    /* Mixed scripts, digit by digit. */
    len = 0;
    for (i = 0; i < 24; i++)
        put_cp(in, &len, scripts[i % 14].zero + (uint32_t)(digits[i] - '0'));
    rc = umbra_receipt_normalise(out, in, len);
    CHECK(rc == 0 && strcmp(out, digits) == 0, "mixed scripts");
    /* Exactly 256 bytes: digits then spaces. */
    memset(in, ' ', 256);
    memcpy(in, digits, 24);
    CHECK(umbra_receipt_normalise(out, in, 256) == 0, "256 bytes accepted");
}

static void
test_refusals(void)
{
    char in[400], out[25];
    size_t len;
    static const struct {
        const char *in;
        int want;
        const char *what;
    } t[] = {
        {"", UMBRA_ERR_FORMAT, "empty"},
        {"4821 0937 5562 1048 7730 916", UMBRA_ERR_FORMAT, "23 digits"},
        {"4821 0937 5562 1048 7730 91650", UMBRA_ERR_FORMAT, "25 digits"},
        {"4821 O937 5562 1048 7730 9165", UMBRA_ERR_FORMAT, "letter O"},
        {"4821,0937,5562,1048,7730,9165", UMBRA_ERR_FORMAT, "commas"},
        {"4821 0937 5562 1048 7730 916\xc3", UMBRA_ERR_FORMAT,
         "truncated UTF-8"},
        {"4821 0937 5562 1048 7730 916\xc0\xb5", UMBRA_ERR_FORMAT,
         "overlong '5'"},
        {"4821 0937 5562 1048 7730 916\xed\xa0\x80", UMBRA_ERR_FORMAT,
         "surrogate"},
        {"4821 0937 5562 1048 7730 916\xf5\x80\x80\x80", UMBRA_ERR_FORMAT,
         "above U+10FFFF"},
        {"4821 0937 5562 1048 7730 916\x80", UMBRA_ERR_FORMAT,
         "stray continuation byte"},
        {"4821 0937 5562 1048 7730 916\xc2\xb2", UMBRA_ERR_FORMAT,
         "superscript two"},
        {"\xef\xbc\x91\xef\xbc\xa1", UMBRA_ERR_FORMAT, "full-width letter"},
    };
    size_t i;

    for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
        int rc = umbra_receipt_normalise(out, t[i].in, strlen(t[i].in));
        CHECK(rc == t[i].want, "%s: got '%s'", t[i].what, umbra_strerror(rc));
    }
    /* An embedded NUL is not a separator. */
    memcpy(in, digits, 24);
    in[24] = '\0';
    CHECK(umbra_receipt_normalise(out, in, 25) == UMBRA_ERR_FORMAT, "NUL byte");
    /* 257 bytes is refused before anything else, even if valid. */
    memset(in, ' ', 257);
    memcpy(in, digits, 24);
    CHECK(umbra_receipt_normalise(out, in, 257) == UMBRA_ERR_TOO_LONG,
          "257 bytes");
    memset(in, 0xff, 300);
    CHECK(umbra_receipt_normalise(out, in, 300) == UMBRA_ERR_TOO_LONG,
          "300 bytes of garbage: too long, not format");
    /* Wrong check digit; adjacent transposition. */
    memcpy(in, digits, 24);
    in[23] = (char)('0' + (in[23] - '0' + 1) % 10);
    CHECK(umbra_receipt_normalise(out, in, 24) == UMBRA_ERR_CHECKSUM,
          "last digit changed");
    memcpy(in, digits, 24);
    len = 0;
    while (len < 23 && in[len] == in[len + 1])
        len++;
    in[len] = digits[len + 1];
    in[len + 1] = digits[len];
    CHECK(umbra_receipt_normalise(out, in, 24) == UMBRA_ERR_CHECKSUM,
          "two adjacent digits swapped");
    CHECK(out[0] == '\0', "no output on refusal");
}

struct bytes {
    const uint8_t *b;
    size_t n, pos;
};

static void
bytes_fill(void *ctx, void *buf, size_t len)
{
    struct bytes *s = ctx;
    uint8_t *o = buf;
    size_t i;

    for (i = 0; i < len; i++)
        o[i] = s->b[s->pos++ % s->n];
}

static void
test_receipt_new(void)
{
    char r[30], r2[30], out[25];
    /* 250..255 are rejected for u = 10; 9 -> 9, 13 -> 3, 249 -> 9. */
    static const uint8_t stream[] = {250, 255, 9,  13, 249, 0,  1,  2,  3,
                                     4,   5,   6,  7,  8,   9,  10, 11, 12,
                                     13,  14,  15, 16, 17,  18, 19, 20};
    struct bytes s = {stream, sizeof(stream), 0};

    umbra_test_set_rng(bytes_fill, &s);
    umbra_receipt_new(r);
    umbra_test_set_rng(NULL, NULL);
    CHECK(strncmp(r, "9390 1234 5678 9012 3456 7", 26) == 0,
          "digits follow the rng seam with rejection: %s", r);
    CHECK(strlen(r) == 29 && umbra_receipt_normalise(out, r, 29) == 0,
          "generated receipt is valid");
    umbra_receipt_new(r);
    umbra_receipt_new(r2);
    CHECK(strcmp(r, r2) != 0 && umbra_receipt_normalise(out, r, 29) == 0 &&
              r[4] == ' ' && r[24] == ' ',
          "two real receipts differ and are valid");
}

static void
test_mailbox(void)
{
    struct umbra_mailbox *a = umbra_secret_alloc(sizeof(*a));
    struct umbra_mailbox *b = umbra_secret_alloc(sizeof(*b));
    uint8_t pk[32], id[32];
    char other[25];

    if (a == NULL || b == NULL)
        abort();
    CHECK(umbra_mailbox_derive(a, digits) == 0, "derive");
    CHECK(umbra_mailbox_derive(b, digits) == 0 && memcmp(a, b, sizeof(*a)) == 0,
          "derivation is deterministic");
    crypto_scalarmult_base(pk, a->sk);
    umbra_mailbox_id(id, a->lookup_id);
    CHECK(memcmp(pk, a->pk, 32) == 0, "pk matches sk");
    CHECK(memcmp(id, a->mailbox_id, 32) == 0, "mailbox_id from lookup_id");
    memcpy(other, digits, 25);
    other[0] = other[0] == '1' ? '2' : '1';
    CHECK(umbra_mailbox_derive(b, other) == 0 &&
              memcmp(a->pk, b->pk, 32) != 0 &&
              memcmp(a->lookup_id, b->lookup_id, 32) != 0,
          "another receipt, another mailbox");
    other[3] = 'x';
    CHECK(umbra_mailbox_derive(b, other) == UMBRA_ERR_FORMAT,
          "non-digit refused");
    umbra_secret_free(a);
    umbra_secret_free(b);
}

/* The one UTF-8 decoder every component uses: a table of sequences. */
static void
test_utf8(void)
{
    static const struct {
        const char *bytes;
        size_t n;
        size_t len;  /* expected length, 0 = refused */
        uint32_t cp; /* expected code point */
    } t[] = {
        {"A", 1, 1, 0x41},
        {"\xc2\x80", 2, 2, 0x80},
        {"\xd9\xa0", 2, 2, 0x660},          /* Arabic-Indic zero */
        {"\xe0\xb9\x90", 3, 3, 0xe50},      /* Thai zero */
        {"\xef\xbc\x90", 3, 3, 0xff10},     /* full-width zero */
        {"\xf0\x9f\x98\x80", 4, 4, 0x1f600},
        {"\xf4\x8f\xbf\xbf", 4, 4, 0x10ffff},
        {"\x80", 1, 0, 0},                  /* stray continuation */
        {"\xc0\x80", 2, 0, 0},              /* overlong NUL */
        {"\xc1\xbf", 2, 0, 0},              /* overlong */
        {"\xe0\x80\x80", 3, 0, 0},          /* overlong */
        {"\xf0\x8f\xbf\xbf", 4, 0, 0},      /* overlong */
        {"\xed\xa0\x80", 3, 0, 0},          /* surrogate */
        {"\xf4\x90\x80\x80", 4, 0, 0},      /* above U+10FFFF */
        {"\xf5\x80\x80\x80", 4, 0, 0},
        {"\xff", 1, 0, 0},
        {"\xe0\xb9", 2, 0, 0},              /* truncated */
        {"\xe0\x41\x90", 3, 0, 0},          /* bad continuation */
    };
    size_t i;

    for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
        uint32_t cp = 0xdeadbeef;
        size_t k = umbra_utf8_decode(&cp, (const uint8_t *)t[i].bytes, t[i].n);
        CHECK(k == t[i].len && (k == 0 || cp == t[i].cp),
              "utf8 case %zu: length %zu, code point %x", i, k, (unsigned)cp);
    }
    CHECK(umbra_utf8_decode(NULL, (const uint8_t *)"", 0) == 0, "empty");
    CHECK(umbra_utf8_valid((const uint8_t *)"Th\xe0\xb8\x81 ok", 8), "valid");
    CHECK(!umbra_utf8_valid((const uint8_t *)"a\0b", 3), "NUL refused");
    CHECK(!umbra_utf8_valid((const uint8_t *)"ab\xe0\xb8", 4),
          "truncated at the end refused");
    CHECK(umbra_utf8_valid((const uint8_t *)"", 0), "empty is valid");
}

/* The bracket-depth scan run before any JSON parser sees hostile input. */
static void
test_json_depth(void)
{
    static const struct {
        const char *json;
        unsigned max;
        int ok;
    } t[] = {
        {"{}", 1, 1},
        {"[[[]]]", 3, 1},
        {"[[[]]]", 2, 0},
        {"{\"a\":[{\"b\":1}]}", 3, 1},
        {"{\"a\":[{\"b\":1}]}", 2, 0},
        {"\"[[[[[[\"", 0, 1},            /* brackets in a string */
        {"[\"\\\"[[[[\"]", 1, 1},         /* an escaped quote stays inside */
        {"]]]][[", 2, 1},                 /* stray closers do not go negative */
        {"]]]][[[", 2, 0},
    };
    size_t i;
    uint8_t *deep;

    for (i = 0; i < sizeof(t) / sizeof(t[0]); i++)
        CHECK(umbra_json_depth_ok((const uint8_t *)t[i].json,
                                  strlen(t[i].json), t[i].max) == t[i].ok,
              "json depth case %zu", i);
    deep = malloc(200000);
    CHECK(deep != NULL, "alloc");
    if (deep != NULL) {
        memset(deep, '[', 100000);
        memset(deep + 100000, ']', 100000);
        CHECK(!umbra_json_depth_ok(deep, 200000, 16), "100,000 deep refused");
        free(deep);
    }
}

static void
test_encodings(void)
{
    uint8_t bin[4] = {0x00, 0xab, 0x7f, 0xff}, back[4];
    char hex[9], today[11];
    int i;

    umbra_hex(hex, bin, 4);
    CHECK(strcmp(hex, "00ab7fff") == 0, "hex is lowercase");
    CHECK(umbra_unhex(back, 4, hex, 8) == 0 && memcmp(back, bin, 4) == 0,
          "unhex round trip");
    CHECK(umbra_unhex(back, 4, "00ab7ff", 7) == UMBRA_ERR_FORMAT, "odd length");
    CHECK(umbra_unhex(back, 4, "00ab7fgf", 8) == UMBRA_ERR_FORMAT, "bad char");
    umbra_today(today);
    CHECK(strlen(today) == 10 && today[4] == '-' && today[7] == '-',
          "today is YYYY-MM-DD");
    for (i = 0; i >= -15; i--)
        CHECK(umbra_strerror(i) != NULL && umbra_strerror(i)[0] != '\0',
              "strerror(%d)", i);
    CHECK(strcmp(umbra_strerror(-99), "unknown error") == 0, "unknown code");
}

/* umbra_parse_u64, table-driven: whole decimal numbers in a range only;
 * umbra_digits_value: a fixed-width field of digits. */
static void
test_parse_u64(void)
{
    static const struct {
        const char *s;
        uint64_t min, max;
        int ok;
        uint64_t want;
    } cases[] = {
        /* in range, at both ends, with leading zeros */
        {"0", 0, 10, 1, 0}, {"10", 0, 10, 1, 10}, {"11", 0, 10, 0, 0},
        {"0", 1, 10, 0, 0}, {"007", 0, 10, 1, 7},
        /* overflow */
        {"18446744073709551615", 0, UINT64_MAX, 1, UINT64_MAX},
        {"18446744073709551616", 0, UINT64_MAX, 0, 0},
        {"99999999999999999999999", 0, UINT64_MAX, 0, 0},
        {"9223372036854775808", 0, INT64_MAX, 0, 0},
        /* sign, spaces, empty, trailing junk, other notations */
        {"-1", 0, UINT64_MAX, 0, 0}, {"+1", 0, UINT64_MAX, 0, 0},
        {" 1", 0, UINT64_MAX, 0, 0}, {"1 ", 0, UINT64_MAX, 0, 0},
        {"\t1", 0, UINT64_MAX, 0, 0}, {"", 0, UINT64_MAX, 0, 0},
        {"1x", 0, UINT64_MAX, 0, 0}, {"0x10", 0, UINT64_MAX, 0, 0},
        {"1e3", 0, UINT64_MAX, 0, 0}, {"1.0", 0, UINT64_MAX, 0, 0},
    };
    size_t i;

    for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        uint64_t v = 12345;
        int r = umbra_parse_u64(&v, cases[i].s, cases[i].min, cases[i].max);

        CHECK(cases[i].ok ? r == 0 && v == cases[i].want
                          : r == UMBRA_ERR_FORMAT && v == 12345,
              "parse_u64 '%s' in [%llu, %llu]: %d", cases[i].s,
              (unsigned long long)cases[i].min,
              (unsigned long long)cases[i].max, r);
    }
    {
        uint64_t v = 1;

        CHECK(umbra_parse_u64(&v, NULL, 0, 1) == UMBRA_ERR_FORMAT && v == 1,
              "parse_u64 NULL");
    }
    /* umbra_digits_value, the date rule's reader of a fixed-width field:
     * each (string, width) and the value, or -1 for any byte not a digit */
    CHECK(umbra_digits_value("2026", 4) == 2026, "digits 2026");
    CHECK(umbra_digits_value("0007", 4) == 7, "digits 0007");
    CHECK(umbra_digits_value("12x", 2) == 12, "only the n bytes are read");
    CHECK(umbra_digits_value("", 0) == 0, "no digits");
    CHECK(umbra_digits_value("999999999", 9) == 999999999, "nine digits");
    CHECK(umbra_digits_value("1a", 2) == -1, "a letter");
    CHECK(umbra_digits_value("-1", 2) == -1, "a sign");
    CHECK(umbra_digits_value(" 1", 2) == -1, "a space");
    CHECK(umbra_digits_value("1/", 2) == -1, "'/', below '0'");
    CHECK(umbra_digits_value("1:", 2) == -1, "':', above '9'");
}

CHECK_MAIN(test_damm, test_normalise_table, test_refusals, test_receipt_new,
           test_mailbox, test_encodings, test_utf8, test_json_depth,
           test_parse_u64)
