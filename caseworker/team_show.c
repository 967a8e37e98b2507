/* SPDX-License-Identifier: AGPL-3.0-or-later */
/* team_show: the team's history of a case (team_show.h). */
#include "team_show.h"
#include "store.h"
#include "team.h"
#include "team_sync.h"

#include <stdlib.h>
#include <string.h>

struct show_ctx {
    json_t *out;
    const struct umbra_bundle *b; /* NULL: no bundle here yet */
};

static json_t *
reg(const struct team_reg *r)
{
    return r->value ? json_string(r->value) : json_null();
}

static int
build(void *ctx, const struct team_state *st)
{
    struct show_ctx *c = ctx;
    json_t *hist = json_array(), *labels = json_array();
    char what[600], buf[TEAM_NAME_BUF], fp[UMBRA_FINGERPRINT_LEN + 1];
    size_t i;

    if (hist == NULL || labels == NULL)
        goto fail;
    for (i = 0; i < st->nlabels; i++)
        if (st->labels[i].on &&
            json_array_append_new(labels, json_string(st->labels[i].label)))
            goto fail;
    for (i = 0; i < st->nlog; i++) {
        const struct team_event *e = st->log[i];
        const char *who;

        if (c->b != NULL)
            who = team_author_name(c->b, e->author, buf);
        else {
            umbra_fingerprint(fp, e->author);
            snprintf(buf, sizeof buf, "%.11s", fp);
            who = buf;
        }
        team_event_what(what, sizeof what, e);
        if (json_array_append_new(
                hist, json_pack("{s:s, s:s, s:s, s:s, s:s, s:I}", "day",
                                e->day, "who", who, "what", what, "type",
                                e->type, "id", e->id, "clock",
                                (json_int_t)e->clock)) != 0)
            goto fail;
    }
    if (json_object_set_new(c->out, "status", reg(&st->status)) ||
        json_object_set_new(c->out, "priority", reg(&st->priority)) ||
        json_object_set_new(c->out, "assignee", reg(&st->assignee)) ||
        json_object_set_new(c->out, "labels", labels) ||
        json_object_set_new(c->out, "deleted", json_boolean(st->deleted)) ||
        json_object_set_new(c->out, "history", hist))
        return -1;
    return 0;
fail:
    json_decref(hist);
    json_decref(labels);
    return -1;
}

int
team_show_case(json_t **out, struct store *s, const struct case_opts *o,
               int64_t id)
{
    struct umbra_bundle b;
    struct show_ctx c = {NULL, NULL};
    char uid[33], pub[CASE_PATH_MAX];
    uint8_t *buf = NULL;
    size_t len = 0;
    int r;

    *out = NULL;
    r = store_case_uid(s, id, uid);
    if (r != 0)
        return r < 0 ? -1 : 0;
    /* names from the bundle, read quietly: a member home that has not
     * joined yet shows fingerprints */
    if (case_path(pub, sizeof pub, o, "public.json") == 0 &&
        case_read_file(&buf, &len, pub, UMBRA_BUNDLE_MAX_BYTES) == 0 &&
        umbra_bundle_parse(&b, (const char *)buf, len) == 0)
        c.b = &b;
    free(buf);
    c.out = json_pack("{s:s}", "uid", uid);
    if (c.out == NULL)
        return -1;
    if (store_team_merged(s, uid, build, &c) != 0) {
        json_decref(c.out);
        return -1;
    }
    *out = c.out;
    return 0;
}
