/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * alert_draft: a community alert (docs/protocol.md "Alerts") drafted from
 * cases whose reporters consented (consent.alert), shown to the caseworker
 * as a readable template and read back (alert_text.c), and checked.
 *
 * The draft is the inner alert JSON (a jansson object, keys in the
 * protocol's order): org, id, kind "alert", issued, expires, level, area
 * (country, and region unless the home's granularity is the country),
 * period (whole ISO weeks, Monday to Sunday, covering the incidents'
 * dates), identifiers (those the caseworker chose, masked unless asked
 * otherwise) and texts (one per language; English drafted from the
 * cases' categories and perpetrator fields, the other languages the same
 * text marked "[translate]" until a caseworker writes them). The
 * candidates are every identifier the cases hold: a JSON array of
 * {"kind", "value" (masked or not), "case"}.
 *
 * Nothing here prints: errors are returned with their reason; the verbs
 * and the desk share it.
 */
#ifndef UMBRA_CASE_ALERT_DRAFT_H
#define UMBRA_CASE_ALERT_DRAFT_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "umbra.h"

struct store;

#define ALERT_MAX_CASES 64u
#define ALERT_MAX_TEXTS 12u
#define ALERT_MAX_IDENTS 10u
#define ALERT_TITLE_MAX 200u    /* UTF-16 units */
#define ALERT_BODY_MAX 4000u    /* UTF-16 units */
#define ALERT_REGION_MAX 100u   /* characters */
#define ALERT_VALUE_MAX 100u    /* characters */
#define ALERT_DAYS_DEFAULT 90u
#define ALERT_DAYS_MAX 365u
#define ALERT_WEEKS_MAX 26u
#define ALERT_FILE_MAX 65536u
/* what marks a text not translated yet: a draft with it cannot be signed */
#define ALERT_TRANSLATE "[translate] "

struct alert_draft_opts {
    const char *org;
    const int64_t *cases;
    size_t ncases;
    const char *const *langs; /* NULL: English only */
    size_t nlangs;
    const unsigned *idents;   /* numbers (from 1) of candidates to include */
    size_t nidents;
    int unmasked;
    const char *level;        /* NULL: warning */
    unsigned days;            /* expiry; 0: ALERT_DAYS_DEFAULT */
    int region;               /* 1: area down to the region; 0: country */
};

/*
 * Drafts an alert from the cases of o (each must exist and have
 * consent.alert true, else the refusal names the case). *alert and
 * *candidates (may be NULL) are new references the caller decrefs. 0, or
 * -1 with the reason in why (nothing allocated).
 */
int alert_draft(json_t **alert, json_t **candidates, struct store *s,
                const struct alert_draft_opts *o, char *why,
                size_t cap) UMBRA_WUR;

/* The identifiers of the cases listed "3,7" (a row's cases), masked
 * unless unmasked, as alert_draft's candidates. 0 or -1. */
int alert_candidates(json_t **out, struct store *s, const char *cases,
                     int unmasked) UMBRA_WUR;

/* value of kind masked (protocol: phone keeps its country code and last 2
 * digits, plate its first and last character, handle its first 2): a
 * malloc'd string, NULL when out of memory. */
char *alert_mask(const char *kind, const char *value);

/* 1 if lang is one of the 12 languages of the catalogues. */
int alert_lang_known(const char *lang);

/* Days since 1970-01-01 of a date YYYY-MM-DD: 0, or -1 if not a real
 * date. */
int alert_day(long *out, const char *date);
/* The date of day d into out. */
void alert_date(char out[11], long d);
/* Today (UTC) as a day number. */
long alert_today(void);

/*
 * Checks an inner alert JSON against the protocol's rules (the library
 * checks them again when signing) and, when final (to be signed), this
 * tool's own: no text still marked ALERT_TRANSLATE. 0, or -1 with the
 * reason in why.
 */
int alert_check(const json_t *a, int final, char *why, size_t cap);

/* The inner JSON as the string that is signed (compact, keys in order):
 * malloc'd, NULL when out of memory. */
char *alert_dump(const json_t *a);

/* A new alert id: 32 hex of 16 random bytes. */
void alert_new_id(char out[33]);

/* The template the caseworker edits (malloc'd text) for alert a of cases
 * "3,7" with these candidates; NULL when out of memory. */
char *alert_template(const json_t *a, const json_t *candidates,
                     const char *cases);

/*
 * The edited template back into a new alert: org, id, kind and issued
 * from base, the rest from text. 0 with *out a new reference; 1 if the
 * text was emptied (cancelled); -1 with "line N: what is wrong" in why.
 */
int alert_from_template(json_t **out, const char *text, size_t len,
                        const json_t *base, char *why, size_t cap);

#endif
