/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * deadline: the whole-request deadline for the header phase.
 *
 * libmicrohttpd's timeout is for inactivity only, and it calls us only once
 * a request's headers are complete, so a client dripping a header byte
 * every few seconds would hold its connection for ever. Each connection is
 * tracked from the notify callback; a sweeper thread shuts down the socket
 * of any connection that has spent more than request_deadline seconds
 * between the end of its previous request (or its opening) and the end of
 * its headers. The body phase is checked in http.c's on_data. The list's
 * mutex is held across shutdown(), and the close notification (which runs
 * before libmicrohttpd closes the socket) takes it too, so the descriptor
 * can never belong to another connection by then.
 */
#ifndef UMBRA_SERVER_DEADLINE_H
#define UMBRA_SERVER_DEADLINE_H

#include <microhttpd.h>

/* The daemon's MHD_OPTION_NOTIFY_CONNECTION callback: tracks each
 * connection from its opening to its closing (and gives it a small send
 * buffer). */
void deadline_notify(void *cls, struct MHD_Connection *con, void **socket_ctx,
                     enum MHD_ConnectionNotificationCode code);

/* in_request 1: con's headers are complete (the handler has it); 0: its
 * request completed, the next one's headers start now. */
void deadline_set(struct MHD_Connection *con, int in_request);

/* Starts and stops the sweeper thread (request_deadline, checked each
 * second; if the thread cannot start, the header phase has only
 * libmicrohttpd's inactivity timeout). */
void deadline_start(void);
void deadline_stop(void);

#endif
