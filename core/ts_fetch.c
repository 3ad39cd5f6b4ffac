/* Outgoing HTTP with the SSRF guard: http(s) only, every address actually
 * connected to (each redirect hop too) checked in OPENSOCKETFUNCTION. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <curl/curl.h>
#include "ts_core.h"

static bool
v4_blocked(uint32_t a, bool loopback_ok)
{
    uint8_t b0 = a >> 24, b1 = (a >> 16) & 0xff;
    if (b0 == 127) {
        return !loopback_ok;
    }
    return b0 == 0 || b0 == 10 || (b0 == 100 && (b1 & 0xc0) == 64)      /* CGNAT */
           || (b0 == 169 && b1 == 254) || (b0 == 172 && (b1 & 0xf0) == 16)
           || (b0 == 192 && b1 == 168) || (b0 == 192 && b1 == 0 && ((a >> 8) & 0xff) == 0)
           || (b0 == 198 && (b1 & 0xfe) == 18) || b0 >= 224;            /* multicast, reserved */
}

bool
ts_fetch_addr_allowed(const struct sockaddr *sa, bool loopback_ok)
{
    if (sa->sa_family == AF_INET) {
        const struct sockaddr_in *in = (const struct sockaddr_in *) sa;
        return !v4_blocked(ntohl(in->sin_addr.s_addr), loopback_ok);
    }
    if (sa->sa_family != AF_INET6) {
        return false;
    }
    const uint8_t *b = ((const struct sockaddr_in6 *) sa)->sin6_addr.s6_addr;
    static const uint8_t mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };
    static const uint8_t zero[16] = { 0 };
    if (memcmp(b, mapped, 12) == 0 || memcmp(b, zero, 12) == 0) {
        /* IPv4-mapped (::ffff:a.b.c.d) and IPv4-compatible (::a.b.c.d): the IPv4 rules.
         * :: and ::1 land here as 0.0.0.0 and 0.0.0.1, both blocked, except ::1 below. */
        uint32_t a = (uint32_t) b[12] << 24 | (uint32_t) b[13] << 16 | (uint32_t) b[14] << 8 | b[15];
        if (memcmp(b, zero, 15) == 0 && b[15] == 1) {
            return loopback_ok;                                   /* ::1 */
        }
        return !v4_blocked(a, loopback_ok);
    }
    if ((b[0] & 0xfe) == 0xfc || (b[0] == 0xfe && (b[1] & 0xc0) == 0x80)   /* fc00::/7 fe80::/10 */
        || (b[0] == 0xfe && (b[1] & 0xc0) == 0xc0) || b[0] == 0xff          /* site-local, multicast */
        || (b[0] == 0x20 && b[1] == 0x01 && b[2] == 0x0d && b[3] == 0xb8)   /* documentation */
        || (b[0] == 0x00 && b[1] == 0x64 && b[2] == 0xff && b[3] == 0x9b)   /* NAT64 64:ff9b::/96 */
        || (b[0] == 0x20 && b[1] == 0x02)) {                                /* 6to4 2002::/16 */
        return false;
    }
    return true;
}

typedef struct {
    ts_buf_t buf;
    size_t   max;
    bool     too_big;
    bool     blocked;
    char     blocked_addr[INET6_ADDRSTRLEN];
    bool     loopback_ok;
} fetch_ctx_t;

static curl_socket_t
open_socket(void *ud, curlsocktype purpose, struct curl_sockaddr *a)
{
    fetch_ctx_t *c = ud;
    if (purpose != CURLSOCKTYPE_IPCXN || !ts_fetch_addr_allowed(&a->addr, c->loopback_ok)) {
        c->blocked = true;
        const void *src = a->family == AF_INET6
            ? (const void *) &((struct sockaddr_in6 *) &a->addr)->sin6_addr
            : (const void *) &((struct sockaddr_in *) &a->addr)->sin_addr;
        inet_ntop(a->family, src, c->blocked_addr, sizeof(c->blocked_addr));
        return CURL_SOCKET_BAD;
    }
    return socket(a->family, a->socktype, a->protocol);
}

/* This libcurl's MAXFILESIZE does not stop a transfer in progress: count here. */
static size_t
write_cb(char *data, size_t size, size_t n, void *ud)
{
    fetch_ctx_t *c = ud;
    size_t len = size * n;
    if (c->buf.len + len > c->max) {
        c->too_big = true;
        return 0;
    }
    return ts_buf_add(&c->buf, data, len) == TS_OK ? len : 0;
}

int
ts_fetch(ts_pool_t *p, const ts_fetch_req_t *req, ts_fetch_res_t *res)
{
    memset(res, 0, sizeof(*res));
    if (req->url == NULL || (strncmp(req->url, "http://", 7) != 0
                             && strncmp(req->url, "https://", 8) != 0)) {
        res->error = "only http and https URLs are fetched";
        return TS_ERROR;
    }
    CURL *h = curl_easy_init();
    if (h == NULL) {
        res->error = "curl: out of memory";
        return TS_ERROR;
    }
    fetch_ctx_t c = { .max = ts_conf && ts_conf->fetch_max_bytes ? ts_conf->fetch_max_bytes
                                                                 : 1u << 20,
                      .loopback_ok = ts_conf && ts_conf->fetch_allow_loopback };
    ts_buf_init(&c.buf, p, 4096);
    long timeout = ts_conf && ts_conf->fetch_timeout_ms > 0 ? ts_conf->fetch_timeout_ms : 10000;
    char errbuf[CURL_ERROR_SIZE] = "";
    struct curl_slist *hdr = NULL;
    for (int i = 0; req->headers && req->headers[i]; i++) {
        hdr = curl_slist_append(hdr, req->headers[i]);
    }
    hdr = curl_slist_append(hdr, "Expect:");
    curl_easy_setopt(h, CURLOPT_URL, req->url);
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(h, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, req->follow ? 1L : 0L);
    curl_easy_setopt(h, CURLOPT_MAXREDIRS, 3L);
    curl_easy_setopt(h, CURLOPT_OPENSOCKETFUNCTION, open_socket);
    curl_easy_setopt(h, CURLOPT_OPENSOCKETDATA, &c);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, write_cb);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &c);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_NOPROXY, "*");
    curl_easy_setopt(h, CURLOPT_PROXY, "");
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, timeout < 5000 ? timeout : 5000L);
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, timeout);
    curl_easy_setopt(h, CURLOPT_LOW_SPEED_LIMIT, 100L);
    curl_easy_setopt(h, CURLOPT_LOW_SPEED_TIME, 10L);
    curl_easy_setopt(h, CURLOPT_USERAGENT, "Tesoro");
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdr);
    if (req->body != NULL) {
        curl_easy_setopt(h, CURLOPT_POSTFIELDS, req->body);
        curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t) req->body_len);
    }
    if (req->method != NULL && strcmp(req->method, "POST") != 0 && strcmp(req->method, "GET") != 0) {
        curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, req->method);
    }
    CURLcode rc = curl_easy_perform(h);
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &res->status);
    curl_slist_free_all(hdr);
    curl_easy_cleanup(h);
    ts_buf_add(&c.buf, "", 1);
    res->body = c.buf.data;
    res->len = c.buf.len - 1;
    if (c.blocked) {
        res->error = ts_psprintf(p, "refused to connect to %s: not a public address",
                                 c.blocked_addr);
        return TS_ERROR;
    }
    if (c.too_big) {
        res->error = ts_psprintf(p, "the response is larger than %zu bytes", c.max);
        return TS_ERROR;
    }
    if (rc != CURLE_OK) {
        res->error = ts_psprintf(p, "%s", errbuf[0] ? errbuf : curl_easy_strerror(rc));
        return TS_ERROR;
    }
    return TS_OK;
}
