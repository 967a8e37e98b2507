/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * stats_e2e: test helper that fills a real caseworker home's case store
 * with synthetic facts (store_add_synthetic), so that tests/unit/
 * stats_e2e.py can run `umbra-case stats` on known counts.
 *
 *   stats_e2e fill HOME PASSPHRASE_FILE < SPEC
 *
 * SPEC: one line per group of identical cases:
 *   RECEIVED CATEGORIES PERPETRATOR COUNTRY LANG NEEDS CONSENT COUNT
 * (categories and needs as decimal bit sets, "-" for an empty string).
 * Prints "added N" and exits 0, or a message and 1.
 */
#include "facts.h"
#include "store.h"
#include "umbra.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void
field(char *dst, size_t cap, const char *src)
{
    snprintf(dst, cap, "%s", strcmp(src, "-") == 0 ? "" : src);
}

int
main(int argc, char **argv)
{
    struct umbra_org_keys *k = NULL;
    struct store *s = NULL;
    char pass[1024], line[512], path[4096];
    size_t plen;
    unsigned long added = 0;
    FILE *pf;
    int rc = 1;

    if (argc != 4 || strcmp(argv[1], "fill") != 0) {
        fprintf(stderr, "usage: stats_e2e fill HOME PASSPHRASE_FILE < SPEC\n");
        return 2;
    }
    if (umbra_secure_init() != 0)
        return 1;
    pf = fopen(argv[3], "r");
    if (pf == NULL || fgets(pass, sizeof pass, pf) == NULL) {
        fprintf(stderr, "cannot read passphrase file\n");
        if (pf)
            fclose(pf);
        return 1;
    }
    fclose(pf);
    plen = strcspn(pass, "\n");
    snprintf(path, sizeof path, "%s/keys.umbra", argv[2]);
    if (umbra_keyfile_read(&k, path, pass, plen) != 0) {
        fprintf(stderr, "cannot open key file '%s'\n", path);
        goto out;
    }
    if (store_open(&s, argv[2], k->store_key, 1) != 0)
        goto out;
    while (fgets(line, sizeof line, stdin) != NULL) {
        struct case_facts f;
        char recv[32], country[8], lang[40];
        unsigned long cats, needs, count;
        int perp, consent;

        if (line[0] == '#' || line[0] == '\n')
            continue;
        if (sscanf(line, "%31s %lu %d %7s %39s %lu %d %lu", recv, &cats, &perp,
                   country, lang, &needs, &consent, &count) != 8) {
            fprintf(stderr, "bad spec line: %s", line);
            goto out;
        }
        memset(&f, 0, sizeof f);
        field(f.received, sizeof f.received, recv);
        field(f.country, sizeof f.country, country);
        field(f.lang, sizeof f.lang, lang);
        f.categories = (uint32_t)cats;
        f.needs = (uint32_t)needs;
        f.perpetrator = perp;
        f.consent_statistics = consent;
        if (store_add_synthetic(s, &f, count) != 0)
            goto out;
        added += count;
    }
    printf("added %lu\n", added);
    rc = 0;
out:
    store_close(s);
    umbra_org_keys_free(k);
    return rc;
}
