/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * fuzz_outbox: the outbox file that `umbra-case push --out` writes on the
 * offline laptop and `push --from` reads on the online computer
 * (caseworker/outbox.c, docs/protocol.md section 10), from arbitrary
 * bytes. An outbox travels on a USB stick through other hands.
 *
 * Checks: no crash, leak or sanitizer report; an outbox read is within
 * every cap, each reply's mailbox 64 hex digits and its envelope a
 * one-stanza envelope, each ack a valid server id; what it read written
 * again (outbox_dump) reads back to the same counts.
 *
 * Links libumbra, outbox.c and bfile.c (for bfile_valid_id); the tool's
 * error printer is replaced as in fuzz_bfile.c.
 */
#include "bfile.h"
#include "case.h"
#include "fuzz_common.h"
#include "outbox.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void
case_err(const char *fmt, ...)
{
    char msg[512];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct outbox o, back;
    char why[160], *text;
    size_t i;
    unsigned k;

    outbox_init(&o);
    if (outbox_parse(&o, data, size, why, sizeof why) == OUTBOX_OK) {
        if (o.n_replies > OUTBOX_REPLIES_MAX || o.n_acks > OUTBOX_ACKS_MAX)
            abort();
        for (i = 0; i < o.n_replies; i++) {
            k = 0;
            if (strlen(o.replies[i].mailbox) != 64 ||
                o.replies[i].len > OUTBOX_ENVELOPE_MAX ||
                umbra_envelope_check(&k, NULL, o.replies[i].env,
                                     o.replies[i].len) != 0 ||
                k != 1)
                abort();
        }
        for (i = 0; i < o.n_acks; i++)
            if (!bfile_valid_id(o.acks[i], NULL))
                abort();
        text = outbox_dump(&o, "2026-12-02");
        if (text != NULL) {
            outbox_init(&back);
            if (outbox_parse(&back, (const uint8_t *)text, strlen(text), why,
                             sizeof why) != OUTBOX_OK ||
                back.n_replies != o.n_replies || back.n_acks != o.n_acks)
                abort();
            outbox_free(&back);
            free(text);
        }
    }
    outbox_free(&o);
    return 0;
}
