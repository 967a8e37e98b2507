/* SPDX-License-Identifier: AGPL-3.0-or-later */
/* spool: see spool.h. */
#include "spool.h"
#include "envelope.h" /* umbra_write_all */
#include "phases.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const uint8_t magic[4] = {'U', 'S', 'P', '1'};
static const char *const names[2] = {"spool-a", "spool-b"};

/* Per organisation and file: what the file holds (envelopes, their
 * bytes, and mailboxes registered for it). */
struct count {
    int org_id;
    uint64_t n[2], bytes[2], mailboxes[2];
};

/* Two locks. mu, the append lock: the files, which one is current, and
 * where each ends; held while a batch is written (not while it is synced).
 * cmu, the counters (what each organisation has waiting, records, bytes
 * held): intake reads them for its quota on every request, and must not
 * wait behind an append for them. Order: mu, then cmu. */
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t cmu = PTHREAD_MUTEX_INITIALIZER;
static int fds[2] = {-1, -1};
static unsigned cur;         /* the file intake appends to */
static struct count *counts; /* under cmu */
static size_t ncounts;
static uint64_t records[2], held[2]; /* under cmu */
/* Per file: where the records end (the next append goes there), how far
 * anything was written since the last wipe (what the wipe zeroes), and
 * the file's size, all zeros past `high` (see spool.h, "Preallocated"). */
static uint64_t ends[2], high[2], alloc[2];
/* The grower: a thread that writes the zeros ahead of the records (up to
 * want[f]) outside mu, a SPOOL_GROW_PIECE at a time, each synced before
 * alloc[f] moves past it; an append that finds no room waits for it
 * (acv), which is rare: it keeps SPOOL_GROW_BYTES to 2 x SPOOL_GROW_BYTES
 * ahead. Before, the 16 MiB of zeros were written under mu by whichever
 * append crossed the end, and flushed by its fdatasync: every append
 * waited behind them, about once a second under sustained load. */
static pthread_t grower;
static pthread_cond_t gcv = PTHREAD_COND_INITIALIZER; /* work for it */
static pthread_cond_t acv = PTHREAD_COND_INITIALIZER; /* alloc moved */
static int grower_on, grower_stop;
static uint64_t want[2];
static unsigned fail_gen; /* bumped when the grower cannot write */

static int
file_of(int fd)
{
    return fd == fds[0] ? 0 : fd == fds[1] ? 1 : -1;
}

/* Counts a record: an envelope, or a mailbox of an organisation (one
 * without is not counted); cmu held (or the spool not yet shared). */
static int
count_add(unsigned file, unsigned kind, int org_id, size_t len)
{
    if (kind != SPOOL_ENVELOPE && (kind != SPOOL_MAILBOX || org_id <= 0))
        return 0;
    size_t i;
    for (i = 0; i < ncounts && counts[i].org_id != org_id; i++)
        ;
    if (i == ncounts) {
        struct count *c = realloc(counts, (ncounts + 1) * sizeof *c);
        if (!c)
            return -1;
        counts = c;
        memset(&counts[ncounts], 0, sizeof *counts);
        counts[ncounts++].org_id = org_id;
    }
    if (kind == SPOOL_MAILBOX) {
        counts[i].mailboxes[file]++;
        return 0;
    }
    counts[i].n[file]++;
    counts[i].bytes[file] += len;
    return 0;
}

static int
full_pread(int fd, uint8_t *p, size_t n, uint64_t off)
{
    while (n > 0) {
        ssize_t r = pread(fd, p, n, (off_t)off);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            return -1;
        p += r;
        n -= (size_t)r;
        off += (uint64_t)r;
    }
    return 0;
}

static void
encode_head(uint8_t h[SPOOL_HEAD_BYTES], const struct spool_rec *r)
{
    memcpy(h, magic, 4);
    h[4] = (uint8_t)r->kind;
    h[5] = h[6] = h[7] = 0;
    le32_store(h + 8, (uint32_t)r->org_id);
    le32_store(h + 12, r->day);
    memcpy(h + 16, r->ref, SPOOL_REF_BYTES);
    le32_store(h + 32, (uint32_t)r->len);
}

static int
write_at(int fd, const uint8_t *p, size_t n, uint64_t off)
{
    while (n > 0) {
        ssize_t w = pwrite(fd, p, n, (off_t)off);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return -1;
        p += w;
        n -= (size_t)w;
        off += (uint64_t)w;
    }
    return 0;
}

static int
write_zeros(int fd, uint64_t from, uint64_t to)
{
    static const uint8_t zeros[65536];
    while (from < to) {
        size_t n = to - from < sizeof zeros ? (size_t)(to - from)
                                            : sizeof zeros;
        if (write_at(fd, zeros, n, from) != 0)
            return -1;
        from += n;
    }
    return 0;
}

/* Makes file f at least `need` bytes of written zeros (mu held): grows it
 * by SPOOL_GROW_BYTES steps, so that an append lands on blocks already
 * allocated and written, and its fdatasync changes no metadata (spool.h).
 * The grown zeros reach the disk with the appender's fdatasync. */
static int
grow(unsigned f, uint64_t need)
{
    if (need <= alloc[f])
        return 0;
    uint64_t to = (need + SPOOL_GROW_BYTES - 1) / SPOOL_GROW_BYTES *
                  SPOOL_GROW_BYTES;
    if (write_zeros(fds[f], alloc[f], to) != 0)
        return -1;
    alloc[f] = to;
    return 0;
}

/* The grower's loop (see the statics). */
static void *
grow_run(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&mu);
    while (!grower_stop) {
        unsigned f = cur;
        if (want[f] <= alloc[f])
            f ^= 1u;
        if (want[f] <= alloc[f]) {
            pthread_cond_wait(&gcv, &mu);
            continue;
        }
        uint64_t from = alloc[f];
        uint64_t to = (from / SPOOL_GROW_PIECE + 1) * SPOOL_GROW_PIECE;
        int fd = fds[f];
        pthread_mutex_unlock(&mu);
        /* Nothing else writes past alloc[f]: appends stay below it, the
         * wipe below high[f] <= alloc[f]. */
        int ok = write_zeros(fd, from, to) == 0 && fdatasync(fd) == 0;
        pthread_mutex_lock(&mu);
        if (ok) {
            alloc[f] = to;
        } else {
            fail_gen++;
            want[f] = alloc[f]; /* until an append asks again */
        }
        pthread_cond_broadcast(&acv);
    }
    pthread_mutex_unlock(&mu);
    return NULL;
}

/* Asks the grower for room up to `to` in file f (mu held). */
static void
ask_room(unsigned f, uint64_t to)
{
    if (to > want[f]) {
        want[f] = to;
        pthread_cond_signal(&gcv);
    }
}

int
spool_append(const struct spool_rec *recs, size_t n)
{
    size_t total = 0;
    for (size_t i = 0; i < n; i++) {
        if (recs[i].len > SPOOL_MAX_DATA)
            return -1;
        total += SPOOL_HEAD_BYTES + recs[i].len + SPOOL_CHECK_BYTES;
    }
    uint8_t *buf = malloc(total ? total : 1);
    if (!buf)
        return -1;
    uint8_t *p = buf;
    for (size_t i = 0; i < n; i++) {
        uint8_t *start = p;
        encode_head(p, &recs[i]);
        p += SPOOL_HEAD_BYTES;
        if (recs[i].len)
            memcpy(p, recs[i].data, recs[i].len);
        p += recs[i].len;
        crypto_generichash(p, SPOOL_CHECK_BYTES, start, (size_t)(p - start),
                           NULL, 0);
        p += SPOOL_CHECK_BYTES;
    }
    int rc = -1, fd = -1, room = 0;
    unsigned f = 0;
    uint64_t was = 0, t = phases_now();
    pthread_mutex_lock(&mu);
    /* Room below alloc[f] for the batch: wait for the grower (which file
     * is current, and where it ends, may change meanwhile). */
    for (;;) {
        f = cur;
        fd = fds[f];
        was = ends[f];
        if (was + total <= alloc[f]) {
            room = 1;
            break;
        }
        if (!grower_on) {
            room = grow(f, was + total) == 0;
            break;
        }
        unsigned gen = fail_gen;
        ask_room(f, was + total + SPOOL_GROW_BYTES);
        pthread_cond_wait(&acv, &mu);
        if (fail_gen != gen)
            break;
    }
    if (room && was + total > high[f])
        high[f] = was + total; /* a failed write is wiped all the same */
    if (room && write_at(fd, buf, total, was) == 0) {
        rc = 0;
        ends[f] = was + total;
        pthread_mutex_lock(&cmu);
        held[f] += total;
        for (size_t i = 0; i < n; i++) {
            records[f]++;
            (void)count_add(f, recs[i].kind, (int)recs[i].org_id,
                            recs[i].len);
        }
        pthread_mutex_unlock(&cmu);
    }
    /* Keep SPOOL_GROW_BYTES to twice that written ahead. */
    if (grower_on && alloc[f] < ends[f] + SPOOL_GROW_BYTES)
        ask_room(f, ends[f] + 2 * (uint64_t)SPOOL_GROW_BYTES);
    /* else: ends stays where it was, the next batch overwrites the torn
     * bytes, and until then readers stop at them (they do not check). */
    /* The same descriptor stays open until spool_close, so syncing it
     * outside the lock is safe even if the mover swaps meanwhile. */
    pthread_mutex_unlock(&mu);
    sodium_memzero(buf, total);
    free(buf);
    phases_add(PH_APPEND, t);
    t = phases_now();
    if (rc == 0 && fdatasync(fd) != 0)
        rc = -1;
    phases_add(PH_FSYNC, t);
    return rc;
}

int
spool_take(int *swapped)
{
    pthread_mutex_lock(&mu);
    unsigned other = cur ^ 1u;
    *swapped = 0;
    if (ends[other] == 0 && high[other] == 0) {
        cur = other; /* the old current one is now the mover's */
        *swapped = 1;
    }
    int fd = fds[cur ^ 1u];
    pthread_mutex_unlock(&mu);
    return fd;
}

/* Reads and checks the record at off; 1 read, 0 end or bad, -1 error. */
static int
read_rec(int fd, uint64_t off, uint64_t size, struct spool_rec *rec,
         uint8_t **buf, size_t *cap)
{
    uint8_t h[SPOOL_HEAD_BYTES];
    if (off + SPOOL_HEAD_BYTES + SPOOL_CHECK_BYTES > size)
        return 0;
    if (full_pread(fd, h, sizeof h, off) != 0)
        return -1;
    if (memcmp(h, magic, 4) != 0 ||
        (h[4] != SPOOL_ENVELOPE && h[4] != SPOOL_MAILBOX))
        return 0;
    uint32_t len = le32_load(h + 32);
    if (len > SPOOL_MAX_DATA ||
        off + SPOOL_HEAD_BYTES + len + SPOOL_CHECK_BYTES > size)
        return 0;
    size_t need = SPOOL_HEAD_BYTES + (size_t)len + SPOOL_CHECK_BYTES;
    if (*cap < need) {
        uint8_t *nb = realloc(*buf, need);
        if (!nb)
            return -1;
        *buf = nb;
        *cap = need;
    }
    if (full_pread(fd, *buf, need, off) != 0)
        return -1;
    uint8_t check[SPOOL_CHECK_BYTES];
    crypto_generichash(check, sizeof check, *buf, need - SPOOL_CHECK_BYTES,
                       NULL, 0);
    if (sodium_memcmp(check, *buf + need - SPOOL_CHECK_BYTES,
                      SPOOL_CHECK_BYTES) != 0)
        return 0;
    rec->kind = h[4];
    rec->org_id = le32_load(h + 8);
    rec->day = le32_load(h + 12);
    memcpy(rec->ref, h + 16, SPOOL_REF_BYTES);
    rec->len = len;
    rec->data = *buf + SPOOL_HEAD_BYTES;
    return 1;
}

static uint64_t
file_size(int fd)
{
    struct stat st;
    return fstat(fd, &st) == 0 && st.st_size > 0 ? (uint64_t)st.st_size : 0;
}

long
spool_each(int fd, int (*fn)(void *ctx, const struct spool_rec *rec),
           void *ctx)
{
    uint64_t size = file_size(fd), off = 0;
    uint8_t *buf = NULL;
    size_t cap = 0;
    long n = 0;
    struct spool_rec rec;
    int r;
    while ((r = read_rec(fd, off, size, &rec, &buf, &cap)) == 1) {
        n++;
        if (fn && fn(ctx, &rec) != 0)
            break;
        off += SPOOL_HEAD_BYTES + rec.len + SPOOL_CHECK_BYTES;
    }
    if (buf)
        sodium_memzero(buf, cap);
    free(buf);
    return r < 0 ? -1 : n;
}

long
spool_index(int fd, uint64_t **offs)
{
    uint64_t size = file_size(fd), off = 0;
    uint8_t *buf = NULL;
    size_t cap = 0, n = 0, max = 0;
    uint64_t *v = NULL;
    struct spool_rec rec;
    int r;
    *offs = NULL;
    while ((r = read_rec(fd, off, size, &rec, &buf, &cap)) == 1) {
        if (n == max) {
            size_t m = max ? max * 2 : 256;
            uint64_t *nv = realloc(v, m * sizeof *nv);
            if (!nv) {
                r = -1;
                break;
            }
            v = nv;
            max = m;
        }
        v[n++] = off;
        off += SPOOL_HEAD_BYTES + rec.len + SPOOL_CHECK_BYTES;
    }
    if (buf)
        sodium_memzero(buf, cap);
    free(buf);
    if (r < 0) {
        free(v);
        return -1;
    }
    *offs = v;
    return (long)n;
}

int
spool_read_at(int fd, uint64_t off, struct spool_rec *rec, uint8_t **buf,
              size_t *cap)
{
    return read_rec(fd, off, file_size(fd), rec, buf, cap) == 1 ? 0 : -1;
}

int
spool_wipe(int fd)
{
    pthread_mutex_lock(&mu);
    int f = file_of(fd);
    uint64_t size = f >= 0 ? high[f] : file_size(fd);
    pthread_mutex_unlock(&mu);
    /* Only the mover writes to a file it took (spool_take), so high
     * cannot move meanwhile. */
    /* A chunk at a time, each flushed before the next: one flush of the
     * whole file (hundreds of MiB after a long move) would queue ahead of
     * every append's fdatasync for a second or more. */
    for (uint64_t off = 0; off < size; off += SPOOL_WIPE_CHUNK) {
        uint64_t to = size - off < SPOOL_WIPE_CHUNK ? size
                                                     : off + SPOOL_WIPE_CHUNK;
        if (write_zeros(fd, off, to) != 0 || fdatasync(fd) != 0)
            return -1;
    }
    pthread_mutex_lock(&mu);
    if (f >= 0) {
        ends[f] = high[f] = 0;
        pthread_mutex_lock(&cmu);
        records[f] = held[f] = 0;
        for (size_t i = 0; i < ncounts; i++)
            counts[i].n[f] = counts[i].bytes[f] =
                counts[i].mailboxes[f] = 0;
        pthread_mutex_unlock(&cmu);
    }
    pthread_mutex_unlock(&mu);
    return 0;
}

static int
count_rec(void *ctx, const struct spool_rec *rec)
{
    unsigned f = *(unsigned *)ctx;
    records[f]++;
    held[f] += SPOOL_HEAD_BYTES + rec->len + SPOOL_CHECK_BYTES;
    return count_add(f, rec->kind, (int)rec->org_id, rec->len);
}

int
spool_open(const char *dir)
{
    char path[4096];
    int created = 0;
    if (mkdir(dir, 0700) == 0)
        created = 1;
    else if (errno != EEXIST) {
        fprintf(stderr, "umbra-server: cannot create spool folder '%s': %s\n",
                dir, strerror(errno));
        return -1;
    }
    for (unsigned f = 0; f < 2; f++) {
        if ((size_t)snprintf(path, sizeof path, "%s/%s", dir, names[f]) >=
            sizeof path) {
            fprintf(stderr, "umbra-server: spool folder name too long\n");
            return -1;
        }
        int fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
        if (fd >= 0)
            created = 1;
        else if (errno == EEXIST)
            fd = open(path, O_RDWR | O_CLOEXEC);
        if (fd < 0) {
            fprintf(stderr, "umbra-server: cannot open spool '%s': %s\n",
                    path, strerror(errno));
            spool_close();
            return -1;
        }
        fds[f] = fd;
        if (spool_each(fd, count_rec, &f) < 0) {
            fprintf(stderr, "umbra-server: cannot read spool '%s'\n", path);
            spool_close();
            return -1;
        }
    }
    if (created) {
        int d = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (d < 0 || fsync(d) != 0) {
            fprintf(stderr, "umbra-server: cannot sync spool folder '%s'\n",
                    dir);
            if (d >= 0)
                close(d);
            spool_close();
            return -1;
        }
        close(d);
    }
    /* Append to a file that checks to its end: a torn tail left by a
     * crash would hide everything written after it. */
    cur = 0;
    for (unsigned f = 0; f < 2; f++) {
        uint64_t *offs = NULL;
        long n = spool_index(fds[f], &offs);
        uint64_t end = 0;
        if (n > 0) {
            uint8_t *buf = NULL;
            size_t cap = 0;
            struct spool_rec rec;
            if (spool_read_at(fds[f], offs[n - 1], &rec, &buf, &cap) == 0)
                end = offs[n - 1] + SPOOL_HEAD_BYTES + rec.len +
                      SPOOL_CHECK_BYTES;
            free(buf);
        }
        free(offs);
        if (n >= 0 && file_size(fds[f]) > end &&
            (ftruncate(fds[f], (off_t)end) != 0 || fsync(fds[f]) != 0)) {
            fprintf(stderr, "umbra-server: cannot repair spool '%s/%s'\n",
                    dir, names[f]);
            spool_close();
            return -1;
        }
        ends[f] = high[f] = alloc[f] = end;
    }
    /* The zeros ahead of the first appends, written by the grower. */
    grower_stop = 0;
    want[0] = want[1] = 0;
    want[cur] = ends[cur] + 2 * (uint64_t)SPOOL_GROW_BYTES;
    if (pthread_create(&grower, NULL, grow_run, NULL) == 0)
        grower_on = 1;
    /* else: appends grow the file themselves, under mu */
    return 0;
}

void
spool_close(void)
{
    pthread_mutex_lock(&mu);
    int joining = grower_on;
    grower_stop = 1;
    pthread_cond_signal(&gcv);
    pthread_mutex_unlock(&mu);
    if (joining)
        pthread_join(grower, NULL);
    pthread_mutex_lock(&mu);
    grower_on = 0;
    pthread_cond_broadcast(&acv);
    for (unsigned f = 0; f < 2; f++) {
        if (fds[f] >= 0)
            close(fds[f]);
        fds[f] = -1;
        ends[f] = high[f] = alloc[f] = want[f] = 0;
    }
    pthread_mutex_lock(&cmu);
    for (unsigned f = 0; f < 2; f++)
        records[f] = held[f] = 0;
    free(counts);
    counts = NULL;
    ncounts = 0;
    pthread_mutex_unlock(&cmu);
    pthread_mutex_unlock(&mu);
}

void
spool_pending(int org_id, uint64_t *count, uint64_t *bytes)
{
    *count = *bytes = 0;
    pthread_mutex_lock(&cmu);
    for (size_t i = 0; i < ncounts; i++)
        if (counts[i].org_id == org_id) {
            *count = counts[i].n[0] + counts[i].n[1];
            *bytes = counts[i].bytes[0] + counts[i].bytes[1];
        }
    pthread_mutex_unlock(&cmu);
}

uint64_t
spool_mailboxes(int org_id)
{
    uint64_t n = 0;
    pthread_mutex_lock(&cmu);
    for (size_t i = 0; i < ncounts; i++)
        if (counts[i].org_id == org_id)
            n = counts[i].mailboxes[0] + counts[i].mailboxes[1];
    pthread_mutex_unlock(&cmu);
    return n;
}

uint64_t
spool_records(void)
{
    pthread_mutex_lock(&cmu);
    uint64_t n = records[0] + records[1];
    pthread_mutex_unlock(&cmu);
    return n;
}

uint64_t
spool_held_bytes(void)
{
    pthread_mutex_lock(&cmu);
    uint64_t n = held[0] + held[1];
    pthread_mutex_unlock(&cmu);
    return n;
}
