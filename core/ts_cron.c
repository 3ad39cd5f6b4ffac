/* Cron expressions: "minute hour day-of-month month day-of-week", in UTC. */
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "ts_core.h"

typedef struct {
    unsigned long long bits;   /* bit n set when value n matches */
    bool star;
} field_t;

/* One field: a star, "5", "1-5", a star with a step of 15, "1,15,30" and "1-10/2". */
static int
parse_field(const char *s, size_t len, int lo, int hi, field_t *f)
{
    char buf[64];
    if (len == 0 || len >= sizeof(buf)) {
        return TS_ERROR;
    }
    memcpy(buf, s, len);
    buf[len] = '\0';
    f->bits = 0;
    f->star = strcmp(buf, "*") == 0;
    char *save = NULL;
    for (char *part = strtok_r(buf, ",", &save); part; part = strtok_r(NULL, ",", &save)) {
        int a = lo, b = hi, step = 1;
        char *slash = strchr(part, '/');
        if (slash != NULL) {
            *slash = '\0';
            char *end;
            step = (int) strtol(slash + 1, &end, 10);
            if (*end != '\0' || step <= 0) {
                return TS_ERROR;
            }
        }
        if (strcmp(part, "*") != 0) {
            char *end;
            a = (int) strtol(part, &end, 10);
            if (end == part) {
                return TS_ERROR;
            }
            b = a;
            if (*end == '-') {
                char *end2;
                b = (int) strtol(end + 1, &end2, 10);
                if (end2 == end + 1 || *end2 != '\0') {
                    return TS_ERROR;
                }
            } else if (*end != '\0') {
                return TS_ERROR;
            } else if (slash != NULL) {
                b = hi;
            }
        }
        if (a < lo || b > hi || a > b) {
            return TS_ERROR;
        }
        for (int v = a; v <= b; v += step) {
            f->bits |= 1ULL << v;
        }
    }
    return TS_OK;
}

static bool
has(const field_t *f, int v)
{
    return (f->bits >> v) & 1ULL;
}

/* The first minute after `after` that matches; at most four years ahead. */
int
ts_cron_next(const char *expr, long long after, long long *next)
{
    static const int lo[5] = { 0, 0, 1, 1, 0 }, hi[5] = { 59, 23, 31, 12, 7 };
    field_t f[5];
    const char *p = expr;
    for (int i = 0; i < 5; i++) {
        while (*p == ' ' || *p == '\t') {
            p++;
        }
        size_t len = strcspn(p, " \t");
        if (parse_field(p, len, lo[i], hi[i], &f[i]) != TS_OK) {
            return TS_ERROR;
        }
        p += len;
    }
    while (*p == ' ' || *p == '\t') {
        p++;
    }
    if (*p != '\0') {
        return TS_ERROR;
    }
    if (has(&f[4], 7)) {
        f[4].bits |= 1;   /* 7 is Sunday too */
    }
    time_t t = (time_t) (after - after % 60 + 60);
    for (int i = 0; i < 4 * 366 * 24 * 60; i++, t += 60) {
        struct tm tm;
        gmtime_r(&t, &tm);
        if (!has(&f[3], tm.tm_mon + 1) || !has(&f[1], tm.tm_hour) || !has(&f[0], tm.tm_min)) {
            continue;
        }
        /* As in cron: if both day fields are restricted, either may match. */
        bool dom = has(&f[2], tm.tm_mday), dow = has(&f[4], tm.tm_wday);
        bool day = (f[2].star || f[4].star) ? dom && dow : dom || dow;
        if (day) {
            *next = (long long) t;
            return TS_OK;
        }
    }
    return TS_ERROR;
}
