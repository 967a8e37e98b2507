/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * body: decoding request bodies, owned by the HTTP layer. The route
 * table's BODY_* column picks the decoder and the cap (body_cap): raw bytes
 * (BODY_RAW, BODY_ENVELOPE) are kept in r->body; a JSON body is kept there
 * and parsed by req_json (http.h) against the caps of the configuration;
 * a form (BODY_FORM, BODY_CHECK, urlencoded or multipart) is decoded as it
 * arrives by libmicrohttpd's post processor into r->form, keeping only the
 * fields its form_spec names, each in a buffer capped and wiped on free
 * (struct umbra_buf); the raw bytes are counted against the route's cap, not
 * kept. The handler reads the fields with form_field; body_form_free wipes
 * them (on completion, or earlier when the handler is done with them).
 */
#ifndef UMBRA_SERVER_BODY_H
#define UMBRA_SERVER_BODY_H

#include "req.h"

#define FORM_MAX_FIELDS 64
#define FORM_NAME_MAX 48
#define FORM_TEXT_MAX 32768 /* a text value's cap unless its field says */

/* A field a form route keeps: its name, and its value's cap (0: a text
 * value FORM_TEXT_MAX, a file max_attachment_bytes). Others are dropped.
 * A value over its cap is cut there and named in form.over; only the
 * whole body's cap (body_cap) stops the decoding. */
struct form_field {
    const char *name;
    size_t cap;
};

struct form_spec {
    const struct form_field *fields;
    size_t n;
};

struct form_value {
    char name[FORM_NAME_MAX];
    struct umbra_buf val;
    int is_file;
};

struct form {
    struct form_value f[FORM_MAX_FIELDS];
    unsigned n;
    int err; /* -1 over a cap, -2 malformed */
    /* The first field whose value outgrew its cap: the value was cut at
     * the cap and the rest of it dropped (the handler answers, naming the
     * field), "" if none. */
    char over[FORM_NAME_MAX];
    /* 1 + the index of the field whose start the post processor's last
     * call announced empty (0 if that call was anything else), and
     * whether data was fed since. See iterate() in body.c. */
    unsigned announced;
    int fed_since;
    int multipart; /* the body is multipart/form-data */
    const struct form_spec *spec;
    struct MHD_PostProcessor *pp;
};

/* The cap of rt's body in bytes (0 for none, or no route). */
size_t body_cap(const struct route *rt);

/* Answers 413 body_too_large, naming the route's cap. */
void body_too_large(struct req *r);

/* A form body: begin when the headers are in (-1: not a form content
 * type, or out of memory); feed each chunk (0, -1 over a cap, -2
 * malformed, -3 out of memory); finish when the body has ended (flushes
 * the last value and frees the post processor); free (NULL-safe, wipes
 * the values) on any path. */
int body_form_begin(struct req *r, const struct form_spec *spec)
    __attribute__((warn_unused_result));
int body_form_feed(struct req *r, const char *data, size_t size)
    __attribute__((warn_unused_result));
void body_form_finish(struct req *r);
void body_form_free(struct req *r);

/* The value of the field named name as a NUL-terminated string, or NULL.
 * With from, the first such field at or after *from (*from is moved past
 * it), so that repeated fields can be walked. The string lives in f. */
const char *form_field(struct form *f, const char *name, unsigned *from);

#endif
