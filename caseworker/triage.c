/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * triage: checking and applying a case's triage changes (see triage.h);
 * and the statuses a case can have.
 */
#include "triage.h"
#include "case.h"
#include "store.h"

#include <string.h>

static const char *const STATUSES[] = {"new", "in-progress", "waiting",
                                       "referred", "closed"};
static const char *const PRIORITIES[] = {"urgent", "high", "normal", "low"};

static int
one_of(const char *v, const char *const *set, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++)
        if (strcmp(v, set[i]) == 0)
            return 1;
    return 0;
}

int
case_status_known(const char *status)
{
    return one_of(status, STATUSES, 5);
}

int
triage_priority_known(const char *priority)
{
    return one_of(priority, PRIORITIES, 4);
}

/* A short text a caseworker typed: UTF-8, no control characters. */
static int
valid_text(const char *s, size_t max, int allow_newlines)
{
    size_t n = strlen(s), i;

    if (n == 0 || n > max || !umbra_utf8_valid((const uint8_t *)s, n))
        return 0;
    for (i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];

        if ((c < 0x20 && !(allow_newlines && (c == '\n' || c == '\t'))) ||
            c == 0x7f)
            return 0;
    }
    return 1;
}

enum triage_check
triage_invalid(const struct triage *t)
{
    size_t k;

    if (t->status && !case_status_known(t->status))
        return TRIAGE_BAD_STATUS;
    if (t->priority && !triage_priority_known(t->priority))
        return TRIAGE_BAD_PRIORITY;
    for (k = 0; k < t->nl + t->nu; k++) {
        const char *l = k < t->nl ? t->labels[k] : t->unlabels[k - t->nl];

        if (!valid_text(l, 64, 0) || strchr(l, ',') != NULL)
            return TRIAGE_BAD_LABEL;
    }
    if ((t->assign && !valid_text(t->assign, 64, 0)) ||
        (t->note && !valid_text(t->note, 4096, 1)) ||
        (t->as && !valid_text(t->as, 64, 0)))
        return TRIAGE_BAD_TEXT;
    return TRIAGE_OK;
}

int
triage_apply(struct store *s, const struct triage *t, const char *who,
             int *changes)
{
    size_t k;
    int r;

    r = store_case_exists(s, t->id);
    if (r != 1)
        return r == 0 ? 1 : -1;
    if ((t->status && store_set_field(s, t->id, "status", t->status, who)) ||
        (t->priority &&
         store_set_field(s, t->id, "priority", t->priority, who)) ||
        (t->assign && store_set_field(s, t->id, "assignee", t->assign, who)))
        return -1;
    *changes +=
        (t->status != NULL) + (t->priority != NULL) + (t->assign != NULL);
    for (k = 0; k < t->nl; k++, (*changes)++)
        if (store_add_label(s, t->id, t->labels[k], who) != 0)
            return -1;
    for (k = 0; k < t->nu; k++, (*changes)++)
        if (store_remove_label(s, t->id, t->unlabels[k], who) != 0)
            return -1;
    if (t->note) {
        if (store_add_note(s, t->id, t->note, who) != 0)
            return -1;
        (*changes)++;
    }
    return 0;
}
