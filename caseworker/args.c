/* SPDX-License-Identifier: AGPL-3.0-or-later */
/* args: a verb's command line read with getopt_long (see args.h). */
#include "args.h"
#include "umbra.h"

#include <errno.h>
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
