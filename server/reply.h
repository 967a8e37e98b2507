/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * reply: a request's answer. The reply_* functions of http.h fill r->res
 * (one struct reply per request: status, content type, a body that is
 * static, malloc'd, or freed through body_free which wipes it); reply_queue
 * hands it to libmicrohttpd with the headers every response carries
 * (Content-Security-Policy, Cache-Control: no-store, Referrer-Policy,
 * nosniff, DENY), and those the reply asks for (Retry-After,
 * WWW-Authenticate, Connection: close, Content-Encoding). Once queued, the
 * body belongs to libmicrohttpd; reply_release frees one never queued.
 */
#ifndef UMBRA_SERVER_REPLY_H
#define UMBRA_SERVER_REPLY_H

#include "req.h"

/* Queues r->res on r->con; MHD_NO if it could not (r->res.body is then
 * freed by the library or still r's, as libmicrohttpd leaves it). */
enum MHD_Result reply_queue(struct req *r);

/* Frees (through body_free, or free) a body never handed to the library. */
void reply_release(struct reply *res);

#endif
