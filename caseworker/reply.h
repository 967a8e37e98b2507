/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * reply: a message to a reporter as the verb reply (verbs_reply.c) and
 * the desk (desk_case.c) both queue it: a reply document
 * (umbra.reply/1: the message, the report's language, today's date)
 * sealed to the case's mailbox key and kept in the store until push.
 */
#ifndef UMBRA_CASE_REPLY_H
#define UMBRA_CASE_REPLY_H

#include <stddef.h>
#include <stdint.h>

#include "umbra.h"

struct store;

/* Seals msg (UTF-8, checked by the caller) to case id's mailbox and
 * queues it in its own transaction, recorded as by who; the reply
 * document's lang is lang_over if not NULL (a template's language), else
 * the report's. 0; 1 if the case
 * has no mailbox or does not exist; -1 on an error (its one line printed
 * on stderr; the store unchanged). */
int reply_queue(struct store *s, int64_t id, const uint8_t *msg, size_t msg_len,
                const char *who, const char *lang_over) UMBRA_WUR;

#endif
