/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * stats_html: the HTML writer (see stats_html.h).
 */
#include "stats_html.h"
#include "stats_catalogue.h"
#include "stats_svg.h"
#include "stats_text.h"

#include <inttypes.h>

void
stats_html_write(FILE *f, const struct stats_pub *p, int li)
{
    struct stats_text o = {f, 1, 1};
    size_t i, j;
    char buf[160];

    fprintf(f,
            "<!DOCTYPE html>\n<html lang=\"%s\" dir=\"%s\">\n<head>\n"
            "<meta charset=\"utf-8\">\n"
            "<meta name=\"viewport\" content=\"width=device-width\">\n"
            "<meta http-equiv=\"Content-Security-Policy\" "
            "content=\"default-src 'none'; style-src 'unsafe-inline'; "
            "img-src data:\">\n<title>",
            stats_lang_tag(li), stats_lang_rtl(li) ? "rtl" : "ltr");
    stats_title(&o, p, li);
    stats_raw(&o, "</title>\n<style>\n"
                  "body{font-family:'DejaVu Sans','Noto Sans',Arial,sans-serif;"
                  "margin:2em auto;max-width:60em;color:#111;padding:0 1em}\n"
                  "table{border-collapse:collapse;margin:1em 0}\n"
                  "th,td{border:1px solid #999;padding:.25em .6em}\n"
                  "td{text-align:end;font-variant-numeric:tabular-nums}\n"
                  "tr.total td,tr.total th,td.total{font-weight:bold}\n"
                  "th{text-align:start;background:#eee}\n"
                  ".notes{font-size:.9em}\n"
                  "svg{max-width:100%;height:auto}\n"
                  "@media print{body{margin:0}svg{page-break-inside:avoid}}\n"
                  "</style>\n</head>\n<body>\n<h1>");
    stats_title(&o, p, li);
    stats_raw(&o, "</h1>\n<p>");
    stats_tpl(&o, stats_msg(li, STATS_M_RANGE), p->from, p->to, p->exported);
    stats_raw(&o, "</p>\n");
    if (p->nrows == 0) {
        /* nothing to chart or tabulate: no empty headings, the note says
         * why, then the source */
        stats_raw(&o, "<ul class=\"notes\">\n");
        stats_notes(&o, p, li, "<li>", "</li>\n");
        stats_raw(&o, "</ul>\n<p class=\"notes\">");
        stats_source(&o, p, li);
        stats_raw(&o, "</p>\n</body>\n</html>\n");
        return;
    }
    if (!stats_all_hidden(p)) {
        /* a chart of nothing but hidden figures shows nothing: the table
         * and the first note say it */
        stats_raw(&o, "<figure>\n");
        stats_svg_write(f, p, li, 1);
        stats_raw(&o, "</figure>\n");
    }
    stats_raw(&o, "<table>\n<thead><tr><th>");
    stats_put(&o, stats_msg(li, STATS_M_DIM0 + p->dims[0]));
    stats_raw(&o, "</th>");
    if (p->ndims == 2) {
        for (j = 0; j < p->ncols; j++) {
            stats_raw(&o, "<th>");
            stats_put(&o, stats_key_label(p, li, 1, p->colkeys[j]));
            stats_raw(&o, "</th>");
        }
        stats_raw(&o, "<th>");
        stats_put(&o, stats_msg(li, STATS_M_TOTAL));
        stats_raw(&o, "</th>");
    } else {
        stats_raw(&o, "<th>");
        stats_put(&o, stats_msg(li, STATS_M_REPORTS));
        stats_raw(&o, "</th>");
    }
    stats_raw(&o, "</tr></thead>\n<tbody>\n");
    for (i = 0; i <= p->nrows; i++) {
        stats_raw(&o, i == p->nrows ? "<tr class=\"total\"><th>" : "<tr><th>");
        stats_put(&o, i == p->nrows ? stats_msg(li, STATS_M_TOTAL)
                                    : stats_key_label(p, li, 0, p->rowkeys[i]));
        stats_raw(&o, "</th>");
        for (j = 0; j <= p->ncols; j++) {
            stats_cell_words(buf, sizeof buf, p, &p->grid[stats_at(p, i, j)],
                             li);
            stats_raw(&o, j == p->ncols && p->ncols ? "<td class=\"total\">"
                                                    : "<td>");
            stats_put(&o, buf);
            stats_raw(&o, "</td>");
        }
        stats_raw(&o, "</tr>\n");
    }
    stats_raw(&o, "</tbody>\n</table>\n<ul class=\"notes\">\n");
    stats_notes(&o, p, li, "<li>", "</li>\n");
    stats_raw(&o, "</ul>\n<p class=\"notes\">threshold ");
    fprintf(f, "%u, round %u, epsilon ", p->policy.threshold, p->policy.round);
    if (p->policy.eps_num)
        fprintf(f, "%" PRIu32 "/%" PRIu32, p->policy.eps_num,
                p->policy.eps_den);
    else
        stats_raw(&o, "none");
    stats_raw(&o, ", ");
    stats_put(&o, p->status ? p->status : "draft");
    stats_raw(&o, ".</p>\n</body>\n</html>\n");
}
