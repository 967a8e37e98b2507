/* SPDX-License-Identifier: AGPL-3.0-or-later */
/* intake: see intake.h. */
#include "intake.h"
#include "db.h"
#include "metrics.h"
#include "mover.h"
#include "phases.h"
#include "spool.h"
#include "util.h"

#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
static struct intake_item *head, *tail;
static unsigned pending, max_pending, batch_max, nwriters;
static int stopping;
static pthread_t *threads;
static char *conninfo;
static int spooled; /* intake_window > 0 */
static size_t quota_reports = SIZE_MAX, quota_bytes = SIZE_MAX;
static size_t quota_mailboxes = SIZE_MAX;
static uint64_t spool_max; /* bytes the spool may hold; 0: no bound */

int
intake_has_room(void)
{
    pthread_mutex_lock(&mu);
    int ok = !stopping && pending < max_pending;
    pthread_mutex_unlock(&mu);
    /* A spool the mover has fallen this far behind on takes no more until
     * it catches up (spool_max_bytes; 0: no bound). */
    if (ok && spooled && spool_max > 0 && spool_held_bytes() >= spool_max)
        ok = 0;
    return ok;
}

void
intake_spool_max(uint64_t bytes)
{
    spool_max = bytes;
}

void
intake_quota(size_t reports, size_t bytes)
{
    quota_reports = reports;
    quota_bytes = bytes;
}

void
intake_quota_of(uint64_t max_reports, uint64_t max_bytes, uint64_t *reports,
                uint64_t *bytes)
{
    *reports = max_reports ? max_reports : quota_reports;
    *bytes = max_bytes ? max_bytes : quota_bytes;
}

int
intake_quota_ok(int org_id, uint64_t max_reports, uint64_t max_bytes,
                size_t len)
{
    uint64_t n, bytes, qr, qb;
    mover_pending(org_id, &n, &bytes);
    intake_quota_of(max_reports, max_bytes, &qr, &qb);
    return n < qr && bytes + len <= qb;
}

void
intake_quota_mailboxes(size_t mailboxes)
{
    quota_mailboxes = mailboxes;
}

uint64_t
intake_mailbox_quota_of(uint64_t max_mailboxes)
{
    return max_mailboxes ? max_mailboxes : quota_mailboxes;
}

int
intake_mailbox_ok(int org_id, uint64_t max_mailboxes)
{
    return mover_mailboxes(org_id) < intake_mailbox_quota_of(max_mailboxes);
}

void
intake_push(struct intake_item *it)
{
    it->next = NULL;
    it->t_push = phases_now();
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

/* Queues the batch's INSERTs inside db_pipeline's transaction. */
static int
send_batch(void *ctx, PGconn *c, unsigned *sent)
{
    int counted = 0; /* a mailbox of an organisation: fold its count */
    for (struct intake_item *it = ctx; it; it = it->next) {
        counted |= it->mailbox_id && it->mailbox_org > 0;
        if (it->data) {
            char org[16], size[24];
            snprintf(org, sizeof org, "%d", it->org_id);
            snprintf(size, sizeof size, "%zu", it->len);
            const char *vals[3] = {org, size, (const char *)it->data};
            int lens[3] = {0, 0, (int)it->len};
            int fmts[3] = {0, 0, 1};
            if (PQsendQueryPrepared(c, "env_insert", 3, vals, lens, fmts,
                                    0) != 1)
                return -1;
            (*sent)++;
        }
        if (it->mailbox_id) {
            char morg[16];
            snprintf(morg, sizeof morg, "%d", it->mailbox_org);
            const char *mv[2] = {(const char *)it->mailbox_id,
                                 it->mailbox_org > 0 ? morg : NULL};
            int ml[2] = {32, 0}, mf[2] = {1, 0};
            if (PQsendQueryPrepared(c, "mailbox_insert", 2, mv, ml, mf, 0) !=
                1)
                return -1;
            (*sent)++;
        }
    }
    if (counted) {
        if (PQsendQueryPrepared(c, "mailbox_fold", 0, NULL, NULL, NULL, 0) !=
            1)
            return -1;
        (*sent)++;
    }
    return 0;
}

/* intake_window = 0: the batch straight into PostgreSQL; 1 if committed. */
static int
write_db(PGconn **c, struct intake_item *batch)
{
    if (*c && PQstatus(*c) != CONNECTION_OK) {
        PQfinish(*c);
        *c = NULL;
    }
    if (!*c)
        *c = db_connect(DB_INTAKE, conninfo);
    int ok = *c ? db_pipeline(*c, send_batch, batch) : 0;
    if (!ok && *c && PQtransactionStatus(*c) != PQTRANS_IDLE) {
        PQfinish(*c); /* an aborted transaction: start afresh */
        *c = NULL;
    }
    return ok;
}

/* The spool: every envelope and every mailbox a record of its own (a
 * no-JS report's mailbox is moved in another transaction than its
 * envelope); 1 if durable. */
static int
write_spool(struct intake_item *batch, unsigned n)
{
    struct spool_rec *recs = calloc(2 * (size_t)n, sizeof *recs);
    if (!recs)
        return 0;
    uint32_t day = (uint32_t)(time(NULL) / 86400);
    size_t k = 0;
    for (struct intake_item *it = batch; it; it = it->next) {
        if (it->data) {
            recs[k] = (struct spool_rec){.kind = SPOOL_ENVELOPE,
                                         .org_id = (uint32_t)it->org_id,
                                         .day = day,
                                         .data = it->data,
                                         .len = it->len};
            randombytes_buf(recs[k++].ref, SPOOL_REF_BYTES);
        }
        if (it->mailbox_id) {
            recs[k] = (struct spool_rec){.kind = SPOOL_MAILBOX,
                                         .org_id = it->mailbox_org > 0
                                                       ? (uint32_t)
                                                             it->mailbox_org
                                                       : 0,
                                         .day = day,
                                         .data = it->mailbox_id,
                                         .len = 32};
            randombytes_buf(recs[k++].ref, SPOOL_REF_BYTES);
        }
    }
    int ok = spool_append(recs, k) == 0;
    free(recs);
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

        for (struct intake_item *it = batch; phases_on() && it; it = it->next)
            phases_add(PH_QUEUE, it->t_push);
        int ok = spooled ? write_spool(batch, n) : write_db(&c, batch);
        metrics_batch(n, ok);
        /* Without a spool the mailboxes are in PostgreSQL already: count
         * them now, not at the next refresh (the spool counts its own). */
        for (struct intake_item *it = batch; ok && !spooled && it;
             it = it->next)
            if (it->mailbox_id && it->mailbox_org > 0)
                mover_mailbox_stored(it->mailbox_org);
        uint64_t t_done = phases_now();
        for (struct intake_item *it = batch, *next; it; it = next) {
            next = it->next;
            it->t_done = t_done;
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
intake_start(const char *ci, unsigned writers, unsigned bmax, unsigned maxp,
               const char *spool_dir, unsigned window)
{
    if (window > 0) {
        if (spool_open(spool_dir) != 0)
            return -1;
        spooled = 1;
    }
    if (mover_start(ci, window) != 0)
        return -1;
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
    thread_stop(&mu, &cv, &stopping);
    for (unsigned i = 0; i < nwriters; i++)
        pthread_join(threads[i], NULL);
    nwriters = 0;
    mover_stop();
    if (spooled) {
        spool_close();
        spooled = 0;
    }
    free(threads);
    threads = NULL;
    free(conninfo);
    conninfo = NULL;
}
