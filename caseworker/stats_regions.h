/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * stats_regions: an organisation's region groups (`stats --by region`),
 * read from --regions or from stats-regions.conf in the home folder:
 * "NAME = CC, CC/Region name, ..." lines, '#' comments, at most
 * STATS_REGIONS_MAX_GROUPS groups and STATS_REGIONS_MAX_ENTRIES entries.
 *
 * A struct stats_regions is one flat block (no pointers inside): the
 * group names, the entries, a group per whole country and a short hash
 * of the file that the publication ledger records. The caller frees it.
 */
#ifndef UMBRA_CASE_STATS_REGIONS_H
#define UMBRA_CASE_STATS_REGIONS_H

#include "facts.h"
#include "stats_table.h"

#define STATS_REGIONS_MAX_GROUPS 64u
#define STATS_REGIONS_MAX_ENTRIES 1024u

struct stats_regions {
    unsigned ngroups;
    char group[STATS_REGIONS_MAX_GROUPS][STATS_KEY_MAX];
    unsigned nentries;
    struct {
        char country[3];
        char region[64]; /* "" = the whole country */
        unsigned group;
    } e[STATS_REGIONS_MAX_ENTRIES];
    signed char by_country[26 * 26]; /* group of a whole country, or -1 */
    int has_sub;                     /* some entries name a region */
    char hash[17];                   /* of the file, for the ledger */
};

/* The group of a case, or -1 (not in any group). */
int stats_regions_group(const struct stats_regions *r,
                        const struct case_facts *f);

/* Region groups: the file at path, else home/stats-regions.conf when home
 * is not NULL and that file exists. Sets *out to a malloc'd struct (the
 * caller frees it) or NULL. 1 when there is none, 0 loaded, -1 error
 * (printed). */
int stats_regions_find(struct stats_regions **out, const char *path,
                       const char *home) __attribute__((warn_unused_result));

#endif
