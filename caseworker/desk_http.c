/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * desk_http: the desk's HTTP server on libmicrohttpd (see desk.h): the
 * request's body and fields, the checks every request passes (Host, the
 * one-time secret, the session cookie, the CSRF token, the idle lock),
 * and the one place answers are made, with their headers.
 */
#include "desk.h"
#include "desk_text.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <microhttpd.h>
#include <sodium.h>

#define CSP                                                                    \
    "default-src 'none'; style-src 'self'; img-src 'self' data: blob:; "       \
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"

/* What MHD keeps per request (*con_cls). */
struct conn {
    struct umbra_buf body;
    int too_big;
    struct desk_field fields[DESK_FIELDS_MAX];
    size_t nfields;
    int too_many;
};

static void
conn_free(struct conn *c)
{
    size_t i;

    if (c == NULL)
        return;
    for (i = 0; i < c->nfields; i++) {
        if (c->fields[i].value != NULL)
            sodium_memzero(c->fields[i].value, c->fields[i].value_len);
        free(c->fields[i].name);
        free(c->fields[i].value);
    }
    umbra_buf_release(&c->body);
    free(c);
}

static int
add_field(struct conn *c, const char *name, size_t nlen, const char *value,
          size_t vlen)
{
    struct desk_field *f;

    if (c->nfields >= DESK_FIELDS_MAX) {
        c->too_many = 1;
        return -1;
    }
    f = &c->fields[c->nfields];
    f->name = malloc(nlen + 1);
    f->value = malloc(vlen + 1);
    if (f->name == NULL || f->value == NULL) {
        free(f->name);
        free(f->value);
        return -1;
    }
    memcpy(f->name, name, nlen);
    f->name[nlen] = 0;
    memcpy(f->value, value, vlen);
    f->value[vlen] = 0;
    f->value_len = vlen;
    c->nfields++;
    return 0;
}

static int
hexval(int ch)
{
    if (ch >= '0' && ch <= '9')
        return ch - '0';
    if (ch >= 'a' && ch <= 'f')
        return ch - 'a' + 10;
    if (ch >= 'A' && ch <= 'F')
        return ch - 'A' + 10;
    return -1;
}

/* Percent-decodes s[0..n) in place ('+' is a space); the new length, or
 * -1 for a bad escape or a NUL byte. */
static long
url_decode(char *s, size_t n)
{
    size_t i, j = 0;

    for (i = 0; i < n; i++) {
        int ch = (unsigned char)s[i];

        if (ch == '+')
            ch = ' ';
        else if (ch == '%') {
            int hi, lo;

            if (i + 2 >= n)
                return -1;
            hi = hexval((unsigned char)s[i + 1]);
            lo = hexval((unsigned char)s[i + 2]);
            if (hi < 0 || lo < 0)
                return -1;
            ch = hi * 16 + lo;
            i += 2;
        }
        if (ch == 0)
            return -1;
        s[j++] = (char)ch;
    }
    return (long)j;
}

/* The form body (application/x-www-form-urlencoded) into c's fields.
 * 0, or -1 if it is malformed. */
static int
parse_form(struct conn *c)
{
    char *p = (char *)c->body.data, *end = p + c->body.len;

    while (p != NULL && p < end) {
        char *amp = memchr(p, '&', (size_t)(end - p)), *eq;
        char *stop = amp != NULL ? amp : end;
        long nl, vl;

        eq = memchr(p, '=', (size_t)(stop - p));
        if (eq == NULL)
            return -1;
        nl = url_decode(p, (size_t)(eq - p));
        vl = url_decode(eq + 1, (size_t)(stop - eq - 1));
        if (nl < 0 || vl < 0 ||
            add_field(c, p, (size_t)nl, eq + 1, (size_t)vl) != 0)
            return -1;
        p = amp != NULL ? amp + 1 : NULL;
    }
    return 0;
}

static enum MHD_Result
query_field(void *cls, enum MHD_ValueKind kind, const char *key,
            const char *value)
{
    struct conn *c = cls;

    (void)kind;
    if (value == NULL)
        value = "";
    return add_field(c, key, strlen(key), value, strlen(value)) == 0 ? MHD_YES
                                                                     : MHD_NO;
}

const char *
desk_field(const struct desk_req *r, const char *name)
{
    size_t i;

    for (i = 0; i < r->nfields; i++)
        if (strcmp(r->fields[i].name, name) == 0)
            return r->fields[i].value;
    return NULL;
}

/* The answer's body, handed to MHD and wiped when MHD is done with it. */
struct answer {
    struct umbra_buf b;
};

static ssize_t
answer_read(void *cls, uint64_t pos, char *buf, size_t max)
{
    struct answer *a = cls;
    size_t n;

    if (pos >= a->b.len)
        return MHD_CONTENT_READER_END_OF_STREAM;
    n = a->b.len - (size_t)pos;
    if (n > max)
        n = max;
    memcpy(buf, a->b.data + pos, n);
    return (ssize_t)n;
}

static void
answer_free(void *cls)
{
    struct answer *a = cls;

    umbra_buf_release(&a->b);
    free(a);
}

/* Sends out (its body taken over) with the desk's headers; cookie, if
 * not NULL, is a Set-Cookie value. */
static enum MHD_Result
send_out(struct MHD_Connection *mc, struct desk_out *out, const char *cookie)
{
    struct MHD_Response *res;
    struct answer *a = calloc(1, sizeof *a);
    enum MHD_Result ok;
    int status = out->status ? out->status : 200;

    if (a == NULL || out->oom) {
        free(a);
        umbra_buf_release(&out->body);
        res = MHD_create_response_from_buffer(
            22, (void *)(uintptr_t) "internal error (500)\n",
            MHD_RESPMEM_PERSISTENT);
        status = 500;
        out->type = "text/plain; charset=utf-8";
        out->location[0] = 0;
    } else {
        a->b = out->body;
        memset(&out->body, 0, sizeof out->body);
        res = MHD_create_response_from_callback(a->b.len, 32768, answer_read, a,
                                                answer_free);
        if (res == NULL)
            answer_free(a);
    }
    if (res == NULL)
        return MHD_NO;
    MHD_add_response_header(res, "Content-Type",
                            out->type ? out->type : "text/html; charset=utf-8");
    MHD_add_response_header(res, "Content-Security-Policy", CSP);
    MHD_add_response_header(res, "Cache-Control", "no-store");
    MHD_add_response_header(res, "Pragma", "no-cache");
    MHD_add_response_header(res, "X-Content-Type-Options", "nosniff");
    MHD_add_response_header(res, "Referrer-Policy", "same-origin");
    MHD_add_response_header(res, "X-Frame-Options", "DENY");
    MHD_add_response_header(res, "Cross-Origin-Opener-Policy", "same-origin");
    MHD_add_response_header(res, "Cross-Origin-Resource-Policy", "same-origin");
    if (out->type && strncmp(out->type, "image/", 6) == 0)
        MHD_add_response_header(res, "Content-Disposition", "inline");
    if (out->location[0])
        MHD_add_response_header(res, "Location", out->location);
    if (cookie)
        MHD_add_response_header(res, "Set-Cookie", cookie);
    ok = MHD_queue_response(mc, (unsigned)status, res);
    MHD_destroy_response(res);
    return ok;
}

/* A refusal before any session: plain text that shows nothing of it. */
static enum MHD_Result
refuse(struct MHD_Connection *mc, int status, const char *code, const char *why)
{
    struct desk_out out;

    memset(&out, 0, sizeof out);
    out.status = status;
    out.type = "text/plain; charset=utf-8";
    desk_h_raw(&out, code);
    desk_h_raw(&out, ": ");
    desk_h_raw(&out, why);
    desk_h_raw(&out, "\n");
    return send_out(mc, &out, NULL);
}

static void
new_token(char out[DESK_TOKEN_HEX + 1])
{
    unsigned char r[DESK_TOKEN_HEX / 2];

    randombytes_buf(r, sizeof r);
    sodium_bin2hex(out, DESK_TOKEN_HEX + 1, r, sizeof r);
    sodium_memzero(r, sizeof r);
}

static int
token_eq(const char *given, const char *want)
{
    return given != NULL && want[0] != 0 && strlen(given) == DESK_TOKEN_HEX &&
           sodium_memcmp(given, want, DESK_TOKEN_HEX) == 0;
}

/* GET /open?s=SECRET: spends the secret for a session. */
static enum MHD_Result
open_session(struct desk *d, struct MHD_Connection *mc, const char *s)
{
    struct desk_out out;
    char cookie[200];

    if (!token_eq(s, d->secret))
        return refuse(mc, 403, "bad_secret",
                      "this desk link is wrong or was already used; stop "
                      "the desk and start it again for a new link");
    sodium_memzero(d->secret, sizeof d->secret);
    if (d->open_file[0]) {
        unlink(d->open_file); /* the browser's way in is spent too */
        d->open_file[0] = 0;
    }
    new_token(d->session);
    new_token(d->csrf);
    d->last = time(NULL);
    snprintf(cookie, sizeof cookie,
             "umbra_desk_%s=%s; Path=/; HttpOnly; SameSite=Strict",
             strchr(d->host, ':') + 1, d->session);
    memset(&out, 0, sizeof out);
    desk_h_redirect(&out, "/");
    return send_out(mc, &out, cookie);
}

static enum MHD_Result
serve(struct desk *d, struct MHD_Connection *mc, const char *url,
      const char *method, struct conn *c)
{
    const char *host = MHD_lookup_connection_value(mc, MHD_HEADER_KIND, "Host");
    const char *origin, *site, *ctype, *sess;
    char cname[48];
    struct desk_req r;
    struct desk_out out;
    int post = strcmp(method, "POST") == 0;
    time_t now = time(NULL);

    if (host == NULL || strcmp(host, d->host) != 0)
        return refuse(mc, 421, "bad_host",
                      "the desk answers only at its own address");
    if (!post && strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0)
        return refuse(mc, 405, "bad_method", "GET and POST only");
    if (c->too_big)
        return refuse(mc, 413, "body_too_large", "the form is too long");
    if (!post && MHD_get_connection_values(mc, MHD_GET_ARGUMENT_KIND,
                                           query_field, c) < 0)
        return refuse(mc, 400, "bad_request", "bad query");
    memset(&r, 0, sizeof r);
    r.method = method;
    r.path = url;
    r.conn = mc;
    if (!post && strcmp(url, "/open") == 0) {
        r.fields = c->fields;
        r.nfields = c->nfields;
        return open_session(d, mc, desk_field(&r, "s"));
    }
    snprintf(cname, sizeof cname, "umbra_desk_%s", strchr(d->host, ':') + 1);
    sess = MHD_lookup_connection_value(mc, MHD_COOKIE_KIND, cname);
    if (!token_eq(sess, d->session))
        return refuse(mc, 403, "no_session",
                      "open the desk with the address umbra-case printed");
    if (post) {
        origin = MHD_lookup_connection_value(mc, MHD_HEADER_KIND, "Origin");
        site =
            MHD_lookup_connection_value(mc, MHD_HEADER_KIND, "Sec-Fetch-Site");
        ctype =
            MHD_lookup_connection_value(mc, MHD_HEADER_KIND, "Content-Type");
        if ((origin != NULL && strcmp(origin, d->origin) != 0) ||
            (site != NULL && strcmp(site, "same-origin") != 0 &&
             strcmp(site, "none") != 0))
            return refuse(mc, 403, "bad_origin",
                          "a form from another site was refused");
        if (ctype == NULL ||
            strncmp(ctype, "application/x-www-form-urlencoded", 33) != 0 ||
            parse_form(c) != 0 || c->too_many)
            return refuse(mc, 400, "bad_form", "the form could not be read");
        r.fields = c->fields;
        r.nfields = c->nfields;
        if (!token_eq(desk_field(&r, "csrf"), d->csrf))
            return refuse(mc, 403, "bad_csrf",
                          "the form's token is missing or wrong; reload "
                          "the page and try again");
    }
    r.fields = c->fields;
    r.nfields = c->nfields;
    if (d->store != NULL && now - d->last >= d->idle) {
        desk_lock(d);
        snprintf(d->flash, sizeof d->flash, "%s",
                 desk_text(d->lang, "desk.lock.idle"));
    }
    d->last = now;
    memset(&out, 0, sizeof out);
    desk_route(d, &r, &out);
    return send_out(mc, &out, NULL);
}

static enum MHD_Result
handler(void *cls, struct MHD_Connection *mc, const char *url,
        const char *method, const char *version, const char *upload,
        size_t *upload_len, void **con_cls)
{
    struct desk *d = cls;
    struct conn *c = *con_cls;
    enum MHD_Result rc;

    (void)version;
    if (c == NULL) {
        c = calloc(1, sizeof *c);
        if (c == NULL)
            return MHD_NO;
        c->body.cap = DESK_BODY_MAX;
        *con_cls = c;
        return MHD_YES;
    }
    if (*upload_len > 0) {
        if (!c->too_big && umbra_buf_append(&c->body, upload, *upload_len))
            c->too_big = 1;
        *upload_len = 0;
        return MHD_YES;
    }
    pthread_mutex_lock(&d->mu);
    rc = serve(d, mc, url, method, c);
    pthread_mutex_unlock(&d->mu);
    return rc;
}

static void
completed(void *cls, struct MHD_Connection *mc, void **con_cls,
          enum MHD_RequestTerminationCode toe)
{
    (void)cls;
    (void)mc;
    (void)toe;
    conn_free(*con_cls);
    *con_cls = NULL;
}

int
desk_http_start(void **daemon, struct desk *d, unsigned port)
{
    struct sockaddr_in sa;
    const union MHD_DaemonInfo *info;
    struct MHD_Daemon *m;

    memset(&sa, 0, sizeof sa);
    sa.sin_family = AF_INET;
    sa.sin_port = htons((uint16_t)port);
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    m = MHD_start_daemon(
        MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_POLL, (uint16_t)port, NULL,
        NULL, handler, d, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sa,
        MHD_OPTION_NOTIFY_COMPLETED, completed, d, MHD_OPTION_CONNECTION_LIMIT,
        (unsigned)32, MHD_OPTION_PER_IP_CONNECTION_LIMIT, (unsigned)16,
        MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)60,
        MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)65536, MHD_OPTION_END);
    if (m == NULL) {
        case_err("cannot listen on 127.0.0.1:%u%s", port,
                 port ? ": is the port in use?" : "");
        return -1;
    }
    info = MHD_get_daemon_info(m, MHD_DAEMON_INFO_BIND_PORT);
    if (info == NULL || info->port == 0) {
        MHD_stop_daemon(m);
        case_err("cannot learn the desk's port");
        return -1;
    }
    snprintf(d->host, sizeof d->host, "127.0.0.1:%u", (unsigned)info->port);
    snprintf(d->origin, sizeof d->origin, "http://%s", d->host);
    *daemon = m;
    return 0;
}

void
desk_http_stop(void *daemon)
{
    if (daemon != NULL)
        MHD_stop_daemon(daemon);
}
