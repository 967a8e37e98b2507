/* SPDX-License-Identifier: AGPL-3.0-or-later */
/* links: the words and JSON of identifier links (see links.h). */
#include "links.h"

#include "ident.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct {
    unsigned bit;
    const char *name, *note;
} FLAGS[] = {
    {UMBRA_IDENT_MIXED, "mixed_scripts", "mixed scripts: check it by eye"},
    {UMBRA_IDENT_NOT_PHONE, "not_a_phone_number",
     "not a phone number: kept as typed"},
    {UMBRA_IDENT_NO_COUNTRY, "no_country",
     "no country: the number as typed, without a calling code"},
    {UMBRA_IDENT_CUT, "cut", "cut at 200 characters"},
};

const char *
links_kind_noun(const char *kind)
{
    static const char *const nouns[][2] = {{"phone", "phone number"},
                                           {"plate", "plate"},
                                           {"handle", "online handle"},
                                           {"place", "place"}};
    size_t i;

    for (i = 0; i < sizeof nouns / sizeof nouns[0]; i++)
        if (strcmp(kind, nouns[i][0]) == 0)
            return nouns[i][1];
    return kind;
}

void
links_cases_phrase(char *out, size_t cap, const char *ids)
{
    size_t n = 1, i, len, o;
    const char *p;

    if (cap == 0)
        return;
    out[0] = 0;
    if (ids[0] == 0)
        return;
    for (p = ids; *p; p++)
        n += *p == ',';
    o = (size_t)snprintf(out, cap, "%s ", n == 1 ? "case" : "cases");
    for (i = 0, p = ids; i < n && o < cap; i++) {
        len = strcspn(p, ",");
        if (i > 0)
            o += (size_t)snprintf(out + o, cap - o, "%s",
                                  i == n - 1 ? " and " : ", ");
        if (o < cap)
            o += (size_t)snprintf(out + o, cap - o, "%.*s", (int)len, p);
        p += len + (p[len] == ',');
    }
}

json_t *
links_cases_json(const char *ids)
{
    json_t *a = json_array();
    const char *p = ids;
    int n = 0;

    while (a != NULL && *p != 0 && n++ < 10000) {
        char *end;
        long long v = strtoll(p, &end, 10);

        if (end == p)
            break;
        json_array_append_new(a, json_integer((json_int_t)v));
        p = *end == ',' ? end + 1 : end;
    }
    return a;
}

json_t *
links_flags_json(unsigned flags)
{
    json_t *a = json_array();
    size_t i;

    for (i = 0; a != NULL && i < sizeof FLAGS / sizeof FLAGS[0]; i++)
        if (flags & FLAGS[i].bit)
            json_array_append_new(a, json_string(FLAGS[i].name));
    return a;
}

void
links_flags_note(char *out, size_t cap, unsigned flags)
{
    size_t i, o = 0;

    if (cap == 0)
        return;
    out[0] = 0;
    for (i = 0; i < sizeof FLAGS / sizeof FLAGS[0] && o < cap; i++)
        if (flags & FLAGS[i].bit)
            o += (size_t)snprintf(out + o, cap - o, " (%s)", FLAGS[i].note);
}
