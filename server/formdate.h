/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * formdate: the incident's date as the no-JavaScript form gives it, made
 * the document's one form (YYYY-MM or YYYY-MM-DD, protocol.md section 6).
 *
 * The form asks with three menus, incident.day (1-31, optional),
 * incident.month (1-12) and incident.year, so that nothing can be
 * mistyped in any language or text browser. A client may instead send
 * incident.date as text: year first, in any script's digits (Arabic-Indic,
 * Thai, full-width ...), with '-', '/', '.' or spaces between the parts
 * and the month and day with or without their leading zero ("2024-5-3",
 * "٢٠٢٤-٠٥-٠٣"). Day-first or month-first dates ("5/3/2024") are refused:
 * they read differently in different countries.
 */
#ifndef UMBRA_SERVER_FORMDATE_H
#define UMBRA_SERVER_FORMDATE_H

#include <stddef.h>

/* From the four fields (each NULL or "" when not given) into out: "" when
 * no date was given, else YYYY-MM or YYYY-MM-DD (the calendar check is
 * umbra_report_date_valid's, later). 0, or -1 with *field set to the form
 * field to fix: incident.year, incident.month (a day without a month, a
 * year without a month) or incident.date. */
int formdate_get(char out[11], const char *date, const char *day,
                 const char *month, const char *year, const char **field);

#endif
