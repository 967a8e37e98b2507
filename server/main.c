/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * umbra-server: entry point and the administrative commands (docs/operations.md):
 * serve, migrate, org add, token add|list|revoke. Exit codes: 0 success,
 * 1 a user-facing error (one line on stderr), 2 a usage error.
 */
#include "../client-crypto/umbra.h"
#include "cgroup.h"
#include "http.h"
#include "listener.h"
#include "orgs.h"
#include "page.h"
#include "workpool.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TOKEN_PREFIX "ust_"

static const char usage_main[] =
    "usage: umbra-server [--config FILE] [--KEY VALUE]... [serve]\n"
    "       umbra-server migrate [--config FILE]\n"
    "       umbra-server org add SLUG --name NAME --public-key PUBLIC.json\n"
    "       umbra-server token add ORG NAME\n"
    "       umbra-server token list\n"
    "       umbra-server token revoke ORG NAME\n"
    "\n"
    "Serves the Umbra intake server, or administers its database.\n"
    "Every config key (docs/operations.md) can be given as --KEY VALUE.\n"
    "Commands take --help.\n";
static const char usage_migrate[] =
    "usage: umbra-server migrate [--config FILE]\n"
    "Applies the numbered migrations in schema_dir (default 'schema') that\n"
    "are not yet recorded in schema_migrations, each in one transaction, as\n"
    "the db_owner connection.\n";
static const char usage_org[] =
    "usage: umbra-server org add SLUG --name NAME --public-key PUBLIC.json\n"
    "Registers an organisation and its signed public key bundle (made by\n"
    "'umbra-case init'). Adding it again with a newer bundle signed by the\n"
    "same signing key rotates its keys.\n";
static const char usage_token[] =
    "usage: umbra-server token add ORG NAME\n"
    "       umbra-server token list\n"
    "       umbra-server token revoke ORG NAME\n"
    "'add' prints a new caseworker sync token once; only its hash is kept.\n";

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

static int
cmd_migrate(void)
{
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

static int
cmd_org_add(const char *slug, const char *name, const char *key_path)
{
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

static int
cmd_token_add(const char *org, const char *name)
{
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

static int
cmd_token_list(void)
{
    PGconn *c = owner_connect();
    if (!c)
        return 1;
    PGresult *r = db_admin(c, "token_list", NULL, NULL, NULL, 0);
    int rc = 1;
    if (db_ok(r)) {
        printf("%-20s %-30s %s\n", "ORG", "NAME", "ADDED");
        for (int i = 0; i < PQntuples(r); i++)
            printf("%-20s %-30s %s\n", PQgetvalue(r, i, 0),
                   PQgetvalue(r, i, 1), PQgetvalue(r, i, 2));
        rc = 0;
    } else {
        fprintf(stderr, "umbra-server: %s", PQerrorMessage(c));
    }
    PQclear(r);
    PQfinish(c);
    return rc;
}

static int
cmd_token_revoke(const char *org, const char *name)
{
    PGconn *c = owner_connect();
    if (!c)
        return 1;
    const char *p[2] = {org, name};
    PGresult *r = db_admin(c, "token_revoke", p, NULL, NULL, 0);
    int rc = 1;
    if (!db_ok(r))
        fprintf(stderr, "umbra-server: %s", PQerrorMessage(c));
    else if (strcmp(PQcmdTuples(r), "1") != 0)
        fprintf(stderr, "umbra-server: no token '%s' for organisation '%s'\n",
                name, org);
    else {
        printf("token '%s' of '%s' revoked\n", name, org);
        rc = 0;
    }
    PQclear(r);
    PQfinish(c);
    return rc;
}

/* ---- serve ------------------------------------------------------------- */

static int
cmd_serve(void)
{
    int rc = 1;
    if (page_init(srv.cfg.web_dir) != 0) {
        fprintf(stderr, "umbra-server: cannot load pages from '%s'\n",
                srv.cfg.web_dir);
        return 1;
    }
    srv.intake = db_pool_new(DB_INTAKE, srv.cfg.db_intake,
                             srv.cfg.pool_intake);
    srv.sync = db_pool_new(DB_SYNC, srv.cfg.db_sync, srv.cfg.pool_sync);
    static char cg_dir[CONF_STR + 16];
    int cg_created = 0;
    const char *cg = NULL;
    if (srv.cfg.kdf_cgroup[0]) {
        char why[1400];
        if (cgroup_prepare(srv.cfg.kdf_cgroup, cg_dir, sizeof cg_dir,
                           &cg_created, why, sizeof why) == 0)
            cg = cg_dir;
        else
            fprintf(stderr, "umbra-server: warning: kdf_cgroup: %s; the "
                            "Argon2 pool runs at kdf_nice alone\n", why);
    }
    srv.kdf = workpool_new(srv.cfg.kdf_threads, srv.cfg.kdf_queue,
                           (int)srv.cfg.kdf_nice, cg);
    srv.dbw = workpool_new(srv.cfg.db_workers, 1024, 0, NULL);
    if (srv.kdf) {
        unsigned cg_bad, prio_bad;
        workpool_start_failures(srv.kdf, &cg_bad, &prio_bad);
        if (cg && cg_bad)
            fprintf(stderr, "umbra-server: warning: %u of %u Argon2 threads "
                            "could not join %s\n", cg_bad,
                    srv.cfg.kdf_threads, cg);
        else if (cg)
            fprintf(stderr, "umbra-server: Argon2 pool in idle cgroup %s\n",
                    cg);
        if (prio_bad)
            fprintf(stderr, "umbra-server: warning: %u of %u Argon2 threads "
                            "could not take kdf_nice %u\n", prio_bad,
                    srv.cfg.kdf_threads, srv.cfg.kdf_nice);
    }
    intake_quota(srv.cfg.quota_reports, srv.cfg.quota_bytes);
    if (!srv.intake || !srv.sync || !srv.kdf || !srv.dbw ||
        orgs_start(srv.intake) < 0 ||
        intake_start(srv.cfg.db_intake, srv.cfg.writers, srv.cfg.batch_max,
                     srv.cfg.intake_queue, srv.cfg.spool_dir,
                     srv.cfg.intake_window) < 0) {
        fprintf(stderr, "umbra-server: cannot start\n");
        goto out;
    }
    if (http_serve() == 0)
        rc = 0;
out:
    intake_stop();
    workpool_free(srv.kdf);
    if (cg)
        cgroup_release(cg, cg_created);
    workpool_free(srv.dbw);
    orgs_stop();
    db_pool_free(srv.intake);
    db_pool_free(srv.sync);
    page_release();
    return rc;
}

/* ---- arguments --------------------------------------------------------- */

int
main(int argc, char **argv)
{
    const char *pos[8];
    const char *name = NULL, *pubkey = NULL;
    unsigned npos = 0;
    int help = 0;

    if (umbra_secure_init() != 0) {
        fprintf(stderr, "umbra-server: cannot initialise libsodium\n");
        return 1;
    }
    json_wipe_install();
    config_defaults(&srv.cfg);
    /* --config first, so that flags override the file. */
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--config") == 0 && i + 1 < argc) {
            if (config_load(&srv.cfg, argv[i + 1]) < 0)
                return 1;
            i++;
        } else if (strncmp(argv[i], "--config=", 9) == 0) {
            if (config_load(&srv.cfg, argv[i] + 9) < 0)
                return 1;
        }
    }
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            help = 1;
        } else if (strcmp(a, "--config") == 0) {
            i++;
        } else if (strncmp(a, "--config=", 9) == 0) {
            continue;
        } else if (strncmp(a, "--", 2) == 0) {
            char key[64];
            const char *val;
            const char *eq = strchr(a, '=');
            size_t kl = eq ? (size_t)(eq - a - 2) : strlen(a + 2);
            if (kl == 0 || kl >= sizeof key) {
                fprintf(stderr, "umbra-server: bad option '%s'\n", a);
                return 2;
            }
            memcpy(key, a + 2, kl);
            key[kl] = '\0';
            if (eq) {
                val = eq + 1;
            } else if (i + 1 < argc) {
                val = argv[++i];
            } else {
                fprintf(stderr, "umbra-server: option '%s' needs a value\n", a);
                return 2;
            }
            if (strcmp(key, "name") == 0)
                name = val;
            else if (strcmp(key, "public-key") == 0)
                pubkey = val;
            else if (config_set(&srv.cfg, key, val) < 0) {
                fprintf(stderr, "umbra-server: bad option '--%s'\n", key);
                return 2;
            }
        } else {
            if (npos == 8) {
                fputs(usage_main, stderr);
                return 2;
            }
            pos[npos++] = a;
        }
    }
    const char *cmd = npos ? pos[0] : "serve";
    if (strcmp(cmd, "serve") == 0) {
        if (help || npos > 1) {
            fputs(usage_main, help ? stdout : stderr);
            return help ? 0 : 2;
        }
        if (config_check(&srv.cfg) < 0)
            return 1;
        return cmd_serve();
    }
    if (strcmp(cmd, "migrate") == 0) {
        if (help || npos != 1) {
            fputs(usage_migrate, help ? stdout : stderr);
            return help ? 0 : 2;
        }
        return cmd_migrate();
    }
    if (strcmp(cmd, "org") == 0) {
        if (help || npos != 3 || strcmp(pos[1], "add") != 0 || !name ||
            !pubkey) {
            fputs(usage_org, help ? stdout : stderr);
            return help ? 0 : 2;
        }
        return cmd_org_add(pos[2], name, pubkey);
    }
    if (strcmp(cmd, "token") == 0) {
        if (!help && npos == 4 && strcmp(pos[1], "add") == 0)
            return cmd_token_add(pos[2], pos[3]);
        if (!help && npos == 2 && strcmp(pos[1], "list") == 0)
            return cmd_token_list();
        if (!help && npos == 4 && strcmp(pos[1], "revoke") == 0)
            return cmd_token_revoke(pos[2], pos[3]);
        fputs(usage_token, help ? stdout : stderr);
        return help ? 0 : 2;
    }
    if (help) {
        fputs(usage_main, stdout);
        return 0;
    }
    fprintf(stderr, "umbra-server: unknown command '%s'\n", cmd);
    fputs(usage_main, stderr);
    return 2;
}
