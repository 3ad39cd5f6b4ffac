/* Open addressing with linear probing, FNV-1a hashed; no deletion (an import only adds). */
#include <stdlib.h>
#include <string.h>
#include "kyero_map.h"

static uint64_t
hash(const char *s)
{
    uint64_t h = 1469598103934665603ULL;
    for (; *s; s++) {
        h = (h ^ (unsigned char) *s) * 1099511628211ULL;
    }
    return h;
}

kyero_entry_t *
kyero_map_get(const kyero_map_t *m, const char *key)
{
    if (m->cap == 0) {
        return NULL;
    }
    for (size_t i = hash(key) & (m->cap - 1);; i = (i + 1) & (m->cap - 1)) {
        if (m->slots[i].key == NULL) {
            return NULL;
        }
        if (strcmp(m->slots[i].key, key) == 0) {
            return &m->slots[i];
        }
    }
}

static int
grow(kyero_map_t *m)
{
    size_t cap = m->cap ? m->cap * 2 : 1024;
    kyero_entry_t *slots = calloc(cap, sizeof(*slots));
    if (slots == NULL) {
        return -1;
    }
    for (size_t j = 0; j < m->cap; j++) {
        if (m->slots[j].key != NULL) {
            size_t i = hash(m->slots[j].key) & (cap - 1);
            while (slots[i].key != NULL) {
                i = (i + 1) & (cap - 1);
            }
            slots[i] = m->slots[j];
        }
    }
    free(m->slots);
    m->slots = slots;
    m->cap = cap;
    return 0;
}

kyero_entry_t *
kyero_map_put(kyero_map_t *m, const char *key)
{
    kyero_entry_t *e = kyero_map_get(m, key);
    if (e != NULL) {
        return e;
    }
    if ((m->n + 1) * 2 > m->cap && grow(m) != 0) {
        return NULL;
    }
    size_t i = hash(key) & (m->cap - 1);
    while (m->slots[i].key != NULL) {
        i = (i + 1) & (m->cap - 1);
    }
    e = &m->slots[i];
    e->key = strdup(key);
    if (e->key == NULL) {
        return NULL;
    }
    m->n++;
    return e;
}

int
kyero_map_set(char **field, const char *s)
{
    free(*field);
    *field = s ? strdup(s) : NULL;
    return s == NULL || *field != NULL ? 0 : -1;
}

void
kyero_map_free(kyero_map_t *m)
{
    for (size_t i = 0; i < m->cap; i++) {
        free(m->slots[i].key);
        free(m->slots[i].a);
        free(m->slots[i].b);
    }
    free(m->slots);
    memset(m, 0, sizeof(*m));
}
