/*
 * report: the rules of the report document that are not tables (the tables
 * are report_vocab.c, generated from report-vocab.json).
 */
#include "umbra.h"

#include <string.h>
#include <time.h>

int
umbra_report_code_index(const char *const *codes, size_t n, const char *s)
{
    size_t i;

    if (s == NULL)
        return -1;
    for (i = 0; i < n; i++)
        if (strcmp(codes[i], s) == 0)
            return (int)i;
    return -1;
}

int
umbra_report_date_valid(const char *s)
{
    static const int mdays[12] = {31, 28, 31, 30, 31, 30,
                                  31, 31, 30, 31, 30, 31};
    size_t n, i;
    int y, m, d, leap;
    char limit[11];
    struct tm tm;
    time_t t;

    if (s == NULL)
        return 0;
    n = strlen(s);
    if (n != 7 && n != 10)
        return 0;
    for (i = 0; i < n; i++) {
        if (i == 4 || i == 7) {
            if (s[i] != '-')
                return 0;
        } else if (s[i] < '0' || s[i] > '9') {
            return 0;
        }
    }
    y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 +
        (s[3] - '0');
    m = (s[5] - '0') * 10 + (s[6] - '0');
    if (m < 1 || m > 12)
        return 0;
    if (n == 10) {
        leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
        d = (s[8] - '0') * 10 + (s[9] - '0');
        if (d < 1 || d > mdays[m - 1] + (m == 2 && leap))
            return 0;
    }
    t = time(NULL) + 24 * 3600;
    if (gmtime_r(&t, &tm) == NULL ||
        strftime(limit, sizeof limit, "%Y-%m-%d", &tm) != 10)
        return 0;
    /* same length, zero-padded: the string order is the date order */
    return strncmp(s, limit, n) <= 0;
}
