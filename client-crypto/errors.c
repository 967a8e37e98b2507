/* SPDX-License-Identifier: AGPL-3.0-or-later */
/* errors: phrases for UMBRA_ERR_* (see errors.h). */
#include "errors.h"

static const char *const phrases[] = {
    "ok",                                     /* UMBRA_OK */
    "out of memory",                          /* NOMEM */
    "invalid argument",                       /* ARG */
    "truncated input",                        /* TRUNCATED */
    "malformed input",                        /* FORMAT */
    "unsupported version",                    /* VERSION */
    "invalid size",                           /* SIZE */
    "not addressed to any of our keys",       /* NO_KEY */
    "wrong passphrase or damaged file",       /* DECRYPT */
    "inner header does not match the outer",  /* INNER */
    "input too long",                         /* TOO_LONG */
    "unreasonable key derivation parameters", /* PARAMS */
    "signature does not verify",              /* SIGNATURE */
    "check digit wrong (mistyped receipt?)",  /* CHECKSUM */
    "file system error",                      /* IO */
    "cryptographic library failure",          /* CRYPTO */
    "older than the key bundle already held", /* ROLLBACK */
};

const char *
umbra_strerror(int err)
{
    unsigned idx;

    if (err > 0)
        return "unknown error";
    idx = (unsigned)-err;
    if (idx >= sizeof(phrases) / sizeof(phrases[0]))
        return "unknown error";
    return phrases[idx];
}
