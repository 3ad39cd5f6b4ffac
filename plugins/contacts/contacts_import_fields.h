/* The fields a CSV column can be mapped to, per kind of import, the column
 * names agencies already use for them, and the mapping of a file's columns. */
#ifndef CONTACTS_IMPORT_FIELDS_H
#define CONTACTS_IMPORT_FIELDS_H

#include <stdbool.h>
#include <stddef.h>
#include <cjson/cJSON.h>

typedef enum {
    IMPORT_LEADS = 1, IMPORT_OWNER_LEADS = 2, IMPORT_CONTACTS = 4, IMPORT_RELATIONS = 8
} contacts_import_kind_t;

typedef enum {
    F_TEXT, F_EMAIL, F_PHONE, F_ENUM, F_LIST, F_MONEY, F_INT, F_DATE, F_URL
} contacts_field_type_t;

typedef struct {
    const char           *path;      /* the JSON name, "preferences.budget_min" */
    contacts_field_type_t type;
    unsigned              kinds;     /* contacts_import_kind_t bits */
    size_t                max;       /* text length in characters; the top of an int */
    const char *const    *values;    /* F_ENUM, and F_LIST when the items are fixed */
    const char           *label;     /* for people: the wizard, the sample file */
    const char           *sample;    /* the sample file's value */
} contacts_ifield_t;

/* A file's columns and where each goes (NULL: not imported). */
typedef struct {
    contacts_import_kind_t  kind;
    size_t                  n;
    const contacts_ifield_t *field[256];
    char                    custom[256][65];   /* the key of a "custom.<key>" target */
} contacts_import_map_t;

/* "leads" ... "relations" and back; 0 when unknown. */
contacts_import_kind_t contacts_import_kind(const char *name);
const char *contacts_import_kind_name(contacts_import_kind_t k);

/* Field n of the catalogue (NULL past the end). */
const contacts_ifield_t *contacts_import_field_at(size_t n);
/* The field a target names for this kind; NULL if none. */
const contacts_ifield_t *contacts_import_field(contacts_import_kind_t k, const char *path);
/* The field a column header stands for (its own name or a known alias). */
const contacts_ifield_t *contacts_import_guess(contacts_import_kind_t k, const char *header);
/* A first row that names at least one known field, or looks like no data. */
bool contacts_import_is_header(contacts_import_kind_t k, const char *const *cells, size_t n);
/* The custom field key of "custom.<key>" ([a-z0-9_]{1,64}), or NULL. */
const char *contacts_import_custom_key(const char *target);

/* The map from a JSON object {column name: target or null}; columns[] are the
 * file's column names. On an error, *err names the column and the problem. */
int contacts_import_map_parse(contacts_import_map_t *m, contacts_import_kind_t k,
                              const cJSON *columns, const cJSON *mapping, char *err,
                              size_t errlen);

#endif
