/* What one account knows of its tasks, and every decision a poll makes on
 * it: which windows to read and in which order, how to refresh the tasks
 * in flight, what a task's sighting means, what a failed call means (end
 * the poll, switch to domain mode, fail one pair only, stop asking for
 * something the key may not do), and what expires. Pure: "now" is passed
 * in, and the shell (poll.c) makes the calls the watch asks for.
 *
 * Only reported streams are tracked: a (domain, object type) pair that is
 * configured (or found, with Domain "*"). Tasks of other domains and types
 * are dropped when seen, so no call is spent refreshing them, and a stream
 * that becomes reported (a restart with a new domain or type) is read back
 * over the whole Lookback as on a cold start. */
#ifndef DCDN_WATCH_H
#define DCDN_WATCH_H

#include "core/conf.h"
#include "core/domtab.h"
#include "core/lifecycle.h"
#include "core/lifetime.h"
#include "core/plan.h"
#include "core/streams.h"
#include "core/task.h"
#include "core/tasktable.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

typedef struct {
  int lookback;
  int page_size; /* of the product's list pages */
  conf_query_mode_t query_mode;
  domtab_t domains;
  tasktable_t tasks;
  lifetime_t lifetime;
  streams_t streams;
  /* Account mode: the account-wide window in progress (its coverage is
   * kept per stream, not here). */
  plan_cursor_t scan;
  plan_idqueue_t by_id;   /* in-flight tasks to look up */
  bool domain_mode;       /* QueryMode domain, or auto after Forbidden.RAM */
  /* Tasks are listed site by site (ESA): the domains of one site share
   * what a query of one of them reads. */
  bool by_site;
  unsigned hostless_types; /* of the product: they count for a site's owner */
  bool byid_refused;      /* the key may not look tasks up by id */
  bool quota_refused;     /* the key may not read the quota */
  long window_new_tasks;  /* tasks first seen by the current window */
  long last_window_tasks; /* what the last window held: the next estimate */
  /* This process sends no notifications (another one holds the state:
   * collectd -T beside the daemon), so it marks no task as warned about. */
  bool muted;
  unsigned long polls;    /* begun so far: the refused pairs' turns */
} watch_t;

/* Copies the account's domains and settings. Returns 0, or -1 when out of
 * memory (then free it with watch_free). */
int watch_init(watch_t *w, const conf_account_t *conf);
void watch_free(watch_t *w);

/* Whether the domain number and type are reported. */
bool watch_reports(const watch_t *w, uint32_t domain, unsigned type);
/* Whether Domain "*" reports the type for the domains it finds. */
bool watch_wildcard_reports(const watch_t *w, unsigned type);
/* Whether a reported stream is known completely over the Lookback, and how
 * far (0: never). */
bool watch_ready(const watch_t *w, uint32_t domain, unsigned type, time_t now);
time_t watch_covered(const watch_t *w, uint32_t domain, unsigned type);
/* Domain "*" before any task named a domain: whether the account has been
 * read completely once (for its staleness). */
bool watch_wildcard_ready(const watch_t *w, time_t now);
time_t watch_wildcard_covered(const watch_t *w);

/* ---- a poll ---- */

/* The start of a poll: no cursor claims time after now (the clock stepped
 * back, or the state came from a clock ahead of this one). */
void watch_begin_poll(watch_t *w, time_t now);

typedef enum {
  WATCH_TRACKED,      /* tracked; see events */
  WATCH_NOT_REPORTED, /* a domain or type nobody reports: dropped */
  WATCH_TOO_OLD,      /* new, and older than the Lookback (met while a
                         re-scan reached back for a task in flight) */
  WATCH_BAD_TASK_ID,  /* not 1..19 digits */
  WATCH_BAD_HOST,     /* ObjectPath has no valid host name */
  WATCH_NO_MEMORY
} watch_verdict_t;

typedef struct {
  watch_verdict_t verdict;
  uint32_t domain; /* WATCH_TRACKED: the domain number */
  lifecycle_events_t events;
} watch_seen_t;

/* A task as an answer showed it: tracked, counted and judged (what is to
 * be notified is in out->events; the caller checks the domain's Notify). */
void watch_observe(watch_t *w, const task_t *task, time_t now,
                   watch_seen_t *out);

/* Account mode. Begins the account-wide window (or resumes one a page of
 * which was read), from the oldest point any reported stream needs, and
 * decides how the tasks in flight it does not reach are refreshed: the
 * window reaches back to them, or their ids are queued. Returns 1 when
 * there is a window to scan, 0 when every stream is covered up to now, -1
 * when out of memory. */
int watch_account_begin(watch_t *w, time_t now);
/* The account-wide window was read to its end: every reported stream is
 * covered over it. */
void watch_account_done(watch_t *w);

/* Domain mode: one (domain, type) query stream. */
typedef struct {
  uint32_t domain;
  unsigned type;
} watch_pair_t;

/* The reported pairs, stalest first (never read, or not read back over the
 * whole Lookback, first), those whose last query failed after all others,
 * taking turns from poll to poll: refused pairs never take the granted
 * ones' budget, and each is retried as the budget allows. Fills *pairs
 * (free it); returns the count, or -1 when out of memory. */
long watch_domain_order(const watch_t *w, time_t now, watch_pair_t **pairs);
/* Queues the ids of tasks in flight that their streams' next windows do
 * not reach (unless the last batch is still being worked off, or the key
 * may not look them up). Returns 0, or -1 when out of memory. */
int watch_queue_left_behind(watch_t *w, time_t now);
/* Begins the pair's window, reaching back to its oldest task in flight when
 * the key may not look tasks up by id. Listed by site, the window reaches
 * as far back as any pair of the same site and type needs (it reads their
 * tasks too); a domain whose site is not known yet has none. Returns true
 * when there is one. */
bool watch_pair_begin(watch_t *w, watch_pair_t pair, time_t now);
/* The pair's window was read to its end; listed by site, the other pairs
 * of its site and type are covered by it as well. */
void watch_pair_done(watch_t *w, watch_pair_t pair);

/* What a call was for. */
typedef enum {
  WATCH_CALL_ACCOUNT_LIST, /* an account-wide DescribeDcdnRefreshTasks */
  WATCH_CALL_PAIR_LIST,    /* DomainName + ObjectType */
  WATCH_CALL_BY_ID,
  WATCH_CALL_QUOTA
} watch_call_t;

/* What a failed call means. */
typedef enum {
  WATCH_FAIL_POLL,          /* the account's trouble: the poll ends */
  WATCH_FAIL_SWITCH,        /* auto: the account-wide list was refused */
  WATCH_FAIL_PAIR,          /* this pair's own trouble: the others go on */
  WATCH_FAIL_BYID_REFUSED,  /* re-scan instead, from now on */
  WATCH_FAIL_QUOTA_REFUSED, /* stop asking */
} watch_failure_t;

/* Classifies a call's failure (code "" when the answer had none; status 0
 * when there was no answer) and records what follows from it: domain mode,
 * by-id or quota refused, a site gone (SiteNotFound: the domains that
 * found it with ListSites look it up again). For WATCH_FAIL_PAIR, *first tells whether the
 * pair was not failing before (worth one log line). */
watch_failure_t watch_on_failure(watch_t *w, watch_call_t call,
                                 const watch_pair_t *pair, const char *code,
                                 long http_status, bool *first);
/* Whether the pair's last query failed. */
bool watch_pair_failing(const watch_t *w, watch_pair_t pair);
/* A pair's query succeeded; returns true when it had been failing. */
bool watch_pair_recovered(watch_t *w, watch_pair_t pair);

/* The end of a poll: drops what left the Lookback (finished) or the API's
 * three days (in flight). */
void watch_expire(watch_t *w, time_t now);

#endif
