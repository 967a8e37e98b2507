/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * cgroup: an idle CPU cgroup for the Argon2 pool (the `kdf_cgroup` key).
 *
 * Nice values and SCHED_IDLE order threads only inside one scheduling
 * group. PostgreSQL's backends, and anything started in another session
 * (autogroup) or another systemd unit (cgroup), sit in other groups, so a
 * backend woken on a core where an Argon2 thread runs waits for the
 * scheduler's tick (4 ms at HZ=250) however low the thread's priority.
 * A cgroup marked cpu.idle = 1 is preempted at once by any other group:
 * the API's wake-ups then find their core at once and the Argon2 threads
 * still take every cycle nobody else wants.
 *
 * cgroup_prepare resolves "auto" (a child `umbra-kdf.PID` of the process's
 * own cgroup in the cpu controller, cgroup v2 or v1) or takes a directory,
 * creates it if missing, makes it threaded (v2) and sets cpu.idle = 1.
 * Each pool thread then moves itself in with cgroup_join. Failures are
 * reported, not fatal: the pool then runs with kdf_nice alone.
 *
 * A server killed with SIGKILL cannot remove its cgroup. With "auto",
 * cgroup_prepare first removes every sibling `umbra-kdf.PID` (and the
 * shared `umbra-kdf` of older versions) that holds no thread and whose PID
 * is not a running umbra-server: each server has its own cgroup, so one
 * never removes another's. A directory given by path is the operator's and
 * is left as it is.
 */
#ifndef UMBRA_SERVER_CGROUP_H
#define UMBRA_SERVER_CGROUP_H

#include <stddef.h>

/* 0 with the directory in dir and *created set when this call made it;
 * -1 with a one-line reason in why. */
int cgroup_prepare(const char *spec, char *dir, size_t dir_size, int *created,
                   char *why, size_t why_size);
/* Moves the calling thread into dir; 0 or -1 (errno set). */
int cgroup_join(const char *dir);
/* Removes dir if cgroup_prepare created it and no thread is left in it. */
void cgroup_release(const char *dir, int created);

#endif
