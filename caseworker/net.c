/* SPDX-License-Identifier: AGPL-3.0-or-later */
/* net: JSON over HTTP with libcurl (see net.h). */
#include "net.h"
#include "buf.h"
#include "case.h"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <sodium.h>

/* The answer, capped at NET_RESPONSE_MAX (over: it was larger). Sealed
 * envelopes and server JSON, nothing secret: plain, not wiped. */
struct answer {
    struct umbra_buf b;
    int over;
};

static size_t
on_data(char *p, size_t size, size_t nmemb, void *ctx)
{
    struct answer *a = ctx;
    size_t n = size * nmemb;
    int rc = umbra_buf_append(&a->b, p, n);

    if (rc == -1)
        a->over = 1;
    return rc == 0 ? n : 0;
}

int
net_host_exempt(const char *url)
{
    CURLU *u = curl_url();
    char *host = NULL;
    struct in_addr a4;
    size_t len;
    int exempt = 0;

    if (u == NULL)
        return 0;
    /* The host as libcurl will connect to it, not a substring of the URL:
     * 'http://evil/.onion' and 'http://127.0.0.1.evil' are not exempt. */
    if (curl_url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK ||
        curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK ||
        host == NULL)
        goto out;
    len = strlen(host);
    if (len > 1 && host[len - 1] == '.')
        host[--len] = 0; /* a fully qualified name's final dot */
    if (strcasecmp(host, "localhost") == 0 || strcmp(host, "[::1]") == 0)
        exempt = 1;
    else if (inet_pton(AF_INET, host, &a4) == 1)
        exempt = (ntohl(a4.s_addr) >> 24) == 127; /* 127.0.0.0/8 */
    else if (len > 6 && strcasecmp(host + len - 6, ".onion") == 0)
        exempt = 1;
out:
    curl_free(host);
    curl_url_cleanup(u);
    return exempt;
}

int
net_init(struct net *n, const char *base, const char *token, const char *proxy)
{
    size_t len;
    int k;

    memset(n, 0, sizeof *n);
    if (base == NULL || (strncmp(base, "http://", 7) != 0 &&
                         strncmp(base, "https://", 8) != 0)) {
        case_err("--server must be an http:// or https:// address");
        return -1;
    }
    len = strlen(base);
    while (len > 0 && base[len - 1] == '/')
        len--;
    if (len >= sizeof n->base) {
        case_err("--server address too long");
        return -1;
    }
    memcpy(n->base, base, len);
    n->base[len] = 0;
    if (token != NULL) {
        k = snprintf(n->auth, sizeof n->auth, "Authorization: Bearer %s",
                     token);
        if (k < 0 || (size_t)k >= sizeof n->auth) {
            case_err("token too long");
            return -1;
        }
    }
    if (strncmp(n->base, "http://", 7) == 0 && !net_host_exempt(n->base))
        fprintf(stderr, "umbra-case: warning: '%s' is plain http; the token "
                        "travels unprotected (use https:// or an onion "
                        "address)\n",
                n->base);
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != 0) {
        case_err("cannot initialise libcurl");
        return -1;
    }
    n->curl = curl_easy_init();
    if (n->curl == NULL) {
        case_err("cannot initialise libcurl");
        return -1;
    }
    n->proxy = proxy;
    return 0;
}

void
net_release(struct net *n)
{
    if (n->curl != NULL)
        curl_easy_cleanup(n->curl);
    n->curl = NULL;
    sodium_memzero(n->auth, sizeof n->auth);
}

/*
 * The one request function. public: a GET of a route anyone may read, sent
 * as a reporter's browser sends it (see net_public_json).
 */
static int
request(struct net *n, const char *path, const void *body, size_t body_len,
        const char *ctype, int public, long *status, json_t **out)
{
    char iso[2 * 16 + 1];
    uint8_t rnd[16];
    char url[NET_URL_MAX + 512], errbuf[CURL_ERROR_SIZE];
    struct curl_slist *hdr = NULL;
    struct answer b = {{NULL, 0, 0, NET_RESPONSE_MAX, 1}, 0};
    CURL *c = n->curl;
    CURLcode cc;
    int k, rc = -1;

    *status = 0;
    *out = NULL;
    k = snprintf(url, sizeof url, "%s%s", n->base, path);
    if (k < 0 || (size_t)k >= sizeof url) {
        case_err("address too long");
        return -1;
    }
    curl_easy_reset(c);
    errbuf[0] = 0;
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, 60L);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, 600L);
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_data);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &b);
    curl_easy_setopt(c, CURLOPT_ACCEPT_ENCODING, "");
    if (n->proxy != NULL)
        curl_easy_setopt(c, CURLOPT_PROXY, n->proxy);
    if (public) {
        /* What Tor Browser's fetch() of the reporting page sends: its
         * User-Agent (the same for every Tor Browser user), no token; on
         * a connection of its own, and through Tor on a circuit of its
         * own (Tor isolates streams by SOCKS credentials), so that the
         * server cannot tie it to the sync requests that follow. */
        curl_easy_setopt(c, CURLOPT_USERAGENT, NET_BROWSER_UA);
        curl_easy_setopt(c, CURLOPT_FRESH_CONNECT, 1L);
        curl_easy_setopt(c, CURLOPT_FORBID_REUSE, 1L);
        randombytes_buf(rnd, sizeof rnd);
        sodium_bin2hex(iso, sizeof iso, rnd, sizeof rnd);
        curl_easy_setopt(c, CURLOPT_PROXYUSERNAME, iso);
        curl_easy_setopt(c, CURLOPT_PROXYPASSWORD, iso);
        hdr = curl_slist_append(hdr, "Accept: */*");
        hdr = curl_slist_append(hdr, "Accept-Language: en-US,en;q=0.5");
        hdr = curl_slist_append(hdr, "Pragma: no-cache");
        hdr = curl_slist_append(hdr, "Cache-Control: no-cache");
    } else {
        curl_easy_setopt(c, CURLOPT_USERAGENT, "umbra-case");
        hdr = curl_slist_append(hdr, "Accept: application/json");
        if (n->auth[0] != 0)
            hdr = curl_slist_append(hdr, n->auth);
    }
    if (body != NULL) {
        hdr = curl_slist_append(hdr, ctype);
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
        curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE,
                         (curl_off_t)body_len);
    }
    if (hdr == NULL) {
        case_err("out of memory");
        goto out;
    }
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdr);
    cc = curl_easy_perform(c);
    if (cc != CURLE_OK) {
        if (b.over)
            case_err("the answer of '%s' is larger than 64 MiB; refused",
                     n->base);
        else
            case_err("cannot reach the server '%s': %s; check the address, "
                     "the network or Tor",
                     n->base, errbuf[0] ? errbuf : curl_easy_strerror(cc));
        goto out;
    }
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, status);
    if (b.b.len > 0)
        *out = json_loadb((const char *)b.b.data, b.b.len,
                          JSON_REJECT_DUPLICATES, NULL);
    rc = 0;
out:
    curl_slist_free_all(hdr);
    umbra_buf_release(&b.b);
    return rc;
}

int
net_json(struct net *n, const char *path, const char *body, long *status,
         json_t **out)
{
    return request(n, path, body, body ? strlen(body) : 0,
                   "Content-Type: application/json", 0, status, out);
}

int
net_post_bytes(struct net *n, const char *path, const uint8_t *data,
               size_t len, long *status, json_t **out)
{
    return request(n, path, data, len,
                   "Content-Type: application/octet-stream", 0, status, out);
}

int
net_public_json(struct net *n, const char *path, long *status, json_t **out)
{
    return request(n, path, NULL, 0, NULL, 1, status, out);
}

void
net_report(const struct net *n, const char *what, long status, json_t *body)
{
    const char *code = NULL, *hint = NULL;

    if (json_is_object(body)) {
        code = json_string_value(json_object_get(body, "error"));
        hint = json_string_value(json_object_get(body, "hint"));
    }
    fprintf(stderr, "umbra-case: %s: the server '%s' answered %ld", what,
            n->base, status);
    if (code != NULL) {
        fputs(" ", stderr);
        case_print_safe(stderr, code, strlen(code), 0);
    }
    if (hint != NULL) {
        fputs(" (", stderr);
        case_print_safe(stderr, hint, strlen(hint) > 200 ? 200 : strlen(hint),
                        0);
        fputs(")", stderr);
    }
    if (status == 401)
        fputs("; check the token file", stderr);
    fputc('\n', stderr);
}

int
net_open(struct net *n, const char *base, const char *token_file,
         const char *proxy)
{
    char token[NET_TOKEN_MAX];
    int rc;

    if (case_read_token(token, sizeof token, token_file) != 0)
        return -1;
    rc = net_init(n, base, token, proxy);
    sodium_memzero(token, sizeof token);
    return rc;
}
