/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * args: a verb's command line read with getopt_long.
 *
 * A verb lists its options in a struct option table (name, has_arg, NULL,
 * a code) and calls args_next until ARGS_END. The reader keeps the
 * command line as umbra-case always read it:
 *   - "--name value" and "--name=value"; a value may start with '-'
 *     (`--note "-x"`), as getopt_long takes the next word whatever it is;
 *   - words (IDs, files) anywhere among the options, returned in order
 *     (getopt_long's "-" mode: argv is never reordered);
 *   - names in full only: an abbreviation getopt_long would accept
 *     ("--stat" for "--status") is ARGS_BAD, as is "--" and any short
 *     option (-h and --help are case_help's, read before the verb).
 * getopt_long's own messages are off; the verb prints its usage or its
 * message. The reader uses getopt's globals (optind, optarg): one
 * command line at a time.
 */
#ifndef UMBRA_CASE_ARGS_H
#define UMBRA_CASE_ARGS_H

#include <getopt.h>
#include <stddef.h>
#include <stdint.h>

#define ARGS_END (-1)
#define ARGS_WORD 1     /* a word that is not an option: in a->val */
#define ARGS_BAD '?'    /* unknown, abbreviated or a flag given a value */
#define ARGS_MISSING ':' /* an option that takes a value has none */

struct args {
    int argc;
    char **argv;
    const struct option *opts; /* ends with a zeroed row */
    const char *val;           /* the option's value, or the word */
    const char *arg;           /* the word of argv being read, as written */
    int code;                  /* the option's code, also for ARGS_MISSING */
};

/* The rows of an option table: an option that takes a value, a flag,
 * and the zeroed row that ends the table (as git's OPT_STRING ...). */
#define ARGS_VALUE(name, code) {name, required_argument, NULL, code}
#define ARGS_FLAG(name, code) {name, no_argument, NULL, code}
#define ARGS_LAST {NULL, 0, NULL, 0}

/* The options of a verb whose only option is --json (code 'j'). */
extern const struct option ARGS_JSON_ONLY[];

/* Starts reading argv[1..argc-1] (argv[0] is the verb) against opts. */
void args_init(struct args *a, int argc, char **argv,
               const struct option *opts);

/*
 * The next item: an option's code (its value, if it takes one, in
 * a->val), ARGS_WORD, ARGS_BAD, ARGS_MISSING or ARGS_END. After ARGS_BAD
 * or ARGS_MISSING (a->arg names the word) the caller stops reading.
 */
int args_next(struct args *a);

/* An option whose value a verb keeps as given: its code, and where. */
struct args_keep {
    int code;
    const char **to;
};

/* 1 if code is one of the n rows of keep (its value then stored in *to),
 * else 0. */
int args_keep(const struct args_keep *keep, size_t n, int code,
              const char *val);

/* 1 if word is "--name" or "--name=...": the option written in full. */
int args_in_full(const char *word, const char *name);

/*
 * The edit distance of a and b (optimal string alignment: insertions,
 * deletions, substitutions and swaps of two neighbours cost 1). Words
 * longer than ARGS_WORD_MAX bytes are ARGS_FAR from everything.
 */
#define ARGS_WORD_MAX 63
#define ARGS_FAR 1000
size_t args_distance(const char *a, const char *b);

/*
 * The one of names[0..n-1] that word most likely meant: the only name
 * word is a prefix of (NULL if it is a prefix of several), else the only
 * name nearest word at distance 1 or 2. NULL if none or more than one.
 */
const char *args_suggest(const char *word, const char *const *names,
                         size_t n);

/*
 * Prints the one line "umbra-case: <problem>; <fix>" for a word args_next
 * refused: k is ARGS_BAD, ARGS_MISSING, ARGS_WORD (a word the verb did
 * not expect) or an option code the verb does not take. The verb is
 * a->argv[0]; an unknown option gets "did you mean" from a->opts.
 */
void args_why(const struct args *a, int k);

/* A case id: decimal, 1 or more, no sign, no leading zero. 0 or -1. */
int args_id(const char *s, int64_t *id);

/* A decimal from 0 to 2^32-1 (no sign). 0 or -1. */
int args_u32(const char *s, uint32_t *out);

#endif
