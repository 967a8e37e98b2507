/* doc: hostile report documents in, checked facts out (see doc.h). */
#include "doc.h"

#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include <sodium.h>

int
doc_utf8_valid(const uint8_t *s, size_t len)
{
    size_t i = 0;

    while (i < len) {
        uint8_t c = s[i];
        size_t k, j;
        uint32_t cp;

        if (c == 0)
            return 0;
        if (c < 0x80) {
            i++;
            continue;
        }
        if (c >= 0xc2 && c <= 0xdf) {
            k = 2;
            cp = c & 0x1fu;
        } else if (c >= 0xe0 && c <= 0xef) {
            k = 3;
            cp = c & 0x0fu;
        } else if (c >= 0xf0 && c <= 0xf4) {
            k = 4;
            cp = c & 0x07u;
        } else {
            return 0;
        }
        if (len - i < k)
            return 0;
        for (j = 1; j < k; j++) {
            if ((s[i + j] & 0xc0) != 0x80)
                return 0;
            cp = (cp << 6) | (s[i + j] & 0x3fu);
        }
        if ((k == 3 && cp < 0x800) || (k == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
            (cp >= 0xd800 && cp <= 0xdfff))
            return 0;
        i += k;
    }
    return 1;
}

int
doc_json_depth(const uint8_t *s, size_t len, int limit)
{
    int depth = 0, max = 0, in_str = 0, esc = 0;
    size_t i;

    for (i = 0; i < len; i++) {
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
            depth++;
            if (depth > max) {
                max = depth;
                if (max > limit)
                    return max;
            }
        } else if (c == ']' || c == '}') {
            depth--;
        }
    }
    return max;
}

static int
refuse(char *reason, size_t cap, const char *what, const char *field)
{
    if (field != NULL)
        snprintf(reason, cap, "%s: '%s'", what, field);
    else
        snprintf(reason, cap, "%s", what);
    return 1;
}

/* A string member or NULL; *bad set when present with another type or
 * longer than max bytes. */
static const char *
get_str(json_t *obj, const char *key, size_t max, int *bad)
{
    json_t *v = json_object_get(obj, key);

    if (v == NULL || json_is_null(v))
        return NULL;
    if (!json_is_string(v) || json_string_length(v) > max) {
        *bad = 1;
        return NULL;
    }
    if (strlen(json_string_value(v)) != json_string_length(v)) {
        *bad = 1; /* embedded NUL */
        return NULL;
    }
    return json_string_value(v);
}

/* Copies at most cap-1 bytes of s into out, cut on a UTF-8 boundary, with
 * control characters turned into spaces. */
static void
copy_cut(char *out, size_t cap, const char *s)
{
    size_t n = strlen(s), i;

    if (n >= cap) {
        n = cap - 1;
        while (n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80)
            n--;
    }
    memcpy(out, s, n);
    out[n] = 0;
    for (i = 0; i < n; i++)
        if ((unsigned char)out[i] < 0x20 || out[i] == 0x7f)
            out[i] = ' ';
}

static int
is_date(const char *s)
{
    size_t n = strlen(s), i;

    if (n != 7 && n != 10)
        return 0;
    for (i = 0; i < n; i++) {
        if (i == 4 || i == 7) {
            if (s[i] != '-')
                return 0;
        } else if (s[i] < '0' || s[i] > '9') {
            return 0;
        }
    }
    if (s[5] > '1' || (s[5] == '1' && s[6] > '2') ||
        (s[5] == '0' && s[6] == '0'))
        return 0;
    if (n == 10 && (s[8] > '3' || (s[8] == '0' && s[9] == '0') ||
                    (s[8] == '3' && s[9] > '1')))
        return 0;
    return 1;
}

static int
is_lang(const char *s)
{
    size_t n = strlen(s), i;

    if (n < 2 || n > 35)
        return 0;
    for (i = 0; i < n; i++) {
        char c = s[i];

        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
              (c >= '0' && c <= '9') || c == '-'))
            return 0;
    }
    return 1;
}

static int
code_index(const char *const *codes, int n, const char *s)
{
    int i;

    for (i = 0; i < n; i++)
        if (strcmp(codes[i], s) == 0)
            return i;
    return -1;
}

/* A list of codes into a bit set; 1 (bad) on a wrong type. */
static int
code_list(json_t *doc, const char *key, const char *const *codes, int n,
          uint32_t *bits, size_t *count)
{
    json_t *a = json_object_get(doc, key), *v;
    size_t i;

    *bits = 0;
    *count = 0;
    if (a == NULL || json_is_null(a))
        return 0;
    if (!json_is_array(a) || json_array_size(a) > 64)
        return 1;
    json_array_foreach(a, i, v)
    {
        int k;

        if (!json_is_string(v) || json_string_length(v) > 64)
            return 1;
        k = code_index(codes, n, json_string_value(v));
        if (k >= 0)
            *bits |= 1u << k;
        (*count)++;
    }
    return 0;
}

int
doc_parse_report(struct doc_report *out, char *reason, size_t cap,
                 const uint8_t *doc, size_t len)
{
    json_t *root = NULL, *o;
    json_error_t jerr;
    const char *s, *narrative;
    size_t ncat = 0, nneeds = 0;
    int bad = 0, rc = 1;

    memset(out, 0, sizeof *out);
    out->facts.perpetrator = -1;
    reason[0] = 0;
    if (len > DOC_MAX_BYTES)
        return refuse(reason, cap, "document larger than 16 MiB", NULL);
    if (len == 0)
        return refuse(reason, cap, "empty document", NULL);
    if (!doc_utf8_valid(doc, len))
        return refuse(reason, cap, "not valid UTF-8 (or holds NUL bytes)",
                      NULL);
    if (doc_json_depth(doc, len, DOC_MAX_DEPTH) > DOC_MAX_DEPTH)
        return refuse(reason, cap, "JSON nested deeper than 16 levels", NULL);
    root = json_loadb((const char *)doc, len, JSON_REJECT_DUPLICATES, &jerr);
    if (root == NULL) {
        snprintf(reason, cap, "invalid JSON at line %d: %.80s", jerr.line,
                 jerr.text);
        return 1;
    }
    if (!json_is_object(root)) {
        refuse(reason, cap, "not a JSON object", NULL);
        goto out;
    }
    s = get_str(root, "schema", 64, &bad);
    if (s == NULL || strcmp(s, "umbra.report/1") != 0) {
        refuse(reason, cap, "wrong schema (not umbra.report/1)", NULL);
        goto out;
    }
    narrative = get_str(root, "narrative", DOC_NARRATIVE_MAX, &bad);
    if (bad) {
        refuse(reason, cap, "narrative is not text or longer than 1 MiB",
               NULL);
        goto out;
    }
    if (code_list(root, "categories", FACTS_CATEGORIES, FACTS_NCATEGORIES,
                  &out->facts.categories, &ncat) != 0) {
        refuse(reason, cap, "wrong type", "categories");
        goto out;
    }
    if ((narrative == NULL || narrative[0] == 0) && ncat == 0) {
        refuse(reason, cap, "neither a narrative nor categories", NULL);
        goto out;
    }
    if (code_list(root, "needs", FACTS_NEEDS, FACTS_NNEEDS, &out->facts.needs,
                  &nneeds) != 0) {
        refuse(reason, cap, "wrong type", "needs");
        goto out;
    }
    s = get_str(root, "lang", 64, &bad);
    if (bad) {
        refuse(reason, cap, "wrong type", "lang");
        goto out;
    }
    if (s != NULL && is_lang(s))
        snprintf(out->facts.lang, sizeof out->facts.lang, "%s", s);
    (void)get_str(root, "via", 64, &bad);
    if (bad) {
        refuse(reason, cap, "wrong type", "via");
        goto out;
    }
    o = json_object_get(root, "incident");
    if (o != NULL && !json_is_null(o)) {
        if (!json_is_object(o)) {
            refuse(reason, cap, "wrong type", "incident");
            goto out;
        }
        s = get_str(o, "date", 64, &bad);
        if (s != NULL && is_date(s))
            snprintf(out->facts.incident, sizeof out->facts.incident, "%s", s);
        s = get_str(o, "country", 64, &bad);
        if (s != NULL && strlen(s) == 2 &&
            ((s[0] | 0x20) >= 'a' && (s[0] | 0x20) <= 'z') &&
            ((s[1] | 0x20) >= 'a' && (s[1] | 0x20) <= 'z')) {
            out->facts.country[0] = (char)(s[0] & ~0x20);
            out->facts.country[1] = (char)(s[1] & ~0x20);
            out->facts.country[2] = 0;
        }
        s = get_str(o, "region", 1024, &bad);
        if (s != NULL)
            copy_cut(out->facts.region, sizeof out->facts.region, s);
        (void)get_str(o, "place", 4096, &bad);
        if (bad) {
            refuse(reason, cap, "wrong type or too long", "incident");
            goto out;
        }
    }
    o = json_object_get(root, "perpetrator");
    if (o != NULL && !json_is_null(o)) {
        json_t *ids;

        if (!json_is_object(o)) {
            refuse(reason, cap, "wrong type", "perpetrator");
            goto out;
        }
        s = get_str(o, "type", 64, &bad);
        if (s != NULL)
            out->facts.perpetrator =
                code_index(FACTS_PERPETRATORS, FACTS_NPERPETRATORS, s);
        (void)get_str(o, "description", 65536, &bad);
        ids = json_object_get(o, "identifiers");
        if (ids != NULL && !json_is_null(ids) &&
            (!json_is_array(ids) || json_array_size(ids) > 64))
            bad = 1;
        if (bad) {
            refuse(reason, cap, "wrong type or too long", "perpetrator");
            goto out;
        }
    }
    o = json_object_get(root, "consent");
    if (o != NULL && !json_is_null(o)) {
        json_t *st;

        if (!json_is_object(o)) {
            refuse(reason, cap, "wrong type", "consent");
            goto out;
        }
        st = json_object_get(o, "statistics");
        if (st != NULL && !json_is_boolean(st)) {
            refuse(reason, cap, "wrong type", "consent.statistics");
            goto out;
        }
        out->facts.consent_statistics = json_is_true(st) ? 1 : 0;
    }
    s = get_str(root, "mailbox", 128, &bad);
    if (s != NULL) {
        const char *id = get_str(root, "mailbox_id", 128, &bad);
        size_t bin_len = 0;

        if (sodium_base642bin(out->mailbox_pk, 32, s, strlen(s), NULL,
                              &bin_len, NULL,
                              sodium_base64_VARIANT_ORIGINAL) != 0 ||
            bin_len != 32 || id == NULL || strlen(id) != 64 ||
            strspn(id, "0123456789abcdef") != 64) {
            refuse(reason, cap, "mailbox or mailbox_id is not a valid key",
                   NULL);
            goto out;
        }
        memcpy(out->mailbox_id, id, 65);
        out->has_mailbox = 1;
    }
    if (bad) {
        refuse(reason, cap, "a field has the wrong type", NULL);
        goto out;
    }
    if (narrative != NULL)
        copy_cut(out->summary, sizeof out->summary, narrative);
    rc = 0;
out:
    json_decref(root);
    if (rc != 0) {
        memset(out, 0, sizeof *out);
        out->facts.perpetrator = -1;
    }
    return rc;
}
