/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * stats_json: the JSON export, written and read back (see stats_json.h).
 */
#include "stats_json.h"
#include "encode.h"
#include "stats_catalogue.h"
#include "stats_text.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

static json_t *
cell_json(const struct stats_pub *p, const struct stats_cell *c)
{
    char buf[32];

    if (c->state == STATS_SHOWN)
        return json_integer((json_int_t)c->shown);
    stats_cell_text(buf, sizeof buf, p, c);
    return json_string(buf);
}

static json_t *
keys_json(char (*k)[STATS_KEY_MAX], size_t n)
{
    json_t *a = json_array();
    size_t i;

    for (i = 0; a != NULL && i < n; i++)
        json_array_append_new(a, json_string(k[i]));
    return a;
}

static json_t *
pub_json(const struct stats_pub *p, int li)
{
    json_t *j = NULL, *dims, *notes_a, *pol, *a;
    size_t i, k;
    char eps[32];
    FILE *mf;
    char *nbuf = NULL;
    size_t nlen = 0;

    j = json_object();
    if (j == NULL)
        return NULL;
    dims = json_array();
    json_array_append_new(dims, json_string(stats_dim_name(p->dims[0])));
    if (p->ndims == 2)
        json_array_append_new(dims, json_string(stats_dim_name(p->dims[1])));
    json_object_set_new(j, "schema", json_string("umbra.stats/1"));
    json_object_set_new(j, "counts", json_string("reports received"));
    /* the notes, one string each, from the text writer */
    notes_a = json_array();
    mf = open_memstream(&nbuf, &nlen);
    if (mf != NULL) {
        struct stats_text o = {mf, 0, 0};
        char *line, *save = NULL;

        stats_notes(&o, p, li, "", "\n");
        fclose(mf);
        for (line = strtok_r(nbuf, "\n", &save); line != NULL;
             line = strtok_r(NULL, "\n", &save))
            json_array_append_new(notes_a, json_string(line));
        free(nbuf);
    }
    json_object_set_new(j, "notes", notes_a);
    json_object_set_new(j, "dims", dims);
    json_object_set_new(j, "period", json_string(stats_period_name(p->period)));
    json_object_set_new(j, "from", json_string(p->from));
    json_object_set_new(j, "to", json_string(p->to));
    json_object_set_new(j, "exported", json_string(p->exported));
    pol = json_object();
    json_object_set_new(pol, "threshold", json_integer(p->policy.threshold));
    json_object_set_new(pol, "round", json_integer(p->policy.round));
    if (p->policy.eps_num) {
        snprintf(eps, sizeof eps, "%" PRIu32 "/%" PRIu32, p->policy.eps_num,
                 p->policy.eps_den);
        json_object_set_new(pol, "epsilon", json_string(eps));
        json_object_set_new(pol, "noise", json_string("discrete-laplace"));
        json_object_set_new(pol, "sensitivity", json_integer(p->sensitivity));
    } else {
        json_object_set_new(pol, "epsilon", json_null());
        json_object_set_new(pol, "noise", json_string("none"));
    }
    json_object_set_new(pol, "secondary_suppression", json_true());
    if (p->protection) {
        json_t *ah = json_array();

        json_object_set_new(pol, "protection", json_integer(p->protection));
        for (i = 0; ah != NULL && i < (p->nrows + 1) * (p->ncols + 1); i++) {
            size_t r = i / (p->ncols + 1), c = i % (p->ncols + 1);

            if (!p->grid[i].audit)
                continue;
            a = json_array();
            json_array_append_new(
                a, json_string(r < p->nrows ? p->rowkeys[r] : "total"));
            if (p->ndims == 2)
                json_array_append_new(
                    a, json_string(c < p->ncols ? p->colkeys[c] : "total"));
            json_array_append_new(ah, a);
        }
        json_object_set_new(pol, "audit_hidden", ah);
    }
    json_object_set_new(pol, "totals", json_string("rounded separately"));
    json_object_set_new(j, "policy", pol);
    json_object_set_new(j, "multi_valued", json_boolean(p->multi));
    json_object_set_new(j, "status",
                        json_string(p->status ? p->status : "draft"));
    if (p->merged)
        json_object_set_new(j, "merged_from", json_integer(p->merged));
    json_object_set_new(j, "rows", keys_json(p->rowkeys, p->nrows));
    if (p->ndims == 2) {
        json_t *cells = json_array(), *rt = json_array(), *ct = json_array();

        json_object_set_new(j, "columns", keys_json(p->colkeys, p->ncols));
        for (i = 0; i < p->nrows; i++) {
            a = json_array();
            for (k = 0; k < p->ncols; k++)
                json_array_append_new(
                    a, cell_json(p, &p->grid[stats_at(p, i, k)]));
            json_array_append_new(cells, a);
            json_array_append_new(
                rt, cell_json(p, &p->grid[stats_at(p, i, p->ncols)]));
        }
        for (k = 0; k < p->ncols; k++)
            json_array_append_new(
                ct, cell_json(p, &p->grid[stats_at(p, p->nrows, k)]));
        json_object_set_new(j, "cells", cells);
        json_object_set_new(j, "row_totals", rt);
        json_object_set_new(j, "column_totals", ct);
    } else {
        a = json_array();
        for (i = 0; i < p->nrows; i++)
            json_array_append_new(a, cell_json(p, &p->grid[stats_at(p, i, 0)]));
        json_object_set_new(j, "values", a);
    }
    json_object_set_new(
        j, "total", cell_json(p, &p->grid[stats_at(p, p->nrows, p->ncols)]));
    return j;
}

char *
stats_json(const struct stats_pub *p)
{
    json_t *j = pub_json(p, STATS_L_EN);
    char *s;

    if (j == NULL)
        return NULL;
    s = json_dumps(j, JSON_INDENT(1) | JSON_PRESERVE_ORDER);
    json_decref(j);
    return s;
}

/* ---- reading an export back ------------------------------------------ */

static int
cell_parse(struct stats_cell *c, json_t *v, unsigned threshold)
{
    char want[32];

    memset(c, 0, sizeof *c);
    if (json_is_integer(v) && json_integer_value(v) >= 0 &&
        json_integer_value(v) < ((json_int_t)1 << 50)) {
        c->state = STATS_SHOWN;
        c->v = c->shown = (uint64_t)json_integer_value(v);
        return 0;
    }
    if (!json_is_string(v))
        return -1;
    snprintf(want, sizeof want, "<%u", threshold);
    if (strcmp(json_string_value(v), want) == 0) {
        c->state = STATS_SMALL;
        return 0;
    }
    if (strcmp(json_string_value(v), "x") == 0) {
        c->state = STATS_HIDDEN;
        return 0;
    }
    return -1;
}

static int
keys_parse(char (*out)[STATS_KEY_MAX], json_t *a, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++) {
        json_t *v = json_array_get(a, i);
        const char *s;
        size_t k;

        if (!json_is_string(v))
            return -1;
        s = json_string_value(v);
        if (strlen(s) == 0 || strlen(s) >= STATS_KEY_MAX)
            return -1;
        for (k = 0; s[k]; k++)
            if ((unsigned char)s[k] < 0x20 || strchr("<>&\"", s[k]) != NULL)
                return -1;
        memcpy(out[i], s, strlen(s) + 1);
    }
    return 0;
}

int
stats_parse(struct stats_pub *p, const char *json, size_t len, char *err,
            size_t cap)
{
    json_t *j = NULL, *dims, *rows, *cols = NULL, *pol, *t;
    json_error_t je;
    const char *per, *from, *to, *exp_ = "";
    size_t nrows, ncols = 0, i, k;
    json_int_t th, ro;
    int d, rc = -1;

    memset(p, 0, sizeof *p);
    j = json_loadb(json, len, JSON_REJECT_DUPLICATES, &je);
    if (j == NULL) {
        snprintf(err, cap, "not JSON: %s (line %d)", je.text, je.line);
        return -1;
    }
    t = json_object_get(j, "schema");
    if (!json_is_string(t) || strcmp(json_string_value(t), "umbra.stats/1")) {
        snprintf(err, cap, "not an umbra.stats/1 export");
        goto out;
    }
    if (json_unpack(j, "{s:o, s:s, s:s, s:s, s:o, s:o}", "dims", &dims,
                    "period", &per, "from", &from, "to", &to, "policy", &pol,
                    "rows", &rows) != 0 ||
        !json_is_array(dims) || !json_is_array(rows) ||
        json_unpack(pol, "{s:I, s:I}", "threshold", &th, "round", &ro) != 0) {
        snprintf(err, cap, "missing dims, period, from, to, policy or rows");
        goto out;
    }
    t = json_object_get(j, "exported");
    if (json_is_string(t) &&
        umbra_date_valid(json_string_value(t), strlen(json_string_value(t))))
        exp_ = json_string_value(t);
    p->ndims = (int)json_array_size(dims);
    if (p->ndims < 1 || p->ndims > 2) {
        snprintf(err, cap, "one or two dims");
        goto out;
    }
    for (k = 0; k < (size_t)p->ndims; k++) {
        t = json_array_get(dims, k);
        for (d = 0; d < STATS_NDIMS; d++)
            if (json_is_string(t) && !strcmp(json_string_value(t),
                                             stats_dim_name((enum stats_dim)d)))
                break;
        if (d == STATS_NDIMS) {
            snprintf(err, cap, "unknown dimension");
            goto out;
        }
        p->dims[k] = (enum stats_dim)d;
    }
    if (!strcmp(per, "month"))
        p->period = STATS_MONTH;
    else if (!strcmp(per, "quarter"))
        p->period = STATS_QUARTER;
    else if (!strcmp(per, "year"))
        p->period = STATS_YEAR;
    else {
        snprintf(err, cap, "bad period");
        goto out;
    }
    if (!umbra_date_valid(from, strlen(from)) ||
        !umbra_date_valid(to, strlen(to)) || th < 1 ||
        th > STATS_THRESHOLD_MAX || ro < 1 || ro > STATS_ROUND_MAX) {
        snprintf(err, cap, "bad dates or policy");
        goto out;
    }
    memcpy(p->from, from, 11);
    memcpy(p->to, to, 11);
    snprintf(p->exported, sizeof p->exported, "%s", exp_);
    p->policy.threshold = (unsigned)th;
    p->policy.round = (unsigned)ro;
    t = json_object_get(pol, "epsilon");
    if (json_is_string(t)) {
        unsigned long en, ed;
        char tail;
        if (sscanf(json_string_value(t), "%lu/%lu%c", &en, &ed, &tail) != 2 ||
            en == 0 || ed == 0 || en > 0xffffffffu || ed > 0xffffffffu) {
            snprintf(err, cap, "bad epsilon");
            goto out;
        }
        p->policy.eps_num = (uint32_t)en;
        p->policy.eps_den = (uint32_t)ed;
    }
    p->multi = json_is_true(json_object_get(j, "multi_valued"));
    nrows = json_array_size(rows);
    if (p->ndims == 2) {
        cols = json_object_get(j, "columns");
        if (!json_is_array(cols)) {
            snprintf(err, cap, "missing columns");
            goto out;
        }
        ncols = json_array_size(cols);
        if (ncols == 0) {
            snprintf(err, cap, "no columns");
            goto out;
        }
    }
    if (stats_pub_alloc(p, nrows, ncols) != 0) {
        snprintf(err, cap, "bad number of rows or columns");
        goto out;
    }
    if (keys_parse(p->rowkeys, rows, nrows) != 0 ||
        (cols != NULL && keys_parse(p->colkeys, cols, ncols) != 0)) {
        snprintf(err, cap, "bad row or column name");
        goto fail;
    }
    if (p->ndims == 2) {
        json_t *cells = json_object_get(j, "cells");
        json_t *rt = json_object_get(j, "row_totals");
        json_t *ct = json_object_get(j, "column_totals");

        if (json_array_size(cells) != nrows || json_array_size(rt) != nrows ||
            json_array_size(ct) != ncols)
            goto shape;
        for (i = 0; i < nrows; i++) {
            json_t *row = json_array_get(cells, i);
            if (json_array_size(row) != ncols)
                goto shape;
            for (k = 0; k < ncols; k++)
                if (cell_parse(&p->grid[stats_at(p, i, k)],
                               json_array_get(row, k), p->policy.threshold))
                    goto shape;
            if (cell_parse(&p->grid[stats_at(p, i, ncols)],
                           json_array_get(rt, i), p->policy.threshold))
                goto shape;
        }
        for (k = 0; k < ncols; k++)
            if (cell_parse(&p->grid[stats_at(p, nrows, k)],
                           json_array_get(ct, k), p->policy.threshold))
                goto shape;
    } else {
        json_t *vals = json_object_get(j, "values");

        if (json_array_size(vals) != nrows)
            goto shape;
        for (i = 0; i < nrows; i++)
            if (cell_parse(&p->grid[stats_at(p, i, 0)], json_array_get(vals, i),
                           p->policy.threshold))
                goto shape;
    }
    if (cell_parse(&p->grid[stats_at(p, nrows, ncols)],
                   json_object_get(j, "total"), p->policy.threshold))
        goto shape;
    t = json_object_get(j, "status");
    /* a draft stays a draft: what was never published cannot become so
     * by being read back (stats merge, the ledger) */
    p->status = json_is_string(t) && !strcmp(json_string_value(t), "draft")
                    ? "draft"
                    : "published";
    rc = 0;
    goto out;
shape:
    snprintf(err, cap,
             "cells do not match rows and columns, or a cell is "
             "neither a count, \"<threshold\" nor \"x\"");
fail:
    stats_pub_release(p);
out:
    json_decref(j);
    return rc;
}

int
stats_json_write(FILE *f, const struct stats_pub *p, int li)
{
    json_t *j = pub_json(p, li);

    if (j == NULL ||
        json_dumpf(j, f, JSON_INDENT(1) | JSON_PRESERVE_ORDER) != 0) {
        json_decref(j);
        return -1;
    }
    json_decref(j);
    fputc('\n', f);
    return 0;
}
