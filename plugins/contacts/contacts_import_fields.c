/* The import's field catalogue, the column names agencies already use for
 * each field (grouped ones like address.city or property_details.price_min
 * included), header detection and the parsing of a column mapping. */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include "contacts_import_fields.h"

#define PEOPLE (IMPORT_LEADS | IMPORT_OWNER_LEADS | IMPORT_CONTACTS)
#define LEADS  (IMPORT_LEADS | IMPORT_OWNER_LEADS)
#define ALL    (PEOPLE | IMPORT_RELATIONS)

static const char *const types[] = { "buyer", "owner", NULL };
static const char *const statuses[] = { "prospect", "qualified", "negotiating", "won", "lost", NULL };
static const char *const sources[] = {
    "cold_calling", "incoming_call", "referral", "website", "social_media", "email_campaign",
    "incoming_mail", "in_person", "portal", "networking_event", "print", "partner", "outdoor",
    "radio_tv", "manual", NULL };
static const char *const stages[] = { "hot", "neutral", "cold", NULL };
static const char *const urgencies[] = { "low", "medium", "high", NULL };
static const char *const transactions[] = { "sale", "rent", NULL };
static const char *const roles[] = {
    "buyer", "seller", "tenant", "landlord", "lawyer", "notary", "architect", "agent",
    "accountant", "other", NULL };
static const char *const relation_types[] = {
    "developer", "construction_company", "agency", "bank", "law_firm", "notary_office",
    "vendor", "owner", "competitor", "sponsor", "other", NULL };
static const char *const relation_statuses[] = { "active", "inactive", "prospect", NULL };

static const contacts_ifield_t fields[] = {
    { "first_name", F_TEXT, PEOPLE, 100, NULL, "First name", "Ana" },
    { "last_name", F_TEXT, PEOPLE, 100, NULL, "Last name", "García López" },
    { "name", F_TEXT, IMPORT_RELATIONS, 200, NULL, "Company name", "Costa Blanca Builders SL" },
    { "salutation", F_TEXT, PEOPLE, 32, NULL, "Salutation", "Ms" },
    { "email", F_EMAIL, ALL, 254, NULL, "Email", "ana.garcia@example.com" },
    { "phone", F_PHONE, ALL, 40, NULL, "Phone", "+34 966 12 34 56" },
    { "company", F_TEXT, PEOPLE, 200, NULL, "Company", "" },
    { "job_title", F_TEXT, PEOPLE, 100, NULL, "Job title", "" },
    { "language", F_TEXT, PEOPLE, 8, NULL, "Language", "es" },
    { "nationality", F_TEXT, PEOPLE, 2, NULL, "Nationality", "ES" },
    { "birthday", F_DATE, PEOPLE, 0, NULL, "Birthday", "" },
    { "website", F_URL, ALL, 255, NULL, "Website", "" },
    { "notes", F_TEXT, ALL, 10000, NULL, "Notes", "Met at the Jávea open house" },
    { "tags", F_LIST, ALL, 64, NULL, "Tags", "sea view, golf" },
    { "agent_id", F_INT, ALL, 0, NULL, "Agent id", "" },
    { "type", F_ENUM, LEADS, 0, types, "Lead type", "buyer" },
    { "status", F_ENUM, LEADS, 0, statuses, "Lead status", "prospect" },
    { "source", F_ENUM, LEADS, 0, sources, "Source", "portal" },
    { "source_portal", F_TEXT, LEADS, 64, NULL, "Portal", "idealista" },
    { "stage", F_ENUM, LEADS, 0, stages, "Stage", "hot" },
    { "urgency", F_ENUM, LEADS, 0, urgencies, "Urgency", "medium" },
    { "timeframe", F_TEXT, LEADS, 64, NULL, "Timeframe", "3 months" },
    { "move_in_date", F_DATE, LEADS, 0, NULL, "Move-in date", "2027-06-01" },
    { "preferences.property_types", F_LIST, LEADS, 32, NULL, "Property types", "villa, apartment" },
    { "preferences.towns", F_LIST, LEADS, 100, NULL, "Towns", "Jávea, Dénia" },
    { "preferences.areas", F_LIST, LEADS, 100, NULL, "Areas", "Montgó" },
    { "preferences.transaction", F_ENUM, LEADS, 0, transactions, "Sale or rent", "sale" },
    { "preferences.budget_min", F_MONEY, LEADS, 0, NULL, "Budget min (EUR)", "250000" },
    { "preferences.budget_max", F_MONEY, LEADS, 0, NULL, "Budget max (EUR)", "400000" },
    { "preferences.area_min", F_INT, LEADS, 1000000, NULL, "Area min (m²)", "120" },
    { "preferences.area_max", F_INT, LEADS, 1000000, NULL, "Area max (m²)", "" },
    { "preferences.bedrooms_min", F_INT, LEADS, 100, NULL, "Bedrooms min", "3" },
    { "preferences.bathrooms_min", F_INT, LEADS, 100, NULL, "Bathrooms min", "2" },
    { "preferences.required_tags", F_LIST, LEADS, 64, NULL, "Required features", "pool" },
    { "roles", F_LIST, IMPORT_CONTACTS, 0, roles, "Roles", "buyer" },
    { "address.street", F_TEXT, ALL, 200, NULL, "Street", "Calle Mayor 1" },
    { "address.postal_code", F_TEXT, ALL, 16, NULL, "Postal code", "03730" },
    { "address.city", F_TEXT, ALL, 100, NULL, "City", "Jávea" },
    { "address.province", F_TEXT, ALL, 100, NULL, "Province", "Alicante" },
    { "address.country", F_TEXT, ALL, 2, NULL, "Country", "ES" },
    { "type", F_ENUM, IMPORT_RELATIONS, 0, relation_types, "Relation type", "developer" },
    { "status", F_ENUM, IMPORT_RELATIONS, 0, relation_statuses, "Status", "active" },
    { "vat_number", F_TEXT, IMPORT_RELATIONS, 32, NULL, "VAT number", "B12345678" },
    { "credit_terms", F_TEXT, IMPORT_RELATIONS, 200, NULL, "Credit terms", "30 days" },
    { "commission_agreement", F_TEXT, IMPORT_RELATIONS, 500, NULL, "Commission agreement", "3%" },
    { "contract_details", F_TEXT, IMPORT_RELATIONS, 10000, NULL, "Contract details", "" },
    { "social.facebook", F_URL, ALL, 255, NULL, "Facebook", "" },
    { "social.instagram", F_URL, ALL, 255, NULL, "Instagram", "" },
    { "social.linkedin", F_URL, ALL, 255, NULL, "LinkedIn", "" },
    { "social.twitter", F_URL, ALL, 255, NULL, "X (Twitter)", "" },
    { "social.youtube", F_URL, ALL, 255, NULL, "YouTube", "" },
    { "social.tiktok", F_URL, ALL, 255, NULL, "TikTok", "" },
    { NULL, F_TEXT, 0, 0, NULL, NULL, NULL }
};

/* Column names seen in agencies' files (English, Spanish, Dutch) and the
 * grouped names of other CRMs' exports, lower-cased with '_' for spaces. */
static const struct { const char *alias; const char *path; } aliases[] = {
    { "firstname", "first_name" }, { "given_name", "first_name" }, { "nombre", "first_name" },
    { "voornaam", "first_name" }, { "lastname", "last_name" }, { "surname", "last_name" },
    { "family_name", "last_name" }, { "apellidos", "last_name" }, { "achternaam", "last_name" },
    { "company_name", "name" }, { "e_mail", "email" }, { "mail", "email" },
    { "email_address", "email" }, { "correo", "email" }, { "telephone", "phone" },
    { "tel", "phone" }, { "mobile", "phone" }, { "telefono", "phone" }, { "phone_number", "phone" },
    { "mobile_phone", "phone" }, { "telefoon", "phone" }, { "labels", "tags" },
    { "etiquetas", "tags" }, { "lead.type", "type" }, { "lead.status", "status" },
    { "lead.source", "source" }, { "lead.portal", "source_portal" },
    { "lead.source_portal", "source_portal" }, { "lead.stage", "stage" },
    { "lead.tags", "tags" }, { "lead.notes", "notes" }, { "lead.agent_id", "agent_id" },
    { "lead_type", "type" }, { "lead_status", "status" }, { "lead_source", "source" },
    { "portal", "source_portal" }, { "address", "address.street" }, { "street", "address.street" },
    { "city", "address.city" }, { "town", "address.city" }, { "address.town", "address.city" },
    { "postal_code", "address.postal_code" }, { "zip", "address.postal_code" },
    { "postcode", "address.postal_code" }, { "address.zip", "address.postal_code" },
    { "address.postcode", "address.postal_code" }, { "province", "address.province" },
    { "address.state", "address.province" }, { "address.region", "address.province" },
    { "country", "address.country" },
    { "property_details.type", "preferences.property_types" },
    { "property_details.types", "preferences.property_types" },
    { "property_details.property_type", "preferences.property_types" },
    { "property_details.price_min", "preferences.budget_min" },
    { "property_details.price_max", "preferences.budget_max" },
    { "property_details.budget_min", "preferences.budget_min" },
    { "property_details.budget_max", "preferences.budget_max" },
    { "property_details.area_min", "preferences.area_min" },
    { "property_details.area_max", "preferences.area_max" },
    { "property_details.bedrooms", "preferences.bedrooms_min" },
    { "property_details.bedrooms_min", "preferences.bedrooms_min" },
    { "property_details.bathrooms", "preferences.bathrooms_min" },
    { "property_details.bathrooms_min", "preferences.bathrooms_min" },
    { "property_details.transaction", "preferences.transaction" },
    { "property_details.features", "preferences.required_tags" },
    { "property_address.city", "preferences.towns" },
    { "property_address.town", "preferences.towns" },
    { "property_address.area", "preferences.areas" },
    { "property_address.zone", "preferences.areas" },
    { "property_address.location", "preferences.towns" },
    { "property_types", "preferences.property_types" }, { "towns", "preferences.towns" },
    { "areas", "preferences.areas" }, { "transaction", "preferences.transaction" },
    { "budget_min", "preferences.budget_min" }, { "budget_max", "preferences.budget_max" },
    { "price_min", "preferences.budget_min" }, { "price_max", "preferences.budget_max" },
    { "area_min", "preferences.area_min" }, { "area_max", "preferences.area_max" },
    { "bedrooms", "preferences.bedrooms_min" }, { "bedrooms_min", "preferences.bedrooms_min" },
    { "bathrooms", "preferences.bathrooms_min" }, { "bathrooms_min", "preferences.bathrooms_min" },
    { "required_tags", "preferences.required_tags" },
    { "timing.urgency", "urgency" }, { "timing.timeframe", "timeframe" },
    { "timing.move_in_date", "move_in_date" }, { "timing.move_in", "move_in_date" },
    { "timing.moving_date", "move_in_date" }, { "move_in", "move_in_date" },
    { "social.x", "social.twitter" }, { "social.website", "website" },
    { "relation.type", "type" }, { "relation.status", "status" },
    { "company.type", "type" }, { "vat", "vat_number" }, { "cif", "vat_number" },
    { "role", "roles" }, { "contact.roles", "roles" },
    { NULL, NULL }
};

contacts_import_kind_t
contacts_import_kind(const char *name)
{
    if (name == NULL) {
        return 0;
    }
    if (strcmp(name, "leads") == 0) {
        return IMPORT_LEADS;
    }
    if (strcmp(name, "owner_leads") == 0) {
        return IMPORT_OWNER_LEADS;
    }
    if (strcmp(name, "contacts") == 0) {
        return IMPORT_CONTACTS;
    }
    return strcmp(name, "relations") == 0 ? IMPORT_RELATIONS : 0;
}

const char *
contacts_import_kind_name(contacts_import_kind_t k)
{
    switch (k) {
    case IMPORT_OWNER_LEADS: return "owner_leads";
    case IMPORT_CONTACTS:    return "contacts";
    case IMPORT_RELATIONS:   return "relations";
    default:                 return "leads";
    }
}

const contacts_ifield_t *
contacts_import_field_at(size_t n)
{
    return n < sizeof(fields) / sizeof(fields[0]) - 1 ? &fields[n] : NULL;
}

const contacts_ifield_t *
contacts_import_field(contacts_import_kind_t k, const char *path)
{
    for (const contacts_ifield_t *f = fields; path != NULL && f->path != NULL; f++) {
        if ((f->kinds & k) && strcmp(f->path, path) == 0) {
            return f;
        }
    }
    return NULL;
}

/* "Address City", " address-city " and "Address.City" all read "address.city";
 * "(EUR)" or "(m²)" after a name is dropped. */
static void
normalise(const char *in, char *out, size_t cap)
{
    size_t n = 0;
    while (isspace((unsigned char) *in)) {
        in++;
    }
    for (; *in != '\0' && *in != '(' && n + 1 < cap; in++) {
        unsigned char c = (unsigned char) *in;
        if (c == ' ' || c == '-' || c == '_') {
            if (n > 0 && out[n - 1] != '_' && out[n - 1] != '.') {
                out[n++] = '_';
            }
        } else if (c == '.') {
            if (n > 0 && out[n - 1] == '_') {
                n--;
            }
            out[n++] = '.';
        } else {
            out[n++] = (char) tolower(c);
        }
    }
    while (n > 0 && out[n - 1] == '_') {
        n--;
    }
    out[n] = '\0';
}

const contacts_ifield_t *
contacts_import_guess(contacts_import_kind_t k, const char *header)
{
    char h[128];
    normalise(header, h, sizeof(h));
    const contacts_ifield_t *f = contacts_import_field(k, h);
    if (f != NULL) {
        return f;
    }
    for (size_t i = 0; aliases[i].alias != NULL; i++) {
        if (strcmp(aliases[i].alias, h) == 0) {
            return contacts_import_field(k, aliases[i].path);
        }
    }
    /* The sample file's own labels ("Budget min (EUR)") map back too. */
    for (f = fields; f->path != NULL; f++) {
        char l[128];
        normalise(f->label, l, sizeof(l));
        if ((f->kinds & k) && strcmp(l, h) == 0) {
            return f;
        }
    }
    return NULL;
}

static bool
looks_like_data(const char *s)
{
    if (strchr(s, '@') != NULL) {
        return true;
    }
    size_t digits = 0, len = strlen(s);
    for (const char *c = s; *c; c++) {
        digits += isdigit((unsigned char) *c) != 0;
    }
    return len > 0 && digits * 2 > len;
}

bool
contacts_import_is_header(contacts_import_kind_t k, const char *const *cells, size_t n)
{
    bool data = false;
    for (size_t i = 0; i < n; i++) {
        if (cells[i] == NULL) {
            return false;
        }
        if (contacts_import_guess(k, cells[i]) != NULL) {
            return true;
        }
        data = data || cells[i][0] == '\0' || looks_like_data(cells[i]);
    }
    return !data && n > 0;
}

const char *
contacts_import_custom_key(const char *target)
{
    if (target == NULL || strncmp(target, "custom.", 7) != 0) {
        return NULL;
    }
    const char *k = target + 7;
    size_t n = strspn(k, "abcdefghijklmnopqrstuvwxyz0123456789_");
    return n > 0 && n <= 64 && k[n] == '\0' ? k : NULL;
}

/* The one field that stands for every custom key: text up to 1000 characters. */
static const contacts_ifield_t custom_field = { "custom", F_TEXT, ALL, 1000, NULL, "Custom field", "" };

int
contacts_import_map_parse(contacts_import_map_t *m, contacts_import_kind_t k,
                          const cJSON *columns, const cJSON *mapping, char *err, size_t errlen)
{
    memset(m, 0, sizeof(*m));
    m->kind = k;
    int n = cJSON_GetArraySize(columns);
    if (n > 256) {
        snprintf(err, errlen, "at most 256 columns");
        return -1;
    }
    m->n = (size_t) n;
    if (!cJSON_IsObject(mapping)) {
        snprintf(err, errlen, "mapping must be an object {column: field}");
        return -1;
    }
    const cJSON *e;
    cJSON_ArrayForEach(e, mapping) {
        int col = -1;
        for (int i = 0; i < n; i++) {
            const char *name = cJSON_GetStringValue(cJSON_GetArrayItem(columns, i));
            if (name != NULL && strcmp(name, e->string) == 0) {
                col = i;
                break;
            }
        }
        if (col < 0) {
            snprintf(err, errlen, "%.80s: no such column in the file", e->string);
            return -1;
        }
        if (cJSON_IsNull(e)) {
            continue;
        }
        const char *target = cJSON_GetStringValue(e);
        const char *key = contacts_import_custom_key(target);
        const contacts_ifield_t *f = key ? &custom_field : contacts_import_field(k, target);
        if (f == NULL) {
            snprintf(err, errlen, "%.80s: unknown field '%.80s' for %s", e->string,
                     target ? target : "(not a string)", contacts_import_kind_name(k));
            return -1;
        }
        for (size_t i = 0; i < m->n; i++) {
            bool same = m->field[i] == f && (key == NULL || strcmp(m->custom[i], key) == 0);
            if (same && f->type != F_LIST) {
                snprintf(err, errlen, "%.80s: field '%.80s' is mapped twice", e->string, target);
                return -1;
            }
        }
        m->field[col] = f;
        if (key != NULL) {
            snprintf(m->custom[col], sizeof(m->custom[col]), "%s", key);
        }
    }
    return 0;
}
