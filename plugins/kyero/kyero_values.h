/* Kyero values turned into the properties table's: type and feature codes, countries, lengths. */
#ifndef KYERO_VALUES_H
#define KYERO_VALUES_H

#include <stddef.h>

/* "Town House" -> "town_house": lower case, runs of anything else as one '_'. */
void kyero_code(const char *in, char *out, size_t n);
/* The catalogue code for a Kyero type code ("town_house" -> "townhouse"), or the code itself. */
const char *kyero_type_alias(const char *code);
/* An ISO 3166 alpha-2 code for a country name or code as feeds write it, or NULL. */
const char *kyero_country_code(const char *name);
/* The byte length of the longest prefix of s with at most max_chars UTF-8 characters and
 * max_bytes bytes, cut at a character boundary. */
size_t kyero_utf8_prefix(const char *s, size_t max_chars, size_t max_bytes);
/* The country name Kyero feeds carry for an ISO code, or NULL. */
const char *kyero_country_name(const char *code);

#endif
