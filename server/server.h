/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * server: the state umbra-server's parts share, one instance (srv): the
 * configuration, the two database pools, the Argon2 and database worker
 * pools, and the two libmicrohttpd daemons. main.c fills it before
 * http_serve(); the rest read it. It depends on nothing but the headers of
 * what it holds, so every file may include it without a circle.
 */
#ifndef UMBRA_SERVER_SERVER_H
#define UMBRA_SERVER_SERVER_H

#include "config.h"
#include "db.h"

struct workpool;
struct MHD_Daemon;

struct server {
    struct config cfg;
    struct db_pool *intake, *sync;
    struct workpool *kdf, *dbw;
    struct MHD_Daemon *d;
    struct MHD_Daemon *metrics; /* metrics_listen, or NULL */
};
extern struct server srv;

#endif
