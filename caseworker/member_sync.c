/* SPDX-License-Identifier: AGPL-3.0-or-later */
/* member_sync: see member_sync.h. */
#include "member_sync.h"

#include "net.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#define CLAIM_FORMAT "umbra.claim/1"
#define CLAIM_FILE_MAX 4096u

/* The hex SHA-256 of n's token (what follows "Bearer "): 0 or -1. */
static int
token_sha256(const struct net *n, char hex[65])
{
    static const char pre[] = "Authorization: Bearer ";
    uint8_t sha[32];
    size_t len = strlen(n->auth);

    if (len <= sizeof pre - 1 || strncmp(n->auth, pre, sizeof pre - 1) != 0)
        return -1;
    crypto_hash_sha256(sha, (const uint8_t *)n->auth + sizeof pre - 1,
                       len - (sizeof pre - 1));
    sodium_bin2hex(hex, 65, sha, 32);
    return 0;
}

/* The claim JSON for org and token hex, signed with k: malloc'd text. */
static char *
claim_sign(const struct umbra_org_keys *k, const char *org, const char *hex)
{
    char text[256], pk[64], sig_b64[96];
    uint8_t sig[64];
    int len = snprintf(text, sizeof text, CLAIM_FORMAT "\norg %s\ntoken %s\n",
                       org, hex);
    json_t *j;
    char *out;

    if (len < 0 || (size_t)len >= sizeof text ||
        crypto_sign_detached(sig, NULL, (const uint8_t *)text, (size_t)len,
                             k->sign_sk) != 0)
        return NULL;
    sodium_bin2base64(pk, sizeof pk, k->sign_pk, 32,
                      sodium_base64_VARIANT_ORIGINAL);
    sodium_bin2base64(sig_b64, sizeof sig_b64, sig, 64,
                      sodium_base64_VARIANT_ORIGINAL);
    j = json_pack("{s:s,s:s,s:s,s:s,s:s}", "format", CLAIM_FORMAT, "org", org,
                  "token", hex, "signing_key", pk, "signature", sig_b64);
    out = j ? json_dumps(j, JSON_INDENT(2) | JSON_PRESERVE_ORDER) : NULL;
    json_decref(j);
    return out;
}

/* The claim kept in DIR/claim.json if it is for org and this token hex:
 * its parsed JSON (json_decref it), else NULL (nothing said). */
static json_t *
claim_kept(const char *path, const char *org, const char *hex)
{
    json_error_t err;
    json_t *j = json_load_file(path, JSON_REJECT_DUPLICATES, &err);
    const char *o = json_string_value(json_object_get(j, "org"));
    const char *t = json_string_value(json_object_get(j, "token"));

    if (!o || !t || strcmp(o, org) != 0 || strcmp(t, hex) != 0 ||
        !json_is_string(json_object_get(j, "signing_key")) ||
        !json_is_string(json_object_get(j, "signature"))) {
        json_decref(j);
        return NULL;
    }
    return j;
}

int
member_claim(const struct case_opts *o, const struct umbra_org_keys *k,
             struct net *n, const char *org)
{
    char path[CASE_PATH_MAX], hex[65], *text = NULL;
    json_t *claim = NULL, *body = NULL;
    long status = 0;
    int rc = -1;

    if (case_path(path, sizeof path, o, "claim.json") != 0 ||
        token_sha256(n, hex) != 0)
        return -1;
    if (k != NULL) {
        text = claim_sign(k, org, hex);
        if (text == NULL) {
            case_err("cannot sign the claim of the sync token");
            return -1;
        }
        if (case_write_atomic(path, text, strlen(text), 0600) != 0)
            goto out;
        claim = json_loads(text, 0, NULL);
    } else {
        claim = claim_kept(path, org, hex);
        if (claim == NULL && (o->passphrase_file != NULL ||
                              getenv("UMBRA_PASSPHRASE_FILE") != NULL)) {
            /* the passphrase comes without asking: sign the claim now */
            struct umbra_org_keys *mine = NULL;

            if (case_load_keys(&mine, o) != 0)
                return -1;
            rc = member_claim(o, mine, n, org);
            umbra_org_keys_free(mine);
            return rc;
        }
        if (claim == NULL) {
            printf("This sync token is not claimed by this home yet: "
                   "'umbra-case ack' (or a pull with --passphrase-file) "
                   "claims it with the home's key.\n");
            return 0;
        }
    }
    free(text);
    text = json_dumps(claim, JSON_COMPACT);
    if (text == NULL)
        goto out;
    if (net_json(n, "/api/v1/sync/claim", text, &status, &body) != 0)
        goto out;
    rc = 0;
    if (status == 403 || status == 409) {
        /* not a member (yet), or another key's token: before teams */
        net_report(n, "warning: the sync token is not claimed", status, body);
    } else if (status != 200) {
        net_report(n, "cannot claim the sync token", status, body);
        rc = -1;
    }
out:
    free(text);
    json_decref(claim);
    json_decref(body);
    return rc;
}

void
member_print_waiting(const json_t *w)
{
    const json_t *e;
    size_t i, shown = 0;

    json_array_foreach(w, i, e)
    {
        const char *name = json_string_value(json_object_get(e, "name"));
        json_int_t c = json_integer_value(json_object_get(e, "count"));

        if (name == NULL || c <= 0)
            continue;
        fputs(shown++ ? ", " : "Waiting for: ", stdout);
        case_print_safe(stdout, name, strlen(name) > 100 ? 100 : strlen(name),
                        0);
        printf(" %lld", (long long)c);
    }
    if (shown)
        puts(" (reports the server keeps until each member has acked).");
}
