#include "core/streams.h"

#include "core/grow.h"

#include <stdlib.h>
#include <string.h>

plan_cursor_t *streams_at(streams_t *s, uint32_t domain, unsigned type) {
  return grow_cell((void **)&s->cursors, &s->domains, sizeof(*s->cursors),
                   domain, type);
}

const plan_cursor_t *streams_get(const streams_t *s, uint32_t domain,
                                 unsigned type) {
  return grow_cell_get(s->cursors, s->domains, sizeof(*s->cursors), domain,
                       type);
}

void streams_each(streams_t *s, void (*fn)(plan_cursor_t *c, time_t arg),
                  time_t arg) {
  for (size_t i = 0; i < s->domains * TASK_TYPE_COUNT; i++)
    fn(&s->cursors[i], arg);
  for (unsigned t = 0; t < TASK_TYPE_COUNT; t++)
    fn(&s->wildcard[t], arg);
}

void streams_free(streams_t *s) {
  free(s->cursors);
  memset(s, 0, sizeof(*s));
}
