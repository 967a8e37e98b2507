/* SPDX-License-Identifier: AGPL-3.0-or-later */
/* doc: hostile report documents in, checked facts out (see doc.h). */
#include "doc.h"
#include "jscan.h"

#include <stdio.h>
#include <string.h>

#include <sodium.h>

static int
refuse(char *reason, size_t cap, const char *what, const char *field)
{
    if (field != NULL)
        snprintf(reason, cap, "%s: '%s'", what, field);
    else
        snprintf(reason, cap, "%s", what);
    return 1;
}

/* A string member's token or -1; *bad set when present with another type
 * (null counts as absent) or longer than max bytes. */
static int
get_str(const struct js_doc *d, int obj, const char *key, size_t max,
        int *bad)
{
    int v = js_get(d, obj, key);

    if (v < 0 || d->t[v].type == JS_NULL)
        return -1;
    if (d->t[v].type != JS_STR || d->t[v].len > max) {
        *bad = 1;
        return -1;
    }
    return v;
}

/* The text of string member key (cut to cap) or "" if absent. */
static const char *
str_of(const struct js_doc *d, int obj, const char *key, size_t max,
       int *bad, char *buf, size_t cap)
{
    int v = get_str(d, obj, key, max, bad);

    buf[0] = 0;
    if (v < 0 || js_str(d, v, buf, cap, NULL) != 0)
        return NULL;
    return buf;
}

/* Copies s into out (cap bytes) with control characters made spaces. */
static void
copy_clean(char *out, size_t cap, const char *s)
{
    size_t i;

    if (out != s)
        snprintf(out, cap, "%s", s);
    for (i = 0; out[i] != 0; i++)
        if ((unsigned char)out[i] < 0x20 || out[i] == 0x7f)
            out[i] = ' ';
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

/* A list of codes into a bit set; 1 (bad) on a wrong type. */
static int
code_list(const struct js_doc *d, int obj, const char *key,
          const char *const *codes, size_t n, uint32_t *bits, size_t *count)
{
    int a = js_get(d, obj, key);
    uint32_t j, m;

    *bits = 0;
    *count = 0;
    if (a < 0 || d->t[a].type == JS_NULL)
        return 0;
    if (d->t[a].type != JS_ARR || d->t[a].size > 64)
        return 1;
    j = (uint32_t)a + 1;
    for (m = 0; m < d->t[a].size; m++) {
        char buf[72];
        int k;

        if (d->t[j].type != JS_STR || d->t[j].len > 64)
            return 1;
        if (js_str(d, (int)j, buf, sizeof buf, NULL) != 0)
            return 1;
        k = umbra_report_code_index(codes, n, buf);
        if (k >= 0)
            *bits |= 1u << k;
        (*count)++;
        j = d->t[j].next;
    }
    return 0;
}

static int
is_type(const struct js_doc *d, int v, int type)
{
    return v >= 0 && d->t[v].type == type;
}

/* An optional member that, when present and not null, must be type. */
static int
wrong_type(const struct js_doc *d, int obj, const char *key, int type)
{
    int v = js_get(d, obj, key);

    return v >= 0 && d->t[v].type != JS_NULL && d->t[v].type != type;
}

int
doc_parse_report(struct doc_report *out, char *reason, size_t cap,
                 const uint8_t *doc, size_t len)
{
    struct js_doc d;
    char err[160], buf[128];
    const char *s;
    size_t ncat = 0, nneeds = 0, nlen = 0;
    int root = 0, o, narrative, bad = 0, rc = 1;

    memset(out, 0, sizeof *out);
    memset(&d, 0, sizeof d);
    out->facts.perpetrator = -1;
    reason[0] = 0;
    if (len > DOC_MAX_BYTES)
        return refuse(reason, cap, "document larger than 16 MiB", NULL);
    if (len == 0)
        return refuse(reason, cap, "empty document", NULL);
    rc = js_parse(&d, doc, len, DOC_MAX_DEPTH, DOC_MAX_TOKENS, err,
                  sizeof err);
    if (rc < 0)
        goto out;
    if (rc != 0) {
        if (strstr(err, "nested too deep") != NULL)
            refuse(reason, cap, "JSON nested deeper than 16 levels", NULL);
        else if (strstr(err, "UTF-8") != NULL)
            snprintf(reason, cap, "not valid UTF-8 (%s)", err);
        else
            snprintf(reason, cap, "invalid JSON: %s", err);
        goto out;
    }
    rc = 1;
    if (d.t[root].type != JS_OBJ) {
        refuse(reason, cap, "not a JSON object", NULL);
        goto out;
    }
    s = str_of(&d, root, "schema", 64, &bad, buf, sizeof buf);
    if (s == NULL || strcmp(s, "umbra.report/1") != 0) {
        refuse(reason, cap, "wrong schema (not umbra.report/1)", NULL);
        goto out;
    }
    narrative = get_str(&d, root, "narrative", DOC_NARRATIVE_MAX, &bad);
    if (bad) {
        refuse(reason, cap, "narrative is not text or longer than 1 MiB",
               NULL);
        goto out;
    }
    if (narrative >= 0)
        nlen = d.t[narrative].len;
    if (code_list(&d, root, "categories", FACTS_CATEGORIES,
                  FACTS_NCATEGORIES, &out->facts.categories, &ncat) != 0) {
        refuse(reason, cap, "wrong type", "categories");
        goto out;
    }
    if (nlen == 0 && ncat == 0) {
        refuse(reason, cap, "neither a narrative nor categories", NULL);
        goto out;
    }
    if (code_list(&d, root, "needs", FACTS_NEEDS, FACTS_NNEEDS,
                  &out->facts.needs, &nneeds) != 0) {
        refuse(reason, cap, "wrong type", "needs");
        goto out;
    }
    s = str_of(&d, root, "lang", 64, &bad, buf, sizeof buf);
    if (bad) {
        refuse(reason, cap, "wrong type", "lang");
        goto out;
    }
    if (s != NULL && is_lang(s))
        snprintf(out->facts.lang, sizeof out->facts.lang, "%s", s);
    (void)get_str(&d, root, "via", 64, &bad);
    if (bad) {
        refuse(reason, cap, "wrong type", "via");
        goto out;
    }
    o = js_get(&d, root, "incident");
    if (o >= 0 && d.t[o].type != JS_NULL) {
        if (!is_type(&d, o, JS_OBJ)) {
            refuse(reason, cap, "wrong type", "incident");
            goto out;
        }
        s = str_of(&d, o, "date", 64, &bad, buf, sizeof buf);
        if (s != NULL && umbra_report_date_valid(s))
            snprintf(out->facts.incident, sizeof out->facts.incident, "%s",
                     s);
        s = str_of(&d, o, "country", 64, &bad, buf, sizeof buf);
        if (s != NULL && strlen(s) == 2 &&
            ((s[0] | 0x20) >= 'a' && (s[0] | 0x20) <= 'z') &&
            ((s[1] | 0x20) >= 'a' && (s[1] | 0x20) <= 'z')) {
            out->facts.country[0] = (char)(s[0] & ~0x20);
            out->facts.country[1] = (char)(s[1] & ~0x20);
            out->facts.country[2] = 0;
        }
        s = str_of(&d, o, "region", 1024, &bad, out->facts.region,
                   sizeof out->facts.region);
        if (s != NULL)
            copy_clean(out->facts.region, sizeof out->facts.region, s);
        (void)get_str(&d, o, "place", 4096, &bad);
        if (bad) {
            refuse(reason, cap, "wrong type or too long", "incident");
            goto out;
        }
    }
    o = js_get(&d, root, "perpetrator");
    if (o >= 0 && d.t[o].type != JS_NULL) {
        if (!is_type(&d, o, JS_OBJ)) {
            refuse(reason, cap, "wrong type", "perpetrator");
            goto out;
        }
        s = str_of(&d, o, "type", 64, &bad, buf, sizeof buf);
        if (s != NULL)
            out->facts.perpetrator =
                umbra_report_code_index(FACTS_PERPETRATORS,
                                        FACTS_NPERPETRATORS, s);
        (void)get_str(&d, o, "description", 65536, &bad);
        if (wrong_type(&d, o, "identifiers", JS_ARR))
            bad = 1;
        if (bad) {
            refuse(reason, cap, "wrong type or too long", "perpetrator");
            goto out;
        }
    }
    o = js_get(&d, root, "consent");
    if (o >= 0 && d.t[o].type != JS_NULL) {
        int st;

        if (!is_type(&d, o, JS_OBJ)) {
            refuse(reason, cap, "wrong type", "consent");
            goto out;
        }
        st = js_get(&d, o, "statistics");
        if (st >= 0 && d.t[st].type != JS_TRUE && d.t[st].type != JS_FALSE) {
            refuse(reason, cap, "wrong type", "consent.statistics");
            goto out;
        }
        out->facts.consent_statistics = is_type(&d, st, JS_TRUE);
    }
    s = str_of(&d, root, "mailbox", 128, &bad, buf, sizeof buf);
    if (s != NULL) {
        char id[80];
        const char *mid = str_of(&d, root, "mailbox_id", 128, &bad, id,
                                 sizeof id);
        size_t bin_len = 0;

        if (sodium_base642bin(out->mailbox_pk, 32, s, strlen(s), NULL,
                              &bin_len, NULL,
                              sodium_base64_VARIANT_ORIGINAL) != 0 ||
            bin_len != 32 || mid == NULL || strlen(mid) != 64 ||
            strspn(mid, "0123456789abcdef") != 64) {
            refuse(reason, cap, "mailbox or mailbox_id is not a valid key",
                   NULL);
            goto out;
        }
        memcpy(out->mailbox_id, mid, 65);
        out->has_mailbox = 1;
    }
    if (bad) {
        refuse(reason, cap, "a field has the wrong type", NULL);
        goto out;
    }
    if (narrative >= 0) {
        char sum[DOC_SUMMARY_MAX + 1];

        if (js_str(&d, narrative, sum, sizeof sum, NULL) == 0)
            copy_clean(out->summary, sizeof out->summary, sum);
    }
    rc = 0;
out:
    js_free(&d);
    if (rc != 0) {
        memset(out, 0, sizeof *out);
        out->facts.perpetrator = -1;
    }
    return rc;
}
