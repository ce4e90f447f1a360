/* An ordered list of name/value string pairs: query parameters or headers. */
#ifndef DCDN_PARAMS_H
#define DCDN_PARAMS_H

#include <stddef.h>

typedef struct {
  char *name;
  char *value;
} param_t;

typedef struct {
  param_t *items;
  size_t count;
  size_t cap;
} params_t;

#define PARAMS_INIT                                                            \
  { NULL, 0, 0 }

/* Copies both strings. Returns 0, or -1 when out of memory. */
int params_add(params_t *p, const char *name, const char *value);
int params_add_long(params_t *p, const char *name, long value);
/* Sorts by name in byte order, as both signature versions require. */
void params_sort(params_t *p);
/* The value of the first pair with this exact name, or NULL. */
const char *params_get(const params_t *p, const char *name);
void params_free(params_t *p);

#endif
