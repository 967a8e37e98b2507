/* SPDX-License-Identifier: AGPL-3.0-or-later */
/* strength: how hard a new passphrase is to guess (see strength.h). */
#include "strength.h"

#include <stdio.h>
#include <string.h>

#include <zxcvbn.h>

/* The kinds of part zxcvbn found, as bits (1 << ZxcTypeMatch_t). */
static unsigned
kinds_of(const ZxcMatch_t *m)
{
    unsigned k = 0;

    for (; m != NULL; m = m->Next) {
        unsigned t = (unsigned)m->Type & ~(unsigned)MULTIPLE_MATCH;

        if (t < 32)
            k |= 1u << t;
        if ((unsigned)m->Type & (unsigned)MULTIPLE_MATCH)
            k |= 1u << REPEATS_MATCH;
    }
    return k;
}

/* Words separated by spaces (ASCII space or tab), and whether any byte is
 * beyond ASCII. */
static size_t
words_of(const char *pw, size_t len, int *wide)
{
    size_t i, n = 0;
    int in = 0;

    *wide = 0;
    for (i = 0; i < len && pw[i] != '\0'; i++) {
        unsigned char c = (unsigned char)pw[i];

        if (c >= 0x80)
            *wide = 1;
        if (c == ' ' || c == '\t') {
            in = 0;
        } else if (!in) {
            in = 1;
            n++;
        }
    }
    return n;
}

int
strength_weak(double *bits, char *why, size_t cap, const char *pw,
              size_t len)
{
    static const struct {
        ZxcTypeMatch_t type;
        const char *phrase;
    } KINDS[] = {
        {DICTIONARY_MATCH, "common words or names that guessers try first"},
        {DICT_LEET_MATCH, "common words with letters swapped for digits"},
        {SPATIAL_MATCH, "a keyboard pattern"},
        {SEQUENCE_MATCH, "a sequence such as abc or 123"},
        {REPEATS_MATCH, "repeated parts"},
        {DATE_MATCH, "a date"},
        {YEAR_MATCH, "a year"},
    };
    ZxcMatch_t *info = NULL;
    size_t i, used = 0, nwords;
    unsigned kinds;
    double b;
    int wide = 0, n;

    if (cap > 0)
        why[0] = '\0';
    b = ZxcvbnMatch(pw, NULL, &info);
    kinds = kinds_of(info);
    ZxcvbnFreeInfo(info);
    nwords = words_of(pw, len, &wide);
    if (wide && b > (double)(STRENGTH_WORD_BITS * nwords))
        b = (double)(STRENGTH_WORD_BITS * nwords);
    *bits = b;
    if (b >= STRENGTH_MIN_BITS)
        return 0;
    if (wide && nwords < 5) {
        (void)snprintf(why, cap, "it has %zu word%s and letters this check "
                     "cannot look up, so it counts words",
                     nwords, nwords == 1 ? "" : "s");
        return 1;
    }
    for (i = 0; i < sizeof KINDS / sizeof KINDS[0]; i++) {
        if (!(kinds & (1u << KINDS[i].type)) || used >= cap)
            continue;
        n = snprintf(why + used, cap - used, "%s%s",
                     used == 0 ? "it is made of " : " and ",
                     KINDS[i].phrase);
        if (n < 0)
            break;
        used += (size_t)n < cap - used ? (size_t)n : cap - used - 1;
    }
    if (used == 0)
        (void)snprintf(why, cap, "it is too short");
    return 1;
}
