/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * fuzz_report_check: umbra_report_check, the one reader of the report
 * document (docs/protocol.md section 6), on any bytes, as after a real
 * envelope open.
 *
 * It must never crash or leak, and must keep its promises: an accepted
 * document is valid UTF-8 nested no deeper than the cap, jansson
 * (JSON_REJECT_DUPLICATES, which `umbra-case show` renders with) accepts
 * it, every string it hands back is valid UTF-8 within its buffer, codes
 * are in range; a refusal always names one of the documented codes.
 */
#include "fuzz_common.h"

#include <jansson.h>

static const char *const codes[] = {
    "too_large",  "empty",          "too_deep",   "bad_utf8",
    "bad_json",   "not_object",     "bad_schema", "bad_narrative",
    "wrong_type", "missing_fields", "bad_member", "bad_mailbox",
    "bad_field",  "bad_follow_up",
};

static int
text_ok(const char *s, size_t cap)
{
    size_t n = strnlen(s, cap);

    return n < cap && umbra_utf8_valid((const uint8_t *)s, n);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct umbra_report r;
    struct umbra_report_refusal why;
    int err;

    fuzz_setup();
    err = umbra_report_check(&r, &why, data, size);
    if (err == 0) {
        json_t *j;

        if (!umbra_utf8_valid(data, size) ||
            !umbra_json_depth_ok(data, size, UMBRA_REPORT_CHECK_DEPTH))
            abort();
        j = json_loadb((const char *)data, size,
                       JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, NULL);
        if (j == NULL || !json_is_object(j))
            abort();
        json_decref(j);
        if (!text_ok(r.lang, sizeof r.lang) ||
            !text_ok(r.date, sizeof r.date) ||
            !text_ok(r.country, sizeof r.country) ||
            !text_ok(r.region, sizeof r.region) ||
            !text_ok(r.head, sizeof r.head) ||
            r.narrative_len < strlen(r.head) || r.perpetrator < -1 ||
            r.perpetrator >= (int)UMBRA_REPORT_NPERPETRATORS ||
            (r.categories >> UMBRA_REPORT_NCATEGORIES) != 0 ||
            (r.needs >> UMBRA_REPORT_NNEEDS) != 0 ||
            (r.has_mailbox && strlen(r.mailbox_id) != 64))
            abort();
    } else if (err == UMBRA_ERR_FORMAT) {
        size_t i;

        for (i = 0; i < sizeof codes / sizeof codes[0]; i++)
            if (why.code != NULL && strcmp(why.code, codes[i]) == 0)
                break;
        if (i == sizeof codes / sizeof codes[0] ||
            strnlen(why.detail, sizeof why.detail) == sizeof why.detail)
            abort();
    } else if (err != UMBRA_ERR_NOMEM) {
        abort();
    }
    return 0;
}
