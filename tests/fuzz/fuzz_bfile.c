/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * fuzz_bfile: the bundle file that `umbra-case pull` writes and `import`
 * reads (caseworker/bfile.c, docs/protocol.md section 8), from arbitrary
 * bytes. A bundle may come from a USB stick that passed through other
 * hands, so reading one must never crash or loop. The input is written to
 * a file and read record by record; then the same file is opened for
 * appending (which checks the header and cuts a torn tail), and a record
 * is appended and read back.
 *
 * Checks: no crash, leak or sanitizer report; every record returned has a
 * valid id, a 10-character day and an envelope no larger than the cap;
 * ids rise strictly (the reader stops at a record whose id does not:
 * corpus/bfile/ids-repeat); after an append the file reads to its end
 * cleanly.
 *
 * It links libumbra and bfile.c only: the tool's one-line error printer
 * (case_err, caseworker/util.c) is replaced below by one that formats the
 * message (so a bad format still shows under the sanitizers) and drops it.
 */
#include "bfile.h"
#include "case.h"
#include "fuzz_common.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void
case_err(const char *fmt, ...)
{
    char msg[512];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
}

static char path[64];

static void
write_file(const uint8_t *data, size_t size)
{
    FILE *f = fopen(path, "wb");

    if (f == NULL)
        abort();
    if (size > 0 && fwrite(data, 1, size, f) != size)
        abort();
    fclose(f);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct bfile bf;
    char slug[UMBRA_SLUG_MAX + 1] = "fuzz";
    uint64_t last = 0;
    uint64_t num;
    int rc, n = 0;

    if (path[0] == '\0')
        /* tmpfs if there is one: the writer fsyncs, and a disk's fsync
         * would cap the harness at a few hundred runs a second */
        snprintf(path, sizeof path, "%s/fuzz-bfile.%ld",
                 access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp",
                 (long)getpid());
    if (size > (1u << 20))
        return 0;
    write_file(data, size);

    memset(&bf, 0, sizeof bf);
    if (bfile_open_read(&bf, path) == 0) {
        memcpy(slug, bf.slug, sizeof slug);
        while ((rc = bfile_next(&bf)) == 0) {
            if (!bfile_valid_id(bf.rec.id, &num) || num != bf.rec.id_num ||
                strlen(bf.rec.day) != 10 || bf.rec.env_len > BFILE_ENVELOPE_MAX)
                abort();
            if (n++ > 0 && num <= last)
                abort(); /* ids must rise */
            last = num;
        }
        if (rc < 0 || rc > 2)
            abort();
    }
    bfile_close(&bf);

    memset(&bf, 0, sizeof bf);
    if (bfile_open_append(&bf, path, slug) == 0) {
        static const uint8_t env[47] = {0x55, 0x4d, 0x42, 0x52};
        char id[24];

        snprintf(id, sizeof id, "%llu",
                 (unsigned long long)(bf.max_id < UINT64_MAX / 2
                                          ? bf.max_id + 1
                                          : 0));
        if (strcmp(id, "0") != 0 &&
            bfile_append(&bf, id, "2026-11-29", env, sizeof env) == 0 &&
            bfile_sync(&bf) == 0) {
            bfile_close(&bf);
            memset(&bf, 0, sizeof bf);
            if (bfile_open_read(&bf, path) != 0)
                abort();
            while ((rc = bfile_next(&bf)) == 0)
                ;
            if (rc != 1)
                abort(); /* an appended file reads to its end */
        }
    }
    bfile_close(&bf);
    unlink(path);
    return 0;
}
