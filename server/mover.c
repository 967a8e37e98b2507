/* SPDX-License-Identifier: AGPL-3.0-or-later */
/* mover: see mover.h. */
#include "mover.h"
#include "db.h"
#include "metrics.h"
#include "phases.h"
#include "spool.h"
#include "util.h"

#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define REFRESH_SECONDS 60

struct pg_count {
    int org_id;
    uint64_t n, bytes;
};

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
static pthread_t thread;
static int running, stopping;
static unsigned window;
static char *conninfo;
static struct pg_count *pg; /* under mu */
static size_t npg;
static uint64_t moves;
static unsigned env_days, mbox_days, purge_every = 3600;
static unsigned event_days, alert_days; /* schema/015 */
static int poked;          /* mover_recount: count again now (under mu) */

/* Registered mailboxes per organisation in PostgreSQL, as last read plus
 * what moves stored since (the mailbox quota, schema 013). */
struct mb_count {
    int org_id;
    uint64_t n;
};
static struct mb_count *mbc; /* under mu */
static size_t nmbc;

/* ---- what organisations have waiting ---------------------------------- */

static uint64_t
be(const char *p, unsigned n)
{
    uint64_t v = 0;
    for (unsigned i = 0; i < n; i++)
        v = v << 8 | (uint8_t)p[i];
    return v;
}

/* n more mailboxes of org_id in v (realloc'd); 0 or -1. */
static int
mb_add(struct mb_count **v, size_t *nv, int org_id, uint64_t n)
{
    size_t i;
    for (i = 0; i < *nv && (*v)[i].org_id != org_id; i++)
        ;
    if (i == *nv) {
        struct mb_count *w = realloc(*v, (i + 1) * sizeof *w);
        if (!w)
            return -1;
        *v = w;
        w[(*nv)++] = (struct mb_count){.org_id = org_id};
    }
    (*v)[i].n += n;
    return 0;
}

/* Reads each organisation's registered mailboxes (intake_mailboxes()). */
static void
refresh_mailboxes(PGconn *c)
{
    PGresult *r = db_exec(c, "mailbox_counts", 0, NULL, NULL, NULL);
    struct mb_count *v = NULL;
    size_t nv = 0;
    int ok = db_ok(r);
    for (int i = 0; ok && i < PQntuples(r); i++) {
        uint64_t org, n;
        ok = parse_u64(&org, PQgetvalue(r, i, 0), 1, 0x7fffffff) == 0 &&
             parse_u64(&n, PQgetvalue(r, i, 1), 0, INT64_MAX) == 0 &&
             mb_add(&v, &nv, (int)org, n) == 0;
    }
    PQclear(r);
    if (!ok) {
        free(v);
        return;
    }
    pthread_mutex_lock(&mu);
    free(mbc);
    mbc = v;
    nmbc = nv;
    pthread_mutex_unlock(&mu);
}

uint64_t
mover_mailboxes_moved(int org_id)
{
    uint64_t n = 0;
    pthread_mutex_lock(&mu);
    for (size_t i = 0; i < nmbc; i++)
        if (mbc[i].org_id == org_id)
            n += mbc[i].n;
    pthread_mutex_unlock(&mu);
    return n;
}

uint64_t
mover_mailboxes(int org_id)
{
    return spool_mailboxes(org_id) + mover_mailboxes_moved(org_id);
}

void
mover_mailbox_stored(int org_id)
{
    pthread_mutex_lock(&mu);
    (void)mb_add(&mbc, &nmbc, org_id, 1); /* else the next refresh */
    pthread_mutex_unlock(&mu);
}

static void
refresh(PGconn *c)
{
    refresh_mailboxes(c);
    PGresult *r = db_exec(c, "pending", 0, NULL, NULL, NULL);
    if (!db_ok(r)) {
        PQclear(r);
        return;
    }
    int n = PQntuples(r);
    struct pg_count *v = calloc(n > 0 ? (size_t)n : 1, sizeof *v);
    for (int i = 0; v && i < n; i++) {
        /* Binary results: int4, int8, int8, big-endian. */
        if (PQgetlength(r, i, 0) != 4 || PQgetlength(r, i, 1) != 8 ||
            PQgetlength(r, i, 2) != 8) {
            free(v);
            v = NULL;
            break;
        }
        v[i].org_id = (int)be(PQgetvalue(r, i, 0), 4);
        v[i].n = be(PQgetvalue(r, i, 1), 8);
        v[i].bytes = be(PQgetvalue(r, i, 2), 8);
    }
    PQclear(r);
    if (!v)
        return;
    pthread_mutex_lock(&mu);
    free(pg);
    pg = v;
    npg = (size_t)(n > 0 ? n : 0);
    pthread_mutex_unlock(&mu);
}

void
mover_pending(int org_id, uint64_t *count, uint64_t *bytes)
{
    spool_pending(org_id, count, bytes);
    pthread_mutex_lock(&mu);
    for (size_t i = 0; i < npg; i++)
        if (pg[i].org_id == org_id) {
            *count += pg[i].n;
            *bytes += pg[i].bytes;
        }
    pthread_mutex_unlock(&mu);
}

uint64_t
mover_moves(void)
{
    pthread_mutex_lock(&mu);
    uint64_t n = moves;
    pthread_mutex_unlock(&mu);
    return n;
}

/* ---- one move ---------------------------------------------------------- */

/* One array parameter in PostgreSQL's binary format (array_recv): five
 * big-endian int32s (1 dimension, no nulls, the element type's oid, the
 * length, lower bound 1), then each element as an int32 length and its
 * bytes. p holds envelope bodies: wiped before it is freed or grown. */
struct arr {
    uint8_t *p;
    size_t len, cap;
};

#define ARR_HEAD 20
/* Element types (PostgreSQL's pg_type oids, fixed since 7.x). */
#define OID_BYTEA 17u
#define OID_INT4 23u
#define OID_DATE 1082u
/* 1970-01-01 in days before 2000-01-01, PostgreSQL's date epoch. */
#define PG_EPOCH_DAYS 10957u

static void
be32_store(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

/* Appends one element; 0 or -1 (out of memory: a stays as it was). */
static int
arr_put(struct arr *a, const void *data, size_t n)
{
    if (a->len == 0)
        a->len = ARR_HEAD;
    size_t need = a->len + 4 + n;
    if (need > a->cap) {
        size_t cap = a->cap ? a->cap : 4096;
        while (cap < need)
            cap *= 2;
        uint8_t *p = malloc(cap);
        if (!p)
            return -1;
        if (a->p) {
            memcpy(p, a->p, a->len);
            sodium_memzero(a->p, a->cap);
            free(a->p);
        }
        a->p = p;
        a->cap = cap;
    }
    be32_store(a->p + a->len, (uint32_t)n);
    memcpy(a->p + a->len + 4, data, n);
    a->len = need;
    return 0;
}

/* Writes the header of an array of n elements of type oid (n >= 1). */
static void
arr_finish(struct arr *a, uint32_t oid, uint32_t n)
{
    be32_store(a->p, 1);
    be32_store(a->p + 4, 0);
    be32_store(a->p + 8, oid);
    be32_store(a->p + 12, n);
    be32_store(a->p + 16, 1);
}

static void
arr_release(struct arr *a)
{
    if (a->p)
        sodium_memzero(a->p, a->cap);
    free(a->p);
    *a = (struct arr){0};
}

struct move {
    int fd;
    struct pg_count *moved; /* per organisation, what this move stored */
    size_t nmoved;
    struct mb_count *mb; /* and its mailboxes of an organisation */
    size_t nmb;
    const uint64_t *offs;
    size_t from, to; /* the slice of offs this transaction covers */
    unsigned kind;
    uint8_t *buf;
    size_t cap;
    /* The envelopes not yet sent: intake_move_batch's arguments. */
    struct arr orgs, bodies, days, refs;
    uint32_t nbatch;
    size_t batch_bytes;
};

static void
day_text(char out[16], uint32_t day)
{
    time_t t = (time_t)day * 86400;
    struct tm tm;
    if (!gmtime_r(&t, &tm) || strftime(out, 16, "%Y-%m-%d", &tm) == 0)
        (void)snprintf(out, 16, "1970-01-01");
}

/* Counts one envelope of org_id sent by this move. 0 or -1. */
static int
tally(struct move *m, int org_id, size_t len)
{
    size_t i;
    for (i = 0; i < m->nmoved && m->moved[i].org_id != org_id; i++)
        ;
    if (i == m->nmoved) {
        struct pg_count *v = realloc(m->moved, (i + 1) * sizeof *v);
        if (!v)
            return -1;
        m->moved = v;
        m->moved[m->nmoved++] = (struct pg_count){.org_id = org_id};
    }
    m->moved[i].n++;
    m->moved[i].bytes += len;
    return 0;
}

/* Adds what a committed move stored to the counts of PostgreSQL, before
 * the spool's counts drop it (so the quota never sees it nowhere), instead
 * of counting the whole table again after every move: that scan grows with
 * what the organisations have waiting and ran every window (the minute's
 * refresh still corrects any drift, such as acks). */
static void
credit(const struct move *m)
{
    pthread_mutex_lock(&mu);
    for (size_t k = 0; k < m->nmoved; k++) {
        size_t i;
        for (i = 0; i < npg && pg[i].org_id != m->moved[k].org_id; i++)
            ;
        if (i == npg) {
            struct pg_count *v = realloc(pg, (npg + 1) * sizeof *v);
            if (!v)
                break; /* the next refresh counts it */
            pg = v;
            pg[npg++] = (struct pg_count){.org_id = m->moved[k].org_id};
        }
        pg[i].n += m->moved[k].n;
        pg[i].bytes += m->moved[k].bytes;
    }
    pthread_mutex_unlock(&mu);
}

/* Sends the envelopes gathered so far as one intake_move_batch call (none
 * if there are none); 0 or -1. The arrays are emptied either way. */
static int
send_batch(struct move *m, PGconn *c, unsigned *sent)
{
    int ok = 1;
    if (m->nbatch > 0) {
        arr_finish(&m->orgs, OID_INT4, m->nbatch);
        arr_finish(&m->bodies, OID_BYTEA, m->nbatch);
        arr_finish(&m->days, OID_DATE, m->nbatch);
        arr_finish(&m->refs, OID_BYTEA, m->nbatch);
        const char *v[4] = {(const char *)m->orgs.p,
                            (const char *)m->bodies.p,
                            (const char *)m->days.p, (const char *)m->refs.p};
        int l[4] = {(int)m->orgs.len, (int)m->bodies.len, (int)m->days.len,
                    (int)m->refs.len};
        int f[4] = {1, 1, 1, 1};
        /* libpq copies the parameters into its output buffer. */
        ok = PQsendQueryPrepared(c, "env_move_batch", 4, v, l, f, 0);
        if (ok == 1)
            (*sent)++;
    }
    if (m->bodies.p)
        sodium_memzero(m->bodies.p, m->bodies.len);
    m->orgs.len = m->bodies.len = m->days.len = m->refs.len = 0;
    m->nbatch = 0;
    m->batch_bytes = 0;
    return ok == 1 ? 0 : -1;
}

/* Adds one envelope to the batch, sending the batch first when this one
 * would take it past MOVE_CHUNK rows or MOVE_BATCH_BYTES; 0 or -1. */
static int
batch_add(struct move *m, PGconn *c, const struct spool_rec *rec,
          unsigned *sent)
{
    if (m->nbatch >= MOVE_CHUNK ||
        (m->nbatch > 0 && m->batch_bytes + rec->len > MOVE_BATCH_BYTES)) {
        if (send_batch(m, c, sent) != 0)
            return -1;
    }
    uint8_t org[4], day[4];
    be32_store(org, rec->org_id);
    be32_store(day, rec->day - PG_EPOCH_DAYS);
    if (arr_put(&m->orgs, org, 4) != 0 ||
        arr_put(&m->bodies, rec->data, rec->len) != 0 ||
        arr_put(&m->days, day, 4) != 0 ||
        arr_put(&m->refs, rec->ref, SPOOL_REF_BYTES) != 0)
        return -1;
    m->nbatch++;
    m->batch_bytes += rec->len;
    return tally(m, (int)rec->org_id, rec->len);
}

/* Queues the slice's records of m->kind inside db_pipeline's transaction:
 * a mailbox per statement, envelopes in intake_move_batch calls. */
static int
send_moves(void *ctx, PGconn *c, unsigned *sent)
{
    struct move *m = ctx;
    for (size_t i = m->from; i < m->to; i++) {
        struct spool_rec rec;
        if (spool_read_at(m->fd, m->offs[i], &rec, &m->buf, &m->cap) != 0)
            return -1;
        if (rec.kind != m->kind)
            continue;
        char day[16], org[16];
        day_text(day, rec.day);
        int ok;
        if (rec.kind == SPOOL_MAILBOX) {
            if (rec.len != 32)
                continue; /* cannot happen: intake writes 32 */
            /* its organisation (013), or NULL: 0 in older records */
            snprintf(org, sizeof org, "%u", (unsigned)rec.org_id);
            const char *v[3] = {(const char *)rec.data, day,
                                rec.org_id ? org : NULL};
            int l[3] = {32, 0, 0}, f[3] = {1, 0, 0};
            ok = PQsendQueryPrepared(c, "mailbox_move", 3, v, l, f, 0);
            if (ok == 1 && rec.org_id &&
                mb_add(&m->mb, &m->nmb, (int)rec.org_id, 1) != 0)
                return -1;
        } else {
            if (batch_add(m, c, &rec, sent) != 0)
                return -1;
            continue;
        }
        if (ok != 1)
            return -1;
        (*sent)++;
    }
    if (m->kind == SPOOL_ENVELOPE)
        return send_batch(m, c, sent);
    /* the mailboxes' counts, in their transaction (schema 013) */
    if (m->kind == SPOOL_MAILBOX && m->nmb > 0) {
        if (PQsendQueryPrepared(c, "mailbox_fold", 0, NULL, NULL, NULL, 0) !=
            1)
            return -1;
        (*sent)++;
    }
    return 0;
}

static PGconn *
connection(PGconn *c)
{
    if (c && PQstatus(c) != CONNECTION_OK) {
        PQfinish(c);
        c = NULL;
    }
    return c ? c : db_connect(DB_INTAKE, conninfo);
}

/* Copies every record of fd into PostgreSQL; 0 when all committed. */
static int
move_file(PGconn **c, int fd)
{
    uint64_t *offs = NULL;
    long n = spool_index(fd, &offs);
    int rc = -1;
    struct move m = {.fd = fd};
    if (n <= 0) {
        free(offs);
        return n == 0 ? 0 : -1;
    }
    /* Fisher-Yates: ids and transactions follow no arrival order. */
    for (size_t i = (size_t)n - 1; i > 0; i--) {
        size_t j = randombytes_uniform((uint32_t)(i + 1));
        uint64_t t = offs[i];
        offs[i] = offs[j];
        offs[j] = t;
    }
    m.offs = offs;
    *c = connection(*c);
    if (!*c)
        goto out;
    /* Mailboxes first and apart: a reply can find its mailbox as soon as
     * the caseworker can see the report. */
    m.kind = SPOOL_MAILBOX;
    m.from = 0;
    m.to = (size_t)n;
    if (!db_pipeline(*c, send_moves, &m))
        goto out;
    m.kind = SPOOL_ENVELOPE;
    for (size_t from = 0; from < (size_t)n; from += MOVE_CHUNK) {
        m.from = from;
        m.to = from + MOVE_CHUNK < (size_t)n ? from + MOVE_CHUNK : (size_t)n;
        uint64_t t = phases_now();
        if (!db_pipeline(*c, send_moves, &m))
            goto out;
        phases_add(PH_MOVE_TX, t);
    }
    rc = 0;
    credit(&m);
    pthread_mutex_lock(&mu); /* its mailboxes too, before the wipe */
    for (size_t k = 0; k < m.nmb; k++)
        (void)mb_add(&mbc, &nmbc, m.mb[k].org_id, m.mb[k].n);
    pthread_mutex_unlock(&mu);
out:
    free(m.moved);
    arr_release(&m.orgs);
    arr_release(&m.bodies);
    arr_release(&m.days);
    arr_release(&m.refs);
    free(m.mb);
    if (rc != 0 && *c && PQtransactionStatus(*c) != PQTRANS_IDLE) {
        PQfinish(*c);
        *c = NULL;
    }
    if (m.buf)
        sodium_memzero(m.buf, m.cap);
    free(m.buf);
    free(offs);
    return rc;
}

/* The file intake was appending to, and any file a failed move left. */
static void
move_spool(PGconn **c)
{
    for (int round = 0; round < 2; round++) {
        int swapped = 0;
        int fd = spool_take(&swapped);
        if (move_file(c, fd) != 0) {
            fprintf(stderr, "umbra-server: cannot move the spool into the "
                            "database; retrying at the next window\n");
            return;
        }
        /* Counted in PostgreSQL (credit, in move_file) before they leave
         * the spool's counts, so that the quota never sees them nowhere. */
        if (spool_wipe(fd) != 0) {
            fprintf(stderr, "umbra-server: cannot wipe a moved spool file\n");
            return;
        }
        if (swapped)
            break; /* a leftover was finished first: take the current one */
    }
    pthread_mutex_lock(&mu);
    moves++;
    pthread_mutex_unlock(&mu);
}

/* ---- retention -------------------------------------------------------- */

static int
field_u64(const PGresult *r, int col, uint64_t *out)
{
    if (PQgetisnull(r, 0, col))
        return 1;
    return parse_u64(out, PQgetvalue(r, 0, col), 0, INT64_MAX);
}

/* Batches of stmt (two retentions in days and PURGE_BATCH as its
 * parameters; one row of n counts back, NULL where another server holds
 * the purge's lock) until the first `full` counts all come back short of a
 * batch or PURGE_BATCHES have run; the counts are added to total. 0, 1 when
 * another server is purging, -1 when a batch failed (the rest waits for
 * the next run). */
static int
purge_batches(PGconn *c, const char *stmt, unsigned d1, unsigned d2, int n,
              int full, uint64_t *total)
{
    char a[16], b[16], lim[16];
    snprintf(a, sizeof a, "%u", d1);
    snprintf(b, sizeof b, "%u", d2);
    snprintf(lim, sizeof lim, "%u", PURGE_BATCH);
    for (unsigned k = 0; k < PURGE_BATCHES; k++) {
        const char *v[3] = {a, b, lim};
        uint64_t got[3] = {0, 0, 0};
        int skipped = 0;
        PGresult *r = db_exec(c, stmt, 3, v, NULL, NULL);
        int ok = db_ok(r) && PQntuples(r) == 1 && PQnfields(r) == n;
        for (int i = 0; ok && i < n; i++) {
            int rc = field_u64(r, i, &got[i]);
            if (rc == 1)
                skipped = 1;
            else if (rc != 0)
                ok = 0;
        }
        PQclear(r);
        if (!ok)
            return -1;
        if (skipped)
            return 1;
        int short_all = 1;
        for (int i = 0; i < n; i++) {
            total[i] += got[i];
            if (i < full && got[i] >= PURGE_BATCH)
                short_all = 0;
        }
        if (short_all)
            break;
    }
    return 0;
}

/* One purge run of envelopes, mailboxes and their replies
 * (schema/011_retention.sql). Logs counts only, and only when something
 * went. */
static void
purge(PGconn *c)
{
    uint64_t total[3] = {0, 0, 0};

    if (env_days == 0 && mbox_days == 0)
        return;
    if (purge_batches(c, "retention_purge", env_days, mbox_days, 3, 2,
                      total) < 0)
        fprintf(stderr, "umbra-server: retention: the purge failed; "
                        "retrying at the next run\n");
    if (total[0] || total[1] || total[2])
        fprintf(stderr, "umbra-server: retention: purged %llu envelopes, "
                        "%llu mailboxes, %llu replies\n",
                (unsigned long long)total[0], (unsigned long long)total[1],
                (unsigned long long)total[2]);
    for (int i = 0; i < 3; i++) /* envelopes, mailboxes, replies */
        metrics_purged((enum metrics_purged)(PURGED_ENVELOPES + i),
                       total[i]);
}

/* The same for the case events and alerts (schema/015_retention_events.sql,
 * its own lock). */
static void
purge_logs(PGconn *c)
{
    uint64_t total[2] = {0, 0};

    if (event_days == 0 && alert_days == 0)
        return;
    if (purge_batches(c, "retention_purge_logs", event_days, alert_days, 2,
                      2, total) < 0)
        fprintf(stderr, "umbra-server: retention: the purge of case "
                        "events and alerts failed; retrying at the next "
                        "run\n");
    if (total[0] || total[1])
        fprintf(stderr, "umbra-server: retention: purged %llu case events, "
                        "%llu alerts\n",
                (unsigned long long)total[0], (unsigned long long)total[1]);
    metrics_purged(PURGED_EVENTS, total[0]);
    metrics_purged(PURGED_ALERTS, total[1]);
}

void
mover_recount(void)
{
    pthread_mutex_lock(&mu);
    poked = 1;
    pthread_cond_signal(&cv);
    pthread_mutex_unlock(&mu);
}

void
mover_retention(unsigned envelope_days, unsigned mailbox_days,
                unsigned interval)
{
    env_days = envelope_days;
    mbox_days = mailbox_days;
    purge_every = interval ? interval : 1;
}

void
mover_log_retention(unsigned ev_days, unsigned al_days)
{
    event_days = ev_days;
    alert_days = al_days;
}

/* Seconds since the epoch from the precise clock (time() may lag it by a
 * tick, and the boundary would be missed). */
static time_t
now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return ts.tv_sec;
}

static void *
run(void *arg)
{
    (void)arg;
    PGconn *c = NULL;
    time_t now = now_s(), next_refresh = 0, next_purge = 0;
    time_t next_move = window ? (now / window + 1) * (time_t)window : 0;
    pthread_mutex_lock(&mu);
    for (;;) {
        time_t wake = next_refresh;
        if (window && next_move < wake)
            wake = next_move;
        if (next_purge < wake)
            wake = next_purge;
        struct timespec ts = {.tv_sec = wake};
        while (!stopping && !poked && now_s() < wake)
            (void)pthread_cond_timedwait(&cv, &mu, &ts);
        if (stopping)
            break;
        int recount = poked;
        poked = 0;
        pthread_mutex_unlock(&mu);
        now = now_s();
        if (window && now >= next_move) {
            move_spool(&c);
            next_move = (now / window + 1) * (time_t)window;
        }
        if (recount || now >= next_refresh) {
            c = connection(c);
            if (c)
                refresh(c);
            next_refresh = now_s() + REFRESH_SECONDS;
        }
        /* After the move, so a long purge never delays a boundary. */
        if (now >= next_purge) {
            c = connection(c);
            if (c) {
                purge(c);
                purge_logs(c);
                refresh(c);
            }
            next_purge = now_s() + (time_t)purge_every;
        }
        pthread_mutex_lock(&mu);
    }
    pthread_mutex_unlock(&mu);
    if (c)
        PQfinish(c);
    return NULL;
}

int
mover_start(const char *ci, unsigned w)
{
    conninfo = strdup(ci);
    if (!conninfo)
        return -1;
    window = w;
    stopping = 0;
    if (pthread_create(&thread, NULL, run, NULL) != 0)
        return -1;
    running = 1;
    return 0;
}

void
mover_stop(void)
{
    if (!running)
        return;
    thread_stop(&mu, &cv, &stopping);
    pthread_join(thread, NULL);
    running = 0;
    free(conninfo);
    conninfo = NULL;
    pthread_mutex_lock(&mu);
    free(pg);
    pg = NULL;
    npg = 0;
    free(mbc);
    mbc = NULL;
    nmbc = 0;
    pthread_mutex_unlock(&mu);
}
