/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * verbs_members: the member home and the key holder's members (members.h):
 * keys add-member, remove-member and join, a member home's keys list, the
 * member file of init --member, and pull's rollback check.
 */
#include "case.h"
#include "members.h"
#include "store.h"

#include <errno.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char NOT_ADMIN[] =
    "this is a member home (it holds only this caseworker's own key): only "
    "the organisation's key holder, in the home made with 'umbra-case init "
    "--org SLUG' (without --member), can add keys or members and sign "
    "public.json; ask them";

const char *
case_member_error(int err)
{
    switch (err) {
    case UMBRA_ERR_TOO_LONG:
        return "it is larger than 4 KiB";
    case UMBRA_ERR_FORMAT:
        return "a field is missing or malformed";
    case UMBRA_ERR_CHECKSUM:
        return "its key id is not the id of its key";
    case UMBRA_ERR_SIGNATURE:
        return "its signature does not verify: it was changed after the "
               "member made it; ask the member for it again";
    default:
        return "it is not a member file (made by 'umbra-case init --member')";
    }
}

int
case_member_load(struct umbra_member *m, const char *path)
{
    uint8_t *buf = NULL;
    size_t len = 0;
    int err, rc = -1;

    if (case_read_capped(&buf, &len, path, UMBRA_MEMBER_MAX_BYTES,
                         "member file", "larger than 4 KiB") != 0)
        return -1;
    err = umbra_member_parse(m, (const char *)buf, len);
    if (err != 0)
        case_err("'%s' is refused: %s", path, case_member_error(err));
    else
        rc = 0;
    free(buf);
    return rc;
}

int
case_is_member_home(const struct case_opts *o)
{
    char p[CASE_PATH_MAX];

    return case_path(p, sizeof p, o, "member.json") == 0 &&
           access(p, F_OK) == 0;
}

int
case_check_admin(const struct case_opts *o, const struct umbra_org_keys *k)
{
    char p[CASE_PATH_MAX];
    struct umbra_bundle b;

    if (case_is_member_home(o)) {
        case_err("%s", NOT_ADMIN);
        return -1;
    }
    if (k == NULL)
        return 0;
    if (case_path(p, sizeof p, o, "public.json") != 0)
        return -1;
    if (access(p, F_OK) == 0 &&
        (case_load_bundle(&b, p) != 0 ||
         sodium_memcmp(b.sign_pk, k->sign_pk, 32) != 0)) {
        case_err("%s", NOT_ADMIN);
        return -1;
    }
    return 0;
}

struct collect {
    struct umbra_enc_key keys[UMBRA_MAX_ORG_KEYS];
    unsigned n, over;
    /* the bundle's signers: the key holder, then each member */
    struct umbra_signer signers[UMBRA_MAX_SIGNERS];
    unsigned nsigners;
};

static int
collect_member(void *ctx, const struct store_member *m)
{
    struct collect *c = ctx;

    if (c->n >= UMBRA_MAX_ORG_KEYS) {
        c->over++;
        return 0;
    }
    memcpy(c->keys[c->n].pk, m->pk, 32);
    umbra_key_id(c->keys[c->n].id, m->pk);
    memcpy(c->keys[c->n].created, m->created, 11);
    c->keys[c->n].created[10] = '\0';
    if (c->nsigners < UMBRA_MAX_SIGNERS) {
        struct umbra_signer *sg = &c->signers[c->nsigners++];

        memset(sg, 0, sizeof *sg);
        snprintf(sg->name, sizeof sg->name, "%s", m->name);
        memcpy(sg->sign_pk, m->sign_pk, 32);
        sg->has_key = 1;
        memcpy(sg->key_id, c->keys[c->n].id, sizeof sg->key_id);
        sg->may = m->may & (UMBRA_MAY_EVENTS | UMBRA_MAY_ALERTS);
        if (sg->may == 0)
            sg->may = UMBRA_MAY_EVENTS;
    }
    c->n++;
    return 0;
}

/* The serial of the bundle in file path; 0 if absent or not valid. */
static uint64_t
file_serial(const char *path)
{
    struct umbra_bundle b;
    uint8_t *buf = NULL;
    size_t len = 0;
    uint64_t serial = 0;

    if (case_read_file(&buf, &len, path, UMBRA_BUNDLE_MAX_BYTES) == 0 &&
        umbra_bundle_parse(&b, (const char *)buf, len) == 0)
        serial = b.serial;
    free(buf);
    return serial;
}

/*
 * The serial of the next bundle this home signs (protocol section 3): one
 * above both the highest it recorded (store meta "bundle_serial") and the
 * one of DIR/public.json, so that a lost or copied-back public.json never
 * makes it sign a serial twice. Records it in s (in the caller's
 * transaction, if one is open). Prints its error. 0 or -1.
 */
static int
next_serial(uint64_t *out, const struct case_opts *o, struct store *s)
{
    char p[CASE_PATH_MAX], v[32];
    unsigned long long have = 0, pub;
    uint64_t stored = 0;
    int r;

    r = store_meta_get(s, "bundle_serial", v, sizeof v);
    if (r < 0)
        return -1;
    if (r == 0) {
        if (umbra_parse_u64(&stored, v, 0, UINT64_MAX) != 0) {
            case_err("the case store's bundle serial '%s' is damaged", v);
            return -1;
        }
        have = stored;
    }
    if (case_path(p, sizeof p, o, "public.json") != 0)
        return -1;
    pub = file_serial(p);
    if (pub > have)
        have = pub;
    if (have >= UMBRA_BUNDLE_SERIAL_MAX) {
        case_err("the public key bundle's serial cannot grow any more");
        return -1;
    }
    have++;
    snprintf(v, sizeof v, "%llu", have);
    if (store_meta_set(s, "bundle_serial", v) != 0)
        return -1;
    *out = have;
    return 0;
}

/*
 * The organisation's bundle: k's own keys, then every member's key from
 * the store, signed with k, with the next serial (next_serial). *json
 * malloc'd; *n the number of keys. Prints its error. 0 or -1.
 */
int
case_org_bundle(char **json, unsigned *n, const struct umbra_org_keys *k,
                struct store *s, const struct case_opts *o)
{
    struct collect c;
    uint64_t serial = 0;
    int err;

    *json = NULL;
    memset(&c, 0, sizeof c);
    memcpy(c.keys, k->enc, sizeof(k->enc[0]) * k->nkeys);
    c.n = k->nkeys;
    /* the key holder names itself (init --name; "key holder" else) */
    {
        struct umbra_signer *sg = &c.signers[c.nsigners++];
        int r = store_meta_get(s, "holder_name", sg->name, sizeof sg->name);

        if (r < 0)
            return -1;
        if (r == 1)
            snprintf(sg->name, sizeof sg->name, "key holder");
        memcpy(sg->sign_pk, k->sign_pk, 32);
        sg->has_key = 1;
        memcpy(sg->key_id, k->enc[0].id, sizeof sg->key_id);
        sg->may = UMBRA_MAY_EVENTS | UMBRA_MAY_ALERTS;
    }
    if (store_members_each(s, collect_member, &c) != 0)
        return -1;
    if (c.over > 0) {
        case_err("a bundle lists at most %u keys: the organisation has %u "
                 "of its own and %u members; remove a member first "
                 "('umbra-case keys remove-member')",
                 UMBRA_MAX_ORG_KEYS, k->nkeys,
                 c.n + c.over - k->nkeys);
        return -1;
    }
    if (next_serial(&serial, o, s) != 0)
        return -1;
    /* with no member, the bundle stays as before signers (the key holder
     * signs events without an entry) */
    err = umbra_bundle_export_full(json, k, c.keys, c.n, serial,
                                   c.nsigners > 1 ? c.signers : NULL,
                                   c.nsigners > 1 ? c.nsigners : 0);
    if (err != 0) {
        case_err("cannot make the public key bundle: %s",
                 umbra_strerror(err));
        return -1;
    }
    *n = c.n;
    return 0;
}

/* Writes the organisation's public.json; prints its error. 0 or -1. */
static int
write_org_bundle(const struct case_opts *o, const char *json)
{
    char p[CASE_PATH_MAX];

    if (case_path(p, sizeof p, o, "public.json") != 0)
        return -1;
    if (case_write_atomic(p, json, strlen(json), 0644) != 0) {
        case_err("the case store is updated but '%s' could not be written "
                 "(%s); fix that (disk full?) and run 'umbra-case keys "
                 "export'",
                 p, strerror(errno));
        return -1;
    }
    return 0;
}

/* init --member: the member's own keys, store and signed member.json. */
int
case_init_member_files(const struct case_opts *o,
                       const struct umbra_org_keys *k, const char *name)
{
    struct umbra_member m;
    char p[CASE_PATH_MAX], fp[UMBRA_FINGERPRINT_LEN + 1], hex[17];
    char *json = NULL;
    int rc = -1;

    memset(&m, 0, sizeof m);
    memcpy(m.org, k->slug, sizeof m.org);
    snprintf(m.name, sizeof m.name, "%s", name);
    memcpy(m.created, k->enc[0].created, sizeof m.created);
    memcpy(m.pk, k->enc[0].pk, 32);
    memcpy(m.id, k->enc[0].id, 8);
    memcpy(m.sign_pk, k->sign_pk, 32);
    if (case_path(p, sizeof p, o, "member.json") != 0)
        return -1;
    if (umbra_member_export(&json, &m, k->sign_sk) != 0) {
        case_err("cannot make the member file");
        goto out;
    }
    if (case_write_atomic(p, json, strlen(json), 0644) != 0) {
        case_err("cannot write '%s': %s", p, strerror(errno));
        goto out;
    }
    umbra_fingerprint(fp, k->sign_pk);
    umbra_hex(hex, k->enc[0].id, 8);
    printf("Created the member home '%s' for organisation '%s' (member "
           "'%s', key %s).\n",
           o->home, k->slug, name, hex);
    printf("Next: give %s to your organisation's key holder, who runs\n"
           "  umbra-case keys add-member member.json\n"
           "then run 'umbra-case keys join public.json' here with the "
           "public.json they give back.\n",
           p);
    printf("Keep the passphrase safe: without it no report can be opened.\n");
    printf("Member fingerprint (read it aloud to the key holder): %s\n", fp);
    rc = 0;
out:
    free(json);
    return rc;
}

/* keys list in a member home: its own key, joined or not (no passphrase). */
int
case_keys_list_member(const struct case_opts *o)
{
    char p[CASE_PATH_MAX], hex[17];
    char fp[UMBRA_FINGERPRINT_LEN + 1];
    struct umbra_member m;
    struct umbra_bundle b;
    unsigned i;

    if (case_path(p, sizeof p, o, "member.json") != 0 ||
        case_member_load(&m, p))
        return CASE_FAIL;
    umbra_hex(hex, m.id, 8);
    umbra_fingerprint(fp, m.sign_pk);
    printf("Member home of organisation %s: member %s, key %s created %s\n"
           "Member fingerprint: %s\n",
           m.org, m.name, hex, m.created, fp);
    if (case_path(p, sizeof p, o, "public.json") != 0)
        return CASE_FAIL;
    if (access(p, F_OK) != 0) {
        printf("Not joined yet: give member.json to the key holder, then "
               "run 'umbra-case keys join public.json'.\n");
        return CASE_OK;
    }
    if (case_load_bundle(&b, p) != 0)
        return CASE_FAIL;
    umbra_fingerprint(fp, b.sign_pk);
    printf("Organisation fingerprint: %s\n", fp);
    for (i = 0; i < b.nkeys; i++) {
        umbra_hex(hex, b.keys[i].id, 8);
        printf("key %s created %s%s\n", hex, b.keys[i].created,
               memcmp(b.keys[i].pk, m.pk, 32) == 0 ? " (this home)" : "");
    }
    return CASE_OK;
}

/* The end of add-member and remove-member: rolls back the transaction
 * still open (in_tx), closes s and frees json and k (each may be NULL). */
static void
members_done(int in_tx, struct store *s, char *json,
             struct umbra_org_keys *k)
{
    if (in_tx)
        store_rollback(s);
    store_close(s);
    free(json);
    umbra_org_keys_free(k);
}

/* keys add-member FILE */
int
case_keys_add_member(const struct case_opts *o, const char *file,
                     int alerts)
{
    struct umbra_org_keys *k = NULL;
    struct store_member sm;
    struct umbra_member m;
    struct store *s = NULL;
    char fp[UMBRA_FINGERPRINT_LEN + 1], pub[CASE_PATH_MAX];
    char *json = NULL;
    unsigned i, n = 0;
    int err, rc = CASE_FAIL, in_tx = 0;

    if (case_check_admin(o, NULL) != 0 || case_member_load(&m, file) != 0)
        return CASE_FAIL;
    if (case_load_keys(&k, o) != 0 || case_check_admin(o, k) != 0)
        goto out;
    if (strcmp(m.org, k->slug) != 0) {
        case_err("'%s' is for organisation '%s', but this home is '%s'; "
                 "nothing was changed",
                 file, m.org, k->slug);
        goto out;
    }
    for (i = 0; i < k->nkeys; i++)
        if (memcmp(k->enc[i].pk, m.pk, 32) == 0) {
            case_err("'%s' holds one of the organisation's own keys; "
                     "nothing was changed",
                     file);
            goto out;
        }
    if (case_store_open(&s, o->home, k->store_key, 1) != 0 ||
        store_begin(s) != 0)
        goto out;
    in_tx = 1;
    memset(&sm, 0, sizeof sm);
    umbra_hex(sm.id, m.id, 8);
    memcpy(sm.name, m.name, sizeof sm.name);
    memcpy(sm.pk, m.pk, 32);
    memcpy(sm.sign_pk, m.sign_pk, 32);
    memcpy(sm.created, m.created, sizeof sm.created);
    umbra_today(sm.added);
    sm.may = UMBRA_MAY_EVENTS | (alerts ? UMBRA_MAY_ALERTS : 0u);
    err = store_member_add(s, &sm);
    if (err == 1) {
        case_err("a member with key %s or named '%s' is already listed "
                 "(see 'umbra-case keys list'); nothing was changed",
                 sm.id, sm.name);
        goto out;
    }
    if (err != 0 || case_org_bundle(&json, &n, k, s, o) != 0)
        goto out;
    if (store_commit(s) != 0)
        goto out;
    in_tx = 0;
    if (write_org_bundle(o, json) != 0)
        goto out;
    umbra_fingerprint(fp, m.sign_pk);
    if (case_path(pub, sizeof pub, o, "public.json") != 0)
        goto out;
    fputs("Added member '", stdout);
    case_print_safe(stdout, m.name, strlen(m.name), 0);
    printf("' (key %s).\n", sm.id);
    printf("Member fingerprint: %s\n"
           "Compare it with the one the member reads to you (in person or "
           "by phone); if it differs, run 'umbra-case keys remove-member "
           "%s' at once.\n",
           fp, sm.id);
    printf("%s now lists %u %s. Give it to the member ('umbra-case keys "
           "join public.json'), to every other member, and to the server "
           "operator ('umbra-server org add %s --name NAME --public-key "
           "public.json'): new reports are sealed to every listed key.\n",
           pub, n, CASE_PL(n, "key"), k->slug);
    rc = CASE_OK;
out:
    members_done(in_tx, s, json, k);
    return rc;
}

/* keys remove-member ID|NAME */
int
case_keys_remove_member(const struct case_opts *o, const char *who)
{
    struct umbra_org_keys *k = NULL;
    struct store_member sm;
    struct store *s = NULL;
    char pub[CASE_PATH_MAX];
    char *json = NULL;
    unsigned n = 0;
    int err, rc = CASE_FAIL, in_tx = 0;

    if (case_check_admin(o, NULL) != 0)
        return CASE_FAIL;
    if (case_load_keys(&k, o) != 0 || case_check_admin(o, k) != 0)
        goto out;
    if (case_store_open(&s, o->home, k->store_key, 1) != 0 ||
        store_begin(s) != 0)
        goto out;
    in_tx = 1;
    err = store_member_remove(s, who, &sm);
    if (err == 1) {
        case_err("no member with key id or name '%s' (see 'umbra-case keys "
                 "list'); nothing was changed",
                 who);
        goto out;
    }
    if (err != 0 || case_org_bundle(&json, &n, k, s, o) != 0 ||
        store_commit(s) != 0)
        goto out;
    in_tx = 0;
    if (write_org_bundle(o, json) != 0)
        goto out;
    if (case_path(pub, sizeof pub, o, "public.json") != 0)
        goto out;
    printf("Removed member '");
    case_print_safe(stdout, sm.name, strlen(sm.name), 0);
    printf("' (key %s); %s now lists %u %s.\n", sm.id, pub, n,
           CASE_PL(n, "key"));
    printf("Give the new public.json to the server operator NOW:\n"
           "  umbra-server org add %s --name NAME --public-key public.json\n"
           "Until the server has it, new reports are still sealed to the "
           "removed key; once it has it, the server refuses reports sealed "
           "to that key. Give it to the other members too ('umbra-case keys "
           "join public.json'): their pull refuses until they do. Reports "
           "already on the removed member's laptop stay readable there.\n",
           k->slug);
    rc = CASE_OK;
out:
    members_done(in_tx, s, json, k);
    return rc;
}

int
case_bundle_not_older(const struct umbra_bundle *theirs,
                      const struct umbra_bundle *ours, const char *server)
{
    if (umbra_bundle_may_replace(ours, theirs) != UMBRA_ERR_ROLLBACK)
        return 0;
    case_err("REFUSING TO PULL: the server '%s' publishes an older public "
             "key bundle for '%s' (serial %llu; this home has serial "
             "%llu%s), which may still list a removed key. Give the "
             "server operator the current public.json ('umbra-server org "
             "add') and tell your organisation.",
             server, ours->org, (unsigned long long)theirs->serial,
             (unsigned long long)ours->serial,
             theirs->serial == ours->serial ? " with other keys" : "");
    return -1;
}

/* keys join FILE: a member home installs its organisation's bundle. */
int
case_keys_join(const struct case_opts *o, const char *file)
{
    char mpath[CASE_PATH_MAX], pub[CASE_PATH_MAX], hex[17];
    char fp[UMBRA_FINGERPRINT_LEN + 1], fp_old[UMBRA_FINGERPRINT_LEN + 1];
    struct umbra_bundle b, old;
    struct umbra_member m;
    uint8_t *buf = NULL;
    size_t len = 0;
    unsigned i;
    int rc = CASE_FAIL, found = 0;

    if (case_path(mpath, sizeof mpath, o, "member.json") != 0 ||
        case_path(pub, sizeof pub, o, "public.json") != 0)
        return CASE_FAIL;
    if (!case_is_member_home(o)) {
        case_err("'%s' is not a member home (no member.json): 'keys join' is "
                 "for homes made with 'umbra-case init --org SLUG --member'",
                 o->home);
        return CASE_FAIL;
    }
    if (case_member_load(&m, mpath) != 0)
        return CASE_FAIL;
    if (case_read_bundle(&b, &buf, &len, file) != 0)
        goto out;
    if (strcmp(b.org, m.org) != 0) {
        case_err("'%s' is the bundle of organisation '%s', but this home "
                 "belongs to '%s'; nothing was changed",
                 file, b.org, m.org);
        goto out;
    }
    for (i = 0; i < b.nkeys; i++)
        if (memcmp(b.keys[i].pk, m.pk, 32) == 0)
            found = 1;
    umbra_hex(hex, m.id, 8);
    if (!found) {
        case_err("'%s' does not list this member's key %s, so reports sealed "
                 "to it could not be opened here: ask the key holder to run "
                 "'umbra-case keys add-member' with your member.json and to "
                 "give you the new public.json; nothing was changed",
                 file, hex);
        goto out;
    }
    umbra_fingerprint(fp, b.sign_pk);
    if (access(pub, F_OK) == 0) {
        if (case_load_bundle(&old, pub) != 0)
            goto out;
        if (sodium_memcmp(old.sign_pk, b.sign_pk, 32) != 0) {
            umbra_fingerprint(fp_old, old.sign_pk);
            case_err("'%s' is signed by another organisation key (fingerprint "
                     "%s; this home trusts %s); nothing was changed. If your "
                     "organisation really changed its key, check the new "
                     "fingerprint with the key holder, delete %s and join "
                     "again",
                     file, fp, fp_old, pub);
            goto out;
        }
        if (umbra_bundle_may_replace(&old, &b) != 0) {
            case_err("'%s' is older than the public key bundle this home "
                     "holds (serial %llu; this home has serial %llu%s); "
                     "nothing was changed. Ask the key holder for the "
                     "current public.json",
                     file, (unsigned long long)b.serial,
                     (unsigned long long)old.serial,
                     b.serial == old.serial ? ", with other keys" : "");
            goto out;
        }
    }
    if (case_write_atomic(pub, buf, len, 0644) != 0) {
        case_err("cannot write '%s': %s", pub, strerror(errno));
        goto out;
    }
    printf("Joined organisation '%s': this home now opens reports sealed to "
           "its public key bundle (%u %s, this home's key %s among "
           "them).\n",
           b.org, b.nkeys, CASE_PL(b.nkeys, "key"), hex);
    printf("Organisation fingerprint: %s\n"
           "Compare it with the one the key holder reads to you. Reports "
           "sealed before your key was added cannot be opened here.\n",
           fp);
    rc = CASE_OK;
out:
    free(buf);
    return rc;
}
