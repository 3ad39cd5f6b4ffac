/* Key/value lists, url-encoding, query strings, form bodies and Cookie headers. */
#include <string.h>
#include "ts_core.h"

/* More pairs than any real form has; a flood of them only costs us time. */
#define MAX_PAIRS   1000
#define MAX_COOKIES 1000

static const char hex_digits[] = "0123456789ABCDEF";

const char *
ts_kv_get(const ts_kv_t *kv, const char *key)
{
    if (key == NULL) {
        return NULL;
    }
    for (; kv != NULL; kv = kv->next) {
        if (kv->key != NULL && strcmp(kv->key, key) == 0) {
            return kv->value;
        }
    }
    return NULL;
}

/* Appends without copying: the parsers below hand in pool strings already. */
static int
kv_append(ts_pool_t *p, ts_kv_t ***tail, const char *k, const char *v)
{
    ts_kv_t *kv = ts_palloc(p, sizeof(*kv));
    if (kv == NULL) {
        return TS_ERROR;
    }
    kv->key = k;
    kv->value = v;
    kv->next = NULL;
    **tail = kv;
    *tail = &kv->next;
    return TS_OK;
}

void
ts_kv_add(ts_pool_t *p, ts_kv_t **list, const char *k, const char *v)
{
    ts_kv_t **tail = list;
    while (*tail != NULL) {
        tail = &(*tail)->next;
    }
    /* Copied, so a caller may pass a stack buffer. */
    const char *kc = ts_pstrdup(p, k);
    const char *vc = ts_pstrdup(p, v);
    if ((k != NULL && kc == NULL) || (v != NULL && vc == NULL)) {
        return;
    }
    (void) kv_append(p, &tail, kc, vc);
}

static int
hex_value(unsigned char c)
{
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
        return c - 'a' + 10;
    }
    if (c >= 'A' && c <= 'F') {
        return c - 'A' + 10;
    }
    return -1;
}

char *
ts_url_decode(ts_pool_t *p, const char *s, size_t n, bool plus_is_space)
{
    if (s == NULL && n > 0) {
        return NULL;
    }
    char *d = ts_palloc(p, n + 1);
    if (d == NULL) {
        return NULL;
    }
    size_t j = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char) s[i];
        if (c == '%') {
            if (n - i < 3) {
                return NULL;
            }
            int hi = hex_value((unsigned char) s[i + 1]);
            int lo = hex_value((unsigned char) s[i + 2]);
            if (hi < 0 || lo < 0) {
                return NULL;
            }
            c = (unsigned char) (hi << 4 | lo);
            i += 2;
        } else if (c == '+' && plus_is_space) {
            c = ' ';
        }
        /* A NUL would cut the C string short of what a validator saw. */
        if (c == '\0') {
            return NULL;
        }
        d[j++] = (char) c;
    }
    d[j] = '\0';
    return d;
}

/* One "key=value" of a form; a pair with an empty key carries nothing usable. */
static int
form_pair(ts_pool_t *p, const char *s, size_t n, ts_kv_t ***tail, size_t *count)
{
    const char *eq = memchr(s, '=', n);
    size_t klen = eq != NULL ? (size_t) (eq - s) : n;
    if (klen == 0) {
        return TS_OK;
    }
    if (++*count > MAX_PAIRS) {
        return TS_ERROR;
    }
    char *k = ts_url_decode(p, s, klen, true);
    char *v = eq != NULL ? ts_url_decode(p, eq + 1, n - klen - 1, true) : ts_pstrdup(p, "");
    if (k == NULL || v == NULL) {
        return TS_ERROR;
    }
    return kv_append(p, tail, k, v);
}

int
ts_parse_urlencoded(ts_pool_t *p, const char *s, size_t n, ts_kv_t **out)
{
    if (out == NULL) {
        return TS_ERROR;
    }
    *out = NULL;
    if (s == NULL) {
        return n == 0 ? TS_OK : TS_ERROR;
    }
    ts_kv_t *head = NULL, **tail = &head;
    size_t count = 0;
    const char *end = s + n;
    while (s < end) {
        const char *amp = memchr(s, '&', (size_t) (end - s));
        if (amp == NULL) {
            amp = end;
        }
        if (amp > s && form_pair(p, s, (size_t) (amp - s), &tail, &count) != TS_OK) {
            return TS_ERROR;
        }
        if (amp == end) {
            break;
        }
        s = amp + 1;
    }
    *out = head;
    return TS_OK;
}

static bool
is_ows(char c)
{
    return c == ' ' || c == '\t';
}

/* RFC 7230 tchar: what a cookie name may be made of. */
static bool
is_tchar(unsigned char c)
{
    if (c >= 0x80 || c <= 0x20 || c == 0x7f) {
        return false;
    }
    return strchr("\"(),/:;<=>?@[\\]{}", c) == NULL;
}

/* One "name=value" of a Cookie header; false when it is junk to be skipped. */
static bool
cookie_split(const char *s, size_t n, const char **name, size_t *nlen,
             const char **val, size_t *vlen)
{
    while (n > 0 && is_ows(s[0])) {
        s++, n--;
    }
    while (n > 0 && is_ows(s[n - 1])) {
        n--;
    }
    const char *eq = memchr(s, '=', n);
    if (eq == NULL) {
        return false;
    }
    *name = s;
    *nlen = (size_t) (eq - s);
    while (*nlen > 0 && is_ows(s[*nlen - 1])) {
        (*nlen)--;
    }
    *val = eq + 1;
    *vlen = n - (size_t) (eq - s) - 1;
    while (*vlen > 0 && is_ows(**val)) {
        (*val)++, (*vlen)--;
    }
    if (*vlen >= 2 && (*val)[0] == '"' && (*val)[*vlen - 1] == '"') {
        (*val)++;
        *vlen -= 2;
    }
    if (*nlen == 0) {
        return false;
    }
    for (size_t i = 0; i < *nlen; i++) {
        if (!is_tchar((unsigned char) (*name)[i])) {
            return false;
        }
    }
    /* Lenient on the value, as browsers are, but never control characters. */
    for (size_t i = 0; i < *vlen; i++) {
        unsigned char c = (unsigned char) (*val)[i];
        if ((c < 0x20 && c != '\t') || c == 0x7f) {
            return false;
        }
    }
    return true;
}

int
ts_parse_cookies(ts_pool_t *p, const char *header, ts_kv_t **out)
{
    if (out == NULL) {
        return TS_ERROR;
    }
    *out = NULL;
    if (header == NULL) {
        return TS_OK;
    }
    ts_kv_t *head = NULL, **tail = &head;
    size_t count = 0;
    const char *s = header;
    while (*s != '\0' && count < MAX_COOKIES) {
        size_t len = strcspn(s, ";");
        const char *name, *val;
        size_t nlen, vlen;
        if (cookie_split(s, len, &name, &nlen, &val, &vlen)) {
            char *k = ts_pstrndup(p, name, nlen);
            char *v = ts_pstrndup(p, val, vlen);
            if (k == NULL || v == NULL || kv_append(p, &tail, k, v) != TS_OK) {
                return TS_ERROR;
            }
            count++;
        }
        s += len;
        if (*s == ';') {
            s++;
        }
    }
    *out = head;
    return TS_OK;
}

static bool
is_unreserved(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')
           || c == '-' || c == '.' || c == '_' || c == '~';
}

char *
ts_url_encode(ts_pool_t *p, const char *s)
{
    if (s == NULL) {
        return NULL;
    }
    size_t n = 0;
    for (const unsigned char *c = (const unsigned char *) s; *c != '\0'; c++) {
        n += is_unreserved(*c) ? 1 : 3;
    }
    char *d = ts_palloc(p, n + 1);
    if (d == NULL) {
        return NULL;
    }
    char *o = d;
    for (const unsigned char *c = (const unsigned char *) s; *c != '\0'; c++) {
        if (is_unreserved(*c)) {
            *o++ = (char) *c;
        } else {
            *o++ = '%';
            *o++ = hex_digits[*c >> 4];
            *o++ = hex_digits[*c & 0x0f];
        }
    }
    *o = '\0';
    return d;
}
