/* SPDX-License-Identifier: AGPL-3.0-or-later */
/* reply_edit: a reply from a template, shown, edited or sent as it is
 * (see reply_edit.h). */
#include "reply_edit.h"
#include "case.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <sodium.h>

int
reply_list_templates(const char *lang)
{
    struct reply_template t;
    size_t i;

    for (i = 0; i < reply_template_count(); i++) {
        if (reply_template_find(&t, reply_template_name(i), lang) != 0)
            return CASE_FAIL;
        if (i == 0)
            printf("Reply templates in %s%s%s:\n", t.lang,
                   t.draft ? " (draft translation, not reviewed yet)" : "",
                   t.fallback ? ", as there are none in that language" : "");
        printf("\n%s\n    ", t.name);
        fputs(t.text, stdout);
        fputc('\n', stdout);
    }
    printf("\nUse one with 'umbra-case reply ID --template NAME'.\n");
    return CASE_OK;
}

/* Says which template and language, and the text, on stdout. */
static void
show(const struct reply_template *t)
{
    printf("Template '%s' in %s%s:\n\n", t->name, t->lang,
           t->draft ? " (draft translation, not reviewed yet)" : "");
    fputs(t->text, stdout);
    fputs("\n\n", stdout);
    fflush(stdout);
}

/* A malloc'd copy of text for sending. 0 or -1 (printed). */
static int
copy_out(uint8_t **msg, size_t *len, const char *text)
{
    size_t n = strlen(text);

    *msg = malloc(n + 1);
    if (*msg == NULL) {
        case_err("out of memory");
        return -1;
    }
    memcpy(*msg, text, n + 1);
    *len = n;
    return 0;
}

int
reply_run_editor(const char *path, const char *nothing)
{
    const char *ed = getenv("VISUAL");
    char cmd[1024];
    pid_t pid;
    int st = 0, n;

    if (ed == NULL || ed[0] == '\0')
        ed = getenv("EDITOR");
    if (ed == NULL || ed[0] == '\0')
        ed = "vi";
    /* as git does: the editor may carry its own words ("nano -w") */
    n = snprintf(cmd, sizeof cmd, "%s \"$@\"", ed);
    if (n < 0 || (size_t)n >= sizeof cmd) {
        case_err("$EDITOR is too long");
        return -1;
    }
    fflush(NULL);
    pid = fork();
    if (pid < 0) {
        case_err("cannot start the editor: %s", strerror(errno));
        return -1;
    }
    if (pid == 0) {
        execl("/bin/sh", "sh", "-c", cmd, ed, path, (char *)NULL);
        _exit(127);
    }
    while (waitpid(pid, &st, 0) < 0) {
        if (errno != EINTR) {
            case_err("cannot wait for the editor: %s", strerror(errno));
            return -1;
        }
    }
    if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
        case_err("the editor '%s' failed; %s", ed, nothing);
        return -1;
    }
    return 0;
}

void
reply_wipe_file(const char *path)
{
    static const uint8_t zero[4096];
    struct stat sb;
    FILE *f;

    if (stat(path, &sb) == 0 && (f = fopen(path, "r+b")) != NULL) {
        off_t left = sb.st_size;

        while (left > 0) {
            size_t k = left > (off_t)sizeof zero ? sizeof zero : (size_t)left;

            if (fwrite(zero, 1, k, f) != k)
                break;
            left -= (off_t)k;
        }
        fflush(f);
        (void)fsync(fileno(f));
        fclose(f);
    }
    (void)unlink(path);
}

/* --edit: the text through the editor. 0, 1 (cancelled) or -1. */
static int
edit(uint8_t **msg, size_t *len, const char *text, const char *home)
{
    char path[CASE_PATH_MAX];
    uint8_t *buf = NULL;
    size_t n = 0;
    int fd, rc = -1, k;

    if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
        case_err("--edit needs a terminal; use --yes to send the template "
                 "as it is, or write the reply to a file for "
                 "--message-file");
        return -1;
    }
    k = snprintf(path, sizeof path, "%s/reply-draft.XXXXXX", home);
    if (k < 0 || (size_t)k >= sizeof path) {
        case_err("path too long under '%s'", home);
        return -1;
    }
    fd = mkstemp(path); /* mode 0600 */
    if (fd < 0) {
        case_err("cannot make a draft file in '%s': %s", home,
                 strerror(errno));
        return -1;
    }
    n = strlen(text);
    k = write(fd, text, n) == (ssize_t)n && write(fd, "\n", 1) == 1;
    if (close(fd) != 0 || !k) {
        case_err("cannot write the draft file '%s': %s", path,
                 strerror(errno));
        goto out;
    }
    if (reply_run_editor(path, "nothing was queued") != 0)
        goto out;
    if (case_read_file(&buf, &n, path, REPLY_MESSAGE_MAX) != 0) {
        case_err("cannot read the edited reply: %s",
                 errno == EFBIG ? "longer than 16 KiB" : strerror(errno));
        goto out;
    }
    while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == ' ' ||
                     buf[n - 1] == '\r' || buf[n - 1] == '\t'))
        buf[--n] = 0;
    if (n == 0) {
        fprintf(stderr, "The reply is empty: nothing was queued.\n");
        rc = 1;
        goto out;
    }
    if (!umbra_utf8_valid(buf, n)) {
        case_err("the edited reply is not UTF-8 text; nothing was queued");
        goto out;
    }
    *msg = buf;
    *len = n;
    buf = NULL;
    rc = 0;
out:
    if (buf != NULL) {
        sodium_memzero(buf, n);
        free(buf);
    }
    reply_wipe_file(path);
    return rc;
}

int
reply_template_message(uint8_t **msg, size_t *len,
                       const struct reply_template *t, enum reply_mode mode,
                       const char *home)
{
    *msg = NULL;
    *len = 0;
    if (mode == REPLY_EDIT)
        return edit(msg, len, t->text, home);
    show(t);
    if (mode == REPLY_SHOW) {
        fprintf(stderr, "Not queued: add --yes to queue it as shown, or "
                        "--edit to change it first.\n");
        return 1;
    }
    return copy_out(msg, len, t->text);
}
