/* The web UI shell: login, logout, dashboard, invitations, password reset, outbox. */
#include <stdlib.h>
#include <string.h>
#include "ts_core.h"


#define FLASH_COOKIE "ts_flash"

/* A message for the next page; codes only, so nothing user-typed travels. */
void
ts_ui_flash(ts_request_t *r, const char *code)
{
    ts_resp_header(r, "Set-Cookie", ts_psprintf(r->pool, "%s=%s; Path=/; Max-Age=60; "
                                                "SameSite=Lax; HttpOnly", FLASH_COOKIE, code));
}

static const char *
flash_text(const char *code)
{
    static const struct { const char *code, *text; } msgs[] = {
        { "logged_out", "You are logged out." },
        { "password_set", "Your password is set. Welcome!" },
        { "reset_sent", "If that address has an account, a reset link is on its way." },
        { "link_invalid", "That link is invalid, used or expired." },
        { "script_saved", "Script saved as a new version." },
        { "scorer_activated", "This script now scores the agency's leads." },
        { "script_rolled_back", "Rolled back: the old code is in effect as a new version." },
        { "webhook_created", "Webhook created." },
        { "webhook_deleted", "Webhook deleted." },
        { "webhook_saved", "Webhook saved." },
        { "webhook_enabled", "Webhook enabled: events are sent again." },
        { "webhook_disabled", "Webhook disabled: no events are sent until it is enabled." },
        { "delivery_retried", "Delivery queued for another try." },
    };
    for (size_t i = 0; code && i < sizeof(msgs) / sizeof(msgs[0]); i++) {
        if (strcmp(msgs[i].code, code) == 0) {
            return msgs[i].text;
        }
    }
    return NULL;
}

/* Everything layout.tpl shows on every page. */
void
ts_ui_layout(ts_request_t *r, ts_tpl_dict_t *d)
{
    ts_tpl_set(d, "CSRF", ts_csrf_token(r));
    ts_tpl_set(d, "TENANT_NAME", r->tenant ? r->tenant->name : "Tesoro");
    ts_tpl_set(d, "PATH", r->path);
    if (r->user != NULL) {
        ts_tpl_show(d, "LOGGED_IN");
        ts_tpl_set(d, "USER_NAME", r->user->name && *r->user->name ? r->user->name
                                                                     : r->user->email);
        ts_tpl_set(d, "USER_ROLE", ts_role_name(r->user->role));
        if (r->user->role >= TS_ROLE_ADMIN) {
            ts_tpl_show(d, "IS_ADMIN");
        }
    }
    const char *msg = flash_text(ts_req_cookie(r, FLASH_COOKIE));
    if (msg != NULL) {
        ts_tpl_set(ts_tpl_section(d, "FLASH"), "MESSAGE", msg);
        ts_resp_header(r, "Set-Cookie", FLASH_COOKIE "=; Path=/; Max-Age=0");
    }
}

static const char *
safe_next(const char *next)
{
    return ts_local_path(next) ? next : "/";
}

static int
login_page(ts_request_t *r, int status, const char *error, const char *email)
{
    ts_tpl_dict_t *d = ts_tpl_dict(r);
    ts_tpl_set(d, "TITLE", "Log in");
    ts_tpl_set(d, "EMAIL", email ? email : "");
    ts_tpl_set(d, "NEXT", safe_next(ts_req_query(r, "next") ? ts_req_query(r, "next")
                                                             : ts_req_form(r, "next")));
    if (error != NULL) {
        ts_tpl_set(ts_tpl_section(d, "ERROR"), "MESSAGE", error);
    }
    return ts_resp_page(r, status, "login.tpl", d);
}

static int
login_get(ts_request_t *r)
{
    if (r->user != NULL) {
        return ts_resp_redirect(r, "/");
    }
    return login_page(r, 200, NULL, NULL);
}

static int
login_post(ts_request_t *r)
{
    const char *email = ts_req_form(r, "email"), *password = ts_req_form(r, "password");
    if (email == NULL || *email == '\0' || password == NULL || *password == '\0') {
        return login_page(r, 422, "Enter your email and password.", email);
    }
    const char *err = NULL;
    int st = ts_auth_login(r, email, password, &err);
    if (st != 200) {
        return login_page(r, st, err, email);
    }
    return ts_resp_redirect(r, safe_next(ts_req_form(r, "next")));
}

static int
logout_post(ts_request_t *r)
{
    ts_auth_logout(r);
    ts_ui_flash(r, "logged_out");
    return ts_resp_redirect(r, "/login");
}

static int
dashboard(ts_request_t *r)
{
    ts_tpl_dict_t *d = ts_tpl_dict(r);
    ts_tpl_set(d, "TITLE", "Dashboard");
    ts_db_result_t *users = ts_db_query(r, "SELECT COUNT(*) AS n FROM users"
                                           " WHERE tenant_id = {tenant} AND status = 'active'", "");
    ts_db_result_t *tasks = ts_db_query(r, "SELECT COUNT(*) AS n FROM jobs"
                                           " WHERE tenant_id = {tenant} AND status = 'queued'", "");
    if (users == NULL || tasks == NULL) {
        return TS_ERROR;
    }
    ts_tpl_set_int(d, "USER_COUNT", ts_db_get_int(users, 0, "n"));
    ts_tpl_set_int(d, "JOB_COUNT", ts_db_get_int(tasks, 0, "n"));
    return ts_resp_page(r, 200, "dashboard.tpl", d);
}

/* ---- one-time links: invitations and password resets ---- */

static ts_db_result_t *
link_lookup(ts_request_t *r, const char *kind)
{
    const char *token = ts_req_param(r, "token");
    if (token == NULL || strlen(token) != 64) {
        return NULL;
    }
    char hash[65];
    ts_sha256_hex(token, hash);
    ts_db_result_t *res = ts_db_query(r,
        "SELECT l.token_hash, u.id, u.email FROM one_time_links l JOIN users u"
        " ON u.tenant_id = l.tenant_id AND u.id = l.user_id WHERE l.token_hash = ?"
        " AND l.tenant_id = {tenant} AND l.kind = ? AND l.used_at IS NULL"
        " AND l.expires_at > NOW() AND u.status <> 'disabled'", "ss", hash, kind);
    return res && ts_db_rows(res) ? res : NULL;
}

static int
password_page(ts_request_t *r, int status, const char *title, const char *email,
              const char *error)
{
    ts_tpl_dict_t *d = ts_tpl_dict(r);
    ts_tpl_set(d, "TITLE", title);
    ts_tpl_set(d, "EMAIL", email);
    ts_tpl_set(d, "ACTION", r->path);
    if (error != NULL) {
        ts_tpl_set(ts_tpl_section(d, "ERROR"), "MESSAGE", error);
    }
    return ts_resp_page(r, status, "password.tpl", d);
}

static int
link_invalid(ts_request_t *r)
{
    ts_ui_flash(r, "link_invalid");
    return ts_resp_redirect(r, "/login");
}

static int
link_get(ts_request_t *r)
{
    bool invite = strncmp(r->path, "/invite/", 8) == 0;
    ts_db_result_t *l = link_lookup(r, invite ? "invite" : "reset");
    if (l == NULL) {
        return link_invalid(r);
    }
    return password_page(r, 200, invite ? "Accept your invitation" : "Choose a new password",
                         ts_db_get(l, 0, "email"), NULL);
}

static int
link_post(ts_request_t *r)
{
    bool invite = strncmp(r->path, "/invite/", 8) == 0;
    const char *title = invite ? "Accept your invitation" : "Choose a new password";
    ts_db_result_t *l = link_lookup(r, invite ? "invite" : "reset");
    if (l == NULL) {
        return link_invalid(r);
    }
    const char *pw = ts_req_form(r, "password"), *again = ts_req_form(r, "password_again");
    if (pw == NULL || strlen(pw) < 10 || strlen(pw) > 200) {
        return password_page(r, 422, title, ts_db_get(l, 0, "email"),
                             "The password needs 10 to 200 characters.");
    }
    if (again == NULL || strcmp(pw, again) != 0) {
        return password_page(r, 422, title, ts_db_get(l, 0, "email"),
                             "The two passwords differ.");
    }
    char hash[128];
    int64_t uid = ts_db_get_int(l, 0, "id");
    int rc = ts_password_hash(pw, hash) == TS_OK ? ts_db_begin(r) : TS_ERROR;
    /* The link is spent in the same transaction: a replay finds it used. */
    if (rc == TS_OK) {
        rc = ts_db_exec(r, "UPDATE one_time_links SET used_at = NOW() WHERE token_hash = ?"
                           " AND tenant_id = {tenant} AND used_at IS NULL", "s",
                        ts_db_get(l, 0, "token_hash"));
    }
    if (rc == TS_OK && ts_db_affected(r) != 1) {
        ts_db_rollback(r);
        return link_invalid(r);
    }
    if (rc == TS_OK) {
        rc = ts_db_exec(r, "UPDATE users SET password_hash = ?, status = 'active',"
                           " must_change_password = 0 WHERE tenant_id = {tenant} AND id = ?",
                        "si", hash, uid);
    }
    if (rc == TS_OK) {
        /* A new password ends every other session of the account. */
        rc = ts_db_exec(r, "DELETE FROM sessions WHERE tenant_id = {tenant} AND user_id = ?",
                        "i", uid);
    }
    if (rc == TS_OK) {
        rc = ts_audit(r, "user", uid, invite ? "invite_accepted" : "password_reset", NULL);
    }
    if (rc != TS_OK || ts_db_commit(r) != TS_OK) {
        ts_db_rollback(r);
        return TS_ERROR;
    }
    ts_ui_flash(r, "password_set");
    return ts_resp_redirect(r, "/login");
}

static int
forgot_get(ts_request_t *r)
{
    ts_tpl_dict_t *d = ts_tpl_dict(r);
    ts_tpl_set(d, "TITLE", "Forgot your password?");
    return ts_resp_page(r, 200, "forgot.tpl", d);
}

/* Answers the same whether or not the account exists. */
static int
forgot_post(ts_request_t *r)
{
    const char *email = ts_req_form(r, "email");
    ts_db_result_t *u = email ? ts_db_query(r, "SELECT id, email FROM users WHERE"
                                               " tenant_id = {tenant} AND email = LOWER(?)"
                                               " AND status = 'active'", "s", email) : NULL;
    if (u != NULL && ts_db_rows(u) == 1) {
        char token[65], hash[65];
        ts_random_hex(token, 32);
        ts_sha256_hex(token, hash);
        int64_t uid = ts_db_get_int(u, 0, "id");
        int rc = ts_db_begin(r);
        if (rc == TS_OK) {
            rc = ts_db_exec(r, "INSERT INTO one_time_links (token_hash, tenant_id, user_id, kind,"
                               " expires_at) VALUES (?, {tenant}, ?, 'reset',"
                               " NOW() + INTERVAL 1 HOUR)", "si", hash, uid);
        }
        if (rc == TS_OK) {
            rc = ts_mail_queue(r, ts_db_get(u, 0, "email"), "Reset your Tesoro password",
                               ts_psprintf(r->pool, "Someone asked to reset your password at %s."
                                           "\n\nIf it was you, choose a new one here (the link "
                                           "works once, for one hour):\n%s/password/reset/%s\n",
                                           r->tenant->name, r->tenant->base_url, token));
        }
        if (rc != TS_OK || ts_db_commit(r) != TS_OK) {
            ts_db_rollback(r);
            return TS_ERROR;
        }
    }
    ts_ui_flash(r, "reset_sent");
    return ts_resp_redirect(r, "/login");
}

static int
outbox(ts_request_t *r)
{
    ts_tpl_dict_t *d = ts_tpl_dict(r);
    ts_tpl_set(d, "TITLE", "Outbox");
    ts_db_result_t *res = ts_db_query(r,
        "SELECT id, to_addr, subject, body, status, attempts, last_error, created_at"
        " FROM outbox WHERE tenant_id = {tenant} ORDER BY id DESC LIMIT 100", "");
    if (res == NULL) {
        return TS_ERROR;
    }
    static const char *cols[] = { "id", "to_addr", "subject", "body", "status", "attempts",
                                  "last_error", "created_at" };
    for (size_t i = 0; i < ts_db_rows(res); i++) {
        ts_tpl_dict_t *row = ts_tpl_section(d, "MAIL");
        for (size_t c = 0; c < sizeof(cols) / sizeof(cols[0]); c++) {
            char key[32];
            size_t k = 0;
            for (const char *p = cols[c]; *p && k < sizeof(key) - 1; p++) {
                key[k++] = (char) (*p >= 'a' && *p <= 'z' ? *p - 32 : *p);
            }
            key[k] = '\0';
            ts_tpl_set(row, key, ts_db_get(res, i, cols[c]));
        }
    }
    if (ts_db_rows(res) == 0) {
        ts_tpl_show(d, "EMPTY");
    }
    return ts_resp_page(r, 200, "outbox.tpl", d);
}

int
ts_ui_routes(ts_plugin_ctx_t *ctx)
{
    const unsigned pub = TS_ROUTE_PUBLIC | TS_ROUTE_HTML;
    int rc = ts_route_add_ex(ctx, TS_GET, "/login", login_get, pub, TS_ROLE_NONE);
    rc |= ts_route_add_ex(ctx, TS_POST, "/login", login_post, pub, TS_ROLE_NONE);
    rc |= ts_route_add_ex(ctx, TS_POST, "/logout", logout_post, pub, TS_ROLE_NONE);
    rc |= ts_route_add_ex(ctx, TS_GET, "/", dashboard, TS_ROUTE_HTML, TS_ROLE_VIEWER);
    rc |= ts_route_add_ex(ctx, TS_GET, "/invite/{token}", link_get, pub, TS_ROLE_NONE);
    rc |= ts_route_add_ex(ctx, TS_POST, "/invite/{token}", link_post, pub, TS_ROLE_NONE);
    rc |= ts_route_add_ex(ctx, TS_GET, "/password/reset/{token}", link_get, pub, TS_ROLE_NONE);
    rc |= ts_route_add_ex(ctx, TS_POST, "/password/reset/{token}", link_post, pub, TS_ROLE_NONE);
    rc |= ts_route_add_ex(ctx, TS_GET, "/password/forgot", forgot_get, pub, TS_ROLE_NONE);
    rc |= ts_route_add_ex(ctx, TS_POST, "/password/forgot", forgot_post, pub, TS_ROLE_NONE);
    rc |= ts_route_add_ex(ctx, TS_GET, "/settings/outbox", outbox, TS_ROUTE_HTML, TS_ROLE_ADMIN);
    rc |= ts_ui_scripts_routes(ctx);
    rc |= ts_ui_webhooks_routes(ctx);
    return rc ? TS_ERROR : TS_OK;
}
