/* SPDX-License-Identifier: AGPL-3.0-or-later */
/* umbra-case: the offline caseworker tool (everything is in cli.c). */
#include "case.h"

int
main(int argc, char **argv)
{
    return case_main(argc, argv);
}
