/* SPDX-License-Identifier: AGPL-3.0-or-later */
/* pageform: see pageform.h. */
#include "pageform.h"
#include "i18n.h"

#include "umbra.h"

#include <stdio.h>
#include <string.h>

const char *
pageform_value(const struct page_form *f, const char *name, unsigned i)
{
    unsigned from = 0;
    const char *s = NULL;

    if (f == NULL)
        return NULL;
    do
        s = f->get(f->arg, name, &from);
    while (s != NULL && i-- > 0);
    return s;
}

int
pageform_has(const struct page_form *f, const char *name, const char *code)
{
    unsigned from = 0;
    const char *s;

    if (f == NULL)
        return 0;
    while ((s = f->get(f->arg, name, &from)) != NULL)
        if (strcmp(s, code) == 0)
            return 1;
    return 0;
}

static const struct pageform_field FIELDS[] = {
    {"categories", "what", "report.what", E_WHAT, 0},
    {"narrative", "narrative", "report.narrative", E_NARRATIVE,
     UMBRA_REPORT_NARRATIVE_MAX},
    {"incident.date", "day", "report.date", E_DATE, 0},
    {"incident.day", "day", "report.date", E_DATE, 0},
    {"incident.month", "month", "report.date", E_DATE, 0},
    {"incident.year", "year", "report.date", E_DATE, 0},
    {"incident.country", "country", "report.country", E_COUNTRY, 0},
    {"incident.region", "region", "report.region", E_REGION,
     UMBRA_REPORT_INCIDENT_REGION_MAX},
    {"incident.place", "place", "report.place", E_PLACE,
     UMBRA_REPORT_INCIDENT_PLACE_MAX},
    {"perpetrator.type", "who", "report.who", E_WHO, 0},
    {"perpetrator.description", "pdesc", "report.description", E_PDESC,
     UMBRA_REPORT_PERPETRATOR_DESCRIPTION_MAX},
    {"perpetrator.identifiers.value", "id1", "report.identifier_value",
     E_IDS, UMBRA_REPORT_PERPETRATOR_IDENTIFIERS_VALUE_MAX},
    {"perpetrator.identifiers.kind", "id1", "report.identifier_kind", E_IDS,
     0},
    {"needs", "needs", "report.needs", E_NEEDS, 0},
    {"attachment", "photo", "report.photo", E_PHOTO, 0},
    {"org", "org", "report.org", E_ORG, 0},
};

const struct pageform_field *
pageform_error_field(const char *name)
{
    for (size_t i = 0; name != NULL && i < sizeof FIELDS / sizeof FIELDS[0];
         i++)
        if (strcmp(FIELDS[i].field, name) == 0)
            return &FIELDS[i];
    return NULL;
}

const char *
pageform_country_label(const char *menu, const char *cc, char *buf,
                       size_t cap)
{
    char needle[24];
    const char *p, *e;

    snprintf(buf, cap, "%s", cc);
    if (menu == NULL || strlen(cc) != 2 || !((cc[0] >= 'A' && cc[0] <= 'Z') &&
                                              (cc[1] >= 'A' && cc[1] <= 'Z')))
        return buf;
    /* <option value="CC"> or <option value="CC" lang="xx"> */
    snprintf(needle, sizeof needle, "<option value=\"%s\"", cc);
    p = strstr(menu, needle);
    if (p == NULL || (p = strchr(p + strlen(needle), '>')) == NULL)
        return buf;
    p++;
    e = strstr(p, "</option>");
    if (e != NULL && (size_t)(e - p) < cap)
        snprintf(buf, cap, "%.*s", (int)(e - p), p);
    return buf;
}

/* ---- the refused form's names of the page templates ---------------- */

struct tpl_val
pageform_error_name(const struct tpl_query *q, const char *error_field,
                    const char *error_code, const struct i18n_locale *loc,
                    const struct i18n_locale *en)
{
    const struct pageform_field *e = pageform_error_field(error_field);
    int missing;

    if (q->key < EF_ANCHOR)
        return tpl_bool(e != NULL && e->flag == q->key);
    if (e == NULL)
        return tpl_str(NULL);
    if (q->key == EF_ANCHOR)
        return tpl_str(e->anchor);
    if (q->key == EF_LABEL)
        return tpl_str(i18n_text(loc, en, e->label, &missing));
    if (e->max == 0 || error_code == NULL ||
        strcmp(error_code, "field_too_long") != 0)
        return tpl_str(NULL);
    snprintf(q->scratch, q->scratch_len, "%u", e->max);
    return tpl_str(q->scratch);
}

struct tpl_val
pageform_text_name(const struct tpl_query *q, const struct page_form *form,
                   const char *receipt_typed, const char *countries)
{
    static const char *const text[] = {
        [V_NARRATIVE] = "narrative", [V_REGION] = "incident.region",
        [V_PLACE] = "incident.place", [V_PDESC] = "perpetrator.description",
        [V_COUNTRY] = "incident.country"};
    static const char *const capped[] = { /* their caps: pageform.c */
        "narrative", "incident.region", "incident.place",
        "perpetrator.description", "perpetrator.identifiers.value"};
    const char *s = pageform_value(form, "incident.country", 0);

    switch (q->key) {
    case V_COUNTRY_LABEL:
        return tpl_str(s == NULL || *s == '\0' ? NULL
                       : pageform_country_label(countries, s,
                                                q->scratch, q->scratch_len));
    case V_RECEIPT: return tpl_str(receipt_typed);
    case C_STATS: return tpl_bool(pageform_has(form, "consent.statistics", "yes"));
    case C_ALERT: return tpl_bool(pageform_has(form, "consent.alert", "yes"));
    case C_SHARE:
        return tpl_bool(pageform_has(form, "consent.share_with_authorities", "yes"));
    case C_REPLY: /* ticked on a new form */
        return tpl_bool(!form || pageform_has(form, "reply", "yes"));
    default: break;
    }
    if (q->key >= M_NARRATIVE) {
        const struct pageform_field *f =
            pageform_error_field(capped[q->key - M_NARRATIVE]);
        if (f == NULL) /* every capped field is in the table */
            return tpl_str(NULL);
        snprintf(q->scratch, q->scratch_len, "%u", f->max);
        return tpl_str(q->scratch);
    }
    return tpl_str(pageform_value(form, text[q->key], 0));
}
