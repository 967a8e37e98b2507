/* SPDX-License-Identifier: AGPL-3.0-or-later */
/* cgroup: see cgroup.h. */
#define _GNU_SOURCE
#include "cgroup.h"
#include "umbra.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <unistd.h>

#define CG_ROOT "/sys/fs/cgroup"
#define AUTO_NAME "umbra-kdf"

static int
exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0;
}

/* Writes s to path; 0 or -1 (errno set). */
static int
write_str(const char *path, const char *s)
{
    int fd = open(path, O_WRONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    size_t n = strlen(s);
    ssize_t w = write(fd, s, n);
    int e = errno;
    close(fd);
    if (w != (ssize_t)n) {
        errno = w < 0 ? e : EIO;
        return -1;
    }
    return 0;
}

/* Reads the first line of path into out (newline stripped); 0 or -1. */
static int
read_line(const char *path, char *out, size_t n)
{
    FILE *f = fopen(path, "re");
    if (!f)
        return -1;
    int rc = fgets(out, (int)n, f) ? 0 : -1;
    fclose(f);
    if (rc == 0)
        out[strcspn(out, "\n")] = '\0';
    return rc;
}

/* Does the comma-separated list have the element "cpu"? */
static int
has_cpu(const char *list, size_t n)
{
    const char *p = list, *end = list + n;
    while (p < end) {
        const char *c = memchr(p, ',', (size_t)(end - p));
        size_t len = (size_t)((c ? c : end) - p);
        if (len == 3 && memcmp(p, "cpu", 3) == 0)
            return 1;
        p = c ? c + 1 : end;
    }
    return 0;
}

/* The directory of this process's cgroup in the cpu controller, with
 * "/umbra-kdf.PID" appended; 0 or -1. */
static int
resolve_auto(char *dir, size_t dir_size, char *why, size_t why_size)
{
    int v2 = exists(CG_ROOT "/cgroup.controllers");
    const char *mounts[] = {CG_ROOT "/cpu", CG_ROOT "/cpu,cpuacct",
                            CG_ROOT "/cpuacct,cpu"};
    const char *mount = v2 ? CG_ROOT : NULL;
    if (!v2) {
        for (size_t i = 0; i < sizeof mounts / sizeof mounts[0]; i++)
            if (exists(mounts[i])) {
                mount = mounts[i];
                break;
            }
    }
    if (!mount) {
        snprintf(why, why_size, "no cpu controller under " CG_ROOT);
        return -1;
    }
    FILE *f = fopen("/proc/self/cgroup", "re");
    if (!f) {
        snprintf(why, why_size, "cannot read /proc/self/cgroup");
        return -1;
    }
    char line[1024], path[900] = "";
    int found = 0;
    while (!found && fgets(line, sizeof line, f)) {
        line[strcspn(line, "\n")] = '\0';
        /* hierarchy-id:controllers:path */
        char *a = strchr(line, ':');
        char *b = a ? strchr(a + 1, ':') : NULL;
        if (!b)
            continue;
        if (v2 ? (strncmp(line, "0:", 2) == 0 && b == a + 1)
               : has_cpu(a + 1, (size_t)(b - a - 1))) {
            if (snprintf(path, sizeof path, "%s", b + 1) >= (int)sizeof path)
                break;
            found = 1;
        }
    }
    fclose(f);
    if (!found) {
        snprintf(why, why_size, "no cpu cgroup in /proc/self/cgroup");
        return -1;
    }
    const char *sep = strcmp(path, "/") == 0 ? "" : path;
    if (snprintf(dir, dir_size, "%s%s/" AUTO_NAME ".%ld", mount, sep,
                 (long)getpid()) >= (int)dir_size) {
        snprintf(why, why_size, "cgroup path too long");
        return -1;
    }
    return 0;
}

/* Does the cgroup dir hold no thread? cgroup.threads (v2) or tasks (v1)
 * empty; a cgroup we cannot read counts as busy. */
static int
holds_no_thread(const char *dir)
{
    char p[1400], line[64];
    if (snprintf(p, sizeof p, "%s/cgroup.threads", dir) >= (int)sizeof p)
        return 0;
    if (!exists(p) && snprintf(p, sizeof p, "%s/tasks", dir) >= (int)sizeof p)
        return 0;
    FILE *f = fopen(p, "re");
    if (!f)
        return 0;
    int empty = fgets(line, sizeof line, f) == NULL && !ferror(f);
    fclose(f);
    return empty;
}

/* Is pid a running umbra-server (its comm), other than this process? A
 * process we may not signal still exists; a comm we cannot read, with the
 * process there, counts as a server. */
static int
live_server(long pid)
{
    char p[64], comm[64] = "";
    if (pid <= 0 || pid == (long)getpid())
        return 0;
    if (kill((pid_t)pid, 0) < 0 && errno == ESRCH)
        return 0;
    snprintf(p, sizeof p, "/proc/%ld/comm", pid);
    if (read_line(p, comm, sizeof comm) < 0)
        return exists(p);
    return strcmp(comm, "umbra-server") == 0;
}

/*
 * Removes the stale auto cgroups next to dir (".../umbra-kdf.PID"): those
 * left by a server that died without its cleanup (SIGKILL, a crash), and
 * the shared "umbra-kdf" of older versions. One is stale when it holds no
 * thread and its PID is not a running umbra-server other than us; a live
 * server's is kept even in the instant between its mkdir and its threads'
 * joining. The kernel refuses to remove a cgroup that holds a thread, so a
 * live pool is never taken away whatever the names say. Best effort.
 */
static void
sweep_stale(const char *dir)
{
    char parent[1200], p[1300];
    if (snprintf(parent, sizeof parent, "%s", dir) >= (int)sizeof parent)
        return;
    char *slash = strrchr(parent, '/');
    if (!slash)
        return;
    *slash = '\0';
    DIR *d = opendir(parent);
    if (!d)
        return;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        const char *n = e->d_name;
        size_t l = strlen(AUTO_NAME);
        uint64_t pid = 0;
        if (strncmp(n, AUTO_NAME, l) != 0)
            continue;
        if (n[l] == '.') {
            if (umbra_parse_u64(&pid, n + l + 1, 1, INT32_MAX) != 0)
                continue;
            if (live_server((long)pid))
                continue;
        } else if (n[l] != '\0') {
            continue;
        }
        if (snprintf(p, sizeof p, "%s/%s", parent, n) >= (int)sizeof p)
            continue;
        if (holds_no_thread(p))
            (void)rmdir(p);
    }
    closedir(d);
}

int
cgroup_prepare(const char *spec, char *dir, size_t dir_size, int *created,
               char *why, size_t why_size)
{
    char p[1300];
    *created = 0;
    if (strcmp(spec, "auto") == 0) {
        if (resolve_auto(dir, dir_size, why, why_size) < 0)
            return -1;
        sweep_stale(dir);
    } else if (spec[0] != '/' ||
               snprintf(dir, dir_size, "%s", spec) >= (int)dir_size) {
        snprintf(why, why_size,
                 "kdf_cgroup must be 'auto' or an absolute path");
        return -1;
    }
    if (mkdir(dir, 0755) == 0)
        *created = 1;
    else if (errno != EEXIST) {
        snprintf(why, why_size, "cannot create %s: %s", dir, strerror(errno));
        return -1;
    }
    snprintf(p, sizeof p, "%s/cgroup.type", dir);
    if (exists(p)) {
        /* cgroup v2: the pool's threads join it without the rest of the
         * process, so it must be threaded, with the cpu controller on. */
        char type[64] = "";
        if (read_line(p, type, sizeof type) < 0 ||
            (strcmp(type, "threaded") != 0 && write_str(p, "threaded") < 0)) {
            snprintf(why, why_size, "cannot make %s threaded: %s", dir,
                     strerror(errno));
            goto fail;
        }
        char parent[1200];
        snprintf(parent, sizeof parent, "%s", dir);
        char *slash = strrchr(parent, '/');
        if (slash)
            *slash = '\0';
        snprintf(p, sizeof p, "%s/cgroup.subtree_control", parent);
        if (write_str(p, "+cpu") < 0) {
            snprintf(why, why_size, "cannot enable cpu in %s: %s", parent,
                     strerror(errno));
            goto fail;
        }
    }
    snprintf(p, sizeof p, "%s/cpu.idle", dir);
    if (write_str(p, "1") < 0) {
        snprintf(why, why_size, "cannot set %s: %s", p, strerror(errno));
        goto fail;
    }
    return 0;
fail:
    cgroup_release(dir, *created);
    *created = 0;
    return -1;
}

int
cgroup_join(const char *dir)
{
    char p[1200], tid[32];
    snprintf(p, sizeof p, "%s/cgroup.threads", dir);
    if (!exists(p))
        snprintf(p, sizeof p, "%s/tasks", dir);
    snprintf(tid, sizeof tid, "%ld", (long)syscall(SYS_gettid));
    return write_str(p, tid);
}

void
cgroup_release(const char *dir, int created)
{
    if (created)
        (void)rmdir(dir);
}
