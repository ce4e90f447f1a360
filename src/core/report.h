/* The values of one account's poll, built all at once from what the poll
 * left: a dispatch never sees an account half-updated, and the poll's
 * thread can go on while collectd's read thread sends them.
 *
 * Invariants: every value's plugin_instance and type_instance are offsets
 * of NUL-terminated strings in text, which the report owns; values are in
 * the order they are sent. Pure: the shell (shell/dispatch.c) sends them
 * with the time of the poll that produced them. */
#ifndef DCDN_REPORT_H
#define DCDN_REPORT_H

#include "core/resp.h"
#include "core/selfstats.h"
#include "core/strbuf.h"
#include "core/watch.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

typedef struct {
  uint32_t plugin_instance; /* offset in text */
  uint32_t type_instance;   /* offset in text */
  const char *type;         /* a collectd type: static storage */
  bool derive;              /* a DERIVE value, else a GAUGE */
  double gauge;
  uint64_t counter;
} report_value_t;

typedef struct {
  report_value_t *values;
  size_t count;
  size_t cap;
  strbuf_t text; /* the NUL-terminated names, one after the other */
  const char *plugin; /* collectd's plugin field: the product's name */
} report_t;

#define REPORT_INIT                                                            \
  { NULL, 0, 0, STRBUF_INIT, "dcdn" }

/* One site's quota (ESA): sent under the name of the site's owner. */
typedef struct {
  char site[CONF_MAX_DOMAIN_LEN + 1]; /* the site's owner (sites_owner) */
  resp_quota_t quota;
} report_site_quota_t;

/* What a report is built from: the account after its poll. */
typedef struct {
  const char *plugin;        /* static: the product's name ("dcdn", "cdn") */
  const char *account;       /* plugin_instance of the account's own values */
  const watch_t *watch;      /* tasks, streams, domains and their Report */
  const selfstats_t *stats;  /* calls, errors, latency */
  const resp_quota_t *quota; /* NULL: no quota this interval */
  const report_site_quota_t *site_quotas; /* ESA's, per site */
  size_t site_quota_count;
  time_t now;                /* the API's time when the poll began */
  /* Seconds the account's last read callback took in collectd's read
   * thread (sending the values before these); negative: none yet. */
  double read_seconds;
} report_input_t;

/* One (domain, object type) stream's figures after a poll. */
typedef struct report_stream report_stream_t;

/* One row per value a ready (domain, object type) stream sends: its Report
 * family, collectd type and type_instance suffix ("<type>-<suffix>").
 * value() returns false when there is no figure this interval (no
 * completion, nothing in flight), and then nothing is sent. */
typedef struct {
  unsigned family; /* CONF_REPORT_* */
  const char *type;
  const char *suffix;
  bool derive;
  int arg; /* the row's own parameter: a task_status_t for counts */
  bool (*value)(const report_stream_t *s, int arg, double *out);
} report_metric_t;

extern const report_metric_t report_metrics[];
extern const size_t report_metric_count;

/* Fills *out (REPORT_INIT or freed) with the account's values. Returns 0,
 * or -1 when out of memory (then *out is empty). */
int report_build(const report_input_t *in, report_t *out);
const char *report_text(const report_t *r, uint32_t offset);
void report_free(report_t *r);

#endif
