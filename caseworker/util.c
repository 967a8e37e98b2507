/* SPDX-License-Identifier: AGPL-3.0-or-later */
/* util: small helpers every verb of umbra-case uses (see case.h). */
#include "args.h"
#include "case.h"
#include "store.h"
#include "team.h"
#include "strength.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#include <sodium.h>

const char *
case_plural(long long n, const char *one, const char *many)
{
    return n == 1 ? one : many;
}

void
case_err(const char *fmt, ...)
{
    va_list ap;

    fputs("umbra-case: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

int
case_path(char *out, size_t cap, const struct case_opts *o, const char *name)
{
    int n = snprintf(out, cap, "%s/%s", o->home, name);

    if (n < 0 || (size_t)n >= cap) {
        case_err("path too long under '%s'", o->home);
        return -1;
    }
    return 0;
}

int
case_read_stream(uint8_t **out, size_t *len, FILE *f, size_t cap, int secret)
{
    uint8_t *buf = NULL, *nb = NULL;
    size_t have = 0, room = 0;
    int rc = -1;

    *out = NULL;
    *len = 0;
    for (;;) {
        size_t want, got;

        if (have == room) {
            size_t nroom = room ? room * 2 : 65536;

            if (room > cap)
                break;
            if (nroom > cap + 1)
                nroom = cap + 1;
            if (secret) {
                nb = umbra_secret_alloc(nroom + 1);
                if (nb != NULL && buf != NULL)
                    memcpy(nb, buf, have);
                umbra_secret_free(buf);
            } else {
                nb = realloc(buf, nroom + 1);
                if (nb == NULL)
                    free(buf);
            }
            buf = nb;
            if (buf == NULL) {
                errno = ENOMEM;
                goto out;
            }
            room = nroom;
        }
        want = room - have;
        got = fread(buf + have, 1, want, f);
        have += got;
        if (have > cap) {
            errno = EFBIG;
            goto out;
        }
        if (got < want) {
            if (ferror(f)) {
                errno = EIO;
                goto out;
            }
            break;
        }
    }
    if (buf == NULL) {
        buf = secret ? umbra_secret_alloc(1) : malloc(1);
        if (buf == NULL) {
            errno = ENOMEM;
            goto out;
        }
    }
    buf[have] = 0;
    *out = buf;
    *len = have;
    buf = NULL;
    rc = 0;
out:
    if (secret)
        umbra_secret_free(buf);
    else
        free(buf);
    return rc;
}

int
case_read_file(uint8_t **out, size_t *len, const char *path, size_t cap)
{
    FILE *f = fopen(path, "rb");
    int rc, e;

    *out = NULL;
    *len = 0;
    if (f == NULL)
        return -1;
    rc = case_read_stream(out, len, f, cap, 0);
    e = errno;
    fclose(f);
    errno = e;
    return rc;
}

static int
prompt_tty(char *buf, size_t cap, size_t *len, const char *prompt)
{
    struct termios old, quiet;
    int fd = open("/dev/tty", O_RDWR | O_NOCTTY);
    int have_old = 0, rc = -1;
    size_t n = 0;

    if (fd < 0)
        return -1;
    if (tcgetattr(fd, &old) == 0) {
        quiet = old;
        quiet.c_lflag &= (tcflag_t) ~(ECHO | ECHONL);
        quiet.c_lflag |= ICANON;
        if (tcsetattr(fd, TCSAFLUSH, &quiet) == 0)
            have_old = 1;
    }
    if (write(fd, prompt, strlen(prompt)) < 0)
        goto out;
    for (;;) {
        char c;
        ssize_t r = read(fd, &c, 1);

        if (r <= 0) {
            if (r < 0 && errno == EINTR)
                continue;
            break;
        }
        if (c == '\n' || c == '\r')
            break;
        if (n + 1 >= cap)
            goto out;
        buf[n++] = c;
    }
    buf[n] = 0;
    *len = n;
    rc = 0;
out:
    if (have_old)
        (void)tcsetattr(fd, TCSAFLUSH, &old);
    if (write(fd, "\n", 1) < 0)
        rc = rc == 0 ? 0 : -1;
    close(fd);
    return rc;
}

int
case_passphrase(char **out, size_t *len, const struct case_opts *o,
                int confirm)
{
    const char *path = o->passphrase_file;
    char *pw = NULL, *again = NULL;
    uint8_t *data = NULL;
    size_t n = 0, n2 = 0;
    int rc = -1;

    *out = NULL;
    *len = 0;
    if (path == NULL || path[0] == 0)
        path = getenv("UMBRA_PASSPHRASE_FILE");
    if (path != NULL && path[0] != 0) {
        FILE *f = fopen(path, "rb");

        if (f == NULL) {
            case_err("cannot read passphrase file '%s': %s", path,
                     strerror(errno));
            goto out;
        }
        /* room for a 1024-byte passphrase and its "\r\n" */
        if (case_read_stream(&data, &n, f, CASE_PASSPHRASE_MAX + 2, 1) != 0) {
            case_err("cannot read passphrase file '%s': %s", path,
                     errno == EFBIG ? "longer than 1024 bytes"
                                    : strerror(errno));
            fclose(f);
            goto out;
        }
        fclose(f);
        /*
         * The passphrase is used as given (protocol section 4) except for
         * exactly one line ending, "\n" or "\r\n", which an editor or
         * `echo` adds: a second newline, a lone "\r" or trailing spaces
         * are part of the passphrase.
         */
        if (n > 0 && data[n - 1] == '\n') {
            data[--n] = 0;
            if (n > 0 && data[n - 1] == '\r')
                data[--n] = 0;
        }
        if (n > CASE_PASSPHRASE_MAX) {
            case_err("cannot read passphrase file '%s': longer than 1024 "
                     "bytes",
                     path);
            goto out;
        }
        pw = (char *)data;
        data = NULL;
    } else {
        pw = umbra_secret_alloc(CASE_PASSPHRASE_MAX + 1);
        if (pw == NULL) {
            case_err("out of memory");
            goto out;
        }
        if (prompt_tty(pw, CASE_PASSPHRASE_MAX + 1, &n, "Passphrase: ") != 0) {
            case_err("cannot read the passphrase: no terminal; use "
                     "--passphrase-file FILE");
            goto out;
        }
        if (confirm) {
            again = umbra_secret_alloc(CASE_PASSPHRASE_MAX + 1);
            if (again == NULL ||
                prompt_tty(again, CASE_PASSPHRASE_MAX + 1, &n2,
                           "Passphrase again: ") != 0) {
                case_err("cannot read the passphrase");
                goto out;
            }
            if (n != n2 || memcmp(pw, again, n) != 0) {
                case_err("the two passphrases differ; nothing was changed");
                goto out;
            }
        }
    }
    if (n == 0) {
        case_err("the passphrase is empty");
        goto out;
    }
    *out = pw;
    *len = n;
    pw = NULL;
    rc = 0;
out:
    umbra_secret_free(pw);
    umbra_secret_free(again);
    umbra_secret_free(data);
    return rc;
}

int
case_new_passphrase(char **out, size_t *len, const struct case_opts *o,
                    int weak_ok)
{
    char why[200];
    double bits = 0;

    if (case_passphrase(out, len, o, 1) != 0)
        return -1;
    if (!strength_weak(&bits, why, sizeof why, *out, *len))
        return 0;
    if (weak_ok) {
        case_err("keeping a passphrase that is easy to guess (about %.0f "
                 "bits), as --weak-passphrase-ok asks",
                 bits);
        return 0;
    }
    case_err("this passphrase is too easy to guess (about %.0f bits, %d "
             "needed): %s; choose five or more words at random (open a "
             "book at five random pages and take one word from each), or "
             "give --weak-passphrase-ok to keep it anyway",
             bits, STRENGTH_MIN_BITS, why);
    umbra_secret_free(*out);
    *out = NULL;
    *len = 0;
    return -1;
}

int
case_one_word(const char **word, const char *verb, int argc, char **argv,
              const char *noun, const char *meta)
{
    static const struct option none[] = {ARGS_LAST};
    struct args a;
    int k;

    *word = NULL;
    args_init(&a, argc, argv, none);
    while ((k = args_next(&a)) != ARGS_END) {
        if (k == ARGS_WORD && *word == NULL) {
            *word = a.val;
        } else if (k == ARGS_WORD) {
            case_err("%s takes one %s; '%s' is one too many", verb, noun,
                     a.val);
            return -1;
        } else {
            args_why(&a, k);
            return -1;
        }
    }
    if (*word == NULL) {
        case_err("%s needs a %s; write it as 'umbra-case %s %s'", verb, noun,
                 verb, meta);
        return -1;
    }
    return 0;
}

int
case_no_words(int argc, char **argv)
{
    static const struct option none[] = {ARGS_LAST};
    struct args a;
    int k;

    args_init(&a, argc, argv, none);
    k = args_next(&a);
    if (k == ARGS_END)
        return 0;
    args_why(&a, k);
    return -1;
}

int
case_load_keys(struct umbra_org_keys **out, const struct case_opts *o)
{
    char path[CASE_PATH_MAX];
    char *pw = NULL;
    size_t pwlen = 0;
    int rc = -1, err;

    *out = NULL;
    if (case_path(path, sizeof path, o, "keys.umbra") != 0)
        return -1;
    if (access(path, F_OK) != 0) {
        case_err("no key file '%s': is '%s' a home made by 'umbra-case "
                 "init'? (see --home)",
                 path, o->home);
        return -1;
    }
    if (case_passphrase(&pw, &pwlen, o, 0) != 0)
        return -1;
    err = umbra_keyfile_read(out, path, pw, pwlen);
    if (err == UMBRA_ERR_DECRYPT)
        case_err("cannot open key file '%s': wrong passphrase or damaged "
                 "file",
                 path);
    else if (err == UMBRA_ERR_IO)
        case_err("cannot open key file '%s': %s", path, strerror(errno));
    else if (err != 0)
        case_err("cannot open key file '%s': %s", path, umbra_strerror(err));
    else
        rc = 0;
    umbra_secret_free(pw);
    return rc;
}

int
case_write_keys(const char *path, const struct umbra_org_keys *k,
                const char *pw, size_t pwlen,
                const struct umbra_kdf_params *kdf)
{
    int err = umbra_keyfile_write(path, k, pw, pwlen, kdf);

    if (err == 0)
        return 0;
    case_err("cannot write key file '%s': %s", path,
             err == UMBRA_ERR_IO ? strerror(errno) : umbra_strerror(err));
    return -1;
}

int
case_read_capped(uint8_t **out, size_t *len, const char *path, size_t cap,
                 const char *what, const char *too_big)
{
    if (case_read_file(out, len, path, cap) == 0)
        return 0;
    case_err("cannot read %s '%s': %s", what, path,
             errno == EFBIG ? too_big : strerror(errno));
    return -1;
}

int
case_read_bundle(struct umbra_bundle *b, uint8_t **raw, size_t *raw_len,
                 const char *path)
{
    uint8_t *buf = NULL;
    size_t len = 0;
    int err;

    if (case_read_capped(&buf, &len, path, UMBRA_BUNDLE_MAX_BYTES,
                         "public key bundle", "larger than 64 KiB") != 0)
        return -1;
    err = umbra_bundle_parse(b, (const char *)buf, len);
    if (err != 0) {
        case_err("'%s' is not a valid public key bundle: %s", path,
                 umbra_strerror(err));
        free(buf);
        return -1;
    }
    if (raw != NULL) {
        *raw = buf;
        *raw_len = len;
    } else {
        free(buf);
    }
    return 0;
}

int
case_load_bundle(struct umbra_bundle *b, const char *path)
{
    return case_read_bundle(b, NULL, NULL, path);
}

void
case_print_safe(FILE *f, const char *s, size_t len, int keep_newlines)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0;

    while (i < len) {
        uint32_t cp = 0;
        size_t k = umbra_utf8_decode(&cp, p + i, len - i);

        if (k == 0) {
            fprintf(f, "\\x%02x", p[i]);
            i++;
            continue;
        }
        if ((cp == '\n' || cp == '\t') && keep_newlines) {
            fputc((int)cp, f);
        } else if (cp < 0x20 || cp == 0x7f || (cp >= 0x80 && cp < 0xa0)) {
            /* C0, DEL, C1 (incl. CSI U+009B): never to the terminal */
            fputs("\xef\xbf\xbd", f);
        } else if ((cp >= 0x202a && cp <= 0x202e) ||
                   (cp >= 0x2066 && cp <= 0x2069)) {
            /* bidirectional overrides can disguise text: show them */
            fprintf(f, "<U+%04X>", (unsigned)cp);
        } else {
            fwrite(p + i, 1, k, f);
        }
        i += k;
    }
}

int
case_write_atomic(const char *path, const void *buf, size_t len,
                  unsigned mode)
{
    char tmp[CASE_PATH_MAX];
    int fd = -1, rc = -1, n;

    n = snprintf(tmp, sizeof tmp, "%s.tmp", path);
    if (n < 0 || (size_t)n >= sizeof tmp) {
        errno = ENAMETOOLONG;
        return -1;
    }
    fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, (mode_t)mode);
    if (fd < 0)
        return -1;
    if (fchmod(fd, (mode_t)mode) != 0)
        goto out;
    {
        const uint8_t *p = buf;
        size_t left = len;

        while (left > 0) {
            ssize_t w = write(fd, p, left);

            if (w < 0) {
                if (errno == EINTR)
                    continue;
                goto out;
            }
            p += w;
            left -= (size_t)w;
        }
    }
    if (fsync(fd) != 0)
        goto out;
    if (close(fd) != 0) {
        fd = -1;
        goto out;
    }
    fd = -1;
    if (rename(tmp, path) != 0)
        goto out;
    rc = 0;
out:
    if (fd >= 0)
        close(fd);
    if (rc != 0) {
        int e = errno;

        unlink(tmp);
        errno = e;
    }
    return rc;
}

int
case_read_token(char *out, size_t cap, const char *path)
{
    uint8_t *buf = NULL;
    size_t len = 0, i;
    int rc = -1;

    if (case_read_file(&buf, &len, path, 4096) != 0) {
        case_err("cannot read token file '%s': %s", path,
                 errno == EFBIG ? "too large" : strerror(errno));
        return -1;
    }
    while (len > 0 && (buf[len - 1] == '\n' || buf[len - 1] == '\r' ||
                       buf[len - 1] == ' '))
        len--;
    if (len == 0 || len >= cap) {
        case_err("token file '%s' is empty or too long", path);
        goto out;
    }
    for (i = 0; i < len; i++) {
        if (buf[i] <= 0x20 || buf[i] >= 0x7f) {
            case_err("token file '%s' holds a character a token cannot "
                     "have",
                     path);
            goto out;
        }
    }
    memcpy(out, buf, len);
    out[len] = 0;
    rc = 0;
out:
    if (buf != NULL)
        sodium_memzero(buf, len);
    free(buf);
    return rc;
}

/* Prints what to do after store_open's or store_create's errors that carry
 * no message (store.h); returns rc. */
static int
store_advice(int rc, const char *home)
{
    if (rc == STORE_ELOCKED)
        case_err("another umbra-case is changing the case store in '%s'; "
                 "wait for it to finish and try again",
                 home);
    else if (rc == STORE_ENOSTORE)
        case_err("no case store at '%s/cases.db': run 'umbra-case init' "
                 "first or check --home",
                 home);
    return rc;
}

/* The case store's messages, printed as they happen (store.h). */
static void
store_print(void *ctx, const char *msg)
{
    (void)ctx;
    case_err("%s", msg);
}

static const struct store_report STORE_PRINT = {store_print, NULL};

int
case_store_open(struct store **out, const char *home, const uint8_t key[32],
                int write)
{
    return store_advice(store_open_with(out, home, key, write, &STORE_PRINT),
                        home);
}

int
case_store_create(const char *home, const uint8_t key[32], const char *slug)
{
    return store_advice(store_create_with(home, key, slug, &STORE_PRINT),
                        home);
}

int
case_setup(struct case_env *e)
{
    if (!(e->need & (CASE_KEYS | CASE_STORE)) || e->keys != NULL)
        return 0;
    if (case_load_keys(&e->keys, e->o) != 0)
        return -1;
    if ((e->need & CASE_STORE) &&
        case_store_open(&e->store, e->o->home, e->keys->store_key,
                        (e->need & CASE_WRITE) != 0) != 0)
        return -1;
    /* changes made with this home's keys are its member's events */
    if (e->need & CASE_STORE)
        store_team_author(e->store, e->keys->sign_pk);
    if (!(e->need & CASE_KEYS)) {
        /* the store's key was all it needed: no secret kept longer */
        umbra_org_keys_free(e->keys);
        e->keys = NULL;
    }
    return 0;
}

int
case_usage(const char *usage)
{
    fputs(usage, stderr);
    return CASE_USAGE;
}

void
case_why_id(const struct args *a, int k, int have_id)
{
    const char *verb = a->argv[0];

    if (k == ARGS_END)
        case_err("%s needs a case number; write it as 'umbra-case %s ID'",
                 verb, verb);
    else if (k == ARGS_WORD && have_id)
        case_err("%s takes one case number; '%s' is one too many", verb,
                 a->val);
    else if (k == ARGS_WORD)
        case_err("%s needs a case number, not '%s'", verb, a->val);
    else
        args_why(a, k);
}

int
case_usage_id(const struct args *a, int k, int have_id, const char *usage)
{
    case_why_id(a, k, have_id);
    return case_usage(usage);
}

int
case_help(const char *usage, int argc, char **argv)
{
    int i;

    for (i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--") == 0)
            break;
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            fputs(usage, stdout);
            return 1;
        }
    }
    return 0;
}

void
case_who(char *out, size_t cap, const char *given)
{
    const char *w = given;
    size_t i, n = 0;

    if (w == NULL || w[0] == 0)
        w = getenv("UMBRA_CASEWORKER");
    if (w == NULL || w[0] == 0)
        w = getenv("USER");
    if (w == NULL || w[0] == 0)
        w = "caseworker";
    for (i = 0; w[i] != 0 && n + 1 < cap && n < 64; i++) {
        unsigned char c = (unsigned char)w[i];

        out[n++] = (c > 0x20 && c < 0x7f) ? (char)c : '_';
    }
    out[n] = 0;
}
