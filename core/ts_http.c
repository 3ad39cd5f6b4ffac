/* One request from accept to answer: route, tenant, limits, auth, CSRF, handler. */
#include <fcgiapp.h>
#include <string.h>
#include "ts_core.h"

static int
not_found(ts_request_t *r)
{
    return ts_resp_error(r, 404, "not_found", "no such resource", NULL);
}

static int
unavailable(ts_request_t *r)
{
    ts_resp_header(r, "Retry-After", "1");
    return ts_resp_error(r, 503, "unavailable", "the database is unavailable; retry shortly",
                         NULL);
}

static int
resolve_tenant(ts_request_t *r, const ts_route_t *route)
{
    ts_req_core_t *c = TS_CORE(r);
    int64_t tid = 0;
    const char *token;
    int rc = ts_auth_bearer_tenant(ts_req_header(r, "Authorization"), &tid, &token);
    if (rc == TS_ERROR) {
        return ts_resp_error(r, 401, "invalid_token", "the bearer token is malformed", NULL);
    }
    rc = rc == TS_OK ? ts_tenant_by_id(r, tid) : ts_tenant_resolve_host(r, c->host);
    if (rc == TS_AGAIN) {
        return unavailable(r);
    }
    if (rc != TS_OK) {
        return rc == TS_DECLINED && tid == 0
               ? ts_resp_error(r, 404, "unknown_tenant", "no agency answers at this address",
                               NULL)
               : ts_resp_error(r, 401, "invalid_token", "the bearer token is not valid", NULL);
    }
    if (!ts_tenant_plugin_enabled(r, route->plugin)) {
        return not_found(r);
    }
    return 0;
}

static bool
state_changing(ts_method_t m)
{
    return m == TS_POST || m == TS_PUT || m == TS_PATCH || m == TS_DELETE;
}

static int
authorize(ts_request_t *r, const ts_route_t *route)
{
    ts_req_core_t *c = TS_CORE(r);
    int rc = ts_auth_authenticate(r);
    if (rc == TS_AGAIN) {
        return unavailable(r);
    }
    if (rc == TS_ERROR) {
        return ts_resp_error(r, 401, "invalid_token", "the bearer token is not valid", NULL);
    }
    if (r->user == NULL && !(route->flags & TS_ROUTE_PUBLIC)) {
        if (route->flags & TS_ROUTE_HTML) {
            return ts_resp_redirect(r, ts_psprintf(r->pool, "/login?next=%s",
                                                   ts_url_encode(r->pool, r->path)));
        }
        return ts_resp_error(r, 401, "unauthenticated", "log in or send a bearer token", NULL);
    }
    if (r->user != NULL && r->user->role < route->min_role) {
        return ts_resp_error(r, 403, "forbidden",
                             ts_psprintf(r->pool, "this needs the %s role or higher",
                                         ts_role_name(route->min_role)), NULL);
    }
    /* Bearer tokens cannot be sent by a foreign page; cookies can. */
    if (state_changing(r->method) && !c->by_token && !(route->flags & TS_ROUTE_NO_CSRF)
        && !ts_csrf_ok(r)) {
        return ts_resp_error(r, 403, "csrf_failed",
                             "the form is stale or was not sent by this site; reload and retry",
                             NULL);
    }
    return 0;
}

static bool
deadlocked(ts_req_core_t *c)
{
    unsigned e = c->db != NULL ? ts_dbc_errno(c->db) : 0;
    return e == 1213 /* ER_LOCK_DEADLOCK */ || e == 1205 /* ER_LOCK_WAIT_TIMEOUT */;
}

static int
dispatch(ts_request_t *r)
{
    ts_req_core_t *c = TS_CORE(r);
    const ts_route_t *route = NULL;
    unsigned allowed = 0;
    ts_method_t m = r->method == TS_HEAD ? TS_GET : r->method;
    c->head_only = r->method == TS_HEAD;
    switch (ts_route_find(r->pool, m, r->path, &route, &c->params, &allowed)) {
    case TS_ROUTE_NOT_FOUND:
        return not_found(r);
    case TS_ROUTE_BAD_METHOD:
        ts_resp_header(r, "Allow", ts_methods_allow(r->pool, allowed));
        if (r->method == TS_OPTIONS) {
            return ts_resp_no_content(r);
        }
        return ts_resp_error(r, 405, "method_not_allowed", "this method is not allowed here",
                             NULL);
    case TS_ROUTE_FOUND:
        break;
    }
    c->route_flags = route->flags;
    int rc;
    if (!(route->flags & TS_ROUTE_NOTENANT) && (rc = resolve_tenant(r, route)) != 0) {
        return rc;
    }
    if ((rc = ts_req_read_body(r)) != 0) {
        return rc;
    }
    if (!(route->flags & TS_ROUTE_NOTENANT) && (rc = authorize(r, route)) != 0) {
        return rc;
    }
    ts_cache_probe_t probe = { NULL, 0, 0 };
    bool cacheable = (route->flags & TS_ROUTE_CACHE) && ts_cache_enabled(r);
    if (cacheable && ts_cache_lookup(r, &probe) == TS_OK) {
        return TS_CORE(r)->status;
    }
    size_t headers_len = c->headers.len;
    unsigned long commits = ts_dbc_commits(c->db);
    rc = route->handler(r);
    if (rc < 0 && deadlocked(c) && ts_dbc_commits(c->db) == commits) {
        /* InnoDB chose this request's transaction as a deadlock's victim and
         * rolled it back; nothing of it was committed, so it runs once more. */
        ts_log_warn("%s: deadlock, running the request once more", r->path);
        ts_db_rollback(r);
        c->headers.len = headers_len;
        c->body.len = 0;
        c->answered = false;
        c->status = 0;
        rc = route->handler(r);
    }
    if (cacheable && rc >= 0 && c->answered) {
        ts_cache_store(r, &probe);
    }
    if (rc == TS_AGAIN || (rc < 0 && ts_dbc_lost(c->db) && c->db != NULL)) {
        c->answered = false;
        return unavailable(r);
    }
    if (rc < 0 || !c->answered) {
        ts_log_error("%s: the handler failed (%d)", r->path, rc);
        c->answered = false;
        return ts_resp_error(r, 500, "internal", "internal error; it has been logged", NULL);
    }
    return rc;
}

void
ts_http_handle(FCGX_Request *fcgx, ts_pool_t *pool)
{
    ts_request_t req;
    ts_request_t *r = &req;
    int rc = ts_req_init(r, pool, fcgx);
    if (rc == 400) {
        ts_resp_error(r, 400, "bad_query", "malformed query string", NULL);
    } else if (rc == 501) {
        /* RFC 9110: a method the server does not know at all is 501, not 405. */
        ts_resp_error(r, 501, "not_implemented", "unknown method", NULL);
    } else {
        dispatch(r);
    }
    ts_req_core_t *c = TS_CORE(r);
    if (c->in_tx) {
        ts_log_warn("%s: transaction left open by the handler, rolled back", r->path);
        ts_db_rollback(r);
    }
    ts_req_finish(r);
    const char *m = FCGX_GetParam("REQUEST_METHOD", fcgx->envp);
    ts_log_request(m ? m : "-", r->path, c->status, (long) (ts_now_us() - c->start_us),
                   r->tenant ? r->tenant->slug : NULL, r->user ? r->user->id : 0);
}
