#include "core/ledger.h"

#include "core/grow.h"

#include <stdlib.h>
#include <string.h>

static ledger_entry_t *ledger_entry(ledger_t *l, uint32_t domain,
                                    unsigned type) {
  if (type >= TASK_TYPE_COUNT)
    return NULL;
  ledger_entry_t *row =
      grow_row((void **)&l->entries, &l->domains,
               TASK_TYPE_COUNT * sizeof(*l->entries), (size_t)domain);
  return row ? &row[type] : NULL;
}

int ledger_record(ledger_t *l, uint32_t domain, unsigned type,
                  const lifecycle_events_t *ev) {
  if (!ev->completed && !ev->failed)
    return 0;
  ledger_entry_t *e = ledger_entry(l, domain, type);
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

int ledger_set(ledger_t *l, uint32_t domain, unsigned type, uint64_t completed,
               uint64_t failed) {
  ledger_entry_t *e = ledger_entry(l, domain, type);
  if (e == NULL)
    return -1;
  e->completed = completed;
  e->failed = failed;
  return 0;
}

const ledger_entry_t *ledger_get(const ledger_t *l, uint32_t domain,
                                 unsigned type) {
  return domain < l->domains && type < TASK_TYPE_COUNT
             ? &l->entries[(size_t)domain * TASK_TYPE_COUNT + type]
             : NULL;
}

void ledger_interval_reset(ledger_t *l) {
  for (size_t i = 0; i < l->domains * TASK_TYPE_COUNT; i++) {
    l->entries[i].completion_sum = 0;
    l->entries[i].completion_max = 0;
    l->entries[i].completion_count = 0;
  }
}

void ledger_free(ledger_t *l) {
  free(l->entries);
  *l = (ledger_t)LEDGER_INIT;
}
