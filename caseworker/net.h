/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * net: the few HTTP requests umbra-case makes (libcurl), all JSON.
 *
 * Only http and https; no redirects followed; a cap on every response
 * body; timeouts. A proxy comes from --proxy or, as libcurl does, from
 * $ALL_PROXY / $HTTPS_PROXY (socks5h://127.0.0.1:9050 reaches an onion
 * service through Tor, with names resolved by Tor). Errors are printed as
 * one line naming the server and what to do.
 */
#ifndef UMBRA_CASE_NET_H
#define UMBRA_CASE_NET_H

#include <jansson.h>
#include <stddef.h>

#include "umbra.h"

#define NET_RESPONSE_MAX (64u * 1024u * 1024u)
#define NET_URL_MAX 2048u
#define NET_TOKEN_MAX 512u
/* Tor Browser 15's User-Agent (Firefox ESR 140; every Tor Browser user
 * sends this one, whatever their system): follow Tor Browser releases. */
#define NET_BROWSER_UA \
    "Mozilla/5.0 (Windows NT 10.0; rv:140.0) Gecko/20100101 Firefox/140.0"

struct net {
    void *curl;
    char base[NET_URL_MAX];
    char auth[NET_TOKEN_MAX + 32];
    const char *proxy;
};

/* Sets up a client for base URL (checked: http:// or https://). token may
 * be NULL. Prints its error. */
int net_init(struct net *n, const char *base, const char *token,
             const char *proxy) UMBRA_WUR;

/* net_init with the bearer token read from the file token_file (wiped
 * after use). Prints its error. 0 or -1. */
int net_open(struct net *n, const char *base, const char *token_file,
             const char *proxy) UMBRA_WUR;
void net_release(struct net *n);

/*
 * GET (body NULL) or POST body (JSON) to base + path. On any HTTP answer
 * *status is set and *out is the parsed JSON body (NULL if not JSON);
 * returns 0. -1 (printed) if the server could not be reached.
 */
int net_json(struct net *n, const char *path, const char *body,
             long *status, json_t **out) UMBRA_WUR;

/* POST len bytes of data as application/octet-stream (an envelope), as
 * net_json otherwise. */
int net_post_bytes(struct net *n, const char *path, const uint8_t *data,
                   size_t len, long *status, json_t **out) UMBRA_WUR;

/*
 * GET base + path as a reporter's browser asks for it: no token, Tor
 * Browser's User-Agent and headers, a new connection (and, through a SOCKS
 * proxy, a new Tor circuit). For routes anyone may read, so that a hostile
 * server cannot answer the caseworker differently from everyone else. As
 * net_json otherwise.
 */
int net_public_json(struct net *n, const char *path, long *status,
                    json_t **out) UMBRA_WUR;

/* 1 if url's host is loopback (localhost, 127.0.0.0/8, [::1]) or an onion
 * service name, parsed as libcurl parses it; plain http is then not
 * warned about. */
int net_host_exempt(const char *url);

/* Prints "umbra-case: server said STATUS CODE: hint" for an error answer. */
void net_report(const struct net *n, const char *what, long status,
                json_t *body);

#endif
