/* SPDX-License-Identifier: AGPL-3.0-or-later */
/* args: a verb's command line read with getopt_long (see args.h). */
#include "args.h"
#include "umbra.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const struct option ARGS_JSON_ONLY[] = {ARGS_FLAG("json", 'j'), ARGS_LAST};

void
args_init(struct args *a, int argc, char **argv, const struct option *opts)
{
    a->argc = argc;
    a->argv = argv;
    a->opts = opts;
    a->val = NULL;
    a->arg = NULL;
    a->code = 0;
    optind = 0; /* glibc: start again, reading the "-:" mode afresh */
    opterr = 0;
}

int
args_in_full(const char *word, const char *name)
{
    size_t n = strlen(name);

    return strncmp(word, "--", 2) == 0 && strncmp(word + 2, name, n) == 0 &&
           (word[2 + n] == '\0' || word[2 + n] == '=');
}

static const struct option *
by_code(const struct option *opts, int code)
{
    for (; opts->name != NULL; opts++)
        if (opts->val == code)
            return opts;
    return NULL;
}

int
args_next(struct args *a)
{
    const struct option *o;
    int at = optind > 0 ? optind : 1, c, li = -1;

    a->val = NULL;
    a->arg = NULL;
    a->code = 0;
    if (at >= a->argc)
        return ARGS_END;
    a->arg = a->argv[at];
    if (strcmp(a->arg, "--") == 0)
        return ARGS_BAD;
    /* "-": words in order; ":": a missing value is told apart */
    c = getopt_long(a->argc, a->argv, "-:", a->opts, &li);
    if (c == -1)
        return ARGS_END;
    if (c == 1) {
        a->val = optarg;
        return ARGS_WORD;
    }
    if (c == '?')
        return ARGS_BAD;
    o = c == ':' ? by_code(a->opts, optopt) : li >= 0 ? &a->opts[li] : NULL;
    if (o == NULL || !args_in_full(a->arg, o->name))
        return ARGS_BAD;
    a->code = o->val;
    if (c == ':')
        return ARGS_MISSING;
    a->val = optarg;
    return c;
}

int
args_keep(const struct args_keep *keep, size_t n, int code, const char *val)
{
    size_t i;

    for (i = 0; i < n; i++) {
        if (keep[i].code == code) {
            *keep[i].to = val;
            return 1;
        }
    }
    return 0;
}

int
args_id(const char *s, int64_t *id)
{
    uint64_t v = 0;

    /* no leading zero: "07" is not case 7 */
    if (s == NULL || s[0] == '0' || umbra_parse_u64(&v, s, 1, INT64_MAX) != 0)
        return -1;
    *id = (int64_t)v;
    return 0;
}

int
args_u32(const char *s, uint32_t *out)
{
    uint64_t v = 0;

    if (umbra_parse_u64(&v, s, 0, 0xffffffffu) != 0)
        return -1;
    *out = (uint32_t)v;
    return 0;
}

size_t
args_distance(const char *a, const char *b)
{
    size_t d[3][ARGS_WORD_MAX + 2], la = strlen(a), lb = strlen(b), i, j;

    if (la > ARGS_WORD_MAX || lb > ARGS_WORD_MAX)
        return ARGS_FAR;
    /* rows i-2, i-1 and i of the table, kept in d[(i) % 3] */
    for (j = 0; j <= lb; j++)
        d[0][j] = j;
    for (i = 1; i <= la; i++) {
        size_t *r = d[i % 3], *p = d[(i - 1) % 3], *q = d[(i + 1) % 3];

        r[0] = i;
        for (j = 1; j <= lb; j++) {
            size_t c = a[i - 1] == b[j - 1] ? 0 : 1, v = p[j - 1] + c;

            if (p[j] + 1 < v)
                v = p[j] + 1;
            if (r[j - 1] + 1 < v)
                v = r[j - 1] + 1;
            /* q is row i-2 when i >= 2 */
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] &&
                a[i - 2] == b[j - 1] && q[j - 2] + 1 < v)
                v = q[j - 2] + 1;
            r[j] = v;
        }
    }
    return d[la % 3][lb];
}

const char *
args_suggest(const char *word, const char *const *names, size_t n)
{
    const char *best = NULL;
    size_t i, wl = strlen(word), prefixed = 0, low = 3, at_low = 0;

    if (wl == 0)
        return NULL;
    for (i = 0; i < n; i++) {
        if (strncmp(names[i], word, wl) == 0 && names[i][wl] != '\0') {
            prefixed++;
            best = names[i];
        }
    }
    if (prefixed > 0)
        return prefixed == 1 ? best : NULL;
    best = NULL;
    for (i = 0; i < n; i++) {
        size_t d = args_distance(word, names[i]);

        if (d < low) {
            low = d;
            best = names[i];
            at_low = 1;
        } else if (d == low) {
            at_low++;
        }
    }
    return at_low == 1 && low > 0 ? best : NULL;
}

/* The option's name for a code of a->opts, or NULL. */
static const char *
name_of(const struct args *a, int code)
{
    const struct option *o = by_code(a->opts, code);

    return o != NULL ? o->name : NULL;
}

void
args_why(const struct args *a, int k)
{
    const char *verb = a->argv[0], *w = a->arg != NULL ? a->arg : "";
    const char *names[32], *hint, *eq;
    char word[ARGS_WORD_MAX + 1];
    size_t n = 0, len;

    if (k == ARGS_MISSING) {
        fprintf(stderr,
                "umbra-case: --%s needs a value; write it as --%s VALUE\n",
                name_of(a, a->code), name_of(a, a->code));
        return;
    }
    if (k == ARGS_WORD) {
        fprintf(stderr,
                "umbra-case: %s does not take '%s'; see 'umbra-case %s "
                "--help'\n",
                verb, w, verb);
        return;
    }
    if (k != ARGS_BAD) {
        fprintf(stderr,
                "umbra-case: %s does not take %s; see 'umbra-case %s "
                "--help'\n",
                verb, w, verb);
        return;
    }
    if (strcmp(w, "--") == 0 || strncmp(w, "--", 2) != 0) {
        fprintf(stderr,
                "umbra-case: unknown option '%s' for %s; options are "
                "written in full, see 'umbra-case %s --help'\n",
                w, verb, verb);
        return;
    }
    eq = strchr(w + 2, '=');
    len = eq != NULL ? (size_t)(eq - (w + 2)) : strlen(w + 2);
    if (len > ARGS_WORD_MAX)
        len = ARGS_WORD_MAX;
    memcpy(word, w + 2, len);
    word[len] = '\0';
    for (; a->opts[n].name != NULL && n < sizeof names / sizeof names[0]; n++) {
        names[n] = a->opts[n].name;
        if (strcmp(names[n], word) == 0 && eq != NULL) {
            fprintf(stderr,
                    "umbra-case: --%s of %s takes no value; write --%s "
                    "alone\n",
                    word, verb, word);
            return;
        }
    }
    hint = args_suggest(word, names, n);
    if (hint != NULL)
        fprintf(stderr,
                "umbra-case: unknown option '--%s' for %s; did you mean "
                "--%s?\n",
                word, verb, hint);
    else
        fprintf(stderr,
                "umbra-case: unknown option '--%s' for %s; see 'umbra-case "
                "%s --help'\n",
                word, verb, verb);
}
