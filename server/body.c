/* SPDX-License-Identifier: AGPL-3.0-or-later */
/* body: see body.h. */
#include "body.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

size_t
body_cap(const struct route *rt)
{
    if (!rt)
        return 0;
    switch (rt->body) {
    case BODY_RAW:
    case BODY_ENVELOPE:
        return srv.cfg.max_envelope_bytes;
    case BODY_EVENT: /* docs/api.md: a case event is at most 1 MiB */
        return srv.cfg.max_envelope_bytes < 1048576u
                   ? srv.cfg.max_envelope_bytes
                   : 1048576u;
    case BODY_BUNDLE:
        return UMBRA_BUNDLE_MAX_BYTES;
    case BODY_JSON:
        return srv.cfg.max_json_bytes;
    case BODY_FORM:
        return srv.cfg.max_form_bytes;
    case BODY_CHECK:
        return srv.cfg.max_check_bytes;
    case BODY_NONE:
        break;
    }
    return 0;
}

void
body_too_large(struct req *r)
{
    char hint[96];
    snprintf(hint, sizeof hint, "the body is larger than %zu bytes",
             body_cap(r->route));
    reply_error(r, 413, "body_too_large", hint);
}

json_t *
req_json(struct req *r)
{
    json_error_t err;
    const char *p = (const char *)r->body.data;
    size_t n = r->body.len;
    if (n == 0) {
        reply_error(r, 400, "bad_json", "the body is empty");
        return NULL;
    }
    if (!umbra_utf8_valid((const uint8_t *)p, n)) {
        reply_error(r, 400, "bad_encoding", "the body is not valid UTF-8");
        return NULL;
    }
    if (!umbra_json_depth_ok((const uint8_t *)p, n,
                             srv.cfg.max_json_depth)) {
        reply_error(r, 400, "json_too_deep", "the JSON nests too deeply");
        return NULL;
    }
    json_t *j = json_loadb(p, n, JSON_REJECT_DUPLICATES, &err);
    if (!j) {
        if (json_error_code(&err) == json_error_duplicate_key)
            reply_error(r, 400, "duplicate_key",
                        "a JSON object repeats a key");
        else
            reply_error(r, 400, "bad_json", "the body is not valid JSON");
        return NULL;
    }
    if (!json_is_object(j)) {
        json_decref(j);
        reply_error(r, 400, "bad_json", "the body must be a JSON object");
        return NULL;
    }
    return j;
}

/* ---- forms ------------------------------------------------------------- */

/* The cap of a kept field's value, or 0 if the form drops the field. */
static size_t
field_cap(const struct form_spec *spec, const char *key, int is_file)
{
    for (size_t i = 0; i < spec->n; i++) {
        if (strcmp(key, spec->fields[i].name) != 0)
            continue;
        if (spec->fields[i].cap)
            return spec->fields[i].cap;
        return is_file ? srv.cfg.max_attachment_bytes : FORM_TEXT_MAX;
    }
    return 0;
}

static enum MHD_Result
iterate(void *cls, enum MHD_ValueKind kind, const char *key,
        const char *filename, const char *content_type,
        const char *transfer_encoding, const char *data, uint64_t off,
        size_t size)
{
    struct form *f = cls;
    (void)kind;
    (void)content_type;
    (void)transfer_encoding;
    if (key == NULL) { /* a multipart part without a name */
        f->err = -2;
        return MHD_NO;
    }
    /* libmicrohttpd (0.9.75, and 1.0.1 alike) announces a multipart
     * value with an empty call at offset 0 when the data fed so far ends
     * within the value's first four bytes (or, for a value that begins
     * with CR LF "--", before it can tell that from a boundary), and
     * then delivers the value from offset 0 again: one value, not two.
     * The announcement only happens when a feed's data has run out (its
     * buffer, 16384 bytes, is never that short when full), so the value
     * always goes on in a later feed. Taken for two, the value was lost
     * (the field read as empty) whenever the network cut a body there,
     * as Tor and slow links do. So an offset-0 call that comes after
     * such an announcement, with data fed in between and no other call,
     * continues the announced field if it has the same name and kind.
     * Two real parts of one name, the first empty, with a feed ending
     * exactly between them, would merge; no form of ours has such a
     * pair (the identifiers' kinds and values alternate). */
    unsigned carry = f->multipart && f->fed_since ? f->announced : 0;
    f->announced = 0;
    size_t cap = field_cap(f->spec, key, filename != NULL);
    if (cap == 0)
        return MHD_YES; /* unknown fields are dropped */
    struct form_value *fd = NULL;
    if (off == 0 && carry == f->n && carry > 0 &&
        strcmp(f->f[carry - 1].name, key) == 0 &&
        f->f[carry - 1].val.len == 0 &&
        f->f[carry - 1].is_file == (filename != NULL)) {
        fd = &f->f[carry - 1];
    } else if (off == 0) {
        if (f->n == FORM_MAX_FIELDS) {
            f->err = -2;
            return MHD_NO;
        }
        fd = &f->f[f->n++];
        (void)str_copy(fd->name, sizeof fd->name, key);
        fd->is_file = filename != NULL;
        fd->val.cap = cap;
    } else {
        for (unsigned i = f->n; i > 0; i--)
            if (strcmp(f->f[i - 1].name, key) == 0) {
                fd = &f->f[i - 1];
                break;
            }
        if (!fd) {
            f->err = -2;
            return MHD_NO;
        }
    }
    /* A value over its cap is cut there; the first such field is named. */
    size_t room = fd->val.cap > fd->val.len ? fd->val.cap - fd->val.len : 0;
    int rc = umbra_buf_append(&fd->val, data, size < room ? size : room);
    if (rc == 0 && size > room && !f->over[0])
        (void)str_copy(f->over, sizeof f->over, fd->name);
    if (rc < 0) {
        f->err = rc == -1 ? -1 : -3;
        return MHD_NO;
    }
    if (off == 0 && size == 0) {
        f->announced = (unsigned)(fd - f->f) + 1;
        f->fed_since = 0;
    }
    return MHD_YES;
}

/* libmicrohttpd's post processor decodes each urlencoded value into a
 * buffer on this thread's stack (NUL-ended) before handing it over: the
 * last value decoded (a no-JS report's or write-back's text) stayed there
 * until later calls overwrote it. Zeroed once the post processor returns. */
#define FORM_STACK_WIPE 16384u

static void
wipe_stack(void)
{
    sodium_stackzero(FORM_STACK_WIPE);
}

int
body_form_begin(struct req *r, const struct form_spec *spec)
{
    r->form = calloc(1, sizeof *r->form);
    if (!r->form)
        return -1;
    r->form->spec = spec;
    const char *ct = MHD_lookup_connection_value(r->con, MHD_HEADER_KIND,
                                                 MHD_HTTP_HEADER_CONTENT_TYPE);
    r->form->multipart =
        ct && strncasecmp(ct, "multipart/form-data", 19) == 0;
    r->form->pp = MHD_create_post_processor(r->con, 16384, iterate, r->form);
    return r->form->pp ? 0 : -1;
}

int
body_form_feed(struct req *r, const char *data, size_t size)
{
    struct form *f = r->form;
    if (f->err)
        return f->err;
    if (size > r->body.cap || r->body.len > r->body.cap - size)
        return -1;
    r->body.len += size; /* count only; the post processor keeps values */
    f->fed_since = 1;
    int ok = MHD_post_process(f->pp, data, size) == MHD_YES;
    wipe_stack();
    if (!ok)
        return f->err ? f->err : -2;
    return 0;
}

void
body_form_finish(struct req *r)
{
    struct form *f = r->form;
    if (!f || !f->pp)
        return;
    f->fed_since = 1;
    if (MHD_destroy_post_processor(f->pp) != MHD_YES && !f->err)
        f->err = -2;
    wipe_stack(); /* it decodes the last value when destroyed */
    f->pp = NULL;
}

void
body_form_free(struct req *r)
{
    struct form *f = r->form;
    if (!f)
        return;
    if (f->pp) {
        MHD_destroy_post_processor(f->pp);
        wipe_stack();
    }
    for (unsigned i = 0; i < f->n; i++)
        umbra_buf_release(&f->f[i].val);
    free(f);
    r->form = NULL;
}

const char *
form_field(struct form *f, const char *name, unsigned *from)
{
    for (unsigned i = from ? *from : 0; i < f->n; i++) {
        if (strcmp(f->f[i].name, name) != 0)
            continue;
        if (from)
            *from = i + 1;
        struct umbra_buf *b = &f->f[i].val;
        if (b->len == 0)
            return "";
        /* Terminate in place: one byte past len (allocations are larger
         * than len or we grow them). */
        if (b->len == b->alloc) {
            b->cap++;
            if (umbra_buf_append(b, "", 1) < 0)
                return NULL;
            b->len--;
        }
        b->data[b->len] = '\0';
        return (const char *)b->data;
    }
    return NULL;
}
