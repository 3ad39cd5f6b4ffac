/* libFuzzer target for form/query parsing and url-decoding and -encoding. */
#include <stdlib.h>
#include <string.h>
#include "ts_core.h"

static void
check(int cond)
{
    if (!cond) {
        __builtin_trap();
    }
}

/* What a decoded string promises, and that encoding gives it back. */
static void
roundtrip(ts_pool_t *p, const char *s)
{
    char *e = ts_url_encode(p, s);
    check(e != NULL);
    for (const char *c = e; *c != '\0'; c++) {
        check(strchr("&=+% ;", *c) == NULL || *c == '%');
    }
    char *d = ts_url_decode(p, e, strlen(e), true);
    check(d != NULL && strcmp(d, s) == 0);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    ts_pool_t *p = ts_pool_create(4096);
    const char *s = (const char *) data;

    ts_kv_t *kv = NULL;
    int rc = ts_parse_urlencoded(p, s, size, &kv);
    check(rc == TS_OK || rc == TS_ERROR);
    check(rc == TS_OK || kv == NULL);
    size_t n = 0;
    for (const ts_kv_t *k = kv; k != NULL; k = k->next) {
        check(++n <= 1000);
        check(k->key != NULL && k->key[0] != '\0' && k->value != NULL);
        check(strlen(k->key) + strlen(k->value) <= size);
        roundtrip(p, k->key);
        roundtrip(p, k->value);
        /* The first pair of a key is the one found. */
        const char *v = ts_kv_get(kv, k->key);
        check(v != NULL);
    }
    if (rc == TS_OK && n > 0) {
        check(ts_kv_get(kv, kv->key) == kv->value);
    }

    for (int plus = 0; plus < 2; plus++) {
        char *d = ts_url_decode(p, s, size, plus);
        if (d != NULL) {
            check(strlen(d) <= size);
            check(memchr(s, '\0', size) == NULL);
            roundtrip(p, d);
        }
    }
    ts_pool_destroy(p);
    return 0;
}
