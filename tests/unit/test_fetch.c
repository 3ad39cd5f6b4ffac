/* The SSRF guard's address rules (SECURITY.md): only public addresses pass. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <curl/curl.h>
#include "ts_core.h"
#include "tap.h"

static bool
allowed(const char *addr, bool loopback_ok)
{
    struct sockaddr_storage ss;
    memset(&ss, 0, sizeof(ss));
    if (strchr(addr, ':') != NULL) {
        struct sockaddr_in6 *in6 = (struct sockaddr_in6 *) &ss;
        in6->sin6_family = AF_INET6;
        inet_pton(AF_INET6, addr, &in6->sin6_addr);
    } else {
        struct sockaddr_in *in = (struct sockaddr_in *) &ss;
        in->sin_family = AF_INET;
        inet_pton(AF_INET, addr, &in->sin_addr);
    }
    return ts_fetch_addr_allowed((struct sockaddr *) &ss, loopback_ok);
}

int
main(void)
{
    static const char *const blocked[] = {
        "127.0.0.1", "127.1.2.3", "0.0.0.0", "10.0.0.1", "172.16.0.1", "172.31.255.255",
        "192.168.1.1", "169.254.169.254", "100.64.0.1", "224.0.0.1", "255.255.255.255",
        "::1", "::", "fc00::1", "fd12:3456::1", "fe80::1", "::ffff:127.0.0.1",
        "::ffff:10.0.0.1", "::ffff:169.254.169.254", "::127.0.0.1", "ff02::1", "64:ff9b::7f00:1",
        "2002:7f00:1::1", NULL,
    };
    for (int i = 0; blocked[i]; i++) {
        ok(!allowed(blocked[i], false), "%s is refused", blocked[i]);
    }
    static const char *const open[] = { "93.184.216.34", "8.8.8.8", "172.32.0.1", "192.169.0.1",
                                        "2606:2800:220:1:248:1893:25c8:1946",
                                        "::ffff:93.184.216.34", NULL };
    for (int i = 0; open[i]; i++) {
        ok(allowed(open[i], false), "%s is allowed", open[i]);
    }
    ok(allowed("127.0.0.1", true) && allowed("::1", true) && allowed("::ffff:127.0.0.1", true),
       "allow_loopback lets loopback through");
    ok(!allowed("10.0.0.1", true) && !allowed("169.254.169.254", true) && !allowed("fe80::1", true),
       "allow_loopback lets nothing else through");
    /* The guard in OPENSOCKETFUNCTION sees the address curl resolved, however the
     * URL spells it; these are all loopback and refused before any connect. */
    curl_global_init(CURL_GLOBAL_DEFAULT);
    ts_pool_t *p = ts_pool_create(0);
    static const char *const sneaky[] = { "http://127.0.0.1:9/", "http://0177.0.0.1:9/",
                                          "http://2130706433:9/", "http://0x7f000001:9/",
                                          "http://[::1]:9/", "http://[::ffff:127.0.0.1]:9/",
                                          "http://localhost:9/", NULL };
    for (int i = 0; sneaky[i]; i++) {
        ts_fetch_req_t req = { "GET", sneaky[i], NULL, 0, NULL, 1 };
        ts_fetch_res_t res;
        int rc = ts_fetch(p, &req, &res);
        ok(rc == TS_ERROR && res.error && strstr(res.error, "not a public address"),
           "%s is refused by the guard (%s)", sneaky[i], res.error ? res.error : "fetched");
    }
    static const char *const schemes[] = { "file:///etc/passwd", "gopher://127.0.0.1/",
                                           "ftp://example.com/", "dict://127.0.0.1:11211/", NULL };
    for (int i = 0; schemes[i]; i++) {
        ts_fetch_req_t req = { "GET", schemes[i], NULL, 0, NULL, 1 };
        ts_fetch_res_t res;
        ok(ts_fetch(p, &req, &res) == TS_ERROR && strstr(res.error, "only http and https"),
           "%s is refused: only http and https", schemes[i]);
    }
    ts_pool_destroy(p);
    curl_global_cleanup();
    return done_testing();
}
