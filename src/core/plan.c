#include "core/plan.h"

#include "core/grow.h"
#include "core/isotime.h"
#include "core/strbuf.h"

#include <inttypes.h>
#include <math.h>
#include <stdlib.h>

long plan_budget(double rate_limit, double interval) {
  /* The epsilon keeps 0.8 x 0.7 x 300 = 167.99999... at 168. */
  long budget = (long)floor(PLAN_BUDGET_SHARE * rate_limit * interval + 1e-9);
  return budget > 0 ? budget : 1;
}

long plan_quota_reserve(long wanted, long budget_left) {
  long most = budget_left - 1;
  /* Many (ESA: one per site and purge type) take a quarter at most: the
   * lists come first, and a quota's figure changes slowly. */
  if (wanted > 1 && most > budget_left / 4)
    most = budget_left / 4 > 1 ? budget_left / 4 : 1;
  if (wanted <= 0 || most <= 0)
    return 0;
  return wanted < most ? wanted : most;
}

double plan_next_poll(double last_start, double interval, double ended) {
  double next = last_start + interval;
  double gap = interval < PLAN_POLL_GAP ? interval : PLAN_POLL_GAP;
  return next > ended + gap ? next : ended + gap;
}

bool plan_poll_due(double now, double next, double interval, bool unsent,
                   plan_wait_t *wait) {
  wait->overdue = unsent && now >= next + interval;
  if (unsent || now < next) {
    /* Unsent values: the read callback wakes the thread when it takes
     * them; the timeout only lets the thread say the read is late. */
    wait->until = now < next ? next : now + interval;
    return false;
  }
  return true;
}

time_t plan_poll_now(time_t began, time_t api_now) {
  return api_now < began - PLAN_OVERLAP ? api_now : began;
}

time_t plan_scan_oldest(time_t now) {
  return now - PLAN_HISTORY + PLAN_HISTORY_MARGIN;
}

time_t plan_oldest(time_t now, int lookback) {
  time_t history = plan_scan_oldest(now);
  return now - lookback > history ? now - lookback : history;
}

time_t plan_keep_oldest(time_t now) { return now - PLAN_HISTORY; }

bool plan_cursor_ready(const plan_cursor_t *c, time_t now, int lookback) {
  return c != NULL && c->covered_until != 0 &&
         c->covered_from <= plan_oldest(now, lookback);
}

time_t plan_next_start(const plan_cursor_t *c, time_t now, int lookback) {
  time_t oldest = plan_oldest(now, lookback);
  if (!plan_cursor_ready(c, now, lookback))
    return oldest;
  time_t start = c->covered_until - PLAN_OVERLAP;
  return start > oldest ? start : oldest;
}

void plan_cursor_clamp(plan_cursor_t *c, time_t now) {
  if (c->covered_from > now)
    c->covered_until = c->covered_from = 0;
  if (c->covered_until > now)
    c->covered_until = now;
  if (c->scanning && c->window.end > now)
    plan_cursor_abandon(c);
}

void plan_cursor_cover(plan_cursor_t *c, time_t start, time_t end) {
  /* Coverage grows only over a contiguous range: a window that starts
   * after the old coverage ended leaves a gap, so it starts anew (and
   * nothing before it can be claimed as counted). */
  bool gap = c->covered_until == 0 || start > c->covered_until;
  if (gap || start < c->covered_from)
    c->covered_from = start;
  if ((gap && start > c->counted_from) || c->counted_from == 0 ||
      start < c->counted_from)
    c->counted_from = start;
  c->covered_until = end;
}

void plan_cursor_forget_before(plan_cursor_t *c, time_t oldest) {
  if (c->covered_until == 0 || c->covered_from >= oldest)
    return;
  if (c->covered_until < oldest) /* nothing of it is left to build on */
    c->covered_until = c->covered_from = c->counted_from = 0;
  else
    c->covered_from = oldest;
}

bool plan_was_counted(const plan_cursor_t *c, time_t created) {
  return c != NULL && c->covered_until != 0 && c->counted_from != 0 &&
         created >= c->counted_from && created < c->covered_from;
}

bool plan_is_history(const plan_cursor_t *c, time_t created) {
  return c == NULL || c->covered_until == 0 || created < c->covered_from;
}

/* Whether a page of the window was read: its pages are of its EndTime. */
static bool plan_window_read(const plan_window_t *w) {
  return w->page > 1 || w->last_page != 0;
}

/* The API refuses a StartTime after its now (its clock stepped back since
 * the window was planned): the window starts a little before now. An
 * earlier start only adds older tasks after the last page of a list that
 * is newest first, so the pages read stay valid. */
static void plan_window_clamp_start(plan_window_t *w, time_t now) {
  if (w->start <= now)
    return;
  w->start = now - PLAN_OVERLAP;
  if (w->covers_from > w->start)
    w->covers_from = w->start;
}

/* An EndTime after now would claim, once read, tasks not created yet. A
 * window not read yet ends at now; one read in part only when it is more
 * than the overlap ahead (the next window re-reads that much, and the
 * Date's rounding moves now a second either way), and then from page 1:
 * another EndTime moves every task of the list to another page. */
static void plan_window_clamp_end(plan_window_t *w, time_t now) {
  bool read = plan_window_read(w);
  if (w->end <= now || (read && w->end <= now + PLAN_OVERLAP))
    return;
  w->end = now;
  w->page = 1;
  w->last_page = 0;
}

bool plan_window_clamp(plan_window_t *w, time_t now) {
  time_t oldest = plan_scan_oldest(now);
  if (w->start < oldest)
    w->start = oldest;
  plan_window_clamp_start(w, now);
  plan_window_clamp_end(w, now);
  return w->start <= w->end;
}

void plan_window_begin(plan_cursor_t *c, time_t start, time_t now,
                       int page_size) {
  time_t oldest = plan_scan_oldest(now);
  start = start > oldest ? start : oldest;
  c->window = (plan_window_t){start, now, 1, 0, page_size, start};
  c->scanning = true;
}

void plan_cursor_abandon(plan_cursor_t *c) { c->scanning = false; }

bool plan_cursor_resumes(const plan_cursor_t *c) {
  return c->scanning && plan_window_read(&c->window);
}

bool plan_cursor_begin(plan_cursor_t *c, time_t now, int lookback,
                       time_t extend_back, int page_size) {
  /* A window begun but never read can still move its end to now: no page
   * of it was seen yet. */
  if (!plan_cursor_resumes(c))
    plan_cursor_abandon(c);
  if (c->scanning)
    return true;
  if (c->covered_until >= now && plan_cursor_ready(c, now, lookback))
    return false;
  time_t start = plan_next_start(c, now, lookback);
  if (extend_back != 0 && extend_back < start)
    start = extend_back;
  plan_window_begin(c, start, now, page_size);
  return true;
}

int plan_window_params(const plan_window_t *w, params_t *out) {
  char start[ISOTIME_LEN], end[ISOTIME_LEN];
  isotime_format(w->start, start);
  isotime_format(w->end, end);
  int status = params_add(out, "StartTime", start) |
               params_add(out, "EndTime", end) |
               params_add_long(out, "PageSize", w->page_size) |
               params_add_long(out, "PageNumber", w->page);
  return status;
}

long plan_pages(long tasks, int page_size) {
  return tasks / page_size + (tasks % page_size != 0);
}

bool plan_total_overstated(const plan_window_t *w, long total_count,
                           size_t page_tasks) {
  return page_tasks < (size_t)w->page_size &&
         plan_pages(total_count, w->page_size) > w->page;
}

bool plan_window_advance(plan_window_t *w, long total_count,
                         size_t page_tasks) {
  long pages = plan_total_overstated(w, total_count, page_tasks)
                   ? w->page
                   : plan_pages(total_count, w->page_size);
  w->last_page = pages < PLAN_MAX_PAGE ? pages : PLAN_MAX_PAGE;
  if (w->page >= w->last_page)
    return false;
  w->page++;
  return true;
}

void plan_cursor_finish(plan_cursor_t *c) {
  plan_cursor_cover(c, c->window.covers_from, c->window.end);
  c->scanning = false;
}

plan_refresh_t plan_choose_refresh(const plan_refresh_input_t *in) {
  if (in->in_flight == 0)
    return PLAN_REFRESH_NONE;
  long expected = in->expected_new > 0 ? in->expected_new : 0;
  /* A window holds its own new tasks either way: count only the extra. */
  long rescan = plan_pages(expected + (long)in->known_in_range, in->page_size) -
               plan_pages(expected, in->page_size);
  long byid = (long)((in->in_flight + PLAN_BYID_BATCH - 1) / PLAN_BYID_BATCH);
  return rescan <= byid ? PLAN_REFRESH_RESCAN : PLAN_REFRESH_BYID;
}

int plan_idqueue_push(plan_idqueue_t *q, uint64_t id) {
  if (grow_for_one((void **)&q->ids, &q->cap, q->count, sizeof(*q->ids)))
    return -1;
  q->ids[q->count++] = id;
  return 0;
}

bool plan_idqueue_empty(const plan_idqueue_t *q) { return q->next >= q->count; }

int plan_idqueue_params(const plan_idqueue_t *q, params_t *out) {
  strbuf_t ids = STRBUF_INIT;
  for (size_t i = q->next; i < q->count && i < q->next + PLAN_BYID_BATCH; i++)
    strbuf_printf(&ids, "%s%" PRIu64, i > q->next ? "," : "", q->ids[i]);
  const char *s = strbuf_str(&ids);
  int status = s != NULL && *s != '\0' ? params_add(out, "TaskId", s) : -1;
  strbuf_free(&ids);
  return status;
}

void plan_idqueue_pop(plan_idqueue_t *q) {
  q->next += PLAN_BYID_BATCH;
  if (q->next >= q->count)
    plan_idqueue_clear(q);
}

void plan_idqueue_clear(plan_idqueue_t *q) { q->count = q->next = 0; }

void plan_idqueue_free(plan_idqueue_t *q) {
  free(q->ids);
  *q = (plan_idqueue_t){0};
}
