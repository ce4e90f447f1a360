/* Per domain and object type: tasks completed and failed over their
 * lifetime (cumulative, kept across restarts), and the completion times of
 * the current interval. */
#ifndef DCDN_LIFETIME_H
#define DCDN_LIFETIME_H

#include "core/lifecycle.h"
#include "core/task.h"

#include <stddef.h>
#include <stdint.h>

typedef struct {
  uint64_t completed;
  uint64_t failed;
  /* This interval only. */
  double completion_sum;
  double completion_max;
  uint32_t completion_count;
} lifetime_entry_t;

typedef struct {
  lifetime_entry_t *entries; /* [domain * TASK_TYPE_COUNT + type] */
  size_t domains;
} lifetime_t;

#define LIFETIME_INIT                                                          \
  { NULL, 0 }

/* Adds what the events count. Returns 0, or -1 when out of memory. */
int lifetime_record(lifetime_t *l, uint32_t domain, unsigned type,
                    const lifecycle_events_t *ev);
/* Sets the cumulative counters (from a state file). */
int lifetime_set(lifetime_t *l, uint32_t domain, unsigned type,
                 uint64_t completed, uint64_t failed);
/* NULL when nothing was ever recorded for it. */
const lifetime_entry_t *lifetime_get(const lifetime_t *l, uint32_t domain,
                                     unsigned type);
void lifetime_interval_reset(lifetime_t *l);
void lifetime_free(lifetime_t *l);

#endif
