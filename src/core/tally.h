/* Task counts per reported domain, object type and status. */
#ifndef DCDN_TALLY_H
#define DCDN_TALLY_H

#include "core/domtab.h"
#include "core/tracker.h"

typedef struct {
  unsigned long count[TASK_TYPE_COUNT][TASK_STATUS_COUNT];
  /* Of the tasks in flight (pending or refreshing), per type: */
  time_t oldest_in_flight[TASK_TYPE_COUNT]; /* CreationTime; 0: none */
  double progress_sum[TASK_TYPE_COUNT];
} tally_t;

/* Fills counts[i] for domain number i of tab (zeroing first) with the
 * tracked finished tasks created at or after oldest (the Lookback), and
 * those in flight created at or after in_flight_oldest (the API's three
 * days: an outcome still to come stays counted whatever its age). */
void tally_count(const domtab_t *tab, const tracker_t *tr, time_t oldest,
                 time_t in_flight_oldest, tally_t *counts);

#endif
