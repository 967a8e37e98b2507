/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * verbs_alert: alert — community alerts ("ugly mugs" warnings, issue 16)
 * drafted from consented cases, edited, signed with a key the
 * organisation's bundle lists for alerts, pushed, withdrawn, and any
 * alert file or feed verified (docs/caseworker-guide.md "Alerts").
 * Here: the command line and new, edit, config, list, show; the rest in
 * verbs_alert_pub.c.
 */
#include "alert_draft.h"
#include "args.h"
#include "case.h"
#include "reply_edit.h"
#include "store.h"
#include "verbs_alert.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char ALERT_USAGE[] =
    "usage: umbra-case [--home DIR] alert new --case ID [--case ID]...\n"
    "           [--lang L]... [--identifier N]... [--unmasked]\n"
    "           [--level info|warning|danger] [--expires DAYS]\n"
    "           [--edit|--no-edit]\n"
    "       umbra-case [--home DIR] alert edit N [--unmasked]\n"
    "       umbra-case [--home DIR] alert list [--json]\n"
    "       umbra-case [--home DIR] alert show N [--json|--file]\n"
    "       umbra-case [--home DIR] alert sign N\n"
    "       umbra-case [--home DIR] alert withdraw N\n"
    "       umbra-case [--home DIR] alert push --server URL --token-file FILE\n"
    "           [--proxy URL] [ALERT.json]\n"
    "       umbra-case [--home DIR] alert verify FILE [--bundle PUBLIC.json]\n"
    "       umbra-case [--home DIR] alert config [--area country|region]\n"
    "\n"
    "new: a draft from cases whose reporters agreed to an alert (a case\n"
    "     without that consent is refused, by number): the area no finer\n"
    "     than 'alert config' says (default: region), whole weeks, what\n"
    "     happened and who did it; identifiers only those you choose by\n"
    "     number (--identifier; the draft lists them), masked unless\n"
    "     --unmasked; expires after DAYS (default 90); a text per --lang\n"
    "     (default en; the others to translate). On a terminal, or with\n"
    "     --edit, it opens in $VISUAL / $EDITOR; --no-edit keeps it as\n"
    "     drafted. Kept in the case store as draft N.\n"
    "edit: a draft in the editor again.   list, show: drafts and alerts.\n"
    "sign: sign draft N with this home's key (the key holder's, or a\n"
    "     member's the bundle lists for alerts); it can no longer change.\n"
    "withdraw: a signed withdrawal of alert N (a draft is just deleted).\n"
    "push: send signed alerts and withdrawals to the server; says what it\n"
    "     answered for each (the passphrase opens the case store). With\n"
    "     ALERT.json (from 'alert show N --file' on an offline laptop),\n"
    "     only that file, and no passphrase.\n"
    "verify: an alert file or a JSON feed of alerts against a public key\n"
    "     bundle (default this home's): valid or invalid per alert, with\n"
    "     why; exit 1 if any is invalid.\n";

static const struct option ALERT_OPTS[] = {
    ARGS_VALUE("case", 'c'),       ARGS_VALUE("lang", 'L'),
    ARGS_VALUE("identifier", 'i'), ARGS_FLAG("unmasked", 'u'),
    ARGS_VALUE("level", 'l'),      ARGS_VALUE("expires", 'x'),
    ARGS_FLAG("edit", 'e'),        ARGS_FLAG("no-edit", 'E'),
    ARGS_FLAG("json", 'j'),        ARGS_FLAG("file", 'f'),
    ARGS_VALUE("bundle", 'b'),     ARGS_VALUE("server", 's'),
    ARGS_VALUE("token-file", 't'), ARGS_VALUE("proxy", 'p'),
    ARGS_VALUE("area", 'a'),       ARGS_LAST,
};

/* Which options each sub-command takes, and what word. */
static const struct sub {
    const char *name, *opts; /* codes of ALERT_OPTS it takes */
    int word; /* 0 none, 'n' an alert number, 'f' a file, 'o' a file or none */
} SUBS[] = {
    {"new", "cLiulxeE", 0},  {"edit", "u", 'n'},   {"list", "j", 0},
    {"show", "jf", 'n'},     {"sign", "", 'n'},    {"withdraw", "", 'n'},
    {"push", "stp", 'o'},      {"verify", "b", 'f'}, {"config", "a", 0},
};
#define NSUBS (sizeof SUBS / sizeof SUBS[0])

static int
sub_why(const char *given)
{
    const char *names[NSUBS], *hint;
    size_t i;

    for (i = 0; i < NSUBS; i++)
        names[i] = SUBS[i].name;
    if (given == NULL)
        case_err("alert needs a sub-command first: new, edit, list, show, "
                 "sign, withdraw, push, verify or config");
    else if (given[0] == '-')
        case_err("alert needs a sub-command before '%s': new, edit, list, "
                 "show, sign, withdraw, push, verify or config",
                 given);
    else if ((hint = args_suggest(given, names, NSUBS)) != NULL)
        case_err("unknown alert sub-command '%s'; did you mean %s?", given,
                 hint);
    else
        case_err("unknown alert sub-command '%s'; see 'umbra-case alert "
                 "--help'",
                 given);
    return -1;
}

/* The command line after "alert SUB" into a. 0 or -1 (printed). */
static int
read_args(struct alert_args *a, const struct sub *sub, int argc, char **argv)
{
    struct args g;
    int k, have_word = 0;
    uint32_t u;

    args_init(&g, argc, argv, ALERT_OPTS);
    while ((k = args_next(&g)) != ARGS_END) {
        if (k == ARGS_WORD && sub->word && !have_word) {
            have_word = 1;
            if (sub->word == 'f' || sub->word == 'o')
                a->file = g.val;
            else if (args_id(g.val, &a->n) != 0) {
                case_err("%s needs an alert number (see 'umbra-case alert "
                         "list'), not '%s'",
                         argv[0], g.val);
                return -1;
            }
            continue;
        }
        if (k == ARGS_WORD || k == ARGS_BAD || k == ARGS_MISSING ||
            strchr(sub->opts, k) == NULL) {
            if (k == ARGS_WORD && have_word)
                case_err("%s takes one %s; '%s' is one too many", argv[0],
                         sub->word == 'n' ? "alert number" : "file", g.val);
            else
                args_why(&g, k);
            return -1;
        }
        switch (k) {
        case 'c':
            if (args_id(g.val, &a->cases[a->ncases]) != 0) {
                case_err("--case needs a case number, not '%s'", g.val);
                return -1;
            }
            a->ncases++;
            break;
        case 'L':
            if (!alert_lang_known(g.val)) {
                case_err("--lang '%s': use one of en es pt-BR fr ro bg ru uk "
                         "zh-CN th vi ar",
                         g.val);
                return -1;
            }
            for (u = 0; u < a->nlangs; u++)
                if (strcmp(a->langs[u], g.val) == 0) {
                    case_err("--lang %s is given twice", g.val);
                    return -1;
                }
            a->langs[a->nlangs++] = g.val;
            break;
        case 'i':
            if (args_u32(g.val, &u) != 0 || u == 0) {
                case_err("--identifier needs the number of an identifier "
                         "(1, 2 ...), not '%s'",
                         g.val);
                return -1;
            }
            a->idents[a->nidents++] = u;
            break;
        case 'u': a->unmasked = 1; break;
        case 'j': a->json = 1; break;
        case 'f': a->signed_file = 1; break;
        case 'e': a->edit = 1; break;
        case 'E': a->no_edit = 1; break;
        case 'l': a->level = g.val; break;
        case 'x': a->expires = g.val; break;
        case 'b': a->bundle = g.val; break;
        case 's': a->server = g.val; break;
        case 't': a->token_file = g.val; break;
        case 'p': a->proxy = g.val; break;
        default: a->area = g.val; break;
        }
    }
    if (sub->word && sub->word != 'o' && !have_word) {
        if (sub->word == 'f')
            case_err("%s needs a file; write it as 'umbra-case %s FILE'",
                     argv[0], argv[0]);
        else
            case_err("%s needs an alert number; write it as 'umbra-case %s "
                     "N'",
                     argv[0], argv[0]);
        return -1;
    }
    return 0;
}

/* What read_args cannot see alone. 0 or -1 (printed). */
static int
check_args(const struct alert_args *a)
{
    uint32_t days;

    if (strcmp(a->sub, "new") == 0 && a->ncases == 0) {
        case_err("alert new needs --case ID (one or more)");
        return -1;
    }
    if (a->ncases > ALERT_MAX_CASES || a->nidents > ALERT_MAX_IDENTS) {
        case_err("at most %u cases and %u identifiers", ALERT_MAX_CASES,
                 ALERT_MAX_IDENTS);
        return -1;
    }
    if (a->edit && a->no_edit) {
        case_err("--edit and --no-edit: choose one");
        return -1;
    }
    if (a->level != NULL && strcmp(a->level, "info") != 0 &&
        strcmp(a->level, "warning") != 0 && strcmp(a->level, "danger") != 0) {
        case_err("--level '%s': use info, warning or danger", a->level);
        return -1;
    }
    if (a->expires != NULL &&
        (args_u32(a->expires, &days) != 0 || days < 1 ||
         days > ALERT_DAYS_MAX)) {
        case_err("--expires needs a number of days from 1 to %u, not '%s'",
                 ALERT_DAYS_MAX, a->expires);
        return -1;
    }
    if (a->area != NULL && strcmp(a->area, "country") != 0 &&
        strcmp(a->area, "region") != 0) {
        case_err("--area '%s': use country or region", a->area);
        return -1;
    }
    if (a->json && a->signed_file) {
        case_err("--json and --file: choose one");
        return -1;
    }
    if (strcmp(a->sub, "push") == 0 && (a->server == NULL ||
                                        a->token_file == NULL)) {
        case_err("alert push needs %s",
                 a->server == NULL ? "--server URL" : "--token-file FILE");
        return -1;
    }
    return 0;
}

int
alert_home_bundle(struct umbra_bundle *b, const struct case_opts *o)
{
    char path[CASE_PATH_MAX];

    if (case_path(path, sizeof path, o, "public.json") != 0)
        return -1;
    return case_load_bundle(b, path);
}

/* ---- new, edit ---------------------------------------------------------- */

/* The draft a through the editor: 0 with *out the edited alert, 1
 * cancelled (said), -1 (printed). An invalid result is shown again with
 * the reason on top while there is a terminal; else it is an error. */
static int
edit_loop(json_t **out, const json_t *a, const json_t *cand,
          const char *cases, const char *home)
{
    char path[CASE_PATH_MAX], why[256];
    char *text = alert_template(a, cand, cases);
    uint8_t *buf = NULL;
    size_t n = 0;
    int rc = -1, k, fd, tries;

    *out = NULL;
    if (text == NULL) {
        case_err("out of memory");
        return -1;
    }
    for (tries = 0; tries < 20; tries++) {
        k = snprintf(path, sizeof path, "%s/alert-draft.XXXXXX", home);
        if (k < 0 || (size_t)k >= sizeof path || (fd = mkstemp(path)) < 0) {
            case_err("cannot make a draft file in '%s'", home);
            break;
        }
        n = strlen(text);
        k = write(fd, text, n) == (ssize_t)n;
        if (close(fd) != 0 || !k) {
            case_err("cannot write the draft file '%s': %s", path,
                     strerror(errno));
            reply_wipe_file(path);
            break;
        }
        free(text);
        text = NULL;
        k = reply_run_editor(path, "the draft was not kept");
        if (k == 0 && case_read_file(&buf, &n, path, ALERT_FILE_MAX) != 0) {
            case_err("cannot read the edited draft: %s",
                     errno == EFBIG ? "longer than 64 KiB" : strerror(errno));
            k = -1;
        }
        reply_wipe_file(path);
        if (k != 0)
            break;
        k = alert_from_template(out, (const char *)buf, n, a, why,
                                sizeof why);
        if (k == 1) {
            fprintf(stderr, "The draft is empty: nothing was kept.\n");
            rc = 1;
            break;
        }
        if (k == 0 && alert_check(*out, 0, why, sizeof why) == 0) {
            rc = 0;
            break;
        }
        json_decref(*out);
        *out = NULL;
        if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
            case_err("the edited draft is not valid: %s; nothing was kept",
                     why);
            break;
        }
        /* again, with the reason on top and what was written below */
        text = malloc(n + strlen(why) + 64);
        if (text == NULL)
            break;
        snprintf(text, n + strlen(why) + 64, "# NOT VALID: %s\n%.*s", why,
                 (int)n, (const char *)buf);
        free(buf);
        buf = NULL;
    }
    free(buf);
    free(text);
    return rc;
}

/* "3,7" of the case numbers. */
static void
case_list(char *out, size_t cap, const int64_t *ids, size_t n)
{
    size_t i, k = 0;

    out[0] = 0;
    for (i = 0; i < n && k + 24 < cap; i++)
        k += (size_t)snprintf(out + k, cap - k, "%s%lld", i ? "," : "",
                              (long long)ids[i]);
}

static int
alert_new(struct case_env *e, const struct alert_args *a)
{
    struct alert_draft_opts d;
    json_t *draft = NULL, *cand = NULL, *edited = NULL;
    char area[16] = "region", cases[ALERT_MAX_CASES * 21 + 1], why[256];
    char *body = NULL;
    uint32_t days = 0;
    int64_t n;
    int rc = CASE_FAIL, k;
    int edit = a->edit || (!a->no_edit && isatty(STDIN_FILENO) &&
                           isatty(STDOUT_FILENO));

    e->need = CASE_KEYS | CASE_STORE | CASE_WRITE;
    if (case_setup(e) != 0)
        return CASE_FAIL;
    if (store_meta_get(e->store, "alert_area", area, sizeof area) < 0)
        return CASE_FAIL;
    if (a->expires != NULL && args_u32(a->expires, &days) != 0)
        return CASE_FAIL;
    memset(&d, 0, sizeof d);
    d.org = e->keys->slug;
    d.cases = a->cases;
    d.ncases = a->ncases;
    d.langs = a->langs;
    d.nlangs = a->nlangs;
    d.idents = a->idents;
    d.nidents = a->nidents;
    d.unmasked = a->unmasked;
    d.level = a->level;
    d.days = days;
    d.region = strcmp(area, "country") != 0;
    case_list(cases, sizeof cases, a->cases, a->ncases);
    if (alert_draft(&draft, &cand, e->store, &d, why, sizeof why) != 0) {
        case_err("%s", why);
        goto out;
    }
    if (edit) {
        k = edit_loop(&edited, draft, cand, cases, e->o->home);
        if (k != 0) {
            rc = k == 1 ? CASE_OK : CASE_FAIL;
            goto out;
        }
        json_decref(draft);
        draft = edited;
    } else if (alert_check(draft, 0, why, sizeof why) != 0) {
        case_err("the draft is not valid: %s", why);
        goto out;
    }
    body = alert_dump(draft);
    if (body == NULL || store_begin(e->store) != 0)
        goto out;
    if (store_alert_add(e->store, &n, json_string_value(json_object_get(
                                          draft, "id")),
                        "alert", cases, body, NULL) != 0 ||
        store_commit(e->store) != 0) {
        store_rollback(e->store);
        goto out;
    }
    printf("Draft alert %lld kept (from %s %s). Check it with 'umbra-case "
           "alert show %lld', then sign it with 'umbra-case alert sign "
           "%lld'.\n",
           (long long)n, a->ncases == 1 ? "case" : "cases", cases,
           (long long)n, (long long)n);
    if (strstr(body, ALERT_TRANSLATE) != NULL)
        printf("Its texts marked [translate] must be translated first "
               "('umbra-case alert edit %lld').\n",
               (long long)n);
    rc = CASE_OK;
out:
    free(body);
    json_decref(draft);
    json_decref(cand);
    return rc;
}

static char *
copy_str(const char *s)
{
    size_t n = strlen(s) + 1;
    char *d = malloc(n);

    if (d != NULL)
        memcpy(d, s, n);
    return d;
}

static int
keep_one(void *ctx, const struct store_alert *r)
{
    struct alert_one *o = ctx;

    o->n = r->n;
    snprintf(o->alert_id, sizeof o->alert_id, "%s", r->alert_id);
    snprintf(o->created, sizeof o->created, "%s", r->created);
    o->kind = copy_str(r->kind);
    o->cases = copy_str(r->cases);
    o->body = copy_str(r->body);
    o->signed_file = copy_str(r->signed_file);
    o->pushed = copy_str(r->pushed);
    o->withdrawn_by = copy_str(r->withdrawn_by);
    if (!o->kind || !o->cases || !o->body || !o->signed_file || !o->pushed ||
        !o->withdrawn_by) {
        case_err("out of memory");
        return -1;
    }
    return 0;
}

void
alert_one_free(struct alert_one *o)
{
    free(o->kind);
    free(o->cases);
    free(o->body);
    free(o->signed_file);
    free(o->pushed);
    free(o->withdrawn_by);
    memset(o, 0, sizeof *o);
}

int
alert_get_one(struct alert_one *o, struct store *s, int64_t n)
{
    int r;

    memset(o, 0, sizeof *o);
    r = store_alert_get(s, n, NULL, keep_one, o);
    if (r == 1)
        case_err("no alert %lld; see 'umbra-case alert list'", (long long)n);
    if (r != 0)
        alert_one_free(o);
    return r == 0 ? 0 : -1;
}

static int
alert_edit(struct case_env *e, const struct alert_args *a)
{
    struct alert_one o;
    json_t *draft = NULL, *cand = NULL, *edited = NULL;
    char *body = NULL;
    int rc = CASE_FAIL, k;

    e->need = CASE_STORE | CASE_WRITE;
    if (case_setup(e) != 0 || alert_get_one(&o, e->store, a->n) != 0)
        return CASE_FAIL;
    if (o.signed_file[0]) {
        case_err("alert %lld is signed and can no longer change; withdraw "
                 "it and draft a new one",
                 (long long)a->n);
        goto out;
    }
    draft = json_loads(o.body, JSON_REJECT_DUPLICATES, NULL);
    if (draft == NULL ||
        alert_candidates(&cand, e->store, o.cases, a->unmasked) != 0) {
        case_err("cannot read draft %lld", (long long)a->n);
        goto out;
    }
    k = edit_loop(&edited, draft, cand, o.cases, e->o->home);
    if (k != 0) {
        rc = k == 1 ? CASE_OK : CASE_FAIL;
        goto out;
    }
    body = alert_dump(edited);
    if (body == NULL || store_alert_set_body(e->store, a->n, body) != 0)
        goto out;
    printf("Draft alert %lld changed.\n", (long long)a->n);
    rc = CASE_OK;
out:
    free(body);
    json_decref(draft);
    json_decref(cand);
    json_decref(edited);
    alert_one_free(&o);
    return rc;
}

/* ---- config, list, show ------------------------------------------------- */

static int
alert_config(struct case_env *e, const struct alert_args *a)
{
    char area[16] = "region";

    e->need = a->area ? CASE_STORE | CASE_WRITE : CASE_STORE;
    if (case_setup(e) != 0)
        return CASE_FAIL;
    if (a->area != NULL) {
        if (store_meta_set(e->store, "alert_area", a->area) != 0)
            return CASE_FAIL;
        printf("New alerts name the area down to the %s.\n", a->area);
        return CASE_OK;
    }
    if (store_meta_get(e->store, "alert_area", area, sizeof area) < 0)
        return CASE_FAIL;
    printf("area: %s\n", area);
    return CASE_OK;
}

static const char *
jstr(const json_t *o, const char *k)
{
    const char *s = json_string_value(json_object_get(o, k));

    return s ? s : "";
}

static int
list_row(void *ctx, const struct store_alert *r)
{
    json_t *out = ctx, *b = json_loads(r->body, 0, NULL), *area, *row;
    const char *st = alert_status(r, b);

    area = json_object_get(b, "area");
    if (out != NULL) {
        row = json_pack("{s:I,s:s,s:s,s:s,s:s,s:s,s:s,s:O*}", "number",
                        (json_int_t)r->n, "id", r->alert_id, "kind",
                        r->kind, "status", st, "cases", r->cases, "pushed",
                        r->pushed, "withdrawn_by", r->withdrawn_by, "alert",
                        b);
        json_array_append_new(out, row);
    } else if (strcmp(r->kind, "withdrawal") == 0) {
        printf("%-4lld %-9s withdrawal of %.8s  issued %s\n",
               (long long)r->n, st, jstr(b, "withdraws"), jstr(b, "issued"));
    } else {
        const char *title =
            jstr(json_array_get(json_object_get(b, "texts"), 0), "title");

        const char *region = jstr(area, "region");

        /* level and dates passed alert_check when kept: no escapes */
        printf("%-4lld %-9s %-7s %s..%s  %s  ", (long long)r->n, st,
               jstr(b, "level"), jstr(json_object_get(b, "period"), "from"),
               jstr(json_object_get(b, "period"), "to"), jstr(b, "expires"));
        case_print_safe(stdout, jstr(area, "country"),
                        strlen(jstr(area, "country")), 0);
        if (region[0])
            putchar(' ');
        case_print_safe(stdout, region, strlen(region), 0);
        fputs(", ", stdout);
        case_print_safe(stdout, title, strlen(title), 0);
        putchar('\n');
    }
    json_decref(b);
    return 0;
}

static int
alert_list(struct case_env *e, const struct alert_args *a)
{
    json_t *out = a->json ? json_array() : NULL;
    int rc;

    e->need = CASE_STORE;
    if (case_setup(e) != 0)
        return CASE_FAIL;
    if (!a->json)
        printf("N    STATUS    LEVEL   PERIOD                  EXPIRES     "
               "AREA, TITLE\n");
    rc = store_alerts_each(e->store, list_row, out);
    if (rc == 0 && out != NULL) {
        json_dumpf(out, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
        putchar('\n');
    }
    json_decref(out);
    return rc == 0 ? CASE_OK : CASE_FAIL;
}

static int
alert_show(struct case_env *e, const struct alert_args *a)
{
    struct alert_one o;
    struct store_alert r;
    json_t *b = NULL, *v;
    size_t i;

    e->need = CASE_STORE;
    if (case_setup(e) != 0 || alert_get_one(&o, e->store, a->n) != 0)
        return CASE_FAIL;
    b = json_loads(o.body, 0, NULL);
    memset(&r, 0, sizeof r);
    r.kind = o.kind;
    r.signed_file = o.signed_file;
    r.pushed = o.pushed;
    r.withdrawn_by = o.withdrawn_by;
    if (a->signed_file) {
        if (!o.signed_file[0]) {
            case_err("alert %lld is a draft: sign it first", (long long)a->n);
            json_decref(b);
            alert_one_free(&o);
            return CASE_FAIL;
        }
        fputs(o.signed_file, stdout); /* its bytes exactly, as pushed */
    } else if (a->json) {
        json_dumpf(b, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
        putchar('\n');
    } else {
        printf("Alert %lld (%s, %s)\nid: %s\n", (long long)o.n, o.kind,
               alert_status(&r, b), o.alert_id);
        if (o.cases[0])
            printf("from cases: %s\n", o.cases);
        if (o.pushed[0])
            printf("pushed: %s\n", o.pushed);
        if (o.withdrawn_by[0])
            printf("withdrawn by: %s\n", o.withdrawn_by);
        printf("issued: %s\n", jstr(b, "issued"));
        if (strcmp(o.kind, "withdrawal") == 0)
            printf("withdraws: %s\n", jstr(b, "withdraws"));
        else {
            const json_t *area = json_object_get(b, "area");

            printf("expires: %s\nlevel: %s\ncountry: ", jstr(b, "expires"),
                   jstr(b, "level"));
            case_print_safe(stdout, jstr(area, "country"),
                            strlen(jstr(area, "country")), 0);
            fputs("\nregion: ", stdout);
            case_print_safe(stdout, jstr(area, "region"),
                            strlen(jstr(area, "region")), 0);
            printf("\nperiod: %s to %s\n",
                   jstr(json_object_get(b, "period"), "from"),
                   jstr(json_object_get(b, "period"), "to"));
            json_array_foreach(json_object_get(b, "identifiers"), i, v)
            {
                printf("identifier: %s ", jstr(v, "kind"));
                case_print_safe(stdout, jstr(v, "value"),
                                strlen(jstr(v, "value")), 0);
                putchar('\n');
            }
            json_array_foreach(json_object_get(b, "texts"), i, v)
            {
                printf("\n[%s]\ntitle: ", jstr(v, "lang"));
                case_print_safe(stdout, jstr(v, "title"),
                                strlen(jstr(v, "title")), 0);
                fputs("\n", stdout);
                case_print_safe(stdout, jstr(v, "body"),
                                strlen(jstr(v, "body")), 1);
                putchar('\n');
            }
        }
    }
    json_decref(b);
    alert_one_free(&o);
    return CASE_OK;
}

int
verb_alert(struct case_env *e, int argc, char **argv)
{
    struct alert_args a;
    const struct sub *sub = NULL;
    char label[40];
    size_t i;
    int rc = CASE_USAGE;

    if (case_help(ALERT_USAGE, argc, argv))
        return CASE_OK;
    for (i = 0; argc >= 2 && i < NSUBS && sub == NULL; i++)
        if (strcmp(argv[1], SUBS[i].name) == 0)
            sub = &SUBS[i];
    if (sub == NULL) {
        (void)sub_why(argc >= 2 ? argv[1] : NULL);
        return case_usage(ALERT_USAGE);
    }
    memset(&a, 0, sizeof a);
    a.sub = sub->name;
    a.cases = calloc((size_t)argc, sizeof *a.cases);
    a.langs = calloc((size_t)argc, sizeof *a.langs);
    a.idents = calloc((size_t)argc, sizeof *a.idents);
    if (a.cases == NULL || a.langs == NULL || a.idents == NULL) {
        case_err("out of memory");
        rc = CASE_FAIL;
        goto out;
    }
    (void)snprintf(label, sizeof label, "alert %s", sub->name);
    argv[1] = label;
    if (read_args(&a, sub, argc - 1, argv + 1) != 0 || check_args(&a) != 0) {
        rc = case_usage(ALERT_USAGE);
        goto out;
    }
    if (strcmp(sub->name, "new") == 0)
        rc = alert_new(e, &a);
    else if (strcmp(sub->name, "edit") == 0)
        rc = alert_edit(e, &a);
    else if (strcmp(sub->name, "config") == 0)
        rc = alert_config(e, &a);
    else if (strcmp(sub->name, "list") == 0)
        rc = alert_list(e, &a);
    else if (strcmp(sub->name, "show") == 0)
        rc = alert_show(e, &a);
    else if (strcmp(sub->name, "sign") == 0)
        rc = alert_sign(e, &a);
    else if (strcmp(sub->name, "withdraw") == 0)
        rc = alert_withdraw(e, &a);
    else if (strcmp(sub->name, "push") == 0)
        rc = alert_push(e, &a);
    else
        rc = alert_verify(e, &a);
out:
    free(a.cases);
    free(a.langs);
    free(a.idents);
    return rc;
}
