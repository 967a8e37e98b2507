/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * case: what the verbs of umbra-case share.
 *
 * umbra-case is one program with one verb per command
 * (docs/caseworker-guide.md). The global options are parsed once into a
 * struct case_opts; each verb gets it
 * plus its own argv (argv[0] is the verb name). A verb returns the process
 * exit code: CASE_OK (0), CASE_FAIL (1, a user-facing error already printed
 * as one line on stderr) or CASE_USAGE (2, a usage error).
 *
 * The home folder holds:
 *   keys.umbra    the passphrase-protected key file (protocol section 4)
 *   public.json   the signed public key bundle (protocol section 3)
 *   cases.db      the encrypted case store (store.h) and, while open, its
 *                 SQLCipher journal (cases.db-journal), encrypted as well
 *   lock          flock()ed by every writer
 *   pull/         nothing: pull writes its bundle where --out says
 *                 (default DIR/incoming.umbrabundle)
 */
#ifndef UMBRA_CASE_H
#define UMBRA_CASE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "umbra.h"

#define CASE_OK 0
#define CASE_FAIL 1
#define CASE_USAGE 2

#define CASE_PASSPHRASE_MAX 1024u
#define CASE_PATH_MAX 4096u
/* stdin for seal: the largest content an envelope can carry */
#define CASE_STDIN_MAX (16u * 1024u * 1024u)
/* stdin for open: the largest envelope (16 MiB padded + overheads) */
#define CASE_ENVELOPE_MAX (17u * 1024u * 1024u + 65536u)

struct case_opts {
    const char *home;            /* resolved home folder */
    const char *passphrase_file; /* NULL: environment, then prompt */
    char home_buf[CASE_PATH_MAX];
};

struct store;

/* ---- util.c ------------------------------------------------------------ */

/* one when n is 1, else many: "1 case", "2 cases", "0 cases" (English;
 * the translated strings have their own plural forms). */
const char *case_plural(long long n, const char *one, const char *many);
#define CASE_PL(n, word) case_plural((long long)(n), word, word "s")

/* Prints "umbra-case: " + message + newline to stderr. */
void case_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* path = home + "/" + name; CASE_FAIL-style -1 if too long. */
int case_path(char *out, size_t cap, const struct case_opts *o,
              const char *name) UMBRA_WUR;

/*
 * Reads a whole file of at most cap bytes into a malloc'd buffer (NUL
 * added after the data, not counted in *len). -1 with errno on failure;
 * errno EFBIG when over cap.
 */
int case_read_file(uint8_t **out, size_t *len, const char *path, size_t cap)
    UMBRA_WUR;
/* The same from a FILE (stdin), into secret memory when secret != 0. */
int case_read_stream(uint8_t **out, size_t *len, FILE *f, size_t cap,
                     int secret) UMBRA_WUR;

/*
 * The passphrase, from --passphrase-file, $UMBRA_PASSPHRASE_FILE, or a
 * prompt without echo on /dev/tty (twice when confirm). Trailing newline
 * dropped. *out is umbra_secret_alloc'd (free with umbra_secret_free).
 * Prints its own error; returns 0 or -1.
 */
int case_passphrase(char **out, size_t *len, const struct case_opts *o,
                    int confirm) UMBRA_WUR;

/*
 * A new passphrase (case_passphrase, asked twice), refused with a one-line
 * reason and how to choose a strong one when strength.h calls it weak,
 * unless weak_ok (then only a warning). Never prints the passphrase.
 * 0 or -1 (nothing left allocated).
 */
int case_new_passphrase(char **out, size_t *len, const struct case_opts *o,
                        int weak_ok) UMBRA_WUR;

/*
 * A verb that takes exactly one word and no option (fingerprint FILE,
 * keys join FILE): *word, or -1 after one line saying what is wrong
 * ("VERB needs a NOUN; write it as 'umbra-case VERB META'"). verb is the
 * name shown; argv[0] is skipped.
 */
int case_one_word(const char **word, const char *verb, int argc,
                  char **argv, const char *noun, const char *meta) UMBRA_WUR;
/* A verb that takes nothing: 0, or -1 after one line naming the word. */
int case_no_words(int argc, char **argv) UMBRA_WUR;

/*
 * Opens the home's key file with the passphrase. Prints a one-line error
 * on failure ("cannot open key file '...': wrong passphrase or damaged
 * file") and returns -1.
 */
int case_load_keys(struct umbra_org_keys **out, const struct case_opts *o)
    UMBRA_WUR;

/* case_read_file, printing "cannot read WHAT 'PATH': WHY" on failure
 * (WHY is too_big when the file is over cap). 0 or -1. */
int case_read_capped(uint8_t **out, size_t *len, const char *path,
                     size_t cap, const char *what, const char *too_big)
    UMBRA_WUR;

/* umbra_keyfile_write, printing "cannot write key file 'PATH': WHY" on
 * failure. 0 or -1. */
int case_write_keys(const char *path, const struct umbra_org_keys *k,
                    const char *pw, size_t pwlen,
                    const struct umbra_kdf_params *kdf) UMBRA_WUR;

/* Reads and verifies a public key bundle file; prints its error. With raw
 * non-NULL, *raw (malloc'd) and *raw_len keep the file's bytes. */
int case_read_bundle(struct umbra_bundle *b, uint8_t **raw, size_t *raw_len,
                     const char *path) UMBRA_WUR;
/* case_read_bundle without the bytes. */
int case_load_bundle(struct umbra_bundle *b, const char *path) UMBRA_WUR;

/* Writes text to f with control characters and escape sequences made
 * harmless (shown as U+FFFD or \xNN); invalid UTF-8 shown as \xNN.
 * keep_newlines: newline and tab pass through. */
void case_print_safe(FILE *f, const char *s, size_t len, int keep_newlines);

/* Writes buf to path atomically (temp, fsync, rename), mode 0600/0644. */
int case_write_atomic(const char *path, const void *buf, size_t len,
                      unsigned mode) UMBRA_WUR;

/* Reads a token file (one line) into out; prints its error. */
int case_read_token(char *out, size_t cap, const char *path) UMBRA_WUR;

/* If argv holds --help or -h (before any "--"), prints usage to stdout
 * and returns 1; else 0. */
int case_help(const char *usage, int argc, char **argv);

/* The name recorded in case history: $UMBRA_CASEWORKER, else $USER, else
 * "caseworker" (written to out, sanitised to printable ASCII). */
void case_who(char *out, size_t cap, const char *given);

/* store_open and store_create (store.h), printing the store's messages as
 * they happen (until store_close) and what to do after the errors it
 * leaves to the verbs. */
int case_store_open(struct store **out, const char *home,
                    const uint8_t key[32], int write) UMBRA_WUR;
int case_store_create(const char *home, const uint8_t key[32],
                      const char *slug) UMBRA_WUR;

/* 1 if status is one a case can have (new, in-progress, waiting,
 * referred, closed), else 0. */
int case_status_known(const char *status);

/* A phrase for why umbra_envelope_open failed (verbs_seal.c). */
const char *case_open_error(int err);

/*
 * pull's rollback check (verbs_members.c): -1, with a one-line refusal
 * printed, if theirs (the bundle server publishes) is older than ours, the
 * home's, under the same signing key (a lower serial, or the same serial
 * with other content: umbra_bundle_may_replace); else 0.
 */
int case_bundle_not_older(const struct umbra_bundle *theirs,
                          const struct umbra_bundle *ours,
                          const char *server) UMBRA_WUR;

/* Prints usage to stderr; returns CASE_USAGE (a verb's usage error). */
int case_usage(const char *usage);
struct args;
/* For a verb that takes one case id: the one line saying what is wrong
 * with word k of a (ARGS_END: no id given; have_id: one was given). */
void case_why_id(const struct args *a, int k, int have_id);
/* case_why_id, then case_usage(usage). */
int case_usage_id(const struct args *a, int k, int have_id,
                  const char *usage) UMBRA_WUR;

/* ---- what the verb table (cli.c) sets up, by case_setup (util.c) ------ */

/*
 * What a verb needs set up, in its row of the verb table (cli.c), as
 * git.c's RUN_SETUP: the verb reads its command line first (a usage error
 * asks no passphrase), then calls case_setup once; case_main releases
 * what it set up after the verb returns, on every path.
 */
#define CASE_JOINED 0x01u /* refused in a member home not joined yet */
#define CASE_KEYS 0x02u   /* the home's keys (asks the passphrase) */
#define CASE_STORE 0x04u  /* the case store, opened for reading ... */
#define CASE_WRITE 0x08u  /* ... or, with CASE_STORE, for writing */

struct case_env {
    const struct case_opts *o;
    unsigned need;               /* CASE_* from the verb table */
    struct umbra_org_keys *keys; /* after case_setup, with CASE_KEYS */
    struct store *store;         /* after case_setup, with CASE_STORE */
};

/*
 * Loads the keys and opens the store as e->need says (the passphrase is
 * asked once). Prints its error and returns -1; what it set up is
 * released by case_main either way.
 */
int case_setup(struct case_env *e) UMBRA_WUR;

/* ---- verbs ------------------------------------------------------------- */

int verb_init(struct case_env *e, int argc, char **argv);
int verb_fingerprint(struct case_env *e, int argc, char **argv);
int verb_seal(struct case_env *e, int argc, char **argv);
int verb_open(struct case_env *e, int argc, char **argv);
int verb_keys(struct case_env *e, int argc, char **argv);
int verb_pull(struct case_env *e, int argc, char **argv);
int verb_import(struct case_env *e, int argc, char **argv);
int verb_list(struct case_env *e, int argc, char **argv);
int verb_show(struct case_env *e, int argc, char **argv);
int verb_triage(struct case_env *e, int argc, char **argv);
int verb_delete(struct case_env *e, int argc, char **argv);
int verb_purge(struct case_env *e, int argc, char **argv);
int verb_reply(struct case_env *e, int argc, char **argv);
int verb_push(struct case_env *e, int argc, char **argv);
int verb_team(struct case_env *e, int argc, char **argv);
int verb_ack(struct case_env *e, int argc, char **argv);
int verb_quarantine(struct case_env *e, int argc, char **argv);
int verb_stats(struct case_env *e, int argc, char **argv);
int verb_links(struct case_env *e, int argc, char **argv);
int verb_alert(struct case_env *e, int argc, char **argv);
int verb_desk(struct case_env *e, int argc, char **argv);

/* The whole program (main.c only calls this). */
int case_main(int argc, char **argv);

#endif
