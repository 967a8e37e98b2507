/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * stats_text: the helpers the statistics writers share (see stats_text.h).
 */
#include "stats_text.h"
#include "stats_catalogue.h"

#include <inttypes.h>
#include <string.h>

/* The characters HTML and SVG text escape, and their entities. */
static const char ESC_CHARS[] = "<>&\"'";
static const char *const ESC_ENTITIES[] = {"&lt;", "&gt;", "&amp;", "&quot;",
                                           "&#39;"};

void
stats_put(struct stats_text *o, const char *s)
{
    const char *e;

    if (!o->esc) {
        fputs(s, o->f);
        return;
    }
    for (; *s; s++) {
        e = strchr(ESC_CHARS, *s); /* never the final NUL: *s != 0 */
        if (e != NULL)
            fputs(ESC_ENTITIES[e - ESC_CHARS], o->f);
        else
            fputc(*s, o->f);
    }
}

void
stats_raw(struct stats_text *o, const char *s)
{
    fputs(s, o->f);
}

/* A catalogue template with {1}, {2}, {3} replaced (escaped as o says). */
void
stats_tpl(struct stats_text *o, const char *t, const char *a, const char *b,
          const char *c)
{
    const char *p;

    for (p = t; *p; p++) {
        if (p[0] == '{' && p[1] >= '1' && p[1] <= '3' && p[2] == '}') {
            const char *v = p[1] == '1' ? a : p[1] == '2' ? b : c;
            stats_put(o, v ? v : "");
            p += 2;
        } else {
            char ch[2] = {*p, 0};
            stats_put(o, ch);
        }
    }
}

void
stats_cell_text(char *buf, size_t cap, const struct stats_pub *p,
                const struct stats_cell *c)
{
    if (c->state == STATS_SHOWN)
        snprintf(buf, cap, "%" PRIu64, c->shown);
    else if (c->state == STATS_SMALL)
        snprintf(buf, cap, "<%u", p->policy.threshold);
    else
        snprintf(buf, cap, "x");
}

void
stats_cell_words(char *buf, size_t cap, const struct stats_pub *p,
                 const struct stats_cell *c, int li)
{
    char t[16];
    FILE *f;

    if (c->state != STATS_SMALL || cap == 0) {
        stats_cell_text(buf, cap, p, c);
        return;
    }
    snprintf(t, sizeof t, "%u", p->policy.threshold);
    buf[0] = '\0';
    f = fmemopen(buf, cap, "w");
    if (f != NULL) {
        struct stats_text m = {f, 0, 0};

        stats_tpl(&m, stats_msg(li, STATS_M_FEWER), t, NULL, NULL);
        fputc('\0', f);
        fclose(f);
    }
    buf[cap - 1] = '\0';
}

int
stats_all_hidden(const struct stats_pub *p)
{
    size_t i, j, nc = p->ncols ? p->ncols : 1;

    if (p->nrows == 0)
        return 0;
    for (i = 0; i < p->nrows; i++)
        for (j = 0; j < nc; j++)
            if (p->grid[stats_at(p, i, j)].state == STATS_SHOWN)
                return 0;
    return 1;
}

void
stats_source(struct stats_text *o, const struct stats_pub *p, int li)
{
    stats_tpl(o, stats_msg(li, STATS_M_SOURCE), p->from, p->to, p->exported);
}

void
stats_title(struct stats_text *o, const struct stats_pub *p, int li)
{
    char dims[200];

    if (p->ndims == 2)
        snprintf(dims, sizeof dims, "%s%s%s",
                 stats_msg(li, STATS_M_DIM0 + p->dims[0]),
                 stats_msg(li, STATS_M_AND),
                 stats_msg(li, STATS_M_DIM0 + p->dims[1]));
    else
        snprintf(dims, sizeof dims, "%s",
                 stats_msg(li, STATS_M_DIM0 + p->dims[0]));
    stats_tpl(o, stats_msg(li, STATS_M_TITLE), dims, NULL, NULL);
}

/* The honest-reading notes, one per call of line(). */
void
stats_notes(struct stats_text *o, const struct stats_pub *p, int li,
            const char *before, const char *after)
{
    char a[160], b[32];

    if (p->nrows == 0 || stats_all_hidden(p)) {
        stats_raw(o, before);
        stats_tpl(o, stats_msg(li, p->nrows ? STATS_M_ALL_HIDDEN
                                            : STATS_M_NONE),
                  NULL, NULL, NULL);
        stats_raw(o, after);
    }
    stats_raw(o, before);
    stats_tpl(o, stats_msg(li, STATS_M_COUNTS), NULL, NULL, NULL);
    stats_raw(o, after);
    snprintf(b, sizeof b, "%u", p->policy.threshold);
    stats_raw(o, before);
    if (o->words) {
        struct stats_cell small = {.state = STATS_SMALL};

        stats_cell_words(a, sizeof a, p, &small, li);
        stats_tpl(o, stats_msg(li, STATS_M_SMALL_WORDS), a, NULL, NULL);
    } else {
        snprintf(a, sizeof a, "<%u", p->policy.threshold);
        stats_tpl(o, stats_msg(li, STATS_M_SMALL), a, b, NULL);
    }
    stats_raw(o, after);
    stats_raw(o, before);
    /* in a merged table "x" may hide a small sum: said so */
    stats_tpl(o, stats_msg(li, p->merged ? STATS_M_MERGE_X : STATS_M_HIDDEN),
              "x", NULL, NULL);
    stats_raw(o, after);
    if (p->policy.round > 1) {
        snprintf(a, sizeof a, "%u", p->policy.round);
        stats_raw(o, before);
        stats_tpl(o, stats_msg(li, STATS_M_ROUND), a, NULL, NULL);
        stats_raw(o, after);
    }
    if (p->multi) {
        stats_raw(o, before);
        stats_tpl(o, stats_msg(li, STATS_M_MULTI), NULL, NULL, NULL);
        stats_raw(o, after);
    }
    if (p->policy.eps_num) {
        snprintf(a, sizeof a, "%" PRIu32 "/%" PRIu32, p->policy.eps_num,
                 p->policy.eps_den);
        stats_raw(o, before);
        stats_tpl(o, stats_msg(li, STATS_M_NOISE), a, NULL, NULL);
        stats_raw(o, after);
    }
    if (p->merged) {
        snprintf(a, sizeof a, "%u", p->merged);
        stats_raw(o, before);
        stats_tpl(o, stats_msg(li, STATS_M_MERGED), a, NULL, NULL);
        stats_raw(o, after);
    }
    if (p->status != NULL && strcmp(p->status, "draft") == 0) {
        stats_raw(o, before);
        stats_tpl(o, stats_msg(li, STATS_M_DRAFT), NULL, NULL, NULL);
        stats_raw(o, after);
    }
}

const char *
stats_key_label(const struct stats_pub *p, int li, int k, const char *key)
{
    if (p->dims[k] == STATS_DIM_PERIOD || p->dims[k] == STATS_DIM_LANG ||
        (p->dims[k] == STATS_DIM_REGION && strcmp(key, "other") &&
         strcmp(key, "unknown")))
        return key;
    return stats_label(li, key);
}
