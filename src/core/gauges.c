#include "core/gauges.h"

#include <string.h>

void gauges_count(const domtab_t *tab, const tasktable_t *tr, time_t oldest,
                  time_t in_flight_oldest, gauges_t *counts) {
  memset(counts, 0, tab->count * sizeof(*counts));
  size_t pos = 0;
  const tracked_task_t *t;
  while ((t = tasktable_next(tr, &pos)) != NULL) {
    if (t->domain >= tab->count || t->type >= TASK_TYPE_COUNT ||
        t->status >= TASK_STATUS_COUNT ||
        t->created < (tasktable_in_flight(t) ? in_flight_oldest : oldest))
      continue;
    gauges_t *c = &counts[t->domain];
    c->count[t->type][t->status]++;
    if (tasktable_in_flight(t)) {
      c->progress_sum[t->type] += t->progress;
      if (c->oldest_in_flight[t->type] == 0 ||
          t->created < c->oldest_in_flight[t->type])
        c->oldest_in_flight[t->type] = (time_t)t->created;
    }
  }
}
