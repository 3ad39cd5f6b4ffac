/* Tables from Kyero's vocabulary to the CRM's: property types, countries. */
#include <ctype.h>
#include <string.h>
#include <strings.h>
#include "kyero_values.h"

void
kyero_code(const char *in, char *out, size_t n)
{
    size_t o = 0;
    int sep = 0;
    for (const unsigned char *s = (const unsigned char *) in; *s && o + 1 < n; s++) {
        if (isalnum(*s)) {
            if (sep && o > 0 && o + 2 < n) {
                out[o++] = '_';
            }
            sep = 0;
            out[o++] = (char) tolower(*s);
        } else if (*s == '&') {
            sep = 1;
        } else if (*s < 0x80) {
            sep = 1;
        } else {
            out[o++] = (char) *s;   /* keep UTF-8 letters as they are */
            sep = 0;
        }
    }
    out[o] = '\0';
}

static const struct { const char *kyero, *code; } types[] = {
    { "flat", "apartment" }, { "apartments", "apartment" },
    { "ground_floor", "ground_floor_apartment" }, { "ground_floor_flat", "ground_floor_apartment" },
    { "town_house", "townhouse" }, { "townhouses", "townhouse" },
    { "detached_villa", "villa" }, { "villas", "villa" }, { "chalet", "villa" },
    { "semi_detached_house", "semi_detached" }, { "semi_detached_villa", "semi_detached" },
    { "detached_house", "detached" }, { "house", "detached" },
    { "terraced_house", "terraced" }, { "linked_villa", "terraced" },
    { "country_property", "country_house" }, { "cortijo", "country_house" },
    { "cave", "cave_house" }, { "land", "plot" }, { "building_plot", "plot" },
    { "commercial_property", "commercial" }, { "shop", "commercial" }, { "business", "commercial" },
    { "parking", "garage" }, { "penthouse_apartment", "penthouse" },
    { "duplex_apartment", "duplex" }, { "studio_apartment", "studio" },
};

const char *
kyero_type_alias(const char *code)
{
    for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
        if (strcmp(code, types[i].kyero) == 0) {
            return types[i].code;
        }
    }
    return code;
}

static const struct { const char *name, *iso; } countries[] = {
    { "Spain", "ES" }, { "España", "ES" }, { "Portugal", "PT" }, { "France", "FR" },
    { "Italy", "IT" }, { "Greece", "GR" }, { "Cyprus", "CY" }, { "Malta", "MT" },
    { "Andorra", "AD" }, { "Gibraltar", "GI" }, { "Morocco", "MA" }, { "Turkey", "TR" },
    { "Bulgaria", "BG" }, { "Croatia", "HR" }, { "Germany", "DE" }, { "Netherlands", "NL" },
    { "Belgium", "BE" }, { "United Kingdom", "GB" }, { "Ireland", "IE" }, { "Sweden", "SE" },
    { "Norway", "NO" }, { "Denmark", "DK" }, { "Finland", "FI" }, { "Switzerland", "CH" },
    { "Austria", "AT" }, { "United States", "US" },
};

const char *
kyero_country_code(const char *name)
{
    if (name == NULL || *name == '\0') {
        return NULL;
    }
    for (size_t i = 0; i < sizeof(countries) / sizeof(countries[0]); i++) {
        if (strcasecmp(name, countries[i].name) == 0 || strcasecmp(name, countries[i].iso) == 0) {
            return countries[i].iso;
        }
    }
    return NULL;
}

const char *
kyero_country_name(const char *code)
{
    for (size_t i = 0; code != NULL && i < sizeof(countries) / sizeof(countries[0]); i++) {
        if (strcasecmp(code, countries[i].iso) == 0) {
            return countries[i].name;
        }
    }
    return NULL;
}

size_t
kyero_utf8_prefix(const char *s, size_t max_chars, size_t max_bytes)
{
    size_t i = 0, chars = 0, last = 0;
    while (s[i] != '\0' && chars < max_chars) {
        size_t n = 1;
        unsigned char c = (unsigned char) s[i];
        if (c >= 0xf0) {
            n = 4;
        } else if (c >= 0xe0) {
            n = 3;
        } else if (c >= 0xc0) {
            n = 2;
        }
        if (i + n > max_bytes) {
            break;
        }
        for (size_t k = 1; k < n; k++) {
            if (s[i + k] == '\0') {
                return last;
            }
        }
        i += n;
        chars++;
        last = i;
    }
    return last;
}
