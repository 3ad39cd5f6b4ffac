/* Normalised emails and phones for duplicate detection. */
#include <ctype.h>
#include <string.h>
#include "contacts_norm.h"

char *
contacts_norm_email(ts_pool_t *p, const char *email)
{
    if (email == NULL) {
        return NULL;
    }
    while (isspace((unsigned char) *email)) {
        email++;
    }
    size_t n = strlen(email);
    while (n > 0 && isspace((unsigned char) email[n - 1])) {
        n--;
    }
    if (n == 0) {
        return NULL;
    }
    char *out = ts_pstrndup(p, email, n);
    for (char *c = out; *c; c++) {
        *c = (char) tolower((unsigned char) *c);
    }
    return out;
}

char *
contacts_norm_phone(ts_pool_t *p, const char *phone)
{
    if (phone == NULL) {
        return NULL;
    }
    size_t n = strlen(phone);
    char *out = ts_palloc(p, n + 2);
    size_t o = 0;
    const char *s = phone;
    while (isspace((unsigned char) *s)) {
        s++;
    }
    /* An international prefix, written either way, keeps the number apart
     * from a national one with the same digits. */
    if (*s == '+') {
        out[o++] = '+';
        s++;
    } else if (s[0] == '0' && s[1] == '0') {
        out[o++] = '+';
        s += 2;
    }
    size_t digits = 0;
    for (; *s; s++) {
        if (isdigit((unsigned char) *s)) {
            out[o++] = *s;
            digits++;
        }
    }
    out[o] = '\0';
    return digits >= 6 ? out : NULL;
}
