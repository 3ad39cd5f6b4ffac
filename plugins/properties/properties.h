/* What the properties plugin's files share: the field table, the status
 * rules and the helpers every handler uses. */
#ifndef PROPERTIES_H
#define PROPERTIES_H

#include <stdbool.h>
#include <tesoro/plugin.h>

/* The writable columns of `properties`, named as in the JSON. X(name, kind,
 * min, max, maxlen): kind is one of the F_* below; min/max bound numbers,
 * maxlen bounds strings. The order is the order of every INSERT and UPDATE. */
#define PROPERTIES_FIELDS(X) \
    X(ref, F_STR, 0, 0, 64) \
    X(type, F_TYPE, 0, 0, 32) \
    X(transaction, F_TRANSACTION, 0, 0, 0) \
    X(price, F_INT, 0, 10000000000000LL, 0) \
    X(currency, F_CURRENCY, 0, 0, 3) \
    X(price_period, F_PERIOD, 0, 0, 0) \
    X(address, F_STR, 0, 0, 255) \
    X(hide_address, F_BOOL, 0, 1, 0) \
    X(town, F_STR, 0, 0, 100) \
    X(area, F_STR, 0, 0, 100) \
    X(province, F_STR, 0, 0, 100) \
    X(country, F_COUNTRY, 0, 0, 2) \
    X(postal_code, F_STR, 0, 0, 16) \
    X(latitude, F_DEC, -90, 90, 0) \
    X(longitude, F_DEC, -180, 180, 0) \
    X(beds, F_INT, 0, 1000, 0) \
    X(baths, F_INT, 0, 1000, 0) \
    X(built_area, F_INT, 0, 100000000, 0) \
    X(plot_area, F_INT, 0, 100000000, 0) \
    X(terrace_area, F_INT, 0, 100000000, 0) \
    X(floor, F_STR, 0, 0, 16) \
    X(year_built, F_INT, 1000, 2100, 0) \
    X(energy_consumption, F_ENERGY, 0, 0, 1) \
    X(energy_emissions, F_ENERGY, 0, 0, 1) \
    X(energy_consumption_value, F_DEC, 0, 999999, 0) \
    X(energy_emissions_value, F_DEC, 0, 999999, 0) \
    X(owner_id, F_OWNER, 1, 0, 0) \
    X(agent_id, F_AGENT, 1, 0, 0) \
    X(display_on_website, F_BOOL, 0, 1, 0) \
    X(new_build, F_BOOL, 0, 1, 0) \
    X(project_id, F_PROJECT, 1, 0, 0) \
    X(typology_id, F_TYPOLOGY, 1, 0, 0) \
    X(commission_bp, F_INT, 0, 10000, 0) \
    X(commission_amount, F_INT, 0, 10000000000000LL, 0) \
    X(video_url, F_URL, 0, 0, 500) \
    X(virtual_tour_url, F_URL, 0, 0, 500) \
    X(notes, F_STR, 0, 0, 10000) \
    X(custom, F_OBJECT, 0, 0, 65535) \
    X(source_feed, F_STR, 0, 0, 64) \
    X(source_id, F_STR, 0, 0, 100)

typedef enum {
    F_STR, F_INT, F_DEC, F_BOOL, F_URL, F_OBJECT, F_TYPE, F_TRANSACTION, F_PERIOD,
    F_CURRENCY, F_COUNTRY, F_ENERGY, F_OWNER, F_AGENT, F_PROJECT, F_TYPOLOGY
} properties_kind_t;

typedef struct {
    const char        *name;
    properties_kind_t  kind;
    long long          min, max;
    int                maxlen;
} properties_field_t;

#define PROPERTIES_ENUM(n, k, lo, hi, len) PF_##n,
enum { PROPERTIES_FIELDS(PROPERTIES_ENUM) PF_COUNT };
#undef PROPERTIES_ENUM

extern const properties_field_t properties_fields[PF_COUNT];

/* All writable values of one property as SQL text (NULL is NULL). */
typedef struct {
    const char *v[PF_COUNT];
} properties_values_t;

/* The statuses of the issue, and which of them may be on a portal or site. */
extern const char *const properties_statuses[];
bool properties_status_valid(const char *s);
bool properties_status_publishable(const char *s);   /* may stay in an outgoing feed */
bool properties_status_on_website(const char *s);

/* properties_fields.c */
int  properties_values_from_row(ts_request_t *r, const ts_db_result_t *res, size_t row,
                                properties_values_t *out);
int  properties_values_apply(ts_request_t *r, const cJSON *in, properties_values_t *vals,
                             cJSON *errors);
void properties_value_json(cJSON *o, const properties_field_t *f, const char *v);
cJSON *properties_row_json(ts_request_t *r, const ts_db_result_t *res, size_t row);
int  properties_insert(ts_request_t *r, const properties_values_t *vals, const char *status,
                       int64_t *id);
int  properties_update(ts_request_t *r, int64_t id, const properties_values_t *vals);
extern const char *properties_select_columns;   /* "p.id, p.ref, ..." for every read */

/* properties_related.c: features, descriptions and labels of one property. */
int  properties_related_validate(ts_request_t *r, const cJSON *in, cJSON *errors);
int  properties_related_save(ts_request_t *r, int64_t id, const cJSON *in);
int  properties_related_json(ts_request_t *r, int64_t id, cJSON *o);

/* properties_settings.c */
typedef struct {
    const char *ref_prefix, *ref_suffix, *languages, *map_tile_url;
    long long   ref_next;
    int         ref_padding, enforce_transitions, auto_depublish, match_tolerance_pct,
                min_photos;
} properties_settings_t;
int properties_settings_get(ts_request_t *r, properties_settings_t *s, bool for_update);
int properties_ref_next(ts_request_t *r, const char **ref);    /* inside a transaction */
cJSON *properties_features_catalog(ts_request_t *r);         /* owned by the caller */

/* properties_status.c */
/* deal.stage_changed of the deals plugin: a won sale's primary property
 * becomes sold (properties_deals.c). */
void properties_on_deal_stage(ts_request_t *r, const char *event, const cJSON *payload);
void properties_on_deal_created(ts_request_t *r, const char *event, const cJSON *payload);
int properties_status_change(ts_request_t *r, int64_t id, const char *from, const char *to,
                             const char *reason, const char **refusal);
int properties_history_add(ts_request_t *r, int64_t id, const char *from, const char *to,
                           const char *reason);
int properties_timeline_note(ts_request_t *r, int64_t id, const char *subject,
                             const char *body);

/* properties_publications.c */
int properties_publications_end(ts_request_t *r, int64_t id, const char *why,
                                cJSON *ended);

/* properties_complete.c: the completeness score and what is missing. */
int properties_completeness_update(ts_request_t *r, int64_t id);

/* properties_access.c: the record (404 when not the tenant's or deleted),
 * and whether the caller may change it. */
ts_db_result_t *properties_load(ts_request_t *r, int64_t id, bool with_deleted);
int  properties_id_param(ts_request_t *r, int64_t *id);
int  properties_target(ts_request_t *r, bool edit, int64_t *id, ts_db_result_t **res);
bool properties_may_edit(ts_request_t *r, const ts_db_result_t *res);
int  properties_refuse_edit(ts_request_t *r);
int  properties_validation_error(ts_request_t *r, cJSON *errors);
cJSON *properties_one_error(const char *field, const char *message);
void properties_csv_field(ts_request_t *r, cJSON *o, const char *name);

cJSON *properties_record_json(ts_request_t *r, int64_t id, bool with_deleted);
int  properties_soft_delete(ts_request_t *r, int64_t id);
int  properties_filter_ids(ts_request_t *r, const cJSON *filter, int64_t **ids, size_t *n,
                           size_t max, cJSON *errors);
int  properties_media_json(ts_request_t *r, int64_t id, cJSON *o);
void properties_media_remove_files(ts_request_t *r, const cJSON *names);
int  properties_media_send(ts_request_t *r, int64_t mid, const char *variant, bool public_only);
int  properties_media_send_stored(ts_request_t *r, const char *kind, const char *name,
                                  const char *mime, const char *orig, const char *variant);
cJSON *properties_media_item(ts_request_t *r, const ts_db_result_t *res, size_t i,
                             const char *base);
/* An uploaded file checked and stored (properties_media.c); see there. */
typedef struct {
    const char *kind, *name, *mime, *original_name, *captions;
    int64_t     size;
    int         width, height;
} properties_stored_t;
int  properties_media_store(ts_request_t *r, const char *kind, properties_stored_t *st);
void properties_media_remove_name(ts_request_t *r, const char *name);
int  properties_completeness_job(ts_request_t *r, const cJSON *payload, const char **err);
const char *properties_photo_store(ts_request_t *r, const char *path, size_t size, char name[33],
                                   int *width, int *height);
/* properties_photo_fetch.c: feed photos (rows with a source_url) fetched into media. */
int  properties_photo_fetch_job(ts_request_t *r, const cJSON *payload, const char **err);

/* properties_where.c: a WHERE of fixed fragments and its bound values. */
#define PROPERTIES_MAXP 48
typedef struct {
    char        sql[4096];
    size_t      len;
    const char *args[PROPERTIES_MAXP];
    int         n;
} properties_where_t;
void properties_where_add(properties_where_t *w, const char *frag, int nargs, const char *arg);
const char *properties_in_list(ts_request_t *r, properties_where_t *w, const char *col,
                               const char *csv, int max);
void properties_where_in(ts_request_t *r, properties_where_t *w, const char *col, const char *csv,
                         int max);
ts_db_result_t *properties_where_run(ts_request_t *r, const char *sql, properties_where_t *w);

/* A file beside the plugin (its own modules). */
const char *properties_module_path(const char *file);

typedef struct {
    cJSON      *items;          /* owned by the caller */
    const char *next;
    long long   total;
    const char *sort;
    bool        desc;
} properties_page_t;
int properties_list_query(ts_request_t *r, properties_page_t *pg);
/* A saved view's filters and sort, for POST /api/v1/views (ts_view_check_fn_t). */
void properties_view_check(ts_request_t *r, const cJSON *filters, const char *sort, cJSON **fields);
int properties_lead_matches_json(ts_request_t *r, int64_t lead, cJSON **out);
int properties_property_matches_json(ts_request_t *r, int64_t id, cJSON **out);

/* Handlers, by file. */
int properties_list(ts_request_t *r);
int properties_map_points(ts_request_t *r);
int properties_batch(ts_request_t *r);
int properties_media_add(ts_request_t *r);
int properties_media_list(ts_request_t *r);
int properties_media_patch(ts_request_t *r);
int properties_media_order(ts_request_t *r);
int properties_media_delete(ts_request_t *r);
int properties_media_file(ts_request_t *r);
int properties_publications_list(ts_request_t *r);
int properties_publication_put(ts_request_t *r);
int properties_publication_delete(ts_request_t *r);
int properties_portals_list(ts_request_t *r);
int properties_portal_add(ts_request_t *r);
int properties_mls_check(ts_request_t *r);
int properties_mls_depublish(ts_request_t *r);
int properties_page_list(ts_request_t *r);
int properties_page_map(ts_request_t *r);
int properties_page_form(ts_request_t *r);
int properties_page_show(ts_request_t *r);
int properties_page_mls(ts_request_t *r);
int properties_page_lead_matches(ts_request_t *r);
int properties_lead_matches(ts_request_t *r);
int properties_project_list(ts_request_t *r);
int properties_project_create(ts_request_t *r);
int properties_project_show(ts_request_t *r);
int properties_typology_create(ts_request_t *r);
int properties_project_patch(ts_request_t *r);
int properties_project_delete(ts_request_t *r);
cJSON *properties_project_json(ts_request_t *r, int64_t id);   /* NULL: none (or failed) */
void properties_tpl_fields(ts_request_t *r, ts_tpl_dict_t *d, const cJSON *o);
const char *properties_tpl_money(ts_request_t *r, const cJSON *price, const cJSON *currency);
void properties_tpl_types(ts_request_t *r, ts_tpl_dict_t *d, const char *section, const char *current);
void properties_form_project(ts_request_t *r, ts_tpl_dict_t *d, const cJSON *p);
void properties_list_project(ts_request_t *r, ts_tpl_dict_t *d);
int properties_tpl_langs(ts_request_t *r, ts_tpl_dict_t *d, const cJSON *descs);
ts_db_result_t *properties_projects_rows(ts_request_t *r);
static inline const char *
properties_jstr(const cJSON *o, const char *k)
{
    return cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, k));
}
int properties_typology_patch(ts_request_t *r);
int properties_typology_delete(ts_request_t *r);
int properties_page_projects(ts_request_t *r);
int properties_page_project(ts_request_t *r);
int properties_page_project_form(ts_request_t *r);
int properties_duplicate(ts_request_t *r);
int properties_project_files_list(ts_request_t *r);
int properties_project_file_add(ts_request_t *r);
int properties_project_file_get(ts_request_t *r);
int properties_project_file_delete(ts_request_t *r);
int properties_project_files_json(ts_request_t *r, int64_t pid, cJSON *o);
int properties_project_param(ts_request_t *r, int64_t *id);   /* {pid}: TS_OK or 404 answered */
int properties_public_list(ts_request_t *r);
int properties_public_show(ts_request_t *r);
int properties_public_jsonld(ts_request_t *r);
int properties_public_view(ts_request_t *r);
int properties_public_media(ts_request_t *r);
int properties_public_page(ts_request_t *r);
int properties_property_matches(ts_request_t *r);
int properties_match_dismiss(ts_request_t *r);
int properties_new_matches(ts_request_t *r);
int properties_new_matches_seen(ts_request_t *r);
void properties_on_status(ts_request_t *r, const char *event, const cJSON *payload);
void properties_on_update(ts_request_t *r, const char *event, const cJSON *payload);
int properties_create(ts_request_t *r);
int properties_show(ts_request_t *r);
int properties_patch(ts_request_t *r);
int properties_delete_one(ts_request_t *r);
int properties_history(ts_request_t *r);
int properties_settings_show(ts_request_t *r);
int properties_settings_put(ts_request_t *r);
int properties_types_list(ts_request_t *r);
int properties_features_list(ts_request_t *r);
int properties_features_put(ts_request_t *r);
int properties_transitions_list(ts_request_t *r);
int properties_transitions_put(ts_request_t *r);

#endif
