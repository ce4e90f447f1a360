#include "core/grow.h"

#include "core/task.h"

#include <stdlib.h>
#include <string.h>

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

void *grow_row(void **items, size_t *rows, size_t row_size, size_t row) {
  if (row >= *rows) {
    size_t want = row + 1 > *rows * 2 ? row + 1 : *rows * 2;
    char *grown = realloc(*items, want * row_size);
    if (grown == NULL)
      return NULL;
    memset(grown + *rows * row_size, 0, (want - *rows) * row_size);
    *items = grown;
    *rows = want;
  }
  return (char *)*items + row * row_size;
}

void *grow_cell(void **cells, size_t *domains, size_t cell_size,
                uint32_t domain, unsigned type) {
  if (type >= TASK_TYPE_COUNT || domain == UINT32_MAX)
    return NULL;
  char *row = grow_row(cells, domains, TASK_TYPE_COUNT * cell_size, domain);
  return row ? row + type * cell_size : NULL;
}

const void *grow_cell_get(const void *cells, size_t domains, size_t cell_size,
                          uint32_t domain, unsigned type) {
  if (domain >= domains || type >= TASK_TYPE_COUNT)
    return NULL;
  return (const char *)cells +
         ((size_t)domain * TASK_TYPE_COUNT + type) * cell_size;
}
