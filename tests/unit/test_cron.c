/* Cron expressions for periodic jobs. */
#include <time.h>
#include "ts_core.h"
#include "tap.h"

static long long
at(int y, int mo, int d, int h, int mi)
{
    struct tm tm = { 0 };
    tm.tm_year = y - 1900; tm.tm_mon = mo - 1; tm.tm_mday = d; tm.tm_hour = h; tm.tm_min = mi;
    return (long long) timegm(&tm);
}

int
main(void)
{
    long long n;
    long long t0 = at(2026, 11, 23, 19, 30);   /* a Monday */
    is_int(ts_cron_next("* * * * *", t0, &n), 0, "every minute parses");
    is_int(n, t0 + 60, "next minute");
    ts_cron_next("0 * * * *", t0, &n);
    is_int(n, at(2026, 11, 23, 20, 0), "hourly");
    ts_cron_next("*/15 * * * *", t0 + 60, &n);
    is_int(n, at(2026, 11, 23, 19, 45), "every 15 minutes");
    ts_cron_next("30 2 * * *", t0, &n);
    is_int(n, at(2026, 11, 24, 2, 30), "daily at 02:30 UTC");
    ts_cron_next("0 9 * * 0", t0, &n);
    is_int(n, at(2026, 11, 29, 9, 0), "Sundays (0)");
    ts_cron_next("0 9 * * 7", t0, &n);
    is_int(n, at(2026, 11, 29, 9, 0), "Sundays (7)");
    ts_cron_next("0 0 1 1 *", t0, &n);
    is_int(n, at(2027, 1, 1, 0, 0), "yearly");
    ts_cron_next("0 8 1-5 * 1-5", t0, &n);
    is_int(n, at(2026, 11, 24, 8, 0), "both day fields: either matches");
    ts_cron_next("5,10 1 * * *", t0, &n);
    is_int(n, at(2026, 11, 24, 1, 5), "lists");
    is_int(ts_cron_next("0 0 30 2 *", t0, &n), -1, "February 30th never comes");
    is_int(ts_cron_next("61 * * * *", t0, &n), -1, "minute out of range");
    is_int(ts_cron_next("* * *", t0, &n), -1, "too few fields");
    is_int(ts_cron_next("* * * * * *", t0, &n), -1, "too many fields");
    is_int(ts_cron_next("*/0 * * * *", t0, &n), -1, "step zero");
    is_int(ts_cron_next("a * * * *", t0, &n), -1, "letters");
    is_int(ts_cron_next("5-1 * * * *", t0, &n), -1, "reversed range");
    return done_testing();
}
