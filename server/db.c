/* SPDX-License-Identifier: AGPL-3.0-or-later */
/* db: see db.h. */
#include "db.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct stmt {
    enum db_role role;
    const char *name, *sql;
    int nparams;
};

/* Every statement the server runs, prepared per connection. */
static const struct stmt stmts[] = {
    /* orgs cache (orgs.c) */
    {DB_INTAKE, "org_list",
     "SELECT id::text, slug, name, fingerprint, bundle, "
     "coalesce(max_reports, 0)::text, coalesce(max_bytes, 0)::text, "
     "coalesce(max_mailboxes, 0)::text FROM orgs ORDER BY slug", 0},
    /* intake.c writers: POST /api/v1/orgs/{slug}/reports; web.c: POST
     * /report */
    {DB_INTAKE, "env_insert",
     "INSERT INTO envelopes (org_id, size, body) VALUES ($1, $2, $3)", 3},
    /* POST /api/v1/mailboxes, POST /report; $2 the organisation or NULL
     * (NULL too if it is not one: a mailbox is never refused for it) */
    {DB_INTAKE, "mailbox_insert",
     "INSERT INTO mailboxes (mailbox_id, org_id) SELECT $1, "
     "(SELECT id FROM orgs WHERE id = $2::integer) ON CONFLICT DO NOTHING",
     2},
    /* mover.c: spool records into their tables, with the day each
     * arrived (envelopes a chunk at a time, as binary arrays: 014); ref
     * makes a repeated move store nothing twice */
    {DB_INTAKE, "env_move_batch",
     "SELECT intake_move_batch($1::integer[], $2::bytea[], $3::date[], "
     "$4::bytea[])", 4},
    {DB_INTAKE, "mailbox_move",
     "INSERT INTO mailboxes (mailbox_id, day, org_id) SELECT $1, $2::date, "
     "(SELECT id FROM orgs WHERE id = $3::integer) ON CONFLICT DO NOTHING",
     3},
    /* mover.c: what each organisation has waiting (quotas) */
    {DB_INTAKE, "pending", "SELECT org_id, n, bytes FROM intake_pending()",
     0},
    /* mover.c: each organisation's registered mailboxes (quotas, 013) */
    {DB_INTAKE, "mailbox_counts",
     "SELECT org_id::text, n::text FROM intake_mailboxes()", 0},
    /* mover.c, intake.c: last in a transaction that stored mailboxes */
    {DB_INTAKE, "mailbox_fold", "SELECT mailbox_counts_fold()", 0},
    /* mover.c: one batch of the retention purge */
    {DB_INTAKE, "retention_purge",
     "SELECT envelopes::text, mailboxes::text, replies::text "
     "FROM retention_purge($1::integer, $2::integer, $3::integer)", 3},
    /* mover.c: one batch of the case events' and alerts' purge (015) */
    {DB_INTAKE, "retention_purge_logs",
     "SELECT events::text, alerts::text "
     "FROM retention_purge_logs($1::integer, $2::integer, $3::integer)", 3},
    /* GET /api/v1/mailboxes/{id}/replies, POST /check */
    {DB_INTAKE, "mailbox_replies",
     "SELECT day::text, body FROM mailbox_replies($1)", 1},
    {DB_INTAKE, "mailbox_known", "SELECT mailbox_known($1)", 1},
    /* GET /alerts, /alerts/{org}.atom|.json (alertview.c) */
    {DB_INTAKE, "alerts_live", "SELECT slug, id, body FROM alerts_live($1)",
     1},
    /* GET /healthz */
    {DB_INTAKE, "ping", "SELECT 1", 0},
    /* sync routes (sync.c) */
    {DB_SYNC, "sync_auth", "SELECT org_id::text, slug FROM sync_auth($1)", 1},
    /* every sync route's authentication (sync.c, sync_who) */
    {DB_SYNC, "sync_who",
     "SELECT org_id::text, slug, token_id::text, name, claimed::text, "
     "holder::text, removed::text FROM sync_who($1)", 1},
    /* team sync (sync.c, sync_team.c; schema/009_team.sql) */
    {DB_SYNC, "sync_ack_member",
     "SELECT status::text, deleted::text, acked::text "
     "FROM sync_ack_member($1, $2::bigint[], $3::boolean)", 3},
    {DB_SYNC, "sync_waiting", "SELECT name, n::text FROM sync_waiting($1)",
     1},
    {DB_SYNC, "sync_event_put",
     "SELECT id::text, day::text FROM sync_event_put($1, $2, $3::bigint)",
     3},
    {DB_SYNC, "sync_event_list",
     "SELECT id::text, day::text, body FROM sync_event_list($1, $2, $3)", 3},
    /* GET /api/v1/sync/events: "expiring" and "purged_through" (015) */
    {DB_SYNC, "sync_events_expiring",
     "SELECT n::text, first_day::text, purged_through::text "
     "FROM sync_events_expiring($1, $2::bigint, $3::integer, $4::integer)",
     4},
    {DB_SYNC, "sync_bundle",
     "SELECT bundle, serial::text, sign_pk FROM sync_bundle($1)", 1},
    {DB_SYNC, "sync_claim", "SELECT sync_claim($1, $2)::text", 2},
    {DB_SYNC, "sync_bundle_put",
     "SELECT sync_bundle_put($1, $2, $3::bigint, $4::date, $5, $6::bytea[], "
     "$7::bytea[], $8::date[], $9::bytea[])::text", 9},
    {DB_SYNC, "sync_list",
     "SELECT id::text, day::text, body FROM sync_list($1, $2, $3)", 3},
    {DB_SYNC, "sync_ack", "SELECT sync_ack($1, $2::bigint[])::text", 2},
    {DB_SYNC, "sync_reply", "SELECT sync_reply($1, $2, $3)::text", 3},
    /* POST /api/v1/sync/alerts (alerts.c) */
    {DB_SYNC, "alert_put",
     "SELECT alert_put($1, $2, $3, $4, $5::date, $6::date, $7, "
     "$8::bigint)", 8},
    /* GET /api/v1/sync/reports: what the organisation holds (pending,
     * and with ?check=1 the ids and SHA-256 up to the cursor) */
    {DB_SYNC, "sync_status",
     "SELECT n::text, bytes::text, max_id::text FROM sync_status($1)", 1},
    /* the "alerts" of "pending" and "quota" (017) */
    {DB_SYNC, "sync_alerts_held",
     "SELECT n::text, coalesce(max_alerts::text, '') "
     "FROM sync_alerts_held($1)", 1},
    {DB_SYNC, "sync_expiring",
     "SELECT n::text, first_day::text FROM sync_expiring($1, "
     "$2::integer, $3::integer)", 3},
    {DB_SYNC, "sync_held",
     "SELECT id::text, digest FROM sync_held($1, $2, $3)", 3},
    /* umbra-server migrate (admin.c), as the owner: schema_migrations is
     * made by schema/001_core.sql, so it may not exist yet */
    {DB_OWNER, "migrations_exist",
     "SELECT to_regclass('schema_migrations') IS NOT NULL", 0},
    {DB_OWNER, "migration_have",
     "SELECT 1 FROM schema_migrations WHERE version = $1", 1},
    {DB_OWNER, "migration_done",
     "INSERT INTO schema_migrations (version, name) VALUES ($1, $2)", 2},
    /* umbra-server org add */
    {DB_OWNER, "org_lock",
     "SELECT id, sign_pk, bundle_created::text, bundle_serial::text, bundle "
     "FROM orgs WHERE slug = $1 FOR UPDATE", 1},
    {DB_OWNER, "org_update",
     "UPDATE orgs SET name = $2, bundle = $3, bundle_created = $4, "
     "bundle_serial = $5 WHERE id = $1", 5},
    {DB_OWNER, "org_keys_retire",
     "UPDATE org_keys SET current = false WHERE org_id = $1", 1},
    {DB_OWNER, "org_insert",
     "INSERT INTO orgs (slug, name, sign_pk, fingerprint, bundle, "
     "bundle_created, bundle_serial) VALUES ($1, $2, $3, $4, $5, $6, $7) "
     "RETURNING id::text", 7},
    /* org add: the claimed tokens whose key left the bundle (009) */
    {DB_OWNER, "team_bundle_changed",
     "SELECT team_bundle_changed($1::integer, $2::bytea[])", 2},
    {DB_OWNER, "org_key_put",
     "INSERT INTO org_keys (org_id, key_id, pk, created) VALUES ($1, $2, $3, "
     "$4) ON CONFLICT (org_id, key_id) DO UPDATE SET current = true", 4},
    /* umbra-server token add / list / revoke */
    {DB_OWNER, "token_add",
     "INSERT INTO sync_tokens (org_id, name, hash) SELECT id, $2, $3 "
     "FROM orgs WHERE slug = $1 ON CONFLICT DO NOTHING", 3},
    {DB_OWNER, "org_exists", "SELECT 1 FROM orgs WHERE slug = $1", 1},
    /* umbra-server org set: $2..$5 "keep", "default" (NULL) or a number */
    {DB_OWNER, "org_set_quota",
     "UPDATE orgs SET max_reports = CASE $2 WHEN 'keep' THEN max_reports "
     "WHEN 'default' THEN NULL ELSE $2::bigint END, max_bytes = CASE $3 "
     "WHEN 'keep' THEN max_bytes WHEN 'default' THEN NULL ELSE $3::bigint "
     "END, max_mailboxes = CASE $4 WHEN 'keep' THEN max_mailboxes "
     "WHEN 'default' THEN NULL ELSE $4::bigint END, max_alerts = CASE $5 "
     "WHEN 'keep' THEN max_alerts WHEN 'default' THEN NULL "
     "ELSE $5::bigint END WHERE slug = $1 "
     "RETURNING coalesce(max_reports::text, 'default'), "
     "coalesce(max_bytes::text, 'default'), "
     "coalesce(max_mailboxes::text, 'default'), "
     "coalesce(max_alerts::text, 'default')", 5},
    /* umbra-server org list: each organisation's quotas (NULL: the
     * server's) and what it holds, counts only */
    {DB_OWNER, "org_quota_list",
     "SELECT o.slug, coalesce(o.max_reports::text, ''), "
     "coalesce(o.max_bytes::text, ''), coalesce(o.max_mailboxes::text, ''), "
     "(SELECT count(*) FROM envelopes e WHERE e.org_id = o.id)::text, "
     "(SELECT coalesce(sum(e.size), 0) FROM envelopes e "
     "WHERE e.org_id = o.id)::text, "
     "coalesce(m.n, 0)::text, coalesce(o.max_alerts::text, ''), "
     "(SELECT count(*) FROM alerts a WHERE a.org_id = o.id)::text "
     "FROM orgs o "
     "LEFT JOIN intake_mailboxes() m ON m.org_id = o.id ORDER BY o.slug", 0},
    {DB_OWNER, "token_list",
     "SELECT o.slug, t.name, t.added::text FROM sync_tokens t JOIN orgs o "
     "ON o.id = t.org_id ORDER BY o.slug, t.name", 0},
    {DB_OWNER, "token_revoke",
     "DELETE FROM sync_tokens t USING orgs o WHERE o.id = t.org_id "
     "AND o.slug = $1 AND t.name = $2", 2},
};

PGresult *
db_admin(PGconn *c, const char *name, const char *const *params,
         const int *lens, const int *fmts, int result_format)
{
    for (size_t i = 0; i < sizeof stmts / sizeof stmts[0]; i++)
        if (stmts[i].role == DB_OWNER && strcmp(stmts[i].name, name) == 0)
            return PQexecParams(c, stmts[i].sql, stmts[i].nparams, NULL,
                                params, lens, fmts, result_format);
    return NULL;
}

struct db_pool {
    enum db_role role;
    char *conninfo;
    unsigned size;
    PGconn **conns;
    unsigned char *busy;
    pthread_mutex_t mu;
    pthread_cond_t cv;
};

static void
quiet_notice(void *arg, const PGresult *res)
{
    (void)arg;
    (void)res;
}

PGconn *
db_connect(enum db_role role, const char *conninfo)
{
    PGconn *c = PQconnectdb(conninfo);
    if (!c)
        return NULL;
    if (PQstatus(c) != CONNECTION_OK)
        goto fail;
    PQsetNoticeReceiver(c, quiet_notice, NULL);
    PGresult *r = PQexec(c, "SET synchronous_commit TO on");
    int ok = db_ok(r);
    PQclear(r);
    if (!ok)
        goto fail;
    for (size_t i = 0; i < sizeof stmts / sizeof stmts[0]; i++) {
        if (stmts[i].role != role)
            continue;
        r = PQprepare(c, stmts[i].name, stmts[i].sql, stmts[i].nparams, NULL);
        ok = db_ok(r);
        if (!ok)
            fprintf(stderr, "umbra-server: cannot prepare '%s'\n",
                    stmts[i].name);
        PQclear(r);
        if (!ok)
            goto fail;
    }
    return c;
fail:
    PQfinish(c);
    return NULL;
}

struct db_pool *
db_pool_new(enum db_role role, const char *conninfo, unsigned size)
{
    struct db_pool *p = calloc(1, sizeof *p);
    if (!p)
        return NULL;
    p->role = role;
    p->size = size;
    p->conninfo = strdup(conninfo);
    p->conns = calloc(size, sizeof *p->conns);
    p->busy = calloc(size, 1);
    pthread_mutex_init(&p->mu, NULL);
    pthread_cond_init(&p->cv, NULL);
    if (!p->conninfo || !p->conns || !p->busy) {
        db_pool_free(p);
        return NULL;
    }
    return p;
}

void
db_pool_free(struct db_pool *p)
{
    if (!p)
        return;
    for (unsigned i = 0; p->conns && i < p->size; i++)
        if (p->conns[i])
            PQfinish(p->conns[i]);
    free(p->conns);
    free(p->busy);
    free(p->conninfo);
    pthread_mutex_destroy(&p->mu);
    pthread_cond_destroy(&p->cv);
    free(p);
}

PGconn *
db_get(struct db_pool *p)
{
    unsigned i;
    pthread_mutex_lock(&p->mu);
    for (;;) {
        for (i = 0; i < p->size; i++)
            if (!p->busy[i])
                break;
        if (i < p->size)
            break;
        pthread_cond_wait(&p->cv, &p->mu);
    }
    p->busy[i] = 1;
    PGconn *c = p->conns[i];
    pthread_mutex_unlock(&p->mu);

    if (c && PQstatus(c) != CONNECTION_OK) {
        PQfinish(c);
        c = NULL;
    }
    if (!c)
        c = db_connect(p->role, p->conninfo);
    pthread_mutex_lock(&p->mu);
    p->conns[i] = c;
    if (!c) {
        p->busy[i] = 0;
        pthread_cond_signal(&p->cv);
    }
    pthread_mutex_unlock(&p->mu);
    return c;
}

void
db_put(struct db_pool *p, PGconn *c, int broken)
{
    if (!c)
        return;
    if (!broken && PQtransactionStatus(c) != PQTRANS_IDLE)
        broken = 1;
    pthread_mutex_lock(&p->mu);
    for (unsigned i = 0; i < p->size; i++) {
        if (p->conns[i] == c) {
            if (broken || PQstatus(c) != CONNECTION_OK) {
                PQfinish(c);
                p->conns[i] = NULL;
            }
            p->busy[i] = 0;
            break;
        }
    }
    pthread_cond_signal(&p->cv);
    pthread_mutex_unlock(&p->mu);
}

PGresult *
db_exec(PGconn *c, const char *stmt, int n, const char *const *values,
        const int *lengths, const int *formats)
{
    return PQexecPrepared(c, stmt, n, values, lengths, formats, 1);
}

int
db_ok(const PGresult *r)
{
    ExecStatusType s = PQresultStatus(r);
    return r && (s == PGRES_COMMAND_OK || s == PGRES_TUPLES_OK);
}

int
db_pipeline(PGconn *c, int (*send)(void *ctx, PGconn *c, unsigned *sent),
            void *ctx)
{
    int ok = 1;
    unsigned sent = 0;
    if (PQenterPipelineMode(c) != 1)
        return 0;
    if (PQsendQueryParams(c, "BEGIN", 0, NULL, NULL, NULL, NULL, 0) != 1)
        ok = 0;
    sent++;
    if (ok && send(ctx, c, &sent) != 0)
        ok = 0;
    if (ok && PQsendQueryParams(c, "COMMIT", 0, NULL, NULL, NULL, NULL, 0) !=
                  1)
        ok = 0;
    sent++;
    if (PQpipelineSync(c) != 1)
        ok = 0;
    if (!ok) {
        (void)PQexitPipelineMode(c);
        return 0;
    }
    /* Results: each query's results then NULL; finally PIPELINE_SYNC. */
    unsigned nulls = 0;
    for (;;) {
        PGresult *r = PQgetResult(c);
        if (!r) {
            if (PQstatus(c) != CONNECTION_OK || ++nulls > sent + 2) {
                ok = 0;
                break;
            }
            continue;
        }
        ExecStatusType st = PQresultStatus(r);
        PQclear(r);
        if (st == PGRES_PIPELINE_SYNC)
            break;
        if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK)
            ok = 0;
    }
    if (PQexitPipelineMode(c) != 1)
        ok = 0;
    return ok;
}
