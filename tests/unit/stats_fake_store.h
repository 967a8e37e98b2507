/* SPDX-License-Identifier: AGPL-3.0-or-later */
/* An in-memory stand-in for the case store's facts and ledger (facts.h),
 * for the statistics unit tests only. */
#ifndef UMBRA_STATS_FAKE_STORE_H
#define UMBRA_STATS_FAKE_STORE_H

#include "facts.h"

struct store *fake_store_new(void);
void fake_store_free(struct store *s);
/* number of ledger entries */
unsigned long fake_store_ledger_count(const struct store *s);

#endif
