/* Unit tests of core/ts_parse.c: kv lists, url-decoding and -encoding, forms, cookies. */
#include <stdlib.h>
#include "ts_core.h"
#include "tap.h"

static ts_pool_t *pool;

static size_t
kv_count(const ts_kv_t *kv)
{
    size_t n = 0;
    for (; kv != NULL; kv = kv->next) {
        n++;
    }
    return n;
}

/* Decodes a C string, for brevity. */
static char *
dec(const char *s, bool plus)
{
    return ts_url_decode(pool, s, strlen(s), plus);
}

static int
form(const char *s, ts_kv_t **out)
{
    return ts_parse_urlencoded(pool, s, strlen(s), out);
}

static void
test_kv(void)
{
    ts_kv_t *list = NULL;
    ok(ts_kv_get(list, "a") == NULL, "kv: empty list has nothing");
    ts_kv_add(pool, &list, "a", "1");
    ts_kv_add(pool, &list, "b", "2");
    ts_kv_add(pool, &list, "a", "3");
    is_int(kv_count(list), 3, "kv: three added");
    is_str(list->key, "a", "kv: order kept (first)");
    is_str(list->next->key, "b", "kv: order kept (second)");
    is_str(list->next->next->value, "3", "kv: order kept (third)");
    is_str(ts_kv_get(list, "a"), "1", "kv: first match wins");
    is_str(ts_kv_get(list, "b"), "2", "kv: second key");
    ok(ts_kv_get(list, "A") == NULL, "kv: exact case");
    ok(ts_kv_get(list, "") == NULL, "kv: empty key absent");
    ok(ts_kv_get(list, NULL) == NULL, "kv: NULL key is safe");

    char buf[8] = "temp";
    ts_kv_add(pool, &list, buf, buf);
    strcpy(buf, "xxxx");
    is_str(ts_kv_get(list, "temp"), "temp", "kv: add copies key and value");

    ts_kv_add(pool, &list, "", "empty");
    is_str(ts_kv_get(list, ""), "empty", "kv: empty key can be stored");
}

static void
test_decode(void)
{
    is_str(dec("", false), "", "decode: empty");
    is_str(dec("abc", false), "abc", "decode: plain");
    is_str(dec("a%20b", false), "a b", "decode: %%20");
    is_str(dec("%41%42%43", false), "ABC", "decode: only escapes");
    is_str(dec("%e2%82%AC", false), "\xe2\x82\xac", "decode: mixed-case hex");
    is_str(dec("a+b", false), "a+b", "decode: + kept without plus_is_space");
    is_str(dec("a+b", true), "a b", "decode: + is space in forms");
    is_str(dec("%2B", true), "+", "decode: %%2B is a plus");
    is_str(dec("%25", false), "%", "decode: %%25 is a percent");
    is_str(dec("%2525", false), "%25", "decode: one pass only");
    is_str(dec("%ff", false), "\xff", "decode: high byte");
    ok(dec("%", false) == NULL, "decode: lone %%");
    ok(dec("a%", false) == NULL, "decode: %% at end");
    ok(dec("a%4", false) == NULL, "decode: one hex digit at end");
    ok(dec("%4g", false) == NULL, "decode: bad second digit");
    ok(dec("%g4", false) == NULL, "decode: bad first digit");
    ok(dec("% 41", false) == NULL, "decode: space in escape");
    ok(dec("%00", false) == NULL, "decode: %%00 refused");
    ok(dec("a%00b", true) == NULL, "decode: %%00 in the middle refused");
    ok(dec("%-1", false) == NULL, "decode: sign is not hex");
    ok(dec("%+1", true) == NULL, "decode: + in escape is not hex");

    /* Length-bounded: the bytes past n are never looked at. */
    is_str(ts_url_decode(pool, "abcdef", 3, false), "abc", "decode: honours n");
    ok(ts_url_decode(pool, "ab%41", 4, false) == NULL, "decode: escape cut by n");
    ok(ts_url_decode(pool, "a\0b", 3, false) == NULL, "decode: raw NUL refused");
    is_str(ts_url_decode(pool, NULL, 0, false), "", "decode: NULL with n 0");
    ok(ts_url_decode(pool, NULL, 2, false) == NULL, "decode: NULL with n > 0");

    /* A buffer with no terminator must not be read past its end. */
    char *raw = malloc(3);
    memcpy(raw, "%41", 3);
    is_str(ts_url_decode(pool, raw, 3, false), "A", "decode: unterminated buffer");
    ok(ts_url_decode(pool, raw, 2, false) == NULL, "decode: unterminated, cut escape");
    free(raw);
}

static void
test_urlencoded(void)
{
    ts_kv_t *kv = (ts_kv_t *) 1;
    is_int(form("", &kv), TS_OK, "form: empty ok");
    ok(kv == NULL, "form: empty gives no pairs");

    is_int(form("a=1&b=2&a=3", &kv), TS_OK, "form: simple");
    is_int(kv_count(kv), 3, "form: three pairs");
    is_str(ts_kv_get(kv, "a"), "1", "form: first a");
    is_str(ts_kv_get(kv, "b"), "2", "form: b");
    is_str(kv->next->next->value, "3", "form: second a kept in order");

    is_int(form("q=hello+world&x=%26%3D", &kv), TS_OK, "form: escapes");
    is_str(ts_kv_get(kv, "q"), "hello world", "form: plus is space");
    is_str(ts_kv_get(kv, "x"), "&=", "form: encoded separators");

    is_int(form("a+b=c%20d", &kv), TS_OK, "form: key decoded");
    is_str(ts_kv_get(kv, "a b"), "c d", "form: key and value decoded");

    is_int(form("flag&b=2", &kv), TS_OK, "form: key without =");
    is_str(ts_kv_get(kv, "flag"), "", "form: key without = is empty");
    is_int(form("flag=", &kv), TS_OK, "form: key with empty value");
    is_str(ts_kv_get(kv, "flag"), "", "form: empty value");

    is_int(form("a=1&&b=2&", &kv), TS_OK, "form: empty pairs");
    is_int(kv_count(kv), 2, "form: empty pairs skipped");
    is_int(form("&&&", &kv), TS_OK, "form: only separators");
    ok(kv == NULL, "form: only separators give nothing");
    is_int(form("=x&=&b=1", &kv), TS_OK, "form: empty keys");
    is_int(kv_count(kv), 1, "form: pairs with an empty key skipped");
    is_str(ts_kv_get(kv, "b"), "1", "form: the rest kept");

    is_int(form("a=b=c", &kv), TS_OK, "form: = in value");
    is_str(ts_kv_get(kv, "a"), "b=c", "form: value holds the rest");
    is_int(form("a;b=1", &kv), TS_OK, "form: ; is not a separator");
    is_str(ts_kv_get(kv, "a;b"), "1", "form: ; stays in the key");

    kv = (ts_kv_t *) 1;
    is_int(form("a=1&b=%zz", &kv), TS_ERROR, "form: bad escape in value");
    ok(kv == NULL, "form: no list on error");
    is_int(form("%zz=1", &kv), TS_ERROR, "form: bad escape in key");
    is_int(form("a=%", &kv), TS_ERROR, "form: cut escape at end");
    is_int(form("a=%00", &kv), TS_ERROR, "form: NUL in value");
    is_int(form("%00=1", &kv), TS_ERROR, "form: NUL in key");
    is_int(ts_parse_urlencoded(pool, "a=1\0", 4, &kv), TS_ERROR, "form: raw NUL");

    is_int(ts_parse_urlencoded(pool, "a=1&b=2", 3, &kv), TS_OK, "form: length-bounded");
    is_int(kv_count(kv), 1, "form: stops at n");
    is_int(ts_parse_urlencoded(pool, NULL, 0, &kv), TS_OK, "form: NULL, 0");
    is_int(ts_parse_urlencoded(pool, NULL, 1, &kv), TS_ERROR, "form: NULL, 1");
    is_int(ts_parse_urlencoded(pool, "a", 1, NULL), TS_ERROR, "form: NULL out");

    /* The pair cap: exactly 1000 pass, 1001 fail; skipped empties do not count. */
    ts_buf_t b;
    ts_buf_init(&b, pool, 0);
    for (int i = 0; i < 1000; i++) {
        char pair[32];
        snprintf(pair, sizeof(pair), "%sk%d=%d&&", i ? "&" : "", i, i);
        ts_buf_str(&b, pair);
    }
    is_int(ts_parse_urlencoded(pool, b.data, b.len, &kv), TS_OK, "form: 1000 pairs ok");
    is_int(kv_count(kv), 1000, "form: 1000 pairs kept");
    is_str(ts_kv_get(kv, "k999"), "999", "form: last of 1000");
    ts_buf_str(&b, "&one=more");
    is_int(ts_parse_urlencoded(pool, b.data, b.len, &kv), TS_ERROR, "form: 1001 pairs refused");

    /* An unterminated buffer, to catch reads past n under ASan. */
    char *raw = malloc(5);
    memcpy(raw, "a=b&c", 5);
    is_int(ts_parse_urlencoded(pool, raw, 5, &kv), TS_OK, "form: unterminated buffer");
    is_str(ts_kv_get(kv, "c"), "", "form: last key of unterminated buffer");
    free(raw);
}

static void
test_cookies(void)
{
    ts_kv_t *kv = (ts_kv_t *) 1;
    is_int(ts_parse_cookies(pool, NULL, &kv), TS_OK, "cookie: NULL header");
    ok(kv == NULL, "cookie: NULL header gives nothing");
    is_int(ts_parse_cookies(pool, "", &kv), TS_OK, "cookie: empty header");
    ok(kv == NULL, "cookie: empty gives nothing");
    is_int(ts_parse_cookies(pool, "a", NULL), TS_ERROR, "cookie: NULL out");

    is_int(ts_parse_cookies(pool, "a=b; c=d", &kv), TS_OK, "cookie: two");
    is_int(kv_count(kv), 2, "cookie: two pairs");
    is_str(ts_kv_get(kv, "a"), "b", "cookie: a");
    is_str(ts_kv_get(kv, "c"), "d", "cookie: c");

    ts_parse_cookies(pool, "  a = b ;c=d;   e=f  ;", &kv);
    is_int(kv_count(kv), 3, "cookie: spaces tolerated");
    is_str(ts_kv_get(kv, "a"), "b", "cookie: spaces around = trimmed");
    is_str(ts_kv_get(kv, "e"), "f", "cookie: trailing spaces trimmed");

    ts_parse_cookies(pool, "\ta=1\t;\tb=2", &kv);
    is_str(ts_kv_get(kv, "a"), "1", "cookie: tabs trimmed");
    is_str(ts_kv_get(kv, "b"), "2", "cookie: tabs trimmed, second");

    ts_parse_cookies(pool, "s=\"quoted value\"; t=\"\"; u=\"", &kv);
    is_str(ts_kv_get(kv, "s"), "quoted value", "cookie: quotes removed");
    is_str(ts_kv_get(kv, "t"), "", "cookie: empty quoted");
    is_str(ts_kv_get(kv, "u"), "\"", "cookie: lone quote kept");

    ts_parse_cookies(pool, "x=a%20b+c; y=a=b", &kv);
    is_str(ts_kv_get(kv, "x"), "a%20b+c", "cookie: no url-decoding");
    is_str(ts_kv_get(kv, "y"), "a=b", "cookie: = in value");

    ts_parse_cookies(pool, "sid=1; sid=2", &kv);
    is_str(ts_kv_get(kv, "sid"), "1", "cookie: first of duplicates");
    is_int(kv_count(kv), 2, "cookie: duplicates both kept");

    ts_parse_cookies(pool, "junk; =novalue; a=1; ;;; b c=2; d\x01=3; e=\x02; f=", &kv);
    is_int(kv_count(kv), 2, "cookie: junk skipped");
    is_str(ts_kv_get(kv, "a"), "1", "cookie: good pair among junk");
    is_str(ts_kv_get(kv, "f"), "", "cookie: empty value kept");
    ok(ts_kv_get(kv, "b c") == NULL, "cookie: space in name refused");
    ok(ts_kv_get(kv, "e") == NULL, "cookie: control char in value refused");

    ts_parse_cookies(pool, ";;;;", &kv);
    ok(kv == NULL, "cookie: only separators");
    ts_parse_cookies(pool, "=", &kv);
    ok(kv == NULL, "cookie: lone =");
    ts_parse_cookies(pool, "a=\xc3\xa9", &kv);
    is_str(ts_kv_get(kv, "a"), "\xc3\xa9", "cookie: UTF-8 value kept");
    ts_parse_cookies(pool, "n\xc3\xa9=1", &kv);
    ok(kv == NULL, "cookie: non-token name refused");

    /* A long header of many cookies parses in full. */
    ts_buf_t b;
    ts_buf_init(&b, pool, 0);
    for (int i = 0; i < 500; i++) {
        char pair[32];
        snprintf(pair, sizeof(pair), "c%d=%d; ", i, i);
        ts_buf_str(&b, pair);
    }
    is_int(ts_parse_cookies(pool, b.data, &kv), TS_OK, "cookie: 500 cookies");
    is_int(kv_count(kv), 500, "cookie: 500 kept");
    is_str(ts_kv_get(kv, "c499"), "499", "cookie: last of 500");
}

static void
test_encode(void)
{
    is_str(ts_url_encode(pool, ""), "", "encode: empty");
    ok(ts_url_encode(pool, NULL) == NULL, "encode: NULL");
    is_str(ts_url_encode(pool, "AZaz09-._~"), "AZaz09-._~", "encode: unreserved kept");
    is_str(ts_url_encode(pool, "a b+c&d=e/f?"), "a%20b%2Bc%26d%3De%2Ff%3F", "encode: reserved");
    is_str(ts_url_encode(pool, "\xe2\x82\xac"), "%E2%82%AC", "encode: UTF-8 upper hex");
    is_str(ts_url_encode(pool, "%"), "%25", "encode: percent");
    is_str(ts_url_encode(pool, "\x01\x7f\xff"), "%01%7F%FF", "encode: control and high");

    /* Every byte survives a round trip. */
    char all[256];
    for (int i = 1; i < 256; i++) {
        all[i - 1] = (char) i;
    }
    all[255] = '\0';
    char *e = ts_url_encode(pool, all);
    ok(e != NULL && strlen(e) == 66 + 189 * 3, "encode: all bytes, length");
    char *d = e ? ts_url_decode(pool, e, strlen(e), false) : NULL;
    is_str(d, all, "encode: round trip of all bytes");
    d = e ? ts_url_decode(pool, e, strlen(e), true) : NULL;
    is_str(d, all, "encode: round trip with plus_is_space");
}

int
main(void)
{
    pool = ts_pool_create(1024);
    test_kv();
    test_decode();
    test_urlencoded();
    test_cookies();
    test_encode();
    ts_pool_destroy(pool);
    return done_testing();
}
