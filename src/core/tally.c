#include "core/tally.h"

#include <string.h>

void tally_count(const domtab_t *tab, const tracker_t *tr, time_t oldest,
                 time_t in_flight_oldest, tally_t *counts) {
  memset(counts, 0, tab->count * sizeof(*counts));
  size_t pos = 0;
  const tracked_task_t *t;
  while ((t = tracker_next(tr, &pos)) != NULL) {
    if (t->domain >= tab->count || t->type >= TASK_TYPE_COUNT ||
        t->status >= TASK_STATUS_COUNT ||
        t->created < (tracker_in_flight(t) ? in_flight_oldest : oldest))
      continue;
    tally_t *c = &counts[t->domain];
    c->count[t->type][t->status]++;
    if (tracker_in_flight(t)) {
      c->progress_sum[t->type] += t->progress;
      if (c->oldest_in_flight[t->type] == 0 ||
          t->created < c->oldest_in_flight[t->type])
        c->oldest_in_flight[t->type] = (time_t)t->created;
    }
  }
}
