#include "dcdn_config.h"

#include "collectd.h"

#include "plugin.h"
#include "shell/dispatch.h"
#include "utils/common/common.h"

#include "core/gauges.h"

#include <math.h>
#include <stdlib.h>

static void dispatch_value(const char *plugin_instance, const char *type,
                           const char *type_instance, value_t value) {
  value_list_t vl = VALUE_LIST_INIT;
  vl.values = &value;
  vl.values_len = 1;
  sstrncpy(vl.plugin, "dcdn", sizeof(vl.plugin));
  sstrncpy(vl.plugin_instance, plugin_instance, sizeof(vl.plugin_instance));
  sstrncpy(vl.type, type, sizeof(vl.type));
  sstrncpy(vl.type_instance, type_instance, sizeof(vl.type_instance));
  plugin_dispatch_values(&vl);
}

static void dispatch_gauge(const char *pi, const char *type, const char *ti,
                           double v) {
  dispatch_value(pi, type, ti, (value_t){.gauge = v});
}

static void dispatch_derive(const char *pi, const char *type, const char *ti,
                            uint64_t v) {
  dispatch_value(pi, type, ti, (value_t){.derive = (derive_t)v});
}

/* Counters, completion times, the oldest task in flight and mean
 * progress of one domain and type. */
static void dispatch_lifecycle(const account_t *a, uint32_t d, unsigned t,
                               const gauges_t *counts, time_t now) {
  const char *domain = a->watch.domains.entries[d].name;
  const char *type = task_type_name((task_type_t)t);
  const lifetime_entry_t *e = lifetime_get(&a->watch.lifetime, d, t);
  char ti[DATA_MAX_NAME_LEN];
  ssnprintf(ti, sizeof(ti), "%s-completed", type);
  dispatch_derive(domain, "total_operations", ti, e ? e->completed : 0);
  ssnprintf(ti, sizeof(ti), "%s-failed", type);
  dispatch_derive(domain, "total_operations", ti, e ? e->failed : 0);
  if (e != NULL && e->completion_count > 0) {
    ssnprintf(ti, sizeof(ti), "%s-completion_mean", type);
    dispatch_gauge(domain, "duration", ti,
                   e->completion_sum / e->completion_count);
    ssnprintf(ti, sizeof(ti), "%s-completion_max", type);
    dispatch_gauge(domain, "duration", ti, e->completion_max);
  }
  time_t oldest = counts->oldest_in_flight[t];
  ssnprintf(ti, sizeof(ti), "%s-oldest_in_flight", type);
  dispatch_gauge(domain, "duration", ti,
                 oldest && now > oldest ? (double)(now - oldest) : 0.0);
  unsigned long in_flight = counts->count[t][TASK_STATUS_PENDING] +
                            counts->count[t][TASK_STATUS_REFRESHING];
  if (in_flight > 0) {
    ssnprintf(ti, sizeof(ti), "%s-progress", type);
    dispatch_gauge(domain, "percent", ti,
                   counts->progress_sum[t] / (double)in_flight);
  }
}

/* Counts of one domain's ready types; returns the stalest coverage, 0
 * when a type is not known completely over the Lookback. */
static time_t dispatch_domain(const account_t *a, uint32_t d,
                              const gauges_t *counts, time_t now) {
  const watch_t *w = &a->watch;
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
    /* Until a type has been read completely over the Lookback (after a
     * cold start, a new domain or type, a raised Lookback), its counts
     * would be invented: send none. */
    if (!watch_ready(w, d, t, now)) {
      all_ready = false;
      continue;
    }
    for (unsigned s = 0; s < TASK_STATUS_COUNT; s++) {
      char ti[DATA_MAX_NAME_LEN];
      ssnprintf(ti, sizeof(ti), "%s-%s", task_type_name((task_type_t)t),
                task_status_name((task_status_t)s));
      dispatch_gauge(domain->name, "count", ti, (double)counts->count[t][s]);
    }
    dispatch_lifecycle(a, d, t, counts, now);
  }
  return all_ready ? stalest : 0;
}

/* Unknown (NaN) until read completely once: a dashboard must not take a
 * domain never read for a fresh one. */
static double dispatch_staleness(time_t now, time_t covered) {
  return covered ? (double)(now - covered) : NAN;
}

/* count-quota-<kind> (the daily total) and count-remain-<kind>. */
static void dispatch_quota(const account_t *a) {
  for (size_t i = 0; a->have_quota && i < a->quota.count; i++) {
    const resp_quota_item_t *q = &a->quota.items[i];
    char ti[DATA_MAX_NAME_LEN];
    ssnprintf(ti, sizeof(ti), "%s-%s", q->remain ? "remain" : "quota", q->kind);
    dispatch_gauge(a->conf.name, "count", ti, q->value);
  }
}

static void dispatch_stats(const account_t *a, double staleness) {
  const selfstats_t *s = &a->api.stats;
  const char *name = a->conf.name;
  dispatch_derive(name, "total_requests", "calls", s->calls);
  dispatch_derive(name, "total_requests", "throttled", s->throttled);
  for (size_t i = 0; i < s->code_count; i++)
    dispatch_derive(name, "errors", s->codes[i].code, s->codes[i].count);
  if (s->latency_count > 0) {
    dispatch_gauge(name, "response_time", "api",
                   s->latency_sum / (double)s->latency_count);
    dispatch_gauge(name, "response_time", "api_max", s->latency_max);
  }
  dispatch_gauge(name, "duration", "staleness", staleness);
  dispatch_gauge(name, "count", "tracked_tasks", (double)a->watch.tasks.count);
  dispatch_gauge(name, "memory", "tracked_tasks",
                 (double)tasktable_bytes(&a->watch.tasks));
}

void dispatch_account(const account_t *a, time_t now) {
  const watch_t *w = &a->watch;
  double worst = 0;
  size_t reported = 0;
  gauges_t *counts = calloc(w->domains.count + 1, sizeof(*counts));
  if (counts != NULL) {
    gauges_count(&w->domains, &w->tasks, plan_oldest(now, a->conf.lookback),
                 plan_keep_oldest(now), counts);
    for (uint32_t d = 0; d < w->domains.count; d++) {
      if (w->domains.entries[d].type_mask == 0)
        continue; /* dormant: kept from a state file, not reported */
      reported++;
      double stale =
          dispatch_staleness(now, dispatch_domain(a, d, &counts[d], now));
      dispatch_gauge(w->domains.entries[d].name, "duration", "staleness",
                     stale);
      /* One domain never read makes the account's figure unknown too. */
      if (isnan(stale) || isnan(worst) || stale > worst)
        worst = isnan(worst) ? worst : stale;
    }
    free(counts);
  }
  if (reported == 0) /* Domain "*" before any task arrived */
    worst = dispatch_staleness(
        now, watch_wildcard_ready(w, now) ? watch_wildcard_covered(w) : 0);
  dispatch_stats(a, worst);
  dispatch_quota(a);
}
