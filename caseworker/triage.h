/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * triage: the changes of a case's status, priority, labels, assignee and
 * notes, as the verb triage (verbs_triage.c) and the desk (desk_case.c)
 * both make them: the values checked first (triage_invalid), then each
 * change written with a line of history (triage_apply). The struct only
 * points at the caller's strings.
 */
#ifndef UMBRA_CASE_TRIAGE_H
#define UMBRA_CASE_TRIAGE_H

#include <stddef.h>
#include <stdint.h>

#include "umbra.h"

struct store;

struct triage {
    int64_t id;
    const char *status, *priority, *assign, *note, *as; /* NULL: unchanged */
    const char **labels, **unlabels;                    /* nl and nu entries */
    size_t nl, nu;
};

enum triage_check {
    TRIAGE_OK,
    TRIAGE_BAD_STATUS,   /* not new, in-progress, waiting, referred, closed */
    TRIAGE_BAD_PRIORITY, /* not urgent, high, normal, low */
    TRIAGE_BAD_LABEL,    /* 1 to 64 characters, no comma, no control */
    TRIAGE_BAD_TEXT      /* a name over 64, a note over 4096, controls */
};

/* What is wrong with t's values, TRIAGE_OK if nothing. */
enum triage_check triage_invalid(const struct triage *t);

/* 1 if priority is urgent, high, normal or low. */
int triage_priority_known(const char *priority);

/* Every change of t to the open store, in the caller's transaction;
 * *changes counts them. 0, 1 if the case does not exist, <0 error. */
int triage_apply(struct store *s, const struct triage *t, const char *who,
                 int *changes) UMBRA_WUR;

#endif
