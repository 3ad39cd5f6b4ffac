/* MariaDB access: one lazy connection per server per process, prepared
 * statements only, cached per connection, with the tenant bound by the helper. */
#define _GNU_SOURCE
#include <mysql.h>
#include <errmsg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include "ts_core.h"

#define CACHE_SLOTS 128
#define MAX_PARAMS  64

typedef struct {
    char       *sql;        /* the text as the caller wrote it */
    char       *types;      /* and its types: the same text may come with others */
    MYSQL_STMT *st;
    int         nparams;
    char        kinds[MAX_PARAMS];   /* 'T' for the tenant, else the caller's type */
} cached_t;

struct ts_dbconn {
    const ts_db_server_conf_t *conf;
    MYSQL     *my;
    bool       up;
    bool       lost;
    bool       in_tx;     /* no silent reconnect inside a transaction */
    long long  retry_at_us;
    int        backoff_ms;
    cached_t   cache[CACHE_SLOTS];
    unsigned   next_evict;
    unsigned   err;
    char       errmsg[256];
    int64_t    insert_id;
    long long  affected;
    int64_t    dirty[8];  /* tenants written in the open transaction */
    int        ndirty;
    unsigned long commits;   /* writes made durable: autocommit statements and COMMITs */
};

struct ts_db_result {
    size_t  nrows;
    size_t  ncols;
    char  **names;
    int    *types;
    char  **cells;     /* row-major; NULL is SQL NULL */
    const char **asked;  /* per column, the name pointer it was last found by */
};

static ts_dbconn_t conns[TS_MAX_DB_SERVERS];

/* Reads leave the response cache alone; anything else may change an answer. */
static bool
is_write(const char *sql)
{
    while (*sql == ' ' || *sql == '(' || *sql == '\n' || *sql == '\t') {
        sql++;
    }
    return strncasecmp(sql, "SELECT", 6) != 0 && strncasecmp(sql, "WITH", 4) != 0
           && strncasecmp(sql, "SHOW", 4) != 0;
}

/* A write counts once it is committed: inside a transaction the tenant is
 * remembered and its generation bumped at COMMIT (or ROLLBACK, harmlessly). */
static void
note_write(ts_dbconn_t *c, int64_t tenant)
{
    if (!c->in_tx) {
        c->commits++;
        ts_gen_bump(tenant);
        return;
    }
    for (int i = 0; i < c->ndirty; i++) {
        if (c->dirty[i] == tenant) {
            return;
        }
    }
    if (c->ndirty == (int) (sizeof(c->dirty) / sizeof(c->dirty[0]))) {
        ts_gen_bump(c->dirty[--c->ndirty]);
    }
    c->dirty[c->ndirty++] = tenant;
}

static void
flush_writes(ts_dbconn_t *c)
{
    for (int i = 0; i < c->ndirty; i++) {
        ts_gen_bump(c->dirty[i]);
    }
    c->ndirty = 0;
}

static void
set_error(ts_dbconn_t *c, unsigned err, const char *msg)
{
    c->err = err;
    snprintf(c->errmsg, sizeof(c->errmsg), "%s", msg);
    c->lost = err == CR_SERVER_GONE_ERROR || err == CR_SERVER_LOST || err == CR_CONN_HOST_ERROR
              || err == CR_CONNECTION_ERROR || err == 1927 /* connection killed */
              || err == 4031 /* idle timeout */;
}

static void
disconnect(ts_dbconn_t *c)
{
    for (int i = 0; i < CACHE_SLOTS; i++) {
        if (c->cache[i].st != NULL) {
            mysql_stmt_close(c->cache[i].st);
        }
        free(c->cache[i].sql);
        free(c->cache[i].types);
    }
    memset(c->cache, 0, sizeof(c->cache));
    flush_writes(c);
    if (c->my != NULL) {
        mysql_close(c->my);
    }
    c->my = NULL;
    c->up = false;
    c->in_tx = false;
}

void
ts_db_close_all(void)
{
    for (int i = 0; i < TS_MAX_DB_SERVERS; i++) {
        disconnect(&conns[i]);
        conns[i].conf = NULL;
    }
}

ts_dbconn_t *
ts_dbconn_get(const char *server)
{
    const ts_db_server_conf_t *sc = ts_conf_db(ts_conf, server ? server : "main");
    if (sc == NULL) {
        return NULL;
    }
    int i = (int) (sc - ts_conf->db);
    conns[i].conf = sc;
    return &conns[i];
}

static int
connect_now(ts_dbconn_t *c)
{
    const ts_db_server_conf_t *s = c->conf;
    c->my = mysql_init(NULL);
    if (c->my == NULL) {
        set_error(c, CR_OUT_OF_MEMORY, "out of memory");
        return TS_ERROR;
    }
    unsigned timeout = 3, io_timeout = 60;
    my_bool no = 0;
    mysql_options(c->my, MYSQL_SET_CHARSET_NAME, "utf8mb4");
    mysql_options(c->my, MYSQL_OPT_LOCAL_INFILE, &no);
    mysql_options(c->my, MYSQL_OPT_RECONNECT, &no);
    mysql_options(c->my, MYSQL_OPT_CONNECT_TIMEOUT, &timeout);
    mysql_options(c->my, MYSQL_OPT_READ_TIMEOUT, &io_timeout);
    mysql_options(c->my, MYSQL_OPT_WRITE_TIMEOUT, &io_timeout);
    mysql_options(c->my, MYSQL_INIT_COMMAND,
                  "SET SESSION sql_mode='STRICT_ALL_TABLES,NO_ZERO_DATE,NO_ZERO_IN_DATE,"
                  "ERROR_FOR_DIVISION_BY_ZERO,NO_ENGINE_SUBSTITUTION', time_zone='+00:00'");
    if (mysql_real_connect(c->my, s->socket ? NULL : (s->host ? s->host : "127.0.0.1"),
                           s->user, s->password, s->database, s->port, s->socket, 0) == NULL) {
        set_error(c, mysql_errno(c->my), mysql_error(c->my));
        mysql_close(c->my);
        c->my = NULL;
        return TS_ERROR;
    }
    c->up = true;
    return TS_OK;
}

/* A dead server is retried with a growing pause, so a restart costs the
 * requests in flight a 503 and not every later request a connect timeout. */
static int
ensure(ts_dbconn_t *c)
{
    if (c == NULL) {
        return TS_ERROR;
    }
    if (c->up) {
        return TS_OK;
    }
    long long now = ts_now_us();
    if (now < c->retry_at_us) {
        set_error(c, CR_CONNECTION_ERROR, "database unavailable (waiting to reconnect)");
        return TS_AGAIN;
    }
    if (connect_now(c) == TS_OK) {
        if (c->backoff_ms > 0) {
            ts_log_info("database %s: reconnected", c->conf->name);
        }
        c->backoff_ms = 0;
        return TS_OK;
    }
    c->backoff_ms = c->backoff_ms ? c->backoff_ms * 2 : 50;
    if (c->backoff_ms > 5000) {
        c->backoff_ms = 5000;
    }
    c->retry_at_us = now + c->backoff_ms * 1000LL;
    ts_log_error("database %s: %s (retry in %d ms)", c->conf->name, c->errmsg, c->backoff_ms);
    c->lost = true;
    return TS_AGAIN;
}

bool
ts_dbconn_ok(ts_dbconn_t *c)
{
    if (ensure(c) != TS_OK) {
        return false;
    }
    if (mysql_ping(c->my) != 0) {
        set_error(c, mysql_errno(c->my), mysql_error(c->my));
        disconnect(c);
        return false;
    }
    return true;
}

/* Turns {tenant} into ? and notes which placeholder is which; quoted text is
 * copied untouched. Returns the number of placeholders or -1. */
static int
rewrite(const char *sql, const char *types, char *out, size_t outlen, char *kinds)
{
    size_t o = 0;
    int n = 0;
    char quote = 0;
    const char *t = types ? types : "";
    for (const char *p = sql; *p; p++) {
        if (o + 2 >= outlen || n >= MAX_PARAMS) {
            return -1;
        }
        if (quote) {
            if (*p == quote) {
                quote = 0;
            }
            out[o++] = *p;
        } else if (*p == '\'' || *p == '"' || *p == '`') {
            quote = *p;
            out[o++] = *p;
        } else if (strncmp(p, "{tenant}", 8) == 0) {
            kinds[n++] = 'T';
            out[o++] = '?';
            p += 7;
        } else if (*p == '?') {
            if (*t == '\0') {
                return -1;
            }
            kinds[n++] = *t++;
            out[o++] = '?';
        } else {
            out[o++] = *p;
        }
    }
    out[o] = '\0';
    return *t == '\0' && quote == 0 ? n : -1;
}

static unsigned
slot_of(const char *sql)
{
    unsigned h = 2166136261u;
    for (const char *p = sql; *p; p++) {
        h = (h ^ (unsigned char) *p) * 16777619u;
    }
    return h % CACHE_SLOTS;
}

static cached_t *
prepare(ts_dbconn_t *c, const char *sql, const char *types)
{
    types = types ? types : "";
    unsigned s = slot_of(sql);
    for (unsigned i = 0; i < 4; i++) {
        cached_t *e = &c->cache[(s + i) % CACHE_SLOTS];
        if (e->sql != NULL && strcmp(e->sql, sql) == 0 && strcmp(e->types, types) == 0) {
            return e;
        }
    }
    cached_t *e = NULL;
    for (unsigned i = 0; i < 4 && e == NULL; i++) {
        if (c->cache[(s + i) % CACHE_SLOTS].sql == NULL) {
            e = &c->cache[(s + i) % CACHE_SLOTS];
        }
    }
    if (e == NULL) {
        e = &c->cache[(s + (c->next_evict++ % 4)) % CACHE_SLOTS];
        mysql_stmt_close(e->st);
        free(e->sql);
        free(e->types);
        memset(e, 0, sizeof(*e));
    }
    size_t len = strlen(sql) + 64;
    char *text = malloc(len);
    int n = text ? rewrite(sql, types, text, len, e->kinds) : -1;
    if (n < 0) {
        free(text);
        set_error(c, 0, "statement and its types do not agree");
        return NULL;
    }
    MYSQL_STMT *st = mysql_stmt_init(c->my);
    if (st == NULL || mysql_stmt_prepare(st, text, strlen(text)) != 0) {
        if (st != NULL) {
            set_error(c, mysql_stmt_errno(st), mysql_stmt_error(st));
            mysql_stmt_close(st);
        } else {
            set_error(c, mysql_errno(c->my), mysql_error(c->my));
        }
        free(text);
        return NULL;
    }
    free(text);
    if ((int) mysql_stmt_param_count(st) != n) {
        mysql_stmt_close(st);
        set_error(c, 0, "placeholder count differs from the types given");
        return NULL;
    }
    e->sql = strdup(sql);
    e->types = strdup(types);
    e->st = st;
    e->nparams = n;
    return e;
}

/* Where a statement's values come from: the variadic arguments of
 * ts_db_query and friends, or an array of strings (ts_db_query_v). */
typedef struct {
    va_list            *ap;
    const char *const  *strs;
    size_t              next;
} args_t;

static const char *
arg_str(args_t *a)
{
    return a->strs ? a->strs[a->next++] : va_arg(*a->ap, const char *);
}

static int
bind_params(ts_pool_t *p, cached_t *e, int64_t tenant, args_t *a, MYSQL_BIND *b)
{
    for (int i = 0; i < e->nparams; i++) {
        memset(&b[i], 0, sizeof(b[i]));
        switch (e->kinds[i]) {
        case 'T': {
            long long *v = ts_palloc(p, sizeof(*v));
            *v = tenant;
            b[i].buffer_type = MYSQL_TYPE_LONGLONG;
            b[i].buffer = v;
            break;
        }
        case 'i': {
            if (a->strs != NULL) {
                return TS_ERROR;   /* an array holds strings only */
            }
            long long *v = ts_palloc(p, sizeof(*v));
            *v = va_arg(*a->ap, int64_t);
            b[i].buffer_type = MYSQL_TYPE_LONGLONG;
            b[i].buffer = v;
            break;
        }
        case 'd': {
            if (a->strs != NULL) {
                return TS_ERROR;
            }
            double *v = ts_palloc(p, sizeof(*v));
            *v = va_arg(*a->ap, double);
            b[i].buffer_type = MYSQL_TYPE_DOUBLE;
            b[i].buffer = v;
            break;
        }
        case 's': {
            const char *s = arg_str(a);
            b[i].buffer_type = MYSQL_TYPE_STRING;
            if (s == NULL) {
                b[i].buffer_type = MYSQL_TYPE_NULL;
            } else {
                b[i].buffer = (void *) s;
                b[i].buffer_length = strlen(s);
            }
            break;
        }
        default:
            return TS_ERROR;
        }
    }
    return TS_OK;
}

static int
fetch_result(ts_dbconn_t *c, ts_pool_t *p, MYSQL_STMT *st, MYSQL_RES *meta,
             ts_db_result_t **out)
{
    my_bool on = 1;
    mysql_stmt_attr_set(st, STMT_ATTR_UPDATE_MAX_LENGTH, &on);
    if (mysql_stmt_store_result(st) != 0) {
        set_error(c, mysql_stmt_errno(st), mysql_stmt_error(st));
        return TS_ERROR;
    }
    ts_db_result_t *res = ts_pcalloc(p, sizeof(*res));
    res->ncols = mysql_num_fields(meta);
    res->nrows = (size_t) mysql_stmt_num_rows(st);
    MYSQL_FIELD *f = mysql_fetch_fields(meta);
    res->names = ts_palloc(p, sizeof(char *) * res->ncols);
    res->types = ts_palloc(p, sizeof(int) * res->ncols);
    res->asked = ts_pcalloc(p, sizeof(char *) * (res->ncols + 1));
    res->cells = ts_pcalloc(p, sizeof(char *) * (res->ncols * res->nrows + 1));
    MYSQL_BIND *b = ts_pcalloc(p, sizeof(MYSQL_BIND) * (res->ncols + 1));
    unsigned long *lens = ts_pcalloc(p, sizeof(unsigned long) * (res->ncols + 1));
    my_bool *nulls = ts_pcalloc(p, sizeof(my_bool) * (res->ncols + 1));
    for (size_t i = 0; i < res->ncols; i++) {
        res->names[i] = ts_pstrdup(p, f[i].name);
        res->types[i] = f[i].type;
        size_t cap = f[i].max_length + 1 < 64 ? 64 : f[i].max_length + 1;
        b[i].buffer_type = MYSQL_TYPE_STRING;
        b[i].buffer_length = cap;
        b[i].length = &lens[i];
        b[i].is_null = &nulls[i];
    }
    /* One scratch buffer per column, as long as its longest value, bound once; each cell is
     * then copied at its own length, so a long text in one row does not size every row. */
    for (size_t i = 0; i < res->ncols; i++) {
        b[i].buffer = ts_palloc(p, b[i].buffer_length);
    }
    if (res->nrows > 0 && mysql_stmt_bind_result(st, b) != 0) {
        set_error(c, mysql_stmt_errno(st), mysql_stmt_error(st));
        return TS_ERROR;
    }
    for (size_t row = 0; row < res->nrows; row++) {
        int rc = mysql_stmt_fetch(st);
        if (rc == 1 || rc == MYSQL_NO_DATA) {
            set_error(c, mysql_stmt_errno(st), mysql_stmt_error(st));
            return TS_ERROR;
        }
        for (size_t i = 0; i < res->ncols; i++) {
            if (nulls[i]) {
                continue;
            }
            char *cell = ts_palloc(p, lens[i] + 1);
            if (lens[i] >= b[i].buffer_length) {
                /* Truncated: fetch this column again into a buffer that fits. */
                MYSQL_BIND one = b[i];
                one.buffer_length = lens[i] + 1;
                one.buffer = cell;
                if (mysql_stmt_fetch_column(st, &one, (unsigned) i, 0) != 0) {
                    set_error(c, mysql_stmt_errno(st), mysql_stmt_error(st));
                    return TS_ERROR;
                }
            } else {
                memcpy(cell, b[i].buffer, lens[i]);
            }
            cell[lens[i]] = '\0';
            res->cells[row * res->ncols + i] = cell;
        }
    }
    *out = res;
    return TS_OK;
}

static int
run_once(ts_dbconn_t *c, ts_pool_t *p, int64_t tenant, const char *sql, const char *types,
         const args_t *src, ts_db_result_t **out)
{
    int rc = ensure(c);
    if (rc != TS_OK) {
        return rc;
    }
    c->lost = false;
    c->err = 0;     /* the error of this statement, not of an earlier one */
    cached_t *e = prepare(c, sql, types);
    if (e == NULL) {
        if (c->lost) {
            disconnect(c);
            return TS_AGAIN;
        }
        return TS_ERROR;
    }
    MYSQL_BIND binds[MAX_PARAMS];
    args_t a = { NULL, src->strs, 0 };
    va_list cp;
    if (src->ap != NULL) {
        va_copy(cp, *src->ap);
        a.ap = &cp;
    }
    rc = bind_params(p, e, tenant, &a, binds);
    if (src->ap != NULL) {
        va_end(cp);
    }
    if (rc != TS_OK || (e->nparams > 0 && mysql_stmt_bind_param(e->st, binds) != 0)) {
        set_error(c, 0, "cannot bind parameters");
        return TS_ERROR;
    }
    if (mysql_stmt_execute(e->st) != 0) {
        set_error(c, mysql_stmt_errno(e->st), mysql_stmt_error(e->st));
        if (c->lost) {
            disconnect(c);
            return TS_AGAIN;
        }
        return TS_ERROR;
    }
    c->insert_id = (int64_t) mysql_stmt_insert_id(e->st);
    c->affected = (long long) mysql_stmt_affected_rows(e->st);
    MYSQL_RES *meta = mysql_stmt_result_metadata(e->st);
    if (meta == NULL) {
        if (out) {
            *out = NULL;
        }
        return TS_OK;
    }
    ts_db_result_t *res = NULL;
    rc = fetch_result(c, p, e->st, meta, &res);
    mysql_free_result(meta);
    mysql_stmt_free_result(e->st);
    if (rc != TS_OK) {
        return rc;
    }
    if (out) {
        *out = res;
    }
    return TS_OK;
}

/* A connection found dead outside a transaction (the server restarted while
 * this worker was idle) is reopened and the statement tried once more if it
 * cannot have run (or only reads); inside
 * a transaction the work so far is gone, so the caller gets TS_AGAIN (503). */
static int
run(ts_dbconn_t *c, ts_pool_t *p, int64_t tenant, const char *sql, const char *types,
    const args_t *src, ts_db_result_t **out)
{
    if (c == NULL) {
        return TS_ERROR;
    }
    bool was_up = c->up, in_tx = c->in_tx;
    int rc = run_once(c, p, tenant, sql, types, src, out);
    /* Only when the statement surely did not run, or only read: never twice an insert. */
    bool safe = c->err == CR_SERVER_GONE_ERROR || strncmp(sql, "SELECT", 6) == 0;
    if (rc == TS_AGAIN && was_up && !in_tx && safe) {
        ts_log_warn("database %s: connection lost (%s); reconnecting", c->conf->name, c->errmsg);
        c->retry_at_us = 0;
        rc = run_once(c, p, tenant, sql, types, src, out);
    }
    if (rc == TS_OK && tenant > 0 && is_write(sql)) {
        note_write(c, tenant);
    }
    if (rc == TS_AGAIN && in_tx) {
        ts_log_error("database %s: connection lost inside a transaction: %s", c->conf->name,
                     c->errmsg);
    } else if (rc == TS_ERROR) {
        /* Logged here, where the statement is known; a duplicate key is often expected. */
        if (c->err == 1062) {
            ts_log_info("database %s: %s", c->conf->name, c->errmsg);
        } else {
            ts_log_error("database %s: %s in: %.200s", c->conf->name, c->errmsg, sql);
        }
    }
    return rc;
}

int
ts_dbc_exec(ts_dbconn_t *c, ts_pool_t *p, int64_t tenant, const char *sql, const char *types,
            ...)
{
    va_list ap;
    va_start(ap, types);
    int rc = ts_dbc_vrun(c, p, tenant, sql, types, ap, NULL);
    va_end(ap);
    return rc;
}

ts_db_result_t *
ts_dbc_query(ts_dbconn_t *c, ts_pool_t *p, int64_t tenant, const char *sql, const char *types,
             ...)
{
    ts_db_result_t *res = NULL;
    va_list ap;
    va_start(ap, types);
    int rc = ts_dbc_vrun(c, p, tenant, sql, types, ap, &res);
    va_end(ap);
    if (rc == TS_OK && res == NULL) {
        set_error(c, 0, "statement returned no result set");
    }
    return rc == TS_OK ? res : NULL;
}

int
ts_dbc_text(ts_dbconn_t *c, const char *sql)
{
    int rc = ensure(c);
    if (rc != TS_OK) {
        return rc;
    }
    if (mysql_real_query(c->my, sql, strlen(sql)) != 0) {
        set_error(c, mysql_errno(c->my), mysql_error(c->my));
        if (c->lost) {
            disconnect(c);
            return TS_AGAIN;
        }
        return TS_ERROR;
    }
    if (strcmp(sql, "START TRANSACTION") == 0) {
        c->in_tx = true;
    } else if (strcmp(sql, "COMMIT") == 0 || strcmp(sql, "ROLLBACK") == 0) {
        c->in_tx = false;
        c->commits += sql[0] == 'C';
        flush_writes(c);
    }
    MYSQL_RES *res = mysql_store_result(c->my);
    if (res != NULL) {
        mysql_free_result(res);
    }
    c->affected = (long long) mysql_affected_rows(c->my);
    return TS_OK;
}

int64_t ts_dbc_insert_id(ts_dbconn_t *c) { return c->insert_id; }
long long ts_dbc_affected(ts_dbconn_t *c) { return c->affected; }
const char *ts_dbc_error(ts_dbconn_t *c) { return c ? c->errmsg : "no such database server"; }
unsigned ts_dbc_errno(ts_dbconn_t *c) { return c ? c->err : 0; }
bool ts_dbc_lost(ts_dbconn_t *c) { return c == NULL || c->lost; }
unsigned long ts_dbc_commits(ts_dbconn_t *c) { return c ? c->commits : 0; }
int
ts_dbc_vrun(ts_dbconn_t *c, ts_pool_t *p, int64_t tenant, const char *sql, const char *types,
            va_list ap, ts_db_result_t **out)
{
    va_list cp;
    va_copy(cp, ap);
    args_t src = { &cp, NULL, 0 };
    int rc = run(c, p, tenant, sql, types, &src, out);
    va_end(cp);
    return rc;
}

const char *ts_dbc_server(ts_dbconn_t *c) { return c->conf->name; }

/* ---- the plugin-facing helpers: the request's tenant, always ---- */

static int
check(ts_request_t *r, const char *sql)
{
    if (strstr(sql, "{tenant}") == NULL) {
        ts_log_error("statement refused: it does not name {tenant}: %.120s", sql);
        return TS_ERROR;
    }
    if (r->tenant == NULL || TS_CORE(r)->db == NULL) {
        ts_log_error("statement refused: the request has no tenant");
        return TS_ERROR;
    }
    return TS_OK;
}

int
ts_db_exec(ts_request_t *r, const char *sql, const char *types, ...)
{
    if (check(r, sql) != TS_OK) {
        return TS_ERROR;
    }
    va_list ap;
    va_start(ap, types);
    int rc = ts_dbc_vrun(TS_CORE(r)->db, r->pool, r->tenant->id, sql, types, ap, NULL);
    va_end(ap);
    return rc;
}

ts_db_result_t *
ts_db_query(ts_request_t *r, const char *sql, const char *types, ...)
{
    if (check(r, sql) != TS_OK) {
        return NULL;
    }
    ts_db_result_t *res = NULL;
    va_list ap;
    va_start(ap, types);
    int rc = ts_dbc_vrun(TS_CORE(r)->db, r->pool, r->tenant->id, sql, types, ap, &res);
    va_end(ap);
    return rc == TS_OK ? res : NULL;
}

/* Statements whose WHERE is assembled from fixed fragments, one per filter
 * present, have as many values as filters: an array fits them, a variadic
 * call does not. Every value is a string (NULL is NULL). */
static int
run_v(ts_request_t *r, const char *sql, const char *const *values, size_t n,
      ts_db_result_t **out)
{
    if (check(r, sql) != TS_OK) {
        return TS_ERROR;
    }
    if (n >= MAX_PARAMS) {
        ts_log_error("statement refused: %zu values, at most %d", n, MAX_PARAMS - 1);
        return TS_ERROR;
    }
    char types[MAX_PARAMS];
    memset(types, 's', n);
    types[n] = '\0';
    args_t src = { NULL, values, 0 };
    return run(TS_CORE(r)->db, r->pool, r->tenant->id, sql, types, &src, out);
}

int
ts_db_exec_v(ts_request_t *r, const char *sql, const char *const *values, size_t n)
{
    return run_v(r, sql, values, n, NULL);
}

ts_db_result_t *
ts_db_query_v(ts_request_t *r, const char *sql, const char *const *values, size_t n)
{
    ts_db_result_t *res = NULL;
    return run_v(r, sql, values, n, &res) == TS_OK ? res : NULL;
}

int64_t ts_db_insert_id(ts_request_t *r) { return TS_CORE(r)->db->insert_id; }
long long ts_db_affected(ts_request_t *r) { return TS_CORE(r)->db->affected; }

int
ts_db_begin(ts_request_t *r)
{
    ts_req_core_t *c = TS_CORE(r);
    if (c->in_tx) {
        return TS_ERROR;
    }
    int rc = ts_dbc_text(c->db, "START TRANSACTION");
    c->in_tx = rc == TS_OK;
    return rc;
}

int
ts_db_commit(ts_request_t *r)
{
    ts_req_core_t *c = TS_CORE(r);
    if (!c->in_tx) {
        return TS_ERROR;
    }
    c->in_tx = false;
    int rc = ts_dbc_text(c->db, "COMMIT");
    ts_lua_failures_flush(r);
    if (rc != TS_OK) {
        ts_events_discard(r);
        return rc;
    }
    ts_events_dispatch(r);
    return TS_OK;
}

int
ts_db_rollback(ts_request_t *r)
{
    ts_req_core_t *c = TS_CORE(r);
    ts_events_discard(r);
    if (!c->in_tx) {
        return TS_OK;
    }
    c->in_tx = false;
    int rc = ts_dbc_text(c->db, "ROLLBACK");
    ts_lua_failures_flush(r);
    return rc;
}

int
ts_db_savepoint(ts_request_t *r)
{
    ts_req_core_t *c = TS_CORE(r);
    return c->in_tx ? ts_dbc_text(c->db, "SAVEPOINT ts_mark") : TS_ERROR;
}

int
ts_db_rollback_to_savepoint(ts_request_t *r)
{
    ts_req_core_t *c = TS_CORE(r);
    return c->in_tx ? ts_dbc_text(c->db, "ROLLBACK TO SAVEPOINT ts_mark") : TS_ERROR;
}

size_t
ts_db_rows(const ts_db_result_t *res)
{
    return res ? res->nrows : 0;
}

/* Callers name columns with literals, row after row: the pointer a column was found by
 * last is tried first, and confirmed by one comparison. */
static long
column(const ts_db_result_t *res, const char *col)
{
    for (size_t i = 0; i < res->ncols; i++) {
        if (res->asked[i] == col && strcmp(res->names[i], col) == 0) {
            return (long) i;
        }
    }
    for (size_t i = 0; i < res->ncols; i++) {
        if (strcmp(res->names[i], col) == 0) {
            res->asked[i] = col;
            return (long) i;
        }
    }
    return -1;
}

const char *
ts_db_get(const ts_db_result_t *res, size_t row, const char *col)
{
    if (res == NULL || row >= res->nrows) {
        return NULL;
    }
    long i = column(res, col);
    return i < 0 ? NULL : res->cells[row * res->ncols + (size_t) i];
}

int64_t
ts_db_get_int(const ts_db_result_t *res, size_t row, const char *col)
{
    const char *v = ts_db_get(res, row, col);
    return v ? strtoll(v, NULL, 10) : 0;
}

static cJSON *
cell_json(ts_request_t *r, int type, const char *v)
{
    if (v == NULL) {
        return cJSON_CreateNull();
    }
    switch (type) {
    case MYSQL_TYPE_TINY: case MYSQL_TYPE_SHORT: case MYSQL_TYPE_LONG:
    case MYSQL_TYPE_INT24: case MYSQL_TYPE_LONGLONG: case MYSQL_TYPE_YEAR:
    case MYSQL_TYPE_FLOAT: case MYSQL_TYPE_DOUBLE:
        return cJSON_CreateNumber(strtod(v, NULL));
    case MYSQL_TYPE_DATETIME: case MYSQL_TYPE_TIMESTAMP:
        /* Stored in UTC; shown as ISO 8601. */
        if (strlen(v) >= 19) {
            char *iso = ts_psprintf(r->pool, "%.10sT%.8sZ", v, v + 11);
            return cJSON_CreateString(iso);
        }
        return cJSON_CreateString(v);
    default:
        return cJSON_CreateString(v);
    }
}

cJSON *
ts_db_row_json(ts_request_t *r, const ts_db_result_t *res, size_t row)
{
    cJSON *o = cJSON_CreateObject();
    for (size_t i = 0; res && row < res->nrows && i < res->ncols; i++) {
        cJSON_AddItemToObject(o, res->names[i],
                              cell_json(r, res->types[i], res->cells[row * res->ncols + i]));
    }
    return o;
}

cJSON *
ts_db_rows_json(ts_request_t *r, const ts_db_result_t *res)
{
    cJSON *a = cJSON_CreateArray();
    for (size_t row = 0; res && row < res->nrows; row++) {
        cJSON_AddItemToArray(a, ts_db_row_json(r, res, row));
    }
    return a;
}
