/* An account's own thread, as collectd's ping plugin owns its: it polls on
 * the account's schedule (most of a poll is spent asleep in the rate
 * limiter), so that collectd's read threads, which also serve the host's
 * cpu, memory and load, only send what the last complete poll found.
 *
 * Ownership: the worker lives inside its account_t; the thread reads and
 * writes the account freely (nothing else does while it runs), except
 * latest, which is handed over under lock. No lock is held across a call. */
#ifndef DCDN_WORKER_H
#define DCDN_WORKER_H

#include "collectd.h"

#include "core/report.h"

#include <pthread.h>
#include <stdbool.h>

typedef struct {
  pthread_t thread;
  bool ready; /* the lock and condition exist */
  bool started;
  pthread_mutex_t lock;
  pthread_cond_t wake;
  /* Under lock: */
  bool stop;
  /* The last complete poll's values, not sent yet, and the time it ended
   * (its values' time). The next poll waits until they are sent
   * (core/plan.h, plan_poll_due). */
  bool unsent;
  report_t pending;
  cdtime_t pending_time;
  double read_seconds; /* the last read callback's; negative: none yet */
  /* The thread's own (no other thread reads it): */
  bool overdue_said; /* a late read was warned about (once) */
} worker_t;

struct account_s;

/* Sets up the lock (before anything else touches the worker). */
int worker_init(worker_t *w);
/* Starts the account's thread; its first poll begins at once. Returns 0 or
 * an errno. */
int worker_start(struct account_s *account);
/* Ends the thread (a request in progress is given up, the state saved)
 * and frees what it left. Safe on a worker never started or set up. */
void worker_stop(worker_t *w);
/* The read callback's half: moves the last poll's values, if not sent
 * yet, into *out and their time into *time, and wakes the thread (its
 * next poll may begin). Returns whether there were any. */
bool worker_take(worker_t *w, report_t *out, cdtime_t *time);
/* How long the read callback took, for the next poll's values; and what it
 * took last (negative: none yet). */
void worker_read_took(worker_t *w, double seconds);
double worker_read_seconds(worker_t *w);

#endif
