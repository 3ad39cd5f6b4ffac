/* The fields of leads, contacts and relations: names, types, limits. */
#ifndef CONTACTS_FIELDS_H
#define CONTACTS_FIELDS_H

#include "contacts.h"

typedef enum {
    CF_STR, CF_TEXT, CF_ENUM, CF_INT, CF_DATE, CF_EMAIL, CF_PHONE, CF_URL, CF_LANG,
    CF_COUNTRY, CF_CURRENCY, CF_USER
} contacts_ftype_t;

typedef struct {
    const char        *name;     /* the JSON name and the column */
    contacts_ftype_t   type;
    long long          max;      /* characters for strings, the largest value for numbers */
    const char *const *enums;
    unsigned           kinds;    /* contacts_kind_t bits */
    bool               notnull;
} contacts_field_t;

extern const contacts_field_t contacts_fields[];
extern const contacts_field_t contacts_pref_fields[];
extern const char *const contacts_pref_lists[];
extern const char *const contacts_sources[];
extern const char *const contacts_roles[];

const contacts_field_t *contacts_field_find(contacts_kind_t kind, const char *name);
bool contacts_enum_has(const char *const *list, const char *v);
bool contacts_email_ok(const char *s);
bool contacts_date_ok(const char *s);
bool contacts_url_ok(const char *s);
/* Checks v for f: NULL when valid (*out the value to store, NULL for SQL
 * NULL), else the message for the field. */
const char *contacts_field_check(ts_request_t *r, const contacts_field_t *f, const cJSON *v,
                                 const char **out);

#endif
