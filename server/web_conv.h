/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * web_conv: the reporter's write-back from /check without JavaScript
 * (protocol section 6.1, docs/api.md).
 *
 * The write-back form posts to POST /report, the report form's own route,
 * with the receipt in a field. web_report_post hands such a form here:
 * the receipt is normalised (a wrong one: 400 bad_receipt, nothing sent),
 * the mailbox derived (Argon2, on the pool POST /report runs on) and
 * looked up (not registered: 400 unknown_mailbox, nothing sent), the
 * follow-up document built (narrative, a photo stripped of its metadata,
 * lang, via web-nojs, mailbox, mailbox_id and follow_up.proof made with
 * the organisation's first key), sealed to the organisation's keys and
 * queued to the group commit like any report, without registering the
 * mailbox again. The receipt, the mailbox keys and the plaintext live in
 * wiped memory and are wiped before the request ends; nothing of them is
 * logged. The page then says the message was sent (201, /check's page).
 */
#ifndef UMBRA_SERVER_WEB_CONV_H
#define UMBRA_SERVER_WEB_CONV_H

#include "page.h"
#include "req.h"

/* 1 if the form of POST /report is a write-back (it has a receipt). */
int web_conv_wanted(struct req *r);

/* Handles a write-back posted to /report (see above); frees the form. */
void web_conv_post(struct req *r);

/* web.c's renderers for this module: /check's page with ctx, or with an
 * error code. */
void web_conv_render(struct req *r, unsigned status, struct page_ctx *ctx);
void web_conv_error(struct req *r, unsigned status, const char *code);

#endif
