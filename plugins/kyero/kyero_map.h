/* A string-keyed hash table for the importer: the feed's listings and the tenant's refs. */
#ifndef KYERO_MAP_H
#define KYERO_MAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct {
    char    *key;
    int64_t  id;
    char    *a, *b;        /* what the map holds per key (a date, a feed, a source id) */
    unsigned flags;
} kyero_entry_t;

typedef struct {
    kyero_entry_t *slots;
    size_t cap, n;
} kyero_map_t;

kyero_entry_t *kyero_map_get(const kyero_map_t *m, const char *key);
/* The entry of key, created empty when new; NULL when out of memory. */
kyero_entry_t *kyero_map_put(kyero_map_t *m, const char *key);
/* Replaces a string field of an entry with a copy of s (NULL clears it). */
int kyero_map_set(char **field, const char *s);
void kyero_map_free(kyero_map_t *m);

#endif
