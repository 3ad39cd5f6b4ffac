/* The CSV import of leads, contacts and relations: what its files share
 * (the upload, the preview, the job, the API and the wizard pages). */
#ifndef CONTACTS_IMPORT_H
#define CONTACTS_IMPORT_H

#include <stdbool.h>
#include <stdio.h>
#include <tesoro/plugin.h>
#include "contacts_import_csv.h"
#include "contacts_import_fields.h"

/* Rows per committed batch of the job, and per duplicate lookup. */
#define CONTACTS_IMPORT_BATCH 500
/* Invalid rows a preview lists (it counts them all). */
#define CONTACTS_IMPORT_MAX_ERRORS 1000

typedef enum { DUP_SKIP, DUP_UPDATE, DUP_CREATE } contacts_dup_mode_t;

/* Registers the routes, pages and job kind of the import. */
int contacts_import_routes(ts_plugin_ctx_t *ctx);
int contacts_import_ui_routes(ts_plugin_ctx_t *ctx);
int contacts_import_job_register(ts_plugin_ctx_t *ctx);

/* The import's row (every column of contacts_imports), NULL on a database
 * error; 0 rows when no such import in this tenant. */
ts_db_result_t *contacts_import_load(ts_request_t *r, int64_t id);
/* Agents see the imports they started, unless the tenant lets them see all
 * records: an import's samples and report show the rows it holds. */
bool contacts_import_visible(ts_request_t *r, const ts_db_result_t *imp);
/* For lists: the user id whose imports only are shown, or 0 for all. */
int64_t contacts_import_owner_filter(ts_request_t *r);
/* Its file opened for reading (a stored file or the content kept in the row). */
FILE *contacts_import_fopen(const ts_db_result_t *imp);
int contacts_import_format(const ts_db_result_t *imp, contacts_csv_format_t *f);

/* An upload becomes an import: 201 with its JSON, or 422 naming the field. */
int contacts_import_create(ts_request_t *r, const char *kind, const ts_part_t *part,
                           int64_t *id_out, cJSON **err_fields);
/* The import as the API shows it (with the first rows as samples when asked). */
cJSON *contacts_import_json(ts_request_t *r, const ts_db_result_t *imp, int samples);

/* The mapping to use: the given JSON, a saved one (mapping_id), or the stored one.
 * 0 with *m filled, else 422 with *err_fields set. */
int contacts_import_mapping(ts_request_t *r, const ts_db_result_t *imp, const cJSON *given,
                            int64_t mapping_id, contacts_import_map_t *m, cJSON **err_fields);
int contacts_import_dup_mode(const char *s);                 /* -1 when unknown */
/* Whether key K (a normalised email or phone) is among the rows (column "k")
 * of a batch's duplicate lookup. */
bool contacts_import_key_known(const ts_db_result_t *res, const char *k);
const char *contacts_import_dup_name(contacts_dup_mode_t d);

/* Validates every row, saves nothing: {"rows","valid","invalid","duplicates","errors"}. */
cJSON *contacts_import_preview(ts_request_t *r, const ts_db_result_t *imp,
                               const contacts_import_map_t *m, contacts_dup_mode_t dup);
/* Stores the mapping and the duplicate rule, and queues the job: 0, or 409
 * when the import is already queued or running. A failed import (or one
 * whose job died) resumes. */
int contacts_import_start(ts_request_t *r, const ts_db_result_t *imp,
                          const contacts_import_map_t *m, contacts_dup_mode_t dup);
/* The mapping as JSON {column: field or null}. */
cJSON *contacts_import_map_json(const contacts_import_map_t *m, const cJSON *columns);

/* Answers the report as a CSV download (formula-looking cells prefixed with '). */
int contacts_import_send_report(ts_request_t *r, const ts_db_result_t *imp);

#endif
