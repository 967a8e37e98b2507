/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * verbs_sync: what pull shares with push and ack (verbs_sync.c): the
 * server's options (--server, --token-file, --proxy; --out for pull only)
 * and the connection made from them.
 */
#ifndef UMBRA_CASE_VERBS_SYNC_H
#define UMBRA_CASE_VERBS_SYNC_H

#include "umbra.h"

struct net;

struct sync_args {
    const char *server, *token_file, *out, *proxy;
    int force; /* ack --force */
};

/* What sync_parse also takes, as its allow bits. */
#define SYNC_ALLOW_OUT 1   /* --out FILE (pull) */
#define SYNC_ALLOW_FORCE 2 /* --force (ack) */

/* The options of argv into a (every value non-empty, --server and
 * --token-file given); allow_out: SYNC_ALLOW_* bits, the options beyond
 * those three it takes. 0 or -1 (a usage error). */
int sync_parse(struct sync_args *a, int argc, char **argv, int allow_out)
    UMBRA_WUR;

/* net_init with the token read from --token-file (wiped after); prints
 * its error. 0 or -1. */
int sync_connect(struct net *n, const struct sync_args *a) UMBRA_WUR;

#endif
