/* SPDX-License-Identifier: AGPL-3.0-or-later */
/* bfile: bundle files of sealed reports (see bfile.h for the format). */
#include "bfile.h"
#include "encode.h"
#include "case.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

static const uint8_t MAGIC[8] = {'U', 'M', 'B', 'R', 'A', 'B', 'D', 'L'};

const char BFILE_ID_NOT_RISING[] =
    "a record repeats or lowers the server id of the one before it";
static const char TORN[] = "a record is incomplete or its check value "
                           "differs";

int
bfile_valid_id(const char *s, uint64_t *num)
{
    size_t n = strlen(s), i;
    uint64_t v = 0;

    if (n == 0 || n > BFILE_ID_MAX || (s[0] == '0' && n > 1))
        return 0;
    for (i = 0; i < n; i++) {
        unsigned d;

        if (s[i] < '0' || s[i] > '9')
            return 0;
        d = (unsigned)(s[i] - '0');
        if (v > (UINT64_MAX - d) / 10)
            return 0;
        v = v * 10 + d;
    }
    if (num != NULL)
        *num = v;
    return 1;
}

static int
read_header(struct bfile *bf, const char *path)
{
    uint8_t h[12];
    size_t s;

    if (fread(h, 1, sizeof h, bf->f) != sizeof h ||
        memcmp(h, MAGIC, 8) != 0) {
        case_err("'%s' is not an Umbra bundle file", path);
        return -1;
    }
    if (h[8] != 1) {
        case_err("'%s' is a bundle of an unknown version (%u); update "
                 "umbra-case",
                 path, h[8]);
        return -1;
    }
    s = h[9];
    if (s == 0 || s > UMBRA_SLUG_MAX || h[10] != 0 || h[11] != 0 ||
        fread(bf->slug, 1, s, bf->f) != s) {
        case_err("bundle file '%s' has a damaged header", path);
        return -1;
    }
    bf->slug[s] = 0;
    if (!umbra_slug_valid(bf->slug, s)) {
        case_err("bundle file '%s' has a damaged header", path);
        return -1;
    }
    bf->good_end = (off_t)(12 + s);
    return 0;
}

int
bfile_next(struct bfile *bf)
{
    crypto_generichash_state st;
    uint8_t head[2], mac[16], want[16], lenb[4];
    struct bfile_record *r = &bf->rec;
    size_t k, got;
    uint32_t len;

    free(r->env);
    r->env = NULL;
    r->env_len = 0;
    bf->damage = TORN;
    got = fread(head, 1, 2, bf->f);
    if (got == 0 && feof(bf->f))
        return 1;
    if (got != 2 || (head[0] != 'R' && head[0] != 'E') || head[1] == 0 ||
        head[1] > BFILE_ID_MAX)
        return ferror(bf->f) ? -1 : 2;
    k = head[1];
    if (fread(r->id, 1, k, bf->f) != k)
        return ferror(bf->f) ? -1 : 2;
    r->id[k] = 0;
    if (fread(r->day, 1, 10, bf->f) != 10 || fread(lenb, 1, 4, bf->f) != 4)
        return ferror(bf->f) ? -1 : 2;
    r->day[10] = 0;
    len = (uint32_t)lenb[0] | (uint32_t)lenb[1] << 8 |
          (uint32_t)lenb[2] << 16 | (uint32_t)lenb[3] << 24;
    if (!bfile_valid_id(r->id, &r->id_num) ||
        !umbra_date_valid(r->day, strlen(r->day)) || len > BFILE_ENVELOPE_MAX)
        return 2;
    r->env = malloc(len ? len : 1);
    if (r->env == NULL)
        return -1;
    if (fread(r->env, 1, len, bf->f) != len ||
        fread(mac, 1, sizeof mac, bf->f) != sizeof mac)
        return ferror(bf->f) ? -1 : 2;
    crypto_generichash_init(&st, NULL, 0, sizeof want);
    crypto_generichash_update(&st, head, 2);
    crypto_generichash_update(&st, (const uint8_t *)r->id, k);
    crypto_generichash_update(&st, (const uint8_t *)r->day, 10);
    crypto_generichash_update(&st, lenb, 4);
    crypto_generichash_update(&st, r->env, len);
    crypto_generichash_final(&st, want, sizeof want);
    if (sodium_memcmp(mac, want, sizeof mac) != 0)
        return 2;
    if (head[0] == 'E' ? (bf->events > 0 && r->id_num <= bf->max_event_id)
                       : (bf->records - bf->events > 0 &&
                          r->id_num <= bf->max_id)) {
        /* Not a torn write: the file was changed by other hands. The
         * record is not returned; the ones before it are good. */
        bf->damage = BFILE_ID_NOT_RISING;
        return 2;
    }
    r->kind = (char)head[0];
    if (head[0] == 'E') {
        bf->max_event_id = r->id_num;
        bf->events++;
    } else
        bf->max_id = r->id_num;
    bf->damage = NULL;
    memcpy(r->mac, mac, sizeof r->mac);
    r->env_len = len;
    bf->records++;
    bf->good_end += (off_t)(2 + k + 10 + 4 + len + 16);
    return 0;
}

int
bfile_open_read(struct bfile *bf, const char *path)
{
    memset(bf, 0, sizeof *bf);
    bf->f = fopen(path, "rb");
    if (bf->f == NULL) {
        case_err("cannot open bundle file '%s': %s", path, strerror(errno));
        return -1;
    }
    if (read_header(bf, path) != 0) {
        bfile_close(bf);
        return -1;
    }
    return 0;
}

/*
 * A new bundle file: its header is written to PATH.new, flushed to disk,
 * and only then renamed to PATH, so that a pull killed at any moment
 * leaves either no file or a file with a whole header (a file made by an
 * older pull killed before its header was written is empty: it is taken
 * as new too, see bfile_open_append). bf->f stays open on it.
 */
static int
create_file(struct bfile *bf, const char *path, const char *slug, int fresh)
{
    uint8_t h[12];
    size_t s = strlen(slug), n = strlen(path) + 5;
    char *tmp = fresh ? malloc(n) : NULL;

    if (fresh) {
        if (tmp == NULL)
            return -1;
        snprintf(tmp, n, "%s.new", path);
        bf->f = fopen(tmp, "w+b");
        if (bf->f == NULL) {
            free(tmp);
            return -1;
        }
    }
    memcpy(h, MAGIC, 8);
    h[8] = 1;
    h[9] = (uint8_t)s;
    h[10] = h[11] = 0;
    if (fwrite(h, 1, 12, bf->f) != 12 || fwrite(slug, 1, s, bf->f) != s ||
        bfile_sync(bf) != 0 || (fresh && rename(tmp, path) != 0)) {
        int e = errno;

        if (fresh)
            (void)unlink(tmp);
        free(tmp);
        errno = e;
        return -1;
    }
    free(tmp);
    snprintf(bf->slug, sizeof bf->slug, "%s", slug);
    bf->good_end = (off_t)(12 + s);
    bf->created = 1;
    return 0;
}

int
bfile_open_append(struct bfile *bf, const char *path, const char *slug)
{
    struct stat st;
    int rc;

    memset(bf, 0, sizeof *bf);
    bf->f = fopen(path, "r+b");
    if (bf->f == NULL && errno == ENOENT) {
        if (create_file(bf, path, slug, 1) != 0)
            goto fail;
        return 0;
    }
    if (bf->f != NULL && fstat(fileno(bf->f), &st) == 0 && st.st_size == 0) {
        if (create_file(bf, path, slug, 0) != 0)
            goto fail;
        return 0;
    }
    if (bf->f == NULL)
        goto fail;
    if (read_header(bf, path) != 0) {
        bfile_close(bf);
        return -1;
    }
    if (strcmp(bf->slug, slug) != 0) {
        case_err("bundle file '%s' belongs to organisation '%s', not '%s'; "
                 "use another --out",
                 path, bf->slug, slug);
        bfile_close(bf);
        return -1;
    }
    while ((rc = bfile_next(bf)) == 0)
        ;
    if (rc < 0)
        goto fail;
    free(bf->rec.env);
    bf->rec.env = NULL;
    if (rc == 2 && bf->damage == BFILE_ID_NOT_RISING) {
        /* Cutting here would throw good records away: refuse. */
        case_err("bundle file '%s' was not written by pull alone: after %ld "
                 "records %s; import it, then use another --out",
                 path, bf->records, BFILE_ID_NOT_RISING);
        bfile_close(bf);
        return -1;
    }
    if (rc == 2) {
        /* A pull was interrupted mid-record: cut the torn tail off. */
        if (fflush(bf->f) != 0 || ftruncate(fileno(bf->f), bf->good_end) != 0)
            goto fail;
    }
    if (fseeko(bf->f, bf->good_end, SEEK_SET) != 0)
        goto fail;
    return 0;
fail:
    case_err("cannot write bundle file '%s': %s", path, strerror(errno));
    bfile_close(bf);
    return -1;
}

static void
record_head(uint8_t head[2], uint8_t lenb[4], char kind, const char *id,
            size_t env_len)
{
    head[0] = (uint8_t)kind;
    head[1] = (uint8_t)strlen(id);
    lenb[0] = (uint8_t)env_len;
    lenb[1] = (uint8_t)(env_len >> 8);
    lenb[2] = (uint8_t)(env_len >> 16);
    lenb[3] = (uint8_t)(env_len >> 24);
}

static void
record_mac(uint8_t out[16], char kind, const char *id, const char *day,
           const uint8_t *env, size_t env_len)
{
    crypto_generichash_state st;
    uint8_t head[2], lenb[4];

    record_head(head, lenb, kind, id, env_len);
    crypto_generichash_init(&st, NULL, 0, 16);
    crypto_generichash_update(&st, head, 2);
    crypto_generichash_update(&st, (const uint8_t *)id, head[1]);
    crypto_generichash_update(&st, (const uint8_t *)day, 10);
    crypto_generichash_update(&st, lenb, 4);
    crypto_generichash_update(&st, env, env_len);
    crypto_generichash_final(&st, out, 16);
}

void
bfile_record_mac(uint8_t out[16], const char *id, const char *day,
                 const uint8_t *env, size_t env_len)
{
    record_mac(out, 'R', id, day, env, env_len);
}

static int
append(struct bfile *bf, char kind, const char *id, const char *day,
       const uint8_t *env, size_t env_len)
{
    uint8_t head[2], lenb[4], mac[16];
    size_t k = strlen(id);
    uint64_t num = 0;

    if (!bfile_valid_id(id, &num) ||
        num <= (kind == 'E' ? bf->max_event_id : bf->max_id) ||
        !umbra_date_valid(day, strlen(day)) || env_len > BFILE_ENVELOPE_MAX) {
        errno = EINVAL;
        return -1;
    }
    record_head(head, lenb, kind, id, env_len);
    record_mac(mac, kind, id, day, env, env_len);
    if (fwrite(head, 1, 2, bf->f) != 2 || fwrite(id, 1, k, bf->f) != k ||
        fwrite(day, 1, 10, bf->f) != 10 || fwrite(lenb, 1, 4, bf->f) != 4 ||
        fwrite(env, 1, env_len, bf->f) != env_len ||
        fwrite(mac, 1, sizeof mac, bf->f) != sizeof mac)
        return -1;
    if (kind == 'E') {
        bf->max_event_id = num;
        bf->events++;
    } else
        bf->max_id = num;
    bf->records++;
    bf->good_end += (off_t)(2 + k + 10 + 4 + env_len + 16);
    return 0;
}

int
bfile_append(struct bfile *bf, const char *id, const char *day,
             const uint8_t *env, size_t env_len)
{
    return append(bf, 'R', id, day, env, env_len);
}

int
bfile_append_event(struct bfile *bf, const char *id, const char *day,
                   const uint8_t *env, size_t env_len)
{
    return append(bf, 'E', id, day, env, env_len);
}

int
bfile_sync(struct bfile *bf)
{
    if (fflush(bf->f) != 0 || fsync(fileno(bf->f)) != 0)
        return -1;
    return 0;
}

void
bfile_close(struct bfile *bf)
{
    if (bf->f != NULL)
        fclose(bf->f);
    bf->f = NULL;
    free(bf->rec.env);
    bf->rec.env = NULL;
}
