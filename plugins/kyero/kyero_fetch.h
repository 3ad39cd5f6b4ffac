/* Fetching a partner's feed over http(s) with libcurl, guarded against SSRF. */
#ifndef KYERO_FETCH_H
#define KYERO_FETCH_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/socket.h>

typedef struct {
    const char *url;
    const char *etag;            /* sent as If-None-Match, or NULL */
    const char *last_modified;   /* sent as If-Modified-Since, or NULL */
    size_t      max_bytes;       /* the body is cut off (and the fetch failed) beyond this */
    long        connect_timeout_ms;
    long        timeout_ms;
    /* Addresses the guard lets through although private ("127.0.0.1:8155 [::1]:80 10.0.0.5"):
     * the install's [fetch] allow setting, empty in production. */
    const char *allow;
    int         fd;              /* where the body goes */
} kyero_fetch_req_t;

typedef struct {
    long   status;               /* the last HTTP status, 0 when none came */
    bool   not_modified;         /* 304: the feed is unchanged */
    size_t bytes;
    char   etag[256];
    char   last_modified[64];
    char   error[256];           /* why the fetch failed, for the run log */
} kyero_fetch_res_t;

/* TS_OK-style: 0 when a 200 (or 304) arrived whole, -1 with res->error otherwise. */
int kyero_fetch(const kyero_fetch_req_t *q, kyero_fetch_res_t *res);

/* True when the fetcher must not connect to this address: loopback, private, link-local,
 * unique-local, multicast, unspecified, IPv4 inside IPv6, unless `allow` names it. */
bool kyero_addr_blocked(const struct sockaddr *sa, const char *allow);

#endif
