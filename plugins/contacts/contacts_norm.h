/* Normalised emails and phones: the keys duplicate detection compares. */
#ifndef CONTACTS_NORM_H
#define CONTACTS_NORM_H

#include <tesoro/plugin.h>

/* Trimmed and lower-cased; NULL for NULL or a blank value. */
char *contacts_norm_email(ts_pool_t *p, const char *email);
/* Digits only, with a leading '+' for an international number ("+34 966
 * 12 34 56" and "0034966123456" give "+34966123456"); NULL when fewer than
 * 6 digits remain. */
char *contacts_norm_phone(ts_pool_t *p, const char *phone);

#endif
