/* Who is asking: passwords (Argon2id), sessions, API tokens, CSRF and login throttling. */
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "ts_core.h"

#define SESSION_COOKIE "ts_session"
#define CSRF_COOKIE    "ts_csrf"
#define SESSION_DAYS   14
/* OWASP's floor for Argon2id: 19 MiB and two passes. */
#define PW_OPS 2
#define PW_MEM (19u * 1024 * 1024)

static const char *role_names[] = { "none", "viewer", "agent", "manager", "admin" };

const char *
ts_role_name(ts_role_t r)
{
    return r <= TS_ROLE_ADMIN ? role_names[r] : "none";
}

ts_role_t
ts_role_parse(const char *s)
{
    for (int i = 1; s != NULL && i <= TS_ROLE_ADMIN; i++) {
        if (strcmp(s, role_names[i]) == 0) {
            return (ts_role_t) i;
        }
    }
    return TS_ROLE_NONE;
}

void
ts_random_hex(char *out, size_t bytes)
{
    unsigned char buf[64];
    if (bytes > sizeof(buf)) {
        bytes = sizeof(buf);
    }
    randombytes_buf(buf, bytes);
    sodium_bin2hex(out, bytes * 2 + 1, buf, bytes);
}

void
ts_sha256_hex(const char *in, char out[65])
{
    unsigned char h[crypto_hash_sha256_BYTES];
    crypto_hash_sha256(h, (const unsigned char *) in, strlen(in));
    sodium_bin2hex(out, 65, h, sizeof(h));
}

int
ts_password_hash(const char *pw, char out[128])
{
    if (crypto_pwhash_str(out, pw, strlen(pw), PW_OPS, PW_MEM) != 0) {
        ts_log_error("password hashing ran out of memory");
        return TS_ERROR;
    }
    return TS_OK;
}

bool
ts_password_verify(const char *hash, const char *pw)
{
    return hash != NULL && crypto_pwhash_str_verify(hash, pw, strlen(pw)) == 0;
}

static ts_user_t *
user_from(ts_request_t *r, ts_db_result_t *res)
{
    ts_user_t *u = ts_palloc(r->pool, sizeof(*u));
    u->id = ts_db_get_int(res, 0, "id");
    u->email = ts_db_get(res, 0, "email");
    u->name = ts_db_get(res, 0, "name");
    u->role = ts_role_parse(ts_db_get(res, 0, "role"));
    return u;
}

/* Verified tokens are remembered by each worker for [security] token_cache_ms
 * (default one second): an API client's burst costs one query, and a revoked
 * token or disabled user stops working within that time. */
#define TOKEN_CACHE 64

typedef struct {
    char      hash[65];
    int64_t   tenant;
    long long expires_us;
    int64_t   id;
    char      email[255];
    char      name[201];
    ts_role_t role;
} token_entry_t;

static token_entry_t token_cache[TOKEN_CACHE];

static token_entry_t *
token_slot(const char *hash)
{
    return &token_cache[strtoul(hash + 56, NULL, 16) % TOKEN_CACHE];
}

static bool
token_cached(ts_request_t *r, const char *hash)
{
    token_entry_t *e = token_slot(hash);
    if (e->expires_us < ts_now_us() || e->tenant != r->tenant->id
        || sodium_memcmp(e->hash, hash, 64) != 0) {
        return false;
    }
    ts_user_t *u = ts_palloc(r->pool, sizeof(*u));
    u->id = e->id;
    u->email = ts_pstrdup(r->pool, e->email);
    u->name = ts_pstrdup(r->pool, e->name);
    u->role = e->role;
    r->user = u;
    TS_CORE(r)->by_token = true;
    return true;
}

static void
token_remember(ts_request_t *r, const char *hash)
{
    if (ts_conf->token_cache_ms <= 0) {
        return;
    }
    token_entry_t *e = token_slot(hash);
    snprintf(e->hash, sizeof(e->hash), "%s", hash);
    e->tenant = r->tenant->id;
    e->id = r->user->id;
    snprintf(e->email, sizeof(e->email), "%s", r->user->email);
    snprintf(e->name, sizeof(e->name), "%s", r->user->name);
    e->role = r->user->role;
    e->expires_us = ts_now_us() + ts_conf->token_cache_ms * 1000LL;
}

static int
by_token(ts_request_t *r, const char *token)
{
    char hash[65];
    ts_sha256_hex(token, hash);
    if (token_cached(r, hash)) {
        return TS_OK;
    }
    ts_db_result_t *res = ts_db_query(r,
        "SELECT u.id, u.email, u.name, u.role, t.id AS token_id,"
        " (t.last_used_at IS NULL OR t.last_used_at < NOW() - INTERVAL 5 MINUTE) AS stale"
        " FROM api_tokens t JOIN users u ON u.tenant_id = t.tenant_id AND u.id = t.user_id"
        " WHERE t.token_hash = ? AND t.tenant_id = {tenant} AND t.revoked_at IS NULL"
        " AND u.status = 'active'", "s", hash);
    if (res == NULL) {
        return TS_AGAIN;
    }
    if (ts_db_rows(res) == 0) {
        return TS_DECLINED;
    }
    if (ts_db_get_int(res, 0, "stale")) {
        /* Written at most every five minutes: reads stay reads. */
        ts_db_exec(r, "UPDATE api_tokens SET last_used_at = NOW() WHERE tenant_id = {tenant}"
                      " AND id = ?", "i", ts_db_get_int(res, 0, "token_id"));
    }
    r->user = user_from(r, res);
    TS_CORE(r)->by_token = true;
    token_remember(r, hash);
    return TS_OK;
}

/* A token reads tso_<tenant id>_<64 hex>: the id routes it to its server. */
int
ts_auth_bearer_tenant(const char *header, int64_t *tenant, const char **token)
{
    if (header == NULL || strncasecmp(header, "Bearer ", 7) != 0) {
        return TS_DECLINED;
    }
    const char *t = header + 7;
    while (*t == ' ') {
        t++;
    }
    if (strncmp(t, "tso_", 4) != 0) {
        return TS_ERROR;
    }
    char *end;
    long long id = strtoll(t + 4, &end, 10);
    if (id <= 0 || *end != '_' || strlen(end + 1) != 64 || strspn(end + 1, "0123456789abcdef")
                                                              != 64) {
        return TS_ERROR;
    }
    *tenant = id;
    *token = t;
    return TS_OK;
}

static int
by_session(ts_request_t *r, const char *cookie)
{
    if (strlen(cookie) != 64) {
        return TS_DECLINED;
    }
    char hash[65];
    ts_sha256_hex(cookie, hash);
    ts_db_result_t *res = ts_db_query(r,
        "SELECT u.id, u.email, u.name, u.role FROM sessions s JOIN users u"
        " ON u.tenant_id = s.tenant_id AND u.id = s.user_id"
        " WHERE s.token_hash = ? AND s.tenant_id = {tenant} AND s.expires_at > NOW()"
        " AND u.status = 'active'", "s", hash);
    if (res == NULL) {
        return TS_AGAIN;
    }
    if (ts_db_rows(res) == 0) {
        return TS_DECLINED;
    }
    r->user = user_from(r, res);
    TS_CORE(r)->session_hash = ts_pstrdup(r->pool, hash);
    return TS_OK;
}

/* TS_OK with r->user set or not; TS_ERROR for a bad bearer token; TS_AGAIN
 * when the database is away. */
int
ts_auth_authenticate(ts_request_t *r)
{
    int64_t tid;
    const char *token;
    int rc = ts_auth_bearer_tenant(ts_req_header(r, "Authorization"), &tid, &token);
    if (rc == TS_OK) {
        rc = by_token(r, token);
        return rc == TS_DECLINED ? TS_ERROR : rc;
    }
    if (rc == TS_ERROR) {
        return TS_ERROR;
    }
    const char *cookie = ts_req_cookie(r, SESSION_COOKIE);
    if (cookie == NULL || r->tenant == NULL) {
        return TS_OK;
    }
    rc = by_session(r, cookie);
    return rc == TS_DECLINED ? TS_OK : rc;
}

static void
set_cookie(ts_request_t *r, const char *name, const char *value, long max_age, bool http_only)
{
    char *v = ts_psprintf(r->pool, "%s=%s; Path=/; Max-Age=%ld; SameSite=Lax%s%s", name, value,
                          max_age, http_only ? "; HttpOnly" : "",
                          ts_conf->secure_cookies ? "; Secure" : "");
    ts_resp_header(r, "Set-Cookie", v);
}

static void
hmac_hex(const char *msg, char out[65])
{
    unsigned char key[crypto_auth_hmacsha256_KEYBYTES];
    crypto_hash_sha256(key, (const unsigned char *) ts_conf->secret, strlen(ts_conf->secret));
    unsigned char mac[crypto_auth_hmacsha256_BYTES];
    crypto_auth_hmacsha256(mac, (const unsigned char *) msg, strlen(msg), key);
    sodium_bin2hex(out, 65, mac, sizeof(mac));
}

/* Logged in: bound to the session. Before login: a double-submit cookie. */
const char *
ts_csrf_token(ts_request_t *r)
{
    ts_req_core_t *c = TS_CORE(r);
    char out[65];
    if (c->session_hash != NULL) {
        char *msg = ts_psprintf(r->pool, "csrf:%s", c->session_hash);
        hmac_hex(msg, out);
        return ts_pstrdup(r->pool, out);
    }
    if (c->csrf_cookie == NULL) {
        const char *have = ts_req_cookie(r, CSRF_COOKIE);
        if (have != NULL && strlen(have) == 64) {
            c->csrf_cookie = have;
        } else {
            ts_random_hex(out, 32);
            c->csrf_cookie = ts_pstrdup(r->pool, out);
            set_cookie(r, CSRF_COOKIE, c->csrf_cookie, 86400, true);
        }
    }
    return c->csrf_cookie;
}

bool
ts_csrf_ok(ts_request_t *r)
{
    ts_req_core_t *c = TS_CORE(r);
    const char *sent = ts_req_header(r, "X-CSRF-Token");
    if (sent == NULL) {
        sent = ts_req_form(r, "_csrf");
    }
    if (sent == NULL || strlen(sent) != 64) {
        return false;
    }
    const char *want;
    if (c->session_hash != NULL) {
        want = ts_csrf_token(r);
    } else {
        want = ts_req_cookie(r, CSRF_COOKIE);
        if (want == NULL || strlen(want) != 64) {
            return false;
        }
    }
    return sodium_memcmp(sent, want, 64) == 0;
}

/* ---- login throttling: counted in the database, so all workers agree ---- */

static bool
throttled(ts_request_t *r, const char *scope, const char *subject, int max)
{
    ts_db_result_t *res = ts_db_query(r,
        "SELECT failures FROM login_attempts WHERE tenant_id = {tenant} AND scope = ?"
        " AND subject = ? AND window_start > NOW() - INTERVAL ? SECOND", "ssi", scope, subject,
        (int64_t) ts_conf->login_window_s);
    return res != NULL && ts_db_rows(res) > 0 && ts_db_get_int(res, 0, "failures") >= max;
}

static void
count_failure(ts_request_t *r, const char *scope, const char *subject)
{
    int64_t w = ts_conf->login_window_s;
    ts_db_exec(r,
        "INSERT INTO login_attempts (tenant_id, scope, subject, window_start, failures)"
        " VALUES ({tenant}, ?, ?, NOW(), 1) ON DUPLICATE KEY UPDATE"
        " failures = IF(window_start > NOW() - INTERVAL ? SECOND, failures + 1, 1),"
        " window_start = IF(window_start > NOW() - INTERVAL ? SECOND, window_start, NOW())",
        "ssii", scope, subject, w, w);
}

static char *
lower(ts_pool_t *p, const char *s)
{
    char *d = ts_pstrdup(p, s);
    for (char *q = d; *q; q++) {
        if (*q >= 'A' && *q <= 'Z') {
            *q = (char) (*q - 'A' + 'a');
        }
    }
    return d;
}

static int
session_start(ts_request_t *r, int64_t user_id)
{
    char token[65], hash[65];
    ts_random_hex(token, 32);
    ts_sha256_hex(token, hash);
    if (ts_db_exec(r, "INSERT INTO sessions (token_hash, tenant_id, user_id, expires_at)"
                      " VALUES (?, {tenant}, ?, NOW() + INTERVAL ? DAY)", "sii", hash, user_id,
                   (int64_t) SESSION_DAYS) != TS_OK) {
        return TS_ERROR;
    }
    set_cookie(r, SESSION_COOKIE, token, SESSION_DAYS * 86400L, true);
    TS_CORE(r)->session_hash = ts_pstrdup(r->pool, hash);
    return TS_OK;
}

/* Returns 200, 401 (bad login), 429 (throttled) or 503. */
int
ts_auth_login(ts_request_t *r, const char *email, const char *password, const char **err)
{
    const char *ip = ts_req_remote_addr(r);
    email = lower(r->pool, email ? email : "");
    password = password ? password : "";
    if (throttled(r, "account", email, ts_conf->login_max_account)
        || throttled(r, "ip", ip, ts_conf->login_max_ip)) {
        *err = "too many failed logins; try again later";
        return 429;
    }
    ts_db_result_t *res = ts_db_query(r,
        "SELECT id, password_hash FROM users WHERE tenant_id = {tenant} AND email = ?"
        " AND status = 'active'", "s", email);
    if (res == NULL) {
        *err = "the database is unavailable";
        return 503;
    }
    const char *hash = ts_db_get(res, 0, "password_hash");
    /* Verify even for an unknown account, so timing does not tell which exist. */
    static char dummy[crypto_pwhash_STRBYTES];
    if (dummy[0] == '\0') {
        ts_password_hash("not a password", dummy);
    }
    bool good = ts_password_verify(hash ? hash : dummy, password) && hash != NULL;
    if (!good) {
        count_failure(r, "account", email);
        count_failure(r, "ip", ip);
        *err = "wrong email or password";
        return 401;
    }
    ts_db_exec(r, "DELETE FROM login_attempts WHERE tenant_id = {tenant} AND scope = 'account'"
                  " AND subject = ?", "s", email);
    if (session_start(r, ts_db_get_int(res, 0, "id")) != TS_OK) {
        *err = "the session could not be stored";
        return 503;
    }
    return 200;
}

int
ts_auth_logout(ts_request_t *r)
{
    ts_req_core_t *c = TS_CORE(r);
    if (c->session_hash != NULL) {
        ts_db_exec(r, "DELETE FROM sessions WHERE token_hash = ? AND tenant_id = {tenant}", "s",
                   c->session_hash);
        c->session_hash = NULL;
    }
    set_cookie(r, SESSION_COOKIE, "", 0, true);
    r->user = NULL;
    return TS_OK;
}

int
ts_token_create(ts_request_t *r, int64_t user_id, const char *name, char **token_out)
{
    char rnd[65], hash[65];
    ts_random_hex(rnd, 32);
    char *token = ts_psprintf(r->pool, "tso_%lld_%s", (long long) r->tenant->id, rnd);
    ts_sha256_hex(token, hash);
    if (ts_db_exec(r, "INSERT INTO api_tokens (tenant_id, user_id, name, token_hash)"
                      " VALUES ({tenant}, ?, ?, ?)", "iss", user_id, name ? name : "",
                   hash) != TS_OK) {
        return TS_ERROR;
    }
    *token_out = token;
    return TS_OK;
}

int
ts_user_create(ts_request_t *r, const char *email, const char *name, ts_role_t role,
               const char *password, int64_t *id_out)
{
    char hash[128];
    if (password != NULL && ts_password_hash(password, hash) != TS_OK) {
        return TS_ERROR;
    }
    int rc = ts_db_exec(r, "INSERT INTO users (tenant_id, email, name, role, status,"
                           " password_hash) VALUES ({tenant}, ?, ?, ?, ?, ?)", "sssss",
                        lower(r->pool, email), name ? name : "", ts_role_name(role),
                        password ? "active" : "invited", password ? hash : NULL);
    if (rc == TS_OK && id_out != NULL) {
        *id_out = ts_db_insert_id(r);
    }
    return rc;
}
