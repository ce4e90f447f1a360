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

#define PLAN_PAGE_SIZE 50    /* DCDN's maximum (a product's is its row's) */
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
  time_t start; /* the StartTime asked for: moves up with the API's edge */
  time_t end;
  long page;      /* the next page, from 1 */
  long last_page; /* 0 until an answer tells TotalCount */
  int page_size;  /* tasks a full page holds: the product's PageSize */
  /* What the window covers once read: its start when it began. What lies
   * between it and a start moved up by the API's edge left the API (and
   * the counts) during the scan: nothing of it is missing. */
  time_t covers_from;
} plan_window_t;

/* One stream of tasks (one domain and object type, or the account-wide
 * scan), known completely from covered_from to covered_until. A stream is
 * ready (its counts true) once it is known back to the oldest time that
 * Lookback asks for: a raised Lookback makes it unready until the older
 * history is read. */
typedef struct {
  time_t covered_until; /* 0: never scanned to the end yet */
  time_t covered_from;  /* the oldest CreationTime known completely */
  /* The oldest CreationTime the lifetime counters have counted from: it
   * stays when a lowered Lookback drops what is older than covered_from,
   * so that such a task read again (the Lookback raised once more) is not
   * counted, or notified, a second time. 0: nothing counted yet. */
  time_t counted_from;
  bool scanning;
  bool failing; /* domain mode: its last query failed (logged once) */
  plan_window_t window;
} plan_cursor_t;

/* Calls one interval may spend: about 80 % of RateLimit x Interval. */
long plan_budget(double rate_limit, double interval);
/* Of budget_left, the calls kept for the quota's wanted ones: one call
 * while another is left for the lists; several (ESA's per site and type)
 * a quarter of budget_left at most (at least one, leaving one). */
long plan_quota_reserve(long wanted, long budget_left);

/* A poll begins at least this long after the last one ended (or one
 * Interval, when that is shorter): a writer never gets two values of a
 * series less than a second apart (rrdtool refuses them, and collectd's
 * write threads may handle them out of order). */
#define PLAN_POLL_GAP 1.0

/* When an account's next poll begins (its own thread keeps the schedule,
 * in seconds of a monotonic clock): one interval after the last began, or
 * PLAN_POLL_GAP after the last ended when that is later (a poll that took
 * longer than its interval), never in a burst of the polls it missed. */
double plan_next_poll(double last_start, double interval, double ended);

typedef struct {
  double until; /* wait until then, or until woken */
  bool overdue; /* the last values have waited a whole interval past due */
} plan_wait_t;

/* Whether the account's thread polls now: when next has come and the last
 * poll's values have been sent (unsent false). A read thread held up by
 * other plugins delays the next poll instead of piling up polls: no value
 * is queued, dropped or sent twice in one read, and the next poll's
 * figures cover the time. Otherwise fills *wait. */
bool plan_poll_due(double now, double next, double interval, bool unsent,
                   plan_wait_t *wait);

/* The poll's now: the API's time when it began (began), moved back to
 * api_now when an answer told that the API's clock is more than
 * PLAN_OVERLAP behind it (stepped back; less is the Date's rounding), so
 * that the poll's values (staleness) and judgments follow the API's
 * clock, never one it left. */
time_t plan_poll_now(time_t began, time_t api_now);

/* The oldest StartTime the API accepts at now (its three days, less a
 * margin for the time between planning and arrival). */
time_t plan_scan_oldest(time_t now);
/* The oldest StartTime the API and the Lookback allow at now. */
time_t plan_oldest(time_t now, int lookback);
/* Tasks created before this are gone from the API: a task still in flight
 * is kept (counted, refreshed) until it is final or this old. */
time_t plan_keep_oldest(time_t now);

/* Whether the stream is known completely over the whole Lookback. */
bool plan_cursor_ready(const plan_cursor_t *c, time_t now, int lookback);
/* Where the cursor's next window would start at now: the oldest time when
 * the stream is not ready, else a little before its coverage ends. */
time_t plan_next_start(const plan_cursor_t *c, time_t now, int lookback);
/* A cursor never claims time that has not come yet (the clock stepped
 * back, or a state file came from a host ahead of us): clamped to now. */
void plan_cursor_clamp(plan_cursor_t *c, time_t now);
/* Records that [start, end] was read completely. */
void plan_cursor_cover(plan_cursor_t *c, time_t start, time_t end);
/* The Lookback's oldest time has passed covered_from: what is older was
 * dropped, so it is no longer known (counted_from remembers it). */
void plan_cursor_forget_before(plan_cursor_t *c, time_t oldest);
/* Whether a task first seen now, created then, was counted (and judged)
 * before its stream forgot it: read again, it counts and tells nothing. */
bool plan_was_counted(const plan_cursor_t *c, time_t created);
/* Whether a task first seen now, created then, is history (the stream's
 * first reading, or older than anything watched before), so that its
 * failure is counted and not notified. c NULL: a stream never read. */
bool plan_is_history(const plan_cursor_t *c, time_t created);
/* Keeps the window inside the API's three days as time passes during a
 * long scan, and before the API's now (its clock stepped back since the
 * window was planned): a StartTime after now becomes PLAN_OVERLAP before
 * it, an EndTime after now becomes now (from page 1 again when pages of
 * the window were read, unless it is at most PLAN_OVERLAP ahead). Returns
 * false when nothing of the window is left. */
bool plan_window_clamp(plan_window_t *w, time_t now);

/* Starts the cursor's next window, ending at now, unless one is in
 * progress or the cursor is already covered up to now. extend_back (0:
 * none) reaches further back to re-read in-flight tasks (as far as the
 * API's three days, whatever the Lookback). A window begun but never read
 * (the budget ran out, or its first page failed) starts again at now.
 * Returns true when a window is there to scan. */
bool plan_cursor_begin(plan_cursor_t *c, time_t now, int lookback,
                       time_t extend_back, int page_size);
/* Starts a window [start, now] on the cursor (start is clamped to the
 * API's three days), read in pages of page_size tasks. */
void plan_window_begin(plan_cursor_t *c, time_t start, time_t now,
                       int page_size);
/* The window's time and page parameters (a stream's own are the
 * product's: product_pair_query). Never an empty value. Returns 0, or -1
 * when out of memory. */
int plan_window_params(const plan_window_t *w, params_t *out);
/* Records a page's answer: its TotalCount and how many tasks it held.
 * Returns true if another page is due. A page with fewer than the
 * window's page_size tasks is the last whatever TotalCount says, so an absurd
 * TotalCount costs no extra call. */
bool plan_window_advance(plan_window_t *w, long total_count, size_t page_tasks);
/* Whether TotalCount promised pages beyond this short one (worth a word in
 * the log: the answer contradicts itself). Call before advancing. */
bool plan_total_overstated(const plan_window_t *w, long total_count,
                           size_t page_tasks);
/* The window is done: the cursor is covered over it. */
void plan_cursor_finish(plan_cursor_t *c);
/* Whether the cursor is in a window a page of which was read: it resumes
 * where it stopped (a window begun but never read starts again at now). */
bool plan_cursor_resumes(const plan_cursor_t *c);
/* Forgets a window begun but not read to its end, so that the next one
 * starts afresh (a failure on its first page, or a stream reset). */
void plan_cursor_abandon(plan_cursor_t *c);

/* Tasks still in flight that the next window does not reach, and what is
 * known of the time range between them and the window. */
typedef struct {
  size_t in_flight;        /* how many */
  time_t oldest_in_flight; /* the oldest one's CreationTime */
  size_t known_in_range;   /* tracked tasks in [oldest, window start) */
  long expected_new;       /* tasks the new window will hold anyway */
  int page_size;           /* of the product's list pages */
} plan_refresh_input_t;

typedef enum {
  PLAN_REFRESH_NONE,   /* nothing in flight outside the window */
  PLAN_REFRESH_RESCAN, /* start the window at the oldest in-flight task */
  PLAN_REFRESH_BYID    /* look them up, 10 ids a call */
} plan_refresh_t;

/* Counts the calls of both ways; the cheaper wins (a tie re-scans). */
plan_refresh_t plan_choose_refresh(const plan_refresh_input_t *in);
/* The pages of page_size tasks that hold this many. */
long plan_pages(long tasks, int page_size);

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
