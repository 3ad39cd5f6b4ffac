/* The job queue in MariaDB: claimed with SKIP LOCKED, retried with backoff,
 * dead after max_attempts; periodic schedules enqueue jobs. */
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "ts_core.h"

#define MAX_KINDS 128

typedef struct {
    char       *kind;
    ts_job_fn_t fn;
} kind_t;

static kind_t kinds[MAX_KINDS];
static int nkinds;

/* The core's periodic hooks: each runs at most every `every_s` seconds of the
 * runner's clock (a runner that starts runs each one on its first pass). */
#define MAX_PERIODIC 8

typedef struct {
    ts_job_periodic_fn_t fn;
    int                  every_s;
    time_t               last;
} periodic_t;

static periodic_t periodic[MAX_PERIODIC];
static int nperiodic;

void
ts_jobs_reset(void)
{
    for (int i = 0; i < nkinds; i++) {
        free(kinds[i].kind);
    }
    nkinds = 0;
    nperiodic = 0;
}

static bool
periodic_due(const periodic_t *h, time_t now)
{
    return h->last == 0 || now - h->last >= h->every_s;
}

int
ts_job_every(int every_s, ts_job_periodic_fn_t fn)
{
    if (nperiodic == MAX_PERIODIC) {
        ts_log_error("periodic job hook refused: table full");
        return TS_ERROR;
    }
    periodic[nperiodic++] = (periodic_t) { fn, every_s, 0 };
    return TS_OK;
}

int
ts_job_register(ts_plugin_ctx_t *ctx, const char *kind, ts_job_fn_t fn)
{
    if (!ctx->in_init || nkinds == MAX_KINDS || ts_job_handler(kind) != NULL) {
        ts_log_error("%s: job kind %s refused (outside init, duplicate or table full)",
                     ctx->name, kind);
        return TS_ERROR;
    }
    kinds[nkinds++] = (kind_t) { strdup(kind), fn };
    return TS_OK;
}

ts_job_fn_t
ts_job_handler(const char *kind)
{
    for (int i = 0; i < nkinds; i++) {
        if (strcmp(kinds[i].kind, kind) == 0) {
            return kinds[i].fn;
        }
    }
    return NULL;
}

static char *
json_text(ts_request_t *r, const cJSON *j)
{
    if (j == NULL) {
        return "{}";
    }
    char *tmp = cJSON_PrintUnformatted(j);
    char *s = ts_pstrdup(r->pool, tmp ? tmp : "{}");
    cJSON_free(tmp);
    return s;
}

int
ts_job_enqueue(ts_request_t *r, const char *kind, const cJSON *payload, int delay_s)
{
    return ts_db_exec(r, "INSERT INTO jobs (tenant_id, kind, payload, run_at)"
                         " VALUES ({tenant}, ?, ?, NOW() + INTERVAL ? SECOND)", "ssi", kind,
                      json_text(r, payload), (int64_t) (delay_s < 0 ? 0 : delay_s));
}

int
ts_job_enqueue_once(ts_request_t *r, const char *kind, const cJSON *payload, int delay_s)
{
    return ts_db_exec(r, "INSERT IGNORE INTO jobs (tenant_id, kind, once_key, background, payload,"
                         " run_at) VALUES ({tenant}, ?, ?, 1, ?, NOW() + INTERVAL ? SECOND)", "sssi", kind,
                      kind, json_text(r, payload), (int64_t) (delay_s < 0 ? 0 : delay_s));
}

static char *
utc_text(ts_pool_t *p, long long t)
{
    time_t tt = (time_t) t;
    struct tm tm;
    gmtime_r(&tt, &tm);
    char buf[32];
    strftime(buf, sizeof(buf), "%Y-%m-%d %H:%M:%S", &tm);
    return ts_pstrdup(p, buf);
}

int
ts_job_schedule(ts_request_t *r, const char *name, const char *kind, const char *cron,
                const cJSON *payload)
{
    long long next;
    if (ts_cron_next(cron, (long long) time(NULL), &next) != TS_OK) {
        ts_log_error("schedule %s: bad cron expression '%s'", name, cron);
        return TS_ERROR;
    }
    return ts_db_exec(r, "INSERT INTO job_schedules (tenant_id, name, kind, cron, payload,"
                         " next_run_at) VALUES ({tenant}, ?, ?, ?, ?, ?) ON DUPLICATE KEY"
                         " UPDATE kind = VALUES(kind), cron = VALUES(cron),"
                         " payload = VALUES(payload), next_run_at = VALUES(next_run_at)",
                      "sssss", name, kind, cron, json_text(r, payload),
                      utc_text(r->pool, next));
}

/* Due schedules become queued jobs; the row lock keeps two runners from both doing it. */
static void
run_schedules(ts_dbconn_t *db, ts_pool_t *p)
{
    if (ts_dbc_text(db, "START TRANSACTION") != TS_OK) {
        return;
    }
    ts_db_result_t *res = ts_dbc_query(db, p, 0,
        "SELECT tenant_id, name, kind, cron, payload, UNIX_TIMESTAMP(NOW()) AS now"
        " FROM job_schedules WHERE next_run_at <= NOW() LIMIT 100 FOR UPDATE SKIP LOCKED", "");
    for (size_t i = 0; res != NULL && i < ts_db_rows(res); i++) {
        long long next;
        const char *cron = ts_db_get(res, i, "cron");
        int64_t tid = ts_db_get_int(res, i, "tenant_id");
        if (ts_cron_next(cron, ts_db_get_int(res, i, "now"), &next) != TS_OK) {
            next = ts_db_get_int(res, i, "now") + 86400;
        }
        ts_dbc_exec(db, p, tid, "INSERT INTO jobs (tenant_id, kind, payload) VALUES"
                                " ({tenant}, ?, ?)", "ss", ts_db_get(res, i, "kind"),
                    ts_db_get(res, i, "payload"));
        ts_dbc_exec(db, p, tid, "UPDATE job_schedules SET last_run_at = NOW(), next_run_at = ?"
                                " WHERE tenant_id = {tenant} AND name = ?", "ss",
                    utc_text(p, next), ts_db_get(res, i, "name"));
    }
    ts_dbc_text(db, res ? "COMMIT" : "ROLLBACK");
}

static void
finish(ts_dbconn_t *db, ts_pool_t *p, int64_t id, int attempts, int max, const char *err)
{
    if (err == NULL) {
        ts_dbc_exec(db, p, 0, "UPDATE jobs SET status = 'done', finished_at = NOW(),"
                              " last_error = NULL WHERE id = ?", "i", id);
        return;
    }
    if (attempts >= max) {
        ts_log_error("job %lld is dead after %d attempts: %s", (long long) id, attempts, err);
        ts_dbc_exec(db, p, 0, "UPDATE jobs SET status = 'dead', finished_at = NOW(),"
                              " last_error = ? WHERE id = ?", "si", err, id);
        return;
    }
    /* 30 s, 1 min, 2 min, 4 min ...: a flaky peer gets time to recover. */
    int64_t delay = 30LL << (attempts - 1 < 10 ? attempts - 1 : 10);
    ts_log_warn("job %lld failed (attempt %d of %d, retry in %llds): %s", (long long) id,
                attempts, max, (long long) delay, err);
    ts_dbc_exec(db, p, 0, "UPDATE jobs SET status = 'queued', last_error = ?,"
                          " run_at = NOW() + INTERVAL ? SECOND WHERE id = ?", "sii", err, delay,
                id);
}

static int
run_one(ts_dbconn_t *db, const char *server, ts_pool_t *p, int *ran)
{
    if (ts_dbc_text(db, "START TRANSACTION") != TS_OK) {
        return TS_AGAIN;
    }
    /* Background work that waited a minute, else the oldest ordinary job due,
     * else background work: each an index range in order (jobs_due), so only
     * the row taken is locked. */
    static const char *const due[] = {
        "SELECT id, tenant_id, kind, payload, attempts, max_attempts FROM jobs WHERE status ="
        " 'queued' AND background = 1 AND run_at <= NOW() - INTERVAL 60 SECOND ORDER BY run_at,"
        " id LIMIT 1 FOR UPDATE SKIP LOCKED",
        "SELECT id, tenant_id, kind, payload, attempts, max_attempts FROM jobs WHERE status ="
        " 'queued' AND background = 0 AND run_at <= NOW() ORDER BY run_at, id LIMIT 1"
        " FOR UPDATE SKIP LOCKED",
        "SELECT id, tenant_id, kind, payload, attempts, max_attempts FROM jobs WHERE status ="
        " 'queued' AND background = 1 AND run_at <= NOW() ORDER BY run_at, id LIMIT 1"
        " FOR UPDATE SKIP LOCKED",
    };
    ts_db_result_t *res = NULL;
    for (size_t i = 0; i < sizeof(due) / sizeof(due[0]); i++) {
        res = ts_dbc_query(db, p, 0, due[i], "");
        if (res == NULL || ts_db_rows(res) > 0) {
            break;
        }
    }
    if (res == NULL || ts_db_rows(res) == 0) {
        ts_dbc_text(db, "ROLLBACK");
        return res ? TS_DECLINED : TS_AGAIN;
    }
    int64_t id = ts_db_get_int(res, 0, "id");
    int attempts = (int) ts_db_get_int(res, 0, "attempts") + 1;
    /* Taken: a job queued once frees its key, so work arriving now queues the next run. */
    ts_dbc_exec(db, p, 0, "UPDATE jobs SET status = 'running', attempts = ?, locked_at = NOW(),"
                          " once_key = NULL WHERE id = ?", "ii", (int64_t) attempts, id);
    if (ts_dbc_text(db, "COMMIT") != TS_OK) {
        return TS_AGAIN;
    }
    (*ran)++;
    const char *kind = ts_db_get(res, 0, "kind");
    const char *err = NULL;
    ts_job_fn_t fn = ts_job_handler(kind);
    ts_request_t *r = ts_req_detached(p);
    int max = (int) ts_db_get_int(res, 0, "max_attempts");
    TS_CORE(r)->job_last_attempt = attempts >= max;
    cJSON *payload = cJSON_Parse(ts_db_get(res, 0, "payload"));
    if (fn == NULL) {
        err = "no handler for this kind of job (is its plugin loaded?)";
    } else if (ts_tenant_by_id(r, ts_db_get_int(res, 0, "tenant_id")) != TS_OK) {
        err = "the job's tenant is missing or disabled";
    } else if (fn(r, payload, &err) != TS_OK && err == NULL) {
        err = "the job failed";
    }
    if (TS_CORE(r)->in_tx) {
        ts_db_rollback(r);
    }
    cJSON_Delete(payload);
    finish(db, p, id, attempts, max, err);
    (void) server;
    return TS_OK;
}

/* One pass over every server: schedules, then due jobs until none is left. */
int
ts_job_run_once(int *ran)
{
    ts_pool_t *p = ts_pool_create(0);
    time_t now = time(NULL);
    *ran = 0;
    for (int s = 0; s < ts_conf->ndb; s++) {
        ts_dbconn_t *db = ts_dbconn_get(ts_conf->db[s].name);
        ts_dbc_exec(db, p, 0, "UPDATE jobs SET status = 'queued' WHERE status = 'running'"
                              " AND locked_at < NOW() - INTERVAL 10 MINUTE", "");
        run_schedules(db, p);
        ts_pool_reset(p);
        for (int k = 0; k < nperiodic; k++) {
            if (periodic_due(&periodic[k], now)) {
                periodic[k].fn(db, p);
                ts_pool_reset(p);
            }
        }
        for (int i = 0; i < 1000 && run_one(db, ts_conf->db[s].name, p, ran) == TS_OK; i++) {
            ts_pool_reset(p);
        }
        ts_pool_reset(p);
    }
    for (int k = 0; k < nperiodic; k++) {
        if (periodic_due(&periodic[k], now)) {
            periodic[k].last = now;
        }
    }
    ts_pool_destroy(p);
    return TS_OK;
}

int
ts_job_runner_loop(volatile int *stop)
{
    while (!*stop) {
        int ran = 0;
        ts_job_run_once(&ran);
        if (ran == 0) {
            usleep(500 * 1000);
        }
    }
    return TS_OK;
}
