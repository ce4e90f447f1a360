/* Per domain and object type: tasks completed and failed over their
 * lifetime (cumulative, kept across restarts), and the completion times of
 * the current interval. */
#ifndef DCDN_LEDGER_H
#define DCDN_LEDGER_H

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
} ledger_entry_t;

typedef struct {
  ledger_entry_t *entries; /* [domain * TASK_TYPE_COUNT + type] */
  size_t domains;
} ledger_t;

#define LEDGER_INIT                                                            \
  { NULL, 0 }

/* Adds what the events count. Returns 0, or -1 when out of memory. */
int ledger_record(ledger_t *l, uint32_t domain, unsigned type,
                  const lifecycle_events_t *ev);
/* Sets the cumulative counters (from a state file). */
int ledger_set(ledger_t *l, uint32_t domain, unsigned type, uint64_t completed,
               uint64_t failed);
/* NULL when nothing was ever recorded for it. */
const ledger_entry_t *ledger_get(const ledger_t *l, uint32_t domain,
                                 unsigned type);
void ledger_interval_reset(ledger_t *l);
void ledger_free(ledger_t *l);

#endif
