/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * stats_dates: days and periods (see stats_dates.h).
 */
#include "stats_dates.h"
#include "umbra.h"

#include <stdio.h>
#include <string.h>

static int
days_in_month(int y, int m)
{
    static const int dm[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;

    return m == 2 && leap ? 29 : dm[m - 1];
}

/* YYYY-MM-DD into y*10000+m*100+d, or -1. */
long
stats_day_of(const char *s)
{
    int y, m, d;

    if (strlen(s) != 10 || s[4] != '-' || s[7] != '-')
        return -1;
    y = umbra_digits_value(s, 4);
    m = umbra_digits_value(s + 5, 2);
    d = umbra_digits_value(s + 8, 2);
    if (y < STATS_FIRST_YEAR || y > STATS_LAST_YEAR || m < 1 || m > 12 ||
        d < 1 || d > days_in_month(y, m))
        return -1;
    return (long)y * 10000 + m * 100 + d;
}

/* --from / --to: YYYY, YYYY-Qn, YYYY-MM or YYYY-MM-DD; the first day
 * (end = 0) or the last day (end = 1) it names. */
long
stats_parse_bound(const char *s, int end)
{
    size_t len = strlen(s);
    int y, m1, m2, d;

    if (len < 4 || (y = umbra_digits_value(s, 4)) < STATS_FIRST_YEAR ||
        y > STATS_LAST_YEAR)
        return -1;
    if (len == 4) {
        m1 = 1;
        m2 = 12;
    } else if (len == 7 && s[4] == '-' && (s[5] == 'Q' || s[5] == 'q') &&
               s[6] >= '1' && s[6] <= '4') {
        m1 = (s[6] - '1') * 3 + 1;
        m2 = m1 + 2;
    } else if (len == 7 && s[4] == '-') {
        m1 = m2 = umbra_digits_value(s + 5, 2);
        if (m1 < 1 || m1 > 12)
            return -1;
    } else if (len == 10) {
        return stats_day_of(s);
    } else {
        return -1;
    }
    d = end ? days_in_month(y, m2) : 1;
    return (long)y * 10000 + (end ? m2 : m1) * 100 + d;
}

void
stats_day_str(char out[11], long day)
{
    unsigned long d = (unsigned long)day;

    snprintf(out, 11, "%04lu-%02lu-%02lu", d / 10000 % 10000, d / 100 % 100,
             d % 100);
}

int
stats_month_index(long day)
{
    return (int)((day / 10000 - STATS_FIRST_YEAR) * 12 + day / 100 % 100 - 1);
}

int
stats_period_of_month(int mi, enum stats_period per)
{
    return per == STATS_MONTH ? mi : per == STATS_QUARTER ? mi / 3 : mi / 12;
}

void
stats_period_key(char *out, size_t cap, int pi, enum stats_period per)
{
    if (per == STATS_MONTH)
        snprintf(out, cap, "%04d-%02d", STATS_FIRST_YEAR + pi / 12,
                 pi % 12 + 1);
    else if (per == STATS_QUARTER)
        snprintf(out, cap, "%04d-Q%d", STATS_FIRST_YEAR + pi / 4, pi % 4 + 1);
    else
        snprintf(out, cap, "%04d", STATS_FIRST_YEAR + pi);
}

/* first day (end = 0) or last day (end = 1) of period pi */
long
stats_period_day(int pi, enum stats_period per, int end)
{
    int mi = per == STATS_MONTH ? pi : per == STATS_QUARTER ? pi * 3 : pi * 12;
    int span = per == STATS_MONTH ? 1 : per == STATS_QUARTER ? 3 : 12;
    int y, m;

    if (end)
        mi += span - 1;
    y = STATS_FIRST_YEAR + mi / 12;
    m = mi % 12 + 1;
    return (long)y * 10000 + m * 100 + (end ? days_in_month(y, m) : 1);
}
