/* Helpers the deals pages share (deals_ui.c). */
#ifndef DEALS_UI_H
#define DEALS_UI_H

#include "deals.h"

const char *deals_money(ts_request_t *r, double minor, const char *currency);
const char *deals_urlenc(ts_request_t *r, const char *s);
const char *deals_stage_label(ts_request_t *r, const char *pipeline, const char *stage);
/* A number of a JSON the plugin built: a cJSON number, or digits kept raw
 * (the board's cards). */
double deals_json_number(const cJSON *v);
void deals_tpl_json(ts_tpl_dict_t *d, const char *key, const cJSON *o, const char *name);
void deals_tpl_errors(ts_request_t *r, ts_tpl_dict_t *d, const cJSON *fields);
int  deals_page_error(ts_request_t *r, int status, const char *message);

int deals_page_board(ts_request_t *r);
int deals_page_list(ts_request_t *r);
/* The list page for the request's query, with a notice or the fields' errors. */
int deals_list_render(ts_request_t *r, int status, const char *notice, const cJSON *errors);
int deals_page_save_view(ts_request_t *r);
int deals_page_batch(ts_request_t *r);
int deals_page_settings(ts_request_t *r);
int deals_page_settings_save(ts_request_t *r);
int deals_page_new(ts_request_t *r);
int deals_page_create(ts_request_t *r);
int deals_page_show(ts_request_t *r);
/* The deal page's matching properties (buy and rent deals only), in d. */
int deals_page_matches(ts_request_t *r, ts_tpl_dict_t *d, const cJSON *deal);
int deals_page_link_property(ts_request_t *r);
int deals_page_stage(ts_request_t *r);
int deals_page_custom(ts_request_t *r);
int deals_page_outcome(ts_request_t *r, int rc, int64_t id, cJSON *fields);   /* takes fields */
int deals_page_patch(ts_request_t *r, int64_t id, const char *key, cJSON *value);  /* takes value */
int deals_page_dashboard(ts_request_t *r);
int deals_page_activity(ts_request_t *r);

#endif
