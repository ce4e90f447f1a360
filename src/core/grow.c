#include "core/grow.h"

#include <stdlib.h>

#define GROW_FIRST_CAP 16

int grow_for_one(void **items, size_t *cap, size_t count, size_t elem_size) {
  if (count < *cap)
    return 0;
  size_t new_cap = *cap ? *cap * 2 : GROW_FIRST_CAP;
  void *grown = realloc(*items, new_cap * elem_size);
  if (grown == NULL)
    return -1;
  *items = grown;
  *cap = new_cap;
  return 0;
}
