/* The feed fetcher: libcurl restricted to http(s), every connection's address checked in
 * CURLOPT_OPENSOCKETFUNCTION (it runs for each redirect hop), bytes counted as they arrive. */
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
#include <unistd.h>
#include <curl/curl.h>
#include "kyero_fetch.h"

typedef struct {
    const kyero_fetch_req_t *q;
    kyero_fetch_res_t *res;
    bool too_big, write_failed;
    char blocked[96];            /* the address refused, for the message */
} fetch_t;

static bool
v4_blocked(uint32_t a)
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

static bool
v6_blocked(const unsigned char *b)
{
    static const unsigned char zero[16];
    static const unsigned char mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };
    static const unsigned char nat64[12] = { 0, 0x64, 0xff, 0x9b };
    if (memcmp(b, mapped, 12) == 0 || memcmp(b, nat64, 12) == 0) {
        /* An IPv4 address in IPv6 clothing is judged as IPv4. */
        return v4_blocked((uint32_t) b[12] << 24 | (uint32_t) b[13] << 16
                          | (uint32_t) b[14] << 8 | b[15]);
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

/* Does one "addr", "addr:port" or "[v6]:port" entry of the allow list name this address? */
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
    if (sa->sa_family == AF_INET6) {
        const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *) sa;
        struct in6_addr want;
        return inet_pton(AF_INET6, host, &want) == 1
               && memcmp(&want, &in6->sin6_addr, sizeof(want)) == 0
               && (port < 0 || port == ntohs(in6->sin6_port));
    }
    return false;
}

static bool
allowed(const struct sockaddr *sa, const char *allow)
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
kyero_addr_blocked(const struct sockaddr *sa, const char *allow)
{
    bool blocked;
    if (sa->sa_family == AF_INET) {
        blocked = v4_blocked(ntohl(((const struct sockaddr_in *) sa)->sin_addr.s_addr));
    } else if (sa->sa_family == AF_INET6) {
        blocked = v6_blocked(((const struct sockaddr_in6 *) sa)->sin6_addr.s6_addr);
    } else {
        return true;   /* unix sockets and anything else */
    }
    return blocked && !allowed(sa, allow);
}

static void
addr_text(const struct sockaddr *sa, char *out, size_t n)
{
    char ip[INET6_ADDRSTRLEN] = "?";
    int port = 0;
    if (sa->sa_family == AF_INET) {
        inet_ntop(AF_INET, &((const struct sockaddr_in *) sa)->sin_addr, ip, sizeof(ip));
        port = ntohs(((const struct sockaddr_in *) sa)->sin_port);
    } else if (sa->sa_family == AF_INET6) {
        inet_ntop(AF_INET6, &((const struct sockaddr_in6 *) sa)->sin6_addr, ip, sizeof(ip));
        port = ntohs(((const struct sockaddr_in6 *) sa)->sin6_port);
    }
    snprintf(out, n, sa->sa_family == AF_INET6 ? "[%s]:%d" : "%s:%d", ip, port);
}

/* Runs for every connection curl opens, redirects included: the address actually used. */
static curl_socket_t
open_socket(void *clientp, curlsocktype purpose, struct curl_sockaddr *a)
{
    fetch_t *f = clientp;
    if (purpose != CURLSOCKTYPE_IPCXN || kyero_addr_blocked(&a->addr, f->q->allow)) {
        addr_text(&a->addr, f->blocked, sizeof(f->blocked));
        return CURL_SOCKET_BAD;
    }
    return socket(a->family, a->socktype, a->protocol);
}

static size_t
on_body(char *data, size_t size, size_t nmemb, void *userp)
{
    fetch_t *f = userp;
    size_t n = size * nmemb;
    /* CURLOPT_MAXFILESIZE does not stop a transfer already running: count here. */
    if (f->res->bytes + n > f->q->max_bytes) {
        f->too_big = true;
        return 0;
    }
    for (size_t done = 0; done < n;) {
        ssize_t w = write(f->q->fd, data + done, n - done);
        if (w < 0 && errno == EINTR) {
            continue;
        }
        if (w <= 0) {
            f->write_failed = true;
            return 0;
        }
        done += (size_t) w;
    }
    f->res->bytes += n;
    return n;
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
on_header(char *line, size_t size, size_t nmemb, void *userp)
{
    fetch_t *f = userp;
    size_t n = size * nmemb;
    if (n >= 5 && strncmp(line, "HTTP/", 5) == 0) {
        /* A new response (after a redirect): its validators replace the previous hop's. */
        f->res->etag[0] = f->res->last_modified[0] = '\0';
    } else if (n > 5 && strncasecmp(line, "ETag:", 5) == 0) {
        header_value(line, n, 5, f->res->etag, sizeof(f->res->etag));
    } else if (n > 14 && strncasecmp(line, "Last-Modified:", 14) == 0) {
        header_value(line, n, 14, f->res->last_modified, sizeof(f->res->last_modified));
    }
    return n;
}

static bool
header_safe(const char *v)
{
    return v != NULL && *v != '\0' && strlen(v) < 256 && strpbrk(v, "\r\n") == NULL;
}

int
kyero_fetch(const kyero_fetch_req_t *q, kyero_fetch_res_t *res)
{
    memset(res, 0, sizeof(*res));
    fetch_t f = { .q = q, .res = res };
    CURL *c = curl_easy_init();
    if (c == NULL) {
        snprintf(res->error, sizeof(res->error), "cannot start libcurl");
        return -1;
    }
    struct curl_slist *hdr = NULL;
    char line[300];
    if (header_safe(q->etag)) {
        snprintf(line, sizeof(line), "If-None-Match: %s", q->etag);
        hdr = curl_slist_append(hdr, line);
    }
    if (header_safe(q->last_modified)) {
        snprintf(line, sizeof(line), "If-Modified-Since: %s", q->last_modified);
        hdr = curl_slist_append(hdr, line);
    }
    curl_easy_setopt(c, CURLOPT_URL, q->url);
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(c, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 1L);
    curl_easy_setopt(c, CURLOPT_MAXREDIRS, 3L);
    curl_easy_setopt(c, CURLOPT_OPENSOCKETFUNCTION, open_socket);
    curl_easy_setopt(c, CURLOPT_OPENSOCKETDATA, &f);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &f);
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, &f);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdr);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, q->connect_timeout_ms > 0
                                                   ? q->connect_timeout_ms : 10000L);
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, q->timeout_ms > 0 ? q->timeout_ms : 300000L);
    /* A peer that trickles less than 1 KB/s for 30 s is as good as gone. */
    curl_easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, 1024L);
    curl_easy_setopt(c, CURLOPT_LOW_SPEED_TIME, 30L);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    /* No proxy from the environment: the guard must see the real peer. */
    curl_easy_setopt(c, CURLOPT_PROXY, "");
    curl_easy_setopt(c, CURLOPT_NOPROXY, "*");
    curl_easy_setopt(c, CURLOPT_ACCEPT_ENCODING, "");
    curl_easy_setopt(c, CURLOPT_USERAGENT, "Tesoro feed importer");
    CURLcode rc = curl_easy_perform(c);
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &res->status);
    curl_easy_cleanup(c);
    curl_slist_free_all(hdr);
    if (f.too_big) {
        snprintf(res->error, sizeof(res->error), "the feed is larger than %zu bytes",
                 q->max_bytes);
        return -1;
    }
    if (f.blocked[0] != '\0' && rc != CURLE_OK) {
        snprintf(res->error, sizeof(res->error),
                 "refused to connect to %s (a private, loopback or link-local address)",
                 f.blocked);
        return -1;
    }
    if (f.write_failed) {
        snprintf(res->error, sizeof(res->error), "cannot store the feed: %s", strerror(errno));
        return -1;
    }
    if (rc != CURLE_OK) {
        snprintf(res->error, sizeof(res->error), "%s", curl_easy_strerror(rc));
        return -1;
    }
    if (res->status == 304) {
        res->not_modified = true;
        return 0;
    }
    if (res->status != 200) {
        snprintf(res->error, sizeof(res->error), "the server answered HTTP %ld", res->status);
        return -1;
    }
    return 0;
}
