/* import: envelopes into the case store exactly once (see import.h). */
#include "import.h"
#include "bfile.h"
#include "case.h"
#include "progress.h"
#include "store.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

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

int
import_envelope(struct store *s, struct import_counts *c,
                const struct import_keys *ik, const char *server_id,
                const char *day, const uint8_t *env, size_t env_len)
{
    struct doc_report rep;
    struct store_case_in in;
    char reason[200];
    uint8_t *doc = NULL;
    size_t doc_len = 0;
    int64_t id;
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
    if (r == IMPORT_CASE) {
        memset(&in, 0, sizeof in);
        in.server_id = server_id;
        in.summary = rep.summary;
        in.doc = doc;
        in.doc_len = doc_len;
        in.facts = rep.facts;
        snprintf(in.facts.received, sizeof in.facts.received, "%s", day);
        if (rep.has_mailbox) {
            in.mailbox_id = rep.mailbox_id;
            in.mailbox_pk = rep.mailbox_pk;
        }
        if (store_add_case(s, &id, &in) != 0)
            goto out;
        c->cases++;
    } else {
        if (store_add_quarantine(s, server_id, day,
                                 r == IMPORT_UNOPENED ? "unopened"
                                                      : "quarantine",
                                 reason, doc, doc_len) != 0)
            goto out;
        if (r == IMPORT_UNOPENED)
            c->unopened++;
        else
            c->quarantined++;
    }
    rc = 0;
out:
    umbra_secret_free(doc);
    sodium_memzero(&rep, sizeof rep);
    return rc;
}

int
import_bundle(struct store *s, struct import_counts *c,
              const struct import_keys *ik, const char *path, int progress)
{
    struct progress pr;
    struct bfile bf;
    struct stat sb;
    char org[UMBRA_SLUG_MAX + 1];
    int r, in_txn = 0, batch = 0, rc = -1;
    long kill_after = -1;
    const char *ka = getenv("UMBRA_CASE_TEST_KILL_AFTER");

    /* Test seam for the crash tests: SIGKILL ourselves after that many
     * records (mid-transaction), as a power cut would. */
    if (ka != NULL && ka[0] >= '0' && ka[0] <= '9')
        kill_after = strtol(ka, NULL, 10);
    if (bfile_open_read(&bf, path) != 0)
        return -1;
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
    for (;;) {
        r = bfile_next(&bf);
        if (r == 1)
            break;
        if (r != 0) {
            if (in_txn && store_commit(s) != 0)
                goto out;
            in_txn = 0;
            progress_end(&pr);
            if (r < 0)
                case_err("cannot read bundle '%s': %s", path,
                         strerror(errno));
            else
                case_err("bundle '%s' is damaged or incomplete after %ld "
                         "records (an interrupted pull? run pull again); "
                         "those were imported",
                         path, bf.records);
            goto out;
        }
        if (!in_txn) {
            if (store_begin(s) != 0)
                goto out;
            in_txn = 1;
        }
        if (import_envelope(s, c, ik, bf.rec.id, bf.rec.day, bf.rec.env,
                            bf.rec.env_len) != 0)
            goto out;
        c->records++;
        if (c->records == kill_after)
            raise(SIGKILL);
        if (++batch >= IMPORT_BATCH) {
            if (store_commit(s) != 0)
                goto out;
            in_txn = 0;
            batch = 0;
        }
        progress_update(&pr, (uint64_t)bf.good_end, c->records,
                        c->cases + c->quarantined + c->unopened);
    }
    if (in_txn && store_commit(s) != 0)
        goto out;
    in_txn = 0;
    progress_end(&pr);
    rc = 0;
out:
    if (in_txn)
        store_rollback(s);
    bfile_close(&bf);
    return rc;
}
