/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * stats_write: one table, the chosen format (see stats_write.h).
 */
#include "stats_write.h"
#include "stats_catalogue.h"
#include "stats_csv.h"
#include "stats_html.h"
#include "stats_json.h"
#include "stats_svg.h"

int
stats_write(FILE *f, const struct stats_pub *p, enum stats_format fmt,
            const char *lang)
{
    int li = stats_lang_index(lang);

    switch (fmt) {
    case STATS_CSV:
        stats_csv_write(f, p, li);
        break;
    case STATS_JSON:
        if (stats_json_write(f, p, li) != 0)
            return -1;
        break;
    case STATS_SVG:
        stats_svg_write(f, p, li, 0);
        break;
    case STATS_HTML:
        stats_html_write(f, p, li);
        break;
    }
    return ferror(f) ? -1 : 0;
}
