/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * desk: the verb `umbra-case desk` (see desk.h): its options, the lock
 * that keeps a second desk off the same home, the address and the
 * browser, the signals that stop it, the idle lock; and unlocking.
 */
#define _GNU_SOURCE 1 /* posix_spawnp's environ */
#include "desk.h"
#include "args.h"
#include "case.h"
#include "desk_text.h"
#include "store.h"
#include "team.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/wait.h>
#include <unistd.h>

#include <sodium.h>

extern char **environ;

static const char DESK_USAGE[] =
    "usage: umbra-case [--home DIR] desk [--port N] [--no-browser]\n"
    "           [--lang LANG]\n"
    "\n"
    "Opens the desk: the cases in your web browser, served by umbra-case\n"
    "itself on this computer only (127.0.0.1, a random port unless\n"
    "--port). The first line printed is the desk's address with a\n"
    "one-time secret; the browser opens it unless --no-browser. The desk\n"
    "asks for the passphrase (or reads --passphrase-file) and locks itself\n"
    "after 15 minutes without use. Ctrl-C, or closing the terminal, stops\n"
    "it. Languages: en, es, pt-BR, fr, ro, bg, ru, uk, zh-CN, th, vi, ar\n"
    "(default: the computer's, from $LANG, else English).\n";

static const struct option DESK_OPTS[] = {
    ARGS_VALUE("port", 'p'),
    ARGS_FLAG("no-browser", 'n'),
    ARGS_VALUE("lang", 'l'),
    ARGS_LAST,
};

void
desk_lock(struct desk *d)
{
    store_close(d->store);
    d->store = NULL;
    umbra_org_keys_free(d->keys);
    d->keys = NULL;
}

int
desk_unlock(struct desk *d, const char *pw, size_t pwlen)
{
    char path[CASE_PATH_MAX];
    int err;

    desk_lock(d);
    if (case_path(path, sizeof path, d->o, "keys.umbra") != 0)
        return -1;
    err = umbra_keyfile_read(&d->keys, path, pw, pwlen);
    if (err != 0) {
        snprintf(d->flash, sizeof d->flash, "%s",
                 desk_text(d->lang, err == UMBRA_ERR_DECRYPT
                                        ? "desk.unlock.wrong"
                                        : "desk.unlock.nokeys"));
        d->keys = NULL;
        return -1;
    }
    err = store_open_with(&d->store, d->o->home, d->keys->store_key, 1, NULL);
    if (err != 0) {
        d->store = NULL;
        desk_lock(d);
        snprintf(d->flash, sizeof d->flash, "%s",
                 desk_text(d->lang, err == STORE_ELOCKED
                                        ? "desk.unlock.busy"
                                        : "desk.unlock.nostore"));
        return -1;
    }
    /* the desk's changes are this member's events, as the CLI's */
    store_team_author(d->store, d->keys->sign_pk);
    return 0;
}

/* DIR/desk.lock, held while the desk runs: the fd, or -1 (printed). */
static int
take_desk_lock(const struct case_opts *o)
{
    char path[CASE_PATH_MAX];
    int fd;

    if (case_path(path, sizeof path, o, "desk.lock") != 0)
        return -1;
    fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0) {
        case_err("cannot open '%s': %s", path, strerror(errno));
        return -1;
    }
    if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
        if (errno == EWOULDBLOCK)
            case_err("another desk is already open on '%s'; use that one "
                     "or stop it first (Ctrl-C in its terminal)",
                     o->home);
        else
            case_err("cannot lock '%s': %s", path, strerror(errno));
        close(fd);
        return -1;
    }
    return fd;
}

/*
 * Opens the browser at the address without putting the secret on any
 * command line (other users can read those): xdg-open gets a file of the
 * home, readable by its owner only, that sends the browser on. The file
 * is removed when the desk stops. 0 or -1 (printed).
 */
static int
open_browser(const struct case_opts *o, const char *url, char *file, size_t cap,
             const sigset_t *mask)
{
    char page[512];
    char *argv[3];
    posix_spawnattr_t at;
    pid_t pid;
    int n, err;

    if (case_path(file, cap, o, "desk-open.html") != 0)
        return -1;
    n = snprintf(page, sizeof page,
                 "<!doctype html><meta charset=\"utf-8\">"
                 "<meta http-equiv=\"refresh\" content=\"0; url=%s\">"
                 "<title>umbra-case desk</title>\n",
                 url);
    if (n < 0 || (size_t)n >= sizeof page ||
        case_write_atomic(file, page, (size_t)n, 0600) != 0) {
        sodium_memzero(page, sizeof page);
        case_err("cannot write '%s'; open the address yourself", file);
        return -1;
    }
    sodium_memzero(page, sizeof page);
    argv[0] = (char *)(uintptr_t) "xdg-open";
    argv[1] = file;
    argv[2] = NULL;
    /* the browser gets the signal mask the desk started with, not the
     * desk's own (SIGINT, SIGTERM and SIGHUP blocked for sigtimedwait) */
    err = posix_spawnattr_init(&at);
    if (err == 0) {
        err = posix_spawnattr_setsigmask(&at, mask);
        if (err == 0)
            err = posix_spawnattr_setflags(&at, POSIX_SPAWN_SETSIGMASK);
        if (err == 0)
            err = posix_spawnp(&pid, "xdg-open", NULL, &at, argv, environ);
        posix_spawnattr_destroy(&at);
    }
    if (err != 0) {
        case_err("cannot start xdg-open (%s); open the address yourself",
                 strerror(err));
        return -1;
    }
    return 0;
}

static long
idle_seconds(void)
{
    const char *v = getenv("UMBRA_DESK_IDLE_SECONDS"); /* tests only */
    uint32_t n = 0;

    if (v != NULL && args_u32(v, &n) == 0 && n >= 1 && n <= 86400)
        return (long)n;
    return DESK_IDLE;
}

/* Waits for a signal or a stop, locking the desk when idle. */
static void
desk_wait(struct desk *d, const sigset_t *sigs)
{
    for (;;) {
        struct timespec ts = {1, 0};
        int sig = sigtimedwait(sigs, NULL, &ts), stop;

        if (sig > 0)
            return;
        pthread_mutex_lock(&d->mu);
        if (d->store != NULL && time(NULL) - d->last >= d->idle) {
            desk_lock(d);
            snprintf(d->flash, sizeof d->flash, "%s",
                     desk_text(d->lang, "desk.lock.idle"));
        }
        stop = d->stop;
        pthread_mutex_unlock(&d->mu);
        if (stop)
            return;
        while (waitpid(-1, NULL, WNOHANG) > 0)
            ; /* xdg-open */
    }
}

/* The language of the laptop's locale ($LC_ALL, $LC_MESSAGES, $LANG:
 * "pt_BR.UTF-8" is pt-BR, "fr_FR" is fr), if the desk has it; else 0. */
static int
locale_lang(void)
{
    static const char *const VARS[] = {"LC_ALL", "LC_MESSAGES", "LANG"};
    char tag[8];
    size_t i, n;

    for (i = 0; i < 3; i++) {
        const char *v = getenv(VARS[i]);
        int li;

        if (v == NULL || v[0] == 0)
            continue;
        for (n = 0; n < 5 && v[n] && v[n] != '.' && v[n] != '@'; n++)
            tag[n] = v[n] == '_' ? '-' : v[n];
        tag[n] = 0;
        li = desk_text_lang(tag);
        if (li < 0 && n > 2) {
            tag[2] = 0; /* "fr-FR": fr */
            li = desk_text_lang(tag);
        }
        return li < 0 ? 0 : li;
    }
    return 0;
}

static int
desk_args(int argc, char **argv, unsigned *port, int *browser, int *lang)
{
    struct args a;
    int k;

    *lang = locale_lang();
    args_init(&a, argc, argv, DESK_OPTS);
    while ((k = args_next(&a)) != ARGS_END) {
        uint32_t p = 0;

        if (k == 'p' && args_u32(a.val, &p) == 0 && p >= 1 && p <= 65535)
            *port = p;
        else if (k == 'p') {
            case_err("--port needs a port number from 1 to 65535, not '%s'",
                     a.val);
            return -1;
        } else if (k == 'n')
            *browser = 0;
        else if (k == 'l' && desk_text_lang(a.val) >= 0)
            *lang = desk_text_lang(a.val);
        else if (k == 'l') {
            case_err("the desk has no language '%s'; use en, es, pt-BR, fr, "
                     "ro, bg, ru, uk, zh-CN, th, vi or ar",
                     a.val);
            return -1;
        } else {
            args_why(&a, k);
            return -1;
        }
    }
    return 0;
}

int
verb_desk(struct case_env *e, int argc, char **argv)
{
    struct desk *d = NULL;
    void *daemon = NULL;
    char url[160], kpath[CASE_PATH_MAX];
    sigset_t sigs, old;
    unsigned port = 0;
    int browser = 1, lang = 0, lockfd = -1, rc = CASE_FAIL;

    if (case_help(DESK_USAGE, argc, argv))
        return CASE_OK;
    if (desk_args(argc, argv, &port, &browser, &lang) != 0)
        return case_usage(DESK_USAGE);
    if (case_path(kpath, sizeof kpath, e->o, "keys.umbra") != 0)
        return CASE_FAIL;
    if (access(kpath, F_OK) != 0) {
        case_err("no key file '%s': is '%s' a home made by 'umbra-case "
                 "init'? (see --home)",
                 kpath, e->o->home);
        return CASE_FAIL;
    }
    lockfd = take_desk_lock(e->o);
    if (lockfd < 0)
        return CASE_FAIL;
    d = sodium_malloc(sizeof *d);
    if (d == NULL) {
        case_err("out of memory");
        goto out;
    }
    memset(d, 0, sizeof *d);
    pthread_mutex_init(&d->mu, NULL);
    d->o = e->o;
    d->lang = lang;
    d->idle = idle_seconds();
    case_who(d->who, sizeof d->who, NULL);
    if (e->o->passphrase_file != NULL || (getenv("UMBRA_PASSPHRASE_FILE") &&
                                          getenv("UMBRA_PASSPHRASE_FILE")[0])) {
        char *pw = NULL;
        size_t n = 0;

        if (case_passphrase(&pw, &n, e->o, 0) != 0)
            goto out;
        if (desk_unlock(d, pw, n) != 0) {
            umbra_secret_free(pw);
            case_err("%s", d->flash);
            goto out;
        }
        umbra_secret_free(pw);
    }
    sigemptyset(&sigs);
    sigaddset(&sigs, SIGINT);
    sigaddset(&sigs, SIGTERM);
    sigaddset(&sigs, SIGHUP);
    pthread_sigmask(SIG_BLOCK, &sigs, &old); /* MHD's thread inherits it */
    {
        unsigned char r[DESK_TOKEN_HEX / 2];

        randombytes_buf(r, sizeof r);
        sodium_bin2hex(d->secret, sizeof d->secret, r, sizeof r);
        sodium_memzero(r, sizeof r);
    }
    if (desk_http_start(&daemon, d, port) != 0)
        goto out_mask;
    snprintf(url, sizeof url, "%s/open?s=%s", d->origin, d->secret);
    printf("%s\n", url);
    fflush(stdout);
    fprintf(stderr, "umbra-case: the desk is open at the address above (this "
                    "computer only); Ctrl-C stops it\n");
    if (browser) {
        pthread_mutex_lock(&d->mu); /* the server thread reads open_file */
        (void)open_browser(e->o, url, d->open_file, sizeof d->open_file, &old);
        pthread_mutex_unlock(&d->mu);
    }
    sodium_memzero(url, sizeof url);
    desk_wait(d, &sigs);
    rc = CASE_OK;
    fprintf(stderr, "umbra-case: the desk is stopped\n");
out_mask:
    desk_http_stop(daemon);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
out:
    if (d != NULL) {
        if (d->open_file[0])
            unlink(d->open_file);
        desk_lock(d);
        pthread_mutex_destroy(&d->mu);
        sodium_free(d); /* wipes the secret, session and CSRF token */
    }
    if (lockfd >= 0)
        close(lockfd);
    return rc;
}
