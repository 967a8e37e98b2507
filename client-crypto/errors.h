/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * errors: the table of UMBRA_ERR_* codes (umbra.h) and their phrases.
 *
 * Every fallible libumbra function returns 0 or one of the negative codes;
 * umbra_strerror() maps a code to a short lowercase phrase that callers put
 * after the subject ("cannot open key file 'org.key': wrong passphrase or
 * damaged file"). The table is indexed by -code; unknown codes get a
 * generic phrase.
 */
#ifndef UMBRA_ERRORS_H
#define UMBRA_ERRORS_H

#include "umbra.h"

#endif
