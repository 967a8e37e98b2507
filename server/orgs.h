/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * orgs: the in-memory copy of the organisations and their public key
 * bundles, read through the intake role. A background thread reloads it
 * every `orgs_refresh_ms` (2 s), so `umbra-server org add` on the same
 * database shows up without a restart. Readers take a reference to an
 * immutable snapshot (orgs_acquire/orgs_release) and never wait on the
 * database; the HTTP thread checks key ids against it.
 *
 * A row is served only if its bundle verifies (libumbra), names the row's
 * slug, and its signing key's fingerprint is the stored one; any other row
 * is left out with one line on stderr naming its slug (once, until it is
 * fixed), while the other organisations are served as usual.
 */
#ifndef UMBRA_SERVER_ORGS_H
#define UMBRA_SERVER_ORGS_H

#include <stddef.h>
#include <stdint.h>

#include "../client-crypto/umbra.h"
#include "db.h"
#include "page.h"

struct org {
    int id;
    char slug[UMBRA_SLUG_MAX + 1];
    char fingerprint[UMBRA_FINGERPRINT_LEN + 1];
    char *name;
    char *bundle_json;
    struct umbra_bundle bundle;
    /* its own quota (schema/012_org_quotas.sql, 013_mailbox_org.sql);
     * 0: the server's */
    uint64_t max_reports, max_bytes, max_mailboxes;
};

struct org_set {
    unsigned refs;
    size_t n;
    struct org *v;
    struct page_org *pages; /* for page_ctx.orgs */
    char *list_json;        /* GET /api/v1/orgs body */
    size_t list_len;
    int loaded;             /* 0 until the database answered once */
    /* slugs of the rows left out (bundle or fingerprint wrong), so each
     * is reported on stderr once, not at every reload */
    char (*skipped)[UMBRA_SLUG_MAX + 1];
    size_t nskipped;
};

/* Starts the reload thread on pool; 0 or -1. */
int orgs_start(struct db_pool *pool) __attribute__((warn_unused_result));
void orgs_stop(void);
/* Reloads now; 0 or -1 (database unreachable: the old snapshot stays). */
int orgs_reload(void);

struct org_set *orgs_acquire(void);
void orgs_release(struct org_set *s);
const struct org *orgs_find(const struct org_set *s, const char *slug);
/* 1 once s holds the organisations as read from the database; 0 for the
 * empty set the server starts with while the database has not answered
 * yet (an unknown organisation then means "try again", not "no such"). */
int orgs_loaded(const struct org_set *s);
/* 1 if every key id (n * 8 bytes) is one of org's current keys. */
int orgs_keys_ok(const struct org *o, const uint8_t *ids, unsigned n);

#endif
