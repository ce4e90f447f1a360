#include "core/isotime.h"

#include "core/ascii.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

void isotime_format(time_t t, char out[ISOTIME_LEN]) {
  struct tm tm;
  gmtime_r(&t, &tm);
  strftime(out, ISOTIME_LEN, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static int isotime_digits(const char *s, int n) {
  int v = 0;
  for (int i = 0; i < n; i++) {
    if (!ascii_is_digit((unsigned char)s[i]))
      return -1;
    v = v * 10 + (s[i] - '0');
  }
  return v;
}

/* Whether s, after the seconds, is "Z" or ".<digits>Z" (ISO 8601's
 * decimal fraction of a second, dropped: the API counts whole seconds). */
static bool isotime_valid_end(const char *s) {
  if (*s == '.') {
    size_t digits = strspn(s + 1, "0123456789");
    if (digits == 0)
      return false;
    s += 1 + digits;
  }
  return strcmp(s, "Z") == 0;
}

/* The ends a time may have: "Z" only; "Z" or a fraction and "Z"; or
 * those, and also a space for the T and no zone at all. */
typedef enum { ISOTIME_STRICT, ISOTIME_FRACTION, ISOTIME_SPACED } isotime_form_t;

static bool isotime_valid_form(const char *s, isotime_form_t form) {
  if (form == ISOTIME_SPACED && s[10] == ' ')
    return s[19] == '\0';
  return s[10] == 'T' && (form == ISOTIME_STRICT ? strcmp(s + 19, "Z") == 0
                                                 : isotime_valid_end(s + 19));
}

static int isotime_read(const char *s, isotime_form_t form, time_t *out) {
  /* Positions of the separators in "yyyy-MM-ddTHH:mm:ssZ". */
  if (s == NULL || strlen(s) < ISOTIME_LEN - 2 || s[4] != '-' || s[7] != '-' ||
      s[13] != ':' || s[16] != ':' || !isotime_valid_form(s, form))
    return -1;
  struct tm tm = {0};
  int year = isotime_digits(s, 4), mon = isotime_digits(s + 5, 2),
      day = isotime_digits(s + 8, 2), hour = isotime_digits(s + 11, 2),
      min = isotime_digits(s + 14, 2), sec = isotime_digits(s + 17, 2);
  if (year < 1970 || mon < 1 || mon > 12 || day < 1 || day > 31 || hour < 0 ||
      hour > 23 || min < 0 || min > 59 || sec < 0 || sec > 59)
    return -1;
  tm.tm_year = year - 1900;
  tm.tm_mon = mon - 1;
  tm.tm_mday = day;
  tm.tm_hour = hour;
  tm.tm_min = min;
  tm.tm_sec = sec;
  time_t t = timegm(&tm);
  /* timegm normalises 02-31 into March: a date that moved did not exist. */
  struct tm check;
  gmtime_r(&t, &check);
  if (check.tm_mday != day || check.tm_mon != mon - 1)
    return -1;
  *out = t;
  return 0;
}

int isotime_parse(const char *s, time_t *out) {
  return isotime_read(s, ISOTIME_STRICT, out);
}

int isotime_parse_fraction(const char *s, time_t *out) {
  return isotime_read(s, ISOTIME_FRACTION, out);
}

int isotime_parse_task(const char *s, time_t *out) {
  return isotime_read(s, ISOTIME_SPACED, out);
}
