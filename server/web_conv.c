/* SPDX-License-Identifier: AGPL-3.0-or-later */
/* web_conv: the no-JavaScript write-back from /check (see web_conv.h). */
#include "web_conv.h"
#include "body.h"
#include "imgmeta.h"
#include "orgs.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int
web_conv_wanted(struct req *r)
{
    const char *v =
        r->form && !r->form->err ? form_field(r->form, "receipt", NULL) : NULL;
    return v != NULL && *v != '\0';
}

/* The photo of the form, stripped, as the document's attachments (a new
 * reference), NULL if there is none; *code set (and NULL) on a refusal. */
static json_t *
photo(struct form *f, const char **code)
{
    for (unsigned i = 0; i < f->n; i++) {
        struct form_value *v = &f->f[i];

        if (!v->is_file || strcmp(v->name, "attachment") != 0 ||
            v->val.len == 0)
            continue;
        const char *type = imgmeta_type(v->val.data, v->val.len);
        if (!type || imgmeta_strip(v->val.data, &v->val.len, type) != 0) {
            *code = "attachment_type";
            return NULL;
        }
        size_t m = sodium_base64_encoded_len(v->val.len,
                                             sodium_base64_VARIANT_ORIGINAL);
        char *b = malloc(m);
        if (!b) {
            *code = "internal";
            return NULL;
        }
        sodium_bin2base64(b, m, v->val.data, v->val.len,
                          sodium_base64_VARIANT_ORIGINAL);
        json_t *a = json_pack("[{s:s,s:s,s:s}]", "name", "attachment", "type",
                              type, "data", b);
        sodium_memzero(b, m);
        free(b);
        if (!a)
            *code = "internal";
        return a;
    }
    return NULL;
}

/* The follow-up document, or NULL with *code: the narrative is required
 * and capped like the report form's. */
static json_t *
build(struct form *f, const struct umbra_mailbox *mb, const uint8_t org_pk[32],
      const char *lang, const char **code)
{
    const char *text = form_field(f, "narrative", NULL);
    uint8_t proof[32];
    char pk64[64], proof64[64], idhex[65];
    json_t *doc = NULL, *att = NULL;

    if (!text || !*text) {
        *code = "conv_empty";
        return NULL;
    }
    if (!umbra_utf8_valid((const uint8_t *)text, strlen(text))) {
        *code = "bad_encoding";
        return NULL;
    }
    if (strlen(text) > UMBRA_REPORT_NARRATIVE_MAX) {
        *code = "field_too_long";
        return NULL;
    }
    att = photo(f, code);
    if (!att && *code)
        return NULL;
    if (umbra_followup_proof(proof, org_pk, mb->sk, mb->mailbox_id,
                             (const uint8_t *)text, strlen(text)) != 0) {
        json_decref(att);
        *code = "internal";
        return NULL;
    }
    sodium_bin2base64(pk64, sizeof pk64, mb->pk, 32,
                      sodium_base64_VARIANT_ORIGINAL);
    sodium_bin2base64(proof64, sizeof proof64, proof, 32,
                      sodium_base64_VARIANT_ORIGINAL);
    umbra_hex(idhex, mb->mailbox_id, 32);
    doc = json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:{s:s}}", "schema",
                    UMBRA_REPORT_SCHEMA, "lang", lang, "via", "web-nojs",
                    "narrative", text, "mailbox", pk64, "mailbox_id", idhex,
                    "follow_up", "proof", proof64);
    if (doc && att)
        json_object_set(doc, "attachments", att);
    json_decref(att);
    sodium_memzero(proof, sizeof proof);
    sodium_memzero(proof64, sizeof proof64);
    sodium_memzero(idhex, sizeof idhex);
    if (!doc)
        *code = "internal";
    return doc;
}

/* 1 if the mailbox is registered, 0 if not, -1 if the database did not
 * answer. */
static int
mailbox_known(const uint8_t mailbox_id[32])
{
    PGconn *c = db_get(srv.intake);
    const char *vals[1] = {(const char *)mailbox_id};
    int lens[1] = {32}, fmts[1] = {1}, ok, known;

    if (!c)
        return -1;
    PGresult *res = db_exec(c, "mailbox_known", 1, vals, lens, fmts);
    ok = db_ok(res) && PQntuples(res) == 1;
    /* results are binary (db_exec): a boolean is one byte, 0 or 1 */
    known = ok && PQgetlength(res, 0, 0) == 1 && PQgetvalue(res, 0, 0)[0] == 1;
    PQclear(res);
    db_put(srv.intake, c, !ok);
    return ok ? known : -1;
}

/* A sealed follow-up waiting for its group commit. */
struct sent {
    uint8_t *env;
    size_t env_len;
    const char *lang;
};

static void
sent_free(void *p)
{
    struct sent *st = p;

    if (!st)
        return;
    free(st->env);
    free(st);
}

/* On the writer thread once the batch committed (ok) or failed. */
static void
stored(void *ctx, int ok)
{
    struct req *r = ctx;
    struct sent *st = r->ctx;

    if (ok) {
        struct page_ctx pc = {.lang = st->lang, .conv_sent = 1};
        web_conv_render(r, 201, &pc);
    } else {
        web_conv_error(r, 503, "database_unavailable");
        r->res.retry_after = (int)srv.cfg.retry_after;
    }
    req_resume(r);
}

void
web_conv_post(struct req *r)
{
    struct form *f = r->form;
    char digits[UMBRA_RECEIPT_DIGITS + 1];
    struct umbra_mailbox *mb = NULL;
    struct org_set *s = orgs_acquire();
    const struct org *o = NULL;
    struct sent *st = NULL;
    const char *code = NULL, *in;
    json_t *doc = NULL;
    char *plain = NULL;
    uint8_t pks[UMBRA_MAX_ORG_KEYS * 32];
    int known;

    in = form_field(f, "receipt", NULL);
    if (umbra_receipt_normalise(digits, in, strlen(in)) != 0) {
        web_conv_error(r, 400, "bad_receipt");
        goto out;
    }
    const char *slug = form_field(f, "org", NULL);
    if ((!slug || !*slug) && s && s->n == 1)
        slug = s->v[0].slug;
    o = orgs_find(s, slug);
    if (!o) {
        web_conv_error(r, orgs_loaded(s) ? 400 : 503,
                       orgs_loaded(s) ? "unknown_org" : "database_unavailable");
        goto out;
    }
    mb = umbra_secret_alloc(sizeof *mb);
    if (!mb || umbra_mailbox_derive(mb, digits) != 0) {
        web_conv_error(r, 500, "internal");
        goto out;
    }
    known = mailbox_known(mb->mailbox_id);
    if (known != 1) {
        web_conv_error(r, known < 0 ? 503 : 400,
                       known < 0 ? "database_unavailable" : "unknown_mailbox");
        goto out;
    }
    umbra_bundle_pks(pks, &o->bundle);
    doc = build(f, mb, pks, page_lang(form_field(f, "lang", NULL)), &code);
    if (!doc) {
        web_conv_error(r, strcmp(code, "internal") ? 400 : 500, code);
        goto out;
    }
    plain = json_dumps(doc, JSON_COMPACT);
    st = calloc(1, sizeof *st);
    if (!plain || !st) {
        web_conv_error(r, 500, "internal");
        goto out;
    }
    st->lang = page_lang(form_field(f, "lang", NULL));
    int rc = umbra_envelope_seal(&st->env, &st->env_len, pks, o->bundle.nkeys,
                                 (const uint8_t *)plain, strlen(plain));
    sodium_memzero(plain, strlen(plain));
    if (rc != 0) {
        web_conv_error(r, rc == UMBRA_ERR_TOO_LONG ? 413 : 500,
                       rc == UMBRA_ERR_TOO_LONG ? "body_too_large"
                                                : "internal");
        goto out;
    }
    if (!intake_quota_ok(o->id, o->max_reports, o->max_bytes,
                         st->env_len)) {
        web_conv_error(r, 507, "org_full");
        goto out;
    }
    if (!intake_has_room()) {
        web_conv_error(r, 503, "busy");
        goto out;
    }
    /* like a report whose reporter wants no replies: no mailbox insert */
    r->item = (struct intake_item){.org_id = o->id,
                                   .data = st->env,
                                   .len = st->env_len,
                                   .mailbox_id = NULL,
                                   .done = stored,
                                   .ctx = r};
    r->ctx = st;
    r->ctx_free = sent_free;
    st = NULL;
out:
    orgs_release(s);
    free(plain); /* jansson's allocator: wiped on free */
    json_decref(doc);
    umbra_secret_free(mb);
    sent_free(st);
    sodium_memzero(digits, sizeof digits);
    body_form_free(r);
    if (r->ctx && !r->res.ready) {
        req_suspend(r);
        intake_push(&r->item);
    }
}
