/* SPDX-License-Identifier: AGPL-3.0-or-later */
/* server: see server.h. */
#include "server.h"

struct server srv;
