/* SPDX-License-Identifier: AGPL-3.0-or-later */
/* budget: see budget.h. */
#include "budget.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define BODY_BUDGET_FLOOR (64u * 1024u * 1024u)

static size_t budget_total, budget_large; /* bytes held (atomic) */
static size_t budget_limit = BODY_BUDGET_FLOOR; /* set by budget_init */

static size_t
large_limit(void)
{
    return budget_limit - budget_limit / 4;
}

int
budget_fits(uint64_t more, int large)
{
    size_t t = __atomic_load_n(&budget_total, __ATOMIC_RELAXED);
    size_t l = __atomic_load_n(&budget_large, __ATOMIC_RELAXED);
    if (t > budget_limit || more > budget_limit - t)
        return 0;
    if (large && (l > large_limit() || more > large_limit() - l))
        return 0;
    return 1;
}

void
budget_give(struct req *r)
{
    if (!r->reserved)
        return;
    __atomic_sub_fetch(&budget_total, r->reserved, __ATOMIC_RELAXED);
    if (r->large)
        __atomic_sub_fetch(&budget_large, r->reserved, __ATOMIC_RELAXED);
    r->reserved = 0;
}

int
budget_take(struct req *r, size_t n)
{
    int ok = __atomic_add_fetch(&budget_total, n, __ATOMIC_RELAXED) <=
             budget_limit;
    if (r->large &&
        __atomic_add_fetch(&budget_large, n, __ATOMIC_RELAXED) > large_limit())
        ok = 0;
    r->reserved += n;
    if (ok)
        return 0;
    budget_give(r);
    return -1;
}

void
budget_busy(struct req *r)
{
    reply_error(r, 503, "busy",
                "too many request bodies in flight; try again shortly");
    r->res.close = 1;
}

/* The memory this process may use: the machine's, or its cgroup v2
 * memory.max (systemd's MemoryMax=) when that is lower. */
static uint64_t
memory_available(void)
{
    long pages = sysconf(_SC_PHYS_PAGES), psz = sysconf(_SC_PAGESIZE);
    uint64_t mem = pages > 0 && psz > 0 ? (uint64_t)pages * (uint64_t)psz
                                        : (uint64_t)1 << 30;
    char line[512], path[600], val[32];
    FILE *f = fopen("/proc/self/cgroup", "r");
    if (!f)
        return mem;
    while (fgets(line, sizeof line, f)) {
        if (strncmp(line, "0::", 3) != 0)
            continue;
        line[strcspn(line, "\n")] = '\0';
        snprintf(path, sizeof path, "/sys/fs/cgroup%s/memory.max", line + 3);
        FILE *m = fopen(path, "r");
        uint64_t v;
        if (m && fgets(val, sizeof val, m)) {
            val[strcspn(val, "\n")] = '\0';
            if (parse_u64(&v, val, 1, UINT64_MAX) == 0 && v < mem)
                mem = v;
        }
        if (m)
            fclose(m);
    }
    fclose(f);
    return mem;
}

size_t
budget_init(void)
{
    uint64_t b = srv.cfg.body_budget_bytes;
    if (b == 0) {
        b = memory_available() / 4;
        if (b < BODY_BUDGET_FLOOR)
            b = BODY_BUDGET_FLOOR;
    }
    budget_limit = b > SIZE_MAX / 2 ? SIZE_MAX / 2 : (size_t)b;
    return budget_limit;
}
