/* SPDX-License-Identifier: AGPL-3.0-or-later */
/* alert_vec: tests/vectors/alert.json for umbra-vec gen (alert_vec.c). */
#ifndef UMBRA_ALERT_VEC_H
#define UMBRA_ALERT_VEC_H

#include <jansson.h>

/* The alert vectors as a JSON object (the caller owns it). */
json_t *gen_alert(void);

/* umbra-vec alert BUNDLE FILE: prints "ok KIND ID" (exit 0) or
 * "refused ERROR WHY" (exit 1). */
int alert_cli(const char *bundle_path, const char *alert_path);

#endif
