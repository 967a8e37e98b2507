/* SPDX-License-Identifier: AGPL-3.0-or-later */
/* vec_ident: identifiers.json (see vec_ident.h). */
#include "vec_ident.h"

#include "ident.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct {
    const char *kind, *country, *in;
} cases[] = {
    /* one Thai number typed three ways (the links test) */
    {"phone", "TH", "081-234-5678"},
    {"phone", "TH", "+66 81 234 5678"},
    {"phone", "TH",
     "\xe0\xb9\x90\xe0\xb9\x98\xe0\xb9\x91 \xe0\xb9\x92\xe0"
     "\xb9\x93\xe0\xb9\x94 \xe0\xb9\x95\xe0\xb9\x96\xe0\xb9"
     "\x97\xe0\xb9\x98"},
    {"phone", "", "0066 81 234 5678"},
    {"phone", "GB", "\xef\xbc\x8b\xef\xbc\x94\xef\xbc\x94 7700 900123"},
    {"phone", "GB", "07700 900123"},
    {"phone", "IT", "06 1234 5678"},
    {"phone", "RU", "8 912 345-67-89"},
    {"phone", "US", "1 (202) 555-0143"},
    {"phone", "HU", "06 30 123 4567"},
    {"phone", "EG", "\xd9\xa0\xd9\xa1\xd9\xa0\xd9\xa0 123 4567"},
    {"phone", "", "081 234 5678"},
    {"phone", "TH", "081 CALL ME"},
    {"phone", "TH", "o81 234 5678"},
    {"plate", "", "ab-123 cd"},
    {"plate", "",
     "\xef\xbd\x81\xef\xbd\x82\xe3\x80\x80\xef\xbc\x91\xef\xbc"
     "\x92\xef\xbc\x93"},
    {"plate", "", "\xd0\x90\xd0\x92 123"},
    {"plate", "",
     "\xd0\x90"
     "B 123"},
    {"plate", "",
     "\xe0\xb8\x81\xe0\xb8\x82 \xe0\xb9\x91\xe0\xb9\x92\xe0\xb9"
     "\x93\xe0\xb9\x94"},
    {"handle", "", "@BigJohn"},
    {"handle", "", "https://www.instagram.com/BigJohn/?hl=en"},
    {"handle", "", "https://www.tiktok.com/@BigJohn"},
    {"handle", "", "https://m.facebook.com/profile.php?id=1000123"},
    {"handle", "", "https://www.example.org/men/john/"},
    {"handle", "", "bigj\xd0\xbehn"},
    {"handle", "", "big\xe2\x80\x8bjohn"},
    {"handle", "", "ab\xc0\xafz"},
    {"place", "", "  Hotel   Sunrise,  Soi 4 "},
    {"place", "", "Soi 4 \xe0\xb8\x8b\xe0\xb8\xad\xe0\xb8\xa2"},
};

static const struct {
    unsigned bit;
    const char *name;
} flag_names[] = {
    {UMBRA_IDENT_CUT, "cut"},
    {UMBRA_IDENT_MIXED, "mixed_scripts"},
    {UMBRA_IDENT_NOT_PHONE, "not_a_phone_number"},
    {UMBRA_IDENT_NO_COUNTRY, "no_country"},
};

static json_t *
hex(const char *s, size_t n)
{
    static const char digits[] = "0123456789abcdef";
    char *h = malloc(2 * n + 1);
    json_t *j;
    size_t i;

    if (h == NULL)
        return NULL;
    for (i = 0; i < n; i++) {
        h[2 * i] = digits[(unsigned char)s[i] >> 4];
        h[2 * i + 1] = digits[(unsigned char)s[i] & 15];
    }
    h[2 * n] = 0;
    j = json_string(h);
    free(h);
    return j;
}

static json_t *
one(const char *kind, const char *country, const char *in, size_t len)
{
    struct umbra_ident id;
    json_t *c = json_pack("{s:s,s:s,s:o}", "kind", kind, "country", country,
                          "input_hex", hex(in, len));
    json_t *flags = json_array();
    size_t i;

    if (c == NULL || flags == NULL)
        return NULL;
    if (umbra_ident_normalise(&id, kind, in, len, country) != 0) {
        json_decref(flags);
        json_object_set_new(c, "error", json_string("format"));
        return c;
    }
    for (i = 0; i < sizeof flag_names / sizeof flag_names[0]; i++)
        if (id.flags & flag_names[i].bit)
            json_array_append_new(flags, json_string(flag_names[i].name));
    json_object_set_new(c, "value", json_string(id.value));
    json_object_set_new(c, "skeleton", json_string(id.skeleton));
    json_object_set_new(c, "flags", flags);
    return c;
}

json_t *
vec_ident_gen(void)
{
    json_t *arr = json_array();
    char *big = malloc(10000);
    size_t i;

    if (arr == NULL || big == NULL) {
        free(big);
        json_decref(arr);
        return NULL;
    }
    for (i = 0; i < sizeof cases / sizeof cases[0]; i++)
        json_array_append_new(arr, one(cases[i].kind, cases[i].country,
                                       cases[i].in, strlen(cases[i].in)));
    memset(big, 'A', 10000); /* a 10,000-character handle */
    json_array_append_new(arr, one("handle", "", big, 10000));
    free(big);
    return json_pack(
        "{s:s,s:o}", "description",
        "a perpetrator's identifier as typed (kind, the incident's country, "
        "the UTF-8 bytes in hex) and what it normalises to: value (what "
        "links compare), skeleton (look-alike letters made Latin, to point "
        "at look-alikes only) and flags, or the error (protocol section 6.2)",
        "cases", arr);
}

static void
put_hex(const char *s)
{
    for (; *s; s++)
        printf("%02x", (unsigned char)*s);
}

int
vec_ident_cli(void)
{
    static char line[8192], val[4096];
    struct umbra_ident id;

    while (fgets(line, sizeof line, stdin) != NULL) {
        char *kind = line, *cc = strchr(line, '\t'), *hex, *p;
        size_t n = 0;

        if (cc == NULL || (hex = strchr(cc + 1, '\t')) == NULL)
            return 2;
        *cc++ = 0;
        *hex++ = 0;
        hex[strcspn(hex, "\r\n")] = 0;
        for (p = hex; p[0] && p[1] && n < sizeof val; p += 2) {
            unsigned v;

            if (sscanf(p, "%2x", &v) != 1)
                return 2;
            val[n++] = (char)v;
        }
        if (umbra_ident_normalise(&id, kind, val, n, cc) != 0) {
            puts("error");
            continue;
        }
        fputs("ok\t", stdout);
        put_hex(id.value);
        putchar('\t');
        put_hex(id.skeleton);
        printf("\t%u\n", id.flags);
    }
    return 0;
}
