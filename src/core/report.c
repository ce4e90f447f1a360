#include "core/report.h"

#include "core/gauges.h"
#include "core/grow.h"
#include "core/plan.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct report_stream {
  const gauges_t *counts;       /* the domain's */
  const lifetime_entry_t *life; /* NULL: nothing finished yet */
  unsigned type;
  time_t now;
};

static bool report_count(const report_stream_t *s, int status, double *out) {
  *out = (double)s->counts->count[s->type][status];
  return true;
}

/* The row's arg says which figure of the lifetime entry. */
enum { REPORT_COMPLETED, REPORT_FAILED, REPORT_MEAN, REPORT_MAX };

static bool report_outcomes(const report_stream_t *s, int which, double *out) {
  const lifetime_entry_t *e = s->life;
  *out = e == NULL                ? 0
         : which == REPORT_FAILED ? (double)e->failed
                                  : (double)e->completed;
  return true;
}

/* Completion times exist only for an interval that saw completions. */
static bool report_completion(const report_stream_t *s, int which,
                              double *out) {
  const lifetime_entry_t *e = s->life;
  if (e == NULL || e->completion_count == 0)
    return false;
  *out = which == REPORT_MAX ? e->completion_max
                             : e->completion_sum / e->completion_count;
  return true;
}

static bool report_oldest(const report_stream_t *s, int arg, double *out) {
  (void)arg;
  time_t oldest = s->counts->oldest_in_flight[s->type];
  *out = oldest && s->now > oldest ? (double)(s->now - oldest) : 0.0;
  return true;
}

static unsigned long report_in_flight(const report_stream_t *s) {
  return s->counts->count[s->type][TASK_STATUS_PENDING] +
         s->counts->count[s->type][TASK_STATUS_REFRESHING];
}

/* The mean progress of the tasks in flight: none, no figure. */
static bool report_progress(const report_stream_t *s, int arg, double *out) {
  (void)arg;
  unsigned long n = report_in_flight(s);
  if (n == 0)
    return false;
  *out = s->counts->progress_sum[s->type] / (double)n;
  return true;
}

const report_metric_t report_metrics[] = {
    {CONF_REPORT_COUNTS, "count", "pending", false, TASK_STATUS_PENDING,
     report_count},
    {CONF_REPORT_COUNTS, "count", "refreshing", false, TASK_STATUS_REFRESHING,
     report_count},
    {CONF_REPORT_COUNTS, "count", "complete", false, TASK_STATUS_COMPLETE,
     report_count},
    {CONF_REPORT_COUNTS, "count", "failed", false, TASK_STATUS_FAILED,
     report_count},
    {CONF_REPORT_RATES, "total_operations", "completed", true,
     REPORT_COMPLETED, report_outcomes},
    {CONF_REPORT_RATES, "total_operations", "failed", true, REPORT_FAILED,
     report_outcomes},
    {CONF_REPORT_DURATIONS, "duration", "completion_mean", false, REPORT_MEAN,
     report_completion},
    {CONF_REPORT_DURATIONS, "duration", "completion_max", false, REPORT_MAX,
     report_completion},
    {CONF_REPORT_DURATIONS, "duration", "oldest_in_flight", false, 0,
     report_oldest},
    {CONF_REPORT_PROGRESS, "percent", "progress", false, 0, report_progress},
};
const size_t report_metric_count =
    sizeof(report_metrics) / sizeof(report_metrics[0]);

static uint32_t report_add_text(report_t *r, const char *s) {
  uint32_t at = (uint32_t)r->text.len;
  strbuf_append_len(&r->text, s, strlen(s) + 1);
  return at;
}

/* A failure shows at the end, in text's sticky error or a short count. */
static void report_add(report_t *r, uint32_t plugin_instance,
                       const char *type, const char *type_instance,
                       bool derive, double value) {
  uint32_t ti = report_add_text(r, type_instance);
  if (grow_for_one((void **)&r->values, &r->cap, r->count,
                   sizeof(*r->values)) != 0) {
    r->text.error = STRBUF_NO_MEMORY;
    return;
  }
  r->values[r->count++] = (report_value_t){
      plugin_instance, ti, type, derive, derive ? 0 : value,
      derive ? (uint64_t)value : 0};
}

/* A ready stream's values, as its domain's Report asks. */
static void report_stream(report_t *r, uint32_t pi, unsigned report,
                          const report_stream_t *s) {
  const char *type = task_type_name((task_type_t)s->type);
  for (size_t i = 0; i < report_metric_count; i++) {
    const report_metric_t *m = &report_metrics[i];
    double value;
    if (!(report & m->family) || !m->value(s, m->arg, &value))
      continue;
    char ti[128];
    snprintf(ti, sizeof(ti), "%s-%s", type, m->suffix);
    report_add(r, pi, m->type, ti, m->derive, value);
  }
}

/* One domain's ready streams; returns the stalest coverage, 0 when a
 * type is not known completely over the Lookback: until then its counts
 * would be invented, and none are sent. */
static time_t report_domain(report_t *r, const report_input_t *in, uint32_t d,
                            uint32_t pi, const gauges_t *counts) {
  const watch_t *w = in->watch;
  const domtab_entry_t *domain = &w->domains.entries[d];
  time_t stalest = 0;
  bool first = true, all_ready = true;
  for (unsigned t = 0; t < TASK_TYPE_COUNT; t++) {
    if (!watch_reports(w, d, t))
      continue;
    time_t covered = watch_covered(w, d, t);
    if (first || covered < stalest)
      stalest = covered;
    first = false;
    if (!watch_ready(w, d, t, in->now)) {
      all_ready = false;
      continue;
    }
    report_stream_t s = {counts, lifetime_get(&w->lifetime, d, t), t, in->now};
    report_stream(r, pi, domain->report, &s);
  }
  return all_ready ? stalest : 0;
}

/* Unknown (NaN) until read completely once: a dashboard must not take a
 * domain never read for a fresh one. */
static double report_staleness(time_t now, time_t covered) {
  return covered ? (double)(now - covered) : NAN;
}

/* The domains' values; returns the account's staleness: the worst of its
 * domains', unknown while one is. */
static double report_domains(report_t *r, const report_input_t *in) {
  const watch_t *w = in->watch;
  double worst = 0;
  size_t reported = 0;
  gauges_t *counts = calloc(w->domains.count + 1, sizeof(*counts));
  if (counts == NULL) {
    r->text.error = STRBUF_NO_MEMORY;
    return NAN;
  }
  gauges_count(&w->domains, &w->tasks, plan_oldest(in->now, w->lookback),
               plan_keep_oldest(in->now), counts);
  for (uint32_t d = 0; d < w->domains.count; d++) {
    const domtab_entry_t *domain = &w->domains.entries[d];
    if (domain->type_mask == 0)
      continue; /* dormant: kept from a state file, not reported */
    reported++;
    uint32_t pi = report_add_text(r, domain->name);
    double stale =
        report_staleness(in->now, report_domain(r, in, d, pi, &counts[d]));
    if (domain->report & CONF_REPORT_STALENESS)
      report_add(r, pi, "duration", "staleness", false, stale);
    if (isnan(stale) || isnan(worst) || stale > worst)
      worst = isnan(worst) ? worst : stale;
  }
  free(counts);
  if (reported == 0) /* Domain "*" before any task arrived */
    worst = report_staleness(
        in->now, watch_wildcard_ready(w, in->now) ? watch_wildcard_covered(w)
                                                  : 0);
  return worst;
}

/* count-quota-<kind> (the daily total), count-remain-<kind> and
 * count-used-<kind>. */
static void report_quota(report_t *r, uint32_t pi, const resp_quota_t *q) {
  for (size_t i = 0; q != NULL && i < q->count; i++) {
    char ti[128];
    snprintf(ti, sizeof(ti), "%s-%s",
             resp_quota_figure_names[q->items[i].figure],
             q->items[i].kind);
    report_add(r, pi, "count", ti, false, q->items[i].value);
  }
}

/* The account's own values: its calls, errors, latency, staleness, tracked
 * tasks and quota, whatever its domains' Report. */
static void report_account(report_t *r, const report_input_t *in,
                           double staleness) {
  const selfstats_t *s = in->stats;
  uint32_t pi = report_add_text(r, in->account);
  report_add(r, pi, "total_requests", "calls", true, (double)s->calls);
  report_add(r, pi, "total_requests", "throttled", true, (double)s->throttled);
  for (size_t i = 0; i < s->code_count; i++)
    report_add(r, pi, "errors", s->codes[i].code, true,
               (double)s->codes[i].count);
  if (s->latency_count > 0) {
    report_add(r, pi, "response_time", "api", false,
               s->latency_sum / (double)s->latency_count);
    report_add(r, pi, "response_time", "api_max", false, s->latency_max);
  }
  report_add(r, pi, "duration", "staleness", false, staleness);
  if (in->read_seconds >= 0)
    report_add(r, pi, "duration", "read_callback", false, in->read_seconds);
  report_add(r, pi, "count", "tracked_tasks", false,
             (double)in->watch->tasks.count);
  report_add(r, pi, "memory", "tracked_tasks", false,
             (double)tasktable_bytes(&in->watch->tasks));
  report_quota(r, pi, in->quota);
}

int report_build(const report_input_t *in, report_t *out) {
  *out = (report_t)REPORT_INIT;
  out->plugin = in->plugin;
  report_account(out, in, report_domains(out, in));
  for (size_t i = 0; i < in->site_quota_count; i++)
    report_quota(out, report_add_text(out, in->site_quotas[i].site),
                 &in->site_quotas[i].quota);
  if (out->text.error != STRBUF_OK) {
    report_free(out);
    return -1;
  }
  return 0;
}

const char *report_text(const report_t *r, uint32_t offset) {
  return offset < r->text.len ? r->text.data + offset : "";
}

void report_free(report_t *r) {
  free(r->values);
  strbuf_free(&r->text);
  *r = (report_t)REPORT_INIT;
}
