/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * desk: `umbra-case desk`, the caseworker's desk in the browser, served by
 * umbra-case itself on 127.0.0.1 and never reachable from another host.
 *
 * One process, one browser session. The verb (desk.c) binds 127.0.0.1 on a
 * random port (or --port), takes DIR/desk.lock (a second desk on the same
 * home refuses to start), prints the address with a one-time secret and
 * opens it in the default browser. The first request carrying the secret
 * (GET /open?s=SECRET) gets an HttpOnly, SameSite=Strict session cookie
 * and a redirect that drops the secret from the address; the secret is
 * then spent. Every other request needs the cookie; every POST also needs
 * the session's CSRF token (a hidden field of each form) and, when the
 * browser sends one, an Origin equal to the desk's own. A Host other than
 * 127.0.0.1:PORT is refused (DNS rebinding). Every answer carries a strict
 * Content-Security-Policy, Cache-Control: no-store and nosniff.
 *
 * The passphrase is typed into the desk's unlock page (or read once from
 * --passphrase-file); unlocking loads the key file and opens the case
 * store for writing (the store's writer lock is held while unlocked, so
 * the terminal's writing verbs wait). After DESK_IDLE seconds without a
 * request (UMBRA_DESK_IDLE_SECONDS overrides it, for the tests only) the
 * desk locks: it closes the store and wipes the keys; unlocking asks the
 * passphrase again. SIGINT, SIGTERM and SIGHUP (the terminal closing)
 * stop the desk.
 *
 * The requests are served by libmicrohttpd's one internal thread
 * (desk_http.c); the main thread waits for signals and the idle time
 * (desk.c). Both take d->mu around anything of struct desk. The screens
 * (desk_pages.c, desk_case.c, desk_conv.c, desk_alerts.c) write HTML into a struct
 * desk_out through desk_html.c, which escapes everything and isolates
 * report text.
 */
#ifndef UMBRA_CASE_DESK_H
#define UMBRA_CASE_DESK_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "case.h"
#include "desk_html.h"

#define DESK_IDLE 900         /* seconds before the desk locks */
#define DESK_BODY_MAX 131072u /* a POST body */
#define DESK_FIELDS_MAX 64    /* fields of one form */
#define DESK_TOKEN_HEX 64     /* secrets, sessions, CSRF tokens */

struct desk {
    const struct case_opts *o;
    pthread_mutex_t mu;
    char host[32];   /* "127.0.0.1:PORT", the only Host accepted */
    char origin[48]; /* "http://127.0.0.1:PORT" */
    char secret[DESK_TOKEN_HEX + 1];  /* one-time; "" once spent */
    char session[DESK_TOKEN_HEX + 1]; /* "" until the secret is spent */
    char csrf[DESK_TOKEN_HEX + 1];
    struct umbra_org_keys *keys; /* NULL while locked */
    struct store *store;         /* NULL while locked */
    time_t last;                 /* the last request with the session */
    long idle;                   /* seconds before locking */
    int lang;                    /* desk_text language index */
    char who[80];                /* the name kept in case histories */
    char flash[512];             /* a message for the next page, or "" */
    int stop;
    char open_file[CASE_PATH_MAX]; /* the browser's way in, or "" */
    /* what the sync page was last given, to fill it in again (no secret:
     * the token stays in its file) */
    char server[1025], token_file[1025], bundle[1025];
    char outbox[1025]; /* the outbox file (push --out) */
};

/* One form field or query parameter, decoded (UTF-8 checked by users). */
struct desk_field {
    char *name, *value;
    size_t value_len;
};

/* A request as the screens see it. */
struct desk_req {
    const char *method, *path;
    struct desk_field *fields; /* query (GET) or form (POST) */
    size_t nfields;
    void *conn; /* struct MHD_Connection, for query parameters */
};

/* ---- desk_http.c: the server ------------------------------------------ */

/* Starts serving d on 127.0.0.1:port (0: a random port), filling d->host
 * and d->origin; *daemon gets the struct MHD_Daemon. 0 or -1 (printed). */
int desk_http_start(void **daemon, struct desk *d, unsigned port) UMBRA_WUR;
void desk_http_stop(void *daemon);

/* The value of field name of r, or NULL. */
const char *desk_field(const struct desk_req *r, const char *name);

/* ---- desk.c: lock and unlock ------------------------------------------ */

/* Closes the store and wipes the keys (the idle lock); d->mu held. */
void desk_lock(struct desk *d);
/* Loads the keys with pw and opens the store for writing; d->mu held.
 * 0, or -1 with the reason in d->flash. */
int desk_unlock(struct desk *d, const char *pw, size_t pwlen) UMBRA_WUR;

/* ---- desk_pages.c, desk_case.c: the screens --------------------------- */

/* The page's start: doctype, lang and dir, title (a key), the style
 * sheet, the navigation (when unlocked) and d->flash (then cleared). */
void desk_page_head(struct desk_out *o, struct desk *d, const char *title_key);
/* The page's end, with the language chooser and the stop button. */
void desk_page_foot(struct desk_out *o, struct desk *d);
/* A whole page saying why (key), with status (4xx). */
void desk_page_error(struct desk_out *o, struct desk *d, int status,
                     const char *key);

/* Answers r into out; d->mu held, the session checked (and for a POST
 * the CSRF token). */
void desk_route(struct desk *d, const struct desk_req *r, struct desk_out *out);
/* The screens desk_route hands requests to (desk_case.c). */
void desk_case_page(struct desk *d, const struct desk_req *r,
                    struct desk_out *out);
void desk_case_triage(struct desk *d, const struct desk_req *r,
                      struct desk_out *out);
void desk_case_reply(struct desk *d, const struct desk_req *r,
                     struct desk_out *out);
void desk_case_attachment(struct desk *d, const struct desk_req *r,
                          struct desk_out *out);
/* The conversation and the reply composer (desk_conv.c). The messages of
 * case id after the report received that day, in <section
 * id="messages">; 0 or -1 (the store failed). */
int desk_conv_messages(struct desk *d, struct desk_out *o, int64_t id,
                       const char *received) UMBRA_WUR;
/* 0 if r's template fields (tpl, tlang) are absent or valid, else -1. */
int desk_conv_check(const struct desk_req *r) UMBRA_WUR;
/* The template chooser and the reply form of case id, filled with the
 * template r chose, in r's tlang or else case_lang. */
void desk_conv_composer(struct desk *d, const struct desk_req *r,
                        struct desk_out *o, int64_t id,
                        const char *case_lang);
/* The reply's language from the reply form: NULL (none given: the
 * case's), a template language, or "" (not one: refuse). */
const char *desk_conv_reply_lang(const struct desk_req *r);
/* The identifiers across cases (desk_links.c): case id's section on its
 * page (0 or -1: the store failed), and the Links screen. */
int desk_links_case(struct desk *d, struct desk_out *o, int64_t id) UMBRA_WUR;
void desk_links_page(struct desk *d, const struct desk_req *r,
                     struct desk_out *out);
/* The screens that run verbs (desk_run.c): sync (GET and POST), stats. */
void desk_run_sync(struct desk *d, const struct desk_req *r,
                   struct desk_out *out);
void desk_run_stats(struct desk *d, const struct desk_req *r,
                    struct desk_out *out);
/* The Alerts screen (desk_alerts.c): the list (GET /alerts), a draft from
 * cases (POST /alerts/new), the area setting (POST /alerts/config), one
 * alert (GET /alert?n=N), its fields saved, signed, withdrawn (POST
 * /alert/save, /alert/sign, /alert/withdraw). */
void desk_alerts_page(struct desk *d, const struct desk_req *r,
                      struct desk_out *out);
void desk_alerts_new(struct desk *d, const struct desk_req *r,
                     struct desk_out *out);
void desk_alerts_config(struct desk *d, const struct desk_req *r,
                        struct desk_out *out);
void desk_alert_page(struct desk *d, const struct desk_req *r,
                     struct desk_out *out);
void desk_alert_save(struct desk *d, const struct desk_req *r,
                     struct desk_out *out);
void desk_alert_sign(struct desk *d, const struct desk_req *r,
                     struct desk_out *out);
void desk_alert_withdraw(struct desk *d, const struct desk_req *r,
                         struct desk_out *out);

#endif
