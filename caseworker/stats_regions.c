/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * stats_regions: an organisation's region groups (see stats_regions.h).
 */
#include "stats_regions.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define REGIONS_FILE_MAX (256u * 1024u)

static char *
trim(char *s)
{
    char *e;

    while (*s == ' ' || *s == '\t')
        s++;
    e = s + strlen(s);
    while (e > s &&
           (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r' || e[-1] == '\n'))
        *--e = '\0';
    return s;
}

static int
key_ok(const char *s)
{
    size_t n = strlen(s), i;

    if (n == 0 || n >= STATS_KEY_MAX)
        return 0;
    for (i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x20 || c == 0x7f || c == '<' || c == '>' || c == '&' ||
            c == '"' || c == ',' || c == '=')
            return 0;
    }
    return 1;
}

/*
 * Reads "NAME = CC, CC/Region name, ..." lines ('#' comments) into *r.
 * Prints its error; 0 or -1.
 */
static int
regions_load(struct stats_regions *r, const char *path)
{
    FILE *f = NULL;
    char line[4096];
    unsigned lineno = 0, i;
    uint64_t h = 14695981039346656037ull;
    int rc = -1;

    memset(r, 0, sizeof *r);
    memset(r->by_country, -1, sizeof r->by_country);
    f = fopen(path, "r");
    if (f == NULL) {
        stats_say("cannot open region groups '%s': %s", path, strerror(errno));
        return -1;
    }
    while (fgets(line, sizeof line, f) != NULL) {
        char *eq, *name, *list, *item, *next;
        const char *c;

        lineno++;
        for (c = line; *c; c++)
            h = (h ^ (unsigned char)*c) * 1099511628211ull;
        if (strchr(line, '\n') == NULL && !feof(f)) {
            stats_say("'%s' line %u: too long", path, lineno);
            goto out;
        }
        name = trim(line);
        if (*name == '#' || *name == '\0')
            continue;
        eq = strchr(name, '=');
        if (eq == NULL) {
            stats_say("'%s' line %u: expected NAME = CC, CC/Region", path,
                      lineno);
            goto out;
        }
        *eq = '\0';
        list = eq + 1;
        name = trim(name);
        if (!key_ok(name) || !strcmp(name, "other") ||
            !strcmp(name, "unknown") || !strcmp(name, "total")) {
            stats_say("'%s' line %u: bad group name", path, lineno);
            goto out;
        }
        if (r->ngroups == STATS_REGIONS_MAX_GROUPS) {
            stats_say("'%s': more than %u groups", path,
                      STATS_REGIONS_MAX_GROUPS);
            goto out;
        }
        snprintf(r->group[r->ngroups], STATS_KEY_MAX, "%s", name);
        for (item = list; item != NULL; item = next) {
            char *slash, *it;

            next = strchr(item, ',');
            if (next != NULL)
                *next++ = '\0';
            it = trim(item);
            if (*it == '\0')
                continue;
            slash = strchr(it, '/');
            if (slash != NULL)
                *slash = '\0';
            if (strlen(it) != 2 || it[0] < 'A' || it[0] > 'Z' || it[1] < 'A' ||
                it[1] > 'Z' || r->nentries == STATS_REGIONS_MAX_ENTRIES ||
                (slash != NULL && (strlen(trim(slash + 1)) == 0 ||
                                   strlen(trim(slash + 1)) >= 64))) {
                stats_say("'%s' line %u: bad entry '%s' (want CC or CC/Region)",
                          path, lineno, it);
                goto out;
            }
            i = r->nentries++;
            memcpy(r->e[i].country, it, 3);
            r->e[i].group = r->ngroups;
            if (slash != NULL) {
                snprintf(r->e[i].region, 64, "%s", trim(slash + 1));
                r->has_sub = 1;
            } else {
                r->by_country[(it[0] - 'A') * 26 + (it[1] - 'A')] =
                    (signed char)r->ngroups;
            }
        }
        r->ngroups++;
    }
    if (ferror(f)) {
        stats_say("cannot read '%s'", path);
        goto out;
    }
    if (r->ngroups == 0) {
        stats_say("'%s' defines no region group", path);
        goto out;
    }
    snprintf(r->hash, sizeof r->hash, "%016" PRIx64, h);
    rc = 0;
out:
    fclose(f);
    return rc;
}

int
stats_regions_group(const struct stats_regions *r, const struct case_facts *f)
{
    unsigned i;

    if (f->country[0] < 'A' || f->country[0] > 'Z' || f->country[1] < 'A' ||
        f->country[1] > 'Z' || f->country[2] != '\0')
        return -1;
    if (r->has_sub && f->region[0] != '\0')
        for (i = 0; i < r->nentries; i++)
            if (r->e[i].region[0] != '\0' &&
                r->e[i].country[0] == f->country[0] &&
                r->e[i].country[1] == f->country[1] &&
                strcasecmp(r->e[i].region, f->region) == 0)
                return (int)r->e[i].group;
    return r->by_country[(f->country[0] - 'A') * 26 + (f->country[1] - 'A')];
}

int
stats_regions_find(struct stats_regions **out, const char *path,
                   const char *home)
{
    char buf[4096];
    struct stats_regions *r;

    *out = NULL;
    if (path == NULL) {
        int n;
        FILE *f;

        if (home == NULL || *home == '\0')
            return 1;
        n = snprintf(buf, sizeof buf, "%s/stats-regions.conf", home);
        if (n < 0 || (size_t)n >= sizeof buf)
            return 1;
        f = fopen(buf, "r");
        if (f == NULL)
            return 1;
        fclose(f);
        path = buf;
    }
    r = malloc(sizeof *r);
    if (r == NULL)
        return -1;
    if (regions_load(r, path) != 0) {
        free(r);
        return -1;
    }
    *out = r;
    return 0;
}
