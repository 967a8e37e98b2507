/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * Fuzz harness: the identifier normaliser (protocol section 6.2,
 * umbra_ident_normalise). The first byte picks the kind (of the four) and
 * whether a country is given (TH, RU or none); the rest is the value.
 * Invariants: the result is NUL-ended valid UTF-8 inside its array, the
 * value at most 200 UTF-16 units plus a calling code, the skeleton never
 * longer than the value, flags only the four known; normalising the
 * value again with the same kind gives the same value (idempotent) except
 * for a phone number that gained a calling code; a refusal leaves "" and
 * no flags.
 */
#include "fuzz_common.h"
#include "ident.h"

static size_t
units(const char *s)
{
    size_t n = 0;

    for (; *s; s++)
        if (((unsigned char)*s & 0xC0) != 0x80)
            n += ((unsigned char)*s >= 0xF0) ? 2 : 1;
    return n;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const kinds[] = {"phone", "plate", "handle", "place"};
    static const char *const countries[] = {NULL, "TH", "ru", ""};
    static struct umbra_ident a, b;
    const char *kind, *cc;
    int rc;

    fuzz_setup();
    if (size < 1)
        return 0;
    kind = kinds[data[0] & 3];
    cc = countries[(data[0] >> 2) & 3];
    rc = umbra_ident_normalise(&a, kind, (const char *)data + 1, size - 1, cc);
    if (rc != 0) {
        if (a.value[0] != 0 || a.flags != 0 || rc != UMBRA_ERR_FORMAT)
            abort();
        return 0;
    }
    if (memchr(a.value, 0, sizeof a.value) == NULL ||
        memchr(a.skeleton, 0, sizeof a.skeleton) == NULL ||
        !umbra_utf8_valid((const uint8_t *)a.value, strlen(a.value)) ||
        !umbra_utf8_valid((const uint8_t *)a.skeleton, strlen(a.skeleton)) ||
        units(a.value) > 205 || strlen(a.skeleton) > strlen(a.value) ||
        (a.flags & ~15u) != 0 || a.value[0] == 0)
        abort();
    rc = umbra_ident_normalise(&b, kind, a.value, strlen(a.value), cc);
    if (rc != 0 || (strcmp(a.value, b.value) != 0 &&
                    !(strcmp(kind, "phone") == 0 && a.value[0] == '+')))
        abort();
    return 0;
}
