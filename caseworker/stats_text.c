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
    char a[32], b[32];

    stats_raw(o, before);
    stats_tpl(o, stats_msg(li, STATS_M_COUNTS), NULL, NULL, NULL);
    stats_raw(o, after);
    snprintf(a, sizeof a, "<%u", p->policy.threshold);
    snprintf(b, sizeof b, "%u", p->policy.threshold);
    stats_raw(o, before);
    stats_tpl(o, stats_msg(li, STATS_M_SMALL), a, b, NULL);
    stats_raw(o, after);
    stats_raw(o, before);
    stats_tpl(o, stats_msg(li, STATS_M_HIDDEN), "x", NULL, NULL);
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
