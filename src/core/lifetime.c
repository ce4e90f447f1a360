#include "core/lifetime.h"

#include "core/grow.h"

#include <stdlib.h>
#include <string.h>

static lifetime_entry_t *lifetime_entry(lifetime_t *l, uint32_t domain,
                                        unsigned type) {
  return grow_cell((void **)&l->entries, &l->domains, sizeof(*l->entries),
                   domain, type);
}

int lifetime_record(lifetime_t *l, uint32_t domain, unsigned type,
                    const lifecycle_events_t *ev) {
  if (!ev->completed && !ev->failed)
    return 0;
  lifetime_entry_t *e = lifetime_entry(l, domain, type);
  if (e == NULL)
    return -1;
  e->completed += ev->completed;
  e->failed += ev->failed;
  if (ev->has_completion) {
    e->completion_sum += ev->completion_seconds;
    e->completion_count++;
    if (ev->completion_seconds > e->completion_max)
      e->completion_max = ev->completion_seconds;
  }
  return 0;
}

int lifetime_set(lifetime_t *l, uint32_t domain, unsigned type,
                 uint64_t completed, uint64_t failed) {
  lifetime_entry_t *e = lifetime_entry(l, domain, type);
  if (e == NULL)
    return -1;
  e->completed = completed;
  e->failed = failed;
  return 0;
}

const lifetime_entry_t *lifetime_get(const lifetime_t *l, uint32_t domain,
                                     unsigned type) {
  return grow_cell_get(l->entries, l->domains, sizeof(*l->entries), domain,
                       type);
}

void lifetime_interval_reset(lifetime_t *l) {
  for (size_t i = 0; i < l->domains * TASK_TYPE_COUNT; i++) {
    l->entries[i].completion_sum = 0;
    l->entries[i].completion_max = 0;
    l->entries[i].completion_count = 0;
  }
}

void lifetime_free(lifetime_t *l) {
  free(l->entries);
  *l = (lifetime_t)LIFETIME_INIT;
}
