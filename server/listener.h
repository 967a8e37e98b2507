/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * listener: the libmicrohttpd daemons of umbra-server. http_serve starts
 * the public daemon on listen:port with http.c's callbacks (thread pool,
 * epoll, suspend/resume, the connection, memory and time limits of the
 * configuration) and deadline.c's connection tracking, and the metrics
 * daemon on metrics_listen when set (a loopback address or a Unix socket;
 * it answers GET /metrics and nothing else, so per-route counts are never
 * on the public listener); then waits for SIGINT or SIGTERM, stops
 * accepting, lets intake and the pools finish what is in flight, and stops.
 */
#ifndef UMBRA_SERVER_LISTENER_H
#define UMBRA_SERVER_LISTENER_H

#include <stdarg.h>

/* Runs the daemons until SIGINT/SIGTERM; 0 or -1. */
int http_serve(void) __attribute__((warn_unused_result));

/* The daemons' logger: drops the library's messages (some name the
 * peer). */
void listener_quiet_log(void *cls, const char *fmt, va_list ap);

#endif
