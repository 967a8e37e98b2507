/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * verbs_alert: what the alert sub-commands share (verbs_alert.c: the
 * command line, new, edit, config, list, show; verbs_alert_pub.c: sign,
 * withdraw, push, verify).
 */
#ifndef UMBRA_CASE_VERBS_ALERT_H
#define UMBRA_CASE_VERBS_ALERT_H

#include <jansson.h>

#include "alert_ops.h"
#include "case.h"
#include "store.h"

/* The alert sub-commands' options, as read (verbs_alert.c). */
struct alert_args {
    const char *sub;
    int64_t n;         /* the alert's number (show, sign, edit ...) */
    const char *file;  /* verify */
    const char *bundle, *server, *token_file, *proxy, *area, *level;
    const char *expires;
    int64_t *cases;
    size_t ncases;
    const char **langs;
    size_t nlangs;
    unsigned *idents;
    size_t nidents;
    int unmasked, json, edit, no_edit, signed_file;
};

/* One row copied for a command that works on it. */
struct alert_one {
    int64_t n;
    char *kind, *cases, *body, *signed_file, *pushed, *withdrawn_by;
    char alert_id[33], created[11];
};
/* Alert n into o (free with alert_one_free). 0, or -1 printed ("no alert
 * N; see ..."). */
int alert_get_one(struct alert_one *o, struct store *s, int64_t n) UMBRA_WUR;
void alert_one_free(struct alert_one *o);

int alert_sign(struct case_env *e, const struct alert_args *a);
int alert_withdraw(struct case_env *e, const struct alert_args *a);
int alert_push(struct case_env *e, const struct alert_args *a);
int alert_verify(struct case_env *e, const struct alert_args *a);

/* The home's public.json into b; prints its error. 0 or -1. */
int alert_home_bundle(struct umbra_bundle *b, const struct case_opts *o)
    UMBRA_WUR;

#endif
