/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * scratch: removing the scratch folder a C test or benchmark made with
 * mkdtemp() under /tmp, found with -Itests/lib like check.h.
 */
#ifndef UMBRA_TEST_SCRATCH_H
#define UMBRA_TEST_SCRATCH_H

#include <stdio.h>
#include <stdlib.h>

/* Removes dir and all it holds (rm -rf; dir has no quote, as mkdtemp makes
 * it). Returns 0, or -1 with a note on stderr. */
static inline int
test_rmtree(const char *dir)
{
    char cmd[700];
    int n = snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);

    if (n > 0 && (size_t)n < sizeof cmd && system(cmd) == 0)
        return 0;
    fprintf(stderr, "could not remove %s\n", dir);
    return -1;
}

#endif
