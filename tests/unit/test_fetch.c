/* The SSRF guard and the fetcher (SECURITY.md): the address rules and the allow list,
 * refused URLs (no packet leaves), and real fetches from a small HTTP server on 127.0.0.1
 * (into the pool and into a file, conditional GET, size cap, redirects, timeouts). */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>
#include <curl/curl.h>
#include "ts_core.h"
#include "tap.h"

static bool
allowed_port(const char *addr, int port, const char *allow, bool public_ok)
{
    struct sockaddr_storage ss;
    memset(&ss, 0, sizeof(ss));
    if (strchr(addr, ':') != NULL) {
        struct sockaddr_in6 *in6 = (struct sockaddr_in6 *) &ss;
        in6->sin6_family = AF_INET6;
        in6->sin6_port = htons((uint16_t) port);
        inet_pton(AF_INET6, addr, &in6->sin6_addr);
    } else {
        struct sockaddr_in *in = (struct sockaddr_in *) &ss;
        in->sin_family = AF_INET;
        in->sin_port = htons((uint16_t) port);
        inet_pton(AF_INET, addr, &in->sin_addr);
    }
    return ts_fetch_addr_allowed((struct sockaddr *) &ss, allow, public_ok);
}

static bool
allowed(const char *addr, const char *allow)
{
    return allowed_port(addr, 80, allow, true);
}

static void
test_table(void)
{
    static const char *const blocked[] = {
        "127.0.0.1", "127.1.2.3", "0.0.0.0", "10.0.0.1", "172.16.0.1", "172.31.255.255",
        "192.168.1.1", "169.254.169.254", "169.254.0.1", "100.64.0.1", "224.0.0.1",
        "255.255.255.255", "::1", "::", "fc00::1", "fd12:3456::1", "fe80::1", "::ffff:127.0.0.1",
        "::ffff:10.0.0.1", "::ffff:169.254.169.254", "::127.0.0.1", "ff02::1", "64:ff9b::7f00:1",
        "2002:7f00:1::1", NULL,
    };
    for (int i = 0; blocked[i]; i++) {
        ok(!allowed(blocked[i], ""), "%s is refused", blocked[i]);
    }
    static const char *const open[] = { "93.184.216.34", "8.8.8.8", "172.32.0.1", "192.169.0.1",
                                        "2606:2800:220:1:248:1893:25c8:1946",
                                        "::ffff:93.184.216.34", NULL };
    for (int i = 0; open[i]; i++) {
        ok(allowed(open[i], ""), "%s is allowed", open[i]);
    }
    ok(allowed("127.0.0.1", "loopback") && allowed("::1", "loopback")
       && allowed("::ffff:127.0.0.1", "loopback") && allowed("127.9.9.9", "loopback"),
       "allow = loopback lets loopback through (what allow_loopback = 1 is read as)");
    ok(!allowed("10.0.0.1", "loopback") && !allowed("169.254.169.254", "loopback")
       && !allowed("fe80::1", "loopback"), "... and nothing else");
    ok(allowed_port("127.0.0.1", 8155, "127.0.0.1:8155", true),
       "the allow list lets 127.0.0.1:8155 through");
    ok(!allowed_port("127.0.0.1", 8156, "127.0.0.1:8155", true), "... and not another port");
    ok(!allowed_port("127.0.0.2", 8155, "127.0.0.1:8155", true),
       "... nor another loopback address");
    ok(allowed_port("10.1.2.3", 443, "10.0.0.9 10.1.2.3", true),
       "an address without port allows every port");
    ok(allowed_port("::1", 81, "[::1]:81", true), "[::1]:81 in the allow list");
    ok(!allowed_port("::1", 82, "[::1]:81", true), "... and not [::1]:82");
    ok(!allowed_port("93.184.216.34", 80, "127.0.0.1:8155", false)
       && allowed_port("127.0.0.1", 8155, "127.0.0.1:8155", false),
       "public = 0: only the allow list");
}

static ts_pool_t *pool;

static int
get(const char *url, FILE *file, const char *etag, size_t max, long timeout_ms,
    ts_fetch_res_t *res)
{
    ts_fetch_req_t q = { .method = "GET", .url = url, .follow = 1, .file = file, .etag = etag,
                         .max_bytes = max, .timeout_ms = timeout_ms,
                         .connect_timeout_ms = 2000 };
    return ts_fetch(pool, &q, res);
}

static void
test_refused_urls(void)
{
    /* The guard in OPENSOCKETFUNCTION sees the address curl resolved, however the
     * URL spells it; these are all loopback and refused before any connect. */
    static const char *const sneaky[] = { "http://127.0.0.1:9/", "http://0177.0.0.1:9/",
                                          "http://2130706433:9/", "http://0x7f000001:9/",
                                          "http://[::1]:9/", "http://[::ffff:127.0.0.1]:9/",
                                          "http://localhost:9/", "http://10.0.0.1/",
                                          "http://169.254.169.254/latest/meta-data/", NULL };
    for (int i = 0; sneaky[i]; i++) {
        ts_fetch_res_t res;
        int rc = get(sneaky[i], NULL, NULL, 1 << 20, 4000, &res);
        ok(rc == TS_ERROR && res.error && strstr(res.error, "refused to connect to")
           && strstr(res.error, "not a public address"),
           "%s is refused by the guard (%s)", sneaky[i], res.error ? res.error : "fetched");
    }
    static const char *const schemes[] = { "file:///etc/passwd", "gopher://127.0.0.1/",
                                           "ftp://example.com/", "dict://127.0.0.1:11211/", NULL };
    for (int i = 0; schemes[i]; i++) {
        ts_fetch_res_t res;
        ok(get(schemes[i], NULL, NULL, 1 << 20, 4000, &res) == TS_ERROR
           && strstr(res.error, "only http and https"),
           "%s is refused: only http and https", schemes[i]);
    }
}

/* ------------------------------------------------------------ a tiny HTTP server */

static int port;

static void
serve(int ls)
{
    for (;;) {
        int c = accept(ls, NULL, NULL);
        if (c < 0) {
            continue;
        }
        char req[4096] = "";
        ssize_t n = read(c, req, sizeof(req) - 1);
        req[n > 0 ? n : 0] = '\0';
        char out[512];
        if (strncmp(req, "GET /feed ", 10) == 0) {
            if (strstr(req, "If-None-Match: \"v1\"") != NULL) {
                snprintf(out, sizeof(out), "HTTP/1.1 304 Not Modified\r\nETag: \"v1\"\r\n"
                                           "Connection: close\r\n\r\n");
                (void) !write(c, out, strlen(out));
            } else {
                const char *body = "<root></root>";
                snprintf(out, sizeof(out), "HTTP/1.1 200 OK\r\nETag: \"v1\"\r\nLast-Modified: "
                         "Tue, 01 Dec 2026 10:00:00 GMT\r\nContent-Length: %zu\r\n"
                         "Connection: close\r\n\r\n%s", strlen(body), body);
                (void) !write(c, out, strlen(out));
            }
        } else if (strncmp(req, "GET /big ", 9) == 0) {
            /* No Content-Length: only counting in the write callback can stop it. */
            snprintf(out, sizeof(out), "HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n");
            (void) !write(c, out, strlen(out));
            char chunk[8192];
            memset(chunk, 'a', sizeof(chunk));
            for (int i = 0; i < 64 && write(c, chunk, sizeof(chunk)) > 0; i++) {
            }
        } else if (strncmp(req, "GET /to-loopback ", 17) == 0) {
            snprintf(out, sizeof(out), "HTTP/1.1 302 Found\r\nLocation: http://127.0.0.2:%d/feed"
                     "\r\nContent-Length: 0\r\nConnection: close\r\n\r\n", port);
            (void) !write(c, out, strlen(out));
        } else if (strncmp(req, "GET /hop", 8) == 0) {
            int hop = atoi(req + 8);
            snprintf(out, sizeof(out), "HTTP/1.1 302 Found\r\nLocation: /hop%d\r\n"
                     "Content-Length: 0\r\nConnection: close\r\n\r\n", hop + 1);
            (void) !write(c, out, strlen(out));
        } else if (strncmp(req, "GET /to-file ", 13) == 0) {
            snprintf(out, sizeof(out), "HTTP/1.1 302 Found\r\nLocation: file:///etc/passwd\r\n"
                     "Content-Length: 0\r\nConnection: close\r\n\r\n");
            (void) !write(c, out, strlen(out));
        } else if (strncmp(req, "GET /silent ", 12) == 0) {
            sleep(5);
        } else {
            snprintf(out, sizeof(out), "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n"
                                       "Connection: close\r\n\r\n");
            (void) !write(c, out, strlen(out));
        }
        close(c);
    }
}

static pid_t
start_server(void)
{
    int ls = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    socklen_t len = sizeof(a);
    if (bind(ls, (struct sockaddr *) &a, sizeof(a)) != 0 || listen(ls, 16) != 0
        || getsockname(ls, (struct sockaddr *) &a, &len) != 0) {
        return -1;
    }
    port = ntohs(a.sin_port);
    pid_t pid = fork();
    if (pid == 0) {
        serve(ls);
        _exit(0);
    }
    close(ls);
    return pid;
}

static char base[64];

static int
fetch(const char *path, const char *etag, size_t max, long timeout_ms, ts_fetch_res_t *res)
{
    char url[128];
    snprintf(url, sizeof(url), "%s%s", base, path);
    FILE *tmp = tmpfile();
    int rc = get(url, tmp, etag, max, timeout_ms, res);
    fclose(tmp);
    return rc;
}

static void
test_server(ts_conf_t *conf)
{
    pid_t pid = start_server();
    ok(pid > 0, "a test HTTP server on 127.0.0.1:%d", port);
    char allow[64];
    snprintf(allow, sizeof(allow), "127.0.0.1:%d", port);
    snprintf(base, sizeof(base), "http://127.0.0.1:%d", port);
    conf->fetch_allow = allow;
    ts_fetch_res_t res;
    char url[128];
    snprintf(url, sizeof(url), "%s/feed", base);
    is_int(get(url, NULL, NULL, 1 << 20, 5000, &res), TS_OK, "into the pool");
    is_str(res.body, "<root></root>", "the body");
    FILE *tmp = tmpfile();
    fputs("kept", tmp);
    is_int(get(url, tmp, NULL, 1 << 20, 5000, &res), TS_OK, "into a file");
    char got[64] = "";
    rewind(tmp);
    got[fread(got, 1, sizeof(got) - 1, tmp)] = '\0';
    is_str(got, "kept<root></root>", "written after what the file held");
    fclose(tmp);
    is_int(fetch("/feed", NULL, 1 << 20, 5000, &res), TS_OK, "a feed from an allowed address");
    is_int(res.status, 200, "status 200");
    is_int((long long) res.len, 13, "its bytes");
    is_str(res.etag, "\"v1\"", "the ETag is kept");
    is_str(res.last_modified, "Tue, 01 Dec 2026 10:00:00 GMT", "the Last-Modified is kept");
    is_int(fetch("/feed", "\"v1\"", 1 << 20, 5000, &res), TS_OK, "a conditional GET");
    ok(res.not_modified && res.len == 0, "304: unchanged, no body");
    ok(fetch("/big", NULL, 10000, 5000, &res) != TS_OK && strstr(res.error, "larger than"),
       "a body over the cap is cut off: %s", res.error);
    ok(res.len <= 10000, "no more than the cap was written (%zu)", res.len);
    ok(fetch("/to-loopback", NULL, 1 << 20, 5000, &res) != TS_OK
       && strstr(res.error, "127.0.0.2"), "a redirect to another loopback address is refused: %s",
       res.error);
    ok(fetch("/hop0", NULL, 1 << 20, 5000, &res) != TS_OK && strstr(res.error, "redirects"),
       "more than 3 redirects fail: %s", res.error);
    ok(fetch("/to-file", NULL, 1 << 20, 5000, &res) != TS_OK && strstr(res.error, "only http"),
       "a redirect to file:// fails: %s", res.error);
    ok(fetch("/missing", NULL, 1 << 20, 5000, &res) == TS_OK && res.status == 404,
       "a 404 arrives as a status");
    ok(fetch("/silent", NULL, 1 << 20, 700, &res) != TS_OK, "a server that never answers times"
       " out: %s", res.error);
    conf->fetch_public = 0;
    ok(get("http://localhost:1/", NULL, NULL, 1 << 20, 2000, &res) != TS_OK
       && strstr(res.error, "refused to look up localhost"),
       "public = 0: a host name is not even looked up: %s", res.error);
    is_int(fetch("/feed", NULL, 1 << 20, 5000, &res), TS_OK, "... the allow list still works");
    ok(get("http://93.184.216.34:1/", NULL, NULL, 1 << 20, 2000, &res) != TS_OK
       && strstr(res.error, "not a public address nor one [fetch] allow lists"),
       "... and a public address is refused before connecting: %s", res.error);
    conf->fetch_public = 1;
    conf->fetch_allow = "";
    kill(pid, SIGKILL);
    waitpid(pid, NULL, 0);
}

int
main(void)
{
    curl_global_init(CURL_GLOBAL_DEFAULT);
    pool = ts_pool_create(0);
    static ts_conf_t conf;
    conf.fetch_allow = "";
    conf.fetch_public = 1;
    conf.fetch_max_bytes = 1u << 20;
    conf.fetch_timeout_ms = 5000;
    ts_conf = &conf;
    test_table();
    test_refused_urls();
    test_server(&conf);
    ts_conf = NULL;
    ts_pool_destroy(pool);
    curl_global_cleanup();
    return done_testing();
}
