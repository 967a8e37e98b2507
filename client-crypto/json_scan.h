/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * json_scan: a strict, single-pass JSON checker for hostile report
 * documents (libumbra-internal; umbra_report_check is its public user).
 *
 * jansson builds a tree of allocated values and copies every string byte
 * by byte; on a 4 KiB report that cost more than opening the envelope.
 * json_scan checks the whole text in one pass (RFC 8259 grammar, valid UTF-8,
 * escapes and surrogate pairs, no \u0000, numbers that fit what jansson
 * accepts, no duplicate keys, a depth limit enforced while parsing, a cap
 * on values and members) and records a flat array of tokens pointing into
 * the text, so the few fields a case needs are read without copying the
 * rest. It accepts only documents that jansson (JSON_REJECT_DUPLICATES)
 * also accepts, so `show` can always render a stored document; the fuzz
 * harness checks this.
 *
 * Tokens are in document order. An object token is followed by its
 * members, each a key token (JS_STR) then the value's tokens; an array's
 * elements follow it. tok.next is the index just past a token's subtree.
 */
#ifndef UMBRA_JSON_SCAN_H
#define UMBRA_JSON_SCAN_H

#include <stddef.h>
#include <stdint.h>

enum js_type { JS_OBJ, JS_ARR, JS_STR, JS_NUM, JS_TRUE, JS_FALSE, JS_NULL };

struct js_tok {
    uint8_t type;
    uint8_t escaped; /* JS_STR: holds a backslash escape */
    uint32_t start;  /* JS_STR: first byte inside the quotes */
    uint32_t len;    /* JS_STR: raw bytes inside the quotes */
    uint32_t size;   /* JS_OBJ: members; JS_ARR: elements */
    uint32_t next;   /* index just past this token's subtree */
};

#define JS_MAX_MEMBERS 1024u
#define JS_MAX_KEY 1024u

struct js_doc {
    const uint8_t *src;
    size_t len;
    struct js_tok *t; /* malloc'd; js_free */
    uint32_t n, cap, max_tokens;
    int max_depth;
};

/*
 * Checks and tokenises s. 0: ok; 1: refused, err says why (NUL-ended);
 * -1: out of memory. Free with js_free either way.
 */
int js_parse(struct js_doc *d, const uint8_t *s, size_t len, int max_depth,
             uint32_t max_tokens, char *err, size_t errcap);
void js_free(struct js_doc *d);

/* The value token of member key in object obj, or -1. */
int js_get(const struct js_doc *d, int obj, const char *key);

/*
 * The unescaped text of string token i into out (cap bytes, NUL-ended,
 * cut at a UTF-8 boundary when longer); *full gets the unescaped length.
 * -1 if i is not a string.
 */
int js_str(const struct js_doc *d, int i, char *out, size_t cap,
           size_t *full);

#endif
