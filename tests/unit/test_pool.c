/* The request arena: alignment, growth, large blocks, cleanups, reset. */
#include <stdint.h>
#include <string.h>
#include "ts_core.h"
#include "tap.h"

static int cleaned;
static void count_cleanup(void *p) { cleaned += *(int *) p; }

int
main(void)
{
    ts_pool_t *p = ts_pool_create(1024);
    ok(p != NULL, "pool created");
    char *a = ts_palloc(p, 3);
    char *b = ts_palloc(p, 5);
    ok(((uintptr_t) a % 16) == 0 && ((uintptr_t) b % 16) == 0, "allocations are 16-byte aligned");
    ok(b >= a + 3, "allocations do not overlap");
    char *big = ts_palloc(p, 100000);
    ok(big != NULL, "a block larger than the first block is served");
    memset(big, 'x', 100000);
    for (int i = 0; i < 1000; i++) {
        char *s = ts_palloc(p, 100);
        if (s == NULL) { ok(0, "allocation %d failed", i); break; }
        memset(s, 'y', 100);
    }
    ok(ts_pool_used(p) >= 100000 + 100 * 1000, "usage is counted (%zu)", ts_pool_used(p));
    is_str(ts_pstrdup(p, "Jávea"), "Jávea", "pstrdup copies UTF-8");
    is_str(ts_pstrndup(p, "abcdef", 3), "abc", "pstrndup stops at n");
    ok(ts_pstrdup(p, NULL) == NULL, "pstrdup(NULL) is NULL");
    is_str(ts_psprintf(p, "%s-%d", "id", 42), "id-42", "psprintf formats");
    char *z = ts_pcalloc(p, 64);
    int zero = 1;
    for (int i = 0; i < 64; i++) zero &= z[i] == 0;
    ok(zero, "pcalloc zeroes");

    int one = 1, ten = 10;
    ts_pool_cleanup_add(p, count_cleanup, &one);
    ts_pool_cleanup_add(p, count_cleanup, &ten);
    ts_pool_reset(p);
    is_int(cleaned, 11, "cleanups run at reset");
    is_int((long long) ts_pool_used(p), 0, "reset empties the pool");
    ts_pool_reset(p);
    is_int(cleaned, 11, "cleanups run once");

    ts_buf_t buf;
    ts_buf_init(&buf, p, 4);
    for (int i = 0; i < 1000; i++) ts_buf_str(&buf, "ab");
    is_int((long long) buf.len, 2000, "a buffer grows");
    ok(buf.data[2000] == '\0' && buf.data[1999] == 'b', "a buffer stays NUL-terminated");
    ts_pool_destroy(p);
    return done_testing();
}
