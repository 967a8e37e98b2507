/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * alert_text: an alert's checks, its signed string, and the template a
 * caseworker edits (alert_draft.h).
 */
#include "alert_draft.h"
#include "case.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- checks ----------------------------------------------------------- */

static int
fail(char *why, size_t cap, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int
fail(char *why, size_t cap, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(why, cap, fmt, ap);
    va_end(ap);
    return -1;
}

/* UTF-16 units of valid UTF-8 s, or -1 if s is not valid UTF-8 or holds
 * a control character (a newline allowed when newlines). */
static long
units(const char *s, int newlines)
{
    const unsigned char *p = (const unsigned char *)s;
    long n = 0;

    if (!umbra_utf8_valid(p, strlen(s)))
        return -1;
    for (; *p; p++) {
        if ((*p < 0x20 && !(newlines && *p == '\n')) || *p == 0x7f)
            return -1;
        if ((*p & 0xc0) != 0x80)
            n += *p >= 0xf0 ? 2 : 1;
    }
    return n;
}

static int
hex32(const char *s)
{
    size_t i;

    if (s == NULL || strlen(s) != 32)
        return 0;
    for (i = 0; i < 32; i++)
        if (!isdigit((unsigned char)s[i]) && !(s[i] >= 'a' && s[i] <= 'f'))
            return 0;
    return 1;
}

static const char *
str(const json_t *o, const char *k)
{
    return json_string_value(json_object_get(o, k));
}

static int
check_texts(const json_t *texts, int final, char *why, size_t cap)
{
    const json_t *t;
    size_t i, j;

    if (!json_is_array(texts) || json_array_size(texts) < 1 ||
        json_array_size(texts) > ALERT_MAX_TEXTS)
        return fail(why, cap, "an alert has 1 to %u texts, one per language",
                    ALERT_MAX_TEXTS);
    json_array_foreach(texts, i, t)
    {
        const char *lang = str(t, "lang"), *title = str(t, "title"),
                   *body = str(t, "body");
        long nt, nb;

        if (lang == NULL || !alert_lang_known(lang))
            return fail(why, cap,
                        "text %zu: language '%s' is not one of en es pt-BR "
                        "fr ro bg ru uk zh-CN th vi ar",
                        i + 1, lang ? lang : "");
        for (j = 0; j < i; j++)
            if (strcmp(lang, str(json_array_get(texts, j), "lang")) == 0)
                return fail(why, cap, "two texts in %s", lang);
        nt = title ? units(title, 0) : -1;
        nb = body ? units(body, 1) : -1;
        if (nt < 1 || nt > (long)ALERT_TITLE_MAX)
            return fail(why, cap,
                        "[%s] the title is 1 to %u characters on one line",
                        lang, ALERT_TITLE_MAX);
        if (nb < 0)
            return fail(why, cap,
                        "[%s] the body holds a control character", lang);
        if (nb < 1 || nb > (long)ALERT_BODY_MAX)
            return fail(why, cap,
                        "[%s] the body is 1 to %u characters (it has %ld)",
                        lang, ALERT_BODY_MAX, nb);
        if (final && (strncmp(title, ALERT_TRANSLATE, strlen(ALERT_TRANSLATE)) == 0 ||
            strncmp(body, ALERT_TRANSLATE, strlen(ALERT_TRANSLATE)) == 0))
            return fail(why, cap,
                        "[%s] is not translated yet (it starts with "
                        "'[translate]'): write it in that language or "
                        "remove that language",
                        lang);
    }
    return 0;
}

static int
check_identifiers(const json_t *ids, char *why, size_t cap)
{
    const json_t *v;
    size_t i;

    if (!json_is_array(ids) || json_array_size(ids) > ALERT_MAX_IDENTS)
        return fail(why, cap, "an alert has at most %u identifiers",
                    ALERT_MAX_IDENTS);
    json_array_foreach(ids, i, v)
    {
        const char *kind = str(v, "kind"), *val = str(v, "value");
        long n = val ? units(val, 0) : -1;

        if (kind == NULL ||
            (strcmp(kind, "phone") != 0 && strcmp(kind, "plate") != 0 &&
             strcmp(kind, "handle") != 0 && strcmp(kind, "place") != 0))
            return fail(why, cap,
                        "identifier %zu: the kind is phone, plate, handle "
                        "or place",
                        i + 1);
        if (n < 1 || n > (long)ALERT_VALUE_MAX)
            return fail(why, cap,
                        "identifier %zu: the value is 1 to %u characters",
                        i + 1, ALERT_VALUE_MAX);
    }
    return 0;
}

/* The library's own check (umbra_alert_check), so that no draft passes
 * here that signing would refuse. */
static int
library_check(const json_t *a, char *why, size_t cap)
{
    char *text = alert_dump(a);
    const char *w = NULL;
    int rc;

    if (text == NULL)
        return fail(why, cap, "out of memory");
    rc = umbra_alert_check(text, strlen(text), &w);
    free(text);
    if (rc != 0)
        return fail(why, cap, "the field '%s' is not valid", w ? w : "?");
    return 0;
}

int
alert_check(const json_t *a, int final, char *why, size_t cap)
{
    const char *kind = str(a, "kind"), *level = str(a, "level");
    const json_t *area = json_object_get(a, "area"),
                 *period = json_object_get(a, "period");
    const char *country = str(area, "country"), *region = str(area, "region");
    long issued, expires, from, to;

    if (str(a, "org") == NULL || !hex32(str(a, "id")) || kind == NULL)
        return fail(why, cap, "the alert has no org, id or kind");
    if (str(a, "issued") == NULL || alert_day(&issued, str(a, "issued")) != 0)
        return fail(why, cap, "issued is not a date YYYY-MM-DD");
    if (strcmp(kind, "withdrawal") == 0)
        return hex32(str(a, "withdraws"))
                   ? 0
                   : fail(why, cap, "a withdrawal names the alert it "
                                    "withdraws");
    if (strcmp(kind, "alert") != 0)
        return fail(why, cap, "kind is alert or withdrawal");
    if (level == NULL || (strcmp(level, "info") != 0 &&
                          strcmp(level, "warning") != 0 &&
                          strcmp(level, "danger") != 0))
        return fail(why, cap, "level is info, warning or danger");
    if (str(a, "expires") == NULL ||
        alert_day(&expires, str(a, "expires")) != 0)
        return fail(why, cap, "expires is not a date YYYY-MM-DD");
    if (expires <= issued || expires - issued > (long)ALERT_DAYS_MAX)
        return fail(why, cap,
                    "expires is after the day it is issued (%s) and at most "
                    "%u days after it",
                    str(a, "issued"), ALERT_DAYS_MAX);
    if (country == NULL || strlen(country) != 2 || !isupper((unsigned char)country[0]) ||
        !isupper((unsigned char)country[1]))
        return fail(why, cap, "the country is two capital letters (TH, GB)");
    if (json_object_get(area, "region") != NULL &&
        (region == NULL || units(region, 0) < 1 ||
         units(region, 0) > (long)ALERT_REGION_MAX))
        return fail(why, cap, "the region is 1 to %u characters, or none",
                    ALERT_REGION_MAX);
    if (str(period, "from") == NULL || str(period, "to") == NULL ||
        alert_day(&from, str(period, "from")) != 0 ||
        alert_day(&to, str(period, "to")) != 0)
        return fail(why, cap, "the period's from and to are dates");
    if (((from % 7) + 7 + 3) % 7 != 0 || ((to % 7) + 7 + 3) % 7 != 6 ||
        to < from)
        return fail(why, cap,
                    "the period is whole weeks: from a Monday to a Sunday");
    if ((to - from + 1) / 7 > (long)ALERT_WEEKS_MAX)
        return fail(why, cap, "the period is at most %u weeks",
                    ALERT_WEEKS_MAX);
    if (from > issued)
        return fail(why, cap, "the period starts after the alert is issued");
    if (check_identifiers(json_object_get(a, "identifiers"), why, cap) != 0 ||
        check_texts(json_object_get(a, "texts"), final, why, cap) != 0)
        return -1;
    return library_check(a, why, cap);
}

char *
alert_dump(const json_t *a)
{
    return json_dumps(a, JSON_COMPACT | JSON_PRESERVE_ORDER);
}

/* ---- the template ----------------------------------------------------- */

char *
alert_template(const json_t *a, const json_t *candidates, const char *cases)
{
    const json_t *area = json_object_get(a, "area"),
                 *period = json_object_get(a, "period"), *v;
    char *out = NULL;
    size_t len = 0, i;
    FILE *f = open_memstream(&out, &len);

    if (f == NULL)
        return NULL;
    fprintf(f,
            "# An Umbra alert%s%s%s. Lines starting with # are notes\n"
            "# and are left out. Save and close the editor to keep the draft;\n"
            "# delete everything to cancel. Nothing is published until the\n"
            "# alert is signed and pushed.\n#\n"
            "# level: info, warning or danger\n"
            "level: %s\n"
            "# The country (two capital letters) and, if you wish, the\n"
            "# region: a province or a city, never a street, a venue or an\n"
            "# address. Leave the region empty to name only the country.\n"
            "country: %s\nregion: %s\n"
            "# Whole weeks: from a Monday to the Sunday of the last week.\n"
            "from: %s\nto: %s\n"
            "# After this day the alert is shown nowhere (at most 365 days\n"
            "# after the day it is signed).\n"
            "expires: %s\n#\n"
            "# Identifiers, at most 10: one per line, 'identifier: KIND\n"
            "# VALUE' (KIND: phone, plate, handle or place). Only what helps\n"
            "# people recognise him; masked unless you need it in full.\n",
            !cases[0] ? "" : strchr(cases, ',') ? " drafted from cases "
                                                : " drafted from case ",
            cases, "", str(a, "level"), str(area, "country"),
            str(area, "region") ? str(area, "region") : "",
            str(period, "from"), str(period, "to"), str(a, "expires"));
    if (json_array_size(candidates) > 0)
        fputs("# In these cases (remove the # in front of 'identifier' to\n"
              "# include one):\n",
              f);
    json_array_foreach(candidates, i, v)
        fprintf(f, "#   identifier: %s %s    (%zu, case %lld)\n",
                str(v, "kind"), str(v, "value"), i + 1,
                (long long)json_integer_value(json_object_get(v, "case")));
    json_array_foreach(json_object_get(a, "identifiers"), i, v)
        fprintf(f, "identifier: %s %s\n", str(v, "kind"), str(v, "value"));
    fputs("#\n# One section per language: [LANG] (en es pt-BR fr ro bg ru uk\n"
          "# zh-CN th vi ar), a 'title:' line, then 'body:' and the body on\n"
          "# the lines after it. A text starting with [translate] must be\n"
          "# translated (or its section removed) before it can be signed.\n",
          f);
    json_array_foreach(json_object_get(a, "texts"), i, v)
        fprintf(f, "\n[%s]\ntitle: %s\nbody:\n%s\n", str(v, "lang"),
                str(v, "title"), str(v, "body"));
    fclose(f);
    return out;
}

/* Trims spaces and tabs at both ends of s in place; returns s. */
static char *
trim(char *s)
{
    size_t n = strlen(s);

    while (*s == ' ' || *s == '\t')
        s++, n--;
    while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r'))
        s[--n] = 0;
    return s;
}

/* 1 if line is a section header "[lang]" (lang copied to out). */
static int
section(const char *line, char *out, size_t cap)
{
    size_t n = strlen(line);

    if (n < 3 || line[0] != '[' || line[n - 1] != ']' || n - 2 >= cap ||
        strcmp(line, "[translate]") == 0 || strchr(line, ' ') != NULL)
        return 0;
    memcpy(out, line + 1, n - 2);
    out[n - 2] = 0;
    return 1;
}

/* Ends the body being read: trailing blank lines dropped. */
static void
end_body(json_t *text, char *body, size_t *blen)
{
    while (*blen > 0 && body[*blen - 1] == '\n')
        body[--*blen] = 0;
    if (text != NULL)
        json_object_set_new(text, "body", json_stringn(body, *blen));
    *blen = 0;
    body[0] = 0;
}

static int
header_field(json_t *a, char *line, char *why, size_t cap, size_t ln)
{
    char *colon = strchr(line, ':'), *key = line, *val;
    json_t *area = json_object_get(a, "area"),
           *period = json_object_get(a, "period");

    if (colon == NULL)
        return fail(why, cap, "line %zu: expected 'name: value'", ln);
    *colon = 0;
    key = trim(key);
    val = trim(colon + 1);
    if (strcmp(key, "level") == 0 || strcmp(key, "expires") == 0)
        json_object_set_new(a, key, json_string(val));
    else if (strcmp(key, "country") == 0) {
        char *p;

        for (p = val; *p; p++)
            *p = (char)toupper((unsigned char)*p);
        json_object_set_new(area, "country", json_string(val));
    } else if (strcmp(key, "region") == 0) {
        if (val[0])
            json_object_set_new(area, "region", json_string(val));
        else
            json_object_del(area, "region");
    } else if (strcmp(key, "from") == 0 || strcmp(key, "to") == 0)
        json_object_set_new(period, key, json_string(val));
    else if (strcmp(key, "identifier") == 0) {
        char *sp = strpbrk(val, " \t");

        if (sp == NULL)
            return fail(why, cap, "line %zu: write 'identifier: KIND VALUE'",
                        ln);
        *sp = 0;
        json_array_append_new(json_object_get(a, "identifiers"),
                              json_pack("{s:s,s:s}", "kind", val, "value",
                                        trim(sp + 1)));
    } else
        return fail(why, cap, "line %zu: unknown field '%s'", ln, key);
    return 0;
}

int
alert_from_template(json_t **out, const char *text, size_t len,
                    const json_t *base, char *why, size_t cap)
{
    json_t *a = NULL, *cur = NULL;
    char *copy = NULL, *line, *next, *body = NULL, lang[16];
    size_t ln = 0, blen = 0;
    int in_body = 0, rc = -1, any = 0;

    copy = malloc(len + 1);
    body = malloc(len + 1);
    if (copy == NULL || body == NULL) {
        rc = fail(why, cap, "out of memory");
        goto out;
    }
    memcpy(copy, text, len);
    copy[len] = 0;
    body[0] = 0;
    if (strlen(copy) != len) {
        rc = fail(why, cap, "the text holds a NUL byte");
        goto out;
    }
    a = json_pack("{s:O,s:O,s:s,s:O,s:s,s:s,s:{},s:{},s:[],s:[]}", "org",
                  json_object_get(base, "org"), "id",
                  json_object_get(base, "id"), "kind", "alert", "issued",
                  json_object_get(base, "issued"), "expires", "", "level", "",
                  "area", "period", "identifiers", "texts");
    if (a == NULL) {
        rc = fail(why, cap, "out of memory");
        goto out;
    }
    for (line = copy; line != NULL; line = next) {
        char *t;

        next = strchr(line, '\n');
        if (next != NULL)
            *next++ = 0;
        ln++;
        if (line[0] == '#')
            continue;
        t = trim(line);
        if (t[0] != 0)
            any = 1;
        if (section(t, lang, sizeof lang)) {
            if (in_body)
                end_body(cur, body, &blen);
            cur = json_pack("{s:s,s:s,s:s}", "lang", lang, "title", "",
                            "body", "");
            json_array_append_new(json_object_get(a, "texts"), cur);
            in_body = 0;
            continue;
        }
        if (in_body) {
            size_t n = strlen(line);

            if (n > 0 && line[n - 1] == '\r') /* an editor's CR LF */
                line[--n] = 0;
            if (blen == 0 && n == 0)
                continue; /* blank lines before the body */
            if (blen > 0)
                body[blen++] = '\n';
            memcpy(body + blen, line, n);
            blen += n;
            body[blen] = 0;
            continue;
        }
        if (t[0] == 0)
            continue;
        if (cur != NULL) {
            if (strncmp(t, "title:", 6) == 0)
                json_object_set_new(cur, "title", json_string(trim(t + 6)));
            else if (strncmp(t, "body:", 5) == 0) {
                char *rest = trim(t + 5);

                in_body = 1;
                blen = strlen(rest);
                memcpy(body, rest, blen + 1);
            } else {
                rc = fail(why, cap,
                          "line %zu: in [%s], write 'title:' then 'body:'", ln,
                          lang);
                goto out;
            }
            continue;
        }
        if (header_field(a, t, why, cap, ln) != 0)
            goto out;
    }
    if (in_body)
        end_body(cur, body, &blen);
    if (!any) {
        rc = 1;
        goto out;
    }
    if (json_object_get(json_object_get(a, "area"), "region") != NULL) {
        /* keep the protocol's order: country, then region */
        json_t *area = json_object_get(a, "area");
        json_t *r = json_incref(json_object_get(area, "region"));

        json_object_del(area, "region");
        json_object_set_new(area, "region", r);
    }
    *out = a;
    a = NULL;
    rc = 0;
out:
    json_decref(a);
    free(copy);
    free(body);
    return rc;
}
