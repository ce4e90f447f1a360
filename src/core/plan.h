/* Which DescribeDcdnRefreshTasks pages one scan of an account needs.
 * Pure: the caller passes "now" in. */
#ifndef DCDN_PLAN_H
#define DCDN_PLAN_H

#include "core/params.h"

#include <stdbool.h>
#include <time.h>

#define PLAN_PAGE_SIZE 50    /* the API's maximum */
#define PLAN_MAX_PAGE 100000 /* the API's highest PageNumber */
#define PLAN_HISTORY 259200  /* the API answers for three days only */
/* Kept clear of the three-day edge so that clock skew between this host and
 * the API cannot turn the oldest StartTime into InvalidTime. */
#define PLAN_HISTORY_MARGIN 300

typedef struct {
  time_t start; /* fixed when the scan begins, so pages stay stable */
  time_t end;
  long page;      /* the next page to fetch, from 1 */
  long last_page; /* 0 until the first answer tells TotalCount */
} plan_scan_t;

void plan_scan_begin(plan_scan_t *scan, time_t now, int lookback);
/* The API parameters of the next page. Returns 0, or -1 out of memory. */
int plan_scan_page_params(const plan_scan_t *scan, params_t *out);
/* Records an answer's TotalCount; returns true if another page is due. */
bool plan_scan_advance(plan_scan_t *scan, long total_count);

#endif
