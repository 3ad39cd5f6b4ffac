/* The configuration file: a table of keys read with inih. */
#include <ini.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "ts_core.h"

ts_conf_t *ts_conf;

typedef enum { T_STR, T_INT, T_SIZE, T_BOOL, T_COUNT } kind_t;

typedef struct {
    const char *section;
    const char *name;
    kind_t      kind;
    size_t      offset;
} directive_t;

#define D(s, n, k, f) { s, n, k, offsetof(ts_conf_t, f) }
static const directive_t directives[] = {
    D("server", "listen", T_STR, listen),
    D("server", "workers", T_INT, workers),
    D("server", "backlog", T_INT, backlog),
    D("server", "max_body", T_SIZE, max_body),
    D("server", "max_upload", T_SIZE, max_upload),
    D("server", "multipart_memory", T_SIZE, multipart_memory),
    D("server", "tmp_dir", T_STR, tmp_dir),
    D("storage", "dir", T_STR, storage_dir),
    D("server", "bench_noop", T_BOOL, bench_noop),
    D("server", "job_runner", T_BOOL, job_runner),
    D("plugins", "load", T_STR, plugins),
    D("plugins", "dir", T_STR, plugin_dir),
    D("plugins", "core_schema", T_STR, core_schema),
    D("plugins", "plugin_schema", T_STR, plugin_schema),
    D("web", "templates", T_STR, templates),
    D("web", "base_url", T_STR, base_url_pattern),
    D("web", "secure_cookies", T_BOOL, secure_cookies),
    D("security", "secret", T_STR, secret),
    D("security", "login_max_account", T_INT, login_max_account),
    D("security", "login_max_ip", T_INT, login_max_ip),
    D("security", "login_window", T_INT, login_window_s),
    D("security", "token_cache_ms", T_INT, token_cache_ms),
    D("smtp", "url", T_STR, smtp_url),
    D("smtp", "user", T_STR, smtp_user),
    D("smtp", "password", T_STR, smtp_password),
    D("smtp", "from", T_STR, smtp_from),
    D("lua", "instructions", T_COUNT, lua_instructions),
    D("lua", "memory", T_SIZE, lua_memory),
    D("lua", "wall_ms", T_INT, lua_wall_ms),
    D("lua", "states", T_INT, lua_states),
    D("lua", "script_dir", T_STR, lua_script_dir),
    D("fetch", "allow_loopback", T_BOOL, fetch_allow_loopback),
    D("fetch", "timeout_ms", T_INT, fetch_timeout_ms),
    D("fetch", "max_bytes", T_SIZE, fetch_max_bytes),
    D("fetch", "allow", T_STR, fetch_allow),
    D("fetch", "public", T_BOOL, fetch_public),
    D("cache", "enabled", T_BOOL, cache_enabled),
    D("cache", "max_age_ms", T_INT, cache_max_age_ms),
    D("cache", "size", T_SIZE, cache_size),
    D("cache", "generations", T_STR, cache_generations),
};

typedef struct {
    ts_conf_t *conf;
    char *err;
    size_t errlen;
} parse_t;

static int
set_value(void *base, const directive_t *d, const char *value, char *err, size_t errlen)
{
    char *end;
    void *field = (char *) base + d->offset;
    switch (d->kind) {
    case T_STR:
        free(*(char **) field);
        *(char **) field = strdup(value);
        return 1;
    case T_BOOL:
        if (strcmp(value, "1") == 0 || strcmp(value, "yes") == 0 || strcmp(value, "on") == 0
            || strcmp(value, "true") == 0) {
            *(int *) field = 1;
            return 1;
        }
        if (strcmp(value, "0") == 0 || strcmp(value, "no") == 0 || strcmp(value, "off") == 0
            || strcmp(value, "false") == 0) {
            *(int *) field = 0;
            return 1;
        }
        snprintf(err, errlen, "%s: expected yes or no, got '%s'", d->name, value);
        return 0;
    case T_INT: {
        long v = strtol(value, &end, 10);
        if (*value == '\0' || *end != '\0' || v < 0 || v > 1000000) {
            snprintf(err, errlen, "%s: expected a number, got '%s'", d->name, value);
            return 0;
        }
        *(int *) field = (int) v;
        return 1;
    }
    case T_COUNT: {
        unsigned long long v = strtoull(value, &end, 10);
        if (*value == '\0' || *end != '\0' || v == 0) {
            snprintf(err, errlen, "%s: expected a positive number, got '%s'", d->name, value);
            return 0;
        }
        *(size_t *) field = (size_t) v;
        return 1;
    }
    case T_SIZE: {
        unsigned long long v = strtoull(value, &end, 10);
        if (*value == '\0' || *end != '\0' || v == 0) {
            snprintf(err, errlen, "%s: expected a size in bytes, got '%s'", d->name, value);
            return 0;
        }
        *(size_t *) field = (size_t) v;
        return 1;
    }
    }
    return 0;
}

static int
db_value(ts_conf_t *c, const char *server, const char *name, const char *value,
         char *err, size_t errlen)
{
    ts_db_server_conf_t *db = NULL;
    for (int i = 0; i < c->ndb; i++) {
        if (strcmp(c->db[i].name, server) == 0) {
            db = &c->db[i];
        }
    }
    if (db == NULL) {
        if (c->ndb == TS_MAX_DB_SERVERS) {
            snprintf(err, errlen, "too many [db:...] sections (at most %d)", TS_MAX_DB_SERVERS);
            return 0;
        }
        db = &c->db[c->ndb++];
        db->name = strdup(server);
    }
    char **str = NULL;
    if (strcmp(name, "host") == 0) {
        str = &db->host;
    } else if (strcmp(name, "socket") == 0) {
        str = &db->socket;
    } else if (strcmp(name, "user") == 0) {
        str = &db->user;
    } else if (strcmp(name, "password") == 0) {
        str = &db->password;
    } else if (strcmp(name, "database") == 0) {
        str = &db->database;
    } else if (strcmp(name, "port") == 0) {
        char *end;
        unsigned long p = strtoul(value, &end, 10);
        if (*end != '\0' || p == 0 || p > 65535) {
            snprintf(err, errlen, "port: expected 1..65535, got '%s'", value);
            return 0;
        }
        db->port = (unsigned) p;
        return 1;
    } else {
        snprintf(err, errlen, "unknown key '%s' in [db:%s]", name, server);
        return 0;
    }
    free(*str);
    *str = *value ? strdup(value) : NULL;
    return 1;
}

static int
on_entry(void *user, const char *section, const char *name, const char *value)
{
    parse_t *ps = user;
    if (strncmp(section, "db:", 3) == 0 && section[3] != '\0') {
        return db_value(ps->conf, section + 3, name, value, ps->err, ps->errlen);
    }
    for (size_t i = 0; i < sizeof(directives) / sizeof(directives[0]); i++) {
        const directive_t *d = &directives[i];
        if (strcmp(d->section, section) == 0 && strcmp(d->name, name) == 0) {
            return set_value(ps->conf, d, value, ps->err, ps->errlen);
        }
    }
    snprintf(ps->err, ps->errlen, "unknown key '%s' in [%s]", name, section);
    return 0;
}

static void
defaults(ts_conf_t *c)
{
    c->listen = strdup("unix:var/tesoro.sock");
    c->backlog = 1024;
    c->max_body = 1 << 20;
    c->max_upload = 64 << 20;
    c->multipart_memory = 64 << 10;
    c->tmp_dir = strdup("var/tmp");
    c->storage_dir = strdup("var/storage");
    c->job_runner = 1;
    c->plugins = strdup("");
    c->plugin_dir = strdup("var/install/lib/tesoro/plugins");
    c->core_schema = strdup("var/install/share/tesoro/schema/core");
    c->plugin_schema = strdup("var/install/share/tesoro/schema/{name}");
    c->templates = strdup("var/install/share/tesoro/templates");
    c->base_url_pattern = strdup("http://{host}:8080");
    c->secret = strdup("");
    c->login_max_account = 5;
    c->login_max_ip = 20;
    c->login_window_s = 900;
    c->token_cache_ms = 1000;
    c->smtp_from = strdup("Tesoro <noreply@localhost>");
    c->lua_instructions = 10000000;
    c->lua_memory = 32u << 20;
    c->lua_wall_ms = 1000;
    c->lua_states = 32;
    c->lua_script_dir = strdup("var/install/share/tesoro/scripts");
    c->fetch_timeout_ms = 10000;
    c->fetch_max_bytes = 1u << 20;
    c->fetch_allow = strdup("");
    c->fetch_public = 1;
    c->cache_enabled = 1;
    c->cache_max_age_ms = 10000;
    c->cache_size = 4u << 20;
    c->cache_generations = strdup("");
}

ts_conf_t *
ts_conf_load(const char *path, char *err, size_t errlen)
{
    ts_conf_t *c = calloc(1, sizeof(*c));
    if (c == NULL) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    defaults(c);
    c->path = strdup(path);
    char msg[256] = "";
    parse_t ps = { c, msg, sizeof(msg) };
    int line = ini_parse(path, on_entry, &ps);
    if (line < 0) {
        snprintf(err, errlen, "%s: cannot read the file", path);
    } else if (line > 0) {
        snprintf(err, errlen, "%s:%d: %s", path, line, msg[0] ? msg : "syntax error");
    } else if (c->ndb == 0 || strcmp(c->db[0].name, "main") != 0) {
        snprintf(err, errlen, "%s: the first database section must be [db:main]", path);
        line = -1;
    } else if (strlen(c->secret) < 16 || strcmp(c->secret, "change-me") == 0) {
        snprintf(err, errlen, "%s: [security] secret must be set (16 characters or more)", path);
        line = -1;
    }
    if (line != 0) {
        ts_conf_free(c);
        return NULL;
    }
    if (c->fetch_allow_loopback) {
        /* The old switch of webhooks, before [fetch] allow served every fetch. */
        ts_log_warn("%s: [fetch] allow_loopback is deprecated: read as allow = loopback", path);
        size_t n = strlen(c->fetch_allow ? c->fetch_allow : "") + sizeof(" loopback");
        char *both = malloc(n);
        if (both != NULL) {
            snprintf(both, n, "%s%sloopback", c->fetch_allow ? c->fetch_allow : "",
                     c->fetch_allow && *c->fetch_allow ? " " : "");
            free(c->fetch_allow);
            c->fetch_allow = both;
        }
    }
    if (c->workers == 0) {
        long n = sysconf(_SC_NPROCESSORS_ONLN);
        c->workers = (int) (n > 0 ? n * 2 : 2);
    }
    return c;
}

const ts_db_server_conf_t *
ts_conf_db(const ts_conf_t *c, const char *name)
{
    for (int i = 0; i < c->ndb; i++) {
        if (strcmp(c->db[i].name, name) == 0) {
            return &c->db[i];
        }
    }
    return NULL;
}

void
ts_conf_free(ts_conf_t *c)
{
    if (c == NULL) {
        return;
    }
    for (size_t i = 0; i < sizeof(directives) / sizeof(directives[0]); i++) {
        if (directives[i].kind == T_STR) {
            free(*(char **) ((char *) c + directives[i].offset));
        }
    }
    for (int i = 0; i < c->ndb; i++) {
        free(c->db[i].name);
        free(c->db[i].host);
        free(c->db[i].socket);
        free(c->db[i].user);
        free(c->db[i].password);
        free(c->db[i].database);
    }
    free(c->path);
    free(c);
}
