/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * bench_stats: `umbra-case stats` over N cases (default 1,000,000) in a real
 * SQLCipher case store, against simply reading those cases from the store
 * (store_facts_each with a callback that does nothing), in the same run.
 * Target: stats <= 1.5 x the read, counted without the audit
 * (--protection 0); the same tables with the audit (the default) are run
 * once more and the audit's time printed on its own line.
 *
 *   bench_stats [N]
 *
 * Prints the figures, then "N passed, N failed" (failed if a run errs or
 * the ratio is above the target).
 */
#include "facts.h"
#include "stats.h"
#include "store.h"
#include "umbra.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double
now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static unsigned long seen;

static int
noop(void *ctx, const struct case_facts *f)
{
    (void)ctx;
    (void)f;
    seen++;
    return 0;
}

static const char *const CC[] = {"TH", "BR", "FR", "ES", "AR", "LA",
                                 "KH", "MM", "PT", "",   "GB", "DE"};
static const char *const LG[] = {"th", "pt-BR", "fr", "es", "en",
                                 "ar", "lo",    "my", ""};

int
main(int argc, char **argv)
{
    unsigned long n = argc > 1 ? strtoul(argv[1], NULL, 10) : 1000000ul;
    unsigned long groups = 2000, per, i, done = 0;
    char home[] = "/tmp/umbra-bench-stats-XXXXXX", cmd[300];
    uint8_t key[32];
    struct store *s = NULL;
    double t0, fill, read_best = 1e9, stats_best[2] = {1e9, 1e9};
    /* the counting, timed without the audit (--protection 0); the audit
     * (GLPK) is timed on its own afterwards, as the issue asks */
    const char *runs[2][14] = {
        {"stats", "--by", "category,period", "--period", "month", "--format",
         "csv", "--out", "/dev/null", "--protection", "0", NULL},
        {"stats", "--by", "region,lang", "--format", "json", "--out",
         "/dev/null", "--protection", "0", NULL},
    };
    double audited[2] = {0, 0};
    const char *names[2] = {"category x month", "country x language"};
    int r, k, failed = 0, passed = 0;

    if (n == 0)
        n = 1000000ul;
    if (umbra_secure_init() != 0 || mkdtemp(home) == NULL)
        return 1;
    umbra_randombytes(key, sizeof key);
    if (store_create(home, key, "bench") != 0 ||
        store_open(&s, home, key, 1) != 0) {
        fprintf(stderr, "cannot make a store in %s\n", home);
        return 1;
    }
    /* n cases in 2000 groups of identical facts (store_add_synthetic adds
     * copies of one case), spread over 2024-2026, categories, countries */
    per = n / groups;
    t0 = now();
    for (i = 0; i < groups && done < n; i++) {
        struct case_facts f;
        unsigned long c = i + 1 == groups ? n - done : per;

        memset(&f, 0, sizeof f);
        snprintf(f.received, sizeof f.received, "%04lu-%02lu-%02lu",
                 2024 + i % 3, 1 + i % 12, 1 + i % 28);
        snprintf(f.country, sizeof f.country, "%s", CC[i % 12]);
        snprintf(f.lang, sizeof f.lang, "%s", LG[i % 9]);
        f.categories = (uint32_t)(1u << (i % 13)) | (i % 5 == 0 ? 2u : 0u);
        f.needs = (uint32_t)(i % 64);
        f.perpetrator = (int)(i % 9) - 1;
        f.consent_statistics = i % 10 != 0;
        if (store_add_synthetic(s, &f, c) != 0) {
            fprintf(stderr, "fill failed\n");
            return 1;
        }
        done += c;
    }
    fill = now() - t0;
    printf("bench-stats: %lu cases filled in %.1f s (setup, not a figure)\n",
           done, fill);
    /* alternate read and stats three times; keep the best of each */
    for (k = 0; k < 3; k++) {
        int q;

        seen = 0;
        t0 = now();
        r = store_facts_each(s, noop, NULL);
        t0 = now() - t0;
        if (r != 0 || seen != done)
            failed++;
        if (t0 < read_best)
            read_best = t0;
        for (q = 0; q < 2; q++) {
            int argc2 = 0;

            while (runs[q][argc2] != NULL)
                argc2++;
            t0 = now();
            r = stats_main(s, argc2, (char **)(uintptr_t)runs[q]);
            t0 = now() - t0;
            if (r != 0)
                failed++;
            if (t0 < stats_best[q])
                stats_best[q] = t0;
        }
    }
    printf("bench-stats: read %lu cases (no-op callback): %.2f s\n", done,
           read_best);
    for (k = 0; k < 2; k++) {
        double ratio = stats_best[k] / read_best;

        printf("bench-stats: stats by %s: %.2f s = %.2f x the read "
               "(target <= 1.5)\n",
               names[k], stats_best[k], ratio);
        if (ratio <= 1.5)
            passed++;
        else
            failed++;
    }
    /* the same tables with the audit (the default), once each */
    for (k = 0; k < 2; k++) {
        int argc2 = 0;

        while (runs[k][argc2] != NULL && strcmp(runs[k][argc2], "--protection"))
            argc2++;
        t0 = now();
        r = stats_main(s, argc2, (char **)(uintptr_t)runs[k]);
        audited[k] = now() - t0;
        if (r != 0)
            failed++;
        printf("bench-stats: stats by %s with the audit: %.2f s (the audit "
               "about %.2f s of it; reported, not part of the ratio)\n",
               names[k], audited[k], audited[k] - stats_best[k]);
    }
    store_close(s);
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", home);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", home);
    printf("%d passed, %d failed\n", passed, failed);
    return failed ? 1 : 0;
}
