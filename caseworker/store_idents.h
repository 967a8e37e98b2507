/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * store_idents: the perpetrators' identifiers of the cases, normalised
 * (libumbra's ident.h, protocol section 6.2), in the case store only
 * (caseworker/schema/009_idents.sql): what `show` says ("this phone
 * number is also in cases 4 and 9"), what `links` lists and what the
 * desk shows. Nothing of it leaves the store.
 *
 * A case's identifiers are read from its report document when the case
 * is added (store_add_case calls store_idents_add, store_int.h) and again
 * for every case by store_idents_rebuild (the first open after migration
 * 7, through store_idents_pending, and `links --rebuild`). A document is
 * hostile: at most STORE_IDENTS_MAX identifiers are taken from it, each a
 * {kind, value} of strings, the value cut at the form's cap by the normaliser;
 * anything else is skipped. Case ids in the lists below are decimal,
 * comma-separated, ascending.
 */
#ifndef UMBRA_CASE_STORE_IDENTS_H
#define UMBRA_CASE_STORE_IDENTS_H

#include "store.h"

#include <stddef.h>
#include <stdint.h>

#define STORE_IDENTS_MAX 16

/* One identifier of a case, with the other cases that have it. */
struct store_ident {
    const char *kind;   /* a code of umbra_report_id_kinds */
    const char *value;  /* normalised */
    unsigned flags;     /* UMBRA_IDENT_* */
    const char *others; /* other cases with the same kind and value, "" */
    const char *alike;  /* other cases with a look-alike value, "" */
};

/* One identifier seen in several cases. */
struct store_link {
    const char *kind, *value;
    unsigned flags; /* of any of its rows */
    long ncases;
    const char *cases; /* every case that has it */
};

/* Reads every case's document again (in one transaction of its own);
 * *n (may be NULL) the identifiers stored. 0 or -1. */
int store_idents_rebuild(struct store *s, long *n) UMBRA_WUR;

/* Calls cb for each identifier of case id (by kind, then value); stops
 * at cb's non-zero, returned. 0 or -1. */
int store_idents_case(struct store *s, int64_t id,
                      int (*cb)(void *ctx, const struct store_ident *i),
                      void *ctx) UMBRA_WUR;

/* Calls cb for each identifier found in at least min cases (the most
 * cases first, then kind and value); stops at cb's non-zero. 0 or -1. */
int store_links_each(struct store *s, long min,
                     int (*cb)(void *ctx, const struct store_link *l),
                     void *ctx) UMBRA_WUR;

/* Calls cb for each identifier whose skeleton another value of its kind
 * shares (a look-alike: never merged), ordered by kind, skeleton, value,
 * with the cases that have it. 0 or -1. */
int store_alikes_each(struct store *s,
                      int (*cb)(void *ctx, const char *kind,
                                const char *skeleton,
                                const struct store_link *l),
                      void *ctx) UMBRA_WUR;

#endif
