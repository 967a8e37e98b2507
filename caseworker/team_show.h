/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * team_show: the team's history of a case, as show, show --json and the
 * desk present it: the merged events (team.h) in merge order, each with
 * the day, the author's name from the home's bundle (DIR/public.json: its
 * signers; "a former member (fingerprint)" for a key it no longer lists)
 * and a phrase for what was done. The same events give the same object
 * in every member's home.
 */
#ifndef UMBRA_CASE_TEAM_SHOW_H
#define UMBRA_CASE_TEAM_SHOW_H

#include <jansson.h>
#include <stdint.h>

#include "case.h"

struct store;

/*
 * The team object of case id into *out: {"uid", "status", "priority",
 * "assignee" (null when no event set them), "labels", "deleted",
 * "history": [{"day", "who", "what", "type", "id", "clock"}]}; *out NULL
 * when the case has no uid (a case from before case events). 0 or -1.
 */
int team_show_case(json_t **out, struct store *s, const struct case_opts *o,
                   int64_t id) UMBRA_WUR;

#endif
