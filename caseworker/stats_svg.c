/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * stats_svg: the SVG writer (see stats_svg.h).
 */
#include "stats_svg.h"
#include "stats_catalogue.h"
#include "stats_text.h"
#include "umbra.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#define SVG_W 820
static const char *const COLOURS[] = {"#1b5e8c", "#c2571a", "#2e7d32",
                                      "#8e24aa", "#b71c1c", "#00838f",
                                      "#6d4c41", "#546e7a"};
#define NCOLOURS 8

/* x mirrored for right-to-left languages */
static int
mx(int rtl, int x)
{
    return rtl ? SVG_W - x : x;
}

static void
svg_text(struct stats_text *o, int rtl, int x, int y, const char *anchor,
         const char *extra, const char *s)
{
    /* with direction="rtl", "start" is the right end: x is mirrored and
     * the anchor kept */
    fprintf(o->f, "<text x=\"%d\" y=\"%d\" text-anchor=\"%s\"%s%s>", mx(rtl, x),
            y, anchor, extra ? " " : "", extra ? extra : "");
    stats_put(o, s);
    stats_raw(o, "</text>\n");
}

/* the largest shown value of a line of entries, for the scale */
static uint64_t
nice_max(uint64_t m)
{
    uint64_t s = 10;

    while (s < m)
        s = s * 2 < m ? s * 5 : s * 2;
    return s;
}

static void
svg_bars(struct stats_text *o, const struct stats_pub *p, int li, int rtl,
         int y0)
{
    /* one bar per row, its row total (the counts for one dimension) */
    size_t i;
    uint64_t m = 1;
    int lw = 250, bw = SVG_W - lw - 80, rh = 26;
    char buf[160];

    for (i = 0; i < p->nrows; i++) {
        const struct stats_cell *c = &p->grid[stats_at(p, i, p->ncols)];
        if (c->state == STATS_SHOWN && c->shown > m)
            m = c->shown;
    }
    m = nice_max(m);
    for (i = 0; i < p->nrows; i++) {
        const struct stats_cell *c = &p->grid[stats_at(p, i, p->ncols)];
        int y = y0 + (int)i * rh;
        int w;

        svg_text(o, rtl, lw - 8, y + 17, "end", NULL,
                 stats_key_label(p, li, 0, p->rowkeys[i]));
        stats_cell_words(buf, sizeof buf, p, c, li);
        if (c->state == STATS_SHOWN) {
            w = (int)((uint64_t)bw * c->shown / m);
            fprintf(o->f,
                    "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" "
                    "fill=\"%s\"/>\n",
                    rtl ? mx(rtl, lw) - w : lw, y + 4, w, rh - 8, COLOURS[0]);
        } else {
            w = 0;
            fprintf(o->f,
                    "<rect x=\"%d\" y=\"%d\" width=\"24\" height=\"%d\" "
                    "fill=\"none\" stroke=\"#888\" stroke-dasharray=\"3 2\"/>"
                    "\n",
                    rtl ? mx(rtl, lw) - 24 : lw, y + 4, rh - 8);
            w = 24;
        }
        svg_text(o, rtl, lw + w + 6, y + 17, "start", NULL, buf);
    }
}

/* The x of period t of np between x0 and x1. */
static int
period_x(size_t t, size_t np, int x0, int x1)
{
    return np > 1 ? x0 + 10 + (int)(t * (size_t)(x1 - x0 - 20) / (np - 1))
                  : (x0 + x1) / 2;
}

/* The cell of period t in series `series` (pk: the dimension of the
 * periods, 0 rows or 1 columns; one dimension: the period totals). */
static const struct stats_cell *
line_cell(const struct stats_pub *p, int pk, size_t series, size_t t)
{
    return p->ndims == 1 ? &p->grid[stats_at(p, t, 0)]
           : pk == 0     ? &p->grid[stats_at(p, t, series)]
                         : &p->grid[stats_at(p, series, t)];
}

static void
svg_lines(struct stats_text *o, const struct stats_pub *p, int li, int rtl,
          int y0, int h)
{
    /* x: periods; one line per series (the other dimension), or the
     * period totals when the table has one dimension */
    int pk = p->dims[0] == STATS_DIM_PERIOD ? 0 : 1;
    size_t np = pk == 0 ? p->nrows : p->ncols;
    size_t ns = p->ndims == 2 ? (pk == 0 ? p->ncols : p->nrows) : 1;
    size_t s, t, drawn = 0;
    size_t order[NCOLOURS];
    uint64_t m = 1;
    int x0 = 70, x1 = SVG_W - 200, gh = h - 60;
    char buf[32];

    /* the series with the largest shown totals, at most NCOLOURS */
    for (s = 0; s < ns && drawn < NCOLOURS; s++) {
        size_t best = SIZE_MAX;
        uint64_t bv = 0;
        size_t c;

        for (c = 0; c < ns; c++) {
            const struct stats_cell *tc =
                p->ndims == 1 ? &p->grid[stats_at(p, p->nrows, 0)]
                : pk == 0     ? &p->grid[stats_at(p, p->nrows, c)]
                              : &p->grid[stats_at(p, c, p->ncols)];
            uint64_t v = tc->state == STATS_SHOWN ? tc->shown + 1 : 1;
            size_t q;
            int used = 0;

            for (q = 0; q < drawn; q++)
                used |= order[q] == c;
            if (!used && (best == SIZE_MAX || v > bv)) {
                best = c;
                bv = v;
            }
        }
        order[drawn++] = best;
    }
    for (s = 0; s < drawn; s++)
        for (t = 0; t < np; t++) {
            const struct stats_cell *c =
                p->ndims == 1 ? &p->grid[stats_at(p, t, 0)]
                : pk == 0     ? &p->grid[stats_at(p, t, order[s])]
                              : &p->grid[stats_at(p, order[s], t)];
            if (c->state == STATS_SHOWN && c->shown > m)
                m = c->shown;
        }
    m = nice_max(m);
    /* axes and scale */
    fprintf(o->f,
            "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#333\"/>\n"
            "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#333\"/>\n",
            mx(rtl, x0), y0, mx(rtl, x0), y0 + gh, mx(rtl, x0), y0 + gh,
            mx(rtl, x1), y0 + gh);
    for (t = 0; t <= 5; t++) {
        int y = y0 + gh - (int)(t * (size_t)gh / 5);
        snprintf(buf, sizeof buf, "%" PRIu64, m * t / 5);
        svg_text(o, rtl, x0 - 6, y + 4, "end", NULL, buf);
        fprintf(o->f,
                "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" "
                "stroke=\"#ddd\"/>\n",
                mx(rtl, x0), y, mx(rtl, x1), y);
    }
    for (t = 0; t < np; t++) {
        int x = period_x(t, np, x0, x1);

        if (np <= 12 || t % ((np + 11) / 12) == 0)
            svg_text(o, rtl, x, y0 + gh + 18, "middle", "font-size=\"11\"",
                     pk == 0 ? p->rowkeys[t] : p->colkeys[t]);
    }
    for (s = 0; s < drawn; s++) {
        int pen = 0;
        const char *col = COLOURS[s % NCOLOURS];

        fprintf(o->f,
                "<path fill=\"none\" stroke=\"%s\" stroke-width=\"2\" "
                "d=\"",
                col);
        for (t = 0; t < np; t++) {
            const struct stats_cell *c = line_cell(p, pk, order[s], t);
            int x = period_x(t, np, x0, x1);

            if (c->state != STATS_SHOWN) {
                pen = 0; /* a gap where the figure is hidden */
                continue;
            }
            fprintf(o->f, "%c%d %d ", pen ? 'L' : 'M', mx(rtl, x),
                    y0 + gh - (int)((uint64_t)gh * c->shown / m));
            pen = 1;
        }
        stats_raw(o, "\"/>\n");
        for (t = 0; t < np; t++) {
            const struct stats_cell *c = line_cell(p, pk, order[s], t);
            int x = period_x(t, np, x0, x1);

            if (c->state == STATS_SHOWN)
                fprintf(o->f,
                        "<circle cx=\"%d\" cy=\"%d\" r=\"3\" fill=\"%s\"/>\n",
                        mx(rtl, x),
                        y0 + gh - (int)((uint64_t)gh * c->shown / m), col);
            else
                fprintf(o->f,
                        "<circle cx=\"%d\" cy=\"%d\" r=\"3\" fill=\"#fff\" "
                        "stroke=\"%s\"/>\n",
                        mx(rtl, x), y0 + gh, col);
        }
        /* legend */
        if (p->ndims == 2) {
            const char *key =
                pk == 0 ? p->colkeys[order[s]] : p->rowkeys[order[s]];
            int ly = y0 + 10 + (int)s * 20;
            fprintf(o->f,
                    "<rect x=\"%d\" y=\"%d\" width=\"12\" height=\"12\" "
                    "fill=\"%s\"/>\n",
                    rtl ? mx(rtl, x1 + 20) - 12 : x1 + 20, ly - 10, col);
            svg_text(o, rtl, x1 + 38, ly, "start", "font-size=\"12\"",
                     stats_key_label(p, li, pk == 0 ? 1 : 0, key));
        }
    }
    if (drawn < ns)
        svg_text(o, rtl, x0, y0 + gh + 40, "start", "font-size=\"11\"",
                 stats_msg(li, STATS_M_SHOWN_TOP));
}

/* The notes under a chart, one a line, the source last: it travels with
 * the picture when the picture is copied alone (the full list of notes is
 * in the HTML). malloc'd; NULL if out of memory. */
static char *
svg_notes(const struct stats_pub *p, int li)
{
    struct stats_cell small = {.state = STATS_SMALL};
    char a[160], *buf = NULL;
    size_t len = 0;
    FILE *mf = open_memstream(&buf, &len);
    struct stats_text m = {mf, 0, 1};

    if (mf == NULL)
        return NULL;
    if (p->nrows == 0 || stats_all_hidden(p)) {
        stats_tpl(&m, stats_msg(li, p->nrows ? STATS_M_ALL_HIDDEN
                                             : STATS_M_NONE),
                  NULL, NULL, NULL);
        stats_raw(&m, "\n");
    }
    stats_cell_words(a, sizeof a, p, &small, li);
    stats_tpl(&m, stats_msg(li, STATS_M_SMALL_WORDS), a, NULL, NULL);
    stats_raw(&m, "\n");
    stats_tpl(&m, stats_msg(li, STATS_M_HIDDEN), "x", NULL, NULL);
    stats_raw(&m, "\n");
    stats_tpl(&m, stats_msg(li, STATS_M_COUNTS), NULL, NULL, NULL);
    stats_raw(&m, "\n");
    stats_source(&m, p, li);
    fclose(mf);
    return buf;
}

/* How wide a character is in a note, in units of about 6 pixels at
 * font-size 10: CJK and fullwidth 2, combining marks 0, others 1. */
static size_t
note_units(uint32_t cp)
{
    if ((cp >= 0x0300 && cp <= 0x036F) || (cp >= 0x064B && cp <= 0x065F) ||
        cp == 0x0E31 || (cp >= 0x0E34 && cp <= 0x0E3A) ||
        (cp >= 0x0E47 && cp <= 0x0E4E))
        return 0;
    return cp >= 0x2E80 ? 2 : 1;
}

#define NOTE_UNITS 125 /* a note line's width: 780 of the 820 pixels */

/*
 * Draws notes (lines separated by '\n') from y down, 16 pixels a line,
 * each wrapped to NOTE_UNITS at a space when it can, else between two
 * characters; with o NULL only counts. Returns the number of lines.
 */
static int
draw_notes(struct stats_text *o, int rtl, const char *notes, int y)
{
    const unsigned char *s = (const unsigned char *)notes;
    char seg[1024];
    int n = 0;

    while (s != NULL && *s) {
        size_t len = strcspn((const char *)s, "\n");
        size_t at = 0, units = 0, space = 0, cut;

        /* one segment: as many characters as fit, cut at the last space */
        while (at < len) {
            uint32_t cp = 0;
            size_t k = umbra_utf8_decode(&cp, s + at, len - at);

            if (k == 0)
                k = 1;
            if (units + note_units(cp) > NOTE_UNITS || at + k >= sizeof seg)
                break;
            units += note_units(cp);
            at += k;
            if (cp == ' ')
                space = at;
        }
        cut = at < len && space > 0 ? space : at;
        if (cut == 0)
            cut = len < sizeof seg ? len : sizeof seg - 1;
        memcpy(seg, s, cut);
        seg[cut] = '\0';
        if (o != NULL)
            svg_text(o, rtl, 20, y + 16 * n, "start", "font-size=\"10\"",
                     seg);
        n++;
        s += cut;
        while (*s == ' ')
            s++;
        if (*s == '\n')
            s++;
    }
    return n;
}

void
stats_svg_write(FILE *f, const struct stats_pub *p, int li, int inline_)
{
    struct stats_text o = {f, 1, 1};
    int rtl = stats_lang_rtl(li);
    int line = p->dims[0] == STATS_DIM_PERIOD ||
               (p->ndims == 2 && p->dims[1] == STATS_DIM_PERIOD);
    int body = line ? 360 : (int)p->nrows * 26 + 10;
    char *notes = svg_notes(p, li);
    int h = 70 + body + 30 + 16 * draw_notes(NULL, rtl, notes, 0) + 20;
    char range[300];

    if (!inline_)
        stats_raw(&o, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    fprintf(f,
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" "
            "height=\"%d\" viewBox=\"0 0 %d %d\" font-family=\"DejaVu Sans, "
            "Noto Sans, Arial, sans-serif\" font-size=\"13\"%s role=\"img\">\n",
            SVG_W, h, SVG_W, h, rtl ? " direction=\"rtl\"" : "");
    stats_raw(&o, "<title>");
    stats_title(&o, p, li);
    stats_raw(&o, "</title>\n");
    fprintf(f, "<rect width=\"%d\" height=\"%d\" fill=\"#fff\"/>\n", SVG_W, h);
    {
        /* title and range as one text each */
        FILE *mf;
        char *buf = NULL;
        size_t len = 0;

        mf = open_memstream(&buf, &len);
        if (mf != NULL) {
            struct stats_text m = {mf, 0, 0};
            stats_title(&m, p, li);
            fclose(mf);
            svg_text(&o, rtl, 20, 30, "start",
                     "font-size=\"18\" font-weight=\"bold\"", buf ? buf : "");
            free(buf);
        }
        buf = NULL;
        mf = open_memstream(&buf, &len);
        if (mf != NULL) {
            struct stats_text m = {mf, 0, 0};
            stats_tpl(&m, stats_msg(li, STATS_M_RANGE), p->from, p->to,
                      p->exported);
            fclose(mf);
            snprintf(range, sizeof range, "%s", buf ? buf : "");
            free(buf);
            svg_text(&o, rtl, 20, 52, "start", "font-size=\"12\"", range);
        }
    }
    if (line)
        svg_lines(&o, p, li, rtl, 70, body);
    else
        svg_bars(&o, p, li, rtl, 70);
    if (notes != NULL)
        draw_notes(&o, rtl, notes, 70 + body + 30);
    free(notes);
    stats_raw(&o, "</svg>\n");
}
