/* SPDX-License-Identifier: AGPL-3.0-or-later */
/* alert_draft: an alert drafted from consented cases (alert_draft.h). */
#include "alert_draft.h"
#include "store.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

int
alert_lang_known(const char *lang)
{
    size_t i;

    for (i = 0; umbra_alert_langs[i] != NULL; i++)
        if (strcmp(lang, umbra_alert_langs[i]) == 0)
            return 1;
    return 0;
}

/* ---- days ------------------------------------------------------------- */

/* Days since 1970-01-01 of y-m-d (proleptic Gregorian; H. Hinnant). */
static long
civil_days(long y, unsigned m, unsigned d)
{
    long era;
    unsigned yoe, doy, doe;

    y -= m <= 2;
    era = (y >= 0 ? y : y - 399) / 400;
    yoe = (unsigned)(y - era * 400);
    doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (long)doe - 719468;
}

void
alert_date(char out[11], long z)
{
    long era, y;
    unsigned doe, yoe, doy, mp, d, m;

    z += 719468;
    era = (z >= 0 ? z : z - 146096) / 146097;
    doe = (unsigned)(z - era * 146097);
    yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    y = (long)yoe + era * 400;
    doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    mp = (5 * doy + 2) / 153;
    d = doy - (153 * mp + 2) / 5 + 1;
    m = mp < 10 ? mp + 3 : mp - 9;
    y += m <= 2;
    out[0] = (char)('0' + (y / 1000) % 10);
    out[1] = (char)('0' + (y / 100) % 10);
    out[2] = (char)('0' + (y / 10) % 10);
    out[3] = (char)('0' + y % 10);
    out[4] = '-';
    out[5] = (char)('0' + m / 10);
    out[6] = (char)('0' + m % 10);
    out[7] = '-';
    out[8] = (char)('0' + d / 10);
    out[9] = (char)('0' + d % 10);
    out[10] = 0;
}

/* y, m (and d when want_day) of "YYYY-MM[-DD]"; 0 or -1. */
static int
parse_ymd(const char *s, long *y, unsigned *m, unsigned *d, int want_day)
{
    size_t n = strlen(s), i;
    static const unsigned mdays[] = {31, 29, 31, 30, 31, 30,
                                     31, 31, 30, 31, 30, 31};

    if (n != (want_day ? 10u : 7u) || s[4] != '-' ||
        (want_day && s[7] != '-'))
        return -1;
    for (i = 0; i < n; i++)
        if (i != 4 && i != 7 && !isdigit((unsigned char)s[i]))
            return -1;
    *y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 +
         (s[3] - '0');
    *m = (unsigned)((s[5] - '0') * 10 + (s[6] - '0'));
    *d = want_day ? (unsigned)((s[8] - '0') * 10 + (s[9] - '0')) : 1;
    if (*y < 1970 || *m < 1 || *m > 12 || *d < 1 || *d > mdays[*m - 1])
        return -1;
    if (*m == 2 && *d == 29 && !(*y % 4 == 0 && (*y % 100 != 0 ||
                                                  *y % 400 == 0)))
        return -1;
    return 0;
}

int
alert_day(long *out, const char *date)
{
    long y;
    unsigned m, d;

    if (parse_ymd(date, &y, &m, &d, 1) != 0)
        return -1;
    *out = civil_days(y, m, d);
    return 0;
}

long
alert_today(void)
{
    return (long)(time(NULL) / 86400);
}

/* 0 Monday .. 6 Sunday (1970-01-01 was a Thursday). */
static long
weekday(long d)
{
    return ((d % 7) + 7 + 3) % 7;
}

/* The days an incident date covers: a day, or a whole month. */
static int
incident_span(long *from, long *to, const char *date)
{
    long y;
    unsigned m, d;

    if (alert_day(from, date) == 0) {
        *to = *from;
        return 0;
    }
    if (parse_ymd(date, &y, &m, &d, 0) != 0)
        return -1;
    *from = civil_days(y, m, 1);
    *to = (m == 12 ? civil_days(y + 1, 1, 1) : civil_days(y, m + 1, 1)) - 1;
    return 0;
}

void
alert_new_id(char out[33])
{
    uint8_t r[16];

    randombytes_buf(r, sizeof r);
    sodium_bin2hex(out, 33, r, sizeof r);
}

/* ---- masking ---------------------------------------------------------- */

/* The length of the calling code at the front of digits (ITU E.164: the
 * codes are prefix-free: 1 and 7 are one digit, the two-digit ones are
 * listed, every other one is three). */
static size_t
calling_code_len(const char *digits)
{
    static const char *const two[] = {
        "20", "27", "30", "31", "32", "33", "34", "36", "39", "40", "41",
        "43", "44", "45", "46", "47", "48", "49", "51", "52", "53", "54",
        "55", "56", "57", "58", "60", "61", "62", "63", "64", "65", "66",
        "81", "82", "84", "86", "90", "91", "92", "93", "94", "95", "98"};
    size_t i;

    if (digits[0] == '1' || digits[0] == '7')
        return 1;
    for (i = 0; i < sizeof two / sizeof two[0]; i++)
        if (strncmp(digits, two[i], 2) == 0)
            return 2;
    return 3;
}

/* Bytes of the UTF-8 character at s (1 for a stray byte). */
static size_t
u8len(const unsigned char *s)
{
    size_t n = *s < 0x80 ? 1 : *s >= 0xf0 ? 4 : *s >= 0xe0 ? 3
                                              : *s >= 0xc0 ? 2 : 1;
    size_t i;

    for (i = 1; i < n; i++)
        if ((s[i] & 0xc0) != 0x80)
            return 1;
    return n;
}

char *
alert_mask(const char *kind, const char *value)
{
    size_t n = strlen(value), i, k, cc, nd = 0, keep;
    char *out = malloc(n + 8 > 16 ? n + 8 : 16), digits[64];

    if (out == NULL)
        return NULL;
    if (strcmp(kind, "phone") == 0) {
        for (i = 0; i < n && nd < sizeof digits - 1; i++)
            if (isdigit((unsigned char)value[i]))
                digits[nd++] = value[i];
        digits[nd] = 0;
        if (value[0] != '+' || nd < 5) { /* no country code: last 2 only */
            for (i = 0, k = 0; i < nd; i++)
                out[k++] = i + 2 >= nd ? digits[i] : '*';
            out[k] = 0;
            return out;
        }
        cc = calling_code_len(digits);
        k = 0;
        out[k++] = '+';
        memcpy(out + k, digits, cc);
        k += cc;
        out[k++] = ' ';
        for (i = cc; i < nd; i++)
            out[k++] = i + 2 >= nd ? digits[i] : '*';
        out[k] = 0;
        return out;
    }
    if (strcmp(kind, "plate") == 0 || strcmp(kind, "handle") == 0) {
        /* plate: first and last character; handle: first 2, then *** */
        size_t first = 0, last = n, chars = 0;

        for (i = 0; i < n; i += u8len((const unsigned char *)value + i))
            chars++;
        keep = strcmp(kind, "plate") == 0 ? 1 : 2;
        for (i = 0, k = 0; i < n && k < keep; k++)
            i += u8len((const unsigned char *)value + i);
        first = i;
        if (chars <= keep + (keep == 1)) { /* too short to keep anything */
            snprintf(out, 16, "***");
            return out;
        }
        memcpy(out, value, first);
        k = first;
        if (keep == 1) {
            for (i = first; i < n; i += u8len((const unsigned char *)value + i))
                last = i;
            for (i = 0; i + 2 < chars; i++)
                out[k++] = '*';
            memcpy(out + k, value + last, n - last);
            k += n - last;
        } else {
            memcpy(out + k, "***", 3);
            k += 3;
        }
        out[k] = 0;
        return out;
    }
    memcpy(out, value, n + 1); /* place: the caseworker words it */
    return out;
}

/* ---- from the cases --------------------------------------------------- */

/* 1 if s holds a control character (a reporter's text must not bring
 * lines of its own into the editor's template). */
static int
has_control(const char *s)
{
    for (; *s; s++)
        if ((unsigned char)*s < 0x20 || *s == 0x7f)
            return 1;
    return 0;
}

/* A malloc'd copy of s with every control character made a space. */
static char *
flat(const char *s)
{
    size_t n = strlen(s), i;
    char *o = malloc(n + 1);

    if (o == NULL)
        return NULL;
    for (i = 0; i <= n; i++)
        o[i] = i < n && ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
                   ? ' '
                   : s[i];
    return o;
}

struct from_cases {
    const struct alert_draft_opts *o;
    int64_t id;
    int refused;       /* a case without consent: printed */
    int have_country;
    char country[3];
    char region[4 * ALERT_REGION_MAX + 1];
    int region_mixed;  /* the cases name different regions */
    long from, to;     /* the incidents' days; from > to: none yet */
    uint32_t cats;     /* bits of the categories seen, by CATS order */
    uint32_t perps;
    json_t *descriptions; /* array of strings */
    json_t *candidates;
    int unmasked;
    char *why; /* what refused the draft */
    size_t cap;
};

static const char *const CATS[] = {
    "physical-violence", "sexual-violence",  "robbery",
    "non-payment",       "threats-stalking", "police-harassment",
    "police-extortion",  "arrest-detention", "immigration-raid",
    "exploitation",      "service-discrimination", "housing-eviction",
    "other"};
static const char *const PERPS[] = {"client",   "police",  "immigration",
                                    "manager",  "landlord", "partner",
                                    "other",    "unknown"};

static uint32_t
bit_of(const char *const *names, size_t n, const char *s)
{
    size_t i;

    for (i = 0; s != NULL && i < n; i++)
        if (strcmp(s, names[i]) == 0)
            return 1u << i;
    return 0;
}

/* The identifiers of doc d (case id) onto c->candidates. */
static int
add_candidates(json_t *cand, json_t *perp, int64_t id, int unmasked)
{
    json_t *ids = json_object_get(perp, "identifiers"), *v;
    size_t i;

    json_array_foreach(ids, i, v)
    {
        const char *kind = json_string_value(json_object_get(v, "kind"));
        const char *val = json_string_value(json_object_get(v, "value"));
        char *m;

        if (kind == NULL || val == NULL || val[0] == 0 ||
            !umbra_utf8_valid((const uint8_t *)val, strlen(val)))
            continue;
        if (strcmp(kind, "phone") != 0 && strcmp(kind, "plate") != 0 &&
            strcmp(kind, "handle") != 0 && strcmp(kind, "place") != 0)
            continue;
        m = unmasked ? flat(val) : alert_mask(kind, val);
        if (m == NULL)
            return -1;
        if (has_control(m)) { /* masking kept one: make it harmless */
            char *f = flat(m);

            free(m);
            if ((m = f) == NULL)
                return -1;
        }
        if (json_array_size(cand) < 100)
            json_array_append_new(cand,
                                  json_pack("{s:s,s:s,s:I}", "kind", kind,
                                            "value", m, "case",
                                            (json_int_t)id));
        free(m);
    }
    return 0;
}

static int
one_case(void *ctx, const struct store_row *r, const uint8_t *doc,
         size_t doc_len, const char *mailbox_id)
{
    struct from_cases *c = ctx;
    json_t *d, *inc, *perp, *v;
    const char *date, *country, *region;
    long f, t;
    size_t i;

    (void)mailbox_id;
    d = json_loadb((const char *)doc, doc_len, JSON_REJECT_DUPLICATES, NULL);
    if (c->o == NULL) { /* candidates only */
        perp = json_object_get(d, "perpetrator");
        i = (size_t)add_candidates(c->candidates, perp, c->id, c->unmasked);
        json_decref(d);
        return i != 0 ? -1 : 0;
    }
    if (!json_is_true(json_object_get(json_object_get(d, "consent"),
                                      "alert"))) {
        snprintf(c->why, c->cap,
                 "case %lld: the reporter did not agree to an alert "
                 "(consent.alert); leave this case out",
                 (long long)c->id);
        c->refused = 1;
        json_decref(d);
        return 1;
    }
    inc = json_object_get(d, "incident");
    date = json_string_value(json_object_get(inc, "date"));
    if (date == NULL || incident_span(&f, &t, date) != 0) {
        date = r->received;
        if (incident_span(&f, &t, date) != 0)
            f = t = alert_today();
    }
    if (f < c->from)
        c->from = f;
    if (t > c->to)
        c->to = t;
    country = json_string_value(json_object_get(inc, "country"));
    if (country != NULL && strlen(country) == 2 &&
        isalpha((unsigned char)country[0]) &&
        isalpha((unsigned char)country[1])) {
        char cc[3] = {(char)toupper((unsigned char)country[0]),
                      (char)toupper((unsigned char)country[1]), 0};

        if (c->have_country && strcmp(cc, c->country) != 0) {
            snprintf(c->why, c->cap,
                     "case %lld happened in %s, another case in %s: an "
                     "alert covers one country; draft one per country",
                     (long long)c->id, cc, c->country);
            c->refused = 1;
            json_decref(d);
            return 1;
        }
        memcpy(c->country, cc, 3);
        c->have_country = 1;
    }
    region = json_string_value(json_object_get(inc, "region"));
    if (region == NULL || region[0] == 0 || has_control(region) ||
        strlen(region) >= sizeof c->region)
        c->region_mixed = 1;
    else if (c->region[0] == 0)
        snprintf(c->region, sizeof c->region, "%s", region);
    else if (strcmp(c->region, region) != 0)
        c->region_mixed = 1;
    json_array_foreach(json_object_get(d, "categories"), i, v)
        c->cats |= bit_of(CATS, sizeof CATS / sizeof CATS[0],
                          json_string_value(v));
    perp = json_object_get(d, "perpetrator");
    json_array_foreach(json_object_get(perp, "types"), i, v)
        c->perps |= bit_of(PERPS, sizeof PERPS / sizeof PERPS[0],
                           json_string_value(v));
    c->perps |= bit_of(PERPS, sizeof PERPS / sizeof PERPS[0],
                       json_string_value(json_object_get(perp, "type")));
    v = json_object_get(perp, "description");
    if (json_is_string(v) && json_string_length(v) > 0 &&
        json_array_size(c->descriptions) < ALERT_MAX_CASES) {
        char *fl = flat(json_string_value(v));

        if (fl == NULL) {
            json_decref(d);
            return -1;
        }
        json_array_append_new(c->descriptions, json_string(fl));
        free(fl);
    }
    if (add_candidates(c->candidates, perp, c->id, c->unmasked) != 0) {
        json_decref(d);
        return -1;
    }
    json_decref(d);
    return 0;
}

/* "a, b and c" of the names whose bits are set, '-' as a space. */
static void
join_bits(char *out, size_t cap, const char *const *names, size_t n,
          uint32_t bits)
{
    size_t i, k = 0, seen = 0, total = 0;

    out[0] = 0;
    for (i = 0; i < n; i++)
        total += (bits >> i) & 1u;
    for (i = 0; i < n; i++) {
        const char *p;

        if (!((bits >> i) & 1u))
            continue;
        seen++;
        if (seen > 1)
            k += (size_t)snprintf(out + k, cap - k, "%s",
                                  seen == total ? " and " : ", ");
        for (p = names[i]; *p && k + 1 < cap; p++)
            out[k++] = *p == '-' ? ' ' : *p;
        out[k] = 0;
        if (k + 8 >= cap)
            break;
    }
}

/* The English texts drafted from what the cases say. */
static json_t *
english_text(const struct from_cases *c, size_t ncases, long wfrom, long wto)
{
    char what[200], who[120], title[340], from[11], to[11];
    json_t *v, *t;
    size_t i;
    char *body = NULL;
    size_t blen = 0;
    FILE *f = open_memstream(&body, &blen);

    if (f == NULL)
        return NULL;
    join_bits(what, sizeof what, CATS, sizeof CATS / sizeof CATS[0],
              c->cats);
    join_bits(who, sizeof who, PERPS, sizeof PERPS / sizeof PERPS[0],
              c->perps);
    snprintf(title, sizeof title, "Warning: %s%s%s%s",
             what[0] ? what : "danger", who[0] ? " (" : "", who,
             who[0] ? ")" : "");
    /* whole weeks only: never the day of an incident */
    alert_date(from, wfrom);
    alert_date(to, wto);
    fprintf(f, "%zu %s told us about %s in the weeks from %s to %s.",
            ncases, ncases == 1 ? "person has" : "people have",
            what[0] ? what : "what happened", from, to);
    if (who[0])
        fprintf(f, " Who: %s.", who);
    json_array_foreach(c->descriptions, i, v)
    {
        if (i == 0)
            fputs("\nDescription:", f);
        fprintf(f, "\n- %s", json_string_value(v));
    }
    fputs("\nTake care, and tell us if you see this person.", f);
    fclose(f);
    if (body == NULL)
        return NULL;
    t = json_pack("{s:s,s:s,s:s}", "lang", "en", "title", title, "body",
                  body);
    free(body);
    return t;
}

/* ALERT_TRANSLATE + s, malloc'd; NULL when out of memory. */
static char *
marked(const char *s)
{
    size_t n = strlen(ALERT_TRANSLATE) + strlen(s) + 1;
    char *out = malloc(n);

    if (out != NULL)
        snprintf(out, n, "%s%s", ALERT_TRANSLATE, s);
    return out;
}

int
alert_draft(json_t **alert, json_t **candidates, struct store *s,
            const struct alert_draft_opts *o, char *why, size_t cap)
{
    struct from_cases c;
    json_t *a = NULL, *texts = NULL, *en = NULL, *ids = NULL, *area = NULL;
    char id[33], issued[11], expires[11], from[11], to[11];
    long today = alert_today(), wfrom, wto;
    size_t i;
    int rc = -1, r;

    memset(&c, 0, sizeof c);
    c.o = o;
    c.from = 1L << 30;
    c.to = -(1L << 30);
    c.unmasked = o->unmasked;
    c.why = why;
    c.cap = cap;
    snprintf(why, cap, "the case store failed");
    c.descriptions = json_array();
    c.candidates = json_array();
    if (c.descriptions == NULL || c.candidates == NULL)
        goto oom;
    for (i = 0; i < o->ncases; i++) {
        c.id = o->cases[i];
        r = store_get_case(s, o->cases[i], one_case, &c);
        if (r == 1 && !c.refused) {
            snprintf(why, cap, "no case %lld", (long long)o->cases[i]);
            goto out;
        }
        if (r != 0)
            goto out;
    }
    if (!c.have_country) {
        snprintf(why, cap, "none of these cases says in which country it "
                           "happened; an alert needs a country");
        goto out;
    }
    for (i = 0; i < o->nidents; i++)
        if (o->idents[i] < 1 || o->idents[i] > json_array_size(c.candidates)) {
            if (json_array_size(c.candidates) == 0)
                snprintf(why, cap,
                         "identifier %u: these cases hold no identifier",
                         o->idents[i]);
            else
                snprintf(why, cap,
                         "identifier %u: these cases hold identifiers 1 to "
                         "%zu",
                         o->idents[i], json_array_size(c.candidates));
            goto out;
        }
    wfrom = c.from - weekday(c.from);
    wto = c.to + 6 - weekday(c.to);
    if ((wto - wfrom + 1) / 7 > (long)ALERT_WEEKS_MAX) {
        snprintf(why, cap,
                 "these cases' incidents span %ld weeks; an alert covers at "
                 "most %u: draft one for the recent cases",
                 (wto - wfrom + 1) / 7, ALERT_WEEKS_MAX);
        goto out;
    }
    alert_new_id(id);
    alert_date(issued, today);
    alert_date(expires, today + (long)(o->days ? o->days : ALERT_DAYS_DEFAULT));
    alert_date(from, wfrom);
    alert_date(to, wto);
    area = json_pack("{s:s}", "country", c.country);
    if (area == NULL)
        goto oom;
    if (o->region && !c.region_mixed && c.region[0] &&
        strlen(c.region) <= ALERT_REGION_MAX)
        json_object_set_new(area, "region", json_string(c.region));
    ids = json_array();
    texts = json_array();
    en = english_text(&c, o->ncases, wfrom, wto);
    if (ids == NULL || texts == NULL || en == NULL)
        goto oom;
    for (i = 0; i < o->nidents; i++) {
        json_t *cand = json_array_get(c.candidates, o->idents[i] - 1);

        json_array_append_new(
            ids, json_pack("{s:O,s:O}", "kind", json_object_get(cand, "kind"),
                           "value", json_object_get(cand, "value")));
    }
    for (i = 0; i < (o->nlangs ? o->nlangs : 1); i++) {
        const char *lang = o->nlangs ? o->langs[i] : "en";
        char *tt, *bb;

        if (strcmp(lang, "en") == 0) {
            json_array_append(texts, en);
            continue;
        }
        tt = marked(json_string_value(json_object_get(en, "title")));
        bb = marked(json_string_value(json_object_get(en, "body")));
        if (tt == NULL || bb == NULL) {
            free(tt);
            free(bb);
            goto oom;
        }
        json_array_append_new(texts, json_pack("{s:s,s:s,s:s}", "lang", lang,
                                               "title", tt, "body", bb));
        free(tt);
        free(bb);
    }
    a = json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:O,s:{s:s,s:s},s:O,s:O}", "org",
                  o->org, "id", id, "kind", "alert", "issued", issued,
                  "expires", expires, "level",
                  o->level ? o->level : "warning", "area", area, "period",
                  "from", from, "to", to, "identifiers", ids, "texts", texts);
    if (a == NULL)
        goto oom;
    *alert = a;
    if (candidates != NULL)
        *candidates = json_incref(c.candidates);
    rc = 0;
    goto out;
oom:
    snprintf(why, cap, "out of memory");
out:
    json_decref(area);
    json_decref(ids);
    json_decref(texts);
    json_decref(en);
    json_decref(c.descriptions);
    json_decref(c.candidates);
    return rc;
}

int
alert_candidates(json_t **out, struct store *s, const char *cases,
                 int unmasked)
{
    struct from_cases c;
    const char *p = cases;

    memset(&c, 0, sizeof c);
    c.unmasked = unmasked;
    c.candidates = json_array();
    if (c.candidates == NULL)
        return -1;
    while (*p) {
        char *end;
        long long id = strtoll(p, &end, 10);

        if (end == p)
            break;
        c.id = id;
        if (store_get_case(s, id, one_case, &c) < 0) {
            json_decref(c.candidates);
            return -1;
        }
        p = *end == ',' ? end + 1 : end;
    }
    *out = c.candidates;
    return 0;
}
