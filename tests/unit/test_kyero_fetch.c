/* The feed fetcher: the SSRF guard's address table, refused URLs (no packet leaves), and real
 * fetches from a small HTTP server on 127.0.0.1 (conditional GET, size cap, redirects, timeouts). */
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
#include "tap.h"
#include "../../plugins/kyero/kyero_fetch.h"

static bool
blocked(const char *ip, int port, const char *allow)
{
    struct sockaddr_storage ss = { 0 };
    if (strchr(ip, ':')) {
        struct sockaddr_in6 *s6 = (struct sockaddr_in6 *) &ss;
        s6->sin6_family = AF_INET6;
        s6->sin6_port = htons((uint16_t) port);
        inet_pton(AF_INET6, ip, &s6->sin6_addr);
    } else {
        struct sockaddr_in *s4 = (struct sockaddr_in *) &ss;
        s4->sin_family = AF_INET;
        s4->sin_port = htons((uint16_t) port);
        inet_pton(AF_INET, ip, &s4->sin_addr);
    }
    return kyero_addr_blocked((struct sockaddr *) &ss, allow);
}

static void
test_table(void)
{
    const char *bad[] = { "127.0.0.1", "127.1.2.3", "10.0.0.1", "172.16.0.1", "172.31.255.255",
                          "192.168.1.1", "169.254.169.254", "169.254.0.1", "0.0.0.0",
                          "100.64.0.1", "224.0.0.1", "255.255.255.255", "::1", "::",
                          "::ffff:127.0.0.1", "::ffff:10.0.0.1", "::ffff:169.254.169.254",
                          "::127.0.0.1", "fc00::1", "fd12:3456::1", "fe80::1", "ff02::1",
                          "64:ff9b::7f00:1", "2002:7f00:1::1" };
    const char *good[] = { "93.184.216.34", "8.8.8.8", "172.32.0.1", "192.169.0.1",
                           "2606:2800:220:1:248:1893:25c7:1946", "::ffff:93.184.216.34" };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        ok(blocked(bad[i], 80, ""), "%s is refused", bad[i]);
    }
    for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
        ok(!blocked(good[i], 80, ""), "%s is allowed", good[i]);
    }
    ok(!blocked("127.0.0.1", 8155, "127.0.0.1:8155"), "the allow list lets 127.0.0.1:8155 through");
    ok(blocked("127.0.0.1", 8156, "127.0.0.1:8155"), "... and not another port");
    ok(blocked("127.0.0.2", 8155, "127.0.0.1:8155"), "... nor another loopback address");
    ok(!blocked("10.1.2.3", 443, "10.0.0.9 10.1.2.3"), "an address without port allows every port");
    ok(!blocked("::1", 81, "[::1]:81"), "[::1]:81 in the allow list");
    ok(blocked("::1", 82, "[::1]:81"), "... and not [::1]:82");
}

static void
expect_refused(const char *url, const char *needle)
{
    kyero_fetch_req_t q = { .url = url, .max_bytes = 1 << 20, .fd = -1,
                            .connect_timeout_ms = 2000, .timeout_ms = 4000 };
    kyero_fetch_res_t res;
    int rc = kyero_fetch(&q, &res);
    ok(rc != 0 && strstr(res.error, needle) != NULL, "%s refused: %s", url, res.error);
}

static void
test_refused_urls(void)
{
    expect_refused("http://127.0.0.1:1/feed.xml", "refused to connect");
    expect_refused("http://0177.0.0.1:1/", "refused to connect");
    expect_refused("http://2130706433:1/", "refused to connect");
    expect_refused("http://[::ffff:127.0.0.1]:1/", "refused to connect");
    expect_refused("http://[::1]:1/", "refused to connect");
    expect_refused("http://169.254.169.254/latest/meta-data/", "refused to connect");
    expect_refused("http://10.0.0.1/", "refused to connect");
    expect_refused("http://localhost:1/", "refused to connect");
    expect_refused("file:///etc/passwd", "");
    expect_refused("gopher://127.0.0.1:70/", "");
    expect_refused("ftp://127.0.0.1/feed.xml", "");
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

static int
fetch(const char *path, const char *etag, size_t max, long timeout_ms, kyero_fetch_res_t *res)
{
    char url[128], allow[64];
    snprintf(url, sizeof(url), "http://127.0.0.1:%d%s", port, path);
    snprintf(allow, sizeof(allow), "127.0.0.1:%d", port);
    FILE *tmp = tmpfile();
    kyero_fetch_req_t q = { .url = url, .etag = etag, .max_bytes = max, .allow = allow,
                            .fd = fileno(tmp), .connect_timeout_ms = 2000,
                            .timeout_ms = timeout_ms };
    int rc = kyero_fetch(&q, res);
    fclose(tmp);
    return rc;
}

static void
test_server(void)
{
    pid_t pid = start_server();
    ok(pid > 0, "a test HTTP server on 127.0.0.1:%d", port);
    kyero_fetch_res_t res;
    is_int(fetch("/feed", NULL, 1 << 20, 5000, &res), 0, "a feed from an allowed address");
    is_int(res.status, 200, "status 200");
    is_int((long long) res.bytes, 13, "its bytes");
    is_str(res.etag, "\"v1\"", "the ETag is kept");
    is_str(res.last_modified, "Tue, 01 Dec 2026 10:00:00 GMT", "the Last-Modified is kept");
    is_int(fetch("/feed", "\"v1\"", 1 << 20, 5000, &res), 0, "a conditional GET");
    ok(res.not_modified && res.bytes == 0, "304: unchanged, no body");
    ok(fetch("/big", NULL, 10000, 5000, &res) != 0 && strstr(res.error, "larger than"),
       "a body over the cap is cut off: %s", res.error);
    ok(res.bytes <= 10000, "no more than the cap was written (%zu)", res.bytes);
    ok(fetch("/to-loopback", NULL, 1 << 20, 5000, &res) != 0
       && strstr(res.error, "127.0.0.2"), "a redirect to another loopback address is refused: %s",
       res.error);
    ok(fetch("/hop0", NULL, 1 << 20, 5000, &res) != 0, "more than 3 redirects fail: %s",
       res.error);
    ok(fetch("/to-file", NULL, 1 << 20, 5000, &res) != 0, "a redirect to file:// fails: %s",
       res.error);
    ok(fetch("/missing", NULL, 1 << 20, 5000, &res) != 0 && strstr(res.error, "404"),
       "a 404 is an error: %s", res.error);
    ok(fetch("/silent", NULL, 1 << 20, 700, &res) != 0, "a server that never answers times out: %s",
       res.error);
    kill(pid, SIGKILL);
    waitpid(pid, NULL, 0);
}

int
main(void)
{
    curl_global_init(CURL_GLOBAL_DEFAULT);
    test_table();
    test_refused_urls();
    test_server();
    curl_global_cleanup();
    return done_testing();
}
