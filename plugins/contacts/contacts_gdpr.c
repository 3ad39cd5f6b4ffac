/* GDPR: everything held about one person (JSON, and the card as vCard 4.0),
 * erasure (anonymised, aggregates kept, recorded) and the consent log. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "contacts.h"

static bool
person_of_path(ts_request_t *r, int64_t *id, contacts_kind_t *kind)
{
    *kind = contacts_kind_of_path(r);
    return ts_req_param_id(r, "id", id) == TS_OK && contacts_record_visible(r, *kind, *id);
}

static cJSON *
rows(ts_request_t *r, ts_db_result_t *res)
{
    return res ? ts_db_rows_json(r, res) : cJSON_CreateArray();
}

static int
gdpr_export(ts_request_t *r)
{
    int64_t id;
    contacts_kind_t kind;
    if (!person_of_path(r, &id, &kind)) {
        return ts_resp_error(r, 404, "not_found", "no such record", NULL);
    }
    cJSON *d = cJSON_CreateObject();
    cJSON_AddItemToObject(d, "record", contacts_record_json(r, kind, id));
    cJSON_AddItemToObject(d, "activities", rows(r, ts_db_query(r,
        "SELECT id, kind, direction, subject, body, starts_at, duration_min, due_at, remind_at, done_at,"
        " created_at FROM activities WHERE tenant_id = {tenant} AND entity = 'contact' AND entity_id = ?"
        " AND deleted_at IS NULL ORDER BY id", "i", id)));
    cJSON_AddItemToObject(d, "consent_log", rows(r, ts_db_query(r,
        "SELECT purpose, granted, source, created_at FROM contact_consents WHERE tenant_id = {tenant}"
        " AND contact_id = ? ORDER BY id", "i", id)));
    cJSON_AddItemToObject(d, "relations", rows(r, ts_db_query(r,
        "SELECT rp.relation_id, rl.name, rp.`function` FROM relation_persons rp JOIN relations rl ON"
        " rl.tenant_id = rp.tenant_id AND rl.id = rp.relation_id WHERE rp.tenant_id = {tenant} AND"
        " rp.contact_id = ? ORDER BY rp.relation_id", "i", id)));
    ts_db_result_t *audit = ts_db_query(r, "SELECT action, changes, user_id, created_at FROM audit_log"
                                           " WHERE tenant_id = {tenant} AND entity = 'contact' AND"
                                           " entity_id = ? ORDER BY id", "i", id);
    cJSON *hist = cJSON_AddArrayToObject(d, "history");
    for (size_t i = 0; i < ts_db_rows(audit); i++) {
        cJSON *o = ts_db_row_json(r, audit, i);
        const char *ch = ts_db_get(audit, i, "changes");
        cJSON *cj = ch ? cJSON_Parse(ch) : NULL;
        cJSON_ReplaceItemInObjectCaseSensitive(o, "changes", cj ? cj : cJSON_CreateNull());
        cJSON_AddItemToArray(hist, o);
    }
    ts_db_result_t *now = ts_db_query(r, "SELECT UTC_TIMESTAMP() AS t FROM contacts WHERE"
                                         " tenant_id = {tenant} LIMIT 1", "");
    const char *t = ts_db_get(now, 0, "t");
    cJSON_AddStringToObject(d, "exported_at", t ? ts_psprintf(r->pool, "%.10sT%.8sZ", t, t + 11) : "");
    cJSON_AddStringToObject(d, "agency", r->tenant->name);
    if (ts_audit(r, "contact", id, "gdpr_export", NULL) != TS_OK) {
        cJSON_Delete(d);
        return TS_ERROR;
    }
    ts_resp_header(r, "Content-Disposition",
                   ts_psprintf(r->pool, "attachment; filename=\"person-%lld.json\"", (long long) id));
    return ts_resp_data(r, 200, d);
}

/* RFC 6350 text value: backslash, comma, semicolon and newlines escaped. */
static void
vc_text(FILE *f, const char *s)
{
    for (; s && *s; s++) {
        if (*s == '\\' || *s == ',' || *s == ';') {
            fputc('\\', f);
            fputc(*s, f);
        } else if (*s == '\n') {
            fputs("\\n", f);
        } else if (*s != '\r') {
            fputc(*s, f);
        }
    }
}

/* Lines longer than 75 octets are folded (CRLF and a space), never inside a UTF-8 sequence. */
static void
vc_fold(FILE *out, const char *line, size_t len)
{
    size_t col = 0;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char) line[i];
        if (col >= 74 && (c & 0xC0) != 0x80) {
            fputs("\r\n ", out);
            col = 1;
        }
        fputc(c, out);
        col++;
    }
    fputs("\r\n", out);
}

static void
vc_line(FILE *out, ts_pool_t *p, const char *name, const char *value, bool raw)
{
    (void) p;
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    if (f == NULL) {
        return;
    }
    fputs(name, f);
    fputc(':', f);
    if (raw) {
        fputs(value, f);
    } else {
        vc_text(f, value);
    }
    fclose(f);
    vc_fold(out, buf, len);
    free(buf);
}

static int
vcard(ts_request_t *r)
{
    int64_t id;
    contacts_kind_t kind;
    if (!person_of_path(r, &id, &kind)) {
        return ts_resp_error(r, 404, "not_found", "no such record", NULL);
    }
    ts_pool_t *p = r->pool;
    cJSON *c = contacts_record_json(r, kind, id);
    if (c == NULL) {
        return TS_ERROR;
    }
    ts_pool_cleanup_add(p, (void (*)(void *)) cJSON_Delete, c);
    const char *fn = contacts_json_str(c, "first_name"), *ln = contacts_json_str(c, "last_name");
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    if (f == NULL) {
        return TS_ERROR;
    }
    fputs("BEGIN:VCARD\r\nVERSION:4.0\r\n", f);
    char *full = ts_psprintf(p, "%s%s%s", fn ? fn : "", fn && *fn && ln && *ln ? " " : "", ln ? ln : "");
    if (*full == '\0' && contacts_json_str(c, "company")) {
        full = ts_pstrdup(p, contacts_json_str(c, "company"));
    }
    vc_line(f, p, "FN", full, false);
    /* N: family;given;additional;prefixes;suffixes, each part escaped on its own */
    char *n = NULL;
    size_t nlen = 0;
    FILE *nf = open_memstream(&n, &nlen);
    if (nf) {
        vc_text(nf, ln);
        fputc(';', nf);
        vc_text(nf, fn);
        fputs(";;", nf);
        vc_text(nf, contacts_json_str(c, "salutation"));
        fputc(';', nf);
        fclose(nf);
        vc_line(f, p, "N", n, true);
        free(n);
    }
    if (contacts_json_str(c, "email")) {
        vc_line(f, p, "EMAIL;PREF=1", contacts_json_str(c, "email"), false);
    }
    if (contacts_json_str(c, "phone")) {
        vc_line(f, p, "TEL;VALUE=uri;PREF=1", ts_psprintf(p, "tel:%s", contacts_json_str(c, "phone")), true);
    }
    const cJSON *e;
    cJSON_ArrayForEach(e, cJSON_GetObjectItemCaseSensitive(c, "emails")) {
        vc_line(f, p, "EMAIL", contacts_json_str(e, "value"), false);
    }
    cJSON_ArrayForEach(e, cJSON_GetObjectItemCaseSensitive(c, "phones")) {
        vc_line(f, p, "TEL;VALUE=uri", ts_psprintf(p, "tel:%s", contacts_json_str(e, "value")), true);
    }
    if (contacts_json_str(c, "company")) {
        vc_line(f, p, "ORG", contacts_json_str(c, "company"), false);
    }
    if (contacts_json_str(c, "job_title")) {
        vc_line(f, p, "TITLE", contacts_json_str(c, "job_title"), false);
    }
    const char *bday = contacts_json_str(c, "birthday");
    if (bday && strlen(bday) == 10) {
        vc_line(f, p, "BDAY", ts_psprintf(p, "%.4s%.2s%.2s", bday, bday + 5, bday + 8), true);
    }
    if (contacts_json_str(c, "language")) {
        vc_line(f, p, "LANG", contacts_json_str(c, "language"), false);
    }
    cJSON_ArrayForEach(e, cJSON_GetObjectItemCaseSensitive(c, "addresses")) {
        char *a = NULL;
        size_t alen = 0;
        FILE *af = open_memstream(&a, &alen);
        if (af == NULL) {
            continue;
        }
        fputs(";;", af);
        static const char *const parts[] = { "street", "city", "province", "postal_code", "country" };
        for (int i = 0; i < 5; i++) {
            vc_text(af, contacts_json_str(e, parts[i]));
            if (i < 4) {
                fputc(';', af);
            }
        }
        fclose(af);
        const cJSON *lat = cJSON_GetObjectItemCaseSensitive(e, "latitude");
        const cJSON *lon = cJSON_GetObjectItemCaseSensitive(e, "longitude");
        const char *name = cJSON_IsNumber(lat) && cJSON_IsNumber(lon)
            ? ts_psprintf(p, "ADR;GEO=\"geo:%.6f,%.6f\"", lat->valuedouble, lon->valuedouble) : "ADR";
        vc_line(f, p, name, a, true);
        free(a);
    }
    vc_line(f, p, "UID", ts_psprintf(p, "urn:tesoro:%s:contact:%lld", r->tenant->slug, (long long) id), true);
    const char *upd = contacts_json_str(c, "updated_at");
    if (upd && strlen(upd) == 20) {
        vc_line(f, p, "REV", ts_psprintf(p, "%.4s%.2s%.2sT%.2s%.2s%.2sZ", upd, upd + 5, upd + 8, upd + 11,
                                         upd + 14, upd + 17), true);
    }
    fputs("END:VCARD\r\n", f);
    if (fclose(f) != 0) {
        free(buf);
        return TS_ERROR;
    }
    ts_pool_cleanup_add(p, free, buf);
    ts_resp_header(r, "Content-Disposition",
                   ts_psprintf(p, "attachment; filename=\"contact-%lld.vcf\"", (long long) id));
    return ts_resp_body(r, 200, "text/vcard; charset=utf-8", buf, len);
}

/* Personal fields are emptied; status, source, stage, budgets, scores and
 * dates stay for the agency's statistics. */
int
contacts_erase(ts_request_t *r, int64_t id)
{
    static const char *const steps[] = {
        "UPDATE contacts SET first_name = '', last_name = 'Erased', salutation = NULL, email = NULL,"
        " email_norm = NULL, phone = NULL, phone_norm = NULL, company = NULL, job_title = NULL,"
        " nationality = NULL, id_document_type = NULL, id_document_number = NULL, birthday = NULL,"
        " website = NULL, notes = NULL, communication = NULL, custom = NULL, score_reasons = NULL,"
        " source_portal = NULL, timeframe = NULL, move_in_date = NULL, erased_at = UTC_TIMESTAMP(),"
        " updated_by = ? WHERE tenant_id = {tenant} AND id = ?",
        "DELETE FROM contact_channels WHERE tenant_id = {tenant} AND contact_id = ? AND ? > 0",
        "DELETE FROM contact_addresses WHERE tenant_id = {tenant} AND contact_id = ? AND ? > 0",
        "DELETE FROM relation_persons WHERE tenant_id = {tenant} AND contact_id = ? AND ? > 0",
        "UPDATE activities SET subject = '(erased)', body = NULL WHERE tenant_id = {tenant} AND"
        " entity = 'contact' AND entity_id = ? AND ? > 0",
        /* The history held old and new values: keep who and when, drop what. */
        "UPDATE audit_log SET changes = NULL WHERE tenant_id = {tenant} AND entity = 'contact' AND"
        " entity_id = ? AND ? > 0",
        NULL };
    int rc = TS_OK;
    for (int i = 0; steps[i] && rc == TS_OK; i++) {
        rc = i == 0 ? ts_db_exec(r, steps[i], "ii", r->user->id, id) : ts_db_exec(r, steps[i], "ii", id, id);
    }
    if (rc == TS_OK) {
        rc = contacts_system_activity(r, "contact", id, "Personal data erased on request");
    }
    if (rc == TS_OK) {
        rc = ts_audit(r, "contact", id, "gdpr_erase", NULL);
    }
    if (rc == TS_OK) {
        cJSON *ev = cJSON_CreateObject();
        cJSON_AddNumberToObject(ev, "id", (double) id);
        ts_event_emit(r, "contact.erased", ev);
    }
    return rc;
}

static int
erase(ts_request_t *r)
{
    int64_t id;
    contacts_kind_t kind;
    if (!person_of_path(r, &id, &kind)) {
        return ts_resp_error(r, 404, "not_found", "no such record", NULL);
    }
    if (ts_db_begin(r) != TS_OK) {
        return TS_ERROR;
    }
    if (contacts_erase(r, id) != TS_OK) {
        ts_db_rollback(r);
        return TS_ERROR;
    }
    if (ts_db_commit(r) != TS_OK) {
        return TS_ERROR;
    }
    cJSON *rec = contacts_record_json(r, kind, id);
    return rec ? ts_resp_data(r, 200, rec) : TS_ERROR;
}

static int
consents_index(ts_request_t *r)
{
    int64_t id;
    contacts_kind_t kind;
    if (!person_of_path(r, &id, &kind)) {
        return ts_resp_error(r, 404, "not_found", "no such record", NULL);
    }
    ts_db_result_t *res = ts_db_query(r, "SELECT id, purpose, granted, source, user_id, created_at"
                                         " FROM contact_consents WHERE tenant_id = {tenant} AND"
                                         " contact_id = ? ORDER BY id DESC LIMIT 500", "i", id);
    if (res == NULL) {
        return TS_ERROR;
    }
    cJSON *a = cJSON_CreateArray();
    for (size_t i = 0; i < ts_db_rows(res); i++) {
        cJSON *o = ts_db_row_json(r, res, i);
        cJSON_ReplaceItemInObjectCaseSensitive(o, "granted", cJSON_CreateBool(ts_db_get_int(res, i, "granted")));
        cJSON_AddItemToArray(a, o);
    }
    return ts_resp_list(r, a, NULL, (long long) ts_db_rows(res));
}

static int
consents_add(ts_request_t *r)
{
    int64_t id;
    contacts_kind_t kind;
    if (!person_of_path(r, &id, &kind)) {
        return ts_resp_error(r, 404, "not_found", "no such record", NULL);
    }
    const cJSON *in = ts_req_json(r);
    const char *purpose = contacts_json_str(in, "purpose"), *source = contacts_json_str(in, "source");
    const cJSON *granted = cJSON_GetObjectItemCaseSensitive(in, "granted");
    cJSON *fields = NULL;
    if (purpose == NULL || *purpose == '\0' || strlen(purpose) > 64 || !contacts_text_ok(purpose, false)) {
        contacts_field_error(&fields, "purpose", "required, at most 64 characters");
    }
    if (!cJSON_IsBool(granted)) {
        contacts_field_error(&fields, "granted", "true or false");
    }
    if (source == NULL || *source == '\0' || strlen(source) > 100 || !contacts_text_ok(source, false)) {
        contacts_field_error(&fields, "source", "where the consent was given or withdrawn (at most 100 characters)");
    }
    if (fields) {
        return contacts_validation_error(r, fields);
    }
    cJSON *ch = cJSON_CreateObject();
    cJSON_AddItemToObject(ch, ts_psprintf(r->pool, "consents.%s", purpose), cJSON_CreateBool(cJSON_IsTrue(granted)));
    int rc = ts_db_begin(r);
    if (rc == TS_OK) {
        rc = contacts_consent_log(r, id, purpose, cJSON_IsTrue(granted), source, false);
    }
    if (rc == TS_OK) {
        rc = ts_audit(r, "contact", id, "consent", ch);
    }
    cJSON_Delete(ch);
    if (rc != TS_OK || ts_db_commit(r) != TS_OK) {
        ts_db_rollback(r);
        return TS_ERROR;
    }
    return consents_index(r);
}

int
contacts_gdpr_routes(ts_plugin_ctx_t *ctx)
{
    if (contacts_route_kinds(ctx, CONTACTS_PERSONS, TS_GET, "/{id}/gdpr", gdpr_export, TS_ROLE_MANAGER) != TS_OK
        || contacts_route_kinds(ctx, CONTACTS_PERSONS, TS_POST, "/{id}/erase", erase, TS_ROLE_MANAGER) != TS_OK
        || contacts_route_kinds(ctx, CONTACTS_PERSONS, TS_GET, "/{id}/vcard", vcard, TS_ROLE_VIEWER) != TS_OK
        || contacts_route_kinds(ctx, CONTACTS_PERSONS, TS_GET, "/{id}/consents", consents_index,
                                TS_ROLE_VIEWER) != TS_OK
        || contacts_route_kinds(ctx, CONTACTS_PERSONS, TS_POST, "/{id}/consents", consents_add,
                                TS_ROLE_AGENT) != TS_OK) {
        return TS_ERROR;
    }
    return TS_OK;
}
