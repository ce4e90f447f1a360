#include "core/params.h"

#include "core/grow.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

int params_add(params_t *p, const char *name, const char *value) {
  if (grow_for_one((void **)&p->items, &p->cap, p->count, sizeof(*p->items)))
    return -1;
  char *n = strdup(name);
  char *v = strdup(value);
  if (n == NULL || v == NULL) {
    free(n);
    free(v);
    return -1;
  }
  p->items[p->count++] = (param_t){n, v};
  return 0;
}

int params_add_long(params_t *p, const char *name, long value) {
  char buf[32];
  snprintf(buf, sizeof(buf), "%ld", value);
  return params_add(p, name, buf);
}

static int params_compare(const void *a, const void *b) {
  const param_t *pa = a;
  const param_t *pb = b;
  int c = strcmp(pa->name, pb->name);
  return c != 0 ? c : strcmp(pa->value, pb->value);
}

void params_sort(params_t *p) {
  if (p->count > 1)
    qsort(p->items, p->count, sizeof(*p->items), params_compare);
}

const char *params_get(const params_t *p, const char *name) {
  for (size_t i = 0; i < p->count; i++)
    if (strcmp(p->items[i].name, name) == 0)
      return p->items[i].value;
  return NULL;
}

/* A value may be an STS token or a signature: wiped before it is freed. */
static void params_wipe_free(char *s) {
  if (s != NULL)
    OPENSSL_cleanse(s, strlen(s));
  free(s);
}

void params_free(params_t *p) {
  for (size_t i = 0; i < p->count; i++) {
    free(p->items[i].name);
    params_wipe_free(p->items[i].value);
  }
  free(p->items);
  *p = (params_t)PARAMS_INIT;
}
