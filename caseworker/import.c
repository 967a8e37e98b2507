/* import: envelopes into the case store exactly once (see import.h). */
#include "import.h"
#include "bfile.h"
#include "case.h"
#include "progress.h"
#include "store.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

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

/* Records a checked envelope under its server id (caller's transaction). */
static int
import_record(struct store *s, struct import_counts *c, const char *server_id,
              const char *day, int outcome, const struct doc_report *rep,
              const uint8_t *doc, size_t doc_len, const char *reason)
{
    struct store_case_in in;
    int64_t id;
    int r;

    if (outcome == IMPORT_CASE) {
        memset(&in, 0, sizeof in);
        in.server_id = server_id;
        in.summary = rep->summary;
        in.doc = doc;
        in.doc_len = doc_len;
        in.facts = rep->facts;
        snprintf(in.facts.received, sizeof in.facts.received, "%s", day);
        if (rep->has_mailbox) {
            in.mailbox_id = rep->mailbox_id;
            in.mailbox_pk = rep->mailbox_pk;
        }
        r = store_add_case(s, &id, &in);
        if (r == 0)
            c->cases++;
        else if (r == 1)
            c->skipped++;
        return r < 0 ? -1 : 0;
    }
    r = store_add_quarantine(s, server_id, day,
                             outcome == IMPORT_UNOPENED ? "unopened"
                                                        : "quarantine",
                             reason, doc, doc_len);
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
    uint8_t *doc = NULL;
    size_t doc_len = 0;
    int r, rc = -1;

    memset(&rep, 0, sizeof rep);
    r = store_processed(s, server_id);
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
    rc = import_record(s, c, server_id, day, r, &rep, doc, doc_len, reason);
    umbra_secret_free(doc);
    sodium_memzero(&rep, sizeof rep);
    return rc;
}

/*
 * The bundle is imported as a pipeline of batches: while worker threads
 * open and check batch k+1 (CPU: X25519, XChaCha20, JSON), this thread
 * writes batch k into the store in one transaction. Only this thread
 * touches the store; the workers touch only their own slots.
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
};

/*
 * Each batch keeps its opened documents in one secret arena (sodium_malloc
 * memory, wiped when the batch is done), so that a batch of 256 does not
 * take 256 guarded allocations of their own: the workers copy each
 * plaintext into the arena (a lock-free bump pointer) and give the
 * library's buffer back at once. A document that does not fit keeps its
 * own allocation.
 */
#define ARENA_BYTES (2u * 1024u * 1024u)

struct batch {
    struct slot *slots; /* IMPORT_BATCH of them */
    int n;
    uint8_t *arena;
    atomic_size_t used;
    atomic_int next_slot; /* the next slot to check (work sharing) */
};

struct worker {
    pthread_t tid;
    struct batch *b;
    const struct import_keys *ik;
    int started;
};

#define IMPORT_MAX_THREADS 8

/* Checks slots of b until none is left; any number of threads at once. */
static void
check_slots(struct batch *b, const struct import_keys *ik)
{
    int i;

    while ((i = atomic_fetch_add(&b->next_slot, 1)) < b->n) {
        struct slot *sl = &b->slots[i];

        sl->outcome = import_check(&sl->rep, &sl->doc, &sl->doc_len,
                                   sl->reason, sizeof sl->reason, ik,
                                   sl->env, sl->env_len);
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
}

static void *
worker_main(void *arg)
{
    struct worker *w = arg;

    check_slots(w->b, w->ik);
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
}

static int
nthreads_for_import(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    const char *e = getenv("UMBRA_CASE_THREADS");

    if (e != NULL && e[0] >= '0' && e[0] <= '9')
        n = strtol(e, NULL, 10);
    if (n < 1)
        n = 1;
    if (n > IMPORT_MAX_THREADS)
        n = IMPORT_MAX_THREADS;
    return (int)n;
}

/*
 * Starts nt - 1 workers on b (this thread is the nt-th: it writes the
 * previous batch, then helps in finish_workers). With nt = 1, checks b
 * right here.
 */
static void
start_workers(struct worker *w, int nt, struct batch *b,
              const struct import_keys *ik)
{
    int k;

    atomic_store(&b->next_slot, 0);
    for (k = 0; k < nt - 1; k++) {
        w[k].b = b;
        w[k].ik = ik;
        w[k].started = b->n > 0 &&
                       pthread_create(&w[k].tid, NULL, worker_main, &w[k]) == 0;
    }
    if (nt == 1)
        check_slots(b, ik);
}

/* Helps check what is left of b, then waits for the workers. */
static void
finish_workers(struct worker *w, int nt, struct batch *b,
               const struct import_keys *ik)
{
    int k;

    check_slots(b, ik);
    for (k = 0; k < nt - 1; k++)
        if (w[k].started)
            pthread_join(w[k].tid, NULL);
    for (k = 0; k < nt - 1; k++)
        w[k].started = 0;
}

int
import_bundle(struct store *s, struct import_counts *c,
              const struct import_keys *ik, const char *path, int progress)
{
    struct worker workers[IMPORT_MAX_THREADS];
    struct batch ba, bb;
    struct batch *ready = &ba, *next = &bb;
    struct progress pr;
    struct bfile bf;
    struct stat sb;
    char org[UMBRA_SLUG_MAX + 1];
    int r = 0, in_txn = 0, rc = -1, nt = nthreads_for_import(), i;
    int uncommitted = 0;
    int at_end = 0, damaged = 0;
    long kill_after = -1;
    const char *ka = getenv("UMBRA_CASE_TEST_KILL_AFTER");

    /* Test seam for the crash tests: SIGKILL ourselves after that many
     * records (mid-transaction), as a power cut would. */
    if (ka != NULL && ka[0] >= '0' && ka[0] <= '9')
        kill_after = strtol(ka, NULL, 10);
    memset(workers, 0, sizeof workers);
    memset(&ba, 0, sizeof ba);
    memset(&bb, 0, sizeof bb);
    atomic_init(&ba.used, 0);
    atomic_init(&bb.used, 0);
    atomic_init(&ba.next_slot, 0);
    atomic_init(&bb.next_slot, 0);
    if (bfile_open_read(&bf, path) != 0)
        return -1;
    ba.slots = calloc(IMPORT_BATCH, sizeof *ba.slots);
    bb.slots = calloc(IMPORT_BATCH, sizeof *bb.slots);
    /* without an arena (no secret memory left), documents keep their own */
    ba.arena = umbra_secret_alloc(ARENA_BYTES);
    bb.arena = umbra_secret_alloc(ARENA_BYTES);
    if (ba.slots == NULL || bb.slots == NULL) {
        case_err("out of memory");
        goto out;
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
    store_bulk(s, 1);
    for (;;) {
        /* 1. read the next batch (skipping what is already imported) */
        while (!at_end && next->n < IMPORT_BATCH) {
            struct slot *sl;

            r = bfile_next(&bf);
            if (r != 0) {
                at_end = 1;
                damaged = r != 1;
                break;
            }
            i = store_processed(s, bf.rec.id);
            if (i < 0)
                goto out_progress;
            if (i == 1) {
                c->skipped++;
                c->records++;
                continue;
            }
            sl = &next->slots[next->n++];
            memcpy(sl->id, bf.rec.id, sizeof sl->id);
            memcpy(sl->day, bf.rec.day, sizeof sl->day);
            sl->env = bf.rec.env;
            sl->env_len = bf.rec.env_len;
            bf.rec.env = NULL;
        }
        /* 2. check it in the background */
        start_workers(workers, nt, next, ik);
        /* 3. meanwhile, write the batch checked before */
        if (ready->n > 0) {
            if (!in_txn) {
                if (store_begin(s) != 0)
                    goto out_join;
                in_txn = 1;
            }
            for (i = 0; i < ready->n; i++) {
                struct slot *sl = &ready->slots[i];

                if (sl->outcome < 0) {
                    case_err("out of memory");
                    goto out_join;
                }
                /* a bundle may repeat an id: the first one wins, the
                 * store counts the others as skipped */
                if (import_record(s, c, sl->id, sl->day, sl->outcome,
                                  &sl->rep, sl->doc, sl->doc_len,
                                  sl->reason) != 0)
                    goto out_join;
                c->records++;
                if (c->records == kill_after)
                    raise(SIGKILL);
            }
            uncommitted += ready->n;
            if (uncommitted >= IMPORT_COMMIT || (at_end && next->n == 0)) {
                if (store_commit(s) != 0)
                    goto out_join;
                in_txn = 0;
                uncommitted = 0;
            }
            progress_update(&pr, (uint64_t)bf.good_end, c->records,
                            c->cases + c->quarantined + c->unopened);
        }
        finish_workers(workers, nt, next, ik);
        batch_clear(ready);
        if (next->n == 0 && at_end)
            break;
        {
            struct batch *t = ready;

            ready = next;
            next = t;
        }
    }
    if (in_txn) {
        if (store_commit(s) != 0)
            goto out_progress;
        in_txn = 0;
    }
    progress_end(&pr);
    if (damaged) {
        if (r < 0)
            case_err("cannot read bundle '%s': %s", path, strerror(errno));
        else
            case_err("bundle '%s' is damaged or incomplete after %ld "
                     "records (an interrupted pull? run pull again); "
                     "those were imported",
                     path, bf.records);
        goto out;
    }
    rc = 0;
    goto out;
out_join:
    finish_workers(workers, nt, next, ik);
out_progress:
    progress_end(&pr);
out:
    if (in_txn)
        store_rollback(s);
    store_bulk(s, 0);
    if (ba.slots != NULL)
        batch_clear(&ba);
    if (bb.slots != NULL)
        batch_clear(&bb);
    free(ba.slots);
    free(bb.slots);
    umbra_secret_free(ba.arena);
    umbra_secret_free(bb.arena);
    bfile_close(&bf);
    return rc;
}
