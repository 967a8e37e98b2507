/* SPDX-License-Identifier: AGPL-3.0-or-later */
/* admin: see admin.h. */
#include "admin.h"
#include "server.h"
#include "sync_int.h"
#include "util.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TOKEN_PREFIX "ust_"

/* ---- owner connection -------------------------------------------------- */

static void
quiet_notice(void *arg, const PGresult *res)
{
    (void)arg;
    (void)res;
}

static PGconn *
owner_connect(void)
{
    PGconn *c = PQconnectdb(srv.cfg.db_owner);
    if (!c || PQstatus(c) != CONNECTION_OK) {
        fprintf(stderr, "umbra-server: cannot connect to the database: %s",
                c ? PQerrorMessage(c) : "out of memory\n");
        PQfinish(c);
        return NULL;
    }
    PQsetNoticeReceiver(c, quiet_notice, NULL);
    PGresult *r = PQexec(c, "SET synchronous_commit TO on");
    PQclear(r);
    return c;
}

static int
exec_ok(PGconn *c, const char *sql)
{
    PGresult *r = PQexec(c, sql);
    int ok = db_ok(r);
    if (!ok)
        fprintf(stderr, "umbra-server: %s", PQerrorMessage(c));
    PQclear(r);
    return ok;
}

static char *
read_file(const char *path, size_t max, size_t *len)
{
    FILE *f = fopen(path, "rb");
    char *buf = NULL;
    if (!f)
        return NULL;
    buf = malloc(max + 1);
    if (buf) {
        *len = fread(buf, 1, max + 1, f);
        if (*len > max || ferror(f)) {
            free(buf);
            buf = NULL;
        } else {
            buf[*len] = '\0';
        }
    }
    fclose(f);
    return buf;
}

/* ---- migrate ----------------------------------------------------------- */

static int
name_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

int
admin_migrate(const struct cmdline *cl)
{
    (void)cl;
    PGconn *c = owner_connect();
    DIR *d = NULL;
    char *names[1000];
    size_t n = 0, applied = 0;
    int rc = 1;
    if (!c)
        return 1;
    d = opendir(srv.cfg.schema_dir);
    if (!d) {
        fprintf(stderr, "umbra-server: cannot open schema folder '%s'\n",
                srv.cfg.schema_dir);
        goto out;
    }
    struct dirent *e;
    while ((e = readdir(d)) && n < 1000) {
        size_t l = strlen(e->d_name);
        if (l > 8 && e->d_name[0] >= '0' && e->d_name[0] <= '9' &&
            strcmp(e->d_name + l - 4, ".sql") == 0)
            names[n++] = strdup(e->d_name);
    }
    qsort(names, n, sizeof names[0], name_cmp);
    for (size_t i = 0; i < n; i++) {
        uint64_t ver;
        char vs[16], path[CONF_STR + 300];
        size_t dl = strcspn(names[i], "_");
        if (dl == 0 || dl > 9)
            continue;
        memcpy(vs, names[i], dl);
        vs[dl] = '\0';
        if (parse_u64(&ver, vs, 1, 999999999) < 0)
            continue;
        if (!exec_ok(c, "BEGIN") ||
            !exec_ok(c, "SELECT pg_advisory_xact_lock(7252)"))
            goto out;
        const char *p1[2] = {vs, names[i]};
        /* the first migration makes schema_migrations */
        PGresult *r = db_admin(c, "migrations_exist", NULL, NULL, NULL, 0);
        int have = db_ok(r) && PQntuples(r) == 1 &&
                   strcmp(PQgetvalue(r, 0, 0), "t") == 0;
        PQclear(r);
        if (have) {
            r = db_admin(c, "migration_have", p1, NULL, NULL, 0);
            have = db_ok(r) && PQntuples(r) == 1;
            PQclear(r);
        }
        if (have) {
            if (!exec_ok(c, "COMMIT"))
                goto out;
            continue;
        }
        size_t len;
        snprintf(path, sizeof path, "%s/%s", srv.cfg.schema_dir, names[i]);
        char *sql = read_file(path, 1 << 20, &len);
        if (!sql) {
            fprintf(stderr, "umbra-server: cannot read '%s'\n", path);
            goto out;
        }
        int ok = exec_ok(c, sql);
        free(sql);
        if (ok) {
            r = db_admin(c, "migration_done", p1, NULL, NULL, 0);
            ok = db_ok(r);
            PQclear(r);
        }
        if (!ok || !exec_ok(c, "COMMIT")) {
            fprintf(stderr, "umbra-server: migration '%s' failed\n", names[i]);
            goto out;
        }
        printf("applied %s\n", names[i]);
        applied++;
    }
    printf("migrations: %zu applied, schema up to date\n", applied);
    rc = 0;
out:
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    if (d)
        closedir(d);
    PQfinish(c);
    return rc;
}

/* ---- org add ----------------------------------------------------------- */

int
admin_org_add(const struct cmdline *cl)
{
    const char *slug = cl->pos[2], *name = cl->name, *key_path = cl->pubkey;
    struct umbra_bundle b;
    char fp[UMBRA_FINGERPRINT_LEN + 1];
    size_t len = 0;
    PGconn *c = NULL;
    PGresult *r = NULL;
    int rc = 1;
    char *json = read_file(key_path, UMBRA_BUNDLE_MAX_BYTES, &len);
    if (!json) {
        fprintf(stderr, "umbra-server: cannot read public key '%s'\n",
                key_path);
        return 1;
    }
    int err = umbra_bundle_parse(&b, json, len);
    if (err != 0) {
        fprintf(stderr, "umbra-server: public key '%s': %s\n", key_path,
                umbra_strerror(err));
        goto out;
    }
    if (strcmp(b.org, slug) != 0) {
        fprintf(stderr, "umbra-server: public key '%s' is for organisation "
                        "'%s', not '%s'\n", key_path, b.org, slug);
        goto out;
    }
    if (!umbra_utf8_valid((const uint8_t *)name, strlen(name)) ||
        strlen(name) == 0 ||
        strlen(name) > 200) {
        fprintf(stderr, "umbra-server: the name must be 1 to 200 bytes of "
                        "UTF-8\n");
        goto out;
    }
    umbra_fingerprint(fp, b.sign_pk);
    c = owner_connect();
    if (!c || !exec_ok(c, "BEGIN"))
        goto out;
    const char *p1[1] = {slug};
    r = db_admin(c, "org_lock", p1, NULL, NULL, 1);
    if (!db_ok(r))
        goto db_fail;
    char idtxt[24] = "", serial[24];
    snprintf(serial, sizeof serial, "%llu", (unsigned long long)b.serial);
    if (PQntuples(r) == 1) {
        uint32_t idn;
        memcpy(&idn, PQgetvalue(r, 0, 0), 4);
        snprintf(idtxt, sizeof idtxt, "%u", (unsigned)ntohl(idn));
        if (PQgetlength(r, 0, 1) != 32 ||
            memcmp(PQgetvalue(r, 0, 1), b.sign_pk, 32) != 0) {
            fprintf(stderr, "umbra-server: organisation '%s' exists with "
                            "another signing key; refusing\n", slug);
            goto out;
        }
        if (strcmp(b.created, PQgetvalue(r, 0, 2)) < 0) {
            fprintf(stderr, "umbra-server: public key '%s' is older than "
                            "the one registered; refusing\n", key_path);
            goto out;
        }
        /* protocol section 3: never back to an older bundle (serial) */
        uint64_t have = 0;
        struct umbra_bundle cur;
        if (parse_u64(&have, PQgetvalue(r, 0, 3), 0, UMBRA_BUNDLE_SERIAL_MAX) <
            0)
            have = UINT64_MAX;
        int same = b.serial == have &&
                   umbra_bundle_parse(&cur, PQgetvalue(r, 0, 4),
                                      (size_t)PQgetlength(r, 0, 4)) == 0 &&
                   cur.serial == have &&
                   umbra_bundle_may_replace(&cur, &b) == 0;
        if (b.serial < have || (b.serial == have && !same)) {
            fprintf(stderr,
                    "umbra-server: public key '%s' has serial %llu, "
                    "%s the registered bundle's %llu; refusing (an "
                    "old bundle may still list a removed key)\n",
                    key_path, (unsigned long long)b.serial,
                    b.serial < have ? "older than" : "other keys under",
                    (unsigned long long)have);
            goto out;
        }
        PQclear(r);
        const char *p[5] = {idtxt, name, json, b.created, serial};
        r = db_admin(c, "org_update", p, NULL, NULL, 0);
        if (!db_ok(r))
            goto db_fail;
        PQclear(r);
        r = db_admin(c, "org_keys_retire", p, NULL, NULL, 0);
        if (!db_ok(r))
            goto db_fail;
    } else {
        PQclear(r);
        const char *p[7] = {slug,      name,  (const char *)b.sign_pk, fp, json,
                            b.created, serial};
        int lens[7] = {0, 0, 32, 0, 0, 0, 0};
        int fmts[7] = {0, 0, 1, 0, 0, 0, 0};
        r = db_admin(c, "org_insert", p, lens, fmts, 0);
        if (!db_ok(r) || PQntuples(r) != 1)
            goto db_fail;
        (void)str_copy(idtxt, sizeof idtxt, PQgetvalue(r, 0, 0));
    }
    for (unsigned i = 0; i < b.nkeys; i++) {
        PQclear(r);
        const char *p[4] = {idtxt, (const char *)b.keys[i].id,
                            (const char *)b.keys[i].pk, b.keys[i].created};
        int lens[4] = {0, 8, 32, 0}, fmts[4] = {0, 1, 1, 0};
        r = db_admin(c, "org_key_put", p, lens, fmts, 0);
        if (!db_ok(r))
            goto db_fail;
    }
    /* the claimed tokens whose key left the bundle answer member_removed
     * from now on (schema/009_team.sql) */
    PQclear(r);
    char *members = sync_member_keys(&b);
    const char *pm[2] = {idtxt, members};
    r = members ? db_admin(c, "team_bundle_changed", pm, NULL, NULL, 0) : NULL;
    free(members);
    if (!db_ok(r))
        goto db_fail;
    if (!exec_ok(c, "COMMIT"))
        goto out;
    printf("organisation '%s' registered with %u key(s); fingerprint %s\n",
           slug, b.nkeys, fp);
    rc = 0;
    goto out;
db_fail:
    fprintf(stderr, "umbra-server: %s", PQerrorMessage(c));
out:
    PQclear(r);
    PQfinish(c);
    free(json);
    return rc;
}

/* ---- tokens ------------------------------------------------------------ */

int
admin_token_add(const struct cmdline *cl)
{
    const char *org = cl->pos[2], *name = cl->pos[3];
    uint8_t raw[32], hash[32];
    char token[sizeof TOKEN_PREFIX + 64];
    int rc = 1;
    if (!umbra_utf8_valid((const uint8_t *)name, strlen(name)) || !*name ||
        strlen(name) > 100) {
        fprintf(stderr, "umbra-server: the token name must be 1 to 100 "
                        "bytes of UTF-8\n");
        return 1;
    }
    PGconn *c = owner_connect();
    if (!c)
        return 1;
    umbra_randombytes(raw, sizeof raw);
    memcpy(token, TOKEN_PREFIX, sizeof TOKEN_PREFIX - 1);
    umbra_hex(token + sizeof TOKEN_PREFIX - 1, raw, sizeof raw);
    crypto_generichash(hash, 32, (const unsigned char *)token, strlen(token),
                       NULL, 0);
    const char *p[3] = {org, name, (const char *)hash};
    int lens[3] = {0, 0, 32}, fmts[3] = {0, 0, 1};
    PGresult *r = db_admin(c, "token_add", p, lens, fmts, 0);
    if (!db_ok(r)) {
        fprintf(stderr, "umbra-server: %s", PQerrorMessage(c));
    } else if (strcmp(PQcmdTuples(r), "1") != 0) {
        PQclear(r);
        r = db_admin(c, "org_exists", p, NULL, NULL, 0);
        if (db_ok(r) && PQntuples(r) == 0)
            fprintf(stderr, "umbra-server: no organisation '%s'\n", org);
        else
            fprintf(stderr, "umbra-server: organisation '%s' already has a "
                            "token named '%s'\n", org, name);
    } else {
        printf("%s\n", token);
        rc = 0;
    }
    PQclear(r);
    PQfinish(c);
    sodium_memzero(raw, sizeof raw);
    sodium_memzero(token, sizeof token);
    return rc;
}

/*
 * Runs the admin statement name with params p (NULL: none) on a new owner
 * connection, left in *c for the caller to PQfinish (NULL if it could not
 * connect). Its result (the caller PQclears it), or NULL with the error
 * said on stderr.
 */
static PGresult *
owner_run(PGconn **c, const char *name, const char *const *p)
{
    PGresult *r;

    *c = owner_connect();
    if (*c == NULL)
        return NULL;
    r = db_admin(*c, name, p, NULL, NULL, 0);
    if (!db_ok(r)) {
        fprintf(stderr, "umbra-server: %s", PQerrorMessage(*c));
        PQclear(r);
        return NULL;
    }
    return r;
}

int
admin_token_list(const struct cmdline *cl)
{
    PGconn *c = NULL;
    PGresult *r = owner_run(&c, "token_list", NULL);
    int rc = 1;

    (void)cl;
    if (r != NULL) {
        printf("%-20s %-30s %s\n", "ORG", "NAME", "ADDED");
        for (int i = 0; i < PQntuples(r); i++)
            printf("%-20s %-30s %s\n", PQgetvalue(r, i, 0),
                   PQgetvalue(r, i, 1), PQgetvalue(r, i, 2));
        rc = 0;
    }
    PQclear(r);
    PQfinish(c);
    return rc;
}

int
admin_token_revoke(const struct cmdline *cl)
{
    const char *org = cl->pos[2], *name = cl->pos[3];
    const char *p[2] = {org, name};
    PGconn *c = NULL;
    PGresult *r = owner_run(&c, "token_revoke", p);
    int rc = 1;

    if (r != NULL && strcmp(PQcmdTuples(r), "1") != 0)
        fprintf(stderr, "umbra-server: no token '%s' for organisation '%s'\n",
                name, org);
    else if (r != NULL) {
        printf("token '%s' of '%s' revoked\n", name, org);
        rc = 0;
    }
    PQclear(r);
    PQfinish(c);
    return rc;
}


/* ---- org set (quotas) -------------------------------------------------- */

/* v as the org_set_quota statement takes it: "keep" when NULL, "default",
 * or a decimal number in [lo, hi]; NULL (and a message) if it is none. */
static const char *
quota_arg(const char *v, const char *opt, uint64_t lo, uint64_t hi)
{
    uint64_t n;

    if (v == NULL)
        return "keep";
    if (strcmp(v, "default") == 0 || parse_u64(&n, v, lo, hi) == 0)
        return v;
    fprintf(stderr, "umbra-server: --%s takes a number from %llu to %llu, "
                    "or 'default'\n", opt, (unsigned long long)lo,
            (unsigned long long)hi);
    return NULL;
}

int
admin_org_set(const struct cmdline *cl)
{
    const char *p[5] = {cl->pos[2], NULL, NULL, NULL, NULL};
    PGconn *c = NULL;
    PGresult *r;
    int rc = 1;

    p[1] = quota_arg(cl->max_reports, "max-reports", 1, 1ull << 40);
    p[2] = quota_arg(cl->max_bytes, "max-bytes", 4096, 1ull << 50);
    p[3] = quota_arg(cl->max_mailboxes, "max-mailboxes", 1, 1ull << 40);
    p[4] = quota_arg(cl->max_alerts, "max-alerts", 1, 1000000);
    if (!p[1] || !p[2] || !p[3] || !p[4])
        return 2;
    r = owner_run(&c, "org_set_quota", p);
    if (r != NULL && PQntuples(r) != 1)
        fprintf(stderr, "umbra-server: no organisation '%s'\n", p[0]);
    else if (r != NULL) {
        printf("organisation '%s': max-reports %s, max-bytes %s, "
               "max-mailboxes %s, max-alerts %s\n",
               p[0], PQgetvalue(r, 0, 0), PQgetvalue(r, 0, 1),
               PQgetvalue(r, 0, 2), PQgetvalue(r, 0, 3));
        rc = 0;
    }
    PQclear(r);
    PQfinish(c);
    return rc;
}

/* ---- org list ----------------------------------------------------------- */

/* A quota as org list prints it: the organisation's own, or the server's
 * (from this command's config) marked with a star. */
static void
quota_cell(char *out, size_t size, const char *own, size_t server)
{
    if (own[0])
        (void)snprintf(out, size, "%s", own);
    else
        (void)snprintf(out, size, "%zu*", server);
}

int
admin_org_list(const struct cmdline *cl)
{
    PGconn *c = NULL;
    PGresult *r = owner_run(&c, "org_quota_list", NULL);
    int rc = 1;

    (void)cl;
    if (r != NULL) {
        printf("%-20s %12s %12s %16s %16s %12s %13s %8s %10s\n", "ORG",
               "REPORTS", "MAX-REPORTS", "BYTES", "MAX-BYTES", "MAILBOXES",
               "MAX-MAILBOXES", "ALERTS", "MAX-ALERTS");
        for (int i = 0; i < PQntuples(r); i++) {
            char mr[32], mb[32], mm[32], ma[32];
            quota_cell(mr, sizeof mr, PQgetvalue(r, i, 1),
                       srv.cfg.quota_reports);
            quota_cell(mb, sizeof mb, PQgetvalue(r, i, 2),
                       srv.cfg.quota_bytes);
            quota_cell(mm, sizeof mm, PQgetvalue(r, i, 3),
                       srv.cfg.quota_mailboxes);
            quota_cell(ma, sizeof ma, PQgetvalue(r, i, 7),
                       srv.cfg.quota_alerts);
            printf("%-20s %12s %12s %16s %16s %12s %13s %8s %10s\n",
                   PQgetvalue(r, i, 0), PQgetvalue(r, i, 4), mr,
                   PQgetvalue(r, i, 5), mb, PQgetvalue(r, i, 6), mm,
                   PQgetvalue(r, i, 8), ma);
        }
        printf("* the server's quota (quota_reports, quota_bytes, "
               "quota_mailboxes, quota_alerts); reports and bytes as in "
               "the database "
               "(a running server's spool aside)\n");
        rc = 0;
    }
    PQclear(r);
    PQfinish(c);
    return rc;
}
