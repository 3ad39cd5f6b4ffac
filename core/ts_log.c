/* Log lines on stderr: one per request, and errors with their place in the code. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "ts_core.h"

static char prefix[32] = "tesoro";
static int max_level = TS_LOG_INFO;

/* The CLI keeps its output for the user: only warnings and errors. */
void
ts_log_set_level(int level)
{
    max_level = level;
}

void
ts_log_set_prefix(const char *who)
{
    snprintf(prefix, sizeof(prefix), "%s", who);
}

static size_t
stamp(char *buf, size_t len)
{
    struct timespec ts;
    struct tm tm;
    clock_gettime(CLOCK_REALTIME, &ts);
    gmtime_r(&ts.tv_sec, &tm);
    size_t n = strftime(buf, len, "%Y-%m-%dT%H:%M:%S", &tm);
    n += (size_t) snprintf(buf + n, len - n, ".%03ldZ %s[%d] ", ts.tv_nsec / 1000000, prefix,
                           (int) getpid());
    return n;
}

/* One write(2) per line, so lines of concurrent workers never interleave. */
static void
emit(char *line, size_t n, size_t cap)
{
    if (n >= cap - 1) {
        n = cap - 2;
    }
    line[n++] = '\n';
    ssize_t w = write(STDERR_FILENO, line, n);
    (void) w;
}

void
ts_log_at(int level, const char *file, int line, const char *fmt, ...)
{
    static const char *names[] = { "error", "warn", "info" };
    if (level > max_level) {
        return;
    }
    char buf[2048];
    size_t n = stamp(buf, sizeof(buf));
    const char *base = strrchr(file, '/');
    n += (size_t) snprintf(buf + n, sizeof(buf) - n, "%s %s:%d: ",
                           names[level < 0 || level > 2 ? 0 : level],
                           base ? base + 1 : file, line);
    if (n < sizeof(buf)) {
        va_list ap;
        va_start(ap, fmt);
        int m = vsnprintf(buf + n, sizeof(buf) - n, fmt, ap);
        va_end(ap);
        n += m > 0 ? (size_t) m : 0;
    }
    emit(buf, n > sizeof(buf) ? sizeof(buf) : n, sizeof(buf));
}

void
ts_log_request(const char *method, const char *path, int status, long us,
               const char *tenant, int64_t user)
{
    char buf[1024];
    size_t n = stamp(buf, sizeof(buf));
    n += (size_t) snprintf(buf + n, sizeof(buf) - n, "%s %.512s %d %ldus tenant=%s user=%lld",
                           method, path, status, us, tenant ? tenant : "-", (long long) user);
    emit(buf, n > sizeof(buf) ? sizeof(buf) : n, sizeof(buf));
}
