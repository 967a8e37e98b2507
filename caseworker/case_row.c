/* SPDX-License-Identifier: AGPL-3.0-or-later */
/* case_row: a case row as list and show give it (see case_row.h). */
#include "case_row.h"
#include "facts.h"
#include "store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void
case_row_categories(char *out, size_t cap, uint32_t bits)
{
    size_t n = 0;
    int i;

    out[0] = 0;
    for (i = 0; i < FACTS_NCATEGORIES; i++) {
        if (bits & (1u << i)) {
            int k = snprintf(out + n, cap - n, "%s%s", n ? "," : "",
                             FACTS_CATEGORIES[i]);

            if (k < 0 || (size_t)k >= cap - n)
                break;
            n += (size_t)k;
        }
    }
}


json_t *
case_row_json(const struct store_row *r)
{
    json_t *cats = json_array(), *labels = json_array();
    const char *p = r->labels;
    int i;

    for (i = 0; i < FACTS_NCATEGORIES; i++)
        if (r->categories & (1u << i))
            json_array_append_new(cats, json_string(FACTS_CATEGORIES[i]));
    while (p != NULL && *p != 0) {
        const char *c = strchr(p, ',');
        size_t l = c ? (size_t)(c - p) : strlen(p);

        json_array_append_new(labels, json_stringn(p, l));
        p = c ? c + 1 : NULL;
    }
    return json_pack("{s:I,s:s,s:s,s:s,s:s,s:s,s:o,s:o,s:s,s:s,s:s,s:s,s:I}",
                     "id", (json_int_t)r->id, "received", r->received,
                     "imported", r->imported, "status",
                     r->status, "priority", r->priority, "assignee",
                     r->assignee, "categories", cats, "labels", labels,
                     "incident", r->incident, "country", r->country, "lang",
                     r->lang, "summary", r->summary, "unread",
                     (json_int_t)r->unread);
}


int
case_json_print(json_t *j, size_t flags)
{
    char *t = j ? json_dumps(j, flags) : NULL;

    json_decref(j);
    if (t == NULL)
        return -1;
    puts(t);
    free(t);
    return 0;
}
