/* Outgoing HTTP with the SSRF guard (webhooks, feeds, photos): http(s) only, every address
 * actually connected to checked in OPENSOCKETFUNCTION, redirects followed here so each hop's
 * URL is checked too, the body kept in the pool or streamed to a file and counted against a
 * cap as it arrives, and conditional GETs (If-None-Match, If-Modified-Since). */
#ifndef _DEFAULT_SOURCE
#define _DEFAULT_SOURCE
#endif
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>
#include <curl/curl.h>
#include "ts_core.h"

#define MAX_REDIRECTS 3

static bool
v4_private(uint32_t a)
{
    static const struct { uint32_t net, mask; } ranges[] = {
        { 0x00000000, 0xff000000 },   /* 0.0.0.0/8 "this network" */
        { 0x0a000000, 0xff000000 },   /* 10/8 */
        { 0x64400000, 0xffc00000 },   /* 100.64/10 carrier-grade NAT */
        { 0x7f000000, 0xff000000 },   /* 127/8 loopback */
        { 0xa9fe0000, 0xffff0000 },   /* 169.254/16 link-local, cloud metadata */
        { 0xac100000, 0xfff00000 },   /* 172.16/12 */
        { 0xc0000000, 0xffffff00 },   /* 192.0.0/24 protocol assignments */
        { 0xc0a80000, 0xffff0000 },   /* 192.168/16 */
        { 0xc6120000, 0xfffe0000 },   /* 198.18/15 benchmarking */
        { 0xe0000000, 0xf0000000 },   /* 224/4 multicast */
        { 0xf0000000, 0xf0000000 },   /* 240/4 reserved, broadcast */
    };
    for (size_t i = 0; i < sizeof(ranges) / sizeof(ranges[0]); i++) {
        if ((a & ranges[i].mask) == ranges[i].net) {
            return true;
        }
    }
    return false;
}

/* An IPv4 address in IPv6 clothing (::ffff:a.b.c.d, 64:ff9b::a.b.c.d): 1 and *v4 set. */
static bool
v6_embedded_v4(const uint8_t *b, uint32_t *v4)
{
    static const uint8_t mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };
    static const uint8_t nat64[12] = { 0, 0x64, 0xff, 0x9b };
    if (memcmp(b, mapped, 12) != 0 && memcmp(b, nat64, 12) != 0) {
        return false;
    }
    *v4 = (uint32_t) b[12] << 24 | (uint32_t) b[13] << 16 | (uint32_t) b[14] << 8 | b[15];
    return true;
}

static bool
v6_private(const uint8_t *b)
{
    static const uint8_t zero[12];
    uint32_t v4;
    if (v6_embedded_v4(b, &v4)) {
        return v4_private(v4);
    }
    if (memcmp(b, zero, 12) == 0) {
        return true;                  /* ::, ::1 and the old IPv4-compatible ::a.b.c.d */
    }
    return (b[0] & 0xfe) == 0xfc      /* fc00::/7 unique local */
           || (b[0] == 0xfe && (b[1] & 0xc0) == 0x80)   /* fe80::/10 link-local */
           || (b[0] == 0xfe && (b[1] & 0xc0) == 0xc0)   /* fec0::/10 old site-local */
           || b[0] == 0xff                              /* multicast */
           || (b[0] == 0x20 && b[1] == 0x02)            /* 2002::/16 6to4 relays to anywhere */
           || (b[0] == 0x20 && b[1] == 0x01 && b[2] == 0x0d && b[3] == 0xb8);  /* docs */
}

static bool
is_loopback(const struct sockaddr *sa)
{
    if (sa->sa_family == AF_INET) {
        return ntohl(((const struct sockaddr_in *) sa)->sin_addr.s_addr) >> 24 == 127;
    }
    const uint8_t *b = ((const struct sockaddr_in6 *) sa)->sin6_addr.s6_addr;
    static const uint8_t one[16] = { [15] = 1 };
    uint32_t v4;
    return memcmp(b, one, 16) == 0 || (v6_embedded_v4(b, &v4) && v4 >> 24 == 127);
}

/* Does one "addr", "addr:port", "[v6]:port" or "loopback" entry of the allow list name it? */
static bool
allow_entry_matches(const char *e, size_t n, const struct sockaddr *sa)
{
    char host[80] = "", tmp[80];
    long port = -1;
    if (n == 0 || n >= sizeof(tmp)) {
        return false;
    }
    memcpy(tmp, e, n);
    tmp[n] = '\0';
    if (strcmp(tmp, "loopback") == 0) {
        return is_loopback(sa);
    }
    char *colon = strrchr(tmp, ':');
    if (tmp[0] == '[') {
        char *end = strchr(tmp, ']');
        if (end == NULL || (size_t) (end - tmp - 1) >= sizeof(host)) {
            return false;
        }
        memcpy(host, tmp + 1, (size_t) (end - tmp - 1));
        host[end - tmp - 1] = '\0';
        if (end[1] == ':') {
            port = strtol(end + 2, NULL, 10);
        }
    } else if (colon != NULL && strchr(tmp, ':') == colon) {
        *colon = '\0';
        snprintf(host, sizeof(host), "%s", tmp);
        port = strtol(colon + 1, NULL, 10);
    } else {
        snprintf(host, sizeof(host), "%s", tmp);
    }
    if (sa->sa_family == AF_INET) {
        const struct sockaddr_in *in = (const struct sockaddr_in *) sa;
        struct in_addr want;
        return inet_pton(AF_INET, host, &want) == 1 && want.s_addr == in->sin_addr.s_addr
               && (port < 0 || port == ntohs(in->sin_port));
    }
    const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *) sa;
    struct in6_addr want;
    return inet_pton(AF_INET6, host, &want) == 1
           && memcmp(&want, &in6->sin6_addr, sizeof(want)) == 0
           && (port < 0 || port == ntohs(in6->sin6_port));
}

static bool
listed(const struct sockaddr *sa, const char *allow)
{
    for (const char *s = allow; s != NULL && *s != '\0';) {
        s += strspn(s, " \t,");
        size_t n = strcspn(s, " \t,");
        if (n > 0 && allow_entry_matches(s, n, sa)) {
            return true;
        }
        s += n;
    }
    return false;
}

bool
ts_fetch_addr_allowed(const struct sockaddr *sa, const char *allow, bool public_ok)
{
    bool private;
    if (sa->sa_family == AF_INET) {
        private = v4_private(ntohl(((const struct sockaddr_in *) sa)->sin_addr.s_addr));
    } else if (sa->sa_family == AF_INET6) {
        private = v6_private(((const struct sockaddr_in6 *) sa)->sin6_addr.s6_addr);
    } else {
        return false;   /* unix sockets and anything else */
    }
    return (public_ok && !private) || listed(sa, allow);
}

static void
addr_text(const struct sockaddr *sa, char *out, size_t n)
{
    snprintf(out, n, "?");
    if (sa->sa_family == AF_INET) {
        inet_ntop(AF_INET, &((const struct sockaddr_in *) sa)->sin_addr, out, (socklen_t) n);
    } else if (sa->sa_family == AF_INET6) {
        inet_ntop(AF_INET6, &((const struct sockaddr_in6 *) sa)->sin6_addr, out, (socklen_t) n);
    }
}

typedef struct {
    const char *allow;
    bool        public_ok;
    ts_buf_t    buf;           /* the body, unless it goes to fd */
    int         fd;            /* the file's, or -1 */
    off_t       start;         /* where the body begins in fd */
    size_t      max, bytes;
    bool        too_big, write_failed;
    char        blocked[INET6_ADDRSTRLEN + 8];
    char        etag[256], last_modified[64], content_type[128];
} fetch_ctx_t;

/* Runs for every connection curl opens: the address actually used, whatever the URL said. */
static curl_socket_t
open_socket(void *ud, curlsocktype purpose, struct curl_sockaddr *a)
{
    fetch_ctx_t *c = ud;
    if (purpose != CURLSOCKTYPE_IPCXN || !ts_fetch_addr_allowed(&a->addr, c->allow, c->public_ok)) {
        addr_text(&a->addr, c->blocked, sizeof(c->blocked));
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
    if (c->bytes + len > c->max) {
        c->too_big = true;
        return 0;
    }
    if (c->fd < 0) {
        if (ts_buf_add(&c->buf, data, len) != TS_OK) {
            return 0;
        }
    } else {
        for (size_t done = 0; done < len;) {
            ssize_t w = write(c->fd, data + done, len - done);
            if (w < 0 && errno == EINTR) {
                continue;
            }
            if (w <= 0) {
                c->write_failed = true;
                return 0;
            }
            done += (size_t) w;
        }
    }
    c->bytes += len;
    return len;
}

static void
header_value(const char *line, size_t n, size_t name_len, char *out, size_t cap)
{
    const char *v = line + name_len;
    const char *end = line + n;
    while (v < end && (*v == ' ' || *v == '\t')) {
        v++;
    }
    while (end > v && (end[-1] == '\r' || end[-1] == '\n' || end[-1] == ' ')) {
        end--;
    }
    size_t len = (size_t) (end - v) < cap - 1 ? (size_t) (end - v) : cap - 1;
    memcpy(out, v, len);
    out[len] = '\0';
}

static size_t
header_cb(char *line, size_t size, size_t nmemb, void *ud)
{
    fetch_ctx_t *c = ud;
    size_t n = size * nmemb;
    if (n >= 5 && strncmp(line, "HTTP/", 5) == 0) {
        /* A new response: its headers replace the previous one's. */
        c->etag[0] = c->last_modified[0] = c->content_type[0] = '\0';
    } else if (n > 5 && strncasecmp(line, "ETag:", 5) == 0) {
        header_value(line, n, 5, c->etag, sizeof(c->etag));
    } else if (n > 14 && strncasecmp(line, "Last-Modified:", 14) == 0) {
        header_value(line, n, 14, c->last_modified, sizeof(c->last_modified));
    } else if (n > 13 && strncasecmp(line, "Content-Type:", 13) == 0) {
        header_value(line, n, 13, c->content_type, sizeof(c->content_type));
    }
    return n;
}

static bool
header_safe(const char *v)
{
    return v != NULL && *v != '\0' && strlen(v) < 256 && strpbrk(v, "\r\n") == NULL;
}

static bool
http_url(const char *url)
{
    return url != NULL && (strncasecmp(url, "http://", 7) == 0
                           || strncasecmp(url, "https://", 8) == 0);
}

/* With [fetch] public = 0 a host name is never looked up: only address literals, which the
 * socket guard then holds against the allow list. NULL, or why the URL is refused. */
static const char *
host_refused(ts_pool_t *p, const char *url)
{
    CURLU *u = curl_url();
    char *host = NULL;
    const char *why = NULL;
    if (u == NULL || curl_url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK
        || curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK) {
        why = "the URL cannot be parsed";
    } else {
        char lit[INET6_ADDRSTRLEN + 2];
        unsigned char bin[sizeof(struct in6_addr)];
        size_t n = strlen(host);
        bool v6 = n > 2 && host[0] == '[' && host[n - 1] == ']' && n - 2 < sizeof(lit);
        snprintf(lit, sizeof(lit), "%.*s", v6 ? (int) (n - 2) : (int) n, v6 ? host + 1 : host);
        if (inet_pton(v6 ? AF_INET6 : AF_INET, lit, bin) != 1) {
            why = ts_psprintf(p, "refused to look up %s: with [fetch] public = 0 only the"
                                 " addresses [fetch] allow lists are fetched", host);
        }
    }
    curl_free(host);
    curl_url_cleanup(u);
    return why;
}

static bool
body_reset(fetch_ctx_t *c)
{
    c->bytes = 0;
    c->buf.len = 0;
    return c->fd < 0 || (ftruncate(c->fd, c->start) == 0
                          && lseek(c->fd, c->start, SEEK_SET) == c->start);
}

/* errbuf is the handle's CURLOPT_ERRORBUFFER. */
static const char *
perform(ts_pool_t *p, CURL *h, fetch_ctx_t *c, const ts_fetch_req_t *req, long *status,
        char *errbuf)
{
    const char *url = req->url;
    for (int hop = 0;; hop++) {
        if (!http_url(url)) {
            return hop == 0 ? "only http and https URLs are fetched"
                            : ts_psprintf(p, "a redirect to %.200s: only http and https URLs"
                                             " are fetched", url);
        }
        const char *why = c->public_ok ? NULL : host_refused(p, url);
        if (why != NULL) {
            return why;
        }
        if (!body_reset(c)) {
            c->write_failed = true;
            return "cannot rewind the file the body goes to";
        }
        errbuf[0] = '\0';
        curl_easy_setopt(h, CURLOPT_URL, url);
        CURLcode rc = curl_easy_perform(h);
        *status = 0;
        curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, status);
        if (c->blocked[0] != '\0') {
            return ts_psprintf(p, "refused to connect to %s: not a public address%s", c->blocked,
                               c->public_ok ? "" : " nor one [fetch] allow lists");
        }
        if (c->too_big) {
            return ts_psprintf(p, "the response is larger than %zu bytes", c->max);
        }
        if (c->write_failed) {
            return ts_psprintf(p, "cannot store the response: %s", strerror(errno));
        }
        if (rc != CURLE_OK) {
            return ts_psprintf(p, "%s", errbuf[0] ? errbuf : curl_easy_strerror(rc));
        }
        char *next = NULL;
        bool redirect = *status == 301 || *status == 302 || *status == 303 || *status == 307
                        || *status == 308;
        if (!req->follow || !redirect
            || curl_easy_getinfo(h, CURLINFO_REDIRECT_URL, &next) != CURLE_OK || next == NULL) {
            return NULL;
        }
        if (hop == MAX_REDIRECTS) {
            return ts_psprintf(p, "more than %d redirects", MAX_REDIRECTS);
        }
        url = ts_pstrdup(p, next);
        /* As browsers do: 303, and 301/302 after a POST, continue with a GET. */
        if (*status == 303 || ((*status == 301 || *status == 302) && req->body != NULL)) {
            curl_easy_setopt(h, CURLOPT_HTTPGET, 1L);
        }
    }
}

int
ts_fetch(ts_pool_t *p, const ts_fetch_req_t *req, ts_fetch_res_t *res)
{
    memset(res, 0, sizeof(*res));
    res->body = "";
    if (!http_url(req->url)) {
        res->error = "only http and https URLs are fetched";
        return TS_ERROR;
    }
    CURL *h = curl_easy_init();
    if (h == NULL) {
        res->error = "curl: out of memory";
        return TS_ERROR;
    }
    fetch_ctx_t c = {
        .max = req->max_bytes ? req->max_bytes
               : ts_conf && ts_conf->fetch_max_bytes ? ts_conf->fetch_max_bytes : 1u << 20,
        .allow = ts_conf && ts_conf->fetch_allow ? ts_conf->fetch_allow : "",
        .public_ok = ts_conf == NULL || ts_conf->fetch_public,
        .fd = req->file ? fileno(req->file) : -1,
    };
    if (req->file != NULL) {
        fflush(req->file);
    }
    if (c.fd >= 0 && (c.start = lseek(c.fd, 0, SEEK_CUR)) < 0) {
        c.start = 0;
    }
    ts_buf_init(&c.buf, p, 4096);
    long timeout = req->timeout_ms > 0 ? req->timeout_ms
                   : ts_conf && ts_conf->fetch_timeout_ms > 0 ? ts_conf->fetch_timeout_ms : 10000;
    long connect = req->connect_timeout_ms > 0 ? req->connect_timeout_ms
                   : timeout < 5000 ? timeout : 5000;
    struct curl_slist *hdr = NULL;
    for (int i = 0; req->headers && req->headers[i]; i++) {
        hdr = curl_slist_append(hdr, req->headers[i]);
    }
    if (header_safe(req->etag)) {
        hdr = curl_slist_append(hdr, ts_psprintf(p, "If-None-Match: %s", req->etag));
    }
    if (header_safe(req->last_modified)) {
        hdr = curl_slist_append(hdr, ts_psprintf(p, "If-Modified-Since: %s", req->last_modified));
    }
    hdr = curl_slist_append(hdr, "Expect:");
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(h, CURLOPT_OPENSOCKETFUNCTION, open_socket);
    curl_easy_setopt(h, CURLOPT_OPENSOCKETDATA, &c);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, write_cb);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &c);
    curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, header_cb);
    curl_easy_setopt(h, CURLOPT_HEADERDATA, &c);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    /* No proxy from the environment: the guard must see the real peer. */
    curl_easy_setopt(h, CURLOPT_NOPROXY, "*");
    curl_easy_setopt(h, CURLOPT_PROXY, "");
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, connect);
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, timeout);
    /* A peer that trickles less than 100 bytes/s for 30 s is as good as gone. */
    curl_easy_setopt(h, CURLOPT_LOW_SPEED_LIMIT, 100L);
    curl_easy_setopt(h, CURLOPT_LOW_SPEED_TIME, 30L);
    /* Compressed bodies are welcome; the cap counts the decoded bytes. */
    curl_easy_setopt(h, CURLOPT_ACCEPT_ENCODING, "");
    curl_easy_setopt(h, CURLOPT_USERAGENT, "Tesoro");
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdr);
    if (req->body != NULL) {
        curl_easy_setopt(h, CURLOPT_POSTFIELDS, req->body);
        curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t) req->body_len);
    }
    if (req->method != NULL && strcmp(req->method, "POST") != 0 && strcmp(req->method, "GET") != 0) {
        curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, req->method);
    }
    char errbuf[CURL_ERROR_SIZE] = "";
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
    res->error = perform(p, h, &c, req, &res->status, errbuf);
    curl_slist_free_all(hdr);
    curl_easy_cleanup(h);
    if (c.fd < 0) {
        ts_buf_add(&c.buf, "", 1);
        res->body = c.buf.data;
    }
    res->len = c.bytes;
    res->not_modified = res->error == NULL && res->status == 304;
    res->etag = c.etag[0] ? ts_pstrdup(p, c.etag) : NULL;
    res->last_modified = c.last_modified[0] ? ts_pstrdup(p, c.last_modified) : NULL;
    res->content_type = c.content_type[0] ? ts_pstrdup(p, c.content_type) : NULL;
    return res->error == NULL ? TS_OK : TS_ERROR;
}
