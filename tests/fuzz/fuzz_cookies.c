/* libFuzzer target for the Cookie header parser. */
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

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* A header is a C string; the copy stops the parser at our end, not past it. */
    char *h = malloc(size + 1);
    if (h == NULL) {
        return 0;
    }
    memcpy(h, data, size);
    h[size] = '\0';
    ts_pool_t *p = ts_pool_create(4096);
    ts_kv_t *kv = NULL;
    int rc = ts_parse_cookies(p, h, &kv);
    check(rc == TS_OK);
    size_t n = 0;
    for (const ts_kv_t *k = kv; k != NULL; k = k->next) {
        check(++n <= 1000);
        check(k->key != NULL && k->key[0] != '\0' && k->value != NULL);
        check(strpbrk(k->key, " \t;=\",") == NULL && strchr(k->value, ';') == NULL);
        for (const unsigned char *c = (const unsigned char *) k->value; *c; c++) {
            check(*c >= 0x20 || *c == '\t');
        }
        check(strstr(h, k->key) != NULL);
        check(ts_kv_get(kv, k->key) != NULL);
    }
    ts_pool_destroy(p);
    free(h);
    return 0;
}
