/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * http: the route table and the request life cycle of umbra-server (the
 * daemon's callbacks). The interface the routes are written against is
 * req.h.
 */
#ifndef UMBRA_SERVER_HTTP_H
#define UMBRA_SERVER_HTTP_H

#include "req.h"

/* The daemon's callbacks, which listener.c starts it with (http.c). */
enum MHD_Result http_access(void *cls, struct MHD_Connection *con,
                            const char *url, const char *method,
                            const char *version, const char *upload_data,
                            size_t *upload_data_size, void **con_cls);
void http_completed(void *cls, struct MHD_Connection *con, void **con_cls,
                    enum MHD_RequestTerminationCode toe);
/* Registers the routes' names with metrics.c (once, before serving). */
void http_routes_init(void);

#endif
