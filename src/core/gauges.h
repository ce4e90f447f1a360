/* Task counts per reported domain, object type and status. */
#ifndef DCDN_GAUGES_H
#define DCDN_GAUGES_H

#include "core/domtab.h"
#include "core/tasktable.h"

typedef struct {
  unsigned long count[TASK_TYPE_COUNT][TASK_STATUS_COUNT];
  /* Of the tasks in flight (pending or refreshing), per type: */
  time_t oldest_in_flight[TASK_TYPE_COUNT]; /* CreationTime; 0: none */
  double progress_sum[TASK_TYPE_COUNT];
} gauges_t;

/* Fills counts[i] for domain number i of tab (zeroing first) with the
 * tracked finished tasks created at or after oldest (the Lookback), and
 * those in flight created at or after in_flight_oldest (the API's three
 * days: an outcome still to come stays counted whatever its age). */
void gauges_count(const domtab_t *tab, const tasktable_t *tr, time_t oldest,
                  time_t in_flight_oldest, gauges_t *counts);

#endif
