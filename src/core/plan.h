/* Which calls an interval makes: incremental windows of
 * DescribeDcdnRefreshTasks, the cheaper way to refresh tasks still in
 * flight, and the interval's call budget. Pure: "now" is passed in. */
#ifndef DCDN_PLAN_H
#define DCDN_PLAN_H

#include "core/params.h"
#include "core/task.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#define PLAN_PAGE_SIZE 50    /* the API's maximum */
#define PLAN_MAX_PAGE 100000 /* the API's highest PageNumber */
#define PLAN_HISTORY 259200  /* the API answers for three days only */
/* Kept clear of the three-day edge so that clock skew between this host and
 * the API cannot turn the oldest StartTime into InvalidTime. */
#define PLAN_HISTORY_MARGIN 300
/* Each new window reaches this far back into the last one, so that a task
 * stamped by a server clock a little behind ours is not missed. */
#define PLAN_OVERLAP 30
#define PLAN_BYID_BATCH 10 /* DescribeDcdnRefreshTaskById takes 10 ids */
#define PLAN_BUDGET_SHARE 0.8

/* A time window scanned page by page; EndTime is fixed when it begins so
 * that pages stay stable, and an unfinished one resumes where it stopped. */
typedef struct {
  time_t start;
  time_t end;
  long page;      /* the next page, from 1 */
  long last_page; /* 0 until an answer tells TotalCount */
} plan_window_t;

/* One stream of tasks (the whole account, or one domain and object type),
 * known completely up to covered_until. */
typedef struct {
  time_t covered_until; /* 0: never scanned to the end yet */
  bool scanning;
  plan_window_t window;
} plan_cursor_t;

/* Calls one interval may spend: about 80 % of RateLimit x Interval. */
long plan_budget(double rate_limit, double interval);

/* The oldest StartTime the API and the Lookback allow at now. */
time_t plan_oldest(time_t now, int lookback);

/* Where the cursor's next window would start at now. */
time_t plan_next_start(const plan_cursor_t *c, time_t now, int lookback);

/* Starts the cursor's next window, ending at now, unless one is in
 * progress or the cursor is already covered up to now. extend_back (0:
 * none) reaches further back to re-read in-flight tasks. Returns true when
 * a window is there to scan. */
bool plan_cursor_begin(plan_cursor_t *c, time_t now, int lookback,
                       time_t extend_back);
/* The window's parameters; domain and type (domain mode) may be NULL and
 * TASK_TYPE_UNKNOWN. Never an empty value. Returns 0, or -1 out of memory. */
int plan_window_params(const plan_window_t *w, const char *domain,
                       task_type_t type, params_t *out);
/* Records a page's answer: its TotalCount and how many tasks it held.
 * Returns true if another page is due. A page with fewer than
 * PLAN_PAGE_SIZE tasks is the last whatever TotalCount says, so an absurd
 * TotalCount costs no extra call. */
bool plan_window_advance(plan_window_t *w, long total_count, size_t page_tasks);
/* Whether TotalCount promised pages beyond this short one (worth a word in
 * the log: the answer contradicts itself). Call before advancing. */
bool plan_total_overstated(const plan_window_t *w, long total_count,
                           size_t page_tasks);
/* The window is done: the cursor is covered up to its end. */
void plan_cursor_finish(plan_cursor_t *c);

/* Tasks still in flight that the next window does not reach, and what is
 * known of the time range between them and the window. */
typedef struct {
  size_t in_flight;        /* how many */
  time_t oldest_in_flight; /* the oldest one's CreationTime */
  size_t known_in_range;   /* tracked tasks in [oldest, window start) */
  long expected_new;       /* tasks the new window will hold anyway */
} plan_refresh_input_t;

typedef enum {
  PLAN_REFRESH_NONE,   /* nothing in flight outside the window */
  PLAN_REFRESH_RESCAN, /* start the window at the oldest in-flight task */
  PLAN_REFRESH_BYID    /* look them up, 10 ids a call */
} plan_refresh_t;

/* Counts the calls of both ways; the cheaper wins (a tie re-scans). */
plan_refresh_t plan_choose_refresh(const plan_refresh_input_t *in);
long plan_pages(long tasks);

/* Ids for DescribeDcdnRefreshTaskById, consumed a batch at a time. */
typedef struct {
  uint64_t *ids;
  size_t count;
  size_t next;
  size_t cap;
} plan_idqueue_t;

int plan_idqueue_push(plan_idqueue_t *q, uint64_t id);
bool plan_idqueue_empty(const plan_idqueue_t *q);
/* TaskId=<up to 10 comma-separated ids> for the next batch, which the
 * caller then takes with plan_idqueue_pop. */
int plan_idqueue_params(const plan_idqueue_t *q, params_t *out);
void plan_idqueue_pop(plan_idqueue_t *q);
void plan_idqueue_clear(plan_idqueue_t *q);
void plan_idqueue_free(plan_idqueue_t *q);

#endif
