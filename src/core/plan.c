#include "core/plan.h"

#include "core/isotime.h"

void plan_scan_begin(plan_scan_t *scan, time_t now, int lookback) {
  time_t oldest = now - PLAN_HISTORY + PLAN_HISTORY_MARGIN;
  scan->end = now;
  scan->start = now - lookback > oldest ? now - lookback : oldest;
  scan->page = 1;
  scan->last_page = 0;
}

int plan_scan_page_params(const plan_scan_t *scan, params_t *out) {
  char start[ISOTIME_LEN], end[ISOTIME_LEN];
  isotime_format(scan->start, start);
  isotime_format(scan->end, end);
  return params_add(out, "StartTime", start) | params_add(out, "EndTime", end) |
         params_add_long(out, "PageSize", PLAN_PAGE_SIZE) |
         params_add_long(out, "PageNumber", scan->page);
}

bool plan_scan_advance(plan_scan_t *scan, long total_count) {
  /* Not (n + 49) / 50: that overflows on an absurd TotalCount. */
  long pages =
      total_count / PLAN_PAGE_SIZE + (total_count % PLAN_PAGE_SIZE != 0);
  scan->last_page = pages < PLAN_MAX_PAGE ? pages : PLAN_MAX_PAGE;
  if (scan->page >= scan->last_page)
    return false;
  scan->page++;
  return true;
}
