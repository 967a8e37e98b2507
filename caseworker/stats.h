/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * stats: anonymised statistics for advocacy (`umbra-case stats`).
 *
 * The module reads only the coded facts of consenting cases (facts.h,
 * through store_facts_each) and turns them into a table that is safe to
 * publish: counts of reports received, at most two dimensions, small cells
 * suppressed, secondary suppression so that no hidden cell can be worked
 * out from a total, other counts and totals rounded separately, and
 * optionally discrete Laplace noise (integer arithmetic only). Everything
 * that leaves the module is a struct stats_pub (stats_table.h): the
 * writers and `stats merge` see nothing else.
 *
 * Files, each depending only on those above it (no include cycle):
 *   stats_table    the table, its memory and the names of dimensions
 *   stats_dates    days and periods
 *   stats_sdc      suppression and rounding
 *   stats_noise    the discrete Laplace sampler
 *   stats_regions  an organisation's region groups
 *   stats_catalogue  titles, notes and labels in six languages
 *   stats_text     what the text writers share
 *   stats_csv, stats_json (written and read back), stats_svg, stats_html
 *   stats_write    one table in the chosen format
 *   stats_count    from the store's facts to a protected table
 *   stats_lp       the linear model of what published tables reveal (GLPK)
 *   stats_audit    the audit: each small cell's range, more cells hidden
 *   stats_share    the ledger as the organisation's team events
 *   stats_ledger   the publication ledger, the noise seeds and budget
 *   stats_merge    `stats merge`
 *   stats_cli      the command line (this header)
 *   (the codes of the report document: libumbra's report_vocab.h, via facts.h)
 *
 * This header is the command's: it declares stats_run and, for the tests
 * and the benchmark, gathers the headers of the module's library API.
 * The report's codes are libumbra's report vocabulary (report_vocab.h).
 */
#ifndef UMBRA_CASE_STATS_H
#define UMBRA_CASE_STATS_H

#include "facts.h"
#include "stats_catalogue.h"
#include "stats_json.h"
#include "stats_noise.h"
#include "stats_sdc.h"
#include "stats_table.h"
#include "stats_write.h"

struct store;

/*
 * `umbra-case stats ...`: s is the opened store, or NULL for `stats
 * merge`, which works on files only; home is the home folder (its
 * stats-regions.conf gives the default region groups), or NULL for none.
 * argv[0] is "stats". Returns the process exit code (0, 1 user error, 2
 * usage). stats_main (facts.h) is stats_run with no home.
 */
int stats_run(struct store *s, const char *home, int argc, char **argv);

/*
 * The command line of stats_run read alone, nothing opened (so that a
 * usage error asks no passphrase): 0 if stats_run may go on, else the
 * exit code, after the one line saying what is wrong and the usage on
 * stderr. --help is for stats_run.
 */
int stats_args_ok(int argc, char **argv);

#endif
