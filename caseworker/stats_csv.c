/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * stats_csv: the CSV writer (see stats_csv.h).
 */
#include "stats_csv.h"
#include "stats_catalogue.h"
#include "stats_text.h"

#include <inttypes.h>
#include <string.h>

static void
csv_field(FILE *f, const char *s)
{
    const char *p;

    /* keys are checked on the way in; quote anyway when needed and keep a
     * spreadsheet from reading a formula */
    if (strpbrk(s, ",\"\n\r") == NULL && strchr("=+-@", s[0]) == NULL) {
        fputs(s, f);
        return;
    }
    fputc('"', f);
    if (strchr("=+-@", s[0]) != NULL && s[0] != '\0')
        fputc('\'', f);
    for (p = s; *p; p++) {
        if (*p == '"')
            fputc('"', f);
        fputc(*p, f);
    }
    fputc('"', f);
}

void
stats_csv_write(FILE *f, const struct stats_pub *p, int li)
{
    struct stats_text o = {f, 0, 0};
    size_t i, j;
    char buf[32];

    stats_raw(&o, "# ");
    stats_title(&o, p, li);
    stats_raw(&o, "\n");
    fprintf(f,
            "# dims=%s%s%s; period=%s; from=%s; to=%s; exported=%s; "
            "threshold=%u; round=%u; epsilon=",
            stats_dim_name(p->dims[0]), p->ndims == 2 ? "," : "",
            p->ndims == 2 ? stats_dim_name(p->dims[1]) : "",
            stats_period_name(p->period), p->from, p->to, p->exported,
            p->policy.threshold, p->policy.round);
    if (p->policy.eps_num)
        fprintf(f, "%" PRIu32 "/%" PRIu32, p->policy.eps_num,
                p->policy.eps_den);
    else
        fputs("none", f);
    fprintf(f, "; status=%s", p->status ? p->status : "draft");
    if (p->protection)
        fprintf(f, "; protection=%u; audit_hidden=%zu", p->protection,
                p->audit_hidden);
    fputc('\n', f);
    if (p->audit_hidden) {
        fputs("# hidden by the audit (x):", f);
        for (i = 0; i < (p->nrows + 1) * (p->ncols + 1); i++)
            if (p->grid[i].audit)
                fprintf(f, " %s/%s",
                        i / (p->ncols + 1) < p->nrows
                            ? p->rowkeys[i / (p->ncols + 1)]
                            : "total",
                        p->ndims == 2 ? (i % (p->ncols + 1) < p->ncols
                                             ? p->colkeys[i % (p->ncols + 1)]
                                             : "total")
                                      : "-");
        fputc('\n', f);
    }
    stats_notes(&o, p, li, "# ", "\n");
    csv_field(f, stats_dim_name(p->dims[0]));
    if (p->ndims == 2) {
        for (j = 0; j < p->ncols; j++) {
            fputc(',', f);
            csv_field(f, p->colkeys[j]);
        }
        fputs(",total\n", f);
    } else {
        fputs(",reports\n", f);
    }
    for (i = 0; i <= p->nrows; i++) {
        csv_field(f, i < p->nrows ? p->rowkeys[i] : "total");
        for (j = 0; j <= p->ncols; j++) {
            stats_cell_text(buf, sizeof buf, p, &p->grid[stats_at(p, i, j)]);
            fputc(',', f);
            fputs(buf, f);
        }
        fputc('\n', f);
    }
}
