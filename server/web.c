/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * web: the pages and the no-JavaScript paths. Bodies come from page.c
 * (owned by the web layer); this file decides status codes and does the
 * work: POST /report builds the report document from the form
 * (umbra_report_build, libumbra), derives the
 * reply mailbox (Argon2, on the bounded pool), seals the document to the
 * organisation's keys, wipes the plaintext and stores envelope and mailbox
 * in one transaction; POST /check opens a mailbox's replies server-side.
 * A write-back from /check posted to /report goes to web_conv.c.
 * Form values live in buffers wiped on free, and jansson's allocator wipes
 * too (util.c).
 */
#include "alertview.h"
#include "body.h"
#include "formdate.h"
#include "imgmeta.h"
#include "orgs.h"
#include "page.h"
#include "routes.h"
#include "web_conv.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The fields the form routes keep (body.c drops any other). */
/* The narrative's cap is its text cap at 4 bytes a unit: whatever a
 * browser's maxlength lets through reaches the builder, which names the
 * field when it is too long. */
static const struct form_field web_form_fields[] = {
    {"org", 0}, {"lang", 0}, {"incident.date", 0}, {"incident.day", 0},
    {"incident.month", 0}, {"incident.year", 0}, {"incident.country", 0},
    {"incident.region", 0}, {"incident.place", 0}, {"categories", 0},
    {"perpetrator.type", 0}, {"perpetrator.description", 0},
    {"perpetrator.identifiers.kind", 0}, {"perpetrator.identifiers.value", 0},
    {"narrative", 4 * UMBRA_REPORT_NARRATIVE_MAX + 4}, {"needs", 0},
    {"consent.statistics", 0},
    {"consent.alert", 0}, {"consent.share_with_authorities", 0},
    {"reply", 0}, {"attachment", 0},
    {"receipt", UMBRA_RECEIPT_INPUT_MAX + 1}};

const struct form_spec web_form = {
    web_form_fields, sizeof web_form_fields / sizeof web_form_fields[0]};

/* ---- pages ------------------------------------------------------------- */

static void
render(struct req *r, unsigned status, enum page_id id, struct page_ctx *ctx)
{
    struct page_buf pb = {NULL, 0};
    struct org_set *s = NULL;
    if (!ctx->orgs) {
        s = orgs_acquire();
        ctx->orgs = s ? s->pages : NULL;
        ctx->norgs = s ? s->n : 0;
    }
    int rc = page_render(&pb, id, ctx);
    orgs_release(s);
    if (rc == -2) {
        reply_error(r, 404, "not_found", "no such page");
        return;
    }
    if (rc != 0) {
        reply_error(r, 500, "internal", "the page could not be rendered");
        return;
    }
    /* Wiped however it ends: a page may show a receipt or a reply. */
    reply_body_wiped(r, status, "text/html; charset=utf-8", pb.data, pb.len,
                     page_buf_free);
}

/* The request's language: the form's lang field or ?lang= if it names a
 * supported one, else Accept-Language's choice (the header is read here
 * and nowhere kept), else NULL: nothing matched, the page asks (in
 * English). A choice the header took part in marks the answer Vary. */
static const char *
req_lang(struct req *r)
{
    int vary = 0;
    const char *l = r->form ? form_field(r->form, "lang", NULL) : NULL;
    const char *m;
    if (!l)
        l = req_query(r, "lang");
    m = page_lang_choose(l, req_header(r, "Accept-Language"), &vary);
    if (vary)
        r->vary_lang = 1;
    return m;
}

static const char *
form_get(void *arg, const char *name, unsigned *from)
{
    return form_field(arg, name, from);
}

/* 1 if the form carries a chosen photo (never shown again: the page asks
 * for it again). */
static int
had_photo(const struct form *f)
{
    for (unsigned i = 0; f && i < f->n; i++)
        if (f->f[i].is_file && strcmp(f->f[i].name, "attachment") == 0 &&
            f->f[i].val.len > 0)
            return 1;
    return 0;
}

/* Cuts every text value of f to valid UTF-8 (a value cut at its cap may
 * end inside a character; one that is not UTF-8 at all is emptied and,
 * when nothing else is named, named in *field), so that a page can show
 * them again. */
static void
form_clean(struct form *f, const char **field)
{
    for (unsigned i = 0; f && i < f->n; i++) {
        struct umbra_buf *b = &f->f[i].val;
        size_t n = b->len, k = 0;

        if (f->f[i].is_file)
            continue;
        while (k < 4 && n > 0 && (b->data[n - 1] & 0xc0) == 0x80) {
            n--;
            k++;
        }
        if (n > 0 && b->data[n - 1] >= 0xc0)
            n--; /* a lead byte whose sequence was cut */
        if (!umbra_utf8_valid(b->data, b->len) &&
            umbra_utf8_valid(b->data, n)) {
            sodium_memzero(b->data + n, b->len - n);
            b->len = n;
        }
        if (!umbra_utf8_valid(b->data, b->len)) {
            sodium_memzero(b->data, b->len);
            b->len = 0;
            if (field && !*field)
                *field = f->f[i].name;
        }
    }
}

/* An error page; for the form pages (PAGE_REPORT, PAGE_CHECK) with the
 * request's form shown again as it was sent, and field (or NULL) marked
 * as the one to fix. */
static void
page_error_field(struct req *r, unsigned status, enum page_id id,
                 const char *code, const char *field)
{
    struct page_ctx ctx = {.lang = req_lang(r), .error_code = code,
                           .error_field = field};
    struct page_form pf = {form_get, r->form};
    ctx.choose = ctx.lang == NULL;
    if (r->form) {
        ctx.org = form_field(r->form, "org", NULL);
        if (id == PAGE_REPORT) {
            ctx.form = &pf;
            ctx.photo_again = had_photo(r->form);
        } else if (id == PAGE_CHECK) {
            ctx.receipt_typed = form_field(r->form, "receipt", NULL);
        }
    }
    render(r, status, id, &ctx);
    if (status == 503)
        r->res.retry_after = (int)srv.cfg.retry_after;
}

static void
page_error(struct req *r, unsigned status, enum page_id id, const char *code)
{
    page_error_field(r, status, id, code, NULL);
}

void
web_too_large(struct req *r)
{
    int check = r->route && r->route->body == BODY_CHECK;
    if (r->form)
        form_clean(r->form, NULL);
    page_error_field(r, 413, check ? PAGE_CHECK : PAGE_REPORT,
                     check ? "bad_receipt" : "body_too_large",
                     check ? "receipt" : "attachment");
}

/* A page that shows nothing of the request but its language (and the
 * organisation a link chose). */
static void
plain_page(struct req *r, enum page_id id, const char *org)
{
    struct page_ctx ctx = {.lang = req_lang(r), .org = org};
    ctx.choose = ctx.lang == NULL;
    render(r, 200, id, &ctx);
}

void
web_landing(struct req *r)
{
    plain_page(r, PAGE_LANDING, NULL);
}

void
web_report_form(struct req *r)
{
    plain_page(r, PAGE_REPORT, req_query(r, "org"));
}

void
web_check_form(struct req *r)
{
    plain_page(r, PAGE_CHECK, NULL);
}

void
web_info(struct req *r)
{
    for (const char *p = r->arg; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
              *p == '-')) {
            reply_error(r, 404, "not_found", "no such page");
            return;
        }
    struct page_ctx ctx = {.lang = req_lang(r), .info = r->arg};
    ctx.choose = ctx.lang == NULL;
    render(r, 200, PAGE_INFO, &ctx);
}

/* GET /alerts?lang=&org=: the live alerts, verified again (alertview.h) */
void
web_alerts(struct req *r)
{
    struct page_ctx ctx = {.lang = req_lang(r), .org = req_query(r, "org")};
    struct alert_list l;
    char *html = NULL;

    ctx.choose = ctx.lang == NULL;
    if (ctx.org && !umbra_slug_valid(ctx.org, strlen(ctx.org))) {
        reply_error(r, 404, "not_found", "no such organisation");
        return;
    }
    if (alerts_load(&l, ctx.org) != 0 ||
        alerts_html(&html, &l, page_lang(ctx.lang), ctx.org) != 0) {
        alerts_list_free(&l);
        page_error(r, 503, PAGE_ERROR, "busy");
        return;
    }
    ctx.html = html;
    render(r, 200, PAGE_ALERTS, &ctx);
    alerts_list_free(&l);
    free(html);
}

/* 1 if an Accept-Encoding value lists gzip, unless with q=0. */
static int
accepts_gzip(const char *ae)
{
    const char *p = ae;

    while (*p != '\0') {
        size_t n, name;

        p += strspn(p, " \t,");
        n = strcspn(p, ",");
        name = strcspn(p, " \t;,");
        if (name == 4 && strncmp(p, "gzip", 4) == 0) {
            const char *q = memchr(p, '=', n);
            int nonzero = 0;

            if (q == NULL)
                return 1;
            for (q++; q < p + n && ((*q >= '0' && *q <= '9') || *q == '.');
                 q++)
                nonzero |= *q >= '1' && *q <= '9';
            return nonzero;
        }
        p += n;
    }
    return 0;
}

void
web_static(struct req *r)
{
    const char *data = NULL, *type = NULL;
    size_t len = 0;
    const char *gz = NULL, *ae;
    size_t gz_len = 0;
    if (strstr(r->arg, "..") || page_static(r->arg, &data, &len, &type) != 0) {
        reply_error(r, 404, "not_found", "no such file");
        return;
    }
    ae = req_header(r, MHD_HTTP_HEADER_ACCEPT_ENCODING);
    if (ae && accepts_gzip(ae) &&
        page_static_gzip(r->arg, &gz, &gz_len) == 0) {
        reply_static(r, 200, type, gz, gz_len);
        r->res.encoding = "gzip";
        return;
    }
    reply_static(r, 200, type, data, len);
}

/* /favicon.ico: browsers ask for it whatever the page links. */
void
web_favicon(struct req *r)
{
    const char *data = NULL, *type = NULL;
    size_t len = 0;
    if (page_static("favicon.ico", &data, &len, &type) != 0) {
        reply_error(r, 404, "not_found", "no such file");
        return;
    }
    reply_static(r, 200, type, data, len);
}

/* ---- the report document ----------------------------------------------- */

/* Builds the document (umbra_report_build_field) from the form's fields
 * and its photo; NULL, *code and *field (the form field to fix, or NULL)
 * set on a refusal. */
static json_t *
build_doc(struct form *f, const char **code, const char **field, int *reply)
{
    const char *cats[FORM_MAX_FIELDS], *nds[FORM_MAX_FIELDS];
    const char *perps[FORM_MAX_FIELDS];
    char date[11];
    const char *kinds[UMBRA_REPORT_MAX_IDENTIFIERS + 1];
    const char *vals[UMBRA_REPORT_MAX_IDENTIFIERS + 1];
    struct umbra_report_fields rf;
    json_t *doc = NULL, *att = NULL;
    const char *v;
    unsigned it;

    for (unsigned i = 0; i < f->n; i++)
        if (!f->f[i].is_file &&
            !umbra_utf8_valid(f->f[i].val.data, f->f[i].val.len)) {
            *code = "bad_encoding";
            *field = f->f[i].name;
            return NULL;
        }
    if (f->over[0]) {
        /* cut at its cap in body.c: far over what the form lets through */
        *field = f->over;
        *code = strcmp(f->over, "attachment") == 0 ? "body_too_large"
                                                   : "field_too_long";
        return NULL;
    }
    memset(&rf, 0, sizeof rf);
    rf.via = "web-nojs";
    rf.lang = page_lang(form_field(f, "lang", NULL));
    if (formdate_get(date, form_field(f, "incident.date", NULL),
                     form_field(f, "incident.day", NULL),
                     form_field(f, "incident.month", NULL),
                     form_field(f, "incident.year", NULL), field) != 0) {
        *code = "bad_date";
        return NULL;
    }
    rf.date = date;
    rf.country = form_field(f, "incident.country", NULL);
    rf.region = form_field(f, "incident.region", NULL);
    rf.place = form_field(f, "incident.place", NULL);
    it = 0;
    while (rf.ncategories < FORM_MAX_FIELDS &&
           (v = form_field(f, "categories", &it)))
        cats[rf.ncategories++] = v;
    rf.categories = cats;
    it = 0;
    while (rf.nneeds < FORM_MAX_FIELDS && (v = form_field(f, "needs", &it)))
        nds[rf.nneeds++] = v;
    rf.needs = nds;
    it = 0;
    while (rf.nperpetrators < FORM_MAX_FIELDS &&
           (v = form_field(f, "perpetrator.type", &it)))
        perps[rf.nperpetrators++] = v;
    rf.perpetrators = perps;
    rf.description = form_field(f, "perpetrator.description", NULL);
    unsigned ik = 0, iv = 0;
    while (rf.nids < UMBRA_REPORT_MAX_IDENTIFIERS + 1) {
        const char *kind = form_field(f, "perpetrator.identifiers.kind", &ik);
        const char *val = form_field(f, "perpetrator.identifiers.value", &iv);
        if (!kind && !val)
            break;
        kinds[rf.nids] = kind;
        vals[rf.nids++] = val;
    }
    rf.ids_kind = kinds;
    rf.ids_value = vals;
    rf.narrative = form_field(f, "narrative", NULL);
    for (size_t i = 0; i < UMBRA_REPORT_NCONSENTS; i++) {
        char name[64];
        snprintf(name, sizeof name, "consent.%s", umbra_report_consents[i]);
        v = form_field(f, name, NULL);
        rf.consent[i] = v && strcmp(v, "yes") == 0;
    }
    v = form_field(f, "reply", NULL);
    *reply = v && strcmp(v, "yes") == 0;

    /* the fields are checked before the photo is touched */
    doc = umbra_report_build_field(&rf, code, field);
    if (!doc)
        return NULL;
    json_decref(doc);
    doc = NULL;
    for (unsigned i = 0; i < f->n; i++) {
        if (!f->f[i].is_file || strcmp(f->f[i].name, "attachment") != 0 ||
            f->f[i].val.len == 0)
            continue;
        const char *type = imgmeta_type(f->f[i].val.data, f->f[i].val.len);
        /* Camera, serial number, time and place go before sealing. */
        if (!type ||
            imgmeta_strip(f->f[i].val.data, &f->f[i].val.len, type) != 0) {
            *code = "attachment_type";
            *field = "attachment";
            return NULL;
        }
        size_t m = sodium_base64_encoded_len(f->f[i].val.len,
                                             sodium_base64_VARIANT_ORIGINAL);
        char *b = malloc(m);
        if (!b) {
            *code = "internal";
            return NULL;
        }
        sodium_bin2base64(b, m, f->f[i].val.data, f->f[i].val.len,
                          sodium_base64_VARIANT_ORIGINAL);
        att = json_pack("[{s:s,s:s,s:s}]", "name", "attachment", "type",
                        type, "data", b);
        sodium_memzero(b, m);
        free(b);
        break;
    }
    rf.attachments = att;
    doc = umbra_report_build_field(&rf, code, field);
    json_decref(att);
    sodium_memzero(date, sizeof date);
    return doc;
}

/* A sealed no-JS report waiting for its group commit (intake.c). */
struct pending {
    uint8_t *env;
    size_t env_len;
    uint8_t mailbox_id[32];
    char *receipt; /* umbra_secret_alloc'd; NULL if no reply wanted */
    const char *lang;
    char org[UMBRA_SLUG_MAX + 1];
};

static void
pending_free(void *p)
{
    struct pending *st = p;
    if (!st)
        return;
    free(st->env);
    umbra_secret_free(st->receipt);
    sodium_memzero(st, sizeof *st); /* the mailbox id */
    free(st);
}

/* Runs on the writer thread once the batch holding the report committed
 * (ok = 1) or failed: answers and resumes the connection. */
static void
report_stored(void *ctx, int ok)
{
    struct req *r = ctx;
    struct pending *st = r->ctx;
    if (ok) {
        struct page_ctx pc = {.lang = st->lang,
                              .org = st->org,
                              .receipt = st->receipt};
        render(r, 201, PAGE_RECEIPT, &pc);
    } else {
        struct page_ctx pc = {.lang = st->lang,
                              .error_code = "database_unavailable"};
        render(r, 503, PAGE_ERROR, &pc);
        r->res.retry_after = (int)srv.cfg.retry_after;
    }
    umbra_secret_free(st->receipt);
    st->receipt = NULL;
    req_resume(r);
}

void
web_report_post(struct req *r)
{
    struct form *f = r->form;
    const char *code = NULL, *field = NULL;
    int want_reply = 0;
    json_t *doc = NULL;
    char *plain = NULL;
    struct umbra_mailbox *mb = NULL;
    struct pending *st = NULL;
    char digits[UMBRA_RECEIPT_DIGITS + 1];
    struct org_set *s = orgs_acquire();
    const struct org *o = NULL;
    uint8_t pks[UMBRA_MAX_ORG_KEYS * 32];

    if (!f || f->err) {
        if (f)
            form_clean(f, NULL);
        page_error(r, 400, PAGE_REPORT, "bad_form");
        goto out;
    }
    if (web_conv_wanted(r)) { /* a write-back from /check */
        orgs_release(s);
        web_conv_post(r);
        return;
    }
    const char *slug = form_field(f, "org", NULL);
    if ((!slug || !*slug) && s && s->n == 1)
        slug = s->v[0].slug;
    o = orgs_find(s, slug);
    if (!o && !orgs_loaded(s)) {
        page_error(r, 503, PAGE_ERROR, "database_unavailable");
        goto out;
    }
    doc = o ? build_doc(f, &code, &field, &want_reply) : NULL;
    if (!doc) {
        if (!o) {
            code = "unknown_org";
            field = "org";
        }
        /* shown again as sent: every value made valid UTF-8 first */
        form_clean(f, &field);
        page_error_field(r,
                         !strcmp(code, "internal")         ? 500
                         : !strcmp(code, "body_too_large") ? 413
                                                           : 400,
                         PAGE_REPORT, code, field);
        goto out;
    }
    st = calloc(1, sizeof *st);
    if (!st) {
        page_error(r, 500, PAGE_ERROR, "internal");
        goto out;
    }
    st->lang = req_lang(r);
    (void)str_copy(st->org, sizeof st->org, o->slug);
    if (want_reply) {
        mb = umbra_secret_alloc(sizeof *mb);
        st->receipt = umbra_secret_alloc(UMBRA_RECEIPT_DISPLAY_LEN + 1);
        if (!mb || !st->receipt) {
            page_error(r, 500, PAGE_ERROR, "internal");
            goto out;
        }
        umbra_receipt_new(st->receipt);
        if (umbra_receipt_normalise(digits, st->receipt,
                                    strlen(st->receipt)) != 0 ||
            umbra_mailbox_derive(mb, digits) != 0) {
            page_error(r, 500, PAGE_ERROR, "internal");
            goto out;
        }
        char pk64[64], idhex[65];
        sodium_bin2base64(pk64, sizeof pk64, mb->pk, 32,
                          sodium_base64_VARIANT_ORIGINAL);
        umbra_hex(idhex, mb->mailbox_id, 32);
        memcpy(st->mailbox_id, mb->mailbox_id, 32);
        json_object_set_new(doc, "mailbox", json_string(pk64));
        json_object_set_new(doc, "mailbox_id", json_string(idhex));
        sodium_memzero(idhex, sizeof idhex);
    }
    plain = json_dumps(doc, JSON_COMPACT);
    if (!plain) {
        page_error(r, 500, PAGE_ERROR, "internal");
        goto out;
    }
    umbra_bundle_pks(pks, &o->bundle);
    int rc = umbra_envelope_seal(&st->env, &st->env_len, pks, o->bundle.nkeys,
                                 (const uint8_t *)plain, strlen(plain));
    sodium_memzero(plain, strlen(plain));
    if (rc != 0) {
        page_error_field(r, rc == UMBRA_ERR_TOO_LONG ? 413 : 500,
                         PAGE_REPORT,
                         rc == UMBRA_ERR_TOO_LONG ? "body_too_large"
                                                  : "internal",
                         rc == UMBRA_ERR_TOO_LONG ? "attachment" : NULL);
        goto out;
    }
    /* Nothing was stored: the form comes back filled, to send later. */
    if (!intake_quota_ok(o->id, o->max_reports, o->max_bytes,
                         st->env_len) ||
        (want_reply && !intake_mailbox_ok(o->id, o->max_mailboxes))) {
        page_error(r, 507, PAGE_REPORT, "org_full");
        goto out;
    }
    if (!intake_has_room()) {
        page_error(r, 503, PAGE_REPORT, "busy");
        goto out;
    }
    r->item = (struct intake_item){.org_id = o->id,
                                   .data = st->env,
                                   .len = st->env_len,
                                   .mailbox_id =
                                       want_reply ? st->mailbox_id : NULL,
                                   .mailbox_org = o->id,
                                   .done = report_stored,
                                   .ctx = r};
    r->ctx = st;
    r->ctx_free = pending_free;
    st = NULL;
out:
    orgs_release(s);
    free(plain); /* jansson's allocator: wiped on free */
    json_decref(doc);
    umbra_secret_free(mb);
    pending_free(st);
    sodium_memzero(digits, sizeof digits);
    body_form_free(r); /* wipe the form values now, not at completion */
    if (r->ctx && !r->res.ready) {
        /* Last: from here the writer thread owns r until it resumes it. */
        req_suspend(r);
        intake_push(&r->item);
    }
}

void
web_check_post(struct req *r)
{
    struct form *f = r->form;
    char digits[UMBRA_RECEIPT_DIGITS + 1];
    struct umbra_mailbox *mb = NULL;
    PGconn *c = NULL;
    PGresult *res = NULL;
    struct page_reply *replies = NULL;
    char **msgs = NULL;
    size_t n = 0;
    int ok = 0;

    if (f)
        form_clean(f, NULL);
    const char *rc_in = f && !f->err && !f->over[0]
                            ? form_field(f, "receipt", NULL)
                            : NULL;
    if (!rc_in ||
        umbra_receipt_normalise(digits, rc_in, strlen(rc_in)) != 0) {
        page_error(r, 400, PAGE_CHECK, "bad_receipt");
        goto out;
    }
    /* from here every error page is the check page, the code still in
     * its field, saying what happened */
    mb = umbra_secret_alloc(sizeof *mb);
    if (!mb || umbra_mailbox_derive(mb, digits) != 0) {
        page_error(r, 500, PAGE_CHECK, "check_failed");
        goto out;
    }
    c = db_get(srv.intake);
    if (!c) {
        page_error(r, 503, PAGE_CHECK, "check_busy");
        goto out;
    }
    const char *vals[1] = {(const char *)mb->mailbox_id};
    int lens[1] = {32}, fmts[1] = {1};
    res = db_exec(c, "mailbox_replies", 1, vals, lens, fmts);
    ok = db_ok(res);
    if (!ok) {
        page_error(r, 503, PAGE_CHECK, "check_busy");
        goto out;
    }
    int rows = PQntuples(res);
    replies = calloc((size_t)rows + 1, sizeof *replies);
    msgs = calloc((size_t)rows + 1, sizeof *msgs);
    if (!replies || !msgs) {
        page_error(r, 500, PAGE_CHECK, "check_failed");
        goto out;
    }
    for (int i = 0; i < rows; i++) {
        uint8_t *content = NULL;
        size_t clen = 0;
        if (umbra_envelope_open(&content, &clen, NULL, mb->sk, mb->pk, 1,
                                (const uint8_t *)PQgetvalue(res, i, 1),
                                (size_t)PQgetlength(res, i, 1)) != 0)
            continue;
        json_t *j = NULL;
        if (umbra_utf8_valid((const uint8_t *)content, clen) &&
            umbra_json_depth_ok(content, clen, 16))
            j = json_loadb((const char *)content, clen,
                           JSON_REJECT_DUPLICATES, NULL);
        umbra_secret_free(content);
        const char *m = json_string_value(json_object_get(j, "message"));
        if (m) {
            msgs[n] = strdup(m);
            replies[n].date = PQgetvalue(res, i, 0);
            replies[n].message = msgs[n];
            if (msgs[n])
                n++;
        }
        json_decref(j);
    }
    struct page_ctx ctx = {.lang = req_lang(r),
                           .replies = replies,
                           .nreplies = n,
                           .checked = 1};
    render(r, 200, PAGE_CHECK, &ctx);
out:
    for (size_t i = 0; msgs && i < n; i++) {
        sodium_memzero(msgs[i], strlen(msgs[i]));
        free(msgs[i]);
    }
    free(msgs);
    free(replies);
    PQclear(res);
    if (c)
        db_put(srv.intake, c, !ok);
    umbra_secret_free(mb);
    sodium_memzero(digits, sizeof digits);
    body_form_free(r);
}

void
web_conv_render(struct req *r, unsigned status, struct page_ctx *ctx)
{
    render(r, status, PAGE_CHECK, ctx);
}

void
web_conv_error(struct req *r, unsigned status, const char *code)
{
    page_error(r, status, PAGE_CHECK, code);
}
