/* tesoro: the admin command line (migrations, tenants, tokens, plugins, jobs). */
#define _GNU_SOURCE
#include <curl/curl.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "ts_core.h"

typedef struct {
    int         argc;
    char      **argv;       /* positional words after the command */
    bool        json;
    ts_pool_t  *pool;
    ts_request_t *r;
} cli_t;

static int
fail(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("tesoro: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    return 1;
}

/* --name VALUE, repeated options collected by opt_all. */
static const char *
opt(cli_t *c, const char *name)
{
    for (int i = 0; i + 1 < c->argc; i++) {
        if (strcmp(c->argv[i], name) == 0) {
            return c->argv[i + 1];
        }
    }
    return NULL;
}

static const char *
word(cli_t *c, int n)
{
    int seen = 0;
    for (int i = 0; i < c->argc; i++) {
        if (strncmp(c->argv[i], "--", 2) == 0) {
            i += strcmp(c->argv[i], "--json") != 0;
            continue;
        }
        if (seen++ == n) {
            return c->argv[i];
        }
    }
    return NULL;
}

static void
print_json(cJSON *j)
{
    char *s = cJSON_Print(j);
    puts(s);
    cJSON_free(s);
}

static int
cmd_migrate(cli_t *c)
{
    cJSON *report = cJSON_CreateArray();
    int rc = ts_migrate_all(ts_conf, true, report);
    if (c->json) {
        print_json(report);
    } else {
        for (cJSON *e = report->child; e; e = e->next) {
            printf("applied %s/%s on %s\n",
                   cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(e, "module")),
                   cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(e, "file")),
                   cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(e, "server")));
        }
        if (rc == TS_OK) {
            printf("schema up to date (%d migration%s applied)\n", cJSON_GetArraySize(report),
                   cJSON_GetArraySize(report) == 1 ? "" : "s");
        }
    }
    cJSON_Delete(report);
    return rc == TS_OK ? 0 : fail("migration failed (see the error above)");
}

static int
use_tenant(cli_t *c, const char *slug)
{
    if (slug == NULL) {
        return fail("--tenant SLUG is required");
    }
    int rc = ts_tenant_by_slug(c->r, slug);
    if (rc == TS_DECLINED) {
        return fail("no tenant '%s'", slug);
    }
    return rc == TS_OK ? 0 : fail("database: %s", ts_dbc_error(ts_dbconn_get("main")));
}

static bool
valid_slug(const char *s)
{
    size_t n = s ? strlen(s) : 0;
    return n >= 2 && n <= 63 && strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789-") == n
           && s[0] != '-';
}

static int
tenant_create(cli_t *c)
{
    const char *slug = word(c, 2), *email = opt(c, "--admin-email");
    const char *pw = opt(c, "--admin-password"), *name = opt(c, "--name");
    const char *server = opt(c, "--db") ? opt(c, "--db") : "main";
    if (!valid_slug(slug)) {
        return fail("tenant create SLUG: SLUG is 2-63 of a-z, 0-9 and -");
    }
    if (email == NULL || strchr(email, '@') == NULL) {
        return fail("--admin-email: a valid email address is required");
    }
    if (pw == NULL || strlen(pw) < 10) {
        return fail("--admin-password: at least 10 characters");
    }
    if (ts_conf_db(ts_conf, server) == NULL) {
        return fail("--db %s: no [db:%s] section in %s", server, server, ts_conf->path);
    }
    ts_dbconn_t *main = ts_dbconn_get("main");
    const char *first_host = opt(c, "--host");
    char *base = opt(c, "--base-url") ? ts_pstrdup(c->pool, opt(c, "--base-url")) : NULL;
    if (base == NULL && first_host != NULL) {
        const char *pat = ts_conf->base_url_pattern, *at = strstr(pat, "{host}");
        base = at ? ts_psprintf(c->pool, "%.*s%s%s", (int) (at - pat), pat, first_host, at + 6)
                  : ts_pstrdup(c->pool, pat);
    }
    if (ts_dbc_text(main, "START TRANSACTION") != TS_OK
        || ts_dbc_exec(main, c->pool, 0, "INSERT INTO tenants (slug, name, db_server, base_url)"
                                         " VALUES (?, ?, ?, ?)", "ssss", slug,
                       name ? name : slug, server, base) != TS_OK) {
        ts_dbc_text(main, "ROLLBACK");
        return fail(ts_dbc_errno(main) == 1062 ? "tenant '%s' exists" : "cannot create '%s': %s",
                    slug, ts_dbc_error(main));
    }
    int64_t tid = ts_dbc_insert_id(main);
    for (int i = 0; i + 1 < c->argc; i++) {
        if (strcmp(c->argv[i], "--host") == 0
            && ts_dbc_exec(main, c->pool, tid, "INSERT INTO tenant_hosts (host, tenant_id)"
                                               " VALUES (LOWER(?), {tenant})", "s",
                           c->argv[i + 1]) != TS_OK) {
            ts_dbc_text(main, "ROLLBACK");
            return fail("host %s: %s", c->argv[i + 1], ts_dbc_errno(main) == 1062
                        ? "already belongs to a tenant" : ts_dbc_error(main));
        }
    }
    if (ts_dbc_text(main, "COMMIT") != TS_OK) {
        return fail("database: %s", ts_dbc_error(main));
    }
    int64_t uid = 0;
    if (ts_tenant_by_id(c->r, tid) != TS_OK
        || ts_user_create(c->r, email, "Administrator", TS_ROLE_ADMIN, pw, &uid) != TS_OK) {
        return fail("tenant created but its admin user failed: %s",
                    ts_dbc_error(TS_CORE(c->r)->db));
    }
    if (c->json) {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddNumberToObject(o, "id", (double) tid);
        cJSON_AddStringToObject(o, "slug", slug);
        cJSON_AddStringToObject(o, "db_server", server);
        cJSON_AddStringToObject(o, "admin_email", email);
        print_json(o);
        cJSON_Delete(o);
    } else {
        printf("tenant %s (id %lld) on %s, admin %s\n", slug, (long long) tid, server, email);
    }
    return 0;
}

static int
tenant_list(cli_t *c)
{
    ts_db_result_t *res = ts_dbc_query(ts_dbconn_get("main"), c->pool, 0,
        "SELECT t.id, t.slug, t.name, t.db_server, t.status, t.base_url,"
        " GROUP_CONCAT(h.host ORDER BY h.host SEPARATOR ' ') AS hosts"
        " FROM tenants t LEFT JOIN tenant_hosts h ON h.tenant_id = t.id"
        " GROUP BY t.id ORDER BY t.id", "");
    if (res == NULL) {
        return fail("database: %s", ts_dbc_error(ts_dbconn_get("main")));
    }
    if (c->json) {
        cJSON *a = ts_db_rows_json(c->r, res);
        print_json(a);
        cJSON_Delete(a);
        return 0;
    }
    printf("%-6s %-20s %-10s %-9s %s\n", "ID", "SLUG", "SERVER", "STATUS", "HOSTS");
    for (size_t i = 0; i < ts_db_rows(res); i++) {
        const char *hosts = ts_db_get(res, i, "hosts");
        printf("%-6s %-20s %-10s %-9s %s\n", ts_db_get(res, i, "id"), ts_db_get(res, i, "slug"),
               ts_db_get(res, i, "db_server"), ts_db_get(res, i, "status"), hosts ? hosts : "");
    }
    return 0;
}

static int
tenant_status(cli_t *c, const char *status)
{
    const char *slug = word(c, 2);
    ts_dbconn_t *main = ts_dbconn_get("main");
    if (slug == NULL) {
        return fail("tenant %s SLUG", strcmp(status, "active") ? "disable" : "enable");
    }
    if (ts_dbc_exec(main, c->pool, 0, "UPDATE tenants SET status = ? WHERE slug = ?", "ss",
                    status, slug) != TS_OK) {
        return fail("database: %s", ts_dbc_error(main));
    }
    if (ts_dbc_affected(main) == 0 && use_tenant(c, slug) != 0) {
        return 1;
    }
    printf("tenant %s is %s\n", slug, status);
    return 0;
}

static int
user_id_by_email(cli_t *c, const char *email, int64_t *id)
{
    if (email == NULL) {
        return fail("--email is required");
    }
    ts_db_result_t *res = ts_db_query(c->r, "SELECT id FROM users WHERE tenant_id = {tenant}"
                                            " AND email = LOWER(?)", "s", email);
    if (res == NULL || ts_db_rows(res) == 0) {
        return fail("no user %s in tenant %s", email, c->r->tenant->slug);
    }
    *id = ts_db_get_int(res, 0, "id");
    return 0;
}

static int
token_cmd(cli_t *c)
{
    const char *sub = word(c, 1);
    if (use_tenant(c, opt(c, "--tenant")) != 0) {
        return 1;
    }
    if (sub && strcmp(sub, "create") == 0) {
        int64_t uid = 0;
        char *token;
        if (user_id_by_email(c, opt(c, "--email"), &uid) != 0) {
            return 1;
        }
        if (ts_token_create(c->r, uid, opt(c, "--name"), &token) != TS_OK) {
            return fail("cannot store the token");
        }
        printf("API token for %s (shown once; store it now):\n%s\n", opt(c, "--email"), token);
        return 0;
    }
    if (sub && strcmp(sub, "list") == 0) {
        ts_db_result_t *res = ts_db_query(c->r,
            "SELECT t.id, u.email, t.name, t.created_at, t.last_used_at, t.revoked_at"
            " FROM api_tokens t JOIN users u ON u.tenant_id = t.tenant_id AND u.id = t.user_id"
            " WHERE t.tenant_id = {tenant} ORDER BY t.id", "");
        if (res == NULL) {
            return fail("database error");
        }
        cJSON *a = ts_db_rows_json(c->r, res);
        print_json(a);
        cJSON_Delete(a);
        return 0;
    }
    if (sub && strcmp(sub, "revoke") == 0) {
        const char *id = opt(c, "--id");
        if (id == NULL || ts_db_exec(c->r, "UPDATE api_tokens SET revoked_at = NOW()"
                                           " WHERE tenant_id = {tenant} AND id = ?"
                                           " AND revoked_at IS NULL", "i",
                                     (int64_t) strtoll(id, NULL, 10)) != TS_OK
            || ts_db_affected(c->r) != 1) {
            return fail("--id: no such active token");
        }
        printf("token %s revoked\n", id);
        return 0;
    }
    return fail("token create|list|revoke --tenant SLUG ...");
}

static int
user_cmd(cli_t *c)
{
    const char *sub = word(c, 1), *email = opt(c, "--email"), *pw = opt(c, "--password");
    if (sub == NULL || strcmp(sub, "create") != 0) {
        return fail("user create --tenant SLUG --email E --role R [--password P] [--name N]");
    }
    if (use_tenant(c, opt(c, "--tenant")) != 0) {
        return 1;
    }
    ts_role_t role = ts_role_parse(opt(c, "--role") ? opt(c, "--role") : "agent");
    if (role == TS_ROLE_NONE) {
        return fail("--role: admin, manager, agent or viewer");
    }
    if (email == NULL || strchr(email, '@') == NULL) {
        return fail("--email: a valid email address is required");
    }
    if (pw != NULL && strlen(pw) < 10) {
        return fail("--password: at least 10 characters");
    }
    int64_t id;
    int rc = pw ? ts_user_create(c->r, email, opt(c, "--name"), role, pw, &id)
                : ts_invite_user(c->r, email, opt(c, "--name"), role, &id);
    if (rc != TS_OK) {
        return fail("cannot create %s: %s", email, ts_dbc_error(TS_CORE(c->r)->db));
    }
    printf("user %s (id %lld) %s\n", email, (long long) id, pw ? "created" : "invited");
    return 0;
}

static int
plugin_cmd(cli_t *c)
{
    const char *sub = word(c, 1), *name = word(c, 2);
    if (sub == NULL || name == NULL || (strcmp(sub, "enable") && strcmp(sub, "disable"))) {
        return fail("plugin enable|disable NAME --tenant SLUG");
    }
    if (use_tenant(c, opt(c, "--tenant")) != 0) {
        return 1;
    }
    ts_dbconn_t *main = ts_dbconn_get("main");
    int64_t on = strcmp(sub, "enable") == 0;
    if (ts_dbc_exec(main, c->pool, c->r->tenant->id,
                    "INSERT INTO tenant_plugins (tenant_id, plugin, enabled) VALUES"
                    " ({tenant}, ?, ?) ON DUPLICATE KEY UPDATE enabled = VALUES(enabled)", "si",
                    name, on) != TS_OK) {
        return fail("database: %s", ts_dbc_error(main));
    }
    printf("plugin %s %sd for %s (running workers see it within 5 seconds)\n", name, sub,
           c->r->tenant->slug);
    return 0;
}

static int
jobs_cmd(cli_t *c)
{
    const char *sub = word(c, 1);
    if (sub != NULL && strcmp(sub, "run") == 0) {
        int ran = 0;
        ts_job_run_once(&ran);
        printf("%d job%s run\n", ran, ran == 1 ? "" : "s");
        return 0;
    }
    if (sub != NULL && strcmp(sub, "retry") == 0) {
        const char *id = word(c, 2);
        for (int s = 0; id != NULL && s < ts_conf->ndb; s++) {
            ts_dbconn_t *db = ts_dbconn_get(ts_conf->db[s].name);
            if (ts_dbc_exec(db, c->pool, 0, "UPDATE jobs SET status = 'queued', attempts = 0,"
                                            " run_at = NOW() WHERE id = ? AND status = 'dead'",
                            "i", (int64_t) strtoll(id, NULL, 10)) == TS_OK
                && ts_dbc_affected(db) == 1) {
                printf("job %s queued again on %s\n", id, ts_conf->db[s].name);
                return 0;
            }
        }
        return fail("jobs retry ID: no dead job with that id");
    }
    cJSON *all = cJSON_CreateArray();
    const char *status = opt(c, "--status");
    for (int s = 0; s < ts_conf->ndb; s++) {
        ts_dbconn_t *db = ts_dbconn_get(ts_conf->db[s].name);
        ts_db_result_t *res = ts_dbc_query(db, c->pool, 0,
            "SELECT id, tenant_id, kind, status, attempts, max_attempts, run_at, last_error,"
            " created_at, finished_at FROM jobs WHERE (? IS NULL OR status = ?)"
            " ORDER BY id DESC LIMIT 100", "ss", status, status);
        if (res == NULL) {
            cJSON_Delete(all);
            return fail("database %s: %s", ts_conf->db[s].name, ts_dbc_error(db));
        }
        for (size_t i = 0; i < ts_db_rows(res); i++) {
            cJSON *j = ts_db_row_json(c->r, res, i);
            cJSON_AddStringToObject(j, "server", ts_conf->db[s].name);
            cJSON_AddItemToArray(all, j);
        }
    }
    if (c->json) {
        print_json(all);
    } else {
        printf("%-8s %-6s %-20s %-8s %-8s %s\n", "ID", "TENANT", "KIND", "STATUS", "TRIES",
               "LAST ERROR");
        for (cJSON *j = all->child; j; j = j->next) {
            const char *err = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(j,
                                                                                 "last_error"));
            printf("%-8.0f %-6.0f %-20s %-8s %.0f/%-6.0f %s\n",
                   cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(j, "id")),
                   cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(j, "tenant_id")),
                   cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(j, "kind")),
                   cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(j, "status")),
                   cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(j, "attempts")),
                   cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(j, "max_attempts")),
                   err ? err : "");
        }
    }
    cJSON_Delete(all);
    return 0;
}

static int
help(void)
{
    puts("usage: tesoro [-c tesoro.conf] [--json] COMMAND ...\n"
         "\n"
         "  migrate                               apply pending SQL migrations on every server\n"
         "  tenant create SLUG --host HOST [--host HOST ...] --admin-email E\n"
         "         --admin-password P [--name NAME] [--db SERVER] [--base-url URL]\n"
         "  tenant list                           tenants, their servers and hosts\n"
         "  tenant disable SLUG | tenant enable SLUG\n"
         "  user create --tenant SLUG --email E [--role R] [--password P] [--name N]\n"
         "                                        without --password, an invitation is mailed\n"
         "  token create --tenant SLUG --email E [--name N]   prints the token on its last line\n"
         "  token list --tenant SLUG | token revoke --tenant SLUG --id ID\n"
         "  plugin enable|disable NAME --tenant SLUG\n"
         "  jobs [--status queued|running|done|dead]   the job queue on every server\n"
         "  jobs retry ID                         queue a dead job again\n"
         "  jobs run                              run due jobs once, in the foreground\n"
         "  score --tenant SLUG                   rescore every lead with the active scorer\n"
         "  help                                  this text\n"
         "\n"
         "The configuration is -c FILE, else $TESORO_CONF, else conf/tesoro.conf.");
    ts_cli_usage(stdout);
    return 0;
}

static int
run(cli_t *c)
{
    const char *cmd = word(c, 0), *sub = word(c, 1);
    if (strcmp(cmd, "migrate") == 0) {
        return cmd_migrate(c);
    }
    if (strcmp(cmd, "tenant") == 0 && sub != NULL) {
        if (strcmp(sub, "create") == 0) {
            return tenant_create(c);
        }
        if (strcmp(sub, "list") == 0) {
            return tenant_list(c);
        }
        if (strcmp(sub, "disable") == 0 || strcmp(sub, "enable") == 0) {
            return tenant_status(c, strcmp(sub, "disable") == 0 ? "disabled" : "active");
        }
    }
    if (strcmp(cmd, "token") == 0) {
        return token_cmd(c);
    }
    if (strcmp(cmd, "user") == 0) {
        return user_cmd(c);
    }
    if (strcmp(cmd, "plugin") == 0) {
        return plugin_cmd(c);
    }
    if (strcmp(cmd, "jobs") == 0) {
        return jobs_cmd(c);
    }
    if (strcmp(cmd, "score") == 0) {
        int rc = use_tenant(c, opt(c, "--tenant"));
        return rc != 0 ? rc : ts_cli_score(c->r, c->json) == TS_OK ? 0 : 1;
    }
    int nwords = 0;
    ts_cli_fn_t plugin_cmd_fn = ts_cli_find(c->argc, c->argv, &nwords);
    if (plugin_cmd_fn != NULL) {
        if (opt(c, "--tenant") != NULL && use_tenant(c, opt(c, "--tenant")) != 0) {
            return 1;
        }
        return plugin_cmd_fn(c->r, c->argc, c->argv, c->json);
    }
    return fail("unknown command '%s' (try: tesoro help)", cmd);
}

int
main(int argc, char **argv)
{
    const char *conf = getenv("TESORO_CONF") ? getenv("TESORO_CONF") : "conf/tesoro.conf";
    cli_t c = { 0 };
    c.argv = calloc((size_t) argc + 1, sizeof(char *));
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "-c") == 0 && i + 1 < argc) {
            conf = argv[++i];
        } else if (strcmp(argv[i], "--json") == 0) {
            c.json = true;
        } else {
            c.argv[c.argc++] = argv[i];
        }
    }
    const char *cmd = word(&c, 0);
    if (cmd == NULL || strcmp(cmd, "help") == 0 || strcmp(cmd, "--help") == 0) {
        /* With a readable config, help lists the plugins' commands too. */
        char herr[512];
        ts_log_set_level(TS_LOG_ERR);
        ts_conf = ts_conf_load(conf, herr, sizeof(herr));
        if (ts_conf != NULL) {
            ts_plugins_load(ts_conf);
        }
        help();
        ts_plugins_unload();
        ts_conf_free(ts_conf);
        free(c.argv);
        return cmd == NULL ? 2 : 0;
    }
    ts_log_set_level(TS_LOG_WARN);
    if (sodium_init() < 0) {
        return fail("cannot initialise libsodium");
    }
    curl_global_init(CURL_GLOBAL_DEFAULT);
    char err[512];
    ts_conf = ts_conf_load(conf, err, sizeof(err));
    if (ts_conf == NULL) {
        free(c.argv);
        return fail("%s", err);
    }
    /* Jobs run from the CLI need the core's job kinds (mail). */
    ts_plugins_load(ts_conf);
    c.pool = ts_pool_create(0);
    c.r = ts_req_detached(c.pool);
    int rc = run(&c);
    ts_pool_destroy(c.pool);
    ts_plugins_unload();
    ts_db_close_all();
    ts_conf_free(ts_conf);
    free(c.argv);
    curl_global_cleanup();
    return rc;
}
