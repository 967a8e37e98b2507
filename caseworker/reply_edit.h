/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * reply_edit: `umbra-case reply --template` and `reply --list-templates`:
 * a reply from the translated templates (templates.h), shown first and
 * then sent as it is (--yes) or after the caseworker edits it in their
 * editor (--edit).
 *
 * The flow, so that nothing leaves unseen: without --yes or --edit the
 * text is only shown (exit 0, nothing queued). --yes shows it and queues
 * it. --edit, on a terminal only, writes it to a private file in the home
 * (DIR/reply-draft.XXXXXX, mode 0600), runs $VISUAL, else $EDITOR, else
 * vi on it, reads it back (UTF-8, at most 16 KiB) and wipes the file;
 * saving an empty file cancels.
 */
#ifndef UMBRA_CASE_REPLY_EDIT_H
#define UMBRA_CASE_REPLY_EDIT_H

#include <stddef.h>
#include <stdint.h>

#include "templates.h"
#include "umbra.h"

enum reply_mode {
    REPLY_SHOW, /* print only */
    REPLY_YES,  /* print, then send as it is */
    REPLY_EDIT, /* edit in $VISUAL / $EDITOR, then send */
};

/* The largest reply message, in bytes (as --message-file). */
#define REPLY_MESSAGE_MAX 16384u

/* Prints every template in lang's catalogue (English when it has none):
 * its name, then its text indented. Returns the exit code. */
int reply_list_templates(const char *lang);

/*
 * The message of a reply from template t, as mode says (see above);
 * home is where --edit's file goes. 0: *msg (malloc'd, NUL-terminated,
 * *len bytes; the caller wipes and frees it) is to be sent; 1: nothing to
 * send (shown only, or cancelled; said so on stderr); -1: an error was
 * printed.
 */
int reply_template_message(uint8_t **msg, size_t *len,
                           const struct reply_template *t,
                           enum reply_mode mode, const char *home);

/* Runs $VISUAL, else $EDITOR, else vi on path and waits for it (also
 * alert new / edit). 0 if it exited 0, else -1 after one line ending in
 * "; " + nothing (what was not done). */
int reply_run_editor(const char *path, const char *nothing) UMBRA_WUR;
/* Overwrites the file at path with zeros, then removes it. */
void reply_wipe_file(const char *path);

#endif
