/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * stats_json: the JSON export of a protected table, both ways: written
 * for `--format json`, the ledger and `stats merge`, and read back by the
 * ledger and `stats merge`. The canonical form (stats_json) has English
 * notes; the reader checks every field against the caps of stats_table.h
 * and refuses what a writer could not have written.
 */
#ifndef UMBRA_CASE_STATS_JSON_H
#define UMBRA_CASE_STATS_JSON_H

#include "stats_table.h"

#include <stddef.h>
#include <stdio.h>

/* Writes p as JSON to f with notes in language li and a newline. 0 or -1
 * (a write or memory error). */
int stats_json_write(FILE *f, const struct stats_pub *p, int li)
    __attribute__((warn_unused_result));

/* The canonical JSON of p (malloc'd, caller frees), or NULL. */
char *stats_json(const struct stats_pub *p);

/* Parses an export (stats_json's format) into *p (stats_pub_release it).
 * 0, or -1 with a message in err (cap bytes). */
int stats_parse(struct stats_pub *p, const char *json, size_t len, char *err,
                size_t cap);

#endif
