/* One import run: the streamed feed upserted into properties inside one transaction, so a
 * truncated document, a crash or a kill -9 leaves the listings exactly as they were. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include "kyero.h"
#include "kyero_map.h"
#include "kyero_parse.h"
#include "kyero_values.h"

#define BATCH        100     /* properties whose rows are written together */
#define MAX_ERRORS   500     /* rejected properties listed in a report */

/* Flags of the feed's listings map. */
#define SEEN      1u
#define WITHDRAWN 2u

typedef struct {
    ts_request_t *r;
    int64_t feed_id, run_id, agent_id;
    long long commission_bp;     /* -1: none */
    char removal[20];
    char feed_key[32];           /* properties.source_feed: "kyero:<feed id>" */
    kyero_map_t items;           /* source id -> property id, a = feed date */
    kyero_map_t refs;            /* ref -> property id, a = source_feed, b = source_id */
    kyero_map_t types, features; /* the catalogue's codes */
    long received, created, updated, unchanged, withdrawn, rejected;
    long photos_queued, photos_dropped;
    cJSON *errors, *conflicts, *unknown_types, *unknown_elements;
    cJSON *touched;              /* ids created or updated: their completeness is recounted */
    cJSON *withdrawals;          /* their audit rows */
    /* rows of the current batch, written by JSON_TABLE statements; media_old holds the photos
     * of listings the tenant had already (kept when their URL stays, in the feed's order) */
    cJSON *descs, *feats, *media, *media_old, *new_feats, *items_rows, *clear_texts, *clear_media;
    cJSON *audit_created, *audit_updated;
    cJSON *customs;              /* computed custom values: {p: id, c: JSON text} */
    int pending;
    bool custom_fields;          /* the tenant defines property fields: each listing is checked */
    bool db_failed;
    const char *db_error;
} import_t;

static long long
now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long) ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static char *
cut(ts_request_t *r, const char *s, size_t max_chars, size_t max_bytes)
{
    if (s == NULL || *s == '\0') {
        return NULL;
    }
    /* Most values fit: no copy, so the pool does not grow with the feed. */
    size_t n = kyero_utf8_prefix(s, max_chars, max_bytes);
    return s[n] == '\0' ? (char *) s : ts_pstrndup(r->pool, s, n);
}

static char *
json_text(ts_request_t *r, const cJSON *j)
{
    char *tmp = cJSON_PrintUnformatted(j);
    char *s = ts_pstrdup(r->pool, tmp ? tmp : "[]");
    cJSON_free(tmp);
    return s;
}

static bool
http_url(const char *u)
{
    return u != NULL && (strncasecmp(u, "http://", 7) == 0 || strncasecmp(u, "https://", 8) == 0);
}

/* The refs map folds ASCII case as the column's collation does (most of what it folds). */
static const char *
ref_key(const char *ref, char out[256])
{
    size_t i = 0;
    for (; ref[i] != '\0' && i < 255; i++) {
        out[i] = (char) (ref[i] >= 'A' && ref[i] <= 'Z' ? ref[i] + 32 : ref[i]);
    }
    out[i] = '\0';
    return out;
}

/* A rejected listing the tenant already has keeps its last good values and is
 * not withdrawn: it is still in the feed. */
static void
reject(import_t *im, const kyero_property_t *p, const char *reason)
{
    im->rejected++;
    kyero_entry_t *item = p->id ? kyero_map_get(&im->items, p->id) : NULL;
    if (item != NULL) {
        item->flags |= SEEN;
    }
    if (cJSON_GetArraySize(im->errors) >= MAX_ERRORS) {
        return;
    }
    cJSON *e = cJSON_CreateObject();
    cJSON_AddStringToObject(e, "id", p->id ? p->id : "");
    cJSON_AddStringToObject(e, "ref", p->ref ? p->ref : "");
    cJSON_AddNumberToObject(e, "line", p->line);
    cJSON_AddStringToObject(e, "reason", reason);
    cJSON_AddItemToArray(im->errors, e);
}

static void
add_unique(cJSON *list, const char *s)
{
    if (cJSON_GetArraySize(list) >= 100) {
        return;
    }
    for (cJSON *e = list->child; e; e = e->next) {
        if (strcmp(e->valuestring, s) == 0) {
            return;
        }
    }
    cJSON_AddItemToArray(list, cJSON_CreateString(s));
}

static int
db_fail(import_t *im, const char *what)
{
    if (!im->db_failed) {
        ts_log_error("feed %lld run %lld: %s failed", (long long) im->feed_id,
                     (long long) im->run_id, what);
    }
    im->db_failed = true;
    im->db_error = what;
    return -1;
}

/* ------------------------------------------------------------ batches */

static void
batch_new(import_t *im)
{
    im->descs = cJSON_CreateArray();
    im->feats = cJSON_CreateArray();
    im->media = cJSON_CreateArray();
    im->media_old = cJSON_CreateArray();
    im->audit_created = cJSON_CreateArray();
    im->audit_updated = cJSON_CreateArray();
    im->new_feats = cJSON_CreateArray();
    im->items_rows = cJSON_CreateArray();
    im->clear_texts = cJSON_CreateArray();
    im->clear_media = cJSON_CreateArray();
    im->customs = cJSON_CreateArray();
    im->pending = 0;
}

static void
batch_free(import_t *im)
{
    cJSON *all[] = { im->descs, im->feats, im->media, im->media_old, im->new_feats,
                     im->items_rows, im->clear_texts, im->clear_media, im->audit_created,
                     im->audit_updated, im->customs };
    for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++) {
        cJSON_Delete(all[i]);
    }
}

static int
exec_json(import_t *im, const char *what, const char *sql, cJSON *rows)
{
    if (cJSON_GetArraySize(rows) == 0) {
        return TS_OK;
    }
    char *txt = cJSON_PrintUnformatted(rows);
    int rc = txt ? ts_db_exec(im->r, sql, "s", txt) : TS_ERROR;
    cJSON_free(txt);
    return rc == TS_OK ? TS_OK : db_fail(im, what);
}

/* The photos of listings the tenant had: those whose URL left the feed are dropped (the photo
 * job removes their files), those that stay take the feed's order and tags, new URLs are
 * added for the job to fetch. An unchanged image list never gets here (images_sig). */
static int
photos_replace(import_t *im)
{
    ts_request_t *r = im->r;
    if (cJSON_GetArraySize(im->clear_media) == 0) {
        return TS_OK;
    }
    char *ids = cJSON_PrintUnformatted(im->clear_media);
    char *rows = cJSON_PrintUnformatted(im->media_old);
    int rc = ids && rows ? TS_OK : TS_ERROR;
#define MEDIA_COLUMNS "'$[*]' COLUMNS (p BIGINT PATH '$.p', f TINYINT PATH '$.f'," \
                      " m TINYINT PATH '$.m', n INT PATH '$.n', u VARCHAR(1000) PATH '$.u')"
    if (rc == TS_OK
        && (rc = ts_db_exec(r, "UPDATE property_media SET deleted_at = NOW(), fetch_state = 'purge'"
                " WHERE tenant_id = {tenant} AND kind = 'photo' AND source_url IS NOT NULL AND"
                " deleted_at IS NULL AND property_id IN (SELECT j.p FROM JSON_TABLE(?, '$[*]'"
                " COLUMNS (p BIGINT PATH '$')) AS j) AND NOT EXISTS (SELECT 1 FROM JSON_TABLE(?, "
                MEDIA_COLUMNS ") AS k WHERE k.p = property_media.property_id AND"
                " k.u = property_media.source_url)", "ss", ids, rows)) == TS_OK) {
        im->photos_dropped += ts_db_affected(r);
    }
    if (rc == TS_OK && cJSON_GetArraySize(im->media_old) > 0) {
        rc = ts_db_exec(r, "UPDATE property_media AS pm JOIN JSON_TABLE(?, " MEDIA_COLUMNS ") AS j"
                           " ON pm.property_id = j.p AND pm.source_url = j.u SET"
                           " pm.position = j.n, pm.is_floor_plan = j.f, pm.is_main = j.m"
                           " WHERE pm.tenant_id = {tenant} AND pm.kind = 'photo' AND"
                           " pm.deleted_at IS NULL", "s", rows);
        if (rc == TS_OK
            && (rc = ts_db_exec(r, "INSERT INTO property_media (tenant_id, property_id, kind,"
                    " is_floor_plan, is_main, position, source_url, fetch_state) SELECT {tenant},"
                    " j.p, 'photo', j.f, j.m, j.n, j.u, 'pending' FROM JSON_TABLE(?, "
                    MEDIA_COLUMNS ") AS j WHERE NOT EXISTS (SELECT 1 FROM property_media pm"
                    " WHERE pm.tenant_id = {tenant} AND pm.property_id = j.p AND pm.kind ="
                    " 'photo' AND pm.source_url = j.u AND pm.deleted_at IS NULL)", "s", rows))
               == TS_OK) {
            im->photos_queued += ts_db_affected(r);
        }
    }
    cJSON_free(ids);
    cJSON_free(rows);
    return rc == TS_OK ? TS_OK : db_fail(im, "replacing photos");
}

static int
exec_json_feed(import_t *im, const char *what, const char *sql, cJSON *rows)
{
    if (cJSON_GetArraySize(rows) == 0) {
        return TS_OK;
    }
    char *txt = cJSON_PrintUnformatted(rows);
    int rc = txt ? ts_db_exec(im->r, sql, "iis", im->feed_id, im->run_id, txt) : TS_ERROR;
    cJSON_free(txt);
    return rc == TS_OK ? TS_OK : db_fail(im, what);
}

/* Rows of up to BATCH properties in a few statements: the values travel as one bound JSON
 * document that JSON_TABLE turns back into rows. */
static int
batch_flush(import_t *im)
{
    int rc = TS_OK;
    if (im->pending == 0 || im->db_failed) {
        goto done;
    }
    if (exec_json(im, "clearing descriptions",
                  "DELETE FROM property_descriptions WHERE tenant_id = {tenant} AND property_id IN"
                  " (SELECT j.p FROM JSON_TABLE(?, '$[*]' COLUMNS (p BIGINT PATH '$')) AS j)",
                  im->clear_texts) != TS_OK
        || exec_json(im, "clearing features",
                     "DELETE FROM property_features WHERE tenant_id = {tenant} AND property_id IN"
                     " (SELECT j.p FROM JSON_TABLE(?, '$[*]' COLUMNS (p BIGINT PATH '$')) AS j)",
                     im->clear_texts) != TS_OK
        || photos_replace(im) != TS_OK
        || exec_json(im, "storing descriptions",
                     "INSERT INTO property_descriptions (tenant_id, property_id, lang, text)"
                     " SELECT {tenant}, j.p, j.l, j.t FROM JSON_TABLE(?, '$[*]' COLUMNS ("
                     " p BIGINT PATH '$.p', l VARCHAR(8) PATH '$.l', t MEDIUMTEXT PATH '$.t'))"
                     " AS j", im->descs) != TS_OK
        || exec_json(im, "adding features to the catalogue",
                     "INSERT IGNORE INTO property_feature_catalog (tenant_id, code, category)"
                     " SELECT {tenant}, j.c, 'feed' FROM JSON_TABLE(?, '$[*]' COLUMNS ("
                     " c VARCHAR(48) PATH '$.c')) AS j", im->new_feats) != TS_OK
        || exec_json(im, "labelling features",
                     "INSERT IGNORE INTO property_feature_labels (tenant_id, code, lang, label)"
                     " SELECT {tenant}, j.c, 'en', j.t FROM JSON_TABLE(?, '$[*]' COLUMNS ("
                     " c VARCHAR(48) PATH '$.c', t VARCHAR(100) PATH '$.t')) AS j",
                     im->new_feats) != TS_OK
        || exec_json(im, "storing features",
                     "INSERT IGNORE INTO property_features (tenant_id, property_id, code)"
                     " SELECT {tenant}, j.p, j.c FROM JSON_TABLE(?, '$[*]' COLUMNS ("
                     " p BIGINT PATH '$.p', c VARCHAR(48) PATH '$.c')) AS j", im->feats) != TS_OK
        || exec_json(im, "storing photos",
                     "INSERT INTO property_media (tenant_id, property_id, kind, is_floor_plan,"
                     " is_main, position, source_url, fetch_state) SELECT {tenant}, j.p, 'photo',"
                     " j.f, j.m, j.n, j.u, 'pending' FROM JSON_TABLE(?, " MEDIA_COLUMNS ") AS j",
                     im->media) != TS_OK
        || exec_json(im, "storing computed custom fields",
                     "UPDATE properties AS p JOIN JSON_TABLE(?, '$[*]' COLUMNS ("
                     " i BIGINT PATH '$.p', c LONGTEXT PATH '$.c')) AS j ON p.id = j.i"
                     " SET p.custom = j.c WHERE p.tenant_id = {tenant}", im->customs) != TS_OK
        || ts_audit_batch(im->r, "property", "create", im->audit_created) != TS_OK
        || ts_audit_batch(im->r, "property", "update", im->audit_updated) != TS_OK
        || exec_json_feed(im, "storing the feed's listings",
                     "INSERT INTO kyero_items (tenant_id, feed_id, last_run_id, source_id,"
                     " property_id, feed_date, part_ownership, leasehold, pool, prime, catastral,"
                     " email, contact_number, whatsapp_number, urls, images_sig)"
                     " SELECT {tenant}, ?, ?, j.s, j.p, j.d, j.po, j.lh, j.pl, j.pr, j.ca, j.em,"
                     " j.cn, j.wa, j.u, j.ig FROM JSON_TABLE(?, '$[*]' COLUMNS ("
                     " s VARCHAR(100) PATH '$.s', p BIGINT PATH '$.p', d VARCHAR(19) PATH '$.d',"
                     " po TINYINT PATH '$.po', lh TINYINT PATH '$.lh', pl TINYINT PATH '$.pl',"
                     " pr TINYINT PATH '$.pr', ca VARCHAR(100) PATH '$.ca',"
                     " em VARCHAR(255) PATH '$.em', cn VARCHAR(64) PATH '$.cn',"
                     " wa VARCHAR(64) PATH '$.wa', u LONGTEXT PATH '$.u',"
                     " ig CHAR(16) PATH '$.ig')) AS j"
                     " ON DUPLICATE KEY UPDATE property_id = VALUES(property_id),"
                     " feed_date = VALUES(feed_date), last_run_id = VALUES(last_run_id),"
                     " part_ownership = VALUES(part_ownership), leasehold = VALUES(leasehold),"
                     " pool = VALUES(pool), prime = VALUES(prime), catastral = VALUES(catastral),"
                     " email = VALUES(email), contact_number = VALUES(contact_number),"
                     " whatsapp_number = VALUES(whatsapp_number), urls = VALUES(urls),"
                     " images_sig = VALUES(images_sig)", im->items_rows) != TS_OK) {
        rc = TS_ERROR;
    }
done:
    batch_free(im);
    batch_new(im);
    return rc;
}

/* ------------------------------------------------------------ one property */

static void
status_event(import_t *im, int64_t pid, const char *from, const char *to, const char *reason)
{
    cJSON *ev = cJSON_CreateObject();
    cJSON_AddNumberToObject(ev, "id", (double) pid);
    cJSON_AddItemToObject(ev, "from", from ? cJSON_CreateString(from) : cJSON_CreateNull());
    cJSON_AddStringToObject(ev, "to", to);
    cJSON_AddStringToObject(ev, "reason", reason);
    cJSON_AddNumberToObject(ev, "feed_id", (double) im->feed_id);
    ts_event_emit(im->r, "property.status_changed", ev);
}

static void
kyero_bool_add(cJSON *o, const char *key, kyero_bool_t b)
{
    if (b != KYERO_UNSET) {
        cJSON_AddNumberToObject(o, key, b == KYERO_YES);
    }
}

static void
str_add(ts_request_t *r, cJSON *o, const char *key, const char *v, size_t max)
{
    char *s = cut(r, v, max, max * 4);
    if (s != NULL) {
        cJSON_AddStringToObject(o, key, s);
    }
}

static const char *
images_sig(const kyero_property_t *p, char out[17])
{
    uint64_t h = 1469598103934665603ULL;
    for (int i = 0; i < p->nimages; i++) {
        const char *u = p->images[i].url ? p->images[i].url : "";
        for (; *u; u++) {
            h = (h ^ (unsigned char) *u) * 1099511628211ULL;
        }
        h = (h ^ (unsigned char) (p->images[i].floorplan ? '!' : '|')) * 1099511628211ULL;
    }
    snprintf(out, 17, "%016llx", (unsigned long long) h);
    return out;
}

/* The child rows of a property (texts, features, photos, the feed's own fields). */
static void
queue_children(import_t *im, const kyero_property_t *p, int64_t pid, bool replace,
               bool images_changed, const char *sig)
{
    ts_request_t *r = im->r;
    if (replace) {
        cJSON_AddItemToArray(im->clear_texts, cJSON_CreateNumber((double) pid));
    }
    for (int i = 0; i < p->ndescs; i++) {
        char lang[9];
        snprintf(lang, sizeof(lang), "%s", p->descs[i].lang);
        for (char *c = lang; *c; c++) {
            *c = *c == '_' ? '-' : (char) (*c >= 'A' && *c <= 'Z' ? *c + 32 : *c);
        }
        cJSON *d = cJSON_CreateObject();
        cJSON_AddNumberToObject(d, "p", (double) pid);
        cJSON_AddStringToObject(d, "l", lang);
        cJSON_AddStringToObject(d, "t", cut(r, p->descs[i].text, 4000000, 16000000));
        cJSON_AddItemToArray(im->descs, d);
    }
    for (int i = 0; i < p->nfeatures + (p->pool == KYERO_YES); i++) {
        const char *text = i < p->nfeatures ? p->features[i] : "pool";
        char code[49];
        kyero_code(text, code, sizeof(code));
        code[kyero_utf8_prefix(code, 48, 48)] = '\0';
        if (code[0] == '\0') {
            continue;
        }
        if (kyero_map_get(&im->features, code) == NULL) {
            kyero_map_put(&im->features, code);
            cJSON *n = cJSON_CreateObject();
            cJSON_AddStringToObject(n, "c", code);
            cJSON_AddStringToObject(n, "t", cut(r, text, 100, 400));
            cJSON_AddItemToArray(im->new_feats, n);
        }
        cJSON *f = cJSON_CreateObject();
        cJSON_AddNumberToObject(f, "p", (double) pid);
        cJSON_AddStringToObject(f, "c", code);
        cJSON_AddItemToArray(im->feats, f);
    }
    if (images_changed) {
        if (replace) {
            cJSON_AddItemToArray(im->clear_media, cJSON_CreateNumber((double) pid));
        }
        bool main_set = false;
        for (int i = 0, pos = 0; i < p->nimages; i++) {
            const char *u = p->images[i].url;
            bool twice = false;
            for (int k = 0; k < i && !twice; k++) {
                twice = p->images[k].url != NULL && strcmp(p->images[k].url, u ? u : "") == 0;
            }
            if (!http_url(u) || strlen(u) > 1000 || twice) {
                continue;
            }
            cJSON *m = cJSON_CreateObject();
            bool is_main = !main_set && !p->images[i].floorplan;
            main_set |= is_main;
            cJSON_AddNumberToObject(m, "p", (double) pid);
            cJSON_AddNumberToObject(m, "f", p->images[i].floorplan);
            cJSON_AddNumberToObject(m, "m", is_main);
            cJSON_AddNumberToObject(m, "n", pos++);
            cJSON_AddStringToObject(m, "u", u);
            cJSON_AddItemToArray(replace ? im->media_old : im->media, m);
            im->photos_queued += !replace;
        }
    }
    cJSON *it = cJSON_CreateObject();
    cJSON_AddStringToObject(it, "s", p->id);
    cJSON_AddNumberToObject(it, "p", (double) pid);
    cJSON_AddStringToObject(it, "d", p->date);
    kyero_bool_add(it, "po", p->part_ownership);
    kyero_bool_add(it, "lh", p->leasehold);
    kyero_bool_add(it, "pl", p->pool);
    kyero_bool_add(it, "pr", p->prime);
    str_add(r, it, "ca", p->catastral, 100);
    str_add(r, it, "em", p->email, 255);
    str_add(r, it, "cn", p->contact_number, 64);
    str_add(r, it, "wa", p->whatsapp_number, 64);
    if (p->nurls > 0) {
        cJSON *u = cJSON_CreateObject();
        for (int i = 0; i < p->nurls; i++) {
            if (http_url(p->urls[i].text)) {
                cJSON_AddStringToObject(u, p->urls[i].lang, p->urls[i].text);
            }
        }
        char *txt = cJSON_PrintUnformatted(u);
        cJSON_AddStringToObject(it, "u", txt ? txt : "{}");
        cJSON_free(txt);
        cJSON_Delete(u);
    }
    cJSON_AddStringToObject(it, "ig", sig);
    cJSON_AddItemToArray(im->items_rows, it);
}

typedef struct {
    const char *type, *transaction, *period, *currency, *country, *town, *province, *area;
    const char *ec, *ee, *video, *tour, *notes, *ref;
    char type_buf[33], ec_buf[2], ee_buf[2];
} mapped_t;

static char
energy_letter(const char *v)
{
    if (v == NULL || strlen(v) != 1) {
        return 0;
    }
    char c = (char) (v[0] >= 'a' && v[0] <= 'z' ? v[0] - 32 : v[0]);
    return strchr("ABCDEFGX", c) ? c : 0;
}

static void
map_values(import_t *im, const kyero_property_t *p, mapped_t *m)
{
    ts_request_t *r = im->r;
    char code[64];
    kyero_code(p->type ? p->type : "", code, sizeof(code));
    const char *t = kyero_type_alias(code);
    snprintf(m->type_buf, sizeof(m->type_buf), "%s", t);
    m->type_buf[kyero_utf8_prefix(m->type_buf, 32, 32)] = '\0';
    if (m->type_buf[0] == '\0') {
        snprintf(m->type_buf, sizeof(m->type_buf), "%s", "apartment");
    } else if (kyero_map_get(&im->types, m->type_buf) == NULL) {
        /* Kept as the feed says it, and reported so the agency can add it to its catalogue. */
        add_unique(im->unknown_types, p->type);
    }
    m->type = m->type_buf;
    m->transaction = strcmp(p->price_freq, "sale") == 0 ? "sale"
                     : strcmp(p->price_freq, "month") == 0 ? "long_term_rent" : "holiday_rent";
    m->period = strcmp(p->price_freq, "sale") == 0 ? NULL : p->price_freq;
    m->currency = p->currency ? p->currency : "EUR";
    m->country = kyero_country_code(p->country);
    if (p->country != NULL && *p->country != '\0' && m->country == NULL) {
        add_unique(im->unknown_elements, ts_psprintf(r->pool, "country '%.50s'", p->country));
    }
    m->town = cut(r, p->town, 100, 400);
    m->province = cut(r, p->province, 100, 400);
    m->area = cut(r, p->location_detail, 100, 400);
    m->ec_buf[0] = energy_letter(p->energy_consumption);
    m->ee_buf[0] = energy_letter(p->energy_emissions);
    m->ec_buf[1] = m->ee_buf[1] = '\0';
    m->ec = m->ec_buf[0] ? m->ec_buf : NULL;
    m->ee = m->ee_buf[0] ? m->ee_buf : NULL;
    m->video = http_url(p->video_url) ? cut(r, p->video_url, 500, 2000) : NULL;
    m->tour = http_url(p->virtual_tour_url) ? cut(r, p->virtual_tour_url, 500, 2000) : NULL;
    m->notes = cut(r, p->notes, 60000, 65000);
    m->ref = p->ref;
    for (int i = 0; i < p->nunknown; i++) {
        add_unique(im->unknown_elements, p->unknown[i]);
    }
}

/* Numbers travel as text (NULL when absent): the database converts them, and string
 * parameters cost the request's pool nothing, whatever the size of the feed. */
static const char *
num(char *buf, size_t n, long long v, long long none)
{
    if (v == none) {
        return NULL;
    }
    snprintf(buf, n, "%lld", v);
    return buf;
}

static int
property_write(import_t *im, const kyero_property_t *p, const mapped_t *m, int64_t pid,
               bool reactivate)
{
    ts_request_t *r = im->r;
    char price[24], lat[32], lon[32], beds[16], baths[16], built[24], plot[24], agent[24];
    char comm[24], id[24];
    const char *pr = p->price_on_request ? NULL : num(price, sizeof(price), p->price * 100, -1);
    const char *la = NULL, *lo = NULL;
    if (p->has_location) {
        snprintf(lat, sizeof(lat), "%.6f", p->latitude);
        snprintf(lon, sizeof(lon), "%.6f", p->longitude);
        la = lat;
        lo = lon;
    }
    const char *be = num(beds, sizeof(beds), p->beds, -1);
    const char *ba = num(baths, sizeof(baths), p->baths, -1);
    const char *bu = num(built, sizeof(built), p->built, -1);
    const char *pl = num(plot, sizeof(plot), p->plot, -1);
    const char *nb = p->new_build == KYERO_YES ? "1" : "0";
    if (pid == 0) {
        if (ts_db_exec(r, "INSERT INTO properties (tenant_id, ref, type, transaction, price,"
                          " currency, price_period, status, town, area, province, country,"
                          " latitude, longitude, beds, baths, built_area, plot_area,"
                          " energy_consumption, energy_emissions, agent_id, new_build,"
                          " commission_bp, video_url, virtual_tour_url, notes, source_feed,"
                          " source_id) VALUES ({tenant}, ?, ?, ?, ?, ?, ?, 'active', ?, ?, ?,"
                          " ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                       "ssssssssssssssssssssssssss", m->ref, m->type, m->transaction, pr,
                       m->currency, m->period, m->town, m->area, m->province, m->country, la, lo,
                       be, ba, bu, pl, m->ec, m->ee, num(agent, sizeof(agent), im->agent_id, 0),
                       nb, num(comm, sizeof(comm), im->commission_bp, -1), m->video, m->tour,
                       m->notes, im->feed_key, p->id) != TS_OK) {
            /* A failed statement leaves the transaction as it was: the property alone is
             * refused (a reference the collation sees as taken, say). */
            return TS_DECLINED;
        }
        return TS_OK;
    }
    if (ts_db_exec(r, "UPDATE properties SET ref = ?, type = ?, transaction = ?, price = ?,"
                      " currency = ?, price_period = ?, town = ?, area = ?, province = ?,"
                      " country = ?, latitude = ?, longitude = ?, beds = ?, baths = ?,"
                      " built_area = ?, plot_area = ?, energy_consumption = ?,"
                      " energy_emissions = ?, new_build = ?, video_url = ?, virtual_tour_url = ?,"
                      " notes = ?, source_feed = ?, source_id = ?,"
                      " status = IF(? = '1', 'active', status) WHERE tenant_id = {tenant} AND id = ?",
                   "ssssssssssssssssssssssssss", m->ref, m->type, m->transaction, pr, m->currency,
                   m->period, m->town, m->area, m->province, m->country, la, lo, be, ba, bu, pl,
                   m->ec, m->ee, nb, m->video, m->tour, m->notes, im->feed_key, p->id,
                   reactivate ? "1" : "0", num(id, sizeof(id), pid, -1)) != TS_OK) {
        return TS_DECLINED;
    }
    if (reactivate && ts_db_exec(r, "INSERT INTO property_status_history (tenant_id,"
                                    " property_id, from_status, to_status, reason) VALUES"
                                    " ({tenant}, ?, ?, 'active', 'back in the feed')", "is",
                                 pid, im->removal) != TS_OK) {
        return db_fail(im, "logging a status change");
    }
    return TS_OK;
}

/* The audit row (written with its batch) and the event of a created or updated listing, so
 * workflows and webhooks see imports as they see edits; its completeness is recounted. */
static void
listing_logged(import_t *im, const kyero_property_t *p, int64_t pid, bool created,
               bool reactivated)
{
    cJSON *a = cJSON_CreateObject();
    cJSON_AddNumberToObject(a, "id", (double) pid);
    cJSON *c = cJSON_AddObjectToObject(a, "changes");
    cJSON_AddStringToObject(c, "source_feed", im->feed_key);
    cJSON_AddStringToObject(c, "source_id", p->id);
    cJSON_AddNumberToObject(c, "run_id", (double) im->run_id);
    cJSON_AddStringToObject(c, "feed_date", p->date);
    cJSON_AddItemToArray(created ? im->audit_created : im->audit_updated, a);
    cJSON *ev = cJSON_CreateObject();
    cJSON_AddNumberToObject(ev, "id", (double) pid);
    cJSON_AddStringToObject(ev, "ref", p->ref);
    cJSON_AddNumberToObject(ev, "feed_id", (double) im->feed_id);
    cJSON_AddNumberToObject(ev, "run_id", (double) im->run_id);
    cJSON_AddStringToObject(ev, "source_id", p->id);
    if (created) {
        cJSON_AddStringToObject(ev, "status", "active");
    }
    ts_event_emit(im->r, created ? "property.created" : "property.updated", ev);
    if (reactivated) {
        status_event(im, pid, im->removal, "active", "back in the feed");
    }
    cJSON_AddItemToArray(im->touched, cJSON_CreateNumber((double) pid));
}

/* The tenant's property fields on a written listing, as the API checks an edit: the saved
 * row is the record, computed values are stored into its custom. TS_DECLINED: the listing
 * was rolled back to the savepoint taken before its write and is rejected, naming the
 * field and the feed's id. */
static int
custom_fields_check(import_t *im, const kyero_property_t *p, int64_t pid)
{
    ts_request_t *r = im->r;
    ts_db_result_t *res = ts_db_query(r, "SELECT * FROM properties WHERE tenant_id = {tenant}"
                                         " AND id = ?", "i", pid);
    if (res == NULL || ts_db_rows(res) != 1) {
        return db_fail(im, "reading a listing for its custom fields");
    }
    cJSON *rec = ts_db_row_json(r, res, 0);
    const char *stored_text = ts_db_get(res, 0, "custom");
    cJSON *stored = stored_text ? cJSON_Parse(stored_text) : NULL;
    cJSON_DeleteItemFromObjectCaseSensitive(rec, "custom");
    cJSON_AddItemToObject(rec, "custom", cJSON_IsObject(stored) ? cJSON_Duplicate(stored, 1)
                                                               : cJSON_CreateObject());
    cJSON *values = cJSON_IsObject(stored) ? cJSON_Duplicate(stored, 1) : cJSON_CreateObject();
    cJSON *errors = NULL;
    int rc = ts_custom_fields_check(r, "property", rec, values, &errors);
    cJSON_Delete(rec);
    if (rc == TS_DECLINED) {
        char *why = ts_pstrdup(r->pool, "");
        const cJSON *e;
        cJSON_ArrayForEach(e, errors) {
            why = ts_psprintf(r->pool, "%s%scustom.%s: %s", why, *why ? "; " : "", e->string,
                              cJSON_GetStringValue(e));
        }
        cJSON_Delete(errors);
        if (ts_db_rollback_to_savepoint(r) != TS_OK) {
            rc = db_fail(im, "undoing a refused listing");
        } else {
            reject(im, p, ts_psprintf(r->pool, "%s (feed property %s)", why, p->id));
        }
    } else if (rc != TS_OK) {
        rc = db_fail(im, "checking the custom fields");
    } else if (!cJSON_Compare(values, stored, 1)
               && (cJSON_GetArraySize(values) > 0 || stored != NULL)) {
        /* Written with the listing's batch. */
        char *text = cJSON_PrintUnformatted(values);
        if (text == NULL) {
            rc = db_fail(im, "memory for the custom fields");
        } else {
            cJSON *c = cJSON_CreateObject();
            cJSON_AddNumberToObject(c, "p", (double) pid);
            cJSON_AddStringToObject(c, "c", text);
            cJSON_AddItemToArray(im->customs, c);
            cJSON_free(text);
        }
    }
    cJSON_Delete(values);
    cJSON_Delete(stored);
    return rc;
}

static int
on_property(void *ctx, const kyero_property_t *p)
{
    import_t *im = ctx;
    im->received++;
    if (p->invalid != NULL) {
        reject(im, p, p->invalid);
        return 0;
    }
    if (kyero_utf8_prefix(p->ref, 64, 256) != strlen(p->ref)) {
        reject(im, p, "ref: longer than 64 characters");
        return 0;
    }
    kyero_entry_t *item = kyero_map_get(&im->items, p->id);
    if (item != NULL && (item->flags & SEEN)) {
        reject(im, p, "id: the feed has this id twice");
        return 0;
    }
    if (item != NULL && item->a != NULL && strcmp(item->a, p->date) == 0) {
        item->flags |= SEEN;
        im->unchanged++;
        return 0;
    }
    /* The ref must be free, the agency's own (adopted), or this listing's already. */
    char key[256];
    kyero_entry_t *ref = kyero_map_get(&im->refs, ref_key(p->ref, key));
    int64_t pid = item ? item->id : 0;
    if (ref != NULL && ref->id != pid) {
        bool ours = ref->a == NULL
                    || (strcmp(ref->a, im->feed_key) == 0 && ref->b && strcmp(ref->b, p->id) == 0);
        if (!ours || pid != 0) {
            char *why = ts_psprintf(im->r->pool, "ref '%s' belongs to another listing%s%s:"
                                    " not overwritten", p->ref, ref->a ? " of feed " : "",
                                    ref->a ? ref->a : "");
            cJSON *c = cJSON_CreateObject();
            cJSON_AddStringToObject(c, "id", p->id);
            cJSON_AddStringToObject(c, "ref", p->ref);
            cJSON_AddNumberToObject(c, "property_id", (double) ref->id);
            if (ref->a) {
                cJSON_AddStringToObject(c, "source_feed", ref->a);
            }
            if (cJSON_GetArraySize(im->conflicts) < MAX_ERRORS) {
                cJSON_AddItemToArray(im->conflicts, c);
            } else {
                cJSON_Delete(c);
            }
            reject(im, p, why);
            return 0;
        }
        pid = ref->id;   /* adopted: the agency's listing joins the feed */
    }
    mapped_t m;
    map_values(im, p, &m);
    bool reactivate = item != NULL && (item->flags & WITHDRAWN);
    if (im->custom_fields && ts_db_savepoint(im->r) != TS_OK) {
        return db_fail(im, "starting a listing");
    }
    int wrc = property_write(im, p, &m, pid, reactivate);
    if (wrc == TS_DECLINED) {
        reject(im, p, "the database refused the listing (is its ref taken by another listing?)");
        return 0;
    }
    if (wrc != TS_OK) {
        return -1;
    }
    bool created = pid == 0;
    if (created) {
        pid = ts_db_insert_id(im->r);
    }
    if (im->custom_fields) {
        int crc = custom_fields_check(im, p, pid);
        if (crc == TS_DECLINED) {
            return 0;
        }
        if (crc != TS_OK) {
            return -1;
        }
    }
    if (created) {
        im->created++;
    } else {
        im->updated++;
    }
    char sig[17];
    images_sig(p, sig);
    bool images_changed = created || item == NULL || item->b == NULL || strcmp(item->b, sig) != 0;
    queue_children(im, p, pid, !created, images_changed, sig);
    listing_logged(im, p, pid, created, reactivate);
    item = kyero_map_put(&im->items, p->id);
    ref = kyero_map_put(&im->refs, ref_key(p->ref, key));
    if (item == NULL || ref == NULL) {
        return db_fail(im, "memory for the feed's listings");
    }
    item->id = pid;
    item->flags = SEEN;
    ref->id = pid;
    kyero_map_set(&ref->a, im->feed_key);
    kyero_map_set(&ref->b, p->id);
    if (++im->pending >= BATCH && batch_flush(im) != TS_OK) {
        return -1;
    }
    return 0;
}

/* ------------------------------------------------------------ the run */

static int
load_maps(import_t *im)
{
    ts_request_t *r = im->r;
    ts_db_result_t *res = ts_db_query(r, "SELECT i.source_id, i.property_id, i.feed_date,"
                                         " i.images_sig FROM kyero_items i WHERE"
                                         " i.tenant_id = {tenant} AND i.feed_id = ?", "i",
                                      im->feed_id);
    for (size_t i = 0; res != NULL && i < ts_db_rows(res); i++) {
        kyero_entry_t *e = kyero_map_put(&im->items, ts_db_get(res, i, "source_id"));
        const char *date = ts_db_get(res, i, "feed_date");
        e->id = ts_db_get_int(res, i, "property_id");
        /* An empty date marks a listing this feed withdrew. */
        e->flags = date && *date ? 0 : WITHDRAWN;
        kyero_map_set(&e->a, date && *date ? date : NULL);
        kyero_map_set(&e->b, ts_db_get(res, i, "images_sig"));
    }
    ts_db_result_t *refs = res ? ts_db_query(r, "SELECT id, ref, source_feed, source_id"
                                                " FROM properties WHERE tenant_id = {tenant}", "")
                               : NULL;
    char key[256];
    for (size_t i = 0; refs != NULL && i < ts_db_rows(refs); i++) {
        kyero_entry_t *e = kyero_map_put(&im->refs, ref_key(ts_db_get(refs, i, "ref"), key));
        e->id = ts_db_get_int(refs, i, "id");
        kyero_map_set(&e->a, ts_db_get(refs, i, "source_feed"));
        kyero_map_set(&e->b, ts_db_get(refs, i, "source_id"));
    }
    ts_db_result_t *types = refs ? ts_db_query(r, "SELECT code FROM property_types"
                                                  " WHERE tenant_id IN (0, {tenant})", "") : NULL;
    for (size_t i = 0; types != NULL && i < ts_db_rows(types); i++) {
        kyero_map_put(&im->types, ts_db_get(types, i, "code"));
    }
    ts_db_result_t *feats = types ? ts_db_query(r, "SELECT code FROM property_feature_catalog"
                                                   " WHERE tenant_id IN (0, {tenant})", "")
                                  : NULL;
    for (size_t i = 0; feats != NULL && i < ts_db_rows(feats); i++) {
        kyero_map_put(&im->features, ts_db_get(feats, i, "code"));
    }
    /* Once per run: without property fields no listing costs a check. */
    int nfields = feats != NULL ? ts_custom_fields_count(r, "property") : -1;
    im->custom_fields = nfields > 0;
    return nfields >= 0 ? TS_OK : db_fail(im, "reading the feed's listings");
}

/* Feeds are absolute: withdraw only after the whole document parsed. */
static int
withdraw_missing(import_t *im)
{
    ts_request_t *r = im->r;
    if (strcmp(im->removal, "ignore") == 0) {
        return TS_OK;
    }
    for (size_t i = 0; i < im->items.cap; i++) {
        kyero_entry_t *e = &im->items.slots[i];
        if (e->key == NULL || (e->flags & (SEEN | WITHDRAWN))) {
            continue;
        }
        /* A listing the agency has closed itself (sold, rented, ...) keeps its status. */
        ts_db_result_t *st = ts_db_query(r, "SELECT status FROM properties WHERE tenant_id ="
                                            " {tenant} AND id = ? FOR UPDATE", "i", e->id);
        if (st == NULL) {
            return db_fail(im, "reading a withdrawn listing");
        }
        const char *from = ts_db_rows(st) ? ts_db_get(st, 0, "status") : NULL;
        bool closed = from == NULL || strcmp(from, "sold") == 0 || strcmp(from, "rented") == 0
                      || strcmp(from, "cancelled") == 0 || strcmp(from, "off_market") == 0
                      || strcmp(from, "removed_by_feed") == 0;
        if (!closed
            && (ts_db_exec(r, "UPDATE properties SET status = ? WHERE tenant_id = {tenant}"
                              " AND id = ?", "si", im->removal, e->id) != TS_OK
                || ts_db_exec(r, "INSERT INTO property_status_history (tenant_id, property_id,"
                                 " from_status, to_status, reason) VALUES ({tenant}, ?, ?, ?,"
                                 " 'gone from the feed')", "iss", e->id, from, im->removal)
                   != TS_OK
                || ts_db_exec(r, "UPDATE property_publications SET unpublished_at = NOW(),"
                                 " unpublish_reason = 'feed' WHERE tenant_id = {tenant}"
                                 " AND property_id = ? AND unpublished_at IS NULL", "i", e->id)
                   != TS_OK)) {
            return db_fail(im, "withdrawing a listing");
        }
        if (ts_db_exec(r, "UPDATE kyero_items SET feed_date = '', last_run_id = ?"
                          " WHERE tenant_id = {tenant} AND feed_id = ? AND source_id = ?", "iis",
                       im->run_id, im->feed_id, e->key) != TS_OK) {
            return db_fail(im, "marking a withdrawn listing");
        }
        im->withdrawn += !closed;
        if (!closed) {
            status_event(im, e->id, from, im->removal, "gone from the feed");
            cJSON *a = cJSON_CreateObject();
            cJSON_AddNumberToObject(a, "id", (double) e->id);
            cJSON *c = cJSON_AddObjectToObject(a, "changes");
            cJSON *st_change = cJSON_AddArrayToObject(c, "status");
            cJSON_AddItemToArray(st_change, cJSON_CreateString(from));
            cJSON_AddItemToArray(st_change, cJSON_CreateString(im->removal));
            cJSON_AddStringToObject(c, "source_feed", im->feed_key);
            cJSON_AddNumberToObject(c, "run_id", (double) im->run_id);
            cJSON_AddItemToArray(im->withdrawals, a);
        }
    }
    return ts_audit_batch(r, "property", "withdraw", im->withdrawals) == TS_OK ? TS_OK : db_fail(im, "logging the withdrawals");
}

static cJSON *
report_json(import_t *im, const char *status, const kyero_parse_result_t *pr, long long ms)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddNumberToObject(o, "run_id", (double) im->run_id);
    cJSON_AddNumberToObject(o, "feed_id", (double) im->feed_id);
    cJSON_AddStringToObject(o, "status", status);
    bool ok = strcmp(status, "ok") == 0;
    /* A failed run changed nothing, whatever it had counted before the failure. */
    cJSON_AddNumberToObject(o, "received", (double) im->received);
    cJSON_AddNumberToObject(o, "created", ok ? (double) im->created : 0);
    cJSON_AddNumberToObject(o, "updated", ok ? (double) im->updated : 0);
    cJSON_AddNumberToObject(o, "unchanged", ok ? (double) im->unchanged : 0);
    cJSON_AddNumberToObject(o, "withdrawn", ok ? (double) im->withdrawn : 0);
    cJSON_AddNumberToObject(o, "rejected", (double) im->rejected);
    cJSON *errors = cJSON_Duplicate(im->errors, 1);
    if (!ok && pr != NULL) {
        cJSON *e = cJSON_CreateObject();
        cJSON_AddStringToObject(e, "reason", pr->error[0] ? pr->error
                                : im->db_error ? im->db_error : "the run failed");
        cJSON_AddNumberToObject(e, "line", pr->line);
        cJSON_AddNumberToObject(e, "column", pr->column);
        cJSON_AddItemToObject(o, "error", cJSON_Duplicate(e, 1));
        cJSON_InsertItemInArray(errors, 0, e);
    } else {
        cJSON_AddNullToObject(o, "error");
    }
    cJSON_AddItemToObject(o, "errors", errors);
    cJSON_AddItemToObject(o, "conflicts", cJSON_Duplicate(im->conflicts, 1));
    cJSON_AddItemToObject(o, "unknown_types", cJSON_Duplicate(im->unknown_types, 1));
    cJSON_AddItemToObject(o, "unknown_elements", cJSON_Duplicate(im->unknown_elements, 1));
    cJSON_AddNumberToObject(o, "duration_ms", (double) ms);
    return o;
}

static int
run_finish(ts_request_t *r, int64_t run_id, cJSON *report)
{
    const cJSON *err = cJSON_GetObjectItemCaseSensitive(report, "error");
    const char *status = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(report, "status"));
    cJSON *detail = cJSON_CreateObject();
    const char *keys[] = { "errors", "conflicts", "unknown_types", "unknown_elements" };
    for (size_t i = 0; i < 4; i++) {
        cJSON_AddItemToObject(detail, keys[i],
                              cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(report, keys[i]), 1));
    }
#define N(k) ((int64_t) cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(report, k)))
    int rc = ts_db_exec(r, "UPDATE kyero_runs SET status = ?, received = ?, created = ?,"
                           " updated = ?, unchanged = ?, withdrawn = ?, rejected = ?, error = ?,"
                           " error_line = ?, error_column = ?, report = ?, finished_at = NOW(3),"
                           " duration_ms = ? WHERE tenant_id = {tenant} AND id = ?",
                        "siiiiiisiisii", status, N("received"), N("created"), N("updated"),
                        N("unchanged"), N("withdrawn"), N("rejected"),
                        cJSON_IsObject(err) ? cut(r, cJSON_GetStringValue(
                            cJSON_GetObjectItemCaseSensitive(err, "reason")), 500, 500) : NULL,
                        cJSON_IsObject(err) ? (int64_t) cJSON_GetNumberValue(
                            cJSON_GetObjectItemCaseSensitive(err, "line")) : 0,
                        cJSON_IsObject(err) ? (int64_t) cJSON_GetNumberValue(
                            cJSON_GetObjectItemCaseSensitive(err, "column")) : 0,
                        json_text(r, detail), N("duration_ms"), run_id);
#undef N
    cJSON_Delete(detail);
    if (rc == TS_OK) {
        rc = ts_db_exec(r, "UPDATE kyero_feeds SET last_run_id = ?,"
                           " failures = IF(? = 'failed', failures + 1, 0)"
                           " WHERE tenant_id = {tenant} AND id = (SELECT feed_id FROM kyero_runs"
                           " WHERE tenant_id = {tenant} AND id = ?)", "isi", run_id, status,
                        run_id);
    }
    return rc;
}

static void
lists_new(import_t *im)
{
    im->errors = cJSON_CreateArray();
    im->conflicts = cJSON_CreateArray();
    im->unknown_types = cJSON_CreateArray();
    im->unknown_elements = cJSON_CreateArray();
    im->touched = cJSON_CreateArray();
    im->withdrawals = cJSON_CreateArray();
}

static void
lists_free(import_t *im)
{
    cJSON_Delete(im->errors);
    cJSON_Delete(im->conflicts);
    cJSON_Delete(im->unknown_types);
    cJSON_Delete(im->unknown_elements);
    cJSON_Delete(im->touched);
    cJSON_Delete(im->withdrawals);
}

/* Completeness and photos are the properties plugin's: its jobs recount the listings the run
 * created or updated and fetch the photos it queued (and retry those that failed before),
 * queued in the run's transaction so they see the imported rows. */
static void
queue_followups(import_t *im)
{
    ts_request_t *r = im->r;
    if (cJSON_GetArraySize(im->touched) > 0) {
        cJSON *p = cJSON_CreateObject();
        cJSON_AddItemReferenceToObject(p, "ids", im->touched);
        if (ts_job_enqueue(r, "properties.completeness", p, 0) != TS_OK) {
            ts_log_warn("kyero: cannot queue the completeness recount");
        }
        cJSON_Delete(p);
    }
    ts_db_result_t *failed = im->photos_queued + im->photos_dropped > 0 ? NULL
        : ts_db_query(r, "SELECT 1 FROM property_media WHERE tenant_id = {tenant} AND"
                         " fetch_state = 'failed' LIMIT 1", "");
    if (im->photos_queued + im->photos_dropped > 0 || ts_db_rows(failed) > 0) {
        cJSON *p = cJSON_CreateObject();
        cJSON_AddTrueToObject(p, "retry");
        if (ts_job_enqueue(r, "properties.photo_fetch", p, 0) != TS_OK) {
            ts_log_warn("kyero: cannot queue the photo downloads");
        }
        cJSON_Delete(p);
    }
}

static int64_t
run_start(ts_request_t *r, int64_t feed_id, const char *source)
{
    if (ts_db_exec(r, "INSERT INTO kyero_runs (tenant_id, feed_id, source) VALUES ({tenant}, ?,"
                      " ?)", "is", feed_id, cut(r, source, 1000, 1000)) != TS_OK) {
        return 0;
    }
    return ts_db_insert_id(r);
}

int
kyero_run_log(ts_request_t *r, int64_t feed_id, const char *source, const char *status,
              const char *error, cJSON **report)
{
    import_t im = { .r = r, .feed_id = feed_id };
    im.run_id = run_start(r, feed_id, source);
    if (im.run_id == 0) {
        return TS_ERROR;
    }
    lists_new(&im);
    kyero_parse_result_t pr = { 0 };
    snprintf(pr.error, sizeof(pr.error), "%s", error ? error : "");
    *report = report_json(&im, status, &pr, 0);
    lists_free(&im);
    return run_finish(r, im.run_id, *report);
}

int
kyero_import_run(ts_request_t *r, int64_t feed_id, int fd, const char *source, cJSON **report)
{
    long long t0 = now_ms();
    import_t im = { .r = r, .feed_id = feed_id, .commission_bp = -1 };
    snprintf(im.feed_key, sizeof(im.feed_key), "kyero:%lld", (long long) feed_id);
    *report = NULL;
    im.run_id = run_start(r, feed_id, source);
    if (im.run_id == 0) {
        return TS_ERROR;
    }
    lists_new(&im);
    batch_new(&im);
    kyero_parse_result_t pr = { 0 };
    const char *status = "failed";
    if (ts_db_begin(r) != TS_OK) {
        db_fail(&im, "starting the transaction");
        goto finish;
    }
    /* The feed's row lock serialises two runs of one feed (a job and the CLI). */
    ts_db_result_t *feed = ts_db_query(r, "SELECT agent_id, commission_bp, removal FROM kyero_feeds"
                                          " WHERE tenant_id = {tenant} AND id = ? FOR UPDATE",
                                       "i", feed_id);
    if (feed == NULL || ts_db_rows(feed) != 1) {
        db_fail(&im, "reading the feed");
        goto finish;
    }
    im.agent_id = ts_db_get(feed, 0, "agent_id") ? ts_db_get_int(feed, 0, "agent_id") : 0;
    im.commission_bp = ts_db_get(feed, 0, "commission_bp")
                       ? ts_db_get_int(feed, 0, "commission_bp") : -1;
    snprintf(im.removal, sizeof(im.removal), "%s", ts_db_get(feed, 0, "removal"));
    /* Runs of this feed still 'running' died (kill -9): their work was rolled back. */
    ts_db_exec(r, "UPDATE kyero_runs SET status = 'failed', error = 'the run was interrupted',"
                  " finished_at = NOW(3) WHERE tenant_id = {tenant} AND feed_id = ?"
                  " AND status = 'running' AND id < ?", "ii", feed_id, im.run_id);
    if (load_maps(&im) != TS_OK) {
        goto finish;
    }
    int prc = kyero_parse_fd(fd, KYERO_MAX_FILE, on_property, &im, &pr);
    if (prc == 0 && batch_flush(&im) == TS_OK && withdraw_missing(&im) == TS_OK) {
        status = "ok";
    }
    if (im.db_failed) {
        snprintf(pr.error, sizeof(pr.error), "database error while %s", im.db_error);
    }
finish:
    *report = report_json(&im, status, &pr, now_ms() - t0);
    if (strcmp(status, "ok") == 0) {
        cJSON *ev = cJSON_CreateObject();
        cJSON_AddNumberToObject(ev, "feed_id", (double) feed_id);
        cJSON_AddNumberToObject(ev, "run_id", (double) im.run_id);
        ts_event_emit(r, "kyero.imported", ev);
        ts_audit(r, "kyero_feed", feed_id, "import", *report);
        queue_followups(&im);

        if (run_finish(r, im.run_id, *report) != TS_OK || ts_db_commit(r) != TS_OK) {
            ts_db_rollback(r);
            cJSON_ReplaceItemInObjectCaseSensitive(*report, "status", cJSON_CreateString("failed"));
            run_finish(r, im.run_id, *report);
        }
    } else {
        ts_db_rollback(r);
        run_finish(r, im.run_id, *report);
    }
    batch_free(&im);
    lists_free(&im);
    kyero_map_free(&im.items);
    kyero_map_free(&im.refs);
    kyero_map_free(&im.types);
    kyero_map_free(&im.features);
    return TS_OK;
}
