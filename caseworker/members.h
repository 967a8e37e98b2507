/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * members: the member home and the key holder's list of members (the
 * "Member file" of docs/protocol.md section 9; the file format itself is
 * libumbra's umbra_member_*).
 *
 * A member home (init --member) holds the member's own keys: its own
 * X25519 key, its own Ed25519 key (never the organisation's) and its own
 * store key, in a key file of the usual format. DIR/member.json carries
 * the public half to the key holder, signed with the member's Ed25519 key.
 * The admin home records the members in its case store (table members)
 * and signs DIR/public.json listing its own keys plus every member's
 * X25519 key; the member installs that bundle with 'keys join'.
 *
 * verbs_members.c holds these; verbs_init.c and verbs_keys.c call them.
 * Every function prints its own one-line error. The case_keys_* functions
 * return the verb's exit code (CASE_OK or CASE_FAIL); the others 0 or -1.
 */
#ifndef UMBRA_CASE_MEMBERS_H
#define UMBRA_CASE_MEMBERS_H

#include "case.h"

struct store;

/* A phrase for why umbra_member_parse failed with err. */
const char *case_member_error(int err);

/* Reads and verifies a member file; prints its error. 0 or -1. */
int case_member_load(struct umbra_member *m, const char *path) UMBRA_WUR;

/* 1 if home is a member home (it has DIR/member.json). */
int case_is_member_home(const struct case_opts *o);

/*
 * Refuses (with the message) unless this is the organisation's key
 * holder's home: no member.json, and DIR/public.json signed by k (not
 * checked when k is NULL). 0 or -1.
 */
int case_check_admin(const struct case_opts *o,
                     const struct umbra_org_keys *k) UMBRA_WUR;

/*
 * The organisation's bundle: k's own keys, then every member's key from
 * the store s, signed with k, with the next serial (recorded in s). *json
 * malloc'd (the caller frees it); *n the number of keys. 0 or -1.
 */
int case_org_bundle(char **json, unsigned *n, const struct umbra_org_keys *k,
                    struct store *s, const struct case_opts *o) UMBRA_WUR;

/* init --member: writes DIR/member.json for k and prints the next steps. */
int case_init_member_files(const struct case_opts *o,
                           const struct umbra_org_keys *k,
                           const char *name) UMBRA_WUR;

/* keys list in a member home; keys add-member FILE [--alerts] (alerts:
 * the member may sign alerts too); keys remove-member ID|NAME; keys join
 * FILE. */
int case_keys_list_member(const struct case_opts *o);
int case_keys_add_member(const struct case_opts *o, const char *file,
                         int alerts);
int case_keys_remove_member(const struct case_opts *o, const char *who);
int case_keys_join(const struct case_opts *o, const char *file);

#endif
