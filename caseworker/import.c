/* SPDX-License-Identifier: AGPL-3.0-or-later */
/* import: envelopes into the case store exactly once (see import.h). */
#include "import.h"
#include "bfile.h"
#include "case.h"
#include "progress.h"
#include "store.h"
#include "team.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>
#include <sodium.h>

void
import_keys_from(struct import_keys *ik, const struct umbra_org_keys *k)
{
    unsigned i;

    ik->n = k->nkeys;
    ik->sks = &k->enc_sk[0][0];
    for (i = 0; i < k->nkeys; i++)
        memcpy(ik->pks + 32u * i, k->enc[i].pk, 32);
}

int
import_check(struct doc_report *rep, uint8_t **doc, size_t *doc_len,
             char *reason, size_t cap, const struct import_keys *ik,
             const uint8_t *env, size_t env_len)
{
    uint8_t *pt = NULL;
    size_t pt_len = 0;
    int err;

    *doc = NULL;
    *doc_len = 0;
    err = umbra_envelope_open(&pt, &pt_len, NULL, ik->sks, ik->pks, ik->n,
                              env, env_len);
    if (err == UMBRA_ERR_NOMEM)
        return -1;
    if (err == UMBRA_ERR_NO_KEY) {
        snprintf(reason, cap, "not sealed to any key of this home");
        return IMPORT_UNOPENED;
    }
    if (err != 0) {
        snprintf(reason, cap, "cannot open: %s", case_open_error(err));
        return IMPORT_QUARANTINE;
    }
    *doc = pt;
    *doc_len = pt_len;
    err = doc_parse_report(rep, reason, cap, pt, pt_len);
    if (err < 0) {
        umbra_secret_free(pt);
        *doc = NULL;
        return -1;
    }
    return err == 0 ? IMPORT_CASE : IMPORT_QUARANTINE;
}

/* The narrative of a checked document (a copy the caller frees), "" if
 * it has none; NULL when out of memory. */
static char *
narrative_of(const uint8_t *doc, size_t doc_len)
{
    json_t *d = json_loadb((const char *)doc, doc_len, JSON_REJECT_DUPLICATES,
                           NULL);
    const char *t = json_string_value(json_object_get(d, "narrative"));
    char *out = strdup(t != NULL ? t : "");

    json_decref(d);
    return out;
}

/*
 * A follow-up (protocol section 6.1) joins the oldest case holding its
 * mailbox when its proof verifies with that case's mailbox key and one of
 * this home's keys: 0 (done, counted) or -1. Otherwise it is to become a
 * case of its own: 1 with *origin "follow-up" (no case here has its
 * mailbox: deleted, or never imported here; it keeps its mailbox when the
 * proof verifies with the document's own key, so the organisation can
 * answer) or "unverified" (the proof does not verify: a forgery or a
 * damaged document; no mailbox is kept, so no reply can go to a key the
 * forger chose) with *origin_case the case it named, and *keep_mailbox.
 */
static int
followup_join(struct store *s, struct import_counts *c,
              const struct import_keys *ik, const char *server_id,
              const char *day, const struct doc_report *rep,
              const uint8_t *doc, size_t doc_len, const uint8_t digest[16],
              const char **origin, int64_t *origin_case, int *keep_mailbox)
{
    struct store_followup_in f;
    uint8_t mid[32], pk[32];
    char *text = NULL;
    int64_t id = 0;
    int r;

    *keep_mailbox = 0;
    *origin_case = 0;
    if (umbra_unhex(mid, 32, rep->mailbox_id, 64) != 0)
        return -1; /* not reached: checked by umbra_report_check */
    r = store_case_by_mailbox(s, rep->mailbox_id, &id, pk);
    if (r < 0)
        return -1;
    if (r == 1) {
        *origin = "follow-up";
        *keep_mailbox =
            umbra_followup_verify(rep->follow_up_proof, rep->mailbox_pk,
                                  ik->sks, ik->n, mid,
                                  rep->narrative_sha512) == 0;
        return 1;
    }
    if (umbra_followup_verify(rep->follow_up_proof, pk, ik->sks, ik->n, mid,
                              rep->narrative_sha512) != 0) {
        *origin = "unverified";
        *origin_case = id;
        return 1;
    }
    text = narrative_of(doc, doc_len);
    if (text == NULL)
        return -1;
    memset(&f, 0, sizeof f);
    f.server_id = server_id;
    f.env_digest = digest;
    f.day = day;
    f.text = text;
    f.doc = doc;
    f.doc_len = doc_len;
    f.proof = rep->follow_up_proof;
    r = store_add_followup(s, id, &f);
    sodium_memzero(text, strlen(text));
    free(text);
    if (r == 0)
        c->followups++;
    else if (r == 1)
        c->skipped++;
    return r < 0 ? -1 : 0;
}

/* Records a checked envelope under its server id (caller's transaction). */
static int
import_record(struct store *s, struct import_counts *c,
              const struct import_keys *ik, const char *server_id,
              const char *day, int outcome, const struct doc_report *rep,
              const uint8_t *doc, size_t doc_len, const char *reason,
              const uint8_t digest[16], const char *uid)
{
    struct store_case_in in;
    const char *origin = NULL;
    int64_t id, origin_case = 0;
    int r, keep_mailbox = 1;

    if (outcome == IMPORT_CASE && rep->has_follow_up) {
        r = followup_join(s, c, ik, server_id, day, rep, doc, doc_len, digest,
                          &origin, &origin_case, &keep_mailbox);
        if (r <= 0)
            return r;
    }
    if (outcome == IMPORT_CASE) {
        memset(&in, 0, sizeof in);
        in.origin = origin;
        in.origin_case = origin_case;
        in.server_id = server_id;
        in.env_digest = digest;
        in.summary = rep->summary;
        in.doc = doc;
        in.doc_len = doc_len;
        in.facts = rep->facts;
        snprintf(in.facts.received, sizeof in.facts.received, "%s", day);
        if (rep->has_mailbox && keep_mailbox) {
            in.mailbox_id = rep->mailbox_id;
            in.mailbox_pk = rep->mailbox_pk;
        }
        r = store_add_case(s, &id, &in);
        /* its uid, the same in every member's store; events that came
         * before the report apply now */
        if (r == 0 && (store_case_set_uid(s, id, uid) != 0 ||
                       store_team_apply(s, uid) < 0))
            r = -1;
        if (r == 0 && origin != NULL && strcmp(origin, "unverified") == 0)
            c->unverified++;
        if (r == 0)
            c->cases++;
        else if (r == 1)
            c->skipped++;
        return r < 0 ? -1 : 0;
    }
    r = store_add_quarantine(s, server_id, day,
                             outcome == IMPORT_UNOPENED ? "unopened"
                                                        : "quarantine",
                             reason, doc, doc_len, digest);
    if (r != 0) {
        if (r == 1)
            c->skipped++;
        return r < 0 ? -1 : 0;
    }
    if (outcome == IMPORT_UNOPENED)
        c->unopened++;
    else
        c->quarantined++;
    return 0;
}

int
import_envelope(struct store *s, struct import_counts *c,
                const struct import_keys *ik, const char *server_id,
                const char *day, const uint8_t *env, size_t env_len)
{
    struct doc_report rep;
    char reason[200];
    uint8_t *doc = NULL, digest[16];
    char uid[33];
    size_t doc_len = 0;
    int r, rc = -1;

    memset(&rep, 0, sizeof rep);
    bfile_record_mac(digest, server_id, day, env, env_len);
    r = store_processed_env(s, server_id, digest);
    if (r < 0)
        return -1;
    if (r == 1) {
        c->skipped++;
        return 0;
    }
    r = import_check(&rep, &doc, &doc_len, reason, sizeof reason, ik, env,
                     env_len);
    if (r < 0) {
        case_err("out of memory");
        return -1;
    }
    team_case_uid(uid, env, env_len);
    rc = import_record(s, c, ik, server_id, day, r, &rep, doc, doc_len,
                       reason, digest, uid);
    umbra_secret_free(doc);
    sodium_memzero(&rep, sizeof rep);
    return rc;
}

/*
 * The bundle is imported as a pipeline over a ring of IMPORT_RING batches.
 * This thread reads the bundle into free batches and writes checked
 * batches into the store, in bundle order, one transaction per
 * IMPORT_COMMIT records; checker threads (one per core) open and check
 * every filled batch (CPU: X25519, XChaCha20, JSON) as soon as it is
 * filled, so they keep working while this thread writes, commits or
 * waits on fsync, and this thread never waits on them while a checked
 * batch is ready. Only this thread touches the store and the bundle; the
 * checkers touch only the slots they claimed.
 */
struct slot {
    char id[BFILE_ID_MAX + 1];
    char day[11];
    uint8_t *env;
    size_t env_len;
    int outcome;
    struct doc_report rep;
    uint8_t *doc;
    size_t doc_len;
    char reason[200];
    int in_arena;
    uint8_t digest[16]; /* the record's check value (store_processed_env) */
    char uid[33];       /* the case uid its envelope gives (team.h) */
};

/*
 * Each batch keeps its opened documents in one secret arena (sodium_malloc
 * memory, wiped when the batch is done), so that a batch of 256 does not
 * take 256 guarded allocations of their own: the checkers copy each
 * plaintext into the arena (a lock-free bump pointer) and give the
 * library's buffer back at once. A document that does not fit keeps its
 * own allocation. IMPORT_RING arenas together stay at 4 MiB, well under
 * the usual 8 MiB RLIMIT_MEMLOCK, so that they stay locked in memory.
 */
#define IMPORT_RING 4
#define ARENA_BYTES (1024u * 1024u)

struct batch {
    struct slot *slots; /* IMPORT_BATCH of them */
    int n;
    int claimed; /* slots handed to checkers (under the pipe's mutex) */
    int checked; /* slots checked (under the pipe's mutex) */
    uint8_t *arena;
    atomic_size_t used;
};

struct pipe {
    pthread_mutex_t mu;
    pthread_cond_t work;    /* a batch was filled, or stop */
    pthread_cond_t checked; /* a batch was checked to the end */
    struct batch ring[IMPORT_RING];
    int head;     /* the oldest batch (next to write) */
    int nfilled;  /* batches from head on that hold records */
    int stop;
    const struct import_keys *ik;
};

#define IMPORT_MAX_THREADS 8

static void
check_slot(struct batch *b, struct slot *sl, const struct import_keys *ik)
{
    sl->outcome = import_check(&sl->rep, &sl->doc, &sl->doc_len, sl->reason,
                               sizeof sl->reason, ik, sl->env, sl->env_len);
    team_case_uid(sl->uid, sl->env, sl->env_len);
    if (sl->doc != NULL && b->arena != NULL) {
        size_t need = (sl->doc_len + 15) & ~(size_t)15;
        size_t at = atomic_fetch_add(&b->used, need);

        if (need <= ARENA_BYTES && at <= ARENA_BYTES - need) {
            memcpy(b->arena + at, sl->doc, sl->doc_len);
            umbra_secret_free(sl->doc);
            sl->doc = b->arena + at;
            sl->in_arena = 1;
        }
    }
}

/* Checker thread: claims the oldest unclaimed slot of the filled batches,
 * checks it, repeats; sleeps when there is none; ends on stop. */
static void *
checker_main(void *arg)
{
    struct pipe *p = arg;

    pthread_mutex_lock(&p->mu);
    for (;;) {
        struct batch *b = NULL;
        int k, i;

        for (k = 0; k < p->nfilled; k++) {
            struct batch *c = &p->ring[(p->head + k) % IMPORT_RING];

            if (c->claimed < c->n) {
                b = c;
                break;
            }
        }
        if (p->stop)
            break;
        if (b == NULL) {
            pthread_cond_wait(&p->work, &p->mu);
            continue;
        }
        i = b->claimed++;
        pthread_mutex_unlock(&p->mu);
        check_slot(b, &b->slots[i], p->ik);
        pthread_mutex_lock(&p->mu);
        if (++b->checked == b->n)
            pthread_cond_signal(&p->checked);
    }
    pthread_mutex_unlock(&p->mu);
    return NULL;
}

static void
batch_clear(struct batch *b)
{
    int i;

    for (i = 0; i < b->n; i++) {
        struct slot *sl = &b->slots[i];

        free(sl->env);
        if (!sl->in_arena)
            umbra_secret_free(sl->doc);
        sodium_memzero(sl, sizeof *sl);
    }
    if (b->arena != NULL) {
        size_t used = atomic_load(&b->used);

        sodium_memzero(b->arena, used < ARENA_BYTES ? used : ARENA_BYTES);
    }
    atomic_store(&b->used, 0);
    b->n = 0;
    b->claimed = 0;
    b->checked = 0;
}

static int
nthreads_for_import(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    const char *e = getenv("UMBRA_CASE_THREADS");
    uint64_t v;

    if (e != NULL && umbra_parse_u64(&v, e, 0, INT32_MAX) == 0)
        n = (long)v;
    if (n < 1)
        n = 1;
    if (n > IMPORT_MAX_THREADS)
        n = IMPORT_MAX_THREADS;
    return (int)n;
}

/*
 * Reads records into b until it is full or the bundle ends, skipping what
 * the store already holds. 0, or -1 on a store error; *at_end and
 * *damaged (with *rr, bfile_next's last answer) say how the bundle ended.
 */
static int
batch_fill(struct batch *b, struct store *s, struct import_counts *c,
           struct bfile *bf, int *at_end, int *damaged, int *rr)
{
    while (!*at_end && b->n < IMPORT_BATCH) {
        struct slot *sl;
        int r = bfile_next(bf), i;

        if (r != 0) {
            *at_end = 1;
            *damaged = r != 1;
            *rr = r;
            break;
        }
        if (bf->rec.kind == 'E')
            continue; /* case events: team_import_file's pass */
        i = store_processed(s, bf->rec.id);
        if (i == 1) /* the same report, or the id given out again by a
                     * restored server for another one? */
            i = store_processed_env(s, bf->rec.id, bf->rec.mac);
        if (i < 0)
            return -1;
        if (i == 1) {
            c->skipped++;
            c->records++;
            continue;
        }
        sl = &b->slots[b->n++];
        memcpy(sl->id, bf->rec.id, sizeof sl->id);
        memcpy(sl->day, bf->rec.day, sizeof sl->day);
        memcpy(sl->digest, bf->rec.mac, sizeof sl->digest);
        sl->env = bf->rec.env;
        sl->env_len = bf->rec.env_len;
        bf->rec.env = NULL;
    }
    return 0;
}

int
import_bundle(struct store *s, struct import_counts *c,
              const struct import_keys *ik, const char *path, int progress)
{
    pthread_t tids[IMPORT_MAX_THREADS];
    struct pipe p;
    struct progress pr;
    struct bfile bf;
    struct stat sb;
    char org[UMBRA_SLUG_MAX + 1];
    int r = 0, in_txn = 0, rc = -1, nt = nthreads_for_import(), i, k;
    int started = 0, uncommitted = 0, at_end = 0, damaged = 0;
    int progress_on = 0;
    long kill_after = -1;
    const char *ka = getenv("UMBRA_CASE_TEST_KILL_AFTER");
    uint64_t kv;

    /* Test seam for the crash tests: SIGKILL ourselves after that many
     * records (mid-transaction), as a power cut would. */
    if (ka != NULL && umbra_parse_u64(&kv, ka, 0, INT32_MAX) == 0)
        kill_after = (long)kv;
    memset(&p, 0, sizeof p);
    p.ik = ik;
    for (k = 0; k < IMPORT_RING; k++)
        atomic_init(&p.ring[k].used, 0);
    if (pthread_mutex_init(&p.mu, NULL) != 0)
        return -1;
    if (pthread_cond_init(&p.work, NULL) != 0) {
        pthread_mutex_destroy(&p.mu);
        return -1;
    }
    if (pthread_cond_init(&p.checked, NULL) != 0) {
        pthread_cond_destroy(&p.work);
        pthread_mutex_destroy(&p.mu);
        return -1;
    }
    if (bfile_open_read(&bf, path) != 0)
        goto out_sync;
    for (k = 0; k < IMPORT_RING; k++) {
        p.ring[k].slots = calloc(IMPORT_BATCH, sizeof *p.ring[k].slots);
        if (p.ring[k].slots == NULL) {
            case_err("out of memory");
            goto out;
        }
        /* without an arena (no secret memory left), documents keep their
         * own */
        p.ring[k].arena = umbra_secret_alloc(ARENA_BYTES);
    }
    if (store_meta_get(s, "org", org, sizeof org) != 0 ||
        strcmp(org, bf.slug) != 0) {
        case_err("bundle '%s' holds reports for organisation '%s', but this "
                 "home is for '%s'",
                 path, bf.slug, org);
        goto out;
    }
    if (fstat(fileno(bf.f), &sb) != 0)
        sb.st_size = 0;
    progress_start(&pr, "import", progress, (uint64_t)sb.st_size);
    progress_on = 1;
    store_bulk(s, 1);
    /* with one thread, this one checks each batch as it is filled */
    if (nt > 1)
        for (; started < nt; started++)
            if (pthread_create(&tids[started], NULL, checker_main, &p) != 0)
                break;
    for (;;) {
        struct batch *b;

        /* 1. fill every free batch of the ring and hand it to the
         * checkers */
        while (!at_end && p.nfilled < IMPORT_RING) {
            b = &p.ring[(p.head + p.nfilled) % IMPORT_RING];
            if (batch_fill(b, s, c, &bf, &at_end, &damaged, &r) != 0)
                goto out;
            if (b->n == 0)
                break;
            if (started == 0) {
                for (i = 0; i < b->n; i++)
                    check_slot(b, &b->slots[i], ik);
                b->claimed = b->checked = b->n;
            }
            pthread_mutex_lock(&p.mu);
            p.nfilled++;
            pthread_cond_broadcast(&p.work);
            pthread_mutex_unlock(&p.mu);
        }
        if (p.nfilled == 0)
            break;
        /* 2. wait until the oldest batch is checked, then write it */
        b = &p.ring[p.head];
        pthread_mutex_lock(&p.mu);
        while (b->checked < b->n)
            pthread_cond_wait(&p.checked, &p.mu);
        pthread_mutex_unlock(&p.mu);
        if (!in_txn) {
            if (store_begin(s) != 0)
                goto out;
            in_txn = 1;
        }
        for (i = 0; i < b->n; i++) {
            struct slot *sl = &b->slots[i];

            if (sl->outcome < 0) {
                case_err("out of memory");
                goto out;
            }
            /* bundles that overlap: the store counts a record handled
             * before as skipped */
            if (import_record(s, c, ik, sl->id, sl->day, sl->outcome, &sl->rep,
                              sl->doc, sl->doc_len, sl->reason,
                              sl->digest, sl->uid) != 0)
                goto out;
            c->records++;
            if (c->records == kill_after)
                raise(SIGKILL);
        }
        uncommitted += b->n;
        pthread_mutex_lock(&p.mu);
        p.head = (p.head + 1) % IMPORT_RING;
        p.nfilled--;
        pthread_mutex_unlock(&p.mu);
        batch_clear(b);
        if (uncommitted >= IMPORT_COMMIT || (at_end && p.nfilled == 0)) {
            if (store_commit(s) != 0)
                goto out;
            in_txn = 0;
            uncommitted = 0;
        }
        progress_update(&pr, (uint64_t)bf.good_end, c->records,
                        c->cases + c->quarantined + c->unopened);
    }
    if (in_txn) {
        if (store_commit(s) != 0)
            goto out;
        in_txn = 0;
    }
    if (damaged) {
        progress_end(&pr);
        progress_on = 0;
        if (r < 0)
            case_err("cannot read bundle '%s': %s", path, strerror(errno));
        else if (bf.damage == BFILE_ID_NOT_RISING)
            case_err("bundle '%s' was changed by other hands: after %ld "
                     "records %s; those were imported, the rest refused",
                     path, bf.records, bf.damage);
        else
            case_err("bundle '%s' is damaged or incomplete after %ld "
                     "records (an interrupted pull? run pull again); "
                     "those were imported",
                     path, bf.records);
        goto out;
    }
    rc = 0;
out:
    pthread_mutex_lock(&p.mu);
    p.stop = 1;
    pthread_cond_broadcast(&p.work);
    pthread_mutex_unlock(&p.mu);
    for (k = 0; k < started; k++)
        pthread_join(tids[k], NULL);
    if (progress_on)
        progress_end(&pr);
    if (in_txn)
        store_rollback(s);
    store_bulk(s, 0);
    for (k = 0; k < IMPORT_RING; k++) {
        if (p.ring[k].slots != NULL)
            batch_clear(&p.ring[k]);
        free(p.ring[k].slots);
        umbra_secret_free(p.ring[k].arena);
    }
    bfile_close(&bf);
out_sync:
    pthread_cond_destroy(&p.checked);
    pthread_cond_destroy(&p.work);
    pthread_mutex_destroy(&p.mu);
    return rc;
}
