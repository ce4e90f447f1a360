#include "core/streams.h"

#include "core/grow.h"

#include <stdlib.h>
#include <string.h>

plan_cursor_t *streams_at(streams_t *s, uint32_t domain, unsigned type) {
  if (type >= TASK_TYPE_COUNT || domain == UINT32_MAX)
    return NULL;
  plan_cursor_t *row =
      grow_row((void **)&s->cursors, &s->domains,
               TASK_TYPE_COUNT * sizeof(*s->cursors), (size_t)domain);
  return row ? &row[type] : NULL;
}

const plan_cursor_t *streams_get(const streams_t *s, uint32_t domain,
                                 unsigned type) {
  return domain < s->domains && type < TASK_TYPE_COUNT
             ? &s->cursors[(size_t)domain * TASK_TYPE_COUNT + type]
             : NULL;
}

void streams_free(streams_t *s) {
  free(s->cursors);
  memset(s, 0, sizeof(*s));
}
