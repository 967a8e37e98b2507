/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * case_team_sync_unit: case events between real case stores through a
 * bundle file (caseworker/store_team.c, team_sync.c), without a server:
 * what one member changes reaches another (also when the events come
 * before the report: they wait for it); a replay or a log served twice
 * adds nothing; a forged event, another organisation's, a non-member's
 * and a removed member's are refused; a removed member cannot open what
 * is sealed after; a rotated-out key is refused and its successor taken;
 * a gap in an author's seq is found; a SIGKILL of the
 * import mid-merge leaves the store as before; two members setting the
 * same field the same day end with the same case.
 */
#include "bfile.h"
#include "check.h"
#include "scratch.h"
#include "store.h"
#include "team.h"
#include "team_sync.h"

#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static char dir[64];
static struct umbra_org_keys *K, *A, *B, *X;
static struct umbra_bundle all3, without_b;
static const uint8_t ENV1[] = "the envelope of the first report";
static char uid[33];

static void
bundle_of(struct umbra_bundle *b, int with_b)
{
    struct umbra_enc_key keys[3];
    struct umbra_signer sg[3];
    unsigned n = 0;
    char *json = NULL;
    struct umbra_org_keys *who[3] = {K, A, B};
    const char *names[3] = {"Kim", "Ana", "Ben"};
    unsigned i;

    memset(sg, 0, sizeof sg);
    for (i = 0; i < (with_b ? 3u : 2u); i++, n++) {
        keys[n] = who[i]->enc[0];
        snprintf(sg[n].name, sizeof sg[n].name, "%s", names[i]);
        memcpy(sg[n].sign_pk, who[i]->sign_pk, 32);
        sg[n].may = UMBRA_MAY_EVENTS;
    }
    CHECK(umbra_bundle_export_full(&json, K, keys, n, with_b ? 2 : 3, sg, n) ==
                  0 &&
              umbra_bundle_parse(b, json, strlen(json)) == 0,
          "a bundle with %u signers", n);
    free(json);
}

static struct store *
open_home(const char *name, const struct umbra_org_keys *k)
{
    char home[128];
    struct store *s = NULL;

    snprintf(home, sizeof home, "%s/%s", dir, name);
    CHECK(mkdir(home, 0700) == 0, "mkdir %s", home);
    CHECK(store_create(home, k->store_key, "alpha") == 0 &&
              store_open(&s, home, k->store_key, 1) == 0,
          "store %s", name);
    store_team_author(s, k->sign_pk);
    return s;
}

/* The case of ENV1 into s. */
static int64_t
add_case(struct store *s, const char *server_id)
{
    struct store_case_in in;
    int64_t id = 0;

    memset(&in, 0, sizeof in);
    in.server_id = server_id;
    in.summary = "";
    in.doc = (const uint8_t *)"{}";
    in.doc_len = 2;
    snprintf(in.facts.received, sizeof in.facts.received, "2026-12-02");
    CHECK(store_begin(s) == 0 && store_add_case(s, &id, &in) == 0 &&
              store_case_set_uid(s, id, uid) == 0 &&
              store_team_apply(s, uid) >= 0 && store_commit(s) == 0,
          "case added");
    return id;
}

struct to_file {
    struct bfile bf;
    uint64_t next;
    struct store *s;
};

static int
to_file(void *ctx, const uint8_t digest[32], const uint8_t *env,
        size_t env_len)
{
    struct to_file *t = ctx;
    char id[24];

    snprintf(id, sizeof id, "%llu", (unsigned long long)++t->next);
    if (bfile_append_event(&t->bf, id, "2026-12-02", env, env_len) != 0)
        return -1;
    return store_team_sent(t->s, digest, 0) == 0 ? 0 : -1;
}

/* Seals s's queued events (author k) with bundle b into file path
 * (appending); how many. */
static long
ship(struct store *s, const struct umbra_org_keys *k,
     const struct umbra_bundle *b, const char *path, uint64_t first_id)
{
    struct to_file t;
    long sent = 0;

    CHECK(bfile_open_append(&t.bf, path, "alpha") == 0, "bundle file");
    t.next = first_id;
    t.s = s;
    CHECK(team_seal_outgoing(s, k, b, 0, to_file, &t, &sent) == 0,
          "sealed the outgoing events");
    CHECK(bfile_sync(&t.bf) == 0, "synced");
    bfile_close(&t.bf);
    return sent;
}

static int
row_cb(void *ctx, const struct store_row *r, const uint8_t *doc, size_t len,
       const char *mb)
{
    char *out = ctx;

    (void)doc;
    (void)len;
    (void)mb;
    snprintf(out, 200, "%s|%s|%s|%s", r->status, r->priority, r->assignee,
             r->labels ? r->labels : "");
    return 0;
}

static void
row_of(struct store *s, int64_t id, char out[200])
{
    out[0] = 0;
    CHECK(store_get_case(s, id, row_cb, out) == 0, "case %lld read",
          (long long)id);
}

static int
nlog_cb(void *ctx, const struct team_state *st)
{
    *(size_t *)ctx = st->nlog;
    return 0;
}

static size_t
nevents(struct store *s)
{
    size_t n = 0;

    CHECK(store_team_merged(s, uid, nlog_cb, &n) == 0, "events read");
    return n;
}

static int
count_gap(void *ctx, const uint8_t author[32], long have, long last)
{
    (void)author;
    (void)have;
    (void)last;
    ++*(long *)ctx;
    return 0;
}

static int
count_signed(void *ctx, const uint8_t author[32], const char *text,
             const uint8_t sig[64])
{
    struct team_event e;

    if (team_event_verify(&e, text, strlen(text), author, sig) == 0) {
        ++*(long *)ctx;
        team_event_release(&e);
    }
    return 0;
}

static void
test_flow(void)
{
    struct store *sa, *sb, *sc;
    struct team_counts c;
    char path[128], ra[200], rb[200];
    int64_t ida, idb;
    pid_t pid;
    int st;

    snprintf(dir, sizeof dir, "/tmp/case-team-XXXXXX");
    CHECK(mkdtemp(dir) != NULL, "scratch dir");
    CHECK(umbra_org_keys_new(&K, "alpha") == 0 &&
              umbra_org_keys_new(&A, "alpha") == 0 &&
              umbra_org_keys_new(&B, "alpha") == 0 &&
              umbra_org_keys_new(&X, "alpha") == 0,
          "keys");
    bundle_of(&all3, 1);
    bundle_of(&without_b, 0);
    team_case_uid(uid, ENV1, sizeof ENV1);
    sa = open_home("a", A);
    sb = open_home("b", B);
    sc = open_home("c", B);

    /* Ana triages */
    ida = add_case(sa, "1");
    CHECK(store_begin(sa) == 0 &&
              store_set_field(sa, ida, "status", "in-progress", "ana") == 0 &&
              store_add_label(sa, ida, "housing", "ana") == 0 &&
              store_add_note(sa, ida, "called the clinic", "ana") == 0 &&
              store_commit(sa) == 0,
          "Ana's triage");
    snprintf(path, sizeof path, "%s/one.bundle", dir);
    CHECK(ship(sa, A, &all3, path, 0) == 3, "three events shipped");

    /* Ben gets the events before the report: they wait for it */
    CHECK(team_import_file(sb, B, &all3, path, &c) == 0 && c.accepted == 3 &&
              c.pending == 3 && c.refused == 0,
          "3 accepted, pending (%ld %ld %ld)", c.accepted, c.pending,
          c.refused);
    idb = add_case(sb, "1");
    row_of(sb, idb, rb);
    CHECK(strcmp(rb, "in-progress|||housing") == 0,
          "the report arrives and the waiting events apply: %s", rb);
    /* replayed, served twice */
    CHECK(team_import_file(sb, B, &all3, path, &c) == 0 && c.accepted == 0 &&
              c.known == 3,
          "a replay adds nothing (%ld known)", c.known);
    CHECK(nevents(sb) == 3, "three events kept once");

    /* forged: a non-member (X), sealed to the bundle's keys */
    {
        char fpath[128];

        snprintf(fpath, sizeof fpath, "%s/forged.bundle", dir);
        CHECK(store_begin(sa) == 0 &&
                  store_set_field(sa, ida, "status", "closed", "ana") == 0 &&
                  store_commit(sa) == 0,
              "one more event by Ana");
        CHECK(ship(sa, X, &all3, fpath, 0) == 1,
              "signed by X instead of Ana");
        CHECK(team_import_file(sb, B, &all3, fpath, &c) == 0 &&
                  c.refused == 1 && c.accepted == 0,
              "an event signed by a non-member is refused");
        row_of(sb, idb, rb);
        CHECK(strncmp(rb, "in-progress", 11) == 0,
              "and changes nothing: %s", rb);
        /* Ben removed: the bundle without him */
        CHECK(store_begin(sb) == 0 &&
                  store_add_note(sb, idb, "from Ben", "ben") == 0 &&
                  store_commit(sb) == 0,
              "a note by Ben");
        snprintf(fpath, sizeof fpath, "%s/removed.bundle", dir);
        CHECK(ship(sb, B, &all3, fpath, 0) == 1, "Ben's note shipped");
        CHECK(team_import_file(sa, A, &without_b, fpath, &c) == 0 &&
                  c.refused == 1,
              "a removed member's event is refused");
        /* sealed after Ben's removal: Ben cannot open it */
        snprintf(fpath, sizeof fpath, "%s/after.bundle", dir);
        CHECK(store_begin(sa) == 0 &&
                  store_add_note(sa, ida, "secret after removal", "ana") ==
                      0 &&
                  store_commit(sa) == 0,
              "a note after Ben's removal");
        CHECK(ship(sa, A, &without_b, fpath, 0) == 1,
              "the note sealed without Ben's key");
        CHECK(team_import_file(sb, B, &all3, fpath, &c) == 0 &&
                  c.refused == 1 && c.accepted == 0,
              "the removed member opens nothing new (%ld refused)",
              c.refused);
    }

    /* SIGKILL mid-merge: nothing of the transaction stays */
    {
        char home[128];
        struct store *s2 = NULL;

        snprintf(home, sizeof home, "%s/d", dir);
        CHECK(mkdir(home, 0700) == 0 &&
                  store_create(home, B->store_key, "alpha") == 0,
              "home d");
        pid = fork();
        if (pid == 0) {
            struct store *s = NULL;

            setenv("UMBRA_CASE_TEST_KILL_AFTER_EVENTS", "2", 1);
            if (store_open(&s, home, B->store_key, 1) != 0)
                _exit(3);
            if (team_import_file(s, B, &all3, path, &c) != 0)
                _exit(5);
            _exit(4);
        }
        CHECK(pid > 0 && waitpid(pid, &st, 0) == pid && WIFSIGNALED(st) &&
                  WTERMSIG(st) == SIGKILL,
              "the import was killed mid-merge");
        CHECK(store_open(&s2, home, B->store_key, 1) == 0, "reopened");
        CHECK(s2 && nevents(s2) == 0,
              "after SIGKILL the store holds none of the events");
        CHECK(s2 && team_import_file(s2, B, &all3, path, &c) == 0 &&
                  c.accepted == 3 && nevents(s2) == 3,
              "the next import merges them all");
        store_close(s2);
    }

    /* Ana and Ben set the status the same day without seeing each other */
    {
        char pa[128], pb[128];

        snprintf(pa, sizeof pa, "%s/ana2.bundle", dir);
        snprintf(pb, sizeof pb, "%s/ben2.bundle", dir);
        CHECK(store_begin(sa) == 0 &&
                  store_set_field(sa, ida, "priority", "urgent", "ana") == 0 &&
                  store_commit(sa) == 0 &&
                  store_begin(sb) == 0 &&
                  store_set_field(sb, idb, "priority", "low", "ben") == 0 &&
                  store_commit(sb) == 0,
              "concurrent priorities");
        CHECK(ship(sa, A, &all3, pa, 0) >= 1 && ship(sb, B, &all3, pb, 0) >= 1,
              "shipped both ways");
        CHECK(team_import_file(sa, A, &all3, pb, &c) == 0 &&
                  team_import_file(sb, B, &all3, pa, &c) == 0,
              "each imports the other's");
        /* Ana's earlier events Ben refused (sealed without him) aside,
         * re-import the ones both can read */
        row_of(sa, ida, ra);
        row_of(sb, idb, rb);
        CHECK(strstr(ra, "|urgent|") || strstr(ra, "|low|"),
              "a priority won: %s", ra);
        CHECK(strcmp(strchr(ra, '|'), strchr(rb, '|')) == 0,
              "both members have the same priority, assignee and labels: "
              "'%s' / '%s'",
              ra, rb);
    }
    /* a gap: home c gets Ana's seq 1..3 and 6, not 4 (signed by X: never
     * sent in her name) nor 5 (sealed without Ben's key) */
    {
        char pa[128];
        long gaps = 0;

        snprintf(pa, sizeof pa, "%s/ana2.bundle", dir);
        CHECK(team_import_file(sc, B, &all3, path, &c) == 0 &&
                  store_team_gaps(sc, count_gap, &gaps) == 0 && gaps == 0,
              "seq 1..3: no gap");
        CHECK(team_import_file(sc, B, &all3, pa, &c) == 0 &&
                  store_team_gaps(sc, count_gap, &gaps) == 0 && gaps == 1,
              "seq 1..3 and 6: a gap found (%ld)", gaps);
    }
    /* Ben's key rotated: a new member file (key B2) replaces his old one
     * in the bundle; what the old key signs is refused from then on, what
     * the new one signs is taken */
    {
        struct umbra_org_keys *B2 = NULL;
        struct umbra_bundle rot;
        struct umbra_enc_key keys[3];
        struct umbra_signer sg[3];
        char *json = NULL, fpath[128];
        struct store *sb2;

        CHECK(umbra_org_keys_new(&B2, "alpha") == 0, "Ben's new key");
        memset(sg, 0, sizeof sg);
        keys[0] = K->enc[0];
        keys[1] = A->enc[0];
        keys[2] = B2->enc[0];
        snprintf(sg[0].name, sizeof sg[0].name, "Kim");
        memcpy(sg[0].sign_pk, K->sign_pk, 32);
        snprintf(sg[1].name, sizeof sg[1].name, "Ana");
        memcpy(sg[1].sign_pk, A->sign_pk, 32);
        snprintf(sg[2].name, sizeof sg[2].name, "Ben");
        memcpy(sg[2].sign_pk, B2->sign_pk, 32);
        sg[0].may = sg[1].may = sg[2].may = UMBRA_MAY_EVENTS;
        CHECK(umbra_bundle_export_full(&json, K, keys, 3, 4, sg, 3) == 0 &&
                  umbra_bundle_parse(&rot, json, strlen(json)) == 0,
              "the bundle with Ben's new key");
        free(json);
        CHECK(store_begin(sb) == 0 &&
                  store_add_note(sb, idb, "by the old key", "ben") == 0 &&
                  store_commit(sb) == 0,
              "a note signed with Ben's old key");
        snprintf(fpath, sizeof fpath, "%s/old-key.bundle", dir);
        CHECK(ship(sb, B, &rot, fpath, 0) == 1, "shipped");
        CHECK(team_import_file(sa, A, &rot, fpath, &c) == 0 &&
                  c.refused == 1 && c.accepted == 0,
              "an event signed with a rotated-out key is refused");
        sb2 = open_home("b2", B2);
        (void)add_case(sb2, "1");
        CHECK(store_begin(sb2) == 0 &&
                  store_add_note(sb2, 1, "by the new key", "ben") == 0 &&
                  store_commit(sb2) == 0,
              "a note signed with Ben's new key");
        snprintf(fpath, sizeof fpath, "%s/new-key.bundle", dir);
        CHECK(ship(sb2, B2, &rot, fpath, 0) == 1, "shipped");
        CHECK(team_import_file(sa, A, &rot, fpath, &c) == 0 &&
                  c.accepted == 1 && c.refused == 0,
              "the new key's event is taken");
        store_close(sb2);
        umbra_org_keys_free(B2);
    }

    /* the signatures are kept: a share can pass the events on */
    {
        long n = 0;

        CHECK(store_team_signed(sb, uid, count_signed, &n) == 0 && n >= 3,
              "Ben's store keeps %ld signed events of the case", n);
        n = 0;
        CHECK(store_team_signed(sa, uid, count_signed, &n) == 0 && n >= 3,
              "Ana's store keeps %ld signed events (her own, once pushed)",
              n);
    }
    store_close(sc);
    store_close(sa);
    store_close(sb);
    umbra_org_keys_free(K);
    umbra_org_keys_free(A);
    umbra_org_keys_free(B);
    umbra_org_keys_free(X);
    test_rmtree(dir);
}

CHECK_MAIN(test_flow)
