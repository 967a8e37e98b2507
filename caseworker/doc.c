/* SPDX-License-Identifier: AGPL-3.0-or-later */
/* doc: hostile report documents in, checked facts out (see doc.h). */
#include "doc.h"

#include <stdio.h>
#include <string.h>

#include <sodium.h>

/* The quarantine list's English for each refusal of umbra_report_check
 * (umbra.h): text, then the field (or the scanner's detail) and after when
 * after is not NULL. */
static const struct {
    const char *code, *text, *after;
} reasons[] = {
    {"too_large", "document larger than 16 MiB", NULL},
    {"empty", "empty document", NULL},
    {"too_deep", "JSON nested deeper than 16 levels", NULL},
    {"bad_utf8", "not valid UTF-8 (", ")"},
    {"bad_json", "invalid JSON: ", ""},
    {"not_object", "not a JSON object", NULL},
    {"bad_schema", "wrong schema (not umbra.report/1)", NULL},
    {"bad_narrative", "narrative is not text or longer than 1 MiB", NULL},
    {"wrong_type", "wrong type: '", "'"},
    {"missing_fields", "neither a narrative nor categories", NULL},
    {"bad_member", "wrong type or too long: '", "'"},
    {"bad_mailbox", "mailbox or mailbox_id is not a valid key", NULL},
    {"bad_follow_up", "follow_up is not a follow-up's proof, or names no "
                      "mailbox", NULL},
    {"bad_field", "a field has the wrong type", NULL},
};

static void
say_why(char *reason, size_t cap, const struct umbra_report_refusal *why)
{
    const char *arg = why->field != NULL ? why->field : why->detail;
    size_t i;

    for (i = 0; i < sizeof reasons / sizeof reasons[0]; i++)
        if (strcmp(reasons[i].code, why->code) == 0) {
            snprintf(reason, cap, "%s%s%s", reasons[i].text,
                     reasons[i].after != NULL ? arg : "",
                     reasons[i].after != NULL ? reasons[i].after : "");
            return;
        }
    snprintf(reason, cap, "refused (%s)", why->code);
}

/* Copies s into out (cap bytes) with control characters made spaces. */
static void
copy_clean(char *out, size_t cap, const char *s)
{
    size_t i;

    snprintf(out, cap, "%s", s);
    for (i = 0; out[i] != 0; i++)
        if ((unsigned char)out[i] < 0x20 || out[i] == 0x7f)
            out[i] = ' ';
}

int
doc_parse_report(struct doc_report *out, char *reason, size_t cap,
                 const uint8_t *doc, size_t len)
{
    struct umbra_report r;
    struct umbra_report_refusal why;
    int err;

    memset(out, 0, sizeof *out);
    out->facts.perpetrator = -1;
    reason[0] = 0;
    err = umbra_report_check(&r, &why, doc, len);
    if (err == UMBRA_ERR_FORMAT) {
        say_why(reason, cap, &why);
        return 1;
    }
    if (err != 0)
        return -1;
    memcpy(out->facts.incident, r.date, sizeof r.date);
    memcpy(out->facts.country, r.country, sizeof r.country);
    memcpy(out->facts.lang, r.lang, sizeof r.lang);
    copy_clean(out->facts.region, sizeof out->facts.region, r.region);
    out->facts.categories = r.categories;
    out->facts.needs = r.needs;
    out->facts.perpetrator = r.perpetrator;
    out->facts.perpetrators = r.perpetrators;
    out->facts.consent_statistics = r.consent[0]; /* "statistics" */
    copy_clean(out->summary, sizeof out->summary, r.head);
    out->has_mailbox = r.has_mailbox;
    memcpy(out->mailbox_pk, r.mailbox_pk, sizeof out->mailbox_pk);
    memcpy(out->mailbox_id, r.mailbox_id, sizeof out->mailbox_id);
    out->has_follow_up = r.has_follow_up;
    memcpy(out->follow_up_proof, r.follow_up_proof, 32);
    memcpy(out->narrative_sha512, r.narrative_sha512, 64);
    sodium_memzero(&r, sizeof r);
    return 0;
}
