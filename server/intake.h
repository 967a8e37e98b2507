/*
 * intake: group commit for API reports. The HTTP thread suspends each
 * request whose envelope passed the checks and queues it here; writer
 * threads (each with its own intake connection) take everything queued, up
 * to batch_max rows, send BEGIN, one prepared INSERT per row and COMMIT in
 * one libpq pipeline, and only after COMMIT returned call each item's done
 * callback (which answers 201 and resumes the connection). One fsync covers
 * the whole batch, so throughput rises with concurrency while every 201
 * still means "committed with synchronous_commit = on". The no-JS path
 * queues its sealed report (with its mailbox) here too.
 */
#ifndef UMBRA_SERVER_INTAKE_H
#define UMBRA_SERVER_INTAKE_H

#include <stddef.h>
#include <stdint.h>

struct intake_item {
    int org_id;
    const uint8_t *data;
    size_t len;
    const uint8_t *mailbox_id; /* NULL, or 32 bytes: insert it too */
    void (*done)(void *ctx, int ok); /* ok: 1 committed, 0 not stored */
    void *ctx;
    struct intake_item *next;
};

/* Starts writers; 0 or -1. */
int intake_start(const char *conninfo, unsigned writers, unsigned batch_max,
                 unsigned max_pending) __attribute__((warn_unused_result));
/* Answers what is queued, joins the writers. */
void intake_stop(void);
/* 1 if another item may be queued. */
int intake_has_room(void);
/* Queues it (the caller keeps it alive until done runs). */
void intake_push(struct intake_item *it);

#endif
