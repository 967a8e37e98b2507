/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * desk_run: the screens that run umbra-case's own verbs inside the desk —
 * pull, import, push and ack (the sync page, separate actions for the
 * online and the air-gapped laptop) and stats (its charts) — with the
 * desk's keys and open store, their output (stdout and stderr, which the
 * verbs print to) caught in a memory file for the duration of the call
 * and shown in the page. Only the desk's one server thread runs a verb,
 * with d->mu held; the main thread prints nothing meanwhile.
 */
#define _GNU_SOURCE 1 /* memfd_create */
#include "case.h"
#include "desk.h"
#include "desk_text.h"
#include "stats_catalogue.h"

#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <sodium.h>

#define RUN_OUT_MAX (4u * 1024u * 1024u)

typedef int (*verb_fn)(struct case_env *e, int argc, char **argv);

/*
 * Runs fn(argv) with d's keys and store, its output into *out (cap
 * RUN_OUT_MAX, wiped on release). The verb's exit code, or -1 if the
 * output could not be caught (the verb not run).
 */
static int
run_verb(struct desk *d, struct umbra_buf *out, verb_fn fn, unsigned need,
         int argc, char **argv)
{
    struct case_env e;
    int mfd, save1 = -1, save2 = -1, rc = -1;
    off_t len;

    memset(&e, 0, sizeof e);
    e.o = d->o;
    e.need = need;
    e.keys = d->keys;
    e.store = d->store;
    mfd = memfd_create("umbra-desk-run", MFD_CLOEXEC);
    if (mfd < 0)
        return -1;
    fflush(stdout);
    fflush(stderr);
    save1 = dup(1);
    save2 = dup(2);
    if (save1 < 0 || save2 < 0 || dup2(mfd, 1) < 0 || dup2(mfd, 2) < 0)
        goto out;
    rc = fn(&e, argc, argv);
    fflush(stdout);
    fflush(stderr);
out:
    if (save1 >= 0)
        dup2(save1, 1);
    if (save2 >= 0)
        dup2(save2, 2);
    len = lseek(mfd, 0, SEEK_END);
    out->cap = RUN_OUT_MAX;
    if (len > 0 && (size_t)len <= RUN_OUT_MAX &&
        umbra_buf_reserve(out, (size_t)len) == 0 &&
        pread(mfd, out->data, (size_t)len, 0) == len)
        out->len = (size_t)len;
    if (save1 >= 0)
        close(save1);
    if (save2 >= 0)
        close(save2);
    close(mfd);
    return rc;
}

/* A value a caseworker typed into a path or address field: 1 to 1024
 * bytes, no control characters. */
static int
plain_value(const char *v)
{
    size_t i, n = v ? strlen(v) : 0;

    if (n == 0 || n > 1024)
        return 0;
    for (i = 0; i < n; i++)
        if ((unsigned char)v[i] < 0x20 || v[i] == 0x7f)
            return 0;
    return 1;
}

static void
text_input(struct desk_out *o, int li, const char *name, const char *key,
           const char *value)
{
    desk_h_fmt(o, "<label for=\"%s\">", name);
    desk_h_t(o, li, key);
    desk_h_fmt(o,
               "</label><input id=\"%s\" name=\"%s\" maxlength=\"1024\" "
               "size=\"50\" dir=\"ltr\" value=\"",
               name, name);
    desk_h_str(o, value);
    desk_h_raw(o, "\">");
}

static void
button(struct desk_out *o, int li, const char *id, const char *key)
{
    desk_h_fmt(o,
               "<p><button type=\"submit\" name=\"do\" value=\"%s\" "
               "id=\"%s\">",
               id, id);
    desk_h_t(o, li, key);
    desk_h_raw(o, "</button></p>");
}

static void
sync_forms(struct desk_out *o, struct desk *d)
{
    int li = d->lang;
    char bundle[CASE_PATH_MAX];

    if (case_path(bundle, sizeof bundle, d->o, "incoming.umbrabundle") != 0)
        bundle[0] = 0;
    desk_h_raw(o, "<section id=\"online\"><h2>");
    desk_h_t(o, li, "desk.sync.online");
    desk_h_raw(o, "</h2><p>");
    desk_h_t(o, li, "desk.sync.online_intro");
    desk_h_raw(o, "</p>");
    desk_h_form(o, d->csrf, "/sync");
    text_input(o, li, "server", "desk.sync.server", d->server);
    text_input(o, li, "token", "desk.sync.token", d->token_file);
    text_input(o, li, "out", "desk.sync.bundle",
               d->bundle[0] ? d->bundle : bundle);
    button(o, li, "pull", "desk.sync.pull");
    button(o, li, "push", "desk.sync.push");
    button(o, li, "ack", "desk.sync.ack");
    desk_h_raw(o, "</form></section><section id=\"offline\"><h2>");
    desk_h_t(o, li, "desk.sync.offline");
    desk_h_raw(o, "</h2><p>");
    desk_h_t(o, li, "desk.sync.offline_intro");
    desk_h_raw(o, "</p>");
    desk_h_form(o, d->csrf, "/sync");
    text_input(o, li, "in", "desk.sync.bundle",
               d->bundle[0] ? d->bundle : bundle);
    button(o, li, "import", "desk.sync.import");
    desk_h_raw(o, "</form></section>");
}

static void
get_sync(struct desk *d, const struct desk_req *r, struct desk_out *o)
{
    (void)r;
    desk_page_head(o, d, "desk.sync.title");
    sync_forms(o, d);
    desk_page_foot(o, d);
}

/* Keeps a field's value in the desk's memory (to fill the form again). */
static void
keep(char *to, size_t cap, const char *v)
{
    if (v != NULL && strlen(v) < cap)
        memcpy(to, v, strlen(v) + 1);
}

static void
post_sync(struct desk *d, const struct desk_req *r, struct desk_out *o)
{
    const char *act = desk_field(r, "do"), *server = desk_field(r, "server");
    const char *token = desk_field(r, "token"), *out = desk_field(r, "out");
    const char *in = desk_field(r, "in");
    struct umbra_buf text;
    char *argv[8];
    int argc = 0, rc;
    verb_fn fn;
    unsigned need;

    memset(&text, 0, sizeof text);
    if (act == NULL) {
        desk_page_error(o, d, 400, "desk.error.form");
        return;
    }
    if (strcmp(act, "import") == 0) {
        if (!plain_value(in)) {
            desk_page_error(o, d, 400, "desk.error.form");
            return;
        }
        keep(d->bundle, sizeof d->bundle, in);
        argv[argc++] = (char *)(uintptr_t) "import";
        argv[argc++] = (char *)(uintptr_t)in;
        fn = verb_import;
        need = CASE_JOINED | CASE_KEYS | CASE_STORE | CASE_WRITE;
    } else if (strcmp(act, "pull") == 0 || strcmp(act, "push") == 0 ||
               strcmp(act, "ack") == 0) {
        if (!plain_value(server) || !plain_value(token) ||
            (strcmp(act, "pull") == 0 && !plain_value(out))) {
            desk_page_error(o, d, 400, "desk.error.form");
            return;
        }
        keep(d->server, sizeof d->server, server);
        keep(d->token_file, sizeof d->token_file, token);
        argv[argc++] = (char *)(uintptr_t)act;
        argv[argc++] = (char *)(uintptr_t) "--server";
        argv[argc++] = (char *)(uintptr_t)server;
        argv[argc++] = (char *)(uintptr_t) "--token-file";
        argv[argc++] = (char *)(uintptr_t)token;
        if (strcmp(act, "pull") == 0) {
            keep(d->bundle, sizeof d->bundle, out);
            argv[argc++] = (char *)(uintptr_t) "--out";
            argv[argc++] = (char *)(uintptr_t)out;
            fn = verb_pull;
            need = CASE_JOINED;
        } else {
            fn = act[0] == 'p' ? verb_push : verb_ack;
            need = CASE_STORE | CASE_WRITE;
        }
    } else {
        desk_page_error(o, d, 400, "desk.error.form");
        return;
    }
    argv[argc] = NULL;
    rc = run_verb(d, &text, fn, need, argc, argv);
    desk_page_head(o, d, "desk.sync.title");
    desk_h_fmt(o, "<section id=\"result\" data-exit=\"%d\"><h2>", rc);
    desk_h_t(o, d->lang, rc == 0 ? "desk.sync.done" : "desk.sync.failed");
    desk_h_raw(o, "</h2><pre id=\"output\" dir=\"ltr\">");
    desk_h_esc(o, (const char *)text.data, text.len);
    desk_h_raw(o, "</pre></section>");
    umbra_buf_release(&text);
    sync_forms(o, d);
    desk_page_foot(o, d);
}

void
desk_run_sync(struct desk *d, const struct desk_req *r, struct desk_out *o)
{
    if (strcmp(r->method, "POST") == 0)
        post_sync(d, r, o);
    else
        get_sync(d, r, o);
}

/* ---- statistics ---------------------------------------------------------- */

static const char *const DIMS[] = {"category", "perpetrator", "region",
                                   "lang",     "needs",       "period"};
static const char *const PERIODS[] = {"month", "quarter", "year"};

static const char *
one_of(const char *v, const char *const *set, size_t n, const char *dflt)
{
    size_t i;

    for (i = 0; v != NULL && i < n; i++)
        if (strcmp(v, set[i]) == 0)
            return set[i];
    return v == NULL || v[0] == 0 ? dflt : NULL;
}

static void
select_of(struct desk_out *o, int li, const char *name, const char *prefix,
          const char *const *set, size_t n, const char *cur)
{
    size_t k;

    desk_h_fmt(o, "<label for=\"%s\">", name);
    {
        char key[48];

        snprintf(key, sizeof key, "desk.stats.%s", name);
        desk_h_t(o, li, key);
    }
    desk_h_fmt(o, "<br><select id=\"%s\" name=\"%s\">", name, name);
    for (k = 0; k < n; k++) {
        char key[64];

        snprintf(key, sizeof key, "%s%s", prefix, set[k]);
        desk_h_fmt(o, "<option value=\"%s\"%s>", set[k],
                   strcmp(cur, set[k]) == 0 ? " selected" : "");
        desk_h_t(o, li, key);
        desk_h_raw(o, "</option>");
    }
    desk_h_raw(o, "</select></label>");
}

void
desk_run_stats(struct desk *d, const struct desk_req *r, struct desk_out *o)
{
    const char *by = one_of(desk_field(r, "by"), DIMS, 6, "category");
    const char *period = one_of(desk_field(r, "period"), PERIODS, 3, "quarter");
    struct umbra_buf svg;
    const uint8_t *xml;
    char *argv[12];
    int argc = 0, rc;

    memset(&svg, 0, sizeof svg);
    if (by == NULL || period == NULL) {
        desk_page_error(o, d, 400, "desk.error.filter");
        return;
    }
    argv[argc++] = (char *)(uintptr_t) "stats";
    argv[argc++] = (char *)(uintptr_t) "--by";
    argv[argc++] = (char *)(uintptr_t)by;
    argv[argc++] = (char *)(uintptr_t) "--period";
    argv[argc++] = (char *)(uintptr_t)period;
    argv[argc++] = (char *)(uintptr_t) "--format";
    argv[argc++] = (char *)(uintptr_t) "svg";
    if (stats_lang_known(desk_text_tag(d->lang))) {
        /* else the charts' English, without stats' warning in the way */
        argv[argc++] = (char *)(uintptr_t) "--lang";
        argv[argc++] = (char *)(uintptr_t)desk_text_tag(d->lang);
    }
    argv[argc] = NULL;
    rc = run_verb(d, &svg, verb_stats, CASE_STORE, argc, argv);
    desk_page_head(o, d, "desk.stats.title");
    desk_h_raw(o, "<p>");
    desk_h_t(o, d->lang, "desk.stats.intro");
    desk_h_raw(o, "</p><form method=\"get\" action=\"/stats\" "
                  "class=\"filters\">");
    select_of(o, d->lang, "by", "desk.stats.dim.", DIMS, 6, by);
    select_of(o, d->lang, "period", "desk.stats.per.", PERIODS, 3, period);
    desk_h_raw(o, "<button type=\"submit\">");
    desk_h_t(o, d->lang, "desk.inbox.filter");
    desk_h_raw(o, "</button></form>");
    /* stats' notes on standard error (every figure hidden, and why) come
     * before the picture in the captured output: shown as text above it */
    xml = svg.len > 5 ? memmem(svg.data, svg.len, "<?xml", 5) : NULL;
    if (rc == 0 && xml != NULL) {
        /* an image, so nothing in it can run: the CSP allows data: images */
        size_t skip = (size_t)(xml - svg.data), len = svg.len - skip;
        size_t n =
            sodium_base64_encoded_len(len, sodium_base64_VARIANT_ORIGINAL);
        char *b64 = malloc(n);

        if (skip > 0) {
            desk_h_raw(o, "<pre id=\"notes\" dir=\"auto\">");
            desk_h_esc(o, (const char *)svg.data, skip);
            desk_h_raw(o, "</pre>");
        }
        if (b64 != NULL) {
            sodium_bin2base64(b64, n, svg.data + skip, len,
                              sodium_base64_VARIANT_ORIGINAL);
            desk_h_raw(o, "<p><img id=\"chart\" class=\"chart\" alt=\"\" "
                          "src=\"data:image/svg+xml;base64,");
            desk_h_raw(o, b64);
            desk_h_raw(o, "\"></p>");
            free(b64);
        }
    } else {
        desk_h_raw(o, "<pre id=\"output\" dir=\"ltr\">");
        desk_h_esc(o, (const char *)svg.data, svg.len);
        desk_h_raw(o, "</pre>");
    }
    umbra_buf_release(&svg);
    desk_page_foot(o, d);
}
