/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * alert: the signed alert file (protocol section "Alerts"), in JSON with
 * jansson.
 *
 * An alert file is one JSON object {format, alert, signer, signature}
 * where alert is the inner alert JSON kept as a string: the Ed25519
 * signature by signer covers "umbra.alert/1\n" followed by the exact bytes
 * of that string, so no canonical JSON is needed and any edit anywhere
 * breaks it. The inner JSON is an alert (org, id, kind "alert", issued,
 * expires, level, area, period, identifiers, texts) or a withdrawal (org,
 * id, kind "withdrawal", issued, withdraws). Parsing is strict: at most
 * UMBRA_ALERT_MAX_BYTES before any parsing, duplicate and unknown members
 * refused in both objects, every field checked with its cap, then the
 * signature, then the signer against the bundle. The public API (struct
 * umbra_alert, umbra_alert_*) is in umbra.h.
 */
#ifndef UMBRA_ALERT_H
#define UMBRA_ALERT_H

#include "umbra.h"

/*
 * Days since 1970-01-01 of the date s (YYYY-MM-DD, umbra_date_valid), or
 * -1 if s is not one. The alert rules (expiry, period, Monday, Sunday) and
 * the server's window of issue dates count in these.
 */
long umbra_alert_day(const char *s);

/* Writes the date of day number d (days since 1970-01-01) to out. */
void umbra_alert_date(char out[11], long d);

/* Longest signed text: the format line and the largest alert string. */
#define UMBRA_ALERT_PREFIX UMBRA_ALERT_FORMAT "\n"

#endif
