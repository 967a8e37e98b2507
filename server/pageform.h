/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * pageform: what the report page needs to show a refused no-JavaScript
 * form again (page.c): the form's values, the form fields an error can be
 * about (the e_* flag of the page's templates, the element the error
 * summary links to, the label, the text cap), and a country's label.
 *
 * The names page.c gives the report and check templates for it:
 *
 *   days months years (code label on)   the date's three menus
 *   refill on id_value v_* c_*     a refused form shown again as sent: on
 *                                  (an item of a list of codes was ticked),
 *                                  v_narrative v_region v_place v_pdesc
 *                                  v_country v_country_label v_receipt,
 *                                  c_stats c_alert c_share c_reply (ticked)
 *   e_* error_anchor error_label error_max photo_again   the field an
 *                                  error is about (e_what e_narrative
 *                                  e_date e_country e_region e_place e_who
 *                                  e_pdesc e_ids e_needs e_photo e_org), its
 *                                  id and label, its cap
 *   max_narrative max_region max_place max_pdesc max_id   the text caps
 */
#ifndef UMBRA_SERVER_PAGEFORM_H
#define UMBRA_SERVER_PAGEFORM_H

#include <stddef.h>

#include "template.h" /* struct tpl_val, struct tpl_query */

/* A refused form (page_ctx.form): get gives the value of field name as
 * body.h's form_field does (NULL if absent; with from, repeated fields one
 * by one). */
struct page_form {
    const char *(*get)(void *arg, const char *name, unsigned *from);
    void *arg;
};

/* The i-th value (from 0) of field name in f, or NULL (also for f NULL). */
const char *pageform_value(const struct page_form *f, const char *name,
                           unsigned i);
/* 1 if f has field name with the value code. */
int pageform_has(const struct page_form *f, const char *name,
                 const char *code);

/* The e_* flags of the templates. */
enum { E_WHAT, E_NARRATIVE, E_DATE, E_COUNTRY, E_REGION, E_PLACE, E_WHO,
       E_PDESC, E_IDS, E_NEEDS, E_PHOTO, E_ORG };

struct pageform_field {
    const char *field;  /* the form field's name */
    const char *anchor; /* the id of its element on the page */
    const char *label;  /* the catalogue key of its label */
    int flag;           /* E_* */
    unsigned max;       /* its text cap (UTF-16 units), 0 for none */
};

/* The entry of form field name, or NULL (also for NULL). */
const struct pageform_field *pageform_error_field(const char *name);

/* The label of country code cc in the countries menu's template text
 * (NULL-safe), written to buf; cc itself when the menu has none. */
const char *pageform_country_label(const char *menu, const char *cc,
                                   char *buf, size_t cap);

/* The page templates' names of a refused form (page.c's name table calls
 * these, from the page's context): e_* (q->key an E_*: the error is
 * about error_field),
 * error_anchor, error_label, error_max (EF_*: the field's id, its label in
 * loc (en where missing), its cap when too long); and v_* c_* max_*
 * (V_*, C_*, M_*: the values as sent, the ticks, the text caps), with the
 * country's label from countries (the countries template, or NULL). */
enum { EF_ANCHOR = 100, EF_LABEL, EF_MAX };
enum { V_NARRATIVE, V_REGION, V_PLACE, V_PDESC, V_COUNTRY, V_COUNTRY_LABEL,
       V_RECEIPT, C_STATS, C_ALERT, C_SHARE, C_REPLY, M_NARRATIVE, M_REGION,
       M_PLACE, M_PDESC, M_ID };

struct i18n_locale;
struct tpl_val pageform_error_name(const struct tpl_query *q,
                                   const char *error_field,
                                   const char *error_code,
                                   const struct i18n_locale *loc,
                                   const struct i18n_locale *en);
struct tpl_val pageform_text_name(const struct tpl_query *q,
                                  const struct page_form *form,
                                  const char *receipt_typed,
                                  const char *countries);

#endif
