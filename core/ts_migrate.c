/* Migrations: numbered SQL files per module, recorded per database server. */
#define _GNU_SOURCE
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "ts_core.h"

#define MAX_FILES 512

typedef struct {
    int  version;
    char name[256];
} mig_t;

static const char create_table[] =
    "CREATE TABLE IF NOT EXISTS schema_migrations ("
    " module VARCHAR(64) NOT NULL, version INT NOT NULL, name VARCHAR(255) NOT NULL,"
    " applied_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP, PRIMARY KEY (module, version)"
    ") ENGINE=InnoDB DEFAULT CHARSET=utf8mb4";

static int
mig_cmp(const void *a, const void *b)
{
    return ((const mig_t *) a)->version - ((const mig_t *) b)->version;
}

/* Files are NNN_what.sql; anything else in the folder is ignored. */
static int
list_dir(const char *dir, mig_t *out, int max)
{
    DIR *d = opendir(dir);
    if (d == NULL) {
        return 0;   /* a module without migrations */
    }
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL && n < max) {
        size_t len = strlen(e->d_name);
        char *end;
        long v = strtol(e->d_name, &end, 10);
        if (v <= 0 || *end != '_' || len < 5 || strcmp(e->d_name + len - 4, ".sql") != 0) {
            continue;
        }
        out[n].version = (int) v;
        snprintf(out[n].name, sizeof(out[n].name), "%s", e->d_name);
        n++;
    }
    closedir(d);
    qsort(out, (size_t) n, sizeof(mig_t), mig_cmp);
    return n;
}

static char *
read_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        return NULL;
    }
    char *buf = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&buf, &len);
    char chunk[8192];
    size_t n;
    while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0) {
        fwrite(chunk, 1, n, m);
    }
    fclose(f);
    fclose(m);
    return buf;
}

/* One statement at a time (ts_sql_split.c); the error names the file and line. */
static int
apply_file(ts_dbconn_t *c, const char *path)
{
    char *sql = read_file(path);
    if (sql == NULL) {
        ts_log_error("%s: cannot read", path);
        return TS_ERROR;
    }
    int rc = TS_OK, line = 1, stmt_line = 1;
    char *cursor = sql, *s;
    while (rc == TS_OK && (s = ts_sql_next(&cursor, &line, &stmt_line)) != NULL) {
        if (ts_dbc_text(c, s) != TS_OK) {
            ts_log_error("%s:%d: %s", path, stmt_line, ts_dbc_error(c));
            rc = TS_ERROR;
        }
    }
    free(sql);
    return rc;
}

static char *
module_dir(const ts_conf_t *conf, const char *module)
{
    if (strcmp(module, "core") == 0) {
        return strdup(conf->core_schema);
    }
    const char *pat = conf->plugin_schema;
    const char *at = strstr(pat, "{name}");
    char *out = NULL;
    if (at == NULL) {
        return asprintf(&out, "%s/%s", pat, module) < 0 ? NULL : out;
    }
    return asprintf(&out, "%.*s%s%s", (int) (at - pat), pat, module, at + 6) < 0 ? NULL : out;
}

static int
applied_max(ts_dbconn_t *c, ts_pool_t *p, const char *module)
{
    ts_db_result_t *res = ts_dbc_query(c, p, 0,
        "SELECT COALESCE(MAX(version), 0) AS v FROM schema_migrations WHERE module = ?",
        "s", module);
    return res ? (int) ts_db_get_int(res, 0, "v") : -1;
}

/* One module on one server; apply == false only reports what is pending. */
static int
migrate_module(const ts_conf_t *conf, ts_dbconn_t *c, ts_pool_t *p, const char *module,
               bool apply, cJSON *report, int *pending)
{
    char *dir = module_dir(conf, module);
    mig_t *files = calloc(MAX_FILES, sizeof(mig_t));
    int n = dir && files ? list_dir(dir, files, MAX_FILES) : 0;
    int have = applied_max(c, p, module);
    int rc = have < 0 ? TS_ERROR : TS_OK;
    /* Two files with one number: one of them would be skipped for ever. */
    for (int i = 1; i < n && rc == TS_OK; i++) {
        if (files[i].version == files[i - 1].version) {
            ts_log_error("%s: %s and %s have the same number", dir, files[i - 1].name,
                         files[i].name);
            rc = TS_ERROR;
        }
    }
    for (int i = 0; i < n && rc == TS_OK; i++) {
        if (files[i].version <= have) {
            continue;
        }
        (*pending)++;
        if (!apply) {
            continue;
        }
        char *path = NULL;
        if (asprintf(&path, "%s/%s", dir, files[i].name) < 0) {
            rc = TS_ERROR;
            break;
        }
        rc = apply_file(c, path);
        if (rc == TS_OK) {
            rc = ts_dbc_exec(c, p, 0,
                             "INSERT INTO schema_migrations (module, version, name) "
                             "VALUES (?, ?, ?)", "sis", module, (int64_t) files[i].version,
                             files[i].name);
        }
        if (rc == TS_OK && report != NULL) {
            cJSON *e = cJSON_CreateObject();
            cJSON_AddStringToObject(e, "server", ts_dbc_server(c));
            cJSON_AddStringToObject(e, "module", module);
            cJSON_AddStringToObject(e, "file", files[i].name);
            cJSON_AddItemToArray(report, e);
        }
        free(path);
    }
    free(files);
    free(dir);
    return rc;
}

static int
each_module(const ts_conf_t *conf, bool apply, cJSON *report, int *pending)
{
    ts_pool_t *p = ts_pool_create(0);
    int rc = TS_OK;
    for (int s = 0; s < conf->ndb && rc == TS_OK; s++) {
        ts_dbconn_t *c = ts_dbconn_get(conf->db[s].name);
        if (ts_dbc_text(c, create_table) != TS_OK) {
            ts_log_error("database %s: %s", conf->db[s].name, ts_dbc_error(c));
            rc = TS_ERROR;
            break;
        }
        rc = migrate_module(conf, c, p, "core", apply, report, pending);
        char *list = strdup(conf->plugins);
        char *save = NULL;
        for (char *m = strtok_r(list, " \t,", &save); m && rc == TS_OK;
             m = strtok_r(NULL, " \t,", &save)) {
            rc = migrate_module(conf, c, p, m, apply, report, pending);
        }
        free(list);
        ts_pool_reset(p);
    }
    ts_pool_destroy(p);
    return rc;
}

int
ts_migrate_all(const ts_conf_t *conf, bool apply, cJSON *report)
{
    int pending = 0;
    return each_module(conf, apply, report, &pending);
}

int
ts_migrate_check(const ts_conf_t *conf)
{
    int pending = 0;
    if (each_module(conf, false, NULL, &pending) != TS_OK) {
        return TS_ERROR;
    }
    if (pending > 0) {
        ts_log_error("the database schema is %d migration(s) behind the code: "
                     "run `tesoro migrate`", pending);
        return TS_ERROR;
    }
    return TS_OK;
}
