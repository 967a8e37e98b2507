/* intake: see intake.h. */
#include "intake.h"
#include "db.h"
#include "metrics.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
static struct intake_item *head, *tail;
static unsigned pending, max_pending, batch_max, nwriters;
static int stopping;
static pthread_t *threads;
static char *conninfo;

int
intake_has_room(void)
{
    pthread_mutex_lock(&mu);
    int ok = !stopping && pending < max_pending;
    pthread_mutex_unlock(&mu);
    return ok;
}

void
intake_push(struct intake_item *it)
{
    it->next = NULL;
    pthread_mutex_lock(&mu);
    if (tail)
        tail->next = it;
    else
        head = it;
    tail = it;
    pending++;
    pthread_cond_signal(&cv);
    pthread_mutex_unlock(&mu);
}

/* Sends the batch in one pipeline; 1 if COMMIT succeeded. */
static int
write_batch(PGconn *c, struct intake_item *batch, unsigned n)
{
    int ok = 1;
    unsigned sent = 0;
    if (PQenterPipelineMode(c) != 1)
        return 0;
    if (PQsendQueryParams(c, "BEGIN", 0, NULL, NULL, NULL, NULL, 0) != 1)
        ok = 0;
    sent++;
    for (struct intake_item *it = batch; ok && it; it = it->next) {
        char org[16], size[24];
        snprintf(org, sizeof org, "%d", it->org_id);
        snprintf(size, sizeof size, "%zu", it->len);
        const char *vals[3] = {org, size, (const char *)it->data};
        int lens[3] = {0, 0, (int)it->len};
        int fmts[3] = {0, 0, 1};
        if (PQsendQueryPrepared(c, "env_insert", 3, vals, lens, fmts, 0) != 1)
            ok = 0;
        sent++;
        if (ok && it->mailbox_id) {
            const char *mv[1] = {(const char *)it->mailbox_id};
            int ml[1] = {32}, mf[1] = {1};
            if (PQsendQueryPrepared(c, "mailbox_insert", 1, mv, ml, mf, 0) !=
                1)
                ok = 0;
            sent++;
        }
    }
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
    (void)n;
    return ok;
}

static void *
writer(void *arg)
{
    (void)arg;
    PGconn *c = NULL;
    pthread_mutex_lock(&mu);
    for (;;) {
        while (!head && !stopping)
            pthread_cond_wait(&cv, &mu);
        if (!head && stopping)
            break;
        struct intake_item *batch = head, *last = head;
        unsigned n = 1;
        while (last->next && n < batch_max) {
            last = last->next;
            n++;
        }
        head = last->next;
        if (!head)
            tail = NULL;
        last->next = NULL;
        pending -= n;
        pthread_mutex_unlock(&mu);

        if (c && PQstatus(c) != CONNECTION_OK) {
            PQfinish(c);
            c = NULL;
        }
        if (!c)
            c = db_connect(DB_INTAKE, conninfo);
        int ok = c ? write_batch(c, batch, n) : 0;
        if (!ok && c && PQtransactionStatus(c) != PQTRANS_IDLE) {
            PQfinish(c); /* an aborted transaction: start afresh */
            c = NULL;
        }
        metrics_batch(n, ok);
        for (struct intake_item *it = batch, *next; it; it = next) {
            next = it->next;
            it->done(it->ctx, ok);
        }
        pthread_mutex_lock(&mu);
    }
    pthread_mutex_unlock(&mu);
    if (c)
        PQfinish(c);
    return NULL;
}

int
intake_start(const char *ci, unsigned writers, unsigned bmax, unsigned maxp)
{
    conninfo = strdup(ci);
    threads = calloc(writers, sizeof *threads);
    if (!conninfo || !threads)
        return -1;
    batch_max = bmax;
    max_pending = maxp;
    for (unsigned i = 0; i < writers; i++) {
        if (pthread_create(&threads[i], NULL, writer, NULL) != 0)
            return -1;
        nwriters++;
    }
    return 0;
}

void
intake_stop(void)
{
    pthread_mutex_lock(&mu);
    stopping = 1;
    pthread_cond_broadcast(&cv);
    pthread_mutex_unlock(&mu);
    for (unsigned i = 0; i < nwriters; i++)
        pthread_join(threads[i], NULL);
    nwriters = 0;
    free(threads);
    threads = NULL;
    free(conninfo);
    conninfo = NULL;
}
