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

void streams_free(streams_t *s) {
  free(s->cursors);
  memset(s, 0, sizeof(*s));
}
